//! The inner ARP packets and IGMPv3 group records of a capture's VXLAN frames.
//! `cargo run --example inner_arp_igmp -- testdata/vxlan-inner-igmp.pcap`
use vxwire::{capture::CaptureReader, dissect, Config};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: inner_arp_igmp FILE")?;
    let reader = CaptureReader::new(std::io::BufReader::new(std::fs::File::open(path)?))?;
    for (i, packet) in reader.packets().enumerate() {
        let (n, p) = (i + 1, packet?);
        let Some(link) = p.link_type() else { continue };
        let d = dissect(&p.data, link, &Config::default());
        let Some(inner) = d.inner() else { continue };
        if let Some(arp) = inner.arp() {
            println!("{n}: arp {arp}");
        }
        let Some(report) = inner.igmp().and_then(|igmp| igmp.v3_report()) else { continue };
        let mut records = report.records();
        for r in records.by_ref() {
            let sources: Vec<String> = r.sources().map(|s| s.to_string()).collect();
            println!("{n}: igmp {} {} [{}]", r.record_type, r.group, sources.join(" "));
        }
        if let Some(e) = records.truncation() {
            println!("{n}: igmp records cut: {e}");
        }
    }
    Ok(())
}
