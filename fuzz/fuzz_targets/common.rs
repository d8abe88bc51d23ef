// Shared by the fuzz targets: the first two input bytes choose the link type and the port set,
// the rest is the frame.
use vxwire::dissect::{Config, LinkType};

pub const LINKS: [LinkType; 6] = [
    LinkType::Ethernet,
    LinkType::LinuxSll,
    LinkType::LinuxSll2,
    LinkType::RawIp,
    LinkType::Ipv4,
    LinkType::Ipv6,
];

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
