#pragma once
// Study rows that report something other than the measure's own columns. For the continuous
// measures (MD, SMD, ROM) a group's mean and SD may come from, in this order (the first complete
// set is used; the row's input kind says which):
//
//   mean_sd       mean<g> sd<g>
//   mean_se       mean<g> se<g>                    SD = SE sqrt(n)                 (Cochrane 6.5.2.2)
//   mean_ci       ci_lower<g> ci_upper<g> [mean<g>] mean = midpoint when not given,
//                                                  SD = sqrt(n) (u - l)/(2 t_{n-1}) (Cochrane 6.5.2.2)
//   then, for SMD only and for the whole row, a test statistic with n1 and n2:
//   t             t                                 d = t sqrt(1/n1 + 1/n2)        (metafor escalc)
//   F             F direction                       t = direction sqrt(F)
//   p             p direction                       t = direction qt(p/2, n1 + n2 - 2, upper)
//   then, per group again, quantiles (means by Luo et al. 2018, SDs by Wan et al. 2014 / Shi et al. 2020):
//   median_five   median<g> q1_<g> q3_<g> min<g> max<g>
//   median_iqr    median<g> q1_<g> q3_<g>
//   median_range  median<g> min<g> max<g>
//
// n<g> is always needed. A row with no complete set is not estimable: it is excluded with the
// reason (never dropped silently). An impossible input (q1 > median, min > q1, n < 3 for the
// quantile formulas, an upper CI bound below the lower, p outside (0, 1], F < 0, a direction other
// than +1/-1) throws input_error at its cell.
#include <map>
#include <string>
#include <vector>

#include "metasift/effects/compute.hpp"
#include "metasift/effects/conversions.hpp"
#include "metasift/io/table.hpp"

namespace metasift::pipeline {

struct input_options {
  effects::five_number_sd five_number = effects::five_number_sd::shi2020;  ///< SD estimator for median_five
  double ci_level = 0.95;  ///< coverage of a group mean's ci_lower/ci_upper
};

struct study_inputs {
  effects::raw_data raw;                   ///< the measure's columns, derived where needed, for effects::compute
  std::vector<std::string> kind;           ///< per row: "mean_sd", "median_iqr", "t", ... ("kind1/kind2" when the
                                           ///< groups differ); empty for a row that is not estimable
  std::vector<std::string> not_estimable;  ///< per row: why no input set is complete ("" when estimable)
  std::vector<std::string> conversions;    ///< one sentence per conversion used, for the conventions block
  bool derived = false;                    ///< any row used more than the measure's own columns
  std::vector<std::string> notes;          ///< for the report: an MD without a unit column, blank units
};

/// Reads the data of measure `m` from table t. For MD, a `unit` column names each row's unit: rows
/// in different units cannot be pooled as a raw difference (input_error at the first cell that
/// differs, suggesting SMD or ROM); no unit column, or blank units, give a note.
/// For MD, SMD and ROM tables that have any of the
/// alternative columns above, each row is resolved as described; otherwise this is exactly
/// pipeline::extract (every row "mean_sd", or no kinds for other measures).
[[nodiscard]] study_inputs read_study_inputs(const io::table& t, effects::measure m,
                                             const std::map<std::string, std::string>& cols,
                                             const input_options& opt = {});

/// Gives the rows that are not estimable their reason in e.excluded and e.notes (effects::compute
/// saw only a missing value there).
void explain_exclusions(effects::effect_table& e, const study_inputs& in);

/// The input kind of each included study of e (aligned with e.yi); empty when nothing was derived.
[[nodiscard]] std::vector<std::string> included_input_kinds(const effects::effect_table& e, const study_inputs& in);

}  // namespace metasift::pipeline
