//! Printers (feature `print`): they read a [`Dissection`](crate::dissect::Dissection), never the raw
//! bytes (apart from hex dumps and fields the dissection does not model), and write to any
//! `io::Write`.
//!
//! - [`text`]: tcpdump-compatible lines (`tcpdump -nn -v` by default).
//! - [`json`]: one JSON object per packet.
//! - [`hex`]: tcpdump's `-x` / `-X` dumps.
//!
//! ```
//! use vxwire::capture::CaptureReader;
//! use vxwire::dissect::{dissect, Config};
//! use vxwire::print::{json, text::{Options, TextPrinter}, PacketInfo};
//! # let file = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/vxlan-4789-p2p.pcap"))?;
//! let mut reader = CaptureReader::new(&file[..])?;
//! let (mut text, mut lines) = (Vec::new(), Vec::new());
//! let mut printer = TextPrinter::new(Options::default());
//! for n in 1.. {
//!     let Some(packet) = reader.next_packet() else { break };
//!     let packet = packet?;
//!     let Some(link) = packet.link_type() else { continue };
//!     let d = dissect(packet.data, link, &Config::default());
//!     let info = PacketInfo::from_packet(n, &packet);
//!     printer.write_packet(&mut text, &info, &d)?;
//!     json::write_packet(&mut lines, &info, &d)?;
//! }
//! let (text, lines) = (String::from_utf8(text)?, String::from_utf8(lines)?);
//! assert!(text.contains("VXLAN, flags [I] (0x08), vni 100"));
//! assert_eq!(lines.lines().count(), 20);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub(crate) mod fmt;
pub mod hex;
pub mod json;
pub mod text;

/// What a printer needs to know about a packet besides its layers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PacketInfo {
    /// Packet number in the capture, from 1.
    pub n: u64,
    /// Seconds since the Unix epoch.
    pub ts_sec: i64,
    /// Nanoseconds within the second.
    pub ts_nsec: u32,
    /// Bytes captured.
    pub caplen: usize,
    /// Bytes on the wire.
    pub len: u32,
}

impl PacketInfo {
    /// The information of packet number `n` of a capture.
    #[cfg(feature = "pcap")]
    pub fn from_packet(n: u64, p: &crate::capture::Packet<'_>) -> PacketInfo {
        PacketInfo { n, ts_sec: p.ts.secs(), ts_nsec: p.ts.nanos(), caplen: p.data.len(), len: p.len }
    }

    /// When the packet was captured.
    pub fn timestamp(&self) -> crate::Timestamp {
        crate::Timestamp::from_parts(self.ts_sec, u64::from(self.ts_nsec))
    }
}
