#pragma once
// Cumulative meta-analysis (Lau et al. 1992) as metafor 3.8's cumul.rma.uni: the studies are added
// one at a time in a given order and the model is refitted (tau^2 re-estimated) at every step.
// Plain result structs (inline helpers only) for report/ and plot/.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "metasift/core/status.hpp"
#include "metasift/models/result.hpp"
#include "metasift/models/spec.hpp"

namespace metasift::analyses {

/// The model fitted to the first k studies of the order.
struct cumulative_step {
  std::string label;      ///< the study added at this step
  std::size_t index = 0;  ///< its index in the input
  int k = 0;
  double estimate = models::not_available;
  double se = models::not_available;
  double statistic = models::not_available;  ///< z, or t under Hartung-Knapp (z at k = 1, as metafor)
  double df = models::not_available;
  double p = models::not_available;
  double ci_lower = models::not_available;
  double ci_upper = models::not_available;
  double Q = models::not_available;
  double Q_p = models::not_available;
  double tau2 = models::not_available;  ///< 0 for EE
  double I2 = models::not_available;
  double H2 = models::not_available;
  fit_status status = fit_status::ok;
};

struct cumulative_result {
  models::model_spec spec;
  int k = 0;
  std::vector<cumulative_step> steps;
  fit_status status = fit_status::ok;
  warnings notes;
};

/// Stable ascending (or descending) order of `key`, as R's order(): ties keep their input order;
/// NaN keys go last, in input order.
[[nodiscard]] std::vector<std::size_t> stable_order(std::span<const double> key, bool decreasing = false);

/// Runs the cumulative analysis in `order` (a permutation of 0..k-1; empty = input order). One
/// buffer pair is filled as the studies are added; each step calls the allocation-free kernel.
/// Preconditions (throw): as models::fit, a method that uses yi/vi (MH/PETO: usage_error), labels
/// empty or of size k, `order` empty or a permutation of 0..k-1.
[[nodiscard]] cumulative_result cumulative(std::span<const double> y, std::span<const double> v,
                                           const std::vector<std::string>& labels, const models::model_spec& spec,
                                           std::span<const std::size_t> order = {});

}  // namespace metasift::analyses
