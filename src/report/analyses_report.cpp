// Text / JSON / CSV writers for the analyses (bias, trim-and-fill, influence, cumulative). Pure
// formatting: every number comes from the result structs. Same conventions as meta_report.cpp:
// nlohmann::ordered_json for a stable key order, NaN and infinities written as null, every output
// names measure, method, test and convention.

#include "metasift/report/analyses_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

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
  if (p < 1e-4) return "<0.0001";
  return fmt::format("{:.4f}", p);
}

bool transformed(const meta_context& ctx) {
  return effects::display_scale_of(ctx.measure) != effects::display_scale::identity;
}

double shown(const meta_context& ctx, double x) {
  if (std::isnan(x)) return x;
  if (ctx.measure == effects::measure::PFT && !(ctx.harmonic_n > 0)) return std::numeric_limits<double>::quiet_NaN();
  return effects::back_transform(ctx.measure, x, ctx.harmonic_n);
}

/// {"estimate", "ci_lower", "ci_upper"} back-transformed, for transformed measures.
json back_transformed(const meta_context& ctx, double est, double lo, double hi) {
  return {{"estimate", number(shown(ctx, est))},
          {"ci_lower", number(shown(ctx, lo))},
          {"ci_upper", number(shown(ctx, hi))}};
}

std::string level_text(double level) {
  return fmt::format("{:g}%", level * 100.0);
}

/// Keys every JSON document starts with: what was run, on what, with which conventions.
json header(std::string_view analysis, const models::model_spec& spec, int k, const meta_context& ctx) {
  json j = json::object();
  j["software"] = {{"name", "metasift"}, {"version", ctx.version}};
  j["analysis"] = std::string(analysis);
  j["data"] = ctx.data_file;
  j["measure"] = std::string(effects::to_string(ctx.measure));
  j["method"] = std::string(models::to_string(spec.est));
  j["ci_method"] = std::string(models::to_string(spec.test));
  j["convention"] = std::string(models::to_string(ctx.conv));
  j["conventions"] = ctx.conventions;
  j["k"] = k;
  j["level"] = spec.level;
  j["scale"] = transformed(ctx) ? "transformed" : "identity";
  return j;
}

json excluded_json(const meta_context& ctx) {
  json excluded = json::array();
  for (std::size_t i = 0; i < ctx.excluded.size(); ++i) {
    excluded.push_back({{"study", i < ctx.excluded_labels.size() ? ctx.excluded_labels[i] : ""},
                        {"row", ctx.excluded[i].index + 1},
                        {"reason", ctx.excluded[i].reason}});
  }
  return excluded;
}

/// The analysis's warnings, after one per excluded study (the data's warnings come first).
std::vector<std::string> all_warnings(const warnings& notes, const meta_context& ctx) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < ctx.excluded.size(); ++i) {
    out.push_back("study '" + (i < ctx.excluded_labels.size() ? ctx.excluded_labels[i] : std::string("?")) +
                  "' excluded: " + ctx.excluded[i].reason);
  }
  for (const auto& n : notes.items) {
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  }
  return out;
}

void finish(json& j, fit_status status, const warnings& notes, const meta_context& ctx) {
  j["excluded"] = excluded_json(ctx);
  j["status"] = std::string(to_string(status));
  j["warnings"] = all_warnings(notes, ctx);
}

/// The statistic of a z or t test under its name, with df for t.
void put_test(json& o, const models::model_spec& spec, double statistic, double df) {
  if (models::uses_t(spec.test) && !std::isnan(df)) {
    o["t"] = number(statistic);
    o["df"] = number(df);
  } else {
    o["z"] = number(statistic);
  }
}

json pooled_json(const models::meta_result& m, const meta_context& ctx) {
  const auto& p = m.pooled;
  json o = {{"estimate", number(p.estimate)},
            {"se", number(p.se)},
            {"ci_lower", number(p.ci_lower)},
            {"ci_upper", number(p.ci_upper)}};
  put_test(o, m.spec, p.statistic, p.df);
  o["p"] = number(p.p);
  o["pi_lower"] = number(p.pi_lower);
  o["pi_upper"] = number(p.pi_upper);
  if (transformed(ctx)) o["back_transformed"] = back_transformed(ctx, p.estimate, p.ci_lower, p.ci_upper);
  return o;
}

