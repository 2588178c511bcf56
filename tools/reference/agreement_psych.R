# Reference values of Cohen's kappa and its 95% CI from psych::cohen.kappa, for
# tests/review/agreement_test.cpp (metasift's review/agreement.hpp).
#
# psych::cohen.kappa computes kappa and the large-sample variance of Fleiss, Cohen and Everitt
# (1969) and gives the CI as kappa +/- qnorm(0.975) * sqrt(var), clipped to [-1, 1].
#
# Regenerate from the repository root:
#   Rscript tools/reference/agreement_psych.R > tests/reference/psych_cohen_kappa.csv
# Made with R 4.2.2 and psych 2.2.9 (Debian r-cran-psych). Deterministic apart from the
# `generated:` date, which SOURCE_DATE_EPOCH pins.
#
# Each case is a contingency table of two raters (rows: rater A, columns: rater B), written
# row-major as "a;b;c;d" (2 x 2) or "a;b;c;d;e;f;g;h;i" (3 x 3). The tables cover a balanced
# case, screening-like tables with few includes (high prevalence of "exclude"), a table with
# a negative kappa, one with perfect agreement on one off-diagonal count, one that reaches the
# clipping bound, and a 3 x 3 table (Fleiss, Cohen and Everitt 1969 use 3 categories).
suppressMessages(library(psych))

cases <- list(
  balanced = matrix(c(20, 5, 10, 15), 2, byrow = TRUE),
  screening_600 = matrix(c(41, 9, 14, 536), 2, byrow = TRUE),
  screening_rare = matrix(c(3, 2, 1, 194), 2, byrow = TRUE),
  negative = matrix(c(2, 10, 12, 3), 2, byrow = TRUE),
  near_perfect = matrix(c(30, 0, 1, 29), 2, byrow = TRUE),
  small_n = matrix(c(3, 1, 1, 1), 2, byrow = TRUE),
  team_example = matrix(c(3, 1, 1, 1), 2, byrow = TRUE),
  three_categories = matrix(c(106, 10, 4, 22, 28, 10, 2, 12, 6), 3, byrow = TRUE)
)

stamp <- Sys.getenv("SOURCE_DATE_EPOCH")
generated <- if (nzchar(stamp)) format(as.POSIXct(as.numeric(stamp), origin = "1970-01-01", tz = "UTC"), "%Y-%m-%d") else format(Sys.Date())
cat("# psych::cohen.kappa reference values (tools/reference/agreement_psych.R)\n")
cat(sprintf("# %s, psych %s; generated: %s\n", R.version.string, as.character(packageVersion("psych")), generated))
cat("case,table,n,kappa,kappa_ci_lower,kappa_ci_upper,var_kappa\n")
for (name in names(cases)) {
  m <- cases[[name]]
  k <- suppressWarnings(cohen.kappa(m))
  cat(sprintf("%s,%s,%d,%.17g,%.17g,%.17g,%.17g\n", name, paste(as.vector(t(m)), collapse = ";"), as.integer(sum(m)),
              k$kappa, k$confid[1, 1], k$confid[1, 3], k$var.kappa))
}
