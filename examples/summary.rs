//! Reads a pcap or pcapng file and prints what the VTEPs in it learned and what went wrong
//! (the library side of `vxdump --summary`).
//!
//! ```text
//! cargo run --example summary -- testdata/vxlan-mcast-group.pcap
//! cargo run --example summary -- --json --mtu 9000 FILE
//! cargo run --example summary -- --vtep 198.18.1.1 --vtep 239.1.1.1 --vtep-mac 02:00:00:00:02:01 FILE
//! ```
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use vxwire::capture::CaptureReader;
use vxwire::dissect::Config;
use vxwire::summary::{add_capture, Summary, SummaryConfig, VtepView};
use vxwire::MacAddr;

const USAGE: &str =
    "usage: summary [--json] [--mtu BYTES] [--vtep ADDR[,SETTING...]]... [--vtep-mac MAC]... FILE";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut json = false;
    let mut config = SummaryConfig::default();
    let mut view = VtepView::default();
    let mut path = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--json" => json = true,
            "--mtu" => config.mtu = args.next().ok_or(USAGE)?.parse()?,
            // ADDR[,SETTING...], e.g. 198.18.12.1,nolearning,vni=1,port=8472 (VtepView::add_spec).
            "--vtep" => view.add_spec(&args.next().ok_or(USAGE)?)?,
            "--vtep-mac" => view.macs.push(args.next().ok_or(USAGE)?.parse::<MacAddr>()?),
            _ if path.is_none() => path = Some(a),
            _ => return Err(USAGE.into()),
        }
    }
    if !view.addrs.is_empty() || !view.macs.is_empty() {
        config.vtep = Some(view);
    }
    let path = path.ok_or(USAGE)?;
    let mut reader = CaptureReader::new(BufReader::new(File::open(&path)?))?;
    let mut summary = Summary::new(config);
    add_capture(&mut summary, &mut reader, &Config::default())?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if json {
        summary.write_json(&mut out)?;
    } else {
        summary.write_text(&mut out)?;
    }
    out.flush()?;
    Ok(())
}
