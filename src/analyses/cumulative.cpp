// Cumulative meta-analysis as metafor 3.8's cumul.rma.uni (learnt from its R source; our code):
// step i fits the model (same method, test and level) to the first i studies of the order.

#include "metasift/analyses/cumulative.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "common.hpp"

namespace metasift::analyses {

std::vector<std::size_t> stable_order(std::span<const double> key, bool decreasing) {
  std::vector<std::size_t> idx(key.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    const bool na = std::isnan(key[a]), nb = std::isnan(key[b]);
    if (na || nb) return !na && nb;  // NaN last
    return decreasing ? key[a] > key[b] : key[a] < key[b];
  });
  return idx;
}

cumulative_result cumulative(std::span<const double> y, std::span<const double> v,
                             const std::vector<std::string>& labels, const models::model_spec& spec,
                             std::span<const std::size_t> order) {
  detail::check_inputs(y, v, spec, "cumulative");
  const std::size_t k = y.size();
  if (!labels.empty() && labels.size() != k) throw error("cumulative: labels and y differ in length");
  std::vector<std::size_t> ord;
  if (order.empty()) {
    ord.resize(k);
    std::iota(ord.begin(), ord.end(), std::size_t{0});
  } else {
    if (order.size() != k) throw error("cumulative: the order is not a permutation of the studies");
    std::vector<bool> seen(k, false);
    for (std::size_t i : order) {
      if (i >= k || seen[i]) throw error("cumulative: the order is not a permutation of the studies");
      seen[i] = true;
    }
    ord.assign(order.begin(), order.end());
  }
  cumulative_result r;
  r.spec = spec;
  r.k = static_cast<int>(k);
  r.steps.resize(k);
  if (k == 0) {
    r.status = fit_status::degenerate;
    r.notes.add("no studies");
    return r;
  }
  std::vector<double> ys(k), vs(k);
  int failed = 0;
  for (std::size_t i = 0; i < k; ++i) {
    ys[i] = y[ord[i]];
    vs[i] = v[ord[i]];
    const detail::subset_fit f =
        detail::fit_subset(std::span<const double>(ys).first(i + 1), std::span<const double>(vs).first(i + 1), spec);
    cumulative_step& s = r.steps[i];
    s.index = ord[i];
    s.label = ord[i] < labels.size() ? labels[ord[i]] : "Study " + std::to_string(ord[i] + 1);
    s.k = static_cast<int>(i + 1);
    s.estimate = f.estimate;
    s.se = f.se;
    s.statistic = f.statistic;
    s.df = f.df;
    s.p = f.p;
    s.ci_lower = f.ci_lower;
    s.ci_upper = f.ci_upper;
    s.Q = f.Q;
    s.Q_p = f.Q_p;
    s.tau2 = f.tau2;
    s.I2 = f.I2;
    s.H2 = f.H2;
    s.status = f.status;
    if (f.status == fit_status::not_converged) ++failed;
  }
  if (models::uses_t(spec.test)) {
    r.notes.add("the first step has one study: Hartung-Knapp is undefined there and z is used (as metafor)");
  }
  if (failed > 0) {
    r.status = fit_status::not_converged;
    r.notes.add(std::to_string(failed) + " cumulative fit(s) did not converge; their rows are unreliable");
  }
  return r;
}

}  // namespace metasift::analyses
