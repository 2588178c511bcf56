// The run module on small review projects written by the tests: [analysis] parsing, the join of
// study rows to records, the error messages for bad input, and the atomic output folder.
#include "metasift/run/run.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "metasift/core/error.hpp"
#include "metasift/run/analysis_spec.hpp"

namespace {

namespace fs = std::filesystem;
using metasift::input_error;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write(const fs::path& p, const std::string& s) {
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

// Three records: two included with data, one excluded at title-abstract. The first title carries
// markup that must reach the report as text.
const std::string ris =
    "TY  - JOUR\r\nAU  - Alpha, A.\r\nTI  - Effects of <script>alert(1)</script> on mining towns\r\nT2  - Journal of "
    "Tests\r\n"
    "PY  - 2020\r\nVL  - 1\r\nSP  - 1\r\nEP  - 9\r\nDO  - 10.1234/alpha\r\nID  - A1\r\nER  - \r\n\r\n"
    "TY  - JOUR\r\nAU  - Beta, B.\r\nTI  - Rare earth mining and river water quality\r\nT2  - Water Tests\r\n"
    "PY  - 2021\r\nVL  - 2\r\nSP  - 10\r\nEP  - 20\r\nID  - B2\r\nER  - \r\n\r\n"
    "TY  - JOUR\r\nAU  - Gamma, G.\r\nTI  - A study of something else entirely\r\nT2  - Other Tests\r\n"
    "PY  - 2019\r\nVL  - 3\r\nSP  - 5\r\nEP  - 6\r\nID  - C3\r\nER  - \r\n";

const std::string decisions =
    "record,stage,decision,reason\n"
    "10.1234/alpha,full-text,include,\n"
    "DB:B2,full-text,include,\n"
    "DB:C3,title-abstract,exclude,Off topic\n";

const std::string review_toml =
    "title = \"Test review\"\n"
    "[[sources]]\n"
    "name = \"DB\"\n"
    "files = [\"records/db.ris\"]\n"
    "[screening]\n"
    "decisions = \"decisions.csv\"\n"
    "[analysis]\n"
    "data = \"data/studies.csv\"\n"
    "measure = \"GEN\"\n"
    "method = \"DL\"\n";

const std::string studies =
    "record,study,year,yi,vi\n"
    "10.1234/alpha,Alpha 2020,2020,0.4,0.04\n"
    "DB:B2,Beta 2021,2021,0.1,0.09\n";

struct project {
  fs::path dir;
  explicit project(const std::string& name, const std::string& toml = review_toml, const std::string& data = studies) {
    dir = fs::temp_directory_path() / ("metasift_run_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    write(dir / "records/db.ris", ris);
    write(dir / "decisions.csv", decisions);
    write(dir / "data/studies.csv", data);
    write(dir / "review.toml", toml);
  }
  ~project() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  [[nodiscard]] metasift::run::run_options options() const {
    metasift::run::run_options o;
    o.review = dir / "review.toml";
    return o;
  }
};

TEST(AnalysisSpec, ReadsEveryKey) {
  const project p("keys");
  const std::string toml = review_toml +
                           "ci_method = \"hk\"\nconvention = \"stata\"\nlevel = 90\ngroup_names = [\"A\", \"B\"]\n"
                           "subgroup = \"region\"\nmoderators = [\"year\"]\nbias = true\nsensitivity = false\n"
                           "record_column = \"record\"\ncumulative_order = \"year\"\n";
  const auto a = metasift::run::parse_analysis(toml, p.dir / "review.toml");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->method, metasift::models::method::DL);
  EXPECT_EQ(a->ci, metasift::models::ci_method::hk);
  EXPECT_EQ(a->conv, metasift::models::convention::stata);
  EXPECT_DOUBLE_EQ(a->level, 0.90);
  EXPECT_EQ(a->group_names, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(a->subgroup, "region");
  EXPECT_TRUE(a->bias);
  EXPECT_FALSE(a->sensitivity);
  EXPECT_EQ(a->data_label, "data/studies.csv");
}

TEST(AnalysisSpec, NoAnalysisTableIsNotAnError) {
  EXPECT_FALSE(metasift::run::parse_analysis("title = \"x\"\n", "review.toml").has_value());
}

TEST(AnalysisSpec, UnknownKeyNamesTheKeyAndItsLine) {
  const project p("unknown");
  const std::string e =
      error_of([&] { (void)metasift::run::parse_analysis(review_toml + "mesure = \"MD\"\n", p.dir / "review.toml"); });
  EXPECT_NE(e.find("review.toml:11:1:"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown key 'mesure' in [analysis]"), std::string::npos) << e;
}

TEST(AnalysisSpec, BadValuesNameTheKeyAndLine) {
  const project p("badvalues");
  std::string e =
      error_of([&] { (void)metasift::run::parse_analysis(review_toml + "bias = \"yes\"\n", p.dir / "review.toml"); });
  EXPECT_NE(e.find(":11:8: bias: must be true or false"), std::string::npos) << e;
  std::string t = review_toml;
  t.replace(t.find("\"DL\""), 4, "\"XYZ\"");
  e = error_of([&] { (void)metasift::run::parse_analysis(t, p.dir / "review.toml"); });
  EXPECT_NE(e.find(":10:10: method: unknown method 'XYZ'"), std::string::npos) << e;
}

TEST(AnalysisSpec, MissingDataFileNamesTheKeyAndLine) {
  const project p("nodata");
  std::string t = review_toml;
  t.replace(t.find("data/studies.csv"), 16, "data/missing.csv");
  const std::string e = error_of([&] { (void)metasift::run::parse_analysis(t, p.dir / "review.toml"); });
  EXPECT_NE(e.find("review.toml:8:8: data: file 'data/missing.csv' does not exist"), std::string::npos) << e;
}

TEST(AnalysisSpec, PathOutsideTheReviewFolderIsRefusedUnlessAllowed) {
  const project p("outside");
  write(p.dir.parent_path() / ("metasift_outside_" + std::to_string(::getpid()) + ".csv"), studies);
  std::string t = review_toml;
  t.replace(t.find("data/studies.csv"), 16, "../metasift_outside_" + std::to_string(::getpid()) + ".csv");
  const std::string e = error_of([&] { (void)metasift::run::parse_analysis(t, p.dir / "review.toml"); });
  EXPECT_NE(e.find("review.toml:8:8: data: path '../metasift_outside_"), std::string::npos) << e;
  EXPECT_NE(e.find("outside the review folder (use --allow-outside"), std::string::npos) << e;
  const auto a = metasift::run::parse_analysis(t, p.dir / "review.toml", true);
  ASSERT_TRUE(a.has_value());
  EXPECT_TRUE(fs::exists(a->data));
  fs::remove(p.dir.parent_path() / ("metasift_outside_" + std::to_string(::getpid()) + ".csv"));
}

TEST(Run, SourceOutsideTheReviewFolderIsRefusedUnlessAllowed) {
  const std::string name = "metasift_outside_src_" + std::to_string(::getpid()) + ".ris";
  std::string t = review_toml;
  t.replace(t.find("records/db.ris"), 14, "../" + name);
  const project p("srcoutside", t);
  write(p.dir.parent_path() / name, ris);
  const std::string e = error_of([&] { (void)metasift::run::compute_run(p.options()); });
  EXPECT_NE(e.find("review.toml:4:"), std::string::npos) << e;
  EXPECT_NE(e.find("escapes the review folder"), std::string::npos) << e;
  metasift::run::run_options o = p.options();
  o.allow_outside = true;
  const auto out = metasift::run::compute_run(o);
  EXPECT_EQ(out.prisma.new_studies, 2U);
  fs::remove(p.dir.parent_path() / name);
}

TEST(Run, MissingSourceFileNamesTheKeyAndLine) {
  std::string t = review_toml;
  t.replace(t.find("records/db.ris"), 14, "records/nope.ris");
  const project p("nosource", t);
  const std::string e = error_of([&] { (void)metasift::run::compute_run(p.options()); });
  EXPECT_NE(e.find("review.toml:2:1: files: [[sources]] 'DB': file 'records/nope.ris' does not exist"),
            std::string::npos)
      << e;
}

TEST(Run, DataRowNamingNoRecordIsAnErrorAtItsCell) {
  const project p("norecord", review_toml, studies + "10.9999/nobody,Nobody 2022,2022,0.3,0.05\n");
  const std::string e = error_of([&] { (void)metasift::run::compute_run(p.options()); });
  EXPECT_NE(e.find("studies.csv:4:1: record: '10.9999/nobody' names no record of the review"), std::string::npos) << e;
}

TEST(Run, RowsOfExcludedRecordsAndIncludedRecordsWithoutDataAreReported) {
  // C3 was excluded; B2 (included) has no row.
  const project p("links", review_toml,
                  "record,study,year,yi,vi\n10.1234/alpha,Alpha 2020,2020,0.5,0.04\nDB:C3,Gamma 2019,2019,0.2,0.05\n");
  const auto out = metasift::run::compute_run(p.options());
  ASSERT_EQ(out.links.rows_with_excluded_record.size(), 1U);
  EXPECT_NE(out.links.rows_with_excluded_record[0].find("studies.csv:3: study row names record DB:C3, which was "
                                                        "excluded at title-abstract screening"),
            std::string::npos)
      << out.links.rows_with_excluded_record[0];
  ASSERT_EQ(out.links.included_without_data.size(), 1U);
  EXPECT_NE(out.links.included_without_data[0].find("DB:B2"), std::string::npos);
  ASSERT_TRUE(out.meta.has_value());
  EXPECT_EQ(out.meta->k, 1);
}

TEST(Run, ReportShowsRecordTextAsText) {
  const project p("escape");
  const auto out = metasift::run::compute_run(p.options());
  std::string html;
  for (const auto& [name, content] : out.text_files) {
    if (name == "report.html") html = content;
  }
  ASSERT_FALSE(html.empty());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("Effects of &lt;script&gt;alert(1)&lt;/script&gt; on mining towns"), std::string::npos);
  // Two studies pooled by DL: yi 0.4 (v 0.04) and 0.1 (v 0.09). Q = (0.4-0.1)^2/(0.04+0.09) = 0.692
  // < df = 1, so tau^2 = 0 and the estimate is the inverse-variance mean (0.4/0.04 + 0.1/0.09) /
  // (1/0.04 + 1/0.09) = 0.3077 with se = (1/0.04 + 1/0.09)^-1/2 = 0.1664: CI [-0.018, 0.634].
  ASSERT_TRUE(out.meta.has_value());
  EXPECT_NEAR(out.meta->pooled.estimate, (0.4 / 0.04 + 0.1 / 0.09) / (1 / 0.04 + 1 / 0.09), 1e-12);
  EXPECT_DOUBLE_EQ(out.meta->het.tau2, 0.0);
  EXPECT_NE(html.find("0.31 [-0.02, 0.63]"), std::string::npos);
}

TEST(Run, WritesTheFolderAtomicallyAndReplacesAnEarlierRun) {
  const project p("write");
  const fs::path out = p.dir / "out";
  const auto outputs = metasift::run::compute_run(p.options());
  const auto files = metasift::run::write_run(outputs, out);
  for (const char* f : {"report.html", "results.json", "screening.csv", "prisma.json", "figures/forest.svg",
                        "figures/forest.pdf", "figures/forest.png", "figures/prisma.svg", "figures/prisma.png"}) {
    EXPECT_TRUE(fs::exists(out / f)) << f;
  }
  const auto j = nlohmann::json::parse(slurp(out / "results.json"));
  EXPECT_EQ(j["prisma"]["new_studies"], 2);
  EXPECT_EQ(j["linking"]["analysed"], 2);
  // A second run replaces the first; nothing is left beside it.
  (void)metasift::run::write_run(outputs, out);
  for (const auto& e : fs::directory_iterator(p.dir)) {
    const std::string n = e.path().filename().string();
    EXPECT_EQ(n.find("out."), std::string::npos) << "left behind: " << n;
  }
  // A folder that is not an earlier run is never replaced.
  write(p.dir / "precious/notes.txt", "mine");
  EXPECT_THROW((void)metasift::run::write_run(outputs, p.dir / "precious"), metasift::io_error);
  EXPECT_EQ(slurp(p.dir / "precious/notes.txt"), "mine");
}

TEST(Run, AFailedRunWritesNothing) {
  const project p("failed", review_toml, studies + "10.9999/nobody,Nobody,2022,0.3,0.05\n");
  const fs::path out = p.dir / "out";
  EXPECT_THROW(
      {
        const auto o = metasift::run::compute_run(p.options());
        (void)metasift::run::write_run(o, out);
      },
      input_error);
  EXPECT_FALSE(fs::exists(out));
}

TEST(Run, OutputIsDeterministic) {
  const project p("determinism");
  const auto a = metasift::run::compute_run(p.options());
  const auto b = metasift::run::compute_run(p.options());
  ASSERT_EQ(a.text_files.size(), b.text_files.size());
  for (std::size_t i = 0; i < a.text_files.size(); ++i) EXPECT_EQ(a.text_files[i].second, b.text_files[i].second);
}

TEST(Run, MethodsNameTheTestOfThePooledEffect) {
  // Each of metafor's `test` choices has its own sentence; t is not Hartung-Knapp.
  const std::vector<std::pair<std::string, std::string>> cases{
      {"z", "the normal (Wald z) distribution"},
      {"t", "a t distribution with k - 1 df and the model-based variance"},
      {"hk", "the Hartung-Knapp method (t distribution with k - 1 df, the variance scaled"},
      {"adhoc", "the Hartung-Knapp method with the ad hoc correction"}};
  for (const auto& [test, phrase] : cases) {
    const project p("test_" + test, review_toml + "ci_method = \"" + test + "\"\n");
    const auto out = metasift::run::compute_run(p.options());
    std::string html;
    for (const auto& [name, content] : out.text_files) {
      if (name == "report.html") html = content;
    }
    EXPECT_NE(html.find("test of the pooled effect used " + phrase), std::string::npos) << test;
  }
}

TEST(Run, SubgroupAndRegressionSectionsWhenConfigured) {
  const std::string data =
      "record,study,year,region,yi,vi\n"
      "10.1234/alpha,Alpha 2020,2020,north,0.5,0.04\n"
      "DB:B2,Beta 2021,2021,south,0.1,0.09\n";
  const project p("sections", review_toml + "subgroup = \"region\"\nmoderators = [\"year\"]\n", data);
  const auto out = metasift::run::compute_run(p.options());
  std::string html;
  for (const auto& [name, content] : out.text_files) {
    if (name == "report.html") html = content;
  }
  EXPECT_NE(html.find("Subgroup analysis by region"), std::string::npos);
  EXPECT_NE(html.find("Meta-regression on year"), std::string::npos);
  std::string results;
  for (const auto& [name, content] : out.text_files) {
    if (name == "results.json") results = content;
  }
  const auto j = nlohmann::json::parse(results);
  ASSERT_EQ(j["subgroups"]["groups"].size(), 2U);
  EXPECT_EQ(j["subgroups"]["groups"][0]["name"], "north");
  EXPECT_TRUE(j.contains("meta_regression"));
}

TEST(Run, MethodsReportHowTheTeamScreened) {
  // Two reviewers; bob includes C3 at title-abstract, alice excludes it, the adjudication excludes
  // it. Title-abstract table: 2 include/include, 1 exclude/include: po = 2/3, pe = (2/3)(1) +
  // (1/3)(0) = 2/3, so kappa = 0.
  std::string t = review_toml;
  t.replace(t.find("decisions = \"decisions.csv\"\n"), std::string("decisions = \"decisions.csv\"\n").size(),
            "mode = \"dual\"\nreviewers = { alice = \"alice.csv\", bob = \"bob.csv\" }\nadjudication = \"adj.csv\"\n");
  const project p("team", t);
  const std::string both =
      "10.1234/alpha,title-abstract,include,\nDB:B2,title-abstract,include,\n"
      "10.1234/alpha,full-text,include,\nDB:B2,full-text,include,\n";
  write(p.dir / "alice.csv", "record,stage,decision,reason\n" + both + "DB:C3,title-abstract,exclude,Off topic\n");
  write(p.dir / "bob.csv", "record,stage,decision,reason\n" + both + "DB:C3,title-abstract,include,\n");
  write(p.dir / "adj.csv", "record,stage,decision,reason\nDB:C3,title-abstract,alice,\n");
  const auto out = metasift::run::compute_run(p.options());
  std::string html;
  for (const auto& [name, content] : out.text_files) {
    if (name == "report.html") html = content;
  }
  EXPECT_NE(html.find("Two reviewers (alice, bob) screened titles and abstracts independently; agreement κ = 0.00 ["),
            std::string::npos);
  EXPECT_NE(html.find("1 disagreement was resolved by adjudication"), std::string::npos);
  EXPECT_NE(
      html.find("Two reviewers (alice, bob) assessed full texts independently; they agreed on 100.0% of 2 records"),
      std::string::npos);
  EXPECT_EQ(out.prisma.new_studies, 2U);
}

TEST(Run, AReviewWithoutAnalysisStillGetsItsReport) {
  const std::string t = review_toml.substr(0, review_toml.find("[analysis]"));
  const project p("noanalysis", t);
  const auto out = metasift::run::compute_run(p.options());
  EXPECT_FALSE(out.meta.has_value());
  std::string html;
  for (const auto& [name, content] : out.text_files) {
    if (name == "report.html") html = content;
  }
  EXPECT_NE(html.find("Study selection (PRISMA 2020)"), std::string::npos);
  EXPECT_EQ(html.find("id=\"synthesis\""), std::string::npos);
  ASSERT_EQ(out.figures.size(), 1U);  // the PRISMA diagram only
}

TEST(Init, ScaffoldsAProjectAndNeverOverwrites) {
  const fs::path dir = fs::temp_directory_path() / ("metasift_init_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const auto created = metasift::run::init_project(dir);
  EXPECT_EQ(created.size(), 4U);
  EXPECT_TRUE(fs::is_directory(dir / "records"));
  const std::string toml = slurp(dir / "review.toml");
  EXPECT_NE(toml.find("[analysis]"), std::string::npos);
  // The scaffold parses: its [analysis] table has only known keys and its data file exists.
  EXPECT_TRUE(metasift::run::parse_analysis(toml, dir / "review.toml").has_value());
  EXPECT_EQ(slurp(dir / "data/studies.csv").substr(0, 7), "record,");
  EXPECT_THROW((void)metasift::run::init_project(dir), metasift::io_error);
  fs::remove_all(dir);
}

}  // namespace
