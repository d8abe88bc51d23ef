//! Capture files in and out: pcap (both byte orders, micro- and nanosecond) and pcapng (several
//! interfaces, a link type and timestamp resolution per interface), told apart by their magic.
//!
//! This is the only module that names `pcap-file`, whose slice parsers read the headers and
//! pcapng blocks. Reading streams: records are read in large blocks into one buffer that grows
//! only with data really present (a length field is never trusted for an allocation), and every
//! frame borrows that buffer, so memory stays flat whatever the file size.

use crate::dissect::LinkType;
use crate::error::Proto;
pub use crate::time::Timestamp;
use pcap_file::pcap::{PcapHeader, PcapParser, PcapWriter, RawPcapPacket};
use pcap_file::pcapng::{Block, PcapNgParser};
use pcap_file::{DataLink, PcapError, TsResolution};
use std::borrow::Cow;
use std::fmt;
use std::io::{self, Read, Write};
use std::string::String;
use std::vec::Vec;

/// One captured frame, borrowed from the reader's buffer until the next call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet<'a> {
    /// When it was captured.
    pub ts: Timestamp,
    /// The length of the frame on the wire (may exceed `data.len()` when the snap length cut it).
    pub len: u32,
    /// The LINKTYPE_ value of the frame as the file has it; [`Packet::link_type`] reads it.
    pub raw_link_type: u32,
    /// The pcapng interface the frame came from (0 for pcap).
    pub interface: u32,
    /// The pcapng `epb_flags` option (direction, reception type, FCS length, link errors), if
    /// the enhanced packet block had one.
    pub epb_flags: Option<u32>,
    /// The captured bytes.
    pub data: &'a [u8],
}

impl Packet<'_> {
    /// The link type, if the crate reads it.
    pub fn link_type(&self) -> Option<LinkType> {
        LinkType::from_linktype(self.raw_link_type)
    }

    /// The frame's direction where the capture says it: pcapng `epb_flags` bits 0-1, or the
    /// packet type of a Linux cooked header (`tcpdump -i any`: 4 is `PACKET_OUTGOING`).
    pub fn direction(&self) -> Direction {
        if let Some(f) = self.epb_flags {
            match f & 3 {
                1 => return Direction::Inbound,
                2 => return Direction::Outbound,
                _ => {}
            }
        }
        let pkttype = match self.link_type() {
            Some(LinkType::LinuxSll) => self.data.get(..2).map(|b| u16::from_be_bytes([b[0], b[1]])),
            Some(LinkType::LinuxSll2) => self.data.get(10).map(|b| u16::from(*b)),
            _ => None,
        };
        match pkttype {
            Some(4) => Direction::Outbound,
            Some(0..=3) => Direction::Inbound,
            _ => Direction::Unknown,
        }
    }

    /// An owned copy (allocates the data).
    pub fn to_owned(&self) -> OwnedPacket {
        OwnedPacket {
            ts: self.ts,
            len: self.len,
            raw_link_type: self.raw_link_type,
            interface: self.interface,
            epb_flags: self.epb_flags,
            data: self.data.to_vec(),
        }
    }
}

/// A captured frame that owns its bytes, as [`CaptureReader::packets`] yields them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedPacket {
    /// When it was captured.
    pub ts: Timestamp,
    /// The length of the frame on the wire.
    pub len: u32,
    /// The LINKTYPE_ value of the frame.
    pub raw_link_type: u32,
    /// The pcapng interface the frame came from (0 for pcap).
    pub interface: u32,
    /// The pcapng `epb_flags` option, if the block had one.
    pub epb_flags: Option<u32>,
    /// The captured bytes.
    pub data: Vec<u8>,
}

impl OwnedPacket {
    /// The borrowed view, e.g. for [`CaptureWriter::write_packet`].
    pub fn as_packet(&self) -> Packet<'_> {
        Packet {
            ts: self.ts,
            len: self.len,
            raw_link_type: self.raw_link_type,
            interface: self.interface,
            epb_flags: self.epb_flags,
            data: &self.data,
        }
    }

    /// The link type, if the crate reads it.
    pub fn link_type(&self) -> Option<LinkType> {
        LinkType::from_linktype(self.raw_link_type)
    }

    /// The frame's direction where the capture says it (see [`Packet::direction`]).
    pub fn direction(&self) -> Direction {
        self.as_packet().direction()
    }
}

/// Which way a frame went through the capturing interface.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// The capture does not say.
    #[default]
    Unknown,
    /// Received by the capturing host (to it, broadcast, multicast, or another host's).
    Inbound,
    /// Sent by the capturing host.
    Outbound,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Direction::Unknown => "unknown",
            Direction::Inbound => "in",
            Direction::Outbound => "out",
        })
    }
}

/// Where a capture file ended early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TruncatedAt {
    /// Inside the file header.
    Header,
    /// Inside a record (or pcapng block) header.
    Record {
        /// Bytes the header needs.
        needed: usize,
        /// Bytes present.
        present: usize,
    },
    /// Inside a record's captured data.
    Data {
        /// Bytes the record claims.
        needed: usize,
        /// Bytes present.
        present: usize,
    },
}

/// Why a capture could not be read, and where: the record number and, for a truncation, the
/// bytes needed and present. `Display` gives one line without the file name, e.g.
/// `packet 17: truncated dump file; tried to read 92 captured bytes, only got 40`.
#[derive(Debug)]
pub struct CaptureError {
    /// What was wrong.
    pub kind: CaptureErrorKind,
    /// The record being read, from 1; 0 for the file header.
    pub packet: u64,
}

impl CaptureError {
    /// The layer, as the core's [`Error`](crate::Error) names it: always [`Proto::Capture`].
    pub const fn proto(&self) -> Proto {
        Proto::Capture
    }

