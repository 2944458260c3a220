#!/usr/bin/env bash
# Packs the solution and uses the packages as a customer would: tests/consumer (outside the solution)
# references CodeRed.Rules and CodeRed.Rules.DependencyInjection by version from artifacts/nupkg, and the
# codered tool is installed from there (the README's pack and install lines, run as written) and run. Cached copies of this version are removed first, so a stale
# package never passes. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "consumer.sh: $*" >&2; exit 1; }

# The one version of every package (VersionPrefix in Directory.Build.props).
version=$(dotnet msbuild src/CodeRed.Rules/CodeRed.Rules.csproj -nologo -getProperty:PackageVersion)
[ -n "$version" ] || fail "could not read the package version"
echo "consumer.sh: packing version $version"

rm -rf artifacts/nupkg tests/consumer/bin tests/consumer/obj
# The README's pack line, exactly: it makes every package, the tool's two implementations (Native AOT for
# linux-x64, framework-dependent 'any') included.
dotnet pack CodeRed.Rules.sln -c Release -o artifacts/nupkg
for id in CodeRed.Rules CodeRed.Rules.DependencyInjection CodeRed.Rules.Syslog CodeRed.Cli.linux-x64 CodeRed.Cli.any; do
  for ext in nupkg snupkg; do
    [ -f "artifacts/nupkg/$id.$version.$ext" ] || fail "missing artifacts/nupkg/$id.$version.$ext"
  done
done
[ -f "artifacts/nupkg/CodeRed.Cli.$version.nupkg" ] || fail "missing the tool's pointer package CodeRed.Cli.$version.nupkg"
# The framework-dependent tool names the .0 patch of its runtime, so any runtime of that line starts it (a
# RuntimeIdentifier would otherwise make the SDK name its own runtime's patch, and older patches refuse the tool).
command -v unzip >/dev/null || fail "unzip is missing (apt-get install unzip)"
framework=$(unzip -p "artifacts/nupkg/CodeRed.Cli.any.$version.nupkg" tools/net10.0/any/codered.runtimeconfig.json |
  tr -d ' \n' | grep -o '"framework":{[^}]*}' | grep -o '"version":"[^"]*"' | cut -d'"' -f4)
[[ "$framework" =~ ^[0-9]+\.[0-9]+\.0$ ]] \
  || fail "CodeRed.Cli.any names runtime ${framework:-(none)} in its runtimeconfig, expected a .0 patch"
echo "consumer.sh: CodeRed.Cli.any runs on any $framework runtime or later patch"

# Never let a package restored earlier (same id and version) stand in for the one just packed.
global=$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: //p')
[ -n "$global" ] || fail "could not find the global packages folder"
for id in codered.rules codered.rules.dependencyinjection codered.cli codered.cli.linux-x64 codered.cli.any; do
  rm -rf "${global%/}/$id/$version"
done

# The library consumer, built for net8.0 and net10.0 (run on net10.0).
dotnet build tests/consumer/Consumer.csproj -c Release -nologo -p:CodeRedVersion="$version"
for id in CodeRed.Rules CodeRed.Rules.DependencyInjection; do
  lower=$(tr '[:upper:]' '[:lower:]' <<<"$id")
  cmp -s "artifacts/nupkg/$id.$version.nupkg" "${global%/}/$lower/$version/$lower.$version.nupkg" \
    || fail "the consumer did not restore the $id $version just packed"
done
# A net8.0 host that uses the 8.0 Microsoft.Extensions packages stays on them: the DependencyInjection package's
# net8.0 dependencies are the 8.0 line, not 10.0.
net8_packages=$(dotnet list tests/consumer/Consumer.csproj package --include-transitive --framework net8.0)
for id in Microsoft.Extensions.DependencyInjection.Abstractions Microsoft.Extensions.Logging.Abstractions Microsoft.Extensions.Options Microsoft.Extensions.Options.ConfigurationExtensions; do
  resolved=$(awk -v id="$id" '$1 == ">" && $2 == id { print $NF }' <<<"$net8_packages")
  [[ "$resolved" == 8.* ]] || fail "a net8.0 consumer resolved $id ${resolved:-(none)}, expected the 8.0 line"
done
echo "consumer.sh: a net8.0 host keeps the 8.0 Microsoft.Extensions packages"
dotnet tests/consumer/bin/Release/net10.0/consumer.dll docs/samples/ar320-capture.log rules \
  || fail "the consumer's checks failed"

# The tool, with the README's install line exactly (a global tool, uninstalled again at the end), and into a tool
# path; each is run on the bundled capture (findings mean exit code 1).
tools_dir="${DOTNET_CLI_HOME:-$HOME}/.dotnet/tools"
uninstall_global() { dotnet tool uninstall --global CodeRed.Cli >/dev/null 2>&1 || true; }
uninstall_global
trap uninstall_global EXIT
dotnet tool install --global CodeRed.Cli --add-source artifacts/nupkg
rm -rf artifacts/tool
dotnet tool install CodeRed.Cli --tool-path artifacts/tool --add-source artifacts/nupkg --version "$version"
for dir in "$tools_dir" artifacts/tool; do
  cmp -s "artifacts/nupkg/CodeRed.Cli.$version.nupkg" "$dir/.store/codered.cli/$version/codered.cli/$version/codered.cli.$version.nupkg" \
    || fail "the tool installed in $dir is not the CodeRed.Cli $version just packed"
  [ "$(uname -m)" != x86_64 ] || readlink "$dir/codered" | grep -q 'codered.cli.linux-x64' \
    || fail "on linux-x64 the tool installed in $dir should be the Native AOT package CodeRed.Cli.linux-x64"
  set +e
  "$dir/codered" analyze --model AR320 docs/samples/ar320-capture.log >/dev/null
  code=$?
  set -e
  [ "$code" -eq 1 ] || fail "$dir/codered analyze exited with $code, expected 1 (findings)"
  echo "consumer.sh: $dir/codered analyze exited 1 as expected"
done
echo "consumer.sh: packages, consumer and tool OK ($version)"
