#!/usr/bin/env bash
# The main job: installs what is missing, builds (release), starts a private
# mosquitto on loopback, the gateway bridged to it (config/switchboard.json),
# a few simulated devices (half over WebSocket, half over MQTT), and prints
# the dashboard URL. Ctrl-C stops everything it started.
#   scripts/run.sh [--port 8080] [--mqtt-port 18830] [--devices 8]
set -euo pipefail
cd "$(dirname "$0")/.."
port=8080
mqtt_port=18830
devices=8
while (($#)); do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --mqtt-port) mqtt_port="$2"; shift 2 ;;
    --devices) devices="$2"; shift 2 ;;
    *) echo "usage: scripts/run.sh [--port N] [--mqtt-port N] [--devices N]" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh
# Only what runs here: the test suites are scripts/test.sh's business.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake --preset release >/dev/null
cmake --build --preset release --target switchboard switchboard-sim switchboard_mosquitto_auth

pids=()
cleanup() {
  trap - INT TERM EXIT
  # Newest first: the gateway before the broker it is bridged to.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

# The local broker's gateway password; start-mosquitto.sh and the gateway
# both read it from here.
export SWITCHBOARD_MQTT_PASSWORD="${SWITCHBOARD_MQTT_PASSWORD:-switchboard-local}"
mkdir -p build
# The broker's plugin reads the gateway's config: one file decides who may
# be which ID on both transports (auth is disabled in this development
# config, so the simulated devices need no credentials; docs/mqtt.md).
export SWITCHBOARD_MOSQUITTO_PLUGIN="$PWD/build/release/bridge/mosquitto_auth/switchboard_mosquitto_auth.so"
SWITCHBOARD_CONFIG=config/switchboard.json SWITCHBOARD_MQTT_PASSWORD="$SWITCHBOARD_MQTT_PASSWORD" \
  scripts/start-mosquitto.sh "$mqtt_port" > build/mosquitto.log 2>&1 &
pids+=($!)

# The bridge would connect whenever the broker is up; waiting (bounded) for
# it only spares the first run a 'connect failed' warning.
for _ in $(seq 1 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$mqtt_port") 2>/dev/null && break
  sleep 0.1
done
build/release/broker/switchboard --config config/switchboard.json --port "$port" \
  --mqtt-url "tcp://127.0.0.1:$mqtt_port" &
pids+=($!)

for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done

# Simulated devices (docs/simulator.md), sending telemetry every few seconds.
if ((devices > 0)); then
  build/release/device-sim/switchboard-sim fleet --quiet --devices "$devices" --transport mixed \
    --id-prefix pump- --events-per-s 0.5 \
    --url "ws://127.0.0.1:$port/ws" --mqtt-url "tcp://127.0.0.1:$mqtt_port" &
  pids+=($!)
fi
echo
echo "switchboard is running:"
echo "  dashboard  http://127.0.0.1:$port/"
echo "  websocket  ws://127.0.0.1:$port/ws"
echo "  health     http://127.0.0.1:$port/healthz"
echo "  mqtt       tcp://127.0.0.1:$mqtt_port (topics sb/{id}/in|out|status|events, docs/mqtt.md; log: build/mosquitto.log)"
echo "  devices    $devices simulated (pump-0 ... ), half over MQTT"
echo "Ctrl-C stops it."
wait -n "${pids[@]}"
