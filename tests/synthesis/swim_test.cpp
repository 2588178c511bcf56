// The synthesis statistics checked by their definitions and identities (independent of R), the
// reading of direction cells and the errors of the table reader, located at file:line:col.
#include "metasift/synthesis/swim.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "metasift/core/error.hpp"
#include "metasift/io/table.hpp"
#include "support/tolerance.hpp"

namespace metasift::synthesis {
namespace {

using test::closed_form;

TEST(Direction, ReadsNamesIgnoringCaseAndTheSymbols) {
  EXPECT_EQ(parse_direction("benefit"), direction::benefit);
  EXPECT_EQ(parse_direction(" HARM "), direction::harm);
  EXPECT_EQ(parse_direction("No clear effect"), direction::no_clear_effect);
  EXPECT_EQ(parse_direction("no_clear_effect"), direction::no_clear_effect);
  EXPECT_EQ(parse_direction("no-clear-effect"), direction::no_clear_effect);
  EXPECT_EQ(parse_direction("Mixed"), direction::mixed);
  EXPECT_EQ(parse_direction("\xE2\x96\xB2"), direction::benefit);                        // ▲
  EXPECT_EQ(parse_direction("\xE2\x96\xBC"), direction::harm);                           // ▼
  EXPECT_EQ(parse_direction(" \xE2\x97\x84\xE2\x96\xBA "), direction::no_clear_effect);  // ◄►
  for (const char* bad : {"", "better", "benefits", "\xE2\x96\xB2\xE2\x96\xBC", "\xE2\x97\x84", "positive", "NA"}) {
    EXPECT_FALSE(parse_direction(bad)) << bad;
  }
  for (const direction d : {direction::benefit, direction::harm, direction::no_clear_effect, direction::mixed}) {
    EXPECT_EQ(parse_direction(to_string(d)), d);
    EXPECT_EQ(parse_direction(symbol(d)), d);
  }
}

TEST(SignTest, ExactBinomialSumsAndClosedFormBounds) {
  // Bin(10, 1/2): P(X <= 0) = 1/1024, two-sided p = 2/1024; P(X <= 2) = 56/1024, p = 112/1024.
  EXPECT_WITHIN(sign_test(0, 10).p_value, 2.0 / 1024.0, closed_form);
  EXPECT_WITHIN(sign_test(2, 10).p_value, 112.0 / 1024.0, closed_form);
  EXPECT_WITHIN(sign_test(8, 10).p_value, 112.0 / 1024.0, closed_form);
  EXPECT_EQ(sign_test(5, 10).p_value, 1.0);
  EXPECT_EQ(sign_test(1, 1).p_value, 1.0);  // 2 * 1/2, capped at 1
  // Clopper-Pearson at x = 0 and x = n has closed forms: [0, 1 - (a/2)^(1/n)] and [(a/2)^(1/n), 1].
  const double a2 = 0.025;
  EXPECT_EQ(sign_test(0, 7).ci_lower, 0.0);
  EXPECT_WITHIN(sign_test(0, 7).ci_upper, 1.0 - std::pow(a2, 1.0 / 7.0), closed_form);
  EXPECT_WITHIN(sign_test(7, 7).ci_lower, std::pow(a2, 1.0 / 7.0), closed_form);
  EXPECT_EQ(sign_test(7, 7).ci_upper, 1.0);
  EXPECT_WITHIN(sign_test(3, 4).proportion, 0.75, closed_form);
}

TEST(SignTest, IsSymmetricInBenefitAndHarm) {
  for (std::size_t n = 1; n <= 40; n += 3) {
    for (std::size_t x = 0; x <= n; ++x) {
      SCOPED_TRACE(std::to_string(x) + " of " + std::to_string(n));
      const binomial_test b = sign_test(x, n), h = sign_test(n - x, n);
      EXPECT_WITHIN(b.p_value, h.p_value, closed_form);
      EXPECT_WITHIN(b.ci_lower, 1.0 - h.ci_upper, closed_form);
      EXPECT_WITHIN(b.ci_upper, 1.0 - h.ci_lower, closed_form);
      EXPECT_LE(b.ci_lower, b.proportion);
      EXPECT_GE(b.ci_upper, b.proportion);
    }
  }
}

TEST(SignTest, NoVotesIsNotAvailable) {
  const binomial_test b = sign_test(0, 0);
  EXPECT_TRUE(std::isnan(b.proportion));
  EXPECT_TRUE(std::isnan(b.ci_lower));
  EXPECT_TRUE(std::isnan(b.p_value));
}

TEST(EffectSummary, Type7QuartilesByHand) {
  // Type 7 on 1, 2, 3, 4: h = 3 p, so Q1 = 1 + 0.75 = 1.75 and Q3 = 3 + 0.25 = 3.25.
  const effect_summary s = summarize_effects({4, 1, 3, 2});
  EXPECT_EQ(s.n, 4U);
  EXPECT_WITHIN(s.median, 2.5, closed_form);
  EXPECT_WITHIN(s.q1, 1.75, closed_form);
  EXPECT_WITHIN(s.q3, 3.25, closed_form);
  EXPECT_WITHIN(s.iqr, 1.5, closed_form);
  EXPECT_EQ(s.min, 1.0);
  EXPECT_EQ(s.max, 4.0);
  const effect_summary one = summarize_effects({-0.3});
  EXPECT_EQ(one.median, -0.3);
  EXPECT_EQ(one.q1, -0.3);
  EXPECT_EQ(one.iqr, 0.0);
  EXPECT_TRUE(std::isnan(summarize_effects({}).median));
}

TEST(CombinedP, FisherWithOnePIsMinusTwoLogPOnTwoDf) {
  // chi^2_2 has upper tail exp(-x / 2), so the combined p of one p-value is that p-value.
  for (const double p : {1e-300, 1e-10, 0.003, 0.2, 0.5, 0.999, 1.0}) {
    SCOPED_TRACE(p);
    const double v[] = {p};
    const combined_p f = fisher_method(v);
    EXPECT_EQ(f.k, 1U);
    EXPECT_EQ(f.df, 2.0);
    EXPECT_WITHIN(f.statistic, -2.0 * std::log(p), closed_form);
    EXPECT_WITHIN(f.p_value, p, closed_form);
  }
}

TEST(CombinedP, FisherOfTwoPValuesHasAClosedForm) {
  // chi^2_4 upper tail: exp(-x/2) (1 + x/2), with x/2 = -log(p1 p2).
  const double p[] = {0.04, 0.3};
  const double h = -std::log(0.04 * 0.3);
  EXPECT_WITHIN(fisher_method(p).p_value, std::exp(-h) * (1.0 + h), closed_form);
}

TEST(CombinedP, StoufferWithOnePGivesItBackAndWeightsScaleFree) {
  for (const double p : {1e-300, 1e-8, 0.025, 0.5, 0.9}) {
    SCOPED_TRACE(p);
    const double v[] = {p};
    EXPECT_WITHIN(stouffer_method(v).p_value, p, closed_form);
  }
  const double p[] = {0.01, 0.2, 0.7, 0.04};
  const double w[] = {2, 3, 5, 7};
  const double w10[] = {20, 30, 50, 70};
  const double ones[] = {4, 4, 4, 4};
  EXPECT_WITHIN(stouffer_method(p, w).statistic, stouffer_method(p, w10).statistic, closed_form);
  EXPECT_WITHIN(stouffer_method(p, ones).statistic, stouffer_method(p).statistic, closed_form);
  // Z = sum z_i / sqrt(k) with z_i the upper normal quantiles: 2.326348, 0.841621, -0.524401, 1.750686.
  const double z = (2.3263478740408408 + 0.8416212335729143 - 0.5244005127080407 + 1.7506860712521692) / 2.0;
  EXPECT_WITHIN(stouffer_method(p).statistic, z, closed_form);
  // A p of 1 is left out with its weight, as metap::sumz does.
  const double with_one[] = {0.01, 1.0, 0.2, 0.7, 0.04};
  EXPECT_EQ(stouffer_method(with_one).k, 4U);
  EXPECT_WITHIN(stouffer_method(with_one).statistic, z, closed_form);
}

io::table table_of(const std::string& body) {
  return io::parse_table(body, "t.csv");
}

domain_result only_domain(const std::string& body) {
  const swim_result r = synthesize(read_swim_table(table_of(body)));
  EXPECT_EQ(r.domains.size(), 1U);
  return r.domains.at(0);
}

TEST(Domain, FlippingEveryDirectionNegatesStoufferAndMirrorsTheVote) {
  // The harm with p = 1e-300 keeps its z (1 - p/2 would round to 1).
  const std::string head = "study,outcome_domain,direction,n,p\n";
  const std::string rows_a = "A,x,benefit,40,0.03\nB,x,harm,25,1e-300\nC,x,benefit,90,0.5\nD,x,mixed,10,0.2\n";
  const std::string rows_b = "A,x,harm,40,0.03\nB,x,benefit,25,1e-300\nC,x,harm,90,0.5\nD,x,mixed,10,0.2\n";
  const domain_result a = only_domain(head + rows_a), b = only_domain(head + rows_b);
  EXPECT_TRUE(std::isfinite(a.stouffer.statistic));
  EXPECT_WITHIN(a.stouffer.statistic, -b.stouffer.statistic, closed_form);
  EXPECT_WITHIN(a.stouffer_weighted.statistic, -b.stouffer_weighted.statistic, closed_form);
  EXPECT_WITHIN(a.stouffer.p_value, 1.0 - b.stouffer.p_value, closed_form);
  EXPECT_WITHIN(a.vote.proportion, 1.0 - b.vote.proportion, closed_form);
  EXPECT_EQ(a.vote.p_value, b.vote.p_value);
  EXPECT_EQ(a.fisher_two_sided.statistic, b.fisher_two_sided.statistic);
  EXPECT_EQ(a.fisher_two_sided.k, 4U);
  EXPECT_EQ(a.fisher.k, 3U);
  // z of B in `a`: -qnorm(5e-301, upper); Z = (z_A + z_B + z_C) / sqrt(3) (R's qnorm values).
  const double z_a = 2.1700903775845606;   // qnorm(0.015, lower.tail = FALSE)
  const double z_c = 0.67448975019608171;  // qnorm(0.25, lower.tail = FALSE)
  const double z_b = -37.065787880772120;  // -qnorm(5e-301, lower.tail = FALSE)
  EXPECT_WITHIN(a.stouffer.statistic, (z_a + z_b + z_c) / std::sqrt(3.0), (tolerance{1e-12, 0}));
}

TEST(Domain, TwoSidedPOfOneIsOneSidedHalfEitherWay) {
  // p = 1 two-sided: one-sided 1/2 for benefit and for harm, z = 0; Fisher: -2 k log(1/2).
  const domain_result d = only_domain("study,outcome_domain,direction,p\nA,x,benefit,1\nB,x,harm,1\nC,x,harm,1\n");
  EXPECT_WITHIN(d.fisher.statistic, 6.0 * std::log(2.0), closed_form);
  EXPECT_EQ(d.stouffer.statistic, 0.0);
  EXPECT_EQ(d.stouffer.p_value, 0.5);
  EXPECT_EQ(d.fisher_two_sided.statistic, 0.0);
  EXPECT_EQ(d.fisher_two_sided.p_value, 1.0);
}

TEST(Domain, MissingValuesAreNotesNotErrors) {
  const domain_result d = only_domain(
      "study,outcome_domain,direction,n,p,effect\nA,x,benefit,NA,0.03,0.2\nB,x,harm,30,,NA\nC,x,mixed,.,0.5,\n");
  EXPECT_EQ(d.counts.benefit, 1U);
  EXPECT_EQ(d.counts.harm, 1U);
  EXPECT_EQ(d.counts.mixed, 1U);
  EXPECT_EQ(d.effects.n, 1U);
  EXPECT_EQ(d.fisher.k, 1U);  // B has no p, C no direction
  EXPECT_EQ(d.fisher_two_sided.k, 2U);
  EXPECT_TRUE(std::isnan(d.stouffer_weighted.statistic));  // A has no n
  EXPECT_FALSE(d.notes.empty());
}

TEST(Domain, DomainsKeepTheirFirstAppearanceOrderAndEveryRow) {
  const swim_result r = synthesize(read_swim_table(
      table_of("study,outcome_domain,direction\nA,zeta,benefit\nB,alpha,harm\nC,zeta,harm\nA,alpha,mixed\n")));
  ASSERT_EQ(r.domains.size(), 2U);
  EXPECT_EQ(r.domains[0].domain, "zeta");
  EXPECT_EQ(r.domains[1].domain, "alpha");
  EXPECT_EQ(r.domains[0].studies.size() + r.domains[1].studies.size(), 4U);
  EXPECT_EQ(r.domains[1].studies[1].where.line, 5U);
}

/// The message of the input_error that reading `body` throws, or "" when none is thrown.
std::string error_of(const std::string& body, const swim_columns& cols = {}) {
  try {
    (void)read_swim_table(table_of(body), cols);
  } catch (const input_error& e) {
    return e.what();
  }
  return "";
}

TEST(ReadTable, BadCellsAreErrorsAtTheirFileLineAndColumn) {
  const std::string head = "study,outcome_domain,direction,n,p\n";
  const auto starts = [](const std::string& msg, const std::string& prefix) {
    return ::testing::AssertionResult(msg.rfind(prefix, 0) == 0) << "message: " << msg;
  };
  std::string m = error_of(head + "A,x,benefit,10,0.2\nB,x,better,10,0.2\n");
  EXPECT_TRUE(starts(m, "t.csv:3:5: column 'direction': unknown direction 'better'"));
  m = error_of(head + "A,x,benefit,10,0\n");
  EXPECT_TRUE(starts(m, "t.csv:2:16: column 'p': a two-sided p-value must lie in (0, 1], got 0"));
  m = error_of(head + "A,x,benefit,10,1.5\n");
  EXPECT_TRUE(starts(m, "t.csv:2:16: column 'p'"));
  m = error_of(head + "A,x,benefit,10,-0.1\n");
  EXPECT_TRUE(starts(m, "t.csv:2:16: column 'p'"));
  m = error_of(head + "A,x,benefit,ten,0.2\n");
  EXPECT_TRUE(starts(m, "t.csv:2:13: column 'n'"));
  m = error_of(head + "A,x,benefit,2.5,0.2\n");
  EXPECT_TRUE(starts(m, "t.csv:2:13: column 'n': must be a whole number"));
  m = error_of(head + "A,x,benefit,0,0.2\n");
  EXPECT_TRUE(starts(m, "t.csv:2:13: column 'n'"));
  m = error_of(head + "A,x,benefit,10,NaN\n");
  EXPECT_TRUE(starts(m, "t.csv:2:16: column 'p'"));
  m = error_of(head + "A,x,benefit,10,0.2\nA,x,harm,12,0.3\n");
  EXPECT_TRUE(starts(m, "t.csv:3:1: column 'study': study 'A' has a second row for outcome domain 'x'"));
  m = error_of(head + " ,x,benefit,10,0.2\n");
  EXPECT_TRUE(starts(m, "t.csv:2:1: column 'study'"));
  m = error_of(head + "A, ,benefit,10,0.2\n");
  EXPECT_TRUE(starts(m, "t.csv:2:3: column 'outcome_domain'"));
  m = error_of("study,theme,direction\nA,x,benefit\n");
  EXPECT_TRUE(starts(m, "t.csv:1: missing column 'outcome_domain'"));
  swim_columns by_theme;
  by_theme.domain = "theme";
  EXPECT_EQ(error_of("study,theme,direction\nA,x,benefit\n", by_theme), "");
  m = error_of("study,outcome_domain,direction,effect\nA,x,benefit,big\n");
  EXPECT_TRUE(starts(m, "t.csv:2:13: column 'effect'"));
}

}  // namespace
}  // namespace metasift::synthesis
