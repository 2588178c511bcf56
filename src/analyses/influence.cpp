// Leave-one-out and case-deletion diagnostics as metafor 3.8's leave1out.rma.uni and
// influence.rma.uni, learnt from their R sources (Viechtbauer & Cheung 2010); the code is our own.
// For the intercept-only model every matrix in influence.rma.uni is a scalar: X = 1, the hat value
// is w_i / sum w, Var(beta) = s2 / sum w, and DFBETAS uses the variance of the full data at the
// deleted fit's tau^2.

#include "metasift/analyses/influence.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "common.hpp"

namespace metasift::analyses {

influence_result influence(std::span<const double> y, std::span<const double> v, const std::vector<std::string>& labels,
                           const models::model_spec& spec) {
  detail::check_inputs(y, v, spec, "influence");
  if (!labels.empty() && labels.size() != y.size()) throw error("influence: labels and y differ in length");
  influence_result r;
  r.spec = spec;
  const std::size_t k = y.size();
  r.k = static_cast<int>(k);
  r.full = models::fit(y, v, labels, spec);
  for (const auto& n : r.full.notes.items) r.notes.add("model with all studies: " + n);
  r.studies.resize(k);
  for (std::size_t i = 0; i < k; ++i) {
    r.studies[i].label = i < labels.size() ? labels[i] : "Study " + std::to_string(i + 1);
  }
  if (k < 2) {
    r.status = fit_status::degenerate;
    r.notes.add("leave-one-out needs at least 2 studies, got k = " + std::to_string(k));
    return r;
  }
  const auto kd = static_cast<double>(k);
  r.dffits_cutoff = 3.0 * std::sqrt(1.0 / (kd - 1.0));
  r.cooks_d_cutoff = math::chisq_quantile(0.5, 1.0);
  r.hat_cutoff = 3.0 / kd;

  const double tau2 = models::is_random_effects(spec.est) ? r.full.het.tau2 : 0.0;
  const double beta = r.full.pooled.estimate;
  const double vb = r.full.pooled.se * r.full.pooled.se;  // includes the Hartung-Knapp scale
  double sum_w = 0;
  for (std::size_t i = 0; i < k; ++i) sum_w += 1.0 / (v[i] + tau2);

  // Two buffers of k - 1 studies, refilled for each deletion; the loop allocates nothing.
  std::vector<double> yd(k - 1), vd(k - 1);
  int failed = 0;
  for (std::size_t i = 0; i < k; ++i) {
    std::size_t n = 0;
    for (std::size_t j = 0; j < k; ++j) {
      if (j == i) continue;
      yd[n] = y[j];
      vd[n] = v[j];
      ++n;
    }
    const detail::subset_fit f = detail::fit_subset(yd, vd, spec);
    influence_row& row = r.studies[i];
    row.status = k == 2 ? fit_status::degenerate : f.status;
    if (f.status == fit_status::not_converged) ++failed;
    row.estimate = f.estimate;
    row.se = f.se;
    row.statistic = f.statistic;
    row.df = f.df;
    row.p = f.p;
    row.ci_lower = f.ci_lower;
    row.ci_upper = f.ci_upper;
    row.Q = f.Q;
    row.Q_p = f.Q_p;
    row.tau2 = f.tau2;
    row.I2 = f.I2;
    row.H2 = f.H2;

    const double w_i = 1.0 / (v[i] + tau2);
    row.hat = w_i / sum_w;
    row.weight = 100.0 * row.hat;
    const double vb_del = f.se * f.se;
    double resid = y[i] - f.estimate;
    if (std::abs(resid) < 100.0 * std::numeric_limits<double>::epsilon()) resid = 0.0;
    row.rstudent = resid / std::sqrt(v[i] * f.s2w + vb_del + f.tau2 * f.s2w);
    const double dfb = beta - f.estimate;
    row.dffits = dfb / std::sqrt(f.s2w * row.hat * (f.tau2 + v[i]));
    double sum_w_del = 0;  // all k studies at the deleted fit's tau^2
    for (std::size_t j = 0; j < k; ++j) sum_w_del += 1.0 / (v[j] + f.tau2);
    row.dfbetas = dfb / std::sqrt(f.s2w / sum_w_del);
    row.cooks_d = dfb * dfb / vb;
    row.cov_ratio = vb_del / vb;
    row.baujat_x = (y[i] - beta) * (y[i] - beta) / (tau2 + v[i]);
    row.baujat_y = dfb * dfb / vb_del;

    row.flag_dffits = std::abs(row.dffits) > r.dffits_cutoff;
    row.flag_cooks_d = math::chisq_upper(row.cooks_d, 1.0) < 0.5;  // pchisq(D, 1) > 0.5
    row.flag_hat = row.hat > r.hat_cutoff;
    row.flag_dfbetas = std::abs(row.dfbetas) > r.dfbetas_cutoff;
    row.influential = row.flag_dffits || row.flag_cooks_d || row.flag_hat || row.flag_dfbetas;
  }
  if (k == 2) {
    r.notes.add("k = 2: each leave-one-out fit has a single study (tau^2 = 0, z test)");
  }
  if (models::uses_t(spec.test) && k == 2) {
    r.notes.add("Hartung-Knapp is undefined for one study; the single-study fits use z (as metafor)");
  }
  if (failed > 0) {
    r.status = fit_status::not_converged;
    r.notes.add(std::to_string(failed) + " leave-one-out fit(s) did not converge; their rows are unreliable");
  } else {
    r.status = r.full.status;
  }
  return r;
}

}  // namespace metasift::analyses
