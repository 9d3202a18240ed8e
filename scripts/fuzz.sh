#!/usr/bin/env bash
# Builds the fuzz targets, instruments Chitchat.dll with SharpFuzz and runs one target under afl-fuzz.
#
#   scripts/fuzz.sh TARGET [SECONDS]     TARGET: decode | process | envelope; SECONDS: 60 by default
#
# Seeds come from tools/Chitchat.Fuzz/corpus, for the envelope target from tools/Chitchat.Fuzz/corpus-envelope
# (regenerate both with scripts/fuzz-corpus.py). Findings go to
# $FUZZ_WORK_DIR/TARGET/findings (default: TestResults/fuzz). Exits 1 when afl-fuzz found a crash or a hang
# (each one is listed, with the command that replays it), or when afl-fuzz could not run.
# Installs afl++ (apt-get, when root) and the SharpFuzz tool (dotnet tool restore) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

target="${1:?usage: scripts/fuzz.sh decode|process|envelope [SECONDS]}"
seconds="${2:-60}"
case "$target" in
  decode|process) corpus=tools/Chitchat.Fuzz/corpus ;;
  envelope) corpus=tools/Chitchat.Fuzz/corpus-envelope ;;
  *) echo "fuzz: unknown target '$target' (decode, process or envelope)" >&2; exit 2 ;;
esac

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v afl-fuzz >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "fuzz: installing afl++ (apt-get)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
  else
    echo "fuzz: afl-fuzz not found; install afl++ (Debian: apt-get install afl++)" >&2
    exit 1
  fi
fi
dotnet tool restore >/dev/null

work="${FUZZ_WORK_DIR:-$root/TestResults/fuzz}/$target"
rm -rf "$work"
mkdir -p "$work"
out="$work/bin"
dotnet publish tools/Chitchat.Fuzz/Chitchat.Fuzz.csproj -c Release -o "$out" --nologo -v quiet -p:UseAppHost=false >/dev/null
# Instrument the library under test only: coverage of the fuzz driver or the runtime would be noise.
dotnet tool run sharpfuzz "$out/Chitchat.dll" >/dev/null

# A container has no CPU frequency governor to check, no core to spare for binding, no core dumps to wait
# for, and no terminal for the status screen. The target is the dotnet host, not an afl-instrumented binary.
export AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
export AFL_SKIP_BIN_CHECK=1 AFL_FAST_CAL=1 AFL_SKIP_CRASHES=0 AFL_NO_CRASH_README=1 AFL_QUIET=1
echo "fuzz: running target '$target' for ${seconds}s on $(ls "$corpus" | wc -l) seeds"
set +e
# -t: per-input timeout in ms (an input slower than this is a hang); -m none: the .NET runtime reserves
# far more address space than afl's default limit.
timeout --kill-after=10 "$((seconds + 60))" afl-fuzz -i "$corpus" -o "$work/findings" \
  -t 2000 -m none -V "$seconds" -- dotnet "$out/Chitchat.Fuzz.dll" "$target" >"$work/afl.log" 2>&1
afl_exit=$?
set -e

stats="$work/findings/default/fuzzer_stats"
if [ ! -f "$stats" ]; then
  echo "fuzz: afl-fuzz did not start (exit $afl_exit); its output:" >&2
  tail -n 30 "$work/afl.log" >&2
  exit 1
fi
stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
crashes=$(find "$work/findings/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
hangs=$(find "$work/findings/default/hangs" -type f -name 'id:*' 2>/dev/null | wc -l)
echo "fuzz: target '$target': $(stat execs_done) executions ($(stat execs_per_sec)/s), $(stat corpus_count) inputs in the queue, coverage $(stat bitmap_cvg), $crashes crashes, $hangs hangs"
if [ "$(stat execs_done)" = "0" ]; then
  echo "fuzz: afl-fuzz ran no input; its output:" >&2
  tail -n 30 "$work/afl.log" >&2
  exit 1
fi
if [ "$crashes" -ne 0 ] || [ "$hangs" -ne 0 ]; then
  for f in "$work/findings/default/crashes"/id:* "$work/findings/default/hangs"/id:*; do
    [ -f "$f" ] || continue
    echo "fuzz: FAILING INPUT $f"
    echo "      replay: dotnet run --project tools/Chitchat.Fuzz -c Release -- $target '$f'"
  done
  exit 1
fi
