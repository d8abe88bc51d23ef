//! What the VTEPs in a capture learned and what went wrong (`vxdump --summary`).
//!
//! A [`Summary`] is fed every packet of a capture, one at a time, as the printers are (a
//! [`PacketInfo`] and a [`Dissection`]); it keeps tables keyed by what it saw (VNIs, VTEP pairs,
//! MAC addresses, IP addresses, multicast groups), never the packets, so its memory is bounded
//! by the number of distinct keys. Every table is capped ([`SummaryConfig::table_cap`], 100 000
//! entries by default); keys that arrive once a table is full are counted as dropped and the
//! count is printed.
//!
//! At the end, [`Summary::write_text`] prints five sections and [`Summary::write_json`] the same
//! as one JSON document (both described in `docs/summary.md`):
//!
//! 1. the overlay map: per VNI packets, bytes, VTEP pairs and GBP group policy IDs;
//! 2. the forwarding table a Linux VTEP learns from the frames it accepts (see
//!    [`crate::check`]), as `bridge fdb show` lines, with MAC moves;
//! 3. the ARP view: inner IPv4 → MAC per VNI, duplicate IPs, unanswered requests;
//! 4. the multicast view: underlay IGMP by VTEP, overlay IGMP per VNI, BUM traffic and head-end
//!    replication;
//! 5. problems, each with a count and the first packet numbers.

mod report;
mod table;
mod vtep;

use crate::check::{check_dissection, Device, DropReason, Mode, Verdict};
use crate::dissect::{Checksum, Dissection, Header, Layer};
use crate::print::PacketInfo;
use crate::wire::igmp::{IgmpSlice, IgmpType, RecordType};
use crate::wire::mac::MacAddr;
use crate::wire::vxlan::{Vni, VxlanSlice};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::vec::Vec;

pub use table::{Capped, CappedIter};
pub use vtep::{SpecError, VtepSettings, VtepView};

/// How a [`Summary`] judges and bounds what it sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryConfig {
    /// The underlay MTU in bytes (an outer IP packet longer than this is the MTU trap). Default 1500.
    pub mtu: u32,
    /// The most entries any one table keeps; further keys are counted as dropped. Default 100 000.
    pub table_cap: usize,
    /// How many packet numbers each problem (and each MAC move list) keeps. Default 5.
    pub keep_packets: usize,
    /// Learn only what this VTEP received; `None` learns from every VXLAN frame (each is
    /// received by its destination VTEP). Default `None`.
    pub vtep: Option<VtepView>,
    /// Do not learn from frames whose GBP D (Don't Learn) bit is set, as the GBP draft asks.
    /// Linux (6.x) learns from them anyway (testdata/offload/gbp shows it), so the default,
    /// `false`, follows the kernel. The `dont-learn` VTEP setting turns it on too.
    pub honour_dont_learn: bool,
    /// Copies of one inner BUM frame (same bytes, same VNI) sent to different unicast VTEPs
    /// within this many nanoseconds of the first count as one head-end replicated frame.
    /// Default 10 ms.
    pub replication_window_ns: u64,
}

impl Default for SummaryConfig {
    fn default() -> Self {
        SummaryConfig {
            mtu: 1500,
            table_cap: 100_000,
            keep_packets: 5,
            vtep: None,
            honour_dont_learn: false,
            replication_window_ns: 10_000_000,
        }
    }
}

/// A class of problem the summary reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemKind {
    /// VXLAN I flag clear: Linux drops the frame (`VXLAN_INVALID_HDR`).
    IFlagClear,
    /// A reserved VXLAN header bit set (for the mode the receiver would need): Linux drops it
    /// (`VXLAN_INVALID_HDR`).
    ReservedBits,
    /// GBP (G bit) sent to a VTEP and port that never sent GBP itself, so presumably has no
    /// `gbp` device there: Linux drops it (`VXLAN_INVALID_HDR`). Judged at the end of the capture.
    GbpNotUsed,
    /// Any other drop reason of [`crate::check`] (e.g. `UDP_CSUM`, `MAC_INVALID_SOURCE`).
    KernelDrop(DropReasonKey),
    /// An outer IPv4 (or IPv6) fragment carrying UDP: VXLAN should never be fragmented.
    OuterFragment,
    /// The inner frame's L3 packet is longer than the MTU minus 50 (IPv4 underlay) or 70 (IPv6)
    /// bytes: the outer packet exceeds the underlay MTU.
    MtuExceeded,
    /// A non-zero outer UDP checksum that is wrong.
    BadUdpChecksum,
    /// Outer UDP source port 0.
    SrcPortZero,
    /// Outer UDP source port below 49152 (RFC 7348 §5 recommends 49152–65535).
    SrcPortOutsideRange,
    /// VNI 0.
    VniZero,
    /// Outer TTL (hop limit) 1 towards a unicast VTEP: the frame cannot cross a router.
    TtlOne,
    /// Outer TTL 1 towards a multicast group: Linux's default in group mode (`ttl auto`), so the
    /// group works only on the local link. Reported as a note.
    TtlOneMulticast,
}

/// [`DropReason`] as an ordered key (the kernel's name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DropReasonKey(pub &'static str);

impl ProblemKind {
    /// A stable identifier (used as the JSON key), e.g. `i-flag-clear`, `kernel-drop`.
    pub fn id(self) -> &'static str {
        match self {
            ProblemKind::IFlagClear => "i-flag-clear",
            ProblemKind::ReservedBits => "reserved-bits",
            ProblemKind::GbpNotUsed => "gbp-not-used",
            ProblemKind::KernelDrop(_) => "kernel-drop",
            ProblemKind::OuterFragment => "outer-fragment",
            ProblemKind::MtuExceeded => "mtu-exceeded",
            ProblemKind::BadUdpChecksum => "bad-udp-checksum",
            ProblemKind::SrcPortZero => "src-port-zero",
            ProblemKind::SrcPortOutsideRange => "src-port-outside-range",
            ProblemKind::VniZero => "vni-zero",
            ProblemKind::TtlOne => "ttl-1",
            ProblemKind::TtlOneMulticast => "ttl-1-multicast",
        }
    }

    /// Whether this is a note rather than a problem: what Linux does by default (outer TTL 1 in
    /// group mode, source ports from `ip_local_port_range`), worth knowing, not wrong.
    pub fn is_note(self) -> bool {
        matches!(self, ProblemKind::TtlOneMulticast | ProblemKind::SrcPortOutsideRange)
    }

    /// Whether a Linux VTEP would drop frames of this class.
    pub fn is_drop(self) -> bool {
        matches!(
            self,
            ProblemKind::IFlagClear
                | ProblemKind::ReservedBits
                | ProblemKind::GbpNotUsed
                | ProblemKind::KernelDrop(_)
        )
    }
}

/// How often a problem was seen and where first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProblemStats {
    /// Packets with the problem.
    pub count: u64,
    /// The first packet numbers (from 1), at most [`SummaryConfig::keep_packets`].
    pub first: Vec<u64>,
}

impl ProblemStats {
    fn hit(&mut self, n: u64, keep: usize) {
        self.count += 1;
        if self.first.len() < keep {
            self.first.push(n);
        }
    }
}

/// When something was seen: packet number and timestamp.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    /// Packet number, from 1.
    pub n: u64,
    /// Seconds since the Unix epoch.
    pub ts_sec: i64,
    /// Nanoseconds within the second.
    pub ts_nsec: u32,
}

impl Seen {
    fn of(info: &PacketInfo) -> Seen {
        Seen { n: info.n, ts_sec: info.ts_sec, ts_nsec: info.ts_nsec }
    }
    fn ns(&self) -> i128 {
        i128::from(self.ts_sec) * 1_000_000_000 + i128::from(self.ts_nsec)
    }
}

/// Packets and bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    /// Packets.
    pub packets: u64,
    /// Bytes on the wire (whole outer frames).
    pub bytes: u64,
}

impl Counter {
    fn add(&mut self, bytes: u32) {
        self.packets += 1;
        self.bytes += u64::from(bytes);
    }
}

