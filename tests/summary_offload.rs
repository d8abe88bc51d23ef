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
    assert!(v.len() >= 12, "{v:?}");
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
        let v6 = c[0].starts_with("eth:ethertype:ipv6") || c[0].starts_with("sll:ethertype:ipv6");
        let (src, dst) = if v6 { (first(c[4]), first(c[5])) } else { (first(c[2]), first(c[3])) };
        // A cooked (`-i any`) frame has no outer Ethernet header: the first eth.src is inner.
        let outer_eth = usize::from(!c[0].starts_with("sll"));
        let inner_mac = c[1].split(',').nth(outer_eth).unwrap_or("").to_string();
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
    // 2 + 2 + 2 + 3 + 2 + 2 + 3 + 3 + 3 + 3 + 2 + 2 VTEPs; most of them learned something the
    // capture shows.
    assert_eq!(checked, 29);
    assert!(learned_total >= 25, "{learned_total}");
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
    // Every VTEP of every capture: whose vxlan device is a bridge port (a container host), the
    // groups its `bridge mdb show` lists on that port are the groups the overlay view has
    // members of (of the hosts whose reports came out of the tunnel there); the others' mdb has
    // nothing on the device (no snooping bridge above it).
    let (mut bridged, mut all) = (0, 0);
    for dir in scenarios() {
        for v in vteps(&dir) {
            all += 1;
            let link = std::fs::read_to_string(dir.join(format!("{}.link", v.role))).unwrap();
            let dev = link.split(": ").nth(1).unwrap().split('@').next().unwrap().to_string();
            let mdb: BTreeSet<String> = std::fs::read_to_string(dir.join(format!("{}.mdb", v.role)))
                .unwrap()
                .lines()
                .filter(|l| l.contains(&format!(" port {dev} ")))
                .filter_map(|l| l.split(" grp ").nth(1)?.split_whitespace().next().map(str::to_string))
                .collect();
            if !link.contains(" master ") {
                assert!(mdb.is_empty(), "{} VTEP {}: {mdb:?}", dir.display(), v.role);
                continue;
            }
            bridged += 1;
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
    assert_eq!((bridged, all), (2, 29));
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

/// The group of a VTEP's vxlan device, from its recorded `ip -d link show` (`vxlan id N group
/// ADDR`, not the link's `group default`).
fn device_group(dir: &Path, role: &str) -> Option<String> {
    let link = std::fs::read_to_string(dir.join(format!("{role}.link"))).unwrap();
    let vx = link.lines().find(|l| l.trim_start().starts_with("vxlan id "))?;
    let w: Vec<&str> = vx.split_whitespace().collect();
    w.windows(2).find(|p| p[0] == "group").map(|p| p[1].to_string())
}

#[test]
fn ipv6_group_membership_comes_from_the_vteps_own_mld_joins() {
    // No `group=` on the command line (vteps.txt has none): every VTEP of the IPv6 group
    // capture is a member of exactly its device's group, by the MLD joins of the link-local
    // address that shares its underlay MAC, and learns from the group's frames what the kernel
    // learned (checked for all scenarios above; here: that the group frames are what it took).
    let dir = Path::new(OFFLOAD).join("mcast6-group");
    let cap = dir.join("capture.pcap");
    for v in vteps(&dir) {
        assert!(!v.settings.contains("group="), "{}", v.spec());
        let group = device_group(&dir, &v.role).expect("group mode device");
        let s = summarize(&cap, SummaryConfig { vtep: Some(v.view()), ..SummaryConfig::default() });
        let joined: BTreeSet<String> = s
            .underlay_mld()
            .iter()
            .filter(|((h, _), m)| m.member && s.mld_vtep(h).map(|a| a.to_string()) == Some(v.addr.clone()))
            .map(|((_, g), _)| g.to_string())
            .collect();
        assert_eq!(joined, BTreeSet::from([group.clone()]), "VTEP {}", v.role);
        // The learned table equals the kernel's, and it needs the group frames: counting only
        // frames to the VTEP's own address, something the kernel learned would be missing.
        let kernel = kernel_fdb(&dir, &v.role);
        assert_eq!(learned(&s), kernel, "VTEP {}", v.role);
        let Some(frames) = tshark_frames(&cap) else { return };
        let unicast: Vec<Frame> = frames.into_iter().filter(|f| f.dst == v.addr).collect();
        let by_unicast = evidenced(&kernel, &unicast, &v);
        assert!(by_unicast.len() < kernel.len() || v.role == "A", "VTEP {}: {by_unicast:?}", v.role);
        // Naming the group on the command line changes nothing.
        let mut named = VtepView::default();
        named.add_spec(&format!("{},group={group}", v.spec())).unwrap();
        named.macs.push(common::mac(&v.mac));
        let t = summarize(&cap, SummaryConfig { vtep: Some(named), ..SummaryConfig::default() });
        assert_eq!(learned(&t), learned(&s), "VTEP {}", v.role);
    }
}

#[test]
fn a_proxy_device_answers_arp_itself_and_the_summary_reports_only_the_flooded_request() {
    // testdata/offload/proxy: A has `proxy l2miss l3miss nolearning` and a neighbour entry for
    // B; its ARP requests (for B, and for the absent 10.190.0.9) never reach the wire. B (plain)
    // floods its request for the absent 10.190.0.7, which nobody answers.
    let dir = Path::new(OFFLOAD).join("proxy");
    let cap = dir.join("capture.pcap");
    let path = cap.to_str().unwrap();
    let args =
        ["-r", path, "-Y", "vxlan && arp", "-T", "fields", "-e", "arp.opcode", "-e", "arp.src.proto_ipv4"];
    let args: Vec<&str> = args.into_iter().chain(["-e", "arp.dst.proto_ipv4"]).collect();
    let Some(out) = tshark(&args) else { return };
    let arp: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    assert!(arp.iter().all(|c| c[1] != "10.190.0.1"), "A's stack asked on the wire: {out}");
    let asked: BTreeSet<(String, String)> =
        arp.iter().filter(|c| c[0] == "1").map(|c| (c[1].to_string(), c[2].to_string())).collect();
    let answered: BTreeSet<(String, String)> =
        arp.iter().filter(|c| c[0] == "2").map(|c| (c[2].to_string(), c[1].to_string())).collect();
    let unanswered: BTreeSet<_> = asked.difference(&answered).cloned().collect();
    assert_eq!(unanswered, BTreeSet::from([("10.190.0.2".to_string(), "10.190.0.7".to_string())]));
    for v in vteps(&dir) {
        let s = summarize(&cap, SummaryConfig { vtep: Some(v.view()), ..SummaryConfig::default() });
        let ours: BTreeSet<(String, String)> = s
            .unanswered_arp()
            .iter()
            .map(|((_, who, tell), _)| (tell.to_string(), who.to_string()))
            .collect();
        assert_eq!(ours, unanswered, "VTEP {}", v.role);
        assert!(s.problems().is_empty() || s.problems().keys().all(|k| k.is_note()), "{:?}", s.problems());
    }
    // A learns nothing (kernel: only its permanent entry), B learns A (checked for every VTEP
    // in every_vteps_learned_table_is_the_kernels_where_the_capture_shows_it).
    let a = &vteps(&dir)[0];
    assert!(a.settings.contains("proxy") && a.settings.contains("nolearning"));
    assert!(kernel_fdb(&dir, "A").is_empty());
    assert_eq!(kernel_fdb(&dir, "B").len(), 1);
}

#[test]
fn gso_and_big_tcp_super_frames_are_offload_not_mtu_traps_or_drops() {
    // The kernel captures with a bulk TCP transfer: tcpdump on the sending host sees VXLAN
    // frames longer than the underlay MTU (GSO on the vxlan device and veth, the default).
    let mut supers = 0;
    for name in ["p2p", "ipv6-underlay"] {
        let cap = Path::new(OFFLOAD).join(name).join("capture.pcap");
        let path = cap.to_str().unwrap();
        let Some(out) =
            tshark(&["-r", path, "-Y", "vxlan && frame.len > 1514", "-T", "fields", "-e", "frame.number"])
        else {
            return;
        };
        let long = out.lines().count() as u64;
        assert!(long > 0, "{name}: no super-frame in the capture");
        let s = summarize(&cap, SummaryConfig::default());
        assert_eq!(s.offload().super_frames, long, "{name}");
        assert!(!s.problems().contains_key(&vxwire::summary::ProblemKind::MtuExceeded), "{name}");
        assert!(s.problems().keys().all(|k| k.is_note()), "{name}: {:?}", s.problems());
        supers += long;
    }
    assert!(supers >= 4, "{supers}");
    // BIG TCP (> 64 KiB, IP and UDP length 0, as the sending host's tcpdump sees it; this
    // kernel would not build one over vxlan, so tcpdump's own test captures from real hosts):
    // one super-frame each, no drop, no MTU trap. Plain GSO frames: a partial checksum too.
    let third = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/third-party/tcpdump/");
    for v in ["ipv4-vxlan-ipv4", "ipv4-vxlan-ipv6", "ipv6-vxlan-ipv4", "ipv6-vxlan-ipv6"] {
        for kind in ["bigtcp", "gso"] {
            let cap = Path::new(third).join(format!("{kind}-{v}.pcap"));
            let s = summarize(&cap, SummaryConfig::default());
            assert_eq!(s.offload().super_frames, 1, "{}", cap.display());
            assert!(s.problems().keys().all(|k| k.is_note()), "{}: {:?}", cap.display(), s.problems());
            if kind == "gso" {
                assert_eq!(s.offload().partial, 1, "{}", cap.display());
            }
        }
    }
}

#[test]
fn an_any_capture_on_a_bridge_host_counts_each_packet_once_and_no_overlay_host_as_a_vtep() {
    // testdata/offload/container-bridge-any: `tcpdump -i any` (cooked v2) on B, whose vxlan0
    // is a port of br0: each overlay packet is in the file on u0 (VXLAN), on vxlan0 and on br0.
    let cap = Path::new(OFFLOAD).join("container-bridge-any/capture.pcap");
    let path = cap.to_str().unwrap();
    let fields = ["-T", "fields", "-e", "sll.ifindex", "-e", "ip.src", "-e", "igmp.maddr"];
    let Some(all) = tshark(&[&["-r", path], &fields[..]].concat()) else { return };
    let Some(vx) = tshark(&[&["-r", path, "-Y", "vxlan"], &fields[..]].concat()) else { return };
    let Some(arp) = tshark(&["-r", path, "-Y", "vxlan && arp", "-T", "fields", "-e", "frame.number"]) else {
        return;
    };
    let Some(bare_igmp) = tshark(&[&["-r", path, "-Y", "igmp && !vxlan"], &fields[..]].concat()) else {
        return;
    };
    let per_if = |text: &str| {
        let mut m = std::collections::BTreeMap::<String, u64>::new();
        for l in text.lines() {
            *m.entry(l.split('\t').next().unwrap().to_string()).or_default() += 1;
        }
        m
    };
    let (all_if, vx_if) = (per_if(&all), per_if(&vx));
    assert_eq!(all_if.len(), 3, "{all_if:?}");
    assert_eq!(vx_if.len(), 1, "{vx_if:?}");
    let s = summarize(&cap, SummaryConfig::default());
    // Per interface: what tshark counts there, and VXLAN on the underlay only.
    let ours: std::collections::BTreeMap<String, (u64, u64)> = s
        .interfaces()
        .iter()
        .map(|(k, st)| (k.to_string().trim_start_matches("ifindex ").to_string(), (st.packets, st.vxlan)))
        .collect();
    let theirs: std::collections::BTreeMap<String, (u64, u64)> =
        all_if.iter().map(|(k, n)| (k.clone(), (*n, vx_if.get(k).copied().unwrap_or(0)))).collect();
    assert_eq!(ours, theirs);
    // Each overlay ARP packet once (its VXLAN copy), though the file has it three times.
    let arp_packets: u64 = s.arp_table().iter().map(|(_, e)| e.packets).sum();
    assert_eq!(arp_packets, arp.lines().count() as u64);
    // The reports on vxlan0/br0 are overlay hosts' (decapsulated copies): no VTEP joins a
    // group here; the underlay view has none of them, though the summary saw them.
    assert!(bare_igmp.lines().count() >= 4, "{bare_igmp}");
    assert!(!s.underlay_igmp().is_empty());
    assert!(s.underlay_igmp().iter().all(|(_, m)| !s.is_underlay(m)), "{:?}", s.underlay_igmp());
    let mut text = Vec::new();
    s.write_text(&mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("memberships left out: reported on interfaces without VXLAN"), "{text}");
    // The same capture on A's underlay alone (container-bridge, another run) has the same
    // overlay membership view.
    let eth = summarize(&Path::new(OFFLOAD).join("container-bridge/capture.pcap"), SummaryConfig::default());
    let groups = |s: &Summary| -> BTreeSet<(String, String, bool)> {
        s.overlay_igmp().iter().map(|((_, h, g), m)| (h.to_string(), g.to_string(), m.member)).collect()
    };
    let (a, b) = (groups(&s), groups(&eth));
    assert!(b.is_subset(&a), "{a:?} vs {b:?}");

    // The same traffic in cooked v1 (any-sll.pcap, taken alongside), which names no interface:
    // the decapsulated reports are recognised by their IP packets, which also came inside
    // VXLAN; each VTEP learns what it learns from the cooked v2 file.
    let dir = Path::new(OFFLOAD).join("container-bridge-any");
    let v1 = dir.join("any-sll.pcap");
    let s1 = summarize(&v1, SummaryConfig::default());
    let Some(bare_v1) =
        tshark(&[&["-r", v1.to_str().unwrap(), "-Y", "igmp && !vxlan"], &fields[..]].concat())
    else {
        return;
    };
    assert!(bare_v1.lines().count() >= 4, "{bare_v1}");
    assert!(!s1.underlay_igmp().is_empty());
    assert!(s1.underlay_igmp().iter().all(|(_, m)| !s1.is_underlay(m)), "{:?}", s1.underlay_igmp());
    let Some(arp1) =
        tshark(&["-r", v1.to_str().unwrap(), "-Y", "vxlan && arp", "-T", "fields", "-e", "frame.number"])
    else {
        return;
    };
    let arp1_packets: u64 = s1.arp_table().iter().map(|(_, e)| e.packets).sum();
    assert_eq!(arp1_packets, arp1.lines().count() as u64);
    for v in vteps(&dir) {
        let config = || SummaryConfig { vtep: Some(v.view()), ..SummaryConfig::default() };
        assert_eq!(
            learned(&summarize(&v1, config())),
            learned(&summarize(&cap, config())),
            "VTEP {}",
            v.role
        );
    }
}

#[test]
fn every_group_mode_vtep_joins_its_devices_group_in_the_capture() {
    // Every VTEP whose device has a group (`ip -d link`: `vxlan id N group G`): the underlay
    // view has its own joins of G (IGMP from its address; MLD from the link-local address with
    // its MAC), and it is a member at the end unless its device went down during the capture
    // (commands.log), when the view has its leave.
    let mut checked = 0;
    for dir in scenarios() {
        let log = std::fs::read_to_string(dir.join("commands.log")).unwrap();
        let s = summarize(&dir.join("capture.pcap"), SummaryConfig::default());
        for v in vteps(&dir) {
            let Some(group) = device_group(&dir, &v.role) else { continue };
            let dev = std::fs::read_to_string(dir.join(format!("{}.link", v.role))).unwrap();
            let dev = dev.split(": ").nth(1).unwrap().split('@').next().unwrap().to_string();
            // Up at the end: the last `ip link set DEV up|down` of this VTEP says.
            let up_at_end = log
                .lines()
                .filter_map(|l| l.strip_prefix(&format!("[{}] ip link set {dev} ", v.role)))
                .rfind(|rest| *rest == "up" || *rest == "down")
                == Some("up");
            let went_down = log.contains(&format!("[{}] ip link set {dev} down", v.role));
            let g: std::net::IpAddr = group.parse().unwrap();
            let addr: std::net::IpAddr = v.addr.parse().unwrap();
            let m = match g {
                std::net::IpAddr::V4(g4) => s.underlay_igmp().get(&(addr, g4)).cloned(),
                std::net::IpAddr::V6(g6) => s
                    .underlay_mld()
                    .iter()
                    .find(|((h, mg), _)| *mg == g6 && s.mld_vtep(h).map(std::net::IpAddr::V6) == Some(addr))
                    .map(|(_, m)| m.clone()),
            };
            let m = m.unwrap_or_else(|| panic!("{} VTEP {}: no joins of {group}", dir.display(), v.role));
            assert!(s.is_underlay(&m) && m.joins > 0, "{} VTEP {}", dir.display(), v.role);
            assert_eq!(m.member, up_at_end, "{} VTEP {}: {m:?}", dir.display(), v.role);
            if went_down {
                assert!(m.leaves > 0, "{} VTEP {}: {m:?}", dir.display(), v.role);
            }
            checked += 1;
        }
    }
    // mcast-group, mcast-group-any, mac-move (3 each), mcast6-group (3).
    assert_eq!(checked, 12);
}
