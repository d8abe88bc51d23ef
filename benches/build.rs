//! How long building a complete VXLAN + ARP frame takes (inner ARP built in place, then the
//! outer Ethernet/IPv4/UDP/VXLAN written in front of it).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::net::Ipv4Addr;
use vxwire::build::{arp, encapsulate, vxlan_frame, ArpSpec, Outer};
use vxwire::wire::vxlan::{Vni, VxlanHeader};
use vxwire::MacAddr;

fn bench(c: &mut Criterion) {
    let outer = Outer::v4(
        MacAddr([2, 0, 0, 0, 0xa, 1]),
        MacAddr([2, 0, 0, 0, 0xa, 2]),
        Ipv4Addr::new(198, 18, 0, 1),
        Ipv4Addr::new(198, 18, 0, 2),
    );
    let mut csum = outer;
    csum.udp_checksum = true;
    let vx = VxlanHeader::new(Vni::new(100).unwrap());
    let spec =
        ArpSpec::request(MacAddr([2, 0, 0, 0, 0, 1]), Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2));
    let mut buf = [0u8; 128];
    c.bench_function("vxlan_arp_frame_in_place", |b| {
        b.iter(|| {
            let n = arp(&mut buf[outer.header_len()..], black_box(&spec)).unwrap();
            black_box(encapsulate(&mut buf, black_box(&outer), black_box(&vx), n).unwrap())
        })
    });
    c.bench_function("vxlan_arp_frame_in_place_udp_checksum", |b| {
        b.iter(|| {
            let n = arp(&mut buf[csum.header_len()..], black_box(&spec)).unwrap();
            black_box(encapsulate(&mut buf, black_box(&csum), black_box(&vx), n).unwrap())
        })
    });
    let mut inner = [0u8; 42];
    arp(&mut inner, &spec).unwrap();
    c.bench_function("vxlan_frame_copying_inner_arp", |b| {
        b.iter(|| {
            black_box(vxlan_frame(&mut buf, black_box(&outer), black_box(&vx), black_box(&inner)).unwrap())
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
