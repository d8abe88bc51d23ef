//! vxdump: print VXLAN captures exactly like `tcpdump -nn -v`, with VXLAN-GBP decoded.
//!
//! Arguments and wiring only: reading is `vxwire::capture`, decoding `vxwire::dissect`, printing
//! `vxwire::print`.
use clap::{ArgAction, Parser};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::ops::ControlFlow;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use vxwire::capture::{CaptureReader, CaptureWriter, CopyWriter, Packet};
use vxwire::dissect::{Config, Dissection, LinkType};
use vxwire::filter::Filter;
use vxwire::inject::{InjectError, Interface, RawLink, CAPTURE_SNAPLEN};
use vxwire::pipeline::{self, Finish, PipelineError, Selected, Selector, Settings};

/// Linux ARP hardware types (`/sys/class/net/IFACE/type`).
const ARPHRD_ETHER: u16 = 1;
const ARPHRD_LOOPBACK: u16 = 772;
const ARPHRD_NONE: u16 = 65534;
use vxwire::print::text::{HexMode, Options, TextPrinter, TsFormat};
use vxwire::print::PacketInfo;
use vxwire::summary::{FrameMeta, Judgement, Summary, SummaryConfig, VtepView};
use vxwire::MacAddr;

/// Shown after the options by `--help`.
const AFTER_HELP: &str = "\
Output is tcpdump 4.99.3's `-nn -v` text, line for line, with one addition: VXLAN Group Based
Policy (the G bit) is decoded, where tcpdump prints only the flags byte:
  VXLAN, flags [G,I] (0x88), gbp-flags [D] (0x40), group-policy-id 4660, vni 300
UDP 4789 and 8472 (Linux/flannel) are VXLAN, 4790 VXLAN-GPE; add VXLAN ports with --vxlan-port.

Examples:
  # A capture, as tcpdump -nn -v -r would print it (plus GBP):
  vxdump -r overlay.pcap

  # Live: the next 10 frames on eth0 (needs CAP_NET_RAW), one line at a time into a pipe:
  vxdump -i eth0 -c 10 -l | grep group-policy-id

  # Only VNI 100 and 200, as JSON lines (one object per packet, every layer's fields):
  vxdump --vni 300 --vni 200 --json -r overlay.pcap

  # VXLAN on a non-standard port as well:
  vxdump --vxlan-port 10000 -r overlay.pcap

  # Filter expressions as tcpdump's (pcap-filter(7)), words joined with spaces:
  vxdump -r overlay.pcap 'udp port 4789 and host 198.18.4.1'
  vxdump -r overlay.pcap 'vxlan and (icmp[icmptype] = icmp-echo or tcp[tcpflags] & tcp-syn != 0)'

  # Inside VXLAN: what follows `vxlan [VNI]` with `and` applies to its inner frame
  # (any VXLAN port: 4789, 8472, --vxlan-port; GBP frames too; IPv4 and IPv6 underlay):
  vxdump -r overlay.pcap 'vxlan 300 and arp'
  vxdump -r overlay.pcap 'vxlan and ip host 10.30.0.2 and icmp'
  vxdump -r overlay.pcap 'vxlan 300 or vxlan 200'    # either VNI
  vxdump -r nested.pcap 'vxlan and vxlan 200'        # VXLAN inside VXLAN
  # vxdump's additions: `gbp [GROUP-POLICY-ID]`, `vxlan-gpe [VNI]`:
  vxdump -r overlay.pcap 'gbp 4660 and icmp'

  # One tenant's traffic into its own file, unchanged (pcap, or pcapng for a pcapng input):
  vxdump -r big.pcap -w tenant100.pcap 'vxlan 100'
  vxdump -i eth0 -w - 'gbp 4660' | tcpdump -r - -nn

  # What the VTEPs learned (FDB, ARP, multicast) and what went wrong, instead of packets:
  vxdump --summary --vtep 198.18.0.2 -r overlay.pcap
  vxdump --summary --vtep 198.18.12.1,nolearning,vni=1,port=8472 -r flannel.pcap
  vxdump --summary --json -i eth0        # until Ctrl-C

