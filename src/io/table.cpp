#include "metasift/io/table.hpp"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "metasift/core/check.hpp"
#include "metasift/core/limits.hpp"
#include "metasift/core/text.hpp"
#include "metasift/io/file.hpp"
#include "metasift/io/records.hpp"

namespace metasift::io {
namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

bool is_blank_text(std::string_view s) noexcept {
  for (const char c : s) {
    if (!is_blank(c) && c != '\r' && c != '\n') return false;
  }
  return true;
}

char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

using metasift::text::iequals;

/// Length of the UTF-8 sequence starting at s[p], or 0 when it is not valid UTF-8 (overlong
/// forms, surrogates and code points above U+10FFFF included).
std::size_t utf8_length(std::string_view s, std::size_t p) noexcept {
  return metasift::text::utf8_sequence_length(s, p);
}

std::string hex_byte(unsigned char b) {
  constexpr std::string_view digits = "0123456789ABCDEF";
  std::string out = "0x";
  out += digits[b >> 4U];
  out += digits[b & 0xFU];
  return out;
}

// Candidates in tie-break order: a tab is almost never part of a column name, and a ',' is more
// often part of one ("n (total, arm 1)") than a ';'.
constexpr std::array<char, 3> delimiter_candidates = {'\t', ';', ','};
using delimiter_counts = std::array<std::size_t, 3>;

/// Counts the candidate delimiters outside quotes in the record that starts at p and returns the
/// position after it. A quote opens a quoted field only at the start of a field, as in the parser,
/// so that a stray inch sign in a name does not swallow the rest of the file.
std::size_t count_delimiters(std::string_view s, std::size_t p, delimiter_counts& counts) noexcept {
  bool field_start = true;
  bool quoted = false;
  while (p < s.size()) {
    const char c = s[p++];
    if (quoted) {
      if (c == '"') {
        if (p < s.size() && s[p] == '"') {
          ++p;
        } else {
          quoted = false;
        }
      }
      continue;
    }
    if (c == '\n') break;
    if (c == '\r') {
      if (p < s.size() && s[p] == '\n') ++p;
      break;
    }
    if (c == '"' && field_start) {
      quoted = true;
      continue;
    }
    bool is_delimiter = false;
    for (std::size_t k = 0; k < delimiter_candidates.size(); ++k) {
      if (c == delimiter_candidates[k]) {
        ++counts[k];
        is_delimiter = true;
      }
    }
    if (is_delimiter) {
      field_start = true;
    } else if (c != ' ') {
      field_start = false;
    }
  }
  return p;
}

/// The delimiter that occurs most often in the header. On a tie the first data record decides
/// (the candidate it has as often as the header wins), then the fixed candidate order. A header
/// without any candidate is a one-column table; ',' is reported for it.
char detect_delimiter_impl(std::string_view text) noexcept {
  delimiter_counts header{};
  const std::size_t next = count_delimiters(text, 0, header);
  std::size_t best = 0;
  for (const std::size_t n : header) best = n > best ? n : best;
  if (best == 0) return ',';
  std::size_t tied = 0;
  for (const std::size_t n : header) tied += n == best ? 1 : 0;
  delimiter_counts data{};
  if (tied > 1) count_delimiters(text, next, data);
  for (std::size_t k = 0; k < header.size(); ++k) {
    if (header[k] == best && (tied == 1 || data[k] == best)) return delimiter_candidates[k];
  }
  for (std::size_t k = 0; k < header.size(); ++k) {
    if (header[k] == best) return delimiter_candidates[k];
  }
  return ',';
}

/// One pass over the text, record by record. It keeps the physical line and the column in code
/// points of the next byte, so every cell and every error gets a position without a second scan.
class record_reader {
 public:
  record_reader(std::string_view text, const std::string& file, char delimiter, std::size_t first_line = 1)
      : text_(text), file_(file), delimiter_(delimiter), line_(first_line) {}

  [[nodiscard]] bool at_end() const noexcept { return pos_ >= text_.size(); }
  [[nodiscard]] std::size_t line() const noexcept { return line_; }

