#pragma once
// The reviewers' GRADE judgements: [[grade]] tables of review.toml (docs/appraisal.md, "GRADE").
//
//   [[grade]]
//   outcome = "Pain at 12 weeks"   # the [analysis] outcome
//   domain = "inconsistency"       # risk_of_bias | inconsistency | indirectness | imprecision | publication_bias
//   downgrade = 1                  # 0, 1 or 2 levels
//   reason = "..."                 # required: the footnote
//
//   [[grade]]
//   outcome = "Pain at 12 weeks"
//   domain = "large_effect"        # large_effect | dose_response | plausible_confounding
//   upgrade = 1                    # 0, 1 or 2 levels
//   reason = "..."
//
// A judgement is final for its domain; the report says where it departs from metasift's proposal.

#include <filesystem>
#include <string_view>
#include <vector>

#include "metasift/analyses/grade.hpp"

namespace metasift::run {

/// Reads every [[grade]] table. Throws input_error naming review.toml:line:column for an unknown
/// key or domain, a missing outcome, domain or reason, downgrade on an upgrade domain (or the
/// reverse), levels other than 0, 1 or 2, and the same outcome and domain twice.
[[nodiscard]] std::vector<analyses::grade_judgement> parse_grade_judgements(std::string_view toml_text,
                                                                            const std::filesystem::path& path);

}  // namespace metasift::run
