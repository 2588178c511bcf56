# Generates the input data sets (tests/data/*.csv) and the metafor reference values
# (tests/reference/metafor_<dataset>.csv) that the C++ test suite compares against.
#
#   Rscript tools/reference/generate.R        (run from the repository root)
#
# Needs R with metafor and metadat (made with R 4.2.2, metafor 3.8.1, metadat 1.2.0). The outputs
# are committed; CI does not run R. Output is deterministic except the "generated:" date line
# (set SOURCE_DATE_EPOCH to pin it).
#
# Every reference value is computed from the CSV as written and read back, so the C++ side sees
# exactly the doubles metafor saw.
#
# Column mapping (our canonical names <- metafor/metadat names):
#   MD/SMD/ROM      study,n1,mean1,sd1,n2,mean2,sd2  <- n1i,m1i,sd1i,n2i,m2i,sd2i
#   OR/RR/RD/PETO   study,events1,n1,events2,n2      <- ai, n1i (= ai+bi), ci, n2i (= ci+di)
#   COR/ZCOR        study,r,n                        <- ri, ni
#   PR/PLO/PAS/PFT  study,events,n                   <- xi, ni
#   IRR/IRD         study,events1,time1,events2,time2 <- x1i, t1i, x2i, t2i
#   GEN             study,yi,vi                      <- yi, vi
#
# Case key: measure|method|test|variant|control
#   measure  escalc measure (GEN = yi/vi given directly); rma.peto is recorded as PETO|PETO.
#   method   EE DL REML ML PM HE SJ HS EB (rma.uni); MH (rma.mh, OR/RR/RD); PETO (rma.peto).
#   test     z | knha (rma.uni test=); always z for MH/PETO.
#   variant  LS (escalc vtype default) and HO/UB for MD/SMD/ROM; for 2x2 measures "default"
#            (add=1/2, to="only0", drop00=FALSE) and on zero-cell data also to_all (to="all"),
#            to_none (to="none"; only written when every study's yi/vi is finite with vi > 0 --
#            escalc turns +-Inf into NA) and drop00 (drop00=TRUE, only on data with a double-zero study);
#            "default" for all other measures and for MH/PETO (rma.mh/rma.peto defaults).
#   control  default | tight (rma control=list(threshold=1e-12, tol=1e-12, maxiter=10000) and
#            confint(res, control=list(tol=1e-12))); tight only for REML, ML, EB, PM with test z.
# Grid (to keep the files small): variants LS, HO and default get all 9 rma.uni methods x {z, knha}
# with control default, plus control tight for REML/ML/EB/PM with test z; the secondary variants
# (UB, to_all, to_none, drop00) get the 9 methods with test z and control default.
# The per-study yi/vi of a (measure, variant) are written once, as case measure|ES|none|variant|default
# (stats k, yi.i, vi.i); every fit case carries weight.i. MH/PETO cases carry their own yi.i/vi.i
# (rma.mh/rma.peto use add=1/2, to="only0", drop00=TRUE for them).

suppressPackageStartupMessages({
  library(metafor)
  library(metadat)
})

script_path <- local({
  arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(arg) == 0) stop("run with: Rscript tools/reference/generate.R")
  normalizePath(sub("^--file=", "", arg[1]))
})
tool_dir <- dirname(script_path)
repo_root <- normalizePath(file.path(tool_dir, "..", ".."))
source(file.path(tool_dir, "helpers.R"))

data_dir <- file.path(repo_root, "tests", "data")
ref_dir <- file.path(repo_root, "tests", "reference")
dir.create(data_dir, showWarnings = FALSE, recursive = TRUE)
dir.create(ref_dir, showWarnings = FALSE, recursive = TRUE)

gen_date <- reference_date()
meta <- list(
  r_version = R.version.string,
  metafor = as.character(packageVersion("metafor")),
  metadat = as.character(packageVersion("metadat")),
  date = gen_date
)

