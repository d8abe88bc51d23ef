//! [`Frame`]: one encapsulation level of a [`Dissection`].

use super::{Dissection, Header, Layer};
use crate::wire::arp::ArpSlice;
use crate::wire::igmp::IgmpSlice;
use crate::wire::mac::MacAddr;
use crate::wire::vxlan::VxlanSlice;
use crate::wire::vxlan_gpe::VxlanGpeSlice;
use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use etherparse::{
    Ethernet2HeaderSlice, Icmpv4Slice, Icmpv6Slice, Ipv4HeaderSlice, Ipv6HeaderSlice, SingleVlanHeaderSlice,
    TcpHeaderSlice, UdpHeaderSlice,
};

/// One encapsulation level of a [`Dissection`]: the outer frame, or the frame a VXLAN header
/// carries, with an accessor per protocol.
///
/// The depth rule: the outer frame (link layer, underlay IP, UDP and the first VXLAN or
/// VXLAN-GPE header) is depth 0; the frame that VXLAN header carries (inner Ethernet, ARP, IP,
/// ...) is depth 1, and so on for VXLAN inside VXLAN. A VXLAN header belongs to the level that
/// carries it, so [`Frame::vxlan`] of the outer frame is the header whose payload is
/// [`Dissection::inner`].
///
/// ```
/// use vxwire::dissect::{dissect, Config, LinkType};
/// # use vxwire::build::{arp, vxlan_frame, ArpSpec, Outer};
/// # use vxwire::wire::vxlan::{Vni, VxlanHeader};
/// # let (mut inner, mut frame) = ([0u8; 64], [0u8; 128]);
/// # use vxwire::MacAddr;
/// # let n = arp(&mut inner, &ArpSpec::request(MacAddr::new(2, 0, 0, 0, 1, 1), [10, 0, 0, 1].into(), [10, 0, 0, 2].into())).unwrap();
/// # let outer = Outer::v4(MacAddr::new(2, 0, 0, 0x18, 0, 1), MacAddr::new(2, 0, 0, 0x18, 0, 2), [198, 18, 0, 1].into(), [198, 18, 0, 2].into());
/// # let len = vxlan_frame(&mut frame, &outer, &VxlanHeader::new(Vni::new(100).unwrap()), &inner[..n]).unwrap();
/// # let frame = &frame[..len];
/// // `frame`: VXLAN VNI 100 from 198.18.0.1 carrying an ARP request for 10.0.0.2.
/// let d = dissect(frame, LinkType::Ethernet, &Config::default());
/// let outer = d.outer();
/// assert_eq!(outer.udp().map(|u| u.destination_port()), Some(4789));
/// assert_eq!(outer.vxlan().map(|v| v.vni().get()), Some(100));
/// let inner = d.inner().ok_or("no inner frame")?;
/// let arp = inner.arp().ok_or("no ARP")?;
/// assert_eq!(arp.to_string(), "request who-has 10.0.0.2 tell 10.0.0.1");
/// assert_eq!(inner.src_mac().map(|m| m.to_string()).as_deref(), Some("02:00:00:00:01:01"));
/// # Ok::<(), &str>(())
/// ```
///
/// Cheap to copy; every accessor borrows the dissected bytes.
#[derive(Clone, Copy)]
pub struct Frame<'d, 'a> {
    d: &'d Dissection<'a>,
    depth: u8,
}

/// The first header of one kind at this depth, as a zero-copy view.
macro_rules! first {
    ($(#[$doc:meta])* $name:ident, $variant:ident, $ty:ty) => {
        $(#[$doc])*
        pub fn $name(&self) -> Option<$ty> {
            self.layers().find_map(|l| match &l.header {
                Header::$variant(h) => Some(h.clone()),
                _ => None,
            })
        }
    };
}

impl<'d, 'a> Frame<'d, 'a> {
    /// The encapsulation depth: 0 for the outer frame, 1 inside the first VXLAN header, ...
    pub fn depth(&self) -> u8 {
        self.depth
    }

    /// The layers of this depth, outer first.
    pub fn layers(&self) -> impl DoubleEndedIterator<Item = &'d Layer<'a>> + 'd {
        let depth = self.depth;
        self.d.layers.iter().filter(move |l| l.depth == depth)
    }

    first!(
        /// The Ethernet header (the first at this depth).
        ethernet, Ethernet, Ethernet2HeaderSlice<'a>
    );
    first!(
        /// The first 802.1Q/802.1ad tag.
        vlan, Vlan, SingleVlanHeaderSlice<'a>
    );
    first!(
        /// The IPv4 header (the first at this depth).
        ipv4, Ipv4, Ipv4HeaderSlice<'a>
    );
    first!(
        /// The IPv6 fixed header (the first at this depth).
        ipv6, Ipv6, Ipv6HeaderSlice<'a>
    );
    first!(
        /// The UDP header.
        udp, Udp, UdpHeaderSlice<'a>
    );
    first!(
        /// The TCP header.
        tcp, Tcp, TcpHeaderSlice<'a>
    );
    first!(
        /// The ICMP (IPv4) message.
        icmpv4, Icmpv4, Icmpv4Slice<'a>
    );
    first!(
        /// The ICMPv6 message.
        icmpv6, Icmpv6, Icmpv6Slice<'a>
    );
    first!(
        /// The IGMP message.
        igmp, Igmp, IgmpSlice<'a>
    );
    first!(
        /// The VXLAN header that carries the next depth.
        vxlan, Vxlan, VxlanSlice<'a>
    );
    first!(
        /// The VXLAN-GPE header that carries the next depth.
        vxlan_gpe, VxlanGpe, VxlanGpeSlice<'a>
    );

    /// The ARP packet, with typed addresses.
    pub fn arp(&self) -> Option<ArpSlice<'a>> {
        self.layers().find_map(|l| match &l.header {
            Header::Arp(a) => Some(ArpSlice::from(a.clone())),
            _ => None,
        })
    }

    /// The Ethernet source address.
    pub fn src_mac(&self) -> Option<MacAddr> {
        self.ethernet().map(|e| MacAddr(e.source()))
    }

    /// The Ethernet destination address.
    pub fn dst_mac(&self) -> Option<MacAddr> {
        self.ethernet().map(|e| MacAddr(e.destination()))
    }

    /// The source address of the first IP header at this depth.
    pub fn src_ip(&self) -> Option<IpAddr> {
        self.ip().map(|(s, _)| s)
    }

    /// The destination address of the first IP header at this depth.
    pub fn dst_ip(&self) -> Option<IpAddr> {
        self.ip().map(|(_, d)| d)
    }

    fn ip(&self) -> Option<(IpAddr, IpAddr)> {
        self.layers().find_map(|l| match &l.header {
            Header::Ipv4(h) => {
                Some((Ipv4Addr::from(h.source()).into(), Ipv4Addr::from(h.destination()).into()))
            }
            Header::Ipv6(h) => {
                Some((Ipv6Addr::from(h.source()).into(), Ipv6Addr::from(h.destination()).into()))
            }
            _ => None,
        })
    }

    /// The bytes after the innermost header of this depth that no layer decoded (for the outer
    /// frame of a VXLAN packet: the VXLAN payload, i.e. the inner frame's bytes).
    pub fn payload(&self) -> &'a [u8] {
        self.layers().last().map_or(&[][..], |l| l.payload)
    }
}

