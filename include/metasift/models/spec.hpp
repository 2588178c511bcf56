#pragma once
// What to fit: the pooling method, the tau^2 estimator, the inference method and the conventions
// that tools disagree on. Every field is explicit so that every output can print it.

#include <optional>
#include <string>
#include <string_view>

namespace metasift::models {

/// Pooling method. EE is the common-effect (inverse-variance) model; MH and PETO pool 2x2 counts;
/// the rest are random-effects models named by their tau^2 estimator (metafor's method names).
enum class method { EE, MH, PETO, DL, REML, ML, PM, HE, SJ, HS, EB };

/// Test and CI for the pooled estimate (metafor rma's `test`): Wald z ("z"); t with k - p df and
/// the model-based variance ("t"); Hartung-Knapp, t with k - p df and the variance scaled by the
/// weighted residual mean square s^2 ("knha"; Hartung & Knapp 2001); and the ad hoc variant that
/// never lets the scaling shrink the variance, max(1, s^2) ("adhoc"; Knapp & Hartung 2003, Roever
/// et al. 2015).
enum class ci_method { z, t, hk, adhoc };

/// Distribution of the prediction interval: normal, t with k - 1 df (metafor with test = "knha"),
/// or t with k - 2 df (Higgins, Thompson & Spiegelhalter 2009; Stata's meta summarize).
enum class pi_method { z, t_k1, t_k2 };

[[nodiscard]] std::string_view to_string(method m) noexcept;
[[nodiscard]] std::optional<method> parse_method(std::string_view name) noexcept;  ///< case-insensitive; "FE"/"CE" = EE
[[nodiscard]] std::string_view to_string(ci_method c) noexcept;
/// "z", "t", "hk" or "knha", "adhoc" (case-insensitive); nullopt otherwise.
[[nodiscard]] std::optional<ci_method> parse_ci_method(std::string_view name) noexcept;
/// The Hartung-Knapp scaling factor of the variance for a test: s^2 = RSS / (k - p) under knha
/// (0 when RSS is at rounding level, as metafor), max(1, s^2) under adhoc, 1 otherwise.
[[nodiscard]] double hk_scale(ci_method c, double rss, double residual_df) noexcept;
[[nodiscard]] std::string_view to_string(pi_method p) noexcept;
/// "z", "t_k1" or "t_k2" (also as to_string writes them, "t(k-1)", "t(k-2)"), in any case.
[[nodiscard]] std::optional<pi_method> parse_pi_method(std::string_view name) noexcept;
/// True when the pooled estimate is tested against a t distribution (every test but Wald z).
[[nodiscard]] constexpr bool uses_t(ci_method c) noexcept {
  return c != ci_method::z;
}
/// True for the random-effects methods (those that estimate tau^2).
[[nodiscard]] bool is_random_effects(method m) noexcept;

/// A confidence level as the user gave it, read as metafor and Stata read it: a value in (0, 1) is
/// a proportion (0.95), a value of 1 or more a percentage (95, as Stata's level(95)). A level
/// below 50% is almost always a slip (`level = 2` meaning 2% rather than 0.98 or 98%), so it is
/// refused, as are levels of 100% or more. On success `problem` is empty and `level` lies in
/// [0.5, 1); otherwise `problem` is a sentence naming the value, for the caller's message.
struct level_reading {
  double level = 0.0;
  std::string problem;
};
[[nodiscard]] level_reading read_confidence_level(double value);

struct model_spec {
  method est = method::REML;
  ci_method test = ci_method::z;
  pi_method pi = pi_method::z;
  double level = 0.95;
  /// Convergence of iterative tau^2 estimators: stop when |tau2_new - tau2_old| <= threshold.
  /// metafor uses 1e-5; ours is tighter so that our numbers are those of the exact optimum.
  double threshold = 1e-12;
  int max_iterations = 1000;
  bool tau2_ci = true;               ///< compute the Q-profile CI for tau^2 (and tau, I^2, H^2)
  std::optional<double> tau2_fixed;  ///< use this tau^2 instead of estimating it
};

}  // namespace metasift::models