Exit status: 0 done (also when the reader of the output goes away), 1 error.";

/// Print VXLAN captures (or live traffic) exactly like `tcpdump -nn -v`, with VXLAN-GBP decoded.
#[derive(Parser, Debug)]
#[command(name = "vxdump", version, disable_help_flag = true, after_help = AFTER_HELP)]
struct Args {
    /// Print help.
    #[arg(long = "help", action = ArgAction::Help)]
    help: Option<bool>,
    /// Read packets from FILE (`-` for standard input).
    #[arg(short = 'r', value_name = "FILE", conflicts_with = "interface")]
    read: Option<String>,
    /// Capture live on interface IFACE (needs CAP_NET_RAW) until -c N packets or Ctrl-C; `any`:
    /// every interface, in Linux cooked v2 framing. Timestamps are the kernel's receive times.
    #[arg(short = 'i', value_name = "IFACE")]
    interface: Option<String>,
    /// With -i: don't put the interface into promiscuous mode.
    #[arg(short = 'p', requires = "interface")]
    no_promiscuous: bool,
    /// Write each packet out as soon as it is printed (line buffered), not in blocks.
    #[arg(short = 'l')]
    line_buffered: bool,
    /// Print absolute, not relative, TCP sequence numbers.
    #[arg(short = 'S')]
    absolute_seq: bool,
    /// Without -r or -i: the capture file, then the filter expression; otherwise the filter
    /// expression (pcap-filter(7) plus vxlan/vxlan-gpe/gbp), its words joined with spaces.
    #[arg(value_name = "EXPRESSION")]
    words: Vec<String>,
    /// Read the filter expression from FILE (`#` starts a comment).
    #[arg(short = 'F', value_name = "FILE")]
    filter_file: Option<String>,
    /// Write the selected packets, unchanged, to FILE (`-` for standard output) in the input's
    /// format (pcap or pcapng) instead of printing them.
    #[arg(short = 'w', value_name = "FILE")]
    write: Option<String>,
    /// With -w FILE: print the selected packets as well.
    #[arg(long, requires = "write")]
    print: bool,
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
    /// Only packets with this VNI in any VXLAN header (as `vxlan N`); repeatable.
    #[arg(long = "vni", value_name = "N", value_parser = parse_vni)]
    vni: Vec<u32>,
    /// One JSON object per packet instead of text (with --summary: one JSON document).
    #[arg(long)]
    json: bool,
    /// At the end of the capture (with -i: after -c N or Ctrl-C), print what the VTEPs learned
    /// and what went wrong (overlay map, learned FDB, ARP, multicast, problems) instead of the
    /// packets.
    #[arg(long)]
    summary: bool,
    /// With --summary: the underlay MTU for the MTU-trap check (default 1500).
    #[arg(long, value_name = "BYTES", requires = "summary")]
    mtu: Option<u32>,
    /// With --summary: learn the FDB as the VTEP with this underlay address would, from the
    /// frames it receives (to it, or to groups it joins in the capture), with its vxlan device's
    /// settings where they differ from `ip link add ... type vxlan`'s: nolearning, gbp, gpe,
    /// vni=N, port=P, group=G, mac=MAC, udp6zerocsumrx, remcsumrx, external, dont-learn; proxy,
    /// l2miss, l3miss, rsc, udpcsum, noudpcsum, udp6zerocsumtx, noudp6zerocsumtx are accepted (no effect on learning)
    /// (e.g. 198.18.12.1,nolearning,vni=1,port=8472); repeatable (one VTEP, more addresses).
    #[arg(long, value_name = "ADDR[,SETTING...]", requires = "summary")]
    vtep: Vec<String>,
    /// With --summary: the MAC of that VTEP's vxlan device (frames from it are not learned).
    #[arg(long = "vtep-mac", value_name = "MAC", requires = "summary")]
    vtep_mac: Vec<String>,
    /// Threads formatting a capture file (-r): N, each reading and formatting batches, one of them
    /// also writing in capture order, the same bytes as -j 1 (one thread). Default: the available cores. Live
    /// capture (-i) runs on one thread. --summary (without -w): N threads read, dissect and
    /// judge packets, one of them also adds them to the summary in order.
    #[arg(short = 'j', long = "threads", value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

/// A VNI: 0 to 16777215.
fn parse_vni(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if n <= 0x00ff_ffff => Ok(n),
        Ok(n) => Err(format!("VNI {n} is over 16777215 (24 bits)")),
        Err(e) => Err(format!("{s}: {e}")),
    }
}

