// `metasift run` and `metasift init` as a user runs them: the built-in example reproduces the seed
// review's Figure 1 (Tabassam & Hussain 2024: 0.74 [0.33, 1.15], tau^2 = 0.43, I^2 = 99.09%,
// H^2 = 109.64, Q(9) = 689.69, z = 3.57), in stdout, results.json and report.html.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "run_cli_support.hpp"

namespace {

using namespace metasift::test_run;

TEST(RunCli, ExampleReproducesFigure1) {
  const fs::path out = scratch("example") / "demo";
  const cli_result r = run_metasift("run " + example_review() + " --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("report: " + (out / "report.html").string()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pooled: 0.74 [0.33, 1.15] (k = 10)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("heterogeneity: tau2 = 0.43, I2 = 99.09%, H2 = 109.64, Q(9) = 689.69"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("test of theta = 0: z = 3.57"), std::string::npos) << r.out;
  // Not a terminal: no progress bar, no control characters.
  EXPECT_EQ(r.err.find('\r'), std::string::npos);
  EXPECT_EQ(r.err.find('\033'), std::string::npos);

  const auto j = nlohmann::json::parse(slurp(out / "results.json"));
  const auto& m = j["meta_analysis"];
  const auto round2 = [](double x) { return std::round(x * 100.0) / 100.0; };
  EXPECT_EQ(m["k"], 10);
  EXPECT_DOUBLE_EQ(round2(m["pooled"]["estimate"].get<double>()), 0.74);
  EXPECT_DOUBLE_EQ(round2(m["pooled"]["ci_lower"].get<double>()), 0.33);
  EXPECT_DOUBLE_EQ(round2(m["pooled"]["ci_upper"].get<double>()), 1.15);
  EXPECT_DOUBLE_EQ(round2(m["pooled"]["z"].get<double>()), 3.57);
  EXPECT_DOUBLE_EQ(round2(m["heterogeneity"]["tau2"].get<double>()), 0.43);
  EXPECT_DOUBLE_EQ(round2(m["heterogeneity"]["I2"].get<double>()), 99.09);
  EXPECT_DOUBLE_EQ(round2(m["heterogeneity"]["H2"].get<double>()), 109.64);
  EXPECT_DOUBLE_EQ(round2(m["heterogeneity"]["Q"].get<double>()), 689.69);
  EXPECT_EQ(m["heterogeneity"]["df"], 9.0);
  EXPECT_EQ(m["convention"], "stata");
  // Every Figure 1 study is linked to an included record; the selection reproduces the review's.
  EXPECT_EQ(j["linking"]["analysed"], 10);
  EXPECT_TRUE(j["linking"]["included_without_data"].empty());
  EXPECT_EQ(j["prisma"]["new_studies"], 10);
  EXPECT_GT(j["prisma"]["duplicates"].get<int>(), 0);  // the exports overlap

  const std::string html = slurp(out / "report.html");
  EXPECT_NE(html.find("0.74 [0.33, 1.15]"), std::string::npos);
  EXPECT_NE(html.find("τ² = 0.43, I² = 99.09%, H² = 109.64; Q(9) = 689.69"), std::string::npos);
  EXPECT_NE(html.find("z = 3.57"), std::string::npos);
  EXPECT_NE(html.find("Kamenopoulos et al."), std::string::npos);
  EXPECT_NE(html.find("restricted maximum likelihood"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  for (const char* f :
       {"screening.csv", "prisma.json", "figures/forest.svg", "figures/forest.pdf", "figures/forest.png",
        "figures/prisma.svg", "figures/prisma.pdf", "figures/prisma.png", "figures/funnel.svg"}) {
    EXPECT_TRUE(fs::exists(out / f)) << f;
  }
}

// The example's second version (examples/rare-earth-china-update) run against the first one's
// results: its README lists what the update adds, and the expectations here come from those files
// (four new Scopus records, of which U01 is S14 again; U02 included with data; U03 excluded at
// full text; U04 at title-abstract), not from a run.
TEST(RunCli, UpdateExampleShowsWhatChanged) {
  const fs::path dir = scratch("update");
  const cli_result first = run_metasift("run " + example_review() + " --out " + (dir / "v1").string());
  ASSERT_EQ(first.code, 0) << first.err;
  const std::string update = std::string(METASIFT_SOURCE_DIR) + "/examples/rare-earth-china-update/review.toml";
  const cli_result r =
      run_metasift("run " + update + " --out " + (dir / "v2").string() + " --previous " + (dir / "v1").string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("11 included (1 new in this update)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(k = 11)"), std::string::npos) << r.out;
  const auto j = nlohmann::json::parse(slurp(dir / "v2" / "results.json"));
  const auto& u = j["update"];
  EXPECT_EQ(u["new_records"], 4);
  EXPECT_EQ(u["new_records_by_source"][0]["name"], "Scopus");
  EXPECT_EQ(u["new_records_by_source"][0]["n"], 4);
  ASSERT_EQ(u["newly_included"].size(), 1U);
  EXPECT_EQ(u["newly_included"][0].get<std::string>().rfind("Scopus:U02: ", 0), 0U);
  EXPECT_TRUE(u["no_longer_included"].empty());
  const auto round2 = [](double x) { return std::round(x * 100.0) / 100.0; };
  EXPECT_DOUBLE_EQ(round2(u["pooled_before"]["estimate"].get<double>()), 0.74);  // Figure 1
  EXPECT_DOUBLE_EQ(round2(u["pooled_before"]["ci_lower"].get<double>()), 0.33);
  EXPECT_EQ(u["pooled_before"]["k"], 10);
  EXPECT_EQ(u["pooled_after"]["k"], 11);
  EXPECT_EQ(j["prisma"]["previous_studies"], 10);
  EXPECT_EQ(j["prisma"]["new_studies"], 1);
  EXPECT_EQ(j["prisma"]["total_studies"], 11);
  bool duplicates = false;
  for (const auto& c : u["prisma_changes"]) {
    if (c["key"] == "duplicates") duplicates = c["after"].get<int>() == c["before"].get<int>() + 1;  // U01
  }
  EXPECT_TRUE(duplicates);
  EXPECT_NE(slurp(dir / "v2" / "report.html").find("What changed"), std::string::npos);
}

TEST(RunCli, MissingValueExcludesTheStudyInResultsAndReport) {
  // The example review with one study's sd1 given as NA: the study is excluded (not exit 3), the
  // pooled analysis has k = 9, and results.json and report.html say which study and why.
  const fs::path dir = scratch("missing") / "review";
  fs::copy(fs::path(example_review()).parent_path(), dir, fs::copy_options::recursive);
  std::string data = slurp(dir / "data/studies.csv");
  const std::string row = "Mancheri et al.,2019,120,2.8,.5,";
  const auto at = data.find(row);
  ASSERT_NE(at, std::string::npos);
  data.replace(at, row.size(), "Mancheri et al.,2019,120,2.8,NA,");
  write_file(dir / "data/studies.csv", data);
  const fs::path out = dir.parent_path() / "out";
  const cli_result r = run_metasift("run " + (dir / "review.toml").string() + " --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp(out / "results.json"));
  const auto& m = j["meta_analysis"];
  EXPECT_EQ(m["k"], 9);
  ASSERT_EQ(m["excluded"].size(), 1u) << m["excluded"].dump();
  EXPECT_EQ(m["excluded"][0]["study"], "Mancheri et al.");
  EXPECT_EQ(m["excluded"][0]["reason"], "missing value in column 'sd1'");
  EXPECT_NE(m["warnings"].dump().find("study 'Mancheri et al.' excluded: missing value in column 'sd1'"),
            std::string::npos)
      << m["warnings"].dump();
  EXPECT_NE(slurp(out / "report.html").find("Not analysed: Mancheri et al. (missing value in column &#39;sd1&#39;)"),
            std::string::npos);
}

TEST(RunCli, BadInputExitsWithTheDataCode) {
  const fs::path dir = scratch("bad");
  write_file(dir / "review.toml",
             "[[sources]]\nname = \"X\"\nfiles = [\"x.ris\"]\n[analysis]\ndata = \"d.csv\"\nunknown_key = 1\n");
  write_file(dir / "x.ris", "TY  - JOUR\nTI  - A\nER  - \n");
  write_file(dir / "d.csv", "record,yi,vi\n");
  const cli_result r = run_metasift("run " + (dir / "review.toml").string() + " --out " + (dir / "out").string());
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("review.toml:6:1: unknown key 'unknown_key' in [analysis]"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(RunCli, InitScaffoldsAProject) {
  const fs::path dir = scratch("init") / "new-review";
  const cli_result r = run_metasift("init " + dir.string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir / "review.toml"));
  EXPECT_TRUE(fs::exists(dir / "data/studies.csv"));
  EXPECT_TRUE(fs::exists(dir / "decisions.csv"));
  const cli_result again = run_metasift("init " + dir.string());
  EXPECT_EQ(again.code, 4) << again.err;  // never overwrites a review
  // Running the untouched scaffold names the export it still lacks.
  const cli_result run = run_metasift("run " + (dir / "review.toml").string() + " --out " + (dir / "out").string());
  EXPECT_EQ(run.code, 3);
  EXPECT_NE(run.err.find("file 'records/scopus.ris' does not exist"), std::string::npos) << run.err;
}

}  // namespace
