#!/usr/bin/env bash
# Peak memory (max RSS) of vxdump next to tcpdump on the same captures, at two sizes, to show that
# vxdump's memory stays flat as the file grows, at every thread count (-j 1 streams one packet and
# one output line at a time; -j N keeps N + 3 batches of 64 KiB and their text in flight).
#
#   benches/memory.sh [SMALL_PACKETS=230000] [BIG_PACKETS=2300000]
#
# gen_mix (seed 1) writes ~100 MB and ~1 GB captures at the default sizes; they are kept in
# $BENCH_DIR (default /tmp/vxwire-bench) for the next run. Output goes to /dev/null; the figure is
# `/usr/bin/time -v`'s "Maximum resident set size".
set -euo pipefail
SMALL=${1:-230000}
BIG=${2:-2300000}
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-/tmp/vxwire-bench}
mkdir -p "$WORK"
cd "$HERE"
for t in tcpdump /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "memory.sh: $t is missing (apt-get install tcpdump time)" >&2; exit 1; }
done
cargo build --release --quiet --bin vxdump --example gen_mix
VXDUMP=$HERE/target/release/vxdump
GEN=$HERE/target/release/examples/gen_mix

# rss CMD...: max RSS in KiB of one run, output discarded
rss() {
  /usr/bin/time -v -o "$WORK/.mem" "$@" >/dev/null 2>/dev/null
  awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/.mem"
}

echo "| capture | packets | size | vxdump -j 1 | -j 2 | -j 8 | --json -j 1 | --json -j 2 | --json -j 8 | --summary | TZ=UTC tcpdump -nn -v |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for n in "$SMALL" "$BIG"; do
  f=$WORK/mix-$n.pcap
  [ -s "$f" ] || "$GEN" "$f" "$n" 1 >/dev/null
  row="| mix-$n.pcap | $n | $(du -h "$f" | cut -f1) |"
  for j in 1 2 8; do row="$row $(rss "$VXDUMP" -j "$j" "$f") KiB |"; done
  for j in 1 2 8; do row="$row $(rss "$VXDUMP" -j "$j" --json "$f") KiB |"; done
  row="$row $(rss "$VXDUMP" --summary "$f") KiB |"
  row="$row $(rss env TZ=UTC tcpdump -nn -v -r "$f") KiB |"
  echo "$row"
done
