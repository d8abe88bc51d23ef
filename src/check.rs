//! Would a Linux vxlan device accept this frame? And if not, which drop reason would the kernel give?
//!
//! [`check`] follows the receive path of Linux 6.14 and later (the kernel these tests run on is
//! 6.18) for a frame that arrives on the underlay interface of a host with one vxlan device (or a
//! set of devices sharing one UDP socket) described by a [`Device`]:
//!
//! 1. IP (`ip_rcv_core` / `ipv6_rcv`): a unicast outer Ethernet destination that is not one of
//!    [`Device::underlay_macs`] → `OTHERHOST`; a bad IPv4 version or header length → `IP_INHDR`;
//!    a bad IPv4 header checksum → `IP_CSUM`; a total/payload length beyond the frame →
//!    `PKT_TOO_SMALL`. Fragments, non-UDP packets, other destination addresses and other UDP
//!    ports are [`Verdict::NotForDevice`]: some other part of the stack handles them.
//! 2. UDP (`__udp4_lib_rcv` / `__udp6_lib_rcv`, `udp_queue_rcv_one_skb`): a UDP length below 8
//!    or beyond the packet → `PKT_TOO_SMALL`; another destination port → not for the device;
//!    a wrong checksum → `UDP_CSUM` (an IPv4 checksum of
//!    0 means none; an IPv6 checksum of 0 is `UDP_CSUM` unless `udp6zerocsumrx`). A field
//!    holding only the folded pseudo-header sum is checksum offload (`CHECKSUM_PARTIAL`, what a
//!    capture on the sending host shows), finished by the NIC before the receiver sees it: accepted.
//! 3. VXLAN (`vxlan_rcv`, in this order): fewer than 8 bytes after UDP → `PKT_TOO_SMALL`; I bit
//!    clear → `VXLAN_INVALID_HDR`; VNI not served → `VXLAN_VNI_NOT_FOUND`; any bit set that the
//!    device's configuration reserves (everything but I and the VNI for plain VXLAN; GBP frees
//!    G and all of bytes 1–3; GPE frees the version, P and O bits and the next-protocol byte;
//!    RCO frees its bit and byte 7) → `VXLAN_INVALID_HDR`; in GPE mode P clear, version ≠ 0,
//!    O set or an unknown next protocol → `NOT_SPECIFIED`; an inner Ethernet header shorter than
//!    14 bytes → `NOMEM` (what `__iptunnel_pull_header`'s failure is reported as); inner source
//!    MAC equal to the device's → `LOCAL_MAC`; with learning, a multicast or zero inner source MAC
//!    → `MAC_INVALID_SOURCE`; an inner IPv4/IPv6 header shorter than 20/40 bytes →
//!    `PKT_TOO_SMALL`; outer ECN CE over a not-ECT inner IP packet (RFC 6040) → `IP_TUNNEL_ECN`;
//!    device down → `DEV_READY`.
//!
//! Not modelled: the fdb (`VXLAN_ENTRY_EXISTS` when a static entry would move), the IP routing
//! decision beyond [`Device::local_ips`], socket lookup by bound device, netfilter, and memory
//! pressure. VLAN tags on the outer frame are skipped as if the frame came in on the VLAN device.
//!
//! ```
//! use vxwire::check::{check, Device, DropReason, Mode, Verdict};
//! use vxwire::dissect::LinkType;
//! # use core::net::Ipv4Addr;
//! # use vxwire::build::{arp, vxlan_frame, ArpSpec, Outer};
//! # use vxwire::wire::vxlan::{Gbp, Vni, VxlanHeader};
//! # use vxwire::MacAddr;
//! # let (mut inner, mut buf) = ([0u8; 64], [0u8; 128]);
//! # let n = arp(&mut inner, &ArpSpec::request(MacAddr::new(2, 0, 0, 0, 1, 1), Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2)))?;
//! # let outer = Outer::v4(MacAddr::new(2, 0, 0, 0x18, 0, 1), MacAddr::new(2, 0, 0, 0x18, 0, 2), Ipv4Addr::new(198, 18, 0, 1), Ipv4Addr::new(198, 18, 0, 2));
//! # let gbp = Gbp { group_policy_id: 4660, dont_learn: false, policy_applied: false };
//! # let len = vxlan_frame(&mut buf, &outer, &VxlanHeader::with_gbp(Vni::try_from(300)?, gbp), &inner[..n])?;
//! # let frame = &buf[..len];
//! // `frame`: VXLAN-GBP (VNI 300, group policy 4660) carrying an ARP request, to UDP 4789.
//! let vnis = [Vni::try_from(300)?];
//! let plain = Device::new(&vnis, 4789, &[]);
//! let gbp = Device { mode: Mode::Gbp, ..plain };
//! assert_eq!(check(frame, LinkType::Ethernet, &gbp), Verdict::Accept);
//! // Without `gbp` the G bit and the policy ID are reserved bits.
//! assert_eq!(check(frame, LinkType::Ethernet, &plain), Verdict::Drop(DropReason::VxlanInvalidHdr));
//! assert_eq!(format!("{:<10}|", Verdict::Accept), "accept    |");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::dissect::{dissect, Config, Dissection, Header, LinkType};
use crate::wire::mac::MacAddr;
use crate::wire::vxlan::Vni;
use core::fmt;
use core::net::IpAddr;