/// Parses `aa:bb:cc:dd:ee:ff`.
fn parse_mac(s: &str) -> Option<MacAddr> {
    let mut mac = [0u8; 6];
    let mut parts = s.split(':');
    for b in &mut mac {
        *b = u8::from_str_radix(parts.next()?, 16).ok()?;
    }
    parts.next().is_none().then_some(MacAddr(mac))
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

/// Where packets go: the filter (`--vni`), then the text or JSON printer or the summary.
struct Sink<'a> {
    args: &'a Args,
    /// `--vni` and the filter expression.
    selector: Selector,
    printer: TextPrinter,
    summary: Option<Summary>,
    out: BufWriter<io::StdoutLock<'static>>,
    /// Packets read so far (numbering for `PacketInfo`).
    n: u64,
    /// Packets that passed the filter.
    printed: u64,
    /// With -w: print nothing (unless --print), the caller writes the selected packets.
    quiet: bool,
    /// Whether the last packet passed the filters.
    selected: bool,
    /// What the capture says about the current packet (interface, direction), for --summary.
    meta: FrameMeta,
}

impl From<vxwire::filter::FilterError> for Fatal {
    fn from(e: vxwire::filter::FilterError) -> Fatal {
        Fatal(e.to_string())
    }
}

/// Where a selected packet goes (the parts of a [`Sink`] that take it).
struct Put<'s> {
    summary: &'s mut Option<Summary>,
    out: &'s mut BufWriter<io::StdoutLock<'static>>,
    printer: &'s mut TextPrinter,
    json: bool,
    quiet: bool,
    meta: FrameMeta,
}

impl Put<'_> {
    /// Prints the packet, or adds it to the summary (with its judgement, if made already).
    fn packet(
        &mut self,
        info: &PacketInfo,
        linktype: u32,
        d: Option<(&Dissection<'_>, Option<&Judgement>)>,
    ) -> io::Result<()> {
        match d {
            _ if self.quiet => Ok(()),
            None => self.printer.write_unknown_link(self.out, info, linktype),
            Some((d, judged)) => {
                if let Some(s) = self.summary.as_mut() {
                    match judged {
                        Some(j) => s.add_judged(info, d, &self.meta, j),
                        None => s.add_with(info, d, &self.meta),
                    }
                    Ok(())
                } else if self.json {
                    vxwire::print::json::write_packet(self.out, info, d)
                } else {
                    self.printer.write_packet(self.out, info, d)
                }
            }
        }
    }
}

/// What a written packet leads to.
enum Next {
    Go,
    /// `-c N` reached.
    Done,
    /// The reader of our output went away: stop quietly, exit 0.
    Closed,
}

