//! One test per Linux drop reason the vxlan receive path gives, and one per accepted variant,
//! every frame made with the builders.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use vxwire::build::{arp, icmp_echo, vxlan_frame, ArpSpec, EchoSpec, Outer, OuterIp};
use vxwire::check::{check, Device, DropReason, Miss, Mode, Verdict};
use vxwire::dissect::LinkType;
use vxwire::wire::vxlan::{Gbp, Vni, VxlanHeader};
use vxwire::MacAddr;

const DEV_MAC: MacAddr = MacAddr([0x02, 0, 0, 0, 0x64, 0xaa]);
const PEER_MAC: MacAddr = MacAddr([0x02, 0, 0, 0, 0x64, 0xbb]);
const VNIS: [Vni; 1] = [match Vni::new(100) {
    Some(v) => v,
    None => panic!(),
}];
const MACS: [MacAddr; 1] = [DEV_MAC];

fn dev() -> Device<'static> {
    Device::new(&VNIS, 4789, &MACS)
}

fn vni(n: u32) -> Vni {
    Vni::new(n).unwrap()
}

fn outer4() -> Outer {
    Outer::v4(
        MacAddr([0x02, 0, 0, 0, 0xa, 2]),
        MacAddr([0x02, 0, 0, 0, 0xa, 1]),
        Ipv4Addr::new(198, 18, 0, 2),
        Ipv4Addr::new(198, 18, 0, 1),
    )
}

fn outer6() -> Outer {
    Outer::v6(
        MacAddr([0x02, 0, 0, 0, 0xa, 2]),
        MacAddr([0x02, 0, 0, 0, 0xa, 1]),
        "fd00:18::2".parse().unwrap(),
        "fd00:18::1".parse().unwrap(),
    )
}

/// An inner ARP request from the peer.
fn arp_inner(src: MacAddr) -> Vec<u8> {
    let mut b = vec![0u8; 42];
    arp(&mut b, &ArpSpec::request(src, Ipv4Addr::new(10, 0, 0, 2), Ipv4Addr::new(10, 0, 0, 1))).unwrap();
    b
}

/// An inner ICMP echo with the given ToS (ECN in the low two bits).
fn echo_inner(tos: u8) -> Vec<u8> {
    let mut b = vec![0u8; 100];
    let mut spec = EchoSpec::request(
        PEER_MAC,
        DEV_MAC,
        Ipv4Addr::new(10, 0, 0, 2),
        Ipv4Addr::new(10, 0, 0, 1),
        1,
        1,
        &[7; 16],
    );
    spec.tos = tos;
    let n = icmp_echo(&mut b, &spec).unwrap();
    b.truncate(n);
    b
}

fn frame(outer: &Outer, vx: &VxlanHeader, inner: &[u8]) -> Vec<u8> {
    let mut b = vec![0xa5u8; outer.header_len() + inner.len()];
    let n = vxlan_frame(&mut b, outer, vx, inner).unwrap();
    assert_eq!(n, b.len());
    b
}

fn plain() -> Vec<u8> {
    frame(&outer4(), &VxlanHeader::new(vni(100)), &arp_inner(PEER_MAC))
}

fn judge(f: &[u8], d: &Device<'_>) -> Verdict {
    check(f, LinkType::Ethernet, d)
}

fn dropped(f: &[u8], d: &Device<'_>) -> DropReason {
    match judge(f, d) {
        Verdict::Drop(r) => r,
        v => panic!("expected a drop, got {v}"),
    }
}

/// Offset of the UDP header in an untagged IPv4 frame, and of the VXLAN header.
const UDP4: usize = 14 + 20;
const VX4: usize = UDP4 + 8;

// ----- accepted -----------------------------------------------------------------------------

#[test]
fn accepts_plain_ipv4_with_zero_udp_checksum() {
    assert_eq!(judge(&plain(), &dev()), Verdict::Accept);
}

#[test]
fn accepts_plain_ipv4_with_computed_udp_checksum() {
    let mut o = outer4();
    o.udp_checksum = true;
    let f = frame(&o, &VxlanHeader::new(vni(100)), &arp_inner(PEER_MAC));
    assert_ne!(&f[UDP4 + 6..UDP4 + 8], &[0, 0]);
    assert_eq!(judge(&f, &dev()), Verdict::Accept);
}

