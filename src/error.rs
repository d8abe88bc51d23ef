//! The one error type of the core: which layer, what was wrong, how many bytes were needed and present.
//!
//! It is `Copy`, allocation-free, and its `Display` writes messages such as
//! `truncated VXLAN header (6 of 8 bytes)` that the command-line tools print as they are.
//!
//! ```
//! use vxwire::dissect::{dissect, Config, LinkType};
//! use vxwire::{ErrorKind, Proto};
//! // An Ethernet/IPv4/UDP frame to port 4789 of 92 bytes, captured with a snap length of 48:
//! // its VXLAN header is cut after 6 bytes.
//! let mut frame = vec![0u8; 48];
//! frame[12..14].copy_from_slice(&[0x08, 0x00]);
//! frame[14..24].copy_from_slice(&[0x45, 0, 0, 78, 0, 0, 0, 0, 64, 17]);
//! frame[34..40].copy_from_slice(&[0xc0, 0x01, 0x12, 0xb5, 0, 58]);
//! frame[42] = 0x08;
//! let d = dissect(&frame, LinkType::Ethernet, &Config::default());
//! let e = d.error().copied().ok_or("expected an error")?;
//! assert_eq!((e.proto, e.kind, e.needed, e.present, e.offset), (Proto::Vxlan, ErrorKind::Truncated, 8, 6, 42));
//! assert_eq!(e.to_string(), "truncated VXLAN header (6 of 8 bytes)");
//! // The layers before the break are kept.
//! assert_eq!(d.outer().udp().map(|u| u.destination_port()), Some(4789));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

/// The protocol layer (or buffer) an [`Error`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Proto {
    /// Ethernet II header (14 bytes).
    Ethernet,
    /// An IEEE 802.1Q / 802.1ad VLAN tag (4 bytes).
    Vlan,
    /// Linux cooked capture header, v1 (16 bytes).
    LinuxSll,
    /// Linux cooked capture header, v2 (20 bytes).
    LinuxSll2,
    /// An IP header whose version is not known yet: the first byte of a raw-IP capture
    /// (`LINKTYPE_RAW`), which may hold IPv4 or IPv6.
    Ip,
    /// IPv4 header with options.
    Ipv4,
    /// IPv6 fixed header.
    Ipv6,
    /// IPv6 extension headers.
    Ipv6Ext,
    /// UDP header.
    Udp,
    /// TCP header with options.
    Tcp,
    /// ICMP for IPv4.
    Icmpv4,
    /// ICMP for IPv6.
    Icmpv6,
    /// ARP / RARP / InARP packet.
    Arp,
    /// IGMP message (v1, v2 or v3).
    Igmp,
    /// VXLAN header (RFC 7348, with the GBP extension).
    Vxlan,
    /// VXLAN-GPE header.
    VxlanGpe,
    /// A caller's output buffer (building frames).
    Buffer,
    /// A capture file (pcap / pcapng).
    Capture,
}

impl Proto {
    /// The name used in messages, e.g. `"VXLAN header"`.
    pub const fn name(self) -> &'static str {
        match self {
            Proto::Ethernet => "Ethernet header",
            Proto::Vlan => "802.1Q tag",
            Proto::LinuxSll => "Linux cooked header",
            Proto::LinuxSll2 => "Linux cooked v2 header",
            Proto::Ip => "IP header",
            Proto::Ipv4 => "IPv4 header",
            Proto::Ipv6 => "IPv6 header",
            Proto::Ipv6Ext => "IPv6 extension header",
            Proto::Udp => "UDP header",
            Proto::Tcp => "TCP header",
            Proto::Icmpv4 => "ICMP message",
            Proto::Icmpv6 => "ICMPv6 message",
            Proto::Arp => "ARP packet",
            Proto::Igmp => "IGMP message",
            Proto::Vxlan => "VXLAN header",
            Proto::VxlanGpe => "VXLAN-GPE header",
            Proto::Buffer => "output buffer",
            Proto::Capture => "capture file",
        }
    }

    /// The short lower-case name of the layer, as `vxdump --json` writes it in `"proto"`
    /// (`eth`, `vlan`, `ipv4`, `udp`, `vxlan`, ...).
    pub const fn short_name(self) -> &'static str {
        match self {
            Proto::Ethernet => "eth",
            Proto::Vlan => "vlan",
            Proto::LinuxSll => "sll",
            Proto::LinuxSll2 => "sll2",
            Proto::Ip => "ip",
            Proto::Ipv4 => "ipv4",
            Proto::Ipv6 => "ipv6",
            Proto::Ipv6Ext => "ipv6-ext",
            Proto::Udp => "udp",
            Proto::Tcp => "tcp",
            Proto::Icmpv4 => "icmp",
            Proto::Icmpv6 => "icmpv6",
            Proto::Arp => "arp",
            Proto::Igmp => "igmp",
            Proto::Vxlan => "vxlan",
            Proto::VxlanGpe => "vxlan-gpe",
            Proto::Buffer => "buffer",
            Proto::Capture => "capture",
        }
    }
}

