#!/usr/bin/env bash
# Whole-process speed and memory of vxdump next to tcpdump and tshark, each pair run alternately
# in the same run on the same file; prints, per capture, a table of medians with their spread
# (min-max over the rounds), packets/s and ratios, and the load average around the runs.
#
#   benches/compare.sh [CAPTURE...]
#   ROUNDS=3 TSHARK_PACKETS=100000 PACKETS=1000000 KERNEL_REPEAT=400 benches/compare.sh
#
# Without a capture it measures three: gen_mix's `mix` shape (PACKETS packets: inner TCP with up to
# 1200 bytes of payload, a new conversation for nearly every segment), gen_mix's `pool` shape
# (PACKETS packets: small packets, many ARP/IGMP, at most 20,000 TCP conversations seen again and
# again; see examples/gen_mix.rs) and the kernel-made Ethernet captures of testdata/ (top level and
# offload/) concatenated with `mergecap -a`, KERNEL_REPEAT times over. For each it says how many
# TCP conversations it holds (4-tuples of TCP segments, inner or outer, both directions as one,
# counted from tcpdump -nn's lines).
#
# tshark is ~1000x slower than vxdump, so its pairs read the capture's first TSHARK_PACKETS
# packets (editcap -r); both tools of a pair always read the same file. The pairs whose vxdump
# runs are short give both tools one unmeasured warm-up run before each measured one.
# Scaling: text and JSON at -j 1 and -j 2 on the whole capture (on a machine with more cores,
# THREADS="1 2 4 8" measures more). It installs nothing: a missing tool's rows are left out.
set -euo pipefail
ROUNDS=${ROUNDS:-3}
TSHARK_PACKETS=${TSHARK_PACKETS:-100000}
PACKETS=${PACKETS:-1000000}
KERNEL_REPEAT=${KERNEL_REPEAT:-400}
THREADS=${THREADS:-1 2}
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-/tmp/vxwire-bench}
mkdir -p "$WORK"
cd "$HERE"

