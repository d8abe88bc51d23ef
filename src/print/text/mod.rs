//! tcpdump-compatible text output (`tcpdump -nn -v` by default).
//!
//! [`TextPrinter`] reads a [`Dissection`] and writes each packet the way Debian's tcpdump 4.99.3
//! prints it, line for line: timestamp, optional link-layer header (`-e`), the IPv4/IPv6 line,
//! the transport line, VXLAN and the inner frame from column 0, and tcpdump's truncation markers
//! (` [|udp]`, ` [|vxlan]`, ...) where the capture ends early. Where newer tcpdump releases fixed
//! a decoding bug the printer follows the fix: UDP 8472 is VXLAN (4.99.3 says OTV) and UDP source
//! port 49152 is not a Broadcom LI shim. VXLAN-GBP, which tcpdump does not know, is printed as
//! `VXLAN, flags [G,I] (0x88), gbp-flags [D,A] (0x48), group-policy-id 4660, vni 300`.
//!
//! The printer formats into one reused buffer and hands each finished packet to the writer in a
//! single `write_all`; after the first packets it does not allocate. Conversations for TCP's
//! relative sequence numbers live in a fixed-size table allocated once (at the first segment).
//!
//! ```
//! use vxwire::dissect::{dissect, Config, LinkType};
//! use vxwire::print::{text::{Options, TextPrinter}, PacketInfo};
//! # let file = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/vxlan-4789-p2p.pcap"))?;
//! # let mut reader = vxwire::capture::CaptureReader::new(&file[..])?;
//! # let packet = reader.next_packet().ok_or("empty")??;
//! // `packet`: the first record of testdata/vxlan-4789-p2p.pcap, an underlay ARP request.
//! let d = dissect(packet.data, LinkType::Ethernet, &Config::default());
//! let mut out = Vec::new();
//! let mut printer = TextPrinter::new(Options { verbose: 1, ..Options::default() });
//! printer.write_packet(&mut out, &PacketInfo::from_packet(1, &packet), &d)?;
//! assert!(String::from_utf8(out)?.contains("ARP, Ethernet (len 6), IPv4 (len 4), Request who-has 198.18.0.2 tell 198.18.0.1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::fmt::{fold, should_be, sum, Buf};
use super::hex;
use super::PacketInfo;
use crate::dissect::{Dissection, Header, Layer};
use crate::error::{ErrorKind, Proto};
use crate::wire::icmpv6;
use std::io::{self, Write};
use std::string::String;
use std::vec;
use std::vec::Vec;

mod arp;
mod ether;
mod icmp;
mod icmp6;
mod igmp;
mod ip;
mod ip6;
mod names;
mod tcp;
mod time;
mod udp;
mod vxlan;

use names::*;
use time::*;
use vxlan::ip_end;

/// How timestamps are printed (tcpdump's `-t` family).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TsFormat {
    /// `HH:MM:SS.ffffff` in local time (no `-t`).
    #[default]
    Time,
    /// No timestamp (`-t`).
    None,
    /// Seconds since the epoch (`-tt`).
    Epoch,
    /// Time since the previous packet (`-ttt`).
    Delta,
    /// Date and local time (`-tttt`).
    DateTime,
    /// Time since the first packet (`-ttttt`).
    SinceFirst,
}

/// Which hex dump follows each packet (tcpdump's `-x`, `-xx`, `-X`, `-XX`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HexMode {
    /// No dump.
    #[default]
    None,
    /// Hex of the packet after the link-layer header (`-x`).
    Hex,
    /// Hex of the whole packet (`-xx`).
    HexLink,
    /// Hex and ASCII after the link-layer header (`-X`).
    Ascii,
    /// Hex and ASCII of the whole packet (`-XX`).
    AsciiLink,
}

/// What the text printer shows, mirroring tcpdump's flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Verbosity: 1 for `-v` (the default), 2 for `-vv`, 3 for `-vvv`.
    pub verbose: u8,
    /// Print link-layer headers (`-e`).
    pub link_header: bool,
    /// Quiet, shorter protocol lines (`-q`).
    pub quiet: bool,
    /// Hex dump after each packet.
    pub hex: HexMode,
    /// Timestamp style.
    pub ts: TsFormat,
    /// Nanosecond timestamps (`--time-stamp-precision=nano`) instead of microseconds.
    pub nano: bool,
    /// Absolute TCP sequence and acknowledgement numbers (`-S`) instead of numbers relative to
    /// the first segment of each conversation.
    pub absolute_seq: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            verbose: 1,
            link_header: false,
            quiet: false,
            hex: HexMode::None,
            ts: TsFormat::Time,
            nano: false,
            absolute_seq: false,
        }
    }
}

