// Excel workbooks (.xlsx, Office Open XML SpreadsheetML): Web of Science's Excel export and
// Scopus (or any bibliographic) CSV saved from Excel.
//
// The ZIP container is read with libzip from memory; every part is inflated through one counter
// capped by limits::xlsx_max_unpacked_bytes, so a ZIP bomb stops after bounded memory. The parts
// are read with libxml2's SAX2 push parser with the same safety as the EndNote XML reader: no
// DTD is loaded, no entity is declared or substituted, the network is off, and nesting is capped
// (limits::xml_max_depth). Excel never writes a DTD or an entity other than the five predefined
// ones, so any other entity reference is an error, not a dropped text.
//
// Parts read (ECMA-376 Part 1, 18.2-18.8; Part 2 for the package): [Content_Types].xml (which part
// is the workbook; a .docx, .pptx or .ods is refused by name), the workbook (its first visible
// sheet, date1904), the workbook's relationships (where that sheet, the shared strings and the
// styles are), sharedStrings.xml (rich-text runs joined, phonetic runs dropped), styles.xml
// (which cell styles are dates) and the sheet. Cell values: shared strings (t="s"), inline
// strings (t="inlineStr"), formula strings (t="str"), booleans, ISO dates (t="d"), error values
// (reported, read as empty) and numbers; a whole number is written without a fraction or exponent
// (a year 2019 stored as the number 2.019E3 reads "2019"), a number in a date style as an ISO
// date. The escapes _xHHHH_ of OOXML strings are decoded.
//
// The first non-blank row is the header; the header decides the column mapping (table_format):
// the WoS mapping (tags, or the Excel export's full names), the Scopus mapping or the generic one,
// the same code the CSV and tab-delimited exports go through. A malformed cell is reported with
// its sheet reference ("export.xlsx: Sheet1!C7: ...") and read as empty or as written; its record
// is kept. A corrupt archive, a missing part or malformed XML is an input error.

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <zip.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "import_internal.hpp"
#include "metasift/core/check.hpp"
#include "metasift/core/limits.hpp"
#include "xml_sax.hpp"

namespace metasift::review::detail {
namespace {

std::string_view sv(const xmlChar* s) {
  return s != nullptr ? std::string_view(reinterpret_cast<const char*>(s)) : "";
}

/// Attributes of a SAX2 start tag, looked up by local name.
struct xml_attributes {
  int count = 0;
  const xmlChar** values = nullptr;  ///< localname, prefix, URI, value, value end (5 per attribute)

  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const {
    for (int i = 0; i < count; ++i) {
      const xmlChar* const* a = values + 5 * i;
      if (sv(a[0]) == name) {
        return std::string_view(reinterpret_cast<const char*>(a[3]), static_cast<std::size_t>(a[4] - a[3]));
      }
    }
    return std::nullopt;
  }
};

/// One XML part read with libxml2's SAX2 push parser; subclasses see elements and text.
class sax_part {
 public:
  sax_part() = default;
  sax_part(const sax_part&) = delete;
  sax_part& operator=(const sax_part&) = delete;
  virtual ~sax_part() = default;

  /// Parses `xml`; `where` names the part in errors ("export.xlsx: xl/worksheets/sheet1.xml").
  void parse(std::string_view xml, const std::string& where) {
    where_ = where;
    xmlSAXHandler sax = detail::quiet_sax2(&on_start, &on_end, &on_text, &on_error);
    // Warnings stay on: an undeclared entity is only a warning when the part names an external
    // DTD, and it must reach on_error to stop the import.
    detail::sax_push_parse(sax, this, xml, nullptr, XML_PARSE_NONET, false, ctxt_, stopped_);
    if (failure_) std::rethrow_exception(failure_);
  }

 protected:
  virtual void start(std::string_view name, const xml_attributes& attributes) = 0;
  virtual void end(std::string_view name) = 0;
  virtual void text(std::string_view t) = 0;

  [[nodiscard]] std::size_t line() const {
    return ctxt_ != nullptr && ctxt_->input != nullptr ? static_cast<std::size_t>(std::max(ctxt_->input->line, 1)) : 0;
  }
  [[nodiscard]] std::size_t column() const {
    return ctxt_ != nullptr && ctxt_->input != nullptr ? static_cast<std::size_t>(std::max(ctxt_->input->col, 1)) : 0;
  }
  [[nodiscard]] const std::string& where() const { return where_; }