#[test]
fn accepts_ipv6_underlay() {
    let f = frame(&outer6(), &VxlanHeader::new(vni(100)), &echo_inner(0));
    assert_eq!(judge(&f, &dev()), Verdict::Accept);
}

#[test]
fn accepts_ipv6_zero_checksum_with_udp6zerocsumrx() {
    let mut f = frame(&outer6(), &VxlanHeader::new(vni(100)), &arp_inner(PEER_MAC));
    f[14 + 40 + 6..14 + 40 + 8].copy_from_slice(&[0, 0]);
    let d = Device { udp6_zero_csum_rx: true, ..dev() };
    assert_eq!(judge(&f, &d), Verdict::Accept);
}

#[test]
fn accepts_gbp_frame_on_gbp_device() {
    let vx = VxlanHeader::with_gbp(
        vni(100),
        Gbp { group_policy_id: 4660, dont_learn: true, policy_applied: true },
    );
    let f = frame(&outer4(), &vx, &arp_inner(PEER_MAC));
    assert_eq!(judge(&f, &Device { mode: Mode::Gbp, ..dev() }), Verdict::Accept);
    // GBP consumes all of bytes 1–3 (VXLAN_GBP_USED_BITS), reserved bits of byte 1 included,
    // and a plain frame (G clear) too.
    let mut vx2 = vx;
    vx2.gbp_flags.0 = 0xff;
    let f2 = frame(&outer4(), &vx2, &arp_inner(PEER_MAC));
    assert_eq!(judge(&f2, &Device { mode: Mode::Gbp, ..dev() }), Verdict::Accept);
    assert_eq!(judge(&plain(), &Device { mode: Mode::Gbp, ..dev() }), Verdict::Accept);
}

#[test]
fn accepts_gpe_frame_on_gpe_device() {
    // Flags 0x0c: I and P; next protocol 1 (IPv4); the inner packet is bare IPv4.
    let vx = VxlanHeader::parse(&[0x0c, 0, 0, 0x01, 0, 0, 100, 0]).unwrap().0;
    let inner = echo_inner(0);
    let mut o = outer4();
    o.dst_port = 4790;
    let f = frame(&o, &vx, &inner[14..]);
    let d = Device { mode: Mode::Gpe, port: 4790, ..dev() };
    assert_eq!(judge(&f, &d), Verdict::Accept);
}

#[test]
fn accepts_outer_ect_over_not_ect_inner_and_ce_over_ect() {
    // RFC 6040: ECT(0) outer over not-ECT inner is logged but accepted; CE over ECT(0) sets CE.
    let mut o = outer4();
    o.ip = match o.ip {
        OuterIp::V4 { src, dst, ttl, id, dont_fragment, .. } => {
            OuterIp::V4 { src, dst, tos: 0x02, ttl, id, dont_fragment }
        }
        ip => ip,
    };
    assert_eq!(judge(&frame(&o, &VxlanHeader::new(vni(100)), &echo_inner(0)), &dev()), Verdict::Accept);
    if let OuterIp::V4 { tos, .. } = &mut o.ip {
        *tos = 0x03;
    }
    assert_eq!(judge(&frame(&o, &VxlanHeader::new(vni(100)), &echo_inner(0x02)), &dev()), Verdict::Accept);
    // CE over a non-IP inner frame (ARP) has nothing to mark and is accepted.
    assert_eq!(judge(&frame(&o, &VxlanHeader::new(vni(100)), &arp_inner(PEER_MAC)), &dev()), Verdict::Accept);
}

#[test]
fn accepts_any_vni_when_external_and_tagged_underlay() {
    let mut o = outer4();
    o.vlan = Some(7);
    let f = frame(&o, &VxlanHeader::new(vni(4242)), &arp_inner(PEER_MAC));
    assert_eq!(judge(&f, &Device { external: true, ..dev() }), Verdict::Accept);
    assert_eq!(dropped(&f, &dev()), DropReason::VxlanVniNotFound);
}

#[test]
fn accepts_reserved_bit_cleared_by_reserved_bits_setting() {
    let mut vx = VxlanHeader::new(vni(100));
    vx.reserved = 0x01;
    let f = frame(&outer4(), &vx, &arp_inner(PEER_MAC));
    assert_eq!(dropped(&f, &dev()), DropReason::VxlanInvalidHdr);
    let mut bits = dev().default_reserved_bits();
    bits[7] = 0;
    assert_eq!(judge(&f, &Device { reserved_bits: Some(bits), ..dev() }), Verdict::Accept);
}