/// A piece of a packet's text that depends on the packets printed before it, left out by a
/// printer in deferred mode ([`TextPrinter::set_deferred`]) and filled in, in capture order, by
/// [`TextPrinter::resolve`]: this is how the parallel pipeline formats packets on several threads
/// and still prints what one thread would. Positions are byte offsets in the packet's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deferred {
    /// A `-ttt` / `-ttttt` time stamp goes at `at`: seconds and the fraction in the printed unit.
    Ts {
        /// Where the time stamp goes.
        at: u32,
        /// Seconds.
        sec: i64,
        /// Micro- or nanoseconds, as printed.
        frac: u32,
    },
    /// A TCP segment with ACK set, which reads and updates the conversation table.
    Tcp {
        /// The conversation (both directions map to one key).
        key: [u8; 36],
        /// Whether the segment runs in the key's reverse direction.
        rev: bool,
        /// Whether SYN is set (starts the conversation again).
        syn: bool,
        /// The absolute sequence number.
        seq: u32,
        /// The absolute acknowledgement number.
        ack: u32,
    },
    /// A number of the last `Tcp` segment goes at `at`: `raw` made relative to its conversation.
    Num {
        /// Where the number goes.
        at: u32,
        /// The absolute value.
        raw: u32,
        /// Which base it is taken from.
        kind: NumKind,
    },
}

/// Which conversation base a deferred TCP number is relative to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumKind {
    /// A sequence number (absolute when the segment started the conversation).
    Seq,
    /// An acknowledgement number (absolute when the segment started the conversation).
    Ack,
    /// A SACK block edge (always relative).
    Sack,
}

/// Size of the TCP conversation table (entries; each ~48 bytes).
const TCP_TABLE: usize = 4096;

#[derive(Clone, Copy)]
struct TcpConv {
    used: bool,
    key: [u8; 36],
    seq: u32,
    ack: u32,
}

/// The link-layer header length of a frame, for `-x` (which skips it).
fn link_header_len(d: &Dissection<'_>) -> usize {
    let mut end = 0;
    for l in d.layers() {
        match l.header {
            Header::Ethernet(_) | Header::Vlan(_) | Header::LinuxSll(_) | Header::LinuxSll2(_)
                if l.depth == 0 =>
            {
                end = l.offset
                    + match l.header {
                        Header::Ethernet(_) => 14,
                        Header::Vlan(_) => 4,
                        Header::LinuxSll(_) => 16,
                        _ => 20,
                    };
            }
            _ => break,
        }
    }
    end.min(d.data().len())
}

/// Context an IP layer hands to the transport printers: addresses for the pseudo-header and the
/// lengths the IP header declares.
#[derive(Clone, Copy)]
struct IpCtx<'a> {
    src: &'a [u8],
    dst: &'a [u8],
    v6: bool,
    fragmented: bool,
}

/// Writes packets in tcpdump's text format.
pub struct TextPrinter {
    opts: Options,
    out: Buf,
    tcp: Vec<TcpConv>,
    prev_ts: Option<(i64, u32)>,
    ifnames: Vec<(u32, String)>,
    tz: TzCache,
    /// The last `TsFormat::Time` second printed (capture seconds, before the time-zone offset)
    /// and its `HH:MM:SS.` text: packets of the same second reuse it.
    ts_cache: Option<(i64, [u8; 9])>,
    /// tcpdump gave up on the packet the way its `GET_*` macros do (a long jump): its `-x` dump
    /// then covers the link-layer header too.
    gave_up: bool,
    /// Deferred mode: the pieces left for [`TextPrinter::resolve`] in the last packet.
    deferred: Option<Vec<Deferred>>,
    /// The TCP header being printed was deferred: its numbers go to `deferred`.
    tcp_deferred: bool,
    /// Where the packet being printed starts in `out` (not 0 in [`TextPrinter::append_packet`]).
    base: usize,
}

impl TextPrinter {
    /// A printer with the given options.
    pub fn new(opts: Options) -> TextPrinter {
        TextPrinter {
            opts,
            out: Buf { b: Vec::with_capacity(4096) },
            // Allocated at the first TCP segment: printers in deferred mode never need it.
            tcp: Vec::new(),
            prev_ts: None,
            ifnames: Vec::new(),
            tz: TzCache::system(),
            ts_cache: None,
            gave_up: false,
            deferred: None,
            tcp_deferred: false,
            base: 0,
        }
    }

