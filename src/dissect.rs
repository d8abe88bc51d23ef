//! Bytes to layers, outer to inner, without allocating.
//!
//! [`dissect`] walks a captured frame from its link layer down: Ethernet (with any number of
//! 802.1Q/802.1ad tags), Linux cooked v1/v2 or raw IP; IPv4 (with options) and IPv6 (with extension
//! headers); UDP, TCP, ICMP, ICMPv6, IGMP, ARP; VXLAN on a configurable set of UDP ports and
//! VXLAN-GPE, whose inner frames are walked the same way, up to a depth cap.
//!
//! Every layer borrows the input. When a layer cannot be read (too short, a length field that
//! lies, a bad version), the [`Dissection`] keeps the layers read so far and records the
//! [`Error`] with the layer, the bytes needed and the bytes present, so that a printer can still
//! show everything up to the break, as tcpdump does.

use crate::error::{Error, ErrorKind, Proto};
use crate::wire::igmp::IgmpSlice;
use crate::wire::sll::{LinuxSll2Slice, LinuxSllSlice};
use crate::wire::vxlan::{VxlanSlice, PORT_GPE, PORT_IANA, PORT_LINUX};
use crate::wire::vxlan_gpe::{GpeNextProto, VxlanGpeSlice};
use arrayvec::ArrayVec;
use etherparse::checksum::Sum16BitWords;
use etherparse::{
    ArpPacketSlice, Ethernet2HeaderSlice, Icmpv4Slice, Icmpv6Slice, Ipv4HeaderSlice, Ipv6ExtensionsSlice,
    Ipv6HeaderSlice, SingleVlanHeaderSlice, TcpHeaderSlice, UdpHeaderSlice,
};

mod debug;
mod view;
pub use view::Frame;

/// How many layers a [`Dissection`] holds at most.
pub const MAX_LAYERS: usize = 24;

/// The link layer a capture's frames start with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkType {
    /// Ethernet II (LINKTYPE_ETHERNET, 1).
    Ethernet,
    /// Linux cooked capture v1 (LINKTYPE_LINUX_SLL, 113).
    LinuxSll,
    /// Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 276).
    LinuxSll2,
    /// Raw IP, version from the first nibble (LINKTYPE_RAW, 101).
    RawIp,
    /// Raw IPv4 (LINKTYPE_IPV4, 228).
    Ipv4,
    /// Raw IPv6 (LINKTYPE_IPV6, 229).
    Ipv6,
}

impl LinkType {
    /// Every link type the crate reads, in the order of the enum.
    pub const ALL: [LinkType; 6] = [
        LinkType::Ethernet,
        LinkType::LinuxSll,
        LinkType::LinuxSll2,
        LinkType::RawIp,
        LinkType::Ipv4,
        LinkType::Ipv6,
    ];

    /// The link type for a pcap/pcapng LINKTYPE_ value, or `None` if the crate does not read it.
    ///
    /// Only the low 26 bits name the link type (as libpcap's `LT_LINKTYPE`); the pcap header's
    /// upper bits say whether frames carry an FCS and are ignored here (tcpdump's
    /// aarp-heapoverflow captures have `0x30000001`).
    pub const fn from_linktype(value: u32) -> Option<LinkType> {
        match value & 0x03ff_ffff {
            1 => Some(LinkType::Ethernet),
            113 => Some(LinkType::LinuxSll),
            276 => Some(LinkType::LinuxSll2),
            // 12 and 14 are DLT_RAW on some BSDs and are written into files as-is.
            101 | 12 | 14 => Some(LinkType::RawIp),
            228 => Some(LinkType::Ipv4),
            229 => Some(LinkType::Ipv6),
            _ => None,
        }
    }

    /// The LINKTYPE_ value written into capture files.
    pub const fn linktype(self) -> u32 {
        match self {
            LinkType::Ethernet => 1,
            LinkType::LinuxSll => 113,
            LinkType::LinuxSll2 => 276,
            LinkType::RawIp => 101,
            LinkType::Ipv4 => 228,
            LinkType::Ipv6 => 229,
        }
    }
}

/// A small fixed-capacity set of UDP ports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortSet {
    ports: [u16; PortSet::CAPACITY],
    len: usize,
}

impl PortSet {
    /// How many ports a set holds.
    pub const CAPACITY: usize = 16;

    /// An empty set.
    pub const fn new() -> PortSet {
        PortSet { ports: [0; PortSet::CAPACITY], len: 0 }
    }

    /// Adds `port`; returns `false` if the set is full (a port already present counts as added).
    pub fn insert(&mut self, port: u16) -> bool {
        if self.contains(port) {
            return true;
        }
        if self.len == Self::CAPACITY {
            return false;
        }
        self.ports[self.len] = port;
        self.len += 1;
        true
    }

    /// Whether `port` is in the set.
    #[inline(always)]
    pub fn contains(&self, port: u16) -> bool {
        self.ports[..self.len].contains(&port)
    }

    /// The ports, in insertion order.
    pub fn as_slice(&self) -> &[u16] {
        &self.ports[..self.len]
    }
}

impl Default for PortSet {
    fn default() -> Self {
        PortSet::new()
    }
}

/// What [`dissect`] looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// UDP ports (source or destination) that carry VXLAN. Default: 4789 and 8472.
    pub vxlan_ports: PortSet,
    /// UDP ports that carry VXLAN-GPE. Default: 4790.
    pub gpe_ports: PortSet,
    /// How many VXLAN/GPE headers may be nested (1 = no VXLAN inside VXLAN). Default: 4.
    pub max_depth: u8,
}

