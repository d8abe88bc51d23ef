//! Replays every input kept in fuzz/regressions/<target>/ through the same code the fuzz target
//! runs, in the normal test suite, so a fixed crash stays fixed without a fuzzer.

#[path = "../fuzz/fuzz_targets/common.rs"]
mod common;
#[path = "../fuzz/fuzz_targets/roundtrip.rs"]
mod roundtrip;

use std::path::Path;
use vxwire::capture::CaptureReader;
use vxwire::print::text::TextPrinter;
use vxwire::print::PacketInfo;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions").join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut v: Vec<_> = entries
        .flatten()
        .map(|e| (e.path().display().to_string(), std::fs::read(e.path()).unwrap()))
        .collect();
    v.sort();
    v
}

/// Replays a `dissect`/`print_*` input: `opt` is the text printer's option byte (the print_text
/// target's first byte; the other targets print with every option set).
fn print_frame(data: &[u8], opts: &[u8]) {
    let (link, config, frame) = common::split(data);
    let d = vxwire::dissect(frame, link, &config);
    for l in d.layers() {
        assert!(l.offset <= frame.len());
    }
    let info = PacketInfo { n: 1, ts_sec: 0, ts_nsec: 0, caplen: frame.len(), len: frame.len() as u32 };
    let mut out = Vec::new();
    for &o in opts {
        let mut p = TextPrinter::new(common::text_options(o));
        p.write_packet(&mut out, &info, &d).unwrap();
        assert!(std::str::from_utf8(&out).is_ok());
        out.clear();
    }
    vxwire::print::json::write_packet(&mut out, &info, &d).unwrap();
    serde_json::from_slice::<serde_json::Value>(&out).unwrap();
}

#[test]
fn frame_targets() {
    let all: Vec<u8> = (0..=255).collect();
    for t in ["dissect", "print_json"] {
        for (name, data) in inputs(t) {
            eprintln!("replaying {name}");
            print_frame(&data, &all);
        }
    }
    for (name, data) in inputs("print_text") {
        eprintln!("replaying {name}");
        if let Some((&opt, rest)) = data.split_first() {
            print_frame(rest, &[opt]);
        }
    }
}

#[test]
fn protocol_targets() {
    for (name, data) in inputs("vxlan_parse") {
        eprintln!("replaying {name}");
        if let Ok((h, _)) = vxwire::wire::vxlan::VxlanHeader::parse(&data) {
            assert_eq!(&h.to_bytes()[..], &data[..8]);
        }
    }
    for (name, data) in inputs("igmp_parse") {
        eprintln!("replaying {name}");
        if let Ok(m) = vxwire::wire::igmp::IgmpSlice::from_slice(&data) {
            if let Some(r) = m.v3_report() {
                r.records().for_each(drop);
            }
            if let Some(q) = m.v3_query() {
                q.sources().for_each(drop);
            }
        }
    }
    for (name, data) in inputs("arp_parse") {
        eprintln!("replaying {name}");
        let _ = vxwire::wire::arp::ArpSlice::from_slice(&data);
    }
}

#[test]
fn capture_target() {
    for (name, data) in inputs("capture_read") {
        eprintln!("replaying {name}");
        let Ok(mut r) = CaptureReader::new(&data[..]) else { continue };
        let mut printer = TextPrinter::new(Default::default());
        while let Some(Ok(p)) = r.next_packet() {
            if let Some(link) = p.link_type() {
                let d = vxwire::dissect(p.data, link, &vxwire::Config::default());
                let info = PacketInfo { n: 1, caplen: p.data.len(), len: p.len, ..Default::default() };
                printer.write_packet(&mut Vec::new(), &info, &d).unwrap();
            }
        }
    }
}

#[test]
fn build_roundtrip_target() {
    for (name, data) in inputs("build_roundtrip") {
        eprintln!("replaying {name}");
        roundtrip::run(&data);
    }
    // Without a fuzzer: the same check on a few thousand pseudo-random descriptions (xorshift,
    // fixed seed), so that a change to a builder or the dissector that breaks the round trip
    // fails here too.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut data = vec![0u8; 512];
    for n in 0..3000 {
        for b in data.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        roundtrip::run(&data[..n % 512]);
    }
}

/// The replay must have something to replay once the fuzzers have found anything; until then
/// it at least checks that the directory layout the fuzz README documents exists.
#[test]
fn regressions_dir_exists() {
    assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/README.md").exists());
}
