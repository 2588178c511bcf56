// Meta-regression against metafor 3.8.1 (tests/reference/metafor_regression_<dataset>.csv, made by
// tools/reference/analyses_regression.R), plus identities of models::fit_regression and
// models::permutation_test.
//
// Tolerances as tests/models/metafor_reference_test.cpp: closed-form statistics 1e-9 relative;
// tau^2 of REML/ML/EB/PM to metafor's own stopping rule against its default control and to 1e-7
// against the tight cases; every tau^2-dependent statistic at 1e-9 given metafor's tau^2 (our model
// refitted with tau^2 fixed at metafor's value).
//
// Models without an intercept: metafor mean-centres y before every tau^2 computation and in QE,
// which is exact only when the constant lies in the column space of X. For "ablat-1" the reference
// is the script's direct computation without centring (control "direct"; REML/ML checked there
// against optimize() of the likelihood); metafor's own values (control "centred") must differ.

#include "metasift/models/regression.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "metasift/core/error.hpp"
#include "metasift/io/table.hpp"
#include "metasift/models/fit.hpp"
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
  std::string reference = "metafor_regression_";  ///< reference file: <reference><name>.csv
};
const std::vector<dataset> datasets{
    {"bcg_mods", effects::measure::RR},
    {"bangertdrowns2004", effects::measure::GEN},
    {"molloy2014_mods", effects::measure::ZCOR},
    // Formula terms: interactions, I(x^k), poly() (tools/reference/regression_formula.R).
    {"bcg_mods", effects::measure::RR, "metafor_regression_formula_"},
    {"bangertdrowns2004", effects::measure::GEN, "metafor_regression_formula_"},
    {"molloy2014_mods", effects::measure::ZCOR, "metafor_regression_formula_"}};

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
std::string family_of(const std::string& stat) {
  if (stat == "estimate" || stat == "se" || stat == "stat" || stat == "p" || stat == "ci_lower" || stat == "ci_upper" ||
      stat == "df") {
    return "rma mods: coefficients";
  }
  if (stat.rfind("QM", 0) == 0) return "rma mods: QM";
  if (stat.rfind("QE", 0) == 0) return "rma mods: QE";
  if (stat == "I2" || stat == "H2" || stat == "vt") return "rma mods: I2, H2";
  if (stat == "hat" || stat == "fitted") return "rma mods: hat, fitted";
  if (stat.rfind("p_perm", 0) == 0 || stat.rfind("QM_p_perm", 0) == 0) return "permutest";
  return "rma mods: " + stat;  // tau2, tau2_se, R2
}

void compare(const std::string& stat, double ours, double theirs, tolerance tol, const std::string& key) {
  test::record_error(family_of(stat), tol, ours, theirs, key + " " + stat);
  const double e = std::max(std::abs(ours), std::abs(theirs)) > 1e-8 ? relative_error(ours, theirs) : 0.0;
  auto& w = worst()[stat];
  if (e > w.rel) w = {e, key};
  EXPECT_WITHIN(ours, theirs, tol) << key << " stat " << stat;
}

/// "ablat+factor(alloc)" -> moderators ablat, alloc (alloc categorical); "x-1" -> no intercept;
/// other terms ("a:b", "poly(x;2)" with ';' for ',') go to build_design as they are.
pipeline::design_options parse_model(std::string model) {
  std::replace(model.begin(), model.end(), ';', ',');
  pipeline::design_options o;
  if (model.size() > 2 && model.ends_with("-1")) {
    o.intercept = false;
    model.resize(model.size() - 2);
  }
  std::stringstream ss(model);
  for (std::string term; std::getline(ss, term, '+');) {
    if (term.starts_with("factor(") && term.find(')') == term.size() - 1) {
      term = term.substr(7, term.size() - 8);
      o.categorical.push_back(term);
    }
    o.moderators.push_back(term);
  }
  return o;
}

struct prepared {
  std::vector<double> y, v;
  pipeline::design_matrix d;
  std::vector<std::size_t> rows;  ///< data-file row of each design row
};

prepared prepare(const io::table& t, effects::measure m, const pipeline::design_options& o, std::size_t max_rows = 0) {
  const effects::raw_data raw = pipeline::extract(t, m, {});
  const effects::effect_table table = effects::compute(m, raw, {});
  std::vector<std::size_t> rows = table.source_row;
  std::vector<std::string> labels = table.labels;
  if (max_rows > 0 && rows.size() > max_rows) {
    rows.resize(max_rows);
    labels.resize(max_rows);
  }
  prepared p;
  p.d = pipeline::build_design(t, rows, labels, o);
  for (std::size_t i : p.d.kept) {
    p.y.push_back(table.yi[i]);
    p.v.push_back(table.vi[i]);
    p.rows.push_back(rows[i]);
  }
  return p;
}

