#!/usr/bin/env bash
# Whole-process speed and memory of vxdump next to tcpdump and tshark, each pair run alternately
# in the same run on the same file; prints a table of medians, packets/s and ratios.
#
#   benches/compare.sh [PACKETS=1000000] [ROUNDS=5] [TSHARK_PACKETS=100000]
#
# It builds vxdump in release mode and generates the captures with examples/gen_mix.rs (seeded,
# reproducible). It installs nothing: a missing tool is named and its rows are left out.
# tshark is ~1000x slower than vxdump, so its pairs use a smaller capture from the same generator
# (TSHARK_PACKETS); both tools of a pair always read the same file.
# The JSON and --vni pairs, whose vxdump runs are short, give both tools one unmeasured warm-up
# run before each measured one (see warm below).
set -euo pipefail
PACKETS=${1:-1000000}
ROUNDS=${2:-5}
TSHARK_PACKETS=${3:-100000}
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-/tmp/vxwire-bench}
mkdir -p "$WORK"
cd "$HERE"

missing=()
for t in tcpdump tshark /usr/bin/time; do command -v "$t" >/dev/null || missing+=("$t"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "compare.sh: missing: ${missing[*]} (apt-get install tcpdump tshark time); their rows are skipped" >&2
fi
have() { command -v "$1" >/dev/null; }

cargo build --release --quiet --bin vxdump --example gen_mix
VXDUMP=$HERE/target/release/vxdump
GEN=$HERE/target/release/examples/gen_mix
BIG=$WORK/mix-$PACKETS.pcap
SMALL=$WORK/mix-$TSHARK_PACKETS.pcap
[ -s "$BIG" ] || "$GEN" "$BIG" "$PACKETS" 1
[ -s "$SMALL" ] || "$GEN" "$SMALL" "$TSHARK_PACKETS" 1

# run NAME CMD...: wall seconds and peak RSS (KiB) of one run, appended to $WORK/NAME.times.
# Wall time is bash's microsecond clock ($EPOCHREALTIME) around the run: /usr/bin/time's %e
# counts in 10 ms steps, too coarse for vxdump's short runs. It includes /usr/bin/time's own
# fork+exec (about a millisecond), which counts against vxdump more than against the reference.
run() {
  local name=$1 t0 t1
  shift
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%M' -o "$WORK/.t" "$@" >/dev/null 2>"$WORK/.err" || {
    echo "compare.sh: $name failed: $(tail -1 "$WORK/.err")" >&2
    return 1
  }
  t1=$EPOCHREALTIME
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }') $(cat "$WORK/.t")" >>"$WORK/$name.times"
}
# warm NAME CMD...: one unmeasured run, then `run`. The short pairs (vxdump's side takes tens of
# milliseconds) are run this way, both tools alike: on the development VM a short run that follows
# a large one (tshark -T json) comes out up to 1.5x slow, a wake-up cost that says nothing about
# either tool.
warm() {
  local name=$1
  shift
  "$@" >/dev/null 2>&1 || true
  run "$name" "$@"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -v c="$2" '{print $c}' "$WORK/$1.times" | median; }

rm -f "$WORK"/*.times
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
VNI=300
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r/$ROUNDS" >&2
  run vxdump_text "$VXDUMP" "$BIG"
  have tcpdump && run tcpdump_utc env TZ=UTC tcpdump -nn -v -r "$BIG"
  have tcpdump && run tcpdump_notz env -u TZ tcpdump -nn -v -r "$BIG"
  warm vxdump_json "$VXDUMP" --json "$SMALL"
  have tshark && warm tshark_json tshark -r "$SMALL" -T json
  warm vxdump_vni "$VXDUMP" --vni "$VNI" "$SMALL"
  have tshark && warm tshark_vni tshark -r "$SMALL" -Y "vxlan.vni == $VNI"
done

row() { # label ours theirs packets
  local ours=$2 theirs=$3 n=$4
  [ -f "$WORK/$ours.times" ] && [ -f "$WORK/$theirs.times" ] || return 0
  local a b
  a=$(col "$ours" 1)
  b=$(col "$theirs" 1)
  awk -v l="$1" -v a="$a" -v b="$b" -v n="$n" 'BEGIN {
    pa = (a > 0) ? n / a : 0; pb = (b > 0) ? n / b : 0;
    printf "| %s | %d | %.4f s (%.0f pkt/s) | %.3f s (%.0f pkt/s) | **%.1fx** |\n", l, n, a, pa, b, pb, (b > 0 && a > 0) ? b / a : 0 }'
}
mem_row() { # label ours theirs
  [ -f "$WORK/$2.times" ] && [ -f "$WORK/$3.times" ] || return 0
  printf '| %s | %s MiB | %s MiB |\n' "$1" "$(( $(col "$2" 2) / 1024 ))" "$(( $(col "$3" 2) / 1024 ))"
}

echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); medians of $ROUNDS alternating runs"
echo "Load average (1/5/15 min): $LOAD_BEFORE before the runs, $(cut -d' ' -f1-3 /proc/loadavg) after"
echo "Captures: gen_mix seed 1: $PACKETS packets ($(du -h "$BIG" | cut -f1)), $TSHARK_PACKETS packets ($(du -h "$SMALL" | cut -f1))"
echo
echo "| what | packets | vxdump | reference | vxdump speed-up |"
echo "|---|---|---|---|---|"
row "vxdump FILE vs TZ=UTC tcpdump -nn -v -r FILE" vxdump_text tcpdump_utc "$PACKETS"
row "vxdump FILE vs tcpdump -nn -v -r FILE (TZ unset)" vxdump_text tcpdump_notz "$PACKETS"
row "vxdump --json FILE vs tshark -r FILE -T json" vxdump_json tshark_json "$TSHARK_PACKETS"
row "vxdump --vni $VNI FILE vs tshark -r FILE -Y 'vxlan.vni == $VNI'" vxdump_vni tshark_vni "$TSHARK_PACKETS"
echo
echo "| peak RSS | vxdump | reference |"
echo "|---|---|---|"
mem_row "text, $PACKETS packets (vs tcpdump)" vxdump_text tcpdump_utc
mem_row "JSON, $TSHARK_PACKETS packets (vs tshark -T json)" vxdump_json tshark_json
