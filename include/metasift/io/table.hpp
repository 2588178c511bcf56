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
  std::string file;                 ///< the name used in error messages
  char delimiter = ',';
  bool decimal_comma = false;       ///< true when the delimiter is ';' (numbers may use ',')
  std::vector<std::string> names;   ///< header cells, trimmed, BOM removed
  std::vector<std::vector<std::string>> rows;  ///< data cells, unquoted; each row has names.size() cells
  std::vector<std::size_t> row_line;           ///< 1-based line where each row starts
  std::vector<std::vector<std::size_t>> cell_column;  ///< 1-based column (in characters) of each cell
  std::vector<std::size_t> header_column;      ///< 1-based column of each header cell

  /// Index of the column whose name equals `name` ignoring ASCII case; nullopt if none.
  [[nodiscard]] std::optional<std::size_t> find(std::string_view name) const;
  /// Position of cell (row, col) for error messages.
  [[nodiscard]] source_position position(std::size_t row, std::size_t col) const;
  /// Parses cell (row, col) as a number (fast_float; decimal comma when decimal_comma). Accepts
  /// surrounding blanks. Throws input_error naming the file, line, column and header when the cell
  /// is empty, not a number, NaN or infinite.
  [[nodiscard]] double number(std::size_t row, std::size_t col) const;
  /// Like number() but returns nullopt for an empty cell or NA/NaN/"." (a missing value).
  [[nodiscard]] std::optional<double> optional_number(std::size_t row, std::size_t col) const;
};

/// Parses a table from text. Throws input_error (file:line:column) for an empty input, a row with
/// the wrong number of fields, an unterminated quote, invalid UTF-8 or duplicate header names.
[[nodiscard]] table parse_table(std::string_view text, std::string file_label);

/// Reads and parses a file; throws io_error when it cannot be read.
[[nodiscard]] table read_table(const std::filesystem::path& path);

}  // namespace metasift::io
