//! IGMP v1, v2 and v3 (RFC 1112, RFC 2236, RFC 3376 / RFC 9776).
//!
//! ```text
//! v1/v2 message and the first 8 bytes of every v3 message:
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |      Type     | Max Resp Code |           Checksum            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                         Group Address                         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! v3 query continues:
//! | Resv  |S| QRV |     QQIC      |     Number of Sources (N)     |
//! |                  Source Address [1..N]                        |
//! v3 report (type 0x22) instead:
//! |  Type = 0x22  |    Reserved   |           Checksum            |
//! |           Reserved            |  Number of Group Records (M)  |
//! |                  Group Record [1..M]                          |
//! group record:
//! |  Record Type  |  Aux Data Len |     Number of Sources (N)     |
//! |                       Multicast Address                       |
//! |                  Source Address [1..N]                        |
//! |                  Auxiliary Data (Aux Data Len words)          |
//! ```
//! The version is told apart as RFC 3376 §7.1 says: a query of 8 bytes is v1 when its Max Resp
//! Code is 0 and v2 otherwise; a query of 12 bytes or more is v3.
//! Counts in the message are never trusted: iterators stop (with an error) at the end of the bytes.
//!
//! ```
//! use vxwire::wire::igmp::{IgmpSlice, IgmpType, RecordType};
//! // An IGMPv3 report with two records: TO_EX 239.1.1.1 (no sources), ALLOW 239.1.1.2 from 10.0.0.9.
//! let b = [
//!     0x22, 0, 0, 0, 0, 0, 0, 2, // type, reserved, checksum (not checked here), 2 records
//!     4, 0, 0, 0, 239, 1, 1, 1, // CHANGE_TO_EXCLUDE, aux 0, 0 sources, group
//!     5, 0, 0, 1, 239, 1, 1, 2, 10, 0, 0, 9, // ALLOW_NEW_SOURCES, 1 source
//! ];
//! let igmp = IgmpSlice::from_slice(&b)?;
//! assert_eq!(igmp.igmp_type(), IgmpType::V3_REPORT);
//! let report = igmp.v3_report().ok_or("not a v3 report")?;
//! let mut records = report.records();
//! let text: Vec<String> = records
//!     .by_ref()
//!     .map(|r| format!("{} {} {:?}", r.record_type, r.group, r.sources().collect::<Vec<_>>()))
//!     .collect();
//! assert_eq!(text, ["to_ex 239.1.1.1 []", "allow 239.1.1.2 [10.0.0.9]"]);
//! assert_eq!(records.truncation(), None);
//! // The same report cut inside its second record: the first still comes, then the cut is told.
//! let cut = IgmpSlice::from_slice(&b[..18])?.v3_report().ok_or("not a v3 report")?;
//! let mut records = cut.records();
//! assert_eq!(records.next().map(|r| r.record_type), Some(RecordType::CHANGE_TO_EXCLUDE));
//! assert!(records.next().is_none());
//! // Its fixed part (type, aux length, source count, group) would end at byte 24.
//! assert_eq!(records.truncation().map(|e| (e.needed, e.present)), Some((24, 18)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::{Error, Proto};
use core::fmt;
use core::net::Ipv4Addr;
use nom::number::complete::{be_u16, be_u32, be_u8};
use nom::Parser;

mod field {
    use core::ops::Range;
    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const CHECKSUM: Range<usize> = 2..4;
    pub const GROUP: Range<usize> = 4..8;
    pub const Q3_FLAGS: usize = 8;
    pub const Q3_QQIC: usize = 9;
    pub const Q3_NSRC: Range<usize> = 10..12;
    pub const Q3_SOURCES: usize = 12;
    pub const R3_NREC: Range<usize> = 6..8;
    pub const R3_RECORDS: usize = 8;
}

/// Length of the fixed part shared by every IGMP message.
pub const MIN_LEN: usize = 8;
/// Length of the fixed part of an IGMPv3 query.
pub const V3_QUERY_MIN_LEN: usize = 12;

