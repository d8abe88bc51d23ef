//! vxinject: craft VXLAN frames, deliver them to a live VTEP, show what it answers.
//!
//! Arguments and wiring only: frames come from `vxwire::build`, the Linux acceptance check from
//! `vxwire::check`, sockets from `vxwire::inject`, capture files from `vxwire::capture`.

use clap::{Args, Parser, Subcommand};
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, IsTerminal, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6, UdpSocket};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use vxwire::build::{
    self, ArpSpec, EchoSpec, GroupRecordSpec, IgmpMessage, IgmpSpec, Outer, OuterIp, SrcPort,
};
use vxwire::capture::{CaptureReader, CaptureWriter};
use vxwire::check::{self, Device, DropReason, Mode, Verdict};
use vxwire::dissect::{dissect, Config, LinkType, PortSet};
use vxwire::inject::{self, Expect, Interface, Pacer, RawLink, Timestamp, UdpLink};
use vxwire::print::text::{Options as TextOptions, TextPrinter};
use vxwire::print::PacketInfo;
use vxwire::wire::igmp::RecordType;
use vxwire::wire::vxlan::{Gbp, Vni, VxlanFlags, VxlanHeader};
use vxwire::MacAddr;

const EXAMPLES: &str = "\
Examples:
  # Ask a Linux VTEP (VNI 100) who has 10.0.0.2 and print its encapsulated answer:
  vxinject -i eth0 --vtep 198.18.0.2 --vni 100 --wait 2 \\
      arp-request --sender-mac 02:00:00:00:00:01 --sender-ip 10.0.0.1 --target-ip 10.0.0.2

  # Ping through the overlay, three times, one per second, without raw sockets:
  vxinject -i eth0 --vtep 198.18.0.2 --vni 100 --udp -c 3 --wait 2 \\
      ping --src-mac 02:00:00:00:00:01 --dst-mac 02:00:00:00:01:02 --src-ip 10.0.0.1 --dst-ip 10.0.0.2

  # Join 239.1.1.1 with IGMPv3 from a GBP group 42 to a flannel-style VTEP on port 8472:
  vxinject -i eth0 --vtep 198.18.0.2 --port 8472 --gbp 42 --vtep-gbp \\
      igmp-join --src-mac 02:00:00:00:00:01 --src-ip 10.0.0.1 --group 239.1.1.1 --version 3

  # Write a million frames to a capture instead of sending them, then read it back:
  vxinject -i eth0 --vtep 198.18.0.2 --vtep-mac 02:00:00:18:00:02 -c 1000000 --rate 0 \\
      -w flood.pcap raw --hex ffffffffffff020000000001 88b5 00
  vxdump flood.pcap

  # Re-send every frame of a capture, encapsulated, with the capture's own timing (--rate overrides):
  vxinject -i eth0 --vtep fd00:18::2 replay inner.pcap

  # Ask the VTEPs of group 239.1.1.1 (no ARP; TTL 1) who has 10.0.0.3; the member answers:
  vxinject -i eth0 --vtep 239.1.1.1 --vni 100 --wait 2 \\
      arp-request --sender-mac 02:00:00:00:00:01 --sender-ip 10.0.0.1 --target-ip 10.0.0.3

With --wait a frame counts as an answer only when it answers a probe, as arping and ping match
theirs: the ARP reply for the target IP sent to the sender MAC; the echo reply with the same id
and sequence number; for the other frames (raw, replay, ...) a frame in the same VNI sent to an
injected source MAC. Other VXLAN frames from the VTEP are shown only with -v, marked unrelated.

Exit status: 0 sent (and, with --wait, every probe answered), 1 error or a probe unanswered, 2 usage.";

