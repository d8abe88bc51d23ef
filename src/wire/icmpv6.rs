//! ICMPv6 neighbour discovery (RFC 4861, RDNSS from RFC 8106) and multicast listener discovery
//! (MLDv1, RFC 2710; MLDv2, RFC 3810 / RFC 9777) as zero-copy views over one ICMPv6 message: the
//! bytes of etherparse's [`Icmpv6Slice`](etherparse::Icmpv6Slice) (`slice()`), type byte first.
//!
//! ```text
//! Every ICMPv6 message:            | Type | Code | Checksum (2) | 4 bytes by type | body ...
//! Router Solicitation (133):       | Reserved (4)                                 | options
//! Router Advertisement (134):      | Cur Hop Limit | M|O|H|Prf|.. | Router Lifetime (2, s) |
//!                                  | Reachable Time (4, ms) | Retrans Timer (4, ms)| options
//! Neighbor Solicitation (135):     | Reserved (4)       | Target Address (16)     | options
//! Neighbor Advertisement (136):    | R|S|O| Reserved    | Target Address (16)     | options
//! Redirect (137):                  | Reserved (4) | Target (16) | Destination (16) | options
//! ND option:                       | Type | Length (units of 8 bytes, incl. these 2) | data
//! MLDv1 query/report/done (130/131/132), 24 bytes:
//!                                  | Max Response Delay (2, ms) | Reserved (2) | Multicast Address (16)
//! MLDv2 query (130, 28 bytes or more):
//!                                  | Max Resp Code (2) | Reserved (2) | Multicast Address (16) |
//!                                  | Resv|S|QRV | QQIC | Number of Sources (2) | Source Address [N] (16 each)
//! MLDv2 report (143):              | Reserved (2) | Nr of Mcast Address Records (2) | records ...
//! MLDv2 record:                    | Record Type | Aux Data Len (4-byte words) | Number of Sources (2) |
//!                                  | Multicast Address (16) | Source Address [N] | Auxiliary Data
//! ```
//! Lengths and counts in the message are never trusted: an option of length 0 or past the end of
//! the message, or a count beyond the bytes present, ends the iteration with an [`Error`] whose
//! `needed`/`present` count bytes from the start of the ICMPv6 message.
//!
//! ```
//! use vxwire::wire::icmpv6::{self, Icmpv6Message, NdOption};
//! // A neighbour solicitation for fd00:18::2 with its source link-layer address option.
//! let mut m = vec![135, 0, 0, 0, 0, 0, 0, 0];
//! m.extend_from_slice(&"fd00:18::2".parse::<std::net::Ipv6Addr>()?.octets());
//! m.extend_from_slice(&[1, 1, 2, 0, 0, 0x18, 0, 1]);
//! let Icmpv6Message::NeighborSolicitation(ns) = icmpv6::parse(&m)? else { return Err("not NS".into()) };
//! assert_eq!(ns.target().to_string(), "fd00:18::2");
//! let opts: Vec<_> = ns.options().collect::<Result<_, _>>()?;
//! assert_eq!(opts, [NdOption::SourceLinkLayerAddr(&[2, 0, 0, 0x18, 0, 1])]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::{Error, ErrorKind, Proto};
use crate::wire::igmp::{decode_float_code, RecordType};
use core::net::Ipv6Addr;

/// ICMPv6 type codes this module reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Icmpv6Type(pub u8);

