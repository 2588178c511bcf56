#pragma once
// The one tau^2 estimator of the random- and mixed-effects models, as metafor's rma.uni (3.8;
// rma.uni.r: the tau^2 estimation loop and the se.tau2 block). It is written once against a
// "model" that evaluates the quadratic forms and traces of P = W - WX(X'WX)^-1 X'W at a given
// tau^2; two models implement it:
//   - intercept_model below (X = 1): O(k) sums (weighted_sums.hpp), used by estimate_tau2 and so
//     by fit() and the batch engine;
//   - the design engine of regression.cpp (general X, O(k p^2) per evaluation).
// The intercept-only model is the special case p = 1 of every formula here.
//
// A model M provides
//   double k(), p();                     studies and coefficients
//   std::span<const double> y(), v();    the effects (centred where that is exact) and variances
//   bool at(double tau2);                evaluate with w = 1/(v + tau2); false when X'WX is not
//                                        numerically positive definite
//   bool at_unit();                      evaluate with w = 1 (for HE)
//   double s1(), s2(), ypy(), yppy(), ypppy(), tr_p(), tr_pp();   at the evaluation
//   double det_state();                  what log|X'WX| is computed from at the evaluation
//   double log_det_change(double state0); log|X'WX| here minus at the evaluation of state0
//   double tr_pv();                      tr(PV) at the evaluation
//   tau2_traces v_traces();              tr(PV), tr(PVPV), tr(PVP) at the evaluation
//   double residual_q(double tau2);      y'Py at tau2 (NaN on failure), for the Paule-Mandel root

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <span>

#include "metasift/math/root_find.hpp"
#include "metasift/models/result.hpp"
#include "metasift/models/spec.hpp"
#include "weighted_sums.hpp"

namespace metasift::models::detail {

/// tr(PV), tr(PVPV) and tr(PVP), V = diag(v), for the standard errors of HE and SJ.
struct tau2_traces {
  double pv = 0, pvpv = 0, pvp = 0;
};

/// What the estimator found, before the caller words its notes.
struct tau2_solution {
  double tau2 = 0.0;
  double se = std::numeric_limits<double>::quiet_NaN();
  convergence conv;
  fit_status status = fit_status::ok;
  bool ll0_reset = false;  ///< REML/ML optimum below the likelihood at tau^2 = 0; reset to 0
  bool failed = false;     ///< a weighted cross product X'WX was not positive definite
};

/// sum (y - ybar)^2, the unweighted residual sum of squares (invariant under centring y).
[[nodiscard]] inline double centred_ss(std::span<const double> y) noexcept {
  double m = 0;
  for (double yi : y) m += yi;
  m /= static_cast<double>(y.size());
  double s = 0;
  for (double yi : y) s += (yi - m) * (yi - m);
  return s;
}

/// sum log(1 + t / v_i) with one logarithm: the product of the factors is accumulated and
/// renormalised with frexp before it can overflow (the factors are >= 1).
[[nodiscard]] inline double sum_log1p_ratio(std::span<const double> v, double t) noexcept {
  double mantissa = 1.0;
  int exponent = 0;
  double extra = 0.0;  // factors too large to multiply safely
  for (double vi : v) {
    const double f = 1.0 + t / vi;
    if (f > 1e150) {
      extra += std::log(f);
      continue;
    }
    mantissa *= f;
    if (mantissa > 1e150) {
      int e = 0;
      mantissa = std::frexp(mantissa, &e);
      exponent += e;
    }
  }
  return std::log(mantissa) + static_cast<double>(exponent) * std::numbers::ln2 + extra;
}

/// The intercept-only model (X = 1): every quadratic form and trace from the O(k) sums of
/// weighted_sums.hpp, so an evaluation allocates nothing.
class intercept_model {
 public:
  intercept_model(std::span<const double> y, std::span<const double> v) noexcept
      : y_(y), v_(v), k_(static_cast<double>(y.size())) {}

  [[nodiscard]] double k() const noexcept { return k_; }
  [[nodiscard]] static double p() noexcept { return 1.0; }
  [[nodiscard]] std::span<const double> y() const noexcept { return y_; }
  [[nodiscard]] std::span<const double> v() const noexcept { return v_; }

