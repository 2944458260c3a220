#!/usr/bin/env bash
# The NATS path's throughput: one nats-server -js, one `watch --publish`, one worker for both partitions, N lines
# from ten devices over one TCP connection (send-syslog.py). Prints the end-to-end time (first send to the worker's
# last CPU tick) and each process's CPU from /proc/PID/stat, then both summaries. Indicative, not a test.
# Usage (from the repository root, after `dotnet build src/CodeRed.Cli -c Release`):
#   bash tests/CodeRed.Rules.Live.Tests/perf/nats-path.sh [N]
set -euo pipefail
n=${1:-50000}
here=$(cd "$(dirname "$0")" && pwd)
W=${W:-$PWD/src/CodeRed.Cli/bin/Release/net10.0/codered.dll}
dir=$(mktemp -d)
trap 'kill $np 2>/dev/null; rm -rf "$dir"' EXIT
cd "$dir"
nats-server -js -a 127.0.0.1 -p 14222 -sd "$dir/js" > nats.log 2>&1 & np=$!
sleep 1
dotnet "$W" watch --listen tcp://127.0.0.1:5515 --publish nats://127.0.0.1:14222 --partitions 2 > pub.jsonl 2> watch.log & wp=$!
dotnet "$W" worker --nats nats://127.0.0.1:14222 --partitions 2 > work.jsonl 2> worker.log & kp=$!
until grep -q 'listening on tcp' watch.log && grep -q partitions worker.log; do sleep 0.2; done
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks=$(getconf CLK_TCK)
w0=$(cpu $wp); k0=$(cpu $kp); start=$(date +%s.%N)
python3 "$here/send-syslog.py" tcp 5515 "$n"
# Drained when the worker's CPU has not moved for 3 s.
last=$(cpu $kp); lastt=$(date +%s.%N); still=0
while [ $still -lt 6 ]; do
  sleep 0.5; c=$(cpu $kp)
  if [ "$c" != "$last" ]; then last=$c; lastt=$(date +%s.%N); still=0; else still=$((still + 1)); fi
done
w1=$(cpu $wp); k1=$(cpu $kp)
awk -v e="$(echo "$lastt - $start" | bc)" -v w=$((w1 - w0)) -v k=$((k1 - k0)) -v t="$ticks" -v n="$n" 'BEGIN {
  printf "end to end %.1f s; watch --publish CPU %.2f s (%.0f lines/s per core); worker CPU %.2f s (%.0f lines/s per core)\n",
    e, w / t, n / (w / t), k / t, n / (k / t) }'
kill -TERM $wp; wait $wp || true
kill -TERM $kp; wait $kp || true
tail -1 pub.jsonl; tail -1 work.jsonl
