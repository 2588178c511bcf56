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

/// A pooled estimate as results.json holds it (meta_analysis.pooled).
struct pooled_snapshot {
  bool present = false;
  std::string measure;
  std::size_t k = 0;
  double estimate = 0, ci_lower = 0, ci_upper = 0;
};

/// This run against the results of an earlier one (run_options::previous): the "What changed"
/// section of the report and `update` of results.json.
struct update_comparison {
  std::string previous;  ///< the previous results folder, as given
  std::size_t previous_records = 0;
  std::size_t new_records = 0;                                     ///< records whose id the previous run lacked
  std::vector<std::pair<std::string, std::size_t>> new_by_source;  ///< sources in review.toml order
  std::vector<std::string> newly_included;                         ///< "Scopus:S12: Title"
  std::vector<std::string> no_longer_included;                     ///< included before, not now
  std::size_t previous_included = 0;                               ///< studies the previous run included
  pooled_snapshot before, after;
  struct change {
    std::string key;
    long long before = 0, after = 0;
  };
  std::vector<change> prisma_changes;  ///< top-level PRISMA counts that differ
};

struct review_bundle {
  review::review_spec spec;
  review::screen_result screen;
  std::vector<std::size_t> records_per_source;
  std::optional<update_comparison> update;
};

/// Compares the screening with the results folder of a previous run (its results.json and
/// screening.csv: new records, newly included studies, changed PRISMA counts, the previous pooled
/// estimate), and turns the PRISMA counts into those of an updated review: new_studies are
/// the studies included for the first time, previous_studies the previous version's still
/// included, total_studies all (reports alike). Throws io_error when a file cannot be read and
/// input_error (file:line:column) when it is not a metasift result.
[[nodiscard]] update_comparison compare_with_previous(const std::filesystem::path& dir, review_bundle& rv);

/// Adds this run's pooled estimate (the previous one is read by compare_with_previous).
void finish_comparison(update_comparison& u, const std::optional<models::meta_result>& meta,
                       const std::string& measure);

/// results.json's `update` object (text).
[[nodiscard]] std::string update_json(const update_comparison& u);

struct analysis_bundle {
  analysis_spec spec;
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
                                                 const analysis_bundle* an, const link_summary& links,
                                                 const std::vector<std::string>& warnings,
                                                 const std::vector<std::shared_ptr<const run_figure>>& figures);

/// "0.74", "-0.20", "NA" for NaN: fixed decimals as the text report prints them.
[[nodiscard]] std::string fixed(double x, int decimals = 2);

}  // namespace metasift::run
