// Wall-time bounds for hostile-input tests. They catch hangs and quadratic blow-ups, not speed
// (bench/ measures speed against peers). A budget is written for a Release build on a loaded
// 2-core machine; sanitizer builds run several times slower, so their budgets are scaled, and
// METASIFT_TIME_SCALE scales them further on slower machines.
#pragma once

#include <cstdlib>
#include <string>

namespace metasift::test {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr double sanitizer_slowdown = 10.0;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
inline constexpr double sanitizer_slowdown = 10.0;
#else
inline constexpr double sanitizer_slowdown = 1.0;
#endif
#else
inline constexpr double sanitizer_slowdown = 1.0;
#endif

/// The wall-time budget, in seconds, for work that takes well under `release_seconds` in Release.
inline double time_budget(double release_seconds) {
  double scale = sanitizer_slowdown;
  if (const char* env = std::getenv("METASIFT_TIME_SCALE")) {
    try {
      const double s = std::stod(env);
      if (s > 0) scale *= s;
    } catch (...) {
      // An unreadable scale leaves the default.
    }
  }
  return release_seconds * scale;
}

}  // namespace metasift::test