  /// Appends the cells of the next record with their columns and lines.
  void read(std::vector<std::string>& cells, std::vector<std::size_t>& columns, std::vector<std::size_t>& lines) {
    for (;;) {
      // Blanks before an opening quote are tolerated: hand-written files often put a space after
      // the delimiter, and treating `1, "a,b"` as unquoted would split the quoted text.
      std::size_t p = pos_;
      while (p < text_.size() && text_[p] != delimiter_ && is_blank(text_[p])) ++p;
      std::string& cell = cells.emplace_back();
      if (p < text_.size() && text_[p] == '"') {
        col_ += p - pos_;
        pos_ = p;
        columns.push_back(col_);
        lines.push_back(line_);
        read_quoted(cell);
      } else {
        columns.push_back(col_);
        lines.push_back(line_);
        read_unquoted(cell);
      }
      if (pos_ - line_start_ > limits::max_line_bytes) {
        fail_at(line_, col_,
                "line longer than " + std::to_string(limits::max_line_bytes) + " bytes (limit max_line_bytes)");
      }
      if (pos_ >= text_.size()) return;
      if (text_[pos_] == delimiter_) {
        ++pos_;
        ++col_;
        continue;
      }
      consume_newline();
      return;
    }
  }

 private:
  [[noreturn]] void fail_at(std::size_t line, std::size_t column, std::string_view message) const {
    fail_input(source_position{file_, line, column}, "", message);
  }

  /// Advances over one character, validating it.
  void step() {
    const auto b = static_cast<unsigned char>(text_[pos_]);
    if (b >= 0x80) {
      const std::size_t n = utf8_length(text_, pos_);
      if (n == 0) fail_at(line_, col_, "invalid UTF-8 (byte " + hex_byte(b) + "); save the file with UTF-8 encoding");
      pos_ += n;
    } else {
      if (b == 0) fail_at(line_, col_, "unexpected NUL byte; this does not look like a text file");
      ++pos_;
    }
    ++col_;
  }

  void consume_newline() noexcept {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
    col_ = 1;
    line_start_ = pos_;
  }

  [[noreturn]] void field_too_long(std::size_t line, std::size_t column) const {
    fail_at(line, column,
            "field longer than " + std::to_string(limits::max_field_bytes) + " bytes (limit max_field_bytes)");
  }

  void read_unquoted(std::string& cell) {
    const std::size_t start = pos_;
    const std::size_t start_col = col_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == delimiter_ || c == '\n' || c == '\r') break;
      step();
      if (pos_ - start > limits::max_field_bytes) field_too_long(line_, start_col);
    }
    cell.assign(text_.substr(start, pos_ - start));
  }

  // Text is copied in chunks between doubled quotes and newlines, not character by character.
  void read_quoted(std::string& cell) {
    const std::size_t open_line = line_;
    const std::size_t open_col = col_;
    ++pos_;
    ++col_;
    std::size_t chunk = pos_;
    for (;;) {
      if (pos_ >= text_.size()) fail_at(open_line, open_col, "quoted field is never closed");
      const char c = text_[pos_];
      if (c == '"') {
        cell.append(text_.substr(chunk, pos_ - chunk));
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
          cell += '"';
          pos_ += 2;
          col_ += 2;
          chunk = pos_;
          continue;
        }
        ++pos_;
        ++col_;
        break;
      }
      if (c == '\n' || c == '\r') {
        // Line ends inside a cell become '\n' whatever the file uses, so cell text does not
        // depend on the platform that exported it.
        cell.append(text_.substr(chunk, pos_ - chunk));
        cell += '\n';
        consume_newline();
        chunk = pos_;
        if (cell.size() > limits::max_field_bytes) field_too_long(open_line, open_col);
        continue;
      }
      step();
      if (cell.size() + (pos_ - chunk) > limits::max_field_bytes) field_too_long(open_line, open_col);
      if (pos_ - line_start_ > limits::max_line_bytes) {
        fail_at(line_, col_,
                "line longer than " + std::to_string(limits::max_line_bytes) + " bytes (limit max_line_bytes)");
      }
    }
    while (pos_ < text_.size() && text_[pos_] != delimiter_ && is_blank(text_[pos_])) {
      ++pos_;
      ++col_;
    }
    if (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != delimiter_ && c != '\n' && c != '\r') {
        fail_at(line_, col_, "unexpected text after a closing quote (write a quote inside a quoted field as \"\")");
      }
    }
  }

  std::string_view text_;
  const std::string& file_;
  char delimiter_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t col_ = 1;
  std::size_t line_start_ = 0;  ///< offset of the current physical line, for the line limit
};

