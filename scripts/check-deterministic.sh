#!/usr/bin/env bash
# Checks that the three packages build deterministically: packs Chitchat, Chitchat.Extensions.Hosting and
# Chitchat.Testing twice, in Release with ContinuousIntegrationBuild, from two copies of the sources in different
# directories with no obj/ or bin/, and compares the SHA-256 of every assembly in the packages.
# Usage: scripts/check-deterministic.sh [work directory]   (exit 0: identical; 1: different, listed; 2: build failed)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
if [ $# -ge 1 ]; then
  work="$1"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
projects=(src/Chitchat/Chitchat.csproj src/Chitchat.Extensions.Hosting/Chitchat.Extensions.Hosting.csproj src/Chitchat.Testing/Chitchat.Testing.csproj)
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"

for copy in a b; do
  # The copies live at different depths on purpose: no absolute path may reach the assemblies.
  rm -rf "$work/copy-$copy"
  dir="$work/copy-$copy/chitchat"
  [ "$copy" = b ] && dir="$work/copy-$copy/one/more/level/chitchat"
  mkdir -p "$dir"
  # The sources the packages build from, without build outputs.
  tar -C "$root" --exclude=bin --exclude=obj -cf - Chitchat.sln Directory.Build.props Directory.Build.targets Directory.Packages.props global.json src \
    | tar -C "$dir" -xf -
  # One pack of the three projects (a solution filter), so that MSBuild starts and restores once per copy.
  printf '{"solution":{"path":"Chitchat.sln","projects":[%s]}}\n' \
    "$(printf '"%s",' "${projects[@]}" | sed 's/,$//')" >"$dir/packages.slnf"
  rm -rf "$work/out-$copy"
  if ! dotnet pack "$dir/packages.slnf" -c Release -o "$work/out-$copy" -p:ContinuousIntegrationBuild=true -p:SourceRevisionId="$revision" \
      -warnaserror -nologo -v:q >"$work/pack-$copy.log" 2>&1; then
    cat "$work/pack-$copy.log" >&2
    echo "deterministic build check FAILED: dotnet pack of the packages failed (copy $copy, log above)" >&2
    exit 2
  fi
  # The SHA-256 of every assembly in the packages (python3's zipfile: no unzip needed).
  python3 - "$work/out-$copy" >"$work/hashes-$copy.txt" <<'PY'
import glob, hashlib, os, sys, zipfile
for package in sorted(glob.glob(os.path.join(sys.argv[1], "*.nupkg"))):
    with zipfile.ZipFile(package) as archive:
        for name in sorted(n for n in archive.namelist() if n.endswith(".dll")):
            print(hashlib.sha256(archive.read(name)).hexdigest(), os.path.basename(package) + "/" + name)
PY
done

count=$(wc -l <"$work/hashes-a.txt")
if [ "$count" -lt 3 ]; then
  echo "deterministic build check FAILED: expected 3 assemblies in the packages, found $count" >&2
  exit 1
fi
if ! diff -u "$work/hashes-a.txt" "$work/hashes-b.txt" >&2; then
  echo "deterministic build check FAILED: two clean Release builds in different directories gave different assemblies (hashes above)" >&2
  exit 1
fi
echo "deterministic build check: $count assemblies byte-identical across two clean builds in different directories"
