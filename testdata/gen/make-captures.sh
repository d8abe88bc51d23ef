#!/bin/bash
# make-captures.sh - regenerate the vxwire VXLAN test captures.
#
# Creates throw-away network namespaces joined by veth pairs, builds Linux
# kernel VXLAN devices (VTEPs) in them, generates overlay traffic and captures
# the underlay with tcpdump/dumpcap.  Then writes the golden tcpdump outputs
# (gen/golden.sh), imports the third-party captures (gen/import-third-party.sh,
# only if the corpus directory exists) and regenerates testdata/README.md.
#
# Usage:  sudo testdata/gen/make-captures.sh
#   CORPUS=/path/to/corpus  (default /work/shared/corpus) third-party source
#
# Safety: all traffic stays inside namespaces created here (names vxg<PID><R>
# with a random part); nothing is configured in the caller's namespace.  All
# namespaces (and with them every veth/vxlan/bridge device) are deleted on exit,
# also on failure.  Addresses: underlay 198.18.0.0/15 and fd00:18::/64,
# overlay 10.x.
#
# Needs: iproute2 (ip, bridge, ss), tcpdump, tshark/dumpcap/editcap/capinfos
# (wireshark-common), iputils-ping, ethtool, python3.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
    echo "make-captures.sh: must run as root" >&2
    exit 1
fi

GEN=$(cd "$(dirname "$0")" && pwd)
TESTDATA=$(cd "$GEN/.." && pwd)
CORPUS=${CORPUS:-/work/shared/corpus}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
export LC_ALL=C TZ=UTC

for t in ip bridge ss tcpdump tshark dumpcap editcap capinfos ping ethtool "$PY"; do
    command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 1; }
done

SUF="$$$((RANDOM % 100))"
WORK=$(mktemp -d /tmp/vxwire-captures.XXXXXX)
OUT="$WORK/out"       # finished files, moved into testdata/ at the very end
LOGS="$WORK/logs"     # per-scenario command logs (embedded in README.md)
mkdir -p "$OUT" "$LOGS"
cd "$WORK"

declare -A NS=()
NSLIST=()
PIDS=()

cleanup() {
    local rc=$?
    set +e
    local p ns
    for p in "${PIDS[@]}"; do
        kill -INT "$p" 2>/dev/null && sleep 0.3
        kill "$p" 2>/dev/null
    done
    for ns in "${NSLIST[@]}"; do
        # processes started by this script inside the namespace (by pid)
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    rm -rf "$WORK"
    [ "$rc" = 0 ] || echo "make-captures.sh: FAILED (rc=$rc)" >&2
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "make-captures.sh: $*" >&2; exit 1; }
unpid() {               # forget a pid that has been waited for
    local q n=()
    for q in "${PIDS[@]}"; do [ "$q" = "$1" ] || n+=("$q"); done
    PIDS=("${n[@]}")
}

# ---------------------------------------------------------------- helpers --
LOG=/dev/null
SCN=0
del_namespaces() {      # delete the namespaces of the previous scenario
    local ns p
    for ns in "${NSLIST[@]}"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
        ip netns del "$ns"
    done
    NSLIST=()
    NS=()
}
scenario() {            # scenario NAME  - start a new command log
    del_namespaces
    SCN=$((SCN + 1))
    LOG="$LOGS/$1.log"
    : >"$LOG"
    echo "== scenario $1" >&2
}
logc() { printf '%s\n' "$*" >>"$LOG"; }

mkns() {                # mkns ROLE [v6]  - create namespace vxg<SUF><ROLE>
    local r=$1 ns="vxg${SUF}s${SCN}$1"
    ip netns add "$ns"
    NSLIST+=("$ns")
    NS[$r]=$ns
    logc "ip netns add \$NS_$r"
    nsx "$r" ip link set lo up
    if [ "${2:-}" = v6 ]; then
        nsx "$r" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
            net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0
    else
        # IPv4-only scenario: keep IPv6 (MLD/ND/RS) noise out of the captures
        nsx "$r" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    fi
}

nsx() {                 # nsx ROLE CMD...  - run (and log) a command in ROLE's namespace
    local r=$1; shift
    logc "[$r] $*"
    ip netns exec "${NS[$r]}" "$@"
}
nsq() {                 # nsq ROLE CMD...  - same, not logged
    local r=$1; shift
    ip netns exec "${NS[$r]}" "$@"
}

