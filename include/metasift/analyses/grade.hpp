#pragma once
// GRADE certainty of a body of evidence and the Summary of Findings table (docs/appraisal.md,
// "GRADE"). metasift proposes a rating for each GRADE domain from the numbers it has, with the rule
// it used and the data behind it; the reviewers' judgements are final.
//
// Sources: Schünemann, Brożek, Guyatt, Oxman (eds), GRADE Handbook (2013), section 5 (the five
// reasons to rate down, the three to rate up); Cochrane Handbook for Systematic Reviews of
// Interventions v6.4 (2023), chapter 14 (Schünemann et al., "Completing 'Summary of findings'
// tables and grading the certainty of the evidence"); GRADE guidelines 4 (risk of bias, J Clin
// Epidemiol 2011;64:407-415), 5 (publication bias, 64:1277-1282), 6 (imprecision, 64:1283-1293),
// 7 (inconsistency, 64:1294-1302). The thresholds are settings (grade_rules), since GRADE asks
// for judgement rather than fixed cut-offs; the defaults and their sources are listed there.
//
// Plain inputs (a fit, the small-study tests, one risk-of-bias level per study), so the module
// needs nothing from the review module.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/analyses/bias.hpp"
#include "metasift/analyses/trimfill.hpp"
#include "metasift/core/error.hpp"
#include "metasift/effects/measure.hpp"
#include "metasift/models/result.hpp"

