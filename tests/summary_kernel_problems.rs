//! Problems the kernel itself makes, on captures of kernel VTEPs (testdata/kernel-problems/,
//! made by testdata/gen/make-offload-captures.sh, each taken on the receiving VTEP B's underlay,
//! with B's tables and counters recorded): the summary reports exactly the problem classes that
//! are real there, as many times as tshark finds the frames, and learns what B's kernel learned.
//!
//! - fragments: A's vxlan device has MTU 1500 over a 1500 underlay: outer IPv4 fragments (B
//!   reassembled them: IpReasmOKs) and an inner packet longer than MTU - 50;
//! - ttl1: A's device has `ttl 1`: unicast VXLAN with outer TTL 1;
//! - vni0: both devices have `id 0`;
//! - udp6zero: IPv6 underlay, A sends with `udp6zerocsumtx`, B (default) drops every frame;
//! - udp-csum, udp-csum6: what no kernel sends, crafted by scapy in A (no vxlan device) and
//!   judged by B's plain `vxlan0` (IPv4 and IPv6 underlay): good frames, frames with a wrong
//!   non-zero outer UDP checksum (B dropped them: UdpInCsumErrors / Udp6InCsumErrors) and frames
//!   with outer source port 0 (B took and learned them), one inner source MAC per frame.
//!
//! The other classes the kernel never sends (I flag clear, reserved bits, GBP to a plain port,
//! other drops) are in tests/summary_problems.rs (crafted captures) and judged frame by frame
//! by a live kernel in tests/kernel_summary_live.rs.
#![cfg(feature = "cli")]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::process::Command;
use vxwire::capture::CaptureReader;
use vxwire::dissect::Config;
use vxwire::summary::{add_capture, Summary, SummaryConfig, VtepView};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/kernel-problems/");

fn summarize(path: &Path, config: SummaryConfig) -> Summary {
    let mut r = CaptureReader::new(BufReader::new(File::open(path).unwrap())).unwrap();
    let mut s = Summary::new(config);
    add_capture(&mut s, &mut r, &Config::default()).unwrap();
    s
}

/// tshark's fields (first occurrence: the outer headers) of the VXLAN frames and later outer
/// fragments of UDP, one row each.
fn tshark(cap: &Path, fields: &[&str]) -> Option<Vec<Vec<String>>> {
    tshark_with(cap, &[], "f", fields)
}

/// [`tshark`] with more preferences (`-o` values) and another field occurrence (`l`: the
/// last, the inner headers).
fn tshark_with(cap: &Path, prefs: &[&str], occurrence: &str, fields: &[&str]) -> Option<Vec<Vec<String>>> {
    let mut args = vec![
        "-r",
        cap.to_str().unwrap(),
        "-o",
        "ip.defragment:FALSE",
        "-Y",
        "udp.port == 4789 || (ip.proto == 17 && ip.frag_offset > 0)",
    ];
    for p in prefs {
        args.extend(["-o", p]);
    }
    let occurrence = format!("occurrence={occurrence}");
    args.extend(["-T", "fields", "-E", &occurrence]);
    for f in fields {
        args.extend(["-e", f]);
    }
    let o = Command::new("tshark").args(&args).output();
    let ok = matches!(&o, Ok(o) if o.status.success());
    if !common::require(ok, "tshark") {
        return None;
    }
    let text = String::from_utf8(o.unwrap().stdout).unwrap();
    Some(text.lines().map(|l| l.split('\t').map(str::to_string).collect()).collect())
}

/// The summary's real problems (notes left out), by id, with their counts.
fn problems(s: &Summary) -> BTreeMap<String, u64> {
    s.problems()
        .into_iter()
        .filter(|(k, _)| !k.is_note())
        .map(|(k, p)| (k.id().to_string(), p.count))
        .collect()
}

/// A counter of B's recorded `nstat -az`.
fn nstat(dir: &Path, name: &str) -> u64 {
    let text = std::fs::read_to_string(dir.join("B.nstat")).unwrap();
    text.lines()
        .find_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (w.first() == Some(&name)).then(|| w[1].parse().unwrap())
        })
        .unwrap_or_else(|| panic!("{name} not in B.nstat"))
}

/// B learns what its kernel learned (`B.fdb`, not permanent), with the scenario's settings.
fn learns_as_the_kernel(dir: &Path, s: &Summary) {
    let kernel: BTreeSet<String> = std::fs::read_to_string(dir.join("B.fdb"))
        .unwrap()
        .lines()
        .filter(|l| l.contains(" dst ") && !l.contains("permanent"))
        .map(|l| l.trim().to_string())
        .collect();
    let ours: BTreeSet<String> =
        s.fdb().iter().map(|((_, m), e)| format!("{} dst {} self", common::mac_str(&m.0), e.dst)).collect();
    assert_eq!(ours, kernel, "{}", dir.display());
    assert_eq!(kernel.len(), 1);
}

