//! Every builder round-trips through the dissector: build -> `vxwire::dissect` gives back the
//! fields that went in. Buffers start filled with 0xa5 so that a byte the builder forgot shows.

use core::net::{Ipv4Addr, Ipv6Addr};
use proptest::prelude::*;
use vxwire::build::{
    arp, encapsulate, icmp_echo, igmp, inner_flow_hash, src_port_for, vxlan_frame, ArpSpec, EchoSpec,
    GroupRecordSpec, IgmpMessage, IgmpSpec, Outer, OuterIp, SrcPort, ALL_IGMPV3_ROUTERS, ALL_ROUTERS,
    ALL_SYSTEMS,
};
use vxwire::dissect::{dissect, Config, Dissection, Header, LinkType};
use vxwire::etherparse::checksum::Sum16BitWords;
use vxwire::etherparse::Icmpv4Type;
use vxwire::wire::igmp::{IgmpVersion, RecordType};
use vxwire::wire::vxlan::{Gbp, Vni, VxlanHeader};
use vxwire::MacAddr;
use vxwire::{Error, ErrorKind, Proto};

const FILL: u8 = 0xa5;
const A_MAC: MacAddr = MacAddr([0x02, 0, 0, 0, 0, 0x0a]);
const B_MAC: MacAddr = MacAddr([0x02, 0, 0, 0, 0, 0x0b]);
const A_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const B_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

fn headers<'a>(d: &'a Dissection<'a>) -> Vec<&'a Header<'a>> {
    d.layers().map(|l| &l.header).collect()
}

/// Asserts `buf[n..]` is untouched.
fn untouched_after(buf: &[u8], n: usize) {
    assert!(buf[n..].iter().all(|b| *b == FILL), "bytes after {n} were written");
}

fn ipv4_header_ok(h: &vxwire::etherparse::Ipv4HeaderSlice<'_>) -> bool {
    Sum16BitWords::new().add_slice(h.slice()).ones_complement() == 0
}

#[test]
fn arp_request_reply_gratuitous() {
    let cases = [
        (ArpSpec::request(A_MAC, A_IP, B_IP), [0xff; 6], 1u16, [0u8; 6], B_IP),
        (ArpSpec::reply(B_MAC, B_IP, A_MAC, A_IP), A_MAC.into(), 2, A_MAC.into(), A_IP),
        (ArpSpec::gratuitous(A_MAC, A_IP), [0xff; 6], 1, [0; 6], A_IP),
    ];
    for (spec, eth_dst, op, tha, tpa) in cases {
        let mut buf = [FILL; 64];
        let n = arp(&mut buf, &spec).unwrap();
        assert_eq!(n, 42);
        untouched_after(&buf, n);
        let d = dissect(&buf[..n], LinkType::Ethernet, &Config::default());
        assert!(d.error().is_none());
        let hs = headers(&d);
        let Header::Ethernet(e) = hs[0] else { panic!("no Ethernet") };
        assert_eq!(e.destination(), eth_dst);
        assert_eq!(e.source(), spec.eth_src);
        assert_eq!(e.ether_type().0, 0x0806);
        let Header::Arp(a) = hs[1] else { panic!("no ARP") };
        assert_eq!(a.operation().0, op);
        assert_eq!(a.hw_addr_type().0, 1);
        assert_eq!(a.proto_addr_type().0, 0x0800);
        assert_eq!(a.sender_hw_addr(), &spec.sender_mac);
        assert_eq!(a.sender_protocol_addr(), &spec.sender_ip.octets());
        assert_eq!(a.target_hw_addr(), &tha);
        assert_eq!(a.target_protocol_addr(), &tpa.octets());
    }
}

