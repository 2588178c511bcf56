#pragma once
// One way to compare two numbers: relative error with an absolute floor. Used by the test suite
// (named tolerances per kind of statistic live in tests/support/tolerance.hpp) and by the engine
// where it compares against a reference.

#include <algorithm>
#include <cmath>

namespace metasift {

struct tolerance {
  double rel = 1e-10;   ///< allowed |a - b| / max(|a|, |b|)
  double abs = 1e-300;  ///< below this absolute difference two numbers are equal regardless of size
};

/// |a - b| / max(|a|, |b|), 0 when both are 0; NaN == NaN and equal infinities count as equal (0).
[[nodiscard]] inline double relative_error(double a, double b) noexcept {
  if (std::isnan(a) && std::isnan(b)) return 0.0;
  if (a == b) return 0.0;  // also covers matching infinities
  const double scale = std::max(std::abs(a), std::abs(b));
  return std::abs(a - b) / scale;
}

[[nodiscard]] inline bool within(double a, double b, tolerance tol) noexcept {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  return std::abs(a - b) <= tol.abs || relative_error(a, b) <= tol.rel;
}

}  // namespace metasift