json heterogeneity_json(const models::meta_result& m) {
  const auto& h = m.het;
  return {{"tau2", number(h.tau2)}, {"tau2_se", number(h.tau2_se)},
          {"tau", number(h.tau)},   {"I2", number(h.I2)},
          {"H2", number(h.H2)},     {"Q", number(h.Q)},
          {"df", number(h.df)},     {"p", number(h.p)}};
}

std::string conventions_text(const models::model_spec& spec, const meta_context& ctx) {
  std::string out = fmt::format("Conventions ({}):\n", models::to_string(ctx.conv));
  out += fmt::format("  measure: {} ({}); method: {}; test: {}; level: {}\n", effects::to_string(ctx.measure),
                     effects::display_name(ctx.measure), models::to_string(spec.est), models::to_string(spec.test),
                     level_text(spec.level));
  for (const auto& c : ctx.conventions) out += "  " + c + '\n';
  return out;
}

std::string footer_text(fit_status status, const warnings& notes, const meta_context& ctx) {
  std::string out;
  for (std::size_t i = 0; i < ctx.excluded.size(); ++i) {
    out += fmt::format("Excluded: {}: {}\n", i < ctx.excluded_labels.size() ? ctx.excluded_labels[i] : "?",
                       ctx.excluded[i].reason);
  }
  if (status != fit_status::ok) out += fmt::format("Status: {}\n", to_string(status));
  for (const auto& n : all_warnings(notes, ctx)) out += "Warning: " + n + '\n';
  if (!ctx.version.empty()) out += "metasift " + ctx.version + '\n';
  return out;
}

std::string model_name(const models::model_spec& s) {
  return models::is_random_effects(s.est) ? fmt::format("random-effects {}", models::to_string(s.est))
                                          : std::string("common-effect");
}

/// "0.49 [0.34, 0.70]" on the display scale.
std::string effect_ci(const meta_context& ctx, double est, double lo, double hi, int d) {
  return fmt::format("{} [{}, {}]", fixed(shown(ctx, est), d), fixed(shown(ctx, lo), d), fixed(shown(ctx, hi), d));
}

std::string csv_quote(std::string_view s) {
  return io::csv_text(s);
}

std::string csv_num(double x) {
  return format_shortest(x, number_target::csv);
}

std::string provenance(const models::model_spec& spec, const meta_context& ctx) {
  return fmt::format(",{},{},{},{}", effects::to_string(ctx.measure), models::to_string(spec.est),
                     models::to_string(spec.test), models::to_string(ctx.conv));
}

constexpr std::string_view provenance_header = ",measure,method,ci_method,convention";

std::string pad_right(std::string_view s, std::size_t width) {
  std::string out(s);
  std::size_t w = 0;
  for (const char c : s) w += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  if (w < width) out.append(width - w, ' ');
  return out;
}

std::string pad_left(std::string_view s, std::size_t width) {
  std::string out;
  if (s.size() < width) out.assign(width - s.size(), ' ');
  out.append(s);
  return out;
}

std::size_t label_width(const std::vector<std::string>& labels, std::size_t minimum) {
  std::size_t w = minimum;
  for (const auto& l : labels) {
    std::size_t n = 0;
    for (const char c : l) n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    w = std::max(w, n);
  }
  return w + 2;
}

