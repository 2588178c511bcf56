// metasift_permutations [N] [K] [SEED] [METHOD]
// Times models::permutation_test on one synthetic meta-regression: K studies (default 50), an
// intercept and two moderators (a continuous one and a 0/1 one), METHOD (default REML) for tau^2,
// N arrangements (default 10,000; the observed one included), single-threaded, with
// std::chrono::steady_clock. Data: v_i log-uniform over [0.001, 0.1], a_i ~ U(20, 50), b_i ~
// Bernoulli(1/2), y_i ~ N(0.2 - 0.01 a_i + 0.3 b_i, 0.05 + v_i), from std::mt19937(SEED).
// Prints one line:
//   permutations=N k=K p=3 method=M seconds=S refits_per_second=F p_a=... p_b=... QM_p=...

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "metasift/models/regression.hpp"

namespace {

template <class T>
bool parse(std::string_view s, T& out) {
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc{} && p == end;
}

int usage() {
  std::fputs(
      "usage: metasift_permutations [N] [K] [SEED] [METHOD]\n"
      "  N       arrangements, >= 2 (default 10000)\n"
      "  K       studies, >= 5 (default 50)\n"
      "  SEED    std::mt19937 seed for the data and the permutations (default 1)\n"
      "  METHOD  tau^2 estimator: EE DL REML ML PM HE SJ HS EB (default REML)\n",
      stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 10000;
  std::size_t k = 50;
  unsigned long seed = 1;
  std::string method = "REML";
  if (argc > 5) return usage();
  if (argc > 1 && (!parse(argv[1], n) || n < 2)) return usage();
  if (argc > 2 && (!parse(argv[2], k) || k < 5)) return usage();
  if (argc > 3 && !parse(argv[3], seed)) return usage();
  if (argc > 4) method = argv[4];
  try {
    namespace models = metasift::models;
    const auto m = models::parse_method(method);
    if (!m) return usage();
    std::mt19937 gen(static_cast<std::mt19937::result_type>(seed));
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::normal_distribution<double> z(0.0, 1.0);
    std::vector<double> y, v;
    models::design x;
    x.rows = k;
    x.cols = 3;
    x.names = {"intrcpt", "a", "b"};
    for (std::size_t i = 0; i < k; ++i) {
      const double a = 20.0 + 30.0 * u(gen);
      const double b = u(gen) < 0.5 ? 0.0 : 1.0;
      const double vi = std::exp(std::log(0.001) + (std::log(0.1) - std::log(0.001)) * u(gen));
      v.push_back(vi);
      y.push_back(0.2 - 0.01 * a + 0.3 * b + std::sqrt(0.05 + vi) * z(gen));
      x.x.insert(x.x.end(), {1.0, a, b});
    }
    models::model_spec spec;
    spec.est = *m;
    models::permutation_options opt;
    opt.iterations = n;
    opt.seed = seed;
    const auto t0 = std::chrono::steady_clock::now();
    const models::permutation_result r = models::permutation_test(y, v, x, spec, opt);
    const auto t1 = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(t1 - t0).count();
    std::printf(
        "permutations=%d k=%zu p=3 method=%s seconds=%.4f refits_per_second=%.0f p_a=%.4f p_b=%.4f QM_p=%.4f "
        "failed=%d\n",
        r.iterations, k, method.c_str(), seconds, static_cast<double>(r.iterations) / seconds, r.p.at(1), r.p.at(2),
        r.QM_p, r.failed);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "metasift_permutations: %s\n", e.what());
    return 1;
  }
  return 0;
}
