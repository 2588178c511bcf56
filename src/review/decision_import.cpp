// Decisions from Rayyan, ASReview and Covidence exports (decision_import.hpp). Formats:
//   Rayyan: the RIS/CSV export's notes (rayyanR's parse_rayyan reads the same markers);
//   ASReview: asreview.readthedocs.io "Data format" and "Fully and partially labeled data", and
//             the RIS writer of asreview/asreview (N1 ASReview_relevant / _irrelevant / _not_seen);
//   Covidence: the CSV (or RIS) export of a study list (support.covidence.org, "Exporting references").
#include "metasift/review/decision_import.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <optional>

#include "metasift/core/check.hpp"
#include "metasift/io/file.hpp"
#include "metasift/io/table.hpp"
#include "metasift/review/dedup_normalize.hpp"

namespace metasift::review {
namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return s;
}

bool is_missing(const std::string& v) {
  const std::string l = lower(trim(v));
  return l.empty() || l == "na" || l == "nan" || l == "null" || l == "none";
}

int year_of(std::string_view v) {
  // "2016", "2016/06", "2016-06-01", "2016///": the first four digits in a row.
  for (std::size_t i = 0; i + 4 <= v.size(); ++i) {
    if (std::all_of(v.begin() + static_cast<std::ptrdiff_t>(i), v.begin() + static_cast<std::ptrdiff_t>(i + 4),
                    [](char c) { return c >= '0' && c <= '9'; })) {
      return std::stoi(std::string(v.substr(i, 4)));
    }
  }
  return 0;
}

// ---- RIS: just enough to read tags with their positions --------------------------------------

struct ris_field {
  std::string tag, value;
  std::size_t line = 0, column = 0;  ///< of the value
};
struct ris_record {
  std::size_t line = 0;
  std::vector<ris_field> fields;
  [[nodiscard]] std::string first(std::initializer_list<std::string_view> tags) const {
    for (const auto t : tags) {
      for (const auto& f : fields) {
        if (f.tag == t && !trim(f.value).empty()) return trim(f.value);
      }
    }
    return {};
  }
};

bool is_tag_line(std::string_view l, std::string& tag, std::size_t& value_at) {
  if (l.size() < 3) return false;
  const auto up = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  if (!(l[0] >= 'A' && l[0] <= 'Z') || !up(l[1])) return false;
  std::size_t k = 2;
  while (k < l.size() && l[k] == ' ') ++k;
  if (k == 2 || k >= l.size() || l[k] != '-') return false;
  ++k;
  while (k < l.size() && l[k] == ' ') ++k;
  tag = std::string(l.substr(0, 2));
  value_at = k;
  return true;
}

