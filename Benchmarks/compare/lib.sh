# Shared by the comparison scripts: a scratch directory and the processes to stop on exit,
# bounded readiness waits, CPU accounting from /proc, one wrk round with its figures, and
# medians. Source it from the repository root after setting $seconds, $connections, $rounds.

hertz=$(getconf CLK_TCK)
work=$(mktemp -d /tmp/turnout-compare.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# Stops the script when something already accepts on one of the ports. The fixture upstream binds
# with SO_REUSEPORT, so a leftover server would not make the bind fail: it would quietly share the
# port and answer part of the load with its own body.
require_free_ports() {
    for port in "$@"; do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "port $port is already in use (a leftover upstream or proxy?): stop it first" >&2
            exit 1
        fi
    done
}

# Waits (bounded: 10 s each) until every port answers GET /.
wait_for_ports() {
    for port in "$@"; do
        for _ in $(seq 100); do
            curl -sf -o /dev/null "http://127.0.0.1:$port/" && break
            sleep 0.1
        done
        curl -sf -o /dev/null "http://127.0.0.1:$port/" || { echo "nothing answers on $port" >&2; cat "$work"/*.log >&2; exit 1; }
    done
}

# Sum of the /proc/PID/stat fields FIELDS (0-based) over the processes whose pids are given.
stat_ticks() { local fields=$1 sum=0 i; shift; for p in "$@"; do read -r -a f <"/proc/$p/stat"; for i in $fields; do sum=$((sum + f[i])); done; done; echo $sum; }
# CPU ticks (user + system) of the processes whose pids are given, and the system (kernel) part.
ticks() { stat_ticks "13 14" "$@"; }
system_ticks() { stat_ticks 14 "$@"; }

# One round: NAME PORT PIDS… — wrk for $seconds, then requests/s and CPU per request of PIDS.
run_round() {
    local name=$1 port=$2; shift 2
    local before after out requests rate p50 errors cpu_us
    before=$(ticks "$@")
    out=$(taskset -c 0 wrk -t1 -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$port/")
    after=$(ticks "$@")
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    rate=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
    cpu_us=$(awk -v t=$((after - before)) -v hz="$hertz" -v n="$requests" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
    printf '%-10s round %d: %10s req/s  %6s us CPU/request  p50 %s %s\n' "$name" "$round" "$rate" "$cpu_us" "$p50" "$errors"
    echo "$name $rate $cpu_us" >>"$work/results"
}

# Medians per NAME over the rounds recorded by run_round.
print_medians() {
    echo
    echo "medians over $rounds rounds (wrk -t1 -c$connections -d${seconds}s, $(nproc) cores):"
    local name rate cpu
    for name in "$@"; do
        rate=$(awk -v n="$name" '$1 == n { print $2 }' "$work/results" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
        cpu=$(awk -v n="$name" '$1 == n { print $3 }' "$work/results" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
        printf '  %-10s %10.0f req/s  %6.1f us CPU/request\n' "$name" "$rate" "$cpu"
    done
}
