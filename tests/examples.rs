//! Runs every program in examples/ on a testdata capture and checks what it prints against
//! tshark's fields for the same bytes (or, where no decoder shows the thing, against facts of the
//! capture from testdata/README.md), so the examples cannot rot.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use vxwire::capture::CaptureWriter;
use vxwire::dissect::LinkType;
use vxwire::Timestamp;

/// The newest modification time of the `.rs` files under `dir`.
fn newest_source(dir: &Path) -> std::time::SystemTime {
    let mut newest = std::time::SystemTime::UNIX_EPOCH;
    for e in std::fs::read_dir(dir).expect("read source directory").flatten() {
        let p = e.path();
        let t = if p.is_dir() {
            newest_source(&p)
        } else if p.extension().is_some_and(|x| x == "rs") {
            e.metadata().and_then(|m| m.modified()).expect("mtime")
        } else {
            continue;
        };
        newest = newest.max(t);
    }
    newest
}

/// The example's binary, which a plain `cargo test` builds beside the test binaries (`cargo test
/// --test examples` alone does not: then it must be at least as new as its sources).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(Path::parent).expect("target profile directory");
    let p = dir.join("examples").join(name);
    let hint = "run `cargo test` (which builds the examples) or `cargo build --examples` first";
    let built = std::fs::metadata(&p)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| panic!("{} missing: {hint}", p.display()));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source =
        std::fs::metadata(root.join("examples").join(format!("{name}.rs"))).and_then(|m| m.modified());
    let newest = newest_source(&root.join("src")).max(source.expect("example source"));
    assert!(built >= newest, "{} is older than its sources: {hint}", p.display());
    p
}

