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
# p99, sums of the counts), mirror (shadow traffic, below).
# The load generator is turnout-bench load; nginx and HAProxy are used when installed
# (Debian: apt-get install nginx haproxy). RATE=N paces every load run at N requests/s in all
# (open loop) instead of as fast as the proxy answers: latency then compares proxies below
# saturation, where a proxy that needs more CPU per request is not also queueing. Needs a release build (swift build -c release; set
# BUILD to use another directory: BUILD=.build-x/release). Loopback only; every run is bounded
# by SECONDS.
#
# mirror: the small job with every request also copied to a third fixture upstream, the shadow
# (port 19003; it and the canary answer with blue's body, so the primary's and the shadow's
# answers agree). Turnout runs twice, without a mirror and with the top-level block
# { "pool": "shadow", "percent": 100, "methods": ["GET","HEAD"], "compare": true, "noise": false,
# "max_body_bytes": 65536, "max_in_flight": 4096 }; nginx serves two ports from one worker, one
# plain and one with `mirror` (an internal location that proxy_passes to the shadow over
# keep-alive, `mirror_request_body on`). HAProxy has no built-in mirror and is left out. The four
# (and "none") are interleaved in each round; two variants in one run: a fast shadow, then the
# shadow 50 ms slow ("mirror-slow", set with POST /_fixture?latency_ms=50). Each run also counts
# the copies that reached the shadow per client response (GET /_fixture/counts on the shadow).
# At the end of the scenario it prints Turnout's CPU per request mirrored against unmirrored
# (target at most 1.8x, and below nginx's mirrored) and how far the slow shadow moves the
# client's p99 (target under 10 %). max_in_flight is raised from its default of 64 so that with
# the slow shadow (about 30,000 requests/s x 50 ms = 1,500 copies under way) every request is
# still copied, as nginx's are: at 64, Turnout drops the copies beyond 64 / 50 ms = 1,280 a
# second, which bounds its memory but would leave little of the slow case to measure. What nginx does, seen here (2026-12-06, nginx 1.22.1): its mirror holds a
# keep-alive client's next request until the mirror subrequest finishes, so with the slow shadow
# each of the 64 connections sends one request per 50 ms and more: about 1,000 requests/s, p50
# 60 ms. And the mirror subrequest is header-only (nginx discards the shadow's body unread), so
# its upstream connection cannot go back to the keep-alive pool: nginx opens a new connection to
# the shadow for every copy (10,353 connections for 10,322 copies in a 3 s check), whatever the
# `keepalive` of its upstream block; that is most of its extra CPU per mirrored request.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-10}
rounds=${2:-3}
scenarios=${3:-"small many large idle flip"}
connections=64
source Benchmarks/compare/lib.sh

build=${BUILD:-.build/release}
bench=$build/turnout-bench
turnout=$build/turnout
[ -x "$bench" ] && [ -x "$turnout" ] || { echo "build first: swift build -c release (or set BUILD to the directory of a release build)" >&2; exit 1; }
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

# Ports: upstreams blue and canary (small and 64 KiB bodies), the mirror scenario's shadow, then
# one per proxy (the mirror scenario's names share the ports and processes of the plain ones).
shadow_port=19003
declare -A proxy_port=([none]=19001 [turnout]=19080 [nginx]=19081 [haproxy]=19082 [turnout-mirrored]=19083 [nginx-mirrored]=19084
                       [turnout-unmirrored]=19080 [nginx-unmirrored]=19081)
