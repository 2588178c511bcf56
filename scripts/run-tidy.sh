#!/usr/bin/env bash
# Runs clang-tidy (Debian 14, the project's .clang-tidy) on every library and CLI source, two at a
# time, against BUILD's compile_commands.json. Exits 1 and lists the findings when there are any.
#   scripts/run-tidy.sh [BUILD]    (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
[[ -f "$build/compile_commands.json" ]] || { echo "run-tidy: $build/compile_commands.json is missing; build first" >&2; exit 2; }
out=$(git ls-files -z 'src/*.cpp' 'cli/*.cpp' |
      xargs -0 -n 4 -P "${JOBS:-2}" clang-tidy -p "$build" --quiet 2>/dev/null |
      grep -E '^[^ ].*: (warning|error): ' || true)
if [[ -n "$out" ]]; then
  echo "$out" | sort -u >&2
  echo "run-tidy: $(echo "$out" | sort -u | wc -l) findings" >&2
  exit 1
fi
echo "run-tidy: no findings in $(git ls-files 'src/*.cpp' 'cli/*.cpp' | wc -l) files"
