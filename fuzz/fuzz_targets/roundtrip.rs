// The build_roundtrip check, shared by the fuzz target and tests/fuzz_regressions.rs: a frame
// description from `arbitrary` -> src/build.rs into a buffer -> dissect -> the same fields come
// back. Builders may refuse a description (buffer too small, value out of range), but only with
// the typed error their docs name.
use arbitrary::{Arbitrary, Unstructured};
use core::net::{Ipv4Addr, Ipv6Addr};
use std::cell::RefCell;
use vxwire::build::{
    arp, encapsulate, icmp_echo, igmp, ArpSpec, EchoSpec, GroupRecordSpec, IgmpMessage, IgmpSpec, Outer,
    OuterIp, SrcPort,
};
use vxwire::dissect::{dissect, Checksum, Config, Header, LinkType, PortSet};
use vxwire::etherparse::Icmpv4Type;
use vxwire::wire::arp::ArpOp;
use vxwire::wire::igmp::RecordType;
use vxwire::wire::vxlan::{Gbp, Vni, VxlanHeader};
use vxwire::MacAddr;
use vxwire::{Error, ErrorKind, Proto};

#[derive(Arbitrary, Debug)]
pub enum Ip {
    V4 { src: Ipv4Addr, dst: Ipv4Addr, tos: u8, ttl: u8, id: u16, df: bool },
    V6 { src: Ipv6Addr, dst: Ipv6Addr, tc: u8, flow: u32, hop: u8 },
}

#[derive(Arbitrary, Debug)]
pub struct GbpDesc {
    pub policy: u16,
    pub d: bool,
    pub a: bool,
}

#[derive(Arbitrary, Debug)]
pub struct Record {
    pub ty: u8,
    pub group: Ipv4Addr,
    pub sources: Vec<Ipv4Addr>,
    pub aux: Vec<u8>,
}

#[derive(Arbitrary, Debug)]
pub enum Igmp {
    V1Report(Ipv4Addr),
    V2Report(Ipv4Addr),
    V2Leave(Ipv4Addr),
    V1Query,
    V2Query { mrt: u8, group: Ipv4Addr },
    V3Query { mrc: u8, group: Ipv4Addr, s: bool, qrv: u8, qqic: u8, sources: Vec<Ipv4Addr> },
    V3Report(Vec<Record>),
}

#[derive(Arbitrary, Debug)]
pub enum Inner {
    Arp {
        eth_src: [u8; 6],
        eth_dst: [u8; 6],
        op: u16,
        sha: [u8; 6],
        spa: Ipv4Addr,
        tha: [u8; 6],
        tpa: Ipv4Addr,
    },
    Igmp {
        mac: [u8; 6],
        ip: Ipv4Addr,
        ra: bool,
        ttl: u8,
        msg: Igmp,
    },
    Echo {
        src: Ipv4Addr,
        dst: Ipv4Addr,
        reply: bool,
        id: u16,
        seq: u16,
        payload: Vec<u8>,
    },
}

#[derive(Arbitrary, Debug)]
pub struct Desc {
    pub src_mac: [u8; 6],
    pub dst_mac: [u8; 6],
    pub vlan: Option<u16>,
    pub ip: Ip,
    pub src_port: Option<u16>,
    pub dst_port: u16,
    pub udp_checksum: bool,
    pub vni: u32,
    pub gbp: Option<GbpDesc>,
    pub inner: Inner,
    /// Buffer length: `None` for one large enough, else this many bytes (often too few).
    pub buf_len: Option<u16>,
}

const BUF: usize = 70_000;

thread_local! {
    static BUFFER: RefCell<Vec<u8>> = RefCell::new(vec![0; BUF]);
}

