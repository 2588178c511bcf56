#include "metasift/effects/compute.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "metasift/core/check.hpp"
#include "metasift/effects/conversions.hpp"
#include "metasift/math/distributions.hpp"

// Formula sources: metafor 3.8.1, escalc() (printed with `Rscript -e 'metafor:::escalc'`), branch by
// branch as cited at each measure below. Where metafor sets an outcome to NA (and rma() later drops
// the study with a warning), this file excludes the study with a reason and a warning instead.

namespace metasift::effects {
namespace {

constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();

enum class family {
  continuous,
  two_by_two,
  correlation,
  proportion,
  incidence,
  change,
  single_mean,
  variability,
  generic
};

family family_of(measure m) noexcept {
  switch (m) {
    case measure::MD:
    case measure::SMD:
    case measure::ROM: return family::continuous;
    case measure::OR:
    case measure::RR:
    case measure::RD:
    case measure::PETO: return family::two_by_two;
    case measure::COR:
    case measure::ZCOR: return family::correlation;
    case measure::PR:
    case measure::PLO:
    case measure::PAS:
    case measure::PFT: return family::proportion;
    case measure::IRR:
    case measure::IRD: return family::incidence;
    case measure::SMCC:
    case measure::SMCR: return family::change;
    case measure::MN: return family::single_mean;
    case measure::CVR:
    case measure::VR: return family::variability;
    case measure::GEN: return family::generic;
  }
  return family::generic;
}

/// What values a column may hold; checked cell by cell before anything is computed.
enum class domain {
  count,        ///< whole number >= 0 (events)
  size,         ///< whole number > 0 (n)
  sample,       ///< whole number >= 2 (n of a group whose SD is given: one observation has no SD)
  real,         ///< any finite number (means, yi, CI bounds)
  nonnegative,  ///< finite >= 0 (standard deviations)
  positive,     ///< finite > 0 (person-time, vi, sei, ROM means)
  correlation,  ///< in [-1, 1]
};

struct field {
  const column* col;
  domain dom;
};

std::string quoted(const column& c) {
  return "column '" + c.name + "'";
}

const source_position& position_of(const column& c, std::size_t i) {
  static const source_position unknown{};
  return i < c.where.size() ? c.where[i] : unknown;
}

const column* find_column(const raw_data& data, const std::string& name) {
  const auto it = data.columns.find(name);
  return it == data.columns.end() ? nullptr : &it->second;
}

[[noreturn]] void fail_missing(const std::string& name, measure m) {
  fail_input(source_position{}, "", "missing column '" + name + "' required by measure " + std::string(to_string(m)));
}

const column& require_column(const raw_data& data, const std::string& name, measure m) {
  const column* c = find_column(data, name);
  if (c == nullptr) fail_missing(name, m);
  return *c;
}

domain domain_of(measure m, const std::string& name) {
  if (name == "n" || name == "n1" || name == "n2") {
    const auto& req = required_columns(m);
    const bool has_sd =
        std::find(req.begin(), req.end(), "sd1") != req.end() || std::find(req.begin(), req.end(), "sd") != req.end();
    return has_sd ? domain::sample : domain::size;
  }
  if (name == "events" || name == "events1" || name == "events2") return domain::count;
  if (name == "sd1" || name == "sd2" || name == "sd") return domain::nonnegative;
  if (name == "mean1" || name == "mean2") return m == measure::ROM ? domain::positive : domain::real;
  if (name == "time1" || name == "time2" || name == "vi" || name == "sei") return domain::positive;
  if (name == "r") return domain::correlation;
  return domain::real;  // yi, ci_lower, ci_upper
}

/// The columns a measure reads, in required_columns() order; GEN's variance columns resolved here.
std::vector<field> resolve_fields(measure m, const raw_data& data) {
  std::vector<field> fields;
  for (const std::string& name : required_columns(m)) {
    fields.push_back({&require_column(data, name, m), domain_of(m, name)});
  }
  if (m != measure::GEN) return fields;

  const column* vi = find_column(data, "vi");
  const column* sei = find_column(data, "sei");
  const column* lower = find_column(data, "ci_lower");
  const column* upper = find_column(data, "ci_upper");
  const bool has_ci = lower != nullptr || upper != nullptr;
  const int given = (vi != nullptr ? 1 : 0) + (sei != nullptr ? 1 : 0) + (has_ci ? 1 : 0);
  if (given == 0) {
    fail_input(source_position{}, "",
               "missing column 'vi' required by measure GEN (or give 'sei', or 'ci_lower' and 'ci_upper')");
  }
  if (given > 1) {
    std::string got;
    for (const column* c : {vi, sei, lower, upper}) {
      if (c == nullptr) continue;
      if (!got.empty()) got += ", ";
      got += "'" + c->name + "'";
    }
    fail_input(source_position{}, "",
               "measure GEN takes exactly one of 'vi', 'sei' or 'ci_lower' and 'ci_upper', got " + got);
  }
  if (vi != nullptr) fields.push_back({vi, domain::positive});
  if (sei != nullptr) fields.push_back({sei, domain::positive});
  if (has_ci) {
    if (lower == nullptr) fail_missing("ci_lower", m);
    if (upper == nullptr) fail_missing("ci_upper", m);
    fields.push_back({lower, domain::real});
    fields.push_back({upper, domain::real});
  }
  return fields;
}

void check_domain(const field& f, std::size_t i) {
  const double x = f.col->values[i];
  const source_position& where = position_of(*f.col, i);
  const std::string what = quoted(*f.col);
  switch (f.dom) {
    case domain::count:
      check_nonnegative(where, what, x);
      check_integer(where, what, x);
      break;
    case domain::size:
      check_positive(where, what, x);
      check_integer(where, what, x);
      break;
    case domain::sample:
      check_positive(where, what, x);
      check_integer(where, what, x);
      if (x < 2) {
        fail_input(where, what,
                   "must be at least 2, got " + format_value(x) + " (a standard deviation needs two observations)");
      }
      break;
    case domain::real: check_finite(where, what, x); break;
    case domain::nonnegative: check_nonnegative(where, what, x); break;
    case domain::positive: check_positive(where, what, x); break;
    case domain::correlation: check_in_range(where, what, x, -1.0, 1.0); break;
  }
}

/// events <= n, where fields[e] holds the events and fields[n] the group size.
void check_not_above(const std::vector<field>& fields, std::size_t e, std::size_t n, std::size_t i) {
  const double events = fields[e].col->values[i];
  const double size = fields[n].col->values[i];
  if (events > size) {
    fail_input(
        position_of(*fields[e].col, i), quoted(*fields[e].col),
        "must not exceed " + quoted(*fields[n].col) + " (" + format_value(size) + "), got " + format_value(events));
  }
}

/// One study's result before it is filed as included or excluded.
struct outcome {
  double yi = k_nan;
  double vi = k_nan;
  bool corrected = false;         ///< continuity correction added
  bool zero_uncorrected = false;  ///< a zero cell that no correction touched
  std::string reason;             ///< non-empty: the study is excluded
  std::array<double, 4> cells{};  ///< uncorrected a, b, c, d (2x2 measures) or x1, t1, x2, t2 (IRR/IRD)
  bool counts_valid = false;      ///< a complete, valid table that Mantel-Haenszel / Peto may pool
};

bool corrects(const options& opt, bool has_zero) {
  if (!(opt.add > 0)) return false;
  return opt.zero == zero_cell::all || (opt.zero == zero_cell::only_zero && has_zero);
}

// ---- two-group continuous: as metafor escalc, measures "MD", "SMD" and "ROM" ----
outcome continuous_outcome(measure m, const std::vector<field>& f, std::size_t i, const options& opt) {
  const double n1 = f[0].col->values[i], m1 = f[1].col->values[i], s1 = f[2].col->values[i];
  const double n2 = f[3].col->values[i], m2 = f[4].col->values[i], s2 = f[5].col->values[i];
  const double df = n1 + n2 - 2.0;
  outcome o;
  auto fail_zero_variance = [&] {
    fail_input(position_of(*f[2].col, i), quoted(*f[2].col),
               "sampling variance is 0 (no spread in either group), so the study's weight would be infinite");
  };

  if (m == measure::MD) {
    // yi = m1 - m2; vtype "LS": s1^2/n1 + s2^2/n2; vtype "HO": s_p^2 (1/n1 + 1/n2).
    o.yi = m1 - m2;
    if (opt.md_var == md_variance::separate) {
      o.vi = s1 * s1 / n1 + s2 * s2 / n2;
    } else {
      if (df <= 0) {
        o.reason = "the pooled standard deviation needs n1 + n2 > 2";
        return o;
      }
      const double sp2 = ((n1 - 1.0) * s1 * s1 + (n2 - 1.0) * s2 * s2) / df;
      o.vi = sp2 * (1.0 / n1 + 1.0 / n2);
    }
    if (o.vi == 0) fail_zero_variance();
    return o;
  }

  if (m == measure::ROM) {
    // yi = log(m1/m2); vtype "LS": s1^2/(n1 m1^2) + s2^2/(n2 m2^2).
    o.yi = std::log(m1 / m2);
    o.vi = s1 * s1 / (n1 * m1 * m1) + s2 * s2 / (n2 * m2 * m2);
    if (o.vi == 0) fail_zero_variance();
    return o;
  }

  // SMD: d = (m1 - m2)/s_p with m = n1 + n2 - 2; g = J(m) d with metafor's .cmicalc
  // J(m) = exp(lgamma(m/2) - log(sqrt(m/2)) - lgamma((m-1)/2)) (NA for m <= 1), or Hedges (1981)
  // J ~ 1 - 3/(4m - 1); vtype "LS": v = 1/n1 + 1/n2 + g^2/(2 (n1 + n2)) (Hedges 1982, eq. 8).
  if (opt.smd != smd_correction::none && df <= 1) {
    o.reason = "Hedges' correction needs n1 + n2 > 3";
    return o;
  }
  if (df <= 0) {
    o.reason = "the pooled standard deviation needs n1 + n2 > 2";
    return o;
  }
  const double sp = std::sqrt(((n1 - 1.0) * s1 * s1 + (n2 - 1.0) * s2 * s2) / df);
  if (sp == 0) {
    o.reason = "the pooled standard deviation is 0, so the standardised mean difference is undefined";
    return o;
  }
  const double d = (m1 - m2) / sp;
  double j = 1.0;
  switch (opt.smd) {
    case smd_correction::hedges_exact:
      j = std::exp(std::lgamma(df / 2.0) - std::log(std::sqrt(df / 2.0)) - std::lgamma((df - 1.0) / 2.0));
      break;
    case smd_correction::hedges_approx: j = 1.0 - 3.0 / (4.0 * df - 1.0); break;
    case smd_correction::none: j = 1.0; break;
  }
  o.yi = j * d;
  if (opt.smd_var == smd_variance::unbiased) {
    // vtype "UB": v = 1/n1 + 1/n2 + (1 - (m - 2)/(m J(m)^2)) g^2, the unbiased estimator of the
    // variance of g (Hedges 1983; escalc's "UB" branch, with metafor's exact J).
    o.vi = 1.0 / n1 + 1.0 / n2 + (1.0 - (df - 2.0) / (df * j * j)) * o.yi * o.yi;
  } else {
    o.vi = 1.0 / n1 + 1.0 / n2 + o.yi * o.yi / (2.0 * (n1 + n2));
  }
  return o;
}

// ---- change scores: as metafor escalc, measures "SMCC" and "SMCR" (vtype "LS", exact correction) ----
outcome change_outcome(measure m, const std::vector<field>& f, std::size_t i) {
  const double n = f[0].col->values[i], m1 = f[1].col->values[i], s1 = f[2].col->values[i];
  outcome o;
  // metafor's .cmicalc(n - 1) is NA for n - 1 <= 1.
  if (n <= 2) {
    o.reason = "Hedges' correction of a standardised mean change needs n > 2";
    return o;
  }
  if (m == measure::SMCC) {
    const double m2 = f[3].col->values[i], s2 = f[4].col->values[i], r = f[5].col->values[i];
    const double var_d = s1 * s1 + s2 * s2 - 2.0 * r * s1 * s2;
    if (!(var_d > 0)) {
      o.reason = "the SD of the change scores, sqrt(sd1^2 + sd2^2 - 2 r sd1 sd2), is 0";
      return o;
    }
    const estimate e = smcc(m1, m2, s1, s2, n, r);
    o.yi = e.yi;
    o.vi = e.vi;
    return o;
  }
  const double m2 = f[3].col->values[i], r = f[4].col->values[i];
  if (!(s1 > 0)) {
    o.reason = "the raw-score standardisation divides by sd1, which is 0";
    return o;
  }
  const estimate e = smcr(m1, m2, s1, n, r);
  o.yi = e.yi;
  o.vi = e.vi;
  return o;
}

// ---- one group's mean: as metafor escalc, measure "MN" (vtype "LS") ----
outcome single_mean_outcome(const std::vector<field>& f, std::size_t i) {
  const estimate e = mn(f[1].col->values[i], f[2].col->values[i], f[0].col->values[i]);
  outcome o;
  o.yi = e.yi;
  o.vi = e.vi;
  return o;
}

// ---- variability of two groups: as metafor escalc, measures "CVR" and "VR" (Nakagawa et al. 2015) ----
outcome variability_outcome(measure m, const std::vector<field>& f, std::size_t i) {
  outcome o;
  if (m == measure::VR) {
    const double n1 = f[0].col->values[i], s1 = f[1].col->values[i], n2 = f[2].col->values[i], s2 = f[3].col->values[i];
    if (!(s1 > 0 && s2 > 0)) {
      o.reason = "the log SD ratio needs both SDs > 0";
      return o;
    }
    const estimate e = vr(s1, s2, n1, n2);
    o.yi = e.yi;
    o.vi = e.vi;
    return o;
  }
  const double n1 = f[0].col->values[i], m1 = f[1].col->values[i], s1 = f[2].col->values[i];
  const double n2 = f[3].col->values[i], m2 = f[4].col->values[i], s2 = f[5].col->values[i];
  if (!(m1 > 0 && m2 > 0)) {
    o.reason = "the log coefficient-of-variation ratio needs both means > 0";
    return o;
  }
  if (!(s1 > 0 && s2 > 0)) {
    o.reason = "the log coefficient-of-variation ratio needs both SDs > 0";
    return o;
  }
  const estimate e = cvr(m1, m2, s1, s2, n1, n2);
  o.yi = e.yi;
  o.vi = e.vi;
  return o;
}

// ---- 2x2 tables: as metafor escalc, measures "OR", "RR", "RD", "PETO" (add, to, drop00) ----
outcome two_by_two_outcome(measure m, const std::vector<field>& f, std::size_t i, const options& opt) {
  const double events1 = f[0].col->values[i], n1 = f[1].col->values[i];
  const double events2 = f[2].col->values[i], n2 = f[3].col->values[i];
  double a = events1, b = n1 - events1, c = events2, d = n2 - events2;
  outcome o;
  o.cells = {a, b, c, d};

  // drop00: no events in both groups, or only events in both groups.
  if (opt.drop_double_zero) {
    if (a == 0 && c == 0) {
      o.reason = "double-zero study dropped (--drop-double-zero)";
      return o;
    }
    if (b == 0 && d == 0) {
      o.reason = "double-zero study (all events in both groups) dropped (--drop-double-zero)";
      return o;
    }
  }
  o.counts_valid = true;
  // to = "only0": add to all four cells of a study with a zero cell; to = "all": every study.
  const bool has_zero = a == 0 || b == 0 || c == 0 || d == 0;
  if (corrects(opt, has_zero)) {
    a += opt.add;
    b += opt.add;
    c += opt.add;
    d += opt.add;
    o.corrected = true;
  }
  o.zero_uncorrected = has_zero && !o.corrected;
  const double g1 = a + b, g2 = c + d;
  const double p1 = a / g1, p2 = c / g2;

  switch (m) {
    case measure::OR:  // log odds ratio; v = 1/a + 1/b + 1/c + 1/d
      o.yi = std::log((a * d) / (b * c));
      o.vi = 1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d;
      break;
    case measure::RR:  // log(p1) - log(p2); v = 1/a - 1/n1 + 1/c - 1/n2
      o.yi = std::log(p1) - std::log(p2);
      o.vi = 1.0 / a - 1.0 / g1 + 1.0 / c - 1.0 / g2;
      break;
    case measure::RD:  // p1 - p2; vtype "LS": p1(1-p1)/n1 + p2(1-p2)/n2
      o.yi = p1 - p2;
      o.vi = p1 * (1.0 - p1) / g1 + p2 * (1.0 - p2) / g2;
      break;
    case measure::PETO: {  // yi = (a - E)/V, vi = 1/V, E = (a+c) n1/N, V = (a+c)(b+d)(n1/N)(n2/N)/(N-1)
      const double total = g1 + g2;
      const double expected = (a + c) * g1 / total;
      const double variance = (a + c) * (b + d) * (g1 / total) * (g2 / total) / (total - 1.0);
      o.yi = (a - expected) / variance;
      o.vi = 1.0 / variance;
      break;
    }
    default: break;
  }
  return o;
}

// ---- correlations: as metafor escalc, measures "COR" (vtype "LS") and "ZCOR" ----
outcome correlation_outcome(measure m, const std::vector<field>& f, std::size_t i) {
  const double r = f[0].col->values[i], n = f[1].col->values[i];
  outcome o;
  // metafor sets vi to NA whenever ni <= 3, for COR as well as ZCOR.
  if (n <= 3) {
    o.reason = "the sampling variance needs n > 3";
    return o;
  }
  if (std::abs(r) == 1) {
    o.reason =
        "a correlation of " + format_value(r) + " has no sampling error, so the study's weight would be infinite";
    return o;
  }
  if (m == measure::COR) {  // yi = r, vi = (1 - r^2)^2/(n - 1)
    o.yi = r;
    o.vi = (1.0 - r * r) * (1.0 - r * r) / (n - 1.0);
  } else {  // yi = atanh(r) = log((1 + r)/(1 - r))/2, vi = 1/(n - 3)
    o.yi = std::atanh(r);
    o.vi = 1.0 / (n - 3.0);
  }
  return o;
}

// ---- single proportions: as metafor escalc, measures "PR", "PLO", "PAS", "PFT" ----
outcome proportion_outcome(measure m, const std::vector<field>& f, std::size_t i, const options& opt) {
  double x = f[0].col->values[i];
  const double n = f[1].col->values[i];
  double non_events = n - x;
  outcome o;
  // PR and PLO: to = "only0" adds `add` to xi and mi (= n - xi) when either is 0. PAS and PFT are
  // defined at 0 and 1 and metafor's default for them is add = 0, so they are never corrected.
  if (m == measure::PR || m == measure::PLO) {
    const bool has_zero = x == 0 || non_events == 0;
    if (corrects(opt, has_zero)) {
      x += opt.add;
      non_events += opt.add;
      o.corrected = true;
    }
    o.zero_uncorrected = has_zero && !o.corrected;
  }
  const double total = x + non_events;
  const double p = x / total;
  switch (m) {
    case measure::PR:  // yi = p, vtype "LS": p(1 - p)/n
      o.yi = p;
      o.vi = p * (1.0 - p) / total;
      break;
    case measure::PLO:  // yi = log(p/(1 - p)), vi = 1/x + 1/(n - x)
      o.yi = std::log(x / non_events);
      o.vi = 1.0 / x + 1.0 / non_events;
      break;
    case measure::PAS:  // yi = asin(sqrt(p)), vi = 1/(4n)
      o.yi = std::asin(std::sqrt(p));
      o.vi = 1.0 / (4.0 * total);
      break;
    case measure::PFT:  // yi = (asin(sqrt(x/(n+1))) + asin(sqrt((x+1)/(n+1))))/2, vi = 1/(4n + 2)
      o.yi = 0.5 * (std::asin(std::sqrt(x / (total + 1.0))) + std::asin(std::sqrt((x + 1.0) / (total + 1.0))));
      o.vi = 1.0 / (4.0 * total + 2.0);
      break;
    default: break;
  }
  return o;
}

// ---- incidence rates: as metafor escalc, measures "IRR" and "IRD" (add, to, drop00 on x1i, x2i) ----
outcome incidence_outcome(measure m, const std::vector<field>& f, std::size_t i, const options& opt) {
  double x1 = f[0].col->values[i];
  const double t1 = f[1].col->values[i];
  double x2 = f[2].col->values[i];
  const double t2 = f[3].col->values[i];
  outcome o;
  o.cells = {x1, t1, x2, t2};
  if (opt.drop_double_zero && x1 == 0 && x2 == 0) {
    o.reason = "double-zero study dropped (--drop-double-zero)";
    return o;
  }
  o.counts_valid = true;
  const bool has_zero = x1 == 0 || x2 == 0;
  if (corrects(opt, has_zero)) {
    x1 += opt.add;
    x2 += opt.add;
    o.corrected = true;
  }
  o.zero_uncorrected = has_zero && !o.corrected;
  const double rate1 = x1 / t1, rate2 = x2 / t2;
  if (m == measure::IRR) {  // yi = log(x1/t1) - log(x2/t2), vi = 1/x1 + 1/x2
    o.yi = std::log(rate1) - std::log(rate2);
    o.vi = 1.0 / x1 + 1.0 / x2;
  } else {  // IRD: yi = x1/t1 - x2/t2, vi = x1/t1^2 + x2/t2^2
    o.yi = rate1 - rate2;
    o.vi = rate1 / t1 + rate2 / t2;
  }
  return o;
}

// ---- generic: as metafor escalc with yi and vi or sei (vi = sei^2); a CI gives
// sei = (ub - lb)/(2 z_{(1+level)/2}) (Cochrane Handbook 6.3.1, for a CI symmetric on the analysis scale) ----
enum class generic_variance { vi, sei, ci };

outcome generic_outcome(const std::vector<field>& f, std::size_t i, generic_variance source, double z) {
  outcome o;
  o.yi = f[0].col->values[i];
  switch (source) {
    case generic_variance::vi: o.vi = f[1].col->values[i]; break;
    case generic_variance::sei: o.vi = f[1].col->values[i] * f[1].col->values[i]; break;
    case generic_variance::ci: {
      const double lower = f[1].col->values[i], upper = f[2].col->values[i];
      if (!(upper > lower)) {
        fail_input(
            position_of(*f[2].col, i), quoted(*f[2].col),
            "must be greater than " + quoted(*f[1].col) + " (" + format_value(lower) + "), got " + format_value(upper));
      }
      const double sei = (upper - lower) / (2.0 * z);
      o.vi = sei * sei;
      break;
    }
  }
  return o;
}

void check_options(measure m, const options& opt) {
  const family fam = family_of(m);
  const bool uses_add = fam == family::two_by_two || fam == family::incidence || m == measure::PR || m == measure::PLO;
  if (uses_add && opt.zero != zero_cell::none && !(std::isfinite(opt.add) && opt.add >= 0)) {
    fail_usage("--add", "must be a finite number >= 0, got " + format_value(opt.add));
  }
  if (m == measure::SMD && opt.smd_var == smd_variance::unbiased && opt.smd != smd_correction::hedges_exact) {
    fail_usage("--smd-variance",
               "ub (metafor vtype \"UB\") is the unbiased variance of Hedges' g with the exact "
               "correction; it cannot be combined with --smd-correction approx or none");
  }
}

}  // namespace

effect_table compute(measure m, const raw_data& data, const options& opt) {
  check_options(m, opt);
  const std::vector<field> fields = resolve_fields(m, data);
  const family fam = family_of(m);

  const std::size_t k = fields.front().col->values.size();
  for (const field& f : fields) {
    if (f.col->values.size() != k) {
      fail_input(source_position{}, "",
                 quoted(*f.col) + " has " + std::to_string(f.col->values.size()) + " values but " +
                     quoted(*fields.front().col) + " has " + std::to_string(k));
    }
  }
  if (!data.labels.empty() && data.labels.size() != k) {
    fail_input(source_position{}, "",
               std::to_string(data.labels.size()) + " study labels for " + std::to_string(k) + " studies");
  }

  // GEN: resolve_fields put yi first, then vi, sei, or ci_lower and ci_upper.
  double z = 0.0;
  generic_variance gen_source = generic_variance::vi;
  if (m == measure::GEN && fields.size() == 3) gen_source = generic_variance::ci;
  if (m == measure::GEN && fields.size() == 2 && fields[1].col == find_column(data, "sei")) {
    gen_source = generic_variance::sei;
  }
  if (gen_source == generic_variance::ci) {
    if (!(opt.level > 0 && opt.level < 1)) {
      fail_usage("--input-level", "must lie strictly between 0 and 1, got " + format_value(opt.level));
    }
    z = math::normal_critical(opt.level);
  }

  effect_table out;
  out.m = m;
  out.used = opt;
  if (fam == family::two_by_two) {
    out.counts.emplace();
    out.pooled_counts.emplace();
  }
  if (fam == family::incidence) out.pooled_rates.emplace();

  for (std::size_t i = 0; i < k; ++i) {
    const std::string label = data.labels.empty() ? "Study " + std::to_string(i + 1) : data.labels[i];

    // A missing cell (NaN) leaves the study out, as metafor's NA does; anything else must be valid.
    outcome o;
    for (const field& f : fields) {
      if (std::isnan(f.col->values[i])) {
        o.reason = "missing value in " + quoted(*f.col);
        break;
      }
    }
    if (o.reason.empty()) {
      for (const field& f : fields) check_domain(f, i);
      switch (fam) {
        case family::continuous: o = continuous_outcome(m, fields, i, opt); break;
        case family::two_by_two:
          check_not_above(fields, 0, 1, i);
          check_not_above(fields, 2, 3, i);
          o = two_by_two_outcome(m, fields, i, opt);
          break;
        case family::correlation: o = correlation_outcome(m, fields, i); break;
        case family::proportion:
          check_not_above(fields, 0, 1, i);
          o = proportion_outcome(m, fields, i, opt);
          break;
        case family::incidence: o = incidence_outcome(m, fields, i, opt); break;
        case family::change: o = change_outcome(m, fields, i); break;
        case family::single_mean: o = single_mean_outcome(fields, i); break;
        case family::variability: o = variability_outcome(m, fields, i); break;
        case family::generic: o = generic_outcome(fields, i, gen_source, z); break;
      }
    }

    // metafor recodes infinite yi/vi to NA (with a warning); a zero variance would give an infinite
    // inverse-variance weight. Either way the study is left out, with its reason.
    if (o.reason.empty()) {
      const bool finite = std::isfinite(o.yi) && std::isfinite(o.vi);
      if (o.zero_uncorrected && (!finite || o.vi <= 0)) {
        o.reason = finite ? "a zero cell without continuity correction gives a sampling variance of 0"
                          : "a zero cell without continuity correction makes the effect size or its variance "
                            "infinite or undefined";
      } else if (!finite) {
        o.reason = "the effect size or its variance is infinite or undefined";
      } else if (o.vi <= 0) {
        o.reason = "the sampling variance is 0, so the study's weight would be infinite";
      }
    }

    if (o.counts_valid && out.pooled_counts) {
      out.pooled_counts->a.push_back(o.cells[0]);
      out.pooled_counts->b.push_back(o.cells[1]);
      out.pooled_counts->c.push_back(o.cells[2]);
      out.pooled_counts->d.push_back(o.cells[3]);
    } else if (o.counts_valid && out.pooled_rates) {
      out.pooled_rates->x1.push_back(o.cells[0]);
      out.pooled_rates->t1.push_back(o.cells[1]);
      out.pooled_rates->x2.push_back(o.cells[2]);
      out.pooled_rates->t2.push_back(o.cells[3]);
    }
    if (o.counts_valid) {
      out.pooled_source_row.push_back(i);
      out.pooled_labels.push_back(label);
    }
    if (!o.reason.empty()) {
      out.notes.add("study '" + label + "' excluded: " + o.reason);
      out.excluded.push_back({i, std::move(o.reason)});
      continue;
    }

    out.labels.push_back(label);
    out.yi.push_back(o.yi);
    out.vi.push_back(o.vi);
    out.source_row.push_back(i);
    out.corrected.push_back(o.corrected);
    switch (fam) {
      case family::continuous:
      case family::two_by_two:
        // n1 + n2 as given (before any continuity correction), metafor's ni attribute.
        out.ni.push_back(fam == family::continuous ? fields[0].col->values[i] + fields[3].col->values[i]
                                                   : fields[1].col->values[i] + fields[3].col->values[i]);
        break;
      case family::correlation:
      case family::proportion: out.ni.push_back(fields[1].col->values[i]); break;
      case family::change:
      case family::single_mean: out.ni.push_back(fields[0].col->values[i]); break;
      case family::variability:
        out.ni.push_back(fields[0].col->values[i] + fields[m == measure::VR ? 2 : 3].col->values[i]);
        break;
      case family::incidence:
      case family::generic: break;
    }
    if (out.counts) {
      out.counts->a.push_back(o.cells[0]);
      out.counts->b.push_back(o.cells[1]);
      out.counts->c.push_back(o.cells[2]);
      out.counts->d.push_back(o.cells[3]);
    }
  }
  // Two rows with one label are pooled as two studies (as metafor and Stata do), but a reader of
  // the forest plot cannot tell them apart, and it is often a pasted row: say so.
  std::map<std::string, std::size_t> first_row;
  for (std::size_t i = 0; i < data.labels.size(); ++i) {
    const auto [it, fresh] = first_row.emplace(data.labels[i], i);
    if (!fresh && !data.labels[i].empty()) {
      out.label_notes.add("study label '" + data.labels[i] + "' appears more than once (studies " +
                          std::to_string(it->second + 1) + " and " + std::to_string(i + 1) +
                          "); they are pooled as separate studies");
    }
  }
  return out;
}

double harmonic_mean(const std::vector<double>& ni) {
  // 1/mean(1/ni) over the non-missing ni, as transf.ipft.hm computes it.
  double sum_inverse = 0.0;
  std::size_t count = 0;
  for (double n : ni) {
    if (std::isnan(n)) continue;
    if (!(n > 0) || !std::isfinite(n)) {
      throw std::invalid_argument("harmonic_mean: sample sizes must be positive and finite, got " + format_value(n));
    }
    sum_inverse += 1.0 / n;
    ++count;
  }
  if (count == 0) throw std::invalid_argument("harmonic_mean: no sample sizes");
  return static_cast<double>(count) / sum_inverse;
}

}  // namespace metasift::effects
