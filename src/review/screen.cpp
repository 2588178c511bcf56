// The screening pipeline: import -> dedup -> search -> criteria -> human decisions -> PRISMA.
#include "metasift/review/screen.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "metasift/core/check.hpp"
#include "metasift/io/file.hpp"
#include "metasift/io/table.hpp"
#include "metasift/review/decision_import.hpp"
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
    case final_status::awaiting_title_abstract_adjudication: return "awaiting-title-abstract-adjudication";
    case final_status::awaiting_title_abstract_second_reviewer: return "awaiting-title-abstract-second-reviewer";
    case final_status::awaiting_full_text_adjudication: return "awaiting-full-text-adjudication";
    case final_status::awaiting_full_text_second_reviewer: return "awaiting-full-text-second-reviewer";
  }
  return "awaiting-title-abstract";
}

const char* to_string(screening_stage s) noexcept {
  return s == screening_stage::title_abstract ? "title-abstract" : "full-text";
}

const char* to_string(stage_state s) noexcept {
  switch (s) {
    case stage_state::none: return "none";
    case stage_state::single: return "single";
    case stage_state::agreed: return "agreed";
    case stage_state::adjudicated: return "adjudicated";
    case stage_state::awaiting_adjudication: return "awaiting adjudication";
    case stage_state::awaiting_second_reviewer: return "awaiting second reviewer";
  }
  return "none";
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
      if (!recs[i].pmid.empty()) by_pmid_[recs[i].pmid].push_back(i);
      const std::string t = normalize_title(recs[i].title);
      if (!t.empty()) by_title_[t].push_back(i);
      years_.push_back(recs[i].year);
    }
  }

  /// The kept record an imported decision names: by DOI, else PubMed ID, else normalised title
  /// (narrowed by year when several unmerged records share the title).
  std::pair<std::size_t, std::size_t> resolve_imported(const imported_decision& d) const {
    const std::vector<std::size_t>* hits = nullptr;
    if (const std::string doi = canonical_doi(d.doi); !doi.empty()) {
      if (const auto it = by_doi_.find(doi); it != by_doi_.end()) hits = &it->second;
    }
    if (hits == nullptr && !d.pmid.empty()) {
      if (const auto it = by_pmid_.find(d.pmid); it != by_pmid_.end()) hits = &it->second;
    }
    std::vector<std::size_t> narrowed;
    if (hits == nullptr) {
      if (const std::string t = normalize_title(d.title); !t.empty()) {
        if (const auto it = by_title_.find(t); it != by_title_.end()) hits = &it->second;
      }
      if (hits != nullptr && d.year > 0) {
        for (const std::size_t i : *hits) {
          if (years_[i] == 0 || std::abs(years_[i] - d.year) <= 1) narrowed.push_back(i);
        }
        hits = narrowed.empty() ? nullptr : &narrowed;
      }
    }
    const std::string what = d.tool_id.empty() ? std::string("this record") : "'" + d.tool_id + "'";
    if (hits == nullptr) {
      fail_input(d.where, "record",
                 what + " names no record of this review (DOI '" + d.doi + "', title '" + d.title.substr(0, 80) +
                     "'): add the export it came from as a [[sources]] entry, or the tool's export itself");
    }
    std::set<std::size_t> kept;
    for (const std::size_t i : *hits) kept.insert(kept_of(i));
    if (kept.size() > 1) {
      std::string keys;
      for (const std::size_t k : kept) keys += (keys.empty() ? "" : ", ") + audit_[k].key;
      fail_input(d.where, "record",
                 what + " is ambiguous: it matches " + std::to_string(kept.size()) + " records that were not merged (" +
                     keys + ")");
    }
    return {*kept.begin(), hits->front()};
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
      fail_input(where, "record",
                 "'" + named +
                     "' names no record of this review (give a DOI or <source name>:<source_id>, "
                     "e.g. '" +
                     (audit_.empty() ? std::string("Scopus:S14") : audit_.front().key) + "')");
    }
    std::set<std::size_t> kept;
    for (const std::size_t i : *hits) kept.insert(kept_of(i));
    if (kept.size() > 1) {
      std::string keys;
      for (const std::size_t k : kept) keys += (keys.empty() ? "" : ", ") + audit_[k].key;
      fail_input(where, "record",
                 "'" + named + "' is ambiguous: it names " + std::to_string(kept.size()) +
                     " records that were not merged (" + keys + "); name one as <source>:<source_id>");
    }
    return {*kept.begin(), hits->front()};
  }

  [[nodiscard]] std::size_t kept_of(std::size_t i) const {
    return audit_[i].dedup == dedup_status::duplicate ? audit_[i].duplicate_of : i;
  }

 private:
  const std::vector<audit_entry>& audit_;
  std::unordered_map<std::string, std::vector<std::size_t>> by_key_, by_doi_, by_pmid_, by_title_;
  std::vector<int> years_;
};