/// The protocol names of the layers at this depth: `Frame(depth 1: eth, ipv4, icmp)`.
impl fmt::Debug for Frame<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Frame(depth {}:", self.depth)?;
        for (i, l) in self.layers().enumerate() {
            write!(f, "{}{}", if i == 0 { " " } else { ", " }, l.header.proto().short_name())?;
        }
        f.write_str(")")
    }
}

impl<'a> Dissection<'a> {
    /// The outer frame (depth 0): link layer, underlay IP and UDP, and the VXLAN header if any.
    pub fn outer(&self) -> Frame<'_, 'a> {
        Frame { d: self, depth: 0 }
    }

    /// The frame carried by the innermost VXLAN or VXLAN-GPE header that has a decoded layer
    /// after it, or `None` when the packet is not encapsulated (or its inner frame was not
    /// captured).
    pub fn inner(&self) -> Option<Frame<'_, 'a>> {
        let depth = self.layers.iter().map(|l| l.depth).max()?;
        (depth > 0).then_some(Frame { d: self, depth })
    }

    /// The frame at encapsulation depth `depth`, if the dissection has a layer there.
    pub fn at_depth(&self, depth: u8) -> Option<Frame<'_, 'a>> {
        self.layers.iter().any(|l| l.depth == depth).then_some(Frame { d: self, depth })
    }

    /// The frames, outer first, one per encapsulation depth found.
    pub fn frames(&self) -> impl Iterator<Item = Frame<'_, 'a>> + '_ {
        let levels = self.layers.iter().map(|l| u16::from(l.depth) + 1).max().unwrap_or(0);
        (0..levels).filter_map(move |n| u8::try_from(n).ok().and_then(|n| self.at_depth(n)))
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::super::{dissect, Config, LinkType};
    use crate::build::{arp, vxlan_frame, ArpSpec, Outer};
    use crate::wire::mac::MacAddr;
    use crate::wire::vxlan::{Vni, VxlanHeader};

    fn vxlan_arp() -> std::vec::Vec<u8> {
        let (mut inner, mut frame) = ([0u8; 64], [0u8; 128]);
        let spec = ArpSpec::request(MacAddr([2, 0, 0, 0, 1, 1]), [10, 0, 0, 1].into(), [10, 0, 0, 2].into());
        let n = arp(&mut inner, &spec).unwrap();
        let outer = Outer::v4(
            MacAddr([2, 0, 0, 0x18, 0, 1]),
            MacAddr([2, 0, 0, 0x18, 0, 2]),
            [198, 18, 0, 1].into(),
            [198, 18, 0, 2].into(),
        );
        let vx = VxlanHeader::new(Vni::new(100).unwrap());
        let len = vxlan_frame(&mut frame, &outer, &vx, &inner[..n]).unwrap();
        frame[..len].to_vec()
    }

    #[test]
    fn outer_inner_and_depths() {
        let f = vxlan_arp();
        let d = dissect(&f, LinkType::Ethernet, &Config::default());
        assert_eq!(std::format!("{:?}", d.outer()), "Frame(depth 0: eth, ipv4, udp, vxlan)");
        assert_eq!(std::format!("{:?}", d.inner().unwrap()), "Frame(depth 1: eth, arp)");
        assert_eq!(d.frames().count(), 2);
        assert!(d.at_depth(2).is_none());
        assert_eq!(d.outer().src_ip(), Some("198.18.0.1".parse().unwrap()));
        assert!(d.inner().unwrap().ipv4().is_none());
        assert_eq!(d.inner().unwrap().arp().unwrap().target_ip(), Some("10.0.0.2".parse().unwrap()));
        // Not encapsulated: no inner frame.
        let d = dissect(&f[50..], LinkType::Ethernet, &Config::default());
        assert!(d.inner().is_none());
        assert_eq!(d.outer().arp().unwrap().sender_ip(), Some("10.0.0.1".parse().unwrap()));
        let d = dissect(&[], LinkType::Ethernet, &Config::default());
        assert_eq!(d.frames().count(), 0);
    }
}
