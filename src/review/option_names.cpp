// Names of the review settings, read case-insensitively (core/enum_names.hpp).
#include <array>

#include "metasift/core/enum_names.hpp"
#include "metasift/review/record_io.hpp"
#include "metasift/review/screen.hpp"

namespace metasift::review {

std::optional<records_format> parse_records_format(std::string_view name) noexcept {
  return parse_enum(name,
                    std::array<enum_name<records_format>, 3>{
                        {{records_format::json, "json"}, {records_format::csv, "csv"}, {records_format::ris, "ris"}}});
}

std::optional<screening_stage> parse_screening_stage(std::string_view name) noexcept {
  return parse_enum(
      name, std::array<enum_name<screening_stage>, 2>{
                {{screening_stage::title_abstract, "title-abstract"}, {screening_stage::full_text, "full-text"}}});
}

}  // namespace metasift::review
