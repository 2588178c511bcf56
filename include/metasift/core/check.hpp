#pragma once
// Shared precondition checks. Every check names what it checked and where the value came from,
// so that every input error in metasift reads the same way:
//
//   data.csv:4:7: column 'sd1': must be positive, got -0.5
//
// Checks on option values (no file position) throw usage_error with "option '--level': ...".

#include <cmath>
#include <string>
#include <string_view>

#include "metasift/core/error.hpp"
#include "metasift/core/number_format.hpp"

namespace metasift {

/// Throws input_error at `where` with "<what>: <message>".
[[noreturn]] void fail_input(const source_position& where, std::string_view what, std::string_view message);

/// Throws usage_error with "option '<option>': <message>".
[[noreturn]] void fail_usage(std::string_view option, std::string_view message);

/// Shortest round-trip decimal form of x, used in error messages so users see the value they typed.
[[nodiscard]] std::string format_value(double x);

inline void check_finite(const source_position& where, std::string_view what, double x) {
  if (!std::isfinite(x)) fail_input(where, what, "must be a finite number, got " + format_value(x));
}

inline void check_positive(const source_position& where, std::string_view what, double x) {
  check_finite(where, what, x);
  if (!(x > 0)) fail_input(where, what, "must be positive, got " + format_value(x));
}

inline void check_nonnegative(const source_position& where, std::string_view what, double x) {
  check_finite(where, what, x);
  if (!(x >= 0)) fail_input(where, what, "must not be negative, got " + format_value(x));
}

/// lo <= x <= hi.
inline void check_in_range(const source_position& where, std::string_view what, double x, double lo, double hi) {
  check_finite(where, what, x);
  if (!(x >= lo && x <= hi)) {
    fail_input(where, what, "must lie in [" + format_value(lo) + ", " + format_value(hi) + "], got " + format_value(x));
  }
}

/// x is a whole number (counts such as n or events): 12 and 12.0 pass, 12.5 does not.
inline void check_integer(const source_position& where, std::string_view what, double x) {
  check_finite(where, what, x);
  if (x != std::floor(x)) fail_input(where, what, "must be a whole number, got " + format_value(x));
}

}  // namespace metasift