/// The extension a vxlan device was created with; it decides which header bits are reserved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Plain RFC 7348 VXLAN (`ip link add ... type vxlan`).
    #[default]
    Plain,
    /// Group Based Policy (`... type vxlan gbp`).
    Gbp,
    /// VXLAN-GPE (`... type vxlan gpe`, normally on port 4790, `external`).
    Gpe,
}

/// The receiving side: what the vxlan device (or the devices sharing its UDP socket) is configured with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Device<'a> {
    /// The VNIs served (one per device, or a `vnifilter` list). Ignored when `external`.
    pub vnis: &'a [Vni],
    /// The UDP destination port the device listens on (`dstport`).
    pub port: u16,
    /// The extension enabled.
    pub mode: Mode,
    /// The vxlan devices' own MAC addresses (an inner source equal to one is `LOCAL_MAC`).
    pub macs: &'a [MacAddr],
    /// The host's underlay MAC addresses; empty to skip the outer Ethernet destination check.
    pub underlay_macs: &'a [MacAddr],
    /// The host's underlay addresses and joined groups; empty to accept any destination.
    pub local_ips: &'a [IpAddr],
    /// `learning` (Linux's default): check the inner source MAC before learning it.
    pub learning: bool,
    /// `udp6zerocsumrx`: accept IPv6 UDP checksum 0.
    pub udp6_zero_csum_rx: bool,
    /// `remcsumrx`: remote checksum offload (frees the RCO bit and byte 7).
    pub remcsum_rx: bool,
    /// `external` (collect metadata) without `vnifilter`: every VNI maps to the one device.
    pub external: bool,
    /// The device is up (`ip link set ... up`).
    pub up: bool,
    /// `reserved_bits` (IFLA_VXLAN_RESERVED_BITS, Linux 6.14+): the header bits that make a frame
    /// invalid when set, as 8 header bytes. `None` for the default derived from `mode` and
    /// `remcsum_rx` ([`Device::default_reserved_bits`]).
    pub reserved_bits: Option<[u8; 8]>,
}

