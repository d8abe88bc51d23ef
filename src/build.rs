//! Crafting frames into a caller's buffer: a whole VXLAN frame (outer Ethernet with an optional
//! 802.1Q tag, IPv4 or IPv6, UDP, VXLAN with optional GBP, any inner frame) and the inner frames
//! the crate knows how to make (ARP, IGMP v1/v2/v3, ICMP echo).
//!
//! Every builder writes into `buf` from its first byte and returns the number of bytes written;
//! a buffer that is too short gives a [`Proto::Buffer`] truncation error naming the length needed,
//! never a panic, and nothing is allocated. Ethernet, 802.1Q, IPv4 (with options), IPv6, UDP,
//! ICMP and ARP are written with [`etherparse`]'s header types and checksum routines; VXLAN, GBP
//! and IGMP with the crate's own [`crate::wire`] types.
//!
//! Defaults follow what a Linux host sends:
//! - outer IPv4 UDP checksum 0 (RFC 7348 §5 allows it; `udp_checksum: true` computes it), outer
//!   IPv6 UDP checksum always computed (RFC 8200 §8.1; Linux drops zero checksums unless
//!   `udp6zerocsumrx`);
//! - outer UDP source port from a hash of the inner flow ([`inner_flow_hash`]) in 49153–65535:
//!   the ephemeral range 49152–65535 of RFC 7348 §5 without 49152 itself, which tcpdump up to
//!   4.99.4 decodes as a Broadcom LI shim;
//! - IGMP with TTL 1, ToS 0xC0 (internetwork control), the Router Alert option (RFC 2113) and
//!   the destination each version prescribes (see [`IgmpMessage::default_destination`]).
//!
//! ```
//! use core::net::Ipv4Addr;
//! use vxwire::build::{arp, vxlan_frame, ArpSpec, Outer};
//! use vxwire::wire::vxlan::{Vni, VxlanHeader};
//! use vxwire::MacAddr;
//!
//! let mut inner = [0u8; 64];
//! let host: MacAddr = "02:00:00:00:00:01".parse()?;
//! let spec = ArpSpec::request(host, Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2));
//! let n = arp(&mut inner, &spec)?;
//! let outer = Outer::v4(
//!     "02:00:00:00:0a:01".parse()?,
//!     "02:00:00:00:0a:02".parse()?,
//!     Ipv4Addr::new(198, 18, 0, 1),
//!     Ipv4Addr::new(198, 18, 0, 2),
//! );
//! let mut frame = [0u8; 128];
//! let len = vxlan_frame(&mut frame, &outer, &VxlanHeader::new(Vni::try_from(100)?), &inner[..n])?;
//! assert_eq!(len, outer.header_len() + n);
//! assert_eq!(len, 14 + 20 + 8 + 8 + 42);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::{Error, ErrorKind, Proto};
use crate::wire::arp::ArpOp;
use crate::wire::igmp::{GroupRecordHeader, IgmpHeader, IgmpType, RecordType, V3QueryFields};
use crate::wire::mac::MacAddr;
use crate::wire::vxlan::{VxlanHeader, HEADER_LEN as VXLAN_LEN, PORT_IANA};
use core::net::{Ipv4Addr, Ipv6Addr};
use etherparse::{
    ArpEthIpv4Packet, ArpOperation, EtherType, Ethernet2Header, IcmpEchoHeader, Icmpv4Header, Icmpv4Type,
    IpDscp, IpEcn, IpNumber, Ipv4Header, Ipv4Options, Ipv6FlowLabel, Ipv6Header, SingleVlanHeader, UdpHeader,
    VlanId, VlanPcp,
};

/// The lowest UDP source port the builders generate (49153: the ephemeral range 49152–65535 of
/// RFC 7348 §5 without 49152, which tcpdump ≤ 4.99.4 misreads as a Broadcom LI shim).
pub const SRC_PORT_MIN: u16 = 49153;
/// The highest UDP source port the builders generate.
pub const SRC_PORT_MAX: u16 = 65535;

const ETH_LEN: usize = 14;
const VLAN_LEN: usize = 4;
const IPV4_LEN: usize = 20;
const IPV6_LEN: usize = 40;
const UDP_LEN: usize = 8;
const ETH_IPV4: u16 = 0x0800;
const ETH_IPV6: u16 = 0x86dd;
const ETH_ARP: u16 = 0x0806;
const ETH_VLAN: u16 = 0x8100;

/// The outer IP header of a VXLAN frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OuterIp {
    /// IPv4 (20 bytes, no options).
    V4 {
        /// Source address (the sending VTEP).
        src: Ipv4Addr,
        /// Destination address (the receiving VTEP or a multicast group).
        dst: Ipv4Addr,
        /// The whole ToS byte: DSCP in the upper 6 bits, ECN in the lower 2.
        tos: u8,
        /// Time to live.
        ttl: u8,
        /// Identification field.
        id: u16,
        /// The DF flag (Linux sets it only with `df set` / `df inherit`).
        dont_fragment: bool,
    },
    /// IPv6 (40 bytes, no extension headers).
    V6 {
        /// Source address.
        src: Ipv6Addr,
        /// Destination address.
        dst: Ipv6Addr,
        /// Traffic class: DSCP in the upper 6 bits, ECN in the lower 2.
        traffic_class: u8,
        /// Flow label (20 bits; larger values are an error).
        flow_label: u32,
        /// Hop limit.
        hop_limit: u8,
    },
}