bool row_is_blank(const std::vector<std::string>& cells) noexcept {
  for (const std::string& c : cells) {
    if (!trim(c).empty()) return false;
  }
  return true;
}

bool all_equal(const std::vector<std::size_t>& v) noexcept {
  for (const std::size_t x : v) {
    if (x != v.front()) return false;
  }
  return true;
}

}  // namespace

/// A cell as it appears in a one-line message: quoted, control characters escaped, long text cut
/// at a code point boundary so that a runaway cell cannot flood the terminal.
std::string quote_for_message(std::string_view s) {
  constexpr std::size_t max_bytes = 60;
  std::string out = "\"";
  std::size_t i = 0;
  for (; i < s.size() && i < max_bytes; ++i) {
    const char c = s[i];
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  if (i < s.size()) {
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0U) == 0x80U) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0U) out.pop_back();
    out += "...";
  }
  out += '"';
  return out;
}

namespace {
bool is_missing_marker(std::string_view s) noexcept {
  return s == "NA" || s == ".";
}

bool is_nonfinite_word(std::string_view s) noexcept {
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
  return iequals(s, "nan") || iequals(s, "inf") || iequals(s, "infinity");
}

}  // namespace

number_status parse_number(std::string_view text, bool decimal_comma, double& out) noexcept {
  std::string_view s = trim(text);
  if (s.empty()) return number_status::empty;
  if (is_missing_marker(s)) return number_status::missing;
  // fast_float follows from_chars and refuses a leading '+', which users do type.
  if (s.size() > 1 && s.front() == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  std::size_t commas = 0;
  std::size_t dots = 0;
  for (const char c : s) {
    if (c == ',') {
      ++commas;
    } else if (c == '.') {
      ++dots;
    } else if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e' || c == 'E')) {
      // fast_float would also read "nan" and "inf"; they are filtered here so that a spelled-out
      // non-finite value gets its own message instead of being parsed.
      return is_nonfinite_word(s) ? number_status::non_finite : number_status::invalid;
    }
  }
  char point = '.';
  if (commas > 0) {
    if (!decimal_comma) return number_status::comma_not_allowed;
    if (commas > 1 || dots > 0) return number_status::thousands;
    point = ',';
  }
  double value = 0;
  const char* const end = s.data() + s.size();
  const fast_float::parse_options options{fast_float::chars_format::general, point};
  const auto res = fast_float::from_chars_advanced(s.data(), end, value, options);
  if (res.ec != std::errc() || res.ptr != end) return number_status::invalid;
  if (!std::isfinite(value)) return number_status::out_of_range;
  out = value;
  return number_status::ok;
}

std::string number_problem(number_status status, std::string_view cell) {
  const std::string shown = quote_for_message(trim(cell));
  switch (status) {
    case number_status::ok:
    case number_status::invalid: return "not a number: " + shown;
    case number_status::empty: return "empty cell, expected a number";
    case number_status::missing: return "missing value " + shown + ", expected a number";
    case number_status::comma_not_allowed:
      return "not a number: " + shown + " (a decimal comma is accepted only in ';'-separated files)";
    case number_status::thousands:
      return "not a number: " + shown + " (use one decimal separator and no thousands separators)";
    case number_status::non_finite: return "not a finite number: " + shown;
    case number_status::out_of_range: return "number out of range: " + shown;
  }
  return "not a number: " + shown;
}

std::string clip_for_message(std::string_view s, std::size_t max_bytes) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size() && out.size() < max_bytes) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      out += (b < 0x20 || b == 0x7F) ? '?' : static_cast<char>(b);
      ++i;
      continue;
    }
    const std::size_t n = utf8_length(s, i);
    if (n == 0) {
      out += '?';
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  if (i < s.size()) out += "...";
  return out;
}

void check_text_start(std::string_view head, const std::string& file) {
  if (head.starts_with("\xFF\xFE") || head.starts_with("\xFE\xFF")) {
    fail_input(source_position{file, 1, 1}, "", "the file is UTF-16 encoded; save it with UTF-8 encoding");
  }
  if (head.starts_with("PK\x03\x04")) {
    fail_input(source_position{file, 0, 0}, "",
               "this is a ZIP archive (an .xlsx workbook?), not a text table; export the sheet as CSV");
  }
}

