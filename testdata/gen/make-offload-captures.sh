#!/bin/bash
# make-offload-captures.sh - kernel VXLAN captures as people take them: checksum and
# segmentation offload left as the kernel sets it (no `ethtool -K ... tx off`), with every
# VTEP's state recorded at capture time.
#
# Writes testdata/offload/<scenario>/:
#   capture.pcap (or .pcapng)   tcpdump on VTEP A's underlay (and others, see below)
#   vteps.txt                   one line per VTEP: ROLE ADDR SETTINGS DEV MAC
#                               (SETTINGS is the `vxdump --summary --vtep ADDR,SETTINGS` string
#                               for the device's non-default settings, `-` for none)
#   ROLE.fdb  ROLE.mdb  ROLE.neigh  ROLE.link  ROLE.stats
#                               `bridge fdb show dev DEV`, `bridge mdb show`, `ip neigh show`,
#                               `ip -d link show DEV`, `ip -s -s link show DEV` of every VTEP,
#                               taken right after the traffic, before anything is torn down
#   commands.log                every command run, per namespace
#
# Usage: sudo testdata/gen/make-offload-captures.sh [SCENARIO...]
#
# Safety: all traffic stays in namespaces created here (vxo<PID><R>s<N><ROLE>), deleted on exit
# (also on failure). Underlay 198.18.0.0/15 and fd00:18::/64, overlay 10.x.
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "make-offload-captures.sh: must run as root" >&2; exit 1; }
GEN=$(cd "$(dirname "$0")" && pwd)
DEST=$(cd "$GEN/.." && pwd)/offload
PY=/usr/bin/python3
export LC_ALL=C TZ=UTC
for t in ip bridge tcpdump ping "$PY"; do
    command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 1; }
done

SUF="$$$((RANDOM % 100))"
WORK=$(mktemp -d /tmp/vxwire-offload.XXXXXX)
declare -A NS=()
NSLIST=()
PIDS=()
SCN=0
OUT=
LOG=/dev/null

cleanup() {
    local rc=$? p ns
    set +e
    for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null; done
    sleep 0.3
    for ns in "${NSLIST[@]}"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    rm -rf "$WORK"
    [ "$rc" = 0 ] || echo "make-offload-captures.sh: FAILED (rc=$rc)" >&2
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "make-offload-captures.sh: $*" >&2; exit 1; }

del_namespaces() {
    local ns p
    for ns in "${NSLIST[@]}"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
        ip netns del "$ns"
    done
    NSLIST=()
    NS=()
}
scenario() {            # scenario NAME
    del_namespaces
    SCN=$((SCN + 1))
    OUT="$WORK/$1"
    mkdir -p "$OUT"
    LOG="$OUT/commands.log"
    : >"$LOG"
    : >"$OUT/vteps.txt"
    echo "== scenario $1" >&2
}
logc() { printf '%s\n' "$*" >>"$LOG"; }
mkns() {                # mkns ROLE [v6]
    local r=$1 ns="vxo${SUF}s${SCN}$1"
    ip netns add "$ns"
    NSLIST+=("$ns")
    NS[$r]=$ns
    logc "ip netns add \$NS_$r"
    nsx "$r" ip link set lo up
    if [ "${2:-}" = v6 ]; then
        nsx "$r" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
            net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0
    else
        nsx "$r" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    fi
}
nsx() { local r=$1; shift; logc "[$r] $*"; ip netns exec "${NS[$r]}" "$@"; }
nsq() { local r=$1; shift; ip netns exec "${NS[$r]}" "$@"; }
veth() {                # veth ROLE_A IF_A MAC_A ROLE_B IF_B MAC_B  (offload as the kernel sets it)
    logc "ip -n \$NS_$1 link add $2 address $3 type veth peer name $5 netns \$NS_$4 address $6"
    ip -n "${NS[$1]}" link add "$2" address "$3" type veth peer name "$5" netns "${NS[$4]}" address "$6"
}
cap_start() {           # cap_start ROLE IFACE FILE [tcpdump args...]
    local r=$1 ifc=$2 f=$3 i; shift 3
    local err="$WORK/cap$RANDOM.err"
    logc "[$r] tcpdump -i $ifc${*:+ $*} -w $(basename "$f") &"
    ip netns exec "${NS[$r]}" tcpdump -i "$ifc" "$@" -U --immediate-mode -B 32768 -Z root -w "$f" 2>"$err" &
    CAP_PID=$!
    PIDS+=("$CAP_PID")
    for i in $(seq 100); do grep -q 'listening on' "$err" && break; sleep 0.1; done
    grep -q 'listening on' "$err" || { cat "$err" >&2; die "tcpdump did not start"; }
    sleep 0.3
}
cap_stop() {
    local p
    sleep 1.5
    for p in "$@"; do kill -INT "$p"; done
    for p in "$@"; do wait "$p" || true; done
    PIDS=()
}
vtep() {                # vtep ROLE ADDR DEV SETTINGS  - describe a VTEP for vteps.txt
    local mac
    mac=$(nsq "$1" cat "/sys/class/net/$3/address")
    echo "$1 $2 ${4:--} $3 $mac" >>"$OUT/vteps.txt"
}
record() {              # record ROLE DEV  - the VTEP's tables, as the kernel has them now
    nsq "$1" bridge fdb show dev "$2" >"$OUT/$1.fdb"
    nsq "$1" bridge mdb show >"$OUT/$1.mdb"
    nsq "$1" ip neigh show >"$OUT/$1.neigh"
    nsq "$1" ip -d link show "$2" >"$OUT/$1.link"
    nsq "$1" ip -s -s link show "$2" >"$OUT/$1.stats"
    logc "[$1] bridge fdb show dev $2 > $1.fdb; bridge mdb show > $1.mdb; ip neigh show > $1.neigh; ip -d link show $2 > $1.link; ip -s -s link show $2 > $1.stats"
}
PING="ping -q -i 0.2 -W 2"

