//! Hostile input through the library and through the vxdump binary: frames cut at every byte,
//! length fields that lie, VXLAN nested past the cap, broken pcap/pcapng files. Nothing may
//! panic, every problem gets a specific message, the packets before a bad record still print,
//! the exit status is tcpdump's, and no allocation is sized by a length field from the file.
//!
//! The cut frames come from kernel-made captures in testdata/ (packet 3 of vxlan-4789-p2p.pcap:
//! VXLAN + ARP request, 92 bytes; packet 1 of vxlan-inner-igmp.pcap: VXLAN + IGMPv3 report,
//! 104 bytes) and tcpdump 4.99.3 is the reference for what a cut frame prints.

mod common;

use common::{require, testdata, Scratch};
use std::path::Path;
use std::process::Command;
use vxwire::dissect::{dissect, Config, LinkType};
use vxwire::MacAddr;
use vxwire::{ErrorKind, Proto};

const VXDUMP: &str = env!("CARGO_BIN_EXE_vxdump");
const TCPDUMP: &str = "/usr/bin/tcpdump";

/// A little-endian microsecond pcap global header.
fn pcap_header(snaplen: u32, linktype: u32) -> Vec<u8> {
    let mut v = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
    v.extend_from_slice(&[0; 8]);
    v.extend_from_slice(&snaplen.to_le_bytes());
    v.extend_from_slice(&linktype.to_le_bytes());
    v
}

/// One pcap record: timestamp 1.000000 + `n` s, `caplen` = data length, wire length `len`.
fn pcap_record(v: &mut Vec<u8>, n: u32, data: &[u8], len: u32) {
    v.extend_from_slice(&(1 + n).to_le_bytes());
    v.extend_from_slice(&0u32.to_le_bytes());
    v.extend_from_slice(&(data.len() as u32).to_le_bytes());
    v.extend_from_slice(&len.to_le_bytes());
    v.extend_from_slice(data);
}

/// The `idx`-th (1-based) frame of a little-endian pcap file.
fn frame_of(path: &Path, idx: usize) -> Vec<u8> {
    let d = std::fs::read(path).unwrap();
    assert_eq!(&d[..4], &[0xd4, 0xc3, 0xb2, 0xa1], "{}: not a LE pcap", path.display());
    let mut off = 24;
    for i in 1.. {
        let incl = u32::from_le_bytes(d[off + 8..off + 12].try_into().unwrap()) as usize;
        if i == idx {
            return d[off + 16..off + 16 + incl].to_vec();
        }
        off += 16 + incl;
    }
    unreachable!()
}

struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let o = cmd.env("TZ", "UTC").output().expect("run");
    let r = Run {
        status: o.status.code(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    };
    assert!(!r.stderr.contains("panicked"), "panic: {}", r.stderr);
    r
}

fn vxdump(path: &Path) -> Run {
    run(Command::new(VXDUMP).arg("-r").arg(path))
}

fn tcpdump(path: &Path) -> Run {
    run(Command::new(TCPDUMP).args(["-nn", "-v", "-r"]).arg(path))
}

/// The layer whose truncation the dissector reports for each cut length of the VXLAN+ARP frame:
/// (first cut length, layer) — outer Ethernet 0..14, IPv4 14..34, UDP 34..42, VXLAN 42..50,
/// inner Ethernet 50..64, ARP 64..92 (28 bytes), complete at 92.
const ARP_LAYERS: [(usize, Option<Proto>); 7] = [
    (0, Some(Proto::Ethernet)),
    (14, Some(Proto::Ipv4)),
    (34, Some(Proto::Udp)),
    (42, Some(Proto::Vxlan)),
    (50, Some(Proto::Ethernet)),
    (64, Some(Proto::Arp)),
    (92, None),
];

/// The same for VXLAN+IGMPv3: inner IPv4 with Router Alert 64..88 (24 bytes), IGMP 88..96
/// (the 8-byte fixed part; the view holds the rest, whose records the printer checks itself).
const IGMP_LAYERS: [(usize, Option<Proto>); 8] = [
    (0, Some(Proto::Ethernet)),
    (14, Some(Proto::Ipv4)),
    (34, Some(Proto::Udp)),
    (42, Some(Proto::Vxlan)),
    (50, Some(Proto::Ethernet)),
    (64, Some(Proto::Ipv4)),
    (88, Some(Proto::Igmp)),
    (96, None),
];

