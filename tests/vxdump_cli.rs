//! vxdump as a command: golden outputs made by tcpdump, `--vni` against a tcpdump BPF filter,
//! broken and truncated files, closed pipes, `-c`, standard input.
//!
//! Golden files are `testdata/<capture>.<kind>.out`, written by Debian's tcpdump 4.99.3
//! (`testdata/gen/logs/golden-commands.txt` has the commands): `v` = `-nn -v`, `e` = `-nn -e -v`,
//! `vv` = `-nn -vv`, `x` = `-nn -v -x`, `nano.v` = `--time-stamp-precision=nano -nn -v`,
//! `T-vxlan.*` = the same with `-T vxlan`. Documented differences: GBP (normalised back to
//! tcpdump's form), UDP 8472 (compared with the `T-vxlan` goldens), Linux cooked v2 interface
//! names (tcpdump resolved them in an empty network namespace: not compared).

mod common;

use common::{require, Scratch};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const VXDUMP: &str = env!("CARGO_BIN_EXE_vxdump");
const TCPDUMP: &str = "/usr/bin/tcpdump";

fn testdata_dir() -> PathBuf {
    // VXDUMP_TESTDATA lets a developer point at captures not yet merged into this checkout.
    std::env::var_os("VXDUMP_TESTDATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata")))
}

fn vxdump(args: &[&str]) -> std::process::Output {
    Command::new(VXDUMP).args(args).env("TZ", "UTC").output().expect("run vxdump")
}

/// vxdump's GBP rendering turned back into tcpdump's (see tests/vxdump_conformance.rs).
fn gbp_as_tcpdump(s: &str) -> String {
    let mut out = String::new();
    for line in s.split_inclusive('\n') {
        match (line.find("VXLAN, flags [G"), line.find("group-policy-id ")) {
            (Some(i), Some(g)) => {
                let i_bit = line[i..].starts_with("VXLAN, flags [G,I]");
                let open = line[i..].find("] (0x").map(|o| i + o).unwrap_or(i);
                let after = &line[g + "group-policy-id ".len()..];
                let comma = after.find(", ").map_or(after.len(), |c| c + 2);
                out.push_str(&line[..i]);
                out.push_str(if i_bit { "VXLAN, flags [I] " } else { "VXLAN, flags [.] " });
                out.push_str(&line[open + 2..open + 8]);
                out.push_str(", ");
                out.push_str(&after[comma..]);
            }
            _ => out.push_str(line),
        }
    }
    out
}

#[test]
fn golden_outputs_from_tcpdump() {
    let dir = testdata_dir();
    let golden: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "out")).collect()
        })
        .unwrap_or_default();
    if !require(!golden.is_empty(), "testdata/*.out (golden tcpdump outputs)") {
        return;
    }
    let mut checked = 0;
    for g in golden {
        let name = g.file_name().unwrap().to_string_lossy().into_owned();
        let (flags, stem): (&[&str], &str) = if let Some(s) = name.strip_suffix(".T-vxlan.v.out") {
            (&["-v"], s)
        } else if let Some(s) = name.strip_suffix(".T-vxlan.e.out") {
            (&["-e", "-v"], s)
        } else if let Some(s) = name.strip_suffix(".nano.v.out") {
            (&["--time-stamp-precision=nano", "-v"], s)
        } else if let Some(s) = name.strip_suffix(".vv.out") {
            (&["-vv"], s)
        } else if let Some(s) = name.strip_suffix(".e.out") {
            (&["-e", "-v"], s)
        } else if let Some(s) = name.strip_suffix(".x.out") {
            (&["-v", "-x"], s)
        } else if let Some(s) = name.strip_suffix(".v.out") {
            (&["-v"], s)
        } else {
            continue;
        };
        // 8472: tcpdump 4.99.3 says OTV; only the -T vxlan goldens are comparable.
        if stem.contains("8472") && !name.contains("T-vxlan") {
            continue;
        }
        // SLL2 interface names were resolved by tcpdump inside an empty network namespace.
        if stem.contains("sll2") {
            continue;
        }
        let cap = if Path::new(stem).extension().is_some() {
            dir.join(stem)
        } else {
            dir.join(format!("{stem}.pcap"))
        };
        if !cap.exists() {
            continue;
        }
        let mut args = vec!["-nn"];
        args.extend_from_slice(flags);
        args.push(cap.to_str().unwrap());
        let out = vxdump(&args);
        assert!(out.status.success(), "{name}: vxdump failed: {}", String::from_utf8_lossy(&out.stderr));
        let got = gbp_as_tcpdump(&String::from_utf8_lossy(&out.stdout));
        let want = std::fs::read_to_string(&g).unwrap();
        if got != want {
            let (i, (a, b)) =
                want.lines().zip(got.lines()).enumerate().find(|(_, (a, b))| a != b).unwrap_or((0, ("", "")));
            panic!("{name}: line {} differs\n  tcpdump: {a}\n  vxdump:  {b}", i + 1);
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} golden files compared");
}