struct file_decisions {
  std::map<std::size_t, decision_cell> ta, ft;                           ///< by kept record
  std::map<std::size_t, std::optional<std::size_t>> ta_adopt, ft_adopt;  ///< adjudication: "side with reviewer r"
};

/// Reads one decisions file (a reviewer's, the legacy single file, or the adjudication file).
/// Two lines for one record and stage are an error naming both lines.
file_decisions read_decisions_file(const review_spec& spec, const decision_file& f, const decision_book& book,
                                   std::vector<audit_entry>& audit, bool adjudication,
                                   const std::vector<std::string>& reviewers) {
  file_decisions out;
  const std::string label = (spec.dir / f.label).lexically_normal().string();
  const io::table t = io::parse_table(io::read_file(f.path), label);
  auto need = [&](const char* name) {
    const auto c = t.find(name);
    if (!c) {
      fail_input({label, 1, 0}, "",
                 std::string("missing column '") + name + "' (expected record,stage,decision[,reason][,time])");
    }
    return *c;
  };
  const std::size_t c_record = need("record"), c_stage = need("stage"), c_decision = need("decision");
  const auto c_reason = t.find("reason");
  const auto c_time = t.find("time");
  auto reviewer_index = [&](const std::string& name) -> std::optional<std::size_t> {
    for (std::size_t r = 0; r < reviewers.size(); ++r) {
      if (!reviewers[r].empty() && reviewers[r] == name) return r;
    }
    return std::nullopt;
  };
  if (adjudication) {  // the columns `metasift conflicts` writes: <reviewer>_decision, <reviewer>_reason
    for (std::size_t c = 0; c < t.names.size(); ++c) {
      const std::string& h = t.names[c];
      for (const std::string_view suffix : {std::string_view("_decision"), std::string_view("_reason")}) {
        if (h.size() > suffix.size() && std::string_view(h).substr(h.size() - suffix.size()) == suffix) {
          const std::string who = h.substr(0, h.size() - suffix.size());
          if (!reviewer_index(who)) {
            fail_input(
                t.header_position(c), "", "unknown reviewer '" + who + "' (the reviewers of review.toml are " + [&] {
                  std::string l;
                  for (const auto& r : reviewers) l += (l.empty() ? "" : ", ") + r;
                  return l;
                }() + ")");
          }
        }
      }
    }
  }
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const auto& row = t.rows[r];
    const std::string named = trim(row[c_record]);
    const std::string raw_decision = trim(row[c_decision]);
    if (adjudication && raw_decision.empty()) continue;  // a conflicts list not (yet) filled in on this line
    if (named.empty()) fail_input(t.position(r, c_record), "record", "empty");
    const std::string stage = lower(trim(row[c_stage]));
    if (stage != "title-abstract" && stage != "full-text") {
      fail_input(t.position(r, c_stage), "stage", "must be title-abstract or full-text, got '" + row[c_stage] + "'");
    }
    std::string decision = lower(raw_decision);
    std::optional<std::size_t> adopt;
    if (adjudication && decision != "include" && decision != "exclude" && decision != "not-retrieved") {
      adopt = reviewer_index(raw_decision);
      if (!adopt) {
        fail_input(t.position(r, c_decision), "decision",
                   "unknown reviewer '" + raw_decision +
                       "' (an adjudication is include, exclude, not-retrieved or the name of the reviewer whose "
                       "decision stands)");
      }
    } else if (decision != "include" && decision != "exclude" && decision != "not-retrieved") {
      fail_input(t.position(r, c_decision), "decision",
                 "must be include, exclude or not-retrieved, got '" + row[c_decision] + "'");
    }
    if (decision == "not-retrieved" && stage == "title-abstract") {
      fail_input(t.position(r, c_decision), "decision", "not-retrieved is a full-text decision");
    }
    std::string time = c_time ? trim(row[*c_time]) : std::string();
    if (!time.empty() && !is_iso8601(time)) {
      fail_input(t.position(r, *c_time), "time",
                 "'" + time + "' is not an ISO 8601 date or time (e.g. 2026-03-01T14:05:00Z)");
    }
    const auto [kept, literal] = book.resolve(named, t.position(r, c_record));
    decision_cell cell{{decision, c_reason ? trim(row[*c_reason]) : std::string(), named, t.row_line[r], time, label},
                       t.position(r, c_record)};
    const std::string ref = f.name.empty() ? std::to_string(cell.d.line) : f.label + ":" + std::to_string(cell.d.line);
    if (f.name.empty()) audit[kept].decision_lines.push_back(cell.d.line);
    audit[kept].decision_refs.push_back(ref);
    if (literal != kept) {
      if (f.name.empty()) audit[literal].decision_lines.push_back(cell.d.line);
      audit[literal].decision_refs.push_back(ref);
      const std::string note =
          "decision at " + label + ":" + std::to_string(cell.d.line) + " applied to kept record " + audit[kept].key;
      audit[literal].note += (audit[literal].note.empty() ? "" : "; ") + note;
    }
    auto& book_for_stage = stage == "title-abstract" ? out.ta : out.ft;
    const auto [it, inserted] = book_for_stage.emplace(kept, cell);
    if (!inserted) {
      const human_decision& first = it->second.d;
      const bool same = first.decision == decision && first.reason == cell.d.reason;
      fail_input(cell.where, "record",
                 std::string(same ? "repeated " : "conflicting ") + stage + " decisions for " + audit[kept].key +
                     ": line " + std::to_string(first.line) + " says " + first.decision +
                     (first.reason.empty() ? "" : " (" + first.reason + ")") + ", line " + std::to_string(cell.d.line) +
                     " says " + decision + (cell.d.reason.empty() ? "" : " (" + cell.d.reason + ")") +
                     "; one file holds one decision per record and stage");
    }
    (stage == "title-abstract" ? out.ta_adopt : out.ft_adopt)[kept] = adopt;
  }
  return out;
}

