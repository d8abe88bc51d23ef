//! ARP, RARP and InARP (RFC 826, RFC 903, RFC 2390): [`ArpSlice`], a view with typed addresses
//! and opcode names over etherparse's zero-copy [`ArpPacketSlice`] (which reads any
//! hardware/protocol lengths), and the crate's error type.
//!
//! ```
//! use vxwire::wire::arp::{ArpOp, ArpSlice};
//! // Ethernet/IPv4 who-has 10.0.0.2 tell 10.0.0.1.
//! let b = [0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 1, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2];
//! let a = ArpSlice::from_slice(&b)?;
//! assert_eq!(a.operation(), ArpOp::REQUEST);
//! assert_eq!(a.sender_ip(), Some([10, 0, 0, 1].into()));
//! assert_eq!(a.sender_mac().unwrap().to_string(), "02:00:00:00:01:01");
//! assert_eq!(a.to_string(), "request who-has 10.0.0.2 tell 10.0.0.1");
//! # Ok::<(), vxwire::Error>(())
//! ```

use crate::error::{Error, Proto};
use crate::wire::mac::MacAddr;
use core::fmt;
use core::net::Ipv4Addr;
pub use etherparse::{ArpHardwareId, ArpOperation, ArpPacketSlice};

/// ARP opcodes beyond etherparse's request and reply, as plain numbers; [`ArpOp`]
/// is the typed value with the same constants.
///
/// ```
/// use vxwire::wire::arp::{op, ArpOp};
/// assert_eq!(ArpOp(op::REPLY), ArpOp::REPLY);
/// assert_eq!(ArpOp(op::INARP_REQUEST).to_string(), "inarp-request");
/// ```
pub mod op {
    /// ARP request (who-has).
    pub const REQUEST: u16 = 1;
    /// ARP reply (is-at).
    pub const REPLY: u16 = 2;
    /// RARP request.
    pub const RARP_REQUEST: u16 = 3;
    /// RARP reply.
    pub const RARP_REPLY: u16 = 4;
    /// InARP request.
    pub const INARP_REQUEST: u16 = 8;
    /// InARP reply.
    pub const INARP_REPLY: u16 = 9;
    /// ARP NAK (ATM ARP).
    pub const NAK: u16 = 10;
}

/// Length of the fixed part (hardware type .. opcode).
pub const FIXED_LEN: usize = 8;

/// An ARP opcode. Unknown values are kept; `Display` names the known ones as tcpdump does
/// (`request`, `reply`, `rarp-request`, ...), others as their number.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ArpOp(pub u16);

impl ArpOp {
    /// ARP request (who-has).
    pub const REQUEST: ArpOp = ArpOp(op::REQUEST);
    /// ARP reply (is-at).
    pub const REPLY: ArpOp = ArpOp(op::REPLY);
    /// RARP request.
    pub const RARP_REQUEST: ArpOp = ArpOp(op::RARP_REQUEST);
    /// RARP reply.
    pub const RARP_REPLY: ArpOp = ArpOp(op::RARP_REPLY);
    /// InARP request.
    pub const INARP_REQUEST: ArpOp = ArpOp(op::INARP_REQUEST);
    /// InARP reply.
    pub const INARP_REPLY: ArpOp = ArpOp(op::INARP_REPLY);
    /// ARP NAK (ATM ARP).
    pub const NAK: ArpOp = ArpOp(op::NAK);

    /// The name of a known opcode.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            op::REQUEST => "request",
            op::REPLY => "reply",
            op::RARP_REQUEST => "rarp-request",
            op::RARP_REPLY => "rarp-reply",
            op::INARP_REQUEST => "inarp-request",
            op::INARP_REPLY => "inarp-reply",
            op::NAK => "nak",
            _ => return None,
        })
    }
}

impl fmt::Display for ArpOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.pad(n),
            None => crate::display::padded(f, |w| write!(w, "{}", self.0)),
        }
    }
}

impl fmt::Debug for ArpOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n} ({})", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}

impl From<ArpOperation> for ArpOp {
    fn from(o: ArpOperation) -> ArpOp {
        ArpOp(o.0)
    }
}

/// A zero-copy ARP packet with typed accessors: opcode names, and [`MacAddr`] and
/// [`Ipv4Addr`] for the common Ethernet/IPv4 ARP (6-byte hardware and 4-byte protocol
/// addresses); other sizes are read through [`ArpSlice::packet`].
#[derive(Clone, PartialEq, Eq)]
pub struct ArpSlice<'a>(ArpPacketSlice<'a>);

impl<'a> ArpSlice<'a> {
    /// Views `bytes` as an ARP packet (cut to the length its address sizes give).
    ///
    /// # Errors
    /// A [`Proto::Arp`] truncation error naming the length the address sizes require.
    pub fn from_slice(bytes: &'a [u8]) -> Result<ArpSlice<'a>, Error> {
        parse(bytes).map(ArpSlice)
    }

    /// The etherparse view (any address sizes, raw fields).
    pub fn packet(&self) -> &ArpPacketSlice<'a> {
        &self.0
    }

    /// The opcode.
    pub fn operation(&self) -> ArpOp {
        ArpOp(self.0.operation().0)
    }

