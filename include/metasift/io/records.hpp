#pragma once
// The rules of delimited text, shared by io tables (read whole) and the batch engine (read as a
// stream), so that both read a file the same way: which bytes start a file that is not UTF-8
// text, which delimiter a header uses, where a record ends (RFC 4180 quoted fields may span
// lines), how a record splits into cells, which header names clash, and what counts as a number
// (decimal comma only in ';'-separated files, no NaN or Inf, no overflow).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metasift/core/limits.hpp"

namespace metasift::io {

/// Throws input_error naming `file` when the text starts as a UTF-16 file or a ZIP archive
/// (an .xlsx workbook): both would otherwise only show as a bad byte.
void check_text_start(std::string_view head, const std::string& file);

/// The delimiter ('\t', ';' or ',') that occurs most often outside quotes in the first record;
/// on a tie the second record decides, then the order tab, ';', ','. ',' when there is none.
[[nodiscard]] char detect_delimiter(std::string_view text) noexcept;

/// Offset just past the line end of the record that starts at `pos` (a quote at the start of a
/// field opens a quoted field, in which line ends are text), or text.size() when the last record
/// has no line end. std::string_view::npos when the text ends inside a quoted field: the record
/// is incomplete (or its quote is never closed).
[[nodiscard]] std::size_t record_end(std::string_view text, std::size_t pos, char delimiter) noexcept;

/// Splits one record (as delimited by record_end, its line end included or not) into cells:
/// quotes removed, doubled quotes undone, line ends inside quotes made '\n'. Cells are not trimmed.
/// Throws input_error at file:line:column (line counted from `first_line`) for an unclosed quote,
/// text after a closing quote, invalid UTF-8, a NUL byte, or a field or line over the limits
/// (limits::max_field_bytes, limits::max_line_bytes).
void split_record(std::string_view record, char delimiter, const std::string& file, std::size_t first_line,
                  std::vector<std::string>& cells);

/// Indexes (i < j) of the first header name that repeats an earlier one ignoring ASCII case
/// (empty names are not compared); nullopt when all differ. Linear time (hashing).
[[nodiscard]] std::optional<std::pair<std::size_t, std::size_t>> find_duplicate_name(
    const std::vector<std::string>& names);
/// "duplicate column name 'b' (also column 2)" for the pair find_duplicate_name returned.
[[nodiscard]] std::string duplicate_name_message(const std::vector<std::string>& names, std::size_t i, std::size_t j);

enum class number_status { ok, empty, missing, invalid, comma_not_allowed, thousands, non_finite, out_of_range };

/// Parses a cell as a number: blanks around it, a leading '+', a decimal comma when
/// `decimal_comma`. "NA" and "." are `missing`, a blank cell `empty`; "NaN"/"Inf" are `non_finite`
/// and a number beyond the double range (1e400) is `out_of_range`. fast_float: correctly rounded.
[[nodiscard]] number_status parse_number(std::string_view text, bool decimal_comma, double& out) noexcept;

/// The message for a cell that did not parse (status other than ok), e.g. "not a number: \"x\"".
[[nodiscard]] std::string number_problem(number_status status, std::string_view cell);

/// Text for a one-line message that lists what a file holds (e.g. the columns present): control
/// characters, invalid UTF-8 and the like become '?', and text over `max_bytes` is cut with "...",
/// so that a binary file cannot flood or drive the terminal.
[[nodiscard]] std::string clip_for_message(std::string_view s, std::size_t max_bytes = 200);

/// A cell as shown in a one-line message: quoted, control characters escaped, cut after 60 bytes.
[[nodiscard]] std::string quote_for_message(std::string_view s);

}  // namespace metasift::io
