#pragma once
// One table of names per enumeration, read case-insensitively: every option value (a command-line
// flag, a review.toml key, a future server or Python argument) goes through a parse_* function
// built on these, so that "POOLED", "Pooled" and "pooled" can never mean different things.

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace metasift {

/// ASCII case-insensitive equality (option values are ASCII names).
[[nodiscard]] constexpr bool iequals_ascii(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

/// A value and one of its names; a value may have several (aliases), the first one is canonical.
template <class E>
using enum_name = std::pair<E, std::string_view>;

/// The value named `text` (any case), or nullopt.
template <class E, std::size_t N>
[[nodiscard]] constexpr std::optional<E> parse_enum(std::string_view text,
                                                    const std::array<enum_name<E>, N>& names) noexcept {
  for (const auto& [value, name] : names) {
    if (iequals_ascii(text, name)) return value;
  }
  return std::nullopt;
}

/// The canonical (first listed) name of `value`; "?" when the table lacks it.
template <class E, std::size_t N>
[[nodiscard]] constexpr std::string_view enum_to_string(E value, const std::array<enum_name<E>, N>& names) noexcept {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return "?";
}

/// The canonical names, for messages: "a, b or c".
template <class E, std::size_t N>
[[nodiscard]] std::string enum_choices(const std::array<enum_name<E>, N>& names) {
  std::string out;
  std::size_t count = 0;
  for (std::size_t i = 0; i < N; ++i) {
    const bool first = std::none_of(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i),
                                    [&](const auto& p) { return p.first == names[i].first; });
    if (!first) continue;
    ++count;
  }
  std::size_t k = 0;
  for (std::size_t i = 0; i < N; ++i) {
    const bool first = std::none_of(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i),
                                    [&](const auto& p) { return p.first == names[i].first; });
    if (!first) continue;
    if (k > 0) out += k + 1 == count ? " or " : ", ";
    out += names[i].second;
    ++k;
  }
  return out;
}

}  // namespace metasift