  bool at(double tau2) noexcept {
    s_ = sums_at(y_, v_, tau2);
    tau2_ = tau2;
    unit_ = false;
    return true;
  }
  /// Unit weights: mu = ybar, y'Py = y'PPy = sum (y - ybar)^2, S1 = S2 = S3 = k.
  bool at_unit() noexcept {
    s_ = weighted_sums{};
    s_.s1 = s_.s2 = s_.s3 = k_;
    double m = 0;
    for (double yi : y_) m += yi;
    s_.mu = m / k_;
    for (double yi : y_) {
      const double r = yi - s_.mu;
      s_.ypy += r * r;
      s_.w2r += r;
    }
    s_.yppy = s_.w3r2 = s_.ypy;
    unit_ = true;
    return true;
  }

  [[nodiscard]] double s1() const noexcept { return s_.s1; }
  [[nodiscard]] double s2() const noexcept { return s_.s2; }
  [[nodiscard]] double ypy() const noexcept { return s_.ypy; }
  [[nodiscard]] double yppy() const noexcept { return s_.yppy; }
  [[nodiscard]] double ypppy() const noexcept { return s_.ypppy(); }
  [[nodiscard]] double tr_p() const noexcept { return s_.tr_p(); }
  [[nodiscard]] double tr_pp() const noexcept { return s_.tr_pp(); }
  /// X'WX = S1: one logarithm of the ratio instead of two.
  [[nodiscard]] double det_state() const noexcept { return s_.s1; }
  [[nodiscard]] double log_det_change(double s1_0) const noexcept { return std::log(s_.s1 / s1_0); }

  /// tr(PV) = sum w v - sum w^2 v / S1; (1 - 1/k) sum v with unit weights.
  [[nodiscard]] double tr_pv() const noexcept {
    double sv = 0, swv = 0, sw2v = 0;
    if (unit_) {
      for (double vi : v_) sv += vi;
      return sv - sv / k_;
    }
    for (double vi : v_) {
      const double w = 1.0 / (vi + tau2_);
      swv += w * vi;
      sw2v += w * w * vi;
    }
    return swv - sw2v / s_.s1;
  }

  /// With a_i = w_i v_i and P = W - w w'/S1:
  ///   tr(PV)   = sum a - sum w a / S1
  ///   tr(PVPV) = sum a^2 - 2 sum w a^2 / S1 + (sum w a)^2 / S1^2
  ///   tr(PVP)  = sum v w^2 - 2 sum v w^3 / S1 + S2 sum v w^2 / S1^2
  [[nodiscard]] tau2_traces v_traces() const noexcept {
    double sw = 0, sw2 = 0, sa = 0, sa2 = 0, swa2 = 0, swa = 0, svw2 = 0, svw3 = 0;
    for (double vi : v_) {
      const double w = unit_ ? 1.0 : 1.0 / (vi + tau2_);
      const double a = w * vi;
      sw += w;
      sw2 += w * w;
      sa += a;
      sa2 += a * a;
      swa2 += w * a * a;
      swa += w * a;
      svw2 += vi * w * w;
      svw3 += vi * w * w * w;
    }
    return {sa - swa / sw, sa2 - 2.0 * swa2 / sw + swa * swa / (sw * sw),
            svw2 - 2.0 * svw3 / sw + sw2 * svw2 / (sw * sw)};
  }

  /// The generalised Q, in one pass fewer than a full evaluation.
  [[nodiscard]] double residual_q(double tau2) const noexcept { return generalised_q(y_, v_, tau2); }

 private:
  std::span<const double> y_, v_;
  double k_;
  weighted_sums s_;
  double tau2_ = 0.0;
  bool unit_ = false;
};

/// The estimator, written once for any model M (see the top of this file).
template <class M>
class tau2_estimator {
 public:
  tau2_estimator(M& m, const model_spec& spec)
      : m_(m), est_(spec.est), max_iterations_(spec.max_iterations), threshold_(spec.threshold), k_(m.k()), p_(m.p()) {}