/// An error a builder may return: a too-small buffer (needed > present, present = what it was
/// given) or a value out of range (present > limit) of a layer that has a limit.
fn typed(e: &Error, given: usize) {
    match e.kind {
        ErrorKind::Truncated => {
            assert_eq!(e.proto, Proto::Buffer, "{e:?}");
            assert!(e.needed > e.present && e.present <= given, "{e:?} (buffer {given})");
        }
        ErrorKind::OutOfRange => {
            assert!(
                matches!(e.proto, Proto::Vlan | Proto::Ipv6 | Proto::Ipv4 | Proto::Udp | Proto::Igmp),
                "{e:?}"
            );
            assert!(e.present > e.needed || e.proto == Proto::Igmp, "{e:?}");
        }
        _ => panic!("unexpected builder error {e:?}"),
    }
}

/// Runs one description given as fuzzer bytes.
pub fn run(data: &[u8]) {
    let Ok(desc) = Desc::arbitrary_take_rest(Unstructured::new(data)) else { return };
    BUFFER.with(|b| check(&desc, &mut b.borrow_mut()));
}

fn check(desc: &Desc, buf: &mut [u8]) {
    // The VNI: 24 bits; anything larger must be refused by Vni::new.
    let Some(vni) = Vni::new(desc.vni) else {
        assert!(desc.vni > Vni::MAX);
        return;
    };
    let vx = match &desc.gbp {
        Some(g) => VxlanHeader::with_gbp(
            vni,
            Gbp { group_policy_id: g.policy, dont_learn: g.d, policy_applied: g.a },
        ),
        None => VxlanHeader::new(vni),
    };
    let ip = match desc.ip {
        Ip::V4 { src, dst, tos, ttl, id, df } => OuterIp::V4 { src, dst, tos, ttl, id, dont_fragment: df },
        Ip::V6 { src, dst, tc, flow, hop } => {
            OuterIp::V6 { src, dst, traffic_class: tc, flow_label: flow, hop_limit: hop }
        }
    };
    let outer = Outer {
        src_mac: MacAddr(desc.src_mac),
        dst_mac: MacAddr(desc.dst_mac),
        vlan: desc.vlan,
        ip,
        src_port: desc.src_port.map_or(SrcPort::FromInnerHash, SrcPort::Fixed),
        dst_port: desc.dst_port,
        udp_checksum: desc.udp_checksum,
    };
    let len = desc.buf_len.map_or(buf.len(), usize::from);
    let buf = &mut buf[..len];
    let off = outer.header_len();

    // The inner frame, built in place after the outer headers.
    let sources: Vec<Vec<Ipv4Addr>>;
    let records: Vec<GroupRecordSpec<'_>>;
    let inner_buf = buf.get_mut(off..).unwrap_or(&mut []);
    let given = inner_buf.len();
    let built = match &desc.inner {
        Inner::Arp { eth_src, eth_dst, op, sha, spa, tha, tpa } => {
            let spec = ArpSpec {
                eth_src: MacAddr(*eth_src),
                eth_dst: MacAddr(*eth_dst),
                operation: ArpOp(*op),
                sender_mac: MacAddr(*sha),
                sender_ip: *spa,
                target_mac: MacAddr(*tha),
                target_ip: *tpa,
            };
            arp(inner_buf, &spec)
        }
        Inner::Igmp { mac, ip, ra, ttl, msg } => {
            let message = match msg {
                Igmp::V1Report(g) => IgmpMessage::V1Report { group: *g },
                Igmp::V2Report(g) => IgmpMessage::V2Report { group: *g },
                Igmp::V2Leave(g) => IgmpMessage::V2Leave { group: *g },
                Igmp::V1Query => IgmpMessage::V1Query,
                Igmp::V2Query { mrt, group } => IgmpMessage::V2Query { max_resp_time: *mrt, group: *group },
                Igmp::V3Query { mrc, group, s, qrv, qqic, sources } => IgmpMessage::V3Query {
                    max_resp_code: *mrc,
                    group: *group,
                    s_flag: *s,
                    qrv: *qrv,
                    qqic: *qqic,
                    sources,
                },
                Igmp::V3Report(recs) => {
                    sources = recs.iter().map(|r| r.sources.clone()).collect();
                    records = recs
                        .iter()
                        .zip(&sources)
                        .map(|(r, s)| GroupRecordSpec {
                            record_type: RecordType(r.ty),
                            group: r.group,
                            sources: s,
                            aux_data: &r.aux,
                        })
                        .collect();
                    IgmpMessage::V3Report { records: &records }
                }
            };
            let mut spec = IgmpSpec::new(MacAddr(*mac), *ip, message);
            spec.router_alert = *ra;
            spec.ttl = *ttl;
            igmp(inner_buf, &spec)
        }
        Inner::Echo { src, dst, reply, id, seq, payload } => {
            let mut spec = EchoSpec::request(
                MacAddr([2, 0, 0, 0, 0, 1]),
                MacAddr([2, 0, 0, 0, 0, 2]),
                *src,
                *dst,
                *id,
                *seq,
                payload,
            );
            spec.reply = *reply;
            icmp_echo(inner_buf, &spec)
        }
    };
    let inner_len = match built {
        Ok(n) => n,
        Err(e) => return typed(&e, given),
    };
    let total = match encapsulate(buf, &outer, &vx, inner_len) {
        Ok(n) => n,
        Err(e) => return typed(&e, len),
    };
    assert_eq!(total, off + inner_len);
    if let Some(v) = desc.vlan {
        assert!(v <= 4095, "VLAN {v} accepted");
    }
    if let Ip::V6 { flow, .. } = desc.ip {
        assert!(flow <= 0xf_ffff, "flow label {flow:#x} accepted");
    }

    // Dissect with the destination port as the only VXLAN port and no GPE port.
    let mut config = Config { vxlan_ports: PortSet::new(), gpe_ports: PortSet::new(), ..Config::default() };
    config.vxlan_ports.insert(desc.dst_port);
    let frame = &buf[..total];
    let d = dissect(frame, LinkType::Ethernet, &config);
    assert!(d.error().is_none(), "{:?} in {desc:?}", d.error());
    let hs: Vec<&Header<'_>> = d.layers().map(|l| &l.header).collect();
    let mut i = 0;
    let Header::Ethernet(e) = hs[i] else { panic!("no outer Ethernet") };
    assert_eq!((e.source(), e.destination()), (desc.src_mac, desc.dst_mac));
    i += 1;
    if let Some(v) = desc.vlan {
        let Header::Vlan(t) = hs[i] else { panic!("no VLAN tag") };
        assert_eq!(t.vlan_identifier().value(), v);
        i += 1;
    }
    match (&desc.ip, hs[i]) {
        (Ip::V4 { src, dst, ttl, id, df, tos }, Header::Ipv4(h)) => {
            assert_eq!((h.source_addr(), h.destination_addr()), (*src, *dst));
            assert_eq!((h.ttl(), h.identification(), h.dont_fragment()), (*ttl, *id, *df));
            assert_eq!((h.dcp().value() << 2) | h.ecn().value(), *tos);
            assert_eq!(d.checksum(i), Some(Checksum::Valid));
        }
        (Ip::V6 { src, dst, tc, flow, hop }, Header::Ipv6(h)) => {
            assert_eq!((h.source_addr(), h.destination_addr()), (*src, *dst));
            assert_eq!((h.traffic_class(), h.flow_label().value(), h.hop_limit()), (*tc, *flow, *hop));
        }
        (_, h) => panic!("outer IP came back as {h:?}"),
    }
    i += 1;
    let Header::Udp(u) = hs[i] else { panic!("no UDP") };
    assert_eq!(u.destination_port(), desc.dst_port);
    if let Some(p) = desc.src_port {
        assert_eq!(u.source_port(), p);
    } else {
        assert!(u.source_port() >= vxwire::build::SRC_PORT_MIN);
    }
    assert_eq!(usize::from(u.length()), 16 + inner_len);
    let udp_sum = d.checksum(i);
    match desc.ip {
        Ip::V4 { .. } if !desc.udp_checksum => assert_eq!(udp_sum, Some(Checksum::Absent)),
        _ => assert_eq!(udp_sum, Some(Checksum::Valid), "{desc:?}"),
    }
    i += 1;
    let Header::Vxlan(v) = hs[i] else { panic!("no VXLAN") };
    assert_eq!(v.vni(), vni);
    assert_eq!(v.gbp(), vx.gbp());
    assert_eq!(v.header(), vx);
    i += 1;
    assert_eq!(d.layers().nth(i).map(|l| l.offset), Some(off));
    let Header::Ethernet(ie) = hs[i] else { panic!("no inner Ethernet") };
    i += 1;
    match &desc.inner {
        Inner::Arp { eth_src, eth_dst, op, sha, spa, tha, tpa } => {
            assert_eq!((ie.source(), ie.destination()), (*eth_src, *eth_dst));
            let Header::Arp(a) = hs[i] else { panic!("no ARP") };
            assert_eq!(a.operation().0, *op);
            assert_eq!(a.sender_hw_addr(), sha);
            assert_eq!(a.sender_protocol_addr(), &spa.octets());
            assert_eq!(a.target_hw_addr(), tha);
            assert_eq!(a.target_protocol_addr(), &tpa.octets());
        }
        Inner::Igmp { mac, ip, ttl, msg, .. } => {
            assert_eq!(ie.source(), *mac);
            let Header::Ipv4(h) = hs[i] else { panic!("no inner IPv4") };
            assert_eq!((h.source_addr(), h.ttl(), h.protocol().0), (*ip, *ttl, 2));
            assert_eq!(d.checksum(i), Some(Checksum::Valid));
            i += 1;
            let Header::Igmp(g) = hs[i].clone() else { panic!("no IGMP") };
            assert_eq!(d.checksum(i), Some(Checksum::Valid));
            let (ty, group) = match msg {
                Igmp::V1Report(g) => (0x12, *g),
                Igmp::V2Report(g) => (0x16, *g),
                Igmp::V2Leave(g) => (0x17, *g),
                Igmp::V1Query => (0x11, Ipv4Addr::UNSPECIFIED),
                Igmp::V2Query { mrt, group } => {
                    assert_eq!(g.max_resp_code(), *mrt);
                    (0x11, *group)
                }
                Igmp::V3Query { mrc, group, s, qrv, qqic, sources } => {
                    assert_eq!(g.max_resp_code(), *mrc);
                    let q = g.v3_query().expect("v3 query");
                    assert_eq!((q.s_flag(), q.qrv(), q.qqic()), (*s, *qrv, *qqic));
                    assert_eq!(usize::from(q.num_sources()), sources.len());
                    assert!(q.sources().eq(sources.iter().copied()));
                    (0x11, *group)
                }
                Igmp::V3Report(recs) => {
                    let r = g.v3_report().expect("v3 report");
                    assert_eq!(usize::from(r.num_records()), recs.len());
                    let mut n = 0;
                    for (got, want) in r.records().zip(recs) {
                        assert_eq!((got.record_type.0, got.group), (want.ty, want.group));
                        assert_eq!(got.aux_data, &want.aux[..]);
                        assert!(got.sources().eq(want.sources.iter().copied()));
                        n += 1;
                    }
                    assert_eq!(n, recs.len());
                    (0x22, Ipv4Addr::UNSPECIFIED)
                }
            };
            assert_eq!(g.igmp_type().0, ty);
            if ty != 0x22 {
                assert_eq!(g.group(), group);
            }
        }
        Inner::Echo { src, dst, reply, id, seq, payload } => {
            let Header::Ipv4(h) = hs[i] else { panic!("no inner IPv4") };
            assert_eq!((h.source_addr(), h.destination_addr()), (*src, *dst));
            i += 1;
            let Header::Icmpv4(m) = hs[i] else { panic!("no ICMP") };
            assert_eq!(d.checksum(i), Some(Checksum::Valid));
            match m.icmp_type() {
                Icmpv4Type::EchoRequest(e) if !reply => assert_eq!((e.id, e.seq), (*id, *seq)),
                Icmpv4Type::EchoReply(e) if *reply => assert_eq!((e.id, e.seq), (*id, *seq)),
                t => panic!("ICMP came back as {t:?}"),
            }
            assert_eq!(m.payload(), &payload[..]);
        }
    }
    assert_eq!(d.len(), i + 1, "extra layers");
}
