#pragma once
// PRISMA 2020 flow-diagram counts, under the data keys of the PRISMA2020 R package
// (inst/extdata/PRISMA.csv), with their arithmetic checked, and the flow diagram itself
// ("new systematic review, databases and registers only" template).
//
// Invariants (a violation is an error; docs/review.md, "PRISMA"):
//   1. sum(database_specific_results.n) = database_results (registers alike)
//   2. records_screened = database_results + register_results - duplicates - excluded_automatic - excluded_other
//   3. sum(excluded_automatic_reasons.n) = excluded_automatic
//   4. records_screened = records_excluded + dbr_sought_reports + awaiting_screening
//   5. sum(records_excluded_reasons.n) = records_excluded   (when reasons are given)
//   6. dbr_sought_reports = dbr_notretrieved_reports + dbr_assessed + awaiting_full_text
//   7. dbr_assessed + other_assessed = sum(dbr_excluded.n) + sum(other_excluded.n) + new_reports
//      (+ previous_reports in an update: the reports included now are total_reports)
//   8. new_studies <= new_reports
//  13. in an update: total_studies = previous_studies + new_studies, total_reports alike
//   9. the awaiting-adjudication and awaiting-second-reviewer counts are parts of the awaiting counts
//  10. website + organisation + citations results = other_duplicates + other_excluded_automatic
//      + other_records_screened (and sum(other_specific_results.n) is that total)
//  11. other_records_screened = other_records_excluded + other_sought_reports + other_awaiting_screening
//  12. other_sought_reports = other_notretrieved_reports + other_assessed + other_awaiting_full_text

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/review/agreement.hpp"

namespace metasift::review {

struct prisma_count {
  std::string name;  ///< database name, or exclusion reason
  std::size_t n = 0;
};

struct prisma_counts {
  std::string title;
  // PRISMA2020 keys
  std::size_t database_results = 0;
  std::vector<prisma_count> database_specific_results;
  std::size_t register_results = 0;
  std::vector<prisma_count> register_specific_results;
  // Identification via other methods (the diagram's second arm).
  std::size_t website_results = 0;
  std::size_t organisation_results = 0;
  std::size_t citations_results = 0;
  std::size_t other_sought_reports = 0;
  std::size_t other_notretrieved_reports = 0;
  std::size_t other_assessed = 0;
  std::vector<prisma_count> other_excluded;  ///< reasons at full text, other methods
  std::size_t duplicates = 0;
  std::size_t excluded_automatic = 0;
  std::size_t excluded_other = 0;
  std::size_t records_screened = 0;
  std::size_t records_excluded = 0;
  std::size_t dbr_sought_reports = 0;
  std::size_t dbr_notretrieved_reports = 0;
  std::size_t dbr_assessed = 0;
  std::vector<prisma_count> dbr_excluded;  ///< reasons at full text
  std::size_t new_studies = 0;
  std::size_t new_reports = 0;
  // An update of a review (PRISMA 2020 "updated systematic reviews" template): new_studies and
  // new_reports are then the studies included for the first time, previous_* those of the
  // previous version still included, total_* every study included now.
  bool update = false;
  std::size_t previous_studies = 0;
  std::size_t previous_reports = 0;
  std::size_t total_studies = 0;
  std::size_t total_reports = 0;
  // metasift additions (JSON key "metasift")
  std::vector<prisma_count> excluded_automatic_reasons;  ///< one per criterion (and the search), in order
  std::vector<prisma_count> records_excluded_reasons;    ///< title-abstract reasons (PRISMA2020 #82)
  std::size_t awaiting_screening = 0;                    ///< screened records without a title-abstract decision yet
  std::size_t awaiting_full_text = 0;                    ///< reports sought without a full-text decision yet
  std::size_t maybe_duplicates = 0;                      ///< possible duplicates left for a human (counted as records)
  // Of awaiting_screening / awaiting_full_text: records held up by the team (never included or excluded).
  std::size_t awaiting_title_abstract_adjudication = 0;
  std::size_t awaiting_title_abstract_second_reviewer = 0;
  std::size_t awaiting_full_text_adjudication = 0;
  std::size_t awaiting_full_text_second_reviewer = 0;
  std::vector<stage_agreement> agreement;  ///< reviewer agreement per stage (JSON "metasift.agreement")
  // The other-methods arm before retrieval (metasift additions: the PRISMA 2020 template draws
  // no screening there, but metasift screens every record alike).
  std::vector<prisma_count> other_specific_results;  ///< per website / organisation / citation source
  std::vector<std::string> other_specific_kinds;     ///< "website", "organisation" or "citation", one per source
  std::size_t other_duplicates = 0;
  std::size_t other_excluded_automatic = 0;
  std::size_t other_records_screened = 0;
  std::size_t other_records_excluded = 0;
  std::size_t other_awaiting_screening = 0;
  std::size_t other_awaiting_full_text = 0;

  /// Records identified by every source, both arms.
  [[nodiscard]] std::size_t identified_total() const noexcept {
    return database_results + register_results + website_results + organisation_results + citations_results;
  }
  /// True when a source of the other-methods arm exists (the diagram draws the second arm).
  [[nodiscard]] bool has_other_methods() const noexcept {
    return website_results + organisation_results + citations_results > 0 || !other_specific_results.empty();
  }
};

/// The violated invariants, one sentence each; empty when the counts add up.
[[nodiscard]] std::vector<std::string> prisma_violations(const prisma_counts& c);

/// Throws metasift::error listing every violated invariant.
void check_prisma(const prisma_counts& c);

/// {"database_results": ..., "database_specific_results": [{"name","n"}], ..., "dbr_excluded":
/// [{"reason","n"}], "new_studies", "new_reports", "metasift": {...}} (docs/review.md).
[[nodiscard]] std::string format_prisma_json(const prisma_counts& c);

/// Reads counts from format_prisma_json output (or hand-written JSON with the same keys);
/// throws input_error naming `label` for a missing or malformed key.
[[nodiscard]] prisma_counts parse_prisma_json(std::string_view json, const std::string& label);

/// Plain-text summary (the stdout of `metasift screen`).
[[nodiscard]] std::string format_prisma_text(const prisma_counts& c);

/// The flow diagram as a self-contained, deterministic SVG document (no fonts measured: box
/// widths come from a fixed character-width table). The diagrams module draws the same layout with
/// measured fonts as SVG, PDF or PNG (diagrams/prisma.hpp).
[[nodiscard]] std::string prisma_svg(const prisma_counts& c);

}  // namespace metasift::review
