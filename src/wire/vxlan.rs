//! VXLAN header (RFC 7348) with the Group Based Policy extension (draft-smith-vxlan-group-policy).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |G|R|R|R|I|R|R|R|R|D|R|R|A|R|R|R|        Group Policy ID        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          VXLAN Network Identifier (VNI)       |   Reserved    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//! Plain RFC 7348 VXLAN has only the I bit (`0x08` of byte 0); every other bit is reserved.
//! With GBP, G is `0x80` of byte 0, D ("don't learn") is `0x40` of byte 1 and A ("policy applied")
//! is `0x08` of byte 1 (gopacket wrongly uses `0x80` for A), and bytes 2–3 carry the group policy ID.
//! [`VxlanHeader`] keeps every bit exactly, so parsing and writing gives back the same bytes.

use crate::error::{need, Error, Proto};
use core::fmt;

/// Byte ranges of the header fields.
mod field {
    use core::ops::Range;
    pub const FLAGS: usize = 0;
    pub const GBP_FLAGS: usize = 1;
    pub const POLICY: Range<usize> = 2..4;
    pub const VNI: Range<usize> = 4..7;
    pub const RESERVED2: usize = 7;
}

/// Length of the VXLAN header in bytes.
pub const HEADER_LEN: usize = 8;

/// The IANA UDP port for VXLAN.
pub const PORT_IANA: u16 = 4789;
/// The Linux kernel's (and flannel's) default UDP port for VXLAN.
pub const PORT_LINUX: u16 = 8472;
/// The IANA UDP port for VXLAN-GPE.
pub const PORT_GPE: u16 = 4790;

/// A 24-bit VXLAN Network Identifier.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Vni(u32);

impl Vni {
    /// The largest VNI, 2^24 - 1.
    pub const MAX: u32 = 0x00ff_ffff;

    /// A VNI, or `None` if `value` does not fit in 24 bits.
    pub const fn new(value: u32) -> Option<Vni> {
        if value <= Self::MAX {
            Some(Vni(value))
        } else {
            None
        }
    }

    /// The VNI as a number.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Vni {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// The first flags byte of the VXLAN header (byte 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct VxlanFlags(pub u8);

impl VxlanFlags {
    /// I: the VNI is valid (RFC 7348). Linux drops frames without it.
    pub const I: u8 = 0x08;
    /// G: a group policy ID is present (GBP extension).
    pub const G: u8 = 0x80;
    /// The bits that neither plain VXLAN nor GBP define.
    pub const RESERVED_GBP: u8 = !(Self::I | Self::G);
    /// The bits reserved in plain RFC 7348 VXLAN.
    pub const RESERVED: u8 = !Self::I;

    /// Whether the I bit is set.
    pub const fn i(self) -> bool {
        self.0 & Self::I != 0
    }
    /// Whether the G bit is set.
    pub const fn g(self) -> bool {
        self.0 & Self::G != 0
    }
}

/// Byte 1 of the header, which carries the D and A bits under GBP.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct GbpFlags(pub u8);

impl GbpFlags {
    /// D: don't learn the inner source MAC.
    pub const D: u8 = 0x40;
    /// A: the group policy has already been applied.
    pub const A: u8 = 0x08;
    /// The bits of byte 1 that GBP does not define.
    pub const RESERVED: u8 = !(Self::D | Self::A);

    /// Whether the D (don't learn) bit is set.
    pub const fn dont_learn(self) -> bool {
        self.0 & Self::D != 0
    }
    /// Whether the A (policy applied) bit is set.
    pub const fn policy_applied(self) -> bool {
        self.0 & Self::A != 0
    }
}

/// The Group Based Policy fields, meaningful only when the G bit is set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Gbp {
    /// The 16-bit group policy ID (bytes 2–3).
    pub group_policy_id: u16,
    /// The D bit: the receiver must not learn the inner source MAC.
    pub dont_learn: bool,
    /// The A bit: the policy has been applied already.
    pub policy_applied: bool,
}

/// A VXLAN header as an owned value, equal to the 8 bytes on the wire (reserved bits included).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct VxlanHeader {
    /// Byte 0: I, G and reserved bits.
    pub flags: VxlanFlags,
    /// Byte 1: the GBP D and A bits and reserved bits.
    pub gbp_flags: GbpFlags,
    /// Bytes 2–3: the group policy ID under GBP, reserved otherwise.
    pub group_policy_id: u16,
    /// Bytes 4–6: the VNI.
    pub vni: Vni,
    /// Byte 7: reserved.
    pub reserved: u8,
}

