//! Wire formats, one file per protocol the crate owns. Each has a zero-copy view (`*Slice`) that
//! checks lengths once, and, where the crate builds the protocol, an owned header that writes itself.
//! Ethernet, VLAN, IPv4/IPv6, UDP, TCP, ICMP and ARP come from [`etherparse`]; [`icmpv6`] adds
//! neighbour discovery and MLD views over etherparse's ICMPv6 slice; [`mac`] the MAC address type.
//!
//! ```
//! use vxwire::wire::vxlan::{Vni, VxlanHeader, VxlanSlice};
//! // A view checks the length once; the owned header writes the same 8 bytes back.
//! let bytes = [0x08, 0, 0, 0, 0, 0x01, 0x2c, 0];
//! let v = VxlanSlice::from_slice(&bytes)?;
//! assert_eq!(v.vni(), Vni::try_from(300)?);
//! assert_eq!(v.header().to_bytes(), bytes);
//! assert_eq!(VxlanHeader::new(v.vni()).to_string(), "flags [I] vni 300");
//! # Ok::<(), vxwire::Error>(())
//! ```

pub mod arp;
pub mod icmpv6;
pub mod igmp;
pub mod mac;
pub mod sll;
pub mod vxlan;
pub mod vxlan_gpe;
