#!/usr/bin/env bash
# Whole-process benchmark: generates a deterministic, seeded synthetic AR log (default 1 GiB, about 0.5%
# signature lines in realistic noise) and, in one run, times `codered analyze` against `rg -c` and
# `grep -c -E` with the same patterns, reports peak memory, checks that the counts agree with ripgrep's,
# and prints ratios (this machine is shared and noisy, so ratios from one run mean more than seconds).
#
#   tests/CodeRed.Rules.Benchmarks/run-whole-process.sh [SIZE_MIB] [SEED]
#
# Needs ripgrep, hyperfine and GNU time (installed from Debian packages when missing and run as root).
set -euo pipefail
cd "$(dirname "$0")/../.."
size_mib=${1:-1024}
seed=${2:-2001}
work=${BENCH_DIR:-artifacts/bench}
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
dotnet build -c Release src/CodeRed.Cli -v q -nologo >/dev/null
jit=src/CodeRed.Cli/bin/Release/net10.0/codered
aot=""
# Native AOT for x86-64-v3 (AVX2): measured beside the JIT tool; skipped when it cannot be built here.
if dotnet publish src/CodeRed.Cli -c Release -r linux-x64 -p:PublishAot=true -p:PackAsTool=false \
     -p:IlcInstructionSet=x86-64-v3 -o "$work/aot" -v q -nologo >/dev/null 2>&1; then
  aot="$work/aot/codered"
fi
gen="dotnet tests/CodeRed.Rules.Benchmarks/bin/Release/net10.0/CodeRed.Rules.Benchmarks.dll"

log="$work/ar-${size_mib}m-${seed}.log"
small="$work/ar-10m-${seed}.log"
[ -f "$log" ] || $gen generate "$log" "$size_mib" "$seed"
[ -f "$small" ] || $gen generate "$small" 10 "$seed"
$gen patterns "$work/patterns.txt"
cat "$log" >/dev/null # into the page cache

echo "== machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "log: $log ($(stat -c %s "$log") bytes, $(wc -l <"$log") lines)"

echo "== counts (must agree with ripgrep)"
mapfile -t patterns <"$work/patterns.txt"
rg_count() { rg -c -e "$1" "$log" || echo 0; }
r_http=$(rg_count "${patterns[0]}"); r_dir=$(rg_count "${patterns[1]}"); r_banner=$(rg_count "${patterns[2]}")
r_exc=$(rg_count "${patterns[3]}"); r_trap=$(rg_count "${patterns[4]}")
runner=${aot:-$jit}
"$runner" analyze --format json "$log" >"$work/report.json" || true
$gen counts "$work/report.json" >"$work/counts.txt"
count() { awk -v id="$1" '$1 == id { print $2; found = 1 } END { if (!found) print 0 }' "$work/counts.txt"; }
c_http=$(count CR2001); c_dir=$(count CR2002); c_crash=$(count CR2004); c_trap=$(count CR2005)
ok=true
check() { if [ "$2" = "$3" ]; then echo "  $1: rg $2, codered $3"; else echo "  $1: rg $2, codered $3  MISMATCH"; ok=false; fi; }
check "CR2001 HTTP sessions" "$r_http" "$c_http"
check "CR2002 DirBcast" "$r_dir" "$c_dir"
check "CR2004 crash records (exception lines)" "$r_exc" "$c_crash"
check "CR2005 restart reboot (TRAP1 lines)" "$r_trap" "$c_trap"
check "startup banners = CR2004 + CR2005" "$r_banner" "$((c_crash + c_trap))"

echo "== time (hyperfine, warm cache)"
cmds=(-n rg "rg -c -f $work/patterns.txt $log" -n grep "grep -c -E -f $work/patterns.txt $log" -n codered-jit "$jit analyze --format json $log")
[ -n "$aot" ] && cmds+=(-n codered-aot "$aot analyze --format json $log")
hyperfine -N -i --output=pipe --warmup 1 --runs "${RUNS:-5}" --export-json "$work/hyperfine.json" "${cmds[@]}" >/dev/null
mean() { grep -A3 "\"command\": \"$1\"" "$work/hyperfine.json" | grep -o '"mean": [0-9.]*' | grep -o '[0-9.]*$'; }
t_rg=$(mean rg); t_grep=$(mean grep); t_jit=$(mean codered-jit); t_aot=${aot:+$(mean codered-aot)}
printf '  rg %.3f s, grep %.3f s, codered (JIT) %.3f s\n' "$t_rg" "$t_grep" "$t_jit"
[ -n "$aot" ] && printf '  codered (AOT) %.3f s\n' "$t_aot"

echo "== peak memory (GNU time, max RSS)"
rss() { { /usr/bin/time -f %M "$@" 2>&1 >/dev/null || true; } | tail -n 1; }
m_rg=$(rss rg -c -f "$work/patterns.txt" "$log"); m_jit=$(rss "$jit" analyze "$log"); m_jit_small=$(rss "$jit" analyze "$small")
echo "  rg ${m_rg} KB; codered (JIT) ${m_jit_small} KB on 10 MiB, ${m_jit} KB on ${size_mib} MiB"
if [ -n "$aot" ]; then
  m_aot=$(rss "$aot" analyze "$log"); m_aot_small=$(rss "$aot" analyze "$small")
  echo "  codered (AOT) ${m_aot_small} KB on 10 MiB, ${m_aot} KB on ${size_mib} MiB"
fi

echo "== small capture, process start to exit"
small_cmds=(-n small-jit "$jit analyze --model AR320 docs/samples/ar320-capture.log")
[ -n "$aot" ] && small_cmds+=(-n small-aot "$aot analyze --model AR320 docs/samples/ar320-capture.log")
hyperfine -N -i --warmup 2 --runs 20 --export-json "$work/small.json" "${small_cmds[@]}" >/dev/null
for n in small-jit ${aot:+small-aot}; do
  printf '  %s %.1f ms\n' "$n" "$(echo "$(grep -A3 "\"command\": \"$n\"" "$work/small.json" | grep -o '"mean": [0-9.]*' | grep -o '[0-9.]*$') * 1000" | bc -l)"
done

echo "== ratios (targets: codered/rg <= 2, grep/codered >= 2, peak RSS <= 64 MB)"
ratio() { echo "scale=2; $1 / $2" | bc -l; }
echo "  codered-jit / rg   = $(ratio "$t_jit" "$t_rg")"
echo "  grep / codered-jit = $(ratio "$t_grep" "$t_jit")"
if [ -n "$aot" ]; then
  echo "  codered-aot / rg   = $(ratio "$t_aot" "$t_rg")"
  echo "  grep / codered-aot = $(ratio "$t_grep" "$t_aot")"
fi
$ok || { echo "bench: counts disagree with ripgrep" >&2; exit 1; }