# Study labels must be unique (write_data_csv checks this).

# ---------------------------------------------------------------------------------------------
# 1. Data sets. Each entry: file name, data frame (canonical columns), kind, source description.

datasets <- list()

# fig1: the seed review's ten studies (MD), typed in from the review.
datasets$fig1 <- list(
  kind = "cont", source = "seed review, ten studies (typed in)",
  df = data.frame(
    study = c("Kamenopoulos et al.", "Mancheri et al.", "Mejame et al.", "Yang et al.", "Haque et al.",
              "Ge et al.", "Lee and Wen", "Jouini et al.", "Zhang et al.", "Zhao et al."),
    n1 = c(150, 120, 90, 100, 110, 130, 85, 105, 95, 140),
    mean1 = c(3.2, 2.8, 3.5, 2.9, 3.1, 3.3, 2.7, 3.4, 3.2, 3.0),
    sd1 = c(.4, .5, .6, .3, .7, .5, .6, .5, .4, .4),
    n2 = c(120, 100, 80, 150, 200, 95, 70, 110, 125, 130),
    mean2 = c(2.5, 3.0, 1.8, 2.2, 1.5, 2.0, 2.8, 3.2, 2.6, 2.1),
    sd2 = c(.4, .5, .3, .4, .6, .5, .7, .6, .5, .4),
    stringsAsFactors = FALSE)
)

# normand1999: metadat dat.normand1999; study = source; n1i,m1i,sd1i / n2i,m2i,sd2i.
d <- dat.normand1999
datasets$normand1999 <- list(
  kind = "cont", source = "metadat dat.normand1999; study = source",
  df = data.frame(study = d$source, n1 = d$n1i, mean1 = d$m1i, sd1 = d$sd1i,
                  n2 = d$n2i, mean2 = d$m2i, sd2 = d$sd2i, stringsAsFactors = FALSE)
)

# bcg: metadat dat.bcg; study = "author, year"; events1 = tpos, n1 = tpos + tneg,
# events2 = cpos, n2 = cpos + cneg.
d <- dat.bcg
datasets$bcg <- list(
  kind = "bin", source = "metadat dat.bcg; study = \"author, year\"; events1 = tpos, n1 = tpos+tneg, events2 = cpos, n2 = cpos+cneg",
  df = data.frame(study = paste0(d$author, ", ", d$year), events1 = d$tpos, n1 = d$tpos + d$tneg,
                  events2 = d$cpos, n2 = d$cpos + d$cneg, stringsAsFactors = FALSE)
)

# yusuf1985: metadat dat.yusuf1985, table 6 (beta blockers, 21 trials after dropping "Snow 1",
# whose counts are NA); 4 trials with zero cells, 3 of them double-zero (Pitt, Hutton, Yusuf).
# study = trial, with the id appended to the two "Barber" trials; events1 = ai, n1 = n1i,
# events2 = ci, n2 = n2i.
d <- subset(dat.yusuf1985, table == "6" & !is.na(ai) & !is.na(ci))
lab <- as.character(d$trial)
dup <- lab %in% lab[duplicated(lab)]
lab[dup] <- paste0(lab[dup], " (", d$id[dup], ")")
datasets$yusuf1985 <- list(
  kind = "bin", zero = TRUE, double_zero = TRUE,
  source = "metadat dat.yusuf1985, table 6 without the all-NA trial Snow 1; study = trial (id added to repeats); events1 = ai, n1 = n1i, events2 = ci, n2 = n2i",
  df = data.frame(study = lab, events1 = d$ai, n1 = d$n1i, events2 = d$ci, n2 = d$n2i,
                  stringsAsFactors = FALSE)
)

