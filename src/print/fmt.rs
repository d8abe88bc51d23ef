//! Allocation-free formatting of the numbers and addresses the printers write: decimal and hex
//! integers, IPv4/IPv6 (RFC 5952 as tcpdump's `inet_ntop` prints them) and MAC addresses, all
//! appended to a reused byte buffer.

use std::vec::Vec;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Pairs of decimal digits "00".."99".
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes `v` right-aligned into `tmp`; returns the index of its first digit.
fn digits(tmp: &mut [u8; 20], mut v: u64) -> usize {
    let mut i = tmp.len();
    while v >= 100 {
        let r = (v % 100) as usize;
        v /= 100;
        i -= 2;
        tmp[i..i + 2].copy_from_slice(&PAIRS[2 * r..2 * r + 2]);
    }
    if v >= 10 {
        let r = v as usize;
        i -= 2;
        tmp[i..i + 2].copy_from_slice(&PAIRS[2 * r..2 * r + 2]);
    } else {
        i -= 1;
        tmp[i] = b'0' + v as u8;
    }
    i
}

/// A growable output line buffer with the small writers the printers use.
#[derive(Debug, Default)]
pub struct Buf {
    /// The bytes written so far.
    pub b: Vec<u8>,
}

impl Buf {
    /// Appends a string.
    #[inline]
    pub fn s(&mut self, s: &str) -> &mut Self {
        self.b.extend_from_slice(s.as_bytes());
        self
    }

    /// Appends raw bytes.
    #[inline]
    pub fn raw(&mut self, s: &[u8]) -> &mut Self {
        self.b.extend_from_slice(s);
        self
    }

    /// Appends one byte.
    #[inline]
    pub fn c(&mut self, c: u8) -> &mut Self {
        self.b.push(c);
        self
    }

    /// Appends `v` in decimal.
    #[inline]
    pub fn u(&mut self, v: u64) -> &mut Self {
        if v < 10 {
            self.b.push(b'0' + v as u8);
            return self;
        }
        let mut tmp = [0u8; 20];
        let i = digits(&mut tmp, v);
        self.b.extend_from_slice(&tmp[i..]);
        self
    }

    /// Appends a signed `v` in decimal.
    pub fn i(&mut self, v: i64) -> &mut Self {
        if v < 0 {
            self.b.push(b'-');
        }
        self.u(v.unsigned_abs())
    }

    /// Appends `v` in decimal, zero-padded to `width` digits.
    pub fn u0(&mut self, v: u64, width: usize) -> &mut Self {
        let mut tmp = [b'0'; 20];
        let i = digits(&mut tmp, v);
        let start = tmp.len().saturating_sub(width).min(i);
        self.b.extend_from_slice(&tmp[start..]);
        self
    }

    /// Appends `v` in lower-case hex without leading zeros (`%x`).
    pub fn x(&mut self, v: u64) -> &mut Self {
        self.x0(v, 1)
    }

    /// Appends `v` in lower-case hex, zero-padded to `width` digits (`%0Nx`).
    pub fn x0(&mut self, v: u64, width: usize) -> &mut Self {
        let mut tmp = [b'0'; 16];
        let mut i = tmp.len();
        let mut v = v;
        loop {
            i -= 1;
            tmp[i] = HEX[(v & 0xf) as usize];
            v >>= 4;
            if v == 0 {
                break;
            }
        }
        let start = tmp.len().saturating_sub(width).min(i);
        self.b.extend_from_slice(&tmp[start..]);
        self
    }

    /// Appends `0x` and `v` zero-padded to `width` hex digits.
    pub fn hx(&mut self, v: u64, width: usize) -> &mut Self {
        self.s("0x").x0(v, width)
    }

    /// Appends a dotted IPv4 address.
    pub fn ip4(&mut self, a: &[u8]) -> &mut Self {
        for (i, &o) in a.iter().take(4).enumerate() {
            if i > 0 {
                self.b.push(b'.');
            }
            self.u(u64::from(o));
        }
        self
    }

