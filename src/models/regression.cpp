// Mixed-effects meta-regression as metafor's rma.uni with moderators (3.8; rma.uni.r: model
// fitting, tests of the fixed effects, the QE/I^2/H^2 block and R^2) and permutest.rma.uni. No code
// was copied; the algorithms were read there. tau^2 (the estimation loop and the se.tau2 block) is
// the estimator shared with the intercept-only fit (tau2_estimator.hpp), run on the engine below.
//
// Numerics. The design X (k x p, after dropping aliased columns) is factored once, X = Q R with Q
// orthonormal (Householder QR). Every tau^2-dependent quantity is invariant under the change of
// basis X -> Q (P = W - WX(X'WX)^-1 X'W is), so the iterations work with Q, whose weighted cross
// product Q'WQ has a condition number bounded by max w / min w rather than cond(X)^2. Only the
// coefficients and their covariance are mapped back: beta = R^-1 beta_Q, Var = R^-1 Var_Q R^-T.
// With A = Q'WQ = L L' and z_i = L^-1 q_i (q_i the i-th row of Q), h_i = w_i |z_i|^2 (hat values):
//   y'Py    = sum w r^2,           r = y - Q beta_Q
//   y'PPy   = sum (w r)^2
//   y'PPPy  = sum w u^2 - |L^-1 Q'W u|^2,   u = W r = Py
//   tr P    = sum w (1 - h)
//   tr PP   = sum w^2 - 2 sum w^2 h + |M|_F^2,               M = sum w^2 z z'
//   tr PVPV = sum w^2 v^2 - 2 sum w h w v^2 + tr(N N),        N = sum w^2 v z z'
//   tr PVP  = sum w^2 v - 2 sum w h w v + tr(M N)
// each O(k p^2). Derivations: docs/algorithms.md.

#include "metasift/models/regression.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "metasift/core/check.hpp"
#include "metasift/core/error.hpp"
#include "metasift/math/distributions.hpp"
#include "metasift/models/fit.hpp"
#include "tau2_estimator.hpp"

