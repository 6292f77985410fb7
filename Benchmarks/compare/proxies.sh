#!/usr/bin/env bash
# Turnout, nginx and HAProxy side by side on the same job: a 90/10 split over two keep-alive
# fixture upstreams, 1 worker (thread) each, with the upstreams and the load generator pinned to
# CPU 0 and the proxy under test to CPU 1. Runs are interleaved (none, turnout, nginx, haproxy,
# none, …) and each cell is the median and range of ROUNDS runs. "none" is the load sent to the
# upstream directly: the limit no proxy can beat.
#
#   Benchmarks/compare/proxies.sh [SECONDS] [ROUNDS] [SCENARIOS]
#
# Scenarios (default all): small (64 connections, small body), many (1,000 connections),
# large (64 KiB responses), idle (10,000 idle keep-alive connections, or as many as the
# descriptor limit allows: memory per connection), flip (all traffic flipped between the two pools
# 20 times per round under load: time to the first response from the new pool, requests the old
# pool still answered after the switch returned, failed requests; medians of the rounds' p50 and
# p99, sums of the counts).
# The load generator is turnout-bench load; nginx and HAProxy are used when installed
# (Debian: apt-get install nginx haproxy). Needs a release build (swift build -c release).
# Loopback only; every run is bounded by SECONDS.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-10}
rounds=${2:-3}
scenarios=${3:-"small many large idle flip"}
connections=64
source Benchmarks/compare/lib.sh

bench=.build/release/turnout-bench
[ -x "$bench" ] && [ -x .build/release/turnout ] || { echo "build first: swift build -c release" >&2; exit 1; }
command -v taskset >/dev/null || { echo "taskset is missing (util-linux)" >&2; exit 1; }
proxies=(turnout)
command -v nginx >/dev/null && proxies+=(nginx) || echo "nginx not installed: skipped (apt-get install nginx)" >&2
command -v haproxy >/dev/null && proxies+=(haproxy) || echo "haproxy not installed: skipped (apt-get install haproxy)" >&2
# Idle connections need many descriptors: as many as the hard limit allows, and the idle
# scenario holds as many connections as every proxy can then take (up to 10,000; each client
# connection may need an upstream one too, so half the limit).
ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"
descriptors=$(ulimit -n)
idle_count=$(( descriptors / 2 - 500 < 10000 ? descriptors / 2 - 500 : 10000 ))

# Ports: upstreams blue and canary (small and 64 KiB bodies), then one per proxy.
declare -A proxy_port=([none]=19001 [turnout]=19080 [nginx]=19081 [haproxy]=19082)
start_upstreams() { # uses $BODY: empty for the pool's name as the body, else that many bytes
    for entry in "blue 19001" "canary 19002"; do
        set -- $entry
        taskset -c 0 $bench upstream --name "$1" --listen "127.0.0.1:$2" --threads 1 ${BODY:+--body-bytes $BODY} 2>>"$work/upstream.log" &
        pids+=($!)
    done
}

