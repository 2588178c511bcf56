#pragma once
// CSV writing helpers shared by the decisions CSV (dedup) and the audit CSV (screen): RFC 4180
// quoting and formula neutralisation (io/csv_writer.hpp), "\n" line ends, fixed number formatting. Internal to the
// review module.

#include <string>
#include <string_view>

#include "metasift/core/number_format.hpp"
#include "metasift/io/csv_writer.hpp"

namespace metasift::review::detail {

/// Appends one field through the project's one CSV cell writer (quoting and formula
/// neutralisation, io/csv_writer.hpp).
inline void csv_field(std::string& out, std::string_view v) {
  io::append_csv_text(out, v);
}

/// Appends a row of fields and a newline.
template <class... Fields>
void csv_row(std::string& out, const Fields&... fields) {
  bool first = true;
  ((out += first ? "" : ",", csv_field(out, std::string_view(fields)), first = false), ...);
  out += '\n';
}

/// Fixed-point with `decimals` places ("0.9731"); an empty cell when not finite.
inline std::string fixed(double x, int decimals = 4) {
  return format_fixed(x, decimals, number_target::csv);
}

}  // namespace metasift::review::detail
