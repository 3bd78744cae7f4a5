#!/usr/bin/env bash
# Configures and builds one CMake preset (release, debug, asan, tsan) with
# two jobs: the machine has two cores and Beast templates are heavy.
set -euo pipefail
cd "$(dirname "$0")/.."
# Let ccache hit across clones of the repository (CI builds in a fresh clone).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
preset="${1:-release}"
shift || true
cmake --preset "$preset" "$@" >/dev/null
cmake --build --preset "$preset"