impl VxlanHeader {
    /// A plain RFC 7348 header: I bit set, everything else zero.
    pub const fn new(vni: Vni) -> VxlanHeader {
        VxlanHeader {
            flags: VxlanFlags(VxlanFlags::I),
            gbp_flags: GbpFlags(0),
            group_policy_id: 0,
            vni,
            reserved: 0,
        }
    }

    /// A GBP header: I and G bits set, D and A as given, and the group policy ID.
    pub const fn with_gbp(vni: Vni, gbp: Gbp) -> VxlanHeader {
        let mut b1 = 0;
        if gbp.dont_learn {
            b1 |= GbpFlags::D;
        }
        if gbp.policy_applied {
            b1 |= GbpFlags::A;
        }
        VxlanHeader {
            flags: VxlanFlags(VxlanFlags::I | VxlanFlags::G),
            gbp_flags: GbpFlags(b1),
            group_policy_id: gbp.group_policy_id,
            vni,
            reserved: 0,
        }
    }

    /// The GBP fields if the G bit is set.
    pub const fn gbp(&self) -> Option<Gbp> {
        if self.flags.g() {
            Some(Gbp {
                group_policy_id: self.group_policy_id,
                dont_learn: self.gbp_flags.dont_learn(),
                policy_applied: self.gbp_flags.policy_applied(),
            })
        } else {
            None
        }
    }

    /// Parses the first 8 bytes of `bytes`; returns the header and the bytes after it.
    ///
    /// # Errors
    /// A [`Proto::Vxlan`] truncation error if fewer than 8 bytes are present.
    pub fn parse(bytes: &[u8]) -> Result<(VxlanHeader, &[u8]), Error> {
        use nom::number::complete::{be_u16, be_u24, be_u8};
        use nom::Parser;
        need(Proto::Vxlan, bytes, HEADER_LEN)?;
        let r: nom::IResult<&[u8], _, ()> = (be_u8, be_u8, be_u16, be_u24, be_u8).parse(bytes);
        match r {
            Ok((rest, (f, g, policy, vni, res))) => Ok((
                VxlanHeader {
                    flags: VxlanFlags(f),
                    gbp_flags: GbpFlags(g),
                    group_policy_id: policy,
                    vni: Vni(vni),
                    reserved: res,
                },
                rest,
            )),
            // Unreachable after the length check; reported as truncation rather than a panic.
            Err(_) => Err(Error::truncated(Proto::Vxlan, HEADER_LEN, bytes.len())),
        }
    }

    /// The header's 8 wire bytes.
    pub const fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let p = self.group_policy_id.to_be_bytes();
        let v = self.vni.0.to_be_bytes();
        [self.flags.0, self.gbp_flags.0, p[0], p[1], v[1], v[2], v[3], self.reserved]
    }

    /// Writes the header into the start of `buf`; returns the number of bytes written (8).
    ///
    /// # Errors
    /// A [`Proto::Buffer`] truncation error if `buf` is shorter than 8 bytes.
    pub fn write(&self, buf: &mut [u8]) -> Result<usize, Error> {
        if buf.len() < HEADER_LEN {
            return Err(Error::truncated(Proto::Buffer, HEADER_LEN, buf.len()));
        }
        buf[..HEADER_LEN].copy_from_slice(&self.to_bytes());
        Ok(HEADER_LEN)
    }
}

/// A zero-copy view of a VXLAN header and the inner frame after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VxlanSlice<'a> {
    header: &'a [u8; HEADER_LEN],
    payload: &'a [u8],
}

