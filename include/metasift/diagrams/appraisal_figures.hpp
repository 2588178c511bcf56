#pragma once
// Appraisal figures that need the analysis as well (the run report, appraise check): the weighted
// summary plot and a forest plot with risk-of-bias columns, as plot scenes. The traffic-light and
// summary scenes are in diagrams/appraisal.hpp.

#include <string>
#include <utility>
#include <vector>

#include "metasift/diagrams/appraisal.hpp"
#include "metasift/plot/forest.hpp"
#include "metasift/plot/scene.hpp"
#include "metasift/review/appraisal.hpp"

namespace metasift::diagrams {

/// robvis's weighted summary plot (rob_summary(weighted = TRUE), McGuinness & Higgins 2021): one
/// stacked bar per domain and one for the overall judgement, each segment the share of the analysis
/// weight carried by the assessments at that judgement. weights[i] belongs to c.units[i]; an
/// assessment with no weight (0 or NaN: not in the analysis) is left out. Throws usage_error when
/// the sizes differ.
[[nodiscard]] plot::scene make_weighted_summary_scene(const review::appraisal_spec& spec,
                                                      const review::appraisal_check& c,
                                                      const std::vector<double>& weights);

/// A forest plot with the risk-of-bias judgements of each study beside it, one coloured symbol per
/// domain and the overall judgement (the layout of RevMan and of robvis's rob_append_to_forest):
/// the columns are appended to the right of `forest`, a legend of the domains below. rows pairs
/// each study row's label, as drawn, with its assessment (nullptr: not assessed, empty cells).
[[nodiscard]] plot::scene forest_with_rob(
    const plot::forest_plot& forest, const review::appraisal_tool& tool,
    const std::vector<std::pair<std::string, const review::appraisal_unit*>>& rows);

}  // namespace metasift::diagrams
