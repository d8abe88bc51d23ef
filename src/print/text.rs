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
//! relative sequence numbers live in a fixed-size table allocated once.

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
}

impl TextPrinter {
    /// A printer with the given options.
    pub fn new(opts: Options) -> TextPrinter {
        TextPrinter {
            opts,
            out: Buf { b: Vec::with_capacity(4096) },
            tcp: vec![TcpConv { used: false, key: [0; 36], seq: 0, ack: 0 }; TCP_TABLE],
            prev_ts: None,
            ifnames: Vec::new(),
            tz: TzCache::system(),
            ts_cache: None,
            gave_up: false,
        }
    }

    /// Sets the interface names printed for Linux cooked v2 frames (tcpdump resolves the
    /// interface index on the machine it runs on; `?` when unknown).
    pub fn set_interface_names(&mut self, names: Vec<(u32, String)>) {
        self.ifnames = names;
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
        self.gave_up = false;
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
        out.write_all(&self.out.b)
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
        self.timestamp(info);
        self.out.s("[|unknown link type ").u(u64::from(linktype)).s("]\n");
        out.write_all(&self.out.b)
    }

    // ----- timestamps -----

    fn timestamp(&mut self, info: &PacketInfo) {
        // `usec` is the fraction in the printed unit: micro- or nanoseconds.
        let (usec, per_sec, digits) = if self.opts.nano {
            (info.ts_nsec, 1_000_000_000, 9)
        } else {
            (info.ts_nsec / 1000, 1_000_000, 6)
        };
        match self.opts.ts {
            TsFormat::None => {}
            TsFormat::Time => {
                let hms = match self.ts_cache {
                    Some((sec, text)) if sec == info.ts_sec => text,
                    _ => {
                        let off = self.tz.offset(info.ts_sec);
                        let s = (info.ts_sec + off).rem_euclid(86400) as u64;
                        let two = |v: u64| [b'0' + (v / 10) as u8, b'0' + (v % 10) as u8];
                        let (h, m, sec) = (two(s / 3600), two(s / 60 % 60), two(s % 60));
                        let text = [h[0], h[1], b':', m[0], m[1], b':', sec[0], sec[1], b'.'];
                        self.ts_cache = Some((info.ts_sec, text));
                        text
                    }
                };
                self.out.raw(&hms).u0(u64::from(usec), digits).c(b' ');
            }
            TsFormat::Epoch => {
                self.out.i(info.ts_sec).c(b'.').u0(u64::from(usec), digits).c(b' ');
            }
            TsFormat::DateTime => {
                let off = self.tz.offset(info.ts_sec);
                let t = info.ts_sec + off;
                let (y, m, dd) = civil_from_days(t.div_euclid(86400));
                self.out.i(y).c(b'-').u0(u64::from(m), 2).c(b'-').u0(u64::from(dd), 2).c(b' ');
                self.hms(t, usec);
                self.out.c(b' ');
            }
            TsFormat::Delta | TsFormat::SinceFirst => {
                let (ps, pu) = self.prev_ts.unwrap_or((info.ts_sec, usec));
                let diff =
                    (i128::from(info.ts_sec) - i128::from(ps)) * per_sec + i128::from(usec) - i128::from(pu);
                // tcpdump leaves a sign column in front of relative times.
                self.out.c(if diff < 0 { b'-' } else { b' ' });
                let a = diff.unsigned_abs();
                self.hms((a / per_sec as u128) as i64, (a % per_sec as u128) as u32);
                self.out.c(b' ');
                if self.opts.ts == TsFormat::Delta || self.prev_ts.is_none() {
                    self.prev_ts = Some((info.ts_sec, usec));
                }
            }
        }
    }

    fn hms(&mut self, t: i64, frac: u32) {
        let s = t.rem_euclid(86400) as u64;
        let digits = if self.opts.nano { 9 } else { 6 };
        self.out.u0(s / 3600, 2).c(b':').u0(s / 60 % 60, 2).c(b':').u0(s % 60, 2);
        self.out.c(b'.').u0(u64::from(frac), digits);
    }

    // ----- link layer -----

    fn frame(&mut self, d: &Dissection<'_>, wire_len: usize) {
        let Some(l) = d.get(0) else {
            self.trunc_for(d, None);
            return;
        };
        match &l.header {
            Header::Ethernet(_) => self.ether(d, 0, wire_len),
            Header::LinuxSll(s) => {
                let b = s.slice();
                let proto = s.protocol();
                if self.opts.link_header {
                    let t = pkttype(s.packet_type());
                    for _ in t.len()..3 {
                        self.out.c(b' ');
                    }
                    self.out.s(t).c(b' ');
                    if s.addr_len() == 6 {
                        self.out.mac(&b[6..12]).c(b' ');
                    }
                    self.sll_type(proto, wire_len);
                }
                self.ethertype(d, 1, proto, wire_len.saturating_sub(16), 0);
            }
            Header::LinuxSll2(s) => {
                let b = s.slice();
                let idx = s.if_index();
                let start = self.out.b.len();
                match self.ifnames.iter().find(|(i, _)| *i == idx) {
                    Some((_, n)) => {
                        let n = n.clone();
                        self.out.s(&n);
                    }
                    None => {
                        self.out.c(b'?');
                    }
                }
                pad_to(&mut self.out, start, 5);
                self.out.c(b' ');
                let start = self.out.b.len();
                self.out.s(pkttype(u16::from(s.packet_type())));
                pad_to(&mut self.out, start, 3);
                self.out.c(b' ');
                let proto = s.protocol();
                if self.opts.link_header {
                    self.out.s("ifindex ").u(u64::from(idx)).c(b' ');
                    if s.addr_len() == 6 {
                        self.out.mac(&b[12..18]).c(b' ');
                    }
                    self.sll_type(proto, wire_len);
                }
                self.ethertype(d, 1, proto, wire_len.saturating_sub(20), 0);
            }
            Header::Ipv4(_) => self.ipv4(d, 0, wire_len),
            Header::Ipv6(_) => self.ipv6(d, 0, wire_len),
            _ => {}
        }
    }

    fn sll_type(&mut self, proto: u16, len: usize) {
        if self.opts.quiet {
            return;
        }
        if proto <= 1500 {
            match proto {
                1 => self.out.s("802.3"),
                4 => self.out.s("802.2"),
                _ => self.out.s("ethertype Unknown (").hx(u64::from(proto), 4).c(b')'),
            };
        } else {
            self.out
                .s("ethertype ")
                .s(ethertype_name(proto).unwrap_or("Unknown"))
                .s(" (")
                .hx(u64::from(proto), 4)
                .c(b')');
        }
        self.out.s(", length ").u(len as u64).s(": ");
    }

    /// An Ethernet header at layer `i`, `len` bytes of frame on the wire (or as the enclosing
    /// header declares).
    fn ether(&mut self, d: &Dissection<'_>, i: usize, len: usize) {
        let Some(Layer { header: Header::Ethernet(h), .. }) = d.get(i) else { return };
        let b = h.slice();
        let e = self.opts.link_header;
        let et = u16::from_be_bytes([b[12], b[13]]);
        if e {
            self.out.mac(&b[6..12]).s(" > ").mac(&b[0..6]).s(", ");
            if et <= 1500 {
                self.out.s("802.3, length ").u(len as u64).s(": ");
            } else {
                self.ether_type(et);
                self.out.s(", length ").u(len as u64).s(": ");
            }
        }
        let depth = d.get(i).map_or(0, |l| l.depth);
        self.ethertype(d, i + 1, et, len.saturating_sub(14), depth);
        // Unknown ethertype: tcpdump prints the addresses (if -e did not) and a raw dump.
        let _ = b;
    }

    fn ether_type(&mut self, et: u16) {
        if self.opts.quiet {
            match ethertype_name(et) {
                Some(n) => self.out.s(n),
                None => self.out.s("Unknown Ethertype (").hx(u64::from(et), 4).c(b')'),
            };
            return;
        }
        self.out
            .s("ethertype ")
            .s(ethertype_name(et).unwrap_or("Unknown"))
            .s(" (")
            .hx(u64::from(et), 4)
            .c(b')');
    }

