// Several outcomes per review: [[analysis]] tables filtered on extracted fields, one report section
// and one results.json entry per outcome, and the characteristics table built from the codebook.
// The expected numbers are metafor 3.8.1's (tests/reference/metafor_subgroups_bcg_mods.csv: the BCG
// trials pooled per allocation method with DerSimonian-Laird, a closed form, so agreement is to
// rounding) and hand arithmetic on the same data.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "metasift/core/error.hpp"
#include "metasift/run/analysis_spec.hpp"
#include "metasift/run/run.hpp"
#include "support/reference.hpp"

namespace {

namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

std::string slurp_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// "line:column" (1-based) of the first occurrence of `needle` in `text`.
std::string position_of(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  if (at == std::string::npos) return "(not found)";
  const auto line_start = text.rfind('\n', at);
  const std::size_t col = line_start == std::string::npos ? at + 1 : at - line_start;
  const std::size_t line =
      1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  return std::to_string(line) + ":" + std::to_string(col);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const metasift::error& e) {
    return e.what();
  }
  return "(no error)";
}

// metadat's dat.bcg (as tests/data/regression/bcg_mods.csv): tpos, tpos + tneg, cpos, cpos + cneg,
// absolute latitude and allocation.
struct trial {
  const char* study;
  int a, n1, c, n2, ablat;
  const char* alloc;
};
const std::vector<trial> bcg = {
    {"Aronson 1948", 4, 123, 11, 139, 44, "random"},
    {"Ferguson and Simes 1949", 6, 306, 29, 303, 55, "random"},
    {"Rosenthal et al 1960", 3, 231, 11, 220, 42, "random"},
    {"Hart and Sutherland 1977", 62, 13598, 248, 12867, 52, "random"},
    {"Frimodt-Moller et al 1973", 33, 5069, 47, 5808, 13, "alternate"},
    {"Stein and Aronson 1953", 180, 1541, 372, 1451, 44, "alternate"},
    {"Vandiviere et al 1973", 8, 2545, 10, 629, 19, "random"},
    {"TPT Madras 1980", 505, 88391, 499, 88391, 13, "random"},
    {"Coetzee and Berjak 1968", 29, 7499, 45, 7277, 27, "random"},
    {"Rosenthal et al 1961", 17, 1716, 65, 1665, 42, "systematic"},
    {"Comstock et al 1974", 186, 50634, 141, 27338, 18, "systematic"},
    {"Comstock and Webster 1969", 5, 2498, 3, 2341, 33, "systematic"},
    {"Comstock et al 1976", 27, 16913, 29, 17854, 33, "systematic"},
};

std::string id_of(std::size_t i) {
  std::string id = "T";
  id += std::to_string(i + 1);  // appended: GCC 12 warns, wrongly, on "T" + std::string (-Wrestrict)
  return id;
}