char detect_delimiter(std::string_view text) noexcept {
  return detect_delimiter_impl(text);
}

std::size_t record_end(std::string_view s, std::size_t p, char delimiter) noexcept {
  bool field_start = true;
  bool quoted = false;
  while (p < s.size()) {
    const char c = s[p++];
    if (quoted) {
      if (c == '"') {
        if (p < s.size() && s[p] == '"') {
          ++p;
        } else {
          quoted = false;
        }
      }
      continue;
    }
    if (c == '\n') return p;
    if (c == '\r') {
      if (p < s.size() && s[p] == '\n') ++p;
      return p;
    }
    if (c == '"' && field_start) {
      quoted = true;
    } else if (c == delimiter) {
      field_start = true;
    } else if (!is_blank(c)) {
      field_start = false;
    }
  }
  return quoted ? std::string_view::npos : s.size();
}

void split_record(std::string_view record, char delimiter, const std::string& file, std::size_t first_line,
                  std::vector<std::string>& cells) {
  cells.clear();
  std::vector<std::size_t> columns;
  std::vector<std::size_t> lines;
  record_reader reader(record, file, delimiter, first_line);
  reader.read(cells, columns, lines);
}

std::optional<std::pair<std::size_t, std::size_t>> find_duplicate_name(const std::vector<std::string>& names) {
  // Keyed by the lower-cased name: one pass instead of comparing every pair (300k columns took
  // minutes that way).
  std::unordered_map<std::string, std::size_t> seen;
  seen.reserve(names.size());
  std::string key;
  for (std::size_t j = 0; j < names.size(); ++j) {
    if (names[j].empty()) continue;
    key.assign(names[j]);
    for (char& c : key) c = ascii_lower(c);
    const auto [it, fresh] = seen.emplace(key, j);
    if (!fresh) return std::pair{it->second, j};
  }
  return std::nullopt;
}

std::string duplicate_name_message(const std::vector<std::string>& names, std::size_t i, std::size_t j) {
  std::string message = "duplicate column name '" + names[j] + "' (also column " + std::to_string(i + 1);
  message += names[i] == names[j] ? ")" : " '" + names[i] + "'; names ignore case)";
  return message;
}

std::optional<std::size_t> table::find(std::string_view name) const {
  if (name.empty()) return std::nullopt;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (iequals(names[i], name)) return i;
  }
  return std::nullopt;
}

source_position table::position(std::size_t row, std::size_t col) const {
  source_position where{file, 0, 0};
  if (row < row_line.size()) where.line = row_line[row];
  if (row < cell_line.size() && col < cell_line[row].size()) where.line = cell_line[row][col];
  if (row < cell_column.size() && col < cell_column[row].size()) where.column = cell_column[row][col];
  return where;
}

source_position table::header_position(std::size_t col) const {
  source_position where{file, 1, 0};
  if (col < header_line.size()) where.line = header_line[col];
  if (col < header_column.size()) where.column = header_column[col];
  return where;
}

std::string table::column_label(std::size_t col) const {
  if (col < names.size() && !names[col].empty()) return "column '" + names[col] + "'";
  return "column " + std::to_string(col + 1);
}

double table::number(std::size_t row, std::size_t col) const {
  const std::string& cell = rows.at(row).at(col);
  double value = 0;
  const number_status status = parse_number(cell, decimal_comma, value);
  if (status == number_status::ok) return value;
  fail_input(position(row, col), column_label(col), number_problem(status, cell));
}

std::optional<double> table::try_number(std::size_t row, std::size_t col) const noexcept {
  if (row >= rows.size() || col >= rows[row].size()) return std::nullopt;
  double value = 0;
  if (parse_number(rows[row][col], decimal_comma, value) != number_status::ok) return std::nullopt;
  return value;
}

std::optional<double> table::optional_number(std::size_t row, std::size_t col) const {
  const std::string_view cell = trim(rows.at(row).at(col));
  if (cell.empty() || is_missing_marker(cell)) return std::nullopt;
  return number(row, col);
}

