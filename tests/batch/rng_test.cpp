// counter_rng: reproducible per-replicate streams, and the ziggurat's normal deviates checked
// against the normal distribution (moments, Kolmogorov-Smirnov, tail mass beyond r).

#include "metasift/batch/rng.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace {

using metasift::batch::counter_rng;

TEST(CounterRng, SameSeedAndReplicateGiveTheSameStream) {
  counter_rng a(7, 12345), b(7, 12345);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.bits(), b.bits());
  counter_rng c(7, 12345), d(7, 12345);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(c.normal(), d.normal());
}

TEST(CounterRng, ReplicatesAndSeedsDiffer) {
  counter_rng a(7, 1), b(7, 2), c(8, 1);
  const auto x = a.bits();
  EXPECT_NE(x, b.bits());
  EXPECT_NE(x, c.bits());
}

TEST(CounterRng, StreamDoesNotDependOnOtherReplicates) {
  // Replicate 5's numbers are the same whether or not replicates 0-4 were drawn first.
  std::vector<double> direct;
  counter_rng r5(99, 5);
  for (int i = 0; i < 20; ++i) direct.push_back(r5.normal());
  for (int rep = 0; rep < 5; ++rep) {
    counter_rng r(99, static_cast<std::uint64_t>(rep));
    for (int i = 0; i < 20; ++i) static_cast<void>(r.normal());
  }
  counter_rng again(99, 5);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(again.normal(), direct[static_cast<std::size_t>(i)]);
}

TEST(Ziggurat, TablesCloseTheLayers) {
  const auto& z = metasift::batch::detail::zig;
  EXPECT_DOUBLE_EQ(z.x[1], metasift::batch::detail::zig_r);
  // The top layer, between f(x[255]) and f(0) = 1, has the same area v as every other layer.
  const double top = z.x[255] * (1.0 - std::exp(-0.5 * z.x[255] * z.x[255]));
  EXPECT_NEAR(top / metasift::batch::detail::zig_v, 1.0, 1e-6);
  for (int i = 1; i < 256; ++i) EXPECT_GT(z.x[i], z.x[i + 1]);
}

TEST(Ziggurat, UniformMomentsAndRange) {
  counter_rng r(3, 0);
  double s = 0;
  const int n = 1000000;
  for (int i = 0; i < n; ++i) {
    const double u = r.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    s += u;
  }
  EXPECT_NEAR(s / n, 0.5, 5 * std::sqrt(1.0 / 12.0 / n));
}

TEST(Ziggurat, NormalDeviatesFollowTheNormalDistribution) {
  const std::size_t n = 2000000;
  std::vector<double> x;
  x.reserve(n);
  // Many short streams, as the simulation uses them.
  for (std::uint64_t rep = 0; x.size() < n; ++rep) {
    counter_rng r(20261128, rep);
    for (int i = 0; i < 20; ++i) x.push_back(r.normal());
  }
  double m = 0, m2 = 0, m3 = 0, m4 = 0;
  std::size_t tail = 0;
  for (double v : x) {
    m += v;
    m2 += v * v;
    m3 += v * v * v;
    m4 += v * v * v * v;
    if (std::abs(v) > metasift::batch::detail::zig_r) ++tail;
  }
  const double N = static_cast<double>(x.size());
  EXPECT_NEAR(m / N, 0.0, 5 / std::sqrt(N));
  EXPECT_NEAR(m2 / N, 1.0, 5 * std::sqrt(2.0 / N));
  EXPECT_NEAR(m3 / N, 0.0, 5 * std::sqrt(15.0 / N));
  EXPECT_NEAR(m4 / N, 3.0, 5 * std::sqrt(96.0 / N));
  // Tail beyond r: 2 (1 - Phi(r)) = 2.5811e-4 of the mass.
  const double p_tail = std::erfc(metasift::batch::detail::zig_r / std::sqrt(2.0));
  EXPECT_NEAR(static_cast<double>(tail), p_tail * N, 5 * std::sqrt(p_tail * N));
  // Kolmogorov-Smirnov against Phi: D < 1.95 / sqrt(N) (alpha = 0.001).
  std::sort(x.begin(), x.end());
  double d = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double F = 0.5 * std::erfc(-x[i] / std::sqrt(2.0));
    d = std::max({d, std::abs(F - static_cast<double>(i) / N), std::abs(F - static_cast<double>(i + 1) / N)});
  }
  EXPECT_LT(d, 1.95 / std::sqrt(N));
}

}  // namespace