/// A right-aligned table: first column left-aligned labels, the others right-aligned cells.
std::string table_text(const std::vector<std::string>& head, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> w(head.size(), 0);
  for (std::size_t c = 0; c < head.size(); ++c) w[c] = head[c].size();
  std::vector<std::string> labels;
  for (const auto& r : rows) labels.push_back(r[0]);
  w[0] = label_width(labels, head[0].size());
  for (const auto& r : rows) {
    for (std::size_t c = 1; c < r.size(); ++c) w[c] = std::max(w[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out = pad_right(cells[0], w[0]);
    for (std::size_t c = 1; c < cells.size(); ++c) out += "  " + pad_left(cells[c], w[c]);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + '\n';
  };
  std::string out = line(head);
  for (const auto& r : rows) out += line(r);
  return out;
}

// ---------------------------------------------------------------------------------------------
// bias

json limit_json(const analyses::limit_estimate& l, const meta_context& ctx) {
  const auto& f = l.fit;
  json o = {{"predictor", std::string(l.predictor)},
            {"model", "lm"},
            {"estimate", number(f.b0)},
            {"se", number(f.b0_se)},
            {"ci_lower", number(f.b0_ci_lower)},
            {"ci_upper", number(f.b0_ci_upper)},
            {"t", number(f.b0_t)},
            {"df", number(f.df)},
            {"p", number(f.b0_p)},
            {"slope", number(f.b1)},
            {"slope_se", number(f.b1_se)},
            {"slope_t", number(f.b1_t)},
            {"slope_p", number(f.b1_p)}};
  if (transformed(ctx)) o["back_transformed"] = back_transformed(ctx, f.b0, f.b0_ci_lower, f.b0_ci_upper);
  o["status"] = std::string(to_string(f.status));
  return o;
}

}  // namespace

std::string format_text(const analyses::bias_result& r, const meta_context& ctx) {
  const int d = std::max(ctx.decimals, 4);
  const std::string lv = level_text(r.spec.level);
  std::string out = fmt::format("Small-study effects and publication bias (k = {})\n\n", r.k);
  const auto& e = r.egger.fit;
  out +=
      "Egger's regression test, classical (weighted least squares of y on SE, weights 1/v,\n"
      "estimated dispersion; metafor regtest model \"lm\"):\n";
  out += fmt::format("  Egger's intercept (bias) = {} (SE {}), t({}) = {}, p = {}\n", fixed(e.b1, d), fixed(e.b1_se, d),
                     fixed(e.df, 0), fixed(e.b1_t, 2), pvalue(e.b1_p));
  out += fmt::format("  limit estimate (SE -> 0) = {} ({} CI {}, {})\n", fixed(e.b0, d), lv, fixed(e.b0_ci_lower, d),
                     fixed(e.b0_ci_upper, d));
  const auto& m = r.egger_mixed;
  out += fmt::format("Egger's regression test, mixed-effects (meta-regression of y on SE, {}):\n", model_name(r.spec));
  if (models::uses_t(r.spec.test)) {
    out += fmt::format("  coefficient of SE = {} (SE {}), t({}) = {}, p = {}\n", fixed(m.bias, d), fixed(m.bias_se, d),
                       fixed(m.df, 0), fixed(m.statistic, 2), pvalue(m.p));
  } else {
    out += fmt::format("  coefficient of SE = {} (SE {}), z = {}, p = {}\n", fixed(m.bias, d), fixed(m.bias_se, d),
                       fixed(m.statistic, 2), pvalue(m.p));
  }
  out += fmt::format("  limit estimate = {} ({} CI {}, {}); residual tau2 = {}\n", fixed(m.limit_estimate, d), lv,
                     fixed(m.limit_ci_lower, d), fixed(m.limit_ci_upper, d), fixed(m.tau2, d));
  out += fmt::format("Begg and Mazumdar rank correlation: Kendall's tau = {}, p = {} ({})\n", fixed(r.begg.tau, d),
                     pvalue(r.begg.p), r.begg.exact ? "exact" : "normal approximation");
  out += fmt::format("Fail-safe N (Rosenthal): {} (observed significance {}, target alpha {:g})\n",
                     fixed(r.fsn.rosenthal, 0), pvalue(r.fsn.rosenthal_p), r.fsn.alpha);
  out += fmt::format("Fail-safe N (Orwin): {} (mean effect {}, target {})\n", fixed(r.fsn.orwin, 0),
                     fixed(r.fsn.orwin_mean, d), fixed(r.fsn.orwin_target, d));
  for (const analyses::limit_estimate* l : {&r.pet, &r.peese}) {
    const auto& f = l->fit;
    out += fmt::format("{} (predictor {}): estimate = {} (SE {}), {} CI [{}, {}], p = {}",
                       l == &r.pet ? "PET  " : "PEESE", l->predictor == "sei" ? "SE" : "variance", fixed(f.b0, d),
                       fixed(f.b0_se, d), lv, fixed(f.b0_ci_lower, d), fixed(f.b0_ci_upper, d), pvalue(f.b0_p));
    if (transformed(ctx)) {
      out += fmt::format("; {} {}", effects::display_name(ctx.measure),
                         effect_ci(ctx, f.b0, f.b0_ci_lower, f.b0_ci_upper, d));
    }
    out += '\n';
  }
  out += '\n' + conventions_text(r.spec, ctx) + footer_text(r.status, r.notes, ctx);
  return out;
}

std::string format_json(const analyses::bias_result& r, const meta_context& ctx) {
  json j = header("bias", r.spec, r.k, ctx);
  const auto& e = r.egger.fit;
  json egger = {{"model", "lm"},
                {"predictor", "sei"},
                {"intercept", number(e.b1)},
                {"intercept_se", number(e.b1_se)},
                {"t", number(e.b1_t)},
                {"df", number(e.df)},
                {"p", number(e.b1_p)},
                {"limit_estimate", number(e.b0)},
                {"limit_se", number(e.b0_se)},
                {"limit_ci_lower", number(e.b0_ci_lower)},
                {"limit_ci_upper", number(e.b0_ci_upper)},
                {"sigma2", number(e.sigma2)},
                {"status", std::string(to_string(e.status))}};
  j["egger"] = std::move(egger);
  const auto& m = r.egger_mixed;
  json mixed = {{"model", "rma"},
                {"predictor", "sei"},
                {"method", std::string(models::to_string(r.spec.est))},
                {"coefficient", number(m.bias)},
                {"se", number(m.bias_se)}};
  put_test(mixed, r.spec, m.statistic, m.df);
  mixed["p"] = number(m.p);
  mixed["limit_estimate"] = number(m.limit_estimate);
  mixed["limit_se"] = number(m.limit_se);
  mixed["limit_ci_lower"] = number(m.limit_ci_lower);
  mixed["limit_ci_upper"] = number(m.limit_ci_upper);
  mixed["tau2"] = number(m.tau2);
  mixed["status"] = std::string(to_string(m.status));
  j["egger_mixed"] = std::move(mixed);
  j["begg"] = {{"tau", number(r.begg.tau)},
               {"p", number(r.begg.p)},
               {"exact", r.begg.exact},
               {"ties", r.begg.ties},
               {"status", std::string(to_string(r.begg.status))}};
  j["failsafe_n"] = {{"rosenthal", number(r.fsn.rosenthal)},
                     {"rosenthal_p", number(r.fsn.rosenthal_p)},
                     {"alpha", r.fsn.alpha},
                     {"orwin", number(r.fsn.orwin)},
                     {"orwin_infinite", std::isinf(r.fsn.orwin)},
                     {"orwin_mean", number(r.fsn.orwin_mean)},
                     {"orwin_target", number(r.fsn.orwin_target)}};
  j["pet"] = limit_json(r.pet, ctx);
  j["peese"] = limit_json(r.peese, ctx);
  finish(j, r.status, r.notes, ctx);
  return j.dump(2) + '\n';
}

std::string format_csv(const analyses::bias_result& r, const meta_context& ctx) {
  const std::string prov = provenance(r.spec, ctx);
  std::string out = "test,stat,value" + std::string(provenance_header) + '\n';
  auto row = [&](std::string_view test, std::string_view stat, double value) {
    out += fmt::format("{},{},{}{}\n", test, stat, csv_num(value), prov);
  };
  const auto& e = r.egger.fit;
  row("egger", "intercept", e.b1);
  row("egger", "intercept_se", e.b1_se);
  row("egger", "t", e.b1_t);
  row("egger", "df", e.df);
  row("egger", "p", e.b1_p);
  row("egger", "limit_estimate", e.b0);
  row("egger", "limit_ci_lower", e.b0_ci_lower);
  row("egger", "limit_ci_upper", e.b0_ci_upper);
  const auto& m = r.egger_mixed;
  row("egger_mixed", "coefficient", m.bias);
  row("egger_mixed", "se", m.bias_se);
  row("egger_mixed", models::uses_t(r.spec.test) ? "t" : "z", m.statistic);
  if (models::uses_t(r.spec.test)) row("egger_mixed", "df", m.df);
  row("egger_mixed", "p", m.p);
  row("egger_mixed", "limit_estimate", m.limit_estimate);
  row("egger_mixed", "limit_ci_lower", m.limit_ci_lower);
  row("egger_mixed", "limit_ci_upper", m.limit_ci_upper);
  row("egger_mixed", "tau2", m.tau2);
  row("begg", "tau", r.begg.tau);
  row("begg", "p", r.begg.p);
  row("failsafe_n", "rosenthal", r.fsn.rosenthal);
  row("failsafe_n", "rosenthal_p", r.fsn.rosenthal_p);
  row("failsafe_n", "orwin", r.fsn.orwin);
  row("failsafe_n", "orwin_target", r.fsn.orwin_target);
  for (const analyses::limit_estimate* l : {&r.pet, &r.peese}) {
    const std::string_view name = l == &r.pet ? "pet" : "peese";
    row(name, "estimate", l->fit.b0);
    row(name, "se", l->fit.b0_se);
    row(name, "ci_lower", l->fit.b0_ci_lower);
    row(name, "ci_upper", l->fit.b0_ci_upper);
    row(name, "p", l->fit.b0_p);
  }
  return add_excluded_csv(out, ctx, true, 1, prov);
}

// ---------------------------------------------------------------------------------------------
// trim-and-fill

std::string format_text(const analyses::trimfill_result& r, const meta_context& ctx) {
  const int d = ctx.decimals;
  const std::string lv = level_text(r.spec.level);
  std::string out = fmt::format("Trim-and-fill (estimator {}, {} model)\n", analyses::to_string(r.options.estimator),
                                model_name(r.spec));
  if (r.side_estimated) {
    out += fmt::format("Missing studies on the {} (estimated: slope of y on sqrt(v) = {})\n",
                       analyses::to_string(r.side), fixed(r.side_slope, 4));
  } else {
    out += fmt::format("Missing studies on the {} (given)\n", analyses::to_string(r.side));
  }
  out += fmt::format("Estimated number of missing studies: k0 = {} (SE {})", r.k0, fixed(r.k0_se, 4));
  if (!std::isnan(r.k0_p)) out += fmt::format(", p = {}", pvalue(r.k0_p));
  out += fmt::format("; {} iteration(s)\n\n", r.iterations);
  if (!r.filled.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& f : r.filled) {
      rows.push_back({f.label, fixed(f.yi, 4), fixed(f.vi, 4), fixed(shown(ctx, f.yi), d), f.mirror_label});
    }
    out += table_text({"Filled study", "yi", "vi", std::string(effects::display_name(ctx.measure)), "mirror of"}, rows);
    out += '\n';
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto* m : {&r.observed, &r.adjusted}) {
    const auto& p = m->pooled;
    rows.push_back({m == &r.observed ? "Observed" : "Adjusted", std::to_string(m->k),
                    effect_ci(ctx, p.estimate, p.ci_lower, p.ci_upper, d), pvalue(p.p), fixed(m->het.tau2, 4),
                    fixed(m->het.I2, 2), fixed(m->het.Q, 2)});
  }
  out += table_text(
      {"Model", "k", fmt::format("{} [{} CI]", effects::display_name(ctx.measure), lv), "p", "tau2", "I2 (%)", "Q"},
      rows);
  if (transformed(ctx)) {
    out += fmt::format("Adjusted estimate on the analysis scale: {} (SE {})\n", fixed(r.adjusted.pooled.estimate, 4),
                       fixed(r.adjusted.pooled.se, 4));
  }
  out += '\n' + conventions_text(r.spec, ctx) + footer_text(r.status, r.notes, ctx);
  return out;
}

