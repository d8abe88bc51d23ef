//! Capture files in and out: pcap (both byte orders, micro- and nanosecond) and pcapng (several
//! interfaces, a link type and timestamp resolution per interface), told apart by their magic.
//!
//! This is the only module that names `pcap-file`. Reading streams: one record at a time from a
//! fixed buffer, whatever the file size.

use crate::dissect::LinkType;
use pcap_file::pcap::{PcapHeader, PcapReader, PcapWriter, RawPcapPacket};
use pcap_file::pcapng::{Block, PcapNgReader};
use pcap_file::{DataLink, PcapError, TsResolution};
use std::borrow::Cow;
use std::fmt;
use std::io::{self, Chain, Cursor, Read, Write};
use std::string::String;
use std::vec::Vec;

/// One captured frame, borrowed from the reader's buffer until the next call.
#[derive(Clone, Debug)]
pub struct Packet<'a> {
    /// Seconds since the Unix epoch.
    pub ts_sec: i64,
    /// Nanoseconds within the second.
    pub ts_nsec: u32,
    /// The length of the frame on the wire (may exceed `data.len()` when the snap length cut it).
    pub len: u32,
    /// The LINKTYPE_ value of the frame.
    pub linktype: u32,
    /// The pcapng interface the frame came from (0 for pcap).
    pub interface: u32,
    /// The captured bytes.
    pub data: &'a [u8],
}

impl Packet<'_> {
    /// The link type, if the crate reads it.
    pub fn link_type(&self) -> Option<LinkType> {
        LinkType::from_linktype(self.linktype)
    }
}

/// Why a capture could not be read. `Display` gives one line without the file name.
#[derive(Debug)]
pub enum CaptureError {
    /// The file is empty or shorter than a file header.
    Empty,
    /// The first four bytes are no pcap or pcapng magic.
    NotACapture([u8; 4]),
    /// The file ends inside a header or record.
    Truncated,
    /// A header or record field is invalid.
    Invalid(String),
    /// Reading failed.
    Io(io::Error),
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaptureError::Empty => f.write_str("empty file: no capture file header"),
            CaptureError::NotACapture(m) => write!(
                f,
                "unknown file format (magic {:02x}{:02x}{:02x}{:02x}, not pcap or pcapng)",
                m[0], m[1], m[2], m[3]
            ),
            CaptureError::Truncated => f.write_str("truncated dump file; the last record is incomplete"),
            CaptureError::Invalid(s) => write!(f, "bad dump file: {s}"),
            CaptureError::Io(e) => write!(f, "read error: {e}"),
        }
    }
}

impl std::error::Error for CaptureError {}

fn from_pcap_error(e: PcapError) -> CaptureError {
    match e {
        PcapError::IncompleteBuffer => CaptureError::Truncated,
        PcapError::IoError(e) if e.kind() == io::ErrorKind::UnexpectedEof => CaptureError::Truncated,
        PcapError::IoError(e) => CaptureError::Io(e),
        PcapError::InvalidField(s) => CaptureError::Invalid(s.into()),
        PcapError::InvalidInterfaceId(i) => CaptureError::Invalid(std::format!("no interface with id {i}")),
        other => CaptureError::Invalid(std::format!("{other}")),
    }
}

type Input<R> = Chain<Cursor<[u8; 4]>, R>;

/// The timestamp resolution of a pcapng interface: ticks per second as 10^n or 2^n.
#[derive(Clone, Copy, Debug)]
struct TsResol(u8);

impl TsResol {
    /// Splits a tick count into seconds and nanoseconds.
    fn split(self, ticks: u64) -> (i64, u32) {
        let v = self.0 & 0x7f;
        if self.0 & 0x80 == 0 {
            let per_sec = 10u64.checked_pow(u32::from(v)).unwrap_or(u64::MAX);
            let secs = ticks / per_sec;
            let frac = ticks % per_sec;
            let nsec =
                if v <= 9 { frac * 10u64.pow(9 - u32::from(v)) } else { frac / 10u64.pow(u32::from(v) - 9) };
            (secs as i64, nsec as u32)
        } else {
            let shift = u32::from(v).min(63);
            let secs = ticks >> shift;
            let frac = ticks & ((1u64 << shift) - 1);
            (secs as i64, ((u128::from(frac) * 1_000_000_000) >> shift) as u32)
        }
    }
}

