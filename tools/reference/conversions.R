# Reference values for the effect-size conversions (tests/effects/conversions_test.cpp).
#
# Writes tests/reference/metafor_conversions.csv (long format case,stat,value, 17 significant digits,
# case key kind|id|-|-|-; every case also records its inputs as in.<name>):
#   SMD_t, SMD_F, SMD_p   metafor escalc("SMD", ti = ., n1i, n2i): ti = t; ti = direction*sqrt(F);
#                         ti = direction*qt(p/2, n1 + n2 - 2, lower.tail = FALSE)  (yi, vi)
#   SMCC, SMCR, MN, CVR, VR, D2ORL   metafor escalc with those measures           (yi, vi)
#   quantiles             an independent R transcription of Luo et al. (2018) means, Wan et al. (2014)
#                         and Shi et al. (2020) SDs (mean_S1..S3, sd_wan_S1..S3, sd_shi_S3)
#   ci                    mean and SD from a CI for a mean (t on n - 1 df, Cochrane Handbook 6.5.2.2)
#
# Run from the repository root: Rscript tools/reference/conversions.R
# (R with metafor 3.8.1; SOURCE_DATE_EPOCH pins the generated: date).
suppressPackageStartupMessages(library(metafor))
source("tools/reference/helpers.R")

lines <- character(0)
add <- function(case, stats) {
  for (nm in names(stats)) lines <<- c(lines, paste(case, nm, fmt_ref(stats[[nm]]), sep = ","))
}
key <- function(kind, id) paste(kind, id, "-", "-", "-", sep = "|")

# ---- SMD from t, F and p (independent groups) ----
grid <- expand.grid(stat = c(-3.7, -0.42, 0, 0.05, 1.3, 2.5, 8.2), n = 1:5)
sizes <- rbind(c(2, 3), c(5, 4), c(12, 15), c(60, 45), c(400, 380))
for (i in seq_len(nrow(grid))) {
  s <- grid$stat[i]
  n1 <- sizes[grid$n[i], 1]
  n2 <- sizes[grid$n[i], 2]
  e <- escalc("SMD", ti = s, n1i = n1, n2i = n2)
  add(key("SMD_t", i), list(in.t = s, in.n1 = n1, in.n2 = n2, yi = e$yi, vi = e$vi))
  f <- s^2
  dir <- if (s < 0) -1 else 1
  e <- escalc("SMD", ti = dir * sqrt(f), n1i = n1, n2i = n2)
  add(key("SMD_F", i), list(in.F = f, in.direction = dir, in.n1 = n1, in.n2 = n2, yi = e$yi, vi = e$vi))
}
pgrid <- expand.grid(p = c(1, 0.5, 0.049, 0.001, 1e-8, 1e-15), dir = c(-1, 1), n = 1:5)
for (i in seq_len(nrow(pgrid))) {
  p <- pgrid$p[i]
  dir <- pgrid$dir[i]
  n1 <- sizes[pgrid$n[i], 1]
  n2 <- sizes[pgrid$n[i], 2]
  ti <- dir * qt(p / 2, df = n1 + n2 - 2, lower.tail = FALSE)
  e <- escalc("SMD", ti = ti, n1i = n1, n2i = n2)
  add(key("SMD_p", i), list(in.p = p, in.direction = dir, in.n1 = n1, in.n2 = n2, yi = e$yi, vi = e$vi))
}

# ---- change scores, variability, d to log odds ratio ----
set.seed(20261203)
for (i in 1:12) {
  n <- sample(c(3, 4, 8, 20, 75, 300), 1)
  m1 <- round(runif(1, 5, 30), 2)
  m2 <- round(m1 + rnorm(1, 0, 4), 2)
  sd1 <- round(runif(1, 0.5, 6), 2)
  sd2 <- round(runif(1, 0.5, 6), 2)
  r <- round(runif(1, -0.9, 0.95), 2)
  e <- escalc("SMCC", m1i = m1, m2i = m2, sd1i = sd1, sd2i = sd2, ni = n, ri = r)
  add(key("SMCC", i), list(in.m1 = m1, in.m2 = m2, in.sd1 = sd1, in.sd2 = sd2, in.n = n, in.r = r, yi = e$yi, vi = e$vi))
  e <- escalc("SMCR", m1i = m1, m2i = m2, sd1i = sd1, ni = n, ri = r)
  add(key("SMCR", i), list(in.m1 = m1, in.m2 = m2, in.sd1 = sd1, in.n = n, in.r = r, yi = e$yi, vi = e$vi))
  e <- escalc("MN", mi = m1, sdi = sd1, ni = n)
  add(key("MN", i), list(in.m = m1, in.sd = sd1, in.n = n, yi = e$yi, vi = e$vi))
  n2 <- sample(c(2, 5, 16, 90), 1)
  e <- escalc("CVR", m1i = m1, m2i = m2, sd1i = sd1, sd2i = sd2, n1i = n, n2i = n2)
  add(key("CVR", i), list(in.m1 = m1, in.m2 = m2, in.sd1 = sd1, in.sd2 = sd2, in.n1 = n, in.n2 = n2, yi = e$yi, vi = e$vi))
  e <- escalc("VR", sd1i = sd1, sd2i = sd2, n1i = n, n2i = n2)
  add(key("VR", i), list(in.sd1 = sd1, in.sd2 = sd2, in.n1 = n, in.n2 = n2, yi = e$yi, vi = e$vi))
  # D2ORL converts the uncorrected d with its LS variance: checks log_or_from_smd(d, v_d).
  e <- escalc("D2ORL", m1i = m1, m2i = m2, sd1i = sd1, sd2i = sd2, n1i = n, n2i = n2)
  add(key("D2ORL", i), list(in.m1 = m1, in.m2 = m2, in.sd1 = sd1, in.sd2 = sd2, in.n1 = n, in.n2 = n2, yi = e$yi, vi = e$vi))
}