io::table read_data(const std::string& name) {
  return io::read_table(std::string(METASIFT_TEST_DATA_DIR) + "/regression/" + name + ".csv");
}

class MetaforRegression : public ::testing::TestWithParam<dataset> {};

TEST_P(MetaforRegression, AgreesOnEveryCase) {
  const dataset ds = GetParam();
  worst().clear();
  const auto cases = test::read_reference(std::string(METASIFT_REFERENCE_DIR) + "/" + ds.reference + ds.name + ".csv");
  const io::table t = read_data(ds.name);
  std::map<std::string, const reference_case*> by_key;
  for (const auto& rc : cases) by_key[rc.key] = &rc;
  const tolerance metafor_root{1e-4, 1.3e-4};

  int compared = 0, centred_checked = 0;
  std::set<std::string> skipped;
  for (const auto& rc : cases) {
    SCOPED_TRACE(ds.name + " " + rc.key);
    ASSERT_TRUE(rc.error.empty()) << "metafor refused " << rc.key << ": " << rc.error;
    if (rc.variant.find('/') != std::string::npos) continue;  // permutation cases: see below
    const prepared pr = prepare(t, ds.measure, parse_model(rc.variant));
    models::model_spec spec;
    spec.est = *models::parse_method(rc.method);
    spec.test = rc.test == "knha" ? models::ci_method::hk : models::ci_method::z;
    const models::regression_result r = models::fit_regression(pr.y, pr.v, pr.d.x, spec);

    if (rc.control == "centred") {
      // metafor's own values for a model without an intercept: centring y moved them.
      if (rc.at("tau2") > 0 || r.tau2 > 0) {
        EXPECT_GT(relative_error(r.tau2, rc.at("tau2")), 1e-3)
            << rc.key << " tau2 " << r.tau2 << " vs centred " << rc.at("tau2");
      }
      EXPECT_GT(relative_error(r.QE, rc.at("QE")), 1e-3) << rc.key;
      if (rc.has("ll_direct")) {
        EXPECT_GT(rc.at("ll_direct"), rc.at("ll_centred")) << rc.key;
      }
      ++centred_checked;
      continue;
    }
    const bool tight = rc.control == "tight" || rc.control == "direct";
    const bool iter = iterative(rc.method);
    if (iter && rc.control == "default") {
      const std::string tight_key = rc.measure + "|" + rc.method + "|z|" + rc.variant + "|tight";
      if (auto it = by_key.find(tight_key); it != by_key.end()) {
        const double a = rc.at("tau2"), b = it->second->at("tau2");
        if (!within(a, b, metafor_root)) {
          skipped.insert(rc.key + " (metafor default control not converged: tau2 " + std::to_string(a) + " vs tight " +
                         std::to_string(b) + ")");
          continue;
        }
      }
    }
    EXPECT_EQ(r.k, static_cast<int>(rc.at("k"))) << rc.key;
    ASSERT_EQ(r.p, static_cast<int>(rc.at("p"))) << rc.key;
    EXPECT_TRUE(r.dropped.empty()) << rc.key;
    const tolerance tau2_tol = !iter ? test::closed_form : tight ? tolerance{1e-7, 1e-11} : metafor_root;
    compare("tau2", r.tau2, rc.at("tau2"), tau2_tol, rc.key);
    if (!iter || tight) {
      if (!std::isnan(rc.at("tau2_se")) || !std::isnan(r.tau2_se))
        compare("tau2_se", r.tau2_se, rc.at("tau2_se"), tau2_tol, rc.key);
      compare("R2", r.R2, rc.at("R2"), tau2_tol, rc.key);
    }
    // Everything else given metafor's tau^2.
    models::regression_result f = r;
    if (iter) {
      models::model_spec at_theirs = spec;
      at_theirs.tau2_fixed = rc.at("tau2");
      f = models::fit_regression(pr.y, pr.v, pr.d.x, at_theirs);
    }
    const tolerance fit_tol = test::closed_form;
    for (int j = 0; j < r.p; ++j) {
      const std::string s = std::to_string(j + 1);
      const auto& c = f.coefficients[static_cast<std::size_t>(j)];
      compare("estimate", c.estimate, rc.at("estimate." + s), fit_tol, rc.key);
      compare("se", c.se, rc.at("se." + s), fit_tol, rc.key);
      compare("stat", c.statistic, rc.at("stat." + s), fit_tol, rc.key);
      compare("p", c.p, rc.at("p." + s), fit_tol, rc.key);
      compare("ci_lower", c.ci_lower, rc.at("ci_lower." + s), fit_tol, rc.key);
      compare("ci_upper", c.ci_upper, rc.at("ci_upper." + s), fit_tol, rc.key);
    }
    compare("I2", f.I2, rc.at("I2"), fit_tol, rc.key);
    compare("H2", f.H2, rc.at("H2"), fit_tol, rc.key);
    compare("QM", f.QM, rc.at("QM"), fit_tol, rc.key);
    compare("QM_df", f.QM_df, rc.at("QM_df"), test::closed_form, rc.key);
    compare("QM_df2", f.QM_df2, rc.at("QM_df2"), test::closed_form, rc.key);
    compare("QM_p", f.QM_p, rc.at("QM_p"), fit_tol, rc.key);
    compare("df", f.df, rc.at("ddf"), test::closed_form, rc.key);
    compare("QE", r.QE, rc.at("QE"), test::closed_form, rc.key);
    compare("QE_df", r.QE_df, rc.at("QE_df"), test::closed_form, rc.key);
    compare("QE_p", r.QE_p, rc.at("QE_p"), test::closed_form, rc.key);
    compare("vt", r.typical_v, rc.at("vt"), test::closed_form, rc.key);
    for (std::size_t i = 0; i < pr.rows.size(); ++i) {
      const std::string s = std::to_string(pr.rows[i] + 1);
      compare("hat", f.hat[i], rc.at("hat." + s), fit_tol, rc.key);
      compare("fitted", f.fitted[i], rc.at("fitted." + s), fit_tol, rc.key);
    }
    for (std::size_t row = 0; row < t.rows.size(); ++row) {  // rows metafor omitted, we left out too
      const bool ours = std::find(pr.rows.begin(), pr.rows.end(), row) != pr.rows.end();
      EXPECT_EQ(ours, !std::isnan(rc.at("hat." + std::to_string(row + 1)))) << rc.key << " row " << row + 1;
    }
    ++compared;
  }
  EXPECT_GT(compared, 0);
  std::printf(
      "[ reference ] regression %s: %d cases compared, %d centred (metafor) no-intercept cases shown to differ\n",
      ds.name.c_str(), compared, centred_checked);
  for (const auto& s : skipped) std::printf("[ skipped   ] %s: %s\n", ds.name.c_str(), s.c_str());
  for (const auto& [stat, w] : worst()) {
    std::printf("[ worst     ] %s %-10s rel. error %9.3g  %s\n", ds.name.c_str(), stat.c_str(), w.rel, w.where.c_str());
  }
}