std::string format_json(const analyses::trimfill_result& r, const meta_context& ctx) {
  json j = header("trimfill", r.spec, r.k, ctx);
  j["estimator"] = std::string(analyses::to_string(r.options.estimator));
  j["k0"] = r.k0;
  j["k0_se"] = number(r.k0_se);
  j["k0_p"] = number(r.k0_p);
  j["side"] = std::string(analyses::to_string(r.side));
  j["side_requested"] = std::string(analyses::to_string(r.options.side));
  j["side_slope"] = number(r.side_slope);
  j["iterations"] = r.iterations;
  j["trimmed_estimate"] = number(r.trimmed_estimate);
  json filled = json::array();
  for (const auto& f : r.filled) {
    json o = {{"study", f.label},
              {"yi", number(f.yi)},
              {"vi", number(f.vi)},
              {"mirror_of", f.mirror_label},
              {"mirror_row", f.mirror_of + 1}};
    if (transformed(ctx)) o["back_transformed"] = {{"effect", number(shown(ctx, f.yi))}};
    filled.push_back(std::move(o));
  }
  j["filled"] = std::move(filled);
  j["pooled"] = pooled_json(r.adjusted, ctx);
  j["heterogeneity"] = heterogeneity_json(r.adjusted);
  j["k_adjusted"] = r.adjusted.k;
  j["observed"] = {
      {"k", r.observed.k}, {"pooled", pooled_json(r.observed, ctx)}, {"heterogeneity", heterogeneity_json(r.observed)}};
  finish(j, r.status, r.notes, ctx);
  return j.dump(2) + '\n';
}