start_upstreams() { # uses $BODY: empty for the pool's name as the body, else that many bytes
    local entries=("blue 19001" "canary 19002")
    # The mirror scenario: canary and shadow say blue's body, so every comparison agrees.
    [ "$scenario" = mirror ] && entries+=("shadow $shadow_port")
    for entry in "${entries[@]}"; do
        set -- $entry
        taskset -c 0 $bench upstream --name "$1" --listen "127.0.0.1:$2" --threads 1 ${BODY:+--body-bytes $BODY} \
            $([ "$scenario" = mirror ] && echo --body-name blue) 2>>"$work/upstream.log" &
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
    taskset -c 1 $turnout run -c "$work/turnout.json" 2>"$work/turnout.log" &
    pids+=($!); proxy_pid[turnout]=$!
    if [ "$scenario" = mirror ]; then
        # The same, with the mirror block at the top level, on a port and admin socket of its own.
        sed -e "s/${proxy_port[turnout]}/${proxy_port[turnout-mirrored]}/" -e "s|turnout-admin.sock|turnout-mirrored-admin.sock|" \
            -e "s|\"pools\": {|\"mirror\": { \"pool\": \"shadow\", \"percent\": 100, \"methods\": [\"GET\", \"HEAD\"], \"compare\": true, \"noise\": false, \"max_body_bytes\": 65536, \"max_in_flight\": 4096 },\n  \"pools\": { \"shadow\": { \"servers\": [\"127.0.0.1:$shadow_port\"] },|" \
            "$work/turnout.json" >"$work/turnout-mirrored.json"
        taskset -c 1 $turnout run -c "$work/turnout-mirrored.json" 2>"$work/turnout-mirrored.log" &
        pids+=($!); proxy_pid[turnout-mirrored]=$!; proxy_pid[turnout-unmirrored]=${proxy_pid[turnout]}
        wait_for_ports "${proxy_port[turnout-mirrored]}"
    fi

    if [[ " ${proxies[*]} " == *" nginx "* ]]; then
        nginx_conf "server 127.0.0.1:19001 weight=9; server 127.0.0.1:19002 weight=1;" >"$work/nginx.conf"
        # The flip scenario's two states (nginx has no weight 0: the other server is marked down).
        nginx_conf "server 127.0.0.1:19001; server 127.0.0.1:19002 down;" >"$work/nginx-blue.conf"
        nginx_conf "server 127.0.0.1:19001 down; server 127.0.0.1:19002;" >"$work/nginx-canary.conf"
        taskset -c 1 nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' &
        pids+=($!)
    fi
    if [[ " ${proxies[*]} " == *" haproxy "* ]] && [ "$scenario" != mirror ]; then
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
    if [ "$scenario" = mirror ]; then
        [[ " ${proxies[*]} " == *" nginx "* ]] && { wait_for_ports "${proxy_port[nginx-mirrored]}" "$shadow_port"
                                                   proxy_pid[nginx-mirrored]=${proxy_pid[nginx]}; proxy_pid[nginx-unmirrored]=${proxy_pid[nginx]}; }
    else
        [[ " ${proxies[*]} " == *" haproxy "* ]] && wait_for_ports "${proxy_port[haproxy]}"
    fi
    return 0
}

# nginx's configuration with the given servers in its upstream block; in the mirror scenario, a
# second server on the mirrored port that also copies every request to the shadow. nginx's
# `mirror` is a subrequest to an internal location; it proxies to the shadow configured for
# keep-alive like the primary (nginx does not reuse those connections: see the top of this file),
# and carries the field Turnout's copies carry.
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
$([ "$scenario" = mirror ] && cat <<MIRROR
    upstream shadow { server 127.0.0.1:$shadow_port; keepalive 128; }
    server {
        listen 127.0.0.1:${proxy_port[nginx-mirrored]} reuseport backlog=4096;
        keepalive_requests 1000000;
        location / {
            mirror /_shadow;
            mirror_request_body on;
            proxy_pass http://web;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
        location = /_shadow {
            internal;
            proxy_pass http://shadow\$request_uri;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Turnout-Shadow 1;
        }
    }
MIRROR
)
}
CONF
}

stop_all() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    pids=()
}

rss_kib() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }

# Responses the mirror scenario's shadow has written so far.
shadow_served() { curl -sf "http://127.0.0.1:$shadow_port/_fixture/counts" | sed 's/.*"served":\([0-9]*\).*/\1/'; }

