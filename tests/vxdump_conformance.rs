//! vxdump against the reference decoder: Debian's tcpdump 4.99.3 (`/usr/bin/tcpdump`).
//!
//! Every capture in `testdata/` and the third-party captures of `testdata/third-party/` (tcpdump, Zeek and
//! Suricata test suites: VXLAN, ARP, IGMP) are printed by both programs with the same flags
//! (`-nn -v`, `-nn -e -v`, `-nn -vv`, `-nn -vvv`, `-nn -v -S` (absolute TCP sequence numbers),
//! `-nn -v -x`, `TZ=UTC`) and compared packet by packet. A
//! packet passes when its lines are identical, apart from these documented differences:
//!
//! - GBP: vxdump prints `flags [G,I] (0x88), [gbp-flags [D,A] (0x48), ]group-policy-id N, `
//!   where tcpdump prints `flags [I] (0x88), `; the rest of the packet must be identical.
//! - UDP 8472: tcpdump 4.99.3 prints OTV; those packets are compared with `tcpdump -T vxlan`.
//! - UDP source port 49152: tcpdump 4.99.3 prints a Broadcom LI shim; counted as a deviation.
//!
//! Packets whose difference is a protocol vxdump does not decode (DNS, Geneve, NSH, GRE, LLC,
//! DVMRP, ...: tcpdump decodes more than the VXLAN/ARP/IGMP/IP/UDP/TCP/ICMP set) are counted and
//! reported as "outside", not hidden. Any other difference fails the test. The agreement figures
//! are printed (`cargo test --test vxdump_conformance -- --nocapture`).
//!
//! Without tcpdump the test is skipped with a message, unless `CI` is set: then it fails.

mod common;

use common::tcpdump::{gbp_as_tcpdump, outside, packets};
use std::path::{Path, PathBuf};
use std::process::Command;

const TCPDUMP: &str = "/usr/bin/tcpdump";
const FLAG_SETS: &[&[&str]] = &[&["-v"], &["-e", "-v"], &["-vv"], &["-vvv"], &["-v", "-S"], &["-v", "-x"]];

fn testdata_dir() -> PathBuf {
    // VXDUMP_TESTDATA lets a developer point at captures not yet merged into this checkout.
    std::env::var_os("VXDUMP_TESTDATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata")))
}

fn corpus_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/third-party"))
}

fn captures_under(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if recursive {
                captures_under(&p, true, out);
            }
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("pcap" | "pcapng")) {
            out.push(p);
        }
    }
}

fn all_captures() -> Vec<PathBuf> {
    let mut v = Vec::new();
    captures_under(&testdata_dir(), false, &mut v);
    let c = corpus_dir();
    for sub in ["tcpdump", "zeek", "suricata-verify"] {
        captures_under(&c.join(sub), true, &mut v);
    }
    v
}

fn run(prog: &str, args: &[&str], file: &Path) -> Vec<u8> {
    let out = Command::new(prog)
        .args(args)
        .arg("-r")
        .arg(file)
        .env("TZ", "UTC")
        .output()
        .unwrap_or_else(|e| panic!("running {prog}: {e}"));
    out.stdout
}

#[derive(Default)]
struct Tally {
    total: usize,
    equal: usize,
    gbp: usize,
    otv: usize,
    port_49152: usize,
    outside: usize,
    failed: Vec<String>,
}