impl Icmpv6Type {
    /// Echo request (RFC 4443).
    pub const ECHO_REQUEST: Icmpv6Type = Icmpv6Type(128);
    /// Echo reply (RFC 4443).
    pub const ECHO_REPLY: Icmpv6Type = Icmpv6Type(129);
    /// Multicast listener query (MLDv1 and MLDv2).
    pub const MLD_QUERY: Icmpv6Type = Icmpv6Type(130);
    /// MLDv1 multicast listener report.
    pub const MLD_REPORT: Icmpv6Type = Icmpv6Type(131);
    /// MLDv1 multicast listener done.
    pub const MLD_DONE: Icmpv6Type = Icmpv6Type(132);
    /// Router solicitation.
    pub const ROUTER_SOLICITATION: Icmpv6Type = Icmpv6Type(133);
    /// Router advertisement.
    pub const ROUTER_ADVERTISEMENT: Icmpv6Type = Icmpv6Type(134);
    /// Neighbor solicitation.
    pub const NEIGHBOR_SOLICITATION: Icmpv6Type = Icmpv6Type(135);
    /// Neighbor advertisement.
    pub const NEIGHBOR_ADVERTISEMENT: Icmpv6Type = Icmpv6Type(136);
    /// Redirect.
    pub const REDIRECT: Icmpv6Type = Icmpv6Type(137);
    /// MLDv2 multicast listener report.
    pub const MLD2_REPORT: Icmpv6Type = Icmpv6Type(143);
}

/// Length of the fixed ICMPv6 header (type, code, checksum, 4 type-specific bytes).
pub const HEADER_LEN: usize = 8;
/// Length of an MLDv1 message, and of the part every MLD query starts with.
pub const MLD_LEN: usize = 24;
/// Minimum length of an MLDv2 query.
pub const MLD2_QUERY_MIN_LEN: usize = 28;

fn be16(b: &[u8], at: usize) -> u16 {
    match b.get(at..at + 2) {
        Some(&[x, y]) => u16::from_be_bytes([x, y]),
        _ => 0,
    }
}

fn be32(b: &[u8], at: usize) -> u32 {
    match b.get(at..at + 4) {
        Some(&[a, c, d, e]) => u32::from_be_bytes([a, c, d, e]),
        _ => 0,
    }
}

fn addr6(b: &[u8], at: usize) -> Ipv6Addr {
    match b.get(at..at + 16).and_then(|s| <[u8; 16]>::try_from(s).ok()) {
        Some(a) => Ipv6Addr::from(a),
        None => Ipv6Addr::UNSPECIFIED,
    }
}

fn check(bytes: &[u8], ty: Icmpv6Type, min: usize) -> Result<(), Error> {
    match bytes.first() {
        None => Err(Error::truncated(Proto::Icmpv6, min, 0)),
        Some(&t) if t != ty.0 => {
            Err(Error::new(Proto::Icmpv6, ErrorKind::OutOfRange, usize::from(ty.0), usize::from(t)))
        }
        Some(_) if bytes.len() < min => Err(Error::truncated(Proto::Icmpv6, min, bytes.len())),
        Some(_) => Ok(()),
    }
}

macro_rules! view {
    ($(#[$m:meta])* $name:ident, $ty:expr, $min:expr, $opts:expr) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name<'a> {
            bytes: &'a [u8],
        }

        impl<'a> $name<'a> {
            /// The minimum length of this message in bytes (where its options start).
            pub const MIN_LEN: usize = $min;

            /// Checks the type byte and the minimum length.
            ///
            /// # Errors
            /// [`ErrorKind::OutOfRange`] (`needed` = the expected type, `present` = the type seen) for
            /// another message type; a [`Proto::Icmpv6`] truncation error if shorter than `MIN_LEN`.
            pub fn from_slice(bytes: &'a [u8]) -> Result<Self, Error> {
                check(bytes, $ty, $min)?;
                Ok($name { bytes })
            }
            /// The whole ICMPv6 message.
            pub fn slice(&self) -> &'a [u8] {
                self.bytes
            }
            /// The ND options after the fixed part.
            pub fn options(&self) -> NdOptionIter<'a> {
                NdOptionIter { bytes: self.bytes.get($opts..).unwrap_or(&[]), offset: $opts, done: false }
            }
        }
    };
}

view!(
    /// A router solicitation (type 133): only options.
    RouterSolicitation,
    Icmpv6Type::ROUTER_SOLICITATION,
    8,
    8
);
view!(
    /// A router advertisement (type 134).
    RouterAdvertisement,
    Icmpv6Type::ROUTER_ADVERTISEMENT,
    16,
    16
);
view!(
    /// A neighbor solicitation (type 135).
    NeighborSolicitation,
    Icmpv6Type::NEIGHBOR_SOLICITATION,
    24,
    24
);
view!(
    /// A neighbor advertisement (type 136).
    NeighborAdvertisement,
    Icmpv6Type::NEIGHBOR_ADVERTISEMENT,
    24,
    24
);
view!(
    /// A redirect (type 137).
    Redirect,
    Icmpv6Type::REDIRECT,
    40,
    40
);

