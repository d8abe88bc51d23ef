//! ICMPv6 with neighbour discovery and MLD (tcpdump's print-icmp6.c).

use super::*;

impl TextPrinter {
    pub(super) fn icmp6(&mut self, d: &Dissection<'_>, j: usize, len: usize, ip: IpCtx<'_>) {
        let Some(Layer { header: Header::Icmpv6(m), .. }) = d.get(j) else { return };
        self.icmp6_raw(m.slice(), len, ip);
    }

    /// An ICMPv6 message from its captured bytes `b` (any number), `len` bytes as the IPv6
    /// payload length declares, as tcpdump's icmp6_print: it reads within the payload length and
    /// prints ` [|icmp6]` where a field it needs is missing.
    pub(super) fn icmp6_raw(&mut self, b: &[u8], len: usize, ip: IpCtx<'_>) {
        if len == 0 {
            self.out.s("ICMP6, length 0 (invalid)");
            return;
        }
        if !ip.fragmented && b.len() >= len {
            if len < 4 {
                return self.trunc_proto(Proto::Icmpv6);
            }
            let field = u16::from_be_bytes([b[2], b[3]]);
            let c = fold(sum(Self::pseudo_sum(ip, 58, len), &b[..len]));
            if c != 0 {
                self.out.s("[bad icmp6 cksum ").hx(u64::from(field), 4).s(" -> ");
                self.out.hx(u64::from(should_be(field, c)), 4).s("!] ");
            } else {
                self.out.s("[icmp6 sum ok] ");
            }
        }
        let body = &b[..len.min(b.len())];
        let Some(&ty) = body.first() else { return self.trunc_proto(Proto::Icmpv6) };
        self.out.s("ICMP6, ");
        match crate::wire::icmpv6::Icmpv6Type(ty).known_name() {
            Some(n) => self.out.s(n),
            None => self.out.s("unknown icmp6 type (").u(u64::from(ty)).c(b')'),
        };
        if (133..=137).contains(&ty) {
            self.out.s(", length ").u(len as u64);
        }
        let need = match ty {
            128 | 129 | 144 => 8,
            134 => 16,
            135 | 136 => 24,
            _ => 2,
        };
        if body.len() < need {
            return self.trunc_proto(Proto::Icmpv6);
        }
        self.icmp6_body(body, len);
    }

    /// The type-specific part of an ICMPv6 message (`b` bounded by the payload length).
    fn icmp6_body(&mut self, body: &[u8], len: usize) {
        let (b, ty) = (body, body[0]);
        match ty {
            128 | 129 => {
                let id = u16::from_be_bytes([b[4], b[5]]);
                let sq = u16::from_be_bytes([b[6], b[7]]);
                self.out.s(", id ").u(u64::from(id)).s(", seq ").u(u64::from(sq));
            }
            133 => {
                self.nd_options(body.get(8..).unwrap_or(&[]));
            }
            134 => {
                if let Ok(ra) = icmpv6::RouterAdvertisement::from_slice(body) {
                    self.out.s("\n\thop limit ").u(u64::from(ra.cur_hop_limit())).s(", Flags [");
                    self.bit_names(
                        u32::from(ra.flags()),
                        &[(0x80, "managed"), (0x40, "other stateful"), (0x20, "home agent"), (0x08, "proxy")],
                        ", ",
                    );
                    let pref = match ra.preference() {
                        0 => "medium",
                        1 => "high",
                        2 => "rsv",
                        _ => "low",
                    };
                    self.out.s("], pref ").s(pref).s(", router lifetime ");
                    self.out.u(u64::from(ra.router_lifetime())).s("s, reachable time ");
                    self.out.u(u64::from(ra.reachable_time())).s("ms, retrans timer ");
                    self.out.u(u64::from(ra.retrans_timer())).s("ms");
                    self.nd_options(&body[icmpv6::RouterAdvertisement::MIN_LEN..]);
                }
            }
            135 => {
                if let Ok(ns) = icmpv6::NeighborSolicitation::from_slice(body) {
                    self.out.s(", who has ").ip6(&ns.target().octets());
                    self.nd_options(&body[icmpv6::NeighborSolicitation::MIN_LEN..]);
                }
            }
            136 => {
                if let Ok(na) = icmpv6::NeighborAdvertisement::from_slice(body) {
                    self.out.s(", tgt is ").ip6(&na.target().octets()).s(", Flags [");
                    self.bit_names(
                        u32::from(body[4]),
                        &[(0x80, "router"), (0x40, "solicited"), (0x20, "override")],
                        ", ",
                    );
                    self.out.c(b']');
                    self.nd_options(&body[icmpv6::NeighborAdvertisement::MIN_LEN..]);
                }
            }
            130..=132 => {
                if ty == 130 && len >= 28 {
                    self.out.s(" v2");
                    self.mldv2_query(body);
                } else if ty != 130 || len == 24 {
                    if body.len() >= 24 {
                        self.out.s("max resp delay: ").u(u64::from(u16::from_be_bytes([body[4], body[5]])));
                        self.out.s(" addr: ").ip6(&body[8..24]);
                    }
                } else {
                    self.out.s(" unknown-version (len ").u(len as u64).s(") ");
                }
            }
            143 => self.mldv2_report(body, len),
            // Inverse neighbour discovery: tcpdump names the type and prints nothing more.
            141 | 142 => {}
            144 => {
                self.out.s(", id 0x").x0(u64::from(u16::from_be_bytes([b[4], b[5]])), 4);
            }
            _ => {
                self.out.s(", length ").u(len as u64);
                if self.opts.verbose <= 1 {
                    // tcpdump's print_unknown_data: hex of what was captured of the message.
                    hex::hex(&mut self.out.b, b"\n\t", body);
                }
            }
        }
    }