// A review of the 13 trials, all included; the extraction file holds alloc and ablat.
struct outcomes_project {
  fs::path dir;
  explicit outcomes_project(const std::string& name, const std::string& analyses,
                            const std::string& extraction_extra = "") {
    dir = fs::temp_directory_path() / ("metasift_outcomes_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    std::string ris, decisions = "record,stage,decision,reason\n", data = "record,study,events1,n1,events2,n2\n",
                     extraction = "record,alloc,ablat\n";
    for (std::size_t i = 0; i < bcg.size(); ++i) {
      const trial& t = bcg[i];
      ris += "TY  - JOUR\nAU  - Author" + std::to_string(i) + ", A.\nTI  - BCG trial " + std::string(t.study) +
             "\nT2  - Journal of Trials\nPY  - 1970\nID  - " + id_of(i) + "\nER  - \n\n";
      decisions += "DB:" + id_of(i) + ",full-text,include,\n";
      data += "DB:" + id_of(i) + "," + t.study + "," + std::to_string(t.a) + "," + std::to_string(t.n1) + "," +
              std::to_string(t.c) + "," + std::to_string(t.n2) + "\n";
      extraction += "DB:" + id_of(i) + "," + t.alloc + "," + std::to_string(t.ablat) + "\n";
    }
    write(dir / "records/db.ris", ris);
    write(dir / "decisions.csv", decisions);
    write(dir / "data/studies.csv", data);
    write(dir / "extraction.csv", extraction);
    write(dir / "review.toml",
          "title = \"BCG by allocation\"\n"
          "[[sources]]\n"
          "name = \"DB\"\n"
          "files = [\"records/db.ris\"]\n"
          "[screening]\n"
          "decisions = \"decisions.csv\"\n"
          "[extraction]\n"
          "file = \"extraction.csv\"\n" +
              extraction_extra +
              "[[extraction.fields]]\n"
              "id = \"alloc\"\n"
              "type = \"enum\"\n"
              "values = [\"random\", \"alternate\", \"systematic\"]\n"
              "description = \"Method of treatment allocation\"\n"
              "[[extraction.fields]]\n"
              "id = \"ablat\"\n"
              "type = \"number\"\n" +
              analyses);
  }
  ~outcomes_project() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  [[nodiscard]] metasift::run::run_options options() const {
    metasift::run::run_options o;
    o.review = dir / "review.toml";
    return o;
  }
  [[nodiscard]] fs::path review() const { return dir / "review.toml"; }
};

const std::string two_outcomes =
    "[[analysis]]\n"
    "id = \"random\"\n"
    "title = \"Random allocation\"\n"
    "data = \"data/studies.csv\"\n"
    "where = { alloc = \"random\" }\n"
    "measure = \"RR\"\n"
    "method = \"DL\"\n"
    "[[analysis]]\n"
    "id = \"alternate\"\n"
    "title = \"Alternate allocation\"\n"
    "data = \"data/studies.csv\"\n"
    "where = 'alloc = \"alternate\"'\n"
    "measure = \"RR\"\n"
    "method = \"DL\"\n";

const std::string& file_of(const metasift::run::run_outputs& out, const std::string& name) {
  for (const auto& [n, content] : out.text_files) {
    if (n == name) return content;
  }
  throw std::runtime_error("no output " + name);
}

std::size_t occurrences(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + needle.size())) ++n;
  return n;
}

/// metafor's per-subgroup results for RR, DL, z; group 1 = alternate, 2 = random, 3 = systematic
/// (levels in alphabetical order).
const metasift::test::reference_case& bcg_alloc_dl() {
  static const auto cases =
      metasift::test::read_reference(std::string(METASIFT_REFERENCE_DIR) + "/metafor_subgroups_bcg_mods.csv");
  for (const auto& c : cases) {
    if (c.key == "RR|DL|z|alloc:separate|default") return c;
  }
  throw std::runtime_error("reference case RR|DL|z|alloc:separate|default missing");
}

/// |a - b| within 1e-9 relative (1e-12 absolute near 0): closed forms agree to rounding.
void expect_close(double a, double b, const std::string& what) {
  EXPECT_LE(std::abs(a - b), 1e-9 * std::abs(b) + 1e-12) << what << ": " << a << " vs " << b;
}

void expect_matches_group(const metasift::models::meta_result& m, const metasift::test::reference_case& ref,
                          const std::string& g) {
  EXPECT_EQ(m.k, static_cast<int>(ref.at("k." + g)));
  expect_close(m.pooled.estimate, ref.at("estimate." + g), "estimate");
  expect_close(m.pooled.se, ref.at("se." + g), "se");
  expect_close(m.pooled.ci_lower, ref.at("ci_lower." + g), "ci_lower");
  expect_close(m.pooled.ci_upper, ref.at("ci_upper." + g), "ci_upper");
  expect_close(m.het.tau2, ref.at("tau2." + g), "tau2");
  expect_close(m.het.I2, ref.at("I2." + g), "I2");
  expect_close(m.het.Q, ref.at("Q." + g), "Q");
}