[[maybe_unused]] const bool error_table_printed = test::print_error_table_at_exit();

INSTANTIATE_TEST_SUITE_P(Datasets, MetaforRegression, ::testing::ValuesIn(datasets), [](const auto& param_info) {
  return (param_info.param.reference == "metafor_regression_" ? "" : "formula_") + param_info.param.name;
});

// Column names and order of formula terms as R's model.matrix gives them (metafor 3.8.1
// colnames(rma(yi, vi, mods = ~ <model>, data = bcg)$X), printed by tools/reference/regression_formula.R).
TEST(RegressionFormula, ColumnsAreNamedAndOrderedAsR) {
  const io::table t = read_data("bcg_mods");
  const std::vector<std::pair<std::string, std::vector<std::string>>> expected{
      {"ablat*year", {"intrcpt", "ablat", "year", "ablat:year"}},
      {"ablat:year+alloc", {"intrcpt", "allocrandom", "allocsystematic", "ablat:year"}},
      {"ablat*factor(alloc)",
       {"intrcpt", "ablat", "factor(alloc)random", "factor(alloc)systematic", "ablat:factor(alloc)random",
        "ablat:factor(alloc)systematic"}},
      {"ablat:factor(alloc)",
       {"intrcpt", "ablat:factor(alloc)alternate", "ablat:factor(alloc)random", "ablat:factor(alloc)systematic"}},
      {"ablat+factor(alloc):ablat", {"intrcpt", "ablat", "ablat:factor(alloc)random", "ablat:factor(alloc)systematic"}},
      {"ablat+I(ablat^2)", {"intrcpt", "ablat", "I(ablat^2)"}},
      {"poly(ablat;2)", {"intrcpt", "poly(ablat, 2)1", "poly(ablat, 2)2"}},
      {"poly(ablat;2;raw=TRUE)", {"intrcpt", "poly(ablat, 2, raw = TRUE)1", "poly(ablat, 2, raw = TRUE)2"}},
      {"ablat+ablat:year+ablat:year:alloc",
       {"intrcpt", "ablat", "ablat:year", "ablat:year:allocrandom", "ablat:year:allocsystematic"}}};
  for (const auto& [model, names] : expected) {
    const prepared p = prepare(t, effects::measure::RR, parse_model(model));
    EXPECT_EQ(p.d.x.names, names) << model;
  }
}

