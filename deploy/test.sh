#!/usr/bin/env bash
# The test suite: install what is missing, build (warnings are errors), run every test with
# ctest, then a short libFuzzer smoke run of the XML adapter (IWMO_FUZZ_SECONDS, default 60;
# 0 skips it). IWMO_SANITIZE=1 builds and tests under AddressSanitizer + UBSan in build-asan/.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
if [ "${IWMO_SANITIZE:-0}" = "1" ]; then IWMO_BUILD_DIR="$IWMO_ROOT/build-asan"; fi
iwmo_install_and_build all -DIWMO_BUILD_TESTS=ON

cd "$IWMO_BUILD_DIR"
ctest --output-on-failure -j"$(nproc)"

fuzz_seconds="${IWMO_FUZZ_SECONDS:-60}"
if [ "$fuzz_seconds" != "0" ]; then
  "$IWMO_ROOT/fuzz/run-fuzz.sh" "$fuzz_seconds"
fi
