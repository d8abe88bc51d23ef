#!/bin/bash
# import-third-party.sh CORPUS_DIR - copy the selected third-party captures
# (and the expected outputs / test descriptions shipped with them) into
# testdata/third-party/.  Layout: third-party/<project>/..., licences as
# third-party/LICENSE.<project>.
set -euo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
TESTDATA=$(cd "$GEN/.." && pwd)
SRC=${1:?usage: import-third-party.sh CORPUS_DIR}
DST="$TESTDATA/third-party"
shopt -s nullglob

rm -rf "$DST"
mkdir -p "$DST/tcpdump" "$DST/zeek" "$DST/suricata-verify"

# tcpdump (tests/ directory of the-tcpdump-group/tcpdump), BSD-3-Clause
cp "$SRC/tcpdump/LICENSE" "$DST/LICENSE.tcpdump"
cp "$SRC/tcpdump/tests.json" "$DST/tcpdump/tests.json"
for p in vxlan.pcap vxlan_port_8472.pcap nsh-over-vxlan-gpe.pcap IGMP_V1.pcap IGMP_V2.pcap \
         igmpv3-queries.pcap 802.1ad_QinQ.pcap mtrace.pcap mrinfo_query.pcap; do
    cp "$SRC/tcpdump/$p" "$DST/tcpdump/"
done
for p in "$SRC"/tcpdump/gso-*-vxlan-*.pcap "$SRC"/tcpdump/bigtcp-*.pcap \
         "$SRC"/tcpdump/arp-*.pcap "$SRC"/tcpdump/aarp-*.pcap; do
    cp "$p" "$DST/tcpdump/"
done
# their expected outputs (names per tests.json)
for o in vxlan.out vxlan_port_8472.out nsh-over-vxlan-gpe.out nsh-over-vxlan-gpe-v.out \
         nsh-over-vxlan-gpe-vv.out igmpv1.out igmpv2.out igmpv3-queries.out 802.1ad_QinQ.out \
         802.1ad_QinQv.out mtrace.out dvmrp.out; do
    cp "$SRC/tcpdump/$o" "$DST/tcpdump/"
done
for o in "$SRC"/tcpdump/gso-*-vxlan-*.out "$SRC"/tcpdump/bigtcp-*.out \
         "$SRC"/tcpdump/arp-*.out "$SRC"/tcpdump/aarp-*.out; do
    cp "$o" "$DST/tcpdump/"
done

# Zeek (testing/btest/Traces of zeek/zeek), BSD-3-Clause: every VXLAN, ARP and IGMP trace
# of the corpus (the tests read all of them: conformance, JSON vs tshark, build round trips).
cp "$SRC/zeek/LICENSE.COPYING" "$DST/LICENSE.zeek"
for p in "$SRC"/zeek/*.pcap "$SRC"/zeek/*.pcapng; do
    cp "$p" "$DST/zeek/"
done

# suricata-verify (tests/ of OISF/suricata-verify), MIT: vxlan-*, arp and igmp
# test directories, copied whole (pcap + test.yaml + README.md) keeping the
# layout, because some test.yaml files refer to ../<other-test>/<pcap>.
cp "$SRC/suricata-verify/LICENSE.txt" "$DST/LICENSE.suricata-verify"
for d in "$SRC"/suricata-verify/vxlan-* "$SRC"/suricata-verify/*arp* \
         "$SRC"/suricata-verify/arp "$SRC"/suricata-verify/igmp; do
    [ -d "$d" ] && cp -r "$d" "$DST/suricata-verify/"
done
# the corpus files may be read-only; make the copies normal files/dirs
find "$DST" -type d -exec chmod 755 {} +
find "$DST" -type f -exec chmod 644 {} +
echo "third-party captures imported from $SRC" >&2
