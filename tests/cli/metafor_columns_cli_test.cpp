// metafor's argument names read as column names without --col: each committed data set is
// rewritten (by this test) with metafor's names (ai bi ci di, n1i m1i sd1i, ri ni, xi ni,
// x1i t1i x2i t2i, yi sei) and `metasift meta` must reproduce the metafor reference values of the
// original data set (tests/reference/metafor_<dataset>.csv, tools/reference/generate.R) and say in
// the conventions which columns it read.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli.hpp"
#include "support/reference.hpp"

namespace {

namespace fs = std::filesystem;
using metasift::test::cli_result;
using metasift::test::run_metasift;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string l; std::getline(ss, l);) out.push_back(l);
  return out;
}

/// The numeric fields after the (possibly quoted) study label.
std::vector<double> numbers_after_label(const std::string& row, std::string& label) {
  std::size_t pos = 0;
  if (row[0] == '"') {
    pos = row.find('"', 1) + 1;
  } else {
    pos = row.find(',');
  }
  label = row.substr(0, pos);
  std::vector<double> out;
  std::stringstream ss(row.substr(pos + 1));
  for (std::string f; std::getline(ss, f, ',');) out.push_back(std::stod(f));
  return out;
}

fs::path write_renamed(const std::string& dataset, const std::string& header, bool four_cell) {
  const std::string original = metasift::test::slurp_file(std::string(METASIFT_TEST_DATA_DIR) + "/" + dataset + ".csv");
  const auto lines = lines_of(original);
  std::string out = header + "\n";
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (!four_cell) {  // same rows, metafor's names in the header
      out += lines[i] + "\n";
      continue;
    }
    std::string label;
    const auto v = numbers_after_label(lines[i], label);  // events1, n1, events2, n2
    std::ostringstream row;
    row << label << ',' << v[0] << ',' << v[1] - v[0] << ',' << v[2] << ',' << v[3] - v[2];
    out += row.str() + "\n";
  }
  const fs::path dir = metasift::test::scratch_folder("metafor_columns");
  const fs::path p = dir.parent_path() / (dataset + (four_cell ? "_cells" : "_metafor") + ".csv");
  std::ofstream(p, std::ios::binary) << out;
  return p;
}

struct alias_case {
  std::string dataset, measure, variant, header, read;
  bool four_cell;
};

TEST(MetaforColumns, EveryFamilyReadsMetaforsNamesAndReproducesItsNumbers) {
  const std::vector<alias_case> cases{
      {"bcg", "RR", "default", "study,ai,bi,ci,di",
       "columns read: events1 = ai, n1 = ai + bi, events2 = ci, n2 = ci + di", true},
      {"bcg", "OR", "default", "study,ai,n1i,ci,n2i", "columns read: events1 = ai, n1 = n1i, events2 = ci, n2 = n2i",
       false},
      {"normand1999", "SMD", "LS", "study,n1i,m1i,sd1i,n2i,m2i,sd2i",
       "columns read: n1 = n1i, mean1 = m1i, sd1 = sd1i, n2 = n2i, mean2 = m2i, sd2 = sd2i", false},
      {"molloy2014", "ZCOR", "default", "study,ri,ni", "columns read: r = ri, n = ni", false},
      {"pritz1997", "PLO", "default", "study,xi,ni", "columns read: events = xi, n = ni", false},
      {"hart1999", "IRR", "default", "study,x1i,t1i,x2i,t2i",
       "columns read: events1 = x1i, time1 = t1i, events2 = x2i, time2 = t2i", false},
      {"hackshaw1998", "GEN", "default", "study,yi,vi", "columns read: yi, vi", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.dataset + " " + c.measure + " " + c.header);
    const fs::path file = write_renamed(c.dataset, c.header, c.four_cell);
    const auto refs =
        metasift::test::read_reference(std::string(METASIFT_REFERENCE_DIR) + "/metafor_" + c.dataset + ".csv");
    for (const char* method_name : {"DL", "MH"}) {
      const std::string method = method_name;
      if (method == "MH" && c.measure != "RR" && c.measure != "OR") continue;
      const std::string key = c.measure + "|" + method + "|z|" + (method == "MH" ? "default" : c.variant) + "|default";
      const metasift::test::reference_case* ref = nullptr;
      for (const auto& r : refs) {
        if (r.key == key) ref = &r;
      }
      ASSERT_NE(ref, nullptr) << key;
      const cli_result r =
          run_metasift("meta " + file.string() + " --measure " + c.measure + " --method " + method + " --format json");
      ASSERT_EQ(r.code, 0) << r.err;
      const auto j = nlohmann::json::parse(r.out);
      EXPECT_EQ(j["k"].get<double>(), ref->at("k")) << key;
      for (const char* stat : {"estimate", "se", "ci_lower", "ci_upper"}) {
        const double ours = j["pooled"][stat].get<double>(), theirs = ref->at(stat);
        EXPECT_NEAR(ours, theirs, 1e-9 * std::max(1.0, std::abs(theirs))) << key << " " << stat;
      }
      EXPECT_NEAR(j["heterogeneity"]["Q"].get<double>(), ref->at("Q"), 1e-9 * std::max(1.0, ref->at("Q"))) << key;
      bool said = false;
      for (const auto& conv : j["conventions"]) said = said || conv.get<std::string>() == c.read;
      EXPECT_TRUE(said) << j["conventions"].dump();
    }
  }
}

