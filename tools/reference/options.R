# metafor reference values for the options test, subset and weights of `meta` and `regress`:
# the data sets tests/data/options_bcg.csv and tests/data/options_homog.csv and the reference
# tables tests/reference/metafor_options_<name>.csv.
#
#   Rscript tools/reference/options.R        (run from the repository root)
#
# Needs R with metafor and metadat (made with R 4.2.2, metafor 3.8.1, metadat 1.2.0). The outputs
# are committed; CI does not run R. Output is deterministic except the "generated:" date line
# (SOURCE_DATE_EPOCH pins it).
#
# Case key measure|method|test|variant|control, as generate.R:
#   test     z, t, knha, adhoc (rma's test argument)
#   variant  all         intercept-only rma on every study
#            mods        rma with mods = ~ ablat (options_bcg only)
#            subset1     rma(subset = year >= 1950)               (metasift --subset 'year>=1950')
#            subset2     rma(subset = alloc == "random")          (metasift --subset 'alloc=="random"')
#            mods_subset1  mods = ~ ablat and subset = year >= 1950
#            weights     rma(weights = n)   n = total sample size (metasift --weights n)
#            mods_weights  mods = ~ ablat and weights = n              (options_bcg only)
#   control  default (REML scoring tightened to 1e-12 so only our convergence is tested)
# Stats: k, estimate, se, stat (z or t), df (NA for z), p, ci_lb, ci_ub, pi_lb, pi_ub, tau2, QE;
# for mods: estimate.j, se.j, stat.j, p.j, ci_lb.j, ci_ub.j (j = 1 intercept, 2 ablat), QM, QM_p.

suppressPackageStartupMessages({
  library(metafor)
  library(metadat)
})

script_path <- local({
  arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(arg) == 0) stop("run with: Rscript tools/reference/options.R")
  normalizePath(sub("^--file=", "", arg[1]))
})
tool_dir <- dirname(script_path)
repo_root <- normalizePath(file.path(tool_dir, "..", ".."))
source(file.path(tool_dir, "helpers.R"))
data_dir <- file.path(repo_root, "tests", "data")
ref_dir <- file.path(repo_root, "tests", "reference")

gen_date <- reference_date()

ctrl <- list(threshold = 1e-12, maxiter = 10000)

# dat.bcg as 2x2 counts with its moderators and the total sample size as a weight column.
bcg <- data.frame(study = paste0(dat.bcg$author, ", ", dat.bcg$year),
                  events1 = dat.bcg$tpos, n1 = dat.bcg$tpos + dat.bcg$tneg,
                  events2 = dat.bcg$cpos, n2 = dat.bcg$cpos + dat.bcg$cneg,
                  ablat = dat.bcg$ablat, year = dat.bcg$year, alloc = dat.bcg$alloc,
                  n = dat.bcg$tpos + dat.bcg$tneg + dat.bcg$cpos + dat.bcg$cneg,
                  stringsAsFactors = FALSE)
# Nearly identical effects: Q < k - 1, so the Hartung-Knapp factor s^2 is below 1 and "adhoc"
# (max(1, s^2)) differs from "knha".
homog <- data.frame(study = paste("Study", 1:6),
                    yi = c(0.10, 0.12, 0.15, 0.08, 0.11, 0.13),
                    vi = c(0.020, 0.030, 0.025, 0.040, 0.050, 0.035),
                    year = c(1990, 1995, 2000, 2005, 2010, 2015),
                    n = c(120, 80, 100, 60, 50, 70),
                    stringsAsFactors = FALSE)

