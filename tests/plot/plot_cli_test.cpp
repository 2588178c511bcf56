// `metasift meta --forest/--funnel` end to end: the golden SVG of the seed's Figure 1, PDF and
// PNG output, extra columns and sorting, and the one-line errors with no file left behind.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "metasift/plot/text.hpp"
#include "plot_test_support.hpp"

namespace metasift::plot {
namespace {

using namespace test;

const std::string fig1_args =
    "meta " + fig1_csv + " --measure MD --method REML --convention stata --group-names \"" + group_names + "\"";

// Golden SVG of the seed's Figure 1, compared byte for byte: any change to layout, number
// formatting, fonts or the SVG writer fails here, on purpose.
//
// To change it deliberately:
//   1. METASIFT_UPDATE_GOLDEN=1 ctest --test-dir build -R PlotCli.Figure1SvgMatchesTheGolden
//      (rewrites tests/plot/golden/seed_figure1_forest.svg and still fails, so that it is never
//      accepted silently);
//   2. look at it: rsvg-convert -d 150 -p 150 tests/plot/golden/seed_figure1_forest.svg > /tmp/g.png
//      (librsvg2-bin; or open it in a browser), compare with docs/images/seed-figure1-forest.png;
//   3. review `git diff tests/plot/golden/` and commit it with the change that caused it.
// The measurements come from DejaVu Sans 2.37 and Noto Sans CJK as Debian 12 ships them; other
// font versions move text by fractions of a point and need a regenerated golden.
TEST(PlotCli, Figure1SvgMatchesTheGolden) {
  const fs::path d = temp_dir("golden");
  const run_result r = metasift(fig1_args + " --forest " + (d / "fig1.svg").string(), d);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string svg = slurp(d / "fig1.svg");
  const fs::path golden = fs::path(METASIFT_PLOT_GOLDEN_DIR) / "seed_figure1_forest.svg";
  if (std::getenv("METASIFT_UPDATE_GOLDEN") != nullptr) {
    fs::copy_file(d / "fig1.svg", golden, fs::copy_options::overwrite_existing);
    FAIL() << "golden rewritten: " << golden << " -- render it, look at it and review the diff before committing";
  }
  ASSERT_TRUE(fs::exists(golden)) << golden;
  const std::string expected = slurp(golden);
  if (svg != expected) {
    std::size_t at = 0;
    while (at < svg.size() && at < expected.size() && svg[at] == expected[at]) ++at;
    FAIL() << "SVG differs from " << golden << " at byte " << at << ":\n  got      ..."
           << svg.substr(at > 60 ? at - 60 : 0, 160) << "\n  expected ..."
           << expected.substr(at > 60 ? at - 60 : 0, 160);
  }
  // The text report on stdout is unchanged by the plot options.
  EXPECT_NE(r.out.find("0.74 [  0.33,  1.15]"), std::string::npos);
}

TEST(PlotCli, Figure1AsPdfAndPng) {
  const fs::path d = temp_dir("formats");
  const run_result r = metasift(
      fig1_args + " --forest " + (d / "fig1.pdf").string() + " --funnel " + (d / "funnel.png").string() + " --dpi 150",
      d);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(slurp(d / "fig1.pdf").rfind("%PDF-", 0), 0U);
  const std::string png = slurp(d / "funnel.png");
  EXPECT_EQ(png.substr(1, 3), "PNG");
  // Nothing else (no temporary files) is left in the folder.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(d)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"fig1.pdf", "funnel.png"}));
  if (!have_tool("pdftotext")) GTEST_SKIP() << "pdftotext not installed (poppler-utils): PDF text not checked";
  const run_result t = shell("pdftotext " + (d / "fig1.pdf").string() + " -", d);
  const std::string text = without_spaces(t.out);
  for (const char* s : {"0.74[0.33,1.15]", "99.09%", "109.64", "689.69", "3.57", "-0.20[-0.33,-0.07]", "10.06"}) {
    EXPECT_NE(text.find(s), std::string::npos) << s << "\n" << t.out;
  }
}

TEST(PlotCli, ExtraColumnsSortingAndOptions) {
  const fs::path d = temp_dir("columns");
  // Figure 1's data with two descriptor columns.
  const std::string csv =
      "study,n1,mean1,sd1,n2,mean2,sd2,year,country\n"
      "Kamenopoulos et al.,150,3.2,.4,120,2.5,.4,2013,Greece\n"
      "Mancheri et al.,120,2.8,.5,100,3,.5,2019,Japan\n"
      "Mejame et al.,90,3.5,.6,80,1.8,.3,2022,Australia\n"
      "\xE5\xBC\xA0\xE4\xB8\x89 et al.,100,2.9,.3,150,2.2,.4,2024,China\n";
  std::ofstream(d / "data.csv") << csv;
  const run_result r =
      metasift("meta " + (d / "data.csv").string() +
                   " --measure MD --forest-columns year,country --sort year --prediction --pooled-line"
                   " --title \"Rare earth mining\" --xlabel \"Mean difference\" --forest " +
                   (d / "f.svg").string() + " --funnel " + (d / "fu.svg").string() + " --funnel-contours",
               d);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string svg = slurp(d / "f.svg");
  for (const char* s : {"year", "country", "2013", "Australia", "Rare earth mining", "Mean difference",
                        "Prediction interval", "\xE5\xBC\xA0\xE4\xB8\x89 et al."}) {
    EXPECT_TRUE(svg_has_text(svg, s)) << s;
  }
  // Sorted by year: Kamenopoulos (2013) before Mancheri (2019) before Mejame (2022) before 张三 (2024).
  const auto k = svg.find(">Kamenopoulos"), m = svg.find(">Mancheri"), j = svg.find(">Mejame"),
             z = svg.find(">\xE5\xBC\xA0\xE4\xB8\x89");
  EXPECT_TRUE(k < m && m < j && j < z);
  // Text columns are left-aligned, numbers right-aligned.
  EXPECT_NE(svg.find("text-anchor=\"end\">2013<"), std::string::npos);
  EXPECT_EQ(svg.find("text-anchor=\"end\">Greece<"), std::string::npos);
  EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos);  // --pooled-line
  const std::string funnel = slurp(d / "fu.svg");
  EXPECT_TRUE(svg_has_text(funnel, "p < 0.01"));
  EXPECT_TRUE(svg_has_text(funnel, "Rare earth mining"));
}

TEST(PlotCli, RatioMeasureForestAndFunnel) {
  const fs::path d = temp_dir("ratio");
  const run_result r = metasift(
      "meta " + bcg_csv + " --measure OR --forest " + (d / "f.svg").string() + " --funnel " + (d / "fu.svg").string(),
      d);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(svg_has_text(slurp(d / "f.svg"), "Odds ratio"));
  EXPECT_TRUE(svg_has_text(slurp(d / "f.svg"), "Events"));
  EXPECT_TRUE(svg_has_text(slurp(d / "fu.svg"), "Odds ratio (log scale)"));
}

/// Runs a failing command and checks its exit code, a one-line message and an empty folder.
void expect_failure(const std::string& args, int code, const std::vector<std::string>& in_message) {
  const fs::path d = temp_dir("fail");
  const fs::path out = d / "out";
  fs::create_directories(out);
  std::string a = args;
  for (std::size_t p = a.find("@OUT@"); p != std::string::npos; p = a.find("@OUT@")) a.replace(p, 5, out.string());
  const run_result r = metasift(a, d);
  EXPECT_EQ(r.code, code) << args << "\n" << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.rfind("metasift: ", 0), 0U) << r.err;
  for (const auto& s : in_message) EXPECT_NE(r.err.find(s), std::string::npos) << s << " not in: " << r.err;
  EXPECT_TRUE(fs::is_empty(out)) << "files left behind by: " << args;
  EXPECT_TRUE(r.out.empty()) << r.out;  // no report either: the run failed
}