impl<'a> Device<'a> {
    /// A plain, up, learning device serving `vnis` on `port`, with its own MACs `macs`, accepting
    /// any destination address and outer MAC.
    pub const fn new(vnis: &'a [Vni], port: u16, macs: &'a [MacAddr]) -> Device<'a> {
        Device {
            vnis,
            port,
            mode: Mode::Plain,
            macs,
            underlay_macs: &[],
            local_ips: &[],
            learning: true,
            udp6_zero_csum_rx: false,
            remcsum_rx: false,
            external: false,
            up: true,
            reserved_bits: None,
        }
    }

    /// The reserved bits Linux derives from the configuration (`vxlan_nl2conf`): all bits but I
    /// and the VNI, minus the bits the enabled extensions use.
    pub const fn default_reserved_bits(&self) -> [u8; 8] {
        // Used bits, as 8 header bytes: I and the VNI always.
        let mut used = [0x08, 0, 0, 0, 0xff, 0xff, 0xff, 0];
        if self.remcsum_rx {
            // VXLAN_HF_RCO (0x20 of byte 1) and the whole of byte 7.
            used[1] |= 0x20;
            used[7] = 0xff;
        }
        match self.mode {
            Mode::Plain => {}
            // VXLAN_GBP_USED_BITS: G and bytes 1–3.
            Mode::Gbp => {
                used[0] |= 0x80;
                used[1] = 0xff;
                used[2] = 0xff;
                used[3] = 0xff;
            }
            // VXLAN_GPE_USED_BITS: version (0x30), P (0x04), O (0x01) and the next-protocol byte.
            Mode::Gpe => {
                used[0] |= 0x30 | 0x04 | 0x01;
                used[3] = 0xff;
            }
        }
        let mut r = [0u8; 8];
        let mut i = 0;
        while i < 8 {
            r[i] = !used[i];
            i += 1;
        }
        r
    }
}

/// A Linux drop reason (`enum skb_drop_reason`, include/net/dropreason-core.h) that the vxlan
/// receive path can give.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DropReason {
    /// `SKB_DROP_REASON_NOT_SPECIFIED`: vxlan_rcv drops without a reason (bad GPE header).
    NotSpecified,
    /// `SKB_DROP_REASON_PKT_TOO_SMALL`: a length field or header beyond the packet.
    PktTooSmall,
    /// `SKB_DROP_REASON_OTHERHOST`: outer Ethernet destination is another host's unicast MAC.
    OtherHost,
    /// `SKB_DROP_REASON_IP_INHDR`: bad IPv4/IPv6 version or IPv4 header length.
    IpInhdr,
    /// `SKB_DROP_REASON_IP_CSUM`: bad IPv4 header checksum.
    IpCsum,
    /// `SKB_DROP_REASON_UDP_CSUM`: bad UDP checksum, or IPv6 checksum 0 without `udp6zerocsumrx`.
    UdpCsum,
    /// `SKB_DROP_REASON_NOMEM`: `__iptunnel_pull_header` failed (inner Ethernet header cut).
    Nomem,
    /// `SKB_DROP_REASON_VXLAN_INVALID_HDR`: I bit clear, or a reserved bit set.
    VxlanInvalidHdr,
    /// `SKB_DROP_REASON_VXLAN_VNI_NOT_FOUND`: no device for the VNI.
    VxlanVniNotFound,
    /// `SKB_DROP_REASON_LOCAL_MAC`: inner source MAC is the device's own (a loop).
    LocalMac,
    /// `SKB_DROP_REASON_MAC_INVALID_SOURCE`: inner source MAC multicast or zero (learning on).
    MacInvalidSource,
    /// `SKB_DROP_REASON_IP_TUNNEL_ECN`: outer CE over a not-ECT inner packet (RFC 6040 §4.2).
    IpTunnelEcn,
    /// `SKB_DROP_REASON_DEV_READY`: the vxlan device is down.
    DevReady,
}

impl DropReason {
    /// The kernel's enum name, e.g. `SKB_DROP_REASON_VXLAN_INVALID_HDR`.
    pub const fn kernel_name(self) -> &'static str {
        match self {
            DropReason::NotSpecified => "SKB_DROP_REASON_NOT_SPECIFIED",
            DropReason::PktTooSmall => "SKB_DROP_REASON_PKT_TOO_SMALL",
            DropReason::OtherHost => "SKB_DROP_REASON_OTHERHOST",
            DropReason::IpInhdr => "SKB_DROP_REASON_IP_INHDR",
            DropReason::IpCsum => "SKB_DROP_REASON_IP_CSUM",
            DropReason::UdpCsum => "SKB_DROP_REASON_UDP_CSUM",
            DropReason::Nomem => "SKB_DROP_REASON_NOMEM",
            DropReason::VxlanInvalidHdr => "SKB_DROP_REASON_VXLAN_INVALID_HDR",
            DropReason::VxlanVniNotFound => "SKB_DROP_REASON_VXLAN_VNI_NOT_FOUND",
            DropReason::LocalMac => "SKB_DROP_REASON_LOCAL_MAC",
            DropReason::MacInvalidSource => "SKB_DROP_REASON_MAC_INVALID_SOURCE",
            DropReason::IpTunnelEcn => "SKB_DROP_REASON_IP_TUNNEL_ECN",
            DropReason::DevReady => "SKB_DROP_REASON_DEV_READY",
        }
    }

    /// The name the `skb:kfree_skb` tracepoint prints, e.g. `VXLAN_INVALID_HDR`.
    pub fn trace_name(self) -> &'static str {
        // Every kernel name starts with the 16 bytes `SKB_DROP_REASON_`.
        self.kernel_name().get(16..).unwrap_or("")
    }
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.kernel_name())
    }
}