namespace metasift::analyses {

/// The GRADE domains: five reasons to rate down, three to rate up (observational evidence).
enum class grade_domain {
  risk_of_bias,
  inconsistency,
  indirectness,
  imprecision,
  publication_bias,
  large_effect,
  dose_response,
  plausible_confounding,
};

/// "risk_of_bias", ... (as written in review.toml).
[[nodiscard]] std::string_view to_string(grade_domain d) noexcept;
/// "Risk of bias", ...
[[nodiscard]] std::string_view display_name(grade_domain d) noexcept;
/// Accepts the ids of to_string, with '-' or ' ' for '_' and any case.
[[nodiscard]] std::optional<grade_domain> parse_grade_domain(std::string_view s) noexcept;
/// True for the three reasons to rate up.
[[nodiscard]] bool is_upgrade(grade_domain d) noexcept;
/// The domains in GRADE's order.
[[nodiscard]] const std::vector<grade_domain>& all_grade_domains();

enum class certainty { very_low = 1, low = 2, moderate = 3, high = 4 };

[[nodiscard]] std::string_view to_string(certainty c) noexcept;  ///< "high", "moderate", "low", "very low"
/// GRADE's symbols: ⊕⊕⊕⊕ high, ⊕⊕⊕◯ moderate, ⊕⊕◯◯ low, ⊕◯◯◯ very low.
[[nodiscard]] std::string certainty_symbols(certainty c);

/// The risk of bias of one study's result for GRADE, from the appraisal's overall judgement.
enum class study_risk { low, some_concerns, high, not_assessed };

/// The thresholds of the proposals. Defaults and where they come from:
struct grade_rules {
  /// Risk of bias: rate down one level when studies at high risk carry more than this share of
  /// the analysis weight, two when they carry more than rob_very_serious (Cochrane Handbook 5.1
  /// Table 12.2.d: "the proportion of information from studies at high risk
  /// of bias is sufficient to affect the interpretation of results"; the cut-offs are metasift's).
  double rob_serious = 0.25;
  double rob_very_serious = 0.50;
  /// ... and one level when less than this share is at low risk (the "most information is from
  /// studies at low or unclear risk" row of the same table, rated down when concerns dominate).
  double rob_low_share = 0.50;
  /// Inconsistency: I² (percent) from which heterogeneity is "substantial" (50) and
  /// "considerable" (75) (Cochrane Handbook v6 section 10.10.2); rated down only when the
  /// prediction interval also crosses the null (or a MID): GRADE guidance 36 (J Clin Epidemiol
  /// 2023) warns that a large I² with effects on one side is not important inconsistency.
  double i2_serious = 50.0;
  double i2_very_serious = 75.0;
  /// Imprecision: optimal information size of a single trial detecting a relative risk reduction
  /// of ois_rrr with two-sided alpha and power (GRADE guidelines 6: RRR 25%, alpha 0.05, power
  /// 0.80); for continuous outcomes ois_continuous participants (the same paper's rule of thumb).
  double ois_rrr = 0.25;
  double ois_alpha = 0.05;
  double ois_power = 0.80;
  double ois_continuous = 400.0;
  /// Publication bias: Egger's test at this level, with at least egger_min_k studies (Cochrane
  /// Handbook v6 chapter 13; Sterne et al., BMJ 2011;343:d4002: tests only with k >= 10,
  /// asymmetry judged at p < 0.10).
  double egger_alpha = 0.10;
  int egger_min_k = 10;
};

struct grade_input {
  std::string outcome;  ///< the outcome's name
  effects::measure measure = effects::measure::GEN;
  const models::meta_result* meta = nullptr;  ///< required
  std::vector<study_risk> risk;               ///< one per meta->studies row; empty = no appraisal
  /// Minimal important difference: for ratio measures (OR, RR, ...) a ratio (1.25 means the
  /// thresholds 0.80 and 1.25); for difference measures a positive difference on the effect scale.
  std::optional<double> mid;
  std::optional<double> control_risk;           ///< assumed control risk (0, 1) for binary outcomes
  std::string control_risk_source;              ///< "declared" or "median of the control groups"
  double participants = models::not_available;  ///< total, NaN when unknown
  const bias_result* bias = nullptr;            ///< small-study tests, when run
  const trimfill_result* trimfill = nullptr;
  double subgroup_p = models::not_available;  ///< test for subgroup differences, when run
  certainty start = certainty::high;          ///< randomised (or ROBINS-I/E) high, other observational low
  std::string start_reason;
};

/// One domain's proposal.
struct grade_proposal {
  grade_domain domain = grade_domain::risk_of_bias;
  int change = 0;          ///< -2, -1, 0 (rate down) or +1, +2 (rate up)
  bool from_data = false;  ///< false: a reviewer's judgement only (indirectness, upgrades), or data missing
  std::string rule;        ///< the rule applied, in words ("high-risk studies carry > 25% of the weight")
  std::string reason;      ///< the numbers ("2 of 5 studies at high risk carry 41.2% of the weight")
};

/// A reviewer's judgement ([[grade]] in review.toml): final for its domain.
struct grade_judgement {
  std::string outcome;
  grade_domain domain = grade_domain::risk_of_bias;
  int levels = 0;  ///< levels rated down (0, 1, 2), or up for the upgrade domains
  std::string reason;
  source_position where;
};

struct grade_rating {
  grade_proposal proposal;
  std::optional<grade_judgement> judgement;
  int change = 0;        ///< the final change: the judgement's, else the proposal's
  bool departs = false;  ///< a judgement that differs from the proposal
};

struct grade_assessment {
  std::string outcome;
  certainty start = certainty::high;
  std::string start_reason;
  std::vector<grade_rating> domains;  ///< in all_grade_domains() order
  certainty final_certainty = certainty::high;
  std::vector<std::string> footnotes;  ///< one per domain rated down or up, in order
};

/// Proposals for every domain from the data, then the judgements for this outcome applied.
/// Preconditions (throw usage_error): in.meta set; risk empty or one per study.
[[nodiscard]] grade_assessment assess_grade(const grade_input& in, const std::vector<grade_judgement>& judgements = {},
                                            const grade_rules& rules = {});

/// Optimal information size (total participants, both arms) of a two-arm trial detecting a
/// relative risk reduction rrr from control risk cr with two-sided alpha and power: per arm
/// ceil((z_{1-alpha/2} + z_power)^2 (p_c(1-p_c) + p_t(1-p_t)) / (p_c - p_t)^2), p_t = p_c(1-rrr)
/// (GRADE guidelines 6, J Clin Epidemiol 2011;64:1283-1293, the sample size of a single trial).
[[nodiscard]] double optimal_information_size(double cr, double rrr = 0.25, double alpha = 0.05, double power = 0.80);

/// Risk with the intervention for an assumed control risk cr (Cochrane Handbook 5.1
/// section 11.5.5, v6 chapter 14; GRADEpro): OR: OR cr / (1 - cr + OR cr); RR: RR cr (at most 1); RD: cr + RD
/// (within [0, 1]). `ratio` on its display scale (not log). NaN for another measure.
[[nodiscard]] double risk_with_intervention(effects::measure m, double ratio_or_difference, double cr);

/// Absolute effects per 1,000 for a binary outcome.
struct absolute_effect {
  double control = models::not_available;                               ///< assumed risk per 1,000
  double intervention = models::not_available;                          ///< risk with the intervention per 1,000
  double lower = models::not_available, upper = models::not_available;  ///< its CI
  double difference = models::not_available;                            ///< intervention - control per 1,000
  double difference_lower = models::not_available, difference_upper = models::not_available;
};

/// From the pooled estimate and CI on the analysis scale (log for OR/RR/PETO) and an assumed
/// control risk; nullopt for measures without a per-1,000 reading (only OR, PETO, RR, RD have one).
[[nodiscard]] std::optional<absolute_effect> absolute_per_1000(effects::measure m, double estimate, double ci_lower,
                                                               double ci_upper, double cr);

/// One row of the Summary of Findings table (GRADEpro layout).
struct sof_row {
  std::string outcome;
  int studies = 0;
  double participants = models::not_available;
  std::string relative;  ///< "OR 0.75 (0.60 to 0.93)"; empty for difference measures
  std::optional<absolute_effect> absolute;
  std::string control_risk_source;
  std::string assumed;        ///< "200 per 1,000"
  std::string corresponding;  ///< "158 per 1,000 (126 to 195)"
  std::string
      difference;  ///< "42 fewer per 1,000 (from 74 fewer to 5 fewer)" or "MD 0.74 higher (0.33 higher to 1.15 higher)"
  certainty grade = certainty::high;
  std::vector<std::string> footnotes;
};

[[nodiscard]] sof_row summary_of_findings_row(const grade_input& in, const grade_assessment& a);

/// "42 fewer", "3 more", "0 fewer" (the GRADEpro wording of a per-1,000 difference, rounded).
[[nodiscard]] std::string per_1000_words(double difference);

}  // namespace metasift::analyses