#[test]
fn accepts_multicast_inner_source_without_learning() {
    let f = frame(&outer4(), &VxlanHeader::new(vni(100)), &arp_inner(MacAddr::new(0x03, 0, 0, 0, 0, 1)));
    assert_eq!(judge(&f, &Device { learning: false, ..dev() }), Verdict::Accept);
}

// ----- dropped, one per reason ------------------------------------------------------------

#[test]
fn drop_vxlan_invalid_hdr_i_bit_clear() {
    let mut vx = VxlanHeader::new(vni(100));
    vx.flags.0 = 0x00;
    assert_eq!(dropped(&frame(&outer4(), &vx, &arp_inner(PEER_MAC)), &dev()), DropReason::VxlanInvalidHdr);
}

#[test]
fn drop_vxlan_invalid_hdr_reserved_bits_on_plain_device() {
    // GBP frame on a plain device, scapy's GPE-style 0x0c flags, every reserved bit (Suricata's case).
    let gbp =
        VxlanHeader::with_gbp(vni(100), Gbp { group_policy_id: 1, dont_learn: false, policy_applied: false });
    let gpe_style = VxlanHeader::parse(&[0x0c, 0, 0, 0, 0, 0, 100, 0]).unwrap().0;
    let all = VxlanHeader::parse(&[0xff, 0xff, 0xff, 0xff, 0, 0, 100, 0xff]).unwrap().0;
    for vx in [gbp, gpe_style, all] {
        let f = frame(&outer4(), &vx, &arp_inner(PEER_MAC));
        assert_eq!(dropped(&f, &dev()), DropReason::VxlanInvalidHdr, "{vx:?}");
        assert_eq!(DropReason::VxlanInvalidHdr.to_string(), "SKB_DROP_REASON_VXLAN_INVALID_HDR");
    }
    // On a GBP device, a reserved bit of byte 0 (not G) is still invalid.
    let mut vx = gbp;
    vx.flags.0 |= 0x01;
    let f = frame(&outer4(), &vx, &arp_inner(PEER_MAC));
    assert_eq!(dropped(&f, &Device { mode: Mode::Gbp, ..dev() }), DropReason::VxlanInvalidHdr);
}

#[test]
fn drop_vxlan_vni_not_found() {
    let f = frame(&outer4(), &VxlanHeader::new(vni(101)), &arp_inner(PEER_MAC));
    assert_eq!(dropped(&f, &dev()), DropReason::VxlanVniNotFound);
    // The VNI is looked up before the reserved bits are checked.
    let mut vx = VxlanHeader::new(vni(101));
    vx.reserved = 1;
    assert_eq!(dropped(&frame(&outer4(), &vx, &arp_inner(PEER_MAC)), &dev()), DropReason::VxlanVniNotFound);
}

#[test]
fn drop_local_mac() {
    let f = frame(&outer4(), &VxlanHeader::new(vni(100)), &arp_inner(DEV_MAC));
    assert_eq!(dropped(&f, &dev()), DropReason::LocalMac);
}

#[test]
fn drop_mac_invalid_source() {
    for src in [MacAddr::new(0x03, 0, 0, 0, 0, 1), MacAddr::ZERO] {
        let f = frame(&outer4(), &VxlanHeader::new(vni(100)), &arp_inner(src));
        assert_eq!(dropped(&f, &dev()), DropReason::MacInvalidSource);
    }
}

#[test]
fn drop_ip_tunnel_ecn() {
    for outer in [outer4(), outer6()] {
        let mut o = outer;
        match &mut o.ip {
            OuterIp::V4 { tos, .. } => *tos = 0x03,
            OuterIp::V6 { traffic_class, .. } => *traffic_class = 0x03,
        }
        let f = frame(&o, &VxlanHeader::new(vni(100)), &echo_inner(0));
        assert_eq!(dropped(&f, &dev()), DropReason::IpTunnelEcn);
    }
}