std::string format_csv(const analyses::trimfill_result& r, const meta_context& ctx) {
  const std::string prov = provenance(r.spec, ctx);
  std::string out = "study,yi,vi,filled,mirror_of,ci_lower,ci_upper" + std::string(provenance_header) + '\n';
  const std::size_t observed = static_cast<std::size_t>(r.k);
  for (std::size_t i = 0; i < r.adjusted.studies.size(); ++i) {
    const auto& s = r.adjusted.studies[i];
    const bool filled = i >= observed;
    out += fmt::format("{},{},{},{},{},{},{}{}\n", csv_quote(s.label), csv_num(s.yi), csv_num(s.vi), filled ? 1 : 0,
                       filled ? csv_quote(r.filled[i - observed].mirror_label) : "", csv_num(s.ci_lower),
                       csv_num(s.ci_upper), prov);
  }
  for (const auto* m : {&r.observed, &r.adjusted}) {
    const auto& p = m->pooled;
    out += fmt::format("{},{},{},,,{},{}{}\n", m == &r.observed ? "Observed" : "Adjusted", csv_num(p.estimate),
                       csv_num(p.se * p.se), csv_num(p.ci_lower), csv_num(p.ci_upper), prov);
  }
  return add_excluded_csv(out, ctx, false, 6, prov);
}

