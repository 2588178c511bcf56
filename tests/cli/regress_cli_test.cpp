// End-to-end tests of `metasift regress` and `metasift meta --subgroup`: the binary is run as a user
// runs it (METASIFT_BIN is set by CTest), and its output, exit code and messages are checked. The
// numbers are metafor 3.8.1's (tests/reference/metafor_regression_bcg_mods.csv and
// metafor_subgroups_bcg_mods.csv, made by tools/reference/analyses_regression.R).

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/cli.hpp"
#include "support/reference.hpp"
#include "support/time_budget.hpp"

namespace {

namespace fs = std::filesystem;

const std::string bcg = std::string(METASIFT_TEST_DATA_DIR) + "/regression/bcg_mods.csv";
const std::string bangert = std::string(METASIFT_TEST_DATA_DIR) + "/regression/bangertdrowns2004.csv";

using run_result = metasift::test::cli_result;
using metasift::test::run_metasift;

run_result run(const std::string& args) {
  return run_metasift(args);
}

fs::path write_temp(const std::string& name, const std::string& content) {
  const fs::path dir = fs::temp_directory_path() / ("metasift_regress_cli_data_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path p = dir / name;
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

const metasift::test::reference_case& reference(const std::string& file, const std::string& key) {
  static std::map<std::string, std::vector<metasift::test::reference_case>> cache;
  auto& cases = cache[file];
  if (cases.empty()) cases = metasift::test::read_reference(std::string(METASIFT_REFERENCE_DIR) + "/" + file);
  for (const auto& rc : cases) {
    if (rc.key == key) return rc;
  }
  throw std::runtime_error("no reference case " + key);
}

double rel(double a, double b) {
  return std::abs(a - b) / std::max(std::abs(a), std::abs(b));
}

TEST(RegressCli, JsonHasTheContractKeysAndMetaforsNumbers) {
  const run_result r = run("regress " + bcg + " --measure RR --method DL -m ablat -m year --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"coefficients", "tau2", "QM", "QM_df", "QM_p", "QE", "QE_df", "QE_p", "R2", "I2", "H2", "k",
                        "studies", "status", "warnings"}) {
    EXPECT_TRUE(j.contains(k)) << k;
  }
  const auto& rc = reference("metafor_regression_bcg_mods.csv", "RR|DL|z|ablat+year|default");
  ASSERT_EQ(j["coefficients"].size(), 3U);
  const char* names[] = {"intrcpt", "ablat", "year"};
  for (int i = 0; i < 3; ++i) {
    const auto& c = j["coefficients"][i];
    const std::string s = std::to_string(i + 1);
    EXPECT_EQ(c["name"], names[i]);
    for (const char* k : {"name", "estimate", "se", "z", "p", "ci_lower", "ci_upper"}) EXPECT_TRUE(c.contains(k)) << k;
    EXPECT_LT(rel(c["estimate"].get<double>(), rc.at("estimate." + s)), 1e-9);
    EXPECT_LT(rel(c["se"].get<double>(), rc.at("se." + s)), 1e-9);
    EXPECT_LT(rel(c["z"].get<double>(), rc.at("stat." + s)), 1e-9);
  }
  EXPECT_LT(rel(j["tau2"].get<double>(), rc.at("tau2")), 1e-9);
  EXPECT_LT(rel(j["QM"].get<double>(), rc.at("QM")), 1e-9);
  EXPECT_LT(rel(j["QE"].get<double>(), rc.at("QE")), 1e-9);
  EXPECT_LT(rel(j["R2"].get<double>(), rc.at("R2")), 1e-9);
  EXPECT_EQ(j["QM_df"].get<double>(), 2.0);
  EXPECT_EQ(j["QE_df"].get<double>(), 10.0);
  EXPECT_EQ(j["studies"].size(), 13U);
  EXPECT_EQ(j["permutation"], nullptr);
}

TEST(RegressCli, TextNamesTheModelAndTheTests) {
  const run_result r = run("regress " + bcg + " --measure RR -m ablat -m year --decimals 4");
  ASSERT_EQ(r.code, 0) << r.err;
  // The default is 2 decimals, as in meta.
  const run_result d = run("regress " + bcg + " --measure RR -m ablat -m year");
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_NE(d.out.find("Test for residual heterogeneity: QE(10) = 28.33,"), std::string::npos) << d.out;
  for (const char* s : {"Mixed-effects meta-regression, tau^2 estimator REML (k = 13; 3 coefficients)",
                        "Test for residual heterogeneity: QE(10) = 28.3251, p = 0.0016",
                        "Test of moderators (coefficients 2:3): QM(2) = 12.2045",
                        "R2 (amount of heterogeneity accounted for): 64.6", "ablat", "year"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << "missing: " << s << "\n" << r.out;
  }
}

TEST(RegressCli, TextModeratorIsDummyCodedWithAReportedReference) {
  const run_result r = run("regress " + bcg + " --measure RR -m alloc --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["coefficients"].size(), 3U);
  EXPECT_EQ(j["coefficients"][1]["name"], "allocrandom");
  EXPECT_EQ(j["coefficients"][2]["name"], "allocsystematic");
  EXPECT_EQ(j["factors"][0]["reference"], "alternate");
  const auto& rc = reference("metafor_regression_bcg_mods.csv", "RR|REML|z|factor(alloc)|tight");
  EXPECT_LT(rel(j["tau2"].get<double>(), rc.at("tau2")), 1e-7);
  const run_result t = run("regress " + bcg + " --measure RR -m alloc");
  EXPECT_NE(
      t.out.find("Categorical moderator alloc: reference level alternate (levels: alternate, random, systematic)"),
      std::string::npos)
      << t.out;
}

TEST(RegressCli, NumericModeratorCanBeCategorical) {
  const run_result r = run("regress " + bangert + " -m grade --categorical grade --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["coefficients"].size(), 4U);
  EXPECT_EQ(j["coefficients"][1]["name"], "grade2");
  EXPECT_EQ(j["factors"][0]["reference"], "1");
}

TEST(RegressCli, HartungKnappGivesTAndF) {
  const run_result r = run("regress " + bcg + " --measure RR -m ablat --ci-method hk --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  // The shape is stable (docs/output.md): t carries the statistic, z is present and null.
  EXPECT_TRUE(j["coefficients"][0]["t"].is_number());
  EXPECT_TRUE(j["coefficients"][0]["z"].is_null());
  EXPECT_EQ(j["QM_df2"].get<double>(), 11.0);
  EXPECT_EQ(j["df"].get<double>(), 11.0);
  const auto& rc = reference("metafor_regression_bcg_mods.csv", "RR|REML|knha|ablat|default");
  EXPECT_LT(rel(j["tau2"].get<double>(), rc.at("tau2")), 1e-4);  // metafor's default control
}

TEST(RegressCli, NoInterceptIsNotCentred) {
  const run_result r = run("regress " + bcg + " --measure RR -m ablat --no-intercept --method DL --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["coefficients"].size(), 1U);
  EXPECT_EQ(j["coefficients"][0]["name"], "ablat");
  EXPECT_EQ(j["R2"], nullptr);
  const auto& direct = reference("metafor_regression_bcg_mods.csv", "RR|DL|z|ablat-1|direct");
  EXPECT_LT(rel(j["tau2"].get<double>(), direct.at("tau2")), 1e-9);
}

TEST(RegressCli, MissingModeratorColumnIsADataErrorNamingTheFile) {
  const run_result r = run("regress " + bcg + " --measure RR -m latitude");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("bcg_mods.csv"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("missing moderator column 'latitude'"), std::string::npos) << r.err;
}

TEST(RegressCli, ModeratorIsRequiredAndCategoricalMustBeAModerator) {
  EXPECT_EQ(run("regress " + bcg + " --measure RR").code, 2);
  const run_result r = run("regress " + bcg + " --measure RR -m ablat --categorical alloc");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--categorical"), std::string::npos) << r.err;
  EXPECT_EQ(run("regress " + bcg + " --measure RR --method MH -m ablat").code, 2);
}

TEST(RegressCli, ConstantModeratorIsWarnedAboutAndDropped) {
  const auto p =
      write_temp("regress_constant.csv",
                 "study,yi,vi,x,c\nA,0.1,0.01,1,5\nB,0.3,0.02,2,5\nC,0.2,0.015,3,5\nD,0.5,0.03,4,5\nE,0.4,0.02,5,5\n");
  const run_result r = run("regress " + p.string() + " -m x -m c --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["dropped"], nlohmann::json::array({"c"}));
  EXPECT_EQ(j["coefficients"].size(), 2U);
  const std::string w = j["warnings"].dump();
  EXPECT_NE(w.find("moderator 'c' is constant"), std::string::npos) << w;
  EXPECT_NE(w.find("'c' is a linear combination"), std::string::npos) << w;
}

TEST(RegressCli, StudiesWithMissingModeratorsAreLeftOutByName) {
  const run_result r = run("regress " + bangert + " -m length --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["k"], 46);
  EXPECT_EQ(j["left_out"].size(), 2U);
  const std::string w = j["warnings"].dump();
  EXPECT_NE(w.find("left out of the meta-regression: moderator 'length' is missing"), std::string::npos) << w;
  const auto& rc = reference("metafor_regression_bangertdrowns2004.csv", "GEN|REML|z|length|tight");
  EXPECT_LT(rel(j["coefficients"][1]["estimate"].get<double>(), rc.at("estimate.2")), 1e-7);
}

TEST(RegressCli, PermutationsAreSeededAndExactWhenFeasible) {
  const std::string base = "regress " + bcg + " --measure RR -m ablat --method DL --format json ";
  const run_result a = run(base + "--permutations 200 --seed 7");
  const run_result b = run(base + "--permutations 200 --seed 7");
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  const auto j = nlohmann::json::parse(a.out);
  EXPECT_EQ(j["permutation"]["iterations"], 200);
  EXPECT_EQ(j["permutation"]["exact"], false);
  EXPECT_TRUE(j["coefficients"][1].contains("p_perm"));
  // alloc has 13! / (2! 7! 4!) = 25740 distinct arrangements: enumerated when N allows.
  const run_result e = run("regress " + bcg + " --measure RR -m alloc --method DL --format json --permutations 30000");
  ASSERT_EQ(e.code, 0) << e.err;
  const auto je = nlohmann::json::parse(e.out);
  EXPECT_EQ(je["permutation"]["exact"], true);
  EXPECT_EQ(je["permutation"]["iterations"], 25740);
  EXPECT_EQ(run(base + "--permutations 1").code, 2);
}

TEST(RegressCli, CsvHasCoefficientAndModelRows) {
  const run_result r = run("regress " + bcg + " --measure RR -m ablat --format csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(
      r.out.rfind(
          "term,estimate,se,statistic,df,p,ci_lower,ci_upper,p_perm,measure,method,ci_method,convention,excluded\n", 0),
      0U);
  for (const char* s : {"\nintrcpt,", "\nablat,", "\ntau2,", "\nQM,", "\nQE,", "\nR2,"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
  }
}

TEST(MetaSubgroupCli, JsonHasSubgroupsAndTheTest) {
  const run_result r = run("meta " + bcg + " --measure RR --method DL --subgroup alloc --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.contains("subgroups"));
  ASSERT_EQ(j["subgroups"].size(), 3U);
  const auto& rc = reference("metafor_subgroups_bcg_mods.csv", "RR|DL|z|alloc:separate|default");
  const char* names[] = {"alternate", "random", "systematic"};
  for (int i = 0; i < 3; ++i) {
    const auto& g = j["subgroups"][i];
    const std::string s = std::to_string(i + 1);
    EXPECT_EQ(g["name"], names[i]);
    EXPECT_EQ(g["k"].get<double>(), rc.at("k." + s));
    EXPECT_LT(rel(g["pooled"]["estimate"].get<double>(), rc.at("estimate." + s)), 1e-9);
    EXPECT_LT(rel(g["pooled"]["se"].get<double>(), rc.at("se." + s)), 1e-9);
    EXPECT_LT(rel(g["heterogeneity"]["tau2"].get<double>(), rc.at("tau2." + s)), 1e-9);
    EXPECT_LT(rel(g["heterogeneity"]["Q"].get<double>(), rc.at("Q." + s)), 1e-9);
  }
  EXPECT_LT(rel(j["subgroup_test"]["Q"].get<double>(), rc.at("Qb")), 1e-9);
  EXPECT_EQ(j["subgroup_test"]["df"].get<double>(), 2.0);
  EXPECT_LT(rel(j["subgroup_test"]["p"].get<double>(), rc.at("Qb_p")), 1e-9);
  EXPECT_TRUE(j.contains("pooled"));  // the overall analysis is still there
}

TEST(MetaSubgroupCli, CommonTau2AndTextBlock) {
  const run_result r = run("meta " + bcg + " --measure RR --method DL --subgroup alloc --common-tau2 --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& rc = reference("metafor_subgroups_bcg_mods.csv", "RR|DL|z|alloc:common|default");
  EXPECT_LT(rel(j["subgroup_options"]["tau2"].get<double>(), rc.at("tau2_common")), 1e-9);
  EXPECT_LT(rel(j["subgroup_test"]["Q"].get<double>(), rc.at("Qb")), 1e-9);
  const run_result t = run("meta " + bcg + " --measure RR --subgroup alloc");
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.out.find("Subgroups by alloc (tau2 estimated within each subgroup):"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("Test of group differences: Q_b(2) = "), std::string::npos) << t.out;
  EXPECT_LT(t.out.find("Test of group differences"), t.out.rfind("\nmetasift "));  // before the version footer
  EXPECT_EQ(run("meta " + bcg + " --measure RR --common-tau2").code, 2);
}

TEST(MetaSubgroupCli, SingleStudySubgroupIsAWarning) {
  const auto p = write_temp("subgroup_k1.csv",
                            "study,yi,vi,g\nA,0.1,0.01,a\nB,0.3,0.02,a\nC,0.2,0.015,b\nD,0.5,0.03,b\nE,0.4,0.02,c\n");
  const run_result r = run("meta " + p.string() + " --subgroup g --ci-method hk");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Warning: subgroup 'c' has a single study"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Q_b(2)"), std::string::npos) << r.out;
  const run_result c = run("meta " + p.string() + " --subgroup g --format csv");
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(c.out.rfind("subgroup,k,estimate,se,", 0), 0U) << c.out;
  EXPECT_NE(c.out.find("\nTest of subgroup differences,"), std::string::npos) << c.out;
  EXPECT_EQ(run("meta " + p.string() + " --subgroup nosuch").code, 3);
}

// ---- hostile designs ------------------------------------------------------------------------

/// k studies with a text moderator of `levels` levels (L0, L1, ...) and made-up effects.
std::string many_levels(int k, int levels) {
  std::string s = "study,yi,vi,mod\n";
  for (int i = 0; i < k; ++i) {
    s.append("s").append(std::to_string(i)).append(",");
    s.append(std::to_string(((i * 37) % 101) / 100.0 - 0.5)).append(",");
    s.append(std::to_string(0.01 + (i % 13) * 0.005)).append(",L").append(std::to_string(i % levels)).append("\n");
  }
  return s;
}

TEST(RegressHostile, ManyLevelModeratorIsRefusedWithTheLimitNamed) {
  const auto p = write_temp("levels_many.csv", many_levels(3000, 1500));
  const auto t0 = std::chrono::steady_clock::now();
  const run_result r = run("regress " + p.string() + " -m mod");
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("levels_many.csv:1:13: moderator 'mod' has 1500 levels: the design would have 1500 columns "
                       "(limit max_design_columns, 500)"),
            std::string::npos)
      << r.err;
  EXPECT_LT(secs, metasift::test::time_budget(10.0));
}

TEST(RegressHostile, ManyLevelsBelowTheLimitFitInSeconds) {
  // 400 levels over 800 studies: the design has 400 columns, full rank; every level's
  // coefficient is the difference of two level means under the model, so only the run time and
  // the shape are checked here.
  const auto p = write_temp("levels_400.csv", many_levels(800, 400));
  const auto t0 = std::chrono::steady_clock::now();
  const run_result r = run("regress " + p.string() + " -m mod --method DL --format json");
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["coefficients"].size(), 400U);
  EXPECT_LT(secs, metasift::test::time_budget(20.0));
}

TEST(RegressHostile, HugeModeratorIsRefusedNotDroppedAsAliased) {
  const auto p = write_temp("huge_mod.csv",
                            "study,yi,vi,x\na,0.1,0.01,1e308\nb,0.3,0.02,-1e308\nc,0.2,0.01,5e307\nd,0.5,0.03,0\n");
  const run_result r = run("regress " + p.string() + " -m x");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("huge_mod.csv:2:12: column 'x': moderator value 1e+308 is beyond what double precision can fit"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("aliased"), std::string::npos) << r.err;
}

TEST(RegressHostile, LargeButFittableModeratorIsNotAliased) {
  // x * 1e140 must give the coefficient of x divided by 1e140 (a linear reparametrisation), and
  // the same tau^2: the rank check scales columns instead of squaring 1e140-sized values.
  const char* const rows[] = {"a,0.10,0.010,", "b,0.30,0.020,", "c,0.20,0.010,",
                              "d,0.50,0.030,", "e,0.45,0.015,", "f,0.05,0.012,"};
  std::string small = "study,yi,vi,x\n", large = small;
  for (int i = 0; i < 6; ++i) {
    const std::string x = std::to_string(i + 1);
    small.append(rows[i]).append(x).append("\n");
    large.append(rows[i]).append(x).append("e140\n");
  }
  const run_result a = run("regress " + write_temp("x_small.csv", small).string() + " -m x --method DL --format json");
  const run_result b = run("regress " + write_temp("x_large.csv", large).string() + " -m x --method DL --format json");
  ASSERT_EQ(a.code, 0) << a.err;
  ASSERT_EQ(b.code, 0) << b.err;
  const auto ja = nlohmann::json::parse(a.out), jb = nlohmann::json::parse(b.out);
  ASSERT_EQ(jb["coefficients"].size(), 2U) << b.out;
  EXPECT_LT(
      rel(jb["coefficients"][1]["estimate"].get<double>() * 1e140, ja["coefficients"][1]["estimate"].get<double>()),
      1e-9);
  EXPECT_LT(rel(jb["tau2"].get<double>() + 1.0, ja["tau2"].get<double>() + 1.0), 1e-9);
}

}  // namespace

namespace {

// Formula terms from the command line: an interaction with '*' and an orthogonal polynomial, with
// metafor's column names and numbers (tests/reference/metafor_regression_formula_bcg_mods.csv, made
// by tools/reference/regression_formula.R; ';' in the case key stands for ',').
TEST(RegressCli, InteractionAndPolynomialTermsAsMetafor) {
  const run_result r = run("regress " + bcg + " --measure RR --method DL -m \"ablat*alloc\" --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& rc = reference("metafor_regression_formula_bcg_mods.csv", "RR|DL|z|ablat*alloc|default");
  ASSERT_EQ(j["coefficients"].size(), 6u);
  EXPECT_EQ(j["coefficients"][4]["name"], "ablat:allocrandom");
  EXPECT_EQ(j["coefficients"][5]["name"], "ablat:allocsystematic");
  for (int c = 0; c < 6; ++c) {
    EXPECT_LT(rel(j["coefficients"][c]["estimate"].get<double>(), rc.at("estimate." + std::to_string(c + 1))), 1e-9);
  }
  EXPECT_LT(rel(j["QM"].get<double>(), rc.at("QM")), 1e-9);

  const run_result p = run("regress " + bcg + " --measure RR --method DL -m \"poly(ablat, 2)\" --format json");
  ASSERT_EQ(p.code, 0) << p.err;
  const auto jp = nlohmann::json::parse(p.out);
  const auto& pc = reference("metafor_regression_formula_bcg_mods.csv", "RR|DL|z|poly(ablat;2)|default");
  EXPECT_EQ(jp["coefficients"][1]["name"], "poly(ablat, 2)1");
  EXPECT_EQ(jp["coefficients"][2]["name"], "poly(ablat, 2)2");
  EXPECT_LT(rel(jp["coefficients"][1]["estimate"].get<double>(), pc.at("estimate.2")), 1e-9);
  EXPECT_LT(rel(jp["coefficients"][2]["estimate"].get<double>(), pc.at("estimate.3")), 1e-9);
  EXPECT_LT(rel(jp["tau2"].get<double>(), pc.at("tau2")), 1e-9);

  // A term that does not parse is a usage error naming it; a bubble plot needs a straight line.
  const run_result bad = run("regress " + bcg + " --measure RR -m \"poly(ablat)\"");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("poly(ablat)"), std::string::npos) << bad.err;
  const fs::path svg = fs::temp_directory_path() / ("metasift_formula_bubble_" + std::to_string(::getpid()) + ".svg");
  const run_result bubble = run("regress " + bcg + " --measure RR -m ablat -m \"I(ablat^2)\" --bubble " + svg.string());
  EXPECT_EQ(bubble.code, 2);
  EXPECT_NE(bubble.err.find("I(ablat^2)"), std::string::npos) << bubble.err;
  EXPECT_FALSE(fs::exists(svg));
}

}  // namespace