/// Craft VXLAN frames, deliver them to a live VTEP and show what it answers.
#[derive(Parser, Debug)]
#[command(name = "vxinject", version, about, after_help = EXAMPLES)]
struct Cli {
    /// Interface to send on (raw mode), to take the outer source address and MAC from.
    #[arg(short = 'i', long = "interface", value_name = "IFACE")]
    iface: String,
    /// The VTEP's underlay address (IPv4 or IPv6).
    #[arg(long, value_name = "IP")]
    vtep: IpAddr,
    /// VXLAN Network Identifier, 0..=16777215 (default 1, flannel's).
    #[arg(long, value_name = "N", default_value = "1", value_parser = parse_vni)]
    vni: Vni,
    /// UDP destination port (4789 IANA; 8472 Linux/flannel default).
    #[arg(long, value_name = "PORT", default_value_t = 4789, value_parser = parse_port)]
    port: u16,
    /// Outer source address (default: IFACE's address of the VTEP's family).
    #[arg(long, value_name = "IP")]
    src_ip: Option<IpAddr>,
    /// The VTEP's (or next hop's) MAC; default: ask by ARP / neighbour solicitation on IFACE.
    #[arg(long, value_name = "MAC", value_parser = parse_mac)]
    vtep_mac: Option<MacAddr>,
    /// Send a Group Based Policy header with this group policy ID.
    #[arg(long, value_name = "ID")]
    gbp: Option<u16>,
    /// With --gbp: set the D (don't learn) bit.
    #[arg(long, requires = "gbp")]
    gbp_dont_learn: bool,
    /// With --gbp: set the A (policy applied) bit.
    #[arg(long, requires = "gbp")]
    gbp_policy_applied: bool,
    /// Override the VXLAN flags byte (default 0x08, 0x88 with --gbp), e.g. 0x00 to clear the I bit.
    #[arg(long, value_name = "BYTE", value_parser = parse_byte)]
    flags: Option<u8>,
    /// UDP source port (default: from a hash of the inner flow, 49153-65535; in --udp mode: any).
    #[arg(long, value_name = "PORT", value_parser = parse_port)]
    src_port: Option<u16>,
    /// How many frames to send (replay: how many passes over the file).
    #[arg(short = 'c', long, value_name = "COUNT", default_value_t = 1)]
    count: u64,
    /// Frames per second; 0 = as fast as possible (raw mode: 32 frames per sendmmsg call).
    /// Default 1; replay: the capture's own timing.
    #[arg(long, value_name = "PPS")]
    rate: Option<f64>,
    /// After sending, wait up to this long for the answers to the probes and print them.
    #[arg(long, value_name = "SECS")]
    wait: Option<f64>,
    /// With --wait: also print the other VXLAN frames from the VTEP, marked unrelated.
    #[arg(short = 'v', long, requires = "wait")]
    verbose: bool,
    /// The VTEP is a GBP device (`type vxlan gbp`): judge frames as it does.
    #[arg(long, conflicts_with = "vtep_plain")]
    vtep_gbp: bool,
    /// The VTEP is a plain device: refuse what it drops, GBP frames included.
    #[arg(long)]
    vtep_plain: bool,
    /// Write the frames to this pcap file instead of sending them (no privileges needed).
    #[arg(short = 'w', value_name = "FILE.pcap", conflicts_with = "udp")]
    write: Option<PathBuf>,
    /// Send the VXLAN payload through an ordinary UDP socket (no privileges; the kernel writes
    /// the outer headers).
    #[arg(long)]
    udp: bool,
    /// Send even what a Linux VTEP would drop.
    #[arg(long)]
    force: bool,
    /// The inner frame.
    #[command(subcommand)]
    frame: Frame,
}

#[derive(Subcommand, Debug)]
enum Frame {
    /// ARP request (who-has), broadcast.
    ArpRequest {
        #[command(flatten)]
        sender: Sender,
        /// The address asked for.
        #[arg(long, value_name = "IP")]
        target_ip: Ipv4Addr,
    },
    /// ARP reply (is-at), unicast to the target.
    ArpReply {
        #[command(flatten)]
        sender: Sender,
        /// The requester's MAC.
        #[arg(long, value_name = "MAC", value_parser = parse_mac)]
        target_mac: MacAddr,
        /// The requester's address.
        #[arg(long, value_name = "IP")]
        target_ip: Ipv4Addr,
    },
    /// Gratuitous ARP announcing the sender.
    Garp {
        #[command(flatten)]
        sender: Sender,
    },
    /// ICMP echo request (the sequence number goes up by one per frame).
    Ping {
        /// Inner Ethernet source.
        #[arg(long, value_name = "MAC", value_parser = parse_mac)]
        src_mac: MacAddr,
        /// Inner Ethernet destination.
        #[arg(long, value_name = "MAC", value_parser = parse_mac)]
        dst_mac: MacAddr,
        /// Inner IPv4 source.
        #[arg(long, value_name = "IP")]
        src_ip: Ipv4Addr,
        /// Inner IPv4 destination.
        #[arg(long, value_name = "IP")]
        dst_ip: Ipv4Addr,
        /// ICMP identifier.
        #[arg(long, value_name = "N", default_value_t = 0x7878)]
        id: u16,
        /// First sequence number.
        #[arg(long, value_name = "N", default_value_t = 1)]
        seq: u16,
        /// Bytes of data after the ICMP header.
        #[arg(long, value_name = "N", default_value_t = 56)]
        size: u16,
    },
    /// IGMP membership report joining a group.
    IgmpJoin {
        #[command(flatten)]
        host: IgmpHost,
        /// IGMP version.
        #[arg(long, value_name = "1|2|3", default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=3))]
        version: u8,
        /// IGMPv3: a source to join (repeatable); none = any source.
        #[arg(long = "source", value_name = "S")]
        sources: Vec<Ipv4Addr>,
    },
    /// IGMP leave (v2 leave group, or v3 report leaving the group).
    IgmpLeave {
        #[command(flatten)]
        host: IgmpHost,
        /// IGMP version.
        #[arg(long, value_name = "2|3", default_value_t = 2, value_parser = clap::value_parser!(u8).range(2..=3))]
        version: u8,
        /// IGMPv3: a source to leave (repeatable); none = the whole group.
        #[arg(long = "source", value_name = "S")]
        sources: Vec<Ipv4Addr>,
    },
    /// An inner Ethernet frame given as hex.
    Raw {
        /// The frame's bytes in hex (spaces and colons are ignored).
        #[arg(long, value_name = "HEX", num_args = 1.., value_parser = parse_hex)]
        hex: Vec<Vec<u8>>,
    },
    /// Each frame of a capture (Ethernet link type), encapsulated.
    Replay {
        /// The capture (pcap or pcapng).
        file: PathBuf,
    },
}

#[derive(Args, Debug)]
struct Sender {
    /// Sender MAC (also the inner Ethernet source).
    #[arg(long, value_name = "MAC", value_parser = parse_mac)]
    sender_mac: MacAddr,
    /// Sender IPv4 address.
    #[arg(long, value_name = "IP")]
    sender_ip: Ipv4Addr,
}

