//! # vxwire: VXLAN overlay packets, read and crafted
//!
//! The core (this crate without features) is `no_std`, needs no allocator, never panics on any
//! input and contains no `unsafe` code. It is organised like the packets it reads:
//!
//! - [`wire`]: one module per protocol the crate owns (VXLAN with GBP, VXLAN-GPE, IGMP, ICMPv6
//!   ND/MLD, ARP helpers, Linux cooked headers): a zero-copy `*Slice` view plus an owned header
//!   that writes itself. Ethernet, VLAN, IPv4/IPv6, UDP, TCP and ICMP come from [`etherparse`],
//!   re-exported.
//! - [`dissect`](mod@dissect): a captured frame to its layers, outer to inner, through VXLAN on
//!   configurable UDP ports, keeping every layer read before a truncation and saying why it stopped.
//! - [`build`]: crafting a whole VXLAN frame (outer stack, VXLAN/GBP, inner frame) and inner
//!   ARP, IGMP and ICMP echo frames into a caller's buffer, without allocating.
//! - [`check`]: whether a Linux vxlan device would accept a frame, or the kernel's drop reason.
//! - [`error`]: the one error type: which layer, what was wrong, bytes needed and present.
//!
//! The parts with I/O come with features, layered so that a library user takes only what they
//! use: `pcap` gives `capture` (pcap/pcapng files), `print` the tcpdump-style text and JSON
//! lines printers, `summary` the `vxdump --summary` tables, `inject` raw and UDP sockets, and
//! `cli` (the default) all of them plus what the `vxdump` and `vxinject` binaries need. A
//! program that reads captures and dissects them needs only
//! `vxwire = { version = "0.2", default-features = false, features = ["pcap"] }`.
//!
//! ```
//! use vxwire::dissect::{dissect, Config, Header, LinkType};
//! // An outer Ethernet/IPv4/UDP frame to port 4789 carrying VXLAN VNI 100 and a short inner frame.
//! let frame = [
//!     0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00, // Ethernet
//!     0x45, 0, 0, 50, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, // IPv4, 50 bytes
//!     0xc0, 0x01, 0x12, 0xb5, 0, 30, 0, 0, // UDP 49153 > 4789, 30 bytes
//!     0x08, 0, 0, 0, 0, 0, 100, 0, // VXLAN, VNI 100
//!     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 3, 0x88, 0xb5, // inner Ethernet
//! ];
//! let d = dissect(&frame, LinkType::Ethernet, &Config::default());
//! assert_eq!(d.vxlan().unwrap().vni().get(), 100);
//! assert!(matches!(d.last().unwrap().header, Header::Ethernet(_)));
//! assert!(d.error().is_none());
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "std")]
extern crate std;

pub use etherparse;

pub mod build;
pub mod check;
mod display;
pub mod dissect;
pub mod error;
pub mod filter;
pub mod time;
pub mod wire;

#[cfg(feature = "pcap")]
pub mod capture;
#[cfg(feature = "inject")]
pub mod inject;
#[cfg(feature = "parallel")]
pub mod pipeline;
#[cfg(feature = "print")]
pub mod print;
#[cfg(feature = "summary")]
pub mod summary;

pub use dissect::{dissect, Config, Dissection, Header, Layer, LinkType};
pub use error::{Error, ErrorKind, Proto};
pub use time::Timestamp;
pub use wire::mac::MacAddr;
