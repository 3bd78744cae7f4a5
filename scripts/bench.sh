#!/usr/bin/env bash
# The Switchboard benchmark: builds in release mode, starts a fresh gateway
# for each workload, drives it with switchboard-sim, and appends a dated
# section to docs/benchmarks.md. Workloads (docs/benchmarks.md explains them):
#   W1       command round trips, closed loop: 1,000 devices, 10 controllers x 32, 100-byte args
#            (three runs; the report shows the one with the median CPU per round trip)
#   W1-open  the same offered at a fixed 5,000 commands/s (three runs; median p99)
#   W1-2t    W1 once more with the gateway on its default threads (one per core)
#   W3       one controller, 100,000 commands to 1,000 devices, 256 in flight
#   W2       10,000 and 19,000 registered idle connections: RSS per connection, connect time
#            (the 19,000 case runs W1 on top: 17,990 idle + 1,010 W1 connections)
#   W1-wss   W1 and W1-open over wss:// (a dev certificate made for the run; three
#            runs each), and 5,000 registered idle wss:// connections (connected
#            at 500/s): RSS per connection
#   W1-mqtt  W1 with the devices on MQTT through a private mosquitto (and its CPU per RT),
#            closed loop, then open loop at 2,000 commands/s (W1-mqtt-open) alternating
#            with its plain twin (W1-mqtt-plain: the same gateway, rate and controllers,
#            1,000 WebSocket devices), three runs each: bridged ÷ plain CPU at one rate
#   W1-2n    W1 across two gateway nodes on one private mosquitto (docs/scaling.md): the
#            controllers on node A, the 1,000 WebSocket devices on node B; both nodes' and
#            mosquitto's CPU per RT
#   Q1       queued commands with the store on: 20,000 commands with ttl_ms to 1,000 offline
#            devices (10 controllers x 32), each complete at its `ack queued` (sent once the
#            command is committed), with store.sync normal and then full; then the devices come
#            online and the time until every queued command was sent to them is taken
#   peers    W1 and W2 (10,000 idle) against other servers driven by the same
#            simulator: the floor, scripts/peers/floor-relay.cpp (a minimal C++
#            epoll relay, built here with c++ -O2; the report gives the gateway's
#            W1 ratio to it, closed loop and, as W1-eq, both open loop at half the
#            gateway's W1 rate), and relays on node: ws-relay.mjs (plain `ws`) and
#            socketio-relay.mjs (Socket.IO 4); these need node and npm. Then W1 on
#            mosquitto alone (per-device topics, QoS 0), driven by its own node
#            generator (scripts/peers/mosquitto-load.mjs); needs mosquitto too
# Environment: BUILD (build folder, default build/bench), SECONDS_W1 (default 10),
# PROFILE=0 to skip the perf profile, NO_APPEND=1 to print instead of appending,
# WORKLOADS="W1 W1-open W3 W1-2t W1-wss W2 W1-mqtt W1-2n Q1" (the default: all) to run some of the
# gateway's workloads, PEERS="floor ws socketio mosquitto" (the default: all) to run
# some peers; ONLY_PEERS=1 is WORKLOADS=none, NO_PEERS=1 is PEERS=none.
# Everything runs on 127.0.0.x; every run is bounded in time.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build/bench}
SECONDS_W1=${SECONDS_W1:-10}
PROFILE=${PROFILE:-1}
ONLY_PEERS=${ONLY_PEERS:-0}
NO_PEERS=${NO_PEERS:-0}
WORKLOADS=${WORKLOADS:-W1 W1-open W3 W1-2t W1-wss W2 W1-mqtt W1-2n Q1}
PEERS=${PEERS:-floor ws socketio mosquitto}
[ "$ONLY_PEERS" = 1 ] && WORKLOADS=none
[ "$NO_PEERS" = 1 ] && PEERS=none
# wants LIST NAME: whether NAME is one of the words of LIST.
wants() { [[ " $1 " == *" $2 "* ]]; }
WORK=$(mktemp -d /tmp/sb-bench.XXXXXX)
chmod 711 "$WORK"  # the private mosquitto runs as user mosquitto and needs to pass through
PIDS=()

cleanup() {
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}
trap cleanup EXIT

log() { echo "bench: $*" >&2; }

# Waits (bounded) until FILE contains TEXT; prints the line.
wait_for_line() {
    local file=$1 text=$2 seconds=$3
    for _ in $(seq 1 $((seconds * 20))); do
        if grep -q "$text" "$file" 2>/dev/null; then grep -m1 "$text" "$file"; return 0; fi
        sleep 0.05
    done
    log "timed out waiting for '$text' in $file"; cat "$file" >&2; return 1
}

log "building release in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWITCHBOARD_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j2 --target switchboard switchboard-sim switchboard_mosquitto_auth >/dev/null
GW_BIN=$BUILD/broker/switchboard
SIM=$BUILD/device-sim/switchboard-sim
FLOOR_BIN=$BUILD/floor-relay
if wants "$PEERS" floor; then
    # A benchmark tool, not the product: built here, outside the CMake project.
    ${CXX:-c++} -std=c++20 -O2 -Wall -Wextra -o "$FLOOR_BIN" "$ROOT/scripts/peers/floor-relay.cpp" -lcrypto
