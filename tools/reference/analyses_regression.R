# Generates the meta-regression and subgroup test data (tests/data/regression/*.csv) and their
# metafor reference values (tests/reference/metafor_regression_<dataset>.csv and
# tests/reference/metafor_subgroups_<dataset>.csv) for tests/models/regression_test.cpp and
# tests/analyses/subgroups_test.cpp.
#
#   Rscript tools/reference/analyses_regression.R        (run from the repository root)
#
# Needs R with metafor and metadat (made with R 4.2.2, metafor 3.8.1, metadat 1.2.0). The outputs
# are committed; CI does not run R. Output is deterministic except the "generated:" date line
# (set SOURCE_DATE_EPOCH to pin it). Uses the formatting helpers of tools/reference/helpers.R, and,
# as generate.R, computes every reference value from the CSV as written and read back.
#
# Data sets (tests/data/regression/; canonical columns as tests/data, plus the moderators):
#   bcg_mods.csv           metadat dat.bcg: study,events1,n1,events2,n2 (as tests/data/bcg.csv),
#                          ablat, year, alloc                                       measure RR
#   bangertdrowns2004.csv  metadat dat.bangertdrowns2004: study = "author, year" (id added to
#                          repeats), yi, vi, length, grade, wic, meta (NA = missing)  measure GEN
#   molloy2014_mods.csv    metadat dat.molloy2014: study,r,n (as tests/data/molloy2014.csv),
#                          meanage, quality, controls, design                       measure ZCOR
#
# Regression file, case key measure|method|test|model|control:
#   model    the moderators of rma(mods = ~ model); "factor(x)" is dummy-coded with R's first level
#            as reference; "ablat-1" has no intercept.
#   method   EE DL REML ML PM HE SJ HS EB; test z | knha; control default | tight (rma control =
#            list(threshold = 1e-12, tol = 1e-12, maxiter = 10000); tight only for REML, ML, EB, PM).
#   stats    k, p, estimate.j, se.j, stat.j, p.j, ci_lower.j, ci_upper.j (j = coefficient in X's
#            column order, intercept first), tau2, tau2_se, I2, H2, R2 (random-effects models with an
#            intercept), QM, QM_df, QM_df2 (knha only), QM_p, QE, QE_df, QE_p, vt, ddf (knha only),
#            hat.i and fitted.i (i = data file row; NA = row omitted because a moderator is missing).
#   No-intercept models (control "direct" and "centred"): metafor mean-centres y before every tau^2
#   computation (rma.uni: ymci <- scale(yi, ...); also in QE), which is exact only when the column
#   space of X contains the constant. For "ablat-1" the "direct" cases are the reference: tau^2 and
#   its SE from this script's own matrix implementation without centring (REML/ML/EB: root of the
#   score equation by uniroot(tol = 1e-15), checked against optimize() of the (restricted)
#   log-likelihood; PM: root of Q(tau^2) = k - p; closed forms otherwise -- the same code is checked
#   against metafor on every model with an intercept, where centring is exact), QE and its p
#   computed directly, and every other statistic from rma(..., tau2 = <direct tau^2>), whose model
#   fit uses the uncentred y. The "centred" cases hold metafor's own tau2 and QE for the record
#   (stats tau2, QE, and ll_direct / ll_centred = the log-likelihood the method maximises at both).
#   Permutation case RR|REML|<test>|ablat/rows1-7|tight: metafor's exact permutest (all 2520 distinct
#   arrangements) of rma(mods = ~ablat) on the first 7 rows of bcg_mods, tight control; stats
#   iterations, p_perm.j, QM_p_perm.
#
# Subgroup file, case key measure|method|test|<column>:<mode>|control, mode separate | common:
#   separate: rma(subset = g == level, method, test) per level (levels in R's sorted order, index j).
#   common:   tau^2 from rma(mods = ~factor(g), method, test) (stats tau2_common, tau2_common_se),
#             then rma(subset = g == level, tau2 = tau2_common, test) per level (RE methods only).
#   stats     groups, k.j, estimate.j, se.j, stat.j, p.j, ci_lower.j, ci_upper.j, tau2.j, tau2_se.j,
#             I2.j, H2.j, Q.j, Q_df.j, Q_p.j; Qb, Qb_df, Qb_p: the test of subgroup differences
#             Q_b = sum w_j (est_j - est_w)^2, w_j = 1 / se_j^2, df = groups - 1 (R meta's Q.b.random,
#             Stata's meta subgroup test), computed here from the per-level estimates and SEs.