    pub(super) fn nd_options(&mut self, mut o: &[u8]) {
        while !o.is_empty() {
            // tcpdump's icmp6_opt_print: an option that is cut or claims length 0 ends the
            // packet before its line is printed.
            let Some(&n) = o.get(1) else { return self.trunc_proto(Proto::Icmpv6) };
            if n == 0 || usize::from(n) * 8 > o.len() {
                return self.trunc_proto(Proto::Icmpv6);
            }
            let t = o[0];
            let l = usize::from(o[1]) * 8;
            let name = match t {
                1 => "source link-address",
                2 => "destination link-address",
                3 => "prefix info",
                4 => "redirected header",
                5 => "mtu",
                7 => "advertisement interval",
                8 => "homeagent information",
                24 => "route info",
                25 => "rdnss",
                31 => "dnssl",
                _ => "unknown",
            };
            self.out.s("\n\t  ").s(name).s(" option (").u(u64::from(t)).s("), length ").u(l as u64);
            self.out.s(" (").u(u64::from(o[1])).s("): ");
            if l == 0 || l > o.len() {
                self.out.s(" [|icmp6]");
                return;
            }
            let body = &o[2..l];
            match t {
                1 | 2 => {
                    let mut n = body.len();
                    while n > 0 && body[n - 1] == 0 && n > 6 {
                        n -= 1;
                    }
                    self.out.mac(&body[..n]);
                }
                5 if body.len() >= 6 => {
                    self.out.c(b' ').u(u64::from(u32::from_be_bytes([body[2], body[3], body[4], body[5]])));
                }
                25 if body.len() >= 6 => {
                    self.out
                        .s(" lifetime ")
                        .u(u64::from(u32::from_be_bytes([body[2], body[3], body[4], body[5]])));
                    self.out.s("s,");
                    for a in body[6..].chunks_exact(16) {
                        self.out.s(" addr: ").ip6(a);
                    }
                }
                3 if body.len() >= 30 => {
                    self.out.ip6(&body[14..30]).c(b'/').u(u64::from(body[0])).s(", Flags [");
                    let f = body[1];
                    self.bit_names(u32::from(f), &[(0x80, "onlink"), (0x40, "auto"), (0x20, "router")], ", ");
                    self.out.s("], valid time ");
                    self.lifetime(u32::from_be_bytes([body[2], body[3], body[4], body[5]]));
                    self.out.s(", pref. time ");
                    self.lifetime(u32::from_be_bytes([body[6], body[7], body[8], body[9]]));
                }
                _ => {
                    if self.opts.verbose <= 1 {
                        hex::hex(&mut self.out.b, b"\n\t  ", body);
                    }
                }
            }
            if self.opts.verbose > 1 {
                hex::hex(&mut self.out.b, b"\n\t    ", body);
            }
            o = &o[l..];
        }
    }

