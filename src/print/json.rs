//! One JSON object per packet and line (`vxdump --json`); the schema is in the README, section `--json`.
//!
//! The printer writes straight into the output (no `serde_json::Value` per packet, no `format!`,
//! no allocation): numbers, addresses and the timestamp are formatted on the stack.
//!
//! ```
//! use vxwire::dissect::{dissect, Config, LinkType};
//! use vxwire::print::{json, PacketInfo};
//! // A raw-IP frame whose version nibble is 13: the line says what went wrong and where.
//! let frame = [0xd5; 20];
//! let d = dissect(&frame, LinkType::RawIp, &Config::default());
//! let info = PacketInfo { n: 1, ts_sec: 0, ts_nsec: 0, caplen: 20, len: 20 };
//! let mut out = Vec::new();
//! json::write_packet(&mut out, &info, &d)?;
//! let line = String::from_utf8(out)?;
//! assert!(line.starts_with("{\"n\":1,") && line.contains("bad IP header version (13, expected 4 or 6)"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::PacketInfo;
use crate::dissect::{Dissection, Header, Layer};
use crate::error::{Error, Proto};
use crate::wire::icmpv6::{self, Icmpv6Message};
use crate::wire::igmp::{IgmpSlice, IgmpType};
use core::fmt::Write as _;
use std::io::{self, Write};
use std::vec::Vec;

/// The `proto` name of a layer or error in the JSON output ([`Proto::short_name`]).
pub const fn proto_name(p: Proto) -> &'static str {
    p.short_name()
}

/// Writes one packet as a JSON object followed by a newline.
///
/// # Errors
/// Any error of `out`.
pub fn write_packet(out: &mut dyn Write, info: &PacketInfo, d: &Dissection<'_>) -> io::Result<()> {
    std::thread_local! {
        /// The line being built: one `write_all` per packet instead of one dynamic call per
        /// fragment; allocated once per thread and reused.
        static LINE: core::cell::RefCell<Vec<u8>> = core::cell::RefCell::new(Vec::with_capacity(4096));
    }
    LINE.with(|line| match line.try_borrow_mut() {
        Ok(mut b) => {
            b.clear();
            write_line(&mut b, info, d)?;
            out.write_all(&b)
        }
        // Only reachable if `out` itself printed a packet from inside `write_all`.
        Err(_) => {
            let mut b = Vec::new();
            write_line(&mut b, info, d)?;
            out.write_all(&b)
        }
    })
}

/// The JSON line of one packet, appended to `out`.
fn write_line(out: &mut Vec<u8>, info: &PacketInfo, d: &Dissection<'_>) -> io::Result<()> {
    let mut w = Json { out };
    w.raw("{\"n\":")?;
    w.uint(info.n)?;
    w.raw(",\"ts\":\"")?;
    w.timestamp(info.ts_sec, info.ts_nsec)?;
    w.raw("\",\"caplen\":")?;
    w.uint(info.caplen as u64)?;
    w.raw(",\"len\":")?;
    w.uint(u64::from(info.len))?;
    w.raw(",\"layers\":[")?;
    let err = d.error();
    let mut first = true;
    let last = d.len().saturating_sub(1);
    for (i, l) in d.layers().enumerate() {
        if !first {
            w.raw(",")?;
        }
        first = false;
        w.layer(l)?;
        // UDP/TCP: whether the checksum is right, absent or left to offload (CHECKSUM_PARTIAL).
        if matches!(l.header, Header::Udp(_) | Header::Tcp(_)) {
            if let Some(c) = d.checksum(i) {
                w.raw(",\"checksum_status\":\"")?;
                w.raw(c.name())?;
                w.raw("\"")?;
            }
        }
        // An error about this very layer (a bad length field) goes into its object.
        if let Some(e) = err.filter(|e| i == last && e.offset == l.offset && e.proto == l.header.proto()) {
            w.raw(",\"error\":")?;
            w.error(e)?;
        }
        w.raw("}")?;
    }
    match err {
        Some(e) if !d.last().is_some_and(|l| e.offset == l.offset && e.proto == l.header.proto()) => {
            if !first {
                w.raw(",")?;
            }
            w.raw("{\"proto\":\"")?;
            w.raw(proto_name(e.proto))?;
            w.raw("\",\"offset\":")?;
            w.uint(e.offset as u64)?;
            w.raw(",\"error\":")?;
            w.error(e)?;
            w.raw("}")?;
        }
        Some(_) => {}
        None => {
            let rest = d.remaining();
            if !rest.is_empty() {
                if !first {
                    w.raw(",")?;
                }
                w.raw("{\"proto\":\"payload\",\"offset\":")?;
                w.uint((d.data().len() - rest.len()) as u64)?;
                w.raw(",\"len\":")?;
                w.uint(rest.len() as u64)?;
                w.raw("}")?;
            }
        }
    }
    w.raw("]}\n")
}