# One run: SCENARIO NAME CONNECTIONS — appends "scenario name rps p50 p99 cpu_us rss_kib errors
# kernel_us [copies]" to results (kernel_us: the system part of cpu_us; copies, in the mirror
# scenarios: the shadow's responses during the run per client response).
load_round() {
    local scenario=$1 name=$2 conns=$3 port=${proxy_port[$2]} pid before after system_before system_after json shadow_before=""
    pid=${proxy_pid[$name]:-}
    [[ $scenario == mirror* ]] && shadow_before=$(shadow_served)
    [ -n "$pid" ] && before=$(ticks "$pid") system_before=$(system_ticks "$pid") || before=0 system_before=0
    json=$(taskset -c 0 $bench load "http://127.0.0.1:$port/" --connections "$conns" --duration "$seconds" ${RATE:+--rate "$RATE"} --json || true)
    [ -n "$pid" ] && after=$(ticks "$pid") system_after=$(system_ticks "$pid") || after=0 system_after=0
    python3 - "$scenario" "$name" "$json" "$((after - before))" "$((system_after - system_before))" "$hertz" "${pid:+$(rss_kib "$pid")}" \
        "${shadow_before:+$(( $(shadow_served) - shadow_before ))}" >>"$work/results" <<'PY'
import json, sys
scenario, name, text, ticks, system, hertz, rss, copies = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), sys.argv[7], sys.argv[8]
r = json.loads(text)
per_request = lambda t: t / hertz * 1e6 / r["responses"] if t and r["responses"] else 0
errors = sum(r["errors"].values())
p50, p99 = r["latency_ms"]["p50"], r["latency_ms"]["p99"]
# A run without a single response has no latency; it shows as 0 and its errors say why.
print(scenario, name, round(r["requests_per_second"]), p50 or 0, p99 or 0, round(per_request(ticks), 1), rss or 0,
      errors + (0 if r["responses"] else 1), round(per_request(system), 1),
      *([round(int(copies) / r["responses"], 3) if r["responses"] else 0] if copies else []))
PY
    tail -1 "$work/results" | awk '{ wide = $1 ~ /^mirror/; printf "  %-" (wide ? 11 : 6) "s %-" (wide ? 18 : 8) "s %9s req/s  p50 %7.3f ms  p99 %7.3f ms  %6s us CPU/req (kernel %s)  RSS %s KiB  errors %s%s\n", $1, $2, $3, $4, $5, $6, $9, $7, $8, (NF > 9 ? "  shadow copies/response " $10 : "") }'
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

# The mirror scenario's two figures, from the medians of its rounds: Turnout's CPU per request
# mirrored against unmirrored (and against nginx mirrored), and the slow shadow's effect on the
# client's p99. nginx's figures are printed alongside for comparison.
mirror_ratios() {
    python3 - "$work/results" <<'PY'
import sys, statistics
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    if f[0].startswith("mirror"):
        rows.setdefault((f[0], f[1]), []).append(f)
def med(variant, name, i):
    runs = rows.get((variant, name))
    return statistics.median(float(r[i]) for r in runs) if runs else None
print("  mirror figures (medians):")
for variant in ("mirror", "mirror-slow"):
    for proxy in ("turnout", "nginx"):
        plain, mirrored = med(variant, proxy + "-unmirrored", 5), med(variant, proxy + "-mirrored", 5)
        if not plain or not mirrored:
            continue
        copies = med(variant, proxy + "-mirrored", 9)
        print(f"    {variant:11} {proxy:7} CPU per request mirrored / unmirrored: {mirrored:.1f} / {plain:.1f} µs = {mirrored / plain:.2f}x"
              f"{'  (target <= 1.8x)' if proxy == 'turnout' else ''}; shadow copies per response {copies:.3f}")
        if variant == "mirror" and copies < 0.5:
            print(f"    {'':11} {proxy:7} copied less than half the requests to the shadow: does this build mirror?")
    t, n = med(variant, "turnout-mirrored", 5), med(variant, "nginx-mirrored", 5)
    if t and n:
        print(f"    {variant:11} CPU per mirrored request Turnout / nginx: {t:.1f} / {n:.1f} µs = {t / n:.2f}x (target < 1)")
for proxy in ("turnout", "nginx"):
    plain, mirrored = med("mirror-slow", proxy + "-unmirrored", 4), med("mirror-slow", proxy + "-mirrored", 4)
    if plain and mirrored:
        print(f"    mirror-slow {proxy:7} client p99 with the 50 ms shadow: {mirrored:.3f} ms against {plain:.3f} ms unmirrored,"
              f" {100 * (mirrored / plain - 1):+.1f} %{'  (target under +10 %)' if proxy == 'turnout' else ''}")
PY
}