#[derive(Args, Debug)]
struct IgmpHost {
    /// Inner Ethernet source.
    #[arg(long, value_name = "MAC", value_parser = parse_mac)]
    src_mac: MacAddr,
    /// Inner IPv4 source.
    #[arg(long, value_name = "IP")]
    src_ip: Ipv4Addr,
    /// The multicast group.
    #[arg(long, value_name = "G")]
    group: Ipv4Addr,
}

fn parse_mac(s: &str) -> Result<MacAddr, String> {
    let mut mac = [0u8; 6];
    let mut parts = s.split([':', '-']);
    for b in &mut mac {
        let p =
            parts.next().ok_or_else(|| format!("malformed MAC address '{s}' (want aa:bb:cc:dd:ee:ff)"))?;
        *b = u8::from_str_radix(p, 16)
            .ok()
            .filter(|_| (1..=2).contains(&p.len()))
            .ok_or_else(|| format!("malformed MAC address '{s}' (want aa:bb:cc:dd:ee:ff)"))?;
    }
    if parts.next().is_some() {
        return Err(format!("malformed MAC address '{s}' (want aa:bb:cc:dd:ee:ff)"));
    }
    Ok(MacAddr(mac))
}

fn parse_port(s: &str) -> Result<u16, String> {
    match s.parse::<u16>() {
        Ok(0) => Err("port 0 is not a UDP port a VTEP uses (1..=65535)".to_string()),
        Ok(p) => Ok(p),
        Err(_) => Err(format!("malformed port '{s}' (1..=65535)")),
    }
}

fn parse_vni(s: &str) -> Result<Vni, String> {
    let n: u64 = s.parse().map_err(|_| format!("malformed VNI '{s}'"))?;
    u32::try_from(n).ok().and_then(Vni::new).ok_or_else(|| format!("VNI {n} is over 16777215 (24 bits)"))
}

fn parse_byte(s: &str) -> Result<u8, String> {
    let r = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u8::from_str_radix(h, 16),
        None => s.parse(),
    };
    r.map_err(|_| format!("malformed byte '{s}' (0..=255 or 0x00..=0xff)"))
}

fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace() && *c != ':').collect();
    hex::decode(&clean).map_err(|e| format!("malformed hex '{s}': {e}"))
}

/// One line on stderr, exit status 1.
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure(e.to_string())
    }
}

macro_rules! fail {
    ($($t:tt)*) => { return Err(Failure(format!($($t)*))) };
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let text = e.render().to_string();
            // The first paragraph, on one line: "required arguments were not provided: --gbp <ID>".
            let para: Vec<&str> = text.lines().take_while(|l| !l.trim().is_empty()).map(str::trim).collect();
            let line = if para.is_empty() { "usage error".to_string() } else { para.join(" ") };
            eprintln!("vxinject: {}", line.trim_start_matches("error: "));
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                eprintln!("{}", text.trim_end());
            }
            return ExitCode::from(2);
        }
    };
    match run(&cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(Failure(msg)) => {
            eprintln!("vxinject: {msg}");
            ExitCode::from(1)
        }
    }
}

/// The inner frames to send, built once; a ping is rebuilt per frame for its sequence number.
struct Inner {
    frames: Vec<Vec<u8>>,
    ping: Option<PingState>,
    /// replay: each frame's nanoseconds after the capture's first.
    offsets: Vec<u64>,
}

struct PingState {
    spec: (MacAddr, MacAddr, Ipv4Addr, Ipv4Addr, u16, u16),
    payload: Vec<u8>,
}

fn inner_frames(frame: &Frame) -> Result<Inner, Failure> {
    let mut buf = vec![0u8; 65_536];
    let one =
        |n: usize, buf: &[u8]| Inner { frames: vec![buf[..n].to_vec()], ping: None, offsets: Vec::new() };
    Ok(match frame {
        Frame::ArpRequest { sender, target_ip } => {
            let n = build::arp(&mut buf, &ArpSpec::request(sender.sender_mac, sender.sender_ip, *target_ip))?;
            one(n, &buf)
        }
        Frame::ArpReply { sender, target_mac, target_ip } => {
            let spec = ArpSpec::reply(sender.sender_mac, sender.sender_ip, *target_mac, *target_ip);
            one(build::arp(&mut buf, &spec)?, &buf)
        }
        Frame::Garp { sender } => {
            one(build::arp(&mut buf, &ArpSpec::gratuitous(sender.sender_mac, sender.sender_ip))?, &buf)
        }
        Frame::Ping { src_mac, dst_mac, src_ip, dst_ip, id, seq, size } => {
            // The data pattern of iputils ping after its timestamp: 0x08, 0x09, ...
            let payload: Vec<u8> = (0..usize::from(*size)).map(|i| (i as u8).wrapping_add(8)).collect();
            let ping = PingState { spec: (*src_mac, *dst_mac, *src_ip, *dst_ip, *id, *seq), payload };
            let n = ping.build(&mut buf, 0)?;
            Inner { frames: vec![buf[..n].to_vec()], ping: Some(ping), offsets: Vec::new() }
        }
        Frame::IgmpJoin { host, version, sources } => {
            let (kind, records_type) = if sources.is_empty() {
                (*version, RecordType::CHANGE_TO_EXCLUDE)
            } else {
                (*version, RecordType::ALLOW_NEW_SOURCES)
            };
            if kind != 3 && !sources.is_empty() {
                fail!("--source needs --version 3");
            }
            let record =
                [GroupRecordSpec { record_type: records_type, group: host.group, sources, aux_data: &[] }];
            let msg = match kind {
                1 => IgmpMessage::V1Report { group: host.group },
                2 => IgmpMessage::V2Report { group: host.group },
                _ => IgmpMessage::V3Report { records: &record },
            };
            one(build::igmp(&mut buf, &IgmpSpec::new(host.src_mac, host.src_ip, msg))?, &buf)
        }
        Frame::IgmpLeave { host, version, sources } => {
            if *version != 3 && !sources.is_empty() {
                fail!("--source needs --version 3");
            }
            let rt = if sources.is_empty() {
                RecordType::CHANGE_TO_INCLUDE
            } else {
                RecordType::BLOCK_OLD_SOURCES
            };
            let record = [GroupRecordSpec { record_type: rt, group: host.group, sources, aux_data: &[] }];
            let msg = match version {
                2 => IgmpMessage::V2Leave { group: host.group },
                _ => IgmpMessage::V3Report { records: &record },
            };
            one(build::igmp(&mut buf, &IgmpSpec::new(host.src_mac, host.src_ip, msg))?, &buf)
        }
        Frame::Raw { hex } => {
            let bytes: Vec<u8> = hex.concat();
            if bytes.is_empty() {
                fail!("--hex: empty frame");
            }
            Inner { frames: vec![bytes], ping: None, offsets: Vec::new() }
        }
        Frame::Replay { file } => replay_frames(file)?,
    })
}

