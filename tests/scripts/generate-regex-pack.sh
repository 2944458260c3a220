#!/usr/bin/env bash
# Writes a rule pack of N distinct regex rules (default 10000, about 2.4 MB) into OUTDIR, with the default pack's
# manifest and model matrix, to measure what 'codered rules validate' costs on a large pack:
#   bash tests/scripts/generate-regex-pack.sh 10000 /tmp/big-pack
#   /usr/bin/time -v dotnet src/CodeRed.Cli/bin/Debug/net10.0/codered.dll rules validate /tmp/big-pack
set -euo pipefail
count=${1:-10000}
out=${2:?usage: generate-regex-pack.sh N OUTDIR}
here="$(cd "$(dirname "$0")/../.." && pwd)"
rm -rf "$out"
mkdir -p "$out"
cp "$here/rules/pack.yaml" "$here/rules/models.yaml" "$out/"
# A pack holds at most 2000 files of at most 2 MiB each: 1000 rules a file, as documents separated by '---'.
for ((i = 1; i <= count; i++)); do
  printf -v id 'GEN%05d' "$i"
  printf -v file 'generated-%03d.yaml' $(((i - 1) / 1000))
  cat >>"$out/$file" <<RULE
---
kind: rule
id: $id
title: Generated rule $i
message: "Generated signature $i seen {count} time(s) from {peer}"
category: Generated
severity: warning
match:
  - regex: 'HTTP\s+ERROR\s+code$i\s+No\s+free\s+sessions\s*-\s*rejecting\s+from\s+(?<peer>[^\s,;]+)'
RULE
done
du -sb "$out" | cut -f1 | xargs printf '%s bytes in %s\n' "$out"
