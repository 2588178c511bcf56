#pragma once
// Monte Carlo comparison of tau^2 estimators and CI methods (`metasift simulate`).
//
// Replicate r draws k studies: v_i from the chosen distribution over [v_min, v_max], then
// y_i = mu + sqrt(tau2 + v_i) * z_i with z_i standard normal (the random-effects model
// theta_i ~ N(mu, tau2), y_i ~ N(theta_i, v_i)). Every method is fitted to the same data set with
// models::estimate_tau2 (the estimator `meta` uses) and inverse-variance pooling.
//
// Determinism: replicate r's numbers come from counter_rng(seed, r) alone, and replicates are summed
// in fixed blocks of 1024, merged in block order, so the results are bit-identical for any number
// of threads.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "metasift/models/spec.hpp"

namespace metasift::batch {

enum class variance_distribution { uniform, log_uniform };

/// "uniform" or "loguniform", in any case; nullopt for another name.
[[nodiscard]] std::optional<variance_distribution> parse_variance_distribution(std::string_view name) noexcept;

struct simulation_spec {
  int k = 10;
  double tau2 = 0.1;
  double mu = 0.0;
  std::uint64_t reps = 10000;
  std::vector<models::method> methods{models::method::REML};
  std::vector<models::ci_method> cis{models::ci_method::z};
  double level = 0.95;
  std::uint64_t seed = 1;
  int threads = 1;
  double v_min = 0.01;
  double v_max = 0.2;
  variance_distribution v_dist = variance_distribution::uniform;
};

/// One method x CI combination. Estimation summaries (bias, MSE, tau^2, counts) repeat across the
/// CI methods of one estimator.
struct simulation_row {
  models::method method = models::method::REML;
  models::ci_method ci = models::ci_method::z;
  std::uint64_t reps = 0;
  double bias = 0;                  ///< mean(mu_hat - mu)
  double mse = 0;                   ///< mean((mu_hat - mu)^2)
  double coverage = 0;              ///< share of CIs that contain mu
  double ci_width = 0;              ///< mean CI width
  double tau2_bias = 0;             ///< mean(tau2_hat - tau2)
  double tau2_mse = 0;              ///< mean((tau2_hat - tau2)^2)
  std::uint64_t boundary = 0;       ///< tau2_hat truncated at 0
  std::uint64_t fallback = 0;       ///< Fisher scoring failed; root finder used
  std::uint64_t not_converged = 0;  ///< no method converged
};

struct simulation_result {
  std::vector<simulation_row> rows;
  std::uint64_t fits = 0;  ///< reps x methods
  double seconds = 0;      ///< wall time of the simulation
  double cpu_seconds = 0;  ///< CPU time of the process during the simulation, all threads
};

/// Runs the simulation. Throws usage_error for k < 2, reps < 1, a negative tau2, a method that
/// pools 2x2 counts (MH, PETO), a level outside (0, 1) or a variance range that is not 0 < min <= max.
[[nodiscard]] simulation_result simulate(const simulation_spec& spec);

}  // namespace metasift::batch
