#pragma once
// The one CSV cell writer for text from records and data files (titles, authors, study labels,
// group names). RFC 4180 quoting, plus the neutralisation of spreadsheet formulas that OWASP
// recommends against CSV injection (https://owasp.org/www-community/attacks/CSV_Injection): a
// cell beginning with '=', '+', '-', '@', a tab or a carriage return is prefixed with a single
// quote, which spreadsheets show as text and never evaluate. A cell that is a plain number
// ("-0.5", "+3", "-1e-3") is not a formula and is left as it is. docs/output.md documents it.

#include <string>
#include <string_view>

namespace metasift::io {

/// True when a spreadsheet would read the cell as a formula (it begins with = + - @, tab or CR)
/// and it is not a plain decimal number.
[[nodiscard]] bool csv_needs_neutralising(std::string_view text) noexcept;

/// Appends one cell of text: neutralised (see above), then quoted with doubled quotes when it
/// holds the delimiter, a quote, CR or LF.
void append_csv_text(std::string& out, std::string_view text, char delimiter = ',');

/// The cell as append_csv_text writes it.
[[nodiscard]] std::string csv_text(std::string_view text, char delimiter = ',');

}  // namespace metasift::io
