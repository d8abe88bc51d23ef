//! The summary on kernel captures taken as people take them (testdata/offload/, made by
//! testdata/gen/make-offload-captures.sh with checksum offload as the kernel sets it), judged by
//! what the kernel itself recorded at capture time and by tshark and tcpdump on the same bytes:
//!
//! - for every VTEP of every capture, `--summary --vtep ADDR,SETTINGS` learns exactly the
//!   entries of that VTEP's `bridge fdb show` that the capture shows evidence for (a VXLAN frame
//!   to it, or to its group, with that inner source MAC from that outer source, as tshark
//!   decodes it), and no other;
//! - the frames tcpdump calls `bad udp cksum` are exactly those the summary counts as offload,
//!   and none of them is a problem;
//! - the kernel learns from GBP frames with the D bit (the gbp capture has no other frames from
//!   B), and so does the summary by default.
#![cfg(feature = "cli")]

mod common;

use std::collections::BTreeSet;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::Command;
use vxwire::capture::CaptureReader;
use vxwire::dissect::Config;
use vxwire::summary::{add_capture, Summary, SummaryConfig, VtepView};
use vxwire::MacAddr;

const OFFLOAD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/offload/");

/// One line of vteps.txt: role, underlay address, settings (`-` for none), device, device MAC.
struct Vtep {
    role: String,
    addr: String,
    settings: String,
    mac: String,
}

fn scenarios() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(OFFLOAD).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    v.sort();
    assert!(v.len() >= 9, "{v:?}");
    v
}

fn vteps(dir: &Path) -> Vec<Vtep> {
    std::fs::read_to_string(dir.join("vteps.txt"))
        .unwrap()
        .lines()
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            Vtep { role: w[0].into(), addr: w[1].into(), settings: w[2].into(), mac: w[4].into() }
        })
        .collect()
}

impl Vtep {
    /// The `--vtep` argument: address plus the device's non-default settings.
    fn spec(&self) -> String {
        if self.settings == "-" {
            self.addr.clone()
        } else {
            format!("{},{}", self.addr, self.settings)
        }
    }
    fn view(&self) -> VtepView {
        let mut v = VtepView::default();
        v.add_spec(&self.spec()).unwrap();
        v.macs.push(common::mac(&self.mac));
        v
    }
}

