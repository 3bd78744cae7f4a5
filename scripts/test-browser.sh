#!/usr/bin/env bash
# The dashboard's tests: unit tests of the JavaScript client (node's test
# runner), then browser tests in headless Chromium (Debian's package, driven
# by playwright-core) against a real gateway and a simulated fleet.
# Installs what is missing: chromium, nodejs and npm from apt; the npm
# packages from tests/browser/package-lock.json. Never downloads browsers.
#   scripts/test-browser.sh [path/to/switchboard]
# Without a path: $SWITCHBOARD_BIN, else the first of build/{release,debug,asan,tsan,dash}.
# Screenshots: build/browser-screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

if (($#)); then
  export SWITCHBOARD_BIN="$(realpath "$1")"
fi

missing=()
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
dpkg -s chromium >/dev/null 2>&1 || missing+=(chromium)
if ((${#missing[@]})); then
  echo "== installing: ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "need root to install ${missing[*]} (or install them first)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

cd tests/browser
# npm ci only when the lockfile changed since the last install.
if [[ ! -f node_modules/.lock-stamp || package-lock.json -nt node_modules/.lock-stamp ]]; then
  echo "== npm ci"
  npm ci --no-audit --no-fund
  touch node_modules/.lock-stamp
fi

ulimit -n 20000 2>/dev/null || true
status=0
echo "== JavaScript unit tests"
node --test unit/ || status=1
echo "== browser tests"
for file in browser/*.test.mjs; do
  node --test "$file" || status=1
done
echo "screenshots: $(realpath ../../build/browser-screenshots 2>/dev/null || echo none)"
exit $status