fit_case <- function(rec, key, args, mods = FALSE) {
  r <- tryCatch(do.call(rma, args), error = function(e) e)
  if (inherits(r, "error")) {
    emit_error(rec, key, conditionMessage(r))
    return(invisible())
  }
  emit(rec, key, "k", r$k)
  emit(rec, key, "tau2", r$tau2)
  emit(rec, key, "QE", r$QE)
  ddf <- if (r$test == "z") NA else r$ddf[1]
  if (!mods) {
    pr <- predict(r)
    emit(rec, key, "estimate", r$b[1])
    emit(rec, key, "se", r$se[1])
    emit(rec, key, "stat", r$zval[1])
    emit(rec, key, "df", ddf)
    emit(rec, key, "p", r$pval[1])
    emit(rec, key, "ci_lb", r$ci.lb[1])
    emit(rec, key, "ci_ub", r$ci.ub[1])
    emit(rec, key, "pi_lb", pr$pi.lb)
    emit(rec, key, "pi_ub", pr$pi.ub)
  } else {
    for (j in seq_along(r$b)) {
      emit(rec, key, paste0("estimate.", j), r$b[j])
      emit(rec, key, paste0("se.", j), r$se[j])
      emit(rec, key, paste0("stat.", j), r$zval[j])
      emit(rec, key, paste0("p.", j), r$pval[j])
      emit(rec, key, paste0("ci_lb.", j), r$ci.lb[j])
      emit(rec, key, paste0("ci_ub.", j), r$ci.ub[j])
    }
    emit(rec, key, "df", ddf)
    emit(rec, key, "QM", r$QM)
    emit(rec, key, "QM_p", r$QMp)
  }
}

write_reference <- function(rec, name, data_file, source) {
  header <- c(
    "# metafor reference values (test, subset and weights options) for the metasift test suite. Do not edit: regenerate instead.",
    "# script: tools/reference/options.R (helpers: tools/reference/helpers.R)",
    "# regenerate (from the repository root): Rscript tools/reference/options.R",
    paste0("# ", R.version.string, "; metafor ", packageVersion("metafor"), "; metadat ", packageVersion("metadat")),
    paste0("# generated: ", gen_date),
    paste0("# data: ", data_file, " (", source, ")"),
    "# case keys and stats: see the header of tools/reference/options.R;",
    "# value = formatC(x, digits=17, format=\"g\"), NA = not available",
    "case,stat,value")
  write_lines_lf(c(header, rec$lines), file.path(ref_dir, paste0("metafor_options_", name, ".csv")))
}

# Numbers exact (fmt_data), text columns quoted when needed.
write_table <- function(df, path) {
  cols <- lapply(df, function(x) if (is.character(x)) csv_quote(x) else fmt_data(x))
  write_lines_lf(c(paste(names(df), collapse = ","), do.call(paste, c(cols, sep = ","))), path)
}

tests <- c("z", "t", "knha", "adhoc")

# ---- options_bcg (RR from the 2x2 counts)
write_table(bcg, file.path(data_dir, "options_bcg.csv"))
es <- escalc(measure = "RR", ai = events1, n1i = n1, ci = events2, n2i = n2, data = bcg)
rec <- new_recorder()
for (method in c("REML", "DL", "EE")) {
  for (test in tests) {
    k <- function(variant) case_key("RR", method, test, variant, "default")
    base <- list(yi = es$yi, vi = es$vi, method = method, test = test, control = ctrl)
    fit_case(rec, k("all"), base)
    fit_case(rec, k("mods"), c(base, list(mods = ~ es$ablat)), mods = TRUE)
    fit_case(rec, k("subset1"), c(base, list(subset = bcg$year >= 1950)))
    fit_case(rec, k("subset2"), c(base, list(subset = bcg$alloc == "random")))
    fit_case(rec, k("mods_subset1"), c(base, list(mods = ~ es$ablat, subset = bcg$year >= 1950)), mods = TRUE)
    fit_case(rec, k("weights"), c(base, list(weights = bcg$n)))
    fit_case(rec, k("mods_weights"), c(base, list(mods = ~ es$ablat, weights = bcg$n)), mods = TRUE)
  }
}
write_reference(rec, "bcg", "tests/data/options_bcg.csv",
                "metadat dat.bcg; study = \"author, year\"; events1 = tpos, n1 = tpos+tneg, events2 = cpos, n2 = cpos+cneg; ablat, year, alloc; n = total sample size")

# ---- options_homog (GEN yi/vi)
write_table(homog, file.path(data_dir, "options_homog.csv"))
rec <- new_recorder()
for (method in c("REML", "DL", "EE")) {
  for (test in tests) {
    k <- function(variant) case_key("GEN", method, test, variant, "default")
    base <- list(yi = homog$yi, vi = homog$vi, method = method, test = test, control = ctrl)
    fit_case(rec, k("all"), base)
    fit_case(rec, k("weights"), c(base, list(weights = homog$n)))
  }
}
write_reference(rec, "homog", "tests/data/options_homog.csv",
                "constructed: six nearly identical effects, Q < k - 1; year; n = weight")
