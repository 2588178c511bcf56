// The extraction codebook ([extraction] in review.toml) and `metasift extract check` on a small
// review with two extractors, written by the tests.
#include "metasift/review/extraction.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "metasift/core/error.hpp"

namespace {

namespace fs = std::filesystem;
using metasift::review::field_type;
using metasift::review::parse_extraction;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

std::string parse_error(const std::string& toml) {
  try {
    (void)parse_extraction(toml, "review.toml");
  } catch (const metasift::input_error& e) {
    return e.what();
  }
  return "(no error)";
}

const std::string codebook =
    "[extraction]\n"                                                     // 1
    "extractors = { reviewer_a = \"a.csv\", reviewer_b = \"b.csv\" }\n"  // 2
    "consensus = \"consensus.csv\"\n"                                    // 3
    "[[extraction.fields]]\n"                                            // 4
    "id = \"country\"\n"
    "type = \"enum\"\n"
    "values = [\"China\", \"Australia\", \"Canada\", \"Other\"]\n"
    "required = true\n"
    "[[extraction.fields]]\n"
    "id = \"design\"\n"
    "type = \"enum\"\n"
    "values = [\"cross-sectional\", \"cohort\", \"case-study\", \"other\"]\n"
    "[[extraction.fields]]\n"
    "id = \"n_sites\"\n"
    "type = \"integer\"\n"
    "min = 1\n"
    "[[extraction.fields]]\n"
    "id = \"year\"\n"
    "type = \"year\"\n"
    "[[extraction.fields]]\n"
    "id = \"mining\"\n"
    "type = \"boolean\"\n"
    "[[extraction.fields]]\n"
    "id = \"notes\"\n"
    "type = \"text\"\n";

TEST(ExtractionCodebook, ParsesFieldsExtractorsAndConsensus) {
  const auto spec = parse_extraction(codebook, "rev/review.toml");
  ASSERT_TRUE(spec.has_value());
  ASSERT_EQ(spec->fields.size(), 6u);
  EXPECT_EQ(spec->fields[0].id, "country");
  EXPECT_EQ(spec->fields[0].type, field_type::enumeration);
  EXPECT_TRUE(spec->fields[0].required);
  EXPECT_EQ(spec->fields[0].values.size(), 4u);
  EXPECT_EQ(spec->fields[2].type, field_type::integer);
  ASSERT_TRUE(spec->fields[2].min.has_value());
  EXPECT_EQ(*spec->fields[2].min, 1.0);
  EXPECT_FALSE(spec->fields[2].max.has_value());
  ASSERT_EQ(spec->extractors.size(), 2u);
  EXPECT_EQ(spec->extractors[0].name, "reviewer_a");
  EXPECT_EQ(spec->extractors[1].path, fs::path("rev/b.csv"));
  ASSERT_TRUE(spec->consensus.has_value());
  EXPECT_FALSE(parse_extraction("title = \"x\"\n", "review.toml").has_value());
}

TEST(ExtractionCodebook, BadCodebookNamesReviewTomlLineAndColumn) {
  const std::string head = "[extraction]\nfile = \"x.csv\"\n[[extraction.fields]]\nid = \"a\"\n";
  EXPECT_NE(parse_error(head + "type = \"float\"\n").find("review.toml:5:8: unknown type 'float'"), std::string::npos)
      << parse_error(head + "type = \"float\"\n");
  EXPECT_NE(parse_error(head + "type = \"enum\"\n").find("review.toml:3:1: field 'a' is an enum without values"),
            std::string::npos);
  EXPECT_NE(parse_error(head + "type = \"text\"\nmin = 2\n").find("review.toml:6:7: 'min' is for number, integer"),
            std::string::npos);
  EXPECT_NE(parse_error(head + "type = \"text\"\nvalues = [\"x\"]\n").find("review.toml:6:10: 'values' is for type"),
            std::string::npos);
  EXPECT_NE(
      parse_error(head + "type = \"integer\"\nmin = 5\nmax = 2\n").find("review.toml:7:7: max (2) is below min (5)"),
      std::string::npos);
  EXPECT_NE(parse_error(head + "type = \"text\"\nrequird = true\n").find("review.toml:6:1: unknown key 'requird'"),
            std::string::npos);
  EXPECT_NE(parse_error(head + "type = \"text\"\n[[extraction.fields]]\nid = \"A\"\ntype = \"text\"\n")
                .find("review.toml:7:6: field id 'A' is used twice"),
            std::string::npos);
  EXPECT_NE(parse_error("[extraction]\nfile = \"x.csv\"\nextractors = { a = \"y.csv\" }\n[[extraction.fields]]\nid = "
                        "\"a\"\ntype = \"text\"\n")
                .find("not both"),
            std::string::npos);
  EXPECT_NE(parse_error("[extraction]\nfile = \"../x.csv\"\n[[extraction.fields]]\nid = \"a\"\ntype = \"text\"\n")
                .find("review.toml:2:8: path '../x.csv' escapes the review folder"),
            std::string::npos);
}

// ---- end to end: `metasift extract check` ----

struct cli_result {
  int code = -1;
  std::string out, err;
};

cli_result run_metasift(const std::string& args, const fs::path& dir) {
  const char* bin = std::getenv("METASIFT_BIN");
  if (bin == nullptr) throw std::runtime_error("METASIFT_BIN not set (run through ctest)");
  const std::string cmd = "cd '" + dir.string() + "' && '" + bin + "' " + args + " >.out 2>.err";
  const int status = std::system(cmd.c_str());
  cli_result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(dir / ".out");
  r.err = slurp(dir / ".err");
  return r;
}

// Four records: A1 (DOI 10.1234/alpha), B2 and D4 included at full text, C3 excluded.
std::string ris_record(const std::string& id, const std::string& title, const std::string& doi) {
  return "TY  - JOUR\r\nAU  - Author, A.\r\nTI  - " + title + "\r\nPY  - 2020\r\n" +
         (doi.empty() ? "" : "DO  - " + doi + "\r\n") + "ID  - " + id + "\r\nER  - \r\n\r\n";
}

fs::path two_extractor_review(const std::string& name, const std::string& a, const std::string& b) {
  const fs::path dir = fs::temp_directory_path() / ("metasift_extract_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  write(dir / "records/db.ris", ris_record("A1", "Mining towns and wellbeing", "10.1234/alpha") +
                                    ris_record("B2", "Rare earth mining and river water", "") +
                                    ris_record("C3", "Something else entirely", "") +
                                    ris_record("D4", "Tailings in Baotou", ""));
  write(dir / "decisions.csv",
        "record,stage,decision,reason\n10.1234/alpha,full-text,include,\nDB:B2,full-text,include,\n"
        "DB:C3,title-abstract,exclude,Off topic\nDB:D4,full-text,include,\n");
  std::string toml = codebook;
  toml.replace(toml.find("a.csv"), 5, "extraction/reviewer_a.csv");
  toml.replace(toml.find("b.csv"), 5, "extraction/reviewer_b.csv");
  toml.replace(toml.find("consensus.csv"), 13, "extraction/consensus.csv");
  write(dir / "review.toml",
        "title = \"T\"\n[[sources]]\nname = \"DB\"\nfiles = [\"records/db.ris\"]\n[screening]\n"
        "decisions = \"decisions.csv\"\n" +
            toml);
  write(dir / "extraction/reviewer_a.csv", a);
  write(dir / "extraction/reviewer_b.csv", b);
  return dir;
}

const std::string header = "record,country,design,n_sites,year,mining,notes,source\n";

TEST(ExtractCheckCli, TwoExtractorsDiscrepanciesMissingRowsAndCellErrors) {
  const fs::path dir = two_extractor_review("two",
                                            header +
                                                "10.1234/alpha,China,cohort,3,2020,yes,ok,p. 4\n"
                                                "DB:B2,Australia,case-study,1,2021,true,,Table 2\n"
                                                "DB:C3,Other,other,1,2019,no,,\n",
                                            header +
                                                "DB:A1,China,cross-sectional,3.0,2020,1,ok,\n"
                                                "DB:B2,Canada,case-study,0,2021,TRUE,,\n"
                                                "DB:D4,china,other,2,2022,no,x,\n");
  const cli_result r = run_metasift("extract check review.toml --format json", dir);
  EXPECT_EQ(r.code, 3) << r.err;  // cell errors make the check fail
  EXPECT_NE(r.err.find("the extraction files have 3 invalid cells"), std::string::npos) << r.err;
  const auto j = nlohmann::json::parse(r.out);

  // Errors, each at its cell.
  ASSERT_EQ(j["errors"].size(), 3u) << j["errors"].dump(2);
  const std::string a = (fs::path("extraction") / "reviewer_a.csv").string();
  const std::string b = (fs::path("extraction") / "reviewer_b.csv").string();
  EXPECT_NE(j["errors"][0].get<std::string>().find(a + ":4:1: column 'record': record DB:C3 was excluded at "
                                                       "title-abstract screening"),
            std::string::npos)
      << j["errors"][0];
  EXPECT_NE(j["errors"][1].get<std::string>().find(b + ":3:25: column 'n_sites': must be at least 1, got 0"),
            std::string::npos)
      << j["errors"][1];
  EXPECT_NE(
      j["errors"][2].get<std::string>().find(
          b + ":4:7: column 'country': 'china' is not one of China, Australia, Canada, Other (did you mean 'China'?)"),
      std::string::npos)
      << j["errors"][2];

  // Discrepancies: 3 and 3.0 agree, yes and 1 agree, true and TRUE agree; the others do not.
  ASSERT_EQ(j["discrepancies"].size(), 3u) << j["discrepancies"].dump(2);
  EXPECT_EQ(j["discrepancies"][0]["record"], "DB:A1");
  EXPECT_EQ(j["discrepancies"][0]["field"], "design");
  EXPECT_EQ(j["discrepancies"][0]["values"]["reviewer_a"], "cohort");
  EXPECT_EQ(j["discrepancies"][0]["values"]["reviewer_b"], "cross-sectional");
  EXPECT_EQ(j["discrepancies"][1]["record"], "DB:B2");
  EXPECT_EQ(j["discrepancies"][1]["field"], "country");
  EXPECT_EQ(j["discrepancies"][2]["field"], "n_sites");
  EXPECT_FALSE(j["discrepancies"][0].contains("consensus"));

  // D4 is included but reviewer_a has no row for it.
  ASSERT_EQ(j["missing"].size(), 1u);
  EXPECT_EQ(j["missing"][0], "DB:D4");
  EXPECT_NE(j["missing_detail"][0].get<std::string>().find("no row in reviewer_a"), std::string::npos);
  ASSERT_EQ(j["notes"].size(), 1u);  // the consensus file is declared but not there yet
  fs::remove_all(dir);
}

TEST(ExtractCheckCli, CleanFilesExitZeroAndConsensusIsShownBesideADiscrepancy) {
  const std::string rows_a = header + "DB:A1,China,cohort,3,2020,yes,,\nDB:B2,Australia,case-study,1,2021,no,,\n";
  const std::string rows_b = header +
                             "DB:A1,China,cohort,3,2020,yes,,\nDB:B2,Australia,cohort,1,2021,no,,\n"
                             "DB:D4,Other,other,2,2022,no,,\n";
  const fs::path dir = two_extractor_review("clean", rows_a + "DB:D4,Other,other,2,2022,no,,\n", rows_b);
  write(dir / "extraction/consensus.csv",
        header + "DB:A1,China,cohort,3,2020,yes,,\nDB:B2,Australia,case-study,1,2021,no,,\n");
  const cli_result r = run_metasift("extract check review.toml", dir);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2 extractors (reviewer_a, reviewer_b), 3 included records"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("errors: 0\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("DB:B2 design: reviewer_a = case-study, reviewer_b = cohort; consensus = case-study"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("missing: 0\n"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

TEST(ExtractCheckCli, MissingFieldColumnAndUnknownColumnAreErrorsAtTheHeader) {
  const fs::path dir = two_extractor_review("header", "record,country,design,n_sites,year,mining,notes,colour\n",
                                            "record,country,design,n_sites,year,notes\n");
  const cli_result r = run_metasift("extract check review.toml --format json", dir);
  EXPECT_EQ(r.code, 3);
  const std::string errors = nlohmann::json::parse(r.out)["errors"].dump();
  EXPECT_NE(errors.find("reviewer_a.csv:1:49: column 'colour' is not a field of the codebook"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("reviewer_b.csv:1: no column 'mining'"), std::string::npos) << errors;
  fs::remove_all(dir);
}

TEST(ExtractCheckCli, ReviewWithoutExtractionTableIsADataError) {
  const fs::path dir = fs::temp_directory_path() / ("metasift_extract_none_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  write(dir / "records/db.ris", ris_record("A1", "T", ""));
  write(dir / "review.toml", "[[sources]]\nname = \"DB\"\nfiles = [\"records/db.ris\"]\n");
  const cli_result r = run_metasift("extract check review.toml", dir);
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("has no [extraction] table"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

// ---- criteria on extracted fields, in `extract check` ----

/// "line:column" (1-based) of the first occurrence of needle in text, counted here from the text.
std::string position_of(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  if (at == std::string::npos) return "(not found)";
  const auto line_start = text.rfind('\n', at);
  const std::size_t col = line_start == std::string::npos ? at + 1 : at - line_start;
  const std::size_t line =
      1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  return std::to_string(line) + ":" + std::to_string(col);
}

void append(const fs::path& p, const std::string& s) {
  std::ofstream(p, std::ios::binary | std::ios::app) << s;
}

TEST(ExtractCheckCli, CriteriaOnExtractedFieldsFlagIncludedRecordsAndStayWarnings) {
  // A1: China and 3 sites (reviewer_b writes 3.0: the same number); B2: the extractors disagree on the
  // country (Australia, Canada) and there is no consensus file, so B2's country is not flagged; D4:
  // Other and 2 sites, which fails both criteria below.
  const fs::path dir = two_extractor_review("crit",
                                            header +
                                                "DB:A1,China,cohort,3,2020,yes,,\n"
                                                "DB:B2,Australia,case-study,1,2021,no,,\n"
                                                "DB:D4,Other,other,2,2022,no,,\n",
                                            header +
                                                "DB:A1,China,cohort,3.0,2020,yes,,\n"
                                                "DB:B2,Canada,case-study,1,2021,no,,\n"
                                                "DB:D4,Other,other,2,2022,no,,\n");
  append(dir / "review.toml",
         "[[criteria]]\nid = \"china\"\nreason = \"Not about China\"\nfield = \"country\"\nallowed = [\"China\"]\n"
         "[[criteria]]\nid = \"sites\"\nreason = \"One or three sites\"\nfield = \"n_sites\"\nallowed = [1, 3]\n");
  const cli_result t = run_metasift("extract check review.toml", dir);
  EXPECT_EQ(t.code, 0) << t.err;  // flags are warnings for the reviewers, not errors
  EXPECT_NE(t.out.find("criteria: 2 extracted values fail a criterion (the records stay included)\n"),
            std::string::npos)
      << t.out;
  EXPECT_NE(t.out.find("  criterion 'china' (Not about China): included record DB:D4 has country = 'Other' "
                       "(allowed: China)\n"),
            std::string::npos)
      << t.out;
  EXPECT_NE(t.out.find("  criterion 'sites' (One or three sites): included record DB:D4 has n_sites = '2' "
                       "(allowed: 1, 3)\n"),
            std::string::npos)
      << t.out;

  const cli_result r = run_metasift("extract check review.toml --format json", dir);
  EXPECT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["criteria"].size(), 2u) << j.dump(2);
  EXPECT_EQ(j["criteria"][0]["criterion"], "china");
  EXPECT_EQ(j["criteria"][0]["reason"], "Not about China");
  EXPECT_EQ(j["criteria"][0]["record"], "DB:D4");
  EXPECT_EQ(j["criteria"][0]["field"], "country");
  EXPECT_EQ(j["criteria"][0]["value"], "Other");
  EXPECT_EQ(j["criteria"][0]["allowed"], nlohmann::json::array({"China"}));
  EXPECT_EQ(j["criteria"][1]["criterion"], "sites");
  EXPECT_EQ(j["criteria"][1]["record"], "DB:D4");
  EXPECT_EQ(j["criteria"][1]["value"], "2");
  EXPECT_EQ(j["criteria"][1]["allowed"], nlohmann::json::array({"1", "3"}));
  // The disputed country of B2 is a discrepancy, not a flag.
  ASSERT_EQ(j["discrepancies"].size(), 1u) << j["discrepancies"].dump(2);
  EXPECT_EQ(j["discrepancies"][0]["record"], "DB:B2");
  fs::remove_all(dir);
}

TEST(ExtractCheckCli, BadCriterionOnAnExtractedFieldIsOneLineAtReviewToml) {
  const std::string rows = header + "DB:A1,China,cohort,3,2020,yes,,\n";
  struct bad_case {
    std::string criterion;  // the [[criteria]] table's field and allowed lines
    std::string needle;     // where the error must point
    std::string message;    // after "review.toml:line:column: "
  };
  const std::vector<bad_case> cases = {
      {"field = \"country\"\nallowed = [\"China\", \"Chna\"]\n", "\"Chna\"",
       "allowed: criterion 'c' on field 'country': allowed value 'Chna' is not one of China, Australia, Canada, "
       "Other"},
      {"field = \"country\"\nallowed = [\"china\"]\n", "\"china\"",
       "allowed: criterion 'c' on field 'country': allowed value 'china' is not one of China, Australia, Canada, "
       "Other (did you mean 'China'?)"},
      {"field = \"contry\"\nallowed = [\"China\"]\n", "\"contry\"",
       "field: criterion 'c': 'contry' is not a field of the codebook (country, design, n_sites, year, mining, "
       "notes)"},
      {"field = \"n_sites\"\nallowed = [2, 0]\n", "0]",
       "allowed: criterion 'c' on field 'n_sites': allowed value "
       "must be at least 1, got 0"},
      {"field = \"n_sites\"\nallowed = [1.5]\n", "1.5",
       "allowed: criterion 'c' on field 'n_sites': allowed value must be a whole number (integer), got 1.5"},
      {"field = \"year\"\nallowed = [\"soon\"]\n", "\"soon\"",
       "allowed: criterion 'c' on field 'year': allowed value 'soon' is not a number (year field)"},
      {"field = \"mining\"\nallowed = [\"maybe\"]\n", "\"maybe\"",
       "allowed: criterion 'c' on field 'mining': allowed value 'maybe' is not a boolean (true/false, yes/no or "
       "1/0)"},
      {"field = \"notes\"\nallowed = [\" \"]\n", "\" \"",
       "allowed: criterion 'c' on field 'notes': allowed value ' ' is blank; blank values are never flagged"},
  };
  for (const auto& c : cases) {
    const fs::path dir = two_extractor_review("badcrit", rows, rows);
    append(dir / "review.toml", "[[criteria]]\nid = \"c\"\nreason = \"r\"\n" + c.criterion);
    const std::string toml = slurp(dir / "review.toml");
    const std::string criteria = toml.substr(toml.find("[[criteria]]"));
    // The needle is searched in the criterion's table only (the codebook holds "China" too).
    const auto offset = toml.find("[[criteria]]") + criteria.find(c.needle);
    const std::string pos = position_of(toml.substr(0, offset) + "\x02", "\x02");
    const cli_result r = run_metasift("extract check review.toml --format json", dir);
    EXPECT_EQ(r.code, 3) << c.criterion << r.err;
    EXPECT_NE(r.err.find("review.toml:" + pos + ": " + c.message), std::string::npos)
        << c.criterion << "expected at " << pos << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;  // one line
    EXPECT_TRUE(r.out.empty()) << r.out;                                  // refused before the check
    fs::remove_all(dir);
  }
}

}  // namespace
