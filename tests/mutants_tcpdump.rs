//! Broken packets, vxdump against tcpdump 4.99.3: seeded mutants (`tests/common/mutate.rs`: bit
//! flips, random bytes, length fields that lie, cuts at header boundaries) of every capture in
//! `testdata/` and `testdata/third-party/`, printed by both programs with `-nn -v`, `-nn -vv` and
//! `-nn -e -v` (`TZ=UTC`) and compared packet by packet with the rules of
//! `tests/vxdump_conformance.rs` (GBP rendering normalised, UDP 8472 through `-T vxlan`, UDP
//! source port 49152 and protocols outside vxdump's set counted apart). Cases where tcpdump
//! 4.99.3 itself is wrong are counted as such (`tcpdump_bug`) and listed in
//! `docs/hostile-input.md`.
//!
//! The test passes when at least 99.5 % of the compared packets (all but "outside" and 49152)
//! agree for each flag set. Modes, by environment variable:
//! - default (CI): seed 14, up to 40 packets of each capture, 3 mutants each (~2,600 mutants);
//! - `VXWIRE_MUTANTS=long`: every packet of every capture, 30 mutants each (~126,000 mutants);
//! - `VXWIRE_MUTANT_SEED=N`: another seed; `VXWIRE_MUTANTS_REPORT=FILE`: every difference written
//!   to FILE with the mutation that caused it.
//!
//! tcpdump runs once per capture and flag set on a pcap file holding all of that capture's
//! mutants. Without tcpdump the test is skipped with a message, unless `CI` is set.

mod common;

use common::mutate::{mutate, pcap_header, pcap_record, Mutant, Rng};
use common::tcpdump::{gbp_as_tcpdump, outside, packets};
use common::{frames, require, Scratch};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use vxwire::dissect::{Config, LinkType};

const TCPDUMP: &str = "/usr/bin/tcpdump";
const FLAG_SETS: &[&[&str]] = &[&["-v"], &["-vv"], &["-e", "-v"]];
const THRESHOLD: f64 = 99.5;

fn captures() -> Vec<PathBuf> {
    fn under(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else { return };
        let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                if recursive {
                    under(&p, true, out);
                }
            } else if matches!(p.extension().and_then(|e| e.to_str()), Some("pcap" | "pcapng")) {
                out.push(p);
            }
        }
    }
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata"));
    let mut v = Vec::new();
    under(&root, false, &mut v);
    for sub in ["tcpdump", "zeek", "suricata-verify"] {
        under(&root.join("third-party").join(sub), true, &mut v);
    }
    v
}

/// How many packets of a capture and how many mutants of each.
struct Plan {
    per_capture: usize,
    per_packet: usize,
    seed: u64,
}

