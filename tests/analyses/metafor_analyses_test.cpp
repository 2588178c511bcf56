// The bias, trim-and-fill, influence (with the Baujat coordinates) and cumulative analyses against metafor 3.8.1
// (tests/reference/metafor_analyses_<dataset>.csv, written by tools/reference/analyses_bias.R).
//
// Tolerances (tests/support/tolerance.hpp, the policy of tests/models/metafor_reference_test.cpp):
//  - statistics without an iterative step -- regtest with model "lm" (classical Egger, PET, PEESE),
//    ranktest, fsn, and every analysis of the DL and EE models, including trim-and-fill's k0 and
//    filled studies: closed_form (1e-9 relative);
//  - REML: the references are metafor run with control threshold = tol = 1e-12 (also passed to
//    trimfill, which does not reuse the model's control); tau^2 and everything that depends on it:
//    tight_iterative (1e-7 relative, absolute floor 1e-10). Where metafor's REML stops at the
//    boundary it creeps to a tiny positive tau^2 while metasift stops at exactly 0; those values are
//    covered by the absolute floor (tau^2, and I^2 at its scale, see compare()).
// The worst relative error per statistic is printed with each dataset's test.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "metasift/analyses/bias.hpp"
#include "metasift/analyses/cumulative.hpp"
#include "metasift/analyses/influence.hpp"
#include "metasift/analyses/trimfill.hpp"
#include "metasift/io/table.hpp"
#include "metasift/models/fit.hpp"
#include "metasift/pipeline/study_data.hpp"
#include "support/error_table.hpp"
#include "support/reference.hpp"
#include "support/tolerance.hpp"

namespace metasift {
namespace {

using test::reference_case;

struct dataset {
  std::string name;
  std::string measure;
};
void PrintTo(const dataset& d, std::ostream* os) {
  *os << d.name << " (" << d.measure << ")";
}

const std::vector<dataset> datasets{
    {"bcg", "RR"}, {"fig1", "MD"}, {"normand1999", "MD"}, {"hackshaw1998", "GEN"}, {"molloy2014", "ZCOR"}};

struct worst_error {
  double rel = 0;
  std::string where;
};
std::map<std::string, worst_error>& worst() {
  static std::map<std::string, worst_error> w;
  return w;
}

/// The family of statistic a case belongs to, for the error table (docs/validation.md): the
/// analysis field of the case key measure|method|test|analysis|control.
std::string family_of(const std::string& where) {
  std::string f = where;
  for (int i = 0; i < 3; ++i) f = f.substr(std::min(f.size(), f.find('|') + 1));
  f = f.substr(0, f.find('|'));
  if (f == "regtest.lm.sei") return "regtest lm (Egger), PET";
  if (f == "regtest.lm.vi") return "regtest lm on vi (PEESE)";
  if (f == "regtest.rma") return "regtest rma (mixed-effects Egger)";
  if (f == "model") return "rma (intercept only)";
  return f.substr(0, f.find('.'));  // trimfill, fsn, cumul; ranktest, leave1out, influence, baujat
}

void compare(const std::string& stat, double ours, double theirs, tolerance tol, const std::string& where) {
  test::record_error(family_of(where), tol, ours, theirs, where + " " + stat);
  // Relative error, except at rounding level where only the absolute floor is meaningful.
  const double e = std::max(std::abs(ours), std::abs(theirs)) > 1e-8 ? relative_error(ours, theirs) : 0.0;
  // Iterative (REML) and closed-form cases are reported apart: their tolerances differ.
  auto& w = worst()[where.find("|REML|") != std::string::npos ? stat + " (REML)" : stat];
  if (e > w.rel) w = {e, where};
  EXPECT_WITHIN(ours, theirs, tol) << where << " stat " << stat;
}

struct studies {
  std::vector<double> y, v;
  std::vector<std::string> labels;
};

studies load(const dataset& d) {
  const io::table t = io::read_table(std::string(METASIFT_TEST_DATA_DIR) + "/" + d.name + ".csv");
  const auto m = effects::parse_measure(d.measure);
  const effects::effect_table e = effects::compute(*m, pipeline::extract(t, *m, {}), {});
  EXPECT_TRUE(e.excluded.empty());
  return {e.yi, e.vi, e.labels};
}

/// Year from a "author, year" label (dat.bcg).
double year_of(const std::string& label) {
  return std::stod(label.substr(label.rfind(", ") + 2));
}

models::model_spec spec_of(const reference_case& rc) {
  models::model_spec spec;
  spec.est = *models::parse_method(rc.method);
  spec.test = rc.test == "knha" ? models::ci_method::hk : models::ci_method::z;
  spec.pi = rc.test == "knha" ? models::pi_method::t_k1 : models::pi_method::z;
  return spec;
}

std::string idx(const std::string& stat, std::size_t i) {
  return stat + "." + std::to_string(i + 1);
}

/// Checks one per-study or per-step vector stat, when present in the case.
template <typename Row, typename Get>
void compare_rows(const reference_case& rc, const std::string& stat, const std::vector<Row>& rows, Get get,
                  tolerance tol) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!rc.has(idx(stat, i))) continue;
    compare(stat, get(rows[i]), rc.at(idx(stat, i)), tol, rc.key + " #" + std::to_string(i + 1));
  }
}

