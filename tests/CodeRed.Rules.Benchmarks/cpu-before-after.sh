#!/usr/bin/env bash
# The before/after CPU comparison of docs/performance.md: least CPU time (user + system) of three runs, least elapsed
# time and peak RSS, per corpus and build. Corpora and builds as run-whole-process.sh makes them:
#   tests/CodeRed.Rules.Benchmarks/cpu-before-after.sh PATTERNS LOG... -- CODERED...
set -uo pipefail
out=$(mktemp); trap 'rm -f "$out"' EXIT
# Output to a file, not /dev/null: GNU grep notices /dev/null and stops at the first match.
cpu() {
  for _ in 1 2 3; do { /usr/bin/time -f '%M %U %S %e' "$@" 2>&1 >"$out" || true; } | tail -n 1; done |
    awk '{ c = $2 + $3; if (NR == 1 || c < bc) bc = c; if (NR == 1 || $4 < be) be = $4; if ($1 > m) m = $1 } END { printf "cpu %.2f s, elapsed %.2f s, %d MB", bc, be, m / 1024 }'
}
pat=$1; shift
logs=(); while [ $# -gt 0 ] && [ "$1" != -- ]; do logs+=("$1"); shift; done; shift
for log in "${logs[@]}"; do
  cat "$log" >/dev/null
  echo "$log rg: $(cpu rg -c -f "$pat" "$log")"
  for t in "$@"; do echo "$log $t: $(cpu "$t" analyze --format json "$log")"; done
done
