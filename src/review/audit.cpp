// The audit CSV: one row per input record with its whole path through the pipeline.
#include "metasift/review/audit.hpp"

#include "audit_csv.hpp"

namespace metasift::review {

std::string format_audit_csv(const review_spec& spec, const screen_result& result) {
  std::string out =
      "record,source,source_file,source_line,source_id,doi,pmid,year,title,"
      "dedup_status,duplicate_of,dedup_rule,dedup_score,"
      "search,failed_criterion,exclusion_reason,criteria_notes,"
      "title_abstract_decision,title_abstract_reason,full_text_decision,full_text_reason,"
      "decision_lines,final_status,note\n";
  for (std::size_t i = 0; i < result.records.size() && i < result.audit.size(); ++i) {
    const record& r = result.records[i];
    const audit_entry& a = result.audit[i];
    const bool linked = a.dedup != dedup_status::unique;
    std::string lines;
    for (const std::size_t l : a.decision_lines) {
      if (!lines.empty()) lines += ';';
      lines += std::to_string(l);
    }
    std::string note = a.note;
    if (a.dedup == dedup_status::duplicate) {
      const audit_entry& kept = result.audit[a.duplicate_of];
      note += (note.empty() ? "" : "; ") + std::string("kept record is ") + to_string(kept.status);
    }
    const std::string source = a.source < spec.sources.size() ? spec.sources[a.source].name : std::string();
    detail::csv_row(out, a.key, source, r.source_file, std::to_string(r.source_line), r.source_id, r.doi, r.pmid,
                    r.year != 0 ? std::to_string(r.year) : std::string(), r.title, to_string(a.dedup),
                    linked ? result.audit[a.duplicate_of].key : std::string(),
                    a.dedup_rule, linked ? detail::fixed(a.dedup_score) : std::string(), a.search, a.failed_criterion,
                    a.exclusion_reason, a.criteria_notes, a.title_abstract ? a.title_abstract->decision : std::string(),
                    a.title_abstract ? a.title_abstract->reason : std::string(),
                    a.full_text ? a.full_text->decision : std::string(),
                    a.full_text ? a.full_text->reason : std::string(), lines, to_string(a.status), note);
  }
  return out;
}

}  // namespace metasift::review