namespace metasift::models {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// R's lm decides aliasing with a relative tolerance of 1e-7 on the column norms (dqrdc2); the
/// same threshold on unit-norm columns.
constexpr double rank_tolerance = 1e-7;

// ---------------------------------------------------------------------------------------------
// The design in an orthonormal basis.

struct basis {
  std::size_t k = 0, p = 0;
  std::vector<std::size_t> kept;     ///< original column indices, in order
  std::vector<std::string> dropped;  ///< names of the aliased columns
  std::vector<double> q;             ///< k x p row-major, orthonormal columns spanning X
  std::vector<double> rinv;          ///< p x p row-major upper triangular: beta = rinv beta_Q
  std::vector<double> xk;            ///< k x p row-major: the kept columns of X (for fitted values)
  std::vector<std::size_t> tested;   ///< coefficients in QM (metafor's btt)
  int intercept = -1;                ///< kept index of the column of ones, -1 if none
  bool centre = false;               ///< the constant lies in the column space: centring y is exact
};

bool is_ones(const design& x, std::size_t j) {
  for (std::size_t i = 0; i < x.rows; ++i) {
    if (!(std::abs(x(i, j) - 1.0) < 1e-8)) return false;  // metafor's .is.intercept
  }
  return true;
}

/// The name of design column j ("X<j+1>" when the design has none).
std::string column_name(const design& x, std::size_t j) {
  if (j < x.names.size()) return x.names[j];
  std::string name = std::to_string(j + 1);
  name.insert(name.begin(), 'X');
  return name;
}

basis make_basis(const design& x) {
  basis b;
  b.k = x.rows;
  const std::size_t c = x.cols;
  const auto ki = static_cast<Eigen::Index>(b.k);
  Eigen::MatrixXd scaled(ki, static_cast<Eigen::Index>(c));
  std::vector<double> norms(c, 0.0);
  for (std::size_t j = 0; j < c; ++j) {
    // The norm is taken of the column divided by its largest magnitude: squaring values near
    // 1e308 directly overflows to Inf, and the column would then look like zeros (aliased).
    double big = 0;
    for (std::size_t i = 0; i < b.k; ++i) big = std::max(big, std::abs(x(i, j)));
    double s = 0;
    if (big > 0 && std::isfinite(big)) {
      for (std::size_t i = 0; i < b.k; ++i) s += (x(i, j) / big) * (x(i, j) / big);
    }
    const double unit = std::sqrt(s);  // norm / big
    norms[j] = big * unit;             // may be Inf; only its being > 0 is used below
    for (std::size_t i = 0; i < b.k; ++i) {
      scaled(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = unit > 0 ? (x(i, j) / big) / unit : 0.0;
    }
  }
  // Full rank in one factorisation (the usual case); otherwise decide column by column, in order,
  // whether a column lies in the span of the columns kept before it (as lm's limited pivoting).
  // That is done by Gram-Schmidt against an orthonormal basis of the kept columns (twice, for
  // orthogonality to working precision), O(k p^2) in all: a QR of the kept columns per candidate
  // cost O(k p^3) and made a many-level factor take minutes.
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> full(scaled);
  full.setThreshold(rank_tolerance);
  if (c > 0 && static_cast<std::size_t>(full.rank()) == c &&
      std::all_of(norms.begin(), norms.end(), [](double n) { return n > 0; })) {
    b.kept.resize(c);
    std::iota(b.kept.begin(), b.kept.end(), std::size_t{0});
  } else {
    Eigen::MatrixXd onb(ki, static_cast<Eigen::Index>(std::min(c, b.k)));
    Eigen::Index m = 0;
    for (std::size_t j = 0; j < c; ++j) {
      bool keep = norms[j] > 0 && m < ki;  // k columns already span every column of length k
      if (keep) {
        Eigen::VectorXd v = scaled.col(static_cast<Eigen::Index>(j));
        for (int pass = 0; pass < 2 && m > 0; ++pass) v -= onb.leftCols(m) * (onb.leftCols(m).transpose() * v);
        const double rest = v.norm();
        keep = rest > rank_tolerance;
        if (keep) onb.col(m++) = v / rest;
      }
      if (keep) {
        b.kept.push_back(j);
      } else {
        b.dropped.push_back(column_name(x, j));
      }
    }
  }
  b.p = b.kept.size();
  const auto pi = static_cast<Eigen::Index>(b.p);
  if (b.p == 0) return b;
  Eigen::MatrixXd xk(ki, pi);
  b.xk.resize(b.k * b.p);
  for (std::size_t i = 0; i < b.k; ++i) {
    for (std::size_t m = 0; m < b.p; ++m) {
      xk(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(m)) = x(i, b.kept[m]);
      b.xk[i * b.p + m] = x(i, b.kept[m]);
    }
  }
  if (b.k >= b.p) {
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(xk);
    const Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(ki, pi);
    const Eigen::MatrixXd r = qr.matrixQR().topRows(pi).triangularView<Eigen::Upper>();
    const Eigen::MatrixXd rinv = r.triangularView<Eigen::Upper>().solve(Eigen::MatrixXd::Identity(pi, pi));
    b.q.resize(b.k * b.p);
    b.rinv.resize(b.p * b.p);
    for (Eigen::Index i = 0; i < ki; ++i) {
      for (Eigen::Index m = 0; m < pi; ++m) b.q[static_cast<std::size_t>(i * pi + m)] = q(i, m);
    }
    for (Eigen::Index a = 0; a < pi; ++a) {
      for (Eigen::Index m = 0; m < pi; ++m) b.rinv[static_cast<std::size_t>(a * pi + m)] = rinv(a, m);
    }
    // The constant lies in span(X) when projecting the ones vector on Q leaves nothing.
    const Eigen::VectorXd ones = Eigen::VectorXd::Ones(ki);
    const Eigen::VectorXd resid = ones - q * (q.transpose() * ones);
    b.centre = resid.norm() <= 1e-8 * std::sqrt(static_cast<double>(b.k));
  }
  for (std::size_t m = 0; m < b.p; ++m) {
    if (b.intercept < 0 && is_ones(x, b.kept[m])) b.intercept = static_cast<int>(m);
  }
  for (std::size_t m = 0; m < b.p; ++m) {
    if (b.p == 1 || b.intercept < 0 || static_cast<int>(m) != b.intercept) b.tested.push_back(m);
  }
  return b;
}

// ---------------------------------------------------------------------------------------------
// The workspace: every buffer is sized once, so evaluations at a new tau^2 allocate nothing.

class engine {
 public:
  explicit engine(const basis& b)
      : b_(b),
        k_(b.k),
        p_(b.p),
        w_(k_),
        r_(k_),
        u_(k_),
        h_(k_),
        z_(k_ * p_),
        l_(p_ * p_),
        m_(p_ * p_),
        n_(p_ * p_),
        t1_(p_),
        t2_(p_),
        beta_q_(p_) {}

  /// Weights w = 1/(v + tau2) (or 1 when unit) and the Cholesky factor of A = Q'WQ. False when A
  /// is not numerically positive definite.
  bool factor(std::span<const double> v, double tau2, bool unit = false) {
    s1_ = s2_ = 0;
    for (std::size_t i = 0; i < k_; ++i) {
      const double w = unit ? 1.0 : 1.0 / (v[i] + tau2);
      w_[i] = w;
      s1_ += w;
      s2_ += w * w;
    }
    std::fill(l_.begin(), l_.end(), 0.0);
    for (std::size_t i = 0; i < k_; ++i) {
      const double* qi = &b_.q[i * p_];
      const double w = w_[i];
      for (std::size_t a = 0; a < p_; ++a) {
        const double wa = w * qi[a];
        for (std::size_t c = 0; c <= a; ++c) l_[a * p_ + c] += wa * qi[c];
      }
    }
    logdet_ = 0;
    for (std::size_t j = 0; j < p_; ++j) {
      double d = l_[j * p_ + j];
      for (std::size_t m = 0; m < j; ++m) d -= l_[j * p_ + m] * l_[j * p_ + m];
      if (!(d > 0.0) || !std::isfinite(d)) return false;
      const double ljj = std::sqrt(d);
      l_[j * p_ + j] = ljj;
      logdet_ += 2.0 * std::log(ljj);
      for (std::size_t i = j + 1; i < p_; ++i) {
        double s = l_[i * p_ + j];
        for (std::size_t m = 0; m < j; ++m) s -= l_[i * p_ + m] * l_[j * p_ + m];
        l_[i * p_ + j] = s / ljj;
      }
    }
    traces_ready_ = false;
    return true;
  }

  /// Weighted least squares of y with the factored weights.
  void solve(std::span<const double> y) {
    std::fill(t1_.begin(), t1_.end(), 0.0);
    for (std::size_t i = 0; i < k_; ++i) {
      const double wy = w_[i] * y[i];
      const double* qi = &b_.q[i * p_];
      for (std::size_t a = 0; a < p_; ++a) t1_[a] += wy * qi[a];
    }
    forward(t1_);  // t1 = L^-1 Q'Wy
    beta_q_ = t1_;
    backward(beta_q_);  // beta_Q = L^-T L^-1 Q'Wy
    ypy_ = yppy_ = 0;
    for (std::size_t i = 0; i < k_; ++i) {
      const double* qi = &b_.q[i * p_];
      double fit = 0;
      for (std::size_t a = 0; a < p_; ++a) fit += qi[a] * beta_q_[a];
      const double r = y[i] - fit;
      const double u = w_[i] * r;
      r_[i] = r;
      u_[i] = u;
      ypy_ += u * r;
      yppy_ += u * u;
    }
  }

  /// y'PPPy after solve().
  double ypppy() {
    std::fill(t2_.begin(), t2_.end(), 0.0);
    double swu2 = 0;
    for (std::size_t i = 0; i < k_; ++i) {
      const double wu = w_[i] * u_[i];
      swu2 += wu * u_[i];
      const double* qi = &b_.q[i * p_];
      for (std::size_t a = 0; a < p_; ++a) t2_[a] += wu * qi[a];
    }
    forward(t2_);
    double s = 0;
    for (double t : t2_) s += t * t;
    return swu2 - s;
  }

  /// z_i = L^-1 q_i, the hat values and tr P, tr PP (after factor()).
  void traces() {
    if (traces_ready_) return;
    std::fill(m_.begin(), m_.end(), 0.0);
    tr_p_ = 0;
    double sw2h = 0;
    for (std::size_t i = 0; i < k_; ++i) {
      double* zi = &z_[i * p_];
      const double* qi = &b_.q[i * p_];
      for (std::size_t a = 0; a < p_; ++a) zi[a] = qi[a];
      forward_in_place(zi);
      double zz = 0;
      for (std::size_t a = 0; a < p_; ++a) zz += zi[a] * zi[a];
      const double w = w_[i];
      h_[i] = w * zz;
      tr_p_ += w * (1.0 - h_[i]);
      sw2h += w * w * h_[i];
      const double w2 = w * w;
      for (std::size_t a = 0; a < p_; ++a) {
        for (std::size_t c = 0; c <= a; ++c) m_[a * p_ + c] += w2 * zi[a] * zi[c];
      }
    }
    tr_pp_ = s2_ - 2.0 * sw2h + frobenius_sq_sym(m_);
    traces_ready_ = true;
  }

  /// tr(PV), tr(PVPV) and tr(PVP) for the standard errors of HE and SJ (after factor()).
  struct v_traces_t {
    double pv = 0, pvpv = 0, pvp = 0;
  };
  v_traces_t v_traces(std::span<const double> v) {
    traces();
    std::fill(n_.begin(), n_.end(), 0.0);
    v_traces_t t;
    double a1 = 0, a2 = 0, b1 = 0, b2 = 0;
    for (std::size_t i = 0; i < k_; ++i) {
      const double w = w_[i], vi = v[i], h = h_[i];
      t.pv += vi * w * (1.0 - h);
      a1 += w * w * vi * vi;
      a2 += w * h * w * vi * vi;
      b1 += w * w * vi;
      b2 += w * h * w * vi;
      const double* zi = &z_[i * p_];
      const double c = w * w * vi;
      for (std::size_t a = 0; a < p_; ++a) {
        for (std::size_t d = 0; d <= a; ++d) n_[a * p_ + d] += c * zi[a] * zi[d];
      }
    }
    t.pvpv = a1 - 2.0 * a2 + frobenius_sq_sym(n_);
    t.pvp = b1 - 2.0 * b2 + trace_product_sym(m_, n_);
    return t;
  }

  [[nodiscard]] double s1() const noexcept { return s1_; }
  [[nodiscard]] double s2() const noexcept { return s2_; }
  [[nodiscard]] double ypy() const noexcept { return ypy_; }
  [[nodiscard]] double yppy() const noexcept { return yppy_; }
  [[nodiscard]] double tr_p() const noexcept { return tr_p_; }
  [[nodiscard]] double tr_pp() const noexcept { return tr_pp_; }
  [[nodiscard]] double logdet() const noexcept { return logdet_; }
  [[nodiscard]] double weight(std::size_t i) const noexcept { return w_[i]; }
  [[nodiscard]] double hat(std::size_t i) const noexcept { return h_[i]; }
  [[nodiscard]] const std::vector<double>& beta_q() const noexcept { return beta_q_; }

  /// Var(beta) = R^-1 A^-1 R^-T times `scale`, into out (p x p row-major).
  void covariance(double scale, std::vector<double>& s, std::vector<double>& out) const {
    // S = R^-1 L^-T, row by row: row a of S solves L x = (row a of R^-1)'.
    s.assign(p_ * p_, 0.0);
    for (std::size_t a = 0; a < p_; ++a) {
      double* row = &s[a * p_];
      for (std::size_t m = 0; m < p_; ++m) row[m] = b_.rinv[a * p_ + m];
      forward_in_place(row);
    }
    out.assign(p_ * p_, 0.0);
    for (std::size_t a = 0; a < p_; ++a) {
      for (std::size_t c = 0; c < p_; ++c) {
        double sum = 0;
        for (std::size_t m = 0; m < p_; ++m) sum += s[a * p_ + m] * s[c * p_ + m];
        out[a * p_ + c] = scale * sum;
      }
    }
  }

  /// beta = R^-1 beta_Q into out.
  void coefficients(std::vector<double>& out) const {
    out.assign(p_, 0.0);
    for (std::size_t a = 0; a < p_; ++a) {
      double sum = 0;
      for (std::size_t m = a; m < p_; ++m) sum += b_.rinv[a * p_ + m] * beta_q_[m];
      out[a] = sum;
    }
  }

 private:
  void forward_in_place(double* x) const {
    for (std::size_t j = 0; j < p_; ++j) {
      double s = x[j];
      for (std::size_t m = 0; m < j; ++m) s -= l_[j * p_ + m] * x[m];
      x[j] = s / l_[j * p_ + j];
    }
  }
  void forward(std::vector<double>& x) const { forward_in_place(x.data()); }
  void backward(std::vector<double>& x) const {
    for (std::size_t jj = p_; jj-- > 0;) {
      double s = x[jj];
      for (std::size_t m = jj + 1; m < p_; ++m) s -= l_[m * p_ + jj] * x[m];
      x[jj] = s / l_[jj * p_ + jj];
    }
  }
  /// |S|_F^2 of a symmetric matrix stored as its lower triangle.
  [[nodiscard]] double frobenius_sq_sym(const std::vector<double>& s) const {
    double f = 0;
    for (std::size_t a = 0; a < p_; ++a) {
      for (std::size_t c = 0; c < a; ++c) f += 2.0 * s[a * p_ + c] * s[a * p_ + c];
      f += s[a * p_ + a] * s[a * p_ + a];
    }
    return f;
  }
  /// tr(S T) of two symmetric matrices stored as lower triangles.
  [[nodiscard]] double trace_product_sym(const std::vector<double>& s, const std::vector<double>& t) const {
    double f = 0;
    for (std::size_t a = 0; a < p_; ++a) {
      for (std::size_t c = 0; c < a; ++c) f += 2.0 * s[a * p_ + c] * t[a * p_ + c];
      f += s[a * p_ + a] * t[a * p_ + a];
    }
    return f;
  }

  const basis& b_;
  std::size_t k_, p_;
  std::vector<double> w_, r_, u_, h_, z_, l_, m_, n_, t1_, t2_, beta_q_;
  double s1_ = 0, s2_ = 0, ypy_ = 0, yppy_ = 0, tr_p_ = 0, tr_pp_ = 0, logdet_ = 0;
  bool traces_ready_ = false;
};

// ---------------------------------------------------------------------------------------------
// tau^2 for general X: the shared estimator (tau2_estimator.hpp) with the design engine as its
// model, y already centred where that is exact.

using detail::tau2_solution;

class design_model {
 public:
  design_model(engine& e, std::span<const double> y, std::span<const double> v, std::size_t p)
      : e_(e), y_(y), v_(v), k_(static_cast<double>(y.size())), p_(static_cast<double>(p)) {}

  [[nodiscard]] double k() const noexcept { return k_; }
  [[nodiscard]] double p() const noexcept { return p_; }
  [[nodiscard]] std::span<const double> y() const noexcept { return y_; }
  [[nodiscard]] std::span<const double> v() const noexcept { return v_; }

  bool at(double tau2) { return evaluate(tau2, false); }
  bool at_unit() { return evaluate(0.0, true); }

  [[nodiscard]] double s1() const noexcept { return e_.s1(); }
  [[nodiscard]] double s2() const noexcept { return e_.s2(); }
  [[nodiscard]] double ypy() const noexcept { return e_.ypy(); }
  [[nodiscard]] double yppy() const noexcept { return e_.yppy(); }
  double ypppy() { return e_.ypppy(); }
  double tr_p() {
    e_.traces();
    return e_.tr_p();
  }
  double tr_pp() {
    e_.traces();
    return e_.tr_pp();
  }
  [[nodiscard]] double det_state() const noexcept { return e_.logdet(); }
  [[nodiscard]] double log_det_change(double logdet0) const noexcept { return e_.logdet() - logdet0; }
  double tr_pv() { return e_.v_traces(v_).pv; }
  detail::tau2_traces v_traces() {
    const auto t = e_.v_traces(v_);
    return {t.pv, t.pvpv, t.pvp};
  }
  double residual_q(double tau2) { return at(tau2) ? e_.ypy() : nan; }

 private:
  bool evaluate(double tau2, bool unit) {
    if (!e_.factor(v_, tau2, unit)) return false;
    e_.solve(y_);
    return true;
  }

  engine& e_;
  std::span<const double> y_, v_;
  double k_, p_;
};

/// tau^2 by spec.est for the design behind e (metafor rma.uni with moderators).
tau2_solution estimate_design_tau2(engine& e, std::span<const double> y, std::span<const double> v,
                                   const model_spec& spec, std::size_t p, bool want_se) {
  design_model model(e, y, v, p);
  return detail::solve_tau2(model, spec, want_se);
}

// ---------------------------------------------------------------------------------------------
// Inference at a given tau^2: coefficients, their covariance, tests and QM.

struct inference_buffers {
  std::vector<double> beta, vcov, s, sub;
};

struct inference_out {
  double s2w = 1.0;
  double df = nan;
  double QM = nan;
  bool ok = true;
};

/// QM = b' V^-1 b over the tested coefficients, by Cholesky of the sub-block; NaN if not PD.
double wald_qm(const basis& b, const std::vector<double>& beta, const std::vector<double>& vcov,
               std::vector<double>& sub) {
  const std::size_t m = b.tested.size();
  const std::size_t p = b.p;
  sub.assign(m * m + m, 0.0);
  double* l = sub.data();
  double* x = sub.data() + m * m;
  for (std::size_t a = 0; a < m; ++a) {
    for (std::size_t c = 0; c < m; ++c) l[a * m + c] = vcov[b.tested[a] * p + b.tested[c]];
    x[a] = beta[b.tested[a]];
  }
  for (std::size_t j = 0; j < m; ++j) {
    double d = l[j * m + j];
    for (std::size_t q = 0; q < j; ++q) d -= l[j * m + q] * l[j * m + q];
    if (!(d > 0.0)) return nan;
    const double ljj = std::sqrt(d);
    l[j * m + j] = ljj;
    for (std::size_t i = j + 1; i < m; ++i) {
      double s = l[i * m + j];
      for (std::size_t q = 0; q < j; ++q) s -= l[i * m + q] * l[j * m + q];
      l[i * m + j] = s / ljj;
    }
  }
  double qm = 0;
  for (std::size_t j = 0; j < m; ++j) {
    double s = x[j];
    for (std::size_t q = 0; q < j; ++q) s -= l[j * m + q] * x[q];
    x[j] = s / l[j * m + j];
    qm += x[j] * x[j];
  }
  return qm;
}

/// Fits beta at tau2 with the uncentred y (rma.uni.r model fitting) and the test statistics.
inference_out infer(engine& e, const basis& b, std::span<const double> y, std::span<const double> v, double tau2,
                    const model_spec& spec, inference_buffers& buf) {
  inference_out out;
  if (!e.factor(v, tau2)) {
    out.ok = false;
    return out;
  }
  e.solve(y);
  const double kd = static_cast<double>(b.k), pd = static_cast<double>(b.p);
  if (uses_t(spec.test)) {
    // Hartung & Knapp (2001) / metafor test = "knha": s^2 = RSS / (k - p), 0 at rounding level;
    // "adhoc" max(1, s^2); "t" no scaling.
    out.s2w = hk_scale(spec.test, e.ypy(), kd - pd);
    out.df = kd - pd;
  }
  e.coefficients(buf.beta);
  e.covariance(out.s2w, buf.s, buf.vcov);
  out.QM = wald_qm(b, buf.beta, buf.vcov, buf.sub);
  if (uses_t(spec.test)) out.QM /= static_cast<double>(b.tested.size());
  return out;
}

double statistic_of(const std::vector<double>& beta, const std::vector<double>& vcov, std::size_t p, std::size_t j) {
  return beta[j] / std::sqrt(vcov[j * p + j]);
}

void check_inputs(std::span<const double> y, std::span<const double> v, const design& x, const model_spec& spec) {
  if (y.size() != v.size()) throw error("models::fit_regression: y and v differ in length");
  if (x.rows != y.size())
    throw error("models::fit_regression: the design has " + std::to_string(x.rows) + " rows for " +
                std::to_string(y.size()) + " studies");
  if (x.x.size() != x.rows * x.cols) throw error("models::fit_regression: design storage is not rows * cols");
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) throw error("models::fit_regression: effect sizes must be finite");
    if (!(v[i] > 0.0) || !std::isfinite(v[i])) {
      throw error("models::fit_regression: sampling variances must be positive and finite");
    }
  }
  for (double xi : x.x) {
    if (!std::isfinite(xi)) throw error("models::fit_regression: design values must be finite");
  }
  if (!(spec.level > 0.0 && spec.level < 1.0)) fail_usage("--level", "must lie strictly between 0 and 1");
  if (spec.est == method::MH || spec.est == method::PETO) {
    fail_usage("--method",
               std::string(to_string(spec.est)) +
                   " pools 2x2 counts; meta-regression needs EE or a tau^2 estimator (DL REML ML PM HE SJ HS EB)");
  }
}

