//! IGMP inside the overlay: a kernel vxlan device is a port of a bridge with multicast snooping,
//! and the IGMP reports and leaves `vxinject` sends through it must show up in (and vanish from)
//! the bridge's multicast database (`bridge mdb show`). Needs root.
#![cfg(feature = "cli")]

mod common;

use common::netns::{run, wait_for, Lab, VTEP_IP};
use common::{INNER_IP, INNER_MAC};
use std::process::Command;
use std::time::Duration;

/// A lab whose vxlan0 is a fast-leave port of br0 (snooping on, IGMP version `igmp_version`).
fn bridge_lab(igmp_version: &str) -> Lab {
    let lab = Lab::new();
    lab.vtep.ip(&[
        "link",
        "add",
        "br0",
        "type",
        "bridge",
        "mcast_snooping",
        "1",
        "mcast_igmp_version",
        igmp_version,
    ]);
    lab.vtep.ip(&[
        "link", "add", "vxlan0", "type", "vxlan", "id", "100", "local", VTEP_IP, "dstport", "4789", "dev",
        "veth0",
    ]);
    lab.vtep.ip(&["link", "set", "vxlan0", "master", "br0"]);
    lab.vtep.ip(&["link", "set", "vxlan0", "up"]);
    lab.vtep.ip(&["link", "set", "br0", "up"]);
    // Fast leave: a leave removes the group at once instead of after the last-member queries.
    run(Command::new("bridge").args([
        "-n",
        lab.vtep.name(),
        "link",
        "set",
        "dev",
        "vxlan0",
        "fastleave",
        "on",
    ]));
    lab
}

/// The (group, source) entries of port vxlan0 in br0's multicast database ("" = any source).
fn mdb(lab: &Lab) -> Vec<(String, String)> {
    let out = run(Command::new("bridge").args(["-n", lab.vtep.name(), "-j", "mdb", "show", "dev", "br0"]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("bridge -j mdb: JSON");
    let mut entries = Vec::new();
    for table in v.as_array().into_iter().flatten() {
        for e in table["mdb"].as_array().into_iter().flatten() {
            if e["port"] == "vxlan0" {
                let s = |k: &str| e[k].as_str().unwrap_or("").to_string();
                entries.push((s("grp"), s("src")));
            }
        }
    }
    entries.sort();
    entries
}

fn igmp(lab: &Lab, action: &str, group: &str, version: &str, sources: &[&str]) {
    let mut args = vec![
        "-i",
        "veth0",
        "--vtep",
        VTEP_IP,
        "--vni",
        "100",
        action,
        "--src-mac",
        INNER_MAC,
        "--src-ip",
        INNER_IP,
        "--group",
        group,
        "--version",
        version,
    ];
    for s in sources {
        args.extend(["--source", s]);
    }
    let o = lab.vxinject(&args);
    assert!(o.status.success(), "vxinject {action}: {}", String::from_utf8_lossy(&o.stderr));
}

/// Waits until the vxlan0 entries equal `want`; returns what was seen last.
fn expect_mdb(lab: &Lab, want: &[(&str, &str)]) {
    let want: Vec<(String, String)> = want.iter().map(|(g, s)| (g.to_string(), s.to_string())).collect();
    let mut last = Vec::new();
    let ok = wait_for(Duration::from_secs(2), || {
        last = mdb(lab);
        (last == want).then_some(())
    });
    assert!(ok.is_some(), "bridge mdb on vxlan0: want {want:?}, have {last:?}");
}

#[test]
fn igmpv2_report_and_leave_through_vxlan() {
    if !common::netns::privileged("igmpv2_report_and_leave_through_vxlan") {
        return;
    }
    let lab = bridge_lab("2");
    expect_mdb(&lab, &[]);
    igmp(&lab, "igmp-join", "239.1.1.1", "2", &[]);
    expect_mdb(&lab, &[("239.1.1.1", "")]);
    igmp(&lab, "igmp-join", "239.1.1.2", "1", &[]);
    expect_mdb(&lab, &[("239.1.1.1", ""), ("239.1.1.2", "")]);
    igmp(&lab, "igmp-leave", "239.1.1.1", "2", &[]);
    expect_mdb(&lab, &[("239.1.1.2", "")]);
}

#[test]
fn igmpv3_report_and_leave_through_vxlan() {
    if !common::netns::privileged("igmpv3_report_and_leave_through_vxlan") {
        return;
    }
    let lab = bridge_lab("3");
    igmp(&lab, "igmp-join", "239.2.2.2", "3", &[]);
    igmp(&lab, "igmp-join", "239.3.3.3", "3", &["10.0.0.9"]);
    // An any-source join (TO_EX {}) and a source-specific one (ALLOW {10.0.0.9}), which the
    // bridge lists as the group plus its (S,G) entry.
    expect_mdb(&lab, &[("239.2.2.2", ""), ("239.3.3.3", ""), ("239.3.3.3", "10.0.0.9")]);
    igmp(&lab, "igmp-leave", "239.2.2.2", "3", &[]);
    igmp(&lab, "igmp-leave", "239.3.3.3", "3", &["10.0.0.9"]);
    expect_mdb(&lab, &[]);
}