/// One VNI of the overlay map.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VniStats {
    /// VXLAN frames and their outer bytes on the wire.
    pub traffic: Counter,
    /// GBP group policy ID → frames carrying it (frames with the G bit set).
    pub gbp_ids: BTreeMap<u16, u64>,
    /// Inner frames to the Ethernet broadcast address.
    pub broadcast: u64,
    /// Inner frames to other multicast MAC addresses.
    pub multicast: u64,
    /// Number of distinct unicast VTEPs one BUM frame was sent to → how many frames.
    pub replication: BTreeMap<usize, u64>,
}

/// A VTEP pair of the overlay map: `(VNI, outer source, outer destination, UDP destination port)`.
pub type PairKey = (u32, IpAddr, IpAddr, u16);

/// One learned forwarding entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FdbEntry {
    /// The underlay address the MAC is behind now (the last frame's outer source).
    pub dst: IpAddr,
    /// The first frame it was learned from.
    pub first: Seen,
    /// The last frame that confirmed or moved it.
    pub last: Seen,
    /// Frames learned from.
    pub packets: u64,
    /// How many times it moved to another VTEP.
    pub moves: u64,
}

/// A MAC seen behind a second VTEP (a loop or a migration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MacMove {
    /// VNI.
    pub vni: u32,
    /// The inner source MAC.
    pub mac: MacAddr,
    /// The VTEP it was behind.
    pub from: IpAddr,
    /// The VTEP it is behind now.
    pub to: IpAddr,
    /// The frame that moved it.
    pub at: Seen,
}

/// Why a VXLAN frame was not learned from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NotLearned {
    /// The VTEP of [`SummaryConfig::vtep`] did not receive it (sent by it, or to someone else).
    pub not_received: u64,
    /// The receiving VTEP would drop it ([`crate::check`]).
    pub dropped: u64,
    /// GBP D bit set, and the D bit honoured ([`SummaryConfig::honour_dont_learn`]).
    pub dont_learn: u64,
    /// The receiving device has `nolearning`.
    pub nolearning: u64,
    /// Learned although the GBP D bit was set (as Linux does).
    pub dont_learn_ignored: u64,
}

/// Frames that show checksum or segmentation offload (not problems: the NIC finishes them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Offload {
    /// VXLAN frames whose outer UDP checksum holds only the pseudo-header sum
    /// ([`Checksum::Partial`]): handed to the NIC unfinished, accepted by the receiver.
    pub partial: u64,
    /// VXLAN frames longer than the MTU that show offload (a partial checksum at any depth or
    /// an IP length of 0): GSO/GRO super-frames, segmented on the wire, not the MTU trap.
    pub super_frames: u64,
}

/// Which interface of a capture a frame came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Iface {
    /// A pcapng interface, by its id.
    Pcapng(u32),
    /// A Linux interface index from a cooked v2 header (`tcpdump -i any`).
    IfIndex(u32),
    /// The capture's one interface (pcap, or cooked v1, which names none).
    Only,
}

impl core::fmt::Display for Iface {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        crate::display::padded(f, |f| match self {
            Iface::Pcapng(i) => write!(f, "interface {i}"),
            Iface::IfIndex(i) => write!(f, "ifindex {i}"),
            Iface::Only => f.write_str("the capture"),
        })
    }
}

/// What the capture says about a frame beyond its bytes: interface and direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrameMeta {
    /// The pcapng interface id, if the capture is pcapng.
    pub pcapng_interface: Option<u32>,
    /// Which way the frame went ([`crate::capture::Packet::direction`]).
    pub direction: crate::capture::Direction,
}

impl FrameMeta {
    /// The metadata of `p`, read from a pcapng file if `pcapng`.
    pub fn of(p: &crate::capture::Packet<'_>, pcapng: bool) -> FrameMeta {
        FrameMeta { pcapng_interface: pcapng.then_some(p.interface), direction: p.direction() }
    }
}

/// Per interface: what it carried and which way.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InterfaceStats {
    /// Its name, where the capture gives one.
    pub name: std::string::String,
    /// Frames.
    pub packets: u64,
    /// Frames with a VXLAN header (the underlay).
    pub vxlan: u64,
    /// Frames received, and sent, by the capturing host (where the capture says).
    pub inbound: u64,
    /// Frames sent by the capturing host.
    pub outbound: u64,
}

/// One inner IPv4 address of the ARP view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArpEntry {
    /// The MAC that claimed it first.
    pub mac: MacAddr,
    /// ARP packets that claimed it (as sender, or as target of a reply).
    pub packets: u64,
    /// Other MACs that claimed it (duplicate IP), with how often; at most 8 kept.
    pub others: BTreeMap<MacAddr, u64>,
    /// First claim.
    pub first: Seen,
    /// Last claim.
    pub last: Seen,
}

/// ARP requests for one target that no reply has answered (yet).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PendingArp {
    /// Who asked (sender IP of the last request).
    pub asker: Option<Ipv4Addr>,
    /// Requests since the last reply.
    pub requests: ProblemStats,
}

/// One host's membership of one group, from its IGMP messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Membership {
    /// IGMP versions seen, bit `1 << version`.
    pub versions: u8,
    /// IGMPv3 record types seen, bit `1 << type` (1 IS_IN … 6 BLOCK).
    pub record_types: u8,
    /// Reports or records after which the host is a member (v1/v2 report; v3 TO_EX/IS_EX, and
    /// TO_IN/IS_IN/ALLOW/BLOCK leaving a non-empty include list).
    pub joins: u64,
    /// Messages after which it is not (v2 leave; v3 TO_IN/IS_IN with no source, or a BLOCK
    /// emptying the include list).
    pub leaves: u64,
    /// Member after the last message.
    pub member: bool,
    /// Sources named in v3 records (at most 32 kept).
    pub sources: BTreeSet<IpAddr>,
    /// The filter mode after the last v3 record (RFC 3376 §3.2): `true` for EXCLUDE.
    pub exclude: bool,
    /// The INCLUDE-mode source list after the last v3 record (at most 32 kept).
    pub include: BTreeSet<IpAddr>,
    /// First message.
    pub first: Seen,
    /// Last message.
    pub last: Seen,
    /// The interface of the last message (underlay memberships; [`Iface::Only`] for
    /// single-interface captures). See [`Summary::is_underlay`].
    pub iface: Option<Iface>,
    /// A hash of the last report's IP packet (underlay memberships): equal to one that came
    /// inside VXLAN, it is a decapsulated copy of an overlay host's report.
    pub report_hash: u64,
}

/// Where an IGMP message was seen: the underlay (a VTEP) or an overlay VNI (a host).
#[derive(Clone, Copy)]
enum Scope {
    Underlay(IpAddr),
    Overlay(u32, Ipv4Addr),
}

impl Membership {
    /// One IGMPv3/MLDv2 group record of type `rt` with sources `src`.
    fn apply_record(&mut self, rt: RecordType, src: &[IpAddr]) -> Option<bool> {
        if (1..8).contains(&rt.0) {
            self.record_types |= 1 << rt.0;
        }
        for a in src {
            if self.sources.len() < MAX_SOURCES {
                self.sources.insert(*a);
            }
        }
        match rt {
            RecordType::CHANGE_TO_EXCLUDE | RecordType::MODE_IS_EXCLUDE => self.exclude_all(),
            RecordType::CHANGE_TO_INCLUDE | RecordType::MODE_IS_INCLUDE => self.include_only(src),
            RecordType::ALLOW_NEW_SOURCES => self.allow(src),
            RecordType::BLOCK_OLD_SOURCES => self.block(src),
            _ => None,
        }
    }

    /// EXCLUDE mode (a v1/v2 report, TO_EX, IS_EX): a member.
    fn exclude_all(&mut self) -> Option<bool> {
        self.exclude = true;
        self.include.clear();
        Some(true)
    }

    /// INCLUDE mode with exactly `src` (TO_IN, IS_IN; a v2 leave is INCLUDE {}).
    fn include_only(&mut self, src: &[IpAddr]) -> Option<bool> {
        self.exclude = false;
        self.include.clear();
        self.include.extend(src.iter().copied());
        Some(!self.include.is_empty())
    }

