// `metasift swim` end to end: its JSON equals R on the reference table, every format prints the
// sidedness of every p-value, and bad input is a one-line error at file:line:col with exit code 3.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "r_swim_reference.hpp"
#include "support/cli.hpp"
#include "support/tolerance.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using metasift::test::cli_result;
using metasift::test::r_reference;
using metasift::test::run_metasift;

const std::string domains_csv = std::string(METASIFT_TEST_DATA_DIR) + "/swim_domains.csv";

double value(const json& j) {
  return j.is_null() ? std::nan("") : j.get<double>();
}

std::string write(const fs::path& dir, const std::string& name, const std::string& body) {
  const fs::path p = dir / name;
  std::ofstream(p, std::ios::binary) << body;
  return p.string();
}

TEST(SwimCli, JsonEqualsRForEveryDomain) {
  const cli_result r = run_metasift("swim " + domains_csv + " --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  std::size_t checked = 0;
  for (const auto& c : metasift::test::read_cases()) {
    if (c.method != "domain") continue;
    SCOPED_TRACE(c.name);
    const json* d = nullptr;
    for (const auto& x : j.at("domains")) {
      if (x.at("domain") == c.name) d = &x;
    }
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->at("k").get<double>(), c.at("k"));
    EXPECT_EQ(d->at("counts").at("benefit").get<double>(), c.at("benefit"));
    EXPECT_EQ(d->at("counts").at("harm").get<double>(), c.at("harm"));
    EXPECT_WITHIN(value(d->at("vote_count").at("proportion")), c.at("vote_proportion"), r_reference);
    EXPECT_WITHIN(value(d->at("vote_count").at("ci_lower")), c.at("vote_ci_lower"), r_reference);
    EXPECT_WITHIN(value(d->at("vote_count").at("ci_upper")), c.at("vote_ci_upper"), r_reference);
    EXPECT_WITHIN(value(d->at("vote_count").at("sign_test_p")), c.at("sign_test_p"), r_reference);
    EXPECT_WITHIN(value(d->at("effects").at("median")), c.at("median"), r_reference);
    EXPECT_WITHIN(value(d->at("effects").at("iqr")), c.at("iqr"), r_reference);
    EXPECT_WITHIN(value(d->at("fisher").at("chi2")), c.at("fisher_chisq"), r_reference);
    EXPECT_WITHIN(value(d->at("fisher").at("p")), c.at("fisher_p"), r_reference);
    EXPECT_WITHIN(value(d->at("fisher_two_sided").at("p")), c.at("fisher_two_sided_p"), r_reference);
    EXPECT_WITHIN(value(d->at("stouffer").at("z")), c.at("stouffer_z"), r_reference);
    EXPECT_WITHIN(value(d->at("stouffer").at("p")), c.at("stouffer_p"), r_reference);
    EXPECT_WITHIN(value(d->at("stouffer_weighted").at("p")), c.at("stouffer_weighted_p"), r_reference);
    ++checked;
  }
  EXPECT_EQ(checked, j.at("domains").size());
  // Every row of the table is in the output, once.
  std::size_t rows = 0;
  for (const auto& d : j.at("domains")) rows += d.at("studies").size();
  EXPECT_EQ(rows, 70U);
}

TEST(SwimCli, EveryFormatStatesWhichPValuesAreOneSided) {
  const cli_result text = run_metasift("swim " + domains_csv);
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("Fisher, one-sided p toward benefit"), std::string::npos);
  EXPECT_NE(text.out.find("Fisher, two-sided p as given"), std::string::npos);
  EXPECT_NE(text.out.find("Sign test (two-sided"), std::string::npos);
  EXPECT_NE(text.out.find("p/2 for benefit and 1 - p/2 for harm"), std::string::npos);
  EXPECT_EQ(text.out.find("nan"), std::string::npos);
  const json j = json::parse(run_metasift("swim " + domains_csv + " --format json").out);
  const json& d = j.at("domains").at(0);
  EXPECT_EQ(d.at("fisher").at("input_p"), "one-sided, toward benefit (p/2 for benefit, 1 - p/2 for harm)");
  EXPECT_EQ(d.at("fisher_two_sided").at("input_p"), "two-sided, as given");
  EXPECT_EQ(d.at("vote_count").at("sign_test_sides"), "two-sided");
  const cli_result csv = run_metasift("swim " + domains_csv + " --format CSV");
  ASSERT_EQ(csv.code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("domain,k,benefit,harm,no_clear_effect,mixed,", 0), 0U);
  EXPECT_NE(csv.out.find("fisher_one_sided_p"), std::string::npos);
  EXPECT_NE(csv.out.find("sign_test_p_two_sided"), std::string::npos);
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 10);  // header + 9 domains
}