    /// Hardware type (1 = Ethernet).
    pub fn hardware_type(&self) -> u16 {
        self.0.hw_addr_type().0
    }

    /// Protocol type (an EtherType; 0x0800 = IPv4).
    pub fn protocol_type(&self) -> u16 {
        self.0.proto_addr_type().0
    }

    /// Whether this is ARP for IPv4 over 6-byte hardware addresses (Ethernet's).
    pub fn is_ethernet_ipv4(&self) -> bool {
        self.0.hw_addr_size() == 6 && self.0.proto_addr_size() == 4 && self.protocol_type() == 0x0800
    }

    /// The sender hardware address, when it is 6 bytes long.
    pub fn sender_mac(&self) -> Option<MacAddr> {
        mac6(self.0.sender_hw_addr())
    }

    /// The target hardware address, when it is 6 bytes long.
    pub fn target_mac(&self) -> Option<MacAddr> {
        mac6(self.0.target_hw_addr())
    }

    /// The sender protocol address, when it is an IPv4 address.
    pub fn sender_ip(&self) -> Option<Ipv4Addr> {
        self.ipv4(self.0.sender_protocol_addr())
    }

    /// The target protocol address, when it is an IPv4 address.
    pub fn target_ip(&self) -> Option<Ipv4Addr> {
        self.ipv4(self.0.target_protocol_addr())
    }

    /// Whether sender and target protocol addresses are the same (a gratuitous ARP).
    pub fn is_gratuitous(&self) -> bool {
        self.0.sender_protocol_addr() == self.0.target_protocol_addr()
    }

    fn ipv4(&self, b: &[u8]) -> Option<Ipv4Addr> {
        let o: [u8; 4] = b.try_into().ok()?;
        (self.protocol_type() == 0x0800).then_some(Ipv4Addr::from(o))
    }
}

fn mac6(b: &[u8]) -> Option<MacAddr> {
    if b.len() == 6 {
        MacAddr::from_slice(b)
    } else {
        None
    }
}

impl<'a> From<ArpPacketSlice<'a>> for ArpSlice<'a> {
    fn from(p: ArpPacketSlice<'a>) -> ArpSlice<'a> {
        ArpSlice(p)
    }
}

/// tcpdump's words for Ethernet/IPv4 ARP (`request who-has 10.0.0.2 tell 10.0.0.1`, `reply
/// 10.0.0.2 is-at 02:00:00:00:01:02`); other packets give their opcode and address sizes.
impl fmt::Display for ArpSlice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::display::padded(f, |f| self.write_text(f))
    }
}

impl ArpSlice<'_> {
    fn write_text(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        match (self.operation(), self.sender_ip(), self.target_ip(), self.sender_mac()) {
            (ArpOp::REQUEST, Some(s), Some(t), _) => write!(f, "request who-has {t} tell {s}"),
            (ArpOp::REPLY, Some(s), Some(_), Some(m)) => write!(f, "reply {s} is-at {m}"),
            (o, ..) => write!(
                f,
                "{o}, hardware type {}, protocol type {:#06x}, address sizes {}/{}",
                self.hardware_type(),
                self.protocol_type(),
                self.0.hw_addr_size(),
                self.0.proto_addr_size()
            ),
        }
    }
}

impl fmt::Debug for ArpSlice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("ArpSlice");
        s.field("operation", &self.operation());
        if self.is_ethernet_ipv4() {
            s.field("sender_mac", &self.sender_mac())
                .field("sender_ip", &self.sender_ip())
                .field("target_mac", &self.target_mac())
                .field("target_ip", &self.target_ip());
        } else {
            s.field("hardware_type", &self.hardware_type())
                .field("protocol_type", &self.protocol_type())
                .field("sender_hw_addr", &self.0.sender_hw_addr())
                .field("sender_protocol_addr", &self.0.sender_protocol_addr())
                .field("target_hw_addr", &self.0.target_hw_addr())
                .field("target_protocol_addr", &self.0.target_protocol_addr());
        }
        s.finish()
    }
}

/// Views `bytes` as an ARP packet (the slice is cut to the length its address sizes give).
///
/// # Errors
/// A [`Proto::Arp`] truncation error naming the length the address sizes require.
pub fn parse(bytes: &[u8]) -> Result<ArpPacketSlice<'_>, Error> {
    ArpPacketSlice::from_slice(bytes).map_err(|e| Error::truncated(Proto::Arp, e.required_len, e.len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_lengths_and_truncation() {
        // An ARP with 0-byte hardware addresses and 4-byte protocol addresses (InARP-like).
        let b = [0x00, 0x0f, 0x08, 0x00, 0x00, 0x04, 0x00, 0x08, 10, 0, 0, 1, 10, 0, 0, 2];
        let a = parse(&b).unwrap();
        assert_eq!(a.operation().0, op::INARP_REQUEST);
        assert_eq!(a.sender_protocol_addr(), &[10, 0, 0, 1]);
        assert!(a.sender_hw_addr().is_empty());
        let e = parse(&b[..12]).unwrap_err();
        assert_eq!((e.needed, e.present), (16, 12));
    }
}
