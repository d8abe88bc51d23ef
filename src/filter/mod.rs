//! Filter expressions like tcpdump's (pcap-filter(7)), that also see inside VXLAN.
//!
//! [`Filter::compile`] turns an expression into a fixed program (at most [`MAX_NODES`] nodes, no
//! allocation); [`Filter::matches`] tests one packet against it, without allocating either.
//!
//! The libpcap primitives read the bytes at the offsets libpcap 1.10's compiled BPF reads (so
//! they select what `tcpdump -r FILE EXPR` selects, on the same packets): `host`, `net` (CIDR
//! and `mask`), `port`, `portrange` with `src`/`dst` and `ip`/`ip6`/`arp`/`rarp`/`tcp`/`udp`/
//! `sctp` qualifiers; `ether host|src|dst|proto|broadcast|multicast`; `ip`/`ip6 multicast`,
//! `ip broadcast`; `ip`, `ip6`, `arp`, `rarp`, `tcp`, `udp`, `sctp`, `icmp`, `icmp6`, `igmp`,
//! `ip proto N`, `ip6 proto N`, `proto \name`; `vlan [ID]` (which, as in libpcap, moves every
//! later primitive of the same frame 4 bytes on); `less`, `greater`, `len`; `proto[expr:size]`
//! with `+ - * / % & | ^ << >>`, comparisons and the named constants; `and`/`or`/`not`,
//! `&&`/`||`/`!`, parentheses and the implicit qualifier repetition (`host 10.0.0.1 or
//! 10.0.0.2`). As in libpcap, `and` and `or` have the same precedence and group from the left,
//! and a packet too short for a byte the expression reads is not selected.
//!
//! vxdump's additions look at the dissection:
//!
//! - `vxlan [VNI]`: a VXLAN header (on any port the dissection decodes as VXLAN; GBP included),
//!   with that VNI if given. Primitives joined to it by `and` then apply to the inner frame:
//!   `vxlan 100 and arp`, `vxlan and vxlan 200` (VXLAN inside VXLAN). Each alternative of an
//!   `or` starts where the enclosing expression stands, so `vxlan 100 or vxlan 200` is either VNI.
//! - `vxlan-gpe [VNI]`: a VXLAN-GPE header; the inner frame is Ethernet or bare IP, as its next
//!   protocol says.
//! - `gbp [ID]`: a VXLAN header with the G bit (Group Based Policy), with that group policy ID if
//!   given; like `vxlan`, what follows with `and` applies to the inner frame.
//!
//! Other libpcap primitives (`mpls`, `pppoes`, `geneve`, `wlan`, `decnet`, `iso`, ...) are
//! refused with [`FilterErrorKind::Unsupported`]; host and port names are not resolved.
//!
//! ```
//! use vxwire::dissect::{dissect, Config, LinkType};
//! use vxwire::filter::Filter;
//!
//! let f = Filter::compile("vxlan 100 and arp")?;
//! // Ethernet / IPv4 / UDP 49153 > 4789 / VXLAN VNI 100 / Ethernet / ARP request (cut short).
//! let frame = [
//!     0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00, // Ethernet
//!     0x45, 0, 0, 64, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, // IPv4
//!     0xc0, 0x01, 0x12, 0xb5, 0, 44, 0, 0, // UDP
//!     0x08, 0, 0, 0, 0, 0, 100, 0, // VXLAN, VNI 100
//!     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 3, 0x08, 0x06, // inner Ethernet, ARP
//!     0, 1, 8, 0, 6, 4, 0, 1, // ARP request
//! ];
//! let d = dissect(&frame, LinkType::Ethernet, &Config::default());
//! assert!(f.matches(&d, LinkType::Ethernet, frame.len() as u32));
//! assert!(!Filter::compile("vxlan 200")?.matches(&d, LinkType::Ethernet, 64));
//! assert!(Filter::compile("udp dst port 4789")?.matches(&d, LinkType::Ethernet, 64));
//!
//! let e = Filter::compile("udp prt 4789").unwrap_err();
//! assert_eq!(e.to_string(), "syntax error in filter expression at \"prt\": expected \"and\", \"or\", a qualifier (host, net, port, ...) after a protocol, or the end");
//! # Ok::<(), Box<dyn std::error::Error>>(()) // FilterError is a core::error::Error, so `?` works
//! ```

mod eval;
mod lex;
mod parse;

use crate::dissect::{Config, Dissection, LinkType};
use arrayvec::{ArrayString, ArrayVec};
use core::fmt;
pub(crate) use lex::{Cmp, Op};