cat >"$WORK/bulk.py" <<'EOF'
# bulk TCP: the server reads until EOF; the client sends N bytes in one write (GSO super-frames)
import socket, sys
mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
if mode == "srv":
    s = socket.socket(fam, socket.SOCK_STREAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.settimeout(30); s.bind((addr, port)); s.listen(1)
    c, _ = s.accept(); c.settimeout(30)
    while c.recv(65536):
        pass
    c.close()
else:
    c = socket.create_connection((addr, port), timeout=30)
    c.sendall(b"x" * int(sys.argv[4])); c.shutdown(socket.SHUT_WR)
    c.recv(1); c.close()
EOF
bulk() {                # bulk SRV CLI ADDR PORT BYTES
    logc "[$1] python3 bulk.py srv $3 $4 &"
    nsq "$1" "$PY" "$WORK/bulk.py" srv "$3" "$4" &
    local spid=$! i
    for i in $(seq 50); do nsq "$1" ss -Hltn "sport = :$4" | grep -q . && break; sleep 0.1; done
    logc "[$2] python3 bulk.py cli $3 $4 $5"
    nsq "$2" "$PY" "$WORK/bulk.py" cli "$3" "$4" "$5"
    wait "$spid"
}

# p2p: VNI 100, 4789, A <-> B. Captured on A's underlay (Ethernet), on `any` (SLL2 and SLL)
# and on the vxlan device itself; pings, one bulk TCP transfer (GSO over the overlay).
scenario_p2p() {
    scenario p2p
    mkns A; mkns B
    veth A u0 02:00:00:18:10:01 B u0 02:00:00:18:10:02
    nsx A ip addr add 198.18.10.1/24 dev u0; nsx B ip addr add 198.18.10.2/24 dev u0
    nsx A ip link set u0 up; nsx B ip link set u0 up
    nsx A ip link add vxlan100 address 02:00:00:00:10:01 type vxlan id 100 remote 198.18.10.2 local 198.18.10.1 dev u0 dstport 4789
    nsx B ip link add vxlan100 address 02:00:00:00:10:02 type vxlan id 100 remote 198.18.10.1 local 198.18.10.2 dev u0 dstport 4789
    nsx A ip addr add 10.110.0.1/24 dev vxlan100; nsx B ip addr add 10.110.0.2/24 dev vxlan100
    nsx A ip link set vxlan100 up; nsx B ip link set vxlan100 up
    vtep A 198.18.10.1 vxlan100 vni=100; vtep B 198.18.10.2 vxlan100 vni=100
    sleep 0.5
    local p=()
    cap_start A u0 "$OUT/capture.pcap"; p+=("$CAP_PID")
    cap_start A any "$OUT/any-sll2.pcap"; p+=("$CAP_PID")
    cap_start A any "$OUT/any-sll.pcap" -y LINUX_SLL; p+=("$CAP_PID")
    cap_start A vxlan100 "$OUT/vxlan-dev.pcap"; p+=("$CAP_PID")
    nsx A $PING -c 3 10.110.0.2 >/dev/null
    bulk B A 10.110.0.2 5001 30000
    sleep 0.3
    record A vxlan100; record B vxlan100
    cap_stop "${p[@]}"
}

# Multicast group mode: A, B, C (VNI 200, group 239.1.1.1) on a bridge in M (snooping off).
# Captured on A's underlay from before the devices go up (the VTEPs' IGMPv3 joins), then a
# MAC moves: B's device goes down and C takes over B's MAC.
# mcast-group-any: the same, captured with `tcpdump -i any` (SLL2) on A: its IGMP joins on u0
# come before u0 carries any VXLAN, and every overlay packet is in the file twice.
scenario_mcast() {
    local name=$1 move=${2:-} any=${3:-}
    scenario "$name"
    mkns M; mkns A; mkns B; mkns C
    nsx M ip link add br0 type bridge mcast_snooping 0
    nsx M ip link set br0 up
    local r n=0
    for r in A B C; do
        n=$((n + 1))
        veth M "p$r" "02:00:00:18:11:f$n" "$r" u0 "02:00:00:18:11:0$n"
        nsx M ip link set "p$r" master br0; nsx M ip link set "p$r" up
        nsx "$r" ip addr add "198.18.11.$n/24" dev u0; nsx "$r" ip link set u0 up
        nsx "$r" ip link add vxlan200 address "02:00:00:00:11:0$n" type vxlan id 200 group 239.1.1.1 dev u0 dstport 4789
        nsx "$r" ip addr add "10.120.0.$n/24" dev vxlan200
        vtep "$r" "198.18.11.$n" vxlan200 vni=200
    done
    sleep 0.5
    if [ -n "$any" ]; then cap_start A any "$OUT/capture.pcap"; else cap_start A u0 "$OUT/capture.pcap"; fi
    local pid=$CAP_PID
    for r in A B C; do nsx "$r" ip link set vxlan200 up; sleep 0.5; done
    sleep 2
    nsx A $PING -c 3 10.120.0.2 >/dev/null
    nsx A $PING -c 3 10.120.0.3 >/dev/null
    nsx B $PING -c 2 10.120.0.3 >/dev/null
    nsx C $PING -c 2 10.120.0.1 >/dev/null
    if [ -n "$move" ]; then
        # the host with B's MAC and IP moves to C (a VM migration): C's device takes both over.
        # B's table is recorded before its device goes down (which flushes it).
        record B vxlan200
        nsx B ip link set vxlan200 down
        nsx C ip addr flush dev vxlan200
        nsx C ip link set vxlan200 down
        nsx C ip link set vxlan200 address 02:00:00:00:11:02
        nsx C ip addr add 10.120.0.2/24 dev vxlan200
        nsx C ip link set vxlan200 up
        sleep 1
        nsx C $PING -c 3 10.120.0.1 >/dev/null
        sed -i 's/^C \(.*\) vxlan200 .*/C \1 vxlan200 02:00:00:00:11:02/' "$OUT/vteps.txt"
    fi
    sleep 0.5
    record A vxlan200; record C vxlan200
    [ -n "$move" ] || record B vxlan200
    cap_stop "$pid"
}

# flannel: VNI 1, UDP 8472, nolearning, noudpcsum, static fdb/neigh (as flannel sets them).
scenario_flannel() {
    scenario flannel
    mkns A; mkns B
    veth A u0 02:00:00:18:12:01 B u0 02:00:00:18:12:02
    nsx A ip addr add 198.18.12.1/24 dev u0; nsx B ip addr add 198.18.12.2/24 dev u0
    nsx A ip link set u0 up; nsx B ip link set u0 up
    nsx A ip link add flannel.1 address 0a:58:0a:f4:00:00 type vxlan id 1 local 198.18.12.1 dev u0 nolearning dstport 8472 noudpcsum
    nsx B ip link add flannel.1 address 0a:58:0a:f4:01:00 type vxlan id 1 local 198.18.12.2 dev u0 nolearning dstport 8472 noudpcsum
    nsx A ip addr add 10.244.0.0/32 dev flannel.1; nsx B ip addr add 10.244.1.0/32 dev flannel.1
    nsx A ip link set flannel.1 up; nsx B ip link set flannel.1 up
    nsx A ip route add 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink
    nsx B ip route add 10.244.0.0/24 via 10.244.0.0 dev flannel.1 onlink
    nsx A ip neigh replace 10.244.1.0 lladdr 0a:58:0a:f4:01:00 dev flannel.1 nud permanent
    nsx A bridge fdb append 0a:58:0a:f4:01:00 dev flannel.1 dst 198.18.12.2
    nsx B bridge fdb append 0a:58:0a:f4:00:00 dev flannel.1 dst 198.18.12.1
    nsx B bridge fdb append 00:00:00:00:00:00 dev flannel.1 dst 198.18.12.1
    vtep A 198.18.12.1 flannel.1 nolearning,vni=1,port=8472
    vtep B 198.18.12.2 flannel.1 nolearning,vni=1,port=8472
    sleep 0.5
    cap_start A u0 "$OUT/capture.pcap"
    local pid=$CAP_PID
    nsx A $PING -c 3 10.244.1.0 >/dev/null
    nsx B $PING -c 2 10.244.0.0 >/dev/null
    sleep 0.3
    record A flannel.1; record B flannel.1
    cap_stop "$pid"
}

# GBP: VNI 300, `gbp`; static neigh entries (no ARP), so every frame B sends A is an echo reply
# carrying the reflected mark 0x401234: GBP with the D (don't learn) bit. Does A learn B?
scenario_gbp() {
    scenario gbp
    mkns A; mkns B
    veth A u0 02:00:00:18:13:01 B u0 02:00:00:18:13:02
    nsx A ip addr add 198.18.13.1/24 dev u0; nsx B ip addr add 198.18.13.2/24 dev u0
    nsx A ip link set u0 up; nsx B ip link set u0 up
    nsx A ip link add vxlan300 address 02:00:00:00:13:01 type vxlan id 300 remote 198.18.13.2 local 198.18.13.1 dev u0 dstport 4789 gbp
    nsx B ip link add vxlan300 address 02:00:00:00:13:02 type vxlan id 300 remote 198.18.13.1 local 198.18.13.2 dev u0 dstport 4789 gbp
    nsx A ip addr add 10.130.0.1/24 dev vxlan300; nsx B ip addr add 10.130.0.2/24 dev vxlan300
    nsx A ip neigh replace 10.130.0.2 lladdr 02:00:00:00:13:02 dev vxlan300 nud permanent
    nsx B ip neigh replace 10.130.0.1 lladdr 02:00:00:00:13:01 dev vxlan300 nud permanent
    nsx B sysctl -qw net.ipv4.fwmark_reflect=1
    nsx A ip link set vxlan300 up; nsx B ip link set vxlan300 up
    vtep A 198.18.13.1 vxlan300 gbp,vni=300; vtep B 198.18.13.2 vxlan300 gbp,vni=300
    sleep 0.5
    cap_start A u0 "$OUT/capture.pcap"
    local pid=$CAP_PID
    nsx A $PING -c 3 -m 4198964 10.130.0.2 >/dev/null           # 0x401234: D bit both ways
    sleep 0.3
    record A vxlan300; record B vxlan300
    cap_stop "$pid"
}

# IPv6 underlay: VNI 400, fd00:18:14::1 <-> ::2, pings and a bulk transfer.
scenario_ipv6() {
    scenario ipv6-underlay
    mkns A v6; mkns B v6
    veth A u0 02:00:00:18:14:01 B u0 02:00:00:18:14:02
    nsx A ip addr add fd00:18:14::1/64 dev u0 nodad; nsx B ip addr add fd00:18:14::2/64 dev u0 nodad
    nsx A ip link set u0 up; nsx B ip link set u0 up
    nsx A ip link add vxlan400 address 02:00:00:00:14:01 type vxlan id 400 remote fd00:18:14::2 local fd00:18:14::1 dev u0 dstport 4789
    nsx B ip link add vxlan400 address 02:00:00:00:14:02 type vxlan id 400 remote fd00:18:14::1 local fd00:18:14::2 dev u0 dstport 4789
    nsx A sysctl -qw net.ipv6.conf.vxlan400.disable_ipv6=1; nsx B sysctl -qw net.ipv6.conf.vxlan400.disable_ipv6=1
    nsx A ip addr add 10.140.0.1/24 dev vxlan400; nsx B ip addr add 10.140.0.2/24 dev vxlan400
    nsx A ip link set vxlan400 up; nsx B ip link set vxlan400 up
    vtep A fd00:18:14::1 vxlan400 vni=400; vtep B fd00:18:14::2 vxlan400 vni=400
    sleep 1.5
    cap_start A u0 "$OUT/capture.pcap"
    local pid=$CAP_PID
    nsx A $PING -c 3 10.140.0.2 >/dev/null
    bulk B A 10.140.0.2 5001 20000
    sleep 0.3
    record A vxlan400; record B vxlan400
    cap_stop "$pid"
}

# IPv6 group mode: A, B, C (VNI 600, group ff05::100) on a bridge in M; MLDv2 joins.
scenario_mcast6() {
    scenario mcast6-group
    mkns M v6; mkns A v6; mkns B v6; mkns C v6
    nsx M ip link add br0 type bridge mcast_snooping 0
    nsx M ip link set br0 up
    local r n=0
    for r in A B C; do
        n=$((n + 1))
        veth M "p$r" "02:00:00:18:16:f$n" "$r" u0 "02:00:00:18:16:0$n"
        nsx M ip link set "p$r" master br0; nsx M ip link set "p$r" up
        nsx "$r" ip addr add "fd00:18:16::$n/64" dev u0 nodad; nsx "$r" ip link set u0 up
        nsx "$r" ip link add vxlan600 address "02:00:00:00:16:0$n" type vxlan id 600 group ff05::100 dev u0 dstport 4789
        nsx "$r" sysctl -qw net.ipv6.conf.vxlan600.disable_ipv6=1
        nsx "$r" ip addr add "10.160.0.$n/24" dev vxlan600
        # the group is not a setting: the VTEPs' MLD joins are in the capture (from link-local
        # addresses, tied to the VTEP address by the underlay MAC they share)
        vtep "$r" "fd00:18:16::$n" vxlan600 vni=600
    done
    sleep 1.5
    cap_start A u0 "$OUT/capture.pcap"
    local pid=$CAP_PID
    for r in A B C; do nsx "$r" ip link set vxlan600 up; sleep 0.5; done
    sleep 2
    nsx A $PING -c 3 10.160.0.2 >/dev/null
    nsx B $PING -c 2 10.160.0.3 >/dev/null
    nsx C $PING -c 2 10.160.0.1 >/dev/null
    sleep 0.5
    for r in A B C; do record "$r" vxlan600; done
    cap_stop "$pid"
}

# Container bridge: B's vxlan0 is a port of bridge br0 with IGMP snooping (as a container host
# has it); host A (plain vxlan0) joins groups through the overlay (IGMPv3, one source-specific
# join); B's bridge learns them (`bridge mdb show`) from the reports that come out of the tunnel.
# container-bridge-any: the same, captured with `tcpdump -i any` (SLL2, and SLL in any-sll.pcap)
# on B, the bridge host:
# each overlay packet is in the file on u0 (VXLAN), and again decapsulated on vxlan0 and br0.
scenario_bridge() {
    local name=${1:-container-bridge} any=${2:-}
    scenario "$name"
    mkns A; mkns B
    veth A u0 02:00:00:18:17:01 B u0 02:00:00:18:17:02
    nsx A ip addr add 198.18.17.1/24 dev u0; nsx B ip addr add 198.18.17.2/24 dev u0
    nsx A ip link set u0 up; nsx B ip link set u0 up
    nsx A ip link add vxlan0 address 02:00:00:00:17:01 type vxlan id 700 remote 198.18.17.2 local 198.18.17.1 dev u0 dstport 4789
    nsx B ip link add vxlan0 address 02:00:00:00:17:02 type vxlan id 700 remote 198.18.17.1 local 198.18.17.2 dev u0 dstport 4789
    nsx B ip link add br0 address 02:00:00:00:17:b0 type bridge mcast_snooping 1 mcast_querier 0
    nsx B ip link set vxlan0 master br0
    nsx A ip addr add 10.170.0.1/24 dev vxlan0; nsx B ip addr add 10.170.0.2/24 dev br0
    nsx A ip link set vxlan0 up; nsx B ip link set vxlan0 up; nsx B ip link set br0 up
    vtep A 198.18.17.1 vxlan0 vni=700; vtep B 198.18.17.2 vxlan0 vni=700
    sleep 0.5
    cat >"$WORK/joins.py" <<'EOF'
import socket, struct, sys, time
IF, LOCAL = sys.argv[1:3]
idx = socket.if_nametoindex(IF)
def mreqn(g): return struct.pack("4s4si", socket.inet_aton(g), socket.inet_aton("0.0.0.0"), idx)
def mreqs(g, s): return struct.pack("4s4s4s", socket.inet_aton(g), socket.inet_aton(LOCAL), socket.inet_aton(s))
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreqn("239.17.0.1"))
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.setsockopt(socket.IPPROTO_IP, 39, mreqs("239.17.0.2", "10.170.0.2"))
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); c.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreqn("239.17.0.3"))
time.sleep(2.5)
c.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, mreqn("239.17.0.3"))
time.sleep(2.5)
sys.stdout.write("joined 239.17.0.1, 239.17.0.2 (source 10.170.0.2), left 239.17.0.3\n"); sys.stdout.flush()
sys.stdin.read()
EOF
    local pids=()
    if [ -n "$any" ]; then
        cap_start B any "$OUT/capture.pcap"; pids+=("$CAP_PID")
        cap_start B any "$OUT/any-sll.pcap" -y LINUX_SLL; pids+=("$CAP_PID")
    else
        cap_start A u0 "$OUT/capture.pcap"; pids+=("$CAP_PID")
    fi
    nsx A $PING -c 2 10.170.0.2 >/dev/null
    logc "[A] python3 joins.py vxlan0 10.170.0.1   # joins 239.17.0.1, 239.17.0.2 source 10.170.0.2; joins and leaves 239.17.0.3"
    mkfifo "$WORK/hold"
    nsq A "$PY" "$WORK/joins.py" vxlan0 10.170.0.1 <"$WORK/hold" >"$WORK/joins.out" &
    local jp=$!
    exec 9>"$WORK/hold"
    for i in $(seq 100); do grep -q joined "$WORK/joins.out" 2>/dev/null && break; sleep 0.1; done
    record A vxlan0; record B vxlan0
    cap_stop "${pids[@]}"      # before the sockets close (which leaves the groups)
    exec 9>&-
    wait "$jp" || true
}

