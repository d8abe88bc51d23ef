//! The summary's receive rules against a live kernel VTEP: frames of every kind the summary
//! judges (accepted, I bit clear, a reserved bit, GBP to a plain device, a VNI the device lacks,
//! a multicast inner source, the device's own MAC as inner source, an odd source port) are sent
//! one at a time to a plain `vxlan0` (VNI 100) in a namespace and captured on its underlay. The
//! kernel's verdict on each is its device counter (`rx_packets`) and, in the end, its learned
//! `bridge fdb show`; the summary of the capture, as that VTEP (`--vtep ADDR,vni=100` with its
//! MAC), must learn exactly what the kernel learned, and report a drop problem for exactly the
//! frames any kernel VTEP drops (its header, a multicast inner source). Needs root; see `common::netns::privileged`.
#![cfg(feature = "cli")]

mod common;

use common::netns::{Lab, Tcpdump, VTEP_IP, VTEP_MAC, VXLAN_MAC};
use std::collections::BTreeSet;
use vxwire::summary::{Summary, SummaryConfig, VtepView};

/// One probe: its inner sender MAC (unique, so the fdb says whether it was learned) and the
/// vxinject options that make it what it is.
struct Probe {
    mac: &'static str,
    args: &'static [&'static str],
    /// Whether the summary must flag it as a problem: a frame every Linux VTEP drops, whatever
    /// its settings (a VNI it lacks, or its own MAC as inner source, depend on the device: those
    /// only the VTEP view judges).
    header_drop: bool,
}

const PROBES: &[Probe] = &[
    Probe { mac: "02:00:00:00:aa:01", args: &[], header_drop: false },
    Probe { mac: "02:00:00:00:aa:02", args: &["--flags", "0x00", "--force"], header_drop: true },
    Probe { mac: "02:00:00:00:aa:03", args: &["--flags", "0x09", "--force"], header_drop: true },
    Probe { mac: "02:00:00:00:aa:04", args: &["--gbp", "42"], header_drop: true },
    Probe { mac: "02:00:00:00:aa:05", args: &["--vni", "101"], header_drop: false },
    Probe { mac: "02:00:00:00:aa:06", args: &["--src-port", "1000"], header_drop: false },
    Probe { mac: "01:00:5e:00:00:07", args: &["--force"], header_drop: true },
    Probe { mac: VXLAN_MAC, args: &["--force"], header_drop: false },
    Probe { mac: "02:00:00:00:aa:09", args: &["--gbp", "7", "--gbp-dont-learn"], header_drop: true },
];

#[test]
fn the_summary_learns_and_drops_what_the_kernel_learned_and_dropped() {
    if !common::netns::privileged("the_summary_learns_and_drops_what_the_kernel_learned_and_dropped") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(4789, &[]);
    let mut cap = Tcpdump::start(&lab.vtep, "veth0", "udp port 4789");
    let mut accepted = BTreeSet::new();
    for (k, p) in PROBES.iter().enumerate() {
        let before = lab.vtep.stat("vxlan0", "rx_packets");
        let sender_ip = format!("10.0.0.{}", 100 + k);
        let mut args = vec!["-i", "veth0", "--vtep", VTEP_IP, "--vtep-mac", VTEP_MAC];
        if !p.args.contains(&"--vni") {
            args.extend(["--vni", "100"]);
        }
        args.extend(p.args);
        args.extend([
            "arp-request",
            "--sender-mac",
            p.mac,
            "--sender-ip",
            &sender_ip,
            "--target-ip",
            "10.0.0.99",
        ]);
        let o = lab.vxinject(&args);
        assert!(o.status.success(), "{}: {}", p.mac, String::from_utf8_lossy(&o.stderr));
        std::thread::sleep(std::time::Duration::from_millis(150));
        if lab.vtep.stat("vxlan0", "rx_packets") > before {
            accepted.insert(p.mac);
        }
    }
    let path = cap.halt().to_path_buf();
    let fdb = lab.vtep.sh("bridge", &["fdb", "show", "dev", "vxlan0"]);
    let kernel: BTreeSet<String> = fdb
        .lines()
        .filter(|l| l.contains(" dst ") && !l.contains("permanent"))
        .map(|l| l.trim().to_string())
        .collect();
    // The kernel took the plain frames (and the odd source port), dropped the rest.
    let want: BTreeSet<&str> = ["02:00:00:00:aa:01", "02:00:00:00:aa:06"].into();
    assert_eq!(accepted, want, "the kernel's verdicts (rx_packets); fdb: {fdb}");

    let mut v = VtepView::default();
    v.add_spec(&format!("{VTEP_IP},vni=100")).unwrap();
    v.macs.push(common::mac(VXLAN_MAC));
    let config = SummaryConfig { vtep: Some(v), keep_packets: 64, ..SummaryConfig::default() };
    let mut r =
        vxwire::capture::CaptureReader::new(std::io::BufReader::new(std::fs::File::open(&path).unwrap()))
            .unwrap();
    let mut s = Summary::new(config);
    vxwire::summary::add_capture(&mut s, &mut r, &vxwire::dissect::Config::default()).unwrap();
    let ours: BTreeSet<String> =
        s.fdb().iter().map(|((_, m), e)| format!("{} dst {} self", common::mac_str(&m.0), e.dst)).collect();
    assert_eq!(ours, kernel, "learned as the kernel did");
    assert_eq!(kernel.len(), 2, "{fdb}");

    // Drop problems name exactly the frames any kernel VTEP drops (its header, a multicast inner source).
    let frames = common::frames(&path.clone());
    let mac_of_packet = |n: u64| {
        let f = &frames[(n - 1) as usize];
        let d = f.dissect();
        let inner = d.layers().filter(|l| l.depth == 1).find_map(|l| match &l.header {
            vxwire::dissect::Header::Ethernet(e) => Some(common::mac_str(&e.source())),
            _ => None,
        });
        inner.unwrap_or_default()
    };
    let flagged: BTreeSet<String> = s
        .problems()
        .iter()
        .filter(|(k, _)| k.is_drop())
        .flat_map(|(_, p)| p.first.clone())
        .map(mac_of_packet)
        .collect();
    let header: BTreeSet<String> =
        PROBES.iter().filter(|p| p.header_drop).map(|p| p.mac.to_string()).collect();
    assert_eq!(flagged, header);
    for m in &header {
        assert!(!accepted.contains(m.as_str()), "{m}: flagged, but the kernel took it");
    }
    let nl = s.not_learned();
    // Dropped by this VTEP: every probe the kernel did not take, except those it never saw as
    // its own (none here: all went to its address).
    assert_eq!(nl.dropped, (PROBES.len() - accepted.len()) as u64, "{nl:?}");
}