    /// For a truncation, the bytes the header or record needs and the bytes present.
    pub fn byte_counts(&self) -> Option<(usize, usize)> {
        match self.kind {
            CaptureErrorKind::Truncated(TruncatedAt::Record { needed, present })
            | CaptureErrorKind::Truncated(TruncatedAt::Data { needed, present }) => Some((needed, present)),
            _ => None,
        }
    }
}

impl From<CaptureErrorKind> for CaptureError {
    fn from(kind: CaptureErrorKind) -> CaptureError {
        CaptureError { kind, packet: 0 }
    }
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::display::padded(f, |f| {
            if self.packet > 0 {
                write!(f, "packet {}: ", self.packet)?;
            }
            write!(f, "{}", self.kind)
        })
    }
}

impl std::error::Error for CaptureError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            CaptureErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// What was wrong with a capture file.
#[derive(Debug)]
pub enum CaptureErrorKind {
    /// The file is empty or shorter than a file header.
    Empty,
    /// The first four bytes are no pcap or pcapng magic.
    NotACapture([u8; 4]),
    /// The file ends inside a header or record.
    Truncated(TruncatedAt),
    /// A header or record field is invalid.
    Invalid(String),
    /// Reading failed.
    Io(io::Error),
}

impl fmt::Display for CaptureErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::display::padded(f, |f| match self {
            CaptureErrorKind::Empty => f.write_str("empty file: no capture file header"),
            CaptureErrorKind::NotACapture(m) => write!(
                f,
                "unknown file format (magic {:02x}{:02x}{:02x}{:02x}, not pcap or pcapng)",
                m[0], m[1], m[2], m[3]
            ),
            CaptureErrorKind::Truncated(TruncatedAt::Header) => f.write_str("truncated dump file header"),
            CaptureErrorKind::Truncated(TruncatedAt::Record { needed, present }) => {
                write!(f, "truncated dump file; tried to read {needed} header bytes, only got {present}")
            }
            CaptureErrorKind::Truncated(TruncatedAt::Data { needed, present }) => {
                write!(f, "truncated dump file; tried to read {needed} captured bytes, only got {present}")
            }
            CaptureErrorKind::Invalid(s) => write!(f, "bad dump file: {s}"),
            CaptureErrorKind::Io(e) => write!(f, "read error: {e}"),
        })
    }
}

fn from_pcap_error(e: PcapError) -> CaptureErrorKind {
    match e {
        PcapError::IncompleteBuffer => CaptureErrorKind::Truncated(TruncatedAt::Header),
        PcapError::IoError(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            CaptureErrorKind::Truncated(TruncatedAt::Header)
        }
        PcapError::IoError(e) => CaptureErrorKind::Io(e),
        PcapError::InvalidField(s) => CaptureErrorKind::Invalid(s.into()),
        PcapError::InvalidInterfaceId(i) => {
            CaptureErrorKind::Invalid(std::format!("packet for undefined interface {i}"))
        }
        other => CaptureErrorKind::Invalid(std::format!("{other}")),
    }
}

/// The largest record the reader accepts: longer claims are refused before anything is read.
pub const MAX_RECORD: usize = 256 << 20;
/// How much the buffer grows by, and reads at once.
const READ_CHUNK: usize = 64 << 10;

/// A read buffer that grows only as data arrives (never by a length claimed in the file), so
/// memory stays bounded by the largest record really present.
struct ReadBuf<R> {
    reader: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Hand-over mode ([`CaptureReader::set_handover`]): a full buffer is retired whole (the
    /// records in it stay where they are) and reading goes on in a spare one.
    handover: bool,
    retired: Option<Vec<u8>>,
    spare: Vec<Vec<u8>>,
}

/// The size of the buffers handed over in hand-over mode.
const HANDOVER_BUF: usize = 64 << 10;

impl<R: Read> ReadBuf<R> {
    fn new(reader: R) -> ReadBuf<R> {
        ReadBuf {
            reader,
            buf: Vec::new(),
            start: 0,
            end: 0,
            eof: false,
            handover: false,
            retired: None,
            spare: Vec::new(),
        }
    }