/// The learned (not `permanent`) entries of a VTEP's recorded `bridge fdb show`, trimmed: the
/// vxlan device's own (`dst ... self`), not a bridge's (`master br0`).
fn kernel_fdb(dir: &Path, role: &str) -> BTreeSet<String> {
    std::fs::read_to_string(dir.join(format!("{role}.fdb")))
        .unwrap()
        .lines()
        .filter(|l| !l.split_whitespace().any(|w| w == "permanent") && l.contains(" dst "))
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

fn summarize(path: &Path, config: SummaryConfig) -> Summary {
    let mut r = CaptureReader::new(BufReader::new(File::open(path).unwrap())).unwrap();
    let mut s = Summary::new(config);
    add_capture(&mut s, &mut r, &Config::default()).unwrap();
    s
}

fn learned(s: &Summary) -> BTreeSet<String> {
    s.fdb().iter().map(|((_, m), e)| format!("{} dst {} self", m, e.dst)).collect()
}

/// Runs tshark; `None` (with a printed reason) when it is missing outside CI.
fn tshark(args: &[&str]) -> Option<String> {
    let o = Command::new("tshark").args(args).output();
    let ok = matches!(&o, Ok(o) if o.status.success());
    if !common::require(ok, "tshark") {
        return None;
    }
    Some(String::from_utf8(o.unwrap().stdout).unwrap())
}

/// One VXLAN frame as tshark decodes it: outer source, outer destination, inner source MAC.
struct Frame {
    src: String,
    dst: String,
    inner_mac: String,
}

fn tshark_frames(cap: &Path) -> Option<Vec<Frame>> {
    let path = cap.to_str().unwrap();
    let fields = ["frame.protocols", "eth.src", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst"];
    let mut args = vec!["-r", path, "-d", "udp.port==8472,vxlan", "-Y", "vxlan", "-T", "fields"];
    args.extend(["-E", "occurrence=a", "-E", "aggregator=,"]);
    for f in &fields {
        args.extend(["-e", f]);
    }
    let out = tshark(&args)?;
    let mut v = Vec::new();
    for l in out.lines() {
        let c: Vec<&str> = l.split('\t').collect();
        let first = |s: &str| s.split(',').next().unwrap_or("").to_string();
        let v6 = c[0].starts_with("eth:ethertype:ipv6");
        let (src, dst) = if v6 { (first(c[4]), first(c[5])) } else { (first(c[2]), first(c[3])) };
        let inner_mac = c[1].split(',').nth(1).unwrap_or("").to_string();
        v.push(Frame { src, dst, inner_mac });
    }
    Some(v)
}

/// The kernel's entries of `v` that the capture shows evidence for: a frame to the VTEP (or to
/// a multicast group) from that entry's destination, with that inner source MAC.
fn evidenced(kernel: &BTreeSet<String>, frames: &[Frame], v: &Vtep) -> BTreeSet<String> {
    kernel
        .iter()
        .filter(|line| {
            let w: Vec<&str> = line.split_whitespace().collect();
            let (mac, dst) = (w[0], w[2]);
            frames.iter().any(|f| {
                let to_it = f.dst == v.addr || f.dst.parse::<std::net::IpAddr>().unwrap().is_multicast();
                to_it && f.src == dst && f.inner_mac == mac
            })
        })
        .cloned()
        .collect()
}

#[test]
fn every_vteps_learned_table_is_the_kernels_where_the_capture_shows_it() {
    let mut checked = 0;
    let mut learned_total = 0;
    for dir in scenarios() {
        let cap = dir.join("capture.pcap");
        let Some(frames) = tshark_frames(&cap) else { return };
        for v in vteps(&dir) {
            let kernel = kernel_fdb(&dir, &v.role);
            let expected = evidenced(&kernel, &frames, &v);
            let s = summarize(&cap, SummaryConfig { vtep: Some(v.view()), ..SummaryConfig::default() });
            let ours = learned(&s);
            assert_eq!(
                ours,
                expected,
                "{} VTEP {} ({}); kernel: {kernel:?}",
                dir.display(),
                v.role,
                v.spec()
            );
            checked += 1;
            learned_total += ours.len();
        }
    }
    // 2 + 2 + 3 + 2 + 2 + 3 + 3 + 3 + 2 VTEPs; most of them learned something the capture shows.
    assert_eq!(checked, 22);
    assert!(learned_total >= 18, "{learned_total}");
}

#[test]
fn the_cli_prints_the_same_entries_with_the_vtep_settings() {
    for dir in scenarios() {
        let cap = dir.join("capture.pcap");
        for v in vteps(&dir) {
            let o = Command::new(env!("CARGO_BIN_EXE_vxdump"))
                .args(["--summary", "--vtep", &v.spec(), "--vtep-mac", &v.mac])
                .arg(&cap)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let text = String::from_utf8(o.stdout).unwrap();
            let printed: BTreeSet<String> = text
                .lines()
                .filter(|l| l.contains(" dst ") && l.ends_with(" self"))
                .map(str::to_string)
                .collect();
            let lib = summarize(&cap, SummaryConfig { vtep: Some(v.view()), ..SummaryConfig::default() });
            assert_eq!(printed, learned(&lib), "{} {}", dir.display(), v.role);
            let st = v.view().settings_string();
            if !st.is_empty() {
                assert!(text.contains(&format!("({st})")), "{text}");
            }
        }
    }
}

#[test]
fn nolearning_devices_learn_nothing_though_the_frames_are_accepted() {
    let dir = Path::new(OFFLOAD).join("flannel");
    for v in vteps(&dir) {
        assert!(v.settings.contains("nolearning"));
        assert!(kernel_fdb(&dir, &v.role).is_empty(), "the kernel learned nothing");
        let s = summarize(
            &dir.join("capture.pcap"),
            SummaryConfig { vtep: Some(v.view()), ..Default::default() },
        );
        assert!(s.fdb().is_empty());
        let nl = s.not_learned();
        assert!(nl.nolearning > 0 && nl.dropped == 0, "{nl:?}");
        // Without the setting (a learning device) the same frames would teach it the peer.
        let mut learning = VtepView::default();
        learning.add_spec(&format!("{},vni=1,port=8472", v.addr)).unwrap();
        let s = summarize(
            &dir.join("capture.pcap"),
            SummaryConfig { vtep: Some(learning), ..Default::default() },
        );
        assert_eq!(s.fdb().len(), 1);
    }
}

/// tcpdump -vv's outer `bad udp cksum` lines, as packet numbers.
fn tcpdump_bad_udp(cap: &Path) -> Option<BTreeSet<u64>> {
    // No `-T vxlan`: with a packet type tcpdump skips the UDP checksum check.
    let o = Command::new("tcpdump").args(["-nn", "-vv", "-#", "-r"]).arg(cap).output();
    let ok = matches!(&o, Ok(o) if o.status.success());
    if !common::require(ok, "tcpdump") {
        return None;
    }
    let text = String::from_utf8(o.unwrap().stdout).unwrap();
    let mut n = 0u64;
    let mut bad = BTreeSet::new();
    for l in text.lines() {
        // `    3  07:10:25.024690 IP ...`: a packet's first line, with its number.
        if let Some((num, rest)) = l.trim_start().split_once("  ") {
            if let (Ok(k), Some(b':')) = (num.parse::<u64>(), rest.as_bytes().get(2)) {
                n = k;
            }
        }
        // The outer UDP line carries the VXLAN header (or OTV: tcpdump's name for 8472).
        if l.contains("bad udp cksum") && (l.contains("VXLAN") || l.contains("OTV")) {
            bad.insert(n);
        }
    }
    Some(bad)
}

#[test]
fn what_tcpdump_calls_bad_udp_checksums_is_offload_and_no_problem() {
    let mut partial_total = 0;
    for dir in scenarios() {
        for name in ["capture.pcap", "any-sll2.pcap", "any-sll.pcap"] {
            let cap = dir.join(name);
            if !cap.exists() {
                continue;
            }
            let Some(bad) = tcpdump_bad_udp(&cap) else { return };
            let s = summarize(&cap, SummaryConfig::default());
            assert_eq!(s.offload().partial, bad.len() as u64, "{}", cap.display());
            partial_total += bad.len();
            let real: Vec<_> = s.problems().into_iter().filter(|(k, _)| !k.is_note()).collect();
            assert!(real.is_empty(), "{}: {real:?}", cap.display());
            assert_eq!(s.not_learned().dropped, 0, "{}", cap.display());
        }
    }
    // Every capture but flannel's (noudpcsum) has them: the kernel leaves them to the NIC.
    assert!(partial_total > 100, "{partial_total}");
}

#[test]
fn the_kernel_learns_from_gbp_frames_with_the_d_bit_and_so_does_the_summary() {
    let dir = Path::new(OFFLOAD).join("gbp");
    let cap = dir.join("capture.pcap");
    let path = cap.to_str().unwrap();
    let Some(out) =
        tshark(&["-r", path, "-Y", "vxlan", "-T", "fields", "-e", "ip.src", "-e", "vxlan.flag_d"])
    else {
        return;
    };
    let vs = vteps(&dir);
    let (a, b) = (&vs[0], &vs[1]);
    // Every frame B sent A has the D bit (static neighbours: no ARP, only echo replies).
    let from_b: Vec<&str> = out.lines().filter(|l| l.starts_with(&format!("{},", b.addr))).collect();
    assert!(!from_b.is_empty());
    assert!(from_b.iter().all(|l| l.ends_with("\t1")), "{out}");
    // ... and the kernel learned B from them.
    let kernel = kernel_fdb(&dir, &a.role);
    assert_eq!(kernel.len(), 1, "{kernel:?}");
    let s = summarize(&cap, SummaryConfig { vtep: Some(a.view()), ..SummaryConfig::default() });
    assert_eq!(learned(&s), kernel);
    assert_eq!(s.not_learned().dont_learn_ignored, from_b.len() as u64);
    // As the draft asks (`dont-learn`), nothing would be learned.
    let mut draft = a.view();
    draft.settings.honour_dont_learn = true;
    let s = summarize(&cap, SummaryConfig { vtep: Some(draft), ..SummaryConfig::default() });
    assert!(s.fdb().is_empty());
    // A plain device (no `gbp` setting) drops every G-bit frame and learns nothing.
    let mut plain = VtepView::default();
    plain.add_spec(&a.addr).unwrap();
    let s = summarize(&cap, SummaryConfig { vtep: Some(plain), ..SummaryConfig::default() });
    assert!(s.fdb().is_empty());
    assert_eq!(s.not_learned().dropped, from_b.len() as u64);
}

/// The ARP view of the overlay (VXLAN frames; with `bare`, frames without VXLAN instead).
fn arp_map(s: &Summary, bare: bool) -> BTreeSet<(std::net::Ipv4Addr, MacAddr)> {
    let no_vni = vxwire::summary::NO_VNI;
    s.arp_table()
        .iter()
        .filter(|((v, _), _)| (*v == no_vni) == bare)
        .map(|((_, ip), e)| (*ip, e.mac))
        .collect()
}

#[test]
fn any_captures_learn_once_and_say_per_interface_what_they_saw() {
    let dir = Path::new(OFFLOAD).join("p2p");
    let eth = summarize(&dir.join("capture.pcap"), SummaryConfig::default());
    for name in ["any-sll2.pcap", "any-sll.pcap"] {
        let cap = dir.join(name);
        let s = summarize(&cap, SummaryConfig::default());
        // The same traffic as on the underlay NIC alone, although every overlay packet is in
        // the file twice (u0 and vxlan100): the same table, ARP view and VXLAN count.
        assert_eq!(learned(&s), learned(&eth), "{name}");
        assert_eq!(arp_map(&s, false), arp_map(&eth, false), "{name}");
        assert_eq!(arp_map(&eth, false).len(), 2);
        let no_vni = vxwire::summary::NO_VNI;
        assert!(s.arp_table().iter().all(|((v, _), e)| *v == no_vni || e.packets == 1), "{name}");
        assert_eq!(s.totals().1.packets, eth.totals().1.packets, "{name}");
        assert!(s.bare_frames() > 0);
        // Directions as tshark reads the cooked header's packet type (4 = outgoing).
        let path = cap.to_str().unwrap();
        let Some(out) = tshark(&["-r", path, "-T", "fields", "-e", "sll.pkttype"]) else { return };
        let outgoing = out.lines().filter(|l| l.trim() == "4").count() as u64;
        let (mut ins, mut outs, mut pkts) = (0, 0, 0);
        for (_, st) in s.interfaces().iter() {
            ins += st.inbound;
            outs += st.outbound;
            pkts += st.packets;
        }
        assert_eq!(outs, outgoing, "{name}");
        assert_eq!(ins + outs, pkts, "{name}");
        assert_eq!(pkts, s.totals().0.packets);
    }
    // SLL2 names interfaces by index: the underlay carries the VXLAN, the vxlan device none.
    let s = summarize(&dir.join("any-sll2.pcap"), SummaryConfig::default());
    let ifs: Vec<_> = s.interfaces().iter().map(|(_, st)| (st.packets, st.vxlan)).collect();
    assert_eq!(ifs.len(), 2, "{ifs:?}");
    let vx = s.totals().1.packets;
    assert!(ifs.iter().any(|(_, v)| *v == vx) && ifs.iter().any(|(p, v)| *v == 0 && *p > 0), "{ifs:?}");
}

#[test]
fn a_capture_on_the_vxlan_device_gives_the_views_and_says_there_is_nothing_to_learn() {
    let dir = Path::new(OFFLOAD).join("p2p");
    let eth = summarize(&dir.join("capture.pcap"), SummaryConfig::default());
    let s = summarize(&dir.join("vxlan-dev.pcap"), SummaryConfig::default());
    assert_eq!(s.totals().1.packets, 0);
    assert!(s.fdb().is_empty());
    assert_eq!(arp_map(&s, true), arp_map(&eth, false));
    assert!(s.arp_table().iter().all(|((v, _), _)| *v == vxwire::summary::NO_VNI));
    let mut text = Vec::new();
    s.write_text(&mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("no outer header to learn from"), "{text}");
    assert!(text.contains("vni -:\n  10.110.0.1 is-at 02:00:00:00:10:01"), "{text}");
    // The same capture through the CLI.
    let o = Command::new(env!("CARGO_BIN_EXE_vxdump"))
        .arg("--summary")
        .arg(dir.join("vxlan-dev.pcap"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(o.stdout).unwrap(), text);
}

#[test]
fn ipv6_group_mode_joins_are_in_the_multicast_view_as_tshark_reads_them() {
    let cap = Path::new(OFFLOAD).join("mcast6-group/capture.pcap");
    let path = cap.to_str().unwrap();
    let fields = ["ipv6.src", "icmpv6.mldr.mar.multicast_address", "icmpv6.mldr.mar.record_type"];
    let mut args = vec!["-r", path, "-Y", "icmpv6.type==143", "-T", "fields"];
    for f in &fields {
        args.extend(["-e", f]);
    }
    let Some(out) = tshark(&args) else { return };
    // (host, group) -> records; MLDv2 CHANGE_TO_EXCLUDE (4) joins.
    let mut expected: std::collections::BTreeMap<(String, String), (u64, bool)> = Default::default();
    for l in out.lines() {
        let c: Vec<&str> = l.split('\t').collect();
        let e = expected.entry((c[0].to_string(), c[1].to_string())).or_default();
        let join = matches!(c[2], "2" | "4");
        e.0 += u64::from(join);
        e.1 = join;
    }
    assert_eq!(expected.len(), 3, "{out}");
    let s = summarize(&cap, SummaryConfig::default());
    let ours: std::collections::BTreeMap<(String, String), (u64, bool)> = s
        .underlay_mld()
        .iter()
        .map(|((h, g), m)| ((h.to_string(), g.to_string()), (m.joins, m.member)))
        .collect();
    assert_eq!(ours, expected);
}

#[test]
fn overlay_membership_is_what_the_vteps_bridge_snooped() {
    // Every VTEP whose vxlan device is a bridge port (a container host): the groups its
    // `bridge mdb show` lists on that port are the groups the overlay view has members of.
    let mut bridged = 0;
    for dir in scenarios() {
        for v in vteps(&dir) {
            let link = std::fs::read_to_string(dir.join(format!("{}.link", v.role))).unwrap();
            if !link.contains(" master ") {
                continue;
            }
            bridged += 1;
            let dev = link.split(": ").nth(1).unwrap().split('@').next().unwrap().to_string();
            let mdb: BTreeSet<String> = std::fs::read_to_string(dir.join(format!("{}.mdb", v.role)))
                .unwrap()
                .lines()
                .filter(|l| l.contains(&format!(" port {dev} ")))
                .filter_map(|l| l.split(" grp ").nth(1)?.split_whitespace().next().map(str::to_string))
                .collect();
            assert!(!mdb.is_empty(), "{}", dir.display());
            // The hosts whose reports came out of the tunnel at this VTEP (tshark: outer
            // destination, inner source of each IGMP frame).
            let cap = dir.join("capture.pcap");
            let path = cap.to_str().unwrap();
            let args = [
                "-r",
                path,
                "-Y",
                "vxlan && igmp",
                "-T",
                "fields",
                "-E",
                "occurrence=a",
                "-e",
                "ip.dst",
                "-e",
                "ip.src",
            ];
            let Some(out) = tshark(&args) else { return };
            let hosts: BTreeSet<String> = out
                .lines()
                .filter_map(|l| {
                    let (dst, src) = l.split_once('\t')?;
                    (dst.split(',').next() == Some(v.addr.as_str()))
                        .then(|| src.split(',').nth(1).map(str::to_string))?
                })
                .collect();
            let s = summarize(&cap, SummaryConfig::default());
            let ours: BTreeSet<String> = s
                .overlay_igmp()
                .iter()
                .filter(|((_, h, _), m)| m.member && hosts.contains(&h.to_string()))
                .map(|((_, _, g), _)| g.to_string())
                .collect();
            assert_eq!(ours, mdb, "{} VTEP {}", dir.display(), v.role);
            // ... and the groups left are in the view as left, not as members.
            assert!(s.overlay_igmp().iter().any(|(_, m)| !m.member && m.leaves > 0));
        }
    }
    assert_eq!(bridged, 1);
}

#[test]
fn a_vni_the_vtep_does_not_have_teaches_it_nothing() {
    let dir = Path::new(OFFLOAD).join("mcast-group");
    let a = &vteps(&dir)[0];
    let mut other = VtepView::default();
    other.add_spec(&format!("{},vni=999", a.addr)).unwrap();
    let s =
        summarize(&dir.join("capture.pcap"), SummaryConfig { vtep: Some(other), ..SummaryConfig::default() });
    assert!(s.fdb().is_empty());
    let with_vni =
        summarize(&dir.join("capture.pcap"), SummaryConfig { vtep: Some(a.view()), ..Default::default() });
    // Every frame A received and learned from with its VNI is dropped (VXLAN_VNI_NOT_FOUND).
    let received = with_vni.fdb().iter().map(|(_, e)| e.packets).sum::<u64>();
    assert!(received > 0);
    assert!(s.not_learned().dropped >= received, "{:?}", s.not_learned());
}

#[test]
fn a_bad_vtep_setting_is_one_clear_error() {
    let cap = Path::new(OFFLOAD).join("p2p/capture.pcap");
    for (spec, word) in [("198.18.10.1,bogus", "bogus"), ("198.18.10.1,vni=x", "vni=x"), ("nohost", "nohost")]
    {
        let o = Command::new(env!("CARGO_BIN_EXE_vxdump"))
            .args(["--summary", "--vtep", spec])
            .arg(&cap)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{spec}");
        let err = String::from_utf8(o.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(word) && err.starts_with("vxdump: --vtep"), "{err}");
        assert!(o.stdout.is_empty());
    }
}