#[test]
fn drop_udp_csum() {
    let mut o = outer4();
    o.udp_checksum = true;
    let mut f = frame(&o, &VxlanHeader::new(vni(100)), &arp_inner(PEER_MAC));
    f[UDP4 + 6] ^= 0x01;
    assert_eq!(dropped(&f, &dev()), DropReason::UdpCsum);
    // A flipped payload bit under a valid-looking checksum.
    let mut g = frame(&outer6(), &VxlanHeader::new(vni(100)), &arp_inner(PEER_MAC));
    let last = g.len() - 1;
    g[last] ^= 0x10;
    assert_eq!(dropped(&g, &dev()), DropReason::UdpCsum);
    // IPv6 checksum 0 without udp6zerocsumrx.
    let mut h = frame(&outer6(), &VxlanHeader::new(vni(100)), &arp_inner(PEER_MAC));
    h[14 + 40 + 6..14 + 40 + 8].copy_from_slice(&[0, 0]);
    assert_eq!(dropped(&h, &dev()), DropReason::UdpCsum);
}

#[test]
fn drop_ip_csum_and_ip_inhdr() {
    let mut f = plain();
    f[14 + 10] ^= 0xff;
    assert_eq!(dropped(&f, &dev()), DropReason::IpCsum);
    let mut g = plain();
    g[14] = 0x44; // IHL 4
    assert_eq!(dropped(&g, &dev()), DropReason::IpInhdr);
}

#[test]
fn drop_pkt_too_small() {
    // The UDP length claims more than the packet holds.
    let mut o = outer4();
    o.udp_checksum = false;
    let f = plain();
    let mut g = f.clone();
    g[UDP4 + 4..UDP4 + 6].copy_from_slice(&(f.len() as u16).to_be_bytes());
    assert_eq!(dropped(&g, &dev()), DropReason::PktTooSmall);
    // Fewer than 8 bytes after UDP.
    let short = frame(&o, &VxlanHeader::new(vni(100)), &[]);
    let mut cut = short[..VX4 + 4].to_vec();
    cut[14 + 2..14 + 4].copy_from_slice(&((20 + 8 + 4) as u16).to_be_bytes());
    cut[UDP4 + 4..UDP4 + 6].copy_from_slice(&12u16.to_be_bytes());
    fix_ipv4_checksum(&mut cut);
    assert_eq!(dropped(&cut, &dev()), DropReason::PktTooSmall);
    // An inner IPv4 packet shorter than its 20-byte header.
    let inner = echo_inner(0);
    let f = frame(&o, &VxlanHeader::new(vni(100)), &inner[..14 + 10]);
    assert_eq!(dropped(&f, &dev()), DropReason::PktTooSmall);
}

#[test]
fn drop_nomem_inner_ethernet_cut() {
    let f = frame(&outer4(), &VxlanHeader::new(vni(100)), &arp_inner(PEER_MAC)[..10]);
    assert_eq!(dropped(&f, &dev()), DropReason::Nomem);
}

#[test]
fn drop_otherhost() {
    let underlay = [MacAddr::new(0x02, 0, 0, 0, 0xa, 0x99)];
    let d = Device { underlay_macs: &underlay, ..dev() };
    assert_eq!(dropped(&plain(), &d), DropReason::OtherHost);
    let ours = [MacAddr::new(0x02, 0, 0, 0, 0xa, 1)];
    assert_eq!(judge(&plain(), &Device { underlay_macs: &ours, ..dev() }), Verdict::Accept);
}

#[test]
fn drop_dev_ready() {
    assert_eq!(dropped(&plain(), &Device { up: false, ..dev() }), DropReason::DevReady);
}

#[test]
fn drop_not_specified_bad_gpe() {
    let d = Device { mode: Mode::Gpe, port: 4789, ..dev() };
    // P clear; version 1; O set; unknown next protocol 0x7f.
    for h in [
        [0x08, 0, 0, 1, 0, 0, 100, 0],
        [0x1c, 0, 0, 1, 0, 0, 100, 0],
        [0x0d, 0, 0, 1, 0, 0, 100, 0],
        [0x0c, 0, 0, 0x7f, 0, 0, 100, 0],
    ] {
        let vx = VxlanHeader::parse(&h).unwrap().0;
        let f = frame(&outer4(), &vx, &echo_inner(0)[14..]);
        assert_eq!(dropped(&f, &d), DropReason::NotSpecified, "{h:02x?}");
    }
}

// ----- not for the device -------------------------------------------------------------------