struct Json<'o> {
    out: &'o mut Vec<u8>,
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A small stack buffer for `core::fmt` output (addresses, error texts).
struct StackBuf {
    buf: [u8; 160],
    len: usize,
}

impl core::fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

impl Json<'_> {
    fn raw(&mut self, s: &str) -> io::Result<()> {
        self.out.write_all(s.as_bytes())
    }

    fn uint(&mut self, v: u64) -> io::Result<()> {
        super::fmt::decimal(self.out, v);
        Ok(())
    }

    fn key_uint(&mut self, key: &str, v: u64) -> io::Result<()> {
        self.raw(",\"")?;
        self.raw(key)?;
        self.raw("\":")?;
        self.uint(v)
    }

    fn key_bool(&mut self, key: &str, v: bool) -> io::Result<()> {
        self.raw(",\"")?;
        self.raw(key)?;
        self.raw(if v { "\":true" } else { "\":false" })
    }

    fn key(&mut self, key: &str) -> io::Result<()> {
        self.raw(",\"")?;
        self.raw(key)?;
        self.raw("\":")
    }

    /// Bytes as `aa:bb:...` in quotes (a MAC address for 6 bytes).
    fn hw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.raw("\"")?;
        for (i, b) in bytes.iter().enumerate() {
            if i > 0 {
                self.raw(":")?;
            }
            self.out.write_all(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])?;
        }
        self.raw("\"")
    }

    fn ipv4(&mut self, a: [u8; 4]) -> io::Result<()> {
        let mut b = [0u8; 17];
        let mut n = 0;
        b[n] = b'"';
        n += 1;
        for (i, o) in a.iter().enumerate() {
            if i > 0 {
                b[n] = b'.';
                n += 1;
            }
            if *o >= 100 {
                b[n] = b'0' + o / 100;
                n += 1;
            }
            if *o >= 10 {
                b[n] = b'0' + (o / 10) % 10;
                n += 1;
            }
            b[n] = b'0' + o % 10;
            n += 1;
        }
        b[n] = b'"';
        self.out.write_all(&b[..=n])
    }

    fn ipv6(&mut self, a: [u8; 16]) -> io::Result<()> {
        let mut s = StackBuf { buf: [0; 160], len: 0 };
        let _ = write!(s, "\"{}\"", core::net::Ipv6Addr::from(a));
        self.out.write_all(&s.buf[..s.len])
    }

    /// A protocol address: dotted IPv4 for 4 bytes, IPv6 text for 16, else colon hex.
    fn paddr(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Ok(a) = <[u8; 4]>::try_from(bytes) {
            self.ipv4(a)
        } else if let Ok(a) = <[u8; 16]>::try_from(bytes) {
            self.ipv6(a)
        } else {
            self.hw(bytes)
        }
    }

    fn error(&mut self, e: &Error) -> io::Result<()> {
        let mut s = StackBuf { buf: [0; 160], len: 0 };
        let _ = write!(s, "{e}");
        self.raw("\"")?;
        // Error texts are ASCII without quotes or backslashes; escape defensively anyway.
        for &c in &s.buf[..s.len] {
            match c {
                b'"' | b'\\' => self.out.write_all(&[b'\\', c])?,
                0..=0x1f => self.out.write_all(b"?")?,
                _ => self.out.write_all(&[c])?,
            }
        }
        self.raw("\"")
    }

    /// `YYYY-MM-DDTHH:MM:SS.uuuuuuZ` (UTC, microseconds; years outside 0..=9999 are clamped).
    fn timestamp(&mut self, sec: i64, nsec: u32) -> io::Result<()> {
        let (y, m, d) = civil_from_days(sec.div_euclid(86_400));
        let secs = sec.rem_euclid(86_400) as u32;
        let mut b = *b"0000-00-00T00:00:00.000000Z";
        let mut digits = |at: usize, width: usize, mut v: u32| {
            for i in (0..width).rev() {
                b[at + i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        };
        digits(0, 4, y.clamp(0, 9999) as u32);
        digits(5, 2, m);
        digits(8, 2, d);
        digits(11, 2, secs / 3600);
        digits(14, 2, secs / 60 % 60);
        digits(17, 2, secs % 60);
        digits(20, 6, nsec.min(999_999_999) / 1000);
        self.out.write_all(&b)
    }

    /// Opens the layer's object and writes its fields (the caller closes it).
    fn layer(&mut self, l: &Layer<'_>) -> io::Result<()> {
        self.raw("{\"proto\":\"")?;
        self.raw(proto_name(l.header.proto()))?;
        self.raw("\",\"offset\":")?;
        self.uint(l.offset as u64)?;
        match &l.header {
            Header::Ethernet(h) => {
                self.key("src")?;
                self.hw(&h.source())?;
                self.key("dst")?;
                self.hw(&h.destination())?;
                self.key_uint("ethertype", u64::from(h.ether_type().0))
            }
            Header::Vlan(h) => {
                self.key_uint("id", u64::from(h.vlan_identifier().value()))?;
                self.key_uint("pcp", u64::from(h.priority_code_point().value()))?;
                self.key_bool("dei", h.drop_eligible_indicator())?;
                self.key_uint("ethertype", u64::from(h.ether_type().0))
            }
            Header::LinuxSll(h) => {
                self.key_uint("pkttype", u64::from(h.packet_type()))?;
                self.key_uint("hatype", u64::from(h.arphrd_type()))?;
                self.key("addr")?;
                self.hw(h.addr())?;
                self.key_uint("ethertype", u64::from(h.protocol()))
            }
            Header::LinuxSll2(h) => {
                self.key_uint("ifindex", u64::from(h.if_index()))?;
                self.key_uint("pkttype", u64::from(h.packet_type()))?;
                self.key_uint("hatype", u64::from(h.arphrd_type()))?;
                self.key("addr")?;
                self.hw(h.addr())?;
                self.key_uint("ethertype", u64::from(h.protocol()))
            }
            Header::Arp(a) => {
                self.key_uint("htype", u64::from(a.hw_addr_type().0))?;
                self.key_uint("ptype", u64::from(a.proto_addr_type().0))?;
                self.key_uint("op", u64::from(a.operation().0))?;
                self.key("sha")?;
                self.hw(a.sender_hw_addr())?;
                self.key("spa")?;
                self.paddr(a.sender_protocol_addr())?;
                self.key("tha")?;
                self.hw(a.target_hw_addr())?;
                self.key("tpa")?;
                self.paddr(a.target_protocol_addr())
            }
            Header::Ipv4(h) => {
                self.key("src")?;
                self.ipv4(h.source())?;
                self.key("dst")?;
                self.ipv4(h.destination())?;
                self.key_uint("ttl", u64::from(h.ttl()))?;
                self.key_uint("protocol", u64::from(h.protocol().0))?;
                self.key_uint("tos", u64::from(h.slice()[1]))?;
                self.key_uint("id", u64::from(h.identification()))?;
                self.key_uint("len", u64::from(h.total_len()))?;
                self.key_uint("hlen", h.slice().len() as u64)?;
                self.key_bool("df", h.dont_fragment())?;
                self.key_bool("mf", h.more_fragments())?;
                self.key_uint("frag_offset", u64::from(h.fragments_offset().value()))?;
                self.key_uint("checksum", u64::from(h.header_checksum()))
            }
            Header::Ipv6(h) => {
                self.key("src")?;
                self.ipv6(h.source())?;
                self.key("dst")?;
                self.ipv6(h.destination())?;
                self.key_uint("hlim", u64::from(h.hop_limit()))?;
                self.key_uint("protocol", u64::from(h.next_header().0))?;
                self.key_uint("plen", u64::from(h.payload_length()))?;
                self.key_uint("tclass", u64::from(h.traffic_class()))?;
                self.key_uint("flow", u64::from(h.flow_label().value()))
            }
            Header::Ipv6Ext(e) => self.key_uint("len", e.slice().len() as u64),
            Header::Udp(h) => {
                self.key_uint("sport", u64::from(h.source_port()))?;
                self.key_uint("dport", u64::from(h.destination_port()))?;
                self.key_uint("len", u64::from(h.length()))?;
                self.key_uint("checksum", u64::from(h.checksum()))
            }
            Header::Tcp(h) => {
                self.key_uint("sport", u64::from(h.source_port()))?;
                self.key_uint("dport", u64::from(h.destination_port()))?;
                self.key_uint("seq", u64::from(h.sequence_number()))?;
                self.key_uint("ack", u64::from(h.acknowledgment_number()))?;
                let s = h.slice();
                self.key_uint("flags", u64::from(u16::from_be_bytes([s[12] & 0x01, s[13]])))?;
                self.key_uint("win", u64::from(h.window_size()))?;
                self.key_uint("hlen", s.len() as u64)?;
                self.key_uint("len", l.payload.len() as u64)?;
                self.key_uint("checksum", u64::from(h.checksum()))
            }
            Header::Icmpv4(h) => {
                self.key_uint("type", u64::from(h.type_u8()))?;
                self.key_uint("code", u64::from(h.code_u8()))?;
                self.key_uint("checksum", u64::from(h.checksum()))?;
                if matches!(h.type_u8(), 0 | 8 | 13 | 14) {
                    let b = h.bytes5to8();
                    self.key_uint("id", u64::from(u16::from_be_bytes([b[0], b[1]])))?;
                    self.key_uint("seq", u64::from(u16::from_be_bytes([b[2], b[3]])))?;
                }
                Ok(())
            }
            Header::Icmpv6(h) => {
                self.key_uint("type", u64::from(h.type_u8()))?;
                self.key_uint("code", u64::from(h.code_u8()))?;
                self.key_uint("checksum", u64::from(h.checksum()))?;
                self.icmpv6(h.slice())
            }
            Header::Igmp(g) => self.igmp(g),
            Header::Vxlan(v) => {
                self.key_uint("flags", u64::from(v.flags().0))?;
                self.key_uint("vni", u64::from(v.vni().get()))?;
                self.key("gbp")?;
                match v.gbp() {
                    None => self.raw("null"),
                    Some(g) => {
                        self.raw("{\"group_policy_id\":")?;
                        self.uint(u64::from(g.group_policy_id))?;
                        self.key_bool("dont_learn", g.dont_learn)?;
                        self.key_bool("policy_applied", g.policy_applied)?;
                        self.raw("}")
                    }
                }
            }
            Header::VxlanGpe(v) => {
                self.key_uint("flags", u64::from(v.flags().0))?;
                self.key_uint("next_proto", u64::from(v.next_proto().0))?;
                self.key_uint("vni", u64::from(v.vni().get()))
            }
        }
    }

    fn icmpv6(&mut self, m: &[u8]) -> io::Result<()> {
        match icmpv6::parse(m) {
            Ok(Icmpv6Message::EchoRequest { id, seq } | Icmpv6Message::EchoReply { id, seq }) => {
                self.key_uint("id", u64::from(id))?;
                self.key_uint("seq", u64::from(seq))
            }
            Ok(Icmpv6Message::NeighborSolicitation(v)) => {
                self.key("target")?;
                self.ipv6(v.target().octets())
            }
            Ok(Icmpv6Message::NeighborAdvertisement(v)) => {
                self.key("target")?;
                self.ipv6(v.target().octets())?;
                self.key_bool("router", v.router())?;
                self.key_bool("solicited", v.solicited())?;
                self.key_bool("override", v.override_flag())
            }
            Ok(Icmpv6Message::MldQuery(v) | Icmpv6Message::MldReport(v) | Icmpv6Message::MldDone(v)) => {
                self.key_uint("mld_version", 1)?;
                self.key("group")?;
                self.ipv6(v.multicast_address().octets())
            }
            Ok(Icmpv6Message::Mld2Query(q)) => {
                self.key_uint("mld_version", 2)?;
                self.key("group")?;
                self.ipv6(q.multicast_address().octets())?;
                self.key("sources")?;
                self.list(q.sources(), |w, s| w.ipv6(s.octets()))
            }
            Ok(Icmpv6Message::Mld2Report(r)) => {
                self.key_uint("mld_version", 2)?;
                self.key("records")?;
                self.list(r.records(), |w, rec| {
                    let sources = rec.sources().map(|a| a.octets());
                    w.group_record(rec.record_type.0, rec.multicast_address.octets(), sources, Self::ipv6)
                })
            }
            _ => Ok(()),
        }
    }

    /// A JSON array of `items`, each written by `item`.
    fn list<T>(
        &mut self,
        items: impl Iterator<Item = T>,
        mut item: impl FnMut(&mut Self, T) -> io::Result<()>,
    ) -> io::Result<()> {
        self.raw("[")?;
        for (i, t) in items.enumerate() {
            if i > 0 {
                self.raw(",")?;
            }
            item(self, t)?;
        }
        self.raw("]")
    }

    /// One IGMPv3 or MLDv2 group record: `{"type":..,"group":..,"sources":[..]}`, addresses
    /// written by `addr` (IPv4 or IPv6).
    fn group_record<A>(
        &mut self,
        record_type: u8,
        group: A,
        sources: impl Iterator<Item = A>,
        addr: fn(&mut Self, A) -> io::Result<()>,
    ) -> io::Result<()> {
        self.raw("{\"type\":")?;
        self.record_type(record_type)?;
        self.key("group")?;
        addr(self, group)?;
        self.key("sources")?;
        self.list(sources, addr)?;
        self.raw("}")
    }

    fn record_type(&mut self, t: u8) -> io::Result<()> {
        match crate::wire::igmp::RecordType(t).known_name() {
            Some(n) => {
                self.raw("\"")?;
                self.raw(n)?;
                self.raw("\"")
            }
            None => self.uint(u64::from(t)),
        }
    }

    fn igmp(&mut self, g: &IgmpSlice<'_>) -> io::Result<()> {
        self.key("version")?;
        match g.version() {
            Some(v) => self.uint(u64::from(v.number()))?,
            None => self.raw("null")?,
        }
        self.key_uint("type", u64::from(g.igmp_type().0))?;
        self.key_uint("max_resp", u64::from(g.max_resp_code()))?;
        self.key_uint("checksum", u64::from(g.checksum()))?;
        self.key("group")?;
        if g.igmp_type() == IgmpType::V3_REPORT {
            self.raw("null")?;
        } else {
            self.ipv4(g.group().octets())?;
        }
        if let Some(q) = g.v3_query() {
            self.key_bool("s", q.s_flag())?;
            self.key_uint("qrv", u64::from(q.qrv()))?;
            self.key_uint("qqic", u64::from(q.qqic()))?;
            self.key("sources")?;
            self.list(q.sources(), |w, s| w.ipv4(s.octets()))?;
        }
        if let Some(r) = g.v3_report() {
            self.key("records")?;
            self.list(r.records(), |w, rec| {
                let sources = rec.sources().map(|a| a.octets());
                w.group_record(rec.record_type.0, rec.group.octets(), sources, Self::ipv4)
            })?;
        }
        Ok(())
    }
}

/// The proleptic Gregorian date (year, month 1–12, day 1–31) of a day count since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        // date -u -d 2026-11-23 +%s = 1795392000.
        assert_eq!(civil_from_days(1_795_392_000 / 86_400), (2026, 11, 23));
    }

    #[test]
    fn timestamp_text() {
        let mut v = std::vec::Vec::new();
        // date -u -d @1763918490 +%FT%T = 2025-11-23T17:21:30.
        Json { out: &mut v }.timestamp(1_763_918_490, 702_407_999).unwrap();
        assert_eq!(std::str::from_utf8(&v).unwrap(), "2025-11-23T17:21:30.702407Z");
    }
}