/// How the outer UDP source port is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SrcPort {
    /// This port, as given.
    Fixed(u16),
    /// [`src_port_for`] of the inner frame: 49153–65535, stable per inner flow.
    FromInnerHash,
}

/// Everything outside the VXLAN header: outer Ethernet, optional 802.1Q tag, IP and UDP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Outer {
    /// Outer Ethernet source (the sending VTEP's underlay MAC).
    pub src_mac: MacAddr,
    /// Outer Ethernet destination (the next hop's MAC, or a multicast MAC).
    pub dst_mac: MacAddr,
    /// An 802.1Q tag with this VLAN ID (0–4095, priority 0) before the IP header, or none.
    pub vlan: Option<u16>,
    /// The outer IP header.
    pub ip: OuterIp,
    /// The UDP source port.
    pub src_port: SrcPort,
    /// The UDP destination port (4789 IANA, 8472 Linux default).
    pub dst_port: u16,
    /// Compute the UDP checksum over IPv4 (otherwise 0). Ignored for IPv6, where it is always computed.
    pub udp_checksum: bool,
}

impl Outer {
    /// An IPv4 outer stack with Linux's defaults: no VLAN, ToS 0, TTL 64, ID 0, DF clear,
    /// source port from the inner flow hash, destination port 4789, UDP checksum 0.
    pub const fn v4(src_mac: MacAddr, dst_mac: MacAddr, src: Ipv4Addr, dst: Ipv4Addr) -> Outer {
        Outer {
            src_mac,
            dst_mac,
            vlan: None,
            ip: OuterIp::V4 { src, dst, tos: 0, ttl: 64, id: 0, dont_fragment: false },
            src_port: SrcPort::FromInnerHash,
            dst_port: PORT_IANA,
            udp_checksum: false,
        }
    }

    /// An IPv6 outer stack: no VLAN, traffic class 0, flow label 0, hop limit 64, source port
    /// from the inner flow hash, destination port 4789, UDP checksum computed.
    pub const fn v6(src_mac: MacAddr, dst_mac: MacAddr, src: Ipv6Addr, dst: Ipv6Addr) -> Outer {
        Outer {
            src_mac,
            dst_mac,
            vlan: None,
            ip: OuterIp::V6 { src, dst, traffic_class: 0, flow_label: 0, hop_limit: 64 },
            src_port: SrcPort::FromInnerHash,
            dst_port: PORT_IANA,
            udp_checksum: true,
        }
    }

    /// Bytes before the inner frame: Ethernet, tag, IP, UDP and the 8-byte VXLAN header
    /// (50 for IPv4 untagged, 70 for IPv6 untagged).
    pub const fn header_len(&self) -> usize {
        let tag = if self.vlan.is_some() { VLAN_LEN } else { 0 };
        let ip = match self.ip {
            OuterIp::V4 { .. } => IPV4_LEN,
            OuterIp::V6 { .. } => IPV6_LEN,
        };
        ETH_LEN + tag + ip + UDP_LEN + VXLAN_LEN
    }
}

fn too_small(needed: usize, present: usize) -> Error {
    Error::truncated(Proto::Buffer, needed, present)
}

fn out_of_range(proto: Proto, limit: usize, value: usize) -> Error {
    Error::new(proto, ErrorKind::OutOfRange, limit, value)
}

fn dscp_ecn(tos: u8) -> (IpDscp, IpEcn) {
    // Both conversions are in range by construction (6 and 2 bits); the defaults are unreachable.
    (IpDscp::try_new(tos >> 2).unwrap_or_default(), IpEcn::try_new(tos & 3).unwrap_or_default())
}

