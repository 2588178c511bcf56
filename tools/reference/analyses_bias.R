# Generates the metafor reference values for the small-study / publication-bias, trim-and-fill,
# influence and cumulative analyses: tests/reference/metafor_analyses_<dataset>.csv.
#
#   Rscript tools/reference/analyses_bias.R     (run from the repository root)
#
# Needs R with metafor and metadat (made with R 4.2.2, metafor 3.8.1, metadat 1.2.0). The outputs
# are committed; CI does not run R. Output is deterministic except the "generated:" date line
# (set SOURCE_DATE_EPOCH to pin it). The input data are the committed tests/data/*.csv (written by
# generate.R); effect sizes are computed here from the CSV as the C++ side reads it.
#
# Long format `case,stat,value` (as generate.R), case key measure|method|test|analysis|control:
#   measure   escalc measure (GEN = yi/vi given directly)
#   method    rma.uni method (REML, DL, EE), or "none" for analyses that use no model
#   test      z | knha (rma.uni test=), "none" for analyses that use no model
#   analysis  regtest.lm.sei   regtest(yi, vi, model = "lm")                    (classical Egger, PET)
#             regtest.lm.vi    regtest(yi, vi, model = "lm", predictor = "vi")  (PEESE)
#             ranktest         ranktest(yi, vi)                                 (Begg & Mazumdar)
#             fsn.Rosenthal    fsn(yi, vi)        fsn.Orwin  fsn(yi, vi, type = "Orwin")
#             regtest.rma      regtest(res)       (mixed-effects Egger with the model's method/test)
#             trimfill.<L0|R0>.<auto|left|right>  trimfill(res, estimator, side)
#             leave1out        leave1out(res)     influence   influence(res)
#             baujat           baujat(res): x = squared Pearson residual, y = influence on the estimate
#             cumul.data       cumul(res)         cumul.year  cumul(res, order = year) (bcg only)
#   control   default | tight: rma(..., control = list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)),
#             also passed to trimfill (which does not reuse the model's control); REML is always tight.
# Per-study stats are suffixed .i with i the data file's row; per-step (cumul) and per-filled-study
# (trimfill) stats are suffixed .j with j = 1, 2, ... in metafor's order; cumul's study.j is the row
# added at step j. Booleans are 0/1; trimfill side_right is 1 for "right".

suppressPackageStartupMessages({
  library(metafor)
  library(metadat)
})

script_path <- local({
  arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(arg) == 0) stop("run with: Rscript tools/reference/analyses_bias.R")
  normalizePath(sub("^--file=", "", arg[1]))
})
tool_dir <- dirname(script_path)
repo_root <- normalizePath(file.path(tool_dir, "..", ".."))
source(file.path(tool_dir, "helpers.R"))  # fmt_ref, write_lines_lf, csv_quote, recorders, TIGHT_RMA

data_dir <- file.path(repo_root, "tests", "data")
ref_dir <- file.path(repo_root, "tests", "reference")

gen_date <- reference_date()

read_data <- function(name) read.csv(file.path(data_dir, paste0(name, ".csv")), stringsAsFactors = FALSE,
                                     check.names = FALSE)

# Data sets: effect sizes, models (method, test, control) and extra orders for cumul.
bcg <- read_data("bcg")
stopifnot(identical(bcg$study, paste0(dat.bcg$author, ", ", dat.bcg$year)))
es_bcg <- escalc("RR", ai = bcg$events1, n1i = bcg$n1, ci = bcg$events2, n2i = bcg$n2)
fig1 <- read_data("fig1")
es_fig1 <- escalc("MD", m1i = fig1$mean1, sd1i = fig1$sd1, n1i = fig1$n1, m2i = fig1$mean2, sd2i = fig1$sd2, n2i = fig1$n2)
normand <- read_data("normand1999")
es_normand <- escalc("MD", m1i = normand$mean1, sd1i = normand$sd1, n1i = normand$n1, m2i = normand$mean2,
                     sd2i = normand$sd2, n2i = normand$n2)
