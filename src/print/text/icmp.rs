//! ICMP (tcpdump's print-icmp.c).

use super::*;

impl TextPrinter {
    pub(super) fn icmp(&mut self, d: &Dissection<'_>, j: usize, len: usize, ip: IpCtx<'_>) {
        let Some(Layer { header: Header::Icmpv4(m), .. }) = d.get(j) else { return };
        let b = m.slice();
        let (ty, code) = (b[0], b[1]);
        let id = u16::from_be_bytes([b[4], b[5]]);
        let sq = u16::from_be_bytes([b[6], b[7]]);
        if b.len() < icmp_needed(b) {
            // tcpdump formats the whole line before it prints any of it.
            return self.trunc_proto(Proto::Icmpv4);
        }
        self.out.s("ICMP ");
        let inner = b.get(8..).unwrap_or(&[]);
        match ty {
            0 | 8 => {
                self.out.s(if ty == 0 { "echo reply" } else { "echo request" });
                self.out.s(", id ").u(u64::from(id)).s(", seq ").u(u64::from(sq));
            }
            3 => self.icmp_unreach(b, code),
            11 => {
                self.out.s(match code {
                    0 => "time exceeded in-transit",
                    1 => "ip reassembly time exceeded",
                    _ => "time exceeded-#",
                });
                if code > 1 {
                    self.out.u(u64::from(code));
                }
            }
            4 => {
                self.out.s("source quench");
            }
            13 | 14 => {
                self.out.s(if ty == 13 { "time stamp query" } else { "time stamp reply" });
                self.out.s(" id ").u(u64::from(id)).s(" seq ").u(u64::from(sq));
            }
            5 => {
                self.out.s(["redirect ", "redirect ", "redirect-tos ", "redirect-tos "]
                    .get(usize::from(code))
                    .unwrap_or(&"redirect-#"));
                if code > 3 {
                    self.out.u(u64::from(code)).c(b' ');
                }
                self.out.ip4(&inner[16..20]);
                self.out.s([" to net ", " to host ", " to net ", " to host "]
                    .get(usize::from(code))
                    .unwrap_or(&" to "));
                self.out.ip4(&b[4..8]);
            }
            12 if code != 0 => {
                self.out.s("parameter problem - code ").u(u64::from(code));
            }
            12 => {
                self.out.s("parameter problem - octet ").u(u64::from(b[4]));
            }
            9 => self.router_advert(b),
            18 => {
                let m = u32::from_be_bytes([b[8], b[9], b[10], b[11]]);
                self.out.s("address mask is 0x").x0(u64::from(m), 8);
            }
            _ => {
                match icmp_name(ty) {
                    Some(n) => self.out.s(n),
                    None => self.out.s("type-#").u(u64::from(ty)),
                };
            }
        }
        self.icmp_end(b, len, ip);
    }

    /// After the message text: the length, the checksum and the quoted IP header of an error.
    fn icmp_end(&mut self, b: &[u8], len: usize, ip: IpCtx<'_>) {
        let ty = b[0];
        self.out.s(", length ").u(len as u64);
        if !ip.fragmented && b.len() >= len {
            let c = fold(sum(0, &b[..len]));
            if c != 0 {
                let field = u16::from_be_bytes([b[2], b[3]]);
                self.out
                    .s(" (wrong icmp cksum ")
                    .x(u64::from(field))
                    .s(" (->")
                    .x(u64::from(should_be(field, c)));
                self.out.s(")!)");
            }
        }
        if matches!(ty, 3 | 4 | 5 | 11 | 12) {
            self.icmp_quote(b.get(8..).unwrap_or(&[]));
        }
    }