/// Builds a whole VXLAN frame: `outer`, then `vxlan`, then `inner` (normally an Ethernet frame).
/// Returns the frame length, `outer.header_len() + inner.len()`.
///
/// # Errors
/// - [`Proto::Buffer`] truncation if `buf` is shorter than the frame;
/// - [`ErrorKind::OutOfRange`] for a VLAN ID above 4095 ([`Proto::Vlan`]), a flow label above
///   2^20 - 1 ([`Proto::Ipv6`]) or a frame too long for the IP/UDP length fields ([`Proto::Udp`]).
///
/// ```
/// use vxwire::build::{vxlan_frame, Outer};
/// use vxwire::wire::vxlan::{Vni, VxlanHeader};
/// use vxwire::{MacAddr, Proto};
/// let outer = Outer::v6(MacAddr::new(2, 0, 0, 0x18, 0, 1), MacAddr::new(2, 0, 0, 0x18, 0, 2), "fd00:18::1".parse()?, "fd00:18::2".parse()?);
/// let inner = [0u8; 60]; // any inner Ethernet frame
/// let mut buf = [0u8; 256];
/// let len = vxlan_frame(&mut buf, &outer, &VxlanHeader::new(Vni::try_from(400)?), &inner)?;
/// assert_eq!(len, 14 + 40 + 8 + 8 + 60);
/// // Too small a buffer is an error with the byte counts, not a panic.
/// let e = vxlan_frame(&mut buf[..100], &outer, &VxlanHeader::new(Vni::try_from(400)?), &inner).unwrap_err();
/// assert_eq!((e.proto, e.needed, e.present), (Proto::Buffer, 130, 100));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn vxlan_frame(buf: &mut [u8], outer: &Outer, vxlan: &VxlanHeader, inner: &[u8]) -> Result<usize, Error> {
    let off = outer.header_len();
    let total = off + inner.len();
    let present = buf.len();
    let dst = buf.get_mut(off..total).ok_or(too_small(total, present))?;
    dst.copy_from_slice(inner);
    encapsulate(buf, outer, vxlan, inner.len())
}

/// Writes the outer headers and the VXLAN header in front of an inner frame of `inner_len`
/// bytes that is already in place at `buf[outer.header_len()..]` (build the inner frame there
/// with [`arp`], [`igmp`], [`icmp_echo`] to avoid a copy). Returns the frame length.
///
/// # Errors
/// As [`vxlan_frame`].
pub fn encapsulate(
    buf: &mut [u8],
    outer: &Outer,
    vxlan: &VxlanHeader,
    inner_len: usize,
) -> Result<usize, Error> {
    let off = outer.header_len();
    let total = off.saturating_add(inner_len);
    if buf.len() < total {
        return Err(too_small(total, buf.len()));
    }
    let udp_len = UDP_LEN + VXLAN_LEN + inner_len;
    if udp_len > usize::from(u16::MAX) - IPV4_LEN {
        return Err(out_of_range(Proto::Udp, usize::from(u16::MAX) - IPV4_LEN, udp_len));
    }
    let src_port = match outer.src_port {
        SrcPort::Fixed(p) => p,
        SrcPort::FromInnerHash => src_port_for(&buf[off..total]),
    };
    let (eth_type, mut at) = match outer.ip {
        OuterIp::V4 { .. } => (ETH_IPV4, 0),
        OuterIp::V6 { .. } => (ETH_IPV6, 0),
    };
    // Ethernet and the optional tag.
    let first_type = if outer.vlan.is_some() { ETH_VLAN } else { eth_type };
    let eth = Ethernet2Header {
        source: outer.src_mac.octets(),
        destination: outer.dst_mac.octets(),
        ether_type: EtherType(first_type),
    };
    buf[at..at + ETH_LEN].copy_from_slice(&eth.to_bytes());
    at += ETH_LEN;
    if let Some(vid) = outer.vlan {
        let vlan_id = VlanId::try_new(vid).map_err(|_| out_of_range(Proto::Vlan, 4095, usize::from(vid)))?;
        let tag = SingleVlanHeader {
            pcp: VlanPcp::ZERO,
            drop_eligible_indicator: false,
            vlan_id,
            ether_type: EtherType(eth_type),
        };
        buf[at..at + VLAN_LEN].copy_from_slice(&tag.to_bytes());
        at += VLAN_LEN;
    }
    // `udp_len` fits in u16 (checked above).
    let udp_len16 = udp_len as u16;
    let ip_at = at;
    let udp_at = match outer.ip {
        OuterIp::V4 { src, dst, tos, ttl, id, dont_fragment } => {
            let (dscp, ecn) = dscp_ecn(tos);
            let mut h = Ipv4Header {
                dscp,
                ecn,
                total_len: udp_len16 + IPV4_LEN as u16,
                identification: id,
                dont_fragment,
                more_fragments: false,
                fragment_offset: Default::default(),
                time_to_live: ttl,
                protocol: IpNumber::UDP,
                header_checksum: 0,
                source: src.octets(),
                destination: dst.octets(),
                options: Ipv4Options::new(),
            };
            h.header_checksum = h.calc_header_checksum();
            buf[ip_at..ip_at + IPV4_LEN].copy_from_slice(&h.to_bytes());
            ip_at + IPV4_LEN
        }
        OuterIp::V6 { src, dst, traffic_class, flow_label, hop_limit } => {
            let flow_label = Ipv6FlowLabel::try_new(flow_label)
                .map_err(|_| out_of_range(Proto::Ipv6, 0xf_ffff, flow_label as usize))?;
            let h = Ipv6Header {
                traffic_class,
                flow_label,
                payload_length: udp_len16,
                next_header: IpNumber::UDP,
                hop_limit,
                source: src.octets(),
                destination: dst.octets(),
            };
            buf[ip_at..ip_at + IPV6_LEN].copy_from_slice(&h.to_bytes());
            ip_at + IPV6_LEN
        }
    };
    vxlan.write(&mut buf[udp_at + UDP_LEN..])?;
    let mut udp =
        UdpHeader { source_port: src_port, destination_port: outer.dst_port, length: udp_len16, checksum: 0 };
    let payload = &buf[udp_at + UDP_LEN..total];
    udp.checksum = match outer.ip {
        OuterIp::V4 { src, dst, .. } if outer.udp_checksum => udp
            .calc_checksum_ipv4_raw(src.octets(), dst.octets(), payload)
            .map_err(|e| out_of_range(Proto::Udp, e.max_allowed, e.actual))?,
        OuterIp::V4 { .. } => 0,
        OuterIp::V6 { src, dst, .. } => udp
            .calc_checksum_ipv6_raw(src.octets(), dst.octets(), payload)
            .map_err(|e| out_of_range(Proto::Udp, e.max_allowed, e.actual))?,
    };
    buf[udp_at..udp_at + UDP_LEN].copy_from_slice(&udp.to_bytes());
    Ok(total)
}

