#!/bin/sh
# Frames per second: `vxinject -c N --rate 0` against `tcpreplay --topspeed`, same frames, same
# veth pair, in the same run. Needs root, tcpreplay (apt-get install tcpreplay) and a release build
# (cargo build --release --bin vxinject). Everything happens in two network namespaces created
# here (names with this shell's PID) and deleted on exit. The receiving namespace has a kernel
# VXLAN device (VNI 100, UDP 4789) on the veth: its rx_packets counter says how many frames the
# kernel VTEP actually decapsulated, next to the veth's own counter.
#
#   benches/inject.sh [FRAMES] [ROUNDS]      defaults: 1000000 frames, 3 rounds
set -eu
FRAMES=${1:-1000000}
ROUNDS=${2:-3}
HERE=$(cd "$(dirname "$0")/.." && pwd)
VX=${VXINJECT:-$HERE/target/release/vxinject}
[ -x "$VX" ] || { echo "inject.sh: build first: cargo build --release --bin vxinject" >&2; exit 1; }
command -v tcpreplay >/dev/null || { echo "inject.sh: tcpreplay is missing (apt-get install tcpreplay)" >&2; exit 1; }

A=vxbench$$a B=vxbench$$b
PCAP=$(mktemp /tmp/vxbench$$.XXXXXX.pcap)
cleanup() { ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true; rm -f "$PCAP"; }
trap cleanup EXIT INT TERM
ip netns add $A; ip netns add $B
ip -n $A link add veth0 type veth peer name veth0 netns $B
ip -n $A link set veth0 address 02:00:00:18:00:01; ip -n $B link set veth0 address 02:00:00:18:00:02
ip -n $A addr add 198.18.0.1/24 dev veth0; ip -n $B addr add 198.18.0.2/24 dev veth0
ip -n $A link set veth0 up; ip -n $B link set veth0 up
# The kernel VTEP that receives: frames to 198.18.0.2:4789 with VNI 100 are decapsulated by it.
ip -n $B link add vx100 type vxlan id 100 dstport 4789 local 198.18.0.2 dev veth0 nolearning
ip -n $B link set vx100 up

# One VXLAN frame (VNI 100, an inner ARP request: 92 bytes on the wire), the same for both tools.
FRAME="--vtep 198.18.0.2 --vtep-mac 02:00:00:18:00:02 --vni 100 --src-port 50000"
INNER="arp-request --sender-mac 02:00:00:00:00:01 --sender-ip 10.0.0.1 --target-ip 10.0.0.2"
# tcpreplay reads a file: 100000 copies, preloaded into memory (-K) and looped to FRAMES.
PER_FILE=100000
[ "$FRAMES" -lt $PER_FILE ] && PER_FILE=$FRAMES
LOOPS=$(( (FRAMES + PER_FILE - 1) / PER_FILE ))
ip netns exec $A "$VX" -i veth0 $FRAME -c $PER_FILE --rate 0 -w "$PCAP" $INNER 2>/dev/null

rx() { ip netns exec $B cat /sys/class/net/$1/statistics/rx_packets; }
echo "frames per round: vxinject $FRAMES, tcpreplay $((PER_FILE * LOOPS)) (92-byte VXLAN frames, veth pair)"
echo "receiver: veth0 and a kernel vxlan device (VNI 100, dstport 4789) in the peer namespace"
echo
echo "| round | tcpreplay --topspeed frames/s | veth rx | vxlan rx | vxinject --rate 0 frames/s | veth rx | vxlan rx | ratio |"
echo "|---|---|---|---|---|---|---|---|"
: >"$PCAP.ratios"
for r in $(seq 1 "$ROUNDS"); do
  bv=$(rx veth0); bx=$(rx vx100)
  t=$(ip netns exec $A tcpreplay -i veth0 -K --topspeed --loop=$LOOPS "$PCAP" 2>&1 | sed -n 's/.*Rated: [0-9.]* Bps, [0-9.]* Mbps, \([0-9.]*\) pps.*/\1/p')
  sleep 1 # let the receiving softirq drain before reading the counters
  tv=$(( $(rx veth0) - bv )); tx=$(( $(rx vx100) - bx ))
  bv=$(rx veth0); bx=$(rx vx100)
  v=$(ip netns exec $A "$VX" -i veth0 $FRAME -c "$FRAMES" --rate 0 $INNER 2>&1 | sed -n 's/.*(\([0-9]*\) frames\/s).*/\1/p')
  sleep 1
  vv=$(( $(rx veth0) - bv )); vx=$(( $(rx vx100) - bx ))
  ratio=$(awk -v v="$v" -v t="$t" 'BEGIN { if (t > 0) printf "%.2f", v / t; else print "n/a" }')
  echo "$ratio" >>"$PCAP.ratios"
  echo "| $r | ${t} | $tv | $tx | ${v} | $vv | $vx | ${ratio}x |"
done
echo
echo "median ratio vxinject/tcpreplay: $(sort -n "$PCAP.ratios" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')x"
rm -f "$PCAP.ratios"