/// Adds the decisions of a tool's export to its reviewers' books. Two decisions of one reviewer
/// on one record and stage (in the export, or in the export and the reviewer's file) are an
/// error naming both.
void add_imported(const decision_import_result& im, const std::string& label, const decision_book& book,
                  const std::vector<std::string>& reviewers, std::vector<file_decisions>& files,
                  std::vector<audit_entry>& audit) {
  for (const imported_decision& d : im.decisions) {
    const auto r =
        static_cast<std::size_t>(std::find(reviewers.begin(), reviewers.end(), d.reviewer) - reviewers.begin());
    const auto [kept, literal] = book.resolve_imported(d);
    const std::string named = !d.doi.empty() ? d.doi : !d.tool_id.empty() ? d.tool_id : d.title;
    decision_cell cell{{d.decision, d.reason, named, d.where.line, d.time, label}, d.where};
    const std::string ref = label + ":" + std::to_string(d.where.line);
    audit[kept].decision_refs.push_back(ref);
    if (literal != kept) {
      audit[literal].decision_refs.push_back(ref);
      const std::string note = "decision at " + ref + " applied to kept record " + audit[kept].key;
      audit[literal].note += (audit[literal].note.empty() ? "" : "; ") + note;
    }
    auto& book_for_stage = d.stage == "title-abstract" ? files[r].ta : files[r].ft;
    const auto [it, inserted] = book_for_stage.emplace(kept, cell);
    if (!inserted) {
      const human_decision& first = it->second.d;
      fail_input(cell.where, "record",
                 "two " + d.stage + " decisions of reviewer '" + d.reviewer + "' for " + audit[kept].key + ": " +
                     first.file + ":" + std::to_string(first.line) + " says " + first.decision + ", " + label + ":" +
                     std::to_string(d.where.line) + " says " + d.decision +
                     "; a reviewer holds one decision per record and stage");
    }
    (d.stage == "title-abstract" ? files[r].ta_adopt : files[r].ft_adopt)[kept] = std::nullopt;
  }
}

bool has_any(const stage_decisions& sd) {
  return std::any_of(sd.by_reviewer.begin(), sd.by_reviewer.end(), [](const auto& d) { return d.has_value(); });
}

const human_decision& first_of(const stage_decisions& sd) {
  for (const auto& d : sd.by_reviewer) {
    if (d) return *d;
  }
  return *sd.adjudication;
}

source_position adjud_where(const file_decisions& adj, std::size_t kept, bool ta) {
  const auto& m = ta ? adj.ta : adj.ft;
  const auto it = m.find(kept);
  return it == m.end() ? source_position{} : it->second.where;
}

