#!/usr/bin/env bash
# Review-pipeline figures of issue 5, in one run: import throughput (>= 100 MB/s of RIS on one
# core), deduplication of 100,000 generated records (<= 10 s on 2 cores), and -- when the shared
# corpus ../shared/fixtures/bibliographic is present -- ASySD sensitivity/specificity and the
# three-database "restoration" search, printed by the corpus tests. The machine's load is printed
# before and after (`uptime`), since the wall times depend on it; cpu_seconds do much less.
#
# Builds nothing: needs $BUILD/bench/metasift_import_bench, $BUILD/bench/metasift_dedup_throughput
# and (for the corpus part) $BUILD/tests/review/review_tests. Generated data stay in memory.
# Environment: BUILD [build], MB [100], REPEAT [3], N [100000], THREADS [2], SEED [42].
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${BUILD:-build}
MB=${MB:-100}
REPEAT=${REPEAT:-3}
N=${N:-100000}
THREADS=${THREADS:-2}
SEED=${SEED:-42}
imp="$BUILD/bench/metasift_import_bench"
ded="$BUILD/bench/metasift_dedup_throughput"
tests="$BUILD/tests/review/review_tests"
for exe in "$imp" "$ded"; do
  [[ -x "$exe" ]] || { echo "run_review_bench.sh: $exe not found; build first" >&2; exit 2; }
done

echo "== load before: $(uptime)"
echo "== import throughput: $MB MB per run, $REPEAT runs per format (target: RIS >= 100 MB/s on one core)"
for fmt in ris medline bibtex csv; do
  for ((i = 1; i <= REPEAT; i++)); do
    "$imp" "$MB" "$fmt"
  done
done
echo "== deduplication: $N generated records, $THREADS threads (target: <= 10 s on 2 cores)"
for ((i = 1; i <= REPEAT; i++)); do
  "$ded" "$N" "$THREADS" "$SEED"
done
if [[ -x "$tests" ]]; then
  echo "== shared corpus (skipped with a message when ../shared is absent)"
  "$tests" --gtest_filter='DedupCorpus.*:CorpusImport.*' 2>&1 | grep -E '^\[ (ASySD|restore|corpus) |SKIPPED|skipped|FAILED|PASSED' || true
fi
echo "== load after: $(uptime)"
