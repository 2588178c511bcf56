// Scenes and backends: the SVG writer's exact output, PDF and PNG basics, format selection,
// atomic writing, text measurement and the axis helpers.

#include "metasift/plot/scene.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "metasift/core/error.hpp"
#include "metasift/plot/axis.hpp"
#include "metasift/plot/render.hpp"
#include "metasift/plot/text.hpp"
#include "plot_test_support.hpp"

namespace metasift::plot {
namespace {

using namespace test;

scene small_scene() {
  scene s;
  s.width = 100;
  s.height = 50.5;
  s.title = "a <b> & c";
  s.line({0, 0}, {10.126, 20.333333}, {rgb(0x112233), 0.5, dash::dashed});
  s.box({1, 2, 3, 4}, rgb(0xFF0000, 0.5), stroke{rgb(0x000000), 1.0});
  s.circle({5, 5}, 2, std::nullopt, stroke{rgb(0x00FF00), 0.7});
  s.begin_group("g1", rect{0, 0, 50, 50});
  s.polygon({{0, 0}, {1, 1}, {2, -0.001}}, rgb(0x0000FF));
  s.end_group();
  s.text({60, 20},
         {text_run{"Test of \xCE\xB8"}, text_run{"i", std::nan(""), baseline_shift::sub}, text_run{" = 1 & <2>"}},
         font{8.0, font_weight::bold}, anchor::middle);
  return s;
}

TEST(PlotSvg, WritesExactDeterministicMarkup) {
  const scene s = small_scene();
  const std::string svg = render_svg(s);
  EXPECT_EQ(svg, render_svg(s));
  EXPECT_EQ(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0U);
  EXPECT_NE(svg.find("width=\"100pt\" height=\"50.5pt\" viewBox=\"0 0 100 50.5\""), std::string::npos);
  EXPECT_NE(svg.find("<title>a &lt;b&gt; &amp; c</title>"), std::string::npos);
  // Two decimals at most, no trailing zeros, no "-0".
  EXPECT_NE(svg.find("<line x1=\"0\" y1=\"0\" x2=\"10.13\" y2=\"20.33\" stroke=\"#112233\" stroke-width=\"0.5\" "
                     "stroke-dasharray=\"4 2.5\"/>"),
            std::string::npos)
      << svg;
  EXPECT_NE(svg.find("fill=\"#ff0000\" fill-opacity=\"0.5\" stroke=\"#000000\" stroke-width=\"1\""), std::string::npos);
  EXPECT_NE(svg.find("<circle cx=\"5\" cy=\"5\" r=\"2\" fill=\"none\" stroke=\"#00ff00\""), std::string::npos);
  EXPECT_NE(svg.find("points=\"0,0 1,1 2,0\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("<clipPath id=\"clip1\"><rect x=\"0\" y=\"0\" width=\"50\" height=\"50\"/></clipPath>"),
            std::string::npos);
  EXPECT_NE(svg.find("<g id=\"g1\" clip-path=\"url(#clip1)\">"), std::string::npos);
  // Subscripts are tspans with a relative shift that is undone for the following run.
  EXPECT_NE(svg.find("font-weight=\"bold\" text-anchor=\"middle\">Test of \xCE\xB8<tspan dy=\"1.76\" "
                     "font-size=\"5.6\">i</tspan><tspan dy=\"-1.76\"> = 1 &amp; &lt;2&gt;</tspan></text>"),
            std::string::npos)
      << svg;
  EXPECT_EQ(svg_texts(svg).back(), "Test of \xCE\xB8i = 1 & <2>");
}

TEST(PlotPdf, IsAPdfWithExtractableText) {
  const std::string pdf = render_pdf(small_scene());
  ASSERT_GT(pdf.size(), 500U);
  EXPECT_EQ(pdf.rfind("%PDF-", 0), 0U);
  if (!have_tool("pdftotext")) GTEST_SKIP() << "pdftotext not installed (poppler-utils): PDF text not checked";
  const fs::path d = temp_dir("pdf_basic");
  std::ofstream(d / "s.pdf", std::ios::binary) << pdf;
  const run_result r = shell("pdftotext " + (d / "s.pdf").string() + " -", d);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(without_spaces(r.out).find("Testof\xCE\xB8i=1&<2>"), std::string::npos) << r.out;
}

std::uint32_t be32(const std::string& s, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at])) << 24U) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16U) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8U) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 3]));
}

TEST(PlotPng, HasTheSizeOfTheSceneAtTheDpiAndRecordsIt) {
  const scene s = small_scene();
  const std::string png = render_png(s, {300});
  ASSERT_GT(png.size(), 100U);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(be32(png, 16), 417U);  // ceil(100 * 300 / 72)
  EXPECT_EQ(be32(png, 20), 211U);  // ceil(50.5 * 300 / 72) = ceil(210.4)
  // pHYs right after IHDR: 11811 pixels per metre = 300 dpi.
  EXPECT_EQ(png.substr(37, 4), "pHYs");
  EXPECT_EQ(be32(png, 41), 11811U);
  EXPECT_EQ(be32(png, 45), 11811U);
  EXPECT_EQ(be32(render_png(s, {72}), 16), 100U);
  EXPECT_THROW(static_cast<void>(render_png(s, {5})), std::invalid_argument);
}