impl RouterAdvertisement<'_> {
    /// Cur Hop Limit: the hop limit hosts should use (0 = unspecified).
    pub fn cur_hop_limit(&self) -> u8 {
        self.bytes[4]
    }
    /// The whole flags byte (M `0x80`, O `0x40`, H `0x20`, Prf `0x18`, ...).
    pub fn flags(&self) -> u8 {
        self.bytes[5]
    }
    /// M: addresses are available via DHCPv6.
    pub fn managed(&self) -> bool {
        self.bytes[5] & 0x80 != 0
    }
    /// O: other configuration is available via DHCPv6.
    pub fn other(&self) -> bool {
        self.bytes[5] & 0x40 != 0
    }
    /// Default router preference (RFC 4191): 1 high, 0 medium, 3 low, 2 reserved.
    pub fn preference(&self) -> u8 {
        (self.bytes[5] >> 3) & 0x3
    }
    /// Router Lifetime, in seconds (0 = not a default router).
    pub fn router_lifetime(&self) -> u16 {
        be16(self.bytes, 6)
    }
    /// Reachable Time, in milliseconds (0 = unspecified).
    pub fn reachable_time(&self) -> u32 {
        be32(self.bytes, 8)
    }
    /// Retrans Timer, in milliseconds (0 = unspecified).
    pub fn retrans_timer(&self) -> u32 {
        be32(self.bytes, 12)
    }
}

impl NeighborSolicitation<'_> {
    /// The address being resolved (or checked, during duplicate address detection).
    pub fn target(&self) -> Ipv6Addr {
        addr6(self.bytes, 8)
    }
}

impl NeighborAdvertisement<'_> {
    /// R: the sender is a router.
    pub fn router(&self) -> bool {
        self.bytes[4] & 0x80 != 0
    }
    /// S: sent in answer to a solicitation.
    pub fn solicited(&self) -> bool {
        self.bytes[4] & 0x40 != 0
    }
    /// O: override an existing cache entry.
    pub fn override_flag(&self) -> bool {
        self.bytes[4] & 0x20 != 0
    }
    /// The address whose link-layer address is advertised.
    pub fn target(&self) -> Ipv6Addr {
        addr6(self.bytes, 8)
    }
}

impl Redirect<'_> {
    /// The better first hop.
    pub fn target(&self) -> Ipv6Addr {
        addr6(self.bytes, 8)
    }
    /// The destination that is redirected.
    pub fn destination(&self) -> Ipv6Addr {
        addr6(self.bytes, 24)
    }
}

/// ND option type codes, as [`NdOption::kind`] returns them.
///
/// ```
/// use vxwire::wire::icmpv6::{opt, NdOption};
/// assert_eq!(NdOption::TargetLinkLayerAddr(&[2, 0, 0, 0, 0, 1]).kind(), opt::TARGET_LL_ADDR);
/// ```
pub mod opt {
    /// Source link-layer address.
    pub const SOURCE_LL_ADDR: u8 = 1;
    /// Target link-layer address.
    pub const TARGET_LL_ADDR: u8 = 2;
    /// Prefix information.
    pub const PREFIX_INFO: u8 = 3;
    /// Redirected header.
    pub const REDIRECTED_HEADER: u8 = 4;
    /// MTU.
    pub const MTU: u8 = 5;
    /// Recursive DNS server (RFC 8106).
    pub const RDNSS: u8 = 25;
    /// DNS search list (RFC 8106).
    pub const DNSSL: u8 = 31;
}

/// A prefix information option (32 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrefixInfo {
    /// Prefix length in bits.
    pub prefix_len: u8,
    /// L: the prefix is on-link.
    pub on_link: bool,
    /// A: the prefix may be used for address autoconfiguration.
    pub autonomous: bool,
    /// The whole flags byte.
    pub flags: u8,
    /// Valid lifetime, in seconds (`0xffffffff` = infinity).
    pub valid_lifetime: u32,
    /// Preferred lifetime, in seconds (`0xffffffff` = infinity).
    pub preferred_lifetime: u32,
    /// The prefix.
    pub prefix: Ipv6Addr,
}

