#pragma once
// From a user's table to the effects module's raw_data: resolves canonical column names through
// --col remapping (case-insensitive), checks that the measure's columns exist, and parses every
// cell with its file:line:column.
#include <map>
#include <string>
#include <vector>

#include "metasift/effects/compute.hpp"
#include "metasift/io/table.hpp"
#include "metasift/report/meta_report.hpp"

namespace metasift::pipeline {

/// Parses "--col canonical=actual" values into a map (canonical names lower-cased).
[[nodiscard]] std::map<std::string, std::string> parse_column_map(const std::vector<std::string>& specs);

/// Picks the measure when --measure is absent: GEN when the table has a yi column, otherwise a usage error.
[[nodiscard]] effects::measure infer_measure(const io::table& t, const std::map<std::string, std::string>& cols);

/// Extracts the columns `m` needs. Throws input_error naming the file when a column is missing.
[[nodiscard]] effects::raw_data extract(const io::table& t, effects::measure m,
                                        const std::map<std::string, std::string>& cols);

/// The descriptive N / Mean / SD (or Events / Total) columns of the text report, cells as typed, for
/// the table rows `rows` (a fit's source_row: under Mantel-Haenszel it lists every pooled table).
[[nodiscard]] std::vector<report::data_column> data_columns(const io::table& t, const effects::effect_table& e,
                                                            const std::vector<std::size_t>& rows,
                                                            const std::map<std::string, std::string>& cols,
                                                            const std::vector<std::string>& group_names);

/// Fills ctx.excluded and ctx.excluded_labels from the fit's exclusions (labels from the raw data).
void set_exclusions(report::meta_context& ctx, const models::meta_result& r, const effects::raw_data& raw);

}  // namespace metasift::pipeline
