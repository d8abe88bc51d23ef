// Shared by the fuzz targets: the first two input bytes choose the link type and the port set,
// the rest is the frame.
use vxwire::dissect::{Config, LinkType};

pub const LINKS: [LinkType; 6] = LinkType::ALL;

pub fn split(data: &[u8]) -> (LinkType, Config, &[u8]) {
    let (a, b, rest) = match data {
        [a, b, rest @ ..] => (*a, *b, rest),
        _ => (0, 0, data),
    };
    let mut config = Config::default();
    if b & 1 != 0 {
        // Every UDP port in the fuzzer's favourite range is VXLAN, to reach nesting fast.
        config.vxlan_ports.insert(u16::from(b));
    }
    config.max_depth = b >> 5;
    (LINKS[usize::from(a) % LINKS.len()], config, rest)
}

/// Text printer options from one selector byte: verbosity, -e, -q, hex mode, timestamp style, -S.
#[allow(dead_code)]
pub fn text_options(b: u8) -> vxwire::print::text::Options {
    use vxwire::print::text::{HexMode, Options, TsFormat};
    Options {
        verbose: b & 3,
        link_header: b & 4 != 0,
        quiet: b & 8 != 0,
        hex: [HexMode::None, HexMode::Hex, HexMode::HexLink, HexMode::Ascii, HexMode::AsciiLink]
            [usize::from(b >> 4) % 5],
        ts: [
            TsFormat::Time,
            TsFormat::None,
            TsFormat::Epoch,
            TsFormat::Delta,
            TsFormat::DateTime,
            TsFormat::SinceFirst,
        ][usize::from(b >> 5) % 6],
        nano: b & 0x80 != 0,
        absolute_seq: b & 0x40 != 0,
    }
}
