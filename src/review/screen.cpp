// The screening pipeline: import -> dedup -> search -> criteria -> human decisions -> PRISMA.
#include "metasift/review/screen.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "metasift/core/check.hpp"
#include "metasift/io/file.hpp"
#include "metasift/io/table.hpp"
#include "metasift/review/dedup_normalize.hpp"
#include "metasift/review/import.hpp"
#include "metasift/review/query.hpp"

namespace metasift::review {

const char* to_string(final_status s) noexcept {
  switch (s) {
    case final_status::duplicate: return "duplicate";
    case final_status::excluded_automatic: return "excluded-automatic";
    case final_status::awaiting_title_abstract: return "awaiting-title-abstract";
    case final_status::excluded_title_abstract: return "excluded-title-abstract";
    case final_status::not_retrieved: return "not-retrieved";
    case final_status::excluded_full_text: return "excluded-full-text";
    case final_status::awaiting_full_text: return "awaiting-full-text";
    case final_status::included: return "included";
  }
  return "awaiting-title-abstract";
}

namespace {

const std::string search_reason = "Not matched by the search query";
const std::string no_reason = "Reason not recorded";

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  std::replace(s.begin(), s.end(), '_', '-');
  return s;
}

void add_query_diagnostics(std::vector<std::string>& out, const compiled_query& q, const source_position& where) {
  for (const auto& d : q.diagnostics()) {
    source_position p = where;
    if (d.position > 0 && p.column > 0) p.column = p.column - 1 + d.position;
    out.push_back(p.to_string() + ": " + to_string(d.severity) + " " + d.code + ": " + d.message);
  }
}

struct decision_cell {
  human_decision d;
  source_position where;
};

class decision_book {
 public:
  decision_book(const std::vector<record>& recs, const std::vector<audit_entry>& audit) : audit_(audit) {
    for (std::size_t i = 0; i < recs.size(); ++i) {
      by_key_[audit[i].key].push_back(i);
      const std::string d = canonical_doi(recs[i].doi);
      if (!d.empty()) by_doi_[d].push_back(i);
    }
  }

  /// The kept record a decision names, and the record it literally names.
  std::pair<std::size_t, std::size_t> resolve(const std::string& named, const source_position& where) const {
    const std::vector<std::size_t>* hits = nullptr;
    if (const auto k = by_key_.find(named); k != by_key_.end()) {
      hits = &k->second;
    } else if (const std::string d = canonical_doi(named); !d.empty()) {
      if (const auto it = by_doi_.find(d); it != by_doi_.end()) hits = &it->second;
    }
    if (hits == nullptr) {
      fail_input(where, "record", "'" + named + "' names no record of this review (give a DOI or <source name>:<source_id>, "
                                  "e.g. '" + (audit_.empty() ? std::string("Scopus:S14") : audit_.front().key) + "')");
    }
    std::set<std::size_t> kept;
    for (const std::size_t i : *hits) kept.insert(kept_of(i));
    if (kept.size() > 1) {
      std::string keys;
      for (const std::size_t k : kept) keys += (keys.empty() ? "" : ", ") + audit_[k].key;
      fail_input(where, "record", "'" + named + "' is ambiguous: it names " + std::to_string(kept.size()) +
                                      " records that were not merged (" + keys + "); name one as <source>:<source_id>");
    }
    return {*kept.begin(), hits->front()};
  }

  [[nodiscard]] std::size_t kept_of(std::size_t i) const {
    return audit_[i].dedup == dedup_status::duplicate ? audit_[i].duplicate_of : i;
  }

 private:
  const std::vector<audit_entry>& audit_;
  std::unordered_map<std::string, std::vector<std::size_t>> by_key_, by_doi_;
};

void add_reason(std::vector<prisma_count>& v, const std::string& reason) {
  for (auto& c : v) {
    if (c.name == reason) {
      ++c.n;
      return;
    }
  }
  v.push_back({reason, 1});
}

}  // namespace

