#!/usr/bin/env bash
# Installs every Debian 12 package iwmo-gateway needs to build, test, fuzz and benchmark.
# Idempotent: when everything is present it only checks (no apt-get call at all), so it is fast.
# Run as root or through sudo. Nothing is downloaded from anywhere but the Debian archive.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config
  # XML: Xerces-C (validating SAX2 parser); xmllint is the benchmark's baseline
  libxerces-c-dev libxml2-utils
  # Protobuf: the Envelope between stages
  libprotobuf-dev protobuf-compiler
  # OpenSSL: SHA-256 of payloads, the HMAC of BSNs in the routing log
  libssl-dev
  # the daemon: ZeroMQ bus (libzmq + cppzmq), SQLite journal, HTTP /healthz and /metrics,
  # sd_notify for systemd, tar batches for replay; the sqlite3 shell for operators
  libzmq3-dev cppzmq-dev libsqlite3-dev sqlite3 libcpp-httplib-dev libsystemd-dev libarchive-dev
  # command line, config, JSON output
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev
  # tests and benchmarks (curl: the README's operations examples)
  catch2 libbenchmark-dev curl
  # fuzzing: clang with libFuzzer and the sanitizer runtimes
  clang libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: missing packages (${missing[*]}) and not root; run as root or install sudo" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
