// The JSON shape of `meta`, `regress` and `batch --format json` is the schema in docs/output.md:
// this test reads the key tables of that document and checks, for several data sets and options of
// each subcommand, that every object of the output has exactly the documented keys -- none missing
// (a statistic that does not apply is null) and none undocumented. Each documented object must be
// seen non-null in at least one run, so no table of the document goes unchecked.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli.hpp"

namespace {

using metasift::test::cli_result;
using metasift::test::run_metasift;
using json = nlohmann::json;

const std::string source = METASIFT_SOURCE_DIR;
const std::string data = std::string(METASIFT_TEST_DATA_DIR);

/// subcommand -> object path ("" for the top level) -> documented keys.
using schema = std::map<std::string, std::map<std::string, std::set<std::string>>>;

/// Parses the "## json" section of docs/output.md: headings "#### SUB: `PATH`" (or "#### SUB: top
/// level") followed by a table whose first column is a key in backticks.
schema read_schema() {
  std::ifstream in(source + "/docs/output.md");
  EXPECT_TRUE(in.good()) << "cannot open docs/output.md";
  schema s;
  std::string line, sub, path;
  bool in_json = false, in_table = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) {
      in_json = line == "## json";
      sub.clear();
      continue;
    }
    if (!in_json) continue;
    if (line.rfind("#### ", 0) == 0) {
      const std::string h = line.substr(5);
      const auto colon = h.find(':');
      sub = h.substr(0, colon);
      const std::string rest = h.substr(colon + 1);
      const auto b = rest.find('`');
      path = b == std::string::npos ? "" : rest.substr(b + 1, rest.find('`', b + 1) - b - 1);
      s[sub][path];  // an object with no keys would still be listed
      in_table = false;
      continue;
    }
    if (sub.empty()) continue;
    if (line.rfind("| key |", 0) == 0) {
      in_table = true;
      continue;
    }
    if (!in_table || line.rfind("|---", 0) == 0) continue;
    if (line.rfind("| `", 0) != 0) {
      in_table = false;
      continue;
    }
    const auto b = line.find('`');
    s[sub][path].insert(line.substr(b + 1, line.find('`', b + 1) - b - 1));
  }
  return s;
}

std::set<std::string> keys_of(const json& o) {
  std::set<std::string> k;
  for (auto it = o.begin(); it != o.end(); ++it) k.insert(it.key());
  return k;
}

/// Every object of `doc` at the documented paths: path "a[].b" is member b of every element of a.
void collect(const json& node, const std::string& path, std::map<std::string, std::vector<json>>& out) {
  if (!node.is_object()) return;
  out[path].push_back(node);
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string child = path.empty() ? it.key() : path + "." + it.key();
    if (it->is_object()) {
      collect(*it, child, out);
    } else if (it->is_array()) {
      for (const auto& e : *it) collect(e, child + "[]", out);
    }
  }
}

class JsonSchema : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { doc_ = new schema(read_schema()); }
  static void TearDownTestSuite() {
    delete doc_;
    doc_ = nullptr;
  }

  /// Checks one JSON document of `sub` against the schema; records which paths were seen.
  void check(const std::string& sub, const json& j, const std::string& what) {
    SCOPED_TRACE(sub + " " + what);
    const auto& objects = doc_->at(sub);
    std::map<std::string, std::vector<json>> found;
    collect(j, "", found);
    for (const auto& [path, list] : found) {
      // Objects inside documented objects that are values, not records (e.g. a "back_transformed"
      // of a path the schema lists) must be documented too: every object path is checked.
      const auto it = objects.find(path);
      ASSERT_NE(it, objects.end()) << "object '" << path << "' is not documented in docs/output.md";
      for (const auto& o : list) EXPECT_EQ(keys_of(o), it->second) << "keys of '" << path << "'";
      seen_[sub].insert(path);
    }
  }

  void check_all_seen(const std::string& sub) {
    for (const auto& [path, keys] : doc_->at(sub)) {
      EXPECT_TRUE(seen_[sub].count(path)) << sub << ": documented object '" << path << "' never seen non-null";
    }
  }

  static schema* doc_;
  std::map<std::string, std::set<std::string>> seen_;
};

schema* JsonSchema::doc_ = nullptr;