 private:
  void stop(const source_position& at, const std::string& message) {
    if (!failure_) {
      try {
        fail_input(at, "", message);
      } catch (...) {
        failure_ = std::current_exception();
      }
    }
    stopped_ = true;
    xmlStopParser(ctxt_);
  }
  void catch_failure() {
    if (!failure_) failure_ = std::current_exception();
    stopped_ = true;
    xmlStopParser(ctxt_);
  }

  // SAX callbacks: C code calls them, so nothing may escape.
  static void on_start(void* self, const xmlChar* localname, const xmlChar* /*prefix*/, const xmlChar* /*uri*/,
                       int /*nb_namespaces*/, const xmlChar** /*namespaces*/, int nb_attributes, int /*nb_defaulted*/,
                       const xmlChar** attributes) {
    auto* p = static_cast<sax_part*>(self);
    if (p->stopped_) return;
    try {
      if (++p->depth_ > limits::xml_max_depth) {
        p->stop(source_position{p->where_, p->line(), p->column()},
                "elements nest deeper than the limit xml_max_depth (" + std::to_string(limits::xml_max_depth) + ")");
        return;
      }
      p->start(sv(localname), xml_attributes{nb_attributes, attributes});
    } catch (...) {
      p->catch_failure();
    }
  }
  static void on_end(void* self, const xmlChar* localname, const xmlChar* /*prefix*/, const xmlChar* /*uri*/) {
    auto* p = static_cast<sax_part*>(self);
    if (p->stopped_) return;
    try {
      if (p->depth_ > 0) --p->depth_;
      p->end(sv(localname));
    } catch (...) {
      p->catch_failure();
    }
  }
  static void on_text(void* self, const xmlChar* ch, int len) {
    auto* p = static_cast<sax_part*>(self);
    if (p->stopped_) return;
    try {
      p->text(std::string_view(reinterpret_cast<const char*>(ch), static_cast<std::size_t>(std::max(len, 0))));
    } catch (...) {
      p->catch_failure();
    }
  }
  static void on_error(void* self, xmlErrorPtr e) {
    auto* p = static_cast<sax_part*>(self);
    if (p->stopped_ || e == nullptr) return;
    try {
      // An undeclared entity is only a warning to libxml2 when a DTD is present; here it would
      // be text lost, so it stops the import like any other error.
      if (e->level == XML_ERR_WARNING && e->code != XML_WAR_UNDECLARED_ENTITY) return;
      std::string msg = e->message != nullptr ? e->message : "malformed XML";
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
      if (e->code == XML_WAR_UNDECLARED_ENTITY || e->code == XML_ERR_UNDECLARED_ENTITY) {
        msg += " (entities other than &amp; &lt; &gt; &quot; &apos; are never read)";
      }
      p->stop(source_position{p->where_, static_cast<std::size_t>(std::max(e->line, 0)),
                              static_cast<std::size_t>(std::max(e->int2, 0))},
              "malformed XML: " + msg);
    } catch (...) {
      p->catch_failure();
    }
  }

