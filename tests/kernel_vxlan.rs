//! Interop with the Linux kernel's VXLAN device: frames crafted by `vxinject` are delivered to a
//! kernel VTEP in a network namespace, and what the kernel answers (captured by tcpdump) or
//! records (its FDB, its counters) is checked. Needs root; see `common::netns::privileged`.
#![cfg(feature = "cli")]

mod common;

use common::netns::{Lab, Tcpdump, OVERLAY_IP, VTEP_IP, VTEP_IP6};
use common::{from_vtep, inner_arps, parse, INNER_IP, INNER_MAC};
use std::process::Output;
use vxwire::dissect::Header;
use vxwire::etherparse::Icmpv4Type;

fn arp_request(lab: &Lab, extra: &[&str]) -> Output {
    let mut args = vec!["-i", "veth0"];
    args.extend(extra);
    args.extend([
        "arp-request",
        "--sender-mac",
        INNER_MAC,
        "--sender-ip",
        INNER_IP,
        "--target-ip",
        OVERLAY_IP,
    ]);
    lab.vxinject(&args)
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "vxinject failed: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Sends an ARP request for the VTEP's overlay address and returns the ARP replies it encapsulated.
fn arp_exchange(lab: &Lab, vtep: &str, filter: &str, extra: &[&str]) -> Vec<(u16, String, String, String)> {
    let cap = Tcpdump::start(&lab.inj, "veth0", filter);
    let mut args = vec!["--vtep", vtep, "--vni", "100"];
    args.extend(extra);
    ok(&arp_request(lab, &args));
    std::thread::sleep(std::time::Duration::from_millis(300));
    let frames = cap.stop();
    eprintln!("captured {} frames, {} from the VTEP", frames.len(), from_vtep(&frames, vtep).len());
    inner_arps(&from_vtep(&frames, vtep)).into_iter().filter(|a| a.0 == 2).collect()
}

#[test]
fn kernel_answers_encapsulated_arp_with_its_vxlan_mac() {
    if !common::netns::privileged("kernel_answers_encapsulated_arp_with_its_vxlan_mac") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(4789, &[]);
    let mac = lab.vtep.mac("vxlan0");
    let replies = arp_exchange(&lab, VTEP_IP, "udp port 4789", &[]);
    assert_eq!(replies, vec![(2, mac, OVERLAY_IP.to_string(), INNER_IP.to_string())]);
}

/// Sends `count` echo requests (id 4660, sequence numbers from 7, 40 bytes of data) to the VTEP's
/// overlay address at `rate` and returns the sequence numbers of the echo replies it
/// encapsulated, in the order they came.
fn echo_exchange(lab: &Lab, count: u64, rate: &str) -> Vec<u16> {
    // The ARP request also gives the kernel a neighbour entry for 10.0.0.1, needed to answer.
    assert_eq!(arp_exchange(lab, VTEP_IP, "udp port 4789", &[]).len(), 1);
    let cap = Tcpdump::start(&lab.inj, "veth0", "udp port 4789");
    let vxlan_mac = lab.vtep.mac("vxlan0");
    let count = count.to_string();
    let o = lab.vxinject(&[
        "-i",
        "veth0",
        "--vtep",
        VTEP_IP,
        "--vni",
        "100",
        "-c",
        &count,
        "--rate",
        rate,
        "ping",
        "--src-mac",
        INNER_MAC,
        "--dst-mac",
        &vxlan_mac,
        "--src-ip",
        INNER_IP,
        "--dst-ip",
        OVERLAY_IP,
        "--id",
        "4660",
        "--seq",
        "7",
        "--size",
        "40",
    ]);
    ok(&o);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let frames = cap.stop();
    let expected_data: Vec<u8> = (0..40u8).map(|i| i + 8).collect();
    let mut seqs = Vec::new();
    for f in from_vtep(&frames, VTEP_IP) {
        let d = parse(f);
        for l in d.layers() {
            if let Header::Icmpv4(icmp) = &l.header {
                if let Icmpv4Type::EchoReply(h) = icmp.icmp_type() {
                    assert_eq!(h.id, 4660);
                    assert_eq!(icmp.payload(), &expected_data[..]);
                    seqs.push(h.seq);
                }
            }
        }
    }
    seqs
}

#[test]
fn kernel_echoes_icmp_over_vxlan() {
    if !common::netns::privileged("kernel_echoes_icmp_over_vxlan") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(4789, &[]);
    assert_eq!(echo_exchange(&lab, 2, "20"), vec![7, 8], "echo replies from the kernel");
}

#[test]
fn unpaced_echoes_go_out_in_batches_whole_and_in_order() {
    if !common::netns::privileged("unpaced_echoes_go_out_in_batches_whole_and_in_order") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(4789, &[]);
    // --rate 0 sends vxinject::SEND_BATCH frames per sendmmsg call: 70 is two whole batches and a
    // short one. Every request must reach the kernel, each with its own sequence number, in order.
    let before = lab.vtep.stat("vxlan0", "rx_packets");
    let seqs = echo_exchange(&lab, 70, "0");
    assert_eq!(seqs, (7..77).collect::<Vec<u16>>(), "echo replies from the kernel");
    // The ARP request and the 70 echo requests, decapsulated by the kernel VTEP.
    assert_eq!(lab.vtep.stat("vxlan0", "rx_packets") - before, 71);
}

#[test]
fn kernel_learns_inner_mac_behind_outer_source() {
    if !common::netns::privileged("kernel_learns_inner_mac_behind_outer_source") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(4789, &[]);
    // An outer source address nobody owns: the kernel learns from the header, not from ARP.
    let o = lab.vxinject(&[
        "-i",
        "veth0",
        "--vtep",
        VTEP_IP,
        "--vni",
        "100",
        "--src-ip",
        "198.18.0.77",
        "garp",
        "--sender-mac",
        "02:00:00:00:aa:01",
        "--sender-ip",
        "10.0.0.77",
    ]);
    ok(&o);
    let fdb = common::netns::wait_for(std::time::Duration::from_secs(2), || {
        let out = common::netns::run(std::process::Command::new("bridge").args([
            "-n",
            lab.vtep.name(),
            "fdb",
            "show",
            "dev",
            "vxlan0",
        ]));
        out.lines().any(|l| l.starts_with("02:00:00:00:aa:01 dst 198.18.0.77 ")).then_some(out)
    });
    assert!(fdb.is_some(), "bridge fdb show dev vxlan0 has no entry 02:00:00:00:aa:01 dst 198.18.0.77");
}

#[test]
fn gbp_device_answers_plain_device_drops() {
    if !common::netns::privileged("gbp_device_answers_plain_device_drops") {
        return;
    }
    let gbp_lab = Lab::new();
    gbp_lab.add_vxlan(4789, &["gbp"]);
    let replies = arp_exchange(&gbp_lab, VTEP_IP, "udp port 4789", &["--gbp", "42"]);
    assert_eq!(replies.len(), 1, "a gbp device answers a frame with group policy ID 42");

    let plain = Lab::new();
    plain.add_vxlan(4789, &[]);
    let before = plain.vtep.stat("vxlan0", "rx_errors") + plain.vtep.stat("vxlan0", "rx_frame_errors");
    assert!(
        arp_exchange(&plain, VTEP_IP, "udp port 4789", &["--gbp", "42"]).is_empty(),
        "a plain device answered GBP"
    );
    let after = plain.vtep.stat("vxlan0", "rx_errors") + plain.vtep.stat("vxlan0", "rx_frame_errors");
    assert_eq!(after - before, 2, "rx_errors and rx_frame_errors each count the dropped GBP frame");
}

/// `Udp: InDatagrams` of the namespace, from /proc/net/snmp.
fn udp_in_datagrams(lab: &Lab) -> u64 {
    let snmp = lab.vtep.sh("cat", &["/proc/net/snmp"]);
    let mut udp = snmp.lines().filter(|l| l.starts_with("Udp:"));
    let (names, values) = (udp.next().expect("Udp header"), udp.next().expect("Udp values"));
    let i = names.split_whitespace().position(|n| n == "InDatagrams").expect("InDatagrams");
    values.split_whitespace().nth(i).expect("value").parse().expect("number")
}

#[test]
fn frame_without_i_flag_is_refused_then_dropped() {
    if !common::netns::privileged("frame_without_i_flag_is_refused_then_dropped") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(4789, &[]);
    // Without --force, vxinject refuses and says why.
    let o = arp_request(&lab, &["--vtep", VTEP_IP, "--vni", "100", "--flags", "0x00"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("vxinject: ") && err.contains("I flag") && err.contains("--force"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // With --force the frame reaches the VTEP's UDP socket, which drops it without an answer.
    let before = udp_in_datagrams(&lab);
    assert!(arp_exchange(&lab, VTEP_IP, "udp port 4789", &["--flags", "0x00", "--force"]).is_empty());
    assert_eq!(udp_in_datagrams(&lab) - before, 1, "the frame arrived at the VTEP's socket");
    assert_eq!(lab.vtep.stat("vxlan0", "rx_packets"), 0);
}

#[test]
fn port_8472_device_answers() {
    if !common::netns::privileged("port_8472_device_answers") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(8472, &[]);
    let mac = lab.vtep.mac("vxlan0");
    let replies = arp_exchange(&lab, VTEP_IP, "udp port 8472", &["--port", "8472"]);
    assert_eq!(replies, vec![(2, mac, OVERLAY_IP.to_string(), INNER_IP.to_string())]);
}

#[test]
fn ipv6_underlay_device_answers() {
    if !common::netns::privileged("ipv6_underlay_device_answers") {
        return;
    }
    let lab = Lab::new();
    lab.add_vxlan(4789, &["local", VTEP_IP6]);
    let mac = lab.vtep.mac("vxlan0");
    // The VTEP's MAC is found by neighbour solicitation; the reply comes back over IPv6.
    let replies = arp_exchange(&lab, VTEP_IP6, "ip6 and udp port 4789", &[]);
    assert_eq!(replies, vec![(2, mac, OVERLAY_IP.to_string(), INNER_IP.to_string())]);
}
