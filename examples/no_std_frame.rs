//! A VXLAN frame built by the `no_std` core alone: an inner ARP request and its outer headers
//! written into a stack buffer whose size is a `const` from `Outer::header_len()`. `build` needs
//! no allocator and no `std`; only `main` prints. `cargo run --example no_std_frame`
use core::net::Ipv4Addr;
use vxwire::build::{arp, encapsulate, ArpSpec, Outer, ARP_FRAME_LEN};
use vxwire::wire::vxlan::{Vni, VxlanHeader};
use vxwire::MacAddr;

const OUTER: Outer = Outer::v4(
    MacAddr::new(2, 0, 0, 0x18, 0, 1),
    MacAddr::new(2, 0, 0, 0x18, 0, 2),
    Ipv4Addr::new(198, 18, 0, 1),
    Ipv4Addr::new(198, 18, 0, 2),
);
const FRAME_LEN: usize = OUTER.header_len() + ARP_FRAME_LEN;

fn build(vni: Vni) -> Result<[u8; FRAME_LEN], vxwire::Error> {
    let mut buf = [0u8; FRAME_LEN];
    let spec = ArpSpec::request(
        MacAddr::new(2, 0, 0, 0, 1, 1),
        Ipv4Addr::new(10, 0, 0, 1),
        Ipv4Addr::new(10, 0, 0, 2),
    );
    let n = arp(&mut buf[OUTER.header_len()..], &spec)?;
    encapsulate(&mut buf, &OUTER, &VxlanHeader::new(vni), n)?;
    Ok(buf)
}

fn main() -> Result<(), vxwire::Error> {
    let frame = build(Vni::try_from(100)?)?;
    println!("{}", frame.iter().map(|b| format!("{b:02x}")).collect::<String>());
    Ok(())
}