fn expected_layer(table: &[(usize, Option<Proto>)], k: usize) -> (usize, Option<Proto>) {
    *table.iter().rev().find(|(start, _)| *start <= k).unwrap()
}

fn check_cuts_in_library(frame: &[u8], table: &[(usize, Option<Proto>)]) {
    for k in 0..=frame.len() {
        let d = dissect(&frame[..k], LinkType::Ethernet, &Config::default());
        let (start, layer) = expected_layer(table, k);
        match (layer, d.error()) {
            (None, None) => {}
            (Some(p), Some(e)) => {
                assert_eq!((e.proto, e.kind), (p, ErrorKind::Truncated), "cut at {k}: {e:?}");
                assert_eq!(e.offset, start, "cut at {k}: {e:?}");
                assert_eq!(e.present, k - start, "cut at {k}: {e:?}");
                assert!(e.needed > e.present, "cut at {k}: {e:?}");
                // Every layer before the cut one was read.
                assert!(d.layers().all(|l| l.offset < start), "cut at {k}");
                assert!(d.layers().last().is_none_or(|l| l.offset < k), "cut at {k}");
            }
            (want, got) => panic!("cut at {k}: expected {want:?}, got {got:?}"),
        }
    }
}

#[test]
fn cut_vxlan_arp_and_igmpv3_frames_in_the_library() {
    let arp = testdata("vxlan-4789-p2p.pcap");
    let igmp = testdata("vxlan-inner-igmp.pcap");
    if !require(arp.exists() && igmp.exists(), "testdata captures") {
        return;
    }
    let f = frame_of(&arp, 3);
    assert_eq!(f.len(), 92);
    check_cuts_in_library(&f, &ARP_LAYERS);
    let f = frame_of(&igmp, 1);
    assert_eq!(f.len(), 104);
    check_cuts_in_library(&f, &IGMP_LAYERS);
}

/// Cut lengths where vxdump's text still differs from tcpdump 4.99.3's (checked against tcpdump
/// in the test below, so a fix shows up as a failure asking to shrink this list). None is left
/// since issue 14: caplen 0 prints `[Invalid header: caplen==0]`, an inner IPv4 header cut
/// inside its options prints its fields and `options (RA [truncated-option])`, an IGMP message
/// cut inside names its type (`igmp v3 report [|igmp]`), as tcpdump does.
const ARP_KNOWN_DIFF: &[std::ops::RangeInclusive<usize>] = &[];
const IGMP_KNOWN_DIFF: &[std::ops::RangeInclusive<usize>] = &[];

fn check_cuts_against_tcpdump(frame: &[u8], known: &[std::ops::RangeInclusive<usize>], tag: &str) {
    let s = Scratch::new(tag);
    let mut same = 0;
    for k in 0..=frame.len() {
        let mut v = pcap_header(262144, 1);
        pcap_record(&mut v, 0, &frame[..k], frame.len() as u32);
        let p = s.file(&format!("cut-{k}.pcap"), &v);
        let ours = vxdump(&p);
        let theirs = tcpdump(&p);
        assert_eq!(ours.status, Some(0), "cut at {k}: {}", ours.stderr);
        assert_eq!(theirs.status, Some(0), "cut at {k}");
        assert!(ours.stderr.is_empty(), "cut at {k}: {}", ours.stderr);
        if k < frame.len() {
            // A cut frame always ends with a truncation marker, like tcpdump's.
            assert!(ours.stdout.trim_end().ends_with(']'), "cut at {k}: {}", ours.stdout);
        }
        if ours.stdout == theirs.stdout {
            same += 1;
        } else {
            assert!(
                known.iter().any(|r| r.contains(&k)),
                "cut at {k}: vxdump\n{}tcpdump\n{}",
                ours.stdout,
                theirs.stdout
            );
        }
    }
    let listed: usize = known.iter().map(|r| r.clone().count()).sum();
    assert_eq!(same + listed, frame.len() + 1, "{tag}: a listed difference is gone: shrink the list");
}