  xmlParserCtxtPtr ctxt_ = nullptr;
  std::string where_;
  std::size_t depth_ = 0;
  bool stopped_ = false;
  std::exception_ptr failure_;
};

// ---------------------------------------------------------------------------------------------
// Strings and numbers

/// Decodes the _xHHHH_ escapes of OOXML strings (ST_Xstring): "_x000D_" is a carriage return,
/// "_x005F_" an underscore that would otherwise start an escape.
std::string decode_xstring(std::string s) {
  if (s.find("_x") == std::string::npos) return s;
  std::string out;
  out.reserve(s.size());
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_' && i + 6 < s.size() && s[i + 1] == 'x' && s[i + 6] == '_') {
      char32_t cp = 0;
      bool ok = true;
      for (std::size_t k = 2; k < 6; ++k) {
        const int h = hex(s[i + k]);
        ok = ok && h >= 0;
        cp = cp * 16 + static_cast<char32_t>(std::max(h, 0));
      }
      if (ok && !(cp >= 0xD800 && cp <= 0xDFFF)) {
        append_utf8(out, cp);
        i += 6;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

/// Column index (0-based) of the letters of a cell reference ("A" 0, "Z" 25, "AA" 26, "XFD"
/// 16383); nullopt past Excel's last column.
std::optional<std::size_t> column_index(std::string_view letters) {
  constexpr std::size_t excel_columns = 16384;
  if (letters.empty() || letters.size() > 3) return std::nullopt;
  std::size_t c = 0;
  for (const char ch : letters) c = c * 26 + static_cast<std::size_t>(ch - 'A' + 1);
  if (c > excel_columns) return std::nullopt;
  return c - 1;
}

std::string column_letters(std::size_t index) {
  std::string s;
  for (std::size_t n = index + 1; n > 0; n = (n - 1) / 26) s.insert(s.begin(), static_cast<char>('A' + (n - 1) % 26));
  return s;
}

std::optional<std::size_t> parse_count(std::string_view s) {
  std::size_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

/// A spreadsheet number as text: a whole number without fraction or exponent, else as written.
std::optional<std::string> number_text(std::string_view v) {
  v = trim(v);
  if (v.empty()) return std::string();
  double x = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc{} || ptr != v.data() + v.size() || !std::isfinite(x)) return std::nullopt;
  if (x == std::floor(x) && std::fabs(x) < 1e15) return std::to_string(static_cast<long long>(x));
  return std::string(v);
}

/// Calendar date of an Excel serial day number, as "YYYY-MM-DD"; nullopt outside 1900-9999.
/// The 1900 system counts 1900-01-01 as day 1 and keeps Lotus 1-2-3's nonexistent 1900-02-29 as
/// day 60 (ECMA-376 Part 1, 18.17.4.1), so days from 61 on are days since 1899-12-30; the 1904
/// system counts from 1904-01-01 = day 0. Civil date from days since 1970-01-01: H. Hinnant,
/// "chrono-Compatible Low-Level Date Algorithms" (days_from_civil / civil_from_days).
std::optional<std::string> excel_date(double serial, bool date1904) {
  if (!std::isfinite(serial) || serial < 0 || serial >= 2958466) return std::nullopt;
  auto days = static_cast<long long>(std::floor(serial));
  if (date1904) {
    days += 1462;
  } else if (days < 61) {
    if (days == 0 || days == 60) return std::nullopt;  // "1900-01-00" and "1900-02-29" do not exist
    days += 1;
  }
  long long z = days - 25569 + 719468;  // 1899-12-30 is 25569 days before 1970-01-01
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const long long doe = z - era * 146097;
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long y = yoe + era * 400;
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153;
  const long long d = doy - (153 * mp + 2) / 5 + 1;
  const long long m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  if (y < 1900 || y > 9999) return std::nullopt;
  const auto two = [](long long v) { return std::string(v < 10 ? "0" : "") + std::to_string(v); };
  return std::to_string(y) + "-" + two(m) + "-" + two(d);
}

/// True for a number format code that shows a date or time: a d, m, y, h or s outside quoted
/// text, escapes and [colour]/[locale] brackets ("yyyy-mm-dd", "d-mmm-yy", "[$-409]mmmm d, yyyy").
bool is_date_format_code(std::string_view code) {
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '"') {
      const std::size_t close = code.find('"', i + 1);
      if (close == std::string_view::npos) return false;
      i = close;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;
    } else if (c == '[') {
      const std::size_t close = code.find(']', i + 1);
      if (close == std::string_view::npos) return false;
      i = close;
    } else {
      const char l = to_lower(c);
      if (l == 'd' || l == 'm' || l == 'y' || l == 'h' || l == 's') return true;
    }
  }
  return false;
}

/// The built-in number formats that are dates or times (ECMA-376 Part 1, 18.8.30; 27-36 and
/// 50-58 are the East Asian date formats).
bool is_builtin_date_format(std::size_t id) {
  return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58);
}

// ---------------------------------------------------------------------------------------------
// Package parts

/// [Content_Types].xml: the part names and their content types.
class content_types_part final : public sax_part {
 public:
  std::vector<std::pair<std::string, std::string>> overrides;  ///< part name (no leading '/'), type
  std::vector<std::string> types;                              ///< every content type named

 protected:
  void start(std::string_view name, const xml_attributes& a) override {
    if (name != "Override" && name != "Default") return;
    const std::string type(a.get("ContentType").value_or(""));
    types.push_back(type);
    if (name == "Override") {
      std::string part(a.get("PartName").value_or(""));
      if (part.starts_with('/')) part.erase(0, 1);
      overrides.emplace_back(std::move(part), type);
    }
  }
  void end(std::string_view /*name*/) override {}
  void text(std::string_view /*t*/) override {}
};

struct sheet_entry {
  std::string name;
  std::string rel_id;
  bool hidden = false;
};

class workbook_part final : public sax_part {
 public:
  std::vector<sheet_entry> sheets;
  bool date1904 = false;