fi
# Read here, after the build, before the first workload (at the report's
# time it would be the run's own load).
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# host_ticks: the steal and total ticks of /proc/stat's cpu line. On a shared
# host (this VM) the time other guests take (steal) moves every figure; the
# report gives its share of the run. (Not cpu_ticks: that one, below, is a
# process's.)
host_ticks() { awk '/^cpu / { print $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
HOST_TICKS_BEFORE=$(host_ticks)

# start_server NAME COMMAND...: a server that prints "listening on HOST:PORT";
# sets GW_PID, PORT and URL. Peers go through it too, so every measurement
# below applies to whichever server is running.
start_server() {
    local name=$1; shift
    # A peer starts twice under one name (W1, then W2): without this, the wait
    # below could read the first run's line while the new server truncates it.
    rm -f "$WORK/$name.out"
    "$@" >"$WORK/$name.out" 2>&1 &
    GW_PID=$!
    PIDS+=("$GW_PID")
    PORT=$(wait_for_line "$WORK/$name.out" "listening on" 10 | grep -o '[0-9]*$')
    URL="ws://127.0.0.1:$PORT/ws"
}
# A benchmark of routing, not of authentication or abuse limits (see the config).
# One I/O thread, as the node peers have: the generator and the fleet need the
# other core of this machine (W1-2t measures the default, one per core).
GW_THREADS=${GW_THREADS:-1}
start_gateway() { start_server gw "$GW_BIN" --config "$ROOT/config/switchboard.bench.json" --threads "$GW_THREADS" "$@"; }
# At most 10 minutes each (a run of W1 and W2 takes about one).
start_floor_relay() { start_server peer-floor "$FLOOR_BIN" 0 600; }
start_ws_relay() { start_server peer-ws node "$ROOT/scripts/peers/ws-relay.mjs" 0; }
start_socketio_relay() {
    start_server peer-socketio node "$ROOT/scripts/peers/socketio-relay.mjs" 0
    URL="socketio://127.0.0.1:$PORT"  # the simulator then speaks Socket.IO's framing
}
stop_gateway() { kill "$GW_PID" 2>/dev/null || true; wait "$GW_PID" 2>/dev/null || true; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# The same gateway on wss:// with a dev certificate made for the run.
start_wss_gateway() {
    if [ ! -f "$WORK/wss.json" ]; then
        "$ROOT/scripts/make-dev-cert.sh" "$WORK/cert" >/dev/null
        sed '/^ *\/\//d' "$ROOT/config/switchboard.bench.json" |
            jq --arg dir "$WORK/cert" '.tls = {enabled: true, cert_file: "\($dir)/cert.pem", key_file: "\($dir)/key.pem"}' \
            >"$WORK/wss.json"
    fi
    start_server gw "$GW_BIN" --config "$WORK/wss.json" --threads "$GW_THREADS"
    URL="wss://127.0.0.1:$PORT/ws"
}
# The simulator's TLS flags when URL is wss://.
tls_args() { [[ $URL == wss://* ]] && echo --ca-file "$WORK/cert/cert.pem" || true; }

# start_fleet NAME ARGS...: a fleet process; waits until every device registered.
start_fleet() {
    local name=$1; shift
    # shellcheck disable=SC2046
    "$SIM" fleet --url "$URL" $(tls_args) --quiet "$@" >"$WORK/fleet-$name.out" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    eval "FLEET_${name}_PID=$pid"
    wait_for_line "$WORK/fleet-$name.out" "fleet ready" 180 >/dev/null
}
fleet_ready_s() { grep -m1 "fleet ready" "$WORK/fleet-$1.out" | awk '{print $(NF-1)}'; }
stop_fleet() {
    local pid_var="FLEET_$1_PID"
    kill "${!pid_var}" 2>/dev/null || true; wait "${!pid_var}" 2>/dev/null || true
}

# measure_idle NAME DEVICES START_FUNCTION [FLEET_ARGS...]: a fresh server with
# DEVICES idle registered devices; sets IDLE_BASE_RSS and IDLE_RSS (KiB) and
# IDLE_S (seconds until all registered), then stops both.
measure_idle() {
    local name=$1 devices=$2 start=$3
    shift 3
    "$start"
    IDLE_BASE_RSS=$(rss_kib "$GW_PID")
    start_fleet "$name" --devices "$devices" --id-prefix idle- --source-address 127.0.0.2,127.0.0.3 --threads 1 "$@"
    IDLE_RSS=$(rss_kib "$GW_PID")
    IDLE_S=$(fleet_ready_s "$name")
    stop_fleet "$name"
    stop_gateway
}

load() {  # load NAME ARGS...: the generator's status, after its report is shown
    local name=$1 status=0; shift
    # shellcheck disable=SC2046
    "$SIM" load --url "$URL" $(tls_args) --gateway-pid "$GW_PID" --json "$WORK/$name.json" "$@" >"$WORK/$name.txt" || status=$?
    cat "$WORK/$name.txt" >&2
    return "$status"
}
have_all() { for r in "$@"; do [ -f "$WORK/$r.json" ] || return 1; done; }  # have_all RUN...
j() { jq -r "$2" "$WORK/$1.json"; }
# A free loopback port for the benchmark's own mosquitto (never the system one).
free_port() {
    local p
    for p in $(seq 18840 18999); do
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
    done
    return 1
}
# Waits (bounded, 10 s) until something accepts on 127.0.0.1:PORT.
wait_port() {
    for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
    log "nothing accepts on port $1"; return 1
}
# median_of NAME FIELD RUN...: copies the run whose FIELD is the median to
# NAME.json and prints the range "min-max" of FIELD over the runs.
median_of() {
    local name=$1 field=$2; shift 2
    local sorted
    sorted=$(for r in "$@"; do echo "$(j "$r" "$field") $r"; done | sort -g)
    cp "$WORK/$(echo "$sorted" | sed -n "$(( ($# + 1) / 2 ))p" | cut -d' ' -f2).json" "$WORK/$name.json"
    echo "$(echo "$sorted" | head -1 | cut -d' ' -f1) $(echo "$sorted" | tail -1 | cut -d' ' -f1)" |
        awk '{printf "%.1f-%.1f", $1, $2}'
}
fmt() { printf "%.${2:-1}f" "$1"; }
# median_value FIELD RUN...: FIELD's median over the runs, then each run's,
# e.g. "3981.3 (of 2342.9, 16908.3, 3981.3)": a goal on one figure is judged
# on the median, as the rows' CPU is, not on the run whose CPU was the median.
median_value() {
    local field=$1 values; shift
    values=$(for r in "$@"; do fmt "$(j "$r" "$field")"; echo; done)
    echo "$(echo "$values" | sort -g | sed -n "$(( ($# + 1) / 2 ))p") (of $(echo "$values" | paste -sd, | sed 's/,/, /g'))"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# us_per_rt TICKS RUN: CPU ticks taken over RUN's whole load (warm-up included),
# in µs per round trip of that whole load.
us_per_rt() {
    awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v rate="$(j "$2" .round_trips_per_s)" -v s="$(j "$2" .window_s)" \
        'BEGIN { if (rate > 0) printf "%.1f", t / hz * 1e6 / (rate * (s + 2)); else print "—" }'
}
# start_bench_mosquitto DIR: a private mosquitto with the plugin on a free port,
# as shipped; sets MQTT_PORT and MOSQ_PID.
start_bench_mosquitto() {
    MQTT_PORT=$(free_port)
    export SWITCHBOARD_MQTT_PASSWORD=bench-local
    # The broker checks logins and topics with the plugin, as shipped.
    export SWITCHBOARD_MOSQUITTO_PLUGIN="$BUILD/bridge/mosquitto_auth/switchboard_mosquitto_auth.so"
    "$ROOT/scripts/start-mosquitto.sh" "$MQTT_PORT" "$1" >"$1.out" 2>&1 &
    PIDS+=($!)
    wait_port "$MQTT_PORT"
    MOSQ_PID=$(pgrep -n -f "mosquitto -c $1/" || true)
}
# wait_mqtt_clients PORT N: until the gateway on PORT knows N MQTT (or remote) clients (bounded, 20 s).
wait_mqtt_clients() {
    for _ in $(seq 1 200); do
        [ "$(curl -sf "http://127.0.0.1:$1/stats" | jq -r '.mqtt.clients // 0')" -ge "$2" ] && return 0
        sleep 0.1
    done
    log "the gateway on port $1 knows fewer than $2 MQTT clients"
}

W1MQTT=skipped
if wants "$WORKLOADS" W1 || wants "$WORKLOADS" W1-open || wants "$WORKLOADS" W3; then
    # ---- W1, W1-open, W3 on one gateway and one fleet of 1,000 ----
    start_gateway
    start_fleet w1 --devices 1000 --id-prefix dev- --threads 1
    FLEET_PID=$FLEET_w1_PID
fi
if wants "$WORKLOADS" W1; then
    log "W1: closed loop, 1,000 devices, 10 x 32, ${SECONDS_W1}s, three runs"
    for run in 1 2 3; do
        load "w1-$run" --devices 1000 --controllers 10 --inflight 32 --args-bytes 100 --duration "${SECONDS_W1}s" --warmup 2s --fleet-pid "$FLEET_PID"
    done
    W1_RANGE=$(median_of w1 .gateway.cpu_us_per_round_trip w1-1 w1-2 w1-3)
    W1_RSS=$(rss_kib "$GW_PID")
    if wants "$PEERS" floor; then
        # Closed loop, the floor runs faster and batches more per system call:
        # also compare the two at one rate, open loop, half the gateway's W1 rate
        # (open loop costs more per round trip: at 80 % a busy machine fell behind).
        EQ_RATE=$(awk -v r="$(j w1 .round_trips_per_s)" 'BEGIN { printf "%d", int(r * 0.5 / 500) * 500 }')
        if [ "$EQ_RATE" -gt 0 ]; then
            log "W1-eq: open loop at $EQ_RATE commands/s (for the floor's comparison), three runs"
            for run in 1 2 3; do
                # A run that falls behind ends with errors (overloaded) and a non-zero
                # status; its row shows it (round trips/s under the rate).
                load "w1eq-$run" --devices 1000 --controllers 10 --rate "$EQ_RATE" --args-bytes 100 --duration "${SECONDS_W1}s" --warmup 2s --fleet-pid "$FLEET_PID" ||
                    log "W1-eq run $run: the generator exited non-zero"
            done
            have_all w1eq-1 w1eq-2 w1eq-3 && W1EQ_RANGE=$(median_of w1eq .gateway.cpu_us_per_round_trip w1eq-1 w1eq-2 w1eq-3)
        fi
    fi

    if [ "$PROFILE" = 1 ] && command -v perf >/dev/null; then
        log "profiling the gateway during W1 (perf record + perf stat, 8 s)"
        "$SIM" load --url "$URL" --devices 1000 --controllers 10 --inflight 32 --duration 9s --json "$WORK/w1-prof.json" >/dev/null &
        LOAD_PID=$!
        sleep 0.5
        perf record -F 2999 -g -p "$GW_PID" -o "$WORK/perf.data" -- sleep 4 >/dev/null 2>&1 || true
        perf stat -e raw_syscalls:sys_enter,context-switches -p "$GW_PID" -x, -o "$WORK/perf-stat.txt" -- sleep 3 >/dev/null 2>&1 || true
        wait "$LOAD_PID" || true
        tidy() { grep -E '^ +[0-9]' | sed -E 's/[[:space:]]+-[[:space:]]+-[[:space:]]*$//; s/[[:space:]]+$//' | cut -c1-150; }
        perf report -i "$WORK/perf.data" --no-children --sort symbol --stdio -g none --percent-limit 1 2>/dev/null \
            | tidy | head -25 >"$WORK/perf-top.txt" || true
        perf report -i "$WORK/perf.data" --children --sort symbol --stdio -g none --percent-limit 4 2>/dev/null \
            | tidy | head -30 >"$WORK/perf-inclusive.txt" || true
        perf report -i "$WORK/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null \
            | tidy | head -8 >"$WORK/perf-dso.txt" || true
        perf report -i "$WORK/perf.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null \
            | grep -E '^ +[0-9]' | awk -f "$ROOT/scripts/perf-groups.awk" | sort -rn >"$WORK/perf-groups.txt" || true
        PROF_RT=$(jq -r '.round_trips_per_s' "$WORK/w1-prof.json")
        SYSCALLS=$(awk -F, '/raw_syscalls/ {print $1}' "$WORK/perf-stat.txt")
    fi
fi
if wants "$WORKLOADS" W1-open; then
    log "W1-open: 5,000 commands/s, three runs"
    for run in 1 2 3; do
        load "w1open-$run" --devices 1000 --controllers 10 --rate 5000 --args-bytes 100 --duration "${SECONDS_W1}s" --warmup 2s
    done
    W1OPEN_RANGE=$(median_of w1open .latency_us.p99 w1open-1 w1open-2 w1open-3)
fi
if wants "$WORKLOADS" W3; then
    log "W3: burst of 100,000 from one controller, 256 in flight"
    load w3 --devices 1000 --controllers 1 --inflight 256 --count 100000 --args-bytes 100 --duration 120s
fi
if wants "$WORKLOADS" W1 || wants "$WORKLOADS" W1-open || wants "$WORKLOADS" W3; then
    stop_fleet w1
    stop_gateway
fi

if wants "$WORKLOADS" W1-2t; then
    log "W1-2t: W1 with the gateway on its default threads ($(nproc))"
    GW_THREADS=0 start_gateway
    start_fleet w1t --devices 1000 --id-prefix dev- --threads 1
    load w1-2t --devices 1000 --controllers 10 --inflight 32 --args-bytes 100 --duration "${SECONDS_W1}s" --warmup 2s --fleet-pid "$FLEET_w1t_PID"
    stop_fleet w1t
    stop_gateway
fi

if wants "$WORKLOADS" W1-wss; then
    # ---- W1-wss: W1 and W1-open over TLS, then idle TLS connections ----
    log "W1-wss: W1 over wss://, 1,000 devices, 10 x 32, ${SECONDS_W1}s, three runs"
    start_wss_gateway
    start_fleet wss --devices 1000 --id-prefix dev- --threads 1
    for run in 1 2 3; do
        load "w1wss-$run" --devices 1000 --controllers 10 --inflight 32 --args-bytes 100 --duration "${SECONDS_W1}s" --warmup 2s --fleet-pid "$FLEET_wss_PID"
    done
    W1WSS_RANGE=$(median_of w1wss .gateway.cpu_us_per_round_trip w1wss-1 w1wss-2 w1wss-3)
    log "W1-wss-open: 5,000 commands/s over wss:// (W1-open's rate), three runs"
    for run in 1 2 3; do
        # A gateway that cannot carry the rate (Beast's TLS wire could not, here)
        # ends the run with a non-zero status; its row shows it.
        load "w1wssopen-$run" --devices 1000 --controllers 10 --rate 5000 --args-bytes 100 --duration "${SECONDS_W1}s" --warmup 2s ||
            log "W1-wss-open run $run: the generator exited non-zero"
    done
    have_all w1wssopen-1 w1wssopen-2 w1wssopen-3 &&
        W1WSSOPEN_RANGE=$(median_of w1wssopen .gateway.cpu_us_per_round_trip w1wssopen-1 w1wssopen-2 w1wssopen-3)
    stop_fleet wss
    stop_gateway
    # Paced: at the fleet's default 5,000/s the gateway holds hundreds of TLS
    # handshakes at once (asio's stream and OpenSSL's handshake buffers, tens
    # of KiB each, freed after the upgrade), and the heap keeps that peak: the
    # figure would measure the burst, not what an idle connection holds.
    log "W2-wss: 5,000 idle wss:// connections, 500 new per second"
    measure_idle idlewss 5000 start_wss_gateway --connect-rate 500
    WSS_BASE_RSS=$IDLE_BASE_RSS WSS_IDLE_RSS=$IDLE_RSS WSS_IDLE_S=$IDLE_S
fi

if wants "$WORKLOADS" W2; then
    # ---- W2: idle connections ----
    log "W2: 10,000 idle connections"
    measure_idle idle10k 10000 start_gateway
    BASE_RSS=$IDLE_BASE_RSS IDLE10_RSS=$IDLE_RSS IDLE10_S=$IDLE_S

    log "W2: 19,000 connections: 17,990 idle + W1 (1,000 devices + 10 controllers)"
    start_gateway
    BASE19_RSS=$(rss_kib "$GW_PID")
    start_fleet idleA --devices 8995 --id-prefix idleA- --source-address 127.0.0.2,127.0.0.3 --threads 1
    start_fleet idleB --devices 8995 --id-prefix idleB- --source-address 127.0.0.4,127.0.0.5 --threads 1
    IDLE19_S="$(fleet_ready_s idleA) + $(fleet_ready_s idleB)"
    IDLE18_RSS=$(rss_kib "$GW_PID")
    start_fleet w1b --devices 1000 --id-prefix dev- --threads 1
    load w1at19k --devices 1000 --controllers 10 --inflight 32 --args-bytes 100 --duration "${SECONDS_W1}s" --warmup 2s
    IDLE19_RSS=$(rss_kib "$GW_PID")
    stop_gateway
fi

if wants "$WORKLOADS" W1-mqtt; then
    # ---- W1-mqtt: the devices on MQTT, the controllers on WebSocket ----
    if command -v mosquitto >/dev/null; then
        log "W1-mqtt: 1,000 MQTT devices through mosquitto, 10 WebSocket controllers x 32"
        start_bench_mosquitto "$WORK/mosquitto"
        start_gateway --mqtt-url "tcp://127.0.0.1:$MQTT_PORT" --mqtt-username switchboard-gateway
        start_fleet mqtt --devices 1000 --id-prefix dev- --threads 1 --transport mqtt \
            --mqtt-url "tcp://127.0.0.1:$MQTT_PORT"
        # The gateway learns of MQTT devices from their retained status: wait until it knows all.
        wait_mqtt_clients "$PORT" 1000
        MOSQ_T0=$( [ -n "$MOSQ_PID" ] && cpu_ticks "$MOSQ_PID" || echo 0)
        load w1mqtt --devices 1000 --controllers 10 --inflight 32 --args-bytes 100 --duration "${SECONDS_W1}s" \
            --warmup 2s --fleet-pid "$FLEET_mqtt_PID"
        MOSQ_T1=$( [ -n "$MOSQ_PID" ] && cpu_ticks "$MOSQ_PID" || echo 0)
        # mosquitto's CPU over the whole run (warm-up included) per round trip of the whole run.
        W1MQTT_MOSQ_US=$(us_per_rt "$((MOSQ_T1 - MOSQ_T0))" w1mqtt)
        # Issue 12's bridged goal is a ratio at one rate: beside the MQTT fleet, 1,000
        # WebSocket devices on the same gateway, driven by the same controllers at the
        # same rate, the two halves alternating so that drift falls on both.
        start_fleet mqttplain --devices 1000 --id-prefix ws- --threads 1
        log "W1-mqtt-open and W1-mqtt-plain: 2,000 commands/s to MQTT, then WebSocket devices, three runs each"
        for run in 1 2 3; do
            load "w1mqttopen-$run" --devices 1000 --controllers 10 --rate 2000 --args-bytes 100 \
                --duration "${SECONDS_W1}s" --warmup 2s --fleet-pid "$FLEET_mqtt_PID" ||
                log "W1-mqtt-open run $run: the generator exited non-zero"
            load "w1mqttplain-$run" --devices 1000 --id-prefix ws- --controllers 10 --rate 2000 --args-bytes 100 \
                --duration "${SECONDS_W1}s" --warmup 2s --fleet-pid "$FLEET_mqttplain_PID" ||
                log "W1-mqtt-plain run $run: the generator exited non-zero"
        done
        have_all w1mqttopen-1 w1mqttopen-2 w1mqttopen-3 &&
            W1MQTTOPEN_RANGE=$(median_of w1mqttopen .gateway.cpu_us_per_round_trip w1mqttopen-1 w1mqttopen-2 w1mqttopen-3)
        have_all w1mqttplain-1 w1mqttplain-2 w1mqttplain-3 &&
            W1MQTTPLAIN_RANGE=$(median_of w1mqttplain .gateway.cpu_us_per_round_trip w1mqttplain-1 w1mqttplain-2 w1mqttplain-3)
        W1MQTT=done
        stop_fleet mqttplain
        kill "$FLEET_mqtt_PID" 2>/dev/null; wait "$FLEET_mqtt_PID" 2>/dev/null || true
        stop_gateway
    fi
fi

W12N=skipped
if wants "$WORKLOADS" W1-2n && command -v mosquitto >/dev/null; then
    # ---- W1-2n: W1 across two gateway nodes (docs/scaling.md): every command
    # and its response cross the broker, node A to a device's inbox on node B
    # and the response back to the controller's inbox on node A ----
    log "W1-2n: 1,000 WebSocket devices on node B, 10 controllers x 32 on node A, one mosquitto"
    start_bench_mosquitto "$WORK/mosquitto-2n"
    start_server gw-b "$GW_BIN" --config "$ROOT/config/switchboard.bench.json" --threads "$GW_THREADS" \
        --node gw-b --mqtt-url "tcp://127.0.0.1:$MQTT_PORT" --mqtt-username switchboard-gateway
    NODE_B_PID=$GW_PID
    start_fleet w12n --devices 1000 --id-prefix dev- --threads 1
    start_gateway --node gw-a --mqtt-url "tcp://127.0.0.1:$MQTT_PORT" --mqtt-username switchboard-gateway
    # Node A learns of node B's devices from their retained statuses: wait until it knows all.
    wait_mqtt_clients "$PORT" 1000
    B_T0=$(cpu_ticks "$NODE_B_PID")
    MOSQ_T0=$( [ -n "$MOSQ_PID" ] && cpu_ticks "$MOSQ_PID" || echo 0)
    load w12n --devices 1000 --controllers 10 --inflight 32 --args-bytes 100 --duration "${SECONDS_W1}s" \
        --warmup 2s --fleet-pid "$FLEET_w12n_PID"
    W12N_B_US=$(us_per_rt "$(($(cpu_ticks "$NODE_B_PID") - B_T0))" w12n)
    W12N_MOSQ_US=$(us_per_rt "$(( $( [ -n "$MOSQ_PID" ] && cpu_ticks "$MOSQ_PID" || echo 0) - MOSQ_T0))" w12n)
    # mosquitto's share of the CPU the three servers spent per round trip.
    W12N_MOSQ_SHARE=$(awk -v a="$(j w12n .gateway.cpu_us_per_round_trip)" -v b="$W12N_B_US" -v m="$W12N_MOSQ_US" \
        'BEGIN { if (a + b + m > 0) printf "%.0f", 100 * m / (a + b + m); else print "—" }')
    W12N=done
    stop_fleet w12n
    stop_gateway
    kill "$NODE_B_PID" 2>/dev/null; wait "$NODE_B_PID" 2>/dev/null || true
fi

# ---- Q1: queued commands (ttl_ms) for offline devices, the store on ----
# queued_workload NAME SYNC: a fresh gateway whose store (store.sync SYNC) is
# a new file in $WORK; 20,000 commands with ttl_ms to 1,000 devices that are
# offline, each complete at its `ack queued`; then the 1,000 devices come
# online and QUEUED_SEND_S[NAME] is the time from starting them until the
# gateway holds no queued command (registration included). The queue limits
# are raised to hold the 20,000 (at most ~40 per device with random targets);
# controller recovery is off, so the outcomes need no controller.
declare -A QUEUED_SEND_S
queued_workload() {
    local name=$1 sync=$2 conf=$WORK/$1-config.json
    grep -v '^ *//' "$ROOT/config/switchboard.bench.json" |
        jq --arg db "$WORK/$name.db" --arg sync "$sync" '.store = {path: $db, sync: $sync}
            | .limits.max_queued_per_device = 1000 | .limits.max_queued_bytes = 268435456
            | .limits.recovery_window_ms = 0' >"$conf"
    start_server "gw-$name" "$GW_BIN" --config "$conf" --threads "$GW_THREADS"
    load "$name" --devices 1000 --id-prefix off- --controllers 10 --inflight 32 --count 20000 \
        --ttl-ms 600000 --args-bytes 100 --duration 120s
    local t0 queued
    t0=$(date +%s.%N)
    start_fleet "$name" --devices 1000 --id-prefix off- --threads 1
    for _ in $(seq 1 1200); do
        queued=$(curl -sf "http://127.0.0.1:$PORT/stats" | jq -r '.queued_commands' || true)
        [ "$queued" = 0 ] && break
        sleep 0.1
    done
    QUEUED_SEND_S[$name]=$(awk -v a="$t0" -v b="$(date +%s.%N)" -v q="$queued" \
        'BEGIN { if (q == 0) printf "%.1f", b - a; else printf "not done (%s left after 120 s)", q }')
    stop_fleet "$name"
    stop_gateway
}
if wants "$WORKLOADS" Q1; then
    log "Q1: 20,000 queued commands to 1,000 offline devices, store.sync normal, then full"
    queued_workload q1_normal normal
    queued_workload q1_full full
fi

# ---- peers: the same workloads against other servers ----
declare -A PEER_LABEL=([floor]="floor (C++ epoll) relay" [ws]="ws (node) relay" [socketio]="Socket.IO 4 (node) relay"
    [mosquitto]="mosquitto alone, per-device topics, QoS 0 (node mqtt.js generator, not switchboard-sim)")
declare -A PEER_IDLE_S PEER_IDLE_RSS PEER_BASE_RSS

# peer_workloads NAME: W1 into $WORK/peer-NAME.json, then W2 with 10,000 idle.
peer_workloads() {
    local name=$1 start="start_${1}_relay"
    log "peer ${PEER_LABEL[$name]}: W1 closed loop, 1,000 devices, 10 x 32, ${SECONDS_W1}s"
    "$start"
    start_fleet "peer_${name}" --devices 1000 --id-prefix dev- --threads 1
    local fleet_pid_var="FLEET_peer_${name}_PID"
    if [ "$name" = floor ]; then
        # The gateway's ratio to it is a headline: three runs, the median, as W1's.
        for run in 1 2 3; do
            load "floor-$run" --devices 1000 --controllers 10 --inflight 32 --args-bytes 100 --duration "${SECONDS_W1}s" --warmup 2s --fleet-pid "${!fleet_pid_var}"
        done
        FLOOR_RANGE=$(median_of peer-floor .gateway.cpu_us_per_round_trip floor-1 floor-2 floor-3)
        if [ "${EQ_RATE:-0}" -gt 0 ]; then
            for run in 1 2 3; do
                load "flooreq-$run" --devices 1000 --controllers 10 --rate "$EQ_RATE" --args-bytes 100 --duration "${SECONDS_W1}s" --warmup 2s --fleet-pid "${!fleet_pid_var}" ||
                    log "floor W1-eq run $run: the generator exited non-zero"
            done
            have_all flooreq-1 flooreq-2 flooreq-3 &&
                FLOOREQ_RANGE=$(median_of peer-flooreq .gateway.cpu_us_per_round_trip flooreq-1 flooreq-2 flooreq-3)
        fi
    else
        load "peer-$name" --devices 1000 --controllers 10 --inflight 32 --args-bytes 100 --duration "${SECONDS_W1}s" --warmup 2s --fleet-pid "${!fleet_pid_var}"
    fi
    stop_fleet "peer_${name}"
    stop_gateway
    log "peer ${PEER_LABEL[$name]}: W2 10,000 idle connections"
    measure_idle "peer_${name}_idle" 10000 "$start"
    PEER_IDLE_S[$name]=$IDLE_S PEER_IDLE_RSS[$name]=$IDLE_RSS PEER_BASE_RSS[$name]=$IDLE_BASE_RSS
}
run_peers() {
    wants "$PEERS" floor && peer_workloads floor
    wants "$PEERS" ws || wants "$PEERS" socketio || wants "$PEERS" mosquitto || return 0
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        PEERS_SKIPPED="node or npm not found"; return
    fi
    if ! timeout 300 npm ci --prefix "$ROOT/scripts/peers" --silent --no-audit --no-fund >"$WORK/npm-ci.out" 2>&1; then
        PEERS_SKIPPED="npm ci failed (see $WORK/npm-ci.out)"; return
    fi
    for peer in ws socketio; do wants "$PEERS" "$peer" && peer_workloads "$peer"; done
    wants "$PEERS" mosquitto && command -v mosquitto >/dev/null && mosquitto_peer
    return 0
}
# W1 through mosquitto with no gateway: devices answer to peer/<from>/in.
mosquitto_peer() {
    log "peer mosquitto: W1 closed loop, 1,000 MQTT devices, 10 x 32, ${SECONDS_W1}s (node generator)"
    local port conf=$WORK/peer-mosquitto.conf
    port=$(free_port)
    printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stdout\nlog_type error\nlog_type warning\n' "$port" >"$conf"
    chmod 644 "$conf"
    mosquitto -c "$conf" >"$WORK/peer-mosquitto.out" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    wait_port "$port" || { kill "$pid" 2>/dev/null; return 0; }
    timeout 180 node "$ROOT/scripts/peers/mosquitto-load.mjs" --url "mqtt://127.0.0.1:$port" --broker-pid "$pid" \
        --json "$WORK/peer-mosquitto.json" --duration "$SECONDS_W1" >&2 || log "mosquitto peer failed"
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
}
PEERS_SKIPPED=""
if [ "$PEERS" = none ]; then PEERS_SKIPPED="PEERS=none"; else run_peers; fi

# ---- the report ----
per_conn() { awk "BEGIN {printf \"%.2f\", ($1 - $2) / $3}"; }
# ratio RUN1 RUN2: RUN1's gateway CPU per round trip ÷ RUN2's.
ratio() { awk -v g="$(j "$1" .gateway.cpu_us_per_round_trip)" -v f="$(j "$2" .gateway.cpu_us_per_round_trip)" 'BEGIN { printf "%.2f", g / f }'; }
REPORT=$WORK/section.md
{
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — $(git -C "$ROOT" rev-parse --short HEAD)"
    echo
    echo "Machine: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), $(nproc) cores," \
         "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r)," \
         "load average before the first workload $LOAD_BEFORE, after the last $(cut -d' ' -f1-3 /proc/loadavg)," \
         "$(echo "$HOST_TICKS_BEFORE $(host_ticks)" | awk 'NF == 4 && $4 > $2 { printf "host steal %.1f %% of the CPU time over the run", 100 * ($3 - $1) / ($4 - $2); next } { printf "host steal not measured" }')."
    echo "Gateway: release build (RelWithDebInfo), one I/O thread (\`--threads 1\`, as the node peers) except in the W1-2t row; generator and fleet: switchboard-sim, 1 I/O thread each, on the same machine."
    [ -n "${W1_RANGE:-}" ] && echo "W1 ran three times; its row shows the run with the median gateway CPU per round trip (range ${W1_RANGE} µs)."
    [ -n "${W1OPEN_RANGE:-}" ] && echo "W1-open ran three times; its row shows the run with the median p99 (range ${W1OPEN_RANGE} µs)."
    [ "$WORKLOADS" = none ] && echo "Peers only: the gateway's workloads were not run."
    [ "$WORKLOADS" != none ] && [ "$WORKLOADS" != "W1 W1-open W3 W1-2t W1-wss W2 W1-mqtt W1-2n Q1" ] && echo "Gateway workloads run: $WORKLOADS (WORKLOADS=)."
    [ "$PEERS" != "floor ws socketio mosquitto" ] && echo "Peers run: $PEERS (PEERS=)."
    [ -f "$WORK/peer-floor.json" ] && echo "Floor peer: scripts/peers/floor-relay.cpp ($(${CXX:-c++} --version | head -1), -O2), one thread," \
        "epoll, ID routing on opaque frames (docs/benchmarks.md, \"The floor peer\"); in its row, \"gateway\" means the relay;" \
        "W1 ran three times on it, the row shows the median CPU per round trip (range ${FLOOR_RANGE:-—} µs)."
    compgen -G "$WORK/peer-[sw]*.json" >/dev/null && echo "Peers: scripts/peers/*-relay.mjs on node $(node --version)," \
        "ws $(jq -r .dependencies.ws "$ROOT/scripts/peers/package.json"), socket.io $(jq -r '.dependencies["socket.io"]' "$ROOT/scripts/peers/package.json")," \
        "routing only (no auth, ACLs, command timeouts or limits); in their rows, \"gateway\" means the relay's node process."
    [ -f "$WORK/peer-mosquitto.json" ] && echo "mosquitto peer: $(mosquitto -h 2>&1 | head -1 | awk '{print $3}') with no ACL and no gateway," \
        "driven by scripts/peers/mosquitto-load.mjs (mqtt.js $(jq -r .dependencies.mqtt "$ROOT/scripts/peers/package.json"), one node process" \
        "for the 1,000 devices and 10 controllers); its row's CPU is mosquitto's."
    echo
    echo "| workload | round trips/s | p50 µs | p99 µs | p99.9 µs | gateway µs CPU / RT | gateway RSS | lost | errors | timeouts |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    rows="w1 w1eq w1wss w1open w1wssopen w1-2t w3 w1at19k"
    [ "$W1MQTT" = done ] && rows="$rows w1mqtt w1mqttopen w1mqttplain"
    [ "$W12N" = done ] && rows="$rows w12n"
    for w in $rows peer-floor peer-flooreq peer-ws peer-socketio peer-mosquitto; do
        [ -f "$WORK/$w.json" ] || continue
        case $w in
            w1mqtt) name="W1-mqtt: devices on MQTT via mosquitto (gateway only; mosquitto ${W1MQTT_MOSQ_US} µs/RT more)";;
            w1) name="W1 closed loop 10×32 (median of 3)";;
            w1-2t) name="W1 closed loop, gateway on $(nproc) I/O threads";;
            w1mqttopen) name="W1-mqtt-open at 2,000/s (latency from intended send; median CPU of 3, range ${W1MQTTOPEN_RANGE:-—} µs)";;
            w1mqttplain) name="W1-mqtt-plain: W1-mqtt-open's twin, 1,000 WebSocket devices on the same gateway (median CPU of 3, range ${W1MQTTPLAIN_RANGE:-—} µs$( [ -f "$WORK/w1mqttopen.json" ] && echo "; bridged ÷ plain $(ratio w1mqttopen w1mqttplain)×"))";;
            w12n) name="W1-2n: controllers on node A, devices on node B, one mosquitto (node A only; node B ${W12N_B_US} µs/RT, mosquitto ${W12N_MOSQ_US} µs/RT more: ${W12N_MOSQ_SHARE} % of the three)";;
            w1wss) name="W1-wss: W1 over wss:// (median of 3, range ${W1WSS_RANGE} µs)";;
            w1wssopen) name="W1-wss-open: W1-open over wss:// (median CPU of 3, range ${W1WSSOPEN_RANGE} µs)";;
            w1open) name="W1-open at 5,000/s (latency from intended send; median p99 of 3)";;
            w3) name="W3 burst 100,000, 1×256";;
            w1at19k) name="W1 with 17,990 idle alongside (19,000 connections)";;
            w1eq) name="W1-eq: open loop at ${EQ_RATE}/s, for the floor (median of 3, range ${W1EQ_RANGE} µs)";;
            peer-flooreq) name="${PEER_LABEL[floor]}, W1-eq at ${EQ_RATE}/s (median of 3, range ${FLOOREQ_RANGE} µs)";;
            peer-mosquitto) name="${PEER_LABEL[mosquitto]}, W1 closed loop 10×32; \"gateway\" = mosquitto";;
            peer-floor) name="${PEER_LABEL[floor]}, W1 closed loop 10×32 (median of 3)";;
            peer-*) name="${PEER_LABEL[${w#peer-}]}, W1 closed loop 10×32";;
        esac
        echo "| $name | $(fmt "$(j $w .round_trips_per_s)" 0) | $(fmt "$(j $w .latency_us.p50)") | $(fmt "$(j $w .latency_us.p99)") | $(fmt "$(j $w .latency_us.p999)") | $(fmt "$(j $w .gateway.cpu_us_per_round_trip)" 2) | $(( $(j $w .gateway.rss_kib) / 1024 )) MiB | $(j $w .lost) | $(j $w .errors_total) | $(j $w .timeouts) |"
    done
    echo
    [ -f "$WORK/w1.json" ] && [ -f "$WORK/w1wss.json" ] && echo "W1-wss / W1, gateway CPU per round trip:" \
        "$(ratio w1wss w1) (goal ≤ 1.5)." && echo
    [ -f "$WORK/w1open.json" ] && [ -f "$WORK/w1wssopen.json" ] && echo "At the same rate (5,000/s), W1-wss-open / W1-open:" \
        "$(ratio w1wssopen w1open)." && echo
    [ -f "$WORK/w1mqttopen.json" ] && [ -f "$WORK/w1mqttplain.json" ] && echo "Bridged ÷ plain at the same rate (2,000/s open loop, one gateway)," \
        "gateway CPU per round trip, W1-mqtt-open ÷ W1-mqtt-plain: $(fmt "$(j w1mqttopen .gateway.cpu_us_per_round_trip)" 2) ÷" \
        "$(fmt "$(j w1mqttplain .gateway.cpu_us_per_round_trip)" 2) µs = $(ratio w1mqttopen w1mqttplain)× (goal ≤ 2);" \
        "p99, median of the three runs: $(median_value .latency_us.p99 w1mqttopen-1 w1mqttopen-2 w1mqttopen-3) µs bridged" \
        "(goal ≤ 5,000 µs) against $(median_value .latency_us.p99 w1mqttplain-1 w1mqttplain-2 w1mqttplain-3) µs plain." && echo
    if [ -f "$WORK/q1_normal.json" ]; then
        echo "| Q1 queued commands, 20,000 to 1,000 offline devices, 10×32 | acknowledged durable/s | ack p50 µs | ack p99 µs | gateway µs CPU / command | sent to the devices once online | errors | lost |"
        echo "|---|---|---|---|---|---|---|---|"
        for w in q1_normal q1_full; do
            [ -f "$WORK/$w.json" ] || continue
            echo "| store.sync ${w#q1_} | $(fmt "$(j $w .round_trips_per_s)" 0) | $(fmt "$(j $w .latency_us.p50)") | $(fmt "$(j $w .latency_us.p99)") | $(fmt "$(j $w .gateway.cpu_us_per_round_trip)" 2) | ${QUEUED_SEND_S[$w]} s (registration included) | $(j $w .errors_total) | $(j $w .lost) |"
        done
        echo
    fi
    if [ -n "${WSS_IDLE_RSS:-}${IDLE10_RSS:-}${PEER_IDLE_RSS[*]:-}" ]; then
        echo "| W2 idle connections | connect time (all registered) | gateway RSS | RSS per connection |"
        echo "|---|---|---|---|"
    fi
    [ -n "${WSS_IDLE_RSS:-}" ] && echo "| 5,000 on wss:// (500 new per second) | $WSS_IDLE_S s | $((WSS_IDLE_RSS / 1024)) MiB | $(per_conn "$WSS_IDLE_RSS" "$WSS_BASE_RSS" 5000) KiB |"
    if [ -n "${IDLE10_RSS:-}" ]; then
        echo "| 10,000 | $IDLE10_S s | $((IDLE10_RSS / 1024)) MiB | $(per_conn "$IDLE10_RSS" "$BASE_RSS" 10000) KiB |"
        echo "| 17,990 idle | $IDLE19_S s (two fleets of 8,995, one after the other) | $((IDLE18_RSS / 1024)) MiB | $(per_conn "$IDLE18_RSS" "$BASE19_RSS" 17990) KiB |"
        echo "| 19,000 with W1 running | — | $((IDLE19_RSS / 1024)) MiB | — |"
    fi
    for peer in floor ws socketio; do
        [ -n "${PEER_IDLE_RSS[$peer]:-}" ] || continue
        echo "| 10,000 on the ${PEER_LABEL[$peer]} | ${PEER_IDLE_S[$peer]} s | $((PEER_IDLE_RSS[$peer] / 1024)) MiB | $(per_conn "${PEER_IDLE_RSS[$peer]}" "${PEER_BASE_RSS[$peer]}" 10000) KiB |"
    done
    echo
    [ -n "$PEERS_SKIPPED" ] && echo "Peers: not run ($PEERS_SKIPPED)."
    [ -f "$WORK/w1.json" ] && echo "W1: generator CPU $(fmt "$(j w1 .generator.cpu_us_per_round_trip)" 2) µs/RT, fleet CPU $(fmt "$(j w1 .fleet.cpu_us_per_round_trip)" 2) µs/RT" \
         "(gateway $(fmt "$(j w1 .gateway.user_s)" 2) s user + $(fmt "$(j w1 .gateway.system_s)" 2) s system over $(fmt "$(j w1 .window_s)" 1) s)."
    if [ -f "$WORK/w1.json" ] && [ -f "$WORK/peer-floor.json" ]; then
        echo "W1, gateway ÷ floor: $(ratio w1 peer-floor)× the floor's CPU per round trip (goal ≤ 1.5×)," \
             "closed loop, at $(fmt "$(j w1 .round_trips_per_s)" 0) and $(fmt "$(j peer-floor .round_trips_per_s)" 0) round trips/s."
    fi
    if [ -f "$WORK/w1eq.json" ] && [ -f "$WORK/peer-flooreq.json" ]; then
        echo "W1-eq, gateway ÷ floor at one rate (open loop, ${EQ_RATE}/s): $(ratio w1eq peer-flooreq)×."
    fi
    [ "$W1MQTT" = done ] || ! wants "$WORKLOADS" W1-mqtt || echo "W1-mqtt: skipped (mosquitto is not installed)."
    [ "$W12N" = done ] || ! wants "$WORKLOADS" W1-2n || echo "W1-2n: skipped (mosquitto is not installed)."
    if [ -s "${WORK}/perf-top.txt" ]; then
        echo
        echo "Profile of the gateway during W1 ($(fmt "$PROF_RT" 0) RT/s; perf record -g, 4 s):" \
             "$( [ -n "${SYSCALLS:-}" ] && awk "BEGIN {printf \"%.1f system calls per round trip\", ${SYSCALLS} / 3 / ${PROF_RT}}")"
        echo
        echo '```'
        echo "by part of the work (self time):"; cat "$WORK/perf-groups.txt"
        echo "by object:"; cat "$WORK/perf-dso.txt"
        echo "top symbols (self):"; cat "$WORK/perf-top.txt"
        echo "inclusive (children), >= 4 %:"; cat "$WORK/perf-inclusive.txt"
        echo '```'
    fi
} >"$REPORT"

if [ "${NO_APPEND:-0}" = 1 ]; then
    cat "$REPORT"
else
    mkdir -p "$ROOT/docs"
    [ -f "$ROOT/docs/benchmarks.md" ] || printf '# Benchmarks\n\nAppended by scripts/bench.sh.\n' >"$ROOT/docs/benchmarks.md"
    cat "$REPORT" >>"$ROOT/docs/benchmarks.md"
    log "appended to docs/benchmarks.md"
    cat "$REPORT"
fi
log "raw results in $WORK"