fn check_igmp_frame(
    buf: &[u8],
    n: usize,
    spec: &IgmpSpec<'_>,
    dst: Ipv4Addr,
) -> vxwire::wire::igmp::IgmpSlice<'static> {
    let buf: &'static [u8] = Box::leak(buf[..n].to_vec().into_boxed_slice());
    let d: &'static Dissection<'static> =
        Box::leak(Box::new(dissect(buf, LinkType::Ethernet, &Config::default())));
    assert!(d.error().is_none(), "{:?}", d.error());
    let hs = headers(d);
    let Header::Ethernet(e) = hs[0] else { panic!() };
    let o = dst.octets();
    assert_eq!(e.destination(), [0x01, 0x00, 0x5e, o[1] & 0x7f, o[2], o[3]]);
    let Header::Ipv4(ip) = hs[1] else { panic!() };
    assert_eq!(ip.ttl(), 1);
    assert_eq!((ip.dcp().value() << 2) | ip.ecn().value(), 0xc0);
    assert_eq!(ip.options(), &[0x94, 0x04, 0x00, 0x00], "Router Alert");
    assert_eq!(ip.protocol().0, 2);
    assert_eq!(ip.destination_addr(), dst);
    assert_eq!(ip.source_addr(), spec.src_ip);
    assert!(ip.dont_fragment());
    assert!(ipv4_header_ok(ip));
    assert_eq!(usize::from(ip.total_len()), n - 14);
    let Header::Igmp(g) = hs[2].clone() else { panic!() };
    assert!(g.checksum_valid());
    assert_eq!(g.slice().len(), spec.message.len());
    g
}

