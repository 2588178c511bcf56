# Mantel-Haenszel pooling beyond mh_zero.R: incidence rates (IRR, IRD) from person-time data, and
# the Cochran-Mantel-Haenszel / Mantel-Haenszel tests and Tarone's test that rma.mh reports.
#
#   Rscript tools/reference/mantel_haenszel.R        (run from the repository root)
#
# Needs R with metafor and metadat (made with R 4.2.2, metafor 3.8.1, metadat 1.2.0). The outputs
# are committed; CI does not run R. Output is deterministic except the "generated:" date line
# (SOURCE_DATE_EPOCH pins it).
#
# Writes
#   tests/data/nielweise2008.csv            metadat dat.nielweise2008 (x1i t1i x2i t2i)
#   tests/data/mhrates_zero.csv             constructed person-time data with zero event counts
#   tests/reference/metafor_nielweise2008.csv, metafor_mhrates_zero.csv   IRR and IRD
#   tests/reference/metafor_mh_hart1999.csv  IRR and IRD on the committed tests/data/hart1999.csv
#   tests/reference/metafor_mh_bcg.csv       OR, RR, RD on the committed tests/data/bcg.csv
# A reference file metafor_mh_<name>.csv belongs to the data file tests/data/<name>.csv.
#
# Cases (format of generate.R, key measure|MH|z|variant|default), variants as mh_zero.R:
#   default  add = 1/2, to = "only0", drop00 = TRUE for yi/vi (rma.mh defaults)
#   to_all   to = "all";  to_none  to = "none";  drop00  drop00 = c(TRUE, TRUE)
# Each case carries k, estimate, se, CI, z, p, Q, df (= k.yi - 1), Q_p, I2, H2, per-row yi.i, vi.i,
# weight.i, and the tests rma.mh computes (correct = TRUE, its default):
#   OR:  cmh, cmh_p (res$MH: Cochran-Mantel-Haenszel chi^2 with continuity correction, df = 1),
#        tarone, tarone_df (k.pos - 1), tarone_p (res$TA, res$TAp: Tarone's heterogeneity test)
#   IRR: cmh, cmh_p (res$MH: the Mantel-Haenszel test for person-time data, df = 1)

suppressPackageStartupMessages(library(metafor))

script_path <- local({
  arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(arg) == 0) stop("run with: Rscript tools/reference/mantel_haenszel.R")
  normalizePath(sub("^--file=", "", arg[1]))
})
tool_dir <- dirname(script_path)
repo_root <- normalizePath(file.path(tool_dir, "..", ".."))
source(file.path(tool_dir, "helpers.R"))
data_dir <- file.path(repo_root, "tests", "data")
ref_dir <- file.path(repo_root, "tests", "reference")

gen_date <- reference_date()
meta <- list(r_version = R.version.string, metafor = as.character(packageVersion("metafor")),
             metadat = as.character(packageVersion("metadat")), date = gen_date)

nw <- metadat::dat.nielweise2008
datasets <- list(
  nielweise2008 = list(
    kind = "rate", ref = "nielweise2008", write = TRUE,
    source = "metadat dat.nielweise2008; study = \"authors year\"; events1 = x1i, time1 = t1i, events2 = x2i, time2 = t2i",
    df = data.frame(study = paste(nw$authors, nw$year), events1 = nw$x1i, time1 = nw$t1i, events2 = nw$x2i, time2 = nw$t2i,
                    stringsAsFactors = FALSE)),
  mhrates_zero = list(
    kind = "rate", ref = "mhrates_zero", write = TRUE,
    source = "constructed: no events in arm 1 (row 1), in arm 2 (row 2), in both arms (row 3), three studies with events in both",
    df = data.frame(study = c("Zero arm 1", "Zero arm 2", "Double zero", "Plain A", "Plain B", "Plain C"),
                    events1 = c(0, 5, 0, 7, 12, 3), time1 = c(150.5, 220, 90, 410, 800, 133.25),
                    events2 = c(4, 0, 0, 11, 15, 6), time2 = c(140, 210.75, 95, 398, 760, 150),
                    stringsAsFactors = FALSE)),
  hart1999 = list(kind = "rate", ref = "mh_hart1999", write = FALSE,
                  source = "metadat dat.hart1999 (the committed data file, written by generate.R)"),
  bcg = list(kind = "bin", ref = "mh_bcg", write = FALSE,
             source = "metadat dat.bcg (the committed data file, written by generate.R)")
)

VARIANTS <- list(default = list(), to_all = list(to = "all"), to_none = list(to = "none"),
                 drop00 = list(drop00 = c(TRUE, TRUE)))

record_case <- function(rec, kind, measure, variant, d) {
  case <- case_key(measure, "MH", "z", variant, "default")
  rec$nfits <- rec$nfits + 1L
  args <- if (kind == "rate") list(x1i = d$events1, t1i = d$time1, x2i = d$events2, t2i = d$time2)
          else list(ai = d$events1, n1i = d$n1, ci = d$events2, n2i = d$n2)
  args <- c(args, VARIANTS[[variant]], list(measure = measure))
  out <- tryCatch(with_warnings(rec, case, {
    res <- do.call(rma.mh, args)
    list(res = res, w = weights(res))
  }), error = function(e) e)
  if (inherits(out, "error")) {
    emit_error(rec, case, conditionMessage(out))
    return(invisible(NULL))
  }
  res <- out$res
  n <- nrow(d)
  emit_pooled_2x2(rec, case, res)
  if (measure %in% c("OR", "IRR")) {
    emit(rec, case, "cmh", res$MH)
    emit(rec, case, "cmh_p", res$MHp)
  }
  if (measure == "OR") {
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
  if (ds$write) write_data_csv(ds$df, data_file)
  d <- read.csv(data_file, stringsAsFactors = FALSE, check.names = FALSE)
  rec <- new_recorder()
  measures <- if (ds$kind == "rate") c("IRR", "IRD") else c("OR", "RR", "RD")
  for (variant in names(VARIANTS)) for (measure in measures) record_case(rec, ds$kind, measure, variant, d)
  ref_file <- file.path(ref_dir, paste0("metafor_", ds$ref, ".csv"))
  write_reference(rec, ref_file, file.path("tests", "data", paste0(name, ".csv")), ds$source, meta)
  lines <- readLines(ref_file)
  lines[2] <- "# script: tools/reference/mantel_haenszel.R (helpers: tools/reference/helpers.R)"
  lines[3] <- "# regenerate (from the repository root): Rscript tools/reference/mantel_haenszel.R"
  write_lines_lf(lines, ref_file)
  cat(sprintf("%-16s fits=%d lines=%d errors=%d\n", ds$ref, rec$nfits, length(rec$lines), length(rec$errors)))
  for (e in rec$errors) cat("  error   ", e, "\n")
  if (length(rec$warnings)) for (w in unique(sub("^[^:]*: ", "", rec$warnings))) cat("  warning:", w, "\n")
}
