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

/// The number of decimal digits of `v` (1 for 0).
#[inline]
fn ndigits(v: u64) -> usize {
    match v.checked_ilog10() {
        Some(l) => l as usize + 1,
        None => 1,
    }
}

/// Writes `v` in decimal so that its last digit is at `tmp[end - 1]`; `end` must be at least
/// [`ndigits`]`(v)` and at most 20. Pairs of digits come off with 64-bit divisions only while
/// `v` does not fit 32 bits; [`digits32`] writes the rest.
#[inline]
fn digits(tmp: &mut [u8; 20], mut v: u64, end: usize) {
    let mut i = end;
    while v > u64::from(u32::MAX) {
        let r = (v % 100) as usize;
        v /= 100;
        i -= 2;
        tmp[i..i + 2].copy_from_slice(&PAIRS[2 * r..2 * r + 2]);
    }
    digits32(tmp, v as u32, i);
}

/// [`ndigits`] for a 32-bit value.
#[inline]
fn ndigits32(v: u32) -> usize {
    match v {
        0..=9 => 1,
        10..=99 => 2,
        100..=999 => 3,
        1000..=9999 => 4,
        10_000..=99_999 => 5,
        100_000..=999_999 => 6,
        1_000_000..=9_999_999 => 7,
        10_000_000..=99_999_999 => 8,
        100_000_000..=999_999_999 => 9,
        _ => 10,
    }
}

/// [`digits`] for a 32-bit value: `end` must be at least [`ndigits32`]`(v)`.
#[inline]
fn digits32(tmp: &mut [u8; 20], mut v: u32, end: usize) {
    let mut i = end;
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
}

/// Each byte value's decimal text, left-aligned in three bytes, with its length in the fourth:
/// an IPv4 address is four fixed-size copies instead of four rounds of divisions and branches.
const OCTETS: [[u8; 4]; 256] = {
    let mut t = [[0u8; 4]; 256];
    let mut i = 0;
    while i < 256 {
        let v = i as u8;
        t[i] = if v >= 100 {
            [b'0' + v / 100, b'0' + v / 10 % 10, b'0' + v % 10, 3]
        } else if v >= 10 {
            [b'0' + v / 10, b'0' + v % 10, 0, 2]
        } else {
            [b'0' + v, 0, 0, 1]
        };
        i += 1;
    }
    t
};

/// Writes one byte in decimal at `tmp[p..]` (room for three digits needed); returns the position
/// after it.
#[inline(always)]
fn octet<const N: usize>(tmp: &mut [u8; N], p: usize, o: u8) -> usize {
    let e = &OCTETS[usize::from(o)];
    if let Some(dst) = tmp.get_mut(p..p + 3) {
        dst.copy_from_slice(&e[..3]);
    }
    p + usize::from(e[3])
}

/// Writes `a` dotted at the start of `tmp` (room for 15 bytes needed); returns its length.
#[inline(always)]
fn dotted<const N: usize>(tmp: &mut [u8; N], a: [u8; 4]) -> usize {
    let mut p = octet(tmp, 0, a[0]);
    for &o in &a[1..] {
        if let Some(dot) = tmp.get_mut(p) {
            *dot = b'.';
        }
        p = octet(tmp, p + 1, o);
    }
    p
}

/// Appends `v` in decimal to `b` (pairs of digits at a time; the printers' and the JSON
/// writer's numbers).
#[inline]
pub fn decimal(b: &mut Vec<u8>, v: u64) {
    if v < 10 {
        b.push(b'0' + v as u8);
        return;
    }
    if v < 100 {
        let r = 2 * v as usize;
        b.extend_from_slice(&PAIRS[r..r + 2]);
        return;
    }
    let mut tmp = [0u8; 20];
    // Most numbers printed (ports, lengths, sequence numbers) fit 32 bits, whose digit count
    // is a few compares and whose divisions are cheaper.
    let n = match u32::try_from(v) {
        Ok(v) => {
            let n = ndigits32(v);
            digits32(&mut tmp, v, n);
            n
        }
        Err(_) => {
            let n = ndigits(v);
            digits(&mut tmp, v, n);
            n
        }
    };
    let l = b.len();
    b.extend_from_slice(&tmp);
    b.truncate(l + n);
}

/// A growable output line buffer with the small writers the printers use.
#[derive(Debug, Default)]
pub struct Buf {
    /// The bytes written so far.
    pub b: Vec<u8>,
}

impl Buf {
    /// Ends a chain of writes (for `return self.out.s(..).end()` in printers returning `()`).
    pub fn end(&mut self) {}