impl<'a> VxlanSlice<'a> {
    /// Checks that `bytes` holds a whole header; the rest is the inner frame.
    ///
    /// # Errors
    /// A [`Proto::Vxlan`] truncation error if fewer than 8 bytes are present.
    pub fn from_slice(bytes: &'a [u8]) -> Result<VxlanSlice<'a>, Error> {
        match bytes.split_first_chunk::<HEADER_LEN>() {
            Some((header, payload)) => Ok(VxlanSlice { header, payload }),
            None => Err(Error::truncated(Proto::Vxlan, HEADER_LEN, bytes.len())),
        }
    }

    /// The 8 header bytes.
    pub fn header_bytes(&self) -> &'a [u8; HEADER_LEN] {
        self.header
    }
    /// The first flags byte.
    pub fn flags(&self) -> VxlanFlags {
        VxlanFlags(self.header[field::FLAGS])
    }
    /// Byte 1 (GBP D/A bits).
    pub fn gbp_flags(&self) -> GbpFlags {
        GbpFlags(self.header[field::GBP_FLAGS])
    }
    /// Bytes 2–3 (the group policy ID under GBP).
    pub fn group_policy_id(&self) -> u16 {
        u16::from_be_bytes([self.header[field::POLICY.start], self.header[field::POLICY.start + 1]])
    }
    /// The VNI.
    pub fn vni(&self) -> Vni {
        let v = &self.header[field::VNI];
        Vni(u32::from_be_bytes([0, v[0], v[1], v[2]]))
    }
    /// Byte 7 (reserved).
    pub fn reserved(&self) -> u8 {
        self.header[field::RESERVED2]
    }
    /// The GBP fields if the G bit is set.
    pub fn gbp(&self) -> Option<Gbp> {
        self.header().gbp()
    }
    /// The header as an owned value.
    pub fn header(&self) -> VxlanHeader {
        VxlanHeader {
            flags: self.flags(),
            gbp_flags: self.gbp_flags(),
            group_policy_id: self.group_policy_id(),
            vni: self.vni(),
            reserved: self.reserved(),
        }
    }
    /// The inner frame (normally Ethernet).
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// VXLAN header of the first packet of tcpdump's `tests/vxlan.pcap`
    /// (testdata/third-party/tcpdump/vxlan.pcap, offset 42).
    const TCPDUMP_VXLAN: [u8; 8] = [
        0x08, // flags: I
        0x00, 0x00, 0x00, // reserved
        0x00, 0x00, 0x64, // VNI 100
        0x00, // reserved
    ];

    #[test]
    fn parses_plain_header() {
        let s = VxlanSlice::from_slice(&TCPDUMP_VXLAN).unwrap();
        assert!(s.flags().i());
        assert!(!s.flags().g());
        assert_eq!(s.vni().get(), 100);
        assert_eq!(s.gbp(), None);
        assert_eq!(s.header(), VxlanHeader::new(Vni::new(100).unwrap()));
        assert!(s.payload().is_empty());
    }

    #[test]
    fn gbp_bits_follow_the_draft_not_gopacket() {
        let bytes = [0x88, 0x48, 0x12, 0x34, 0x00, 0x01, 0x2c, 0x00];
        let (h, rest) = VxlanHeader::parse(&bytes).unwrap();
        assert!(rest.is_empty());
        let gbp = h.gbp().unwrap();
        assert_eq!(gbp.group_policy_id, 0x1234);
        assert!(gbp.dont_learn);
        assert!(gbp.policy_applied);
        assert_eq!(h.vni.get(), 300);
        // gopacket's A bit position (0x80 of byte 1) is a reserved bit here.
        let (h2, _) = VxlanHeader::parse(&[0x88, 0x80, 0, 0, 0, 0, 1, 0]).unwrap();
        assert!(!h2.gbp().unwrap().policy_applied);
    }

    #[test]
    fn round_trips_every_reserved_bit() {
        let bytes = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        let (h, _) = VxlanHeader::parse(&bytes).unwrap();
        assert_eq!(h.to_bytes(), bytes);
        let mut buf = [0xa5u8; 10];
        assert_eq!(h.write(&mut buf).unwrap(), 8);
        assert_eq!(&buf[..8], &bytes);
        assert_eq!(&buf[8..], &[0xa5, 0xa5]);
    }

    #[test]
    fn with_gbp_builds_draft_layout() {
        let h = VxlanHeader::with_gbp(
            Vni::new(300).unwrap(),
            Gbp { group_policy_id: 4660, dont_learn: true, policy_applied: true },
        );
        assert_eq!(h.to_bytes(), [0x88, 0x48, 0x12, 0x34, 0x00, 0x01, 0x2c, 0x00]);
    }

    #[test]
    fn truncated_is_an_error() {
        let e = VxlanSlice::from_slice(&TCPDUMP_VXLAN[..6]).unwrap_err();
        assert_eq!(e, Error::truncated(Proto::Vxlan, 8, 6));
        assert_eq!(VxlanHeader::parse(&[]).unwrap_err().present, 0);
        assert!(VxlanHeader::new(Vni::default()).write(&mut [0u8; 7]).is_err());
    }

    #[test]
    fn vni_limits() {
        assert!(Vni::new(Vni::MAX).is_some());
        assert!(Vni::new(Vni::MAX + 1).is_none());
    }
}