/// Why a frame never reaches the vxlan device (another part of the stack handles it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Miss {
    /// No IPv4/IPv6 header after the link layer (ARP, LLDP, ...).
    NotIp,
    /// An IP fragment: the kernel reassembles before UDP sees it.
    Fragment,
    /// Not UDP (or IPv6 extension headers in front of UDP, which this check does not walk).
    NotUdp,
    /// The IP destination is not one of [`Device::local_ips`].
    Address,
    /// The UDP destination port is not [`Device::port`].
    Port,
}

impl fmt::Display for Miss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Miss::NotIp => "not IP",
            Miss::Fragment => "IP fragment",
            Miss::NotUdp => "not UDP",
            Miss::Address => "other destination address",
            Miss::Port => "other UDP port",
        })
    }
}

/// What the kernel would do with a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The vxlan device receives the inner frame (`gro_cells_receive`).
    Accept,
    /// The frame is freed with this reason (`kfree_skb_reason`).
    Drop(DropReason),
    /// The frame is not for the vxlan device at all.
    NotForDevice(Miss),
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::display::padded(f, |f| match self {
            Verdict::Accept => f.write_str("accept"),
            Verdict::Drop(r) => write!(f, "drop {r}"),
            Verdict::NotForDevice(m) => write!(f, "not for the device ({m})"),
        })
    }
}

/// Judges one captured frame starting with `link`. The frame must be whole (not cut by a snap
/// length): a cut frame is judged as the kernel would judge a frame that short.
///
/// ```
/// use vxwire::check::{check, Device, Miss, Verdict};
/// use vxwire::dissect::LinkType;
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
/// // `frame`: VXLAN to UDP 4789 with VNI 300; a device on the Linux default port 8472 never sees it.
/// let vnis = [Vni::try_from(300)?];
/// let linux_default = Device::new(&vnis, 8472, &[]);
/// assert_eq!(check(frame, LinkType::Ethernet, &linux_default), Verdict::NotForDevice(Miss::Port));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check(frame: &[u8], link: LinkType, dev: &Device<'_>) -> Verdict {
    let d = dissect(frame, link, &Config { max_depth: 1, ..Config::default() });
    check_dissection(&d, dev)
}

/// Judges an already dissected frame (any [`Config`]); only its outer layers and bytes are used.
pub fn check_dissection(d: &Dissection<'_>, dev: &Device<'_>) -> Verdict {
    let data = d.data();
    // The outer Ethernet destination (eth_type_trans marks other hosts' unicast as OTHERHOST).
    if let Some(Header::Ethernet(e)) = d.get(0).map(|l| &l.header) {
        let dst = MacAddr(e.destination());
        if dst.is_unicast() && !dev.underlay_macs.is_empty() && !dev.underlay_macs.contains(&dst) {
            return Verdict::Drop(DropReason::OtherHost);
        }
    }
    // The first IP header: a layer, or the place dissection failed at one.
    let ip_at =
        d.layers().find(|l| matches!(l.header, Header::Ipv4(_) | Header::Ipv6(_))).map(|l| l.offset).or_else(
            || {
                d.error()
                    .filter(|e| matches!(e.proto, crate::Proto::Ip | crate::Proto::Ipv4 | crate::Proto::Ipv6))
                    .map(|e| e.offset)
            },
        );
    // Checksum offload the dissection recognises (partial checksums, local checksum offload of
    // the outer UDP checksum over a partial inner one): the NIC finishes it, the receiver accepts.
    // Asked only of a checksum that does not add up (most do): it sums the segment once more.
    let offload = || {
        let udp = d.layers().position(|l| l.depth == 0 && matches!(l.header, Header::Udp(_)));
        udp.and_then(|i| d.checksum(i)) == Some(crate::dissect::Checksum::Partial)
    };
    match ip_at.and_then(|at| data.get(at..)) {
        Some(ip) => check_ip(ip, dev, offload),
        None => Verdict::NotForDevice(Miss::NotIp),
    }
}