 protected:
  void start(std::string_view name, const xml_attributes& a) override {
    if (name == "sheet") {
      sheet_entry s;
      s.name = std::string(a.get("name").value_or(""));
      s.rel_id = std::string(a.get("id").value_or(""));
      const std::string_view state = a.get("state").value_or("");
      s.hidden = state == "hidden" || state == "veryHidden";
      sheets.push_back(std::move(s));
    } else if (name == "workbookPr") {
      const std::string_view d = a.get("date1904").value_or("");
      date1904 = d == "1" || d == "true";
    }
  }
  void end(std::string_view /*name*/) override {}
  void text(std::string_view /*t*/) override {}
};

struct relationship {
  std::string id, type, target;
};

class rels_part final : public sax_part {
 public:
  std::vector<relationship> rels;

 protected:
  void start(std::string_view name, const xml_attributes& a) override {
    if (name != "Relationship") return;
    rels.push_back(relationship{std::string(a.get("Id").value_or("")), std::string(a.get("Type").value_or("")),
                                std::string(a.get("Target").value_or(""))});
  }
  void end(std::string_view /*name*/) override {}
  void text(std::string_view /*t*/) override {}
};

/// sharedStrings.xml: <si> items, each the text of its <t> elements (plain, or in rich-text runs
/// <r>), without the phonetic runs <rPh> (furigana of Japanese text).
class shared_strings_part final : public sax_part {
 public:
  std::vector<std::string> strings;

 protected:
  void start(std::string_view name, const xml_attributes& /*a*/) override {
    if (name == "si") {
      in_si_ = true;
      current_.clear();
    } else if (name == "rPh") {
      ++in_phonetic_;
    } else if (name == "t" && in_si_ && in_phonetic_ == 0) {
      in_t_ = true;
    }
  }
  void end(std::string_view name) override {
    if (name == "si" && in_si_) {
      strings.push_back(decode_xstring(std::move(current_)));
      current_.clear();
      in_si_ = false;
    } else if (name == "rPh") {
      if (in_phonetic_ > 0) --in_phonetic_;
    } else if (name == "t") {
      in_t_ = false;
    }
  }
  void text(std::string_view t) override {
    if (in_t_) current_.append(t);
  }

 private:
  std::string current_;
  bool in_si_ = false;
  bool in_t_ = false;
  int in_phonetic_ = 0;
};

/// styles.xml: for each cell format (<cellXfs><xf>), whether its number format is a date.
class styles_part final : public sax_part {
 public:
  std::vector<bool> date_style;

 protected:
  void start(std::string_view name, const xml_attributes& a) override {
    if (name == "numFmt") {
      const auto id = parse_count(a.get("numFmtId").value_or(""));
      if (id && is_date_format_code(a.get("formatCode").value_or(""))) custom_dates_.push_back(*id);
    } else if (name == "cellXfs") {
      in_cell_xfs_ = true;
    } else if (name == "xf" && in_cell_xfs_) {
      const std::size_t id = parse_count(a.get("numFmtId").value_or("0")).value_or(0);
      date_style.push_back(is_builtin_date_format(id) ||
                           std::find(custom_dates_.begin(), custom_dates_.end(), id) != custom_dates_.end());
    }
  }
  void end(std::string_view name) override {
    if (name == "cellXfs") in_cell_xfs_ = false;
  }
  void text(std::string_view /*t*/) override {}

 private:
  std::vector<std::size_t> custom_dates_;
  bool in_cell_xfs_ = false;
};

/// A sheet read into rows of cell texts; malformed cells are reported with their reference.
class sheet_part final : public sax_part {
 public:
  struct row {
    std::size_t number = 0;
    std::vector<std::string> cells;
  };

  sheet_part(parse_context& ctx, std::string sheet, const std::vector<std::string>& strings,
             const std::vector<bool>& date_style, bool date1904)
      : ctx_(ctx), sheet_(std::move(sheet)), strings_(strings), date_style_(date_style), date1904_(date1904) {}

  std::vector<row> rows;

