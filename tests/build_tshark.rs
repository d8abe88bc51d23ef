//! Built frames, decoded by the reference decoders: tshark (checksum validation on, expert info)
//! and tcpdump 4.99. Each must read the same field values we put in, with no expert warning or
//! error, no truncation marker and no bad checksum.
#![cfg(feature = "cli")]

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::Command;
use vxwire::build::{
    arp, icmp_echo, igmp, vxlan_frame, ArpSpec, EchoSpec, GroupRecordSpec, IgmpMessage, IgmpSpec, Outer,
};
use vxwire::capture::CaptureWriter;
use vxwire::dissect::LinkType;
use vxwire::wire::igmp::RecordType;
use vxwire::wire::vxlan::{Gbp, Vni, VxlanHeader};
use vxwire::MacAddr;

const H1: MacAddr = MacAddr([0x02, 0, 0, 0, 0x64, 1]);
const H2: MacAddr = MacAddr([0x02, 0, 0, 0, 0x64, 2]);
const IP1: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const IP2: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const G: Ipv4Addr = Ipv4Addr::new(239, 1, 1, 1);

/// A tool, or a skip with a reason (a failure when `CI` is set).
fn tool(path: &str) -> Option<&str> {
    if std::path::Path::new(path).exists() {
        return Some(path);
    }
    assert!(std::env::var_os("CI").is_none(), "{path} is missing and CI is set");
    std::io::Write::write_all(&mut std::io::stderr(), format!("skipping: {path} not installed\n").as_bytes())
        .ok();
    None
}

struct TempFile(PathBuf);
impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The frames, each with a name and the tshark field values expected for it.
fn frames() -> Vec<(&'static str, Vec<u8>)> {
    let o4 = Outer::v4(
        MacAddr([2, 0, 0, 0, 0xa, 1]),
        MacAddr([2, 0, 0, 0, 0xa, 2]),
        Ipv4Addr::new(198, 18, 0, 1),
        Ipv4Addr::new(198, 18, 0, 2),
    );
    let mut o4c = o4;
    o4c.udp_checksum = true;
    let o6 = Outer::v6(
        MacAddr([2, 0, 0, 0, 0xa, 1]),
        MacAddr([2, 0, 0, 0, 0xa, 2]),
        "fd00:18::1".parse().unwrap(),
        "fd00:18::2".parse().unwrap(),
    );
    let vx = VxlanHeader::new(Vni::new(100).unwrap());
    let gbp = VxlanHeader::with_gbp(
        Vni::new(300).unwrap(),
        Gbp { group_policy_id: 4660, dont_learn: true, policy_applied: false },
    );
    let srcs = [Ipv4Addr::new(10, 9, 0, 1), Ipv4Addr::new(10, 9, 0, 2)];
    let recs = [
        GroupRecordSpec { record_type: RecordType::CHANGE_TO_EXCLUDE, group: G, sources: &[], aux_data: &[] },
        GroupRecordSpec {
            record_type: RecordType::ALLOW_NEW_SOURCES,
            group: Ipv4Addr::new(232, 1, 1, 1),
            sources: &srcs,
            aux_data: &[],
        },
    ];
    let mut inner: Vec<(&str, Outer, VxlanHeader, Vec<u8>)> = Vec::new();
    let mut b = [0u8; 256];
    let mut push =
        |name, o: Outer, v: VxlanHeader, n: usize, b: &[u8]| inner.push((name, o, v, b[..n].to_vec()));
    let n = arp(&mut b, &ArpSpec::request(H1, IP1, IP2)).unwrap();
    push("arp-request", o4, vx, n, &b);
    let n = arp(&mut b, &ArpSpec::reply(H2, IP2, H1, IP1)).unwrap();
    push("arp-reply", o4c, vx, n, &b);
    let n = arp(&mut b, &ArpSpec::gratuitous(H1, IP1)).unwrap();
    push("arp-garp", o6, vx, n, &b);
    let n = igmp(&mut b, &IgmpSpec::new(H1, IP1, IgmpMessage::V1Report { group: G })).unwrap();
    push("igmp-v1-report", o4, vx, n, &b);
    let n = igmp(&mut b, &IgmpSpec::new(H1, IP1, IgmpMessage::V2Report { group: G })).unwrap();
    push("igmp-v2-report", o4c, vx, n, &b);
    let n = igmp(&mut b, &IgmpSpec::new(H1, IP1, IgmpMessage::V2Leave { group: G })).unwrap();
    push("igmp-v2-leave", o4, vx, n, &b);
    let n = igmp(&mut b, &IgmpSpec::new(H1, IP1, IgmpMessage::V3Report { records: &recs })).unwrap();
    push("igmp-v3-report", o6, vx, n, &b);
    let q = IgmpMessage::V3Query {
        max_resp_code: 100,
        group: Ipv4Addr::new(232, 1, 1, 1),
        s_flag: false,
        qrv: 2,
        qqic: 125,
        sources: &srcs,
    };
    let n = igmp(&mut b, &IgmpSpec::new(H2, IP2, q)).unwrap();
    push("igmp-v3-query", o4c, vx, n, &b);
    let n = icmp_echo(&mut b, &EchoSpec::request(H1, H2, IP1, IP2, 0x77, 3, b"0123456789abcdef")).unwrap();
    push("icmp-echo", o4c, gbp, n, &b);
    inner
        .into_iter()
        .map(|(name, o, v, i)| {
            let mut f = vec![0u8; o.header_len() + i.len()];
            vxlan_frame(&mut f, &o, &v, &i).unwrap();
            (name, f)
        })
        .collect()
}