    /// Deferred mode (for the parallel pipeline): packet texts leave out what depends on the
    /// packets before them (TCP relative numbers, `-ttt` / `-ttttt` time stamps); after each
    /// packet [`TextPrinter::deferred`] says what and where, and [`TextPrinter::resolve`] (on
    /// one printer that sees every packet in order) fills it in.
    pub fn set_deferred(&mut self, on: bool) {
        self.deferred = on.then(Vec::new);
    }

    /// In deferred mode, what the last packet's text leaves out (empty otherwise).
    pub fn deferred(&self) -> &[Deferred] {
        self.deferred.as_deref().unwrap_or(&[])
    }

    /// Writes `text`, a packet's text from a printer in deferred mode, with the `deferred`
    /// pieces it left out filled in from this printer's state (which they update as printing
    /// the packet would have). Called in capture order for every printed packet that has
    /// deferred pieces, it gives the output of one printer that printed every packet itself.
    ///
    /// # Errors
    /// Any error of `out`.
    pub fn resolve(&mut self, out: &mut dyn Write, text: &[u8], deferred: &[Deferred]) -> io::Result<()> {
        self.out.b.clear();
        let (mut from, mut conv) = (0usize, (true, false, 0u32, 0u32));
        for d in deferred {
            let at = match *d {
                Deferred::Ts { at, .. } | Deferred::Num { at, .. } => at as usize,
                Deferred::Tcp { .. } => from,
            };
            self.out.raw(&text[from..at]);
            from = at;
            match *d {
                Deferred::Ts { sec, frac, .. } => self.relative_ts(sec, frac),
                Deferred::Tcp { key, rev, syn, seq, ack } => {
                    let (reset, cseq, cack) = self.conversation(key, rev, syn, seq, ack);
                    conv = (reset, rev, cseq, cack);
                }
                Deferred::Num { raw, kind, .. } => {
                    let (reset, rev, cseq, cack) = conv;
                    let v = match kind {
                        NumKind::Seq if reset => raw,
                        NumKind::Ack if reset => raw,
                        NumKind::Seq => raw.wrapping_sub(if rev { cack } else { cseq }),
                        NumKind::Ack | NumKind::Sack => raw.wrapping_sub(if rev { cseq } else { cack }),
                    };
                    self.out.u(u64::from(v));
                }
            }
        }
        self.out.raw(&text[from..]);
        out.write_all(&self.out.b)
    }

    /// Looks the TCP conversation up (and starts it again on SYN or when its slot held another
    /// one): whether it (re)started with this segment, and its base sequence and ack numbers.
    fn conversation(&mut self, key: [u8; 36], rev: bool, syn: bool, seq: u32, ack: u32) -> (bool, u32, u32) {
        let slot = (tcp::fnv(&key) as usize) % TCP_TABLE;
        if self.tcp.is_empty() {
            self.tcp = vec![TcpConv { used: false, key: [0; 36], seq: 0, ack: 0 }; TCP_TABLE];
        }
        let c = &mut self.tcp[slot];
        let reset = !c.used || c.key != key || syn;
        if reset {
            *c = TcpConv { used: true, key, seq: 0, ack: 0 };
            if rev {
                c.ack = seq;
                c.seq = ack.wrapping_sub(1);
            } else {
                c.seq = seq;
                c.ack = ack.wrapping_sub(1);
            }
        }
        (reset, c.seq, c.ack)
    }

    /// A TCP sequence, ack or SACK number: printed, or (deferred mode) left for `resolve`.
    fn tcp_num(&mut self, v: u32, raw: u32, kind: NumKind) {
        match (&mut self.deferred, self.tcp_deferred) {
            (Some(list), true) => {
                list.push(Deferred::Num { at: (self.out.b.len() - self.base) as u32, raw, kind })
            }
            _ => {
                self.out.u(u64::from(v));
            }
        }
    }

    /// Sets the interface names printed for Linux cooked v2 frames (tcpdump resolves the
    /// interface index on the machine it runs on; `?` when unknown).
    pub fn set_interface_names(&mut self, names: Vec<(u32, String)>) {
        self.ifnames = names;
    }

    /// The interface names given by [`TextPrinter::set_interface_names`].
    pub fn interface_names(&self) -> &[(u32, String)] {
        &self.ifnames
    }

