// Google Benchmark kernels for the intercept-only inverse-variance models.
//   BM_re_kernel/<method>/<k>: models::re_kernel (tau^2, pooled estimate and Q; no allocation,
//                              no Q-profile CI) -- what the batch engine calls per dataset.
//   BM_fit_full/REML/10:       models::fit (per-study rows, heterogeneity, Q-profile CI).
// Each iteration fits the next dataset of a fixed pool of pseudo-random datasets (std::mt19937,
// fixed seed), so that the timings average over datasets rather than one lucky draw.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "bench_data.hpp"
#include "metasift/models/fit.hpp"

namespace {

using metasift::models::method;
using metasift::models::model_spec;

constexpr std::size_t pool_size = 256;
constexpr unsigned seed = 20240611u;

struct dataset_pool {
  std::size_t k;
  std::vector<double> y, v;  // pool_size datasets of k studies, back to back

  explicit dataset_pool(std::size_t k_) : k(k_), y(pool_size * k_), v(pool_size * k_) {
    std::mt19937 rng(seed);
    metasift::bench::dataset_generator gen;
    for (std::size_t d = 0; d < pool_size; ++d) {
      gen.fill(rng, std::span<double>(y).subspan(d * k, k), std::span<double>(v).subspan(d * k, k));
    }
  }
  [[nodiscard]] std::span<const double> ys(std::size_t d) const { return std::span<const double>(y).subspan(d * k, k); }
  [[nodiscard]] std::span<const double> vs(std::size_t d) const { return std::span<const double>(v).subspan(d * k, k); }
};

void BM_re_kernel(benchmark::State& state, method est) {
  const dataset_pool data(static_cast<std::size_t>(state.range(0)));
  model_spec spec;
  spec.est = est;
  std::size_t d = 0;
  for (auto _ : state) {
    auto r = metasift::models::re_kernel(data.ys(d), data.vs(d), spec);
    benchmark::DoNotOptimize(r);
    d = (d + 1) % pool_size;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_fit_full(benchmark::State& state, method est) {
  const auto k = static_cast<std::size_t>(state.range(0));
  const dataset_pool data(k);
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < k; ++i) labels.push_back("Study " + std::to_string(i + 1));
  model_spec spec;
  spec.est = est;
  spec.tau2_ci = true;
  std::size_t d = 0;
  for (auto _ : state) {
    auto r = metasift::models::fit(data.ys(d), data.vs(d), labels, spec);
    benchmark::DoNotOptimize(r);
    d = (d + 1) % pool_size;
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK_CAPTURE(BM_re_kernel, REML, method::REML)->Arg(10)->Arg(100);
BENCHMARK_CAPTURE(BM_re_kernel, DL, method::DL)->Arg(10)->Arg(100);
BENCHMARK_CAPTURE(BM_re_kernel, EE, method::EE)->Arg(10)->Arg(100);
BENCHMARK_CAPTURE(BM_fit_full, REML, method::REML)->Arg(10);

BENCHMARK_MAIN();
