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

/// The flags byte of a VXLAN-GPE header: the version (2 bits) and the I, P, B, O bits, a set
/// combined with `|` like [`VxlanFlags`](crate::wire::vxlan::VxlanFlags). `Display` names the
/// set bits (`I,P`; the version and reserved bits in hex; `none`), `Debug` adds the byte.
///
/// ```
/// use vxwire::wire::vxlan_gpe::GpeFlags;
/// let f = GpeFlags::I | GpeFlags::P;
/// assert!(f.vni_valid() && f.next_protocol_present() && !f.oam());
/// assert_eq!(f.to_string(), "I,P");
/// assert_eq!(format!("{:?}", f | GpeFlags(0x10)), "GpeFlags(I,P,0x10 0x1c)"); // version 1
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct GpeFlags(pub u8);

crate::wire::vxlan::flag_ops!(GpeFlags);

impl GpeFlags {
    /// No bit set.
    pub const NONE: GpeFlags = GpeFlags(0);
    /// I: the VNI is valid.
    pub const I: GpeFlags = GpeFlags(0x08);
    /// P: the Next Protocol field is present.
    pub const P: GpeFlags = GpeFlags(0x04);
    /// B: the frame carries BUM (broadcast, unknown unicast, multicast) traffic.
    pub const B: GpeFlags = GpeFlags(0x02);
    /// O: an OAM frame.
    pub const O: GpeFlags = GpeFlags(0x01);
    /// The 2-bit version field (bits 2-3 of the byte).
    pub const VERSION: GpeFlags = GpeFlags(0x30);
    /// The two reserved bits at the top of the byte.
    pub const RESERVED: GpeFlags = GpeFlags(0xc0);

    /// The byte.
    pub const fn bits(self) -> u8 {
        self.0
    }
    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: GpeFlags) -> bool {
        self.0 & other.0 == other.0
    }
    /// Whether any bit of `other` is set.
    pub const fn intersects(self, other: GpeFlags) -> bool {
        self.0 & other.0 != 0
    }
    /// The 2-bit version field.
    pub const fn version(self) -> u8 {
        (self.0 >> 4) & 0x3
    }
    /// Whether the I bit (VNI valid) is set.
    pub const fn vni_valid(self) -> bool {
        self.intersects(Self::I)
    }
    /// Whether the P bit (next protocol present) is set.
    pub const fn next_protocol_present(self) -> bool {
        self.intersects(Self::P)
    }
    /// Whether the B bit (BUM traffic) is set.
    pub const fn bum(self) -> bool {
        self.intersects(Self::B)
    }
    /// Whether the O bit (OAM frame) is set.
    pub const fn oam(self) -> bool {
        self.intersects(Self::O)
    }
}

impl core::fmt::Display for GpeFlags {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let names = [(0x08, "I"), (0x04, "P"), (0x02, "B"), (0x01, "O")];
        crate::display::padded(f, |w| crate::wire::vxlan::write_bits(w, self.0, &names))
    }
}

impl core::fmt::Debug for GpeFlags {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "GpeFlags({self} {:#04x})", self.0)
    }
}

/// The Next Protocol code point of VXLAN-GPE. `Display` gives its name (`IPv4`, `NSH`, ...) or
/// the number for an unknown value; `Debug` both (`GpeNextProto(NSH 4)`).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
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

    /// The protocol's name as the draft's IANA registry has it (`IPv4`, `IPv6`, `Ethernet`,
    /// `NSH`, `MPLS`), or `unknown-next-protocol` (tcpdump's words) for another value.
    ///
    /// ```
    /// use vxwire::wire::vxlan_gpe::GpeNextProto;
    /// assert_eq!((GpeNextProto::NSH.name(), GpeNextProto(99).name()), ("NSH", "unknown-next-protocol"));
    /// assert_eq!(format!("{} {:?}", GpeNextProto(99), GpeNextProto::IPV4), "99 GpeNextProto(IPv4 1)");
    /// ```
    pub const fn name(self) -> &'static str {
        match self.known_name() {
            Some(n) => n,
            None => "unknown-next-protocol",
        }
    }

    /// The name of a protocol the draft assigns, `None` for others (see [`GpeNextProto::name`]).
    pub const fn known_name(self) -> Option<&'static str> {
        Some(match self.0 {
            1 => "IPv4",
            2 => "IPv6",
            3 => "Ethernet",
            4 => "NSH",
            5 => "MPLS",
            _ => return None,
        })
    }
}

impl core::fmt::Display for GpeNextProto {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.known_name() {
            Some(n) => f.pad(n),
            None => crate::display::padded(f, |w| write!(w, "{}", self.0)),
        }
    }
}

impl core::fmt::Debug for GpeNextProto {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.known_name() {
            Some(n) => write!(f, "GpeNextProto({n} {})", self.0),
            None => write!(f, "GpeNextProto({})", self.0),
        }
    }
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
        assert_eq!(s.flags(), GpeFlags::I | GpeFlags::P);
        assert!(s.flags().contains(GpeFlags::I) && !s.flags().bum());
        assert_eq!(s.flags().version(), 0);
        assert_eq!(s.next_proto(), GpeNextProto::NSH);
        assert_eq!(s.vni().get(), 16_777_215);
        assert_eq!(s.header().to_bytes(), b);
        assert!(VxlanGpeSlice::from_slice(&b[..7]).is_err());
    }
}
