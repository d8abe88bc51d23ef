#!/bin/bash
# golden.sh - (re)generate the golden tcpdump outputs (*.out) for the
# generated captures in testdata/ and the .v.out files for testdata/third-party/.
# Does not need root.  Every command run is appended to gen/logs/golden-commands.txt
# (relative to testdata/), which make-readme.sh puts into README.md.
set -euo pipefail
GEN=$(cd "$(dirname "$0")" && pwd)
TESTDATA=$(cd "$GEN/.." && pwd)
export LC_ALL=C
CMDS="$GEN/logs/golden-commands.txt"
mkdir -p "$GEN/logs"
: >"$CMDS"

# tcpdump prints interface *names* for LINUX_SLL2 records by looking up the
# recorded ifindex in the reader's own network namespace, so the output would
# depend on the machine.  Run every tcpdump in a fresh, empty network namespace
# (only lo, ifindex 1): unknown indexes print as "?" everywhere.
if [ "$(id -u)" = 0 ]; then
    NETNS=(unshare -n)
elif unshare -rn true 2>/dev/null; then
    NETNS=(unshare -rn)
else
    echo "golden.sh: cannot create an empty network namespace (run as root)" >&2
    exit 1
fi

# golden DIR FILE OUT OPTIONS...  (DIR relative to testdata/)
golden() {
    local dir=$1 f=$2 o=$3; shift 3
    local rc=0 err
    err=$( cd "$TESTDATA/$dir" && TZ=UTC "${NETNS[@]}" tcpdump "$@" -r "$f" 2>&1 >"$o" ) || rc=$?
    local line="(cd $dir && TZ=UTC unshare -n tcpdump $* -r $f > $o)"
    [ "$dir" = . ] && line="TZ=UTC unshare -n tcpdump $* -r $f > $o"
    if [ "$rc" != 0 ]; then
        line="$line    # exit $rc: $(printf '%s' "$err" | grep -v '^reading from file' | tr '\n' ' ')"
    fi
    printf '%s\n' "$line" >>"$CMDS"
}

# ---- generated captures: testdata/vxlan-*.pcap / *.pcapng
cd "$TESTDATA"
rm -f vxlan-*.out
echo "# generated captures (run in testdata/)" >>"$CMDS"
for f in vxlan-*.pcap vxlan-*.pcapng; do
    [ -e "$f" ] || continue
    case $f in
        *.pcap) b=${f%.pcap} ;;
        *) b=$f ;;                  # keep .pcapng in the name: foo.pcapng.v.out
    esac
    golden . "$f" "$b.v.out" -nn -v
    golden . "$f" "$b.e.out" -nn -e -v
    golden . "$f" "$b.vv.out" -nn -vv
    case $f in
        vxlan-4789-p2p.pcap|vxlan-inner-igmp.pcap)
            golden . "$f" "$b.x.out" -nn -v -x ;;
        vxlan-8472-flannel.pcap)    # Debian's tcpdump 4.99.3 decodes UDP 8472 as OTV
            golden . "$f" "$b.T-vxlan.v.out" -nn -v -T vxlan
            golden . "$f" "$b.T-vxlan.e.out" -nn -e -v -T vxlan ;;
        vxlan-nanosec.pcap)
            golden . "$f" "$b.nano.v.out" --time-stamp-precision=nano -nn -v ;;
    esac
done

# ---- third-party captures: NAME.v.out next to NAME.pcap
if [ -d third-party ]; then
    echo "# third-party captures (run in testdata/)" >>"$CMDS"
    find third-party -name '*.v.out' -delete
    find third-party -name '*.T-vxlan.v.out' -delete
    while IFS= read -r p; do
        d=$(dirname "$p"); f=$(basename "$p"); b=${f%.pcap}
        golden "$d" "$f" "$b.v.out" -nn -v
        case $f in
            vxlan_port_8472.pcap) golden "$d" "$f" "$b.T-vxlan.v.out" -nn -v -T vxlan ;;
        esac
    done < <(find third-party \( -name '*.pcap' -o -name '*.pcapng' \) | sort)
fi
echo "golden outputs written ($(grep -vc '^#' "$CMDS") commands)" >&2