    /// Whatever follows an Ethernet type field: layer `j` should be the protocol `et` names.
    fn ethertype(&mut self, d: &Dissection<'_>, j: usize, et: u16, len: usize, depth: u8) {
        let e = self.opts.link_header;
        let next = d.get(j).filter(|l| l.depth == depth);
        match next.map(|l| &l.header) {
            Some(Header::Vlan(v)) => {
                let b = v.slice();
                let tci = u16::from_be_bytes([b[0], b[1]]);
                let inner = u16::from_be_bytes([b[2], b[3]]);
                if e {
                    self.out.s("vlan ").u(u64::from(tci & 0xfff)).s(", p ").u(u64::from(tci >> 13));
                    if tci & 0x1000 != 0 {
                        self.out.s(", DEI");
                    }
                    self.out.s(", ");
                    self.ether_type(inner);
                    self.out.s(", ");
                }
                self.ethertype(d, j + 1, inner, len.saturating_sub(4), depth);
            }
            Some(Header::Ipv4(_)) => self.ipv4(d, j, len),
            Some(Header::Ipv6(_)) => self.ipv6(d, j, len),
            Some(Header::Arp(_)) => self.arp(d, j, len),
            Some(Header::Ethernet(_)) => self.ether(d, j, len),
            _ => {
                if let Some(err) = d.error().filter(|_| next.is_none() && d.len() == j) {
                    // The layer this ethertype names could not be read.
                    match err.proto {
                        Proto::Ipv4 if err.kind == ErrorKind::Truncated => {
                            // tcpdump writes `IP ` once it has read the version byte, then its
                            // marker: `IP  [|ip]`, or ` [|ip]` alone with no byte captured.
                            if !e && err.present > 0 {
                                self.out.s("IP ");
                            }
                            self.out.s(" [|ip]");
                        }
                        Proto::Ipv6 if err.kind == ErrorKind::Truncated => {
                            if !e {
                                self.out.s("IP6");
                            }
                            self.out.s(" [|ip6]");
                        }
                        p => self.trunc_proto(p),
                    }
                    return;
                }
                // An ethertype the dissector does not decode.
                if !e {
                    if let Some(l) = j.checked_sub(1).and_then(|k| d.get(k)) {
                        if let Some(eh) = ether_before(d, j) {
                            let b = eh;
                            self.out.mac(&b[6..12]).s(" > ").mac(&b[0..6]).s(", ");
                            self.ether_type(et);
                            self.out.s(", length ").u((len + 14) as u64).s(": ");
                        }
                        let _ = l;
                    }
                }
                if self.opts.hex == HexMode::None {
                    let off = d.get(j.saturating_sub(1)).map_or(0, |l| l.offset + header_len(&l.header));
                    let data = d.data();
                    hex::hex_ascii(&mut self.out.b, b"\n\t", data.get(off..).unwrap_or(&[]));
                }
            }
        }
    }

    fn trunc_proto(&mut self, p: Proto) {
        self.gave_up |=
            matches!(p, Proto::Arp | Proto::Vxlan | Proto::Igmp | Proto::Icmpv4 | Proto::Ethernet);
        self.out.s(" [|").s(marker(p)).c(b']');
    }

    fn trunc_for(&mut self, d: &Dissection<'_>, _at: Option<usize>) {
        if let Some(e) = d.error() {
            self.trunc_proto(e.proto);
        }
    }

    // ----- ARP -----

    fn arp(&mut self, d: &Dissection<'_>, j: usize, len: usize) {
        let Some(Layer { header: Header::Arp(a), offset, .. }) = d.get(j) else { return };
        let b = a.slice();
        let hrd = u16::from_be_bytes([b[0], b[1]]);
        if hrd == 19 {
            // ATM ARP (RFC 2225) has its own layout; tcpdump first checks that all of it is there.
            let avail = d.data().len().saturating_sub(*offset);
            let f = |i: usize| usize::from(b.get(i).copied().unwrap_or(0));
            let need = 12 + (f(4) & 0x3f) + (f(5) & 0x3f) + f(8) + (f(9) & 0x3f) + (f(10) & 0x3f) + f(11);
            if avail < need {
                self.trunc_proto(Proto::Arp);
                return;
            }
        }
        let pro = u16::from_be_bytes([b[2], b[3]]);
        let hln = usize::from(b[4]);
        let pln = usize::from(b[5]);
        let op = u16::from_be_bytes([b[6], b[7]]);
        let sha = &b[8..8 + hln];
        let spa = &b[8 + hln..8 + hln + pln];
        let tha = &b[8 + hln + pln..8 + 2 * hln + pln];
        let tpa = &b[8 + 2 * hln + pln..8 + 2 * hln + 2 * pln];
        if !self.opts.link_header {
            self.out.s("ARP, ");
        }
        match arphrd_name(hrd) {
            Some(n) => self.out.s(n),
            None => self.out.s("Unknown Hardware (").u(u64::from(hrd)).c(b')'),
        };
        self.out.s(" (len ").u(hln as u64).s("), ");
        match ethertype_name(pro) {
            Some(n) => self.out.s(n),
            None => self.out.s("Unknown Protocol (").hx(u64::from(pro), 4).c(b')'),
        };
        self.out.s(" (len ").u(pln as u64).s("), ");
        let ip_ok = pro == 0x0800 || pro == 0x1000;
        let paddr = |o: &mut Buf, a: &[u8]| {
            if !ip_ok {
                o.s("<wrong proto type>");
            } else if pln != 4 {
                o.s("<wrong len>");
            } else {
                o.ip4(a);
            }
        };
        match op {
            1 => {
                self.out.s("Request who-has ");
                paddr(&mut self.out, tpa);
                if tha.iter().any(|&x| x != 0) {
                    self.out.s(" (").mac(tha).c(b')');
                }
                self.out.s(" tell ");
                paddr(&mut self.out, spa);
            }
            2 => {
                self.out.s("Reply ");
                paddr(&mut self.out, spa);
                self.out.s(" is-at ").mac(sha);
            }
            3 => {
                self.out.s("Reverse Request who-is ").mac(tha).s(" tell ").mac(sha);
            }
            4 => {
                self.out.s("Reverse Reply ").mac(tha).s(" at ");
                paddr(&mut self.out, tpa);
            }
            8 => {
                self.out.s("Inverse Request who-is ").mac(tha).s(" tell ").mac(sha);
            }
            9 => {
                self.out.s("Inverse Reply ").mac(sha).s(" at ");
                paddr(&mut self.out, spa);
            }
            _ => {
                match op {
                    10 => self.out.s("NACK Reply"),
                    _ => self.out.s("Unknown (").u(u64::from(op)).c(b')'),
                };
                self.out.c(b' ');
                hex::hex_ascii(&mut self.out.b, b"\n\t", d.data().get(*offset..).unwrap_or(&[]));
                return;
            }
        }
        self.out.s(", length ").u(len as u64);
    }

    // ----- IPv4 -----

    fn ipv4(&mut self, d: &Dissection<'_>, j: usize, len: usize) {
        let Some(Layer { header: Header::Ipv4(h), .. }) = d.get(j) else { return };
        let b = h.slice();
        let hlen = b.len();
        let total = usize::from(u16::from_be_bytes([b[2], b[3]]));
        if !self.opts.link_header {
            self.out.s("IP ");
        }
        if len < total {
            self.out.s("truncated-ip - ").u((total - len) as u64).s(" bytes missing! ");
        }
        if total < hlen {
            self.out.s("bad-len ").u(total as u64);
            return;
        }
        let tos = b[1];
        let off = u16::from_be_bytes([b[6], b[7]]);
        let proto = b[9];
        self.out.s("(tos ").hx(u64::from(tos), 1);
        match tos & 3 {
            1 => self.out.s(",ECT(1)"),
            2 => self.out.s(",ECT(0)"),
            3 => self.out.s(",CE"),
            _ => &mut self.out,
        };
        self.out.s(", ttl ").u(u64::from(b[8])).s(", id ").u(u64::from(u16::from_be_bytes([b[4], b[5]])));
        self.out.s(", offset ").u(u64::from(off & 0x1fff) * 8).s(", flags [");
        self.bit_names(u32::from(off), &[(0x2000, "+"), (0x4000, "DF"), (0x8000, "rsvd")], ", ");
        self.out
            .s("], proto ")
            .s(ipproto_name(proto).unwrap_or("unknown"))
            .s(" (")
            .u(u64::from(proto))
            .c(b')');
        self.out.s(", length ").u(total as u64);
        if hlen > 20 {
            self.out.s(", options (");
            self.ip_options(&b[20..]);
            self.out.c(b')');
        }
        let c = fold(sum(0, b));
        if c != 0 {
            let field = u16::from_be_bytes([b[10], b[11]]);
            self.out
                .s(", bad cksum ")
                .x(u64::from(field))
                .s(" (->")
                .x(u64::from(should_be(field, c)))
                .s(")!");
        }
        self.out.s(")\n    ");
        let ctx = IpCtx { src: &b[12..16], dst: &b[16..20], v6: false, fragmented: off & 0x3fff != 0 };
        if off & 0x1fff != 0 {
            self.out.ip4(ctx.src).s(" > ").ip4(ctx.dst).s(": ip-proto-").u(u64::from(proto));
            self.out.c(b' ').u((total - hlen) as u64);
            return;
        }
        self.ip_payload(d, j + 1, proto, total - hlen, ctx);
    }

    fn ip_options(&mut self, mut o: &[u8]) {
        let mut first = true;
        while let Some(&code) = o.first() {
            if !first {
                self.out.c(b',');
            }
            first = false;
            match code {
                0 => self.out.s("EOL"),
                1 => self.out.s("NOP"),
                7 => self.out.s("RR"),
                68 => self.out.s("timestamp"),
                130 => self.out.s("security"),
                131 => self.out.s("LSRR"),
                137 => self.out.s("SSRR"),
                148 => self.out.s("RA"),
                82 => self.out.s("traceroute"),
                _ => self.out.s("unknown ").u(u64::from(code)),
            };
            if code == 0 {
                return;
            }
            if code == 1 {
                o = &o[1..];
                continue;
            }
            let Some(&l) = o.get(1) else {
                self.out.s(" [bad length 0]");
                return;
            };
            let l = usize::from(l);
            if l < 2 || l > o.len() {
                self.out.s(" [bad length ").u(l as u64).c(b']');
                return;
            }
            if code == 148 {
                if l < 4 {
                    self.out.s(" [bad length ").u(l as u64).c(b']');
                } else {
                    let v = u16::from_be_bytes([o[2], o[3]]);
                    if v != 0 {
                        self.out.s(" value ").u(u64::from(v));
                    }
                }
            }
            o = &o[l..];
        }
    }