impl Sink<'_> {
    /// Whether `-c N` packets have passed the filter.
    fn full(&self) -> bool {
        self.args.count.is_some_and(|c| self.printed >= c)
    }

    /// Filters and writes one packet.
    fn packet(&mut self, ts: (i64, u32), data: &[u8], len: u32, linktype: u32) -> Result<Next, Fatal> {
        self.n += 1;
        self.selected = false;
        let info = PacketInfo { n: self.n, ts_sec: ts.0, ts_nsec: ts.1, caplen: data.len(), len };
        let (selector, mut put) = self.split();
        match selector.select(data, linktype, len, |d| put.packet(&info, linktype, d.map(|d| (d, None))))? {
            Some(w) => self.written(w),
            None => Ok(Next::Go),
        }
    }

    /// Writes one packet that `pipeline::in_order` selected, dissected and judged.
    fn judged(&mut self, p: Selected<'_, '_, Judgement>) -> Result<Next, Fatal> {
        (self.n, self.selected) = (p.n, false);
        let (ts, data, len) = (p.packet.ts, p.packet.data, p.packet.len);
        let info = PacketInfo { n: p.n, ts_sec: ts.secs(), ts_nsec: ts.nanos(), caplen: data.len(), len };
        let w = self.split().1.packet(&info, p.packet.raw_link_type, p.dissected.map(|(d, j)| (d, Some(j))));
        self.written(w)
    }

    fn split(&mut self) -> (&mut Selector, Put<'_>) {
        let Sink { selector, summary, out, printer, args, quiet, meta, .. } = self;
        (selector, Put { summary, out, printer, json: args.json, quiet: *quiet, meta: *meta })
    }

    /// What writing a selected packet leads to.
    fn written(&mut self, w: io::Result<()>) -> Result<Next, Fatal> {
        self.printed += 1;
        self.selected = true;
        let w = w.and_then(|()| if self.args.line_buffered { self.out.flush() } else { Ok(()) });
        match w {
            Err(e) if is_broken_pipe(&e) => Ok(Next::Closed),
            Err(e) => Err(Fatal(format!("writing output: {e}"))),
            Ok(()) if self.full() => Ok(Next::Done),
            Ok(()) => Ok(Next::Go),
        }
    }

    /// Writes the summary (if any) and flushes; `Ok(false)` when the output was closed.
    fn finish(&mut self) -> Result<bool, Fatal> {
        let mut w = Ok(());
        if let Some(s) = &self.summary {
            w = if self.args.json { s.write_json(&mut self.out) } else { s.write_text(&mut self.out) };
        }
        match w.and_then(|()| self.out.flush()) {
            Ok(()) => Ok(true),
            Err(e) if is_broken_pipe(&e) => Ok(false),
            Err(e) => Err(Fatal(format!("writing output: {e}"))),
        }
    }
}