  /// tau^2 by spec.est, truncated at 0, with the status of the estimation; the standard error
  /// (rma.uni.r se.tau2 block) when want_se.
  tau2_solution run(bool want_se) {
    tau2_solution out;
    double raw = 0.0;
    double sj0 = 0.0;
    switch (est_) {
      case method::DL:  // DerSimonian & Laird (1986), generalised to X as metafor
        if (!at(0.0)) return failure();
        raw = (m_.ypy() - (k_ - p_)) / m_.tr_p();
        break;
      case method::HS:  // Hunter & Schmidt (2004)
        if (!at(0.0)) return failure();
        raw = (m_.ypy() - k_) / m_.s1();
        break;
      case method::HE:  // Hedges (1983): unweighted residuals against their expectation
        if (!at_unit()) return failure();
        raw = he_value();
        break;
      case method::SJ:
        // Sidik & Jonkman (2005): one step from sum (y - ybar)^2 / k (metafor: var(y) (k-1)/k, also
        // with moderators).
        sj0 = centred_ss(m_.y()) / k_;
        if (sj0 > 0.0) {
          if (!at(sj0)) return failure();
          raw = sj0 * m_.ypy() / (k_ - p_);
        }
        break;
      case method::PM:
        out = paule_mandel();
        raw = out.tau2;
        break;
      case method::REML:
      case method::ML:
      case method::EB:
        out = fisher_scoring();
        raw = out.tau2;
        break;
      default: break;
    }
    if (out.failed) return out;
    out.tau2 = std::max(0.0, raw);
    if (raw <= 0.0 && out.status == fit_status::ok) out.status = fit_status::boundary;
    if (out.ll0_reset && out.status == fit_status::ok) out.status = fit_status::boundary;
    if (want_se) out.se = standard_error(out.tau2, sj0);
    return out;
  }

 private:
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();

  /// Evaluates the model at tau2 unless it already is there.
  bool at(double tau2) {
    if (evaluated_ && !unit_ && current_ == tau2) return true;
    evaluated_ = m_.at(tau2);
    unit_ = false;
    current_ = tau2;
    return evaluated_;
  }
  bool at_unit() {
    if (evaluated_ && unit_) return true;
    evaluated_ = m_.at_unit();
    unit_ = true;
    return evaluated_;
  }
  static tau2_solution failure() {
    tau2_solution f;
    f.failed = true;
    f.status = fit_status::not_converged;
    return f;
  }

  /// HE at the unit-weight evaluation: (y'Py - tr PV) / (k - p).
  double he_value() { return (m_.ypy() - m_.tr_pv()) / (k_ - p_); }

  /// Fisher-scoring step for REML, ML or EB at the evaluation (rma.uni.r; Viechtbauer 2005,
  /// eqs. 9-11).
  double scoring_step() {
    switch (est_) {
      case method::ML: return (m_.yppy() - m_.s1()) / m_.s2();
      case method::EB: return (m_.ypy() * k_ / (k_ - p_) - k_) / m_.s1();
      default: return (m_.yppy() - m_.tr_p()) / m_.tr_pp();  // REML
    }
  }

  /// Newton step on the same score equation, from the observed information: d y'PPy / d tau2 =
  /// -2 y'PPPy, d tr P = -tr PP, d S1 = -S2, d y'Py = -y'PPy. NaN when the curvature has the wrong
  /// sign.
  double newton_step() {
    double num = 0, den = 0;
    switch (est_) {
      case method::ML:
        num = m_.yppy() - m_.s1();
        den = 2.0 * m_.ypppy() - m_.s2();
        break;
      case method::EB:
        num = m_.ypy() * k_ / (k_ - p_) - k_;
        den = m_.yppy() * k_ / (k_ - p_);
        break;
      default:
        num = m_.yppy() - m_.tr_p();
        den = 2.0 * m_.ypppy() - m_.tr_pp();
        break;
    }
    return den > 0 ? num / den : nan;
  }

  /// The score (up to a positive factor) whose root the scoring iterates towards; NaN on failure.
  double score(double tau2) {
    if (!at(tau2)) return nan;
    switch (est_) {
      case method::ML: return m_.yppy() - m_.s1();
      case method::EB: return m_.ypy() * k_ / (k_ - p_) - k_;
      default: return m_.yppy() - m_.tr_p();
    }
  }

  /// Bracketing fallback for REML/ML/EB: root of the score on [0, hi], hi doubled until the score is
  /// negative. The score is positive at 0 exactly when the optimum is interior.
  tau2_solution score_root() {
    tau2_solution out;
    out.conv.used_fallback = true;
    out.status = fit_status::fallback;
    const double f0 = score(0.0);
    if (std::isnan(f0)) return failure();
    if (!(f0 > 0.0)) return out;  // tau2 = 0
    double hi = std::max(1.0, 10.0 * centred_ss(m_.y()) / k_);
    int guard = 0;
    while (score(hi) > 0.0 && guard++ < 200) hi *= 2.0;
    if (!(score(hi) <= 0.0)) {
      out.status = fit_status::not_converged;
      out.tau2 = hi;
      return out;
    }
    const math::root_result r = math::find_root([this](double t) { return score(t); }, 0.0, hi, 1e-15, 1e-300, 2000);
    if (std::isnan(r.root)) return failure();
    out.tau2 = r.root;
    out.conv.iterations = static_cast<int>(r.iterations);
    if (!r.converged) out.status = fit_status::not_converged;
    return out;
  }

