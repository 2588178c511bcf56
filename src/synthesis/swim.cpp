#include "metasift/synthesis/swim.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "metasift/core/check.hpp"
#include "metasift/core/text.hpp"
#include "metasift/math/distributions.hpp"

namespace metasift::synthesis {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The effect-direction plot's symbols (Boon and Thomson 2021), in UTF-8.
constexpr std::string_view up_triangle = "\xE2\x96\xB2";             // U+25B2 ▲
constexpr std::string_view down_triangle = "\xE2\x96\xBC";           // U+25BC ▼
constexpr std::string_view left_right = "\xE2\x97\x84\xE2\x96\xBA";  // U+25C4 U+25BA ◄►

}  // namespace

std::string_view to_string(direction d) noexcept {
  switch (d) {
    case direction::benefit: return "benefit";
    case direction::harm: return "harm";
    case direction::no_clear_effect: return "no-clear-effect";
    case direction::mixed: return "mixed";
  }
  return "?";
}

std::string_view symbol(direction d) noexcept {
  switch (d) {
    case direction::benefit: return up_triangle;
    case direction::harm: return down_triangle;
    case direction::no_clear_effect: return left_right;
    case direction::mixed: return "mixed";
  }
  return "?";
}

std::optional<direction> parse_direction(std::string_view text) {
  const std::string_view t = text::trim(text);
  if (t == up_triangle) return direction::benefit;
  if (t == down_triangle) return direction::harm;
  if (t == left_right) return direction::no_clear_effect;
  std::string key = text::ascii_lower(t);
  std::replace(key.begin(), key.end(), '_', '-');
  std::replace(key.begin(), key.end(), ' ', '-');
  if (key == "benefit") return direction::benefit;
  if (key == "harm") return direction::harm;
  if (key == "no-clear-effect") return direction::no_clear_effect;
  if (key == "mixed") return direction::mixed;
  return std::nullopt;
}

// --- Single statistics --------------------------------------------------------------------------

binomial_test sign_test(std::size_t x, std::size_t n, double level) {
  binomial_test r;
  r.x = x;
  r.n = n;
  if (n == 0 || x > n || !(level > 0 && level < 1)) {
    r.proportion = r.ci_lower = r.ci_upper = r.p_value = nan;
    return r;
  }
  const auto xd = static_cast<double>(x);
  const auto nd = static_cast<double>(n);
  r.proportion = xd / nd;
  const double alpha = (1.0 - level) / 2.0;
  // R: p.L <- if (x == 0) 0 else qbeta(alpha, x, n - x + 1);
  //    p.U <- if (x == n) 1 else qbeta(1 - alpha, x + 1, n - x). The upper bound is the upper
  // quantile at alpha, which is qbeta(1 - alpha, ...) without forming 1 - alpha.
  r.ci_lower = x == 0 ? 0.0 : math::beta_quantile(alpha, xd, nd - xd + 1.0);
  r.ci_upper = x == n ? 1.0 : math::beta_upper_quantile(alpha, xd + 1.0, nd - xd);
  // Bin(n, 1/2) is symmetric, so R's rule (the sum of the outcomes no more likely than x) is twice
  // the smaller tail, and 1 when x is the centre.
  if (2 * x == n) {
    r.p_value = 1.0;
  } else {
    const double lower = math::binomial_cdf(xd, nd, 0.5);          // P(X <= x)
    const double upper = math::binomial_upper(xd - 1.0, nd, 0.5);  // P(X >= x)
    r.p_value = std::min(1.0, 2.0 * std::min(lower, upper));
  }
  return r;
}

double quantile_type7(std::span<const double> sorted, double prob) {
  const std::size_t n = sorted.size();
  if (n == 0 || !(prob >= 0 && prob <= 1)) return nan;
  // R: index <- 1 + (n - 1) * probs; lo <- floor(index); hi <- ceiling(index);
  //    qs <- x[lo]; h <- index - lo; qs <- (1 - h) * qs + h * x[hi] where index > lo and x[hi] != qs.
  const double index = static_cast<double>(n - 1) * prob;  // 0-based
  const double lo_d = std::floor(index);
  const auto lo = static_cast<std::size_t>(lo_d);
  const std::size_t hi = std::min(n - 1, static_cast<std::size_t>(std::ceil(index)));
  const double qs = sorted[lo];
  if (index > lo_d && sorted[hi] != qs) {
    const double h = index - lo_d;
    return (1.0 - h) * qs + h * sorted[hi];
  }
  return qs;
}

