# Mantel-Haenszel and Peto pooling of 2x2 tables with zero cells: the test data sets
# tests/data/mhzero*.csv and their metafor reference values tests/reference/metafor_mhzero*.csv.
#
#   Rscript tools/reference/mh_zero.R        (run from the repository root)
#
# Needs R with metafor (made with R 4.2.2, metafor 3.8.1). The outputs are committed; CI does not
# run R. Output is deterministic except the "generated:" date line (SOURCE_DATE_EPOCH pins it).
#
# rma.mh and rma.peto pool the raw counts of every table; add/to/drop00 only change the per-study
# yi/vi that Q, I^2 and the study rows use. The cases cover what a continuity-correction setting
# does there, in the format of generate.R (case key measure|method|test|variant|control):
#   variant default  add = 1/2, to = "only0", drop00 = TRUE for yi/vi (rma.mh / rma.peto defaults)
#           to_all   to = "all"
#           to_none  to = "none": a zero cell leaves the study's yi/vi NA (an infinite log ratio)
#           drop00   drop00 = c(TRUE, TRUE): double-zero tables are also left out of the pooled
#                    counts (metasift's --drop-double-zero)
#   measure OR, RR, RD with method MH; PETO with method PETO (rma.peto).
# Every case carries k, the pooled estimate, se, CI, z, p, Q, df (= k.yi - 1), Q_p, I2, H2, and per
# data-file row i: yi.i, vi.i (NA where metafor has no study estimate) and weight.i (percent).
# OR cases with method MH also carry rma.mh's tests: cmh, cmh_p (res$MH, res$MHp) and tarone,
# tarone_df (k.pos - 1), tarone_p (res$TA, res$TAp).

suppressPackageStartupMessages(library(metafor))

script_path <- local({
  arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(arg) == 0) stop("run with: Rscript tools/reference/mh_zero.R")
  normalizePath(sub("^--file=", "", arg[1]))
})
tool_dir <- dirname(script_path)
repo_root <- normalizePath(file.path(tool_dir, "..", ".."))
source(file.path(tool_dir, "helpers.R"))
data_dir <- file.path(repo_root, "tests", "data")
ref_dir <- file.path(repo_root, "tests", "reference")

gen_date <- reference_date()
meta <- list(r_version = R.version.string, metafor = as.character(packageVersion("metafor")),
             metadat = "not used", date = gen_date)

datasets <- list(
  # Zero cells in one arm only: no events in group 1, no events in group 2, all events in group 1.
  mhzero_onearm = list(
    source = "constructed: zero events in arm 1 (row 1), in arm 2 (row 2), all events in arm 1 (row 3), two tables without zeros",
    df = data.frame(study = c("Zero arm 1", "Zero arm 2", "All events arm 1", "Plain A", "Plain B"),
                    events1 = c(0, 4, 10, 5, 12), n1 = c(20, 25, 10, 40, 60),
                    events2 = c(3, 0, 8, 9, 15), n2 = c(20, 24, 12, 41, 58), stringsAsFactors = FALSE)),
  # Zero cells in both arms as well: a double-zero table and a table with all events in both arms.
  mhzero_botharms = list(
    source = "constructed: the tables of mhzero_onearm plus a double-zero table (row 3) and a table with all events in both arms (row 6)",
    df = data.frame(study = c("Zero arm 1", "Zero arm 2", "Double zero", "All events arm 1", "Plain A", "All events both", "Plain B"),
                    events1 = c(0, 4, 0, 10, 5, 6, 12), n1 = c(20, 25, 30, 10, 40, 6, 60),
                    events2 = c(3, 0, 0, 8, 9, 7, 15), n2 = c(20, 24, 30, 12, 41, 7, 58), stringsAsFactors = FALSE))
)

VARIANTS <- list(default = list(), to_all = list(to = "all"), to_none = list(to = "none"),
                 drop00 = list(drop00 = c(TRUE, TRUE)))

record_case <- function(rec, measure, method, variant, d) {
  case <- case_key(measure, method, "z", variant, "default")
  rec$nfits <- rec$nfits + 1L
  args <- c(list(ai = d$events1, n1i = d$n1, ci = d$events2, n2i = d$n2), VARIANTS[[variant]])
  out <- tryCatch(with_warnings(rec, case, {
    res <- if (method == "MH") do.call(rma.mh, c(args, list(measure = measure))) else do.call(rma.peto, args)
    list(res = res, w = weights(res))
  }), error = function(e) e)
  if (inherits(out, "error")) {
    emit_error(rec, case, conditionMessage(out))
    return(invisible(NULL))
  }
  res <- out$res
  n <- nrow(d)
  emit_pooled_2x2(rec, case, res)
  if (method == "MH" && measure == "OR") {
    # rma.mh's Cochran-Mantel-Haenszel test (correct = TRUE) and Tarone's heterogeneity test.
    emit(rec, case, "cmh", res$MH)
    emit(rec, case, "cmh_p", res$MHp)
    emit(rec, case, "tarone", res$TA)
    emit(rec, case, "tarone_df", res$k.pos - 1)
    emit(rec, case, "tarone_p", res$TAp)
  }
  emit_per_study(rec, case, "yi", as.numeric(res$yi.f))
  emit_per_study(rec, case, "vi", as.numeric(res$vi.f))
  wfull <- rep(NA_real_, n)
  w <- as.numeric(out$w)  # weights() follows na.action: length k (omitted) or k.f (padded with NA)
  wfull[res$not.na] <- if (length(w) == sum(res$not.na)) w else w[res$not.na]
  emit_per_study(rec, case, "weight", wfull)
}

for (name in names(datasets)) {
  ds <- datasets[[name]]
  data_file <- file.path(data_dir, paste0(name, ".csv"))
  write_data_csv(ds$df, data_file)
  d <- read.csv(data_file, stringsAsFactors = FALSE, check.names = FALSE)
  rec <- new_recorder()
  for (variant in names(VARIANTS)) {
    for (measure in c("OR", "RR", "RD")) record_case(rec, measure, "MH", variant, d)
    record_case(rec, "PETO", "PETO", variant, d)
  }
  ref_file <- file.path(ref_dir, paste0("metafor_", name, ".csv"))
  write_reference(rec, ref_file, file.path("tests", "data", paste0(name, ".csv")), ds$source, meta)
  lines <- readLines(ref_file)
  lines[2] <- "# script: tools/reference/mh_zero.R (helpers: tools/reference/helpers.R)"
  lines[3] <- "# regenerate (from the repository root): Rscript tools/reference/mh_zero.R"
  write_lines_lf(lines, ref_file)
  cat(sprintf("%-16s fits=%d lines=%d errors=%d\n", name, rec$nfits, length(rec$lines), length(rec$errors)))
  for (e in rec$errors) cat("  error   ", e, "\n")
  if (length(rec$warnings)) for (w in unique(sub("^[^:]*: ", "", rec$warnings))) cat("  warning:", w, "\n")
}