# Head-end replication: A, B, C (VNI 800) on a bridge in M, no group: every VTEP has an
# all-zeros fdb entry per peer, so BUM frames go out once per peer, unicast.
scenario_her() {
    scenario head-end-replication
    mkns M; mkns A; mkns B; mkns C
    nsx M ip link add br0 type bridge mcast_snooping 0
    nsx M ip link set br0 up
    local r p n=0
    for r in A B C; do
        n=$((n + 1))
        veth M "p$r" "02:00:00:18:18:f$n" "$r" u0 "02:00:00:18:18:0$n"
        nsx M ip link set "p$r" master br0; nsx M ip link set "p$r" up
        nsx "$r" ip addr add "198.18.18.$n/24" dev u0; nsx "$r" ip link set u0 up
        nsx "$r" ip link add vxlan800 address "02:00:00:00:18:0$n" type vxlan id 800 local "198.18.18.$n" dev u0 dstport 4789
        nsx "$r" ip addr add "10.180.0.$n/24" dev vxlan800
        for p in 1 2 3; do
            [ "$p" = "$n" ] || nsx "$r" bridge fdb append 00:00:00:00:00:00 dev vxlan800 dst "198.18.18.$p"
        done
        vtep "$r" "198.18.18.$n" vxlan800 vni=800
    done
    sleep 0.5
    cap_start A u0 "$OUT/capture.pcap"
    local pid=$CAP_PID
    for r in A B C; do nsx "$r" ip link set vxlan800 up; done
    sleep 1
    nsx A $PING -c 3 10.180.0.2 >/dev/null
    nsx A $PING -c 2 10.180.0.3 >/dev/null
    nsx B $PING -c 2 10.180.0.3 >/dev/null
    sleep 0.5
    for r in A B C; do record "$r" vxlan800; done
    cap_stop "$pid"
}

