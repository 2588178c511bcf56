// The figures of the analysis subcommands, end to end through the binary and in-process:
//  - `meta --subgroup COL --forest`: subgroup blocks (heading, studies, diamond, heterogeneity and
//    Q lines) and the test of group differences, every printed number checked against metafor's
//    subgroup fits (tests/reference/metafor_subgroups_bcg_mods.csv, tools/reference/analyses_regression.R);
//  - `trimfill --funnel`: the filled studies hollow, the funnel on the adjusted estimate, against
//    metafor's trimfill (tests/reference/metafor_analyses_hackshaw1998.csv, analyses_bias.R);
//  - `regress --bubble`, `influence --baujat`, `cumulative --forest`: the figure is written, has
//    one mark per study, and the option errors leave no file.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <string>
#include <vector>

#include "metasift/analyses/trimfill.hpp"
#include "metasift/plot/forest.hpp"
#include "metasift/plot/funnel.hpp"
#include "plot_test_support.hpp"
#include "support/reference.hpp"
#include "support/tolerance.hpp"

namespace metasift::plot {
namespace {

using namespace test;

const std::string bcg_mods_csv = std::string(METASIFT_TEST_DATA_DIR) + "/regression/bcg_mods.csv";
const std::string hackshaw_csv = std::string(METASIFT_TEST_DATA_DIR) + "/hackshaw1998.csv";

/// The metafor reference case with this key, from tests/reference/<file>.
metasift::test::reference_case reference(const std::string& file, const std::string& key) {
  for (auto& rc : metasift::test::read_reference(std::string(METASIFT_REFERENCE_DIR) + "/" + file)) {
    if (rc.key == key) return rc;
  }
  ADD_FAILURE() << "no case " << key << " in " << file;
  return {};
}

/// The SVG between <g id="ID"...> and its </g> (the builders do not nest groups).
std::string svg_group(const std::string& svg, const std::string& id) {
  const auto b = svg.find("<g id=\"" + id + "\"");
  if (b == std::string::npos) return {};
  const auto e = svg.find("</g>", b);
  return svg.substr(b, e == std::string::npos ? std::string::npos : e - b);
}

std::size_t count(const std::string& s, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = s.find(needle); p != std::string::npos; p = s.find(needle, p + needle.size())) ++n;
  return n;
}

std::string f2(double x) {
  return fmt::format("{:.2f}", x);
}

// ---- meta --subgroup --forest ---------------------------------------------------------------

TEST(SubgroupForest, BlocksAndGroupTestMatchMetafor) {
  const fs::path d = temp_dir("subgroup_forest");
  const run_result r =
      metasift("meta " + bcg_mods_csv + " --measure RR --subgroup alloc --forest " + (d / "sg.svg").string(), d);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string svg = slurp(d / "sg.svg");
  ASSERT_FALSE(svg.empty());
  const auto rc = reference("metafor_subgroups_bcg_mods.csv", "RR|REML|z|alloc:separate|default");
  ASSERT_EQ(rc.at("groups"), 3.0);
  // Levels in R's sorted order, each a heading with its own subtotal diamond.
  const std::vector<std::string> levels{"alternate", "random", "systematic"};
  for (std::size_t j = 0; j < levels.size(); ++j) {
    SCOPED_TRACE(levels[j]);
    const std::string s = std::to_string(j + 1);
    EXPECT_TRUE(svg_has_text(svg, levels[j]));
    // The diamond's "estimate [lo, hi]" on the risk-ratio scale, as metafor's exp(estimate), exp(ci).
    const std::string cell = f2(std::exp(rc.at("estimate." + s))) + " [ " + f2(std::exp(rc.at("ci_lower." + s))) +
                             ", " + f2(std::exp(rc.at("ci_upper." + s))) + "]";
    EXPECT_TRUE(svg_has_text(svg, cell)) << cell;
    const std::string het = "Heterogeneity: \u03C4\u00B2 = " + f2(rc.at("tau2." + s)) +
                            ", I\u00B2 = " + f2(rc.at("I2." + s)) + "%, H\u00B2 = " + f2(rc.at("H2." + s));
    EXPECT_TRUE(svg_has_text(svg, het)) << het;
    const std::string q =
        fmt::format("Q({}) = {}, p = {}", rc.at("Q_df." + s), f2(rc.at("Q." + s)), f2(rc.at("Q_p." + s)));
    EXPECT_TRUE(svg_has_text(svg, q)) << q;
  }
  const std::string qb =
      fmt::format("Test of group differences: Qb({}) = {}, p = {}", rc.at("Qb_df"), f2(rc.at("Qb")), f2(rc.at("Qb_p")));
  EXPECT_TRUE(svg_has_text(svg, qb)) << qb;
  // The b of Q_b is a real subscript: a smaller tspan shifted down (positive dy), then back up.
  static const std::regex sub_b("Q<tspan dy=\"[0-9.]+\" font-size=\"[0-9.]+\">b</tspan><tspan dy=\"-[0-9.]+\">\\(");
  EXPECT_TRUE(std::regex_search(svg, sub_b));
  // Three subtotal rows and the overall one; four diamonds.
  std::size_t subtotals = 0;
  for (const auto& t : svg_texts(svg)) subtotals += t == "Subtotal" ? 1 : 0;
  EXPECT_EQ(subtotals, 3U);
  EXPECT_TRUE(svg_has_text(svg, "Overall"));
  EXPECT_EQ(count(svg_group(svg, "summaries"), "<polygon"), 4U);
  // All 13 studies are drawn, each once.
  EXPECT_EQ(count(svg_group(svg, "squares"), "<rect"), 13U);
  // Weights are shares of the overall model; the three subtotals add up to the overall 100.00.
  EXPECT_TRUE(svg_has_text(svg, "100.00"));
}

TEST(SubgroupForest, CommonTau2BlocksUseTheCommonTau2) {
  const fs::path d = temp_dir("subgroup_forest_common");
  const run_result r = metasift(
      "meta " + bcg_mods_csv + " --measure RR --subgroup alloc --common-tau2 --forest " + (d / "sg.svg").string(), d);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string svg = slurp(d / "sg.svg");
  const auto rc = reference("metafor_subgroups_bcg_mods.csv", "RR|REML|z|alloc:common|default");
  const std::string tau2 = "\u03C4\u00B2 = " + f2(rc.at("tau2_common")) + ",";
  std::size_t blocks_with_common = 0;
  for (const auto& t : svg_texts(svg)) blocks_with_common += t.find(tau2) != std::string::npos ? 1 : 0;
  EXPECT_EQ(blocks_with_common, 3U) << tau2;
  for (int j = 1; j <= 3; ++j) {
    const std::string s = std::to_string(j);
    const std::string cell = f2(std::exp(rc.at("estimate." + s))) + " [ " + f2(std::exp(rc.at("ci_lower." + s))) +
                             ", " + f2(std::exp(rc.at("ci_upper." + s))) + "]";
    EXPECT_TRUE(svg_has_text(svg, cell)) << cell;
  }
  const std::string qb = fmt::format("Qb({}) = {}, p = {}", rc.at("Qb_df"), f2(rc.at("Qb")), f2(rc.at("Qb_p")));
  EXPECT_TRUE(svg_has_text(svg, qb)) << qb;
}

TEST(SubgroupForest, ExtraColumnsFollowTheirStudiesIntoTheBlocks) {
  // Blocks reorder the studies (bcg_mods lists them by year, alloc levels interleave), so the year
  // column must follow each study to its row rather than keep the file's order.
  const fs::path d = temp_dir("subgroup_forest_columns");
  const run_result r =
      metasift("meta " + bcg_mods_csv + " --measure RR --subgroup alloc --forest-columns year --forest " +
                   (d / "sg.svg").string(),
               d);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string svg = slurp(d / "sg.svg");
  // The labels "author, YEAR" in row order carry the same years as the year column (the fifth
  // data column, after events/total of each group) in row order.
  std::vector<std::string> label_years, cell_years;
  static const std::regex label_re(".*, (\\d{4})$");
  std::smatch m;
  for (const auto& t : svg_texts(svg_group(svg, "labels"))) {
    if (std::regex_match(t, m, label_re)) label_years.push_back(m[1].str());
  }
  const auto cells = svg_texts(svg_group(svg, "data-columns"));
  ASSERT_EQ(cells.size(), 13U * 5U);
  for (std::size_t i = 4; i < cells.size(); i += 5) cell_years.push_back(cells[i]);
  ASSERT_EQ(label_years.size(), 13U);
  EXPECT_EQ(label_years, cell_years);
}

// ---- trimfill --funnel ------------------------------------------------------------------------

TEST(TrimfillFunnel, FilledStudiesAreHollowAndTheLineIsTheAdjustedEstimate) {
  const auto rc = reference("metafor_analyses_hackshaw1998.csv", "GEN|REML|z|trimfill.L0.auto|tight");
  const int k0 = static_cast<int>(rc.at("k0"));
  ASSERT_GT(k0, 0);
  // In-process: the funnel input holds metafor's filled studies and adjusted estimate.
  const fitted f = fit_file(hackshaw_csv, effects::measure::GEN, models::convention::metafor);
  const analyses::trimfill_result t =
      analyses::trim_and_fill(f.effects.yi, f.effects.vi, f.effects.labels, f.result.spec);
  const funnel_input in = make_funnel_input(t, f.measure);
  EXPECT_WITHIN(in.pooled, rc.at("estimate"), metasift::test::tight_iterative);
  EXPECT_EQ(in.pooled_label, "Adjusted estimate");
  std::vector<const funnel_point*> imputed;
  for (const auto& p : in.points) {
    if (p.imputed) imputed.push_back(&p);
  }
  ASSERT_EQ(imputed.size(), static_cast<std::size_t>(k0));
  EXPECT_EQ(in.points.size(), f.effects.yi.size() + static_cast<std::size_t>(k0));
  for (int j = 0; j < k0; ++j) {
    const std::string s = std::to_string(j + 1);
    EXPECT_WITHIN(imputed[static_cast<std::size_t>(j)]->yi, rc.at("fill_yi." + s), metasift::test::tight_iterative);
    EXPECT_WITHIN(imputed[static_cast<std::size_t>(j)]->se, std::sqrt(rc.at("fill_vi." + s)),
                  metasift::test::closed_form);
  }

  // End to end: k0 hollow circles (white fill, outlined) among the studies, the rest filled.
  const fs::path d = temp_dir("trimfill_funnel");
  const run_result r = metasift("trimfill " + hackshaw_csv + " --funnel " + (d / "tf.svg").string(), d);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string svg = slurp(d / "tf.svg");
  const std::string studies = svg_group(svg, "studies");
  const std::size_t circles = count(studies, "<circle");
  const std::size_t hollow = count(studies, "fill=\"#ffffff\" stroke=");
  EXPECT_EQ(circles, f.effects.yi.size() + static_cast<std::size_t>(k0));
  EXPECT_EQ(hollow, static_cast<std::size_t>(k0));
  EXPECT_TRUE(svg_has_text(svg, "Imputed studies"));
  EXPECT_TRUE(svg_has_text(svg, "Adjusted estimate"));
  // The report on stdout is unchanged by the figure option.
  EXPECT_NE(r.out.find("Trim"), std::string::npos);
}

TEST(TrimfillFunnel, BadExtensionIsAUsageErrorAndWritesNothing) {
  const fs::path d = temp_dir("trimfill_funnel_bad");
  const run_result r = metasift("trimfill " + hackshaw_csv + " --funnel " + (d / "tf.gif").string(), d);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--funnel"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(d / "tf.gif"));
}

// ---- regress --bubble, influence --baujat, cumulative --forest ------------------------------

TEST(AnalysisFigures, BubblePlotOfAMetaRegression) {
  const fs::path d = temp_dir("bubble");
  const run_result r =
      metasift("regress " + bcg_mods_csv + " --measure RR -m ablat -m alloc --bubble " + (d / "b.svg").string(), d);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string svg = slurp(d / "b.svg");
  EXPECT_EQ(count(svg_group(svg, "studies"), "<circle"), 13U);
  EXPECT_EQ(count(svg_group(svg, "fit"), "<line"), 1U);
  EXPECT_EQ(count(svg_group(svg, "band"), "<polygon"), 1U);
  EXPECT_TRUE(svg_has_text(svg, "ablat"));
  // Only numeric moderators can go on the x axis.
  const run_result bad = metasift("regress " + bcg_mods_csv +
                                      " --measure RR -m ablat -m alloc --bubble-moderator alloc "
                                      "--bubble " +
                                      (d / "c.svg").string(),
                                  d);
  EXPECT_EQ(bad.code, 2) << bad.err;
  EXPECT_FALSE(fs::exists(d / "c.svg"));
}

TEST(AnalysisFigures, BaujatPlotOfTheInfluenceAnalysis) {
  const fs::path d = temp_dir("baujat");
  const run_result r = metasift("influence " + bcg_mods_csv + " --measure RR --baujat " + (d / "bj.svg").string(), d);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string svg = slurp(d / "bj.svg");
  EXPECT_EQ(count(svg_group(svg, "studies"), "<circle"), 13U);
  EXPECT_TRUE(svg_has_text(svg, "Aronson, 1948"));
  EXPECT_TRUE(svg_has_text(svg, "Squared Pearson residual"));
}

TEST(AnalysisFigures, CumulativeForestPlot) {
  const fs::path d = temp_dir("cumulative");
  const run_result r = metasift(
      "cumulative " + bcg_mods_csv + " --measure RR --order year --format json --forest " + (d / "c.svg").string(), d);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string svg = slurp(d / "c.svg");
  // One row per step: a marker each, the k column 1..13, and the last step is the full analysis.
  EXPECT_EQ(count(svg_group(svg, "squares"), "<rect"), 13U);
  const auto texts = svg_texts(svg_group(svg, "data-columns"));
  ASSERT_EQ(texts.size(), 13U);
  for (int k = 1; k <= 13; ++k) {
    EXPECT_EQ(std::count(texts.begin(), texts.end(), std::to_string(k)), 1) << "k = " << k;
  }
  EXPECT_TRUE(svg_has_text(svg, "Study added (by year)"));
  const fitted f = fit_file(bcg_mods_csv, effects::measure::RR, models::convention::metafor);
  const std::string full = f2(std::exp(f.result.pooled.estimate)) + " [ " + f2(std::exp(f.result.pooled.ci_lower)) +
                           ", " + f2(std::exp(f.result.pooled.ci_upper)) + "]";
  EXPECT_TRUE(svg_has_text(svg, full)) << full;
}

}  // namespace
}  // namespace metasift::plot