    /// Appends an IPv6 address in the form of BSD/glibc `inet_ntop`: the longest run of two or
    /// more zero groups (the first of equals) as `::`, IPv4-mapped and -compatible addresses with
    /// a dotted tail.
    pub fn ip6(&mut self, a: &[u8]) -> &mut Self {
        if a.len() < 16 {
            return self;
        }
        let mut w = [0u16; 8];
        for (i, g) in w.iter_mut().enumerate() {
            *g = u16::from_be_bytes([a[2 * i], a[2 * i + 1]]);
        }
        let (mut best, mut best_len) = (usize::MAX, 0usize);
        let mut i = 0;
        while i < 8 {
            if w[i] == 0 {
                let start = i;
                while i < 8 && w[i] == 0 {
                    i += 1;
                }
                if i - start > best_len {
                    best = start;
                    best_len = i - start;
                }
            } else {
                i += 1;
            }
        }
        if best_len < 2 {
            best = usize::MAX;
        }
        let mut i = 0;
        while i < 8 {
            if i == best {
                if i == 0 {
                    self.b.push(b':');
                }
                self.b.push(b':');
                i += best_len;
                continue;
            }
            if i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)) {
                self.ip4(&a[12..16]);
                break;
            }
            self.x(u64::from(w[i]));
            if i < 7 {
                self.b.push(b':');
            }
            i += 1;
        }
        self
    }

    /// Appends colon-separated lower-case hex bytes (a MAC address or any link address).
    pub fn mac(&mut self, a: &[u8]) -> &mut Self {
        for (i, &o) in a.iter().enumerate() {
            if i > 0 {
                self.b.push(b':');
            }
            self.b.push(HEX[usize::from(o >> 4)]);
            self.b.push(HEX[usize::from(o & 0xf)]);
        }
        self
    }

    /// Appends an address of 4 or 16 bytes as IPv4 or IPv6.
    pub fn ip(&mut self, a: &[u8]) -> &mut Self {
        if a.len() == 16 {
            self.ip6(a)
        } else {
            self.ip4(a)
        }
    }
}

/// The Internet checksum's one's-complement sum of `data` added to `acc` (not yet folded).
pub fn sum(mut acc: u64, data: &[u8]) -> u64 {
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        acc += u64::from(u32::from_be_bytes([c[0], c[1], c[2], c[3]]));
        acc += u64::from(u32::from_be_bytes([c[4], c[5], c[6], c[7]]));
    }
    let mut rest = chunks.remainder().chunks_exact(2);
    for c in &mut rest {
        acc += u64::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [b] = rest.remainder() {
        acc += u64::from(*b) << 8;
    }
    acc
}

/// Folds a sum from [`sum`] and complements it: 0 means the checksummed data was correct.
pub fn fold(mut acc: u64) -> u16 {
    while acc >> 16 != 0 {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    !(acc as u16)
}

/// The value the checksum field should have held, given the field's value and the checksum
/// computed over the data with that field in place (tcpdump's `in_cksum_shouldbe`).
pub fn should_be(field: u16, computed: u16) -> u16 {
    let mut s = u32::from(!field) + u32::from(!computed);
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    !(s as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;

    fn v6(s: &str) -> String {
        let a: std::net::Ipv6Addr = s.parse().unwrap();
        let mut b = Buf::default();
        b.ip6(&a.octets());
        String::from_utf8(b.b).unwrap()
    }

    #[test]
    fn ipv6_forms() {
        assert_eq!(v6("fd00:18::1"), "fd00:18::1");
        assert_eq!(v6("ff02::1:ff00:2"), "ff02::1:ff00:2");
        assert_eq!(v6("::"), "::");
        assert_eq!(v6("::1"), "::1");
        assert_eq!(v6("fe80::8c36:6ff:fe44:acaf"), "fe80::8c36:6ff:fe44:acaf");
        assert_eq!(v6("1:0:0:2:0:0:0:3"), "1:0:0:2::3");
        assert_eq!(v6("1:0:2:3:4:5:6:7"), "1:0:2:3:4:5:6:7");
        assert_eq!(v6("::ffff:10.0.0.1"), "::ffff:10.0.0.1");
        assert_eq!(v6("1::"), "1::");
    }

    #[test]
    fn numbers() {
        let mut b = Buf::default();
        b.u(0)
            .c(b' ')
            .u(u64::MAX)
            .c(b' ')
            .u(10)
            .c(b' ')
            .u(100)
            .c(b' ')
            .u(4294967295)
            .c(b' ')
            .x0(0xab, 4)
            .c(b' ')
            .x(0)
            .c(b' ')
            .u0(7, 2)
            .c(b' ')
            .u0(1234, 2);
        assert_eq!(
            String::from_utf8(b.b).unwrap(),
            "0 18446744073709551615 10 100 4294967295 00ab 0 07 1234"
        );
    }

    #[test]
    fn checksum_should_be() {
        // An IPv4 header from testdata/vxlan-4789-p2p.pcap (checksum 0x35a9, correct).
        let h = [
            0x45, 0x00, 0x00, 0x4e, 0xb8, 0xce, 0x00, 0x00, 0x40, 0x11, 0x35, 0xa9, 0xc6, 0x12, 0x00, 0x01,
            0xc6, 0x12, 0x00, 0x02,
        ];
        assert_eq!(fold(sum(0, &h)), 0);
        let mut bad = h;
        bad[10] = 0x12;
        bad[11] = 0x34;
        let c = fold(sum(0, &bad));
        assert_eq!(should_be(0x1234, c), 0x35a9);
    }
}
