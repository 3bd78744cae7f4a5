#!/usr/bin/env bash
# The Debian package as an operator meets it: built by scripts/package.sh,
# installed with `apt install ./switchboard_*.deb` into a bare Debian 12 root
# made by mmdebstrap (the base tarball is cached under build/packaging, so a
# rerun only unpacks it), and the installed unit's ExecStart run there without
# systemd, as the unit's user. Checks: apt pulls the runtime dependencies,
# postinst made the `switchboard` user, `--version` works, and the gateway
# serves the dashboard from /usr/share/switchboard/dashboard.
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
  mmdebstrap --variant=apt --mode=root --skip=cleanup/apt/lists bookworm "$base.partial" \
    "deb http://deb.debian.org/debian bookworm main" \
    "deb http://deb.debian.org/debian bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main"
  mv "$base.partial" "$base"
fi

root=$(mktemp -d /tmp/sb-deb-root.XXXXXX)
gateway_pid=
cleanup() {
  [[ -n $gateway_pid ]] && kill -TERM "$gateway_pid" 2>/dev/null && wait "$gateway_pid" 2>/dev/null
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
grep -q "serving the dashboard from /usr/share/switchboard/dashboard" "$log" ||
  { cat "$log"; fail "the gateway does not name the installed dashboard"; }
served=$(curl -sf "http://127.0.0.1:$port/")
[[ $served == "$(cat "$root/usr/share/switchboard/dashboard/index.html")" ]] ||
  fail "GET / is not the installed dashboard's index.html"
kill -TERM "$gateway_pid"
wait "$gateway_pid" || fail "the gateway did not exit 0 on SIGTERM"
gateway_pid=

step "passed"