TEST(PlotCli, BadInputGivesOneLineErrorsAndNoFiles) {
  expect_failure(fig1_args + " --forest @OUT@/f.jpg", 2, {"--forest", "unknown plot format '.jpg'"});
  expect_failure(fig1_args + " --funnel @OUT@/f", 2, {"--funnel", "unknown plot format"});
  expect_failure(fig1_args + " --forest @OUT@/missing/f.svg", 4, {"cannot write", "missing/f.svg"});
  expect_failure(fig1_args + " --forest @OUT@/f.svg --forest-columns year", 3,
                 {"fig1.csv", "'year'", "--forest-columns"});
  expect_failure(fig1_args + " --forest @OUT@/f.svg --sort country", 3, {"fig1.csv", "'country'"});
  expect_failure(fig1_args + " --forest @OUT@/f.png --dpi 5", 2, {"--dpi"});
  expect_failure(fig1_args + " --forest @OUT@/f.svg --xlim 2,1", 2, {"--xlim"});
  // Both plots are laid out before either is written: a bad column leaves no funnel either.
  expect_failure(fig1_args + " --funnel @OUT@/u.svg --forest @OUT@/f.svg --forest-columns nope", 3, {"'nope'"});
}

// Hostile study labels: 2,000 characters, a noncharacter (U+FFFF), invalid UTF-8 cannot reach a
// plot (the table reader refuses it), and bidi overrides. Every format must be written, and what
// is drawn must be the cleaned text.
TEST(PlotCli, HostileLabelsAreDrawnCleanedInEveryFormat) {
  const fs::path d = temp_dir("hostile_labels");
  const std::string long_label(2000, 'A');
  std::ofstream(d / "lab.csv", std::ios::binary) << ("study,yi,vi\n" + long_label +
                                                     ",0.1,0.01\nB\xEF\xBF\xBFx,0.2,0.02\n"
                                                     "\xE2\x80\xAE"
                                                     "evil\xE2\x80\xAC label \xE2\x81\xA7iso\xE2\x81\xA9,0.3,0.01\n");
  for (const std::string ext : {"svg", "pdf", "png"}) {
    const run_result r = metasift("meta " + (d / "lab.csv").string() + " --forest " + (d / ("f." + ext)).string(), d);
    SCOPED_TRACE(ext);
    EXPECT_EQ(r.code, 0) << r.err;
    ASSERT_TRUE(fs::exists(d / ("f." + ext)));
    EXPECT_GT(fs::file_size(d / ("f." + ext)), 1000U);
  }
  const std::string svg = slurp(d / "f.svg");
  // 200 code points, then an ellipsis; the 201st 'A' is never drawn.
  EXPECT_NE(svg.find(std::string(200, 'A') + "\xE2\x80\xA6"), std::string::npos);
  EXPECT_EQ(svg.find(std::string(201, 'A')), std::string::npos);
  EXPECT_NE(svg.find("B\xEF\xBF\xBDx"), std::string::npos);  // U+FFFF drawn as U+FFFD
  EXPECT_EQ(svg.find("\xEF\xBF\xBF"), std::string::npos);
  EXPECT_NE(svg.find("evil label iso"), std::string::npos);  // bidi controls removed
  for (const char* bidi : {"\xE2\x80\xAE", "\xE2\x80\xAC", "\xE2\x81\xA7", "\xE2\x81\xA9"}) {
    EXPECT_EQ(svg.find(bidi), std::string::npos) << bidi;
  }
}

