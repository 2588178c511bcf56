#pragma once
// The audit trail of a screening run: one CSV row per input record, in input order, with its
// whole path through the pipeline (docs/review.md, "Audit trail"). Columns:
//   record, source, source_file, source_line, source_id, doi, pmid, year, title,
//   dedup_status, duplicate_of, dedup_rule, dedup_score,
//   search, failed_criterion, exclusion_reason, criteria_notes,
//   title_abstract_decision, title_abstract_reason, full_text_decision, full_text_reason,
//   decision_lines, final_status, note
// and, when [screening] names reviewers, second_review and for each stage <stage>_state, then per
// reviewer <stage>_<name>, <stage>_<name>_reason, <stage>_<name>_time, then (with an adjudication
// file) <stage>_adjudication, <stage>_adjudication_reason.

#include <string>

#include "metasift/review/screen.hpp"

namespace metasift::review {

[[nodiscard]] std::string format_audit_csv(const review_spec& spec, const screen_result& result);

}  // namespace metasift::review