#[test]
fn cut_frames_print_like_tcpdump() {
    let arp = testdata("vxlan-4789-p2p.pcap");
    let igmp = testdata("vxlan-inner-igmp.pcap");
    if !require(arp.exists() && igmp.exists() && Path::new(TCPDUMP).exists(), "testdata and tcpdump") {
        return;
    }
    check_cuts_against_tcpdump(&frame_of(&arp, 3), ARP_KNOWN_DIFF, "cut-arp");
    check_cuts_against_tcpdump(&frame_of(&igmp, 1), IGMP_KNOWN_DIFF, "cut-igmp");
}

/// Sets a big-endian u16 at `at` and fixes nothing else (checksums are left wrong on purpose:
/// a liar does not fix them either).
fn put16(f: &mut [u8], at: usize, v: u16) {
    f[at..at + 2].copy_from_slice(&v.to_be_bytes());
}

/// A copy of `base` with [`put16`] applied.
fn with16(base: &[u8], at: usize, v: u16) -> Vec<u8> {
    let mut f = base.to_vec();
    put16(&mut f, at, v);
    f
}

#[test]
fn length_fields_that_lie() {
    let arp = testdata("vxlan-4789-p2p.pcap");
    let igmp = testdata("vxlan-inner-igmp.pcap");
    if !require(arp.exists() && igmp.exists() && Path::new(TCPDUMP).exists(), "testdata and tcpdump") {
        return;
    }
    let a = frame_of(&arp, 3);
    let g = frame_of(&igmp, 1);
    let mut aux_past_end = g.clone();
    aux_past_end[96 + 1] = 255;
    let cases: [(&str, Vec<u8>); 8] = [
        // Outer IPv4 total length past the capture (78 -> 1400).
        ("ipv4-total-length-past-capture", with16(&a, 14 + 2, 1400)),
        // Outer IPv4 total length shorter than its own header (78 -> 12).
        ("ipv4-total-length-below-header", with16(&a, 14 + 2, 12)),
        // UDP length longer than the datagram (58 -> 4000) and shorter than the header (58 -> 5).
        ("udp-length-too-long", with16(&a, 34 + 4, 4000)),
        ("udp-length-below-header", with16(&a, 34 + 4, 5)),
        // UDP length shorter than the VXLAN payload: 8 + 8 + 14 (the ARP body is cut off by it).
        ("udp-length-too-short", with16(&a, 34 + 4, 30)),
        // IGMPv3 report: record count 65535 (IGMP at 88: bytes 6-7), the first record's source
        // count 65535 (record at 96: bytes 2-3), aux data length 255 words (record byte 1).
        ("igmpv3-65535-records", with16(&g, 88 + 6, 65535)),
        ("igmpv3-65535-sources", with16(&g, 96 + 2, 65535)),
        ("igmpv3-aux-past-end", aux_past_end),
    ];

    let s = Scratch::new("liars");
    for (name, f) in &cases {
        // The library: the dissection stops with a typed error or reads only what is there.
        let d = dissect(f, LinkType::Ethernet, &Config::default());
        for l in d.layers() {
            assert!(l.offset <= f.len() && l.payload.len() <= f.len(), "{name}");
        }
        if let Some(e) = d.error() {
            assert!(e.offset <= f.len(), "{name}: {e:?}");
            assert!(!e.to_string().is_empty());
        }
        if name.starts_with("ipv4-total-length-below") {
            let e = d.error().expect("error");
            assert_eq!(
                (e.proto, e.kind, e.needed, e.present, e.offset),
                (Proto::Ipv4, ErrorKind::BadLength, 20, 12, 14)
            );
        }
        if name.starts_with("udp-length-below") {
            let e = d.error().expect("error");
            assert_eq!(
                (e.proto, e.kind, e.needed, e.present, e.offset),
                (Proto::Udp, ErrorKind::BadLength, 8, 5, 34)
            );
        }
        if name.starts_with("igmpv3") {
            // The iterators end within the message whatever the counts say.
            let Some(vxwire::dissect::Header::Igmp(m)) = d.last().map(|l| l.header.clone()) else {
                panic!("{name}: no IGMP layer")
            };
            let r = m.v3_report().expect("v3 report");
            let mut n = 0;
            for rec in r.records() {
                n += 1;
                assert!(rec.sources().take(100_000).count() <= 65535);
            }
            assert!(n <= 2, "{name}: {n} records from a 16-byte message");
        }
        // The binary: one packet, exit 0, no panic, and tcpdump's text.
        let mut v = pcap_header(262144, 1);
        pcap_record(&mut v, 0, f, f.len() as u32);
        let p = s.file(&format!("{name}.pcap"), &v);
        let ours = vxdump(&p);
        assert_eq!(ours.status, Some(0), "{name}: {}", ours.stderr);
        assert_eq!(ours.stdout.matches("19:").count(), 0, "{name}: time is 00:00:01");
        assert!(ours.stdout.starts_with("00:00:01.000000 "), "{name}: {}", ours.stdout);
        let theirs = tcpdump(&p);
        eprintln!("{name}:\n  vxdump:  {:?}\n  tcpdump: {:?}", ours.stdout, theirs.stdout);
        // A UDP length too short for the inner frame included: tcpdump's Ethernet printer
        // compares the UDP-bounded length with the bytes up to the IP end and prints
        // `[length 14 < caplen 42] (invalid)`, and so does vxdump since issue 14.
        assert_eq!(ours.stdout, theirs.stdout, "{name}");
    }
}