    /// Appends the first `n` bytes of `tmp` (`n <= N`). The whole fixed-size array is copied and
    /// the tail cut off again, which compiles to a few register moves instead of a `memcpy` call
    /// of a run-time length: most of what the printers write is a handful of bytes.
    #[inline(always)]
    fn put<const N: usize>(&mut self, tmp: &[u8; N], n: usize) {
        let l = self.b.len();
        self.b.extend_from_slice(tmp);
        self.b.truncate(l + n);
    }

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
        decimal(&mut self.b, v);
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
        let n = ndigits(v).max(width.min(20));
        digits(&mut tmp, v, n);
        self.put(&tmp, n);
        self
    }

    /// Appends `v` in lower-case hex without leading zeros (`%x`).
    pub fn x(&mut self, v: u64) -> &mut Self {
        self.x0(v, 1)
    }

    /// Appends `v` in lower-case hex, zero-padded to `width` digits (`%0Nx`).
    pub fn x0(&mut self, v: u64, width: usize) -> &mut Self {
        let mut tmp = [b'0'; 16];
        let nibbles = ((64 - v.leading_zeros() as usize).div_ceil(4)).max(1);
        let n = nibbles.max(width.min(16));
        let mut v = v;
        for i in (n - nibbles..n).rev() {
            tmp[i] = HEX[(v & 0xf) as usize];
            v >>= 4;
        }
        self.put(&tmp, n);
        self
    }

    /// Appends `0x` and `v` zero-padded to `width` hex digits.
    pub fn hx(&mut self, v: u64, width: usize) -> &mut Self {
        self.s("0x").x0(v, width)
    }

    /// Appends a dotted IPv4 address.
    pub fn ip4(&mut self, a: &[u8]) -> &mut Self {
        if let [a0, a1, a2, a3, ..] = *a {
            let mut tmp = [0u8; 16];
            let p = dotted(&mut tmp, [a0, a1, a2, a3]);
            self.put(&tmp, p);
            return self;
        }
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
        if let Ok(m) = <&[u8; 6]>::try_from(a) {
            let mut tmp = [b':'; 17];
            for (i, &o) in m.iter().enumerate() {
                tmp[3 * i] = HEX[usize::from(o >> 4)];
                tmp[3 * i + 1] = HEX[usize::from(o & 0xf)];
            }
            self.b.extend_from_slice(&tmp);
            return self;
        }
        if a.is_empty() {
            // tcpdump's linkaddr_string for an address of length 0 (an ARP hln of 0).
            self.b.extend_from_slice(b"<empty>");
            return self;
        }
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

    /// Appends an address and a port joined by a dot, as tcpdump writes a UDP or TCP endpoint
    /// (an IPv4 one in a single append).
    pub fn ip_port(&mut self, a: &[u8], port: u16) -> &mut Self {
        let [a0, a1, a2, a3] = *a else {
            return self.ip(a).c(b'.').u(u64::from(port));
        };
        let mut tmp = [0u8; 24];
        let p = dotted(&mut tmp, [a0, a1, a2, a3]);
        tmp[p] = b'.';
        let (mut digits, n) = ([0u8; 20], ndigits32(u32::from(port)));
        digits32(&mut digits, u32::from(port), n);
        // p is at most 15 and n at most 5: within the 24 bytes.
        if let Some(dst) = tmp.get_mut(p + 1..p + 1 + n) {
            dst.copy_from_slice(&digits[..n]);
        }
        self.put(&tmp, p + 1 + n);
        self
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
    fn numbers_match_std_formatting() {
        use std::format;
        let mut vals = std::vec![0u64, 1, 9, 10, 99, 100, 255, 999, 1000, 65535, 65536, u64::from(u32::MAX)];
        vals.extend((0..20).map(|i| 10u64.pow(i)));
        vals.extend((1..20).map(|i| 10u64.pow(i) - 1));
        vals.extend([u64::MAX, u64::MAX - 1, 0xdead_beef_cafe, u64::from(u32::MAX) + 1, 429_496_729_600]);
        for v in vals {
            for w in [0usize, 1, 2, 4, 6, 9, 16, 20, 25] {
                let mut b = Buf::default();
                b.u(v).c(b' ').u0(v, w).c(b' ').x0(v, w).c(b' ').x(v);
                let want = format!("{v} {v:0w$} {v:0wx$x} {v:x}", wx = w.min(16), w = w.min(20));
                assert_eq!(String::from_utf8(b.b).unwrap(), want, "v={v} w={w}");
            }
        }
    }

    #[test]
    fn addresses_match_std_formatting() {
        use std::format;
        for a in [[0u8, 0, 0, 0], [255, 255, 255, 255], [10, 0, 99, 100], [1, 22, 133, 9], [198, 18, 0, 1]] {
            let mut b = Buf::default();
            b.ip4(&a).c(b' ').mac(&[a[0], a[1], a[2], a[3], 0xab, 0x0c]).c(b' ').ip4(&a[..3]);
            let want = format!(
                "{}.{}.{}.{} {:02x}:{:02x}:{:02x}:{:02x}:ab:0c {}.{}.{}",
                a[0], a[1], a[2], a[3], a[0], a[1], a[2], a[3], a[0], a[1], a[2]
            );
            assert_eq!(String::from_utf8(b.b).unwrap(), want);
        }
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