/// A 32-bit hash of the inner frame's flow: the Ethernet addresses and type, and for IPv4/IPv6
/// (after up to two VLAN tags) the addresses, the protocol and, for TCP/UDP/SCTP, the ports.
/// Frames of one flow hash alike whatever their payload; the hash is FNV-1a, stable across runs
/// and platforms (Linux uses its salted flow dissector hash instead, so values differ from the kernel's).
pub fn inner_flow_hash(inner: &[u8]) -> u32 {
    const OFFSET: u32 = 0x811c_9dc5;
    const PRIME: u32 = 0x0100_0193;
    fn feed(mut h: u32, bytes: &[u8]) -> u32 {
        for b in bytes {
            h ^= u32::from(*b);
            h = h.wrapping_mul(PRIME);
        }
        h
    }
    let mut h = feed(OFFSET, inner.get(..ETH_LEN).unwrap_or(inner));
    let mut at = 12;
    let mut ty = match inner.get(12..14) {
        Some(t) => u16::from_be_bytes([t[0], t[1]]),
        None => return h,
    };
    for _ in 0..2 {
        if ty == ETH_VLAN || ty == 0x88a8 {
            at += 4;
            ty = match inner.get(at..at + 2) {
                Some(t) => u16::from_be_bytes([t[0], t[1]]),
                None => return h,
            };
        }
    }
    let l3 = at + 2;
    let (proto, addrs, l4) = match ty {
        ETH_IPV4 => match inner.get(l3..l3 + IPV4_LEN) {
            Some(ip) => (ip[9], &ip[12..20], l3 + usize::from(ip[0] & 0x0f) * 4),
            None => return h,
        },
        ETH_IPV6 => match inner.get(l3..l3 + IPV6_LEN) {
            Some(ip) => (ip[6], &ip[8..40], l3 + IPV6_LEN),
            None => return h,
        },
        _ => return h,
    };
    h = feed(h, addrs);
    h = feed(h, &[proto]);
    if matches!(proto, 6 | 17 | 132) {
        if let Some(ports) = inner.get(l4..l4 + 4) {
            h = feed(h, ports);
        }
    }
    h
}

/// The UDP source port for a hash: 49153–65535 (16383 values; never 49152).
pub const fn src_port_from_hash(hash: u32) -> u16 {
    let span = (SRC_PORT_MAX - SRC_PORT_MIN) as u32 + 1;
    // hash % span < 16383, so the sum stays within u16.
    SRC_PORT_MIN + (hash % span) as u16
}

/// The UDP source port the builders use for this inner frame: [`src_port_from_hash`] of
/// [`inner_flow_hash`].
pub fn src_port_for(inner: &[u8]) -> u16 {
    src_port_from_hash(inner_flow_hash(inner))
}

// ---------------------------------------------------------------------------------------------
// Inner frames
// ---------------------------------------------------------------------------------------------

/// Writes an Ethernet II header and returns the offset after it.
fn write_eth(buf: &mut [u8], src: MacAddr, dst: MacAddr, ether_type: u16) {
    let eth = Ethernet2Header {
        source: src.octets(),
        destination: dst.octets(),
        ether_type: EtherType(ether_type),
    };
    buf[..ETH_LEN].copy_from_slice(&eth.to_bytes());
}

/// An ARP packet for Ethernet/IPv4 inside an Ethernet frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArpSpec {
    /// Ethernet source.
    pub eth_src: MacAddr,
    /// Ethernet destination.
    pub eth_dst: MacAddr,
    /// The opcode ([`ArpOp::REQUEST`], [`ArpOp::REPLY`], or any other value).
    pub operation: ArpOp,
    /// Sender hardware address.
    pub sender_mac: MacAddr,
    /// Sender protocol address.
    pub sender_ip: Ipv4Addr,
    /// Target hardware address (zero in a request).
    pub target_mac: MacAddr,
    /// Target protocol address.
    pub target_ip: Ipv4Addr,
}