impl Plan {
    fn from_env() -> Plan {
        let long = std::env::var("VXWIRE_MUTANTS").is_ok_and(|v| v == "long");
        let seed = std::env::var("VXWIRE_MUTANT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(14);
        if long {
            Plan { per_capture: usize::MAX, per_packet: 30, seed }
        } else {
            Plan { per_capture: 40, per_packet: 3, seed }
        }
    }
}

/// The mutants of one capture, one pcap file per link type: (file bytes, link, mutants).
fn mutant_files(path: &Path, file_no: u64, plan: &Plan) -> Vec<(Vec<u8>, LinkType, Vec<Mutant>)> {
    let all = frames(&path.to_path_buf());
    let step = all.len().div_ceil(plan.per_capture.min(all.len()).max(1));
    let config = Config::default();
    let mut files: Vec<(Vec<u8>, LinkType, Vec<Mutant>)> = Vec::new();
    for (i, f) in all.iter().enumerate().step_by(step.max(1)) {
        let k = match files.iter().position(|(_, l, _)| *l == f.link) {
            Some(k) => k,
            None => {
                files.push((pcap_header(f.link), f.link, Vec::new()));
                files.len() - 1
            }
        };
        for m in 0..plan.per_packet {
            let mut rng = Rng::new(plan.seed ^ (file_no << 40) ^ ((i as u64) << 8) ^ m as u64);
            let Some(mu) = mutate(&mut rng, &f.data, f.link, &config) else { continue };
            let (buf, _, changes) = &mut files[k];
            let n = changes.len() as u32;
            pcap_record(buf, 1_000_000 + n, f.ts_nsec / 1000, &mu.data, f.len);
            changes.push(mu);
        }
    }
    files
}

fn run(prog: &str, args: &[&str], file: &Path) -> Vec<String> {
    let out = Command::new(prog)
        .args(args)
        .arg("-r")
        .arg(file)
        .env("TZ", "UTC")
        .output()
        .unwrap_or_else(|e| panic!("running {prog}: {e}"));
    packets(&out.stdout)
}

/// Packets by mutant number: mutant `n` has time stamp second `1_000_000 + n` (`HH:MM:SS` in UTC).
/// tcpdump prints `[Invalid header: caplen==0]` without a time stamp, as a line of its own: that
/// is the mutant after the one before it.
fn by_second(pkts: &[String]) -> std::collections::HashMap<usize, String> {
    let mut m = std::collections::HashMap::new();
    let mut last: Option<usize> = None;
    for p in pkts {
        let mut chunks: Vec<&str> = Vec::new();
        let mut rest = p.as_str();
        while let Some(k) = rest.find("[Invalid header") {
            if k > 0 {
                chunks.push(rest[..k].trim_end_matches('\n'));
            }
            let end = rest[k..].find('\n').map_or(rest.len(), |e| k + e);
            chunks.push(&rest[k..end]);
            rest = rest[end..].trim_start_matches('\n');
        }
        if !rest.is_empty() {
            chunks.push(rest);
        }
        for c in chunks {
            let hms: Vec<usize> =
                c.get(..8).map_or(Vec::new(), |h| h.split(':').filter_map(|x| x.parse().ok()).collect());
            let n = if hms.len() == 3 {
                (hms[0] * 3600 + hms[1] * 60 + hms[2] + 86_400 - 1_000_000 % 86_400) % 86_400
            } else {
                last.map_or(0, |l| l + 1)
            };
            last = Some(n);
            m.insert(n, c.to_string());
        }
    }
    m
}

/// Protocols a mutated protocol number reaches, beyond those the conformance test knows.
const OUTSIDE_MUTANTS: &[&str] = &[
    // Mutated protocol numbers reach protocols vxdump does not decode.
    "EGPv",
    "[|egp]",
    "AH(",
    "RSVP",
    "[|otv]",
    "[|dccp]",
    "[|sctp]",
    "[|pim]",
    "[|gre]",
    "[|vrrp]",
    "[|ospf]",
    "DSAP",
    "OSPF",
    "[|ospf2]",
    "PIMv",
    "[|eigrp]",
    "[|mobile]",
    "mobility:",
    "igrp:",
    "PGM,",
    ": DCCP",
];

/// A difference explained by a tcpdump 4.99.3 bug listed in `docs/hostile-input.md`: its name.
///
/// - `print_igmpv3_report` and `mldv2_report_print` step from one group record to the next by
///   the fixed part and the sources only: they ignore the Aux Data Len (RFC 3376 4.2.6, RFC 3810
///   5.2.6) and read the auxiliary data as the next record. vxdump skips it.
/// - `ip_printroute` prints the addresses of a record/source-route option in steps of 4 from
///   byte 3 with `ND_TCHECK_4`, which checks the capture, not the option length: an option whose
///   length is not 3 + 4n shows addresses read from the bytes after it. vxdump stops at the
///   option's end.
fn tcpdump_bug(frame: &[u8], link: LinkType) -> Option<&'static str> {
    let d = vxwire::dissect(frame, link, &Config::default());
    for l in d.layers() {
        if let vxwire::dissect::Header::Ipv4(h) = &l.header {
            let o = &h.slice()[20..];
            let mut at = 0;
            while let Some(&code) = o.get(at) {
                let n = if code <= 1 { 1 } else { usize::from(*o.get(at + 1)?).max(1) };
                if matches!(code, 7 | 131 | 137) && n >= 3 && (n + 1) % 4 != 0 {
                    return Some("route option addresses read past its length (ip_printroute)");
                }
                at += n;
            }
        }
    }
    let (m, fixed, per_source) = d.layers().find_map(|l| match &l.header {
        vxwire::dissect::Header::Igmp(m) if m.slice().first() == Some(&0x22) => Some((m.slice(), 8, 4)),
        vxwire::dissect::Header::Icmpv6(m) if m.slice().first() == Some(&143) => Some((m.slice(), 20, 16)),
        _ => None,
    })?;
    let n = usize::from(u16::from_be_bytes([*m.get(6)?, *m.get(7)?]));
    let mut g = 8;
    for _ in 0..n {
        let (aux, ns) =
            (usize::from(*m.get(g + 1)?), usize::from(u16::from_be_bytes([*m.get(g + 2)?, *m.get(g + 3)?])));
        if aux != 0 {
            return Some("aux data length ignored (print_igmpv3_report, mldv2_report_print)");
        }
        g += fixed + per_source * ns;
    }
    None
}