std::vector<ris_record> read_ris(std::string_view text) {
  std::vector<ris_record> out;
  std::size_t line_no = 0, pos = 0;
  bool open = false;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
  while (pos <= text.size()) {
    const std::size_t nl = text.find('\n', pos);
    std::string_view l = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    ++line_no;
    std::string tag;
    std::size_t at = 0;
    if (is_tag_line(l, tag, at)) {
      if (tag == "TY") {
        out.push_back({line_no, {}});
        open = true;
      }
      if (open && tag != "ER") out.back().fields.push_back({tag, std::string(l.substr(at)), line_no, at + 1});
      if (tag == "ER") open = false;
    } else if (open && !trim(l).empty() && !out.back().fields.empty()) {
      out.back().fields.back().value += " " + trim(l);  // a wrapped value
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return out;
}

bool looks_like_ris(std::string_view text) {
  std::size_t pos = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  while (pos < text.size() && (text[pos] == '\n' || text[pos] == '\r' || text[pos] == ' ')) ++pos;
  std::string tag;
  std::size_t at = 0;
  const std::size_t nl = text.find('\n', pos);
  return is_tag_line(text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos), tag, at) &&
         tag == "TY";
}

// ---- Rayyan ------------------------------------------------------------------------------------

/// The text of one marker ("RAYYAN-EXCLUSION-REASONS: a,b | RAYYAN-LABELS: x" -> "a,b"), and the
/// offset where it starts; npos when absent.
std::pair<std::string, std::size_t> marker(std::string_view note, std::string_view name) {
  const std::size_t k = note.find(name);
  if (k == std::string_view::npos) return {{}, std::string_view::npos};
  std::size_t b = k + name.size();
  const std::size_t e = note.find(" | ", b);
  std::string v(note.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
  for (const std::string_view tagp : {"<p>", "</p>"}) {  // paragraph tags Rayyan sometimes leaves
    for (std::size_t q; (q = v.find(tagp)) != std::string::npos;) v.erase(q, tagp.size());
  }
  return {trim(v), b};
}

struct rayyan_row {
  std::string note;
  source_position note_at;  ///< first character of the notes value
  bool exact = false;       ///< offsets in the note are columns (RIS: the note is one physical line)
  std::string id, doi, pmid, title;
  int year = 0;
};

void rayyan_decisions(const rayyan_row& row, const decision_import& spec, decision_import_result& out) {
  ++out.records;
  const std::string_view note = row.note;
  const std::size_t k = note.find("RAYYAN-INCLUSION:");
  auto at = [&](std::size_t offset) {
    source_position p = row.note_at;
    if (row.exact && p.column > 0) p.column += offset;
    return p;
  };
  if (k == std::string_view::npos) {
    ++out.undecided;
    return;
  }
  const auto [reasons_text, reasons_at] = marker(note, "RAYYAN-EXCLUSION-REASONS:");
  std::string reason;
  if (!reasons_text.empty()) {
    std::size_t b = 0;
    while (b <= reasons_text.size()) {
      const std::size_t e = reasons_text.find(',', b);
      const std::string r = trim(reasons_text.substr(b, e == std::string::npos ? std::string::npos : e - b));
      if (!r.empty()) reason += (reason.empty() ? "" : "; ") + r;
      if (e == std::string::npos) break;
      b = e + 1;
    }
  }
  // {"name"=>"Included", "name 2"=>"Excluded"}: a Ruby hash as Rayyan writes it.
  std::size_t i = k + std::string_view("RAYYAN-INCLUSION:").size();
  auto skip = [&] {
    while (i < note.size() && note[i] == ' ') ++i;
  };
  auto bad = [&](const std::string& what) {
    fail_input(at(i), "RAYYAN-INCLUSION",
               what + " (expected {\"reviewer\"=>\"Included\", ...} with Included, Excluded or Maybe)");
  };
  auto quoted = [&]() {
    skip();
    if (i >= note.size() || note[i] != '"') bad("a quoted name or decision expected");
    std::string s;
    for (++i; i < note.size() && note[i] != '"'; ++i) {
      if (note[i] == '\\' && i + 1 < note.size()) ++i;
      s += note[i];
    }
    if (i >= note.size()) bad("unterminated quote");
    ++i;
    return s;
  };
  skip();
  if (i >= note.size() || note[i] != '{') bad("'{' expected");
  ++i;
  std::size_t made = 0;
  std::vector<std::string> seen;
  for (;;) {
    skip();
    if (i < note.size() && note[i] == '}') break;
    const std::size_t name_at = i;
    const std::string name = quoted();
    skip();
    if (note.substr(i, 2) != "=>") bad("'=>' expected after the reviewer name");
    i += 2;
    skip();
    const std::size_t value_at = i;
    const std::string value = quoted();
    if (trim(name).empty()) {
      i = name_at;
      bad("empty reviewer name");
    }
    imported_decision d;
    d.reviewer = rayyan_reviewer_name(spec, trim(name));
    d.stage = spec.stage.empty() ? "title-abstract" : spec.stage;
    d.original = value;
    d.where = at(value_at);
    d.tool_id = row.id;
    d.doi = row.doi;
    d.pmid = row.pmid;
    d.title = row.title;
    d.year = row.year;
    const std::string v = lower(value);
    if (v == "included") {
      d.decision = "include";
    } else if (v == "excluded") {
      d.decision = "exclude";
      d.reason = reason;
    } else if (v == "maybe") {
      if (d.stage == "full-text" || spec.maybe == "undecided") {
        d.decision.clear();
      } else {
        d.decision = "include";
        d.reason = "Maybe";
      }
    } else {
      i = value_at;
      bad("unknown decision '" + value + "'");
    }
    if (!d.decision.empty()) {
      if (std::find(out.reviewers.begin(), out.reviewers.end(), d.reviewer) == out.reviewers.end()) {
        out.reviewers.push_back(d.reviewer);
      }
      if (std::find(seen.begin(), seen.end(), d.reviewer) != seen.end()) {
        fail_input(d.where, "RAYYAN-INCLUSION", "reviewer '" + name + "' appears twice in one record's decisions");
      }
      seen.push_back(d.reviewer);
      out.decisions.push_back(std::move(d));
      ++made;
    }
    skip();
    if (i < note.size() && note[i] == ',') {
      ++i;
      continue;
    }
    skip();
    if (i >= note.size() || note[i] != '}') bad("',' or '}' expected");
    break;
  }
  if (made == 0) ++out.undecided;
}

void read_rayyan(std::string_view text, const decision_import& spec, const std::string& label,
                 decision_import_result& out) {
  if (looks_like_ris(text)) {
    for (const ris_record& r : read_ris(text)) {
      rayyan_row row;
      // A record may carry several N1 notes; the decisions are in the one with the markers.
      for (const auto& f : r.fields) {
        if (f.tag == "N1" && f.value.find("RAYYAN-") != std::string::npos) {
          row.note = f.value;
          row.note_at = {label, f.line, f.column};
          row.exact = true;
          break;
        }
      }
      if (row.note_at.line == 0) row.note_at = {label, r.line, 1};
      row.id = r.first({"AN", "ID"});
      row.doi = r.first({"DO"});
      row.pmid = r.first({"PM"});
      row.title = r.first({"TI", "T1"});
      row.year = year_of(r.first({"PY", "Y1", "DA"}));
      rayyan_decisions(row, spec, out);
    }
    return;
  }
  const io::table t = io::parse_table(text, label);
  auto col = [&](std::initializer_list<std::string_view> names) -> std::optional<std::size_t> {
    for (const auto n : names) {
      if (auto c = t.find(n)) return c;
    }
    return std::nullopt;
  };
  const auto c_notes = col({"notes", "note"});
  if (!c_notes) {
    fail_input({label, 1, 0}, "",
               "missing column 'notes' (Rayyan writes its decisions there: RAYYAN-INCLUSION: {...})");
  }
  const auto c_key = col({"key"}), c_doi = col({"doi"}), c_pmid = col({"pubmed_id", "pmid"}), c_title = col({"title"}),
             c_year = col({"year"});
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    rayyan_row row;
    row.note = t.rows[r][*c_notes];
    row.note_at = t.position(r, *c_notes);
    if (c_key) row.id = trim(t.rows[r][*c_key]);
    if (c_doi && !is_missing(t.rows[r][*c_doi])) row.doi = trim(t.rows[r][*c_doi]);
    if (c_pmid && !is_missing(t.rows[r][*c_pmid])) row.pmid = trim(t.rows[r][*c_pmid]);
    if (c_title) row.title = trim(t.rows[r][*c_title]);
    if (c_year) row.year = year_of(t.rows[r][*c_year]);
    rayyan_decisions(row, spec, out);
  }
}

// ---- ASReview ----------------------------------------------------------------------------------

/// Unix time (seconds, as ASReview stores labelling times) as ISO 8601 UTC.
std::string iso_from_epoch(double s) {
  const auto t = static_cast<std::time_t>(std::floor(s));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string asreview_time(const std::string& raw, const source_position& where) {
  std::string v = trim(raw);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);  // RIS note: json
  if (is_missing(v)) return {};
  if (is_iso8601(v)) return v;
  char* end = nullptr;
  const double s = std::strtod(v.c_str(), &end);
  if (end != nullptr && *end == '\0' && std::isfinite(s) && s > 0 && s < 32503680000.0) return iso_from_epoch(s);
  fail_input(where, "asreview_time", "'" + v + "' is neither an ISO 8601 time nor a Unix time in seconds");
}

void add_asreview(decision_import_result& out, const decision_import& spec, int label, imported_decision d) {
  ++out.records;
  if (label < 0) {
    ++out.undecided;
    return;
  }
  d.reviewer = spec.reviewer;
  d.stage = "title-abstract";
  d.decision = label == 1 ? "include" : "exclude";
  if (out.reviewers.empty()) out.reviewers.push_back(d.reviewer);
  out.decisions.push_back(std::move(d));
}

void read_asreview(std::string_view text, const decision_import& spec, const std::string& label,
                   decision_import_result& out) {
  if (looks_like_ris(text)) {
    for (const ris_record& r : read_ris(text)) {
      int lab = -1;
      imported_decision d;
      d.where = {label, r.line, 1};
      std::string time;
      source_position time_at;
      for (const auto& f : r.fields) {
        if (f.tag != "N1") continue;
        const std::string v = trim(f.value);
        if (v == "ASReview_relevant" || v == "ASReview_irrelevant" || v == "ASReview_not_seen") {
          lab = v == "ASReview_relevant" ? 1 : v == "ASReview_irrelevant" ? 0 : -1;
          d.original = v;
          d.where = {label, f.line, f.column};
        } else if (v.rfind("asreview_time:", 0) == 0) {
          time = v.substr(14);
          time_at = {label, f.line, f.column + 14};
        }
      }
      d.time = asreview_time(time, time_at);
      d.tool_id = r.first({"ID", "AN"});
      d.doi = r.first({"DO"});
      d.title = r.first({"TI", "T1"});
      d.year = year_of(r.first({"PY", "Y1", "DA"}));
      add_asreview(out, spec, lab, std::move(d));
    }
    return;
  }
  const io::table t = io::parse_table(text, label);
  auto col = [&](std::initializer_list<std::string_view> names) -> std::optional<std::size_t> {
    for (const auto n : names) {
      if (auto c = t.find(n)) return c;
    }
    return std::nullopt;
  };
  // ASReview's own list of label column names, asreview_label (version 2) first.
  const auto c_label = col({"asreview_label", "included", "label", "final_included", "label_included", "included_label",
                            "included_final", "included_flag", "include"});
  if (!c_label) {
    fail_input({label, 1, 0}, "",
               "no label column (ASReview writes asreview_label or included: 1 relevant, 0 irrelevant, empty "
               "not screened)");
  }
  const auto c_id = col({"record_id"}), c_doi = col({"doi"}), c_title = col({"title", "primary_title"}),
             c_year = col({"year", "publication_year"}), c_time = col({"asreview_time"});
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::string v = trim(t.rows[r][*c_label]);
    int lab = -1;
    if (v == "1" || v == "1.0") {
      lab = 1;
    } else if (v == "0" || v == "0.0") {
      lab = 0;
    } else if (!(is_missing(v) || v == "-1" || v == "-1.0")) {
      fail_input(t.position(r, *c_label), t.names[*c_label],
                 "must be 1 (relevant), 0 (irrelevant) or empty (not screened), got '" + v + "'");
    }
    imported_decision d;
    d.original = v;
    d.where = t.position(r, *c_label);
    if (c_id) d.tool_id = trim(t.rows[r][*c_id]);
    if (c_doi && !is_missing(t.rows[r][*c_doi])) d.doi = trim(t.rows[r][*c_doi]);
    if (c_title && !is_missing(t.rows[r][*c_title])) d.title = trim(t.rows[r][*c_title]);
    if (c_year) d.year = year_of(t.rows[r][*c_year]);
    if (c_time && lab >= 0) d.time = asreview_time(t.rows[r][*c_time], t.position(r, *c_time));
    add_asreview(out, spec, lab, std::move(d));
  }
}

