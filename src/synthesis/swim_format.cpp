// Text, JSON and CSV renderings of a synthesis without meta-analysis (docs/output.md, "swim").
// Writers never recompute a statistic; the one-sided p of a study is the value the synthesis used.
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "metasift/core/number_format.hpp"
#include "metasift/core/text.hpp"
#include "metasift/io/csv_writer.hpp"
#include "metasift/synthesis/swim.hpp"

namespace metasift::synthesis {
namespace {

using json = nlohmann::ordered_json;

constexpr std::string_view one_sided_input = "one-sided, toward benefit (p/2 for benefit, 1 - p/2 for harm)";
constexpr std::string_view two_sided_input = "two-sided, as given";
constexpr std::string_view fisher_alternative = "benefit in at least one study";
constexpr std::string_view fisher_two_sided_alternative = "an effect in either direction in at least one study";
constexpr std::string_view stouffer_alternative = "benefit (the weighted mean of the z_i is above 0)";

json number(double x) {
  if (!std::isfinite(x)) return nullptr;
  return x;
}

json optional_number(const std::optional<double>& x) {
  return x ? number(*x) : json(nullptr);
}

json text_or_null(const std::string& s) {
  return s.empty() ? json(nullptr) : json(s);
}

/// The one-sided p toward benefit the directional methods used, or NaN.
double one_sided_p(const swim_study& s) {
  if (!s.p) return std::nan("");
  if (s.dir == direction::benefit) return *s.p / 2.0;
  if (s.dir == direction::harm) return 1.0 - *s.p / 2.0;
  return std::nan("");
}

std::string direction_label(direction d) {
  if (d == direction::mixed) return "mixed";
  return std::string(symbol(d)) + " " + std::string(to_string(d));
}

std::string pad_right(std::string s, std::size_t width) {
  const std::size_t len = text::utf8_length(s);
  if (len < width) s.append(width - len, ' ');
  return s;
}

std::string pad_left(const std::string& s, std::size_t width) {
  const std::size_t len = text::utf8_length(s);
  return len < width ? std::string(width - len, ' ') + s : s;
}

std::string p_text(double p) {
  return format_general(p, 4, number_target::text);
}

std::string studies_phrase(std::size_t k) {
  return std::to_string(k) + (k == 1 ? " study" : " studies");
}

}  // namespace

std::string format_text(const swim_result& r, std::string_view version, int decimals) {
  const auto num = [&](double x) { return format_fixed(x, decimals, number_target::text); };
  std::string out;
  out += "Synthesis without meta-analysis (SWiM) of " + r.file + ": " + std::to_string(r.domains.size()) +
         (r.domains.size() == 1 ? " outcome domain" : " outcome domains") + "\n";
  out +=
      "Effect direction: \xE2\x96\xB2 benefit, \xE2\x96\xBC harm, \xE2\x97\x84\xE2\x96\xBA no clear effect, "
      "mixed (Boon and Thomson 2021)\n";
  const std::string level = format_general(r.level * 100.0, 6, number_target::text) + "%";
  for (const auto& d : r.domains) {
    out += "\n== Outcome domain: " + d.domain + " (" + studies_phrase(d.studies.size()) + ") ==\n";
    // The effect-direction table, one row per study.
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"study", "direction", "n", "p", "effect", "rob"});
    for (const auto& s : d.studies) {
      rows.push_back({s.study, direction_label(s.dir),
                      s.n ? format_general(*s.n, 15, number_target::text) : std::string("NA"),
                      s.p ? p_text(*s.p) : std::string("NA"), s.effect ? num(*s.effect) : std::string("NA"),
                      s.rob.empty() ? std::string("NA") : s.rob});
    }
    std::vector<std::size_t> width(6, 0);
    for (const auto& row : rows) {
      for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], text::utf8_length(row[c]));
    }
    for (const auto& row : rows) {
      std::string line = "  " + pad_right(row[0], width[0]) + "  " + pad_right(row[1], width[1]) + "  " +
                         pad_left(row[2], width[2]) + "  " + pad_left(row[3], width[3]) + "  " +
                         pad_left(row[4], width[4]) + "  " + row[5];
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
    const auto& c = d.counts;
    out += "Directions: " + std::to_string(c.benefit) + " benefit, " + std::to_string(c.harm) + " harm, " +
           std::to_string(c.no_clear_effect) + " no clear effect, " + std::to_string(c.mixed) + " mixed\n";
    out += "Vote count: " + std::to_string(d.vote.x) + " of " + std::to_string(d.vote.n) +
           " studies with a clear direction show benefit: " + num(d.vote.proportion) + " [" + level +
           " CI (Clopper-Pearson) " + num(d.vote.ci_lower) + ", " + num(d.vote.ci_upper) + "]\n";
    out += "Sign test (two-sided, H0: proportion of benefit 1/2): p = " + p_text(d.vote.p_value) + "\n";
    const auto& e = d.effects;
    out += "Effects (" + studies_phrase(e.n) + "): median " + num(e.median) + ", IQR " + num(e.q1) + " to " +
           num(e.q3) + " (width " + num(e.iqr) + "), range " + num(e.min) + " to " + num(e.max) + "\n";
    const auto fisher_line = [&](std::string_view name, const combined_p& f) {
      out += std::string(name) + " (" + studies_phrase(f.k) + "): chi2(" +
             format_general(f.df, 6, number_target::text) + ") = " + num(f.statistic) + ", p = " + p_text(f.p_value) +
             "\n";
    };
    const auto stouffer_line = [&](std::string_view name, const combined_p& s) {
      out += std::string(name) + " (" + studies_phrase(s.k) + "): Z = " + num(s.statistic) +
             ", p = " + p_text(s.p_value) + "\n";
    };
    fisher_line("Fisher, one-sided p toward benefit", d.fisher);
    fisher_line("Fisher, two-sided p as given", d.fisher_two_sided);
    stouffer_line("Stouffer, one-sided p toward benefit, unweighted", d.stouffer);
    stouffer_line("Stouffer, one-sided p toward benefit, weights sqrt(n)", d.stouffer_weighted);
    if (!d.notes.empty()) {
      out += "Notes:\n";
      for (const auto& n : d.notes.items) out += "  - " + n + "\n";
    }
  }
  out += "\nConventions:\n";
  for (const auto& c : r.conventions) out += "  - " + c + "\n";
  out += "metasift " + std::string(version) + "\n";
  return out;
}