# zerocells: three 2x2 tables (a,b,c,d) = (0,20,2,18), (3,17,5,15), (10,40,12,38);
# events1 = a, n1 = a+b, events2 = c, n2 = c+d.
datasets$zerocells <- list(
  kind = "bin", zero = TRUE, double_zero = FALSE,
  source = "three 2x2 tables (a,b,c,d) = (0,20,2,18), (3,17,5,15), (10,40,12,38); events1 = a, n1 = a+b, events2 = c, n2 = c+d",
  df = data.frame(study = c("Table 1", "Table 2", "Table 3"), events1 = c(0, 3, 10), n1 = c(20, 20, 50),
                  events2 = c(2, 5, 12), n2 = c(20, 20, 50), stringsAsFactors = FALSE)
)

# molloy2014: metadat dat.molloy2014; study = "authors, year"; r = ri, n = ni.
d <- dat.molloy2014
datasets$molloy2014 <- list(
  kind = "cor", source = "metadat dat.molloy2014; study = \"authors, year\"; r = ri, n = ni",
  df = data.frame(study = paste0(d$authors, ", ", d$year), r = d$ri, n = d$ni, stringsAsFactors = FALSE)
)

# pritz1997: metadat dat.pritz1997; study = authors; events = xi, n = ni (two studies with xi = ni).
d <- dat.pritz1997
datasets$pritz1997 <- list(
  kind = "prop", source = "metadat dat.pritz1997; study = authors; events = xi, n = ni",
  df = data.frame(study = d$authors, events = d$xi, n = d$ni, stringsAsFactors = FALSE)
)

# hart1999: metadat dat.hart1999; study = study; events1 = x1i, time1 = t1i (warfarin),
# events2 = x2i, time2 = t2i (placebo/control).
d <- dat.hart1999
datasets$hart1999 <- list(
  kind = "inc", source = "metadat dat.hart1999; study = study; events1 = x1i, time1 = t1i, events2 = x2i, time2 = t2i",
  df = data.frame(study = d$study, events1 = d$x1i, time1 = d$t1i, events2 = d$x2i, time2 = d$t2i,
                  stringsAsFactors = FALSE)
)

# hackshaw1998: metadat dat.hackshaw1998; study = "author, year"; yi, vi as given (log OR).
d <- dat.hackshaw1998
datasets$hackshaw1998 <- list(
  kind = "gen", source = "metadat dat.hackshaw1998; study = \"author, year\"; yi, vi as given (log odds ratios)",
  df = data.frame(study = paste0(d$author, ", ", d$year), yi = as.numeric(d$yi), vi = as.numeric(d$vi),
                  stringsAsFactors = FALSE)
)

# ---------------------------------------------------------------------------------------------
# 2. Reference values.

MEASURES <- list(
  cont = c("MD", "SMD", "ROM"),
  bin  = c("OR", "RR", "RD", "PETO"),
  cor  = c("COR", "ZCOR"),
  prop = c("PR", "PLO", "PAS", "PFT"),
  inc  = c("IRR", "IRD"),
  gen  = "GEN"
)

# (variant label, extra escalc arguments) per measure family.
cont_variants <- function(measure) {
  switch(measure,
    MD = list(LS = list(vtype = "LS"), HO = list(vtype = "HO")),
    SMD = list(LS = list(vtype = "LS"), UB = list(vtype = "UB")),
    ROM = list(LS = list(vtype = "LS")))
}
bin_variants <- function(ds) {
  v <- list(default = list())
  if (isTRUE(ds$zero)) {
    v$to_all <- list(to = "all")
    v$to_none <- list(to = "none")
    if (isTRUE(ds$double_zero)) v$drop00 <- list(drop00 = TRUE)
  }
  v
}

effect_sizes <- function(kind, measure, d, extra) {
  args <- switch(kind,
    cont = list(measure = measure, n1i = d$n1, m1i = d$mean1, sd1i = d$sd1,
                n2i = d$n2, m2i = d$mean2, sd2i = d$sd2),
    bin  = list(measure = measure, ai = d$events1, n1i = d$n1, ci = d$events2, n2i = d$n2),
    cor  = list(measure = measure, ri = d$r, ni = d$n),
    prop = list(measure = measure, xi = d$events, ni = d$n),
    inc  = list(measure = measure, x1i = d$events1, t1i = d$time1, x2i = d$events2, t2i = d$time2))
  es <- suppressWarnings(do.call(escalc, c(args, extra)))
  list(yi = as.numeric(es$yi), vi = as.numeric(es$vi))
}

