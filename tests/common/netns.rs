//! Network namespaces for kernel interop tests.
//!
//! Every [`Lab`] is two fresh namespaces, `inj` (the injector, where `vxinject` runs) and `vtep`
//! (where a kernel VXLAN device lives), joined by a veth pair named `veth0` on both sides:
//!
//! ```text
//!  ns inj: veth0 198.18.0.1/24 fd00:18::1/64  <---->  ns vtep: veth0 198.18.0.2/24 fd00:18::2/64
//!                                                        vxlan0 (added by the test), 10.0.0.2/24
//! ```
//!
//! Names carry the process id and a counter, so tests may run in parallel and beside other
//! processes' namespaces; every link is created inside a namespace, never in the host's. The
//! namespaces are deleted by `Drop`, also when the test fails.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The injector's underlay address.
pub const INJ_IP: &str = "198.18.0.1";
/// The VTEP's underlay address.
pub const VTEP_IP: &str = "198.18.0.2";
/// The injector's IPv6 underlay address.
pub const INJ_IP6: &str = "fd00:18::1";
/// The VTEP's IPv6 underlay address.
pub const VTEP_IP6: &str = "fd00:18::2";
/// The injector's veth MAC.
pub const INJ_MAC: &str = "02:00:00:18:00:01";
/// The VTEP's veth MAC.
pub const VTEP_MAC: &str = "02:00:00:18:00:02";
/// The kernel VXLAN device's overlay address.
pub const OVERLAY_IP: &str = "10.0.0.2";
/// The kernel VXLAN device's MAC, set by [`Lab::add_vxlan`].
pub const VXLAN_MAC: &str = "02:00:00:00:01:02";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Whether the test may touch network namespaces. Without root it prints why it skips and
/// returns `false`, except when `CI` is set: there it panics, so a skip cannot go unnoticed.
pub fn privileged(test: &str) -> bool {
    let uid =
        Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let reason = match uid.as_deref() {
        Ok("0") => {
            let has = |tool: &str, arg: &str| Command::new(tool).arg(arg).output().is_ok();
            if !has("ip", "-V") || !has("bridge", "-V") {
                "the `ip` and `bridge` tools (iproute2) are missing"
            } else if !has("tcpdump", "--version") {
                "tcpdump is missing"
            } else {
                return true;
            }
        }
        Ok(_) => "it needs root (network namespaces, raw sockets)",
        Err(_) => "`id -u` failed",
    };
    if std::env::var_os("CI").is_some() {
        panic!("{test}: cannot run: {reason}, and CI is set");
    }
    std::io::Write::write_all(&mut std::io::stderr(), format!("skipping {test}: {reason}\n").as_bytes()).ok();
    false
}

/// Runs a command, panicking with its output when it fails.
pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    if !out.status.success() {
        panic!(
            "{cmd:?} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// One network namespace, deleted on drop.
pub struct Netns {
    name: String,
}

impl Netns {
    /// Creates `vxi<pid>x<counter><tag>` with its loopback up.
    pub fn new(tag: &str) -> Netns {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("vxi{}x{n}{tag}", std::process::id());
        run(Command::new("ip").args(["netns", "add", &name]));
        let ns = Netns { name };
        ns.ip(&["link", "set", "lo", "up"]);
        ns
    }

    /// The namespace's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `ip -n NS ARGS`, which must succeed; returns stdout.
    pub fn ip(&self, args: &[&str]) -> String {
        run(Command::new("ip").args(["-n", &self.name]).args(args))
    }

    /// A command run inside the namespace (`ip netns exec NS PROGRAM ARGS`), not yet started.
    pub fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name, program]).args(args);
        c
    }

    /// Runs a program inside the namespace and returns its output whatever its status.
    pub fn output(&self, program: &str, args: &[&str]) -> Output {
        self.command(program, args).output().unwrap_or_else(|e| panic!("{program}: {e}"))
    }

    /// Runs a program inside the namespace; it must succeed; returns stdout.
    pub fn sh(&self, program: &str, args: &[&str]) -> String {
        run(&mut self.command(program, args))
    }

    /// A counter from `/sys/class/net/DEV/statistics/NAME` inside the namespace.
    pub fn stat(&self, dev: &str, name: &str) -> u64 {
        let path = format!("/sys/class/net/{dev}/statistics/{name}");
        self.sh("cat", &[&path]).trim().parse().unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The MAC address of `dev`, read from `ip -j link`.
    pub fn mac(&self, dev: &str) -> String {
        let out = self.ip(&["-j", "link", "show", "dev", dev]);
        let v: serde_json::Value = serde_json::from_str(&out).expect("ip -j link: JSON");
        v[0]["address"].as_str().expect("ip -j link: address").to_string()
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.name]).output();
    }
}

/// Two namespaces joined by a veth pair, addressed as in the module documentation.
pub struct Lab {
    /// Where the injector runs.
    pub inj: Netns,
    /// Where the kernel VTEP runs.
    pub vtep: Netns,
}

