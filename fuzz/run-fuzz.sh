#!/usr/bin/env bash
# Builds the libFuzzer target with clang (ASan + UBSan) in build-fuzz/ and fuzzes the iWmo
# adapter for N seconds (default 600 = the 10-minute run of issue 2; deploy/test.sh does a short
# smoke run). The seed corpus is the demo batch plus, when present, the official examples.
#
#   fuzz/run-fuzz.sh 600          # ten minutes
#   fuzz/run-fuzz.sh 60           # smoke run (CI)
# Crashes are written to fuzz/crash-* with the input that caused them; the script then fails.
set -euo pipefail
seconds="${1:-600}"
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-fuzz"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DIWMO_FUZZ=ON -DIWMO_BUILD_TESTS=OFF -DIWMO_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target adapter_fuzz -j"$(nproc)"

corpus="$root/fuzz/corpus-work"
mkdir -p "$corpus"
find "$root/demo/messages" -name '*.xml' -exec cp -n {} "$corpus/" \;
reference="$root/../shared/reference/iwmo-3.2"
if [ -d "$reference" ]; then
  cp -n "$reference"/examples/*.xml "$corpus/"
else
  echo "run-fuzz: $reference not found; seeding from the demo batch only"
fi

echo "run-fuzz: fuzzing the iWmo adapter for ${seconds}s (corpus: $corpus)"
cd "$root/fuzz"
log="$build/fuzz.log"
if ! "$build/fuzz/adapter_fuzz" "$corpus" -dict="$root/fuzz/xml.dict" -max_total_time="$seconds" \
    -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
  tail -n 100 "$log"
  echo "run-fuzz: FAILED; the input is in fuzz/crash-* (full log: $log)" >&2
  exit 1
fi
grep -E '^(#[0-9]+.*DONE|Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || tail -n 5 "$log"
echo "run-fuzz: no crash in ${seconds}s"
