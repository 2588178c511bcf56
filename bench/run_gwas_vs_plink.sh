#!/usr/bin/env bash
# metasift gwas against PLINK 1.9 --meta-analysis on the same synthetic cohorts, in one run:
# wall time, CPU time and peak memory (/usr/bin/time -v) of each, and the ratios.
#
# Builds nothing: needs $BUILD/metasift and $BUILD/bench/metasift_gen_data (BUILD defaults to
# `build`). Data are generated into $DATA (default /tmp/metasift-bench-gwas; about 190 MB for
# 3 x 1.05M variants) unless already there; nothing is written inside the repository.
#
# Environment (defaults in brackets):
#   BUILD     build directory [build]
#   DATA      scratch folder for the cohorts and outputs [/tmp/metasift-bench-gwas]
#   COHORTS   number of cohorts [3]
#   VARIANTS  variants in the universe; each cohort keeps ~95.2% [1050000]
#   SEED      generator seed [20261128]
#   THREADS   metasift --threads for the second metasift run [2]
#   REPEAT    rounds of the three runs (metasift 1 thread, THREADS threads, PLINK) [3]
#
# Both tools compute the fixed effect, DerSimonian-Laird random effects, Cochran's Q with its
# p-value, and I^2 (PLINK: `+ qt report-all`; metasift: `--random DL`), from the same files.
# Then every variant of the two outputs is compared (bench/compare_gwas_plink.awk: the largest
# absolute difference per column, and whether it is within PLINK's printed precision); the script
# exits 1 if they disagree.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${BUILD:-build}
DATA=${DATA:-/tmp/metasift-bench-gwas}
COHORTS=${COHORTS:-3}
VARIANTS=${VARIANTS:-1050000}
SEED=${SEED:-20261128}
THREADS=${THREADS:-2}
REPEAT=${REPEAT:-3}

ms="$BUILD/metasift"
gen="$BUILD/bench/metasift_gen_data"
for exe in "$ms" "$gen"; do
  [[ -x "$exe" ]] || { echo "run_gwas_vs_plink.sh: $exe not found; build first (cmake --build $BUILD)" >&2; exit 2; }
done
[[ -x /usr/bin/time ]] || { echo "run_gwas_vs_plink.sh: /usr/bin/time not found (apt-get install time)" >&2; exit 2; }

tag="${COHORTS}x${VARIANTS}-s${SEED}"
dir="$DATA/$tag"
mkdir -p "$dir"
files=()
for ((c = 1; c <= COHORTS; c++)); do files+=("$dir/cohort$c.tsv"); done
if [[ ! -s "${files[-1]}" ]]; then
  echo "generating $COHORTS cohorts x $VARIANTS variants into $dir ..."
  "$gen" gwas "$dir" "$COHORTS" "$VARIANTS" "$SEED"
fi
rows=$(cat "${files[@]}" | wc -l)
rows=$((rows - COHORTS))
mb=$(du -cm "${files[@]}" | tail -1 | cut -f1)
cat "${files[@]}" > /dev/null  # warm the page cache for both tools

measure() {  # measure LABEL CMD... -> prints "LABEL wall cpu rss_mb"
  local label=$1
  shift
  local log="$dir/time-$label.txt"
  /usr/bin/time -v "$@" > "$dir/stdout-$label.txt" 2> "$log"
  local wall cpu rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$log")
  cpu=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {print u + s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$log")
  echo "$label $wall $cpu $rss"
}

echo "GWAS meta-analysis: $COHORTS cohorts, $rows rows, $mb MB (FE + DL + Q + I^2); $REPEAT rounds"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
command -v plink1.9 > /dev/null 2>&1 || {
  echo "plink1.9 not installed (apt-get install plink1.9): ratio not measured" >&2
  exit 1
}
# Each round runs the three commands back to back, so each ratio compares runs made under the same
# load; the rounds show how much that load moves the numbers.
printf '%-6s %-22s %10s %10s %12s\n' round tool "wall (s)" "CPU (s)" "peak RSS MB"
ratios=()
for ((round = 1; round <= REPEAT; round++)); do
  res_ms1=$(measure metasift-t1 "$ms" gwas "${files[@]}" --out "$dir/metasift.tsv" --random DL --threads 1 -q)
  res_ms2=$(measure "metasift-t$THREADS" "$ms" gwas "${files[@]}" --out "$dir/metasift-t.tsv" --random DL --threads "$THREADS" -q)
  res_pl=$(measure plink1.9 plink1.9 --meta-analysis "${files[@]}" + qt report-all --out "$dir/plink")
  cmp -s "$dir/metasift.tsv" "$dir/metasift-t.tsv" || { echo "metasift outputs differ between thread counts" >&2; exit 1; }
  for r in "$res_ms1" "$res_ms2" "$res_pl"; do printf '%-6s %-22s %10.2f %10.2f %12s\n' "$round" $r; done
  read -r _ w1 c1 _ <<< "$res_ms1"
  read -r _ w2 c2 _ <<< "$res_ms2"
  read -r _ wp cp _ <<< "$res_pl"
  ratio=$(awk -v w1="$w1" -v w2="$w2" -v wp="$wp" -v c1="$c1" -v cp="$cp" -v t="$THREADS" 'BEGIN {
    printf "%.2f %.2f %.2f", cp / c1, wp / w1, wp / w2 }')
  ratios+=("$ratio")
  read -r rc rw1 rw2 <<< "$ratio"
  echo "       ratio plink1.9 / metasift: CPU time ${rc}x; wall ${rw1}x (1 thread), ${rw2}x ($THREADS threads)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%s\n' "${ratios[@]}" | awk -v t="$THREADS" '
  { c[NR] = $1; w[NR] = $2; v[NR] = $3 }
  function med(a, n,  i, j, x) { for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
                                 return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  END { n = NR; mc = med(c, n); bc = c[n]; mw = med(w, n); bw = w[n]; mv = med(v, n); bv = v[n]
        printf "ratio plink1.9 / metasift over %d rounds, median (best): CPU time %.1fx (%.1fx); wall %.1fx (%.1fx) with 1 thread, %.1fx (%.1fx) with %d threads\n", n, mc, bc, mw, bw, mv, bv, t }'

variants_ms=$(($(wc -l < "$dir/metasift.tsv") - 1))
variants_pl=$(($(wc -l < "$dir/plink.meta") - 1))
echo "variants: metasift $variants_ms, plink $variants_pl"
awk -f bench/compare_gwas_plink.awk "$dir/metasift.tsv" "$dir/plink.meta"
