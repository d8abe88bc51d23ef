//! ns/packet of `dissect` on VXLAN frames (outer + VXLAN + inner to layer 4) next to etherparse's
//! `SlicedPacket::from_ethernet` on the outer frame plus again on the inner frame: same bytes,
//! same run. Samples come from the kernel captures in testdata/ (a TCP segment, an ARP request and
//! an IGMPv3 report inside VXLAN).
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use vxwire::capture::CaptureReader;
use vxwire::dissect::{dissect, dissect_with, Config, Header, LinkType};
use vxwire::etherparse::{SlicedPacket, TransportSlice};

fn testdata(rel: &str) -> PathBuf {
    let here = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata")).join(rel);
    match std::env::var_os("VXWIRE_TESTDATA") {
        Some(d) if !here.exists() => PathBuf::from(d).join(rel),
        _ => here,
    }
}

/// The first frame of `file` whose innermost layer is `want`.
fn sample(file: &str, want: fn(&Header<'_>) -> bool) -> Vec<u8> {
    let mut r = CaptureReader::new(BufReader::new(File::open(testdata(file)).unwrap())).unwrap();
    while let Some(p) = r.next_packet() {
        let p = p.unwrap();
        let d = dissect(p.data, LinkType::Ethernet, &Config::default());
        if d.vxlan().is_some() && d.last().is_some_and(|l| want(&l.header)) {
            return p.data.to_vec();
        }
    }
    panic!("no sample in {file}");
}

/// etherparse on the outer frame, then on the inner frame after the 8-byte VXLAN header.
fn etherparse_twice(frame: &[u8]) -> usize {
    let outer = SlicedPacket::from_ethernet(frame).unwrap();
    let Some(TransportSlice::Udp(u)) = outer.transport else { return 0 };
    let inner = SlicedPacket::from_ethernet(&u.payload()[8..]).unwrap();
    usize::from(inner.transport.is_some()) + usize::from(inner.net.is_some())
}

fn bench(c: &mut Criterion) {
    let cfg = Config::default();
    let samples = [
        ("tcp", sample("vxlan-4789-p2p.pcap", |h| matches!(h, Header::Tcp(_)))),
        ("arp", sample("vxlan-4789-p2p.pcap", |h| matches!(h, Header::Arp(_)))),
        (
            "igmpv3",
            sample("vxlan-inner-igmp.pcap", |h| matches!(h, Header::Igmp(g) if g.v3_report().is_some())),
        ),
    ];
    for (name, frame) in &samples {
        let mut g = c.benchmark_group(*name);
        g.bench_function("vxwire_dissect", |b| {
            b.iter(|| {
                let d = dissect(black_box(frame), LinkType::Ethernet, &cfg);
                d.len()
            })
        });
        // The same walk, the result borrowed by a closure instead of returned (never moved).
        g.bench_function("vxwire_dissect_with", |b| {
            b.iter(|| dissect_with(black_box(frame), LinkType::Ethernet, &cfg, |d| d.len()))
        });
        g.bench_function("etherparse_outer_plus_inner", |b| b.iter(|| etherparse_twice(black_box(frame))));
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