table parse_table(std::string_view text, std::string file_label) {
  table t;
  t.file = std::move(file_label);
  const source_position whole_file{t.file, 0, 0};

  // Common wrong inputs are named outright; as UTF-8 they would only show as a bad byte.
  check_text_start(text, t.file);
  if (text.starts_with(utf8_bom)) text.remove_prefix(utf8_bom.size());
  if (is_blank_text(text)) fail_input(whole_file, "", "file is empty");

  t.delimiter = detect_delimiter_impl(text);
  t.decimal_comma = t.delimiter == ';';
  record_reader reader(text, t.file, t.delimiter);

  reader.read(t.names, t.header_column, t.header_line);
  for (std::string& name : t.names) name = std::string(trim(name));
  if (t.names.size() == 1 && t.names.front().empty()) {
    fail_input(source_position{t.file, 1, 1}, "", "the first line is empty; it must hold the column names");
  }
  const std::size_t width = t.names.size();
  if (width > limits::max_columns) {
    fail_input(t.header_position(limits::max_columns), "",
               "more than " + std::to_string(limits::max_columns) + " columns (limit max_columns)");
  }
  if (const auto dup = find_duplicate_name(t.names)) {
    fail_input(t.header_position(dup->second), "", duplicate_name_message(t.names, dup->first, dup->second));
  }

  // One memchr-speed pass for the number of lines spares the row vectors their repeated
  // reallocation on big files; quoted newlines only make the estimate generous.
  const auto newlines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  const std::size_t expected_rows =
      newlines > 0 ? newlines : static_cast<std::size_t>(std::count(text.begin(), text.end(), '\r'));
  t.rows.reserve(expected_rows);
  t.row_line.reserve(expected_rows);
  t.cell_column.reserve(expected_rows);
  t.cell_line.reserve(expected_rows);

  std::vector<std::size_t> lines;
  lines.reserve(width);
  while (!reader.at_end()) {
    t.row_line.push_back(reader.line());
    std::vector<std::string>& cells = t.rows.emplace_back();
    std::vector<std::size_t>& columns = t.cell_column.emplace_back();
    cells.reserve(width);
    columns.reserve(width);
    lines.clear();
    reader.read(cells, columns, lines);
    std::vector<std::size_t>& stored_lines = t.cell_line.emplace_back();
    if (!all_equal(lines)) stored_lines = lines;
  }

  // Spreadsheets export formatted but empty rows at the bottom as ";;;;" lines.
  std::size_t kept = t.rows.size();
  while (kept > 0 && row_is_blank(t.rows[kept - 1])) --kept;
  t.rows.resize(kept);
  t.row_line.resize(kept);
  t.cell_column.resize(kept);
  t.cell_line.resize(kept);

  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::size_t n = t.rows[r].size();
    if (n == width) continue;
    const source_position where{t.file, t.row_line[r], 1};
    if (n == 1 && t.rows[r].front().empty()) {
      fail_input(where, "", "row is empty, header has " + std::to_string(width));
    }
    const std::string fields = std::to_string(n) + (n == 1 ? " field" : " fields");
    std::string hint;
    // "0,5" in a comma-delimited file splits one number in two: the commonest cause of extra
    // fields in European spreadsheets' exports, so say so rather than leave the user guessing.
    if (t.delimiter == ',' && n > width) {
      bool digits_split = false;
      const auto& row = t.rows[r];
      for (std::size_t c = 1; c < row.size() && !digits_split; ++c) {
        const std::string& a = row[c - 1];
        const std::string& b = row[c];
        digits_split = !a.empty() && !b.empty() && std::isdigit(static_cast<unsigned char>(a.back())) != 0 &&
                       std::isdigit(static_cast<unsigned char>(b.front())) != 0;
      }
      if (digits_split) hint = " (decimal commas in a comma-separated file? Use ';' between fields or '.' in numbers)";
    }
    fail_input(where, "", "row has " + fields + ", header has " + std::to_string(width) + hint);
  }

  // A column without a name cannot be asked for, so data in it would be silently ignored.
  for (std::size_t c = 0; c < width; ++c) {
    if (!t.names[c].empty()) continue;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      if (trim(t.rows[r][c]).empty()) continue;
      fail_input(t.header_position(c), "",
                 "column " + std::to_string(c + 1) + " has no name but holds data (first at line " +
                     std::to_string(t.position(r, c).line) + ")");
    }
  }
  return t;
}

table read_table(const std::filesystem::path& path) {
  return parse_table(read_file(path), path.string());
}

}  // namespace metasift::io
