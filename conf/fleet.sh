#!/usr/bin/env bash
# A fleet of three Turnouts on this machine sharing their runtime state in etcd (SPEC §16).
# Starts a local etcd (its data in run/fleet/etcd), the fixture upstreams blue and canary
# (turnout-bench upstream), edge-1, edge-2 and edge-3 (turnout run), each from conf/fleet.json with
# its own listen port, admin socket, state file and instance name (the three configurations are
# written to run/fleet/), and light steady traffic to each (turnout-bench load, 20 requests/s, for
# an hour at most); waits until everything listens, prints what to try, and on Ctrl-C stops every
# process it started, by PID. run/fleet/ is emptied first: each run is a fresh fleet.
#
# Usage: conf/fleet.sh [TURNOUT] [TURNOUT_BENCH]       (default .build/release/turnout and
#                                                        .build/release/turnout-bench; build them
#                                                        with swift build -c release)
#        conf/fleet.sh restart etcd|edge-N             from another terminal: start again what you
#                                                        stopped; the first terminal's Ctrl-C stops it too
# Ports, from the environment: ETCD_PORT (2379), ETCD_PEER_PORT (2380), EDGE_PORT (8081 for edge-1,
# the next two for edge-2 and edge-3), BLUE_PORT (9001), CANARY_PORT (9003); TRAFFIC_RPS (20 per
# instance, 0 for none).
# Needs nothing but the two binaries and etcd (Debian: apt-get install etcd-server).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=run/fleet
names=(edge-1 edge-2 edge-3)

# The ports and binaries this fleet uses: the environment's and the arguments on the first start,
# the saved ones on a restart.
if [ "${1:-}" = restart ]; then
    # shellcheck source=/dev/null
    [ -f "$dir/env" ] && . "$dir/env"
    # Only into a running fleet, whose Ctrl-C will stop what this starts.
    if [ -z "${FLEET_PID:-}" ] || ! tr '\0' ' ' 2> /dev/null < "/proc/$FLEET_PID/cmdline" | grep -q "fleet.sh"; then
        echo "fleet: no fleet is running here; start one with conf/fleet.sh" >&2
        exit 1
    fi
fi
etcd_port=${ETCD_PORT:-2379}
peer_port=${ETCD_PEER_PORT:-2380}
edge_port=${EDGE_PORT:-8081}
blue_port=${BLUE_PORT:-9001}
canary_port=${CANARY_PORT:-9003}
traffic_rps=${TRAFFIC_RPS:-20}

if ! command -v etcd > /dev/null; then
    echo "fleet: etcd is not installed; on Debian or Ubuntu: sudo apt-get install etcd-server" >&2
    exit 1
fi

# Whether something listens on 127.0.0.1:$1 (bash's /dev/tcp: no tool needed).
listening() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }

# Waits until line $2 appears in log $1, past its first $4 lines (those of an earlier start),
# while process $3 lives (20 s at most); otherwise shows the log's end and fails.
wait_for_line() {
    local log=$1 line=$2 pid=$3 skip=${4:-0}
    for _ in $(seq 200); do
        tail -n +"$((skip + 1))" "$log" 2> /dev/null | grep -q -- "$line" && return 0
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.1
    done
    echo "fleet: no \"$line\" in $log within 20 s:" >&2
    tail -5 "$log" >&2
    return 1
}

# The number of lines in log $1 so far (0 when there is none yet).
lines_in() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }

# Starts etcd in the background (its PID in run/fleet/etcd.pid) and waits until it serves.
start_etcd() {
    local client="http://127.0.0.1:$etcd_port" peer="http://127.0.0.1:$peer_port"
    local skip; skip=$(lines_in "$dir/etcd.log")
    etcd --name fleet --data-dir "$dir/etcd" \
        --listen-client-urls "$client" --advertise-client-urls "$client" \
        --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" --initial-cluster "fleet=$peer" \
        --auto-compaction-retention=1h \
        --logger zap --log-outputs stderr >> "$dir/etcd.log" 2>&1 &
    echo $! > "$dir/etcd.pid"
    wait_for_line "$dir/etcd.log" "serving client traffic" $! "$skip"
}

