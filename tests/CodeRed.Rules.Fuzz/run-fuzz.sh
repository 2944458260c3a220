#!/usr/bin/env bash
# Fuzzes CodeRed.Rules with SharpFuzz and afl-fuzz: the pack loader (RulePack.LoadFromStream on arbitrary bytes) and
# the evidence reader (arbitrary bytes evaluated as one source).
#
#   tests/CodeRed.Rules.Fuzz/run-fuzz.sh [SECONDS_PER_TARGET] [TARGETS]
#
# SECONDS_PER_TARGET defaults to 600 (10 minutes); TARGETS defaults to "pack evidence". It installs what it needs:
# afl++ from the Debian packages (when apt-get is there and it is missing) and the SharpFuzz.CommandLine tool (into the
# work folder). It publishes the harness, instruments CodeRed.Rules.dll and YamlDotNet.dll, and runs afl-fuzz on each
# target in turn. When afl-fuzz cannot be installed or does not start, it falls back to the harness's built-in
# mutation loop ('mutate'), which mutates the same corpus for the same time and keeps any input that throws anything
# but the documented RulePackException, or that takes more than 2 seconds.
#
# Findings go to $FUZZ_WORK (default artifacts/fuzz, ignored by git): findings/<target>/default/crashes and hangs for
# afl-fuzz, findings/<target>/crashes for the fallback. Every crash is replayed at the end with the harness's 'run'
# mode, which prints its exception. Exit code: 0 when no target found a crash, 1 otherwise.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:-600}"
targets="${2:-pack evidence}"
work="${FUZZ_WORK:-$here/../../artifacts/fuzz}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

log() { echo "run-fuzz: $*" >&2; }

# 1. afl-fuzz
if ! command -v afl-fuzz >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  log "installing afl++ from the Debian packages"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++; } >"$work/apt.log" 2>&1 ||
    log "could not install afl++ (see $work/apt.log)"
fi

# 2. SharpFuzz.CommandLine, the instrumenter
if [ ! -x "$work/tools/sharpfuzz" ]; then
  log "installing SharpFuzz.CommandLine 2.3.0"
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$work/tools" >"$work/tool.log" 2>&1 ||
    log "could not install SharpFuzz.CommandLine (see $work/tool.log)"
fi

# 3. Build: a plain copy for the fallback and for replays, an instrumented copy for afl-fuzz
log "publishing the harness"
rm -rf "$work/bin" "$work/bin-afl"
if ! dotnet publish "$here/CodeRed.Rules.Fuzz.csproj" -c Release -o "$work/bin" >"$work/publish.log" 2>&1; then
  log "publish failed (see $work/publish.log)"
  exit 2
fi
cp -r "$work/bin" "$work/bin-afl"
afl=0
if command -v afl-fuzz >/dev/null 2>&1 && [ -x "$work/tools/sharpfuzz" ]; then
  afl=1
  for dll in CodeRed.Rules.dll YamlDotNet.dll; do
    log "instrumenting $dll"
    "$work/tools/sharpfuzz" "$work/bin-afl/$dll" >>"$work/instrument.log" 2>&1 || { log "instrumenting $dll failed"; afl=0; }
  done
fi

harness=(dotnet "$work/bin/CodeRed.Rules.Fuzz.dll")
status=0
for target in $targets; do
  findings="$work/findings/$target"
  rm -rf "$findings"
  mkdir -p "$findings"
  ran=none
  if [ "$afl" = 1 ]; then
    log "afl-fuzz on '$target' for $seconds s"
    AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
      AFL_FORKSRV_INIT_TMO=60000 AFL_SKIP_CRASHES=1 \
      timeout --kill-after=30 $((seconds + 120)) \
      afl-fuzz -V "$seconds" -i "$here/corpus/$target" -o "$findings" -t 5000 -m none \
      -- dotnet "$work/bin-afl/CodeRed.Rules.Fuzz.dll" "$target" afl >"$findings/afl.log" 2>&1
    if [ -f "$findings/default/fuzzer_stats" ]; then
      ran=afl
      grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|unique_crashes|unique_hangs) ' \
        "$findings/default/fuzzer_stats" | sed 's/^/  /' >&2
    else
      log "afl-fuzz did not run (see $findings/afl.log); falling back to the built-in mutation loop"
    fi
  fi

  if [ "$ran" = none ]; then
    log "built-in mutation loop on '$target' for $seconds s"
    "${harness[@]}" "$target" mutate "$seconds" "$here/corpus/$target" "${FUZZ_SEED:-$RANDOM}" "$findings/crashes" |
      tee "$findings/mutate.log" >&2
    ran=mutate
  fi

  # Replay whatever was found, so the exceptions are in the log.
  mapfile -t found < <(find "$findings" -path '*crashes*' -type f ! -name README.txt ! -name 'slow-*' 2>/dev/null | sort)
  mapfile -t hangs < <(find "$findings" \( -path '*hangs*' -o -name 'slow-*' \) -type f ! -name README.txt 2>/dev/null | sort)
  log "'$target' ($ran): ${#found[@]} crash input(s), ${#hangs[@]} hang/slow input(s)"
  if [ "${#found[@]}" -gt 0 ]; then
    "${harness[@]}" "$target" run "${found[@]}" | head -n 200 >&2
    status=1
  fi
  if [ "${#hangs[@]}" -gt 0 ]; then
    status=1
  fi
done

exit $status
