// Ziggurat tables and the slow paths of counter_rng::normal (see rng.hpp for the method).

#include "metasift/batch/rng.hpp"

#include <cmath>

namespace metasift::batch {
namespace detail {
namespace {

double density(double x) noexcept {
  return std::exp(-0.5 * x * x);
}

ziggurat_tables make_tables() noexcept {
  ziggurat_tables t{};
  const double fr = density(zig_r);
  t.x[0] = zig_v / fr;  // base layer: rectangle [0, r] x [0, f(r)] plus the tail, area v
  t.x[1] = zig_r;
  // Layer i spans heights f(x[i])..f(x[i+1]) and has area x[i] (f(x[i+1]) - f(x[i])) = v.
  for (int i = 1; i < 256; ++i) {
    const double next_f = density(t.x[i]) + zig_v / t.x[i];
    t.x[i + 1] = next_f >= 1.0 ? 0.0 : std::sqrt(-2.0 * std::log(next_f));
  }
  t.x[256] = 0.0;
  for (int i = 0; i <= 256; ++i) t.f[i] = density(t.x[i]);
  t.f[0] = fr;  // the base layer's rectangle has height f(r)
  return t;
}

}  // namespace

const ziggurat_tables zig = make_tables();

}  // namespace detail

double counter_rng::normal_slow(std::uint64_t u, unsigned layer) noexcept {
  using detail::zig;
  for (;;) {
    const double s = static_cast<double>(static_cast<std::int64_t>(u >> 11U) - (std::int64_t{1} << 52)) * 0x1.0p-52;
    const double x = s * zig.x[layer];
    if (std::abs(x) < zig.x[layer + 1]) return x;
    if (layer == 0) {
      // Tail beyond r (Marsaglia 1964): a = -ln(U1)/r, b = -ln(U2), accept when 2b > a^2.
      double a = 0.0, b = 0.0;
      do {
        a = -std::log(uniform_pos()) / detail::zig_r;
        b = -std::log(uniform_pos());
      } while (b + b < a * a);
      return s < 0 ? -(detail::zig_r + a) : detail::zig_r + a;
    }
    // Wedge between the layer's rectangle and the curve: accept when a uniform height under the
    // rectangle's top falls below the density.
    const double y = zig.f[layer] + uniform() * (zig.f[layer + 1] - zig.f[layer]);
    if (y < std::exp(-0.5 * x * x)) return x;
    u = bits();
    layer = static_cast<unsigned>(u & 0xFFU);
  }
}

}  // namespace metasift::batch
