//! Writes a reproducible capture with a realistic overlay mix, for benchmarks:
//! 5% plain (non-VXLAN) traffic; of the VXLAN frames 90% IPv4 underlay on 4789, 5% on 8472,
//! 5% IPv6 underlay, 10% with a GBP group policy ID; inside: TCP with payload, UDP, ICMP echo,
//! ARP, IGMPv2 and IGMPv3 reports. Frames are built with the crate's own builders (etherparse's
//! `PacketBuilder` for the inner TCP/UDP segments the crate does not build).
//!
//! ```text
//! cargo run --release --example gen_mix -- OUT.pcap [PACKETS=1000000] [SEED=1] [SHAPE=mix]
//! ```
//!
//! SHAPE `mix` is the above (inner TCP 40%, UDP 20%, ICMP 20%, ARP 10%, IGMP 10%, payloads up
//! to 1200 bytes, every TCP segment of a new conversation). SHAPE `pool` is a second, different
//! shape: small packets (payloads under 100 bytes), inner ARP 15%, ICMP 30%, TCP 25%, UDP 20%,
//! IGMP 10%, and every inner frame drawn from a pool of 20,000 made up front, so the capture holds
//! at most 20,000 TCP conversations, each seen again and again (the outer mix is the same).
use std::fs::File;
use std::io::BufWriter;
use std::net::{Ipv4Addr, Ipv6Addr};
use vxwire::build::{self, ArpSpec, EchoSpec, GroupRecordSpec, IgmpMessage, IgmpSpec, Outer, SrcPort};
use vxwire::capture::{CaptureWriter, Timestamp};
use vxwire::etherparse::PacketBuilder;
use vxwire::wire::igmp::RecordType;
use vxwire::wire::vxlan::{Gbp, Vni, VxlanHeader};
use vxwire::LinkType;
use vxwire::MacAddr;

/// xorshift64*: small, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// A number in 0..n.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn host_mac(vni: u32, host: u8) -> MacAddr {
    let v = vni.to_be_bytes();
    MacAddr::new(0x02, 0x00, v[2], v[3], 0x01, host)
}

fn host_ip(vni: u32, host: u8) -> Ipv4Addr {
    Ipv4Addr::new(10, (vni & 0xff) as u8, 0, host)
}

/// The inner traffic of a shape: cumulative percentages of TCP, UDP, ICMP, ARP, IGMPv2 (IGMPv3
/// the rest), and the largest payload.
struct Shape {
    cut: [u64; 5],
    max_payload: u64,
}

const MIX: Shape = Shape { cut: [40, 60, 80, 90, 95], max_payload: 1200 };
const POOL: Shape = Shape { cut: [25, 45, 75, 90, 95], max_payload: 100 };
/// Inner frames of the `pool` shape.
const POOL_SIZE: usize = 20_000;

/// Builds one inner Ethernet frame of a random kind into `out`.
fn inner_frame(rng: &mut Rng, vni: u32, out: &mut Vec<u8>, shape: &Shape) {
    out.clear();
    let a = 1 + rng.below(20) as u8;
    let b = 1 + rng.below(20) as u8;
    let (mac_a, mac_b, ip_a, ip_b) = (host_mac(vni, a), host_mac(vni, b), host_ip(vni, a), host_ip(vni, b));
    let mut buf = [0u8; 1600];
    let kind = rng.below(100);
    let payload_len = rng.below(shape.max_payload) as usize;
    let payload = vec![0x5a; payload_len];
    let [tcp, udp, icmp, arp, igmp2] = shape.cut;
    let n = match kind {
        // TCP with payload
        k if k < tcp => {
            let seq = rng.next() as u32;
            let builder = PacketBuilder::ethernet2(mac_a.octets(), mac_b.octets())
                .ipv4(ip_a.octets(), ip_b.octets(), 64)
                .tcp(40000 + rng.below(1000) as u16, 443, seq, 502)
                .ack(rng.next() as u32)
                .psh();
            builder.write(out, &payload).expect("TCP frame");
            return;
        }
        // UDP
        k if k < udp => {
            let builder = PacketBuilder::ethernet2(mac_a.octets(), mac_b.octets())
                .ipv4(ip_a.octets(), ip_b.octets(), 64)
                .udp(50000 + rng.below(1000) as u16, 53);
            builder.write(out, &payload[..payload_len.min(512)]).expect("UDP frame");
            return;
        }
        // ICMP echo
        k if k < icmp => build::icmp_echo(
            &mut buf,
            &EchoSpec::request(
                mac_a,
                mac_b,
                ip_a,
                ip_b,
                7,
                rng.below(60000) as u16,
                &payload[..56.min(payload_len)],
            ),
        ),
        // ARP
        k if k < arp => build::arp(&mut buf, &ArpSpec::request(mac_a, ip_a, ip_b)),
        // IGMPv2 report
        k if k < igmp2 => {
            let group = Ipv4Addr::new(239, 1, 1, rng.below(200) as u8);
            build::igmp(&mut buf, &IgmpSpec::new(mac_a, ip_a, IgmpMessage::V2Report { group }))
        }
        // IGMPv3 report with two records
        _ => {
            let sources = [Ipv4Addr::new(10, 9, 9, 9), ip_b];
            let records = [
                GroupRecordSpec {
                    record_type: RecordType::CHANGE_TO_EXCLUDE,
                    group: Ipv4Addr::new(239, 2, 2, rng.below(200) as u8),
                    sources: &[],
                    aux_data: &[],
                },
                GroupRecordSpec {
                    record_type: RecordType::ALLOW_NEW_SOURCES,
                    group: Ipv4Addr::new(232, 1, 1, 1),
                    sources: &sources,
                    aux_data: &[],
                },
            ];
            build::igmp(&mut buf, &IgmpSpec::new(mac_a, ip_a, IgmpMessage::V3Report { records: &records }))
        }
    };
    let n = n.expect("inner frame fits");
    out.extend_from_slice(&buf[..n]);
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: gen_mix OUT.pcap [PACKETS] [SEED] [mix|pool]")?;
    let count: u64 = args.next().map_or(Ok(1_000_000), |s| s.parse())?;
    let seed: u64 = args.next().map_or(Ok(1), |s| s.parse())?;
    let shape = args.next().unwrap_or_else(|| "mix".into());
    generate(&path, count, seed, &shape)?;
    eprintln!("gen_mix: wrote {count} packets to {path}");
    Ok(())
}