    /// Writes one packet: its text lines, the hex dump if asked for, and a final newline.
    ///
    /// # Errors
    /// Any error of `out`.
    pub fn write_packet(
        &mut self,
        out: &mut dyn Write,
        info: &PacketInfo,
        d: &Dissection<'_>,
    ) -> io::Result<()> {
        self.out.b.clear();
        self.base = 0;
        self.format_packet(info, d);
        out.write_all(&self.out.b)
    }

    /// [`TextPrinter::write_packet`] appended to `text` in place, without a copy (the parallel
    /// pipeline's batch buffers); [`TextPrinter::deferred`] positions count from where the
    /// packet starts in `text`.
    pub fn append_packet(&mut self, text: &mut Vec<u8>, info: &PacketInfo, d: &Dissection<'_>) {
        core::mem::swap(&mut self.out.b, text);
        self.base = self.out.b.len();
        self.format_packet(info, d);
        core::mem::swap(&mut self.out.b, text);
        self.base = 0;
    }

    /// One packet's text, appended to `out` (the body of `write_packet` and `append_packet`).
    fn format_packet(&mut self, info: &PacketInfo, d: &Dissection<'_>) {
        self.gave_up = false;
        if let Some(list) = &mut self.deferred {
            list.clear();
        }
        if self.invalid_header(info) {
            return;
        }
        self.timestamp(info);
        self.frame(d, info.len as usize);
        let data = d.data();
        let skip = if self.gave_up { 0 } else { link_header_len(d) };
        match self.opts.hex {
            HexMode::None => {}
            HexMode::Hex => hex::hex(&mut self.out.b, b"\n\t", &data[skip..]),
            HexMode::HexLink => hex::hex(&mut self.out.b, b"\n\t", data),
            HexMode::Ascii => hex::hex_ascii(&mut self.out.b, b"\n\t", &data[skip..]),
            HexMode::AsciiLink => hex::hex_ascii(&mut self.out.b, b"\n\t", data),
        }
        self.out.c(b'\n');
    }

    /// Writes a packet whose link type the crate cannot read: timestamp and tcpdump's marker.
    ///
    /// # Errors
    /// Any error of `out`.
    pub fn write_unknown_link(
        &mut self,
        out: &mut dyn Write,
        info: &PacketInfo,
        linktype: u32,
    ) -> io::Result<()> {
        self.out.b.clear();
        self.base = 0;
        if let Some(list) = &mut self.deferred {
            list.clear();
        }
        self.timestamp(info);
        self.out.s("[|unknown link type ").u(u64::from(linktype)).s("]\n");
        out.write_all(&self.out.b)
    }

    /// tcpdump's sanity checks of a record's lengths (`pretty_print_packet`): a record with
    /// nothing captured, no wire length or more captured than sent prints one line and no time
    /// stamp.
    fn invalid_header(&mut self, info: &PacketInfo) -> bool {
        let mut sep = "[Invalid header:";
        if info.caplen == 0 {
            self.out.s(sep).s(" caplen==0");
            sep = ",";
        }
        if info.len == 0 {
            self.out.s(sep).s(" len==0");
            sep = ",";
        } else if (info.len as usize) < info.caplen {
            self.out.s(sep).s(" len(").u(u64::from(info.len)).s(") < caplen(").u(info.caplen as u64).c(b')');
            sep = ",";
        }
        if sep == "," {
            self.out.s("]\n");
        }
        sep == ","
    }

    pub(super) fn trunc_proto(&mut self, p: Proto) {
        self.gave_up |=
            matches!(p, Proto::Arp | Proto::Vxlan | Proto::Igmp | Proto::Icmpv4 | Proto::Ethernet);
        self.out.s(" [|").s(marker(p)).c(b']');
    }

    pub(super) fn trunc_for(&mut self, d: &Dissection<'_>, _at: Option<usize>) {
        if let Some(e) = d.error() {
            self.trunc_proto(e.proto);
        }
    }
}

fn pad_to(out: &mut Buf, start: usize, width: usize) {
    while out.b.len() - start < width {
        out.b.push(b' ');
    }
}

fn header_len(h: &Header<'_>) -> usize {
    match h {
        Header::Ethernet(_) => 14,
        Header::Vlan(_) => 4,
        Header::LinuxSll(_) => 16,
        Header::LinuxSll2(_) => 20,
        _ => 0,
    }
}