enum Inner<R: Read> {
    Pcap {
        reader: PcapReader<Input<R>>,
        linktype: u32,
        nanos: bool,
    },
    /// pcapng frames are copied into `buf` (reused, so no allocation per frame once it has grown):
    /// skipping non-packet blocks in a loop and returning a borrow of the reader cannot be
    /// expressed without `unsafe` today.
    PcapNg {
        reader: PcapNgReader<Input<R>>,
        interfaces: Vec<(u32, TsResol)>,
        buf: Vec<u8>,
    },
}

/// Reads frames from a pcap or pcapng stream.
pub struct CaptureReader<R: Read> {
    inner: Inner<R>,
}

impl<R: Read> CaptureReader<R> {
    /// Reads the file header and gets ready to read frames.
    ///
    /// # Errors
    /// [`CaptureError::Empty`], [`CaptureError::NotACapture`] or a header error.
    pub fn new(mut reader: R) -> Result<CaptureReader<R>, CaptureError> {
        let mut magic = [0u8; 4];
        let mut got = 0;
        while got < 4 {
            match reader.read(&mut magic[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(CaptureError::Io(e)),
            }
        }
        if got == 0 {
            return Err(CaptureError::Empty);
        }
        if got < 4 {
            return Err(CaptureError::Truncated);
        }
        let input = Cursor::new(magic).chain(reader);
        let inner = match magic {
            [0xd4, 0xc3, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0xc3, 0xd4]
            | [0x4d, 0x3c, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0x3c, 0x4d] => {
                let reader = PcapReader::new(input).map_err(from_pcap_error)?;
                let h = reader.header();
                Inner::Pcap {
                    linktype: u32::from(h.datalink),
                    nanos: h.ts_resolution == TsResolution::NanoSecond,
                    reader,
                }
            }
            [0x0a, 0x0d, 0x0d, 0x0a] => Inner::PcapNg {
                reader: PcapNgReader::new(input).map_err(from_pcap_error)?,
                interfaces: Vec::new(),
                buf: Vec::new(),
            },
            m => return Err(CaptureError::NotACapture(m)),
        };
        Ok(CaptureReader { inner })
    }

    /// The link type of a pcap file (pcapng files have one per interface: see [`Packet::linktype`]).
    pub fn pcap_linktype(&self) -> Option<u32> {
        match &self.inner {
            Inner::Pcap { linktype, .. } => Some(*linktype),
            Inner::PcapNg { .. } => None,
        }
    }

    /// The next frame, `None` at the end of the file.
    ///
    /// # Errors
    /// A truncated or invalid record; reading should stop there.
    pub fn next_packet(&mut self) -> Option<Result<Packet<'_>, CaptureError>> {
        match &mut self.inner {
            Inner::Pcap { reader, linktype, nanos } => {
                let (linktype, nanos) = (*linktype, *nanos);
                match reader.next_raw_packet()? {
                    Ok(p) => {
                        let data = match p.data {
                            Cow::Borrowed(b) => b,
                            // pcap-file borrows raw records; an owned one cannot outlive this call.
                            Cow::Owned(_) => {
                                return Some(Err(CaptureError::Invalid("unexpected owned record".into())))
                            }
                        };
                        let ts_nsec = if nanos { p.ts_frac } else { p.ts_frac.saturating_mul(1000) };
                        Some(Ok(Packet {
                            ts_sec: i64::from(p.ts_sec),
                            ts_nsec,
                            len: p.orig_len,
                            linktype,
                            interface: 0,
                            data,
                        }))
                    }
                    Err(e) => Some(Err(from_pcap_error(e))),
                }
            }
            Inner::PcapNg { reader, interfaces, buf } => {
                let mut meta = None;
                while meta.is_none() {
                    let block = match reader.next_block()? {
                        Ok(b) => b,
                        Err(e) => return Some(Err(from_pcap_error(e))),
                    };
                    match block {
                        Block::SectionHeader(_) => interfaces.clear(),
                        Block::InterfaceDescription(idb) => {
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
                        }
                        Block::EnhancedPacket(epb) => {
                            let Some(&(linktype, resol)) = interfaces.get(epb.interface_id as usize) else {
                                return Some(Err(CaptureError::Invalid(std::format!(
                                    "packet for undefined interface {}",
                                    epb.interface_id
                                ))));
                            };
                            // pcap-file hands the raw 64-bit tick count over as nanoseconds.
                            let (ts_sec, ts_nsec) = resol.split(epb.timestamp.as_nanos() as u64);
                            buf.clear();
                            buf.extend_from_slice(&epb.data);
                            meta = Some((ts_sec, ts_nsec, epb.original_len, linktype, epb.interface_id));
                        }
                        Block::SimplePacket(spb) => {
                            let Some(&(linktype, _)) = interfaces.first() else {
                                return Some(Err(CaptureError::Invalid(
                                    "simple packet before any interface".into(),
                                )));
                            };
                            buf.clear();
                            buf.extend_from_slice(&spb.data);
                            meta = Some((0, 0, spb.original_len, linktype, 0));
                        }
                        _ => {}
                    }
                }
                let (ts_sec, ts_nsec, len, linktype, interface) = meta?;
                Some(Ok(Packet { ts_sec, ts_nsec, len, linktype, interface, data: buf }))
            }
        }
    }
}