suppressPackageStartupMessages({
  library(metafor)
  library(metadat)
})

script_path <- local({
  arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(arg) == 0) stop("run with: Rscript tools/reference/analyses_regression.R")
  normalizePath(sub("^--file=", "", arg[1]))
})
tool_dir <- dirname(script_path)
repo_root <- normalizePath(file.path(tool_dir, "..", ".."))
source(file.path(tool_dir, "helpers.R"))

data_dir <- file.path(repo_root, "tests", "data", "regression")
ref_dir <- file.path(repo_root, "tests", "reference")
dir.create(data_dir, showWarnings = FALSE, recursive = TRUE)

gen_date <- reference_date()
meta <- list(r_version = R.version.string, metafor = as.character(packageVersion("metafor")),
             metadat = as.character(packageVersion("metadat")), date = gen_date)

# Data with text columns: like helpers.R's write_data_csv, but character columns are quoted as
# needed instead of formatted as numbers.
write_mixed_csv <- function(df, path) {
  stopifnot(names(df)[1] == "study", !anyDuplicated(df$study), !anyNA(df$study))
  cols <- lapply(seq_along(df), function(j) {
    x <- df[[j]]
    if (is.character(x)) { s <- csv_quote(x); s[is.na(x)] <- "NA"; s } else fmt_data(x)
  })
  write_lines_lf(c(paste(names(df), collapse = ","), do.call(paste, c(cols, sep = ","))), path)
}

write_ref <- function(lines, path, dataset_file, source_desc, what) {
  header <- c(
    paste0("# metafor reference values (", what, ") for the metasift test suite. Do not edit: regenerate instead."),
    "# script: tools/reference/analyses_regression.R (helpers: tools/reference/helpers.R)",
    "# regenerate (from the repository root): Rscript tools/reference/analyses_regression.R",
    paste0("# ", meta$r_version, "; metafor ", meta$metafor, "; metadat ", meta$metadat),
    paste0("# generated: ", meta$date),
    paste0("# data: ", dataset_file, " (", source_desc, ")"),
    "# case keys and stats: see the header of tools/reference/analyses_regression.R;",
    "# value = formatC(x, digits=17, format=\"g\"), NA = not available"
  )
  write_lines_lf(c(header, "case,stat,value", lines), path)
}

# ---------------------------------------------------------------------------------------------
# 1. Data sets.

datasets <- list()
d <- dat.bcg
datasets$bcg_mods <- list(
  measure = "RR", kind = "bin",
  source = "metadat dat.bcg; study = \"author, year\"; events1 = tpos, n1 = tpos+tneg, events2 = cpos, n2 = cpos+cneg; ablat, year, alloc",
  df = data.frame(study = paste0(d$author, ", ", d$year), events1 = d$tpos, n1 = d$tpos + d$tneg,
                  events2 = d$cpos, n2 = d$cpos + d$cneg, ablat = d$ablat, year = d$year,
                  alloc = d$alloc, stringsAsFactors = FALSE),
  models = c("ablat+year", "ablat", "factor(alloc)", "ablat+factor(alloc)", "ablat-1"),
  subgroups = "alloc")