# Proxy: VNI 900, A's device has `proxy l2miss l3miss nolearning` (ARP suppression from its
# neighbour table, as EVPN set-ups have it), no default destination, a static neigh and fdb
# entry for B; B is a plain learning device with `remote` A and a static neigh entry for A (a
# proxy device consumes every ARP packet it would send, replies included, so B could not
# resolve A through it). A's ARP requests never reach the wire (answered locally, or dropped
# with an l3miss netlink message for the absent 10.190.0.9); B's request for the absent
# 10.190.0.7 is flooded to A and stays unanswered. A learns nothing, B learns A.
scenario_proxy() {
    scenario proxy
    mkns A; mkns B
    veth A u0 02:00:00:18:19:01 B u0 02:00:00:18:19:02
    nsx A ip addr add 198.18.19.1/24 dev u0; nsx B ip addr add 198.18.19.2/24 dev u0
    nsx A ip link set u0 up; nsx B ip link set u0 up
    nsx A ip link add vxlan900 address 02:00:00:00:19:01 type vxlan id 900 local 198.18.19.1 dev u0 dstport 4789 proxy l2miss l3miss nolearning
    nsx B ip link add vxlan900 address 02:00:00:00:19:02 type vxlan id 900 remote 198.18.19.1 local 198.18.19.2 dev u0 dstport 4789
    nsx A ip addr add 10.190.0.1/24 dev vxlan900; nsx B ip addr add 10.190.0.2/24 dev vxlan900
    nsx A ip link set vxlan900 up; nsx B ip link set vxlan900 up
    nsx A ip neigh replace 10.190.0.2 lladdr 02:00:00:00:19:02 dev vxlan900 nud permanent
    nsx A bridge fdb append 02:00:00:00:19:02 dev vxlan900 dst 198.18.19.2
    nsx B ip neigh replace 10.190.0.1 lladdr 02:00:00:00:19:01 dev vxlan900 nud permanent
    vtep A 198.18.19.1 vxlan900 nolearning,proxy,l2miss,l3miss,vni=900
    vtep B 198.18.19.2 vxlan900 vni=900
    sleep 0.5
    cap_start A u0 "$OUT/capture.pcap"
    local pid=$CAP_PID
    nsx A $PING -c 3 10.190.0.2 >/dev/null
    nsx A $PING -c 2 -w 2 10.190.0.9 >/dev/null || true       # absent: l3miss, nothing on the wire
    nsx B $PING -c 2 10.190.0.1 >/dev/null
    nsx B $PING -c 2 -w 2 10.190.0.7 >/dev/null || true       # absent: B floods its ARP request
    sleep 0.3
    record A vxlan900; record B vxlan900
    cap_stop "$pid"
}