/// Writes frames to a pcap file (microsecond timestamps, native byte order).
pub struct CaptureWriter<W: Write> {
    writer: PcapWriter<W>,
}

impl<W: Write> CaptureWriter<W> {
    /// Writes the pcap file header for `link` frames.
    ///
    /// # Errors
    /// An I/O error writing the header.
    pub fn new(writer: W, link: LinkType) -> Result<CaptureWriter<W>, CaptureError> {
        let header = PcapHeader {
            datalink: DataLink::from(link.linktype()),
            snaplen: 262_144,
            ..PcapHeader::default()
        };
        let writer = PcapWriter::with_header(writer, header).map_err(from_pcap_error)?;
        Ok(CaptureWriter { writer })
    }

    /// Appends one frame with its timestamp.
    ///
    /// # Errors
    /// An I/O error, or a frame longer than the snap length.
    pub fn write(&mut self, ts_sec: u32, ts_usec: u32, data: &[u8]) -> Result<(), CaptureError> {
        let len = u32::try_from(data.len()).map_err(|_| CaptureError::Invalid("frame too long".into()))?;
        let raw = RawPcapPacket {
            ts_sec,
            ts_frac: ts_usec,
            incl_len: len,
            orig_len: len,
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
    fn write_then_read() {
        let mut w = CaptureWriter::new(Vec::new(), LinkType::Ethernet).unwrap();
        w.write(1, 2, &[1, 2, 3]).unwrap();
        w.write(3, 999_999, &[4; 60]).unwrap();
        let bytes = w.into_inner();
        let mut r = CaptureReader::new(&bytes[..]).unwrap();
        assert_eq!(r.pcap_linktype(), Some(1));
        let p = r.next_packet().unwrap().unwrap();
        assert_eq!((p.ts_sec, p.ts_nsec, p.len, p.data), (1, 2000, 3, &[1u8, 2, 3][..]));
        let p = r.next_packet().unwrap().unwrap();
        assert_eq!((p.ts_sec, p.ts_nsec, p.data.len()), (3, 999_999_000, 60));
        assert!(r.next_packet().is_none());
    }

    #[test]
    fn bad_magic_and_empty() {
        assert!(matches!(CaptureReader::new(&b"hello world"[..]), Err(CaptureError::NotACapture(_))));
        assert!(matches!(CaptureReader::new(&b""[..]), Err(CaptureError::Empty)));
        assert!(matches!(
            CaptureReader::new(&[0xd4u8, 0xc3, 0xb2, 0xa1, 2, 0][..]),
            Err(CaptureError::Truncated)
        ));
    }

    #[test]
    fn tsresol() {
        assert_eq!(TsResol(6).split(1_500_000), (1, 500_000_000));
        assert_eq!(TsResol(9).split(2_000_000_001), (2, 1));
        assert_eq!(TsResol(0x80 | 1).split(3), (1, 500_000_000));
    }
}
