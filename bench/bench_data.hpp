#pragma once
// Synthetic meta-analysis data shared by the benchmarks: k studies with
//   v_i ~ log-uniform over [0.001, 0.1],   y_i ~ N(0.5, 0.3^2 + v_i)
// (true tau^2 = 0.09), drawn from a caller-owned std::mt19937 so that runs are reproducible.

#include <cmath>
#include <cstddef>
#include <random>
#include <span>

namespace metasift::bench {

class dataset_generator {
 public:
  static constexpr double mu = 0.5;
  static constexpr double tau2 = 0.09;  // 0.3^2

  /// Fills y and v (same length) with one dataset.
  void fill(std::mt19937& rng, std::span<double> y, std::span<double> v) {
    for (std::size_t i = 0; i < y.size(); ++i) {
      const double vi = std::exp(log_v_(rng));
      v[i] = vi;
      y[i] = mu + std::sqrt(tau2 + vi) * std_normal_(rng);
    }
  }

 private:
  std::uniform_real_distribution<double> log_v_{std::log(0.001), std::log(0.1)};
  std::normal_distribution<double> std_normal_{0.0, 1.0};
};

}  // namespace metasift::bench