hack <- read_data("hackshaw1998")
molloy <- read_data("molloy2014")
es_molloy <- escalc("ZCOR", ri = molloy$r, ni = molloy$n)

MODELS_FULL <- list(c("REML", "z", "tight"), c("DL", "z", "default"), c("EE", "z", "default"),
                    c("REML", "knha", "tight"), c("DL", "knha", "default"))
MODELS_BASIC <- list(c("REML", "z", "tight"), c("DL", "z", "default"))

datasets <- list(
  bcg = list(measure = "RR", yi = as.numeric(es_bcg$yi), vi = as.numeric(es_bcg$vi), models = MODELS_FULL,
             orders = list(year = dat.bcg$year),
             source = "tests/data/bcg.csv, escalc RR (events1/n1 vs events2/n2); year for cumul.year = metadat dat.bcg$year"),
  fig1 = list(measure = "MD", yi = as.numeric(es_fig1$yi), vi = as.numeric(es_fig1$vi), models = MODELS_BASIC,
              orders = list(), source = "tests/data/fig1.csv, escalc MD (vtype LS)"),
  normand1999 = list(measure = "MD", yi = as.numeric(es_normand$yi), vi = as.numeric(es_normand$vi),
                     models = MODELS_BASIC, orders = list(), source = "tests/data/normand1999.csv, escalc MD (vtype LS)"),
  hackshaw1998 = list(measure = "GEN", yi = as.numeric(hack$yi), vi = as.numeric(hack$vi), models = MODELS_BASIC,
                      orders = list(), source = "tests/data/hackshaw1998.csv, yi/vi as given"),
  molloy2014 = list(measure = "ZCOR", yi = as.numeric(es_molloy$yi), vi = as.numeric(es_molloy$vi),
                    models = MODELS_BASIC, orders = list(), source = "tests/data/molloy2014.csv, escalc ZCOR")
)

emit_vec <- function(rec, case, stat, x) for (i in seq_along(x)) emit(rec, case, paste0(stat, ".", i), x[i])

record_lm <- function(rec, measure, yi, vi, predictor) {
  case <- case_key(measure, "none", "none", paste0("regtest.lm.", predictor), "default")
  rt <- regtest(yi, vi = vi, model = "lm", predictor = predictor)
  cf <- coef(summary(rt$fit))
  emit(rec, case, "stat", rt$zval)
  emit(rec, case, "p", rt$pval)
  emit(rec, case, "df", rt$dfs)
  emit(rec, case, "est", rt$est)
  emit(rec, case, "ci_lower", rt$ci.lb)
  emit(rec, case, "ci_upper", rt$ci.ub)
  emit(rec, case, "b0", cf[1, 1]); emit(rec, case, "b0_se", cf[1, 2])
  emit(rec, case, "b0_t", cf[1, 3]); emit(rec, case, "b0_p", cf[1, 4])
  emit(rec, case, "b1", cf[2, 1]); emit(rec, case, "b1_se", cf[2, 2])
  emit(rec, case, "b1_t", cf[2, 3]); emit(rec, case, "b1_p", cf[2, 4])
  emit(rec, case, "sigma2", summary(rt$fit)$sigma^2)
}

record_model_free <- function(rec, measure, yi, vi) {
  record_lm(rec, measure, yi, vi, "sei")
  record_lm(rec, measure, yi, vi, "vi")
  case <- case_key(measure, "none", "none", "ranktest", "default")
  rk <- with_warnings(rec, case, ranktest(yi, vi))
  emit(rec, case, "tau", rk$tau)
  emit(rec, case, "p", rk$pval)
  case <- case_key(measure, "none", "none", "fsn.Rosenthal", "default")
  f <- fsn(yi, vi)
  emit(rec, case, "fsnum", f$fsnum)
  emit(rec, case, "p", f$pval)
  case <- case_key(measure, "none", "none", "fsn.Orwin", "default")
  f <- fsn(yi, vi, type = "Orwin")
  emit(rec, case, "fsnum", f$fsnum)
  emit(rec, case, "meanes", f$meanes)
  emit(rec, case, "target", f$target)
}

