# Reference values of the synthesis-without-meta-analysis statistics (metasift's
# synthesis/swim.hpp, tests/synthesis/swim_reference_test.cpp), from R itself:
#   binom.test(x, n, 0.5, conf.level)   estimate, Clopper-Pearson CI, two-sided p (the sign test)
#   median(), quantile(type = 7), IQR(), range()
#   metap::sumlog(p)                    Fisher's method
#   metap::sumz(p, weights)             Stouffer's method, weights used as given
# and the synthesis of whole outcome domains from a table written here, so that the C++ side reads
# exactly the doubles R used.
#
# Regenerate from the repository root:
#   Rscript tools/reference/swim.R
# which writes tests/data/swim_domains.csv and tests/reference/r_swim.csv. Made with R 4.2.2 and
# metap 1.8 (Debian r-cran-metap). Deterministic (set.seed) apart from the `generated:` date, which
# SOURCE_DATE_EPOCH pins.
#
# Output, long format: method,case,level,x,n,values,weights,stat,value
#   method  binom | quantile | sumlog | fisher_one | sumz | domain
#   values  the input numbers, ';'-separated with 17 significant digits (p-values or effects)
#   weights sumz weights, ';'-separated, or empty for sumz's default (all 1)
#   stat    the statistic; value NA where R gives none
# metap refuses fewer than two p-values (NA). For one p-value the reference is the formula itself,
# pchisq(-2 log p, 2, lower.tail = FALSE) (method fisher_one, and the domains with one study), so
# that metasift's k = 1 results are checked too. sumz leaves out p = 1 (and its weight): the cases
# with a 1 record its result as it is.
#
# Domains: the one-sided p toward benefit is p/2 for benefit and 1 - p/2 for harm, computed in R as
# written; no-clear-effect and mixed studies are left out of the one-sided methods. Harm studies
# here have p >= 1e-3, so that 1 - p/2 keeps its digits in R too (metasift computes the harm z as
# -qnorm(p/2, lower.tail = FALSE), which is exact also for tiny p; a tiny-p harm is tested by the
# symmetry of Stouffer's Z in the C++ tests, not against R).
suppressPackageStartupMessages(library(metap))

set.seed(20261203)
fmt <- function(v) if (length(v) == 0) "" else paste(sprintf("%.17g", v), collapse = ";")
num <- function(v) if (is.null(v) || length(v) == 0 || is.na(v)) "NA" else sprintf("%.17g", v)
rows <- character(0)
emit <- function(method, case, stats, level = "", x = "", n = "", values = "", weights = "") {
  for (s in names(stats)) {
    rows <<- c(rows, sprintf("%s,%s,%s,%s,%s,%s,%s,%s,%s", method, case, level, x, n, values, weights, s, num(stats[[s]])))
  }
}

# --- binom.test ---------------------------------------------------------------------------------
binom_case <- function(x, n, level = 0.95) {
  b <- binom.test(x, n, 0.5, conf.level = level)
  emit("binom", sprintf("x%d_n%d_l%s", x, n, format(level)),
       list(estimate = unname(b$estimate), ci_lower = b$conf.int[1], ci_upper = b$conf.int[2], p_value = b$p.value),
       level = format(level), x = x, n = n)
}
for (n in c(1, 2, 3, 5, 10, 17, 50, 200, 1000)) {
  for (x in unique(c(0, 1, floor(n / 2), ceiling(n / 2), n - 1, n))) if (x >= 0 && x <= n) binom_case(x, n)
}
for (i in 1:10) {
  n <- sample(4:120, 1)
  binom_case(sample(0:n, 1), n)
}
binom_case(3, 10, 0.9)
binom_case(7, 25, 0.99)
binom_case(0, 8, 0.8)
binom_case(1000, 1000, 0.95)

# --- quantile(type = 7), median, IQR, range ------------------------------------------------------
quantile_case <- function(name, v) {
  q <- unname(quantile(v, c(0.25, 0.75), type = 7))
  emit("quantile", name,
       list(n = length(v), median = median(v), q1 = q[1], q3 = q[2], iqr = IQR(v), min = min(v), max = max(v)),
       values = fmt(v))
}
quantile_case("one", 0.42)
quantile_case("two", c(1.5, -0.25))
quantile_case("three", c(3, 1, 2))
quantile_case("four", c(1, 2, 3, 4))
quantile_case("ties", c(0.2, 0.2, 0.2, 0.5, 0.5, -1))
quantile_case("all_equal", rep(-0.3, 5))
quantile_case("large_magnitude", c(1e12, -3e11, 5e11, 7.5e11, 2e12, -1e12, 0.1))
for (k in c(5, 7, 10, 11, 20, 50)) quantile_case(sprintf("normal_%d", k), rnorm(k, 0.3, 0.5))

