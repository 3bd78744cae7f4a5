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
if ! cmake --build --preset "$preset"; then
  # A compiler killed by a signal can fail a step without printing a word (seen
  # once in CI). Build once more, one job at a time: a real error fails again,
  # now with its message alone on screen; a one-off kill does not fail the run.
  echo "build.sh: building $preset failed; building again with one job to show why" >&2
  cmake --build --preset "$preset" --parallel 1
fi