effect_summary summarize_effects(std::vector<double> values) {
  effect_summary s;
  s.n = values.size();
  if (values.empty()) {
    s.median = s.q1 = s.q3 = s.iqr = s.min = s.max = nan;
    return s;
  }
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  // R's median(): mean(sort(x)[half + 0:1]) for even n, i.e. (a + b) / 2.
  s.median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
  s.q1 = quantile_type7(values, 0.25);
  s.q3 = quantile_type7(values, 0.75);
  s.iqr = s.q3 - s.q1;
  s.min = values.front();
  s.max = values.back();
  return s;
}

namespace {

/// Fisher's statistic from log p_i.
combined_p fisher_from_logs(std::span<const double> log_p) {
  combined_p r;
  r.k = log_p.size();
  if (log_p.empty()) {
    r.statistic = r.df = r.p_value = nan;
    return r;
  }
  double sum = 0;
  for (const double x : log_p) sum += x;
  r.statistic = -2.0 * sum;
  r.df = 2.0 * static_cast<double>(log_p.size());
  r.p_value = math::chisq_upper(r.statistic, r.df);
  return r;
}

}  // namespace

combined_p fisher_method(std::span<const double> p) {
  std::vector<double> logs(p.size());
  std::transform(p.begin(), p.end(), logs.begin(), [](double x) { return std::log(x); });
  return fisher_from_logs(logs);
}

combined_p stouffer_from_z(std::span<const double> z, std::span<const double> weights) {
  combined_p r;
  r.k = z.size();
  r.df = nan;
  if (z.empty() || (!weights.empty() && weights.size() != z.size())) {
    r.statistic = r.p_value = nan;
    return r;
  }
  double num = 0, den = 0;
  for (std::size_t i = 0; i < z.size(); ++i) {
    const double w = weights.empty() ? 1.0 : weights[i];
    num += w * z[i];
    den += w * w;
  }
  r.statistic = num / std::sqrt(den);
  // 1 - Phi(Z) = Phi(-Z): the upper tail without cancellation.
  r.p_value = math::normal_cdf(-r.statistic);
  return r;
}

combined_p stouffer_method(std::span<const double> p, std::span<const double> weights) {
  if (!weights.empty() && weights.size() != p.size()) return stouffer_from_z({});
  // metap::sumz keeps 0 < p < 1: a p of 1 (z = -infinity) is left out with its weight.
  std::vector<double> z, w;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (!(p[i] < 1.0)) continue;
    z.push_back(math::normal_upper_quantile(p[i]));
    if (!weights.empty()) w.push_back(weights[i]);
  }
  return stouffer_from_z(z, w);
}

// --- Reading the table --------------------------------------------------------------------------