/// A VXLAN-in-VXLAN chain `levels` deep around an ARP request, all on UDP 4789.
fn nested_vxlan(levels: usize) -> Vec<u8> {
    use std::net::Ipv4Addr;
    use vxwire::build::{arp, vxlan_frame, ArpSpec, Outer, SrcPort};
    use vxwire::wire::vxlan::{Vni, VxlanHeader};
    let mut frame = vec![0u8; 64];
    let n = arp(
        &mut frame,
        &ArpSpec::request(
            MacAddr([2, 0, 0, 0, 0, 1]),
            Ipv4Addr::new(10, 0, 0, 1),
            Ipv4Addr::new(10, 0, 0, 2),
        ),
    )
    .unwrap();
    frame.truncate(n);
    for level in 0..levels {
        let mut outer = Outer::v4(
            MacAddr([2, 0, 0, 0, 1, level as u8]),
            MacAddr([2, 0, 0, 0, 2, level as u8]),
            Ipv4Addr::new(198, 18, 0, 1 + level as u8),
            Ipv4Addr::new(198, 19, 0, 1 + level as u8),
        );
        outer.src_port = SrcPort::Fixed(50000 + level as u16);
        let mut buf = vec![0u8; frame.len() + outer.header_len()];
        let vni = Vni::new(100 + level as u32).unwrap();
        let n = vxlan_frame(&mut buf, &outer, &VxlanHeader::new(vni), &frame).unwrap();
        buf.truncate(n);
        frame = buf;
    }
    frame
}