// ---------------------------------------------------------------------------------------------
// influence

std::string format_text(const analyses::influence_result& r, const meta_context& ctx) {
  const int d = ctx.decimals;
  const std::string lv = level_text(r.spec.level);
  std::string out =
      fmt::format("Leave-one-out and influence diagnostics ({} model, k = {})\n\n", model_name(r.spec), r.k);
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : r.studies) {
    rows.push_back({s.label, effect_ci(ctx, s.estimate, s.ci_lower, s.ci_upper, d), pvalue(s.p), fixed(s.tau2, 4),
                    fixed(s.I2, 2), fixed(s.Q, 2)});
  }
  out += "Without each study:\n";
  out += table_text(
      {"Study omitted", fmt::format("{} [{} CI]", effects::display_name(ctx.measure), lv), "p", "tau2", "I2 (%)", "QE"},
      rows);
  rows.clear();
  for (const auto& s : r.studies) {
    rows.push_back({s.label, fixed(s.rstudent, 4), fixed(s.dffits, 4), fixed(s.cooks_d, 4), fixed(s.cov_ratio, 4),
                    fixed(s.hat, 4), fixed(s.weight, 2), fixed(s.dfbetas, 4), s.influential ? "*" : ""});
  }
  out += "\nDiagnostics:\n";
  out += table_text({"Study", "rstudent", "dffits", "cook.d", "cov.r", "hat", "weight", "dfbetas", "inf"}, rows);
  out += fmt::format(
      "* influential (metafor's rules): |dffits| > {}, Cook's D > {} (chi^2_1 median), hat > {}, "
      "|dfbetas| > {:g}\n",
      fixed(r.dffits_cutoff, 4), fixed(r.cooks_d_cutoff, 4), fixed(r.hat_cutoff, 4), r.dfbetas_cutoff);
  const auto& p = r.full.pooled;
  out += fmt::format("All studies: {} {}, tau2 = {}, I2 = {}%\n", effects::display_name(ctx.measure),
                     effect_ci(ctx, p.estimate, p.ci_lower, p.ci_upper, d), fixed(r.full.het.tau2, 4),
                     fixed(r.full.het.I2, 2));
  out += '\n' + conventions_text(r.spec, ctx) + footer_text(r.status, r.notes, ctx);
  return out;
}