d <- dat.bangertdrowns2004
lab <- paste0(d$author, ", ", d$year)
dup <- lab %in% lab[duplicated(lab)]
lab[dup] <- paste0(lab[dup], " (", d$id[dup], ")")
datasets$bangertdrowns2004 <- list(
  measure = "GEN", kind = "gen",
  source = "metadat dat.bangertdrowns2004; study = \"author, year\" (id added to repeats); yi, vi as given; length, grade, wic, meta (NA = missing)",
  df = data.frame(study = lab, yi = as.numeric(d$yi), vi = as.numeric(d$vi), length = d$length,
                  grade = d$grade, wic = d$wic, meta = d$meta, stringsAsFactors = FALSE),
  models = c("length", "length+wic+meta", "factor(grade)", "grade"),
  subgroups = c("grade", "wic"))

d <- dat.molloy2014
datasets$molloy2014_mods <- list(
  measure = "ZCOR", kind = "cor",
  source = "metadat dat.molloy2014; study = \"authors, year\"; r = ri, n = ni; meanage, quality, controls, design",
  df = data.frame(study = paste0(d$authors, ", ", d$year), r = d$ri, n = d$ni, meanage = d$meanage,
                  quality = d$quality, controls = d$controls, design = d$design, stringsAsFactors = FALSE),
  models = c("meanage", "factor(design)", "meanage+quality"),
  subgroups = c("controls", "design"))

effect_sizes <- function(ds, d) {
  es <- switch(ds$kind,
    bin = escalc(measure = ds$measure, ai = d$events1, n1i = d$n1, ci = d$events2, n2i = d$n2),
    cor = escalc(measure = ds$measure, ri = d$r, ni = d$n),
    gen = list(yi = d$yi, vi = d$vi))
  list(yi = as.numeric(es$yi), vi = as.numeric(es$vi))
}

# ---------------------------------------------------------------------------------------------
# 2. A direct implementation of the tau^2 estimators for general X without mean-centring y
#    (formulas of rma.uni; used as the reference for models without an intercept).

Pmat <- function(w, X) {
  W <- diag(w, nrow = length(w))
  W - W %*% X %*% solve(crossprod(X, W %*% X)) %*% t(X) %*% W
}
tr <- function(M) sum(diag(M))
quad <- function(y, M) c(t(y) %*% M %*% y)

# (Restricted) log-likelihood that REML / ML maximise, up to constants.
loglik <- function(t2, y, v, X, reml) {
  w <- 1 / (v + t2)
  P <- Pmat(w, X)
  ll <- -0.5 * sum(log(v + t2)) - 0.5 * quad(y, P)
  if (reml) ll <- ll - 0.5 * c(determinant(crossprod(X, w * X), logarithm = TRUE)$modulus)
  ll
}

root_or_zero <- function(f, hi) {
  if (!(f(0) > 0)) return(0)
  while (f(hi) > 0) hi <- hi * 2
  uniroot(f, c(0, hi), tol = 1e-15, maxiter = 10000)$root
}

# The global maximiser of the (restricted) likelihood on [0, inf): every local maximum is 0 (score
# <= 0 there) or a sign change + -> - of the score; a log-spaced grid finds them, uniroot refines
# them, and the one with the largest likelihood wins. (Likelihoods with moderators can have a local
# maximum at 0 and the global one inside, e.g. ML for bcg ~factor(alloc).)
global_max <- function(score, ll, hi) {
  while (score(hi) > 0) hi <- hi * 2
  grid <- c(0, exp(seq(log(1e-10 * hi), log(hi), length.out = 4000)))
  s <- vapply(grid, score, numeric(1))
  cand <- if (s[1] <= 0) 0 else numeric(0)
  for (i in which(s[-length(s)] > 0 & s[-1] <= 0)) {
    cand <- c(cand, uniroot(score, grid[c(i, i + 1)], tol = 1e-15, maxiter = 10000)$root)
  }
  cand[which.max(vapply(cand, ll, numeric(1)))]
}

