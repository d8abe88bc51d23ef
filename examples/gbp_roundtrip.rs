//! A VXLAN-GBP header round trip: built, written, parsed back; then every VXLAN header of a
//! capture parsed and written again, which gives back its bytes.
//! `cargo run --example gbp_roundtrip -- testdata/vxlan-gbp.pcap`
use vxwire::wire::vxlan::{Gbp, Vni, VxlanHeader, VxlanSlice};
use vxwire::{capture::CaptureReader, dissect, Config};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let gbp = Gbp { group_policy_id: 4660, dont_learn: true, policy_applied: false };
    let built = VxlanHeader::with_gbp(Vni::try_from(300)?, gbp);
    let bytes = built.to_bytes();
    let parsed = VxlanSlice::from_slice(&bytes)?;
    assert_eq!((parsed.header(), parsed.gbp()), (built, Some(gbp)));
    println!("built: {built}");
    let path = std::env::args().nth(1).ok_or("usage: gbp_roundtrip FILE")?;
    let reader = CaptureReader::new(std::io::BufReader::new(std::fs::File::open(path)?))?;
    for (i, packet) in reader.packets().enumerate() {
        let p = packet?;
        let Some(link) = p.link_type() else { continue };
        let d = dissect(&p.data, link, &Config::default());
        let Some(vxlan) = d.vxlan() else { continue };
        assert_eq!(&vxlan.header().to_bytes(), vxlan.header_bytes());
        println!("{}: {vxlan}", i + 1);
    }
    Ok(())
}
