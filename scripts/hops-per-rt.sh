#!/usr/bin/env bash
# System calls and thread wake-ups per command round trip, per thread of the
# gateway, bridged (devices on MQTT) against plain (devices on WebSocket) at
# one open-loop rate: where issue 12's bridged round trip spends its
# hand-offs (docs/benchmarks.md, "Where the time goes"). Counts, unlike CPU
# time, barely move with the rest of the machine's load.
#   scripts/hops-per-rt.sh GATEWAY SIM
# One gateway (one I/O thread, config/switchboard.bench.json) bridged to a
# private mosquitto (scripts/start-mosquitto.sh, a free loopback port), a
# fleet of 1,000 MQTT devices and one of 1,000 WebSocket devices; then, for
# each kind, 10 controllers send `echo` with 100-byte args at RATE (default
# 2,000) commands/s for 10 s after a 2 s warm-up, twice in turn
# (RUNS=2: bridged, plain, bridged, plain). During the middle SECONDS
# (default 6) of each run, `perf stat` counts the gateway's system calls by
# thread and name (in the kernel: nothing is traced), and /proc counts each thread's voluntary and forced
# context switches (a voluntary one is a wait that a wake-up ended).
# Each figure is divided by the round trips the load answered in that time
# (RATE x SECONDS: open loop, so the rate is fixed; the run's JSON says
# whether it kept up). Needs perf, mosquitto, jq, root (or perf allowed).
# KEEP_WORK=1 keeps the folder with the raw perf output.
set -euo pipefail

if (($# != 2)); then
    echo "usage: $0 GATEWAY SIM" >&2
    exit 2
fi
gateway=$1
sim=$2
rate=${RATE:-2000}
seconds=${SECONDS_TRACED:-6}
runs=${RUNS:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/sb-hops.XXXXXX)
chmod 711 "$work" # the private mosquitto runs as user mosquitto and reads its files in there
pids=()
cleanup() {
    for pid in "${pids[@]:-}"; do [[ -n $pid ]] && kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [[ -n ${KEEP_WORK:-} ]] || rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_line() { # wait_line FILE TEXT: bounded, 60 s
    for _ in $(seq 1 600); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "timed out waiting for '$2' in $1" >&2
    return 1
}

export SWITCHBOARD_MQTT_PASSWORD=hops-local
mqtt_port=$(free_port)
"$root/scripts/start-mosquitto.sh" "$mqtt_port" "$work/mosquitto" >"$work/mosquitto.log" 2>&1 &
pids+=($!)
wait_line "$work/mosquitto.log" "mosquitto on"
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$mqtt_port") 2>/dev/null && break; sleep 0.1; done

"$gateway" --config "$root/config/switchboard.bench.json" --threads 1 \
    --mqtt-url "tcp://127.0.0.1:$mqtt_port" --mqtt-username switchboard-gateway >"$work/gw.log" 2>&1 &
gw=$!
pids+=("$gw")
wait_line "$work/gw.log" "listening on"
port=$(grep -m1 "listening on" "$work/gw.log" | grep -o '[0-9]*$')
url="ws://127.0.0.1:$port/ws"
"$sim" fleet --url "$url" --devices 1000 --id-prefix dev- --threads 1 --transport mqtt \
    --mqtt-url "tcp://127.0.0.1:$mqtt_port" --quiet >"$work/fleet-mqtt.log" 2>&1 &
pids+=($!)
"$sim" fleet --url "$url" --devices 1000 --id-prefix ws- --threads 1 --quiet >"$work/fleet-ws.log" 2>&1 &
pids+=($!)
wait_line "$work/fleet-mqtt.log" "fleet ready"
wait_line "$work/fleet-ws.log" "fleet ready"
for _ in $(seq 1 300); do
    [[ $(curl -sf "http://127.0.0.1:$port/stats" | jq -r '.mqtt.clients // 0') -ge 1000 ]] && break
    sleep 0.1
done

# Per thread name: voluntary and forced context switches so far.
switches() {
    for t in /proc/"$gw"/task/*; do
        printf '%s %s %s\n' "$(tr ' ' _ <"$t/comm")" \
            "$(awk '/^voluntary_ctxt_switches/ {print $2}' "$t/status")" \
            "$(awk '/^nonvoluntary_ctxt_switches/ {print $2}' "$t/status")"
    done | awk '{v[$1] += $2; n[$1] += $3} END {for (k in v) print k, v[k], n[k]}' | sort
}

# Counted in the kernel (perf stat), not traced: the gateway runs at its own pace.
calls="poll recvfrom writev sendmsg sendto futex epoll_wait epoll_ctl timerfd_settime read write getsockopt"
events=raw_syscalls:sys_enter
for c in $calls; do events+=",syscalls:sys_enter_$c"; done

# One traced run: RUN KIND PREFIX.
traced_run() {
    local name=$1 prefix=$2
    "$sim" load --url "$url" --devices 1000 --id-prefix "$prefix" --controllers 10 --rate "$rate" \
        --args-bytes 100 --duration 10s --warmup 2s --gateway-pid "$gw" --json "$work/$name.json" >"$work/$name.txt" 2>&1 &
    local load=$!
    sleep 4
    switches >"$work/$name.cs0"
    timeout $((seconds + 5)) perf stat --per-thread -x, -e "$events" -p "$gw" -o "$work/$name.stat" \
        -- sleep "$seconds" >/dev/null 2>&1 || true
    switches >"$work/$name.cs1"
    wait "$load" || echo "$name: the generator exited non-zero (see $work/$name.txt)" >&2
}

# The summary of one run, per thread name: syscalls by name, then switches.
summarize() {
    local name=$1 rts=$((rate * seconds))
    echo "== $name: $(jq -r '"\(.round_trips_per_s | floor) RT/s answered, p99 \(.latency_us.p99 | floor) µs, gateway \(.gateway.cpu_us_per_round_trip) µs CPU/RT (counting included)"' "$work/$name.json"); per round trip over ${seconds} s ($rts RT):"
    # perf stat -x, --per-thread: "comm-tid,count,,event,...".
    awk -F, -v rts="$rts" '
        $2 ~ /^[0-9]+$/ && $2 > 0 {
            thread = $1; sub(/-[0-9]+$/, "", thread)
            call = $4; sub(/^(raw_)?syscalls:sys_enter_?/, "", call); if (call == "") call = "ALL"
            calls[thread " " call] += $2 }
        END { for (k in calls) { split(k, p, " "); printf "  %-16s %-16s %6.2f\n", p[1], p[2], calls[k] / rts } }
        ' "$work/$name.stat" | sort
    join "$work/$name.cs0" "$work/$name.cs1" | awk -v rts="$rts" '
        { v = $4 - $2; n = $5 - $3; tv += v; tn += n
          if (v + n > 0) printf "  %-16s switches: voluntary %.2f, forced %.2f\n", $1, v / rts, n / rts }
        END { printf "  %-16s switches: voluntary %.2f, forced %.2f\n", "ALL", tv / rts, tn / rts }'
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq 1 "$runs"); do
    traced_run "bridged-$run" dev-
    traced_run "plain-$run" ws-
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq 1 "$runs"); do
    summarize "bridged-$run"
    summarize "plain-$run"
done