/// The frames of a capture to replay, with each one's time after the first (its own timing).
fn replay_frames(file: &std::path::Path) -> Result<Inner, Failure> {
    let name = file.display();
    let f = File::open(file).map_err(|e| Failure(format!("{name}: {e}")))?;
    let mut r = CaptureReader::new(BufReader::new(f)).map_err(|e| Failure(format!("{name}: {e}")))?;
    let mut frames = Vec::new();
    let mut stamps: Vec<i128> = Vec::new();
    while let Some(p) = r.next_packet() {
        let p = p.map_err(|e| Failure(format!("{name}: {e}")))?;
        if p.link_type() != Some(LinkType::Ethernet) {
            fail!(
                "{name}: link type {} is not Ethernet; only Ethernet frames can be encapsulated",
                p.raw_link_type
            );
        }
        frames.push(p.data.to_vec());
        stamps.push(p.ts.as_nanos());
    }
    if frames.is_empty() {
        fail!("{name}: no frames");
    }
    let first = stamps[0];
    let offsets = stamps.iter().map(|t| u64::try_from((t - first).max(0)).unwrap_or(u64::MAX)).collect();
    Ok(Inner { frames, ping: None, offsets })
}

impl PingState {
    fn build(&self, buf: &mut [u8], i: u64) -> Result<usize, vxwire::Error> {
        let (sm, dm, si, di, id, seq) = self.spec;
        let spec = EchoSpec::request(sm, dm, si, di, id, seq.wrapping_add(i as u16), &self.payload);
        build::icmp_echo(buf, &spec)
    }
}

/// Where the frames go.
enum Sink {
    Raw(RawLink),
    Udp(UdpLink),
    File(CaptureWriter<BufWriter<File>>, PathBuf),
}

fn vxlan_header(cli: &Cli) -> VxlanHeader {
    let mut h = match cli.gbp {
        Some(id) => VxlanHeader::with_gbp(
            cli.vni,
            Gbp {
                group_policy_id: id,
                dont_learn: cli.gbp_dont_learn,
                policy_applied: cli.gbp_policy_applied,
            },
        ),
        None => VxlanHeader::new(cli.vni),
    };
    if let Some(f) = cli.flags {
        h.flags = VxlanFlags(f);
    }
    h
}

/// Words for a drop reason of the Linux receive path, with the header bits that cause it.
fn explain(reason: DropReason, h: &VxlanHeader, gbp_device: bool) -> String {
    let what = match reason {
        DropReason::VxlanInvalidHdr if !h.flags.i() => "the I flag is clear".to_string(),
        DropReason::VxlanInvalidHdr if !gbp_device && h.flags.0 & 0x80 != 0 => {
            format!(
                "the G bit (0x80) of flags 0x{:02x} is set, which a plain (non-GBP) device reserves",
                h.flags.0
            )
        }
        DropReason::VxlanInvalidHdr => {
            let b = h.to_bytes();
            let kind = if gbp_device { "a GBP" } else { "a plain (non-GBP)" };
            format!(
                "header {:02x} {:02x} {:02x} {:02x} .. {:02x} sets bits that {kind} device reserves",
                b[0], b[1], b[2], b[3], b[7]
            )
        }
        DropReason::MacInvalidSource => "the inner source MAC is multicast or zero".to_string(),
        DropReason::Nomem | DropReason::PktTooSmall => "the inner frame is too short".to_string(),
        DropReason::IpTunnelEcn => "outer ECN CE over a not-ECT inner packet".to_string(),
        other => other.trace_name().to_string(),
    };
    format!("{what} ({})", reason.kernel_name())
}

/// The outer headers towards the VTEP (or its group: TTL 1, as a Linux device in group mode sends).
fn make_outer(cli: &Cli, src_mac: MacAddr, dst_mac: MacAddr, src_ip: IpAddr) -> Result<Outer, Failure> {
    let mut outer = match (src_ip, cli.vtep) {
        (IpAddr::V4(s), IpAddr::V4(d)) => Outer::v4(src_mac, dst_mac, s, d),
        (IpAddr::V6(s), IpAddr::V6(d)) => Outer::v6(src_mac, dst_mac, s, d),
        _ => fail!("--src-ip {src_ip} and --vtep {} are not of the same address family", cli.vtep),
    };
    if cli.vtep.is_multicast() {
        match &mut outer.ip {
            OuterIp::V4 { ttl, .. } => *ttl = 1,
            OuterIp::V6 { hop_limit, .. } => *hop_limit = 1,
        }
    }
    outer.dst_port = cli.port;
    if let Some(p) = cli.src_port {
        outer.src_port = SrcPort::Fixed(p);
    }
    Ok(outer)
}

