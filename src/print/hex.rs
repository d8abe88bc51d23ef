//! tcpdump's hex dumps: `-x` (hex words) and `-X` (hex words and ASCII), also used for the raw
//! dump tcpdump appends to packets it cannot decode.
//!
//! Both write into a caller's byte buffer without allocating beyond its growth.
//!
//! ```
//! let mut out = Vec::new();
//! vxwire::print::hex::hex_ascii(&mut out, b"\t", b"VXLAN\x08\0\0");
//! assert_eq!(String::from_utf8(out)?, "\t0x0000:  5658 4c41 4e08 0000                      VXLAN...");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::vec::Vec;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Bytes shown per line.
const PER_LINE: usize = 16;
/// Width of the hex part of a `-X` line: 8 words of `" xxxx"`.
const HEX_WIDTH: usize = 40;

fn push_hex_byte(out: &mut Vec<u8>, b: u8) {
    out.push(HEX[usize::from(b >> 4)]);
    out.push(HEX[usize::from(b & 0xf)]);
}

fn push_offset(out: &mut Vec<u8>, prefix: &[u8], offset: usize) {
    out.extend_from_slice(prefix);
    out.extend_from_slice(b"0x");
    // `%04x`: at least four digits, more past 0xffff.
    let digits = ((usize::BITS - offset.leading_zeros()).div_ceil(4) as usize).max(4);
    for i in (0..digits).rev() {
        out.push(HEX[(offset >> (4 * i)) & 0xf]);
    }
    out.extend_from_slice(b": ");
}

fn push_words(out: &mut Vec<u8>, chunk: &[u8]) {
    for pair in chunk.chunks(2) {
        out.push(b' ');
        for &b in pair {
            push_hex_byte(out, b);
        }
    }
}

/// Writes `data` as tcpdump `-x` does: lines of eight 16-bit words, each line starting with
/// `prefix` (tcpdump uses `"\n\t"`) and the offset.
pub fn hex(out: &mut Vec<u8>, prefix: &[u8], data: &[u8]) {
    for (n, chunk) in data.chunks(PER_LINE).enumerate() {
        push_offset(out, prefix, n * PER_LINE);
        push_words(out, chunk);
    }
}

/// Writes `data` as tcpdump `-X` does: like [`hex()`], with the hex part padded to a fixed width
/// and followed by two spaces and the bytes as ASCII (`.` for anything not printable).
pub fn hex_ascii(out: &mut Vec<u8>, prefix: &[u8], data: &[u8]) {
    for (n, chunk) in data.chunks(PER_LINE).enumerate() {
        push_offset(out, prefix, n * PER_LINE);
        let start = out.len();
        push_words(out, chunk);
        let width = out.len() - start;
        out.resize(out.len() + (HEX_WIDTH - width.min(HEX_WIDTH)), b' ');
        out.extend_from_slice(b"  ");
        out.extend(chunk.iter().map(|&b| if (0x21..0x7f).contains(&b) { b } else { b'.' }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;
    use std::vec::Vec;

    #[test]
    fn hex_lines_like_tcpdump() {
        // From testdata/vxlan-4789-p2p.x.out (tcpdump -x of an ARP request, 28 bytes).
        let arp = [
            0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x18, 0x00, 0x01, 0xc6, 0x12,
            0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc6, 0x12, 0x00, 0x02,
        ];
        let mut out = Vec::new();
        hex(&mut out, b"\n\t", &arp);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\n\t0x0000:  0001 0800 0604 0001 0200 0018 0001 c612\n\t0x0010:  0001 0000 0000 0000 c612 0002"
        );
    }

    #[test]
    fn offsets_past_64k_grow() {
        let data = [0u8; 0x10002];
        let mut out = Vec::new();
        hex(&mut out, b"\n\t", &data);
        assert!(String::from_utf8(out).unwrap().ends_with("\n\t0x10000:  0000"));
    }

    #[test]
    fn hex_ascii_pads_short_lines_and_odd_bytes() {
        let mut out = Vec::new();
        hex_ascii(&mut out, b"\n\t", b"AB C\x7f");
        // The hex part is padded to 40 columns (8 words of 5), then two spaces and the ASCII.
        let expected = std::format!("\n\t0x0000: {:<40}  AB.C.", " 4142 2043 7f");
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }
}