    /// The payload of an IP header: layer `j` should be protocol `proto`, `len` bytes as the IP
    /// header declares.
    fn ip_payload(&mut self, d: &Dissection<'_>, j: usize, proto: u8, len: usize, ip: IpCtx<'_>) {
        let next = d.get(j);
        match next.map(|l| &l.header) {
            Some(Header::Udp(_)) => self.udp(d, j, len, ip),
            Some(Header::Tcp(_)) => self.tcp(d, j, len, ip),
            Some(Header::Icmpv4(_)) => {
                self.addrs(ip);
                self.icmp(d, j, len, ip)
            }
            Some(Header::Icmpv6(_)) => {
                self.addrs(ip);
                self.icmp6(d, j, len, ip)
            }
            Some(Header::Igmp(_)) => {
                self.addrs(ip);
                self.igmp(d, j, len)
            }
            Some(Header::Ipv4(_)) => {
                self.addrs(ip);
                self.ipv4(d, j, len)
            }
            Some(Header::Ipv6(_)) => {
                self.addrs(ip);
                self.ipv6(d, j, len)
            }
            _ => {
                if d.error().is_some() && d.len() == j {
                    let p = d.error().map_or(Proto::Ipv4, |e| e.proto);
                    let seg = j.checked_sub(1).and_then(|k| d.get(k)).map_or(&[][..], |l| l.payload);
                    match seg {
                        // tcpdump prints the ports of a UDP header cut after them.
                        [a, b, c, e, ..] if p == Proto::Udp => {
                            let (sp, dp) = (u16::from_be_bytes([*a, *b]), u16::from_be_bytes([*c, *e]));
                            self.out.ip(ip.src).c(b'.').u(u64::from(sp)).s(" > ");
                            self.out.ip(ip.dst).c(b'.').u(u64::from(dp)).s(": ");
                        }
                        _ => self.addrs(ip),
                    }
                    self.trunc_proto(p);
                    return;
                }
                self.addrs(ip);
                self.out.s(" ip-proto-").u(u64::from(proto)).c(b' ').u(len as u64);
            }
        }
    }

    fn addrs(&mut self, ip: IpCtx<'_>) {
        self.out.ip(ip.src).s(" > ").ip(ip.dst).s(": ");
    }

    // ----- IPv6 -----

    fn ipv6(&mut self, d: &Dissection<'_>, j: usize, len: usize) {
        let Some(Layer { header: Header::Ipv6(h), .. }) = d.get(j) else { return };
        let b = h.slice();
        let plen = usize::from(u16::from_be_bytes([b[4], b[5]]));
        let nh = b[6];
        if !self.opts.link_header {
            self.out.s("IP6 ");
        }
        let _ = len;
        let flow = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        self.out.c(b'(');
        if flow & 0x0ff0_0000 != 0 {
            self.out.s("class ").hx(u64::from((flow & 0x0ff0_0000) >> 20), 2).s(", ");
        }
        if flow & 0x000f_ffff != 0 {
            self.out.s("flowlabel ").hx(u64::from(flow & 0x000f_ffff), 5).s(", ");
        }
        self.out.s("hlim ").u(u64::from(b[7])).s(", next-header ");
        self.out.s(ipproto_name(nh).unwrap_or("unknown")).s(" (").u(u64::from(nh)).s(") payload length: ");
        self.out.u(plen as u64).s(") ");
        let ctx = IpCtx { src: &b[8..24], dst: &b[24..40], v6: true, fragmented: false };
        let mut k = j + 1;
        let mut proto = nh;
        let mut remaining = plen;
        if plen == 0 {
            // tcpdump bounds the payload by the payload length: nothing of it is readable.
            self.out.ip6(ctx.src).s(" > ").ip6(ctx.dst).s(": ");
            let p = match nh {
                17 => "udp",
                6 => "tcp",
                58 => "icmp6",
                _ => "ip6",
            };
            self.out.s(" [|").s(p).c(b']');
            return;
        }
        if !matches!(nh, 6 | 17) {
            self.addrs(ctx);
        }
        let mut ctx = ctx;
        if let Some(Layer { header: Header::Ipv6Ext(ext), payload, .. }) = d.get(k) {
            let eb = ext.slice();
            let mut p = 0;
            let mut cur = nh;
            while p + 2 <= eb.len() {
                let next = eb[p];
                let hl = match cur {
                    44 => 8,
                    51 => (usize::from(eb[p + 1]) + 2) * 4,
                    _ => (usize::from(eb[p + 1]) + 1) * 8,
                };
                let hdr = &eb[p..(p + hl).min(eb.len())];
                self.ext_header(cur, hdr, plen.saturating_sub(p + 8));
                if cur == 44 {
                    ctx.fragmented = true;
                }
                cur = next;
                p += hl;
            }
            proto = cur;
            remaining = remaining.saturating_sub(eb.len());
            let _ = payload;
            k += 1;
            if ctx.fragmented && d.get(k).is_none() {
                // A fragment without its upper-layer header: tcpdump stops here.
                return;
            }
        }
        self.ip6_payload(d, k, proto, remaining, ctx);
    }

    fn ext_header(&mut self, code: u8, h: &[u8], frag_rest: usize) {
        match code {
            0 | 60 => {
                self.out.s(if code == 0 { "HBH " } else { "DSTOPT " });
                let mut o = h.get(2..).unwrap_or(&[]);
                while let Some(&t) = o.first() {
                    if t == 0 {
                        self.out.s("(pad1)");
                        o = &o[1..];
                        continue;
                    }
                    let Some(&l) = o.get(1) else { break };
                    let l = usize::from(l) + 2;
                    let body = o.get(2..l.min(o.len())).unwrap_or(&[]);
                    match t {
                        1 => {
                            self.out.s("(padn)");
                        }
                        5 if body.len() == 2 => {
                            self.out
                                .s("(rtalert: ")
                                .hx(u64::from(u16::from_be_bytes([body[0], body[1]])), 4)
                                .s(") ");
                        }
                        0xc2 if body.len() == 4 => {
                            let v = u32::from_be_bytes([body[0], body[1], body[2], body[3]]);
                            self.out.s("(jumbo: ").u(u64::from(v)).s(") ");
                        }
                        _ => {
                            self.out
                                .s("(opt_type 0x")
                                .x0(u64::from(t), 2)
                                .s(": len=")
                                .u((l - 2) as u64)
                                .c(b')');
                        }
                    }
                    o = o.get(l..).unwrap_or(&[]);
                }
                self.out.c(b' ');
            }
            44 if h.len() >= 8 => {
                let off = u16::from_be_bytes([h[2], h[3]]);
                let id = u32::from_be_bytes([h[4], h[5], h[6], h[7]]);
                self.out.s("frag (").hx(u64::from(id), 8).c(b':').u(u64::from(off & 0xfff8)).c(b'|');
                self.out.u(frag_rest as u64).s(") ");
            }
            43 => {
                self.out.s("srcrt (len=").u(u64::from(h[1])).s(") ");
            }
            _ => {}
        }
    }

    fn ip6_payload(&mut self, d: &Dissection<'_>, j: usize, proto: u8, len: usize, ip: IpCtx<'_>) {
        match d.get(j).map(|l| &l.header) {
            Some(Header::Udp(_)) => self.udp(d, j, len, ip),
            Some(Header::Tcp(_)) => self.tcp(d, j, len, ip),
            Some(Header::Icmpv6(_)) => self.icmp6(d, j, len, ip),
            Some(Header::Icmpv4(_)) => self.icmp(d, j, len, ip),
            Some(Header::Igmp(_)) => self.igmp(d, j, len),
            Some(Header::Ipv4(_)) => self.ipv4(d, j, len),
            Some(Header::Ipv6(_)) => self.ipv6(d, j, len),
            _ => {
                if d.error().is_some() && d.len() == j {
                    if matches!(proto, 6 | 17) {
                        self.addrs(ip);
                    }
                    self.trunc_proto(d.error().map_or(Proto::Ipv6, |e| e.proto));
                    return;
                }
                self.out.s("ip-proto-").u(u64::from(proto)).c(b' ').u(len as u64);
            }
        }
    }

    // ----- UDP -----

    fn pseudo_sum(ip: IpCtx<'_>, proto: u8, len: usize) -> u64 {
        let mut acc = sum(0, ip.src);
        acc = sum(acc, ip.dst);
        acc + u64::from(proto) + len as u64
    }

