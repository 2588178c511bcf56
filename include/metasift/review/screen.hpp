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
//
// A team ([screening] reviewers = {...}) gives each reviewer a file of these columns (and an
// optional ISO 8601 `time`). The final decision of a record at a stage is the reviewers' decision
// when they agree; the adjudication file's when they disagree; "awaiting adjudication" when they
// disagree and nobody has adjudicated; "awaiting second reviewer" when the mode asks for two
// decisions and there is one. Awaiting records are never counted as included or excluded. The
// same decision with different reasons is not a conflict: the adjudicated reason counts, else the
// first reviewer's (review.toml order), and the record is listed in `reason_differences`.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/review/agreement.hpp"
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
  awaiting_full_text,  ///< sought, no full-text decision yet
  included,
  awaiting_title_abstract_adjudication,     ///< reviewers disagree at title-abstract, not adjudicated
  awaiting_title_abstract_second_reviewer,  ///< one of two required title-abstract decisions
  awaiting_full_text_adjudication,          ///< reviewers disagree at full text, not adjudicated
  awaiting_full_text_second_reviewer,       ///< one of two required full-text decisions
};
[[nodiscard]] const char* to_string(final_status s) noexcept;

struct human_decision {
  std::string decision;  ///< include | exclude | not-retrieved
  std::string reason;
  std::string named;     ///< the record as the decisions file names it
  std::size_t line = 0;  ///< line in the decisions file
  std::string time;      ///< ISO 8601 time stamp, when the file has a `time` column
  std::string file;      ///< the decisions file (path as written in review.toml)
};

enum class screening_stage { title_abstract, full_text };
[[nodiscard]] const char* to_string(screening_stage s) noexcept;  ///< "title-abstract", "full-text"
/// "title-abstract" or "full-text", in any case; nullopt for another name.
[[nodiscard]] std::optional<screening_stage> parse_screening_stage(std::string_view name) noexcept;

/// How a record's final decision at one stage came about.
enum class stage_state {
  none,                      ///< no decision yet
  single,                    ///< one reviewer decided and one suffices
  agreed,                    ///< two or more reviewers made the same decision
  adjudicated,               ///< reviewers disagreed (decision or reason); the adjudication file decided
  awaiting_adjudication,     ///< reviewers disagree, no adjudication line
  awaiting_second_reviewer,  ///< two decisions required, one given
};
[[nodiscard]] const char* to_string(stage_state s) noexcept;

/// Every decision on one record at one stage.
struct stage_decisions {
  std::vector<std::optional<human_decision>> by_reviewer;  ///< index = screening_spec::reviewers
  std::optional<human_decision> adjudication;
  std::optional<human_decision> final_decision;  ///< empty while awaiting
  stage_state state = stage_state::none;
  bool reasons_differ = false;  ///< same decision, different reasons (not a conflict for the counts)
};

/// The whole path of one input record.
struct audit_entry {
  std::string key;         ///< "<source name>:<source_id>"
  std::size_t source = 0;  ///< index into review_spec::sources
  dedup_status dedup = dedup_status::unique;
  std::size_t duplicate_of = 0;  ///< record index (duplicate / maybe)
  double dedup_score = 0;
  std::string dedup_rule;
  std::string search;  ///< "match", "no-match", "not-applied"; empty for duplicates
  std::string failed_criterion;
  std::string exclusion_reason;
  std::string criteria_notes;  ///< unknown values that passed ("date: year unknown")
  std::optional<human_decision> title_abstract;
  std::optional<human_decision> full_text;
  std::vector<std::size_t> decision_lines;  ///< lines of the decisions file naming this record (single file)
  std::vector<std::string> decision_refs;   ///< "file:line" of every decisions line naming this record
  stage_decisions ta_team, ft_team;         ///< every reviewer's decision (kept records only)
  bool second_review_required = false;      ///< dual mode, or sampled in dual-sample mode
  final_status status = final_status::awaiting_title_abstract;
  std::string note;
};

/// A record whose reviewers disagree at one stage (open: nobody has adjudicated yet).
struct screening_conflict {
  std::size_t record = 0;  ///< index of the kept record
  screening_stage stage = screening_stage::title_abstract;
  bool decisions_differ = true;  ///< false: same decision, different reasons
  bool adjudicated = false;
};

struct screen_options {
  dedup_options dedup;
};

struct screen_result {
  std::vector<record> records;     ///< every input record, sources in order, files in order
  std::vector<audit_entry> audit;  ///< one per record, same order
  dedup_result dedup;
  prisma_counts prisma;
  std::vector<std::string> warnings;           ///< import warnings and decisions that changed nothing
  std::vector<std::string> query_diagnostics;  ///< "review.toml:line:col: warning W101: ..." for every query
  std::vector<std::string> reviewers;          ///< names, review.toml order (empty names: the legacy file)
  std::vector<screening_conflict> conflicts;   ///< every disagreement, adjudicated or not, in record order
};

/// Runs the pipeline. Throws input_error for bad decisions, io_error for unreadable files, and
/// metasift::error if the PRISMA counts fail an invariant (which would be a bug).
[[nodiscard]] screen_result run_screening(const review_spec& spec, const screen_options& opt = {});

}  // namespace metasift::review