/// How many nodes (primitives, operators, arithmetic terms) a compiled filter holds at most.
pub const MAX_NODES: usize = 256;

/// Which addresses or ports of a packet a primitive looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dir {
    Src,
    Dst,
    /// `src or dst`, the default.
    Either,
    /// `src and dst`.
    Both,
}

/// The headers that vxdump's additions look for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tunnel {
    Vxlan,
    Gpe,
    Gbp,
}

/// A test on one frame, as one libpcap primitive compiles it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Prim {
    /// The link-layer type field (`ip`, `arp`, `ether proto N`).
    EtherType(u16),
    /// An IPv4 address in an IPv4 header (`et` 0x0800) or in an ARP/RARP packet.
    Host4 {
        et: u16,
        dir: Dir,
        addr: u32,
        mask: u32,
    },
    /// An IPv6 address with a prefix length.
    Host6 {
        dir: Dir,
        addr: [u8; 16],
        prefix: u8,
    },
    /// An Ethernet address.
    Mac {
        dir: Dir,
        mac: [u8; 6],
    },
    /// TCP (bit 0), UDP (bit 1) or SCTP (bit 2) ports `lo..=hi` over IPv4 and/or IPv6.
    Port {
        v4: bool,
        v6: bool,
        protos: u8,
        dir: Dir,
        lo: u16,
        hi: u16,
    },
    /// The IPv4 protocol field.
    Proto4(u8),
    /// The IPv6 next header, also behind a fragment header when `chase`.
    Proto6 {
        proto: u8,
        chase: bool,
    },
    EtherBroadcast,
    EtherMulticast,
    IpBroadcast,
    IpMulticast,
    Ip6Multicast,
    /// An 802.1Q/802.1ad tag, with that VLAN ID if given.
    Vlan(Option<u16>),
    /// `greater N` (`true`) or `less N`.
    Len {
        greater: bool,
        n: u32,
    },
    /// vxdump's additions.
    Tunnel {
        kind: Tunnel,
        id: Option<u32>,
    },
}

/// Where a `proto[expr:size]` load counts from, with the checks libpcap puts before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Base {
    /// `ether[]`, `link[]`: the frame's first byte.
    Link,
    /// `ip[]`, `ip6[]`, `arp[]`, `rarp[]`: the network header, when the link type field says so.
    Net(u16),
    /// `tcp[]`, `udp[]`, `icmp[]`, `igmp[]`, `sctp[]`: after an unfragmented IPv4 header with
    /// that protocol.
    Ip4(u8),
    /// `icmp6[]`: after a 40-byte IPv6 header whose next header is 58.
    Icmp6,
}

/// One node of a compiled filter; operands are indices of earlier nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Node {
    /// Both; the right side is tested on the frame the left side's tunnels lead into (that many
    /// levels down).
    And(u16, u16, u8),
    Or(u16, u16),
    Not(u16),
    /// A primitive, with the bytes earlier `vlan` primitives moved the network layer by.
    Prim(Prim, u8),
    /// A comparison of two arithmetic nodes.
    Rel(Cmp, u16, u16),
    Const(u32),
    /// The packet's length on the wire (`len`).
    PktLen,
    /// `Load(base, offset node, size, vlan shift)`.
    Load(Base, u16, u8, u8),
    Bin(Op, u16, u16),
}

/// A compiled filter expression.
#[derive(Clone, Debug)]
pub struct Filter {
    nodes: ArrayVec<Node, MAX_NODES>,
    root: u16,
    tunnels: bool,
    ether_only: Option<&'static str>,
    vnis: Option<ArrayVec<u32, 16>>,
}

impl Filter {
    /// Compiles `expr`. An empty expression (only blanks) selects every packet.
    ///
    /// # Errors
    /// A [`FilterError`] naming the position and what was expected, an unsupported primitive,
    /// a host name, or an expression longer than [`MAX_NODES`] nodes.
    pub fn compile(expr: &str) -> Result<Filter, FilterError> {
        parse::compile(expr)
    }

    /// Whether matching needs a [`Dissection`] (the expression has `vxlan`, `vxlan-gpe` or
    /// `gbp`); otherwise [`Filter::matches_bytes`] reads the bytes alone.
    pub fn needs_dissection(&self) -> bool {
        self.tunnels
    }

