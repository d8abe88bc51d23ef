//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod netns;

use std::net::IpAddr;
use vxwire::dissect::{dissect, Config, Dissection, Header, LinkType};

/// The injector's inner MAC in the overlay.
pub const INNER_MAC: &str = "02:00:00:00:00:01";
/// The injector's inner address in the overlay.
pub const INNER_IP: &str = "10.0.0.1";

/// Dissects an Ethernet frame with VXLAN on 4789 and 8472.
pub fn parse(frame: &[u8]) -> Dissection<'_> {
    dissect(frame, LinkType::Ethernet, &Config::default())
}

/// The outer IP source of a dissected frame.
pub fn outer_source(d: &Dissection<'_>) -> Option<IpAddr> {
    d.layers().find_map(|l| match &l.header {
        Header::Ipv4(h) if l.depth == 0 => Some(IpAddr::V4(h.source_addr())),
        Header::Ipv6(h) if l.depth == 0 => Some(IpAddr::V6(h.source_addr())),
        _ => None,
    })
}

/// The frames that carry VXLAN and come from `vtep`.
pub fn from_vtep<'a>(frames: &'a [Vec<u8>], vtep: &str) -> Vec<&'a [u8]> {
    let vtep: IpAddr = vtep.parse().expect("VTEP address");
    frames
        .iter()
        .map(Vec::as_slice)
        .filter(|f| {
            let d = parse(f);
            d.vxlan().is_some() && outer_source(&d) == Some(vtep)
        })
        .collect()
}

/// Formats a MAC like `ip` does.
pub fn mac_str(m: &[u8]) -> String {
    m.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
}

/// The inner ARP packets of VXLAN frames: (operation, sender MAC, sender IP, target IP).
pub fn inner_arps(frames: &[&[u8]]) -> Vec<(u16, String, String, String)> {
    let mut out = Vec::new();
    for f in frames {
        let d = parse(f);
        for l in d.layers() {
            if let Header::Arp(a) = &l.header {
                if l.depth == 1 {
                    let ip = |b: &[u8]| b.iter().map(u8::to_string).collect::<Vec<_>>().join(".");
                    out.push((
                        a.operation().0,
                        mac_str(a.sender_hw_addr()),
                        ip(a.sender_protocol_addr()),
                        ip(a.target_protocol_addr()),
                    ));
                }
            }
        }
    }
    out
}
