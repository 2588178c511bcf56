# Helpers for tools/reference/generate.R: number formatting, CSV writing and the recorders that
# turn one metafor fit into `case,stat,value` lines. Sourced by generate.R; not meant to be run alone.

# ---------------------------------------------------------------------------------------------
# Formatting

# Reference values: exactly 17 significant digits; NA/NaN written as NA (Inf as Inf/-Inf).
fmt_ref <- function(x) {
  if (is.null(x) || length(x) == 0) return("NA")
  x <- as.numeric(x)
  out <- trimws(formatC(x, digits = 17, format = "g"))
  out[is.na(x)] <- "NA"
  out
}

# Input data: integers as integers, other numbers with the fewest significant digits (15..17)
# that read back to the identical double, so the CSV is exact and still readable.
fmt_data <- function(x) {
  vapply(x, function(v) {
    if (is.na(v)) return("NA")
    if (v == round(v) && abs(v) < 1e15) return(formatC(v, format = "d", big.mark = ""))
    for (d in 15:17) {
      s <- formatC(v, digits = d, format = "g")
      if (as.numeric(s) == v) return(s)
    }
    s
  }, character(1), USE.NAMES = FALSE)
}

# RFC 4180 quoting, only when needed.
csv_quote <- function(s) {
  s <- as.character(s)
  need <- grepl('[",\r\n]', s) | grepl("^\\s|\\s$", s)
  s[need] <- paste0('"', gsub('"', '""', s[need], fixed = TRUE), '"')
  s
}

write_lines_lf <- function(lines, path) {
  con <- file(path, open = "wb")
  on.exit(close(con))
  writeLines(lines, con, sep = "\n", useBytes = TRUE)
}

# Writes a data set with a label column first and numeric columns after it.
write_data_csv <- function(df, path) {
  stopifnot(names(df)[1] == "study", !anyDuplicated(df$study), !anyNA(df$study))
  cols <- lapply(seq_along(df), function(j) {
    if (j == 1) csv_quote(df[[j]]) else fmt_data(df[[j]])
  })
  body <- do.call(paste, c(cols, sep = ","))
  write_lines_lf(c(paste(names(df), collapse = ","), body), path)
}

# ---------------------------------------------------------------------------------------------
# Case recording. A recorder is an environment holding the lines of one reference file.

new_recorder <- function() {
  env <- new.env()
  env$lines <- character(0)
  env$errors <- character(0)
  env$warnings <- character(0)
  env$nfits <- 0L
  env
}

case_key <- function(measure, method, test, variant, control) {
  paste(measure, method, test, variant, control, sep = "|")
}

emit <- function(rec, case, stat, value) {
  rec$lines <- c(rec$lines, paste(case, stat, fmt_ref(value), sep = ","))
}

emit_error <- function(rec, case, msg) {
  msg <- gsub("[\r\n]+", " ", msg)
  msg <- gsub("\\s+", " ", trimws(msg))
  rec$lines <- c(rec$lines, paste(case, "error", csv_quote(msg), sep = ","))
  rec$errors <- c(rec$errors, paste0(case, ": ", msg))
}

# Runs expr, collecting warnings (reported on stdout, not written to the reference files).
with_warnings <- function(rec, case, expr) {
  withCallingHandlers(expr, warning = function(w) {
    rec$warnings <- c(rec$warnings, paste0(case, ": ", conditionMessage(w)))
    invokeRestart("muffleWarning")
  })
}

# Per-study values indexed by the data set's row (1..n). `full` has length n already.
emit_per_study <- function(rec, case, stat, full) {
  for (i in seq_along(full)) emit(rec, case, paste0(stat, ".", i), full[i])
}

# Typical within-study variance (k - p) / tr(P) with W = diag(1/vi), over the studies used.
typical_v <- function(vi, X) {
  w <- 1 / vi
  W <- diag(w, nrow = length(w))
  XtWX <- crossprod(X, W %*% X)
  P <- W - W %*% X %*% solve(XtWX) %*% t(X) %*% W
  (length(vi) - ncol(X)) / sum(diag(P))
}