declare -A proxy_pid
for scenario in $scenarios; do
    case $scenario in
        small) BODY=""; conns=$connections ;;
        many) BODY=""; conns=1000 ;;
        large) BODY=65536; conns=$connections ;;
        idle) BODY=""; conns=0 ;;
        flip) BODY=""; conns=0 ;;
        mirror) BODY=""; conns=$connections ;;
        *) echo "unknown scenario $scenario" >&2; exit 1 ;;
    esac
    require_free_ports 19001 19002 "${proxy_port[turnout]}" "${proxy_port[nginx]}" "${proxy_port[haproxy]}"
    [ "$scenario" = mirror ] && require_free_ports "$shadow_port" "${proxy_port[turnout-mirrored]}" "${proxy_port[nginx-mirrored]}"
    start_upstreams
    start_proxies
    echo "== $scenario"
    if [ "$scenario" = mirror ]; then
        [[ " ${proxies[*]} " == *" haproxy "* ]] && echo "  haproxy skipped: it has no built-in request mirroring (only through an external SPOE agent)" >&2
        names=(none turnout-unmirrored turnout-mirrored)
        [[ " ${proxies[*]} " == *" nginx "* ]] && names+=(nginx-unmirrored nginx-mirrored)
        for variant in mirror mirror-slow; do
            latency=$([ "$variant" = mirror ] && echo 0 || echo 50)
            curl -sf -X POST -o /dev/null "http://127.0.0.1:$shadow_port/_fixture?latency_ms=$latency"
            echo "  $variant: the shadow answers after $latency ms"
            for name in "${names[@]}"; do taskset -c 0 $bench load "http://127.0.0.1:${proxy_port[$name]}/" --connections "$conns" --duration 2 --json >/dev/null || true; done
            for round in $(seq "$rounds"); do
                for name in "${names[@]}"; do load_round "$variant" "$name" "$conns"; done
            done
        done
        mirror_ratios
    elif [ "$scenario" = idle ]; then
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
# The mirror scenario's names are long; the columns widen only when they are there.
sw = max([9] + [len(s) for s, _ in rows])
nw = max([8] + [len(n) for _, n in rows])
copies = any(s.startswith("mirror") for s, _ in rows)
print(f"{'scenario':{sw}} {'proxy':{nw}} {'requests/s':>22} {'p50 ms':>8} {'p99 ms':>8} {'CPU µs/req':>18} {'of it kernel':>12} {'RSS KiB':>9}"
      + (f" {'copies/resp':>11}" if copies else ""))
for (scenario, name), runs in rows.items():
    if scenario == "flip":
        col = lambda i: [float(r[i]) for r in runs]
        med = lambda i: statistics.median(col(i))
        total = lambda i: int(sum(col(i)))
        print(f"{scenario:{sw}} {name:{nw}} first new-pool response p50 {med(2):.0f} µs, p99 {med(3):.0f} µs; switch call p50 {med(4):.0f} µs;"
              f" stale {total(5)}, failed {total(6)}, never switched {total(7)} over {total(8)} requests")
        continue
    if scenario == "idle":
        f = runs[0]
        print(f"{scenario:{sw}} {name:{nw}} {'':>22} {'':>8} {'':>8} {'':>18} {'':>12} {f[6]:>9}  (from {f[8]} before; per connection {(int(f[6]) - int(f[8])) * 1024 // int(f[9])} B over {f[9]})")
        continue
    col = lambda i, cast=float: [cast(r[i]) for r in runs]
    rps, p50, p99, cpu, rss, kernel = col(2), col(3), col(4), col(5), col(6, int), col(8)
    rng = lambda v: f"{statistics.median(v):.0f} ({min(v):.0f}–{max(v):.0f})"
    cpu_text = f"{statistics.median(cpu):.1f} ({min(cpu):.1f}–{max(cpu):.1f})" if name != "none" else "-"
    kernel_text = f"{statistics.median(kernel):.1f}" if name != "none" else "-"
    copies_text = f" {statistics.median(col(9)):>11.3f}" if len(runs[0]) > 9 else ""
    print(f"{scenario:{sw}} {name:{nw}} {rng(rps):>22} {statistics.median(p50):8.3f} {statistics.median(p99):8.3f} {cpu_text:>18} {kernel_text:>12} {max(rss):>9}{copies_text}")
PY