fit_model <- function(yi, vi, method, test, control) {
  args <- list(yi = yi, vi = vi, method = method, test = test)
  if (control == "tight") args$control <- TIGHT_RMA
  do.call(rma.uni, args)
}

record_model <- function(rec, ds, method, test, control) {
  measure <- ds$measure
  yi <- ds$yi
  vi <- ds$vi
  k <- length(yi)
  key <- function(analysis) case_key(measure, method, test, analysis, control)
  res <- fit_model(yi, vi, method, test, control)
  rec$nfits <- rec$nfits + 1L

  case <- key("model")
  emit(rec, case, "estimate", res$beta[1]); emit(rec, case, "se", res$se); emit(rec, case, "tau2", res$tau2)

  # Mixed-effects Egger test (regtest on the model: its method, test and control).
  case <- key("regtest.rma")
  rt <- with_warnings(rec, case, regtest(res))
  emit(rec, case, "stat", rt$zval); emit(rec, case, "p", rt$pval)
  emit(rec, case, "df", if (test == "knha") rt$ddf else NA)
  emit(rec, case, "est", rt$est); emit(rec, case, "ci_lower", rt$ci.lb); emit(rec, case, "ci_upper", rt$ci.ub)
  emit(rec, case, "b1", rt$fit$beta[2]); emit(rec, case, "b1_se", rt$fit$se[2]); emit(rec, case, "b0_se", rt$fit$se[1])
  emit(rec, case, "tau2", rt$fit$tau2)

  # Trim-and-fill (test z only: metafor refits the filled data with rma.uni's default test).
  if (test == "z") {
    tf_args <- if (control == "tight") list(control = TIGHT_RMA) else list()
    side_fit <- do.call(rma.uni, c(list(yi = yi, vi = vi, mods = sqrt(vi), method = method), tf_args))
    for (estimator in c("L0", "R0")) for (side in c("auto", "left", "right")) {
      case <- key(paste0("trimfill.", estimator, ".", side))
      args <- c(list(x = res, estimator = estimator), if (side != "auto") list(side = side), tf_args)
      tf <- with_warnings(rec, case, do.call(trimfill, args))
      emit(rec, case, "k0", tf$k0); emit(rec, case, "se_k0", tf$se.k0); emit(rec, case, "p_k0", tf$p.k0)
      emit(rec, case, "side_right", as.numeric(tf$side == "right"))
      if (side == "auto") emit(rec, case, "side_slope", side_fit$beta[2])
      emit(rec, case, "k", tf$k)
      emit(rec, case, "estimate", tf$beta[1]); emit(rec, case, "se", tf$se); emit(rec, case, "stat", tf$zval)
      emit(rec, case, "p", tf$pval); emit(rec, case, "ci_lower", tf$ci.lb); emit(rec, case, "ci_upper", tf$ci.ub)
      emit(rec, case, "tau2", tf$tau2); emit(rec, case, "I2", tf$I2); emit(rec, case, "H2", tf$H2)
      emit(rec, case, "Q", tf$QE); emit(rec, case, "Q_p", tf$QEp)
      if (tf$k0 > 0) {
        emit_vec(rec, case, "fill_yi", as.numeric(tf$yi[tf$fill]))
        emit_vec(rec, case, "fill_vi", as.numeric(tf$vi[tf$fill]))
      }
    }
  }

  # Leave-one-out.
  case <- key("leave1out")
  l1 <- with_warnings(rec, case, leave1out(res))
  emit_vec(rec, case, "estimate", l1$estimate); emit_vec(rec, case, "se", l1$se)
  emit_vec(rec, case, "stat", if (test == "knha") l1$tval else l1$zval); emit_vec(rec, case, "p", l1$pval)
  emit_vec(rec, case, "ci_lower", l1$ci.lb); emit_vec(rec, case, "ci_upper", l1$ci.ub)
  emit_vec(rec, case, "Q", l1$Q); emit_vec(rec, case, "Q_p", l1$Qp)
  emit_vec(rec, case, "tau2", if (is.null(l1$tau2)) rep(0, k) else l1$tau2)
  emit_vec(rec, case, "I2", l1$I2); emit_vec(rec, case, "H2", l1$H2)

  # Influence diagnostics.
  case <- key("influence")
  inf <- with_warnings(rec, case, influence(res))
  emit_vec(rec, case, "rstudent", inf$inf$rstudent); emit_vec(rec, case, "dffits", inf$inf$dffits)
  emit_vec(rec, case, "cooks_d", inf$inf$cook.d); emit_vec(rec, case, "cov_ratio", inf$inf$cov.r)
  emit_vec(rec, case, "tau2_del", inf$inf$tau2.del); emit_vec(rec, case, "QE_del", inf$inf$QE.del)
  emit_vec(rec, case, "hat", inf$inf$hat); emit_vec(rec, case, "weight", inf$inf$weight)
  emit_vec(rec, case, "dfbetas", inf$dfbs$intrcpt); emit_vec(rec, case, "inf", as.numeric(inf$is.infl))

  # Baujat plot coordinates (baujat() draws; the plot goes to a null device, its value is kept).
  case <- key("baujat")
  grDevices::pdf(NULL)
  bj <- with_warnings(rec, case, baujat(res))
  grDevices::dev.off()
  emit_vec(rec, case, "x", bj$x); emit_vec(rec, case, "y", bj$y)

  # Cumulative, in data order and in each extra order.
  orders <- c(list(data = NULL), ds$orders)
  for (oname in names(orders)) {
    case <- key(paste0("cumul.", oname))
    cu <- with_warnings(rec, case, if (is.null(orders[[oname]])) cumul(res) else do.call(cumul, list(res, order = orders[[oname]])))
    emit_vec(rec, case, "study", if (is.null(orders[[oname]])) seq_len(k) else order(orders[[oname]]))
    emit_vec(rec, case, "estimate", cu$estimate); emit_vec(rec, case, "se", cu$se)
    emit_vec(rec, case, "stat", if (test == "knha") cu$tval else cu$zval); emit_vec(rec, case, "p", cu$pvals)
    emit_vec(rec, case, "ci_lower", cu$ci.lb); emit_vec(rec, case, "ci_upper", cu$ci.ub)
    emit_vec(rec, case, "Q", cu$Q); emit_vec(rec, case, "Q_p", cu$Qp)
    emit_vec(rec, case, "tau2", if (is.null(cu$tau2)) rep(0, k) else cu$tau2)
    emit_vec(rec, case, "I2", cu$I2); emit_vec(rec, case, "H2", cu$H2)
  }
}