fn run(args: &Args) -> Result<ExitCode, Fatal> {
    if let Some(t) = &args.r#type {
        if t != "vxlan" {
            return Err(Fatal(format!("-T {t}: only -T vxlan is supported (UDP 8472 is VXLAN already)")));
        }
    }
    let (file_word, filter) = expression(args)?;
    let quiet = match (&args.write, args.print) {
        (Some(w), true) if w == "-" => {
            return Err(Fatal(
                "-w - writes packets to standard output: --print cannot print there too".into(),
            ))
        }
        (Some(_), false) if args.json || args.summary => {
            return Err(Fatal("-w prints nothing: add --print for --json or --summary output as well".into()))
        }
        (w, print) => w.is_some() && !print,
    };
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
        absolute_seq: args.absolute_seq,
    };
    let summary = if args.summary {
        let mut sc = SummaryConfig::default();
        if let Some(m) = args.mtu {
            sc.mtu = m;
        }
        if !args.vtep.is_empty() || !args.vtep_mac.is_empty() {
            let mut macs = Vec::new();
            for m in &args.vtep_mac {
                macs.push(parse_mac(m).ok_or_else(|| Fatal(format!("--vtep-mac {m}: not a MAC address")))?);
            }
            let mut view = VtepView { macs, ..VtepView::default() };
            for v in &args.vtep {
                view.add_spec(v).map_err(|e| Fatal(format!("--vtep {v}: {e}")))?;
            }
            sc.vtep = Some(view);
        }
        Some(Summary::new(sc))
    } else {
        None
    };
    let printer = TextPrinter::new(opts);
    let selector = Selector::new(config, args.vni.clone(), filter.clone());
    let mut sink = Sink {
        args,
        selector,
        printer,
        summary,
        out: BufWriter::with_capacity(1 << 18, io::stdout().lock()),
        n: 0,
        printed: 0,
        quiet,
        selected: false,
        meta: FrameMeta::default(),
    };
    if let Some(iface) = &args.interface {
        sink.printer.set_interface_names(interface_names());
        return live(&mut sink, iface);
    }
    let path = match (&args.read, file_word) {
        (Some(p), _) | (None, Some(p)) => p.clone(),
        (None, None) => {
            return Err(Fatal(
                "no capture file or interface given (use -r FILE, FILE, - for stdin, or -i IFACE)".into(),
            ))
        }
    };
    // Send: with -j N the reader runs on a thread of its own.
    let input: Box<dyn Read + Send> = if path == "-" {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(&path).map_err(|e| Fatal(format!("{path}: {e}")))?)
    };
    let mut reader = CaptureReader::new(BufReader::with_capacity(1 << 16, input))
        .map_err(|e| Fatal(format!("{path}: {e}")))?;
    if let Some(lt) = reader.pcap_linktype() {
        let Some(link) = LinkType::from_linktype(lt) else {
            return Err(Fatal(format!("{path}: unsupported link type {lt}")));
        };
        if let Some(f) = &filter {
            f.check_link(link).map_err(|e| Fatal(e.to_string()))?;
        }
    }
    let mut copy = match &args.write {
        Some(w) => Some(CopyWriter::new(output(w)?, &mut reader).map_err(|e| write_error(w, e))?),
        None => None,
    };
    // Only Linux cooked v2 frames name interfaces (by index); a pcap file says up front whether
    // it has them, and the others skip reading /sys/class/net.
    if reader.pcap_linktype().is_none_or(|lt| LinkType::from_linktype(lt) == Some(LinkType::LinuxSll2)) {
        sink.printer.set_interface_names(interface_names());
    }
    let threads = match args.threads {
        Some(n) => usize::from(n),
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    if threads > 1 && sink.summary.is_none() {
        let settings = Settings {
            threads,
            count: args.count,
            line_buffered: args.line_buffered,
            output: match (quiet, args.json) {
                (true, _) => pipeline::Output::Nothing,
                (false, true) => pipeline::Output::Json(opts),
                (false, false) => pipeline::Output::Text(opts),
            },
            interface_names: sink.printer.interface_names().to_vec(),
        };
        let finish = pipeline::run(&mut reader, &sink.selector, &settings, &mut sink.out, copy.as_mut());
        let w = args.write.as_deref().unwrap_or("-");
        let result = match finish {
            Ok(Finish::Closed) => return Ok(ExitCode::SUCCESS),
            Ok(Finish::Done) => Ok(()),
            Ok(Finish::ReadError(e)) => Err(e),
            Err(PipelineError::Copy(e)) => return Err(write_error(w, e)),
            Err(PipelineError::Output(e)) => return Err(Fatal(format!("writing output: {e}"))),
            Err(e @ PipelineError::Filter(_)) => return Err(Fatal(e.to_string())),
        };
        // The pipeline wrote the non-packet blocks itself (the reader ran ahead of the copy).
        if let Some(c) = copy {
            match c.into_inner().map(drop) {
                Err(e) if is_broken_pipe(&e) => return Ok(ExitCode::SUCCESS),
                Err(e) => return Err(write_error(w, e)),
                Ok(()) => {}
            }
        }
        if !sink.finish()? {
            return Ok(ExitCode::SUCCESS);
        }
        return result.map(|()| ExitCode::SUCCESS).map_err(|e| Fatal(format!("{path}: {e}")));
    }
    let pcapng = reader.pcap_linktype().is_none();
    if threads > 1 && copy.is_none() {
        // --summary: every thread selects, dissects and judges packets; this one adds them to
        // the summary, in order.
        let (mut closed, selector) = (false, sink.selector.clone());
        let end = pipeline::in_order(
            &mut reader,
            &selector,
            threads,
            Judgement::of,
            |p: Selected<'_, '_, Judgement>| -> Result<_, Fatal> {
                if sink.full() {
                    return Ok(ControlFlow::Break(()));
                }
                sink.meta = FrameMeta::of(p.packet, pcapng);
                Ok(match sink.judged(p)? {
                    Next::Go => ControlFlow::Continue(()),
                    Next::Done => ControlFlow::Break(()),
                    Next::Closed => {
                        closed = true;
                        ControlFlow::Break(())
                    }
                })
            },
        )?;
        if closed {
            return Ok(ExitCode::SUCCESS);
        }
        if let Some(s) = sink.summary.as_mut() {
            s.name_interfaces(|i| reader.interface_name(i));
        }
        if !sink.finish()? {
            return Ok(ExitCode::SUCCESS);
        }
        return end.map_or(Ok(ExitCode::SUCCESS), |e| Err(Fatal(format!("{path}: {e}"))));
    }
    let result = loop {
        if sink.full() {
            break Ok(());
        }
        let p = match reader.next_packet() {
            None => break Ok(()),
            Some(Ok(p)) => p,
            Some(Err(e)) => break Err(e),
        };
        sink.meta = FrameMeta::of(&p, pcapng);
        let next = sink.packet((p.ts.secs(), p.ts.nanos()), p.data, p.len, p.raw_link_type)?;
        if let (true, Some(c)) = (sink.selected, copy.as_mut()) {
            match c.write_last(&mut reader) {
                Err(e) if is_broken_pipe(&e) => return Ok(ExitCode::SUCCESS),
                Err(e) => return Err(write_error(args.write.as_deref().unwrap_or("-"), e)),
                Ok(()) => {}
            }
        }
        match next {
            Next::Go => {}
            Next::Done => break Ok(()),
            Next::Closed => return Ok(ExitCode::SUCCESS),
        }
    };
    if let Some(mut c) = copy {
        let w = args.write.as_deref().unwrap_or("-");
        match c.write_meta(&mut reader).and_then(|()| c.into_inner().map(drop)) {
            Err(e) if is_broken_pipe(&e) => return Ok(ExitCode::SUCCESS),
            Err(e) => return Err(write_error(w, e)),
            Ok(()) => {}
        }
    }
    if let Some(s) = sink.summary.as_mut() {
        s.name_interfaces(|i| reader.interface_name(i));
    }
    if !sink.finish()? {
        return Ok(ExitCode::SUCCESS);
    }
    // The error names the record: "packet 17: truncated dump file; ...".
    result.map(|()| ExitCode::SUCCESS).map_err(|e| Fatal(format!("{path}: {e}")))
}

