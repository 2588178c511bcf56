// End-to-end tests of `metasift bias`, `trimfill`, `influence` and `cumulative`: the binary is run
// as a user runs it (METASIFT_BIN is set by CTest) on the committed dat.bcg table, and its output
// is checked against metafor 3.8.1 (tests/reference/metafor_analyses_bcg.csv, REML with tight
// control), plus exit codes for bad options and data.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "support/cli.hpp"

namespace {

namespace fs = std::filesystem;

const std::string bcg = std::string(METASIFT_TEST_DATA_DIR) + "/bcg.csv";

fs::path scratch() {
  const fs::path dir = fs::temp_directory_path() / ("metasift_analyses_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

using run_result = metasift::test::cli_result;
using metasift::test::run_metasift;

std::string slurp(const fs::path& p) {
  return metasift::test::slurp_file(p);
}
run_result run(const std::string& args) {
  return run_metasift(args);
}

nlohmann::json run_json(const std::string& args) {
  const run_result r = run(args + " --format json");
  EXPECT_EQ(r.code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

/// dat.bcg with a year column (from the "author, year" labels) in front of the study column.
fs::path bcg_with_year() {
  std::istringstream in(slurp(bcg));
  std::string line, text;
  std::getline(in, line);
  text = "year," + line + "\n";
  while (std::getline(in, line)) {
    const auto close = line.find("\",");
    const std::string year = line.substr(close - 4, 4);
    text += year + "," + line + "\n";
  }
  const fs::path p = scratch() / "bcg_year.csv";
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

void expect_provenance(const nlohmann::json& j, const char* analysis) {
  EXPECT_EQ(j["analysis"], analysis);
  EXPECT_EQ(j["measure"], "RR");
  EXPECT_EQ(j["method"], "REML");
  EXPECT_EQ(j["convention"], "metafor");
  EXPECT_EQ(j["k"], 13);
  EXPECT_TRUE(j.contains("status"));
  EXPECT_TRUE(j.contains("warnings"));
}

TEST(BiasCli, JsonHasTheContractKeysAndMetaforsNumbers) {
  const auto j = run_json("bias " + bcg + " --measure RR");
  expect_provenance(j, "bias");
  for (const char* k : {"t", "df", "p", "intercept"}) EXPECT_TRUE(j["egger"].contains(k)) << k;
  for (const char* k : {"z", "p"}) EXPECT_TRUE(j["egger_mixed"].contains(k)) << k;
  for (const char* k : {"tau", "p"}) EXPECT_TRUE(j["begg"].contains(k)) << k;
  for (const char* k : {"rosenthal", "orwin"}) EXPECT_TRUE(j["failsafe_n"].contains(k)) << k;
  for (const char* k : {"estimate", "se", "ci_lower", "ci_upper"}) {
    EXPECT_TRUE(j["pet"].contains(k)) << k;
    EXPECT_TRUE(j["peese"].contains(k)) << k;
  }
  // metafor: regtest(model = "lm"), regtest(res), ranktest, fsn.
  EXPECT_NEAR(j["egger"]["t"].get<double>(), -1.4012820022893326, 1e-9);
  EXPECT_EQ(j["egger"]["df"].get<double>(), 11.0);
  EXPECT_NEAR(j["egger"]["p"].get<double>(), 0.18870699508197877, 1e-9);
  EXPECT_NEAR(j["egger"]["intercept"].get<double>(), -2.1120421208932956, 1e-9);
  EXPECT_NEAR(j["egger_mixed"]["z"].get<double>(), -0.80332919309080397, 1e-7);
  EXPECT_NEAR(j["egger_mixed"]["p"].get<double>(), 0.421784488855319, 1e-7);
  EXPECT_NEAR(j["begg"]["tau"].get<double>(), 0.02564102564102564, 1e-12);
  EXPECT_EQ(j["begg"]["exact"], true);
  EXPECT_EQ(j["failsafe_n"]["rosenthal"].get<double>(), 598.0);
  EXPECT_EQ(j["failsafe_n"]["orwin"].get<double>(), 13.0);
  EXPECT_NEAR(j["pet"]["estimate"].get<double>(), -0.19092864235982013, 1e-9);
  EXPECT_NEAR(j["peese"]["estimate"].get<double>(), -0.37995350642827064, 1e-9);
  EXPECT_TRUE(j["pet"].contains("back_transformed"));
}

TEST(BiasCli, TextAndCsvNameWhatTheyComputed) {
  const run_result t = run("bias " + bcg + " --measure RR");
  ASSERT_EQ(t.code, 0) << t.err;
  for (const char* s : {"Egger's intercept (bias) = -2.1120", "t(11) = -1.40", "Kendall's tau = 0.0256",
                        "Fail-safe N (Rosenthal): 598", "PEESE", "measure: RR", "method: REML"}) {
    EXPECT_NE(t.out.find(s), std::string::npos) << "missing: " << s << "\n" << t.out;
  }
  const run_result c = run("bias " + bcg + " --measure RR --format csv");
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(c.out.rfind("test,stat,value,measure,method,ci_method,convention,excluded\n", 0), 0u);
  EXPECT_NE(c.out.find("\negger,t,-1.40128200228933"), std::string::npos) << c.out;
}

TEST(BiasCli, HartungKnappReportsT) {
  const auto j = run_json("bias " + bcg + " --measure RR --ci-method hk");
  EXPECT_TRUE(j["egger_mixed"].contains("t"));
  EXPECT_EQ(j["egger_mixed"]["df"].get<double>(), 11.0);
}

TEST(TrimfillCli, L0FillsOneStudyOnTheRightAsMetafor) {
  const auto j = run_json("trimfill " + bcg + " --measure RR");
  expect_provenance(j, "trimfill");
  EXPECT_EQ(j["k0"], 1);
  EXPECT_EQ(j["side"], "right");
  EXPECT_EQ(j["estimator"], "L0");
  ASSERT_EQ(j["filled"].size(), 1u);
  EXPECT_NEAR(j["filled"][0]["yi"].get<double>(), 0.31040302402906716, 1e-9);
  EXPECT_NEAR(j["filled"][0]["vi"].get<double>(), 0.22301724757231517, 1e-12);
  for (const char* k : {"estimate", "se", "ci_lower", "ci_upper", "p"}) EXPECT_TRUE(j["pooled"].contains(k)) << k;
  EXPECT_NEAR(j["pooled"]["estimate"].get<double>(), -0.65708278348776694, 1e-8);
  EXPECT_NEAR(j["pooled"]["se"].get<double>(), 0.17852838013187666, 1e-8);
  EXPECT_NEAR(j["heterogeneity"]["tau2"].get<double>(), 0.33128763343950612, 1e-8);
  EXPECT_NEAR(j["heterogeneity"]["I2"].get<double>(), 92.136238461007622, 1e-6);
  EXPECT_NEAR(j["k0_se"].get<double>(), 2.4527986431829252, 1e-12);
  EXPECT_EQ(j["k_adjusted"], 14);
}

TEST(TrimfillCli, EstimatorAndSideOptions) {
  const auto left = run_json("trimfill " + bcg + " --measure RR --side left");
  EXPECT_EQ(left["k0"], 0);
  EXPECT_EQ(left["side"], "left");
  const auto r0 = run_json("trimfill " + bcg + " --measure RR --method EE --estimator R0");
  EXPECT_EQ(r0["k0"], 4);
  EXPECT_NEAR(r0["pooled"]["estimate"].get<double>(), -0.291026, 1e-6);
  EXPECT_NEAR(r0["k0_p"].get<double>(), 0.03125, 1e-15);
  const run_result csv = run("trimfill " + bcg + " --measure RR --format csv");
  ASSERT_EQ(csv.code, 0) << csv.err;
  EXPECT_NE(csv.out.find("\nFilled 1,"), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find("\nAdjusted,"), std::string::npos) << csv.out;
  EXPECT_EQ(run("trimfill " + bcg + " --measure RR --estimator Q0").code, 2);
  EXPECT_EQ(run("trimfill " + bcg + " --measure RR --side up").code, 2);
}

TEST(InfluenceCli, EveryStudyHasTheContractKeys) {
  const auto j = run_json("influence " + bcg + " --measure RR");
  expect_provenance(j, "influence");
  ASSERT_EQ(j["studies"].size(), 13u);
  for (const char* k :
       {"study", "estimate_without", "ci_lower_without", "ci_upper_without", "tau2_without", "I2_without", "QE_without",
        "rstudent", "dffits", "cooks_d", "cov_ratio", "hat", "weight", "dfbetas", "influential"}) {
    EXPECT_TRUE(j["studies"][0].contains(k)) << k;
  }
  EXPECT_EQ(j["studies"][0]["study"], "Aronson, 1948");
  double weights = 0;
  int influential = 0;
  for (const auto& s : j["studies"]) {
    weights += s["weight"].get<double>();
    influential += s["influential"].get<bool>();
  }
  EXPECT_NEAR(weights, 100.0, 1e-9);
  EXPECT_GE(influential, 0);
  const run_result text = run("influence " + bcg + " --measure RR");
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("Without each study:"), std::string::npos);
  EXPECT_NE(text.out.find("rstudent"), std::string::npos);
  const run_result csv = run("influence " + bcg + " --measure RR --format csv");
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 14);
}

TEST(CumulativeCli, OrdersByAColumnStably) {
  const fs::path data = bcg_with_year();
  const auto j = run_json("cumulative " + data.string() + " --measure RR --order year");
  expect_provenance(j, "cumulative");
  EXPECT_EQ(j["order_by"], "year");
  ASSERT_EQ(j["steps"].size(), 13u);
  for (const char* k : {"study", "k", "estimate", "se", "ci_lower", "ci_upper", "tau2", "I2"}) {
    EXPECT_TRUE(j["steps"][0].contains(k)) << k;
  }
  // order(dat.bcg$year): 1948, 1949, 1953, 1960, 1961, 1968, 1969, 1973 (twice, data order), ...
  const int rows[] = {1, 2, 6, 3, 10, 9, 12, 5, 7, 11, 13, 4, 8};
  for (int s = 0; s < 13; ++s) EXPECT_EQ(j["steps"][static_cast<std::size_t>(s)]["row"], rows[s]) << s;
  EXPECT_EQ(j["steps"][12]["k"], 13);
  // metafor cumul(res, order = year) with REML (tight), step 13 = the full model.
  EXPECT_NEAR(j["steps"][12]["estimate"].get<double>(), -0.71453234839728454, 1e-7);
  const auto dec = run_json("cumulative " + data.string() + " --measure RR --order year --decreasing");
  EXPECT_EQ(dec["steps"][0]["row"], 8);  // 1980
}

TEST(CumulativeCli, DataOrderAndErrors) {
  const auto j = run_json("cumulative " + bcg + " --measure RR");
  EXPECT_EQ(j["order_by"], "data order");
  EXPECT_EQ(j["steps"][0]["k"], 1);
  EXPECT_EQ(j["steps"][0]["tau2"].get<double>(), 0.0);
  const run_result missing = run("cumulative " + bcg + " --measure RR --order nope");
  EXPECT_EQ(missing.code, 3);
  EXPECT_NE(missing.err.find("missing column 'nope'"), std::string::npos) << missing.err;
  const run_result text = run("cumulative " + bcg + " --measure RR --order study");
  EXPECT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("not numeric"), std::string::npos) << text.out;
}

TEST(AnalysesCli, BadOptionsAndDataExitWithTheDocumentedCodes) {
  for (const char* cmd : {"bias", "trimfill", "influence", "cumulative"}) {
    EXPECT_EQ(run(std::string(cmd) + " " + bcg + " --measure RR --method MH").code, 2) << cmd;
    EXPECT_EQ(run(std::string(cmd) + " " + bcg + " --measure NOPE").code, 2) << cmd;
    EXPECT_EQ(run(std::string(cmd) + " /nonexistent/file.csv --measure RR").code, 4) << cmd;
    EXPECT_EQ(run(std::string(cmd)).code, 2) << cmd;
  }
}

TEST(AnalysesCli, OutputFileAndDeterminism) {
  const fs::path out = scratch() / "infl.json";
  fs::remove(out);
  const run_result r = run("influence " + bcg + " --measure RR --format json --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(nlohmann::json::parse(slurp(out))["k"], 13);
  EXPECT_EQ(run("trimfill " + bcg + " --measure RR --format json").out,
            run("trimfill " + bcg + " --measure RR --format json").out);
}

TEST(AnalysesCli, DegenerateDataGiveWarningsNotErrors) {
  const fs::path p = scratch() / "two.csv";
  std::ofstream(p, std::ios::binary) << "study,yi,vi\nA,0.1,0.01\nB,0.4,0.02\n";
  const auto j = run_json("bias " + p.string());
  EXPECT_EQ(j["status"], "degenerate");
  EXPECT_TRUE(j["egger"]["t"].is_null());
  EXPECT_FALSE(j["warnings"].empty());
  const auto t = run_json("trimfill " + p.string());
  EXPECT_EQ(t["k0"], 0);
  EXPECT_EQ(t["status"], "degenerate");
}

}  // namespace