/// The device mode the user declared for the VTEP, if any.
fn declared_mode(cli: &Cli) -> Option<Mode> {
    match (cli.vtep_gbp, cli.vtep_plain) {
        (true, _) => Some(Mode::Gbp),
        (_, true) => Some(Mode::Plain),
        _ => None,
    }
}

/// Why a Linux device of `mode` serving our VNI and port drops `frame`, if it does.
fn drop_reason(cli: &Cli, frame: &[u8], mode: Mode) -> Option<DropReason> {
    let vnis = [cli.vni];
    let mut dev = Device::new(&vnis, cli.port, &[]);
    dev.mode = mode;
    match check::check(frame, LinkType::Ethernet, &dev) {
        Verdict::Drop(reason) => Some(reason),
        _ => None,
    }
}

/// The pre-send check: refuses only what every Linux device of the declared kind drops (plain
/// and GBP alike when the mode is not given), and warns about what only some drop.
fn precheck(cli: &Cli, src_ip: IpAddr, inner: &Inner, header: &VxlanHeader) -> Result<(), Failure> {
    // Outer MACs are not judged, so placeholders do.
    let outer = make_outer(cli, MacAddr::ZERO, MacAddr::ZERO, src_ip)?;
    let mut buf = vec![0u8; outer.header_len() + 65_536];
    let mut warned = false;
    for f in &inner.frames {
        let n = build::vxlan_frame(&mut buf, &outer, header, f)?;
        let frame = &buf[..n];
        let modes = match declared_mode(cli) {
            Some(m) => vec![m],
            None => vec![Mode::Plain, Mode::Gbp],
        };
        let reasons: Vec<(Mode, Option<DropReason>)> =
            modes.iter().map(|&m| (m, drop_reason(cli, frame, m))).collect();
        if reasons.iter().all(|(_, r)| r.is_some()) {
            let (mode, reason) = reasons[0];
            let reason = reason.unwrap_or(DropReason::VxlanInvalidHdr);
            fail!(
                "a Linux VTEP would drop this frame: {} (--force sends it anyway)",
                explain(reason, header, mode == Mode::Gbp)
            );
        }
        for (mode, reason) in reasons {
            if let (Some(r), false) = (reason, warned) {
                let (kind, flag) =
                    if mode == Mode::Gbp { ("GBP", "--vtep-plain") } else { ("plain", "--vtep-gbp") };
                eprintln!(
                    "vxinject: warning: a {kind} Linux device drops this frame: {}; sending it, as the VTEP's \
                     mode is unknown ({flag} declares it)",
                    explain(r, header, mode == Mode::Gbp)
                );
                warned = true;
            }
        }
    }
    Ok(())
}

/// Where the frames go and what the VTEP's address resolves to.
fn open_sink(cli: &Cli, iface: &Interface, src_ip: IpAddr, wait: bool) -> Result<Sink, Failure> {
    Ok(if let Some(path) = &cli.write {
        let f = File::create(path).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
        Sink::File(CaptureWriter::new(BufWriter::new(f), LinkType::Ethernet)?, path.clone())
    } else if cli.udp {
        let mut src = SocketAddr::new(src_ip, cli.src_port.unwrap_or(0));
        let mut dest = SocketAddr::new(cli.vtep, cli.port);
        let mut scope_id = 0;
        if let (IpAddr::V6(s), IpAddr::V6(d)) = (src_ip, cli.vtep) {
            // Link-local addresses (and multicast groups) need the interface as scope.
            let scope = |a: Ipv6Addr| if a.segments()[0] & 0xffc0 == 0xfe80 { iface.index } else { 0 };
            src = SocketAddr::V6(SocketAddrV6::new(s, src.port(), 0, scope(s)));
            dest = SocketAddr::V6(SocketAddrV6::new(d, cli.port, 0, scope(d)));
            scope_id = iface.index;
        }
        Sink::Udp(UdpLink::open(src, dest, wait.then_some(cli.port), scope_id)?)
    } else {
        Sink::Raw(RawLink::open(iface)?)
    })
}

/// The outer destination MAC: given, the group's, or asked for by ARP / neighbour solicitation.
fn destination_mac(
    cli: &Cli,
    iface: &Interface,
    src_ip: IpAddr,
    sink: &mut Sink,
) -> Result<MacAddr, Failure> {
    if let Some(m) = cli.vtep_mac {
        return Ok(m);
    }
    if let Some(m) = inject::multicast_mac(cli.vtep) {
        return Ok(m);
    }
    Ok(match sink {
        Sink::Raw(link) => {
            if iface.mac.is_none() {
                fail!("{}: interface has no Ethernet address; raw mode needs one (try --udp)", iface.name);
            }
            let hop = inject::next_hop(iface, cli.vtep);
            inject::resolve_mac(link, iface, src_ip, hop, 3)?
        }
        Sink::File(..) => {
            eprintln!("vxinject: note: VTEP MAC unknown, writing ff:ff:ff:ff:ff:ff (give --vtep-mac)");
            MacAddr::BROADCAST
        }
        Sink::Udp(_) => MacAddr::ZERO,
    })
}

