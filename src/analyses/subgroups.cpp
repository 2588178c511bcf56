// Subgroup analysis: per-level meta-analyses (models::fit) and the test of subgroup differences
// (R meta's Q.b.random; Stata's meta summarize, subgroup()). With a common tau^2, tau^2 comes from
// the meta-regression on the subgroup dummies, as metafor's rma(yi, vi, mods = ~ factor(g)).

#include "metasift/analyses/subgroups.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "metasift/core/check.hpp"
#include "metasift/core/error.hpp"
#include "metasift/math/distributions.hpp"
#include "metasift/models/fit.hpp"
#include "metasift/models/regression.hpp"

namespace metasift::analyses {
namespace {

/// The studies `idx` of `t` as a table of their own (table-level notes stay with the whole analysis).
effects::effect_table subset(const effects::effect_table& t, const std::vector<std::size_t>& idx) {
  effects::effect_table s;
  s.m = t.m;
  s.used = t.used;
  for (std::size_t i : idx) {
    s.labels.push_back(t.labels.at(i));
    s.yi.push_back(t.yi.at(i));
    s.vi.push_back(t.vi.at(i));
    if (i < t.source_row.size()) s.source_row.push_back(t.source_row[i]);
    if (i < t.corrected.size()) s.corrected.push_back(t.corrected[i]);
    if (i < t.ni.size()) s.ni.push_back(t.ni[i]);
  }
  if (t.counts) {
    effects::two_by_two c;
    for (std::size_t i : idx) {
      c.a.push_back(t.counts->a.at(i));
      c.b.push_back(t.counts->b.at(i));
      c.c.push_back(t.counts->c.at(i));
      c.d.push_back(t.counts->d.at(i));
    }
    s.counts = std::move(c);
  }
  if (t.pooled_rates) {
    // Person-time data of the chosen studies, for Mantel-Haenszel pooling of IRR/IRD.
    effects::person_time pt;
    for (std::size_t i : idx) {
      if (i >= t.source_row.size()) continue;
      for (std::size_t j = 0; j < t.pooled_source_row.size(); ++j) {
        if (t.pooled_source_row[j] != t.source_row[i]) continue;
        pt.x1.push_back(t.pooled_rates->x1.at(j));
        pt.t1.push_back(t.pooled_rates->t1.at(j));
        pt.x2.push_back(t.pooled_rates->x2.at(j));
        pt.t2.push_back(t.pooled_rates->t2.at(j));
        s.pooled_source_row.push_back(t.pooled_source_row[j]);
        s.pooled_labels.push_back(t.pooled_labels.at(j));
      }
    }
    s.pooled_rates = std::move(pt);
  }
  return s;
}

}  // namespace

subgroup_result fit_subgroups(const effects::effect_table& table, const std::vector<std::string>& group,
                              const std::vector<std::string>& levels, const models::model_spec& spec,
                              const subgroup_options& opt) {
  if (group.size() != table.yi.size()) {
    throw error("analyses::fit_subgroups: " + std::to_string(group.size()) + " group values for " +
                std::to_string(table.yi.size()) + " studies");
  }
  subgroup_result r;
  r.spec = spec;
  r.options = opt;

  std::vector<std::string> order = levels;
  if (order.empty()) {
    for (const auto& g : group) {
      if (!g.empty()) order.push_back(g);
    }
    std::sort(order.begin(), order.end());
    order.erase(std::unique(order.begin(), order.end()), order.end());
  }
  std::map<std::string, std::size_t> position;
  for (std::size_t j = 0; j < order.size(); ++j) position.emplace(order[j], j);
  std::vector<std::vector<std::size_t>> members(order.size());
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (group[i].empty()) {
      r.unassigned.push_back(i);
      continue;
    }
    const auto it = position.find(group[i]);
    if (it == position.end())
      throw error("analyses::fit_subgroups: group value '" + group[i] + "' is not among the levels");
    members[it->second].push_back(i);
  }
  for (std::size_t i : r.unassigned) {
    r.unassigned_labels.push_back(table.labels.at(i));
    r.notes.add("study '" + table.labels.at(i) + "' has no subgroup value and is in no subgroup");
  }