/// The capture file word (without -r or -i, the first positional word) and the compiled filter
/// expression (the other words joined with spaces, or -F FILE).
fn expression(args: &Args) -> Result<(Option<&String>, Option<Filter>), Fatal> {
    let (file, words) = match (&args.read, &args.interface) {
        (None, None) => (args.words.first(), args.words.get(1..).unwrap_or(&[])),
        _ => (None, &args.words[..]),
    };
    let text = match &args.filter_file {
        Some(_) if !words.is_empty() => {
            return Err(Fatal(format!(
                "-F gives the filter expression; the expression words \"{}\" would be ignored",
                words.join(" ")
            )))
        }
        Some(path) => {
            let t = std::fs::read_to_string(path).map_err(|e| Fatal(format!("-F {path}: {e}")))?;
            t.lines().map(|l| l.split('#').next().unwrap_or("")).collect::<Vec<_>>().join(" ")
        }
        None => words.join(" "),
    };
    if text.trim().is_empty() {
        return Ok((file, None));
    }
    let f = Filter::compile(&text).map_err(|e| Fatal(e.to_string()))?;
    Ok((file, Some(f)))
}

/// Where -w writes: a file, or standard output for `-`.
fn output(path: &str) -> Result<Box<dyn Write>, Fatal> {
    Ok(if path == "-" {
        Box::new(BufWriter::with_capacity(1 << 16, io::stdout().lock()))
    } else {
        Box::new(BufWriter::with_capacity(1 << 16, File::create(path).map_err(|e| write_error(path, e))?))
    })
}

fn write_error(path: &str, e: io::Error) -> Fatal {
    Fatal(format!("-w {path}: {e}"))
}

