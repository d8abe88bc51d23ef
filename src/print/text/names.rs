//! Names tables: ethertypes, ARP hardware types, IP protocols, ICMPv6 types, packet types and
//! the protocol names of truncation markers (tcpdump's ethertype.h, netdissect.h, ...).

use super::*;

pub(super) fn pkttype(t: u16) -> &'static str {
    match t {
        0 => "In",
        1 => "B",
        2 => "M",
        3 => "P",
        4 => "Out",
        _ => "?",
    }
}

/// tcpdump's protocol name in truncation markers.
pub(super) fn marker(p: Proto) -> &'static str {
    match p {
        Proto::Ethernet => "ether",
        Proto::Vlan => "vlan",
        Proto::LinuxSll => "sll",
        Proto::LinuxSll2 => "sll2",
        Proto::Ip | Proto::Ipv4 => "ip",
        Proto::Ipv6 | Proto::Ipv6Ext => "ip6",
        Proto::Udp => "udp",
        Proto::Tcp => "tcp",
        Proto::Icmpv4 => "icmp",
        Proto::Icmpv6 => "icmp6",
        Proto::Arp => "arp",
        Proto::Igmp => "igmp",
        Proto::Vxlan => "vxlan",
        Proto::VxlanGpe => "vxlan_gpe",
        _ => "unknown",
    }
}

pub(super) fn ethertype_name(t: u16) -> Option<&'static str> {
    Some(match t {
        0x0800 => "IPv4",
        0x86dd => "IPv6",
        0x0806 => "ARP",
        0x8035 => "Reverse ARP",
        0x8100 => "802.1Q",
        0x88a8 => "802.1Q-QinQ",
        0x9100 => "802.1Q-9100",
        0x9200 => "802.1Q-9200",
        0x6558 => "TEB",
        0x8847 => "MPLS unicast",
        0x8848 => "MPLS multicast",
        0x88cc => "LLDP",
        0x8863 => "PPPoE D",
        0x8864 => "PPPoE S",
        0x80f3 => "Appletalk ARP",
        0x809b => "Appletalk",
        0x8137 => "IPX",
        0x894f => "NSH",
        0x88f7 => "PTP",
        0x8809 => "Slow Protocols",
        0x888e => "EAPOL",
        0x9000 => "Loopback",
        0x88e5 => "802.1AE MACsec",
        0x0200 => "PUP",
        0x0500 => "Sprite",
        0x0600 => "NS",
        0x1000 => "Trail",
        0x6001 => "MOP DL",
        0x6002 => "MOP RC",
        0x6003 => "DN",
        0x6004 => "LAT",
        0x6007 => "SCA",
        0x8038 => "Lanbridge",
        0x803c => "DECDNS",
        0x803e => "DECDTS",
        0x805b => "VEXP",
        0x805c => "VPROD",
        0x8037 => "IPX-8037",
        0x880b => "PPP",
        0x8808 => "MPCP",
        0x8870 => "Jumbo",
        0x88c7 => "EAPOL Preauth",
        0x88a2 => "AoE",
        0x8906 => "FCoE",
        0x8914 => "FIP",
        0x9001 => "3Com XNS",
        0x8902 => "CFM",
        0x88f5 => "MVRP",
        0x88f6 => "MMRP",
        0x22f0 => "AVTP",
        0x88b5 => "Local Experimental Ethertype 1",
        0x88b6 => "Local Experimental Ethertype 2",
        0x8819 => "CobraNet",
        0x890d => "802.11",
        _ => return None,
    })
}

pub(super) fn arphrd_name(h: u16) -> Option<&'static str> {
    Some(match h {
        1 => "Ethernet",
        6 => "TokenRing",
        7 => "ArcNet",
        15 => "FrameRelay",
        19 => "ATM",
        23 => "Strip",
        24 => "IEEE 1394",
        32 => "InfiniBand",
        _ => return None,
    })
}

pub(super) fn ipproto_name(p: u8) -> Option<&'static str> {
    Some(match p {
        0 => "Options",
        1 => "ICMP",
        2 => "IGMP",
        4 => "IPIP",
        6 => "TCP",
        8 => "EGP",
        9 => "IGRP",
        17 => "UDP",
        33 => "DCCP",
        41 => "IPv6",
        43 => "Routing",
        44 => "Fragment",
        46 => "RSVP",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        55 => "Mobile IP",
        58 => "ICMPv6",
        62 => "Mobile IP (old)",
        88 => "EIGRP",
        89 => "OSPF",
        103 => "PIM",
        108 => "Compressed IP",
        112 => "VRRP",
        113 => "PGM",
        132 => "SCTP",
        135 => "Mobility",
        143 => "Ethernet",
        _ => return None,
    })
}

pub(super) fn icmp6_name(t: u8) -> Option<&'static str> {
    Some(match t {
        1 => "destination unreachable",
        2 => "packet too big",
        3 => "time exceeded in-transit",
        4 => "parameter problem",
        128 => "echo request",
        129 => "echo reply",
        130 => "multicast listener query",
        131 => "multicast listener report",
        132 => "multicast listener done",
        133 => "router solicitation",
        134 => "router advertisement",
        135 => "neighbor solicitation",
        136 => "neighbor advertisement",
        137 => "redirect",
        138 => "router renumbering",
        139 => "node information query",
        140 => "node information reply",
        141 => "inverse neighbor solicitation",
        142 => "inverse neighbor advertisement",
        143 => "multicast listener report v2",
        144 => "ha discovery request",
        145 => "ha discovery reply",
        146 => "mobile router solicitation",
        147 => "mobile router advertisement",
        148 => "certification path solicitation",
        149 => "certification path advertisement",
        151 => "multicast router advertisement",
        152 => "multicast router solicitation",
        153 => "multicast router termination",
        _ => return None,
    })
}
