// Funnel plots (linear and log axes, contours, imputed studies), bubble and Baujat plots.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "metasift/plot/funnel.hpp"
#include "metasift/plot/render.hpp"
#include "metasift/plot/text.hpp"
#include "plot_test_support.hpp"

namespace metasift::plot {
namespace {

using namespace test;

std::vector<std::string> labels_of(const scene& s, const std::string& group) {
  std::vector<std::string> out;
  for (const text_item* t : texts_in(s, group)) out.push_back(to_plain(t->runs));
  return out;
}

TEST(Funnel, Figure1DataOnALinearAxis) {
  const fitted f = fit_file(fig1_csv, effects::measure::MD, models::convention::stata);
  const funnel_input in = make_funnel_input(f.result, f.measure);
  EXPECT_EQ(in.scale, axis_scale::linear);
  EXPECT_EQ(in.xlabel, "Mean diff.");
  const xy_plot p = build_funnel(in);
  const auto dots = items_in<circle_item>(p.drawing, "studies");
  ASSERT_EQ(dots.size(), 10U);
  // SE runs downwards: SE 0 at the top of the panel, the largest SE lowest.
  EXPECT_DOUBLE_EQ(p.layout.y(0.0), p.layout.panel.y);
  for (std::size_t i = 0; i < dots.size(); ++i) {
    EXPECT_NEAR(dots[i]->centre.x, p.layout.x(f.result.studies[i].yi), 1e-9);
    EXPECT_NEAR(dots[i]->centre.y, p.layout.y(f.result.studies[i].se), 1e-9);
    EXPECT_GE(dots[i]->centre.y, p.layout.panel.y);
    EXPECT_LE(dots[i]->centre.y, p.layout.panel.bottom());
  }
  // Pooled line and the two dashed sides of the pseudo 95% region meet at the apex.
  const auto lines = items_in<line_item>(p.drawing, "funnel");
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_NEAR(lines[2]->a.x, p.layout.x(f.result.pooled.estimate), 1e-9);
  EXPECT_EQ(lines[0]->s.style, dash::dashed);
  const std::string svg = render_svg(p.drawing);
  EXPECT_TRUE(svg_has_text(svg, "Standard error"));
  EXPECT_TRUE(svg_has_text(svg, "Mean diff."));
  EXPECT_EQ(svg, render_svg(build_funnel(in).drawing));
}

TEST(Funnel, OddsRatiosOnALogAxisWithContours) {
  const fitted f = fit_file(bcg_csv, effects::measure::OR, models::convention::metafor);
  funnel_input in = make_funnel_input(f.result, f.measure);
  in.contours = true;
  EXPECT_EQ(in.scale, axis_scale::log);
  EXPECT_EQ(in.xlabel, "Odds ratio (log scale)");
  const xy_plot p = build_funnel(in);
  // Tick labels are odds ratios placed at their logarithms.
  const auto texts = texts_in(p.drawing, "axes");
  bool found_one = false;
  for (const text_item* t : texts) {
    if (to_plain(t->runs) == "1") {
      found_one = true;
      EXPECT_NEAR(t->at.x, p.layout.x(0.0), 1e-9);
    }
  }
  EXPECT_TRUE(found_one);
  const auto labels = labels_of(p.drawing, "axes");
  EXPECT_NE(std::find(labels.begin(), labels.end(), "0.1"), labels.end());
  // Four shades: the panel (p < .01) and three triangles around the null.
  EXPECT_EQ(items_in<rect_item>(p.drawing, "contours").size(), 1U);
  EXPECT_EQ(items_in<polygon_item>(p.drawing, "contours").size(), 3U);
  const auto legend = labels_of(p.drawing, "legend");
  for (const char* s : {"p < 0.01", "0.01 \u2264 p < 0.05", "0.05 \u2264 p < 0.10", "p \u2265 0.10", "Pseudo 95% CI"}) {
    EXPECT_NE(std::find(legend.begin(), legend.end(), s), legend.end()) << s;
  }
  EXPECT_EQ(unknown_glyphs(p.drawing), 0);
  EXPECT_EQ(items_in<circle_item>(p.drawing, "studies").size(), f.result.studies.size());
}

TEST(Funnel, ImputedStudiesAreHollow) {
  funnel_input in;
  in.points = {
      {0.1, 0.1, false, "a"}, {0.3, 0.2, false, "b"}, {-0.2, 0.25, true, "c"}, {std::nan(""), 0.1, false, "d"}};
  in.pooled = 0.1;
  const xy_plot p = build_funnel(in);
  const auto dots = items_in<circle_item>(p.drawing, "studies");
  ASSERT_EQ(dots.size(), 3U);  // the NaN point is skipped
  EXPECT_TRUE(dots[0]->fill && !dots[0]->outline);
  EXPECT_TRUE(dots[2]->outline.has_value());
  EXPECT_EQ(dots[2]->fill->r, 255);  // white inside
  const auto legend = labels_of(p.drawing, "legend");
  EXPECT_NE(std::find(legend.begin(), legend.end(), "Imputed studies"), legend.end());
  EXPECT_THROW(static_cast<void>(build_funnel(funnel_input{})), std::invalid_argument);
}

TEST(Bubble, CircleAreaFollowsWeightAndLineIsDrawn) {
  bubble_input in;
  in.points = {{1948, -0.9, 4.0, "A"}, {1960, -1.2, 16.0, "B"}, {1977, -0.2, 1.0, "C"}};
  in.intercept = 20.0;
  in.slope = -0.0105;
  in.band_x = {1948, 1977};
  in.band_lower = {-1.4, -0.6};
  in.band_upper = {-0.6, 0.1};
  in.xlabel = "Year";
  in.ylabel = "Log odds ratio";
  in.label_points = true;
  const xy_plot p = build_bubble(in);
  const auto circles = items_in<circle_item>(p.drawing, "studies");
  ASSERT_EQ(circles.size(), 3U);
  // Largest first; radius ratio = sqrt(weight ratio).
  EXPECT_NEAR(circles[0]->radius / circles[1]->radius, 2.0, 1e-9);
  EXPECT_EQ(items_in<line_item>(p.drawing, "fit").size(), 1U);
  EXPECT_EQ(items_in<polygon_item>(p.drawing, "band").size(), 1U);
  EXPECT_EQ(labels_of(p.drawing, "labels"), (std::vector<std::string>{"A", "B", "C"}));
  const std::string svg = render_svg(p.drawing);
  EXPECT_NE(svg.find("rotate(-90"), std::string::npos);  // the y-axis title reads upwards
  EXPECT_GT(render_png(p.drawing, {100}).size(), 500U);
}

TEST(Baujat, LabelsEveryStudy) {
  baujat_input in;
  in.points = {{0.5, 0.01, "Aronson"}, {12.0, 0.3, "Hart"}, {3.0, 0.9, "\xE8\xB5\xB5 et al."}};
  const xy_plot p = build_baujat(in);
  EXPECT_EQ(items_in<circle_item>(p.drawing, "studies").size(), 3U);
  const auto labels = labels_of(p.drawing, "studies");
  EXPECT_EQ(labels.size(), 3U);
  EXPECT_EQ(unknown_glyphs(p.drawing), 0);
  // Labels stay inside the drawing.
  for (const text_item* t : texts_in(p.drawing, "studies")) EXPECT_LE(horizontal_extent(*t).right, p.drawing.width);
  const std::string svg = render_svg(p.drawing);
  EXPECT_TRUE(svg_has_text(svg, "Contribution to overall heterogeneity"));
  EXPECT_TRUE(svg_has_text(svg, "Influence on overall result"));
}

}  // namespace
}  // namespace metasift::plot