/// The IGMP type code. `Display` names it (`query`, `v2 report`, `v3 report`, `leave`, ...; an
/// unknown type as `type 0x..`), `Debug` adds the number (`IgmpType(v3 report 0x22)`).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct IgmpType(pub u8);

impl IgmpType {
    /// Membership query (all versions).
    pub const MEMBERSHIP_QUERY: IgmpType = IgmpType(0x11);
    /// IGMPv1 membership report.
    pub const V1_REPORT: IgmpType = IgmpType(0x12);
    /// DVMRP.
    pub const DVMRP: IgmpType = IgmpType(0x13);
    /// PIM version 1.
    pub const PIM_V1: IgmpType = IgmpType(0x14);
    /// IGMPv2 membership report.
    pub const V2_REPORT: IgmpType = IgmpType(0x16);
    /// IGMPv2 leave group.
    pub const V2_LEAVE: IgmpType = IgmpType(0x17);
    /// Multicast traceroute response.
    pub const MTRACE_RESP: IgmpType = IgmpType(0x1e);
    /// Multicast traceroute.
    pub const MTRACE: IgmpType = IgmpType(0x1f);
    /// IGMPv3 membership report.
    pub const V3_REPORT: IgmpType = IgmpType(0x22);

    /// The name of a known type, in tcpdump's words.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0x11 => "query",
            0x12 => "v1 report",
            0x13 => "dvmrp",
            0x14 => "pim v1",
            0x16 => "v2 report",
            0x17 => "leave",
            0x1e => "mtrace resp",
            0x1f => "mtrace",
            0x22 => "v3 report",
            _ => return None,
        })
    }
}

impl fmt::Display for IgmpType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.pad(n),
            None => crate::display::padded(f, |w| write!(w, "type {:#04x}", self.0)),
        }
    }
}

impl fmt::Debug for IgmpType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "IgmpType({n} {:#04x})", self.0),
            None => write!(f, "IgmpType({:#04x})", self.0),
        }
    }
}

/// The IGMP version of a message, as RFC 3376 §7.1 tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IgmpVersion {
    /// IGMPv1 (RFC 1112).
    V1,
    /// IGMPv2 (RFC 2236).
    V2,
    /// IGMPv3 (RFC 3376).
    V3,
}

/// `v1`, `v2`, `v3`.
impl fmt::Display for IgmpVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            IgmpVersion::V1 => "v1",
            IgmpVersion::V2 => "v2",
            IgmpVersion::V3 => "v3",
        })
    }
}

impl IgmpVersion {
    /// 1, 2 or 3.
    pub const fn number(self) -> u8 {
        match self {
            IgmpVersion::V1 => 1,
            IgmpVersion::V2 => 2,
            IgmpVersion::V3 => 3,
        }
    }
}

/// An IGMPv3 group record type (RFC 3376 §4.2.12). `Display` gives the short name (`to_ex`),
/// or the number for an unknown type; `Debug` both (`RecordType(to_ex 4)`).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RecordType(pub u8);

impl RecordType {
    /// MODE_IS_INCLUDE.
    pub const MODE_IS_INCLUDE: RecordType = RecordType(1);
    /// MODE_IS_EXCLUDE.
    pub const MODE_IS_EXCLUDE: RecordType = RecordType(2);
    /// CHANGE_TO_INCLUDE_MODE.
    pub const CHANGE_TO_INCLUDE: RecordType = RecordType(3);
    /// CHANGE_TO_EXCLUDE_MODE.
    pub const CHANGE_TO_EXCLUDE: RecordType = RecordType(4);
    /// ALLOW_NEW_SOURCES.
    pub const ALLOW_NEW_SOURCES: RecordType = RecordType(5);
    /// BLOCK_OLD_SOURCES.
    pub const BLOCK_OLD_SOURCES: RecordType = RecordType(6);

