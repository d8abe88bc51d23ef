//! A seeded, deterministic mutation generator for captured frames: the broken packets of
//! `tests/mutants_tcpdump.rs` (and the text printer's fuzz seeds).
//!
//! A mutant is a frame of a real capture with one change:
//! - a bit flipped, or a few bytes set to random values, anywhere in the frame;
//! - a length field set to a lie (0, 1, 8, its value ± 1, the rest of the frame + 1, 0xffff, ...)
//!   in every header that has one: IPv4 total length and IHL (and the option lengths), IPv6
//!   payload length and extension-header lengths, UDP length, TCP data offset, ARP address sizes,
//!   IGMPv3 record and source counts and aux-data lengths, the IPv4 header an ICMP error quotes,
//!   ND option lengths; version nibbles, VXLAN flags and IPv4 fragment fields likewise;
//! - a cut (a snap length) at every header boundary ± 1, or at a random offset.
//!
//! The headers are found with vxwire's own dissector; what a mutant must print is tcpdump's
//! business, not the dissector's. The same seed gives the same mutants on every machine (a
//! SplitMix64 generator, no dependency).

use vxwire::dissect::{dissect, Config, Dissection, Header, LinkType};

/// SplitMix64: small, fast, and the same sequence everywhere.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// One element of a non-empty slice.
    pub fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[self.below(v.len())]
    }
}

/// What was done to a frame, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Bit `bit` (0 = most significant) of byte `at` flipped.
    BitFlip { at: usize, bit: u8 },
    /// Bytes from `at` set to random values.
    Bytes { at: usize, n: usize },
    /// The field `name` at byte `at` set to `value`: `width` 1 = a byte, 2 = a big-endian u16,
    /// 0 = the low nibble, 3 = the high nibble of the byte.
    Field { name: &'static str, at: usize, width: u8, value: u16 },
    /// The frame cut to `at` bytes.
    Cut { at: usize },
}

/// A mutated frame.
#[derive(Clone, Debug)]
pub struct Mutant {
    /// The bytes after the change (shorter than the original after a cut).
    pub data: Vec<u8>,
    /// What was changed.
    pub change: Change,
}

/// A length-like field of a header: where it is, how wide, and what the truth would be.
#[derive(Clone, Copy, Debug)]
struct Field {
    name: &'static str,
    at: usize,
    /// 1 or 2 bytes; 0 for the low nibble of a byte, 3 for the high nibble.
    width: u8,
    /// Bytes from the field's header to the end of the frame (a lie of `rest + 1` reads past it).
    rest: usize,
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

/// The length-like fields of one layer at `o`.
fn layer_fields(d: &Dissection<'_>, h: &Header<'_>, o: usize, out: &mut Vec<Field>) {
    let b = d.data();
    let rest = b.len().saturating_sub(o);
    let mut f = |name: &'static str, at: usize, width: u8| {
        if at + if width == 2 { 2 } else { 1 } <= b.len() {
            out.push(Field { name, at, width, rest });
        }
    };
    match h {
        Header::Ipv4(_) => {
            f("ip.version", o, 3);
            f("ip.ihl", o, 0);
            f("ip.len", o + 2, 2);
            f("ip.frag", o + 6, 2);
            f("ip.proto", o + 9, 1);
            let ihl = usize::from(b[o] & 15) * 4;
            if ihl > 20 {
                f("ip.opt.type", o + 20, 1);
                f("ip.opt.len", o + 21, 1);
            }
        }
        Header::Ipv6(_) => {
            f("ip6.version", o, 3);
            f("ip6.plen", o + 4, 2);
            f("ip6.nxt", o + 6, 1);
        }
        Header::Ipv6Ext(_) => {
            f("ip6ext.nxt", o, 1);
            f("ip6ext.len", o + 1, 1);
            f("ip6ext.opt.len", o + 3, 1);
        }
        Header::Udp(_) => f("udp.len", o + 4, 2),
        Header::Tcp(_) => f("tcp.off", o + 12, 3),
        Header::Arp(_) => {
            f("arp.hln", o + 4, 1);
            f("arp.pln", o + 5, 1);
            f("arp.op", o + 6, 2);
        }
        Header::Vxlan(_) | Header::VxlanGpe(_) => f("vxlan.flags", o, 1),
        Header::Igmp(_) => igmp_fields(b, o, &mut f),
        Header::Icmpv4(_) => {
            f("icmp.type", o, 1);
            // The IPv4 header an error quotes.
            f("icmp.ip.ihl", o + 8, 0);
            f("icmp.ip.version", o + 8, 3);
            f("icmp.ip.len", o + 10, 2);
            f("icmp.ip.proto", o + 17, 1);
        }
        Header::Icmpv6(_) => {
            f("icmp6.type", o, 1);
            // The first ND option of a solicitation/advertisement, or a quoted IPv6 header.
            f("icmp6.nd.len", o + 25, 1);
            f("icmp6.nd.len", o + 41, 1);
            f("icmp6.ip6.plen", o + 12, 2);
            f("icmp6.mld2.nrec", o + 6, 2);
            f("icmp6.mld2.auxlen", o + 9, 1);
            f("icmp6.mld2.nsrc", o + 10, 2);
        }
        _ => {}
    }
}

