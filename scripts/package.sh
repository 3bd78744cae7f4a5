#!/usr/bin/env bash
# Builds the Debian package: a release build (-O2, stripped) installed under /usr
# (CMakePresets.json "package"), packed by CPack with its runtime
# dependencies found by dpkg-shlibdeps. Prints the .deb's path.
#   scripts/package.sh    # -> build/package/switchboard_<version>_<arch>.deb
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake --preset package >/dev/null
cmake --build --preset package
(cd build/package && cpack -G DEB >/dev/null)
ls build/package/switchboard_*.deb