TEST(PlotText, DisplayTextCleansAndShortens) {
  EXPECT_EQ(display_text("plain"), "plain");
  EXPECT_EQ(display_text("a\xFF"
                         "b"),
            "a\xEF\xBF\xBD"
            "b");  // invalid byte
  // A surrogate: ED is followed by A0, outside ED's second-byte range 80..9F, so each of the three
  // bytes is a maximal subpart of its own and becomes one U+FFFD (Unicode 15 section 3.9, as
  // browsers decode it).
  EXPECT_EQ(display_text("a\xED\xA0\x80"
                         "b"),
            "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(display_text("\xEF\xB7\x90"), "\xEF\xBF\xBD");      // U+FDD0
  EXPECT_EQ(display_text("\xF0\x9F\xBF\xBE"), "\xEF\xBF\xBD");  // U+1FFFE
  EXPECT_EQ(display_text("x\ty"), "x\xEF\xBF\xBDy");            // control
  EXPECT_EQ(display_text("\xE2\x80\xAB"
                         "ab\xE2\x80\xAC"),
            "ab");                                                    // RLE .. PDF
  EXPECT_EQ(display_text("\xC3\xA9t\xC3\xA9"), "\xC3\xA9t\xC3\xA9");  // kept
  const std::string cut = display_text(std::string(500, 'z'));
  EXPECT_EQ(cut, std::string(200, 'z') + "\xE2\x80\xA6");
  EXPECT_EQ(display_text(cut), cut);  // idempotent: measuring and drawing agree
  EXPECT_EQ(display_text(std::string(200, 'z')), std::string(200, 'z'));
}

}  // namespace
}  // namespace metasift::plot
