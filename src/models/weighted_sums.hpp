#pragma once
// Sums over studies for an intercept-only model with weights w_i, from which every quadratic form
// and trace that metafor builds with k x k matrices follows in O(k). With P = W - w w'/sum(w):
//   y'Py    = sum w (y - mu)^2                        (generalised Q)
//   y'PPy   = sum w^2 (y - mu)^2
//   tr P    = S1 - S2/S1
//   tr PP   = S2 - 2 S3/S1 + S2^2/S1^2
//   y'PPPy  = sum w^3 r^2 - (sum w^2 r)^2 / S1      (r = y - mu)
// where mu = sum(w y)/S1 and Sj = sum w^j. Derivations: docs/algorithms.md.

#include <cstddef>
#include <span>

#include "metasift/models/fit.hpp"

namespace metasift::models::detail {

struct weighted_sums {
  double s1 = 0, s2 = 0, s3 = 0;  ///< sum w, sum w^2, sum w^3
  double mu = 0;                  ///< weighted mean of y
  double ypy = 0;                 ///< y'Py
  double yppy = 0;                ///< y'PPy
  double w3r2 = 0;                ///< sum w^3 (y - mu)^2
  double w2r = 0;                 ///< sum w^2 (y - mu)

  /// y'PPPy = sum w^3 r^2 - (sum w^2 r)^2 / S1, with Py = w o r (for Newton steps).
  [[nodiscard]] double ypppy() const noexcept { return w3r2 - w2r * w2r / s1; }

  [[nodiscard]] double tr_p() const noexcept { return s1 - s2 / s1; }
  [[nodiscard]] double tr_pp() const noexcept { return s2 - 2.0 * s3 / s1 + (s2 * s2) / (s1 * s1); }
};

/// Sums with w_i = 1 / (v_i + tau2). Two passes so that the residual sums do not cancel; for
/// small k the weights of the first pass are kept on the stack so the second pass does not divide.
[[nodiscard]] inline weighted_sums sums_at(std::span<const double> y, std::span<const double> v, double tau2) noexcept {
  constexpr std::size_t buffered = 64;
  double wbuf[buffered];
  const std::size_t k = y.size();
  const bool keep = k <= buffered;
  weighted_sums s;
  double swy = 0;
  for (std::size_t i = 0; i < k; ++i) {
    const double w = 1.0 / (v[i] + tau2);
    if (keep) wbuf[i] = w;
    s.s1 += w;
    s.s2 += w * w;
    s.s3 += w * w * w;
    swy += w * y[i];
  }
  s.mu = swy / s.s1;
  for (std::size_t i = 0; i < k; ++i) {
    const double w = keep ? wbuf[i] : 1.0 / (v[i] + tau2);
    const double r = y[i] - s.mu;
    const double wr = w * r;
    s.ypy += wr * r;
    s.yppy += wr * wr;
    s.w3r2 += w * wr * wr;
    s.w2r += w * wr;
  }
  return s;
}

/// Generalised Q(tau2) = sum w (y - mu_w)^2 with w = 1/(v + tau2), decreasing in tau2.
[[nodiscard]] inline double generalised_q(std::span<const double> y, std::span<const double> v, double tau2) noexcept {
  return pool_iv(y, v, tau2, true).q;
}

}  // namespace metasift::models::detail