direct_tau2 <- function(y, v, X, method) {
  k <- length(y); p <- ncol(X)
  hi <- max(100, 10 * var(y))
  if (method == "EE") return(list(tau2 = 0, se = NA_real_))
  if (method == "DL") {
    P <- Pmat(1 / v, X); trP <- tr(P)
    t2 <- max(0, (quad(y, P) - (k - p)) / trP)
    return(list(tau2 = t2, se = sqrt((2 * (k - p) + 4 * t2 * trP + 2 * t2^2 * sum(P * P)) / trP^2)))
  }
  if (method == "HS") {
    P <- Pmat(1 / v, X)
    t2 <- max(0, (quad(y, P) - k) / sum(1 / v))
    return(list(tau2 = t2, se = sqrt(2 * (k - p) + 4 * t2 * tr(P) + 2 * t2^2 * sum(P * P)) / sum(1 / v)))
  }
  if (method == "HE") {
    P0 <- diag(k) - X %*% solve(crossprod(X)) %*% t(X)
    PV <- P0 %*% diag(v)
    t2 <- max(0, (quad(y, P0) - tr(PV)) / (k - p))
    return(list(tau2 = t2, se = sqrt((2 * sum(PV * t(PV)) + 4 * t2 * tr(PV) + 2 * t2^2 * (k - p)) / (k - p)^2)))
  }
  if (method == "SJ") {
    t0 <- var(y) * (k - 1) / k
    P <- Pmat(1 / (v + t0), X)
    PV <- P %*% diag(v)
    t2 <- max(0, t0 * quad(y, P) / (k - p))
    return(list(tau2 = t2, se = sqrt(t0^2 / (k - p)^2 * (2 * sum(PV * t(PV)) + 4 * t2 * sum(PV * P) + 2 * t2^2 * sum(P * P)))))
  }
  if (method == "PM") {
    t2 <- root_or_zero(function(t) quad(y, Pmat(1 / (v + t), X)) - (k - p), hi)
    return(list(tau2 = t2, se = sqrt(2 * k^2 / (k - p)) / sum(1 / (v + t2))))
  }
  score <- switch(method,
    REML = function(t) { P <- Pmat(1 / (v + t), X); quad(y, P %*% P) - tr(P) },
    ML = function(t) { w <- 1 / (v + t); P <- Pmat(w, X); quad(y, P %*% P) - sum(w) },
    EB = function(t) { P <- Pmat(1 / (v + t), X); quad(y, P) * k / (k - p) - k })
  if (method %in% c("REML", "ML")) {
    reml <- method == "REML"
    t2 <- global_max(score, function(t) loglik(t, y, v, X, reml), hi)
    # Check against a direct maximisation of the likelihood near the solution.
    opt <- optimize(function(t) loglik(t, y, v, X, reml), c(0, 2 * t2 + 1e-3), maximum = TRUE, tol = 1e-12)$maximum
    if (abs(opt - t2) > 1e-5 * max(1, t2)) stop(sprintf("%s: score root %.10g, optimize %.10g", method, t2, opt))
  } else {
    t2 <- root_or_zero(score, hi)
  }
  w <- 1 / (v + t2)
  se <- switch(method, REML = { P <- Pmat(w, X); sqrt(2 / sum(P * P)) }, ML = sqrt(2 / sum(w^2)),
               EB = sqrt(2 * k^2 / (k - p)) / sum(w))
  list(tau2 = t2, se = se)
}

# ---------------------------------------------------------------------------------------------
# 3. Recording.

METHODS <- c("EE", "DL", "REML", "ML", "PM", "HE", "SJ", "HS", "EB")
ITER <- c("REML", "ML", "EB", "PM")
TIGHT <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)