# to="none" is written only when it leaves every study usable (escalc turns +-Inf into NA).
all_finite <- function(es) {
  all(is.finite(es$yi) & is.finite(es$vi) & es$vi > 0)
}

# Variants that get the full method x test x control grid; the others get 9 methods x z.
PRIMARY_VARIANTS <- c("LS", "HO", "default")

summary_rows <- list()
for (name in names(datasets)) {
  ds <- datasets[[name]]
  data_file <- file.path(data_dir, paste0(name, ".csv"))
  write_data_csv(ds$df, data_file)
  d <- read.csv(data_file, stringsAsFactors = FALSE, check.names = FALSE)  # compute from what we wrote
  stopifnot(identical(nrow(d), nrow(ds$df)), isTRUE(all.equal(d[-1], ds$df[-1], tolerance = 0)))

  rec <- new_recorder()
  skipped <- character(0)
  for (measure in MEASURES[[ds$kind]]) {
    if (ds$kind == "gen") {
      record_all_uni(rec, "GEN", "default", d$yi, d$vi, full = TRUE)
      next
    }
    variants <- switch(ds$kind,
      cont = cont_variants(measure),
      bin = bin_variants(ds),
      list(default = list()))
    for (variant in names(variants)) {
      es <- effect_sizes(ds$kind, measure, d, variants[[variant]])
      if (variant == "to_none" && !all_finite(es)) {
        skipped <- c(skipped, paste0(measure, "|", variant))
        next
      }
      record_all_uni(rec, measure, variant, es$yi, es$vi, full = variant %in% PRIMARY_VARIANTS)
    }
    if (ds$kind == "bin" && measure %in% c("OR", "RR", "RD")) {
      record_mh_peto(rec, measure, "MH", d$events1, d$n1, d$events2, d$n2)
    }
  }
  if (ds$kind == "bin") record_mh_peto(rec, "PETO", "PETO", d$events1, d$n1, d$events2, d$n2)

  ref_file <- file.path(ref_dir, paste0("metafor_", name, ".csv"))
  write_reference(rec, ref_file, file.path("tests", "data", paste0(name, ".csv")), ds$source, meta)

  cat(sprintf("%-14s k=%-3d fits=%-4d lines=%-6d errors=%-3d %s\n", name, nrow(d), rec$nfits,
              length(rec$lines), length(rec$errors),
              if (length(skipped)) paste("skipped (non-finite):", paste(skipped, collapse = " ")) else ""))
  for (e in rec$errors) cat("  error   ", e, "\n")
  if (length(rec$warnings)) {
    wtab <- table(sub("^[^:]*: ", "", rec$warnings))
    for (w in names(wtab)) cat(sprintf("  warning x%d: %s\n", wtab[[w]], w))
  }
}

# Small index of the data files (the CSVs themselves carry no comment lines: the C++ table
# reader does not skip them).
index <- c(
  "# Test data sets",
  "",
  "Written by `tools/reference/generate.R` (do not edit by hand; regenerate with",
  "`Rscript tools/reference/generate.R` from the repository root). Numbers are exact: integers as",
  "integers, other values with the fewest significant digits (15-17) that read back to the same double.",
  "",
  "| file | source and column mapping |",
  "|---|---|",
  vapply(names(datasets), function(n) sprintf("| `%s.csv` | %s |", n, gsub("|", "\\|", datasets[[n]]$source, fixed = TRUE)),
         character(1), USE.NAMES = FALSE)
)
write_lines_lf(index, file.path(data_dir, "README.md"))
cat("done\n")