TEST_F(JsonSchema, DocumentListsTheThreeSubcommands) {
  ASSERT_EQ(doc_->count("meta"), 1u);
  ASSERT_EQ(doc_->count("regress"), 1u);
  ASSERT_EQ(doc_->count("batch"), 1u);
  // Spot checks that the parser read the tables (the keys the issue names).
  EXPECT_TRUE(doc_->at("meta").at("pooled").count("z"));
  EXPECT_TRUE(doc_->at("meta").at("pooled").count("t"));
  EXPECT_TRUE(doc_->at("meta").at("heterogeneity").count("I2_ci"));
  EXPECT_TRUE(doc_->at("meta").at("pooled.back_transformed").count("pi_upper"));
  EXPECT_TRUE(doc_->at("batch").at("").count("back_transformed"));
}

TEST_F(JsonSchema, MetaHasTheDocumentedKeysInEveryMode) {
  const std::vector<std::string> runs{
      data + "/bcg.csv --measure RR",                                                 // ratio, REML, z
      data + "/bcg.csv --measure OR --method DL --test knha",                         // t-based
      data + "/bcg.csv --measure OR --method MH",                                     // MH
      data + "/mhzero_botharms.csv --measure OR --method PETO",                       // null study rows
      data + "/normand1999.csv --measure MD --method EE",                             // identity, EE: no tau2 CI
      data + "/normand1999.csv --measure SMD --tau2 0.1",                             // fixed tau2
      data + "/hart1999.csv --measure IRR --test t --no-tau2-ci",                     // t without adjustment
      data + "/options_bcg.csv --measure RR --subgroup alloc",                        // subgroups
      data + "/options_bcg.csv --measure RR --subset 'year>=1950' --weights n",       // subset, weights
      data + "/options_homog.csv --test adhoc --pi-method t_k2",                      // GEN
      data + "/regression/molloy2014_mods.csv --measure ZCOR --col ri=r --col ni=n",  // tanh
  };
  for (const auto& args : runs) {
    const cli_result r = run_metasift("meta " + args + " --format json");
    ASSERT_EQ(r.code, 0) << args << "\n" << r.err;
    check("meta", json::parse(r.out), args);
  }
  check_all_seen("meta");
}

TEST_F(JsonSchema, RegressHasTheDocumentedKeysInEveryMode) {
  // A study with a missing moderator, so that excluded[] has an element.
  const auto dir = metasift::test::scratch_folder("json_schema");
  const std::string gaps = (dir / "gaps.csv").string();
  {
    std::ofstream out(gaps);
    out << "study,yi,vi,x\nA,0.1,0.02,1\nB,0.3,0.03,NA\nC,0.2,0.01,3\nD,0.5,0.04,4\nE,0.4,0.02,5\n";
  }
  const std::vector<std::string> runs{
      gaps + " -m x",
      data + "/options_bcg.csv --measure RR -m ablat",
      data + "/options_bcg.csv --measure RR -m alloc --test t",
      data + "/options_bcg.csv --measure RR -m ablat --method EE --test knha --subset 'alloc!=\"systematic\"'",
      data + "/options_bcg.csv --measure RR -m ablat --permutations 50 --seed 1",
      data + "/options_homog.csv -m year --test adhoc",
      data + "/regression/molloy2014_mods.csv --measure ZCOR --col ri=r --col ni=n -m meanage",
  };
  for (const auto& args : runs) {
    const cli_result r = run_metasift("regress " + args + " --format json");
    ASSERT_EQ(r.code, 0) << args << "\n" << r.err;
    check("regress", json::parse(r.out), args);
  }
  check_all_seen("regress");
}

TEST_F(JsonSchema, BatchHasTheDocumentedKeysInEveryMode) {
  const std::vector<std::string> runs{
      data + "/batch_long.csv --group group",  // GEN fast path, k = 1..15
      data + "/batch_long.csv --group group --test knha --method DL",
      data + "/batch_2x2.csv --group group --measure OR",         // general path, ratio
      data + "/batch_2x2.csv --measure RR --method EE --test t",  // no --group
      data + "/batch_2x2.csv --group group --measure OR --method MH",
  };
  for (const auto& args : runs) {
    const cli_result r = run_metasift("batch " + args + " --format json -q");
    ASSERT_EQ(r.code, 0) << args << "\n" << r.err;
    std::istringstream lines(r.out);
    std::size_t n = 0;
    for (std::string line; std::getline(lines, line); ++n) check("batch", json::parse(line), args);
    EXPECT_GT(n, 0u) << args;
  }
  check_all_seen("batch");
}

}  // namespace
