#pragma once
// Effect-size inputs beyond means and SDs: the conversions a reviewer needs when a paper reports
// medians and quartiles, standard errors, confidence intervals or test statistics instead of the
// numbers the pooling needs; conversions between effect-size families; and metafor's escalc
// measures for change scores (SMCC, SMCR) and variability (MN, CVR, VR).
//
// Every function is pure and reads one study (or one group). Preconditions are documented at each
// function and checked: a violated one throws std::invalid_argument (the pipeline checks the cells
// first and names the file position, so users never see these). Sources are cited per function.

#include <optional>
#include <string_view>

#include "metasift/effects/compute.hpp"

namespace metasift::effects {

/// An effect on its analysis scale with its sampling variance.
struct estimate {
  double yi = 0.0;
  double vi = 0.0;
};

/// A group's mean and standard deviation.
struct mean_sd {
  double mean = 0.0;
  double sd = 0.0;
};

// ---- Means and SDs of one group ----

/// SD from the standard error of a group mean: SD = SE * sqrt(n) (Cochrane Handbook 6.5.2.2).
/// Requires se >= 0 and n >= 1.
[[nodiscard]] double sd_from_se(double se, double n);

/// Mean and SD from a confidence interval for a group mean, as Cochrane Handbook 6.5.2.2 describes:
/// mean = (lower + upper)/2, SD = sqrt(n) (upper - lower) / (2 t), with t the (1 + level)/2 quantile
/// of Student's t on n - 1 df (the interval a t-test reports; the Handbook's 3.92 is its large-n limit).
/// Requires lower <= upper, n >= 2 and 0 < level < 1.
[[nodiscard]] mean_sd mean_sd_from_ci(double lower, double upper, double n, double level = 0.95);

/// The quantiles a paper reports for a group (NaN for those it does not report).
struct five_number {
  double min = 0.0;
  double q1 = 0.0;
  double median = 0.0;
  double q3 = 0.0;
  double max = 0.0;
};

/// Which of the quantile scenarios of Wan et al. (2014) a group's summary is.
enum class quantile_set {
  range,     ///< S1: minimum, median, maximum
  iqr,       ///< S2: first quartile, median, third quartile
  all_five,  ///< S3: minimum, quartiles, median, maximum
};

/// SD estimator for the five-number scenario S3 (S1 and S2 always use Wan et al. 2014).
enum class five_number_sd { shi2020, wan2014 };

/// "shi2020" or "wan2014": the setting's names (fivenum_method, --fivenum-method).
[[nodiscard]] std::string_view to_string(five_number_sd s) noexcept;

/// Reads "shi2020"/"shi" or "wan2014"/"wan" (any case); nullopt otherwise.
[[nodiscard]] std::optional<five_number_sd> parse_five_number_sd(std::string_view name) noexcept;

/// Sample mean from a median with its range or quartiles, Luo et al. (2018, Stat Methods Med Res
/// 27:1785-805), the estimators the Cochrane Handbook 6.5.2.5 recommends:
///   S1: w = 4/(4 + n^0.75),  mean = w (min + max)/2 + (1 - w) median
///   S2: w = 0.7 + 0.39/n,    mean = w (q1 + q3)/2 + (1 - w) median
///   S3: w1 = 2.2/(2.2 + n^0.75), w2 = 0.7 - 0.72/n^0.55,
///       mean = w1 (min + max)/2 + w2 (q1 + q3)/2 + (1 - w1 - w2) median
/// Requires n >= 3 and ordered quantiles (min <= q1 <= median <= q3 <= max, for those the set uses).
[[nodiscard]] double luo_mean(quantile_set set, const five_number& q, double n);

/// Sample SD from quantiles, Wan et al. (2014, BMC Med Res Methodol 14:135), as the Cochrane
/// Handbook 6.5.2.5 describes, with xi(n) = 2 Phi^-1((n - 0.375)/(n + 0.25)) (Blom's approximation
/// to the expected range of n standard normals) and eta(n) = 2 Phi^-1((0.75 n - 0.125)/(n + 0.25)):
///   S1 (Wan's scenario C1): SD = (max - min)/xi(n)
///   S2 (Wan's scenario C3): SD = (q3 - q1)/eta(n)
///   S3 (Wan's scenario C2): SD = (max - min)/(2 xi(n)) + (q3 - q1)/(2 eta(n))
/// Requires n >= 3 and ordered quantiles.
[[nodiscard]] double wan_sd(quantile_set set, const five_number& q, double n);

/// Sample SD from the five-number summary, Shi et al. (2020, Res Synth Methods 11:641-54), the
/// Handbook's choice for S3: SD = (max - min)/theta1(n) + (q3 - q1)/theta2(n), with
/// theta1(n) = (2 + 0.14 n^0.6) Phi^-1((n - 0.375)/(n + 0.25)) and
/// theta2(n) = (2 + 2/(0.07 n^0.6)) Phi^-1((0.75 n - 0.125)/(n + 0.25)) (their optimal weight
/// w = 1/(1 + 0.07 n^0.6) between Wan's range and IQR estimators). Requires n >= 3 and ordered quantiles.
[[nodiscard]] double shi_sd(const five_number& q, double n);

/// Mean (Luo et al. 2018) and SD (Wan et al. 2014 for S1 and S2; for S3 Shi et al. 2020 or, on
/// request, Wan et al. 2014) of a group from its median and range and/or quartiles.
[[nodiscard]] mean_sd mean_sd_from_quantiles(quantile_set set, const five_number& q, double n,
                                             five_number_sd s3 = five_number_sd::shi2020);

/// Throws std::invalid_argument unless the quantiles `set` uses are finite and ordered
/// (min <= q1 <= median <= q3 <= max) and n >= 3 (the smallest sample the quantile formulas
/// describe). The message names the two quantiles out of order, e.g. "q1 (5) exceeds the median (4)".
void check_quantiles(quantile_set set, const five_number& q, double n);

/// "range", "IQR", "five-number summary": for messages.
[[nodiscard]] std::string_view describe(quantile_set set) noexcept;

// ---- Standardised mean difference from test statistics (independent groups) ----

/// Cohen's d from an independent-groups t statistic: d = t sqrt(1/n1 + 1/n2) (metafor 3.8 escalc,
/// measure "SMD" with ti; Borenstein et al. 2009, Introduction to Meta-Analysis, eq. 4.19 rearranged).
/// Requires n1, n2 > 0.
[[nodiscard]] double d_from_t(double t, double n1, double n2);

/// The t statistic of a one-df F test (two groups): t = direction * sqrt(F), since F = t^2.
/// Requires F >= 0 and direction = +1 or -1 (the sign of mean1 - mean2, which F does not carry).
[[nodiscard]] double t_from_f(double f, double direction);

/// The t statistic from an exact two-sided p-value of an independent-groups t test:
/// t = direction * qt(p/2, n1 + n2 - 2, upper tail). Requires 0 < p <= 1, n1 + n2 > 2 and
/// direction = +1 or -1.
[[nodiscard]] double t_from_p(double p, double n1, double n2, double direction);

/// Hedges' g and its variance from Cohen's d, exactly as metafor's escalc("SMD") continues from d:
/// g = J(m) d with m = n1 + n2 - 2 (J exact, approximate or 1 per `correction`), and vtype "LS"
/// v = 1/n1 + 1/n2 + g^2/(2 (n1 + n2)). Requires n1, n2 > 0 and m > 1 (m > 0 without correction).
[[nodiscard]] estimate smd_from_d(double d, double n1, double n2,
                                  smd_correction correction = smd_correction::hedges_exact);

// ---- Between effect-size families ----

/// Log odds ratio to standardised mean difference, Hasselblad & Hedges (1995) and Chinn (2000,
/// Stat Med 19:3127-31): d = ln(OR) sqrt(3)/pi, v_d = v_lnOR 3/pi^2 (logistic distribution).
[[nodiscard]] estimate smd_from_log_or(double log_or, double v_log_or);

/// The inverse of smd_from_log_or: ln(OR) = d pi/sqrt(3), v_lnOR = v_d pi^2/3 (as metafor's D2ORL).
[[nodiscard]] estimate log_or_from_smd(double d, double v_d);

/// Correlation to d, Borenstein et al. (2009) eqs. 7.5-7.6: d = 2r/sqrt(1 - r^2),
/// v_d = 4 v_r/(1 - r^2)^3. Requires |r| < 1.
[[nodiscard]] estimate d_from_r(double r, double v_r);

/// d to a (point-biserial) correlation, Borenstein et al. (2009) eqs. 7.7-7.8: a = (n1 + n2)^2/(n1 n2),
/// r = d/sqrt(d^2 + a), v_r = a^2 v_d/(d^2 + a)^3. Requires n1, n2 > 0.
[[nodiscard]] estimate r_from_d(double d, double v_d, double n1, double n2);

/// Standard error of an estimate from its confidence interval, symmetric on the analysis scale
/// (give log bounds for ratios): SE = (upper - lower)/(2 z_{(1+level)/2}) (Cochrane Handbook 6.3.1).
/// Requires lower <= upper and 0 < level < 1.
[[nodiscard]] double se_from_ci(double lower, double upper, double level = 0.95);

/// Standard error of an estimate from its two-sided p-value of a z test: SE = |estimate|/z with
/// z = Phi^-1(1 - p/2) (Altman & Bland 2011, BMJ 343:d2090; Cochrane Handbook 6.3.2).
/// Requires 0 < p < 1.
[[nodiscard]] double se_from_p(double estimate_value, double p);

// ---- metafor 3.8 escalc measures for change scores and variability ----

/// "SMCC": standardised mean change with change-score standardisation. sd_d =
/// sqrt(sd1^2 + sd2^2 - 2 r sd1 sd2), d = (m1 - m2)/sd_d, g = J(n - 1) d, vi = 1/n + g^2/(2n)
/// (vtype "LS"; Gibbons et al. 1993). Requires sd1, sd2 >= 0, n > 2, |r| <= 1.
[[nodiscard]] estimate smcc(double m1, double m2, double sd1, double sd2, double n, double r);

/// "SMCR": standardised mean change with raw-score (pre-test SD) standardisation. d = (m1 - m2)/sd1,
/// g = J(n - 1) d, vi = 2 (1 - r)/n + g^2/(2n) (vtype "LS"; Becker 1988). Requires sd1 > 0, n > 2, |r| <= 1.
[[nodiscard]] estimate smcr(double m1, double m2, double sd1, double n, double r);

/// "MN": raw mean, yi = m, vi = sd^2/n. Requires sd >= 0, n > 0.
[[nodiscard]] estimate mn(double m, double sd, double n);

/// "CVR": log coefficient-of-variation ratio, Nakagawa et al. (2015):
/// yi = log(sd1/m1) + 1/(2 (n1 - 1)) - log(sd2/m2) - 1/(2 (n2 - 1)),
/// vi = 1/(2 (n1 - 1)) + sd1^2/(n1 m1^2) + 1/(2 (n2 - 1)) + sd2^2/(n2 m2^2).
/// Requires m1, m2, sd1, sd2 > 0 and n1, n2 > 1.
[[nodiscard]] estimate cvr(double m1, double m2, double sd1, double sd2, double n1, double n2);

/// "VR": log variability ratio, Nakagawa et al. (2015): yi = log(sd1/sd2) + 1/(2 (n1 - 1)) -
/// 1/(2 (n2 - 1)), vi = 1/(2 (n1 - 1)) + 1/(2 (n2 - 1)). Requires sd1, sd2 > 0 and n1, n2 > 1.
[[nodiscard]] estimate vr(double sd1, double sd2, double n1, double n2);

/// metafor's .cmicalc: J(m) = exp(lgamma(m/2) - log(sqrt(m/2)) - lgamma((m - 1)/2)), Hedges (1981)'s
/// exact small-sample correction. Requires m > 1.
[[nodiscard]] double hedges_j(double m);

}  // namespace metasift::effects