TEST(SwimCli, ByColumnLevelAndOut) {
  const auto dir = metasift::test::scratch_folder("swim_by");
  const std::string in = write(dir, "themes.csv",
                               "study,theme,direction,n,p\nA,econ,benefit,10,0.02\nB,econ,harm,20,0.5\n"
                               "C,env,\xE2\x96\xB2,30,0.01\n");
  const cli_result r =
      run_metasift("swim " + in + " --by theme --level 90 --format json --out " + (dir / "out.json").string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  const json j = json::parse(metasift::test::slurp_file(dir / "out.json"));
  EXPECT_EQ(j.at("level"), 0.9);
  EXPECT_EQ(j.at("columns").at("domain"), "theme");
  EXPECT_TRUE(j.at("columns").at("effect").is_null());
  ASSERT_EQ(j.at("domains").size(), 2U);
  EXPECT_EQ(j.at("domains").at(1).at("studies").at(0).at("direction"), "benefit");
  // 1 of 2 benefit at 90%: R binom.test(1, 2, conf.level = 0.9)$conf.int = [0.02532057, 0.97467943].
  EXPECT_NEAR(j.at("domains").at(0).at("vote_count").at("ci_lower").get<double>(), 0.025320565519103604, 1e-12);
  const cli_result missing = run_metasift("swim " + in);
  EXPECT_EQ(missing.code, 3);
  EXPECT_NE(missing.err.find("missing column 'outcome_domain'"), std::string::npos) << missing.err;
  EXPECT_EQ(run_metasift("swim " + in + " --by theme --level 2").code, 2);
  EXPECT_EQ(run_metasift("swim " + in + " --by theme --format xml").code, 2);
  EXPECT_EQ(run_metasift("swim " + in + " --by theme --col colour=x").code, 2);
  // The output policy: never over the input.
  const cli_result over = run_metasift("swim " + in + " --by theme --out " + in);
  EXPECT_NE(over.code, 0);
  EXPECT_EQ(metasift::test::slurp_file(in).rfind("study,theme", 0), 0U);
}

TEST(SwimCli, BadInputIsOneLineAtFileLineColumn) {
  const auto dir = metasift::test::scratch_folder("swim_bad");
  struct bad_case {
    std::string body, expected;
  };
  const std::string head = "study,outcome_domain,direction,n,p\n";
  const bad_case cases[] = {
      {head + "A,x,benefit,10,0.2\nB,x,improved,10,0.2\n",
       "bad.csv:3:5: column 'direction': unknown direction 'improved'"},
      {head + "A,x,harm,10,0\n", "bad.csv:2:13: column 'p': a two-sided p-value must lie in (0, 1], got 0"},
      {head + "A,x,harm,10,1.01\n", "bad.csv:2:13: column 'p': a two-sided p-value must lie in (0, 1], got 1.01"},
      {head + "A,x,harm,many,0.2\n", "bad.csv:2:10: column 'n'"},
      {head + "A,x,mixed,10,0.2\nA,x,harm,10,0.3\n", "bad.csv:3:1: column 'study': study 'A' has a second row"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    const std::string in = write(dir, "bad.csv", c.body);
    const cli_result r = run_metasift("swim bad.csv", dir);
    EXPECT_EQ(r.code, 3);
    EXPECT_EQ(r.err.rfind("metasift: " + c.expected, 0), 0U) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

}  // namespace
