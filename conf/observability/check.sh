#!/usr/bin/env bash
# Checks the observability kit: the alerting rules with promtool (syntax and their unit tests),
# then the Grafana dashboard's and the rules' metric names against a real scrape of `turnout run`
# with a rollout started, so the rollout families are exposed too.
#
#   conf/observability/check.sh [TURNOUT] [TURNOUT_BENCH]    (default .build/release/…)
#
# promtool comes from Debian's prometheus package: when it is not installed, the package is
# downloaded and only promtool is unpacked (nothing is installed, no daemon starts).
set -euo pipefail
cd "$(dirname "$0")/../.."

turnout=${1:-.build/release/turnout}
bench=${2:-.build/release/turnout-bench}
work=$(mktemp -d /tmp/turnout-observability.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

promtool=$(command -v promtool || true)
if [ -z "$promtool" ]; then
    echo "promtool not installed: unpacking it from Debian's prometheus package"
    (cd "$work" && { apt-get download prometheus >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get download prometheus >/dev/null; }; })
    dpkg-deb -x "$work"/prometheus_*.deb "$work/prometheus"
    promtool="$work/prometheus/usr/bin/promtool"
fi
"$promtool" --version 2>&1 | head -1
"$promtool" check rules conf/observability/turnout-alerts.yml
(cd conf/observability && "$promtool" test rules turnout-alerts.test.yml)

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
blue=$(free_port) canary=$(free_port) proxy=$(free_port)
"$bench" upstream --name blue --listen "127.0.0.1:$blue" 2>>"$work/upstream.log" &
pids+=($!)
"$bench" upstream --name canary --listen "127.0.0.1:$canary" 2>>"$work/upstream.log" &
pids+=($!)
cat >"$work/turnout.json" <<JSON
{ "listen": ["127.0.0.1:$proxy"], "workers": 1, "state_file": "$work/state.json",
  "admin": { "socket": "$work/admin.sock" },
  "pools": { "blue": { "servers": ["127.0.0.1:$blue"] }, "canary": { "servers": ["127.0.0.1:$canary"] } },
  "splits": { "web": { "blue": 100, "canary": 0 } },
  "routes": [ { "split": "web" } ],
  "notify": { "webhooks": ["http://127.0.0.1:$blue/turnout-notify"] } }
JSON
"$turnout" run -c "$work/turnout.json" 2>"$work/run.log" &
pids+=($!)
for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$blue/" && curl -sf -o /dev/null "http://127.0.0.1:$canary/" \
        && curl -sf -o /dev/null "http://127.0.0.1:$proxy/" && break
    sleep 0.1
done
admin() { curl -sf --unix-socket "$work/admin.sock" "$@"; }
if admin -o "$work/rollout.json" -X POST "http://turnout/splits/web/rollout" \
        -d '{"baseline":"blue","canary":"canary","steps":[{"weight":5,"hold_s":60}]}'; then
    echo "rollout started on split web"
else
    echo "no rollout API to start one with: the rollout families are checked as exposed without one"
fi
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$proxy/"; done
admin "http://turnout/metrics" >"$work/metrics.txt" || { cat "$work/run.log" >&2; exit 1; }
python3 conf/observability/check_metrics.py --scrape "$work/metrics.txt" \
    conf/observability/turnout-dashboard.json conf/observability/turnout-alerts.yml