fn be16(b: &[u8], at: usize) -> u16 {
    match b.get(at..at + 2) {
        Some(s) => u16::from_be_bytes([s[0], s[1]]),
        None => 0,
    }
}

fn drop(r: DropReason) -> Verdict {
    Verdict::Drop(r)
}

/// The outer ECN bits, the source and destination, and the UDP segment with its bounds checked.
struct Outer<'a> {
    ecn: u8,
    udp: &'a [u8],
    pseudo: etherparse::checksum::Sum16BitWords,
    v6: bool,
}

fn check_ip(ip: &[u8], dev: &Device<'_>, offload: impl FnOnce() -> bool) -> Verdict {
    let Some(&first) = ip.first() else {
        return drop(DropReason::IpInhdr);
    };
    let outer = match first >> 4 {
        4 => match outer_v4(ip, dev) {
            Ok(o) => o,
            Err(v) => return v,
        },
        6 => match outer_v6(ip, dev) {
            Ok(o) => o,
            Err(v) => return v,
        },
        _ => return drop(DropReason::IpInhdr),
    };
    check_udp(outer, dev, offload)
}

fn local(dev: &Device<'_>, addr: IpAddr) -> bool {
    dev.local_ips.is_empty() || dev.local_ips.contains(&addr)
}

fn outer_v4<'a>(ip: &'a [u8], dev: &Device<'_>) -> Result<Outer<'a>, Verdict> {
    use etherparse::checksum::Sum16BitWords;
    if ip.len() < 20 {
        return Err(drop(DropReason::IpInhdr));
    }
    let ihl = usize::from(ip[0] & 0x0f) * 4;
    if ihl < 20 || ip.len() < ihl {
        return Err(drop(DropReason::IpInhdr));
    }
    if Sum16BitWords::new().add_slice(&ip[..ihl]).ones_complement() != 0 {
        return Err(drop(DropReason::IpCsum));
    }
    // Total length 0 on a packet longer than any length field can say: a BIG TCP GSO/GRO
    // super-frame as the capturing host's stack handles it (`iph_totlen`: the length is the
    // packet's). Seen only on that host; the wire carries its segments.
    let total = match usize::from(be16(ip, 2)) {
        0 if ip.len() > usize::from(u16::MAX) => ip.len(),
        n => n,
    };
    if ip.len() < total {
        return Err(drop(DropReason::PktTooSmall));
    }
    if total < ihl {
        return Err(drop(DropReason::IpInhdr));
    }
    let dst = [ip[16], ip[17], ip[18], ip[19]];
    if !local(dev, IpAddr::from(dst)) {
        return Err(Verdict::NotForDevice(Miss::Address));
    }
    if be16(ip, 6) & 0x3fff != 0 {
        return Err(Verdict::NotForDevice(Miss::Fragment));
    }
    if ip[9] != 17 {
        return Err(Verdict::NotForDevice(Miss::NotUdp));
    }
    let udp = &ip[ihl..total];
    let pseudo =
        Sum16BitWords::new().add_4bytes([ip[12], ip[13], ip[14], ip[15]]).add_4bytes(dst).add_2bytes([0, 17]);
    Ok(Outer { ecn: ip[1] & 3, udp, pseudo, v6: false })
}