veth() {                # veth ROLE_A IF_A MAC_A ROLE_B IF_B MAC_B
    logc "ip -n \$NS_$1 link add $2 address $3 type veth peer name $5 netns \$NS_$4 address $6"
    ip -n "${NS[$1]}" link add "$2" address "$3" type veth peer name "$5" netns "${NS[$4]}" address "$6"
    nooffload "$1" "$2"
    nooffload "$4" "$5"
}

nooffload() {           # software checksums, so the capture holds correct checksums
    nsx "$1" ethtool -K "$2" tx off >/dev/null 2>&1 || true
}

CAP_PID=
declare -A CAP_ERR=()
cap_start() {           # cap_start ROLE IFACE FILE [extra tcpdump args...]
    local r=$1 ifc=$2 f=$3; shift 3
    local err="$WORK/$(basename "$f").err"
    logc "[$r] tcpdump -i $ifc${*:+ $*} -U -w $(basename "$f") &"
    ip netns exec "${NS[$r]}" tcpdump -i "$ifc" "$@" -U --immediate-mode -B 32768 -Z root -w "$f" 2>"$err" &
    CAP_PID=$!
    PIDS+=("$CAP_PID")
    CAP_ERR[$CAP_PID]=$err
    local i
    for i in $(seq 100); do
        grep -q 'listening on' "$err" && break
        sleep 0.1
    done
    grep -q 'listening on' "$err" || { cat "$err" >&2; die "tcpdump did not start"; }
    sleep 0.3
}
dumpcap_start() {       # dumpcap_start ROLE FILE IFACE...
    local r=$1 f=$2; shift 2
    local err="$WORK/$(basename "$f").err" a=()
    local i
    for i in "$@"; do a+=(-i "$i"); done
    logc "[$r] dumpcap ${a[*]} -w $(basename "$f") &"
    ip netns exec "${NS[$r]}" dumpcap -q "${a[@]}" -w "$f" 2>"$err" &
    CAP_PID=$!
    PIDS+=("$CAP_PID")
    CAP_ERR[$CAP_PID]=$err
    for i in $(seq 100); do
        grep -q 'Capturing on' "$err" && break
        sleep 0.1
    done
    grep -q 'Capturing on' "$err" || { cat "$err" >&2; die "dumpcap did not start"; }
    sleep 0.5
}
cap_stop() {            # cap_stop PID...  - stop captures cleanly (SIGINT)
    local p
    sleep 1.5
    for p in "$@"; do kill -INT "$p"; done
    for p in "$@"; do
        wait "$p" || true
        unpid "$p"
        # report capture statistics (tcpdump: captured / received / dropped)
        sed "s|^|  $(basename "${CAP_ERR[$p]}" .err): |" "${CAP_ERR[$p]}" | grep -E 'captured|dropped|Packets' >&2 || true
    done
}

# python helpers (written to $WORK)
cat >"$WORK/tcpsrv.py" <<'EOF'
# one-shot TCP server: read a request, answer, wait for the peer's FIN, close
import socket, sys
addr, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.settimeout(30)
s.bind((addr, port)); s.listen(1)
c, peer = s.accept(); c.settimeout(30)
d = c.recv(4096)
c.sendall(b"vxwire-ack: " + d)
while c.recv(4096):
    pass
c.close(); s.close()
EOF
cat >"$WORK/tcpcli.py" <<'EOF'
# TCP client: connect, send some bytes, half-close, read the answer until EOF
import socket, sys
addr, port = sys.argv[1], int(sys.argv[2])
c = socket.create_connection((addr, port), timeout=30)
c.sendall(b"hello vxwire: VXLAN overlay test payload 0123456789\n")
c.shutdown(socket.SHUT_WR)
r = b""
while True:
    x = c.recv(4096)
    if not x:
        break
    r += x
c.close()
sys.stdout.write(r.decode())
EOF

tcp_exchange() {        # tcp_exchange SRV_ROLE CLI_ROLE ADDR PORT
    logc "[$1] python3 tcpsrv.py $3 $4 &"
    nsq "$1" "$PY" tcpsrv.py "$3" "$4" &
    local spid=$!
    PIDS+=("$spid")
    local i
    for i in $(seq 100); do
        [ -n "$(nsq "$1" ss -Hltn "sport = :$4")" ] && break
        sleep 0.1
    done
    logc "[$2] python3 tcpcli.py $3 $4"
    nsq "$2" "$PY" tcpcli.py "$3" "$4" >/dev/null
    wait "$spid"
    unpid "$spid"
}

