#pragma once
// Thin wrappers over Boost.Math for the few distribution functions metasift needs. Upper tails go
// through boost::math::complement so that p-values such as 1e-142 keep their digits; nothing here
// computes 1 - cdf. Arguments outside a distribution's support (NaN, df <= 0, p outside [0, 1])
// give NaN rather than an exception; overflow and underflow return the limit (0 or infinity).

namespace metasift::math {

/// Standard normal lower tail, Phi(x).
[[nodiscard]] double normal_cdf(double x);
/// Two-sided p-value 2 * (1 - Phi(|z|)), via the complement.
[[nodiscard]] double normal_two_sided_p(double z);
/// Standard normal quantile Phi^{-1}(p).
[[nodiscard]] double normal_quantile(double p);
/// Critical value for a two-sided interval of coverage `level` (0.95 -> 1.959964...).
[[nodiscard]] double normal_critical(double level);

/// Student t two-sided p-value with `df` degrees of freedom.
[[nodiscard]] double t_two_sided_p(double t, double df);
/// Student t critical value for a two-sided interval of coverage `level`.
[[nodiscard]] double t_critical(double level, double df);
/// Student t upper quantile: the t with P(T > t) = p (R's qt(p, df, lower.tail = FALSE)); computed
/// from p itself, so tiny p keep their precision.
[[nodiscard]] double t_upper_quantile(double p, double df);
/// Standard normal upper quantile: the z with P(Z > z) = p (R's qnorm(p, lower.tail = FALSE)).
[[nodiscard]] double normal_upper_quantile(double p);

/// Upper tail P(X > q) of chi^2 with df degrees of freedom (q <= 0 gives 1).
[[nodiscard]] double chisq_upper(double q, double df);
/// chi^2 quantile at lower-tail probability p.
[[nodiscard]] double chisq_quantile(double p, double df);

/// Upper tail P(X > f) of F(df1, df2) (f <= 0 gives 1).
[[nodiscard]] double f_upper(double f, double df1, double df2);

}  // namespace metasift::math
