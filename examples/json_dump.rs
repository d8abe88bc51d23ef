//! Prints a capture as JSON lines (a small example of the library's printer).
use std::fs::File;
use std::io::{BufReader, Write};
use vxwire::capture::CaptureReader;
use vxwire::dissect::{dissect, Config};
use vxwire::print::{json, PacketInfo};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: json_dump FILE")?;
    let reader = CaptureReader::new(BufReader::new(File::open(path)?))?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (n, p) in (1..).zip(reader.packets()) {
        let p = p?;
        let Some(link) = p.link_type() else { continue };
        let d = dissect(&p.data, link, &Config::default());
        let info = PacketInfo::from_packet(n, &p.as_packet());
        json::write_packet(&mut out, &info, &d)?;
    }
    out.flush()?;
    Ok(())
}
