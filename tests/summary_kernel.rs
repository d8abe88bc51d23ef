//! The summary of kernel-made captures against what the kernel and tcpdump said about them:
//! the learned table against `bridge fdb show`, the ARP view and the IGMP views against the
//! tcpdump golden outputs (parsed here, never hard-coded).
#![cfg(feature = "cli")]

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::BufReader;
use std::net::{IpAddr, Ipv4Addr};
use vxwire::capture::CaptureReader;
use vxwire::dissect::Config;
use vxwire::summary::{add_capture, Summary, SummaryConfig, VtepView};
use vxwire::MacAddr;

const TESTDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/");

fn summarize(name: &str, config: SummaryConfig) -> Summary {
    let f = File::open(format!("{TESTDATA}{name}")).unwrap();
    let mut r = CaptureReader::new(BufReader::new(f)).unwrap();
    let mut s = Summary::new(config);
    add_capture(&mut s, &mut r, &Config::default()).unwrap();
    s
}

fn json_of(s: &Summary) -> serde_json::Value {
    let mut out = Vec::new();
    s.write_json(&mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn text_of(s: &Summary) -> String {
    let mut out = Vec::new();
    s.write_text(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn mac(s: &str) -> MacAddr {
    s.parse().unwrap()
}

/// `key=value` lines of vxlan-mcast-group.vtep.txt.
fn vtep_txt() -> BTreeMap<String, String> {
    std::fs::read_to_string(format!("{TESTDATA}vxlan-mcast-group.vtep.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The learned (not `permanent`) lines of `bridge fdb show dev vxlan200`, trimmed.
fn kernel_learned_lines() -> BTreeSet<String> {
    std::fs::read_to_string(format!("{TESTDATA}vxlan-mcast-group.fdb.txt"))
        .unwrap()
        .lines()
        // The all-zeros default entry to the group is configured (`permanent`), not learned.
        .filter(|l| !l.split_whitespace().any(|w| w == "permanent"))
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

fn mcast_view() -> (SummaryConfig, u32) {
    let v = vtep_txt();
    let config = SummaryConfig {
        vtep: Some(VtepView {
            // Frames A received: to its underlay address or to the group its vxlan device joined.
            addrs: vec![v["underlay_ip"].parse().unwrap(), v["group"].parse().unwrap()],
            macs: vec![mac(&v["vxlan_mac"])],
            ..VtepView::default()
        }),
        ..SummaryConfig::default()
    };
    (config, v["vni"].parse().unwrap())
}

#[test]
fn learned_table_equals_kernel_fdb() {
    let expected = kernel_learned_lines();
    assert_eq!(expected.len(), 2, "fdb.txt should list B and C: {expected:?}");
    let (config, vni) = mcast_view();
    let s = summarize("vxlan-mcast-group.pcap", config);
    let ours: BTreeSet<String> = s
        .fdb()
        .iter()
        .filter(|((v, _), _)| *v == vni)
        .map(|((_, m), e)| format!("{m} dst {} self", e.dst))
        .collect();
    assert_eq!(ours, expected);
    assert_eq!(s.fdb().len(), expected.len(), "nothing learned in another VNI");

    // The text form prints exactly the kernel's lines.
    let text = text_of(&s);
    let printed: BTreeSet<String> =
        text.lines().filter(|l| l.contains(" dst ") && l.ends_with(" self")).map(str::to_string).collect();
    assert_eq!(printed, expected);

    // The JSON form too, field by field.
    let j = json_of(&s);
    let entries = j["fdb"]["entries"].as_array().unwrap();
    let lines: BTreeSet<String> = entries.iter().map(|e| e["line"].as_str().unwrap().to_string()).collect();
    assert_eq!(lines, expected);
    for e in entries {
        let line = format!("{} dst {} self", e["mac"].as_str().unwrap(), e["dst"].as_str().unwrap());
        assert!(expected.contains(&line), "{line}");
        assert_eq!(e["vni"], vni);
        assert_eq!(e["moves"], 0);
    }
}

#[test]
fn without_the_vtep_view_the_senders_own_frames_are_learned_too() {
    // The capture also holds what A sent: learning from every frame adds A's own MAC behind
    // A's address, which the kernel never lists in A's table. This shows the view matters.
    let s = summarize("vxlan-mcast-group.pcap", SummaryConfig::default());
    let v = vtep_txt();
    let a_mac = mac(&v["vxlan_mac"]);
    let vni: u32 = v["vni"].parse().unwrap();
    let a_ip: IpAddr = v["underlay_ip"].parse().unwrap();
    assert_eq!(s.fdb().get(&(vni, a_mac)).map(|e| e.dst), Some(a_ip));
    assert_eq!(s.fdb().len(), kernel_learned_lines().len() + 1);
}

/// Inner ARP from a tcpdump `-e` golden: `(vni, ip) -> mac` for every sender of a request
/// (the inner Ethernet source) and every `is-at` of a reply.
fn golden_arp(name: &str) -> BTreeMap<(u32, Ipv4Addr), MacAddr> {
    let text = std::fs::read_to_string(format!("{TESTDATA}{name}")).unwrap();
    let mut out = BTreeMap::new();
    let mut vni: Option<u32> = None;
    for line in text.lines() {
        if let Some(i) = line.find(": VXLAN, flags [") {
            let v = line[i..].split("vni ").nth(1).unwrap();
            vni = Some(v.trim().parse().unwrap());
            continue;
        }
        // An outer frame line starts with a timestamp; inner frames follow a VXLAN line without one.
        let is_ts = line.len() > 15 && line.as_bytes()[2] == b':' && line.as_bytes()[8] == b'.';
        if is_ts {
            vni = None;
            continue;
        }
        let (Some(vni), true) = (vni, line.contains("ethertype ARP")) else { continue };
        let words: Vec<&str> = line.split_whitespace().collect();
        let eth_src = mac(words[0]);
        if let Some(p) = words.iter().position(|w| *w == "tell") {
            let ip: Ipv4Addr = words[p + 1].trim_end_matches(',').parse().unwrap();
            out.insert((vni, ip), eth_src);
        }
        if let Some(p) = words.iter().position(|w| *w == "is-at") {
            let ip: Ipv4Addr = words[p - 1].parse().unwrap();
            out.insert((vni, ip), mac(words[p + 1].trim_end_matches(',')));
        }
    }
    out
}

#[test]
fn arp_view_matches_the_golden() {
    let expected = golden_arp("vxlan-4789-p2p.e.out");
    assert!(expected.len() >= 2, "{expected:?}");
    let s = summarize("vxlan-4789-p2p.pcap", SummaryConfig::default());
    let ours: BTreeMap<(u32, Ipv4Addr), MacAddr> = s.arp_table().iter().map(|(k, e)| (*k, e.mac)).collect();
    assert_eq!(ours, expected);
    assert!(s.arp_table().iter().all(|(_, e)| e.others.is_empty()), "no duplicate IPs");
    assert!(s.unanswered_arp().is_empty(), "every request was answered");

    // The pings' endpoints (from the golden's inner ICMP lines) are all in the ARP view.
    let v = std::fs::read_to_string(format!("{TESTDATA}vxlan-4789-p2p.v.out")).unwrap();
    let mut pinged = BTreeSet::new();
    for l in v.lines().filter(|l| l.contains(": ICMP echo")) {
        let w: Vec<&str> = l.split_whitespace().collect();
        pinged.insert(w[0].parse::<Ipv4Addr>().unwrap());
        pinged.insert(w[2].trim_end_matches(':').parse::<Ipv4Addr>().unwrap());
    }
    assert_eq!(pinged.len(), 2);
    let arp_ips: BTreeSet<Ipv4Addr> = ours.keys().map(|k| k.1).collect();
    assert_eq!(arp_ips, pinged);

    // JSON: same entries, field by field.
    let j = json_of(&s);
    let entries = j["arp"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), expected.len());
    for e in entries {
        let key = (e["vni"].as_u64().unwrap() as u32, e["ip"].as_str().unwrap().parse().unwrap());
        assert_eq!(mac(e["mac"].as_str().unwrap()), expected[&key]);
        assert_eq!(e["duplicate"], false);
    }
    assert_eq!(j["arp"]["unanswered"].as_array().unwrap().len(), 0);
}

/// What a tcpdump `-v` golden says about IGMP membership, per scope (None = underlay, Some(vni)
/// = overlay), host and group, applying the rules of docs/summary.md to tcpdump's records.
#[derive(Debug, Default, PartialEq, Eq)]
struct GoldenMember {
    joins: u64,
    leaves: u64,
    member: bool,
    versions: BTreeSet<u8>,
    record_types: BTreeSet<String>,
}

#[derive(Debug, Default)]
struct GoldenIgmp {
    members: BTreeMap<(Option<u32>, Ipv4Addr, Ipv4Addr), GoldenMember>,
    /// scope -> [general v1, v2, v3, specific]
    queries: BTreeMap<Option<u32>, [u64; 4]>,
}

fn golden_igmp(name: &str) -> GoldenIgmp {
    let text = std::fs::read_to_string(format!("{TESTDATA}{name}")).unwrap();
    let mut g = GoldenIgmp::default();
    let mut scope: Option<u32> = None;
    // RFC 3376 §3.2 per (scope, host, group): EXCLUDE mode, or the INCLUDE source list.
    type Key = (Option<u32>, Ipv4Addr, Ipv4Addr);
    let mut state: BTreeMap<Key, (bool, BTreeSet<String>)> = BTreeMap::new();
    for line in text.lines() {
        let is_ts = line.len() > 15 && line.as_bytes()[2] == b':' && line.as_bytes()[8] == b'.';
        if is_ts {
            scope = None;
        }
        if let Some(i) = line.find("VXLAN, flags [") {
            scope = Some(line[i..].split("vni ").nth(1).unwrap().trim().parse().unwrap());
            continue;
        }
        let Some(i) = line.find(": igmp ") else { continue };
        let host: Ipv4Addr = line[..i].split_whitespace().next().unwrap().parse().unwrap();
        let msg = &line[i + 7..];
        let mut event = |group: Ipv4Addr, version: u8, rtype: Option<&str>, join: Option<bool>| {
            let m = g.members.entry((scope, host, group)).or_default();
            m.versions.insert(version);
            if let Some(t) = rtype {
                m.record_types.insert(t.to_string());
            }
            match join {
                Some(true) => {
                    m.joins += 1;
                    m.member = true;
                }
                Some(false) => {
                    m.leaves += 1;
                    m.member = false;
                }
                None => {}
            }
        };
        let v12 = |state: &mut BTreeMap<Key, (bool, BTreeSet<String>)>, group: &str, join: bool| {
            let st = state.entry((scope, host, group.trim().parse().unwrap())).or_default();
            *st = (join, BTreeSet::new());
        };
        if let Some(rest) = msg.strip_prefix("v1 report ") {
            v12(&mut state, rest, true);
            event(rest.trim().parse().unwrap(), 1, None, Some(true));
        } else if let Some(rest) = msg.strip_prefix("v2 report ") {
            v12(&mut state, rest, true);
            event(rest.trim().parse().unwrap(), 2, None, Some(true));
        } else if let Some(rest) = msg.strip_prefix("leave ") {
            v12(&mut state, rest, false);
            event(rest.trim().parse().unwrap(), 2, None, Some(false));
        } else if msg.starts_with("v3 report") {
            // `[gaddr G TYPE { S... }]` per record (tcpdump -vv).
            for rec in msg.split("[gaddr ").skip(1) {
                let w: Vec<&str> = rec.split_whitespace().collect();
                let group: Ipv4Addr = w[0].parse().unwrap();
                let t = w[1];
                let src: BTreeSet<String> = w[2..]
                    .iter()
                    .filter(|x| !x.starts_with('{') && !x.starts_with('}'))
                    .map(|x| x.to_string())
                    .collect();
                let (exclude, include) = state.entry((scope, host, group)).or_default();
                let join = match t {
                    "to_ex" | "is_ex" => {
                        *exclude = true;
                        include.clear();
                        Some(true)
                    }
                    "to_in" | "is_in" => {
                        *exclude = false;
                        *include = src;
                        Some(!include.is_empty())
                    }
                    "allow" if !*exclude => {
                        include.extend(src);
                        Some(!include.is_empty())
                    }
                    "block" if !*exclude => {
                        include.retain(|x| !src.contains(x));
                        Some(!include.is_empty())
                    }
                    _ => None,
                };
                event(group, 3, Some(t), join);
            }
        } else if let Some(rest) = msg.strip_prefix("query") {
            let q = g.queries.entry(scope).or_default();
            if rest.contains("[gaddr") {
                q[3] += 1;
            } else if rest.starts_with(" v3") {
                q[2] += 1;
            } else if rest.starts_with(" v2") {
                q[1] += 1;
            } else {
                q[0] += 1;
            }
        }
    }
    g
}

fn member_of(m: &vxwire::summary::Membership) -> GoldenMember {
    GoldenMember {
        joins: m.joins,
        leaves: m.leaves,
        member: m.member,
        versions: (1..=3).filter(|v| m.versions & (1 << v) != 0).collect(),
        record_types: (1..=6u8)
            .filter(|t| m.record_types & (1 << t) != 0)
            .filter_map(|t| vxwire::wire::igmp::RecordType(t).short_name())
            .map(str::to_string)
            .collect(),
    }
}

#[test]
fn underlay_igmp_matches_the_golden() {
    let golden = golden_igmp("vxlan-mcast-group.vv.out");
    let expected: BTreeMap<(IpAddr, Ipv4Addr), &GoldenMember> = golden
        .members
        .iter()
        .filter(|((scope, _, _), _)| scope.is_none())
        .map(|((_, h, g), m)| ((IpAddr::V4(*h), *g), m))
        .collect();
    // All three VTEPs joined; the golden shows C leaving at the end.
    assert_eq!(expected.len(), 3, "{expected:?}");
    let s = summarize("vxlan-mcast-group.pcap", SummaryConfig::default());
    let ours: BTreeMap<(IpAddr, Ipv4Addr), GoldenMember> =
        s.underlay_igmp().iter().map(|(k, m)| (*k, member_of(m))).collect();
    assert_eq!(ours.len(), expected.len());
    for (k, m) in &ours {
        assert_eq!(m, expected[k], "{k:?}");
    }
    assert!(s.overlay_igmp().is_empty());

    // JSON, field by field.
    let j = json_of(&s);
    for e in j["multicast"]["underlay"].as_array().unwrap() {
        let key =
            (e["vtep"].as_str().unwrap().parse().unwrap(), e["group"].as_str().unwrap().parse().unwrap());
        let m = expected[&key];
        assert_eq!(e["joins"], m.joins);
        assert_eq!(e["leaves"], m.leaves);
        assert_eq!(e["member"], m.member);
        let types: BTreeSet<String> =
            e["record_types"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect();
        assert_eq!(types, m.record_types);
    }
}

#[test]
fn overlay_igmp_matches_the_golden() {
    let golden = golden_igmp("vxlan-inner-igmp.vv.out");
    let expected: BTreeMap<(u32, Ipv4Addr, Ipv4Addr), &GoldenMember> =
        golden.members.iter().filter_map(|((scope, h, g), m)| scope.map(|v| ((v, *h, *g), m))).collect();
    assert!(expected.len() >= 5, "{expected:?}");
    let s = summarize("vxlan-inner-igmp.pcap", SummaryConfig::default());
    let ours: BTreeMap<(u32, Ipv4Addr, Ipv4Addr), GoldenMember> =
        s.overlay_igmp().iter().map(|(k, m)| (*k, member_of(m))).collect();
    assert_eq!(ours.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>());
    for (k, m) in &ours {
        assert_eq!(m, expected[k], "{k:?}");
    }
    // Queries per VNI: general by version and group(-and-source)-specific.
    for (vni, q) in s.overlay_queries().iter() {
        let g = golden.queries[&Some(*vni)];
        assert_eq!([q.general[1], q.general[2], q.general[3], q.specific], g, "vni {vni}");
    }
    assert_eq!(s.overlay_queries().len(), golden.queries.keys().filter(|k| k.is_some()).count());
}

/// Runs tshark (a reference decoder); `None` with a printed reason when it is missing, unless
/// `CI` is set, where a missing tshark fails the test.
fn tshark(args: &[&str]) -> Option<String> {
    match std::process::Command::new("tshark").args(args).output() {
        Ok(o) if o.status.success() => Some(String::from_utf8(o.stdout).unwrap()),
        r => {
            assert!(std::env::var_os("CI").is_none(), "tshark is needed in CI: {r:?}");
            std::io::Write::write_all(
                &mut std::io::stderr(),
                format!("skipping: tshark not usable here ({r:?})\n").as_bytes(),
            )
            .ok();
            None
        }
    }
}

#[test]
fn gbp_policy_ids_and_dont_learn_match_tshark() {
    // tcpdump 4.99.3 does not decode GBP; tshark does: G, D and the group policy ID per frame.
    let path = format!("{TESTDATA}vxlan-gbp.pcap");
    let Some(out) = tshark(&[
        "-r",
        &path,
        "-Y",
        "vxlan",
        "-T",
        "fields",
        "-e",
        "vxlan.flag_g",
        "-e",
        "vxlan.flag_d",
        "-e",
        "vxlan.gbp",
    ]) else {
        return;
    };
    let mut ids: BTreeMap<u16, u64> = BTreeMap::new();
    let mut d_bit = 0;
    for l in out.lines() {
        let f: Vec<&str> = l.split('\t').collect();
        if f[0] == "1" {
            *ids.entry(f[2].parse().unwrap()).or_default() += 1;
            if f[1] == "1" {
                d_bit += 1;
            }
        }
    }
    assert!(!ids.is_empty() && d_bit > 0, "{out}");
    let s = summarize("vxlan-gbp.pcap", SummaryConfig::default());
    let ours: BTreeMap<u16, u64> = s.vnis().values().flat_map(|v| v.gbp_ids.clone()).collect();
    assert_eq!(ours, ids);
    // Linux learns from D-bit frames (testdata/offload/gbp shows it); so does the default.
    assert_eq!(s.not_learned().dont_learn_ignored, d_bit);
    assert_eq!(s.not_learned().dont_learn, 0);
    let draft =
        summarize("vxlan-gbp.pcap", SummaryConfig { honour_dont_learn: true, ..SummaryConfig::default() });
    assert_eq!(draft.not_learned().dont_learn, d_bit);
    // Both VTEPs send GBP, so nothing is reported as GBP to a non-GBP VTEP.
    assert!(!s.problems().contains_key(&vxwire::summary::ProblemKind::GbpNotUsed));
}

fn captures_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            captures_under(&p, out);
        } else if p.extension().is_some_and(|x| x == "pcap" || x == "pcapng") {
            out.push(p);
        }
    }
}

#[test]
fn every_capture_in_testdata_summarizes_in_both_forms() {
    // Kernel-made, third-party (fuzzed/truncated ARP and IGMP, GSO, GPE) and crafted captures:
    // no panic, and the JSON is one parseable document whose packet count is the file's.
    let mut files = Vec::new();
    captures_under(std::path::Path::new(TESTDATA), &mut files);
    assert!(files.len() > 30, "{}", files.len());
    for path in files {
        let f = File::open(&path).unwrap();
        let Ok(mut r) = CaptureReader::new(BufReader::new(f)) else { continue };
        let mut s = Summary::new(SummaryConfig::default());
        let n = match add_capture(&mut s, &mut r, &Config::default()) {
            Ok(n) => n,
            Err(_) => s.totals().0.packets, // a damaged record ends the file; what came before counts
        };
        let j = json_of(&s);
        assert_eq!(j["packets"], n, "{}", path.display());
        assert!(!text_of(&s).is_empty());
    }
}
