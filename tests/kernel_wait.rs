//! `vxinject --wait` against kernel VTEPs that talk while they are probed: a frame counts only
//! when it answers the probe (as arping and ping match theirs), never because it came from the
//! VTEP; and a probe to a multicast group is answered by the member that owns the address.
#![cfg(feature = "cli")]

mod common;

use common::netns::{Lab, Netns, Tcpdump, INJ_IP, VTEP_IP, VXLAN_MAC};
use common::{INNER_IP, INNER_MAC};
use std::process::{Child, Command, Output, Stdio};
use vxwire::MacAddr;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A program running in a namespace, killed (by its own process id) on drop.
struct Background(Child);

impl Background {
    fn start(mut cmd: Command) -> Background {
        Background(cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn"))
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `vxinject -i veth0 --vtep VTEP_IP --vni VNI ARGS... arp-request ... --target-ip TARGET`.
fn arp_probe(lab: &Lab, vni: &str, target: &str, extra: &[&str]) -> Output {
    let mut args = vec!["-i", "veth0", "--vtep", VTEP_IP, "--vni", vni, "--wait", "1.5"];
    args.extend(extra);
    args.extend(["arp-request", "--sender-mac", INNER_MAC, "--sender-ip", INNER_IP, "--target-ip", target]);
    lab.vxinject(&args)
}

/// Lines of vxinject's output that start a packet (a timestamp), and those marked unrelated.
fn packets(out: &str) -> (Vec<&str>, Vec<&str>) {
    let first = |l: &&str| l.starts_with(|c: char| c.is_ascii_digit());
    let answers = out.lines().filter(first).collect();
    let unrelated =
        out.lines().filter(|l| l.strip_prefix("unrelated: ").is_some_and(|r| first(&r))).collect();
    (answers, unrelated)
}

#[test]
fn wait_counts_only_answers_to_the_probe_while_the_vtep_talks() {
    if !common::netns::privileged("wait_counts_only_answers_to_the_probe_while_the_vtep_talks") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(4789, &[]);
    // The VTEP's own stack talks to the prober all along: BUM traffic flooded to it (ARP requests
    // for an absent 10.0.0.77), and echo requests to the prober's own inner MAC in VNI 100.
    lab.vtep.sh("bridge", &["fdb", "append", "00:00:00:00:00:00", "dev", "vxlan0", "dst", INJ_IP]);
    lab.vtep.ip(&["neigh", "add", INNER_IP, "lladdr", INNER_MAC, "dev", "vxlan0", "nud", "permanent"]);
    let talk = [
        Background::start(lab.vtep.command("ping", &["-q", "-i", "0.2", INNER_IP])),
        Background::start(lab.vtep.command("ping", &["-q", "-i", "0.2", "10.0.0.77"])),
    ];

    // Who has an IP nobody has: no answer, although VXLAN frames from the VTEP keep coming.
    let o = arp_probe(&lab, "100", "10.0.0.9", &["-v"]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(1), "{err}{out}");
    let (all, unrelated) = packets(&out);
    assert!(all.is_empty(), "nothing printed as an answer: {out}");
    assert!(unrelated.len() >= 3, "the VTEP's own frames came and are shown as unrelated with -v: {out}");
    assert!(out.contains("ICMP echo request") && out.contains("who-has 10.0.0.77"), "{out}");
    assert!(
        err.contains("no answer from 198.18.0.2: ARP reply for 10.0.0.9 to 02:00:00:00:00:01 in VNI 100"),
        "{err}"
    );
    assert!(err.contains("0 replies") && err.contains("unrelated frames not counted"), "{err}");

    // A VNI the VTEP does not have: silence in VNI 101; without -v nothing is printed.
    let o = arp_probe(&lab, "101", "10.0.0.2", &[]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(1), "{err}{out}");
    assert_eq!(out, "", "unrelated frames print only with -v");
    assert!(err.contains("ARP reply for 10.0.0.2 to 02:00:00:00:00:01 in VNI 101"), "{err}");

    // A GBP frame to a plain device: sent with a warning (the mode is not given), dropped by the
    // kernel, and the G bit named as the likely reason.
    let o = arp_probe(&lab, "100", "10.0.0.2", &["--gbp", "42"]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(1), "{err}{out}");
    assert!(
        err.contains("warning: a plain Linux device drops this frame") && err.contains("--vtep-gbp"),
        "{err}"
    );
    assert!(err.contains("likely reason") && err.contains("G bit"), "{err}");
    // With the I bit cleared (and --force) the VTEP drops it too; its chatter is no answer.
    let o = arp_probe(&lab, "100", "10.0.0.2", &["--flags", "0x00", "--force"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));

    // The VTEP's own IP: exactly the kernel's ARP reply, to our MAC, is the answer.
    let o = arp_probe(&lab, "100", "10.0.0.2", &[]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{err}{out}");
    let (all, _) = packets(&out);
    assert_eq!(all.len(), 1, "{out}");
    assert!(out.contains(&format!("Reply 10.0.0.2 is-at {VXLAN_MAC}")), "{out}");
    assert!(err.contains("1 reply from 198.18.0.2"), "{err}");

    // Echo replies match by id and sequence number, not the VTEP's echo requests to the same MAC.
    let mut args =
        vec!["-i", "veth0", "--vtep", VTEP_IP, "--vni", "100", "--wait", "3", "-c", "2", "--rate", "5"];
    args.extend(["ping", "--src-mac", INNER_MAC, "--dst-mac", VXLAN_MAC, "--src-ip", INNER_IP]);
    args.extend(["--dst-ip", "10.0.0.2", "--id", "4242", "--seq", "7"]);
    let o = lab.vxinject(&args);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{err}{out}");
    assert!(
        out.contains("ICMP echo reply, id 4242, seq 7") && out.contains("ICMP echo reply, id 4242, seq 8"),
        "{out}"
    );
    assert!(!out.contains("echo request"), "{out}");
    drop(talk);

    // While waiting in raw mode vxinject holds the VXLAN port: the reply draws no ICMP port
    // unreachable from the probing host.
    // (The VTEP may still ask for 10.0.0.77 for a while; ICMP about those frames is not ours.)
    let cap = Tcpdump::start(&lab.inj, "veth0", "icmp");
    let mut all = Tcpdump::start(&lab.inj, "veth0", "udp port 4789");
    let o = arp_probe(&lab, "100", "10.0.0.2", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    std::thread::sleep(std::time::Duration::from_millis(200));
    // An ICMP error quotes the datagram: the reply's inner Ethernet type and ARP header (op 2).
    let quoted = [0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02];
    let icmp = cap.stop();
    let about_reply = icmp.iter().filter(|f| f.windows(quoted.len()).any(|w| w == quoted)).count();
    assert_eq!(about_reply, 0, "no ICMP about the VTEP's reply from the prober ({} ICMP in all)", icmp.len());
    // The answer's time is the kernel's receive time: the one tcpdump recorded for it.
    let reference = lab.inj.sh("tcpdump", &["-nn", "-r", all.halt().to_str().expect("path")]);
    let lines: Vec<&str> = reference.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("Reply 10.0.0.2 is-at"))
        .expect("the reply in tcpdump's capture");
    let theirs = lines[at - 1].split(' ').next();
    let out = text(&o.stdout);
    assert_eq!(out.lines().next().and_then(|l| l.split(' ').next()), theirs, "{out}\n{reference}");
}

/// An injector and three VTEPs of one group (VNI 100) on one bridge in a switch namespace: the
/// injector is 198.18.0.1 / fd00:18::1, the VTEPs .2 to .4 with overlay 10.0.0.2 to 10.0.0.4.
struct GroupLab {
    inj: Netns,
    vteps: Vec<Netns>,
    _switch: Netns,
}

impl GroupLab {
    fn new(group: &str) -> GroupLab {
        let v6 = group.contains(':');
        let switch = Netns::new("s");
        switch.ip(&["link", "add", "br0", "type", "bridge", "mcast_snooping", "0"]);
        switch.ip(&["link", "set", "br0", "up"]);
        let inj = Netns::new("i");
        let vteps: Vec<Netns> = (0..3).map(|_| Netns::new("g")).collect();
        for (k, ns) in std::iter::once(&inj).chain(&vteps).enumerate() {
            let port = format!("p{k}");
            switch.ip(&["link", "add", &port, "type", "veth", "peer", "name", "veth0", "netns", ns.name()]);
            switch.ip(&["link", "set", &port, "master", "br0", "up"]);
            ns.ip(&["link", "set", "veth0", "address", &format!("02:00:00:18:00:{:02x}", k + 1)]);
            ns.ip(&["addr", "add", &format!("198.18.0.{}/24", k + 1), "dev", "veth0"]);
            ns.ip(&["addr", "add", &format!("fd00:18::{}/64", k + 1), "dev", "veth0", "nodad"]);
            ns.ip(&["link", "set", "veth0", "up"]);
        }
        for (k, ns) in vteps.iter().enumerate() {
            let local = if v6 { format!("fd00:18::{}", k + 2) } else { format!("198.18.0.{}", k + 2) };
            let mut add = vec!["link", "add", "vxlan0", "type", "vxlan", "id", "100", "group", group];
            add.extend(["local", &local, "dev", "veth0", "dstport", "4789"]);
            ns.ip(&add);
            ns.ip(&["link", "set", "vxlan0", "address", &format!("02:00:00:00:01:{:02x}", k + 2)]);
            ns.ip(&["addr", "add", &format!("10.0.0.{}/24", k + 2), "dev", "vxlan0"]);
            ns.ip(&["link", "set", "vxlan0", "up"]);
        }
        GroupLab { inj, vteps, _switch: switch }
    }

    /// Asks the group who has 10.0.0.3; returns the output and what tcpdump saw on the injector.
    fn probe(&self, group: &str) -> (Output, Vec<Vec<u8>>) {
        let cap = Tcpdump::start(&self.inj, "veth0", "udp port 4789");
        let mut args = vec!["-i", "veth0", "--vtep", group, "--vni", "100", "--wait", "3"];
        args.extend([
            "arp-request",
            "--sender-mac",
            INNER_MAC,
            "--sender-ip",
            INNER_IP,
            "--target-ip",
            "10.0.0.3",
        ]);
        let o = self.inj.output(env!("CARGO_BIN_EXE_vxinject"), &args);
        std::thread::sleep(std::time::Duration::from_millis(200));
        (o, cap.stop())
    }
}

#[test]
fn probe_to_a_group_is_answered_by_the_member_that_owns_the_ip() {
    if !common::netns::privileged("probe_to_a_group_is_answered_by_the_member_that_owns_the_ip") {
        return;
    }
    let lab = GroupLab::new("239.1.1.1");
    assert_eq!(lab.vteps.len(), 3);
    let (o, frames) = lab.probe("239.1.1.1");
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{err}{out}");
    assert!(err.contains("1 reply from 198.18.0.3 (member of 239.1.1.1)"), "{err}");
    assert!(out.contains("198.18.0.3.") && out.contains("> 198.18.0.1.4789: VXLAN"), "{out}");
    assert!(out.contains("Reply 10.0.0.3 is-at 02:00:00:00:01:03"), "{out}");
    // The probe went to the group as a group-mode device sends: group MAC, TTL 1, no ARP first.
    let sent: Vec<&Vec<u8>> = frames.iter().filter(|f| f.get(26..30) == Some(&[198, 18, 0, 1][..])).collect();
    assert_eq!(sent.len(), 1, "one probe");
    assert_eq!(&sent[0][..6], &[0x01, 0x00, 0x5e, 0x01, 0x01, 0x01], "group MAC");
    assert_eq!(sent[0][22], 1, "TTL 1");
    assert_eq!(&sent[0][30..34], &[239, 1, 1, 1]);

    // Through an ordinary UDP socket (no privileges needed) the member answers the same way.
    let mut args = vec!["-i", "veth0", "--vtep", "239.1.1.1", "--vni", "100", "--udp", "--wait", "3"];
    args.extend([
        "arp-request",
        "--sender-mac",
        INNER_MAC,
        "--sender-ip",
        INNER_IP,
        "--target-ip",
        "10.0.0.4",
    ]);
    let o = lab.inj.output(env!("CARGO_BIN_EXE_vxinject"), &args);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{err}{out}");
    assert!(err.contains("1 reply from 198.18.0.4 (member of 239.1.1.1)"), "{err}");
    assert!(out.contains("Reply 10.0.0.4 is-at 02:00:00:00:01:04"), "{out}");
}

#[test]
fn probe_to_an_ipv6_group_is_answered_by_the_member_that_owns_the_ip() {
    if !common::netns::privileged("probe_to_an_ipv6_group_is_answered_by_the_member_that_owns_the_ip") {
        return;
    }
    let lab = GroupLab::new("ff05::100");
    let (o, frames) = lab.probe("ff05::100");
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{err}{out}");
    assert!(err.contains("1 reply from fd00:18::3 (member of ff05::100)"), "{err}");
    assert!(out.contains("Reply 10.0.0.3 is-at 02:00:00:00:01:03"), "{out}");
    // Ethernet 33:33 + the group's low 32 bits, hop limit 1, to ff05::100.
    let group: [u8; 16] = "ff05::100".parse::<std::net::Ipv6Addr>().expect("v6").octets();
    let us: [u8; 16] = "fd00:18::1".parse::<std::net::Ipv6Addr>().expect("v6").octets();
    let sent: Vec<&Vec<u8>> = frames
        .iter()
        .filter(|f| f.get(22..38) == Some(&us[..]) && f.get(38..54) == Some(&group[..]))
        .collect();
    assert_eq!(sent.len(), 1, "one probe");
    assert_eq!(&sent[0][..6], &[0x33, 0x33, 0, 0, 0x01, 0x00], "group MAC");
    assert_eq!(sent[0][21], 1, "hop limit 1");
}

#[test]
fn the_pre_send_check_refuses_only_what_the_declared_mode_drops() {
    if !common::netns::privileged("the_pre_send_check_refuses_only_what_the_declared_mode_drops") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(4789, &["gbp"]);
    // The mode is unknown: flags 0x88 are sent with a warning, and a gbp device answers them.
    let o = arp_probe(&lab, "100", "10.0.0.2", &["--flags", "0x88"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("warning: a plain Linux device drops this frame"), "{err}");
    assert!(text(&o.stdout).contains("Reply 10.0.0.2 is-at"), "{}", text(&o.stdout));
    // Declared gbp: no warning at all; a GBP frame with the D bit is answered too.
    let o = arp_probe(&lab, "100", "10.0.0.2", &["--vtep-gbp", "--gbp", "42", "--gbp-dont-learn"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("warning"), "{err}");
    // Declared plain: refused before sending, with the reason, in one line.
    let o = arp_probe(&lab, "100", "10.0.0.2", &["--vtep-plain", "--gbp", "42"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("would drop this frame: the G bit (0x80)") && err.contains("--force"), "{err}");
    // What every device drops (the I bit clear) is refused whatever the mode.
    let o = arp_probe(&lab, "100", "10.0.0.2", &["--flags", "0x00"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("the I flag is clear"), "{}", text(&o.stderr));
}

#[test]
fn replay_follows_the_captures_timing_unless_rate_is_given() {
    if !common::netns::privileged("replay_follows_the_captures_timing_unless_rate_is_given") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(4789, &[]);
    // Three ARP requests 0.4 s apart in the capture (timestamps 100.0, 100.4, 100.8).
    let path = std::env::temp_dir().join(format!("vxi{}replay-timing.pcap", std::process::id()));
    let file = std::fs::File::create(&path).expect("create");
    let mut w = vxwire::capture::CaptureWriter::new(file, vxwire::dissect::LinkType::Ethernet).expect("pcap");
    for k in 0..3u8 {
        let mut buf = [0u8; 64];
        let spec = vxwire::build::ArpSpec::request(
            MacAddr([2, 0, 0, 0, 0, 0x20 + k]),
            [10, 0, 0, 20 + k].into(),
            [10, 0, 0, 2].into(),
        );
        let n = vxwire::build::arp(&mut buf, &spec).expect("arp");
        w.write(vxwire::Timestamp::from_micros(100, u32::from(k) * 400_000), &buf[..n]).expect("write");
    }
    drop(w);
    let p = path.to_str().expect("path");
    let gaps = |extra: &[&str]| -> Vec<i64> {
        let cap = Tcpdump::start(&lab.inj, "veth0", "udp port 4789 and src host 198.18.0.1");
        let mut args = vec!["-i", "veth0", "--vtep", VTEP_IP, "--vni", "100"];
        args.extend(extra);
        args.extend(["replay", p]);
        let o = lab.vxinject(&args);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        std::thread::sleep(std::time::Duration::from_millis(200));
        let mut cap = cap;
        let times = tcpdump_times(&lab.inj, cap.halt().to_str().expect("path"));
        assert_eq!(times.len(), 3, "{times:?}");
        times.windows(2).map(|w| w[1] - w[0]).collect()
    };
    let own = gaps(&[]);
    assert!(own.iter().all(|g| (g - 400_000).abs() < 60_000), "gaps of the capture, 0.4 s: {own:?} µs");
    let fast = gaps(&["--rate", "0"]);
    assert!(fast.iter().all(|g| *g < 60_000), "--rate 0 overrides: {fast:?} µs");
    let _ = std::fs::remove_file(&path);
}

/// tcpdump's `-tt` times of a capture, in microseconds, read inside `ns`.
fn tcpdump_times(ns: &Netns, path: &str) -> Vec<i64> {
    ns.sh("tcpdump", &["-nn", "-tt", "-r", path])
        .lines()
        .filter_map(|l| l.split_once(' ')?.0.split_once('.').map(|(s, u)| (s.to_string(), u.to_string())))
        .filter_map(|(s, u)| Some(s.parse::<i64>().ok()? * 1_000_000 + u.parse::<i64>().ok()?))
        .collect()
}

/// tcpdump -nn -e's text of each packet of a capture (first line and the inner lines after it).
fn tcpdump_packets(path: &std::path::Path) -> Vec<String> {
    let out = run_tcpdump(&["-nn", "-e", "-tt", "-r", path.to_str().expect("path")]);
    let mut v: Vec<String> = Vec::new();
    for l in out.lines() {
        // A packet starts with its epoch time (SECONDS.MICROS); inner lines with a MAC address.
        let stamp = l.split(' ').next().and_then(|t| t.split_once('.'));
        if stamp.is_some_and(|(s, u)| !s.is_empty() && s.bytes().chain(u.bytes()).all(|b| b.is_ascii_digit()))
        {
            v.push(String::new());
        }
        if let Some(p) = v.last_mut() {
            p.push_str(l);
            p.push('\n');
        }
    }
    v
}

fn run_tcpdump(args: &[&str]) -> String {
    let o = Command::new("tcpdump").args(args).output().expect("tcpdump");
    text(&o.stdout)
}

#[test]
fn probes_match_the_kernels_answers_as_tcpdump_reads_them() {
    use vxwire::dissect::Header;
    use vxwire::inject::Expect;
    if !common::require(Command::new("tcpdump").arg("--version").output().is_ok(), "tcpdump") {
        return;
    }
    // A kernel VTEP pair's ARP and ping, captured with tcpdump; the probes are taken from the
    // requests in it, the answers judged by tcpdump's text of each packet.
    let path = common::testdata("vxlan-4789-p2p.pcap");
    let frames = common::frames(&path);
    let texts = tcpdump_packets(&path);
    assert_eq!(frames.len(), texts.len());
    let mut probes: Vec<(Expect, String, String)> = Vec::new();
    for f in &frames {
        let d = f.dissect();
        let Some(vni) = d.vxlan().map(|v| v.vni().get()) else { continue };
        let inner = |g: &dyn Fn(&Header<'_>) -> Option<Expect>| {
            d.layers().filter(|l| l.depth == 1).find_map(|l| g(&l.header))
        };
        let mac = |m: [u8; 6]| common::mac_str(&m);
        let found = inner(&|h| match h {
            Header::Arp(a) if a.operation().0 == 1 => Some(Expect::ArpReply {
                vni,
                asker: a.sender_hw_addr().try_into().ok()?,
                target: <[u8; 4]>::try_from(a.target_protocol_addr()).ok()?.into(),
            }),
            Header::Icmpv4(i) => match i.icmp_type() {
                etherparse::Icmpv4Type::EchoRequest(e) => {
                    let ip = d.layers().find_map(|l| match &l.header {
                        Header::Ipv4(ip) if l.depth == 1 => Some((ip.source_addr(), ip.destination_addr())),
                        _ => None,
                    })?;
                    Some(Expect::EchoReply { vni, from: ip.1, to: ip.0, id: e.id, seq: e.seq })
                }
                _ => None,
            },
            _ => None,
        });
        let Some(e) = found else { continue };
        let (needle, also) = match e {
            Expect::ArpReply { asker, target, .. } => {
                (format!("Reply {target} is-at"), format!("> {}, ethertype ARP", mac(asker.into())))
            }
            Expect::EchoReply { from, to, id, seq, .. } => {
                (format!("{from} > {to}: ICMP echo reply, id {id}, seq {seq},"), format!("vni {vni}"))
            }
            Expect::Frame { .. } => unreachable!(),
        };
        if !probes.iter().any(|(p, _, _)| *p == e) {
            probes.push((e, needle, also));
        }
        // Any frame to the requester's MAC in the VNI, as raw and replay probes are answered.
        let src = d.layers().find_map(|l| match &l.header {
            Header::Ethernet(eth) if l.depth == 1 => Some(eth.source()),
            _ => None,
        });
        if let Some(src) = src {
            let e = Expect::Frame { vni, mac: MacAddr(src) };
            if !probes.iter().any(|(p, _, _)| *p == e) {
                probes.push((e, format!(" > {}, ethertype", mac(src)), format!("vni {vni}")));
            }
        }
    }
    assert!(
        probes.iter().any(|(p, ..)| matches!(p, Expect::ArpReply { .. })),
        "an ARP request in the capture"
    );
    assert!(probes.iter().filter(|(p, ..)| matches!(p, Expect::EchoReply { .. })).count() >= 2, "pings");
    for (e, needle, also) in &probes {
        let ours: Vec<usize> = frames
            .iter()
            .enumerate()
            .filter(|(_, f)| e.answered_by(&f.dissect()))
            .map(|(i, _)| i + 1)
            .collect();
        let theirs: Vec<usize> = texts
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                let inner: String = t.lines().skip(1).collect::<Vec<_>>().join("\n");
                t.lines().next().is_some_and(|l| l.contains(" VXLAN, "))
                    && inner.contains(needle.as_str())
                    && t.contains(also.as_str())
            })
            .map(|(i, _)| i + 1)
            .collect();
        assert!(!theirs.is_empty(), "{e}: the capture holds its answer");
        assert_eq!(ours, theirs, "{e}: packets answering it");
    }
}

#[test]
fn every_echo_of_an_unpaced_burst_is_one_answer() {
    if !common::netns::privileged("every_echo_of_an_unpaced_burst_is_one_answer") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(4789, &[]);
    // The VTEP knows the pinger's inner MAC, so its replies need no ARP of their own.
    lab.vtep.ip(&["neigh", "add", INNER_IP, "lladdr", INNER_MAC, "dev", "vxlan0", "nud", "permanent"]);
    // 200 requests at once (under the 256 a veth ring holds): each sequence number answered once,
    // and waiting ends at the last.
    let mut args =
        vec!["-i", "veth0", "--vtep", VTEP_IP, "--vni", "100", "--wait", "10", "-c", "200", "--rate", "0"];
    args.extend([
        "ping",
        "--src-mac",
        INNER_MAC,
        "--dst-mac",
        VXLAN_MAC,
        "--src-ip",
        INNER_IP,
        "--dst-ip",
        "10.0.0.2",
    ]);
    let t = std::time::Instant::now();
    let o = lab.vxinject(&args);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(t.elapsed() < std::time::Duration::from_secs(8), "stops when all are answered");
    assert!(err.contains("200 replies from 198.18.0.2"), "{err}");
    let mut seqs: Vec<u16> = out
        .lines()
        .filter_map(|l| l.split("ICMP echo reply, id 30840, seq ").nth(1))
        .filter_map(|r| r.split(',').next()?.parse().ok())
        .collect();
    seqs.sort();
    assert_eq!(seqs, (1..=200).collect::<Vec<u16>>());
}