std::string format_json(const swim_result& r, std::string_view version) {
  json j = json::object();
  j["software"] = {{"name", "metasift"}, {"version", std::string(version)}};
  j["analysis"] = "synthesis without meta-analysis";
  j["data"] = r.file;
  j["columns"] = {{"study", r.columns.study},          {"domain", r.columns.domain},
                  {"direction", r.columns.direction},  {"n", text_or_null(r.columns.n)},
                  {"p", text_or_null(r.columns.p)},    {"effect", text_or_null(r.columns.effect)},
                  {"rob", text_or_null(r.columns.rob)}};
  j["level"] = r.level;
  j["conventions"] = r.conventions;
  json domains = json::array();
  for (const auto& d : r.domains) {
    json o = json::object();
    o["domain"] = d.domain;
    o["k"] = d.studies.size();
    o["counts"] = {{"benefit", d.counts.benefit},
                   {"harm", d.counts.harm},
                   {"no_clear_effect", d.counts.no_clear_effect},
                   {"mixed", d.counts.mixed}};
    o["vote_count"] = {{"benefit", d.vote.x},
                       {"clear", d.vote.n},
                       {"proportion", number(d.vote.proportion)},
                       {"ci_lower", number(d.vote.ci_lower)},
                       {"ci_upper", number(d.vote.ci_upper)},
                       {"ci_method", "Clopper-Pearson"},
                       {"sign_test_p", number(d.vote.p_value)},
                       {"sign_test_sides", "two-sided"}};
    o["effects"] = {{"n", d.effects.n},
                    {"median", number(d.effects.median)},
                    {"q1", number(d.effects.q1)},
                    {"q3", number(d.effects.q3)},
                    {"iqr", number(d.effects.iqr)},
                    {"min", number(d.effects.min)},
                    {"max", number(d.effects.max)},
                    {"quantile_type", 7}};
    const auto fisher = [](const combined_p& f, std::string_view input, std::string_view alternative) {
      return json{{"k", f.k},
                  {"chi2", number(f.statistic)},
                  {"df", number(f.df)},
                  {"p", number(f.p_value)},
                  {"input_p", std::string(input)},
                  {"alternative", std::string(alternative)}};
    };
    const auto stouffer = [](const combined_p& s, std::string_view weights) {
      return json{{"k", s.k},
                  {"z", number(s.statistic)},
                  {"p", number(s.p_value)},
                  {"weights", std::string(weights)},
                  {"input_p", std::string(one_sided_input)},
                  {"alternative", std::string(stouffer_alternative)}};
    };
    o["fisher"] = fisher(d.fisher, one_sided_input, fisher_alternative);
    o["fisher_two_sided"] = fisher(d.fisher_two_sided, two_sided_input, fisher_two_sided_alternative);
    o["stouffer"] = stouffer(d.stouffer, "1");
    o["stouffer_weighted"] = stouffer(d.stouffer_weighted, "sqrt(n)");
    json studies = json::array();
    for (const auto& s : d.studies) {
      studies.push_back({{"study", s.study},
                         {"line", s.where.line},
                         {"direction", std::string(to_string(s.dir))},
                         {"symbol", std::string(symbol(s.dir))},
                         {"n", optional_number(s.n)},
                         {"p", optional_number(s.p)},
                         {"p_one_sided", number(one_sided_p(s))},
                         {"effect", optional_number(s.effect)},
                         {"rob", text_or_null(s.rob)}});
    }
    o["studies"] = std::move(studies);
    o["warnings"] = d.notes.items;
    domains.push_back(std::move(o));
  }
  j["domains"] = std::move(domains);
  return j.dump(2) + '\n';
}

