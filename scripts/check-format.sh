#!/usr/bin/env bash
# Checks that every C++ file in the repository is in the project's .clang-format style
# (Debian's clang-format 14). Prints the files that are not and exits 1; `--fix` reformats them.
set -euo pipefail
cd "$(dirname "$0")/.."
fix=0
[[ "${1:-}" == "--fix" ]] && fix=1
bad=()
while IFS= read -r -d '' f; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    bad+=("$f")
    [[ $fix -eq 1 ]] && clang-format -i "$f"
  fi
done < <(git ls-files -z '*.cpp' '*.hpp')
if [[ ${#bad[@]} -gt 0 && $fix -eq 0 ]]; then
  printf 'not in .clang-format style (run scripts/check-format.sh --fix):\n' >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check-format: all C++ files are in .clang-format style${fix:+}"
