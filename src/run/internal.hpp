#pragma once
// Shared between the files of the run module: the review and analysis results a run collects,
// and the figures it draws. Not installed.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "metasift/analyses/bias.hpp"
#include "metasift/analyses/cumulative.hpp"
#include "metasift/analyses/grade.hpp"
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
#include "metasift/review/appraisal.hpp"
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

/// The risk-of-bias appraisal of [appraisal] (appraisal_run.cpp).
struct appraisal_bundle {
  review::appraisal_spec spec;
  review::appraisal_check check;
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
  std::optional<appraisal_bundle> appraisal;
};

/// The appraisal of the analysed studies and the analyses that use it.
struct rob_bundle {
  std::vector<std::ptrdiff_t> unit_of_study;        ///< per meta.studies: index into check.units, -1 none
  std::vector<analyses::study_risk> risk;           ///< per meta.studies
  std::vector<std::string> overall;                 ///< per meta.studies: the overall judgement, "" none
  std::optional<models::meta_result> without_high;  ///< sensitivity analysis without high-risk studies
  std::vector<std::string> high_labels;             ///< the studies it leaves out
  std::optional<analyses::subgroup_result> by_rob;  ///< subgroups by overall judgement
};

/// Compares the screening with the results folder of a previous run (its results.json and
/// screening.csv: new records, newly included studies, changed PRISMA counts, the previous pooled
/// estimate), and turns the PRISMA counts into those of an updated review: new_studies are
/// the studies included for the first time, previous_studies the previous version's still
/// included, total_studies all (reports alike). Throws io_error when a file cannot be read and
/// input_error (file:line:column) when it is not a metasift result.
/// `label` names the folder in the report and results.json (as the user wrote it).
[[nodiscard]] update_comparison compare_with_previous(const std::filesystem::path& dir, const std::string& label,
                                                      review_bundle& rv);

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
  std::optional<rob_bundle> rob;
  std::optional<analyses::grade_assessment> grade;
  std::optional<analyses::sof_row> sof;
};

// ---- appraisal and GRADE (appraisal_run.cpp) ----

/// Reads [appraisal] and its judgement files; nullopt when the review has none.
[[nodiscard]] std::optional<appraisal_bundle> load_run_appraisal(const review_bundle& rv);
/// Links each analysed study to its assessment and runs the sensitivity analysis without the
/// high-risk studies and (rob_subgroup) the subgroup analysis by overall judgement.
void appraise_analysis(analysis_bundle& b, const review_bundle& rv, std::vector<std::string>& warnings);
/// GRADE proposals, the reviewers' judgements and the Summary of Findings row.
void grade_analysis(analysis_bundle& b, const review_bundle& rv,
                    const std::vector<analyses::grade_judgement>& judgements);
/// Traffic-light, summary (weighted when there is an analysis) and forest-with-RoB figures.
[[nodiscard]] std::vector<std::shared_ptr<const run_figure>> appraisal_figures(const review_bundle& rv,
                                                                               const analysis_bundle* an);
/// results.json parts: "appraisal", "grade" and "summary_of_findings" (JSON texts; empty: none).
[[nodiscard]] std::string appraisal_json(const review_bundle& rv, const analysis_bundle* an);
[[nodiscard]] std::string grade_json(const analysis_bundle& an);
/// summary_of_findings.csv
[[nodiscard]] std::string sof_csv(const analysis_bundle& an);
/// The report's "Risk of bias" and "Certainty of the evidence" sections.
[[nodiscard]] std::vector<report::html_section> appraisal_sections(
    const review_bundle& rv, const analysis_bundle* an, const std::vector<std::shared_ptr<const run_figure>>& figs);
/// The Methods paragraph on the appraisal and GRADE (PRISMA 2020 items 11 and 15); empty: none.
[[nodiscard]] std::string appraisal_methods(const review_bundle& rv, const analysis_bundle* an);
/// The outcome's name as the report shows it.
[[nodiscard]] std::string outcome_name(const analysis_bundle& an);

/// The report as an html_document (report_html.cpp).
[[nodiscard]] report::html_document build_report(const run_options& opt, const review_bundle& rv,
                                                 const analysis_bundle* an, const link_summary& links,
                                                 const std::vector<std::string>& warnings,
                                                 const std::vector<std::shared_ptr<const run_figure>>& figures);

/// "0.74", "-0.20", "NA" for NaN: fixed decimals as the text report prints them.
[[nodiscard]] std::string fixed(double x, int decimals = 2);

}  // namespace metasift::run