# Problems the kernel itself makes, each captured on the receiving VTEP B's underlay (before B
# judges the frame), B's counters recorded (`nstat -az` in B.nstat) with its tables:
# problem-fragments: A's vxlan device (not bound to u0) has MTU 1500 over a 1500 underlay (df
#   unset, the default): a full-size inner packet leaves as two outer IPv4 fragments (B reassembles them);
# problem-ttl1: A's device has `ttl 1` (unicast): fine on one link, dead behind a router;
# problem-vni0: both devices have `id 0`;
# (a kernel never sends a wrong outer checksum or source port 0: scapy crafts those, below.)
scenario_problem() {
    local kind=$1 n=$2
    scenario "problem-$kind"
    mkns A; mkns B
    veth A u0 "02:00:00:18:2$n:01" B u0 "02:00:00:18:2$n:02"
    nsx A ip addr add "198.18.2$n.1/24" dev u0; nsx B ip addr add "198.18.2$n.2/24" dev u0
    nsx A ip link set u0 up; nsx B ip link set u0 up
    local vni=$((1000 + n)) a_extra="" b_extra="" id a_dev="dev u0"
    id=$vni
    case $kind in
        # a device bound to u0 refuses an MTU above u0's minus the overhead; unbound it takes it
        fragments) a_dev="" ;;
        ttl1) a_extra="ttl 1" ;;
        vni0) id=0 ;;
    esac
    nsx A ip link add vx address "02:00:00:00:2$n:01" type vxlan id "$id" remote "198.18.2$n.2" local "198.18.2$n.1" $a_dev dstport 4789 $a_extra
    nsx B ip link add vx address "02:00:00:00:2$n:02" type vxlan id "$id" remote "198.18.2$n.1" local "198.18.2$n.2" dev u0 dstport 4789 $b_extra
    [ "$kind" = fragments ] && nsx A ip link set vx mtu 1500
    nsx A ip addr add "10.2$n.0.1/24" dev vx; nsx B ip addr add "10.2$n.0.2/24" dev vx
    nsx A ip link set vx up; nsx B ip link set vx up
    nsx A ip neigh replace "10.2$n.0.2" lladdr "02:00:00:00:2$n:02" dev vx nud permanent
    nsx B ip neigh replace "10.2$n.0.1" lladdr "02:00:00:00:2$n:01" dev vx nud permanent
    vtep A "198.18.2$n.1" vx "vni=$id"; vtep B "198.18.2$n.2" vx "vni=$id"
    sleep 0.5
    nsq B nstat -n >/dev/null
    cap_start B u0 "$OUT/capture.pcap"
    local pid=$CAP_PID
    case $kind in
        fragments) nsx A $PING -c 3 -s 1472 -M dont "10.2$n.0.2" >/dev/null ;;
        *) nsx A $PING -c 3 "10.2$n.0.2" >/dev/null ;;
    esac
    sleep 0.3
    record A vx; record B vx
    nsq B nstat -az >"$OUT/B.nstat"
    logc "[B] nstat -az > B.nstat   # counters since just before the capture started"
    cap_stop "$pid"
}

