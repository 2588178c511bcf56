// GRADE proposals per domain, the reviewers' judgements, and the Summary of Findings row.
#include "metasift/analyses/grade.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "metasift/core/check.hpp"
#include "metasift/math/distributions.hpp"

namespace metasift::analyses {

std::string_view to_string(grade_domain d) noexcept {
  switch (d) {
    case grade_domain::risk_of_bias: return "risk_of_bias";
    case grade_domain::inconsistency: return "inconsistency";
    case grade_domain::indirectness: return "indirectness";
    case grade_domain::imprecision: return "imprecision";
    case grade_domain::publication_bias: return "publication_bias";
    case grade_domain::large_effect: return "large_effect";
    case grade_domain::dose_response: return "dose_response";
    case grade_domain::plausible_confounding: return "plausible_confounding";
  }
  return "?";
}

std::string_view display_name(grade_domain d) noexcept {
  switch (d) {
    case grade_domain::risk_of_bias: return "Risk of bias";
    case grade_domain::inconsistency: return "Inconsistency";
    case grade_domain::indirectness: return "Indirectness";
    case grade_domain::imprecision: return "Imprecision";
    case grade_domain::publication_bias: return "Publication bias";
    case grade_domain::large_effect: return "Large effect";
    case grade_domain::dose_response: return "Dose-response gradient";
    case grade_domain::plausible_confounding: return "Plausible confounding";
  }
  return "?";
}

std::optional<grade_domain> parse_grade_domain(std::string_view s) noexcept {
  std::string k;
  for (const char c : s) {
    k += (c == '-' || c == ' ') ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  for (const grade_domain d : all_grade_domains()) {
    if (k == to_string(d)) return d;
  }
  return std::nullopt;
}

bool is_upgrade(grade_domain d) noexcept {
  return d == grade_domain::large_effect || d == grade_domain::dose_response ||
         d == grade_domain::plausible_confounding;
}

const std::vector<grade_domain>& all_grade_domains() {
  static const std::vector<grade_domain> all{grade_domain::risk_of_bias,     grade_domain::inconsistency,
                                             grade_domain::indirectness,     grade_domain::imprecision,
                                             grade_domain::publication_bias, grade_domain::large_effect,
                                             grade_domain::dose_response,    grade_domain::plausible_confounding};
  return all;
}

std::string_view to_string(certainty c) noexcept {
  switch (c) {
    case certainty::very_low: return "very low";
    case certainty::low: return "low";
    case certainty::moderate: return "moderate";
    case certainty::high: return "high";
  }
  return "?";
}

std::string certainty_symbols(certainty c) {
  const int n = static_cast<int>(c);
  std::string s;
  for (int i = 0; i < 4; ++i) s += i < n ? "\u2295" : "\u25EF";
  return s;
}

namespace {

std::string pct(double share) {
  return format_fixed(100.0 * share, 1) + "%";
}

std::string num(double x, int decimals = 2) {
  if (!std::isfinite(x)) return "NA";
  return format_fixed(x, decimals);
}

bool ratio_measure(effects::measure m) {
  return effects::display_scale_of(m) == effects::display_scale::exp;
}

/// The thresholds on the analysis scale: the null, or -MID and +MID (log scale for ratios).
struct thresholds {
  std::vector<double> at;
  std::string words;  ///< "the null (0)", "the MID (0.80 and 1.25)"
  bool mid = false;
};

thresholds thresholds_of(const grade_input& in) {
  const bool ratio = ratio_measure(in.measure);
  const effects::display_scale sc = effects::display_scale_of(in.measure);
  if (in.mid && (ratio || sc == effects::display_scale::identity) && std::isfinite(*in.mid) && *in.mid > 0 &&
      !(ratio && *in.mid == 1.0)) {
    if (ratio) {
      const double t = std::fabs(std::log(*in.mid));
      return {{-t, t}, "the MID (" + num(std::exp(-t)) + " and " + num(std::exp(t)) + ")", true};
    }
    return {{-*in.mid, *in.mid}, "the MID (-" + num(*in.mid) + " and " + num(*in.mid) + ")", true};
  }
  return {{0.0}, ratio ? "the null (1)" : "the null (0)", false};
}

/// Thresholds strictly inside (lo, hi).
int crossings(const thresholds& t, double lo, double hi) {
  int n = 0;
  for (const double x : t.at) n += (lo < x && x < hi) ? 1 : 0;
  return n;
}

/// An interval on the display scale, for the reasons.
std::string shown(const grade_input& in, double lo, double hi) {
  // Appended piece by piece: GCC 12 warns, wrongly, on chains of operator+ starting with a literal.
  const bool ratio = ratio_measure(in.measure);
  std::string s = "[";
  s += num(ratio ? std::exp(lo) : lo);
  s += ", ";
  s += num(ratio ? std::exp(hi) : hi);
  s += ']';
  return s;
}

grade_proposal risk_of_bias(const grade_input& in, const grade_rules& r) {
  grade_proposal p{grade_domain::risk_of_bias, 0, false, "", ""};
  const auto& st = in.meta->studies;
  if (in.risk.empty()) {
    p.rule = "no appraisal";
    p.reason = "the review has no risk-of-bias appraisal of these studies: the reviewers' judgement";
    return p;
  }
  double total = 0, high = 0, low = 0, unknown = 0;
  std::size_t n_high = 0, n_unknown = 0;
  for (std::size_t i = 0; i < st.size(); ++i) {
    const double w = std::isfinite(st[i].weight) ? st[i].weight : 0.0;
    total += w;
    switch (in.risk[i]) {
      case study_risk::high:
        high += w;
        ++n_high;
        break;
      case study_risk::low: low += w; break;
      case study_risk::some_concerns: break;
      case study_risk::not_assessed:
        unknown += w;
        ++n_unknown;
        break;
    }
  }
  // Without a single overall judgement (MMAT 2018 and the JBI checklists give none by design)
  // the weights say nothing about risk of bias; rating down for "too little weight at low risk"
  // would then punish the tool, not the evidence.
  if (n_unknown == st.size()) {
    p.rule = "no overall judgements";
    p.reason = "none of the " + std::to_string(st.size()) +
               " studies has an overall risk-of-bias judgement (the appraisal tool gives none, or no assessment is "
               "complete): the reviewers' judgement";
    return p;
  }
  if (!(total > 0)) {
    p.rule = "no weights";
    p.reason = "the analysis gives no study weights";
    return p;
  }
  high /= total;
  low /= total;
  unknown /= total;
  p.from_data = true;
  p.reason = std::to_string(n_high) + " of " + std::to_string(st.size()) + " studies at high risk carry " + pct(high) +
             " of the weight; studies at low risk carry " + pct(low);
  if (n_unknown > 0) {
    p.reason += "; " + std::to_string(n_unknown) + " not assessed carry " + pct(unknown);
  }
  if (high > r.rob_very_serious) {
    p.change = -2;
    p.rule = "studies at high risk of bias carry more than " + pct(r.rob_very_serious) + " of the weight";
  } else if (high > r.rob_serious) {
    p.change = -1;
    p.rule = "studies at high risk of bias carry more than " + pct(r.rob_serious) + " of the weight";
  } else if (low < r.rob_low_share) {
    p.change = -1;
    p.rule = "studies at low risk of bias carry less than " + pct(r.rob_low_share) + " of the weight";
  } else {
    p.rule = "studies at high risk carry at most " + pct(r.rob_serious) + " and studies at low risk at least " +
             pct(r.rob_low_share) + " of the weight";
  }
  return p;
}

grade_proposal inconsistency(const grade_input& in, const grade_rules& r) {
  grade_proposal p{grade_domain::inconsistency, 0, false, "", ""};
  const models::meta_result& m = *in.meta;
  if (m.k < 2) {
    p.rule = "a single study";
    p.reason = "inconsistency cannot be assessed from one study";
    return p;
  }
  const double i2 = m.het.I2;
  const thresholds t = thresholds_of(in);
  p.from_data = true;
  p.reason = "I\u00B2 = " + num(i2, 1) + "%, \u03C4\u00B2 = " + num(m.het.tau2, 3) + ", Q(" + num(m.het.df, 0) +
             ") p = " + num(m.het.p, 3);
  const bool have_pi = std::isfinite(m.pooled.pi_lower) && std::isfinite(m.pooled.pi_upper);
  const int crossed = have_pi ? crossings(t, m.pooled.pi_lower, m.pooled.pi_upper) : 0;
  if (have_pi) {
    p.reason += "; prediction interval " + shown(in, m.pooled.pi_lower, m.pooled.pi_upper) +
                (crossed > 0 ? " crosses " : " does not cross ") + t.words;
  }
  if (std::isfinite(in.subgroup_p)) {
    p.reason += "; test for subgroup differences p = " + num(in.subgroup_p, 3) +
                (in.subgroup_p < 0.10 ? " (the subgroups may explain part of it)" : "");
  }
  if (!std::isfinite(i2) || i2 < r.i2_serious) {
    p.rule = "I\u00B2 below " + num(r.i2_serious, 0) + "%";
    return p;
  }
  if (!have_pi) {
    p.change = -1;
    p.rule = "I\u00B2 at least " + num(r.i2_serious, 0) + "% (no prediction interval to judge its importance)";
    return p;
  }
  if (crossed == 0) {
    p.rule =
        "I\u00B2 at least " + num(r.i2_serious, 0) + "% but the prediction interval stays on one side of " + t.words;
    return p;
  }
  if (i2 >= r.i2_very_serious) {
    p.change = -2;
    p.rule = "I\u00B2 at least " + num(r.i2_very_serious, 0) + "% and the prediction interval crosses " + t.words;
  } else {
    p.change = -1;
    p.rule = "I\u00B2 at least " + num(r.i2_serious, 0) + "% and the prediction interval crosses " + t.words;
  }
  return p;
}

bool binary_measure(effects::measure m) {
  return m == effects::measure::OR || m == effects::measure::RR || m == effects::measure::RD ||
         m == effects::measure::PETO;
}

grade_proposal imprecision(const grade_input& in, const grade_rules& r) {
  grade_proposal p{grade_domain::imprecision, 0, true, "", ""};
  const models::pooled_estimate& e = in.meta->pooled;
  const thresholds t = thresholds_of(in);
  const int crossed = crossings(t, e.ci_lower, e.ci_upper);
  p.reason = "CI " + shown(in, e.ci_lower, e.ci_upper);
  if (t.mid) {
    p.reason += "; MID thresholds " + t.words.substr(t.words.find('(')) + "; CI crosses " + std::to_string(crossed);
    if (crossed == 2) {
      p.change = -2;
      p.rule = "the CI crosses both MID thresholds (appreciable benefit and harm)";
      return p;
    }
    if (crossed == 1) {
      p.change = -1;
      p.rule = "the CI crosses one MID threshold";
      return p;
    }
  } else {
    p.reason += " (no MID declared)";
    if (e.ci_lower <= 0.0 && 0.0 <= e.ci_upper) {
      p.change = -1;
      p.rule = "the CI includes " + t.words;
      return p;
    }
  }
  // The CI alone looks precise: the optimal information size (GRADE guidelines 6).
  double ois = models::not_available;
  std::string how;
  if (binary_measure(in.measure)) {
    if (in.control_risk) {
      ois = optimal_information_size(*in.control_risk, r.ois_rrr, r.ois_alpha, r.ois_power);
      how = "OIS " + num(ois, 0) + " (control risk " + num(*in.control_risk, 3) + ", RRR " + pct(r.ois_rrr) +
            ", alpha " + num(r.ois_alpha) + ", power " + num(r.ois_power) + ")";
    }
  } else {
    ois = r.ois_continuous;
    how = "OIS " + num(ois, 0) + " participants (rule of thumb for continuous outcomes)";
  }
  if (!std::isfinite(ois)) {
    p.rule = "the CI " + std::string(t.mid ? "crosses no MID threshold" : "excludes the null") +
             " (optimal information size not checked: no control risk)";
    return p;
  }
  if (!std::isfinite(in.participants)) {
    p.rule = "the CI " + std::string(t.mid ? "crosses no MID threshold" : "excludes the null") +
             " (optimal information size not checked: participants unknown)";
    p.reason += "; " + how;
    return p;
  }
  p.reason += "; " + num(in.participants, 0) + " participants; " + how;
  if (in.participants < ois) {
    p.change = -1;
    p.rule = "fewer participants than the optimal information size";
  } else {
    p.rule = "the CI " + std::string(t.mid ? "crosses no MID threshold" : "excludes the null") +
             " and the participants reach the optimal information size";
  }
  return p;
}

grade_proposal publication_bias(const grade_input& in, const grade_rules& r) {
  grade_proposal p{grade_domain::publication_bias, 0, false, "", ""};
  if (in.bias == nullptr) {
    p.rule = "no small-study tests run";
    p.reason = "the analysis did not ask for them (bias = true): the reviewers' judgement";
    return p;
  }
  const int k = in.bias->k;
  if (k < r.egger_min_k) {
    p.rule = "fewer than " + std::to_string(r.egger_min_k) + " studies";
    p.reason = "k = " + std::to_string(k) + ": tests for funnel-plot asymmetry have too little power";
    return p;
  }
  const double pe = in.bias->egger.p();
  p.from_data = std::isfinite(pe);
  p.reason = "Egger's test p = " + num(pe, 3) + " (k = " + std::to_string(k) + ")";
  if (in.trimfill != nullptr) {
    const trimfill_result& tf = *in.trimfill;
    p.reason += "; trim-and-fill adds " + std::to_string(tf.k0) + " studies";
    if (tf.k0 > 0) {
      const double a = tf.adjusted.pooled.estimate, o = tf.observed.pooled.estimate;
      const bool ratio = ratio_measure(in.measure);
      p.reason += ", estimate " + num(ratio ? std::exp(o) : o) + " -> " + num(ratio ? std::exp(a) : a);
    }
  }
  if (std::isfinite(pe) && pe < r.egger_alpha) {
    p.change = -1;
    p.rule = "Egger's test p < " + num(r.egger_alpha) + " with at least " + std::to_string(r.egger_min_k) + " studies";
  } else {
    p.rule = std::isfinite(pe) ? "Egger's test p >= " + num(r.egger_alpha) : "Egger's test not available";
  }
  return p;
}

grade_proposal reviewer_only(grade_domain d) {
  grade_proposal p{d, 0, false, "a reviewer's judgement", ""};
  p.reason = d == grade_domain::indirectness
                 ? "indirectness (population, intervention, comparator, outcome) is not in the data"
                 : "rating up is for observational evidence and is left to the reviewers";
  return p;
}

std::string levels_words(int change) {
  const int n = std::abs(change);
  const std::string l = n == 1 ? "one level" : std::to_string(n) + " levels";
  return (change < 0 ? "rated down " : "rated up ") + l;
}

}  // namespace

double optimal_information_size(double cr, double rrr, double alpha, double power) {
  if (!(cr > 0 && cr < 1)) fail_usage("control_risk", "must be between 0 and 1");
  if (!(rrr > 0 && rrr < 1)) fail_usage("ois_rrr", "must be between 0 and 1");
  if (!(alpha > 0 && alpha < 1 && power > 0 && power < 1))
    fail_usage("ois_alpha", "alpha and power must be between 0 and 1");
  const double pt = cr * (1.0 - rrr);
  const double z = math::normal_quantile(1.0 - alpha / 2.0) + math::normal_quantile(power);
  const double per_arm = z * z * (cr * (1 - cr) + pt * (1 - pt)) / ((cr - pt) * (cr - pt));
  return 2.0 * std::ceil(per_arm);
}

double risk_with_intervention(effects::measure m, double x, double cr) {
  switch (m) {
    case effects::measure::OR:
    case effects::measure::PETO: return x * cr / (1.0 - cr + x * cr);
    case effects::measure::RR: return std::min(1.0, x * cr);
    case effects::measure::RD: return std::clamp(cr + x, 0.0, 1.0);
    default: return models::not_available;
  }
}

std::optional<absolute_effect> absolute_per_1000(effects::measure m, double est, double lo, double hi, double cr) {
  if (!binary_measure(m) || !(cr > 0 && cr < 1)) return std::nullopt;
  const auto shown_value = [&](double x) { return m == effects::measure::RD ? x : std::exp(x); };
  absolute_effect a;
  a.control = 1000.0 * cr;
  a.intervention = 1000.0 * risk_with_intervention(m, shown_value(est), cr);
  const double r1 = 1000.0 * risk_with_intervention(m, shown_value(lo), cr);
  const double r2 = 1000.0 * risk_with_intervention(m, shown_value(hi), cr);
  a.lower = std::min(r1, r2);
  a.upper = std::max(r1, r2);
  a.difference = a.intervention - a.control;
  a.difference_lower = a.lower - a.control;
  a.difference_upper = a.upper - a.control;
  return a;
}

std::string per_1000_words(double d) {
  const double r = std::round(d);
  const long long n = static_cast<long long>(std::fabs(r));
  return std::to_string(n) + (r > 0 ? " more" : " fewer");
}

grade_assessment assess_grade(const grade_input& in, const std::vector<grade_judgement>& judgements,
                              const grade_rules& rules) {
  if (in.meta == nullptr) fail_usage("grade", "no meta-analysis to rate");
  if (!in.risk.empty() && in.risk.size() != in.meta->studies.size()) {
    fail_usage("grade", "one risk-of-bias level per study is needed");
  }
  grade_assessment a;
  a.outcome = in.outcome;
  a.start = in.start;
  a.start_reason = in.start_reason;
  int total = static_cast<int>(in.start);
  for (const grade_domain d : all_grade_domains()) {
    grade_rating r;
    switch (d) {
      case grade_domain::risk_of_bias: r.proposal = risk_of_bias(in, rules); break;
      case grade_domain::inconsistency: r.proposal = inconsistency(in, rules); break;
      case grade_domain::imprecision: r.proposal = imprecision(in, rules); break;
      case grade_domain::publication_bias: r.proposal = publication_bias(in, rules); break;
      default: r.proposal = reviewer_only(d); break;
    }
    r.change = r.proposal.change;
    for (const auto& j : judgements) {
      if (j.domain == d && j.outcome == in.outcome) {
        r.judgement = j;
        r.change = is_upgrade(d) ? j.levels : -j.levels;
        r.departs = r.change != r.proposal.change;
      }
    }
    total += r.change;
    if (r.change != 0) {
      std::string f = std::string(display_name(d)) + ": " + levels_words(r.change);
      if (r.judgement) {
        f += ". " + r.judgement->reason;
        if (r.departs) {
          f += " (reviewers' judgement; metasift proposed " +
               (r.proposal.change == 0 ? std::string("no change") : levels_words(r.proposal.change)) + ": " +
               r.proposal.rule + ")";
        }
      } else {
        f += " (" + r.proposal.rule + "; " + r.proposal.reason + ").";
      }
      a.footnotes.push_back(std::move(f));
    } else if (r.judgement && r.departs) {
      a.footnotes.push_back(std::string(display_name(d)) + ": not rated down. " + r.judgement->reason +
                            " (reviewers' judgement; metasift proposed " + levels_words(r.proposal.change) + ": " +
                            r.proposal.rule + ")");
    }
    a.domains.push_back(std::move(r));
  }
  a.final_certainty = static_cast<certainty>(std::clamp(total, 1, 4));
  return a;
}

sof_row summary_of_findings_row(const grade_input& in, const grade_assessment& a) {
  if (in.meta == nullptr) fail_usage("grade", "no meta-analysis for the Summary of Findings");
  const models::meta_result& m = *in.meta;
  sof_row row;
  row.outcome = in.outcome;
  row.studies = m.k;
  row.participants = in.participants;
  row.grade = a.final_certainty;
  row.footnotes = a.footnotes;
  row.control_risk_source = in.control_risk_source;
  const auto& e = m.pooled;
  const std::string name(effects::to_string(in.measure));
  if (ratio_measure(in.measure)) {
    row.relative = name + " " + num(std::exp(e.estimate)) + " (" + num(std::exp(e.ci_lower)) + " to " +
                   num(std::exp(e.ci_upper)) + ")";
  }
  if (in.control_risk)
    row.absolute = absolute_per_1000(in.measure, e.estimate, e.ci_lower, e.ci_upper, *in.control_risk);
  if (row.absolute) {
    const absolute_effect& x = *row.absolute;
    const auto r0 = [](double v) { return std::to_string(static_cast<long long>(std::llround(v))); };
    row.assumed = r0(x.control) + " per 1,000";
    row.corresponding = r0(x.intervention) + " per 1,000 (" + r0(x.lower) + " to " + r0(x.upper) + ")";
    row.difference = per_1000_words(x.difference) + " per 1,000 (from " + per_1000_words(x.difference_lower) + " to " +
                     per_1000_words(x.difference_upper) + ")";
  } else if (!ratio_measure(in.measure)) {
    const auto hl = [](double v) { return num(std::fabs(v)) + (v < 0 ? " lower" : " higher"); };
    row.difference = name + " " + hl(e.estimate) + " (" + hl(e.ci_lower) + " to " + hl(e.ci_upper) + ")";
  }
  return row;
}

}  // namespace metasift::analyses