#[test]
fn vxlan_nested_deeper_than_the_cap() {
    let cap = Config::default().max_depth;
    assert_eq!(cap, 4);
    // At the cap: every level decoded down to the ARP.
    let f = nested_vxlan(4);
    let d = dissect(&f, LinkType::Ethernet, &Config::default());
    assert!(d.error().is_none(), "{:?}", d.error());
    assert_eq!(d.last().map(|l| l.header.proto()), Some(Proto::Arp));
    // One more level: the fifth VXLAN header is refused with TooDeep at its offset.
    let f = nested_vxlan(5);
    let d = dissect(&f, LinkType::Ethernet, &Config::default());
    let e = *d.error().expect("TooDeep");
    assert_eq!((e.proto, e.kind, e.needed, e.present), (Proto::Vxlan, ErrorKind::TooDeep, 5, 4));
    assert_eq!(
        e.offset,
        4 * 50 + 42,
        "the fifth VXLAN header follows four 50-byte outer stacks and a UDP header"
    );
    assert_eq!(e.to_string(), "VXLAN header nested too deep (depth 5, cap 4)");

    // vxdump: tcpdump has no cap and decodes all five levels; vxdump prints the four levels it
    // decoded like tcpdump, then ` [|vxlan]` where tcpdump goes on with the fifth. Documented in
    // docs/hostile-input.md.
    if !require(Path::new(TCPDUMP).exists(), "tcpdump") {
        return;
    }
    let s = Scratch::new("deep");
    let mut v = pcap_header(262144, 1);
    pcap_record(&mut v, 0, &f, f.len() as u32);
    let p = s.file("deep.pcap", &v);
    let ours = vxdump(&p);
    let theirs = tcpdump(&p);
    assert_eq!(ours.status, Some(0));
    eprintln!("vxdump:\n{}\ntcpdump:\n{}", ours.stdout, theirs.stdout);
    assert_eq!(theirs.stdout.matches("VXLAN, flags [I] (0x08), vni").count(), 5);
    assert_eq!(ours.stdout.matches("VXLAN, flags [I] (0x08), vni").count(), 4);
    // Up to the fifth VXLAN header the two agree line for line.
    let cut = theirs.stdout.rfind("VXLAN, flags").unwrap();
    let prefix = &theirs.stdout[..cut];
    assert!(ours.stdout.starts_with(prefix), "vxdump:\n{}\ntcpdump prefix:\n{prefix}", ours.stdout);
    assert_eq!(&ours.stdout[cut..], "VXLAN [|vxlan]\n");
}

/// Two good records from the ARP capture, then `tail`, in a file whose header says `snaplen`.
fn two_good_then(snaplen: u32, tail: &[u8]) -> Vec<u8> {
    let a = frame_of(&testdata("vxlan-4789-p2p.pcap"), 3);
    let mut v = pcap_header(snaplen, 1);
    pcap_record(&mut v, 0, &a, a.len() as u32);
    pcap_record(&mut v, 1, &a, a.len() as u32);
    v.extend_from_slice(tail);
    v
}

/// vxdump's peak RSS in KiB (GNU time's %M) and its result.
fn vxdump_rss(path: &Path) -> (u64, Run) {
    let r = run(Command::new("/usr/bin/time").args(["-f", "RSS %M"]).arg(VXDUMP).arg("-r").arg(path));
    let line = r.stderr.lines().find(|l| l.starts_with("RSS ")).expect("time output").to_owned();
    let kib = line[4..].trim().parse().unwrap();
    let stderr = r
        .stderr
        .lines()
        .filter(|l| !l.starts_with("RSS ") && !l.starts_with("Command exited with non-zero status"))
        .collect::<Vec<_>>()
        .join("\n");
    (kib, Run { stderr, ..r })
}