PING="ping -q -i 0.2 -W 2"
# ------------------------------------------------------------- scenarios --

# 1. point-to-point VXLAN, VNI 100, UDP 4789.  The same traffic is captured at
#    the same time with several capture methods:
#      A:u0  -> vxlan-4789-p2p.pcap          (EN10MB, usec)
#      A:u0  -> vxlan-nanosec.pcap           (EN10MB, nsec)
#      A:any -> vxlan-any-sll2.pcap          (LINUX_SLL2)
#      A:any -> vxlan-any-sll.pcap           (LINUX_SLL)
#      A:u0 + A:vxlan100 -> vxlan-p2p-2if.pcapng (dumpcap, 2 interfaces)
scenario_p2p() {
    scenario p2p
    mkns A; mkns B
    veth A u0 02:00:00:18:00:01 B u0 02:00:00:18:00:02
    nsx A ip addr add 198.18.0.1/24 dev u0
    nsx B ip addr add 198.18.0.2/24 dev u0
    nsx A ip link set u0 up
    nsx B ip link set u0 up
    nsx A ip link add vxlan100 address 02:00:00:00:01:01 type vxlan id 100 remote 198.18.0.2 local 198.18.0.1 dev u0 dstport 4789
    nsx B ip link add vxlan100 address 02:00:00:00:01:02 type vxlan id 100 remote 198.18.0.1 local 198.18.0.2 dev u0 dstport 4789
    nooffload A vxlan100; nooffload B vxlan100
    nsx A ip addr add 10.100.0.1/24 dev vxlan100
    nsx B ip addr add 10.100.0.2/24 dev vxlan100
    nsx A ip link set vxlan100 up
    nsx B ip link set vxlan100 up
    sleep 0.5

    local pids=()
    cap_start A u0 "$OUT/vxlan-4789-p2p.pcap"; pids+=("$CAP_PID")
    cap_start A u0 "$OUT/vxlan-nanosec.pcap" --time-stamp-precision=nano; pids+=("$CAP_PID")
    cap_start A any "$OUT/vxlan-any-sll2.pcap"; pids+=("$CAP_PID")
    cap_start A any "$OUT/vxlan-any-sll.pcap" -y LINUX_SLL; pids+=("$CAP_PID")
    dumpcap_start A "$OUT/vxlan-p2p-2if.pcapng" u0 vxlan100; pids+=("$CAP_PID")

    nsx A $PING -c 3 10.100.0.2 >/dev/null
    tcp_exchange B A 10.100.0.2 5001
    sleep 0.3
    cap_stop "${pids[@]}"

    logc "editcap -F pcapng vxlan-4789-p2p.pcap vxlan-4789-p2p.pcapng"
    editcap -F pcapng "$OUT/vxlan-4789-p2p.pcap" "$OUT/vxlan-4789-p2p.pcapng"
}

# 2. flannel-style VXLAN: VNI 1, UDP 8472, nolearning, no UDP checksum (flannel
#    creates the device through netlink with IFLA_VXLAN_UDP_CSUM=0), /32
#    addresses, onlink routes, static fdb entries.  Node A is set up exactly
#    like flannel (permanent neigh + fdb entry for the peer's VTEP MAC).  Node B
#    has no static neigh entry but an all-zeros fdb entry, so its replies need
#    an (encapsulated) ARP exchange.
scenario_flannel() {
    scenario flannel
    mkns A; mkns B
    veth A u0 02:00:00:18:02:01 B u0 02:00:00:18:02:02
    nsx A ip addr add 198.18.2.1/24 dev u0
    nsx B ip addr add 198.18.2.2/24 dev u0
    nsx A ip link set u0 up
    nsx B ip link set u0 up
    nsx A ip link add flannel.1 address 0a:58:0a:f4:00:00 type vxlan id 1 local 198.18.2.1 dev u0 nolearning dstport 8472 noudpcsum
    nsx B ip link add flannel.1 address 0a:58:0a:f4:01:00 type vxlan id 1 local 198.18.2.2 dev u0 nolearning dstport 8472 noudpcsum
    nooffload A flannel.1; nooffload B flannel.1
    nsx A ip addr add 10.244.0.0/32 dev flannel.1
    nsx B ip addr add 10.244.1.0/32 dev flannel.1
    nsx A ip link set flannel.1 up
    nsx B ip link set flannel.1 up
    nsx A ip route add 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink
    nsx B ip route add 10.244.0.0/24 via 10.244.0.0 dev flannel.1 onlink
    nsx A ip neigh replace 10.244.1.0 lladdr 0a:58:0a:f4:01:00 dev flannel.1 nud permanent
    nsx A bridge fdb append 0a:58:0a:f4:01:00 dev flannel.1 dst 198.18.2.2
    nsx B bridge fdb append 0a:58:0a:f4:00:00 dev flannel.1 dst 198.18.2.1
    nsx B bridge fdb append 00:00:00:00:00:00 dev flannel.1 dst 198.18.2.1
    sleep 0.5

    cap_start A u0 "$OUT/vxlan-8472-flannel.pcap"
    local pid=$CAP_PID
    nsx A $PING -c 3 10.244.1.0 >/dev/null
    nsx B $PING -c 2 10.244.0.0 >/dev/null
    nsx A $PING -c 2 -s 1000 10.244.1.0 >/dev/null
    cap_stop "$pid"
}

