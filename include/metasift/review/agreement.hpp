#pragma once
// Agreement between screening reviewers (PRISMA 2020 item 8): Cohen's kappa with its
// large-sample confidence interval, PABAK, Gwet's AC1, Fleiss' kappa and Krippendorff's alpha.
// Categories are small whole numbers (0 = exclude, 1 = include when called by the screening).

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace metasift::review {

/// Two raters, one contingency table.
struct two_rater_agreement {
  std::size_t n = 0;
  double percent_agreement = 0;  ///< 100 * observed agreement
  double kappa = 0;
  double kappa_se = 0;
  double kappa_ci_lower = 0, kappa_ci_upper = 0;
  double pabak = 0;
  double ac1 = 0;
};

/// `table[i][j]` = number of items rater A put in category i and rater B in category j (square).
///  - Cohen's kappa (Cohen 1960) = (po - pe) / (1 - pe).
///  - Its standard error is the large-sample one of Fleiss, Cohen and Everitt (1969, Psychological
///    Bulletin 72:323-327, eq. 13), as psych::cohen.kappa computes it; the CI is kappa -/+
///    z_(1-(1-level)/2) * SE.
///  - PABAK = (q * po - 1) / (q - 1) (Byrt, Bishop and Carlin 1993; 2 po - 1 for two categories).
///  - Gwet's AC1 = (po - pe) / (1 - pe) with pe = sum_k pi_k (1 - pi_k) / (q - 1), pi_k the mean
///    of the two raters' marginal shares (Gwet 2008, BJMSP 61:29-48, eq. 14).
/// An empty table gives n = 0 and NaN statistics; kappa is NaN when pe = 1 (both raters used one
/// category only).
[[nodiscard]] two_rater_agreement cohen_agreement(const std::vector<std::vector<double>>& table, double level = 0.95);

/// Fleiss' kappa (Fleiss 1971, Psychological Bulletin 76:378-382): `counts[i][k]` = raters who put
/// item i in category k; every item must have the same number (>= 2) of raters. NaN when empty.
[[nodiscard]] double fleiss_kappa(const std::vector<std::vector<std::size_t>>& counts);

/// Krippendorff's alpha for nominal data (Krippendorff 2011, "Computing Krippendorff's
/// Alpha-Reliability", coincidence-matrix form): `units[u][r]` = rater r's category of unit u, or
/// empty when r did not rate u. Units with fewer than two ratings are left out (pairable values
/// only). NaN when there is no pairable value or no disagreement is possible.
[[nodiscard]] double krippendorff_alpha_nominal(const std::vector<std::vector<std::optional<int>>>& units);

/// Agreement of reviewers at one screening stage, as reported in prisma.json
/// (`metasift.agreement`). With two reviewers one pairwise entry; with more, one per pair and one
/// team entry (`pairwise` false) with Fleiss' kappa and Krippendorff's alpha.
struct stage_agreement {
  std::string stage;  ///< "title-abstract" | "full-text"
  std::vector<std::string> reviewers;
  std::size_t n = 0;  ///< records every listed reviewer decided (include or exclude)
  double percent_agreement = 0;
  double kappa = 0, kappa_ci_lower = 0, kappa_ci_upper = 0;
  double pabak = 0, ac1 = 0;
  bool pairwise = true;
  double fleiss_kappa = 0, krippendorff_alpha = 0;  ///< team entry only
  std::size_t disagreements = 0;                    ///< of the n records, how many the reviewers decided differently
  std::size_t adjudicated = 0;                      ///< of those, resolved by the adjudication file
};

}  // namespace metasift::review
