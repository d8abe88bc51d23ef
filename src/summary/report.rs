//! The text and JSON forms of a [`Summary`].

use super::{Capped, Membership, ProblemKind, Queries, Seen, Summary, NO_VNI};
use crate::wire::igmp::RecordType;
use crate::wire::mac::MacAddr;
use serde_json::{json, Map, Value};
use std::format;
use std::io::{self, Write};
use std::string::{String, ToString};
use std::vec::Vec;

/// `aa:bb:cc:dd:ee:ff`, as `bridge fdb show` and tcpdump print MACs.
pub(crate) fn mac_str(m: &MacAddr) -> String {
    m.to_string()
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `2024-05-01T19:55:21.416438123Z` (UTC, nanoseconds).
pub(crate) fn ts_str(s: &Seen) -> String {
    let days = s.ts_sec.div_euclid(86_400);
    let secs = s.ts_sec.rem_euclid(86_400);
    let (y, mo, d) = civil(days);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{:09}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        s.ts_nsec
    )
}

fn seen_json(s: &Seen) -> Value {
    json!({ "n": s.n, "ts": ts_str(s) })
}

fn problem_description(k: ProblemKind) -> String {
    match k {
        ProblemKind::IFlagClear => "VXLAN I flag clear: a Linux VTEP drops it (VXLAN_INVALID_HDR)".into(),
        ProblemKind::ReservedBits => "reserved VXLAN header bits set: a Linux VTEP drops it (VXLAN_INVALID_HDR)".into(),
        ProblemKind::GbpNotUsed => {
            "GBP (G bit) to a VTEP/port that never sent GBP: a Linux VTEP without `gbp` drops it (VXLAN_INVALID_HDR)"
                .into()
        }
        ProblemKind::KernelDrop(r) => format!("a Linux VTEP drops it ({})", r.0.trim_start_matches("SKB_DROP_REASON_")),
        ProblemKind::OuterFragment => "outer IP fragment carrying UDP (VXLAN must not be fragmented)".into(),
        ProblemKind::MtuExceeded => {
            "inner packet longer than the underlay MTU minus the VXLAN overhead (50 bytes IPv4, 70 IPv6)".into()
        }
        ProblemKind::BadUdpChecksum => "wrong non-zero outer UDP checksum".into(),
        ProblemKind::SrcPortZero => "outer UDP source port 0".into(),
        ProblemKind::SrcPortOutsideRange => {
            "note: outer UDP source port outside RFC 7348's recommended 49152-65535 (Linux's default range is net.ipv4.ip_local_port_range, 32768-60999)".into()
        }
        ProblemKind::VniZero => "VNI 0".into(),
        ProblemKind::TtlOne => "outer TTL 1 to a unicast VTEP (cannot cross a router)".into(),
        ProblemKind::TtlOneMulticast => {
            "note: outer TTL 1 to a multicast group (Linux group-mode default; link-local only)".into()
        }
    }
}

fn versions(m: &Membership) -> Vec<u8> {
    (1..=3).filter(|v| m.versions & (1 << v) != 0).collect()
}

fn record_types(m: &Membership) -> Vec<&'static str> {
    (1..=6u8).filter(|t| m.record_types & (1 << t) != 0).filter_map(|t| RecordType(t).short_name()).collect()
}

fn queries_json(q: &Queries) -> Value {
    json!({ "general_v1": q.general[1], "general_v2": q.general[2], "general_v3": q.general[3],
            "specific": q.specific })
}

fn membership_json(m: &Membership) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("member".into(), m.member.into());
    o.insert("versions".into(), json!(versions(m)));
    o.insert("record_types".into(), json!(record_types(m)));
    o.insert("joins".into(), m.joins.into());
    o.insert("leaves".into(), m.leaves.into());
    o.insert("sources".into(), json!(m.sources.iter().map(|s| s.to_string()).collect::<Vec<_>>()));
    o.insert("first".into(), seen_json(&m.first));
    o.insert("last".into(), seen_json(&m.last));
    o
}

fn dropped_json<K: Ord, V>(t: &Capped<K, V>) -> Value {
    json!({ "entries": t.len(), "dropped": t.dropped() })
}

