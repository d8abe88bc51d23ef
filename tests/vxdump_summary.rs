//! `vxdump --summary` end to end: the learned table it prints for the multicast-group capture is
//! the kernel's own `bridge fdb show` (recorded when the capture was made), and `--json` carries
//! the same entries.
use std::process::Command;

const CAP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/vxlan-mcast-group.pcap");
const FDB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/vxlan-mcast-group.fdb.txt");
const VTEP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/vxlan-mcast-group.vtep.txt");

/// `key=value` from the VTEP description written by testdata/gen/make-captures.sh.
fn vtep(key: &str) -> String {
    let text = std::fs::read_to_string(VTEP).unwrap();
    text.lines().find_map(|l| l.strip_prefix(&format!("{key}="))).unwrap().to_string()
}

/// The kernel's learned (non-permanent) entries, as `bridge fdb show` printed them.
fn kernel_learned() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_to_string(FDB)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("permanent") && !l.trim().is_empty())
        .map(|l| l.trim().to_string())
        .collect();
    v.sort();
    v
}

fn vxdump(extra: &[&str]) -> String {
    let (ip, group, mac) = (vtep("underlay_ip"), vtep("group"), vtep("vxlan_mac"));
    let mut args = vec!["--summary", "--vtep", &ip, "--vtep", &group, "--vtep-mac", &mac];
    args.extend_from_slice(extra);
    args.push(CAP);
    let o = Command::new(env!("CARGO_BIN_EXE_vxdump")).args(&args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn text_fdb_lines_equal_the_kernels() {
    let out = vxdump(&[]);
    let section = out.split("== Learned forwarding table").nth(1).expect("fdb section");
    let section = section.split("\n== ").next().unwrap();
    let mut ours: Vec<String> =
        section.lines().filter(|l| l.contains(" dst ")).map(|l| l.trim().to_string()).collect();
    ours.sort();
    assert_eq!(ours, kernel_learned());
}

#[test]
fn json_document_has_the_same_entries() {
    let out = vxdump(&["--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    let text = v.to_string();
    for line in kernel_learned() {
        // "02:00:00:00:02:03 dst 198.18.1.3 self": the MAC and the VTEP address are in the JSON.
        let mut parts = line.split_whitespace();
        let (mac, dst) = (parts.next().unwrap(), parts.nth(1).unwrap());
        assert!(text.contains(&format!("\"{mac}\"")) && text.contains(&format!("\"{dst}\"")), "{line}");
    }
}

#[test]
fn summary_options_need_summary() {
    let o = Command::new(env!("CARGO_BIN_EXE_vxdump")).args(["--mtu", "9000", CAP]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}