    /// ALLOW: in INCLUDE mode the sources join the list (a source-specific join); in EXCLUDE
    /// mode the host stays a member.
    fn allow(&mut self, src: &[IpAddr]) -> Option<bool> {
        if self.exclude {
            return None;
        }
        for a in src {
            if self.include.len() < MAX_SOURCES {
                self.include.insert(*a);
            }
        }
        Some(!self.include.is_empty())
    }

    /// BLOCK: in INCLUDE mode the sources leave the list (the last one leaves the group); in
    /// EXCLUDE mode the host stays a member.
    fn block(&mut self, src: &[IpAddr]) -> Option<bool> {
        if self.exclude {
            return None;
        }
        for a in src {
            self.include.remove(a);
        }
        Some(!self.include.is_empty())
    }
}

/// IGMP queries seen in one scope.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Queries {
    /// General queries (group 0.0.0.0) by version 1, 2, 3 (index 0 unused).
    pub general: [u64; 4],
    /// Group-specific (v2/v3) and group-and-source-specific (v3) queries.
    pub specific: u64,
}

/// A recent BUM frame, to count its head-end copies.
#[derive(Clone, Debug)]
struct Recent {
    dsts: Vec<IpAddr>,
}

/// The VNI key under which the views keep frames that had no VXLAN header (a capture on the
/// vxlan device or a bridge port: inner frames only). Outside the 24-bit VNI range.
pub const NO_VNI: u32 = u32::MAX;

const MAX_REPLICAS: usize = 64;
const MAX_SOURCES: usize = 32;
/// At most this many frames wait for their receiver's underlay MAC (see `pending_group`).
const MAX_PENDING_GROUP: usize = 256;

/// A learn that waits until the capture shows whether the view's VTEP is a member of `group`.
#[derive(Clone, Debug)]
struct PendingLearn {
    group: std::net::Ipv6Addr,
    vni: u32,
    mac: MacAddr,
    src: IpAddr,
    seen: Seen,
}

/// Whether the view's VTEP receives a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Receives {
    Yes,
    No,
    /// An IPv6 group with a member known only by its link-local MLD reports, and the VTEP's
    /// underlay MAC not seen yet: decided when it is.
    NotYetKnown,
}
const MAX_OTHER_MACS: usize = 8;

/// The summary of a capture: feed it with [`Summary::add`], print it with
/// [`Summary::write_text`] or [`Summary::write_json`].
///
/// ```
/// use vxwire::capture::CaptureReader;
/// use vxwire::dissect::Config;
/// use vxwire::summary::{add_capture, Summary, SummaryConfig};
/// # let file = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/vxlan-4789-p2p.pcap"))?;
/// let mut summary = Summary::new(SummaryConfig::default());
/// add_capture(&mut summary, &mut CaptureReader::new(&file[..])?, &Config::default())?;
/// let vni = &summary.vnis()[&100];
/// assert_eq!(vni.traffic.packets, 18);
/// let mut text = Vec::new();
/// summary.write_text(&mut text)?;
/// assert!(String::from_utf8(text)?.contains("dst 198.18.0.2 self"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Summary {
    cfg: SummaryConfig,
    packets: Counter,
    vxlan: Counter,
    gpe: u64,
    first: Option<Seen>,
    last: Option<Seen>,
    vnis: Capped<u32, VniStats>,
    pairs: Capped<PairKey, Counter>,
    fdb: Capped<(u32, MacAddr), FdbEntry>,
    moves: Vec<MacMove>,
    moves_total: u64,
    not_learned: NotLearned,
    offload: Offload,
    bare_frames: u64,
    interfaces: Capped<Iface, InterfaceStats>,
    arp: Capped<(u32, Ipv4Addr), ArpEntry>,
    arp_pending: Capped<(u32, Ipv4Addr, Ipv4Addr), PendingArp>,
    underlay_igmp: Capped<(IpAddr, Ipv4Addr), Membership>,
    underlay_queries: Queries,
    underlay_mld: Capped<(IpAddr, std::net::Ipv6Addr), Membership>,
    /// Underlay IPv6 source address -> link-layer source: ties a VTEP's link-local MLD
    /// reports to its (global) VXLAN address, which share the NIC's MAC.
    link_macs: Capped<std::net::Ipv6Addr, MacAddr>,
    /// The interface of the frame being added.
    iface: Iface,
    /// The hash of the IP packet of the underlay IGMP/MLD message being added.
    report_hash: u64,
    /// Hashes of the IP packets of IGMP/MLD messages seen inside VXLAN.
    inner_reports: Capped<u64, ()>,
    /// Frames to an IPv6 group that the view's VTEP learns from if it is the member whose MLD
    /// report the capture holds, but whose underlay MAC the capture has not shown yet.
    pending_group: Vec<PendingLearn>,
    overlay_igmp: Capped<(u32, Ipv4Addr, Ipv4Addr), Membership>,
    overlay_queries: Capped<u32, Queries>,
    recent: HashMap<(u32, u64), Recent, foldhash::fast::RandomState>,
    recent_order: VecDeque<(i128, (u32, u64))>,
    recent_dropped: u64,
    problems: BTreeMap<ProblemKind, ProblemStats>,
    gbp_speakers: Capped<(IpAddr, u16), ()>,
    gbp_received: Capped<(IpAddr, u16), ProblemStats>,
}

/// What the summary judges of a frame by the frame alone, without its state: the outer UDP
/// checksum and whether the frame's own VTEP (a device with its VNI and port, `gbp` for a G-bit
/// frame) accepts it. Made by [`Summary::add_with`], or beforehand by [`Judgement::of`] and
/// handed to [`Summary::add_judged`] (the checksum, summed over the whole frame, is most of the
/// cost).
///
/// ```
/// use core::net::Ipv4Addr;
/// use vxwire::build::{arp, vxlan_frame, ArpSpec, Outer};
/// use vxwire::dissect::{dissect, Config, LinkType};
/// use vxwire::summary::Judgement;
/// use vxwire::wire::vxlan::{Vni, VxlanHeader};
///
/// let (mut inner, mut frame) = ([0u8; 64], [0u8; 128]);
/// let spec = ArpSpec::request("02:00:00:00:00:01".parse()?, Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2));
/// let n = arp(&mut inner, &spec)?;
/// let (a, b) = (Ipv4Addr::new(198, 18, 0, 1), Ipv4Addr::new(198, 18, 0, 2));
/// let outer = Outer::v4("02:00:00:00:0a:01".parse()?, "02:00:00:00:0a:02".parse()?, a, b);
/// let len = vxlan_frame(&mut frame, &outer, &VxlanHeader::new(Vni::try_from(100)?), &inner[..n])?;
/// let judged = Judgement::of(&dissect(&frame[..len], LinkType::Ethernet, &Config::default()));
/// assert!(judged.accepted());
/// // A VXLAN header without the I flag: the kernel drops it (VXLAN_INVALID_HDR).
/// frame[outer.header_len() - 8] = 0;
/// assert!(!Judgement::of(&dissect(&frame[..len], LinkType::Ethernet, &Config::default())).accepted());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Judgement {
    verdict: Option<Verdict>,
    outer_udp: Option<Checksum>,
}

impl Judgement {
    /// Judges the frame `d`.
    pub fn of(d: &Dissection<'_>) -> Judgement {
        Judgement { verdict: outer_of(d).map(|o| own_verdict(d, &o)), outer_udp: outer_udp_checksum(d) }
    }

    /// Whether the frame is VXLAN that its own VTEP accepts.
    pub fn accepted(&self) -> bool {
        self.verdict == Some(Verdict::Accept)
    }
}

/// The outer layers of a VXLAN frame, picked from a dissection.
struct Outer<'a> {
    src: IpAddr,
    dst: IpAddr,
    ttl: u8,
    v6: bool,
    udp: etherparse::UdpHeaderSlice<'a>,
    vxlan: VxlanSlice<'a>,
    /// Offset of the inner frame in the packet.
    inner_offset: usize,
}