#[test]
fn vni_filter_matches_a_tcpdump_bpf_filter() {
    if !require(Path::new(TCPDUMP).exists(), TCPDUMP) {
        return;
    }
    let dir = testdata_dir();
    // Captures with an IPv4 underlay on port 4789 (BPF's udp[] works for IPv4 only).
    let cases =
        [("vxlan-4789-p2p.pcap", 100u32), ("vxlan-inner-igmp.pcap", 500), ("vxlan-mcast-group.pcap", 200)];
    let mut compared = 0;
    for (file, vni) in cases {
        let cap = dir.join(file);
        if !require(cap.exists(), &format!("testdata/{file}")) {
            continue;
        }
        let filter = format!("udp port 4789 and (udp[12:4] >> 8) = {vni}");
        let t = Command::new(TCPDUMP)
            .args(["-nn", "-v", "-r"])
            .arg(&cap)
            .arg(&filter)
            .env("TZ", "UTC")
            .output()
            .expect("run tcpdump");
        let vni_s = vni.to_string();
        let v = vxdump(&["-v", "--vni", &vni_s, cap.to_str().unwrap()]);
        assert!(v.status.success());
        assert!(!t.stdout.is_empty(), "{file}: the filter matched nothing");
        assert_eq!(
            String::from_utf8_lossy(&v.stdout),
            String::from_utf8_lossy(&t.stdout),
            "{file} --vni {vni}"
        );
        // A VNI that is not there prints nothing.
        let none = vxdump(&["--vni", "16777215", cap.to_str().unwrap()]);
        assert!(none.status.success() && none.stdout.is_empty(), "{file}: --vni 16777215 printed something");
        compared += 1;
    }
    let _ = compared;
}

#[test]
fn truncated_file_prints_what_it_can_and_exits_1_like_tcpdump() {
    let cap = testdata_dir().join("vxlan-4789-p2p.pcap");
    if !require(cap.exists() && Path::new(TCPDUMP).exists(), "testdata/vxlan-4789-p2p.pcap and tcpdump") {
        return;
    }
    let s = Scratch::new("trunc");
    let bytes = std::fs::read(&cap).unwrap();
    let cut = s.0.join("cut.pcap");
    // Cut inside the 12th record (the file has 20).
    std::fs::write(&cut, &bytes[..1500]).unwrap();
    let t = Command::new(TCPDUMP).args(["-nn", "-v", "-r"]).arg(&cut).env("TZ", "UTC").output().unwrap();
    let v = vxdump(&["-v", cut.to_str().unwrap()]);
    assert_eq!(String::from_utf8_lossy(&v.stdout), String::from_utf8_lossy(&t.stdout));
    assert_eq!(t.status.code(), Some(1));
    assert_eq!(v.status.code(), Some(1));
    let err = String::from_utf8_lossy(&v.stderr);
    assert_eq!(err.lines().count(), 1, "one line on stderr: {err}");
    assert!(err.starts_with(&format!("vxdump: {}: packet 12: truncated", cut.display())), "{err}");
}

#[test]
fn bad_files_give_one_line_and_exit_1() {
    let s = Scratch::new("bad");
    for (name, content, expect) in [
        ("garbage.pcap", &b"definitely not a capture"[..], "unknown file format"),
        ("empty.pcap", &b""[..], "empty file"),
        ("short.pcap", &[0xd4u8, 0xc3, 0xb2, 0xa1, 2, 0][..], "truncated"),
    ] {
        let p = s.0.join(name);
        std::fs::write(&p, content).unwrap();
        let v = vxdump(&[p.to_str().unwrap()]);
        assert_eq!(v.status.code(), Some(1), "{name}");
        assert!(v.stdout.is_empty(), "{name}: printed something");
        let err = String::from_utf8_lossy(&v.stderr);
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(
            err.starts_with(&format!("vxdump: {}: ", p.display())) && err.contains(expect),
            "{name}: {err}"
        );
    }
    let v = vxdump(&["/nonexistent/x.pcap"]);
    assert_eq!(v.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&v.stderr).starts_with("vxdump: /nonexistent/x.pcap: "));
}