 protected:
  void start(std::string_view name, const xml_attributes& a) override {
    if (name == "sheetData") {
      in_data_ = true;
    } else if (!in_data_) {
      return;
    } else if (name == "row") {
      const std::size_t next = row_number_ + 1;
      const std::optional<std::string_view> r = a.get("r");
      const auto n = r ? parse_count(*r) : std::optional<std::size_t>(next);
      if (!n || *n <= row_number_ || *n > max_rows) {
        warn(next, sheet_ + " row " + std::to_string(next),
             "row number '" + std::string(r.value_or("")) + "' is not valid here; read as row " + std::to_string(next));
        row_number_ = next;
      } else {
        row_number_ = *n;
      }
      current_ = row{row_number_, {}};
      column_ = 0;
      in_row_ = true;
    } else if (name == "c" && in_row_) {
      cell_type_ = std::string(a.get("t").value_or("n"));
      cell_style_ = parse_count(a.get("s").value_or("0")).value_or(0);
      value_.clear();
      inline_.clear();
      has_value_ = false;
      std::size_t col = column_;
      if (const std::optional<std::string_view> ref = a.get("r"); ref) {
        const auto parsed = parse_reference(*ref);
        if (!parsed) {
          warn(row_number_, ref_name(column_),
               "cell reference '" + std::string(*ref) + "' is not valid; read as " + column_letters(column_) +
                   std::to_string(row_number_));
        } else {
          col = *parsed;
        }
      }
      cell_column_ = col;
      column_ = col + 1;
      in_cell_ = true;
    } else if (in_cell_ && name == "v") {
      in_v_ = true;
      has_value_ = true;
    } else if (in_cell_ && name == "is") {
      in_is_ = true;
      has_value_ = true;
    } else if (in_is_ && name == "rPh") {
      ++in_phonetic_;
    } else if (in_is_ && name == "t" && in_phonetic_ == 0) {
      in_t_ = true;
    }
  }

  void end(std::string_view name) override {
    if (name == "sheetData") {
      in_data_ = false;
    } else if (name == "row" && in_row_) {
      in_row_ = false;
      bool blank = true;
      for (const std::string& c : current_.cells) blank = blank && trim(c).empty();
      if (!blank) rows.push_back(std::move(current_));
    } else if (name == "c" && in_cell_) {
      in_cell_ = false;
      finish_cell();
    } else if (name == "v") {
      in_v_ = false;
    } else if (name == "is") {
      in_is_ = false;
    } else if (name == "rPh") {
      if (in_phonetic_ > 0) --in_phonetic_;
    } else if (name == "t") {
      in_t_ = false;
    }
  }

  void text(std::string_view t) override {
    if (in_v_) {
      value_.append(t);
    } else if (in_t_) {
      inline_.append(t);
    }
  }

 private:
  static constexpr std::size_t max_rows = 1'048'576;  // Excel's last row

  /// "C7" -> column 2 when the row part matches the row being read.
  [[nodiscard]] std::optional<std::size_t> parse_reference(std::string_view ref) const {
    std::size_t i = 0;
    while (i < ref.size() && is_upper(ref[i])) ++i;
    const auto col = column_index(ref.substr(0, i));
    const auto r = parse_count(ref.substr(i));
    if (!col || !r || *r != row_number_) return std::nullopt;
    return col;
  }

  [[nodiscard]] std::string ref_name(std::size_t col) const {
    return sheet_ + "!" + column_letters(col) + std::to_string(row_number_);
  }

  void warn(std::size_t line, const std::string& where, const std::string& message) {
    ctx_.warn_at(line, where, message);
  }