# 3. multicast group mode: three VTEPs (A, B, C), VNI 200, group 239.1.1.1, on
#    a bridge that lives in a fourth namespace (M, IGMP snooping off).  Capture
#    on A's underlay, started before the VXLAN devices go up, so the kernel's
#    IGMPv3 joins of all three VTEPs are in it; at the end C's device goes down
#    (IGMPv3 leave).
scenario_mcast() {
    scenario mcast
    mkns M; mkns A; mkns B; mkns C
    nsx M ip link add br0 type bridge mcast_snooping 0
    nsx M ip link set br0 up
    local r n=0 ip
    for r in A B C; do
        n=$((n + 1))
        veth M "p$r" "02:00:00:18:01:f$n" "$r" u0 "02:00:00:18:01:0$n"
        nsx M ip link set "p$r" master br0
        nsx M ip link set "p$r" up
        nsx "$r" ip addr add "198.18.1.$n/24" dev u0
        nsx "$r" ip link set u0 up
        nsx "$r" ip link add vxlan200 address "02:00:00:00:02:0$n" type vxlan id 200 group 239.1.1.1 dev u0 dstport 4789
        nooffload "$r" vxlan200
        nsx "$r" ip addr add "10.200.0.$n/24" dev vxlan200
    done
    sleep 0.5

    cap_start A u0 "$OUT/vxlan-mcast-group.pcap"
    local pid=$CAP_PID
    for r in A B C; do
        nsx "$r" ip link set vxlan200 up
        sleep 0.5
    done
    sleep 2          # unsolicited IGMPv3 report retransmissions
    nsx A $PING -c 3 10.200.0.2 >/dev/null
    nsx A $PING -c 3 10.200.0.3 >/dev/null
    nsx B $PING -c 2 10.200.0.3 >/dev/null
    nsx C $PING -c 2 10.200.0.1 >/dev/null
    sleep 0.5
    nsx A bridge fdb show dev vxlan200 >"$OUT/vxlan-mcast-group.fdb.txt"
    {
        echo "# VTEP whose fdb is in vxlan-mcast-group.fdb.txt and on whose underlay vxlan-mcast-group.pcap was captured"
        echo "namespace_role=A"
        echo "underlay_dev=u0"
        echo "underlay_mac=02:00:00:18:01:01"
        echo "underlay_ip=198.18.1.1"
        echo "vxlan_dev=vxlan200"
        echo "vxlan_mac=02:00:00:00:02:01"
        echo "vxlan_ip=10.200.0.1"
        echo "vni=200"
        echo "group=239.1.1.1"
        echo "dstport=4789"
        echo "peers=B:198.18.1.2/02:00:00:00:02:02/10.200.0.2 C:198.18.1.3/02:00:00:00:02:03/10.200.0.3"
        echo "command=bridge fdb show dev vxlan200"
        echo "# ip -d link show vxlan200:"
        nsq A ip -d link show vxlan200 | sed 's/^/# /'
    } >"$OUT/vxlan-mcast-group.vtep.txt"
    logc "[A] bridge fdb show dev vxlan200 > vxlan-mcast-group.fdb.txt"
    nsx C ip link set vxlan200 down
    sleep 2
    cap_stop "$pid"
}

