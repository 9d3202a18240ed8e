#!/usr/bin/env bash
# Re-measures docs/RELIABILITY.md "Hostile traffic": for each attack kind, starts a fresh two-node cluster of
# `chitchat node` processes on loopback (the target, with 1,000 keys of 100 bytes, and a real peer), runs
# `chitchat attack` against the target and prints its JSON report, one line per kind. After fake-members it also
# reports what GET / on the inflated state costs the target (kind get-inflated-state).
#
#   scripts/hostile-traffic.sh [KIND...]     default: every kind
#
# KIND is a `chitchat attack --kind`, or zstd-bomb-under-cap: zstd bombs decoding to 34 keys of 60,000 bytes
# (2.04 MB), just under the decoder's 2 MiB cap, so that they are decoded in full and refused by the state budget.
#
# Set COUNT_<KIND> (e.g. COUNT_GARBAGE=1000000) or DURATION_S to change the bounds.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build tools/Chitchat.Cli -c Release -v quiet --nologo >/dev/null
cli=tools/Chitchat.Cli/bin/Release/net10.0/chitchat
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(garbage fake-members zstd-bomb zstd-bomb-under-cap forged-self empty-syn unsolicited-synack)
duration="${DURATION_S:-25}"
free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

for kind in "${kinds[@]}"; do
  var="COUNT_$(echo "$kind" | tr 'a-z-' 'A-Z_')"
  attack_kind="$kind"; extra=()
  case "$kind" in
    zstd-bomb-under-cap) count="${!var:-2000}"; rate=0; attack_kind=zstd-bomb; extra=(--bomb_keys 34) ;;
    garbage) count="${!var:-1000000}"; rate=0 ;;
    fake-members) count="${!var:-2000}"; rate=0 ;;
    zstd-bomb) count="${!var:-2000}"; rate=0 ;;
    forged-self) count="${!var:-1}"; rate=0 ;;
    *) count="${!var:-1000}"; rate=200 ;;
  esac
  target_port=$(free_port); peer_port=$(free_port)
  "$cli" node --listen_addr "127.0.0.1:$target_port" --node_id target --interval_ms 500 2>"/tmp/hostile-target-$kind.log" >/dev/null &
  target_pid=$!; pids+=("$target_pid")
  "$cli" node --listen_addr "127.0.0.1:$peer_port" --node_id peer --interval_ms 500 --seed "127.0.0.1:$target_port" 2>"/tmp/hostile-peer-$kind.log" >/dev/null &
  pids+=("$!")
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$target_port/" >/dev/null && break; sleep 0.1; done
  for i in $(seq -w 0 999); do
    curl -sf "http://127.0.0.1:$target_port/set_kv/?key=key-$i&value=$(printf 'v%.0s' $(seq 1 100))" >/dev/null
  done
  sleep 3 # Let the peer learn the keys and see the target live.
  "$cli" attack --target "127.0.0.1:$target_port" --target_pid "$target_pid" --peer "127.0.0.1:$peer_port" \
    --kind "$attack_kind" "${extra[@]}" --count "$count" --rate "$rate" --duration_s "$duration" --settle_s 5 2>"/tmp/hostile-attack-$kind.log" || { echo "attack $kind failed:" >&2; tail -5 "/tmp/hostile-attack-$kind.log" >&2; }
  if [ "$kind" = fake-members ]; then
    # GET / on the state the flood inflated: its size, time and what it costs the target's memory (the peak RSS is
    # reset first, through /proc/PID/clear_refs, so that VmHWM is the peak of the request alone).
    status_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$target_pid/status"; }
    echo 5 > "/proc/$target_pid/clear_refs" 2>/dev/null || true
    rss_before=$(status_kb VmRSS)
    read -r get_bytes get_seconds < <(curl -s -o /dev/null -w '%{size_download} %{time_total}\n' "http://127.0.0.1:$target_port/")
    printf '{"kind":"get-inflated-state","response_bytes":%s,"seconds":%s,"rss_before_bytes":%s,"rss_peak_bytes":%s,"rss_after_bytes":%s}\n' \
      "$get_bytes" "$get_seconds" "$((rss_before * 1024))" "$(($(status_kb VmHWM) * 1024))" "$(($(status_kb VmRSS) * 1024))"
  fi
  cleanup; pids=()
done