  void finish_cell() {
    const std::string ref = ref_name(cell_column_);
    std::string out;
    if (cell_type_ == "s") {
      const auto index = parse_count(trim(value_));
      if (!index) {
        if (has_value_) warn(row_number_, ref, "shared-string index '" + value_ + "' is not a number; read as empty");
      } else if (*index >= strings_.size()) {
        warn(row_number_, ref,
             "shared string " + std::to_string(*index) + " does not exist (the workbook has " +
                 std::to_string(strings_.size()) + "); read as empty");
      } else {
        out = strings_[*index];
      }
    } else if (cell_type_ == "inlineStr") {
      out = decode_xstring(inline_);
    } else if (cell_type_ == "str" || cell_type_ == "d") {
      out = decode_xstring(value_);
    } else if (cell_type_ == "b") {
      const std::string_view v = trim(value_);
      if (v == "1" || v == "0") {
        out = v == "1" ? "TRUE" : "FALSE";
      } else if (!v.empty()) {
        warn(row_number_, ref, "boolean cell holds '" + value_ + "'; read as written");
        out = value_;
      }
    } else if (cell_type_ == "e") {
      if (!trim(value_).empty()) {
        warn(row_number_, ref, "cell holds the error value " + std::string(trim(value_)) + "; read as empty");
      }
    } else if (cell_type_ == "n") {
      const std::optional<std::string> n = number_text(value_);
      if (!n) {
        warn(row_number_, ref, "number cell holds '" + value_ + "', which is not a number; read as written");
        out = value_;
      } else if (!n->empty() && cell_style_ < date_style_.size() && date_style_[cell_style_]) {
        const std::optional<std::string> d = excel_date(std::stod(std::string(trim(value_))), date1904_);
        if (d) {
          out = *d;
        } else {
          warn(row_number_, ref, "date cell holds " + *n + ", which is no date in 1900-9999; read as the number");
          out = *n;
        }
      } else {
        out = *n;
      }
    } else {
      warn(row_number_, ref, "unknown cell type '" + cell_type_ + "'; its value is read as written");
      out = value_.empty() ? decode_xstring(inline_) : value_;
    }
    if (cell_column_ < current_.cells.size() && !current_.cells[cell_column_].empty()) {
      warn(row_number_, ref, "the cell is written twice; the first value is kept");
      return;
    }
    if (out.empty()) return;
    if (current_.cells.size() <= cell_column_) current_.cells.resize(cell_column_ + 1);
    current_.cells[cell_column_] = std::move(out);
  }

  parse_context& ctx_;
  std::string sheet_;
  const std::vector<std::string>& strings_;
  const std::vector<bool>& date_style_;
  bool date1904_ = false;