/// What the sent frames expect back, like arping's and ping's matching, each with how many of
/// it were sent.
fn expectations(cli: &Cli, inner: &Inner, total: u64) -> Vec<(Expect, u64)> {
    let vni = cli.vni.get();
    match &cli.frame {
        Frame::ArpRequest { sender, target_ip } => {
            vec![(Expect::ArpReply { vni, asker: sender.sender_mac, target: *target_ip }, total)]
        }
        Frame::Ping { src_ip, dst_ip, id, seq, .. } => {
            // Sequence numbers wrap after 65536 requests: those share an answer slot.
            let times = |k: u64| total / 65_536 + u64::from(k < total % 65_536);
            (0..total.min(65_536))
                .map(|k| {
                    let seq = seq.wrapping_add(k as u16);
                    (Expect::EchoReply { vni, from: *dst_ip, to: *src_ip, id: *id, seq }, times(k))
                })
                .collect()
        }
        _ => {
            let mut v: Vec<(Expect, u64)> = Vec::new();
            for f in &inner.frames {
                let Some(src) = f.get(6..12).and_then(|s| MacAddr::try_from(s).ok()) else { continue };
                let e = Expect::Frame { vni, mac: src };
                if src.is_unicast() && !src.is_zero() && !v.iter().any(|(x, _)| *x == e) {
                    v.push((e, 1));
                }
            }
            v
        }
    }
}

fn run(cli: &Cli) -> Result<bool, Failure> {
    let iface = Interface::by_name(&cli.iface)?;
    let src_ip = match cli.src_ip {
        Some(ip) => ip,
        None => iface
            .source_for(cli.vtep)
            .ok_or(inject::InjectError::NoAddress { iface: iface.name.clone(), ipv6: cli.vtep.is_ipv6() })?,
    };
    if src_ip.is_ipv4() != cli.vtep.is_ipv4() {
        fail!("--src-ip {src_ip} and --vtep {} are not of the same address family", cli.vtep);
    }
    if cli.rate.is_some_and(|r| !(r.is_finite() && r >= 0.0)) {
        fail!("--rate must be a number of frames per second, 0 for no pacing");
    }
    let wait = match cli.wait {
        Some(w) if !(w.is_finite() && w >= 0.0) => fail!("--wait must be a number of seconds"),
        Some(w) => Some(Duration::from_secs_f64(w)),
        None => None,
    };
    if wait.is_some() && cli.write.is_some() {
        fail!("--wait listens for answers, but -w only writes a file");
    }
    let inner = inner_frames(&cli.frame)?;
    let header = vxlan_header(cli);
    if !cli.force {
        precheck(cli, src_ip, &inner, &header)?;
    }
    let mut sink = open_sink(cli, &iface, src_ip, wait.is_some())?;
    if wait.is_some() {
        // The kernel turns receive timestamps on a moment after the socket asks (a deferred
        // switch); answers that came before would carry the time they were read instead.
        std::thread::sleep(inject::TIMESTAMP_SETTLE);
    }
    let dst_mac = destination_mac(cli, &iface, src_ip, &mut sink)?;
    // While waiting in raw mode, hold the VXLAN port so that our host does not answer each reply
    // with ICMP port unreachable (the kernel would, as nothing else listens there).
    let _hold = match (&sink, wait) {
        (Sink::Raw(_), Some(_)) => match UdpSocket::bind(SocketAddr::new(src_ip, cli.port)) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("vxinject: note: cannot hold UDP port {} on {src_ip} while waiting: {e}", cli.port);
                None
            }
        },
        _ => None,
    };
    let outer = make_outer(cli, iface.mac.unwrap_or(MacAddr::ZERO), dst_mac, src_ip)?;
    let total = if matches!(cli.frame, Frame::Replay { .. }) {
        cli.count.saturating_mul(inner.frames.len() as u64)
    } else {
        cli.count
    };
    let pacer = match (cli.rate, &cli.frame) {
        (None, Frame::Replay { .. }) => Pacer::timeline(inner.offsets.clone()),
        (rate, _) => Pacer::new(rate.unwrap_or(1.0)),
    };
    let (sent, bytes) = send_frames(cli, &iface, &mut sink, &outer, &header, &inner, total, &pacer)?;
    let elapsed = pacer.start().elapsed();
    let progress = io::stderr().is_terminal() && total >= 256;
    if let Sink::File(w, path) = sink {
        let mut inner = w.into_inner();
        inner.flush().map_err(|e| Failure(format!("{}: {e}", path.display())))?;
        if progress {
            eprintln!();
        }
        eprintln!("vxinject: wrote {sent} frames ({bytes} bytes) to {}", path.display());
        return Ok(true);
    }
    let heard = match wait {
        Some(w) => Some(listen(cli, &mut sink, src_ip, w, expectations(cli, &inner, total))?),
        None => None,
    };
    if progress {
        eprintln!();
    }
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 { sent as f64 / secs } else { 0.0 };
    let answered = heard.as_ref().map(|h| h.summary(cli.vtep)).unwrap_or_default();
    eprintln!("vxinject: sent {sent} frames ({bytes} bytes) in {secs:.3} s ({rate:.0} frames/s){answered}");
    Ok(match heard {
        Some(h) => h.report(cli, &header, src_ip, &inner),
        None => true,
    })
}

