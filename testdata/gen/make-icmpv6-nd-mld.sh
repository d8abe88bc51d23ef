#!/bin/bash
# Makes testdata/icmpv6-nd-mld.pcap: ICMPv6 neighbour discovery and MLD from real Linux kernels.
# Needs root, radvd, tcpdump, iproute2, ping, python3. All traffic stays inside two network
# namespaces made (and deleted, even on failure) by this script.
#
# Topology: host namespace H (veth h0, 02:00:00:18:0a:02) <-> router namespace R (veth r0 in bridge
# br0, 02:00:00:18:0a:01, fd00:18::1/64). br0 is the MLD querier (multicast snooping on); radvd on
# br0 sends Router Advertisements (prefix fd00:18::/64, MTU 1450, RDNSS fd00:18::53, source link-layer
# address option). Captured on h0 in H.
set -euo pipefail
OUT=$(realpath -m "${1:-$(dirname "$0")/../icmpv6-nd-mld.pcap}")
TAG="$$$RANDOM"
H="vxnd${TAG}h"
R="vxnd${TAG}r"
TMP=$(mktemp -d)
TD=""
RA=""
# ip netns exec execs the command: $! is the pid of tcpdump / radvd themselves.
cleanup() {
    [ -n "$TD" ] && kill -INT "$TD" 2>/dev/null && wait "$TD" 2>/dev/null || true
    [ -n "$RA" ] && kill "$RA" 2>/dev/null || true
    ip netns del "$H" 2>/dev/null || true
    ip netns del "$R" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
inH() { ip netns exec "$H" "$@"; }
inR() { ip netns exec "$R" "$@"; }

ip netns add "$H"
ip netns add "$R"
inH ip link set lo up
inR ip link set lo up
ip -n "$H" link add h0 address 02:00:00:18:0a:02 type veth peer name r0 netns "$R" address 02:00:00:18:0a:01
# Bridge as MLD querier (v2 first); times in 1/100 s.
inR ip link add br0 address 02:00:00:18:0a:01 type bridge mcast_snooping 1 mcast_querier 1 \
    mcast_mld_version 2 mcast_query_interval 300 mcast_query_response_interval 100 \
    mcast_startup_query_interval 100 mcast_last_member_interval 50 mcast_last_member_count 1
inR ip link set r0 master br0
inR sysctl -qw net.ipv6.conf.all.forwarding=1
inH sysctl -qw net.ipv6.conf.h0.accept_ra=1 net.ipv6.conf.h0.router_solicitation_interval=1
inH ip link set h0 up            # no carrier yet: nothing is sent before the capture starts
ip netns exec "$H" tcpdump -i h0 -U --immediate-mode -Z root -w "$OUT" 2>"$TMP/tcpdump.err" &
TD=$!
sleep 1.5
cat > "$TMP/radvd.conf" <<RADVD
interface br0 {
    AdvSendAdvert on;
    MinRtrAdvInterval 3;
    MaxRtrAdvInterval 4;
    AdvLinkMTU 1450;
    AdvSourceLLAddress on;
    prefix fd00:18::/64 { AdvOnLink on; AdvAutonomous on; };
    RDNSS fd00:18::53 { };
};
RADVD
inR ip addr add fd00:18::1/64 dev br0
inR ip link set br0 up
inR ip link set r0 up            # carrier: H does DAD, MLDv2 reports, RS
sleep 2.5
ip netns exec "$R" radvd -C "$TMP/radvd.conf" -p "$TMP/radvd.pid" -m logfile -l "$TMP/radvd.log" -n &
RA=$!
sleep 3
inH ip addr add fd00:18::2/64 dev h0 # DAD of a static address
sleep 2
inH ping -6 -q -c 2 -i 0.2 fd00:18::1 >/dev/null
# MLDv2: any-source join/leave (TO_EX / TO_IN), source-specific join/leave (ALLOW / BLOCK);
# the querier answers leaves with group(-and-source)-specific queries.
inH python3 - <<'PY'
import socket, struct, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
ifi = socket.if_nametoindex("h0")
grp = socket.inet_pton(socket.AF_INET6, "ff15::abcd")
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, grp + struct.pack("@I", ifi))
time.sleep(1.5)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_LEAVE_GROUP, grp + struct.pack("@I", ifi))
time.sleep(1.5)
def sa6(a):
    b = struct.pack("@HHI16sI", socket.AF_INET6, 0, 0, socket.inet_pton(socket.AF_INET6, a), 0)
    return b + bytes(128 - len(b))
gsr = struct.pack("@I4x", ifi) + sa6("ff3e::1234") + sa6("fd00:18::1")
MCAST_JOIN_SOURCE_GROUP, MCAST_LEAVE_SOURCE_GROUP = 46, 47
s.setsockopt(socket.IPPROTO_IPV6, MCAST_JOIN_SOURCE_GROUP, gsr)
time.sleep(1.5)
s.setsockopt(socket.IPPROTO_IPV6, MCAST_LEAVE_SOURCE_GROUP, gsr)
time.sleep(1.5)
PY
# MLDv1: the host is forced to v1 (reports and done), the querier to v1 queries.
inR ip link set br0 type bridge mcast_mld_version 1
inH sysctl -qw net.ipv6.conf.h0.force_mld_version=1
inH python3 - <<'PY'
import socket, struct, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
ifi = socket.if_nametoindex("h0")
grp = socket.inet_pton(socket.AF_INET6, "ff15::1:2")
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, grp + struct.pack("@I", ifi))
time.sleep(4)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_LEAVE_GROUP, grp + struct.pack("@I", ifi))
time.sleep(1.5)
PY
sleep 1.5
kill -INT "$TD"; wait "$TD" || true; TD=""
cat "$TMP/tcpdump.err" >&2