    /// A short name: `is_in`, `is_ex`, `to_in`, `to_ex`, `allow`, `block`, or `None` if unknown.
    pub const fn short_name(self) -> Option<&'static str> {
        match self.0 {
            1 => Some("is_in"),
            2 => Some("is_ex"),
            3 => Some("to_in"),
            4 => Some("to_ex"),
            5 => Some("allow"),
            6 => Some("block"),
            _ => None,
        }
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.short_name() {
            Some(n) => f.pad(n),
            None => crate::display::padded(f, |w| write!(w, "{}", self.0)),
        }
    }
}

impl fmt::Debug for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.short_name() {
            Some(n) => write!(f, "RecordType({n} {})", self.0),
            None => write!(f, "RecordType({})", self.0),
        }
    }
}

/// Decodes the IGMPv3 floating-point encoding of Max Resp Code and QQIC (RFC 3376 §4.1.1, §4.1.7).
///
/// Values below 128 are taken as they are; above, `(mant | 0x10) << (exp + 3)`.
/// The unit is tenths of a second for Max Resp Code and seconds for QQIC.
pub const fn decode_float_code(code: u8) -> u32 {
    if code < 128 {
        code as u32
    } else {
        let mant = (code & 0x0f) as u32;
        let exp = ((code >> 4) & 0x07) as u32;
        (mant | 0x10) << (exp + 3)
    }
}

/// The Internet checksum (RFC 1071) of `bytes`: 0 when a message with its checksum field is intact.
pub fn internet_checksum(bytes: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    let mut chunks = bytes.chunks_exact(2);
    for c in &mut chunks {
        sum += u32::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [last] = chunks.remainder() {
        sum += u32::from(*last) << 8;
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// A zero-copy view of an IGMP message (any version).
///
/// The slice is the whole IGMP message as bounded by the IP payload length, so the checksum covers
/// all of it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct IgmpSlice<'a> {
    bytes: &'a [u8],
}

/// The type, group and length, not the bytes.
impl fmt::Debug for IgmpSlice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IgmpSlice")
            .field("type", &self.igmp_type())
            .field("max_resp_code", &self.max_resp_code())
            .field("group", &self.group())
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl<'a> IgmpSlice<'a> {
    /// Checks that `bytes` holds at least the 8-byte fixed part.
    ///
    /// # Errors
    /// A [`Proto::Igmp`] truncation error if fewer than 8 bytes are present.
    pub fn from_slice(bytes: &'a [u8]) -> Result<IgmpSlice<'a>, Error> {
        if bytes.len() < MIN_LEN {
            return Err(Error::truncated(Proto::Igmp, MIN_LEN, bytes.len()));
        }
        Ok(IgmpSlice { bytes })
    }

    /// The whole message.
    pub fn slice(&self) -> &'a [u8] {
        self.bytes
    }
    /// The type code.
    pub fn igmp_type(&self) -> IgmpType {
        IgmpType(self.bytes[field::TYPE])
    }
    /// Max Resp Code (v2/v3 queries; "unused" in v1, "reserved" in v3 reports).
    pub fn max_resp_code(&self) -> u8 {
        self.bytes[field::CODE]
    }
    /// The checksum field.
    pub fn checksum(&self) -> u16 {
        u16::from_be_bytes([self.bytes[field::CHECKSUM.start], self.bytes[field::CHECKSUM.start + 1]])
    }
    /// Whether the checksum over the whole message is correct.
    pub fn checksum_valid(&self) -> bool {
        internet_checksum(self.bytes) == 0
    }
    /// The group address (bytes 4–7; for a v3 report these are the reserved and count fields).
    pub fn group(&self) -> Ipv4Addr {
        let g = &self.bytes[field::GROUP];
        Ipv4Addr::new(g[0], g[1], g[2], g[3])
    }

    /// The IGMP version per RFC 3376 §7.1, or `None` for types outside v1–v3 (DVMRP, mtrace, ...).
    pub fn version(&self) -> Option<IgmpVersion> {
        match self.igmp_type() {
            IgmpType::MEMBERSHIP_QUERY => Some(if self.bytes.len() >= V3_QUERY_MIN_LEN {
                IgmpVersion::V3
            } else if self.max_resp_code() == 0 {
                IgmpVersion::V1
            } else {
                IgmpVersion::V2
            }),
            IgmpType::V1_REPORT => Some(IgmpVersion::V1),
            IgmpType::V2_REPORT | IgmpType::V2_LEAVE => Some(IgmpVersion::V2),
            IgmpType::V3_REPORT => Some(IgmpVersion::V3),
            _ => None,
        }
    }

    /// The v3 query fields, if this is a query of 12 bytes or more.
    pub fn v3_query(&self) -> Option<IgmpV3Query<'a>> {
        if self.igmp_type() == IgmpType::MEMBERSHIP_QUERY && self.bytes.len() >= V3_QUERY_MIN_LEN {
            Some(IgmpV3Query { bytes: self.bytes })
        } else {
            None
        }
    }

    /// The v3 report fields, if this is a v3 report.
    pub fn v3_report(&self) -> Option<IgmpV3Report<'a>> {
        if self.igmp_type() == IgmpType::V3_REPORT {
            Some(IgmpV3Report { bytes: self.bytes })
        } else {
            None
        }
    }
}

