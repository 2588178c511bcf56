// Inter-rater agreement: Cohen's kappa with the Fleiss-Cohen-Everitt standard error, PABAK,
// Gwet's AC1, Fleiss' kappa, Krippendorff's alpha (nominal).
#include "metasift/review/agreement.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "metasift/math/distributions.hpp"

namespace metasift::review {
namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
}  // namespace

two_rater_agreement cohen_agreement(const std::vector<std::vector<double>>& table, double level) {
  two_rater_agreement r;
  const std::size_t q = table.size();
  double tot = 0;
  for (const auto& row : table) {
    for (const double v : row) tot += v;
  }
  r.n = static_cast<std::size_t>(std::llround(tot));
  if (q == 0 || tot <= 0) {
    r.percent_agreement = r.kappa = r.kappa_se = r.kappa_ci_lower = r.kappa_ci_upper = r.pabak = r.ac1 = nan;
    return r;
  }
  std::vector<std::vector<double>> p(q, std::vector<double>(q, 0.0));
  std::vector<double> rs(q, 0.0), cs(q, 0.0);
  for (std::size_t i = 0; i < q; ++i) {
    for (std::size_t j = 0; j < q && j < table[i].size(); ++j) {
      p[i][j] = table[i][j] / tot;
      rs[i] += p[i][j];
      cs[j] += p[i][j];
    }
  }
  double po = 0, pe = 0;
  for (std::size_t i = 0; i < q; ++i) {
    po += p[i][i];
    pe += rs[i] * cs[i];
  }
  r.percent_agreement = 100 * po;
  r.kappa = pe < 1 ? (po - pe) / (1 - pe) : nan;
  // Fleiss, Cohen and Everitt (1969), eq. 13: the variance of kappa when kappa is not 0.
  double diag = 0, off = 0;
  for (std::size_t i = 0; i < q; ++i) {
    for (std::size_t j = 0; j < q; ++j) {
      if (i == j) {
        const double t = (1 - pe) - (rs[i] + cs[i]) * (1 - po);
        diag += p[i][i] * t * t;
      } else {
        const double t = cs[i] + rs[j];
        off += p[i][j] * t * t;
      }
    }
  }
  const double last = po * pe - 2 * pe + po;
  double var = (diag + (1 - po) * (1 - po) * off - last * last) / (tot * std::pow(1 - pe, 4));
  if (!(var >= 0)) var = 0;  // rounding can make a zero variance slightly negative (psych does the same)
  r.kappa_se = std::sqrt(var);
  const double z = math::normal_quantile(1 - (1 - level) / 2);
  // psych::cohen.kappa clips the bounds to [-1, 1]; so do we, to report the same interval.
  r.kappa_ci_lower = std::clamp(r.kappa - z * r.kappa_se, -1.0, 1.0);
  r.kappa_ci_upper = std::clamp(r.kappa + z * r.kappa_se, -1.0, 1.0);
  if (std::isnan(r.kappa)) r.kappa_ci_lower = r.kappa_ci_upper = nan;
  const double qd = static_cast<double>(q);
  r.pabak = q > 1 ? (qd * po - 1) / (qd - 1) : nan;
  double pe_gwet = 0;
  for (std::size_t k = 0; k < q; ++k) {
    const double pi = (rs[k] + cs[k]) / 2;
    pe_gwet += pi * (1 - pi);
  }
  pe_gwet = q > 1 ? pe_gwet / (qd - 1) : nan;
  r.ac1 = pe_gwet < 1 ? (po - pe_gwet) / (1 - pe_gwet) : nan;
  return r;
}

double fleiss_kappa(const std::vector<std::vector<std::size_t>>& counts) {
  if (counts.empty() || counts.front().empty()) return nan;
  const std::size_t q = counts.front().size();
  std::size_t m = 0;
  for (const std::size_t c : counts.front()) m += c;
  if (m < 2) return nan;
  const double N = static_cast<double>(counts.size()), n = static_cast<double>(m);
  std::vector<double> pj(q, 0.0);
  double pbar = 0;
  for (const auto& row : counts) {
    std::size_t total = 0;
    double s = 0;
    for (std::size_t k = 0; k < q && k < row.size(); ++k) {
      total += row[k];
      pj[k] += static_cast<double>(row[k]);
      s += static_cast<double>(row[k]) * static_cast<double>(row[k]);
    }
    if (total != m || row.size() != q) return nan;  // unequal raters per item: Fleiss' kappa is undefined
    pbar += (s - n) / (n * (n - 1));
  }
  pbar /= N;
  double pe = 0;
  for (double& v : pj) {
    v /= N * n;
    pe += v * v;
  }
  return pe < 1 ? (pbar - pe) / (1 - pe) : nan;
}

double krippendorff_alpha_nominal(const std::vector<std::vector<std::optional<int>>>& units) {
  // Coincidence matrix o_ck = sum over units of (pairs of values c, k) / (m_u - 1).
  std::map<int, std::map<int, double>> o;
  for (const auto& u : units) {
    std::vector<int> v;
    for (const auto& x : u) {
      if (x) v.push_back(*x);
    }
    if (v.size() < 2) continue;
    const double w = 1.0 / static_cast<double>(v.size() - 1);
    for (std::size_t i = 0; i < v.size(); ++i) {
      for (std::size_t j = 0; j < v.size(); ++j) {
        if (i != j) o[v[i]][v[j]] += w;
      }
    }
  }
  std::map<int, double> nc;
  double n = 0, observed = 0;
  for (const auto& [c, row] : o) {
    for (const auto& [k, v] : row) {
      nc[c] += v;
      n += v;
      if (c != k) observed += v;
    }
  }
  if (n <= 1) return nan;
  double expected = 0;
  for (const auto& [c, a] : nc) {
    for (const auto& [k, b] : nc) {
      if (c != k) expected += a * b;
    }
  }
  if (expected <= 0) return nan;
  // alpha = 1 - D_o / D_e = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k
  return 1 - (n - 1) * observed / expected;
}

}  // namespace metasift::review
