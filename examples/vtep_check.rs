//! Would a Linux vxlan device accept each frame of a capture? A `gbp` device (VNI 300, port
//! 4789) beside a plain one, which drops frames with the G bit as invalid headers.
//! `cargo run --example vtep_check -- testdata/vxlan-gbp.pcap`
use vxwire::check::{check, Device, Mode};
use vxwire::{capture::CaptureReader, wire::vxlan::Vni};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: vtep_check FILE")?;
    let reader = CaptureReader::new(std::io::BufReader::new(std::fs::File::open(path)?))?;
    let vnis = [Vni::try_from(300)?];
    let plain = Device::new(&vnis, 4789, &[]);
    let gbp = Device { mode: Mode::Gbp, ..plain };
    for (i, packet) in reader.packets().enumerate() {
        let p = packet?;
        let Some(link) = p.link_type() else { continue };
        let (g, v) = (check(&p.data, link, &gbp), check(&p.data, link, &plain));
        println!("{:>3}: gbp {g:<28} plain {v}", i + 1);
    }
    Ok(())
}