#[test]
fn igmp_v1_v2_reports_leave_queries() {
    let group = Ipv4Addr::new(239, 1, 2, 3);
    let cases: [(IgmpMessage<'_>, Ipv4Addr, u8, IgmpVersion, u8, Ipv4Addr); 6] = [
        (IgmpMessage::V1Report { group }, group, 0x12, IgmpVersion::V1, 0, group),
        (IgmpMessage::V2Report { group }, group, 0x16, IgmpVersion::V2, 0, group),
        (IgmpMessage::V2Leave { group }, ALL_ROUTERS, 0x17, IgmpVersion::V2, 0, group),
        (IgmpMessage::V1Query, ALL_SYSTEMS, 0x11, IgmpVersion::V1, 0, Ipv4Addr::UNSPECIFIED),
        (
            IgmpMessage::V2Query { max_resp_time: 100, group: Ipv4Addr::UNSPECIFIED },
            ALL_SYSTEMS,
            0x11,
            IgmpVersion::V2,
            100,
            Ipv4Addr::UNSPECIFIED,
        ),
        (IgmpMessage::V2Query { max_resp_time: 10, group }, group, 0x11, IgmpVersion::V2, 10, group),
    ];
    for (msg, dst, ty, ver, code, g) in cases {
        let spec = IgmpSpec::new(A_MAC, A_IP, msg);
        let mut buf = [FILL; 128];
        let n = igmp(&mut buf, &spec).unwrap();
        assert_eq!(n, 14 + 24 + 8);
        untouched_after(&buf, n);
        let s = check_igmp_frame(&buf, n, &spec, dst);
        assert_eq!(s.igmp_type().0, ty);
        assert_eq!(s.version(), Some(ver));
        assert_eq!(s.max_resp_code(), code);
        assert_eq!(s.group(), g);
    }
}

#[test]
fn igmp_v3_query_with_sources() {
    let group = Ipv4Addr::new(232, 1, 1, 1);
    let sources = [Ipv4Addr::new(10, 1, 0, 1), Ipv4Addr::new(10, 1, 0, 2), Ipv4Addr::new(10, 1, 0, 3)];
    let msg = IgmpMessage::V3Query {
        max_resp_code: 0x80,
        group,
        s_flag: true,
        qrv: 2,
        qqic: 125,
        sources: &sources,
    };
    let spec = IgmpSpec::new(B_MAC, B_IP, msg);
    let mut buf = [FILL; 128];
    let n = igmp(&mut buf, &spec).unwrap();
    assert_eq!(n, 14 + 24 + 12 + 12);
    untouched_after(&buf, n);
    let s = check_igmp_frame(&buf, n, &spec, group);
    assert_eq!(s.version(), Some(IgmpVersion::V3));
    let q = s.v3_query().unwrap();
    assert!(q.s_flag());
    assert_eq!((q.qrv(), q.qqic(), q.num_sources(), q.reserved()), (2, 125, 3, 0));
    assert_eq!(q.sources().collect::<Vec<_>>(), sources);
    // A general v3 query goes to 224.0.0.1.
    let general = IgmpMessage::V3Query {
        max_resp_code: 100,
        group: Ipv4Addr::UNSPECIFIED,
        s_flag: false,
        qrv: 2,
        qqic: 125,
        sources: &[],
    };
    assert_eq!(general.default_destination(), ALL_SYSTEMS);
}

#[test]
fn igmp_v3_report_records() {
    let s1 = [Ipv4Addr::new(10, 9, 0, 1)];
    let s2 = [Ipv4Addr::new(10, 9, 0, 2), Ipv4Addr::new(10, 9, 0, 3)];
    let aux = [1u8, 2, 3, 4];
    let records = [
        GroupRecordSpec {
            record_type: RecordType::CHANGE_TO_EXCLUDE,
            group: Ipv4Addr::new(239, 1, 1, 1),
            sources: &[],
            aux_data: &[],
        },
        GroupRecordSpec {
            record_type: RecordType::ALLOW_NEW_SOURCES,
            group: Ipv4Addr::new(232, 1, 1, 2),
            sources: &s1,
            aux_data: &[],
        },
        GroupRecordSpec {
            record_type: RecordType::BLOCK_OLD_SOURCES,
            group: Ipv4Addr::new(232, 1, 1, 3),
            sources: &s2,
            aux_data: &aux,
        },
    ];
    let spec = IgmpSpec::new(A_MAC, A_IP, IgmpMessage::V3Report { records: &records });
    let mut buf = [FILL; 160];
    let n = igmp(&mut buf, &spec).unwrap();
    assert_eq!(n, 14 + 24 + 8 + 8 + 12 + 20);
    untouched_after(&buf, n);
    let s = check_igmp_frame(&buf, n, &spec, ALL_IGMPV3_ROUTERS);
    assert_eq!(s.igmp_type().0, 0x22);
    let r = s.v3_report().unwrap();
    assert_eq!(r.num_records(), 3);
    let got: Vec<_> = r.records().collect();
    assert_eq!(got.len(), 3);
    for (g, want) in got.iter().zip(&records) {
        assert_eq!(g.record_type, want.record_type);
        assert_eq!(g.group, want.group);
        assert_eq!(g.sources().collect::<Vec<_>>(), want.sources);
        assert_eq!(g.aux_data, want.aux_data);
    }
}

#[test]
fn igmp_errors_not_panics() {
    let bad_aux = [GroupRecordSpec {
        record_type: RecordType::MODE_IS_INCLUDE,
        group: A_IP,
        sources: &[],
        aux_data: &[1, 2],
    }];
    let spec = IgmpSpec::new(A_MAC, A_IP, IgmpMessage::V3Report { records: &bad_aux });
    let e = igmp(&mut [0u8; 128], &spec).unwrap_err();
    assert_eq!((e.proto, e.kind), (Proto::Igmp, ErrorKind::OutOfRange));
    let q =
        IgmpMessage::V3Query { max_resp_code: 1, group: A_IP, s_flag: false, qrv: 8, qqic: 1, sources: &[] };
    let e = igmp(&mut [0u8; 128], &IgmpSpec::new(A_MAC, A_IP, q)).unwrap_err();
    assert_eq!((e.proto, e.kind, e.present), (Proto::Igmp, ErrorKind::OutOfRange, 8));
    let many = vec![A_IP; 65536];
    let q = IgmpMessage::V3Query {
        max_resp_code: 1,
        group: A_IP,
        s_flag: false,
        qrv: 2,
        qqic: 1,
        sources: &many,
    };
    // Too long for the buffer first; with room, too many sources (and too long for IPv4).
    let e = igmp(&mut [0u8; 64], &IgmpSpec::new(A_MAC, A_IP, q)).unwrap_err();
    assert_eq!(e.proto, Proto::Buffer);
    let mut big = vec![0u8; 14 + 24 + 12 + 4 * 65536];
    let e = igmp(&mut big, &IgmpSpec::new(A_MAC, A_IP, q)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::OutOfRange);
}

#[test]
fn icmp_echo_request_reply() {
    let payload: Vec<u8> = (0u8..56).collect();
    for reply in [false, true] {
        let mut spec = EchoSpec::request(A_MAC, B_MAC, A_IP, B_IP, 0x1234, 7, &payload);
        spec.reply = reply;
        let mut buf = [FILL; 160];
        let n = icmp_echo(&mut buf, &spec).unwrap();
        assert_eq!(n, 14 + 20 + 8 + 56);
        untouched_after(&buf, n);
        let d = dissect(&buf[..n], LinkType::Ethernet, &Config::default());
        assert!(d.error().is_none());
        let hs = headers(&d);
        let Header::Ipv4(ip) = hs[1] else { panic!() };
        assert!(ipv4_header_ok(ip));
        assert_eq!((ip.ttl(), ip.protocol().0, ip.total_len()), (64, 1, 84));
        let Header::Icmpv4(icmp) = hs[2] else { panic!() };
        let echo = match icmp.icmp_type() {
            Icmpv4Type::EchoRequest(e) if !reply => e,
            Icmpv4Type::EchoReply(e) if reply => e,
            t => panic!("wrong type {t:?}"),
        };
        assert_eq!((echo.id, echo.seq), (0x1234, 7));
        assert_eq!(icmp.payload(), &payload[..]);
        assert_eq!(Sum16BitWords::new().add_slice(icmp.slice()).ones_complement(), 0, "ICMP checksum");
    }
}

/// Dissects a built VXLAN frame and checks every outer field against `outer`.
fn check_vxlan_frame(frame: &[u8], outer: &Outer, vx: &VxlanHeader, inner: &[u8]) {
    let d = dissect(frame, LinkType::Ethernet, &Config::default());
    let hs = headers(&d);
    let mut i = 0;
    let Header::Ethernet(e) = hs[i] else { panic!() };
    assert_eq!((e.source(), e.destination()), (outer.src_mac.octets(), outer.dst_mac.octets()));
    i += 1;
    if let Some(vid) = outer.vlan {
        let Header::Vlan(v) = hs[i] else { panic!("no VLAN tag") };
        assert_eq!(v.vlan_identifier().value(), vid);
        assert_eq!(v.priority_code_point().value(), 0);
        i += 1;
    }
    let (udp_len, csum_ok) = match (&outer.ip, hs[i]) {
        (OuterIp::V4 { src, dst, tos, ttl, id, dont_fragment }, Header::Ipv4(ip)) => {
            assert_eq!((ip.source_addr(), ip.destination_addr()), (*src, *dst));
            assert_eq!((ip.dcp().value() << 2) | ip.ecn().value(), *tos);
            assert_eq!((ip.ttl(), ip.identification(), ip.dont_fragment()), (*ttl, *id, *dont_fragment));
            assert!(ip.options().is_empty());
            assert!(ipv4_header_ok(ip));
            assert_eq!(
                usize::from(ip.total_len()),
                frame.len() - 14 - if outer.vlan.is_some() { 4 } else { 0 }
            );
            let Header::Udp(u) = hs[i + 1] else { panic!() };
            let seg = &frame[frame.len() - usize::from(u.length())..];
            let ok = if u.checksum() == 0 {
                !outer.udp_checksum
            } else {
                outer.udp_checksum
                    && Sum16BitWords::new()
                        .add_slice(&src.octets())
                        .add_slice(&dst.octets())
                        .add_2bytes([0, 17])
                        .add_2bytes(u.length().to_be_bytes())
                        .add_slice(seg)
                        .ones_complement()
                        == 0
            };
            (u.length(), ok)
        }
        (OuterIp::V6 { src, dst, traffic_class, flow_label, hop_limit }, Header::Ipv6(ip)) => {
            assert_eq!((ip.source_addr(), ip.destination_addr()), (*src, *dst));
            assert_eq!(
                (ip.traffic_class(), ip.flow_label().value(), ip.hop_limit()),
                (*traffic_class, *flow_label, *hop_limit)
            );
            assert_eq!(ip.next_header().0, 17);
            let Header::Udp(u) = hs[i + 1] else { panic!() };
            assert_eq!(ip.payload_length(), u.length());
            let seg = &frame[frame.len() - usize::from(u.length())..];
            let ok = u.checksum() != 0
                && Sum16BitWords::new()
                    .add_slice(&src.octets())
                    .add_slice(&dst.octets())
                    .add_2bytes([0, 17])
                    .add_2bytes(u.length().to_be_bytes())
                    .add_slice(seg)
                    .ones_complement()
                    == 0;
            (u.length(), ok)
        }
        (ip, h) => panic!("outer {ip:?} dissected as {h:?}"),
    };
    assert!(csum_ok, "UDP checksum");
    assert_eq!(usize::from(udp_len), 8 + 8 + inner.len());
    let Header::Udp(u) = hs[i + 1] else { panic!() };
    assert_eq!(u.destination_port(), outer.dst_port);
    match outer.src_port {
        SrcPort::Fixed(p) => assert_eq!(u.source_port(), p),
        SrcPort::FromInnerHash => {
            assert!((49153..=65535).contains(&u.source_port()));
            assert_eq!(u.source_port(), src_port_for(inner));
        }
    }
    let Header::Vxlan(v) = hs[i + 2] else { panic!("no VXLAN at {i}: {hs:?}") };
    assert_eq!(v.header(), *vx);
    assert_eq!(v.payload(), inner);
}

fn outer_v4() -> Outer {
    Outer::v4(
        MacAddr([0x02, 0, 0, 0, 0xa, 1]),
        MacAddr([0x02, 0, 0, 0, 0xa, 2]),
        Ipv4Addr::new(198, 18, 0, 1),
        Ipv4Addr::new(198, 18, 0, 2),
    )
}

fn outer_v6() -> Outer {
    Outer::v6(
        MacAddr([0x02, 0, 0, 0, 0xa, 1]),
        MacAddr([0x02, 0, 0, 0, 0xa, 2]),
        "fd00:18::1".parse::<Ipv6Addr>().unwrap(),
        "fd00:18::2".parse::<Ipv6Addr>().unwrap(),
    )
}

#[test]
fn vxlan_arp_ipv4_ipv6_vlan_gbp() {
    let mut inner = [FILL; 64];
    let n = arp(&mut inner, &ArpSpec::request(A_MAC, A_IP, B_IP)).unwrap();
    let inner = &inner[..n];
    let vni = Vni::new(100).unwrap();
    let gbp =
        VxlanHeader::with_gbp(vni, Gbp { group_policy_id: 4660, dont_learn: true, policy_applied: false });
    let mut tagged = outer_v4();
    tagged.vlan = Some(42);
    let mut csum = outer_v4();
    csum.udp_checksum = true;
    csum.src_port = SrcPort::Fixed(50000);
    csum.dst_port = 8472;
    let cases = [
        (outer_v4(), VxlanHeader::new(vni)),
        (outer_v6(), VxlanHeader::new(vni)),
        (tagged, gbp),
        (csum, gbp),
    ];
    for (outer, vx) in cases {
        let mut buf = [FILL; 200];
        let len = vxlan_frame(&mut buf, &outer, &vx, inner).unwrap();
        assert_eq!(len, outer.header_len() + inner.len());
        untouched_after(&buf, len);
        check_vxlan_frame(&buf[..len], &outer, &vx, inner);
        // The inner frame dissects as the ARP it was.
        let d = dissect(&buf[..len], LinkType::Ethernet, &Config::default());
        assert!(matches!(d.last().unwrap().header, Header::Arp(_)));
        // In place: build the inner frame at header_len, then encapsulate: the same bytes.
        let mut buf2 = [FILL; 200];
        let m = arp(&mut buf2[outer.header_len()..], &ArpSpec::request(A_MAC, A_IP, B_IP)).unwrap();
        assert_eq!(encapsulate(&mut buf2, &outer, &vx, m).unwrap(), len);
        assert_eq!(buf2, buf);
    }
}

#[test]
fn out_of_range_outer_values() {
    let mut o = outer_v4();
    o.vlan = Some(4096);
    let e = vxlan_frame(&mut [0u8; 100], &o, &VxlanHeader::default(), &[]).unwrap_err();
    assert_eq!(e, Error::new(Proto::Vlan, ErrorKind::OutOfRange, 4095, 4096));
    let mut o = outer_v6();
    if let OuterIp::V6 { flow_label, .. } = &mut o.ip {
        *flow_label = 1 << 20;
    }
    let e = vxlan_frame(&mut [0u8; 100], &o, &VxlanHeader::default(), &[]).unwrap_err();
    assert_eq!((e.proto, e.kind), (Proto::Ipv6, ErrorKind::OutOfRange));
    let huge = vec![0u8; 65536];
    let mut buf = vec![0u8; 70000];
    let e = vxlan_frame(&mut buf, &outer_v4(), &VxlanHeader::default(), &huge).unwrap_err();
    assert_eq!((e.proto, e.kind), (Proto::Udp, ErrorKind::OutOfRange));
}

#[test]
fn flow_hash_ignores_payload_but_not_ports() {
    let mut a = [0u8; 128];
    let mut b = [0u8; 128];
    let n = icmp_echo(&mut a, &EchoSpec::request(A_MAC, B_MAC, A_IP, B_IP, 1, 1, &[1; 20])).unwrap();
    let m = icmp_echo(&mut b, &EchoSpec::request(A_MAC, B_MAC, A_IP, B_IP, 1, 2, &[2; 20])).unwrap();
    assert_eq!(inner_flow_hash(&a[..n]), inner_flow_hash(&b[..m]));
    let m =
        icmp_echo(&mut b, &EchoSpec::request(A_MAC, B_MAC, A_IP, Ipv4Addr::new(10, 0, 0, 3), 1, 1, &[1; 20]))
            .unwrap();
    assert_ne!(inner_flow_hash(&a[..n]), inner_flow_hash(&b[..m]));
    assert_ne!(src_port_for(&[]), 49152);
}

fn arb_outer() -> impl Strategy<Value = Outer> {
    let v4 = (any::<[u8; 4]>(), any::<[u8; 4]>(), any::<u8>(), any::<u8>(), any::<u16>(), any::<bool>())
        .prop_map(|(s, d, tos, ttl, id, df)| OuterIp::V4 {
            src: s.into(),
            dst: d.into(),
            tos,
            ttl,
            id,
            dont_fragment: df,
        });
    let v6 = (any::<[u8; 16]>(), any::<[u8; 16]>(), any::<u8>(), 0u32..(1 << 20), any::<u8>()).prop_map(
        |(s, d, tc, fl, hl)| OuterIp::V6 {
            src: s.into(),
            dst: d.into(),
            traffic_class: tc,
            flow_label: fl,
            hop_limit: hl,
        },
    );
    (
        any::<[u8; 6]>().prop_map(MacAddr),
        any::<[u8; 6]>().prop_map(MacAddr),
        proptest::option::of(0u16..4096),
        prop_oneof![v4, v6],
        prop_oneof![any::<u16>().prop_map(SrcPort::Fixed), Just(SrcPort::FromInnerHash)],
        prop_oneof![Just(4789u16), Just(8472u16)],
        any::<bool>(),
    )
        .prop_map(|(src_mac, dst_mac, vlan, ip, src_port, dst_port, udp_checksum)| Outer {
            src_mac,
            dst_mac,
            vlan,
            ip,
            src_port,
            dst_port,
            udp_checksum,
        })
}

proptest! {
    #[test]
    fn vxlan_frames_round_trip(
        outer in arb_outer(),
        raw in any::<[u8; 8]>(),
        inner in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let (vx, _) = VxlanHeader::parse(&raw).unwrap();
        let mut buf = vec![FILL; 400];
        let len = vxlan_frame(&mut buf, &outer, &vx, &inner).unwrap();
        prop_assert_eq!(len, outer.header_len() + inner.len());
        untouched_after(&buf, len);
        check_vxlan_frame(&buf[..len], &outer, &vx, &inner);
        // A buffer one byte short is an error naming the length.
        let e = vxlan_frame(&mut buf[..len - 1], &outer, &vx, &inner).unwrap_err();
        prop_assert_eq!(e, Error::truncated(Proto::Buffer, len, len - 1));
    }

    #[test]
    fn v3_reports_round_trip(
        recs in proptest::collection::vec(
            (1u8..7, any::<[u8; 4]>(), proptest::collection::vec(any::<[u8; 4]>(), 0..5), 0usize..3),
            0..6,
        ),
        src in any::<[u8; 4]>(),
    ) {
        let sources: Vec<Vec<Ipv4Addr>> = recs.iter().map(|r| r.2.iter().map(|a| Ipv4Addr::from(*a)).collect()).collect();
        let aux: Vec<Vec<u8>> = recs.iter().map(|r| vec![0x5a; r.3 * 4]).collect();
        let specs: Vec<GroupRecordSpec<'_>> = recs
            .iter()
            .zip(&sources)
            .zip(&aux)
            .map(|((r, s), a)| GroupRecordSpec { record_type: RecordType(r.0), group: r.1.into(), sources: s, aux_data: a })
            .collect();
        let spec = IgmpSpec::new(A_MAC, src.into(), IgmpMessage::V3Report { records: &specs });
        let mut buf = vec![FILL; 600];
        let n = igmp(&mut buf, &spec).unwrap();
        untouched_after(&buf, n);
        let g = check_igmp_frame(&buf, n, &spec, ALL_IGMPV3_ROUTERS);
        let got: Vec<_> = g.v3_report().unwrap().records().collect();
        prop_assert_eq!(got.len(), specs.len());
        for (r, want) in got.iter().zip(&specs) {
            prop_assert_eq!(r.record_type, want.record_type);
            prop_assert_eq!(r.group, want.group);
            prop_assert_eq!(r.sources().collect::<Vec<_>>(), want.sources.to_vec());
            prop_assert_eq!(r.aux_data, want.aux_data);
        }
    }

    #[test]
    fn v3_queries_round_trip(
        code in any::<u8>(), group in any::<[u8; 4]>(), s in any::<bool>(), qrv in 0u8..8, qqic in any::<u8>(),
        srcs in proptest::collection::vec(any::<[u8; 4]>(), 0..20),
    ) {
        let sources: Vec<Ipv4Addr> = srcs.iter().map(|a| Ipv4Addr::from(*a)).collect();
        let msg = IgmpMessage::V3Query { max_resp_code: code, group: group.into(), s_flag: s, qrv, qqic, sources: &sources };
        let spec = IgmpSpec { dst_ip: Some(ALL_SYSTEMS), ..IgmpSpec::new(B_MAC, B_IP, msg) };
        let mut buf = vec![FILL; 300];
        let n = igmp(&mut buf, &spec).unwrap();
        untouched_after(&buf, n);
        let g = check_igmp_frame(&buf, n, &spec, ALL_SYSTEMS);
        let q = g.v3_query().unwrap();
        prop_assert_eq!((g.max_resp_code(), g.group(), q.s_flag(), q.qrv(), q.qqic()), (code, Ipv4Addr::from(group), s, qrv, qqic));
        prop_assert_eq!(q.sources().collect::<Vec<_>>(), sources);
    }

    #[test]
    fn echoes_round_trip(id in any::<u16>(), seq in any::<u16>(), payload in proptest::collection::vec(any::<u8>(), 0..300), reply in any::<bool>()) {
        let spec = EchoSpec { reply, ..EchoSpec::request(A_MAC, B_MAC, A_IP, B_IP, id, seq, &payload) };
        let mut buf = vec![FILL; 400];
        let n = icmp_echo(&mut buf, &spec).unwrap();
        untouched_after(&buf, n);
        let d = dissect(&buf[..n], LinkType::Ethernet, &Config::default());
        let Header::Icmpv4(icmp) = &d.last().unwrap().header else { panic!() };
        prop_assert_eq!(icmp.payload(), &payload[..]);
        prop_assert_eq!(Sum16BitWords::new().add_slice(icmp.slice()).ones_complement(), 0);
    }
}
