//! `vxdump -i`: live capture in a network namespace pair made by the test, compared with what
//! tcpdump 4.99.3 captured at the same time on the same interface and then printed with
//! `tcpdump -nn -v -r`.
//!
//! The frames are sent by the `vxinject` binary from the `inj` namespace to the `vtep`
//! namespace, whose kernel VXLAN device has VNI 100 and so drops our VNI 4242 frames silently
//! (no ICMP port unreachable that would add packets). Root only; see `common::netns::privileged`.

mod common;

use common::netns::{privileged, Lab, Tcpdump, INJ_IP, VTEP_IP, VTEP_MAC, VXLAN_MAC};
use common::{INNER_IP, INNER_MAC};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const VNI: &str = "4242";

/// `vxdump -i` running in a namespace; killed on drop (also when the test fails).
struct Vxdump {
    child: Child,
    stdout: Option<ChildStdout>,
    stderr: mpsc::Receiver<String>,
}

impl Vxdump {
    /// Starts `vxdump ARGS` on `veth0` in the VTEP namespace and waits for its `listening on` line.
    fn start(lab: &Lab, args: &[&str]) -> Vxdump {
        Vxdump::start_on(lab, "veth0", "EN10MB (Ethernet)", args)
    }

    /// Starts `vxdump ARGS` in the VTEP namespace; it must say it listens on `iface` with `link`.
    fn start_on(lab: &Lab, iface: &str, link: &str, args: &[&str]) -> Vxdump {
        let mut child = lab
            .vtep
            .command(env!("CARGO_BIN_EXE_vxdump"), args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("vxdump");
        let stdout = child.stdout.take();
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take().expect("vxdump stderr");
        std::thread::spawn(move || {
            for l in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
        let v = Vxdump { child, stdout, stderr: rx };
        let first = v.stderr.recv_timeout(Duration::from_secs(10)).expect("vxdump said nothing");
        assert_eq!(
            first,
            format!("vxdump: listening on {iface}, link-type {link}, snapshot length 262144 bytes")
        );
        v
    }

    /// Waits (at most 10 s) for vxdump to exit by itself; returns stdout and the rest of stderr.
    fn wait(mut self) -> (String, Vec<String>) {
        let t = Instant::now();
        while self.child.try_wait().expect("vxdump wait").is_none() {
            assert!(t.elapsed() < Duration::from_secs(10), "vxdump did not stop after -c");
            std::thread::sleep(Duration::from_millis(20));
        }
        let status = self.child.wait().expect("vxdump status");
        let mut out = String::new();
        if let Some(mut s) = self.stdout.take() {
            s.read_to_string(&mut out).expect("vxdump stdout");
        }
        let err: Vec<String> = self.stderr.try_iter().collect();
        assert!(status.success(), "vxdump failed ({status}): {err:?}\n{out}");
        (out, err)
    }
}

impl Drop for Vxdump {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends one batch of frames with `vxinject` from the injector namespace (VNI 4242, our MAC
/// given so no ARP is needed, as fast as possible).
fn inject(lab: &Lab, extra: &[&str], what: &[&str]) {
    let mut args =
        vec!["-i", "veth0", "--vtep", VTEP_IP, "--vtep-mac", VTEP_MAC, "--vni", VNI, "--rate", "0"];
    args.extend_from_slice(extra);
    args.extend_from_slice(what);
    let out = lab.vxinject(&args);
    assert!(out.status.success(), "vxinject {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

const PING: &[&str] =
    &["ping", "--src-mac", INNER_MAC, "--dst-mac", VXLAN_MAC, "--src-ip", INNER_IP, "--dst-ip", "10.0.0.2"];

/// Sends the mix every test uses; returns how many frames it sent.
fn send_mix(lab: &Lab) -> usize {
    inject(lab, &["-c", "3"], PING);
    inject(
        lab,
        &[],
        &["arp-request", "--sender-mac", INNER_MAC, "--sender-ip", INNER_IP, "--target-ip", "10.0.0.2"],
    );
    inject(
        lab,
        &[],
        &[
            "igmp-join",
            "--src-mac",
            INNER_MAC,
            "--src-ip",
            INNER_IP,
            "--group",
            "239.1.1.1",
            "--version",
            "3",
        ],
    );
    inject(lab, &["--gbp", "42", "--gbp-dont-learn"], PING);
    6
}

/// Splits `-tt` output into (epoch seconds of each packet, the text with the timestamps cut).
/// A packet's first line starts with `SECONDS.MICROS `; other lines (indented ones and the inner
/// packet's) do not.
fn strip_epoch(out: &str) -> (Vec<f64>, String) {
    let mut ts = Vec::new();
    let mut text = String::new();
    for line in out.lines() {
        let stamp = line.split_once(' ').filter(|(t, _)| {
            t.split_once('.').is_some_and(|(s, u)| {
                !s.is_empty() && u.len() == 6 && s.bytes().chain(u.bytes()).all(|b| b.is_ascii_digit())
            })
        });
        match stamp {
            Some((t, rest)) => {
                ts.push(t.parse::<f64>().unwrap_or_else(|e| panic!("timestamp {t}: {e}")));
                text.push_str(rest);
            }
            None => text.push_str(line),
        }
        text.push('\n');
    }
    (ts, text)
}

fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs_f64()
}

/// tcpdump prints a GBP header's flags byte only; vxdump decodes it (the rest is identical).
fn gbp_as_tcpdump(s: &str) -> String {
    s.replace("flags [G,I] (0x88), gbp-flags [D] (0x40), group-policy-id 42, ", "flags [I] (0x88), ")
}

#[test]
fn live_capture_prints_like_tcpdump() {
    if !privileged("live_capture_prints_like_tcpdump") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(4789, &[]);
    let mut tcpdump = Tcpdump::start(&lab.vtep, "veth0", "udp port 4789");
    let before = now();
    let n = 6;
    let vx = Vxdump::start(&lab, &["-i", "veth0", "-nn", "-v", "-tt", "--vni", VNI, "-c", &n.to_string()]);
    assert_eq!(send_mix(&lab), n);
    let (out, err) = vx.wait();
    let after = now();
    assert_eq!(err, vec![format!("{n} packets captured")]);
    let (ts, live) = strip_epoch(&out);
    assert_eq!(ts.len(), n, "packets printed:\n{out}");
    for t in &ts {
        assert!(*t >= before - 1.0 && *t <= after + 1.0, "timestamp {t} not within [{before}, {after}]");
    }
    assert!(ts.windows(2).all(|w| w[0] <= w[1]), "timestamps go back: {ts:?}");
    assert!(live.contains(&format!("{INJ_IP}.")), "outer source missing:\n{live}");
    assert!(live.contains("group-policy-id 42"), "GBP not decoded live:\n{live}");

    // Give tcpdump a moment to write the last frames, then compare.
    std::thread::sleep(Duration::from_millis(200));
    let path = tcpdump.halt().to_path_buf();
    let path = path.to_str().expect("path");
    let reference = common::netns::run(Command::new("tcpdump").args(["-nn", "-v", "-t", "-r", path]));
    assert_eq!(gbp_as_tcpdump(&live), reference, "vxdump -i vs tcpdump -r of the same frames");
    // And vxdump reading tcpdump's file prints exactly what it printed live.
    let reread =
        common::netns::run(Command::new(env!("CARGO_BIN_EXE_vxdump")).args(["-nn", "-v", "-t", "-r", path]));
    assert_eq!(live, reread, "vxdump -i vs vxdump -r of tcpdump's capture");
}

#[test]
fn live_json_and_ctrl_c() {
    if !privileged("live_json_and_ctrl_c") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(4789, &[]);
    // No -c: it runs until SIGINT. -l: each packet reaches the pipe at once.
    let mut vx = Vxdump::start(&lab, &["-i", "veth0", "--json", "-l", "--vni", VNI]);
    let mut lines = BufReader::new(vx.stdout.take().expect("stdout")).lines();
    inject(&lab, &[], PING);
    // With -l the line arrives while vxdump is still running.
    let first = lines.next().expect("a JSON line").expect("read");
    let v: serde_json::Value = serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first}"));
    assert!(first.contains("\"vni\":4242"), "{first}");
    assert!(v.is_object());
    assert!(vx.child.try_wait().expect("wait").is_none(), "vxdump stopped without -c");
    inject(&lab, &["--gbp", "7", "--gbp-policy-applied"], PING);
    let second = lines.next().expect("a second JSON line").expect("read");
    assert!(second.contains("\"vni\":4242"), "{second}");
    assert!(second.contains("gbp"), "{second}");
    let pid = vx.child.id().to_string();
    common::netns::run(Command::new("kill").args(["-INT", &pid]));
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.is_empty(), "more output after SIGINT: {rest:?}");
    vx.stdout = None;
    let (_, err) = vx.wait();
    assert_eq!(err, vec!["2 packets captured".to_string()]);
}

#[test]
fn live_errors_are_one_line() {
    if !privileged("live_errors_are_one_line") {
        return;
    }
    let lab = Lab::new();
    let out = lab.vtep.output(env!("CARGO_BIN_EXE_vxdump"), &["-i", "nosuch0"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "vxdump: nosuch0: no such interface\n");
    // Without CAP_NET_RAW (as user nobody).
    let out = lab.vtep.output(
        "setpriv",
        &["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_vxdump"), "-i", "veth0"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "vxdump: veth0: you need CAP_NET_RAW (run as root), or read a file with -r\n"
    );
}

/// Attaches to a tun device, then writes each hex packet given on the command line into it
/// (so the kernel receives them on the device) when told to on standard input.
const TUN_WRITER: &str = r#"
import fcntl, os, struct, sys
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", sys.argv[1].encode(), 0x0001 | 0x1000))  # TUNSETIFF, IFF_TUN|IFF_NO_PI
print("attached", flush=True)
sys.stdin.readline()
for h in sys.argv[2:]:
    os.write(fd, bytes.fromhex(h))
print("written", flush=True)
sys.stdin.readline()
"#;

#[test]
fn live_capture_on_a_tun_device_is_raw_ip() {
    if !privileged("live_capture_on_a_tun_device_is_raw_ip") {
        return;
    }
    let lab = Lab::new();
    // The frames, written by vxinject to a file: Ethernet + IPv4 + UDP + VXLAN + inner ping.
    let dir = std::env::temp_dir().join(format!("vxdump-live-tun-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    struct Rm(std::path::PathBuf);
    impl Drop for Rm {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    let _rm = Rm(dir.clone());
    let file = dir.join("ping.pcap");
    let file = file.to_str().expect("path");
    inject(&lab, &["-c", "2", "-w", file], PING);
    let frames = common::frames(&std::path::PathBuf::from(file));
    assert_eq!(frames.len(), 2);
    // tcpdump prints an Ethernet capture without -e just as the bare IP packets.
    let reference = common::netns::run(Command::new("tcpdump").args(["-nn", "-v", "-t", "-r", file]));

    lab.vtep.ip(&["tuntap", "add", "mode", "tun", "dev", "tun0"]);
    let mut args = vec!["-c".to_string(), TUN_WRITER.to_string(), "tun0".to_string()];
    args.extend(frames.iter().map(|f| f.data[14..].iter().map(|b| format!("{b:02x}")).collect::<String>()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut writer = lab
        .vtep
        .command("python3", &args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    struct Kill(Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut said = BufReader::new(writer.stdout.take().expect("stdout")).lines();
    let mut stdin = writer.stdin.take().expect("stdin");
    let _writer = Kill(writer);
    assert_eq!(said.next().expect("attached").expect("read"), "attached");
    lab.vtep.ip(&["link", "set", "tun0", "up"]);

    let vx = Vxdump::start_on(
        &lab,
        "tun0",
        "RAW (Raw IP)",
        &["-i", "tun0", "-nn", "-v", "-t", "--vni", VNI, "-c", "2"],
    );
    use std::io::Write;
    writeln!(stdin).expect("tell the writer");
    assert_eq!(said.next().expect("written").expect("read"), "written");
    let (out, err) = vx.wait();
    assert_eq!(err, vec!["2 packets captured".to_string()]);
    assert_eq!(out, reference, "vxdump -i tun0 vs tcpdump -r of the Ethernet frames");
}

#[test]
fn live_summary_after_count() {
    if !privileged("live_summary_after_count") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(4789, &[]);
    let vx = Vxdump::start(&lab, &["-i", "veth0", "--summary", "--vni", VNI, "-c", "3"]);
    inject(&lab, &["-c", "3"], PING);
    let (out, err) = vx.wait();
    assert_eq!(err, vec!["3 packets captured".to_string()]);
    // 3 frames of 148 bytes (14 Ethernet + 20 IPv4 + 8 UDP + 8 VXLAN + 98 inner ping).
    assert!(out.starts_with("3 packets (444 bytes), 3 VXLAN (444 bytes)"), "{out}");
    assert!(out.contains(&format!("vni {VNI}: 3 packets, 444 bytes")), "{out}");
}

/// The `-tt` timestamps (microseconds) tcpdump prints for a capture, read inside `ns`.
fn tcpdump_times(ns: &common::netns::Netns, path: &str) -> Vec<i64> {
    let out = ns.sh("tcpdump", &["-nn", "-tt", "-r", path]);
    out.lines()
        .filter_map(|l| l.split_once(' ').map(|(t, _)| t))
        .filter_map(|t| t.split_once('.'))
        .filter_map(|(s, u)| Some(s.parse::<i64>().ok()? * 1_000_000 + u.parse::<i64>().ok()?))
        .collect()
}

#[test]
fn live_any_is_linux_cooked_v2_with_the_kernels_timestamps() {
    if !privileged("live_any_is_linux_cooked_v2_with_the_kernels_timestamps") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(4789, &[]);
    let mut tcpdump = Tcpdump::start(&lab.vtep, "any", "udp port 4789");
    let n = 6;
    let args = ["-i", "any", "-nn", "-v", "-tt", "--vni", VNI, "-c", &n.to_string()];
    let vx = Vxdump::start_on(&lab, "any", "LINUX_SLL2 (Linux cooked v2)", &args);
    assert_eq!(send_mix(&lab), n);
    let (out, err) = vx.wait();
    assert_eq!(err, vec![format!("{n} packets captured")]);
    let (ts, live) = strip_epoch(&out);
    assert_eq!(ts.len(), n, "{out}");
    // Each frame once, on the underlay NIC, as tcpdump -i any shows it: "veth0 In  IP ...".
    assert_eq!(live.lines().filter(|l| l.starts_with("veth0 In  IP ")).count(), n, "{live}");
    std::thread::sleep(Duration::from_millis(200));
    let path = tcpdump.halt().to_path_buf();
    let path = path.to_str().expect("path");
    // Interface indexes are the VTEP namespace's: tcpdump reads its capture there.
    let reference = lab.vtep.sh("tcpdump", &["-nn", "-v", "-t", "-r", path]);
    assert_eq!(gbp_as_tcpdump(&live), reference, "vxdump -i any vs tcpdump -i any of the same frames");
    // The kernel stamped each frame once on receipt; both tools print that time, to the microsecond.
    let ours: Vec<i64> = ts.iter().map(|t| (t * 1e6).round() as i64).collect();
    assert_eq!(ours, tcpdump_times(&lab.vtep, path), "kernel receive times");
}

#[test]
fn live_timestamps_are_the_kernels_receive_times() {
    if !privileged("live_timestamps_are_the_kernels_receive_times") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(4789, &[]);
    let mut tcpdump = Tcpdump::start(&lab.vtep, "veth0", "udp port 4789");
    // vxdump is stopped while the frames arrive: they wait in its socket, and their times must
    // be when the kernel received them, not when vxdump read them.
    let n = 6;
    let vx = Vxdump::start(&lab, &["-i", "veth0", "-nn", "-tt", "--vni", VNI, "-c", &n.to_string()]);
    let pid = vx.child.id().to_string();
    common::netns::run(Command::new("kill").args(["-STOP", &pid]));
    assert_eq!(send_mix(&lab), n);
    std::thread::sleep(Duration::from_millis(700));
    let resumed = now();
    common::netns::run(Command::new("kill").args(["-CONT", &pid]));
    let (out, _) = vx.wait();
    let (ts, _) = strip_epoch(&out);
    assert_eq!(ts.len(), n, "{out}");
    assert!(ts.iter().all(|t| *t < resumed - 0.5), "stamped on receipt, not when read: {ts:?} vs {resumed}");
    std::thread::sleep(Duration::from_millis(200));
    let path = tcpdump.halt().to_path_buf();
    let ours: Vec<i64> = ts.iter().map(|t| (t * 1e6).round() as i64).collect();
    assert_eq!(ours, tcpdump_times(&lab.vtep, path.to_str().expect("path")), "{out}");
}