/// The `bridge fdb show` line of a learned entry (the kernel prints `vni` and `port` only when
/// they differ from the device's own, which a learned entry never does).
pub(crate) fn fdb_line(mac: &MacAddr, dst: &std::net::IpAddr) -> String {
    format!("{} dst {} self", mac_str(mac), dst)
}

pub(super) fn json(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let (all, vx) = s.totals();
    let mut root = Map::new();
    root.insert("packets".into(), all.packets.into());
    root.insert("bytes".into(), all.bytes.into());
    root.insert("vxlan_packets".into(), vx.packets.into());
    root.insert("vxlan_bytes".into(), vx.bytes.into());
    root.insert("gpe_packets".into(), s.gpe.into());
    root.insert("first".into(), s.first.as_ref().map_or(Value::Null, seen_json));
    root.insert("last".into(), s.last.as_ref().map_or(Value::Null, seen_json));
    root.insert("mtu".into(), s.cfg.mtu.into());
    root.insert("interfaces".into(), interfaces_json(s));
    root.insert("bare_frames".into(), s.bare_frames().into());
    let off = s.offload();
    root.insert(
        "offload".into(),
        json!({ "partial_checksums": off.partial, "super_frames": off.super_frames }),
    );

    // 1. Overlay map.
    let mut overlay = Vec::new();
    for (vni, v) in s.vnis().into_iter().filter(|(v, _)| *v != NO_VNI) {
        let pairs: Vec<Value> = s
            .pairs
            .iter()
            .filter(|(k, _)| k.0 == vni)
            .map(|((_, src, dst, port), c)| {
                json!({ "src": src.to_string(), "dst": dst.to_string(), "port": port,
                        "packets": c.packets, "bytes": c.bytes })
            })
            .collect();
        let gbp: Vec<Value> = v.gbp_ids.iter().map(|(id, n)| json!({ "id": id, "packets": n })).collect();
        let repl: Vec<Value> =
            v.replication.iter().map(|(c, n)| json!({ "copies": c, "frames": n })).collect();
        overlay.push(json!({
            "vni": vni, "packets": v.traffic.packets, "bytes": v.traffic.bytes,
            "pairs": pairs, "gbp_policy_ids": gbp,
            "bum": { "broadcast": v.broadcast, "multicast": v.multicast, "replication": repl },
        }));
    }
    root.insert("overlay".into(), overlay.into());

    // 2. Learned forwarding table.
    let entries: Vec<Value> = s
        .fdb
        .iter()
        .map(|((vni, mac), e)| {
            json!({ "vni": vni, "mac": mac_str(mac), "dst": e.dst.to_string(), "line": fdb_line(mac, &e.dst),
                    "packets": e.packets, "moves": e.moves, "first": seen_json(&e.first), "last": seen_json(&e.last) })
        })
        .collect();
    let (moves, moves_total) = s.moves();
    let moves: Vec<Value> = moves
        .iter()
        .map(|m| {
            json!({ "vni": m.vni, "mac": mac_str(&m.mac), "from": m.from.to_string(), "to": m.to.to_string(),
                    "at": seen_json(&m.at) })
        })
        .collect();
    let nl = s.not_learned();
    let view = s.cfg.vtep.as_ref().map_or(Value::Null, |v| {
        json!({ "addrs": v.addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
                "macs": v.macs.iter().map(mac_str).collect::<Vec<_>>(),
                "settings": v.settings_string() })
    });
    root.insert(
        "fdb".into(),
        json!({
            "vtep": view,
            "honour_dont_learn": s.cfg.honour_dont_learn,
            "entries": entries,
            "moves": moves,
            "moves_total": moves_total,
            "not_learned": { "not_received": nl.not_received, "dropped": nl.dropped, "dont_learn": nl.dont_learn,
                             "nolearning": nl.nolearning },
            "dont_learn_ignored": nl.dont_learn_ignored,
            "table": dropped_json(&s.fdb),
        }),
    );

    // 3. ARP.
    let arp: Vec<Value> = s
        .arp
        .iter()
        .filter(|((v, _), _)| shown(s, *v))
        .map(|((vni, ip), e)| {
            let others: Vec<Value> =
                e.others.iter().map(|(m, n)| json!({ "mac": mac_str(m), "packets": n })).collect();
            json!({ "vni": vni_json(*vni), "ip": ip.to_string(), "mac": mac_str(&e.mac), "packets": e.packets,
                    "duplicate": !e.others.is_empty(), "others": others,
                    "first": seen_json(&e.first), "last": seen_json(&e.last) })
        })
        .collect();
    let unanswered: Vec<Value> = s
        .arp_pending
        .iter()
        .filter(|((v, _, _), _)| shown(s, *v))
        .map(|((vni, ip, _), p)| {
            json!({ "vni": vni_json(*vni), "ip": ip.to_string(), "asker": p.asker.map(|a| a.to_string()),
                    "requests": p.requests.count, "first": p.requests.first })
        })
        .collect();
    root.insert(
        "arp".into(),
        json!({ "entries": arp, "unanswered": unanswered, "table": dropped_json(&s.arp),
                "pending_table": dropped_json(&s.arp_pending) }),
    );

    // 4. Multicast.
    let underlay: Vec<Value> = s
        .underlay_igmp
        .iter()
        .filter(|(_, m)| s.is_underlay(m))
        .map(|((vtep, group), m)| {
            let mut o = membership_json(m);
            o.insert("vtep".into(), vtep.to_string().into());
            o.insert("group".into(), group.to_string().into());
            Value::Object(o)
        })
        .collect();
    let underlay_mld: Vec<Value> = s
        .underlay_mld()
        .iter()
        .filter(|(_, m)| s.is_underlay(m))
        .map(|((vtep, group), m)| {
            let mut o = membership_json(m);
            o.insert("vtep".into(), vtep.to_string().into());
            if let Some(a) = s.mld_vtep(vtep) {
                o.insert("vtep_address".into(), a.to_string().into());
            }
            o.insert("group".into(), group.to_string().into());
            Value::Object(o)
        })
        .collect();
    let overlay_m: Vec<Value> = s
        .overlay_igmp
        .iter()
        .map(|((vni, host, group), m)| {
            let mut o = membership_json(m);
            o.insert("vni".into(), (*vni).into());
            o.insert("host".into(), host.to_string().into());
            o.insert("group".into(), group.to_string().into());
            Value::Object(o)
        })
        .collect();
    let oq: Vec<Value> = s
        .overlay_queries
        .iter()
        .map(|(vni, q)| {
            let mut v = queries_json(q);
            if let Value::Object(o) = &mut v {
                o.insert("vni".into(), (*vni).into());
            }
            v
        })
        .collect();
    root.insert(
        "multicast".into(),
        json!({ "underlay": underlay, "underlay_mld": underlay_mld, "underlay_left_out": overlay_copies(s), "underlay_queries": queries_json(&s.underlay_queries),
                "overlay": overlay_m, "overlay_queries": oq,
                "replication_window_ns": s.cfg.replication_window_ns,
                "replication_dropped": s.recent_dropped }),
    );

    // 5. Problems.
    let problems: Vec<Value> = s
        .problems()
        .iter()
        .map(|(k, p)| {
            let reason = match k {
                ProblemKind::KernelDrop(r) => Value::from(r.0),
                ProblemKind::IFlagClear | ProblemKind::ReservedBits | ProblemKind::GbpNotUsed => {
                    Value::from("SKB_DROP_REASON_VXLAN_INVALID_HDR")
                }
                _ => Value::Null,
            };
            json!({ "id": k.id(), "drop": k.is_drop(), "note": k.is_note(), "kernel_reason": reason,
                    "description": problem_description(*k), "count": p.count, "first": p.first })
        })
        .collect();
    root.insert("problems".into(), problems.into());
    root.insert(
        "tables".into(),
        json!({ "cap": s.cfg.table_cap, "vnis": dropped_json(&s.vnis), "pairs": dropped_json(&s.pairs),
                "underlay_igmp": dropped_json(&s.underlay_igmp), "overlay_igmp": dropped_json(&s.overlay_igmp) }),
    );
    serde_json::to_writer_pretty(&mut *out, &Value::Object(root)).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// Whether entries of `vni` are shown: [`NO_VNI`] (frames without VXLAN) only when the capture
/// has no VXLAN at all (a capture on the vxlan device); otherwise they are the decapsulated
/// copies of the VXLAN frames (`-i any`, multi-interface pcapng) and would count twice.
fn shown(s: &Summary, vni: u32) -> bool {
    vni != NO_VNI || s.vxlan.packets == 0
}

/// `100`, or `-` for frames without a VXLAN header.
fn vni_str(vni: u32) -> String {
    if vni == NO_VNI {
        "-".into()
    } else {
        vni.to_string()
    }
}

fn vni_json(vni: u32) -> Value {
    if vni == NO_VNI {
        Value::Null
    } else {
        vni.into()
    }
}

fn interfaces_text(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let ifs = s.interfaces();
    let directed = ifs.iter().any(|(_, st)| st.inbound + st.outbound > 0);
    if ifs.len() < 2 && !directed {
        return Ok(());
    }
    writeln!(out, "\n== Interfaces ==")?;
    for (k, st) in ifs.iter() {
        let name = if st.name.is_empty() { String::new() } else { format!(" ({})", st.name) };
        write!(out, "{k}{name}: {} packets, {} VXLAN", st.packets, st.vxlan)?;
        if st.vxlan == 0 && st.packets > 0 {
            write!(out, " (inner frames only: not learned from, not counted again)")?;
        }
        if st.inbound + st.outbound > 0 {
            write!(out, ", {} in, {} out", st.inbound, st.outbound)?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn interfaces_json(s: &Summary) -> Value {
    let v: Vec<Value> = s
        .interfaces()
        .iter()
        .map(|(k, st)| {
            json!({ "interface": k.to_string(), "name": st.name, "packets": st.packets, "vxlan": st.vxlan,
                    "inbound": st.inbound, "outbound": st.outbound })
        })
        .collect();
    v.into()
}

fn at(s: &Seen) -> String {
    format!("#{} {}", s.n, ts_str(s))
}

fn cap_note(out: &mut dyn Write, what: &str, dropped: u64, cap: usize) -> io::Result<()> {
    if dropped > 0 {
        writeln!(out, "  ({dropped} {what} not kept: table full at {cap} entries)")?;
    }
    Ok(())
}

pub(super) fn text(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let (all, vx) = s.totals();
    writeln!(
        out,
        "{} packets ({} bytes), {} VXLAN ({} bytes), {} VXLAN-GPE",
        all.packets, all.bytes, vx.packets, vx.bytes, s.gpe
    )?;
    if let (Some(f), Some(l)) = (&s.first, &s.last) {
        writeln!(out, "from {} to {}", at(f), at(l))?;
    }
    let cap = s.cfg.table_cap;
    interfaces_text(s, out)?;

    writeln!(out, "\n== Overlay map ==")?;
    let vnis = s.vnis();
    if vx.packets == 0 {
        writeln!(out, "no VXLAN traffic")?;
    }
    for (vni, v) in vnis.iter().filter(|(v, _)| **v != NO_VNI) {
        writeln!(out, "vni {vni}: {} packets, {} bytes", v.traffic.packets, v.traffic.bytes)?;
        for ((_, src, dst, port), c) in s.pairs.iter().filter(|(k, _)| k.0 == *vni) {
            writeln!(out, "  {src} > {dst} port {port}: {} packets, {} bytes", c.packets, c.bytes)?;
        }
        if !v.gbp_ids.is_empty() {
            let ids: Vec<String> = v.gbp_ids.iter().map(|(id, n)| format!("{id} ({n})")).collect();
            writeln!(out, "  gbp policy ids: {}", ids.join(", "))?;
        }
    }
    cap_note(out, "VNIs", s.vnis.dropped(), cap)?;
    cap_note(out, "VTEP pairs", s.pairs.dropped(), cap)?;

    writeln!(out, "\n== Learned forwarding table (bridge fdb show dev <vxlan device of the VNI>) ==")?;
    match &s.cfg.vtep {
        Some(v) => {
            let a: Vec<String> = v.addrs.iter().map(|a| a.to_string()).collect();
            let st = v.settings_string();
            let st = if st.is_empty() { "default device settings".to_string() } else { st };
            writeln!(out, "as learned by the VTEP at {} ({st})", a.join(", "))?;
        }
        None => writeln!(out, "as learned by each receiving VTEP")?,
    }
    let mut current = None;
    for ((vni, mac), e) in s.fdb.iter() {
        if current != Some(*vni) {
            writeln!(out, "vni {vni}:")?;
            current = Some(*vni);
        }
        writeln!(
            out,
            "{}\n    # {} packets, first {}, last {}, {} moves",
            fdb_line(mac, &e.dst),
            e.packets,
            at(&e.first),
            at(&e.last),
            e.moves
        )?;
    }
    if s.fdb.is_empty() {
        writeln!(out, "nothing learned")?;
    }
    if vx.packets == 0 && s.bare_frames() > 0 {
        writeln!(
            out,
            "no VXLAN header in the capture ({} inner frames: taken on the vxlan device or a bridge port?): \
             no outer header to learn from; the ARP, IGMP and BUM views below show those frames as vni -",
            s.bare_frames()
        )?;
    }
    let (moves, total) = s.moves();
    if total > 0 {
        writeln!(out, "MAC moves (loop or migration): {total}")?;
        for m in moves {
            writeln!(out, "  vni {} {}: {} -> {} at {}", m.vni, mac_str(&m.mac), m.from, m.to, at(&m.at))?;
        }
    }
    let nl = s.not_learned();
    writeln!(
        out,
        "not learned from: {} not received by this VTEP, {} dropped by it, {} nolearning, {} with GBP D bit",
        nl.not_received, nl.dropped, nl.nolearning, nl.dont_learn
    )?;
    if nl.dont_learn_ignored > 0 {
        writeln!(out, "learned despite the GBP D bit, as Linux does: {}", nl.dont_learn_ignored)?;
    }
    let off = s.offload();
    if off.partial + off.super_frames > 0 {
        writeln!(
            out,
            "offload (not problems): {} outer UDP checksums left to the NIC, {} GSO/GRO super-frames",
            off.partial, off.super_frames
        )?;
    }
    cap_note(out, "MACs", s.fdb.dropped(), cap)?;

    writeln!(out, "\n== ARP (overlay) ==")?;
    let mut current = None;
    for ((vni, ip), e) in s.arp.iter().filter(|((v, _), _)| shown(s, *v)) {
        if current != Some(*vni) {
            writeln!(out, "vni {}:", vni_str(*vni))?;
            current = Some(*vni);
        }
        write!(out, "  {ip} is-at {} ({} packets, first {})", mac_str(&e.mac), e.packets, at(&e.first))?;
        if !e.others.is_empty() {
            let o: Vec<String> = e.others.iter().map(|(m, n)| format!("{} ({n})", mac_str(m))).collect();
            write!(out, " DUPLICATE, also claimed by {}", o.join(", "))?;
        }
        writeln!(out)?;
    }
    if s.arp.is_empty() {
        writeln!(out, "no ARP")?;
    }
    let dups = s.arp.iter().filter(|(_, e)| !e.others.is_empty()).count();
    writeln!(out, "duplicate IPs: {dups}")?;
    let pending: Vec<_> = s.arp_pending.iter().filter(|((v, _, _), _)| shown(s, *v)).collect();
    writeln!(out, "unanswered requests: {}", pending.len())?;
    for ((vni, ip, _), p) in pending {
        let vni = vni_str(*vni);
        let asker = p.asker.map_or_else(|| "?".into(), |a| a.to_string());
        let first: Vec<String> = p.requests.first.iter().map(|n| format!("#{n}")).collect();
        writeln!(
            out,
            "  vni {vni} who-has {ip} tell {asker}: {} requests, first {}",
            p.requests.count,
            first.join(" ")
        )?;
    }
    cap_note(out, "IP addresses", s.arp.dropped(), cap)?;

    writeln!(out, "\n== Multicast ==")?;
    writeln!(out, "underlay IGMP (VTEPs joining groups):")?;
    for ((vtep, group), m) in s.underlay_igmp.iter().filter(|(_, m)| s.is_underlay(m)) {
        membership_line(out, &format!("{vtep} {group}"), m)?;
    }
    let copies = overlay_copies(s);
    if copies > 0 {
        writeln!(
            out,
            "  ({copies} memberships left out: reported on interfaces without VXLAN, decapsulated copies of overlay IGMP/MLD)"
        )?;
    }
    if s.underlay_mld().iter().any(|(_, m)| s.is_underlay(m)) {
        writeln!(
            out,
            "underlay MLD (VTEPs joining IPv6 groups; MLD comes from link-local addresses, tied to the VTEP address sent from the same MAC):"
        )?;
        for ((vtep, group), m) in s.underlay_mld().iter().filter(|(_, m)| s.is_underlay(m)) {
            match s.mld_vtep(vtep) {
                Some(a) => membership_line(out, &format!("{vtep} (VTEP {a}) {group}"), m)?,
                None => membership_line(out, &format!("{vtep} {group}"), m)?,
            }
        }
    }
    let q = &s.underlay_queries;
    writeln!(
        out,
        "  queries: general v1 {} v2 {} v3 {}, group-specific {}",
        q.general[1], q.general[2], q.general[3], q.specific
    )?;
    writeln!(out, "overlay IGMP (hosts joining groups, per VNI):")?;
    for ((vni, host, group), m) in s.overlay_igmp.iter().filter(|((v, _, _), _)| shown(s, *v)) {
        membership_line(out, &format!("vni {} {host} {group}", vni_str(*vni)), m)?;
    }
    for (vni, q) in s.overlay_queries.iter() {
        writeln!(
            out,
            "  vni {vni} queries: general v1 {} v2 {} v3 {}, group-specific {}",
            q.general[1], q.general[2], q.general[3], q.specific
        )?;
    }
    writeln!(out, "BUM traffic (inner broadcast/multicast destinations):")?;
    for (vni, v) in &vnis {
        if v.broadcast + v.multicast == 0 || !shown(s, *vni) {
            continue;
        }
        write!(out, "  vni {}: {} broadcast, {} multicast", vni_str(*vni), v.broadcast, v.multicast)?;
        let repl: Vec<String> =
            v.replication.iter().map(|(c, n)| format!("{n} frames to {c} VTEPs")).collect();
        if !repl.is_empty() {
            write!(out, "; head-end replication: {}", repl.join(", "))?;
        }
        writeln!(out)?;
    }
    cap_note(out, "underlay memberships", s.underlay_igmp.dropped(), cap)?;
    cap_note(out, "overlay memberships", s.overlay_igmp.dropped(), cap)?;

    writeln!(out, "\n== Problems ==")?;
    let all = s.problems();
    let (notes, problems): (Vec<_>, Vec<_>) = all.iter().partition(|(k, _)| k.is_note());
    if problems.is_empty() {
        writeln!(out, "none")?;
    }
    for (k, p) in problems.into_iter().chain(notes) {
        let first: Vec<String> = p.first.iter().map(|n| format!("#{n}")).collect();
        writeln!(
            out,
            "{}: {} packets (first {}): {}",
            k.id(),
            p.count,
            first.join(" "),
            problem_description(*k)
        )?;
    }
    Ok(())
}

fn membership_line(out: &mut dyn Write, who: &str, m: &Membership) -> io::Result<()> {
    let v: Vec<String> = versions(m).iter().map(|v| format!("v{v}")).collect();
    write!(
        out,
        "  {who}: {}, {} {}, {} joins, {} leaves",
        if m.member { "member" } else { "left" },
        v.join("/"),
        record_types(m).join(" "),
        m.joins,
        m.leaves
    )?;
    if !m.sources.is_empty() {
        let s: Vec<String> = m.sources.iter().map(|s| s.to_string()).collect();
        write!(out, ", sources {}", s.join(" "))?;
    }
    writeln!(out, ", first {}, last {}", at(&m.first), at(&m.last))
}

/// Underlay memberships left out of the multicast view (see [`Summary::is_underlay`]).
fn overlay_copies(s: &Summary) -> usize {
    let igmp = s.underlay_igmp.iter().filter(|(_, m)| !s.is_underlay(m)).count();
    igmp + s.underlay_mld().iter().filter(|(_, m)| !s.is_underlay(m)).count()
}
