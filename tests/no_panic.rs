//! Property tests: no input makes the core panic, and every layer it reports lies inside the input.

use proptest::prelude::*;
use vxwire::dissect::{cannot_carry_vni, dissect, Config, Dissection, Header, LinkType, PortSet};
use vxwire::wire::icmpv6::{self, Icmpv6Message, NdOption};
use vxwire::wire::igmp::IgmpSlice;
use vxwire::wire::vxlan::{VxlanHeader, VxlanSlice};
use vxwire::wire::vxlan_gpe::VxlanGpeSlice;

const LINKS: [LinkType; 6] = LinkType::ALL;

/// Valid outer Ethernet/IP/UDP(4789)/VXLAN prefixes, so that random tails exercise the inner
/// layers: tcpdump's vxlan.pcap packet 1 (first 50 bytes, IPv4, VNI 100) and
/// testdata/vxlan-ipv6-underlay.pcap packet 3 (first 70 bytes, IPv6, VNI 400).
const VXLAN4: &str =
    "00163e0871cf36dc851eb340080045000086d2c0400040115152c0a8cb01c0a8ca01b05d12b5007200000800000000006400";
const VXLAN6: &str = "02000018060202000018060186dd60000000003a1140fd000018000000000000000000000001fd000018000000000000000000000002df3e12b5003a44ef0800000000019000";

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn configs() -> impl Strategy<Value = Config> {
    (prop::collection::vec(any::<u16>(), 0..20), prop::collection::vec(any::<u16>(), 0..4), 0u8..6).prop_map(
        |(vx, gpe, depth)| {
            let mut c = Config { vxlan_ports: PortSet::new(), gpe_ports: PortSet::new(), max_depth: depth };
            for p in vx {
                c.vxlan_ports.insert(p);
            }
            for p in gpe {
                c.gpe_ports.insert(p);
            }
            c
        },
    )
}

/// Every layer's offset, header and payload lie inside the input, in order, and each payload
/// borrows the input; walking every view's getters does not panic.
fn check(data: &[u8], d: &Dissection<'_>) {
    let base = data.as_ptr() as usize;
    let mut last = 0;
    for (i, l) in d.layers().enumerate() {
        assert!(l.offset <= data.len(), "offset {} past {}", l.offset, data.len());
        assert!(l.offset >= last, "offsets go backwards");
        last = l.offset;
        let p = l.payload.as_ptr() as usize;
        assert!(l.payload.is_empty() || (p >= base && p + l.payload.len() <= base + data.len()));
        let _ = d.checksum(i);
        match &l.header {
            Header::Igmp(g) => walk_igmp(*g),
            Header::Icmpv6(m) => walk_icmpv6(m.slice()),
            Header::Vxlan(v) => {
                let _ = (v.gbp(), v.vni(), v.header());
            }
            Header::VxlanGpe(v) => {
                let _ = (v.header(), v.next_proto());
            }
            _ => {}
        }
    }
    assert!(d.len() <= vxwire::dissect::MAX_LAYERS);
    let _ = d.remaining();
    if let Some(e) = d.error() {
        assert!(e.offset <= data.len());
        let _ = e.to_string();
    }
}

fn walk_igmp(g: IgmpSlice<'_>) {
    let _ = (g.version(), g.group(), g.checksum_valid());
    if let Some(q) = g.v3_query() {
        let mut it = q.sources();
        let n = it.by_ref().count();
        // Every address counted is there, or the iterator says where the message ended.
        assert!(
            n == usize::from(q.num_sources())
                || (n < usize::from(q.num_sources()) && it.truncation().is_some())
        );
    }
    if let Some(r) = g.v3_report() {
        let mut it = r.records();
        for rec in it.by_ref() {
            // A whole record holds all of its sources.
            let mut s = rec.sources();
            assert_eq!(s.by_ref().count(), usize::from(rec.num_sources));
            assert!(s.truncation().is_none());
        }
        assert!(it.truncation().is_some() || it.next().is_none());
    }
}