impl Default for Config {
    fn default() -> Self {
        let mut vxlan_ports = PortSet::new();
        vxlan_ports.insert(PORT_IANA);
        vxlan_ports.insert(PORT_LINUX);
        let mut gpe_ports = PortSet::new();
        gpe_ports.insert(PORT_GPE);
        Config { vxlan_ports, gpe_ports, max_depth: 4 }
    }
}

/// One header found in a packet, as a zero-copy view.
#[derive(Clone, PartialEq, Eq)]
pub enum Header<'a> {
    /// Ethernet II.
    Ethernet(Ethernet2HeaderSlice<'a>),
    /// One 802.1Q / 802.1ad tag.
    Vlan(SingleVlanHeaderSlice<'a>),
    /// Linux cooked v1.
    LinuxSll(LinuxSllSlice<'a>),
    /// Linux cooked v2.
    LinuxSll2(LinuxSll2Slice<'a>),
    /// IPv4 header with options.
    Ipv4(Ipv4HeaderSlice<'a>),
    /// IPv6 fixed header.
    Ipv6(Ipv6HeaderSlice<'a>),
    /// The IPv6 extension headers after an IPv6 header, together.
    Ipv6Ext(Ipv6ExtensionsSlice<'a>),
    /// UDP header.
    Udp(UdpHeaderSlice<'a>),
    /// TCP header with options.
    Tcp(TcpHeaderSlice<'a>),
    /// ICMP message (header and data).
    Icmpv4(Icmpv4Slice<'a>),
    /// ICMPv6 message (header and data).
    Icmpv6(Icmpv6Slice<'a>),
    /// ARP packet.
    Arp(ArpPacketSlice<'a>),
    /// IGMP message.
    Igmp(IgmpSlice<'a>),
    /// VXLAN header.
    Vxlan(VxlanSlice<'a>),
    /// VXLAN-GPE header.
    VxlanGpe(VxlanGpeSlice<'a>),
}

impl Header<'_> {
    /// Which protocol this header is.
    pub fn proto(&self) -> Proto {
        match self {
            Header::Ethernet(_) => Proto::Ethernet,
            Header::Vlan(_) => Proto::Vlan,
            Header::LinuxSll(_) => Proto::LinuxSll,
            Header::LinuxSll2(_) => Proto::LinuxSll2,
            Header::Ipv4(_) => Proto::Ipv4,
            Header::Ipv6(_) => Proto::Ipv6,
            Header::Ipv6Ext(_) => Proto::Ipv6Ext,
            Header::Udp(_) => Proto::Udp,
            Header::Tcp(_) => Proto::Tcp,
            Header::Icmpv4(_) => Proto::Icmpv4,
            Header::Icmpv6(_) => Proto::Icmpv6,
            Header::Arp(_) => Proto::Arp,
            Header::Igmp(_) => Proto::Igmp,
            Header::Vxlan(_) => Proto::Vxlan,
            Header::VxlanGpe(_) => Proto::VxlanGpe,
        }
    }
}

/// A header with its place in the packet.
#[derive(Clone, PartialEq, Eq)]
pub struct Layer<'a> {
    /// The header.
    pub header: Header<'a>,
    /// Offset of the header's first byte in the packet.
    pub offset: usize,
    /// The bytes this layer carries after its header, bounded by its own length field (IPv4 total
    /// length, IPv6 payload length, UDP length) and by what was captured. For ICMP, ARP and IGMP
    /// (whose view holds the whole message) it is what follows the message: padding, or nothing.
    pub payload: &'a [u8],
    /// Encapsulation depth: 0 for the outer frame, 1 inside the first VXLAN/GPE header, ...
    pub depth: u8,
}

/// The layers of one packet, outer first, and why dissection stopped early if it did.
#[derive(Clone)]
pub struct Dissection<'a> {
    data: &'a [u8],
    // Only the slots in use are initialised: a fresh dissection writes a length, not 24 layers.
    layers: ArrayVec<Layer<'a>, MAX_LAYERS>,
    error: Option<Error>,
}

impl<'a> Dissection<'a> {
    /// The bytes that were dissected.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }
    /// The layers found, outer first.
    pub fn layers(&self) -> impl DoubleEndedIterator<Item = &Layer<'a>> + '_ {
        self.layers.iter()
    }
    /// The number of layers found.
    pub fn len(&self) -> usize {
        self.layers.len()
    }
    /// Whether no layer was found.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }
    /// The layer at `index` (0 is the outermost).
    pub fn get(&self, index: usize) -> Option<&Layer<'a>> {
        self.layers.get(index)
    }
    /// The innermost layer found.
    pub fn last(&self) -> Option<&Layer<'a>> {
        self.layers.last()
    }
    /// Why dissection stopped before the end, if it did.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }
    /// The first (outermost) VXLAN header, if any.
    pub fn vxlan(&self) -> Option<VxlanSlice<'a>> {
        self.layers().find_map(|l| match l.header {
            Header::Vxlan(v) => Some(v),
            _ => None,
        })
    }
    /// The bytes after the innermost layer's header that no layer decoded (application data).
    pub fn remaining(&self) -> &'a [u8] {
        self.last().map_or(self.data, |l| l.payload)
    }

    /// Checks the checksum of the layer at `index` against the bytes captured.
    ///
    /// Covers the IPv4 header checksum, UDP and TCP (with the pseudo-header of the enclosing
    /// IPv4/IPv6 layer), ICMP (over the message), ICMPv6 (with the IPv6 pseudo-header) and IGMP
    /// (over the message), using etherparse's one's-complement sums. Returns `None` for a layer
    /// without a checksum (Ethernet, VLAN, VXLAN, ARP, ...) or an index past the last layer.
    pub fn checksum(&self, index: usize) -> Option<Checksum> {
        let layer = self.get(index)?;
        let ok = |sum: Sum16BitWords| {
            if sum.ones_complement() == 0 {
                Checksum::Valid
            } else {
                Checksum::Invalid
            }
        };
        match &layer.header {
            Header::Ipv4(h) => Some(ok(Sum16BitWords::new().add_slice(h.slice()))),
            Header::Udp(h) => {
                let ip = self.enclosing_ip(index)?;
                if h.checksum() == 0 {
                    return Some(Checksum::Absent);
                }
                let ulen = usize::from(h.length());
                let bytes = self.data.get(layer.offset..layer.offset + 8 + layer.payload.len())?;
                if ulen < 8 || bytes.len() != ulen {
                    return Some(Checksum::Unverifiable);
                }
                let pseudo = pseudo_header(&ip.header, 17, ulen)?;
                match partial_or(ok(pseudo.clone().add_slice(bytes)), &pseudo, h.checksum()) {
                    Checksum::Invalid if self.local_checksum_offload(index, &pseudo, bytes) => {
                        Some(Checksum::Partial)
                    }
                    c => Some(c),
                }
            }
            Header::Tcp(h) => {
                let ip = self.enclosing_ip(index)?;
                let bytes =
                    self.data.get(layer.offset..layer.offset + h.slice().len() + layer.payload.len())?;
                match self.ip_payload_len(index) {
                    Some(n) if n == bytes.len() => {
                        let pseudo = pseudo_header(&ip.header, 6, n)?;
                        Some(partial_or(ok(pseudo.clone().add_slice(bytes)), &pseudo, h.checksum()))
                    }
                    // IP length 0 (BIG TCP / GSO): the segment is what was captured, if all was.
                    None if self.data.len() == layer.offset + bytes.len() => {
                        match pseudo_header(&ip.header, 6, bytes.len()) {
                            Some(p) if partial_sum(&p) == h.checksum() => Some(Checksum::Partial),
                            _ => Some(Checksum::Unverifiable),
                        }
                    }
                    _ => Some(Checksum::Unverifiable),
                }
            }
            Header::Icmpv4(h) => match self.ip_payload_len(index) {
                Some(n) if n == h.slice().len() => Some(ok(Sum16BitWords::new().add_slice(h.slice()))),
                _ => Some(Checksum::Unverifiable),
            },
            Header::Igmp(h) => match self.ip_payload_len(index) {
                Some(n) if n == h.slice().len() => Some(ok(Sum16BitWords::new().add_slice(h.slice()))),
                _ => Some(Checksum::Unverifiable),
            },
            Header::Icmpv6(h) => {
                let ip = self.enclosing_ip(index)?;
                match self.ip_payload_len(index) {
                    Some(n) if n == h.slice().len() => {
                        Some(ok(pseudo_header(&ip.header, 58, n)?.add_slice(h.slice())))
                    }
                    _ => Some(Checksum::Unverifiable),
                }
            }
            _ => None,
        }
    }

    /// Local checksum offload (LCO, what Linux does for the outer UDP header of a tunnel whose
    /// inner UDP/TCP checksum is left to the NIC): the outer checksum at `index` (pseudo-header
    /// sum `pseudo`, datagram `bytes`) is right for the datagram as it leaves the NIC, with the
    /// first partial inner UDP/TCP checksum finished.
    fn local_checksum_offload(&self, index: usize, pseudo: &Sum16BitWords, bytes: &[u8]) -> bool {
        let outer = match self.get(index) {
            Some(l) => l,
            None => return false,
        };
        let inner =
            self.layers.iter().enumerate().skip(index + 1).find(|(_, l)| {
                l.depth == outer.depth + 1 && matches!(l.header, Header::Udp(_) | Header::Tcp(_))
            });
        let Some((j, l)) = inner else { return false };
        if self.checksum(j) != Some(Checksum::Partial) {
            return false;
        }
        let (field_at, ip) = match (&l.header, self.enclosing_ip(j)) {
            (Header::Udp(_), Some(ip)) => (l.offset + 6, ip),
            (Header::Tcp(_), Some(ip)) => (l.offset + 16, ip),
            _ => return false,
        };
        let Some(seg) = self.data.get(l.offset..outer.offset + bytes.len()) else { return false };
        let proto = if matches!(l.header, Header::Udp(_)) { 17 } else { 6 };
        let Some(inner_pseudo) = pseudo_header(&ip.header, proto, seg.len()) else { return false };
        let field = be16_at(self.data, field_at);
        // The finished inner checksum: the one's complement of everything but the field.
        let rest = fold(u64::from(partial_sum(&inner_pseudo)) + sum_be(seg) + u64::from(!field));
        let finished = !rest;
        // The outer sum with the inner field replaced by its finished value must be 0xffff.
        let mut outer_sum = u64::from(partial_sum(pseudo)) + sum_be(bytes);
        let (old, new) = if (field_at - outer.offset) % 2 == 0 {
            (field, finished)
        } else {
            (field.swap_bytes(), finished.swap_bytes())
        };
        outer_sum += u64::from(!old) + u64::from(new);
        fold(outer_sum) == 0xffff
    }

    /// The IPv4/IPv6 layer right before the layer at `index` (skipping IPv6 extension headers).
    fn enclosing_ip(&self, index: usize) -> Option<&Layer<'a>> {
        let prev = self.get(index.checked_sub(1)?)?;
        match prev.header {
            Header::Ipv4(_) | Header::Ipv6(_) => Some(prev),
            Header::Ipv6Ext(_) => self.get(index.checked_sub(2)?),
            _ => None,
        }
    }

    /// The length the enclosing IP header gives to the layer at `index` (its upper-layer bytes),
    /// or `None` when the IP length field is 0 (segmentation offload, jumbograms).
    fn ip_payload_len(&self, index: usize) -> Option<usize> {
        let prev = self.get(index.checked_sub(1)?)?;
        match &prev.header {
            Header::Ipv4(h) => {
                usize::from(h.total_len()).checked_sub(h.slice().len()).filter(|_| h.total_len() != 0)
            }
            Header::Ipv6(h) if h.payload_length() != 0 => Some(usize::from(h.payload_length())),
            Header::Ipv6Ext(e) => match &self.get(index.checked_sub(2)?)?.header {
                Header::Ipv6(h) if h.payload_length() != 0 => {
                    usize::from(h.payload_length()).checked_sub(e.slice().len())
                }
                _ => None,
            },
            _ => None,
        }
    }

    fn push(&mut self, layer: Layer<'a>) -> bool {
        match self.layers.try_push(layer) {
            Ok(()) => true,
            Err(full) => {
                let layer = full.element();
                self.error = Some(
                    Error::new(layer.header.proto(), ErrorKind::TooManyLayers, MAX_LAYERS + 1, MAX_LAYERS)
                        .at(layer.offset),
                );
                false
            }
        }
    }
}

/// The outcome of [`Dissection::checksum`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Checksum {
    /// The checksum matches the bytes.
    Valid,
    /// The checksum does not match the bytes.
    Invalid,
    /// No checksum was sent: a UDP checksum field of 0 (allowed over IPv4, RFC 768 and RFC 7348,
    /// and for tunnels over IPv6, RFC 6935).
    Absent,
    /// The bytes it covers were not all captured, or the IP length field is 0 (offload), so it
    /// cannot be checked.
    Unverifiable,
    /// A UDP/TCP checksum left for the NIC to finish (checksum offload, Linux's
    /// `CHECKSUM_PARTIAL`): the field holds only the folded pseudo-header sum. Frames the
    /// capturing host sends look like this (and so do frames a veth peer hands over, and GRO'd
    /// super-frames); the receiver gets the finished checksum and accepts them. tcpdump prints
    /// them as `bad udp cksum`.
    Partial,
}

impl Checksum {
    /// A short lower-case name: `valid`, `invalid`, `absent`, `unverifiable`, `partial` (the
    /// JSON printer's `checksum_status`).
    pub const fn name(self) -> &'static str {
        match self {
            Checksum::Valid => "valid",
            Checksum::Invalid => "invalid",
            Checksum::Absent => "absent",
            Checksum::Unverifiable => "unverifiable",
            Checksum::Partial => "partial",
        }
    }

    /// Whether the receiver accepts the frame as far as this checksum goes: valid, absent (where
    /// the layer allows it) or left to offload. `Unverifiable` counts as acceptable too: nothing
    /// shows that it is wrong.
    pub const fn acceptable(self) -> bool {
        !matches!(self, Checksum::Invalid)
    }
}

/// The value a `CHECKSUM_PARTIAL` UDP/TCP checksum field holds for the pseudo-header sum
/// `pseudo` (length included): `~csum_tcpudp_magic(..., 0)`, the folded sum, not complemented.
fn partial_sum(pseudo: &Sum16BitWords) -> u16 {
    // Sum16BitWords sums native-order words: to_be() turns its result into the field's value.
    (!pseudo.ones_complement()).to_be()
}

/// The one's-complement sum of `b` as big-endian 16-bit words (odd length padded), not folded.
fn sum_be(b: &[u8]) -> u64 {
    let mut chunks = b.chunks_exact(2);
    let mut s: u64 = chunks.by_ref().map(|w| u64::from(u16::from_be_bytes([w[0], w[1]]))).sum();
    if let [last] = chunks.remainder() {
        s += u64::from(*last) << 8;
    }
    s
}

/// Folds a one's-complement sum to 16 bits.
fn fold(mut s: u64) -> u16 {
    while s > 0xffff {
        s = (s & 0xffff) + (s >> 16);
    }
    s as u16
}

fn be16_at(b: &[u8], at: usize) -> u16 {
    match b.get(at..at + 2) {
        Some(w) => u16::from_be_bytes([w[0], w[1]]),
        None => 0,
    }
}

/// `verdict`, or [`Checksum::Partial`] when the checksum is wrong but the field holds exactly the
/// pseudo-header sum `pseudo` (checksum offload).
fn partial_or(verdict: Checksum, pseudo: &Sum16BitWords, field: u16) -> Checksum {
    if verdict == Checksum::Invalid && field != 0 && partial_sum(pseudo) == field {
        Checksum::Partial
    } else {
        verdict
    }
}

/// The one's-complement sum of the IPv4/IPv6 pseudo-header for upper-layer protocol `proto`.
fn pseudo_header(ip: &Header<'_>, proto: u8, len: usize) -> Option<Sum16BitWords> {
    let mut s = Sum16BitWords::new();
    match ip {
        Header::Ipv4(h) => Some(
            s.add_4bytes(h.source())
                .add_4bytes(h.destination())
                .add_2bytes([0, proto])
                .add_2bytes(u16::try_from(len).ok()?.to_be_bytes()),
        ),
        Header::Ipv6(h) => Some(
            s.add_16bytes(h.source())
                .add_16bytes(h.destination())
                .add_4bytes(u32::try_from(len).ok()?.to_be_bytes())
                .add_2bytes([0, proto]),
        ),
        _ => None,
    }
}

/// What to read next.
#[derive(Clone, Copy)]
enum Next {
    Ethernet,
    Sll,
    Sll2,
    RawIp,
    EtherType(u16),
    Ipv4,
    Ipv6,
    /// An IP payload with its protocol number; `v6` tells ICMPv6 from ICMP contexts apart.
    IpProto(u8),
    Vxlan,
    Gpe,
    Done,
}

const ETH_IPV4: u16 = 0x0800;
const ETH_IPV6: u16 = 0x86dd;
const ETH_ARP: u16 = 0x0806;
const ETH_RARP: u16 = 0x8035;
const ETH_VLAN: u16 = 0x8100;
const ETH_QINQ: u16 = 0x88a8;
const ETH_QINQ_OLD: u16 = 0x9100;
const ETH_TEB: u16 = 0x6558;

fn len_err(proto: Proto, e: etherparse::err::LenError) -> Error {
    Error::truncated(proto, e.required_len, e.len)
}

/// Dissects `data` (one captured frame starting with `link`) into its layers, outer first.
///
/// Never panics and never allocates; on a malformed or truncated frame the result holds the layers
/// read before the problem and [`Dissection::error`] says what it was.
///
/// ```
/// use vxwire::dissect::{dissect, Config, LinkType};
/// # use core::net::Ipv4Addr;
/// # use vxwire::build::{arp, vxlan_frame, ArpSpec, Outer};
/// # use vxwire::wire::vxlan::{Gbp, Vni, VxlanHeader};
/// # use vxwire::MacAddr;
/// # let (mut inner, mut buf) = ([0u8; 64], [0u8; 128]);
/// # let n = arp(&mut inner, &ArpSpec::request(MacAddr::new(2, 0, 0, 0, 1, 1), Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2)))?;
/// # let outer = Outer::v4(MacAddr::new(2, 0, 0, 0x18, 0, 1), MacAddr::new(2, 0, 0, 0x18, 0, 2), Ipv4Addr::new(198, 18, 0, 1), Ipv4Addr::new(198, 18, 0, 2));
/// # let gbp = Gbp { group_policy_id: 4660, dont_learn: false, policy_applied: false };
/// # let len = vxlan_frame(&mut buf, &outer, &VxlanHeader::with_gbp(Vni::try_from(300)?, gbp), &inner[..n])?;
/// # let frame = &buf[..len];
/// let d = dissect(frame, LinkType::Ethernet, &Config::default());
/// assert_eq!(d.outer().vxlan().map(|v| v.to_string()).as_deref(), Some("flags [G,I] vni 300 gbp 4660"));
/// let inner = d.inner().ok_or("no inner frame")?;
/// assert_eq!(inner.arp().map(|a| a.to_string()).as_deref(), Some("request who-has 10.0.0.2 tell 10.0.0.1"));
/// // Cut after 46 bytes: the outer layers stay, the error names the VXLAN header.
/// let cut = dissect(&frame[..46], LinkType::Ethernet, &Config::default());
/// assert_eq!(cut.error().map(|e| e.to_string()).as_deref(), Some("truncated VXLAN header (4 of 8 bytes)"));
/// assert!(cut.outer().udp().is_some() && cut.inner().is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[inline]
pub fn dissect<'a>(data: &'a [u8], link: LinkType, config: &Config) -> Dissection<'a> {
    let mut d = Dissection { data, layers: ArrayVec::new_const(), error: None };
    dissect_into(&mut d, link, config);
    d
}

/// [`dissect`], handing the result to `f` by reference instead of returning it.
///
/// A [`Dissection`] is about 1.6 KB (room for [`MAX_LAYERS`] layers, of which only those found
/// are written). Returned by value it may be moved; here it is built in this function's frame and
/// never moved, whatever the optimiser does with the caller. The benchmark in
/// `benches/dissect.rs` shows both at about the same speed with current compilers. Never panics
/// (unless `f` does), never allocates.
#[inline]
pub fn dissect_with<'a, R>(
    data: &'a [u8],
    link: LinkType,
    config: &Config,
    f: impl FnOnce(&Dissection<'a>) -> R,
) -> R {
    let mut d = Dissection { data, layers: ArrayVec::new_const(), error: None };
    dissect_into(&mut d, link, config);
    f(&d)
}

/// The walk of [`dissect`], into a fresh `d` whose `data` is set: one step per layer, each
/// reading its header at the current offset and naming what follows.
#[inline(never)]
fn dissect_into<'a>(d: &mut Dissection<'a>, link: LinkType, config: &Config) {
    let rest = d.data;
    let mut w = Walk { d, rest, offset: 0, depth: 0, config };
    let mut next = match link {
        LinkType::Ethernet => Next::Ethernet,
        LinkType::LinuxSll => Next::Sll,
        LinkType::LinuxSll2 => Next::Sll2,
        LinkType::RawIp => Next::RawIp,
        LinkType::Ipv4 => Next::Ipv4,
        LinkType::Ipv6 => Next::Ipv6,
    };
    loop {
        let step = match next {
            Next::Done => break,
            Next::Ethernet => w.ethernet(),
            Next::Sll => w.sll(),
            Next::Sll2 => w.sll2(),
            Next::RawIp => w.raw_ip(),
            Next::EtherType(t) => w.ether_type(t),
            Next::Ipv4 => w.ipv4(),
            Next::Ipv6 => w.ipv6(),
            Next::IpProto(p) => w.ip_proto(p),
            Next::Vxlan | Next::Gpe if w.depth >= config.max_depth => w.too_deep(matches!(next, Next::Vxlan)),
            Next::Vxlan => w.vxlan(),
            Next::Gpe => w.gpe(),
        };
        match step {
            Some(n) => next = n,
            None => break,
        }
    }
}

/// Where the walk of [`dissect_into`] stands: the bytes not read yet, their offset in the
/// frame and the VXLAN depth. A step returns what to read next, or `None` to stop (with the
/// error, if any, recorded in the dissection).
struct Walk<'a, 'd> {
    d: &'d mut Dissection<'a>,
    rest: &'a [u8],
    offset: usize,
    depth: u8,
    config: &'d Config,
}

impl<'a> Walk<'a, '_> {
    /// Records `e` at the current offset and stops the walk.
    fn fail(&mut self, e: Error) -> Option<Next> {
        let at = self.offset;
        self.fail_at(e, at)
    }

    /// Records `e` at offset `at` and stops the walk.
    fn fail_at(&mut self, e: Error, at: usize) -> Option<Next> {
        self.d.error = Some(e.at(at));
        None
    }

    /// Pushes a layer whose header spans `hlen` bytes and whose payload is `payload`; `None`
    /// when the layer table is full (the dissection then says so).
    fn push(&mut self, header: Header<'a>, hlen: usize, payload: &'a [u8]) -> Option<()> {
        if !self.d.push(Layer { header, offset: self.offset, payload, depth: self.depth }) {
            return None;
        }
        self.offset += hlen;
        self.rest = payload;
        Some(())
    }

    fn ethernet(&mut self) -> Option<Next> {
        match Ethernet2HeaderSlice::from_slice(self.rest) {
            Ok(h) => {
                let t = h.ether_type().0;
                self.push(Header::Ethernet(h), 14, &self.rest[14..])?;
                Some(Next::EtherType(t))
            }
            Err(e) => self.fail(len_err(Proto::Ethernet, e)),
        }
    }

    fn sll(&mut self) -> Option<Next> {
        match LinuxSllSlice::from_slice(self.rest) {
            Ok(h) => {
                self.push(Header::LinuxSll(h), 16, &self.rest[16..])?;
                Some(Next::EtherType(h.protocol()))
            }
            Err(e) => self.fail(e),
        }
    }

    fn sll2(&mut self) -> Option<Next> {
        match LinuxSll2Slice::from_slice(self.rest) {
            Ok(h) => {
                self.push(Header::LinuxSll2(h), 20, &self.rest[20..])?;
                Some(Next::EtherType(h.protocol()))
            }
            Err(e) => self.fail(e),
        }
    }

    fn raw_ip(&mut self) -> Option<Next> {
        match self.rest.first().map(|b| b >> 4) {
            Some(4) => Some(Next::Ipv4),
            Some(6) => Some(Next::Ipv6),
            Some(v) => self.fail(Error::new(Proto::Ip, ErrorKind::BadVersion, 4, usize::from(v))),
            None => self.fail(Error::truncated(Proto::Ip, 20, 0)),
        }
    }

    fn ether_type(&mut self, t: u16) -> Option<Next> {
        match t {
            ETH_IPV4 => Some(Next::Ipv4),
            ETH_IPV6 => Some(Next::Ipv6),
            ETH_ARP | ETH_RARP => match crate::wire::arp::parse(self.rest) {
                Ok(a) => {
                    let n = a.slice().len();
                    self.push(Header::Arp(a), n, &self.rest[n..])?;
                    Some(Next::Done)
                }
                Err(e) => self.fail(e),
            },
            ETH_VLAN | ETH_QINQ | ETH_QINQ_OLD => match SingleVlanHeaderSlice::from_slice(self.rest) {
                Ok(h) => {
                    let t = h.ether_type().0;
                    self.push(Header::Vlan(h), 4, &self.rest[4..])?;
                    Some(Next::EtherType(t))
                }
                Err(e) => self.fail(len_err(Proto::Vlan, e)),
            },
            ETH_TEB => Some(Next::Ethernet),
            _ => Some(Next::Done),
        }
    }

    fn ipv4(&mut self) -> Option<Next> {
        use etherparse::err::ipv4::{HeaderError as H, HeaderSliceError as E};
        let rest = self.rest;
        match Ipv4HeaderSlice::from_slice(rest) {
            Ok(h) => {
                let hlen = h.slice().len();
                let total = usize::from(h.total_len());
                // A total length of 0 comes from TCP segmentation offload: take what was captured.
                let end = if total == 0 { rest.len() } else { total.min(rest.len()) };
                let payload = rest.get(hlen..end).unwrap_or(&[]);
                let bad_len = total != 0 && total < hlen;
                let frag = h.fragments_offset().value() != 0;
                let proto = h.protocol().0;
                self.push(Header::Ipv4(h), hlen, payload)?;
                if bad_len {
                    let at = self.offset - hlen;
                    return self.fail_at(Error::new(Proto::Ipv4, ErrorKind::BadLength, hlen, total), at);
                }
                Some(if frag { Next::Done } else { Next::IpProto(proto) })
            }
            Err(E::Len(e)) => self.fail(len_err(Proto::Ipv4, e)),
            Err(E::Content(H::UnexpectedVersion { version_number })) => {
                self.fail(Error::new(Proto::Ipv4, ErrorKind::BadVersion, 4, usize::from(version_number)))
            }
            Err(E::Content(H::HeaderLengthSmallerThanHeader { ihl })) => {
                self.fail(Error::new(Proto::Ipv4, ErrorKind::BadLength, 20, usize::from(ihl) * 4))
            }
        }
    }

    fn ipv6(&mut self) -> Option<Next> {
        use etherparse::err::ipv6::{HeaderError, HeaderSliceError as E};
        let rest = self.rest;
        match Ipv6HeaderSlice::from_slice(rest) {
            Ok(h) => {
                let plen = usize::from(h.payload_length());
                // Payload length 0 is a jumbogram (RFC 2675) or offload: take what was captured.
                let end = if plen == 0 { rest.len() } else { (40 + plen).min(rest.len()) };
                let payload = rest.get(40..end).unwrap_or(&[]);
                let nh = h.next_header();
                self.push(Header::Ipv6(h), 40, payload)?;
                if is_ipv6_ext(nh.0) {
                    self.ipv6_ext(nh)
                } else {
                    Some(Next::IpProto(nh.0))
                }
            }
            Err(E::Len(e)) => self.fail(len_err(Proto::Ipv6, e)),
            Err(E::Content(HeaderError::UnexpectedVersion { version_number })) => {
                self.fail(Error::new(Proto::Ipv6, ErrorKind::BadVersion, 6, usize::from(version_number)))
            }
        }
    }

    /// The IPv6 extension headers after an IPv6 header whose next header is `nh`, as one layer.
    fn ipv6_ext(&mut self, nh: etherparse::IpNumber) -> Option<Next> {
        use etherparse::err::ipv6_exts::HeaderSliceError as E;
        let rest = self.rest;
        match Ipv6ExtensionsSlice::from_slice(nh, rest) {
            Ok((ext, proto, after)) => {
                let n = rest.len() - after.len();
                let frag = ext.is_fragmenting_payload();
                self.push(Header::Ipv6Ext(ext), n, after)?;
                Some(if frag { Next::Done } else { Next::IpProto(proto.0) })
            }
            Err(E::Len(e)) => self.fail(len_err(Proto::Ipv6Ext, e)),
            Err(E::Content(_)) => self.fail(Error::new(Proto::Ipv6Ext, ErrorKind::BadLength, 8, rest.len())),
        }
    }

    fn ip_proto(&mut self, p: u8) -> Option<Next> {
        let rest = self.rest;
        match p {
            17 => self.udp(),
            6 => self.tcp(),
            1 => match Icmpv4Slice::from_slice(rest) {
                Ok(h) => {
                    self.push(Header::Icmpv4(h), rest.len(), &rest[rest.len()..])?;
                    Some(Next::Done)
                }
                Err(e) => self.fail(len_err(Proto::Icmpv4, e)),
            },
            58 => match Icmpv6Slice::from_slice(rest) {
                Ok(h) => {
                    self.push(Header::Icmpv6(h), rest.len(), &rest[rest.len()..])?;
                    Some(Next::Done)
                }
                Err(e) => self.fail(len_err(Proto::Icmpv6, e)),
            },
            2 => match IgmpSlice::from_slice(rest) {
                Ok(h) => {
                    self.push(Header::Igmp(h), rest.len(), &rest[rest.len()..])?;
                    Some(Next::Done)
                }
                Err(e) => self.fail(e),
            },
            4 => Some(Next::Ipv4),
            41 => Some(Next::Ipv6),
            _ => Some(Next::Done),
        }
    }

    fn udp(&mut self) -> Option<Next> {
        let rest = self.rest;
        match UdpHeaderSlice::from_slice(rest) {
            Ok(h) => {
                let ulen = usize::from(h.length());
                let (sp, dp) = (h.source_port(), h.destination_port());
                let bad_len = ulen != 0 && ulen < 8;
                let end = if ulen == 0 { rest.len() } else { ulen.min(rest.len()) };
                let payload = rest.get(8..end).unwrap_or(&[]);
                self.push(Header::Udp(h), 8, payload)?;
                if bad_len {
                    let at = self.offset - 8;
                    return self.fail_at(Error::new(Proto::Udp, ErrorKind::BadLength, 8, ulen), at);
                }
                let c = self.config;
                Some(
                    if c.gpe_ports.contains(dp) || (!c.vxlan_ports.contains(dp) && c.gpe_ports.contains(sp)) {
                        Next::Gpe
                    } else if c.vxlan_ports.contains(dp) || c.vxlan_ports.contains(sp) {
                        Next::Vxlan
                    } else {
                        Next::Done
                    },
                )
            }
            Err(e) => self.fail(len_err(Proto::Udp, e)),
        }
    }

    fn tcp(&mut self) -> Option<Next> {
        use etherparse::err::tcp::{HeaderError, HeaderSliceError as E};
        let rest = self.rest;
        match TcpHeaderSlice::from_slice(rest) {
            Ok(h) => {
                let n = h.slice().len();
                self.push(Header::Tcp(h), n, &rest[n..])?;
                Some(Next::Done)
            }
            Err(E::Len(e)) => self.fail(len_err(Proto::Tcp, e)),
            Err(E::Content(HeaderError::DataOffsetTooSmall { data_offset })) => {
                self.fail(Error::new(Proto::Tcp, ErrorKind::BadLength, 20, usize::from(data_offset) * 4))
            }
        }
    }

    /// A VXLAN (`vxlan`) or VXLAN-GPE header past the depth cap: not read.
    fn too_deep(&mut self, vxlan: bool) -> Option<Next> {
        let proto = if vxlan { Proto::Vxlan } else { Proto::VxlanGpe };
        let (depth, cap) = (usize::from(self.depth) + 1, usize::from(self.config.max_depth));
        self.fail(Error::new(proto, ErrorKind::TooDeep, depth, cap))
    }

    fn vxlan(&mut self) -> Option<Next> {
        match VxlanSlice::from_slice(self.rest) {
            Ok(v) => {
                self.push(Header::Vxlan(v), 8, v.payload())?;
                self.depth += 1;
                Some(Next::Ethernet)
            }
            Err(e) => self.fail(e),
        }
    }

    fn gpe(&mut self) -> Option<Next> {
        match VxlanGpeSlice::from_slice(self.rest) {
            Ok(v) => {
                self.push(Header::VxlanGpe(v), 8, v.payload())?;
                self.depth += 1;
                Some(match v.next_proto() {
                    GpeNextProto::IPV4 => Next::Ipv4,
                    GpeNextProto::IPV6 => Next::Ipv6,
                    GpeNextProto::ETHERNET => Next::Ethernet,
                    _ => Next::Done,
                })
            }
            Err(e) => self.fail(e),
        }
    }
}