    fn udp(&mut self, d: &Dissection<'_>, j: usize, len: usize, ip: IpCtx<'_>) {
        let Some(Layer { header: Header::Udp(u), .. }) = d.get(j) else { return };
        let b = u.slice();
        let sp = u16::from_be_bytes([b[0], b[1]]);
        let dp = u16::from_be_bytes([b[2], b[3]]);
        let mut ulen = usize::from(u16::from_be_bytes([b[4], b[5]]));
        let addr_ports = |o: &mut Buf| {
            o.ip(ip.src).c(b'.').u(u64::from(sp)).s(" > ").ip(ip.dst).c(b'.').u(u64::from(dp)).s(": ");
        };
        if len < 8 {
            addr_ports(&mut self.out);
            self.out.s("truncated-udp ").u(len as u64);
            return;
        }
        if ulen == 0 && len > 65535 {
            ulen = len;
        }
        if ulen < 8 {
            addr_ports(&mut self.out);
            self.out.s("truncated-udplength ").u(ulen as u64);
            return;
        }
        let ulen = ulen - 8;
        let length = (len - 8).min(ulen);
        addr_ports(&mut self.out);
        let seg = &d.data()[d.get(j).map_or(0, |l| l.offset)..];
        if !ip.fragmented && (ip.v6 || self.opts.verbose > 1) {
            let field = u16::from_be_bytes([b[6], b[7]]);
            if !ip.v6 && field == 0 {
                self.out.s("[no cksum] ");
            } else if seg.len() >= length + 8 {
                let c = fold(sum(Self::pseudo_sum(ip, 17, length + 8), &seg[..length + 8]));
                if c != 0 {
                    self.out.s("[bad udp cksum ").hx(u64::from(field), 4).s(" -> ");
                    self.out.hx(u64::from(should_be(field, c)), 4).s("!] ");
                } else {
                    self.out.s("[udp sum ok] ");
                }
            }
        }
        if self.opts.quiet {
            self.out.s("UDP, length ").u(ulen as u64);
            return;
        }
        match d.get(j + 1).map(|l| &l.header) {
            Some(Header::Vxlan(_)) => self.vxlan(d, j + 1, length),
            Some(Header::VxlanGpe(_)) => self.gpe(d, j + 1, length),
            _ => {
                if let Some(e) = d.error().filter(|_| d.len() == j + 1) {
                    if matches!(e.proto, Proto::Vxlan | Proto::VxlanGpe) {
                        self.out.s(if e.proto == Proto::Vxlan { "VXLAN" } else { "VXLAN-GPE" });
                        if e.proto == Proto::Vxlan && e.kind == ErrorKind::Truncated {
                            let h = d.get(j).map_or(&[][..], |l| l.payload);
                            self.vxlan_fields(h);
                        }
                        self.trunc_proto(e.proto);
                        return;
                    }
                }
                if ulen > length && !ip.fragmented {
                    self.out.s("UDP, bad length ").u(ulen as u64).s(" > ").u(length as u64);
                } else {
                    self.out.s("UDP, length ").u(ulen as u64);
                }
            }
        }
    }

    // ----- VXLAN / VXLAN-GPE -----

    fn vxlan(&mut self, d: &Dissection<'_>, j: usize, len: usize) {
        let Some(Layer { header: Header::Vxlan(v), .. }) = d.get(j) else { return };
        self.out.s("VXLAN");
        self.vxlan_fields(v.header_bytes());
        let inner = len.saturating_sub(8);
        match d.get(j + 1).map(|l| &l.header) {
            Some(Header::Ethernet(_)) => self.ether(d, j + 1, inner),
            _ => {
                if let Some(e) = d.error().filter(|_| d.len() == j + 1) {
                    if e.proto == Proto::Ethernet && self.opts.link_header {
                        let avail = d.get(j).map_or(&[][..], |l| l.payload);
                        self.out.mac(&avail[6.min(avail.len())..12.min(avail.len())]);
                    }
                    self.trunc_proto(e.proto);
                }
            }
        }
    }

    /// The fields of a VXLAN header, whole or cut after `h.len()` bytes, as tcpdump reads them one
    /// by one: the flags with byte 0, the VNI with bytes 4-6 (GBP fields with bytes 1-3).
    fn vxlan_fields(&mut self, h: &[u8]) {
        let Some(&flags) = h.first() else { return };
        self.out.s(", flags [");
        if flags & 0x80 != 0 {
            self.out.s(if flags & 0x08 != 0 { "G,I" } else { "G" }).s("] (").hx(u64::from(flags), 2).s("), ");
            if let [_, g, p0, p1, ..] = *h {
                if g & 0x48 != 0 {
                    self.out.s("gbp-flags [");
                    match (g & 0x40 != 0, g & 0x08 != 0) {
                        (true, true) => self.out.s("D,A"),
                        (true, false) => self.out.s("D"),
                        _ => self.out.s("A"),
                    };
                    self.out.s("] (").hx(u64::from(g), 2).s("), ");
                }
                self.out.s("group-policy-id ").u(u64::from(u16::from_be_bytes([p0, p1]))).s(", ");
            }
        } else {
            self.out.s(if flags & 0x08 != 0 { "I" } else { "." }).s("] (").hx(u64::from(flags), 2).s("), ");
        }
        if let [_, _, _, _, a, b, c, ..] = *h {
            self.out.s("vni ").u(u64::from(u32::from_be_bytes([0, a, b, c]))).c(b'\n');
        }
    }

    /// Writes the names of the bits set in `value`, joined by `sep`, or `none` when none is set
    /// (the flag lists tcpdump prints in brackets: IPv4 flags, ND and prefix flags, GPE flags).
    fn bit_names(&mut self, value: u32, names: &[(u32, &str)], sep: &str) {
        let mut any = false;
        for &(bit, name) in names {
            if value & bit != 0 {
                if any {
                    self.out.s(sep);
                }
                self.out.s(name);
                any = true;
            }
        }
        if !any {
            self.out.s("none");
        }
    }

    fn gpe(&mut self, d: &Dissection<'_>, j: usize, len: usize) {
        let Some(Layer { header: Header::VxlanGpe(v), .. }) = d.get(j) else { return };
        let h = v.header_bytes();
        let flags = h[0];
        self.out.s("VXLAN-GPE, flags [");
        self.bit_names(u32::from(flags), &[(0x08, "I"), (0x04, "P"), (0x02, "B"), (0x01, "O")], "");
        self.out.s("], vni ").u(u64::from(u32::from_be_bytes([0, h[4], h[5], h[6]])));
        self.out.s("\n    ");
        let inner = len.saturating_sub(8);
        match d.get(j + 1).map(|l| &l.header) {
            Some(Header::Ethernet(_)) => self.ether(d, j + 1, inner),
            Some(Header::Ipv4(_)) => self.ipv4(d, j + 1, inner),
            Some(Header::Ipv6(_)) => self.ipv6(d, j + 1, inner),
            _ => {
                if let Some(e) = d.error().filter(|_| d.len() == j + 1) {
                    self.trunc_proto(e.proto);
                } else {
                    match h[3] {
                        4 => self.out.s("NSH"),
                        p => self.out.s("ID ").x0(u64::from(p), 4),
                    };
                }
            }
        }
    }

    // ----- TCP -----

