#!/usr/bin/env bash
# Many rules (issue 15): a pack of N simple literal rules ('E17 ' style) on a 10,000-line log, and N random 8-letter
# literals on a one-line log; prints the whole-process time (load plus analysis) of the given codered executable.
# With BIG_LOG=FILE (a corpus of run-whole-process.sh), also FILE analysed with the default pack against the default
# pack's rules plus the largest N literal rules (interleaved runs, medians): the target is at most 2x.
#   tests/CodeRed.Rules.Benchmarks/many-rules.sh CODERED [N...]     (default N: 250 1000 10000)
#   BIG_LOG=/tmp/bench/generator-1024m-2001.log tests/CodeRed.Rules.Benchmarks/many-rules.sh CODERED 10000
set -euo pipefail
cd "$(dirname "$0")/../.."
codered=${1:?usage: many-rules.sh CODERED [N...]}
shift
counts=("${@:-250 1000 10000}")
work=${BENCH_DIR:-artifacts/bench}/many
mkdir -p "$work"
# The log: 10,000 lines of the synthetic AR generator's kind, every tenth holding an 'E<number> ' token.
log="$work/10k-lines.log"
if [ ! -f "$log" ]; then
  for ((i = 0; i < 10000; i++)); do
    if ((i % 10 == 0)); then
      printf '01 10:%02d:%02d   3 APP   ERROR E%d failed on asyn%d\n' $((i / 60 % 60)) $((i % 60)) $((i * 7 % 20000)) $((i % 8))
    else
      printf '01 10:%02d:%02d   1 IP    INFO  Interface eth%d up, speed 100M full duplex\n' $((i / 60 % 60)) $((i % 60)) $((i % 8))
    fi
  done >"$log"
fi
echo 'qwertyui zxcvbnma one line of text without any of the random literals' >"$work/one-line.log"
# Elapsed and CPU (user + system) seconds of one run, the best of three: CPU time is what a loaded machine distorts least.
timed() {
  for _ in 1 2 3; do { /usr/bin/time -f '%e %U %S' "$@" 2>&1 >/dev/null || true; } | tail -n 1; done |
    awk '{ e = $1; c = $2 + $3; if (NR == 1 || e < be) be = e; if (NR == 1 || c < bc) bc = c } END { printf "%.2f s elapsed, %.2f s CPU", be, bc }'
}
pack() { # N KIND DIR
  local dir=$3
  rm -rf "$dir" && mkdir -p "$dir"
  cp rules/pack.yaml rules/models.yaml "$dir/"
  awk -v n="$1" -v kind="$2" -v dir="$dir" 'BEGIN {
    srand(15)
    for (i = 1; i <= n; i++) {
      if (kind == "random") { lit = ""; for (j = 0; j < 8; j++) lit = lit sprintf("%c", 97 + int(rand() * 26)) }
      else lit = "E" i " "
      file = sprintf("%s/generated-%03d.yaml", dir, int((i - 1) / 1000))
      printf "---\nkind: rule\nid: GEN%05d\ntitle: Generated rule %d\nmessage: \"Generated signature %d seen {count} time(s)\"\ncategory: Generated\nseverity: warning\nmatch:\n  - literal: \x27%s\x27\n", i, i, i, lit >> file
    }
  }'
}
for n in ${counts[@]}; do
  pack "$n" e "$work/pack-e-$n"
  t=$(timed "$codered" analyze --rules "$work/pack-e-$n" "$log")
  "$codered" analyze --rules "$work/pack-e-$n" "$log" >"$work/out-e-$n.txt" || true
  printf "%6d 'E<n> ' literal rules, 10,000-line log: %s, %s findings\n" "$n" "$t" "$(grep -c ' GEN[0-9]* line ' "$work/out-e-$n.txt" || true)"
done
pack 1000 random "$work/pack-random-1000"
printf "  1000 random 8-letter literals, one-line log: %s\n" "$(timed "$codered" analyze --rules "$work/pack-random-1000" "$work/one-line.log")"
if [ -n "${BIG_LOG:-}" ]; then
  n=$(printf '%s\n' ${counts[@]} | sort -n | tail -n 1)
  big="$work/pack-default-plus-$n"
  rm -rf "$big" && mkdir -p "$big"
  cp -r rules/. "$big/" && rm -rf "$big/webserver" # the default pack's own files, the second pack left out
  pack "$n" e "$work/pack-extra" && cp "$work/pack-extra"/generated-*.yaml "$big/"
  cat "$BIG_LOG" >/dev/null # into the page cache
  python3 tests/CodeRed.Rules.Benchmarks/interleaved.py "${RUNS:-5}" default "$codered analyze --format json $BIG_LOG" \
    "plus-$n" "$codered analyze --rules $big --format json $BIG_LOG" | tee "$work/big.txt"
  awk '{ for (i = 1; i <= NF; i++) if ($i == "med") { m[NR] = $(i + 1); break } } END { printf "  %s literal rules beside the default pack: %.2fx the default pack'"'"'s time (median elapsed)\n", "'"$n"'", m[2] / m[1] }' "$work/big.txt"
fi