TEST(MetaforColumns, CanonicalNamesWinAndAnExplicitRemapIsNotSecondGuessed) {
  const fs::path dir = metasift::test::scratch_folder("metafor_columns_priority");
  const fs::path p = dir / "both.csv";
  // A table with both our name (events1) and metafor's (ai): ours is read.
  std::ofstream(p, std::ios::binary) << "study,events1,n1,events2,n2,ai\nA,4,123,11,139,99\nB,6,306,29,303,99\n";
  const cli_result r = run_metasift("meta " + p.string() + " --measure OR --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["studies"][0]["yi"].get<double>(), std::log((4.0 * 128.0) / (119.0 * 11.0)), 1e-12);
  // --col events1=X with no X column is an error, even though 'ai' exists.
  const cli_result bad = run_metasift("meta " + p.string() + " --measure OR --col events1=X");
  EXPECT_EQ(bad.code, 3);
  EXPECT_NE(bad.err.find("missing column 'X'"), std::string::npos) << bad.err;
}

}  // namespace

namespace {

// GEN input given as 95% CIs: --level changes only the output level, --input-level the level the
// CIs are read at. hackshaw1998's yi/vi rewritten as yi, ci_lower, ci_upper (95%) must give
// metafor's DL fit of the original yi/vi (tests/reference/metafor_hackshaw1998.csv) at --level 90.
TEST(MetaforColumns, InputCiLevelIsItsOwnSetting) {
  const auto lines = lines_of(metasift::test::slurp_file(std::string(METASIFT_TEST_DATA_DIR) + "/hackshaw1998.csv"));
  const double z95 = 1.959963984540054, z90 = 1.6448536269514722;
  std::ostringstream at95, at90;
  at95.precision(17);
  at90.precision(17);
  at95 << "study,yi,ci_lower,ci_upper\n";
  at90 << "study,yi,ci_lower,ci_upper\n";
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string label;
    const auto v = numbers_after_label(lines[i], label);  // yi, vi
    const double s = std::sqrt(v[1]);
    at95 << label << ',' << v[0] << ',' << v[0] - z95 * s << ',' << v[0] + z95 * s << '\n';
    at90 << label << ',' << v[0] << ',' << v[0] - z90 * s << ',' << v[0] + z90 * s << '\n';
  }
  const fs::path dir = metasift::test::scratch_folder("input_level");
  std::ofstream(dir / "ci95.csv", std::ios::binary) << at95.str();
  std::ofstream(dir / "ci90.csv", std::ios::binary) << at90.str();
  const auto refs = metasift::test::read_reference(std::string(METASIFT_REFERENCE_DIR) + "/metafor_hackshaw1998.csv");
  const metasift::test::reference_case* ref = nullptr;
  for (const auto& r : refs) {
    if (r.key == "GEN|DL|z|default|default") ref = &r;
  }
  ASSERT_NE(ref, nullptr);
  for (const std::string& args :
       {(dir / "ci95.csv").string() + " --level 90", (dir / "ci90.csv").string() + " --level 90 --input-level 90"}) {
    SCOPED_TRACE(args);
    const cli_result r = run_metasift("meta " + args + " --method DL --format json");
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    const double est = ref->at("estimate"), se = ref->at("se");
    EXPECT_NEAR(j["pooled"]["estimate"].get<double>(), est, 1e-9 * std::abs(est));
    EXPECT_NEAR(j["pooled"]["se"].get<double>(), se, 1e-9 * se);
    EXPECT_NEAR(j["heterogeneity"]["tau2"].get<double>(), ref->at("tau2"), 1e-9 * ref->at("tau2"));
    EXPECT_NEAR(j["pooled"]["ci_lower"].get<double>(), est - z90 * se, 1e-9);
    EXPECT_EQ(j["level"], 0.9);
  }
}

}  // namespace