# 4. IGMP v1/v2/v3 inside the overlay.  A: plain vxlan0 with 10.100.0.1; B:
#    vxlan0 in bridge br0 (10.100.0.2), later the IGMP querier (v2, then v3).
#    A joins/leaves groups with force_igmp_version 1, then 3, then 2 (the
#    python step log is in gen/logs/inner-igmp.log and README.md).
scenario_inner_igmp() {
    scenario inner-igmp
    mkns A; mkns B
    veth A u0 02:00:00:18:03:01 B u0 02:00:00:18:03:02
    nsx A ip addr add 198.18.3.1/24 dev u0
    nsx B ip addr add 198.18.3.2/24 dev u0
    nsx A ip link set u0 up
    nsx B ip link set u0 up
    nsx A ip link add vxlan0 address 02:00:00:00:05:01 type vxlan id 500 remote 198.18.3.2 local 198.18.3.1 dev u0 dstport 4789
    nsx B ip link add vxlan0 address 02:00:00:00:05:02 type vxlan id 500 remote 198.18.3.1 local 198.18.3.2 dev u0 dstport 4789
    nooffload A vxlan0; nooffload B vxlan0
    nsx B ip link add br0 address 02:00:00:00:05:b0 type bridge mcast_snooping 1 mcast_querier 0 mcast_query_use_ifaddr 1
    nsx B ip link set vxlan0 master br0
    nsx A ip addr add 10.100.0.1/24 dev vxlan0
    nsx B ip addr add 10.100.0.2/24 dev br0
    nsx A sysctl -qw net.ipv4.conf.vxlan0.igmpv2_unsolicited_report_interval=1000 \
        net.ipv4.conf.vxlan0.igmpv3_unsolicited_report_interval=1000
    nsx A ip link set vxlan0 up
    nsx B ip link set vxlan0 up
    nsx B ip link set br0 up
    sleep 0.5

    cat >"$WORK/igmpseq.py" <<'EOF'
# IGMP join/leave sequence on one interface, v1 -> v3 -> v2, with the peer's
# bridge acting as querier (v3, then v2) from the middle of the v3 phase on.
import socket, struct, subprocess, sys, time
IF, LOCAL, PEERNS = sys.argv[1:4]
S1, S2, S3 = "10.100.0.2", "10.100.0.99", "10.100.0.50"
IP_UNBLOCK_SOURCE, IP_BLOCK_SOURCE = 37, 38
IP_ADD_SOURCE_MEMBERSHIP, IP_DROP_SOURCE_MEMBERSHIP = 39, 40
idx = socket.if_nametoindex(IF)
def log(m): print(m, flush=True)
def sysctl(k, v):
    with open("/proc/sys/net/ipv4/conf/%s/%s" % (IF, k), "w") as f:
        f.write(str(v))
    log("sysctl -w net.ipv4.conf.%s.%s=%s" % (IF, k, v))
def sock(): return socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def mreqn(g):   # struct ip_mreqn {imr_multiaddr, imr_address, imr_ifindex}
    return struct.pack("4s4si", socket.inet_aton(g), socket.inet_aton("0.0.0.0"), idx)
def mreqs(g, s):  # struct ip_mreq_source {imr_multiaddr, imr_interface, imr_sourceaddr}
    return struct.pack("4s4s4s", socket.inet_aton(g), socket.inet_aton(LOCAL), socket.inet_aton(s))
def so(n, s, opt, val, what):
    s.setsockopt(socket.IPPROTO_IP, opt, val); log("sock%d %s" % (n, what))
def join(n, s, g): so(n, s, socket.IP_ADD_MEMBERSHIP, mreqn(g), "IP_ADD_MEMBERSHIP %s dev %s" % (g, IF))
def leave(n, s, g): so(n, s, socket.IP_DROP_MEMBERSHIP, mreqn(g), "IP_DROP_MEMBERSHIP %s dev %s" % (g, IF))
def sjoin(n, s, g, src): so(n, s, IP_ADD_SOURCE_MEMBERSHIP, mreqs(g, src), "IP_ADD_SOURCE_MEMBERSHIP %s source %s if %s" % (g, src, LOCAL))
def sleave(n, s, g, src): so(n, s, IP_DROP_SOURCE_MEMBERSHIP, mreqs(g, src), "IP_DROP_SOURCE_MEMBERSHIP %s source %s if %s" % (g, src, LOCAL))
def block(n, s, g, src): so(n, s, IP_BLOCK_SOURCE, mreqs(g, src), "IP_BLOCK_SOURCE %s source %s if %s" % (g, src, LOCAL))
def br(*a):
    cmd = ["ip", "-n", PEERNS, "link", "set", "br0", "type", "bridge"] + list(a)
    subprocess.run(cmd, check=True)
    log("[B] " + " ".join(cmd[3:]))
def wait(t): time.sleep(t); log("sleep %s" % t)

# --- IGMPv1: membership reports only (v1 has no leave message)
sysctl("force_igmp_version", 1)
s1 = sock(); join(1, s1, "239.10.1.1"); wait(2.5)
leave(1, s1, "239.10.1.1"); wait(0.5)
# --- IGMPv3 (before any v2 query: a v2 query would start the host's "older
# version querier present" timer, which keeps it on v2 even when forced to 3)
# source filters -> TO_EX, ALLOW, BLOCK, TO_IN, and IS_EX/IS_IN in answers
# to the bridge's v3 general queries; group(-and-source) specific queries.
sysctl("force_igmp_version", 3)
s3 = sock(); join(3, s3, "239.10.3.1"); wait(2.5)                # TO_EX {}
s4 = sock(); sjoin(4, s4, "239.10.3.2", S1); wait(2.5)           # ALLOW {S1}
br("mcast_igmp_version", "3", "mcast_query_interval", "500", "mcast_query_response_interval", "100",
   "mcast_startup_query_interval", "100", "mcast_startup_query_count", "2",
   "mcast_last_member_interval", "100", "mcast_last_member_count", "2", "mcast_querier", "1")
wait(2.5)                                                        # v3 general queries -> IS_EX {}, IS_IN {S1}
sjoin(4, s4, "239.10.3.2", S2); wait(2.5)                        # ALLOW {S2}
sleave(4, s4, "239.10.3.2", S2); wait(2.5)                       # BLOCK {S2}
block(3, s3, "239.10.3.1", S3); wait(2.5)                        # BLOCK {S3} (exclude mode)
s5 = sock(); join(5, s5, "239.10.3.2"); wait(2.5)                # TO_EX {}
leave(5, s5, "239.10.3.2"); wait(3)                              # TO_IN {S1}
leave(3, s3, "239.10.3.1")                                       # TO_IN {}
sleave(4, s4, "239.10.3.2", S1); wait(3)                         # BLOCK {S1}
# --- IGMPv2: report + leave, then a group held while the bridge queries (v2)
sysctl("force_igmp_version", 2)
br("mcast_igmp_version", "2")
s2 = sock(); join(2, s2, "239.10.2.1"); wait(2.5)
leave(2, s2, "239.10.2.1"); wait(1)                              # leave -> group specific query
join(2, s2, "239.10.2.2"); wait(6)                               # v2 general query -> report
leave(2, s2, "239.10.2.2"); wait(2.5)
br("mcast_querier", "0")
EOF

    cap_start A u0 "$OUT/vxlan-inner-igmp.pcap"
    local pid=$CAP_PID
    nsx A $PING -c 2 10.100.0.2 >/dev/null
    logc "[A] python3 igmpseq.py vxlan0 10.100.0.1 \$NS_B   # steps:"
    nsq A "$PY" igmpseq.py vxlan0 10.100.0.1 "${NS[B]}" | sed 's/^/#   /' >>"$LOG"
    cap_stop "$pid"
}