TEST(Outcomes, TwoAnalysesGiveTwoSectionsAndResultsWithMetaforNumbers) {
  const outcomes_project p("two", two_outcomes);
  const auto out = metasift::run::compute_run(p.options());
  const auto& ref = bcg_alloc_dl();
  ASSERT_EQ(out.outcomes.size(), 2U);
  EXPECT_EQ(out.outcomes[0].id, "random");
  EXPECT_EQ(out.outcomes[1].id, "alternate");
  expect_matches_group(out.outcomes[0].meta, ref, "2");
  expect_matches_group(out.outcomes[1].meta, ref, "1");
  // Rows of the other allocations fail the filter; none is lost without a word.
  EXPECT_EQ(out.outcomes[0].links.analysed, 7U);
  EXPECT_EQ(out.outcomes[0].links.outside_filter, 6U);
  EXPECT_EQ(out.outcomes[1].links.analysed, 2U);
  EXPECT_EQ(out.outcomes[1].links.outside_filter, 11U);
  EXPECT_TRUE(out.outcomes[0].links.included_without_data.empty());

  const auto j = nlohmann::json::parse(file_of(out, "results.json"));
  ASSERT_EQ(j["analyses"].size(), 2U);
  EXPECT_EQ(j["analyses"][0]["id"], "random");
  EXPECT_EQ(j["analyses"][1]["id"], "alternate");
  EXPECT_EQ(j["analyses"][1]["title"], "Alternate allocation");
  EXPECT_EQ(j["analyses"][1]["where"], nlohmann::json::parse(R"({"alloc":["alternate"]})"));
  expect_close(j["analyses"][0]["meta_analysis"]["pooled"]["estimate"].get<double>(), ref.at("estimate.2"), "json");
  expect_close(j["analyses"][1]["meta_analysis"]["pooled"]["estimate"].get<double>(), ref.at("estimate.1"), "json");
  expect_close(j["analyses"][1]["meta_analysis"]["heterogeneity"]["tau2"].get<double>(), ref.at("tau2.1"), "json");
  EXPECT_EQ(j["analyses"][1]["meta_analysis"]["k"], 2);
  EXPECT_EQ(j["analyses"][0]["linking"]["outside_filter"], 6);
  // The first outcome keeps the top-level keys of a single analysis.
  EXPECT_EQ(j["meta_analysis"], j["analyses"][0]["meta_analysis"]);
  EXPECT_EQ(j["linking"], j["analyses"][0]["linking"]);

  const std::string& html = file_of(out, "report.html");
  EXPECT_EQ(occurrences(html, "id=\"outcome-random\""), 1U);
  EXPECT_EQ(occurrences(html, "id=\"outcome-alternate\""), 1U);
  EXPECT_EQ(occurrences(html, "id=\"heterogeneity-random\""), 1U);
  EXPECT_EQ(occurrences(html, "id=\"heterogeneity-alternate\""), 1U);
  EXPECT_NE(html.find("Outcome: Random allocation"), std::string::npos);
  EXPECT_NE(html.find("Outcome: Alternate allocation"), std::string::npos);
  EXPECT_NE(html.find("id=\"outcomes-table\""), std::string::npos);
  // One forest plot per outcome, linked from its section.
  EXPECT_EQ(out.figures.size(), 3U);  // PRISMA and two forest plots
  EXPECT_NE(html.find("figures/forest-random.svg"), std::string::npos);
  EXPECT_NE(html.find("figures/forest-alternate.svg"), std::string::npos);
  EXPECT_EQ(html.find("figures/forest.svg"), std::string::npos);
}