ITERATIVE <- c("REML", "ML", "EB", "PM")
UNI_METHODS <- c("EE", "DL", "REML", "ML", "PM", "HE", "SJ", "HS", "EB")
TESTS <- c("z", "knha")
TIGHT_RMA <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)
TIGHT_CI <- list(tol = 1e-12)

# One rma.uni fit (yi/vi over all n rows of the data set; NA rows are omitted by metafor).
record_uni <- function(rec, measure, variant, yi, vi, method, test, control) {
  case <- case_key(measure, method, test, variant, control)
  rec$nfits <- rec$nfits + 1L
  n <- length(yi)
  out <- tryCatch(with_warnings(rec, case, {
    args <- list(yi = yi, vi = vi, method = method, test = test)
    if (control == "tight") args$control <- TIGHT_RMA
    res <- do.call(rma.uni, args)
    pred <- if (method != "EE") predict(res) else NULL
    ci <- if (method != "EE") {
      if (control == "tight") confint(res, control = TIGHT_CI) else confint(res)
    } else NULL
    w <- weights(res)
    list(res = res, pred = pred, ci = ci, w = w)
  }), error = function(e) e)
  if (inherits(out, "error")) {
    emit_error(rec, case, conditionMessage(out))
    return(invisible(NULL))
  }
  res <- out$res
  emit(rec, case, "k", res$k)
  emit(rec, case, "estimate", res$beta[1])
  emit(rec, case, "se", res$se)
  emit(rec, case, "ci_lower", res$ci.lb)
  emit(rec, case, "ci_upper", res$ci.ub)
  emit(rec, case, "stat", res$zval)
  emit(rec, case, "p", res$pval)
  if (!is.null(out$pred)) {
    emit(rec, case, "pi_lower", out$pred$pi.lb)
    emit(rec, case, "pi_upper", out$pred$pi.ub)
  }
  emit(rec, case, "tau2", res$tau2)
  emit(rec, case, "tau2_se", res$se.tau2)
  emit(rec, case, "tau", sqrt(res$tau2))
  emit(rec, case, "I2", res$I2)
  emit(rec, case, "H2", res$H2)
  emit(rec, case, "Q", res$QE)
  emit(rec, case, "df", res$k - res$p)
  emit(rec, case, "Q_p", res$QEp)
  if (!is.null(out$ci)) {
    r <- out$ci$random
    emit(rec, case, "tau2_ci_lower", r["tau^2", "ci.lb"])
    emit(rec, case, "tau2_ci_upper", r["tau^2", "ci.ub"])
    emit(rec, case, "I2_ci_lower", r["I^2(%)", "ci.lb"])
    emit(rec, case, "I2_ci_upper", r["I^2(%)", "ci.ub"])
    emit(rec, case, "H2_ci_lower", r["H^2", "ci.lb"])
    emit(rec, case, "H2_ci_upper", r["H^2", "ci.ub"])
  }
  emit(rec, case, "vt", typical_v(res$vi, res$X))
  wfull <- rep(NA_real_, n)
  wfull[res$not.na] <- as.numeric(out$w)
  emit_per_study(rec, case, "weight", wfull)
  invisible(res)
}

# The pooled-result rows shared by every fit of 2x2 (or rate) tables with rma.mh or rma.peto.
emit_pooled_2x2 <- function(rec, case, res) {
  emit(rec, case, "k", res$k)
  emit(rec, case, "estimate", res$beta[1])
  emit(rec, case, "se", res$se)
  emit(rec, case, "ci_lower", res$ci.lb)
  emit(rec, case, "ci_upper", res$ci.ub)
  emit(rec, case, "stat", res$zval)
  emit(rec, case, "p", res$pval)
  emit(rec, case, "I2", res$I2)
  emit(rec, case, "H2", res$H2)
  emit(rec, case, "Q", res$QE)
  emit(rec, case, "df", max(res$k.yi - 1, 0))
  emit(rec, case, "Q_p", res$QEp)
}