// Malformed terms are usage errors naming the term; a poly() degree must stay below the number of
// distinct values (R's poly refuses it too); a power of a text column is an input error.
TEST(RegressionFormula, BadTermsAreRefused) {
  const io::table t = read_data("bcg_mods");
  auto build = [&](std::vector<std::string> mods) {
    pipeline::design_options o;
    o.moderators = std::move(mods);
    return prepare(t, effects::measure::RR, o);
  };
  EXPECT_THROW((void)build({"poly(ablat)"}), usage_error);
  EXPECT_THROW((void)build({"poly(ablat, 0)"}), usage_error);
  EXPECT_THROW((void)build({"poly(ablat, 2, raw = maybe)"}), usage_error);
  EXPECT_THROW((void)build({"I(ablat)"}), usage_error);
  EXPECT_THROW((void)build({"ablat:"}), usage_error);
  EXPECT_THROW((void)build({"ablat:nosuch"}), input_error);
  EXPECT_THROW((void)build({"I(alloc^2)"}), input_error);
  EXPECT_THROW((void)build({"poly(alloc, 3)"}), input_error);
  try {
    (void)build({"poly(ablat, 13)"});  // 13 studies, fewer distinct latitudes
    ADD_FAILURE() << "poly degree above the distinct values accepted";
  } catch (const usage_error& e) {
    EXPECT_NE(std::string(e.what()).find("distinct values"), std::string::npos) << e.what();
  }
}

// metafor's exact permutest (all 2520 distinct arrangements of the first 7 rows of dat.bcg, ablat
// has one tie) with tight control: the p-values are ratios of counts and must agree exactly.
TEST(MetaforRegression, ExactPermutationTestMatchesPermutest) {
  const auto cases = test::read_reference(std::string(METASIFT_REFERENCE_DIR) + "/metafor_regression_bcg_mods.csv");
  const io::table t = read_data("bcg_mods");
  int seen = 0;
  for (const auto& rc : cases) {
    if (rc.variant != "ablat/rows1-7") continue;
    const prepared pr = prepare(t, effects::measure::RR, parse_model("ablat"), 7);
    ASSERT_EQ(pr.y.size(), 7U);
    models::model_spec spec;
    spec.est = models::method::REML;
    spec.test = rc.test == "knha" ? models::ci_method::hk : models::ci_method::z;
    const models::regression_result r = models::fit_regression(pr.y, pr.v, pr.d.x, spec);
    compare("stat", r.coefficients[0].statistic, rc.at("stat.1"), test::tight_iterative, rc.key);
    compare("stat", r.coefficients[1].statistic, rc.at("stat.2"), test::tight_iterative, rc.key);
    compare("QM", r.QM, rc.at("QM"), test::tight_iterative, rc.key);
    models::permutation_options opt;
    opt.iterations = 5040;
    const models::permutation_result perm = models::permutation_test(pr.y, pr.v, pr.d.x, spec, opt);
    EXPECT_TRUE(perm.exact);
    EXPECT_EQ(perm.iterations, static_cast<int>(rc.at("iterations")));
    EXPECT_EQ(perm.failed, 0);
    test::record_error("permutest p-values", test::closed_form, perm.p[0], rc.at("p_perm.1"), rc.key + " p_perm.1");
    test::record_error("permutest p-values", test::closed_form, perm.p[1], rc.at("p_perm.2"), rc.key + " p_perm.2");
    test::record_error("permutest p-values", test::closed_form, perm.QM_p, rc.at("QM_p_perm"), rc.key + " QM_p_perm");
    EXPECT_NEAR(perm.p[0], rc.at("p_perm.1"), 1e-12) << rc.key;
    EXPECT_NEAR(perm.p[1], rc.at("p_perm.2"), 1e-12) << rc.key;
    EXPECT_NEAR(perm.QM_p, rc.at("QM_p_perm"), 1e-12) << rc.key;
    ++seen;
  }
  EXPECT_EQ(seen, 2);
}

// ---------------------------------------------------------------------------------------------
// Identities.

// Agreement between two fits of the same model (rounding only).
constexpr tolerance agree_10{1e-10, 1e-14};
constexpr tolerance agree_9{1e-9, 1e-13};
constexpr tolerance agree_9b{1e-9, 1e-12};
constexpr tolerance agree_8{1e-8, 1e-13};
constexpr tolerance agree_8b{1e-8, 1e-12};
constexpr tolerance agree_7{1e-7, 1e-9};

