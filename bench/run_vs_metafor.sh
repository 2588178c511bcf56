#!/usr/bin/env bash
# Throughput of REML fits at k = 10: metafor's rma() against metasift's re_kernel and full fit().
# Builds nothing: expects $BUILD/bench/metasift_fit_throughput (BUILD defaults to `build`, relative
# to the repository root). `make bench` builds and then runs this script.
#
# Environment (defaults in brackets):
#   BUILD     build directory [build]
#   K         studies per dataset [10]
#   SEED      seed for both generators [20240611]
#   N_R       metafor fits [2000]
#   N_KERNEL  metasift re_kernel fits [2000000]
#   N_FULL    metasift fit() fits, with the Q-profile CI [200000]
#
# Data: v ~ log-uniform over [0.001, 0.1], y ~ N(0.5, 0.3^2 + v). R draws its own datasets (same k
# and distribution, not bit-identical to std::mt19937's). Only the fits are timed, not the data
# generation. Exits 1 with "metafor not available: ratio not measured" when Rscript or metafor
# is missing (after printing the metasift numbers).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${BUILD:-build}
K=${K:-10}
SEED=${SEED:-20240611}
N_R=${N_R:-2000}
N_KERNEL=${N_KERNEL:-2000000}
N_FULL=${N_FULL:-200000}

exe="$BUILD/bench/metasift_fit_throughput"
if [[ ! -x "$exe" ]]; then
  echo "run_vs_metafor.sh: $exe not found; build it first, e.g." >&2
  echo "  cmake --build $BUILD --target metasift_fit_throughput   (or: make bench)" >&2
  exit 2
fi

field() {  # field NAME LINE -> value of NAME=value in LINE
  local kv
  for kv in $2; do [[ $kv == "$1="* ]] && { echo "${kv#*=}"; return; }; done
  echo "run_vs_metafor.sh: no $1= in: $2" >&2
  exit 2
}

# --- metafor -----------------------------------------------------------------------------------
metafor_ok=0
metafor_fps=""
if command -v Rscript >/dev/null 2>&1 &&
   Rscript -e 'quit(status = !requireNamespace("metafor", quietly = TRUE))' >/dev/null 2>&1; then
  metafor_ok=1
  r_line=$(Rscript --vanilla - "$N_R" "$K" "$SEED" <<'REOF'
suppressPackageStartupMessages(library(metafor))
a <- as.numeric(commandArgs(trailingOnly = TRUE))
n <- a[1]; k <- a[2]; set.seed(a[3])
v <- matrix(exp(runif(n * k, log(0.001), log(0.1))), nrow = k)
y <- matrix(rnorm(n * k, mean = 0.5, sd = sqrt(0.09 + v)), nrow = k)
invisible(rma(yi = y[, 1], vi = v[, 1], method = "REML"))  # warm-up, untimed
s <- 0; failed <- 0
tm <- system.time(for (i in seq_len(n)) {
  f <- tryCatch(rma(yi = y[, i], vi = v[, i], method = "REML"), error = function(e) NULL)
  if (is.null(f)) failed <- failed + 1 else s <- s + f$b[1]
})[["elapsed"]]
cat(sprintf("fits=%d k=%d seconds=%.6f fits_per_second=%.1f checksum=%.6f failed=%d metafor=%s\n",
            n, k, tm, n / tm, s, failed, as.character(packageVersion("metafor"))))
REOF
)
  metafor_fps=$(field fits_per_second "$r_line")
fi

# --- metasift ----------------------------------------------------------------------------------
kernel_line=$("$exe" "$N_KERNEL" "$K" "$SEED" kernel)
full_line=$("$exe" "$N_FULL" "$K" "$SEED" full)
kernel_fps=$(field fits_per_second "$kernel_line")
full_fps=$(field fits_per_second "$full_line")

echo "REML fits per second at k=$K (data: v ~ logU[0.001, 0.1], y ~ N(0.5, 0.09 + v))"
if (( metafor_ok )); then
  printf 'metafor rma(method="REML"):         %12.1f fits/s   (%s)\n' "$metafor_fps" "$r_line"
fi
printf 'metasift re_kernel (no CI):         %12.1f fits/s   (%s)\n' "$kernel_fps" "$kernel_line"
printf 'metasift fit() (with Q-profile CI): %12.1f fits/s   (%s)\n' "$full_fps" "$full_line"

if (( ! metafor_ok )); then
  echo "metafor not available: ratio not measured" >&2
  exit 1
fi
awk -v m="$metafor_fps" -v kf="$kernel_fps" -v ff="$full_fps" 'BEGIN {
  printf "ratio metasift re_kernel / metafor rma: %.1fx\n", kf / m
  printf "ratio metasift fit()     / metafor rma: %.1fx\n", ff / m
}'
