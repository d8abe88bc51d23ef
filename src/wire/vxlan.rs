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
//!
//! A GBP round trip: build the owned header, write it, view the bytes, read the fields back.
//! ```
//! use vxwire::wire::vxlan::{Gbp, Vni, VxlanHeader, VxlanSlice};
//! let gbp = Gbp { group_policy_id: 4660, dont_learn: true, policy_applied: false };
//! let h = VxlanHeader::with_gbp(Vni::try_from(300)?, gbp);
//! let mut buf = [0u8; 8];
//! h.write(&mut buf)?;
//! assert_eq!(buf, [0x88, 0x40, 0x12, 0x34, 0x00, 0x01, 0x2c, 0x00]);
//! let v = VxlanSlice::from_slice(&buf)?;
//! assert_eq!(v.gbp(), Some(gbp));
//! assert_eq!(v.header(), h);
//! assert_eq!(v.to_string(), "flags [G,I] vni 300 gbp 4660 [D]");
//! # Ok::<(), vxwire::Error>(())
//! ```

use crate::error::{need, Error, ErrorKind, Proto};
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

impl From<Vni> for u32 {
    fn from(v: Vni) -> u32 {
        v.0
    }
}

/// A VNI from a number, with a typed error for values over 2^24 - 1, so that `?` works:
///
/// ```
/// use vxwire::wire::vxlan::Vni;
/// let v = Vni::try_from(100u32)?;
/// assert_eq!(v.get(), 100);
/// let e = Vni::try_from(1u32 << 24).unwrap_err();
/// assert_eq!(e.to_string(), "VXLAN header value out of range (16777216, limit 16777215)");
/// # Ok::<(), vxwire::Error>(())
/// ```
impl TryFrom<u32> for Vni {
    type Error = Error;

    fn try_from(value: u32) -> Result<Vni, Error> {
        Vni::new(value).ok_or(Error::new(
            Proto::Vxlan,
            ErrorKind::OutOfRange,
            Vni::MAX as usize,
            value as usize,
        ))
    }
}

/// Writes the names of the set bits of `bits` among `names` (`G,I`), then any other set bits
/// as hex, or `none`.
pub(crate) fn write_bits(f: &mut dyn fmt::Write, bits: u8, names: &[(u8, &str)]) -> fmt::Result {
    let mut rest = bits;
    let mut sep = "";
    for &(bit, name) in names {
        if bits & bit != 0 {
            write!(f, "{sep}{name}")?;
            sep = ",";
            rest &= !bit;
        }
    }
    match (rest, sep) {
        (0, "") => f.write_str("none"),
        (0, _) => Ok(()),
        (r, _) => write!(f, "{sep}{r:#04x}"),
    }
}

/// Bit operations of a one-byte flag set.
macro_rules! flag_ops {
    ($t:ident) => {
        impl core::ops::BitOr for $t {
            type Output = $t;
            fn bitor(self, rhs: $t) -> $t {
                $t(self.0 | rhs.0)
            }
        }
        impl core::ops::BitOrAssign for $t {
            fn bitor_assign(&mut self, rhs: $t) {
                self.0 |= rhs.0;
            }
        }
        impl core::ops::BitAnd for $t {
            type Output = $t;
            fn bitand(self, rhs: $t) -> $t {
                $t(self.0 & rhs.0)
            }
        }
        impl core::ops::Not for $t {
            type Output = $t;
            fn not(self) -> $t {
                $t(!self.0)
            }
        }
        impl From<u8> for $t {
            fn from(b: u8) -> $t {
                $t(b)
            }
        }
        impl From<$t> for u8 {
            fn from(f: $t) -> u8 {
                f.0
            }
        }
    };
}
pub(crate) use flag_ops;

/// The first flags byte of the VXLAN header (byte 0): a set of bits, combined with `|`.
///
/// `Display` names the bits as tcpdump does (`G,I`; other set bits in hex; `none`), `Debug`
/// adds the byte (`VxlanFlags(G,I 0x88)`).
///
/// ```
/// use vxwire::wire::vxlan::VxlanFlags;
/// let f = VxlanFlags::I | VxlanFlags::G;
/// assert!(f.vni_valid() && f.group_policy());
/// assert_eq!(f.to_string(), "G,I");
/// assert_eq!((VxlanFlags::I | VxlanFlags(0x01)).to_string(), "I,0x01");
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct VxlanFlags(pub u8);

flag_ops!(VxlanFlags);

impl VxlanFlags {
    /// No bit set.
    pub const NONE: VxlanFlags = VxlanFlags(0);
    /// I: the VNI is valid (RFC 7348). Linux drops frames without it.
    pub const I: VxlanFlags = VxlanFlags(0x08);
    /// G: a group policy ID is present (GBP extension).
    pub const G: VxlanFlags = VxlanFlags(0x80);
    /// The bits that neither plain VXLAN nor GBP define.
    pub const RESERVED_GBP: VxlanFlags = VxlanFlags(!0x88);
    /// The bits reserved in plain RFC 7348 VXLAN.
    pub const RESERVED: VxlanFlags = VxlanFlags(!0x08);

