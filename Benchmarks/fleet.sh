#!/usr/bin/env bash
# A fleet's figures on this machine (SPEC §16). Starts a fresh etcd on free loopback ports, the
# fixture upstreams blue and canary, and three Turnouts (edge-1..3, one worker each, lease_s 3,
# analysis interval 1000 ms, the default), all in a temporary directory, and measures:
#   a. propagation: PUT /splits/web on edge-1, alternating all blue and all canary, 100 times;
#      the call's own duration, and from its answer to the first request edge-2 (and edge-3)
#      routes by it, each polled with requests back to back (turnout-bench fleet propagate);
#   b. leader failover: with a rollout holding its first step, kill -9 the instance /status names
#      as its leader; the seconds until another is named, and until the rollout's looks grow again
#      (turnout-bench fleet failover); the killed instance is started again; 5 runs;
#   c. etcd writes: with 50 requests/s to each instance, etcd's revisions per second for 60 s with
#      the rollout in progress, then 60 s with none, by instance and by key, and the size of the
#      state and evidence values (turnout-bench fleet writes).
# Prints the figures as a Markdown table with the command, the machine and the settings. Every
# wait is bounded; everything started is stopped by PID on exit, and the directory removed.
# Usage: Benchmarks/fleet.sh [TURNOUT] [TURNOUT_BENCH]  (default .build/release/turnout and
#        .build/release/turnout-bench: swift build -c release first)
#        CHANGES=100 FAILOVERS=5 WRITE_SECONDS=60 LEASE_S=3 RATE=50 override the defaults.
# Needs etcd (Debian: apt-get install etcd-server); about 3 minutes.
set -euo pipefail
turnout=$(realpath "${1:-.build/release/turnout}")
bench=$(realpath "${2:-.build/release/turnout-bench}")
changes=${CHANGES:-100}
failovers=${FAILOVERS:-5}
write_seconds=${WRITE_SECONDS:-60}
lease_s=${LEASE_S:-3}
rate=${RATE:-50}
command -v etcd > /dev/null || { echo "fleet.sh: etcd is not installed; on Debian: sudo apt-get install etcd-server" >&2; exit 1; }

dir=$(mktemp -d /tmp/turnout-fleet-bench.XXXXXX)
prefix=/turnout/bench/
declare -A pid=()

# Stops every process started here, by PID (SIGTERM, SIGKILL after 10 s), each only while that
# PID still runs what was started (its command line names this directory or turnout-bench);
# keeps the directory and its logs when the run failed.
finish() {
    local status=$?
    for p in "${pid[@]}"; do
        case $(tr '\0' ' ' 2> /dev/null < "/proc/$p/cmdline") in
            *"$dir"* | "$bench "*) kill "$p" 2> /dev/null || true ;;
        esac
    done
    for _ in $(seq 100); do
        local running=0
        for p in "${pid[@]}"; do alive "$p" && running=1; done
        [ $running = 0 ] && break
        sleep 0.1
    done
    for p in "${pid[@]}"; do alive "$p" && kill -9 "$p" 2> /dev/null || true; done
    if [ $status = 0 ]; then rm -rf "$dir"; else echo "fleet.sh: failed; logs in $dir" >&2; fi
}
trap finish EXIT
trap 'exit 130' INT TERM

# A loopback port nothing listens on and this script has not handed out yet, below the ephemeral
# range: a client reconnecting to a killed instance's port in that range can be given that very
# port as its own (a TCP self-connect) and keep the instance from listening there again.
taken=" "
ephemeral=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
free_port() {
    for _ in $(seq 100); do
        local port=$((10000 + RANDOM % (ephemeral - 10000)))
        case $taken in *" $port "*) continue ;; esac
        if ! (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
            taken="$taken$port "
            echo "$port"
            return
        fi
    done
    echo "fleet.sh: no free port found" >&2
    return 1
}

# Whether process $1 runs (a zombie does not: an instance started through sh is not this shell's
# child to reap).
alive() {
    local state; state=$(sed 's/.*) //' "/proc/$1/stat" 2> /dev/null | cut -d' ' -f1)
    [ -n "$state" ] && [ "$state" != Z ]
}

# Waits until line $2 appears in log $1 past its first $4 lines while PID $3 lives (20 s at most).
wait_for_line() {
    for _ in $(seq 200); do
        tail -n +"$(($4 + 1))" "$1" 2> /dev/null | grep -q -- "$2" && return 0
        alive "$3" || break
        sleep 0.1
    done
    echo "fleet.sh: no \"$2\" in $1 within 20 s:" >&2
    tail -5 "$1" >&2
    return 1
}

lines_in() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }

etcd_port=$(free_port)
peer_port=$(free_port)
etcd_url=http://127.0.0.1:$etcd_port
etcd --name bench --data-dir "$dir/etcd" --listen-client-urls "$etcd_url" --advertise-client-urls "$etcd_url" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "bench=http://127.0.0.1:$peer_port" --logger zap --log-outputs stderr > "$dir/etcd.log" 2>&1 &
pid[etcd]=$!
wait_for_line "$dir/etcd.log" "serving client traffic" "${pid[etcd]}" 0

declare -A port=()
for pool in blue canary; do
    port[$pool]=$(free_port)
    "$bench" upstream --listen "127.0.0.1:${port[$pool]}" --name $pool > "$dir/$pool.log" 2>&1 &
    pid[$pool]=$!
    wait_for_line "$dir/$pool.log" "listening on" "${pid[$pool]}" 0
done