/// One ND option; `data` fields exclude the type and length bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NdOption<'a> {
    /// Source link-layer address (the bytes after type/length, 6 for Ethernet).
    SourceLinkLayerAddr(&'a [u8]),
    /// Target link-layer address.
    TargetLinkLayerAddr(&'a [u8]),
    /// Prefix information (an option shorter than 32 bytes is returned as [`NdOption::Other`]).
    PrefixInfo(PrefixInfo),
    /// Redirected header: the start of the redirected packet (after 6 reserved bytes).
    RedirectedHeader(&'a [u8]),
    /// MTU, in bytes.
    Mtu(u32),
    /// Recursive DNS servers: lifetime in seconds and the server addresses.
    Rdnss {
        /// Lifetime, in seconds.
        lifetime: u32,
        /// The addresses.
        servers: Addr6Iter<'a>,
    },
    /// Any other option (or a known one too short for its fields).
    Other {
        /// The option type.
        kind: u8,
        /// The bytes after type and length.
        data: &'a [u8],
    },
}

impl NdOption<'_> {
    /// The option type code.
    pub fn kind(&self) -> u8 {
        match self {
            NdOption::SourceLinkLayerAddr(_) => opt::SOURCE_LL_ADDR,
            NdOption::TargetLinkLayerAddr(_) => opt::TARGET_LL_ADDR,
            NdOption::PrefixInfo(_) => opt::PREFIX_INFO,
            NdOption::RedirectedHeader(_) => opt::REDIRECTED_HEADER,
            NdOption::Mtu(_) => opt::MTU,
            NdOption::Rdnss { .. } => opt::RDNSS,
            NdOption::Other { kind, .. } => *kind,
        }
    }
}

/// Iterates ND options; ends with an error on a zero length or an option past the end.
#[derive(Clone, Debug)]
pub struct NdOptionIter<'a> {
    bytes: &'a [u8],
    offset: usize,
    done: bool,
}

impl<'a> Iterator for NdOptionIter<'a> {
    type Item = Result<NdOption<'a>, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.bytes.is_empty() {
            return None;
        }
        let (kind, units) = match self.bytes {
            [k, l, ..] => (*k, usize::from(*l)),
            _ => {
                self.done = true;
                return Some(Err(Error::truncated(
                    Proto::Icmpv6,
                    self.offset + 2,
                    self.offset + self.bytes.len(),
                )
                .at(self.offset)));
            }
        };
        if units == 0 {
            self.done = true;
            return Some(Err(Error::new(Proto::Icmpv6, ErrorKind::BadLength, 8, 0).at(self.offset)));
        }
        let len = units * 8;
        let Some((this, rest)) = self.bytes.split_at_checked(len) else {
            self.done = true;
            return Some(Err(Error::truncated(
                Proto::Icmpv6,
                self.offset + len,
                self.offset + self.bytes.len(),
            )
            .at(self.offset)));
        };
        self.bytes = rest;
        self.offset += len;
        let data = &this[2..];
        Some(Ok(match kind {
            opt::SOURCE_LL_ADDR => NdOption::SourceLinkLayerAddr(data),
            opt::TARGET_LL_ADDR => NdOption::TargetLinkLayerAddr(data),
            opt::PREFIX_INFO if this.len() >= 32 => NdOption::PrefixInfo(PrefixInfo {
                prefix_len: this[2],
                flags: this[3],
                on_link: this[3] & 0x80 != 0,
                autonomous: this[3] & 0x40 != 0,
                valid_lifetime: be32(this, 4),
                preferred_lifetime: be32(this, 8),
                prefix: addr6(this, 16),
            }),
            opt::REDIRECTED_HEADER => NdOption::RedirectedHeader(this.get(8..).unwrap_or(&[])),
            opt::MTU => NdOption::Mtu(be32(this, 4)),
            opt::RDNSS => NdOption::Rdnss {
                lifetime: be32(this, 4),
                servers: Addr6Iter {
                    bytes: this.get(8..).unwrap_or(&[]),
                    left: u16::MAX,
                    offset: self.offset - len + 8,
                    counted: false,
                    cut: None,
                },
            },
            _ => NdOption::Other { kind, data },
        }))
    }
}