fn outer_v6<'a>(ip: &'a [u8], dev: &Device<'_>) -> Result<Outer<'a>, Verdict> {
    use etherparse::checksum::Sum16BitWords;
    if ip.len() < 40 {
        return Err(drop(DropReason::PktTooSmall));
    }
    // Payload length 0 on a packet longer than 64 KiB: a BIG TCP super-frame (see outer_v4).
    let plen = match usize::from(be16(ip, 4)) {
        0 if ip.len() - 40 > usize::from(u16::MAX) => ip.len() - 40,
        n => n,
    };
    if ip.len() < 40 + plen {
        return Err(drop(DropReason::PktTooSmall));
    }
    let mut dst = [0u8; 16];
    dst.copy_from_slice(&ip[24..40]);
    let mut src = [0u8; 16];
    src.copy_from_slice(&ip[8..24]);
    if !local(dev, IpAddr::from(dst)) {
        return Err(Verdict::NotForDevice(Miss::Address));
    }
    match ip[6] {
        17 => {}
        44 => return Err(Verdict::NotForDevice(Miss::Fragment)),
        _ => return Err(Verdict::NotForDevice(Miss::NotUdp)),
    }
    let tc = ((ip[0] & 0x0f) << 4) | (ip[1] >> 4);
    let pseudo = Sum16BitWords::new().add_16bytes(src).add_16bytes(dst).add_2bytes([0, 17]);
    Ok(Outer { ecn: tc & 3, udp: &ip[40..40 + plen], pseudo, v6: true })
}

fn check_udp(o: Outer<'_>, dev: &Device<'_>, offload: impl FnOnce() -> bool) -> Verdict {
    let udp = o.udp;
    if udp.len() < 8 {
        return drop(DropReason::PktTooSmall);
    }
    // UDP length 0 in a BIG TCP super-frame (IP length 0 above): the segment is the rest.
    let ulen = match usize::from(be16(udp, 4)) {
        0 if udp.len() > usize::from(u16::MAX) => udp.len(),
        n => n,
    };
    // IPv6 jumbograms (length 0) are not VXLAN underlay traffic; judged as too short like IPv4.
    if ulen < 8 || ulen > udp.len() {
        return drop(DropReason::PktTooSmall);
    }
    let udp = &udp[..ulen];
    // The socket is looked up first; the checksum is verified before the encap handler runs.
    if be16(udp, 2) != dev.port {
        return Verdict::NotForDevice(Miss::Port);
    }
    let csum = be16(udp, 6);
    if csum == 0 {
        if o.v6 && !dev.udp6_zero_csum_rx {
            return drop(DropReason::UdpCsum);
        }
    } else {
        // The length as a 32-bit word: a super-frame's exceeds 16 bits.
        let [a, b, c, d] = (ulen as u32).to_be_bytes();
        let pseudo = o.pseudo.add_2bytes([a, b]).add_2bytes([c, d]);
        // Checksum offload (CHECKSUM_PARTIAL): the field holds the folded pseudo-header sum and
        // the NIC (or the veth peer, which marks it verified) finishes it; the receiver accepts.
        let partial = (!pseudo.ones_complement()).to_be() == csum;
        if !partial && pseudo.add_slice(udp).ones_complement() != 0 && !offload() {
            return drop(DropReason::UdpCsum);
        }
    }
    check_vxlan(&udp[8..], o.ecn, dev)
}

/// The Ethernet protocol a GPE next-protocol value maps to (`tun_p_to_eth_p`), 0 if unknown.
const fn gpe_eth_proto(next: u8) -> u16 {
    match next {
        1 => 0x0800,
        2 => 0x86dd,
        3 => 0x6558,
        4 => 0x894f,
        5 => 0x8847,
        _ => 0,
    }
}