const std::vector<models::method> all_methods{models::method::EE, models::method::DL, models::method::REML,
                                              models::method::ML, models::method::PM, models::method::HE,
                                              models::method::SJ, models::method::HS, models::method::EB};

models::design intercept_only(std::size_t k) {
  models::design x;
  x.rows = k;
  x.cols = 1;
  x.names = {"intrcpt"};
  x.x.assign(k, 1.0);
  return x;
}

struct synthetic {
  std::vector<double> y, v;
  models::design x;
};

/// k studies with two moderators and true tau^2 0.05 (log-uniform v over three decades).
synthetic make_synthetic(std::size_t k, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> n(0.0, 1.0);
  synthetic s;
  s.x.rows = k;
  s.x.cols = 3;
  s.x.names = {"intrcpt", "a", "b"};
  for (std::size_t i = 0; i < k; ++i) {
    const double a = 20.0 + 30.0 * u(gen);
    const double b = u(gen) < 0.5 ? 0.0 : 1.0;
    const double v = std::pow(10.0, -3.0 + 2.0 * u(gen));
    s.v.push_back(v);
    s.y.push_back(0.2 - 0.01 * a + 0.3 * b + std::sqrt(0.05 + v) * n(gen));
    s.x.x.insert(s.x.x.end(), {1.0, a, b});
  }
  return s;
}

TEST(RegressionIdentities, InterceptOnlyEqualsFit) {
  const io::table t = io::read_table(std::string(METASIFT_TEST_DATA_DIR) + "/bcg.csv");
  const effects::raw_data raw = pipeline::extract(t, effects::measure::RR, {});
  const effects::effect_table table = effects::compute(effects::measure::RR, raw, {});
  for (auto m : all_methods) {
    for (auto test : {models::ci_method::z, models::ci_method::hk}) {
      models::model_spec spec;
      spec.est = m;
      spec.test = test;
      const models::meta_result a = models::fit(table.yi, table.vi, table.labels, spec);
      const models::regression_result b =
          models::fit_regression(table.yi, table.vi, intercept_only(table.yi.size()), spec);
      const std::string what = std::string(models::to_string(m)) + "/" + std::string(models::to_string(test));
      ASSERT_EQ(b.coefficients.size(), 1U) << what;
      EXPECT_WITHIN(b.tau2, a.het.tau2, test::tight_iterative) << what;
      EXPECT_WITHIN(b.coefficients[0].estimate, a.pooled.estimate, test::tight_iterative) << what;
      EXPECT_WITHIN(b.coefficients[0].se, a.pooled.se, test::tight_iterative) << what;
      EXPECT_WITHIN(b.coefficients[0].p, a.pooled.p, test::tight_iterative) << what;
      EXPECT_WITHIN(b.coefficients[0].ci_lower, a.pooled.ci_lower, test::tight_iterative) << what;
      EXPECT_WITHIN(b.QE, a.het.Q, test::closed_form) << what;
      EXPECT_WITHIN(b.QE_p, a.het.p, test::closed_form) << what;
      EXPECT_WITHIN(b.I2, a.het.I2, test::tight_iterative) << what;
      EXPECT_WITHIN(b.H2, a.het.H2, test::tight_iterative) << what;
      EXPECT_WITHIN(b.typical_v, a.het.typical_v, test::closed_form) << what;
      if (models::is_random_effects(m)) {
        EXPECT_WITHIN(b.tau2_se, a.het.tau2_se, test::tight_iterative) << what;
      }
      EXPECT_TRUE(std::isnan(b.R2)) << what;  // no moderators: metafor reports no R^2
      // QM of an intercept-only model tests the intercept (metafor's btt = 1): z^2.
      EXPECT_WITHIN(b.QM, a.pooled.statistic * a.pooled.statistic, test::tight_iterative) << what;
    }
  }
}

