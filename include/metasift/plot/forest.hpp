#pragma once
// Forest plot, laid out as Stata's meta forestplot (the seed review's Figure 1): study label and
// data columns on the left, squares and CI lines in the middle panel, "estimate [lo, hi]" and the
// weight on the right, heterogeneity and test lines under the pooled diamond.
//
// The builder draws what forest_input says and computes no statistics. make_forest_input fills
// the input from a models::meta_result (formatting and back-transforming only); subgroup blocks
// are filled by whoever has the subgroup results, e.g. with make_forest_block per subgroup fit.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "metasift/analyses/cumulative.hpp"
#include "metasift/analyses/subgroups.hpp"
#include "metasift/effects/measure.hpp"
#include "metasift/models/result.hpp"
#include "metasift/plot/axis.hpp"
#include "metasift/plot/scene.hpp"

namespace metasift::plot {

enum class column_align { left, right };

/// A descriptive column left of the panel; its cells live in forest_study::cells.
struct forest_column {
  std::string group;   ///< spanning header shared by adjacent columns ("Sustainable management practices"); empty: none
  std::string header;  ///< "N", "Mean", "SD", "Events", "Total", "year", ...
  column_align align = column_align::right;
};

/// One study row. Values are on the display scale (odds ratios, not log odds ratios).
struct forest_study {
  std::string label;
  std::vector<std::string> cells;  ///< one per forest_input::columns, already formatted
  double estimate = models::not_available;
  double ci_lower = models::not_available;
  double ci_upper = models::not_available;
  double weight = models::not_available;  ///< percent; sets the square's area (NaN: no square)
  std::string sort_key;                   ///< used by forest_sort::key
  /// Index of the study in the fit it came from (meta_result::studies); add_column_by_source uses
  /// it to put table cells on the right rows when blocks reorder the studies.
  std::size_t source = static_cast<std::size_t>(-1);
};

/// A pooled estimate drawn as a diamond (display scale).
struct forest_summary {
  std::string label = "Overall";
  double estimate = models::not_available;
  double ci_lower = models::not_available;
  double ci_upper = models::not_available;
  double pi_lower = models::not_available;  ///< prediction interval, drawn when forest_input::show_prediction
  double pi_upper = models::not_available;
  double weight = models::not_available;  ///< percent shown in the weight column (subgroup totals); NaN: blank
};

/// A block of studies: the whole analysis (one unnamed block) or one subgroup.
struct forest_block {
  std::string name;  ///< heading row; empty: no heading
  std::vector<forest_study> studies;
  std::optional<forest_summary> summary;  ///< the block's diamond
  std::vector<rich_text> notes;           ///< lines under the block's diamond (its heterogeneity)
};

struct forest_input {
  std::vector<forest_column> columns;
  std::vector<forest_block> blocks;
  std::optional<forest_summary> overall;
  std::vector<rich_text> overall_notes;  ///< heterogeneity, Q test, test of theta = 0
  std::vector<rich_text> group_tests;    ///< test of group differences, after the overall notes
  std::string model_note;                ///< "Random-effects REML model", below the axis

  std::string label_header = "Study";
  std::string effect_header = "Effect";  ///< "Mean diff.", "Odds ratio", ... (effects::display_name)
  std::string ci_header = "with 95% CI";
  bool show_weights = true;
  std::string weight_header = "Weight";
  std::string weight_unit = "(%)";
  int decimals = 2;