    fn tcp(&mut self, d: &Dissection<'_>, j: usize, len: usize, ip: IpCtx<'_>) {
        let Some(Layer { header: Header::Tcp(t), offset, .. }) = d.get(j) else { return };
        let b = t.slice();
        let sp = u16::from_be_bytes([b[0], b[1]]);
        let dp = u16::from_be_bytes([b[2], b[3]]);
        let mut seq = u32::from_be_bytes([b[4], b[5], b[6], b[7]]);
        let mut ack = u32::from_be_bytes([b[8], b[9], b[10], b[11]]);
        let hlen = usize::from(b[12] >> 4) * 4;
        let flags = b[13];
        let win = u16::from_be_bytes([b[14], b[15]]);
        let urp = u16::from_be_bytes([b[18], b[19]]);
        self.out.ip(ip.src).c(b'.').u(u64::from(sp)).s(" > ").ip(ip.dst).c(b'.').u(u64::from(dp)).s(": ");
        if hlen > len {
            self.out.s(" [bad hdr length ").u(hlen as u64).s(" - too long, > ").u(len as u64).c(b']');
            return;
        }
        if self.opts.quiet {
            self.out.s("tcp ").u((len - hlen) as u64);
            return;
        }
        // Relative sequence numbers, as tcpdump keeps them per conversation.
        let (mut thseq, mut thack, mut rev) = (0u32, 0u32, false);
        if flags & 0x10 != 0 && !self.opts.absolute_seq {
            let (key, r) = conv_key(ip, sp, dp);
            rev = r;
            let slot = (fnv(&key) as usize) % TCP_TABLE;
            let c = &mut self.tcp[slot];
            if !c.used || c.key != key || flags & 0x02 != 0 {
                *c = TcpConv { used: true, key, seq: 0, ack: 0 };
                if rev {
                    c.ack = seq;
                    c.seq = ack.wrapping_sub(1);
                } else {
                    c.seq = seq;
                    c.ack = ack.wrapping_sub(1);
                }
            } else if rev {
                seq = seq.wrapping_sub(c.ack);
                ack = ack.wrapping_sub(c.seq);
            } else {
                seq = seq.wrapping_sub(c.seq);
                ack = ack.wrapping_sub(c.ack);
            }
            thseq = c.seq;
            thack = c.ack;
        }
        self.out.s("Flags [");
        let mut any = false;
        for (bit, n) in [
            (0x01u8, b'F'),
            (0x02, b'S'),
            (0x04, b'R'),
            (0x08, b'P'),
            (0x10, b'.'),
            (0x20, b'U'),
            (0x40, b'E'),
            (0x80, b'W'),
        ] {
            if flags & bit != 0 {
                self.out.c(n);
                any = true;
            }
        }
        if !any {
            self.out.s("none");
        }
        self.out.c(b']');
        let seg = &d.data()[*offset..];
        if !ip.fragmented && seg.len() >= len {
            let field = u16::from_be_bytes([b[16], b[17]]);
            let c = fold(sum(Self::pseudo_sum(ip, 6, len), &seg[..len]));
            self.out.s(", cksum ").hx(u64::from(field), 4);
            if c != 0 {
                self.out.s(" (incorrect -> ").hx(u64::from(should_be(field, c)), 4).c(b')');
            } else {
                self.out.s(" (correct)");
            }
        }
        let dlen = len - hlen;
        if self.opts.verbose > 1 || dlen > 0 || flags & 0x07 != 0 {
            self.out.s(", seq ").u(u64::from(seq));
            if dlen > 0 {
                self.out.c(b':').u(u64::from(seq.wrapping_add(dlen as u32)));
            }
        }
        if flags & 0x10 != 0 {
            self.out.s(", ack ").u(u64::from(ack));
        }
        self.out.s(", win ").u(u64::from(win));
        if flags & 0x20 != 0 {
            self.out.s(", urg ").u(u64::from(urp));
        }
        if hlen > 20 {
            self.out.s(", options [");
            self.tcp_options(&b[20..hlen.min(b.len())], rev, thseq, thack);
            self.out.c(b']');
        }
        self.out.s(", length ").u(dlen as u64);
    }

    fn tcp_options(&mut self, mut o: &[u8], rev: bool, thseq: u32, thack: u32) {
        let mut first = true;
        while let Some(&opt) = o.first() {
            if !first {
                self.out.c(b',');
            }
            first = false;
            let l = if opt <= 1 {
                1
            } else {
                match o.get(1) {
                    Some(&l) if usize::from(l) >= 2 && usize::from(l) <= o.len() => usize::from(l),
                    Some(&l) => {
                        self.tcp_opt_name(opt);
                        self.out.s("[bad opt]");
                        let _ = l;
                        return;
                    }
                    None => {
                        self.tcp_opt_name(opt);
                        self.out.s("[bad opt]");
                        return;
                    }
                }
            };
            self.tcp_opt_name(opt);
            let data = &o[2.min(l)..l];
            let mut expected = None;
            match opt {
                2 => {
                    expected = Some(2);
                    if data.len() >= 2 {
                        self.out.c(b' ').u(u64::from(u16::from_be_bytes([data[0], data[1]])));
                    }
                }
                3 => {
                    expected = Some(1);
                    if let Some(&s) = data.first() {
                        self.out.c(b' ').u(u64::from(s));
                    }
                }
                4 => expected = Some(0),
                5 => {
                    if data.len() % 8 != 0 {
                        self.out.s(" invalid sack");
                    } else {
                        self.out.c(b' ').u((data.len() / 8) as u64).c(b' ');
                        for blk in data.chunks_exact(8) {
                            let mut s = u32::from_be_bytes([blk[0], blk[1], blk[2], blk[3]]);
                            let mut e = u32::from_be_bytes([blk[4], blk[5], blk[6], blk[7]]);
                            let base = if rev { thseq } else { thack };
                            s = s.wrapping_sub(base);
                            e = e.wrapping_sub(base);
                            self.out.c(b'{').u(u64::from(s)).c(b':').u(u64::from(e)).c(b'}');
                        }
                    }
                }
                8 => {
                    expected = Some(8);
                    if data.len() >= 8 {
                        let v = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
                        let e = u32::from_be_bytes([data[4], data[5], data[6], data[7]]);
                        self.out.s(" val ").u(u64::from(v)).s(" ecr ").u(u64::from(e));
                    }
                }
                0 | 1 => {}
                _ => {
                    if !data.is_empty() {
                        self.out.s(" 0x");
                        for &x in data {
                            self.out.x0(u64::from(x), 2);
                        }
                    }
                }
            }
            if let Some(n) = expected {
                if n + 2 != l {
                    self.out.s("[len ").u(l as u64).c(b']');
                }
            }
            o = &o[l..];
            if opt == 0 {
                break;
            }
        }
    }

    fn tcp_opt_name(&mut self, opt: u8) {
        match opt {
            0 => self.out.s("eol"),
            1 => self.out.s("nop"),
            2 => self.out.s("mss"),
            3 => self.out.s("wscale"),
            4 => self.out.s("sackOK"),
            5 => self.out.s("sack"),
            6 => self.out.s("echo"),
            7 => self.out.s("echoreply"),
            8 => self.out.s("TS"),
            11 => self.out.s("cc"),
            12 => self.out.s("ccnew"),
            13 => self.out.s("ccecho"),
            19 => self.out.s("md5"),
            28 => self.out.s("uto"),
            29 => self.out.s("tcp-ao"),
            30 => self.out.s("mptcp"),
            34 => self.out.s("tfo"),
            _ => self.out.s("unknown-").u(u64::from(opt)),
        };
    }

    // ----- ICMP -----

    fn icmp(&mut self, d: &Dissection<'_>, j: usize, len: usize, ip: IpCtx<'_>) {
        let Some(Layer { header: Header::Icmpv4(m), .. }) = d.get(j) else { return };
        let b = m.slice();
        let (ty, code) = (b[0], b[1]);
        let id = u16::from_be_bytes([b[4], b[5]]);
        let sq = u16::from_be_bytes([b[6], b[7]]);
        self.out.s("ICMP ");
        let inner = b.get(8..).unwrap_or(&[]);
        let inner_dst = |o: &mut Buf| {
            if inner.len() >= 20 {
                o.ip4(&inner[16..20]);
            }
        };
        match ty {
            0 | 8 => {
                self.out.s(if ty == 0 { "echo reply" } else { "echo request" });
                self.out.s(", id ").u(u64::from(id)).s(", seq ").u(u64::from(sq));
            }
            3 => {
                match code {
                    0 => {
                        self.out.s("net ");
                        inner_dst(&mut self.out);
                        self.out.s(" unreachable");
                    }
                    1 => {
                        self.out.s("host ");
                        inner_dst(&mut self.out);
                        self.out.s(" unreachable");
                    }
                    2 => {
                        inner_dst(&mut self.out);
                        self.out
                            .s(" protocol ")
                            .u(u64::from(inner.get(9).copied().unwrap_or(0)))
                            .s(" unreachable");
                    }
                    3 => {
                        inner_dst(&mut self.out);
                        let ihl = usize::from(inner.first().map_or(5, |v| v & 0xf)) * 4;
                        let p = inner.get(9).copied().unwrap_or(0);
                        let port =
                            inner.get(ihl + 2..ihl + 4).map_or(0, |x| u16::from_be_bytes([x[0], x[1]]));
                        match p {
                            17 => self.out.s(" udp port ").u(u64::from(port)),
                            6 => self.out.s(" tcp port ").u(u64::from(port)),
                            _ => self.out.s(" protocol ").u(u64::from(p)).s(" port ").u(u64::from(port)),
                        };
                        self.out.s(" unreachable");
                    }
                    4 => {
                        inner_dst(&mut self.out);
                        let mtu = u16::from_be_bytes([b[6], b[7]]);
                        self.out.s(" unreachable - need to frag");
                        if mtu != 0 {
                            self.out.s(" (mtu ").u(u64::from(mtu)).c(b')');
                        }
                    }
                    _ => {
                        inner_dst(&mut self.out);
                        self.out.s(" unreachable - #").u(u64::from(code));
                    }
                };
            }
            11 => {
                self.out.s(match code {
                    0 => "time exceeded in-transit",
                    1 => "ip reassembly time exceeded",
                    _ => "time exceeded-#",
                });
                if code > 1 {
                    self.out.u(u64::from(code));
                }
            }
            4 => {
                self.out.s("source quench");
            }
            13 | 14 => {
                self.out.s(if ty == 13 { "time stamp query" } else { "time stamp reply" });
                self.out.s(" id ").u(u64::from(id)).s(" seq ").u(u64::from(sq));
            }
            _ => {
                self.out.s("type-#").u(u64::from(ty));
            }
        }
        self.out.s(", length ").u(len as u64);
        if !ip.fragmented && b.len() >= len {
            let c = fold(sum(0, &b[..len]));
            if c != 0 {
                let field = u16::from_be_bytes([b[2], b[3]]);
                self.out
                    .s(" (wrong icmp cksum ")
                    .x(u64::from(field))
                    .s(" (->")
                    .x(u64::from(should_be(field, c)));
                self.out.s(")!)");
            }
        }
        if matches!(ty, 3 | 4 | 5 | 11 | 12) && inner.len() >= 20 {
            self.out.s("\n\t");
            let sub = crate::dissect::dissect(
                inner,
                crate::dissect::LinkType::Ipv4,
                &crate::dissect::Config::default(),
            );
            let total = usize::from(u16::from_be_bytes([inner[2], inner[3]]));
            let saved = self.opts.link_header;
            self.opts.link_header = false;
            if sub.get(0).is_some() {
                self.ipv4(&sub, 0, total);
            }
            self.opts.link_header = saved;
        }
    }

