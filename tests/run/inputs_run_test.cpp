// `metasift run` on study data that give medians and quartiles for some rows: results.json marks each
// study's input kind, and the conversions are named in the conventions and the report's methods.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "metasift/run/run.hpp"

namespace {

namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

TEST(RunInputs, ResultsJsonMarksInputKindsAndTheReportNamesTheConversions) {
  const fs::path dir = fs::temp_directory_path() / ("metasift_run_inputs_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::string ris;
  for (const char* id : {"A1", "B2", "C3"}) {
    ris += std::string("TY  - JOUR\r\nAU  - Author, A.\r\nTI  - Study ") + id + "\r\nPY  - 2020\r\nID  - " + id +
           "\r\nER  - \r\n\r\n";
  }
  write(dir / "records/db.ris", ris);
  write(dir / "decisions.csv",
        "record,stage,decision,reason\nDB:A1,full-text,include,\nDB:B2,full-text,include,\nDB:C3,full-text,include,\n");
  write(dir / "review.toml",
        "[[sources]]\nname = \"DB\"\nfiles = [\"records/db.ris\"]\n[screening]\ndecisions = \"decisions.csv\"\n"
        "[analysis]\ndata = \"data/studies.csv\"\nmeasure = \"MD\"\nmethod = \"DL\"\n");
  // B2: group 1 by median and quartiles, n = 39 (Luo: w = 0.71, mean = 0.71 * 5 + 0.29 * 4 = 4.71).
  // C3: group 2 has nothing usable: not estimable.
  write(dir / "data/studies.csv",
        "record,study,n1,mean1,sd1,median1,q1_1,q3_1,n2,mean2,sd2\n"
        "DB:A1,Alpha,20,5,1,,,,20,4,1\n"
        "DB:B2,Beta,39,,,4,2,8,40,4,1\n"
        "DB:C3,Gamma,20,5,1,,,,20,,\n");
  metasift::run::run_options o;
  o.review = dir / "review.toml";
  const auto out = metasift::run::compute_run(o);
  std::string results, html;
  for (const auto& [name, content] : out.text_files) {
    if (name == "results.json") results = content;
    if (name == "report.html") html = content;
  }
  const auto j = nlohmann::json::parse(results);
  const auto& meta = j["meta_analysis"];
  ASSERT_EQ(meta["studies"].size(), 2u) << meta.dump(2);
  EXPECT_EQ(meta["studies"][0]["input"], "mean_sd");
  EXPECT_EQ(meta["studies"][1]["input"], "median_iqr/mean_sd");
  EXPECT_NEAR(meta["studies"][1]["yi"].get<double>(), 4.71 - 4.0, 1e-12);
  ASSERT_EQ(meta["excluded"].size(), 1u);
  EXPECT_NE(meta["excluded"][0]["reason"].get<std::string>().find("not estimable: no complete input set for group 2"),
            std::string::npos);
  EXPECT_NE(
      meta["conventions"].dump().find("means of 1 study were estimated from medians and quartiles (Luo et al. 2018)"),
      std::string::npos)
      << meta["conventions"].dump();
  EXPECT_NE(html.find("Luo et al. 2018"), std::string::npos);
  EXPECT_NE(html.find("Wan et al. 2014"), std::string::npos);
  // MD data without a unit column: the report warns that the pooled difference has no named unit.
  bool unit_warning = false;
  for (const auto& w : out.warnings)
    unit_warning = unit_warning || w.find("without a 'unit' column") != std::string::npos;
  EXPECT_TRUE(unit_warning);
  fs::remove_all(dir);
}

}  // namespace