#[derive(Default)]
struct Tally {
    total: usize,
    equal: usize,
    outside: usize,
    port_49152: usize,
    bugs: usize,
    failed: Vec<String>,
}

impl Tally {
    fn compared(&self) -> usize {
        self.total - self.outside - self.port_49152
    }

    fn percent(&self) -> f64 {
        100.0 * (self.equal + self.bugs) as f64 / self.compared().max(1) as f64
    }
}

/// Compares one mutant file under one flag set, adding to `tally`.
fn compare_file(file: &Path, link: LinkType, flags: &[&str], changes: &[Mutant], tally: &mut Tally) {
    let mut args = vec!["-nn"];
    args.extend_from_slice(flags);
    let t = run(TCPDUMP, &args, file);
    let v = run(env!("CARGO_BIN_EXE_vxdump"), &args, file);
    let tv = if t.iter().any(|p| p.contains("OTV,")) {
        let mut a = args.clone();
        a.extend_from_slice(&["-T", "vxlan"]);
        run(TCPDUMP, &a, file)
    } else {
        Vec::new()
    };
    tally.total += changes.len();
    // Each mutant has its own second, so packets pair up by time stamp even where one program
    // prints a line the other does not.
    let (t, v, tv) = (by_second(&t), by_second(&v), by_second(&tv));
    for (i, mutant) in changes.iter().enumerate() {
        let change = &mutant.change;
        let (Some(tp), Some(vp)) = (t.get(&i), v.get(&i)) else {
            tally.failed.push(format!(
                "{} #{}: tcpdump {:?} vxdump {:?}",
                file.display(),
                i + 1,
                t.get(&i),
                v.get(&i)
            ));
            continue;
        };
        let alt;
        let tp = match tv.get(&i) {
            Some(a) if tp.contains("OTV,") => {
                // `-T vxlan` skips the UDP checksum note that the port path prints at -vv.
                alt = match (tp.find(": ["), tp.find("] OTV, ")) {
                    (Some(s), Some(e)) if s < e => {
                        a.replacen(": VXLAN, ", &format!(": {}VXLAN, ", &tp[s + 2..e + 2]), 1)
                    }
                    _ => a.clone(),
                };
                &alt
            }
            _ => tp,
        };
        if tp == vp || (vp.contains("VXLAN, flags [G") && gbp_as_tcpdump(vp) == *tp) {
            tally.equal += 1;
        } else if tp.contains("BCM-LI-SHIM") || tp.contains("[|bcm_li]") {
            tally.port_49152 += 1;
        } else if outside(tp, &gbp_as_tcpdump(vp), OUTSIDE_MUTANTS, true) {
            tally.outside += 1;
        } else if tcpdump_bug(&mutant.data, link).is_some() {
            tally.bugs += 1;
        } else {
            tally.failed.push(format!(
                "{} #{} {} ({change:?}):\n  tcpdump: {tp}\n  vxdump:  {vp}",
                file.display(),
                i + 1,
                args.join(" ")
            ));
        }
    }
}

