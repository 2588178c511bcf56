// Appraisal tools (review/appraisal.hpp): each shipped tool's overall-judgement rule against its
// guidance document, the [appraisal] table, judgement files and `metasift appraise check`.
// Expected values are read off the guidance texts cited on each test, not computed by the code.

#include "metasift/review/appraisal.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "metasift/core/error.hpp"
#include "metasift/review/review_file.hpp"

namespace {

namespace fs = std::filesystem;
using metasift::review::appraisal_tool;
using metasift::review::find_appraisal_tool;
using metasift::review::propose_overall;
using judgements = std::map<std::string, std::string>;

const fs::path fixture = fs::path(METASIFT_REVIEW_FIXTURES) / "screening";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const metasift::error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string overall(const char* tool, const judgements& j) {
  const appraisal_tool* t = find_appraisal_tool(tool);
  if (t == nullptr) return "(no tool)";
  return propose_overall(*t, j).value_or("(none)");
}

judgements all_of(const char* tool, const std::string& j) {
  judgements out;
  for (const auto& d : find_appraisal_tool(tool)->domains) out[d.id] = j;
  return out;
}

TEST(AppraisalTools, ShippedToolsHaveTheirPublishedDomains) {
  // Domain counts: RoB 2 five domains (Sterne et al. BMJ 2019, Table 1); ROBINS-I seven (Sterne et
  // al. BMJ 2016); ROBINS-E seven; RoB 1 seven (Higgins et al. BMJ 2011); QUADAS-2 four bias + three
  // applicability (Whiting et al. 2011); NOS eight items; MMAT 2 screening + 5 x 5 criteria.
  const std::map<std::string, std::size_t> expected{{"rob2", 5},
                                                    {"robins-i", 7},
                                                    {"robins-e", 7},
                                                    {"rob1", 7},
                                                    {"quadas2", 7},
                                                    {"nos-cohort", 8},
                                                    {"nos-case-control", 8},
                                                    {"mmat2018", 27},
                                                    {"jbi-cross-sectional", 8},
                                                    {"jbi-qualitative", 10}};
  for (const auto& [id, n] : expected) {
    const appraisal_tool* t = find_appraisal_tool(id);
    ASSERT_NE(t, nullptr) << id;
    EXPECT_EQ(t->domains.size(), n) << id;
    EXPECT_FALSE(t->guidance.empty()) << id;
  }
  EXPECT_NE(find_appraisal_tool("RoB2"), nullptr);
  EXPECT_EQ(find_appraisal_tool("rob3"), nullptr);
}

// Cochrane Handbook v6, chapter 8, Table 8.2.b (and Sterne et al. BMJ 2019): low if low in all
// domains; some concerns if some concerns in at least one domain and not high in any; high if high
// in at least one domain (or, by the reviewers' judgement, some concerns in several domains).
TEST(AppraisalTools, Rob2OverallFollowsHandbookTable82b) {
  EXPECT_EQ(overall("rob2", all_of("rob2", "low")), "low");
  judgements j = all_of("rob2", "low");
  j["D3"] = "some-concerns";
  EXPECT_EQ(overall("rob2", j), "some-concerns");
  j["D1"] = "some-concerns";
  j["D5"] = "some-concerns";
  EXPECT_EQ(overall("rob2", j), "some-concerns");  // several concerns: raising to high is the reviewers' call
  j["D2"] = "high";
  EXPECT_EQ(overall("rob2", j), "high");
  judgements one_high = all_of("rob2", "low");
  one_high["D4"] = "high";
  EXPECT_EQ(overall("rob2", one_high), "high");
  judgements missing = all_of("rob2", "low");
  missing.erase("D2");
  EXPECT_EQ(overall("rob2", missing), "(none)");  // an incomplete assessment has no overall
}

// Sterne et al. BMJ 2016;355:i4919 (ROBINS-I overall judgements): low = low in all domains;
// moderate = low or moderate in all; serious = serious in at least one, critical in none;
// critical = critical in at least one; no information = no indication of serious/critical risk
// and information lacking in one or more key domains.
TEST(AppraisalTools, RobinsIOverallIsTheMostSevereDomainPerSterne2016) {
  EXPECT_EQ(overall("robins-i", all_of("robins-i", "low")), "low");
  judgements j = all_of("robins-i", "low");
  j["D1"] = "moderate";
  EXPECT_EQ(overall("robins-i", j), "moderate");
  j["D5"] = "no-information";
  EXPECT_EQ(overall("robins-i", j), "no-information");
  j["D6"] = "serious";
  EXPECT_EQ(overall("robins-i", j), "serious");  // serious outranks a lack of information
  j["D7"] = "critical";
  EXPECT_EQ(overall("robins-i", j), "critical");
}

// Cochrane Handbook 5.1.0, Table 8.7.a: low for all key domains -> low; unclear for one or more
// key domains -> unclear; high for one or more key domains -> high.
TEST(AppraisalTools, Rob1SummaryFollowsHandbook51Table87a) {
  judgements j = all_of("rob1", "low");
  EXPECT_EQ(overall("rob1", j), "low");
  j["D6"] = "unclear";
  EXPECT_EQ(overall("rob1", j), "unclear");
  j["D3"] = "high";
  EXPECT_EQ(overall("rob1", j), "high");
  // Key domains: a high judgement outside them does not count.
  appraisal_tool t = *find_appraisal_tool("rob1");
  t.key_domains = {"D1", "D2"};
  judgements k = all_of("rob1", "low");
  k["D3"] = "high";
  EXPECT_EQ(propose_overall(t, k).value_or(""), "low");
}

// QUADAS-2 (Whiting et al. 2011): low on all risk-of-bias domains -> low; high or unclear on any ->
// at risk. Applicability concerns do not enter the risk-of-bias judgement.
TEST(AppraisalTools, Quadas2AllLowElseAtRisk) {
  judgements j = all_of("quadas2", "low");
  j["A1"] = "high";
  EXPECT_EQ(overall("quadas2", j), "low");
  j["D4"] = "unclear";
  EXPECT_EQ(overall("quadas2", j), "at-risk");
}

// Newcastle-Ottawa with the AHRQ thresholds: good = 3-4 selection, 1-2 comparability, 2-3
// outcome stars; fair = 2, 1-2, 2-3; poor = 0-1 selection or 0 comparability or 0-1 outcome.
TEST(AppraisalTools, NewcastleOttawaAhrqThresholds) {
  judgements nine{{"S1", "1"}, {"S2", "1"}, {"S3", "1"}, {"S4", "1"},
                  {"C1", "2"}, {"O1", "1"}, {"O2", "1"}, {"O3", "1"}};
  EXPECT_EQ(overall("nos-cohort", nine), "good");
  judgements j = nine;
  j["S4"] = "0";  // 3 selection stars: still good
  j["O3"] = "0";  // 2 outcome stars: still good
  j["C1"] = "1";
  EXPECT_EQ(overall("nos-cohort", j), "good");
  j["S3"] = "0";  // 2 selection stars: fair
  EXPECT_EQ(overall("nos-cohort", j), "fair");
  j["C1"] = "0";  // no comparability star: poor, whatever the rest
  EXPECT_EQ(overall("nos-cohort", j), "poor");
  judgements cc{{"S1", "1"}, {"S2", "1"}, {"S3", "1"}, {"S4", "0"}, {"C1", "1"}, {"E1", "1"}, {"E2", "0"}, {"E3", "0"}};
  EXPECT_EQ(overall("nos-case-control", cc), "poor");  // 1 exposure star
  cc["E2"] = "1";
  EXPECT_EQ(overall("nos-case-control", cc), "good");
}

// MMAT 2018 user guide: "It is discouraged to calculate an overall score from the ratings of each
// criterion" -- so no overall judgement is proposed, however complete the ratings.
TEST(AppraisalTools, MmatProposesNoOverallScore) {
  EXPECT_EQ(overall("mmat2018", {{"S1", "yes"},
                                 {"S2", "yes"},
                                 {"1.1", "yes"},
                                 {"1.2", "yes"},
                                 {"1.3", "yes"},
                                 {"1.4", "yes"},
                                 {"1.5", "yes"}}),
            "(none)");
  EXPECT_TRUE(find_appraisal_tool("mmat2018")->overall_judgements.empty());
}

// ROBINS-E (Higgins et al., Environ Int 2024;186:108602; the tool's launch version of 1 June
// 2022): the overall judgement is the most severe domain judgement; raising several concerns to
// high, or several highs to very high, is the reviewers' call (an overall override).
TEST(AppraisalTools, RobinsEOverallIsTheMostSevere) {
  judgements j = all_of("robins-e", "low");
  EXPECT_EQ(overall("robins-e", j), "low");
  j["D3"] = "some-concerns";
  j["D5"] = "some-concerns";
  EXPECT_EQ(overall("robins-e", j), "some-concerns");
  j["D6"] = "high";
  EXPECT_EQ(overall("robins-e", j), "high");
  j["D2"] = "high";
  j["D1"] = "very-high";
  EXPECT_EQ(overall("robins-e", j), "very-high");
}

// JBI checklists end with "Overall appraisal: Include / Exclude / Seek further info", a decision
// without a published rule: nothing is proposed, and an overall line records the decision.
TEST(AppraisalTools, JbiRecordsTheReviewersDecisionOnly) {
  EXPECT_EQ(overall("jbi-cross-sectional", all_of("jbi-cross-sectional", "yes")), "(none)");
  const appraisal_tool* t = find_appraisal_tool("jbi-qualitative");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->overall_judgements, (std::vector<std::string>{"include", "seek-further-info", "exclude"}));
}