# problem-udp6zero: IPv6 underlay; A's device has `udp6zerocsumtx` (outer UDP checksum 0), B's
# the default `noudp6zerocsumrx`: B's UDP drops every frame from A (UDP_CSUM), learns nothing.
scenario_problem_udp6zero() {
    scenario problem-udp6zero
    mkns A v6; mkns B v6
    veth A u0 02:00:00:18:25:01 B u0 02:00:00:18:25:02
    nsx A ip addr add fd00:18:25::1/64 dev u0 nodad; nsx B ip addr add fd00:18:25::2/64 dev u0 nodad
    nsx A ip link set u0 up; nsx B ip link set u0 up
    nsx A ip link add vx address 02:00:00:00:25:01 type vxlan id 1005 remote fd00:18:25::2 local fd00:18:25::1 dev u0 dstport 4789 udp6zerocsumtx
    nsx B ip link add vx address 02:00:00:00:25:02 type vxlan id 1005 remote fd00:18:25::1 local fd00:18:25::2 dev u0 dstport 4789
    nsx A sysctl -qw net.ipv6.conf.vx.disable_ipv6=1; nsx B sysctl -qw net.ipv6.conf.vx.disable_ipv6=1
    nsx A ip addr add 10.25.0.1/24 dev vx; nsx B ip addr add 10.25.0.2/24 dev vx
    nsx A ip link set vx up; nsx B ip link set vx up
    vtep A fd00:18:25::1 vx vni=1005; vtep B fd00:18:25::2 vx vni=1005
    sleep 1.5
    nsq B nstat -n >/dev/null
    cap_start B u0 "$OUT/capture.pcap"
    local pid=$CAP_PID
    nsx A $PING -c 3 -w 3 10.25.0.2 >/dev/null || true           # B drops them: no answer
    sleep 0.3
    record A vx; record B vx
    nsq B nstat -az >"$OUT/B.nstat"
    logc "[B] nstat -az > B.nstat   # counters since just before the capture started"
    cap_stop "$pid"
}

