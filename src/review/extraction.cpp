// The extraction codebook ([extraction] in review.toml, read with toml++) and the check of the
// extraction files against it.
#include "metasift/review/extraction.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "metasift/core/check.hpp"
#include "metasift/io/file.hpp"
#include "metasift/io/table.hpp"
#include "metasift/review/criteria.hpp"
#include "metasift/review/dedup_normalize.hpp"
#include "metasift/review/screen.hpp"

namespace metasift::review {
namespace {

namespace fs = std::filesystem;

/// Concatenation without operator+ on temporaries (GCC 12 -Wrestrict false positives).
template <class... P>
std::string cat(const P&... parts) {
  std::string s;
  (s.append(std::string_view(parts)), ...);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

bool is_missing(std::string_view cell) {
  const std::string t = trim(cell);
  return t.empty() || t == "NA" || t == ".";
}

struct toml_reader {
  std::string label;
  fs::path dir;
  bool allow_outside = false;

  [[nodiscard]] source_position at(const toml::source_region& r) const {
    return {label, static_cast<std::size_t>(r.begin.line), static_cast<std::size_t>(r.begin.column)};
  }
  [[nodiscard]] source_position at(const toml::node& n) const { return at(n.source()); }
  [[noreturn]] void fail(const source_position& where, std::string_view message) const {
    fail_input(where, "", message);
  }

  void check_keys(const toml::table& t, std::initializer_list<std::string_view> allowed, std::string_view where) const {
    for (auto&& [k, v] : t) {
      if (std::find(allowed.begin(), allowed.end(), k.str()) == allowed.end()) {
        std::string list;
        for (auto a : allowed) list += cat(list.empty() ? "" : ", ", a);
        fail(at(k.source()), cat("unknown key '", k.str(), "' in ", where, " (expected ", list, ")"));
      }
    }
  }

  [[nodiscard]] std::string string_of(const toml::node& n, std::string_view key) const {
    const auto* s = n.as_string();
    if (s == nullptr) fail(at(n), cat("'", key, "' must be a string"));
    return s->get();
  }

  [[nodiscard]] double number_of(const toml::node& n, std::string_view key) const {
    if (const auto* i = n.as_integer()) return static_cast<double>(i->get());
    if (const auto* f = n.as_floating_point()) {
      if (std::isfinite(f->get())) return f->get();
    }
    fail(at(n), cat("'", key, "' must be a finite number"));
  }

  [[nodiscard]] extraction_file file_of(const toml::node& n, std::string name, std::string_view key) const {
    extraction_file f;
    f.name = std::move(name);
    f.label = string_of(n, key);
    f.where = at(n);
    if (f.label.empty()) fail(f.where, "empty path");
    const fs::path p(f.label);
    if (!allow_outside) {
      if (p.is_absolute() || p.has_root_name() || p.has_root_directory()) {
        fail(f.where, "path '" + f.label + "' must be relative to the review file's folder");
      }
      const fs::path base = fs::weakly_canonical(fs::absolute(dir));
      const fs::path full = fs::weakly_canonical(fs::absolute(dir) / p);
      auto b = base.begin();
      auto q = full.begin();
      for (; b != base.end(); ++b, ++q) {
        if (b->empty()) continue;
        if (q == full.end() || *b != *q) fail(f.where, "path '" + f.label + "' escapes the review folder");
      }
    }
    f.path = (dir / p).lexically_normal();
    return f;
  }
};

bool valid_id(const std::string& id) {
  if (id.empty() || !(std::isalpha(static_cast<unsigned char>(id[0])) || id[0] == '_')) return false;
  return std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

std::string status_phrase(final_status s) {
  switch (s) {
    case final_status::duplicate: return "removed as a duplicate";
    case final_status::excluded_automatic: return "excluded by the search or a criterion";
    case final_status::awaiting_title_abstract: return "still awaiting title-abstract screening";
    case final_status::excluded_title_abstract: return "excluded at title-abstract screening";
    case final_status::not_retrieved: return "not retrieved";
    case final_status::excluded_full_text: return "excluded at full text";
    case final_status::awaiting_full_text: return "still awaiting full-text assessment";
    case final_status::included: return "included";
    case final_status::awaiting_title_abstract_adjudication:
      return "still awaiting adjudication of the reviewers' title-abstract decisions";
    case final_status::awaiting_title_abstract_second_reviewer:
      return "still awaiting a second reviewer's title-abstract decision";
    case final_status::awaiting_full_text_adjudication:
      return "still awaiting adjudication of the reviewers' full-text decisions";
    case final_status::awaiting_full_text_second_reviewer:
      return "still awaiting a second reviewer's full-text decision";
  }
  return "?";
}

bool is_source_column(const std::string& name) {
  const std::string n = lower(name);
  return n == "source" || (n.size() > 7 && n.compare(n.size() - 7, 7, "_source") == 0) || n.rfind("source_", 0) == 0;
}

std::optional<bool> parse_boolean(const std::string& cell) {
  const std::string v = lower(trim(cell));
  if (v == "true" || v == "yes" || v == "1") return true;
  if (v == "false" || v == "no" || v == "0") return false;
  return std::nullopt;
}

/// Comparison form of a valid cell: numbers as numbers, booleans as true/false, text trimmed.
std::string canonical(const extraction_field& f, const std::string& cell) {
  if (is_missing(cell)) return "";
  const std::string t = trim(cell);
  switch (f.type) {
    case field_type::number:
    case field_type::integer:
    case field_type::year: {
      try {
        std::size_t used = 0;
        const double x = std::stod(t, &used);
        if (used == t.size()) return format_value(x);
      } catch (const std::exception&) {
      }
      return t;
    }
    case field_type::boolean: {
      const auto b = parse_boolean(t);
      return b ? (*b ? "true" : "false") : t;
    }
    case field_type::text:
    case field_type::enumeration: return t;
  }
  return t;
}

/// One checked extraction file: record key -> row index, and its table.
struct checked_file {
  const extraction_file* file = nullptr;
  io::table table;
  std::map<std::string, std::size_t> row_of_record;  ///< record key -> row
  std::map<std::string, std::size_t> column_of_field;
};

bool is_numeric(field_type t) {
  return t == field_type::number || t == field_type::integer || t == field_type::year;
}

/// What is wrong with a non-blank, trimmed value of field f, or nullopt when it is valid; x is the
/// value as a number (read by the caller) for number, integer and year fields. The rules of a cell
/// of the extraction files, shared by the criteria on extracted fields.
std::optional<std::string> value_problem(const extraction_field& f, const std::string& cell, double x) {
  switch (f.type) {
    case field_type::text: return std::nullopt;
    case field_type::enumeration: {
      if (std::find(f.values.begin(), f.values.end(), cell) != f.values.end()) return std::nullopt;
      std::string list, near;
      for (const auto& v : f.values) {
        list += (list.empty() ? "" : ", ") + v;
        if (lower(v) == lower(cell)) near = v;
      }
      return cat("'", cell, "' is not one of ", list, near.empty() ? "" : cat(" (did you mean '", near, "'?)"));
    }
    case field_type::boolean:
      if (parse_boolean(cell)) return std::nullopt;
      return cat("'", cell, "' is not a boolean (true/false, yes/no or 1/0)");
    case field_type::number:
    case field_type::integer:
    case field_type::year: {
      if (f.type != field_type::number && x != std::floor(x)) {
        return cat("must be a whole number (", to_string(f.type), "), got ", cell);
      }
      if (f.type == field_type::year && !f.min && !f.max && (x < 1000 || x > 2999)) {
        return cat("'", cell, "' is not a four-digit year");
      }
      if (f.min && x < *f.min) return cat("must be at least ", format_value(*f.min), ", got ", cell);
      if (f.max && x > *f.max) return cat("must be at most ", format_value(*f.max), ", got ", cell);
      return std::nullopt;
    }
  }
  return std::nullopt;
}

/// value_problem of a non-blank, trimmed value outside a table: a number must be the whole text
/// and finite (the rule of io::table's cells).
std::optional<std::string> text_value_problem(const extraction_field& f, const std::string& v) {
  double x = 0;
  if (is_numeric(f.type)) {
    std::size_t used = 0;
    bool ok = false;
    try {
      x = std::stod(v, &used);
      ok = used == v.size() && std::isfinite(x);
    } catch (const std::exception&) {
    }
    if (!ok) return cat("'", v, "' is not a number (", to_string(f.type), " field)");
  }
  return value_problem(f, v, x);
}

void check_cell(const io::table& t, std::size_t row, std::size_t col, const extraction_field& f,
                std::vector<std::string>& errors) {
  const std::string& raw = t.rows[row][col];
  const source_position where = t.position(row, col);
  const std::string what = "column '" + t.names[col] + "'";
  auto error = [&](const std::string& message) { errors.push_back(where.to_string() + ": " + what + ": " + message); };
  if (is_missing(raw)) {
    if (f.required) error("required, but the cell is blank");
    return;
  }
  const std::string cell = trim(raw);
  double x = 0;
  if (is_numeric(f.type)) {
    try {
      x = t.number(row, col);
    } catch (const input_error& e) {
      errors.push_back(e.what());
      return;
    }
  }
  if (const auto p = value_problem(f, cell, x)) error(*p);
}

checked_file check_file(const extraction_file& file, const extraction_spec& spec,
                        const std::map<std::string, const record_ref*>& lookup, std::vector<std::string>& errors) {
  checked_file out;
  out.file = &file;
  out.table = io::parse_table(io::read_file(file.path), file.path.string());
  const io::table& t = out.table;
  const auto record_col = t.find("record");
  if (!record_col) {
    errors.push_back(source_position{t.file, 1, 0}.to_string() +
                     ": no 'record' column: each row must name its record (record id such as 'Scopus:S14', or DOI)");
  }
  for (const auto& f : spec.fields) {
    const auto c = t.find(f.id);
    if (!c) {
      errors.push_back(source_position{t.file, 1, 0}.to_string() + ": no column '" + f.id +
                       "' for the codebook field of that name");
    } else {
      out.column_of_field[f.id] = *c;
    }
  }
  for (std::size_t c = 0; c < t.names.size(); ++c) {
    const std::string& n = t.names[c];
    if ((record_col && c == *record_col) || is_source_column(n)) continue;
    const bool known = std::any_of(spec.fields.begin(), spec.fields.end(),
                                   [&](const extraction_field& f) { return lower(f.id) == lower(n); });
    if (!known) {
      errors.push_back(t.header_position(c).to_string() + ": column '" + n +
                       "' is not a field of the codebook ([[extraction.fields]]) nor a source column");
    }
  }
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    if (record_col) {
      const std::string name = trim(t.rows[r][*record_col]);
      const std::string where = t.position(r, *record_col).to_string() + ": column 'record': ";
      if (name.empty()) {
        errors.push_back(where + "empty: every row must name its record");
      } else {
        auto it = lookup.find(lower(name));
        if (it == lookup.end()) {
          const std::string doi = canonical_doi(name);
          if (!doi.empty()) it = lookup.find(doi);
        }
        if (it == lookup.end()) {
          errors.push_back(where + "'" + name +
                           "' names no record of the review (use a record id such as 'Scopus:S14' or a DOI)");
        } else if (!it->second->included) {
          errors.push_back(where + "record " + it->second->key + " was " + it->second->status +
                           ": only included records are extracted");
        } else if (!out.row_of_record.emplace(it->second->key, r).second) {
          errors.push_back(where + "a second row for record " + it->second->key + " (first on line " +
                           std::to_string(t.row_line[out.row_of_record[it->second->key]]) + ")");
        }
      }
    }
    for (const auto& f : spec.fields) {
      const auto c = out.column_of_field.find(f.id);
      if (c != out.column_of_field.end()) check_cell(t, r, c->second, f, errors);
    }
  }
  return out;
}

}  // namespace

std::string_view to_string(field_type t) noexcept {
  switch (t) {
    case field_type::number: return "number";
    case field_type::integer: return "integer";
    case field_type::text: return "text";
    case field_type::enumeration: return "enum";
    case field_type::year: return "year";
    case field_type::boolean: return "boolean";
  }
  return "";
}

std::optional<extraction_spec> parse_extraction(std::string_view toml_text, const fs::path& path, bool allow_outside) {
  toml_reader rd{path.string(), path.has_parent_path() ? path.parent_path() : fs::path("."), allow_outside};
  toml::table root;
  try {
    root = toml::parse(toml_text, rd.label);
  } catch (const toml::parse_error& e) {
    rd.fail(rd.at(e.source()), cat("invalid TOML: ", e.description()));
  }
  const toml::node* en = root.get("extraction");
  if (en == nullptr) return std::nullopt;
  const toml::table* et = en->as_table();
  if (et == nullptr) rd.fail(rd.at(*en), "'extraction' must be a table ([extraction])");
  rd.check_keys(*et, {"fields", "extractors", "file", "consensus", "characteristics"}, "[extraction]");
  extraction_spec spec;
  spec.where = rd.at(*en);

  const toml::node* fn = et->get("fields");
  if (fn == nullptr) rd.fail(spec.where, "[extraction] has no fields: add [[extraction.fields]] tables (id, type)");
  const toml::array* fa = fn->as_array();
  if (fa == nullptr) rd.fail(rd.at(*fn), "'fields' must be an array of tables ([[extraction.fields]])");
  std::set<std::string> ids;
  for (const toml::node& el : *fa) {
    const toml::table* ft = el.as_table();
    if (ft == nullptr) rd.fail(rd.at(el), "each entry of 'fields' must be a table ([[extraction.fields]])");
    rd.check_keys(*ft, {"id", "type", "values", "required", "min", "max", "description"}, "[[extraction.fields]]");
    extraction_field f;
    f.where = rd.at(el);
    const toml::node* id = ft->get("id");
    if (id == nullptr) rd.fail(f.where, "[[extraction.fields]] needs id = \"...\"");
    f.id = rd.string_of(*id, "id");
    if (!valid_id(f.id)) {
      rd.fail(rd.at(*id), "field id '" + f.id + "' must start with a letter or _ and hold only letters, digits and _");
    }
    if (lower(f.id) == "record" || is_source_column(f.id)) {
      rd.fail(rd.at(*id), "field id '" + f.id + "' is reserved (the record column, or a source column)");
    }
    if (!ids.insert(lower(f.id)).second) rd.fail(rd.at(*id), "field id '" + f.id + "' is used twice");
    const toml::node* ty = ft->get("type");
    if (ty == nullptr)
      rd.fail(f.where, "field '" + f.id + "' needs type = number | integer | text | enum | year | boolean");
    const std::string type = rd.string_of(*ty, "type");
    if (type == "number")
      f.type = field_type::number;
    else if (type == "integer")
      f.type = field_type::integer;
    else if (type == "text")
      f.type = field_type::text;
    else if (type == "enum")
      f.type = field_type::enumeration;
    else if (type == "year")
      f.type = field_type::year;
    else if (type == "boolean")
      f.type = field_type::boolean;
    else
      rd.fail(rd.at(*ty), "unknown type '" + type + "' (expected number, integer, text, enum, year or boolean)");
    if (const toml::node* v = ft->get("values")) {
      if (f.type != field_type::enumeration) rd.fail(rd.at(*v), "'values' is for type = \"enum\" only");
      const toml::array* va = v->as_array();
      if (va == nullptr) rd.fail(rd.at(*v), "'values' must be an array of strings");
      for (const toml::node& x : *va) {
        std::string s = rd.string_of(x, "values");
        if (trim(s).empty()) rd.fail(rd.at(x), "an allowed value must not be blank");
        if (std::find(f.values.begin(), f.values.end(), s) != f.values.end())
          rd.fail(rd.at(x), "value '" + s + "' is listed twice");
        f.values.push_back(std::move(s));
      }
    }
    if (f.type == field_type::enumeration && f.values.empty()) {
      rd.fail(f.where, "field '" + f.id + "' is an enum without values = [\"...\", ...]");
    }
    if (const toml::node* r = ft->get("required")) {
      const auto* b = r->as_boolean();
      if (b == nullptr) rd.fail(rd.at(*r), "'required' must be true or false");
      f.required = b->get();
    }
    for (const char* key : {"min", "max"}) {
      if (const toml::node* m = ft->get(key)) {
        if (f.type != field_type::number && f.type != field_type::integer && f.type != field_type::year) {
          rd.fail(rd.at(*m), cat("'", key, "' is for number, integer and year fields only"));
        }
        (std::string_view(key) == "min" ? f.min : f.max) = rd.number_of(*m, key);
      }
    }
    if (f.min && f.max && *f.min > *f.max) {
      rd.fail(rd.at(*ft->get("max")), "max (" + format_value(*f.max) + ") is below min (" + format_value(*f.min) + ")");
    }
    if (const toml::node* d = ft->get("description")) f.description = rd.string_of(*d, "description");
    spec.fields.push_back(std::move(f));
  }
  if (spec.fields.empty()) rd.fail(rd.at(*fn), "[extraction] has no fields");

  const toml::node* ex = et->get("extractors");
  const toml::node* file = et->get("file");
  if (ex != nullptr && file != nullptr)
    rd.fail(rd.at(*file), "give either extractors = {...} or file = \"...\", not both");
  if (ex == nullptr && file == nullptr) {
    rd.fail(spec.where, "[extraction] needs extractors = { name = \"file.csv\", ... } or file = \"extraction.csv\"");
  }
  if (ex != nullptr) {
    const toml::table* xt = ex->as_table();
    if (xt == nullptr)
      rd.fail(rd.at(*ex), "'extractors' must be a table: { reviewer_a = \"a.csv\", reviewer_b = \"b.csv\" }");
    for (auto&& [k, v] : *xt) spec.extractors.push_back(rd.file_of(v, std::string(k.str()), "extractors"));
    if (spec.extractors.empty()) rd.fail(rd.at(*ex), "'extractors' names no extractor");
  } else {
    spec.extractors.push_back(rd.file_of(*file, "", "file"));
  }
  if (const toml::node* c = et->get("consensus")) spec.consensus = rd.file_of(*c, "consensus", "consensus");
  if (const toml::node* c = et->get("characteristics")) {
    const toml::array* ca = c->as_array();
    if (ca == nullptr) rd.fail(rd.at(*c), "'characteristics' must be an array of field ids");
    for (const toml::node& x : *ca) {
      const std::string id = rd.string_of(x, "characteristics");
      const extraction_field* f = find_field(spec, id);
      if (f == nullptr) {
        std::string list;
        for (const auto& fl : spec.fields) list += cat(list.empty() ? "" : ", ", fl.id);
        rd.fail(rd.at(x), cat("characteristics: '", id, "' is not a field of the codebook (", list, ")"));
      }
      if (std::find(spec.characteristics.begin(), spec.characteristics.end(), f->id) != spec.characteristics.end()) {
        rd.fail(rd.at(x), cat("characteristics: '", id, "' is listed twice"));
      }
      spec.characteristics.push_back(f->id);
    }
  } else {
    for (const auto& f : spec.fields) spec.characteristics.push_back(f.id);
  }
  return spec;
}

const extraction_field* find_field(const extraction_spec& spec, std::string_view id) {
  const std::string want = lower(id);
  for (const auto& f : spec.fields) {
    if (lower(f.id) == want) return &f;
  }
  return nullptr;
}

std::string canonical_value(const extraction_field& f, std::string_view cell) {
  return canonical(f, std::string(cell));
}

std::string describe(const criterion_flag& f) {
  std::string allowed;
  for (const auto& v : f.allowed) allowed += (allowed.empty() ? "" : ", ") + v;
  return cat("criterion '", f.criterion, "' (", f.reason, "): included record ", f.record, " has ", f.field, " = '",
             f.value, "' (allowed: ", allowed, ")");
}

void validate_field_criteria(const std::vector<field_criterion>& criteria, const extraction_spec* codebook) {
  for (const auto& c : criteria) {
    if (codebook == nullptr) {
      fail_input(c.field_where, "field",
                 cat("criterion '", c.id, "' checks an extracted field, but the review has no [extraction] codebook"));
    }
    const extraction_field* f = find_field(*codebook, c.field);
    if (f == nullptr) {
      std::string list;
      for (const auto& fl : codebook->fields) list += (list.empty() ? "" : ", ") + fl.id;
      fail_input(c.field_where, "field",
                 cat("criterion '", c.id, "': '", c.field, "' is not a field of the codebook (", list, ")"));
    }
    for (std::size_t i = 0; i < c.allowed.size(); ++i) {
      const source_position where = i < c.allowed_where.size() ? c.allowed_where[i] : c.where;
      const std::string prefix = cat("criterion '", c.id, "' on field '", f->id, "': allowed value ");
      if (is_missing(c.allowed[i])) {
        fail_input(where, "allowed", prefix + "'" + c.allowed[i] + "' is blank; blank values are never flagged");
      }
      const std::string v = trim(c.allowed[i]);
      if (const auto p = text_value_problem(*f, v)) fail_input(where, "allowed", prefix + *p);
    }
  }
}

std::vector<criterion_flag> check_field_criteria(const std::vector<field_criterion>& criteria,
                                                 const extraction_spec& codebook, const extracted_values& values) {
  std::vector<criterion_flag> out;
  for (const auto& c : criteria) {
    const extraction_field* f = find_field(codebook, c.field);
    if (f == nullptr) continue;  // validate_field_criteria rejects it
    const auto idx = static_cast<std::size_t>(f - codebook.fields.data());
    std::vector<std::string> allowed;
    for (const auto& a : c.allowed) allowed.push_back(canonical(*f, a));
    for (const auto& [key, row] : values.by_record) {
      if (idx >= row.size()) continue;
      const std::optional<std::string>& v = row[idx];
      // Blank values are not flagged, nor invalid ones: the check lists them as errors.
      if (!v || is_missing(*v) || text_value_problem(*f, trim(*v))) continue;
      if (std::find(allowed.begin(), allowed.end(), canonical(*f, *v)) != allowed.end()) continue;
      out.push_back(criterion_flag{c.id, c.reason, key, f->id, trim(*v), c.allowed});
    }
  }
  return out;
}

std::vector<record_ref> record_refs(const screen_result& sr) {
  std::vector<record_ref> records;
  records.reserve(sr.records.size());
  for (std::size_t i = 0; i < sr.records.size(); ++i) {
    std::size_t k = i;
    if (sr.audit[k].dedup == dedup_status::duplicate) k = sr.audit[k].duplicate_of;
    record_ref r;
    r.key = sr.audit[k].key;
    r.id = sr.records[i].id;
    r.doi = sr.records[i].doi;
    r.title = sr.records[k].title.size() > 80 ? sr.records[k].title.substr(0, 77) + "..." : sr.records[k].title;
    r.included = sr.audit[k].status == final_status::included;
    r.status = status_phrase(sr.audit[k].status);
    records.push_back(std::move(r));
    // The duplicate's own key names the same record.
    if (k != i) {
      record_ref alias = records.back();
      alias.id = sr.audit[i].key;
      records.push_back(std::move(alias));
    }
  }
  return records;
}

namespace {

/// The checked files of an extraction, kept for resolving values.
struct loaded_extraction {
  extraction_check check;
  std::vector<checked_file> files;
  std::optional<checked_file> consensus;
};

loaded_extraction load_extraction(const extraction_spec& spec, const std::vector<record_ref>& records) {
  loaded_extraction loaded;
  extraction_check& out = loaded.check;
  std::map<std::string, const record_ref*> lookup;
  for (const auto& r : records) {
    lookup.emplace(lower(r.key), &r);
    lookup.emplace(lower(r.id), &r);
    if (!r.doi.empty()) lookup.emplace(lower(r.doi), &r);
    if (r.included) ++out.included;
  }
  std::error_code ec;
  std::vector<checked_file>& files = loaded.files;
  for (const auto& f : spec.extractors) {
    if (!fs::is_regular_file(f.path, ec)) {
      fail_input(f.where, f.name.empty() ? "file" : "extractors", "extraction file '" + f.label + "' does not exist");
    }
    files.push_back(check_file(f, spec, lookup, out.errors));
  }
  std::optional<checked_file>& consensus = loaded.consensus;
  if (spec.consensus) {
    if (fs::is_regular_file(spec.consensus->path, ec)) {
      consensus = check_file(*spec.consensus, spec, lookup, out.errors);
    } else {
      out.notes.push_back("the consensus file '" + spec.consensus->label + "' does not exist yet");
    }
  }

  // Included records in the review's order (each once), then their rows.
  std::set<std::string> seen;
  for (const auto& r : records) {
    if (!r.included || !seen.insert(r.key).second) continue;
    std::vector<std::string> without;
    for (const auto& cf : files) {
      if (cf.row_of_record.count(r.key) == 0) without.push_back(cf.file->name.empty() ? cf.file->label : cf.file->name);
    }
    if (!without.empty()) {
      std::string who;
      for (const auto& w : without) who += (who.empty() ? "" : ", ") + w;
      out.missing.push_back(r.key);
      out.missing_detail.push_back(r.key + (r.title.empty() ? "" : " (" + r.title + ")") + ": no row in " + who);
    }
    if (files.size() < 2) continue;
    for (const auto& f : spec.fields) {
      discrepancy d;
      d.record = r.key;
      d.field = f.id;
      std::set<std::string> forms;
      for (const auto& cf : files) {
        const auto row = cf.row_of_record.find(r.key);
        const auto col = cf.column_of_field.find(f.id);
        if (row == cf.row_of_record.end() || col == cf.column_of_field.end()) continue;
        const std::string& cell = cf.table.rows[row->second][col->second];
        d.values.emplace_back(cf.file->name, is_missing(cell) ? "" : trim(cell));
        forms.insert(canonical(f, cell));
      }
      if (forms.size() < 2) continue;
      if (consensus) {
        const auto row = consensus->row_of_record.find(r.key);
        const auto col = consensus->column_of_field.find(f.id);
        if (row != consensus->row_of_record.end() && col != consensus->column_of_field.end()) {
          const std::string& cell = consensus->table.rows[row->second][col->second];
          d.consensus = is_missing(cell) ? "" : trim(cell);
        }
      }
      out.discrepancies.push_back(std::move(d));
    }
  }
  return loaded;
}

}  // namespace

extraction_check check_extraction(const extraction_spec& spec, const std::vector<record_ref>& records) {
  return load_extraction(spec, records).check;
}

extracted_values resolve_extraction(const extraction_spec& spec, const std::vector<record_ref>& records) {
  loaded_extraction loaded = load_extraction(spec, records);
  extracted_values out;
  std::set<std::string> seen;
  for (const auto& r : records) {
    if (!r.included || !seen.insert(r.key).second) continue;
    const checked_file* con = nullptr;
    if (loaded.consensus && loaded.consensus->row_of_record.count(r.key) > 0) con = &*loaded.consensus;
    std::vector<const checked_file*> with_row;
    for (const auto& cf : loaded.files) {
      if (cf.row_of_record.count(r.key) > 0) with_row.push_back(&cf);
    }
    if (con == nullptr && with_row.empty()) continue;
    std::vector<std::optional<std::string>> values;
    for (const auto& f : spec.fields) {
      const auto cell_of = [&](const checked_file& cf) -> std::optional<std::string> {
        const auto col = cf.column_of_field.find(f.id);
        if (col == cf.column_of_field.end()) return std::nullopt;
        return cf.table.rows[cf.row_of_record.at(r.key)][col->second];
      };
      std::optional<std::string> v;
      if (con != nullptr) {
        v = cell_of(*con);
      } else {
        std::set<std::string> forms;
        for (const checked_file* cf : with_row) {
          const auto c = cell_of(*cf);
          if (!c) {
            forms.insert("\x01no column");
            continue;
          }
          if (!v) v = c;
          forms.insert(canonical(f, *c));
        }
        if (forms.size() != 1) v.reset();
      }
      if (v) v = is_missing(*v) ? "" : trim(*v);
      values.push_back(std::move(v));
    }
    out.by_record.emplace(r.key, std::move(values));
  }
  out.check = std::move(loaded.check);
  return out;
}

std::string format_extraction_text(const extraction_check& c, const extraction_spec& spec) {
  std::string s = "extraction: " + std::to_string(spec.fields.size()) + " fields, ";
  if (spec.extractors.size() == 1 && spec.extractors[0].name.empty()) {
    s += "1 file (" + spec.extractors[0].label + ")";
  } else {
    s += std::to_string(spec.extractors.size()) + " extractors (";
    for (std::size_t i = 0; i < spec.extractors.size(); ++i) s += (i ? ", " : "") + spec.extractors[i].name;
    s += ")";
  }
  s += ", " + std::to_string(c.included) + " included records\n";
  s += "errors: " + std::to_string(c.errors.size()) + "\n";
  for (const auto& e : c.errors) s += "  " + e + "\n";
  s += "discrepancies: " + std::to_string(c.discrepancies.size()) + "\n";
  for (const auto& d : c.discrepancies) {
    s += "  " + d.record + " " + d.field + ":";
    for (std::size_t i = 0; i < d.values.size(); ++i) {
      s += (i ? ", " : " ") + d.values[i].first + " = " + (d.values[i].second.empty() ? "(blank)" : d.values[i].second);
    }
    if (d.consensus) s += "; consensus = " + (d.consensus->empty() ? "(blank)" : *d.consensus);
    s += "\n";
  }
  s += "missing: " + std::to_string(c.missing.size()) + "\n";
  for (const auto& m : c.missing_detail) s += "  " + m + "\n";
  for (const auto& n : c.notes) s += "note: " + n + "\n";
  if (!c.criteria.empty()) {
    s += "criteria: " + std::to_string(c.criteria.size()) + " extracted value" +
         (c.criteria.size() == 1 ? " fails" : "s fail") + " a criterion (the records stay included)\n";
    for (const auto& f : c.criteria) s += "  " + describe(f) + "\n";
  }
  return s;
}

std::string format_extraction_json(const extraction_check& c) {
  using json = nlohmann::ordered_json;
  json j = json::object();
  j["errors"] = c.errors;
  json ds = json::array();
  for (const auto& d : c.discrepancies) {
    json values = json::object();
    for (const auto& [who, v] : d.values) values[who] = v.empty() ? json(nullptr) : json(v);
    json o = {{"record", d.record}, {"field", d.field}, {"values", std::move(values)}};
    if (d.consensus) o["consensus"] = d.consensus->empty() ? json(nullptr) : json(*d.consensus);
    ds.push_back(std::move(o));
  }
  j["discrepancies"] = std::move(ds);
  j["missing"] = c.missing;
  j["missing_detail"] = c.missing_detail;
  j["notes"] = c.notes;
  json cs = json::array();
  for (const auto& f : c.criteria) {
    cs.push_back({{"criterion", f.criterion},
                  {"reason", f.reason},
                  {"record", f.record},
                  {"field", f.field},
                  {"value", f.value},
                  {"allowed", f.allowed}});
  }
  j["criteria"] = std::move(cs);
  return j.dump(2) + "\n";
}

}  // namespace metasift::review
