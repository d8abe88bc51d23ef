#!/usr/bin/env bash
# Filtering speed: one tenant's traffic out of a mixed capture, written with -w, by vxdump, by
# tcpdump (the same selection in classic BPF, UDP 4789 only) and by tshark, each run alternately
# in the same run on the same file; prints medians, packets/s of input and the ratios.
#
#   benches/filter.sh [PACKETS=200000] [ROUNDS=5]
#
# The capture comes from examples/gen_mix.rs (seed 1). vxdump's `vxlan 300` also selects VNI 300
# on UDP 8472 and inside VXLAN, which the BPF expression cannot see, so it writes a little more.
# It installs nothing: a missing tool is named and its row left out.
set -euo pipefail
PACKETS=${1:-200000}
ROUNDS=${2:-5}
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-/tmp/vxwire-bench}
mkdir -p "$WORK"
cd "$HERE"
have() { command -v "$1" >/dev/null; }
for t in tcpdump tshark; do have "$t" || echo "filter.sh: $t missing; its row is skipped" >&2; done

cargo build --release --quiet --bin vxdump --example gen_mix
VXDUMP=$HERE/target/release/vxdump
MIX=$WORK/mix-$PACKETS.pcap
[ -s "$MIX" ] || "$HERE/target/release/examples/gen_mix" "$MIX" "$PACKETS" 1
BPF='udp dst port 4789 and udp[12:4] & 0xffffff00 = 0x12c00'

# run NAME CMD...: wall seconds of one run (bash's microsecond clock), appended to NAME.times.
run() {
  local name=$1 t0 t1
  shift
  "$@" >/dev/null 2>"$WORK/.err" || true # warm-up, unmeasured
  t0=$EPOCHREALTIME
  "$@" >/dev/null 2>"$WORK/.err" || { echo "filter.sh: $name failed: $(tail -1 "$WORK/.err")" >&2; return 1; }
  t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }' >>"$WORK/$name.times"
}
median() { sort -n "$WORK/$1.times" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

rm -f "$WORK"/f_*.times
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r/$ROUNDS" >&2
  run f_vxdump "$VXDUMP" -r "$MIX" -w "$WORK/out-vxdump.pcap" 'vxlan 300'
  have tcpdump && run f_tcpdump tcpdump -r "$MIX" -w "$WORK/out-tcpdump.pcap" "$BPF"
  have tshark && run f_tshark tshark -r "$MIX" -Y 'vxlan.vni == 300' -w "$WORK/out-tshark.pcap"
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

count() { "$VXDUMP" --json -r "$1" 2>/dev/null | wc -l; }
v=$(median f_vxdump)
echo "Machine: $(nproc) cores, $(uname -r); medians of $ROUNDS alternating runs, each after one warm-up run"
echo "Load average (1/5/15 min): $LOAD_BEFORE before the runs, $LOAD_AFTER after"
echo "Capture: gen_mix seed 1, $PACKETS packets ($(du -h "$MIX" | cut -f1))"
echo
echo "| command | packets written | median | input packets/s | vxdump speed-up |"
echo "|---|---|---|---|---|"
pps() { awk -v n="$PACKETS" -v t="$1" 'BEGIN { printf "%.0f", n / t }'; }
echo "| vxdump -r MIX -w OUT 'vxlan 300' | $(count "$WORK/out-vxdump.pcap") | $v s | $(pps "$v") | 1.0x |"
for t in tcpdump tshark; do
  [ -s "$WORK/f_$t.times" ] || continue
  m=$(median "f_$t")
  case $t in
    tcpdump) cmd="tcpdump -r MIX -w OUT '$BPF'" ;;
    tshark) cmd="tshark -r MIX -Y 'vxlan.vni == 300' -w OUT" ;;
  esac
  echo "| $cmd | $(count "$WORK/out-$t.pcap") | $m s | $(pps "$m") | **$(awk -v a="$m" -v b="$v" 'BEGIN { printf "%.1f", a / b }')x** |"
done
