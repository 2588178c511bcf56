#pragma once
// The renderings a result can be written in, named as the settings name them.

#include <optional>
#include <string_view>

namespace metasift::report {

enum class output_format { text, json, csv };

/// "text", "json" or "csv", in any case; nullopt for another name.
[[nodiscard]] std::optional<output_format> parse_output_format(std::string_view name) noexcept;
[[nodiscard]] std::string_view to_string(output_format f) noexcept;

}  // namespace metasift::report