fn view_of_b(dir: &Path) -> SummaryConfig {
    let vteps = std::fs::read_to_string(dir.join("vteps.txt")).unwrap();
    let b: Vec<&str> = vteps.lines().find(|l| l.starts_with("B ")).unwrap().split_whitespace().collect();
    let mut v = VtepView::default();
    v.add_spec(&format!("{},{}", b[1], b[2])).unwrap();
    v.macs.push(common::mac(b[4]));
    SummaryConfig { vtep: Some(v), ..SummaryConfig::default() }
}

#[test]
fn outer_fragments_and_the_mtu_trap_made_by_the_kernel() {
    let dir = Path::new(DIR).join("fragments");
    let cap = dir.join("capture.pcap");
    let Some(rows) = tshark(&cap, &["ip.flags.mf", "ip.frag_offset", "udp.length"]) else { return };
    let frags = rows.iter().filter(|r| r[0] == "1" || r[1] != "0").count() as u64;
    // The inner L3 packet: UDP length - 8 (UDP) - 8 (VXLAN) - 14 (inner Ethernet), over 1450.
    let long = rows
        .iter()
        .filter(|r| r[1] == "0" && r[2].parse::<u64>().is_ok_and(|u| u.saturating_sub(30) > 1450))
        .count() as u64;
    assert!(frags >= 2 && long >= 1, "{rows:?}");
    assert!(nstat(&dir, "IpReasmOKs") >= 1, "B reassembled them");
    let s = summarize(&cap, view_of_b(&dir));
    let want = BTreeMap::from([("outer-fragment".to_string(), frags), ("mtu-exceeded".to_string(), long)]);
    assert_eq!(problems(&s), want);
    learns_as_the_kernel(&dir, &s);
}

#[test]
fn ttl_one_unicast_made_by_the_kernel() {
    let dir = Path::new(DIR).join("ttl1");
    let cap = dir.join("capture.pcap");
    let Some(rows) = tshark(&cap, &["ip.ttl", "ip.dst"]) else { return };
    let ttl1 = rows.iter().filter(|r| r[0] == "1").count() as u64;
    assert!(ttl1 >= 3, "{rows:?}");
    assert!(std::fs::read_to_string(dir.join("A.link")).unwrap().contains(" ttl 1 "));
    let s = summarize(&cap, view_of_b(&dir));
    assert_eq!(problems(&s), BTreeMap::from([("ttl-1".to_string(), ttl1)]));
    learns_as_the_kernel(&dir, &s);
}

#[test]
fn vni_zero_made_by_the_kernel() {
    let dir = Path::new(DIR).join("vni0");
    let cap = dir.join("capture.pcap");
    let Some(rows) = tshark(&cap, &["vxlan.vni"]) else { return };
    let zero = rows.iter().filter(|r| r[0] == "0").count() as u64;
    assert!(zero >= 6 && zero == rows.len() as u64, "{rows:?}");
    let s = summarize(&cap, view_of_b(&dir));
    assert_eq!(problems(&s), BTreeMap::from([("vni-zero".to_string(), zero)]));
    learns_as_the_kernel(&dir, &s);
}

#[test]
fn udp6_zero_checksum_drops_made_by_the_kernel() {
    // A's device has `udp6zerocsumtx`, B's the default: B's UDP drops each frame (Udp6InCsumErrors).
    let dir = Path::new(DIR).join("udp6zero");
    let cap = dir.join("capture.pcap");
    let Some(rows) = tshark(&cap, &["udp.checksum", "ipv6.src"]) else { return };
    let zero = rows.iter().filter(|r| r[0] == "0x0000" || r[0] == "0x0").count() as u64;
    assert!(zero >= 3 && zero == rows.len() as u64, "{rows:?}");
    assert_eq!(nstat(&dir, "Udp6InCsumErrors"), zero, "B's kernel dropped each");
    let s = summarize(&cap, view_of_b(&dir));
    assert_eq!(problems(&s), BTreeMap::from([("kernel-drop".to_string(), zero)]));
    let reasons: Vec<_> =
        s.problems().into_keys().filter(|k| k.is_drop()).map(|k| format!("{k:?}")).collect();
    assert!(reasons.iter().all(|r| r.contains("UDP_CSUM")), "{reasons:?}");
    // B learned nothing (only its permanent default entry), and neither does the summary as B;
    // as a device with `udp6zerocsumrx` it would have taken them.
    let kernel_learned = std::fs::read_to_string(dir.join("B.fdb"))
        .unwrap()
        .lines()
        .filter(|l| !l.contains("permanent"))
        .count();
    assert_eq!(kernel_learned, 0);
    assert!(s.fdb().is_empty());
    assert_eq!(s.not_learned().dropped, zero);
    let mut rx = view_of_b(&dir);
    if let Some(v) = rx.vtep.as_mut() {
        v.add_spec("fd00:18:25::2,udp6zerocsumrx").unwrap();
    }
    assert_eq!(summarize(&cap, rx).fdb().len(), 1);
}

