# Differential testing against metafor (issue #8): random data sets, fitted by metafor, written for
# tests/models/differential_test.cpp, which fits the same data with metasift and reports the worst
# relative error per statistic. Not committed output: ctest runs this script into the build tree
# when R with metafor is installed (CI installs r-cran-metafor) and skips visibly otherwise.
#
#   Rscript tools/differential/metafor_random.R OUT_DIR [N_DATASETS=1000] [SEED=20261128]
#
# Data sets (all drawn from one seeded stream, so a run is reproducible):
#   k        log-uniform on 2..200;
#   vi       10^(c + U(-s, s)) with c ~ U(-3, 1) and s ~ U(0, 3): sampling variances spread over up
#            to 6 orders of magnitude within a data set;
#   tau2     0 in a fifth of the data sets, else 10^U(-4, 2);
#   ties     in a tenth of the data sets the effects are rounded to one decimal (many ties), and in
#            1 of 50 every effect is identical;
#   yi       N(mu, vi + tau2) with mu ~ U(-2, 2).
# Fits: every tau^2 estimator metasift shares with metafor (EE, DL, HE, HS, SJ, ML, REML, EB, PM),
# each with z and Knapp-Hartung (test = "knha") inference; the Q-profile CI of tau^2 for DL and REML.
# The iterative estimators run at threshold 1e-12 / tol 1e-12 so that metafor's values are those of
# the exact optimum (metafor's defaults stop at 1e-5).

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: metafor_random.R OUT_DIR [N_DATASETS] [SEED]")
out_dir <- args[1]
n_sets <- if (length(args) >= 2) as.integer(args[2]) else 1000L
seed <- if (length(args) >= 3) as.integer(args[3]) else 20261128L
suppressPackageStartupMessages(library(metafor))
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
set.seed(seed, kind = "Mersenne-Twister", normal.kind = "Inversion")

fmt <- function(x) ifelse(is.na(x), "NA", trimws(formatC(as.numeric(x), digits = 17, format = "g")))

methods <- c("EE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM")
ctrl <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)
data_lines <- vector("list", n_sets)
ref_lines <- vector("list", n_sets)

for (d in seq_len(n_sets)) {
  k <- as.integer(round(exp(runif(1, log(2), log(200)))))
  c0 <- runif(1, -3, 1); s <- runif(1, 0, 3)
  vi <- 10^(c0 + runif(k, -s, s))
  tau2 <- if (runif(1) < 0.2) 0 else 10^runif(1, -4, 2)
  mu <- runif(1, -2, 2)
  yi <- rnorm(k, mu, sqrt(vi + tau2))
  u <- runif(1)
  if (u < 0.02) yi[] <- round(mu, 2) else if (u < 0.12) yi <- round(yi, 1)
  data_lines[[d]] <- paste(d, fmt(yi), fmt(vi), sep = ",")
  out <- character(0)
  for (m in methods) {
    fit <- tryCatch(rma(yi, vi, method = m, control = ctrl), error = function(e) e)
    if (inherits(fit, "error")) {
      out <- c(out, paste(d, m, c("z", "knha"), "error", "NA", sep = ","))
      next
    }
    st <- c(estimate = fit$beta[1], se = fit$se, ci_lower = fit$ci.lb, ci_upper = fit$ci.ub,
            p = fit$pval, tau2 = fit$tau2, I2 = fit$I2, H2 = fit$H2, Q = fit$QE)
    if (m != "EE") st <- c(st, se_tau2 = fit$se.tau2)
    # The Q-profile CI does not depend on the estimator; it is computed once, from the REML fit.
    if (m == "REML" && k >= 3) {
      ci <- tryCatch(confint(fit, control = list(tau2.max = max(100, 1e4 * max(fit$tau2, vi)), tol = 1e-12)),
                     error = function(e) NULL)
      if (!is.null(ci)) {
        r <- ci$random["tau^2", ]
        st <- c(st, tau2_ci_lower = r[["ci.lb"]], tau2_ci_upper = r[["ci.ub"]])
      }
    }
    out <- c(out, paste(d, m, "z", names(st), fmt(st), sep = ","))
    # Knapp-Hartung inference given the same tau^2 (metafor's test = "knha" with tau2 fixed is the
    # same computation as a knha fit, without repeating the iterations).
    hk <- if (m == "EE") rma(yi, vi, method = "EE", test = "knha") else rma(yi, vi, tau2 = fit$tau2, test = "knha")
    sh <- c(estimate = hk$beta[1], se = hk$se, ci_lower = hk$ci.lb, ci_upper = hk$ci.ub, p = hk$pval)
    out <- c(out, paste(d, m, "knha", names(sh), fmt(sh), sep = ","))
  }
  ref_lines[[d]] <- out
}
data_lines <- unlist(data_lines)
ref_lines <- unlist(ref_lines)

header <- c(sprintf("# metafor %s, R %s; %d random data sets, seed %d; tools/differential/metafor_random.R",
                    as.character(packageVersion("metafor")), getRversion(), n_sets, seed))
con <- file(file.path(out_dir, "datasets.csv"), "wb")
writeLines(c(header, "dataset,yi,vi", data_lines), con, sep = "\n"); close(con)
con <- file(file.path(out_dir, "metafor.csv"), "wb")
writeLines(c(header, "dataset,method,test,stat,value", ref_lines), con, sep = "\n"); close(con)