TEST(PlotWrite, PicksTheFormatFromTheExtension) {
  EXPECT_EQ(format_from_path("a/b.SVG"), file_format::svg);
  EXPECT_EQ(format_from_path("b.pdf"), file_format::pdf);
  EXPECT_EQ(format_from_path("b.Png"), file_format::png);
  EXPECT_FALSE(format_from_path("b.jpg"));
  EXPECT_FALSE(format_from_path("svg"));
  const fs::path d = temp_dir("write");
  const scene s = small_scene();
  write_plot(s, d / "x.svg");
  write_plot(s, d / "x.pdf");
  write_plot(s, d / "x.png", {150});
  EXPECT_EQ(slurp(d / "x.svg"), render_svg(s));
  EXPECT_EQ(slurp(d / "x.pdf").rfind("%PDF-", 0), 0U);
  EXPECT_EQ(be32(slurp(d / "x.png"), 16), 209U);
}

TEST(PlotWrite, BadExtensionOrPathThrowsAndLeavesNoFile) {
  const fs::path d = temp_dir("write_bad");
  const scene s = small_scene();
  EXPECT_THROW(write_plot(s, d / "x.jpg"), usage_error);
  EXPECT_THROW(write_plot(s, d / "missing" / "x.svg"), io_error);
  EXPECT_TRUE(fs::is_empty(d));
}

TEST(PlotText, MeasuresWithPangoAndScalesLinearly) {
  const text_extent a = measure_text("Kamenopoulos et al.", font{8.0});
  const text_extent b = measure_text("Kamenopoulos et al.", font{16.0});
  EXPECT_GT(a.width, 50.0);
  EXPECT_LT(a.width, 100.0);
  // Unhinted metrics: twice the size is exactly twice the width (to rounding of pango units).
  EXPECT_NEAR(b.width, 2.0 * a.width, 0.01);
  EXPECT_GT(measure_text("Study", font{8.0, font_weight::bold}).width, measure_text("Study", font{8.0}).width);
  EXPECT_EQ(a.unknown_glyphs, 0);
  // Runs: a subscript is narrower than the same letter at full size.
  const rich_text runs{text_run{"x"}, text_run{"i", std::nan(""), baseline_shift::sub}};
  EXPECT_LT(measure_runs(runs, font{8.0}).width, measure_text("xi", font{8.0}).width);
}

TEST(PlotText, ChineseResolvesToNotoCjkWithoutTofu) {
  const text_extent e = measure_text("\xE5\xBC\xA0\xE4\xB8\x89 et al.", font{8.0});  // 张三 et al.
  EXPECT_EQ(e.unknown_glyphs, 0) << "install fonts-noto-cjk";
  EXPECT_NE(resolved_family("\xE8\xB5\xB5", font{8.0}).find("Noto Sans CJK"), std::string::npos)  // 赵
      << resolved_family("\xE8\xB5\xB5", font{8.0});
  EXPECT_EQ(resolved_family("Zhao", font{8.0}), "DejaVu Sans");
}

TEST(PlotAxis, LinearTicksAreNice) {
  // Figure 1's range (CIs from -0.33 to 1.85 and the null at 0) gives Stata's -1, 0, 1, 2.
  const axis_ticks t = linear_ticks(-0.33, 1.85, 5);
  EXPECT_EQ(t.labels, (std::vector<std::string>{"-1", "0", "1", "2"}));
  EXPECT_DOUBLE_EQ(t.lo, -1.0);
  EXPECT_DOUBLE_EQ(t.hi, 2.0);
  EXPECT_EQ(linear_ticks(0.0, 0.93, 6).labels, (std::vector<std::string>{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}));
  EXPECT_EQ(linear_ticks(-0.1, 0.1, 5).labels, (std::vector<std::string>{"-0.10", "-0.05", "0.00", "0.05", "0.10"}));
  EXPECT_EQ(linear_ticks(3.0, 3.0, 5).labels.front(), "1");  // degenerate range widened to [1.5, 4.5]
}

TEST(PlotAxis, LogTicksShowRatios) {
  // BCG odds ratios run from about 0.1 to 1.6.
  const axis_ticks t = log_ticks(0.12, 1.6, 7);
  EXPECT_EQ(t.labels, (std::vector<std::string>{"0.1", "0.2", "0.5", "1", "2"}));
  EXPECT_DOUBLE_EQ(t.positions[3], 0.0);
  EXPECT_NEAR(t.lo, std::log(0.1), 1e-12);
  EXPECT_EQ(log_ticks(0.001, 900, 7).labels,
            (std::vector<std::string>{"0.001", "0.01", "0.1", "1", "10", "100", "1000"}));
  // A narrow range uses evenly spaced display values.
  EXPECT_EQ(log_ticks(0.7, 1.4, 6).labels, (std::vector<std::string>{"0.6", "0.8", "1.0", "1.2", "1.4"}));
  EXPECT_THROW(static_cast<void>(log_ticks(0.0, 2.0)), std::invalid_argument);
}

TEST(PlotAxis, ClipsIntervalsAndDrawsArrows) {
  const clipped_interval c = clip_interval(-3.0, 0.5, -1.0, 2.0);
  EXPECT_TRUE(c.visible);
  EXPECT_TRUE(c.cut_low);
  EXPECT_FALSE(c.cut_high);
  EXPECT_DOUBLE_EQ(c.a, -1.0);
  EXPECT_FALSE(clip_interval(3.0, 4.0, -1.0, 2.0).visible);
  scene s;
  draw_interval(s, 0, 100, 10, true, false, stroke{});
  ASSERT_EQ(s.items.size(), 2U);
  EXPECT_TRUE(std::holds_alternative<line_item>(s.items[0]));
  const auto& arrow = std::get<polygon_item>(s.items[1]);
  EXPECT_DOUBLE_EQ(arrow.points[0].x, 0.0);  // the tip sits on the axis limit
}

}  // namespace
}  // namespace metasift::plot
