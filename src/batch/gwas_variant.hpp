#pragma once
// The per-variant steps of `metasift gwas` that stand on their own: allele harmonisation against
// the reference cohort, METAL's sample-size weighted Z and the I^2 of the output. The
// inverse-variance pooling is the models module's (models::pool_iv).

#include <span>
#include <string_view>

namespace metasift::batch::detail {

/// How a cohort's A1/A2 line up with the reference cohort's.
enum class allele_match {
  same,                 ///< A1/A2 equal: BETA as is
  swapped,              ///< A1/A2 exchanged: BETA negated
  strand_flipped,       ///< the complementary strand, same order: BETA as is
  flipped_and_swapped,  ///< the complementary strand, exchanged: BETA negated
  mismatch,             ///< anything else: the row is left out of the variant
};

/// Compares alleles (upper-case A/C/G/T strings; other letters match only themselves and have no
/// complement), checking the same order first, then the swap, then the strands.
[[nodiscard]] allele_match match_alleles(std::string_view a1, std::string_view a2, std::string_view ref_a1,
                                         std::string_view ref_a2) noexcept;

/// +1 or -1: the factor that puts a BETA on the reference allele; 0 for a mismatch.
[[nodiscard]] constexpr double beta_sign(allele_match m) noexcept {
  switch (m) {
    case allele_match::same:
    case allele_match::strand_flipped: return 1.0;
    case allele_match::swapped:
    case allele_match::flipped_and_swapped: return -1.0;
    case allele_match::mismatch: return 0.0;
  }
  return 0.0;
}

/// METAL's sample-size scheme (Willer, Li & Abecasis 2010): Z = sum sqrt(n_i) z_i / sqrt(sum n_i),
/// and the heterogeneity Q = sum (z_i - sqrt(n_i / N) Z)^2.
struct weighted_z {
  double z = 0;
  double sum_n = 0;
  double q = 0;
};
[[nodiscard]] weighted_z sample_size_z(std::span<const double> z, std::span<const double> n) noexcept;

/// I^2 in percent from Q and its df (Higgins & Thompson 2002): max(0, (Q - df) / Q) * 100.
[[nodiscard]] constexpr double i2_percent(double q, double df) noexcept {
  return q > df ? 100.0 * (q - df) / q : 0.0;
}

}  // namespace metasift::batch::detail
