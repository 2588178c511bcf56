// `metasift meta` on study rows that give medians, SEs, CIs or test statistics instead of means and
// SDs (pipeline/study_inputs.hpp). Expected values come from tests/reference/metafor_conversions.csv
// (metafor 3.8.1 escalc and R transcriptions of Luo 2018 / Wan 2014 / Shi 2020, made by
// tools/reference/conversions.R); the input files are generated here from those cases.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "support/cli.hpp"
#include "support/reference.hpp"

namespace metasift {
namespace {

using test::run_metasift;
using test::scratch_folder;

std::string num(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

/// Concatenation by append (GCC 12 gives -Wrestrict false positives on chains of operator+).
template <class... P>
std::string cat(const P&... parts) {
  std::string s;
  (s.append(std::string_view(parts)), ...);
  return s;
}

double rel(double a, double b) {
  return a == b ? 0.0 : std::abs(a - b) / std::max(std::abs(b), 1e-300);
}

std::vector<test::reference_case> reference() {
  return test::read_reference(std::string(METASIFT_REFERENCE_DIR) + "/metafor_conversions.csv");
}

TEST(InputsCli, SmdFromTFAndPAgreesWithMetaforEscalc) {
  const auto dir = scratch_folder("inputs_stats");
  std::string csv = "study,n1,n2,t,F,p,direction\n";
  std::vector<const test::reference_case*> used;
  const auto cases = reference();
  for (const auto& c : cases) {
    const std::string& k = c.measure;
    if (k != "SMD_t" && k != "SMD_F" && k != "SMD_p") continue;
    const std::string id = c.key.substr(0, c.key.find("|-"));
    std::string row = cat(id, ",", num(c.at("in.n1")), ",", num(c.at("in.n2")), ",");
    const char* sign = c.has("in.direction") && c.at("in.direction") < 0 ? "-1" : "+1";
    if (k == "SMD_t") row += cat(num(c.at("in.t")), ",,,");
    if (k == "SMD_F") row += cat(",", num(c.at("in.F")), ",,", sign);
    if (k == "SMD_p") row += cat(",,", num(c.at("in.p")), ",", c.at("in.direction") < 0 ? "-" : "1");
    csv += row + "\n";
    used.push_back(&c);
  }
  ASSERT_EQ(used.size(), 130u);
  write(dir / "stats.csv", csv);
  const auto r = run_metasift("meta stats.csv --measure SMD --format json", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["studies"].size(), used.size());
  double worst = 0;
  for (std::size_t i = 0; i < used.size(); ++i) {
    const auto& s = j["studies"][i];
    const auto& c = *used[i];
    const double yi = s["yi"].get<double>(), vi = s["vi"].get<double>();
    EXPECT_TRUE(rel(yi, c.at("yi")) <= 1e-10 || std::abs(yi - c.at("yi")) <= 1e-14) << c.key << " yi " << yi;
    EXPECT_LE(rel(vi, c.at("vi")), 1e-10) << c.key << " vi " << vi;
    worst = std::max({worst, std::abs(yi - c.at("yi")) <= 1e-14 ? 0.0 : rel(yi, c.at("yi")), rel(vi, c.at("vi"))});
    EXPECT_EQ(s["input"], c.measure.substr(4)) << c.key;
  }
  std::printf("worst relative error of meta's SMD from t/F/p vs metafor escalc: %.3g\n", worst);
  const std::string conventions = j["conventions"].dump();
  EXPECT_NE(conventions.find("SMDs of 35 studies were computed from t statistics"), std::string::npos) << conventions;
  EXPECT_NE(conventions.find("SMDs of 60 studies were computed from two-sided p-values"), std::string::npos);
}

TEST(InputsCli, QuantileRowsUseLuoMeansAndWanOrShiSds) {
  // Group 1 gives the quantiles of a reference case; group 2 a mean and SD. MD = mean1 - mean2 and
  // vi = sd1^2/n1 + sd2^2/n2 (metafor vtype LS) with mean1/sd1 from the reference transcription.
  const auto dir = scratch_folder("inputs_quantiles");
  std::string csv = "study,n1,median1,q1_1,q3_1,min1,max1,n2,mean2,sd2\n";
  struct expect {
    std::string study, kind;
    double yi, vi;
  };
  std::vector<expect> want;
  const double n2 = 40, m2 = 3.5, s2 = 2.0;
  for (const auto& c : reference()) {
    if (c.measure != "quantiles" || c.at("in.max") == c.at("in.min")) continue;  // a zero SD is no use for MD
    const double n = c.at("in.n");
    const std::string id = c.method;  // the case number
    const std::string g2 = cat(num(n2), ",", num(m2), ",", num(s2), "\n");
    const std::string med = num(c.at("in.median")), q1 = num(c.at("in.q1")), q3 = num(c.at("in.q3"));
    const std::string lo = num(c.at("in.min")), hi = num(c.at("in.max"));
    csv += cat("iqr", id, ",", num(n), ",", med, ",", q1, ",", q3, ",,,", g2);
    want.push_back({cat("iqr", id), "median_iqr/mean_sd", c.at("mean_S2") - m2,
                    c.at("sd_wan_S2") * c.at("sd_wan_S2") / n + s2 * s2 / n2});
    csv += cat("range", id, ",", num(n), ",", med, ",,,", lo, ",", hi, ",", g2);
    want.push_back({cat("range", id), "median_range/mean_sd", c.at("mean_S1") - m2,
                    c.at("sd_wan_S1") * c.at("sd_wan_S1") / n + s2 * s2 / n2});
    csv += cat("five", id, ",", num(n), ",", med, ",", q1, ",", q3, ",", lo, ",", hi, ",", g2);
    want.push_back({cat("five", id), "median_five/mean_sd", c.at("mean_S3") - m2,
                    c.at("sd_shi_S3") * c.at("sd_shi_S3") / n + s2 * s2 / n2});
  }
  ASSERT_EQ(want.size(), 15u);
  write(dir / "q.csv", csv);
  const auto r = run_metasift("meta q.csv --measure MD --format json", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["studies"].size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto& s = j["studies"][i];
    EXPECT_EQ(s["study"], want[i].study);
    EXPECT_EQ(s["input"], want[i].kind);
    EXPECT_LE(rel(s["yi"].get<double>(), want[i].yi), 1e-12) << want[i].study;
    EXPECT_LE(rel(s["vi"].get<double>(), want[i].vi), 1e-12) << want[i].study;
  }
  const std::string conventions = j["conventions"].dump();
  EXPECT_NE(conventions.find("SDs from IQRs (Wan et al. 2014"), std::string::npos) << conventions;
  EXPECT_NE(conventions.find("means of 5 studies were estimated from medians and ranges (Luo et al. 2018)"),
            std::string::npos)
      << conventions;
  EXPECT_NE(conventions.find("(Shi et al. 2020"), std::string::npos) << conventions;
}

TEST(InputsCli, SeAndCiRowsAndTheOrderOfInputSets) {
  // Row A has mean, SD and SE: mean_sd comes first. Row B: SE = 0.5 with n = 16 gives SD = 2.
  // Row C: no mean, CI [1, 3] gives mean 2. Row D has nothing for group 2: not estimable.
  const auto dir = scratch_folder("inputs_se_ci");
  write(dir / "d.csv",
        "study,n1,mean1,sd1,se1,ci_lower1,ci_upper1,n2,mean2,sd2\n"
        "A,16,5,1,0.5,,,16,4,1\n"
        "B,16,5,,0.5,,,16,4,2\n"
        "C,16,,,,1,3,16,1,1\n"
        "D,16,5,1,,,,16,,\n");
  const auto r = run_metasift("meta d.csv --measure MD --format json", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["studies"].size(), 3u);
  EXPECT_EQ(j["studies"][0]["input"], "mean_sd");  // one kind when both groups agree
  EXPECT_DOUBLE_EQ(j["studies"][0]["vi"].get<double>(), 2.0 / 16);
  EXPECT_EQ(j["studies"][1]["input"], "mean_se/mean_sd");
  EXPECT_DOUBLE_EQ(j["studies"][1]["vi"].get<double>(), 4.0 / 16 + 4.0 / 16);
  EXPECT_EQ(j["studies"][2]["input"], "mean_ci/mean_sd");
  EXPECT_DOUBLE_EQ(j["studies"][2]["yi"].get<double>(), 1.0);  // (1 + 3)/2 - 1
  ASSERT_EQ(j["excluded"].size(), 1u);
  EXPECT_EQ(j["excluded"][0]["study"], "D");
  const std::string reason = j["excluded"][0]["reason"];
  EXPECT_NE(reason.find("not estimable: no complete input set for group 2"), std::string::npos) << reason;
}

TEST(InputsCli, ImpossibleInputsNameTheirCell) {
  const auto dir = scratch_folder("inputs_bad");
  const std::string header = "study,n1,median1,q1_1,q3_1,min1,max1,n2,mean2,sd2,t,p,direction\n";
  struct bad {
    std::string row, where, message;
  } cases[] = {
      {"X,20,4,5,8,,,20,1,1,,,", "b.csv:3:8:", "column 'q1_1': must not exceed column 'median1' (4), got 5"},
      {"X,20,4,,,5,9,20,1,1,,,", "b.csv:3:10:", "column 'min1': must not exceed column 'median1'"},
      {"X,20,4,3,8,0,7,20,1,1,,,", "b.csv:3:10:", "column 'q3_1': must not exceed column 'max1' (7), got 8"},
      {"X,2,4,3,8,,,20,1,1,,,", "b.csv:3:3:", "column 'n1': must be at least 3 to estimate a mean and SD"},
      {"X,20,,,,,,20,,,,0,1", "b.csv:3:", "column 'p': must lie in (0, 1], got 0"},
      {"X,20,,,,,,20,,,,0.2,up", "b.csv:3:", "column 'direction': must be 1 or -1"},
  };
  for (const auto& c : cases) {
    write(dir / "b.csv", header + "ok,20,4,3,8,,,20,1,1,,,\n" + c.row + "\n");
    const auto r = run_metasift("meta b.csv --measure SMD", dir);
    EXPECT_EQ(r.code, 3) << c.row << "\n" << r.err;
    EXPECT_NE(r.err.find(c.where), std::string::npos) << c.row << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.row << "\n" << r.err;
  }
}

TEST(InputsCli, MeanDifferenceRefusesRowsInDifferentUnits) {
  const auto dir = scratch_folder("inputs_units");
  write(dir / "u.csv", "study,unit,n1,mean1,sd1,n2,mean2,sd2\nA,mg/L,10,5,1,10,4,1\nB,ug/L,12,6,2,12,5,2\n");
  const auto r = run_metasift("meta u.csv --measure MD", dir);
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("u.csv:3:3: column 'unit': unit 'ug/L' differs from 'mg/L' (line 2)"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("use SMD or ROM"), std::string::npos) << r.err;
  // The same rows pool as SMD, and one unit throughout pools as MD.
  EXPECT_EQ(run_metasift("meta u.csv --measure SMD", dir).code, 0);
  write(dir / "v.csv", "study,unit,n1,mean1,sd1,n2,mean2,sd2\nA,mg/L,10,5,1,10,4,1\nB, mg/L ,12,6,2,12,5,2\n");
  EXPECT_EQ(run_metasift("meta v.csv --measure MD", dir).code, 0);
}

TEST(InputsCli, TablesWithoutAlternativeColumnsAreReadAsBefore) {
  const auto dir = scratch_folder("inputs_plain");
  write(dir / "p.csv", "study,n1,mean1,sd1,n2,mean2,sd2\nA,10,5,1,10,4,1\nB,12,6,2,12,5,2\n");
  const auto r = run_metasift("meta p.csv --measure SMD --format json", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["studies"][0]["input"].is_null());  // present (stable shape) and null
  EXPECT_EQ(j["conventions"].dump().find("were computed"), std::string::npos);
}

}  // namespace
}  // namespace metasift
