#pragma once
// Per-study effect sizes yi and sampling variances vi, as metafor's escalc (metafor 3.8,
// escalc.r). Formula sources are cited at each measure in src/effects/compute.cpp.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/core/error.hpp"
#include "metasift/core/status.hpp"
#include "metasift/effects/measure.hpp"

namespace metasift::effects {

/// MD variance: metafor vtype "LS" (s1^2/n1 + s2^2/n2) or "HO" (pooled SD, Stata's default).
enum class md_variance { separate, pooled };
/// SMD small-sample correction: exact gamma-function J (metafor), 1 - 3/(4m - 1), or none (Cohen's d).
enum class smd_correction { hedges_exact, hedges_approx, none };
/// SMD sampling variance: metafor vtype "LS" (large-sample, 1/n1 + 1/n2 + g^2/(2(n1 + n2))) or "UB"
/// (unbiased, 1/n1 + 1/n2 + (1 - (m - 2)/(m J(m)^2)) g^2; needs the exact correction).
enum class smd_variance { large_sample, unbiased };
/// Which studies get the continuity correction: metafor "only0" (studies with a zero cell), "all", "none".
enum class zero_cell { only_zero, all, none };

/// The settings' names, read in any case: "separate" / "pooled"; "exact" / "approx" / "none";
/// "ls" / "ub"; "only0" / "all" / "none". nullopt for another name. to_string gives the first of
/// these names.
[[nodiscard]] std::optional<md_variance> parse_md_variance(std::string_view name) noexcept;
[[nodiscard]] std::optional<smd_correction> parse_smd_correction(std::string_view name) noexcept;
[[nodiscard]] std::optional<smd_variance> parse_smd_variance(std::string_view name) noexcept;
[[nodiscard]] std::optional<zero_cell> parse_zero_cell(std::string_view name) noexcept;
[[nodiscard]] std::string_view to_string(md_variance v) noexcept;
[[nodiscard]] std::string_view to_string(smd_correction c) noexcept;
[[nodiscard]] std::string_view to_string(smd_variance v) noexcept;
[[nodiscard]] std::string_view to_string(zero_cell z) noexcept;

struct options {
  md_variance md_var = md_variance::separate;
  smd_correction smd = smd_correction::hedges_exact;
  smd_variance smd_var = smd_variance::large_sample;
  zero_cell zero = zero_cell::only_zero;
  double add = 0.5;               ///< continuity correction added to every cell of a corrected study
  bool drop_double_zero = false;  ///< drop 2x2 studies with no events (or all events) in both arms
  double level = 0.95;            ///< level of a GEN study's ci_lower/ci_upper, for the vi it implies
};

/// One numeric input column: values plus where each came from (for error messages).
struct column {
  std::string name;  ///< the name as the user's file spells it (after --col remapping)
  std::vector<double> values;
  std::vector<source_position> where;
};

/// The raw study data for one measure: canonical name -> column. Built by the caller (the CLI reads
/// a table with io::read_table); the effects module never touches files.
struct raw_data {
  std::vector<std::string> labels;
  std::map<std::string, column> columns;
  /// Which input columns gave the canonical ones, for the report ("columns read: n1 = n1i, ...").
  std::string columns_read;
};

/// Raw 2x2 counts without any continuity correction, kept for Mantel-Haenszel and Peto pooling.
struct two_by_two {
  std::vector<double> a, b, c, d;  ///< events1, non-events1, events2, non-events2
};

/// Raw person-time data without any continuity correction, kept for Mantel-Haenszel pooling of
/// incidence rates (IRR, IRD).
struct person_time {
  std::vector<double> x1, t1, x2, t2;  ///< events and person-time of group 1, then of group 2
};

/// Why a study was left out of the analysis (it still appears in every output, with its reason).
struct exclusion {
  std::size_t index;   ///< row index in raw_data
  std::string reason;  ///< "double-zero study dropped (--drop-double-zero)"
};

struct effect_table {
  measure m = measure::GEN;
  std::vector<std::string> labels;  ///< one per included study
  std::vector<double> yi;           ///< analysis scale (log for ratios)
  std::vector<double> vi;
  std::vector<std::size_t> source_row;  ///< index of each included study in raw_data
  std::vector<bool> corrected;          ///< continuity correction applied to this study
  std::vector<exclusion> excluded;
  std::optional<two_by_two> counts;  ///< OR/RR/RD/PETO only; rows aligned with yi
  /// OR/RR/RD/PETO only: the raw counts of every study whose table is complete and valid, including
  /// those whose yi/vi is undefined (a zero cell without correction). Mantel-Haenszel and Peto pool
  /// these, as metafor's rma.mh and rma.peto pool all tables; only missing cells and drop_double_zero
  /// keep a table out.
  std::optional<two_by_two> pooled_counts;
  /// IRR/IRD only: the raw events and person-time of every complete, valid study, including those
  /// whose yi/vi is undefined, for Mantel-Haenszel pooling (as pooled_counts for 2x2 tables).
  std::optional<person_time> pooled_rates;
  std::vector<std::size_t> pooled_source_row;  ///< index in raw_data of each pooled_counts / pooled_rates row
  std::vector<std::string> pooled_labels;      ///< label of each pooled_counts / pooled_rates row
  std::vector<double> ni;                      ///< total sample size per study where defined (else empty)
  options used;                                ///< the options that produced the table
  warnings notes;                              ///< one per excluded study
  warnings label_notes;                        ///< labels used by more than one study (pooled separately)
};

/// Computes yi/vi for every study with metafor 3.8's escalc formulas (per measure in compute.cpp).
/// Throws input_error (at the offending cell) when a value is outside its domain: sd < 0, n <= 0
/// or not whole, n < 2 in a group with an SD, events negative, not whole or > n, |r| > 1, time <= 0, ROM mean <= 0, vi
/// or sei
/// <= 0 for GEN, ci_upper <= ci_lower, an MD/ROM variance of exactly 0 (both SDs 0); and, at no
/// position, a missing required column. Throws usage_error for opt.add < 0 or opt.level outside (0, 1).
///
/// Studies that metafor would turn into NA are excluded (listed in `excluded`, one warning each)
/// rather than thrown: a missing cell (NaN), yi or vi infinite/undefined (a zero cell with
/// zero_cell::none, SMD with n1 + n2 <= 3, COR/ZCOR with n <= 3), vi = 0 from counts (e.g. RD
/// double-zero without correction), and double-zero studies under drop_double_zero.
/// The continuity correction applies to OR/RR/RD/PETO (all four cells), PR/PLO (events and
/// non-events) and IRR/IRD (both event counts), never to PAS/PFT (metafor's default add = 0 there).
[[nodiscard]] effect_table compute(measure m, const raw_data& data, const options& opt = {});

/// Harmonic mean 1/mean(1/ni) of the non-NaN ni, as metafor's transf.ipft.hm uses for PFT.
/// Throws std::invalid_argument when an ni is <= 0 or infinite, or when no ni is given.
[[nodiscard]] double harmonic_mean(const std::vector<double>& ni);

}  // namespace metasift::effects