#[test]
fn mutants_print_as_tcpdump_prints_them() {
    if !require(Path::new(TCPDUMP).exists(), TCPDUMP) {
        return;
    }
    let plan = Plan::from_env();
    let scratch = Scratch::new("mutants");
    let mut tallies: Vec<Tally> = FLAG_SETS.iter().map(|_| Tally::default()).collect();
    let mut mutants = 0;
    for (n, cap) in captures().iter().enumerate() {
        for (k, (bytes, link, changes)) in mutant_files(cap, n as u64, &plan).into_iter().enumerate() {
            let name = cap.file_stem().and_then(|s| s.to_str()).unwrap_or("capture");
            let file = scratch.file(&format!("{n:03}-{name}-{k}.pcap"), &bytes);
            mutants += changes.len();
            for (flags, tally) in FLAG_SETS.iter().zip(&mut tallies) {
                compare_file(&file, link, flags, &changes, tally);
            }
        }
    }
    let mut report = String::new();
    let mut ok = true;
    for (flags, t) in FLAG_SETS.iter().zip(&tallies) {
        let line = format!(
            "-nn {:<6} mutants {mutants}, packets {}: {} equal, {} tcpdump bugs, {} outside, {} port 49152, {} differ: {:.2} % agree (seed {})",
            flags.join(" "),
            t.total,
            t.equal,
            t.bugs,
            t.outside,
            t.port_49152,
            t.failed.len(),
            t.percent(),
            plan.seed
        );
        println!("{line}");
        ok &= t.percent() >= THRESHOLD && mutants > 1000;
        for f in &t.failed {
            let _ = writeln!(report, "{f}");
        }
    }
    if let Some(path) = std::env::var_os("VXWIRE_MUTANTS_REPORT") {
        std::fs::write(path, &report).expect("writing the report");
    }
    let first: Vec<&str> = report.split_inclusive("\n  vxdump:").take(10).collect();
    assert!(ok, "agreement with tcpdump under {THRESHOLD} %; first differences:\n{}", first.concat());
}

/// Writes the mutant pcap files of the current plan into `$VXWIRE_MUTANTS_OUT` (for
/// `fuzz/make-seeds.py`: the text printer's fuzz seeds). Run with
/// `cargo test --release --test mutants_tcpdump -- --ignored write_mutants`.
#[test]
#[ignore = "writes files for fuzz/make-seeds.py"]
fn write_mutants() {
    let dir =
        PathBuf::from(std::env::var_os("VXWIRE_MUTANTS_OUT").expect("set VXWIRE_MUTANTS_OUT to a directory"));
    std::fs::create_dir_all(&dir).expect("creating VXWIRE_MUTANTS_OUT");
    let plan = Plan::from_env();
    let mut written = 0;
    for (n, cap) in captures().iter().enumerate() {
        for (k, (bytes, _, changes)) in mutant_files(cap, n as u64, &plan).into_iter().enumerate() {
            std::fs::write(dir.join(format!("{n:03}-{k}.pcap")), &bytes).expect("writing a mutant file");
            written += changes.len();
        }
    }
    assert!(written > 1000, "only {written} mutants written");
    println!("{written} mutants in {}", dir.display());
}

#[test]
fn same_seed_same_mutants() {
    let cap = captures().into_iter().next().expect("a capture");
    let plan = Plan { per_capture: 5, per_packet: 4, seed: 7 };
    let a = mutant_files(&cap, 0, &plan);
    let b = mutant_files(&cap, 0, &plan);
    assert!(a.iter().map(|f| f.2.len()).sum::<usize>() >= 5, "mutants were made");
    assert_eq!(a.iter().map(|f| &f.0).collect::<Vec<_>>(), b.iter().map(|f| &f.0).collect::<Vec<_>>());
    let other = mutant_files(&cap, 0, &Plan { seed: 8, ..plan });
    assert_ne!(a[0].0, other[0].0, "another seed gives other mutants");
}
