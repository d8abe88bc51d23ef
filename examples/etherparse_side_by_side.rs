//! One job two ways: the VNI and inner IPv4 addresses of each VXLAN frame (UDP 4789), with
//! etherparse alone and with vxwire; they must agree. `cargo run --example
//! etherparse_side_by_side -- testdata/vxlan-4789-p2p.pcap`
use std::net::Ipv4Addr;
use vxwire::etherparse::{NetSlice, SlicedPacket, TransportSlice};
use vxwire::{capture::CaptureReader, dissect, Config, LinkType};

fn with_etherparse(frame: &[u8]) -> Option<(u32, Ipv4Addr, Ipv4Addr)> {
    let Some(TransportSlice::Udp(udp)) = SlicedPacket::from_ethernet(frame).ok()?.transport else {
        return None;
    };
    let vx = udp.payload();
    if udp.destination_port() != 4789 || vx.len() < 8 || vx[0] & 0x08 == 0 {
        return None;
    }
    let Some(NetSlice::Ipv4(ip)) = SlicedPacket::from_ethernet(&vx[8..]).ok()?.net else { return None };
    Some((
        u32::from_be_bytes([0, vx[4], vx[5], vx[6]]),
        ip.header().source_addr(),
        ip.header().destination_addr(),
    ))
}

fn with_vxwire(frame: &[u8]) -> Option<(u32, Ipv4Addr, Ipv4Addr)> {
    let d = dissect(frame, LinkType::Ethernet, &Config::default());
    let ip = d.inner()?.ipv4()?;
    Some((d.vxlan()?.vni().get(), ip.source_addr(), ip.destination_addr()))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: etherparse_side_by_side FILE")?;
    for packet in CaptureReader::new(std::io::BufReader::new(std::fs::File::open(path)?))?.packets() {
        let p = packet?;
        let (theirs, ours) = (with_etherparse(&p.data), with_vxwire(&p.data));
        assert_eq!(theirs, ours, "etherparse and vxwire disagree");
        if let Some((vni, src, dst)) = ours {
            println!("vni {vni}: {src} > {dst}");
        }
    }
    Ok(())
}
