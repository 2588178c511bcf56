#pragma once
// The [analysis] table of review.toml (docs/report.md, "The [analysis] section"):
//
//   [analysis]
//   data = "data/studies.csv"     # one row per included study; relative to the review file
//   measure = "MD"                # effects::parse_measure names
//   method = "REML"               # EE, DL, REML, ML, PM, HE, SJ, HS, EB (MH, PETO for 2x2 data)
//   ci_method = "z"               # z or hk
//   convention = "stata"          # metafor (default) or stata
//   level = 0.95
//   group_names = ["...", "..."]  # headers of the two groups' columns
//   record_column = "record"      # the column linking a row to a record (record id or DOI)
//   subgroup = "region"           # optional subgroup analysis by this column
//   moderators = ["year"]         # optional meta-regression on these columns
//   bias = true                   # Egger, Begg, trim-and-fill, funnel plot
//   sensitivity = true            # leave-one-out, influence, cumulative
//   cumulative_order = "year"     # column ordering the cumulative analysis (default "year")
//   outcome = "Pain at 12 weeks"  # the outcome's name (GRADE, Summary of Findings, [[grade]] entries)
//   mid = 0.5                     # minimal important difference (a ratio such as 1.25 for OR/RR)
//   control_risk = 0.2            # assumed control risk for absolute effects per 1,000 (binary)
//   certainty_start = "high"      # GRADE's starting level: high (randomised) or low (observational)
//   rob_subgroup = true           # subgroup analysis by the overall risk-of-bias judgement
//
// Unknown keys are errors naming the key and its line, as in the rest of review.toml.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/core/error.hpp"
#include "metasift/effects/measure.hpp"
#include "metasift/models/convention.hpp"
#include "metasift/models/spec.hpp"

namespace metasift::run {

struct analysis_spec {
  std::filesystem::path data;  ///< resolved against the review folder
  std::string data_label;      ///< as written
  source_position data_where;
  std::optional<effects::measure> measure;  ///< nullopt: GEN when the table has yi
  models::method method = models::method::REML;
  models::ci_method ci = models::ci_method::z;
  models::convention conv = models::convention::metafor;
  double level = 0.95;
  std::vector<std::string> group_names;
  std::string record_column = "record";
  std::string subgroup;
  std::vector<std::string> moderators;
  bool bias = false;
  bool sensitivity = false;
  std::string cumulative_order = "year";
  std::string outcome;                 ///< empty: "Main outcome"
  std::optional<double> mid;           ///< > 0; a ratio (not 1) for ratio measures
  std::optional<double> control_risk;  ///< in (0, 1)
  std::string certainty_start;         ///< "", "high" or "low"
  bool rob_subgroup = false;
  source_position where;  ///< the [analysis] table
};

/// Reads the [analysis] table of a review file's text; nullopt when there is none. `path` names
/// the file in messages and anchors relative paths; a path leaving the review folder is an
/// input_error unless `allow_outside`. Throws input_error (file:line:column) for an unknown key,
/// a value of the wrong type or an unknown measure, method, CI method or convention, and for a
/// data file that does not exist.
[[nodiscard]] std::optional<analysis_spec> parse_analysis(std::string_view toml_text, const std::filesystem::path& path,
                                                          bool allow_outside = false);

}  // namespace metasift::run
