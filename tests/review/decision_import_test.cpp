// Decisions from other screening tools: Rayyan (RIS and CSV notes), ASReview (the exported
// dataset's label column, CSV and RIS) and Covidence (a list's CSV export). The samples are
// written here to each tool's documented layout (docs/review.md cites the sources); the real
// exports in ../shared/fixtures/more-exports/ are read when present (counts from their SOURCES.md,
// made there with two independent Python methods) and the tests skip visibly otherwise.
//
// The pipeline tests use the 15-record review of screen_test.cpp (fixtures/screening/), whose
// seven records reaching human screening are Scopus:S1, S2, S6, S10 and PubMed:31200001,
// 32000003, 28000004. Every expected count is worked out by hand from the sample written in the
// test.

#include "metasift/review/decision_import.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>

#include "metasift/core/error.hpp"
#include "metasift/io/table.hpp"
#include "metasift/review/audit.hpp"
#include "metasift/review/prisma.hpp"
#include "metasift/review/review_file.hpp"
#include "metasift/review/screen.hpp"

namespace {

namespace fs = std::filesystem;
using namespace metasift::review;

const fs::path fixture = fs::path(METASIFT_REVIEW_FIXTURES) / "screening";
const fs::path shared = fs::path(METASIFT_SHARED_DIR) / "fixtures" / "more-exports";

void put(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const metasift::error& e) {
    return e.what();
  }
  return "(no error)";
}

decision_import spec_of(decision_tool tool) {
  decision_import s;
  s.tool = tool;
  s.stage = "title-abstract";
  if (tool == decision_tool::asreview) s.reviewer = "asreview";
  if (tool == decision_tool::covidence) s.reviewer = "covidence";
  return s;
}

std::size_t count_decisions(const decision_import_result& r, const std::string& decision) {
  return static_cast<std::size_t>(std::count_if(r.decisions.begin(), r.decisions.end(),
                                                [&](const imported_decision& d) { return d.decision == decision; }));
}

// A Rayyan RIS export as Rayyan writes it: AN rayyan-<id>, the markers in N1 separated by " | ".
const std::string rayyan_ris =
    "TY  - JOUR\n"         // 1
    "AN  - rayyan-1001\n"  // 2
    "TI  - Environmental impacts of rare earth mining in Ganzhou, southern China\n"
    "PY  - 2015\n"
    "DO  - 10.1016/j.resourpol.2015.01.004\n"                                      // 5
    "N1  - RAYYAN-INCLUSION: {\"Ann\"=>\"Included\", \"Bob.Li\"=>\"Included\"}\n"  // 6
    "ER  -\n"
    "\n"
    "TY  - JOUR\n"  // 9
    "AN  - rayyan-1002\n"
    "TI  - Economic benefits and environmental costs of rare earth mining in Baotou, Inner Mongolia\n"
    "PY  - 2018\n"
    "DO  - 10.1016/j.jclepro.2018.03.101\n"
    "N1  - RAYYAN-INCLUSION: {\"Ann\"=>\"Excluded\", \"Bob.Li\"=>\"Included\"} | RAYYAN-LABELS: check | "
    "RAYYAN-EXCLUSION-REASONS: wrong outcome\n"  // 14
    "ER  -\n"
    "\n"
    "TY  - JOUR\n"  // 17
    "AN  - rayyan-1003\n"
    "TI  - Rare earth element exposure and intelligence of children in Baotou\n"
    "PY  - 2017\n"
    "N1  -  RAYYAN-INCLUSION: {\"Ann\"=>\"Excluded\", \"Bob.Li\"=>\"Excluded\"} | RAYYAN-EXCLUSION-REASONS: "
    "wrong population,background article\n"  // 21
    "ER  -\n"
    "\n"
    "TY  - JOUR\n"  // 24
    "AN  - rayyan-1004\n"
    "TI  - Sustainable mining practices for rare earth elements: a review\n"
    "DO  - 10.3390/su12010001\n"
    "N1  - RAYYAN-LABELS: need full text\n"
    "ER  -\n"
    "\n"
    "TY  - JOUR\n"  // 31
    "AN  - rayyan-1005\n"
    "TI  - Health risk of rare earth elements in vegetables grown near mining areas in Baotou\n"
    "DO  - 10.1016/j.envpol.2020.113777\n"
    "N1  - RAYYAN-INCLUSION: {\"Ann\"=>\"Maybe\"}\n"  // 35
    "ER  -\n";

