#pragma once
// Selecting the studies of an analysis by one column comparison, as metafor's `subset` argument is
// commonly used (rma(..., subset = year >= 2000)): `COLUMN OP VALUE` with OP one of == = != < <=
// > >=. VALUE is a number (compared numerically), or text, quoted ("Asia", 'Asia') or bare (Asia),
// compared exactly with == and != only. A row whose cell is missing (blank, NA, .) is not
// selected, as R drops an NA in a subset. docs/cli.md gives the grammar and its limits.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/effects/compute.hpp"
#include "metasift/io/table.hpp"

namespace metasift::pipeline {

enum class compare_op { eq, ne, lt, le, gt, ge };

struct subset_expr {
  std::string text;    ///< the expression as given, for the report
  std::string column;  ///< column name (matched ignoring ASCII case, as every column)
  compare_op op = compare_op::eq;
  bool numeric = false;  ///< VALUE is an unquoted number: compare numbers
  double number = 0.0;
  std::string value;  ///< VALUE as text (quotes removed)
};

/// Parses an expression. Throws usage_error (setting "subset") with a one-line reason for anything
/// else: no operator, an empty column or value, an unclosed quote, text after the value, or < <= >
/// >= with a text value.
[[nodiscard]] subset_expr parse_subset(std::string_view expr);

/// The reason parse_subset would refuse `expr`, as a sentence for the caller's message (naming
/// the expression and the grammar); empty when it parses.
[[nodiscard]] std::string subset_problem(std::string_view expr);

/// One flag per table row: true when the row satisfies the expression. Throws input_error at the
/// header (file:1) when the column does not exist, and at the cell (file:line:column) when a
/// numeric comparison meets a cell that is not a number.
[[nodiscard]] std::vector<bool> select_rows(const io::table& t, const subset_expr& e);

/// "subset: year>=2000 (9 of 13 rows)", for the report's conventions.
[[nodiscard]] std::string describe_selection(const subset_expr& e, const std::vector<bool>& keep);

/// effects::compute on the rows `keep` of `data` only; every index of the result (source_row,
/// excluded, pooled_source_row) refers to the rows of `data`, so labels, row numbers and table
/// cells stay those of the whole file. Rows outside the selection are never read by the measure,
/// so a bad value there is no error.
[[nodiscard]] effects::effect_table compute_selected(effects::measure m, const effects::raw_data& data,
                                                     const std::vector<bool>& keep, const effects::options& opt);

/// User weights (metafor rma's weights=) from table column `column` for the studies of `e`, aligned
/// with e.yi. A study whose weight cell is missing (blank, NA, .) leaves `e` and is listed in
/// e.excluded with the column named, as every missing value. Throws input_error at the header when
/// the column does not exist and at the cell for a weight that is not a number or is negative.
[[nodiscard]] std::vector<double> read_weights(const io::table& t, const std::string& column, effects::effect_table& e);

}  // namespace metasift::pipeline