/// Whether a frame surely has no VXLAN/VXLAN-GPE header with one of `vnis`, judged from a few
/// fixed offsets without dissecting it: a VNI filter (`vxdump --vni`) skips such frames for almost
/// nothing. `false` means "maybe": dissect it and look.
///
/// Only the common shape is judged: Ethernet, IPv4 without options' surprises (any IHL), UDP. A
/// frame with no UDP (TCP, ICMP, IGMP, ARP) cannot match; a VXLAN frame whose VNI differs cannot
/// match when its inner frame cannot carry VXLAN again (inner ARP, or inner IPv4/IPv6 with TCP,
/// ICMP, or UDP on ports that are not VXLAN's). Anything else (VLAN tags, IPv6 outside, GPE,
/// fragments, short frames, other link types) answers `false` and gets the full dissection, so
/// the filter's result is the same as dissecting every frame.
#[doc(hidden)] // vxdump's VNI pre-filter; filter::Filter::vni_prefilter is the public face.
pub fn cannot_carry_vni(data: &[u8], link: LinkType, config: &Config, vnis: &[u32]) -> bool {
    if link != LinkType::Ethernet || data.get(12..14) != Some(&[0x08, 0x00]) {
        return false;
    }
    let tunnel = |p: u16| config.vxlan_ports.contains(p) || config.gpe_ports.contains(p);
    let udp = match ipv4_l4(data, 14) {
        Some((17, udp)) => udp,
        Some((1 | 2 | 6, _)) => return true,
        _ => return false,
    };
    let Some(&[s0, s1, d0, d1]) = data.get(udp..udp + 4) else { return false };
    let (sp, dp) = (u16::from_be_bytes([s0, s1]), u16::from_be_bytes([d0, d1]));
    if config.gpe_ports.contains(dp) || config.gpe_ports.contains(sp) {
        return false;
    }
    if !config.vxlan_ports.contains(dp) && !config.vxlan_ports.contains(sp) {
        return true;
    }
    // The VNI, then the inner frame's EtherType: could the inner frame hold VXLAN again?
    let Some(&[v0, v1, v2]) = data.get(udp + 12..udp + 15) else { return false };
    let vni = u32::from_be_bytes([0, v0, v1, v2]);
    if vnis.contains(&vni) {
        return false;
    }
    let inner = udp + 16;
    let ports_not_tunnel = |u: usize| match data.get(u..u + 4) {
        Some(&[a0, a1, b0, b1]) => {
            !tunnel(u16::from_be_bytes([a0, a1])) && !tunnel(u16::from_be_bytes([b0, b1]))
        }
        _ => false,
    };
    match data.get(inner + 12..inner + 14) {
        Some(&[0x08, 0x06] | &[0x80, 0x35]) => true,
        Some(&[0x08, 0x00]) => match ipv4_l4(data, inner + 14) {
            Some((1 | 2 | 6, _)) => true,
            Some((17, u)) => ports_not_tunnel(u),
            _ => false,
        },
        Some(&[0x86, 0xdd]) => match data.get(inner + 14 + 6) {
            Some(6 | 58) => true,
            Some(17) => ports_not_tunnel(inner + 14 + 40),
            _ => false,
        },
        _ => false,
    }
}