# Starts instance $1 (edge-N) in the background (its PID in run/fleet/edge-N.pid) and waits
# until it listens.
start_edge() {
    local skip; skip=$(lines_in "$dir/$1.log")
    "$turnout" run -c "$dir/$1.json" >> "$dir/$1.log" 2>&1 &
    echo $! > "$dir/$1.pid"
    wait_for_line "$dir/$1.log" "listening on" $! "$skip"
}

if [ "${1:-}" = restart ]; then
    what=${2:?"usage: conf/fleet.sh restart etcd|edge-N"}
    turnout=$TURNOUT
    if [ -f "$dir/$what.pid" ] && kill -0 "$(cat "$dir/$what.pid")" 2> /dev/null; then
        echo "fleet: $what is running (PID $(cat "$dir/$what.pid"))" >&2
        exit 1
    fi
    case $what in
        etcd) start_etcd ;;
        edge-[1-3]) start_edge "$what" ;;
        *) echo "fleet: restart etcd, edge-1, edge-2 or edge-3, not \"$what\"" >&2; exit 1 ;;
    esac
    echo "fleet: $what started again (PID $(cat "$dir/$what.pid")); its output goes on in $dir/$what.log"
    exit 0
fi

# The binaries: arguments relative to where the script was called from, defaults to the repository.
turnout=${1:-.build/release/turnout}
bench=${2:-.build/release/turnout-bench}
[ -z "${1:-}" ] || [ "${1#/}" != "$1" ] || turnout="$OLDPWD/$1"
[ -z "${2:-}" ] || [ "${2#/}" != "$2" ] || bench="$OLDPWD/$2"
turnout=$(realpath -s "$turnout")
bench=$(realpath -s "$bench")
for binary in "$turnout" "$bench"; do
    [ -x "$binary" ] || { echo "fleet: $binary is missing; build it with: swift build -c release" >&2; exit 1; }
done
for port in "$etcd_port" "$peer_port" "$blue_port" "$canary_port" $(seq "$edge_port" $((edge_port + 2))); do
    if listening "$port"; then
        echo "fleet: 127.0.0.1:$port is in use; choose other ports with ETCD_PORT, ETCD_PEER_PORT, EDGE_PORT, BLUE_PORT, CANARY_PORT" >&2
        exit 1
    fi
done

rm -rf "$dir"
mkdir -p "$dir"
cat > "$dir/env" << EOF
ETCD_PORT=$etcd_port ETCD_PEER_PORT=$peer_port EDGE_PORT=$edge_port BLUE_PORT=$blue_port CANARY_PORT=$canary_port
TURNOUT='$turnout' FLEET_PID=$$
EOF