# 5. VXLAN-GBP (group based policy): VNI 300 with the gbp flag.  The kernel
#    copies skb->mark into the GBP header: bits 0-15 = group policy ID,
#    0x400000 = D (don't learn), 0x080000 = A (policy applied).  B reflects the
#    mark into its ICMP echo replies (net.ipv4.fwmark_reflect=1).
scenario_gbp() {
    scenario gbp
    mkns A; mkns B
    veth A u0 02:00:00:18:04:01 B u0 02:00:00:18:04:02
    nsx A ip addr add 198.18.4.1/24 dev u0
    nsx B ip addr add 198.18.4.2/24 dev u0
    nsx A ip link set u0 up
    nsx B ip link set u0 up
    nsx A ip link add vxlan300 address 02:00:00:00:03:01 type vxlan id 300 remote 198.18.4.2 local 198.18.4.1 dev u0 dstport 4789 gbp
    nsx B ip link add vxlan300 address 02:00:00:00:03:02 type vxlan id 300 remote 198.18.4.1 local 198.18.4.2 dev u0 dstport 4789 gbp
    nooffload A vxlan300; nooffload B vxlan300
    nsx A ip addr add 10.30.0.1/24 dev vxlan300
    nsx B ip addr add 10.30.0.2/24 dev vxlan300
    nsx B sysctl -qw net.ipv4.fwmark_reflect=1
    nsx A ip link set vxlan300 up
    nsx B ip link set vxlan300 up
    sleep 0.5

    cap_start A u0 "$OUT/vxlan-gbp.pcap"
    local pid=$CAP_PID
    nsx A $PING -c 2 10.30.0.2 >/dev/null                      # no mark: no G bit
    nsx A $PING -c 3 -m 4660 10.30.0.2 >/dev/null              # 0x1234
    nsx A $PING -c 2 -m 4198964 10.30.0.2 >/dev/null           # 0x401234: D bit
    nsx A $PING -c 2 -m 528948 10.30.0.2 >/dev/null            # 0x081234: A bit
    nsx A $PING -c 1 -m 65535 10.30.0.2 >/dev/null             # 0xffff
    cap_stop "$pid"
}