/// tau^2 is estimated by one estimator for both paths (the intercept-only model is the design
/// X = 1), so with an intercept-only design the regression must reproduce the plain fit to rounding:
/// tau^2, its SE, the estimate and its SE within 1e-12 relative, and an exact 0 at the boundary.
/// The data sets cover interior optima (BCG, a generated one), a boundary where every estimator
/// but SJ gives 0 (spread well below the sampling error), and identical effects (SJ gives 0 too).
TEST(RegressionIdentities, InterceptOnlyTau2IsTheFitsToRounding) {
  constexpr tolerance rounding{1e-12, 1e-15};
  struct data {
    std::string name;
    std::vector<double> y, v;
    bool boundary_all = false;     ///< every estimator's tau^2 is 0 (identical effects)
    bool boundary_but_sj = false;  ///< every estimator but SJ gives 0
  };
  std::vector<data> sets;
  {
    const io::table t = io::read_table(std::string(METASIFT_TEST_DATA_DIR) + "/bcg.csv");
    const effects::raw_data raw = pipeline::extract(t, effects::measure::RR, {});
    const effects::effect_table table = effects::compute(effects::measure::RR, raw, {});
    sets.push_back({"bcg", table.yi, table.vi});
  }
  {
    const synthetic s = make_synthetic(25, 7);
    sets.push_back({"generated k=25", s.y, s.v});
  }
  {
    // Effects within +-0.01 of 0.3 with variances 0.05-0.2: Q(0) is far below k - 1, the HE
    // moment below the mean variance, and every score is negative at 0.
    data d{"homogeneous", {}, {}, false, true};
    for (int i = 0; i < 8; ++i) {
      d.y.push_back(0.3 + 0.01 * ((i % 3) - 1));
      d.v.push_back(0.05 + 0.15 * static_cast<double>(i) / 7.0);
    }
    sets.push_back(d);
  }
  sets.push_back({"identical effects", {0.5, 0.5, 0.5, 0.5}, {0.1, 0.2, 0.05, 0.3}, true, true});

  for (const auto& d : sets) {
    for (auto m : all_methods) {
      if (!models::is_random_effects(m)) continue;
      models::model_spec spec;
      spec.est = m;
      const models::meta_result a = models::fit(d.y, d.v, {}, spec);
      const models::regression_result b = models::fit_regression(d.y, d.v, intercept_only(d.y.size()), spec);
      const std::string what = d.name + " " + std::string(models::to_string(m));
      ASSERT_EQ(b.coefficients.size(), 1U) << what;
      EXPECT_WITHIN(b.tau2, a.het.tau2, rounding) << what;
      EXPECT_WITHIN(b.tau2_se, a.het.tau2_se, rounding) << what;
      EXPECT_WITHIN(b.coefficients[0].estimate, a.pooled.estimate, rounding) << what;
      EXPECT_WITHIN(b.coefficients[0].se, a.pooled.se, rounding) << what;
      EXPECT_EQ(b.status, a.status) << what;
      EXPECT_EQ(b.conv.used_fallback, a.conv.used_fallback) << what;
      if (d.boundary_all || (d.boundary_but_sj && m != models::method::SJ)) {
        EXPECT_EQ(a.het.tau2, 0.0) << what;
        EXPECT_EQ(b.tau2, 0.0) << what;
        EXPECT_EQ(a.status, fit_status::boundary) << what;
      } else {
        EXPECT_GT(a.het.tau2, 0.0) << what;
      }
    }
  }
}

TEST(RegressionIdentities, ReorderingStudiesChangesNothing) {
  const synthetic s = make_synthetic(40, 7);
  std::vector<std::size_t> perm(40);
  std::iota(perm.begin(), perm.end(), std::size_t{0});
  std::mt19937 gen(3);
  std::shuffle(perm.begin(), perm.end(), gen);
  synthetic q = s;
  for (std::size_t i = 0; i < 40; ++i) {
    q.y[i] = s.y[perm[i]];
    q.v[i] = s.v[perm[i]];
    for (std::size_t j = 0; j < 3; ++j) q.x.x[i * 3 + j] = s.x.x[perm[i] * 3 + j];
  }
  for (auto m : all_methods) {
    models::model_spec spec;
    spec.est = m;
    const auto a = models::fit_regression(s.y, s.v, s.x, spec);
    const auto b = models::fit_regression(q.y, q.v, q.x, spec);
    const std::string what(models::to_string(m));
    EXPECT_WITHIN(b.tau2, a.tau2, agree_9) << what;
    for (std::size_t j = 0; j < 3; ++j) {
      EXPECT_WITHIN(b.coefficients[j].estimate, a.coefficients[j].estimate, agree_9) << what;
      EXPECT_WITHIN(b.coefficients[j].se, a.coefficients[j].se, agree_9) << what;
    }
    EXPECT_WITHIN(b.QM, a.QM, agree_9) << what;
    EXPECT_WITHIN(b.QE, a.QE, agree_9) << what;
    EXPECT_WITHIN(b.R2, a.R2, agree_7) << what;
    for (std::size_t i = 0; i < 40; ++i) EXPECT_WITHIN(b.hat[i], a.hat[perm[i]], agree_9) << what;
  }
}