/// Iterates IPv6 addresses (MLDv2 sources, RDNSS servers): the addresses present. With a count
/// from the message, [`Addr6Iter::truncation`] says afterwards whether the bytes ran out first;
/// without one (RDNSS), the addresses simply end with the option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Addr6Iter<'a> {
    bytes: &'a [u8],
    left: u16,
    offset: usize,
    counted: bool,
    cut: Option<Error>,
}

impl Addr6Iter<'_> {
    /// After the iteration: the truncation error (bytes needed and present from the start of
    /// the ICMPv6 message) when the message ended before its count of addresses.
    pub fn truncation(&self) -> Option<Error> {
        self.cut
    }
}

impl Iterator for Addr6Iter<'_> {
    type Item = Ipv6Addr;
    fn next(&mut self) -> Option<Ipv6Addr> {
        if self.left == 0 {
            return None;
        }
        match self.bytes.split_first_chunk::<16>() {
            Some((a, rest)) => {
                self.bytes = rest;
                self.left -= 1;
                self.offset += 16;
                Some(Ipv6Addr::from(*a))
            }
            None => {
                self.left = 0;
                if self.counted {
                    let (needed, present) = (self.offset + 16, self.offset + self.bytes.len());
                    self.cut = Some(Error::truncated(Proto::Icmpv6, needed, present));
                }
                None
            }
        }
    }
}

/// Decodes the MLDv2 Maximum Response Code (RFC 3810 §5.1.3) to milliseconds: below 32768 as
/// it is, above `(mant | 0x1000) << (exp + 3)` with a 12-bit mantissa and a 3-bit exponent.
pub const fn decode_mld2_max_resp_code(code: u16) -> u32 {
    if code < 0x8000 {
        code as u32
    } else {
        let mant = (code & 0x0fff) as u32;
        let exp = ((code >> 12) & 0x7) as u32;
        (mant | 0x1000) << (exp + 3)
    }
}

/// An MLDv1 message (query, report or done; RFC 2710) or the common start of an MLDv2 query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mld<'a> {
    bytes: &'a [u8],
}

impl<'a> Mld<'a> {
    /// Checks that `bytes` is an MLD query, report or done of at least 24 bytes.
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] for another type (`needed` 130, `present` the type); a
    /// [`Proto::Icmpv6`] truncation error if shorter than 24 bytes.
    pub fn from_slice(bytes: &'a [u8]) -> Result<Mld<'a>, Error> {
        match bytes.first() {
            Some(130..=132) => check(bytes, Icmpv6Type(bytes[0]), MLD_LEN)?,
            _ => check(bytes, Icmpv6Type::MLD_QUERY, MLD_LEN)?,
        }
        Ok(Mld { bytes })
    }
    /// The message type (130 query, 131 report, 132 done).
    pub fn mld_type(&self) -> Icmpv6Type {
        Icmpv6Type(self.bytes[0])
    }
    /// Maximum Response Delay in milliseconds as sent (MLDv1; for an MLDv2 query see
    /// [`Mld2Query::max_resp_delay_ms`]).
    pub fn max_resp_delay(&self) -> u16 {
        be16(self.bytes, 4)
    }
    /// The multicast address (`::` in a general query).
    pub fn multicast_address(&self) -> Ipv6Addr {
        addr6(self.bytes, 8)
    }
}

/// An MLDv2 query (type 130, at least 28 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mld2Query<'a> {
    bytes: &'a [u8],
}

