//! Reads a pcap or pcapng file and lists the VXLAN VNIs it carries, with the innermost protocol
//! of the inner frames seen in each, and how many packets were not VXLAN at all.
//!
//! ```text
//! cargo run --example vnis -- testdata/vxlan-4789-p2p.pcap
//! ```
use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use vxwire::capture::CaptureReader;
use vxwire::dissect::{dissect, Config};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: vnis FILE")?;
    let reader = CaptureReader::new(BufReader::new(File::open(&path)?))?;
    // VNI -> (inner protocol name -> packets)
    let mut vnis: BTreeMap<u32, BTreeMap<&'static str, u64>> = BTreeMap::new();
    let mut other = 0u64;
    for packet in reader.packets() {
        let packet = packet?;
        let Some(link) = packet.link_type() else { continue };
        let d = dissect(&packet.data, link, &Config::default());
        let (Some(vxlan), Some(inner)) = (d.vxlan(), d.inner()) else {
            other += 1;
            continue;
        };
        // The innermost layer of the inner frame names it (`Proto::short_name`: arp, icmp, tcp, ...).
        let name = inner.layers().next_back().map_or("none", |l| l.header.proto().short_name());
        *vnis.entry(vxlan.vni().get()).or_default().entry(name).or_default() += 1;
    }
    for (vni, protos) in &vnis {
        let list: Vec<String> = protos.iter().map(|(p, n)| format!("{p} {n}")).collect();
        println!("vni {vni}: {}", list.join(", "));
    }
    println!("not VXLAN: {other}");
    Ok(())
}
