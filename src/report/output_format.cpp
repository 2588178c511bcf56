// Names of the output formats, read case-insensitively (core/enum_names.hpp).
#include "metasift/report/output_format.hpp"

#include <array>

#include "metasift/core/enum_names.hpp"

namespace metasift::report {
namespace {

constexpr std::array<enum_name<output_format>, 3> output_format_names{{
    {output_format::text, "text"},
    {output_format::json, "json"},
    {output_format::csv, "csv"},
}};

}  // namespace

std::optional<output_format> parse_output_format(std::string_view name) noexcept {
  return parse_enum(name, output_format_names);
}
std::string_view to_string(output_format f) noexcept {
  return enum_to_string(f, output_format_names);
}

}  // namespace metasift::report