/// The adjudication line as a decision; "side with reviewer r" copies r's decision and reason.
human_decision resolve_adjudication(const file_decisions& adj, std::size_t kept, bool ta, const stage_decisions& sd,
                                    const std::vector<std::string>& reviewers) {
  const decision_cell& cell = (ta ? adj.ta : adj.ft).at(kept);
  human_decision d = cell.d;
  const auto& adopt = (ta ? adj.ta_adopt : adj.ft_adopt).at(kept);
  if (adopt) {
    const auto& theirs = sd.by_reviewer[*adopt];
    if (!theirs) {
      fail_input(cell.where, "decision",
                 "reviewer '" + reviewers[*adopt] + "' made no decision on this record at this stage");
    }
    d.decision = theirs->decision;
    if (d.reason.empty()) d.reason = theirs->reason;
  }
  return d;
}

/// The final decision at one stage from every reviewer's decision and the adjudication.
void resolve_stage(stage_decisions& sd, bool two_required, std::size_t kept, screening_stage stage,
                   std::vector<screening_conflict>& conflicts, const source_position& adj_where,
                   const std::string& key) {
  std::vector<std::size_t> who;
  for (std::size_t r = 0; r < sd.by_reviewer.size(); ++r) {
    if (sd.by_reviewer[r]) who.push_back(r);
  }
  bool differ = false, reasons_differ = false;
  for (std::size_t k = 1; k < who.size(); ++k) {
    const human_decision& a = *sd.by_reviewer[who[0]];
    const human_decision& b = *sd.by_reviewer[who[k]];
    if (a.decision != b.decision)
      differ = true;
    else if (a.reason != b.reason)
      reasons_differ = true;
  }
  if (differ) reasons_differ = false;
  if (sd.adjudication && !differ && !reasons_differ) {
    fail_input(adj_where, "record",
               "'" + sd.adjudication->named + "' (" + key + ") has no conflict to adjudicate at " + to_string(stage) +
                   " (" +
                   (who.size() < 2 ? std::to_string(who.size()) + " reviewer decision" + (who.size() == 1 ? "" : "s")
                                   : std::string("the reviewers agree")) +
                   ")");
  }
  sd.reasons_differ = reasons_differ;
  if (who.empty()) {
    sd.state = stage_state::none;
  } else if (who.size() == 1) {
    if (two_required) {
      sd.state = stage_state::awaiting_second_reviewer;
    } else {
      sd.state = stage_state::single;
      sd.final_decision = sd.by_reviewer[who[0]];
    }
  } else if (sd.adjudication) {
    sd.state = stage_state::adjudicated;
    sd.final_decision = sd.adjudication;
  } else if (differ) {
    sd.state = stage_state::awaiting_adjudication;
  } else {
    sd.state = stage_state::agreed;
    sd.final_decision = sd.by_reviewer[who[0]];  // the first reviewer's reason counts
  }
  if (differ || reasons_differ) conflicts.push_back({kept, stage, differ, sd.adjudication.has_value()});
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31U);
}

/// dual-sample: the records a second reviewer must decide. Each screened record is ranked by a
/// hash of the seed and its id, and the first round(sample * n) are taken, so the same seed picks
/// the same records on every machine and a record keeps its rank when new records are added.
std::set<std::size_t> second_review_sample(const screening_spec& team, const std::vector<audit_entry>& audit) {
  std::set<std::size_t> out;
  if (team.mode != screening_mode::dual_sample) return out;
  std::vector<std::pair<std::uint64_t, std::size_t>> ranked;
  for (std::size_t i = 0; i < audit.size(); ++i) {
    if (audit[i].status == final_status::duplicate || audit[i].status == final_status::excluded_automatic) continue;
    std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a of the record id
    for (const char c : audit[i].key) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    ranked.emplace_back(splitmix64(h ^ splitmix64(team.seed)), i);
  }
  std::sort(ranked.begin(), ranked.end());
  auto k = static_cast<std::size_t>(std::llround(team.sample * static_cast<double>(ranked.size())));
  if (k == 0 && !ranked.empty()) k = 1;
  for (std::size_t j = 0; j < k && j < ranked.size(); ++j) out.insert(ranked[j].second);
  return out;
}