// ---- Covidence ---------------------------------------------------------------------------------

void read_covidence(std::string_view text, const decision_import& spec, const std::string& label,
                    decision_import_result& out) {
  const bool ft = spec.list == "excluded" || spec.list == "included";
  const bool include = spec.list == "full-text-review" || spec.list == "included";
  auto reason_of = [&](const std::string& notes) {
    // Notes of the Excluded list: "Exclusion reason: Wrong population; " (then any free notes).
    if (spec.list != "excluded") return std::string();
    const std::size_t k = notes.find("Exclusion reason:");
    if (k == std::string::npos) return std::string();
    const std::size_t b = k + 17;
    const std::size_t e = notes.find(';', b);
    return trim(notes.substr(b, e == std::string::npos ? std::string::npos : e - b));
  };
  auto add = [&](imported_decision d) {
    ++out.records;
    d.reviewer = spec.reviewer;
    d.stage = ft ? "full-text" : "title-abstract";
    d.decision = include ? "include" : "exclude";
    d.original = spec.list;
    if (out.reviewers.empty()) out.reviewers.push_back(d.reviewer);
    out.decisions.push_back(std::move(d));
  };
  if (looks_like_ris(text)) {  // the same list exported as RIS: the list's decision for every record
    for (const ris_record& r : read_ris(text)) {
      imported_decision d;
      d.where = {label, r.line, 1};
      d.tool_id = r.first({"ID", "AN", "U1"});
      d.doi = r.first({"DO"});
      d.title = r.first({"TI", "T1"});
      d.year = year_of(r.first({"PY", "Y1", "DA"}));
      for (const auto& f : r.fields) {
        if (f.tag == "N1" && d.reason.empty()) d.reason = reason_of(f.value);
      }
      add(std::move(d));
    }
    return;
  }
  const io::table t = io::parse_table(text, label);
  const auto c_num = t.find("Covidence #");
  const auto c_title = t.find("Title");
  if (!c_num || !c_title) {
    fail_input({label, 1, 0}, "",
               std::string("missing column '") + (!c_num ? "Covidence #" : "Title") +
                   "' (a Covidence CSV export has Title, Authors, Abstract, Published Year, ..., DOI, Covidence #, "
                   "Notes, Tags)");
  }
  const auto c_doi = t.find("DOI"), c_year = t.find("Published Year"), c_notes = t.find("Notes");
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    imported_decision d;
    d.where = t.position(r, *c_num);
    d.tool_id = trim(t.rows[r][*c_num]);
    if (d.tool_id.empty()) fail_input(d.where, "Covidence #", "empty");
    d.title = trim(t.rows[r][*c_title]);
    if (c_doi && !is_missing(t.rows[r][*c_doi])) d.doi = trim(t.rows[r][*c_doi]);
    if (c_year) d.year = year_of(t.rows[r][*c_year]);
    if (c_notes) d.reason = reason_of(t.rows[r][*c_notes]);
    add(std::move(d));
  }
}

}  // namespace

