#!/bin/sh
# The library figures as one table: criterion's estimates for `dissect` next to etherparse's
# outer + inner slicing of the same frame (same run), with the ratio, and the frame builders.
#
#   benches/library.sh [criterion options]      e.g. benches/library.sh --measurement-time 10
#
# The ratio is vxwire's time over etherparse's: below 1.0 means vxwire is faster although it
# also decodes the VXLAN header (and IGMP). Figures are criterion's middle estimates.
set -eu
HERE=$(cd "$(dirname "$0")/.." && pwd)
cd "$HERE"
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
cargo bench --quiet --bench dissect --bench build -- "$@" >"$OUT" 2>&1 || { cat "$OUT" >&2; exit 1; }
# "name   time:   [low mid high]", the name sometimes on the line before.
awk '
  /^[a-z0-9_]+(\/[a-z0-9_]+)?/ { name = $1 }
  /time:/ {
    for (i = 1; i <= NF; i++) if ($i == "time:") { v = $(i + 3); u = $(i + 4) }
    if (u == "ps") v /= 1000; else if (u == "µs" || u == "us") v *= 1000; else if (u == "ms") v *= 1e6
    t[name] = v; order[++n] = name
  }
  END {
    printf "| sample | vxwire dissect | vxwire dissect_with | etherparse outer + inner | ratio (dissect / etherparse) |\n"
    printf "|---|---|---|---|---|\n"
    for (k = 1; k <= n; k++) {
      split(order[k], p, "/")
      if (p[2] != "vxwire_dissect") continue
      s = p[1]; e = t[s "/etherparse_outer_plus_inner"]
      printf "| %s | %.1f ns | %.1f ns | %.1f ns | **%.2fx** |\n", s, t[order[k]], t[s "/vxwire_dissect_with"], e, t[order[k]] / e
    }
    printf "\n| builder | ns/frame |\n|---|---|\n"
    for (k = 1; k <= n; k++) if (order[k] !~ /\//) printf "| %s | %.1f |\n", order[k], t[order[k]]
  }' "$OUT"
