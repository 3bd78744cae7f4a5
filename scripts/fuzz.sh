#!/usr/bin/env bash
# Builds the libFuzzer targets (clang 14, ASan+UBSan) in build/fuzz and runs
# each for a bounded time on its seed corpus, $FUZZ_JOBS (default 2) at once.
# Exits non-zero if any target finds a crash, a leak or undefined behaviour
# (the reproducer is written to build/fuzz/artifacts/).
#   scripts/fuzz.sh [seconds per target, default 60] [target...]
# New inputs that add coverage go to build/fuzz/corpus/<target>, never to the
# committed seed corpus (tests/fuzz/corpus/<target>).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
((${#targets[@]})) || targets=(frame id config credentials ws_reader json_text static_path mqtt_payload
  trace_context tls13_records)

export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSWITCHBOARD_FUZZ=ON -DSWITCHBOARD_BUILD_TESTS=OFF -DSWITCHBOARD_WITH_MQTT=OFF >/dev/null
cmake --build build/fuzz -j2 --target "${targets[@]/%/_fuzzer}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
mkdir -p build/fuzz/artifacts
# run_target T: one target for $seconds; its output goes to build/fuzz/T.log.
run_target() {
  local t=$1 work="build/fuzz/corpus/$1"
  mkdir -p "$work"
  build/fuzz/tests/fuzz/"${t}"_fuzzer "$work" "tests/fuzz/corpus/$t" \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="build/fuzz/artifacts/${t}-" -print_final_stats=1 \
    2> "build/fuzz/$t.log"
}
# FUZZ_JOBS targets at once (default 2, one per core of the CI machine): each
# still gets its whole time, the suite waits half as long.
jobs="${FUZZ_JOBS:-2}"
declare -A pid_of
status=0
report() {
  local t=$1
  if wait "${pid_of[$t]}"; then
    echo "== fuzz: $t ran ${seconds}s"
  else
    echo "!! $t failed; see build/fuzz/$t.log"
    tail -40 "build/fuzz/$t.log"
    status=1
  fi
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec)|^Done" "build/fuzz/$t.log" || true
}
running=()
for t in "${targets[@]}"; do
  run_target "$t" &
  pid_of[$t]=$!
  running+=("$t")
  if ((${#running[@]} >= jobs)); then
    report "${running[0]}"
    running=("${running[@]:1}")
  fi
done
for t in "${running[@]}"; do report "$t"; done
exit $status
