// The audit CSV: one row per input record with its whole path through the pipeline.
#include "metasift/review/audit.hpp"

#include <vector>

#include "audit_csv.hpp"

namespace metasift::review {

namespace {

/// A team's reviewers, by name (the legacy single `decisions` file has no name and no columns).
std::vector<std::size_t> named_reviewers(const screen_result& result) {
  std::vector<std::size_t> out;
  for (std::size_t r = 0; r < result.reviewers.size(); ++r) {
    if (!result.reviewers[r].empty()) out.push_back(r);
  }
  return out;
}

void team_cells(std::string& out, const stage_decisions& sd, const std::vector<std::size_t>& named, bool adjudication) {
  out += ',';
  detail::csv_field(out, sd.by_reviewer.empty() || sd.state == stage_state::none ? std::string() : to_string(sd.state));
  for (const std::size_t r : named) {
    const auto& d = r < sd.by_reviewer.size() ? sd.by_reviewer[r] : std::nullopt;
    for (const std::string* v : {d ? &d->decision : nullptr, d ? &d->reason : nullptr, d ? &d->time : nullptr}) {
      out += ',';
      if (v) detail::csv_field(out, *v);
    }
  }
  if (adjudication) {
    for (const std::string* v : {sd.adjudication ? &sd.adjudication->decision : nullptr,
                                 sd.adjudication ? &sd.adjudication->reason : nullptr}) {
      out += ',';
      if (v) detail::csv_field(out, *v);
    }
  }
}

}  // namespace

std::string format_audit_csv(const review_spec& spec, const screen_result& result) {
  const std::vector<std::size_t> named = named_reviewers(result);
  const bool adjudication = spec.screening.adjudication.has_value();
  std::string out =
      "record,source,source_file,source_line,source_id,doi,pmid,year,title,"
      "dedup_status,duplicate_of,dedup_rule,dedup_score,"
      "search,failed_criterion,exclusion_reason,criteria_notes,"
      "title_abstract_decision,title_abstract_reason,full_text_decision,full_text_reason,"
      "decision_lines,final_status,note";
  if (!named.empty()) {
    out += ",second_review";
    for (const char* stage : {"title_abstract", "full_text"}) {
      out += std::string(",") + stage + "_state";
      for (const std::size_t r : named) {
        const std::string& n = result.reviewers[r];
        out += std::string(",") + stage + "_" + n + "," + stage + "_" + n + "_reason," + stage + "_" + n + "_time";
      }
      if (adjudication) out += std::string(",") + stage + "_adjudication," + stage + "_adjudication_reason";
    }
  }
  out += '\n';
  for (std::size_t i = 0; i < result.records.size() && i < result.audit.size(); ++i) {
    const record& r = result.records[i];
    const audit_entry& a = result.audit[i];
    const bool linked = a.dedup != dedup_status::unique;
    std::string lines;
    for (const std::string& l : a.decision_refs) {
      if (!lines.empty()) lines += ';';
      lines += l;
    }
    std::string note = a.note;
    if (a.dedup == dedup_status::duplicate) {
      const audit_entry& kept = result.audit[a.duplicate_of];
      note += (note.empty() ? "" : "; ") + std::string("kept record is ") + to_string(kept.status);
    }
    const std::string source = a.source < spec.sources.size() ? spec.sources[a.source].name : std::string();
    detail::csv_row(out, a.key, source, r.source_file, std::to_string(r.source_line), r.source_id, r.doi, r.pmid,
                    r.year != 0 ? std::to_string(r.year) : std::string(), r.title, to_string(a.dedup),
                    linked ? result.audit[a.duplicate_of].key : std::string(), a.dedup_rule,
                    linked ? detail::fixed(a.dedup_score) : std::string(), a.search, a.failed_criterion,
                    a.exclusion_reason, a.criteria_notes, a.title_abstract ? a.title_abstract->decision : std::string(),
                    a.title_abstract ? a.title_abstract->reason : std::string(),
                    a.full_text ? a.full_text->decision : std::string(),
                    a.full_text ? a.full_text->reason : std::string(), lines, to_string(a.status), note);
    if (!named.empty()) {
      out.pop_back();  // the row's newline: the team's columns follow
      const bool kept = a.dedup != dedup_status::duplicate;
      out += ',';
      if (kept && a.status != final_status::excluded_automatic) out += a.second_review_required ? "yes" : "no";
      const stage_decisions none;
      team_cells(out, kept ? a.ta_team : none, named, adjudication);
      team_cells(out, kept ? a.ft_team : none, named, adjudication);
      out += '\n';
    }
  }
  return out;
}

}  // namespace metasift::review