  // A common tau^2 from the meta-regression on the subgroup dummies (intercept + one dummy per
  // level but the first), fitted with the same estimator.
  models::model_spec group_spec = spec;
  const bool random = models::is_random_effects(spec.est);
  if (opt.common_tau2) {
    if (!random) {
      r.notes.add("a common tau^2 applies to random-effects models only; " + std::string(models::to_string(spec.est)) +
                  " has none");
    } else if (spec.tau2_fixed) {
      r.common_tau2 = *spec.tau2_fixed;
    } else {
      std::vector<double> y, v;
      models::design x;
      std::vector<std::size_t> present;
      for (std::size_t j = 0; j < order.size(); ++j) {
        if (!members[j].empty()) present.push_back(j);
      }
      x.cols = present.size();
      x.names.push_back("intrcpt");
      for (std::size_t c = 1; c < present.size(); ++c) x.names.push_back("group" + order[present[c]]);
      for (std::size_t c = 0; c < present.size(); ++c) {
        for (std::size_t i : members[present[c]]) {
          y.push_back(table.yi[i]);
          v.push_back(table.vi[i]);
          x.x.push_back(1.0);
          for (std::size_t d = 1; d < present.size(); ++d) x.x.push_back(d == c ? 1.0 : 0.0);
        }
      }
      x.rows = y.size();
      models::model_spec reg_spec = spec;
      const models::regression_result reg = models::fit_regression(y, v, x, reg_spec);
      for (const auto& n : reg.notes.items) r.notes.add("common tau^2: " + n);
      r.common_tau2 = reg.tau2;
      r.common_tau2_se = reg.tau2_se;
      if (reg.status == fit_status::not_converged || std::isnan(reg.tau2)) r.status = fit_status::not_converged;
    }
    if (random && !std::isnan(r.common_tau2)) group_spec.tau2_fixed = r.common_tau2;
  }

  std::vector<double> est, se;
  for (std::size_t j = 0; j < order.size(); ++j) {
    if (members[j].empty()) continue;
    subgroup g;
    g.name = order[j];
    g.k = static_cast<int>(members[j].size());
    g.studies = members[j];
    const effects::effect_table sub = subset(table, members[j]);
    models::model_spec s = group_spec;
    if (g.k == 1) {
      // metafor switches to the z test for k = 1 (no residual df for Hartung-Knapp).
      if (models::uses_t(s.test)) s.test = models::ci_method::z;
      r.notes.add("subgroup '" + g.name + "' has a single study: its estimate is that study's" +
                  (s.tau2_fixed ? " with the common tau^2" : "") + ", heterogeneity within it is undefined" +
                  (models::uses_t(spec.test) ? ", and its test is z instead of Hartung-Knapp" : ""));
    }
    g.fit = models::fit(sub, s);
    if (g.k == 1 && s.tau2_fixed && random) {
      // models::fit gives k = 1 tau^2 = 0; metafor keeps a fixed tau^2 for k = 1.
      g.fit.pooled = models::pool(sub.yi, sub.vi, *s.tau2_fixed, s);
      g.fit.het.tau2 = *s.tau2_fixed;
      g.fit.het.tau = std::sqrt(*s.tau2_fixed);
    }
    est.push_back(g.fit.pooled.estimate);
    se.push_back(g.fit.pooled.se);
    if (g.fit.status == fit_status::not_converged && r.status == fit_status::ok) r.status = fit_status::not_converged;
    r.groups.push_back(std::move(g));
  }
  r.test = difference_test_terms(est, se, &math::chisq_upper);
  if (r.groups.size() < 2) {
    r.notes.add("the test of subgroup differences needs at least two subgroups; found " +
                std::to_string(r.groups.size()));
    if (r.status == fit_status::ok) r.status = fit_status::degenerate;
  } else if (std::isnan(r.test.Q)) {
    r.notes.add(
        "the test of subgroup differences is undefined: fewer than two subgroups have a positive standard error");
  }
  return r;
}

}  // namespace metasift::analyses