TEST(AppraisalTools, JudgementsAreWrittenAsUsersWriteThem) {
  using metasift::review::canonical_judgement;
  EXPECT_EQ(canonical_judgement(" Some concerns "), "some-concerns");
  EXPECT_EQ(canonical_judgement("Can't tell"), "cant-tell");
  EXPECT_EQ(canonical_judgement("Can\xE2\x80\x99t tell"), "cant-tell");
  EXPECT_EQ(canonical_judgement("NO_INFORMATION"), "no-information");
  EXPECT_EQ(canonical_judgement("**"), "2");
}

// ---- [appraisal] and judgement files through a scratch copy of the screening fixture ----

fs::path scratch(const std::string& name, const std::string& appraisal,
                 const std::map<std::string, std::string>& files) {
  const fs::path dir = fs::temp_directory_path() / ("metasift_appraisal_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "records");
  fs::create_directories(dir / "appraisal");
  fs::copy_file(fixture / "records" / "scopus.ris", dir / "records" / "scopus.ris");
  fs::copy_file(fixture / "records" / "pubmed.nbib", dir / "records" / "pubmed.nbib");
  fs::copy_file(fixture / "decisions.csv", dir / "decisions.csv");
  std::ifstream in(fixture / "review.toml", std::ios::binary);
  std::string toml{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::ofstream(dir / "review.toml", std::ios::binary) << toml << "\n" << appraisal;
  for (const auto& [f, text] : files) std::ofstream(dir / f, std::ios::binary) << text;
  return dir / "review.toml";
}

struct run_result {
  int code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

run_result run(const std::string& args) {
  const char* bin = std::getenv("METASIFT_BIN");
  if (bin == nullptr) throw std::runtime_error("METASIFT_BIN not set (run through ctest)");
  const fs::path dir = fs::temp_directory_path() / ("metasift_appraisal_run_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string cmd =
      std::string(bin) + " " + args + " >" + (dir / "out").string() + " 2>" + (dir / "err").string();
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(dir / "out"), slurp(dir / "err")};
}

// The fixture includes two studies: the record with DOI 10.1016/j.resourpol.2015.01.004 and
// PubMed:31200001; Scopus:S9 was excluded at full text (tests/review/fixtures/screening/decisions.csv).
const char* two_assessors = R"([appraisal]
tool = "rob2"
assessors = { reviewer_a = "appraisal/a.csv", reviewer_b = "appraisal/b.csv" }
)";

std::string rob2_rows(const std::string& record, const std::string& d3) {
  return record + ",D1,low,Concealed allocation\n" + record + ",D2,low,Blinded\n" + record + ",D3," + d3 +
         ",Attrition 25%\n" + record + ",D4,low,Objective outcome\n" + record + ",D5,low,Protocol registered\n";
}

TEST(AppraisalCli, CheckListsDisagreementsAndStudiesNotAssessed) {
  const std::string head = "record,domain,judgement,support\n";
  const fs::path review =
      scratch("disagree", two_assessors,
              {{"appraisal/a.csv", head + rob2_rows("10.1016/j.resourpol.2015.01.004", "some concerns")},
               {"appraisal/b.csv", head + rob2_rows("10.1016/j.resourpol.2015.01.004", "high")}});
  const run_result r = run("appraise check " + review.string() + " --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["tool"], "rob2");
  ASSERT_EQ(j["disagreements"].size(), 1U) << r.out;
  EXPECT_EQ(j["disagreements"][0]["domain"], "D3");
  EXPECT_EQ(j["disagreements"][0]["judgements"]["reviewer_a"], "some-concerns");
  EXPECT_EQ(j["disagreements"][0]["judgements"]["reviewer_b"], "high");
  ASSERT_EQ(j["not_assessed"].size(), 1U);
  EXPECT_EQ(j["not_assessed"][0], "PubMed:31200001");
  // Without a consensus, D3 has no final judgement, so there is no overall.
  ASSERT_EQ(j["assessments"].size(), 1U);
  EXPECT_TRUE(j["assessments"][0]["overall"].is_null());
}

TEST(AppraisalCli, ConsensusOverrideNeedsSupportAndRaisesSomeConcerns) {
  const std::string head = "record,domain,judgement,support\n";
  const std::string rows = rob2_rows("PubMed:31200001", "some-concerns");
  const std::string toml = std::string(two_assessors) + "consensus = \"appraisal/consensus.csv\"\n";
  const fs::path ok = scratch("override", toml,
                              {{"appraisal/a.csv", head + rows},
                               {"appraisal/b.csv", head + rows},
                               {"appraisal/consensus.csv",
                                head + rows + "PubMed:31200001,overall,high,Concerns in D3 and unblinded analysis\n"}});
  const run_result r = run("appraise check " + ok.string() + " --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["assessments"].size(), 1U);
  EXPECT_EQ(j["assessments"][0]["proposed"], "some-concerns");
  EXPECT_EQ(j["assessments"][0]["overall"], "high");
  EXPECT_EQ(j["disagreements"].size(), 0U);

  const fs::path bad = scratch("nosupport", toml,
                               {{"appraisal/a.csv", head + rows},
                                {"appraisal/b.csv", head + rows},
                                {"appraisal/consensus.csv", head + rows + "PubMed:31200001,overall,high,\n"}});
  const run_result e = run("appraise check " + bad.string());
  EXPECT_NE(e.code, 0);
  // line 7 (header + 5 domain rows + the overall row), column 30: the support cell.
  EXPECT_NE(e.err.find("consensus.csv:7:30: support: an overall line overrides"), std::string::npos) << e.err;
}

TEST(AppraisalCli, BadJudgementFilesAreOneLineErrorsWithPositions) {
  const std::string head = "record,domain,judgement,support\n";
  const char* one_file = "[appraisal]\ntool = \"rob2\"\nfile = \"appraisal/a.csv\"\n";
  struct hostile {
    std::string csv, expected;
  };
  const std::vector<hostile> cases{
      {head + "PubMed:31200001,D9,low,x\n", "a.csv:2:17: domain: 'D9' is not a domain of RoB 2"},
      {head + "PubMed:31200001,D1,moderate,x\n", "a.csv:2:20: judgement: 'moderate' is not a judgement of domain D1"},
      {head + "Scopus:S9,D1,low,x\n", "a.csv:2:1: record: 'Scopus:S9' is not an included study (excluded-full-text)"},
      {head + "Nowhere:1,D1,low,x\n", "a.csv:2:1: record: 'Nowhere:1' names no record"},
      {head + "PubMed:31200001,D1,low,x\nPubMed:31200001,D1,high,y\n",
       "a.csv:3:1: record: 'PubMed:31200001' domain D1 is judged twice (also on line 2)"},
      {"record,domain,judgement\nPubMed:31200001,D1,low\n", "a.csv:1:1: missing column 'support'"},
  };
  for (const auto& c : cases) {
    const fs::path review = scratch("bad", one_file, {{"appraisal/a.csv", c.csv}});
    const run_result r = run("appraise check " + review.string());
    EXPECT_EQ(r.code, 3) << c.csv << r.err;  // cli::data, as every input error
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST(AppraisalSpec, CustomToolWhoseRuleNamesAMissingDomainFailsAtItsLine) {
  const std::string toml = R"([appraisal]
tool = "custom"
file = "appraisal/a.csv"
judgements = ["low", "unclear", "high"]
overall = "worst"
key_domains = ["D1", "D3"]
[[appraisal.domains]]
id = "D1"
name = "Sampling"
[[appraisal.domains]]
id = "D2"
name = "Measurement"
)";
  const fs::path review = scratch("custom", toml, {{"appraisal/a.csv", "record,domain,judgement,support\n"}});
  const auto spec = metasift::review::load_review_file(review);
  const std::string e = error_of([&] { (void)metasift::review::load_appraisal(spec); });
  // The fixture review.toml has 33 lines, then a blank line: [appraisal] starts on line 35, so
  // key_domains is on line 40, and "D3" is its second element at column 22.
  EXPECT_NE(e.find("review.toml:40:22: key domain 'D3' is not a domain of the tool (domains: D1, D2)"),
            std::string::npos)
      << e;
}

TEST(AppraisalSpec, ToolsAndRulesAreChecked) {
  const auto spec_of = [](const std::string& name, const std::string& toml) {
    const fs::path review = scratch(name, toml, {});
    const auto spec = metasift::review::load_review_file(review);
    return error_of([&] { (void)metasift::review::load_appraisal(spec); });
  };
  EXPECT_NE(spec_of("unknown", "[appraisal]\ntool = \"rob3\"\nfile = \"a.csv\"\n").find("unknown tool 'rob3'"),
            std::string::npos);
  EXPECT_NE(spec_of("nofile", "[appraisal]\ntool = \"rob2\"\n").find("names no judgement file"), std::string::npos);
  EXPECT_NE(spec_of("escape", "[appraisal]\ntool = \"rob2\"\nfile = \"../a.csv\"\n").find("escapes the review folder"),
            std::string::npos);
  EXPECT_NE(spec_of("rule",
                    "[appraisal]\nfile = \"a.csv\"\noverall = \"best\"\njudgements = [\"low\"]\n"
                    "[[appraisal.domains]]\nid = \"D1\"\n")
                .find("unknown overall rule 'best'"),
            std::string::npos);
  EXPECT_NE(spec_of("rob2rule",
                    "[appraisal]\nfile = \"a.csv\"\noverall = \"rob2\"\njudgements = [\"low\", \"high\"]\n"
                    "[[appraisal.domains]]\nid = \"D1\"\n")
                .find("needs the judgement 'some-concerns'"),
            std::string::npos);
}

TEST(AppraisalCli, MmatOverallLineIsRefusedAndCategoriesAreChecked) {
  const std::string head = "record,domain,judgement,support\n";
  const char* mmat = "[appraisal]\ntool = \"mmat2018\"\nfile = \"appraisal/a.csv\"\n";
  const fs::path over = scratch("mmatover", mmat, {{"appraisal/a.csv", head + "PubMed:31200001,overall,high,x\n"}});
  const run_result r = run("appraise check " + over.string());
  EXPECT_NE(r.err.find("a.csv:2:17: domain: an overall line, but"), std::string::npos) << r.err;

  const std::string rows = head +
                           "PubMed:31200001,S1,Yes,q\nPubMed:31200001,S2,Yes,q\nPubMed:31200001,1.1,Can't tell,q\n"
                           "PubMed:31200001,3.1,No,q\n";
  const fs::path mixed = scratch("mmatcat", mmat, {{"appraisal/a.csv", rows}});
  const fs::path svg = mixed.parent_path() / "tl.svg";
  const run_result m = run("appraise check " + mixed.string() + " --format json --traffic-light " + svg.string());
  ASSERT_EQ(m.code, 0) << m.err;
  const auto j = nlohmann::json::parse(m.out);
  ASSERT_EQ(j["assessments"].size(), 1U);
  EXPECT_TRUE(j["assessments"][0]["overall"].is_null());
  EXPECT_EQ(j["assessments"][0]["domains"]["1.1"], "cant-tell");
  // 1.2-1.5 and 3.2-3.5 not judged; categories 1 and 3 without 5 is not an MMAT appraisal.
  EXPECT_EQ(j["assessments"][0]["missing_domains"].size(), 8U);
  ASSERT_EQ(j["notes"].size(), 1U);
  EXPECT_NE(j["notes"][0].get<std::string>().find("MMAT categories 1, 3"), std::string::npos);
  // The plot draws the criteria of the categories used (S, 1, 3), not the empty 2.x, 4.x, 5.x columns.
  const std::string tl = slurp(svg);
  EXPECT_NE(tl.find(">3.5<"), std::string::npos);
  EXPECT_EQ(tl.find(">2.1<"), std::string::npos);
  EXPECT_NE(tl.find(">Criteria<"), std::string::npos);
}

}  // namespace

namespace {

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST(AppraisalCli, JbiOverallDecisionIsRecordedWithItsSupport) {
  const std::string rows =
      "study,domain,judgement,support\nPubMed:31200001,Q1,Yes,a\nPubMed:31200001,Q5,Not applicable,b\n"
      "PubMed:31200001,overall,Seek further info,Confounding unclear\n";
  const fs::path review = scratch("jbi", "[appraisal]\ntool = \"jbi-cross-sectional\"\nfile = \"appraisal/a.csv\"\n",
                                  {{"appraisal/a.csv", rows}});
  const run_result r = run("appraise check " + review.string() + " --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["assessments"].size(), 1U);
  EXPECT_TRUE(j["assessments"][0]["proposed"].is_null());
  EXPECT_EQ(j["assessments"][0]["overall"], "seek-further-info");
  EXPECT_EQ(j["assessments"][0]["domains"]["Q5"], "not-applicable");
  EXPECT_EQ(j["assessments"][0]["missing_domains"].size(), 6U);  // Q2-Q4, Q6-Q8
  EXPECT_EQ(j["not_assessed"].size(), 1U);                       // the other included study
}

TEST(AppraisalCli, TrafficLightAndSummaryPlotsKeepTextAsText) {
  const std::string head = "record,domain,judgement,support\n";
  // Two studies: one low everywhere but D3 some concerns (overall some concerns), one with D1 high
  // (overall high).
  std::string rows =
      head + rob2_rows("PubMed:31200001", "some-concerns") + rob2_rows("10.1016/j.resourpol.2015.01.004", "low");
  rows.replace(rows.rfind("D1,low"), 6, "D1,high");
  const fs::path review =
      scratch("plots", "[appraisal]\ntool = \"rob2\"\nfile = \"appraisal/a.csv\"\n", {{"appraisal/a.csv", rows}});
  const fs::path dir = review.parent_path();
  const run_result r = run("appraise check " + review.string() + " --traffic-light " + (dir / "tl.svg").string() +
                           " --summary " + (dir / "summary.svg").string() + " --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string tl = slurp(dir / "tl.svg");
  // 2 studies x (5 domains + overall) symbols, plus the 3 judgements of the legend.
  EXPECT_EQ(count_of(tl, "<circle"), 15U);
  EXPECT_NE(tl.find(">D5: Bias in selection of the reported result<"), std::string::npos);
  EXPECT_NE(tl.find(">Overall<"), std::string::npos);
  EXPECT_NE(tl.find(">PubMed:31200001<"), std::string::npos);
  const std::string sum = slurp(dir / "summary.svg");
  // Segments: D1 low+high, D2 low, D3 low+some, D4 low, D5 low, overall some+high = 9, legend 3.
  EXPECT_EQ(count_of(sum, "<rect"), 1U + 9U + 3U);
  EXPECT_NE(sum.find(">Some concerns<"), std::string::npos);
  EXPECT_NE(sum.find(">50%<"), std::string::npos);

  const run_result png = run("appraise check " + review.string() + " --traffic-light " + (dir / "tl.png").string());
  ASSERT_EQ(png.code, 0) << png.err;
  EXPECT_EQ(slurp(dir / "tl.png").substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  const run_result bad = run("appraise check " + review.string() + " --summary " + (dir / "summary.jpg").string());
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("must end in .svg, .pdf or .png"), std::string::npos) << bad.err;
}

// --forest-rob and --summary-weighted need the analysis weights: a review without [analysis] is
// an input error (exit 3) that says so, and writes nothing.
TEST(AppraisalCli, ForestRobNeedsAnAnalysis) {
  const std::string head = "record,domain,judgement,support\n";
  const fs::path review = scratch("forestrob", "[appraisal]\ntool = \"rob2\"\nfile = \"appraisal/a.csv\"\n",
                                  {{"appraisal/a.csv", head + rob2_rows("PubMed:31200001", "low")}});
  const fs::path dir = review.parent_path();
  const run_result r = run("appraise check " + review.string() + " --forest-rob " + (dir / "f.png").string());
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("--summary-weighted and --forest-rob need an [analysis] table"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "f.png"));
}

}  // namespace