impl ArpSpec {
    /// A broadcast who-has request from `mac`/`ip` for `target`, target MAC zero (as Linux sends it).
    pub const fn request(mac: MacAddr, ip: Ipv4Addr, target: Ipv4Addr) -> ArpSpec {
        ArpSpec {
            eth_src: mac,
            eth_dst: MacAddr::BROADCAST,
            operation: ArpOp::REQUEST,
            sender_mac: mac,
            sender_ip: ip,
            target_mac: MacAddr::ZERO,
            target_ip: target,
        }
    }

    /// A unicast is-at reply from `mac`/`ip` to the requester `to_mac`/`to_ip`.
    pub const fn reply(mac: MacAddr, ip: Ipv4Addr, to_mac: MacAddr, to_ip: Ipv4Addr) -> ArpSpec {
        ArpSpec {
            eth_src: mac,
            eth_dst: to_mac,
            operation: ArpOp::REPLY,
            sender_mac: mac,
            sender_ip: ip,
            target_mac: to_mac,
            target_ip: to_ip,
        }
    }

    /// A gratuitous ARP announcing `mac`/`ip`: a broadcast request whose sender and target
    /// protocol addresses are both `ip` and whose target MAC is zero (Linux's `arp_send` form,
    /// RFC 5227 §3 announcement).
    pub const fn gratuitous(mac: MacAddr, ip: Ipv4Addr) -> ArpSpec {
        ArpSpec::request(mac, ip, ip)
    }
}

/// Length of an Ethernet + ARP (Ethernet/IPv4) frame: 42 bytes, unpadded.
pub const ARP_FRAME_LEN: usize = ETH_LEN + ArpEthIpv4Packet::LEN;

/// Builds an Ethernet frame carrying the ARP packet `spec` (42 bytes, no padding). Returns 42.
///
/// # Errors
/// [`Proto::Buffer`] truncation if `buf` is shorter than 42 bytes.
pub fn arp(buf: &mut [u8], spec: &ArpSpec) -> Result<usize, Error> {
    if buf.len() < ARP_FRAME_LEN {
        return Err(too_small(ARP_FRAME_LEN, buf.len()));
    }
    write_eth(buf, spec.eth_src, spec.eth_dst, ETH_ARP);
    let a = ArpEthIpv4Packet {
        operation: ArpOperation(spec.operation.0),
        sender_mac: spec.sender_mac.octets(),
        sender_ipv4: spec.sender_ip.octets(),
        target_mac: spec.target_mac.octets(),
        target_ipv4: spec.target_ip.octets(),
    };
    buf[ETH_LEN..ARP_FRAME_LEN].copy_from_slice(&a.to_bytes());
    Ok(ARP_FRAME_LEN)
}

/// One group record of an IGMPv3 report (RFC 3376 §4.2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GroupRecordSpec<'a> {
    /// The record type (MODE_IS_INCLUDE ... BLOCK_OLD_SOURCES).
    pub record_type: RecordType,
    /// The multicast address.
    pub group: Ipv4Addr,
    /// The source addresses (at most 65535).
    pub sources: &'a [Ipv4Addr],
    /// Auxiliary data; its length must be a multiple of 4 and at most 1020 bytes.
    pub aux_data: &'a [u8],
}

impl GroupRecordSpec<'_> {
    /// The record's length in bytes.
    pub const fn len(&self) -> usize {
        8 + 4 * self.sources.len() + self.aux_data.len()
    }

    /// Whether the record has neither sources nor auxiliary data (it still takes 8 bytes).
    pub const fn is_empty(&self) -> bool {
        self.sources.is_empty() && self.aux_data.is_empty()
    }
}

/// An IGMP message, any version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IgmpMessage<'a> {
    /// IGMPv1 membership report (type 0x12) for `group`.
    V1Report {
        /// The group joined.
        group: Ipv4Addr,
    },
    /// IGMPv2 membership report (type 0x16) for `group`.
    V2Report {
        /// The group joined.
        group: Ipv4Addr,
    },
    /// IGMPv2 leave group (type 0x17) for `group`.
    V2Leave {
        /// The group left.
        group: Ipv4Addr,
    },
    /// IGMPv1 query (type 0x11, code 0, 8 bytes).
    V1Query,
    /// IGMPv2 query (type 0x11, 8 bytes): general when `group` is 0.0.0.0, group-specific otherwise.
    V2Query {
        /// Max response time in tenths of a second (must not be 0, which would read as v1).
        max_resp_time: u8,
        /// 0.0.0.0 for a general query, else the group queried.
        group: Ipv4Addr,
    },
    /// IGMPv3 query (type 0x11, 12 bytes plus 4 per source).
    V3Query {
        /// Max Resp Code (RFC 3376 §4.1.1 encoding; tenths of a second).
        max_resp_code: u8,
        /// 0.0.0.0 for a general query, else the group queried.
        group: Ipv4Addr,
        /// The S flag (suppress router-side processing).
        s_flag: bool,
        /// Querier's Robustness Variable (0–7).
        qrv: u8,
        /// Querier's Query Interval Code (seconds, §4.1.7 encoding).
        qqic: u8,
        /// The sources of a group-and-source-specific query (at most 65535).
        sources: &'a [Ipv4Addr],
    },
    /// IGMPv3 membership report (type 0x22) with these group records (at most 65535).
    V3Report {
        /// The group records.
        records: &'a [GroupRecordSpec<'a>],
    },
}

