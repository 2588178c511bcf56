// End-to-end tests of `metasift meta`: the binary is run as a user runs it (METASIFT_BIN is set by
// CTest to the built binary), and its stdout, stderr, exit code and files are checked.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/cli.hpp"

namespace {

namespace fs = std::filesystem;

const std::string fig1 = std::string(METASIFT_SOURCE_DIR) + "/examples/seed-figure1/fig1.csv";

using run_result = metasift::test::cli_result;
using metasift::test::run_metasift;

std::string slurp(const fs::path& p) {
  return metasift::test::slurp_file(p);
}
run_result run(const std::string& args) {
  return run_metasift(args);
}

fs::path write_temp(const std::string& name, const std::string& content) {
  const fs::path dir = fs::temp_directory_path() / ("metasift_cli_data_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path p = dir / name;
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

TEST(MetaCli, SeedFigure1TextHasEveryPrintedNumber) {
  const run_result r = run("meta " + fig1 + " --measure MD --method REML --md-variance pooled");
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* s : {"0.74 [  0.33,  1.15]", "Heterogeneity: tau2 = 0.43, I2 = 99.09%, H2 = 109.64",
                        "Test of theta_i = theta_j: Q(9) = 689.69, p = 0.00", "Test of theta = 0: z = 3.57, p = 0.00",
                        "Random-effects REML model", "-0.20 [ -0.33, -0.07]", "MD variance: pooled SD"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << "missing: " << s << "\n" << r.out;
  }
  const char* weights[] = {"10.06", "10.00", "9.98", "10.06", "9.98", "10.01", "9.86", "9.98", "10.02", "10.06"};
  std::size_t pos = r.out.find("Kamenopoulos");
  for (const char* w : weights) {
    const std::size_t eol = r.out.find('\n', pos);
    const std::string line = r.out.substr(pos, eol - pos);
    EXPECT_EQ(line.substr(line.size() - std::string(w).size()), w) << line;
    pos = eol + 1;
  }
}

TEST(MetaCli, SeedFigure1JsonHasTheContractKeysAndNumbers) {
  const run_result r = run("meta " + fig1 + " --measure MD --method REML --md-variance pooled --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* k :
       {"measure", "method", "convention", "k", "level", "studies", "pooled", "heterogeneity", "status", "warnings"}) {
    EXPECT_TRUE(j.contains(k)) << k;
  }
  EXPECT_EQ(j["measure"], "MD");
  EXPECT_EQ(j["method"], "REML");
  EXPECT_EQ(j["k"], 10);
  for (const char* k : {"study", "yi", "vi", "se", "ci_lower", "ci_upper", "weight"})
    EXPECT_TRUE(j["studies"][0].contains(k)) << k;
  for (const char* k : {"estimate", "se", "ci_lower", "ci_upper", "z", "p", "pi_lower", "pi_upper"}) {
    EXPECT_TRUE(j["pooled"].contains(k)) << k;
  }
  const auto& h = j["heterogeneity"];
  EXPECT_NEAR(j["pooled"]["estimate"].get<double>(), 0.7409461971, 1e-8);  // metafor vtype HO (reference note 4.2)
  EXPECT_NEAR(h["tau2"].get<double>(), 0.4261389387, 1e-8);
  EXPECT_NEAR(h["I2"].get<double>(), 99.08792012, 1e-6);
  EXPECT_NEAR(h["H2"].get<double>(), 109.6395203, 1e-5);
  EXPECT_NEAR(h["Q"].get<double>(), 689.6892183, 1e-6);
  EXPECT_EQ(h["df"].get<double>(), 9.0);
  EXPECT_NEAR(j["pooled"]["z"].get<double>(), 3.569381027, 1e-8);
  EXPECT_NEAR(j["studies"][6]["weight"].get<double>(), 9.86, 0.005);
  ASSERT_TRUE(h["tau2_ci"].is_array());
  EXPECT_NEAR(h["tau2_ci"][0].get<double>(), 0.1990297614, 1e-4);
}

TEST(MetaCli, HartungKnappReportsTAndDf) {
  const run_result r = run("meta " + fig1 + " --measure MD --ci-method hk --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["pooled"].contains("t"));
  EXPECT_EQ(j["pooled"]["df"].get<double>(), 9.0);
  EXPECT_NEAR(j["pooled"]["t"].get<double>(), 3.563901907, 1e-7);  // metafor test = "knha" (LS)
}

TEST(MetaCli, CsvHasOneRowPerStudyPlusOverall) {
  const run_result r = run("meta " + fig1 + " --measure MD --format csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("study,yi,vi,se,ci_lower,ci_upper,weight,measure,method,ci_method,convention,excluded\n", 0),
            0u);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 12);
  EXPECT_NE(r.out.find("\nOverall,"), std::string::npos);
}

TEST(MetaCli, RatiosAreBackTransformedBesideTheLogScale) {
  const auto p = write_temp("bin.csv", "study,events1,n1,events2,n2\nA,4,123,11,139\nB,6,306,29,303\nC,3,231,11,220\n");
  const run_result r = run("meta " + p.string() + " --measure OR --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const double est = j["pooled"]["estimate"].get<double>();
  EXPECT_NEAR(j["pooled"]["back_transformed"]["estimate"].get<double>(), std::exp(est), 1e-12);
}

TEST(MetaCli, ColumnRemappingIsCaseInsensitive) {
  const auto p =
      write_temp("remap.csv", "Author;N_T;M_T;SD_T;N_C;M_C;SD_C\nA;10;1,5;0,5;12;1,0;0,4\nB;20;2,5;0,6;22;1,5;0,5\n");
  const run_result r = run("meta " + p.string() +
                           " --measure MD --col study=author --col n1=n_t --col mean1=m_t --col sd1=sd_t "
                           "--col n2=n_c --col mean2=m_c --col sd2=sd_c --format csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\nA,0.5,"), std::string::npos) << r.out;  // decimal comma read as 1.5 - 1.0
}

TEST(MetaCli, BadCellNamesFileLineAndColumnWithExitCode3) {
  const auto p = write_temp("bad.csv", "study,n1,mean1,sd1,n2,mean2,sd2\nA,10,1,0.5,12,1,0.4\nB,20,2,-0.6,22,1,0.5\n");
  const run_result r = run("meta " + p.string() + " --measure MD");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("bad.csv:3:8: column 'sd1'"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one-line error expected: " << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(MetaCli, MissingColumnIsADataError) {
  const auto p = write_temp("missing.csv", "study,n1,mean1,n2,mean2,sd2\nA,10,1,12,1,0.4\n");
  const run_result r = run("meta " + p.string() + " --measure MD");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("missing column 'sd1'"), std::string::npos) << r.err;
}

TEST(MetaCli, UsageErrorsExitWith2) {
  EXPECT_EQ(run("meta " + fig1 + " --measure NOPE").code, 2);
  EXPECT_EQ(run("meta " + fig1 + " --measure MD --method XYZ").code, 2);
  EXPECT_EQ(run("meta " + fig1 + " --measure MD --level 150").code, 2);
  EXPECT_EQ(run("meta").code, 2);
  EXPECT_EQ(run("").code, 2);
}

TEST(MetaCli, MissingFileIsAnIoError) {
  const run_result r = run("meta /nonexistent/file.csv --measure MD");
  EXPECT_EQ(r.code, 4);
  EXPECT_NE(r.err.find("/nonexistent/file.csv"), std::string::npos) << r.err;
}

TEST(MetaCli, FailedRunLeavesNoOutputFile) {
  const auto bad = write_temp("bad2.csv", "study,yi,vi\nA,0.1,0.01\nB,abc,0.02\n");
  const fs::path out = bad.parent_path() / "result.json";
  fs::remove(out);
  const run_result r = run("meta " + bad.string() + " --format json --out " + out.string());
  EXPECT_EQ(r.code, 3);
  EXPECT_FALSE(fs::exists(out));
  for (const auto& e : fs::directory_iterator(bad.parent_path())) {
    EXPECT_EQ(e.path().filename().string().find("result.json"), std::string::npos) << e.path();
  }
}

TEST(MetaCli, OutputFileIsWrittenWhole) {
  const fs::path out = fs::temp_directory_path() / ("metasift_out_" + std::to_string(::getpid()) + ".json");
  const run_result r = run("meta " + fig1 + " --measure MD --format json --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  const auto j = nlohmann::json::parse(slurp(out));
  EXPECT_EQ(j["k"], 10);
  fs::remove(out);
}

TEST(MetaCli, OutputIsDeterministic) {
  const run_result a = run("meta " + fig1 + " --measure MD --format json");
  const run_result b = run("meta " + fig1 + " --measure MD --format json");
  EXPECT_EQ(a.out, b.out);
}

}  // namespace

namespace {

// Mantel-Haenszel with --zero-cell none pools every table (metafor rma.mh): the tables with a zero
// cell stay in studies[] with no study estimate and are listed in excluded[] with their reason.
// Reference values: tests/reference/metafor_mhzero_botharms.csv (tools/reference/mh_zero.R).
TEST(MetaCli, MantelHaenszelWithoutCorrectionPoolsEveryTable) {
  const std::string data = std::string(METASIFT_SOURCE_DIR) + "/tests/data/mhzero_botharms.csv";
  const run_result r = run("meta " + data + " --measure OR --method MH --zero-cell none --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["k"], 7);
  ASSERT_EQ(j["studies"].size(), 7u);
  EXPECT_NEAR(j["pooled"]["estimate"].get<double>(), -0.12646542567598795, 1e-12);
  EXPECT_NEAR(j["pooled"]["se"].get<double>(), 0.30452334897577116, 1e-12);
  EXPECT_NEAR(j["heterogeneity"]["Q"].get<double>(), 1.0383680629819039, 1e-12);
  EXPECT_EQ(j["heterogeneity"]["df"], 1.0);
  EXPECT_TRUE(j["studies"][2]["yi"].is_null());  // the double-zero table
  EXPECT_NEAR(j["studies"][0]["weight"].get<double>(), 13.05416700811276, 1e-10);
  ASSERT_EQ(j["excluded"].size(), 5u) << j["excluded"].dump();
  for (const auto& e : j["excluded"]) {
    EXPECT_NE(e["reason"].get<std::string>().find("its counts still enter the Mantel-Haenszel estimate"),
              std::string::npos);
  }

  // With the default correction a double-zero table still has no study estimate under MH.
  const run_result d = run("meta " + data + " --measure OR --method MH --format json");
  ASSERT_EQ(d.code, 0) << d.err;
  const auto jd = nlohmann::json::parse(d.out);
  EXPECT_TRUE(jd["studies"][2]["yi"].is_null());
  EXPECT_TRUE(jd["studies"][2]["vi"].is_null());
  ASSERT_EQ(jd["excluded"].size(), 2u) << jd["excluded"].dump();  // no events, and all events, in both arms
  EXPECT_EQ(jd["excluded"][0]["row"], 3);
  EXPECT_EQ(jd["excluded"][1]["row"], 6);
  EXPECT_NE(jd["excluded"][0]["reason"].get<std::string>().find("double-zero"), std::string::npos);
  EXPECT_NEAR(jd["pooled"]["estimate"].get<double>(), -0.12646542567598795, 1e-12);
}

// Mantel-Haenszel for incidence rates with rma.mh's Mantel-Haenszel test, in every format.
// Reference: tests/reference/metafor_nielweise2008.csv (tools/reference/mantel_haenszel.R, metafor
// 3.8.1 rma.mh(measure = "IRR") on dat.nielweise2008).
TEST(MetaCli, MantelHaenszelIncidenceRateRatioWithItsTest) {
  const std::string data = std::string(METASIFT_SOURCE_DIR) + "/tests/data/nielweise2008.csv";
  const run_result r = run("meta " + data + " --measure IRR --method MH --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["k"], 9);
  EXPECT_NEAR(j["pooled"]["estimate"].get<double>(), -0.41517523349227581, 1e-12);
  EXPECT_NEAR(j["pooled"]["se"].get<double>(), 0.18343920849053832, 1e-12);
  EXPECT_NEAR(j["heterogeneity"]["Q"].get<double>(), 9.8652024464622237, 1e-10);
  EXPECT_NEAR(j["studies"][0]["weight"].get<double>(), 11.879721235925675, 1e-10);
  EXPECT_NEAR(j["mh_tests"]["cmh"].get<double>(), 4.7950481686629924, 1e-10);
  EXPECT_NEAR(j["mh_tests"]["cmh_p"].get<double>(), 0.028541658507885422, 1e-12);
  EXPECT_EQ(j["mh_tests"]["cmh_df"], 1);
  EXPECT_TRUE(j["mh_tests"]["tarone"].is_null());

  const run_result t = run("meta " + data + " --measure IRR --method MH");
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.out.find("Mantel-Haenszel test: MH = 4.7950, df = 1, p = 0.02854"), std::string::npos) << t.out;
  EXPECT_EQ(t.out.find("Tarone"), std::string::npos);

  const run_result c = run("meta " + data + " --measure IRR --method MH --format csv");
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(
      c.out.rfind("study,yi,vi,se,ci_lower,ci_upper,weight,effect_bt,ci_lower_bt,ci_upper_bt,cmh,cmh_p,measure,", 0),
      0u)
      << c.out;
  const std::string overall = c.out.substr(c.out.find("\nOverall,") + 1);
  EXPECT_NE(overall.find(",4.795048168662"), std::string::npos) << overall;

  // IRD: the rate difference per unit of person-time; rma.mh reports no test for it.
  const run_result d = run("meta " + data + " --measure IRD --method MH --format json");
  ASSERT_EQ(d.code, 0) << d.err;
  const auto jd = nlohmann::json::parse(d.out);
  EXPECT_NEAR(jd["pooled"]["estimate"].get<double>(), -0.00099250006013846506, 1e-15);
  EXPECT_NEAR(jd["pooled"]["se"].get<double>(), 0.00043556869926595807, 1e-15);
  EXPECT_NEAR(jd["heterogeneity"]["Q"].get<double>(), 7.9531882778358209, 1e-10);
  EXPECT_TRUE(jd["mh_tests"].is_null());
}

// rma.mh's Cochran-Mantel-Haenszel and Tarone tests for OR, in text, JSON and CSV; absent
// (null) under another method. Reference: tests/reference/metafor_mh_bcg.csv.
TEST(MetaCli, MantelHaenszelOddsRatioReportsCmhAndTarone) {
  const std::string data = std::string(METASIFT_SOURCE_DIR) + "/tests/data/bcg.csv";
  const run_result r = run("meta " + data + " --measure OR --method MH --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["mh_tests"]["cmh"].get<double>(), 135.68894372390628, 1e-9);
  EXPECT_NEAR(j["mh_tests"]["cmh_p"].get<double>() / 2.3336963318324819e-31, 1.0, 1e-8);
  EXPECT_NEAR(j["mh_tests"]["tarone"].get<double>(), 171.75667299387146, 1e-9);
  EXPECT_EQ(j["mh_tests"]["tarone_df"], 12.0);
  EXPECT_NEAR(j["mh_tests"]["tarone_p"].get<double>() / 2.0867823945365198e-30, 1.0, 1e-8);

  const run_result t = run("meta " + data + " --measure OR --method MH");
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.out.find("Cochran-Mantel-Haenszel test: CMH = 135.6889, df = 1, p = 2.334e-31"), std::string::npos)
      << t.out;
  EXPECT_NE(t.out.find("Tarone's test for heterogeneity: X2 = 171.7567, df = 12, p = 2.087e-30"), std::string::npos)
      << t.out;

  const run_result c = run("meta " + data + " --measure OR --method MH --format csv");
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_NE(c.out.find(",cmh,cmh_p,tarone,tarone_df,tarone_p,measure,"), std::string::npos) << c.out;
  const std::string first_row = c.out.substr(c.out.find('\n') + 1);
  // The test columns are empty (missing) on the study rows.
  EXPECT_NE(first_row.find(",,,,,,OR,MH,"), std::string::npos) << first_row;

  const run_result re = run("meta " + data + " --measure OR --format json");
  ASSERT_EQ(re.code, 0) << re.err;
  EXPECT_TRUE(nlohmann::json::parse(re.out)["mh_tests"].is_null());
}

// --smd-variance ub: metafor's escalc(vtype = "UB"). Reference: tests/reference/metafor_fig1.csv
// (SMD|ES|none|UB: vi.1; SMD|REML|z|UB: the pooled estimate).
TEST(MetaCli, SmdUnbiasedVariance) {
  const std::string data = std::string(METASIFT_SOURCE_DIR) + "/tests/data/fig1.csv";
  const run_result r = run("meta " + data + " --measure SMD --smd-variance ub --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  // UB's 1 - (m - 2)/(m J^2) is a difference of nearly equal numbers: about 1e-10 relative.
  EXPECT_NEAR(j["studies"][0]["vi"].get<double>(), 0.020718979229219836, 1e-10 * 0.0207);
  EXPECT_NEAR(j["pooled"]["estimate"].get<double>(), 1.556267646973817, 1e-6);  // REML: metafor's tolerance
  bool described = false;
  for (const auto& c : j["conventions"])
    described = described || c.get<std::string>().find("vtype UB") != std::string::npos;
  EXPECT_TRUE(described) << j["conventions"].dump();

  const run_result ls = run("meta " + data + " --measure SMD --format json");
  ASSERT_EQ(ls.code, 0) << ls.err;
  EXPECT_NEAR(nlohmann::json::parse(ls.out)["studies"][0]["vi"].get<double>(), 0.020639563891883855, 1e-13);

  const run_result bad = run("meta " + data + " --measure SMD --smd-variance ub --smd-correction approx");
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_NE(bad.err.find("--smd-variance"), std::string::npos) << bad.err;
}

}  // namespace

namespace {

// --tau2 X: the model is labelled "fixed" (not the default estimator), with no SE and no CI for
// tau^2. Reference: metafor 3.8.1 rma(yi, vi, tau2 = 0.01) on the same five studies (R session
// output: estimate 0.28734858681022879, se 0.07518483281082286, I2 35.714285714285715,
// H2 1.5555555555555556, QE 5.7777777777777768).
TEST(MetaCli, FixedTau2IsLabelledFixedWithoutSeOrCi) {
  const auto p = write_temp("fixed_tau2.csv",
                            "study,yi,vi\nA,0.1,0.01\nD,0.25,0.015\nE,0.5,0.03\nF,0.4,0.02\nG,0.35,0.025\nH,NA,0.02\n");
  const run_result t = run("meta " + p.string() + " --tau2 0.01");
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.out.find("Random-effects model with tau2 fixed at 0.0100"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("method: fixed;"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("tau2 = 0.0100 (fixed)"), std::string::npos) << t.out;
  EXPECT_EQ(t.out.find("nan"), std::string::npos) << t.out;
  EXPECT_EQ(t.out.find("Q-profile"), std::string::npos) << t.out;
  EXPECT_EQ(t.out.find("REML"), std::string::npos) << t.out;
  const run_result j = run("meta " + p.string() + " --tau2 0.01 --format json");
  ASSERT_EQ(j.code, 0) << j.err;
  const auto d = nlohmann::json::parse(j.out);
  EXPECT_EQ(d["method"], "fixed");
  EXPECT_TRUE(d["heterogeneity"]["tau2_se"].is_null());
  EXPECT_TRUE(d["heterogeneity"]["tau2_ci"].is_null());
  EXPECT_NEAR(d["pooled"]["estimate"].get<double>(), 0.28734858681022879, 1e-12);
  EXPECT_NEAR(d["pooled"]["se"].get<double>(), 0.07518483281082286, 1e-12);
  EXPECT_NEAR(d["heterogeneity"]["I2"].get<double>(), 35.714285714285715, 1e-9);
  EXPECT_NEAR(d["heterogeneity"]["H2"].get<double>(), 1.5555555555555556, 1e-12);
  EXPECT_NEAR(d["heterogeneity"]["Q"].get<double>(), 5.7777777777777768, 1e-12);
}

}  // namespace
