// End-to-end tests of `metasift import`: the built binary (METASIFT_BIN, set by CTest) is run on the
// fixtures, and its output, stderr and exit code are checked.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct run_result {
  int code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path temp_dir() {
  const fs::path dir = fs::temp_directory_path() / ("metasift_import_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

run_result run(const std::string& args) {
  const char* bin = std::getenv("METASIFT_BIN");
  if (bin == nullptr) throw std::runtime_error("METASIFT_BIN not set (run through ctest)");
  const fs::path dir = temp_dir();
  const fs::path out = dir / "stdout";
  const fs::path err = dir / "stderr";
  const std::string cmd = std::string(bin) + " " + args + " >" + out.string() + " 2>" + err.string();
  const int status = std::system(cmd.c_str());
  run_result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

std::string fixture(const std::string& name) {
  return std::string(METASIFT_REVIEW_FIXTURES) + "/" + name;
}

TEST(ImportCli, JsonHasRecordsFilesAndWarnings) {
  const run_result r = run("import " + fixture("ris_quirks.ris") + " " + fixture("medline.nbib") + " " +
                           fixture("gbk.bib") + " --database Demo");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["records"].size(), 7U);
  ASSERT_EQ(j["files"].size(), 3U);
  EXPECT_EQ(j["files"][0]["file"], fixture("ris_quirks.ris"));
  EXPECT_EQ(j["files"][0]["format"], "ris");
  EXPECT_EQ(j["files"][0]["charset"], "utf-8");
  EXPECT_EQ(j["files"][0]["count"], 3);
  EXPECT_EQ(j["files"][1]["format"], "medline");
  EXPECT_EQ(j["files"][2]["charset"], "gb18030");
  EXPECT_EQ(j["warnings"].size(), 3U);
  const auto& rec = j["records"][1];
  EXPECT_EQ(rec["id"], "Demo:1");
  EXPECT_EQ(rec["database"], "Demo");
  EXPECT_EQ(rec["type"], "journal-article");
  EXPECT_TRUE(rec["year"].is_null());
  EXPECT_EQ(j["records"][6]["title"], "\u7a00\u571f\u5f00\u91c7\u7684\u73af\u5883\u6210\u672c");
  EXPECT_NE(r.err.find("3 records (ris, utf-8)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("warning: " + fixture("ris_quirks.ris") + ":31: cannot read a year"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("7 records from 3 files"), std::string::npos) << r.err;
}

TEST(ImportCli, CsvAndRisOutputToFile) {
  const fs::path out = temp_dir() / "records.csv";
  run_result r = run("import " + fixture("wos.ciw") + " --format csv --out " + out.string() + " -q");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_TRUE(r.err.empty());
  const std::string csv = slurp(out);
  EXPECT_EQ(csv.rfind("id,source_file,source_line,source_id,source_format,database,type,title,authors,year,", 0), 0U);
  EXPECT_NE(csv.find(",\"Li, Wei; Dou, Zhiguo\",2020,"), std::string::npos) << csv;

  r = run("import " + fixture("endnote.xml") + " --format ris -q");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("TY  - JOUR\r\nID  - 42\r\nTI  - Rare earth mining & water quality \u2013 a review\r\n", 0), 0U)
      << r.out;
  std::size_t records = 0;
  for (std::size_t p = r.out.find("ER  - "); p != std::string::npos; p = r.out.find("ER  - ", p + 1)) ++records;
  EXPECT_EQ(records, 3U);
}

TEST(ImportCli, ErrorsAndExitCodes) {
  const fs::path prose = temp_dir() / "prose.txt";
  std::ofstream(prose) << "Dear reviewer,\nplease find attached.\n";
  run_result r = run("import " + prose.string());
  EXPECT_EQ(r.code, 3) << r.err;
  // Prose may be sniffed as a one-column CSV; either way the answer is one data error naming the file.
  EXPECT_NE(r.err.find(prose.string() + ":"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  r = run("import " + fixture("medline.nbib") + " --input-format marc");
  EXPECT_EQ(r.code, 2) << r.err;
  r = run("import " + fixture("medline.nbib") + " --format xml");
  EXPECT_EQ(r.code, 2) << r.err;
  r = run("import /no/such/file.ris");
  EXPECT_EQ(r.code, 2) << r.err;
}

}  // namespace