/// 224.0.0.1, all systems.
pub const ALL_SYSTEMS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 1);
/// 224.0.0.2, all routers (IGMPv2 leaves).
pub const ALL_ROUTERS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 2);
/// 224.0.0.22, all IGMPv3-capable routers (IGMPv3 reports).
pub const ALL_IGMPV3_ROUTERS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 22);

impl IgmpMessage<'_> {
    /// The IGMP message length in bytes.
    pub fn len(&self) -> usize {
        match self {
            IgmpMessage::V3Query { sources, .. } => 12 + 4 * sources.len(),
            IgmpMessage::V3Report { records } => 8 + records.iter().map(GroupRecordSpec::len).sum::<usize>(),
            _ => 8,
        }
    }

    /// Always false: every IGMP message has at least 8 bytes.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The IP destination the message goes to: the group for v1/v2 reports (RFC 1112, 2236 §2),
    /// 224.0.0.2 for leaves (RFC 2236 §3), 224.0.0.22 for v3 reports (RFC 3376 §4.2.14),
    /// 224.0.0.1 for general queries and the group for group-specific queries.
    pub fn default_destination(&self) -> Ipv4Addr {
        match *self {
            IgmpMessage::V1Report { group } | IgmpMessage::V2Report { group } => group,
            IgmpMessage::V2Leave { .. } => ALL_ROUTERS,
            IgmpMessage::V3Report { .. } => ALL_IGMPV3_ROUTERS,
            IgmpMessage::V1Query => ALL_SYSTEMS,
            IgmpMessage::V2Query { group, .. } | IgmpMessage::V3Query { group, .. } => {
                if group.is_unspecified() {
                    ALL_SYSTEMS
                } else {
                    group
                }
            }
        }
    }
}

/// An IGMP message in an IPv4 packet in an Ethernet frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IgmpSpec<'a> {
    /// Ethernet source.
    pub eth_src: MacAddr,
    /// Ethernet destination; `None` for the multicast MAC of the IP destination.
    pub eth_dst: Option<MacAddr>,
    /// IPv4 source (the host's address; 0.0.0.0 is allowed for v3 reports).
    pub src_ip: Ipv4Addr,
    /// IPv4 destination; `None` for [`IgmpMessage::default_destination`].
    pub dst_ip: Option<Ipv4Addr>,
    /// Time to live (1 by the RFCs).
    pub ttl: u8,
    /// The ToS byte (0xC0, internetwork control, as Linux sends it).
    pub tos: u8,
    /// IP identification.
    pub ip_id: u16,
    /// Add the 4-byte Router Alert option (RFC 2113), as Linux does for every IGMP version.
    pub router_alert: bool,
    /// The message.
    pub message: IgmpMessage<'a>,
}

