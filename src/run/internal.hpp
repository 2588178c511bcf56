#pragma once
// Shared between the files of the run module: the review and analysis results a run collects,
// and the figures it draws. Not installed.

#include <optional>
#include <string>
#include <vector>

#include "metasift/analyses/bias.hpp"
#include "metasift/analyses/cumulative.hpp"
#include "metasift/analyses/influence.hpp"
#include "metasift/analyses/subgroups.hpp"
#include "metasift/analyses/trimfill.hpp"
#include "metasift/io/table.hpp"
#include "metasift/models/convention.hpp"
#include "metasift/models/regression.hpp"
#include "metasift/plot/scene.hpp"
#include "metasift/report/html.hpp"
#include "metasift/report/meta_report.hpp"
#include "metasift/report/regression_report.hpp"
#include "metasift/review/extraction.hpp"
#include "metasift/review/review_file.hpp"
#include "metasift/review/screen.hpp"
#include "metasift/run/run.hpp"

namespace metasift::run {

/// A figure: a plot scene (forest, funnel) or the PRISMA counts (drawn by the review module).
struct run_figure {
  std::string name;  ///< file stem under figures/
  std::optional<plot::scene> scene;
  std::optional<review::prisma_counts> prisma;
  std::string svg;  ///< the SVG rendering, embedded in report.html
  std::string caption;
  std::string alt;
};

struct review_bundle {
  review::review_spec spec;
  review::screen_result screen;
  std::vector<std::size_t> records_per_source;
  std::optional<review::extraction_spec> codebook;    ///< [extraction], when given
  std::optional<review::extracted_values> extracted;  ///< its resolved values, when the files exist
  /// Included records whose extracted value fails a criterion on an extracted field, one sentence each.
  std::vector<std::string> criteria_flags;
};

struct analysis_bundle {
  analysis_spec spec;
  std::string suffix;  ///< "" for a single analysis, else "-<id>": figure names and element ids
  std::string letter;  ///< "" for a single analysis, else "a", "b", ...: table and figure numbers
  std::string title;   ///< the outcome's title (its id when it has none)
  link_summary links;
  io::table data;                          ///< the analysed rows of the study table
  std::vector<std::size_t> record_of_row;  ///< the (kept) record of each analysed row
  effects::measure measure = effects::measure::GEN;
  effects::effect_table effects;
  models::resolved_options resolved;
  report::meta_context ctx;
  models::meta_result meta;
  std::optional<analyses::subgroup_result> subgroups;
  std::optional<models::regression_result> regression;
  std::optional<report::regression_context> regression_ctx;
  std::optional<analyses::bias_result> bias;
  std::optional<analyses::trimfill_result> trimfill;
  std::optional<analyses::influence_result> influence;
  std::optional<analyses::cumulative_result> cumulative;
  std::string cumulative_order;  ///< "year" or "data order"
};

/// The report as an html_document (report_html.cpp).
[[nodiscard]] report::html_document build_report(const run_options& opt, const review_bundle& rv,
                                                 const std::vector<analysis_bundle>& analyses,
                                                 const std::vector<std::string>& warnings,
                                                 const std::vector<std::shared_ptr<const run_figure>>& figures);

/// "0.74", "-0.20", "NA" for NaN: fixed decimals as the text report prints them.
[[nodiscard]] std::string fixed(double x, int decimals = 2);

}  // namespace metasift::run