class MetaforAnalyses : public ::testing::TestWithParam<dataset> {};

TEST_P(MetaforAnalyses, AgreesOnEveryCase) {
  const dataset d = GetParam();
  worst().clear();
  const auto cases = test::read_reference(std::string(METASIFT_REFERENCE_DIR) + "/metafor_analyses_" + d.name + ".csv");
  const studies s = load(d);
  const std::size_t k = s.y.size();
  int compared = 0;
  analyses::bias_result model_free = analyses::small_study_tests(s.y, s.v, models::model_spec{});

  for (const auto& rc : cases) {
    SCOPED_TRACE(d.name + " " + rc.key);
    ASSERT_TRUE(rc.error.empty()) << rc.error;
    ASSERT_EQ(rc.measure, d.measure);
    const std::string& a = rc.variant;  // the analysis
    const tolerance cf = test::closed_form;
    ++compared;
    auto check_line = [&](const analyses::wls_line& f) {
      compare("lm.stat", f.b1_t, rc.at("stat"), cf, rc.key);
      compare("lm.p", f.b1_p, rc.at("p"), cf, rc.key);
      compare("lm.df", f.df, rc.at("df"), cf, rc.key);
      compare("lm.est", f.b0, rc.at("est"), cf, rc.key);
      compare("lm.ci_lower", f.b0_ci_lower, rc.at("ci_lower"), cf, rc.key);
      compare("lm.ci_upper", f.b0_ci_upper, rc.at("ci_upper"), cf, rc.key);
      compare("lm.b0_se", f.b0_se, rc.at("b0_se"), cf, rc.key);
      compare("lm.b0_t", f.b0_t, rc.at("b0_t"), cf, rc.key);
      compare("lm.b0_p", f.b0_p, rc.at("b0_p"), cf, rc.key);
      compare("lm.b1", f.b1, rc.at("b1"), cf, rc.key);
      compare("lm.b1_se", f.b1_se, rc.at("b1_se"), cf, rc.key);
      compare("lm.sigma2", f.sigma2, rc.at("sigma2"), cf, rc.key);
    };
    if (a == "regtest.lm.sei") {
      check_line(model_free.egger.fit);
      EXPECT_EQ(model_free.egger.t(), model_free.pet.fit.b1_t);
      continue;
    }
    if (a == "regtest.lm.vi") {
      check_line(model_free.peese.fit);
      continue;
    }
    if (a == "ranktest") {
      compare("begg.tau", model_free.begg.tau, rc.at("tau"), cf, rc.key);
      compare("begg.p", model_free.begg.p, rc.at("p"), cf, rc.key);
      continue;
    }
    if (a == "fsn.Rosenthal") {
      EXPECT_EQ(model_free.fsn.rosenthal, rc.at("fsnum"));
      compare("fsn.rosenthal_p", model_free.fsn.rosenthal_p, rc.at("p"), cf, rc.key);
      continue;
    }
    if (a == "fsn.Orwin") {
      EXPECT_EQ(model_free.fsn.orwin, rc.at("fsnum"));
      compare("fsn.orwin_mean", model_free.fsn.orwin_mean, rc.at("meanes"), cf, rc.key);
      compare("fsn.orwin_target", model_free.fsn.orwin_target, rc.at("target"), cf, rc.key);
      continue;
    }

    // Model-based analyses.
    const models::model_spec spec = spec_of(rc);
    const tolerance tol = rc.method == "REML" ? test::tight_iterative : test::closed_form;
    // I^2 is 100 tau^2 / (vt + tau^2): where metafor's boundary tau^2 is 1e-12 rather than 0, I^2 is
    // that over vt (times 100); scale the absolute floor accordingly.
    const tolerance tol_i2{tol.rel, rc.method == "REML" ? 1e-6 : tol.abs};
    const std::string m = rc.method + "." + rc.test + ".";
    if (a == "model") {
      const models::meta_result full = models::fit(s.y, s.v, s.labels, spec);
      compare(m + "estimate", full.pooled.estimate, rc.at("estimate"), tol, rc.key);
      compare(m + "se", full.pooled.se, rc.at("se"), tol, rc.key);
      compare(m + "tau2", full.het.tau2, rc.at("tau2"), tol, rc.key);
      continue;
    }
    if (a == "regtest.rma") {
      const analyses::bias_result b = analyses::small_study_tests(s.y, s.v, spec);
      const auto& e = b.egger_mixed;
      compare("egger_mixed.stat", e.statistic, rc.at("stat"), tol, rc.key);
      compare("egger_mixed.p", e.p, rc.at("p"), tol, rc.key);
      compare("egger_mixed.df", e.df, rc.at("df"), cf, rc.key);
      compare("egger_mixed.est", e.limit_estimate, rc.at("est"), tol, rc.key);
      compare("egger_mixed.ci_lower", e.limit_ci_lower, rc.at("ci_lower"), tol, rc.key);
      compare("egger_mixed.ci_upper", e.limit_ci_upper, rc.at("ci_upper"), tol, rc.key);
      compare("egger_mixed.b1", e.bias, rc.at("b1"), tol, rc.key);
      compare("egger_mixed.b1_se", e.bias_se, rc.at("b1_se"), tol, rc.key);
      compare("egger_mixed.b0_se", e.limit_se, rc.at("b0_se"), tol, rc.key);
      compare("egger_mixed.tau2", e.tau2, rc.at("tau2"), tol, rc.key);
      continue;
    }
    if (a.rfind("trimfill.", 0) == 0) {
      analyses::trimfill_options o;
      o.estimator =
          a.find(".R0.") != std::string::npos ? analyses::trimfill_estimator::R0 : analyses::trimfill_estimator::L0;
      const std::string side = a.substr(a.rfind('.') + 1);
      o.side = *analyses::parse_trimfill_side(side);
      const analyses::trimfill_result t = analyses::trim_and_fill(s.y, s.v, s.labels, spec, o);
      EXPECT_EQ(t.k0, static_cast<int>(rc.at("k0"))) << rc.key;
      EXPECT_EQ(t.side == analyses::trimfill_side::right, rc.at("side_right") == 1.0) << rc.key;
      if (rc.has("side_slope")) compare("trimfill.side_slope", t.side_slope, rc.at("side_slope"), tol, rc.key);
      compare("trimfill.se_k0", t.k0_se, rc.at("se_k0"), cf, rc.key);
      compare("trimfill.p_k0", t.k0_p, rc.at("p_k0"), cf, rc.key);
      if (t.k0 != static_cast<int>(rc.at("k0"))) continue;
      EXPECT_EQ(t.adjusted.k, static_cast<int>(rc.at("k")));
      const auto& p = t.adjusted.pooled;
      const auto& h = t.adjusted.het;
      compare("trimfill.estimate", p.estimate, rc.at("estimate"), tol, rc.key);
      compare("trimfill.se", p.se, rc.at("se"), tol, rc.key);
      compare("trimfill.stat", p.statistic, rc.at("stat"), tol, rc.key);
      compare("trimfill.p", p.p, rc.at("p"), tol, rc.key);
      compare("trimfill.ci_lower", p.ci_lower, rc.at("ci_lower"), tol, rc.key);
      compare("trimfill.ci_upper", p.ci_upper, rc.at("ci_upper"), tol, rc.key);
      compare("trimfill.tau2", h.tau2, rc.at("tau2"), tol, rc.key);
      compare("trimfill.I2", h.I2, rc.at("I2"), tol_i2, rc.key);
      compare("trimfill.H2", h.H2, rc.at("H2"), tol, rc.key);
      compare("trimfill.Q", h.Q, rc.at("Q"), tol, rc.key);
      compare("trimfill.Q_p", h.p, rc.at("Q_p"), tol, rc.key);
      compare_rows(
          rc, "fill_yi", t.filled, [](const analyses::filled_study& f) { return f.yi; }, tol);
      compare_rows(
          rc, "fill_vi", t.filled, [](const analyses::filled_study& f) { return f.vi; }, cf);
      continue;
    }
    if (a == "baujat") {
      // metafor's baujat.rma: x = (y_i - beta)^2 / (tau2 + v_i), y = (beta_(-i) - beta)^2 / Var(beta_(-i)).
      const analyses::influence_result inf = analyses::influence(s.y, s.v, s.labels, spec);
      ASSERT_EQ(inf.studies.size(), k);
      for (std::size_t i = 0; i < k; ++i) {
        ASSERT_TRUE(rc.has(idx("x", i)) && rc.has(idx("y", i))) << rc.key << " study " << i + 1;
        compare("baujat.x", inf.studies[i].baujat_x, rc.at(idx("x", i)), tol, rc.key + " #" + std::to_string(i + 1));
        compare("baujat.y", inf.studies[i].baujat_y, rc.at(idx("y", i)), tol, rc.key + " #" + std::to_string(i + 1));
      }
      continue;
    }
    if (a == "leave1out" || a == "influence") {
      const analyses::influence_result inf = analyses::influence(s.y, s.v, s.labels, spec);
      ASSERT_EQ(inf.studies.size(), k);
      using row = analyses::influence_row;
      const auto& rows = inf.studies;
      if (a == "leave1out") {
        compare_rows(
            rc, "estimate", rows, [](const row& r) { return r.estimate; }, tol);
        compare_rows(
            rc, "se", rows, [](const row& r) { return r.se; }, tol);
        compare_rows(
            rc, "stat", rows, [](const row& r) { return r.statistic; }, tol);
        compare_rows(
            rc, "p", rows, [](const row& r) { return r.p; }, tol);
        compare_rows(
            rc, "ci_lower", rows, [](const row& r) { return r.ci_lower; }, tol);
        compare_rows(
            rc, "ci_upper", rows, [](const row& r) { return r.ci_upper; }, tol);
        compare_rows(
            rc, "Q", rows, [](const row& r) { return r.Q; }, cf);
        compare_rows(
            rc, "Q_p", rows, [](const row& r) { return r.Q_p; }, cf);
        compare_rows(
            rc, "tau2", rows, [](const row& r) { return r.tau2; }, tol);
        compare_rows(
            rc, "I2", rows, [](const row& r) { return r.I2; }, tol_i2);
        compare_rows(
            rc, "H2", rows, [](const row& r) { return r.H2; }, tol);
      } else {
        compare_rows(
            rc, "rstudent", rows, [](const row& r) { return r.rstudent; }, tol);
        compare_rows(
            rc, "dffits", rows, [](const row& r) { return r.dffits; }, tol);
        compare_rows(
            rc, "cooks_d", rows, [](const row& r) { return r.cooks_d; }, tol);
        compare_rows(
            rc, "cov_ratio", rows, [](const row& r) { return r.cov_ratio; }, tol);
        compare_rows(
            rc, "tau2_del", rows, [](const row& r) { return r.tau2; }, tol);
        compare_rows(
            rc, "QE_del", rows, [](const row& r) { return r.Q; }, cf);
        compare_rows(
            rc, "hat", rows, [](const row& r) { return r.hat; }, tol);
        compare_rows(
            rc, "weight", rows, [](const row& r) { return r.weight; }, tol);
        compare_rows(
            rc, "dfbetas", rows, [](const row& r) { return r.dfbetas; }, tol);
        for (std::size_t i = 0; i < k; ++i) {
          EXPECT_EQ(rows[i].influential, rc.at(idx("inf", i)) == 1.0) << rc.key << " study " << i + 1;
        }
      }
      continue;
    }
    if (a.rfind("cumul.", 0) == 0) {
      std::vector<std::size_t> order;
      if (a == "cumul.year") {
        std::vector<double> years;
        for (const auto& l : s.labels) years.push_back(year_of(l));
        order = analyses::stable_order(years);
      }
      const analyses::cumulative_result c = analyses::cumulative(s.y, s.v, s.labels, spec, order);
      ASSERT_EQ(c.steps.size(), k);
      for (std::size_t j = 0; j < k; ++j) {
        EXPECT_EQ(static_cast<double>(c.steps[j].index + 1), rc.at(idx("study", j))) << rc.key << " step " << j + 1;
      }
      using step = analyses::cumulative_step;
      compare_rows(
          rc, "estimate", c.steps, [](const step& r) { return r.estimate; }, tol);
      compare_rows(
          rc, "se", c.steps, [](const step& r) { return r.se; }, tol);
      compare_rows(
          rc, "stat", c.steps, [](const step& r) { return r.statistic; }, tol);
      compare_rows(
          rc, "p", c.steps, [](const step& r) { return r.p; }, tol);
      compare_rows(
          rc, "ci_lower", c.steps, [](const step& r) { return r.ci_lower; }, tol);
      compare_rows(
          rc, "ci_upper", c.steps, [](const step& r) { return r.ci_upper; }, tol);
      compare_rows(
          rc, "Q", c.steps, [](const step& r) { return r.Q; }, cf);
      compare_rows(
          rc, "Q_p", c.steps, [](const step& r) { return r.Q_p; }, cf);
      compare_rows(
          rc, "tau2", c.steps, [](const step& r) { return r.tau2; }, tol);
      compare_rows(
          rc, "I2", c.steps, [](const step& r) { return r.I2; }, tol_i2);
      compare_rows(
          rc, "H2", c.steps, [](const step& r) { return r.H2; }, tol);
      continue;
    }
    --compared;
    ADD_FAILURE() << "unknown analysis in reference file: " << rc.key;
  }
  EXPECT_GT(compared, 10);
  std::printf("[ metafor  ] %s: %d cases; worst relative error per statistic:\n", d.name.c_str(), compared);
  for (const auto& [stat, w] : worst()) {
    std::printf("[ metafor  ]   %-24s %.2e  %s\n", stat.c_str(), w.rel, w.where.c_str());
  }
}

[[maybe_unused]] const bool error_table_printed = test::print_error_table_at_exit();

INSTANTIATE_TEST_SUITE_P(Datasets, MetaforAnalyses, ::testing::ValuesIn(datasets),
                         [](const ::testing::TestParamInfo<dataset>& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace metasift
