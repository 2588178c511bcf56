#include "metasift/report/regression_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>

#include "json_parts.hpp"
#include "metasift/core/check.hpp"
#include "metasift/core/number_format.hpp"
#include "metasift/io/csv_writer.hpp"

namespace metasift::report {
namespace {

using json = nlohmann::ordered_json;

json number(double x) {
  if (!std::isfinite(x)) return nullptr;
  return x;
}

std::string fixed(double x, int decimals) {
  return format_fixed(x, decimals, number_target::text);
}

std::string pvalue(double p) {
  if (!std::isfinite(p)) return std::string(missing_text(number_target::text));
  if (p < 1e-4) return "<.0001";
  return fmt::format("{:.4f}", p);
}

std::string pad_left(std::string_view s, std::size_t width) {
  std::string out;
  if (s.size() < width) out.assign(width - s.size(), ' ');
  out.append(s);
  return out;
}

std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  return n;
}

std::string pad_right_u8(std::string_view s, std::size_t width) {
  std::string out(s);
  const std::size_t w = display_width(s);
  if (w < width) out.append(width - w, ' ');
  return out;
}

std::string csv_quote(std::string_view s) {
  return io::csv_text(s);
}

std::string csv_num(double x) {
  return format_shortest(x, number_target::csv);
}

bool transformed(const meta_context& ctx) {
  return effects::display_scale_of(ctx.measure) != effects::display_scale::identity;
}

double shown(const meta_context& ctx, double x) {
  if (ctx.measure == effects::measure::PFT && !(ctx.harmonic_n > 0)) return std::numeric_limits<double>::quiet_NaN();
  return effects::back_transform(ctx.measure, x, ctx.harmonic_n);
}

std::string stat_name(const models::model_spec& s) {
  return models::uses_t(s.test) ? "t" : "z";
}

std::string model_line(const models::regression_result& r) {
  if (!models::is_random_effects(r.spec.est)) return "Common-effect meta-regression (inverse-variance weights)";
  return fmt::format("Mixed-effects meta-regression, tau^2 estimator {}", models::to_string(r.spec.est));
}

/// "2:3" or "1" (metafor's description of the coefficients QM tests).
std::string tested_coefficients(const models::regression_result& r) {
  std::vector<int> idx;
  for (int j = 0; j < r.p; ++j) {
    if (r.p == 1 || !r.has_intercept || r.coefficients[static_cast<std::size_t>(j)].name != "intrcpt")
      idx.push_back(j + 1);
  }
  if (idx.empty()) return "";
  bool contiguous = true;
  for (std::size_t i = 1; i < idx.size(); ++i) contiguous = contiguous && idx[i] == idx[i - 1] + 1;
  if (idx.size() == 1) return std::to_string(idx[0]);
  if (contiguous) return fmt::format("{}:{}", idx.front(), idx.back());
  std::string s;
  for (int i : idx) {
    if (!s.empty()) s += ',';
    s += std::to_string(i);
  }
  return s;
}

}  // namespace