/// What was wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Fewer bytes were present than the layer needs (`needed` > `present`).
    Truncated,
    /// A length field is smaller than the layer's minimum (`needed` is the minimum, `present` the field's value).
    BadLength,
    /// A version field has an unexpected value (`present` holds the value seen, `needed` the expected
    /// one; for [`Proto::Ip`], where 4 and 6 are both expected, `needed` is 4).
    BadVersion,
    /// Encapsulation nested deeper than the configured cap (`needed` is the depth reached, `present` the cap).
    TooDeep,
    /// More layers than a [`crate::dissect::Dissection`] can hold (`present` is the capacity).
    TooManyLayers,
    /// A value is outside its allowed range (`present` holds the value, `needed` the limit).
    OutOfRange,
}

/// A typed, allocation-free error: which layer, what was wrong, and the byte counts involved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    /// The layer the error is about.
    pub proto: Proto,
    /// What was wrong.
    pub kind: ErrorKind,
    /// Bytes (or value) needed; see [`ErrorKind`] for the meaning per kind.
    pub needed: usize,
    /// Bytes (or value) present; see [`ErrorKind`] for the meaning per kind.
    pub present: usize,
    /// Offset of the layer's first byte in the dissected packet (0 where there is no packet).
    pub offset: usize,
}

impl Error {
    /// A truncation error: `proto` needs `needed` bytes, only `present` were there.
    pub const fn truncated(proto: Proto, needed: usize, present: usize) -> Error {
        Error { proto, kind: ErrorKind::Truncated, needed, present, offset: 0 }
    }

    /// An error of any kind, at offset 0.
    pub const fn new(proto: Proto, kind: ErrorKind, needed: usize, present: usize) -> Error {
        Error { proto, kind, needed, present, offset: 0 }
    }

    /// The same error, located at `offset` in the packet.
    pub const fn at(mut self, offset: usize) -> Error {
        self.offset = offset;
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::display::padded(f, |f| self.write_text(f))
    }
}

impl Error {
    fn write_text(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        let name = self.proto.name();
        match self.kind {
            ErrorKind::Truncated if self.proto == Proto::Buffer => {
                write!(f, "output buffer too small ({} of {} bytes)", self.present, self.needed)
            }
            ErrorKind::Truncated => {
                write!(f, "truncated {} ({} of {} bytes)", name, self.present, self.needed)
            }
            ErrorKind::BadLength => {
                write!(f, "bad {} length ({}, minimum {})", name, self.present, self.needed)
            }
            ErrorKind::BadVersion if self.proto == Proto::Ip => {
                write!(f, "bad {} version ({}, expected 4 or 6)", name, self.present)
            }
            ErrorKind::BadVersion => {
                write!(f, "bad {} version ({}, expected {})", name, self.present, self.needed)
            }
            ErrorKind::TooDeep => {
                write!(f, "{} nested too deep (depth {}, cap {})", name, self.needed, self.present)
            }
            ErrorKind::TooManyLayers => {
                write!(f, "too many layers at {} (capacity {})", name, self.present)
            }
            ErrorKind::OutOfRange => {
                write!(f, "{} value out of range ({}, limit {})", name, self.present, self.needed)
            }
        }
    }
}

/// In `core` (Rust 1.81 and later), so `?` into `Box<dyn Error>` works with or without `std`.
impl core::error::Error for Error {}

/// Returns `Ok(())` if `buf` holds at least `needed` bytes, else a truncation error for `proto`.
#[inline]
pub(crate) fn need(proto: Proto, buf: &[u8], needed: usize) -> Result<(), Error> {
    if buf.len() < needed {
        Err(Error::truncated(proto, needed, buf.len()))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::ToString;

    #[test]
    fn display_truncated_vxlan() {
        let e = Error::truncated(Proto::Vxlan, 8, 6);
        assert_eq!(e.to_string(), "truncated VXLAN header (6 of 8 bytes)");
        assert_eq!(std::format!("[{e:>40}]"), "[   truncated VXLAN header (6 of 8 bytes)]");
        let boxed: std::boxed::Box<dyn core::error::Error> = e.into();
        assert_eq!(boxed.to_string(), e.to_string());
    }

    #[test]
    fn raw_ip_bad_version_says_ip() {
        let frame = [0xd5u8; 20];
        let d = crate::dissect::dissect(&frame, crate::dissect::LinkType::RawIp, &Default::default());
        let e = d.error().copied().unwrap();
        assert_eq!((e.proto, e.kind, e.present), (Proto::Ip, ErrorKind::BadVersion, 13));
        assert_eq!(e.to_string(), "bad IP header version (13, expected 4 or 6)");
        assert_eq!(std::format!("[{e:<46}]"), "[bad IP header version (13, expected 4 or 6)   ]");
    }

    #[test]
    fn display_buffer() {
        let e = Error::truncated(Proto::Buffer, 92, 64);
        assert_eq!(e.to_string(), "output buffer too small (64 of 92 bytes)");
    }
}