start_proxies() {
    cat >"$work/turnout.json" <<JSON
{ "listen": ["127.0.0.1:${proxy_port[turnout]}"], "workers": 1, "state_file": null,
  "admin": { "socket": "$work/turnout-admin.sock" },
  "limits": { "max_connections": 20000 },
  "pools": { "blue": { "servers": ["127.0.0.1:19001"] }, "canary": { "servers": ["127.0.0.1:19002"] } },
  "splits": { "web": { "blue": 90, "canary": 10 } },
  "routes": [ { "split": "web" } ] }
JSON
    taskset -c 1 .build/release/turnout run -c "$work/turnout.json" 2>"$work/turnout.log" &
    pids+=($!); proxy_pid[turnout]=$!

    if [[ " ${proxies[*]} " == *" nginx "* ]]; then
        nginx_conf "server 127.0.0.1:19001 weight=9; server 127.0.0.1:19002 weight=1;" >"$work/nginx.conf"
        # The flip scenario's two states (nginx has no weight 0: the other server is marked down).
        nginx_conf "server 127.0.0.1:19001; server 127.0.0.1:19002 down;" >"$work/nginx-blue.conf"
        nginx_conf "server 127.0.0.1:19001 down; server 127.0.0.1:19002;" >"$work/nginx-canary.conf"
        taskset -c 1 nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' &
        pids+=($!)
    fi
    if [[ " ${proxies[*]} " == *" haproxy "* ]]; then
        cat >"$work/haproxy.cfg" <<CONF
global
    nbthread 1
    maxconn $(( descriptors / 2 - 100 ))
    stats socket $work/haproxy.sock mode 600 level admin
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 30s
    option forwardfor
    http-reuse always
frontend web
    bind 127.0.0.1:${proxy_port[haproxy]}
    default_backend pools
backend pools
    balance roundrobin
    server blue 127.0.0.1:19001 weight 90
    server canary 127.0.0.1:19002 weight 10
CONF
        taskset -c 1 haproxy -f "$work/haproxy.cfg" -db 2>"$work/haproxy.log" &
        pids+=($!); proxy_pid[haproxy]=$!
    fi
    wait_for_ports "${proxy_port[turnout]}" 19001 19002
    [[ " ${proxies[*]} " == *" nginx "* ]] && { wait_for_ports "${proxy_port[nginx]}"; proxy_pid[nginx]=$(pgrep -f "nginx: worker process" | head -1); }
    [[ " ${proxies[*]} " == *" haproxy "* ]] && wait_for_ports "${proxy_port[haproxy]}"
    return 0
}

# nginx's configuration with the given servers in its upstream block.
nginx_conf() {
    cat <<CONF
worker_processes 1;
worker_rlimit_nofile $descriptors;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections $(( descriptors - 100 )); }
http {
    access_log off;
    upstream web { $1 keepalive 128; }
    server {
        listen 127.0.0.1:${proxy_port[nginx]} reuseport backlog=4096;
        keepalive_requests 1000000;
        location / {
            proxy_pass http://web;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
}
CONF
}

stop_all() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    pids=()
}

rss_kib() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }

# One run: SCENARIO NAME CONNECTIONS — appends "scenario name rps p50 p99 cpu_us rss_kib errors
# kernel_us" to results (kernel_us: the system part of cpu_us).
load_round() {
    local scenario=$1 name=$2 conns=$3 port=${proxy_port[$2]} pid before after system_before system_after json
    pid=${proxy_pid[$name]:-}
    [ -n "$pid" ] && before=$(ticks "$pid") system_before=$(system_ticks "$pid") || before=0 system_before=0
    json=$(taskset -c 0 $bench load "http://127.0.0.1:$port/" --connections "$conns" --duration "$seconds" --json || true)
    [ -n "$pid" ] && after=$(ticks "$pid") system_after=$(system_ticks "$pid") || after=0 system_after=0
    python3 - "$scenario" "$name" "$json" "$((after - before))" "$((system_after - system_before))" "$hertz" "${pid:+$(rss_kib "$pid")}" >>"$work/results" <<'PY'
import json, sys
scenario, name, text, ticks, system, hertz, rss = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
r = json.loads(text)
per_request = lambda t: t / hertz * 1e6 / r["responses"] if t and r["responses"] else 0
errors = sum(r["errors"].values())
p50, p99 = r["latency_ms"]["p50"], r["latency_ms"]["p99"]
# A run without a single response has no latency; it shows as 0 and its errors say why.
print(scenario, name, round(r["requests_per_second"]), p50 or 0, p99 or 0, round(per_request(ticks), 1), rss or 0,
      errors + (0 if r["responses"] else 1), round(per_request(system), 1))
PY
    tail -1 "$work/results" | awk '{ printf "  %-6s %-8s %9s req/s  p50 %7.3f ms  p99 %7.3f ms  %6s us CPU/req (kernel %s)  RSS %s KiB  errors %s\n", $1, $2, $3, $4, $5, $6, $9, $7, $8 }'
}

