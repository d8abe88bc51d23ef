//! Reads a pcap or pcapng file and lists the VXLAN VNIs it carries, with the inner protocols seen
//! in each, and how many packets were not VXLAN at all.
//!
//! ```text
//! cargo run --example vnis -- testdata/vxlan-4789-p2p.pcap
//! ```
use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use vxwire::capture::CaptureReader;
use vxwire::dissect::{dissect, Config, Header};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: vnis FILE")?;
    let mut reader = CaptureReader::new(BufReader::new(File::open(&path)?))?;
    let config = Config::default();
    // VNI -> (inner protocol name -> packets)
    let mut vnis: BTreeMap<u32, BTreeMap<&'static str, u64>> = BTreeMap::new();
    let mut other = 0u64;
    while let Some(packet) = reader.next_packet() {
        let packet = packet?;
        let Some(link) = packet.link_type() else { continue };
        let d = dissect(packet.data, link, &config);
        let Some(vxlan) = d.vxlan() else {
            other += 1;
            continue;
        };
        // The innermost layer that is not VXLAN's inner Ethernet names the inner protocol.
        let inner = d.layers().rev().find(|l| l.depth > 0).map_or("none", |l| match l.header {
            Header::Arp(_) => "arp",
            Header::Igmp(_) => "igmp",
            Header::Icmpv4(_) => "icmp",
            Header::Icmpv6(_) => "icmpv6",
            Header::Tcp(_) => "tcp",
            Header::Udp(_) => "udp",
            Header::Ipv4(_) => "ipv4",
            Header::Ipv6(_) | Header::Ipv6Ext(_) => "ipv6",
            Header::Ethernet(_) | Header::Vlan(_) => "ethernet",
            _ => "other",
        });
        *vnis.entry(vxlan.vni().get()).or_default().entry(inner).or_default() += 1;
    }
    for (vni, protos) in &vnis {
        let list: Vec<String> = protos.iter().map(|(p, n)| format!("{p} {n}")).collect();
        println!("vni {vni}: {}", list.join(", "));
    }
    println!("not VXLAN: {other}");
    Ok(())
}