/// The protocol and the upper-layer offset of an unfragmented IPv4 header at `ip` (for
/// [`cannot_carry_vni`]); `None` when it is not one or is cut short.
#[inline(always)]
fn ipv4_l4(data: &[u8], ip: usize) -> Option<(u8, usize)> {
    let h = data.get(ip..ip + 20)?;
    let vihl = h[0];
    if vihl >> 4 != 4 || vihl & 15 < 5 || u16::from_be_bytes([h[6], h[7]]) & 0x1fff != 0 {
        return None;
    }
    Some((h[9], ip + usize::from(vihl & 15) * 4))
}

/// Whether an IP protocol number is an IPv6 extension header etherparse reads.
fn is_ipv6_ext(p: u8) -> bool {
    matches!(p, 0 | 43 | 44 | 51 | 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_type_round_trips_through_its_linktype_value() {
        for link in LinkType::ALL {
            assert_eq!(LinkType::from_linktype(link.linktype()), Some(link));
        }
        // The pcap header's FCS bits do not change the link type.
        assert_eq!(LinkType::from_linktype(0x3000_0001), Some(LinkType::Ethernet));
        assert_eq!(LinkType::from_linktype(147), None);
    }

    #[test]
    fn port_set() {
        let mut s = PortSet::new();
        for p in 0..PortSet::CAPACITY as u16 {
            assert!(s.insert(p));
        }
        assert!(s.insert(3));
        assert!(!s.insert(9999));
        assert!(s.contains(15));
        assert!(!s.contains(9999));
    }

    #[test]
    fn dissect_with_sees_what_dissect_returns() {
        let c = Config::default();
        let frame = [
            0u8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00, // Ethernet, IPv4
            0x45, 0, 0, 20, 0, 0, 0, 0, 64, 59, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, // IPv4, proto 59
        ];
        let d = dissect(&frame, LinkType::Ethernet, &c);
        dissect_with(&frame, LinkType::Ethernet, &c, |e| {
            assert_eq!(e.len(), 2);
            assert_eq!(e.layers().collect::<std::vec::Vec<_>>(), d.layers().collect::<std::vec::Vec<_>>());
            assert_eq!(e.error(), d.error());
        });
    }

    #[test]
    fn empty_and_short_inputs_do_not_panic() {
        let c = Config::default();
        for link in LinkType::ALL {
            for n in 0..64 {
                let b = [0x45u8; 64];
                let d = dissect(&b[..n], link, &c);
                assert!(d.error().is_some() || !d.is_empty());
            }
        }
    }
}