std::string format_json(const analyses::influence_result& r, const meta_context& ctx) {
  json j = header("influence", r.spec, r.k, ctx);
  j["full"] = {{"pooled", pooled_json(r.full, ctx)}, {"heterogeneity", heterogeneity_json(r.full)}};
  j["cutoffs"] = {{"dffits", number(r.dffits_cutoff)},
                  {"cooks_d", number(r.cooks_d_cutoff)},
                  {"hat", number(r.hat_cutoff)},
                  {"dfbetas", number(r.dfbetas_cutoff)}};
  json studies = json::array();
  for (const auto& s : r.studies) {
    json o = {{"study", s.label},
              {"estimate_without", number(s.estimate)},
              {"se_without", number(s.se)},
              {"ci_lower_without", number(s.ci_lower)},
              {"ci_upper_without", number(s.ci_upper)}};
    if (models::uses_t(r.spec.test) && !std::isnan(s.df)) {
      o["t_without"] = number(s.statistic);
      o["df_without"] = number(s.df);
    } else {
      o["z_without"] = number(s.statistic);
    }
    o["p_without"] = number(s.p);
    o["tau2_without"] = number(s.tau2);
    o["I2_without"] = number(s.I2);
    o["H2_without"] = number(s.H2);
    o["QE_without"] = number(s.Q);
    o["QE_p_without"] = number(s.Q_p);
    if (transformed(ctx)) o["back_transformed"] = back_transformed(ctx, s.estimate, s.ci_lower, s.ci_upper);
    o["rstudent"] = number(s.rstudent);
    o["dffits"] = number(s.dffits);
    o["cooks_d"] = number(s.cooks_d);
    o["cov_ratio"] = number(s.cov_ratio);
    o["hat"] = number(s.hat);
    o["weight"] = number(s.weight);
    o["dfbetas"] = number(s.dfbetas);
    o["baujat_x"] = number(s.baujat_x);
    o["baujat_y"] = number(s.baujat_y);
    o["influential"] = s.influential;
    o["influential_by"] = {
        {"dffits", s.flag_dffits}, {"cooks_d", s.flag_cooks_d}, {"hat", s.flag_hat}, {"dfbetas", s.flag_dfbetas}};
    o["status"] = std::string(to_string(s.status));
    studies.push_back(std::move(o));
  }
  j["studies"] = std::move(studies);
  finish(j, r.status, r.notes, ctx);
  return j.dump(2) + '\n';
}

