//! `Debug` for [`Dissection`], [`Layer`] and [`Header`] that decodes the fields a reader looks
//! for (addresses, ports, types, lengths) instead of dumping every byte of the packet.

use super::{Dissection, Header, Layer};
use crate::wire::arp::ArpSlice;
use crate::wire::mac::MacAddr;
use core::fmt;

impl fmt::Debug for Dissection<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dissection")
            .field("len", &self.data().len())
            .field("layers", &self.layers().collect::<arrayvec::ArrayVec<_, { super::MAX_LAYERS }>>())
            .field("error", &self.error())
            .finish()
    }
}

impl fmt::Debug for Layer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layer")
            .field("header", &self.header)
            .field("offset", &self.offset)
            .field("payload_len", &self.payload.len())
            .field("depth", &self.depth)
            .finish()
    }
}

/// A `u16` code point written as `0x0800`.
struct Hex16(u16);

impl fmt::Debug for Hex16 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#06x}", self.0)
    }
}

impl fmt::Debug for Header<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Header::Ethernet(e) => f
                .debug_struct("Ethernet")
                .field("src", &MacAddr(e.source()))
                .field("dst", &MacAddr(e.destination()))
                .field("ether_type", &Hex16(e.ether_type().0))
                .finish(),
            Header::Vlan(v) => f
                .debug_struct("Vlan")
                .field("id", &v.vlan_identifier().value())
                .field("ether_type", &Hex16(v.ether_type().0))
                .finish(),
            Header::LinuxSll(s) => f
                .debug_struct("LinuxSll")
                .field("packet_type", &s.packet_type())
                .field("protocol", &Hex16(s.protocol()))
                .finish(),
            Header::LinuxSll2(s) => f
                .debug_struct("LinuxSll2")
                .field("if_index", &s.if_index())
                .field("packet_type", &s.packet_type())
                .field("protocol", &Hex16(s.protocol()))
                .finish(),
            Header::Ipv4(h) => f
                .debug_struct("Ipv4")
                .field("src", &h.source_addr())
                .field("dst", &h.destination_addr())
                .field("protocol", &h.protocol().0)
                .field("total_len", &h.total_len())
                .finish(),
            Header::Ipv6(h) => f
                .debug_struct("Ipv6")
                .field("src", &h.source_addr())
                .field("dst", &h.destination_addr())
                .field("next_header", &h.next_header().0)
                .field("payload_len", &h.payload_length())
                .finish(),
            Header::Ipv6Ext(x) => f.debug_struct("Ipv6Ext").field("len", &x.slice().len()).finish(),
            Header::Udp(u) => f
                .debug_struct("Udp")
                .field("src_port", &u.source_port())
                .field("dst_port", &u.destination_port())
                .field("len", &u.length())
                .finish(),
            Header::Tcp(t) => f
                .debug_struct("Tcp")
                .field("src_port", &t.source_port())
                .field("dst_port", &t.destination_port())
                .field("seq", &t.sequence_number())
                .field("ack", &t.acknowledgment_number())
                .finish(),
            Header::Icmpv4(i) => f.debug_tuple("Icmpv4").field(&i.icmp_type()).finish(),
            Header::Icmpv6(i) => f.debug_tuple("Icmpv6").field(&i.icmp_type()).finish(),
            Header::Arp(a) => match ArpSlice::from_slice(a.slice()) {
                Ok(a) => f.debug_tuple("Arp").field(&a).finish(),
                Err(_) => f.debug_struct("Arp").field("len", &a.slice().len()).finish(),
            },
            Header::Igmp(i) => f.debug_tuple("Igmp").field(i).finish(),
            Header::Vxlan(v) => f.debug_tuple("Vxlan").field(v).finish(),
            Header::VxlanGpe(g) => f.debug_tuple("VxlanGpe").field(g).finish(),
        }
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use crate::dissect::{dissect, Config, LinkType};

    #[test]
    fn debug_decodes_instead_of_dumping() {
        let frame = [
            0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00, // Ethernet
            0x45, 0, 0, 50, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, // IPv4
            0xc0, 0x01, 0x12, 0xb5, 0, 30, 0, 0, // UDP 49153 > 4789
            0x08, 0, 0, 0, 0, 0, 100, 0, // VXLAN VNI 100
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 3, 0x88, 0xb5, // inner Ethernet
        ];
        let d = dissect(&frame, LinkType::Ethernet, &Config::default());
        let s = std::format!("{d:?}");
        assert!(
            s.contains("Ethernet { src: 02:00:00:00:00:01, dst: 02:00:00:00:00:02, ether_type: 0x0800 }"),
            "{s}"
        );
        assert!(s.contains("Ipv4 { src: 10.0.0.1, dst: 10.0.0.2, protocol: 17, total_len: 50 }"), "{s}");
        assert!(s.contains("Udp { src_port: 49153, dst_port: 4789, len: 30 }"), "{s}");
        assert!(s.contains("vni: 100") && s.contains("depth: 1"), "{s}");
        assert!(!s.contains("[2, 0, 0"), "no byte dumps: {s}");
        assert!(s.len() < 1200, "{} characters", s.len());
    }
}