#[test]
fn vxdump_matches_tcpdump_packet_by_packet() {
    if !Path::new(TCPDUMP).exists() {
        if std::env::var_os("CI").is_some() {
            panic!("{TCPDUMP} is missing and CI is set: the conformance test must run");
        }
        std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("skipping: {TCPDUMP} not installed (set CI to make this a failure)\n").as_bytes(),
        )
        .ok();
        return;
    }
    let vxdump = env!("CARGO_BIN_EXE_vxdump");
    let files = all_captures();
    assert!(!files.is_empty(), "no captures found");
    let mut grand = Tally::default();
    println!(
        "{:<62} {:>7} {:>9} {:>7} {:>4} {:>5} {:>7}",
        "capture / flags", "equal", "total", "GBP", "8472", "49152", "outside"
    );
    for f in &files {
        for flags in FLAG_SETS {
            let mut targs = vec!["-nn"];
            targs.extend_from_slice(flags);
            let t = packets(&run(TCPDUMP, &targs, f));
            let v = packets(&run(vxdump, &targs, f));
            let otv = t.iter().any(|p| p.contains("OTV, flags"));
            let tv = if otv {
                let mut a = targs.clone();
                a.extend_from_slice(&["-T", "vxlan"]);
                packets(&run(TCPDUMP, &a, f))
            } else {
                Vec::new()
            };
            let mut tally = Tally { total: t.len(), ..Tally::default() };
            if v.len() != t.len() {
                tally.failed.push(format!("packet count: tcpdump {} vxdump {}", t.len(), v.len()));
            }
            for (i, (tp, vp)) in t.iter().zip(&v).enumerate() {
                let alt;
                let (tp, is_otv) = match tv.get(i) {
                    Some(a) if tp.contains("OTV, flags") => {
                        // `-T vxlan` skips the UDP checksum note that the port path prints at -vv.
                        alt = match (tp.find(": ["), tp.find("] OTV, ")) {
                            (Some(s), Some(e)) if s < e => {
                                let note = &tp[s + 2..e + 2];
                                a.replacen(": VXLAN, ", &format!(": {note}VXLAN, "), 1)
                            }
                            _ => a.clone(),
                        };
                        (&alt, true)
                    }
                    _ => (tp, false),
                };
                if tp == vp {
                    tally.equal += 1;
                    tally.otv += usize::from(is_otv);
                } else if vp.contains("VXLAN, flags [G") && gbp_as_tcpdump(vp) == *tp {
                    tally.equal += 1;
                    tally.gbp += 1;
                } else if tp.contains("BCM-LI-SHIM") {
                    tally.port_49152 += 1;
                } else if outside(tp, &gbp_as_tcpdump(vp), &[], false) {
                    tally.outside += 1;
                } else {
                    tally.failed.push(format!("packet {}:\n  tcpdump: {}\n  vxdump:  {}", i + 1, tp, vp));
                }
            }
            let name = format!(
                "{} {}",
                f.strip_prefix(corpus_dir())
                    .or_else(|_| f.strip_prefix(testdata_dir()))
                    .unwrap_or(f)
                    .display(),
                flags.join(" ")
            );
            println!(
                "{:<62} {:>7} {:>9} {:>7} {:>4} {:>5} {:>7}{}",
                name,
                tally.equal,
                tally.total,
                tally.gbp,
                tally.otv,
                tally.port_49152,
                tally.outside,
                if tally.failed.is_empty() { "" } else { "  FAIL" }
            );
            for msg in tally.failed.iter().take(3) {
                println!("    {msg}");
            }
            grand.total += tally.total;
            grand.equal += tally.equal;
            grand.gbp += tally.gbp;
            grand.otv += tally.otv;
            grand.port_49152 += tally.port_49152;
            grand.outside += tally.outside;
            grand.failed.extend(tally.failed.into_iter().map(|m| format!("{name}: {m}")));
        }
    }
    println!(
        "TOTAL: {} of {} packets equal ({} GBP-normalised, {} via -T vxlan); {} UDP 49152 deviations; {} outside the decoded set; {} failures",
        grand.equal,
        grand.total,
        grand.gbp,
        grand.otv,
        grand.port_49152,
        grand.outside,
        grand.failed.len()
    );
    assert!(
        grand.failed.is_empty(),
        "{} packets differ from tcpdump:\n{}",
        grand.failed.len(),
        grand.failed.join("\n")
    );
}

#[test]
fn gbp_normalisation() {
    assert_eq!(
        gbp_as_tcpdump("x: VXLAN, flags [G,I] (0x88), gbp-flags [D,A] (0x48), group-policy-id 4660, vni 300"),
        "x: VXLAN, flags [I] (0x88), vni 300"
    );
    assert_eq!(
        gbp_as_tcpdump("VXLAN, flags [G] (0x80), group-policy-id 1, vni 2"),
        "VXLAN, flags [invalid] (0x80), vni 2"
    );
}

/// VXLAN-GPE next protocols tcpdump 4.99.3 does not decode (MPLS 5, unassigned 6 and 0x99, 0xff)
/// print as it prints them: `ERROR: unknown-next-protocol (invalid)`.
#[test]
fn gpe_unknown_next_protocol_as_tcpdump() {
    if !common::require(Path::new(TCPDUMP).exists(), "tcpdump") {
        return;
    }
    let scratch = common::Scratch::new("gpe-next-proto");
    let path = scratch.0.join("gpe.pcap");
    let file = std::fs::File::create(&path).unwrap();
    let mut w = vxwire::capture::CaptureWriter::new(file, vxwire::LinkType::Ethernet).unwrap();
    for (i, next) in [5u8, 6, 0x99, 0xff].into_iter().enumerate() {
        let gpe = [0x0c, 0, 0, next, 0, 0, 9, 0]; // flags I,P; next protocol; VNI 9
        let payload: Vec<u8> = gpe.iter().copied().chain([0xaa; 8]).collect();
        let udp_len = 8 + payload.len() as u16;
        let mut ip = vec![0x45, 0, 0, 0, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
        ip[2..4].copy_from_slice(&(20 + udp_len).to_be_bytes()); // total length
        let sum = vxwire::wire::igmp::internet_checksum(&ip);
        ip[10..12].copy_from_slice(&sum.to_be_bytes()); // header checksum
        let mut frame = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]; // dst, src, IPv4
        frame.extend(ip);
        frame.extend(40000u16.to_be_bytes()); // source port
        frame.extend(4790u16.to_be_bytes()); // VXLAN-GPE
        frame.extend(udp_len.to_be_bytes());
        frame.extend([0, 0]); // no UDP checksum
        frame.extend(payload);
        w.write(vxwire::Timestamp::from_micros(i as i64 + 1, 0), &frame).unwrap();
    }
    drop(w);
    let theirs = packets(&run(TCPDUMP, &["-nn", "-v"], &path));
    let ours = packets(&run(env!("CARGO_BIN_EXE_vxdump"), &["-nn", "-v"], &path));
    assert_eq!(theirs.len(), 4);
    assert!(theirs.iter().all(|p| p.ends_with("ERROR: unknown-next-protocol (invalid)")), "{theirs:?}");
    assert_eq!(ours, theirs);
}
