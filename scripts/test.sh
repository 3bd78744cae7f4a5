#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds under
# AddressSanitizer+UBSan and under ThreadSanitizer, runs the C++ tests (every
# test in each), then the dashboard's JavaScript and browser tests against the
# first build's gateway, then each libFuzzer target for $FUZZ_SECONDS
# (default 60) under ASan+UBSan, two at a time. It starts by checking that every
# C++ file is clang-formatted (scripts/check-format.sh). Exits non-zero on any failure.
# The plain `debug` build is not in the default run: it would run the same tests
# a third time with no checker, and its build is a third of the suite's time (CI
# must stay under 45 minutes on two cores). Developers test with it.
#   scripts/test.sh            # asan, tsan
#   scripts/test.sh asan       # one preset only, every test (asan, tsan, debug or release)
#   scripts/test.sh asan tsan debug   # any presets, in that order
#   scripts/test.sh --deb ...  # also the Debian package test (tests/packaging/deb_install_test.sh:
#                              # a package build and a bare Debian 12 root, minutes; root and the
#                              # Debian mirror needed), only when asked
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/check-format.sh

# A whole run takes about 4 GiB: the asan, tsan and fuzz builds 3.3 GiB,
# ccache and the browser's packages the rest (README.md, "Build time"). A
# full disk fails a build step with "No space left on device" (seen once in
# CI); say so up front.
free_mib=$(df -Pm . | awk 'NR == 2 { print $4 }')
if ((free_mib < 5120)); then
  echo "test.sh: warning: only ${free_mib} MiB free on $(df -P . | awk 'NR == 2 { print $6 }');" \
    "the suite's builds need about 5 GiB" >&2
fi

presets=()
deb=0
for arg in "$@"; do
  if [[ $arg == --deb ]]; then deb=1; else presets+=("$arg"); fi
done
((${#presets[@]})) || presets=(asan tsan)

export CTEST_OUTPUT_ON_FAILURE=1
# Leak reports fail the run; UBSan stops at the first report.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# TSan's options, with the Paho suppressions, come from CMakePresets.json.

ulimit -n 20000 2>/dev/null || true
status=0
for preset in "${presets[@]}"; do
  echo "== build: $preset"
  scripts/build.sh "$preset" -DSWITCHBOARD_WERROR=ON
  echo "== test: $preset"
  if ! ctest --preset "$preset"; then
    status=1
  fi
done

echo "== dashboard: JavaScript and browser tests (gateway from ${presets[0]})"
# LeakSanitizer would fail a gateway the browser tests kill; the C++ suites cover leaks.
if ! ASAN_OPTIONS="detect_leaks=0" scripts/test-browser.sh "build/${presets[0]}/broker/switchboard"; then
  status=1
fi

if ((${FUZZ_SECONDS:-60} > 0)); then
  echo "== fuzz: each target for ${FUZZ_SECONDS:-60} s, two at a time"
  if ! scripts/fuzz.sh "${FUZZ_SECONDS:-60}"; then
    status=1
  fi
fi

if ((deb)); then
  echo "== packaging: the .deb in a bare Debian 12 root"
  if ! tests/packaging/deb_install_test.sh; then
    status=1
  fi
fi

if ((status == 0)); then echo "test.sh: all suites passed"; else echo "test.sh: FAILURES above"; fi
exit $status
