# Compares every variant of `metasift gwas --random DL` output with PLINK 1.9's
# `--meta-analysis ... + qt report-all` .meta file and prints, per compared column, the largest
# absolute difference and the largest difference in units of "printed precision" (1.0 = the
# difference one expects from rounding alone), and how many rows exceed it.
#
#   awk -f bench/compare_gwas_plink.awk metasift.tsv plink.meta
#
# Columns, metasift: SNP CHR BP A1 A2 BETA SE P Q Q_P I2 DF DIRECTION BETA_R SE_R P_R TAU2
#          PLINK:    CHR BP SNP A1 A2 N P P(R) BETA BETA(R) Q I   (its Q is the p-value of Q)
# PLINK prints P and P(R) with 4 significant digits, BETA, BETA(R) and Q with 4 decimals and I with
# 2 decimals; metasift prints 6 significant digits. Agreement "to PLINK's printed precision" means
# |metasift - PLINK| <= half a unit of PLINK's last digit + half a unit of metasift's last digit,
# which is the allowance used below (ratio <= 1). BETA is compared for PLINK's A1 (sign flipped
# when the tools chose opposite reference alleles). P-values below 1e-300, which PLINK prints as
# 0 or a denormal and metasift on the log scale, count as equal when both are below 1e-300.
#
# The files are read in lockstep (both are in genomic order); variants met out of step are held
# until the other file reaches them, so ties in position may come in either order.
# Exit status 0 when every variant is in both files and every difference is within the allowance.

function floor_(x,  f) { f = int(x); if (f > x) f--; return f }
function absv(x) { return x < 0 ? -x : x }
# Half a unit of the last of `sig` significant digits of x (0 for x = 0).
function half_sig(x, sig) { x = absv(x); if (x == 0) return 0; return 0.5 * 10 ^ (floor_(log(x) / log(10)) - sig + 1) }

function check(col, ours, theirs, allow,  d, r) {
  d = absv(ours - theirs)
  r = allow > 0 ? d / allow : (d > 0 ? 1e300 : 0)
  if (d > maxabs[col]) maxabs[col] = d
  if (r > maxratio[col]) { maxratio[col] = r; worst[col] = key " metasift " ours " plink " theirs }
  if (r > 1) bad[col]++
  seen[col]++
}

function pcheck(col, ours, theirs) {
  if (ours + 0 < 1e-300 && theirs + 0 < 1e-300) { seen[col]++; return }
  check(col, ours + 0, theirs + 0, half_sig(theirs, 4) + half_sig(ours, 6))
}

function compare(m, p,  a, b, sign, n) {
  split(m, a, "\t")
  n = split(p, b, " ")
  key = a[1]
  if (b[4] == a[4] && b[5] == a[5]) sign = 1
  else if (b[4] == a[5] && b[5] == a[4]) sign = -1
  else { allele_mismatch++; return }
  if (b[6] + 0 != a[12] + 1) studies_mismatch++
  pcheck("P", a[8], b[7])
  pcheck("P(R)", a[16], b[8])
  check("BETA", sign * a[6], b[9], 0.5e-4 + half_sig(a[6], 6))
  check("BETA(R)", sign * a[14], b[10], 0.5e-4 + half_sig(a[14], 6))
  if (b[11] != "NA") {
    check("Q_P", a[10], b[11], 0.5e-4 + half_sig(a[10], 6))
    check("I2", a[11], b[12], 0.5e-2 + half_sig(a[11], 6))
  } else if (a[12] + 0 != 0) {
    na_mismatch++
  }
  compared++
}

BEGIN {
  if (ARGC != 3) { print "usage: awk -f compare_gwas_plink.awk metasift.tsv plink.meta" > "/dev/stderr"; exit 2 }
  ms = ARGV[1]; pl = ARGV[2]
  getline hdr < ms
  getline hdr < pl
  split("P P(R) BETA BETA(R) Q_P I2", cols, " ")
  more_m = more_p = 1
  while (more_m || more_p) {
    if (more_m) more_m = (getline lm < ms) > 0
    if (more_p) more_p = (getline lp < pl) > 0
    if (more_m) {
      split(lm, t, "\t"); km = t[1]
      if (km in wait_p) { compare(lm, wait_p[km]); delete wait_p[km]; held-- }
      else { wait_m[km] = lm; held++ }
    }
    if (more_p) {
      split(lp, u, " "); kp = u[3]
      if (kp in wait_m) { compare(wait_m[kp], lp); delete wait_m[kp]; held-- }
      else { wait_p[kp] = lp; held++ }
    }
  }
  only_m = 0; for (k in wait_m) only_m++
  only_p = 0; for (k in wait_p) only_p++
  printf "compared %d variants; only in metasift %d, only in plink %d; allele mismatches %d, study-count mismatches %d, NA mismatches %d\n",
         compared, only_m, only_p, allele_mismatch + 0, studies_mismatch + 0, na_mismatch + 0
  printf "%-8s %9s %14s %22s %8s\n", "column", "rows", "max abs diff", "max diff / allowance", "over"
  fail = only_m + only_p + allele_mismatch + studies_mismatch + na_mismatch > 0
  for (i = 1; i <= 6; i++) {
    c = cols[i]
    printf "%-8s %9d %14.3g %22.3f %8d\n", c, seen[c], maxabs[c], maxratio[c], bad[c]
    if (bad[c] > 0) { fail = 1; print "  worst: " worst[c] }
  }
  print fail ? "RESULT: metasift and PLINK 1.9 DISAGREE beyond PLINK's printed precision" \
             : "RESULT: every variant agrees with PLINK 1.9 to its printed precision"
  exit fail
}