# rma.mh / rma.peto on 2x2 counts (metafor defaults: yi/vi for Q use add=1/2, to="only0",
# drop00=TRUE; the pooled estimate uses the raw counts).
record_mh_peto <- function(rec, measure, method, events1, n1, events2, n2) {
  case <- case_key(measure, method, "z", "default", "default")
  rec$nfits <- rec$nfits + 1L
  out <- tryCatch(with_warnings(rec, case, {
    res <- if (method == "MH") {
      rma.mh(ai = events1, n1i = n1, ci = events2, n2i = n2, measure = measure)
    } else {
      rma.peto(ai = events1, n1i = n1, ci = events2, n2i = n2)
    }
    list(res = res, w = weights(res))
  }), error = function(e) e)
  if (inherits(out, "error")) {
    emit_error(rec, case, conditionMessage(out))
    return(invisible(NULL))
  }
  res <- out$res
  emit_pooled_2x2(rec, case, res)
  emit_per_study(rec, case, "yi", as.numeric(res$yi.f))
  emit_per_study(rec, case, "vi", as.numeric(res$vi.f))
  emit_per_study(rec, case, "weight", as.numeric(out$w))
  invisible(res)
}

# The per-study effect sizes of one (measure, variant): they do not depend on the method, test or
# control, so they are written once, as case measure|ES|none|variant|default with stats k (studies
# with non-missing yi and vi), yi.i and vi.i (i = data file row; NA = missing/omitted).
record_es <- function(rec, measure, variant, yi, vi) {
  case <- case_key(measure, "ES", "none", variant, "default")
  emit(rec, case, "k", sum(!is.na(yi) & !is.na(vi)))
  emit_per_study(rec, case, "yi", yi)
  emit_per_study(rec, case, "vi", vi)
}

# rma.uni fits for one (measure, variant).
#   full grid (primary variants):  9 methods x {z, knha}, control default; plus control tight
#                                  for REML, ML, EB, PM with test z (22 fits)
#   reduced grid (secondary):      9 methods x z, control default (9 fits)
record_all_uni <- function(rec, measure, variant, yi, vi, full = TRUE) {
  record_es(rec, measure, variant, yi, vi)
  for (method in UNI_METHODS) {
    tests <- if (full) TESTS else "z"
    for (test in tests) {
      record_uni(rec, measure, variant, yi, vi, method, test, "default")
      if (full && test == "z" && method %in% ITERATIVE)
        record_uni(rec, measure, variant, yi, vi, method, test, "tight")
    }
  }
}

# Provenance header + body for one reference file.
write_reference <- function(rec, path, dataset_file, source_desc, meta) {
  header <- c(
    "# metafor reference values for the metasift test suite. Do not edit: regenerate instead.",
    "# script: tools/reference/generate.R (helpers: tools/reference/helpers.R)",
    paste0("# regenerate (from the repository root): Rscript tools/reference/generate.R"),
    paste0("# ", meta$r_version, "; metafor ", meta$metafor, "; metadat ", meta$metadat),
    paste0("# generated: ", meta$date),
    paste0("# data: ", dataset_file, " (", source_desc, ")"),
    "# case = measure|method|test|variant|control; value = formatC(x, digits=17, format=\"g\"), NA = not available;",
    "# per-study stats yi.i/vi.i/weight.i are indexed by the data file's row i (NA = study omitted by metafor);",
    "# yi.i/vi.i of rma.uni fits are written once per measure/variant as case measure|ES|none|variant|default;",
    "# a fit that metafor refused is a single line: case,error,<message>"
  )
  write_lines_lf(c(header, "case,stat,value", rec$lines), path)
}

# The "generated:" date of a reference table: SOURCE_DATE_EPOCH when set (reproducible builds),
# else today.
reference_date <- function() {
  epoch <- Sys.getenv("SOURCE_DATE_EPOCH")
  if (nzchar(epoch)) format(as.POSIXct(as.numeric(epoch), origin = "1970-01-01", tz = "UTC"), "%Y-%m-%d")
  else format(Sys.Date(), "%Y-%m-%d")
}
