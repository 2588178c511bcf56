# Meta-regression formula features against metafor: interactions (a:b, a*b), polynomial terms
# (I(x^2), poly(x, d) orthogonal and poly(x, d, raw = TRUE)) and factor() inside them, for
# tests/models/regression_test.cpp (reference tests/reference/metafor_regression_formula_<dataset>.csv).
#
#   Rscript tools/reference/regression_formula.R        (run from the repository root)
#
# Needs R with metafor (made with R 4.2.2, metafor 3.8.1). Reads the committed data files
# tests/data/regression/<dataset>.csv (written by analyses_regression.R) and writes nothing else.
# Output is deterministic except the "generated:" date line (SOURCE_DATE_EPOCH pins it).
#
# Case key measure|method|test|model|control, stats as analyses_regression.R (k, p, estimate.j,
# se.j, stat.j, p.j, ci_lower.j, ci_upper.j in the column order of metafor's X, tau2, tau2_se, I2,
# H2, R2, QM, QM_df, QM_df2, QM_p, QE, QE_df, QE_p, vt, ddf, hat.i, fitted.i) and, per coefficient,
# name.j is not written (names hold commas); the C++ test checks the names separately.
#   model   the terms of rma(mods = ~ model) separated by "+", each one metasift -m argument; ";"
#           stands for "," (the file is comma-separated): "poly(year;2)" is poly(year, 2).
#   method  EE, DL, REML; test z | knha; control default (REML also tight: threshold = tol = 1e-12).

suppressPackageStartupMessages(library(metafor))

script_path <- local({
  arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(arg) == 0) stop("run with: Rscript tools/reference/regression_formula.R")
  normalizePath(sub("^--file=", "", arg[1]))
})
tool_dir <- dirname(script_path)
repo_root <- normalizePath(file.path(tool_dir, "..", ".."))
source(file.path(tool_dir, "helpers.R"))
data_dir <- file.path(repo_root, "tests", "data", "regression")
ref_dir <- file.path(repo_root, "tests", "reference")

gen_date <- reference_date()

datasets <- list(
  bcg_mods = list(measure = "RR", kind = "bin",
                  # Not ablat*year: X'WX has condition number 4.9e15 there, and metafor's normal
                  # equations lose ~9 digits (its EE fitted values are 4e-10 off those of lm.wfit's
                  # QR and of the centred parametrisation, which agree with metasift to 3e-13).
                  models = c("ablat*alloc", "ablat:year+alloc", "ablat*factor(alloc)", "ablat:factor(alloc)",
                             "ablat+factor(alloc):ablat", "ablat+I(ablat^2)", "poly(ablat;2)", "poly(year;3)",
                             "poly(ablat;2;raw=TRUE)", "ablat+ablat:year+ablat:year:alloc")),
  molloy2014_mods = list(measure = "ZCOR", kind = "cor",
                         models = c("meanage*quality", "meanage*factor(design)", "poly(meanage;2)",
                                    "meanage+I(meanage^2)+quality")),
  # length, wic and meta have missing values: the rows are left out before poly() (see the docs).
  bangertdrowns2004 = list(measure = "GEN", kind = "gen",
                           models = c("length*wic", "length:wic+grade", "I(length^3)"))
)

METHODS <- c("EE", "DL", "REML")
TIGHT <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)

# Typical within-study variance as helpers.R's typical_v, with solve()'s condition-number check
# relaxed: products such as ablat:year make X'WX badly scaled though it is far from singular.
typical_v_scaled <- function(vi, X) {
  w <- 1 / vi
  W <- diag(w, nrow = length(w))
  XtWX <- crossprod(X, W %*% X)
  P <- W - W %*% X %*% solve(XtWX, tol = 1e-30) %*% t(X) %*% W
  (length(vi) - ncol(X)) / sum(diag(P))
}