fn walk_icmpv6(m: &[u8]) {
    let Ok(msg) = icmpv6::parse(m) else { return };
    let opts = |it: icmpv6::NdOptionIter<'_>| {
        for o in it.flatten() {
            if let NdOption::Rdnss { servers, .. } = o {
                let _ = servers.count();
            }
        }
    };
    match msg {
        Icmpv6Message::RouterSolicitation(v) => opts(v.options()),
        Icmpv6Message::RouterAdvertisement(v) => {
            let _ = (v.router_lifetime(), v.reachable_time(), v.retrans_timer());
            opts(v.options())
        }
        Icmpv6Message::NeighborSolicitation(v) => opts(v.options()),
        Icmpv6Message::NeighborAdvertisement(v) => opts(v.options()),
        Icmpv6Message::Redirect(v) => {
            let _ = v.destination();
            opts(v.options())
        }
        Icmpv6Message::Mld2Query(q) => {
            let mut it = q.sources();
            let n = it.by_ref().count();
            assert!(
                n == usize::from(q.num_sources())
                    || (n < usize::from(q.num_sources()) && it.truncation().is_some())
            );
        }
        Icmpv6Message::Mld2Report(r) => {
            for rec in r.records() {
                let mut s = rec.sources();
                assert_eq!(s.by_ref().count(), usize::from(rec.num_sources));
                assert!(s.truncation().is_none());
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn dissect_arbitrary_bytes(data in prop::collection::vec(any::<u8>(), 0..300), link in 0usize..6, c in configs()) {
        let d = dissect(&data, LINKS[link], &c);
        check(&data, &d);
    }

    #[test]
    fn dissect_vxlan_prefix_and_random_tail(tail in prop::collection::vec(any::<u8>(), 0..200), v6 in any::<bool>(), cut in 0usize..120) {
        let mut data = unhex(if v6 { VXLAN6 } else { VXLAN4 });
        data.truncate(data.len().saturating_sub(cut % 40));
        data.extend_from_slice(&tail);
        for c in [Config::default(), Config { max_depth: 1, ..Config::default() }] {
            let d = dissect(&data, LinkType::Ethernet, &c);
            check(&data, &d);
            if cut % 40 == 0 {
                prop_assert!(d.vxlan().is_some());
            }
        }
    }

    /// `vxdump --vni` skips frames for which `cannot_carry_vni` says so without dissecting them:
    /// that must never hide a frame whose dissection holds a wanted VNI. The frames here nest a
    /// second VXLAN/GPE header (or not) behind inner IPv4/IPv6/ARP with chosen protocols and
    /// ports, then get cut anywhere.
    #[test]
    fn vni_prefilter_never_hides_a_match(
        v6_outer in any::<bool>(),
        inner_type in prop::sample::select(vec![0x0800u16, 0x86dd, 0x0806, 0x8035, 0x8100]),
        proto in prop::sample::select(vec![1u8, 2, 6, 17, 47]),
        sport in prop::sample::select(vec![4789u16, 8472, 4790, 53, 50000]),
        dport in prop::sample::select(vec![4789u16, 8472, 4790, 53, 50000]),
        vni2 in 0u32..4,
        tail in prop::collection::vec(any::<u8>(), 0..80),
        cut in 0usize..160,
        wanted in prop::sample::select(vec![vec![100u32], vec![400], vec![2], vec![3, 100], vec![7]]),
    ) {
        let mut data = unhex(if v6_outer { VXLAN6 } else { VXLAN4 });
        data.extend_from_slice(&[2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]);
        data.extend_from_slice(&inner_type.to_be_bytes());
        let l4 = 8 + 8 + 14 + tail.len();
        match inner_type {
            0x0800 => {
                let total = (20 + l4) as u16;
                data.extend_from_slice(&[0x45, 0, (total >> 8) as u8, total as u8, 0, 0, 0, 0, 64, proto, 0, 0]);
                data.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2]);
            }
            0x86dd => {
                data.extend_from_slice(&[0x60, 0, 0, 0, (l4 >> 8) as u8, l4 as u8, proto, 64]);
                data.extend_from_slice(&[0xfd; 32]);
            }
            _ => {}
        }
        data.extend_from_slice(&sport.to_be_bytes());
        data.extend_from_slice(&dport.to_be_bytes());
        data.extend_from_slice(&[0, l4 as u8, 0, 0]);
        data.extend_from_slice(&[0x0c, 0, 0, 3, 0, 0, vni2 as u8, 0]); // I and P bits: VXLAN or GPE (Ethernet)
        data.extend_from_slice(&[2, 0, 0, 0, 0, 4, 2, 0, 0, 0, 0, 3, 0x08, 0x06]);
        data.extend_from_slice(&tail);
        data.truncate(data.len().saturating_sub(cut));
        let c = Config::default();
        let d = dissect(&data, LinkType::Ethernet, &c);
        let has = d.layers().any(|l| match l.header {
            Header::Vxlan(v) => wanted.contains(&v.vni().get()),
            Header::VxlanGpe(v) => wanted.contains(&v.vni().get()),
            _ => false,
        });
        if cannot_carry_vni(&data, LinkType::Ethernet, &c, &wanted) {
            prop_assert!(!has, "skipped a frame with VNI {:?}", wanted);
        }
    }

    #[test]
    fn inner_frames_of_every_kind(kind in prop::sample::select(vec![0x0800u16, 0x86dd, 0x0806, 0x8100, 0x88a8, 0x6558]), proto in prop::sample::select(vec![1u8, 2, 4, 6, 17, 41, 58, 0, 43, 44, 60]), tail in prop::collection::vec(any::<u8>(), 0..160)) {
        // inner Ethernet with a chosen EtherType, then bytes whose IP protocol byte is chosen.
        let mut data = unhex(VXLAN4);
        data.extend_from_slice(&[2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]);
        data.extend_from_slice(&kind.to_be_bytes());
        let mut t = tail;
        if t.len() > 9 {
            t[0] = if kind == 0x86dd { 0x60 } else { 0x45 };
            t[9] = proto;
            if t.len() > 6 && kind == 0x86dd {
                t[6] = proto;
            }
        }
        data.extend_from_slice(&t);
        let d = dissect(&data, LinkType::Ethernet, &Config::default());
        check(&data, &d);
    }

    #[test]
    fn views_never_panic(data in prop::collection::vec(any::<u8>(), 0..120)) {
        if let Ok(g) = IgmpSlice::from_slice(&data) { walk_igmp(g); }
        if let Ok(v) = VxlanSlice::from_slice(&data) {
            let h = v.header();
            prop_assert_eq!(&h.to_bytes()[..], &data[..8]);
            prop_assert_eq!(VxlanHeader::parse(&data).unwrap().0, h);
        }
        if let Ok(v) = VxlanGpeSlice::from_slice(&data) {
            prop_assert_eq!(&v.header().to_bytes()[..], &data[..8]);
        }
        if let Ok(a) = vxwire::wire::arp::ArpSlice::from_slice(&data) {
            prop_assert!(a.packet().slice().len() <= data.len());
            let _ = (format!("{a} {a:?}"), a.sender_mac(), a.target_ip());
        }
        walk_icmpv6(&data);
        for t in [130u8, 131, 132, 133, 134, 135, 136, 137, 143] {
            let mut m = data.clone();
            if let Some(b) = m.first_mut() { *b = t; }
            walk_icmpv6(&m);
        }
    }
}
