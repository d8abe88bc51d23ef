//! vxdump: print VXLAN captures exactly like `tcpdump -nn -v`, with VXLAN-GBP decoded.
//!
//! Arguments and wiring only: reading is `vxwire::capture`, decoding `vxwire::dissect`, printing
//! `vxwire::print`.
use clap::{ArgAction, Parser};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::process::ExitCode;
use vxwire::capture::{CaptureError, CaptureReader};
use vxwire::dissect::{dissect_with, Config, Header, LinkType};

/// The link type bits of a pcap link-type field (the upper bits say whether frames carry an FCS).
const LINKTYPE_MASK: u32 = 0x03ff_ffff;
use vxwire::print::text::{HexMode, Options, TextPrinter, TsFormat};
use vxwire::print::PacketInfo;
use vxwire::summary::{Summary, SummaryConfig, VtepView};

/// Print VXLAN captures like `tcpdump -nn -v`.
#[derive(Parser, Debug)]
#[command(name = "vxdump", version, about, disable_help_flag = true)]
struct Args {
    /// Print help.
    #[arg(long = "help", action = ArgAction::Help)]
    help: Option<bool>,
    /// Read packets from FILE (`-` for standard input).
    #[arg(short = 'r', value_name = "FILE")]
    read: Option<String>,
    /// Capture file (same as -r).
    #[arg(value_name = "FILE")]
    file: Option<String>,
    /// More detail: -v (the default), -vv, -vvv.
    #[arg(short = 'v', action = ArgAction::Count)]
    verbose: u8,
    /// Print the link-level header on each line.
    #[arg(short = 'e', action = ArgAction::Count)]
    link: u8,
    /// Quiet output: less protocol information.
    #[arg(short = 'q', action = ArgAction::Count)]
    quiet: u8,
    /// Hex dump of each packet (-xx: including the link-level header).
    #[arg(short = 'x', action = ArgAction::Count)]
    hex: u8,
    /// Hex and ASCII dump of each packet (-XX: including the link-level header).
    #[arg(short = 'X', action = ArgAction::Count)]
    ascii: u8,
    /// Timestamps: -t none, -tt epoch, -ttt delta, -tttt date, -ttttt since first.
    #[arg(short = 't', action = ArgAction::Count)]
    ts: u8,
    /// Don't convert addresses or ports to names (always the case; accepted for tcpdump habits).
    #[arg(short = 'n', action = ArgAction::Count)]
    numeric: u8,
    /// Timestamp precision: micro (default) or nano.
    #[arg(long = "time-stamp-precision", value_name = "PRECISION", value_parser = ["micro", "nano"])]
    precision: Option<String>,
    /// Exit after N packets.
    #[arg(short = 'c', value_name = "N")]
    count: Option<u64>,
    /// Decode packets of type TYPE (accepted: vxlan).
    #[arg(short = 'T', value_name = "TYPE")]
    r#type: Option<String>,
    /// Another UDP port carrying VXLAN (besides 4789 and 8472); repeatable.
    #[arg(long = "vxlan-port", value_name = "PORT")]
    vxlan_port: Vec<u16>,
    /// Only print packets with this VNI in any VXLAN header; repeatable.
    #[arg(long = "vni", value_name = "N")]
    vni: Vec<u32>,
    /// One JSON object per packet instead of text (with --summary: one JSON document).
    #[arg(long)]
    json: bool,
    /// After reading the whole capture, print what the VTEPs learned and what went wrong
    /// (overlay map, learned FDB, ARP, multicast, problems) instead of the packets.
    #[arg(long)]
    summary: bool,
    /// With --summary: the underlay MTU for the MTU-trap check (default 1500).
    #[arg(long, value_name = "BYTES", requires = "summary")]
    mtu: Option<u32>,
    /// With --summary: learn the FDB as the VTEP with this underlay address (or joined group)
    /// would, from the frames it receives; repeatable.
    #[arg(long, value_name = "ADDR", requires = "summary")]
    vtep: Vec<std::net::IpAddr>,
    /// With --summary: the MAC of that VTEP's vxlan device (frames from it are not learned).
    #[arg(long = "vtep-mac", value_name = "MAC", requires = "summary")]
    vtep_mac: Vec<String>,
}

/// Parses `aa:bb:cc:dd:ee:ff`.
fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let mut mac = [0u8; 6];
    let mut parts = s.split(':');
    for b in &mut mac {
        *b = u8::from_str_radix(parts.next()?, 16).ok()?;
    }
    parts.next().is_none().then_some(mac)
}

