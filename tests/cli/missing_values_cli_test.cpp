// Missing values as docs/bad-input.md promises: a blank, NA or . cell in a column the analysis
// needs excludes that study with a warning naming the study and the column, and every output
// format lists it with its reason, in meta and in every analysis subcommand. The numbers must be
// those of the same analysis on the table without the excluded rows.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli.hpp"

namespace {

namespace fs = std::filesystem;
using metasift::test::cli_result;
using metasift::test::run_metasift;

struct study {
  std::string label, yi, vi, x;
};

/// A GEN table whose rows B, C and F carry a missing marker (blank, NA, .) in yi, vi and x.
std::vector<study> with_missing() {
  return {{"A", "0.10", "0.010", "1"}, {"B", "NA", "0.020", "2"},   {"C", "0.30", "", "3"},
          {"D", "0.25", "0.015", "4"}, {"E", "0.50", "0.030", "5"}, {"F", "0.40", "0.020", "."},
          {"G", "0.35", "0.025", "7"}, {"H", "0.05", "0.012", "8"}};
}

fs::path write_table(const std::string& name, const std::vector<study>& rows) {
  const fs::path dir = metasift::test::scratch_folder("missing_values");
  const fs::path p = dir.parent_path() / name;
  std::ofstream out(p, std::ios::binary);
  out << "study,yi,vi,x\n";
  for (const auto& s : rows) out << s.label << ',' << s.yi << ',' << s.vi << ',' << s.x << '\n';
  return p;
}

/// The rows left when every study with a missing cell in `columns` is removed by hand.
std::vector<study> without_missing(bool moderator_too) {
  std::vector<study> out;
  for (const auto& s : with_missing()) {
    auto missing = [](const std::string& c) { return c.empty() || c == "NA" || c == "."; };
    if (missing(s.yi) || missing(s.vi) || (moderator_too && missing(s.x))) continue;
    out.push_back(s);
  }
  return out;
}

struct subcommand {
  std::string args;  // after the file name
  bool moderator;    // the x column is used
};

const std::vector<subcommand> subcommands{{"meta", false},     {"regress", true},    {"bias", false},
                                          {"trimfill", false}, {"influence", false}, {"cumulative", false}};

std::string command_of(const subcommand& s, const fs::path& file, const std::string& format) {
  const std::string name = s.args;
  return name + " " + file.string() + (s.moderator ? " -m x" : "") + " --format " + format;
}

TEST(MissingValues, EverySubcommandExcludesTheStudyInEveryFormat) {
  const fs::path file = write_table("missing.csv", with_missing());
  const fs::path clean_mod = write_table("clean_mod.csv", without_missing(true));
  const fs::path clean = write_table("clean.csv", without_missing(false));
  for (const auto& sc : subcommands) {
    SCOPED_TRACE(sc.args);
    // JSON: excluded[] names the study, its row and the column.
    const cli_result j = run_metasift(command_of(sc, file, "json"));
    ASSERT_EQ(j.code, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    ASSERT_TRUE(doc.contains("excluded"));
    std::vector<std::string> expected{"B|2|'yi'", "C|3|'vi'"};
    if (sc.moderator) expected.push_back("F|6|'x'");
    ASSERT_EQ(doc["excluded"].size(), expected.size()) << doc["excluded"].dump();
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const auto& e = doc["excluded"][i];
      const std::string key = expected[i];
      EXPECT_EQ(e["study"], key.substr(0, 1));
      EXPECT_EQ(e["row"], std::stoi(key.substr(2, 1)));
      EXPECT_NE(e["reason"].get<std::string>().find(key.substr(4)), std::string::npos) << e.dump();
      EXPECT_NE(e["reason"].get<std::string>().find("missing value"), std::string::npos) << e.dump();
    }
    // The warning names the study and the column.
    const std::string warnings = doc.contains("warnings") ? doc["warnings"].dump() : j.out;
    EXPECT_NE(warnings.find("study 'B' excluded: missing value in column 'yi'"), std::string::npos) << warnings;
    EXPECT_NE(warnings.find("study 'C' excluded: missing value in column 'vi'"), std::string::npos) << warnings;

    // The analysis is that of the table without the excluded rows: same JSON apart from the
    // excluded list, the warnings about them and the file name.
    const cli_result c = run_metasift(command_of(sc, sc.moderator ? clean_mod : clean, "json"));
    ASSERT_EQ(c.code, 0) << c.err;
    auto strip = [](nlohmann::json d) {
      d.erase("excluded");
      d.erase("warnings");
      d.erase("data");
      if (d.contains("left_out")) d.erase("left_out");
      if (d.contains("cumulative")) {
        for (auto& s : d["cumulative"]) s.erase("row");  // data-file rows differ by construction
      }
      return d;
    };
    EXPECT_EQ(strip(doc).dump(), strip(nlohmann::json::parse(c.out)).dump());

    // Text: an "Excluded:" line per study, with its reason.
    const cli_result t = run_metasift(command_of(sc, file, "text"));
    ASSERT_EQ(t.code, 0) << t.err;
    EXPECT_NE(t.out.find("Excluded: B: missing value in column 'yi'"), std::string::npos) << t.out;
    EXPECT_NE(t.out.find("Excluded: C: missing value in column 'vi'"), std::string::npos) << t.out;
    if (sc.moderator) {
      EXPECT_NE(t.out.find("Excluded: F: missing value in moderator column 'x'"), std::string::npos);
    }

    // CSV: the header ends with "excluded"; each excluded study is a row ending with its reason.
    const cli_result v = run_metasift(command_of(sc, file, "csv"));
    ASSERT_EQ(v.code, 0) << v.err;
    const std::string header = v.out.substr(0, v.out.find('\n'));
    EXPECT_EQ(header.substr(header.size() - 9), ",excluded") << header;
    EXPECT_NE(v.out.find(",missing value in column 'yi'\n"), std::string::npos) << v.out;
    EXPECT_NE(v.out.find(",missing value in column 'vi'\n"), std::string::npos) << v.out;
    const bool long_format = sc.args == "bias";  // rows "test,stat,value": "excluded,B,,..."
    EXPECT_NE(v.out.find(long_format ? "\nexcluded,B," : "\nB,"), std::string::npos) << v.out;
  }
}

TEST(MissingValues, EveryMarkerIsMissingAndNaNIsStillAnError) {
  for (const std::string marker : {"", "NA", ".", "  NA  "}) {
    std::vector<study> rows = with_missing();
    rows[1].yi = marker;
    const fs::path file = write_table("marker.csv", rows);
    const cli_result r = run_metasift("meta " + file.string() + " --format json");
    ASSERT_EQ(r.code, 0) << "marker '" << marker << "': " << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["excluded"][0]["study"], "B");
  }
  std::vector<study> rows = with_missing();
  rows[1].yi = "NaN";
  const cli_result r = run_metasift("meta " + write_table("nan.csv", rows).string());
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.err.find("not a finite number"), std::string::npos) << r.err;
}

}  // namespace
