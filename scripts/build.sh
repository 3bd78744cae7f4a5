#!/usr/bin/env bash
# Configures and builds one CMake preset (release, debug, asan, tsan) with
# two jobs: the machine has two cores and Beast templates are heavy.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
cmake --preset "$preset" "$@" >/dev/null
cmake --build --preset "$preset"