for (name in names(datasets)) {
  ds <- datasets[[name]]
  rec <- new_recorder()
  record_model_free(rec, ds$measure, ds$yi, ds$vi)
  for (m in ds$models) record_model(rec, ds, m[1], m[2], m[3])
  header <- c(
    "# metafor reference values (bias, trim-and-fill, influence, cumulative) for the metasift test suite. Do not edit: regenerate instead.",
    "# script: tools/reference/analyses_bias.R (helpers: tools/reference/helpers.R)",
    "# regenerate (from the repository root): Rscript tools/reference/analyses_bias.R",
    paste0("# ", R.version.string, "; metafor ", packageVersion("metafor"), "; metadat ", packageVersion("metadat")),
    paste0("# generated: ", gen_date),
    paste0("# data: ", ds$source),
    "# case = measure|method|test|analysis|control; value = formatC(x, digits=17, format=\"g\"), NA = not available;",
    "# .i = data file row, .j = step (cumul) or filled study (trimfill) in metafor's order; see the script header"
  )
  path <- file.path(ref_dir, paste0("metafor_analyses_", name, ".csv"))
  write_lines_lf(c(header, "case,stat,value", rec$lines), path)
  cat(sprintf("%-14s k=%-3d models=%-2d lines=%-5d\n", name, length(ds$yi), rec$nfits, length(rec$lines)))
  if (length(rec$warnings)) {
    wtab <- table(sub("^[^:]*: ", "", rec$warnings))
    for (w in names(wtab)) cat(sprintf("  warning x%d: %s\n", wtab[[w]], w))
  }
}
cat("done\n")
