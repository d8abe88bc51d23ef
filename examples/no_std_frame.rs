//! A VXLAN frame built by the `no_std` core alone: an inner ARP request and its outer headers in a
//! stack buffer whose `const` size comes from `Outer::header_len()`. Nothing before the final print
//! needs an allocator or `std`. `cargo run --example no_std_frame`
use core::net::Ipv4Addr;
use vxwire::build::{arp, encapsulate, ArpSpec, Outer, ARP_FRAME_LEN};
use vxwire::{wire::vxlan::Vni, wire::vxlan::VxlanHeader, MacAddr};

const OUTER: Outer = Outer::v4(
    MacAddr::new(2, 0, 0, 0x18, 0, 1),
    MacAddr::new(2, 0, 0, 0x18, 0, 2),
    Ipv4Addr::new(198, 18, 0, 1),
    Ipv4Addr::new(198, 18, 0, 2),
);
const WHO_HAS: ArpSpec =
    ArpSpec::request(MacAddr::new(2, 0, 0, 0, 1, 1), Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2));
const FRAME_LEN: usize = OUTER.header_len() + ARP_FRAME_LEN;

fn main() -> Result<(), vxwire::Error> {
    let mut frame = [0u8; FRAME_LEN];
    let n = arp(&mut frame[OUTER.header_len()..], &WHO_HAS)?;
    encapsulate(&mut frame, &OUTER, &VxlanHeader::new(Vni::try_from(100)?), n)?;
    println!("{}", frame.iter().map(|b| format!("{b:02x}")).collect::<String>());
    Ok(())
}