# ---- quantiles: an independent transcription of the published formulas ----
luo <- function(a, q1, m, q3, b, n) {
  w1 <- 4 / (4 + n^0.75)
  w2 <- 0.7 + 0.39 / n
  w31 <- 2.2 / (2.2 + n^0.75)
  w32 <- 0.7 - 0.72 / n^0.55
  c(S1 = w1 * (a + b) / 2 + (1 - w1) * m,
    S2 = w2 * (q1 + q3) / 2 + (1 - w2) * m,
    S3 = w31 * (a + b) / 2 + w32 * (q1 + q3) / 2 + (1 - w31 - w32) * m)
}
wan <- function(a, q1, q3, b, n) {
  xi <- 2 * qnorm((n - 0.375) / (n + 0.25))
  eta <- 2 * qnorm((0.75 * n - 0.125) / (n + 0.25))
  c(S1 = (b - a) / xi, S2 = (q3 - q1) / eta, S3 = (b - a) / (2 * xi) + (q3 - q1) / (2 * eta))
}
shi <- function(a, q1, q3, b, n) {
  (b - a) / ((2 + 0.14 * n^0.6) * qnorm((n - 0.375) / (n + 0.25))) +
    (q3 - q1) / ((2 + 2 / (0.07 * n^0.6)) * qnorm((0.75 * n - 0.125) / (n + 0.25)))
}
qcases <- list(c(1, 3, 4, 7, 10, 30), c(0, 0, 0, 0, 0, 5), c(-2.5, -1, 0.2, 1.1, 3.9, 3),
               c(12, 20, 24, 31, 58, 17), c(0.1, 0.4, 0.45, 0.6, 2.2, 120), c(100, 140, 150, 161, 220, 1000))
for (i in seq_along(qcases)) {
  v <- qcases[[i]]
  mu <- luo(v[1], v[2], v[3], v[4], v[5], v[6])
  sw <- wan(v[1], v[2], v[4], v[5], v[6])
  add(key("quantiles", i), list(in.min = v[1], in.q1 = v[2], in.median = v[3], in.q3 = v[4], in.max = v[5], in.n = v[6],
                                mean_S1 = mu[["S1"]], mean_S2 = mu[["S2"]], mean_S3 = mu[["S3"]],
                                sd_wan_S1 = sw[["S1"]], sd_wan_S2 = sw[["S2"]], sd_wan_S3 = sw[["S3"]],
                                sd_shi_S3 = shi(v[1], v[2], v[4], v[5], v[6])))
}

# ---- mean and SD from a CI of a mean ----
cicases <- list(c(1.2, 3.4, 10, 0.95), c(-5, 5, 2, 0.95), c(20.1, 22.7, 250, 0.9), c(0.5, 0.5, 30, 0.99))
for (i in seq_along(cicases)) {
  v <- cicases[[i]]
  t <- qt((1 - v[4]) / 2, df = v[3] - 1, lower.tail = FALSE)
  add(key("ci", i), list(in.lower = v[1], in.upper = v[2], in.n = v[3], in.level = v[4],
                         mean = (v[1] + v[2]) / 2, sd = sqrt(v[3]) * (v[2] - v[1]) / (2 * t)))
}

epoch <- Sys.getenv("SOURCE_DATE_EPOCH")
generated <- if (nzchar(epoch)) format(as.POSIXct(as.numeric(epoch), origin = "1970-01-01", tz = "UTC"), "%Y-%m-%d") else format(Sys.Date())
header <- c(
  "# Reference values for the effect-size conversions. Do not edit: regenerate instead.",
  "# script: tools/reference/conversions.R (helpers: tools/reference/helpers.R)",
  "# regenerate (from the repository root): Rscript tools/reference/conversions.R",
  paste0("# ", R.version.string, "; metafor ", packageVersion("metafor")),
  paste0("# generated: ", generated),
  "# SMD_*/SMCC/SMCR/MN/CVR/VR/D2ORL: metafor escalc; quantiles/ci: R transcriptions of the published formulas",
  "# case = kind|id|-|-|-; in.* = inputs; value = formatC(x, digits=17, format=\"g\")",
  "case,stat,value")
write_lines_lf(c(header, lines), "tests/reference/metafor_conversions.csv")
