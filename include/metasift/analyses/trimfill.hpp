#pragma once
// Trim-and-fill (Duval & Tweedie 2000a, 2000b) as metafor 3.8's trimfill.rma.uni: estimators L0
// and R0, the side of the missing studies estimated or given, the filled studies and the model
// refitted with them. Plain result structs (inline helpers only) for report/ and plot/.

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/core/enum_names.hpp"
#include "metasift/core/status.hpp"
#include "metasift/models/result.hpp"
#include "metasift/models/spec.hpp"

namespace metasift::analyses {

enum class trimfill_estimator { L0, R0 };
/// Side of the funnel plot on which studies are missing (and get filled).
enum class trimfill_side { automatic, left, right };

[[nodiscard]] inline std::string_view to_string(trimfill_estimator e) noexcept {
  return e == trimfill_estimator::R0 ? "R0" : "L0";
}
[[nodiscard]] inline std::string_view to_string(trimfill_side s) noexcept {
  switch (s) {
    case trimfill_side::automatic: return "auto";
    case trimfill_side::left: return "left";
    case trimfill_side::right: return "right";
  }
  return "?";
}
/// "L0" or "R0", in any case.
[[nodiscard]] inline std::optional<trimfill_estimator> parse_trimfill_estimator(std::string_view s) noexcept {
  return parse_enum(s, std::array<enum_name<trimfill_estimator>, 2>{
                           {{trimfill_estimator::L0, "L0"}, {trimfill_estimator::R0, "R0"}}});
}
/// "auto", "left" or "right", in any case.
[[nodiscard]] inline std::optional<trimfill_side> parse_trimfill_side(std::string_view s) noexcept {
  return parse_enum(
      s, std::array<enum_name<trimfill_side>, 3>{
             {{trimfill_side::automatic, "auto"}, {trimfill_side::left, "left"}, {trimfill_side::right, "right"}}});
}

struct trimfill_options {
  trimfill_estimator estimator = trimfill_estimator::L0;
  trimfill_side side = trimfill_side::automatic;
  int max_iterations = 100;  ///< metafor's maxiter
};

/// One imputed study: the mirror image 2 * beta_trimmed - y of an observed study, with its variance.
struct filled_study {
  std::string label;  ///< "Filled 1", "Filled 2", ... (metafor's labels)
  double yi = models::not_available;
  double vi = models::not_available;
  std::size_t mirror_of = 0;  ///< index (into the input) of the observed study it mirrors
  std::string mirror_label;
};

struct trimfill_result {
  models::model_spec spec;
  trimfill_options options;
  int k = 0;                                  ///< observed studies
  trimfill_side side = trimfill_side::left;   ///< the side used (left or right, never automatic)
  bool side_estimated = false;                ///< side came from the sign of the slope of y on sqrt(v)
  double side_slope = models::not_available;  ///< that slope (metafor: rma(yi, vi, mods = sqrt(vi)))
  int k0 = 0;                                 ///< number of filled studies
  double k0_se = models::not_available;       ///< metafor's se.k0 (from the last iteration's unrounded k0)
  double k0_p = models::not_available;        ///< R0 only: P(R0 >= k0) under no asymmetry (metafor p.k0)
  int iterations = 0;
  double trimmed_estimate = models::not_available;  ///< beta of the last trimmed fit (filling centre)
  std::vector<filled_study> filled;
  models::meta_result observed;  ///< the model on the observed studies
  models::meta_result adjusted;  ///< the model on observed + filled studies (studies: observed first)
  fit_status status = fit_status::ok;
  warnings notes;
};

/// Runs trim-and-fill. Preconditions (throw): as models::fit, plus a method that uses yi/vi (MH and
/// PETO throw usage_error) and labels.size() == y.size() or empty. k < 3 gives status degenerate
/// with k0 = 0 and a warning; non-convergence within max_iterations gives status not_converged
/// with the last iterate (metafor stops with an error).
[[nodiscard]] trimfill_result trim_and_fill(std::span<const double> y, std::span<const double> v,
                                            const std::vector<std::string>& labels, const models::model_spec& spec,
                                            const trimfill_options& opt = {});

}  // namespace metasift::analyses
