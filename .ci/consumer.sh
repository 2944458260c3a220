#!/usr/bin/env bash
# Packs the solution and uses the packages as a customer would: tests/consumer (outside the solution)
# references CodeRed.Rules and CodeRed.Rules.DependencyInjection by version from artifacts/nupkg, and the
# codered tool is installed from there and run. Cached copies of this version are removed first, so a stale
# package never passes. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "consumer.sh: $*" >&2; exit 1; }

# The one version of every package (VersionPrefix in Directory.Build.props).
version=$(dotnet msbuild src/CodeRed.Rules/CodeRed.Rules.csproj -nologo -getProperty:PackageVersion)
[ -n "$version" ] || fail "could not read the package version"
echo "consumer.sh: packing version $version"

rm -rf artifacts/nupkg artifacts/tool tests/consumer/bin tests/consumer/obj
dotnet pack CodeRed.Rules.sln -c Release -o artifacts/nupkg
# The tool's implementations: Native AOT for linux-x64 and framework-dependent for any other platform.
for rid in linux-x64 any; do
  dotnet pack src/CodeRed.Cli/CodeRed.Cli.csproj -c Release -r "$rid" -o artifacts/nupkg
done
for id in CodeRed.Rules CodeRed.Rules.DependencyInjection CodeRed.Cli.linux-x64 CodeRed.Cli.any; do
  for ext in nupkg snupkg; do
    [ -f "artifacts/nupkg/$id.$version.$ext" ] || fail "missing artifacts/nupkg/$id.$version.$ext"
  done
done
[ -f "artifacts/nupkg/CodeRed.Cli.$version.nupkg" ] || fail "missing the tool's pointer package CodeRed.Cli.$version.nupkg"

# Never let a package restored earlier (same id and version) stand in for the one just packed.
global=$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: //p')
[ -n "$global" ] || fail "could not find the global packages folder"
for id in codered.rules codered.rules.dependencyinjection codered.cli codered.cli.linux-x64 codered.cli.any; do
  rm -rf "${global%/}/$id/$version"
done

# The library consumer.
dotnet build tests/consumer/Consumer.csproj -c Release -nologo -p:CodeRedVersion="$version"
for id in CodeRed.Rules CodeRed.Rules.DependencyInjection; do
  lower=$(tr '[:upper:]' '[:lower:]' <<<"$id")
  cmp -s "artifacts/nupkg/$id.$version.nupkg" "${global%/}/$lower/$version/$lower.$version.nupkg" \
    || fail "the consumer did not restore the $id $version just packed"
done
dotnet tests/consumer/bin/Release/net10.0/consumer.dll docs/samples/ar320-capture.log rules \
  || fail "the consumer's checks failed"

# The tool: installed from the folder, run on the bundled capture; findings mean exit code 1.
dotnet tool install CodeRed.Cli --tool-path artifacts/tool --add-source artifacts/nupkg --version "$version"
cmp -s "artifacts/nupkg/CodeRed.Cli.$version.nupkg" "artifacts/tool/.store/codered.cli/$version/codered.cli/$version/codered.cli.$version.nupkg" \
  || fail "the tool installed is not the CodeRed.Cli $version just packed"
[ "$(uname -m)" != x86_64 ] || readlink artifacts/tool/codered | grep -q 'codered.cli.linux-x64' \
  || fail "on linux-x64 the installed tool should be the Native AOT package CodeRed.Cli.linux-x64"
set +e
artifacts/tool/codered analyze --model AR320 docs/samples/ar320-capture.log
code=$?
set -e
[ "$code" -eq 1 ] || fail "codered analyze exited with $code, expected 1 (findings)"
echo "consumer.sh: codered analyze exited 1 as expected"
echo "consumer.sh: packages, consumer and tool OK ($version)"
