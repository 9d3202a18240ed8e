#!/usr/bin/env bash
# Runs chitchat nodes on a private network made of Linux network namespaces: one namespace per host, each with
# its own IPv4 address (and an IPv6 one), joined by a bridge that lives in a namespace of its own, so that no traffic ever leaves
# the namespaces this script creates. Also injects faults (isolation, one-way blocks, random loss) and serves DNS
# records with dnsmasq. Needs root, iproute2, and nftables/dnsmasq for the commands that use them.
#
#   scripts/netns-cluster.sh start N [-- NODE FLAGS]   start N hosts and a `chitchat node` in each
#   scripts/netns-cluster.sh status                     list the hosts and what their node sees
#   scripts/netns-cluster.sh stop                       stop the nodes, delete the namespaces
#
# Every command takes --prefix P (default: cc-demo) to name its namespaces P-hub and P-h0, P-h1, ...; run
# `scripts/netns-cluster.sh help` for the lower-level commands (used by tests/Chitchat.NetnsTests).
set -euo pipefail

SUBNET="10.77.0"   # hosts are 10.77.0.10+i/24, the bridge (and dnsmasq) 10.77.0.1
SUBNET6="fd77:"    # hosts also have fd77::(10+i)/64 (unique local addresses, on the same bridge)
PORT=7280          # every host's node gossips and serves HTTP on this port (alone in its namespace)
STATE_ROOT="${TMPDIR:-/tmp}/chitchat-netns"

usage() {
  cat <<'EOF'
usage: netns-cluster.sh [--prefix P] COMMAND [ARGS]

  start N [-- FLAGS]     create N hosts and start `chitchat node` in each (host 0 is the seed of the others);
                         FLAGS go to every node (e.g. -- --interval_ms 200 --dead_node_grace_ms 5000)
  status                 each host's address and the live and dead nodes its node sees
  stop                   kill every process in the namespaces, delete them and their files (= net-down)
  exec I CMD...          run CMD in host I's namespace (e.g. exec 0 curl -s 10.77.0.10:7280/)

  net-up N               create the bridge namespace and hosts 0..N-1 (no nodes)
  host-add I             create host I (addresses 10.77.0.(10+I) and fd77::(10+I))
  net-down               delete everything the prefix owns (processes, namespaces, /etc/netns files, state)
  clean                  net-down for every test prefix (cc-t<pid>-*) whose owning process is gone
  isolate I / reconnect I
                         take host I's link to the bridge down / up (all its traffic stops / resumes)
  block I J...           host I drops the UDP datagrams that come from hosts J... (one way: I still sends)
  loss I PCT             host I drops PCT % of the UDP datagrams it receives, at random
  unblock I              remove host I's blocks and loss
  dns-start              run dnsmasq on the bridge (10.77.0.1:53); every host uses it as its name server
  dns-set NAME I...      NAME resolves to the addresses of hosts I... (none: the name stops resolving)
  addr I                 print host I's IPv4 address (addr6 I: its IPv6 address)
EOF
}

die() { echo "netns-cluster.sh: $*" >&2; exit 1; }

prefix="cc-demo"
if [ "${1:-}" = "--prefix" ]; then
  prefix="${2:?--prefix needs a value}"
  shift 2
fi
[[ "$prefix" =~ ^[A-Za-z0-9][A-Za-z0-9-]{0,30}$ ]] || die "bad prefix '$prefix' (letters, digits, dashes; at most 31)"

hub="$prefix-hub"
state="$STATE_ROOT/$prefix"