TEST(Outcomes, ArrayOfValuesPoolsTheUnionAsHandArithmeticSays) {
  // Common-effect inverse-variance pooling of log risk ratios, worked here from the 2x2 counts:
  // yi = log((a/n1)/(c/n2)), vi = 1/a - 1/n1 + 1/c - 1/n2, estimate = sum(yi/vi)/sum(1/vi).
  const outcomes_project p("union",
                           "[[analysis]]\nid = \"not-systematic\"\ndata = \"data/studies.csv\"\n"
                           "where = { alloc = [\"random\", \"alternate\"] }\nmeasure = \"RR\"\nmethod = \"EE\"\n"
                           "[[analysis]]\nid = \"systematic\"\ndata = \"data/studies.csv\"\n"
                           "where = { alloc = \"systematic\", ablat = [18, 33] }\nmeasure = \"RR\"\nmethod = \"EE\"\n");
  const auto out = metasift::run::compute_run(p.options());
  ASSERT_EQ(out.outcomes.size(), 2U);
  const auto pooled = [](const std::function<bool(const trial&)>& keep) {
    double sw = 0, swy = 0;
    for (const auto& t : bcg) {
      if (!keep(t)) continue;
      const double yi = std::log((t.a / static_cast<double>(t.n1)) / (t.c / static_cast<double>(t.n2)));
      const double vi = 1.0 / t.a - 1.0 / t.n1 + 1.0 / t.c - 1.0 / t.n2;
      sw += 1 / vi;
      swy += yi / vi;
    }
    return std::pair<double, double>{swy / sw, std::sqrt(1 / sw)};
  };
  const auto [est1, se1] = pooled([](const trial& t) { return std::string(t.alloc) != "systematic"; });
  EXPECT_EQ(out.outcomes[0].meta.k, 9);
  EXPECT_NEAR(out.outcomes[0].meta.pooled.estimate, est1, 1e-12);
  EXPECT_NEAR(out.outcomes[0].meta.pooled.se, se1, 1e-12);
  // Two conditions: systematic allocation and a latitude of 18 or 33 (numbers compared as numbers).
  const auto [est2, se2] =
      pooled([](const trial& t) { return std::string(t.alloc) == "systematic" && (t.ablat == 18 || t.ablat == 33); });
  EXPECT_EQ(out.outcomes[1].meta.k, 3);
  EXPECT_NEAR(out.outcomes[1].meta.pooled.estimate, est2, 1e-12);
  EXPECT_NEAR(out.outcomes[1].meta.pooled.se, se2, 1e-12);
  // The title defaults to the id.
  EXPECT_EQ(out.outcomes[1].title, "systematic");
}

TEST(Outcomes, SingleAnalysisTableStillWorksAndListsOneAnalysis) {
  const outcomes_project p("single",
                           "[analysis]\ndata = \"data/studies.csv\"\nwhere = { alloc = \"alternate\" }\n"
                           "measure = \"RR\"\nmethod = \"DL\"\n");
  const auto out = metasift::run::compute_run(p.options());
  ASSERT_EQ(out.outcomes.size(), 1U);
  EXPECT_EQ(out.outcomes[0].id, "main");
  expect_matches_group(*out.meta, bcg_alloc_dl(), "1");
  const auto j = nlohmann::json::parse(file_of(out, "results.json"));
  ASSERT_EQ(j["analyses"].size(), 1U);
  EXPECT_EQ(j["analyses"][0]["id"], "main");
  EXPECT_EQ(j["meta_analysis"], j["analyses"][0]["meta_analysis"]);
  const std::string& html = file_of(out, "report.html");
  // The single-analysis layout: no outcome sections, the usual ids and figure names.
  EXPECT_EQ(html.find("id=\"outcome-"), std::string::npos);
  EXPECT_NE(html.find("id=\"synthesis\""), std::string::npos);
  EXPECT_NE(html.find("figures/forest.svg"), std::string::npos);
}

TEST(Outcomes, CharacteristicsTableShowsTheChosenCodebookFields) {
  const outcomes_project p("chars", two_outcomes, "characteristics = [\"alloc\"]\n");
  const auto out = metasift::run::compute_run(p.options());
  const std::string& html = file_of(out, "report.html");
  const auto at = html.find("Characteristics of included studies (extracted fields)");
  ASSERT_NE(at, std::string::npos);
  const std::string table = html.substr(at, html.find("</section>", at) - at);
  EXPECT_NE(table.find("<th>alloc</th>"), std::string::npos) << table;
  EXPECT_EQ(table.find("<th>ablat</th>"), std::string::npos) << table;
  EXPECT_NE(table.find("<th>Outcomes</th>"), std::string::npos) << table;
  // 13 included records, each with a row; the systematic trials belong to no outcome.
  EXPECT_EQ(occurrences(table, "<td>systematic</td>"), 4U);
  EXPECT_EQ(occurrences(table, "<td>none</td>"), 4U);
  EXPECT_EQ(occurrences(table, "<td>random</td>"), 14U);  // the value, and the outcome id
  EXPECT_NE(table.find("Method of treatment allocation"), std::string::npos);
}

TEST(Outcomes, CharacteristicsSettingNamingNoFieldIsAnErrorAtItsLine) {
  const outcomes_project p("charsbad", two_outcomes, "characteristics = [\"alloc\", \"country\"]\n");
  const std::string e = error_of([&] { (void)metasift::run::compute_run(p.options()); });
  const std::string at = position_of(slurp_text(p.review()), "\"country\"");
  EXPECT_NE(e.find("review.toml:" + at + ": characteristics: 'country' is not a field of the codebook (alloc, ablat)"),
            std::string::npos)
      << e << " expected at " << at;
}