impl<'a> IgmpSpec<'a> {
    /// A message from `mac`/`ip` with TTL 1, ToS 0xC0, ID 0, Router Alert, and the default
    /// IP and Ethernet destinations.
    pub const fn new(mac: MacAddr, ip: Ipv4Addr, message: IgmpMessage<'a>) -> IgmpSpec<'a> {
        IgmpSpec {
            eth_src: mac,
            eth_dst: None,
            src_ip: ip,
            dst_ip: None,
            ttl: 1,
            tos: 0xc0,
            ip_id: 0,
            router_alert: true,
            message,
        }
    }

    /// The IP destination used: `dst_ip` or the message's default.
    pub fn destination(&self) -> Ipv4Addr {
        self.dst_ip.unwrap_or_else(|| self.message.default_destination())
    }
}

/// The Router Alert option: type 148 (copied, class 0, number 20), length 4, value 0.
const ROUTER_ALERT: [u8; 4] = [0x94, 0x04, 0x00, 0x00];

/// Writes the IGMP message `msg` alone (no IP header) at the start of `buf`, with its checksum
/// over the whole message; returns its length ([`IgmpMessage::len`]). Reserved fields are zero.
///
/// # Errors
/// [`Proto::Buffer`] truncation if `buf` is too short; [`ErrorKind::OutOfRange`] ([`Proto::Igmp`])
/// for more than 65535 sources or records, a QRV above 7, or auxiliary data not a multiple of 4
/// bytes (or above 1020).
pub fn igmp_message(buf: &mut [u8], msg: &IgmpMessage<'_>) -> Result<usize, Error> {
    fn count(n: usize) -> Result<u16, Error> {
        u16::try_from(n).map_err(|_| out_of_range(Proto::Igmp, 65535, n))
    }
    fn put_addrs(buf: &mut [u8], at: usize, addrs: &[Ipv4Addr]) -> usize {
        let mut at = at;
        for a in addrs {
            buf[at..at + 4].copy_from_slice(&a.octets());
            at += 4;
        }
        at
    }
    let len = msg.len();
    if buf.len() < len {
        return Err(too_small(len, buf.len()));
    }
    let buf = &mut buf[..len];
    let (igmp_type, max_resp_code, group) = match *msg {
        IgmpMessage::V1Report { group } => (IgmpType::V1_REPORT, 0, group),
        IgmpMessage::V2Report { group } => (IgmpType::V2_REPORT, 0, group),
        IgmpMessage::V2Leave { group } => (IgmpType::V2_LEAVE, 0, group),
        IgmpMessage::V1Query => (IgmpType::MEMBERSHIP_QUERY, 0, Ipv4Addr::UNSPECIFIED),
        IgmpMessage::V2Query { max_resp_time, group } => (IgmpType::MEMBERSHIP_QUERY, max_resp_time, group),
        IgmpMessage::V3Query { max_resp_code, group, .. } => {
            (IgmpType::MEMBERSHIP_QUERY, max_resp_code, group)
        }
        // Bytes 4–5 reserved, 6–7 the number of group records.
        IgmpMessage::V3Report { records } => {
            let n = count(records.len())?.to_be_bytes();
            (IgmpType::V3_REPORT, 0, Ipv4Addr::new(0, 0, n[0], n[1]))
        }
    };
    IgmpHeader { igmp_type, max_resp_code, checksum: 0, group }.write(buf)?;
    match *msg {
        IgmpMessage::V3Query { s_flag, qrv, qqic, sources, .. } => {
            if qrv > 7 {
                return Err(out_of_range(Proto::Igmp, 7, usize::from(qrv)));
            }
            let f = V3QueryFields { reserved: 0, s_flag, qrv, qqic, num_sources: count(sources.len())? };
            buf[8..12].copy_from_slice(&f.to_bytes());
            put_addrs(buf, 12, sources);
        }
        IgmpMessage::V3Report { records } => {
            let mut at = 8;
            for r in records {
                if r.aux_data.len() % 4 != 0 || r.aux_data.len() > 255 * 4 {
                    return Err(out_of_range(Proto::Igmp, 255 * 4, r.aux_data.len()));
                }
                let h = GroupRecordHeader {
                    record_type: r.record_type,
                    // At most 255 (checked above).
                    aux_len: (r.aux_data.len() / 4) as u8,
                    num_sources: count(r.sources.len())?,
                    group: r.group,
                };
                buf[at..at + 8].copy_from_slice(&h.to_bytes());
                at = put_addrs(buf, at + 8, r.sources);
                buf[at..at + r.aux_data.len()].copy_from_slice(r.aux_data);
                at += r.aux_data.len();
            }
        }
        _ => {}
    }
    // etherparse sums native-endian words: its result goes to the wire with `to_ne_bytes`.
    let sum = etherparse::checksum::Sum16BitWords::new().add_slice(buf).ones_complement();
    buf[2..4].copy_from_slice(&sum.to_ne_bytes());
    Ok(len)
}

/// Writes an IPv4 header for `payload_len` bytes of `protocol` at the start of `buf` and returns its length.
#[allow(clippy::too_many_arguments)]
fn write_ipv4(
    buf: &mut [u8],
    src: Ipv4Addr,
    dst: Ipv4Addr,
    protocol: IpNumber,
    tos: u8,
    ttl: u8,
    id: u16,
    options: &[u8],
    payload_len: usize,
) -> Result<usize, Error> {
    let hlen = IPV4_LEN + options.len();
    let total = hlen + payload_len;
    let total16 =
        u16::try_from(total).map_err(|_| out_of_range(Proto::Ipv4, usize::from(u16::MAX), total))?;
    let (dscp, ecn) = dscp_ecn(tos);
    let options = Ipv4Options::try_from(options).map_err(|_| out_of_range(Proto::Ipv4, 40, options.len()))?;
    let mut h = Ipv4Header {
        dscp,
        ecn,
        total_len: total16,
        identification: id,
        dont_fragment: true,
        more_fragments: false,
        fragment_offset: Default::default(),
        time_to_live: ttl,
        protocol,
        header_checksum: 0,
        source: src.octets(),
        destination: dst.octets(),
        options,
    };
    h.header_checksum = h.calc_header_checksum();
    buf[..hlen].copy_from_slice(&h.to_bytes());
    Ok(hlen)
}

/// Builds an Ethernet frame carrying an IPv4 packet with the IGMP message of `spec` (DF set, as
/// Linux sends IGMP). Returns the frame length: 14 + 20 (+ 4 with Router Alert) + the message.
///
/// # Errors
/// [`Proto::Buffer`] truncation if `buf` is too short; [`ErrorKind::OutOfRange`] ([`Proto::Igmp`])
/// for more than 65535 sources or records, a QRV above 7 or auxiliary data not a multiple of 4
/// bytes (or above 1020); [`Proto::Ipv4`] if the packet exceeds 65535 bytes.
pub fn igmp(buf: &mut [u8], spec: &IgmpSpec<'_>) -> Result<usize, Error> {
    let msg_len = spec.message.len();
    let opts: &[u8] = if spec.router_alert { &ROUTER_ALERT } else { &[] };
    let total = ETH_LEN + IPV4_LEN + opts.len() + msg_len;
    if buf.len() < total {
        return Err(too_small(total, buf.len()));
    }
    let dst = spec.destination();
    write_eth(buf, spec.eth_src, spec.eth_dst.unwrap_or(MacAddr::from_ipv4_multicast(dst)), ETH_IPV4);
    let hlen = write_ipv4(
        &mut buf[ETH_LEN..],
        spec.src_ip,
        dst,
        IpNumber::IGMP,
        spec.tos,
        spec.ttl,
        spec.ip_id,
        opts,
        msg_len,
    )?;
    igmp_message(&mut buf[ETH_LEN + hlen..total], &spec.message)?;
    Ok(total)
}

/// An ICMP echo request or reply in an IPv4 packet in an Ethernet frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EchoSpec<'a> {
    /// Ethernet source.
    pub eth_src: MacAddr,
    /// Ethernet destination.
    pub eth_dst: MacAddr,
    /// IPv4 source.
    pub src_ip: Ipv4Addr,
    /// IPv4 destination.
    pub dst_ip: Ipv4Addr,
    /// A reply (type 0) instead of a request (type 8).
    pub reply: bool,
    /// The identifier.
    pub id: u16,
    /// The sequence number.
    pub seq: u16,
    /// The data after the 8-byte ICMP header.
    pub payload: &'a [u8],
    /// Time to live.
    pub ttl: u8,
    /// The ToS byte.
    pub tos: u8,
    /// IP identification.
    pub ip_id: u16,
}

