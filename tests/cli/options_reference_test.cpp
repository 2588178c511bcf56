// metafor reference tests of the options test = "t" / "adhoc" (and "z", "knha" beside them),
// --subset and --weights, through the CLI's JSON output: tests/reference/metafor_options_*.csv,
// made by tools/reference/options.R (rma with test=, subset= and weights=; predict for the PI).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "support/cli.hpp"
#include "support/reference.hpp"
#include "support/tolerance.hpp"

namespace {

using json = nlohmann::json;
using metasift::test::reference_case;

const std::string data = std::string(METASIFT_TEST_DATA_DIR);

double value(const json& j) {
  return j.is_null() ? std::numeric_limits<double>::quiet_NaN() : j.get<double>();
}

/// The CLI arguments of a case's variant (tools/reference/options.R lists the same mapping).
const std::map<std::string, std::string> variant_args{
    {"all", ""},
    {"mods", " -m ablat"},
    {"subset1", " --subset 'year>=1950'"},
    {"subset2", " --subset 'alloc==\"random\"'"},
    {"mods_subset1", " -m ablat --subset 'year >= 1950'"},
    {"weights", " --weights n"},
    {"mods_weights", " -m ablat --weights n"},
};

std::string test_arg(const std::string& t) {
  return t == "knha" ? "hk" : t;  // both names are accepted; use the other spelling here
}

void check_dataset(const std::string& name) {
  const auto cases =
      metasift::test::read_reference(std::string(METASIFT_REFERENCE_DIR) + "/metafor_options_" + name + ".csv");
  ASSERT_FALSE(cases.empty());
  int checked = 0;
  for (const reference_case& rc : cases) {
    SCOPED_TRACE(rc.key);
    ASSERT_TRUE(rc.error.empty()) << rc.error;
    const bool mods = rc.variant.rfind("mods", 0) == 0;
    const std::string args = std::string(mods ? "regress " : "meta ") + data + "/options_" + name + ".csv" +
                             (rc.measure == "GEN" ? "" : " --measure " + rc.measure) + " --method " + rc.method +
                             " --test " + test_arg(rc.test) + variant_args.at(rc.variant) + " --format json";
    const metasift::test::cli_result r = metasift::test::run_metasift(args);
    ASSERT_EQ(r.code, 0) << args << "\n" << r.err;
    const json j = json::parse(r.out);
    // REML with metafor's convergence tightened to 1e-12: only rounding and our own convergence.
    const auto tol = rc.method == "REML" ? metasift::test::tight_iterative : metasift::test::closed_form;
    const bool t_based = rc.test != "z";
    EXPECT_EQ(j["ci_method"], rc.test == "knha" ? "hk" : rc.test);
    if (!mods) {
      const json& p = j["pooled"];
      EXPECT_EQ(j["k"].get<double>(), rc.at("k"));
      EXPECT_WITHIN(value(p["estimate"]), rc.at("estimate"), tol);
      EXPECT_WITHIN(value(p["se"]), rc.at("se"), tol);
      EXPECT_WITHIN(value(p[t_based ? "t" : "z"]), rc.at("stat"), tol);
      EXPECT_TRUE(p[t_based ? "z" : "t"].is_null());
      EXPECT_WITHIN(value(p["df"]), rc.at("df"), tol);
      EXPECT_WITHIN(value(p["p"]), rc.at("p"), tol);
      EXPECT_WITHIN(value(p["ci_lower"]), rc.at("ci_lb"), tol);
      EXPECT_WITHIN(value(p["ci_upper"]), rc.at("ci_ub"), tol);
      if (rc.method == "EE") {
        // predict.rma gives no PI for a common-effect model; ours is the CI (docs/output.md).
        EXPECT_WITHIN(value(p["pi_lower"]), rc.at("ci_lb"), tol);
        EXPECT_WITHIN(value(p["pi_upper"]), rc.at("ci_ub"), tol);
      } else {
        EXPECT_WITHIN(value(p["pi_lower"]), rc.at("pi_lb"), tol);
        EXPECT_WITHIN(value(p["pi_upper"]), rc.at("pi_ub"), tol);
      }
      EXPECT_WITHIN(value(j["heterogeneity"]["tau2"]), rc.at("tau2"), tol);
      EXPECT_WITHIN(value(j["heterogeneity"]["Q"]), rc.at("QE"), tol);
    } else {
      EXPECT_EQ(j["k"].get<double>(), rc.at("k"));
      const json& c = j["coefficients"];
      ASSERT_EQ(c.size(), 2u);
      for (std::size_t i = 0; i < 2; ++i) {
        const std::string n = std::to_string(i + 1);
        EXPECT_WITHIN(value(c[i]["estimate"]), rc.at("estimate." + n), tol);
        EXPECT_WITHIN(value(c[i]["se"]), rc.at("se." + n), tol);
        EXPECT_WITHIN(value(c[i][t_based ? "t" : "z"]), rc.at("stat." + n), tol);
        EXPECT_WITHIN(value(c[i]["p"]), rc.at("p." + n), tol);
        EXPECT_WITHIN(value(c[i]["ci_lower"]), rc.at("ci_lb." + n), tol);
        EXPECT_WITHIN(value(c[i]["ci_upper"]), rc.at("ci_ub." + n), tol);
        EXPECT_WITHIN(value(c[i]["df"]), rc.at("df"), tol);
      }
      EXPECT_WITHIN(value(j["df"]), rc.at("df"), tol);
      EXPECT_WITHIN(value(j["QM"]), rc.at("QM"), tol);
      EXPECT_WITHIN(value(j["QM_p"]), rc.at("QM_p"), tol);
      EXPECT_WITHIN(value(j["tau2"]), rc.at("tau2"), tol);
      EXPECT_WITHIN(value(j["QE"]), rc.at("QE"), tol);
    }
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST(MetaforOptions, TestsSubsetAndWeightsMatchMetaforOnBcg) {
  check_dataset("bcg");
}

TEST(MetaforOptions, AdhocDiffersFromKnhaWhereTheFactorIsBelowOneAndMatchesMetafor) {
  check_dataset("homog");
  // The data were made so that s^2 < 1: adhoc must then keep the model-based SE (= test t's SE)
  // while knha shrinks it; both are metafor's numbers above, this states the reason.
  const auto cases = metasift::test::read_reference(std::string(METASIFT_REFERENCE_DIR) + "/metafor_options_homog.csv");
  std::map<std::string, double> se;
  for (const auto& rc : cases) {
    if (rc.method == "REML" && rc.variant == "all") se[rc.test] = rc.at("se");
  }
  EXPECT_LT(se.at("knha"), se.at("t"));
  EXPECT_EQ(se.at("adhoc"), se.at("t"));
}

TEST(MetaforOptions, BadSubsetIsOneLineUsageError) {
  for (const std::string expr :
       {"year", "year>>2000", "alloc<\"random\"", "year>=", "year>=1950 & ablat>30", "==3", "alloc==\"random"}) {
    SCOPED_TRACE(expr);
    const auto r =
        metasift::test::run_metasift("meta " + data + "/options_bcg.csv --measure RR --subset '" + expr + "'");
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("subset"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
  // A column that does not exist, and a numeric comparison on a text column: data errors at the
  // file (and the cell).
  auto r = metasift::test::run_metasift("meta " + data + "/options_bcg.csv --measure RR --subset 'latitude>30'");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("no column 'latitude'"), std::string::npos) << r.err;
  r = metasift::test::run_metasift("meta " + data + "/options_bcg.csv --measure RR --subset 'alloc>=3'");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("options_bcg.csv:2:"), std::string::npos) << r.err;
}

}  // namespace
