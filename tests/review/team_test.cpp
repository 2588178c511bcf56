// Screening teams: several reviewers per stage, adjudication, the awaiting states, the conflicts
// list and its round trip as an adjudication file, the team's bad input, and the agreement
// statistics (Cohen's kappa against psych::cohen.kappa; Fleiss' kappa and Krippendorff's alpha
// against their papers' worked examples).
//
// The review is the 15-record fixture of screen_test.cpp (fixtures/screening/); its seven records
// that reach human screening are Scopus:S1, S2, S6, S10 and PubMed:31200001, 32000003, 28000004.
// Every expected count below is worked out by hand from the decisions written in each test.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "metasift/core/error.hpp"
#include "metasift/io/table.hpp"
#include "metasift/review/agreement.hpp"
#include "metasift/review/audit.hpp"
#include "metasift/review/conflicts.hpp"
#include "metasift/review/prisma.hpp"
#include "metasift/review/review_file.hpp"
#include "metasift/review/screen.hpp"

namespace {

namespace fs = std::filesystem;
using namespace metasift::review;

const fs::path fixture = fs::path(METASIFT_REVIEW_FIXTURES) / "screening";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void put(const fs::path& p, const std::string& s) {
  std::ofstream(p, std::ios::binary) << s;
}

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

/// A scratch review folder with the fixture's exports, review.toml = sources_toml + `screening`,
/// and the given decisions files.
fs::path team_review(const std::string& name, const std::string& screening,
                     const std::map<std::string, std::string>& files) {
  const fs::path dir = fs::temp_directory_path() / ("metasift_team_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "records");
  fs::create_directories(dir / "decisions");
  fs::copy_file(fixture / "records" / "scopus.ris", dir / "records" / "scopus.ris");
  fs::copy_file(fixture / "records" / "pubmed.nbib", dir / "records" / "pubmed.nbib");
  put(dir / "review.toml", sources_toml + screening);
  for (const auto& [f, text] : files) put(dir / f, text);
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

const std::string dual =
    "[screening]\nmode = \"dual\"\nreviewers = { reviewer_a = \"decisions/a.csv\", "
    "reviewer_b = \"decisions/b.csv\" }\n";

// Title-abstract: a and b agree on S1, S6, 31200001 (include) and S10 (exclude, different
// reasons); disagree on S2 (adjudicated: include) and 28000004 (not adjudicated); b has not
// decided 32000003. Full text: both include S1 and exclude S2; only a decided 31200001.
const std::string a_csv =
    "record,stage,decision,reason,time\n"
    "Scopus:S1,title-abstract,include,,2026-03-01T10:00:00Z\n"
    "Scopus:S2,title-abstract,include,,2026-03-01T10:01:00Z\n"
    "Scopus:S6,title-abstract,include,,\n"
    "Scopus:S10,title-abstract,exclude,Erratum,2026-03-01\n"
    "PubMed:31200001,title-abstract,include,,\n"
    "PubMed:32000003,title-abstract,include,,\n"
    "PubMed:28000004,title-abstract,exclude,Wrong population,\n"
    "Scopus:S1,full-text,include,,\n"
    "Scopus:S2,full-text,exclude,No economic data,\n"
    "PubMed:31200001,full-text,include,,\n";
const std::string b_csv =
    "record,stage,decision,reason\n"
    "Scopus:S1,title-abstract,include,\n"
    "Scopus:S2,title-abstract,exclude,No economic data\n"
    "Scopus:S6,title-abstract,include,\n"
    "Scopus:S10,title-abstract,exclude,Not a study\n"
    "PubMed:31200001,title-abstract,include,\n"
    "PubMed:28000004,title-abstract,include,\n"
    "Scopus:S1,full-text,include,\n"
    "Scopus:S2,full-text,exclude,No economic data\n";
const std::string adjudication_csv = "record,stage,decision,reason\nScopus:S2,title-abstract,include,\n";

TEST(ScreeningTeam, DualReviewWithAdjudicationCountsEveryState) {
  const fs::path review = team_review(
      "dual", dual + "adjudication = \"decisions/adjudication.csv\"\n",
      {{"decisions/a.csv", a_csv}, {"decisions/b.csv", b_csv}, {"decisions/adjudication.csv", adjudication_csv}});
  const review_spec spec = load_review_file(review);
  ASSERT_EQ(spec.screening.reviewers.size(), 2U);
  EXPECT_EQ(spec.screening.reviewers[0].name, "reviewer_a");
  const screen_result res = run_screening(spec);
  const prisma_counts& p = res.prisma;
  EXPECT_EQ(p.records_screened, 7U);
  EXPECT_EQ(p.records_excluded, 1U);  // S10
  ASSERT_EQ(p.records_excluded_reasons.size(), 1U);
  EXPECT_EQ(p.records_excluded_reasons[0].name, "Erratum");  // the first reviewer's reason
  EXPECT_EQ(p.awaiting_screening, 2U);                       // 32000003, 28000004
  EXPECT_EQ(p.awaiting_title_abstract_second_reviewer, 1U);  // 32000003
  EXPECT_EQ(p.awaiting_title_abstract_adjudication, 1U);     // 28000004
  EXPECT_EQ(p.dbr_sought_reports, 4U);                       // S1, S2 (adjudicated), S6, 31200001
  EXPECT_EQ(p.dbr_assessed, 2U);                             // S1, S2
  EXPECT_EQ(p.awaiting_full_text, 2U);                       // S6 (nobody), 31200001 (one of two)
  EXPECT_EQ(p.awaiting_full_text_second_reviewer, 1U);
  EXPECT_EQ(p.awaiting_full_text_adjudication, 0U);
  EXPECT_EQ(p.new_studies, 1U);  // S1
  EXPECT_TRUE(prisma_violations(p).empty());

  // Conflicts: S2 (adjudicated) and 28000004 at title-abstract, S10 by reason only.
  ASSERT_EQ(res.conflicts.size(), 3U);
  const auto open = open_conflicts(res);
  ASSERT_EQ(open.size(), 1U);
  EXPECT_EQ(res.audit[open[0].record].key, "PubMed:28000004");
  conflict_filter with_reasons;
  with_reasons.reason_differences = true;
  ASSERT_EQ(open_conflicts(res, with_reasons).size(), 2U);

  // prisma.json: the awaiting states and the agreement, under "metasift".
  const auto j = nlohmann::json::parse(format_prisma_json(p));
  EXPECT_EQ(j["metasift"]["awaiting_title_abstract_adjudication"], 1);
  EXPECT_EQ(j["metasift"]["awaiting_title_abstract_second_reviewer"], 1);
  EXPECT_EQ(j["metasift"]["awaiting_full_text_second_reviewer"], 1);
  ASSERT_EQ(j["metasift"]["agreement"].size(), 2U);
  const auto& ta = j["metasift"]["agreement"][0];
  EXPECT_EQ(ta["stage"], "title-abstract");
  EXPECT_EQ(ta["reviewers"][1], "reviewer_b");
  // Six records both decided: 3 include/include, 1 exclude/exclude, 2 disagreements.
  // po = 4/6, pe = (4/6)^2 + (2/6)^2 = 20/36, kappa = (24/36 - 20/36) / (16/36) = 1/4;
  // PABAK = 2 po - 1 = 1/3; AC1: pi = 4/6, 2/6, pe = 2 (4/6)(2/6) = 16/36, AC1 = (8/36) / (20/36) = 0.4.
  EXPECT_EQ(ta["n"], 6);
  EXPECT_NEAR(ta["percent_agreement"].get<double>(), 400.0 / 6, 1e-12);
  EXPECT_NEAR(ta["kappa"].get<double>(), 0.25, 1e-12);
  EXPECT_NEAR(ta["pabak"].get<double>(), 1.0 / 3, 1e-12);
  EXPECT_NEAR(ta["ac1"].get<double>(), 0.4, 1e-12);
  EXPECT_EQ(ta["disagreements"], 2);
  EXPECT_EQ(ta["adjudicated"], 1);
  // psych::cohen.kappa on the same table (tests/reference/psych_cohen_kappa.csv, team_example).
  EXPECT_NEAR(ta["kappa_ci_lower"].get<double>(), -0.55792814380217914, 1e-9);
  EXPECT_NEAR(ta["kappa_ci_upper"].get<double>(), 1.0, 1e-12);
  const auto& ft = j["metasift"]["agreement"][1];
  EXPECT_EQ(ft["n"], 2);  // S1, S2
  EXPECT_NEAR(ft["kappa"].get<double>(), 1.0, 1e-12);
  const std::string text = format_prisma_text(p);
  EXPECT_NE(text.find("awaiting adjudication"), std::string::npos) << text;
  EXPECT_NE(text.find("awaiting second reviewer"), std::string::npos) << text;

  // The audit trail: one row per input record, each reviewer's decision in its own column.
  const metasift::io::table t = metasift::io::parse_table(format_audit_csv(spec, res), "audit.csv");
  ASSERT_EQ(t.rows.size(), 15U);
  std::map<std::string, std::vector<std::string>> row;
  for (const auto& r : t.rows) row[r[*t.find("record")]] = r;
  const auto col = [&](const char* n) {
    const auto c = t.find(n);
    EXPECT_TRUE(c.has_value()) << n;
    return c.value_or(0);
  };
  EXPECT_EQ(row["Scopus:S2"][col("title_abstract_reviewer_a")], "include");
  EXPECT_EQ(row["Scopus:S2"][col("title_abstract_reviewer_b")], "exclude");
  EXPECT_EQ(row["Scopus:S2"][col("title_abstract_reviewer_b_reason")], "No economic data");
  EXPECT_EQ(row["Scopus:S2"][col("title_abstract_adjudication")], "include");
  EXPECT_EQ(row["Scopus:S2"][col("title_abstract_state")], "adjudicated");
  EXPECT_EQ(row["Scopus:S1"][col("title_abstract_reviewer_a_time")], "2026-03-01T10:00:00Z");
  EXPECT_EQ(row["PubMed:28000004"][col("final_status")], "awaiting-title-abstract-adjudication");
  EXPECT_EQ(row["PubMed:32000003"][col("final_status")], "awaiting-title-abstract-second-reviewer");
  EXPECT_EQ(row["PubMed:31200001"][col("final_status")], "awaiting-full-text-second-reviewer");
  EXPECT_EQ(row["Scopus:S10"][col("title_abstract_reason")], "Erratum");
  EXPECT_EQ(row["Scopus:S10"][col("title_abstract_state")], "agreed");
  EXPECT_EQ(row["Scopus:S1"][col("second_review")], "yes");
  EXPECT_EQ(row["Scopus:S8"][col("second_review")], "");  // excluded automatically
}

TEST(ScreeningTeam, SingleModeNeedsOneDecisionAndAdjudicationCanSideWithAReviewer) {
  // Single mode: 32000003 (one decision) is decided; the reviewer name in the adjudication file
  // adopts that reviewer's decision and reason.
  const std::string single =
      "[screening]\nreviewers = { reviewer_a = \"decisions/a.csv\", "
      "reviewer_b = \"decisions/b.csv\" }\nadjudication = \"decisions/adj.csv\"\n";
  const fs::path review = team_review("single", single,
                                      {{"decisions/a.csv", a_csv},
                                       {"decisions/b.csv", b_csv},
                                       {"decisions/adj.csv",
                                        "record,stage,decision,reason\nScopus:S2,title-abstract,include,\n"
                                        "PubMed:28000004,title-abstract,reviewer_a,\n"}});
  const screen_result res = run_screening(load_review_file(review));
  const prisma_counts& p = res.prisma;
  EXPECT_EQ(p.awaiting_screening, 0U);
  EXPECT_EQ(p.records_excluded, 2U);  // S10, 28000004 (reviewer_a's exclusion)
  ASSERT_EQ(p.records_excluded_reasons.size(), 2U);
  EXPECT_EQ(p.records_excluded_reasons[1].name, "Wrong population");
  EXPECT_EQ(p.dbr_sought_reports, 5U);  // S1, S2, S6, 31200001, 32000003
  EXPECT_EQ(p.new_studies, 2U);         // S1, 31200001 (one decision suffices)
  EXPECT_TRUE(open_conflicts(res).empty());
}

TEST(ScreeningTeam, DualSampleAsksASecondReviewerForTheSampleOnly) {
  const std::string mode =
      "[screening]\nmode = \"dual-sample\"\nsample = 0.5\nseed = 7\n"
      "reviewers = { reviewer_a = \"decisions/a.csv\", reviewer_b = \"decisions/b.csv\" }\n";
  const fs::path review = team_review("sample", mode, {{"decisions/a.csv", a_csv}, {"decisions/b.csv", b_csv}});
  const review_spec spec = load_review_file(review);
  const screen_result r1 = run_screening(spec), r2 = run_screening(spec);
  std::size_t sampled = 0;
  for (std::size_t i = 0; i < r1.audit.size(); ++i) {
    sampled += r1.audit[i].second_review_required ? 1 : 0;
    EXPECT_EQ(r1.audit[i].second_review_required, r2.audit[i].second_review_required);  // the seed decides
  }
  EXPECT_EQ(sampled, 4U);  // round(0.5 * 7 screened records)
  // 32000003 has one decision: awaiting a second reviewer exactly when it was sampled.
  for (std::size_t i = 0; i < r1.audit.size(); ++i) {
    if (r1.audit[i].key != "PubMed:32000003") continue;
    EXPECT_EQ(r1.audit[i].status == final_status::awaiting_title_abstract_second_reviewer,
              r1.audit[i].second_review_required);
  }
}

TEST(ScreeningTeam, ConflictsCsvFilledInIsTheAdjudicationFile) {
  const fs::path review = team_review("roundtrip", dual, {{"decisions/a.csv", a_csv}, {"decisions/b.csv", b_csv}});
  const screen_result before = run_screening(load_review_file(review));
  const auto open = open_conflicts(before);
  ASSERT_EQ(open.size(), 2U);  // S2 and 28000004 at title-abstract
  const std::string csv = format_conflicts_csv(before, open);
  const metasift::io::table t = metasift::io::parse_table(csv, "conflicts.csv");
  ASSERT_EQ(t.rows.size(), 2U);
  EXPECT_EQ(t.names, (std::vector<std::string>{"record", "stage", "title", "reviewer_a_decision", "reviewer_a_reason",
                                               "reviewer_b_decision", "reviewer_b_reason", "decision", "reason"}));
  EXPECT_EQ(t.rows[0][0], "Scopus:S2");
  EXPECT_EQ(t.rows[0][4], "");
  EXPECT_EQ(t.rows[0][5], "exclude");
  EXPECT_EQ(t.rows[0][6], "No economic data");
  EXPECT_EQ(t.rows[1][0], "PubMed:28000004");
  // Fill in: include S2; side with reviewer_a on 28000004. The file's line ends are replaced by
  // ",include," etc.: the two last columns are the empty decision and reason.
  std::istringstream in(csv);
  std::string line, filled;
  std::getline(in, line);
  filled += line + "\n";
  std::getline(in, line);
  filled += line.substr(0, line.size() - 2) + ",include,Economic data in the supplement\n";
  std::getline(in, line);
  filled += line.substr(0, line.size() - 2) + ",reviewer_a,\n";
  put(review.parent_path() / "decisions" / "adjudication.csv", filled);
  put(review, sources_toml + dual + "adjudication = \"decisions/adjudication.csv\"\n");
  const screen_result after = run_screening(load_review_file(review));
  EXPECT_TRUE(open_conflicts(after).empty());
  EXPECT_EQ(after.prisma.awaiting_title_abstract_adjudication, 0U);
  EXPECT_EQ(after.prisma.records_excluded, 2U);  // S10 and 28000004
  EXPECT_EQ(after.prisma.dbr_sought_reports, 4U);
  // A partly filled list: an empty decision leaves the conflict open.
  put(review.parent_path() / "decisions" / "adjudication.csv", csv);
  EXPECT_EQ(open_conflicts(run_screening(load_review_file(review))).size(), 2U);
}

TEST(ScreeningTeam, BadInputIsOneLineNamingFileLineAndColumn) {
  auto err = [](const std::string& name, const std::string& screening, const std::map<std::string, std::string>& f) {
    return error_of([&] { (void)run_screening(load_review_file(team_review(name, screening, f))); });
  };
  // A decision for a record that does not exist.
  std::string e = err("nonexistent", dual,
                      {{"decisions/a.csv",
                        "record,stage,decision\nScopus:S1,title-abstract,include\n"
                        "Scopus:S99,title-abstract,exclude\n"},
                       {"decisions/b.csv", b_csv}});
  EXPECT_NE(e.find("decisions/a.csv:3:1: record: 'Scopus:S99' names no record"), std::string::npos) << e;
  // Two lines for one record and stage in one file: both lines named.
  e = err("repeat", dual,
          {{"decisions/a.csv",
            "record,stage,decision\nScopus:S1,title-abstract,include\n"
            "Scopus:S6,title-abstract,include\nScopus:S1,title-abstract,include\n"},
           {"decisions/b.csv", b_csv}});
  EXPECT_NE(e.find("decisions/a.csv:4:1: record: repeated title-abstract decisions for Scopus:S1: line 2 says include, "
                   "line 4 says include"),
            std::string::npos)
      << e;
  // An unknown reviewer in the adjudication file: as a column, and as a decision.
  const std::string with_adj = dual + "adjudication = \"decisions/adj.csv\"\n";
  e = err(
      "unknown_col", with_adj,
      {{"decisions/a.csv", a_csv},
       {"decisions/b.csv", b_csv},
       {"decisions/adj.csv", "record,stage,reviewer_c_decision,decision\nScopus:S2,title-abstract,include,include\n"}});
  EXPECT_NE(e.find("decisions/adj.csv:1:14: unknown reviewer 'reviewer_c'"), std::string::npos) << e;
  e = err("unknown_name", with_adj,
          {{"decisions/a.csv", a_csv},
           {"decisions/b.csv", b_csv},
           {"decisions/adj.csv", "record,stage,decision\nScopus:S2,title-abstract,reviewer_c\n"}});
  EXPECT_NE(e.find("decisions/adj.csv:2:26: decision: unknown reviewer 'reviewer_c'"), std::string::npos) << e;
  // An adjudication line for a record without a conflict (both included S1).
  e = err("noconflict", with_adj,
          {{"decisions/a.csv", a_csv},
           {"decisions/b.csv", b_csv},
           {"decisions/adj.csv",
            "record,stage,decision\nScopus:S2,title-abstract,include\nScopus:S1,title-abstract,exclude\n"}});
  EXPECT_NE(e.find("decisions/adj.csv:3:1: record: 'Scopus:S1' (Scopus:S1) has no conflict to adjudicate at "
                   "title-abstract (the reviewers agree)"),
            std::string::npos)
      << e;
  // Dual mode without two reviewers.
  e = err("onereviewer", "[screening]\nmode = \"dual\"\nreviewers = { reviewer_a = \"decisions/a.csv\" }\n",
          {{"decisions/a.csv", a_csv}});
  EXPECT_NE(e.find("review.toml:24:8: mode = \"dual\" needs two reviewers"), std::string::npos) << e;
  e = err("legacydual", "[screening]\nmode = \"dual\"\ndecisions = \"decisions/a.csv\"\n",
          {{"decisions/a.csv", a_csv}});
  EXPECT_NE(e.find("review.toml:24:8: mode = \"dual\" needs two reviewers"), std::string::npos) << e;
  // A time that is not ISO 8601.
  e = err("time", dual,
          {{"decisions/a.csv", "record,stage,decision,time\nScopus:S1,title-abstract,include,03/01/2026\n"},
           {"decisions/b.csv", b_csv}});
  EXPECT_NE(e.find("decisions/a.csv:2:34: time: '03/01/2026' is not an ISO 8601"), std::string::npos) << e;
  // Every message is one line.
  EXPECT_EQ(e.find('\n'), std::string::npos);
}

// ---- agreement statistics ---------------------------------------------------------------------

std::vector<std::vector<double>> table_of(const std::string& cells) {
  std::vector<double> v;
  std::stringstream ss(cells);
  std::string c;
  while (std::getline(ss, c, ';')) v.push_back(std::stod(c));
  const auto q = static_cast<std::size_t>(std::lround(std::sqrt(static_cast<double>(v.size()))));
  std::vector<std::vector<double>> t(q, std::vector<double>(q));
  for (std::size_t i = 0; i < v.size(); ++i) t[i / q][i % q] = v[i];
  return t;
}

TEST(Agreement, CohenKappaAndItsCiEqualPsychCohenKappa) {
  // tests/reference/psych_cohen_kappa.csv: written by tools/reference/agreement_psych.R.
  const std::string ref =
      slurp(fs::path(METASIFT_REVIEW_FIXTURES) / ".." / ".." / "reference" / "psych_cohen_kappa.csv");
  std::string body;  // without the '#' provenance lines
  std::istringstream lines(ref);
  for (std::string l; std::getline(lines, l);) {
    if (l.empty() || l[0] != '#') body += l + "\n";
  }
  const metasift::io::table t = metasift::io::parse_table(body, "psych_cohen_kappa.csv");
  ASSERT_GE(t.rows.size(), 8U);
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const auto& row = t.rows[r];
    SCOPED_TRACE(row[0]);
    const two_rater_agreement g = cohen_agreement(table_of(row[1]));
    EXPECT_EQ(g.n, static_cast<std::size_t>(std::stoul(row[2])));
    EXPECT_NEAR(g.kappa, std::stod(row[3]), 1e-6);
    EXPECT_NEAR(g.kappa_ci_lower, std::stod(row[4]), 1e-6);
    EXPECT_NEAR(g.kappa_ci_upper, std::stod(row[5]), 1e-6);
    EXPECT_NEAR(g.kappa_se * g.kappa_se, std::stod(row[6]), 1e-9);
  }
}

TEST(Agreement, PabakAndAc1FollowTheirDefinitions) {
  // Byrt, Bishop and Carlin (1993): PABAK = 2 po - 1. Gwet (2008, eq. 14), two categories:
  // pe = 2 pi (1 - pi), pi the mean share of "yes". Table 41/9/14/536 (n = 600): po = 577/600;
  // pi = (50/600 + 55/600) / 2 = 0.0875, pe = 2 * 0.0875 * 0.9125 = 0.1596875.
  const two_rater_agreement g = cohen_agreement({{41, 9}, {14, 536}});
  const double po = 577.0 / 600, pe = 2 * 0.0875 * 0.9125;
  EXPECT_NEAR(g.percent_agreement, 100 * po, 1e-12);
  EXPECT_NEAR(g.pabak, 2 * po - 1, 1e-12);
  EXPECT_NEAR(g.ac1, (po - pe) / (1 - pe), 1e-12);
  // The kappa paradox Gwet's AC1 was made for: high agreement on a rare category keeps AC1 high
  // while kappa drops (0.659 against AC1 0.984 on 3/2/1/194).
  const two_rater_agreement rare = cohen_agreement({{3, 2}, {1, 194}});
  EXPECT_GT(rare.ac1, 0.98);
  EXPECT_LT(rare.kappa, 0.66);
  // No data: NaN, not a number pretending to be one.
  EXPECT_TRUE(std::isnan(cohen_agreement({{0, 0}, {0, 0}}).kappa));
}

TEST(Agreement, FleissKappaReproducesFleiss1971Table1) {
  // Fleiss (1971, Psychological Bulletin 76:378-382), Table 1: 30 patients, 6 psychiatrists each,
  // 5 diagnoses (1 depression, 2 personality disorder, 3 schizophrenia, 4 neurosis, 5 other).
  // The paper's worked result: P-bar = 0.556, P-bar_e = 0.220, kappa = 0.430.
  const int ratings[30][6] = {
      {4, 4, 4, 4, 4, 4}, {2, 2, 2, 5, 5, 5}, {2, 3, 3, 3, 3, 5}, {5, 5, 5, 5, 5, 5}, {2, 2, 2, 4, 4, 4},
      {1, 1, 3, 3, 3, 3}, {3, 3, 3, 3, 5, 5}, {1, 1, 3, 3, 3, 4}, {1, 1, 4, 4, 4, 4}, {5, 5, 5, 5, 5, 5},
      {1, 4, 4, 4, 4, 4}, {1, 2, 4, 4, 4, 4}, {2, 2, 2, 3, 3, 3}, {1, 4, 4, 4, 4, 4}, {2, 2, 4, 4, 4, 5},
      {3, 3, 3, 3, 3, 5}, {1, 1, 1, 4, 5, 5}, {1, 1, 1, 1, 1, 2}, {2, 2, 4, 4, 4, 4}, {1, 3, 3, 5, 5, 5},
      {5, 5, 5, 5, 5, 5}, {2, 4, 4, 4, 4, 4}, {2, 2, 4, 5, 5, 5}, {1, 1, 4, 4, 4, 4}, {1, 4, 4, 4, 4, 5},
      {2, 2, 2, 2, 2, 4}, {1, 1, 1, 1, 5, 5}, {2, 2, 4, 4, 4, 4}, {1, 3, 3, 3, 3, 3}, {5, 5, 5, 5, 5, 5}};
  std::vector<std::vector<std::size_t>> counts;
  for (const auto& row : ratings) {
    std::vector<std::size_t> c(5, 0);
    for (const int v : row) ++c[static_cast<std::size_t>(v - 1)];
    counts.push_back(c);
  }
  EXPECT_NEAR(fleiss_kappa(counts), 0.430, 0.0005);
  // Unequal numbers of raters: undefined.
  counts[0][0] += 1;
  EXPECT_TRUE(std::isnan(fleiss_kappa(counts)));
}

TEST(Agreement, KrippendorffAlphaReproducesKrippendorff2011NominalExample) {
  // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers,
  // 12 units, values 1-5, missing values; nominal alpha = 0.743.
  const std::optional<int> _;
  const std::vector<std::vector<std::optional<int>>> units = {{1, 1, _, 1}, {2, 2, 3, 2}, {3, 3, 3, 3}, {3, 3, 3, 3},
                                                              {2, 2, 2, 2}, {1, 2, 3, 4}, {4, 4, 4, 4}, {1, 1, 2, 1},
                                                              {2, 2, 2, 2}, {_, 5, 5, 5}, {_, _, 1, 1}, {_, _, 3, _}};
  EXPECT_NEAR(krippendorff_alpha_nominal(units), 0.743, 0.0005);
  // Two raters, no missing data, nominal: alpha is Scott's pi corrected for sample size; on
  // perfect agreement it is 1.
  EXPECT_NEAR(krippendorff_alpha_nominal({{1, 1}, {0, 0}, {1, 1}}), 1.0, 1e-12);
}

TEST(ScreeningTeam, ThreeReviewersGiveFleissAndKrippendorffEntries) {
  const std::string three =
      "[screening]\nmode = \"dual\"\nreviewers = { reviewer_a = \"decisions/a.csv\", "
      "reviewer_b = \"decisions/b.csv\", reviewer_c = \"decisions/c.csv\" }\n";
  const std::string c_csv =
      "record,stage,decision\nScopus:S1,title-abstract,include\nScopus:S2,title-abstract,include\n"
      "Scopus:S6,title-abstract,include\nScopus:S10,title-abstract,exclude\n";
  const screen_result res = run_screening(load_review_file(team_review(
      "three", three, {{"decisions/a.csv", a_csv}, {"decisions/b.csv", b_csv}, {"decisions/c.csv", c_csv}})));
  std::size_t pairwise = 0;
  const stage_agreement* team = nullptr;
  for (const auto& a : res.prisma.agreement) {
    if (a.pairwise)
      ++pairwise;
    else if (a.stage == "title-abstract")
      team = &a;
  }
  EXPECT_EQ(pairwise, 3U + 1U);  // three pairs at title-abstract; a-b at full text (c made none)
  ASSERT_NE(team, nullptr);
  // Units with two or more ratings: S1 (I,I,I), S2 (I,E,I), S6 (I,I,I), S10 (E,E,E), 31200001
  // (I,I), 28000004 (E,I). Fleiss over the four units all three rated: counts (0,3), (1,2), (0,3),
  // (3,0): P_i = 1, 1/3, 1, 1 -> P-bar = 5/6; p_E = 4/12, p_I = 8/12 -> P_e = 5/9;
  // kappa = (5/6 - 5/9) / (4/9) = 0.625.
  EXPECT_EQ(team->n, 6U);
  EXPECT_NEAR(team->fleiss_kappa, 0.625, 1e-12);
  EXPECT_TRUE(std::isfinite(team->krippendorff_alpha));
}

}  // namespace

namespace {

struct cli_result {
  int code;
  std::string out, err;
};

cli_result run_cli(const std::string& args, const fs::path& dir) {
  const char* bin = std::getenv("METASIFT_BIN");
  if (bin == nullptr) throw std::runtime_error("METASIFT_BIN not set (run through ctest)");
  const fs::path out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string cmd = std::string(bin) + " " + args + " >" + out.string() + " 2>" + err.string();
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

TEST(ConflictsCli, ListsOpenConflictsAndItsCsvClosesThem) {
  const fs::path review = team_review("cli", dual, {{"decisions/a.csv", a_csv}, {"decisions/b.csv", b_csv}});
  const fs::path dir = review.parent_path();
  cli_result r = run_cli("conflicts " + review.string(), dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2 open conflicts"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("reviewer_b: exclude (No economic data)"), std::string::npos) << r.out;
  r = run_cli("conflicts " + review.string() + " --stage full-text --format json", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["count"], 0);
  r = run_cli("conflicts " + review.string() + " --format csv", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  // Fill in the two empty trailing cells of each line.
  std::istringstream in(r.out);
  std::string line, filled;
  std::getline(in, line);
  filled += line + "\n";
  while (std::getline(in, line)) filled += line.substr(0, line.size() - 2) + ",include,\n";
  put(dir / "decisions" / "adjudication.csv", filled);
  put(review, sources_toml + dual + "adjudication = \"decisions/adjudication.csv\"\n");
  r = run_cli("conflicts " + review.string(), dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "No open conflicts.\n");
  r = run_cli("screen " + review.string() + " -q", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Reviewer agreement"), std::string::npos) << r.out;
  // Bad data: exit code 3 and one line.
  put(dir / "decisions" / "adjudication.csv", "record,stage,decision\nScopus:S1,title-abstract,exclude\n");
  r = run_cli("conflicts " + review.string(), dir);
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("adjudication.csv:2:1: record:"), std::string::npos) << r.err;
}

}  // namespace

namespace {

TEST(OtherMethods, CitationSourceIsCountedInTheSecondArm) {
  // The fixture review with PubMed declared as citation searching. Its five records: 31200001
  // (included), 26000002 (duplicate of Scopus S1), 32000003 (not retrieved), 28000004 (excluded
  // at full text: Wrong outcome), 32000005 (preprint: excluded automatically).
  std::string toml = slurp(fixture / "review.toml");
  toml.replace(toml.find("name = \"PubMed\"\n"), std::string("name = \"PubMed\"\n").size(),
               "name = \"PubMed\"\nkind = \"citation\"\n");
  const fs::path dir = fs::temp_directory_path() / ("metasift_team_other_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "records");
  fs::copy_file(fixture / "records" / "scopus.ris", dir / "records" / "scopus.ris");
  fs::copy_file(fixture / "records" / "pubmed.nbib", dir / "records" / "pubmed.nbib");
  fs::copy_file(fixture / "decisions.csv", dir / "decisions.csv");
  put(dir / "review.toml", toml);
  const review_spec spec = load_review_file(dir / "review.toml");
  EXPECT_EQ(spec.sources[1].kind, source_kind::citation);
  const prisma_counts p = run_screening(spec).prisma;
  EXPECT_EQ(p.database_results, 10U);
  EXPECT_EQ(p.citations_results, 5U);
  EXPECT_EQ(p.website_results + p.organisation_results, 0U);
  EXPECT_EQ(p.duplicates, 2U);          // S3, S9
  EXPECT_EQ(p.excluded_automatic, 4U);  // S4, S5, S7, S8
  EXPECT_EQ(p.records_screened, 4U);    // S1, S2, S6, S10
  EXPECT_EQ(p.records_excluded, 1U);    // S10
  EXPECT_EQ(p.dbr_sought_reports, 3U);  // S1, S2, S6
  EXPECT_EQ(p.dbr_assessed, 2U);        // S1, S2
  EXPECT_EQ(p.awaiting_full_text, 1U);  // S6
  EXPECT_EQ(p.other_duplicates, 1U);    // 26000002
  EXPECT_EQ(p.other_excluded_automatic, 1U);
  EXPECT_EQ(p.other_records_screened, 3U);
  EXPECT_EQ(p.other_sought_reports, 3U);
  EXPECT_EQ(p.other_notretrieved_reports, 1U);
  EXPECT_EQ(p.other_assessed, 2U);
  ASSERT_EQ(p.other_excluded.size(), 1U);
  EXPECT_EQ(p.other_excluded[0].name, "Wrong outcome");
  EXPECT_EQ(p.new_studies, 2U);  // S1 and 31200001, one from each arm
  EXPECT_TRUE(prisma_violations(p).empty());
  const auto j = nlohmann::json::parse(format_prisma_json(p));
  for (const char* key : {"website_results", "organisation_results", "citations_results", "other_sought_reports",
                          "other_notretrieved_reports", "other_assessed", "other_excluded"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["metasift"]["other_specific_results"][0]["kind"], "citation");
  EXPECT_EQ(format_prisma_json(parse_prisma_json(format_prisma_json(p), "p.json")), format_prisma_json(p));
  const std::string svg = prisma_svg(p);
  EXPECT_NE(svg.find("Identification of studies via other methods"), std::string::npos);
  EXPECT_NE(svg.find("Citation searching (n = 5)"), std::string::npos);
  EXPECT_NE(svg.find("id=\"other-assessed\""), std::string::npos);
  // A database-only review draws one arm.
  EXPECT_EQ(prisma_svg(run_screening(load_review_file(fixture / "review.toml")).prisma).find("via other methods"),
            std::string::npos);
  // The arms are checked like the rest: one count off is a violation.
  prisma_counts bad = p;
  bad.other_assessed = 3;
  EXPECT_FALSE(prisma_violations(bad).empty());
  // An unknown kind is an error at its value.
  toml.replace(toml.find("kind = \"citation\""), std::string("kind = \"citation\"").size(), "kind = \"grey\"");
  put(dir / "review.toml", toml);
  const std::string e = error_of([&] { (void)load_review_file(dir / "review.toml"); });
  EXPECT_NE(e.find("review.toml:11:8: unknown kind 'grey'"), std::string::npos) << e;
}

}  // namespace