fn write_pcap(frames: &[(&str, Vec<u8>)], tag: &str) -> TempFile {
    let path = std::env::temp_dir().join(format!("vxwire-build-{tag}-{}.pcap", std::process::id()));
    let mut w = CaptureWriter::new(std::fs::File::create(&path).unwrap(), LinkType::Ethernet).unwrap();
    for (i, (_, f)) in frames.iter().enumerate() {
        w.write(vxwire::Timestamp::from_micros(1_700_000_000 + i as i64, 0), f).unwrap();
    }
    drop(w);
    TempFile(path)
}

const FIELDS: [&str; 14] = [
    "vxlan.vni",
    "vxlan.gbp",
    "arp.opcode",
    "arp.src.proto_ipv4",
    "igmp.type",
    "igmp.maddr",
    "igmp.num_grp_recs",
    "igmp.num_src",
    "ip.ttl",
    "ip.dsfield",
    "udp.srcport",
    "udp.dstport",
    "icmp.seq",
    "ipv6.dst",
];

#[test]
fn tshark_reads_our_fields_without_expert_warnings() {
    let Some(tshark) = tool("/usr/bin/tshark") else { return };
    let frames = frames();
    let f = write_pcap(&frames, "tshark");
    let checks = ["-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"];
    let mut args =
        vec!["-r", f.0.to_str().unwrap(), "-T", "fields", "-E", "separator=|", "-E", "occurrence=a"];
    for x in FIELDS {
        args.extend(["-e", x]);
    }
    let out = Command::new(tshark).args(&args).args(checks).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('|').collect()).collect();
    assert_eq!(rows.len(), frames.len(), "{text}");
    let col = |r: usize, name: &str| rows[r][FIELDS.iter().position(|f| *f == name).unwrap()];
    // Every frame: VXLAN with our VNI, source port in 49153..=65535, destination 4789.
    for (r, (name, _)) in frames.iter().enumerate() {
        let sport: u32 = col(r, "udp.srcport").parse().unwrap();
        assert!((49153..=65535).contains(&sport), "{name}: {sport}");
        assert_eq!(col(r, "udp.dstport"), "4789", "{name}");
        let want_vni = if *name == "icmp-echo" { "300" } else { "100" };
        assert_eq!(col(r, "vxlan.vni"), want_vni, "{name}");
    }
    let by = |name: &str| frames.iter().position(|(n, _)| *n == name).unwrap();
    assert_eq!(col(by("arp-request"), "arp.opcode"), "1");
    assert_eq!(col(by("arp-request"), "arp.src.proto_ipv4"), "10.0.0.1");
    assert_eq!(col(by("arp-reply"), "arp.opcode"), "2");
    assert_eq!(col(by("arp-reply"), "arp.src.proto_ipv4"), "10.0.0.2");
    assert_eq!(col(by("arp-garp"), "arp.opcode"), "1");
    assert_eq!(col(by("arp-garp"), "ipv6.dst"), "fd00:18::2");
    for (name, ty, maddr) in [
        ("igmp-v1-report", "0x12", "239.1.1.1"),
        ("igmp-v2-report", "0x16", "239.1.1.1"),
        ("igmp-v2-leave", "0x17", "239.1.1.1"),
        ("igmp-v3-query", "0x11", "232.1.1.1"),
    ] {
        let r = by(name);
        assert_eq!(col(r, "igmp.type"), ty, "{name}");
        assert_eq!(col(r, "igmp.maddr"), maddr, "{name}");
    }
    let r = by("igmp-v3-report");
    assert_eq!(col(r, "igmp.type"), "0x22");
    assert_eq!(col(r, "igmp.num_grp_recs"), "2");
    assert_eq!(col(r, "igmp.maddr"), "239.1.1.1,232.1.1.1");
    assert_eq!(col(r, "igmp.num_src"), "0,2");
    assert_eq!(col(by("igmp-v3-query"), "igmp.num_src"), "2");
    // Inner IGMP IPv4: TTL 1 and DSCP CS6 (ToS 0xc0) after the outer TTL 64 / ToS 0.
    for name in ["igmp-v1-report", "igmp-v2-report", "igmp-v2-leave", "igmp-v3-query"] {
        assert_eq!(col(by(name), "ip.ttl"), "64,1", "{name}");
        assert_eq!(col(by(name), "ip.dsfield"), "0x00,0xc0", "{name}");
    }
    let r = by("icmp-echo");
    assert_eq!(col(r, "vxlan.gbp"), "4660");
    assert_eq!(col(r, "icmp.seq"), "3");

    // Expert info with checksum validation on: no warnings or errors at all.
    let out = Command::new(tshark)
        .args(["-r", f.0.to_str().unwrap(), "-q", "-z", "expert,warn"])
        .args(checks)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(!text.contains("Warns (") && !text.contains("Errors ("), "tshark expert info:\n{text}");
    // And the verbose decode names every checksum it checked as good.
    let out = Command::new(tshark).args(["-r", f.0.to_str().unwrap(), "-V"]).args(checks).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("[Checksum Status: Bad]") && !text.contains("Malformed"), "{text}");
    // 12 checked checksums are reported Good (IPv4 headers, UDP over IPv6 and computed IPv4,
    // ICMP, IGMP); zero IPv4 UDP checksums are "Not present".
    assert!(text.matches("[Checksum Status: Good]").count() >= 12, "{text}");
}