impl<'a> Mld2Query<'a> {
    /// Checks the type and the 28-byte minimum (RFC 3810 §8.1: a shorter query is MLDv1).
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] for another type; a truncation error if shorter than 28 bytes.
    pub fn from_slice(bytes: &'a [u8]) -> Result<Mld2Query<'a>, Error> {
        check(bytes, Icmpv6Type::MLD_QUERY, MLD2_QUERY_MIN_LEN)?;
        Ok(Mld2Query { bytes })
    }
    /// Maximum Response Code as sent.
    pub fn max_resp_code(&self) -> u16 {
        be16(self.bytes, 4)
    }
    /// The maximum response delay in milliseconds (the decoded code).
    pub fn max_resp_delay_ms(&self) -> u32 {
        decode_mld2_max_resp_code(self.max_resp_code())
    }
    /// The multicast address (`::` in a general query).
    pub fn multicast_address(&self) -> Ipv6Addr {
        addr6(self.bytes, 8)
    }
    /// S: suppress router-side processing.
    pub fn s_flag(&self) -> bool {
        self.bytes[24] & 0x08 != 0
    }
    /// Querier's Robustness Variable.
    pub fn qrv(&self) -> u8 {
        self.bytes[24] & 0x07
    }
    /// Querier's Query Interval Code as sent.
    pub fn qqic(&self) -> u8 {
        self.bytes[25]
    }
    /// The querier's query interval in seconds (QQIC decoded as in IGMPv3).
    pub fn qqi(&self) -> u32 {
        decode_float_code(self.qqic())
    }
    /// The Number of Sources field as sent (not trusted for iteration).
    pub fn num_sources(&self) -> u16 {
        be16(self.bytes, 26)
    }
    /// The source addresses; ends with an error if the message is shorter than the count says.
    pub fn sources(&self) -> Addr6Iter<'a> {
        Addr6Iter {
            bytes: self.bytes.get(28..).unwrap_or(&[]),
            left: self.num_sources(),
            offset: 28,
            counted: true,
            cut: None,
        }
    }
}

/// An MLDv2 report (type 143, at least 8 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mld2Report<'a> {
    bytes: &'a [u8],
}

impl<'a> Mld2Report<'a> {
    /// Checks the type and the 8-byte minimum.
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] for another type; a truncation error if shorter than 8 bytes.
    pub fn from_slice(bytes: &'a [u8]) -> Result<Mld2Report<'a>, Error> {
        check(bytes, Icmpv6Type::MLD2_REPORT, HEADER_LEN)?;
        Ok(Mld2Report { bytes })
    }
    /// The Nr of Mcast Address Records field as sent (not trusted for iteration).
    pub fn num_records(&self) -> u16 {
        be16(self.bytes, 6)
    }
    /// The multicast address records; ends with an error if the message is cut inside one.
    pub fn records(&self) -> Mld2RecordIter<'a> {
        Mld2RecordIter {
            bytes: self.bytes.get(8..).unwrap_or(&[]),
            left: self.num_records(),
            offset: 8,
            cut: None,
        }
    }
}

/// A multicast address record of an MLDv2 report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mld2Record<'a> {
    /// The record type (same codes as IGMPv3: 1 is_in ... 6 block).
    pub record_type: RecordType,
    /// Auxiliary data length, in 32-bit words.
    pub aux_len: u8,
    /// The Number of Sources field.
    pub num_sources: u16,
    /// The multicast address.
    pub multicast_address: Ipv6Addr,
    sources: &'a [u8],
    sources_offset: usize,
    /// The auxiliary data, `4 * aux_len` bytes.
    pub aux_data: &'a [u8],
}

impl<'a> Mld2Record<'a> {
    /// The source addresses of this record.
    pub fn sources(&self) -> Addr6Iter<'a> {
        Addr6Iter {
            bytes: self.sources,
            left: self.num_sources,
            offset: self.sources_offset,
            counted: true,
            cut: None,
        }
    }
}

/// Iterates the records of an MLDv2 report.
#[derive(Clone, Debug)]
pub struct Mld2RecordIter<'a> {
    bytes: &'a [u8],
    left: u16,
    offset: usize,
    cut: Option<Error>,
}

impl Mld2RecordIter<'_> {
    /// After the iteration: the truncation error when the report ended inside a record or
    /// before its count of records.
    pub fn truncation(&self) -> Option<Error> {
        self.cut
    }
}