std::string format_csv(const analyses::influence_result& r, const meta_context& ctx) {
  const std::string prov = provenance(r.spec, ctx);
  std::string out =
      "study,estimate_without,se_without,ci_lower_without,ci_upper_without,p_without,tau2_without,I2_without,"
      "H2_without,QE_without,rstudent,dffits,cooks_d,cov_ratio,hat,weight,dfbetas,influential" +
      std::string(provenance_header) + '\n';
  for (const auto& s : r.studies) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}{}\n", csv_quote(s.label),
                       csv_num(s.estimate), csv_num(s.se), csv_num(s.ci_lower), csv_num(s.ci_upper), csv_num(s.p),
                       csv_num(s.tau2), csv_num(s.I2), csv_num(s.H2), csv_num(s.Q), csv_num(s.rstudent),
                       csv_num(s.dffits), csv_num(s.cooks_d), csv_num(s.cov_ratio), csv_num(s.hat), csv_num(s.weight),
                       csv_num(s.dfbetas), s.influential ? 1 : 0, prov);
  }
  return add_excluded_csv(out, ctx, false, 17, prov);
}

// ---------------------------------------------------------------------------------------------
// cumulative

std::string format_text(const analyses::cumulative_result& r, const meta_context& ctx, std::string_view order_by) {
  const int d = ctx.decimals;
  const std::string lv = level_text(r.spec.level);
  std::string out =
      fmt::format("Cumulative meta-analysis ({} model, k = {}, ordered by {})\n\n", model_name(r.spec), r.k, order_by);
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : r.steps) {
    rows.push_back({"+ " + s.label, std::to_string(s.k), effect_ci(ctx, s.estimate, s.ci_lower, s.ci_upper, d),
                    pvalue(s.p), fixed(s.tau2, 4), fixed(s.I2, 2)});
  }
  out += table_text(
      {"Study added", "k", fmt::format("{} [{} CI]", effects::display_name(ctx.measure), lv), "p", "tau2", "I2 (%)"},
      rows);
  out += '\n' + conventions_text(r.spec, ctx) + footer_text(r.status, r.notes, ctx);
  return out;
}

std::string format_json(const analyses::cumulative_result& r, const meta_context& ctx, std::string_view order_by) {
  json j = header("cumulative", r.spec, r.k, ctx);
  j["order_by"] = std::string(order_by);
  json steps = json::array();
  for (const auto& s : r.steps) {
    json o = {{"study", s.label},
              {"row", s.index + 1},
              {"k", s.k},
              {"estimate", number(s.estimate)},
              {"se", number(s.se)},
              {"ci_lower", number(s.ci_lower)},
              {"ci_upper", number(s.ci_upper)}};
    if (models::uses_t(r.spec.test) && !std::isnan(s.df)) {
      o["t"] = number(s.statistic);
      o["df"] = number(s.df);
    } else {
      o["z"] = number(s.statistic);
    }
    o["p"] = number(s.p);
    o["tau2"] = number(s.tau2);
    o["I2"] = number(s.I2);
    o["H2"] = number(s.H2);
    o["Q"] = number(s.Q);
    o["Q_p"] = number(s.Q_p);
    if (transformed(ctx)) o["back_transformed"] = back_transformed(ctx, s.estimate, s.ci_lower, s.ci_upper);
    o["status"] = std::string(to_string(s.status));
    steps.push_back(std::move(o));
  }
  j["steps"] = std::move(steps);
  finish(j, r.status, r.notes, ctx);
  return j.dump(2) + '\n';
}

std::string format_csv(const analyses::cumulative_result& r, const meta_context& ctx, std::string_view order_by) {
  const std::string prov = provenance(r.spec, ctx) + "," + csv_quote(order_by);
  std::string out =
      "study,row,k,estimate,se,ci_lower,ci_upper,p,tau2,I2,H2,Q" + std::string(provenance_header) + ",order_by\n";
  for (const auto& s : r.steps) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}{}\n", csv_quote(s.label), s.index + 1, s.k,
                       csv_num(s.estimate), csv_num(s.se), csv_num(s.ci_lower), csv_num(s.ci_upper), csv_num(s.p),
                       csv_num(s.tau2), csv_num(s.I2), csv_num(s.H2), csv_num(s.Q), prov);
  }
  return add_excluded_csv(out, ctx, false, 11, prov);
}

}  // namespace metasift::report