std::string format_text(const models::regression_result& r, const regression_context& ctx) {
  const meta_context& mc = ctx.meta;
  const int d = mc.decimals;
  const bool random = models::is_random_effects(r.spec.est);
  const bool hk = models::uses_t(r.spec.test);
  std::string out;
  out += fmt::format("{} (k = {}; {} coefficient{})\n", model_line(r), r.k, r.p, r.p == 1 ? "" : "s");
  std::string mods;
  for (const auto& m : ctx.moderators) mods += (mods.empty() ? "" : ", ") + m;
  out += fmt::format("Moderators: {}\n", mods.empty() ? "none" : mods);
  out += fmt::format("Effect measure: {} ({}); coefficients on the analysis scale\n\n", effects::to_string(mc.measure),
                     effects::display_name(mc.measure));
  if (random) {
    out += fmt::format("Residual heterogeneity: tau2 = {} (SE {}), tau = {}, I2 = {}%, H2 = {}\n", fixed(r.tau2, d),
                       fixed(r.tau2_se, d), fixed(std::sqrt(r.tau2), d), fixed(r.I2, 2), fixed(r.H2, 2));
    if (!std::isnan(r.R2)) out += fmt::format("R2 (amount of heterogeneity accounted for): {}%\n", fixed(r.R2, 2));
  } else {
    out += fmt::format("Residual heterogeneity: I2 = {}%, H2 = {}\n", fixed(r.I2, 2), fixed(r.H2, 2));
  }
  out += fmt::format("Test for residual heterogeneity: QE({}) = {}, p = {}\n", fixed(r.QE_df, 0), fixed(r.QE, d),
                     pvalue(r.QE_p));
  const std::string tested = tested_coefficients(r);
  if (hk) {
    out += fmt::format("Test of moderators (coefficients {}): F({}, {}) = {}, p = {}\n", tested, fixed(r.QM_df, 0),
                       fixed(r.QM_df2, 0), fixed(r.QM, d), pvalue(r.QM_p));
  } else {
    out += fmt::format("Test of moderators (coefficients {}): QM({}) = {}, p = {}\n", tested, fixed(r.QM_df, 0),
                       fixed(r.QM, d), pvalue(r.QM_p));
  }
  if (r.has_permutations) {
    out +=
        fmt::format("Permutation test ({}): QM p = {}\n",
                    r.permutation.exact
                        ? fmt::format("exact, all {} distinct arrangements", r.permutation.iterations)
                        : fmt::format("{} random arrangements, seed {}", r.permutation.iterations, r.permutation.seed),
                    pvalue(r.permutation.QM_p));
  }
  out += '\n';

  // Coefficient table.
  std::vector<std::string> header{"estimate", "se", stat_name(r.spec), "p", "ci_lower", "ci_upper"};
  if (r.has_permutations) header.push_back("p_perm");
  std::vector<std::vector<std::string>> rows;
  for (std::size_t j = 0; j < r.coefficients.size(); ++j) {
    const auto& c = r.coefficients[j];
    std::vector<std::string> row{fixed(c.estimate, d), fixed(c.se, d),       fixed(c.statistic, d),
                                 pvalue(c.p),          fixed(c.ci_lower, d), fixed(c.ci_upper, d)};
    if (r.has_permutations)
      row.push_back(j < r.permutation.p.size() ? pvalue(r.permutation.p[j])
                                               : std::string(missing_text(number_target::text)));
    rows.push_back(std::move(row));
  }
  std::size_t name_w = 4;
  for (const auto& c : r.coefficients) name_w = std::max(name_w, display_width(c.name));
  std::vector<std::size_t> w(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    w[c] = header[c].size();
    for (const auto& row : rows) w[c] = std::max(w[c], row[c].size());
  }
  std::string line = pad_right_u8("", name_w + 2);
  for (std::size_t c = 0; c < header.size(); ++c) line += pad_left(header[c], w[c] + 2);
  out += line + '\n';
  for (std::size_t j = 0; j < rows.size(); ++j) {
    line = pad_right_u8(r.coefficients[j].name, name_w + 2);
    for (std::size_t c = 0; c < header.size(); ++c) line += pad_left(rows[j][c], w[c] + 2);
    out += line + '\n';
  }
  if (hk) {
    out += fmt::format("t tests and CIs with {} df ({})\n", fixed(r.df, 0),
                       r.spec.test == models::ci_method::t       ? "model-based SEs"
                       : r.spec.test == models::ci_method::adhoc ? "ad hoc Hartung-Knapp, scaling at least 1"
                                                                 : "Hartung-Knapp");
  }
  out += '\n';

  for (const auto& f : ctx.factors) {
    std::string levels;
    for (const auto& l : f.levels) levels += (levels.empty() ? "" : ", ") + l;
    if (f.reference.empty()) {
      out += fmt::format("Categorical moderator {}: one column per level ({})\n", f.column, levels);
    } else {
      out += fmt::format("Categorical moderator {}: reference level {} (levels: {})\n", f.column, f.reference, levels);
    }
  }
  for (const auto& n : r.dropped) out += fmt::format("Dropped (aliased): {}\n", n);
  out += fmt::format("Conventions ({}):\n", models::to_string(mc.conv));
  out += fmt::format("  measure: {}; method: {}; test: {}; level: {:g}%\n", effects::to_string(mc.measure),
                     models::to_string(r.spec.est), models::to_string(r.spec.test), r.spec.level * 100);
  for (const auto& c : mc.conventions) out += "  " + c + '\n';
  for (std::size_t i = 0; i < mc.excluded.size(); ++i) {
    out += fmt::format("Excluded: {}: {}\n", i < mc.excluded_labels.size() ? mc.excluded_labels[i] : "?",
                       mc.excluded[i].reason);
  }
  if (r.status != fit_status::ok) out += fmt::format("Status: {}\n", to_string(r.status));
  for (const auto& n : r.notes.items) out += "Warning: " + n + '\n';
  if (!mc.version.empty()) out += "metasift " + mc.version + '\n';
  return out;
}