    fn available(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Reads until `n` bytes are available; `Ok(false)` if the input ends first.
    #[inline]
    fn fill(&mut self, n: usize) -> io::Result<bool> {
        // Almost always the bytes are there already (a 64 KiB read holds ~150 records).
        if self.end - self.start >= n {
            return Ok(true);
        }
        self.refill(n)
    }

    /// [`ReadBuf::fill`] when the buffer runs short: moves what is left to the front and reads.
    #[inline(never)]
    fn refill(&mut self, n: usize) -> io::Result<bool> {
        while self.end - self.start < n {
            if self.eof {
                return Ok(false);
            }
            if self.handover
                && self.start > 0
                && self.retired.is_none()
                && self.buf.len() - self.end < READ_CHUNK
            {
                // The records before `start` stay in the old buffer, which is retired whole.
                // A recycled buffer keeps its size: only a new (or too small) one is zeroed, not
                // every buffer on every round.
                let mut new = self.spare.pop().unwrap_or_default();
                let len = self.end - self.start;
                let size = HANDOVER_BUF.max(len + READ_CHUNK);
                if new.len() < size {
                    new.resize(size, 0);
                }
                new[..len].copy_from_slice(&self.buf[self.start..self.end]);
                self.retired = Some(core::mem::replace(&mut self.buf, new));
                (self.start, self.end) = (0, len);
            } else if self.start > 0 && !self.handover {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.buf.len() - self.end < READ_CHUNK {
                self.buf.resize(self.end + READ_CHUNK, 0);
            }
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(got) => self.end += got,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
    }
}

#[inline]
fn u32_at(b: &[u8], off: usize, big: bool) -> u32 {
    let mut w = [0u8; 4];
    if let Some(s) = b.get(off..off + 4) {
        w.copy_from_slice(s);
    }
    if big {
        u32::from_be_bytes(w)
    } else {
        u32::from_le_bytes(w)
    }
}

/// The timestamp resolution of a pcapng interface: ticks per second as 10^n or 2^n.
#[derive(Clone, Copy, Debug)]
struct TsResol(u8);

impl TsResol {
    /// Splits a tick count into seconds and nanoseconds.
    fn split(self, ticks: u64) -> (i64, u32) {
        let v = u32::from(self.0 & 0x7f);
        if self.0 & 0x80 == 0 {
            let per_sec = 10u64.checked_pow(v).unwrap_or(u64::MAX);
            let (secs, frac) = (ticks / per_sec, ticks % per_sec);
            let nsec = if v <= 9 { frac * 10u64.pow(9 - v) } else { frac / 10u64.pow((v - 9).min(19)) };
            (secs as i64, nsec as u32)
        } else {
            let shift = v.min(63);
            let (secs, frac) = (ticks >> shift, ticks & ((1u64 << shift) - 1));
            (secs as i64, ((u128::from(frac) * 1_000_000_000) >> shift) as u32)
        }
    }
}

enum Format {
    /// `linktype` and `limit` (the largest record accepted) are worked out once from the header,
    /// not per record.
    Pcap { header: PcapHeader, big: bool, linktype: u32, limit: usize },
    PcapNg {
        parser: PcapNgParser,
        big: bool,
        interfaces: Vec<(u32, TsResol)>,
        /// The interfaces' `if_name` options, by interface id (empty where none).
        names: Vec<String>,
    },
}

/// [`CaptureReader::packets`]: the packets of a capture as owned copies.
pub struct Packets<R: Read> {
    reader: CaptureReader<R>,
    done: bool,
}

impl<R: Read> Iterator for Packets<R> {
    type Item = Result<OwnedPacket, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.reader.next_packet().map(|r| r.map(|p| p.to_owned()));
        self.done = !matches!(r, Some(Ok(_)));
        r
    }
}

/// Reads frames from a pcap or pcapng stream, one record at a time.
///
/// ```
/// use vxwire::capture::CaptureReader;
/// use vxwire::dissect::{dissect, Config};
/// # let file = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/vxlan-4789-p2p.pcap"))?;
/// let mut reader = CaptureReader::new(&file[..])?; // any io::Read: a File, a BufReader, stdin
/// let mut vnis = std::collections::BTreeSet::new();
/// // Zero-copy: each packet borrows the reader's buffer until the next call.
/// while let Some(packet) = reader.next_packet() {
///     let packet = packet?;
///     let Some(link) = packet.link_type() else { continue };
///     vnis.extend(dissect(packet.data, link, &Config::default()).vxlan().map(|v| v.vni().get()));
/// }
/// assert_eq!((reader.packets_read(), vnis.into_iter().collect::<Vec<_>>()), (20, vec![100]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct CaptureReader<R: Read> {
    input: ReadBuf<R>,
    /// Records returned so far.
    count: u64,
    format: Format,
    /// The bytes of the last record returned, in `input.buf` (for [`CopyWriter`]).
    last: core::ops::Range<usize>,
    /// The captured bytes of the last record returned, in `input.buf`.
    last_data: core::ops::Range<usize>,
    /// The pcap file header, or the pcapng blocks that are not packets (section and interface
    /// descriptions, statistics, ...) read since [`CopyWriter`] last took them. Blocks after the
    /// first are only kept once a [`CopyWriter`] asked for them.
    meta: Vec<u8>,
    keep_meta: bool,
}

impl CaptureReader<io::BufReader<std::fs::File>> {
    /// Opens the capture file at `path` (buffered) and reads its header: the short form of
    /// `CaptureReader::new(BufReader::new(File::open(path)?))`.
    ///
    /// ```
    /// use vxwire::capture::CaptureReader;
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/vxlan-4789-p2p.pcap");
    /// assert_eq!(CaptureReader::open(path)?.packets().count(), 20);
    /// # Ok::<(), vxwire::capture::CaptureError>(())
    /// ```
    ///
    /// # Errors
    /// [`CaptureErrorKind::Io`] when the file cannot be opened, else as [`CaptureReader::new`].
    pub fn open(path: impl AsRef<std::path::Path>) -> Result<Self, CaptureError> {
        let file = std::fs::File::open(path).map_err(CaptureErrorKind::Io)?;
        Self::new(io::BufReader::new(file))
    }
}

const PCAPNG_SHB: u32 = 0x0a0d_0d0a;
const PCAPNG_IDB: u32 = 1;
const PCAPNG_SPB: u32 = 3;
const PCAPNG_EPB: u32 = 6;

impl<R: Read> CaptureReader<R> {
    /// Reads the file header and gets ready to read frames.
    ///
    /// # Errors
    /// [`CaptureErrorKind::Empty`], [`CaptureErrorKind::NotACapture`] or a header error.
    pub fn new(reader: R) -> Result<CaptureReader<R>, CaptureError> {
        Self::read_header(reader).map_err(CaptureError::from)
    }

