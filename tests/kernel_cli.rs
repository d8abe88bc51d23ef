//! `vxinject` end to end against a kernel VTEP: `--udp` and `-w` without privileges, `--wait`
//! exit statuses, `replay`, and its one-line errors. The error tests need no root; the others do.
#![cfg(feature = "cli")]

mod common;

use common::netns::{Lab, Tcpdump, INJ_IP, OVERLAY_IP, VTEP_IP, VTEP_MAC};
use common::{from_vtep, inner_arps, parse, INNER_IP, INNER_MAC};
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use vxwire::capture::{CaptureReader, CaptureWriter};
use vxwire::dissect::LinkType;
use vxwire::MacAddr;

const ARP: [&str; 7] =
    ["arp-request", "--sender-mac", INNER_MAC, "--sender-ip", INNER_IP, "--target-ip", OVERLAY_IP];
const EXE: &str = env!("CARGO_BIN_EXE_vxinject");

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs vxinject in the injector namespace as user nobody (no capabilities at all).
fn as_nobody(lab: &Lab, args: &[&str]) -> Output {
    let mut all = vec!["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", EXE];
    all.extend(args);
    lab.inj.output("setpriv", &all)
}

fn temp_path(tag: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("vxi{}{tag}.pcap", std::process::id()))
}

#[test]
fn udp_mode_needs_no_privileges_and_gets_the_answer() {
    if !common::netns::privileged("udp_mode_needs_no_privileges_and_gets_the_answer") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(4789, &[]);
    let cap = Tcpdump::start(&lab.inj, "veth0", "udp port 4789");
    let mut args = vec!["-i", "veth0", "--vtep", VTEP_IP, "--vni", "100", "--udp", "--wait", "3"];
    args.extend(ARP);
    let o = as_nobody(&lab, &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // One answer, printed as tcpdump -v would: a timestamped first line, the VXLAN line, the ARP.
    let out = text(&o.stdout);
    let first_lines = out.lines().filter(|l| l.starts_with(|c: char| c.is_ascii_digit())).count();
    assert_eq!(first_lines, 1, "one answer printed: {out}");
    assert!(out.contains("VXLAN, flags [I] (0x08), vni 100"), "{out}");
    assert!(out.contains(&format!("ARP, Ethernet (len 6), IPv4 (len 4), Reply {OVERLAY_IP} is-at")), "{out}");
    assert!(text(&o.stderr).contains("1 reply from 198.18.0.2"), "{}", text(&o.stderr));
    let frames = cap.stop();
    // What the kernel sent for us: VXLAN VNI 100 from the injector's address with our ARP request.
    let ours: Vec<&[u8]> = from_vtep(&frames, INJ_IP);
    assert_eq!(ours.len(), 1);
    assert_eq!(parse(ours[0]).vxlan().expect("VXLAN").vni().get(), 100);
    assert_eq!(
        inner_arps(&ours)[0],
        (1, INNER_MAC.to_string(), INNER_IP.to_string(), OVERLAY_IP.to_string())
    );
    let replies = inner_arps(&from_vtep(&frames, VTEP_IP));
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].0, 2);
}

#[test]
fn write_mode_needs_no_privileges_and_tcpdump_reads_it() {
    if !common::netns::privileged("write_mode_needs_no_privileges_and_tcpdump_reads_it") {
        return;
    }
    let lab = Lab::new();
    let path = temp_path("w");
    let p = path.to_str().expect("path");
    let _ = std::fs::remove_file(&path);
    let mut args = vec!["-i", "veth0", "--vtep", VTEP_IP, "--vtep-mac", VTEP_MAC, "--vni", "100"];
    args.extend(["-c", "3", "--rate", "100", "-w", p]);
    args.extend(ARP);
    let o = as_nobody(&lab, &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    // tcpdump, the reference decoder, reads what we wrote.
    let td = Command::new("tcpdump").args(["-nn", "-r", p]).output().expect("tcpdump");
    let out = text(&td.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 6, "{out}{}", text(&td.stderr));
    for pair in lines.chunks(2) {
        assert!(
            pair[0].contains("IP 198.18.0.1.")
                && pair[0].contains("> 198.18.0.2.4789: VXLAN, flags [I] (0x08), vni 100"),
            "{out}"
        );
        assert!(pair[1].contains("ARP, Request who-has 10.0.0.2 tell 10.0.0.1"), "{out}");
    }
    // Timestamps are paced at 100 frames/s without waiting; vxdump decodes the file too.
    let mut r = CaptureReader::new(std::fs::File::open(&path).expect("capture")).expect("pcap");
    let mut ts = Vec::new();
    while let Some(pkt) = r.next_packet() {
        let pkt = pkt.expect("record");
        ts.push(pkt.ts.secs() * 1_000_000 + i64::from(pkt.ts.micros()));
    }
    assert!(ts.windows(2).all(|w| (w[1] - w[0] - 10_000).abs() <= 1), "{ts:?}");
    let vxdump = Command::new(env!("CARGO_BIN_EXE_vxdump")).arg(p).output().expect("vxdump");
    assert!(vxdump.status.success(), "{}", text(&vxdump.stderr));
    assert_eq!(
        text(&vxdump.stdout).lines().filter(|l| l.contains("VXLAN")).count(),
        3,
        "{}",
        text(&vxdump.stdout)
    );
    let _ = std::fs::remove_file(&path);

    // Raw mode without CAP_NET_RAW fails with one line that says what to do instead.
    let mut args = vec!["-i", "veth0", "--vtep", VTEP_IP];
    args.extend(ARP);
    let o = as_nobody(&lab, &args);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("vxinject: veth0: ") && err.contains("CAP_NET_RAW") && err.contains("--udp"),
        "{err}"
    );
}