    // ----- ICMPv6 -----

    fn icmp6(&mut self, d: &Dissection<'_>, j: usize, len: usize, ip: IpCtx<'_>) {
        let Some(Layer { header: Header::Icmpv6(m), .. }) = d.get(j) else { return };
        let b = m.slice();
        let ty = b[0];
        if !ip.fragmented && b.len() >= len {
            let field = u16::from_be_bytes([b[2], b[3]]);
            let c = fold(sum(Self::pseudo_sum(ip, 58, len), &b[..len]));
            if c != 0 {
                self.out.s("[bad icmp6 cksum ").hx(u64::from(field), 4).s(" -> ");
                self.out.hx(u64::from(should_be(field, c)), 4).s("!] ");
            } else {
                self.out.s("[icmp6 sum ok] ");
            }
        }
        self.out.s("ICMP6, ");
        match icmp6_name(ty) {
            Some(n) => self.out.s(n),
            None => self.out.s("unknown icmp6 type (").u(u64::from(ty)).c(b')'),
        };
        let body = &b[..len.min(b.len())];
        match ty {
            128 | 129 => {
                let id = u16::from_be_bytes([b[4], b[5]]);
                let sq = u16::from_be_bytes([b[6], b[7]]);
                self.out.s(", id ").u(u64::from(id)).s(", seq ").u(u64::from(sq));
            }
            133 => {
                self.out.s(", length ").u(len as u64);
                self.nd_options(body.get(8..).unwrap_or(&[]));
            }
            134 => {
                self.out.s(", length ").u(len as u64);
                if let Ok(ra) = icmpv6::RouterAdvertisement::from_slice(body) {
                    self.out.s("\n\thop limit ").u(u64::from(ra.cur_hop_limit())).s(", Flags [");
                    self.bit_names(
                        u32::from(ra.flags()),
                        &[(0x80, "managed"), (0x40, "other stateful"), (0x20, "home agent"), (0x08, "proxy")],
                        ", ",
                    );
                    let pref = match ra.preference() {
                        0 => "medium",
                        1 => "high",
                        2 => "rsv",
                        _ => "low",
                    };
                    self.out.s("], pref ").s(pref).s(", router lifetime ");
                    self.out.u(u64::from(ra.router_lifetime())).s("s, reachable time ");
                    self.out.u(u64::from(ra.reachable_time())).s("ms, retrans timer ");
                    self.out.u(u64::from(ra.retrans_timer())).s("ms");
                    self.nd_options(&body[icmpv6::RouterAdvertisement::MIN_LEN..]);
                }
            }
            135 => {
                self.out.s(", length ").u(len as u64);
                if let Ok(ns) = icmpv6::NeighborSolicitation::from_slice(body) {
                    self.out.s(", who has ").ip6(&ns.target().octets());
                    self.nd_options(&body[icmpv6::NeighborSolicitation::MIN_LEN..]);
                }
            }
            136 => {
                self.out.s(", length ").u(len as u64);
                if let Ok(na) = icmpv6::NeighborAdvertisement::from_slice(body) {
                    self.out.s(", tgt is ").ip6(&na.target().octets()).s(", Flags [");
                    self.bit_names(
                        u32::from(body[4]),
                        &[(0x80, "router"), (0x40, "solicited"), (0x20, "override")],
                        ", ",
                    );
                    self.out.c(b']');
                    self.nd_options(&body[icmpv6::NeighborAdvertisement::MIN_LEN..]);
                }
            }
            130..=132 => {
                if ty == 130 && len >= 28 {
                    self.out.s(" v2");
                    self.mldv2_query(body);
                } else if ty != 130 || len == 24 {
                    if body.len() >= 24 {
                        self.out.s("max resp delay: ").u(u64::from(u16::from_be_bytes([body[4], body[5]])));
                        self.out.s(" addr: ").ip6(&body[8..24]);
                    }
                } else {
                    self.out.s(" unknown-version (len ").u(len as u64).s(") ");
                }
            }
            143 => self.mldv2_report(body, len),
            _ => {
                self.out.s(", length ").u(len as u64);
            }
        }
    }

    fn nd_options(&mut self, mut o: &[u8]) {
        while o.len() >= 2 {
            let t = o[0];
            let l = usize::from(o[1]) * 8;
            let name = match t {
                1 => "source link-address",
                2 => "destination link-address",
                3 => "prefix info",
                4 => "redirected header",
                5 => "mtu",
                7 => "advertisement interval",
                8 => "homeagent information",
                24 => "route info",
                25 => "rdnss",
                31 => "dnssl",
                _ => "unknown",
            };
            self.out.s("\n\t  ").s(name).s(" option (").u(u64::from(t)).s("), length ").u(l as u64);
            self.out.s(" (").u(u64::from(o[1])).s("): ");
            if l == 0 || l > o.len() {
                self.out.s(" [|icmp6]");
                return;
            }
            let body = &o[2..l];
            match t {
                1 | 2 => {
                    let mut n = body.len();
                    while n > 0 && body[n - 1] == 0 && n > 6 {
                        n -= 1;
                    }
                    self.out.mac(&body[..n]);
                }
                5 if body.len() >= 6 => {
                    self.out.c(b' ').u(u64::from(u32::from_be_bytes([body[2], body[3], body[4], body[5]])));
                }
                25 if body.len() >= 6 => {
                    self.out
                        .s(" lifetime ")
                        .u(u64::from(u32::from_be_bytes([body[2], body[3], body[4], body[5]])));
                    self.out.s("s,");
                    for a in body[6..].chunks_exact(16) {
                        self.out.s(" addr: ").ip6(a);
                    }
                }
                3 if body.len() >= 30 => {
                    self.out.ip6(&body[14..30]).c(b'/').u(u64::from(body[0])).s(", Flags [");
                    let f = body[1];
                    self.bit_names(u32::from(f), &[(0x80, "onlink"), (0x40, "auto"), (0x20, "router")], ", ");
                    self.out.s("], valid time ");
                    self.lifetime(u32::from_be_bytes([body[2], body[3], body[4], body[5]]));
                    self.out.s(", pref. time ");
                    self.lifetime(u32::from_be_bytes([body[6], body[7], body[8], body[9]]));
                }
                _ => {
                    if self.opts.verbose <= 1 {
                        hex::hex(&mut self.out.b, b"\n\t  ", body);
                    }
                }
            }
            if self.opts.verbose > 1 {
                hex::hex(&mut self.out.b, b"\n\t    ", body);
            }
            o = &o[l..];
        }
    }

    fn lifetime(&mut self, t: u32) {
        if t == u32::MAX {
            self.out.s("infinity");
        } else {
            self.out.u(u64::from(t)).c(b's');
        }
    }

    fn mldv2_query(&mut self, b: &[u8]) {
        if b.len() < 28 {
            self.out.s(" [|icmp6]");
            return;
        }
        let mrc = u16::from_be_bytes([b[4], b[5]]);
        let mrt: u64 = if mrc < 32768 {
            u64::from(mrc)
        } else {
            (u64::from(mrc & 0x0fff) | 0x1000) << (((mrc & 0x7000) >> 12) + 3)
        };
        self.out.s(" [max resp delay=").u(mrt).c(b']');
        self.out.s(" [gaddr ").ip6(&b[8..24]);
        if b[24] & 0x08 != 0 {
            self.out.s(" sflag");
        }
        if b[24] & 0x07 != 0 {
            self.out.s(" robustness=").u(u64::from(b[24] & 0x07));
        }
        let qqic = b[25];
        let qqi = if qqic < 128 {
            u64::from(qqic)
        } else {
            (u64::from(qqic & 0x0f) | 0x10) << (((qqic & 0x70) >> 4) + 3)
        };
        self.out.s(" qqi=").u(qqi);
        let n = usize::from(u16::from_be_bytes([b[26], b[27]]));
        if n > 0 {
            if b.len() < 28 + n * 16 {
                self.out.s(" [invalid number of sources]");
            } else if self.opts.verbose > 1 {
                self.out.s(" {");
                for s in b[28..28 + n * 16].chunks_exact(16) {
                    self.out.c(b' ').ip6(s);
                }
                self.out.s(" }");
            } else {
                self.out.s(", ").u(n as u64).s(" source(s)");
            }
        }
        self.out.c(b']');
    }