    fn read_header(reader: R) -> Result<CaptureReader<R>, CaptureErrorKind> {
        let mut input = ReadBuf::new(reader);
        let mut meta = Vec::new();
        input.fill(4).map_err(CaptureErrorKind::Io)?;
        let head = input.available();
        if head.is_empty() {
            return Err(CaptureErrorKind::Empty);
        }
        let mut magic = [0u8; 4];
        if head.len() < 4 {
            return Err(CaptureErrorKind::Truncated(TruncatedAt::Header));
        }
        magic.copy_from_slice(&head[..4]);
        let format = match magic {
            [0xd4, 0xc3, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0xc3, 0xd4]
            | [0x4d, 0x3c, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0x3c, 0x4d] => {
                if !input.fill(24).map_err(CaptureErrorKind::Io)? {
                    return Err(CaptureErrorKind::Truncated(TruncatedAt::Header));
                }
                let (_, parser) = PcapParser::new(input.available()).map_err(from_pcap_error)?;
                meta.extend_from_slice(&input.available()[..24]);
                input.consume(24);
                let header = parser.header();
                Format::Pcap {
                    header,
                    big: header.endianness == pcap_file::Endianness::Big,
                    linktype: u32::from(header.datalink),
                    limit: (header.snaplen as usize).max(262_144),
                }
            }
            [0x0a, 0x0d, 0x0d, 0x0a] => {
                let (len, big) = Self::pcapng_block_len(&mut input, true)?;
                let (_, parser) = PcapNgParser::new(&input.available()[..len]).map_err(from_pcap_error)?;
                meta.extend_from_slice(&input.available()[..len]);
                input.consume(len);
                Format::PcapNg { parser, big, interfaces: Vec::new(), names: Vec::new() }
            }
            m => return Err(CaptureErrorKind::NotACapture(m)),
        };
        Ok(CaptureReader { input, count: 0, format, last: 0..0, last_data: 0..0, meta, keep_meta: false })
    }

    /// Makes the next pcapng block available in full and returns its length and byte order
    /// (taken from a section header's byte-order magic, else `big`).
    fn pcapng_block_len(input: &mut ReadBuf<R>, big: bool) -> Result<(usize, bool), CaptureErrorKind> {
        if !input.fill(12).map_err(CaptureErrorKind::Io)? {
            return Err(CaptureErrorKind::Truncated(TruncatedAt::Record {
                needed: 12,
                present: input.available().len(),
            }));
        }
        let b = input.available();
        let big = if u32_at(b, 0, true) == PCAPNG_SHB {
            match &b[8..12] {
                [0x1a, 0x2b, 0x3c, 0x4d] => true,
                [0x4d, 0x3c, 0x2b, 0x1a] => false,
                _ => {
                    return Err(CaptureErrorKind::Invalid(
                        "pcapng section header with a bad byte-order magic".into(),
                    ))
                }
            }
        } else {
            big
        };
        let len = u32_at(b, 4, big) as usize;
        if len < 12 || len % 4 != 0 {
            return Err(CaptureErrorKind::Invalid(std::format!(
                "pcapng block length {len} is not a multiple of 4 of at least 12"
            )));
        }
        if len > MAX_RECORD {
            return Err(CaptureErrorKind::Invalid(std::format!(
                "pcapng block length {len} over the {} MiB limit",
                MAX_RECORD >> 20
            )));
        }
        if !input.fill(len).map_err(CaptureErrorKind::Io)? {
            return Err(CaptureErrorKind::Truncated(TruncatedAt::Record {
                needed: len,
                present: input.available().len(),
            }));
        }
        Ok((len, big))
    }

    /// The name (`if_name`) of pcapng interface `id`, if its description block gave one.
    pub fn interface_name(&self, id: u32) -> Option<&str> {
        match &self.format {
            Format::PcapNg { names, .. } => {
                names.get(id as usize).map(String::as_str).filter(|n| !n.is_empty())
            }
            Format::Pcap { .. } => None,
        }
    }

    /// The link type of a pcap file (pcapng files have one per interface: see [`Packet::raw_link_type`]).
    pub fn pcap_linktype(&self) -> Option<u32> {
        match &self.format {
            Format::Pcap { linktype, .. } => Some(*linktype),
            Format::PcapNg { .. } => None,
        }
    }

    /// The next frame, `None` at the end of the file.
    ///
    /// # Errors
    /// A truncated or invalid record; reading should stop there.
    pub fn next_packet(&mut self) -> Option<Result<Packet<'_>, CaptureError>> {
        let packet = self.count + 1;
        // next_inner counts the record it returns.
        match self.next_inner() {
            Ok(Some(p)) => Some(Ok(p)),
            Ok(None) => None,
            Err(kind) => Some(Err(CaptureError { kind, packet })),
        }
    }

    /// The packets as an [`Iterator`] of owned copies (one allocation per packet), for code
    /// that wants `for`, `filter` or `collect`; [`next_packet`](Self::next_packet) is the
    /// zero-copy way. The iteration ends after the first error.
    ///
    /// ```
    /// use vxwire::capture::CaptureReader;
    /// # let file = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/vxlan-4789-p2p.pcap"))?;
    /// let reader = CaptureReader::new(&file[..])?;
    /// let vxlan = reader.packets().filter(|p| p.as_ref().is_ok_and(|p| p.len > 50)).count();
    /// assert_eq!(vxlan, 18);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn packets(self) -> Packets<R> {
        Packets { reader: self, done: false }
    }

    /// The bytes of the record [`next_packet`](Self::next_packet) returned last, as the file
    /// has them (pcap record header and data, or the whole pcapng block), for copies made
    /// elsewhere than [`CopyWriter::write_last`].
    pub fn last_record(&self) -> &[u8] {
        self.input.buf.get(self.last.clone()).unwrap_or(&[])
    }

    /// Moves the non-packet blocks read since the last call (pcapng; kept only once a
    /// [`CopyWriter`] was made for this reader) to the end of `into`.
    pub fn take_meta(&mut self, into: &mut Vec<u8>) {
        into.extend_from_slice(&self.meta);
        self.meta.clear();
    }

    /// Hand-over mode, for readers that keep the records they read (the parallel pipeline):
    /// the read buffer is never compacted; once about 64 KiB is read, the buffer is retired whole
    /// ([`take_retired_buffer`](Self::take_retired_buffer)), every record returned before stays
    /// in it at the place [`last_data_range`](Self::last_data_range) gave, and reading goes on
    /// in a spare buffer ([`add_spare_buffer`](Self::add_spare_buffer), else a new one).
    pub fn set_handover(&mut self, on: bool) {
        self.input.handover = on;
    }