impl Lab {
    /// Creates both namespaces and the veth pair (IPv6 without duplicate address detection).
    pub fn new() -> Lab {
        let inj = Netns::new("i");
        let vtep = Netns::new("v");
        inj.ip(&["link", "add", "veth0", "type", "veth", "peer", "name", "veth0", "netns", vtep.name()]);
        for (ns, mac, ip, ip6) in [(&inj, INJ_MAC, INJ_IP, INJ_IP6), (&vtep, VTEP_MAC, VTEP_IP, VTEP_IP6)] {
            ns.sh("sysctl", &["-q", "-w", "net.ipv6.conf.all.accept_dad=0"]);
            ns.ip(&["link", "set", "veth0", "address", mac]);
            ns.ip(&["addr", "add", &format!("{ip}/24"), "dev", "veth0"]);
            ns.ip(&["addr", "add", &format!("{ip6}/64"), "dev", "veth0", "nodad"]);
            ns.ip(&["link", "set", "veth0", "up"]);
        }
        Lab { inj, vtep }
    }

    /// Adds a kernel VXLAN device `vxlan0` in the VTEP namespace (VNI 100 on `port`, IPv4 underlay
    /// unless `extra` says otherwise), with MAC [`VXLAN_MAC`] and overlay address 10.0.0.2/24.
    pub fn add_vxlan(&self, port: u16, extra: &[&str]) {
        let port = port.to_string();
        let mut args =
            vec!["link", "add", "vxlan0", "type", "vxlan", "id", "100", "dstport", &port, "dev", "veth0"];
        if !extra.contains(&"local") {
            args.extend(["local", VTEP_IP]);
        }
        args.extend(extra);
        self.vtep.ip(&args);
        self.vtep.ip(&["link", "set", "vxlan0", "address", VXLAN_MAC]);
        self.vtep.ip(&["addr", "add", &format!("{OVERLAY_IP}/24"), "dev", "vxlan0"]);
        self.vtep.ip(&["link", "set", "vxlan0", "up"]);
    }

    /// Runs `vxinject ARGS` in the injector namespace and returns its output whatever its status.
    pub fn vxinject(&self, args: &[&str]) -> Output {
        self.inj.output(env!("CARGO_BIN_EXE_vxinject"), args)
    }
}

/// tcpdump writing a capture inside a namespace; stopped (and killed if need be) on drop.
pub struct Tcpdump {
    child: Option<Child>,
    path: PathBuf,
}

impl Tcpdump {
    /// Starts `tcpdump -i IFACE -U -w FILE FILTER` in `ns` and waits until it listens.
    ///
    /// In immediate mode libpcap's ring has one slot per snapshot length: 64 KiB slots in a
    /// 32 MiB buffer hold 512 frames, so a burst from an unpaced sender is not dropped while
    /// tcpdump waits for a CPU (with `-s 0` and the default 2 MiB, 8 frames filled it).
    pub fn start(ns: &Netns, iface: &str, filter: &str) -> Tcpdump {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("vxi{}x{n}.pcap", std::process::id()));
        let mut args = vec![
            "-i",
            iface,
            "-n",
            "-U",
            "--immediate-mode",
            "-s",
            "65535",
            "-B",
            "32768",
            "-w",
            path.to_str().expect("temp path"),
        ];
        args.extend(filter.split_whitespace());
        let mut child = ns
            .command("tcpdump", &args)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("tcpdump");
        let stderr = child.stderr.take().expect("tcpdump stderr");
        let mut lines = BufReader::new(stderr).lines();
        let t = Instant::now();
        let mut seen = String::new();
        loop {
            match lines.next() {
                Some(Ok(l)) if l.contains("listening on") => break,
                Some(Ok(l)) => seen.push_str(&l),
                _ => {
                    let _ = child.kill();
                    panic!("tcpdump did not start: {seen}");
                }
            }
            assert!(t.elapsed() < Duration::from_secs(10), "tcpdump did not start: {seen}");
        }
        // Keep draining stderr so tcpdump never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Tcpdump { child: Some(child), path }
    }

    /// Stops tcpdump (SIGINT, so it flushes) and returns the captured frames.
    pub fn stop(mut self) -> Vec<Vec<u8>> {
        self.finish();
        let f = std::fs::File::open(&self.path).expect("tcpdump capture");
        let mut r =
            vxwire::capture::CaptureReader::new(std::io::BufReader::new(f)).expect("tcpdump capture header");
        let mut frames = Vec::new();
        while let Some(p) = r.next_packet() {
            frames.push(p.expect("tcpdump record").data.to_vec());
        }
        frames
    }

    /// Stops tcpdump (SIGINT, so it flushes) and returns the path of its capture, which stays
    /// until `self` is dropped (for reading it back with `tcpdump -r` or `vxdump -r`).
    pub fn halt(&mut self) -> &std::path::Path {
        self.finish();
        &self.path
    }

    fn finish(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
            let t = Instant::now();
            while t.elapsed() < Duration::from_secs(5) {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Tcpdump {
    fn drop(&mut self) {
        self.finish();
        if std::env::var_os("VXI_KEEP").is_none() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Polls `f` every 50 ms until it returns `Some` or `timeout` passes.
pub fn wait_for<T>(timeout: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let t = Instant::now();
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if t.elapsed() >= timeout {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
