#!/usr/bin/env bash
# Scaling of `metasift batch` with the number of input rows: 1M, 3M and 10M rows (k = 10 studies per
# group, REML), generated into $DATA (never into the repository). For each size it prints wall and
# CPU time, rows per second, peak memory, and the fit stage's REML fits per CPU-second (--timing);
# time per row should stay flat if the batch is linear in rows.
#
# Needs $BUILD/metasift and $BUILD/bench/metasift_gen_data (BUILD defaults to `build`).
# Environment: BUILD [build], DATA [/tmp/metasift-bench-batch], SIZES ["1000000 3000000 10000000"],
#              K [10], SEED [20261128], THREADS [1], REPEAT [3] runs per size. About 36 MB of input
#              per million rows.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${BUILD:-build}
DATA=${DATA:-/tmp/metasift-bench-batch}
SIZES=${SIZES:-"1000000 3000000 10000000"}
K=${K:-10}
SEED=${SEED:-20261128}
THREADS=${THREADS:-1}
REPEAT=${REPEAT:-3}
ms="$BUILD/metasift"
gen="$BUILD/bench/metasift_gen_data"
for exe in "$ms" "$gen"; do
  [[ -x "$exe" ]] || { echo "run_batch_scaling.sh: $exe not found; build first" >&2; exit 2; }
done
mkdir -p "$DATA"

echo "metasift batch --method REML, k = $K, --threads $THREADS; $REPEAT rounds per size (the best CPU time is summarised)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
printf '%10s %8s %5s %9s %9s %12s %10s %9s %16s\n' rows groups round "wall s" "CPU s" "rows/s" "us/row CPU" "RSS MB" "fits/CPU-s (fit)"
summary=()
for rows in $SIZES; do
  groups=$((rows / K))
  f="$DATA/batch-$rows-k$K-s$SEED.csv"
  [[ -s "$f" ]] || "$gen" batch "$groups" "$K" "$SEED" > "$f"
  cat "$f" > /dev/null
  best=""
  for ((round = 1; round <= REPEAT; round++)); do
    log="$DATA/time-$rows.txt"
    /usr/bin/time -v "$ms" batch "$f" --group group --method REML --threads "$THREADS" --timing -q --out "$DATA/out-$rows.csv" 2> "$log"
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$log")
    cpu=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {print u + s}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$log")
    fits=$(sed -n 's/.*= \([0-9]*\) fits\/s per thread.*/\1/p' "$log")
    awk -v r="$rows" -v g="$groups" -v n="$round" -v w="$wall" -v c="$cpu" -v m="$rss" -v f="$fits" 'BEGIN {
      printf "%10d %8d %5d %9.2f %9.2f %12.0f %10.3f %9s %16s\n", r, g, n, w, c, r / w, 1e6 * c / r, m, f
    }'
    if [[ -z "$best" ]] || awk -v c="$cpu" -v b="${best%% *}" 'BEGIN { exit !(c < b) }'; then best="$cpu $wall $rss"; fi
  done
  summary+=("$rows $best")
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "best CPU time per size (linear in rows if us/row stays flat):"
printf '%s\n' "${summary[@]}" | awk '
  { r[NR] = $1; c[NR] = $2; printf "%10d rows: %7.2f s CPU, %.3f us/row, %.0f rows per CPU-second, peak RSS %s MB\n", $1, $2, 1e6 * $2 / $1, $1 / $2, $4 }
  END { if (NR > 1) printf "CPU time ratio largest / smallest size: %.2f for %.1fx the rows\n", c[NR] / c[1], r[NR] / r[1] }'