/// Agreement at each stage between every pair of named reviewers, and for the whole team when
/// there are more than two: records both (all) decided, include vs exclude.
std::vector<stage_agreement> measure_agreement(const std::vector<std::string>& reviewers,
                                               const std::vector<audit_entry>& audit) {
  std::vector<stage_agreement> out;
  if (reviewers.size() < 2) return out;
  for (const auto stage : {screening_stage::title_abstract, screening_stage::full_text}) {
    auto cat = [&](const audit_entry& a, std::size_t r) -> std::optional<int> {
      const auto& d = (stage == screening_stage::title_abstract ? a.ta_team : a.ft_team).by_reviewer[r];
      if (!d || d->decision == "not-retrieved") return std::nullopt;
      return d->decision == "include" ? 1 : 0;
    };
    auto screened = [](const audit_entry& a) {
      return a.status != final_status::duplicate && a.status != final_status::excluded_automatic;
    };
    for (std::size_t r1 = 0; r1 < reviewers.size(); ++r1) {
      for (std::size_t r2 = r1 + 1; r2 < reviewers.size(); ++r2) {
        std::vector<std::vector<double>> t(2, std::vector<double>(2, 0.0));
        stage_agreement e;
        e.stage = to_string(stage);
        e.reviewers = {reviewers[r1], reviewers[r2]};
        for (const auto& a : audit) {
          if (!screened(a)) continue;
          const auto x = cat(a, r1), y = cat(a, r2);
          if (!x || !y) continue;
          t[static_cast<std::size_t>(*x)][static_cast<std::size_t>(*y)] += 1;
          if (*x != *y) {
            ++e.disagreements;
            const auto& sd = stage == screening_stage::title_abstract ? a.ta_team : a.ft_team;
            if (sd.state == stage_state::adjudicated) ++e.adjudicated;
          }
        }
        const two_rater_agreement g = cohen_agreement(t);
        if (g.n == 0) continue;
        e.n = g.n;
        e.percent_agreement = g.percent_agreement;
        e.kappa = g.kappa;
        e.kappa_ci_lower = g.kappa_ci_lower;
        e.kappa_ci_upper = g.kappa_ci_upper;
        e.pabak = g.pabak;
        e.ac1 = g.ac1;
        out.push_back(std::move(e));
      }
    }
    if (reviewers.size() > 2) {
      stage_agreement e;
      e.stage = to_string(stage);
      e.reviewers = reviewers;
      e.pairwise = false;
      std::vector<std::vector<std::optional<int>>> units;
      std::vector<std::vector<std::size_t>> complete;
      for (const auto& a : audit) {
        if (!screened(a)) continue;
        std::vector<std::optional<int>> u;
        std::size_t rated = 0;
        std::vector<std::size_t> counts(2, 0);
        for (std::size_t r = 0; r < reviewers.size(); ++r) {
          u.push_back(cat(a, r));
          if (u.back()) {
            ++rated;
            ++counts[static_cast<std::size_t>(*u.back())];
          }
        }
        if (rated < 2) continue;
        if (counts[0] > 0 && counts[1] > 0) ++e.disagreements;
        if (rated == reviewers.size()) complete.push_back(counts);
        units.push_back(std::move(u));
      }
      if (units.empty()) continue;
      e.n = units.size();
      e.fleiss_kappa = fleiss_kappa(complete);
      e.krippendorff_alpha = krippendorff_alpha_nominal(units);
      e.percent_agreement = 100 * (1 - static_cast<double>(e.disagreements) / static_cast<double>(e.n));
      const double nan = std::numeric_limits<double>::quiet_NaN();
      e.kappa = e.kappa_ci_lower = e.kappa_ci_upper = e.pabak = e.ac1 = nan;
      out.push_back(std::move(e));
    }
  }
  return out;
}

void add_reason(std::vector<prisma_count>& v, const std::string& reason) {
  for (auto& c : v) {
    if (c.name == reason) {
      ++c.n;
      return;
    }
  }
  v.push_back({reason, 1});
}

/// Step 1: every file of every source, with the PRISMA count of records identified per source.
void import_sources(const review_spec& spec, screen_result& res) {
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
    prisma_counts& pc = res.prisma;
    switch (src.kind) {
      case source_kind::database:
        pc.database_specific_results.push_back({src.name, n_source});
        pc.database_results += n_source;
        break;
      case source_kind::study_register:
        pc.register_specific_results.push_back({src.name, n_source});
        pc.register_results += n_source;
        break;
      case source_kind::website: pc.website_results += n_source; break;
      case source_kind::organisation: pc.organisation_results += n_source; break;
      case source_kind::citation: pc.citations_results += n_source; break;
    }
    if (is_other_method(src.kind)) {
      pc.other_specific_results.push_back({src.name, n_source});
      pc.other_specific_kinds.emplace_back(to_string(src.kind));
    }
  }
}

/// Lint of the search and criteria queries, for the report.
void collect_query_diagnostics(const review_spec& spec, screen_result& res) {
  if (spec.search) add_query_diagnostics(res.query_diagnostics, spec.search->compiled, spec.search->where);
  for (const auto& c : spec.criteria) {
    if (c.query) add_query_diagnostics(res.query_diagnostics, *c.query, c.query_where);
    if (c.exclude_query) add_query_diagnostics(res.query_diagnostics, *c.exclude_query, c.exclude_where);
  }
}

