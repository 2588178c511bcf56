// The diagrams module: the PRISMA flow diagram and the robvis-style appraisal plots as plot
// scenes, written through the backends. The expected counts come from the screening fixture
// (15 records: 10 Scopus, 5 PubMed; 3 duplicates), as tests/review/screen_test.cpp derives them.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <variant>

#include "metasift/core/error.hpp"
#include "metasift/diagrams/appraisal.hpp"
#include "metasift/diagrams/prisma.hpp"
#include "metasift/review/review_file.hpp"
#include "metasift/review/screen.hpp"

namespace {

namespace fs = std::filesystem;
using namespace metasift;

const fs::path fixture = fs::path(METASIFT_REVIEW_FIXTURES) / "screening";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Every text drawn in the scene, joined by newlines.
std::string texts_of(const plot::scene& s) {
  std::string out;
  for (const auto& it : s.items) {
    if (const auto* t = std::get_if<plot::text_item>(&it)) out += plot::to_plain(t->runs) + "\n";
  }
  return out;
}

bool is(const plot::color& c, std::uint32_t hex) {
  const plot::color want = plot::rgb(hex);
  return c.r == want.r && c.g == want.g && c.b == want.b;
}

TEST(Diagrams, PrismaSceneHasTheCountsOfTheScreening) {
  const review::prisma_counts c = review::run_screening(review::load_review_file(fixture / "review.toml")).prisma;
  const plot::scene s = diagrams::prisma_scene(c);
  const std::string t = texts_of(s);
  for (const char* want :
       {"Databases (n = 15)", "Scopus (n = 10)", "PubMed (n = 5)", "Duplicate records removed (n = 3)",
        "Records screened (n = 7)", "Studies included in review (n = 2)"}) {
    EXPECT_NE(t.find(want), std::string::npos) << want << "\n" << t;
  }
  EXPECT_GT(s.width, 0.0);
  EXPECT_GT(s.height, 0.0);
}

TEST(Diagrams, PrismaWritesSvgAndRejectsOtherExtensions) {
  const review::prisma_counts c = review::run_screening(review::load_review_file(fixture / "review.toml")).prisma;
  const fs::path dir = fs::temp_directory_path() / ("metasift_diagrams_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  diagrams::write_prisma_diagram(c, dir / "prisma.SVG");
  EXPECT_NE(slurp(dir / "prisma.SVG").find("Records screened (n = 7)"), std::string::npos);
  EXPECT_THROW(diagrams::write_prisma_diagram(c, dir / "prisma.jpg"), usage_error);
  EXPECT_FALSE(fs::exists(dir / "prisma.jpg"));
  fs::remove_all(dir);
}

TEST(Diagrams, RobvisStylesByMeaningAndByRank) {
  // robvis (McGuinness & Higgins 2021): low green "+", some concerns yellow "-", high red, critical dark red.
  const std::vector<std::string> rob2{"low", "some-concerns", "high"};
  EXPECT_EQ(diagrams::style_of(rob2, "low").colour, 0x02C100U);
  EXPECT_EQ(diagrams::style_of(rob2, "low").symbol, "+");
  EXPECT_EQ(diagrams::style_of(rob2, "some-concerns").symbol, "-");
  EXPECT_EQ(diagrams::style_of(rob2, "high").colour, 0xBF0000U);
  EXPECT_EQ(diagrams::style_of({"low", "critical"}, "critical").symbol, "!");
  // A custom scale (NOS stars) by rank: least severe green, most severe red, between yellow.
  const std::vector<std::string> stars{"4", "3", "2", "1"};
  EXPECT_EQ(diagrams::style_of(stars, "4").symbol, "+");
  EXPECT_EQ(diagrams::style_of(stars, "2").symbol, "-");
  EXPECT_EQ(diagrams::style_of(stars, "1").colour, 0xBF0000U);
}

TEST(Diagrams, SummaryPlotHasOneBarPerDomainAndTheOverall) {
  const review::appraisal_tool* rob2 = review::find_appraisal_tool("rob2");
  ASSERT_NE(rob2, nullptr);
  review::appraisal_spec spec;
  spec.tool = *rob2;
  review::appraisal_check c;
  review::appraisal_unit a, b;
  a.record = "S1";
  b.record = "S2";
  for (const auto& d : rob2->domains) {
    a.domains[d.id] = "low";
    b.domains[d.id] = "high";
  }
  a.overall = "low";
  b.overall = "high";
  c.units = {a, b};
  const plot::scene s = diagrams::summary_scene(spec, c);
  const std::string t = texts_of(s);
  EXPECT_NE(t.find("Share of assessments (n = 2)"), std::string::npos) << t;
  EXPECT_NE(t.find("Overall"), std::string::npos);
  // Each bar is split half low (green) and half high (red): two boxes per domain and overall.
  std::size_t green = 0, red = 0;
  for (const auto& it : s.items) {
    if (const auto* r = std::get_if<plot::rect_item>(&it); r && r->fill) {
      if (is(*r->fill, 0x02C100)) ++green;
      if (is(*r->fill, 0xBF0000)) ++red;
    }
  }
  // The legend adds one swatch per judgement of the scale.
  EXPECT_EQ(green, rob2->domains.size() + 2);
  EXPECT_EQ(red, rob2->domains.size() + 2);
  const plot::scene tl = diagrams::traffic_light_scene(spec, c);
  EXPECT_NE(texts_of(tl).find("S2"), std::string::npos);
}

}  // namespace
