#pragma once
// Counter-based random numbers for the simulation engine. Every replicate r of a run with seed s
// gets its own stream, computed from (s, r) alone, so replicates can be generated in any order, on
// any number of threads, and every run with the same seed sees the same numbers.
//
// Uniform bits: the SplitMix64 output function (Steele, Lea & Flood 2014, "Fast splittable
// pseudorandom number generators", OOPSLA; the finaliser is Stafford's "Mix13" variant of the
// MurmurHash3 fmix64) applied to a Weyl sequence. The j-th 64-bit draw of replicate r is
//     mix64(key(s, r) + (j + 1) * gamma),   key(s, r) = mix64(mix64(s) + (r + 1) * gamma2),
// with gamma = 0x9E3779B97F4A7C15 (the golden-ratio increment of SplitMix64) and gamma2 another
// odd constant. Draws cost a few multiplications and need no state beyond the counter j.
//
// Normal deviates: the ziggurat method of Marsaglia & Tsang (2000, "The Ziggurat Method for
// Generating Random Variables", J. Stat. Softw. 5(8)) with 256 layers, r = 3.6541528853610088,
// v = 4.92867323399e-3, and Doornik's (2005) remedy for the correlation of the original: the
// layer index (low 8 bits) and the uniform (high 53 bits) come from disjoint bits of one 64-bit
// draw. Tail beyond r: Marsaglia's (1964) exponential rejection method. ~98.9% of deviates take
// the fast path (one draw, one multiplication, one comparison).

#include <cstdint>

namespace metasift::batch {

/// The SplitMix64 finaliser: a bijection of 64-bit words with full avalanche.
[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31U);
}

/// The random stream of one replicate.
class counter_rng {
 public:
  static constexpr std::uint64_t gamma = 0x9E3779B97F4A7C15ULL;
  static constexpr std::uint64_t gamma2 = 0xD1B54A32D192ED03ULL;

  constexpr counter_rng(std::uint64_t seed, std::uint64_t replicate) noexcept
      : key_(mix64(mix64(seed) + (replicate + 1) * gamma2)) {}

  /// Next 64 uniform bits.
  constexpr std::uint64_t bits() noexcept {
    ++counter_;
    return mix64(key_ + counter_ * gamma);
  }
  /// Uniform on [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>(bits() >> 11U) * 0x1.0p-53; }
  /// Uniform on (0, 1]: never 0, for logarithms.
  double uniform_pos() noexcept { return (static_cast<double>(bits() >> 11U) + 1.0) * 0x1.0p-53; }
  /// Standard normal deviate (ziggurat).
  double normal() noexcept;

  /// Number of 64-bit draws taken so far.
  [[nodiscard]] std::uint64_t draws() const noexcept { return counter_; }

 private:
  double normal_slow(std::uint64_t u, unsigned layer) noexcept;
  std::uint64_t key_;
  std::uint64_t counter_ = 0;
};

namespace detail {
/// Ziggurat tables: x[i] is the right edge of layer i (x[0] = v / f(r) is the base layer's
/// pseudo-width, x[1] = r, x[256] = 0); f[i] = exp(-x[i]^2 / 2).
struct ziggurat_tables {
  double x[257];
  double f[257];
};
extern const ziggurat_tables zig;
inline constexpr double zig_r = 3.6541528853610088;
inline constexpr double zig_v = 4.92867323399e-3;
}  // namespace detail

inline double counter_rng::normal() noexcept {
  const std::uint64_t u = bits();
  const unsigned layer = static_cast<unsigned>(u & 0xFFU);
  // Uniform on [-1, 1) from the high 53 bits, disjoint from the layer bits.
  const double s = static_cast<double>(static_cast<std::int64_t>(u >> 11U) - (std::int64_t{1} << 52)) * 0x1.0p-52;
  const double x = s * detail::zig.x[layer];
  if ((x < 0 ? -x : x) < detail::zig.x[layer + 1]) return x;
  return normal_slow(u, layer);
}

}  // namespace metasift::batch
