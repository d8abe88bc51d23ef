//! The inner ARP packets and IGMPv3 group records of a capture's VXLAN frames.
//! `cargo run --example inner_arp_igmp -- testdata/vxlan-inner-igmp.pcap`
use vxwire::{capture::CaptureReader, dissect, Config};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: inner_arp_igmp FILE")?;
    for (n, packet) in (1..).zip(CaptureReader::open(path)?.packets()) {
        let p = packet?;
        let Some(link) = p.link_type() else { continue };
        let d = dissect(&p.data, link, &Config::default());
        let Some(inner) = d.inner() else { continue };
        if let Some(arp) = inner.arp() {
            println!("{n}: arp {arp}");
        }
        let Some(report) = inner.igmp().and_then(|igmp| igmp.v3_report()) else { continue };
        let mut records = report.records();
        for r in records.by_ref() {
            println!("{n}: igmp {} {} {:?}", r.record_type, r.group, r.sources().collect::<Vec<_>>());
        }
        if let Some(e) = records.truncation() {
            println!("{n}: igmp records cut: {e}");
        }
    }
    Ok(())
}