/// Step 2: deduplication, recorded in the audit trail.
void deduplicate_records(const screen_options& opt, screen_result& res) {
  std::vector<record>& recs = res.records;
  std::vector<audit_entry>& audit = res.audit;
  res.dedup = deduplicate(recs, opt.dedup);
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const dedup_decision& d = res.dedup.decisions[i];
    audit[i].dedup = d.status;
    audit[i].duplicate_of = d.duplicate_of;
    audit[i].dedup_score = d.score;
    audit[i].dedup_rule = d.rule;
  }
}

/// Records excluded automatically, per reason (search first, then the criteria in order) for
/// databases and registers, and in all for other methods.
struct automatic_exclusions {
  std::vector<prisma_count> by_reason;
  std::size_t other_methods = 0;
};

/// Steps 3 and 4: the search and then the criteria on every record kept by deduplication; the first
/// one a record fails excludes it.
automatic_exclusions screen_automatically(const review_spec& spec, screen_result& res) {
  automatic_exclusions ex;
  std::vector<prisma_count>& automatic = ex.by_reason;
  std::size_t& other_automatic = ex.other_methods;
  const std::vector<record>& recs = res.records;
  std::vector<audit_entry>& audit = res.audit;
  auto other_arm = [&](const audit_entry& a) { return is_other_method(spec.sources[a.source].kind); };
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
        ++(other_arm(a) ? other_automatic : automatic[0].n);
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
        ++(other_arm(a) ? other_automatic : automatic[offset + k].n);
        break;
      }
      if (!chk.detail.empty()) {
        if (!a.criteria_notes.empty()) a.criteria_notes += "; ";
        a.criteria_notes += spec.criteria[k].id + ": " + chk.detail;
      }
    }
  }
  return ex;
}

/// The adjudication file's decisions and the records sampled for a second review.
struct team_input {
  file_decisions adjud;
  std::set<std::size_t> sampled;
};

/// Step 5: every reviewer's decisions file, then the adjudication file, into the audit trail.
team_input read_team_decisions(const review_spec& spec, screen_result& res) {
  team_input in;
  std::vector<audit_entry>& audit = res.audit;
  const screening_spec& team = spec.screening;
  const decision_book book(res.records, audit);
  for (const auto& r : team.reviewers) res.reviewers.push_back(r.name);
  // Exports of other screening tools bring reviewers of their own (after those of review.toml).
  std::vector<std::pair<decision_import_result, std::string>> imported;
  for (const decision_import& im : team.imports) {
    const std::string label = (spec.dir / im.label).lexically_normal().string();
    imported.emplace_back(read_tool_decisions(im, label), label);
    const decision_import_result& ir = imported.back().first;
    for (const auto& name : ir.reviewers) {
      if (std::find(res.reviewers.begin(), res.reviewers.end(), name) == res.reviewers.end()) {
        res.reviewers.push_back(name);
      }
    }
    res.warnings.push_back(label + ": " + to_string(im.tool) + " export: " + std::to_string(ir.records) + " records, " +
                           std::to_string(ir.decisions.size()) + " decisions, " + std::to_string(ir.undecided) +
                           " records without a decision");
  }
  const std::size_t n_rev = res.reviewers.size();
  if (!team.imports.empty() && team.mode != screening_mode::single && n_rev < 2) {
    fail_input(team.mode_where, "mode",
               std::string("mode = \"") + to_string(team.mode) +
                   "\" needs two reviewers; the imports and reviewers name " + std::to_string(n_rev));
  }
  if (!team.imports.empty() && team.adjudication && n_rev < 2) {
    fail_input(team.adjudication->where, "adjudication",
               "an adjudication file needs two or more reviewers to adjudicate between");
  }
  for (auto& a : audit) {
    a.ta_team.by_reviewer.assign(n_rev, std::nullopt);
    a.ft_team.by_reviewer.assign(n_rev, std::nullopt);
  }
  std::vector<file_decisions> files(n_rev);
  for (std::size_t r = 0; r < team.reviewers.size(); ++r) {
    files[r] = read_decisions_file(spec, team.reviewers[r], book, audit, false, res.reviewers);
  }
  for (const auto& [ir, label] : imported) add_imported(ir, label, book, res.reviewers, files, audit);
  for (std::size_t r = 0; r < n_rev; ++r) {
    for (const auto& [kept, cell] : files[r].ta) audit[kept].ta_team.by_reviewer[r] = cell.d;
    for (const auto& [kept, cell] : files[r].ft) audit[kept].ft_team.by_reviewer[r] = cell.d;
  }
  file_decisions& adjud = in.adjud;
  if (team.adjudication) {
    adjud = read_decisions_file(spec, *team.adjudication, book, audit, true, res.reviewers);
    for (const auto& [kept, cell] : adjud.ta) {
      audit[kept].ta_team.adjudication = resolve_adjudication(adjud, kept, true, audit[kept].ta_team, res.reviewers);
    }
    for (const auto& [kept, cell] : adjud.ft) {
      audit[kept].ft_team.adjudication = resolve_adjudication(adjud, kept, false, audit[kept].ft_team, res.reviewers);
    }
  }
  in.sampled = second_review_sample(team, audit);
  return in;
}

