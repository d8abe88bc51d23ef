//! ARP, RARP and InARP (RFC 826, RFC 903, RFC 2390): opcode names and the crate's error type
//! over etherparse's zero-copy [`ArpPacketSlice`], which reads any hardware/protocol lengths.

use crate::error::{Error, Proto};
pub use etherparse::{ArpHardwareId, ArpOperation, ArpPacketSlice};

/// ARP opcodes beyond etherparse's request and reply.
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
