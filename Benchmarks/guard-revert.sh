#!/usr/bin/env bash
# How fast a guarded switch switches back a failing new pool: blue and green fixtures (5 ms ± 1),
# `turnout run` in front of them (analysis at its defaults: a look a second), 200 requests/s of
# keep-alive load for the whole run; after 10 s on blue (the reference: about 2,000 requests),
# green starts answering 10 % of its requests with a 500 and `web` is switched to it with a guard
# watching for 300 s; prints the seconds from the switch's answer until GET /splits/web/guard
# says reverted (polled every 0.1 s, at most 60 s). Every process is stopped by PID.
# Usage: Benchmarks/guard-revert.sh [TURNOUT] [TURNOUT_BENCH] [RUNS]
#        (default .build/release/turnout and .build/release/turnout-bench, 5 runs)
set -euo pipefail
turnout=$(realpath "${1:-.build/release/turnout}")
bench=$(realpath "${2:-.build/release/turnout-bench}")
runs=${3:-5}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
for run in $(seq "$runs"); do
    dir=$(mktemp -d)
    pids=()
    trap 'kill "${pids[@]}" 2> /dev/null || true; rm -rf "$dir"' EXIT
    blue=$(free_port); green=$(free_port); proxy=$(free_port)
    "$bench" upstream --listen "127.0.0.1:$blue" --name blue --latency-ms 5 --jitter-ms 1 > /dev/null 2>&1 & pids+=($!)
    "$bench" upstream --listen "127.0.0.1:$green" --name green --latency-ms 5 --jitter-ms 1 > /dev/null 2>&1 & pids+=($!)
    cat > "$dir/turnout.json" << JSON
{ "listen": ["127.0.0.1:$proxy"], "workers": 1, "state_file": "$dir/state.json", "admin": { "socket": "$dir/admin.sock" },
  "pools": { "blue": { "servers": ["127.0.0.1:$blue"] }, "green": { "servers": ["127.0.0.1:$green"] } },
  "splits": { "web": { "blue": 100, "green": 0 } }, "routes": [ { "split": "web" } ] }
JSON
    "$turnout" run -c "$dir/turnout.json" > "$dir/turnout.log" 2>&1 & pids+=($!)
    for _ in $(seq 100); do [ -S "$dir/admin.sock" ] && break; sleep 0.1; done
    "$bench" load "http://127.0.0.1:$proxy/" -c 8 -t 1 --rate 200 -d 90 > "$dir/load.txt" 2>&1 & pids+=($!)
    sleep 10
    curl -s -X POST "http://127.0.0.1:$green/_fixture?error_rate=0.1" > /dev/null
    curl -s --unix-socket "$dir/admin.sock" -X POST http://turnout/splits/web/switch -d '{"to": "green", "guard": {"watch_s": 300}}' > "$dir/switch.json"
    switched=$(date +%s.%N)
    state=$(python3 -c 'import sys, json; print(json.load(open(sys.argv[1])).get("state", "refused"))' "$dir/switch.json")
    for _ in $(seq 600); do
        [ "$state" = reverted ] && break
        state=$(curl -s --unix-socket "$dir/admin.sock" http://turnout/splits/web/guard |
                python3 -c 'import sys, json; print(json.load(sys.stdin)["state"])' 2> /dev/null || echo unknown)
        [ "$state" = reverted ] && break
        sleep 0.1
    done
    ended=$(date +%s.%N)
    reason=$(curl -s --unix-socket "$dir/admin.sock" http://turnout/splits/web/guard | python3 -c 'import sys, json; print(json.load(sys.stdin)["reason"])' 2> /dev/null || true)
    echo "run $run: $state after $(echo "$ended - $switched" | bc) s: $reason"
    kill "${pids[@]}" 2> /dev/null || true
    wait 2> /dev/null || true
    rm -rf "$dir"
    trap - EXIT
done