  /// 1 when the score equation points down (or is flat) at tau^2 = 0, 0 when it points up, -1 when
  /// the model cannot be evaluated there.
  int falls_at_zero() {
    if (!at(0.0)) return -1;
    return scoring_step() > 0.0 ? 0 : 1;
  }

  /// Fisher scoring from max(0, HE), Newton polish, step halving at the boundary with an exact stop
  /// at 0, then metafor's ll0 check (rma.uni.r).
  tau2_solution fisher_scoring() {
    tau2_solution out;
    if (!at_unit()) return failure();
    double tau2 = std::max(0.0, he_value());
    bool converged = false;
    // Fisher scoring converges linearly. It runs until the change is below 1e-2 (relative to
    // max(1, tau2)); from there Newton steps on the same score equation, taken only where the
    // observed curvature is negative, reach the 1e-12 threshold quadratically: ~7 evaluations at
    // k = 10 instead of ~12 with scoring alone.
    bool polish = false;
    int iter = 0;
    double mean_v = 0.0;
    for (const double vi : m_.v()) mean_v += vi;
    mean_v /= k_;
    const double boundary_zone = 1e-6 * mean_v;
    for (; iter < max_iterations_; ++iter) {
      if (!at(tau2)) break;
      double step = polish ? newton_step() : nan;
      if (!std::isfinite(step)) step = scoring_step();
      if (!std::isfinite(step)) break;
      // A step past the boundary is halved until it stays inside, as metafor does (while
      // tau2 + adj < tau2.min). Stopping at 0 as soon as the score points down there would be
      // wrong: the ML and REML likelihoods can have a local maximum at 0 and a higher one inside
      // (differential test data set 603: ll(0) = 3.5134, ll(0.00192) = 3.5236), and metafor's
      // halving path finds the inner one. The path is followed; the end point is snapped to an
      // exact 0 below when 0 is at least as good.
      bool halved = false;
      while (tau2 + step < 0.0) {
        step *= 0.5;
        ++out.conv.step_halvings;
        halved = true;
      }
      // Once the halving path is within boundary_zone of 0 with the score falling at 0, it can only
      // creep on to 0 (see the snap below); stop there instead of taking ~40 more halvings.
      if (halved && tau2 + step <= boundary_zone) {
        const int falls = falls_at_zero();
        if (falls < 0) break;
        if (falls == 1) {
          tau2 = 0.0;
          converged = true;
          ++iter;
          break;
        }
      }
      const double next = tau2 + step;
      const double change = std::abs(next - tau2);
      tau2 = next;
      if (change <= threshold_ * std::max(1.0, tau2)) {
        converged = true;
        ++iter;
        break;
      }
      if (change <= 1e-2 * std::max(1.0, tau2)) polish = true;
    }
    out.conv.iterations = iter;
    if (!converged) {
      const int halvings = out.conv.step_halvings;
      out = score_root();
      out.conv.iterations += iter;
      out.conv.step_halvings = halvings;
      return out;
    }
    out.tau2 = std::max(0.0, tau2);
    // Creeping to the boundary (halved steps towards 0) ends at a tiny positive tau^2, where metafor
    // stops; the constrained optimum is then exactly 0, because the score points down there. "Tiny"
    // is a millionth of the mean sampling variance: an inner maximum that close to 0 with a falling
    // score at 0 would need a minimum even closer, which these smooth likelihoods do not have.
    if (out.tau2 > 0.0 && out.tau2 <= boundary_zone) {
      const int falls = falls_at_zero();
      if (falls < 0) return failure();
      if (falls == 1) out.tau2 = 0.0;
    }
    // ll0 check (rma.uni.r): a REML/ML optimum with a lower likelihood than tau^2 = 0 means the
    // scoring stopped at a local maximum; metafor then sets tau^2 = 0 and so do we.
    if (est_ != method::EB && out.tau2 > threshold_) {
      const double gain = log_likelihood_gain(out.tau2);
      if (std::isnan(gain)) return failure();
      if (gain < -1e-10) {
        out.tau2 = 0.0;
        out.ll0_reset = true;
      }
    }
    return out;
  }

