#pragma once
// Risk-of-bias and quality appraisal (docs/appraisal.md): appraisal tools as data, the overall
// judgement each tool's guidance publishes, and the reviewers' judgement files.
//
// review.toml:
//   [appraisal]
//   tool = "rob2"            # rob2 | robins-i | robins-e | rob1 | quadas2 | nos-cohort | nos-case-control | mmat2018
//                            # | jbi-cross-sectional | jbi-qualitative
//                            # or "custom" with [[appraisal.domains]] below
//   assessors = { reviewer_a = "appraisal/a.csv", reviewer_b = "appraisal/b.csv" }   # or file = "appraisal.csv"
//   consensus = "appraisal/consensus.csv"   # optional; the final judgements when there are assessors
//   key_domains = ["D1", "D2"]               # optional: the domains the overall rule reads (default: all)
//   # custom tools only:
//   judgements = ["low", "unclear", "high"]  # least to most severe
//   overall = "worst"                        # worst | all-low | rob2 | none
//   [[appraisal.domains]]
//   id = "D1"
//   name = "Selection bias"
//   judgements = [...]                       # optional, per domain
//
// Judgement files (CSV): record (or study), domain, judgement, support [, outcome]. `record`
// names an included record as screening decisions do (a DOI or <source name>:<source_id>);
// domain "overall" overrides the tool's proposal and needs a support text.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/core/error.hpp"
#include "metasift/review/review_file.hpp"
#include "metasift/review/screen.hpp"

