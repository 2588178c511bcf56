// Subgroup analyses against metafor 3.8.1 (tests/reference/metafor_subgroups_<dataset>.csv, made by
// tools/reference/analyses_regression.R: rma(subset = ...) per level; with a common tau^2, tau^2
// from rma(mods = ~ factor(g)) and rma(subset, tau2 = ...) per level; Q_b computed in R from the
// per-level estimates and SEs), and identities of analyses::fit_subgroups.
//
// Tolerances as tests/models/metafor_reference_test.cpp: tau^2 of REML/ML/EB/PM to metafor's own
// stopping rule (default control) or 1e-7 (tight); closed forms and everything given metafor's
// tau^2 at 1e-9. Q_b depends on every subgroup's tau^2, so it is compared at 1e-9 after refitting
// every subgroup at metafor's tau^2, and directly at the tau^2 tolerance.

#include "metasift/analyses/subgroups.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "metasift/io/table.hpp"
#include "metasift/math/distributions.hpp"
#include "metasift/models/fit.hpp"
#include "metasift/models/regression.hpp"
#include "metasift/pipeline/design.hpp"
#include "metasift/pipeline/study_data.hpp"
#include "support/error_table.hpp"
#include "support/reference.hpp"
#include "support/tolerance.hpp"

namespace metasift {
namespace {

using test::reference_case;

struct dataset {
  std::string name;
  effects::measure measure;
};
const std::vector<dataset> datasets{{"bcg_mods", effects::measure::RR},
                                    {"bangertdrowns2004", effects::measure::GEN},
                                    {"molloy2014_mods", effects::measure::ZCOR}};

bool iterative(const std::string& method) {
  return method == "REML" || method == "ML" || method == "EB" || method == "PM";
}

struct worst_error {
  double rel = 0;
  std::string where;
};
std::map<std::string, worst_error>& worst() {
  static std::map<std::string, worst_error> w;
  return w;
}

/// Family of a statistic for the error table (docs/validation.md).
std::string family_of(const std::string& stat, const std::string& key) {
  const std::string mode = key.find(":common") != std::string::npos ? " (common tau2)" : " (separate tau2)";
  if (stat.rfind("Qb", 0) == 0) return "subgroups: Q_b test" + mode;
  if (stat.rfind("tau2_common", 0) == 0) return "subgroups: common tau2";
  if (stat.rfind("tau2", 0) == 0) return "subgroups: tau2" + mode;
  return "subgroups: per-group fits" + mode;
}

void compare(const std::string& stat, double ours, double theirs, tolerance tol, const std::string& key) {
  test::record_error(family_of(stat, key), tol, ours, theirs, key + " " + stat);
  const double e = std::max(std::abs(ours), std::abs(theirs)) > 1e-8 ? relative_error(ours, theirs) : 0.0;
  auto& w = worst()[stat];
  if (e > w.rel) w = {e, key};
  EXPECT_WITHIN(ours, theirs, tol) << key << " stat " << stat;
}

struct grouped {
  effects::effect_table table;
  std::vector<std::string> group;
  std::vector<std::string> levels;
};

grouped read_grouped(const io::table& t, effects::measure m, const std::string& column) {
  grouped g;
  g.table = effects::compute(m, pipeline::extract(t, m, {}), {});
  const pipeline::factor_levels f = pipeline::read_factor(t, column, g.table.source_row);
  g.levels = f.levels;
  g.group.resize(g.table.yi.size());
  for (std::size_t i = 0; i < g.group.size(); ++i) {
    if (f.index[i] >= 0) g.group[i] = f.levels[static_cast<std::size_t>(f.index[i])];
  }
  return g;
}

class MetaforSubgroups : public ::testing::TestWithParam<dataset> {};

TEST_P(MetaforSubgroups, AgreesOnEveryCase) {
  const dataset ds = GetParam();
  worst().clear();
  const auto cases =
      test::read_reference(std::string(METASIFT_REFERENCE_DIR) + "/metafor_subgroups_" + ds.name + ".csv");
  const io::table t = io::read_table(std::string(METASIFT_TEST_DATA_DIR) + "/regression/" + ds.name + ".csv");
  std::map<std::string, const reference_case*> by_key;
  for (const auto& rc : cases) by_key[rc.key] = &rc;
  const tolerance metafor_root{1e-4, 1.3e-4};
  int compared = 0;
  std::set<std::string> skipped;
  for (const auto& rc : cases) {
    SCOPED_TRACE(ds.name + " " + rc.key);
    ASSERT_TRUE(rc.error.empty()) << rc.key << ": " << rc.error;
    const auto colon = rc.variant.find(':');
    const std::string column = rc.variant.substr(0, colon);
    const bool common = rc.variant.substr(colon + 1) == "common";
    const grouped g = read_grouped(t, ds.measure, column);
    models::model_spec spec;
    spec.est = *models::parse_method(rc.method);
    spec.test = rc.test == "knha" ? models::ci_method::hk : models::ci_method::z;
    analyses::subgroup_options opt;
    opt.common_tau2 = common;
    const bool iter = iterative(rc.method);
    const bool tight = rc.control == "tight";
    const std::string tight_key = rc.measure + "|" + rc.method + "|z|" + rc.variant + "|tight";
    if (iter && !tight) {  // only where metafor's default control converged to its tolerance
      if (auto it = by_key.find(tight_key); it != by_key.end()) {
        bool converged = true;
        for (const auto& [stat, value] : rc.stats) {
          if (!stat.starts_with("tau2.") && stat != "tau2_common") continue;
          if (!within(value, it->second->at(stat), metafor_root)) converged = false;
        }
        if (!converged) {
          skipped.insert(rc.key + " (metafor default control not converged to its tolerance)");
          continue;
        }
      }
    }
    const tolerance tau2_tol = !iter ? test::closed_form : tight ? tolerance{1e-7, 1e-11} : metafor_root;
    const analyses::subgroup_result r = analyses::fit_subgroups(g.table, g.group, g.levels, spec, opt);
    ASSERT_EQ(static_cast<double>(r.groups.size()), rc.at("groups")) << rc.key;
    if (common) {
      compare("tau2_common", r.common_tau2, rc.at("tau2_common"), tau2_tol, rc.key);
      if (!iter || tight) compare("tau2_common_se", r.common_tau2_se, rc.at("tau2_common_se"), tau2_tol, rc.key);
    }
    // Q_b with our own tau^2s: only where metafor's are converged (closed forms and tight control);
    // against its default control a tau^2 within 1.3e-4 can move Q_b by far more.
    if (!iter || tight) compare("Qb (own tau2)", r.test.Q, rc.at("Qb"), tau2_tol, rc.key);
    // Everything given metafor's tau^2: each subgroup refitted at metafor's value.
    std::vector<double> est, se;
    for (std::size_t j = 0; j < r.groups.size(); ++j) {
      const std::string s = std::to_string(j + 1);
      const analyses::subgroup& sg = r.groups[j];
      EXPECT_EQ(static_cast<double>(sg.k), rc.at("k." + s)) << rc.key;
      if (!common) compare("tau2", sg.fit.het.tau2, rc.at("tau2." + s), tau2_tol, rc.key);
      if (!common && (!iter || tight) && !std::isnan(rc.at("tau2_se." + s))) {
        compare("tau2_se", sg.fit.het.tau2_se, rc.at("tau2_se." + s), tau2_tol, rc.key);
      }
      std::vector<double> y, v;
      std::vector<std::string> labels;
      for (std::size_t i : sg.studies) {
        y.push_back(g.table.yi[i]);
        v.push_back(g.table.vi[i]);
        labels.push_back(g.table.labels[i]);
      }
      models::model_spec at = spec;
      if (models::is_random_effects(spec.est)) at.tau2_fixed = rc.at("tau2." + s);
      const models::meta_result f = models::fit(y, v, labels, at);
      compare("estimate", f.pooled.estimate, rc.at("estimate." + s), test::closed_form, rc.key);
      compare("se", f.pooled.se, rc.at("se." + s), test::closed_form, rc.key);
      compare("stat", f.pooled.statistic, rc.at("stat." + s), test::closed_form, rc.key);
      compare("p", f.pooled.p, rc.at("p." + s), test::closed_form, rc.key);
      compare("ci_lower", f.pooled.ci_lower, rc.at("ci_lower." + s), test::closed_form, rc.key);
      compare("ci_upper", f.pooled.ci_upper, rc.at("ci_upper." + s), test::closed_form, rc.key);
      compare("I2", f.het.I2, rc.at("I2." + s), test::closed_form, rc.key);
      compare("H2", f.het.H2, rc.at("H2." + s), test::closed_form, rc.key);
      compare("Q", sg.fit.het.Q, rc.at("Q." + s), test::closed_form, rc.key);
      compare("Q_df", sg.fit.het.df, rc.at("Q_df." + s), test::closed_form, rc.key);
      compare("Q_p", sg.fit.het.p, rc.at("Q_p." + s), test::closed_form, rc.key);
      est.push_back(f.pooled.estimate);
      se.push_back(f.pooled.se);
    }
    const analyses::subgroup_test qb = analyses::difference_test_terms(est, se, &math::chisq_upper);
    compare("Qb", qb.Q, rc.at("Qb"), test::closed_form, rc.key);
    compare("Qb_df", r.test.df, rc.at("Qb_df"), test::closed_form, rc.key);
    compare("Qb_p", qb.p, rc.at("Qb_p"), test::closed_form, rc.key);
    ++compared;
  }
  EXPECT_GT(compared, 0);
  std::printf("[ reference ] subgroups %s: %d cases compared\n", ds.name.c_str(), compared);
  for (const auto& s : skipped) std::printf("[ skipped   ] %s: %s\n", ds.name.c_str(), s.c_str());
  for (const auto& [stat, w] : worst()) {
    std::printf("[ worst     ] %s %-15s rel. error %9.3g  %s\n", ds.name.c_str(), stat.c_str(), w.rel, w.where.c_str());
  }
}

[[maybe_unused]] const bool error_table_printed = test::print_error_table_at_exit();

INSTANTIATE_TEST_SUITE_P(Datasets, MetaforSubgroups, ::testing::ValuesIn(datasets),
                         [](const auto& param_info) { return param_info.param.name; });

// ---------------------------------------------------------------------------------------------

effects::effect_table small_table() {
  effects::effect_table t;
  t.m = effects::measure::GEN;
  t.labels = {"A", "B", "C", "D", "E", "F"};
  t.yi = {0.10, 0.30, 0.25, -0.20, 0.05, 0.60};
  t.vi = {0.01, 0.02, 0.015, 0.03, 0.02, 0.04};
  t.source_row = {0, 1, 2, 3, 4, 5};
  return t;
}

TEST(Subgroups, SingleStudySubgroupGivesAWarningNotACrash) {
  const effects::effect_table t = small_table();
  const std::vector<std::string> group{"x", "x", "x", "y", "y", "z"};  // z has k = 1
  for (auto test : {models::ci_method::z, models::ci_method::hk}) {
    for (bool common : {false, true}) {
      models::model_spec spec;
      spec.test = test;
      const auto r = analyses::fit_subgroups(t, group, {}, spec, {common});
      ASSERT_EQ(r.groups.size(), 3U);
      const analyses::subgroup* z = r.find("z");
      ASSERT_NE(z, nullptr);
      EXPECT_EQ(z->k, 1);
      EXPECT_DOUBLE_EQ(z->fit.pooled.estimate, 0.60);
      EXPECT_GT(z->fit.pooled.se, 0.0);
      EXPECT_EQ(z->fit.spec.test, models::ci_method::z);  // metafor: z for k = 1
      const bool warned = std::any_of(r.notes.items.begin(), r.notes.items.end(), [](const std::string& n) {
        return n.find("'z' has a single study") != std::string::npos;
      });
      EXPECT_TRUE(warned);
      EXPECT_EQ(r.test.df, 2.0);
      EXPECT_TRUE(std::isfinite(r.test.Q));
      if (common) {
        EXPECT_DOUBLE_EQ(z->fit.het.tau2, r.common_tau2);
        EXPECT_DOUBLE_EQ(z->fit.pooled.se, std::sqrt(0.04 + r.common_tau2));
      }
    }
  }
}

TEST(Subgroups, MissingGroupValuesAreNamedAndLeftOut) {
  const effects::effect_table t = small_table();
  const std::vector<std::string> group{"x", "", "x", "y", "y", "y"};
  const auto r = analyses::fit_subgroups(t, group, {}, {}, {});
  EXPECT_EQ(r.unassigned, std::vector<std::size_t>{1});
  EXPECT_EQ(r.unassigned_labels, std::vector<std::string>{"B"});
  ASSERT_FALSE(r.notes.empty());
  EXPECT_NE(r.notes.items.front().find("'B'"), std::string::npos);
  EXPECT_EQ(r.groups[0].k + r.groups[1].k, 5);
}

// With one tau^2 for all subgroups and z tests, Q_b is the Wald test QM of the meta-regression on
// the subgroup dummies (the subgroup means are independent with variances 1 / sum w).
TEST(Subgroups, CommonTau2TestEqualsQMOfTheDummyRegression) {
  const io::table t = io::read_table(std::string(METASIFT_TEST_DATA_DIR) + "/regression/bcg_mods.csv");
  const grouped g = read_grouped(t, effects::measure::RR, "alloc");
  pipeline::design_options o;
  o.moderators = {"alloc"};
  const pipeline::design_matrix d = pipeline::build_design(t, g.table.source_row, g.table.labels, o);
  for (auto m : {models::method::REML, models::method::DL, models::method::PM, models::method::EE}) {
    models::model_spec spec;
    spec.est = m;
    const auto r = analyses::fit_subgroups(g.table, g.group, g.levels, spec, {true});
    const auto reg = models::fit_regression(g.table.yi, g.table.vi, d.x, spec);
    EXPECT_WITHIN(r.test.Q, reg.QM, test::tight_iterative) << models::to_string(m);
    EXPECT_WITHIN(r.test.p, reg.QM_p, test::tight_iterative) << models::to_string(m);
    if (m != models::method::EE) {
      EXPECT_WITHIN(r.common_tau2, reg.tau2, test::closed_form);
    }
  }
}

TEST(Subgroups, OneGroupHasNoTest) {
  const effects::effect_table t = small_table();
  const auto r = analyses::fit_subgroups(t, std::vector<std::string>(6, "all"), {}, {}, {});
  EXPECT_EQ(r.groups.size(), 1U);
  EXPECT_TRUE(std::isnan(r.test.Q));
  EXPECT_EQ(r.status, fit_status::degenerate);
}

TEST(Subgroups, MantelHaenszelPoolsEachSubgroupsCounts) {
  const io::table t = io::read_table(std::string(METASIFT_TEST_DATA_DIR) + "/regression/bcg_mods.csv");
  const grouped g = read_grouped(t, effects::measure::OR, "alloc");
  models::model_spec spec;
  spec.est = models::method::MH;
  const auto r = analyses::fit_subgroups(g.table, g.group, g.levels, spec, {});
  ASSERT_EQ(r.groups.size(), 3U);
  for (const auto& sg : r.groups) {
    EXPECT_TRUE(std::isfinite(sg.fit.pooled.estimate)) << sg.name;
    EXPECT_EQ(sg.fit.k, sg.k);
  }
  EXPECT_TRUE(std::isfinite(r.test.Q));
}

// Mantel-Haenszel IRR per subgroup pools each subgroup's events and person-time. Reference: metafor
// 3.8.1 rma.mh(measure = "IRR") on the rows of dat.nielweise2008 (tests/data/nielweise2008.csv) in
// each group (B: rows 1, 3, 5, 7, 9; A: rows 2, 4, 6, 8): beta, se and the MH test (res$MH).
TEST(Subgroups, MantelHaenszelRatesPoolEachSubgroupsPersonTime) {
  const io::table t = io::read_table(std::string(METASIFT_TEST_DATA_DIR) + "/nielweise2008.csv");
  const effects::effect_table table =
      effects::compute(effects::measure::IRR, pipeline::extract(t, effects::measure::IRR, {}), {});
  std::vector<std::string> group;
  for (std::size_t i = 0; i < table.yi.size(); ++i) group.push_back((table.source_row[i] + 1) % 2 == 0 ? "A" : "B");
  models::model_spec spec;
  spec.est = models::method::MH;
  const auto r = analyses::fit_subgroups(table, group, {"A", "B"}, spec, {});
  ASSERT_EQ(r.groups.size(), 2U);
  EXPECT_NEAR(r.groups[0].fit.pooled.estimate, -0.62757399584134899, 1e-12);
  EXPECT_NEAR(r.groups[0].fit.pooled.se, 0.29677890994821982, 1e-12);
  EXPECT_NEAR(r.groups[0].fit.mh.cmh, 4.0370189321319661, 1e-10);
  EXPECT_EQ(r.groups[0].fit.k, 4);
  EXPECT_NEAR(r.groups[1].fit.pooled.estimate, -0.2750240974428691, 1e-12);
  EXPECT_NEAR(r.groups[1].fit.pooled.se, 0.23463577500602553, 1e-12);
  EXPECT_NEAR(r.groups[1].fit.mh.cmh, 1.1212553816335593, 1e-10);
  EXPECT_EQ(r.groups[1].fit.k, 5);
}

}  // namespace
}  // namespace metasift
