// The per-variant steps of `metasift gwas` on their own: allele harmonisation, METAL's sample-size
// Z and I^2. Expected values are worked by hand from the definitions in the comments.

#include "../../src/batch/gwas_variant.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace metasift::batch::detail {
namespace {

TEST(GwasVariant, AllelesMatchInOrderSwappedOrOnTheOtherStrand) {
  EXPECT_EQ(match_alleles("A", "G", "A", "G"), allele_match::same);
  EXPECT_EQ(match_alleles("G", "A", "A", "G"), allele_match::swapped);
  // The complement of A/G is T/C.
  EXPECT_EQ(match_alleles("T", "C", "A", "G"), allele_match::strand_flipped);
  EXPECT_EQ(match_alleles("C", "T", "A", "G"), allele_match::flipped_and_swapped);
  EXPECT_EQ(match_alleles("A", "C", "A", "G"), allele_match::mismatch);
  // Multi-base alleles are complemented base by base; a base without a complement never matches.
  EXPECT_EQ(match_alleles("TG", "A", "AC", "T"), allele_match::strand_flipped);
  EXPECT_EQ(match_alleles("TN", "A", "AN", "T"), allele_match::mismatch);
  EXPECT_EQ(match_alleles("AT", "G", "AT", "G"), allele_match::same);
  // A/T is its own complement pair: the exact match is taken first, as it must be (ambiguous SNP).
  EXPECT_EQ(match_alleles("A", "T", "A", "T"), allele_match::same);
  EXPECT_EQ(match_alleles("T", "A", "A", "T"), allele_match::swapped);
}

TEST(GwasVariant, BetaSignFollowsTheSwap) {
  EXPECT_EQ(beta_sign(allele_match::same), 1.0);
  EXPECT_EQ(beta_sign(allele_match::strand_flipped), 1.0);
  EXPECT_EQ(beta_sign(allele_match::swapped), -1.0);
  EXPECT_EQ(beta_sign(allele_match::flipped_and_swapped), -1.0);
  EXPECT_EQ(beta_sign(allele_match::mismatch), 0.0);
}

TEST(GwasVariant, SampleSizeZ) {
  // n = 100 and 300, z = 2 and 1: Z = (10 * 2 + sqrt(300) * 1) / 20 = 1 + sqrt(3)/2;
  // Q = (2 - 0.5 Z)^2 + (1 - sqrt(3)/2 Z)^2.
  const std::vector<double> z{2.0, 1.0}, n{100.0, 300.0};
  const weighted_z w = sample_size_z(z, n);
  const double zc = 1.0 + std::sqrt(3.0) / 2.0;
  EXPECT_NEAR(w.z, zc, 1e-14);
  EXPECT_EQ(w.sum_n, 400.0);
  const double d1 = 2.0 - 0.5 * zc, d2 = 1.0 - std::sqrt(3.0) / 2.0 * zc;
  EXPECT_NEAR(w.q, d1 * d1 + d2 * d2, 1e-14);
  // Equal z and n: Z = sqrt(k) z and no heterogeneity.
  const std::vector<double> same_z{1.5, 1.5, 1.5, 1.5}, same_n{50, 50, 50, 50};
  const weighted_z e = sample_size_z(same_z, same_n);
  EXPECT_NEAR(e.z, 3.0, 1e-14);
  EXPECT_NEAR(e.q, 0.0, 1e-14);
}

TEST(GwasVariant, I2IsTheExcessOfQOverItsDf) {
  EXPECT_EQ(i2_percent(4.0, 2.0), 50.0);
  EXPECT_EQ(i2_percent(2.0, 2.0), 0.0);
  EXPECT_EQ(i2_percent(1.0, 2.0), 0.0);
  EXPECT_EQ(i2_percent(0.0, 0.0), 0.0);
}

}  // namespace
}  // namespace metasift::batch::detail
