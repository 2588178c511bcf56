#!/usr/bin/env bash
# REML fits per second at k = 10 in `metasift simulate` and `metasift batch`, against metafor's
# rma() on data of the same distribution, measured side by side (the pattern of run_vs_metafor.sh).
#
# Data everywhere: v ~ log-uniform over [0.001, 0.1], y ~ N(0.5, 0.09 + v) (bench_data.hpp).
#   metafor   N_R fits of rma(yi, vi, method = "REML") in an R loop (system.time; data drawn first)
#   simulate  metasift simulate --reps N_SIM --methods REML --v-dist loguniform ...: replicates
#             generated AND fitted; fits per CPU-second (one thread) and per wall second
#   batch     metasift batch on N_BATCH groups written by metasift_gen_data; the fit stage's REML fits
#             per CPU-second (--timing), and groups per second end to end (parse + fit + format)
# CPU-second figures are what one core does and stay meaningful on a busy machine; wall figures
# are printed too.
#
# Needs $BUILD/metasift and $BUILD/bench/metasift_gen_data. Environment: BUILD [build],
# DATA [/tmp/metasift-bench-fits], N_R [2000], N_SIM [2000000], N_BATCH [300000], SEED [20240611],
# REPEAT [3] rounds of the three runs (each round's ratio compares runs made under the same load).
# Exits 1 with "metafor not available: ratio not measured" when Rscript or metafor is missing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${BUILD:-build}
DATA=${DATA:-/tmp/metasift-bench-fits}
N_R=${N_R:-2000}
N_SIM=${N_SIM:-2000000}
N_BATCH=${N_BATCH:-300000}
SEED=${SEED:-20240611}
REPEAT=${REPEAT:-3}
ms="$BUILD/metasift"
gen="$BUILD/bench/metasift_gen_data"
for exe in "$ms" "$gen"; do
  [[ -x "$exe" ]] || { echo "run_fits_vs_metafor.sh: $exe not found; build first" >&2; exit 2; }
done
mkdir -p "$DATA"

metafor_ok=0
if command -v Rscript > /dev/null 2>&1 &&
   Rscript -e 'quit(status = !requireNamespace("metafor", quietly = TRUE))' > /dev/null 2>&1; then
  metafor_ok=1
fi
run_metafor() {  # prints metafor's summary line
  Rscript --vanilla - "$N_R" 10 "$SEED" <<'REOF'
suppressPackageStartupMessages(library(metafor))
a <- as.numeric(commandArgs(trailingOnly = TRUE))
n <- a[1]; k <- a[2]; set.seed(a[3])
v <- matrix(exp(runif(n * k, log(0.001), log(0.1))), nrow = k)
y <- matrix(rnorm(n * k, mean = 0.5, sd = sqrt(0.09 + v)), nrow = k)
invisible(rma(yi = y[, 1], vi = v[, 1], method = "REML"))
failed <- 0
tm <- system.time(for (i in seq_len(n)) {
  f <- tryCatch(rma(yi = y[, i], vi = v[, i], method = "REML"), error = function(e) NULL)
  if (is.null(f)) failed <- failed + 1
})
cat(sprintf("fits=%d elapsed=%.3f cpu=%.3f fits_per_second=%.1f fits_per_cpu_second=%.1f failed=%d\n",
            n, tm[["elapsed"]], tm[["user.self"]] + tm[["sys.self"]], n / tm[["elapsed"]],
            n / (tm[["user.self"]] + tm[["sys.self"]]), failed))
REOF
}

f="$DATA/batch-$N_BATCH-k10.csv"
[[ -s "$f" ]] || "$gen" batch "$N_BATCH" 10 "$SEED" > "$f"
cat "$f" > /dev/null

echo "REML fits at k=10 (v ~ logU[0.001, 0.1], y ~ N(0.5, 0.09 + v)); one thread; $REPEAT rounds"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
ratios=()
for ((round = 1; round <= REPEAT; round++)); do
  metafor_fps=""
  if (( metafor_ok )); then
    r_line=$(run_metafor)
    metafor_fps=$(sed -n 's/.*fits_per_cpu_second=\([0-9.]*\).*/\1/p' <<< "$r_line")
  fi
  sim=$("$ms" simulate --k 10 --tau2 0.09 --mu 0.5 --reps "$N_SIM" --methods REML --v-dist loguniform --v-min 0.001 \
    --v-max 0.1 --seed "$SEED" --threads 1 2>&1 > /dev/null)
  sim_cpu=$(sed -n 's/.* \([0-9]*\) fits per CPU-second.*/\1/p' <<< "$sim")
  sim_wall=$(sed -n 's/.*CPU: \([0-9]*\) fits\/s on.*/\1/p' <<< "$sim")
  bat=$("$ms" batch "$f" --group group --method REML --threads 1 --timing -q --out "$DATA/batch-out.csv" 2>&1)
  bat_fit=$(sed -n 's/.*= \([0-9]*\) fits\/s per thread.*/\1/p' <<< "$bat")
  bat_groups=$(sed -n 's/.* \([0-9]*\) groups\/s;.*/\1/p' <<< "$bat")
  echo "round $round"
  (( metafor_ok )) && printf '  metafor rma(method="REML"):         %12.0f fits per CPU-second   (%s)\n' "$metafor_fps" "$r_line"
  printf '  metasift simulate (generate + fit): %12s fits per CPU-second   (%s fits/s wall)\n' "$sim_cpu" "$sim_wall"
  printf '  metasift batch, fit stage:          %12s fits per CPU-second\n' "$bat_fit"
  printf '  metasift batch, end to end:         %12s groups/s wall (parse %d rows/group + fit + format)\n' "$bat_groups" 10
  if (( metafor_ok )); then
    ratio=$(awk -v m="$metafor_fps" -v s="$sim_cpu" -v b="$bat_fit" 'BEGIN { printf "%.0f %.0f", s / m, b / m }')
    ratios+=("$ratio $sim_cpu $bat_fit")
    read -r rs rb <<< "$ratio"
    echo "  ratio simulate / metafor: ${rs}x;  batch fit stage / metafor: ${rb}x"
  fi
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if (( ! metafor_ok )); then
  echo "metafor not available: ratio not measured" >&2
  exit 1
fi
printf '%s\n' "${ratios[@]}" | awk '
  { rs[NR] = $1; rb[NR] = $2; s[NR] = $3; b[NR] = $4 }
  function med(a, n,  i, j, x) { for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
                                 return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  END { n = NR
        printf "over %d rounds, median (best): simulate %.0f (%.0f) fits per CPU-second, %.0fx (%.0fx) metafor;", n, med(s, n), s[n], med(rs, n), rs[n]
        printf " batch fit stage %.0f (%.0f) fits per CPU-second, %.0fx (%.0fx) metafor\n", med(b, n), b[n], med(rb, n), rb[n] }'
