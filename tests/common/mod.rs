//! Helpers shared by the integration tests: network namespaces for kernel interop, and reading
//! packets from captures nobody here wrote.
#![allow(dead_code)]

pub mod mutate;
pub mod netns;
pub mod tcpdump;

use std::fs::File;
use std::io::BufReader;
use std::net::IpAddr;
use std::path::PathBuf;
use vxwire::capture::CaptureReader;
use vxwire::dissect::{dissect, Config, Dissection, Header, LinkType};
use vxwire::MacAddr;

/// The injector's inner MAC in the overlay.
pub const INNER_MAC: &str = "02:00:00:00:00:01";
/// The injector's inner address in the overlay.
pub const INNER_IP: &str = "10.0.0.1";

/// Dissects an Ethernet frame with VXLAN on 4789 and 8472.
pub fn parse(frame: &[u8]) -> Dissection<'_> {
    dissect(frame, LinkType::Ethernet, &Config::default())
}

/// The outer IP source of a dissected frame.
pub fn outer_source(d: &Dissection<'_>) -> Option<IpAddr> {
    d.layers().find_map(|l| match &l.header {
        Header::Ipv4(h) if l.depth == 0 => Some(IpAddr::V4(h.source_addr())),
        Header::Ipv6(h) if l.depth == 0 => Some(IpAddr::V6(h.source_addr())),
        _ => None,
    })
}

/// The frames that carry VXLAN and come from `vtep`.
pub fn from_vtep<'a>(frames: &'a [Vec<u8>], vtep: &str) -> Vec<&'a [u8]> {
    let vtep: IpAddr = vtep.parse().expect("VTEP address");
    frames
        .iter()
        .map(Vec::as_slice)
        .filter(|f| {
            let d = parse(f);
            d.vxlan().is_some() && outer_source(&d) == Some(vtep)
        })
        .collect()
}

/// Formats a MAC like `ip` does.
pub fn mac_str(m: &[u8]) -> String {
    m.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
}

/// The inner ARP packets of VXLAN frames: (operation, sender MAC, sender IP, target IP).
pub fn inner_arps(frames: &[&[u8]]) -> Vec<(u16, String, String, String)> {
    let mut out = Vec::new();
    for f in frames {
        let d = parse(f);
        for l in d.layers() {
            if let Header::Arp(a) = &l.header {
                if l.depth == 1 {
                    let ip = |b: &[u8]| b.iter().map(u8::to_string).collect::<Vec<_>>().join(".");
                    out.push((
                        a.operation().0,
                        mac_str(a.sender_hw_addr()),
                        ip(a.sender_protocol_addr()),
                        ip(a.target_protocol_addr()),
                    ));
                }
            }
        }
    }
    out
}

/// A third-party capture, copied into `testdata/third-party/<rel>` (origin and licence in
/// `testdata/README.md`).
pub fn corpus(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/third-party")).join(rel)
}

/// A capture in `testdata/`; a file missing there is looked up in `$VXWIRE_TESTDATA` (e.g. a
/// checkout whose new captures are not merged yet).
pub fn testdata(rel: &str) -> PathBuf {
    let here = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata")).join(rel);
    match std::env::var_os("VXWIRE_TESTDATA") {
        Some(d) if !here.exists() => PathBuf::from(d).join(rel),
        _ => here,
    }
}

/// One captured frame: its bytes, link type and lengths.
#[derive(Clone, Debug)]
pub struct Frame {
    /// The captured bytes.
    pub data: Vec<u8>,
    /// The link type of the frame.
    pub link: LinkType,
    /// The original length on the wire.
    pub len: u32,
    /// Seconds since the epoch.
    pub ts_sec: i64,
    /// Nanoseconds.
    pub ts_nsec: u32,
}

impl Frame {
    /// Dissects the frame with the default configuration.
    pub fn dissect(&self) -> Dissection<'_> {
        dissect(&self.data, self.link, &Config::default())
    }
}

/// Every frame of a capture, in order.
pub fn frames(path: &PathBuf) -> Vec<Frame> {
    let f = File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut r = CaptureReader::new(BufReader::new(f)).unwrap();
    let mut out = Vec::new();
    while let Some(p) = r.next_packet() {
        let p = p.unwrap();
        out.push(Frame {
            data: p.data.to_vec(),
            link: p.link_type().expect("link type"),
            len: p.len,
            ts_sec: p.ts.secs(),
            ts_nsec: p.ts.nanos(),
        });
    }
    out
}

/// Packet `n` (from 1, as tshark and tcpdump -# number them) of a capture.
pub fn packet(path: &PathBuf, n: usize) -> Frame {
    frames(path).into_iter().nth(n - 1).unwrap_or_else(|| panic!("{} has no packet {n}", path.display()))
}

/// The first packet of a capture whose dissection satisfies `pred` (for kernel-made captures,
/// whose packet numbers may change when they are regenerated).
pub fn find(path: &PathBuf, pred: impl Fn(&Dissection<'_>) -> bool) -> Frame {
    frames(path)
        .into_iter()
        .find(|f| pred(&f.dissect()))
        .unwrap_or_else(|| panic!("{}: no packet matches", path.display()))
}

/// Short names of the layers, outer first (for readable assertions).
pub fn names(d: &Dissection<'_>) -> Vec<&'static str> {
    d.layers()
        .map(|l| match l.header {
            Header::Ethernet(_) => "eth",
            Header::Vlan(_) => "vlan",
            Header::LinuxSll(_) => "sll",
            Header::LinuxSll2(_) => "sll2",
            Header::Ipv4(_) => "ipv4",
            Header::Ipv6(_) => "ipv6",
            Header::Ipv6Ext(_) => "ipv6ext",
            Header::Udp(_) => "udp",
            Header::Tcp(_) => "tcp",
            Header::Icmpv4(_) => "icmp",
            Header::Icmpv6(_) => "icmpv6",
            Header::Arp(_) => "arp",
            Header::Igmp(_) => "igmp",
            Header::Vxlan(_) => "vxlan",
            Header::VxlanGpe(_) => "vxlan-gpe",
        })
        .collect()
}

/// Parses a MAC address written `aa:bb:cc:dd:ee:ff`.
pub fn mac(s: &str) -> MacAddr {
    s.parse().unwrap()
}

/// Decodes a hex string.
pub fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// Skips (with a message) when a prerequisite is missing, unless `CI` is set: there the test
/// fails instead. The message is written to stderr directly: the test harness swallows
/// `eprintln!` of a passing test, and a skip nobody sees is a silent one.
pub fn require(ok: bool, what: &str) -> bool {
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "{what} is missing and CI is set");
        std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("skipping: {what} is missing (set CI to make this a failure)\n").as_bytes(),
        )
        .ok();
    }
    ok
}

/// A scratch directory for a test's files, removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A fresh directory under the system's temporary directory, named after `tag` and this
    /// process.
    pub fn new(tag: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("vxwire-test-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&p).expect("scratch dir");
        Scratch(p)
    }

    /// Writes `bytes` to the file `name` in the directory and returns its path.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).expect("write scratch file");
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