fn outer_of<'a>(d: &Dissection<'a>) -> Option<Outer<'a>> {
    let mut ip: Option<&Layer<'a>> = None;
    let mut udp: Option<etherparse::UdpHeaderSlice<'a>> = None;
    for l in d.layers() {
        if l.depth > 0 {
            break;
        }
        match &l.header {
            Header::Ipv4(_) | Header::Ipv6(_) => ip = Some(l),
            Header::Udp(u) => udp = Some(u.clone()),
            Header::Vxlan(v) => {
                let ip_layer = ip?;
                let udp = udp?;
                let (src, dst, ttl, v6) = match &ip_layer.header {
                    Header::Ipv4(h) => {
                        (IpAddr::V4(h.source_addr()), IpAddr::V4(h.destination_addr()), h.ttl(), false)
                    }
                    Header::Ipv6(h) => {
                        (IpAddr::V6(h.source_addr()), IpAddr::V6(h.destination_addr()), h.hop_limit(), true)
                    }
                    _ => return None,
                };
                return Some(Outer {
                    src,
                    dst,
                    ttl,
                    v6,
                    udp,
                    vxlan: *v,
                    inner_offset: l.offset + crate::wire::vxlan::HEADER_LEN,
                });
            }
            _ => {}
        }
    }
    None
}

/// The verdict of the frame's own VTEP: a device with its VNI and port (`gbp` for a G-bit frame:
/// whether the receiver has one is decided at the end, GbpNotUsed).
fn own_verdict(d: &Dissection<'_>, o: &Outer<'_>) -> Verdict {
    let mode = if o.vxlan.flags().g() { Mode::Gbp } else { Mode::Plain };
    check_dissection(d, &Device { mode, ..Device::new(&[o.vxlan.vni()], o.udp.destination_port(), &[]) })
}

/// The outer UDP checksum's verdict (`None` when the dissection has no outer UDP layer).
fn outer_udp_checksum(d: &Dissection<'_>) -> Option<Checksum> {
    let i = d.layers().position(|l| l.depth == 0 && matches!(l.header, Header::Udp(_)))?;
    d.checksum(i)
}

/// Whether the frame shows checksum or segmentation offload: a UDP/TCP checksum left to the NIC
/// (at any depth), or an IP length field of 0 (BIG TCP, GSO). Such a frame was handed to (or
/// by) the kernel whole; its length is not what crosses the wire.
fn shows_offload(d: &Dissection<'_>) -> bool {
    d.layers().enumerate().any(|(i, l)| match &l.header {
        Header::Udp(_) | Header::Tcp(_) => d.checksum(i) == Some(Checksum::Partial),
        Header::Ipv4(h) => h.total_len() == 0,
        Header::Ipv6(h) => h.payload_length() == 0,
        _ => false,
    })
}

/// Whether `h` is IGMP, or ICMPv6 of an MLD type (query, report, done, v2 report): the messages
/// whose decapsulated copies the underlay view must know (Neighbor Discovery is not hashed).
fn is_membership_message(h: &Header<'_>) -> bool {
    match h {
        Header::Igmp(_) => true,
        Header::Icmpv6(m) => matches!(m.slice().first(), Some(130..=132 | 143)),
        _ => false,
    }
}

/// The hash of the IP packet at `depth` (its bytes up to its length field, or to the end).
fn ip_packet_hash(d: &Dissection<'_>, depth: u8) -> Option<u64> {
    let l = d.layers().find(|l| l.depth == depth && matches!(l.header, Header::Ipv4(_) | Header::Ipv6(_)))?;
    let len = match &l.header {
        Header::Ipv4(h) => usize::from(h.total_len()),
        Header::Ipv6(h) => 40 + usize::from(h.payload_length()),
        _ => return None,
    };
    let bytes = d.data().get(l.offset..)?;
    Some(fnv64(&bytes[..len.min(bytes.len())]))
}

