#pragma once
// Synthesis without meta-analysis (SWiM; Campbell et al. 2020, BMJ 368:l6890): the statistics
// the Cochrane Handbook chapter 12 (McKenzie and Brennan, version 6.3, 2022) accepts when effects
// cannot be pooled, computed per outcome domain from one row per study:
//   - the effect direction of each study (Boon and Thomson 2021, Res Synth Methods 12:29-33),
//   - vote counting by direction with an exact binomial CI and the sign test (12.2.2.3),
//   - summary statistics of the effects: median, interquartile range and range (12.2.2.1),
//   - combined p-values: Fisher's (1932) and Stouffer's (1949) methods (12.2.2.2).
// docs/synthesis.md describes each method, its conventions and its R counterpart.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/core/error.hpp"
#include "metasift/core/status.hpp"
#include "metasift/io/table.hpp"

namespace metasift::synthesis {

// --- Effect direction ---------------------------------------------------------------------------

/// A study's effect direction in one outcome domain. benefit and harm are the direction of the
/// point estimates, whatever their statistical significance (Cochrane Handbook 12.2.2.3);
/// no_clear_effect is Boon and Thomson's "no change"; mixed is a study whose outcomes in the domain
/// point in different directions.
enum class direction { benefit, harm, no_clear_effect, mixed };

/// "benefit", "harm", "no-clear-effect" or "mixed".
[[nodiscard]] std::string_view to_string(direction d) noexcept;
/// The effect-direction plot's symbol: ▲ benefit, ▼ harm, ◄► no clear effect; "mixed" for mixed.
[[nodiscard]] std::string_view symbol(direction d) noexcept;
/// Reads a direction cell: the four names ignoring ASCII case, with '-', '_' or a space between
/// words ("No clear effect"), or the symbols ▲ ▼ ◄►; surrounding blanks are ignored. nullopt for
/// anything else.
[[nodiscard]] std::optional<direction> parse_direction(std::string_view text);

// --- The single statistics, each the counterpart of one R function ------------------------------

/// Exact binomial test of H0: pi = 1/2 with the Clopper-Pearson interval, as R's
/// binom.test(x, n, 0.5):
///   - proportion x / n;
///   - CI [qbeta(a/2; x, n - x + 1), qbeta(1 - a/2; x + 1, n - x)] with a = 1 - level, the lower
///     bound 0 when x = 0 and the upper 1 when x = n (Clopper and Pearson 1934, Biometrika 26:404);
///   - two-sided p = min(1, 2 min(P(X <= x), P(X >= x))) for X ~ Bin(n, 1/2), which is R's rule of
///     summing the outcomes no more likely than x, because Bin(n, 1/2) is symmetric (the sign test).
/// n = 0 gives NaN for every statistic. Requires x <= n and 0 < level < 1.
struct binomial_test {
  std::size_t x = 0;
  std::size_t n = 0;
  double proportion = 0;
  double ci_lower = 0, ci_upper = 0;
  double p_value = 0;
};
[[nodiscard]] binomial_test sign_test(std::size_t x, std::size_t n, double level = 0.95);

/// Sample quantile of type 7 (Hyndman and Fan 1996, Am Stat 50:361-365; R's quantile() default):
/// h = (n - 1) prob, q = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]) on the sorted
/// values, computed as R does, (1 - g) x[lo] + g x[hi]. `sorted` must be sorted and non-empty.
[[nodiscard]] double quantile_type7(std::span<const double> sorted, double prob);

/// Median, quartiles (type 7), IQR = Q3 - Q1 (R's IQR()) and range of the values (Cochrane
/// Handbook 12.2.2.1). The median is R's median(): the middle value, or the mean of the two middle
/// values. No values give n = 0 and NaN statistics.
struct effect_summary {
  std::size_t n = 0;
  double median = 0, q1 = 0, q3 = 0, iqr = 0, min = 0, max = 0;
};
[[nodiscard]] effect_summary summarize_effects(std::vector<double> values);

/// A combined test of k p-values.
struct combined_p {
  std::size_t k = 0;
  double statistic = 0;  ///< Fisher: chi^2 = -2 sum log p; Stouffer: Z
  double df = 0;         ///< Fisher: 2k; NaN for Stouffer (a normal statistic)
  double p_value = 0;    ///< upper tail
};

/// Fisher's method (Fisher 1932, Statistical Methods for Research Workers, 4th ed., section 21.1),
/// as metap::sumlog: chi^2 = -2 sum log p_i on 2k df, p = P(chi^2_2k > chi^2). Each p_i in (0, 1].
/// No p-values give k = 0 and NaN; one gives chi^2_2 = -2 log p_1, whose upper tail is p_1 (metap
/// returns NA below two p-values).
[[nodiscard]] combined_p fisher_method(std::span<const double> p);

/// Stouffer's method (Stouffer et al. 1949, The American Soldier, vol. 1; the weighted form is
/// Liptak's 1958, with sqrt(n) weights as Zaykin 2011 recommends), as metap::sumz(p, weights):
/// z_i = Phi^-1(1 - p_i), Z = sum w_i z_i / sqrt(sum w_i^2), p = 1 - Phi(Z). The weights are used
/// as given (empty: all 1). Each p_i in (0, 1]; a p_i of 1 (z_i = -infinity) is left out with its
/// weight, as sumz does, and k counts the p-values kept. Unlike metap (which returns NA below two
/// p-values) one p-value gives Z = z_1.
[[nodiscard]] combined_p stouffer_method(std::span<const double> p, std::span<const double> weights = {});

/// Stouffer's method on z-scores: Z = sum w_i z_i / sqrt(sum w_i^2), p = 1 - Phi(Z). The domain
/// synthesis uses it so that a harm with a tiny two-sided p keeps its z (-Phi^-1(p / 2) instead of
/// Phi^-1(p / 2 - 1), which is -infinity once 1 - p / 2 rounds to 1).
[[nodiscard]] combined_p stouffer_from_z(std::span<const double> z, std::span<const double> weights = {});

// --- The table and the synthesis per outcome domain ---------------------------------------------

/// Which columns of the table hold what (names matched ignoring case). study, domain and direction
/// are required; n, p, effect and rob are read when the table has them.
struct swim_columns {
  std::string study = "study";
  std::string domain = "outcome_domain";
  std::string direction = "direction";
  std::string n = "n";            ///< study size (a whole number >= 1); weights of the weighted Stouffer
  std::string p = "p";            ///< two-sided p-value in (0, 1]
  std::string effect = "effect";  ///< effect estimate on one scale across studies, for the summary statistics
  std::string rob = "rob";        ///< risk-of-bias judgement (text, reported as given)
};

/// One study in one outcome domain. Optional values are missing when the cell is blank, NA or '.',
/// or the column is absent.
struct swim_study {
  std::string study;
  std::string domain;
  direction dir = direction::no_clear_effect;
  std::optional<double> n, p, effect;
  std::string rob;
  source_position where;  ///< the row (file and line)
};

/// The studies of one table.
struct swim_data {
  std::string file;
  swim_columns columns;             ///< the header names as found; empty for an optional column the table lacks
  std::vector<swim_study> studies;  ///< in table order
};

/// Reads the rows of `t`. Throws input_error at the cell (file:line:col) for a missing required
/// column, a blank study or domain, a direction outside the four values, an n that is not a whole
/// number >= 1, a p outside (0, 1], a non-numeric number cell, and a second row for the same
/// study and domain (which would count the study twice).
[[nodiscard]] swim_data read_swim_table(const io::table& t, const swim_columns& cols = {});

struct direction_counts {
  std::size_t benefit = 0, harm = 0, no_clear_effect = 0, mixed = 0;
  [[nodiscard]] std::size_t total() const noexcept { return benefit + harm + no_clear_effect + mixed; }
};

/// The synthesis of one outcome domain.
struct domain_result {
  std::string domain;
  std::vector<swim_study> studies;  ///< in table order
  direction_counts counts;
  /// Vote count: x = benefit, n = benefit + harm (studies with a clear direction); no clear
  /// effect and mixed are counted above but are not votes.
  binomial_test vote;
  effect_summary effects;  ///< of the studies with an effect
  /// Directional tests (H1: benefit), on one-sided p-values in the direction of benefit made from
  /// the two-sided p and the direction: p/2 for benefit, 1 - p/2 for harm; studies with no clear
  /// effect or mixed have no direction and are left out.
  combined_p fisher;
  combined_p stouffer;           ///< unweighted (w_i = 1)
  combined_p stouffer_weighted;  ///< w_i = sqrt(n_i); NaN when a study in it has no n
  /// Fisher's method on the two-sided p-values as given, every study with a p: the non-directional
  /// test of H0 "no effect in any study" against "an effect in either direction in at least one".
  combined_p fisher_two_sided;
  warnings notes;
};

struct swim_options {
  double level = 0.95;  ///< of the Clopper-Pearson interval
};

struct swim_result {
  std::string file;
  swim_columns columns;  ///< as swim_data::columns
  double level = 0.95;
  std::vector<domain_result> domains;  ///< in order of first appearance in the table
  /// Every convention used, one sentence each (printed by every output).
  std::vector<std::string> conventions;
};

/// Groups the studies by domain and computes every statistic above. Expected data conditions (no
/// study with a clear direction, no p-values, a missing n) are notes of the domain, never errors.
/// Throws usage_error when the level is not strictly between 0 and 1.
[[nodiscard]] swim_result synthesize(const swim_data& data, const swim_options& opt = {});

// --- Writers (docs/output.md) -------------------------------------------------------------------

/// Text report: per domain the effect-direction table, the vote count, the effect summary and the
/// combined p-values with their hypotheses, then the conventions. `decimals` for estimates.
[[nodiscard]] std::string format_text(const swim_result& r, std::string_view version, int decimals = 2);
/// JSON with a fixed shape (docs/output.md, "swim"): missing statistics are null.
[[nodiscard]] std::string format_json(const swim_result& r, std::string_view version);
/// CSV, one row per domain with every statistic (docs/cli.md).
[[nodiscard]] std::string format_csv(const swim_result& r);

}  // namespace metasift::synthesis