# Stops every process this script started, by the PIDs it wrote (a restart's too), each only if
# that PID still runs the program it was started as: SIGTERM, then SIGKILL after 10 s.
stop_all() {
    trap - EXIT INT TERM
    echo
    echo "fleet: stopping"
    local pids=()
    for file in "$dir"/*.pid; do
        [ -f "$file" ] || continue
        local pid; pid=$(cat "$file")
        local program; program=$(tr '\0' ' ' 2> /dev/null < "/proc/$pid/cmdline" || true)
        case $program in
            *" --data-dir $dir/etcd "* | *" run -c $dir/edge-"* | "$bench "*) kill "$pid" 2> /dev/null && pids+=("$pid") ;;
        esac
    done
    for _ in $(seq 100); do
        local alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2> /dev/null && alive=1; done
        [ $alive = 0 ] && break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do kill -0 "$pid" 2> /dev/null && kill -9 "$pid" 2> /dev/null || true; done
    echo "fleet: stopped; the logs stay in $dir/"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

start_etcd
for pool in blue canary; do
    port=$blue_port
    [ $pool = canary ] && port=$canary_port
    "$bench" upstream --listen "127.0.0.1:$port" --name $pool > "$dir/$pool.log" 2>&1 &
    echo $! > "$dir/$pool.pid"
    wait_for_line "$dir/$pool.log" "listening on" $!
done

# Each instance's configuration is conf/fleet.json with its own port, socket, state file, name
# and this fleet's etcd and fixture ports.
for i in 0 1 2; do
    name=${names[$i]}
    sed -e "s/127\.0\.0\.1:8081/127.0.0.1:$((edge_port + i))/" \
        -e "s/edge-1/$name/g" \
        -e "s|http://127\.0\.0\.1:2379|http://127.0.0.1:$etcd_port|" \
        -e "s/127\.0\.0\.1:9001/127.0.0.1:$blue_port/" \
        -e "s/127\.0\.0\.1:9003/127.0.0.1:$canary_port/" \
        conf/fleet.json > "$dir/$name.json"
    "$turnout" check -c "$dir/$name.json" > /dev/null
    start_edge "$name"
done

if [ "$traffic_rps" -gt 0 ]; then
    for i in 0 1 2; do
        "$bench" load "http://127.0.0.1:$((edge_port + i))/" --rate "$traffic_rps" -c 2 -d 1h > "$dir/load-${names[$i]}.log" 2>&1 &
        echo $! > "$dir/load-${names[$i]}.pid"
    done
fi

ctl="${turnout#"$PWD"/} ctl --socket"
cat << EOF

A fleet of three Turnouts is running, sharing its state under /turnout/local/ in etcd at
http://127.0.0.1:$etcd_port (PIDs and logs in $dir/; traffic: $traffic_rps requests/s to each).

  edge-1  http://127.0.0.1:$edge_port/   admin socket $dir/edge-1.sock
  edge-2  http://127.0.0.1:$((edge_port + 1))/   admin socket $dir/edge-2.sock
  edge-3  http://127.0.0.1:$((edge_port + 2))/   admin socket $dir/edge-3.sock
  pools   blue 127.0.0.1:$blue_port, canary 127.0.0.1:$canary_port (turnout-bench upstream)

Try, from another terminal in $(pwd):

  # Every instance routes alike; X-Turnout-Pool names the pool.
  for p in $edge_port $((edge_port + 1)) $((edge_port + 2)); do curl -si http://127.0.0.1:\$p/ | grep X-Turnout-Pool; done

  # A change on one instance is in force on all: edge-1 and edge-3 route by edge-2's weights.
  $ctl $dir/edge-2.sock weights web blue=0 canary=100
  curl -si http://127.0.0.1:$edge_port/ | grep X-Turnout-Pool; curl -si http://127.0.0.1:$((edge_port + 2))/ | grep X-Turnout-Pool
  $ctl $dir/edge-3.sock history        # the change, naming the instance that took it (@edge-2)
  $ctl $dir/edge-2.sock weights web blue=100 canary=0

  # The fleet: etcd, each member and the revision it applied, who leads which rollout.
  $ctl $dir/edge-1.sock status

  # etcd away: traffic flows by the last state, changes are refused with 503 (a split in a
  # rollout refuses them with 409 first); then etcd returns and everything converges by itself.
  kill \$(cat $dir/etcd.pid)
  $ctl $dir/edge-2.sock weights web blue=50 canary=50      # refused: etcd is unreachable
  $ctl $dir/edge-2.sock status                              # routing goes on; etcd UNREACHABLE
  conf/fleet.sh restart etcd
  $ctl $dir/edge-2.sock weights web blue=50 canary=50      # taken, and in force everywhere

  # A rollout started on one instance, watched on another (one instance leads and judges it
  # from the whole fleet's traffic; the template is in conf/fleet.json, ~40 s).
  $ctl $dir/edge-1.sock rollout start web
  $ctl $dir/edge-3.sock rollout watch web

  # Kill the leader (LEADS in ctl status) while a rollout runs: within lease_s (3 s) another
  # instance takes over, with the evidence so far; then start the instance again.
  kill -9 \$(cat $dir/edge-1.pid)          # if edge-1 leads
  $ctl $dir/edge-2.sock status
  conf/fleet.sh restart edge-1

Ctrl-C stops everything this script started.
EOF

# Waits until Ctrl-C, bounded like the traffic: an hour.
for _ in $(seq 3600); do sleep 1; done