/// Whether a frame surely has no VXLAN/VXLAN-GPE header with one of `vnis`, judged from a few
/// fixed offsets without dissecting it: `--vni` then skips it for almost nothing.
///
/// Only the common shape is judged: Ethernet, IPv4 without options' surprises (any IHL), UDP. A
/// frame with no UDP (TCP, ICMP, IGMP, ARP) cannot match; a VXLAN frame whose VNI differs cannot
/// match when its inner frame cannot carry VXLAN again (inner ARP, or inner IPv4/IPv6 with TCP,
/// ICMP, or UDP on ports that are not VXLAN's). Anything else (VLAN tags, IPv6 outside, GPE,
/// fragments, short frames, other link types) answers `false` and gets the full dissection, so
/// the filter's result is the same as dissecting every frame.
fn cannot_match(data: &[u8], link: LinkType, config: &Config, vnis: &[u32]) -> bool {
    if link != LinkType::Ethernet {
        return false;
    }
    let be16 = |i: usize| data.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let port = |p: u16| config.vxlan_ports.contains(p) || config.gpe_ports.contains(p);
    // The UDP header of an IPv4 packet at `ip`, or the protocol that is not UDP.
    let ip4_udp = |ip: usize| -> Option<Result<usize, u8>> {
        let vihl = *data.get(ip)?;
        if vihl >> 4 != 4 || vihl & 15 < 5 || be16(ip + 6)? & 0x1fff != 0 {
            return None;
        }
        match *data.get(ip + 9)? {
            17 => Some(Ok(ip + usize::from(vihl & 15) * 4)),
            p => Some(Err(p)),
        }
    };
    if be16(12) != Some(0x0800) {
        return false;
    }
    let udp = match ip4_udp(14) {
        Some(Ok(u)) => u,
        Some(Err(1 | 2 | 6)) => return true,
        _ => return false,
    };
    let (Some(sp), Some(dp)) = (be16(udp), be16(udp + 2)) else { return false };
    if !port(sp) && !port(dp) {
        return true;
    }
    if config.gpe_ports.contains(sp) || config.gpe_ports.contains(dp) {
        return false;
    }
    let Some(v) = data.get(udp + 12..udp + 15) else { return false };
    if vnis.contains(&u32::from_be_bytes([0, v[0], v[1], v[2]])) {
        return false;
    }
    // The inner frame: could it hold VXLAN again?
    let inner = udp + 16;
    match be16(inner + 12) {
        Some(0x0806 | 0x8035) => true,
        Some(0x0800) => match ip4_udp(inner + 14) {
            Some(Err(1 | 2 | 6)) => true,
            Some(Ok(u)) => matches!((be16(u), be16(u + 2)), (Some(a), Some(b)) if !port(a) && !port(b)),
            _ => false,
        },
        Some(0x86dd) => match data.get(inner + 14 + 6) {
            Some(6 | 58) => true,
            Some(17) => {
                let u = inner + 14 + 40;
                matches!((be16(u), be16(u + 2)), (Some(a), Some(b)) if !port(a) && !port(b))
            }
            _ => false,
        },
        _ => false,
    }
}

/// An error that ends the run: one line on stderr.
struct Fatal(String);

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(code) => code,
        Err(Fatal(msg)) => {
            eprintln!("vxdump: {msg}");
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// Interface index to name, as tcpdump resolves Linux cooked v2 indexes on the local machine.
fn interface_names() -> Vec<(u32, String)> {
    let mut v = Vec::new();
    if let Ok(dir) = std::fs::read_dir("/sys/class/net") {
        for e in dir.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Ok(s) = std::fs::read_to_string(e.path().join("ifindex")) {
                if let Ok(i) = s.trim().parse() {
                    v.push((i, name));
                }
            }
        }
    }
    v
}