/// The IGMPv3 query part of an [`IgmpSlice`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IgmpV3Query<'a> {
    bytes: &'a [u8],
}

impl<'a> IgmpV3Query<'a> {
    /// The S flag (suppress router-side processing).
    pub fn s_flag(&self) -> bool {
        self.bytes[field::Q3_FLAGS] & 0x08 != 0
    }
    /// The 4 reserved bits before the S flag.
    pub fn reserved(&self) -> u8 {
        self.bytes[field::Q3_FLAGS] >> 4
    }
    /// Querier's Robustness Variable.
    pub fn qrv(&self) -> u8 {
        self.bytes[field::Q3_FLAGS] & 0x07
    }
    /// Querier's Query Interval Code (see [`decode_float_code`]; seconds).
    pub fn qqic(&self) -> u8 {
        self.bytes[field::Q3_QQIC]
    }
    /// The Number of Sources field as sent (not trusted for iteration).
    pub fn num_sources(&self) -> u16 {
        u16::from_be_bytes([self.bytes[field::Q3_NSRC.start], self.bytes[field::Q3_NSRC.start + 1]])
    }
    /// The source addresses present, at most `num_sources` (see [`AddrIter::truncation`]).
    pub fn sources(&self) -> AddrIter<'a> {
        AddrIter {
            bytes: self.bytes.get(field::Q3_SOURCES..).unwrap_or(&[]),
            left: self.num_sources(),
            offset: field::Q3_SOURCES,
            cut: None,
        }
    }
}

/// Iterates IPv4 addresses (query sources, record sources). It yields the addresses present and
/// stops at the end of the bytes; [`AddrIter::truncation`] then says whether the count claimed
/// more than were there.
#[derive(Clone, Debug)]
pub struct AddrIter<'a> {
    bytes: &'a [u8],
    left: u16,
    offset: usize,
    cut: Option<Error>,
}

impl AddrIter<'_> {
    /// After the iteration: the truncation error (bytes needed and present, counted from the
    /// start of the IGMP message) when the message ended before the count of addresses did.
    pub fn truncation(&self) -> Option<Error> {
        self.cut
    }
}

impl Iterator for AddrIter<'_> {
    type Item = Ipv4Addr;
    fn next(&mut self) -> Option<Ipv4Addr> {
        if self.left == 0 {
            return None;
        }
        let r: nom::IResult<&[u8], u32, ()> = be_u32(self.bytes);
        match r {
            Ok((rest, a)) => {
                self.bytes = rest;
                self.left -= 1;
                self.offset += 4;
                Some(Ipv4Addr::from(a))
            }
            Err(_) => {
                self.cut =
                    Some(Error::truncated(Proto::Igmp, self.offset + 4, self.offset + self.bytes.len()));
                self.left = 0;
                None
            }
        }
    }
}

/// The IGMPv3 report part of an [`IgmpSlice`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IgmpV3Report<'a> {
    bytes: &'a [u8],
}

