#pragma once
// Effect measures, their input columns and their display scale.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace metasift::effects {

enum class measure {
  MD,    ///< raw mean difference
  SMD,   ///< standardised mean difference (Hedges' g by default)
  ROM,   ///< log ratio of means
  OR,    ///< log odds ratio
  RR,    ///< log risk ratio
  RD,    ///< risk difference
  PETO,  ///< log odds ratio, Peto's one-step estimate per study
  COR,   ///< raw correlation
  ZCOR,  ///< Fisher's r-to-z
  PR,    ///< raw proportion
  PLO,   ///< logit proportion
  PAS,   ///< arcsine square-root proportion
  PFT,   ///< Freeman-Tukey double arcsine proportion
  IRR,   ///< log incidence rate ratio
  IRD,   ///< incidence rate difference
  SMCC,  ///< standardised mean change, change-score standardisation (one group, two times)
  SMCR,  ///< standardised mean change, raw-score (time-1 SD) standardisation
  MN,    ///< raw mean of one group
  CVR,   ///< log coefficient-of-variation ratio of two groups
  VR,    ///< log variability (SD) ratio of two groups
  GEN,   ///< generic: yi with vi, sei or a CI given by the user
};

/// "MD", "SMD", ... (the metafor escalc names).
[[nodiscard]] std::string_view to_string(measure m) noexcept;
/// Case-insensitive inverse of to_string; nullopt when unknown.
[[nodiscard]] std::optional<measure> parse_measure(std::string_view name) noexcept;
/// All measures, in declaration order.
[[nodiscard]] std::span<const measure> all_measures() noexcept;

/// Canonical input column names, in the order the README lists them (e.g. MD: n1 mean1 sd1 n2 mean2 sd2).
/// GEN returns {"yi"}; its variance columns are alternatives resolved by the caller (vi | sei | ci_lower+ci_upper).
[[nodiscard]] std::vector<std::string> required_columns(measure m);

/// How estimates on the analysis scale are shown to people.
enum class display_scale {
  identity,     ///< MD, SMD, RD, COR, PR, IRD, SMCC, SMCR, MN, GEN
  exp,          ///< OR, RR, PETO, ROM, IRR, CVR, VR: log scale in the analysis, ratio on display
  tanh,         ///< ZCOR -> r
  inv_logit,    ///< PLO -> proportion
  inv_arcsine,  ///< PAS: sin(x)^2
  inv_ft,       ///< PFT: Miller (1978) inverse with the harmonic mean n
};

[[nodiscard]] display_scale display_scale_of(measure m) noexcept;

/// Back-transform one value from the analysis scale (as metafor's transf.* functions): exp,
/// transf.ztor (tanh), transf.ilogit, transf.iarcsin (sin(x)^2, clamped to [0, 1]) and, for PFT,
/// transf.ipft.hm (Miller 1978 inverse at the harmonic mean n, 0 / 1 beyond the transforms of p = 0 / 1).
/// harmonic_n is used only by PFT (see harmonic_mean in compute.hpp); pass 0 otherwise. NaN maps to NaN;
/// otherwise, for PFT, a harmonic_n that is not positive and finite throws std::invalid_argument.
[[nodiscard]] double back_transform(measure m, double x, double harmonic_n = 0.0);

/// Column header for the effect in tables and plots: "Mean diff.", "Hedges's g", "Odds ratio", ...
[[nodiscard]] std::string_view display_name(measure m) noexcept;

}  // namespace metasift::effects