    pub(super) fn lifetime(&mut self, t: u32) {
        if t == u32::MAX {
            self.out.s("infinity");
        } else {
            self.out.u(u64::from(t)).c(b's');
        }
    }

    pub(super) fn mldv2_query(&mut self, b: &[u8]) {
        if b.len() < 28 {
            self.out.s(" [|icmp6]");
            return;
        }
        let mrc = u16::from_be_bytes([b[4], b[5]]);
        let mrt: u64 = if mrc < 32768 {
            u64::from(mrc)
        } else {
            (u64::from(mrc & 0x0fff) | 0x1000) << (((mrc & 0x7000) >> 12) + 3)
        };
        self.out.s(" [max resp delay=").u(mrt).c(b']');
        self.out.s(" [gaddr ").ip6(&b[8..24]);
        if b[24] & 0x08 != 0 {
            self.out.s(" sflag");
        }
        if b[24] & 0x07 != 0 {
            self.out.s(" robustness=").u(u64::from(b[24] & 0x07));
        }
        let qqic = b[25];
        let qqi = if qqic < 128 {
            u64::from(qqic)
        } else {
            (u64::from(qqic & 0x0f) | 0x10) << (((qqic & 0x70) >> 4) + 3)
        };
        self.out.s(" qqi=").u(qqi);
        let n = usize::from(u16::from_be_bytes([b[26], b[27]]));
        if n > 0 {
            if b.len() < 28 + n * 16 {
                self.out.s(" [invalid number of sources]");
            } else if self.opts.verbose > 1 {
                self.out.s(" {");
                for s in b[28..28 + n * 16].chunks_exact(16) {
                    self.out.c(b' ').ip6(s);
                }
                self.out.s(" }");
            } else {
                self.out.s(", ").u(n as u64).s(" source(s)");
            }
        }
        self.out.c(b']');
    }

    pub(super) fn mldv2_report(&mut self, b: &[u8], len: usize) {
        if len < 8 {
            self.out.s(" [invalid len ").u(len as u64).c(b']');
            return;
        }
        if b.len() < 8 {
            return self.trunc_proto(Proto::Icmpv6);
        }
        let ngroups = usize::from(u16::from_be_bytes([b[6], b[7]]));
        self.out.s(", ").u(ngroups as u64).s(" group record(s)");
        // As mldv2_report_print: the records only with -v and up (the sources with -vv).
        if self.opts.verbose == 0 {
            return;
        }
        let mut g = 8usize;
        for _ in 0..ngroups {
            if len < g + 20 {
                self.out.s(" [invalid number of groups]");
                return;
            }
            if b.len() < g + 20 {
                return self.trunc_proto(Proto::Icmpv6);
            }
            self.out.s(" [gaddr ").ip6(&b[g + 4..g + 20]).c(b' ');
            match b[g] {
                1 => self.out.s("is_in"),
                2 => self.out.s("is_ex"),
                3 => self.out.s("to_in"),
                4 => self.out.s("to_ex"),
                5 => self.out.s("allow"),
                6 => self.out.s("block"),
                t => self.out.s(" [v2-report-#").u(u64::from(t)).c(b']'),
            };
            let ns = usize::from(u16::from_be_bytes([b[g + 2], b[g + 3]]));
            let aux = usize::from(b[g + 1]) * 4;
            if len < g + 20 + ns * 16 {
                self.out.s(" [invalid number of sources ").u(ns as u64).c(b']');
                return;
            }
            if self.opts.verbose > 1 && b.len() < g + 20 + ns * 16 {
                // Only -vv reads the sources.
                return self.trunc_proto(Proto::Icmpv6);
            }
            if self.opts.verbose == 1 {
                self.out.s(", ").u(ns as u64).s(" source(s)");
            } else {
                self.out.s(" {");
                for s in b[g + 20..g + 20 + ns * 16].chunks_exact(16) {
                    self.out.c(b' ').ip6(s);
                }
                self.out.s(" }");
            }
            self.out.c(b']');
            g += 20 + ns * 16 + aux;
        }
    }
}