/// Sends `total` frames at the pacer's deadlines; returns frames and bytes sent.
#[allow(clippy::too_many_arguments)]
fn send_frames(
    cli: &Cli,
    iface: &Interface,
    sink: &mut Sink,
    outer: &Outer,
    header: &VxlanHeader,
    inner: &Inner,
    total: u64,
    pacer: &Pacer,
) -> Result<(u64, u64), Failure> {
    let hl = outer.header_len();
    // Whole frames, built once; sent as they are (raw, file) or from the VXLAN header on (UDP).
    let mut frames = Vec::with_capacity(inner.frames.len());
    for f in &inner.frames {
        let mut buf = vec![0u8; hl + f.len()];
        let n = build::vxlan_frame(&mut buf, outer, header, f)?;
        buf.truncate(n);
        frames.push(buf);
    }
    let udp_from = hl - vxwire::wire::vxlan::HEADER_LEN;
    // Unpaced raw sends go out SEND_BATCH frames per system call; everything else one by one.
    let batch = if pacer.unpaced() && matches!(sink, Sink::Raw(_)) { inject::SEND_BATCH } else { 1 };
    // Echo requests differ in their sequence number: each frame of a batch gets its own buffer.
    let mut scratch = match inner.ping {
        Some(_) => vec![vec![0u8; 65_536 + hl]; batch],
        None => Vec::new(),
    };
    let progress = io::stderr().is_terminal();
    let wall = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let mut next_report = pacer.start() + Duration::from_secs(1);
    let (mut sent, mut bytes, mut i) = (0u64, 0u64, 0u64);
    while i < total {
        let n = (total - i).min(batch as u64) as usize;
        let mut out: [&[u8]; inject::SEND_BATCH] = [&[]; inject::SEND_BATCH];
        match &inner.ping {
            Some(p) => {
                for (k, (slot, buf)) in out.iter_mut().zip(scratch.iter_mut()).take(n).enumerate() {
                    let len = p.build(&mut buf[hl..], i + k as u64)?;
                    let len = build::encapsulate(buf, outer, header, len)?;
                    let buf: &[u8] = buf;
                    *slot = &buf[..len];
                }
            }
            None => {
                for (k, slot) in out.iter_mut().take(n).enumerate() {
                    *slot = &frames[((i + k as u64) % frames.len() as u64) as usize];
                }
            }
        }
        let out = &out[..n];
        match sink {
            Sink::Raw(link) if n > 1 => {
                link.send_all(out).map_err(|e| Failure(format!("{}: send: {e}", iface.name)))?;
            }
            Sink::Raw(link) => {
                pacer.wait(i);
                link.send(out[0]).map_err(|e| Failure(format!("{}: send: {e}", iface.name)))?;
            }
            Sink::Udp(u) => {
                pacer.wait(i);
                u.send(&out[0][udp_from..]).map_err(|e| Failure(format!("send to {}: {e}", cli.vtep)))?;
            }
            Sink::File(w, path) => {
                // Timestamps as if sent at the rate (or now), without waiting.
                let at = wall + pacer.deadline(i).map_or(Duration::ZERO, |d| d - pacer.start());
                w.write(Timestamp::from(std::time::UNIX_EPOCH + at), out[0])
                    .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
            }
        }
        let before = sent;
        sent += n as u64;
        bytes += out.iter().map(|f| f.len() as u64).sum::<u64>();
        i += n as u64;
        if progress && sent / 256 != before / 256 {
            let now = Instant::now();
            if now >= next_report {
                let secs = (now - pacer.start()).as_secs_f64();
                eprint!("\rvxinject: sent {sent}/{total} ({:.0} frames/s)   ", sent as f64 / secs);
                next_report = now + Duration::from_secs(1);
            }
        }
    }
    Ok((sent, bytes))
}

/// What came back while waiting: for each distinct probe how many were sent and answered and who
/// answered first, and how many other VXLAN frames from the VTEP (or group members) arrived.
struct Heard {
    /// The probes in the order sent, each once.
    order: Vec<Expect>,
    /// Probes sent, answers counted, first answerer.
    slots: HashMap<Expect, (u64, u64, Option<IpAddr>)>,
    answers: u64,
    unrelated: u64,
}

impl Heard {
    fn new(probes: Vec<(Expect, u64)>) -> Heard {
        let order = probes.iter().map(|(e, _)| *e).collect();
        let slots = probes.into_iter().map(|(e, n)| (e, (n, 0, None))).collect();
        Heard { order, slots, answers: 0, unrelated: 0 }
    }

    /// Files a frame from `from`: counts it for the probes it answers. Returns whether it answers
    /// any (a repeated answer still is one).
    fn file(&mut self, d: &vxwire::dissect::Dissection<'_>, from: IpAddr) -> bool {
        let mut answers = false;
        for e in Expect::answers(d) {
            if let Some((_, got, by)) = self.slots.get_mut(&e) {
                answers = true;
                *got += 1;
                by.get_or_insert(from);
            }
        }
        if answers {
            self.answers += 1;
        } else {
            self.unrelated += 1;
        }
        answers
    }

    fn done(&self) -> bool {
        !self.slots.is_empty() && self.slots.values().all(|(sent, got, _)| got >= sent)
    }