#[test]
fn not_for_device() {
    let mut o = outer4();
    o.dst_port = 8472;
    let f = frame(&o, &VxlanHeader::new(vni(100)), &arp_inner(PEER_MAC));
    assert_eq!(judge(&f, &dev()), Verdict::NotForDevice(Miss::Port));
    let mine = [IpAddr::V4(Ipv4Addr::new(198, 18, 0, 9)), IpAddr::V6(Ipv6Addr::LOCALHOST)];
    assert_eq!(judge(&plain(), &Device { local_ips: &mine, ..dev() }), Verdict::NotForDevice(Miss::Address));
    assert_eq!(judge(&arp_inner(PEER_MAC), &dev()), Verdict::NotForDevice(Miss::NotIp));
    assert_eq!(judge(&echo_inner(0), &dev()), Verdict::NotForDevice(Miss::NotUdp));
    let mut frag = plain();
    frag[14 + 6] = 0x20; // MF
    fix_ipv4_checksum(&mut frag);
    assert_eq!(judge(&frag, &dev()), Verdict::NotForDevice(Miss::Fragment));
}

fn fix_ipv4_checksum(f: &mut [u8]) {
    use vxwire::etherparse::checksum::Sum16BitWords;
    f[14 + 10..14 + 12].copy_from_slice(&[0, 0]);
    let s = Sum16BitWords::new().add_slice(&f[14..34]).ones_complement();
    f[14 + 10..14 + 12].copy_from_slice(&s.to_ne_bytes());
}

// ----- frames Linux VTEPs sent and accepted (testdata/, made in namespaces) ----------------

#[cfg(feature = "cli")]
fn vxlan_frames(name: &str) -> Vec<Vec<u8>> {
    use vxwire::capture::CaptureReader;
    let path = format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut r = CaptureReader::new(std::io::BufReader::new(std::fs::File::open(&path).unwrap())).unwrap();
    let mut out = Vec::new();
    while let Some(p) = r.next_packet() {
        let p = p.unwrap();
        let d = vxwire::dissect(p.data, LinkType::Ethernet, &Default::default());
        if d.vxlan().is_some() {
            out.push(p.data.to_vec());
        }
    }
    out
}

#[cfg(feature = "cli")]
#[test]
fn kernel_made_frames_are_accepted_by_a_matching_device() {
    // p2p: VNI 100 on 4789, outer UDP checksums computed by the kernel.
    let p2p = vxlan_frames("vxlan-4789-p2p.pcap");
    assert!(p2p.len() >= 10);
    let vnis = [vni(100)];
    let d = Device::new(&vnis, 4789, &[]);
    for f in &p2p {
        assert_eq!(judge(f, &d), Verdict::Accept);
    }
    // The same frames to a device serving VNI 200 are VNI_NOT_FOUND.
    let other = [vni(200)];
    assert_eq!(dropped(&p2p[0], &Device::new(&other, 4789, &[])), DropReason::VxlanVniNotFound);
    // GBP capture: every frame accepted by a gbp device; the ones with G set are invalid on a plain one.
    let gbp = vxlan_frames("vxlan-gbp.pcap");
    let vnis = [vni(300)];
    let g = Device { mode: Mode::Gbp, ..Device::new(&vnis, 4789, &[]) };
    let p = Device::new(&vnis, 4789, &[]);
    let mut with_g = 0;
    for f in &gbp {
        assert_eq!(judge(f, &g), Verdict::Accept);
        let d = vxwire::dissect(f, LinkType::Ethernet, &Default::default());
        if d.vxlan().unwrap().flags().g() {
            with_g += 1;
            assert_eq!(dropped(f, &p), DropReason::VxlanInvalidHdr);
        } else {
            assert_eq!(judge(f, &p), Verdict::Accept);
        }
    }
    assert!(with_g >= 8, "{with_g}");
    // flannel: VNI 1 on 8472 with outer UDP checksum 0.
    let fl = vxlan_frames("vxlan-8472-flannel.pcap");
    let vnis = [vni(1)];
    for f in &fl {
        assert_eq!(judge(f, &Device::new(&vnis, 8472, &[])), Verdict::Accept);
    }
    // IPv6 underlay, VNI 400.
    let v6 = vxlan_frames("vxlan-ipv6-underlay.pcap");
    assert!(!v6.is_empty());
    let vnis = [vni(400)];
    for f in &v6 {
        assert_eq!(judge(f, &Device::new(&vnis, 4789, &[])), Verdict::Accept);
    }
}