missing=()
for t in tcpdump tshark editcap mergecap /usr/bin/time; do command -v "$t" >/dev/null || missing+=("$t"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "compare.sh: missing: ${missing[*]} (apt-get install tcpdump tshark time); their rows are skipped" >&2
fi
have() { command -v "$1" >/dev/null; }

cargo build --release --quiet --bin vxdump --example gen_mix
VXDUMP=$HERE/target/release/vxdump
GEN=$HERE/target/release/examples/gen_mix

captures=("$@")
if [ ${#captures[@]} -eq 0 ]; then
  for shape in mix pool; do
    f=$WORK/$shape-$PACKETS.pcap
    [ -s "$f" ] || "$GEN" "$f" "$PACKETS" 1 "$shape"
    captures+=("$f")
  done
  if have mergecap && have capinfos; then
    f=$WORK/kernel-x$KERNEL_REPEAT.pcap
    if [ ! -s "$f" ]; then
      kernel=()
      while read -r c; do
        # Output captured first: `| grep -q` under pipefail can fail with SIGPIPE (141).
        encap=$(capinfos -E "$c" 2>/dev/null || true)
        [[ $encap == *Ethernet ]] && kernel+=("$c")
      done < <(find testdata -maxdepth 1 -name '*.pcap'; find testdata/offload -name '*.pcap' | sort)
      list=()
      for _ in $(seq 1 "$KERNEL_REPEAT"); do list+=("${kernel[@]}"); done
      mergecap -F pcap -a -w "$f" "${list[@]}"
      echo "compare.sh: $f: ${#kernel[@]} kernel-made captures x $KERNEL_REPEAT" >&2
    fi
    captures+=("$f")
  fi
fi

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
# warm NAME CMD...: one unmeasured run, then `run` (a short run after a long one comes out slow
# on the development VM: a wake-up cost that says nothing about either tool).
warm() {
  local name=$1
  shift
  "$@" >/dev/null 2>&1 || true
  run "$name" "$@"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -v c="$2" '{print $c}' "$WORK/$1.times" | median; }
spread() { awk '{print $1}' "$WORK/$1.times" | sort -n | awk 'NR==1 {lo=$1} {hi=$1} END {printf "%.3f-%.3f", lo, hi}'; }
# ratio spread: the lowest and highest of theirs/ours over the rounds (runs paired by round)
rspread() {
  paste -d' ' "$WORK/$1.times" "$WORK/$2.times" | awk '{r=$3/$1; if (NR==1 || r<lo) lo=r; if (NR==1 || r>hi) hi=r} END {printf "%.1f-%.1f", lo, hi}'
}

row() { # label ours theirs packets
  local ours=$2 theirs=$3 n=$4
  [ -f "$WORK/$ours.times" ] && [ -f "$WORK/$theirs.times" ] || return 0
  local a b
  a=$(col "$ours" 1)
  b=$(col "$theirs" 1)
  awk -v l="$1" -v a="$a" -v b="$b" -v n="$n" -v sa="$(spread "$ours")" -v sb="$(spread "$theirs")" \
    -v sr="$(rspread "$ours" "$theirs")" 'BEGIN {
    pa = (a > 0) ? n / a : 0; pb = (b > 0) ? n / b : 0;
    printf "| %s | %d | %.3f s (%s; %.0f pkt/s) | %.3f s (%s; %.0f pkt/s) | **%.1fx** (%s) |\n", l, n, a, sa, pa, b, sb, pb, (b > 0 && a > 0) ? b / a : 0, sr }'
}
mem() { [ -f "$WORK/$1.times" ] && echo "$(( $(col "$1" 2) / 1024 )) MiB" || echo "-"; }

echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); medians of $ROUNDS alternating rounds, spread min-max"
echo "vxdump default threads: $(nproc) (-j N); tcpdump $(tcpdump --version 2>&1 | awk 'NR == 1 {print $3}'), $(tshark --version 2>/dev/null | awk 'NR == 1')"
VNI=300
for cap in "${captures[@]}"; do
  rm -f "$WORK"/*.times
  n=$(capinfos -M -c "$cap" | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}')
  small=$WORK/small-$(basename "$cap")
  if have editcap; then
    [ -s "$small" ] || editcap -F pcap -r "$cap" "$small" "1-$TSHARK_PACKETS"
  else
    small=$cap
  fi
  ns=$(capinfos -M -c "$small" | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}')
  # Inner and outer TCP lines alike (-q would not decode VXLAN: only the outer TCP would count).
  conv=$(tcpdump -nn -r "$cap" 2>/dev/null | grep -oE '[0-9a-f:.]+\.[0-9]+ > [0-9a-f:.]+\.[0-9]+: Flags' |
    awk '{a=$1; b=$3; sub(/:$/, "", b); print (a < b) ? a " " b : b " " a}' | sort -u | wc -l)
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  for r in $(seq 1 "$ROUNDS"); do
    echo "$(basename "$cap"): round $r/$ROUNDS (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    for j in $THREADS; do run "text_j$j" "$VXDUMP" -j "$j" "$cap"; done
    run text "$VXDUMP" "$cap"
    have tcpdump && run tcpdump_utc env TZ=UTC tcpdump -nn -v -r "$cap"
    run text_S "$VXDUMP" -S "$cap"
    have tcpdump && run tcpdump_S env TZ=UTC tcpdump -S -nn -v -r "$cap"
    run summary "$VXDUMP" --summary "$cap"
    for j in $THREADS; do run "json_j$j" "$VXDUMP" -j "$j" --json "$cap"; done
    warm json_small "$VXDUMP" --json "$small"
    have tshark && warm tshark_json tshark -r "$small" -T json
    warm vni_small "$VXDUMP" --vni "$VNI" "$small"
    have tshark && warm tshark_vni tshark -r "$small" -Y "vxlan.vni == $VNI"
    warm filter_small "$VXDUMP" "$small" "vxlan $VNI and icmp"
    have tshark && warm tshark_filter tshark -r "$small" -Y "vxlan.vni == $VNI && icmp"
  done
  echo
  echo "### $(basename "$cap"): $n packets, $(du -h "$cap" | cut -f1), $conv TCP conversations"
  echo
  echo "Load average (1/5/15 min): $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after. tshark rows: the first $ns packets."
  echo
  echo "| what | packets | vxdump | reference | vxdump speed-up (spread) |"
  echo "|---|---|---|---|---|"
  row "vxdump FILE vs TZ=UTC tcpdump -nn -v -r FILE" text tcpdump_utc "$n"
  row "vxdump -S FILE vs TZ=UTC tcpdump -S -nn -v -r FILE" text_S tcpdump_S "$n"
  row "vxdump --json FILE vs tshark -r FILE -T json" json_small tshark_json "$ns"
  row "vxdump --vni $VNI FILE vs tshark -r FILE -Y 'vxlan.vni == $VNI'" vni_small tshark_vni "$ns"
  row "vxdump FILE 'vxlan $VNI and icmp' vs tshark -Y 'vxlan.vni == $VNI && icmp'" filter_small tshark_filter "$ns"
  row "vxdump --summary FILE vs vxdump FILE (text)" summary text "$n"
  row "vxdump --summary FILE vs vxdump -j 1 FILE (text)" summary text_j1 "$n"
  echo
  echo "| threads | text | text vs -j 1 | JSON | JSON vs -j 1 | text peak RSS | JSON peak RSS |"
  echo "|---|---|---|---|---|---|---|"
  t1=$(col text_j1 1)
  q1=$(col json_j1 1)
  for j in $THREADS; do
    t=$(col "text_j$j" 1)
    q=$(col "json_j$j" 1)
    awk -v j="$j" -v n="$n" -v t="$t" -v q="$q" -v t1="$t1" -v q1="$q1" -v st="$(spread "text_j$j")" \
      -v sq="$(spread "json_j$j")" -v mt="$(mem "text_j$j")" -v mq="$(mem "json_j$j")" 'BEGIN {
      printf "| -j %s | %.3f s (%s; %.0f pkt/s) | %.2fx | %.3f s (%s; %.0f pkt/s) | %.2fx | %s | %s |\n",
        j, t, st, n / t, t1 / t, q, sq, n / q, q1 / q, mt, mq }'
  done
  echo
  echo "Peak RSS (medians): tcpdump -nn -v $(mem tcpdump_utc), tcpdump -S $(mem tcpdump_S), vxdump default $(mem text), vxdump --summary $(mem summary), tshark -T json ($ns packets) $(mem tshark_json)"
done