record_fit <- function(rec, case, res, n, k, p, tau2 = res$tau2, tau2_se = res$se.tau2, QE = res$QE,
                       QEp = res$QEp, I2 = res$I2, H2 = res$H2, R2 = res$R2) {
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
  emit(rec, case, "tau2", tau2)
  emit(rec, case, "tau2_se", tau2_se)
  emit(rec, case, "I2", I2)
  emit(rec, case, "H2", H2)
  emit(rec, case, "R2", if (is.null(R2)) NA else R2)
  emit(rec, case, "QM", res$QM)
  emit(rec, case, "QM_df", res$QMdf[1])
  emit(rec, case, "QM_df2", res$QMdf[2])
  emit(rec, case, "QM_p", res$QMp)
  emit(rec, case, "QE", QE)
  emit(rec, case, "QE_df", k - p)
  emit(rec, case, "QE_p", QEp)
  emit(rec, case, "vt", typical_v(res$vi, res$X))
  emit(rec, case, "ddf", if (is.na(res$ddf[1])) NA else res$ddf[1])
  hat <- rep(NA_real_, n); hat[res$not.na] <- hatvalues(res)
  fit <- rep(NA_real_, n); fit[res$not.na] <- fitted(res)
  emit_per_study(rec, case, "hat", hat)
  emit_per_study(rec, case, "fitted", fit)
}

fit_rma <- function(rec, case, args) {
  out <- tryCatch(with_warnings(rec, case, do.call(rma, args)), error = function(e) e)
  if (inherits(out, "error")) {
    emit_error(rec, case, conditionMessage(out))
    return(NULL)
  }
  out
}

# Checks direct_tau2 against metafor where centring is exact (models with an intercept).
check_direct <- function(res, method, control) {
  if (!res$int.incl || method == "EE") return(invisible())
  dt <- direct_tau2(c(res$yi), res$vi, res$X, method)
  tol <- if (method %in% ITER && control == "default") 2e-4 else 1e-7
  ok <- abs(dt$tau2 - res$tau2) <= tol * max(1, res$tau2)
  if (!ok) stop(sprintf("direct tau2 %.17g != metafor %.17g (%s)", dt$tau2, res$tau2, method))
  if (control != "default" || !(method %in% ITER)) {
    ok <- abs(dt$se - res$se.tau2) <= 1e-7 * max(1, res$se.tau2)
    if (!ok) stop(sprintf("direct tau2 SE %.17g != metafor %.17g (%s)", dt$se, res$se.tau2, method))
  }
}

record_regression <- function(rec, ds, d, es) {
  n <- nrow(d)
  d$yi <- es$yi
  d$vi <- es$vi
  for (model in ds$models) {
    no_int <- grepl("-1$", model)
    f <- as.formula(paste("~", model))
    for (method in METHODS) {
      for (test in c("z", "knha")) {
        controls <- if (method %in% ITER && test == "z") c("default", "tight") else "default"
        if (no_int) controls <- c("direct", "centred")
        for (control in controls) {
          case <- case_key(ds$measure, method, test, model, control)
          args <- list(yi = d$yi, vi = d$vi, mods = f, data = d, method = method, test = test)
          if (control %in% c("tight", "direct", "centred")) args$control <- TIGHT
          if (control == "direct") {
            base <- fit_rma(rec, case, args)
            if (is.null(base)) next
            y <- c(base$yi); v <- base$vi; X <- base$X
            dt <- direct_tau2(y, v, X, method)
            fargs <- args
            if (method != "EE") fargs$tau2 <- dt$tau2
            res <- fit_rma(rec, case, fargs)
            P <- Pmat(1 / v, X)
            QE <- max(0, quad(y, P))
            k <- length(y); p <- ncol(X)
            I2 <- if (method == "EE") max(0, 100 * (QE - (k - p)) / QE) else res$I2
            H2 <- if (method == "EE") QE / (k - p) else res$H2
            record_fit(rec, case, res, n, k, p, tau2 = dt$tau2, tau2_se = dt$se, QE = QE,
                       QEp = pchisq(QE, k - p, lower.tail = FALSE), I2 = I2, H2 = H2, R2 = NULL)
          } else if (control == "centred") {
            res <- fit_rma(rec, case, args)
            if (is.null(res)) next
            emit(rec, case, "tau2", res$tau2)
            emit(rec, case, "QE", res$QE)
            if (method %in% c("REML", "ML")) {
              y <- c(res$yi)
              dt <- direct_tau2(y, res$vi, res$X, method)
              emit(rec, case, "ll_direct", loglik(dt$tau2, y, res$vi, res$X, method == "REML"))
              emit(rec, case, "ll_centred", loglik(res$tau2, y, res$vi, res$X, method == "REML"))
            }
          } else {
            res <- fit_rma(rec, case, args)
            if (is.null(res)) next
            check_direct(res, method, control)
            r2 <- if (method == "EE") NULL else res$R2
            record_fit(rec, case, res, n, res$k, res$p, R2 = r2)
          }
          rec$nfits <- rec$nfits + 1L
        }
      }
    }
  }
}

