// Review file, screening pipeline, PRISMA counts and the audit trail, end to end on the small
// rare-earth review in fixtures/screening/ (15 records written for the project: 10 Scopus RIS,
// 5 PubMed MEDLINE), plus the error paths: bad review files, bad decisions, counts that do not
// add up.

#include "metasift/review/screen.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "metasift/core/error.hpp"
#include "metasift/io/table.hpp"
#include "metasift/review/audit.hpp"
#include "metasift/review/prisma.hpp"
#include "metasift/review/review_file.hpp"

namespace {

namespace fs = std::filesystem;
using namespace metasift::review;

const fs::path fixture = fs::path(METASIFT_REVIEW_FIXTURES) / "screening";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A scratch copy of the fixture review in a fresh folder, with review.toml and decisions.csv
/// replaceable.
fs::path scratch_review(const std::string& name, const std::string& toml = "", const std::string& decisions = "") {
  const fs::path dir = fs::temp_directory_path() / ("metasift_screen_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "records");
  fs::copy_file(fixture / "records" / "scopus.ris", dir / "records" / "scopus.ris");
  fs::copy_file(fixture / "records" / "pubmed.nbib", dir / "records" / "pubmed.nbib");
  std::ofstream(dir / "review.toml", std::ios::binary) << (toml.empty() ? slurp(fixture / "review.toml") : toml);
  std::ofstream(dir / "decisions.csv", std::ios::binary)
      << (decisions.empty() ? slurp(fixture / "decisions.csv") : decisions);
  return dir / "review.toml";
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const metasift::error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ScreenPipeline, FixtureReviewEndToEnd) {
  const review_spec spec = load_review_file(fixture / "review.toml");
  const screen_result res = run_screening(spec);
  const prisma_counts& p = res.prisma;
  EXPECT_EQ(p.database_results, 15U);
  ASSERT_EQ(p.database_specific_results.size(), 2U);
  EXPECT_EQ(p.database_specific_results[0].name, "Scopus");
  EXPECT_EQ(p.database_specific_results[0].n, 10U);
  EXPECT_EQ(p.database_specific_results[1].n, 5U);
  EXPECT_EQ(p.duplicates, 3U);        // Scopus S9 = S2, Scopus S3 = PubMed 31200001, PubMed 26000002 = S1
  EXPECT_EQ(p.maybe_duplicates, 1U);  // the preprint of S6 (another DOI)
  EXPECT_EQ(p.excluded_automatic, 5U);
  ASSERT_EQ(p.excluded_automatic_reasons.size(), 4U);
  EXPECT_EQ(p.excluded_automatic_reasons[0].name, "Not matched by the search query");
  EXPECT_EQ(p.excluded_automatic_reasons[0].n, 1U);  // copper mining
  EXPECT_EQ(p.excluded_automatic_reasons[1].n, 1U);  // 1998
  EXPECT_EQ(p.excluded_automatic_reasons[2].n, 2U);  // conference paper, preprint
  EXPECT_EQ(p.excluded_automatic_reasons[3].n, 1U);  // Brazil
  EXPECT_EQ(p.excluded_other, 0U);
  EXPECT_EQ(p.records_screened, 7U);
  EXPECT_EQ(p.records_excluded, 1U);
  EXPECT_EQ(p.dbr_sought_reports, 6U);
  EXPECT_EQ(p.dbr_notretrieved_reports, 1U);
  EXPECT_EQ(p.dbr_assessed, 4U);
  EXPECT_EQ(p.awaiting_full_text, 1U);
  ASSERT_EQ(p.dbr_excluded.size(), 2U);
  EXPECT_EQ(p.dbr_excluded[0].name, "No economic data");
  EXPECT_EQ(p.new_studies, 2U);
  EXPECT_EQ(p.new_reports, 2U);
  EXPECT_TRUE(prisma_violations(p).empty());

  // The audit trail: every input record, once, with its path.
  const std::string csv = format_audit_csv(spec, res);
  const metasift::io::table t = metasift::io::parse_table(csv, "audit.csv");
  ASSERT_EQ(t.rows.size(), 15U);
  const std::size_t c_record = *t.find("record"), c_status = *t.find("final_status"), c_dup = *t.find("duplicate_of"),
                    c_crit = *t.find("failed_criterion"), c_ft = *t.find("full_text_decision");
  std::map<std::string, std::vector<std::string>> by_key;
  for (const auto& row : t.rows) by_key[row[c_record]] = row;
  EXPECT_EQ(by_key.size(), 15U);
  EXPECT_EQ(by_key["Scopus:S9"][c_status], "duplicate");
  EXPECT_EQ(by_key["Scopus:S9"][c_dup], "Scopus:S2");
  EXPECT_EQ(by_key["Scopus:S2"][c_status], "excluded-full-text");  // the decision named S9
  EXPECT_EQ(by_key["Scopus:S2"][c_ft], "exclude");
  EXPECT_EQ(by_key["Scopus:S3"][c_dup], "PubMed:31200001");
  EXPECT_EQ(by_key["PubMed:31200001"][c_status], "included");
  EXPECT_EQ(by_key["Scopus:S1"][c_status], "included");
  EXPECT_EQ(by_key["Scopus:S4"][c_crit], "date");
  EXPECT_EQ(by_key["Scopus:S5"][c_crit], "china");
  EXPECT_EQ(by_key["Scopus:S7"][c_crit], "peer-reviewed");
  EXPECT_EQ(by_key["Scopus:S8"][c_crit], "search");
  EXPECT_EQ(by_key["Scopus:S10"][c_status], "excluded-title-abstract");
  EXPECT_EQ(by_key["PubMed:32000003"][c_status], "not-retrieved");
  EXPECT_EQ(by_key["Scopus:S6"][c_status], "awaiting-full-text");
  EXPECT_EQ(by_key["PubMed:32000005"][*t.find("dedup_status")], "maybe");
  // The decision on a record excluded automatically is reported, not silently used.
  ASSERT_EQ(res.warnings.size(), 1U);
  EXPECT_NE(res.warnings[0].find("decisions.csv:12: decision on Scopus:S4 ignored"), std::string::npos)
      << res.warnings[0];
  // Query lint carries review.toml positions: column 10 of line 14 is the loose phrase
  // "rare earth*", to which Scopus would add plurals and spelling variants.
  ASSERT_FALSE(res.query_diagnostics.empty());
  EXPECT_NE(res.query_diagnostics[0].find("review.toml:14:10: info I204"), std::string::npos)
      << res.query_diagnostics[0];
}

TEST(ScreenPipeline, PrismaJsonUsesPrisma2020KeysAndRoundTrips) {
  const screen_result res = run_screening(load_review_file(fixture / "review.toml"));
  const std::string json = format_prisma_json(res.prisma);
  const auto j = nlohmann::json::parse(json);
  for (const char* key : {"database_results", "database_specific_results", "duplicates", "excluded_automatic",
                          "excluded_other", "records_screened", "records_excluded", "dbr_sought_reports",
                          "dbr_notretrieved_reports", "dbr_assessed", "dbr_excluded", "new_studies", "new_reports"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["database_specific_results"][1]["name"], "PubMed");
  EXPECT_EQ(j["dbr_excluded"][1]["reason"], "Wrong outcome");
  EXPECT_EQ(j["metasift"]["excluded_automatic_reasons"][3]["reason"], "Not focused on China");
  const prisma_counts back = parse_prisma_json(json, "prisma.json");
  EXPECT_EQ(format_prisma_json(back), json);
}

TEST(ScreenPipeline, DiagramIsDeterministicAndHasEveryBox) {
  const screen_result res = run_screening(load_review_file(fixture / "review.toml"));
  const std::string a = prisma_svg(res.prisma), b = prisma_svg(res.prisma);
  EXPECT_EQ(a, b);
  for (const char* s :
       {"Identification of studies via databases and registers", "Databases (n = 15)", "Scopus (n = 10)",
        "PubMed (n = 5)", "Duplicate records removed (n = 3)", "Records screened (n = 7)",
        "Reports sought for retrieval (n = 6)", "Reports not retrieved (n = 1)",
        "Reports assessed for eligibility (n = 4)", "Wrong outcome (n = 1)", "Studies included in review (n = 2)",
        ">Identification<", ">Screening<", ">Included<"}) {
    EXPECT_NE(a.find(s), std::string::npos) << s;
  }
}

TEST(ScreenPipeline, DecisionNamingNoRecordIsAnErrorWithItsLine) {
  const fs::path review = scratch_review("noname", "",
                                         "record,stage,decision,reason\nScopus:S1,title-abstract,include,\n"
                                         "Scopus:S99,title-abstract,exclude,Off topic\n");
  const std::string e = error_of([&] { (void)run_screening(load_review_file(review)); });
  EXPECT_NE(e.find("decisions.csv:3:1: record: 'Scopus:S99' names no record of this review"), std::string::npos) << e;
}

TEST(ScreenPipeline, ConflictingAndInconsistentDecisionsAreErrors) {
  // S2 and S9 are one record: include and exclude at the same stage conflict.
  fs::path review = scratch_review("conflict", "",
                                   "record,stage,decision,reason\nScopus:S2,full-text,include,\n"
                                   "Scopus:S9,full-text,exclude,No data\n");
  std::string e = error_of([&] { (void)run_screening(load_review_file(review)); });
  EXPECT_NE(e.find("decisions.csv:3:1: record: conflicting full-text decisions for Scopus:S2"), std::string::npos) << e;
  review = scratch_review("stage", "", "record,stage,decision\nScopus:S1,title-abstract,not-retrieved\n");
  e = error_of([&] { (void)run_screening(load_review_file(review)); });
  EXPECT_NE(e.find("not-retrieved is a full-text decision"), std::string::npos) << e;
  review = scratch_review("after", "",
                          "record,stage,decision,reason\nScopus:S1,title-abstract,exclude,Off topic\n"
                          "Scopus:S1,full-text,include,\n");
  e = error_of([&] { (void)run_screening(load_review_file(review)); });
  EXPECT_NE(e.find("has a full-text decision but was excluded at title-abstract (line 2)"), std::string::npos) << e;
}

TEST(ReviewFile, ErrorsNameTheFileLineAndColumn) {
  const std::string base = "title = \"t\"\n[[sources]]\nname = \"Scopus\"\nfiles = [\"records/scopus.ris\"]\n";
  auto err = [&](const std::string& toml) {
    return error_of([&] { (void)parse_review_file(toml, fixture / "review.toml"); });
  };
  EXPECT_NE(err(base + "[search]\nquery = 'rare earth AND (mining'\n").find("review.toml:6:25: E001 unbalanced"),
            std::string::npos)
      << err(base + "[search]\nquery = 'rare earth AND (mining'\n");
  EXPECT_NE(err(base + "[[criteria]]\nid = \"x\"\nreason = \"r\"\nyeras = [2000, 2020]\n")
                .find("review.toml:8:1: unknown key 'yeras'"),
            std::string::npos);
  EXPECT_NE(err(base + "[[criteria]]\nid = \"x\"\nreason = \"r\"\n").find("checks nothing"), std::string::npos);
  EXPECT_NE(
      err(base + "[[criteria]]\nid = \"x\"\nreason = \"r\"\ntypes = [\"article\"]\n").find("unknown type 'article'"),
      std::string::npos);
  EXPECT_NE(err("title = \"t\"\n[[sources]]\nname = \"S\"\nfiles = [\"../../etc/passwd\"]\n")
                .find("review.toml:4:10: path '../../etc/passwd' escapes the review folder"),
            std::string::npos)
      << err("title = \"t\"\n[[sources]]\nname = \"S\"\nfiles = [\"../../etc/passwd\"]\n");
  EXPECT_NE(err("[[sources]]\nname = \"S\"\nfiles = [\"/etc/passwd\"]\n").find("must be relative"), std::string::npos);
  EXPECT_NE(err("title = \"t\"\n").find("no [[sources]]"), std::string::npos);
  EXPECT_NE(err("title = \n").find("review.toml:1:"), std::string::npos);  // TOML syntax error
  EXPECT_NE(err(base + "[search]\nquery = 'x'\ndialect = \"ovid\"\n").find("unknown dialect 'ovid'"),
            std::string::npos);
}

TEST(ReviewFile, ParsesTheIssueSchema) {
  const review_spec s = load_review_file(fixture / "review.toml");
  EXPECT_EQ(s.title, "Rare earth mining in China: economic benefits and environmental costs");
  ASSERT_EQ(s.sources.size(), 2U);
  EXPECT_EQ(s.sources[1].name, "PubMed");
  ASSERT_TRUE(s.search.has_value());
  EXPECT_EQ(s.search->dialect, query_dialect::scopus);
  ASSERT_EQ(s.criteria.size(), 3U);
  EXPECT_EQ(s.criteria[0].years->first, 2000);
  EXPECT_EQ(s.criteria[1].types.size(), 2U);
  ASSERT_TRUE(s.criteria[2].query.has_value());
  EXPECT_EQ(s.criteria[2].query->parsed().dialect, query_dialect::scopus);  // inherits [search].dialect
  ASSERT_TRUE(s.decisions.has_value());
}

TEST(PrismaCounts, InvariantsCatchCountsThatDoNotAddUp) {
  prisma_counts c;
  c.database_results = 100;
  c.database_specific_results = {{"Scopus", 60}, {"PubMed", 40}};
  c.duplicates = 20;
  c.excluded_automatic = 10;
  c.excluded_automatic_reasons = {{"Published before 2000", 10}};
  c.records_screened = 70;
  c.records_excluded = 50;
  c.dbr_sought_reports = 20;
  c.dbr_notretrieved_reports = 2;
  c.dbr_assessed = 18;
  c.dbr_excluded = {{"Wrong population", 8}};  // a single reason (PRISMA2020 issue #70)
  c.new_studies = 10;
  c.new_reports = 10;
  EXPECT_TRUE(prisma_violations(c).empty());
  EXPECT_NO_THROW(check_prisma(c));
  c.records_screened = 71;
  c.dbr_excluded[0].n = 7;
  const auto v = prisma_violations(c);
  ASSERT_EQ(v.size(), 3U);
  EXPECT_NE(v[0].find("records_screened = 71 but database_results - duplicates - excluded_automatic - excluded_other"),
            std::string::npos);
  EXPECT_THROW(check_prisma(c), metasift::error);
}

}  // namespace
