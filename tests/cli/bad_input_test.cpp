// The bad-input catalogue (docs/bad-input.md), one test per case: each input gets its documented
// exit code and a one-line message naming file:line:column where that applies, never a crash, and
// never a partial output file. The table here and the table in the docs list the same cases in
// the same order; a case added to one belongs in the other.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <regex>
#include <string>
#include <vector>

#include "support/cli.hpp"

namespace {

namespace fs = std::filesystem;
using metasift::test::run_metasift;
using metasift::test::scratch_folder;

struct input_file {
  std::string name;
  std::string content;
};

struct bad_case {
  std::string id;
  std::vector<input_file> files;
  std::string args;         ///< metasift arguments, run in the case's folder
  int code;                 ///< documented exit code
  std::string message;      ///< regex that stderr (code != 0) or stdout+stderr (code 0) must contain
  std::string no_output{};  ///< a file the command was asked to write, which must not exist after a failure
};

const std::string md_header = "study,n1,mean1,sd1,n2,mean2,sd2\n";
const std::string ok_row = "B,10,1,1,10,2,1\n";

std::string long_field() {
  return "study,yi,vi\n" + std::string(10'000'000, 'A') + ",0.5,0.01\nB,0.2,0.02\n";
}

std::string binary_junk() {
  std::string s;
  for (int i = 0; i < 4096; ++i) s += static_cast<char>((i * 151 + 7) % 256);
  return s;
}

std::vector<bad_case> catalogue() {
  return {
      // --- study data (meta, regress, bias, ... share the reader) ---
      {"empty_file",
       {{"d.csv", ""}},
       "meta d.csv --forest f.svg",
       3,
       R"(^metasift: d\.csv: file is empty\n$)",
       "f.svg"},
      {"header_only",
       {{"d.csv", md_header}},
       "meta d.csv --measure MD --forest f.svg",
       3,
       R"(d\.csv:1: the table has a header but no study rows)",
       "f.svg"},
      {"missing_column",
       {{"d.csv", "study,n1,mean1,sd1,n2,mean2\nA,10,1,1,10,2\n"}},
       "meta d.csv --measure MD",
       3,
       R"(d\.csv:1: missing column 'sd2' required by measure MD \(columns present: study, n1, mean1, sd1, n2, mean2\))"},
      {"duplicate_column",
       {{"d.csv", "study,n1,n1,sd1,n2,mean2,sd2\nA,10,1,1,10,2,1\n"}},
       "meta d.csv --measure MD",
       3,
       R"(d\.csv:1:10: duplicate column name 'n1' \(also column 2\))"},
      {"non_numeric",
       {{"d.csv", md_header + "A,10,abc,1,10,2,1\n" + ok_row}},
       "meta d.csv --measure MD --format json --out r.json",
       3,
       R"(d\.csv:2:6: column 'mean1': not a number: "abc")",
       "r.json"},
      {"nan_cell",
       {{"d.csv", md_header + "A,10,NaN,1,10,2,1\n" + ok_row}},
       "meta d.csv --measure MD",
       3,
       R"(d\.csv:2:6: column 'mean1': not a finite number: "NaN")"},
      {"inf_cell",
       {{"d.csv", md_header + "A,10,1,1,10,-Inf,1\n" + ok_row}},
       "meta d.csv --measure MD",
       3,
       R"(d\.csv:2:13: column 'mean2': not a finite number: "-Inf")"},
      {"negative_sd",
       {{"d.csv", md_header + "A,10,1,-1,10,2,1\n" + ok_row}},
       "meta d.csv --measure MD",
       3,
       R"(d\.csv:2:8: column 'sd1': must not be negative, got -1)"},
      {"negative_variance",
       {{"d.csv", "study,yi,vi\nA,0.1,-0.01\nB,0.2,0.02\n"}},
       "meta d.csv",
       3,
       R"(d\.csv:2:7: column 'vi': must be positive, got -0\.01)"},
      {"n_of_one",
       {{"d.csv", md_header + "A,1,1,1,10,2,1\n" + ok_row}},
       "meta d.csv --measure MD",
       3,
       R"(d\.csv:2:3: column 'n1': must be at least 2, got 1 \(a standard deviation needs two observations\))"},
      {"n_of_zero",
       {{"d.csv", "study,events1,n1,events2,n2\nA,0,0,3,10\nB,1,10,2,10\n"}},
       "meta d.csv --measure OR",
       3,
       R"(d\.csv:2:5: column 'n1': must be positive, got 0)"},
      {"events_above_n",
       {{"d.csv", "study,events1,n1,events2,n2\nA,12,10,3,10\nB,1,10,2,10\n"}},
       "meta d.csv --measure OR",
       3,
       R"(d\.csv:2:3: column 'events1': must not exceed column 'n1' \(10\), got 12)"},
      {"duplicate_labels",
       {{"d.csv", md_header + "A,10,1,1,10,2,1\nA,12,1,1,10,2,1\n"}},
       "meta d.csv --measure MD",
       0,
       R"(Warning: study label 'A' appears more than once \(studies 1 and 2\); they are pooled as separate studies)"},
      {"single_study",
       {{"d.csv", md_header + "A,10,1,1,10,2,1\n"}},
       "meta d.csv --measure MD",
       0,
       R"(Status: degenerate\nWarning: k = 1: the pooled estimate is the single study's)"},
      {"identical_effects",
       {{"d.csv", "study,yi,vi\nA,0.5,0.01\nB,0.5,0.02\nC,0.5,0.03\n"}},
       "meta d.csv",
       0,
       R"(Warning: all study effects are identical: Q = 0 and tau\^2 = 0)"},
      {"huge_magnitudes",
       {{"d.csv", "study,yi,vi\nA,1e300,1e-300\nB,-1e300,1e300\n"}},
       "meta d.csv --forest f.svg",
       3,
       R"(^metasift: d\.csv: study 'A': effect 1e\+300 with variance 1e-300 is beyond what double precision can pool)",
       "f.svg"},
      {"tiny_magnitudes",
       {{"d.csv", "study,yi,vi\nA,1e-300,0.01\nB,-1e-300,0.02\n"}},
       "meta d.csv",
       0,
       R"(Overall +0\.00 \[ -0\.16,  0\.16\])"},
      {"decimal_comma_with_comma_delimiter",
       {{"d.csv", "study,yi,vi\nA,0,5,0,01\nB,0,2,0,02\n"}},
       "meta d.csv",
       3,
       R"(d\.csv:2:1: row has 5 fields, header has 3 \(decimal commas in a comma-separated file\? Use ';' between fields or '\.' in numbers\))"},
      {"wrong_delimiter",
       {{"d.csv", "study|yi|vi\nA|0.5|0.01\nB|0.2|0.02\n"}},
       "meta d.csv",
       2,
       R"(option '--measure': not given, and the data have no 'yi' column to pool as generic effects \(columns present: study\|yi\|vi\))"},
      {"invalid_utf8",
       {{"d.csv", "study,yi,vi\nA\xff\xfe,0.5,0.01\nB,0.2,0.02\n"}},
       "meta d.csv",
       3,
       R"(d\.csv:2:2: invalid UTF-8 \(byte 0xFF\); save the file with UTF-8 encoding)"},
      {"binary_junk", {{"d.csv", binary_junk()}}, "meta d.csv", 3, R"(d\.csv:1:[0-9]+: invalid UTF-8)"},
      {"ten_million_character_field", {{"d.csv", long_field()}}, "meta d.csv", 0, R"(\nA{57}\.\.\. +0\.50 \[)"},
      // --- bibliographic records: nothing is dropped; the damage is reported with its line ---
      {"bibtex_unbalanced_braces",
       {{"r.bib",
         "@article{a1,\n  title = {Rare {earth mining in China},\n  year = 2015\n}\n"
         "@article{a2,\n  title = {Second},\n  year = 2016\n}\n"}},
       "import r.bib --format csv",
       0,
       R"(warning: r\.bib:1: @article\{a1\} is not closed with '\}'[\s\S]*r\.bib: 2 records)"},
      {"ris_cut_mid_record",
       {{"r.ris", "TY  - JOUR\nTI  - First record\nER  - \n\nTY  - JOUR\nTI  - Cut record\nAU  - Li, X.\n"}},
       "import r.ris --format csv",
       0,
       R"(warning: r\.ris:5: record has no 'ER  -' line[\s\S]*r\.ris: 2 records)"},
      // --- review.toml ---
      {"review_missing_file",
       {{"review.toml", "title = \"t\"\n[[sources]]\nname = \"S\"\nfiles = [\"nothere.ris\"]\n"}},
       "screen review.toml --audit audit.csv",
       4,
       R"(cannot read '.*nothere\.ris': No such file or directory)",
       "audit.csv"},
      {"review_file_outside_folder",
       {{"review.toml", "title = \"t\"\n[[sources]]\nname = \"S\"\nfiles = [\"../outside.ris\"]\n"}},
       "screen review.toml --audit audit.csv",
       3,
       R"(review\.toml:4:10: path '\.\./outside\.ris' escapes the review folder)",
       "audit.csv"},
  };
}

// gtest prints a parameter as its bytes unless told otherwise.
[[maybe_unused]] void PrintTo(const bad_case& c, std::ostream* os) {
  *os << c.id;
}

class BadInput : public ::testing::TestWithParam<bad_case> {};

TEST_P(BadInput, GetsItsDocumentedAnswer) {
  const bad_case& c = GetParam();
  const fs::path dir = scratch_folder("bad_input/" + c.id);
  for (const auto& f : c.files) std::ofstream(dir / f.name, std::ios::binary) << f.content;
  const auto r = run_metasift(c.args, dir);
  EXPECT_EQ(r.code, c.code) << "stderr: " << r.err.substr(0, 2000);
  const std::string text = c.code == 0 ? r.out + r.err : r.err;
  EXPECT_TRUE(std::regex_search(text, std::regex(c.message))) << "expected /" << c.message << "/ in:\n"
                                                              << text.substr(0, 2000);
  if (c.code != 0) {
    // One line, no stack of messages and nothing on stdout.
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out.substr(0, 500);
  }
  if (!c.no_output.empty()) {
    EXPECT_FALSE(fs::exists(dir / c.no_output)) << c.no_output << " was written by a failed run";
    for (const auto& e : fs::directory_iterator(dir)) {
      EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << "temporary file left: " << e.path();
    }
  }
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Catalogue, BadInput, ::testing::ValuesIn(catalogue()),
                         [](const ::testing::TestParamInfo<bad_case>& p) { return p.param.id; });

}  // namespace
