//! IEEE 802 MAC (EUI-48) addresses: [`MacAddr`], a value that prints and parses itself.
//!
//! ```
//! use vxwire::wire::mac::MacAddr;
//! let m: MacAddr = "02:00:00:00:01:01".parse()?;
//! assert_eq!(m.to_string(), "02:00:00:00:01:01");
//! assert!(m.is_unicast() && m.is_locally_administered());
//! assert_eq!(format!("[{m:>18}]"), "[ 02:00:00:00:01:01]");
//! assert!(MacAddr::BROADCAST.is_broadcast());
//! assert_eq!(MacAddr::from_ipv4_multicast([239, 1, 1, 1].into()).to_string(), "01:00:5e:01:01:01");
//! # Ok::<(), vxwire::wire::mac::ParseMacAddrError>(())
//! ```

use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};
use core::str::FromStr;

/// A 48-bit MAC address, as it is on the wire.
///
/// `Display` and `Debug` write `aa:bb:cc:dd:ee:ff` (lower case, as tcpdump and `ip link` do) and
/// honour width and alignment; `FromStr` reads that form (upper or lower case hex digits, one or
/// two per byte, `:` or `-` between them).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    /// `ff:ff:ff:ff:ff:ff`.
    pub const BROADCAST: MacAddr = MacAddr([0xff; 6]);
    /// `00:00:00:00:00:00` (also the all-zeros default entry of a vxlan device's FDB).
    pub const ZERO: MacAddr = MacAddr([0; 6]);

    /// The address from its six bytes.
    pub const fn new(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8) -> MacAddr {
        MacAddr([a, b, c, d, e, f])
    }

    /// The six bytes, in wire order.
    pub const fn octets(self) -> [u8; 6] {
        self.0
    }

    /// The address read from the first six bytes of `bytes`, or `None` when there are fewer.
    pub fn from_slice(bytes: &[u8]) -> Option<MacAddr> {
        let b: &[u8; 6] = bytes.get(..6)?.try_into().ok()?;
        Some(MacAddr(*b))
    }

    /// Whether the group bit (bit 0 of the first byte) is set: multicast or broadcast.
    pub const fn is_multicast(self) -> bool {
        self.0[0] & 0x01 != 0
    }

    /// Whether this is `ff:ff:ff:ff:ff:ff`.
    pub const fn is_broadcast(self) -> bool {
        matches!(self.0, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
    }

    /// Whether the group bit is clear (an individual address).
    pub const fn is_unicast(self) -> bool {
        !self.is_multicast()
    }

    /// Whether this is all zeros.
    pub const fn is_zero(self) -> bool {
        matches!(self.0, [0, 0, 0, 0, 0, 0])
    }

    /// Whether the locally administered bit (bit 1 of the first byte) is set.
    pub const fn is_locally_administered(self) -> bool {
        self.0[0] & 0x02 != 0
    }

    /// The Ethernet address an IPv4 multicast group maps to (RFC 1112: `01:00:5e` and the low
    /// 23 bits of the group).
    pub const fn from_ipv4_multicast(group: Ipv4Addr) -> MacAddr {
        let o = group.octets();
        MacAddr([0x01, 0x00, 0x5e, o[1] & 0x7f, o[2], o[3]])
    }

    /// The Ethernet address an IPv6 multicast group maps to (RFC 2464: `33:33` and the low 32
    /// bits of the group).
    pub const fn from_ipv6_multicast(group: Ipv6Addr) -> MacAddr {
        let o = group.octets();
        MacAddr([0x33, 0x33, o[12], o[13], o[14], o[15]])
    }

    /// The 17 characters of `aa:bb:cc:dd:ee:ff`, without allocating.
    fn text(self) -> [u8; 17] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut t = [b':'; 17];
        for (i, b) in self.0.iter().enumerate() {
            t[i * 3] = HEX[usize::from(b >> 4)];
            t[i * 3 + 1] = HEX[usize::from(b & 0x0f)];
        }
        t
    }
}

impl From<[u8; 6]> for MacAddr {
    fn from(b: [u8; 6]) -> MacAddr {
        MacAddr(b)
    }
}

impl From<MacAddr> for [u8; 6] {
    fn from(m: MacAddr) -> [u8; 6] {
        m.0
    }
}

impl TryFrom<&[u8]> for MacAddr {
    type Error = core::array::TryFromSliceError;

