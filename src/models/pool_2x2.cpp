// Mantel-Haenszel and Peto pooling of 2x2 tables and Mantel-Haenszel pooling of incidence rates,
// as metafor's rma.mh and rma.peto (3.8) with their defaults: the pooled estimate uses the raw counts
// (no continuity correction, to = "none"), while Q uses the per-study yi/vi of studies that are not
// double-zero (drop00 = TRUE).

#include <algorithm>
#include <cmath>
#include <limits>

#include "metasift/core/check.hpp"
#include "metasift/math/distributions.hpp"
#include "metasift/models/fit.hpp"
#include "result_builders.hpp"

namespace metasift::models {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

bool double_zero(double a, double b, double c, double d) {
  return (a == 0 && c == 0) || (b == 0 && d == 0);
}

struct pooled_2x2 {
  double beta = nan;
  double se = nan;
  std::vector<double> weight;  // unnormalised study weights, as metafor's weights.rma.mh / rma.peto
};

/// Mantel & Haenszel (1959) OR with the Robins-Breslow-Greenland (1986) variance; MH RR with
/// Greenland & Robins (1985) variance; MH RD with the Greenland-Robins / Sato variance (rma.mh.r).
pooled_2x2 mantel_haenszel(effects::measure m, const effects::two_by_two& t) {
  pooled_2x2 out;
  const std::size_t k = t.a.size();
  out.weight.resize(k);
  if (m == effects::measure::OR) {
    double R = 0, S = 0, PR = 0, PSQR = 0, QS = 0;
    for (std::size_t i = 0; i < k; ++i) {
      const double a = t.a[i], b = t.b[i], c = t.c[i], d = t.d[i], N = a + b + c + d;
      const double P = (a + d) / N, Q = (b + c) / N, Ri = a / N * d, Si = b / N * c;
      R += Ri;
      S += Si;
      PR += P * Ri;
      PSQR += P * Si + Q * Ri;
      QS += Q * Si;
      out.weight[i] = Si;
    }
    if (R == 0 || S == 0) return out;
    out.beta = std::log(R / S);
    out.se = std::sqrt(0.5 * (PR / (R * R) + PSQR / (R * S) + QS / (S * S)));
  } else if (m == effects::measure::RR) {
    double R = 0, S = 0, V = 0, sa = 0, sc = 0;
    for (std::size_t i = 0; i < k; ++i) {
      const double a = t.a[i], c = t.c[i], n1 = a + t.b[i], n2 = c + t.d[i], N = n1 + n2;
      R += a * (n2 / N);
      S += c * (n1 / N);
      V += (n1 / N) * (n2 / N) * (a + c) - (a / N) * c;
      sa += a;
      sc += c;
      out.weight[i] = c * (n1 / N);
    }
    if (sa == 0 || sc == 0) return out;
    out.beta = std::log(R / S);
    out.se = std::sqrt(V / (R * S));
  } else {  // RD
    double num = 0, den = 0;
    for (std::size_t i = 0; i < k; ++i) {
      const double a = t.a[i], c = t.c[i], n1 = a + t.b[i], n2 = c + t.d[i], N = n1 + n2;
      num += a * (n2 / N) - c * (n1 / N);
      den += n1 * (n2 / N);
      out.weight[i] = n1 * (n2 / N);
    }
    out.beta = num / den;
    double t1 = 0, t2 = 0;
    for (std::size_t i = 0; i < k; ++i) {
      const double a = t.a[i], c = t.c[i], n1 = a + t.b[i], n2 = c + t.d[i], N = n1 + n2;
      t1 += c * (n1 / N) * (n1 / N) - a * (n2 / N) * (n2 / N) + (n1 / N) * (n2 / N) * (n2 - n1) / 2.0;
      t2 += a * (n2 - c) / N + c * (n1 - a) / N;
    }
    out.se = std::sqrt((out.beta * t1 + t2 / 2.0) / (den * den));
  }
  return out;
}

/// Mantel-Haenszel pooling of person-time data (rma.mh.r, measures IRR and IRD): with T = t1 + t2,
/// IRR = sum(x1 t2/T) / sum(x2 t1/T) with Var(log IRR) = sum((t1/T)(t2/T)(x1 + x2)) / (R S)
/// (Greenland & Robins 1985); IRD = sum((x1 t2 - x2 t1)/T) / sum(t1 t2/T) with
/// Var = sum((t1 t2/T)^2 (x1/t1^2 + x2/t2^2)) / sum(t1 t2/T)^2. Study weights as weights.rma.mh:
/// x2 t1/T (IRR) and t1 t2/T (IRD).
pooled_2x2 mantel_haenszel_rates(effects::measure m, const effects::person_time& t) {
  pooled_2x2 out;
  const std::size_t k = t.x1.size();
  out.weight.resize(k);
  if (m == effects::measure::IRR) {
    double R = 0, S = 0, V = 0, sx1 = 0, sx2 = 0;
    for (std::size_t i = 0; i < k; ++i) {
      const double x1 = t.x1[i], t1 = t.t1[i], x2 = t.x2[i], t2 = t.t2[i], T = t1 + t2;
      R += x1 * (t2 / T);
      S += x2 * (t1 / T);
      V += (t1 / T) * (t2 / T) * (x1 + x2);
      sx1 += x1;
      sx2 += x2;
      out.weight[i] = x2 / T * t1;
    }
    if (sx1 == 0 || sx2 == 0) return out;
    out.beta = std::log(R / S);
    out.se = std::sqrt(V / (R * S));
  } else {  // IRD
    double num = 0, den = 0, var = 0;
    for (std::size_t i = 0; i < k; ++i) {
      const double x1 = t.x1[i], t1 = t.t1[i], x2 = t.x2[i], t2 = t.t2[i], T = t1 + t2;
      const double w = (t1 / T) * t2;
      num += (x1 * t2 - x2 * t1) / T;
      den += w;
      var += w * w * (x1 / (t1 * t1) + x2 / (t2 * t2));
      out.weight[i] = w;
    }
    out.beta = num / den;
    out.se = std::sqrt(var) / den;
  }
  return out;
}

/// rma.mh's tests for OR (correct = TRUE, its default). Cochran-Mantel-Haenszel:
/// CMH = (|sum(a - n1 (a + c)/N)| - 1/2)^2 / sum((n1/N)(n2/N)(a + c)(b + d)/(N - 1)) on 1 df
/// (Mantel & Haenszel 1959). Tarone (1985): with psi the MH odds ratio, N11 is the root of
/// N11 (n2 - xt + N11) = psi (n1 - N11)(xt - N11) in each table (Breslow-Day's expected count),
/// v = 1/(1/N11 + 1/N12 + 1/N21 + 1/N22) over the tables with N11 > 0, xt > 0, yt > 0 (k_pos of
/// them), BD = sum((a - N11)^2 / v), TA = BD - sum(a - N11)^2 / sum(v), df = k_pos - 1.
/// A table of one subject adds nothing to either sum of the CMH test (metafor would give NaN).
mh_tests or_tests(const effects::two_by_two& t, double beta) {
  mh_tests out;
  const std::size_t k = t.a.size();
  double sxt = 0, syt = 0, num = 0, den = 0;
  for (std::size_t i = 0; i < k; ++i) {
    const double a = t.a[i], b = t.b[i], c = t.c[i], d = t.d[i];
    const double n1 = a + b, n2 = c + d, N = n1 + n2, xt = a + c, yt = b + d;
    sxt += xt;
    syt += yt;
    if (N <= 1) continue;
    num += a - (n1 / N) * xt;
    den += (n1 / N) * (n2 / N) * (xt * (yt / (N - 1.0)));
  }
  if (sxt > 0 && syt > 0) {
    const double dev = std::abs(num) - 0.5;
    out.cmh = dev * dev / den;
    out.cmh_p = math::chisq_upper(out.cmh, 1.0);
  }
  if (std::isnan(beta)) return out;
  const double psi = std::exp(beta);
  double bd = 0, sum_dev = 0, sum_v = 0;
  int k_pos = 0;
  for (std::size_t i = 0; i < k; ++i) {
    const double a = t.a[i], b = t.b[i], c = t.c[i], d = t.d[i];
    const double n1 = a + b, n2 = c + d, N = n1 + n2, xt = a + c, yt = b + d;
    double n11 = 0;
    if (psi == 1.0) {
      n11 = (n1 / N) * xt;
    } else {
      const double A = psi * (n1 + xt) + (n2 - xt);
      const double B = std::sqrt(A * A - 4.0 * n1 * xt * psi * (psi - 1.0));
      n11 = (A - B) / (2.0 * (psi - 1.0));
    }
    if (!(n11 > 0 && xt > 0 && yt > 0)) continue;
    ++k_pos;
    const double n12 = n1 - n11, n21 = xt - n11, n22 = n11 - n1 - xt + N;
    const double v = 1.0 / (1.0 / n11 + 1.0 / n12 + 1.0 / n21 + 1.0 / n22);
    bd += (a - n11) * (a - n11) / v;
    sum_dev += a - n11;
    sum_v += v;
  }
  if (k_pos == 0) return out;
  out.tarone = std::max(0.0, std::max(0.0, bd) - sum_dev * sum_dev / sum_v);
  out.tarone_df = static_cast<double>(k_pos - 1);
  if (k_pos > 1) out.tarone_p = math::chisq_upper(out.tarone, out.tarone_df);
  return out;
}

/// rma.mh's Mantel-Haenszel test for person-time data (IRR, correct = TRUE): with xt = x1 + x2,
/// MH = (|sum(x1 - xt t1/T)| - 1/2)^2 / sum(xt (t1/T)(t2/T)) on 1 df.
mh_tests irr_test(const effects::person_time& t) {
  mh_tests out;
  double sxt = 0, num = 0, den = 0;
  for (std::size_t i = 0; i < t.x1.size(); ++i) {
    const double xt = t.x1[i] + t.x2[i], T = t.t1[i] + t.t2[i];
    sxt += xt;
    num += t.x1[i] - xt * (t.t1[i] / T);
    den += xt * (t.t1[i] / T) * (t.t2[i] / T);
  }
  if (sxt > 0) {
    const double dev = std::abs(num) - 0.5;
    out.cmh = dev * dev / den;
    out.cmh_p = math::chisq_upper(out.cmh, 1.0);
  }
  return out;
}

}  // namespace