    /// A buffer for hand-over mode to read into next (recycled from a retired one).
    pub fn add_spare_buffer(&mut self, buf: Vec<u8>) {
        self.input.spare.push(buf);
    }

    /// In hand-over mode: the buffer retired while reading the last record, which holds every
    /// record returned before that one (the last record is in the current buffer).
    pub fn take_retired_buffer(&mut self) -> Option<Vec<u8>> {
        self.input.retired.take()
    }

    /// In hand-over mode, at the end: the current buffer, which holds the records returned
    /// since the last retired one. Reading must stop here.
    pub fn take_buffer(&mut self) -> Vec<u8> {
        (self.input.start, self.input.end) = (0, 0);
        core::mem::take(&mut self.input.buf)
    }

    /// Where the last record returned has its captured bytes in the read buffer.
    pub fn last_data_range(&self) -> core::ops::Range<usize> {
        self.last_data.clone()
    }

    /// Where the last record returned is, whole, in the read buffer (see [`Self::last_record`]).
    pub fn last_record_range(&self) -> core::ops::Range<usize> {
        self.last.clone()
    }

    /// Records read so far.
    pub fn packets_read(&self) -> u64 {
        self.count
    }

    fn next_inner(&mut self) -> Result<Option<Packet<'_>>, CaptureErrorKind> {
        match &mut self.format {
            Format::Pcap { header, big, linktype, limit } => {
                let input = &mut self.input;
                if !input.fill(16).map_err(CaptureErrorKind::Io)? {
                    return match input.available().len() {
                        0 => Ok(None),
                        n => Err(CaptureErrorKind::Truncated(TruncatedAt::Record { needed: 16, present: n })),
                    };
                }
                let caplen = u32_at(input.available(), 8, *big) as usize;
                if caplen > MAX_RECORD {
                    return Err(CaptureErrorKind::Invalid(std::format!(
                        "record length {caplen} over the {} MiB limit",
                        MAX_RECORD >> 20
                    )));
                }
                if caplen > *limit {
                    return Err(CaptureErrorKind::Invalid(std::format!(
                        "invalid packet capture length {caplen}, bigger than snaplen of {}",
                        header.snaplen
                    )));
                }
                if !input.fill(16 + caplen).map_err(CaptureErrorKind::Io)? {
                    let got = input.available().len() - 16;
                    return Err(CaptureErrorKind::Truncated(TruncatedAt::Data {
                        needed: caplen,
                        present: got,
                    }));
                }
                let start = input.start;
                input.consume(16 + caplen);
                self.last = start..start + 16 + caplen;
                self.last_data = start + 16..start + 16 + caplen;
                let rec = &input.buf[start..start + 16 + caplen];
                let parser_big = *big;
                let (ts_sec, ts_frac, orig_len) =
                    (u32_at(rec, 0, parser_big), u32_at(rec, 4, parser_big), u32_at(rec, 12, parser_big));
                let nanos = header.ts_resolution == TsResolution::NanoSecond;
                let frac = u64::from(ts_frac);
                self.count += 1;
                Ok(Some(Packet {
                    ts: Timestamp::from_parts(i64::from(ts_sec), if nanos { frac } else { frac * 1000 }),
                    len: orig_len,
                    raw_link_type: *linktype,
                    interface: 0,
                    epb_flags: None,
                    data: &rec[16..],
                }))
            }
            Format::PcapNg { parser, big, interfaces, names } => {
                // Skip (and take note of) blocks until a packet block is whole in the buffer; the
                // loop holds no borrow of the buffer when it ends, so the packet can borrow it.
                let len = loop {
                    if !self.input.fill(1).map_err(CaptureErrorKind::Io)? {
                        return Ok(None);
                    }
                    let (len, b) = Self::pcapng_block_len(&mut self.input, *big)?;
                    *big = b;
                    let kind = u32_at(self.input.available(), 0, b);
                    if kind == PCAPNG_EPB || kind == PCAPNG_SPB {
                        break len;
                    }
                    match kind {
                        PCAPNG_SHB => {
                            let (_, p) =
                                PcapNgParser::new(&self.input.available()[..len]).map_err(from_pcap_error)?;
                            *parser = p;
                            interfaces.clear();
                            names.clear();
                        }
                        PCAPNG_IDB => {
                            let (_, block) =
                                parser.next_block(&self.input.available()[..len]).map_err(from_pcap_error)?;
                            if let Block::InterfaceDescription(idb) = block {
                                use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
                                let resol = idb
                                    .options
                                    .iter()
                                    .find_map(|o| match o {
                                        InterfaceDescriptionOption::IfTsResol(r) => Some(*r),
                                        _ => None,
                                    })
                                    .unwrap_or(6);
                                interfaces.push((u32::from(idb.linktype), TsResol(resol)));
                                let name = idb.options.iter().find_map(|o| match o {
                                    InterfaceDescriptionOption::IfName(n) => Some(String::from(n.as_ref())),
                                    _ => None,
                                });
                                names.push(name.unwrap_or_default());
                            }
                        }
                        // Statistics, name resolution, journal, unknown blocks: nothing to print.
                        _ => {}
                    }
                    if self.keep_meta {
                        self.meta.extend_from_slice(&self.input.available()[..len]);
                    }
                    self.input.consume(len);
                };
                let start = self.input.start;
                self.input.consume(len);
                self.last = start..start + len;
                let bytes = &self.input.buf[start..start + len];
                // The captured bytes' place in the buffer (the block parser borrows them from it).
                let at = |d: &[u8]| {
                    let off = (d.as_ptr() as usize).wrapping_sub(bytes.as_ptr() as usize).min(len);
                    start + off..start + (off + d.len()).min(len)
                };
                let (_, block) = parser.next_block(bytes).map_err(from_pcap_error)?;
                match block {
                    Block::EnhancedPacket(epb) => {
                        let Some(&(linktype, resol)) = interfaces.get(epb.interface_id as usize) else {
                            return Err(CaptureErrorKind::Invalid(std::format!(
                                "packet for undefined interface {}",
                                epb.interface_id
                            )));
                        };
                        // pcap-file hands the raw 64-bit tick count over as nanoseconds.
                        let (ts_sec, ts_nsec) = resol.split(epb.timestamp.as_nanos() as u64);
                        let data: &[u8] = match epb.data {
                            Cow::Borrowed(d) => d,
                            Cow::Owned(_) => {
                                return Err(CaptureErrorKind::Invalid("unexpected owned block".into()))
                            }
                        };
                        self.count += 1;
                        self.last_data = at(data);
                        use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketOption;
                        let epb_flags = epb.options.iter().find_map(|o| match o {
                            EnhancedPacketOption::Flags(f) => Some(*f),
                            _ => None,
                        });
                        Ok(Some(Packet {
                            ts: Timestamp::from_parts(ts_sec, u64::from(ts_nsec)),
                            len: epb.original_len,
                            raw_link_type: linktype,
                            interface: epb.interface_id,
                            epb_flags,
                            data,
                        }))
                    }
                    Block::SimplePacket(spb) => {
                        let Some(&(linktype, _)) = interfaces.first() else {
                            return Err(CaptureErrorKind::Invalid(
                                "simple packet block before any interface".into(),
                            ));
                        };
                        let data: &[u8] = match spb.data {
                            Cow::Borrowed(d) => d,
                            Cow::Owned(_) => {
                                return Err(CaptureErrorKind::Invalid("unexpected owned block".into()))
                            }
                        };
                        self.count += 1;
                        self.last_data = at(data);
                        Ok(Some(Packet {
                            ts: Timestamp::default(),
                            len: spb.original_len,
                            raw_link_type: linktype,
                            interface: 0,
                            epb_flags: None,
                            data,
                        }))
                    }
                    _ => Err(CaptureErrorKind::Invalid("packet block did not parse as one".into())),
                }
            }
        }
    }
}

