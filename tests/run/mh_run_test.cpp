// `metasift run` with a Mantel-Haenszel analysis: rma.mh's tests (Cochran-Mantel-Haenszel and
// Tarone for OR, the Mantel-Haenszel test for IRR) reach results.json, report.html and the
// summary printed on stdout. Expected values are metafor's (tests/reference/metafor_mh_bcg.csv and
// metafor_mh_hart1999.csv, from tools/reference/mantel_haenszel.R), on the committed data files
// tests/data/bcg.csv and tests/data/hart1999.csv joined to generated records.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "metasift/run/run.hpp"
#include "run_cli_support.hpp"
#include "support/reference.hpp"

namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

/// A review project whose study table is `data_file` (a committed data set) with a record column
/// in front: one RIS record per data row, every one included at full text.
fs::path make_project(const std::string& name, const std::string& data_file, const std::string& analysis) {
  const fs::path dir = fs::temp_directory_path() / ("metasift_run_mh_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::istringstream lines(read_text(fs::path(METASIFT_TEST_DATA_DIR) / data_file));
  std::string header, line, ris, decisions = "record,stage,decision,reason\n", studies;
  std::getline(lines, header);
  studies = "record," + header + "\n";
  for (int i = 1; std::getline(lines, line);) {
    if (line.empty()) continue;
    const std::string id = "R" + std::to_string(i++);
    ris +=
        "TY  - JOUR\r\nAU  - Author, A.\r\nTI  - Trial " + id + "\r\nPY  - 2000\r\nID  - " + id + "\r\nER  - \r\n\r\n";
    decisions += "DB:" + id + ",full-text,include,\n";
    studies += "DB:" + id + "," + line + "\n";
  }
  write(dir / "records/db.ris", ris);
  write(dir / "decisions.csv", decisions);
  write(dir / "data/studies.csv", studies);
  write(dir / "review.toml",
        "title = \"MH review\"\n[[sources]]\nname = \"DB\"\nfiles = [\"records/db.ris\"]\n[screening]\n"
        "decisions = \"decisions.csv\"\n[analysis]\ndata = \"data/studies.csv\"\n" +
            analysis);
  return dir;
}

metasift::test::reference_case reference(const std::string& file, const std::string& key) {
  for (const auto& c : metasift::test::read_reference(std::string(METASIFT_REFERENCE_DIR) + "/" + file)) {
    if (c.key == key) return c;
  }
  throw std::runtime_error("no case " + key + " in " + file);
}

std::string text_file(const metasift::run::run_outputs& o, const std::string& name) {
  for (const auto& [n, t] : o.text_files) {
    if (n == name) return t;
  }
  return "";
}

/// A reference value as the report writes it: two decimals.
std::string two_decimals(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", x);
  return buf;
}

std::string four_digits(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", x);
  return buf;
}

void expect_relative(double actual, double expected, double tol, const char* what) {
  EXPECT_LE(std::abs(actual - expected), tol * std::abs(expected)) << what << ": " << actual << " vs " << expected;
}

TEST(RunMantelHaenszel, OddsRatioTestsInResultsJsonAndReport) {
  const auto ref = reference("metafor_mh_bcg.csv", "OR|MH|z|default|default");
  const fs::path dir = make_project("or", "bcg.csv", "measure = \"OR\"\nmethod = \"MH\"\n");
  metasift::run::run_options opt;
  opt.review = dir / "review.toml";
  const auto out = metasift::run::compute_run(opt);
  fs::remove_all(dir);

  const auto j = nlohmann::json::parse(text_file(out, "results.json"));
  const auto& meta = j["meta_analysis"];
  ASSERT_EQ(meta["k"], 13);
  expect_relative(meta["pooled"]["estimate"].get<double>(), ref.at("estimate"), 1e-10, "estimate");
  const auto& t = meta["mh_tests"];
  ASSERT_TRUE(t.is_object()) << meta.dump(2);
  expect_relative(t["cmh"].get<double>(), ref.at("cmh"), 1e-10, "cmh");
  EXPECT_EQ(t["cmh_df"], 1);
  expect_relative(t["cmh_p"].get<double>(), ref.at("cmh_p"), 1e-8, "cmh_p");
  expect_relative(t["tarone"].get<double>(), ref.at("tarone"), 1e-10, "tarone");
  EXPECT_EQ(t["tarone_df"].get<double>(), ref.at("tarone_df"));
  expect_relative(t["tarone_p"].get<double>(), ref.at("tarone_p"), 1e-8, "tarone_p");

  // report.html (text HTML-escaped): the result sentence, the note under the study table and the
  // heterogeneity row.
  const std::string html = text_file(out, "report.html");
  const std::string cmh =
      "Cochran-Mantel-Haenszel test of no association: χ²(1) = " + two_decimals(ref.at("cmh")) + ", p &lt; 0.001.";
  const std::string tarone =
      "Tarone&#39;s test for heterogeneity: χ²(12) = " + two_decimals(ref.at("tarone")) + ", p &lt; 0.001.";
  EXPECT_NE(html.find(cmh), std::string::npos) << cmh;
  EXPECT_NE(html.find(cmh, html.find(cmh) + 1), std::string::npos) << "the test appears in the summary and table 5";
  EXPECT_NE(html.find(tarone), std::string::npos) << tarone;
  EXPECT_NE(html.find("Tarone&#39;s test (df = 12)"), std::string::npos);
  EXPECT_NE(html.find("Tarone 1985"), std::string::npos) << "the methods cite the test";
  ASSERT_TRUE(out.measure.has_value());
  EXPECT_EQ(*out.measure, metasift::effects::measure::OR);
}

TEST(RunMantelHaenszel, RateRatioHasTheMantelHaenszelTestOnly) {
  const auto ref = reference("metafor_mh_hart1999.csv", "IRR|MH|z|default|default");
  const fs::path dir = make_project("irr", "hart1999.csv", "measure = \"IRR\"\nmethod = \"MH\"\n");
  metasift::run::run_options opt;
  opt.review = dir / "review.toml";
  const auto out = metasift::run::compute_run(opt);
  fs::remove_all(dir);

  const auto meta = nlohmann::json::parse(text_file(out, "results.json"))["meta_analysis"];
  expect_relative(meta["pooled"]["estimate"].get<double>(), ref.at("estimate"), 1e-10, "estimate");
  expect_relative(meta["mh_tests"]["cmh"].get<double>(), ref.at("cmh"), 1e-10, "cmh");
  expect_relative(meta["mh_tests"]["cmh_p"].get<double>(), ref.at("cmh_p"), 1e-8, "cmh_p");
  EXPECT_TRUE(meta["mh_tests"]["tarone"].is_null());
  const std::string html = text_file(out, "report.html");
  EXPECT_NE(html.find("Mantel-Haenszel test for person-time data of no association: χ²(1) = " +
                      two_decimals(ref.at("cmh")) + ", p &lt; 0.001."),
            std::string::npos);
  EXPECT_EQ(html.find("Tarone"), std::string::npos);
}

TEST(RunMantelHaenszel, OtherMethodsAndMeasuresHaveNoMantelHaenszelTests) {
  for (const std::string analysis : {"measure = \"OR\"\nmethod = \"REML\"\n", "measure = \"RR\"\nmethod = \"MH\"\n"}) {
    const fs::path dir = make_project("none", "bcg.csv", analysis);
    metasift::run::run_options opt;
    opt.review = dir / "review.toml";
    const auto out = metasift::run::compute_run(opt);
    fs::remove_all(dir);
    EXPECT_TRUE(nlohmann::json::parse(text_file(out, "results.json"))["meta_analysis"]["mh_tests"].is_null())
        << analysis;
    const std::string html = text_file(out, "report.html");
    EXPECT_EQ(html.find("Mantel-Haenszel test"), std::string::npos) << analysis;
    EXPECT_EQ(html.find("Tarone"), std::string::npos) << analysis;
  }
}

TEST(RunMantelHaenszel, SummaryOnStdoutHasTheTests) {
  const auto ref = reference("metafor_mh_bcg.csv", "OR|MH|z|default|default");
  const fs::path dir = make_project("cli", "bcg.csv", "measure = \"OR\"\nmethod = \"MH\"\n");
  const auto r =
      metasift::test_run::run_metasift("run " + (dir / "review.toml").string() + " --out " + (dir / "out").string());
  fs::remove_all(dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string cmh = "Cochran-Mantel-Haenszel test: CMH = " + two_decimals(ref.at("cmh")) +
                          ", df = 1, p = " + four_digits(ref.at("cmh_p"));
  const std::string tarone = "Tarone's test for heterogeneity: X2 = " + two_decimals(ref.at("tarone")) +
                             ", df = 12, p = " + four_digits(ref.at("tarone_p"));
  EXPECT_NE(r.out.find(cmh), std::string::npos) << cmh << "\n" << r.out;
  EXPECT_NE(r.out.find(tarone), std::string::npos) << tarone << "\n" << r.out;
}

}  // namespace