host_ns() { echo "$prefix-h$1"; }
host_ip() { echo "$SUBNET.$((10 + $1))"; }
host_ip6() { echo "$SUBNET6:$((10 + $1))"; }
check_index() { [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -lt 200 ] || die "bad host index '$1' (0..199)"; }
need_root() { [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"; }

net_up_hub() {
  mkdir -p "$state"
  if ! ip netns list | grep -qx "$hub\( .*\)\?"; then
    ip netns add "$hub"
    ip -n "$hub" link set lo up
    ip -n "$hub" link add br0 type bridge
    ip -n "$hub" addr add "$SUBNET.1/24" dev br0
    ip -n "$hub" link set br0 up
  fi
}

host_add() {
  local i="$1" ns
  check_index "$i"
  ns="$(host_ns "$i")"
  net_up_hub
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  # Both ends are created directly in their namespaces: nothing appears in the namespace this script runs in.
  ip link add eth0 netns "$ns" type veth peer name "v$i" netns "$hub"
  ip -n "$hub" link set "v$i" master br0 up
  ip -n "$ns" addr add "$(host_ip "$i")/24" dev eth0
  # nodad: usable at once, without the second of duplicate address detection (no other host can have it).
  ip -n "$ns" addr add "$(host_ip6 "$i")/64" dev eth0 nodad
  ip -n "$ns" link set eth0 up
  # `ip netns exec` bind-mounts this file over /etc/resolv.conf: the host's name server is the bridge's dnsmasq.
  mkdir -p "/etc/netns/$ns"
  echo "nameserver $SUBNET.1" > "/etc/netns/$ns/resolv.conf"
}

net_down() {
  local ns pid
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^${prefix}-(hub|h[0-9]+)$" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null || true); do
      kill -KILL "$pid" 2>/dev/null || true
    done
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "/etc/netns/$ns"
  done
  rm -rf "$state"
}

clean_stale() {
  # Namespaces, resolver files and state directories of test prefixes whose owning process is gone.
  local name p owner
  for name in $( (ip netns list | awk '{print $1}'; ls /etc/netns "$STATE_ROOT" 2>/dev/null) \
      | grep -E '^cc-t[0-9]+-[0-9]+(-hub|-h[0-9]+)?$' | sed -E 's/-(hub|h[0-9]+)$//' | sort -u || true); do
    p="$name"
    owner="${p#cc-t}"
    owner="${owner%%-*}"
    if ! kill -0 "$owner" 2>/dev/null; then
      prefix="$p" hub="$p-hub" state="$STATE_ROOT/$p" net_down
      rm -rf "/etc/netns/$p"-h*
    fi
  done
}

fault_table() {
  # One table per host holds its injected faults; `unblock` deletes it.
  local ns="$1"
  ip netns exec "$ns" nft add table inet chitchat_faults
  ip netns exec "$ns" nft add chain inet chitchat_faults input '{ type filter hook input priority 0; policy accept; }'
}

cli_path() {
  local dll="${CHITCHAT_CLI_PATH:-}"
  if [ -z "$dll" ]; then
    dll="$(cd "$(dirname "$0")/.." && pwd)/tools/Chitchat.Cli/bin/Debug/net10.0/Chitchat.Cli.dll"
  fi
  [ -f "$dll" ] || die "Chitchat.Cli.dll not found at $dll: run 'dotnet build tools/Chitchat.Cli' or set CHITCHAT_CLI_PATH"
  echo "$dll"
}

command="${1:-help}"
[ $# -gt 0 ] && shift
case "$command" in
  help|-h|--help) usage ;;
  addr) check_index "${1:?host index}"; host_ip "$1" ;;
  addr6) check_index "${1:?host index}"; host_ip6 "$1" ;;
  net-up)
    need_root
    n="${1:?number of hosts}"
    net_up_hub
    for ((i = 0; i < n; i++)); do host_add "$i"; done
    ;;
  host-add) need_root; host_add "${1:?host index}" ;;
  net-down|stop) need_root; net_down ;;
  clean) need_root; clean_stale ;;
  isolate) need_root; check_index "${1:?host index}"; ip -n "$hub" link set "v$1" down ;;
  reconnect) need_root; check_index "${1:?host index}"; ip -n "$hub" link set "v$1" up ;;
  block)
    need_root
    i="${1:?host index}"; shift
    check_index "$i"
    ns="$(host_ns "$i")"
    fault_table "$ns"
    for j in "$@"; do
      check_index "$j"
      ip netns exec "$ns" nft add rule inet chitchat_faults input ip saddr "$(host_ip "$j")" meta l4proto udp drop
    done
    ;;
  loss)
    need_root
    i="${1:?host index}"; pct="${2:?percent}"
    check_index "$i"
    [[ "$pct" =~ ^[0-9]+$ ]] && [ "$pct" -le 100 ] || die "bad percentage '$pct'"
    ns="$(host_ns "$i")"
    fault_table "$ns"
    ip netns exec "$ns" nft add rule inet chitchat_faults input meta l4proto udp numgen random mod 100 "<" "$pct" drop
    ;;
  unblock)
    need_root
    check_index "${1:?host index}"
    ip netns exec "$(host_ns "$1")" nft delete table inet chitchat_faults 2>/dev/null || true
    ;;
  dns-start)
    need_root
    command -v dnsmasq >/dev/null || die "dnsmasq not found (Debian: apt-get install dnsmasq-base)"
    net_up_hub
    mkdir -p "$state/dns"
    # Authoritative for the files in $state/dns only (re-read when they change), answers with TTL 0, never
    # forwards a query anywhere.
    ip netns exec "$hub" dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-poll --hostsdir="$state/dns" \
      --listen-address="$SUBNET.1" --bind-interfaces --local-ttl=0 --user=root --pid-file="$state/dnsmasq.pid" \
      --log-facility="$state/dnsmasq.log" </dev/null >/dev/null 2>&1 &
    for _ in $(seq 50); do
      [ -s "$state/dnsmasq.pid" ] && break
      sleep 0.1
    done
    [ -s "$state/dnsmasq.pid" ] || die "dnsmasq did not start (see $state/dnsmasq.log)"
    ;;
  dns-set)
    need_root
    name="${1:?name}"; shift
    [[ "$name" =~ ^[A-Za-z0-9.-]+$ ]] || die "bad name '$name'"
    mkdir -p "$state/dns"
    tmp="$state/.dns-$name.tmp"
    : > "$tmp"
    for j in "$@"; do check_index "$j"; echo "$(host_ip "$j") $name" >> "$tmp"; done
    mv -f "$tmp" "$state/dns/$name"
    ;;
  exec)
    need_root
    i="${1:?host index}"; shift
    check_index "$i"
    ip netns exec "$(host_ns "$i")" "$@"
    ;;
  start)
    need_root
    n="${1:?number of hosts}"; shift
    [ "${1:-}" = "--" ] && shift
    dll="$(cli_path)"
    net_down
    net_up_hub
    for ((i = 0; i < n; i++)); do
      host_add "$i"
      seed=()
      [ "$i" -gt 0 ] && seed=(--seed "$(host_ip 0):$PORT")
      nohup ip netns exec "$(host_ns "$i")" dotnet "$dll" node --listen_addr "$(host_ip "$i"):$PORT" \
        --node_id "node_$i" "${seed[@]}" "$@" </dev/null > "$state/h$i.log" 2>&1 &
    done
    echo "started $n nodes: 10.77.0.10..$(host_ip $((n - 1))) port $PORT (logs in $state)"
    echo "  $0 --prefix $prefix exec 0 curl -s $(host_ip 0):$PORT/    # host 0's view"
    echo "  $0 --prefix $prefix stop                                   # stop and clean up"
    ;;
  status)
    need_root
    for ns in $(ip netns list | awk '{print $1}' | grep -E "^${prefix}-h[0-9]+$" | sort -V || true); do
      i="${ns##*-h}"
      view="$(ip netns exec "$ns" curl -s -m 2 "http://$(host_ip "$i"):$PORT/" || true)"
      if [ -z "$view" ]; then
        echo "h$i $(host_ip "$i"): no answer"
      else
        printf '%s' "$view" | python3 -c '
import json, sys
d = json.load(sys.stdin)
def ids(key):
    return " ".join(n["node_id"] + ":" + str(n["generation_id"]) for n in d[key]) or "-"
print("h" + sys.argv[1], sys.argv[2] + ":", "live", ids("live_nodes") + ";", "dead", ids("dead_nodes"))' "$i" "$(host_ip "$i")"
      fi
    done
    ;;
  *) usage >&2; exit 2 ;;
esac