    /// The byte.
    pub const fn bits(self) -> u8 {
        self.0
    }
    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: VxlanFlags) -> bool {
        self.0 & other.0 == other.0
    }
    /// Whether any bit of `other` is set.
    pub const fn intersects(self, other: VxlanFlags) -> bool {
        self.0 & other.0 != 0
    }
    /// Whether the I bit (VNI valid) is set.
    pub const fn vni_valid(self) -> bool {
        self.intersects(Self::I)
    }
    /// Whether the G bit (group policy present) is set.
    pub const fn group_policy(self) -> bool {
        self.intersects(Self::G)
    }
    /// [`vni_valid`](Self::vni_valid) under tcpdump's name for the bit.
    pub const fn i(self) -> bool {
        self.vni_valid()
    }
    /// [`group_policy`](Self::group_policy) under tcpdump's name for the bit.
    pub const fn g(self) -> bool {
        self.group_policy()
    }
}

impl fmt::Display for VxlanFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::display::padded(f, |w| write_bits(w, self.0, &[(0x80, "G"), (0x08, "I")]))
    }
}

impl fmt::Debug for VxlanFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VxlanFlags({self} {:#04x})", self.0)
    }
}

/// Byte 1 of the header, which carries the D and A bits under GBP; a set of bits like
/// [`VxlanFlags`] (`Display`: `D,A`).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct GbpFlags(pub u8);

flag_ops!(GbpFlags);

impl GbpFlags {
    /// No bit set.
    pub const NONE: GbpFlags = GbpFlags(0);
    /// D: don't learn the inner source MAC.
    pub const D: GbpFlags = GbpFlags(0x40);
    /// A: the group policy has already been applied.
    pub const A: GbpFlags = GbpFlags(0x08);
    /// The bits of byte 1 that GBP does not define.
    pub const RESERVED: GbpFlags = GbpFlags(!0x48);

    /// The byte.
    pub const fn bits(self) -> u8 {
        self.0
    }
    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: GbpFlags) -> bool {
        self.0 & other.0 == other.0
    }
    /// Whether any bit of `other` is set.
    pub const fn intersects(self, other: GbpFlags) -> bool {
        self.0 & other.0 != 0
    }
    /// Whether the D (don't learn) bit is set.
    pub const fn dont_learn(self) -> bool {
        self.intersects(Self::D)
    }
    /// Whether the A (policy applied) bit is set.
    pub const fn policy_applied(self) -> bool {
        self.intersects(Self::A)
    }
}

impl fmt::Display for GbpFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::display::padded(f, |w| write_bits(w, self.0, &[(0x40, "D"), (0x08, "A")]))
    }
}

impl fmt::Debug for GbpFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GbpFlags({self} {:#04x})", self.0)
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
        VxlanHeader { flags: VxlanFlags::I, gbp_flags: GbpFlags::NONE, group_policy_id: 0, vni, reserved: 0 }
    }

    /// A GBP header: I and G bits set, D and A as given, and the group policy ID.
    pub const fn with_gbp(vni: Vni, gbp: Gbp) -> VxlanHeader {
        let mut b1 = 0;
        if gbp.dont_learn {
            b1 |= GbpFlags::D.0;
        }
        if gbp.policy_applied {
            b1 |= GbpFlags::A.0;
        }
        VxlanHeader {
            flags: VxlanFlags(VxlanFlags::I.0 | VxlanFlags::G.0),
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

/// `flags [I] vni 100`, `flags [G,I] vni 300 gbp 4660 [D]`: the fields, as tcpdump names them.
impl fmt::Display for VxlanHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::display::padded(f, |w| {
            write!(w, "flags [{}] vni {}", self.flags, self.vni)?;
            if let Some(g) = self.gbp() {
                write!(w, " gbp {}", g.group_policy_id)?;
                if self.gbp_flags.0 != 0 {
                    write!(w, " [{}]", self.gbp_flags)?;
                }
            }
            if self.reserved != 0 {
                write!(w, " reserved {:#04x}", self.reserved)?;
            }
            Ok(())
        })
    }
}

/// A zero-copy view of a VXLAN header and the inner frame after it.
///
/// `Display` is the header's ([`VxlanHeader`]); `Debug` decodes the fields and gives the
/// payload's length, not its bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
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

impl fmt::Display for VxlanSlice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.header(), f)
    }
}

impl fmt::Debug for VxlanSlice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VxlanSlice")
            .field("flags", &self.flags())
            .field("vni", &self.vni().get())
            .field("gbp", &self.gbp())
            .field("payload_len", &self.payload.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "std")]
    #[test]
    fn values_print_themselves() {
        let h = VxlanHeader::with_gbp(
            Vni::new(300).unwrap(),
            Gbp { group_policy_id: 4660, dont_learn: true, policy_applied: false },
        );
        assert_eq!(std::format!("{h}"), "flags [G,I] vni 300 gbp 4660 [D]");
        assert_eq!(std::format!("[{:<18}]", VxlanHeader::new(Vni::new(7).unwrap())), "[flags [I] vni 7   ]");
        let b = h.to_bytes();
        let s = VxlanSlice::from_slice(&b).unwrap();
        assert_eq!(
            std::format!("{s:?}"),
            "VxlanSlice { flags: VxlanFlags(G,I 0x88), vni: 300, gbp: Some(Gbp { group_policy_id: 4660, \
             dont_learn: true, policy_applied: false }), payload_len: 0 }"
        );
        assert_eq!(std::format!("{}", VxlanFlags::NONE), "none");
        assert_eq!(std::format!("{}", GbpFlags::D | GbpFlags::A), "D,A");
        assert!((VxlanFlags::I | VxlanFlags::G).contains(VxlanFlags::G));
        assert!(!(VxlanFlags(0x01) & VxlanFlags::RESERVED).vni_valid());
    }

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
