#pragma once
// Status and warnings carried by every result. Degenerate but valid data is reported here, never
// thrown: the caller always gets a result it can print, and the result says how far to trust it.

#include <string>
#include <string_view>
#include <vector>

namespace metasift {

enum class fit_status {
  ok,             ///< converged in the interior, nothing to report
  boundary,       ///< tau^2 estimate truncated at its lower bound (0)
  fallback,       ///< Fisher scoring failed; the bracketing root-finder gave the estimate
  not_converged,  ///< no method converged: estimates are the last iterate and must not be trusted
  degenerate,     ///< valid but uninformative data (k = 1, all variances equal and zero spread, ...)
};

[[nodiscard]] std::string_view to_string(fit_status s) noexcept;

/// Human-readable warnings, in the order they arose. Each is one sentence without a trailing period.
struct warnings {
  std::vector<std::string> items;
  void add(std::string message) { items.push_back(std::move(message)); }
  [[nodiscard]] bool empty() const noexcept { return items.empty(); }
};

}  // namespace metasift
