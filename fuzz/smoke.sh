#!/usr/bin/env bash
# A short run of every fuzz target (CI): fails on the first crash. Usage: fuzz/smoke.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-20}"
# CI runs without AddressSanitizer: the crate forbids unsafe code, so a memory error would need a
# bug in a dependency, and the sanitizer doubles the build and halves the executions. Long runs
# (fuzz/README.md) use the default (address): FUZZ_SANITIZER=address fuzz/smoke.sh 600
san="${FUZZ_SANITIZER:-none}"
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz/smoke.sh: the nightly toolchain is missing (rustup toolchain install nightly)" >&2
  exit 1
fi
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
/usr/bin/env python3 make-seeds.py
cargo +nightly fuzz build -O -s "$san"
for t in $(cargo +nightly fuzz list); do
  echo "--- fuzz $t for ${secs}s"
  # -rss_limit_mb: a target that allocates by a length field from the input fails here.
  cargo +nightly fuzz run -O -s "$san" "$t" -- -max_total_time="$secs" -dict=vxlan.dict -rss_limit_mb=512 \
    -print_final_stats=1 2>&1 | grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done|==|SUMMARY|.*panicked)' || true
  # cargo fuzz exits non-zero on a crash; pipefail + grep hides it, so look for artifacts instead.
  # (find, not ls: ls fails when any one of several patterns matches nothing, which hid crashes.)
  if [ -n "$(find artifacts/"$t" -maxdepth 1 \( -name 'crash-*' -o -name 'oom-*' -o -name 'leak-*' \) 2>/dev/null)" ]; then
    echo "fuzz/smoke.sh: $t found a crash: $(ls artifacts/"$t")" >&2
    exit 1
  fi
done