  row current_;
  std::size_t row_number_ = 0;
  std::size_t column_ = 0;  ///< column of the next cell without a reference
  std::size_t cell_column_ = 0;
  std::string cell_type_;
  std::size_t cell_style_ = 0;
  std::string value_, inline_;
  bool has_value_ = false;
  bool in_data_ = false, in_row_ = false, in_cell_ = false, in_v_ = false, in_is_ = false, in_t_ = false;
  int in_phonetic_ = 0;
};

// ---------------------------------------------------------------------------------------------
// The archive

class zip_archive {
 public:
  zip_archive(std::string_view bytes, const std::string& file) : file_(file) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err);
    if (src == nullptr) {
      const std::string m = zip_error_strerror(&err);
      zip_error_fini(&err);
      fail_input(source_position{file_, 0, 0}, "", "cannot read the ZIP archive: " + m);
    }
    za_ = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (za_ == nullptr) {
      zip_source_free(src);
      const std::string m = zip_error_strerror(&err);
      zip_error_fini(&err);
      fail_input(source_position{file_, 0, 0}, "", "not a readable ZIP archive (" + m + "); the file is damaged");
    }
    zip_error_fini(&err);
  }
  zip_archive(const zip_archive&) = delete;
  zip_archive& operator=(const zip_archive&) = delete;
  ~zip_archive() { zip_discard(za_); }

  [[nodiscard]] bool has(const std::string& name) const {
    return zip_name_locate(za_, name.c_str(), ZIP_FL_NOCASE) >= 0;
  }

  /// The inflated bytes of a part; nullopt when the archive has no such part. Every byte counts
  /// against limits::xlsx_max_unpacked_bytes, whatever sizes the archive declares.
  std::optional<std::string> read(const std::string& name) {
    const zip_int64_t index = zip_name_locate(za_, name.c_str(), ZIP_FL_NOCASE);
    if (index < 0) return std::nullopt;
    zip_file_t* f = zip_fopen_index(za_, static_cast<zip_uint64_t>(index), 0);
    if (f == nullptr) {
      fail_input(source_position{file_, 0, 0}, "",
                 "cannot open " + name + " in the archive: " + zip_strerror(za_) +
                     (zip_error_code_zip(zip_get_error(za_)) == ZIP_ER_NOPASSWD ? " (the part is encrypted)" : ""));
    }
    struct closer {
      zip_file_t* f;
      ~closer() { zip_fclose(f); }
    } const guard{f};
    std::string out;
    char buf[1U << 16];
    for (;;) {
      const zip_int64_t n = zip_fread(f, buf, sizeof buf);
      if (n < 0) {
        fail_input(source_position{file_, 0, 0}, "",
                   "cannot unpack " + name + " (" + zip_file_strerror(f) + "); the file is damaged");
      }
      if (n == 0) break;
      unpacked_ += static_cast<std::uint64_t>(n);
      if (unpacked_ > limits::xlsx_max_unpacked_bytes) {
        fail_input(source_position{file_, 0, 0}, "",
                   "the workbook unpacks to more than the limit xlsx_max_unpacked_bytes (" +
                       std::to_string(limits::xlsx_max_unpacked_bytes) + " bytes; stopped in " + name +
                       "): not a real export (a ZIP bomb?)");
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  std::string file_;
  zip_t* za_ = nullptr;
  std::uint64_t unpacked_ = 0;
};

/// "xl/workbook.xml" + "worksheets/sheet1.xml" -> "xl/worksheets/sheet1.xml"; a target starting
/// with '/' is from the package root; ".." steps up.
std::string resolve_target(const std::string& source_part, std::string_view target) {
  std::vector<std::string> parts;
  if (!target.starts_with('/')) {
    const std::size_t slash = source_part.rfind('/');
    if (slash != std::string::npos) split_into(source_part.substr(0, slash), '/', parts);
  }
  std::vector<std::string> more;
  split_into(target, '/', more);
  for (std::string& p : more) {
    if (p == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (p != ".") {
      parts.push_back(std::move(p));
    }
  }
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

/// The relationships part of a part: "xl/workbook.xml" -> "xl/_rels/workbook.xml.rels".
std::string rels_of(const std::string& part) {
  const std::size_t slash = part.rfind('/');
  if (slash == std::string::npos) return "_rels/" + part + ".rels";
  return part.substr(0, slash) + "/_rels/" + part.substr(slash + 1) + ".rels";
}

bool is_workbook_type(std::string_view type) {
  return type.ends_with("spreadsheetml.sheet.main+xml") || type.ends_with("sheet.macroEnabled.main+xml") ||
         type.ends_with("spreadsheetml.template.main+xml") || type.ends_with("template.macroEnabled.main+xml");
}

/// A sheet name as Excel writes it in a reference: quoted when it holds anything but letters,
/// digits, '_' and '.'.
std::string reference_name(const std::string& name) {
  bool plain = !name.empty();
  for (const char c : name) {
    plain = plain && (is_alpha(c) || is_digit(c) || c == '_' || c == '.' || static_cast<unsigned char>(c) >= 0x80);
  }
  if (plain) return name;
  std::string q = "'";
  for (const char c : name) {
    q += c;
    if (c == '\'') q += '\'';
  }
  return q + "'";
}

}  // namespace

void parse_xlsx(std::string_view bytes, parse_context& ctx) {
  const source_position whole{ctx.file, 0, 0};
  zip_archive zip(bytes, ctx.file);
  const auto where = [&](const std::string& part) { return ctx.file + ": " + part; };

  // Which part is the workbook; other Office and OpenDocument files are refused by name.
  std::string workbook_name;
  content_types_part types;
  if (const std::optional<std::string> ct = zip.read("[Content_Types].xml"); ct) {
    types.parse(*ct, where("[Content_Types].xml"));
    for (const auto& [part, type] : types.overrides) {
      if (is_workbook_type(type)) {
        workbook_name = part;
        break;
      }
    }
  }
  if (workbook_name.empty() && zip.has("xl/workbook.xml")) workbook_name = "xl/workbook.xml";
  if (workbook_name.empty()) {
    const auto names = [&](std::string_view what) {
      return std::any_of(types.types.begin(), types.types.end(),
                         [&](const std::string& t) { return t.find(what) != std::string::npos; });
    };
    if (names("wordprocessingml") || zip.has("word/document.xml")) {
      fail_input(whole, "", "this is a Word document (.docx), not a bibliographic export");
    }
    if (names("presentationml") || zip.has("ppt/presentation.xml")) {
      fail_input(whole, "", "this is a PowerPoint file (.pptx), not a bibliographic export");
    }
    if (const std::optional<std::string> mime = zip.read("mimetype");
        mime && mime->starts_with("application/vnd.oasis.opendocument")) {
      fail_input(whole, "",
                 "this is an OpenDocument file (" + std::string(trim(*mime).substr(0, 80)) +
                     "); save the sheet as .xlsx or CSV");
    }
    fail_input(whole, "",
               "this is a ZIP archive but not an Excel workbook (no workbook part); unpack it and import the export "
               "inside");
  }

  const std::optional<std::string> workbook_xml = zip.read(workbook_name);
  if (!workbook_xml) fail_input(whole, "", "the workbook part " + workbook_name + " is missing from the archive");
  workbook_part workbook;
  workbook.parse(*workbook_xml, where(workbook_name));
  if (workbook.sheets.empty()) fail_input(whole, "", "the workbook has no sheet");
  const auto visible =
      std::find_if(workbook.sheets.begin(), workbook.sheets.end(), [](const sheet_entry& s) { return !s.hidden; });
  const sheet_entry& sheet = visible != workbook.sheets.end() ? *visible : workbook.sheets.front();

  rels_part rels;
  const std::string rels_name = rels_of(workbook_name);
  if (const std::optional<std::string> r = zip.read(rels_name); r) rels.parse(*r, where(rels_name));
  std::string sheet_name;
  std::string strings_name;
  std::string styles_name;
  for (const relationship& r : rels.rels) {
    if (r.id == sheet.rel_id && !sheet.rel_id.empty()) sheet_name = resolve_target(workbook_name, r.target);
    if (r.type.ends_with("/sharedStrings")) strings_name = resolve_target(workbook_name, r.target);
    if (r.type.ends_with("/styles")) styles_name = resolve_target(workbook_name, r.target);
  }
  if (sheet_name.empty()) {
    if (!rels.rels.empty() || sheet.rel_id.empty()) {
      fail_input(whole, "",
                 "the workbook's sheet '" + sheet.name + "' has no part (relationship '" + sheet.rel_id +
                     "' is not in " + rels_name + ")");
    }
    sheet_name = resolve_target(workbook_name, "worksheets/sheet1.xml");
  }
  if (strings_name.empty() && rels.rels.empty()) strings_name = resolve_target(workbook_name, "sharedStrings.xml");
  if (styles_name.empty() && rels.rels.empty()) styles_name = resolve_target(workbook_name, "styles.xml");

  shared_strings_part strings;
  if (!strings_name.empty()) {
    if (const std::optional<std::string> s = zip.read(strings_name); s) strings.parse(*s, where(strings_name));
  }
  styles_part styles;
  if (!styles_name.empty()) {
    if (const std::optional<std::string> s = zip.read(styles_name); s) styles.parse(*s, where(styles_name));
  }

  const std::optional<std::string> sheet_xml = zip.read(sheet_name);
  if (!sheet_xml) {
    fail_input(whole, "", "the sheet '" + sheet.name + "' (" + sheet_name + ") is missing from the archive");
  }
  const std::string ref_name = reference_name(sheet.name.empty() ? "Sheet1" : sheet.name);
  sheet_part rows(ctx, ref_name, strings.strings, styles.date_style, workbook.date1904);
  rows.parse(*sheet_xml, where(sheet_name));

  // The first non-blank row is the header; the others are records.
  io::table t;
  t.file = ctx.file;
  t.delimiter = '\0';
  if (rows.rows.empty()) {
    ctx.warn_at(0, ref_name, "the sheet is empty");
    return;
  }
  const sheet_part::row& header = rows.rows.front();
  for (const std::string& h : header.cells) t.names.emplace_back(trim(h));
  while (!t.names.empty() && t.names.back().empty()) t.names.pop_back();
  const std::size_t width = t.names.size();
  for (std::size_t i = 1; i < rows.rows.size(); ++i) {
    sheet_part::row& r = rows.rows[i];
    for (std::size_t c = 0; c < r.cells.size(); ++c) {
      if (trim(r.cells[c]).empty() || (c < width && !t.names[c].empty())) continue;
      ctx.warn_at(r.number, ref_name + "!" + column_letters(c) + std::to_string(r.number),
                  "value in a column without a header is ignored");
    }
    r.cells.resize(width);
    t.rows.push_back(std::move(r.cells));
    t.row_line.push_back(r.number);
  }
  ctx.sheet = ref_name;
  const std::string format = table_format(t.names, '\0');
  if (format == "wos-tab") {
    wos_table_records(t, ctx);
  } else if (format == "scopus-csv") {
    scopus_table_records(t, ctx);
  } else {
    csv_table_records(t, ctx);
  }
}

}  // namespace metasift::review::detail