    fn mldv2_report(&mut self, b: &[u8], len: usize) {
        if len < 8 || b.len() < 8 {
            self.out.s(" [invalid len ").u(len as u64).c(b']');
            return;
        }
        let ngroups = usize::from(u16::from_be_bytes([b[6], b[7]]));
        self.out.s(", ").u(ngroups as u64).s(" group record(s)");
        let mut g = 8usize;
        for _ in 0..ngroups {
            if b.len() < g + 20 {
                self.out.s(" [|icmp6]");
                return;
            }
            self.out.s(" [gaddr ").ip6(&b[g + 4..g + 20]).c(b' ');
            match b[g] {
                1 => self.out.s("is_in"),
                2 => self.out.s("is_ex"),
                3 => self.out.s("to_in"),
                4 => self.out.s("to_ex"),
                5 => self.out.s("allow"),
                6 => self.out.s("block"),
                t => self.out.s(" [v2-report-#").u(u64::from(t)).c(b']'),
            };
            let ns = usize::from(u16::from_be_bytes([b[g + 2], b[g + 3]]));
            let aux = usize::from(b[g + 1]) * 4;
            if b.len() < g + 20 + ns * 16 {
                self.out.s(" [|icmp6]");
                return;
            }
            if self.opts.verbose == 1 {
                self.out.s(", ").u(ns as u64).s(" source(s)");
            } else {
                self.out.s(" {");
                for s in b[g + 20..g + 20 + ns * 16].chunks_exact(16) {
                    self.out.c(b' ').ip6(s);
                }
                self.out.s(" }");
            }
            self.out.c(b']');
            g += 20 + ns * 16 + aux;
        }
    }

    // ----- IGMP -----

    fn igmp(&mut self, d: &Dissection<'_>, j: usize, len: usize) {
        let Some(Layer { header: Header::Igmp(m), .. }) = d.get(j) else { return };
        let b = m.slice();
        if self.opts.quiet {
            self.out.s("igmp");
            return;
        }
        let group = &b[4..8];
        match b[0] {
            0x11 => {
                self.out.s("igmp query");
                if len >= 12 {
                    self.igmpv3_query(b, len);
                } else {
                    if b[1] != 0 {
                        self.out.s(" v2");
                        if b[1] != 100 {
                            self.out.s(" [max resp time ").u(u64::from(b[1])).c(b']');
                        }
                    } else {
                        self.out.s(" v1");
                    }
                    if group != [0, 0, 0, 0] {
                        self.out.s(" [gaddr ").ip4(group).c(b']');
                    }
                    if len != 8 {
                        self.out.s(" [len ").u(len as u64).c(b']');
                    }
                }
            }
            0x12 => {
                self.out.s("igmp v1 report ").ip4(group);
                if len != 8 {
                    self.out.s(" [len ").u(len as u64).c(b']');
                }
            }
            0x16 => {
                self.out.s("igmp v2 report ").ip4(group);
            }
            0x22 => {
                self.out.s("igmp v3 report");
                if !self.igmpv3_report(b, len) {
                    return;
                }
            }
            0x17 => {
                self.out.s("igmp leave ").ip4(group);
            }
            0x13 => {
                self.out.s("igmp dvmrp");
            }
            0x14 => {
                self.out.s("igmp pimv1");
            }
            0x1e | 0x1f => {
                if len < 24 || b.len() < 24 {
                    if b.len() < 24 {
                        self.out.s(" [|igmp]");
                        return;
                    }
                    self.out.s(" [invalid len ").u(len as u64).c(b']');
                    return;
                }
                let q = u32::from_be_bytes([b[20], b[21], b[22], b[23]]);
                self.out.s(if b[0] == 0x1e { "mresp " } else { "mtrace " }).u(u64::from(q & 0xff_ffff));
                self.out.s(": ").ip4(&b[8..12]).s(" to ").ip4(&b[12..16]).s(" reply-to ").ip4(&b[16..20]);
                if b[16] & 0xf0 == 0xe0 {
                    self.out.s(" with-ttl ").u(u64::from(q >> 24));
                }
            }
            t => {
                self.out.s("igmp-").u(u64::from(t));
            }
        }
        if b.len() >= len {
            let c = fold(sum(0, &b[..len]));
            if c != 0 {
                self.out.s(" bad igmp cksum ").x(u64::from(u16::from_be_bytes([b[2], b[3]]))).c(b'!');
            }
        }
    }

    fn igmpv3_query(&mut self, b: &[u8], len: usize) {
        self.out.s(" v3");
        if len < 12 || len & 3 != 0 {
            self.out.s(" [invalid len ").u(len as u64).c(b']');
            return;
        }
        let mrc = b[1];
        let mrt: u32 = if mrc < 128 {
            u32::from(mrc)
        } else {
            (u32::from(mrc & 0x0f) | 0x10) << (((mrc & 0x70) >> 4) + 3)
        };
        if mrc != 100 {
            self.out.s(" [max resp time ");
            if mrt < 600 {
                self.out.u(u64::from(mrt / 10)).c(b'.').u(u64::from(mrt % 10)).c(b's');
            } else {
                self.relts(mrt / 10);
            }
            self.out.c(b']');
        }
        if b[4..8] == [0, 0, 0, 0] {
            return;
        }
        self.out.s(" [gaddr ").ip4(&b[4..8]);
        if b.len() < 12 {
            self.out.s(" [|igmp]");
            return;
        }
        let n = usize::from(u16::from_be_bytes([b[10], b[11]]));
        if n > 0 {
            if len < 12 + n * 4 {
                self.out.s(" [invalid number of sources]");
            } else if self.opts.verbose > 1 {
                self.out.s(" {");
                for i in 0..n {
                    match b.get(12 + 4 * i..16 + 4 * i) {
                        Some(s) => {
                            self.out.c(b' ').ip4(s);
                        }
                        None => {
                            self.out.s(" [|igmp]");
                            return;
                        }
                    }
                }
                self.out.s(" }");
            } else {
                self.out.s(", ").u(n as u64).s(" source(s)");
            }
        }
        self.out.c(b']');
    }

    /// Returns false when it printed a truncation marker (no checksum check follows).
    fn igmpv3_report(&mut self, b: &[u8], len: usize) -> bool {
        if len < 16 || len & 3 != 0 {
            self.out.s(" [invalid len ").u(len as u64).c(b']');
            return true;
        }
        let ngroups = usize::from(u16::from_be_bytes([b[6], b[7]]));
        self.out.s(", ").u(ngroups as u64).s(" group record(s)");
        let mut g = 8usize;
        for _ in 0..ngroups {
            if len < g + 8 {
                self.out.s(" [invalid number of groups]");
                return true;
            }
            let Some(rec) = b.get(g..g + 8) else {
                self.out.s(" [|igmp]");
                return false;
            };
            self.out.s(" [gaddr ").ip4(&rec[4..8]).c(b' ');
            match rec[0] {
                1 => self.out.s("is_in"),
                2 => self.out.s("is_ex"),
                3 => self.out.s("to_in"),
                4 => self.out.s("to_ex"),
                5 => self.out.s("allow"),
                6 => self.out.s("block"),
                t => self.out.s(" [v3-report-#").u(u64::from(t)).c(b']'),
            };
            let ns = usize::from(u16::from_be_bytes([rec[2], rec[3]]));
            if len < g + 8 + ns * 4 {
                self.out.s(" [invalid number of sources ").u(ns as u64).c(b']');
                return true;
            }
            if self.opts.verbose == 1 {
                self.out.s(", ").u(ns as u64).s(" source(s)");
            } else {
                self.out.s(" {");
                for i in 0..ns {
                    match b.get(g + 8 + 4 * i..g + 12 + 4 * i) {
                        Some(s) => {
                            self.out.c(b' ').ip4(s);
                        }
                        None => {
                            self.out.s(" [|igmp]");
                            return false;
                        }
                    }
                }
                self.out.s(" }");
            }
            g += 8 + ns * 4 + usize::from(rec[1]) * 4;
            self.out.c(b']');
        }
        true
    }

    fn relts(&mut self, secs: u32) {
        if secs == 0 {
            self.out.s("0s");
            return;
        }
        let mut s = secs;
        for (unit, c) in
            [(31_536_000u32, b'y'), (604_800, b'w'), (86_400, b'd'), (3_600, b'h'), (60, b'm'), (1, b's')]
        {
            if s >= unit {
                self.out.u(u64::from(s / unit)).c(c);
                s %= unit;
            }
        }
    }
}

fn pad_to(out: &mut Buf, start: usize, width: usize) {
    while out.b.len() - start < width {
        out.b.push(b' ');
    }
}

/// The Ethernet header bytes of the link layer that ends right before layer `j` (skipping tags).
fn ether_before<'a>(d: &Dissection<'a>, j: usize) -> Option<&'a [u8]> {
    let mut k = j;
    while k > 0 {
        k -= 1;
        match &d.get(k)?.header {
            Header::Vlan(_) => continue,
            Header::Ethernet(e) => return Some(e.slice()),
            _ => return None,
        }
    }
    None
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

fn pkttype(t: u16) -> &'static str {
    match t {
        0 => "In",
        1 => "B",
        2 => "M",
        3 => "P",
        4 => "Out",
        _ => "?",
    }
}

