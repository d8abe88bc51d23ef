//! The `--json` printer against tshark: every packet of the kernel captures in testdata/ and of the
//! VXLAN/ARP/IGMP captures of the corpus is printed, each line parsed with serde_json, and its
//! fields compared with what `tshark -T fields` reads from the same file (first VXLAN VNI, first
//! Ethernet source, first IPv4 source, first UDP source port, first ARP opcode, first IGMP type,
//! all IGMP group addresses).
//!
//! tshark is a reference decoder installed on the development machines and CI; without it the
//! test prints why it skips, and fails when `CI` is set.

mod common;

use common::*;
use serde_json::Value;
use std::process::Command;
use vxwire::print::{json::write_packet, PacketInfo};

const FIELDS: [&str; 8] = [
    "frame.number",
    "vxlan.vni",
    "eth.src",
    "ip.src",
    "udp.srcport",
    "arp.opcode",
    "igmp.type",
    "igmp.maddr",
];

fn tshark(path: &std::path::Path) -> Option<Vec<Vec<String>>> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(path).args(["-d", "udp.port==8472,vxlan", "-T", "fields", "-E", "separator=\t"]);
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().ok()?;
    assert!(out.status.success(), "tshark failed on {}", path.display());
    let text = String::from_utf8(out.stdout).unwrap();
    Some(text.lines().map(|l| l.split('\t').map(str::to_owned).collect()).collect())
}

fn first(s: &str) -> Option<&str> {
    s.split(',').next().filter(|x| !x.is_empty())
}

fn layers<'v>(j: &'v Value, proto: &str) -> Vec<&'v Value> {
    j["layers"].as_array().unwrap().iter().filter(|l| l["proto"] == proto).collect()
}

/// The first layer of `proto` that has `key`, as text (numbers and strings alike).
fn ours(j: &Value, protos: &[&str], key: &str) -> Option<String> {
    j["layers"].as_array().unwrap().iter().filter(|l| protos.iter().any(|p| l["proto"] == *p)).find_map(|l| {
        match &l[key] {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            v => Some(v.to_string()),
        }
    })
}

fn compare(path: &std::path::Path) -> usize {
    let Some(rows) = tshark(path) else {
        if std::env::var_os("CI").is_some() {
            panic!("tshark is not installed, and CI is set");
        }
        std::io::Write::write_all(
            &mut std::io::stderr(),
            b"skipping: tshark not installed
",
        )
        .ok();
        return 0;
    };
    let frames = frames(&path.to_path_buf());
    assert_eq!(rows.len(), frames.len(), "{}", path.display());
    let mut out = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        let d = f.dissect();
        let info = PacketInfo {
            n: i as u64 + 1,
            ts_sec: f.ts_sec,
            ts_nsec: f.ts_nsec,
            caplen: f.data.len(),
            len: f.len,
        };
        write_packet(&mut out, &info, &d).unwrap();
    }
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), frames.len());
    let mut mismatches = 0;
    for (row, line) in rows.iter().zip(&lines) {
        let j: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("invalid JSON {line}: {e}"));
        let n = row[0].parse::<u64>().unwrap();
        assert_eq!(j["n"], n);
        let err_proto =
            j["layers"].as_array().unwrap().iter().find_map(|l| l.get("error").map(|_| l["proto"].clone()));
        let mut check = |what: &str, theirs: Option<&str>, mine: Option<String>, proto: &str| {
            if err_proto.as_ref().is_some_and(|p| p == proto) {
                return; // we stopped at this layer with an error; tshark may show partial fields
            }
            if theirs.map(str::to_owned) != mine {
                mismatches += 1;
                eprintln!("{} #{n} {what}: tshark {theirs:?}, ours {mine:?}", path.display());
            }
        };
        check("vxlan.vni", first(&row[1]), ours(&j, &["vxlan", "vxlan-gpe"], "vni"), "vxlan");
        check("eth.src", first(&row[2]), ours(&j, &["eth"], "src"), "eth");
        check("ip.src", first(&row[3]), ours(&j, &["ipv4"], "src"), "ipv4");
        check("udp.srcport", first(&row[4]), ours(&j, &["udp"], "sport"), "udp");
        // Hardware type 19 is ATM ARP (RFC 2225), whose layout tshark and tcpdump decode apart and
        // the crate reads as RFC 826 ARP (arp-oobr.pcap #1166): not compared.
        if ours(&j, &["arp"], "htype").as_deref() != Some("19") {
            check("arp.opcode", first(&row[5]), ours(&j, &["arp"], "op"), "arp");
        }
        let t =
            first(&row[6]).map(|t| u8::from_str_radix(t.trim_start_matches("0x"), 16).unwrap().to_string());
        check("igmp.type", t.as_deref(), ours(&j, &["igmp"], "type"), "igmp");
        let mut groups: Vec<String> = Vec::new();
        for g in layers(&j, "igmp") {
            if let Some(s) = g["group"].as_str() {
                groups.push(s.to_owned());
            }
            for r in g["records"].as_array().into_iter().flatten() {
                groups.push(r["group"].as_str().unwrap().to_owned());
            }
        }
        let theirs = if row[7].is_empty() { String::new() } else { row[7].clone() };
        check(
            "igmp.maddr",
            Some(theirs.as_str()).filter(|s| !s.is_empty()),
            Some(groups.join(",")).filter(|s| !s.is_empty()),
            "igmp",
        );
        // The schema's fixed keys.
        assert!(j["ts"].as_str().unwrap().ends_with('Z'));
        assert_eq!(j["caplen"], j["caplen"].as_u64().unwrap());
    }
    mismatches
}

