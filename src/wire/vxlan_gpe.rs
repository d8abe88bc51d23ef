//! VXLAN Generic Protocol Extension header (draft-ietf-nvo3-vxlan-gpe), UDP port 4790.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |R|R|Ver|I|P|B|O|       Reserved                |Next Protocol  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                VXLAN Network Identifier (VNI) |   Reserved    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! ```
//! use vxwire::wire::vxlan_gpe::{GpeNextProto, VxlanGpeSlice};
//! // I and P set, next protocol 4 (NSH), VNI 9.
//! let b = [0x0c, 0, 0, 0x04, 0, 0, 9, 0];
//! let g = VxlanGpeSlice::from_slice(&b)?;
//! assert_eq!((g.vni().get(), g.next_proto()), (9, GpeNextProto(4)));
//! assert!(g.payload().is_empty());
//! # Ok::<(), vxwire::Error>(())
//! ```

use crate::error::{Error, Proto};
use crate::wire::vxlan::Vni;

mod field {
    use core::ops::Range;
    pub const FLAGS: usize = 0;
    pub const RESERVED1: Range<usize> = 1..3;
    pub const NEXT_PROTO: usize = 3;
    pub const VNI: Range<usize> = 4..7;
    pub const RESERVED2: usize = 7;
}

/// Length of the VXLAN-GPE header in bytes.
pub const HEADER_LEN: usize = 8;

/// The flags byte of a VXLAN-GPE header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct GpeFlags(pub u8);

impl GpeFlags {
    /// I: the VNI is valid.
    pub const I: u8 = 0x08;
    /// P: the Next Protocol field is present.
    pub const P: u8 = 0x04;
    /// B: the frame carries BUM traffic.
    pub const B: u8 = 0x02;
    /// O: an OAM frame.
    pub const O: u8 = 0x01;

    /// The 2-bit version field.
    pub const fn version(self) -> u8 {
        (self.0 >> 4) & 0x3
    }
}

/// The Next Protocol code point of VXLAN-GPE.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct GpeNextProto(pub u8);

impl GpeNextProto {
    /// IPv4.
    pub const IPV4: GpeNextProto = GpeNextProto(1);
    /// IPv6.
    pub const IPV6: GpeNextProto = GpeNextProto(2);
    /// Ethernet.
    pub const ETHERNET: GpeNextProto = GpeNextProto(3);
    /// Network Service Header.
    pub const NSH: GpeNextProto = GpeNextProto(4);
    /// MPLS.
    pub const MPLS: GpeNextProto = GpeNextProto(5);
}

/// A VXLAN-GPE header as an owned value, equal to the wire bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct VxlanGpeHeader {
    /// Byte 0: version and I/P/B/O bits.
    pub flags: GpeFlags,
    /// Bytes 1–2: reserved.
    pub reserved1: u16,
    /// Byte 3: next protocol.
    pub next_proto: GpeNextProto,
    /// Bytes 4–6: VNI.
    pub vni: Vni,
    /// Byte 7: reserved.
    pub reserved2: u8,
}

impl VxlanGpeHeader {
    /// The header's 8 wire bytes.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let r = self.reserved1.to_be_bytes();
        let v = self.vni.get().to_be_bytes();
        [self.flags.0, r[0], r[1], self.next_proto.0, v[1], v[2], v[3], self.reserved2]
    }
}

/// A zero-copy view of a VXLAN-GPE header and its payload.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct VxlanGpeSlice<'a> {
    header: &'a [u8; HEADER_LEN],
    payload: &'a [u8],
}

/// The header's fields and the payload length, not the payload's bytes.
impl core::fmt::Debug for VxlanGpeSlice<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VxlanGpeSlice")
            .field("flags", &self.flags())
            .field("next_proto", &self.next_proto())
            .field("vni", &self.vni().get())
            .field("payload_len", &self.payload.len())
            .finish()
    }
}

impl<'a> VxlanGpeSlice<'a> {
    /// Checks that `bytes` holds a whole header.
    ///
    /// # Errors
    /// A [`Proto::VxlanGpe`] truncation error if fewer than 8 bytes are present.
    pub fn from_slice(bytes: &'a [u8]) -> Result<VxlanGpeSlice<'a>, Error> {
        match bytes.split_first_chunk::<HEADER_LEN>() {
            Some((header, payload)) => Ok(VxlanGpeSlice { header, payload }),
            None => Err(Error::truncated(Proto::VxlanGpe, HEADER_LEN, bytes.len())),
        }
    }
    /// The 8 header bytes.
    pub fn header_bytes(&self) -> &'a [u8; HEADER_LEN] {
        self.header
    }
    /// The flags byte.
    pub fn flags(&self) -> GpeFlags {
        GpeFlags(self.header[field::FLAGS])
    }
    /// The next protocol.
    pub fn next_proto(&self) -> GpeNextProto {
        GpeNextProto(self.header[field::NEXT_PROTO])
    }
    /// The VNI.
    pub fn vni(&self) -> Vni {
        let v = &self.header[field::VNI];
        Vni::new(u32::from_be_bytes([0, v[0], v[1], v[2]])).unwrap_or_default()
    }
    /// The header as an owned value.
    pub fn header(&self) -> VxlanGpeHeader {
        let r = &self.header[field::RESERVED1];
        VxlanGpeHeader {
            flags: self.flags(),
            reserved1: u16::from_be_bytes([r[0], r[1]]),
            next_proto: self.next_proto(),
            vni: self.vni(),
            reserved2: self.header[field::RESERVED2],
        }
    }
    /// The bytes after the header.
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nsh_over_gpe_header() {
        // tcpdump's tests/nsh-over-vxlan-gpe.pcap, packet 1 at offset 28 (raw IPv4 link type):
        // flags 0x0c (I, P), reserved, next protocol 4 (NSH), VNI 0xffffff, reserved.
        let b = [0x0c, 0x00, 0x00, 0x04, 0xff, 0xff, 0xff, 0x00];
        let s = VxlanGpeSlice::from_slice(&b).unwrap();
        assert_eq!(s.flags().0 & GpeFlags::I, GpeFlags::I);
        assert_eq!(s.flags().0 & GpeFlags::P, GpeFlags::P);
        assert_eq!(s.flags().version(), 0);
        assert_eq!(s.next_proto(), GpeNextProto::NSH);
        assert_eq!(s.vni().get(), 16_777_215);
        assert_eq!(s.header().to_bytes(), b);
        assert!(VxlanGpeSlice::from_slice(&b[..7]).is_err());
    }
}
