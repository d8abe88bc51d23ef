//! vxdump's filter expressions against libpcap's: for every expression below and every capture
//! in testdata/ (kernel VTEPs and the third-party corpus, Ethernet, Linux cooked v1 and v2,
//! pcap and pcapng), `tcpdump -r CAP -w OUT EXPR` and `vxdump -r CAP -w OUT EXPR` must select the
//! same packets (read back from both files: timestamps to the microsecond, lengths, bytes), or
//! both refuse the expression. Expressions libpcap accepts but vxdump does not implement must be
//! refused with vxdump's "does not support" line, never run with a different meaning.
//!
//! Without tcpdump the test prints why it skips, and fails when `CI` is set.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use vxwire::capture::CaptureReader;

/// Accepted by both; the selections must be equal on every capture (or both refuse on a link
/// type, as `ether host` on Linux cooked captures).
const SAME: &[&str] = &[
    "ip",
    "ip6",
    "arp",
    "rarp",
    "tcp",
    "udp",
    "sctp",
    "icmp",
    "icmp6",
    "igmp",
    "host 198.18.0.1",
    "src host 198.18.0.1",
    "dst host 198.18.0.2",
    "ip host 198.18.0.1 or 198.18.0.2",
    "arp host 10.100.0.1",
    "host 198.18.0.1 and not 198.18.0.2",
    "src and dst net 198.18.0.0/16",
    "dst net 198.18.0.0/16",
    "net 10.100 mask 255.255.0.0",
    "net 198.18",
    "host 198.18",
    "ip6 host fe80::1",
    "ip6 net fe80::/10",
    "ip6 src net 2001:db8::/32",
    "udp port 4789",
    "udp dst port 4789 or 8472",
    "src or dst port 4789",
    "tcp port 80 and (tcp[tcpflags] & (tcp-syn|tcp-fin) != 0)",
    "portrange 4000-5000",
    "udp src portrange 32768-65535",
    "ether src 02:00:00:18:00:01",
    "ether host 1:2:3:4:5:6 or ether dst ff:ff:ff:ff:ff:ff",
    "ether proto \\arp",
    "ether proto 0x86dd",
    "ether broadcast",
    "ether multicast",
    "broadcast or multicast",
    "ip multicast",
    "ip6 multicast",
    "ip broadcast",
    "ip proto 17",
    "ip6 proto 17",
    "proto \\udp",
    "ip proto 2 or ip6 proto 58",
    "vlan",
    "vlan 100",
    "vlan and ip",
    "vlan 5 or arp",
    "less 100",
    "greater 1000",
    "less 60 or greater 1400",
    "len > 200",
    "len - 14 = ip[2:2]",
    "tcp[tcpflags] & tcp-syn != 0",
    "tcp[13] & 2 = 2",
    "icmp[icmptype] = icmp-echo",
    "icmp[icmptype] == icmp-echoreply || icmp[0] = 3",
    "icmp6[icmp6type] = icmp6-neighborsolicit",
    "icmp6 and ip6[40] = 135",
    "igmp[0] = 0x22",
    "udp dst port 4789 and udp[12:4] & 0xffffff00 = 0x6400",
    "udp[8] & 0x08 != 0 and not ip6",
    "udp[4:2] > 100 && !udp[2:2] = 4789",
    "(ip[2:2] - 20) % 4 = 0",
    "ip[0] & 0xf > 5",
    "ip and ip[6:2] & 0x1fff != 0",
    "ether[12:2] = 0x806 || ether[12:2] = 0x800 and len < 100",
    "ether[0] ^ 1 & 3 = 0",
    "ether[1] | 2 ^ 3 = 3",
    "1 << 2 = ether[0] >> 1",
    "ether[0] * 2 / 3 - 1 = 0x10",
    "arp[7] = 2",
    "not arp and not ip",
    "!(udp or tcp)",
    "not (host 198.18.0.1 or host 198.18.0.2) and ip",
    "host 198.18.0.1 or (198.18.0.2 and 198.18.1.9)",
    "ip and udp and dst port 8472 and udp[8:1] = 8",
];

/// Refused by libpcap 1.10 (syntax, names, sizes, ...); vxdump must refuse them too.
const BOTH_REFUSE: &[&str] = &[
    "udp prt 4789",
    "host foo.example",
    "ip[2:3] = 1",
    "ether[0] / 0 = 1",
    "net 10.100.0.1/16",
    "10.0.0.1",
    "icmp or (arp and not 10.0.0.1)",
    "tcp and (",
    "port 70000",
    "ether host 1:2:3",
    "ip proto tcp",
    "vlan 5 and 100",
];