# 6. IPv6 underlay: VNI 400, local/remote fd00:18::1/2, IPv4 overlay.
scenario_ipv6() {
    scenario ipv6-underlay
    mkns A v6; mkns B v6
    veth A u0 02:00:00:18:06:01 B u0 02:00:00:18:06:02
    nsx A ip addr add fd00:18::1/64 dev u0 nodad
    nsx B ip addr add fd00:18::2/64 dev u0 nodad
    nsx A ip link set u0 up
    nsx B ip link set u0 up
    nsx A ip link add vxlan400 address 02:00:00:00:04:01 type vxlan id 400 remote fd00:18::2 local fd00:18::1 dev u0 dstport 4789
    nsx B ip link add vxlan400 address 02:00:00:00:04:02 type vxlan id 400 remote fd00:18::1 local fd00:18::2 dev u0 dstport 4789
    nooffload A vxlan400; nooffload B vxlan400
    nsx A sysctl -qw net.ipv6.conf.vxlan400.disable_ipv6=1
    nsx B sysctl -qw net.ipv6.conf.vxlan400.disable_ipv6=1
    nsx A ip addr add 10.40.0.1/24 dev vxlan400
    nsx B ip addr add 10.40.0.2/24 dev vxlan400
    nsx A ip link set vxlan400 up
    nsx B ip link set vxlan400 up
    sleep 1.5   # let the underlay's own MLD reports pass

    cap_start A u0 "$OUT/vxlan-ipv6-underlay.pcap"
    local pid=$CAP_PID
    nsx A $PING -c 3 10.40.0.2 >/dev/null
    tcp_exchange B A 10.40.0.2 5001
    sleep 0.3
    cap_stop "$pid"
}

scenario_p2p
scenario_flannel
scenario_mcast
scenario_inner_igmp
scenario_gbp
scenario_ipv6

# all namespaces go away now (also done by the EXIT trap)
del_namespaces

# --------------------------------------------------------- install files --
echo "== installing into $TESTDATA" >&2
for f in "$OUT"/*; do
    s=$(stat -c %s "$f")
    [ "$s" -gt 24 ] || die "empty capture $f"
    [ "$s" -lt 102400 ] || die "capture too big: $f ($s bytes)"
done
rm -f "$TESTDATA"/vxlan-*.pcap "$TESTDATA"/vxlan-*.pcapng "$TESTDATA"/vxlan-*.out \
      "$TESTDATA"/vxlan-mcast-group.fdb.txt "$TESTDATA"/vxlan-mcast-group.vtep.txt
chmod 644 "$OUT"/*
cp "$OUT"/* "$TESTDATA"/
mkdir -p "$TESTDATA/gen/logs"
rm -f "$TESTDATA"/gen/logs/*.log
cp "$LOGS"/*.log "$TESTDATA/gen/logs/"

if [ -d "$CORPUS" ]; then
    "$GEN/import-third-party.sh" "$CORPUS"
else
    echo "corpus $CORPUS not found: keeping testdata/third-party as is" >&2
fi
"$GEN/golden.sh"
"$GEN/make-readme.sh"
echo "== done" >&2