/// Step 6 for record i: its final status from the automatic screening and the team's decisions,
/// counted in the PRISMA boxes of its arm (other methods, or databases and registers).
void settle_record(std::size_t i, bool other, const screening_spec& team, const team_input& in, screen_result& res) {
  audit_entry& a = res.audit[i];
  prisma_counts& p = res.prisma;
  const file_decisions& adjud = in.adjud;
  const std::set<std::size_t>& sampled = in.sampled;
  if (a.status == final_status::duplicate) {
    ++(other ? p.other_duplicates : p.duplicates);
    return;
  }
  if (a.dedup == dedup_status::maybe) ++p.maybe_duplicates;
  const bool any_decision = has_any(a.ta_team) || has_any(a.ft_team);
  if (a.status == final_status::excluded_automatic) {
    if (any_decision) {
      const human_decision& d = first_of(has_any(a.ta_team) ? a.ta_team : a.ft_team);
      const std::string w = d.file + ":" + std::to_string(d.line) + ": decision on " + a.key +
                            " ignored: the record was excluded automatically (" + a.failed_criterion + ")";
      res.warnings.push_back(w);
      a.note += (a.note.empty() ? "" : "; ") + std::string("human decision ignored (excluded automatically)");
    }
    for (const auto* sd : {&a.ta_team, &a.ft_team}) {
      if (sd->adjudication) {
        fail_input(adjud_where(adjud, i, sd == &a.ta_team), "record",
                   a.key + " has no conflict to adjudicate: it was excluded automatically");
      }
    }
    return;
  }
  a.second_review_required = team.mode == screening_mode::dual || sampled.count(i) > 0;
  resolve_stage(a.ta_team, a.second_review_required, i, screening_stage::title_abstract, res.conflicts,
                adjud_where(adjud, i, true), a.key);
  resolve_stage(a.ft_team, a.second_review_required, i, screening_stage::full_text, res.conflicts,
                adjud_where(adjud, i, false), a.key);
  if (a.ta_team.final_decision) a.title_abstract = a.ta_team.final_decision;
  if (a.ft_team.final_decision) a.full_text = a.ft_team.final_decision;
  ++(other ? p.other_records_screened : p.records_screened);
  const stage_state ta_state = a.ta_team.state;
  const bool ft_any = has_any(a.ft_team);
  if (a.title_abstract && a.title_abstract->decision == "exclude") {
    if (ft_any) {
      const human_decision& f = first_of(a.ft_team);
      fail_input({f.file, f.line, 1}, "record",
                 a.key + " has a full-text decision but was excluded at title-abstract (line " +
                     std::to_string(a.title_abstract->line) + ")" +
                     (a.title_abstract->file == f.file ? std::string() : " in " + a.title_abstract->file));
    }
    a.status = final_status::excluded_title_abstract;
    if (other) {
      ++p.other_records_excluded;
    } else {
      ++p.records_excluded;
      add_reason(p.records_excluded_reasons, a.title_abstract->reason.empty() ? no_reason : a.title_abstract->reason);
    }
    return;
  }
  if (ta_state == stage_state::awaiting_adjudication || ta_state == stage_state::awaiting_second_reviewer) {
    const bool adj = ta_state == stage_state::awaiting_adjudication;
    a.status = adj ? final_status::awaiting_title_abstract_adjudication
                   : final_status::awaiting_title_abstract_second_reviewer;
    ++(other ? p.other_awaiting_screening : p.awaiting_screening);
    ++(adj ? p.awaiting_title_abstract_adjudication : p.awaiting_title_abstract_second_reviewer);
    if (ft_any) {
      const human_decision& f = first_of(a.ft_team);
      res.warnings.push_back(f.file + ":" + std::to_string(f.line) + ": full-text decision on " + a.key +
                             " waits: the title-abstract stage is " + to_string(ta_state));
    }
    return;
  }
  if (ta_state == stage_state::none && !ft_any) {
    a.status = final_status::awaiting_title_abstract;
    ++(other ? p.other_awaiting_screening : p.awaiting_screening);
    return;
  }
  ++(other ? p.other_sought_reports
           : p.dbr_sought_reports);  // included at title-abstract, or implied by a full-text decision
  const stage_state ft_state = a.ft_team.state;
  if (ft_state == stage_state::awaiting_adjudication || ft_state == stage_state::awaiting_second_reviewer) {
    const bool adj = ft_state == stage_state::awaiting_adjudication;
    a.status = adj ? final_status::awaiting_full_text_adjudication : final_status::awaiting_full_text_second_reviewer;
    ++(other ? p.other_awaiting_full_text : p.awaiting_full_text);
    ++(adj ? p.awaiting_full_text_adjudication : p.awaiting_full_text_second_reviewer);
    return;
  }
  if (!a.full_text) {
    a.status = final_status::awaiting_full_text;
    ++(other ? p.other_awaiting_full_text : p.awaiting_full_text);
    return;
  }
  const human_decision& f = *a.full_text;
  if (f.decision == "not-retrieved") {
    a.status = final_status::not_retrieved;
    ++(other ? p.other_notretrieved_reports : p.dbr_notretrieved_reports);
  } else if (f.decision == "exclude") {
    a.status = final_status::excluded_full_text;
    ++(other ? p.other_assessed : p.dbr_assessed);
    if (f.reason.empty()) {
      res.warnings.push_back(f.file + ":" + std::to_string(f.line) + ": full-text exclusion of " + a.key +
                             " has no reason; PRISMA reports it as '" + no_reason + "'");
    }
    add_reason(other ? p.other_excluded : p.dbr_excluded, f.reason.empty() ? no_reason : f.reason);
  } else {
    a.status = final_status::included;
    ++(other ? p.other_assessed : p.dbr_assessed);
    ++p.new_reports;
    ++p.new_studies;  // one report per study: metasift cannot tell two reports of one study apart
  }
}