#[test]
fn json_matches_tshark() {
    let mut files: Vec<std::path::PathBuf> = [
        "vxlan-4789-p2p.pcap",
        "vxlan-4789-p2p.pcapng",
        "vxlan-8472-flannel.pcap",
        "vxlan-any-sll.pcap",
        "vxlan-any-sll2.pcap",
        "vxlan-gbp.pcap",
        "vxlan-inner-igmp.pcap",
        "vxlan-ipv6-underlay.pcap",
        "vxlan-mcast-group.pcap",
        "vxlan-nanosec.pcap",
        "vxlan-p2p-2if.pcapng",
        "icmpv6-nd-mld.pcap",
    ]
    .iter()
    .map(|f| testdata(f))
    .collect();
    for f in [
        "tcpdump/vxlan.pcap",
        "tcpdump/vxlan_port_8472.pcap",
        "tcpdump/802.1ad_QinQ.pcap",
        "tcpdump/arp-oobr.pcap",
        "tcpdump/igmpv3-queries.pcap",
        "tcpdump/IGMP_V1.pcap",
        "tcpdump/IGMP_V2.pcap",
        "tcpdump/nsh-over-vxlan-gpe.pcap",
        "zeek/igmp.pcap",
        "zeek/igmp-bad-checksum.pcap",
        "zeek/igmp-many-groups.pcap",
        "zeek/igmp-many-sources.pcap",
        "zeek/arp-who-has.pcap",
        "zeek/vxlan.pcap",
        "zeek/vxlan-encapsulated-igmp-v2.pcap",
        "zeek/vxlan-triple-v2.pcap",
        "zeek/linux_dlt_sll2.pcap",
        "suricata-verify/vxlan-decoder-02/vxlan.pcap",
        "suricata-verify/vxlan-non-zero-reserved-fields/input.pcap",
        "suricata-verify/arp/detect-arp-04-vxlan/vxlan-arp.pcap",
    ] {
        files.push(corpus(f));
    }
    let total: usize = files.iter().map(|f| compare(f)).sum();
    assert_eq!(total, 0, "fields differ from tshark's (see stderr)");
}
