// The review subcommands as users run them: `metasift dedup`, `search`, `screen` and `prisma`
// (METASIFT_BIN is the built binary), checked through exit codes, stdout, stderr and files.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

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
  const run_result r =
      run("screen " + (fixture / "review.toml").string() + " --audit " + (dir / "audit.csv").string() +
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

/// RFC 4180 rows (quoted cells may hold commas, quotes and newlines) -- a reader written for this
/// test, so the audit trail is not read back with the code that wrote it.
std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(cell);
      cell.clear();
    } else if (c == '\n') {
      rows.back().push_back(cell);
      cell.clear();
      rows.emplace_back();
    } else if (c != '\r') {
      cell += c;
    }
  }
  if (!cell.empty() || !rows.back().empty()) rows.back().push_back(cell);
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

std::size_t count_lines_starting(const fs::path& p, const std::string& prefix) {
  std::ifstream in(p);
  std::size_t n = 0;
  for (std::string l; std::getline(in, l);) n += l.rfind(prefix, 0) == 0 ? 1 : 0;
  return n;
}

std::size_t sum_n(const nlohmann::json& list) {
  std::size_t s = 0;
  for (const auto& e : list) s += e["n"].get<std::size_t>();
  return s;
}

// Issue 5, "Done when": a review.toml runs end to end to PRISMA counts and a diagram. The counts
// are re-added here from the JSON (the PRISMA 2020 boxes, Page et al. 2021, BMJ 372:n71), and the
// audit trail is checked to hold exactly one row per input record, its final statuses adding up
// to the same boxes.
TEST(ReviewCli, ScreenEndToEndCountsAddUpAndAuditHasOneRowPerInputRecord) {
  const fs::path dir = scratch() / "e2e";
  fs::create_directories(dir);
  const run_result r =
      run("screen " + (fixture / "review.toml").string() + " --audit " + (dir / "audit.csv").string() +
          " --prisma-json " + (dir / "prisma.json").string() + " --prisma " + (dir / "flow.svg").string());
  ASSERT_EQ(r.code, 0) << r.err;

  // Input records, counted from the committed fixture files themselves.
  const std::size_t scopus = count_lines_starting(fixture / "records" / "scopus.ris", "ER  -");
  const std::size_t pubmed = count_lines_starting(fixture / "records" / "pubmed.nbib", "PMID- ");
  ASSERT_EQ(scopus, 10U);
  ASSERT_EQ(pubmed, 5U);

  const auto j = nlohmann::json::parse(slurp(dir / "prisma.json"));
  const auto n = [&](const char* key) { return j[key].get<std::size_t>(); };
  EXPECT_EQ(n("database_results"), scopus + pubmed);
  EXPECT_EQ(sum_n(j["database_specific_results"]), n("database_results"));
  EXPECT_EQ(n("records_screened"),
            n("database_results") - n("duplicates") - n("excluded_automatic") - n("excluded_other"));
  EXPECT_EQ(sum_n(j["metasift"]["excluded_automatic_reasons"]), n("excluded_automatic"));
  EXPECT_EQ(n("records_screened"),
            n("records_excluded") + n("dbr_sought_reports") + j["metasift"]["awaiting_screening"].get<std::size_t>());
  EXPECT_EQ(n("dbr_sought_reports"),
            n("dbr_notretrieved_reports") + n("dbr_assessed") + j["metasift"]["awaiting_full_text"].get<std::size_t>());
  EXPECT_EQ(n("dbr_assessed"), sum_n(j["dbr_excluded"]) + n("new_reports"));
  EXPECT_LE(n("new_studies"), n("new_reports"));
  EXPECT_TRUE(j["metasift"]["invariants_checked"].get<bool>());

  // The audit trail: one row per input record, no (source, source_id) twice, and its final
  // statuses give the PRISMA boxes again.
  const auto rows = csv_rows(slurp(dir / "audit.csv"));
  ASSERT_GE(rows.size(), 1U);
  const auto& header = rows[0];
  const auto col = [&](const char* name) {
    const auto it = std::find(header.begin(), header.end(), name);
    return static_cast<std::size_t>(it - header.begin());
  };
  const std::size_t c_source = col("source"), c_id = col("source_id"), c_status = col("final_status");
  ASSERT_LT(c_status, header.size());
  ASSERT_EQ(rows.size() - 1, scopus + pubmed) << "audit rows vs. input records";
  std::set<std::pair<std::string, std::string>> seen;
  std::map<std::string, std::size_t> status, per_source;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), header.size()) << "audit row " << i;
    EXPECT_TRUE(seen.insert({rows[i][c_source], rows[i][c_id]}).second) << rows[i][c_source] << ":" << rows[i][c_id];
    ++status[rows[i][c_status]];
    ++per_source[rows[i][c_source]];
  }
  EXPECT_EQ(per_source["Scopus"], scopus);
  EXPECT_EQ(per_source["PubMed"], pubmed);
  EXPECT_EQ(status["duplicate"], n("duplicates"));
  EXPECT_EQ(status["excluded-automatic"], n("excluded_automatic"));
  EXPECT_EQ(status["excluded-title-abstract"], n("records_excluded"));
  EXPECT_EQ(status["not-retrieved"], n("dbr_notretrieved_reports"));
  EXPECT_EQ(status["excluded-full-text"], sum_n(j["dbr_excluded"]));
  EXPECT_EQ(status["included"], n("new_reports"));
  EXPECT_GT(status["included"], 0U);

  // The diagram carries the same numbers.
  const std::string svg = slurp(dir / "flow.svg");
  EXPECT_EQ(svg.rfind("<?xml", 0) == 0 || svg.rfind("<svg", 0) == 0, true) << svg.substr(0, 80);
  EXPECT_NE(svg.find("Records screened (n = " + std::to_string(n("records_screened")) + ")"), std::string::npos);
  EXPECT_NE(svg.find("(n = " + std::to_string(n("duplicates")) + ")"), std::string::npos);
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
