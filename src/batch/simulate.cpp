// Monte Carlo engine (see simulate.hpp).

#include "metasift/batch/simulate.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <thread>

#include "metasift/batch/rng.hpp"
#include "metasift/core/check.hpp"
#include "metasift/math/distributions.hpp"
#include "metasift/models/fit.hpp"

namespace metasift::batch {
namespace {

constexpr std::uint64_t block_reps = 1024;   // replicates summed together, independent of threads
constexpr std::uint64_t round_blocks = 256;  // blocks handed to the threads at a time

/// Sums over the replicates of one block, for every method (and CI method).
struct partial {
  struct per_method {
    double err = 0, err2 = 0, terr = 0, terr2 = 0;
    std::uint64_t boundary = 0, fallback = 0, not_converged = 0;
  };
  struct per_ci {
    std::uint64_t covered = 0;
    double width = 0;
  };
  std::vector<per_method> m;
  std::vector<per_ci> c;  ///< method-major: m * n_ci + ci
  std::uint64_t reps = 0;
};

class engine {
 public:
  explicit engine(const simulation_spec& s) : s_(s) {
    const double df = s.k - 1.0;
    z_crit_ = math::normal_critical(s.level);
    t_crit_ = math::t_critical(s.level, df);
    specs_.reserve(s.methods.size());
    for (const auto m : s.methods) {
      models::model_spec spec;
      spec.est = m;
      spec.tau2_ci = false;
      specs_.push_back(spec);
    }
    log_lo_ = std::log(s.v_min);
    log_span_ = std::log(s.v_max) - log_lo_;
  }

  void run_block(std::uint64_t block, partial& out) const {
    const std::size_t k = static_cast<std::size_t>(s_.k);
    const std::size_t nm = s_.methods.size(), nc = s_.cis.size();
    out.m.assign(nm, {});
    out.c.assign(nm * nc, {});
    out.reps = 0;
    std::vector<double> y(k), v(k);
    const std::uint64_t first = block * block_reps;
    const std::uint64_t last = std::min(s_.reps, first + block_reps);
    for (std::uint64_t r = first; r < last; ++r) {
      counter_rng g(s_.seed, r);
      for (std::size_t i = 0; i < k; ++i) {
        const double u = g.uniform();
        v[i] = s_.v_dist == variance_distribution::uniform ? s_.v_min + (s_.v_max - s_.v_min) * u
                                                           : std::exp(log_lo_ + log_span_ * u);
      }
      for (std::size_t i = 0; i < k; ++i) y[i] = s_.mu + std::sqrt(s_.tau2 + v[i]) * g.normal();
      for (std::size_t j = 0; j < nm; ++j) {
        const models::tau2_estimate t = models::estimate_tau2(y, v, specs_[j]);
        partial::per_method& pm = out.m[j];
        if (t.status == fit_status::boundary) ++pm.boundary;
        if (t.conv.used_fallback) ++pm.fallback;
        if (t.status == fit_status::not_converged) ++pm.not_converged;
        double s1 = 0, swy = 0;
        for (std::size_t i = 0; i < k; ++i) {
          const double w = 1.0 / (v[i] + t.tau2);
          s1 += w;
          swy += w * y[i];
        }
        const double mu_hat = swy / s1;
        const double var = 1.0 / s1;
        const double e = mu_hat - s_.mu;
        pm.err += e;
        pm.err2 += e * e;
        const double te = t.tau2 - s_.tau2;
        pm.terr += te;
        pm.terr2 += te * te;
        for (std::size_t c = 0; c < nc; ++c) {
          double half = 0;
          if (s_.cis[c] == models::ci_method::z) {
            half = z_crit_ * std::sqrt(var);
          } else {
            // Hartung-Knapp, as models::pool: s^2 = sum w (y - mu_hat)^2 / (k - 1), 0 at rounding level.
            double rss = 0;
            for (std::size_t i = 0; i < k; ++i) {
              const double d = y[i] - mu_hat;
              rss += d * d / (v[i] + t.tau2);
            }
            const double s2 =
                rss <= std::numeric_limits<double>::epsilon() ? 0.0 : rss / (static_cast<double>(k) - 1.0);
            half = t_crit_ * std::sqrt(var * s2);
          }
          partial::per_ci& pc = out.c[j * nc + c];
          if (mu_hat - half <= s_.mu && s_.mu <= mu_hat + half) ++pc.covered;
          pc.width += 2.0 * half;
        }
      }
      ++out.reps;
    }
  }

