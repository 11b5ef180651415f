# Shared by deploy/run.sh and deploy/test.sh: install what is missing, then configure and build.
# Sourced, not executed. Honours IWMO_BUILD_DIR (default: build) and IWMO_SANITIZE=1.
set -euo pipefail
IWMO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IWMO_BUILD_DIR="${IWMO_BUILD_DIR:-$IWMO_ROOT/build}"

# iwmo_install_and_build TARGET [CMAKE_ARGS...]: builds TARGET ("all" for everything) only, so
# run.sh does not compile the tests and benchmarks it never runs.
iwmo_install_and_build() {
  local target="$1"
  shift
  "$IWMO_ROOT/deploy/install-deps.sh"
  local sanitize=OFF
  [ "${IWMO_SANITIZE:-0}" = "1" ] && sanitize=ON
  cmake -S "$IWMO_ROOT" -B "$IWMO_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DIWMO_SANITIZE="$sanitize" "$@" >/dev/null
  cmake --build "$IWMO_BUILD_DIR" -j"$(nproc)" --target "$target"
}