std::string format_json(const models::regression_result& r, const regression_context& ctx) {
  const meta_context& mc = ctx.meta;
  const bool t_based = models::uses_t(r.spec.test);
  const auto text_or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  json j = json::object();
  j["software"] = {{"name", "metasift"}, {"version", mc.version}};
  j["analysis"] = "meta-regression";
  j["data"] = mc.data_file;
  j["measure"] = std::string(effects::to_string(mc.measure));
  j["method"] = std::string(models::to_string(r.spec.est));
  j["ci_method"] = std::string(models::to_string(r.spec.test));
  j["convention"] = std::string(models::to_string(mc.conv));
  j["conventions"] = mc.conventions;
  j["subset"] = text_or_null(mc.subset);
  j["weights"] = text_or_null(mc.weights);
  j["k"] = r.k;
  j["p"] = r.p;
  j["scale"] = transformed(mc) ? "transformed" : "identity";
  j["level"] = r.spec.level;
  j["moderators"] = ctx.moderators;
  json factors = json::array();
  for (const auto& f : ctx.factors) {
    factors.push_back({{"column", f.column},
                       {"reference", f.reference.empty() ? json(nullptr) : json(f.reference)},
                       {"levels", f.levels}});
  }
  j["factors"] = std::move(factors);
  json coefs = json::array();
  // exp() of every coefficient on a log scale (ratios, and ratios of ratios for slopes); other
  // transforms (tanh, inverse logit, ...) only make sense for the intercept, a predicted effect.
  const effects::display_scale ds = effects::display_scale_of(mc.measure);
  for (std::size_t i = 0; i < r.coefficients.size(); ++i) {
    const auto& c = r.coefficients[i];
    const bool bt = ds == effects::display_scale::exp ||
                    (ds != effects::display_scale::identity && r.has_intercept && c.name == "intrcpt");
    const auto shown_or_null = [&](double x) { return bt ? number(detail::back_transformed(mc, x)) : json(nullptr); };
    json o = {{"name", c.name}, {"estimate", number(c.estimate)}, {"se", number(c.se)}};
    o["z"] = t_based ? json(nullptr) : number(c.statistic);
    o["t"] = t_based ? number(c.statistic) : json(nullptr);
    o["df"] = t_based ? number(r.df) : json(nullptr);
    o["p"] = number(c.p);
    o["ci_lower"] = number(c.ci_lower);
    o["ci_upper"] = number(c.ci_upper);
    o["p_perm"] = r.has_permutations ? number(i < r.permutation.p.size() ? r.permutation.p[i] : models::not_available)
                                     : json(nullptr);
    o["back_transformed"] = {{"estimate", shown_or_null(c.estimate)},
                             {"ci_lower", shown_or_null(c.ci_lower)},
                             {"ci_upper", shown_or_null(c.ci_upper)}};
    coefs.push_back(std::move(o));
  }
  j["coefficients"] = std::move(coefs);
  j["df"] = number(r.df);
  j["tau2"] = number(r.tau2);
  j["tau2_se"] = number(r.tau2_se);
  j["tau"] = number(std::sqrt(r.tau2));
  j["I2"] = number(r.I2);
  j["H2"] = number(r.H2);
  j["R2"] = number(r.R2);
  j["QM"] = number(r.QM);
  j["QM_df"] = number(r.QM_df);
  j["QM_df2"] = t_based ? number(r.QM_df2) : json(nullptr);
  j["QM_p"] = number(r.QM_p);
  j["QE"] = number(r.QE);
  j["QE_df"] = number(r.QE_df);
  j["QE_p"] = number(r.QE_p);
  j["typical_vi"] = number(r.typical_v);
  j["vcov"] = r.vcov.empty() ? json(nullptr) : json::array();
  for (int a = 0; a < r.p && !r.vcov.empty(); ++a) {
    json row = json::array();
    for (int b = 0; b < r.p; ++b) row.push_back(number(r.vcov[static_cast<std::size_t>(a * r.p + b)]));
    j["vcov"].push_back(std::move(row));
  }
  json studies = json::array();
  for (std::size_t i = 0; i < static_cast<std::size_t>(r.k); ++i) {
    studies.push_back({{"study", i < ctx.labels.size() ? ctx.labels[i] : ""},
                       {"yi", number(i < ctx.yi.size() ? ctx.yi[i] : models::not_available)},
                       {"vi", number(i < ctx.vi.size() ? ctx.vi[i] : models::not_available)},
                       {"fitted", number(i < r.fitted.size() ? r.fitted[i] : models::not_available)},
                       {"hat", number(i < r.hat.size() ? r.hat[i] : models::not_available)}});
  }
  j["studies"] = std::move(studies);
  if (r.has_permutations) {
    j["permutation"] = {{"iterations", r.permutation.iterations},
                        {"exact", r.permutation.exact},
                        {"seed", r.permutation.exact ? json(nullptr) : json(r.permutation.seed)},
                        {"failed", r.permutation.failed},
                        {"QM_p", number(r.permutation.QM_p)}};
  } else {
    j["permutation"] = nullptr;
  }
  j["dropped"] = r.dropped;
  j["left_out"] = ctx.left_out;
  json excluded = json::array();
  for (std::size_t i = 0; i < mc.excluded.size(); ++i) {
    excluded.push_back({{"study", i < mc.excluded_labels.size() ? mc.excluded_labels[i] : ""},
                        {"row", mc.excluded[i].index + 1},
                        {"reason", mc.excluded[i].reason}});
  }
  j["excluded"] = std::move(excluded);
  j["convergence"] = {
      {"iterations", r.conv.iterations}, {"step_halvings", r.conv.step_halvings}, {"fallback", r.conv.used_fallback}};
  j["status"] = std::string(to_string(r.status));
  j["warnings"] = r.notes.items;
  return j.dump(2) + '\n';
}

