#!/usr/bin/env bash
# Proves the static binary needs no Swift toolchain: in a private mount namespace the toolchain's
# directory is covered by an empty tmpfs, a toolchain-linked build is shown to fail there, and the
# static one passes `turnout check` on the packaged configuration and proxies a request to a
# fixture upstream (started outside, on loopback) through `turnout run`.
#
#   conf/package/check-static.sh STATIC_BINARY [DYNAMIC_BINARY]
#
# DYNAMIC_BINARY (default .build/release/turnout, skipped when absent) is the negative control.
# Needs root (unshare --mount), curl, and .build/release/turnout-bench for the upstream.
set -euo pipefail
cd "$(dirname "$0")/../.."

static=$(readlink -f "${1:?usage: check-static.sh STATIC_BINARY [DYNAMIC_BINARY]}")
dynamic=${2:-.build/release/turnout}
[ -x "$dynamic" ] && dynamic=$(readlink -f "$dynamic") || dynamic=""
bench=.build/release/turnout-bench
toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")   # e.g. /opt/swift/usr

work=$(mktemp -d /tmp/turnout-static.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
upstream_port=$(free_port)
proxy_port=$(free_port)

"$bench" upstream --name blue --listen "127.0.0.1:$upstream_port" 2>"$work/upstream.log" &
pids+=($!)
cat >"$work/turnout.json" <<JSON
{ "listen": ["127.0.0.1:$proxy_port"], "workers": 1, "state_file": "$work/state.json",
  "admin": { "socket": "$work/admin.sock" },
  "pools": { "blue": { "servers": ["127.0.0.1:$upstream_port"] } },
  "routes": [ { "pool": "blue" } ] }
JSON

echo "hiding $toolchain; static binary $static ($(stat -c %s "$static") bytes)"
unshare --mount --propagation private -- bash -euo pipefail -c '
    static=$1 dynamic=$2 toolchain=$3 work=$4 proxy_port=$5 upstream_port=$6
    mount -t tmpfs -o size=1m,mode=0755 turnout-hides-the-toolchain "$toolchain"
    if [ -e "$toolchain/lib/swift/linux/libswiftCore.so" ]; then echo "the toolchain is still visible" >&2; exit 1; fi
    if [ -n "$dynamic" ]; then
        if "$dynamic" version >"$work/dynamic.out" 2>&1; then echo "a toolchain-linked turnout still runs: nothing is hidden" >&2; exit 1; fi
        echo "toolchain-linked build, as expected: $(head -1 "$work/dynamic.out")"
    fi
    "$static" version
    "$static" check -c conf/package/turnout.json
    "$static" run -c "$work/turnout.json" 2>"$work/run.log" &
    proxy=$!
    for _ in $(seq 100); do
        curl -sf -o /dev/null "http://127.0.0.1:$upstream_port/" && curl -s -o /dev/null "http://127.0.0.1:$proxy_port/" && break
        sleep 0.1
    done
    curl -s -i "http://127.0.0.1:$proxy_port/" >"$work/response"
    kill -TERM "$proxy"
    wait "$proxy" || { echo "turnout run exited with $?" >&2; cat "$work/run.log" >&2; exit 1; }
    head -1 "$work/response"
    grep -qi "^x-turnout-pool: blue" "$work/response" && grep -q "^HTTP/1.1 200" "$work/response" \
        || { echo "no 200 from pool blue through the static turnout:" >&2; cat "$work/response" "$work/run.log" >&2; exit 1; }
    echo "proxied GET / -> 200 from pool blue with $toolchain hidden"
' check-static "$static" "$dynamic" "$toolchain" "$work" "$proxy_port" "$upstream_port"
