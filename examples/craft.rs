//! Crafts a VXLAN-encapsulated ARP request and a VXLAN-encapsulated IGMPv3 join and writes
//! them to a pcap file: `cargo run --example craft -- out.pcap`, then `tcpdump -nn -v -r out.pcap`.

use std::net::Ipv4Addr;
use vxwire::build::{arp, encapsulate, igmp, ArpSpec, GroupRecordSpec, IgmpMessage, IgmpSpec, Outer};
use vxwire::capture::CaptureWriter;
use vxwire::dissect::LinkType;
use vxwire::wire::igmp::RecordType;
use vxwire::wire::vxlan::{Vni, VxlanHeader};
use vxwire::MacAddr;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: craft OUT.pcap")?;
    // Underlay: VTEP 198.18.0.1 -> 198.18.0.2, UDP 4789, VNI 100.
    let outer = Outer::v4(
        MacAddr::new(0x02, 0, 0, 0, 0x0a, 1),
        MacAddr::new(0x02, 0, 0, 0, 0x0a, 2),
        Ipv4Addr::new(198, 18, 0, 1),
        Ipv4Addr::new(198, 18, 0, 2),
    );
    let vxlan = VxlanHeader::new(Vni::try_from(100)?);
    let host_mac = MacAddr::new(0x02, 0, 0, 0, 0x64, 1);
    let host_ip = Ipv4Addr::new(10, 0, 0, 1);

    let mut w = CaptureWriter::new(std::fs::File::create(&path)?, LinkType::Ethernet)?;
    let mut buf = [0u8; 256];
    let off = outer.header_len();

    // 1. ARP who-has 10.0.0.2, built in place after the outer headers.
    let n = arp(&mut buf[off..], &ArpSpec::request(host_mac, host_ip, Ipv4Addr::new(10, 0, 0, 2)))?;
    let len = encapsulate(&mut buf, &outer, &vxlan, n)?;
    w.write(vxwire::Timestamp::from_micros(1, 0), &buf[..len])?;

    // 2. IGMPv3 join (CHANGE_TO_EXCLUDE with no sources) of 239.1.1.1, to 224.0.0.22.
    let records = [GroupRecordSpec {
        record_type: RecordType::CHANGE_TO_EXCLUDE,
        group: Ipv4Addr::new(239, 1, 1, 1),
        sources: &[],
        aux_data: &[],
    }];
    let n = igmp(
        &mut buf[off..],
        &IgmpSpec::new(host_mac, host_ip, IgmpMessage::V3Report { records: &records }),
    )?;
    let len = encapsulate(&mut buf, &outer, &vxlan, n)?;
    w.write(vxwire::Timestamp::from_micros(2, 0), &buf[..len])?;
    println!("wrote 2 frames to {path}");
    Ok(())
}