/// `-i IFACE`: prints frames as they arrive until `-c N` or Ctrl-C, then what was captured.
/// `-i any` is every interface at once, in Linux cooked v2 framing as tcpdump's.
fn live(sink: &mut Sink<'_>, name: &str) -> Result<ExitCode, Fatal> {
    let refused = |e: InjectError| match e {
        InjectError::Permission(_) => {
            Fatal(format!("{name}: you need CAP_NET_RAW (run as root), or read a file with -r"))
        }
        e => Fatal(format!("{name}: {e}")),
    };
    let (mut link, linktype, linkname) = if name == "any" {
        (
            RawLink::open_any().map_err(refused)?,
            LinkType::LinuxSll2.linktype(),
            "LINUX_SLL2 (Linux cooked v2)",
        )
    } else {
        let iface = Interface::by_name(name).map_err(|e| Fatal(e.to_string()))?;
        // What a raw socket delivers: Ethernet frames, or bare IP packets on a tun-like device.
        let (linktype, linkname) = match iface.hardware_type() {
            // Ethernet and loopback devices give Ethernet frames; tun-like devices bare IP packets.
            Some(ARPHRD_ETHER | ARPHRD_LOOPBACK) => (LinkType::Ethernet.linktype(), "EN10MB (Ethernet)"),
            Some(ARPHRD_NONE) => (LinkType::RawIp.linktype(), "RAW (Raw IP)"),
            Some(t) => {
                return Err(Fatal(format!(
                    "{name}: ARP hardware type {t} is not supported (Ethernet or raw IP)"
                )))
            }
            None => return Err(Fatal(format!("{name}: cannot read its hardware type from /sys/class/net"))),
        };
        (RawLink::open_capture(&iface, !sink.args.no_promiscuous).map_err(refused)?, linktype, linkname)
    };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed))
        .map_err(|e| Fatal(format!("installing the Ctrl-C handler: {e}")))?;
    let link_type = LinkType::from_linktype(linktype).unwrap_or(LinkType::Ethernet);
    if let Some(f) = sink.selector.filter() {
        f.check_link(link_type).map_err(|e| Fatal(e.to_string()))?;
    }
    let wpath = sink.args.write.clone();
    let mut copy = match &wpath {
        Some(w) => {
            Some(CaptureWriter::new(output(w)?, link_type).map_err(|e| Fatal(format!("-w {w}: {e}")))?)
        }
        None => None,
    };
    eprintln!("vxdump: listening on {name}, link-type {linkname}, snapshot length {CAPTURE_SNAPLEN} bytes");
    let mut result = Ok(Next::Go);
    while matches!(result, Ok(Next::Go)) && !stop.load(Ordering::Relaxed) {
        let slice = Instant::now() + Duration::from_millis(100);
        let r = link.receive_until(slice, |frame, got| {
            // The kernel's receive time, as tcpdump prints it, not when we read the frame.
            let ts = (got.ts.secs(), got.ts.nanos());
            let len = u32::try_from(got.len).unwrap_or(u32::MAX);
            result = sink.packet(ts, frame, len, linktype);
            if let (true, Some(c), Ok(_)) = (sink.selected, copy.as_mut(), &result) {
                let packet = Packet {
                    ts: got.ts,
                    len,
                    raw_link_type: linktype,
                    interface: 0,
                    epb_flags: None,
                    data: frame,
                };
                if let Err(e) = c.write_packet(&packet) {
                    result = Err(Fatal(format!("-w {}: {e}", wpath.as_deref().unwrap_or("-"))));
                }
            }
            if matches!(result, Ok(Next::Go)) && !stop.load(Ordering::Relaxed) {
                ControlFlow::Continue(())
            } else {
                ControlFlow::Break(())
            }
        });
        if let Err(e) = r {
            result = Err(Fatal(format!("{name}: receive: {e}")));
        }
    }
    let closed = matches!(result?, Next::Closed) || !sink.finish()?;
    if let Some(c) = copy {
        c.into_inner().flush().map_err(|e| Fatal(format!("-w {}: {e}", wpath.as_deref().unwrap_or("-"))))?;
    }
    if !closed {
        let n = sink.printed;
        eprintln!("{n} packet{} captured", if n == 1 { "" } else { "s" });
    }
    Ok(ExitCode::SUCCESS)
}
