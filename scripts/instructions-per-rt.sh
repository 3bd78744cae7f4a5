#!/usr/bin/env bash
# Instructions the gateway executes per command round trip, counted by
# valgrind's callgrind: the same figure for the same binary and inputs
# whatever else the machine is doing, so two builds can be compared on a busy
# machine where wall-clock and CPU-time figures cannot (docs/benchmarks.md).
#   scripts/instructions-per-rt.sh GATEWAY SIM [GATEWAY ...]
# For each gateway binary: one I/O thread, auth disabled, no MQTT; 10
# simulated devices and 2 controllers x 4 in flight send `echo` with 100-byte
# args (switchboard-sim load --count N). It runs N = 200 and N = 2,200 and
# prints (Ir(2,200) - Ir(200)) / 2,000, so start-up and shutdown cancel out.
# KEEP=DIR keeps each gateway's 2,200-round-trip profile as DIR/N.callgrind
# (N counts the gateways from 1), for callgrind_annotate: where the
# instructions go.
# Each run is bounded (the load by its count, every wait by a time limit).
set -euo pipefail

if (($# < 2)); then
  echo "usage: $0 GATEWAY SIM [GATEWAY ...]" >&2
  exit 2
fi
sim=$2
gateways=("$1" "${@:3}")
work=$(mktemp -d /tmp/sb-irrt.XXXXXX)
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Keys every gateway since the first release knows, so older builds can be measured too.
cat >"$work/config.json" <<'EOF'
{
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
    --port "$port" >"$work/gateway.log" 2>&1 &
  local gw=$!
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
  done
  "$sim" fleet --url "ws://127.0.0.1:$port/ws" --devices 10 --id-prefix irrt- --quiet \
    >"$work/fleet.log" 2>&1 &
  local fleet=$!
  sleep 3
  timeout 300 "$sim" load --url "ws://127.0.0.1:$port/ws" --devices 10 --id-prefix irrt- \
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
