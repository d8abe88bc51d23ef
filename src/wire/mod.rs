//! Wire formats, one file per protocol the crate owns. Each has a zero-copy view (`*Slice`) that
//! checks lengths once, and, where the crate builds the protocol, an owned header that writes itself.
//! Ethernet, VLAN, IPv4/IPv6, UDP, TCP, ICMP and ARP come from [`etherparse`]; [`icmpv6`] adds
//! neighbour discovery and MLD views over etherparse's ICMPv6 slice; [`mac`] the MAC address type.

pub mod arp;
pub mod icmpv6;
pub mod igmp;
pub mod mac;
pub mod sll;
pub mod vxlan;
pub mod vxlan_gpe;