impl<'a> Iterator for Mld2RecordIter<'a> {
    type Item = Mld2Record<'a>;
    fn next(&mut self) -> Option<Mld2Record<'a>> {
        if self.left == 0 {
            return None;
        }
        let b = self.bytes;
        let claimed = match b {
            [_, aux, n0, n1, ..] => {
                20 + usize::from(u16::from_be_bytes([*n0, *n1])) * 16 + usize::from(*aux) * 4
            }
            _ => 20,
        };
        let Some((rec, rest)) = b.split_at_checked(claimed) else {
            self.left = 0;
            self.cut = Some(Error::truncated(Proto::Icmpv6, self.offset + claimed, self.offset + b.len()));
            return None;
        };
        let nsrc = be16(rec, 2);
        let src_end = 20 + usize::from(nsrc) * 16;
        let r = Mld2Record {
            record_type: RecordType(rec[0]),
            aux_len: rec[1],
            num_sources: nsrc,
            multicast_address: addr6(rec, 4),
            sources: &rec[20..src_end],
            sources_offset: self.offset + 20,
            aux_data: &rec[src_end..],
        };
        self.offset += claimed;
        self.bytes = rest;
        self.left -= 1;
        Some(r)
    }
}

/// One ICMPv6 message, classified by type, with the view that reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Icmpv6Message<'a> {
    /// Echo request: identifier and sequence number.
    EchoRequest {
        /// Identifier.
        id: u16,
        /// Sequence number.
        seq: u16,
    },
    /// Echo reply: identifier and sequence number.
    EchoReply {
        /// Identifier.
        id: u16,
        /// Sequence number.
        seq: u16,
    },
    /// MLDv1 query (24 bytes).
    MldQuery(Mld<'a>),
    /// MLDv2 query (28 bytes or more).
    Mld2Query(Mld2Query<'a>),
    /// MLDv1 report.
    MldReport(Mld<'a>),
    /// MLDv1 done.
    MldDone(Mld<'a>),
    /// MLDv2 report.
    Mld2Report(Mld2Report<'a>),
    /// Router solicitation.
    RouterSolicitation(RouterSolicitation<'a>),
    /// Router advertisement.
    RouterAdvertisement(RouterAdvertisement<'a>),
    /// Neighbor solicitation.
    NeighborSolicitation(NeighborSolicitation<'a>),
    /// Neighbor advertisement.
    NeighborAdvertisement(NeighborAdvertisement<'a>),
    /// Redirect.
    Redirect(Redirect<'a>),
    /// Any other type (errors, node information, ...): type and code.
    Other {
        /// Type.
        icmp_type: u8,
        /// Code.
        code: u8,
    },
}

/// Classifies one ICMPv6 message (the whole message, type byte first).
///
/// # Errors
/// A [`Proto::Icmpv6`] truncation error if the message is shorter than its type's fixed part
/// (8 bytes for any message, 24 for NS/NA/MLDv1, 16 for RA, 40 for redirect).
pub fn parse(bytes: &[u8]) -> Result<Icmpv6Message<'_>, Error> {
    if bytes.len() < HEADER_LEN {
        return Err(Error::truncated(Proto::Icmpv6, HEADER_LEN, bytes.len()));
    }
    Ok(match Icmpv6Type(bytes[0]) {
        Icmpv6Type::ECHO_REQUEST => Icmpv6Message::EchoRequest { id: be16(bytes, 4), seq: be16(bytes, 6) },
        Icmpv6Type::ECHO_REPLY => Icmpv6Message::EchoReply { id: be16(bytes, 4), seq: be16(bytes, 6) },
        Icmpv6Type::MLD_QUERY if bytes.len() >= MLD2_QUERY_MIN_LEN => {
            Icmpv6Message::Mld2Query(Mld2Query::from_slice(bytes)?)
        }
        Icmpv6Type::MLD_QUERY => Icmpv6Message::MldQuery(Mld::from_slice(bytes)?),
        Icmpv6Type::MLD_REPORT => Icmpv6Message::MldReport(Mld::from_slice(bytes)?),
        Icmpv6Type::MLD_DONE => Icmpv6Message::MldDone(Mld::from_slice(bytes)?),
        Icmpv6Type::MLD2_REPORT => Icmpv6Message::Mld2Report(Mld2Report::from_slice(bytes)?),
        Icmpv6Type::ROUTER_SOLICITATION => {
            Icmpv6Message::RouterSolicitation(RouterSolicitation::from_slice(bytes)?)
        }
        Icmpv6Type::ROUTER_ADVERTISEMENT => {
            Icmpv6Message::RouterAdvertisement(RouterAdvertisement::from_slice(bytes)?)
        }
        Icmpv6Type::NEIGHBOR_SOLICITATION => {
            Icmpv6Message::NeighborSolicitation(NeighborSolicitation::from_slice(bytes)?)
        }
        Icmpv6Type::NEIGHBOR_ADVERTISEMENT => {
            Icmpv6Message::NeighborAdvertisement(NeighborAdvertisement::from_slice(bytes)?)
        }
        Icmpv6Type::REDIRECT => Icmpv6Message::Redirect(Redirect::from_slice(bytes)?),
        Icmpv6Type(t) => Icmpv6Message::Other { icmp_type: t, code: bytes[1] },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mld2_max_resp_code() {
        assert_eq!(decode_mld2_max_resp_code(500), 500);
        assert_eq!(decode_mld2_max_resp_code(0x7fff), 0x7fff);
        // 0x8000: mant 0, exp 0 -> 0x1000 << 3
        assert_eq!(decode_mld2_max_resp_code(0x8000), 0x8000);
        // 0xffff: mant 0xfff, exp 7 -> 0x1fff << 10
        assert_eq!(decode_mld2_max_resp_code(0xffff), 0x1fff << 10);
    }

    #[test]
    fn lying_option_lengths_stop() {
        // NS with an option of length 0, then one running past the end.
        let mut ns = [0u8; 40];
        ns[0] = 135;
        ns[24] = 1; // SLLA, length 0
        let v = NeighborSolicitation::from_slice(&ns).unwrap();
        let mut it = v.options();
        let e = it.next().unwrap().unwrap_err();
        assert_eq!((e.kind, e.offset), (ErrorKind::BadLength, 24));
        assert!(it.next().is_none());
        ns[25] = 3; // 24 bytes claimed, 16 present
        let e = NeighborSolicitation::from_slice(&ns).unwrap().options().next().unwrap().unwrap_err();
        assert_eq!((e.kind, e.needed, e.present), (ErrorKind::Truncated, 48, 40));
    }

    #[test]
    fn lying_counts_stop() {
        // MLDv2 query claiming 2 sources with 1 present; report claiming 65535 records.
        let mut q = [0u8; 44];
        q[0] = 130;
        q[27] = 2;
        let v = Mld2Query::from_slice(&q).unwrap();
        let mut it = v.sources();
        assert!(it.next().is_some());
        assert!(it.truncation().is_none());
        assert!(it.next().is_none());
        let e = it.truncation().unwrap();
        assert_eq!((e.needed, e.present), (60, 44));
        assert!(it.next().is_none());
        let r = [143u8, 0, 0, 0, 0, 0, 0xff, 0xff, 4, 0, 0, 1];
        let mut it = Mld2Report::from_slice(&r).unwrap().records();
        assert!(it.next().is_none());
        let e = it.truncation().unwrap();
        assert_eq!((e.needed, e.present), (8 + 20 + 16, 12));
    }

    #[test]
    fn wrong_type_and_short() {
        assert_eq!(
            RouterSolicitation::from_slice(&[134, 0, 0, 0, 0, 0, 0, 0]).unwrap_err().kind,
            ErrorKind::OutOfRange
        );
        assert_eq!(NeighborSolicitation::from_slice(&[135; 23]).unwrap_err().needed, 24);
        assert!(parse(&[135, 0, 0, 0, 0, 0, 0, 0]).is_err());
        assert!(matches!(
            parse(&[1, 4, 0, 0, 0, 0, 0, 0]),
            Ok(Icmpv6Message::Other { icmp_type: 1, code: 4 })
        ));
    }
}