#[test]
fn closed_pipe_exits_quietly_with_0() {
    let cap = testdata_dir().join("vxlan-4789-p2p.pcap");
    if !require(cap.exists(), "testdata/vxlan-4789-p2p.pcap") {
        return;
    }
    // A capture of ~20k packets: far more output than a pipe buffer holds.
    let s = Scratch::new("pipe");
    let src = std::fs::read(&cap).unwrap();
    let mut big = src.clone();
    for _ in 0..1000 {
        big.extend_from_slice(&src[24..]);
    }
    let p = s.0.join("big.pcap");
    std::fs::write(&p, &big).unwrap();
    let mut child =
        Command::new(VXDUMP).arg(&p).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut first = [0u8; 64];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn count_and_stdin() {
    let cap = testdata_dir().join("vxlan-4789-p2p.pcap");
    if !require(cap.exists(), "testdata/vxlan-4789-p2p.pcap") {
        return;
    }
    let all = vxdump(&[cap.to_str().unwrap()]);
    let three = vxdump(&["-c", "3", cap.to_str().unwrap()]);
    let s_all = String::from_utf8_lossy(&all.stdout);
    let s_three = String::from_utf8_lossy(&three.stdout);
    assert!(s_all.starts_with(&*s_three));
    // Two underlay ARP lines, then the first VXLAN packet: IP line, UDP/VXLAN line, inner ARP.
    assert_eq!(s_three.lines().count(), 5);
    let mut child = Command::new(VXDUMP)
        .args(["-nnv", "-r", "-"])
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&std::fs::read(&cap).unwrap()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, all.stdout);
}

#[test]
fn help_names_the_additions_and_its_examples_run() {
    let out = vxdump(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).expect("help is UTF-8");
    for word in
        ["GBP", "group-policy-id", "--summary", "--json", "--vni", "--vxlan-port", "-i <IFACE>", "Examples:"]
    {
        assert!(help.contains(word), "--help does not mention {word}:\n{help}");
    }
    // The GBP sample line is one vxdump really prints for testdata/vxlan-gbp.pcap.
    let gbp = testdata_dir().join("vxlan-gbp.pcap");
    let gbp = gbp.to_str().expect("path");
    let sample =
        help.lines().find(|l| l.trim_start().starts_with("VXLAN, flags [G")).expect("a GBP sample line");
    let printed = String::from_utf8(vxdump(&["-r", gbp]).stdout).expect("UTF-8");
    assert!(printed.contains(sample.trim()), "sample {sample:?} not in vxdump's output");
    // Every example that reads a file runs on that capture and prints something.
    let mut ran = 0;
    for line in help.lines().map(str::trim).filter(|l| l.starts_with("vxdump ") && l.contains("overlay.pcap"))
    {
        // Words as the shell splits them: '...' is one word (the filter examples).
        let words: Vec<&str> = line
            .split('\'')
            .enumerate()
            .flat_map(|(i, part)| if i % 2 == 1 { vec![part] } else { part.split_whitespace().collect() })
            .collect();
        let args: Vec<&str> = words
            .into_iter()
            .skip(1)
            .take_while(|a| *a != "|" && *a != "#")
            .map(|a| if a == "overlay.pcap" { gbp } else { a })
            .collect();
        let out = vxdump(&args);
        assert!(out.status.success(), "{line}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(!out.stdout.is_empty(), "{line}: no output");
        ran += 1;
    }
    assert!(ran >= 4, "only {ran} examples ran");
}

#[test]
fn local_times_follow_tz_like_tcpdump() {
    let cap = testdata_dir().join("vxlan-4789-p2p.pcap");
    if !require(cap.exists() && Path::new(TCPDUMP).exists(), "testdata/vxlan-4789-p2p.pcap and tcpdump") {
        return;
    }
    let run = |program: &str, tz: Option<&str>| {
        let mut c = Command::new(program);
        c.args(["-nn", "-v", "-r"]).arg(&cap);
        match tz {
            Some(tz) => c.env("TZ", tz),
            None => c.env_remove("TZ"),
        };
        String::from_utf8(c.output().expect("run").stdout).expect("utf-8")
    };
    // Unset (/etc/localtime), zone names with and without ':', an absolute path, POSIX rules,
    // empty (UTC) and a name that is neither a file nor a rule (UTC).
    let zones = [
        None,
        Some("America/New_York"),
        Some(":Asia/Kolkata"),
        Some("/usr/share/zoneinfo/Australia/Lord_Howe"),
        Some("EST5EDT,M3.2.0,M11.1.0"),
        Some("<+0330>-3:30"),
        Some(""),
        Some("No/Such_Zone"),
    ];
    for tz in zones {
        let t = run(TCPDUMP, tz);
        assert!(!t.is_empty(), "tcpdump printed nothing");
        assert_eq!(run(VXDUMP, tz), t, "TZ={tz:?}");
    }
    // The comparison can fail: with tzdata installed, New York's times are not UTC's.
    if Path::new("/usr/share/zoneinfo/America/New_York").exists() {
        assert_ne!(run(VXDUMP, Some("America/New_York")), run(VXDUMP, Some("UTC")));
    }
}
