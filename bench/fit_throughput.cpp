// metasift_fit_throughput N K SEED [kernel|full]
// Generates N synthetic datasets of K studies (see bench_data.hpp; nothing is written to disk) and
// times N REML fits with std::chrono::steady_clock:
//   kernel (default)  models::re_kernel -- tau^2, pooled estimate and Q, allocation-free
//   full              models::fit -- per-study rows, heterogeneity and the Q-profile CI for tau^2
// Datasets are generated in chunks outside the timed region, so only the fits are timed. Prints
//   fits=N k=K mode=M seconds=S fits_per_second=F checksum=C
// where C is the sum of the pooled estimates (it keeps the fits from being optimised away and
// should be close to N * 0.5).

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "bench_data.hpp"
#include "metasift/models/fit.hpp"

namespace {

template <class T>
bool parse(std::string_view s, T& out) {
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc{} && p == end;
}

int usage() {
  std::fputs(
      "usage: metasift_fit_throughput N K SEED [kernel|full]\n"
      "  N     number of datasets (fits), >= 1\n"
      "  K     studies per dataset, >= 2\n"
      "  SEED  std::mt19937 seed\n"
      "  mode  kernel: models::re_kernel (default); full: models::fit with the Q-profile CI\n",
      stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || argc > 5) return usage();
  std::size_t n = 0, k = 0;
  unsigned long seed = 0;
  if (!parse(argv[1], n) || !parse(argv[2], k) || !parse(argv[3], seed) || n < 1 || k < 2) return usage();
  const std::string_view mode = argc == 5 ? std::string_view(argv[4]) : std::string_view("kernel");
  if (mode != "kernel" && mode != "full") return usage();
  const bool full = mode == "full";

  try {
    metasift::models::model_spec spec;
    spec.est = metasift::models::method::REML;
    spec.tau2_ci = full;
    std::vector<std::string> labels;
    for (std::size_t i = 0; i < k; ++i) labels.push_back("Study " + std::to_string(i + 1));

    std::mt19937 rng(static_cast<std::mt19937::result_type>(seed));
    metasift::bench::dataset_generator gen;
    constexpr std::size_t chunk = 4096;  // datasets generated per batch, outside the timer
    std::vector<double> y(chunk * k), v(chunk * k);

    double checksum = 0.0;
    std::chrono::steady_clock::duration elapsed{};
    for (std::size_t done = 0; done < n;) {
      const std::size_t m = std::min(chunk, n - done);
      for (std::size_t d = 0; d < m; ++d) {
        gen.fill(rng, std::span<double>(y).subspan(d * k, k), std::span<double>(v).subspan(d * k, k));
      }
      const auto t0 = std::chrono::steady_clock::now();
      for (std::size_t d = 0; d < m; ++d) {
        const auto ys = std::span<const double>(y).subspan(d * k, k);
        const auto vs = std::span<const double>(v).subspan(d * k, k);
        if (full) {
          checksum += metasift::models::fit(ys, vs, labels, spec).pooled.estimate;
        } else {
          checksum += metasift::models::re_kernel(ys, vs, spec).pooled.estimate;
        }
      }
      elapsed += std::chrono::steady_clock::now() - t0;
      done += m;
    }

    const double seconds = std::chrono::duration<double>(elapsed).count();
    std::printf("fits=%zu k=%zu mode=%s seconds=%.6f fits_per_second=%.1f checksum=%.6f\n", n, k,
                full ? "full" : "kernel", seconds, static_cast<double>(n) / seconds, checksum);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "metasift_fit_throughput: %s\n", e.what());
    return 1;
  }
  return 0;
}