fn check_vxlan(p: &[u8], outer_ecn: u8, dev: &Device<'_>) -> Verdict {
    let Some((h, inner)) = p.split_first_chunk::<8>() else {
        return drop(DropReason::PktTooSmall);
    };
    if h[0] & 0x08 == 0 {
        return drop(DropReason::VxlanInvalidHdr);
    }
    let vni = u32::from_be_bytes([0, h[4], h[5], h[6]]);
    if !dev.external && !dev.vnis.iter().any(|v| v.get() == vni) {
        return drop(DropReason::VxlanVniNotFound);
    }
    let reserved = dev.reserved_bits.unwrap_or(dev.default_reserved_bits());
    if h.iter().zip(reserved).any(|(b, r)| b & r != 0) {
        return drop(DropReason::VxlanInvalidHdr);
    }
    // The Ethernet type of what follows, and whether an Ethernet header is pulled first.
    let (proto, raw) = if dev.mode == Mode::Gpe {
        // vxlan_parse_gpe_proto: P set, version 0, O clear, a known next protocol.
        let proto = gpe_eth_proto(h[3]);
        if h[0] & 0x04 == 0 || h[0] & 0x30 != 0 || h[0] & 0x01 != 0 || proto == 0 {
            return drop(DropReason::NotSpecified);
        }
        (proto, true)
    } else {
        (0x6558, false)
    };
    // The network header and the protocol the kernel sees after the pull.
    let (skb_proto, net): (u16, &[u8]) = if raw {
        (proto, inner)
    } else {
        let Some((eth, rest)) = inner.split_first_chunk::<14>() else {
            return drop(DropReason::Nomem);
        };
        let src = MacAddr::new(eth[6], eth[7], eth[8], eth[9], eth[10], eth[11]);
        if dev.macs.contains(&src) {
            return drop(DropReason::LocalMac);
        }
        if dev.learning && (src.is_multicast() || src.is_zero()) {
            return drop(DropReason::MacInvalidSource);
        }
        (u16::from_be_bytes([eth[12], eth[13]]), rest)
    };
    // pskb_inet_may_pull_reason: the inner IP header must be there.
    let need = match skb_proto {
        0x0800 => 20,
        0x86dd => 40,
        _ => 0,
    };
    if net.len() < need {
        return drop(DropReason::PktTooSmall);
    }
    // IP_ECN_decapsulate: the inner protocol skips VLAN tags, the inner header is read where the
    // network header was reset (right after the Ethernet header), as the kernel does.
    let mut l3 = skb_proto;
    let mut at = 0;
    while matches!(l3, 0x8100 | 0x88a8) {
        l3 = be16(net, at + 2);
        at += 4;
        if net.len() < at {
            break;
        }
    }
    let inner_ecn = match l3 {
        0x0800 => net.get(1).map(|t| t & 3),
        0x86dd => net.get(..2).map(|b| ((u16::from_be_bytes([b[0], b[1]]) >> 4) & 3) as u8),
        _ => None,
    };
    // RFC 6040: outer CE over a not-ECT inner packet cannot be propagated, so it is dropped.
    if inner_ecn == Some(0) && outer_ecn == 3 {
        return drop(DropReason::IpTunnelEcn);
    }
    if !dev.up {
        return drop(DropReason::DevReady);
    }
    Verdict::Accept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_reserved_bits_follow_vxlan_nl2conf() {
        let d = Device::new(&[], 4789, &[]);
        assert_eq!(d.default_reserved_bits(), [0xf7, 0xff, 0xff, 0xff, 0, 0, 0, 0xff]);
        let g = Device { mode: Mode::Gbp, ..d };
        assert_eq!(g.default_reserved_bits(), [0x77, 0, 0, 0, 0, 0, 0, 0xff]);
        let p = Device { mode: Mode::Gpe, ..d };
        assert_eq!(p.default_reserved_bits(), [0xc2, 0xff, 0xff, 0, 0, 0, 0, 0xff]);
        let r = Device { remcsum_rx: true, ..d };
        assert_eq!(r.default_reserved_bits(), [0xf7, 0xdf, 0xff, 0xff, 0, 0, 0, 0]);
    }

    #[test]
    fn names() {
        assert_eq!(DropReason::VxlanInvalidHdr.trace_name(), "VXLAN_INVALID_HDR");
        assert_eq!(DropReason::LocalMac.kernel_name(), "SKB_DROP_REASON_LOCAL_MAC");
    }
}