TEST(Outcomes, DuplicateIdIsAnErrorAtTheSecondId) {
  std::string t = two_outcomes;
  t.replace(t.find("id = \"alternate\""), 16, "id = \"Random\"");
  const outcomes_project p("dupid", t);
  const std::string text = slurp_text(p.review());
  const std::string e = error_of([&] { (void)metasift::run::parse_analyses(text, p.review()); });
  const std::string first = position_of(text, "\"random\"\ntitle");
  const std::string second = position_of(text, "\"Random\"");
  EXPECT_NE(e.find("review.toml:" + second + ": id: analysis id 'Random' is used twice (first on line " +
                   first.substr(0, first.find(':'))),
            std::string::npos)
      << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
}

TEST(Outcomes, WhereNamingNoCodebookFieldIsAnErrorAtItsKey) {
  std::string t = two_outcomes;
  t.replace(t.find("where = { alloc"), 15, "where = { allocation");
  const outcomes_project p("nofield", t);
  const std::string text = slurp_text(p.review());
  const std::string e = error_of([&] { (void)metasift::run::parse_analyses(text, p.review()); });
  EXPECT_NE(e.find("review.toml:" + position_of(text, "allocation =") +
                   ": where: 'allocation' is not a field of the codebook ([[extraction.fields]]: alloc, ablat)"),
            std::string::npos)
      << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
}

TEST(Outcomes, WhereInTextFormNamesTheWhereLine) {
  std::string t = two_outcomes;
  t.replace(t.find("'alloc = "), 9, "'alocation = ");
  const outcomes_project p("nofieldtext", t);
  const std::string text = slurp_text(p.review());
  const std::string e = error_of([&] { (void)metasift::run::parse_analyses(text, p.review()); });
  EXPECT_NE(e.find("review.toml:" + position_of(text, "'alocation") + ": where: 'alocation' is not a field"),
            std::string::npos)
      << e;
}

TEST(Outcomes, WhereValueOutsideTheEnumIsAnError) {
  std::string t = two_outcomes;
  t.replace(t.find("alloc = \"random\""), 16, "alloc = \"randomised\"");
  const outcomes_project p("badvalue", t);
  const std::string text = slurp_text(p.review());
  const std::string e = error_of([&] { (void)metasift::run::parse_analyses(text, p.review()); });
  EXPECT_NE(e.find("review.toml:" + position_of(text, "\"randomised\"") +
                   ": where: 'randomised' is not a value of the enum field 'alloc' (random, alternate, systematic)"),
            std::string::npos)
      << e;
  t = two_outcomes;
  t.replace(t.find("alloc = \"random\""), 16, "ablat = \"north\"");
  const outcomes_project q("badnumber", t);
  const std::string text2 = slurp_text(q.review());
  const std::string e2 = error_of([&] { (void)metasift::run::parse_analyses(text2, q.review()); });
  EXPECT_NE(e2.find("where: 'north' is not a number, but 'ablat' is a number field"), std::string::npos) << e2;
}

TEST(Outcomes, AnalysisArrayNeedsIds) {
  std::string t = two_outcomes;
  t.erase(t.find("id = \"alternate\"\n"), 17);
  const outcomes_project p("noid", t);
  const std::string text = slurp_text(p.review());
  const std::string e = error_of([&] { (void)metasift::run::parse_analyses(text, p.review()); });
  EXPECT_NE(e.find("[[analysis]]: needs id = \"...\""), std::string::npos) << e;
}

TEST(Outcomes, InvalidExtractionCellStopsTheRunAtItsPosition) {
  const outcomes_project p("badcell", two_outcomes);
  std::string ex = slurp_text(p.dir / "extraction.csv");
  ex.replace(ex.find("alternate"), 9, "Alternate");
  write(p.dir / "extraction.csv", ex);
  const std::string e = error_of([&] { (void)metasift::run::compute_run(p.options()); });
  EXPECT_NE(e.find("extraction.csv:" + position_of(ex, "Alternate") +
                   ": column 'alloc': 'Alternate' is not one of random, alternate, systematic"),
            std::string::npos)
      << e;
}

