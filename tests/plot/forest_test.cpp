// Forest plots in-process: every number of the seed's Figure 1 in the SVG and PDF text, Chinese
// labels, layout at k = 5 and k = 150, long labels, arrows, subgroup blocks, sorting, log axes.

#include "metasift/plot/forest.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "metasift/plot/render.hpp"
#include "metasift/plot/text.hpp"
#include "plot_test_support.hpp"

namespace metasift::plot {
namespace {

using namespace test;

forest_input fig1_input() {
  const fitted f =
      fit_file(fig1_csv, effects::measure::MD, models::convention::stata,
               {"Sustainable management practices", "Environmental impacts of rare earth mining in China"});
  forest_input in = make_forest_input(f.result, f.measure);
  for (const auto& dc : f.data_columns) add_column(in, {dc.group, dc.header}, dc.cells);
  return in;
}

// The numbers Figure 1 prints (seed review, lines 69-86), as it prints them.
const std::vector<std::string> fig1_effects = {"0.70 [ 0.60, 0.80]",   "-0.20 [ -0.33, -0.07]", "1.70 [ 1.55, 1.85]",
                                               "0.70 [ 0.61, 0.79]",   "1.60 [ 1.45, 1.75]",    "1.30 [ 1.17, 1.43]",
                                               "-0.10 [ -0.30, 0.10]", "0.20 [ 0.05, 0.35]",    "0.60 [ 0.48, 0.72]",
                                               "0.90 [ 0.80, 1.00]",   "0.74 [ 0.33, 1.15]"};
const std::vector<std::string> fig1_weights = {"10.06", "10.00", "9.98", "10.06", "9.98",
                                               "10.01", "9.86",  "9.98", "10.02", "10.06"};
const std::vector<std::string> fig1_lines = {"Heterogeneity: \u03C4\u00B2 = 0.43, I\u00B2 = 99.09%, H\u00B2 = 109.64",
                                             "Test of \u03B8i = \u03B8j: Q(9) = 689.69, p = 0.00",
                                             "Test of \u03B8 = 0: z = 3.57, p = 0.00", "Random-effects REML model"};

TEST(ForestFigure1, EveryPrintedNumberIsSvgText) {
  const std::string svg = render_svg(build_forest(fig1_input()).drawing);
  for (const auto& s : fig1_effects) EXPECT_TRUE(svg_has_text(svg, s)) << s;
  const auto texts = svg_texts(svg);
  for (const auto& w : fig1_weights) EXPECT_NE(std::find(texts.begin(), texts.end(), w), texts.end()) << w;
  for (const auto& l : fig1_lines) EXPECT_TRUE(svg_has_text(svg, l)) << l;
  for (const char* s : {"Kamenopoulos et al.", "Lee and Wen", "Overall", "Mean diff.", "with 95% CI", "Weight", "(%)",
                        "Sustainable", "China"}) {
    EXPECT_TRUE(svg_has_text(svg, s)) << s;
  }
  // Short cells and the axis ticks are whole <text> elements of their own.
  for (const char* s : {"N", "Mean", "SD", "150", "3.2", ".4", "2.5", "-1", "0", "1", "2"}) {
    EXPECT_NE(std::find(texts.begin(), texts.end(), std::string(s)), texts.end()) << s;
  }
}

TEST(ForestFigure1, EveryPrintedNumberIsPdfText) {
  if (!have_tool("pdftotext")) GTEST_SKIP() << "pdftotext not installed (poppler-utils): PDF text not checked";
  const fs::path d = temp_dir("fig1_pdf");
  write_plot(build_forest(fig1_input()).drawing, d / "fig1.pdf");
  const run_result r = shell("pdftotext -layout " + (d / "fig1.pdf").string() + " -", d);
  ASSERT_EQ(r.code, 0) << r.err;
  // Compared without blanks: pdftotext chooses the number of spaces between placed glyphs.
  const std::string text = without_spaces(r.out);
  for (const auto& s : fig1_effects) EXPECT_NE(text.find(without_spaces(s)), std::string::npos) << s << "\n" << r.out;
  for (const auto& s : fig1_weights) EXPECT_NE(text.find(s), std::string::npos) << s;
  for (const auto& s : fig1_lines) EXPECT_NE(text.find(without_spaces(s)), std::string::npos) << s << "\n" << r.out;
}

TEST(ForestFigure1, PdfEmbedsItsFonts) {
  if (!have_tool("pdffonts")) GTEST_SKIP() << "pdffonts not installed (poppler-utils): font embedding not checked";
  const fs::path d = temp_dir("fig1_fonts");
  write_plot(build_forest(fig1_input()).drawing, d / "fig1.pdf");
  const run_result r = shell("pdffonts " + (d / "fig1.pdf").string(), d);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("DejaVuSans"), std::string::npos) << r.out;
  // Every font line (after the two header lines) says "emb yes".
  std::istringstream lines(r.out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    if (++n <= 2 || line.empty()) continue;
    EXPECT_NE(line.find(" yes "), std::string::npos) << line;
  }
}

TEST(ForestFigure1, SameInputSameBytes) {
  EXPECT_EQ(render_svg(build_forest(fig1_input()).drawing), render_svg(build_forest(fig1_input()).drawing));
}

TEST(ForestFigure1, ThetaSubscriptsAreRealSubscripts) {
  const std::string svg = render_svg(build_forest(fig1_input()).drawing);
  EXPECT_NE(svg.find("Test of \u03B8<tspan dy="), std::string::npos);
}

/// k studies with given labels and a trivial spread of effects.
forest_input synthetic(std::size_t k, const std::string& label_prefix = "Study ") {
  forest_input in;
  in.effect_header = "Mean diff.";
  forest_block b;
  for (std::size_t i = 0; i < k; ++i) {
    forest_study s;
    s.label = label_prefix + std::to_string(i + 1);
    s.estimate = 0.1 * static_cast<double>(i % 7) - 0.2;
    s.ci_lower = s.estimate - 0.3;
    s.ci_upper = s.estimate + 0.3;
    s.weight = 100.0 / static_cast<double>(k);
    b.studies.push_back(s);
  }
  in.blocks.push_back(b);
  in.overall = forest_summary{"Overall", 0.1, -0.05, 0.25, -0.4, 0.6, models::not_available};
  in.overall_notes = {plain("Heterogeneity: \u03C4\u00B2 = 0.01, I\u00B2 = 10.00%, H\u00B2 = 1.11")};
  in.model_note = "Random-effects REML model";
  return in;
}

/// Every text of the left groups ends left of the panel; every text of the right groups starts
/// right of it; squares and CI lines stay inside it.
void expect_no_overlap(const forest_plot& p) {
  const rect& panel = p.layout.panel;
  for (const char* g : {"labels", "data-columns", "notes", "headers"}) {
    for (const text_item* t : texts_in(p.drawing, g)) {
      const extent e = horizontal_extent(*t);
      const bool right_side = e.left >= panel.right();
      EXPECT_TRUE(e.right <= panel.x || right_side)
          << g << ": '" << to_plain(t->runs) << "' " << e.left << ".." << e.right << " panel " << panel.x;
    }
  }
  for (const char* g : {"effects", "weights"}) {
    for (const text_item* t : texts_in(p.drawing, g)) EXPECT_GE(horizontal_extent(*t).left, panel.right()) << g;
  }
  for (const rect_item* r : items_in<rect_item>(p.drawing, "squares")) {
    EXPECT_GE(r->r.x, panel.x - r->r.width / 2.0);
    EXPECT_LE(r->r.right(), panel.right() + r->r.width / 2.0);
  }
  for (const line_item* l : items_in<line_item>(p.drawing, "confidence-intervals")) {
    EXPECT_GE(std::min(l->a.x, l->b.x), panel.x - 1e-9);
    EXPECT_LE(std::max(l->a.x, l->b.x), panel.right() + 1e-9);
  }
  EXPECT_LE(p.layout.right.right(), p.drawing.width);
}

TEST(ForestLayout, FiveAndOneHundredFiftyStudies) {
  const forest_plot p5 = build_forest(synthetic(5));
  const forest_plot p150 = build_forest(synthetic(150));
  expect_no_overlap(p5);
  expect_no_overlap(p150);
  // The height grows by one row per study; the width does not change.
  EXPECT_NEAR(p150.drawing.height - p5.drawing.height, 145.0 * p5.layout.row_height, 1e-6);
  EXPECT_GT(p5.layout.row_height, 10.0);                    // 8-pt text on 12.4-pt rows: readable
  EXPECT_NEAR(p150.drawing.width, p5.drawing.width, 10.0);  // only "150" is wider than "5"
  EXPECT_EQ(texts_in(p150.drawing, "labels").size(), 151U);
  EXPECT_EQ(items_in<rect_item>(p150.drawing, "squares").size(), 150U);
}

TEST(ForestLayout, LongLabelsWidenTheLabelColumn) {
  // Without footer lines, which are wide enough to set the left width on their own.
  forest_input short_in = synthetic(5);
  forest_input long_in = synthetic(5, "A very long study label that a spreadsheet export might well contain, study ");
  short_in.overall_notes.clear();
  long_in.overall_notes.clear();
  const forest_plot short_labels = build_forest(short_in);
  const forest_plot long_labels = build_forest(long_in);
  EXPECT_GT(long_labels.layout.panel.x, short_labels.layout.panel.x + 150.0);
  EXPECT_NEAR(long_labels.layout.panel.width, short_labels.layout.panel.width, 1e-9);
  expect_no_overlap(long_labels);
}

TEST(ForestLayout, ChineseLabelsRenderWithoutTofu) {
  forest_input in = synthetic(3);
  in.blocks[0].studies[0].label = "\xE5\xBC\xA0\xE4\xB8\x89 et al.";  // 张三 et al.
  in.blocks[0].studies[1].label = "\xE8\xB5\xB5 et al.";              // 赵 et al.
  in.blocks[0].studies[2].label =
      "\xE7\x8E\x8B\xE5\xB0\x8F\xE6\x98\x8E\xE3\x80\x81\xE6\x9D\x8E\xE5\x8D\x8E";  // 王小明、李华
  const forest_plot p = build_forest(in);
  const std::string svg = render_svg(p.drawing);
  EXPECT_TRUE(svg_has_text(svg, "\xE5\xBC\xA0\xE4\xB8\x89 et al."));
  EXPECT_TRUE(svg_has_text(svg, "\xE8\xB5\xB5 et al."));
  // No character lacks a font, so neither the PDF nor the PNG shows boxes.
  EXPECT_EQ(unknown_glyphs(p.drawing), 0) << "install fonts-noto-cjk";
  expect_no_overlap(p);
  const std::string png = render_png(p.drawing, {150});
  EXPECT_GT(png.size(), 1000U);
  if (!have_tool("pdffonts")) GTEST_SKIP() << "pdffonts not installed (poppler-utils): CJK font embedding not checked";
  const fs::path d = temp_dir("cjk");
  write_plot(p.drawing, d / "cjk.pdf");
  const run_result r = shell("pdffonts " + (d / "cjk.pdf").string(), d);
  EXPECT_NE(r.out.find("NotoSansCJK"), std::string::npos) << r.out;
  if (!have_tool("pdftotext")) GTEST_SKIP() << "pdftotext not installed (poppler-utils): CJK PDF text not checked";
  const run_result t = shell("pdftotext " + (d / "cjk.pdf").string() + " -", d);
  EXPECT_NE(t.out.find("\xE5\xBC\xA0\xE4\xB8\x89"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("\xE8\xB5\xB5"), std::string::npos) << t.out;
}

TEST(ForestPanel, ClippedIntervalsGetArrows) {
  forest_input in = synthetic(3);
  in.blocks[0].studies[0].ci_upper = 5.0;   // beyond x_max
  in.blocks[0].studies[1].ci_lower = -5.0;  // beyond x_min
  in.x_min = -1.0;
  in.x_max = 1.0;
  const forest_plot p = build_forest(in);
  const auto arrows = items_in<polygon_item>(p.drawing, "confidence-intervals");
  ASSERT_EQ(arrows.size(), 2U);
  const double right = p.layout.panel.right();
  const double left = p.layout.panel.x;
  EXPECT_TRUE((std::fabs(arrows[0]->points[0].x - right) < 1e-9 && std::fabs(arrows[1]->points[0].x - left) < 1e-9))
      << arrows[0]->points[0].x << " " << arrows[1]->points[0].x;
  expect_no_overlap(p);
}

TEST(ForestPanel, PredictionIntervalAndPooledLine) {
  forest_input in = synthetic(4);
  in.show_prediction = true;
  in.pooled_line = true;
  const forest_plot p = build_forest(in);
  const std::string svg = render_svg(p.drawing);
  EXPECT_TRUE(svg_has_text(svg, "Prediction interval"));
  EXPECT_TRUE(svg_has_text(svg, " [ -0.40, 0.60]"));
  const auto ref = items_in<line_item>(p.drawing, "reference-lines");
  ASSERT_EQ(ref.size(), 2U);  // null line and the dashed pooled line
  EXPECT_EQ(ref[1]->s.style, dash::dashed);
  EXPECT_EQ(items_in<polygon_item>(p.drawing, "summaries").size(), 1U);  // the diamond
}

TEST(ForestBlocks, DrawsHandMadeSubgroupBlocks) {
  forest_input in = synthetic(0);
  in.blocks.clear();
  for (int g = 0; g < 2; ++g) {
    forest_block b;
    b.name = g == 0 ? "Inner Mongolia" : "Jiangxi";
    for (int i = 0; i < 3; ++i) {
      forest_study s;
      s.label = b.name + " study " + std::to_string(i + 1);
      s.estimate = 0.2 * (g + 1) + 0.05 * i;
      s.ci_lower = s.estimate - 0.2;
      s.ci_upper = s.estimate + 0.2;
      s.weight = 100.0 / 6.0;
      b.studies.push_back(s);
    }
    b.summary = forest_summary{"Subtotal",
                               0.2 * (g + 1) + 0.05,
                               0.2 * (g + 1) - 0.1,
                               0.2 * (g + 1) + 0.2,
                               models::not_available,
                               models::not_available,
                               50.0};
    b.notes = {plain(g == 0 ? "Heterogeneity: \u03C4\u00B2 = 0.00, I\u00B2 = 0.00%, H\u00B2 = 1.00"
                            : "Heterogeneity: \u03C4\u00B2 = 0.02, I\u00B2 = 12.50%, H\u00B2 = 1.14")};
    in.blocks.push_back(b);
  }
  in.group_tests = {plain("Test of group differences: Q\u2095(1) = 2.10, p = 0.15")};
  const forest_plot p = build_forest(in);
  const std::string svg = render_svg(p.drawing);
  for (const char* s : {"Inner Mongolia", "Jiangxi", "Subtotal", "I\u00B2 = 12.50%", "Test of group differences",
                        "50.00", "Jiangxi study 3"}) {
    EXPECT_TRUE(svg_has_text(svg, s)) << s;
  }
  // Two block diamonds and the overall one.
  EXPECT_EQ(items_in<polygon_item>(p.drawing, "summaries").size(), 3U);
  // Rows: 2 headings + 6 studies + 2 subtotals + 2 notes + 2 blank separators + overall + 1 note + 1 test.
  EXPECT_EQ(p.layout.rows, 17U);
  // Headings are bold and come before their studies.
  const auto labels = texts_in(p.drawing, "labels");
  EXPECT_EQ(to_plain(labels[0]->runs), "Inner Mongolia");
  EXPECT_EQ(labels[0]->f.weight, font_weight::bold);
  EXPECT_LT(labels[0]->at.y, labels[1]->at.y);
  expect_no_overlap(p);
}

TEST(ForestSort, ByEffectWeightAndKey) {
  forest_input in = synthetic(4);
  auto& s = in.blocks[0].studies;
  s[0].estimate = 0.5;
  s[1].estimate = -0.5;
  s[2].estimate = 0.1;
  s[3].estimate = std::nan("");
  s[0].weight = 10;
  s[1].weight = 40;
  s[2].weight = 30;
  s[3].weight = 20;
  s[0].sort_key = "10";
  s[1].sort_key = "9";
  s[2].sort_key = "100";
  s[3].sort_key = "2";
  auto order = [&] {
    std::string o;
    for (const auto& x : in.blocks[0].studies) o += x.label.back();
    return o;
  };
  sort_studies(in, forest_sort::effect);
  EXPECT_EQ(order(), "2314");  // missing estimate last
  sort_studies(in, forest_sort::weight);
  EXPECT_EQ(order(), "2341");
  sort_studies(in, forest_sort::key);
  EXPECT_EQ(order(), "4213");  // numeric: 2, 9, 10, 100
  in.blocks[0].studies[0].sort_key = "b";
  sort_studies(in, forest_sort::key);  // as text once any key is not a number: "10" < "100" < "9" < "b"
  EXPECT_EQ(order(), "1324");
}

TEST(ForestRatio, OddsRatiosOnALogAxis) {
  const fitted f = fit_file(bcg_csv, effects::measure::OR, models::convention::metafor);
  forest_input in = make_forest_input(f.result, f.measure);
  EXPECT_EQ(in.scale, axis_scale::log);
  ASSERT_TRUE(in.null_value);
  EXPECT_EQ(*in.null_value, 1.0);
  EXPECT_EQ(in.effect_header, "Odds ratio");
  const forest_plot p = build_forest(in);
  const std::string svg = render_svg(p.drawing);
  const auto ticks = texts_in(p.drawing, "axis");
  std::vector<std::string> labels;
  for (const text_item* t : ticks) labels.push_back(to_plain(t->runs));
  EXPECT_NE(std::find(labels.begin(), labels.end(), "1"), labels.end());
  EXPECT_NE(std::find(labels.begin(), labels.end(), "0.1"), labels.end());
  // The null line sits at the tick labelled 1.
  const auto ref = items_in<line_item>(p.drawing, "reference-lines");
  ASSERT_EQ(ref.size(), 1U);
  for (const text_item* t : ticks) {
    if (to_plain(t->runs) == "1") {
      EXPECT_NEAR(t->at.x, ref[0]->a.x, 1e-9);
    }
  }
  // Numbers are back-transformed: the pooled odds ratio, not the log odds ratio.
  const auto& pooled = f.result.pooled;
  const std::string overall = fmt::format("{:.2f} [ {:.2f}, {:.2f}]", std::exp(pooled.estimate),
                                          std::exp(pooled.ci_lower), std::exp(pooled.ci_upper));
  EXPECT_TRUE(svg_has_text(svg, overall)) << overall;
  EXPECT_LT(std::exp(pooled.estimate), 1.0);
  expect_no_overlap(p);
}

TEST(ForestInput, RejectsCellCountMismatch) {
  forest_input in = synthetic(2);
  in.columns.push_back({"", "year"});
  EXPECT_THROW(static_cast<void>(build_forest(in)), std::invalid_argument);
  EXPECT_THROW(add_column(in, {"", "country"}, {"a"}), std::invalid_argument);
  add_column(in, {"", "country"}, {"CN", "AU"});
  EXPECT_EQ(in.blocks[0].studies[1].cells.back(), "AU");
}

}  // namespace
}  // namespace metasift::plot
