# Expected values for tests/effects/effects_test.cpp.
# Run: Rscript tests/effects/reference_values.R   (metafor 3.8.1, R 4.2.2 when the values were pasted)
# Every number in the test comes from this output (metafor's escalc / transf.* functions, or a
# published formula evaluated in R where metafor has no option for it, marked "formula").
suppressMessages(library(metafor))
p <- function(label, x) cat(sprintf("%-28s %s\n", label, paste(sprintf("%.17g", x), collapse = ", ")))
show <- function(label, es) { p(paste(label, "yi"), es$yi); p(paste(label, "vi"), es$vi) }

cat("metafor", as.character(packageVersion("metafor")), "\n")

## Continuous outcomes
n1 <- c(20, 15, 40); m1 <- c(5.2, 3.0, 10.5); sd1 <- c(1.1, 0.9, 2.5)
n2 <- c(22, 14, 38); m2 <- c(4.6, 3.4, 9.0);  sd2 <- c(1.3, 1.0, 0)
show("MD LS", escalc("MD", m1i=m1, sd1i=sd1, n1i=n1, m2i=m2, sd2i=sd2, n2i=n2))
show("MD HO", escalc("MD", m1i=m1, sd1i=sd1, n1i=n1, m2i=m2, sd2i=sd2, n2i=n2, vtype="HO"))
show("SMD exact", escalc("SMD", m1i=m1, sd1i=sd1, n1i=n1, m2i=m2, sd2i=sd2, n2i=n2))
# hedges_approx and none: metafor has no switch, so the published formulas (Hedges 1981 J ~ 1 - 3/(4m - 1);
# variance as metafor vtype "LS", Hedges 1982 eq. 8, with the estimate in place of g).
m <- n1 + n2 - 2
sp <- sqrt(((n1 - 1) * sd1^2 + (n2 - 1) * sd2^2) / m)
d <- (m1 - m2) / sp
g_approx <- (1 - 3 / (4 * m - 1)) * d
p("SMD approx yi (formula)", g_approx)
p("SMD approx vi (formula)", 1/n1 + 1/n2 + g_approx^2 / (2 * (n1 + n2)))
p("SMD none yi (formula)", d)
p("SMD none vi (formula)", 1/n1 + 1/n2 + d^2 / (2 * (n1 + n2)))
# n1 + n2 = 3: J undefined -> NA in metafor
show("SMD tiny", escalc("SMD", m1i=1, sd1i=1, n1i=1, m2i=0, sd2i=1, n2i=2))
show("ROM", escalc("ROM", m1i=m1, sd1i=sd1, n1i=n1, m2i=m2, sd2i=sd2, n2i=n2))

## 2x2 tables: zero cell, ordinary, ordinary, double zero (no events), double zero (all events)
ai <- c(0, 3, 10, 0, 12); n1i <- c(20, 20, 50, 15, 12)
ci <- c(2, 5, 12, 0, 10); n2i <- c(20, 20, 50, 15, 10)
for (ms in c("OR", "RR", "RD", "PETO")) {
  show(paste(ms, "only0"), escalc(ms, ai=ai, n1i=n1i, ci=ci, n2i=n2i))
  show(paste(ms, "all"), escalc(ms, ai=ai, n1i=n1i, ci=ci, n2i=n2i, to="all"))
  show(paste(ms, "none"), suppressWarnings(escalc(ms, ai=ai, n1i=n1i, ci=ci, n2i=n2i, to="none")))
  show(paste(ms, "only0 drop00"), escalc(ms, ai=ai, n1i=n1i, ci=ci, n2i=n2i, drop00=TRUE))
  show(paste(ms, "add 0.25"), escalc(ms, ai=ai, n1i=n1i, ci=ci, n2i=n2i, add=0.25))
}

## Correlations
ri <- c(0.3, -0.45, 0.9, 0.2); ni <- c(50, 20, 10, 3)
show("COR", escalc("COR", ri=ri, ni=ni))
show("ZCOR", suppressWarnings(escalc("ZCOR", ri=ri, ni=ni)))

## Proportions: zero events, ordinary, all events, ordinary
xi <- c(0, 3, 25, 7); nn <- c(10, 25, 25, 40)
for (ms in c("PR", "PLO", "PAS", "PFT")) {
  show(paste(ms, "only0"), escalc(ms, xi=xi, ni=nn))
  show(paste(ms, "all"), escalc(ms, xi=xi, ni=nn, to="all"))
  show(paste(ms, "none"), suppressWarnings(escalc(ms, xi=xi, ni=nn, to="none")))
}

## Incidence rates: ordinary, one zero, double zero
x1 <- c(5, 0, 0); t1 <- c(100.5, 50, 30); x2 <- c(9, 3, 0); t2 <- c(120, 60, 40)
for (ms in c("IRR", "IRD")) {
  show(paste(ms, "only0"), escalc(ms, x1i=x1, t1i=t1, x2i=x2, t2i=t2))
  show(paste(ms, "all"), escalc(ms, x1i=x1, t1i=t1, x2i=x2, t2i=t2, to="all"))
  show(paste(ms, "none"), suppressWarnings(escalc(ms, x1i=x1, t1i=t1, x2i=x2, t2i=t2, to="none")))
  show(paste(ms, "drop00"), escalc(ms, x1i=x1, t1i=t1, x2i=x2, t2i=t2, drop00=TRUE))
}

## Generic: vi from a CI, sei = (ub - lb) / (2 qnorm((1 + level)/2))
lb <- c(-0.2, 0.1); ub <- c(0.8, 0.5)
p("GEN ci95 vi", ((ub - lb) / (2 * qnorm(0.975)))^2)
p("GEN ci90 vi", ((ub - lb) / (2 * qnorm(0.95)))^2)
show("GEN sei", escalc("GEN", yi=c(0.3, 0.25), sei=c(0.2, 0.1)))

## Back-transforms
p("exp(-0.7145323484)", exp(-0.7145323484))
p("transf.ztor(0.5)", transf.ztor(0.5))
p("transf.ilogit(-1.2, 30)", transf.ilogit(c(-1.2, 30, -800)))
p("transf.iarcsin", transf.iarcsin(c(0.6, -0.1, 1.7)))
hm <- 1 / mean(1 / c(10, 25, 25, 40))
p("harmonic mean n", hm)
p("transf.ipft.hm", transf.ipft.hm(c(0.5, 0.1, 1.5, 0.05, 1.55), targs=list(ni=c(10, 25, 25, 40))))
p("transf.pft(0|1, hm)", c(transf.pft(0, hm), transf.pft(1, hm)))
p("transf.ipft.hm (interior)", transf.ipft.hm(c(0.12, 1.2, 1.45), targs=list(ni=c(10, 25, 25, 40))))
p("transf.ipft (n = 10)", transf.ipft(c(0.3, 0.9), ni=10))

## dat.bcg, Aronson 1948 (first row): tpos 4, tneg 119, cpos 11, cneg 128
show("bcg RR row 1", escalc("RR", ai=4, bi=119, ci=11, di=128))
