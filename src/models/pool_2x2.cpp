// Mantel-Haenszel and Peto pooling of 2x2 tables, as metafor's rma.mh and rma.peto (3.8) with
// their defaults: the pooled estimate uses the raw counts (no continuity correction, to = "none"),
// while Q uses the per-study yi/vi of studies that are not double-zero (drop00 = TRUE).

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
  if (!weights.empty())
    fail_usage("weights",
               "Mantel-Haenszel and Peto pooling have their own weights; user weights need an inverse-variance method");
  if (spec.est == method::MH && m != measure::OR && m != measure::RR && m != measure::RD) {
    fail_usage("--method", "Mantel-Haenszel pooling needs measure OR, RR or RD");
  }
  if (spec.est == method::PETO && m != measure::OR && m != measure::PETO) {
    fail_usage("--method", "Peto pooling needs measure OR or PETO");
  }
  if (spec.test != ci_method::z) fail_usage("--ci-method", "Mantel-Haenszel and Peto pooling use the z test only");
  if (!table.counts) throw error("models::fit: 2x2 counts missing from the effect table");

  // The tables to pool: every complete, valid table (metafor pools the raw counts of all of them,
  // whatever the continuity correction did to the per-study yi/vi).
  const bool have_pooled = table.pooled_counts.has_value();
  const effects::two_by_two& t = have_pooled ? *table.pooled_counts : *table.counts;
  const std::vector<std::size_t>& rows = have_pooled ? table.pooled_source_row : table.source_row;
  const std::vector<std::string>& labels = have_pooled ? table.pooled_labels : table.labels;
  const std::size_t k = t.a.size();

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
      if (j < table.source_row.size() && table.source_row[j] == rows[i] &&
          !double_zero(t.a[i], t.b[i], t.c[i], t.d[i])) {
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
      if (has_yi[i] || !double_zero(t.a[i], t.b[i], t.c[i], t.d[i])) continue;
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
  if (spec.est == method::MH) {
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
      if (!double_zero(t.a[i], t.b[i], t.c[i], t.d[i]) && p.weight[i] > 0) ++k_yi;
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
