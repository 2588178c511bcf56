#include "metasift/effects/conversions.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "metasift/core/check.hpp"
#include "metasift/math/distributions.hpp"

// Sources are cited at each declaration in conversions.hpp. The escalc measures follow metafor
// 3.8.1's escalc() branch by branch (printed with `Rscript -e 'metafor:::escalc'`).

namespace metasift::effects {
namespace {

constexpr double k_pi = 3.14159265358979323846;

[[noreturn]] void bad(const std::string& function, const std::string& message) {
  throw std::invalid_argument(function + ": " + message);
}

void require(bool ok, const char* function, const std::string& message) {
  if (!ok) bad(function, message);
}

bool finite(double x) {
  return std::isfinite(x);
}

void require_direction(double direction, const char* function) {
  require(direction == 1.0 || direction == -1.0, function,
          "direction must be +1 or -1, got " + format_value(direction));
}

/// Phi^-1((n - 0.375)/(n + 0.25)): Blom's approximation to the expected maximum of n standard normals.
double blom_max(double n) {
  return math::normal_quantile((n - 0.375) / (n + 0.25));
}
/// Phi^-1((0.75 n - 0.125)/(n + 0.25)): the same for the expected third quartile.
double blom_q3(double n) {
  return math::normal_quantile((0.75 * n - 0.125) / (n + 0.25));
}

}  // namespace

double sd_from_se(double se, double n) {
  require(finite(se) && se >= 0, "sd_from_se", "se must be finite and >= 0, got " + format_value(se));
  require(finite(n) && n >= 1, "sd_from_se", "n must be >= 1, got " + format_value(n));
  return se * std::sqrt(n);
}

mean_sd mean_sd_from_ci(double lower, double upper, double n, double level) {
  require(finite(lower) && finite(upper) && lower <= upper, "mean_sd_from_ci",
          "needs finite bounds with lower <= upper, got " + format_value(lower) + " and " + format_value(upper));
  require(finite(n) && n >= 2, "mean_sd_from_ci", "n must be >= 2, got " + format_value(n));
  require(level > 0 && level < 1, "mean_sd_from_ci", "level must lie in (0, 1), got " + format_value(level));
  const double t = math::t_upper_quantile((1.0 - level) / 2.0, n - 1.0);
  return {(lower + upper) / 2.0, std::sqrt(n) * (upper - lower) / (2.0 * t)};
}

std::string_view to_string(five_number_sd s) noexcept {
  return s == five_number_sd::wan2014 ? "wan2014" : "shi2020";
}

std::optional<five_number_sd> parse_five_number_sd(std::string_view name) noexcept {
  std::string n(name);
  for (char& c : n) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (n == "shi2020" || n == "shi") return five_number_sd::shi2020;
  if (n == "wan2014" || n == "wan") return five_number_sd::wan2014;
  return std::nullopt;
}

std::string_view describe(quantile_set set) noexcept {
  switch (set) {
    case quantile_set::range: return "range";
    case quantile_set::iqr: return "IQR";
    case quantile_set::all_five: return "five-number summary";
  }
  return "";
}

void check_quantiles(quantile_set set, const five_number& q, double n) {
  require(finite(n) && n >= 3, "check_quantiles", "the quantile formulas need n >= 3, got " + format_value(n));
  struct named {
    const char* name;
    double value;
  };
  std::vector<named> used;
  if (set != quantile_set::iqr) used.push_back({"the minimum", q.min});
  if (set != quantile_set::range) used.push_back({"q1", q.q1});
  used.push_back({"the median", q.median});
  if (set != quantile_set::range) used.push_back({"q3", q.q3});
  if (set != quantile_set::iqr) used.push_back({"the maximum", q.max});
  for (const auto& u : used) {
    require(finite(u.value), "check_quantiles", std::string(u.name) + " must be finite, got " + format_value(u.value));
  }
  for (std::size_t i = 0; i + 1 < used.size(); ++i) {
    if (used[i].value > used[i + 1].value) {
      bad("check_quantiles", std::string(used[i].name) + " (" + format_value(used[i].value) + ") exceeds " +
                                 used[i + 1].name + " (" + format_value(used[i + 1].value) + ")");
    }
  }
}

double luo_mean(quantile_set set, const five_number& q, double n) {
  check_quantiles(set, q, n);
  switch (set) {
    case quantile_set::range: {
      const double w = 4.0 / (4.0 + std::pow(n, 0.75));
      return w * (q.min + q.max) / 2.0 + (1.0 - w) * q.median;
    }
    case quantile_set::iqr: {
      const double w = 0.7 + 0.39 / n;
      return w * (q.q1 + q.q3) / 2.0 + (1.0 - w) * q.median;
    }
    case quantile_set::all_five: {
      const double w1 = 2.2 / (2.2 + std::pow(n, 0.75));
      const double w2 = 0.7 - 0.72 / std::pow(n, 0.55);
      return w1 * (q.min + q.max) / 2.0 + w2 * (q.q1 + q.q3) / 2.0 + (1.0 - w1 - w2) * q.median;
    }
  }
  return 0.0;
}

double wan_sd(quantile_set set, const five_number& q, double n) {
  check_quantiles(set, q, n);
  const double xi = 2.0 * blom_max(n);
  const double eta = 2.0 * blom_q3(n);
  switch (set) {
    case quantile_set::range: return (q.max - q.min) / xi;
    case quantile_set::iqr: return (q.q3 - q.q1) / eta;
    case quantile_set::all_five: return (q.max - q.min) / (2.0 * xi) + (q.q3 - q.q1) / (2.0 * eta);
  }
  return 0.0;
}

double shi_sd(const five_number& q, double n) {
  check_quantiles(quantile_set::all_five, q, n);
  const double theta1 = (2.0 + 0.14 * std::pow(n, 0.6)) * blom_max(n);
  const double theta2 = (2.0 + 2.0 / (0.07 * std::pow(n, 0.6))) * blom_q3(n);
  return (q.max - q.min) / theta1 + (q.q3 - q.q1) / theta2;
}

mean_sd mean_sd_from_quantiles(quantile_set set, const five_number& q, double n, five_number_sd s3) {
  const double mean = luo_mean(set, q, n);
  const double sd = set == quantile_set::all_five && s3 == five_number_sd::shi2020 ? shi_sd(q, n) : wan_sd(set, q, n);
  return {mean, sd};
}

double d_from_t(double t, double n1, double n2) {
  require(finite(t), "d_from_t", "t must be finite, got " + format_value(t));
  require(n1 > 0 && n2 > 0 && finite(n1) && finite(n2), "d_from_t", "group sizes must be positive");
  return t * std::sqrt(1.0 / n1 + 1.0 / n2);
}

double t_from_f(double f, double direction) {
  require(finite(f) && f >= 0, "t_from_f", "F must be finite and >= 0, got " + format_value(f));
  require_direction(direction, "t_from_f");
  return direction * std::sqrt(f);
}

double t_from_p(double p, double n1, double n2, double direction) {
  require(p > 0 && p <= 1, "t_from_p", "p must lie in (0, 1], got " + format_value(p));
  require(finite(n1) && finite(n2) && n1 + n2 > 2, "t_from_p", "needs n1 + n2 > 2");
  require_direction(direction, "t_from_p");
  return direction * math::t_upper_quantile(p / 2.0, n1 + n2 - 2.0);
}

double hedges_j(double m) {
  require(m > 1 && !std::isnan(m), "hedges_j", "needs m > 1, got " + format_value(m));
  return std::exp(std::lgamma(m / 2.0) - std::log(std::sqrt(m / 2.0)) - std::lgamma((m - 1.0) / 2.0));
}

estimate smd_from_d(double d, double n1, double n2, smd_correction correction) {
  require(finite(d), "smd_from_d", "d must be finite, got " + format_value(d));
  require(n1 > 0 && n2 > 0 && finite(n1) && finite(n2), "smd_from_d", "group sizes must be positive");
  const double m = n1 + n2 - 2.0;
  double j = 1.0;
  switch (correction) {
    case smd_correction::hedges_exact: j = hedges_j(m); break;
    case smd_correction::hedges_approx:
      require(m > 1, "smd_from_d", "Hedges' correction needs n1 + n2 > 3");
      j = 1.0 - 3.0 / (4.0 * m - 1.0);
      break;
    case smd_correction::none: require(m > 0, "smd_from_d", "needs n1 + n2 > 2"); break;
  }
  const double g = j * d;
  return {g, 1.0 / n1 + 1.0 / n2 + g * g / (2.0 * (n1 + n2))};
}

estimate smd_from_log_or(double log_or, double v_log_or) {
  require(finite(log_or) && finite(v_log_or) && v_log_or >= 0, "smd_from_log_or",
          "needs a finite estimate and variance >= 0");
  return {log_or * std::sqrt(3.0) / k_pi, v_log_or * 3.0 / (k_pi * k_pi)};
}

estimate log_or_from_smd(double d, double v_d) {
  require(finite(d) && finite(v_d) && v_d >= 0, "log_or_from_smd", "needs a finite estimate and variance >= 0");
  return {d * k_pi / std::sqrt(3.0), v_d * k_pi * k_pi / 3.0};
}

estimate d_from_r(double r, double v_r) {
  require(std::abs(r) < 1, "d_from_r", "needs |r| < 1, got " + format_value(r));
  require(finite(v_r) && v_r >= 0, "d_from_r", "needs a variance >= 0");
  const double one_minus = 1.0 - r * r;
  return {2.0 * r / std::sqrt(one_minus), 4.0 * v_r / (one_minus * one_minus * one_minus)};
}

estimate r_from_d(double d, double v_d, double n1, double n2) {
  require(finite(d) && finite(v_d) && v_d >= 0, "r_from_d", "needs a finite estimate and variance >= 0");
  require(n1 > 0 && n2 > 0 && finite(n1) && finite(n2), "r_from_d", "group sizes must be positive");
  const double a = (n1 + n2) * (n1 + n2) / (n1 * n2);
  const double s = d * d + a;
  return {d / std::sqrt(s), a * a * v_d / (s * s * s)};
}

double se_from_ci(double lower, double upper, double level) {
  require(finite(lower) && finite(upper) && lower <= upper, "se_from_ci", "needs finite bounds with lower <= upper");
  require(level > 0 && level < 1, "se_from_ci", "level must lie in (0, 1), got " + format_value(level));
  return (upper - lower) / (2.0 * math::normal_upper_quantile((1.0 - level) / 2.0));
}

double se_from_p(double estimate_value, double p) {
  require(finite(estimate_value), "se_from_p", "needs a finite estimate");
  require(p > 0 && p < 1, "se_from_p", "p must lie in (0, 1), got " + format_value(p));
  return std::abs(estimate_value) / math::normal_upper_quantile(p / 2.0);
}

estimate smcc(double m1, double m2, double sd1, double sd2, double n, double r) {
  require(finite(m1) && finite(m2), "smcc", "means must be finite");
  require(sd1 >= 0 && sd2 >= 0 && finite(sd1) && finite(sd2), "smcc", "SDs must be finite and >= 0");
  require(n > 2 && finite(n), "smcc", "needs n > 2, got " + format_value(n));
  require(std::abs(r) <= 1, "smcc", "needs |r| <= 1, got " + format_value(r));
  const double sd_change = std::sqrt(sd1 * sd1 + sd2 * sd2 - 2.0 * r * sd1 * sd2);
  require(sd_change > 0, "smcc", "the SD of the change scores is 0");
  const double g = hedges_j(n - 1.0) * (m1 - m2) / sd_change;
  return {g, 1.0 / n + g * g / (2.0 * n)};
}

estimate smcr(double m1, double m2, double sd1, double n, double r) {
  require(finite(m1) && finite(m2), "smcr", "means must be finite");
  require(sd1 > 0 && finite(sd1), "smcr", "sd1 must be finite and > 0");
  require(n > 2 && finite(n), "smcr", "needs n > 2, got " + format_value(n));
  require(std::abs(r) <= 1, "smcr", "needs |r| <= 1, got " + format_value(r));
  const double g = hedges_j(n - 1.0) * (m1 - m2) / sd1;
  return {g, 2.0 * (1.0 - r) / n + g * g / (2.0 * n)};
}

estimate mn(double m, double sd, double n) {
  require(finite(m), "mn", "the mean must be finite");
  require(sd >= 0 && finite(sd), "mn", "sd must be finite and >= 0");
  require(n > 0 && finite(n), "mn", "n must be > 0");
  return {m, sd * sd / n};
}

estimate cvr(double m1, double m2, double sd1, double sd2, double n1, double n2) {
  require(m1 > 0 && m2 > 0 && finite(m1) && finite(m2), "cvr", "means must be finite and > 0");
  require(sd1 > 0 && sd2 > 0 && finite(sd1) && finite(sd2), "cvr", "SDs must be finite and > 0");
  require(n1 > 1 && n2 > 1 && finite(n1) && finite(n2), "cvr", "group sizes must be > 1");
  return {
      std::log(sd1 / m1) + 1.0 / (2.0 * (n1 - 1.0)) - std::log(sd2 / m2) - 1.0 / (2.0 * (n2 - 1.0)),
      1.0 / (2.0 * (n1 - 1.0)) + sd1 * sd1 / (n1 * m1 * m1) + 1.0 / (2.0 * (n2 - 1.0)) + sd2 * sd2 / (n2 * m2 * m2)};
}

estimate vr(double sd1, double sd2, double n1, double n2) {
  require(sd1 > 0 && sd2 > 0 && finite(sd1) && finite(sd2), "vr", "SDs must be finite and > 0");
  require(n1 > 1 && n2 > 1 && finite(n1) && finite(n2), "vr", "group sizes must be > 1");
  return {std::log(sd1 / sd2) + 1.0 / (2.0 * (n1 - 1.0)) - 1.0 / (2.0 * (n2 - 1.0)),
          1.0 / (2.0 * (n1 - 1.0)) + 1.0 / (2.0 * (n2 - 1.0))};
}

}  // namespace metasift::effects
