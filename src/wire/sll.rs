//! Linux cooked capture headers: v1 (LINKTYPE_LINUX_SLL, 113) and v2 (LINKTYPE_LINUX_SLL2, 276),
//! what `tcpdump -i any` writes.
//!
//! ```text
//! v1 (16 bytes):
//! | Packet type (2) | ARPHRD_ type (2) | Addr length (2) | Address (8) | Protocol type (2) |
//! v2 (20 bytes):
//! +---------------------------+---------------------------+
//! |      Protocol type (2)    |        Reserved (2)       |
//! +---------------------------+---------------------------+
//! |                  Interface index (4)                  |
//! +---------------------------+-------------+-------------+
//! |   ARPHRD_ type (2)        | Packet type | Addr length |
//! +---------------------------+-------------+-------------+
//! |              Link-layer address (8, padded)           |
//! +-------------------------------------------------------+
//! ```
//! (etherparse's v1 reader rejects ARPHRD types it does not know; these views accept any.)
//!
//! ```
//! use vxwire::wire::sll::LinuxSll2Slice;
//! // An outgoing (packet type 4) IPv4 frame on interface 3, Ethernet (ARPHRD 1).
//! let b = [0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 2, 0, 0, 0, 1, 1, 0, 0];
//! let h = LinuxSll2Slice::from_slice(&b)?;
//! assert_eq!((h.protocol(), h.if_index(), h.packet_type(), h.addr()), (0x0800, 3, 4, &[2, 0, 0, 0, 1, 1][..]));
//! # Ok::<(), vxwire::Error>(())
//! ```

use crate::error::{Error, Proto};
use crate::wire::mac::MacAddr;
use core::fmt;

/// The link-layer address for `Debug`: a [`MacAddr`] when it is 6 bytes long, else the bytes.
struct Addr<'a>(&'a [u8]);

impl fmt::Debug for Addr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match MacAddr::from_slice(self.0) {
            Some(m) if self.0.len() == 6 => write!(f, "{m}"),
            _ => write!(f, "{:02x?}", self.0),
        }
    }
}

/// A number shown in hex (`0x0800`) in `Debug`.
struct Hex16(u16);

impl fmt::Debug for Hex16 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#06x}", self.0)
    }
}

mod field {
    use core::ops::Range;
    pub const PROTOCOL: Range<usize> = 0..2;
    pub const IFINDEX: Range<usize> = 4..8;
    pub const HATYPE: Range<usize> = 8..10;
    pub const PKTTYPE: usize = 10;
    pub const HALEN: usize = 11;
    pub const ADDR: Range<usize> = 12..20;
}

/// Length of the SLL (v1) header.
pub const V1_HEADER_LEN: usize = 16;

/// A zero-copy view of a Linux cooked (v1) header. `Debug` shows the decoded fields
/// (`LinuxSllSlice { packet_type: 4, arphrd_type: 1, addr: 02:42:ac:11:00:02, protocol: 0x86dd }`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct LinuxSllSlice<'a> {
    header: &'a [u8; V1_HEADER_LEN],
}

impl fmt::Debug for LinuxSllSlice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinuxSllSlice")
            .field("packet_type", &self.packet_type())
            .field("arphrd_type", &self.arphrd_type())
            .field("addr", &Addr(self.addr()))
            .field("protocol", &Hex16(self.protocol()))
            .finish()
    }
}

impl<'a> LinuxSllSlice<'a> {
    /// Checks that `bytes` starts with a whole header.
    ///
    /// # Errors
    /// A [`Proto::LinuxSll`] truncation error if fewer than 16 bytes are present.
    pub fn from_slice(bytes: &'a [u8]) -> Result<LinuxSllSlice<'a>, Error> {
        match bytes.first_chunk::<V1_HEADER_LEN>() {
            Some(header) => Ok(LinuxSllSlice { header }),
            None => Err(Error::truncated(Proto::LinuxSll, V1_HEADER_LEN, bytes.len())),
        }
    }
    /// The 16 header bytes.
    pub fn slice(&self) -> &'a [u8] {
        self.header
    }
    /// The packet type (0 host, 1 broadcast, 2 multicast, 3 other host, 4 outgoing).
    pub fn packet_type(&self) -> u16 {
        u16::from_be_bytes([self.header[0], self.header[1]])
    }
    /// The ARPHRD_ hardware type (1 = Ethernet).
    pub fn arphrd_type(&self) -> u16 {
        u16::from_be_bytes([self.header[2], self.header[3]])
    }
    /// The link-layer address length as sent.
    pub fn addr_len(&self) -> u16 {
        u16::from_be_bytes([self.header[4], self.header[5]])
    }
    /// The link-layer address, at most 8 bytes.
    pub fn addr(&self) -> &'a [u8] {
        let n = usize::from(self.addr_len()).min(8);
        &self.header[6..6 + n]
    }
    /// The protocol (an EtherType for most ARPHRD types).
    pub fn protocol(&self) -> u16 {
        u16::from_be_bytes([self.header[14], self.header[15]])
    }
}

/// Length of the SLL2 header.
pub const HEADER_LEN: usize = 20;

