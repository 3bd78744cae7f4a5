#!/usr/bin/env bash
# The Debian package as an operator meets it: built by scripts/package.sh,
# installed with `apt install ./switchboard_*.deb` into a bare Debian 12 root
# made by mmdebstrap (the base tarball is cached under build/packaging, so a
# rerun only unpacks it), and the installed unit's ExecStart run there without
# systemd, as the unit's user. Checks: apt pulls the runtime dependencies,
# postinst made the `switchboard` user and the unit's RuntimeDirectory,
# `--version` works, the gateway serves the dashboard from
# /usr/share/switchboard/dashboard, the unit's ExecReload (`switchboard
# reload` through the installed config's admin.socket) run as the unit's
# user applies an edited config to the running gateway and fails on a bad
# one, and a mosquitto installed in the root loads the packaged plugin
# through the packaged config snippet and lets it decide who logs in.
# Needs root (chroot, mounts) and the Debian mirror.
#   tests/packaging/deb_install_test.sh
#   SWITCHBOARD_DEB=path/to/switchboard_x_amd64.deb tests/packaging/deb_install_test.sh   # a .deb already built
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS
step() { echo "== deb_install_test: $* (at $((SECONDS - started)) s)"; }
fail() { echo "deb_install_test: FAILED: $*" >&2; exit 1; }

command -v mmdebstrap >/dev/null || apt-get install -y --no-install-recommends mmdebstrap >/dev/null

if [[ -n ${SWITCHBOARD_DEB:-} ]]; then
  deb=$SWITCHBOARD_DEB
else
  step "package"
  deb=$(scripts/package.sh | tail -n 1)
fi
[[ -f $deb ]] || fail "no .deb at '$deb'"

base=build/packaging/debian12-base.tar
if [[ ! -f $base ]]; then
  step "bare Debian 12 root (mmdebstrap, cached in $base)"
  mkdir -p build/packaging
  # --format=tar: mmdebstrap picks the format from the name, and ".partial" would make a folder.
  mmdebstrap --variant=apt --mode=root --format=tar --skip=cleanup/apt/lists bookworm "$base.partial" \
    "deb http://deb.debian.org/debian bookworm main" \
    "deb http://deb.debian.org/debian bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main"
  mv "$base.partial" "$base"
fi