swim_data read_swim_table(const io::table& t, const swim_columns& cols) {
  std::string present;
  for (const auto& name : t.names) present += (present.empty() ? "" : ", ") + name;
  const auto require = [&](const std::string& name, std::string_view role) {
    const auto c = t.find(name);
    if (!c) {
      fail_input(source_position{t.file, 1, 0}, "",
                 "missing column '" + name + "', " + std::string(role) + " (columns present: " + present + ")");
    }
    return *c;
  };
  const std::size_t c_study = require(cols.study, "the study label of each row");
  const std::size_t c_domain = require(cols.domain, "the outcome domain of each row");
  const std::size_t c_dir = require(cols.direction, "the effect direction of each row");
  const auto optional_column = [&](const std::string& name) { return name.empty() ? std::nullopt : t.find(name); };
  const auto c_n = optional_column(cols.n);
  const auto c_p = optional_column(cols.p);
  const auto c_effect = optional_column(cols.effect);
  const auto c_rob = optional_column(cols.rob);

  swim_data data;
  data.file = t.file;
  data.columns.study = t.names[c_study];
  data.columns.domain = t.names[c_domain];
  data.columns.direction = t.names[c_dir];
  const auto name_of = [&](const std::optional<std::size_t>& c) { return c ? t.names[*c] : std::string(); };
  data.columns.n = name_of(c_n);
  data.columns.p = name_of(c_p);
  data.columns.effect = name_of(c_effect);
  data.columns.rob = name_of(c_rob);
  auto& out = data.studies;
  out.reserve(t.rows.size());
  // (domain, study) -> line of its first row: a second row would count the study twice.
  std::map<std::pair<std::string, std::string>, std::size_t> seen;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    swim_study s;
    s.where = source_position{t.file, t.row_line[r], 0};
    const auto text_cell = [&](std::size_t c) { return std::string(text::trim(t.rows[r][c])); };
    s.study = text_cell(c_study);
    if (s.study.empty()) fail_input(t.position(r, c_study), t.column_label(c_study), "empty study label");
    s.domain = text_cell(c_domain);
    if (s.domain.empty()) fail_input(t.position(r, c_domain), t.column_label(c_domain), "empty outcome domain");
    const auto d = parse_direction(t.rows[r][c_dir]);
    if (!d) {
      fail_input(t.position(r, c_dir), t.column_label(c_dir),
                 "unknown direction '" + std::string(text::trim(t.rows[r][c_dir])) +
                     "' (expected benefit, harm, no-clear-effect or mixed, or the symbols \xE2\x96\xB2 "
                     "\xE2\x96\xBC \xE2\x97\x84\xE2\x96\xBA)");
    }
    s.dir = *d;
    if (c_n) {
      s.n = t.optional_number(r, *c_n);
      if (s.n) {
        check_integer(t.position(r, *c_n), t.column_label(*c_n), *s.n);
        if (*s.n < 1)
          fail_input(t.position(r, *c_n), t.column_label(*c_n),
                     "a study size must be at least 1, got " + format_value(*s.n));
      }
    }
    if (c_p) {
      s.p = t.optional_number(r, *c_p);
      if (s.p && !(*s.p > 0 && *s.p <= 1)) {
        fail_input(t.position(r, *c_p), t.column_label(*c_p),
                   "a two-sided p-value must lie in (0, 1], got " + format_value(*s.p));
      }
    }
    if (c_effect) s.effect = t.optional_number(r, *c_effect);
    if (c_rob) s.rob = text_cell(*c_rob);
    const auto [it, fresh] = seen.emplace(std::make_pair(s.domain, s.study), s.where.line);
    if (!fresh) {
      fail_input(t.position(r, c_study), t.column_label(c_study),
                 "study '" + s.study + "' has a second row for outcome domain '" + s.domain +
                     "' (the first is on line " + std::to_string(it->second) +
                     "); code one direction per study and domain, mixed when its outcomes differ");
    }
    out.push_back(std::move(s));
  }
  return data;
}

// --- The synthesis ------------------------------------------------------------------------------