TEST(Outcomes, UndecidableFilterLeavesTheRowOutWithAWarning) {
  // Two extractors who disagree on one trial's allocation, and no consensus file.
  const outcomes_project p("disputed", two_outcomes);
  std::string toml = slurp_text(p.review());
  toml.replace(toml.find("file = \"extraction.csv\""), 23, "extractors = { a = \"extraction.csv\", b = \"b.csv\" }");
  write(p.review(), toml);
  std::string ex = slurp_text(p.dir / "extraction.csv");
  const std::string row = "DB:T1,random,44";
  ASSERT_NE(ex.find(row), std::string::npos);
  ex.replace(ex.find(row), row.size(), "DB:T1,systematic,44");
  write(p.dir / "b.csv", ex);
  const auto out = metasift::run::compute_run(p.options());
  ASSERT_EQ(out.outcomes.size(), 2U);
  EXPECT_EQ(out.outcomes[0].meta.k, 6);
  ASSERT_EQ(out.outcomes[0].links.filter_unknown.size(), 1U);
  EXPECT_NE(out.outcomes[0].links.filter_unknown[0].find("the extractors disagree on alloc for record DB:T1"),
            std::string::npos)
      << out.outcomes[0].links.filter_unknown[0];
  bool warned = false;
  for (const auto& w : out.warnings)
    warned = warned || (w.find("random: ") == 0 && w.find("DB:T1") != std::string::npos);
  EXPECT_TRUE(warned);
}

TEST(Outcomes, CriterionOnAnExtractedFieldFlagsIncludedStudies) {
  const outcomes_project p("fieldcrit", two_outcomes +
                                            "[[criteria]]\nid = \"randomised\"\nreason = \"Not randomised\"\n"
                                            "field = \"alloc\"\nallowed = [\"random\"]\n");
  const auto out = metasift::run::compute_run(p.options());
  std::size_t flags = 0;
  for (const auto& w : out.warnings) {
    if (w.find("criterion 'randomised' (Not randomised): included record DB:T") == 0) ++flags;
  }
  EXPECT_EQ(flags, 6U);  // 2 alternate and 4 systematic trials
  const std::string& html = file_of(out, "report.html");
  EXPECT_NE(html.find("6 extracted values fail a criterion"), std::string::npos);
  EXPECT_NE(html.find("included record DB:T5 has alloc = &#39;alternate&#39; (allowed: random)"), std::string::npos);
  // The records stay included: the screening does not know the extracted values.
  EXPECT_EQ(out.prisma.new_studies, 13U);
}

TEST(Outcomes, CriterionOnAFieldOutsideTheCodebookIsAnError) {
  const outcomes_project p("fieldcritbad", two_outcomes +
                                               "[[criteria]]\nid = \"c\"\nreason = \"r\"\n"
                                               "field = \"country\"\nallowed = [\"China\"]\n");
  const std::string e = error_of([&] { (void)metasift::run::compute_run(p.options()); });
  EXPECT_NE(e.find("review.toml:" + position_of(slurp_text(p.review()), "\"country\"") +
                   ": field: criterion 'c': 'country' is not a field of the codebook (alloc, ablat)"),
            std::string::npos)
      << e;
}

