//! Per-VNI statistics from a pcap or pcapng file: packets, bytes on the wire, inner sources.
//! `cargo run --example vni_stats -- testdata/vxlan-mcast-group.pcap`
use std::collections::{BTreeMap, BTreeSet};
use vxwire::{capture::CaptureReader, dissect, Config, MacAddr};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: vni_stats FILE")?;
    let reader = CaptureReader::new(std::io::BufReader::new(std::fs::File::open(path)?))?;
    let mut stats: BTreeMap<u32, (u64, u64, BTreeSet<MacAddr>)> = BTreeMap::new();
    for packet in reader.packets() {
        let p = packet?;
        let Some(link) = p.link_type() else { continue };
        let d = dissect(&p.data, link, &Config::default());
        let (Some(vxlan), Some(inner)) = (d.outer().vxlan(), d.inner()) else { continue };
        let (packets, bytes, sources) = stats.entry(vxlan.vni().get()).or_default();
        *packets += 1;
        *bytes += u64::from(p.len);
        sources.extend(inner.src_mac());
    }
    for (vni, (packets, bytes, sources)) in &stats {
        let sources: Vec<String> = sources.iter().map(MacAddr::to_string).collect();
        println!("vni {vni}: {packets} packets, {bytes} bytes, inner sources {}", sources.join(" "));
    }
    Ok(())
}
