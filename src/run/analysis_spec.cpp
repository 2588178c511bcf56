// The [analysis] table of review.toml, read with toml++ like the rest of the file
// (src/review/review_file.cpp, which accepts the table and leaves it to this reader).
#include "metasift/run/analysis_spec.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "metasift/core/check.hpp"
#include "metasift/models/spec.hpp"
#include "metasift/review/extraction.hpp"

namespace metasift::run {
namespace {

namespace fs = std::filesystem;

source_position at(const std::string& label, const toml::source_region& r) {
  return {label, static_cast<std::size_t>(r.begin.line), static_cast<std::size_t>(r.begin.column)};
}

std::string string_of(const std::string& label, const toml::node& n, std::string_view key) {
  const auto v = n.value<std::string>();
  if (!n.is_string() || !v) fail_input(at(label, n.source()), key, "must be a string");
  return *v;
}

std::vector<std::string> strings_of(const std::string& label, const toml::node& n, std::string_view key) {
  const toml::array* a = n.as_array();
  if (a == nullptr) fail_input(at(label, n.source()), key, "must be an array of strings");
  std::vector<std::string> out;
  for (auto&& el : *a) out.push_back(string_of(label, el, key));
  return out;
}

bool bool_of(const std::string& label, const toml::node& n, std::string_view key) {
  const auto v = n.value<bool>();
  if (!n.is_boolean() || !v) fail_input(at(label, n.source()), key, "must be true or false");
  return *v;
}

/// The same rule as the review file's paths: relative, and inside the review folder.
fs::path resolve(const fs::path& dir, const std::string& rel, const source_position& where, bool allow_outside) {
  if (rel.empty()) fail_input(where, "data", "empty path");
  const fs::path p(rel);
  const fs::path full = fs::weakly_canonical(fs::absolute(dir) / p);
  if (allow_outside) return full;
  if (p.is_absolute() || p.has_root_name() || p.has_root_directory()) {
    fail_input(where, "data",
               "path '" + rel + "' must be relative to the review file's folder (or use --allow-outside)");
  }
  const fs::path base = fs::weakly_canonical(fs::absolute(dir));
  auto f = full.begin();
  for (auto b = base.begin(); b != base.end(); ++b, ++f) {
    if (b->empty()) continue;
    if (f == full.end() || *b != *f) {
      fail_input(where, "data", "path '" + rel + "' is outside the review folder (use --allow-outside to allow it)");
    }
  }
  return full;
}

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return s;
}

/// One value of a where condition, as text, checked against its field's type.
std::string where_value(const toml::node& n, const review::extraction_field& f, const source_position& pos) {
  std::string v;
  if (const auto* s = n.as_string()) {
    v = s->get();
  } else if (const auto* i = n.as_integer()) {
    v = std::to_string(i->get());
  } else if (const auto* d = n.as_floating_point()) {
    v = format_value(d->get());
  } else if (const auto* b = n.as_boolean()) {
    v = b->get() ? "true" : "false";
  } else {
    fail_input(pos, "where", "the value of '" + f.id + "' must be a string, number or boolean");
  }
  const std::string c = review::canonical_value(f, v);
  switch (f.type) {
    case review::field_type::enumeration:
      if (std::find(f.values.begin(), f.values.end(), v) == f.values.end()) {
        std::string list;
        for (const auto& x : f.values) list += (list.empty() ? "" : ", ") + x;
        fail_input(pos, "where", "'" + v + "' is not a value of the enum field '" + f.id + "' (" + list + ")");
      }
      break;
    case review::field_type::number:
    case review::field_type::integer:
    case review::field_type::year: {
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      if (v.empty() || end == nullptr || *end != '\0' || !std::isfinite(x)) {
        fail_input(pos, "where",
                   "'" + v + "' is not a number, but '" + f.id + "' is a " + std::string(to_string(f.type)) + " field");
      }
      break;
    }
    case review::field_type::boolean:
      if (c != "true" && c != "false") {
        fail_input(pos, "where", "'" + v + "' is not a boolean, but '" + f.id + "' is a boolean field");
      }
      break;
    case review::field_type::text: break;
  }
  if (c.empty()) fail_input(pos, "where", "a blank value matches nothing: name the value of '" + f.id + "'");
  return v;
}

/// `where = { field = value | [values], ... }`, or the same as a string of TOML
/// (`where = 'theme = "environmental"'`), whose positions are then the key's line.
std::vector<where_condition> read_where(const std::string& label, const toml::node& n,
                                        const std::optional<review::extraction_spec>& codebook) {
  const source_position wpos = at(label, n.source());
  toml::table from_text;
  const toml::table* t = n.as_table();
  bool in_text = false;
  if (const auto* s = n.as_string()) {
    try {
      from_text = toml::parse(s->get(), label);
    } catch (const toml::parse_error& e) {
      fail_input(wpos, "where", "cannot read '" + s->get() + "' as field = value: " + std::string(e.description()));
    }
    t = &from_text;
    in_text = true;
  }
  if (t == nullptr) {
    fail_input(wpos, "where", "must be a table of field = value, e.g. where = { theme = \"environmental\" }");
  }
  if (t->empty()) fail_input(wpos, "where", "names no field");
  if (!codebook) {
    fail_input(wpos, "where", "filters on extracted fields, but the review has no [extraction] codebook");
  }
  std::vector<where_condition> out;
  for (auto&& [k, v] : *t) {
    const source_position kpos = in_text ? wpos : at(label, k.source());
    const review::extraction_field* f = review::find_field(*codebook, k.str());
    if (f == nullptr) {
      std::string list;
      for (const auto& fl : codebook->fields) list += (list.empty() ? "" : ", ") + fl.id;
      // Appended piece by piece: GCC 12 warns, wrongly, on a chain of operator+ here (-Wrestrict).
      std::string message = "'";
      message.append(k.str());
      message += "' is not a field of the codebook ([[extraction.fields]]: ";
      message += list;
      message += ")";
      fail_input(kpos, "where", message);
    }
    where_condition c;
    c.field = f->id;
    c.where = kpos;
    if (const toml::array* a = v.as_array()) {
      if (a->empty()) fail_input(kpos, "where", "the values of '" + f->id + "' are an empty list");
      for (auto&& el : *a) c.values.push_back(where_value(el, *f, in_text ? wpos : at(label, el.source())));
    } else {
      c.values.push_back(where_value(v, *f, in_text ? wpos : at(label, v.source())));
    }
    out.push_back(std::move(c));
  }
  return out;
}

analysis_spec read_table(const std::string& label, const toml::table& t, const fs::path& path, bool allow_outside,
                         bool array_form, const std::optional<review::extraction_spec>& codebook) {
  const std::string table_name = array_form ? "[[analysis]]" : "[analysis]";
  static constexpr std::string_view allowed[] = {"id",
                                                 "title",
                                                 "where",
                                                 "data",
                                                 "measure",
                                                 "method",
                                                 "ci_method",
                                                 "convention",
                                                 "level",
                                                 "group_names",
                                                 "record_column",
                                                 "subgroup",
                                                 "moderators",
                                                 "bias",
                                                 "sensitivity",
                                                 "cumulative_order",
                                                 "fivenum_method",
                                                 "outcome",
                                                 "mid",
                                                 "control_risk",
                                                 "certainty_start",
                                                 "rob_subgroup"};
  for (auto&& [k, v] : t) {
    if (std::find(std::begin(allowed), std::end(allowed), k.str()) == std::end(allowed)) {
      std::string list;
      for (const auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      fail_input(at(label, k.source()), "",
                 "unknown key '" + std::string(k.str()) + "' in " + table_name + " (expected " + list + ")");
    }
  }

  analysis_spec s;
  s.where = at(label, t.source());
  s.id_where = s.where;
  if (const toml::node* n = t.get("id")) {
    s.id = string_of(label, *n, "id");
    s.id_where = at(label, n->source());
    if (!valid_id(s.id)) {
      fail_input(
          s.id_where, "id",
          "'" + s.id + "' must be 1 to 64 letters, digits, - or _ (it names the outcome's figures and sections)");
    }
  } else if (array_form) {
    fail_input(s.where, table_name, "needs id = \"...\": each outcome has an id (letters, digits, - and _)");
  }
  if (const toml::node* n = t.get("title")) s.title = string_of(label, *n, "title");
  if (const toml::node* n = t.get("where")) s.filter = read_where(label, *n, codebook);

  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  if (const toml::node* data = t.get("data")) {
    s.data_label = string_of(label, *data, "data");
    s.data_where = at(label, data->source());
    s.data = resolve(dir, s.data_label, s.data_where, allow_outside);
    if (!fs::is_regular_file(s.data, ec)) {
      fail_input(s.data_where, "data", "file '" + s.data_label + "' does not exist");
    }
  } else if (codebook &&
             (codebook->consensus || (codebook->extractors.size() == 1 && codebook->extractors[0].name.empty()))) {
    // The consensus extraction is what the analyses read (docs/extraction.md).
    const review::extraction_file& f = codebook->consensus ? *codebook->consensus : codebook->extractors[0];
    s.data_from_extraction = true;
    s.data_label = f.label;
    s.data_where = f.where;
    s.data = f.path;
    if (!fs::is_regular_file(s.data, ec)) {
      fail_input(f.where, codebook->consensus ? "consensus" : "file",
                 "file '" + f.label + "' does not exist (" + table_name + " '" + s.id +
                     "' has no data key and reads the extraction)");
    }
  } else {
    fail_input(s.where, table_name,
               "needs data = \"...\": the table of study results (or an [extraction] consensus file to read)");
  }
  if (const toml::node* n = t.get("measure")) {
    const std::string m = string_of(label, *n, "measure");
    s.measure = effects::parse_measure(m);
    if (!s.measure) fail_input(at(label, n->source()), "measure", "unknown measure '" + m + "'");
  }
  if (const toml::node* n = t.get("method")) {
    const std::string m = string_of(label, *n, "method");
    const auto pm = models::parse_method(m);
    if (!pm) fail_input(at(label, n->source()), "method", "unknown method '" + m + "'");
    s.method = *pm;
  }
  if (const toml::node* n = t.get("ci_method")) {
    const std::string m = string_of(label, *n, "ci_method");
    const auto pc = models::parse_ci_method(m);
    if (!pc) {
      fail_input(at(label, n->source()), "ci_method",
                 "must be \"z\", \"t\", \"knha\" (or \"hk\") or \"adhoc\", got '" + m + "'");
    }
    s.ci = *pc;
  }
  if (const toml::node* n = t.get("convention")) {
    const std::string c = string_of(label, *n, "convention");
    const auto pc = models::parse_convention(c);
    if (!pc) fail_input(at(label, n->source()), "convention", "must be \"metafor\" or \"stata\", got '" + c + "'");
    s.conv = *pc;
  }
  if (const toml::node* n = t.get("level")) {
    const auto v = n->value<double>();
    if (!v || !(n->is_floating_point() || n->is_integer()))
      fail_input(at(label, n->source()), "level", "must be a number");
    const models::level_reading lr = models::read_confidence_level(*v);
    s.level = lr.level;
    if (!lr.problem.empty()) {
      fail_input(at(label, n->source()), "level", lr.problem);
    }
  }
  if (const toml::node* n = t.get("group_names")) s.group_names = strings_of(label, *n, "group_names");
  if (const toml::node* n = t.get("record_column")) s.record_column = string_of(label, *n, "record_column");
  if (const toml::node* n = t.get("subgroup")) s.subgroup = string_of(label, *n, "subgroup");
  if (const toml::node* n = t.get("moderators")) s.moderators = strings_of(label, *n, "moderators");
  if (const toml::node* n = t.get("bias")) s.bias = bool_of(label, *n, "bias");
  if (const toml::node* n = t.get("sensitivity")) s.sensitivity = bool_of(label, *n, "sensitivity");
  if (const toml::node* n = t.get("cumulative_order")) s.cumulative_order = string_of(label, *n, "cumulative_order");
  if (const toml::node* n = t.get("outcome")) s.outcome = string_of(label, *n, "outcome");
  const auto number_of = [&](const toml::node& n, std::string_view key) {
    const auto v = n.value<double>();
    if (!v || !(n.is_floating_point() || n.is_integer())) fail_input(at(label, n.source()), key, "must be a number");
    return *v;
  };
  if (const toml::node* n = t.get("mid")) {
    const double v = number_of(*n, "mid");
    if (!(std::isfinite(v) && v > 0)) {
      fail_input(at(label, n->source()), "mid", "must be a positive number (a ratio such as 1.25 for OR and RR)");
    }
    s.mid = v;
  }
  if (const toml::node* n = t.get("control_risk")) {
    const double v = number_of(*n, "control_risk");
    if (!(v > 0 && v < 1)) {
      fail_input(at(label, n->source()), "control_risk", "must lie strictly between 0 and 1 (a risk, not a percent)");
    }
    s.control_risk = v;
  }
  if (const toml::node* n = t.get("certainty_start")) {
    s.certainty_start = string_of(label, *n, "certainty_start");
    if (s.certainty_start != "high" && s.certainty_start != "low") {
      fail_input(at(label, n->source()), "certainty_start",
                 "must be \"high\" (randomised trials) or \"low\" (observational studies)");
    }
  }
  if (const toml::node* n = t.get("rob_subgroup")) s.rob_subgroup = bool_of(label, *n, "rob_subgroup");
  return s;
}

}  // namespace

std::vector<analysis_spec> parse_analyses(std::string_view toml_text, const fs::path& path, bool allow_outside) {
  const std::string label = path.string();
  toml::table root;
  try {
    root = toml::parse(toml_text, label);
  } catch (const toml::parse_error& e) {
    fail_input(at(label, e.source()), "", std::string("invalid TOML: ") + std::string(e.description()));
  }
  const toml::node* an = root.get("analysis");
  if (an == nullptr) return {};
  const std::optional<review::extraction_spec> codebook = review::parse_extraction(toml_text, path, allow_outside);
  std::vector<analysis_spec> out;
  if (const toml::table* t = an->as_table()) {
    out.push_back(read_table(label, *t, path, allow_outside, false, codebook));
    return out;
  }
  const toml::array* arr = an->as_array();
  if (arr == nullptr || !arr->is_array_of_tables()) {
    fail_input(at(label, an->source()), "analysis",
               "must be a table ([analysis]) or an array of tables ([[analysis]])");
  }
  if (arr->empty()) fail_input(at(label, an->source()), "analysis", "the array of analyses is empty");
  for (auto&& el : *arr) {
    analysis_spec s = read_table(label, *el.as_table(), path, allow_outside, true, codebook);
    for (const auto& o : out) {
      if (lower(o.id) == lower(s.id)) {
        fail_input(s.id_where, "id",
                   "analysis id '" + s.id + "' is used twice (first on line " + std::to_string(o.id_where.line) +
                       "; ids are compared ignoring case)");
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::optional<analysis_spec> parse_analysis(std::string_view toml_text, const fs::path& path, bool allow_outside) {
  std::vector<analysis_spec> all = parse_analyses(toml_text, path, allow_outside);
  if (all.empty()) return std::nullopt;
  return std::move(all.front());
}

}  // namespace metasift::run