#[test]
fn broken_pcap_files() {
    if !require(
        testdata("vxlan-4789-p2p.pcap").exists() && Path::new("/usr/bin/time").exists(),
        "testdata and /usr/bin/time",
    ) {
        return;
    }
    let s = Scratch::new("pcap");
    let a = frame_of(&testdata("vxlan-4789-p2p.pcap"), 3);

    // A record claiming 200 MiB with 100 bytes behind it. With the usual snaplen it is refused
    // by the snaplen check; in a file whose snaplen allows it (256 MiB) the reader must find the
    // data missing without allocating 200 MiB first.
    let mut rec = Vec::new();
    rec.extend_from_slice(&[3, 0, 0, 0, 0, 0, 0, 0]);
    rec.extend_from_slice(&(200u32 << 20).to_le_bytes());
    rec.extend_from_slice(&(200u32 << 20).to_le_bytes());
    rec.extend_from_slice(&[0x55; 100]);
    let p = s.file("claims-200mib-snaplen.pcap", &two_good_then(262144, &rec));
    let (kib, r) = vxdump_rss(&p);
    assert!(kib < 50 * 1024, "peak RSS {kib} KiB for a 200 MiB claim");
    assert_eq!(r.status, Some(1));
    assert_eq!(r.stdout.lines().filter(|l| l.starts_with("00:00:0")).count(), 2, "{}", r.stdout);
    assert_eq!(
        r.stderr,
        format!(
            "vxdump: {}: packet 3: bad dump file: invalid packet capture length 209715200, bigger than snaplen of 262144",
            p.display()
        )
    );
    let p = s.file("claims-200mib.pcap", &two_good_then(256 << 20, &rec));
    let (kib, r) = vxdump_rss(&p);
    assert!(kib < 50 * 1024, "peak RSS {kib} KiB for a 200 MiB claim");
    assert_eq!(r.status, Some(1));
    assert_eq!(r.stdout.lines().filter(|l| l.starts_with("00:00:0")).count(), 2, "{}", r.stdout);
    assert_eq!(
        r.stderr,
        format!(
            "vxdump: {}: packet 3: truncated dump file; tried to read {} captured bytes, only got 100",
            p.display(),
            200u32 << 20
        )
    );

    // Over the 256 MiB limit: refused before reading.
    let mut rec = Vec::new();
    rec.extend_from_slice(&[3, 0, 0, 0, 0, 0, 0, 0]);
    rec.extend_from_slice(&(300u32 << 20).to_le_bytes());
    rec.extend_from_slice(&(300u32 << 20).to_le_bytes());
    let p = s.file("over-256mib.pcap", &two_good_then(u32::MAX, &rec));
    let (kib, r) = vxdump_rss(&p);
    assert!(kib < 50 * 1024, "peak RSS {kib} KiB");
    assert_eq!(r.status, Some(1));
    assert_eq!(r.stdout.lines().filter(|l| l.starts_with("00:00:0")).count(), 2);
    assert_eq!(
        r.stderr,
        format!(
            "vxdump: {}: packet 3: bad dump file: record length 314572800 over the 256 MiB limit",
            p.display()
        )
    );

    // A record header cut after 7 of 16 bytes.
    let p = s.file("cut-record-header.pcap", &two_good_then(262144, &[1, 2, 3, 4, 5, 6, 7]));
    let r = vxdump(&p);
    assert_eq!(r.status, Some(1));
    assert_eq!(r.stdout.lines().filter(|l| l.starts_with("00:00:0")).count(), 2);
    assert_eq!(
        r.stderr.trim_end(),
        format!(
            "vxdump: {}: packet 3: truncated dump file; tried to read 16 header bytes, only got 7",
            p.display()
        )
    );

    // Bad magic, truncated global header, empty file: one line, nothing printed.
    for (name, bytes, msg) in [
        (
            "bad-magic.pcap",
            b"\x0b\xad\xf0\x0dnot a capture at all, just text".to_vec(),
            "unknown file format (magic 0badf00d, not pcap or pcapng)",
        ),
        ("short-header.pcap", pcap_header(65535, 1)[..20].to_vec(), "truncated dump file header"),
        ("empty.pcap", Vec::new(), "empty file: no capture file header"),
    ] {
        let p = s.file(name, &bytes);
        let r = vxdump(&p);
        assert_eq!(r.status, Some(1), "{name}");
        assert!(r.stdout.is_empty(), "{name}: {}", r.stdout);
        assert_eq!(r.stderr.trim_end(), format!("vxdump: {}: {msg}", p.display()), "{name}");
    }

    // Snaplen 0 in the global header (tcpdump reads such files: libpcap takes 0 as "no limit"):
    // the records print.
    let mut v = pcap_header(0, 1);
    pcap_record(&mut v, 0, &a, a.len() as u32);
    let p = s.file("snaplen0.pcap", &v);
    let r = vxdump(&p);
    assert_eq!(r.status, Some(0), "{}", r.stderr);
    if Path::new(TCPDUMP).exists() {
        assert_eq!(r.stdout, tcpdump(&p).stdout);
    }
    assert!(
        r.stdout.contains("ARP, Ethernet (len 6), IPv4 (len 4), Request who-has 10.100.0.2"),
        "{}",
        r.stdout
    );
}