impl<'a> IgmpV3Report<'a> {
    /// The Number of Group Records field as sent (not trusted for iteration).
    pub fn num_records(&self) -> u16 {
        u16::from_be_bytes([self.bytes[field::R3_NREC.start], self.bytes[field::R3_NREC.start + 1]])
    }
    /// The group records present (see [`RecordIter::truncation`]).
    pub fn records(&self) -> RecordIter<'a> {
        RecordIter {
            bytes: &self.bytes[field::R3_RECORDS..],
            left: self.num_records(),
            offset: field::R3_RECORDS,
            cut: None,
        }
    }
}

/// A group record of an IGMPv3 report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupRecord<'a> {
    /// The record type.
    pub record_type: RecordType,
    /// Auxiliary data length, in 32-bit words.
    pub aux_len: u8,
    /// The Number of Sources field.
    pub num_sources: u16,
    /// The multicast address.
    pub group: Ipv4Addr,
    /// The source addresses, `4 * num_sources` bytes.
    sources: &'a [u8],
    /// The auxiliary data, `4 * aux_len` bytes.
    pub aux_data: &'a [u8],
}

impl<'a> GroupRecord<'a> {
    /// The sources of this record.
    pub fn sources(&self) -> AddrIter<'a> {
        AddrIter { bytes: self.sources, left: self.num_sources, offset: 0, cut: None }
    }
}

/// Iterates the group records of an IGMPv3 report: the whole records present; then
/// [`RecordIter::truncation`] says whether one was cut or missing.
#[derive(Clone, Debug)]
pub struct RecordIter<'a> {
    bytes: &'a [u8],
    left: u16,
    offset: usize,
    cut: Option<Error>,
}

impl RecordIter<'_> {
    /// After the iteration: the truncation error when the report ended inside a record or
    /// before its count of records (bytes needed and present from the start of the message).
    pub fn truncation(&self) -> Option<Error> {
        self.cut
    }
}

fn parse_record(input: &[u8]) -> nom::IResult<&[u8], GroupRecord<'_>, ()> {
    let (rest, (rtype, aux_len, nsrc, group)) = (be_u8, be_u8, be_u16, be_u32).parse(input)?;
    let (rest, sources) = nom::bytes::complete::take(usize::from(nsrc) * 4).parse(rest)?;
    let (rest, aux_data) = nom::bytes::complete::take(usize::from(aux_len) * 4).parse(rest)?;
    Ok((
        rest,
        GroupRecord {
            record_type: RecordType(rtype),
            aux_len,
            num_sources: nsrc,
            group: Ipv4Addr::from(group),
            sources,
            aux_data,
        },
    ))
}

/// The length a group record claims, from its first 4 bytes (or 8 when fewer are present).
fn record_claimed_len(b: &[u8]) -> usize {
    match b {
        [_, aux, n0, n1, ..] => 8 + usize::from(u16::from_be_bytes([*n0, *n1])) * 4 + usize::from(*aux) * 4,
        _ => 8,
    }
}

impl<'a> Iterator for RecordIter<'a> {
    type Item = GroupRecord<'a>;
    fn next(&mut self) -> Option<GroupRecord<'a>> {
        if self.left == 0 {
            return None;
        }
        match parse_record(self.bytes) {
            Ok((rest, rec)) => {
                self.offset += self.bytes.len() - rest.len();
                self.bytes = rest;
                self.left -= 1;
                Some(rec)
            }
            Err(_) => {
                let needed = self.offset + record_claimed_len(self.bytes);
                self.cut = Some(Error::truncated(Proto::Igmp, needed, self.offset + self.bytes.len()));
                self.left = 0;
                None
            }
        }
    }
}

/// The fixed first 8 bytes of any IGMP message as an owned value, equal to the wire.
///
/// For a v3 report (type 0x22) bytes 4–7 are a reserved field and the number of group records;
/// they are kept in `group` as they are ([`IgmpHeader::v3_report_counts`] reads them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IgmpHeader {
    /// The type code.
    pub igmp_type: IgmpType,
    /// Max Resp Code (queries), unused/reserved otherwise (kept as sent).
    pub max_resp_code: u8,
    /// The checksum field as sent (see [`internet_checksum`]).
    pub checksum: u16,
    /// The group address (bytes 4–7).
    pub group: Ipv4Addr,
}