qb_test <- function(est, se) {
  w <- 1 / se^2
  m <- sum(w * est) / sum(w)
  q <- sum(w * (est - m)^2)
  c(Q = q, df = length(est) - 1, p = pchisq(q, length(est) - 1, lower.tail = FALSE))
}

record_subgroups <- function(rec, ds, d, es) {
  d$yi <- es$yi
  d$vi <- es$vi
  for (col in ds$subgroups) {
    g <- d[[col]]
    ok <- !is.na(g) & !is.na(d$yi) & !is.na(d$vi)
    levels <- sort(unique(g[ok]))
    for (method in METHODS) {
      for (test in c("z", "knha")) {
        controls <- if (method %in% ITER && test == "z") c("default", "tight") else "default"
        for (control in controls) {
          for (mode in c("separate", "common")) {
            if (mode == "common" && method == "EE") next
            case <- case_key(ds$measure, method, test, paste0(col, ":", mode), control)
            ctl <- if (control == "tight") TIGHT else list()
            t2c <- NULL
            if (mode == "common") {
              dd <- d[ok, ]
              dd$g <- factor(g[ok])
              reg <- fit_rma(rec, case, list(yi = dd$yi, vi = dd$vi, mods = ~ g, data = dd, method = method,
                                             test = test, control = ctl))
              if (is.null(reg)) next
              t2c <- reg$tau2
              emit(rec, case, "tau2_common", reg$tau2)
              emit(rec, case, "tau2_common_se", reg$se.tau2)
            }
            emit(rec, case, "groups", length(levels))
            est <- se <- numeric(0)
            for (j in seq_along(levels)) {
              sel <- ok & g == levels[j]
              args <- list(yi = d$yi[sel], vi = d$vi[sel], method = method, test = test, control = ctl)
              if (!is.null(t2c)) args$tau2 <- t2c
              res <- fit_rma(rec, case, args)
              if (is.null(res)) next
              emit(rec, case, paste0("k.", j), res$k)
              emit(rec, case, paste0("estimate.", j), res$beta[1])
              emit(rec, case, paste0("se.", j), res$se)
              emit(rec, case, paste0("stat.", j), res$zval)
              emit(rec, case, paste0("p.", j), res$pval)
              emit(rec, case, paste0("ci_lower.", j), res$ci.lb)
              emit(rec, case, paste0("ci_upper.", j), res$ci.ub)
              emit(rec, case, paste0("tau2.", j), res$tau2)
              emit(rec, case, paste0("tau2_se.", j), res$se.tau2)
              emit(rec, case, paste0("I2.", j), res$I2)
              emit(rec, case, paste0("H2.", j), res$H2)
              emit(rec, case, paste0("Q.", j), res$QE)
              emit(rec, case, paste0("Q_df.", j), res$k - 1)
              emit(rec, case, paste0("Q_p.", j), res$QEp)
              est <- c(est, res$beta[1])
              se <- c(se, res$se)
            }
            qb <- qb_test(est, se)
            emit(rec, case, "Qb", qb[["Q"]])
            emit(rec, case, "Qb_df", qb[["df"]])
            emit(rec, case, "Qb_p", qb[["p"]])
            rec$nfits <- rec$nfits + 1L
          }
        }
      }
    }
  }
}