namespace metasift::review {

/// How a tool turns domain judgements into an overall judgement.
enum class overall_rule {
  worst,     ///< the most severe judgement of the key domains (judgements ordered least to most severe)
  rob2,      ///< RoB 2: low if all low, high if any high, else some concerns (the reviewer may raise it to high)
  all_low,   ///< QUADAS-2: low if all key domains low, else "at-risk"
  nos_ahrq,  ///< Newcastle-Ottawa stars converted to AHRQ good / fair / poor
  none,      ///< no published rule: MMAT 2018 discourages an overall score; JBI leaves the decision to reviewers
};

struct appraisal_domain {
  std::string id;                       ///< as written in judgement files ("D1", "2.3", "S1")
  std::string name;                     ///< the guidance's wording
  std::string group;                    ///< MMAT category ("1".."5", "S") or NOS section ("selection", ...)
  std::vector<std::string> judgements;  ///< canonical ids, least to most severe
};

struct appraisal_tool {
  std::string id;             ///< "rob2"
  std::string name;           ///< "RoB 2 (parallel-group randomised trials)"
  std::string guidance;       ///< the document the domains and the overall rule come from
  bool result_level = false;  ///< judged per result (outcome) rather than per study
  overall_rule rule = overall_rule::worst;
  std::vector<std::string> overall_judgements;  ///< allowed overall judgements; empty when rule is none
  std::vector<appraisal_domain> domains;
  std::vector<std::string> key_domains;  ///< domains the rule reads; empty = all
};

/// The shipped tools, in documentation order.
[[nodiscard]] const std::vector<appraisal_tool>& builtin_appraisal_tools();
/// A shipped tool by id (case-insensitive); nullptr if none.
[[nodiscard]] const appraisal_tool* find_appraisal_tool(std::string_view id);

/// The canonical form of a judgement as users write it: lower case, blanks and '_' as '-',
/// apostrophes dropped ("Some concerns" -> "some-concerns", "Can't tell" -> "cant-tell"),
/// NOS stars as digits ("*" -> "1", "**" -> "2").
[[nodiscard]] std::string canonical_judgement(std::string_view text);

/// The overall judgement the tool's published algorithm gives for one study or result, from its
/// domain judgements (canonical ids, keyed by domain id). nullopt when the rule is none or a
/// key domain has no judgement. `rule_text` (if given) receives the rule applied, in words.
[[nodiscard]] std::optional<std::string> propose_overall(const appraisal_tool& tool,
                                                         const std::map<std::string, std::string>& judgements,
                                                         std::string* rule_text = nullptr);

/// [appraisal] of review.toml.
struct appraisal_spec {
  appraisal_tool tool;
  struct file_ref {
    std::string assessor;  ///< assessor name; "consensus" or "" for file =
    std::string label;     ///< path as written
    std::filesystem::path path;
    source_position where;
  };
  std::vector<file_ref> assessors;  ///< assessors = {...} (sorted by name), or the one file =
  std::optional<file_ref> consensus;
  source_position where;  ///< the [appraisal] table
};

/// Reads [appraisal] from the review file's text; nullopt when there is none. Errors
/// (input_error) name review.toml:line:column: unknown tool, key, rule, a key domain or custom
/// domain that does not exist, a path outside the review folder.
[[nodiscard]] std::optional<appraisal_spec> parse_appraisal(std::string_view toml_text, const review_spec& review);
[[nodiscard]] std::optional<appraisal_spec> load_appraisal(const review_spec& review);

/// One judgement line of a file.
struct appraisal_row {
  std::string record;  ///< the key of the included record ("Scopus:S2")
  std::string named;   ///< as written
  std::string outcome;
  std::string domain;
  std::string judgement;  ///< canonical
  std::string support;
  source_position where;  ///< the record cell
};

/// An included record resolver: maps what a file names to the included record's key, or throws.
struct included_records {
  std::map<std::string, std::string> by_name;    ///< record key or canonical DOI -> key of the kept record
  std::map<std::string, std::string> status_of;  ///< kept key -> final status if not included
  std::vector<std::string> included;             ///< keys of included records, in input order
};

/// The included records of a screening run, named by key or DOI; a duplicate's names lead to the
/// record kept in its place.
[[nodiscard]] included_records included_of(const screen_result& screening);

/// Reads and validates one judgement file. Throws input_error (file:line:column) for a missing
/// column, unknown domain or judgement, a record that is not an included study, a repeated
/// line, an overall line without support or for a tool without an overall judgement.
[[nodiscard]] std::vector<appraisal_row> parse_judgements(std::string_view csv_text, const std::string& label,
                                                          const appraisal_tool& tool, const included_records& inc);

/// The final assessment of one study (or result).
struct appraisal_unit {
  std::string record;
  std::string outcome;
  std::map<std::string, std::string> domains;  ///< domain id -> judgement
  std::optional<std::string> proposed;         ///< from the tool's rule
  std::optional<std::string> overall;          ///< proposed, or the override
  std::string override_support;                ///< non-empty when an overall line overrode the rule
  std::string rule_text;
  std::vector<std::string> missing_domains;  ///< key domains without a judgement
};

struct appraisal_disagreement {
  std::string record, outcome, domain;
  std::vector<std::pair<std::string, std::string>> judgements;  ///< assessor -> judgement ("" = not judged)
};

struct appraisal_check {
  std::vector<appraisal_unit> units;                  ///< the final assessments (consensus, or the one file)
  std::vector<appraisal_disagreement> disagreements;  ///< between assessors
  std::vector<std::string> not_assessed;              ///< included records without any final judgement
  std::vector<std::string> notes;                     ///< e.g. no consensus file yet
};

/// Combines the files (already parsed, in spec order; consensus last if any) into the check result.
[[nodiscard]] appraisal_check check_appraisal(const appraisal_spec& spec,
                                              const std::vector<std::vector<appraisal_row>>& assessor_rows,
                                              const std::optional<std::vector<appraisal_row>>& consensus_rows,
                                              const included_records& inc);

[[nodiscard]] std::string format_appraisal_text(const appraisal_spec& spec, const appraisal_check& c);
[[nodiscard]] std::string format_appraisal_json(const appraisal_spec& spec, const appraisal_check& c);

}  // namespace metasift::review