    /// The text of a destination unreachable message (type 3) with code `code`.
    fn icmp_unreach(&mut self, b: &[u8], code: u8) {
        let inner = b.get(8..).unwrap_or(&[]);
        let inner_dst = |o: &mut Buf| {
            if inner.len() >= 20 {
                o.ip4(&inner[16..20]);
            }
        };
        match code {
            0 => {
                self.out.s("net ");
                inner_dst(&mut self.out);
                self.out.s(" unreachable");
            }
            1 => {
                self.out.s("host ");
                inner_dst(&mut self.out);
                self.out.s(" unreachable");
            }
            2 => {
                inner_dst(&mut self.out);
                self.out.s(" protocol ").u(u64::from(inner.get(9).copied().unwrap_or(0))).s(" unreachable");
            }
            3 => {
                inner_dst(&mut self.out);
                let ihl = usize::from(inner.first().map_or(5, |v| v & 0xf)) * 4;
                let p = inner.get(9).copied().unwrap_or(0);
                let port = inner.get(ihl + 2..ihl + 4).map_or(0, |x| u16::from_be_bytes([x[0], x[1]]));
                match p {
                    17 => self.out.s(" udp port ").u(u64::from(port)),
                    6 => self.out.s(" tcp port ").u(u64::from(port)),
                    _ => self.out.s(" protocol ").u(u64::from(p)).s(" port ").u(u64::from(port)),
                };
                self.out.s(" unreachable");
            }
            4 => {
                inner_dst(&mut self.out);
                let mtu = u16::from_be_bytes([b[6], b[7]]);
                self.out.s(" unreachable - need to frag");
                if mtu != 0 {
                    self.out.s(" (mtu ").u(u64::from(mtu)).c(b')');
                }
            }
            _ => {
                inner_dst(&mut self.out);
                self.out.s(" unreachable - #").u(u64::from(code));
            }
        };
    }
    /// A router advertisement (RFC 1256) as tcpdump's icmp_print formats it.
    fn router_advert(&mut self, b: &[u8]) {
        let (num, size) = (b[4], b[5]);
        let t = u16::from_be_bytes([b[6], b[7]]);
        self.out.s("router advertisement lifetime ");
        if t < 60 {
            self.out.u(u64::from(t));
        } else if t < 3600 {
            self.out.u(u64::from(t / 60)).c(b':').u0(u64::from(t % 60), 2);
        } else {
            self.out.u(u64::from(t / 3600)).c(b':').u0(u64::from(t % 3600 / 60), 2).c(b':');
            self.out.u0(u64::from(t % 60), 2);
        }
        self.out.c(b' ').u(u64::from(num)).c(b':');
        if size != 2 {
            self.out.s(" [size ").u(u64::from(size)).c(b']');
            return;
        }
        for e in b[8..8 + 8 * usize::from(num)].chunks_exact(8) {
            self.out
                .s(" {")
                .ip4(&e[..4])
                .c(b' ')
                .u(u64::from(u32::from_be_bytes([e[4], e[5], e[6], e[7]])))
                .c(b'}');
        }
    }

    /// The IP header an ICMP error quotes, on its own line, as tcpdump's ip_print sees it: bounded
    /// by the total length it declares.
    fn icmp_quote(&mut self, inner: &[u8]) {
        self.out.s("\n\t");
        let Some(l) = inner.get(2..4) else { return self.trunc_proto(Proto::Icmpv4) };
        let total = usize::from(u16::from_be_bytes([l[0], l[1]]));
        if total < 4 {
            // tcpdump bounds the capture by the quoted length, then reads that length again.
            return self.trunc_proto(Proto::Icmpv4);
        }
        let q = &inner[..total.min(inner.len())];
        let sub =
            crate::dissect::dissect(q, crate::dissect::LinkType::Ipv4, &crate::dissect::Config::default());
        if matches!(sub.get(0).map(|l| &l.header), Some(Header::Ipv4(_))) {
            self.ipv4(&sub, 0, total);
        } else {
            self.ipv4_refused(q, total);
        }
    }
}

/// The bytes tcpdump's icmp_print reads of an ICMP message before it prints anything.
fn icmp_needed(b: &[u8]) -> usize {
    match (b[0], b[1]) {
        (3, 3) => 28.max(8 + usize::from(b.get(8).map_or(0, |v| v & 15)) * 4 + 4),
        (3 | 5 | 11, _) => 28,
        (12, 0) => 5,
        (18, _) => 12,
        (14, _) => 20,
        (9, _) if b.get(5) == Some(&2) => 8 + 8 * usize::from(b.get(4).copied().unwrap_or(0)),
        _ => 8,
    }
}

/// ICMP type names tcpdump knows without decoding more (its `icmp2str`).
fn icmp_name(t: u8) -> Option<&'static str> {
    Some(match t {
        10 => "router solicitation",
        15 => "information request",
        16 => "information reply",
        17 => "address mask request",
        _ => return None,
    })
}