    /// VNIs of which a selected packet must carry one in a VXLAN header (at any depth), when the
    /// expression says so (`vxlan 300`, `vxlan 100 or vxlan 200`, `vxlan 7 and arp`): a caller
    /// can skip frames that surely carry none with [`crate::dissect::cannot_carry_vni`] before
    /// dissecting them. `None` when the expression selects packets without such a VNI too.
    pub fn vni_prefilter(&self) -> Option<&[u32]> {
        self.vnis.as_deref()
    }

    /// Whether the expression can be used on frames of `link`, as libpcap refuses `ether host`
    /// or `vlan` on a Linux cooked capture.
    ///
    /// # Errors
    /// [`FilterErrorKind::Link`] with libpcap's reason.
    pub fn check_link(&self, link: LinkType) -> Result<(), FilterError> {
        match (self.ether_only, link) {
            (Some(what), l) if l != LinkType::Ethernet => Err(FilterError::link(what)),
            _ => Ok(()),
        }
    }

    /// Whether the packet dissected as `d` (a frame starting with `link`, `wire_len` bytes long
    /// on the wire) is selected.
    pub fn matches(&self, d: &Dissection<'_>, link: LinkType, wire_len: u32) -> bool {
        eval::run(self, d.data(), Some(d), link, wire_len)
    }

    /// [`Filter::matches`] for a frame not yet dissected: dissects it with `config` only when
    /// the expression needs it.
    pub fn matches_bytes(&self, data: &[u8], link: LinkType, wire_len: u32, config: &Config) -> bool {
        if self.tunnels {
            crate::dissect::dissect_with(data, link, config, |d| {
                eval::run(self, data, Some(d), link, wire_len)
            })
        } else {
            eval::run(self, data, None, link, wire_len)
        }
    }
}

/// What was wrong with a filter expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterErrorKind {
    /// The text does not parse; the string says what was expected.
    Syntax(&'static str),
    /// A libpcap primitive vxwire does not implement.
    Unsupported,
    /// A host name or other name that would need resolving.
    Name,
    /// A value out of range or a primitive used where it means nothing; the string says why.
    Invalid(&'static str),
    /// More than [`MAX_NODES`] nodes or too many tokens.
    TooLong,
    /// A primitive the capture's link type has no field for (libpcap's reason).
    Link(&'static str),
}

/// A filter expression that cannot be compiled: where and why. `Display` gives one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FilterError {
    /// Byte offset in the expression of the token at fault (its length for the end).
    pub pos: usize,
    /// What was wrong.
    pub kind: FilterErrorKind,
    token: ArrayString<48>,
}

impl FilterError {
    fn new(kind: FilterErrorKind, token: &str, pos: usize) -> FilterError {
        let mut t = ArrayString::new();
        for c in token.chars() {
            if t.try_push(c).is_err() {
                break;
            }
        }
        FilterError { pos, kind, token: t }
    }
    pub(crate) fn syntax(token: &str, pos: usize, expected: &'static str) -> FilterError {
        let end = token.find(char::is_whitespace).unwrap_or(token.len());
        FilterError::new(FilterErrorKind::Syntax(expected), &token[..end], pos)
    }
    pub(crate) fn too_long(pos: usize) -> FilterError {
        FilterError::new(FilterErrorKind::TooLong, "", pos)
    }
    pub(crate) fn link(what: &'static str) -> FilterError {
        FilterError::new(FilterErrorKind::Link(what), "", 0)
    }
    /// The token at fault (empty at the end of the expression).
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::display::padded(f, |f| {
            let t = &self.token;
            match self.kind {
                FilterErrorKind::Syntax(exp) if t.is_empty() => {
                    write!(f, "syntax error in filter expression at its end: expected {exp}")
                }
                FilterErrorKind::Syntax(exp) => {
                    write!(f, "syntax error in filter expression at \"{t}\": expected {exp}")
                }
                FilterErrorKind::Unsupported => {
                    write!(f, "filter expression: \"{t}\" is a libpcap primitive vxdump does not support")
                }
                FilterErrorKind::Name => write!(
                    f,
                    "filter expression: \"{t}\": names are not resolved (output is numeric): give a number or address"
                ),
                FilterErrorKind::Invalid(why) => write!(f, "filter expression at \"{t}\": {why}"),
                FilterErrorKind::TooLong => {
                    write!(f, "filter expression too long (over {MAX_NODES} terms or {} tokens)", lex::MAX_TOKENS)
                }
                FilterErrorKind::Link(why) => write!(f, "filter expression: {why}"),
            }
        })
    }
}

/// In `core`, so `?` into `Box<dyn Error>` works with or without `std`.
impl core::error::Error for FilterError {}