screen_result run_screening(const review_spec& spec, const screen_options& opt) {
  screen_result res;
  res.prisma.title = spec.title;

  // 1. Import every file of every source.
  for (std::size_t si = 0; si < spec.sources.size(); ++si) {
    const review_source& src = spec.sources[si];
    std::size_t n_source = 0;
    for (std::size_t k = 0; k < src.paths.size(); ++k) {
      import_options io;
      io.database = src.name;
      io.format = src.format;
      import_result ir = import_file(src.paths[k], io);
      for (auto& w : ir.warnings) res.warnings.push_back(std::move(w));
      for (auto& rec : ir.records) {
        rec.source_file = src.files[k];
        audit_entry a;
        a.source = si;
        a.key = src.name + ":" + rec.source_id;
        res.audit.push_back(std::move(a));
        res.records.push_back(std::move(rec));
        ++n_source;
      }
    }
    res.prisma.database_specific_results.push_back({src.name, n_source});
  }
  std::vector<record>& recs = res.records;
  std::vector<audit_entry>& audit = res.audit;
  res.prisma.database_results = recs.size();

  // Query lint, for the report.
  if (spec.search) add_query_diagnostics(res.query_diagnostics, spec.search->compiled, spec.search->where);
  for (const auto& c : spec.criteria) {
    if (c.query) add_query_diagnostics(res.query_diagnostics, *c.query, c.query_where);
    if (c.exclude_query) add_query_diagnostics(res.query_diagnostics, *c.exclude_query, c.exclude_where);
  }

  // 2. Deduplicate.
  res.dedup = deduplicate(recs, opt.dedup);
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const dedup_decision& d = res.dedup.decisions[i];
    audit[i].dedup = d.status;
    audit[i].duplicate_of = d.duplicate_of;
    audit[i].dedup_score = d.score;
    audit[i].dedup_rule = d.rule;
  }

  // 3 + 4. Search and criteria on the kept records.
  std::vector<prisma_count> automatic;
  if (spec.search) automatic.push_back({search_reason, 0});
  for (const auto& c : spec.criteria) automatic.push_back({c.reason, 0});
  for (std::size_t i = 0; i < recs.size(); ++i) {
    audit_entry& a = audit[i];
    if (a.dedup == dedup_status::duplicate) {
      a.status = final_status::duplicate;
      continue;
    }
    const query_document doc(recs[i]);
    if (spec.search) {
      const bool m = spec.search->compiled.matches(doc);
      a.search = m ? "match" : "no-match";
      if (!m) {
        a.failed_criterion = "search";
        a.exclusion_reason = search_reason;
        a.status = final_status::excluded_automatic;
        ++automatic[0].n;
        continue;
      }
    } else {
      a.search = "not-applied";
    }
    const std::size_t offset = spec.search ? 1 : 0;
    for (std::size_t k = 0; k < spec.criteria.size(); ++k) {
      const criterion_check chk = check_criterion(spec.criteria[k], doc);
      if (!chk.pass) {
        a.failed_criterion = spec.criteria[k].id;
        a.exclusion_reason = spec.criteria[k].reason;
        if (!chk.detail.empty()) a.note = spec.criteria[k].id + ": " + chk.detail;
        a.status = final_status::excluded_automatic;
        ++automatic[offset + k].n;
        break;
      }
      if (!chk.detail.empty()) {
        if (!a.criteria_notes.empty()) a.criteria_notes += "; ";
        a.criteria_notes += spec.criteria[k].id + ": " + chk.detail;
      }
    }
  }

  // 5. Human decisions.
  std::map<std::size_t, decision_cell> ta, ft;  // by kept record
  std::string label;
  if (spec.decisions) {
    label = (spec.dir / spec.decisions_label).lexically_normal().string();
    const io::table t = io::parse_table(io::read_file(*spec.decisions), label);
    auto need = [&](const char* name) {
      const auto c = t.find(name);
      if (!c) fail_input({label, 1, 0}, "", std::string("missing column '") + name + "' (expected record,stage,decision[,reason])");
      return *c;
    };
    const std::size_t c_record = need("record"), c_stage = need("stage"), c_decision = need("decision");
    const auto c_reason = t.find("reason");
    const decision_book book(recs, audit);
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      const auto& row = t.rows[r];
      const std::string named = trim(row[c_record]);
      if (named.empty()) fail_input(t.position(r, c_record), "record", "empty");
      const std::string stage = lower(trim(row[c_stage]));
      if (stage != "title-abstract" && stage != "full-text") {
        fail_input(t.position(r, c_stage), "stage", "must be title-abstract or full-text, got '" + row[c_stage] + "'");
      }
      const std::string decision = lower(trim(row[c_decision]));
      if (decision != "include" && decision != "exclude" && decision != "not-retrieved") {
        fail_input(t.position(r, c_decision), "decision",
                   "must be include, exclude or not-retrieved, got '" + row[c_decision] + "'");
      }
      if (decision == "not-retrieved" && stage == "title-abstract") {
        fail_input(t.position(r, c_decision), "decision", "not-retrieved is a full-text decision");
      }
      const auto [kept, literal] = book.resolve(named, t.position(r, c_record));
      decision_cell cell{{decision, c_reason ? trim(row[*c_reason]) : std::string(), named, t.row_line[r]},
                         t.position(r, c_record)};
      audit[kept].decision_lines.push_back(cell.d.line);
      if (literal != kept) {
        audit[literal].decision_lines.push_back(cell.d.line);
        const std::string note = "decision at " + label + ":" + std::to_string(cell.d.line) + " applied to kept record " +
                                 audit[kept].key;
        audit[literal].note += (audit[literal].note.empty() ? "" : "; ") + note;
      }
      auto& book_for_stage = stage == "title-abstract" ? ta : ft;
      const auto [it, inserted] = book_for_stage.emplace(kept, cell);
      if (!inserted && (it->second.d.decision != decision || it->second.d.reason != cell.d.reason)) {
        fail_input(cell.where, "record",
                   "conflicting " + stage + " decisions for " + audit[kept].key + ": line " +
                       std::to_string(it->second.d.line) + " says " + it->second.d.decision +
                       (it->second.d.reason.empty() ? "" : " (" + it->second.d.reason + ")") + ", this line says " +
                       decision + (cell.d.reason.empty() ? "" : " (" + cell.d.reason + ")"));
      }
    }
  }

  // 6. Final status of every kept record.
  prisma_counts& p = res.prisma;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    audit_entry& a = audit[i];
    const auto ta_it = ta.find(i);
    const auto ft_it = ft.find(i);
    if (ta_it != ta.end()) a.title_abstract = ta_it->second.d;
    if (ft_it != ft.end()) a.full_text = ft_it->second.d;
    if (a.status == final_status::duplicate) {
      ++p.duplicates;
      continue;
    }
    if (a.dedup == dedup_status::maybe) ++p.maybe_duplicates;
    if (a.status == final_status::excluded_automatic) {
      if (ta_it != ta.end() || ft_it != ft.end()) {
        const std::size_t line = ta_it != ta.end() ? ta_it->second.d.line : ft_it->second.d.line;
        const std::string w = label + ":" + std::to_string(line) + ": decision on " + a.key +
                              " ignored: the record was excluded automatically (" + a.failed_criterion + ")";
        res.warnings.push_back(w);
        a.note += (a.note.empty() ? "" : "; ") + std::string("human decision ignored (excluded automatically)");
      }
      continue;
    }
    ++p.records_screened;
    if (ta_it != ta.end() && ta_it->second.d.decision == "exclude") {
      if (ft_it != ft.end()) {
        fail_input(ft_it->second.where, "record",
                   a.key + " has a full-text decision but was excluded at title-abstract (line " +
                       std::to_string(ta_it->second.d.line) + ")");
      }
      a.status = final_status::excluded_title_abstract;
      ++p.records_excluded;
      add_reason(p.records_excluded_reasons, a.title_abstract->reason.empty() ? no_reason : a.title_abstract->reason);
      continue;
    }
    if (ta_it == ta.end() && ft_it == ft.end()) {
      a.status = final_status::awaiting_title_abstract;
      ++p.awaiting_screening;
      continue;
    }
    ++p.dbr_sought_reports;  // included at title-abstract, or implied by a full-text decision
    if (ft_it == ft.end()) {
      a.status = final_status::awaiting_full_text;
      ++p.awaiting_full_text;
      continue;
    }
    const human_decision& f = ft_it->second.d;
    if (f.decision == "not-retrieved") {
      a.status = final_status::not_retrieved;
      ++p.dbr_notretrieved_reports;
    } else if (f.decision == "exclude") {
      a.status = final_status::excluded_full_text;
      ++p.dbr_assessed;
      if (f.reason.empty()) {
        res.warnings.push_back(label + ":" + std::to_string(f.line) + ": full-text exclusion of " + a.key +
                               " has no reason; PRISMA reports it as '" + no_reason + "'");
      }
      add_reason(p.dbr_excluded, f.reason.empty() ? no_reason : f.reason);
    } else {
      a.status = final_status::included;
      ++p.dbr_assessed;
      ++p.new_reports;
      ++p.new_studies;  // one report per study: metasift cannot tell two reports of one study apart
    }
  }
  for (const auto& a : automatic) p.excluded_automatic += a.n;
  p.excluded_automatic_reasons = std::move(automatic);

  // Every record is in exactly one final box, the audit trail agrees with the boxes, and the
  // boxes add up.
  std::map<final_status, std::size_t> tally;
  for (const auto& a : audit) ++tally[a.status];
  std::size_t ft_excluded = 0;
  for (const auto& r : p.dbr_excluded) ft_excluded += r.n;
  if (audit.size() != p.database_results || tally[final_status::duplicate] != p.duplicates ||
      tally[final_status::excluded_automatic] != p.excluded_automatic ||
      tally[final_status::excluded_title_abstract] != p.records_excluded ||
      tally[final_status::awaiting_title_abstract] != p.awaiting_screening ||
      tally[final_status::not_retrieved] != p.dbr_notretrieved_reports ||
      tally[final_status::awaiting_full_text] != p.awaiting_full_text ||
      tally[final_status::excluded_full_text] != ft_excluded || tally[final_status::included] != p.new_reports) {
    throw error("internal: the audit trail and the PRISMA counts disagree");
  }
  check_prisma(p);
  return res;
}

}  // namespace metasift::review