    /// The address in `bytes`, which must be exactly six bytes long (as `<[u8; 6]>::try_from`).
    fn try_from(bytes: &[u8]) -> Result<MacAddr, Self::Error> {
        <[u8; 6]>::try_from(bytes).map(MacAddr)
    }
}

impl PartialEq<[u8; 6]> for MacAddr {
    fn eq(&self, other: &[u8; 6]) -> bool {
        self.0 == *other
    }
}

impl PartialEq<MacAddr> for [u8; 6] {
    fn eq(&self, other: &MacAddr) -> bool {
        *self == other.0
    }
}

impl PartialEq<MacAddr> for [u8] {
    fn eq(&self, other: &MacAddr) -> bool {
        *self == other.0
    }
}

impl PartialEq<[u8]> for MacAddr {
    fn eq(&self, other: &[u8]) -> bool {
        self.0 == *other
    }
}

impl AsRef<[u8]> for MacAddr {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.text();
        // The text is ASCII hex digits and colons.
        f.pad(core::str::from_utf8(&t).unwrap_or("??:??:??:??:??:??"))
    }
}

impl fmt::Debug for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Why a string is not a MAC address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseMacAddrError {
    /// Bytes read before the problem (0 to 6).
    pub bytes_read: usize,
}

impl fmt::Display for ParseMacAddrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::display::padded(f, |f| {
            write!(
                f,
                "not a MAC address (expected six hex bytes aa:bb:cc:dd:ee:ff; byte {} is wrong or missing)",
                self.bytes_read + 1
            )
        })
    }
}

impl core::error::Error for ParseMacAddrError {}

impl FromStr for MacAddr {
    type Err = ParseMacAddrError;

    fn from_str(s: &str) -> Result<MacAddr, ParseMacAddrError> {
        let sep = if s.contains('-') { '-' } else { ':' };
        let mut out = [0u8; 6];
        let mut parts = s.split(sep);
        for (i, b) in out.iter_mut().enumerate() {
            let err = ParseMacAddrError { bytes_read: i };
            let p = parts.next().ok_or(err)?;
            if p.is_empty() || p.len() > 2 || !p.bytes().all(|c| c.is_ascii_hexdigit()) {
                return Err(err);
            }
            *b = u8::from_str_radix(p, 16).map_err(|_| err)?;
        }
        match parts.next() {
            None => Ok(MacAddr(out)),
            Some(_) => Err(ParseMacAddrError { bytes_read: 6 }),
        }
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let m: MacAddr = "0A:58:0a:f4:0:1".parse().unwrap();
        assert_eq!(m.0, [0x0a, 0x58, 0x0a, 0xf4, 0x00, 0x01]);
        assert_eq!(
            std::format!("{m}|{m:<18}|{m:>18}"),
            "0a:58:0a:f4:00:01|0a:58:0a:f4:00:01 | 0a:58:0a:f4:00:01"
        );
        assert_eq!(std::format!("{m:?}"), "0a:58:0a:f4:00:01");
        assert_eq!("02-00-00-00-01-01".parse::<MacAddr>().unwrap(), [2, 0, 0, 0, 1, 1]);
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            "02:00:00:00:01",
            "02:00:00:00:01:01:01",
            "02:00:00:00:01:1g",
            "002:0:0:0:0:0",
            "02::00:00:01:01",
        ] {
            assert!(bad.parse::<MacAddr>().is_err(), "{bad}");
        }
        assert_eq!("02:00:00:00:01".parse::<MacAddr>(), Err(ParseMacAddrError { bytes_read: 5 }));
    }

    #[test]
    fn classes() {
        assert!(MacAddr::BROADCAST.is_broadcast() && MacAddr::BROADCAST.is_multicast());
        assert!(MacAddr::ZERO.is_zero() && MacAddr::ZERO.is_unicast());
        let g = MacAddr::from_ipv6_multicast("ff02::1:ff00:1".parse().unwrap());
        assert_eq!(g, [0x33, 0x33, 0xff, 0, 0, 1]);
        assert!(g.is_multicast() && !g.is_broadcast());
        assert_eq!(MacAddr::from_ipv4_multicast(Ipv4Addr::new(239, 129, 2, 3)), [1, 0, 0x5e, 1, 2, 3]);
        assert_eq!(MacAddr::from_slice(&[1, 2, 3]), None);
    }
}