# --- metap::sumlog --------------------------------------------------------------------------------
sumlog_case <- function(name, p) {
  s <- suppressWarnings(sumlog(p))
  emit("sumlog", name, list(k = length(s$validp), chisq = s$chisq, df = s$df, p = s$p), values = fmt(p))
}
sumlog_case("two", c(0.04, 0.3))
sumlog_case("tiny", c(1e-300, 0.2, 0.7))
sumlog_case("with_one", c(0.01, 1, 0.5))
sumlog_case("all_one", c(1, 1, 1))
sumlog_case("two_tiny", c(1e-300, 1e-300))
sumlog_case("half", rep(0.5, 6))
for (k in c(2, 3, 5, 10, 25, 60)) sumlog_case(sprintf("uniform_%d", k), runif(k))
for (k in c(4, 12)) sumlog_case(sprintf("small_%d", k), runif(k)^4)

fisher_one_case <- function(name, p) {
  chisq <- -2 * log(p)
  emit("fisher_one", name, list(k = 1, chisq = chisq, df = 2, p = pchisq(chisq, 2, lower.tail = FALSE)), values = fmt(p))
}
fisher_one_case("p_0.03", 0.03)
fisher_one_case("p_1", 1)
fisher_one_case("p_1e-300", 1e-300)

# --- metap::sumz ----------------------------------------------------------------------------------
sumz_case <- function(name, p, w = NULL) {
  s <- if (is.null(w)) suppressWarnings(sumz(p)) else suppressWarnings(sumz(p, weights = w))
  emit("sumz", name, list(k = length(s$validp), z = as.numeric(s$z), p = as.numeric(s$p)),
       values = fmt(p), weights = if (is.null(w)) "" else fmt(w))
}
sumz_case("two", c(0.04, 0.3))
sumz_case("tiny", c(1e-300, 0.2, 0.7))
sumz_case("with_one", c(0.01, 1, 0.5))
sumz_case("with_one_weighted", c(0.01, 1, 0.5, 0.2), sqrt(c(40, 100, 25, 60)))
sumz_case("against", c(0.9, 0.95, 0.6))
for (k in c(2, 3, 5, 10, 25, 60)) sumz_case(sprintf("uniform_%d", k), runif(k))
for (k in c(3, 8, 20)) {
  n <- sample(10:500, k, replace = TRUE)
  sumz_case(sprintf("sqrt_n_%d", k), runif(k), sqrt(n))
}
sumz_case("weights_as_given", c(0.2, 0.01, 0.6), c(1, 5, 0.5))

# --- Whole domains --------------------------------------------------------------------------------
# direction codes: b benefit, h harm, c no-clear-effect, m mixed
domains <- list(
  all_benefit = data.frame(dir = rep("b", 5), n = c(40, 120, 75, 300, 18), p = c(0.03, 0.2, 0.001, 0.5, 0.08),
                           effect = c(0.3, 0.1, 0.45, 0.05, 0.6)),
  all_harm = data.frame(dir = rep("h", 4), n = c(50, 60, 200, 35), p = c(0.01, 0.3, 0.002, 0.9),
                        effect = c(-0.2, -0.05, -0.4, -0.01)),
  single = data.frame(dir = "b", n = 30, p = 0.04, effect = 0.3),
  tiny_p = data.frame(dir = c("b", "b", "h", "c"), n = c(5000, 80, 90, 60), p = c(1e-300, 0.4, 0.05, 1),
                      effect = c(0.9, 0.1, -0.15, 0)),
  p_one = data.frame(dir = c("b", "h", "b"), n = c(20, 25, 30), p = c(1, 1, 0.06), effect = c(0.01, -0.01, 0.2)),
  mixed_bag = data.frame(dir = c("b", "h", "c", "m", "b", "h", "b"), n = c(100, NA, 80, 40, 150, 60, 90),
                         p = c(0.02, 0.1, 0.7, 0.3, NA, 0.04, 0.15), effect = c(0.2, -0.1, 0.02, NA, 0.35, -0.25, NA)),
  no_direction = data.frame(dir = c("c", "m", "c"), n = c(30, 40, 50), p = c(0.6, 0.2, 0.9), effect = c(0.01, 0.1, -0.02)),
  no_p = data.frame(dir = c("b", "h", "b"), n = c(30, 40, 50), p = NA_real_, effect = NA_real_)
)
k <- 40
domains$large <- data.frame(dir = sample(c("b", "h", "c", "m"), k, replace = TRUE, prob = c(0.5, 0.25, 0.15, 0.1)),
                            n = sample(15:800, k, replace = TRUE), p = pmax(runif(k), 1e-3), effect = round(rnorm(k, 0.2, 0.4), 3))

