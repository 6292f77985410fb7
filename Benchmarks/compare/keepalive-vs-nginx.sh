#!/usr/bin/env bash
# Turnout (1 worker) next to nginx (1 worker, upstream keepalive) proxying the same keep-alive
# load to the same fixture upstream, in alternating rounds of one run. Prints requests/s and the
# proxy's CPU time per request (user + system, from /proc) for every round, then the medians.
#
#   Benchmarks/compare/keepalive-vs-nginx.sh [SECONDS] [CONNECTIONS] [ROUNDS]
#
# Needs wrk and nginx (Debian: apt-get install wrk nginx) and a release build
# (swift build -c release). Loopback only; every run is bounded by SECONDS.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-10}
connections=${2:-50}
rounds=${3:-3}
upstream_port=19001
turnout_port=19080
nginx_port=19081
source Benchmarks/compare/lib.sh

for tool in wrk nginx; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed (apt-get install wrk nginx)" >&2; exit 1; }
done
[ -x .build/release/turnout ] || { echo "build first: swift build -c release" >&2; exit 1; }

.build/release/turnout-bench upstream --name blue --listen 127.0.0.1:$upstream_port --threads 1 2>"$work/upstream.log" &
pids+=($!)

cat >"$work/turnout.json" <<JSON
{ "listen": ["127.0.0.1:$turnout_port"], "workers": 1, "state_file": null, "admin": { "socket": "$work/admin.sock" },
  "pools": { "blue": { "servers": ["127.0.0.1:$upstream_port"] } },
  "routes": [ { "pool": "blue" } ] }
JSON
.build/release/turnout run -c "$work/turnout.json" 2>"$work/turnout.log" &
turnout_pid=$!
pids+=($turnout_pid)

# The same job as Turnout does: HTTP/1.1 keep-alive upstream, forwarding fields, no access log.
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    upstream blue { server 127.0.0.1:$upstream_port; keepalive 64; }
    server {
        listen 127.0.0.1:$nginx_port reuseport;
        location / {
            proxy_pass http://blue;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Forwarded-Host \$host;
        }
    }
}
CONF
nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' &
pids+=($!)

wait_for_ports $turnout_port $nginx_port
nginx_workers() { pgrep -f "nginx: worker process" | tr '\n' ' '; }

# Warm up both (connection pools, page cache), then alternate.
wrk -t1 -c"$connections" -d2s "http://127.0.0.1:$turnout_port/" >/dev/null
wrk -t1 -c"$connections" -d2s "http://127.0.0.1:$nginx_port/" >/dev/null
for round in $(seq "$rounds"); do
    run_round turnout $turnout_port $turnout_pid
    run_round nginx $nginx_port $(nginx_workers)
done

print_medians turnout nginx
echo "upstream: $(kill -INT "${pids[0]}"; sleep 0.5; tail -1 "$work/upstream.log")"