# Exact permutation test (metafor's permutest enumerates all distinct arrangements when there are
# no more than `iter` of them).
record_permutations <- function(rec, ds, d, es) {
  d$yi <- es$yi
  d$vi <- es$vi
  d7 <- d[1:7, ]
  for (test in c("z", "knha")) {
    case <- case_key(ds$measure, "REML", test, "ablat/rows1-7", "tight")
    res <- fit_rma(rec, case, list(yi = d7$yi, vi = d7$vi, mods = ~ablat, data = d7, method = "REML",
                                   test = test, control = TIGHT))
    pt <- with_warnings(rec, case, permutest(res, exact = TRUE, progbar = FALSE))
    emit(rec, case, "iterations", nrow(pt$zval.perm))
    for (j in seq_len(res$p)) emit(rec, case, paste0("p_perm.", j), pt$pval[j])
    emit(rec, case, "QM_p_perm", pt$QMp)
    for (j in seq_len(res$p)) emit(rec, case, paste0("stat.", j), res$zval[j])
    emit(rec, case, "QM", res$QM)
    rec$nfits <- rec$nfits + 1L
  }
}

# ---------------------------------------------------------------------------------------------
# 4. Run.

index <- c("# Meta-regression and subgroup test data",
           "",
           "Written by `tools/reference/analyses_regression.R` (do not edit by hand; regenerate with",
           "`Rscript tools/reference/analyses_regression.R` from the repository root). Numbers are exact;",
           "`NA` marks a missing moderator value.",
           "",
           "| file | source and column mapping |",
           "|---|---|")
for (name in names(datasets)) {
  ds <- datasets[[name]]
  data_file <- file.path(data_dir, paste0(name, ".csv"))
  write_mixed_csv(ds$df, data_file)
  d <- read.csv(data_file, stringsAsFactors = FALSE, check.names = FALSE)
  stopifnot(identical(nrow(d), nrow(ds$df)), isTRUE(all.equal(d[-1], ds$df[-1], tolerance = 0)))
  es <- effect_sizes(ds, d)
  rel <- file.path("tests", "data", "regression", paste0(name, ".csv"))

  rec <- new_recorder()
  record_regression(rec, ds, d, es)
  if (name == "bcg_mods") record_permutations(rec, ds, d, es)
  write_ref(rec$lines, file.path(ref_dir, paste0("metafor_regression_", name, ".csv")), rel, ds$source,
            "meta-regression")
  cat(sprintf("%-18s regression: cases=%-4d lines=%-6d errors=%d\n", name, rec$nfits, length(rec$lines),
              length(rec$errors)))
  for (e in rec$errors) cat("  error   ", e, "\n")

  srec <- new_recorder()
  record_subgroups(srec, ds, d, es)
  write_ref(srec$lines, file.path(ref_dir, paste0("metafor_subgroups_", name, ".csv")), rel, ds$source,
            "subgroups")
  cat(sprintf("%-18s subgroups:  cases=%-4d lines=%-6d errors=%d\n", name, srec$nfits, length(srec$lines),
              length(srec$errors)))
  for (e in srec$errors) cat("  error   ", e, "\n")
  for (r in list(rec, srec)) {
    if (length(r$warnings)) {
      wtab <- table(sub("^[^:]*: ", "", r$warnings))
      for (w in names(wtab)) cat(sprintf("  warning x%d: %s\n", wtab[[w]], gsub("\n", " ", w)))
    }
  }
  index <- c(index, sprintf("| `%s.csv` | %s |", name, gsub("|", "\\|", ds$source, fixed = TRUE)))
}
write_lines_lf(index, file.path(data_dir, "README.md"))
cat("done\n")