bool is_iso8601(std::string_view t) {
  auto digits = [&](std::size_t at, std::size_t n) {
    if (at + n > t.size()) return false;
    for (std::size_t k = at; k < at + n; ++k) {
      if (t[k] < '0' || t[k] > '9') return false;
    }
    return true;
  };
  auto value = [&](std::size_t at, std::size_t n) { return std::stoi(std::string(t.substr(at, n))); };
  if (!digits(0, 4) || t.size() < 10 || t[4] != '-' || !digits(5, 2) || t[7] != '-' || !digits(8, 2)) return false;
  if (value(5, 2) < 1 || value(5, 2) > 12 || value(8, 2) < 1 || value(8, 2) > 31) return false;
  if (t.size() == 10) return true;
  if ((t[10] != 'T' && t[10] != ' ') || !digits(11, 2) || t.size() < 16 || t[13] != ':' || !digits(14, 2)) return false;
  if (value(11, 2) > 23 || value(14, 2) > 59) return false;
  std::size_t k = 16;
  if (k < t.size() && t[k] == ':') {
    if (!digits(k + 1, 2) || value(k + 1, 2) > 60) return false;
    k += 3;
    if (k < t.size() && (t[k] == '.' || t[k] == ',')) {
      ++k;
      const std::size_t b = k;
      while (k < t.size() && t[k] >= '0' && t[k] <= '9') ++k;
      if (k == b) return false;
    }
  }
  if (k == t.size()) return true;
  if (t[k] == 'Z') return k + 1 == t.size();
  if (t[k] != '+' && t[k] != '-') return false;
  return t.size() == k + 6 && digits(k + 1, 2) && t[k + 3] == ':' && digits(k + 4, 2);
}

std::string rayyan_reviewer_name(const decision_import& spec, std::string_view name) {
  for (const auto& [from, to] : spec.rename) {
    if (from == name) return to;
  }
  std::string out(name.substr(0, 64));
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return out;
}

decision_import_result parse_tool_decisions(std::string_view text, const decision_import& spec,
                                            const std::string& label) {
  decision_import_result out;
  switch (spec.tool) {
    case decision_tool::rayyan: read_rayyan(text, spec, label, out); break;
    case decision_tool::asreview: read_asreview(text, spec, label, out); break;
    case decision_tool::covidence: read_covidence(text, spec, label, out); break;
  }
  return out;
}

decision_import_result read_tool_decisions(const decision_import& spec, const std::string& label) {
  return parse_tool_decisions(io::read_file(spec.path), spec, label);
}

}  // namespace metasift::review