// Reparametrising a moderator (x -> c x + d) changes only its coefficient (by 1/c) and the
// intercept; tau^2, QM, QE, fitted values and hat values are invariant.
TEST(RegressionIdentities, AffineModeratorChangeIsAReparametrisation) {
  const synthetic s = make_synthetic(30, 11);
  synthetic q = s;
  for (std::size_t i = 0; i < 30; ++i) q.x.x[i * 3 + 1] = 1000.0 + 4.0 * s.x.x[i * 3 + 1];
  for (auto m : all_methods) {
    models::model_spec spec;
    spec.est = m;
    const auto a = models::fit_regression(s.y, s.v, s.x, spec);
    const auto b = models::fit_regression(q.y, q.v, q.x, spec);
    const std::string what(models::to_string(m));
    EXPECT_WITHIN(b.tau2, a.tau2, agree_8) << what;
    EXPECT_WITHIN(4.0 * b.coefficients[1].estimate, a.coefficients[1].estimate, agree_8) << what;
    EXPECT_WITHIN(b.coefficients[1].statistic, a.coefficients[1].statistic, agree_8) << what;
    EXPECT_WITHIN(b.coefficients[2].estimate, a.coefficients[2].estimate, agree_8) << what;
    EXPECT_WITHIN(b.QM, a.QM, agree_8) << what;
    EXPECT_WITHIN(b.QE, a.QE, agree_8) << what;
    for (std::size_t i = 0; i < 30; ++i) {
      EXPECT_WITHIN(b.fitted[i], a.fitted[i], agree_8b) << what;
      EXPECT_WITHIN(b.hat[i], a.hat[i], agree_8b) << what;
    }
  }
}

/// y'P(tau2)y of the fit with tau^2 fixed, read off the Hartung-Knapp scale factor
/// s^2 = y'Py / (k - p) = (se_hk / se_z)^2.
double generalised_q(const synthetic& s, double tau2) {
  models::model_spec z;
  z.tau2_fixed = tau2;
  models::model_spec hk = z;
  hk.test = models::ci_method::hk;
  const double se_z = models::fit_regression(s.y, s.v, s.x, z).coefficients[0].se;
  const double se_hk = models::fit_regression(s.y, s.v, s.x, hk).coefficients[0].se;
  return std::pow(se_hk / se_z, 2) * (static_cast<double>(s.y.size()) - 3.0);
}

// PM solves y'P(tau^2)y = k - p; so does EB (y'Py k/(k-p) = k), so the two agree.
TEST(RegressionIdentities, PauleMandelAndEmpiricalBayesSolveTheirEquation) {
  int interior = 0;
  for (unsigned seed = 1; seed <= 60; ++seed) {
    const synthetic s = make_synthetic(8 + seed % 40, seed);
    const double df = static_cast<double>(s.y.size()) - 3.0;
    models::model_spec pm, eb;
    pm.est = models::method::PM;
    eb.est = models::method::EB;
    const auto a = models::fit_regression(s.y, s.v, s.x, pm);
    const auto b = models::fit_regression(s.y, s.v, s.x, eb);
    EXPECT_WITHIN(b.tau2, a.tau2, agree_9b) << seed;
    if (a.tau2 > 0) {
      ++interior;
      EXPECT_NEAR(generalised_q(s, a.tau2), df, 1e-9 * df) << seed;
    } else {
      EXPECT_LE(generalised_q(s, 0.0), df) << seed;
    }
  }
  EXPECT_GT(interior, 30);
}

TEST(RegressionIdentities, AliasedColumnIsDroppedAndNamed) {
  synthetic s = make_synthetic(20, 5);
  models::design x = s.x;  // add c = 2a - b, aliased
  x.cols = 4;
  x.names.push_back("c");
  x.x.clear();
  for (std::size_t i = 0; i < 20; ++i) {
    const double a = s.x.x[i * 3 + 1], b = s.x.x[i * 3 + 2];
    x.x.insert(x.x.end(), {1.0, a, b, 2.0 * a - b});
  }
  models::model_spec spec;
  const auto with = models::fit_regression(s.y, s.v, x, spec);
  const auto without = models::fit_regression(s.y, s.v, s.x, spec);
  ASSERT_EQ(with.dropped, std::vector<std::string>{"c"});
  EXPECT_EQ(with.status, fit_status::degenerate);
  ASSERT_EQ(with.coefficients.size(), 3U);
  EXPECT_NE(with.notes.items.front().find("'c'"), std::string::npos) << with.notes.items.front();
  EXPECT_WITHIN(with.tau2, without.tau2, agree_10);
  EXPECT_WITHIN(with.coefficients[1].estimate, without.coefficients[1].estimate, agree_10);
  // A constant column is aliased with the intercept.
  models::design y = s.x;
  for (std::size_t i = 0; i < 20; ++i) y.x[i * 3 + 2] = 3.0;
  const auto constant = models::fit_regression(s.y, s.v, y, spec);
  EXPECT_EQ(constant.dropped, std::vector<std::string>{"b"});
}