/// The receive counter of B's vxlan device (`ip -s -s link show`, recorded in `B.stats`).
fn rx_packets(dir: &Path) -> u64 {
    let text = std::fs::read_to_string(dir.join("B.stats")).unwrap();
    let mut lines = text.lines().skip_while(|l| !l.trim_start().starts_with("RX:"));
    let head: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    let values: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    let col = head.iter().position(|h| *h == "packets").unwrap() - 1; // "RX:" has no value
    values[col].parse().unwrap()
}

/// Frames scapy crafted and B's plain kernel device judged: the summary reports
/// `bad-udp-checksum` (and a `UDP_CSUM` kernel drop) for exactly the frames tshark's own
/// checksum validation finds bad, as many as B's UDP counted checksum errors;
/// `src-port-zero` for exactly the frames tshark shows with source port 0, which B took and
/// learned from (not a drop); and it learns what B's kernel learned.
fn crafted_judged_by_the_kernel(name: &str, csum_errors: &str) {
    let dir = Path::new(DIR).join(name);
    let cap = dir.join("capture.pcap");
    let check = ["udp.check_checksum:TRUE"];
    let fields = ["frame.number", "udp.srcport", "udp.checksum.status"];
    let Some(outer) = tshark_with(&cap, &check, "f", &fields) else { return };
    let Some(inner) = tshark_with(&cap, &[], "l", &["frame.number", "eth.src"]) else { return };
    assert_eq!(inner.len(), outer.len());
    let frames = |f: &dyn Fn(&Vec<String>) -> bool| -> Vec<u64> {
        outer.iter().filter(|r| f(r)).map(|r| r[0].parse().unwrap()).collect()
    };
    // udp.checksum.status: 0 bad, 1 good, 2 unverified
    let bad = frames(&|r| r[2] == "0");
    let zero = frames(&|r| r[1] == "0");
    let good = frames(&|r| r[2] == "1");
    assert_eq!(bad.len() + good.len(), outer.len(), "tshark verified every checksum: {outer:?}");
    assert!(!bad.is_empty() && !zero.is_empty() && good.len() > zero.len(), "{outer:?}");
    assert!(bad.iter().all(|n| !zero.contains(n)), "the classes are apart: {outer:?}");
    // The kernel: B's UDP counted the bad ones and nothing else; its device received the rest.
    assert_eq!(nstat(&dir, csum_errors), bad.len() as u64, "{csum_errors}");
    assert_eq!(rx_packets(&dir), (outer.len() - bad.len()) as u64, "B.stats RX packets");

    let mut config = view_of_b(&dir);
    config.keep_packets = outer.len(); // every packet number, not the first five
    let s = summarize(&cap, config);
    let all = s.problems();
    let real: BTreeMap<_, _> = all.iter().filter(|(k, _)| !k.is_note()).collect();
    let ids: BTreeSet<_> = real.keys().map(|k| k.id()).collect();
    assert_eq!(ids, BTreeSet::from(["kernel-drop", "bad-udp-checksum", "src-port-zero"]), "{real:?}");
    for (k, p) in &real {
        let want = if k.id() == "src-port-zero" { &zero } else { &bad };
        assert_eq!((p.count, &p.first), (want.len() as u64, want), "{k:?}");
        if k.is_drop() {
            assert!(format!("{k:?}").contains("UDP_CSUM"), "{k:?}");
        }
    }
    assert_eq!(s.not_learned().dropped, bad.len() as u64);
    assert_eq!(s.offload().partial, 0, "a wrong checksum is not offload");

    // What B's kernel learned: exactly the inner source MACs of the frames it did not drop
    // (port 0 included), and so does the summary as B.
    let kernel: BTreeSet<String> = std::fs::read_to_string(dir.join("B.fdb"))
        .unwrap()
        .lines()
        .filter(|l| l.contains(" dst ") && !l.contains("permanent"))
        .map(|l| l.trim().to_string())
        .collect();
    let kernel_macs: BTreeSet<&str> = kernel.iter().map(|l| l.split(' ').next().unwrap()).collect();
    let taken: BTreeSet<&str> =
        inner.iter().filter(|r| !bad.contains(&r[0].parse().unwrap())).map(|r| r[1].as_str()).collect();
    assert_eq!(kernel_macs, taken, "B learned from every frame it did not drop");
    let zero_macs: BTreeSet<&str> =
        inner.iter().filter(|r| zero.contains(&r[0].parse().unwrap())).map(|r| r[1].as_str()).collect();
    assert_eq!(zero_macs.len(), zero.len(), "one inner source MAC per frame");
    assert!(zero_macs.is_subset(&kernel_macs), "B took the source port 0 frames");
    let ours: BTreeSet<String> =
        s.fdb().iter().map(|((_, m), e)| format!("{} dst {} self", common::mac_str(&m.0), e.dst)).collect();
    assert_eq!(ours, kernel);
}

#[test]
fn bad_udp_checksum_and_source_port_zero_judged_by_the_kernel() {
    crafted_judged_by_the_kernel("udp-csum", "UdpInCsumErrors");
}

#[test]
fn bad_udp6_checksum_and_source_port_zero_judged_by_the_kernel() {
    crafted_judged_by_the_kernel("udp-csum6", "Udp6InCsumErrors");
}