impl IgmpHeader {
    /// Parses the first 8 bytes of `bytes`; returns the header and the bytes after it.
    ///
    /// # Errors
    /// A [`Proto::Igmp`] truncation error if fewer than 8 bytes are present.
    pub fn parse(bytes: &[u8]) -> Result<(IgmpHeader, &[u8]), Error> {
        let r: nom::IResult<&[u8], _, ()> = (be_u8, be_u8, be_u16, be_u32).parse(bytes);
        match r {
            Ok((rest, (t, c, ck, g))) => Ok((
                IgmpHeader {
                    igmp_type: IgmpType(t),
                    max_resp_code: c,
                    checksum: ck,
                    group: Ipv4Addr::from(g),
                },
                rest,
            )),
            Err(_) => Err(Error::truncated(Proto::Igmp, MIN_LEN, bytes.len())),
        }
    }

    /// For a v3 report: the reserved field (bytes 4–5) and the number of group records (bytes 6–7).
    pub fn v3_report_counts(&self) -> (u16, u16) {
        let g = self.group.octets();
        (u16::from_be_bytes([g[0], g[1]]), u16::from_be_bytes([g[2], g[3]]))
    }

    /// The header's 8 wire bytes.
    pub fn to_bytes(&self) -> [u8; MIN_LEN] {
        let c = self.checksum.to_be_bytes();
        let g = self.group.octets();
        [self.igmp_type.0, self.max_resp_code, c[0], c[1], g[0], g[1], g[2], g[3]]
    }

    /// Writes the header into the start of `buf`; returns 8.
    ///
    /// # Errors
    /// A [`Proto::Buffer`] truncation error if `buf` is shorter than 8 bytes.
    pub fn write(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let dst = buf.get_mut(..MIN_LEN).ok_or(Error::truncated(Proto::Buffer, MIN_LEN, 0))?;
        dst.copy_from_slice(&self.to_bytes());
        Ok(MIN_LEN)
    }
}

/// Bytes 8–11 of an IGMPv3 query as an owned value, equal to the wire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct V3QueryFields {
    /// The 4 reserved bits before the S flag (0–15).
    pub reserved: u8,
    /// The S flag.
    pub s_flag: bool,
    /// Querier's Robustness Variable (0–7).
    pub qrv: u8,
    /// Querier's Query Interval Code.
    pub qqic: u8,
    /// The Number of Sources field.
    pub num_sources: u16,
}

impl V3QueryFields {
    /// The fields of a v3 query view.
    pub fn from_query(q: &IgmpV3Query<'_>) -> V3QueryFields {
        V3QueryFields {
            reserved: q.reserved(),
            s_flag: q.s_flag(),
            qrv: q.qrv(),
            qqic: q.qqic(),
            num_sources: q.num_sources(),
        }
    }

    /// The 4 wire bytes (reserved bits above 15 and a QRV above 7 are cut to their widths).
    pub fn to_bytes(&self) -> [u8; 4] {
        let n = self.num_sources.to_be_bytes();
        [(self.reserved << 4) | (u8::from(self.s_flag) << 3) | (self.qrv & 7), self.qqic, n[0], n[1]]
    }
}

/// The fixed 8 bytes of an IGMPv3 group record as an owned value, equal to the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GroupRecordHeader {
    /// The record type.
    pub record_type: RecordType,
    /// Auxiliary data length, in 32-bit words.
    pub aux_len: u8,
    /// The Number of Sources field.
    pub num_sources: u16,
    /// The multicast address.
    pub group: Ipv4Addr,
}

impl GroupRecordHeader {
    /// The fixed fields of a parsed record.
    pub fn from_record(r: &GroupRecord<'_>) -> GroupRecordHeader {
        GroupRecordHeader {
            record_type: r.record_type,
            aux_len: r.aux_len,
            num_sources: r.num_sources,
            group: r.group,
        }
    }