TEST(RegressionIdentities, TooFewStudiesGiveAStatusNotACrash) {
  synthetic s = make_synthetic(3, 9);
  for (auto m : all_methods) {
    models::model_spec spec;
    spec.est = m;
    const auto r = models::fit_regression(s.y, s.v, s.x, spec);  // k = p = 3
    EXPECT_EQ(r.status, fit_status::degenerate) << models::to_string(m);
    EXPECT_FALSE(r.notes.empty());
    EXPECT_EQ(r.QE_df, 0.0);
  }
  // k = 2 < 3 columns: the third is aliased (as lm's NA coefficient in metafor), then k = p.
  synthetic t2 = make_synthetic(2, 9);
  const auto r = models::fit_regression(t2.y, t2.v, t2.x, {});
  EXPECT_EQ(r.status, fit_status::degenerate);
  EXPECT_EQ(r.dropped, std::vector<std::string>{"b"});
  EXPECT_EQ(r.p, 2);
  // No coefficient at all is identified without studies.
  models::design none = t2.x;
  none.rows = 0;
  none.x.clear();
  const auto empty = models::fit_regression({}, {}, none, {});
  EXPECT_EQ(empty.status, fit_status::degenerate);
}

// Full dummy coding without an intercept spans the constant: centring is exact there, so the
// model equals the treatment-coded one with an intercept.
TEST(RegressionIdentities, FullDummyCodingEqualsTreatmentCoding) {
  const io::table t = read_data("bcg_mods");
  pipeline::design_options with;
  with.moderators = {"alloc"};
  pipeline::design_options without = with;
  without.intercept = false;
  const prepared a = prepare(t, effects::measure::RR, with);
  const prepared b = prepare(t, effects::measure::RR, without);
  ASSERT_EQ(b.d.x.names, (std::vector<std::string>{"allocalternate", "allocrandom", "allocsystematic"}));
  ASSERT_EQ(a.d.factors.at(0).reference, "alternate");
  for (auto m : all_methods) {
    models::model_spec spec;
    spec.est = m;
    const auto ra = models::fit_regression(a.y, a.v, a.d.x, spec);
    const auto rb = models::fit_regression(b.y, b.v, b.d.x, spec);
    EXPECT_WITHIN(rb.tau2, ra.tau2, agree_9) << models::to_string(m);
    EXPECT_WITHIN(rb.QE, ra.QE, agree_9) << models::to_string(m);
    EXPECT_WITHIN(rb.coefficients[0].estimate, ra.coefficients[0].estimate, agree_9);
    EXPECT_WITHIN(rb.coefficients[1].estimate, ra.coefficients[0].estimate + ra.coefficients[1].estimate, agree_9);
  }
}

TEST(Permutations, SeededRunsAreReproducibleAndObservedCounts) {
  const synthetic s = make_synthetic(25, 21);
  models::model_spec spec;
  models::permutation_options opt;
  opt.iterations = 200;
  opt.seed = 42;
  const auto a = models::permutation_test(s.y, s.v, s.x, spec, opt);
  const auto b = models::permutation_test(s.y, s.v, s.x, spec, opt);
  EXPECT_FALSE(a.exact);
  EXPECT_EQ(a.iterations, 200);
  EXPECT_EQ(a.p, b.p);
  EXPECT_EQ(a.QM_p, b.QM_p);
  for (double p : a.p) {
    EXPECT_GE(p, 1.0 / 200.0);  // the observed arrangement counts
    EXPECT_LE(p, 1.0);
  }
  opt.seed = 43;
  const auto c = models::permutation_test(s.y, s.v, s.x, spec, opt);
  EXPECT_NE(a.p, c.p);
  EXPECT_THROW((void)models::permutation_test(s.y, s.v, s.x, spec, {1, 1, true}), usage_error);
}

TEST(Permutations, ExactSignFlipsForAnInterceptOnlyModel) {
  const std::vector<double> y{0.3, 0.1, 0.5, -0.2, 0.4, 0.25};
  const std::vector<double> v{0.01, 0.02, 0.015, 0.03, 0.02, 0.01};
  models::model_spec spec;
  spec.est = models::method::DL;
  const auto r = models::permutation_test(y, v, intercept_only(6), spec, {1000, 1, true});
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.iterations, 64);
  // Flipping every sign gives the same |z|: at least the observed and its mirror image count.
  EXPECT_GE(r.p[0], 2.0 / 64.0);
}

}  // namespace
}  // namespace metasift