#[test]
fn tcpdump_decodes_without_truncation_or_bad_checksums() {
    let Some(tcpdump) = tool("/usr/bin/tcpdump") else { return };
    let frames = frames();
    let f = write_pcap(&frames, "tcpdump");
    let out = Command::new(tcpdump).args(["-nn", "-v", "-r", f.0.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for bad in ["[|", "bad cksum", "bad igmp cksum", "wrong", "malformed", "truncated", "invalid"] {
        assert!(!text.contains(bad), "tcpdump printed {bad:?}:\n{text}");
    }
    assert_eq!(text.matches("VXLAN, flags [I] (0x08), vni 100").count(), 8, "{text}");
    assert_eq!(text.matches("vni 300").count(), 1, "{text}");
    assert!(text.contains("Request who-has 10.0.0.2 tell 10.0.0.1"), "{text}");
    assert!(text.contains("Reply 10.0.0.2 is-at 02:00:00:00:64:02"), "{text}");
    assert!(text.contains("Request who-has 10.0.0.1 tell 10.0.0.1"), "{text}");
    assert!(text.contains("igmp v1 report 239.1.1.1"), "{text}");
    assert!(text.contains("igmp v2 report 239.1.1.1"), "{text}");
    assert!(text.contains("igmp leave 239.1.1.1"), "{text}");
    assert!(text.contains("igmp v3 report, 2 group record(s)"), "{text}");
    assert!(text.contains("10.0.0.2 > 232.1.1.1: igmp query v3 [gaddr 232.1.1.1, 2 source(s)]"), "{text}");
    assert!(text.contains("ICMP echo request, id 119, seq 3, length 24"), "{text}");
    assert_eq!(text.matches("options (RA)").count(), 5, "{text}");
}