  /// ll(tau2) - ll(0) for the restricted (REML) or full (ML) likelihood, the quantity of rma.uni's
  /// ll0 check (constants cancel); NaN on failure.
  double log_likelihood_gain(double tau2) {
    if (!at(0.0)) return nan;
    const double ypy0 = m_.ypy();
    const double det0 = est_ == method::REML ? m_.det_state() : 0.0;
    if (!at(tau2)) return nan;
    double gain = -0.5 * sum_log1p_ratio(m_.v(), tau2) - 0.5 * (m_.ypy() - ypy0);
    if (est_ == method::REML) gain -= 0.5 * m_.log_det_change(det0);
    return gain;
  }

  /// Paule & Mandel (1982): root of y'Py(tau^2) = k - p.
  tau2_solution paule_mandel() {
    tau2_solution out;
    const double target = k_ - p_;
    auto f = [this, target](double t) { return m_.residual_q(t) - target; };
    const double f0 = f(0.0);
    if (std::isnan(f0)) return failure();
    if (f0 < 0.0) return out;
    double hi = std::max(100.0, 10.0 * centred_ss(m_.y()) / (k_ - 1.0));
    int guard = 0;
    while (f(hi) > 0.0 && guard++ < 200) hi *= 2.0;
    const math::root_result r = math::find_root(f, 0.0, hi, 1e-15, 1e-300, 2000);
    evaluated_ = false;  // residual_q may have moved the model
    if (std::isnan(r.root)) return failure();
    out.tau2 = r.root;
    out.conv.iterations = static_cast<int>(r.iterations);
    if (!r.converged) out.status = fit_status::not_converged;
    evaluated_ = false;  // residual_q may have moved the model
    return out;
  }

  /// Standard error of tau^2 (rma.uni.r, the se.tau2 block) at the truncated estimate t; NaN on
  /// failure.
  double standard_error(double t, double sj0) {
    const double df = k_ - p_;
    switch (est_) {
      case method::HS:
        if (!at(0.0)) return nan;
        return std::sqrt((2.0 * df + 4.0 * t * m_.tr_p() + 2.0 * t * t * m_.tr_pp()) / (m_.s1() * m_.s1()));
      case method::DL: {
        if (!at(0.0)) return nan;
        const double trp = m_.tr_p();
        return std::sqrt((2.0 * df + 4.0 * t * trp + 2.0 * t * t * m_.tr_pp()) / (trp * trp));
      }
      case method::HE: {
        if (!at_unit()) return nan;
        const tau2_traces vt = m_.v_traces();
        return std::sqrt((2.0 * vt.pvpv + 4.0 * t * vt.pv + 2.0 * t * t * df) / (df * df));
      }
      case method::SJ: {
        if (!at(sj0)) return nan;
        const tau2_traces vt = m_.v_traces();
        return std::sqrt(sj0 * sj0 / (df * df) * (2.0 * vt.pvpv + 4.0 * t * vt.pvp + 2.0 * t * t * m_.tr_pp()));
      }
      case method::ML:
        if (!at(t)) return nan;
        return std::sqrt(2.0 / m_.s2());
      case method::REML:
        if (!at(t)) return nan;
        return std::sqrt(2.0 / m_.tr_pp());
      case method::EB:
      case method::PM: {
        if (!at(t)) return nan;
        const double s1 = m_.s1();
        return std::sqrt(2.0 * k_ * k_ / df / (s1 * s1));
      }
      default: return nan;
    }
  }

  M& m_;
  method est_;  // copies of the settings the loop reads, so they can live in registers
  int max_iterations_;
  double threshold_;
  double k_, p_;
  bool evaluated_ = false;  ///< the model holds the evaluation at current_ (or unit weights)
  bool unit_ = false;
  double current_ = 0.0;
};

/// Estimates tau^2 with model m (see tau2_estimator).
template <class M>
[[nodiscard]] tau2_solution solve_tau2(M& m, const model_spec& spec, bool want_se) {
  return tau2_estimator<M>(m, spec).run(want_se);
}

}  // namespace metasift::models::detail