TEST(DecisionImport, RayyanRisGivesOneDecisionPerReviewerWithReasons) {
  const decision_import_result r = parse_tool_decisions(rayyan_ris, spec_of(decision_tool::rayyan), "rayyan.ris");
  EXPECT_EQ(r.records, 5U);
  EXPECT_EQ(r.undecided, 1U);                    // rayyan-1004 has labels only
  ASSERT_EQ(r.decisions.size(), 7U);             // 2 + 2 + 2 + 1 (Maybe)
  EXPECT_EQ(count_decisions(r, "include"), 4U);  // 1001 twice, 1002 Bob, 1005 Maybe
  EXPECT_EQ(count_decisions(r, "exclude"), 3U);
  ASSERT_EQ(r.reviewers.size(), 2U);
  EXPECT_EQ(r.reviewers[0], "Ann");
  EXPECT_EQ(r.reviewers[1], "Bob_Li");  // '.' is not allowed in a reviewer name
  const imported_decision& ann_1002 = r.decisions[2];
  EXPECT_EQ(ann_1002.reviewer, "Ann");
  EXPECT_EQ(ann_1002.decision, "exclude");
  EXPECT_EQ(ann_1002.reason, "wrong outcome");
  EXPECT_EQ(ann_1002.tool_id, "rayyan-1002");
  EXPECT_EQ(ann_1002.where.line, 14U);
  EXPECT_EQ(r.decisions[3].reason, "");  // Bob included it: no exclusion reason
  EXPECT_EQ(r.decisions[4].reason, "wrong population; background article");
  EXPECT_EQ(r.decisions[4].where.line, 21U);
  EXPECT_TRUE(r.decisions[4].doi.empty());
  EXPECT_EQ(r.decisions[4].year, 2017);
  EXPECT_EQ(r.decisions[6].original, "Maybe");
  EXPECT_EQ(r.decisions[6].decision, "include");
  EXPECT_EQ(r.decisions[6].reason, "Maybe");
  // Column of the decision value: in `N1  - RAYYAN-INCLUSION: {"Ann"=>"Included"` the quote
  // opening "Included" is character 33 of line 6 (6 + 18 + 1 + 5 + 2 + 1).
  EXPECT_EQ(r.decisions[0].where.line, 6U);
  EXPECT_EQ(r.decisions[0].where.column, 33U);
}

TEST(DecisionImport, RayyanMaybeUndecidedAndRenamedReviewers) {
  decision_import s = spec_of(decision_tool::rayyan);
  s.maybe = "undecided";
  s.rename = {{"Bob.Li", "reviewer_b"}};
  const decision_import_result r = parse_tool_decisions(rayyan_ris, s, "rayyan.ris");
  EXPECT_EQ(r.decisions.size(), 6U);
  EXPECT_EQ(r.undecided, 2U);  // 1004 (labels) and 1005 (its only decision is Maybe)
  ASSERT_EQ(r.reviewers.size(), 2U);
  EXPECT_EQ(r.reviewers[1], "reviewer_b");
  // At full text a Maybe is never a decision.
  s.maybe = "include";
  s.stage = "full-text";
  const decision_import_result f = parse_tool_decisions(rayyan_ris, s, "rayyan.ris");
  EXPECT_EQ(f.decisions.size(), 6U);
  EXPECT_EQ(f.decisions[0].stage, "full-text");
}

TEST(DecisionImport, RayyanCsvNotesColumn) {
  // Rayyan's CSV export: key,title,authors,journal,...,notes; the notes cell is quoted and its
  // quotes doubled.
  const std::string csv =
      "key,title,authors,journal,issn,volume,issue,pages,year,month,day,publisher,pmc_id,pubmed_id,url,abstract,"
      "notes\n"
      "rayyan-1,Environmental impacts of rare earth mining,Li W,Resources Policy,,44,,1-9,2015,,,,,,,,"
      "\"RAYYAN-INCLUSION: {\"\"Ann\"\"=>\"\"Excluded\"\", \"\"Bob\"\"=>\"\"Excluded\"\"} | "
      "RAYYAN-EXCLUSION-REASONS: wrong setting\"\n"
      "rayyan-2,Heavy metals near rare earth mines,Wu X,Sci Total Environ,,,,,2019,,,,,31200001,,,"
      "\"RAYYAN-INCLUSION: {\"\"Ann\"\"=>\"\"Included\"\"}\"\n"
      "rayyan-3,Not yet screened,Zhao Y,Env Res,,,,,2020,,,,,,,,\n";
  const decision_import_result r = parse_tool_decisions(csv, spec_of(decision_tool::rayyan), "articles.csv");
  EXPECT_EQ(r.records, 3U);
  EXPECT_EQ(r.undecided, 1U);
  ASSERT_EQ(r.decisions.size(), 3U);
  EXPECT_EQ(r.decisions[0].reason, "wrong setting");
  EXPECT_EQ(r.decisions[1].reason, "wrong setting");
  EXPECT_EQ(r.decisions[2].pmid, "31200001");
  EXPECT_EQ(r.decisions[2].where.line, 3U);
}