/// User weights a (metafor rma.uni weights=): beta = (X'AX)^-1 X'A y with the sandwich
/// Var(beta) = s2w (X'AX)^-1 X'A M A X (X'AX)^-1, M = diag(v + tau2); s2w is the Hartung-Knapp
/// factor of the inverse-variance fit (rma.uni's RSS.knha), 1 for the z and t tests. Overwrites
/// buf.beta and buf.vcov; fills hat values diag(X (X'AX)^-1 X'A). False when X'AX is singular.
bool weighted_inference(const basis& b, std::span<const double> y, std::span<const double> v, double tau2,
                        std::span<const double> a, double s2w, inference_buffers& buf, std::vector<double>& hat) {
  const auto ki = static_cast<Eigen::Index>(b.k), pi = static_cast<Eigen::Index>(b.p);
  Eigen::MatrixXd x(ki, pi);
  for (Eigen::Index i = 0; i < ki; ++i) {
    for (Eigen::Index j = 0; j < pi; ++j) x(i, j) = b.xk[static_cast<std::size_t>(i * pi + j)];
  }
  Eigen::VectorXd av(ki), mv(ki), yv(ki);
  for (Eigen::Index i = 0; i < ki; ++i) {
    const auto u = static_cast<std::size_t>(i);
    av(i) = a[u];
    mv(i) = v[u] + tau2;
    yv(i) = y[u];
  }
  const Eigen::MatrixXd xta = x.transpose() * av.asDiagonal();
  const Eigen::LDLT<Eigen::MatrixXd> xtax((xta * x).eval());
  if (xtax.info() != Eigen::Success || !(xtax.vectorD().array() > 0.0).all()) return false;
  const Eigen::MatrixXd s = xtax.solve(Eigen::MatrixXd::Identity(pi, pi));
  const Eigen::VectorXd beta = s * (xta * yv);
  const Eigen::MatrixXd vb = s2w * (s * (xta * mv.asDiagonal() * xta.transpose()) * s);
  buf.beta.assign(beta.data(), beta.data() + pi);
  buf.vcov.resize(b.p * b.p);
  for (Eigen::Index r = 0; r < pi; ++r) {
    for (Eigen::Index c = 0; c < pi; ++c) buf.vcov[static_cast<std::size_t>(r * pi + c)] = vb(r, c);
  }
  const Eigen::MatrixXd h = x * s * xta;
  hat.resize(b.k);
  for (Eigen::Index i = 0; i < ki; ++i) hat[static_cast<std::size_t>(i)] = h(i, i);
  return true;
}

