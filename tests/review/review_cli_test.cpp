// The review subcommands as users run them: `metasift dedup`, `search`, `screen` and `prisma`
// (METASIFT_BIN is the built binary), checked through exit codes, stdout, stderr and files.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace {

namespace fs = std::filesystem;

const fs::path fixture = fs::path(METASIFT_REVIEW_FIXTURES) / "screening";

struct run_result {
  int code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

fs::path scratch() {
  const fs::path dir = fs::temp_directory_path() / ("metasift_review_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

run_result run(const std::string& args) {
  const char* bin = std::getenv("METASIFT_BIN");
  if (bin == nullptr) throw std::runtime_error("METASIFT_BIN not set (run through ctest)");
  const fs::path out = scratch() / "stdout", err = scratch() / "stderr";
  const std::string cmd = std::string(bin) + " " + args + " >" + out.string() + " 2>" + err.string();
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

TEST(ReviewCli, ScreenWritesAuditPrismaJsonAndDiagram) {
  const fs::path dir = scratch();
  const run_result r = run("screen " + (fixture / "review.toml").string() + " --audit " + (dir / "audit.csv").string() +
                           " --prisma-json " + (dir / "prisma.json").string() + " --prisma " + (dir / "flow.svg").string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Records screened"), std::string::npos);
  EXPECT_NE(r.err.find("decision on Scopus:S4 ignored"), std::string::npos) << r.err;
  const auto j = nlohmann::json::parse(slurp(dir / "prisma.json"));
  EXPECT_EQ(j["records_screened"], 7);
  EXPECT_EQ(j["new_studies"], 2);
  const std::string audit = slurp(dir / "audit.csv");
  EXPECT_EQ(std::count(audit.begin(), audit.end(), '\n'), 16);  // header + 15 records
  EXPECT_NE(slurp(dir / "flow.svg").find("Records screened (n = 7)"), std::string::npos);
}

TEST(ReviewCli, ScreenReportsBadReviewFilesWithPositions) {
  const fs::path dir = scratch() / "bad";
  fs::create_directories(dir);
  std::ofstream(dir / "review.toml") << "[[sources]]\nname = \"S\"\nfiles = [\"../x.ris\"]\n";
  const run_result r = run("screen " + (dir / "review.toml").string());
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("review.toml:3:10: path '../x.ris' escapes the review folder"), std::string::npos) << r.err;
}

TEST(ReviewCli, DedupWritesOneDecisionPerRecord) {
  const fs::path dir = scratch();
  const run_result r = run("dedup " + (fixture / "records" / "scopus.ris").string() + " " +
                           (fixture / "records" / "pubmed.nbib").string() + " --decisions " +
                           (dir / "decisions.csv").string() + " --out " + (dir / "kept.json").string());
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string csv = slurp(dir / "decisions.csv");
  EXPECT_EQ(csv.rfind("record,source_file,source_id,status,duplicate_of,score,rule\n", 0), 0U);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 16);
  EXPECT_NE(csv.find(",S9,duplicate,2,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",maybe,"), std::string::npos);
  EXPECT_NE(r.err.find("15 records, 3 duplicates removed, 12 kept (1 queued as maybe)"), std::string::npos) << r.err;
  const auto kept = nlohmann::json::parse(slurp(dir / "kept.json"));
  EXPECT_EQ(kept["records"].size(), 12U);
}

TEST(ReviewCli, SearchPrintsParseDiagnosticsAndMatches) {
  const run_result r =
      run("search " + (fixture / "records" / "scopus.ris").string() +
          " --dialect scopus --query 'TITLE-ABS-KEY(\"rare earth*\" AND (mining OR mine*)) AND NOT TITLE(erratum)'");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["parse"], "(ANDNOT (AND \"rare earth*\" (OR mining mine*)) ti:erratum)");
  EXPECT_EQ(j["total"], 10);
  EXPECT_EQ(j["matched"], 8);  // all but the copper mine (S8) and the erratum (S10)
  EXPECT_NE(r.err.find("metasift: query:1:"), std::string::npos);
  const run_result csv = run("search " + (fixture / "records" / "pubmed.nbib").string() +
                             " --dialect pubmed --format csv --query 'baotou[tiab] OR ganzhou[tiab]'");
  ASSERT_EQ(csv.code, 0) << csv.err;
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n') >= 3, true) << csv.out;
}

TEST(ReviewCli, SearchQueryErrorsExitWithDataCodeAndPosition) {
  const run_result r = run("search --lint --dialect wos --query 'TS=(rare earth AND (mining'");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("query:1:20: E001 unbalanced parentheses"), std::string::npos) << r.err;
  const run_result lint = run("search --lint --dialect wos --query 'copper OR lead AND algae'");
  EXPECT_EQ(lint.code, 0) << lint.err;
  EXPECT_NE(lint.err.find("query:1:16: warning W101"), std::string::npos) << lint.err;
  EXPECT_EQ(nlohmann::json::parse(lint.out)["parse"], "(OR copper (AND lead algae))");
}

TEST(ReviewCli, PrismaChecksHandMadeCounts) {
  const fs::path dir = scratch();
  std::ofstream(dir / "ok.json") << R"({"database_results": 10, "duplicates": 2, "records_screened": 8,
    "records_excluded": 5, "dbr_sought_reports": 3, "dbr_assessed": 3, "dbr_excluded": [{"reason": "Wrong design", "n": 1}],
    "new_studies": 2, "new_reports": 2})";
  run_result r = run("prisma " + (dir / "ok.json").string() + " --out " + (dir / "ok.svg").string());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir / "ok.svg"));
  std::ofstream(dir / "bad.json") << R"({"database_results": 10, "duplicates": 2, "records_screened": 9})";
  r = run("prisma " + (dir / "bad.json").string());
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("PRISMA counts do not add up: records_screened = 9"), std::string::npos) << r.err;
}

}  // namespace