fn run(args: &Args) -> Result<ExitCode, Fatal> {
    let path = match (&args.read, &args.file) {
        (Some(p), _) | (None, Some(p)) => p.clone(),
        (None, None) => return Err(Fatal("no capture file given (use -r FILE or FILE, - for stdin)".into())),
    };
    if let Some(t) = &args.r#type {
        if t != "vxlan" {
            return Err(Fatal(format!("-T {t}: only -T vxlan is supported (UDP 8472 is VXLAN already)")));
        }
    }
    let input: Box<dyn Read> = if path == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(&path).map_err(|e| Fatal(format!("{path}: {e}")))?)
    };
    let mut reader = CaptureReader::new(BufReader::with_capacity(1 << 16, input))
        .map_err(|e| Fatal(format!("{path}: {e}")))?;
    if let Some(lt) = reader.pcap_linktype() {
        if vxwire::dissect::LinkType::from_linktype(lt & LINKTYPE_MASK).is_none() {
            return Err(Fatal(format!("{path}: unsupported link type {lt}")));
        }
    }
    let mut config = Config::default();
    for &p in &args.vxlan_port {
        if !config.vxlan_ports.insert(p) {
            return Err(Fatal(format!("--vxlan-port {p}: too many ports")));
        }
    }
    let opts = Options {
        verbose: args.verbose.max(1),
        link_header: args.link > 0,
        quiet: args.quiet > 0,
        hex: match (args.hex, args.ascii) {
            (0, 0) => HexMode::None,
            (_, 1) => HexMode::Ascii,
            (_, a) if a > 1 => HexMode::AsciiLink,
            (1, _) => HexMode::Hex,
            _ => HexMode::HexLink,
        },
        ts: match args.ts {
            0 => TsFormat::Time,
            1 => TsFormat::None,
            2 => TsFormat::Epoch,
            3 => TsFormat::Delta,
            4 => TsFormat::DateTime,
            _ => TsFormat::SinceFirst,
        },
        nano: args.precision.as_deref() == Some("nano"),
    };
    let mut summary = if args.summary {
        let mut sc = SummaryConfig::default();
        if let Some(m) = args.mtu {
            sc.mtu = m;
        }
        if !args.vtep.is_empty() || !args.vtep_mac.is_empty() {
            let mut macs = Vec::new();
            for m in &args.vtep_mac {
                macs.push(parse_mac(m).ok_or_else(|| Fatal(format!("--vtep-mac {m}: not a MAC address")))?);
            }
            sc.vtep = Some(VtepView { addrs: args.vtep.clone(), macs });
        }
        Some(Summary::new(sc))
    } else {
        None
    };
    let mut printer = TextPrinter::new(opts);
    printer.set_interface_names(interface_names());
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 18, stdout.lock());
    let mut n = 0u64;
    let mut printed = 0u64;
    let result = loop {
        if args.count.is_some_and(|c| printed >= c) {
            break Ok(());
        }
        let p = match reader.next_packet() {
            None => break Ok(()),
            Some(Ok(p)) => p,
            Some(Err(e)) => break Err(e),
        };
        n += 1;
        let info = PacketInfo { n, ts_sec: p.ts_sec, ts_nsec: p.ts_nsec, caplen: p.data.len(), len: p.len };
        let w = match LinkType::from_linktype(p.linktype & LINKTYPE_MASK) {
            None => {
                if !args.vni.is_empty() {
                    continue;
                }
                printer.write_unknown_link(&mut out, &info, p.linktype)
            }
            Some(link) => {
                if !args.vni.is_empty() && cannot_match(p.data, link, &config, &args.vni) {
                    continue;
                }
                let w = dissect_with(p.data, link, &config, |d| {
                    if !args.vni.is_empty()
                        && !d.layers().any(|l| match l.header {
                            Header::Vxlan(v) => args.vni.contains(&v.vni().get()),
                            Header::VxlanGpe(v) => args.vni.contains(&v.vni().get()),
                            _ => false,
                        })
                    {
                        return None;
                    }
                    Some(if let Some(s) = summary.as_mut() {
                        s.add(&info, d);
                        Ok(())
                    } else if args.json {
                        vxwire::print::json::write_packet(&mut out, &info, d)
                    } else {
                        printer.write_packet(&mut out, &info, d)
                    })
                });
                match w {
                    Some(w) => w,
                    None => continue,
                }
            }
        };
        printed += 1;
        if let Err(e) = w {
            if is_broken_pipe(&e) {
                return Ok(ExitCode::SUCCESS);
            }
            return Err(Fatal(format!("writing output: {e}")));
        }
    };
    if let Some(s) = &summary {
        let w = if args.json { s.write_json(&mut out) } else { s.write_text(&mut out) };
        if let Err(e) = w {
            if is_broken_pipe(&e) {
                return Ok(ExitCode::SUCCESS);
            }
            return Err(Fatal(format!("writing output: {e}")));
        }
    }
    if let Err(e) = out.flush() {
        if is_broken_pipe(&e) {
            return Ok(ExitCode::SUCCESS);
        }
        return Err(Fatal(format!("writing output: {e}")));
    }
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(CaptureError::Io(e)) => Err(Fatal(format!("{path}: packet {}: read error: {e}", n + 1))),
        Err(e) => Err(Fatal(format!("{path}: packet {}: {e}", n + 1))),
    }
}