TEST(Outcomes, GradeRatesEachOutcomeWithOneSummaryOfFindingsRowPerOutcome) {
  // The reviewers rate down the second outcome only (indirectness), so each outcome's ratings must
  // stay with its own row.
  const outcomes_project p("grade", two_outcomes +
                                        "[[grade]]\noutcome = \"Alternate allocation\"\ndomain = \"indirectness\"\n"
                                        "downgrade = 1\nreason = \"Alternate allocation trials of another era\"\n");
  const auto out = metasift::run::compute_run(p.options());
  ASSERT_EQ(out.outcomes.size(), 2U);
  // Participants of each outcome: n1 + n2 summed over its trials, from the table above.
  long random_n = 0, alternate_n = 0;
  for (const auto& t : bcg) {
    if (std::string(t.alloc) == "random") random_n += t.n1 + t.n2;
    if (std::string(t.alloc) == "alternate") alternate_n += t.n1 + t.n2;
  }
  ASSERT_EQ(alternate_n, 5069 + 5808 + 1541 + 1451);

  const std::string& html = file_of(out, "report.html");
  const auto sof_at = html.find("<table id=\"summary-of-findings\">");
  ASSERT_NE(sof_at, std::string::npos);
  const std::string sof = html.substr(sof_at, html.find("</table>", sof_at) - sof_at);
  EXPECT_EQ(occurrences(sof, "<tr>"), 3U) << sof;  // the header and one row per outcome
  const auto random_row = sof.find("<tr><td>Random allocation</td><td>" + std::to_string(random_n) + " (7 studies)");
  const auto alternate_row =
      sof.find("<tr><td>Alternate allocation</td><td>" + std::to_string(alternate_n) + " (2 studies)");
  EXPECT_NE(random_row, std::string::npos) << sof;
  EXPECT_NE(alternate_row, std::string::npos) << sof;
  EXPECT_LT(random_row, alternate_row);  // review.toml order
  // One table of GRADE domains per outcome; the reviewers' judgement is in the second one only.
  const auto domains = [&](const std::string& id) {
    const auto at = html.find("<table id=\"" + id + "\">");
    return at == std::string::npos ? std::string() : html.substr(at, html.find("</table>", at) - at);
  };
  const std::string d_random = domains("grade-domains-random"), d_alternate = domains("grade-domains-alternate");
  ASSERT_FALSE(d_random.empty());
  ASSERT_FALSE(d_alternate.empty());
  EXPECT_NE(d_random.find("GRADE domains for Random allocation"), std::string::npos);
  EXPECT_EQ(d_random.find("another era"), std::string::npos);
  EXPECT_NE(d_alternate.find("-1: Alternate allocation trials of another era"), std::string::npos) << d_alternate;
  // The footnote that explains the rating down names its outcome.
  const std::string notes = html.substr(sof_at, html.find("<table", sof_at + 10) - sof_at);
  EXPECT_NE(notes.find("<p class=\"note\">a. Random allocation: "), std::string::npos) << notes;
  EXPECT_NE(notes.find(". Alternate allocation: Indirectness: rated down one level. Alternate allocation trials "
                       "of another era"),
            std::string::npos)
      << notes;
  // Footnote letters run on across the rows: the second outcome's notes do not start again at a.
  EXPECT_EQ(notes.find("a. Alternate allocation: "), std::string::npos) << notes;
  EXPECT_NE(html.find("The certainty of the evidence for Random allocation and Alternate allocation was rated"),
            std::string::npos);

  const auto j = nlohmann::json::parse(file_of(out, "results.json"));
  ASSERT_EQ(j["summary_of_findings"].size(), 2U) << j["summary_of_findings"].dump(2);
  EXPECT_EQ(j["summary_of_findings"][0]["outcome"], "Random allocation");
  EXPECT_EQ(j["summary_of_findings"][0]["studies"], 7);
  EXPECT_EQ(j["summary_of_findings"][0]["participants"].get<double>(), static_cast<double>(random_n));
  EXPECT_EQ(j["summary_of_findings"][1]["outcome"], "Alternate allocation");
  EXPECT_EQ(j["summary_of_findings"][1]["studies"], 2);
  ASSERT_EQ(j["grade"].size(), 2U);
  EXPECT_EQ(j["grade"][0], j["analyses"][0]["grade"][0]);
  EXPECT_EQ(j["grade"][1], j["analyses"][1]["grade"][0]);
  for (std::size_t i = 0; i < 2; ++i) {
    for (const auto& d : j["grade"][i]["domains"]) {
      if (d["domain"] != "indirectness") continue;
      if (i == 0) {
        EXPECT_TRUE(d["judgement"].is_null()) << d.dump();
      } else {
        EXPECT_EQ(d["judgement"]["levels"], 1) << d.dump();
      }
    }
  }

  const std::string& csv = file_of(out, "summary_of_findings.csv");
  EXPECT_EQ(occurrences(csv, "\n"), 3U) << csv;
  EXPECT_NE(csv.find("\nRandom allocation,7," + std::to_string(random_n) + ","), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nAlternate allocation,2," + std::to_string(alternate_n) + ","), std::string::npos) << csv;
}

}  // namespace