record_fit <- function(rec, case, res, n, rows) {
  k <- res$k; p <- res$p
  emit(rec, case, "k", k)
  emit(rec, case, "p", p)
  for (j in seq_len(p)) {
    emit(rec, case, paste0("estimate.", j), res$beta[j])
    emit(rec, case, paste0("se.", j), res$se[j])
    emit(rec, case, paste0("stat.", j), res$zval[j])
    emit(rec, case, paste0("p.", j), res$pval[j])
    emit(rec, case, paste0("ci_lower.", j), res$ci.lb[j])
    emit(rec, case, paste0("ci_upper.", j), res$ci.ub[j])
  }
  emit(rec, case, "tau2", res$tau2)
  emit(rec, case, "tau2_se", res$se.tau2)
  emit(rec, case, "I2", res$I2)
  emit(rec, case, "H2", res$H2)
  emit(rec, case, "R2", if (is.null(res$R2) || res$method == "EE") NA else res$R2)
  emit(rec, case, "QM", res$QM)
  emit(rec, case, "QM_df", res$QMdf[1])
  emit(rec, case, "QM_df2", res$QMdf[2])
  emit(rec, case, "QM_p", res$QMp)
  emit(rec, case, "QE", res$QE)
  emit(rec, case, "QE_df", k - p)
  emit(rec, case, "QE_p", res$QEp)
  emit(rec, case, "vt", typical_v_scaled(res$vi, res$X))
  emit(rec, case, "ddf", if (is.na(res$ddf[1])) NA else res$ddf[1])
  # rows: the data-file row of each row of the fitted data.
  used <- rows[res$not.na]
  hat <- rep(NA_real_, n); hat[used] <- hatvalues(res)
  fit <- rep(NA_real_, n); fit[used] <- fitted(res)
  emit_per_study(rec, case, "hat", hat)
  emit_per_study(rec, case, "fitted", fit)
}

for (name in names(datasets)) {
  ds <- datasets[[name]]
  rel <- file.path("tests", "data", "regression", paste0(name, ".csv"))
  d <- read.csv(file.path(repo_root, rel), stringsAsFactors = FALSE, check.names = FALSE)
  es <- switch(ds$kind,
    bin = escalc(measure = ds$measure, ai = d$events1, n1i = d$n1, ci = d$events2, n2i = d$n2),
    cor = escalc(measure = ds$measure, ri = d$r, ni = d$n),
    gen = list(yi = d$yi, vi = d$vi))
  d$yi <- as.numeric(es$yi)
  d$vi <- as.numeric(es$vi)
  rec <- new_recorder()
  for (model in ds$models) {
    # poly() refuses missing values: fit on the rows with every moderator of the model present,
    # as metasift builds the design on the studies it keeps.
    f <- as.formula(paste("~", gsub(";", ",", model, fixed = TRUE)))
    vars <- all.vars(f)
    dd <- d[complete.cases(d[, vars, drop = FALSE]), , drop = FALSE]
    for (method in METHODS) for (test in c("z", "knha")) {
      controls <- if (method == "REML" && test == "z") c("default", "tight") else "default"
      for (control in controls) {
        case <- case_key(ds$measure, method, test, model, control)
        args <- list(yi = dd$yi, vi = dd$vi, mods = f, data = dd, method = method, test = test)
        if (control == "tight") args$control <- TIGHT
        res <- tryCatch(with_warnings(rec, case, do.call(rma, args)), error = function(e) e)
        if (inherits(res, "error")) { emit_error(rec, case, conditionMessage(res)); next }
        rec$nfits <- rec$nfits + 1L
        record_fit(rec, case, res, nrow(d), as.integer(rownames(dd)))
      }
    }
    cat(sprintf("  %-40s %s\n", model, paste(colnames(res$X), collapse = " | ")))
  }
  path <- file.path(ref_dir, paste0("metafor_regression_formula_", name, ".csv"))
  header <- c(
    "# metafor reference values (meta-regression formulas) for the metasift test suite. Do not edit: regenerate instead.",
    "# script: tools/reference/regression_formula.R (helpers: tools/reference/helpers.R)",
    "# regenerate (from the repository root): Rscript tools/reference/regression_formula.R",
    paste0("# ", R.version.string, "; metafor ", as.character(packageVersion("metafor"))),
    paste0("# generated: ", gen_date),
    paste0("# data: ", rel),
    "# case keys and stats: see the header of tools/reference/regression_formula.R;",
    "# value = formatC(x, digits=17, format=\"g\"), NA = not available")
  write_lines_lf(c(header, "case,stat,value", rec$lines), path)
  cat(sprintf("%-18s cases=%-4d lines=%-6d errors=%d\n", name, rec$nfits, length(rec$lines), length(rec$errors)))
  for (e in rec$errors) cat("  error   ", e, "\n")
  if (length(rec$warnings)) for (w in unique(sub("^[^:]*: ", "", rec$warnings))) cat("  warning:", w, "\n")
}