/// Writes chosen records of a capture unchanged, in the capture's own format: a pcap file gets
/// the same file header (link type, snap length, byte order, timestamp precision) and the
/// records byte for byte; a pcapng file its section and interface blocks (and every other block
/// that is not a packet) and the chosen packet blocks as they were. Memory stays flat: nothing is
/// buffered beyond the writer given.
pub struct CopyWriter<W: Write> {
    out: W,
}

impl<W: Write> CopyWriter<W> {
    /// Starts the copy of `reader`'s capture: writes its file header (pcap) or the blocks before
    /// the first packet (pcapng).
    ///
    /// # Errors
    /// An I/O error writing.
    pub fn new<R: Read>(mut out: W, reader: &mut CaptureReader<R>) -> io::Result<CopyWriter<W>> {
        reader.keep_meta = true;
        out.write_all(&reader.meta)?;
        reader.meta.clear();
        Ok(CopyWriter { out })
    }

    /// Writes the record `reader` returned last (after any non-packet blocks read before it).
    ///
    /// # Errors
    /// An I/O error writing.
    pub fn write_last<R: Read>(&mut self, reader: &mut CaptureReader<R>) -> io::Result<()> {
        self.write_meta(reader)?;
        self.out.write_all(&reader.input.buf[reader.last.clone()])
    }

    /// Writes the non-packet blocks read since the last write (pcapng statistics at the end).
    ///
    /// # Errors
    /// An I/O error writing.
    pub fn write_meta<R: Read>(&mut self, reader: &mut CaptureReader<R>) -> io::Result<()> {
        if !reader.meta.is_empty() {
            self.out.write_all(&reader.meta)?;
            reader.meta.clear();
        }
        Ok(())
    }

    /// Writes bytes taken from a reader ([`CaptureReader::take_meta`],
    /// [`CaptureReader::last_record`]) as they are.
    ///
    /// # Errors
    /// An I/O error writing.
    pub fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)
    }

    /// Flushes and returns the underlying writer.
    ///
    /// # Errors
    /// An I/O error flushing.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Writes frames to a new pcap file: big-endian (pcap-file's choice; every reader takes both
/// byte orders), snap length 262144, microsecond timestamps unless made with
/// [`CaptureWriter::with_nanos`].
///
/// ```
/// use vxwire::capture::{CaptureReader, CaptureWriter, Timestamp};
/// use vxwire::dissect::LinkType;
/// let mut w = CaptureWriter::new(Vec::new(), LinkType::Ethernet)?;
/// w.write(Timestamp::from_micros(1_700_000_000, 250), &[0u8; 60])?;
/// let file = w.into_inner();
/// let mut r = CaptureReader::new(&file[..])?;
/// let p = r.next_packet().ok_or("no packet")??;
/// assert_eq!((p.ts.secs(), p.ts.micros(), p.data.len()), (1_700_000_000, 250, 60));
/// // A packet read from one capture is written to another as it is.
/// let mut copy = CaptureWriter::new(Vec::new(), LinkType::Ethernet)?;
/// copy.write_packet(&p)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct CaptureWriter<W: Write> {
    writer: PcapWriter<W>,
    nanos: bool,
}

impl<W: Write> CaptureWriter<W> {
    /// Writes the pcap file header for `link` frames, microsecond timestamps.
    ///
    /// # Errors
    /// An I/O error writing the header.
    pub fn new(writer: W, link: LinkType) -> Result<CaptureWriter<W>, CaptureError> {
        Self::with_resolution(writer, link, false)
    }