std::string format_csv(const swim_result& r) {
  std::string out =
      "domain,k,benefit,harm,no_clear_effect,mixed,vote_clear,proportion_benefit,ci_lower,ci_upper,"
      "sign_test_p_two_sided,effects_n,median,q1,q3,iqr,min,max,"
      "fisher_one_sided_k,fisher_one_sided_chi2,fisher_one_sided_df,fisher_one_sided_p,"
      "fisher_two_sided_k,fisher_two_sided_chi2,fisher_two_sided_df,fisher_two_sided_p,"
      "stouffer_one_sided_k,stouffer_one_sided_z,stouffer_one_sided_p,"
      "stouffer_sqrt_n_one_sided_k,stouffer_sqrt_n_one_sided_z,stouffer_sqrt_n_one_sided_p,level\n";
  const auto num = [&](double x) {
    out += ',';
    append_shortest(out, x, number_target::csv);
  };
  const auto count = [&](std::size_t k) {
    out += ',';
    append_uint(out, k);
  };
  for (const auto& d : r.domains) {
    io::append_csv_text(out, d.domain);
    count(d.studies.size());
    count(d.counts.benefit);
    count(d.counts.harm);
    count(d.counts.no_clear_effect);
    count(d.counts.mixed);
    count(d.vote.n);
    num(d.vote.proportion);
    num(d.vote.ci_lower);
    num(d.vote.ci_upper);
    num(d.vote.p_value);
    count(d.effects.n);
    for (const double x : {d.effects.median, d.effects.q1, d.effects.q3, d.effects.iqr, d.effects.min, d.effects.max}) {
      num(x);
    }
    for (const combined_p* f : {&d.fisher, &d.fisher_two_sided}) {
      count(f->k);
      num(f->statistic);
      num(f->df);
      num(f->p_value);
    }
    for (const combined_p* s : {&d.stouffer, &d.stouffer_weighted}) {
      count(s->k);
      num(s->statistic);
      num(s->p_value);
    }
    num(r.level);
    out += '\n';
  }
  return out;
}

}  // namespace metasift::synthesis
