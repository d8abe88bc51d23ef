//! The rules by which vxdump's text is compared with tcpdump 4.99.3's, shared by the
//! conformance test (`tests/vxdump_conformance.rs`) and the mutant differential test
//! (`tests/mutants_tcpdump.rs`): how output splits into packets, how vxdump's GBP addition is
//! turned back into tcpdump's text, and which differences come from protocols outside
//! vxdump's set.

/// Splits tcpdump-style output into packets: a packet starts with a `HH:MM:SS.ffffff ` line.
pub fn packets(out: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(out);
    let mut v: Vec<String> = Vec::new();
    for line in text.lines() {
        let b = line.as_bytes();
        let starts = b.len() >= 16
            && b[2] == b':'
            && b[5] == b':'
            && b[8] == b'.'
            && b[15] == b' '
            && b[..15].iter().enumerate().all(|(i, c)| matches!(i, 2 | 5 | 8) || c.is_ascii_digit());
        if starts || v.is_empty() {
            v.push(line.to_string());
        } else {
            let last = v.last_mut().expect("not empty");
            last.push('\n');
            last.push_str(line);
        }
    }
    v
}

/// vxdump's GBP rendering turned back into tcpdump's: `flags [G,I] (0x88), ..., group-policy-id
/// N, ` becomes `flags [I] (0x88), `; a G flag without I is tcpdump's `[invalid]`.
pub fn gbp_as_tcpdump(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut rest = p;
    while let Some(i) = rest.find("VXLAN, flags [G") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let i_bit = tail.starts_with("VXLAN, flags [G,I]");
        let Some(open) = tail.find("] (0x") else { break };
        let flags = &tail[open + 2..open + 8];
        let line = &tail[..tail.find('\n').unwrap_or(tail.len())];
        let Some(gp) = line.find("group-policy-id ") else {
            // Cut before the policy: only the flags differ.
            out.push_str("VXLAN, flags [");
            out.push_str(if i_bit { "I" } else { "invalid" });
            out.push_str("] ");
            rest = &tail[open + 2..];
            continue;
        };
        let after = &tail[gp + "group-policy-id ".len()..];
        let Some(comma) = after.find(", ") else { break };
        out.push_str("VXLAN, flags [");
        // tcpdump's bittok2str_nosep names no bit: "invalid".
        out.push_str(if i_bit { "I" } else { "invalid" });
        out.push_str("] ");
        out.push_str(flags);
        out.push_str(", ");
        rest = &after[comma + 2..];
    }
    out.push_str(rest);
    out
}

/// Protocols outside vxdump's set, named in tcpdump's text.
const OUTSIDE: &[&str] = &[
    "Geneve",
    "GREv",
    "NSH",
    "dvmrp",
    "LLC",
    "aarp",
    "802.3",
    "domain",
    "PTR",
    " A? ",
    "igmp pimv1",
    "mresp",
];

/// Whether a packet whose lines differ is explained by a protocol outside vxdump's set: one of
/// [`OUTSIDE`] or `extra` on the first differing tcpdump line (or, with `later_lines`, on any
/// tcpdump line from there on), tcpdump decoding a UDP payload vxdump leaves as `UDP, length`,
/// or an EtherType vxdump does not know.
pub fn outside(t: &str, v: &str, extra: &[&str], later_lines: bool) -> bool {
    for (i, (tl, vl)) in t.lines().zip(v.lines()).enumerate() {
        if tl != vl {
            let named = |s: &str| OUTSIDE.iter().chain(extra).any(|k| s.contains(k));
            let hit = if later_lines { t.lines().skip(i).any(named) } else { named(tl) };
            return hit
                || (vl.contains("UDP, length ") && !tl.contains("UDP, length "))
                || vl.contains("ethertype Unknown (0x0");
        }
    }
    false
}