std::vector<double> centred_copy(std::span<const double> y, bool centre) {
  std::vector<double> out(y.begin(), y.end());
  if (!centre || y.empty()) return out;
  double m = 0;
  for (double yi : y) m += yi;
  m /= static_cast<double>(y.size());
  for (double& yi : out) yi -= m;
  return out;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "'" : ", '") + n + "'";
  return s;
}

}  // namespace

regression_result fit_regression(std::span<const double> y, std::span<const double> v, const design& x,
                                 const model_spec& spec, std::span<const double> weights) {
  check_inputs(y, v, x, spec);
  if (!weights.empty()) {
    if (weights.size() != y.size()) throw error("models::fit_regression: weights and y differ in length");
    for (double w : weights) {
      if (!(w >= 0.0) || !std::isfinite(w)) fail_usage("weights", "weights must be finite numbers >= 0");
    }
  }
  regression_result r;
  r.spec = spec;
  const std::size_t k = y.size();
  r.k = static_cast<int>(k);
  const bool random = is_random_effects(spec.est);
  const basis b = make_basis(x);
  r.dropped = b.dropped;
  r.p = static_cast<int>(b.p);
  r.has_intercept = b.intercept >= 0;
  if (!b.dropped.empty()) {
    r.status = fit_status::degenerate;
    r.notes.add("the design is not of full rank: " + join_names(b.dropped) +
                (b.dropped.size() == 1 ? " is a linear combination" : " are linear combinations") +
                " of earlier columns (aliased) and dropped from the model, as metafor drops redundant predictors");
  }
  for (std::size_t m = 0; m < b.p; ++m) {
    coefficient c;
    c.name = column_name(x, b.kept[m]);
    r.coefficients.push_back(std::move(c));
  }
  const std::size_t p = b.p;
  const double kd = static_cast<double>(k), pd = static_cast<double>(p);
  if (p == 0 || k < p || k == 0) {
    r.status = fit_status::degenerate;
    r.notes.add(p == 0 ? "the model has no coefficients to estimate"
                       : "k = " + std::to_string(k) + " studies for p = " + std::to_string(p) +
                             " coefficients: the model is not identified");
    return r;
  }
  const bool estimate = random && !spec.tau2_fixed;
  const bool tau2_estimable = !estimate || k > p;
  const std::vector<double> yc = centred_copy(y, b.centre);

  engine e(b);
  tau2_solution t2;
  if (!random) {
    t2.tau2 = 0.0;
  } else if (spec.tau2_fixed) {
    t2.tau2 = *spec.tau2_fixed;
  } else if (!tau2_estimable) {
    r.status = fit_status::degenerate;
    r.notes.add("k = p = " + std::to_string(k) +
                ": the model fits the data exactly; tau^2 cannot be estimated and is set to 0");
  } else {
    t2 = estimate_design_tau2(e, yc, v, spec, p, true);
    if (t2.failed) {
      r.status = fit_status::not_converged;
      r.notes.add(
          "the weighted cross product of the design is not positive definite at some tau^2; results are unreliable");
      t2.tau2 = std::max(0.0, t2.tau2);
    } else if (r.status == fit_status::ok || t2.status == fit_status::fallback ||
               t2.status == fit_status::not_converged) {
      r.status = t2.status;
    }
    r.conv = t2.conv;
    if (t2.ll0_reset)
      r.notes.add("the likelihood at tau^2 = 0 exceeded the likelihood at the scoring optimum; tau^2 set to 0");
    if (t2.conv.used_fallback)
      r.notes.add("Fisher scoring did not converge; tau^2 found as the root of the score equation");
    if (t2.status == fit_status::not_converged && !t2.failed) {
      r.notes.add("tau^2 estimation did not converge; results are unreliable");
    }
    if (t2.tau2 == 0.0) r.notes.add("tau^2 estimated at its lower bound 0");
  }
  const double tau2 = t2.tau2;
  r.tau2 = random ? tau2 : 0.0;
  r.tau2_se = estimate ? t2.se : nan;

  // Coefficients and tests (rma.uni.r, model fitting and tests of the fixed effects).
  inference_buffers buf;
  inference_out inf = infer(e, b, y, v, tau2, spec, buf);
  std::vector<double> weighted_hat;
  if (inf.ok && !weights.empty()) {
    inf.ok = weighted_inference(b, y, v, tau2, weights, inf.s2w, buf, weighted_hat);
    if (inf.ok) {
      inf.QM = wald_qm(b, buf.beta, buf.vcov, buf.sub);
      if (uses_t(spec.test)) inf.QM /= static_cast<double>(b.tested.size());
    }
  }
  if (!inf.ok) {
    r.status = fit_status::not_converged;
    r.notes.add("the weighted cross product of the design is not positive definite; coefficients not available");
    return r;
  }
  if ((spec.test == ci_method::hk || spec.test == ci_method::adhoc) && !random) {
    r.notes.add("Hartung-Knapp is meant for random-effects models; applied to the common-effect model as requested");
  }
  r.vcov = buf.vcov;
  const bool hk = uses_t(spec.test);
  r.df = hk ? kd - pd : nan;
  double crit = nan;
  if (hk) {
    if (r.df > 0) crit = math::t_critical(spec.level, r.df);
  } else {
    crit = math::normal_critical(spec.level);
  }
  for (std::size_t j = 0; j < p; ++j) {
    coefficient& c = r.coefficients[j];
    c.estimate = buf.beta[j];
    c.se = std::sqrt(buf.vcov[j * p + j]);
    c.statistic = c.estimate / c.se;
    if (hk) {
      c.p = r.df > 0 ? math::t_two_sided_p(c.statistic, r.df) : nan;
    } else {
      c.p = math::normal_two_sided_p(c.statistic);
    }
    c.ci_lower = c.estimate - crit * c.se;
    c.ci_upper = c.estimate + crit * c.se;
  }
  r.QM = inf.QM;
  r.QM_df = static_cast<double>(b.tested.size());
  if (hk) {
    r.QM_df2 = kd - pd;
    r.QM_p = r.QM_df2 > 0 && !std::isnan(r.QM) ? math::f_upper(r.QM, r.QM_df, r.QM_df2) : nan;
  } else {
    r.QM_p = std::isnan(r.QM) ? nan : math::chisq_upper(r.QM, r.QM_df);
  }
  // Hat values and fitted values at the estimate.
  e.traces();
  r.hat.resize(k);
  r.fitted.resize(k);
  for (std::size_t i = 0; i < k; ++i) {
    const double h = weighted_hat.empty() ? e.hat(i) : weighted_hat[i];
    r.hat[i] = h > 1.0 - 10.0 * std::numeric_limits<double>::epsilon() ? 1.0 : h;  // hatvalues.rma.uni
    double f = 0;
    for (std::size_t j = 0; j < p; ++j) f += b.xk[i * p + j] * buf.beta[j];
    r.fitted[i] = f;
  }

  // Residual heterogeneity (rma.uni.r QE block): w = 1/v; I^2/H^2 tau^2-based for RE models.
  if (k > p) {
    if (!e.factor(v, 0.0)) {
      r.status = fit_status::not_converged;
      r.notes.add("the weighted cross product of the design is not positive definite at tau^2 = 0");
      return r;
    }
    e.solve(yc);
    e.traces();
    r.QE = std::max(0.0, e.ypy());
    r.QE_df = kd - pd;
    r.QE_p = math::chisq_upper(r.QE, r.QE_df);
    r.typical_v = (kd - pd) / e.tr_p();
    if (random) {
      r.I2 = 100.0 * r.tau2 / (r.typical_v + r.tau2);
      r.H2 = r.tau2 / r.typical_v + 1.0;
    } else {
      r.I2 = r.QE > 0 ? std::max(0.0, 100.0 * (r.QE - r.QE_df) / r.QE) : 0.0;
      r.H2 = r.QE / r.QE_df;
    }
  } else {  // k == p: metafor's values
    if (r.status == fit_status::ok) r.status = fit_status::degenerate;
    if (!(estimate && !tau2_estimable)) {
      r.notes.add("k = p = " + std::to_string(k) +
                  ": the model fits the data exactly; no residual heterogeneity can be assessed");
    }
    r.QE = 0.0;
    r.QE_df = 0.0;
    r.QE_p = 1.0;
    r.I2 = 0.0;
    r.H2 = 1.0;
    r.typical_v = 0.0;
  }

  // R^2 (rma.uni.r, r2def "1"): against the intercept-only model with the same estimator.
  if (random && b.intercept >= 0 && p > 1) {
    model_spec s0 = spec;
    s0.tau2_fixed.reset();
    const tau2_estimate re = estimate_tau2(y, v, s0);
    r.R2 = re.tau2 == 0.0 ? 0.0 : std::max(0.0, 100.0 * (re.tau2 - r.tau2) / re.tau2);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Permutation test (metafor permutest.rma.uni).

namespace {

/// splitmix64 (Steele, Lea & Flood 2014): a fixed, platform-independent generator, so that a seed
/// gives the same permutations everywhere (std::shuffle's distributions are implementation-defined).
class splitmix64 {
 public:
  explicit splitmix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// Uniform on [0, n) without modulo bias (rejection sampling).
  std::uint64_t below(std::uint64_t n) noexcept {
    const std::uint64_t limit =
        std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % n;
    std::uint64_t x = next();
    while (x >= limit) x = next();
    return x % n;
  }

 private:
  std::uint64_t state_;
};

/// One refit's z statistics and QM with a reusable workspace.
class refitter {
 public:
  refitter(const basis& b, std::span<const double> v0, const model_spec& spec)
      : b_(b), spec_(spec), e_(b), y_(b.k), yc_(b.k), v_(v0.begin(), v0.end()), z_(b.p) {}

  std::vector<double>& y() { return y_; }
  std::vector<double>& v() { return v_; }

  /// Fits the current y/v; false when the fit failed.
  bool fit() {
    yc_ = y_;
    if (b_.centre) {
      double m = 0;
      for (double yi : yc_) m += yi;
      m /= static_cast<double>(yc_.size());
      for (double& yi : yc_) yi -= m;
    }
    double tau2 = 0.0;
    if (is_random_effects(spec_.est)) {
      if (spec_.tau2_fixed) {
        tau2 = *spec_.tau2_fixed;
      } else {
        const tau2_solution t = estimate_design_tau2(e_, yc_, v_, spec_, b_.p, false);
        if (t.failed || t.status == fit_status::not_converged) return false;
        tau2 = t.tau2;
      }
    }
    const inference_out inf = infer(e_, b_, y_, v_, tau2, spec_, buf_);
    if (!inf.ok) return false;
    for (std::size_t j = 0; j < b_.p; ++j) z_[j] = statistic_of(buf_.beta, buf_.vcov, b_.p, j);
    qm_ = inf.QM;
    return true;
  }
  [[nodiscard]] const std::vector<double>& z() const { return z_; }
  [[nodiscard]] double qm() const { return qm_; }

 private:
  const basis& b_;
  const model_spec& spec_;
  engine e_;
  std::vector<double> y_, yc_, v_, z_;
  inference_buffers buf_;
  double qm_ = nan;
};

/// Number of distinct arrangements k! / prod n_c!, or +inf when it exceeds `cap`.
double arrangements(const std::vector<std::size_t>& class_sizes, double cap) {
  double count = 1.0;
  double n = 0.0;
  for (std::size_t size : class_sizes) {
    for (std::size_t j = 1; j <= size; ++j) {  // multiply by C(n + size, size) step by step
      n += 1.0;
      count = count * n / static_cast<double>(j);
      if (count > cap * 4.0) return std::numeric_limits<double>::infinity();
    }
  }
  return std::round(count);
}

}  // namespace

permutation_result permutation_test(std::span<const double> y, std::span<const double> v, const design& x,
                                    const model_spec& spec, const permutation_options& opt) {
  check_inputs(y, v, x, spec);
  if (opt.iterations < 2) fail_usage("--permutations", "must be at least 2");
  permutation_result out;
  out.seed = opt.seed;
  const basis b = make_basis(x);
  const std::size_t k = y.size(), p = b.p;
  out.p.assign(p, nan);
  if (p == 0 || k <= p) return out;

  refitter fit(b, v, spec);
  std::copy(y.begin(), y.end(), fit.y().begin());
  if (!fit.fit()) return out;
  const std::vector<double> z_obs = fit.z();
  const double qm_obs = fit.qm();
  const double tol = std::sqrt(std::numeric_limits<double>::epsilon());  // permutest's comptol
  std::vector<long> hits(p, 0);
  long qm_hits = 0, done = 0;
  auto tally = [&]() {
    if (!fit.fit()) {
      ++out.failed;
      return;
    }
    ++done;
    for (std::size_t j = 0; j < p; ++j) {
      if (std::abs(fit.z()[j]) >= std::abs(z_obs[j]) - tol) ++hits[j];
    }
    if (fit.qm() >= qm_obs - tol) ++qm_hits;
  };
  const bool intercept_only = p == 1 && b.intercept == 0;
  const auto iterations = static_cast<double>(opt.iterations);
  splitmix64 rng(opt.seed);
  std::vector<double>& yy = fit.y();
  std::vector<double>& vv = fit.v();

  if (intercept_only) {
    // Sign flips (permutest for intercept-only models): exact over all 2^k sign vectors if feasible.
    const double total = k < 63 ? std::ldexp(1.0, static_cast<int>(k)) : std::numeric_limits<double>::infinity();
    out.exact = opt.exact && total <= iterations;
    if (out.exact) {
      const std::uint64_t n = std::uint64_t{1} << k;
      for (std::uint64_t mask = 0; mask < n; ++mask) {
        for (std::size_t i = 0; i < k; ++i) yy[i] = ((mask >> i) & 1U) ? -y[i] : y[i];
        tally();
      }
      out.iterations = static_cast<int>(n);
    } else {
      ++done;  // the observed data count as the first
      for (std::size_t j = 0; j < p; ++j) ++hits[j];
      ++qm_hits;
      for (int it = 1; it < opt.iterations; ++it) {
        for (std::size_t i = 0; i < k; ++i) yy[i] = (rng.next() >> 63) ? -y[i] : y[i];
        tally();
      }
      out.iterations = opt.iterations;
    }
  } else {
    // Classes of identical rows of X: permuting rows within a class changes nothing.
    std::vector<std::size_t> cls(k);
    std::vector<std::vector<std::size_t>> rows_of;
    std::vector<std::size_t> order(k);
    std::iota(order.begin(), order.end(), std::size_t{0});
    auto row_less = [&](std::size_t a, std::size_t c) {
      return std::lexicographical_compare(
          b.xk.begin() + static_cast<std::ptrdiff_t>(a * p), b.xk.begin() + static_cast<std::ptrdiff_t>((a + 1) * p),
          b.xk.begin() + static_cast<std::ptrdiff_t>(c * p), b.xk.begin() + static_cast<std::ptrdiff_t>((c + 1) * p));
    };
    std::stable_sort(order.begin(), order.end(), row_less);
    for (std::size_t idx = 0; idx < k; ++idx) {
      const std::size_t i = order[idx];
      if (idx == 0 || row_less(order[idx - 1], i)) rows_of.emplace_back();
      cls[i] = rows_of.size() - 1;
      rows_of.back().push_back(i);
    }
    std::vector<std::size_t> sizes;
    for (const auto& r : rows_of) sizes.push_back(r.size());
    const double total = arrangements(sizes, iterations);
    out.exact = opt.exact && total <= iterations;
    if (out.exact) {
      // Every distinct sequence of classes s (s_i = class of the X row that study i's y/v meet),
      // in lexicographic order; the observed one is among them.
      std::vector<std::size_t> s(k), next_row(rows_of.size());
      for (std::size_t i = 0; i < k; ++i) s[i] = cls[order[i]];
      std::sort(s.begin(), s.end());
      int n = 0;
      do {
        std::fill(next_row.begin(), next_row.end(), 0);
        for (std::size_t i = 0; i < k; ++i) {
          const std::size_t row = rows_of[s[i]][next_row[s[i]]++];
          yy[row] = y[i];
          vv[row] = v[i];
        }
        tally();
        ++n;
      } while (std::next_permutation(s.begin(), s.end()));
      out.iterations = n;
    } else {
      ++done;
      for (std::size_t j = 0; j < p; ++j) ++hits[j];
      ++qm_hits;
      std::vector<std::size_t> perm(k);
      for (int it = 1; it < opt.iterations; ++it) {
        std::iota(perm.begin(), perm.end(), std::size_t{0});
        for (std::size_t i = k - 1; i > 0; --i) std::swap(perm[i], perm[rng.below(i + 1)]);  // Fisher-Yates
        for (std::size_t i = 0; i < k; ++i) {
          yy[perm[i]] = y[i];
          vv[perm[i]] = v[i];
        }
        tally();
      }
      out.iterations = opt.iterations;
    }
  }
  if (done > 0) {
    for (std::size_t j = 0; j < p; ++j)
      out.p[j] = std::min(1.0, static_cast<double>(hits[j]) / static_cast<double>(done));
    out.QM_p = std::isnan(qm_obs) ? nan : static_cast<double>(qm_hits) / static_cast<double>(done);
  }
  return out;
}

prediction predict(const regression_result& r, std::span<const double> x) {
  const std::size_t p = r.coefficients.size();
  if (x.size() != p) {
    throw usage_error("models::predict: " + std::to_string(x.size()) + " values for " + std::to_string(p) +
                      " coefficients");
  }
  prediction out;
  if (p == 0 || r.vcov.size() != p * p) return out;
  double est = 0.0, var = 0.0;
  for (std::size_t a = 0; a < p; ++a) {
    est += x[a] * r.coefficients[a].estimate;
    for (std::size_t b = 0; b < p; ++b) var += x[a] * r.vcov[a * p + b] * x[b];
  }
  out.estimate = est;
  out.se = std::sqrt(std::max(var, 0.0));
  double crit = std::numeric_limits<double>::quiet_NaN();
  if (uses_t(r.spec.test)) {
    if (r.df > 0) crit = math::t_critical(r.spec.level, r.df);
  } else {
    crit = math::normal_critical(r.spec.level);
  }
  out.ci_lower = est - crit * out.se;
  out.ci_upper = est + crit * out.se;
  return out;
}

}  // namespace metasift::models