std::string format_csv(const models::regression_result& r, const regression_context& ctx) {
  const meta_context& mc = ctx.meta;
  const std::string provenance =
      fmt::format(",{},{},{},{}", effects::to_string(mc.measure), models::to_string(r.spec.est),
                  models::to_string(r.spec.test), models::to_string(mc.conv));
  std::string out = "term,estimate,se,statistic,df,p,ci_lower,ci_upper,p_perm,measure,method,ci_method,convention\n";
  for (std::size_t i = 0; i < r.coefficients.size(); ++i) {
    const auto& c = r.coefficients[i];
    const double pp = r.has_permutations && i < r.permutation.p.size() ? r.permutation.p[i] : models::not_available;
    out += fmt::format("{},{},{},{},{},{},{},{},{}", csv_quote(c.name), csv_num(c.estimate), csv_num(c.se),
                       csv_num(c.statistic), csv_num(r.df), csv_num(c.p), csv_num(c.ci_lower), csv_num(c.ci_upper),
                       csv_num(pp)) +
           provenance + '\n';
  }
  const double na = models::not_available;
  auto row = [&](std::string_view term, double est, double se, double stat, double df, double p, double pp) {
    out += fmt::format("{},{},{},{},{},{},,,{}", term, csv_num(est), csv_num(se), csv_num(stat), csv_num(df),
                       csv_num(p), csv_num(pp)) +
           provenance + '\n';
  };
  row("tau2", r.tau2, r.tau2_se, na, na, na, na);
  row("I2", r.I2, na, na, na, na, na);
  row("H2", r.H2, na, na, na, na, na);
  row("R2", r.R2, na, na, na, na, na);
  row("QM", na, na, r.QM, r.QM_df, r.QM_p, r.has_permutations ? r.permutation.QM_p : na);
  row("QE", na, na, r.QE, r.QE_df, r.QE_p, na);
  return add_excluded_csv(out, mc, false, 8, provenance);
}