#[test]
fn wait_exit_status_says_whether_the_vtep_answered() {
    if !common::netns::privileged("wait_exit_status_says_whether_the_vtep_answered") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(4789, &[]);
    let mut args = vec!["-i", "veth0", "--vtep", VTEP_IP, "--vni", "100", "--wait", "3"];
    args.extend(ARP);
    let t = Instant::now();
    let o = lab.vxinject(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(t.elapsed() < Duration::from_secs(2), "stops waiting at the answer");
    assert!(text(&o.stdout).contains("ARP"), "the answer is printed: {}", text(&o.stdout));

    // VNI 101 is served by nobody: the kernel stays silent and the exit status is 1.
    args[5] = "101";
    args[7] = "1";
    let t = Instant::now();
    let o = lab.vxinject(&args);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(t.elapsed() >= Duration::from_secs(1));
    assert_eq!(text(&o.stdout), "");
    assert!(text(&o.stderr).contains("0 replies"), "{}", text(&o.stderr));
}

#[test]
fn replay_encapsulates_each_frame_of_a_capture() {
    if !common::netns::privileged("replay_encapsulates_each_frame_of_a_capture") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(4789, &[]);
    // Two inner ARP requests, from two hosts, in a capture file.
    let path = temp_path("r");
    let mut w =
        CaptureWriter::new(std::fs::File::create(&path).expect("create"), LinkType::Ethernet).expect("pcap");
    for (mac, ip) in [([2, 0, 0, 0, 0, 0x11], [10, 0, 0, 11]), ([2, 0, 0, 0, 0, 0x12], [10, 0, 0, 12])] {
        let mut buf = [0u8; 64];
        let spec = vxwire::build::ArpSpec::request(MacAddr(mac), ip.into(), [10, 0, 0, 2].into());
        let n = vxwire::build::arp(&mut buf, &spec).expect("arp");
        w.write(Default::default(), &buf[..n]).expect("write");
    }
    drop(w);
    let cap = Tcpdump::start(&lab.inj, "veth0", "udp port 4789");
    let o = lab.vxinject(&[
        "-i",
        "veth0",
        "--vtep",
        VTEP_IP,
        "--vni",
        "100",
        "--rate",
        "0",
        "--wait",
        "2",
        "replay",
        path.to_str().expect("path"),
    ]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    std::thread::sleep(Duration::from_millis(200));
    let frames = cap.stop();
    let mut targets: Vec<String> =
        inner_arps(&from_vtep(&frames, VTEP_IP)).into_iter().filter(|a| a.0 == 2).map(|a| a.3).collect();
    targets.sort();
    assert_eq!(targets, vec!["10.0.0.11", "10.0.0.12"]);
}

#[test]
fn errors_are_one_line_with_exit_status() {
    // None of these reaches the network: parsing and interface lookup fail first.
    let cases: [(&[&str], i32, &str); 8] = [
        (&["-i", "lo", "--vtep", "198.18.0.2", "--port", "0"], 2, "port 0 is not a UDP port"),
        (&["-i", "lo", "--vtep", "198.18.0.2", "--src-port", "0"], 2, "--src-port <PORT>': port 0"),
        (&["-i", "lo", "--vtep", "198.18.0.2", "--gbp-dont-learn"], 2, "not provided: --gbp <ID>"),
        (&["-i", "vxi-no-such0", "--vtep", "198.18.0.2"], 1, "vxi-no-such0: no such interface"),
        (&["-i", "lo", "--vtep", "198.18.0.2", "--vni", "16777216"], 2, "16777215"),
        (&["-i", "lo", "--vtep", "198.18.0.300"], 2, "198.18.0.300"),
        (&["-i", "lo", "--vtep", "198.18.0.2", "raw", "--hex", "0g"], 2, "malformed hex"),
        (
            &[
                "-i",
                "lo",
                "--vtep",
                "198.18.0.2",
                "garp",
                "--sender-mac",
                "02:00:00:00:00",
                "--sender-ip",
                "10.0.0.1",
            ],
            2,
            "malformed MAC",
        ),
    ];
    for (args, code, needle) in cases {
        let mut all = args.to_vec();
        if !all.contains(&"raw") && !all.contains(&"garp") {
            all.extend(ARP);
        }
        let o = Command::new(EXE).args(&all).output().expect("vxinject");
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("vxinject: ") && err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn no_arp_answer_is_a_clear_error() {
    if !common::netns::privileged("no_arp_answer_is_a_clear_error") {
        return;
    }
    let lab = Lab::new();
    let mut args = vec!["-i", "veth0", "--vtep", "198.18.0.9"];
    args.extend(ARP);
    let o = lab.vxinject(&args);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.trim_end(), "vxinject: no ARP answer for 198.18.0.9 on veth0 after 3 tries (is the VTEP on-link? give its MAC with --vtep-mac)");
}