meta_result fit(const effects::effect_table& table, const model_spec& spec, std::span<const double> weights) {
  using effects::measure;
  if (spec.est != method::MH && spec.est != method::PETO) {
    meta_result r = fit(table.yi, table.vi, table.labels, spec, weights);
    for (const auto& n : table.notes.items) r.notes.add(n);
    r.source_row = table.source_row;
    for (const auto& ex : table.excluded) r.excluded.push_back({ex.index, ex.reason});
    return r;
  }
  const measure m = table.m;
  const bool rates = m == measure::IRR || m == measure::IRD;
  if (!weights.empty())
    fail_usage("weights",
               "Mantel-Haenszel and Peto pooling have their own weights; user weights need an inverse-variance method");
  if (spec.est == method::MH && m != measure::OR && m != measure::RR && m != measure::RD && !rates) {
    fail_usage("--method", "Mantel-Haenszel pooling needs measure OR, RR, RD, IRR or IRD");
  }
  if (spec.est == method::PETO && m != measure::OR && m != measure::PETO) {
    fail_usage("--method", "Peto pooling needs measure OR or PETO");
  }
  if (spec.test != ci_method::z) fail_usage("--ci-method", "Mantel-Haenszel and Peto pooling use the z test only");
  if (rates ? !table.pooled_rates : !table.counts) {
    throw error(rates ? "models::fit: person-time data missing from the effect table"
                      : "models::fit: 2x2 counts missing from the effect table");
  }

  // The tables to pool: every complete, valid table (metafor pools the raw counts of all of them,
  // whatever the continuity correction did to the per-study yi/vi).
  const bool have_pooled = rates || table.pooled_counts.has_value();
  static const effects::two_by_two no_counts;
  const effects::two_by_two& t = rates ? no_counts : have_pooled ? *table.pooled_counts : *table.counts;
  const std::vector<std::size_t>& rows = have_pooled ? table.pooled_source_row : table.source_row;
  const std::vector<std::string>& labels = have_pooled ? table.pooled_labels : table.labels;
  const std::size_t k = rates ? table.pooled_rates->x1.size() : t.a.size();
  // Double-zero: no events in either group (2x2 also: no non-events in either group).
  std::vector<bool> dz(k);
  for (std::size_t i = 0; i < k; ++i) {
    dz[i] = rates ? table.pooled_rates->x1[i] == 0 && table.pooled_rates->x2[i] == 0
                  : double_zero(t.a[i], t.b[i], t.c[i], t.d[i]);
  }

  meta_result r;
  r.spec = spec;
  r.k = static_cast<int>(k);
  r.source_row = rows;

  // Per-study yi/vi where the effect table has them; a double-zero table has none under MH and Peto
  // (rma.mh / rma.peto drop00 = TRUE for yi/vi), and neither has a table whose yi/vi is undefined.
  std::vector<double> yi(k, nan), vi(k, nan);
  std::vector<bool> has_yi(k, false);
  {
    std::size_t j = 0;  // table rows and pooled rows are both in raw-data order
    for (std::size_t i = 0; i < k; ++i) {
      while (j < table.source_row.size() && table.source_row[j] < rows[i]) ++j;
      if (j < table.source_row.size() && table.source_row[j] == rows[i] && !dz[i]) {
        yi[i] = table.yi[j];
        vi[i] = table.vi[j];
        has_yi[i] = true;
      }
    }
  }
  // Exclusions: the table's own (missing values, drop_double_zero: not pooled; undefined yi/vi:
  // pooled), then the double-zero tables that have a yi in the table but none here.
  const char* pooled_name = spec.est == method::MH ? "Mantel-Haenszel" : "Peto";
  {
    std::size_t ti = 0;
    for (std::size_t e = 0; e < table.excluded.size(); ++e) {
      const effects::exclusion& ex = table.excluded[e];
      while (ti < k && rows[ti] < ex.index) ++ti;
      const bool pooled = ti < k && rows[ti] == ex.index;
      std::string reason = ex.reason;
      if (pooled) reason += std::string("; its counts still enter the ") + pooled_name + " estimate";
      r.excluded.push_back({ex.index, reason});
    }
    for (std::size_t i = 0; i < k; ++i) {
      if (has_yi[i] || !dz[i]) continue;
      bool listed = false;
      for (const auto& ex : r.excluded) listed = listed || ex.index == rows[i];
      if (listed) continue;
      r.excluded.push_back({rows[i], std::string("double-zero table: no study estimate and not in Q (as metafor's "
                                                 "drop00); its counts still enter the ") +
                                         pooled_name + " estimate"});
    }
    std::sort(r.excluded.begin(), r.excluded.end(),
              [](const excluded_study& a, const excluded_study& b) { return a.index < b.index; });
    for (const auto& ex : r.excluded) {
      std::string label;
      for (std::size_t i = 0; i < k && label.empty(); ++i) {
        if (rows[i] == ex.index) label = labels[i];
      }
      if (label.empty()) {
        // Not pooled: the effect table's own warning names it.
        for (std::size_t e = 0; e < table.excluded.size(); ++e) {
          if (table.excluded[e].index == ex.index && e < table.notes.items.size()) r.notes.add(table.notes.items[e]);
        }
      } else {
        r.notes.add("study '" + label + "': " + ex.reason);
      }
    }
  }
  if (k == 0) {
    r.status = fit_status::degenerate;
    r.notes.add("no studies to pool");
    return r;
  }

  pooled_2x2 p;
  double peto_q_part = 0, peto_sum_oe = 0, peto_sum_v = 0;
  if (spec.est == method::MH && rates) {
    p = mantel_haenszel_rates(m, *table.pooled_rates);
  } else if (spec.est == method::MH) {
    p = mantel_haenszel(m, t);
  } else {
    // Yusuf et al. (1985): O - E and its hypergeometric variance per table (rma.peto.r).
    p.weight.resize(k);
    for (std::size_t i = 0; i < k; ++i) {
      const double a = t.a[i], b = t.b[i], c = t.c[i], d = t.d[i];
      const double n1 = a + b, n2 = c + d, N = n1 + n2, xt = a + c, yt = b + d;
      const double E = xt * n1 / N;
      const double V = N > 1 ? xt * yt * (n1 / N) * (n2 / N) / (N - 1.0) : 0.0;
      p.weight[i] = V;
      peto_sum_oe += a - E;
      peto_sum_v += V;
      if (V > 0) peto_q_part += (a - E) * (a - E) / V;
    }
    if (peto_sum_v == 0) {
      r.status = fit_status::degenerate;
      r.notes.add("one of the two outcomes never occurred in any table: Peto's method cannot pool");
    } else {
      p.beta = peto_sum_oe / peto_sum_v;
      p.se = std::sqrt(1.0 / peto_sum_v);
    }
  }
  if (std::isnan(p.beta)) {
    if (r.status == fit_status::ok)
      r.notes.add("no events in one arm across all studies: the pooled ratio is undefined");
    r.status = fit_status::degenerate;
  }
  if (spec.est == method::MH && m == measure::OR) r.mh = or_tests(t, p.beta);
  if (spec.est == method::MH && m == measure::IRR) r.mh = irr_test(*table.pooled_rates);

  pooled_estimate& pe = r.pooled;
  pe.estimate = p.beta;
  pe.se = p.se;
  pe.statistic = p.beta / p.se;
  pe.p = math::normal_two_sided_p(pe.statistic);
  const double zc = math::normal_critical(spec.level);
  pe.ci_lower = p.beta - zc * p.se;
  pe.ci_upper = p.beta + zc * p.se;
  pe.pi_lower = pe.ci_lower;
  pe.pi_upper = pe.ci_upper;

  detail::fill_study_rows(r, labels, yi, vi, p.weight, spec.level);

  // Heterogeneity over the studies with a study estimate (metafor's k.yi).
  heterogeneity& h = r.het;
  h.tau2 = 0;
  h.tau = 0;
  double q = 0;
  std::size_t k_yi = 0;
  for (std::size_t i = 0; i < k; ++i) {
    if (spec.est == method::PETO) {
      // Peto's own study estimate (a - E)/V exists for every table with V > 0 that is not double-zero,
      // whatever the measure of the effect table (rma.peto's k.yi).
      if (!dz[i] && p.weight[i] > 0) ++k_yi;
      continue;
    }
    if (!has_yi[i]) continue;
    ++k_yi;
    q += (yi[i] - p.beta) * (yi[i] - p.beta) / vi[i];
  }
  if (spec.est == method::PETO && peto_sum_v > 0) q = peto_q_part - peto_sum_oe * peto_sum_oe / peto_sum_v;
  if (k_yi > 1 && !std::isnan(p.beta)) {
    detail::set_q(h, q, static_cast<double>(k_yi) - 1.0, true);
  } else {
    detail::set_no_heterogeneity(h);
  }
  return r;
}

}  // namespace metasift::models
