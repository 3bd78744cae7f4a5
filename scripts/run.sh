#!/usr/bin/env bash
# The main job: installs what is missing, builds (release), starts a private
# mosquitto on loopback, the gateway bridged to it (config/switchboard.json),
# a few simulated devices (half over WebSocket, half over MQTT), and prints
# the dashboard URL. Ctrl-C stops everything it started.
#   scripts/run.sh [--port 8080] [--mqtt-port 18830] [--devices 8] [--auth]
# --auth runs the production recipe (docs/security.md) locally: the gateway
# with auth.mode required, the broker with the plugin reading the same
# config, and the devices logging in with their own JWTs on both transports
# (user name = ID, password = JWT over MQTT); anonymous MQTT clients are
# refused. The JWT secret is made fresh (SWITCHBOARD_JWT_SECRET, read by the
# gateway and the plugin alike), and the dashboard's token is printed.
# --no-build uses the binaries in $SWITCHBOARD_BUILD_DIR (default
# build/release) as they are (the tests use it).
set -euo pipefail
cd "$(dirname "$0")/.."
port=8080
mqtt_port=18830
devices=8
auth=0
build=1
while (($#)); do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --mqtt-port) mqtt_port="$2"; shift 2 ;;
    --devices) devices="$2"; shift 2 ;;
    --auth) auth=1; shift ;;
    --no-build) build=0; shift ;;
    *) echo "usage: scripts/run.sh [--port N] [--mqtt-port N] [--devices N] [--auth] [--no-build]" >&2; exit 2 ;;
  esac
done

bin="${SWITCHBOARD_BUILD_DIR:-build/release}"
if ((build)); then
  scripts/install-deps.sh
  # Only what runs here: the test suites are scripts/test.sh's business.
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
  cmake --preset release >/dev/null
  cmake --build --preset release --target switchboard switchboard-sim switchboard_mosquitto_auth
  bin=build/release
fi
bin="$(cd "$bin" && pwd)"

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
config=config/switchboard.json
sim_credentials=()
if ((auth)); then
  # The development config with auth required and the broker trusted to
  # check MQTT credentials (the plugin does); a static token for the
  # dashboard; the JWT secret only in the environment. Mode 0600.
  export SWITCHBOARD_JWT_SECRET
  SWITCHBOARD_JWT_SECRET="$(openssl rand -base64 48 | tr -d '\n')"
  dashboard_token="$(openssl rand -hex 24)"
  config=build/run-auth.json
  rm -f "$config"
  (umask 077 && sed -e 's|"auth": {"mode": "disabled"}|"auth": {"mode": "required", "tokens": [{"token": "'"$dashboard_token"'", "id": "dash-*", "role": "controller"}]}|' \
      -e 's|"max_unacked": 10000|"max_unacked": 10000, "broker_authenticates": true|' \
      config/switchboard.json > "$config")
  if ! grep -q '"mode": "required"' "$config" || ! grep -q '"broker_authenticates": true' "$config"; then
    echo "run.sh: config/switchboard.json changed shape; cannot derive $config from it" >&2
    exit 1
  fi
  # Each simulated device registers (WebSocket) or logs in (MQTT) as its ID
  # with a JWT of its own.
  sim_credentials=(--jwt-secret "$SWITCHBOARD_JWT_SECRET" --mqtt-credentials jwt)
fi
# The broker's plugin reads the gateway's config: one file decides who may
# be which ID on both transports (docs/mqtt.md). Without --auth the
# development config disables auth, so the simulated devices need no
# credentials.
export SWITCHBOARD_MOSQUITTO_PLUGIN="$bin/bridge/mosquitto_auth/switchboard_mosquitto_auth.so"
SWITCHBOARD_CONFIG="$config" SWITCHBOARD_MQTT_PASSWORD="$SWITCHBOARD_MQTT_PASSWORD" \
  scripts/start-mosquitto.sh "$mqtt_port" > build/mosquitto.log 2>&1 &
pids+=($!)

# The bridge would connect whenever the broker is up; waiting (bounded) for
# it only spares the first run a 'connect failed' warning.
for _ in $(seq 1 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$mqtt_port") 2>/dev/null && break
  sleep 0.1
done
"$bin/broker/switchboard" --config "$config" --port "$port" \
  --mqtt-url "tcp://127.0.0.1:$mqtt_port" &
pids+=($!)

for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done

# Simulated devices (docs/simulator.md), sending telemetry every few seconds.
if ((devices > 0)); then
  "$bin/device-sim/switchboard-sim" fleet --quiet --devices "$devices" --transport mixed \
    --id-prefix pump- --events-per-s 0.5 "${sim_credentials[@]}" \
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
if ((auth)); then
  echo "  auth       required on both transports (config: $config); the dashboard signs in"
  echo "             as dash-<anything> with the token $dashboard_token"
  echo "             anonymous MQTT clients are refused (try: mosquitto_pub -p $mqtt_port -t x -m y)"
fi
echo "Ctrl-C stops it."
wait -n "${pids[@]}"