# Problems no kernel sends, crafted by scapy in a sender namespace A (no vxlan device, just u0)
# and judged by a plain kernel device `vxlan0` in B (learning, the defaults), captured on B's
# underlay as it comes: VXLAN frames with a wrong non-zero outer UDP checksum and with outer
# UDP source port 0 (a correct checksum), interleaved with good frames; each frame has its own
# inner source MAC, so B's fdb tells which frames the kernel took. B's `nstat -az` counts the
# checksum drops (UdpInCsumErrors / Udp6InCsumErrors), B.stats the frames the device received.
# problem-udp-csum: IPv4 underlay; problem-udp-csum6: IPv6 underlay.
cat >"$WORK/craft.py" <<'EOF'
# craft.py IFACE SRC_MAC DST_MAC SRC_IP DST_IP VNI N: VXLAN frames over IFACE, one kind each
# in the order good, bad-checksum, port-0 (repeated); inner source MAC 02:00:00:00:N:<i>,
# inner destination an unknown unicast MAC (B's stack takes nothing, answers nothing).
import socket, struct, sys, time
from scapy.all import Ether, IP, IPv6, UDP, VXLAN, Raw, raw, sendp
iface, smac, dmac, sip, dip, vni, n = sys.argv[1:8]
six = ":" in sip
def fold(x):
    while x >> 16:
        x = (x & 0xFFFF) + (x >> 16)
    return x
