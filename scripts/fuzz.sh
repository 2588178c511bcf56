#!/usr/bin/env bash
# Short fuzz runs of every libFuzzer target (docs/hardening.md).
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     default 60; CI uses METASIFT_FUZZ_SECONDS
#   METASIFT_FUZZ_SEED=N                     a fixed libFuzzer seed (CI sets one, so that a red run
#                                            replays exactly; unset, every run explores afresh)
# Builds the `fuzz` preset (clang, ASan+UBSan, libFuzzer), then runs each target on a working
# copy of its seed corpus. A crash stops the script with the target's output and leaves the
# reproducer in build-fuzz/crashes/<target>/; fix it and add the input to
# tests/fuzz/regressions/<target>/ so that ctest replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-${METASIFT_FUZZ_SECONDS:-60}}"
seed_flag=()
if [ -n "${METASIFT_FUZZ_SEED:-}" ]; then seed_flag=(-seed="$METASIFT_FUZZ_SEED"); fi
build=build-fuzz

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

targets=$(cd "$build/tests/fuzz" && ls -1 *.seeds | sed 's/\.seeds$//')
failed=0
for t in $targets; do
  corpus="$build/corpus/$t"
  crashes="$build/crashes/$t"
  mkdir -p "$corpus" "$crashes"
  # Seed the working corpus from the committed seeds (files or folders, one per line).
  while IFS= read -r seed; do
    [ -z "$seed" ] && continue
    if [ -d "$seed" ]; then find "$seed" -type f -exec cp -f {} "$corpus/" \; ; elif [ -f "$seed" ]; then cp -f "$seed" "$corpus/"; fi
  done < "$build/tests/fuzz/$t.seeds"
  log="$build/crashes/$t.log"
  if "$build/tests/fuzz/$t" "$corpus" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
       -timeout=10 "${seed_flag[@]}" -artifact_prefix="$crashes/" -print_final_stats=1 >"$log" 2>&1; then
    execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    printf 'fuzz %-24s ok   %6ss  %9s runs  coverage %s\n' "$t" "$seconds" "${execs:-?}" "${cov:-?}"
  else
    printf 'fuzz %-24s FAILED: see %s\n' "$t" "$log"
    grep -m5 -E 'ERROR|SUMMARY|terminate|Test unit written' "$log" || true
    failed=1
  fi
done
exit $failed