    /// ", 1 reply from 198.18.0.2" for the summary line.
    fn summary(&self, vtep: IpAddr) -> String {
        let mut from: Vec<IpAddr> = self.slots.values().filter_map(|(_, _, by)| *by).collect();
        from.sort();
        from.dedup();
        let who = match from.as_slice() {
            [] => vtep.to_string(),
            [one] if *one == vtep => vtep.to_string(),
            list => {
                let l: Vec<String> = list.iter().map(|a| a.to_string()).collect();
                format!("{} (member{} of {vtep})", l.join(", "), if l.len() == 1 { "" } else { "s" })
            }
        };
        let n = self.answers;
        let mut s = format!(", {n} {} from {who}", if n == 1 { "reply" } else { "replies" });
        if self.unrelated > 0 {
            let u = self.unrelated;
            s += &format!(", {u} unrelated frame{} not counted", if u == 1 { "" } else { "s" });
        }
        s
    }

    /// Says which probes went unanswered (and a likely reason); true when all were answered.
    fn report(&self, cli: &Cli, header: &VxlanHeader, src_ip: IpAddr, inner: &Inner) -> bool {
        if self.done() {
            return true;
        }
        if self.slots.is_empty() {
            eprintln!(
                "vxinject: no answer: the frames sent expect none that could be told from other traffic"
            );
            return false;
        }
        for e in &self.order {
            let (sent, got, _) = self.slots[e];
            if got < sent {
                let n = sent - got;
                let times = if n > 1 { format!(" ({n} probes)") } else { String::new() };
                eprintln!("vxinject: no answer from {}: {e}{times}", cli.vtep);
            }
        }
        if cli.vtep_gbp {
            return false;
        }
        let outer = make_outer(cli, MacAddr::ZERO, MacAddr::ZERO, src_ip).ok();
        let mut buf = vec![0u8; 65_536 + 128];
        let reason = outer.and_then(|o| {
            inner.frames.iter().find_map(|f| {
                let n = build::vxlan_frame(&mut buf, &o, header, f).ok()?;
                drop_reason(cli, &buf[..n], Mode::Plain)
            })
        });
        if let Some(r) = reason {
            eprintln!(
                "vxinject: likely reason: a plain (non-GBP) Linux device drops these frames: {}",
                explain(r, header, false)
            );
        }
        false
    }
}

/// Listens for VXLAN frames from the VTEP (or, for a group, its members) to `local` until
/// `wait` passes or every probe is answered; prints the answers (and, with -v, the other frames,
/// marked unrelated) with the kernel's receive times.
fn listen(
    cli: &Cli,
    sink: &mut Sink,
    local: IpAddr,
    wait: Duration,
    probes: Vec<(Expect, u64)>,
) -> Result<Heard, Failure> {
    let deadline = Instant::now() + wait;
    let mut config = Config::default();
    let mut ports = PortSet::new();
    ports.insert(cli.port);
    config.vxlan_ports = ports;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut heard = Heard::new(probes);
    let mut failed: Option<io::Error> = None;
    let mut printer = TextPrinter::new(TextOptions::default());
    let mut n = 0u64;
    let group = cli.vtep.is_multicast();
    let mut take = |frame: &[u8], len: usize, ts: Timestamp, heard: &mut Heard| -> ControlFlow<()> {
        let d = dissect(frame, LinkType::Ethernet, &config);
        let Some((from, to)) = inject::outer_addrs(&d) else { return ControlFlow::Continue(()) };
        let ours = to == local && (from == cli.vtep || (group && from != local));
        if !ours || d.vxlan().is_none() {
            return ControlFlow::Continue(());
        }
        let answer = heard.file(&d, from);
        if answer || cli.verbose {
            n += 1;
            let info = PacketInfo {
                n,
                ts_sec: ts.secs(),
                ts_nsec: ts.nanos(),
                caplen: frame.len(),
                len: len as u32,
            };
            let w = (if answer { Ok(()) } else { out.write_all(b"unrelated: ") })
                .and_then(|()| printer.write_packet(&mut out, &info, &d))
                .and_then(|()| out.flush());
            if let Err(e) = w {
                failed = Some(e);
                return ControlFlow::Break(());
            }
        }
        if heard.done() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    match sink {
        Sink::Raw(link) => {
            link.receive_until(deadline, |frame, got| take(frame, got.len, got.ts, &mut heard))
                .map_err(|e| Failure(format!("{}: receive: {e}", cli.iface)))?;
        }
        Sink::Udp(u) => {
            let local_port = u.local_addr()?;
            let mut buf = vec![0u8; 65_536];
            let mut frame = vec![0u8; 65_536 + 128];
            u.receive_until(deadline, &mut buf, |payload, from, ts| {
                // Rebuild the outer headers the kernel removed, so the printer sees a whole frame
                // (MAC addresses are unknown in UDP mode and shown as zero).
                let Ok((h, rest)) = VxlanHeader::parse(payload) else { return ControlFlow::Continue(()) };
                let mut outer = match (from.ip(), local_port.ip()) {
                    (IpAddr::V4(s), IpAddr::V4(d)) => Outer::v4(MacAddr::ZERO, MacAddr::ZERO, s, d),
                    (IpAddr::V6(s), IpAddr::V6(d)) => Outer::v6(MacAddr::ZERO, MacAddr::ZERO, s, d),
                    _ => return ControlFlow::Continue(()),
                };
                outer.src_port = SrcPort::Fixed(from.port());
                outer.dst_port = cli.port;
                let Ok(len) = build::vxlan_frame(&mut frame, &outer, &h, rest) else {
                    return ControlFlow::Continue(());
                };
                take(&frame[..len], len, ts, &mut heard)
            })
            .map_err(|e| Failure(format!("receive: {e}")))?;
        }
        Sink::File(..) => {}
    }
    match failed {
        Some(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Some(e) => return Err(e.into()),
        None => {}
    }
    Ok(heard)
}