TEST(DecisionImport, MalformedRayyanNotesAreLocatedErrors) {
  const decision_import s = spec_of(decision_tool::rayyan);
  auto ris = [](const std::string& note) { return "TY  - JOUR\nTI  - A title\nN1  - " + note + "\nER  -\n"; };
  std::string e =
      error_of([&] { (void)parse_tool_decisions(ris("RAYYAN-INCLUSION: {\"Ann\"=>\"Includd\"}"), s, "r.ris"); });
  EXPECT_NE(e.find("r.ris:3:"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown decision 'Includd'"), std::string::npos) << e;
  e = error_of([&] { (void)parse_tool_decisions(ris("RAYYAN-INCLUSION: {\"Ann\"=>\"Included\""), s, "r.ris"); });
  EXPECT_NE(e.find("r.ris:3:"), std::string::npos) << e;
  e = error_of([&] { (void)parse_tool_decisions(ris("RAYYAN-INCLUSION: {\"Ann=>\"Included\"}"), s, "r.ris"); });
  EXPECT_NE(e.find("r.ris:3:"), std::string::npos) << e;
  e = error_of([&] { (void)parse_tool_decisions(ris("RAYYAN-INCLUSION: Ann Included"), s, "r.ris"); });
  EXPECT_NE(e.find("r.ris:3:"), std::string::npos) << e;
  e = error_of([&] {
    (void)parse_tool_decisions(ris("RAYYAN-INCLUSION: {\"Ann\"=>\"Included\", \"Ann\"=>\"Excluded\"}"), s, "r.ris");
  });
  EXPECT_NE(e.find("appears twice"), std::string::npos) << e;
  e = error_of([&] { (void)parse_tool_decisions("key,title\n1,A\n", s, "a.csv"); });
  EXPECT_NE(e.find("a.csv:1"), std::string::npos) << e;
  EXPECT_NE(e.find("notes"), std::string::npos) << e;
}

TEST(DecisionImport, EveryTruncatedRayyanNoteParsesOrFailsAtItsLine) {
  // Generated hostile input: a valid note cut at every byte, and with every byte replaced by a
  // quote, brace or comma. Each variant either parses or is an input_error located at line 3.
  const std::string note =
      "RAYYAN-INCLUSION: {\"Ann\"=>\"Included\", \"Bob \\\"B\\\"\"=>\"Excluded\"} | RAYYAN-EXCLUSION-REASONS: a,b";
  const decision_import s = spec_of(decision_tool::rayyan);
  std::size_t parsed = 0, failed = 0;
  auto attempt = [&](const std::string& n) {
    const std::string ris = "TY  - JOUR\nTI  - A title\nN1  - " + n + "\nER  -\n";
    try {
      const decision_import_result r = parse_tool_decisions(ris, s, "r.ris");
      EXPECT_EQ(r.records, 1U);
      EXPECT_GE(r.decisions.size() + r.undecided, 1U);
      ++parsed;
    } catch (const metasift::input_error& e) {
      EXPECT_NE(std::string(e.what()).find("r.ris:3:"), std::string::npos) << e.what();
      ++failed;
    }
  };
  for (std::size_t k = 0; k <= note.size(); ++k) attempt(note.substr(0, k));
  for (std::size_t k = 0; k < note.size(); ++k) {
    for (const char c : {'"', '{', '}', ',', '\\'}) {
      std::string n = note;
      n[k] = c;
      attempt(n);
    }
  }
  EXPECT_GT(parsed, 0U);
  EXPECT_GT(failed, 0U);
  // The whole note names Bob with escaped quotes in his name.
  const decision_import_result r =
      parse_tool_decisions("TY  - JOUR\nTI  - A title\nN1  - " + note + "\nER  -\n", s, "r.ris");
  ASSERT_EQ(r.decisions.size(), 2U);
  EXPECT_EQ(r.decisions[1].reviewer, "Bob__B_");
  EXPECT_EQ(r.decisions[1].reason, "a; b");
}

TEST(DecisionImport, AsreviewCsvLabelColumn) {
  // ASReview LAB 1.x export: the dataset's columns, then included and asreview_ranking. A
  // partially labelled export leaves `included` empty for records not screened; pandas writes
  // 1.0/0.0 when the column holds missing values.
  const std::string csv =
      "record_id,title,abstract,authors,doi,year,included,asreview_ranking\n"
      "0,Environmental impacts of rare earth mining,...,Li W,10.1016/j.resourpol.2015.01.004,2015,1.0,1\n"
      "1,Water use of copper mining,...,Diaz A,,2017,0.0,2\n"
      "2,Economic benefits of rare earth mining,...,Wang L,,2018,,3\n"
      "3,Heavy metals near mines,...,Wu X,NA,2019,0,4\n";
  const decision_import_result r = parse_tool_decisions(csv, spec_of(decision_tool::asreview), "asr.csv");
  EXPECT_EQ(r.records, 4U);
  EXPECT_EQ(r.undecided, 1U);
  ASSERT_EQ(r.decisions.size(), 3U);
  EXPECT_EQ(r.decisions[0].decision, "include");
  EXPECT_EQ(r.decisions[0].doi, "10.1016/j.resourpol.2015.01.004");
  EXPECT_EQ(r.decisions[1].decision, "exclude");
  EXPECT_EQ(r.decisions[2].decision, "exclude");
  EXPECT_TRUE(r.decisions[2].doi.empty());  // NA
  EXPECT_EQ(r.decisions[2].tool_id, "3");
  EXPECT_EQ(r.decisions[0].stage, "title-abstract");
  EXPECT_EQ(r.decisions[0].reviewer, "asreview");
}

TEST(DecisionImport, AsreviewVersion2LabelAndTime) {
  // ASReview LAB 2 writes asreview_label, asreview_time and asreview_note. 1700000000 s after the
  // epoch is 2023-11-14 22:13:20 UTC (19675 days of 86400 s = 1699920000, plus 80000 s).
  const std::string csv =
      "record_id,title,doi,asreview_label,asreview_time,asreview_note\n"
      "7,A record,10.1/x,1,1700000000,\n"
      "8,Another,10.1/y,0,2024-05-01 10:22:33.123,off topic\n"
      "9,Not seen,10.1/z,,,\n";
  decision_import s = spec_of(decision_tool::asreview);
  s.reviewer = "reviewer_a";
  const decision_import_result r = parse_tool_decisions(csv, s, "asr2.csv");
  ASSERT_EQ(r.decisions.size(), 2U);
  EXPECT_EQ(r.decisions[0].time, "2023-11-14T22:13:20Z");
  EXPECT_EQ(r.decisions[1].time, "2024-05-01 10:22:33.123");
  EXPECT_EQ(r.decisions[0].reviewer, "reviewer_a");
  const std::string e =
      error_of([&] { (void)parse_tool_decisions("record_id,title,included\n1,A,1\n2,B,yes\n", s, "bad.csv"); });
  EXPECT_NE(e.find("bad.csv:3:"), std::string::npos) << e;
  EXPECT_NE(e.find("'yes'"), std::string::npos) << e;
  const std::string e2 = error_of([&] { (void)parse_tool_decisions("record_id,title\n1,A\n", s, "nolabel.csv"); });
  EXPECT_NE(e2.find("nolabel.csv:1"), std::string::npos) << e2;
}

TEST(DecisionImport, AsreviewRisNotes) {
  // ASReview's RIS writer puts ASReview_relevant / ASReview_irrelevant / ASReview_not_seen first
  // in the notes and each asreview_ column as `asreview_<name>: <json>`.
  const std::string ris =
      "TY  - JOUR\nID  - 1\nTI  - First\nDO  - 10.1/a\nN1  - ASReview_relevant\nN1  - asreview_time: "
      "\"2024-05-01T10:00:00Z\"\nER  - \n\n"
      "TY  - JOUR\nID  - 2\nTI  - Second\nN1  - ASReview_irrelevant\nER  - \n\n"
      "TY  - JOUR\nID  - 3\nTI  - Third\nN1  - ASReview_not_seen\nER  - \n\n"
      "TY  - JOUR\nID  - 4\nTI  - Fourth\nER  - \n";
  const decision_import_result r = parse_tool_decisions(ris, spec_of(decision_tool::asreview), "asr.ris");
  EXPECT_EQ(r.records, 4U);
  EXPECT_EQ(r.undecided, 2U);
  ASSERT_EQ(r.decisions.size(), 2U);
  EXPECT_EQ(r.decisions[0].decision, "include");
  EXPECT_EQ(r.decisions[0].time, "2024-05-01T10:00:00Z");
  EXPECT_EQ(r.decisions[0].where.line, 5U);
  EXPECT_EQ(r.decisions[1].decision, "exclude");
}

TEST(DecisionImport, CovidenceListExports) {
  // Covidence's CSV export of a list: Title, Authors, Abstract, Published Year, Published Month,
  // Journal, Volume, Issue, Pages, Accession Number, DOI, Ref, Covidence #, Study, Notes, Tags.
  // The Excluded list's Notes start with "Exclusion reason: <reason>; ".
  const std::string header =
      "Title,Authors,Abstract,Published Year,Published Month,Journal,Volume,Issue,Pages,Accession Number,DOI,Ref,"
      "Covidence #,Study,Notes,Tags\n";
  const std::string excluded =
      header +
      "Economic benefits of rare earth mining,Wang L,...,2018,,J Clean Prod,,,,,10.1016/j.jclepro.2018.03.101,,#12,"
      "Wang 2018,Exclusion reason: Wrong outcome; ,\n"
      "Rare earth exposure and intelligence,Zhang Q,...,2017,,Environ Res,,,,,,,#13,Zhang 2017,,\n";
  decision_import s = spec_of(decision_tool::covidence);
  s.list = "excluded";
  const decision_import_result r = parse_tool_decisions(excluded, s, "excluded.csv");
  EXPECT_EQ(r.records, 2U);
  ASSERT_EQ(r.decisions.size(), 2U);
  EXPECT_EQ(r.decisions[0].stage, "full-text");
  EXPECT_EQ(r.decisions[0].decision, "exclude");
  EXPECT_EQ(r.decisions[0].reason, "Wrong outcome");
  EXPECT_EQ(r.decisions[0].tool_id, "#12");
  EXPECT_EQ(r.decisions[1].reason, "");
  EXPECT_EQ(r.decisions[1].year, 2017);
  s.list = "irrelevant";
  const decision_import_result irr = parse_tool_decisions(excluded, s, "irrelevant.csv");
  EXPECT_EQ(irr.decisions[0].stage, "title-abstract");
  EXPECT_EQ(irr.decisions[0].decision, "exclude");
  EXPECT_EQ(irr.decisions[0].reason, "");
  s.list = "included";
  const decision_import_result inc = parse_tool_decisions(excluded, s, "included.csv");
  EXPECT_EQ(inc.decisions[1].stage, "full-text");
  EXPECT_EQ(inc.decisions[1].decision, "include");
  // The same list exported as RIS: every record has the list's decision; N1 holds the notes.
  s.list = "excluded";
  const decision_import_result ris = parse_tool_decisions(
      "TY  - JOUR\nTI  - Economic benefits of rare earth mining\nPY  - 2018\nDO  - 10.1016/j.jclepro.2018.03.101\n"
      "N1  - Exclusion reason: Wrong outcome; \nER  - \n\nTY  - JOUR\nTI  - Another\nER  - \n",
      s, "excluded.ris");
  EXPECT_EQ(ris.records, 2U);
  ASSERT_EQ(ris.decisions.size(), 2U);
  EXPECT_EQ(ris.decisions[0].reason, "Wrong outcome");
  EXPECT_EQ(ris.decisions[0].stage, "full-text");
  EXPECT_EQ(ris.decisions[1].where.line, 8U);
  s.list = "included";
  const std::string e = error_of([&] { (void)parse_tool_decisions("Title,DOI\nA,\n", s, "cov.csv"); });
  EXPECT_NE(e.find("cov.csv:1"), std::string::npos) << e;
  EXPECT_NE(e.find("Covidence #"), std::string::npos) << e;
}

// ---- in a review ---------------------------------------------------------------------------------

const std::string sources_toml =
    "title = \"Team review\"\n"
    "[[sources]]\nname = \"Scopus\"\nfiles = [\"records/scopus.ris\"]\n"
    "[[sources]]\nname = \"PubMed\"\nfiles = [\"records/pubmed.nbib\"]\n"
    "[search]\nquery = '\"rare earth*\" AND (mining OR mine*)'\ndialect = \"scopus\"\n"
    "[[criteria]]\nid = \"date\"\nreason = \"Published before 2000\"\nyears = [2000, 2100]\n"
    "[[criteria]]\nid = \"peer-reviewed\"\nreason = \"Not a peer-reviewed journal article or review\"\n"
    "types = [\"journal-article\", \"review\"]\n"
    "[[criteria]]\nid = \"china\"\nreason = \"Not focused on China\"\n"
    "query = 'China OR Chinese OR Jiangxi OR \"Inner Mongolia\" OR Baotou OR Ganzhou'\n";

fs::path import_review(const std::string& name, const std::string& screening,
                       const std::map<std::string, std::string>& files) {
  const fs::path dir = fs::temp_directory_path() / ("metasift_import_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "records");
  fs::copy_file(fixture / "records" / "scopus.ris", dir / "records" / "scopus.ris");
  fs::copy_file(fixture / "records" / "pubmed.nbib", dir / "records" / "pubmed.nbib");
  put(dir / "review.toml", sources_toml + screening);
  for (const auto& [f, text] : files) put(dir / f, text);
  return dir / "review.toml";
}

TEST(DecisionImport, RayyanDecisionsScreenTheReview) {
  const fs::path review =
      import_review("rayyan", "[screening]\nmode = \"dual\"\nimport = [{ tool = \"rayyan\", file = \"rayyan.ris\" }]\n",
                    {{"rayyan.ris", rayyan_ris}});
  const review_spec spec = load_review_file(review);
  ASSERT_EQ(spec.screening.imports.size(), 1U);
  const screen_result res = run_screening(spec);
  ASSERT_EQ(res.reviewers.size(), 2U);
  EXPECT_EQ(res.reviewers[0], "Ann");
  EXPECT_EQ(res.reviewers[1], "Bob_Li");
  const prisma_counts& p = res.prisma;
  // S1 included by both (sought, awaiting full text); S2 Ann excludes, Bob includes (awaiting
  // adjudication); 28000004, found by title and year (no DOI in the export), excluded by both;
  // 32000003 one Maybe of two required (awaiting second reviewer); S6 (labels only), S10 and
  // 31200001 not screened.
  EXPECT_EQ(p.records_screened, 7U);
  EXPECT_EQ(p.records_excluded, 1U);
  ASSERT_EQ(p.records_excluded_reasons.size(), 1U);
  EXPECT_EQ(p.records_excluded_reasons[0].name, "wrong population; background article");
  EXPECT_EQ(p.dbr_sought_reports, 1U);
  EXPECT_EQ(p.awaiting_full_text, 1U);
  EXPECT_EQ(p.awaiting_screening, 5U);
  EXPECT_EQ(p.awaiting_title_abstract_adjudication, 1U);
  EXPECT_EQ(p.awaiting_title_abstract_second_reviewer, 1U);
  EXPECT_TRUE(prisma_violations(p).empty());
  // Agreement over the three records both decided: (I,I), (E,I), (E,E): p_o = 2/3; Ann's
  // marginals 1/3 include, Bob's 2/3, p_e = 1/3*2/3 + 2/3*1/3 = 4/9, kappa = (2/9)/(5/9) = 0.4.
  ASSERT_FALSE(p.agreement.empty());
  EXPECT_EQ(p.agreement[0].n, 3U);
  EXPECT_NEAR(p.agreement[0].kappa, 0.4, 1e-12);
  // Provenance: the audit trail names the export's line for each decision.
  std::size_t found = 0;
  for (const auto& a : res.audit) {
    if (a.key == "Scopus:S2") {
      ++found;
      ASSERT_EQ(a.decision_refs.size(), 2U);
      EXPECT_NE(a.decision_refs[0].find("rayyan.ris:14"), std::string::npos) << a.decision_refs[0];
      ASSERT_TRUE(a.ta_team.by_reviewer[0].has_value());
      EXPECT_EQ(a.ta_team.by_reviewer[0]->reason, "wrong outcome");
    }
  }
  EXPECT_EQ(found, 1U);
  const std::string audit = format_audit_csv(spec, res);
  EXPECT_NE(audit.find("title_abstract_Bob_Li"), std::string::npos);
}

TEST(DecisionImport, ImportsCombineWithReviewerFilesAndAdjudication) {
  // Ann's Rayyan decisions plus a CSV of hers for full text; Bob only in Rayyan; the adjudication
  // closes S2 (include).
  const fs::path review =
      import_review("combined",
                    "[screening]\nmode = \"dual\"\nreviewers = { Ann = \"decisions/ann.csv\" }\n"
                    "adjudication = \"decisions/adj.csv\"\n"
                    "import = [{ tool = \"rayyan\", file = \"rayyan.ris\", reviewers = { \"Bob.Li\" = \"Bob\" } }]\n",
                    {{"rayyan.ris", rayyan_ris},
                     {"decisions/ann.csv", "record,stage,decision,reason\nScopus:S1,full-text,include,\n"},
                     {"decisions/adj.csv", "record,stage,decision,reason\nScopus:S2,title-abstract,include,\n"}});
  const screen_result res = run_screening(load_review_file(review));
  ASSERT_EQ(res.reviewers.size(), 2U);
  EXPECT_EQ(res.reviewers[1], "Bob");
  EXPECT_EQ(res.prisma.awaiting_title_abstract_adjudication, 0U);
  EXPECT_EQ(res.prisma.dbr_sought_reports, 2U);                  // S1 and S2
  EXPECT_EQ(res.prisma.awaiting_full_text_second_reviewer, 1U);  // S1: Ann only
  EXPECT_TRUE(prisma_violations(res.prisma).empty());

  // Ann decides S1 at title-abstract in both her file and Rayyan: an error naming both.
  const fs::path twice =
      import_review("twice",
                    "[screening]\nreviewers = { Ann = \"decisions/ann.csv\" }\n"
                    "import = [{ tool = \"rayyan\", file = \"rayyan.ris\" }]\n",
                    {{"rayyan.ris", rayyan_ris},
                     {"decisions/ann.csv", "record,stage,decision,reason\nScopus:S1,title-abstract,include,\n"}});
  const std::string e = error_of([&] { (void)run_screening(load_review_file(twice)); });
  EXPECT_NE(e.find("rayyan.ris:6:"), std::string::npos) << e;
  EXPECT_NE(e.find("ann.csv:2"), std::string::npos) << e;
}

TEST(DecisionImport, AsreviewAndCovidenceInAReview) {
  const std::string asr =
      "record_id,title,doi,year,included,asreview_ranking\n"
      "0,Environmental impacts of rare earth mining in Ganzhou,10.1016/j.resourpol.2015.01.004,2015,1,1\n"
      "1,Sustainable mining practices for rare earth elements: a review,10.3390/su12010001,2020,0,2\n"
      "2,Anything,,2019,,3\n";
  const std::string cov =
      "Title,Authors,Abstract,Published Year,Published Month,Journal,Volume,Issue,Pages,Accession Number,DOI,Ref,"
      "Covidence #,Study,Notes,Tags\n"
      "Environmental impacts of rare earth mining,Li W,,2015,,,,,,,10.1016/j.resourpol.2015.01.004,,#3,Li 2015,,\n";
  const fs::path review = import_review(
      "asr",
      "[screening]\nimport = [{ tool = \"asreview\", file = \"asr.csv\", reviewer = \"reviewer_a\" },\n"
      "  { tool = \"covidence\", file = \"included.csv\", list = \"included\", reviewer = \"reviewer_a\" }]\n",
      {{"asr.csv", asr}, {"included.csv", cov}});
  const screen_result res = run_screening(load_review_file(review));
  ASSERT_EQ(res.reviewers.size(), 1U);
  EXPECT_EQ(res.prisma.records_excluded, 1U);  // S6
  EXPECT_EQ(res.prisma.new_studies, 1U);       // S1: title-abstract from ASReview, full text from Covidence
  EXPECT_EQ(res.prisma.awaiting_screening, 5U);
  EXPECT_TRUE(prisma_violations(res.prisma).empty());

  // A record of the export that the review does not have is a located error, never dropped.
  const fs::path missing =
      import_review("missing", "[screening]\nimport = [{ tool = \"asreview\", file = \"asr.csv\" }]\n",
                    {{"asr.csv", "record_id,title,doi,included\n0,Unknown paper,10.9999/none,1\n"}});
  const std::string e = error_of([&] { (void)run_screening(load_review_file(missing)); });
  EXPECT_NE(e.find("asr.csv:2:"), std::string::npos) << e;
  EXPECT_NE(e.find("names no record"), std::string::npos) << e;
}

TEST(DecisionImport, ReviewFileErrors) {
  auto load = [&](const std::string& screening) {
    return error_of([&] { (void)parse_review_file(sources_toml + screening, fixture / "review.toml"); });
  };
  EXPECT_NE(load("[screening]\nimport = [{ tool = \"eppi\", file = \"x.csv\" }]\n").find("unknown tool 'eppi'"),
            std::string::npos);
  EXPECT_NE(load("[screening]\nimport = [{ tool = \"covidence\", file = \"x.csv\" }]\n").find("needs 'list'"),
            std::string::npos);
  EXPECT_NE(load("[screening]\nimport = [{ tool = \"rayyan\", file = \"x.ris\", reviewer = \"a\" }]\n")
                .find("names its reviewers"),
            std::string::npos);
  EXPECT_NE(load("[screening]\ndecisions = \"decisions.csv\"\nimport = [{ tool = \"rayyan\", file = \"x.ris\" }]\n")
                .find("not with 'decisions'"),
            std::string::npos);
  const std::string e =
      load("[screening]\nimport = [{ tool = \"asreview\", file = \"x.csv\", stage = \"full-text\" }]\n");
  EXPECT_NE(e.find("review.toml:"), std::string::npos) << e;
}

// ---- the real exports -------------------------------------------------------------------------------

TEST(DecisionImport, RealRayyanExports) {
  const fs::path tinea = shared / "rayyanR" / "tinea_update.ris";
  const fs::path mlj = shared / "rayyanR" / "articles.ris";
  if (!fs::exists(tinea) || !fs::exists(mlj)) GTEST_SKIP() << "real Rayyan exports not present at " << shared;
  decision_import s = spec_of(decision_tool::rayyan);
  s.path = tinea;
  // SOURCES.md: 14 records, 12 with an inclusion note (16 decisions: 7 Included, 9 Excluded), 2
  // with labels only.
  const decision_import_result t = read_tool_decisions(s, "tinea_update.ris");
  EXPECT_EQ(t.records, 14U);
  EXPECT_EQ(t.undecided, 2U);
  EXPECT_EQ(t.decisions.size(), 16U);
  EXPECT_EQ(count_decisions(t, "include"), 7U);
  EXPECT_EQ(count_decisions(t, "exclude"), 9U);
  ASSERT_EQ(t.reviewers.size(), 2U);
  EXPECT_EQ(t.reviewers[0], "Zbys");
  EXPECT_EQ(t.reviewers[1], "m_el-gohary");
  // The record of line 230 lists four exclusion reasons.
  bool four = false;
  for (const auto& d : t.decisions) {
    if (d.where.line == 230U && d.reason ==
                                    "wrong population; background article; wrong study design; wrong "
                                    "publication type") {
      four = true;
    }
  }
  EXPECT_TRUE(four);
  // SOURCES.md: 5 records, two reviewers, 10 decisions (8 Included, 2 Excluded).
  s.path = mlj;
  const decision_import_result m = read_tool_decisions(s, "articles.ris");
  EXPECT_EQ(m.records, 5U);
  EXPECT_EQ(m.undecided, 0U);
  EXPECT_EQ(count_decisions(m, "include"), 8U);
  EXPECT_EQ(count_decisions(m, "exclude"), 2U);
}

TEST(DecisionImport, RealAsreviewExport) {
  const fs::path f = shared / "asreview_irr" / "asreview_relevant.csv";
  if (!fs::exists(f)) GTEST_SKIP() << "real ASReview export not present at " << f;
  decision_import s = spec_of(decision_tool::asreview);
  s.path = f;
  // SOURCES.md: 121 records, `included` = 1 in all rows; R wrote NA for empty cells.
  const decision_import_result r = read_tool_decisions(s, "asreview_relevant.csv");
  EXPECT_EQ(r.records, 121U);
  EXPECT_EQ(r.undecided, 0U);
  EXPECT_EQ(count_decisions(r, "include"), 121U);
  for (const auto& d : r.decisions) EXPECT_NE(d.doi, "NA");
}

}  // namespace