/// A zero-copy view of a Linux cooked v2 header. `Debug` shows the decoded fields
/// (`LinuxSll2Slice { protocol: 0x0800, if_index: 3, arphrd_type: 1, packet_type: 4, addr: .. }`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct LinuxSll2Slice<'a> {
    header: &'a [u8; HEADER_LEN],
}

impl fmt::Debug for LinuxSll2Slice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinuxSll2Slice")
            .field("protocol", &Hex16(self.protocol()))
            .field("if_index", &self.if_index())
            .field("arphrd_type", &self.arphrd_type())
            .field("packet_type", &self.packet_type())
            .field("addr", &Addr(self.addr()))
            .finish()
    }
}

impl<'a> LinuxSll2Slice<'a> {
    /// Checks that `bytes` starts with a whole header.
    ///
    /// # Errors
    /// A [`Proto::LinuxSll2`] truncation error if fewer than 20 bytes are present.
    pub fn from_slice(bytes: &'a [u8]) -> Result<LinuxSll2Slice<'a>, Error> {
        match bytes.first_chunk::<HEADER_LEN>() {
            Some(header) => Ok(LinuxSll2Slice { header }),
            None => Err(Error::truncated(Proto::LinuxSll2, HEADER_LEN, bytes.len())),
        }
    }
    /// The 20 header bytes.
    pub fn slice(&self) -> &'a [u8] {
        self.header
    }
    /// The protocol (an EtherType for most ARPHRD types).
    pub fn protocol(&self) -> u16 {
        u16::from_be_bytes([self.header[field::PROTOCOL.start], self.header[field::PROTOCOL.start + 1]])
    }
    /// The interface index.
    pub fn if_index(&self) -> u32 {
        let b = &self.header[field::IFINDEX];
        u32::from_be_bytes([b[0], b[1], b[2], b[3]])
    }
    /// The ARPHRD_ hardware type (1 = Ethernet).
    pub fn arphrd_type(&self) -> u16 {
        u16::from_be_bytes([self.header[field::HATYPE.start], self.header[field::HATYPE.start + 1]])
    }
    /// The packet type (0 host, 1 broadcast, 2 multicast, 3 other host, 4 outgoing).
    pub fn packet_type(&self) -> u8 {
        self.header[field::PKTTYPE]
    }
    /// The link-layer address length as sent.
    pub fn addr_len(&self) -> u8 {
        self.header[field::HALEN]
    }
    /// The link-layer address, at most 8 bytes.
    pub fn addr(&self) -> &'a [u8] {
        let n = usize::from(self.addr_len()).min(8);
        &self.header[field::ADDR][..n]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_fields() {
        let b = [
            0x00, 0x04, // outgoing
            0x00, 0x01, // ARPHRD_ETHER
            0x00, 0x06, // address length
            0x02, 0x42, 0xac, 0x11, 0x00, 0x02, 0x00, 0x00, // address
            0x86, 0xdd, // protocol IPv6
        ];
        let s = LinuxSllSlice::from_slice(&b).unwrap();
        assert_eq!(s.packet_type(), 4);
        assert_eq!(s.arphrd_type(), 1);
        assert_eq!(s.addr(), &[0x02, 0x42, 0xac, 0x11, 0x00, 0x02]);
        assert_eq!(s.protocol(), 0x86dd);
        assert!(LinuxSllSlice::from_slice(&b[..15]).is_err());
        let want =
            "LinuxSllSlice { packet_type: 4, arphrd_type: 1, addr: 02:42:ac:11:00:02, protocol: 0x86dd }";
        assert_eq!(std::format!("{s:?}"), want);
    }

    #[test]
    fn fields() {
        let b = [
            0x08, 0x00, // protocol IPv4
            0x00, 0x00, // reserved
            0x00, 0x00, 0x00, 0x03, // ifindex 3
            0x00, 0x01, // ARPHRD_ETHER
            0x04, // outgoing
            0x06, // address length
            0x02, 0x42, 0xac, 0x11, 0x00, 0x02, 0x00, 0x00, // address
        ];
        let s = LinuxSll2Slice::from_slice(&b).unwrap();
        assert_eq!(s.protocol(), 0x0800);
        assert_eq!(s.if_index(), 3);
        assert_eq!(s.arphrd_type(), 1);
        assert_eq!(s.packet_type(), 4);
        assert_eq!(s.addr(), &[0x02, 0x42, 0xac, 0x11, 0x00, 0x02]);
        assert!(LinuxSll2Slice::from_slice(&b[..19]).is_err());
        let want = "LinuxSll2Slice { protocol: 0x0800, if_index: 3, arphrd_type: 1, packet_type: 4, \
                    addr: 02:42:ac:11:00:02 }";
        assert_eq!(std::format!("{s:?}"), want);
        // Another address length: the bytes (here the 8 of a 9-byte claim, at most 8 kept).
        let mut odd = b;
        odd[11] = 9;
        let s = LinuxSll2Slice::from_slice(&odd).unwrap();
        assert!(std::format!("{s:?}").ends_with("addr: [02, 42, ac, 11, 00, 02, 00, 00] }"));
    }
}