/// 64-bit FNV-1a of the inner frame: the key of head-end replication.
fn fnv64(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h ^= u64::from(x);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn mac_of(b: &[u8]) -> Option<MacAddr> {
    <[u8; 6]>::try_from(b).ok().map(MacAddr)
}

fn ipv4_of(b: &[u8]) -> Option<Ipv4Addr> {
    <[u8; 4]>::try_from(b).ok().map(Ipv4Addr::from)
}

impl Summary {
    /// An empty summary judging and bounding what it sees by `config`.
    pub fn new(config: SummaryConfig) -> Summary {
        let cap = config.table_cap;
        Summary {
            cfg: config,
            packets: Counter::default(),
            vxlan: Counter::default(),
            gpe: 0,
            first: None,
            last: None,
            vnis: Capped::new(cap),
            pairs: Capped::new(cap),
            fdb: Capped::new(cap),
            moves: Vec::new(),
            moves_total: 0,
            not_learned: NotLearned::default(),
            offload: Offload::default(),
            bare_frames: 0,
            interfaces: Capped::new(64),
            arp: Capped::new(cap),
            arp_pending: Capped::new(cap),
            underlay_igmp: Capped::new(cap),
            underlay_queries: Queries::default(),
            underlay_mld: Capped::new(cap),
            link_macs: Capped::new(cap),
            iface: Iface::Only,
            report_hash: 0,
            inner_reports: Capped::new(cap),
            pending_group: Vec::new(),
            overlay_igmp: Capped::new(cap),
            overlay_queries: Capped::new(cap),
            recent: HashMap::default(),
            recent_order: VecDeque::new(),
            recent_dropped: 0,
            problems: BTreeMap::new(),
            gbp_speakers: Capped::new(cap),
            gbp_received: Capped::new(cap),
        }
    }

    /// The same summary with the underlay MTU set to `mtu` bytes (default 1500).
    pub fn with_mtu(mut self, mtu: u32) -> Summary {
        self.cfg.mtu = mtu;
        self
    }

    /// The configuration in use.
    pub fn config(&self) -> &SummaryConfig {
        &self.cfg
    }

    fn problem(&mut self, kind: ProblemKind, n: u64) {
        let keep = self.cfg.keep_packets;
        self.problems.entry(kind).or_default().hit(n, keep);
    }

    /// Adds one packet: `info` (number, time, lengths) and its dissection `d`.
    ///
    /// Never fails: what cannot be read is skipped (a truncated packet contributes what was
    /// dissected before the cut).
    pub fn add(&mut self, info: &PacketInfo, d: &Dissection<'_>) {
        self.add_with(info, d, &FrameMeta::default());
    }

    /// [`Summary::add`] with what the capture says about the frame (interface, direction),
    /// counted per interface. Each overlay packet of a `-i any` or multi-interface capture
    /// appears on the underlay (VXLAN) and again decapsulated on the vxlan device: only the
    /// VXLAN copy is learned from and counted in the views.
    pub fn add_with(&mut self, info: &PacketInfo, d: &Dissection<'_>, meta: &FrameMeta) {
        self.add_judged(info, d, meta, &Judgement::of(d));
    }

    /// [`Summary::add_with`] with the frame's [`Judgement`] made beforehand (on another thread,
    /// say: `vxdump -j N --summary` judges on every thread and adds on one, in order). `judged`
    /// must be `Judgement::of(d)`: one made of another frame counts that frame's checksum and
    /// verdict.
    pub fn add_judged(
        &mut self,
        info: &PacketInfo,
        d: &Dissection<'_>,
        meta: &FrameMeta,
        judged: &Judgement,
    ) {
        self.count_interface(d, meta);
        let seen = Seen::of(info);
        self.packets.add(info.len);
        if self.first.is_none() {
            self.first = Some(seen);
        }
        self.last = Some(seen);
        self.expire_recent(seen.ns());

        // Outer fragments and underlay IGMP, before any VXLAN.
        let mut link_src: Option<MacAddr> = None;
        for l in d.layers() {
            if l.depth > 0 {
                break;
            }
            match &l.header {
                Header::Ethernet(e) => link_src = Some(MacAddr(e.source())),
                Header::LinuxSll(h) => link_src = mac_of(h.addr()),
                Header::LinuxSll2(h) => link_src = mac_of(h.addr()),
                Header::Ipv6(h) => {
                    if let Some(m) = link_src {
                        self.tie(h.source_addr(), m);
                    }
                }
                Header::Ipv4(h)
                    if h.protocol().0 == 17 && (h.more_fragments() || h.fragments_offset().value() != 0) =>
                {
                    self.problem(ProblemKind::OuterFragment, info.n)
                }
                Header::Ipv6Ext(e) if e.is_fragmenting_payload() => {
                    self.problem(ProblemKind::OuterFragment, info.n)
                }
                Header::Igmp(g) => {
                    self.report_hash = ip_packet_hash(d, 0).unwrap_or(0);
                    let host = d.layers().filter(|x| x.depth == 0).find_map(|x| match &x.header {
                        Header::Ipv4(h) => Some(IpAddr::V4(h.source_addr())),
                        _ => None,
                    });
                    if let Some(host) = host {
                        self.igmp(None, host, g, seen);
                    }
                }
                Header::Icmpv6(m) if is_membership_message(&l.header) => {
                    self.report_hash = ip_packet_hash(d, 0).unwrap_or(0);
                    let host = d.layers().filter(|x| x.depth == 0).find_map(|x| match &x.header {
                        Header::Ipv6(h) => Some(IpAddr::V6(h.source_addr())),
                        _ => None,
                    });
                    if let Some(host) = host {
                        self.mld(host, m.slice(), seen);
                    }
                }
                Header::VxlanGpe(_) => self.gpe += 1,
                _ => {}
            }
        }

        let Some(o) = outer_of(d) else {
            self.bare(d, seen);
            return;
        };
        if self.vxlan.packets == 0 {
            self.forget_bare();
        }
        self.vxlan.add(info.len);
        let vni = o.vxlan.vni().get();
        let port = o.udp.destination_port();
        if let Some(v) = self.vnis.entry(vni) {
            v.traffic.add(info.len);
            if let Some(g) = o.vxlan.gbp() {
                *v.gbp_ids.entry(g.group_policy_id).or_default() += 1;
            }
        }
        if let Some(p) = self.pairs.entry((vni, o.src, o.dst, port)) {
            p.add(info.len);
        }

        // Header and underlay problems.
        if vni == 0 {
            self.problem(ProblemKind::VniZero, info.n);
        }
        match o.udp.source_port() {
            0 => self.problem(ProblemKind::SrcPortZero, info.n),
            p if p < 49152 => self.problem(ProblemKind::SrcPortOutsideRange, info.n),
            _ => {}
        }
        if o.ttl == 1 {
            let kind = if o.dst.is_multicast() { ProblemKind::TtlOneMulticast } else { ProblemKind::TtlOne };
            self.problem(kind, info.n);
        }
        self.checksum_and_mtu(info, d, &o, judged.outer_udp);

        // Would a Linux VTEP accept it? The judgement says; one with no verdict (made of a frame
        // without VXLAN, not this one) is made up here.
        let g = o.vxlan.flags().g();
        let (vnis, mode) = ([o.vxlan.vni()], if g { Mode::Gbp } else { Mode::Plain });
        let verdict = judged.verdict.unwrap_or_else(|| own_verdict(d, &o));
        if let Verdict::Drop(r) = verdict {
            self.drop_problem(r, &o, info.n);
        }
        if g {
            let _ = self.gbp_speakers.entry((o.src, port));
            if !o.dst.is_multicast() {
                let keep = self.cfg.keep_packets;
                if let Some(p) = self.gbp_received.entry((o.dst, port)) {
                    p.hit(info.n, keep);
                }
            }
        }

        // Learning.
        self.learn(d, &o, (&vnis, port, mode), verdict, seen);

        // Inner frame: BUM, ARP, IGMP.
        let unicast_dst = (!o.dst.is_multicast()).then_some((o.dst, o.inner_offset));
        self.inner_views(vni, d, 1, unicast_dst, seen);
    }

    /// The BUM, ARP and IGMP views of the Ethernet frame at `depth` of `d` in `vni`; a BUM frame
    /// sent to a unicast VTEP (`unicast_dst`: its address and the inner frame's offset) counts
    /// towards head-end replication.
    fn inner_views(
        &mut self,
        vni: u32,
        d: &Dissection<'_>,
        depth: u8,
        unicast_dst: Option<(IpAddr, usize)>,
        seen: Seen,
    ) {
        let inner = d.layers().find(|l| l.depth == depth && matches!(l.header, Header::Ethernet(_)));
        if let Some(Layer { header: Header::Ethernet(e), .. }) = inner {
            let dst = e.destination();
            if dst[0] & 1 != 0 {
                if let Some(v) = self.vnis.entry(vni) {
                    if dst == [0xff; 6] {
                        v.broadcast += 1;
                    } else {
                        v.multicast += 1;
                    }
                }
                if let Some((vtep, at)) = unicast_dst {
                    let bytes = d.data().get(at..).unwrap_or(&[]);
                    self.replica(vni, fnv64(bytes), vtep, seen.ns());
                }
            }
        }
        let mut inner_src: Option<Ipv4Addr> = None;
        for l in d.layers().filter(|l| l.depth == depth) {
            match &l.header {
                Header::Arp(a) => self.arp(vni, a, seen),
                Header::Ipv4(h) => inner_src = Some(h.source_addr()),
                Header::Igmp(_) | Header::Icmpv6(_) if depth > 0 && is_membership_message(&l.header) => {
                    if let Some(h) = ip_packet_hash(d, depth) {
                        let _ = self.inner_reports.entry(h);
                    }
                    if let (Header::Igmp(g), Some(host)) = (&l.header, inner_src) {
                        self.igmp(Some(vni), IpAddr::V4(host), g, seen);
                    }
                }
                _ => {}
            }
        }
    }

    /// A frame without VXLAN: counted; until the capture shows VXLAN (a capture of the vxlan
    /// device itself, inner frames only) its ARP and BUM traffic go to the views under [`NO_VNI`].
    fn bare(&mut self, d: &Dissection<'_>, seen: Seen) {
        let link = matches!(
            d.get(0).map(|l| &l.header),
            Some(Header::Ethernet(_) | Header::LinuxSll(_) | Header::LinuxSll2(_))
        );
        if link && !d.layers().any(|l| matches!(l.header, Header::VxlanGpe(_))) {
            self.bare_frames += 1;
            if self.vxlan.packets == 0 {
                self.inner_views(NO_VNI, d, 0, None, seen);
            }
        }
    }

    /// The capture has VXLAN after all: what frames without it put in the views was the
    /// underlay's own traffic or decapsulated copies, and goes.
    fn forget_bare(&mut self) {
        self.arp.retain(|k, _| k.0 != NO_VNI);
        self.arp_pending.retain(|k, _| k.0 != NO_VNI);
        self.overlay_igmp.retain(|k, _| k.0 != NO_VNI);
        self.overlay_queries.retain(|k, _| *k != NO_VNI);
        self.vnis.retain(|k, _| *k != NO_VNI);
    }

    fn count_interface(&mut self, d: &Dissection<'_>, meta: &FrameMeta) {
        let sll2 = d.get(0).and_then(|l| match &l.header {
            Header::LinuxSll2(h) => Some(h.if_index()),
            _ => None,
        });
        let key = match (meta.pcapng_interface, sll2) {
            (_, Some(i)) => Iface::IfIndex(i),
            (Some(i), None) => Iface::Pcapng(i),
            (None, None) => Iface::Only,
        };
        let vxlan = d.vxlan().is_some();
        self.iface = key;
        let Some(st) = self.interfaces.entry(key) else { return };
        st.packets += 1;
        st.vxlan += u64::from(vxlan);
        match meta.direction {
            crate::capture::Direction::Inbound => st.inbound += 1,
            crate::capture::Direction::Outbound => st.outbound += 1,
            crate::capture::Direction::Unknown => {}
        }
    }

    /// Names the pcapng interfaces counted so far, by `name(id)` (e.g.
    /// [`crate::capture::CaptureReader::interface_name`]), once the capture has been read.
    pub fn name_interfaces<'n>(&mut self, name: impl Fn(u32) -> Option<&'n str>) {
        for (k, st) in self.interfaces.iter_mut() {
            if let Some(n) = match k {
                Iface::Pcapng(i) => name(*i),
                _ => None,
            } {
                st.name = n.into();
            }
        }
    }

    /// Per interface: frames, VXLAN frames, directions.
    pub fn interfaces(&self) -> &Capped<Iface, InterfaceStats> {
        &self.interfaces
    }

    /// Frames without a VXLAN header (their ARP and BUM traffic are under [`NO_VNI`]).
    pub fn bare_frames(&self) -> u64 {
        self.bare_frames
    }

    /// Bad outer UDP checksums and the MTU trap; offloaded frames (partial checksums, GSO/GRO
    /// super-frames) are neither: the NIC finishes and segments them.
    fn checksum_and_mtu(
        &mut self,
        info: &PacketInfo,
        d: &Dissection<'_>,
        o: &Outer<'_>,
        outer_udp: Option<Checksum>,
    ) {
        match outer_udp {
            Some(Checksum::Invalid) => self.problem(ProblemKind::BadUdpChecksum, info.n),
            Some(Checksum::Partial) => self.offload.partial += 1,
            _ => {}
        }
        let overhead = if o.v6 { 70 } else { 50 };
        // The inner frame's length: what was on the wire, or what the UDP length says (an outer
        // first fragment carries only part of it).
        let on_wire = (info.len as usize).saturating_sub(o.inner_offset);
        let by_udp = usize::from(o.udp.length()).saturating_sub(16);
        let inner_len = on_wire.max(by_udp);
        let inner_l3 = inner_len.saturating_sub(14);
        if inner_len >= 14 && inner_l3 as u64 > u64::from(self.cfg.mtu.saturating_sub(overhead)) {
            if shows_offload(d) {
                self.offload.super_frames += 1;
            } else {
                self.problem(ProblemKind::MtuExceeded, info.n);
            }
        }
    }

    fn drop_problem(&mut self, r: DropReason, o: &Outer<'_>, n: u64) {
        let kind = match r {
            DropReason::VxlanInvalidHdr if !o.vxlan.flags().i() => ProblemKind::IFlagClear,
            DropReason::VxlanInvalidHdr => ProblemKind::ReservedBits,
            other => ProblemKind::KernelDrop(DropReasonKey(other.kernel_name())),
        };
        self.problem(kind, n);
    }

    /// Notes that IPv6 source `a` sent from link-layer address `mac`; when `a` is the view's
    /// VTEP, decides the frames that waited for it.
    fn tie(&mut self, a: std::net::Ipv6Addr, mac: MacAddr) {
        if self.link_macs.get(&a) == Some(&mac) {
            return;
        }
        if let Some(m) = self.link_macs.entry_with(a, || mac) {
            *m = mac;
        }
        let ours = self.cfg.vtep.as_ref().is_some_and(|v| v.addrs.contains(&IpAddr::V6(a)));
        if ours && !self.pending_group.is_empty() {
            let Some(view) = self.cfg.vtep.take() else { return };
            for p in std::mem::take(&mut self.pending_group) {
                match self.vtep_receives(&view, IpAddr::V6(p.group)) {
                    Receives::Yes => {
                        self.not_learned.not_received = self.not_learned.not_received.saturating_sub(1);
                        self.learn_raw(p.vni, p.mac, p.src, p.seen);
                    }
                    Receives::No => {}
                    Receives::NotYetKnown => self.pending_group.push(p),
                }
            }
            self.cfg.vtep = Some(view);
        }
    }

    /// The VTEP address that MLD host `host` (a link-local address) stands for: the other
    /// underlay IPv6 source that sent from the same link-layer address.
    pub fn mld_vtep(&self, host: &IpAddr) -> Option<std::net::Ipv6Addr> {
        let IpAddr::V6(h) = host else { return None };
        if !h.is_unicast_link_local() {
            return None;
        }
        let mac = self.link_macs.get(h)?;
        self.link_macs.iter().find(|(a, m)| *m == mac && !a.is_unicast_link_local()).map(|(a, _)| *a)
    }

    /// Whether an underlay membership ([`Summary::underlay_igmp`], [`Summary::underlay_mld`])
    /// came from the underlay: its last report was on an interface that carried VXLAN, or the
    /// capture has one interface, or none carried VXLAN. On `-i any` (cooked v2) and
    /// multi-interface pcapng captures the reports of overlay hosts appear decapsulated on the
    /// vxlan device and bridge ports too; those are not VTEPs joining groups. A report whose IP
    /// packet is byte for byte one that came inside VXLAN is such a copy too, whatever the
    /// interface (cooked v1 names none).
    pub fn is_underlay(&self, m: &Membership) -> bool {
        if m.report_hash != 0 && self.inner_reports.contains_key(&m.report_hash) {
            return false;
        }
        let carried = |i: &Iface| self.interfaces.get(i).is_some_and(|st| st.vxlan > 0);
        match m.iface {
            None | Some(Iface::Only) => true,
            Some(i) => carried(&i) || !self.interfaces.iter().any(|(k, _)| carried(k)),
        }
    }

    /// Whether the VTEP of the view receives a frame to `dst`: one of its addresses, or a group
    /// it is a member of now, by its own IGMP reports in the capture or, for IPv6, by the MLD
    /// reports of its link-local address (the one with its underlay MAC).
    fn vtep_receives(&self, view: &VtepView, dst: IpAddr) -> Receives {
        if view.addrs.contains(&dst) {
            return Receives::Yes;
        }
        let yes = |b: bool| if b { Receives::Yes } else { Receives::No };
        match dst {
            IpAddr::V4(g) => yes(view
                .addrs
                .iter()
                .any(|a| self.underlay_igmp.get(&(*a, g)).is_some_and(|m| m.member && self.is_underlay(m)))),
            IpAddr::V6(g) => {
                if view
                    .addrs
                    .iter()
                    .any(|a| self.underlay_mld.get(&(*a, g)).is_some_and(|m| m.member && self.is_underlay(m)))
                {
                    return Receives::Yes;
                }
                let v6 = || {
                    view.addrs.iter().filter_map(|a| match a {
                        IpAddr::V6(a) if !a.is_multicast() => Some(*a),
                        _ => None,
                    })
                };
                // Link-local members of the group, with the MAC they reported from.
                let members = || {
                    self.underlay_mld.iter().filter_map(move |((h, mg), m)| match h {
                        IpAddr::V6(h)
                            if *mg == g && m.member && h.is_unicast_link_local() && self.is_underlay(m) =>
                        {
                            Some(self.link_macs.get(h).copied())
                        }
                        _ => None,
                    })
                };
                let mut unknown = false;
                for a in v6() {
                    match self.link_macs.get(&a) {
                        Some(mac) => {
                            if members().any(|m| m == Some(*mac)) {
                                return Receives::Yes;
                            }
                        }
                        None => unknown = true,
                    }
                }
                // A member whose MAC no other VTEP address has shown may be this VTEP.
                let untied = |mac: MacAddr| {
                    !self.link_macs.iter().any(|(a, m)| *m == mac && !a.is_unicast_link_local())
                };
                if unknown && members().any(|m| m.is_some_and(untied)) {
                    Receives::NotYetKnown
                } else {
                    Receives::No
                }
            }
        }
    }

    /// `frame`: the VNIs, port and mode of the frame's own device, whose `verdict` it is (a learn
    /// without a view reuses it).
    fn learn(
        &mut self,
        d: &Dissection<'_>,
        o: &Outer<'_>,
        frame: (&[Vni], u16, Mode),
        verdict: Verdict,
        seen: Seen,
    ) {
        let view = self.cfg.vtep.take();
        let learned = self.learn_as(view.as_ref(), d, o, frame, verdict);
        self.cfg.vtep = view;
        match learned {
            Receives::Yes => self.learn_entry(d, o, seen),
            Receives::No => {}
            Receives::NotYetKnown => {
                let inner = d.data().get(o.inner_offset + 6..o.inner_offset + 12).and_then(mac_of);
                if let (Some(mac), IpAddr::V6(group)) = (inner, o.dst) {
                    if self.pending_group.len() < MAX_PENDING_GROUP {
                        let vni = o.vxlan.vni().get();
                        self.pending_group.push(PendingLearn { group, vni, mac, src: o.src, seen });
                    }
                }
            }
        }
    }

    /// Whether the VTEP `view` (or, without one, the frame's destination VTEP) learns from the
    /// frame (`NotYetKnown`: it would, if it is a member of the group the frame went to); counts
    /// why not. `frame` and `verdict`: as for [`Summary::learn`].
    fn learn_as(
        &mut self,
        view: Option<&VtepView>,
        d: &Dissection<'_>,
        o: &Outer<'_>,
        frame: (&[Vni], u16, Mode),
        verdict: Verdict,
    ) -> Receives {
        let (vnis, port, mode) = frame;
        let mut served: Vec<Vni> = Vec::new();
        let mut recv = Receives::Yes;
        let dev = match view {
            Some(v) => {
                recv = if v.addrs.contains(&o.src) { Receives::No } else { self.vtep_receives(v, o.dst) };
                if recv != Receives::Yes {
                    // Counted as not received until the capture shows it was.
                    self.not_learned.not_received += 1;
                    if recv == Receives::No {
                        return Receives::No;
                    }
                }
                let st = &v.settings;
                served.extend(st.vnis.iter().filter_map(|n| Vni::new(*n)));
                Device {
                    vnis: if st.vnis.is_empty() { vnis } else { &served },
                    port: st.port.unwrap_or(port),
                    mode: st.mode,
                    // The destination was judged above (joined groups included).
                    local_ips: &[],
                    learning: st.learning,
                    udp6_zero_csum_rx: st.udp6_zero_csum_rx,
                    remcsum_rx: st.remcsum_rx,
                    external: st.external,
                    ..Device::new(vnis, port, &v.macs)
                }
            }
            None => Device { mode, ..Device::new(vnis, port, &[]) },
        };
        let maybe = recv == Receives::NotYetKnown;
        // Without a view the device is the frame's own, whose verdict the judgement holds.
        let verdict = if view.is_some() { check_dissection(d, &dev) } else { verdict };
        if verdict != Verdict::Accept {
            if !maybe {
                self.not_learned.dropped += 1;
            }
            return Receives::No;
        }
        if !dev.learning {
            if !maybe {
                self.not_learned.nolearning += 1;
            }
            return Receives::No;
        }
        if o.vxlan.gbp().is_some_and(|g| g.dont_learn) {
            let honour = self.cfg.honour_dont_learn || view.is_some_and(|v| v.settings.honour_dont_learn);
            if honour {
                if !maybe {
                    self.not_learned.dont_learn += 1;
                }
                return Receives::No;
            }
            if !maybe {
                self.not_learned.dont_learn_ignored += 1;
            }
        }
        recv
    }

    fn learn_entry(&mut self, d: &Dissection<'_>, o: &Outer<'_>, seen: Seen) {
        let Some(inner) = d.data().get(o.inner_offset..o.inner_offset + 14) else { return };
        let Some(mac) = mac_of(&inner[6..12]) else { return };
        self.learn_raw(o.vxlan.vni().get(), mac, o.src, seen);
    }

    /// Learns (or refreshes, or moves) `mac` in `vni` behind VTEP `src`.
    fn learn_raw(&mut self, vni: u32, mac: MacAddr, src: IpAddr, seen: Seen) {
        let keep = self.cfg.keep_packets;
        let Some(e) = self.fdb.entry_with((vni, mac), || FdbEntry {
            dst: src,
            first: seen,
            last: seen,
            packets: 0,
            moves: 0,
        }) else {
            return;
        };
        e.packets += 1;
        e.last = seen;
        if e.dst != src {
            let mv = MacMove { vni, mac, from: e.dst, to: src, at: seen };
            e.dst = src;
            e.moves += 1;
            self.moves_total += 1;
            if self.moves.len() < keep.max(1) * 20 {
                self.moves.push(mv);
            }
        }
    }

    fn arp(&mut self, vni: u32, a: &etherparse::ArpPacketSlice<'_>, seen: Seen) {
        // Ethernet/IPv4 ARP only.
        let (Some(smac), Some(sip), Some(tip)) = (
            mac_of(a.sender_hw_addr()),
            ipv4_of(a.sender_protocol_addr()),
            ipv4_of(a.target_protocol_addr()),
        ) else {
            return;
        };
        let op = a.operation().0;
        let keep = self.cfg.keep_packets;
        if !sip.is_unspecified() {
            self.claim(vni, sip, smac, seen);
        }
        match op {
            crate::wire::arp::op::REQUEST if sip != tip => {
                // One entry per asker: another host's reply does not answer this one's request.
                if let Some(p) = self.arp_pending.entry((vni, tip, sip)) {
                    p.asker = Some(sip);
                    p.requests.hit(seen.n, keep);
                }
            }
            crate::wire::arp::op::REPLY => {
                self.arp_pending.remove(&(vni, sip, tip));
            }
            _ => {}
        }
    }

    fn claim(&mut self, vni: u32, ip: Ipv4Addr, mac: MacAddr, seen: Seen) {
        let Some(e) = self.arp.entry_with((vni, ip), || ArpEntry {
            mac,
            packets: 0,
            others: BTreeMap::new(),
            first: seen,
            last: seen,
        }) else {
            return;
        };
        e.packets += 1;
        e.last = seen;
        if e.mac != mac && (e.others.len() < MAX_OTHER_MACS || e.others.contains_key(&mac)) {
            *e.others.entry(mac).or_default() += 1;
        }
    }

    fn igmp(&mut self, vni: Option<u32>, host: IpAddr, g: &IgmpSlice<'_>, seen: Seen) {
        let t = g.igmp_type();
        let version = g.version().map_or(0, |v| v.number());
        if t == IgmpType::MEMBERSHIP_QUERY {
            let q = match vni {
                None => Some(&mut self.underlay_queries),
                Some(v) => self.overlay_queries.entry(v),
            };
            if let Some(q) = q {
                if g.group().is_unspecified() {
                    q.general[usize::from(version.min(3))] += 1;
                } else {
                    q.specific += 1;
                }
            }
            return;
        }
        let scope = match (vni, host) {
            (None, h) => Scope::Underlay(h),
            (Some(v), IpAddr::V4(h)) => Scope::Overlay(v, h),
            (Some(_), IpAddr::V6(_)) => return,
        };
        match t {
            IgmpType::V1_REPORT | IgmpType::V2_REPORT => {
                self.membership(scope, IpAddr::V4(g.group()), version, seen, |m| m.exclude_all());
            }
            IgmpType::V2_LEAVE => {
                self.membership(scope, IpAddr::V4(g.group()), version, seen, |m| m.include_only(&[]))
            }
            IgmpType::V3_REPORT => {
                let Some(r) = g.v3_report() else { return };
                for rec in r.records() {
                    let mut src = [IpAddr::V4(Ipv4Addr::UNSPECIFIED); MAX_SOURCES];
                    let mut n = 0;
                    for a in rec.sources().take(MAX_SOURCES) {
                        src[n] = IpAddr::V4(a);
                        n += 1;
                    }
                    let src = &src[..n];
                    let rt = rec.record_type;
                    self.membership(scope, IpAddr::V4(rec.group), version, seen, |m| m.apply_record(rt, src));
                }
            }
            _ => {}
        }
    }

    /// Underlay MLD (IPv6 group mode): reports and dones of a VTEP, as IGMP's (MLDv1 as v1,
    /// MLDv2 as v2 in [`Membership::versions`]).
    fn mld(&mut self, host: IpAddr, msg: &[u8], seen: Seen) {
        use crate::wire::icmpv6::{parse, Icmpv6Message};
        let scope = Scope::Underlay(host);
        match parse(msg) {
            Ok(Icmpv6Message::MldReport(m)) => {
                self.membership(scope, IpAddr::V6(m.multicast_address()), 1, seen, |m| m.exclude_all())
            }
            Ok(Icmpv6Message::MldDone(m)) => {
                self.membership(scope, IpAddr::V6(m.multicast_address()), 1, seen, |m| m.include_only(&[]))
            }
            Ok(Icmpv6Message::Mld2Report(r)) => {
                for rec in r.records() {
                    let mut src = [IpAddr::V4(Ipv4Addr::UNSPECIFIED); MAX_SOURCES];
                    let mut n = 0;
                    for a in rec.sources().take(MAX_SOURCES) {
                        src[n] = IpAddr::V6(a);
                        n += 1;
                    }
                    let src = &src[..n];
                    let rt = rec.record_type;
                    self.membership(scope, IpAddr::V6(rec.multicast_address), 2, seen, |m| {
                        m.apply_record(rt, src)
                    });
                }
            }
            _ => {}
        }
    }

    /// Updates one host's membership of `group` with `change`, which returns whether the host
    /// is a member afterwards (`None`: the message does not say).
    fn membership(
        &mut self,
        scope: Scope,
        group: IpAddr,
        version: u8,
        seen: Seen,
        change: impl FnOnce(&mut Membership) -> Option<bool>,
    ) {
        let m = match (scope, group) {
            (Scope::Underlay(h), IpAddr::V4(g)) => self.underlay_igmp.entry((h, g)),
            (Scope::Overlay(v, h), IpAddr::V4(g)) => self.overlay_igmp.entry((v, h, g)),
            (Scope::Underlay(h), IpAddr::V6(g)) => self.underlay_mld.entry((h, g)),
            (Scope::Overlay(..), IpAddr::V6(_)) => None,
        };
        let Some(m) = m else { return };
        if matches!(scope, Scope::Underlay(_)) {
            m.iface = Some(self.iface);
            m.report_hash = self.report_hash;
        }
        if m.first.n == 0 {
            m.first = seen;
        }
        m.last = seen;
        m.versions |= 1 << (version & 7);
        match change(m) {
            Some(true) => {
                m.joins += 1;
                m.member = true;
            }
            Some(false) => {
                m.leaves += 1;
                m.member = false;
            }
            None => {}
        }
    }

    fn replica(&mut self, vni: u32, hash: u64, dst: IpAddr, now: i128) {
        let key = (vni, hash);
        if let Some(r) = self.recent.get_mut(&key) {
            if !r.dsts.contains(&dst) && r.dsts.len() < MAX_REPLICAS {
                r.dsts.push(dst);
            }
            return;
        }
        if self.recent.len() >= self.cfg.table_cap {
            self.recent_dropped += 1;
            return;
        }
        let mut dsts = Vec::with_capacity(2);
        dsts.push(dst);
        self.recent.insert(key, Recent { dsts });
        self.recent_order.push_back((now, key));
    }

    fn expire_recent(&mut self, now: i128) {
        let window = i128::from(self.cfg.replication_window_ns);
        while let Some(&(t, key)) = self.recent_order.front() {
            if now - t <= window {
                break;
            }
            self.recent_order.pop_front();
            if let Some(r) = self.recent.remove(&key) {
                if let Some(v) = self.vnis.get_mut(&key.0) {
                    *v.replication.entry(r.dsts.len()).or_default() += 1;
                }
            }
        }
    }

    /// The overlay map: per VNI statistics.
    pub fn vnis(&self) -> BTreeMap<u32, VniStats> {
        let mut out: BTreeMap<u32, VniStats> = self.vnis.iter().map(|(k, v)| (*k, v.clone())).collect();
        // BUM frames still inside their replication window count with what was seen so far.
        for ((vni, _), r) in &self.recent {
            if let Some(v) = out.get_mut(vni) {
                *v.replication.entry(r.dsts.len()).or_default() += 1;
            }
        }
        out
    }

    /// The VTEP pairs of the overlay map.
    pub fn pairs(&self) -> &Capped<PairKey, Counter> {
        &self.pairs
    }

    /// The learned forwarding table, keyed by `(VNI, inner source MAC)`.
    pub fn fdb(&self) -> &Capped<(u32, MacAddr), FdbEntry> {
        &self.fdb
    }

    /// The first MAC moves (at most 20 × [`SummaryConfig::keep_packets`]) and how many there were.
    pub fn moves(&self) -> (&[MacMove], u64) {
        (&self.moves, self.moves_total)
    }

    /// Why VXLAN frames were not learned from.
    pub fn not_learned(&self) -> NotLearned {
        self.not_learned
    }

    /// Frames that showed checksum or segmentation offload.
    pub fn offload(&self) -> Offload {
        self.offload
    }

    /// The ARP view, keyed by `(VNI, IPv4 address)`; in a capture without any VXLAN (taken on
    /// the vxlan device), [`NO_VNI`] holds what its frames said.
    pub fn arp_table(&self) -> &Capped<(u32, Ipv4Addr), ArpEntry> {
        &self.arp
    }

    /// ARP requests without a reply after them, keyed by `(VNI, target address, asker)`: each
    /// asker waits for its own reply.
    pub fn unanswered_arp(&self) -> &Capped<(u32, Ipv4Addr, Ipv4Addr), PendingArp> {
        &self.arp_pending
    }

    /// Underlay IGMP membership, keyed by `(VTEP address, group)`.
    pub fn underlay_igmp(&self) -> &Capped<(IpAddr, Ipv4Addr), Membership> {
        &self.underlay_igmp
    }

    /// Underlay MLD membership (IPv6 group mode), keyed by `(VTEP address, group)`. Linux sends
    /// MLD from the link-local address, so the key is that, not the VTEP's underlay address.
    pub fn underlay_mld(&self) -> &Capped<(IpAddr, std::net::Ipv6Addr), Membership> {
        &self.underlay_mld
    }

    /// Underlay IGMP queries.
    pub fn underlay_queries(&self) -> Queries {
        self.underlay_queries
    }

    /// Overlay IGMP membership, keyed by `(VNI, inner host address, group)`.
    pub fn overlay_igmp(&self) -> &Capped<(u32, Ipv4Addr, Ipv4Addr), Membership> {
        &self.overlay_igmp
    }

    /// Overlay IGMP queries per VNI.
    pub fn overlay_queries(&self) -> &Capped<u32, Queries> {
        &self.overlay_queries
    }

    /// Every problem seen, with its count and first packets (including the end-of-capture
    /// judgement [`ProblemKind::GbpNotUsed`]).
    pub fn problems(&self) -> BTreeMap<ProblemKind, ProblemStats> {
        let mut out = self.problems.clone();
        let keep = self.cfg.keep_packets;
        for (key, stats) in self.gbp_received.iter() {
            if self.gbp_speakers.contains_key(key) {
                continue;
            }
            let p = out.entry(ProblemKind::GbpNotUsed).or_default();
            p.count += stats.count;
            p.first.extend(stats.first.iter().copied());
            p.first.sort_unstable();
            p.first.truncate(keep);
        }
        out
    }

    /// Packets seen (all, and VXLAN), with their bytes on the wire.
    pub fn totals(&self) -> (Counter, Counter) {
        (self.packets, self.vxlan)
    }

    /// Writes the summary as text (format in `docs/summary.md`).
    ///
    /// # Errors
    /// Any error of `out`.
    pub fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        report::text(self, out)
    }

    /// Writes the summary as one JSON document (format in `docs/summary.md`), ending with a newline.
    ///
    /// # Errors
    /// Any error of `out`.
    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        report::json(self, out)
    }
}

/// Feeds every packet of `reader` to `summary`, dissected with `config`; packets whose link
/// type the crate does not read are counted but not dissected. Returns the number of packets.
///
/// # Errors
/// The first error of the capture reader (a truncated or invalid record); the packets before it
/// have been added.
pub fn add_capture<R: std::io::Read>(
    summary: &mut Summary,
    reader: &mut crate::capture::CaptureReader<R>,
    config: &crate::dissect::Config,
) -> Result<u64, crate::capture::CaptureError> {
    let mut n = 0u64;
    let pcapng = reader.pcap_linktype().is_none();
    while let Some(packet) = reader.next_packet() {
        let packet = packet?;
        n += 1;
        let info = PacketInfo {
            n,
            ts_sec: packet.ts.secs(),
            ts_nsec: packet.ts.nanos(),
            caplen: packet.data.len(),
            len: packet.len,
        };
        let data = match packet.link_type() {
            Some(link) => crate::dissect::dissect(packet.data, link, config),
            None => crate::dissect::dissect(&[], crate::dissect::LinkType::Ethernet, config),
        };
        summary.add_with(&info, &data, &FrameMeta::of(&packet, pcapng));
    }
    summary.name_interfaces(|i| reader.interface_name(i));
    Ok(n)
}
