#!/bin/sh
# Frames per second: `vxinject -c N --rate 0` against `tcpreplay --topspeed`, same frames, same
# veth pair, in the same run. Needs root, tcpreplay (apt-get install tcpreplay) and a release build
# (cargo build --release --bin vxinject). Everything happens in two network namespaces created
# here (names with this shell's PID) and deleted on exit.
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

# One VXLAN frame (VNI 100, an inner ARP request: 92 bytes on the wire), the same for both tools.
FRAME="--vtep 198.18.0.2 --vtep-mac 02:00:00:18:00:02 --vni 100 --src-port 50000"
INNER="arp-request --sender-mac 02:00:00:00:00:01 --sender-ip 10.0.0.1 --target-ip 10.0.0.2"
# tcpreplay reads a file: 100000 copies, preloaded into memory (-K) and looped to FRAMES.
PER_FILE=100000
[ "$FRAMES" -lt $PER_FILE ] && PER_FILE=$FRAMES
LOOPS=$(( (FRAMES + PER_FILE - 1) / PER_FILE ))
ip netns exec $A "$VX" -i veth0 $FRAME -c $PER_FILE --rate 0 -w "$PCAP" $INNER 2>/dev/null

rx() { ip netns exec $B cat /sys/class/net/veth0/statistics/rx_packets; }
echo "frames per round: vxinject $FRAMES, tcpreplay $((PER_FILE * LOOPS)) (92-byte VXLAN frames, veth pair)"
for r in $(seq 1 "$ROUNDS"); do
  before=$(rx)
  t=$(ip netns exec $A tcpreplay -i veth0 -K --topspeed --loop=$LOOPS "$PCAP" 2>&1 | sed -n 's/.*Rated: [0-9.]* Bps, [0-9.]* Mbps, \([0-9.]*\) pps.*/\1/p')
  got_t=$(( $(rx) - before ))
  before=$(rx)
  v=$(ip netns exec $A "$VX" -i veth0 $FRAME -c "$FRAMES" --rate 0 $INNER 2>&1 | sed -n 's/.*(\([0-9]*\) frames\/s).*/\1/p')
  got_v=$(( $(rx) - before ))
  ratio=$(awk -v v="$v" -v t="$t" 'BEGIN { if (t > 0) printf "%.2f", v / t; else print "n/a" }')
  echo "round $r: tcpreplay --topspeed ${t} frames/s (peer got $got_t) | vxinject --rate 0 ${v} frames/s (peer got $got_v) | ratio ${ratio}x"
done
