#!/usr/bin/env bash
# Instructions the gateway executes per command round trip, counted by
# valgrind's callgrind: the same figure for the same binary and inputs
# whatever else the machine is doing, so two builds can be compared on a busy
# machine where wall-clock and CPU-time figures cannot (docs/benchmarks.md).
#   scripts/instructions-per-rt.sh GATEWAY SIM [GATEWAY ...]
# For each gateway binary: one I/O thread, auth disabled; 10
# simulated devices and 2 controllers x 4 in flight send `echo` with 100-byte
# args (switchboard-sim load --count N). It runs N = 200 and N = 2,200 and
# prints (Ir(2,200) - Ir(200)) / 2,000, so start-up and shutdown cancel out.
# TRANSPORT=mqtt puts the 10 devices on MQTT instead, through a private
# mosquitto (scripts/start-mosquitto.sh, a free loopback port) that the
# gateway bridges: the bridged round trip's instructions, Paho's threads
# included (mosquitto's own are not counted).
# KEEP_WORK=1 keeps the run's folder (logs) for a look after.
# KEEP=DIR keeps each gateway's 2,200-round-trip profile as DIR/N.callgrind
# (N counts the gateways from 1), for callgrind_annotate: where the
# instructions go.
# TRANSPORT=wss runs every connection over TLS (a dev certificate made for
# the run): W1's round trip on wss://, to set beside the ws:// figure.
# Each run is bounded (the load by its count, every wait by a time limit).
set -euo pipefail

if (($# < 2)); then
  echo "usage: $0 GATEWAY SIM [GATEWAY ...]" >&2
  exit 2
fi
sim=$2
gateways=("$1" "${@:3}")
transport=${TRANSPORT:-ws}
if [[ $transport != ws && $transport != wss && $transport != mqtt ]]; then
  echo "TRANSPORT must be ws, wss or mqtt" >&2
  exit 2
fi
work=$(mktemp -d /tmp/sb-irrt.XXXXXX)
chmod 711 "$work" # the private mosquitto runs as user mosquitto and reads its files in there
trap 'pkill -P $$ 2>/dev/null || true; [[ -n ${KEEP_WORK:-} ]] || rm -rf "$work"' EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() {
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on $1" >&2
  return 1
}

gateway_flags=()
device_flags=()
scheme=ws
load_flags=()
tls_key='"enabled": false'
if [[ $transport == wss ]]; then
  "$(dirname "$0")/make-dev-cert.sh" "$work/cert" >/dev/null
  scheme=wss
  tls_key="\"enabled\": true, \"cert_file\": \"$work/cert/cert.pem\", \"key_file\": \"$work/cert/key.pem\""
  device_flags=(--ca-file "$work/cert/cert.pem")
  load_flags=(--ca-file "$work/cert/cert.pem")
fi
if [[ $transport == mqtt ]]; then
  export SWITCHBOARD_MQTT_PASSWORD=irrt-local
  mqtt_port=$(free_port)
  "$(dirname "$0")/start-mosquitto.sh" "$mqtt_port" "$work/mosquitto" >"$work/mosquitto.log" 2>&1 &
  wait_port "$mqtt_port"
  gateway_flags=(--mqtt-url "tcp://127.0.0.1:$mqtt_port" --mqtt-username switchboard-gateway)
  device_flags=(--transport mqtt --mqtt-url "tcp://127.0.0.1:$mqtt_port")
fi

# Keys every gateway since the first release knows, so older builds can be measured too.
cat >"$work/config.json" <<EOF
{
  "tls": {$tls_key},
  "listen": {"address": "127.0.0.1"},
  "threads": 1,
  "log_level": "warn",
  "limits": {"max_connections_per_address": 0, "frames_per_second": 0},
  "auth": {"mode": "disabled"},
  "mqtt": {"enabled": false}
}
EOF

# Ir of one gateway run serving `count` round trips.
instructions_for() {
  local gateway=$1 count=$2 port out
  port=$(free_port)
  out="$work/callgrind.$count"
  valgrind --tool=callgrind --callgrind-out-file="$out" "$gateway" --config "$work/config.json" \
    --port "$port" "${gateway_flags[@]}" >"$work/gateway.log" 2>&1 &
  local gw=$!
  wait_port "$port"
  "$sim" fleet --url "$scheme://127.0.0.1:$port/ws" --devices 10 --id-prefix irrt- --quiet \
    "${device_flags[@]}" >"$work/fleet.log" 2>&1 &
  local fleet=$!
  sleep 3
  if [[ $transport == mqtt ]]; then
    # The gateway learns of MQTT devices from their retained status.
    for _ in $(seq 1 300); do
      [[ $(curl -sf "http://127.0.0.1:$port/stats" | jq -r '.mqtt.clients // 0') -ge 10 ]] && break
      sleep 0.1
    done
  fi
  timeout 300 "$sim" load --url "$scheme://127.0.0.1:$port/ws" --devices 10 --id-prefix irrt- \
    "${load_flags[@]}" \
    --controllers 2 --inflight 4 --count "$count" --args-bytes 100 --json-only \
    >"$work/load.$count.json" 2>"$work/load.log"
  local answered
  answered=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["answered"])' \
    "$work/load.$count.json")
  if [[ $answered != "$count" ]]; then
    echo "$gateway: $answered of $count commands answered; see $work" >&2
    trap - EXIT
    return 1
  fi
  kill -TERM "$fleet" 2>/dev/null || true
  wait "$fleet" 2>/dev/null || true
  kill -TERM "$gw"
  for _ in $(seq 1 300); do kill -0 "$gw" 2>/dev/null || break; sleep 0.1; done
  wait "$gw" 2>/dev/null || true
  grep -m1 -E '^(summary|totals):' "$out" | awk '{print $2}'
}

n=0
for gateway in "${gateways[@]}"; do
  n=$((n + 1))
  small=$(instructions_for "$gateway" 200)
  large=$(instructions_for "$gateway" 2200)
  if [[ -n ${KEEP:-} ]]; then
    mkdir -p "$KEEP"
    cp "$work/callgrind.2200" "$KEEP/$n.callgrind"
  fi
  echo "$gateway: Ir(200 RT) $small, Ir(2,200 RT) $large, instructions per round trip $(((large - small) / 2000))"
done
