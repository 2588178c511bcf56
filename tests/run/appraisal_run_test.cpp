// The appraisal in `metasift run`: risk of bias linked to the analysed studies, the sensitivity
// analysis without high-risk studies, subgroups by risk of bias, GRADE with [[grade]] judgements,
// the Summary of Findings (report, results.json, CSV), the figures and the Methods sentence.
// The review projects are written by the tests.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "metasift/core/error.hpp"
#include "metasift/diagrams/appraisal_figures.hpp"
#include "metasift/run/grade_spec.hpp"
#include "metasift/run/run.hpp"

namespace {

namespace fs = std::filesystem;

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

/// Four trials, all included (RIS records DB:T1..DB:T4).
std::string ris() {
  std::string s;
  for (int i = 1; i <= 4; ++i) {
    s += "TY  - JOUR\nAU  - Author" + std::to_string(i) + ", A.\nTI  - Trial number " + std::to_string(i) +
         " of a drug\nT2  - Journal\nPY  - 202" + std::to_string(i) + "\nID  - T" + std::to_string(i) + "\nER  - \n\n";
  }
  return s;
}

const std::string decisions =
    "record,stage,decision,reason\nDB:T1,full-text,include,\nDB:T2,full-text,include,\nDB:T3,full-text,include,\n"
    "DB:T4,full-text,include,\n";

// Events / totals, treatment (1) then control (2); control risks 0.20, 0.20, 0.15, 0.20.
const std::string studies =
    "record,study,events1,n1,events2,n2\n"
    "DB:T1,Trial 1,10,100,20,100\n"
    "DB:T2,Trial 2,15,150,30,150\n"
    "DB:T3,Trial 3,8,80,12,80\n"
    "DB:T4,Trial 4,30,200,40,200\n";

std::string rob2(const std::string& rec, const std::string& d3, const std::string& d5 = "low") {
  return rec + ",D1,low,Concealed\n" + rec + ",D2,low,Blinded\n" + rec + ",D3," + d3 + ",Attrition\n" + rec +
         ",D4,low,Objective\n" + rec + ",D5," + d5 + ",Registered\n";
}

// T1 high (D3), T2 low, T3 some concerns, T4 low.
const std::string judgements = "record,domain,judgement,support\n" + rob2("DB:T1", "high") + rob2("DB:T2", "low") +
                               rob2("DB:T3", "some concerns") + rob2("DB:T4", "low");

const std::string base_toml =
    "title = \"Drug review\"\n"
    "[[sources]]\nname = \"DB\"\nfiles = [\"records/db.ris\"]\n"
    "[screening]\ndecisions = \"decisions.csv\"\n"
    "[analysis]\ndata = \"data/studies.csv\"\nmeasure = \"OR\"\nmethod = \"DL\"\noutcome = \"Mortality\"\n"
    "control_risk = 0.1\nrob_subgroup = true\n";

struct project {
  fs::path dir;
  project(const std::string& name, const std::string& toml, const std::map<std::string, std::string>& files) {
    dir = fs::temp_directory_path() / ("metasift_apprun_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    write(dir / "records/db.ris", ris());
    write(dir / "decisions.csv", decisions);
    write(dir / "data/studies.csv", studies);
    write(dir / "review.toml", toml);
    for (const auto& [f, text] : files) write(dir / f, text);
  }
  ~project() {
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::remove_all(dir.string() + "-out", ec);
  }
  [[nodiscard]] metasift::run::run_options options() const {
    metasift::run::run_options o;
    o.review = dir / "review.toml";
    return o;
  }
};

const std::string one_file = "[appraisal]\ntool = \"rob2\"\nfile = \"appraisal.csv\"\n";

std::string text_file(const metasift::run::run_outputs& o, const std::string& name) {
  for (const auto& [n, t] : o.text_files) {
    if (n == name) return t;
  }
  return "";
}

TEST(AppraisalRun, SensitivitySubgroupsGradeAndSummaryOfFindings) {
  const std::string toml = base_toml + one_file +
                           "[[grade]]\noutcome = \"Mortality\"\ndomain = \"indirectness\"\ndowngrade = 1\n"
                           "reason = \"Older patients than the target population\"\n";
  const project p("full", toml, {{"appraisal.csv", judgements}});
  const metasift::run::run_outputs o = metasift::run::compute_run(p.options());
  const auto doc = nlohmann::json::parse(text_file(o, "results.json"));

  // Sensitivity: Trial 1 (high) left out, three studies remain.
  const auto& ap = doc["appraisal"];
  EXPECT_EQ(ap["tool"], "rob2");
  EXPECT_EQ(ap["sensitivity_without_high_risk"]["excluded"], nlohmann::json::array({"Trial 1"}));
  EXPECT_EQ(ap["sensitivity_without_high_risk"]["k"], 3);
  // Subgroups by overall judgement, in the tool's order: low (T2, T4), some concerns (T3), high (T1).
  const auto& g = ap["subgroups_by_risk_of_bias"]["groups"];
  ASSERT_EQ(g.size(), 3U);
  EXPECT_EQ(g[0]["judgement"], "Low");
  EXPECT_EQ(g[0]["k"], 2);
  EXPECT_EQ(g[2]["judgement"], "High");

  // GRADE: risk of bias from the weights. Trial 1's share of the weight is read from the analysis
  // and the rule follows: > 25% -> -1, > 50% -> -2; else less than half at low risk -> -1.
  const auto& studies_json = doc["meta_analysis"]["studies"];
  double w1 = 0, wlow = 0;
  for (const auto& s : studies_json) {
    const std::string label = s["study"];
    const double w = s["weight"];
    if (label == "Trial 1") w1 = w;
    if (label == "Trial 2" || label == "Trial 4") wlow += w;
  }
  const int expected_rob = w1 > 50 ? -2 : (w1 > 25 ? -1 : (wlow < 50 ? -1 : 0));
  const auto& gr = doc["grade"][0];
  EXPECT_EQ(gr["outcome"], "Mortality");
  EXPECT_EQ(gr["start"], "high");
  for (const auto& d : gr["domains"]) {
    if (d["domain"] == "risk_of_bias") {
      EXPECT_EQ(d["proposed"], expected_rob);
    }
    if (d["domain"] == "indirectness") {
      EXPECT_EQ(d["final"], -1);
      EXPECT_EQ(d["departs_from_proposal"], true);
    }
  }

  // Summary of Findings: per 1,000 from the declared control risk 0.1 and the pooled OR, by hand:
  // risk with the intervention = 1000 * OR * 0.1 / (1 - 0.1 + OR * 0.1).
  const double lor = doc["meta_analysis"]["pooled"]["estimate"];
  const double lo = doc["meta_analysis"]["pooled"]["ci_lower"];
  const double hi = doc["meta_analysis"]["pooled"]["ci_upper"];
  const auto risk = [](double log_or) {
    const double orr = std::exp(log_or);
    return 1000.0 * orr * 0.1 / (0.9 + orr * 0.1);
  };
  const auto& sof = doc["summary_of_findings"][0];
  EXPECT_NEAR(sof["per_1000"]["control"].get<double>(), 100.0, 1e-9);
  EXPECT_NEAR(sof["per_1000"]["intervention"].get<double>(), risk(lor), 1e-9);
  EXPECT_NEAR(sof["per_1000"]["intervention_lower"].get<double>(), risk(lo), 1e-9);
  EXPECT_NEAR(sof["per_1000"]["intervention_upper"].get<double>(), risk(hi), 1e-9);
  EXPECT_EQ(sof["studies"], 4);
  EXPECT_EQ(sof["participants"], 1060.0);  // 200 + 300 + 160 + 400
  EXPECT_EQ(sof["assumed_risk"], "100 per 1,000");
  EXPECT_EQ(sof["control_risk_source"], "declared");

  // The CSV and the report.
  const std::string csv = text_file(o, "summary_of_findings.csv");
  EXPECT_EQ(csv.rfind("outcome,studies,participants,relative_effect,", 0), 0U) << csv;
  EXPECT_NE(csv.find("Mortality,4,1060,OR "), std::string::npos) << csv;
  const std::string html = text_file(o, "report.html");
  EXPECT_NE(html.find("Risk of bias in included studies"), std::string::npos);
  EXPECT_NE(html.find("Sensitivity analysis without studies at high risk"), std::string::npos);
  EXPECT_NE(html.find("Subgroup analysis by overall risk of bias"), std::string::npos);
  EXPECT_NE(html.find("Summary of Findings"), std::string::npos);
  EXPECT_NE(html.find("Older patients than the target population"), std::string::npos);
  EXPECT_NE(html.find("departs from the proposal"), std::string::npos);
  EXPECT_NE(html.find("Risk of bias was assessed with RoB 2"), std::string::npos);
  EXPECT_NE(html.find("by one assessor"), std::string::npos);

  // Figures: traffic light, summary, weighted summary, forest with RoB, all embedded and written.
  const auto files = metasift::run::write_run(o, p.dir.string() + "-out", 72.0);
  for (const char* f : {"figures/traffic-light.png", "figures/rob-summary.svg", "figures/rob-summary-weighted.pdf",
                        "figures/forest-rob.png", "summary_of_findings.csv"}) {
    EXPECT_NE(std::find(files.begin(), files.end(), f), files.end()) << f;
    EXPECT_TRUE(fs::exists(fs::path(p.dir.string() + "-out") / f)) << f;
  }
  const std::string forest_rob = slurp(fs::path(p.dir.string() + "-out") / "figures/forest-rob.svg");
  EXPECT_NE(forest_rob.find(">Risk of bias<"), std::string::npos);
  EXPECT_NE(forest_rob.find(">D5<"), std::string::npos);
  EXPECT_NE(html.find("id=\"forest-rob\""), std::string::npos);
  // The traffic light names the analysed studies as the forest plot does, not by record key.
  const std::string traffic = slurp(fs::path(p.dir.string() + "-out") / "figures/traffic-light.svg");
  EXPECT_NE(traffic.find(">Trial 3<"), std::string::npos);
  EXPECT_EQ(traffic.find("DB:T3"), std::string::npos);
}

TEST(AppraisalRun, MethodsNameTheAssessorsAndHowDisagreementsWereResolved) {
  // Two assessors who disagree on Trial 3's D3, and a consensus file.
  const std::string b = "record,domain,judgement,support\n" + rob2("DB:T1", "high") + rob2("DB:T2", "low") +
                        rob2("DB:T3", "low") + rob2("DB:T4", "low");
  const std::string toml = base_toml +
                           "[appraisal]\ntool = \"rob2\"\n"
                           "assessors = { reviewer_a = \"appraisal/a.csv\", reviewer_b = \"appraisal/b.csv\" }\n"
                           "consensus = \"appraisal/consensus.csv\"\n";
  const project p("team", toml,
                  {{"appraisal/a.csv", judgements}, {"appraisal/b.csv", b}, {"appraisal/consensus.csv", judgements}});
  const auto o = metasift::run::compute_run(p.options());
  const std::string html = text_file(o, "report.html");
  EXPECT_NE(html.find("by 2 assessors (reviewer_a and reviewer_b) independently"), std::string::npos);
  EXPECT_NE(html.find("1 disagreement between the assessors was resolved by consensus, recorded in "
                      "appraisal/consensus.csv"),
            std::string::npos);
  // Without the consensus file the disagreement stays open, and the report says so.
  std::string t2 = toml;
  t2.erase(t2.find("consensus = "));
  write(p.dir / "review.toml", t2);
  const std::string html2 = text_file(metasift::run::compute_run(p.options()), "report.html");
  EXPECT_NE(html2.find("1 disagreement remains unresolved (no consensus file)"), std::string::npos);
}

TEST(AppraisalRun, NoHighRiskStudyLeavesTheSensitivityAnalysisOut) {
  const std::string all_low = "record,domain,judgement,support\n" + rob2("DB:T1", "low") + rob2("DB:T2", "low") +
                              rob2("DB:T3", "low") + rob2("DB:T4", "low");
  const project p("alllow", base_toml + one_file, {{"appraisal.csv", all_low}});
  const auto o = metasift::run::compute_run(p.options());
  const auto doc = nlohmann::json::parse(text_file(o, "results.json"));
  EXPECT_FALSE(doc["appraisal"].contains("sensitivity_without_high_risk"));
  for (const auto& d : doc["grade"][0]["domains"]) {
    if (d["domain"] == "risk_of_bias") {
      EXPECT_EQ(d["proposed"], 0);
    }
  }
  EXPECT_NE(text_file(o, "report.html").find("No analysed study is at high risk of bias"), std::string::npos);
}

TEST(GradeSpec, BadJudgementsAreOneLineErrorsWithPositions) {
  const auto err = [](const std::string& body) {
    return error_of([&] { (void)metasift::run::parse_grade_judgements("x = 1\n" + body, "review.toml"); });
  };
  EXPECT_NE(err("[[grade]]\noutcome = \"M\"\ndomain = \"imprecise\"\ndowngrade = 1\nreason = \"r\"\n")
                .find("review.toml:4:10: domain: unknown GRADE domain 'imprecise'"),
            std::string::npos);
  EXPECT_NE(err("[[grade]]\noutcome = \"M\"\ndomain = \"imprecision\"\ndowngrade = 3\nreason = \"r\"\n")
                .find("review.toml:5:13: downgrade: must be 0, 1 or 2"),
            std::string::npos);
  EXPECT_NE(err("[[grade]]\noutcome = \"M\"\ndomain = \"imprecision\"\ndowngrade = 1\nreason = \" \"\n")
                .find("review.toml:6:10: reason: must not be empty"),
            std::string::npos);
  EXPECT_NE(err("[[grade]]\noutcome = \"M\"\ndomain = \"large effect\"\ndowngrade = 1\nreason = \"r\"\n")
                .find("review.toml:5:13: downgrade: large_effect is rated up: use upgrade"),
            std::string::npos);
  EXPECT_NE(err("[[grade]]\noutcome = \"M\"\ndomain = \"imprecision\"\ndowngrade = 1\nreason = \"r\"\nlevel = 2\n")
                .find("review.toml:7:1: unknown key 'level' in [[grade]]"),
            std::string::npos);
  const std::string twice = "[[grade]]\noutcome = \"M\"\ndomain = \"imprecision\"\ndowngrade = 1\nreason = \"r\"\n";
  EXPECT_NE(err(twice + twice).find("review.toml:7:1: [[grade]]: a second judgement of imprecision"),
            std::string::npos);
  const auto ok = metasift::run::parse_grade_judgements(twice, "review.toml");
  ASSERT_EQ(ok.size(), 1U);
  EXPECT_EQ(ok[0].levels, 1);
}

TEST(GradeSpec, JudgementOfAnotherOutcomeIsAnErrorAtItsLine) {
  const std::string toml = base_toml + one_file +
                           "[[grade]]\noutcome = \"Mortalty\"\ndomain = \"indirectness\"\ndowngrade = 1\n"
                           "reason = \"x\"\n";
  const project p("outcome", toml, {{"appraisal.csv", judgements}});
  const std::string e = error_of([&] { (void)metasift::run::compute_run(p.options()); });
  EXPECT_NE(e.find("review.toml:17:1: [[grade]]: outcome 'Mortalty' is not the analysis' outcome 'Mortality'"),
            std::string::npos)
      << e;
}

TEST(AnalysisSpec, GradeKeysAreChecked) {
  const project p("keys", base_toml, {});
  const auto bad = [&](const std::string& extra) {
    return error_of([&] {
      (void)metasift::run::compute_run([&] {
        write(p.dir / "review.toml", base_toml + extra);
        return p.options();
      }());
    });
  };
  EXPECT_NE(bad("mid = -1\n").find("review.toml:14:7: mid: must be a positive number"), std::string::npos);
  std::string t = base_toml;
  t.replace(t.find("control_risk = 0.1"), 18, "control_risk = 20");
  write(p.dir / "review.toml", t);
  const std::string e = error_of([&] { (void)metasift::run::compute_run(p.options()); });
  EXPECT_NE(e.find("review.toml:12:16: control_risk: must lie strictly between 0 and 1"), std::string::npos) << e;
  EXPECT_NE(bad("certainty_start = \"medium\"\n").find("certainty_start: must be \"high\""), std::string::npos);
}

/// Widths of the filled rectangles of a scene's "bars" group whose colour is `hex`.
std::vector<double> bar_widths(const metasift::plot::scene& s, std::uint32_t hex) {
  std::vector<double> out;
  bool in_bars = false;
  for (const auto& it : s.items) {
    if (const auto* g = std::get_if<metasift::plot::group_begin>(&it)) in_bars = g->id == "bars";
    if (std::holds_alternative<metasift::plot::group_end>(it)) in_bars = false;
    const auto* r = std::get_if<metasift::plot::rect_item>(&it);
    if (!in_bars || r == nullptr || !r->fill) continue;
    const auto c = metasift::plot::rgb(hex);
    if (r->fill->r == c.r && r->fill->g == c.g && r->fill->b == c.b) out.push_back(r->r.width);
  }
  return out;
}

TEST(AppraisalFigures, WeightedSummarySplitsBarsByAnalysisWeight) {
  // Two RoB 2 assessments: A low in every domain, B high in D1 (so high overall). With weights 80
  // and 20 the D1 bar is 80% low and 20% high: 240 and 60 of its 300 points; unweighted, 150 each.
  metasift::review::appraisal_spec spec;
  spec.tool = *metasift::review::find_appraisal_tool("rob2");
  metasift::review::appraisal_check c;
  for (const std::string rec : {"A", "B"}) {
    metasift::review::appraisal_unit u;
    u.record = rec;
    for (const char* d : {"D1", "D2", "D3", "D4", "D5"}) u.domains[d] = "low";
    u.overall = "low";
    if (rec == "B") {
      u.domains["D1"] = "high";
      u.overall = "high";
    }
    c.units.push_back(u);
  }
  constexpr std::uint32_t green = 0x02C100, red = 0xBF0000;
  const auto weighted = metasift::diagrams::make_weighted_summary_scene(spec, c, {80.0, 20.0});
  const auto low = bar_widths(weighted, green), high = bar_widths(weighted, red);
  ASSERT_EQ(high.size(), 2U);  // D1 and overall
  EXPECT_NEAR(high[0], 60.0, 1e-9);
  EXPECT_NEAR(high[1], 60.0, 1e-9);
  ASSERT_EQ(low.size(), 6U);  // D1, D2..D5 (whole bars), overall
  EXPECT_NEAR(low[0], 240.0, 1e-9);
  EXPECT_NEAR(low[1], 300.0, 1e-9);
  const auto plain = metasift::diagrams::summary_scene(spec, c);
  EXPECT_NEAR(bar_widths(plain, red)[0], 150.0, 1e-9);
  // A study outside the analysis (weight 0) is left out: with B at 0 only A counts, low everywhere.
  const auto only_a = metasift::diagrams::make_weighted_summary_scene(spec, c, {1.0, 0.0});
  EXPECT_TRUE(bar_widths(only_a, red).empty());
  EXPECT_THROW((void)metasift::diagrams::make_weighted_summary_scene(spec, c, {1.0}), metasift::usage_error);
}

}  // namespace