/// IGMPv3 counts and lengths (record count, first record's aux length and source count; a
/// query's source count).
fn igmp_fields(b: &[u8], o: usize, f: &mut dyn FnMut(&'static str, usize, u8)) {
    match b.get(o) {
        Some(0x22) => {
            f("igmp.nrec", o + 6, 2);
            f("igmp.rec.type", o + 8, 1);
            f("igmp.rec.auxlen", o + 9, 1);
            f("igmp.rec.nsrc", o + 10, 2);
            if let Some(n) = be16(b, o + 10) {
                let next = o + 16 + 4 * usize::from(n) + 4 * usize::from(b[o + 9]);
                f("igmp.rec2.auxlen", next + 1, 1);
                f("igmp.rec2.nsrc", next + 2, 2);
            }
        }
        Some(0x11) => {
            f("igmp.code", o + 1, 1);
            f("igmp.query.nsrc", o + 10, 2);
        }
        _ => f("igmp.type", o, 1),
    }
}

/// Every length-like field of a frame and every header boundary.
fn survey(frame: &[u8], link: LinkType, config: &Config) -> (Vec<Field>, Vec<usize>) {
    let d = dissect(frame, link, config);
    let mut fields = Vec::new();
    let mut bounds = Vec::new();
    for l in d.layers() {
        layer_fields(&d, &l.header, l.offset, &mut fields);
        bounds.push(l.offset);
        let end = frame.len() - l.payload.len().min(frame.len());
        if l.payload.as_ptr() as usize >= frame.as_ptr() as usize {
            bounds.push((l.payload.as_ptr() as usize - frame.as_ptr() as usize).min(frame.len()));
        } else {
            bounds.push(end);
        }
    }
    (fields, bounds)
}

/// The lies told in a field: the classic ones, the truth ± 1, and one random value.
fn lie(rng: &mut Rng, f: &Field, cur: u16) -> u16 {
    let max = match f.width {
        0 | 3 => 15,
        1 => 255,
        _ => 0xffff,
    };
    let rest = u16::try_from(f.rest).unwrap_or(u16::MAX);
    let v = match rng.below(10) {
        0 => 0,
        1 => 1,
        2 => 8,
        3 => cur.wrapping_add(1),
        4 => cur.wrapping_sub(1),
        5 => rest.wrapping_add(1),
        6 => rest.wrapping_sub(1),
        7 => 0xffff,
        8 => cur ^ 0x8000,
        _ => rng.next() as u16,
    };
    v & max
}

fn set_field(data: &mut [u8], f: &Field, v: u16) {
    match f.width {
        0 => data[f.at] = (data[f.at] & 0xf0) | (v as u8 & 15),
        3 => data[f.at] = (data[f.at] & 0x0f) | ((v as u8 & 15) << 4),
        1 => data[f.at] = v as u8,
        _ => data[f.at..f.at + 2].copy_from_slice(&v.to_be_bytes()),
    }
}

fn get_field(data: &[u8], f: &Field) -> u16 {
    match f.width {
        0 => u16::from(data[f.at] & 15),
        3 => u16::from(data[f.at] >> 4),
        1 => u16::from(data[f.at]),
        _ => be16(data, f.at).unwrap_or(0),
    }
}

/// One mutant of `frame`, chosen by `rng`: bit flips and random bytes 20 % each, field lies
/// 40 %, cuts at a header boundary ± 1 15 %, cuts anywhere 5 %. `None` for an empty frame.
pub fn mutate(rng: &mut Rng, frame: &[u8], link: LinkType, config: &Config) -> Option<Mutant> {
    if frame.is_empty() {
        return None;
    }
    let (fields, bounds) = survey(frame, link, config);
    let mut data = frame.to_vec();
    let roll = rng.below(100);
    let change = if roll < 40 && !fields.is_empty() {
        let f = fields[rng.below(fields.len())];
        let v = lie(rng, &f, get_field(&data, &f));
        set_field(&mut data, &f, v);
        Change::Field { name: f.name, at: f.at, width: f.width, value: v }
    } else if roll < 55 && !bounds.is_empty() {
        let b = rng.pick(&bounds) as isize + rng.below(3) as isize - 1;
        let at = (b.max(0) as usize).min(frame.len().saturating_sub(1));
        data.truncate(at);
        Change::Cut { at }
    } else if roll < 60 {
        let at = rng.below(frame.len());
        data.truncate(at);
        Change::Cut { at }
    } else if roll < 80 {
        let at = rng.below(frame.len());
        let bit = rng.below(8) as u8;
        data[at] ^= 0x80 >> bit;
        Change::BitFlip { at, bit }
    } else {
        let n = 1 + rng.below(4);
        let at = rng.below(frame.len());
        for b in data.iter_mut().skip(at).take(n) {
            *b = rng.next() as u8;
        }
        Change::Bytes { at, n }
    };
    Some(Mutant { data, change })
}

/// The pcap link-type number of a link type.
pub fn linktype_number(link: LinkType) -> u32 {
    link.linktype()
}

/// A little-endian microsecond pcap file header.
pub fn pcap_header(link: LinkType) -> Vec<u8> {
    let mut v = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
    v.extend_from_slice(&[0; 8]);
    v.extend_from_slice(&262_144u32.to_le_bytes());
    v.extend_from_slice(&u32::from(linktype_number(link) as u16).to_le_bytes());
    v
}

/// Appends one pcap record: `data` captured of `len` bytes on the wire.
pub fn pcap_record(v: &mut Vec<u8>, ts_sec: u32, ts_usec: u32, data: &[u8], len: u32) {
    v.extend_from_slice(&ts_sec.to_le_bytes());
    v.extend_from_slice(&ts_usec.to_le_bytes());
    v.extend_from_slice(&(data.len() as u32).to_le_bytes());
    v.extend_from_slice(&len.max(data.len() as u32).to_le_bytes());
    v.extend_from_slice(data);
}