    /// Writes the pcap file header for `link` frames, nanosecond timestamps (magic `a1b23c4d`).
    ///
    /// # Errors
    /// An I/O error writing the header.
    pub fn with_nanos(writer: W, link: LinkType) -> Result<CaptureWriter<W>, CaptureError> {
        Self::with_resolution(writer, link, true)
    }

    fn with_resolution(writer: W, link: LinkType, nanos: bool) -> Result<CaptureWriter<W>, CaptureError> {
        let header = PcapHeader {
            datalink: DataLink::from(link.linktype()),
            snaplen: 262_144,
            ts_resolution: if nanos { TsResolution::NanoSecond } else { TsResolution::MicroSecond },
            ..PcapHeader::default()
        };
        let writer = PcapWriter::with_header(writer, header).map_err(from_pcap_error)?;
        Ok(CaptureWriter { writer, nanos })
    }

    /// Appends one whole frame (on-wire length = `data.len()`) captured at `ts`. Timestamps
    /// before 1970 or after 2106 do not fit a pcap record and are an error.
    ///
    /// # Errors
    /// An I/O error, a frame longer than the snap length, or a timestamp pcap cannot hold.
    pub fn write(&mut self, ts: Timestamp, data: &[u8]) -> Result<(), CaptureError> {
        let len =
            u32::try_from(data.len()).map_err(|_| CaptureErrorKind::Invalid("frame too long".into()))?;
        self.write_record(ts, data, len)
    }

    /// Appends a packet read from a capture: its timestamp, captured bytes and on-wire length.
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub fn write_packet(&mut self, packet: &Packet<'_>) -> Result<(), CaptureError> {
        self.write_record(packet.ts, packet.data, packet.len)
    }

    fn write_record(&mut self, ts: Timestamp, data: &[u8], orig_len: u32) -> Result<(), CaptureError> {
        let incl_len =
            u32::try_from(data.len()).map_err(|_| CaptureErrorKind::Invalid("frame too long".into()))?;
        let ts_sec = u32::try_from(ts.secs()).map_err(|_| {
            CaptureErrorKind::Invalid(std::format!("timestamp {ts} does not fit a pcap record"))
        })?;
        let raw = RawPcapPacket {
            ts_sec,
            ts_frac: if self.nanos { ts.nanos() } else { ts.micros() },
            incl_len,
            orig_len: orig_len.max(incl_len),
            data: Cow::Borrowed(data),
        };
        self.writer.write_raw_packet(&raw).map_err(from_pcap_error)?;
        Ok(())
    }

    /// Flushes and returns the underlying writer.
    pub fn into_inner(self) -> W {
        self.writer.into_writer()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_writer_keeps_pcap_and_pcapng_bytes() {
        for name in ["vxlan-4789-p2p.pcap", "vxlan-p2p-2if.pcapng", "vxlan-nanosec.pcap"] {
            let path = std::format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
            let bytes = std::fs::read(path).unwrap();
            let mut r = CaptureReader::new(&bytes[..]).unwrap();
            let mut w = CopyWriter::new(Vec::new(), &mut r).unwrap();
            while let Some(p) = r.next_packet() {
                p.unwrap();
                w.write_last(&mut r).unwrap();
            }
            w.write_meta(&mut r).unwrap();
            // Every record chosen: the copy is the file.
            assert!(w.into_inner().unwrap() == bytes, "{name}");
        }
    }

    #[test]
    fn write_then_read() {
        let mut w = CaptureWriter::new(Vec::new(), LinkType::Ethernet).unwrap();
        w.write(Timestamp::from_micros(1, 2), &[1, 2, 3]).unwrap();
        w.write(Timestamp::from_micros(3, 999_999), &[4; 60]).unwrap();
        assert!(w.write(Timestamp::from_micros(-1, 0), &[4; 60]).is_err());
        let bytes = w.into_inner();
        let mut r = CaptureReader::new(&bytes[..]).unwrap();
        assert_eq!(r.pcap_linktype(), Some(1));
        let p = r.next_packet().unwrap().unwrap();
        assert_eq!((p.ts.secs(), p.ts.nanos(), p.len, p.data), (1, 2000, 3, &[1u8, 2, 3][..]));
        let p = r.next_packet().unwrap().unwrap();
        assert_eq!((p.ts.secs(), p.ts.nanos(), p.data.len()), (3, 999_999_000, 60));
        assert!(r.next_packet().is_none());
        // Nanosecond files keep nanoseconds; a packet written back is the packet read.
        let mut w = CaptureWriter::with_nanos(Vec::new(), LinkType::Ethernet).unwrap();
        w.write(Timestamp::new(5, 123_456_789).unwrap(), &[9; 20]).unwrap();
        let bytes = w.into_inner();
        let mut r = CaptureReader::new(&bytes[..]).unwrap();
        let p = r.next_packet().unwrap().unwrap().to_owned();
        assert_eq!(p.ts, Timestamp::new(5, 123_456_789).unwrap());
        let mut w = CaptureWriter::with_nanos(Vec::new(), LinkType::Ethernet).unwrap();
        w.write_packet(&p.as_packet()).unwrap();
        assert_eq!(w.into_inner(), bytes);
    }

    #[test]
    fn bad_magic_and_empty() {
        let kind = |b: &[u8]| CaptureReader::new(b).err().map(|e| (e.kind, e.packet));
        assert!(matches!(kind(b"hello world"), Some((CaptureErrorKind::NotACapture(_), 0))));
        assert!(matches!(kind(b""), Some((CaptureErrorKind::Empty, 0))));
        assert!(matches!(
            kind(&[0xd4u8, 0xc3, 0xb2, 0xa1, 2, 0]),
            Some((CaptureErrorKind::Truncated(TruncatedAt::Header), 0))
        ));
    }

    #[test]
    fn tsresol() {
        assert_eq!(TsResol(6).split(1_500_000), (1, 500_000_000));
        assert_eq!(TsResol(9).split(2_000_000_001), (2, 1));
        assert_eq!(TsResol(0x80 | 1).split(3), (1, 500_000_000));
        // Resolutions no real file uses must not overflow (found by fuzzing).
        for r in [10, 19, 20, 0x7f, 0xbf, 0xff] {
            let _ = TsResol(r).split(u64::MAX);
        }
    }
}

#[cfg(test)]
mod hostile_tests {
    use super::*;
    use std::string::ToString;

