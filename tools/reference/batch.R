# metafor reference values for `metasift batch` (tests/batch/batch_reference_test.cpp).
#
# Writes, from the repository root:
#   tests/data/batch_long.csv          group,study,yi,vi: simulated groups (k = 1..15, tau^2 from 0 to
#                                      0.5), a group of identical effects, dat.bcg's log odds ratios,
#                                      and a group name that needs CSV quoting
#   tests/data/batch_2x2.csv           group,study,events1,n1,events2,n2: dat.bcg by allocation
#   tests/reference/metafor_batch.csv  method,test,group,k,estimate,se,ci_lower,ci_upper,p,tau2,I2,Q
#
# Run: Rscript tools/reference/batch.R   (R with metafor 3.8 and metadat; scripts/install-deps.sh --with-r)
# Iterative estimators use tight control (threshold 1e-12, uniroot tol 1e-12) so that the tests
# check metasift's own convergence, as tools/reference/generate.R does.
suppressPackageStartupMessages({
  library(metafor)
  library(metadat)
})
source("tools/reference/helpers.R")

set.seed(20261128)
groups <- list()
for (g in 1:24) {
  k <- sample(c(2:15), 1)
  mu <- rnorm(1, 0, 0.5)
  tau2 <- sample(c(0, 0.02, 0.1, 0.5), 1)
  vi <- runif(k, 0.005, 0.3)
  yi <- rnorm(k, mu, sqrt(tau2 + vi))
  groups[[sprintf("g%02d", g)]] <- data.frame(yi = yi, vi = vi)
}
groups[["single"]] <- data.frame(yi = 0.42, vi = 0.03)
groups[["identical"]] <- data.frame(yi = rep(0.3, 4), vi = c(0.01, 0.02, 0.05, 0.1))
bcg <- escalc(measure = "OR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
groups[["bcg"]] <- data.frame(yi = as.numeric(bcg$yi), vi = as.numeric(bcg$vi))
groups[["Smith, J. \"et al\""]] <- data.frame(yi = c(0.1, 0.5, -0.2), vi = c(0.04, 0.09, 0.02))

long <- do.call(rbind, lapply(names(groups), function(g) {
  d <- groups[[g]]
  data.frame(group = g, study = seq_len(nrow(d)), yi = d$yi, vi = d$vi)
}))
write_lines_lf(c("group,study,yi,vi",
                 paste(csv_quote(long$group), long$study, trimws(fmt_data(long$yi)), trimws(fmt_data(long$vi)), sep = ",")),
               "tests/data/batch_long.csv")

two <- data.frame(group = dat.bcg$alloc, study = dat.bcg$trial, events1 = dat.bcg$tpos,
                  n1 = dat.bcg$tpos + dat.bcg$tneg, events2 = dat.bcg$cpos, n2 = dat.bcg$cpos + dat.bcg$cneg)
two <- two[order(two$group, two$study), ]
write_lines_lf(c("group,study,events1,n1,events2,n2",
                 paste(two$group, two$study, two$events1, two$n1, two$events2, two$n2, sep = ",")),
               "tests/data/batch_2x2.csv")

tight <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)
row <- function(method, test, group, k, fit) {
  paste(method, test, csv_quote(group), k,
        paste(fmt_ref(c(fit$b[1], fit$se, fit$ci.lb, fit$ci.ub, fit$pval,
                        if (is.null(fit$tau2)) 0 else fit$tau2, fit$I2, fit$QE)), collapse = ","),
        sep = ",")
}
out <- c()
for (g in names(groups)) {
  d <- groups[[g]]
  for (method in c("EE", "DL", "REML", "ML", "PM", "HE", "SJ", "HS", "EB")) {
    for (test in c("z", "hk")) {
      if (test == "hk" && !(method %in% c("DL", "REML", "PM"))) next
      if (nrow(d) < 2 && test == "hk") next
      fit <- rma(yi, vi, data = d, method = method, test = if (test == "hk") "knha" else "z", control = tight)
      out <- c(out, row(method, test, g, nrow(d), fit))
    }
  }
}
for (a in unique(two$group)) {
  d <- two[two$group == a, ]
  args <- list(measure = "OR", ai = d$events1, n1i = d$n1, ci = d$events2, n2i = d$n2)
  for (method in c("REML", "DL", "EE")) {
    fit <- rma(measure = "OR", ai = d$events1, n1i = d$n1, ci = d$events2, n2i = d$n2, method = method, control = tight)
    out <- c(out, paste0("OR:", row(method, "z", a, nrow(d), fit)))
  }
  fit <- rma.mh(measure = "OR", ai = d$events1, n1i = d$n1, ci = d$events2, n2i = d$n2)
  out <- c(out, paste0("OR:", row("MH", "z", a, nrow(d), fit)))
  fit <- rma.peto(ai = d$events1, n1i = d$n1, ci = d$events2, n2i = d$n2)
  out <- c(out, paste0("OR:", row("PETO", "z", a, nrow(d), fit)))
}
write_lines_lf(c("# metafor reference values for metasift batch. Do not edit: regenerate instead.",
                 "# script: tools/reference/batch.R (run from the repository root)",
                 paste0("# ", R.version.string, "; metafor ", packageVersion("metafor"), "; metadat ", packageVersion("metadat")),
                 "# rows without a prefix: GEN yi/vi from tests/data/batch_long.csv; 'OR:' rows: tests/data/batch_2x2.csv",
                 "method,test,group,k,estimate,se,ci_lower,ci_upper,p,tau2,I2,Q", out),
               "tests/reference/metafor_batch.csv")
cat("wrote", length(out), "reference rows\n")
