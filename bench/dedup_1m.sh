#!/usr/bin/env bash
# Deduplication of 1,000,000 generated records on this machine (goal: <= 60 s on 2 cores).
# The records are generated in memory by metasift_dedup_throughput (bench/dedup_throughput.cpp:
# Zipf-distributed title words, copies perturbed the way database exports differ), so nothing is
# written to disk. Prints the machine's load before and after, since wall time depends on it, and
# the process's peak memory (GNU time) when /usr/bin/time is present.
#
# Builds nothing: needs $BUILD/bench/metasift_dedup_throughput.
# Environment: BUILD [build], N [1000000], THREADS [2], SEED [42], REPEAT [1].
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${BUILD:-build}
N=${N:-1000000}
THREADS=${THREADS:-2}
SEED=${SEED:-42}
REPEAT=${REPEAT:-1}
ded="$BUILD/bench/metasift_dedup_throughput"
[[ -x "$ded" ]] || { echo "dedup_1m.sh: $ded not found; build first (cmake --build $BUILD --target metasift_dedup_throughput)" >&2; exit 2; }

echo "== load before: $(uptime)"
echo "== dedup of $N generated records, $THREADS threads, seed $SEED (goal: <= 60 s wall on 2 cores)"
for ((i = 1; i <= REPEAT; i++)); do
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f "peak_rss_kb=%M wall_s=%e" "$ded" "$N" "$THREADS" "$SEED"
  else
    "$ded" "$N" "$THREADS" "$SEED"
  fi
done
echo "== load after: $(uptime)"
