#pragma once
// The screening pipeline of `metasift screen`: import every source of a review file,
// deduplicate, re-apply the search, apply the criteria in order (automation), then the human
// decisions; count everything into PRISMA 2020 boxes whose arithmetic is checked; and keep the
// whole path of every input record for the audit trail (audit.hpp).
//
// Human decisions (CSV: record,stage,decision[,reason]):
//   record    the record's DOI, or "<source name>:<source_id>" (e.g. "Scopus:S14", "PubMed:31501234")
//   stage     title-abstract | full-text
//   decision  include | exclude | not-retrieved (full-text only)
// A decision naming a record removed as a duplicate applies to the record kept in its place; one
// naming no record, an ambiguous one, or two conflicting decisions are errors (file:line:column).
// A full-text decision implies the record passed title-abstract screening.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "metasift/review/dedup.hpp"
#include "metasift/review/prisma.hpp"
#include "metasift/review/record.hpp"
#include "metasift/review/review_file.hpp"

namespace metasift::review {

enum class final_status {
  duplicate,                ///< removed as a duplicate of another record
  excluded_automatic,       ///< failed the search or a criterion
  awaiting_title_abstract,  ///< screened, no title-abstract decision yet
  excluded_title_abstract,
  not_retrieved,
  excluded_full_text,
  awaiting_full_text,       ///< sought, no full-text decision yet
  included,
};
[[nodiscard]] const char* to_string(final_status s) noexcept;

struct human_decision {
  std::string decision;  ///< include | exclude | not-retrieved
  std::string reason;
  std::string named;     ///< the record as the decisions file names it
  std::size_t line = 0;  ///< line in the decisions file
};

/// The whole path of one input record.
struct audit_entry {
  std::string key;             ///< "<source name>:<source_id>"
  std::size_t source = 0;      ///< index into review_spec::sources
  dedup_status dedup = dedup_status::unique;
  std::size_t duplicate_of = 0;  ///< record index (duplicate / maybe)
  double dedup_score = 0;
  std::string dedup_rule;
  std::string search;          ///< "match", "no-match", "not-applied"; empty for duplicates
  std::string failed_criterion;
  std::string exclusion_reason;
  std::string criteria_notes;  ///< unknown values that passed ("date: year unknown")
  std::optional<human_decision> title_abstract;
  std::optional<human_decision> full_text;
  std::vector<std::size_t> decision_lines;  ///< lines of the decisions file naming this record
  final_status status = final_status::awaiting_title_abstract;
  std::string note;
};

struct screen_options {
  dedup_options dedup;
};

struct screen_result {
  std::vector<record> records;      ///< every input record, sources in order, files in order
  std::vector<audit_entry> audit;   ///< one per record, same order
  dedup_result dedup;
  prisma_counts prisma;
  std::vector<std::string> warnings;  ///< import warnings and decisions that changed nothing
  std::vector<std::string> query_diagnostics;  ///< "review.toml:line:col: warning W101: ..." for every query
};

/// Runs the pipeline. Throws input_error for bad decisions, io_error for unreadable files, and
/// metasift::error if the PRISMA counts fail an invariant (which would be a bug).
[[nodiscard]] screen_result run_screening(const review_spec& spec, const screen_options& opt = {});

}  // namespace metasift::review
