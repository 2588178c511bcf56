// The synthesis statistics against R (tests/reference/r_swim.csv, written by tools/reference/swim.R
// from binom.test, median/quantile(type = 7)/IQR, metap::sumlog and metap::sumz, and the domains of
// tests/data/swim_domains.csv). Every value agrees to 1e-10 relative.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "metasift/io/table.hpp"
#include "metasift/synthesis/swim.hpp"
#include "r_swim_reference.hpp"
#include "support/tolerance.hpp"

namespace metasift::synthesis {
namespace {

using test::r_reference;
using test::read_cases;
using test::ref_case;

class RReference : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cases_ = new std::vector<ref_case>(read_cases()); }
  static void TearDownTestSuite() {
    delete cases_;
    cases_ = nullptr;
  }
  /// The cases of one method; fails when there are none (so that no section goes unchecked).
  static std::vector<const ref_case*> of(const std::string& method) {
    std::vector<const ref_case*> v;
    for (const auto& c : *cases_) {
      if (c.method == method) v.push_back(&c);
    }
    EXPECT_FALSE(v.empty()) << "no '" << method << "' cases in r_swim.csv";
    return v;
  }
  static std::vector<ref_case>* cases_;
};
std::vector<ref_case>* RReference::cases_ = nullptr;

TEST_F(RReference, SignTestAndClopperPearsonEqualBinomTest) {
  const auto cases = of("binom");
  EXPECT_GE(cases.size(), 50U);
  for (const ref_case* c : cases) {
    SCOPED_TRACE(c->name);
    const binomial_test b = sign_test(c->x, c->n, c->level);
    EXPECT_WITHIN(b.proportion, c->at("estimate"), r_reference);
    EXPECT_WITHIN(b.ci_lower, c->at("ci_lower"), r_reference);
    EXPECT_WITHIN(b.ci_upper, c->at("ci_upper"), r_reference);
    EXPECT_WITHIN(b.p_value, c->at("p_value"), r_reference);
  }
}

TEST_F(RReference, EffectSummaryEqualsMedianQuantileType7AndIqr) {
  for (const ref_case* c : of("quantile")) {
    SCOPED_TRACE(c->name);
    const effect_summary s = summarize_effects(c->values);
    EXPECT_EQ(static_cast<double>(s.n), c->at("n"));
    EXPECT_WITHIN(s.median, c->at("median"), r_reference);
    EXPECT_WITHIN(s.q1, c->at("q1"), r_reference);
    EXPECT_WITHIN(s.q3, c->at("q3"), r_reference);
    EXPECT_WITHIN(s.iqr, c->at("iqr"), r_reference);
    EXPECT_EQ(s.min, c->at("min"));
    EXPECT_EQ(s.max, c->at("max"));
  }
}

TEST_F(RReference, FisherEqualsMetapSumlog) {
  for (const ref_case* c : of("sumlog")) {
    SCOPED_TRACE(c->name);
    const combined_p f = fisher_method(c->values);
    EXPECT_EQ(static_cast<double>(f.k), c->at("k"));
    EXPECT_WITHIN(f.statistic, c->at("chisq"), r_reference);
    EXPECT_EQ(f.df, c->at("df"));
    EXPECT_WITHIN(f.p_value, c->at("p"), r_reference);
  }
  // One p-value, where metap gives NA: R's pchisq(-2 log p, 2, lower.tail = FALSE).
  for (const ref_case* c : of("fisher_one")) {
    SCOPED_TRACE(c->name);
    const combined_p f = fisher_method(c->values);
    EXPECT_EQ(f.k, 1U);
    EXPECT_WITHIN(f.statistic, c->at("chisq"), r_reference);
    EXPECT_EQ(f.df, 2.0);
    EXPECT_WITHIN(f.p_value, c->at("p"), r_reference);
  }
}

TEST_F(RReference, StoufferEqualsMetapSumz) {
  for (const ref_case* c : of("sumz")) {
    SCOPED_TRACE(c->name);
    const combined_p s = stouffer_method(c->values, c->weights);
    EXPECT_EQ(static_cast<double>(s.k), c->at("k"));
    EXPECT_WITHIN(s.statistic, c->at("z"), r_reference);
    EXPECT_WITHIN(s.p_value, c->at("p"), r_reference);
  }
}

TEST_F(RReference, DomainsOfTheTableEqualR) {
  const io::table t = io::read_table(std::string(METASIFT_TEST_DATA_DIR) + "/swim_domains.csv");
  const swim_result r = synthesize(read_swim_table(t));
  const auto cases = of("domain");
  ASSERT_EQ(r.domains.size(), cases.size());
  std::set<std::string> checked;
  for (const ref_case* c : cases) {
    SCOPED_TRACE(c->name);
    const domain_result* d = nullptr;
    for (const auto& x : r.domains) {
      if (x.domain == c->name) d = &x;
    }
    ASSERT_NE(d, nullptr);
    const auto count = [&](std::size_t k, const char* stat) { EXPECT_EQ(static_cast<double>(k), c->at(stat)) << stat; };
    const auto near = [&](double v, const char* stat) { EXPECT_WITHIN(v, c->at(stat), r_reference) << stat; };
    count(d->studies.size(), "k");
    count(d->counts.benefit, "benefit");
    count(d->counts.harm, "harm");
    count(d->counts.no_clear_effect, "no_clear_effect");
    count(d->counts.mixed, "mixed");
    near(d->vote.proportion, "vote_proportion");
    near(d->vote.ci_lower, "vote_ci_lower");
    near(d->vote.ci_upper, "vote_ci_upper");
    near(d->vote.p_value, "sign_test_p");
    count(d->effects.n, "effects_n");
    near(d->effects.median, "median");
    near(d->effects.q1, "q1");
    near(d->effects.q3, "q3");
    near(d->effects.iqr, "iqr");
    near(d->effects.min, "min");
    near(d->effects.max, "max");
    count(d->fisher.k, "fisher_k");
    near(d->fisher.statistic, "fisher_chisq");
    near(d->fisher.df, "fisher_df");
    near(d->fisher.p_value, "fisher_p");
    count(d->fisher_two_sided.k, "fisher_two_sided_k");
    near(d->fisher_two_sided.statistic, "fisher_two_sided_chisq");
    near(d->fisher_two_sided.df, "fisher_two_sided_df");
    near(d->fisher_two_sided.p_value, "fisher_two_sided_p");
    near(d->stouffer.statistic, "stouffer_z");
    near(d->stouffer.p_value, "stouffer_p");
    near(d->stouffer_weighted.statistic, "stouffer_weighted_z");
    near(d->stouffer_weighted.p_value, "stouffer_weighted_p");
    checked.insert(c->name);
  }
  // The edge cases the reference is there for.
  for (const char* name :
       {"all_benefit", "all_harm", "single", "tiny_p", "p_one", "mixed_bag", "no_direction", "no_p"}) {
    EXPECT_TRUE(checked.count(name)) << name;
  }
}

}  // namespace
}  // namespace metasift::synthesis