    /// The 8 wire bytes.
    pub fn to_bytes(&self) -> [u8; 8] {
        let n = self.num_sources.to_be_bytes();
        let g = self.group.octets();
        [self.record_type.0, self.aux_len, n[0], n[1], g[0], g[1], g[2], g[3]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "std")]
    #[test]
    fn code_points_name_themselves() {
        assert_eq!(std::format!("{}", IgmpType::V3_REPORT), "v3 report");
        assert_eq!(std::format!("{:?}", IgmpType::V3_REPORT), "IgmpType(v3 report 0x22)");
        assert_eq!(std::format!("{}", IgmpType(0x99)), "type 0x99");
        assert_eq!(std::format!("[{:<8}]", RecordType::CHANGE_TO_EXCLUDE), "[to_ex   ]");
        assert_eq!(std::format!("{:?}", RecordType(9)), "RecordType(9)");
        assert_eq!(std::format!("{}", RecordType(9)), "9");
        assert_eq!(std::format!("{}", IgmpVersion::V2), "v2");
    }

    #[test]
    fn float_code() {
        assert_eq!(decode_float_code(100), 100);
        assert_eq!(decode_float_code(127), 127);
        // 0x80: mant 0, exp 0 -> 0x10 << 3 = 128
        assert_eq!(decode_float_code(0x80), 128);
        // 0xff: mant 15, exp 7 -> 0x1f << 10 = 31744
        assert_eq!(decode_float_code(0xff), 31744);
    }

    /// IGMPv2 membership report for 239.255.255.250 (Zeek's igmp.pcap, checksum valid).
    #[test]
    fn v2_report() {
        let b = [
            0x16, // type: v2 report
            0x00, // max resp: unused
            0xfa, 0x04, // checksum
            0xef, 0xff, 0xff, 0xfa, // group 239.255.255.250
        ];
        let s = IgmpSlice::from_slice(&b).unwrap();
        assert_eq!(s.version(), Some(IgmpVersion::V2));
        assert_eq!(s.group(), Ipv4Addr::new(239, 255, 255, 250));
        assert!(s.checksum_valid());
    }

    #[test]
    fn version_of_queries() {
        let mut q = [0x11u8, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(IgmpSlice::from_slice(&q).unwrap().version(), Some(IgmpVersion::V1));
        q[1] = 100;
        assert_eq!(IgmpSlice::from_slice(&q).unwrap().version(), Some(IgmpVersion::V2));
        let q3 = [0x11u8, 100, 0, 0, 0, 0, 0, 0, 0x0a, 125, 0, 0];
        let s = IgmpSlice::from_slice(&q3).unwrap();
        assert_eq!(s.version(), Some(IgmpVersion::V3));
        let v3 = s.v3_query().unwrap();
        assert!(v3.s_flag());
        assert_eq!(v3.qrv(), 2);
        assert_eq!(v3.qqic(), 125);
        assert_eq!(v3.sources().count(), 0);
    }

    #[test]
    fn lying_counts_stop_at_the_end() {
        // v3 report claiming 65535 records, with one record claiming 65535 sources.
        let b = [0x22u8, 0, 0, 0, 0, 0, 0xff, 0xff, 4, 0, 0xff, 0xff, 239, 1, 1, 1, 10, 0, 0, 1];
        let s = IgmpSlice::from_slice(&b).unwrap();
        let mut it = s.v3_report().unwrap().records();
        assert!(it.next().is_none());
        let e = it.truncation().unwrap();
        assert_eq!(e.proto, Proto::Igmp);
        assert_eq!(e.present, 20);
        assert_eq!(e.needed, 8 + 8 + 65535 * 4);
        assert!(it.next().is_none());
    }

    #[test]
    fn short_is_truncated() {
        assert_eq!(IgmpSlice::from_slice(&[0x16, 0, 0]).unwrap_err(), Error::truncated(Proto::Igmp, 8, 3));
    }
}
