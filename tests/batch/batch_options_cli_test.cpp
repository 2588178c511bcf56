// `metasift batch` follows `meta`'s rules for missing values and the level of input CIs, and its
// JSON Lines output carries the test statistic of the chosen test and the back-transformed values.
// Expected numbers are derived here by hand (inverse-variance means, normal and t quantiles).

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_support.hpp"

namespace {

using namespace metasift::test;
using json = nlohmann::json;

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

constexpr double z975 = 1.959963984540054;       // qnorm(0.975)
constexpr double z950 = 1.6448536269514715;      // qnorm(0.95)
constexpr double t975_df2 = 4.3026527297494619;  // qt(0.975, 2)

TEST(BatchOptions, InputLevelSetsTheLevelOfInputCisApartFromLevel) {
  const auto d = scratch("input_level");
  // One study per group: the pooled estimate and SE are the study's, so SE = (upper - lower) / (2 z).
  spit(d / "ci.csv", "group,yi,ci_lower,ci_upper\nA,0.5,0.1,0.9\n");
  const std::string f = (d / "ci.csv").string();
  const auto base = run_metasift("batch " + f + " --group group --format json -q");
  const auto out90 = run_metasift("batch " + f + " --group group --format json --level 90 -q");
  const auto in90 = run_metasift("batch " + f + " --group group --format json --input-level 90 -q");
  ASSERT_EQ(base.code, 0) << base.err;
  ASSERT_EQ(out90.code, 0) << out90.err;
  ASSERT_EQ(in90.code, 0) << in90.err;
  const json b = json_lines(base.out).at(0), o = json_lines(out90.out).at(0), i = json_lines(in90.out).at(0);
  EXPECT_NEAR(b["se"].get<double>(), 0.8 / (2 * z975), 1e-12);
  // --level changes the output CI only, never the study's variance.
  EXPECT_NEAR(o["se"].get<double>(), 0.8 / (2 * z975), 1e-12);
  EXPECT_NEAR(o["ci_upper"].get<double>(), 0.5 + z950 * 0.8 / (2 * z975), 1e-12);
  // --input-level 90 reads the CI as a 90% one: a larger SE.
  EXPECT_NEAR(i["se"].get<double>(), 0.8 / (2 * z950), 1e-12);
  EXPECT_NEAR(i["ci_upper"].get<double>(), 0.5 + z975 * 0.8 / (2 * z950), 1e-12);
}

TEST(BatchOptions, MissingValuesExcludeTheRowAsMetaExcludesTheStudy) {
  const auto d = scratch("missing_rule");
  spit(d / "m.csv",
       "group,study,yi,vi\n"
       "A,a1,0.1,0.02\n"
       "A,a2,NA,0.03\n"  // missing yi
       "A,a3,0.3,\n"     // missing vi
       "A,a4,0.2,0.01\n"
       "A,a5,0.6,0.04\n"
       "B,b1,0.4,0.05\n"
       "B,b2,0.5,0.05\n");
  const std::string f = (d / "m.csv").string();
  const auto r = run_metasift("batch " + f + " --group group --method EE --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = json_lines(r.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["group"], "A");
  EXPECT_EQ(rows[0]["k"].get<double>(), 3.0);
  EXPECT_EQ(rows[0]["excluded"].get<double>(), 2.0);
  EXPECT_EQ(rows[1]["excluded"].get<double>(), 0.0);
  // The common-effect estimate of the three complete rows, by hand.
  const double w1 = 1 / 0.02, w4 = 1 / 0.01, w5 = 1 / 0.04;
  EXPECT_NEAR(rows[0]["estimate"].get<double>(), (w1 * 0.1 + w4 * 0.2 + w5 * 0.6) / (w1 + w4 + w5), 1e-14);
  EXPECT_NE(r.err.find("m.csv:3: excluded: group 'A': missing value in column 'yi'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("m.csv:4: excluded: group 'A': missing value in column 'vi'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2 rows excluded for a missing value, 0 malformed rows skipped"), std::string::npos) << r.err;
  // meta on group A alone applies the same rule and gives the same estimate.
  spit(d / "a.csv", "study,yi,vi\na1,0.1,0.02\na2,NA,0.03\na3,0.3,\na4,0.2,0.01\na5,0.6,0.04\n");
  const auto m = run_metasift("meta " + (d / "a.csv").string() + " --method EE --format json");
  ASSERT_EQ(m.code, 0) << m.err;
  const json mj = json::parse(m.out);
  EXPECT_EQ(mj["k"].get<double>(), 3.0);
  EXPECT_EQ(mj["excluded"].size(), 2u);
  EXPECT_NEAR(mj["pooled"]["estimate"].get<double>(), rows[0]["estimate"].get<double>(), 1e-15);
}

TEST(BatchOptions, JsonCarriesTheStatisticOfTheTestAndBackTransformedValues) {
  const auto d = scratch("json_test");
  spit(d / "g.csv", "group,yi,vi\nA,0.1,0.02\nA,0.4,0.03\nA,0.2,0.01\n");
  const std::string f = (d / "g.csv").string();
  const auto z = run_metasift("batch " + f + " --group group --method EE --format json -q");
  const auto t = run_metasift("batch " + f + " --group group --method EE --test t --format json -q");
  ASSERT_EQ(z.code, 0) << z.err;
  ASSERT_EQ(t.code, 0) << t.err;
  const json zj = json_lines(z.out).at(0), tj = json_lines(t.out).at(0);
  EXPECT_TRUE(zj["t"].is_null());
  EXPECT_TRUE(zj["df"].is_null());
  EXPECT_TRUE(tj["z"].is_null());
  EXPECT_EQ(tj["df"].get<double>(), 2.0);
  // test = "t" keeps the model-based SE and uses t(k - 1) quantiles.
  const double se = std::sqrt(1 / (1 / 0.02 + 1 / 0.03 + 1 / 0.01));
  EXPECT_NEAR(zj["se"].get<double>(), se, 1e-14);
  EXPECT_NEAR(tj["se"].get<double>(), se, 1e-14);
  EXPECT_NEAR(tj["ci_upper"].get<double>() - tj["estimate"].get<double>(), t975_df2 * se, 1e-9);
  EXPECT_NEAR(zj["ci_upper"].get<double>() - zj["estimate"].get<double>(), z975 * se, 1e-12);
  // GEN is on the identity scale: no back-transformed values.
  EXPECT_TRUE(zj["back_transformed"]["estimate"].is_null());

  spit(d / "or.csv", "group,events1,n1,events2,n2\nA,4,20,8,20\nA,5,30,9,31\n");
  const auto o = run_metasift("batch " + (d / "or.csv").string() + " --group group --measure OR --format json -q");
  ASSERT_EQ(o.code, 0) << o.err;
  const json oj = json_lines(o.out).at(0);
  for (const char* k : {"estimate", "ci_lower", "ci_upper", "pi_lower", "pi_upper"}) {
    const std::string key = k == std::string("estimate") ? "estimate" : k;
    EXPECT_NEAR(oj["back_transformed"][key].get<double>(), std::exp(oj[key].get<double>()), 1e-12) << k;
  }
}

}  // namespace