std::string format_subgroups_text(const analyses::subgroup_result& r, const meta_context& ctx) {
  const int d = ctx.decimals;
  const bool hk = models::uses_t(r.spec.test);
  const bool random = models::is_random_effects(r.spec.est);
  std::string out;
  std::string how;
  if (!random) {
    how = "common-effect model in each subgroup";
  } else if (r.options.common_tau2 && !std::isnan(r.common_tau2)) {
    how = fmt::format("common tau2 = {} from the meta-regression on the subgroups", fixed(r.common_tau2, 4));
  } else {
    how = "tau2 estimated within each subgroup";
  }
  out += fmt::format("\nSubgroups by {} ({}):\n", r.column, how);
  std::size_t name_w = 8;
  for (const auto& g : r.groups) name_w = std::max(name_w, display_width(g.name));
  std::vector<std::array<std::string, 3>> eff;
  std::size_t w = 0;
  for (const auto& g : r.groups) {
    const auto& p = g.fit.pooled;
    eff.push_back(
        {fixed(shown(ctx, p.estimate), d), fixed(shown(ctx, p.ci_lower), d), fixed(shown(ctx, p.ci_upper), d)});
    w = std::max({w, eff.back()[0].size(), eff.back()[1].size(), eff.back()[2].size()});
  }
  for (std::size_t j = 0; j < r.groups.size(); ++j) {
    const auto& g = r.groups[j];
    const auto& p = g.fit.pooled;
    const auto& h = g.fit.het;
    std::string line = "  " + pad_right_u8(g.name, name_w + 1) + fmt::format("k = {:<3} ", g.k);
    line += pad_left(eff[j][0], w) + " [" + pad_left(eff[j][1], w + 1) + ", " + pad_left(eff[j][2], w) + "]";
    if (hk && models::uses_t(g.fit.spec.test)) {
      line += fmt::format("  t({}) = {}, p = {}", fixed(p.df, 0), fixed(p.statistic, d), fixed(p.p, d));
    } else {
      line += fmt::format("  z = {}, p = {}", fixed(p.statistic, d), fixed(p.p, d));
    }
    if (random) line += fmt::format("; tau2 = {}", fixed(h.tau2, d));
    line += fmt::format(", I2 = {}%, H2 = {}, Q({}) = {}, p = {}", fixed(h.I2, d), fixed(h.H2, d), fixed(h.df, 0),
                        fixed(h.Q, d), fixed(h.p, d));
    out += line + '\n';
  }
  out += fmt::format("Test of group differences: Q_b({}) = {}, p = {}\n", fixed(r.test.df, 0), fixed(r.test.Q, d),
                     fixed(r.test.p, d));
  if (transformed(ctx)) out += "Subgroup estimates are shown back-transformed; the test uses the analysis scale\n";
  if (r.status != fit_status::ok) out += fmt::format("Subgroup status: {}\n", to_string(r.status));
  for (const auto& g : r.groups) {
    for (const auto& n : g.fit.notes.items) out += fmt::format("Warning (subgroup {}): {}\n", g.name, n);
  }
  for (const auto& n : r.notes.items) out += "Warning: " + n + '\n';
  return out;
}

std::string add_subgroups_json(const std::string& meta_json, const analyses::subgroup_result& r,
                               const meta_context& ctx) {
  json j = json::parse(meta_json);
  json groups = json::array();
  for (const auto& g : r.groups) {
    json o = {{"name", g.name}, {"k", g.k}};
    o["pooled"] = detail::pooled_json(g.fit.pooled, g.fit.spec, ctx);
    o["heterogeneity"] = detail::heterogeneity_json(g.fit.het);
    o["status"] = std::string(to_string(g.fit.status));
    o["warnings"] = g.fit.notes.items;
    groups.push_back(std::move(o));
  }
  j["subgroups"] = std::move(groups);
  j["subgroup_test"] = {{"Q", number(r.test.Q)}, {"df", number(r.test.df)}, {"p", number(r.test.p)}};
  j["subgroup_options"] = {{"column", r.column},
                           {"common_tau2", r.options.common_tau2},
                           {"tau2", number(r.common_tau2)},
                           {"tau2_se", number(r.common_tau2_se)},
                           {"unassigned", r.unassigned_labels},
                           {"status", std::string(to_string(r.status))},
                           {"warnings", r.notes.items}};
  return j.dump(2) + '\n';
}

std::string format_subgroups_csv(const analyses::subgroup_result& r, const models::meta_result& overall,
                                 const meta_context& ctx) {
  const std::string provenance =
      fmt::format(",{},{},{},{}", effects::to_string(ctx.measure), models::to_string(r.spec.est),
                  models::to_string(r.spec.test), models::to_string(ctx.conv));
  std::string out =
      "subgroup,k,estimate,se,statistic,df,p,ci_lower,ci_upper,tau2,tau2_se,I2,H2,Q,Q_df,Q_p,measure,method,ci_method,"
      "convention\n";
  auto row = [&](std::string_view name, const models::meta_result& m) {
    const auto& p = m.pooled;
    const auto& h = m.het;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}", csv_quote(name), m.k, csv_num(p.estimate),
                       csv_num(p.se), csv_num(p.statistic), csv_num(p.df), csv_num(p.p), csv_num(p.ci_lower),
                       csv_num(p.ci_upper), csv_num(h.tau2), csv_num(h.tau2_se), csv_num(h.I2), csv_num(h.H2),
                       csv_num(h.Q), csv_num(h.df), csv_num(h.p)) +
           provenance + '\n';
  };
  for (const auto& g : r.groups) row(g.name, g.fit);
  row("Overall", overall);
  out += fmt::format("Test of subgroup differences,,,,,,,,,,,,,{},{},{}", csv_num(r.test.Q), csv_num(r.test.df),
                     csv_num(r.test.p)) +
         provenance + '\n';
  return out;
}

}  // namespace metasift::report