/// The example's standard output; it must exit 0.
fn run(name: &str, args: &[&str]) -> String {
    let out = Command::new(example(name)).args(args).output().expect("run example");
    assert!(out.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn tshark_ok() -> bool {
    common::require(Command::new("tshark").arg("--version").output().is_ok(), "tshark")
}

/// tshark's fields (all occurrences, comma-separated) per displayed frame.
fn tshark(path: &Path, filter: &str, fields: &[&str]) -> Vec<Vec<String>> {
    tshark_with(&[], path, filter, fields)
}

/// As [`tshark`], with extra options (`-o ...`) first.
fn tshark_with(opts: &[&str], path: &Path, filter: &str, fields: &[&str]) -> Vec<Vec<String>> {
    let mut cmd = Command::new("tshark");
    cmd.args(opts).args(["-n", "-r"]).arg(path).args([
        "-d",
        "udp.port==8472,vxlan",
        "-Y",
        filter,
        "-T",
        "fields",
    ]);
    cmd.args(["-E", "occurrence=a", "-E", "separator=\t"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("tshark");
    assert!(out.status.success(), "tshark: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

fn testdata(name: &str) -> String {
    common::testdata(name).to_str().expect("path").to_string()
}

#[test]
fn vni_stats_matches_tshark() {
    if !tshark_ok() {
        return;
    }
    for name in ["vxlan-mcast-group.pcap", "vxlan-4789-p2p.pcap", "vxlan-8472-flannel.pcap"] {
        let path = testdata(name);
        // Per VNI: frames, wire bytes, inner Ethernet sources (the second eth.src of a frame).
        let mut want: BTreeMap<String, (u64, u64, BTreeSet<String>)> = BTreeMap::new();
        for row in tshark(Path::new(&path), "vxlan && eth.src", &["vxlan.vni", "frame.len", "eth.src"]) {
            let e = want.entry(row[0].clone()).or_default();
            e.0 += 1;
            e.1 += row[1].parse::<u64>().unwrap();
            e.2.extend(row[2].split(',').nth(1).map(str::to_string));
        }
        let want: Vec<String> = want
            .iter()
            .map(|(vni, (n, b, m))| {
                let m: Vec<&str> = m.iter().map(String::as_str).collect();
                format!("vni {vni}: {n} packets, {b} bytes, inner sources {}", m.join(" "))
            })
            .collect();
        assert!(!want.is_empty(), "{name}: tshark saw no VXLAN");
        let got = run("vni_stats", &[&path]);
        assert_eq!(got.lines().collect::<Vec<_>>(), want, "{name}");
    }
}

#[test]
fn inner_arp_igmp_matches_tshark() {
    if !tshark_ok() {
        return;
    }
    let path = testdata("vxlan-inner-igmp.pcap");
    let got = run("inner_arp_igmp", &[&path]);
    // RFC 3376 4.2.12 record types, in tcpdump's words.
    let names = ["", "is_in", "is_ex", "to_in", "to_ex", "allow", "block"];
    let mut want = Vec::new();
    let rows = tshark(
        Path::new(&path),
        "vxlan && (arp || igmp.type == 0x22)",
        &["frame.number", "arp.opcode", "arp.src.proto_ipv4", "arp.dst.proto_ipv4", "arp.src.hw_mac"],
    );
    let igmp = tshark(
        Path::new(&path),
        "vxlan && igmp.type == 0x22",
        &["frame.number", "igmp.record_type", "igmp.maddr", "igmp.num_src", "igmp.saddr"],
    );
    let igmp: BTreeMap<&str, &Vec<String>> = igmp.iter().map(|r| (r[0].as_str(), r)).collect();
    for r in &rows {
        let n = &r[0];
        match r[1].as_str() {
            "1" => want.push(format!("{n}: arp request who-has {} tell {}", r[3], r[2])),
            "2" => want.push(format!("{n}: arp reply {} is-at {}", r[2], r[4])),
            "" => {
                let g = igmp[n.as_str()];
                let mut sources = g[4].split(',').filter(|s| !s.is_empty());
                for ((t, group), count) in g[1].split(',').zip(g[2].split(',')).zip(g[3].split(',')) {
                    let s: Vec<&str> = sources.by_ref().take(count.parse().unwrap()).collect();
                    let t: usize = t.parse().unwrap();
                    want.push(format!("{n}: igmp {} {group} [{}]", names[t], s.join(" ")));
                }
            }
            op => panic!("frame {n}: ARP operation {op} not in this capture"),
        }
    }
    assert!(want.iter().any(|l| l.contains("igmp to_ex")) && want.iter().any(|l| l.contains("arp reply")));
    assert_eq!(got.lines().collect::<Vec<_>>(), want);
}

#[test]
fn no_std_frame_decodes_in_tshark() {
    if !tshark_ok() {
        return;
    }
    let hex = run("no_std_frame", &[]);
    let frame = common::unhex(hex.trim());
    let scratch = common::Scratch::new("example-no-std");
    let path = scratch.0.join("frame.pcap");
    let mut w = CaptureWriter::new(std::fs::File::create(&path).unwrap(), LinkType::Ethernet).unwrap();
    w.write(Timestamp::from_micros(1, 0), &frame).unwrap();
    drop(w);
    let fields =
        ["frame.len", "ip.src", "ip.dst", "udp.dstport", "vxlan.vni", "arp.opcode", "arp.dst.proto_ipv4"];
    let rows = tshark(&path, "vxlan", &fields);
    // Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8 + Ethernet/ARP 42; the example's addresses.
    let want = ["92", "198.18.0.1", "198.18.0.2", "4789", "100", "1", "10.0.0.2"];
    assert_eq!(rows, [want.map(String::from).to_vec()]);
    let checks =
        tshark_with(&["-o", "ip.check_checksum:TRUE"], &path, "ip.checksum.status == 1", &["frame.number"]);
    assert_eq!(checks.len(), 1, "outer IPv4 checksum as tshark computes it");
}

#[test]
fn gbp_roundtrip_matches_tshark() {
    if !tshark_ok() {
        return;
    }
    let path = testdata("vxlan-gbp.pcap");
    let got = run("gbp_roundtrip", &[&path]);
    let mut lines = got.lines();
    assert_eq!(lines.next(), Some("built: flags [G,I] vni 300 gbp 4660 [D]"));
    let fields = ["frame.number", "vxlan.vni", "vxlan.flag_g", "vxlan.gbp", "vxlan.flag_d", "vxlan.flag_a"];
    let want: Vec<String> = tshark(Path::new(&path), "vxlan", &fields)
        .iter()
        .map(|r| {
            let (n, vni) = (&r[0], &r[1]);
            if r[2] == "0" {
                return format!("{n}: flags [I] vni {vni}");
            }
            let da = match (r[4].as_str(), r[5].as_str()) {
                ("1", "1") => " [D,A]",
                ("1", _) => " [D]",
                (_, "1") => " [A]",
                _ => "",
            };
            format!("{n}: flags [G,I] vni {vni} gbp {}{da}", r[3])
        })
        .collect();
    assert!(want.iter().any(|l| l.ends_with("[D]")) && want.iter().any(|l| l.ends_with("[A]")));
    assert_eq!(lines.collect::<Vec<_>>(), want);
}

#[test]
fn vtep_check_gbp_accepts_what_the_kernel_answered() {
    if !tshark_ok() {
        return;
    }
    let path = testdata("vxlan-gbp.pcap");
    let got = run("vtep_check", &[&path]);
    // testdata/README.md: B's gbp device (VNI 300, port 4789) answered every ping of the
    // capture, marked or not, so it accepted every VXLAN frame; a plain device treats the G
    // bit as reserved (STYLE.md, and tests/kernel_vxlan.rs against the kernel).
    let g: BTreeMap<usize, String> = tshark(Path::new(&path), "vxlan", &["frame.number", "vxlan.flag_g"])
        .into_iter()
        .map(|r| (r[0].parse().unwrap(), r[1].clone()))
        .collect();
    let mut n = 0;
    for line in got.lines() {
        n += 1;
        let (num, rest) = line.trim_start().split_once(": ").unwrap();
        let num: usize = num.parse().unwrap();
        assert_eq!(num, n);
        let (gbp, plain) = rest.split_once("plain ").unwrap();
        let (gbp, plain) = (gbp.trim_start_matches("gbp ").trim_end(), plain);
        match g.get(&num).map(String::as_str) {
            None => assert_eq!((gbp, plain), ("not for the device (not IP)", "not for the device (not IP)")),
            Some("0") => assert_eq!((gbp, plain), ("accept", "accept"), "frame {num}"),
            Some(_) => {
                assert_eq!((gbp, plain), ("accept", "drop SKB_DROP_REASON_VXLAN_INVALID_HDR"), "{num}")
            }
        }
    }
    assert_eq!(n, 24, "testdata/README.md: vxlan-gbp.pcap has 24 packets");
}

#[test]
fn errors_name_layer_and_counts() {
    if !tshark_ok() {
        return;
    }
    let path = testdata("vxlan-4789-p2p.pcap");
    let got = run("errors", &[&path, "46"]);
    // Cut at 46 bytes, a VXLAN frame keeps 46 - (14 + IP header + 8) bytes of its VXLAN header.
    let mut want: Vec<String> = tshark(Path::new(&path), "vxlan", &["frame.number", "ip.hdr_len"])
        .iter()
        .map(|r| {
            let at = 14 + r[1].split(',').next().unwrap().parse::<usize>().unwrap() + 8;
            let present = 46 - at;
            format!(
                "{}: truncated VXLAN header ({present} of 8 bytes): vxlan Truncated needed 8 present {present} at {at}",
                r[0]
            )
        })
        .collect();
    assert!(want.len() >= 10, "testdata/README.md: 3 pings and a TCP connection through VNI 100");
    want.push("vni 16777216: VXLAN header value out of range (16777216, limit 16777215)".into());
    assert_eq!(got.lines().collect::<Vec<_>>(), want);
}

#[test]
fn etherparse_side_by_side_matches_tshark() {
    if !tshark_ok() {
        return;
    }
    let path = testdata("vxlan-4789-p2p.pcap");
    let got = run("etherparse_side_by_side", &[&path]);
    // Frames with an inner IPv4 header: two ip.src occurrences, the second the inner one.
    let want: Vec<String> = tshark(Path::new(&path), "vxlan && ip", &["vxlan.vni", "ip.src", "ip.dst"])
        .iter()
        .filter_map(|r| {
            let (s, d) = (r[1].split(',').nth(1)?, r[2].split(',').nth(1)?);
            Some(format!("vni {}: {s} > {d}", r[0]))
        })
        .collect();
    assert!(want.len() >= 10);
    assert_eq!(got.lines().collect::<Vec<_>>(), want);
}

#[test]
fn vnis_matches_tshark() {
    if !tshark_ok() {
        return;
    }
    let path = testdata("vxlan-4789-p2p.pcap");
    let got = run("vnis", &[&path]);
    let all = tshark(Path::new(&path), "frame", &["frame.number"]).len();
    let vx = tshark(Path::new(&path), "vxlan", &["frame.number"]).len();
    let count = |f: &str| tshark(Path::new(&path), &format!("vxlan && {f}"), &["frame.number"]).len();
    // The example names the innermost protocol: ARP, ICMP, TCP.
    let (arp, icmp, tcp) = (count("arp"), count("icmp"), count("tcp"));
    assert_eq!(arp + icmp + tcp, vx);
    let want = format!("vni 100: arp {arp}, icmp {icmp}, tcp {tcp}\nnot VXLAN: {}\n", all - vx);
    assert_eq!(got, want);
}

#[test]
fn json_dump_one_line_per_packet() {
    let path = testdata("vxlan-4789-p2p.pcap");
    let got = run("json_dump", &[&path]);
    // testdata/README.md: 20 packets.
    assert_eq!(got.lines().count(), 20);
    assert!(got.lines().all(|l| l.starts_with('{') && l.ends_with('}')));
}

#[test]
fn craft_writes_what_tshark_reads() {
    if !tshark_ok() {
        return;
    }
    let scratch = common::Scratch::new("example-craft");
    let path = scratch.0.join("craft.pcap");
    run("craft", &[path.to_str().unwrap()]);
    let rows = tshark(&path, "vxlan", &["vxlan.vni", "arp.dst.proto_ipv4", "igmp.record_type", "igmp.maddr"]);
    assert_eq!(rows, [vec!["100", "10.0.0.2", "", ""], vec!["100", "", "4", "239.1.1.1"]]);
}
