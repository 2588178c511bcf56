#pragma once
// Appraisal figures as plot scenes, for callers that embed them or write them themselves (the run
// report): the traffic-light and summary plots of appraisal.hpp, the weighted summary plot and a
// forest plot with risk-of-bias columns. Needs the plot module (METASIFT_HAVE_PLOT).

#include <string>
#include <utility>
#include <vector>

#include "metasift/plot/forest.hpp"
#include "metasift/plot/scene.hpp"
#include "metasift/review/appraisal.hpp"

namespace metasift::review {

/// The scenes write_traffic_light_plot and write_summary_plot write.
[[nodiscard]] plot::scene make_traffic_light_scene(const appraisal_spec& spec, const appraisal_check& c);
[[nodiscard]] plot::scene make_summary_scene(const appraisal_spec& spec, const appraisal_check& c);

/// robvis's weighted summary plot (rob_summary(weighted = TRUE), McGuinness & Higgins 2021): one
/// stacked bar per domain and one for the overall judgement, each segment the share of the analysis
/// weight carried by the assessments at that judgement. weights[i] belongs to c.units[i]; an
/// assessment with no weight (0 or NaN: not in the analysis) is left out. Throws usage_error when
/// the sizes differ.
[[nodiscard]] plot::scene make_weighted_summary_scene(const appraisal_spec& spec, const appraisal_check& c,
                                                      const std::vector<double>& weights);

/// A forest plot with the risk-of-bias judgements of each study beside it, one coloured symbol per
/// domain and the overall judgement (the layout of RevMan and of robvis's rob_append_to_forest):
/// the columns are appended to the right of `forest`, a legend of the domains below. rows pairs
/// each study row's label, as drawn, with its assessment (nullptr: not assessed, empty cells).
[[nodiscard]] plot::scene forest_with_rob(const plot::forest_plot& forest, const appraisal_tool& tool,
                                          const std::vector<std::pair<std::string, const appraisal_unit*>>& rows);

}  // namespace metasift::review
