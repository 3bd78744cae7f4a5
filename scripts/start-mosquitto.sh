#!/usr/bin/env bash
# Starts a private mosquitto for Switchboard in the foreground, on loopback,
# with config/mosquitto.conf and config/mosquitto.acl, never the system
# service. Stops it (and removes its temporary folder) on Ctrl-C, SIGTERM or
# when this script exits. (Started in the background by another script, it
# ignores SIGINT as every background job does: stop it with SIGTERM.)
#
#   scripts/start-mosquitto.sh [PORT] [DIR]
#
# PORT defaults to 18830. DIR (default: a fresh mktemp -d) receives the
# generated mosquitto.conf, the ACL and the password file holding the
# gateway's user `switchboard-gateway`, whose password is taken from
# $SWITCHBOARD_MQTT_PASSWORD (default: switchboard-local). Point the gateway
# at it with:
#   switchboard --mqtt-url tcp://127.0.0.1:PORT --mqtt-username switchboard-gateway
# (the password from the same environment variable).
set -euo pipefail

port="${1:-18830}"
dir="${2:-}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
config_dir="$here/../config"
password="${SWITCHBOARD_MQTT_PASSWORD:-switchboard-local}"

if ! command -v mosquitto >/dev/null; then
    echo "start-mosquitto: mosquitto is not installed (apt-get install mosquitto mosquitto-clients)" >&2
    exit 1
fi
if [[ ! "$port" =~ ^[0-9]+$ ]] || (( port < 1 || port > 65535 )); then
    echo "start-mosquitto: bad port '$port'" >&2
    exit 2
fi

made_dir=0
if [[ -z "$dir" ]]; then
    dir="$(mktemp -d /tmp/switchboard-mosquitto.XXXXXX)"
    made_dir=1
fi
mkdir -p "$dir"
# Started as root, mosquitto drops to the user `mosquitto`: it must be able
# to read everything here.
chmod 755 "$dir"

cp "$config_dir/mosquitto.acl" "$dir/mosquitto.acl"
rm -f "$dir/passwords"
touch "$dir/passwords"
mosquitto_passwd -b "$dir/passwords" switchboard-gateway "$password"
{
    cat "$config_dir/mosquitto.conf"
    echo
    echo "listener $port 127.0.0.1"
    echo "password_file $dir/passwords"
    echo "acl_file $dir/mosquitto.acl"
} > "$dir/mosquitto.conf"
chmod 644 "$dir/mosquitto.conf" "$dir/mosquitto.acl" "$dir/passwords"

pid=""
cleanup() {
    if [[ -n "$pid" ]]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    if (( made_dir )); then rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "start-mosquitto: mosquitto on 127.0.0.1:$port, files in $dir" >&2
mosquitto -c "$dir/mosquitto.conf" &
pid=$!
wait "$pid"
