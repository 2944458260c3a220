#!/usr/bin/env bash
# Whole-process benchmark on three corpora, in one run (this machine is shared and noisy, so ratios measured in the
# same run mean more than seconds):
#   generator    the deterministic, seeded synthetic AR log (about 0.5% signature lines in AR noise);
#   real         real public log lines (corpus/loghub-sample.log: 400 lines from each of 14 loghub samples, see
#                corpus/README.md) replicated to the size, with AR signatures injected at seeded places;
#   adversarial  30% of the lines hold a word of the pack's literals (connection, session, Exception, ERROR, HTTP,
#                startup, Manager, ...) but match no rule, with the same injected signatures.
# For each: `codered analyze` (Native AOT and JIT) against `rg -c` and `grep -c -E` given the pack's seven
# literal-bearing patterns (corpus `patterns`), peak RSS, and codered's counts against the truth (ripgrep's counts for
# the generator, the injected counts for the others; exit 1 on a mismatch). Times are the minimum of RUNS (3) runs.
#
#   tests/CodeRed.Rules.Benchmarks/run-whole-process.sh [SIZE_MIB] [SEED]
#   CORPORA="real adversarial" RUNS=5 CODERED_AOT=... CODERED_JIT=... BASELINE_AOT=... BASELINE_JIT=...  (all optional)
#
# BASELINE_AOT / BASELINE_JIT: an older build measured in the same run (before/after ratios from one run).
# Needs ripgrep, hyperfine and GNU time (installed from Debian packages when missing and run as root).
set -euo pipefail
cd "$(dirname "$0")/../.."
size_mib=${1:-1024}
seed=${2:-2001}
work=${BENCH_DIR:-artifacts/bench}
runs=${RUNS:-3}
corpora=${CORPORA:-generator real adversarial}
mkdir -p "$work"