 private:
  const simulation_spec& s_;
  std::vector<models::model_spec> specs_;
  double z_crit_ = 0, t_crit_ = 0, log_lo_ = 0, log_span_ = 0;
};

void add(partial& into, const partial& b) {
  if (into.m.empty()) {
    into = b;
    return;
  }
  for (std::size_t j = 0; j < into.m.size(); ++j) {
    into.m[j].err += b.m[j].err;
    into.m[j].err2 += b.m[j].err2;
    into.m[j].terr += b.m[j].terr;
    into.m[j].terr2 += b.m[j].terr2;
    into.m[j].boundary += b.m[j].boundary;
    into.m[j].fallback += b.m[j].fallback;
    into.m[j].not_converged += b.m[j].not_converged;
  }
  for (std::size_t c = 0; c < into.c.size(); ++c) {
    into.c[c].covered += b.c[c].covered;
    into.c[c].width += b.c[c].width;
  }
  into.reps += b.reps;
}

}  // namespace

simulation_result simulate(const simulation_spec& s) {
  if (s.k < 2) fail_usage("--k", "must be at least 2");
  if (s.reps < 1) fail_usage("--reps", "must be at least 1");
  if (!(s.tau2 >= 0) || !std::isfinite(s.tau2)) fail_usage("--tau2", "must be a finite number >= 0");
  if (!std::isfinite(s.mu)) fail_usage("--mu", "must be finite");
  if (!(s.level > 0 && s.level < 1)) fail_usage("--level", "must lie strictly between 0 and 1");
  if (!(s.v_min > 0 && s.v_max >= s.v_min && std::isfinite(s.v_max))) {
    fail_usage("--v-min/--v-max", "need 0 < v-min <= v-max");
  }
  if (s.threads < 1) fail_usage("--threads", "must be at least 1");
  if (s.methods.empty()) fail_usage("--methods", "no method given");
  if (s.cis.empty()) fail_usage("--ci", "no CI method given");
  for (const auto m : s.methods) {
    if (m == models::method::MH || m == models::method::PETO) {
      fail_usage("--methods", std::string(models::to_string(m)) + " pools 2x2 counts; simulate draws yi/vi data");
    }
  }

  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
  engine eng(s);
  const std::uint64_t blocks = (s.reps + block_reps - 1) / block_reps;
  partial total;
  std::vector<partial> parts(static_cast<std::size_t>(std::min(blocks, round_blocks)));
  for (std::uint64_t round = 0; round < blocks; round += round_blocks) {
    const std::uint64_t n = std::min(round_blocks, blocks - round);
    const auto threads = static_cast<std::uint64_t>(s.threads);
    auto work = [&](std::uint64_t t) {
      for (std::uint64_t b = t; b < n; b += threads) eng.run_block(round + b, parts[static_cast<std::size_t>(b)]);
    };
    if (threads == 1 || n == 1) {
      work(0);
    } else {
      std::vector<std::thread> pool;
      for (std::uint64_t t = 1; t < std::min(threads, n); ++t) pool.emplace_back(work, t);
      work(0);
      for (auto& th : pool) th.join();
    }
    for (std::uint64_t b = 0; b < n; ++b) add(total, parts[static_cast<std::size_t>(b)]);
  }

  simulation_result res;
  const double R = static_cast<double>(total.reps);
  const std::size_t nc = s.cis.size();
  for (std::size_t j = 0; j < s.methods.size(); ++j) {
    for (std::size_t c = 0; c < nc; ++c) {
      simulation_row row;
      row.method = s.methods[j];
      row.ci = s.cis[c];
      row.reps = total.reps;
      row.bias = total.m[j].err / R;
      row.mse = total.m[j].err2 / R;
      row.tau2_bias = total.m[j].terr / R;
      row.tau2_mse = total.m[j].terr2 / R;
      row.boundary = total.m[j].boundary;
      row.fallback = total.m[j].fallback;
      row.not_converged = total.m[j].not_converged;
      row.coverage = static_cast<double>(total.c[j * nc + c].covered) / R;
      row.ci_width = total.c[j * nc + c].width / R;
      res.rows.push_back(row);
    }
  }
  res.fits = total.reps * s.methods.size();
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  res.cpu_seconds = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  return res;
}

}  // namespace metasift::batch