# Idle connections: the proxy's RSS before, and while N idle keep-alive connections are held
# (each has had one request answered), read from /proc 5 s into a 7 s soak.
idle_round() {
    local name=$1 count=$idle_count pid=${proxy_pid[$1]} before during soak
    before=$(rss_kib "$pid")
    taskset -c 0 $bench soak "http://127.0.0.1:${proxy_port[$name]}/" --seconds 7 --idle "$count" --slowloris 0 --fast 1 >"$work/idle-$name.txt" 2>&1 &
    soak=$!
    sleep 5
    during=$(rss_kib "$pid")
    wait "$soak" || true
    echo "idle $name 0 0 0 0 $during 0 $before $count" >>"$work/results"
    printf '  idle   %-8s RSS %s → %s KiB with %s idle connections\n' "$name" "$before" "$during" "$count"
}

# A weight flip under load: 62 keep-alive connections of load, and `turnout-bench switch` with 2
# measuring clients flipping all traffic between blue and canary $flips times, 200 ms apart, the
# way an operator would with each proxy: Turnout's admin API and HAProxy's runtime API (both
# written to their Unix sockets from turnout-bench, so no tool's start-up is counted), nginx's
# configuration file swapped and `nginx -s reload`. Appends "flip name first_p50_us first_p99_us
# switch_p50_us stale failed never requests".
flips=20
turnout_switch() { # POOL: the admin API request that moves all of web to POOL
    local body="{\"to\": \"$1\"}"
    printf 'POST /splits/web/switch HTTP/1.1\r\nHost: turnout\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' "${#body}" "$body"
}
flip_round() {
    local name=$1 port=${proxy_port[$1]} load
    local -a how
    case $name in
        turnout) how=(--unix "$work/turnout-admin.sock" --to-a "$(turnout_switch blue)" --to-b "$(turnout_switch canary)") ;;
        # The new server up before the old one down: the other order leaves a moment with both
        # at weight 0, which HAProxy answers with 503s.
        haproxy) how=(--unix "$work/haproxy.sock" --to-a $'set weight pools/blue 100; set weight pools/canary 0\n'
                      --to-b $'set weight pools/canary 100; set weight pools/blue 0\n') ;;
        nginx) how=(--to-a "cp $work/nginx-blue.conf $work/nginx.conf && nginx -p $work -c $work/nginx.conf -s reload"
                    --to-b "cp $work/nginx-canary.conf $work/nginx.conf && nginx -p $work -c $work/nginx.conf -s reload") ;;
        *) return 0 ;;
    esac
    taskset -c 0 $bench load "http://127.0.0.1:$port/" --connections 62 --duration $(( flips / 5 + 10 )) >/dev/null 2>&1 &
    load=$!
    sleep 1
    taskset -c 0 $bench switch --port "$port" "${how[@]}" --pools blue,canary --switches "$flips" --clients 2 --gap-ms 200 \
        >"$work/flip-$name.txt" 2>&1 || true
    kill "$load" 2>/dev/null || true
    wait "$load" 2>/dev/null || true
    python3 - "$name" "$work/flip-$name.txt" >>"$work/results" <<'PY'
import re, sys
name, text = sys.argv[1], open(sys.argv[2]).read()
def micros(label):
    line = next((l for l in text.splitlines() if label in l), "")
    values = re.findall(r"(\d+) µs", line)
    return values if len(values) == 4 else ["nan"] * 4
def count(pattern):
    m = re.search(pattern, text)
    return m.group(1) if m else "nan"