  axis_scale scale = axis_scale::linear;
  std::optional<double> null_value = 0.0;  ///< display scale (1 on a log axis); nullopt: no line
  std::optional<double> x_min, x_max;      ///< axis limits (display scale); CIs beyond get arrows
  std::string title;
  std::string xlabel;
  bool show_prediction = false;  ///< prediction-interval row under the overall diamond
  bool pooled_line = false;      ///< dashed vertical line at the overall estimate
};

struct forest_style {
  std::string font_family{default_font_family};
  double font_size = 8.0;      ///< body text (points)
  double row_height = 0.0;     ///< 0: 1.55 x font_size
  double panel_width = 170.0;  ///< width of the middle panel (points)
  double margin = 10.0;
  double min_group_width = 92.0;  ///< spanning headers narrower than this are widened, then wrapped
  color square = rgb(0x4A6A94);
  color ci_line = rgb(0x1A1A1A);
  color diamond = rgb(0x1C2E4A);
  color null_line = rgb(0x9A9A9A);
  color pooled_line = rgb(0xB03A2E);
  color prediction = rgb(0xB03A2E);
  color rule = rgb(0x808080);
  color text = rgb(0x000000);
  color muted_text = rgb(0x333333);
};

/// Regions of a laid-out forest plot (points), for callers that place other things and for tests.
struct forest_layout {
  rect left;   ///< label and data columns (and the notes under them)
  rect panel;  ///< the middle panel between the header rule and the axis line
  rect right;  ///< effect [CI] and weight columns
  double row_height = 0.0;
  std::size_t rows = 0;  ///< body rows (studies, headings, summaries, notes)
};

struct forest_plot {
  scene drawing;
  forest_layout layout;
};

/// Lays out and draws a forest plot. Throws std::invalid_argument when a study has a different
/// number of cells than there are columns, or a log axis meets a value <= 0.
[[nodiscard]] forest_plot build_forest(const forest_input& in, const forest_style& style = {});

/// Orders of the study rows; sorting is stable and stays within each block.
enum class forest_sort {
  none,
  effect,  ///< increasing estimate
  weight,  ///< decreasing weight (largest study first)
  key,     ///< by forest_study::sort_key: numerically when every key is a number, otherwise as text
};
void sort_studies(forest_input& in, forest_sort order);

/// Display conventions of a measure for plots.
struct measure_display {
  axis_scale scale = axis_scale::linear;
  std::optional<double> null_value;  ///< display scale
  std::string effect_header;         ///< effects::display_name
};
[[nodiscard]] measure_display display_of(effects::measure m);

/// Stata's footer lines for a fit, with decimals places: "Heterogeneity: τ² = 0.43, I² = 99.09%,
/// H² = 109.64", "Test of θi = θj: Q(9) = 689.69, p = 0.00" (i and j as subscripts) and
/// "Test of θ = 0: z = 3.57, p = 0.00" (t(df) under Hartung-Knapp).
[[nodiscard]] std::vector<rich_text> heterogeneity_notes(const models::meta_result& r, int decimals = 2);
/// "Random-effects REML model", "Common-effect Mantel-Haenszel model", ...
[[nodiscard]] std::string model_note(const models::model_spec& s);

/// The pooled estimate of a fit on the display scale (harmonic_n: for the PFT back-transform).
[[nodiscard]] forest_summary make_summary(const models::meta_result& r, effects::measure m, double harmonic_n = 0.0,
                                          std::string label = "Overall");

/// A subgroup block from that subgroup's fit: its studies, diamond, heterogeneity line and the
/// test of homogeneity within the block (Stata's meta forestplot, subgroup()).
/// Weights are the fit's own (percent within the block) unless the caller rescales them.
[[nodiscard]] forest_block make_forest_block(std::string name, const models::meta_result& r, effects::measure m,
                                             double harmonic_n = 0.0, int decimals = 2);

/// Everything a single-block forest plot of `r` needs except extra columns: studies on the display
/// scale, the overall diamond, the notes, headers and axis conventions of the measure.
[[nodiscard]] forest_input make_forest_input(const models::meta_result& r, effects::measure m, double harmonic_n = 0.0,
                                             int decimals = 2);

/// "Test of group differences: Q_b(df) = Q, p = p" (b as a subscript), Stata's meta forestplot line.
[[nodiscard]] rich_text group_difference_note(const analyses::subgroup_test& t, int decimals = 2);

/// The forest plot of a subgroup analysis, laid out as Stata's meta forestplot, subgroup(): one
/// block per subgroup (heading, studies, its diamond, heterogeneity and Q lines), studies with no
/// subgroup value in a last block without a diamond (so that no study is silently left out), then
/// the overall diamond and notes from `overall` and the test of group differences. Study weights
/// are those of `overall` (percent of the whole analysis, as R meta's forest with subgroups) and a
/// block's diamond row shows their sum. forest_study::source indexes overall.studies.
/// Throws std::invalid_argument when a subgroup's study index is outside `overall`.
[[nodiscard]] forest_input make_subgroup_forest_input(const analyses::subgroup_result& sg,
                                                      const models::meta_result& overall, effects::measure m,
                                                      double harmonic_n = 0.0, int decimals = 2);

/// The cumulative forest plot (Lau et al. 1992; metafor's forest.cumul.rma, Stata's meta
/// forestplot, cumulative()): one row per step, labelled with the study added, showing the pooled
/// estimate and CI of the studies so far as a marker and line, a "k" column, no weights and no
/// overall diamond (the last row is the full analysis). forest_study::source is the step index.
[[nodiscard]] forest_input make_cumulative_forest_input(const analyses::cumulative_result& r, effects::measure m,
                                                        double harmonic_n = 0.0, int decimals = 2);

/// Appends a column whose cells[i] belongs to the i-th study counted over all blocks in order.
/// Throws std::invalid_argument when the counts differ.
void add_column(forest_input& in, forest_column col, const std::vector<std::string>& cells);

/// Appends a column whose cells[j] belongs to the study with forest_study::source == j (the fit's
/// study order), whatever the block order. Throws std::invalid_argument when a study's source is
/// not an index into cells.
void add_column_by_source(forest_input& in, forest_column col, const std::vector<std::string>& cells);

}  // namespace metasift::plot
