#pragma once
// Delimited text tables (CSV/TSV) as users export them from spreadsheets: the delimiter (',' ';'
// or tab) is detected, quoted fields follow RFC 4180, a UTF-8 BOM and CRLF line ends are accepted,
// and a decimal comma is accepted when the delimiter is ';'. Every cell remembers its line and
// column so that errors point at it.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/core/error.hpp"

namespace metasift::io {

struct table {
  std::string file;  ///< the name used in error messages
  char delimiter = ',';
  bool decimal_comma = false;                         ///< true when the delimiter is ';' (numbers may use ',')
  std::vector<std::string> names;                     ///< header cells, trimmed, BOM removed
  std::vector<std::vector<std::string>> rows;         ///< data cells, unquoted; each row has names.size() cells
  std::vector<std::size_t> row_line;                  ///< 1-based line where each row starts
  std::vector<std::vector<std::size_t>> cell_column;  ///< 1-based column (in characters) of each cell
  std::vector<std::size_t> header_column;             ///< 1-based column of each header cell
  std::vector<std::size_t> header_line;  ///< 1-based line of each header cell (1 unless quoted names span lines)
  /// Per row: empty when the row lies on one physical line (the usual case, so nothing is stored),
  /// else the 1-based line of each cell, because a quoted newline moves later cells down.
  std::vector<std::vector<std::size_t>> cell_line;

  /// Index of the column whose name equals `name` ignoring ASCII case; nullopt if none.
  [[nodiscard]] std::optional<std::size_t> find(std::string_view name) const;
  /// Position of cell (row, col) for error messages; parts that are not recorded are 0.
  [[nodiscard]] source_position position(std::size_t row, std::size_t col) const;
  /// Position of the header cell of column col.
  [[nodiscard]] source_position header_position(std::size_t col) const;
  /// "column 'name'" (or "column 3" for an unnamed column): the `what` of errors about a cell.
  [[nodiscard]] std::string column_label(std::size_t col) const;
  /// Parses cell (row, col) as a number (fast_float; decimal comma when decimal_comma). Accepts
  /// surrounding blanks. Throws input_error naming the file, line, column and header when the cell
  /// is empty, not a number, NaN or infinite.
  [[nodiscard]] double number(std::size_t row, std::size_t col) const;
  /// The cell as a number when number() would return one, else nullopt; never throws (for callers
  /// that only ask "is this a number?", e.g. whether a moderator is numeric).
  [[nodiscard]] std::optional<double> try_number(std::size_t row, std::size_t col) const noexcept;
  /// Like number() but returns nullopt for a missing value: a blank cell, "NA" or ".". "NaN" and
  /// "Inf" are still errors, because they are results of a broken computation, not missing data.
  [[nodiscard]] std::optional<double> optional_number(std::size_t row, std::size_t col) const;
};

/// Parses a table from text. Throws input_error (file:line:column) for an empty input, a row with
/// the wrong number of fields, an unterminated quote, invalid UTF-8, duplicate header names
/// (ignoring case) or an unnamed column that holds data. A header without rows is not an error.
/// Trailing rows whose cells are all blank (as spreadsheets export them) are dropped.
[[nodiscard]] table parse_table(std::string_view text, std::string file_label);

/// Reads and parses a file; throws io_error when it cannot be read.
[[nodiscard]] table read_table(const std::filesystem::path& path);

}  // namespace metasift::io
