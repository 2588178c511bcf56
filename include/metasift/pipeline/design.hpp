#pragma once
// Design matrices for meta-regression from a study table, coded as R's model.matrix codes
// `~ a + b + ...` for metafor's rma(mods = ...): numeric moderators as they are, text moderators
// (or those named categorical) dummy-coded against their first level in sorted order (R's factor),
// an intercept column "intrcpt" first unless dropped. Also the grouping column of a subgroup
// analysis, which is read the same way.
#include <cstddef>
#include <string>
#include <vector>

#include "metasift/core/status.hpp"
#include "metasift/io/table.hpp"
#include "metasift/models/regression.hpp"

namespace metasift::pipeline {

/// Each moderator is a model term in R's formula syntax (metafor's mods = ~ ...): a column name
/// (matched ignoring case); `factor(col)`; `I(col^k)` (a power, k = 1..99); `poly(col, d)` (R's
/// orthogonal polynomial of degree d over the studies used) or `poly(col, d, raw = TRUE)` (the
/// powers 1..d); and products of these: `a:b` (interaction) and `a*b` (a + b + a:b). Terms are
/// ordered as R orders them (main effects, then two-way interactions, ...), and a term's variables
/// by their first appearance; a column whose name itself contains ':' or '*' is read as that column.
struct design_options {
  std::vector<std::string> moderators;   ///< model terms (see above), in model order
  std::vector<std::string> categorical;  ///< moderators to dummy-code even when every cell is a number
  bool intercept = true;                 ///< add the column of ones "intrcpt" (metafor's default)
};

/// The levels of a categorical column over the rows used.
struct factor_levels {
  std::string column;               ///< the column's name as the file spells it
  std::vector<std::string> levels;  ///< sorted: as numbers when every cell is one, else by bytes (R in the C locale)
  bool numeric = false;             ///< levels were sorted as numbers
  std::vector<int> index;           ///< per row: index into levels, -1 for a missing cell (blank, NA or .)
};

/// How a categorical moderator was coded.
struct factor_coding {
  std::string column;
  std::vector<std::string> levels;   ///< all levels, sorted
  std::string reference;             ///< the level without a column ("" with full dummy coding)
  std::vector<std::string> columns;  ///< design column names, "<column><level>" as R names them
};

struct design_matrix {
  models::design x;                         ///< one row per kept study
  std::vector<std::size_t> kept;            ///< positions (into the `rows` given) of the rows in x, in order
  std::vector<std::size_t> missing;         ///< positions left out because a moderator cell is missing
  std::vector<std::string> missing_column;  ///< for each of `missing`: the (first) column whose cell is missing
  std::vector<factor_coding> factors;
  warnings notes;
};

/// Reads column `name` of table t as a factor over the table rows `rows`. Throws input_error naming
/// the file when the column does not exist.
[[nodiscard]] factor_levels read_factor(const io::table& t, const std::string& name,
                                        const std::vector<std::size_t>& rows);

/// Builds the design for the table rows `rows` (e.g. effects::effect_table::source_row), labelled
/// `labels` (same length; used in warnings), coded as R's model.matrix: a categorical variable in an
/// interaction gets treatment contrasts when the term without it is in the model, else a column per
/// level; interaction columns are the products of their variables' columns, the first varying
/// fastest, named "a:b". A row with a missing moderator cell (blank, NA or .) is
/// left out with a warning naming the study, as metafor omits it; a constant numeric moderator or a
/// categorical one with a single level gets a warning (it is aliased with the intercept, and
/// models::fit_regression drops it). Without an intercept the first categorical moderator gets a
/// column for every level (R's full dummy coding), later ones treatment coding.
/// Throws input_error naming the file for a missing moderator column or a text cell in a power or
/// polynomial, usage_error for a term that does not parse, a poly() degree not below the number of
/// distinct values, when no moderator is given and the intercept is dropped, or when a
/// --categorical column is not among the moderators.
[[nodiscard]] design_matrix build_design(const io::table& t, const std::vector<std::size_t>& rows,
                                         const std::vector<std::string>& labels, const design_options& opt);

}  // namespace metasift::pipeline
