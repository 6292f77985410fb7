#!/usr/bin/env bash
# Soak: Turnout holds thousands of connections for a bounded time — slowloris heads that never
# end, idle keep-alive connections, and fast keep-alive requests timed in an HDR histogram —
# in front of one fixture upstream, all on loopback. Prints what each kind of connection went
# through, the fast requests' latency, Turnout's resident memory (start, peak, end, per held
# connection) and its own counters. Exits non-zero if a fast request failed or Turnout died.
#
#   Benchmarks/soak.sh [SECONDS] [SLOWLORIS] [IDLE] [FAST]
#
# Defaults: 30 s, 1,000 slowloris, 1,000 idle, 32 fast. Turnout runs with WORKERS workers
# (default 2) and timeouts.client_header_ms HEADER_MS (default 5000), so slowloris connections
# are cut and reconnect all along; client_idle_ms is IDLE_MS (default 60000). Needs a release
# build (swift build -c release) and curl. Every wait is bounded; every process started here
# is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
slowloris=${2:-1000}
idle=${3:-1000}
fast=${4:-32}
workers=${WORKERS:-2}
header_ms=${HEADER_MS:-5000}
idle_ms=${IDLE_MS:-60000}
upstream_port=${UPSTREAM_PORT:-19101}
proxy_port=${PROXY_PORT:-19180}
source Benchmarks/compare/lib.sh
require_free_ports "$upstream_port" "$proxy_port"

bench=.build/release/turnout-bench
[ -x "$bench" ] && [ -x .build/release/turnout ] || { echo "build first: swift build -c release" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is missing" >&2; exit 1; }

# Every held connection is a descriptor in the soak client and one in Turnout (plus an
# upstream connection per request in flight): the soft limit goes up to the hard one, and both
# processes inherit it. Turnout lowers max_connections itself if it is still short.
ulimit -n "$(ulimit -Hn)"
needed=$(( slowloris + idle + fast + 64 ))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $(( 2 * needed )) ]; then
    echo "warning: ulimit -n is $(ulimit -n), below the $(( 2 * needed )) descriptors Turnout needs for $needed connections and their upstreams" >&2
fi

$bench upstream --name blue --listen "127.0.0.1:$upstream_port" --threads 1 2>>"$work/upstream.log" &
pids+=($!)

cat >"$work/turnout.json" <<JSON
{ "listen": ["127.0.0.1:$proxy_port"], "workers": $workers, "state_file": null,
  "admin": { "socket": "$work/admin.sock" },
  "timeouts": { "client_header_ms": $header_ms, "client_idle_ms": $idle_ms },
  "limits": { "max_connections": 100000 },
  "pools": { "blue": { "servers": ["127.0.0.1:$upstream_port"] } },
  "routes": [ { "pool": "blue" } ] }
JSON
.build/release/turnout run -c "$work/turnout.json" >"$work/turnout.log" 2>&1 &
turnout_pid=$!
pids+=($turnout_pid)
wait_for_ports "$upstream_port" "$proxy_port"

echo "Turnout pid $turnout_pid: $workers workers, client_header_ms $header_ms, client_idle_ms $idle_ms, ulimit -n $(ulimit -n), $(nproc) cores"
status=0
$bench soak "http://127.0.0.1:$proxy_port/" --seconds "$seconds" --slowloris "$slowloris" --idle "$idle" --fast "$fast" \
    --pid "$turnout_pid" || status=$?

if kill -0 "$turnout_pid" 2>/dev/null; then
    echo "Turnout's counters:"
    curl -s --max-time 5 --unix-socket "$work/admin.sock" http://turnout/metrics \
        | grep -E '^turnout_(client_timeouts_total|connections_accepted_total|connections_open|accept_pauses_total|requests_rejected_total|upstream_errors_total)' \
        | sed 's/^/  /' || true
else
    echo "Turnout (pid $turnout_pid) is gone; its log:" >&2
    cat "$work/turnout.log" >&2
    status=3
fi
if [ -s "$work/turnout.log" ]; then
    echo "Turnout's log (last lines):"
    tail -n 5 "$work/turnout.log" | sed 's/^/  /'
fi
exit "$status"
