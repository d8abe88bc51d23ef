//! Error handling: a capture read as if its snap length were SNAPLEN. Each cut packet's error
//! says which layer, what was wrong, the bytes needed and present, and where; every error type
//! of the crate goes through `?`. `cargo run --example errors -- testdata/vxlan-4789-p2p.pcap 46`
use vxwire::{capture::CaptureReader, dissect, wire::vxlan::Vni, Config};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (path, snaplen) = args.next().zip(args.next()).ok_or("usage: errors FILE SNAPLEN")?;
    let snaplen: usize = snaplen.parse()?;
    let reader = CaptureReader::new(std::io::BufReader::new(std::fs::File::open(path)?))?;
    for (i, packet) in reader.packets().enumerate() {
        let p = packet?;
        let Some(link) = p.link_type() else { continue };
        let d = dissect(&p.data[..p.data.len().min(snaplen)], link, &Config::default());
        let Some(e) = d.error() else { continue };
        let (layer, kind, at) = (e.proto.short_name(), e.kind, e.offset);
        println!("{}: {e}: {layer} {kind:?} needed {} present {} at {at}", i + 1, e.needed, e.present);
    }
    if let Err(e) = Vni::try_from(1 << 24) {
        println!("vni 16777216: {e}");
    }
    Ok(())
}
