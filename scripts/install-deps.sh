#!/usr/bin/env bash
# Installs the Debian 12 packages Switchboard needs to build, run and test,
# skipping apt entirely when they are all present already. Run as root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libpaho-mqttpp-dev libpaho-mqtt-dev nlohmann-json3-dev libssl-dev
  libspdlog-dev libcli11-dev libgtest-dev
  mosquitto mosquitto-clients mosquitto-dev libmosquitto-dev
  prometheus-cpp-dev libsystemd-dev libsqlite3-dev
  curl procps
)
# Test-only extras are added with --test.
# (scripts/test-browser.sh adds chromium, nodejs and npm itself.)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(clang-14 libclang-rt-14-dev)   # libFuzzer + ASan/UBSan runtimes (scripts/fuzz.sh)
  packages+=(clang-format-14)                # the formatting check (scripts/check-format.sh)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root (or install them)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