# Starts instance $1 (again, after a kill: same port, socket, state file and name). Through sh,
# so that it is not a job of this shell, which would report its kill -9 as "Killed".
start_edge() {
    local skip; skip=$(lines_in "$dir/$1.log")
    pid[$1]=$(sh -c '"$0" run -c "$1" >> "$2" 2>&1 & echo $!' "$turnout" "$dir/$1.json" "$dir/$1.log")
    wait_for_line "$dir/$1.log" "listening on" "${pid[$1]}" "$skip"
}

for n in 1 2 3; do
    port[edge-$n]=$(free_port)
    cat > "$dir/edge-$n.json" << EOF
{ "listen": ["127.0.0.1:${port[edge-$n]}"], "workers": 1,
  "admin": { "socket": "$dir/edge-$n.sock" }, "state_file": "$dir/edge-$n-state.json",
  "cluster": { "etcd": ["$etcd_url"], "prefix": "$prefix", "instance": "edge-$n", "lease_s": $lease_s },
  "pools": { "blue": { "servers": ["127.0.0.1:${port[blue]}"] }, "canary": { "servers": ["127.0.0.1:${port[canary]}"] } },
  "splits": { "web": { "blue": 100, "canary": 0 } },
  "routes": [ { "split": "web", "sticky": { "cookie": "session_id" } } ] }
EOF
    start_edge edge-$n
done

# The three instances registered, as edge-1 sees the fleet (10 s at most).
wait_for_fleet() {
    for _ in $(seq 100); do
        [ "$("$turnout" ctl --socket "$dir/edge-1.sock" status 2> /dev/null | grep -c '^edge-[123]')" = 3 ] && return 0
        sleep 0.1
    done
    echo "fleet.sh: the fleet did not list its three instances within 10 s" >&2
    return 1
}
wait_for_fleet

rows=()
# a. Propagation.
echo "fleet.sh: a. propagation, $changes changes" >&2
while IFS= read -r line; do rows+=("$line"); done < <(
    "$bench" fleet propagate --admin "$dir/edge-1.sock" --to "edge-2=${port[edge-2]},edge-3=${port[edge-3]}" --changes "$changes")

# Light steady traffic to each instance from here on.
for n in 1 2 3; do
    "$bench" load "http://127.0.0.1:${port[edge-$n]}/" --rate "$rate" -c 2 -d 1h > "$dir/load-edge-$n.log" 2>&1 &
    pid[load-$n]=$!
done

# b. Leader failover: a rollout holding its first step for an hour.
echo "fleet.sh: b. leader failover, $failovers runs" >&2
"$turnout" ctl --socket "$dir/edge-1.sock" weights web blue=100 canary=0 > /dev/null
"$turnout" ctl --socket "$dir/edge-1.sock" rollout start web --baseline blue --canary canary --steps 10:3600,100 --force > /dev/null
leader_s=()
looks_s=()
for run in $(seq "$failovers"); do
    sleep 3 # the rollout looks a few times under its current leader
    sockets="edge-1=$dir/edge-1.sock,edge-2=$dir/edge-2.sock,edge-3=$dir/edge-3.sock"
    pids="edge-1=${pid[edge-1]},edge-2=${pid[edge-2]},edge-3=${pid[edge-3]}"
    line=$("$bench" fleet failover --sockets "$sockets" --pids "$pids")
    echo "fleet.sh:   run $run: $line" >&2
    killed=$(sed -n 's/.*killed=\([^ ]*\).*/\1/p' <<< "$line")
    leader_s+=("$(sed -n 's/.*leader_s=\([^ ]*\).*/\1/p' <<< "$line")")
    looks_s+=("$(sed -n 's/.*looks_s=\([^ ]*\).*/\1/p' <<< "$line")")
    for _ in $(seq 100); do alive "${pid[$killed]}" || break; sleep 0.1; done
    start_edge "$killed"
    wait_for_fleet
done
# Median and max of the seconds given as arguments.
median_max() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "median %.2f s, max %.2f s", v[int((NR + 1) / 2)], v[NR] }'; }
rows+=("| kill -9 of the rollout's leader → another named leader in /status (lease_s $lease_s) | $failovers | $(median_max "${leader_s[@]}") |")
rows+=("| kill -9 of the rollout's leader → the rollout's looks grow again (interval 1000 ms) | $failovers | $(median_max "${looks_s[@]}") |")

# c. etcd writes, with the rollout in progress, then without.
echo "fleet.sh: c. etcd writes, ${write_seconds} s with a rollout, ${write_seconds} s without" >&2
while IFS= read -r line; do rows+=("$line"); done < <(
    "$bench" fleet writes --etcd "$etcd_url" --prefix "$prefix" --seconds "$write_seconds" --sizes \
        --label "rollout in progress, $rate requests/s to each")
"$turnout" ctl --socket "$dir/edge-2.sock" rollout abort web > /dev/null
sleep 3 # the leader releases its claim
while IFS= read -r line; do rows+=("$line"); done < <(
    "$bench" fleet writes --etcd "$etcd_url" --prefix "$prefix" --seconds "$write_seconds" --label "no rollout, $rate requests/s to each")

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
cat << EOF

## A fleet of three Turnouts and one etcd member on one machine

\`CHANGES=$changes FAILOVERS=$failovers WRITE_SECONDS=$write_seconds LEASE_S=$lease_s RATE=$rate Benchmarks/fleet.sh $*\`
on $(date -u +%Y-%m-%d): $(nproc) cores ($cpu), $("$turnout" version | head -1), etcd $(etcd --version | sed -n 's/^etcd Version: //p')
(its data on $(df -P "$dir" | awk 'NR == 2 { print $1 }')); lease_s $lease_s, analysis interval 1000 ms, one worker per instance,
fixture upstreams on loopback.

| figure | n | result |
|---|---|---|
EOF
printf '%s\n' "${rows[@]}"