def pseudo(udp_len):            # the folded pseudo-header sum (what checksum offload leaves)
    fam = socket.AF_INET6 if six else socket.AF_INET
    words = socket.inet_pton(fam, sip) + socket.inet_pton(fam, dip)
    return fold(sum(struct.unpack("!%dH" % (len(words) // 2), words)) + 17 + udp_len)
def frame(i, sport, bad):
    inner = (Ether(src="02:00:00:00:%s:%02x" % (n, i), dst="02:00:00:00:%s:99" % n)
             / IP(src="10.%s.0.%d" % (n, 100 + i), dst="10.%s.0.99" % n) / UDP(sport=40000 + i, dport=9)
             / Raw(b"vxwire frame %d" % i))
    outer = IPv6(src=sip, dst=dip, hlim=64) if six else IP(src=sip, dst=dip, ttl=64, flags="DF")
    p = Ether(src=smac, dst=dmac) / outer / UDP(sport=sport, dport=4789) / VXLAN(vni=int(vni), flags=0x08) / inner
    p = Ether(raw(p))                            # the correct checksum, as scapy computes it
    if bad:
        good, part = p[UDP].chksum, pseudo(p[UDP].len)
        wrong = (good + 0x1111) & 0xFFFF
        while wrong in (0, 0xFFFF, good, part, ~part & 0xFFFF):
            wrong = (wrong + 1) & 0xFFFF
        p[UDP].chksum = wrong
    return p
kinds = ["good", "bad-checksum", "port-0"] * 4
for i, k in enumerate(kinds, 1):
    p = frame(i, 0 if k == "port-0" else 49152 + 7 * i, k == "bad-checksum")
    sendp(p, iface=iface, verbose=False)
    print("%2d %-12s inner source %s outer udp checksum 0x%04x source port %d"
          % (i, k, p[VXLAN][Ether].src, p[UDP].chksum, p[UDP].sport), flush=True)
    time.sleep(0.05)
EOF
scenario_problem_crafted() {
    local six=${1:-} n=26 name=problem-udp-csum fam="" a b plen=24 nodad=""
    [ -n "$six" ] && { n=27; name=problem-udp-csum6; fam=v6; plen=64; nodad=nodad; }
    scenario "$name"
    mkns A $fam; mkns B $fam
    veth A u0 "02:00:00:18:$n:01" B u0 "02:00:00:18:$n:02"
    if [ -n "$six" ]; then a="fd00:18:$n::1"; b="fd00:18:$n::2"; else a="198.18.$n.1"; b="198.18.$n.2"; fi
    nsx A ip addr add "$a/$plen" dev u0 $nodad; nsx B ip addr add "$b/$plen" dev u0 $nodad
    nsx A ip link set u0 up; nsx B ip link set u0 up
    nsx B ip link add vxlan0 address "02:00:00:00:$n:02" type vxlan id "10$n" remote "$a" local "$b" dev u0 dstport 4789
    [ -z "$six" ] || nsx B sysctl -qw net.ipv6.conf.vxlan0.disable_ipv6=1
    nsx B ip addr add "10.$n.0.2/24" dev vxlan0
    nsx B ip link set vxlan0 up
    vtep B "$b" vxlan0 "vni=10$n"
    sleep 1.5
    nsq B nstat -n >/dev/null
    cap_start B u0 "$OUT/capture.pcap"
    local pid=$CAP_PID
    logc "[A] python3 craft.py u0 02:00:00:18:$n:01 02:00:00:18:$n:02 $a $b 10$n $n > sent.txt   # craft.py:"
    sed 's/^/    # /' "$WORK/craft.py" >>"$LOG"
    nsq A "$PY" "$WORK/craft.py" u0 "02:00:00:18:$n:01" "02:00:00:18:$n:02" "$a" "$b" "10$n" "$n" >"$OUT/sent.txt"
    sleep 0.3
    record B vxlan0
    nsq B nstat -az >"$OUT/B.nstat"
    logc "[B] nstat -az > B.nstat   # counters since just before the capture started"
    cap_stop "$pid"
}

ALL=(p2p mcast mcast-any mac-move flannel gbp ipv6 mcast6 bridge bridge-any her proxy)
[ $# -gt 0 ] && ALL=("$@")
for s in "${ALL[@]}"; do
    case $s in
        p2p) scenario_p2p ;;
        mcast) scenario_mcast mcast-group ;;
        mac-move) scenario_mcast mac-move move ;;
        mcast-any) scenario_mcast mcast-group-any "" any ;;
        flannel) scenario_flannel ;;
        gbp) scenario_gbp ;;
        ipv6) scenario_ipv6 ;;
        mcast6) scenario_mcast6 ;;
        bridge) scenario_bridge ;;
        bridge-any) scenario_bridge container-bridge-any any ;;
        her) scenario_her ;;
        proxy) scenario_proxy ;;
        problem-fragments) scenario_problem fragments 1 ;;
        problem-ttl1) scenario_problem ttl1 2 ;;
        problem-vni0) scenario_problem vni0 3 ;;
        problem-udp6zero) scenario_problem_udp6zero ;;
        problem-udp-csum) scenario_problem_crafted ;;
        problem-udp-csum6) scenario_problem_crafted v6 ;;
        *) die "unknown scenario $s" ;;
    esac
done
del_namespaces

mkdir -p "$DEST"
for d in "$WORK"/*/; do
    n=$(basename "$d")
    for f in "$d"*.pcap; do
        s=$(stat -c %s "$f")
        [ "$s" -gt 24 ] || die "empty capture $f"
        [ "$s" -lt 409600 ] || die "capture too big: $f ($s bytes)"
    done
    # the namespace names carry this run's pid: make the logs reproducible
    sed -i "s/vxo${SUF}s[0-9]*//g" "$d"commands.log
    # the kernel-made problem captures go to testdata/kernel-problems/ (not offload/: those are clean)
    dest=$DEST
    case $n in problem-*) dest=$(dirname "$DEST")/kernel-problems; n=${n#problem-} ;; esac
    mkdir -p "$dest"
    rm -rf "${dest:?}/$n"
    cp -r "$d" "$dest/$n"
    chmod 644 "$dest/$n"/*
done
echo "== done: $(ls "$DEST")" >&2
