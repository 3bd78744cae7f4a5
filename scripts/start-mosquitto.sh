#!/usr/bin/env bash
# Starts a private mosquitto for Switchboard in the foreground, on loopback,
# with config/mosquitto.conf and the switchboard_mosquitto_auth plugin, never
# the system service. Stops it (and removes its temporary folder) on Ctrl-C,
# SIGTERM or when this script exits. (Started in the background by another
# script, it ignores SIGINT as every background job does: stop it with
# SIGTERM.)
#
#   [SWITCHBOARD_CONFIG=FILE] scripts/start-mosquitto.sh [PORT] [DIR]
#
# PORT defaults to 18830. DIR (default: a fresh mktemp -d) receives the
# generated mosquitto.conf, a copy of the plugin and, mode 0600, a copy of the gateway config and
# the gateway's password. The plugin reads that gateway config
# (SWITCHBOARD_CONFIG, default config/switchboard.json): with its
# `auth.mode: required`, an MQTT client logs in with user name = its ID and
# password = its token or JWT, exactly as on WebSocket, and anonymous
# clients are refused (docs/mqtt.md, "Broker authentication"). The gateway's
# own user is the config's mqtt.username; its password is
# $SWITCHBOARD_MQTT_PASSWORD when set, else the config's mqtt.password (or,
# with the default config, switchboard-local). Point the gateway at it with:
#   SWITCHBOARD_MQTT_PASSWORD=... switchboard --config FILE --mqtt-url tcp://127.0.0.1:PORT
# The plugin is build/<preset>/bridge/mosquitto_auth/switchboard_mosquitto_auth.so
# (first of release, debug, asan, tsan found) or $SWITCHBOARD_MOSQUITTO_PLUGIN.
set -euo pipefail

port="${1:-18830}"
dir="${2:-}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/.."
config_dir="$root/config"
gateway_config="${SWITCHBOARD_CONFIG:-$config_dir/switchboard.json}"

if ! command -v mosquitto >/dev/null; then
    echo "start-mosquitto: mosquitto is not installed (apt-get install mosquitto mosquitto-clients)" >&2
    exit 1
fi
if [[ ! "$port" =~ ^[0-9]+$ ]] || (( port < 1 || port > 65535 )); then
    echo "start-mosquitto: bad port '$port'" >&2
    exit 2
fi
if [[ ! -r "$gateway_config" ]]; then
    echo "start-mosquitto: cannot read the gateway config '$gateway_config'" >&2
    exit 2
fi
plugin="${SWITCHBOARD_MOSQUITTO_PLUGIN:-}"
if [[ -z "$plugin" ]]; then
    for preset in release debug asan tsan; do
        candidate="$root/build/$preset/bridge/mosquitto_auth/switchboard_mosquitto_auth.so"
        if [[ -f "$candidate" ]]; then plugin="$candidate"; break; fi
    done
fi
if [[ -z "$plugin" || ! -f "$plugin" ]]; then
    echo "start-mosquitto: the plugin is not built (cmake --build --preset release --target switchboard_mosquitto_auth)" >&2
    exit 1
fi
plugin="$(cd "$(dirname "$plugin")" && pwd)/$(basename "$plugin")"

made_dir=0
if [[ -z "$dir" ]]; then
    dir="$(mktemp -d /tmp/switchboard-mosquitto.XXXXXX)"
    made_dir=1
fi
mkdir -p "$dir"
# Started as root, mosquitto drops to the user `mosquitto` before it loads
# plugins: it must be able to enter this folder and read the two secrets,
# which nobody else may.
chmod 755 "$dir"
secret_owner=""
if (( EUID == 0 )) && id mosquitto >/dev/null 2>&1; then secret_owner=mosquitto; fi
write_secret() {  # write_secret FILE < content
    rm -f "$1"
    (umask 077 && cat > "$1")
    chmod 600 "$1"
    if [[ -n "$secret_owner" ]]; then chown "$secret_owner" "$1"; fi
}

write_secret "$dir/switchboard.json" < "$gateway_config"
password_line=""
if [[ -n "${SWITCHBOARD_MQTT_PASSWORD:-}" || -z "${SWITCHBOARD_CONFIG:-}" ]]; then
    printf '%s\n' "${SWITCHBOARD_MQTT_PASSWORD:-switchboard-local}" | write_secret "$dir/gateway-password"
    password_line="plugin_opt_gateway_password_file $dir/gateway-password"
fi
# A copy of the plugin, here: mosquitto (as the user `mosquitto`) cannot read
# it where it was built when that is under a private folder, as /root/ is.
install -m 644 "$plugin" "$dir/switchboard_mosquitto_auth.so"
{
    cat "$config_dir/mosquitto.conf"
    echo
    echo "listener $port 127.0.0.1"
    echo "plugin $dir/switchboard_mosquitto_auth.so"
    echo "plugin_opt_config $dir/switchboard.json"
    if [[ -n "$password_line" ]]; then echo "$password_line"; fi
} > "$dir/mosquitto.conf"
chmod 644 "$dir/mosquitto.conf"

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