    fn pcap_header(snaplen: u32) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]); // magic LE, version 2.4
        v.extend_from_slice(&[0; 8]); // thiszone, sigfigs
        v.extend_from_slice(&snaplen.to_le_bytes());
        v.extend_from_slice(&1u32.to_le_bytes()); // Ethernet
        v
    }

    fn record(v: &mut Vec<u8>, caplen: u32, data: &[u8]) {
        v.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0]);
        v.extend_from_slice(&caplen.to_le_bytes());
        v.extend_from_slice(&caplen.to_le_bytes());
        v.extend_from_slice(data);
    }

    #[test]
    fn record_over_256_mib_is_refused_before_reading() {
        let mut v = pcap_header(u32::MAX);
        record(&mut v, 60, &[0; 60]);
        record(&mut v, 300 << 20, &[0; 10]);
        let mut r = CaptureReader::new(&v[..]).unwrap();
        assert_eq!(r.next_packet().unwrap().unwrap().data.len(), 60);
        let e = r.next_packet().unwrap().unwrap_err();
        assert_eq!(e.to_string(), "packet 2: bad dump file: record length 314572800 over the 256 MiB limit");
        // The buffer grew by what was read, not by what the record claimed.
        assert!(r.input.buf.len() <= READ_CHUNK);
    }

    #[test]
    fn record_longer_than_snaplen() {
        let mut v = pcap_header(96);
        record(&mut v, 300_000, &[0; 100]);
        let mut r = CaptureReader::new(&v[..]).unwrap();
        let e = r.next_packet().unwrap().unwrap_err();
        assert_eq!(
            e.to_string(),
            "packet 1: bad dump file: invalid packet capture length 300000, bigger than snaplen of 96"
        );
    }

    #[test]
    fn truncated_data_and_header() {
        let mut v = pcap_header(65535);
        record(&mut v, 60, &[0; 20]);
        let mut r = CaptureReader::new(&v[..]).unwrap();
        let e = r.next_packet().unwrap().unwrap_err();
        assert_eq!(
            e.to_string(),
            "packet 1: truncated dump file; tried to read 60 captured bytes, only got 20"
        );
        assert_eq!((e.proto(), e.byte_counts()), (Proto::Capture, Some((60, 20))));
        let v = pcap_header(65535);
        assert!(CaptureReader::new(&v[..20]).is_err());
        let mut w = v.clone();
        w.extend_from_slice(&[1, 2, 3]);
        let e = CaptureReader::new(&w[..]).unwrap().next_packet().unwrap().unwrap_err();
        assert_eq!(e.to_string(), "packet 1: truncated dump file; tried to read 16 header bytes, only got 3");
    }

    #[test]
    fn zero_snaplen_is_read_like_libpcap() {
        // libpcap treats a snaplen below its maximum as the maximum: frames still read.
        let mut v = pcap_header(0);
        record(&mut v, 60, &[7; 60]);
        let mut r = CaptureReader::new(&v[..]).unwrap();
        assert_eq!(r.next_packet().unwrap().unwrap().data, &[7u8; 60][..]);
        assert!(r.next_packet().is_none());
    }

    #[test]
    fn pcapng_with_two_interfaces_matches_tcpdump_count() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/vxlan-p2p-2if.pcapng");
        let golden = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/vxlan-p2p-2if.pcapng.v.out");
        let bytes = std::fs::read(path).unwrap();
        let mut r = CaptureReader::new(&bytes[..]).unwrap();
        let mut n = 0;
        let mut ifaces = std::collections::BTreeSet::new();
        while let Some(p) = r.next_packet() {
            let p = p.unwrap();
            ifaces.insert(p.interface);
            n += 1;
        }
        // tcpdump starts each packet's first line with a timestamp at column 0.
        let tcpdump = std::fs::read_to_string(golden).unwrap();
        let expected =
            tcpdump.lines().filter(|l| l.as_bytes().first().is_some_and(u8::is_ascii_digit)).count();
        assert_eq!(n, expected);
        assert_eq!(ifaces.len(), 2);
    }

    #[test]
    fn pcapng_bad_block_length() {
        let bytes =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/vxlan-4789-p2p.pcapng")).unwrap();
        // Cut the file in the middle of the third block.
        let mut r = CaptureReader::new(&bytes[..200]).unwrap();
        let mut last = None;
        while let Some(p) = r.next_packet() {
            if let Err(e) = p {
                last = Some(e.to_string());
                break;
            }
        }
        assert!(last.unwrap().contains(": truncated dump file"));
        // A block length that is not a multiple of 4.
        let mut b = bytes.clone();
        let shb_len = u32::from_le_bytes([b[4], b[5], b[6], b[7]]) as usize;
        b[shb_len + 4] = 13;
        b[shb_len + 5] = 0;
        b[shb_len + 6] = 0;
        b[shb_len + 7] = 0;
        let e = CaptureReader::new(&b[..]).unwrap().next_packet().unwrap().unwrap_err();
        assert!(e.to_string().contains("block length 13"), "{e}");
    }
}