/// A pcapng block: type, total length, body (padded to 4), total length.
fn block(ty: u32, body: &[u8]) -> Vec<u8> {
    let pad = (4 - body.len() % 4) % 4;
    let len = (12 + body.len() + pad) as u32;
    let mut v = ty.to_le_bytes().to_vec();
    v.extend_from_slice(&len.to_le_bytes());
    v.extend_from_slice(body);
    v.extend(std::iter::repeat_n(0, pad));
    v.extend_from_slice(&len.to_le_bytes());
    v
}

fn pcapng_start() -> Vec<u8> {
    // SHB: byte-order magic, version 1.0, section length unknown.
    let mut shb = 0x1a2b_3c4du32.to_le_bytes().to_vec();
    shb.extend_from_slice(&[1, 0, 0, 0]);
    shb.extend_from_slice(&u64::MAX.to_le_bytes());
    let mut v = block(0x0a0d_0d0a, &shb);
    // IDB: Ethernet, snaplen 262144.
    let mut idb = vec![1, 0, 0, 0];
    idb.extend_from_slice(&262144u32.to_le_bytes());
    v.extend(block(1, &idb));
    v
}

fn epb(n: u32, frame: &[u8]) -> Vec<u8> {
    let mut b = 0u32.to_le_bytes().to_vec();
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&((1 + n) * 1_000_000).to_le_bytes());
    b.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    b.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    b.extend_from_slice(frame);
    block(6, &b)
}

#[test]
fn pcapng_with_unknown_and_corrupt_blocks() {
    if !require(testdata("vxlan-4789-p2p.pcap").exists(), "testdata") {
        return;
    }
    let s = Scratch::new("pcapng");
    let a = frame_of(&testdata("vxlan-4789-p2p.pcap"), 3);

    // An unknown block type between two packets is skipped, as tcpdump does.
    let mut v = pcapng_start();
    v.extend(epb(0, &a));
    v.extend(block(0x0bad_0001, &[1, 2, 3, 4, 5, 6, 7, 8]));
    v.extend(epb(1, &a));
    let p = s.file("unknown-block.pcapng", &v);
    let r = vxdump(&p);
    assert_eq!(r.status, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout.matches("ARP, Ethernet").count(), 2, "{}", r.stdout);
    if Path::new(TCPDUMP).exists() {
        assert_eq!(r.stdout, tcpdump(&p).stdout);
    }

    // Corrupt: a block length that is not a multiple of 4, one under 12, one of 300 MiB, and a
    // block cut short. The packet before prints, then one line and exit 1.
    for (name, tail, msg) in [
        (
            "len-not-multiple-of-4",
            {
                let mut b = block(0x0bad_0002, &[0; 8]);
                b[4..8].copy_from_slice(&22u32.to_le_bytes());
                b
            },
            "bad dump file: pcapng block length 22 is not a multiple of 4 of at least 12".to_owned(),
        ),
        (
            "len-under-12",
            {
                let mut b = block(6, &[0; 8]);
                b[4..8].copy_from_slice(&8u32.to_le_bytes());
                b
            },
            "bad dump file: pcapng block length 8 is not a multiple of 4 of at least 12".to_owned(),
        ),
        (
            "len-300mib",
            {
                let mut b = block(6, &[0; 8]);
                b[4..8].copy_from_slice(&(300u32 << 20).to_le_bytes());
                b
            },
            "bad dump file: pcapng block length 314572800 over the 256 MiB limit".to_owned(),
        ),
        (
            "block-cut-short",
            epb(1, &a)[..60].to_vec(),
            "truncated dump file; tried to read 124 header bytes, only got 60".to_owned(),
        ),
    ] {
        let mut v = pcapng_start();
        v.extend(epb(0, &a));
        v.extend(tail);
        let p = s.file(&format!("{name}.pcapng"), &v);
        let (kib, r) = vxdump_rss(&p);
        assert!(kib < 50 * 1024, "{name}: peak RSS {kib} KiB");
        assert_eq!(r.status, Some(1), "{name}");
        assert_eq!(r.stdout.matches("ARP, Ethernet").count(), 1, "{name}: {}", r.stdout);
        assert_eq!(r.stderr.trim_end(), format!("vxdump: {}: packet 2: {msg}", p.display()), "{name}");
    }
}
