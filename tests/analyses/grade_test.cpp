// GRADE proposals and the Summary of Findings row (analyses/grade.hpp). Every rule is triggered by
// a dataset built for it and left untriggered by a counter-example next to it; the expected
// numbers are worked out by hand in the comments.

#include "metasift/analyses/grade.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "metasift/models/fit.hpp"

namespace metasift {
namespace {

using analyses::certainty;
using analyses::grade_domain;
using analyses::study_risk;

/// A meta-analysis result with the given pooled estimate and CI (analysis scale) and study weights.
models::meta_result result(double est, double lo, double hi, const std::vector<double>& weights = {50, 50}) {
  models::meta_result m;
  m.k = static_cast<int>(weights.size());
  for (std::size_t i = 0; i < weights.size(); ++i) {
    models::study_row s;
    s.label = std::string("S").append(std::to_string(i + 1));
    s.weight = weights[i];
    m.studies.push_back(s);
  }
  m.pooled.estimate = est;
  m.pooled.ci_lower = lo;
  m.pooled.ci_upper = hi;
  m.het.I2 = 0;
  m.het.tau2 = 0;
  m.het.df = m.k - 1;
  m.het.p = 0.9;
  return m;
}

const analyses::grade_rating& domain(const analyses::grade_assessment& a, grade_domain d) {
  for (const auto& r : a.domains) {
    if (r.proposal.domain == d) return r;
  }
  throw std::runtime_error("no domain");
}

analyses::grade_input input(const models::meta_result& m, effects::measure me = effects::measure::MD) {
  analyses::grade_input in;
  in.outcome = "pain";
  in.measure = me;
  in.meta = &m;
  return in;
}

// --- Summary of Findings: absolute effects per 1,000 -------------------------------------------

TEST(GradeSof, OddsRatioPer1000ByHand) {
  // OR 0.75 (0.60 to 0.93), assumed control risk 0.20. Risk with the intervention
  // = OR*CR / (1 - CR + OR*CR):
  //   0.75*0.2 / (0.8 + 0.15)  = 0.15 / 0.95   = 0.157895 -> 157.9 per 1,000
  //   0.60*0.2 / (0.8 + 0.12)  = 0.12 / 0.92   = 0.130435 -> 130.4
  //   0.93*0.2 / (0.8 + 0.186) = 0.186 / 0.986 = 0.188641 -> 188.6
  // Differences from 200: -42.1, -69.6, -11.4.
  const models::meta_result m = result(std::log(0.75), std::log(0.60), std::log(0.93));
  const auto a =
      analyses::absolute_per_1000(effects::measure::OR, m.pooled.estimate, m.pooled.ci_lower, m.pooled.ci_upper, 0.20);
  ASSERT_TRUE(a.has_value());
  EXPECT_NEAR(a->control, 200.0, 1e-9);
  EXPECT_NEAR(a->intervention, 1000.0 * 0.15 / 0.95, 1e-9);
  EXPECT_NEAR(a->lower, 1000.0 * 0.12 / 0.92, 1e-9);
  EXPECT_NEAR(a->upper, 1000.0 * 0.186 / 0.986, 1e-9);
  EXPECT_NEAR(a->difference, 157.894737 - 200.0, 1e-6);
  EXPECT_NEAR(a->difference_lower, 130.434783 - 200.0, 1e-6);
  EXPECT_NEAR(a->difference_upper, 188.640974 - 200.0, 1e-6);

  analyses::grade_input in = input(m, effects::measure::OR);
  in.control_risk = 0.20;
  in.participants = 2400;
  const auto g = analyses::assess_grade(in);
  const analyses::sof_row row = analyses::summary_of_findings_row(in, g);
  EXPECT_EQ(row.relative, "OR 0.75 (0.60 to 0.93)");
  EXPECT_EQ(row.assumed, "200 per 1,000");
  EXPECT_EQ(row.corresponding, "158 per 1,000 (130 to 189)");
  EXPECT_EQ(row.difference, "42 fewer per 1,000 (from 70 fewer to 11 fewer)");
  EXPECT_EQ(row.studies, 2);
}

TEST(GradeSof, RiskRatioPer1000ByHand) {
  // RR 1.5 (1.2 to 1.9), control risk 0.10: RR*CR = 150 (120 to 190) per 1,000; 50 more (20 to 90 more).
  const models::meta_result m = result(std::log(1.5), std::log(1.2), std::log(1.9));
  analyses::grade_input in = input(m, effects::measure::RR);
  in.control_risk = 0.10;
  const auto g = analyses::assess_grade(in);
  const analyses::sof_row row = analyses::summary_of_findings_row(in, g);
  ASSERT_TRUE(row.absolute.has_value());
  EXPECT_NEAR(row.absolute->intervention, 150.0, 1e-9);
  EXPECT_NEAR(row.absolute->lower, 120.0, 1e-9);
  EXPECT_NEAR(row.absolute->upper, 190.0, 1e-9);
  EXPECT_EQ(row.corresponding, "150 per 1,000 (120 to 190)");
  EXPECT_EQ(row.difference, "50 more per 1,000 (from 20 more to 90 more)");
  // A risk cannot exceed 1: RR 3 at a control risk of 0.5 gives 1,000 per 1,000, not 1,500.
  EXPECT_DOUBLE_EQ(analyses::risk_with_intervention(effects::measure::RR, 3.0, 0.5), 1.0);
  // RD is added: 0.2 - 0.05 = 0.15.
  EXPECT_NEAR(analyses::risk_with_intervention(effects::measure::RD, -0.05, 0.2), 0.15, 1e-12);
}

TEST(GradeSof, ContinuousOutcomeHasNoPer1000) {
  const models::meta_result m = result(0.74, 0.33, 1.15);
  analyses::grade_input in = input(m, effects::measure::MD);
  in.control_risk = 0.2;  // ignored: not a binary measure
  const auto row = analyses::summary_of_findings_row(in, analyses::assess_grade(in));
  EXPECT_FALSE(row.absolute.has_value());
  EXPECT_EQ(row.relative, "");
  EXPECT_EQ(row.difference, "MD 0.74 higher (0.33 higher to 1.15 higher)");
}

// --- Optimal information size ---------------------------------------------------------------

TEST(GradeOis, ByHand) {
  // CR 0.20, RRR 25% -> p_t = 0.15; z_.975 + z_.80 = 1.959964 + 0.841621 = 2.801585, squared 7.848880;
  // p(1-p) terms 0.16 + 0.1275 = 0.2875; (0.05)^2 = 0.0025; per arm 7.848880 * 0.2875 / 0.0025 = 902.62
  // -> 903 per arm, 1806 in all.
  EXPECT_DOUBLE_EQ(analyses::optimal_information_size(0.20), 1806.0);
}

// --- Risk of bias ---------------------------------------------------------------------------

TEST(GradeRiskOfBias, HighRiskWeightAboveAQuarterRatesDownOne) {
  const models::meta_result m = result(0.5, 0.2, 0.8, {40, 30, 30});
  analyses::grade_input in = input(m);
  in.risk = {study_risk::high, study_risk::low, study_risk::low};  // 40% high
  const auto g = analyses::assess_grade(in);
  const auto& r = domain(g, grade_domain::risk_of_bias);
  EXPECT_EQ(r.proposal.change, -1);
  EXPECT_NE(r.proposal.reason.find("40.0%"), std::string::npos) << r.proposal.reason;
  // Counter-example: the high-risk study carries 20%, low-risk studies 80%.
  const models::meta_result m2 = result(0.5, 0.2, 0.8, {20, 50, 30});
  in.meta = &m2;
  EXPECT_EQ(domain(analyses::assess_grade(in), grade_domain::risk_of_bias).proposal.change, 0);
}

TEST(GradeRiskOfBias, HighRiskWeightAboveHalfRatesDownTwo) {
  const models::meta_result m = result(0.5, 0.2, 0.8, {60, 20, 20});
  analyses::grade_input in = input(m);
  in.risk = {study_risk::high, study_risk::low, study_risk::low};
  EXPECT_EQ(domain(analyses::assess_grade(in), grade_domain::risk_of_bias).proposal.change, -2);
  // Counter-example: exactly half is not more than half.
  const models::meta_result m2 = result(0.5, 0.2, 0.8, {50, 25, 25});
  in.meta = &m2;
  EXPECT_EQ(domain(analyses::assess_grade(in), grade_domain::risk_of_bias).proposal.change, -1);
}

TEST(GradeRiskOfBias, ConcernsDominatingRateDownOne) {
  const models::meta_result m = result(0.5, 0.2, 0.8, {60, 40});
  analyses::grade_input in = input(m);
  in.risk = {study_risk::some_concerns, study_risk::low};  // 40% at low risk
  EXPECT_EQ(domain(analyses::assess_grade(in), grade_domain::risk_of_bias).proposal.change, -1);
  in.risk = {study_risk::low, study_risk::some_concerns};  // 60% at low risk
  EXPECT_EQ(domain(analyses::assess_grade(in), grade_domain::risk_of_bias).proposal.change, 0);
}

TEST(GradeRiskOfBias, NoAppraisalIsNoProposal) {
  const models::meta_result m = result(0.5, 0.2, 0.8);
  const auto g = analyses::assess_grade(input(m));
  const auto& r = domain(g, grade_domain::risk_of_bias);
  EXPECT_EQ(r.proposal.change, 0);
  EXPECT_FALSE(r.proposal.from_data);
}

TEST(GradeRiskOfBias, NoOverallJudgementAnywhereIsNoProposal) {
  // MMAT 2018 gives no overall judgement: every study is "not assessed" for GRADE, and the weight
  // at low risk (0%) must not rate the evidence down. One overall judgement restores the rule.
  const models::meta_result m = result(0.5, 0.2, 0.8, {60, 40});
  analyses::grade_input in = input(m);
  in.risk = {study_risk::not_assessed, study_risk::not_assessed};
  const auto g = analyses::assess_grade(in);
  const auto& r = domain(g, grade_domain::risk_of_bias);
  EXPECT_EQ(r.proposal.change, 0);
  EXPECT_FALSE(r.proposal.from_data);
  EXPECT_EQ(r.proposal.rule, "no overall judgements");
  in.risk = {study_risk::not_assessed, study_risk::low};  // 40% at low risk
  EXPECT_EQ(domain(analyses::assess_grade(in), grade_domain::risk_of_bias).proposal.change, -1);
}

// --- Inconsistency --------------------------------------------------------------------------

TEST(GradeInconsistency, FittedHeterogeneousDataRateDownOne) {
  // y = 0, 1, 0, 1 with v = 0.1 (DL): w = 10, mean 0.5, Q = 4 * 10 * 0.25 = 10 on 3 df;
  // tau^2 = (10 - 3) / (40 - 400/40) = 7/30 = 0.2333; I^2 = 7/10 = 70%. The prediction interval
  // 0.5 +- 1.96 * sqrt(0.2333 + 1/(4/0.3333)) = 0.5 +- 1.10 crosses 0: one level (50 <= I^2 < 75).
  const std::vector<double> y{0, 1, 0, 1}, v{0.1, 0.1, 0.1, 0.1};
  models::model_spec spec;
  spec.est = models::method::DL;
  const models::meta_result m = models::fit(y, v, {"A", "B", "C", "D"}, spec);
  ASSERT_NEAR(m.het.I2, 70.0, 1e-9);
  ASSERT_LT(m.pooled.pi_lower, 0.0);
  const auto g = analyses::assess_grade(input(m));
  const auto& r = domain(g, grade_domain::inconsistency);
  EXPECT_EQ(r.proposal.change, -1);
  EXPECT_NE(r.proposal.reason.find("I\u00B2 = 70.0%"), std::string::npos) << r.proposal.reason;
  // Counter-example: the same spread around 3 (y = 2.5, 3.5, ...) keeps the PI above 0.
  const std::vector<double> y2{2.5, 3.5, 2.5, 3.5};
  const models::meta_result m2 = models::fit(y2, v, {"A", "B", "C", "D"}, spec);
  ASSERT_NEAR(m2.het.I2, 70.0, 1e-9);
  EXPECT_EQ(domain(analyses::assess_grade(input(m2)), grade_domain::inconsistency).proposal.change, 0);
}

TEST(GradeInconsistency, ConsiderableHeterogeneityCrossingTheNullRatesDownTwo) {
  models::meta_result m = result(0.2, -0.1, 0.5, {25, 25, 25, 25});
  m.het.I2 = 80;
  m.pooled.pi_lower = -0.8;
  m.pooled.pi_upper = 1.2;
  EXPECT_EQ(domain(analyses::assess_grade(input(m)), grade_domain::inconsistency).proposal.change, -2);
  m.het.I2 = 40;  // counter-example: below 50%
  EXPECT_EQ(domain(analyses::assess_grade(input(m)), grade_domain::inconsistency).proposal.change, 0);
}

TEST(GradeInconsistency, PredictionIntervalAgainstTheMid) {
  // With a MID of 0.5 the PI [0.6, 1.4] crosses neither -0.5 nor 0.5: not important inconsistency;
  // [0.3, 1.4] crosses 0.5.
  models::meta_result m = result(1.0, 0.8, 1.2, {25, 25, 25, 25});
  m.het.I2 = 60;
  m.pooled.pi_lower = 0.6;
  m.pooled.pi_upper = 1.4;
  analyses::grade_input in = input(m);
  in.mid = 0.5;
  EXPECT_EQ(domain(analyses::assess_grade(in), grade_domain::inconsistency).proposal.change, 0);
  m.pooled.pi_lower = 0.3;
  EXPECT_EQ(domain(analyses::assess_grade(in), grade_domain::inconsistency).proposal.change, -1);
}

// --- Imprecision ----------------------------------------------------------------------------

TEST(GradeImprecision, CiIncludingTheNullRatesDownOne) {
  const models::meta_result m = result(0.3, -0.1, 0.7);
  analyses::grade_input in = input(m);
  in.participants = 1000;
  EXPECT_EQ(domain(analyses::assess_grade(in), grade_domain::imprecision).proposal.change, -1);
  const models::meta_result m2 = result(0.3, 0.1, 0.5);  // counter-example, 1000 >= 400
  in.meta = &m2;
  EXPECT_EQ(domain(analyses::assess_grade(in), grade_domain::imprecision).proposal.change, 0);
}

TEST(GradeImprecision, FewerParticipantsThanTheOisRateDownOne) {
  // OR 0.70 (0.55 to 0.89) excludes 1; the OIS at a control risk of 0.2 is 1806 (GradeOis.ByHand).
  const models::meta_result m = result(std::log(0.70), std::log(0.55), std::log(0.89));
  analyses::grade_input in = input(m, effects::measure::OR);
  in.control_risk = 0.2;
  in.participants = 1800;
  EXPECT_EQ(domain(analyses::assess_grade(in), grade_domain::imprecision).proposal.change, -1);
  in.participants = 1806;
  EXPECT_EQ(domain(analyses::assess_grade(in), grade_domain::imprecision).proposal.change, 0);
  // Continuous: 400 participants.
  const models::meta_result c = result(0.3, 0.1, 0.5);
  analyses::grade_input ic = input(c);
  ic.participants = 399;
  EXPECT_EQ(domain(analyses::assess_grade(ic), grade_domain::imprecision).proposal.change, -1);
  ic.participants = 400;
  EXPECT_EQ(domain(analyses::assess_grade(ic), grade_domain::imprecision).proposal.change, 0);
}

TEST(GradeImprecision, MidThresholds) {
  // RR with MID 1.25: thresholds 0.80 and 1.25.
  analyses::grade_input in;
  in.measure = effects::measure::RR;
  in.mid = 1.25;
  in.participants = 100000;
  in.control_risk = 0.2;
  const models::meta_result both = result(0.0, std::log(0.7), std::log(1.4));  // crosses both
  in.meta = &both;
  EXPECT_EQ(domain(analyses::assess_grade(in), grade_domain::imprecision).proposal.change, -2);
  const models::meta_result one = result(std::log(0.9), std::log(0.7), std::log(1.1));  // crosses 0.80 only
  in.meta = &one;
  EXPECT_EQ(domain(analyses::assess_grade(in), grade_domain::imprecision).proposal.change, -1);
  const models::meta_result none = result(std::log(1.0), std::log(0.85), std::log(1.15));  // inside: precise null
  in.meta = &none;
  EXPECT_EQ(domain(analyses::assess_grade(in), grade_domain::imprecision).proposal.change, 0);
  // A MID given below 1 means the same thresholds.
  in.mid = 0.8;
  in.meta = &one;
  EXPECT_EQ(domain(analyses::assess_grade(in), grade_domain::imprecision).proposal.change, -1);
}

// --- Publication bias -----------------------------------------------------------------------

TEST(GradePublicationBias, EggerWithTenStudies) {
  const models::meta_result m = result(0.5, 0.3, 0.7);
  analyses::bias_result b;
  b.k = 12;
  b.egger.fit.b1_p = 0.04;
  analyses::grade_input in = input(m);
  in.bias = &b;
  EXPECT_EQ(domain(analyses::assess_grade(in), grade_domain::publication_bias).proposal.change, -1);
  b.egger.fit.b1_p = 0.30;  // counter-example: no asymmetry
  EXPECT_EQ(domain(analyses::assess_grade(in), grade_domain::publication_bias).proposal.change, 0);
  b.egger.fit.b1_p = 0.04;  // counter-example: significant, but only 9 studies
  b.k = 9;
  const auto g = analyses::assess_grade(in);
  const auto& r = domain(g, grade_domain::publication_bias);
  EXPECT_EQ(r.proposal.change, 0);
  EXPECT_NE(r.proposal.rule.find("fewer than 10"), std::string::npos);
}

// --- Judgements and the final certainty -----------------------------------------------------

TEST(GradeJudgements, ReviewerOverridesAndStartLevel) {
  // Start high (4); imprecision proposes -1 (CI includes 0); inconsistency -2 (I^2 80%, PI crosses).
  models::meta_result m = result(0.2, -0.1, 0.5, {25, 25, 25, 25});
  m.het.I2 = 80;
  m.pooled.pi_lower = -0.8;
  m.pooled.pi_upper = 1.2;
  analyses::grade_input in = input(m);
  in.participants = 1000;
  auto a = analyses::assess_grade(in);
  EXPECT_EQ(a.final_certainty, certainty::very_low);  // 4 - 1 - 2 = 1
  // The reviewers judge inconsistency serious (one level) and indirectness serious: 4 - 1 - 1 - 1 = 1.
  std::vector<analyses::grade_judgement> j{{"pain", grade_domain::inconsistency, 1, "explained in part by dose", {}},
                                           {"pain", grade_domain::indirectness, 1, "surrogate outcome", {}},
                                           {"other outcome", grade_domain::imprecision, 0, "not this outcome", {}}};
  a = analyses::assess_grade(in, j);
  const auto& inc = domain(a, grade_domain::inconsistency);
  EXPECT_EQ(inc.change, -1);
  EXPECT_TRUE(inc.departs);
  EXPECT_EQ(domain(a, grade_domain::imprecision).change, -1);  // the other outcome's judgement is not used
  EXPECT_EQ(a.final_certainty, certainty::very_low);
  ASSERT_EQ(a.footnotes.size(), 3U);
  EXPECT_NE(a.footnotes[0].find("metasift proposed rated down 2 levels"), std::string::npos) << a.footnotes[0];
  // Without the indirectness judgement: 4 - 1 - 1 = 2, low.
  j.erase(j.begin() + 1);
  EXPECT_EQ(analyses::assess_grade(in, j).final_certainty, certainty::low);
  // Observational evidence starts low (2) and is rated up by a reviewer for a large effect: 2 + 1 - 1 - 1 = 1.
  in.start = certainty::low;
  j.push_back({"pain", grade_domain::large_effect, 1, "RR above 2", {}});
  EXPECT_EQ(analyses::assess_grade(in, j).final_certainty, certainty::very_low);
  EXPECT_EQ(domain(analyses::assess_grade(in, j), grade_domain::large_effect).change, 1);
}

TEST(GradeNames, SymbolsAndDomains) {
  EXPECT_EQ(analyses::certainty_symbols(certainty::high), "\u2295\u2295\u2295\u2295");
  EXPECT_EQ(analyses::certainty_symbols(certainty::very_low), "\u2295\u25EF\u25EF\u25EF");
  EXPECT_EQ(analyses::parse_grade_domain("Publication-bias"), grade_domain::publication_bias);
  EXPECT_FALSE(analyses::parse_grade_domain("bias").has_value());
  EXPECT_EQ(analyses::per_1000_words(-41.6), "42 fewer");
  EXPECT_EQ(analyses::per_1000_words(3.2), "3 more");
}

}  // namespace
}  // namespace metasift
