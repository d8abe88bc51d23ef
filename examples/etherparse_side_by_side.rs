//! One job two ways, which must agree: the VNI and inner IPv4 addresses of each VXLAN frame (UDP
//! 4789), with etherparse alone and with vxwire. `cargo run --example etherparse_side_by_side -- FILE`
use std::net::Ipv4Addr;
use vxwire::etherparse::{NetSlice, SlicedPacket, TransportSlice};
use vxwire::{capture::CaptureReader, dissect, Config, LinkType};

fn with_etherparse(frame: &[u8]) -> Option<(u32, Ipv4Addr, Ipv4Addr)> {
    let TransportSlice::Udp(udp) = SlicedPacket::from_ethernet(frame).ok()?.transport? else { return None };
    // VXLAN by hand: 8 bytes, the I flag (0x08) in byte 0, the VNI in bytes 4-6, then Ethernet.
    let (vx, inner) = udp.payload().split_at_checked(8)?;
    if udp.destination_port() != 4789 || vx[0] & 0x08 == 0 {
        return None;
    }
    let NetSlice::Ipv4(ip) = SlicedPacket::from_ethernet(inner).ok()?.net? else { return None };
    let h = ip.header();
    Some((u32::from_be_bytes([0, vx[4], vx[5], vx[6]]), h.source_addr(), h.destination_addr()))
}

fn with_vxwire(frame: &[u8]) -> Option<(u32, Ipv4Addr, Ipv4Addr)> {
    let d = dissect(frame, LinkType::Ethernet, &Config::default());
    let ip = d.inner()?.ipv4()?;
    Some((d.vxlan()?.vni().get(), ip.source_addr(), ip.destination_addr()))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: etherparse_side_by_side FILE")?;
    for packet in CaptureReader::open(path)?.packets() {
        let frame = packet?.data;
        assert_eq!(with_etherparse(&frame), with_vxwire(&frame), "etherparse and vxwire disagree");
        if let Some((vni, src, dst)) = with_vxwire(&frame) {
            println!("vni {vni}: {src} > {dst}");
        }
    }
    Ok(())
}