impl<'a> EchoSpec<'a> {
    /// An echo request with TTL 64, ToS 0, IP ID 0 (DF is always set, as Linux's ping does).
    pub const fn request(
        eth_src: MacAddr,
        eth_dst: MacAddr,
        src_ip: Ipv4Addr,
        dst_ip: Ipv4Addr,
        id: u16,
        seq: u16,
        payload: &'a [u8],
    ) -> EchoSpec<'a> {
        EchoSpec {
            eth_src,
            eth_dst,
            src_ip,
            dst_ip,
            reply: false,
            id,
            seq,
            payload,
            ttl: 64,
            tos: 0,
            ip_id: 0,
        }
    }
}

/// Builds an Ethernet frame carrying an IPv4 ICMP echo request or reply with its checksum.
/// Returns the frame length, 14 + 20 + 8 + the payload.
///
/// # Errors
/// [`Proto::Buffer`] truncation if `buf` is too short; [`Proto::Ipv4`] out of range if the
/// packet exceeds 65535 bytes.
pub fn icmp_echo(buf: &mut [u8], spec: &EchoSpec<'_>) -> Result<usize, Error> {
    let icmp_len = 8 + spec.payload.len();
    let total = ETH_LEN + IPV4_LEN + icmp_len;
    if buf.len() < total {
        return Err(too_small(total, buf.len()));
    }
    write_eth(buf, spec.eth_src, spec.eth_dst, ETH_IPV4);
    let hlen = write_ipv4(
        &mut buf[ETH_LEN..],
        spec.src_ip,
        spec.dst_ip,
        IpNumber::ICMP,
        spec.tos,
        spec.ttl,
        spec.ip_id,
        &[],
        icmp_len,
    )?;
    let echo = IcmpEchoHeader { id: spec.id, seq: spec.seq };
    let ty = if spec.reply { Icmpv4Type::EchoReply(echo) } else { Icmpv4Type::EchoRequest(echo) };
    let h = Icmpv4Header::with_checksum(ty, spec.payload);
    let at = ETH_LEN + hlen;
    let hb = h.to_bytes();
    buf[at..at + 8].copy_from_slice(&hb);
    buf[at + 8..total].copy_from_slice(spec.payload);
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn src_port_range() {
        assert_eq!(src_port_from_hash(0), 49153);
        assert_eq!(src_port_from_hash(16382), 65535);
        assert_eq!(src_port_from_hash(16383), 49153);
        assert_eq!(src_port_from_hash(u32::MAX), 49153 + (u32::MAX % 16383) as u16);
    }

    #[test]
    fn small_buffers_are_errors() {
        let spec = ArpSpec::gratuitous(MacAddr([2, 0, 0, 0, 0, 1]), Ipv4Addr::new(10, 0, 0, 1));
        for n in 0..ARP_FRAME_LEN {
            let mut b = [0xa5u8; ARP_FRAME_LEN];
            assert_eq!(arp(&mut b[..n], &spec), Err(Error::truncated(Proto::Buffer, 42, n)));
        }
        let outer = Outer::v4(MacAddr([2; 6]), MacAddr([4; 6]), Ipv4Addr::LOCALHOST, Ipv4Addr::LOCALHOST);
        let vx = VxlanHeader::default();
        for n in 0..60 {
            let mut b = [0u8; 60];
            let r = vxlan_frame(&mut b[..n], &outer, &vx, &[1u8; 10]);
            assert_eq!(r, if n >= 60 { Ok(60) } else { Err(Error::truncated(Proto::Buffer, 60, n)) });
        }
    }
}
