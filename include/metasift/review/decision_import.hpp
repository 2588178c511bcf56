#pragma once
// Screening decisions made in other tools, read from their exports so that a team moving to
// metasift keeps its decisions (docs/review.md, "Decisions from other screening tools"):
//
//   Rayyan     RIS or CSV export; the notes field holds
//              RAYYAN-INCLUSION: {"reviewer_a"=>"Included", "reviewer_b"=>"Excluded"} | RAYYAN-LABELS: ... |
//              RAYYAN-EXCLUSION-REASONS: reason 1,reason 2
//              one decision per reviewer named in the map; Included -> include, Excluded -> exclude (with the
//              record's exclusion reasons), Maybe -> include at title-abstract (the record goes on to full text)
//   ASReview   the exported dataset, CSV or RIS: the label column (asreview_label, included, label, ...) is
//              1 (relevant) -> include, 0 (irrelevant) -> exclude, empty / NA / -1 -> not screened; in RIS
//              the N1 notes ASReview_relevant / ASReview_irrelevant / ASReview_not_seen
//   Covidence  a list's CSV export ("Covidence #", Title, DOI, Published Year, Notes, ...) or RIS export: every row of
//              the list has the list's decision (irrelevant -> title-abstract exclude, full-text-review ->
//              title-abstract include, excluded -> full-text exclude with the "Exclusion reason:" of Notes,
//              included -> full-text include)
//
// Every decision keeps the export's file, line and column; a malformed value is an input_error
// there. Records without a decision (not screened, labels only) are counted, never dropped.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/core/error.hpp"
#include "metasift/review/review_file.hpp"

namespace metasift::review {

/// One reviewer's decision on one record, as an export states it.
struct imported_decision {
  std::string reviewer;  ///< metasift name (Rayyan names renamed or with other characters made '_')
  std::string stage;     ///< "title-abstract" or "full-text"
  std::string decision;  ///< include | exclude
  std::string reason;
  std::string time;       ///< ISO 8601, when the export has one
  std::string original;   ///< the export's own value ("Included", "Maybe", "1", the Covidence list)
  source_position where;  ///< the value in the export
  // The record, to be found among the review's records: DOI, then PubMed ID, then title (+ year).
  std::string tool_id;  ///< Rayyan key / AN, ASReview record_id, Covidence #
  std::string doi, pmid, title;
  int year = 0;
};

struct decision_import_result {
  std::vector<imported_decision> decisions;
  std::size_t records = 0;    ///< records (rows) in the export
  std::size_t undecided = 0;  ///< records without any decision (not screened, labels only, Maybe left undecided)
  std::vector<std::string> reviewers;  ///< in order of first appearance
};

/// Reads a tool's export (format by content: a first tag line "TY  -" is RIS, anything else CSV).
/// Throws io_error when it cannot be read and input_error (file:line:column) for a malformed
/// decision, an unknown Rayyan decision, an ASReview label other than 1/0/empty, or missing
/// columns. `label` names the file in messages.
[[nodiscard]] decision_import_result read_tool_decisions(const decision_import& spec, const std::string& label);

/// The same from text (tests).
[[nodiscard]] decision_import_result parse_tool_decisions(std::string_view text, const decision_import& spec,
                                                          const std::string& label);

/// ISO 8601 date or date-time: YYYY-MM-DD, optionally T (or a space) hh:mm[:ss[.fff]] and Z or
/// +hh:mm / -hh:mm (the `time` column of decisions files).
[[nodiscard]] bool is_iso8601(std::string_view t);

/// A Rayyan reviewer name as a metasift reviewer name: the rename table first, else every
/// character other than a letter, digit, '_' or '-' becomes '_' ("m.el-gohary" -> "m_el-gohary").
[[nodiscard]] std::string rayyan_reviewer_name(const decision_import& spec, std::string_view name);

}  // namespace metasift::review