root=$(mktemp -d /tmp/sb-deb-root.XXXXXX)
gateway_pid=
mosquitto_pid=
cleanup() {
  [[ -n $gateway_pid ]] && kill -TERM "$gateway_pid" 2>/dev/null && wait "$gateway_pid" 2>/dev/null
  [[ -n $mosquitto_pid ]] && kill -TERM "$mosquitto_pid" 2>/dev/null && wait "$mosquitto_pid" 2>/dev/null
  umount "$root/proc" 2>/dev/null || true
  umount "$root/dev" 2>/dev/null || true
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT

step "unpack the root"
tar -C "$root" -xf "$base"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
cp "$deb" "$root/tmp/"

step "apt install ./$(basename "$deb")"
chroot "$root" apt-get update -qq
chroot "$root" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "./tmp/$(basename "$deb")" >/dev/null

step "check the installed files"
version=$(chroot "$root" /usr/bin/switchboard --version)
[[ $version == "switchboard "* ]] || fail "--version printed '$version'"
echo "   $version"
chroot "$root" getent passwd switchboard >/dev/null || fail "postinst made no switchboard user"
unit=$root/usr/lib/systemd/system/switchboard.service
[[ -f $unit ]] || fail "no systemd unit at /usr/lib/systemd/system/switchboard.service"
[[ -f $root/usr/share/switchboard/dashboard/index.html ]] || fail "no installed dashboard"
[[ -f $root/usr/bin/switchboard-sim ]] || fail "no switchboard-sim"
plugin=/usr/lib/switchboard/switchboard_mosquitto_auth.so
snippet=/usr/share/doc/switchboard/examples/mosquitto-switchboard.conf
[[ -f $root$plugin ]] || fail "no mosquitto plugin at $plugin"
[[ -f $root$snippet ]] || fail "no mosquitto config snippet at $snippet"
grep -qx "plugin $plugin" "$root$snippet" || fail "$snippet does not load $plugin"
config=/etc/switchboard/switchboard.json
socket=$(sed -n 's/^ *"admin": {"socket": "\([^"]*\)"},$/\1/p' "$root$config")
runtime_dir=$(sed -n 's/^RuntimeDirectory=//p' "$unit")
[[ -n $socket && -n $runtime_dir ]] || fail "no admin.socket in $config or no RuntimeDirectory in the unit"
[[ $(dirname "$socket") == "/run/$runtime_dir" ]] ||
  fail "admin.socket $socket is not in the unit's RuntimeDirectory /run/$runtime_dir"
# Made by postinst (no systemd-tmpfiles in this root) as systemd would make it.
# Numeric: the names exist in the root's /etc/passwd, not necessarily the host's.
owner="$(chroot "$root" id -u switchboard):$(chroot "$root" id -g switchboard)"
[[ $(stat -c %u:%g:%a "$root/run/$runtime_dir") == "$owner:750" ]] ||
  fail "/run/$runtime_dir is not the switchboard user's, mode 0750"
# The command store's folder (store.path in the installed config), the unit's StateDirectory.
grep -qx "StateDirectory=switchboard" "$unit" || fail "the unit has no StateDirectory=switchboard"
grep -q '"store": {"path": "/var/lib/switchboard/commands.db"}' "$root$config" ||
  fail "the installed config sets no store.path under /var/lib/switchboard"
[[ $(stat -c %u:%g:%a "$root/var/lib/switchboard") == "$owner:750" ]] ||
  fail "/var/lib/switchboard is not the switchboard user's, mode 0750"
dpkg-deb -f "$deb" Depends | grep -q "libsqlite3-0" || fail "the package does not depend on libsqlite3-0"

step "run the unit's ExecStart as its user (no systemd)"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
user=$(sed -n 's/^User=//p' "$unit")
[[ -n $exec_start && -n $user ]] || fail "the unit has no ExecStart or User"
# Numeric: the names exist in the root's /etc/passwd, not necessarily the host's.
uid=$(chroot "$root" id -u "$user")
gid=$(chroot "$root" id -g "$user")
log=$root/tmp/gateway.log
# --port 0: the packaged port (8080) may be taken on the machine running this.
# shellcheck disable=SC2086  # ExecStart is a command line: split it as systemd does
chroot --userspec="$uid:$gid" "$root" $exec_start --port 0 >"$log" 2>&1 &
gateway_pid=$!
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$log")
  [[ -n $port ]] && break
  kill -0 "$gateway_pid" 2>/dev/null || break
  sleep 0.1
done
[[ -n $port ]] || { cat "$log"; fail "the installed gateway did not start"; }
[[ -f $root/var/lib/switchboard/commands.db ]] || fail "the gateway made no command store"
grep -q "serving the dashboard from /usr/share/switchboard/dashboard" "$log" ||
  { cat "$log"; fail "the gateway does not name the installed dashboard"; }
served=$(curl -sf "http://127.0.0.1:$port/")
[[ $served == "$(cat "$root/usr/share/switchboard/dashboard/index.html")" ]] ||
  fail "GET / is not the installed dashboard's index.html"

step "the unit's ExecReload as its user: an edited config applies, a bad one is refused"
exec_reload=$(sed -n 's/^ExecReload=//p' "$unit")
[[ $exec_reload == *" reload "* ]] || fail "ExecReload is not switchboard reload: '$exec_reload'"
reload() {  # runs ExecReload as the unit's user; prints its output, returns its status
  # shellcheck disable=SC2086  # a command line, split as systemd does
  chroot --userspec="$uid:$gid" "$root" $exec_reload 2>&1
}
metrics_status() { curl -s -o /dev/null -w '%{http_code}' "$@" "http://127.0.0.1:$port/metrics"; }
[[ $(metrics_status) == 200 ]] || fail "/metrics is not open before the reload"
# Written into the same file: it keeps its owner and mode (root:switchboard 0640).
original=$(cat "$root$config")
token="deb-install-test-token-0123456789"
grep -q '"metrics": {"allow": "any"}' <<<"$original" || fail "$config has no metrics line to edit"
printf '%s\n' "${original/'"metrics": {"allow": "any"}'/'"metrics": {"allow": "any", "bearer_token": "'$token'"}'}" >"$root$config"
out=$(reload) || fail "ExecReload failed on a good edit: $out"
[[ $out == "reload: applied (changed: metrics)" ]] || fail "ExecReload printed '$out'"
grep -q "info reload: applied (changed: metrics)" "$log" || { cat "$log"; fail "no reload line in the log"; }
[[ $(metrics_status) == 401 ]] || fail "/metrics is still open after reloading a bearer token"
[[ $(metrics_status -H "Authorization: Bearer $token") == 200 ]] || fail "/metrics refuses the reloaded token"
printf '%s\n' "${original/'"log_level": "info"'/'"log_level": "loud"'}" >"$root$config"
status=0
out=$(reload) || status=$?
[[ $status == 2 && $out == *"'log_level'"*"the running config stays"* ]] ||
  fail "ExecReload on a bad file: status $status, '$out'"
[[ $(metrics_status -H "Authorization: Bearer $token") == 200 ]] || fail "a refused reload changed the running config"
printf '%s\n' "$original" >"$root$config"
echo "   $exec_reload: applied, then refused (exit 2)"

kill -TERM "$gateway_pid"
wait "$gateway_pid" || fail "the gateway did not exit 0 on SIGTERM"
gateway_pid=
[[ ! -e $root$socket ]] || fail "the gateway left $socket behind"

step "mosquitto in the root loads the plugin through $snippet"
# No service starts in this root when a package is installed (policy-rc.d).
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
chroot "$root" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends mosquitto mosquitto-clients >/dev/null
# As the snippet says: mosquitto reads the gateway's config through the
# switchboard group, and the gateway's password from a file it names.
chroot "$root" adduser --quiet mosquitto switchboard
password="deb-install-test-gateway-password"
printf '%s\n' "$password" >"$root/etc/switchboard/mqtt-gateway.password"
chroot "$root" chown root:switchboard /etc/switchboard/mqtt-gateway.password
chmod 0640 "$root/etc/switchboard/mqtt-gateway.password"
mqtt_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
{
  printf 'listener %s 127.0.0.1\nallow_anonymous false\npersistence false\nlog_dest stderr\n' "$mqtt_port"
  sed 's/^#\(plugin_opt_gateway_password_file \)/\1/' "$root$snippet"
} >"$root/tmp/mosquitto.conf"
muid=$(chroot "$root" id -u mosquitto)
mgid=$(chroot "$root" id -g mosquitto)
sbgid=$(chroot "$root" getent group switchboard | cut -d: -f3)
mosquitto_log=$root/tmp/mosquitto.log
chroot --userspec="$muid:$mgid" --groups="$sbgid" "$root" \
  /usr/sbin/mosquitto -c /tmp/mosquitto.conf >"$mosquitto_log" 2>&1 &
mosquitto_pid=$!
for _ in $(seq 1 100); do
  grep -q "Opening ipv4 listen socket on port $mqtt_port" "$mosquitto_log" && break
  kill -0 "$mosquitto_pid" 2>/dev/null || break
  sleep 0.1
done
grep -q "switchboard: clients authenticated by $config" "$mosquitto_log" ||
  { cat "$mosquitto_log"; fail "mosquitto did not start the plugin"; }
publish() {
  chroot "$root" mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -i deb-test -u switchboard-gateway \
    -P "$1" -t sb/pump-1/in -m '{}' -q 1 2>&1
}
out=$(publish "$password") || fail "the gateway's user was refused: $out"
if out=$(publish wrong-password); then fail "a wrong password was let in"; fi
grep -q "switchboard: refused client 'deb-test': wrong password for the gateway's user" "$mosquitto_log" ||
  { cat "$mosquitto_log"; fail "the plugin did not refuse the wrong password"; }
kill -TERM "$mosquitto_pid"
wait "$mosquitto_pid" || true
mosquitto_pid=
# shellcheck disable=SC2016  # ${Version} is dpkg-query's field, not the shell's
echo "   mosquitto $(chroot "$root" dpkg-query -W -f '${Version}' mosquitto) ran $plugin"

step "passed"