/// Writes `count` packets of shape `shape` (`mix` or `pool`) made from `seed` to `path`
/// (tests/vxdump_parallel.rs calls this too).
pub fn generate(path: &str, count: u64, seed: u64, shape: &str) -> Result<(), Box<dyn std::error::Error>> {
    let shape = match shape {
        "mix" => &MIX,
        "pool" => &POOL,
        s => return Err(format!("shape {s}: mix or pool").into()),
    };
    let mut rng = Rng(seed.max(1) ^ 0x9e37_79b9_7f4a_7c15);
    let vnis = [100u32, 200, 300, 4096, 70000];
    let mut pool = Vec::new();
    if std::ptr::eq(shape, &POOL) {
        for _ in 0..POOL_SIZE {
            let vni = vnis[rng.below(5) as usize];
            let mut f = Vec::new();
            inner_frame(&mut rng, vni, &mut f, shape);
            pool.push((vni, f));
        }
    }
    let mut w =
        CaptureWriter::new(BufWriter::with_capacity(1 << 20, File::create(path)?), LinkType::Ethernet)?;
    let (vtep_mac_a, vtep_mac_b) =
        (MacAddr::new(0x02, 0, 0, 0x18, 0, 1), MacAddr::new(0x02, 0, 0, 0x18, 0, 2));
    let mut inner = Vec::with_capacity(2048);
    let mut frame = vec![0u8; 2048];
    let (mut sec, mut usec) = (1_790_000_000u32, 0u32);
    for _ in 0..count {
        usec += 1 + rng.below(20) as u32;
        if usec >= 1_000_000 {
            sec += 1;
            usec -= 1_000_000;
        }
        let vni = if pool.is_empty() {
            let vni = vnis[rng.below(5) as usize];
            inner_frame(&mut rng, vni, &mut inner, shape);
            vni
        } else {
            let (vni, f) = &pool[rng.below(POOL_SIZE as u64) as usize];
            inner.clear();
            inner.extend_from_slice(f);
            *vni
        };
        let pick = rng.below(100);
        if pick < 5 {
            // Plain traffic on the underlay.
            w.write(Timestamp::from_micros(sec.into(), usec), &inner)?;
            continue;
        }
        let vtep_a = Ipv4Addr::new(198, 18, 0, 1 + rng.below(8) as u8);
        let vtep_b = Ipv4Addr::new(198, 18, 1, 1 + rng.below(8) as u8);
        let mut outer = match rng.below(100) {
            0..=89 => Outer::v4(vtep_mac_a, vtep_mac_b, vtep_a, vtep_b),
            90..=94 => {
                let mut o = Outer::v4(vtep_mac_a, vtep_mac_b, vtep_a, vtep_b);
                o.dst_port = 8472;
                o
            }
            _ => Outer::v6(
                vtep_mac_a,
                vtep_mac_b,
                Ipv6Addr::new(0xfd00, 0x18, 0, 0, 0, 0, 0, 1 + rng.below(8) as u16),
                Ipv6Addr::new(0xfd00, 0x18, 0, 0, 0, 0, 1, 1 + rng.below(8) as u16),
            ),
        };
        outer.src_port = SrcPort::FromInnerHash;
        let vni = Vni::try_from(vni)?;
        let header = if rng.below(10) == 0 {
            let gbp = Gbp {
                group_policy_id: 100 + rng.below(4) as u16,
                dont_learn: false,
                policy_applied: rng.below(2) == 0,
            };
            VxlanHeader::with_gbp(vni, gbp)
        } else {
            VxlanHeader::new(vni)
        };
        let n = build::vxlan_frame(&mut frame, &outer, &header, &inner)?;
        w.write(Timestamp::from_micros(sec.into(), usec), &frame[..n])?;
    }
    drop(w.into_inner());
    Ok(())
}