/// Every record is in exactly one final box, the audit trail agrees with the boxes, and the boxes
/// add up; a failure is a bug, not bad input.
void check_tally(const std::vector<audit_entry>& audit, const prisma_counts& p) {
  std::map<final_status, std::size_t> tally;
  for (const auto& a : audit) ++tally[a.status];
  std::size_t ft_excluded = 0;
  for (const auto& r : p.dbr_excluded) ft_excluded += r.n;
  for (const auto& r : p.other_excluded) ft_excluded += r.n;
  const std::size_t identified =
      p.database_results + p.register_results + p.website_results + p.organisation_results + p.citations_results;
  if (audit.size() != identified || tally[final_status::duplicate] != p.duplicates + p.other_duplicates ||
      tally[final_status::excluded_automatic] != p.excluded_automatic + p.other_excluded_automatic ||
      tally[final_status::excluded_title_abstract] != p.records_excluded + p.other_records_excluded ||
      tally[final_status::awaiting_title_abstract] + tally[final_status::awaiting_title_abstract_adjudication] +
              tally[final_status::awaiting_title_abstract_second_reviewer] !=
          p.awaiting_screening + p.other_awaiting_screening ||
      tally[final_status::not_retrieved] != p.dbr_notretrieved_reports + p.other_notretrieved_reports ||
      tally[final_status::awaiting_full_text] + tally[final_status::awaiting_full_text_adjudication] +
              tally[final_status::awaiting_full_text_second_reviewer] !=
          p.awaiting_full_text + p.other_awaiting_full_text ||
      tally[final_status::excluded_full_text] != ft_excluded || tally[final_status::included] != p.new_reports) {
    throw error("internal: the audit trail and the PRISMA counts disagree");
  }
}

}  // namespace

screen_result run_screening(const review_spec& spec, const screen_options& opt) {
  screen_result res;
  res.prisma.title = spec.title;
  import_sources(spec, res);
  collect_query_diagnostics(spec, res);
  deduplicate_records(opt, res);
  automatic_exclusions automatic = screen_automatically(spec, res);
  const team_input team = read_team_decisions(spec, res);
  // Each record is counted in the arm of its own source (databases and registers, or other
  // methods), so that each arm's boxes add up to the records it identified.
  for (std::size_t i = 0; i < res.records.size(); ++i) {
    settle_record(i, is_other_method(spec.sources[res.audit[i].source].kind), spec.screening, team, res);
  }
  prisma_counts& p = res.prisma;
  p.agreement = measure_agreement(res.reviewers, res.audit);
  for (const auto& a : automatic.by_reason) p.excluded_automatic += a.n;
  p.excluded_automatic_reasons = std::move(automatic.by_reason);
  p.other_excluded_automatic = automatic.other_methods;
  check_tally(res.audit, p);
  check_prisma(p);
  return res;
}

}  // namespace metasift::review
