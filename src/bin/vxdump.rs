//! vxdump: print VXLAN captures (placeholder printer: one line of layers per packet).
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use vxwire::capture::CaptureReader;
use vxwire::dissect::{dissect, Config};

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("vxdump: usage: vxdump FILE");
        std::process::exit(2)
    });
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        let mut r = CaptureReader::new(BufReader::new(File::open(&path)?))?;
        let out = std::io::stdout();
        let mut out = BufWriter::new(out.lock());
        let config = Config::default();
        let mut n = 0u64;
        while let Some(p) = r.next_packet() {
            let p = p?;
            n += 1;
            write!(out, "{n}:")?;
            if let Some(link) = p.link_type() {
                let d = dissect(p.data, link, &config);
                for l in d.layers() {
                    write!(out, " {}", l.header.proto().name())?;
                }
                if let Some(e) = d.error() {
                    write!(out, " ({e})")?;
                }
            }
            writeln!(out)?;
        }
        Ok(())
    };
    if let Err(e) = run() {
        eprintln!("vxdump: {path}: {e}");
        std::process::exit(1);
    }
}