if ! command -v rg >/dev/null || ! command -v hyperfine >/dev/null || ! command -v bc >/dev/null || [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq ripgrep hyperfine time bc >/dev/null
  else
    echo "bench: install ripgrep, hyperfine, time and bc first" >&2
    exit 2
  fi
fi

echo "== build"
dotnet build -c Release tests/CodeRed.Rules.Benchmarks -v q -nologo >/dev/null
# CODERED_JIT / CODERED_AOT: builds made beforehand (then nothing of codered is built here).
[ -n "${CODERED_JIT:-}" ] || dotnet build -c Release src/CodeRed.Cli -v q -nologo >/dev/null
jit=${CODERED_JIT:-src/CodeRed.Cli/bin/Release/net10.0/codered}
aot=${CODERED_AOT:-}
# Native AOT for x86-64-v3 (AVX2): measured beside the JIT tool; skipped when it cannot be built here.
if [ -z "$aot" ] && [ -z "${SKIP_AOT:-}" ] && dotnet publish src/CodeRed.Cli -c Release -r linux-x64 -p:PublishAot=true -p:PackAsTool=false \
     -p:IlcInstructionSet=x86-64-v3 -o "$work/aot" -v q -nologo >/dev/null 2>&1; then
  aot="$work/aot/codered"
fi
gen="dotnet tests/CodeRed.Rules.Benchmarks/bin/Release/net10.0/CodeRed.Rules.Benchmarks.dll"
$gen patterns "$work/patterns.txt"
mapfile -t patterns <"$work/patterns.txt"

echo "== machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

ok=true
ratio() { echo "scale=2; $1 / $2" | bc -l; }
# Peak RSS (KB) and the least CPU time (user + system, s) of three runs: on a loaded machine CPU time is what moves least.
# Output goes to a file, not /dev/null: GNU grep notices /dev/null and stops at the first match (its CPU read 0.00 s).
rss_cpu() {
  for _ in 1 2 3; do { /usr/bin/time -f '%M %U %S' "$@" 2>&1 >"$work/rss-cpu.out" || true; } | tail -n 1; done |
    awk '{ c = $2 + $3; if (NR == 1 || c < bc) bc = c; if ($1 > m) m = $1 } END { printf "%d %.2f", m, bc }'
}
tools=(codered-aot codered-jit)
declare -A exe=([codered-aot]="$aot" [codered-jit]="$jit" [baseline-aot]="${BASELINE_AOT:-}" [baseline-jit]="${BASELINE_JIT:-}")
[ -n "${BASELINE_AOT:-}" ] && tools+=(baseline-aot)
[ -n "${BASELINE_JIT:-}" ] && tools+=(baseline-jit)
summary=()

for corpus in $corpora; do
  log="$work/$corpus-${size_mib}m-${seed}.log"
  truth="$work/$corpus-${size_mib}m-${seed}.truth"
  case $corpus in
    generator) [ -f "$log" ] || $gen generate "$log" "$size_mib" "$seed" ;;
    real) [ -f "$log" ] || $gen real tests/CodeRed.Rules.Benchmarks/corpus/loghub-sample.log "$log" "$size_mib" "$seed" "$truth" ;;
    adversarial) [ -f "$log" ] || $gen adversarial "$log" "$size_mib" "$seed" "$truth" ;;
    *) echo "bench: unknown corpus $corpus" >&2; exit 2 ;;
  esac
  cat "$log" >/dev/null # into the page cache
  echo "== $corpus: $log ($(stat -c %s "$log") bytes, $(wc -l <"$log") lines), load $(cut -d' ' -f1 /proc/loadavg)"

  rg_count() { rg -c -e "$1" "$log" || echo 0; }
  if [ "$corpus" = generator ]; then
    # The truth is ripgrep's count of each signature (CR2004 and CR2005 records share the startup banner).
    printf 'CR2001 %s\nCR2002 %s\nCR2004 %s\nCR2005 %s\n' "$(rg_count "${patterns[0]}")" "$(rg_count "${patterns[1]}")" \
      "$(rg_count "${patterns[3]}")" "$(rg_count "${patterns[4]}")" >"$truth"
    banners=$(rg_count "${patterns[2]}")
  fi
  for tool in ${aot:+codered-aot} codered-jit; do
    "${exe[$tool]}" analyze --format json "$log" >"$work/report.json" || true
    $gen counts "$work/report.json" >"$work/counts.txt"
    while read -r id want; do
      got=$(awk -v id="$id" '$1 == id { print $2; found = 1 } END { if (!found) print 0 }' "$work/counts.txt")
      if [ "$got" = "$want" ]; then echo "  $tool $id: truth $want, codered $got"; else echo "  $tool $id: truth $want, codered $got  MISMATCH"; ok=false; fi
    done <"$truth"
  done
  [ "$corpus" = generator ] && echo "  startup banners (rg) $banners = CR2004 + CR2005"

  cmds=(-n rg "rg -c -f $work/patterns.txt $log" -n grep "grep -c -E -f $work/patterns.txt $log")
  for tool in "${tools[@]}"; do [ -n "${exe[$tool]}" ] && cmds+=(-n "$tool" "${exe[$tool]} analyze --format json $log"); done
  hyperfine -N -i --output=pipe --warmup 1 --runs "$runs" --export-json "$work/hyperfine-$corpus.json" "${cmds[@]}" >/dev/null 2>&1
  best() { python3 -c "import json,sys; r={x['command']:min(x['times']) for x in json.load(open(sys.argv[1]))['results']}; print('%.3f' % r[sys.argv[2]])" "$work/hyperfine-$corpus.json" "$1"; }
  t_rg=$(best rg); t_grep=$(best grep)
  read -r _ c_rg <<<"$(rss_cpu rg -c -f "$work/patterns.txt" "$log")"; read -r _ c_grep <<<"$(rss_cpu grep -c -E -f "$work/patterns.txt" "$log")"
  line="$corpus: rg ${t_rg} s (CPU ${c_rg} s), grep ${t_grep} s (CPU ${c_grep} s)"
  for tool in "${tools[@]}"; do
    [ -n "${exe[$tool]}" ] || continue
    t=$(best "$tool"); read -r m cpu <<<"$(rss_cpu "${exe[$tool]}" analyze "$log")"
    echo "  $tool $t s = $(ratio "$t" "$t_rg")x rg, $(ratio "$t" "$t_grep")x grep; CPU $cpu s = $(ratio "$cpu" "$c_rg")x rg CPU; peak RSS $((m / 1024)) MB"
    line+="; $tool $t s ($(ratio "$t" "$t_rg")x rg, $(ratio "$t" "$t_grep")x grep, CPU $cpu s = $(ratio "$cpu" "$c_rg")x rg, $((m / 1024)) MB)"
  done
  summary+=("$line")
done

echo "== small capture, process start to exit (mean of 20)"
small_cmds=(-n small-jit "$jit analyze --model AR320 docs/samples/ar320-capture.log")
[ -n "$aot" ] && small_cmds+=(-n small-aot "$aot analyze --model AR320 docs/samples/ar320-capture.log")
hyperfine -N -i --warmup 2 --runs 20 --export-json "$work/small.json" "${small_cmds[@]}" >/dev/null
python3 -c "import json; [print('  %s %.1f ms' % (x['command'], 1000 * x['mean'])) for x in json.load(open('$work/small.json'))['results']]"

echo "== summary (min of $runs runs; targets: AOT <= 1.0x rg, JIT <= 1.5x rg, both <= 0.3x grep, RSS <= 64 MB)"
printf '  %s\n' "${summary[@]}"
$ok || { echo "bench: codered's counts disagree with the truth" >&2; exit 1; }
