#!/usr/bin/env bash
# User-space instructions per proxied request, counted by valgrind's callgrind: unlike CPU time
# on a shared machine this is repeatable to a percent, so it shows what a change to the data
# path costs (or saves) before any timing run. Kernel work is not counted.
#
#   Benchmarks/compare/instructions.sh [BINARY] [SECONDS]
#
# BINARY defaults to .build/release/turnout. The proxy (1 worker, the 90/10 split over two
# keep-alive fixture upstreams, as in proxies.sh) runs under callgrind with counting off; after
# a 3 s warm-up, counting is on for SECONDS of 64-connection keep-alive load. Prints the total,
# the responses, the instructions per request and the functions that cost the most per request.
# Needs valgrind (Debian: apt-get install valgrind) and a release build of turnout-bench.
set -euo pipefail
cd "$(dirname "$0")/../.."

binary=${1:-.build/release/turnout}
seconds=${2:-10}
bench=.build/release/turnout-bench
port=19080
source Benchmarks/compare/lib.sh
require_free_ports 19001 19002 $port

command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
[ -x "$bench" ] && [ -x "$binary" ] || { echo "build first: swift build -c release" >&2; exit 1; }

for entry in "blue 19001" "canary 19002"; do
    set -- $entry
    $bench upstream --name "$1" --listen "127.0.0.1:$2" --threads 1 2>>"$work/upstream.log" &
    pids+=($!)
done
cat >"$work/turnout.json" <<JSON
{ "listen": ["127.0.0.1:$port"], "workers": 1, "state_file": null,
  "admin": { "socket": "$work/turnout-admin.sock" },
  "pools": { "blue": { "servers": ["127.0.0.1:19001"] }, "canary": { "servers": ["127.0.0.1:19002"] } },
  "splits": { "web": { "blue": 90, "canary": 10 } },
  "routes": [ { "split": "web" } ] }
JSON
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/callgrind.out" \
    "$binary" run -c "$work/turnout.json" 2>"$work/valgrind.log" &
proxy=$!
pids+=($proxy)
# Under valgrind start-up takes seconds: wait_for_ports allows 10.
wait_for_ports 19001 19002 $port

$bench load "http://127.0.0.1:$port/" --connections 64 --duration 3 >/dev/null
callgrind_control --instr=on $proxy >/dev/null 2>&1
$bench load "http://127.0.0.1:$port/" --connections 64 --duration "$seconds" --json >"$work/load.json"
callgrind_control --instr=off $proxy >/dev/null 2>&1
callgrind_control --dump $proxy >/dev/null 2>&1
dump=$(ls -t "$work"/callgrind.out.* | head -1)

callgrind_annotate "$dump" 2>/dev/null | python3 -c '
import json, re, sys
responses = json.load(open(sys.argv[1]))["responses"]
total, rows = 0, []
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)", line)
    if not m:
        continue
    count = int(m.group(1).replace(",", ""))
    if "PROGRAM TOTALS" in m.group(2):
        total = count
    else:
        name = m.group(2).split(" [")[0]
        rows.append((count, name.split(":", 1)[-1] if ":" in name else name))
if not total or not responses:
    sys.exit("no instructions or no responses counted")
print(f"{total:,} instructions over {responses:,} responses: {total / responses:,.0f} per request")
print("most per request:")
for count, name in rows[:15]:
    print(f"  {count / responses:8,.0f}  {name}")
' "$work/load.json" | { command -v swift >/dev/null && swift demangle --simplified || cat; }
