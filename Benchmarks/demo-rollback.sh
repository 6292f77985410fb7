#!/usr/bin/env bash
# How fast the demo rolls back a broken canary: starts `turnout demo` (its own traffic, 200
# requests/s), starts the rollout of the configuration's template, breaks the canary 5 s later
# (20 % of its answers become 500s, as the demo's banner suggests) and prints the seconds from that
# call until GET /splits/web/rollout says rolled_back (polled every 0.1 s, at most 30 s).
# Usage: Benchmarks/demo-rollback.sh [BINARY] [RUNS]   (default .build/release/turnout, 5 runs)
set -euo pipefail
binary=$(realpath "${1:-.build/release/turnout}")
runs=${2:-5}
for run in $(seq "$runs"); do
    dir=$(mktemp -d)
    (cd "$dir" && exec timeout 120 "$binary" demo > out.txt 2>&1) &
    demo=$!
    for _ in $(seq 100); do grep -q "_fixture" "$dir/out.txt" 2>/dev/null && break; sleep 0.2; done
    socket=$(grep -o -- '--socket [^ ;"]*' "$dir/out.txt" | head -1 | awk '{print $2}')
    breaker=$(grep -o "http://127.0.0.1:[0-9]*/_fixture?error_rate=0.2" "$dir/out.txt" | head -1)
    sleep 8 # the stats timeline sees some traffic before the start
    "$binary" ctl --socket "$socket" rollout start web > /dev/null
    sleep 5
    broken=$(date +%s.%N)
    curl -s -X POST "$breaker" > /dev/null
    state=running
    for _ in $(seq 300); do
        state=$(curl -s --unix-socket "$socket" http://turnout/splits/web/rollout |
                python3 -c 'import sys, json; print(json.load(sys.stdin)["state"])' 2>/dev/null || echo unknown)
        [ "$state" = rolled_back ] && break
        sleep 0.1
    done
    ended=$(date +%s.%N)
    echo "run $run: $state after $(echo "$ended - $broken" | bc) s"
    kill "$demo" 2>/dev/null; wait "$demo" 2>/dev/null || true
    rm -rf "$dir"
done
