#!/usr/bin/env bash
# Two builds of Turnout side by side (1 worker each, keep-alive both sides) proxying the same
# keep-alive load to the same fixture upstream, in alternating rounds of one run: the honest
# way to see what a change costs on a noisy machine. Prints requests/s and CPU per request.
# Pinned as in proxies.sh: the proxies on CPU 1, the upstream and wrk on CPU 0.
#
#   Benchmarks/compare/turnout-ab.sh BINARY_A BINARY_B [SECONDS] [CONNECTIONS] [ROUNDS]
#
# Needs wrk (Debian: apt-get install wrk) and a release build of turnout-bench for the upstream.
# Loopback only; every run is bounded by SECONDS.
set -euo pipefail
cd "$(dirname "$0")/../.."

binary_a=${1:?usage: turnout-ab.sh BINARY_A BINARY_B [SECONDS] [CONNECTIONS] [ROUNDS]}
binary_b=${2:?usage: turnout-ab.sh BINARY_A BINARY_B [SECONDS] [CONNECTIONS] [ROUNDS]}
seconds=${3:-10}
connections=${4:-50}
rounds=${5:-3}
upstream_port=19001
port_a=19082
port_b=19083
source Benchmarks/compare/lib.sh
require_free_ports $upstream_port $port_a $port_b

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
command -v taskset >/dev/null || { echo "taskset is missing (util-linux)" >&2; exit 1; }
[ -x .build/release/turnout-bench ] || { echo "build first: swift build -c release" >&2; exit 1; }

taskset -c 0 .build/release/turnout-bench upstream --name blue --listen 127.0.0.1:$upstream_port --threads 1 2>"$work/upstream.log" &
pids+=($!)

start() { # NAME BINARY PORT
    cat >"$work/$1.json" <<JSON
{ "listen": ["127.0.0.1:$3"], "workers": 1, "state_file": null, "admin": { "socket": "$work/$1.sock" },
  "pools": { "blue": { "servers": ["127.0.0.1:$upstream_port"] } },
  "routes": [ { "pool": "blue" } ] }
JSON
    taskset -c 1 "$2" run -c "$work/$1.json" 2>"$work/$1.log" &
    pids+=($!)
}
start a "$binary_a" $port_a
pid_a=${pids[-1]}
start b "$binary_b" $port_b
pid_b=${pids[-1]}

wait_for_ports $port_a $port_b

taskset -c 0 wrk -t1 -c"$connections" -d2s "http://127.0.0.1:$port_a/" >/dev/null
taskset -c 0 wrk -t1 -c"$connections" -d2s "http://127.0.0.1:$port_b/" >/dev/null
for round in $(seq "$rounds"); do
    run_round A $port_a $pid_a
    run_round B $port_b $pid_b
done
print_medians A B
echo "A: $binary_a"
echo "B: $binary_b"