namespace {

std::string percent(double level) {
  return format_value(level * 100.0) + "%";
}

std::vector<std::string> conventions_of(double level) {
  return {
      "direction: benefit and harm are the direction of each study's estimate, whatever its statistical "
      "significance; no-clear-effect and mixed studies are counted but cast no vote (Cochrane Handbook 12.2.2.3)",
      "vote count: proportion of benefit = benefit / (benefit + harm), with the exact Clopper-Pearson " +
          percent(level) + " CI (R binom.test)",
      "sign test: two-sided exact binomial test of a proportion of benefit of 1/2 among the studies with a clear "
      "direction (R binom.test(x, n, 0.5)$p.value)",
      "effects: the effect column summarised as given (one scale across studies is assumed); quartiles of type 7 "
      "(R quantile() default), IQR = Q3 - Q1 (R IQR()), median as R median()",
      "p-values: the p column is read as two-sided; the directional methods use the one-sided p in the direction of "
      "benefit, p/2 for benefit and 1 - p/2 for harm, and leave out no-clear-effect and mixed studies",
      "Fisher (one-sided): chi2 = -2 sum log p_i on 2k df from the one-sided p (metap::sumlog); the combined p is "
      "one-sided, H1: benefit in at least one study",
      "Stouffer (one-sided): Z = sum w_i z_i / sqrt(sum w_i^2) with z_i = qnorm(1 - p_i) from the one-sided p, "
      "combined p = 1 - pnorm(Z), H1: benefit (metap::sumz); unweighted w_i = 1, weighted w_i = sqrt(n_i) "
      "passed to sumz as its weights",
      "Fisher (two-sided): chi2 = -2 sum log p_i on 2k df from the two-sided p as given, every study with a p, "
      "H1: an effect in either direction in at least one study (non-directional)",
  };
}

std::string plural(std::size_t k, std::string_view one, std::string_view many) {
  return std::to_string(k) + " " + std::string(k == 1 ? one : many);
}

domain_result synthesize_domain(std::string domain, std::vector<swim_study> studies, double level) {
  domain_result d;
  d.domain = std::move(domain);
  d.studies = std::move(studies);
  std::vector<double> effects, log_one, z_one, w_one, p_two;
  std::size_t without_n = 0, without_p_clear = 0;
  for (const auto& s : d.studies) {
    switch (s.dir) {
      case direction::benefit: ++d.counts.benefit; break;
      case direction::harm: ++d.counts.harm; break;
      case direction::no_clear_effect: ++d.counts.no_clear_effect; break;
      case direction::mixed: ++d.counts.mixed; break;
    }
    if (s.effect) effects.push_back(*s.effect);
    if (s.p) p_two.push_back(*s.p);
    const bool clear = s.dir == direction::benefit || s.dir == direction::harm;
    if (!clear) continue;
    if (!s.p) {
      ++without_p_clear;
      continue;
    }
    // One-sided p toward benefit: p/2 for benefit, 1 - p/2 for harm. The z of a harm is computed
    // as -qnorm(p/2, upper) so that it stays finite when 1 - p/2 rounds to 1.
    // Likewise log(1 - p/2) is log1p(-p/2), equal to R's log(1 - p/2) to rounding.
    const double half = *s.p / 2.0;
    const double z_half = math::normal_upper_quantile(half);
    if (s.dir == direction::benefit) {
      log_one.push_back(std::log(half));
      z_one.push_back(z_half);
    } else {
      log_one.push_back(std::log1p(-half));
      z_one.push_back(-z_half);
    }
    if (s.n) {
      w_one.push_back(std::sqrt(*s.n));
    } else {
      ++without_n;
    }
  }
  d.vote = sign_test(d.counts.benefit, d.counts.benefit + d.counts.harm, level);
  d.effects = summarize_effects(std::move(effects));

  // Fisher on the one-sided p of the directional studies, from their logs (see above).
  d.fisher = fisher_from_logs(log_one);
  d.stouffer = stouffer_from_z(z_one);
  if (without_n == 0) {
    d.stouffer_weighted = stouffer_from_z(z_one, w_one);
  } else {
    d.stouffer_weighted = stouffer_from_z({});
    d.stouffer_weighted.k = z_one.size();
    d.notes.add("weighted Stouffer not computed: " + plural(without_n, "study", "studies") + " of " +
                std::to_string(z_one.size()) + " with a direction and a p-value " + (without_n == 1 ? "has" : "have") +
                " no study size");
  }
  d.fisher_two_sided = fisher_method(p_two);

  const std::size_t clear = d.counts.benefit + d.counts.harm;
  if (clear == 0) d.notes.add("no study with a clear direction (benefit or harm): the vote count is not available");
  if (d.effects.n == 0) d.notes.add("no study reports an effect: the summary statistics are not available");
  if (p_two.empty()) {
    d.notes.add("no study reports a p-value: the combined p-values are not available");
  } else if (log_one.empty()) {
    d.notes.add("no study with a clear direction reports a p-value: the one-sided combinations are not available");
  } else if (without_p_clear > 0) {
    d.notes.add(plural(without_p_clear, "study", "studies") + " with a clear direction " +
                (without_p_clear == 1 ? "has" : "have") + " no p-value and " + (without_p_clear == 1 ? "is" : "are") +
                " left out of the one-sided combinations");
  }
  return d;
}

}  // namespace

swim_result synthesize(const swim_data& data, const swim_options& opt) {
  if (!(opt.level > 0 && opt.level < 1)) {
    throw usage_error("synthesis level must lie strictly between 0 and 1, got " + format_value(opt.level));
  }
  swim_result r;
  r.file = data.file;
  r.columns = data.columns;
  r.level = opt.level;
  r.conventions = conventions_of(opt.level);
  std::vector<std::string> order;
  std::map<std::string, std::vector<swim_study>> groups;
  for (const auto& s : data.studies) {
    auto [it, fresh] = groups.try_emplace(s.domain);
    if (fresh) order.push_back(s.domain);
    it->second.push_back(s);
  }
  r.domains.reserve(order.size());
  for (auto& name : order) r.domains.push_back(synthesize_domain(name, std::move(groups[name]), opt.level));
  return r;
}

}  // namespace metasift::synthesis