first = micros("first new-pool response")
switch = micros("runtime API call") if "runtime API call" in text else micros("switch command")
print("flip", name, first[0], first[2], switch[0], count(r"before the next switch: (\d+)"), count(r"requests, (\d+) failed"),
      count(r"before the next: (\d+)"), count(r" (\d+) requests,"))
PY
    tail -1 "$work/results" | awk '{ printf "  flip   %-8s first new-pool response p50 %s µs  p99 %s µs  switch p50 %s µs  stale %s  failed %s  never %s\n", $2, $3, $4, $5, $6, $7, $8 }'
}

declare -A proxy_pid
for scenario in $scenarios; do
    case $scenario in
        small) BODY=""; conns=$connections ;;
        many) BODY=""; conns=1000 ;;
        large) BODY=65536; conns=$connections ;;
        idle) BODY=""; conns=0 ;;
        flip) BODY=""; conns=0 ;;
        *) echo "unknown scenario $scenario" >&2; exit 1 ;;
    esac
    require_free_ports 19001 19002 "${proxy_port[turnout]}" "${proxy_port[nginx]}" "${proxy_port[haproxy]}"
    start_upstreams
    start_proxies
    echo "== $scenario"
    if [ "$scenario" = idle ]; then
        for name in "${proxies[@]}"; do idle_round "$name"; done
    elif [ "$scenario" = flip ]; then
        for round in $(seq "$rounds"); do
            for name in "${proxies[@]}"; do flip_round "$name"; done
        done
    else
        for name in none "${proxies[@]}"; do taskset -c 0 $bench load "http://127.0.0.1:${proxy_port[$name]}/" --connections "$conns" --duration 2 --json >/dev/null || true; done
        for round in $(seq "$rounds"); do
            for name in none "${proxies[@]}"; do load_round "$scenario" "$name" "$conns"; done
        done
    fi
    stop_all
done

echo
echo "medians (ranges) over $rounds rounds of $seconds s; proxies pinned to CPU 1, load and upstreams to CPU 0; $(nproc) cores"
python3 - "$work/results" <<'PY'
import sys, statistics
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    rows.setdefault((f[0], f[1]), []).append(f)
print(f"{'scenario':9} {'proxy':8} {'requests/s':>22} {'p50 ms':>8} {'p99 ms':>8} {'CPU µs/req':>18} {'of it kernel':>12} {'RSS KiB':>9}")
for (scenario, name), runs in rows.items():
    if scenario == "flip":
        col = lambda i: [float(r[i]) for r in runs]
        med = lambda i: statistics.median(col(i))
        total = lambda i: int(sum(col(i)))
        print(f"{scenario:9} {name:8} first new-pool response p50 {med(2):.0f} µs, p99 {med(3):.0f} µs; switch call p50 {med(4):.0f} µs;"
              f" stale {total(5)}, failed {total(6)}, never switched {total(7)} over {total(8)} requests")
        continue
    if scenario == "idle":
        f = runs[0]
        print(f"{scenario:9} {name:8} {'':>22} {'':>8} {'':>8} {'':>18} {'':>12} {f[6]:>9}  (from {f[8]} before; per connection {(int(f[6]) - int(f[8])) * 1024 // int(f[9])} B over {f[9]})")
        continue
    col = lambda i, cast=float: [cast(r[i]) for r in runs]
    rps, p50, p99, cpu, rss, kernel = col(2), col(3), col(4), col(5), col(6, int), col(8)
    rng = lambda v: f"{statistics.median(v):.0f} ({min(v):.0f}–{max(v):.0f})"
    cpu_text = f"{statistics.median(cpu):.1f} ({min(cpu):.1f}–{max(cpu):.1f})" if name != "none" else "-"
    kernel_text = f"{statistics.median(kernel):.1f}" if name != "none" else "-"
    print(f"{scenario:9} {name:8} {rng(rps):>22} {statistics.median(p50):8.3f} {statistics.median(p99):8.3f} {cpu_text:>18} {kernel_text:>12} {max(rss):>9}")
PY