# Spellings the reader accepts, so that the table exercises them: symbols in `large`, mixed case
# and spaces elsewhere.
spell <- function(code, i, domain) {
  if (domain == "large") {
    return(switch(code, b = "\u25B2", h = "\u25BC", c = "\u25C4\u25BA", m = "mixed"))
  }
  names <- list(b = c("benefit", "Benefit"), h = c("harm", "HARM"), c = c("no-clear-effect", "No clear effect"),
                m = c("mixed", "Mixed"))
  names[[code]][1 + (i %% 2)]
}

cells <- function(v) ifelse(is.na(v), "NA", sprintf("%.17g", v))
lines <- "study,outcome_domain,direction,n,p,effect,rob"
for (d in names(domains)) {
  t <- domains[[d]]
  rob <- c("low", "some concerns", "high")[1 + (seq_len(nrow(t)) %% 3)]
  for (i in seq_len(nrow(t))) {
    lines <- c(lines, sprintf("%s-%02d,%s,%s,%s,%s,%s,%s", d, i, d, spell(t$dir[i], i, d), cells(t$n[i]), cells(t$p[i]),
                              cells(t$effect[i]), rob[i]))
  }
}
con <- file("tests/data/swim_domains.csv", "wb")
writeBin(charToRaw(enc2utf8(paste0(paste(lines, collapse = "\n"), "\n"))), con)
close(con)

fisher_ref <- function(p) {
  if (length(p) == 0) return(list(chisq = NA, df = NA, p = NA))
  if (length(p) == 1) {
    chisq <- -2 * log(p)
    return(list(chisq = chisq, df = 2, p = pchisq(chisq, 2, lower.tail = FALSE)))
  }
  s <- sumlog(p)
  list(chisq = s$chisq, df = s$df, p = s$p)
}
stouffer_ref <- function(p, w = NULL) {
  if (length(p) == 0 || (!is.null(w) && any(is.na(w)))) return(list(z = NA, p = NA))
  if (length(p) == 1) {
    z <- qnorm(p, lower.tail = FALSE)
    return(list(z = z, p = pnorm(z, lower.tail = FALSE)))
  }
  s <- if (is.null(w)) sumz(p) else sumz(p, weights = w)
  list(z = as.numeric(s$z), p = as.numeric(s$p))
}
for (d in names(domains)) {
  t <- domains[[d]]
  nb <- sum(t$dir == "b")
  nh <- sum(t$dir == "h")
  vote <- if (nb + nh > 0) binom.test(nb, nb + nh, 0.5) else NULL
  e <- t$effect[!is.na(t$effect)]
  q <- if (length(e) > 0) unname(quantile(e, c(0.25, 0.75), type = 7)) else c(NA, NA)
  clear <- t$dir %in% c("b", "h") & !is.na(t$p)
  p1 <- ifelse(t$dir[clear] == "b", t$p[clear] / 2, 1 - t$p[clear] / 2)
  f1 <- fisher_ref(p1)
  f2 <- fisher_ref(t$p[!is.na(t$p)])
  s1 <- stouffer_ref(p1)
  s2 <- stouffer_ref(p1, sqrt(t$n[clear]))
  emit("domain", d, list(
    k = nrow(t), benefit = nb, harm = nh, no_clear_effect = sum(t$dir == "c"), mixed = sum(t$dir == "m"),
    vote_proportion = if (is.null(vote)) NA else unname(vote$estimate),
    vote_ci_lower = if (is.null(vote)) NA else vote$conf.int[1],
    vote_ci_upper = if (is.null(vote)) NA else vote$conf.int[2],
    sign_test_p = if (is.null(vote)) NA else vote$p.value,
    effects_n = length(e), median = if (length(e)) median(e) else NA, q1 = q[1], q3 = q[2],
    iqr = if (length(e)) IQR(e) else NA, min = if (length(e)) min(e) else NA, max = if (length(e)) max(e) else NA,
    fisher_k = length(p1), fisher_chisq = f1$chisq, fisher_df = f1$df, fisher_p = f1$p,
    fisher_two_sided_k = sum(!is.na(t$p)), fisher_two_sided_chisq = f2$chisq, fisher_two_sided_df = f2$df,
    fisher_two_sided_p = f2$p,
    stouffer_z = s1$z, stouffer_p = s1$p, stouffer_weighted_z = s2$z, stouffer_weighted_p = s2$p))
}

stamp <- Sys.getenv("SOURCE_DATE_EPOCH")
generated <- if (nzchar(stamp)) format(as.POSIXct(as.numeric(stamp), origin = "1970-01-01", tz = "UTC"), "%Y-%m-%d") else format(Sys.Date())
out <- c("# R reference values for synthesis without meta-analysis (tools/reference/swim.R)",
         sprintf("# %s, metap %s; generated: %s", R.version.string, as.character(packageVersion("metap")), generated),
         "method,case,level,x,n,values,weights,stat,value", rows)
writeLines(out, "tests/reference/r_swim.csv")