/// tcpdump's protocol name in truncation markers.
fn marker(p: Proto) -> &'static str {
    match p {
        Proto::Ethernet => "ether",
        Proto::Vlan => "vlan",
        Proto::LinuxSll => "sll",
        Proto::LinuxSll2 => "sll2",
        Proto::Ipv4 => "ip",
        Proto::Ipv6 | Proto::Ipv6Ext => "ip6",
        Proto::Udp => "udp",
        Proto::Tcp => "tcp",
        Proto::Icmpv4 => "icmp",
        Proto::Icmpv6 => "icmp6",
        Proto::Arp => "arp",
        Proto::Igmp => "igmp",
        Proto::Vxlan => "vxlan",
        Proto::VxlanGpe => "vxlan_gpe",
        _ => "unknown",
    }
}

fn ethertype_name(t: u16) -> Option<&'static str> {
    Some(match t {
        0x0800 => "IPv4",
        0x86dd => "IPv6",
        0x0806 => "ARP",
        0x8035 => "Reverse ARP",
        0x8100 => "802.1Q",
        0x88a8 => "802.1Q-QinQ",
        0x9100 => "802.1Q-9100",
        0x9200 => "802.1Q-9200",
        0x6558 => "TEB",
        0x8847 => "MPLS unicast",
        0x8848 => "MPLS multicast",
        0x88cc => "LLDP",
        0x8863 => "PPPoE D",
        0x8864 => "PPPoE S",
        0x80f3 => "Appletalk ARP",
        0x809b => "Appletalk",
        0x8137 => "IPX",
        0x894f => "NSH",
        0x88f7 => "PTP",
        0x8809 => "Slow Protocols",
        0x888e => "EAPOL",
        0x9000 => "Loopback",
        0x88e5 => "802.1AE MACsec",
        0x0200 => "PUP",
        0x0500 => "Sprite",
        0x0600 => "NS",
        0x1000 => "Trail",
        0x6001 => "MOP DL",
        0x6002 => "MOP RC",
        0x6003 => "DN",
        0x6004 => "LAT",
        0x6007 => "SCA",
        0x8038 => "Lanbridge",
        0x803c => "DECDNS",
        0x803e => "DECDTS",
        0x805b => "VEXP",
        0x805c => "VPROD",
        0x8037 => "IPX-8037",
        0x880b => "PPP",
        0x8808 => "MPCP",
        0x8870 => "Jumbo",
        0x88c7 => "EAPOL Preauth",
        0x88a2 => "AoE",
        0x8906 => "FCoE",
        0x8914 => "FIP",
        0x9001 => "3Com XNS",
        0x8902 => "CFM",
        0x88f5 => "MVRP",
        0x88f6 => "MMRP",
        0x22f0 => "AVTP",
        0x88b5 => "Local Experimental Ethertype 1",
        0x88b6 => "Local Experimental Ethertype 2",
        0x8819 => "CobraNet",
        0x890d => "802.11",
        _ => return None,
    })
}

fn arphrd_name(h: u16) -> Option<&'static str> {
    Some(match h {
        1 => "Ethernet",
        6 => "TokenRing",
        7 => "ArcNet",
        15 => "FrameRelay",
        19 => "ATM",
        23 => "Strip",
        24 => "IEEE 1394",
        32 => "InfiniBand",
        _ => return None,
    })
}

fn ipproto_name(p: u8) -> Option<&'static str> {
    Some(match p {
        0 => "Options",
        1 => "ICMP",
        2 => "IGMP",
        4 => "IPIP",
        6 => "TCP",
        8 => "EGP",
        9 => "IGRP",
        17 => "UDP",
        33 => "DCCP",
        41 => "IPv6",
        43 => "Routing",
        44 => "Fragment",
        46 => "RSVP",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        55 => "Mobile IP",
        58 => "ICMPv6",
        59 => "none",
        60 => "Dst Opts",
        62 => "Mobile IP (old)",
        88 => "EIGRP",
        89 => "OSPF",
        94 => "ND",
        98 => "ENCAP",
        103 => "PIM",
        108 => "Compressed IP",
        112 => "VRRP",
        113 => "PGM",
        132 => "SCTP",
        135 => "Mobility",
        _ => return None,
    })
}

fn icmp6_name(t: u8) -> Option<&'static str> {
    Some(match t {
        1 => "destination unreachable",
        2 => "packet too big",
        3 => "time exceeded in-transit",
        4 => "parameter problem",
        128 => "echo request",
        129 => "echo reply",
        130 => "multicast listener query",
        131 => "multicast listener report",
        132 => "multicast listener done",
        133 => "router solicitation",
        134 => "router advertisement",
        135 => "neighbor solicitation",
        136 => "neighbor advertisement",
        137 => "redirect",
        138 => "router renumbering",
        139 => "node information query",
        140 => "node information reply",
        141 => "inverse neighbor solicitation",
        142 => "inverse neighbor advertisement",
        143 => "multicast listener report v2",
        144 => "ha discovery request",
        145 => "ha discovery reply",
        146 => "mobile router solicitation",
        147 => "mobile router advertisement",
        148 => "certification path solicitation",
        149 => "certification path advertisement",
        151 => "multicast router advertisement",
        152 => "multicast router solicitation",
        153 => "multicast router termination",
        _ => return None,
    })
}

/// The canonical key of a TCP conversation (both directions map to one key) and whether this
/// packet runs in the reverse direction, as tcpdump orders them.
fn conv_key(ip: IpCtx<'_>, sp: u16, dp: u16) -> ([u8; 36], bool) {
    let mut key = [0u8; 36];
    let n = ip.src.len().min(16);
    let cmp = ip.src.cmp(ip.dst);
    let rev = cmp == std::cmp::Ordering::Greater || (cmp == std::cmp::Ordering::Equal && sp > dp);
    let (a, b, pa, pb) = if rev { (ip.dst, ip.src, dp, sp) } else { (ip.src, ip.dst, sp, dp) };
    if let (Ok(a), Ok(b)) = (<&[u8; 4]>::try_from(a), <&[u8; 4]>::try_from(b)) {
        // IPv4: fixed-size copies instead of two `memcpy` calls.
        key[..4].copy_from_slice(a);
        key[16..20].copy_from_slice(b);
    } else {
        key[..n].copy_from_slice(&a[..n]);
        key[16..16 + n].copy_from_slice(&b[..n]);
    }
    key[32..34].copy_from_slice(&pa.to_be_bytes());
    key[34..36].copy_from_slice(&pb.to_be_bytes());
    (key, rev)
}

fn fnv(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h ^= u64::from(x);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The time zone local times are printed in, found as glibc's `localtime` (tcpdump's) finds it:
/// `TZ` unset: `/etc/localtime`; `TZ` empty: UTC; otherwise, after an optional leading `:`, a
/// TZif file (an absolute path, or a name under `$TZDIR`, default `/usr/share/zoneinfo`), else a
/// POSIX rule such as `EST5EDT,M3.2.0,M11.1.0`, else UTC (`None`).
///
/// Only offsets are printed, never zone names, so the zone is read directly: jiff's
/// `TimeZone::try_system` also indexes the whole zoneinfo tree to learn the zone's name, about a
/// millisecond of directory reads per run.
fn local_zone() -> Option<jiff::tz::TimeZone> {
    use jiff::tz::TimeZone;
    use std::path::PathBuf;
    let tzif = |path: PathBuf| std::fs::read(path).ok().and_then(|d| TimeZone::tzif("localtime", &d).ok());
    let Some(tz) = std::env::var_os("TZ") else { return tzif(PathBuf::from("/etc/localtime")) };
    let tz = tz.to_str()?;
    let tz = tz.strip_prefix(':').unwrap_or(tz);
    if tz.is_empty() {
        return None;
    }
    let path = if tz.starts_with('/') {
        PathBuf::from(tz)
    } else {
        PathBuf::from(std::env::var_os("TZDIR").unwrap_or_else(|| "/usr/share/zoneinfo".into())).join(tz)
    };
    tzif(path).or_else(|| TimeZone::posix(tz).ok())
}

/// The local time zone's UTC offset, cached per 15-minute slot (offsets change on such bounds).
struct TzCache {
    /// The local time zone ([`local_zone`]), looked up on first use (`None` inside: UTC), so that
    /// runs that never print a local time (`--json`, `--summary`, `-tt`, or a `--vni` that
    /// matches nothing) do not read it.
    tz: Option<Option<jiff::tz::TimeZone>>,
    slot: i64,
    offset: i64,
}

impl TzCache {
    fn system() -> TzCache {
        TzCache { tz: None, slot: i64::MIN, offset: 0 }
    }

    fn offset(&mut self, secs: i64) -> i64 {
        let slot = secs.div_euclid(900);
        if slot != self.slot {
            self.slot = slot;
            let tz = self.tz.get_or_insert_with(local_zone);
            self.offset = match (&*tz, jiff::Timestamp::from_second(secs)) {
                (Some(tz), Ok(ts)) => i64::from(tz.to_offset(ts).seconds()),
                _ => 0,
            };
        }
        self.offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_684), (2023, 11, 23));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
