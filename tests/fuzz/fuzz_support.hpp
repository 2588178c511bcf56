#pragma once
// Shared by the libFuzzer targets. The contract every parser is fuzzed against: on any input it
// either returns or throws a metasift::error (usage, input or io). Anything else escaping -- a
// std::out_of_range, a bad_alloc from a runaway size, a crash, a sanitizer report -- is a bug, and
// libFuzzer stops on it because the exception is not caught here.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "metasift/core/error.hpp"

namespace metasift::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) noexcept {
  return {reinterpret_cast<const char*>(data), size};
}

/// Runs `body`, absorbing only metasift's own exceptions (the documented failure mode).
template <class F>
void expect_clean(F&& body) {
  try {
    body();
  } catch (const metasift::error&) {
  }
}

}  // namespace metasift::fuzz
