#!/usr/bin/env bash
# The main job: installs what is missing, builds (release), and runs the
# gateway with config/switchboard.json; prints the dashboard URL. Ctrl-C
# stops everything it started.
#   scripts/run.sh [--port 8080]
set -euo pipefail
cd "$(dirname "$0")/.."
port=8080
while (($#)); do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    *) echo "usage: scripts/run.sh [--port N]" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh
scripts/build.sh release

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

build/release/broker/switchboard --config config/switchboard.json --port "$port" &
pids+=($!)

for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
echo
echo "switchboard is running:"
echo "  dashboard  http://127.0.0.1:$port/"
echo "  websocket  ws://127.0.0.1:$port/ws"
echo "  health     http://127.0.0.1:$port/healthz"
echo "Ctrl-C stops it."
wait -n "${pids[@]}"
