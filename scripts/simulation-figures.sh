#!/usr/bin/env bash
# Makes the figures of docs/SIMULATION.md: runs `chitchat simulate --json` over the settings below (appending one JSON
# line per run to the results file), then draws the PNGs with tools/Chitchat.SimPlot into docs/.
#
#   bash scripts/simulation-figures.sh [results.jsonl]      # all figures (about half an hour of processor time on 2 cores)
#   SIM_QUICK=1 bash scripts/simulation-figures.sh          # a smaller matrix (minutes), for a look
#   SIM_SECTIONS="crash false-deaths" SIM_PLOT=0 bash scripts/simulation-figures.sh part.jsonl   # some sections only
#
# Sections: convergence (and bandwidth; SIM_VERSIONS="0 1"), crash, false-deaths. SIM_PLOT=0 skips the drawing
# (draw later with: dotnet run -c Release --project tools/Chitchat.SimPlot -- results.jsonl docs).
#
# Every run is deterministic: the same settings and seed give the same trace_hash on any machine.
set -euo pipefail
cd "$(dirname "$0")/.."
results="${1:-TestResults/simulation/results.jsonl}"
mkdir -p "$(dirname "$results")"
: > "$results"

dotnet build tools/Chitchat.Cli -c Release -v quiet -nologo >/dev/null
dotnet build tools/Chitchat.SimPlot -c Release -v quiet -nologo >/dev/null
# Runs from a copy of the build, so that rebuilding the tree meanwhile does not change the binary mid-matrix.
bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
cp -r tools/Chitchat.Cli/bin/Release/net10.0/. "$bin/"
cli="$bin/chitchat"

run() {
  echo "simulate $*" >&2
  "$cli" simulate --json "$@" 2>/dev/null >> "$results"
}

if [ "${SIM_QUICK:-0}" = 1 ]; then
  sizes_many="10 30 100"; sizes_one="300"; seeds="1 2"; losses="0 0.2 0.4"; fd_losses="0 0.5 0.8"; jitters="0 3000"
else
  sizes_many="10 30 100"; sizes_one="300 1000 2000"; seeds="1 2"; losses="0 0.1 0.2 0.3 0.4 0.5 0.6"
  fd_losses="0 0.2 0.4 0.6 0.7 0.8 0.9"; jitters="0 1000 3000"
fi

sizes_one="${SIM_SIZES_ONE:-$sizes_one}"
sections="${SIM_SECTIONS:-convergence crash false-deaths}"
has() { [[ " $sections " == *" $1 "* ]]; }

# Convergence and bandwidth against N, protocols V0 and V1 (loss 0).
has convergence && for v in ${SIM_VERSIONS:-0 1}; do
  for n in $sizes_many; do for s in $seeds; do run --nodes "$n" --seed "$s" --protocol_version "$v" --duration_s 25 --window_s 10; done; done
  for n in $sizes_one; do run --nodes "$n" --seed 1 --protocol_version "$v" --duration_s 25 --window_s 10; done
done

# Crash detection against loss, 100 nodes (two seeds) and 300 nodes (one).
has crash && for l in $losses; do
  for s in $seeds; do run --nodes 100 --seed "$s" --scenario crash --loss "$l" --duration_s 90; done
  run --nodes 300 --seed 1 --scenario crash --loss "$l" --duration_s 90
done

# False deaths against loss and jitter, 100 nodes for two virtual minutes.
has false-deaths && for j in $jitters; do
  for l in $fd_losses; do
    for s in $seeds; do run --nodes 100 --seed "$s" --loss "$l" --jitter_ms "$j" --duration_s 120; done
  done
done

if [ "${SIM_PLOT:-1}" = 1 ]; then
  dotnet tools/Chitchat.SimPlot/bin/Release/net10.0/Chitchat.SimPlot.dll "$results" docs
fi