/// Accepted by libpcap, not implemented by vxdump: a clear refusal, never another selection.
const UNSUPPORTED: &[&str] = &[
    "mpls",
    "pppoes",
    "geneve",
    "wlan host 1:2:3:4:5:6",
    "decnet host 1.2",
    "iso",
    "stp",
    "ip6 protochain 6",
];

/// The captures of testdata/, all of them.
fn captures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata"))];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("testdata").flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "pcap" || x == "pcapng") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The packets of a capture file: (seconds, microseconds, length on the wire, bytes).
type Selected = Vec<(i64, u32, u32, Vec<u8>)>;

fn read_back(path: &Path) -> Selected {
    let bytes = std::fs::read(path).expect("output file");
    let mut r = CaptureReader::new(&bytes[..]).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut v = Vec::new();
    while let Some(p) = r.next_packet() {
        let p = p.expect("record");
        v.push((p.ts.secs(), p.ts.micros(), p.len, p.data.to_vec()));
    }
    v
}

/// Runs `tool -r cap -w out expr`: the packets written, or the error line.
fn select(tool: &str, cap: &Path, out: &Path, expr: &str) -> Result<Selected, String> {
    let o = Command::new(tool).arg("-r").arg(cap).arg("-w").arg(out).arg(expr).output().expect(tool);
    if o.status.success() {
        Ok(read_back(out))
    } else {
        let err = String::from_utf8_lossy(&o.stderr);
        Err(err.lines().filter(|l| !l.starts_with("reading from") && !l.starts_with("Warning")).collect())
    }
}

fn have_tcpdump() -> bool {
    let ok = Command::new("tcpdump").arg("--version").output().is_ok_and(|o| o.status.success());
    common::require(ok, "tcpdump (for filter_tcpdump)")
}

#[test]
fn same_selection_as_tcpdump() {
    if !have_tcpdump() {
        return;
    }
    let tmp = common::Scratch::new("filter-tcpdump");
    let (t_out, v_out) = (tmp.0.join("t.pcap"), tmp.0.join("v.pcap"));
    let caps = captures();
    assert!(caps.len() >= 40, "only {} captures", caps.len());
    let mut failures = Vec::new();
    let (mut selected, mut compared) = (0usize, 0usize);
    for expr in SAME {
        let mut any_accepted = false;
        for cap in &caps {
            let t = select("tcpdump", cap, &t_out, expr);
            let v = select(env!("CARGO_BIN_EXE_vxdump"), cap, &v_out, expr);
            compared += 1;
            match (t, v) {
                (Ok(t), Ok(v)) if t == v => {
                    selected += t.len();
                    any_accepted = true;
                }
                (Ok(t), Ok(v)) => failures.push(format!(
                    "{expr:?} on {}: tcpdump selects {} packets, vxdump {}",
                    cap.display(),
                    t.len(),
                    v.len()
                )),
                (Err(_), Err(_)) => {}
                (t, v) => failures.push(format!(
                    "{expr:?} on {}: tcpdump {:?}, vxdump {:?}",
                    cap.display(),
                    t.map(|s| s.len()),
                    v.map(|s| s.len())
                )),
            }
        }
        assert!(any_accepted, "{expr:?} was refused on every capture");
    }
    eprintln!(
        "{} expressions x {} captures: {compared} runs, {selected} packets selected",
        SAME.len(),
        caps.len()
    );
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
    // The expressions select something: a comparison of empty selections proves little.
    assert!(selected > 10_000, "only {selected} packets selected in all");
}

#[test]
fn refused_like_tcpdump_and_unsupported_said_so() {
    if !have_tcpdump() {
        return;
    }
    let tmp = common::Scratch::new("filter-refuse");
    let out = tmp.0.join("o.pcap");
    let cap = common::testdata("vxlan-4789-p2p.pcap");
    for expr in BOTH_REFUSE {
        let t = select("tcpdump", &cap, &out, expr);
        assert!(t.is_err(), "{expr:?}: tcpdump accepts it");
        let v = select(env!("CARGO_BIN_EXE_vxdump"), &cap, &out, expr);
        let Err(e) = v else { panic!("{expr:?}: vxdump accepts what libpcap refuses") };
        assert!(e.starts_with("vxdump: ") && !e.contains('\n'), "{expr:?}: {e}");
    }
    for expr in UNSUPPORTED {
        assert!(select("tcpdump", &cap, &out, expr).is_ok(), "{expr:?}: tcpdump refuses it");
        let Err(e) = select(env!("CARGO_BIN_EXE_vxdump"), &cap, &out, expr) else {
            panic!("{expr:?}: vxdump runs a primitive it does not implement")
        };
        assert!(e.contains("does not support"), "{expr:?}: {e}");
    }
}
