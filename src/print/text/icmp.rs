//! ICMP (tcpdump's print-icmp.c).

use super::*;

impl TextPrinter {
    pub(super) fn icmp(&mut self, d: &Dissection<'_>, j: usize, len: usize, ip: IpCtx<'_>) {
        let Some(Layer { header: Header::Icmpv4(m), .. }) = d.get(j) else { return };
        let b = m.slice();
        let (ty, code) = (b[0], b[1]);
        let id = u16::from_be_bytes([b[4], b[5]]);
        let sq = u16::from_be_bytes([b[6], b[7]]);
        self.out.s("ICMP ");
        let inner = b.get(8..).unwrap_or(&[]);
        let inner_dst = |o: &mut Buf| {
            if inner.len() >= 20 {
                o.ip4(&inner[16..20]);
            }
        };
        match ty {
            0 | 8 => {
                self.out.s(if ty == 0 { "echo reply" } else { "echo request" });
                self.out.s(", id ").u(u64::from(id)).s(", seq ").u(u64::from(sq));
            }
            3 => {
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
                        self.out
                            .s(" protocol ")
                            .u(u64::from(inner.get(9).copied().unwrap_or(0)))
                            .s(" unreachable");
                    }
                    3 => {
                        inner_dst(&mut self.out);
                        let ihl = usize::from(inner.first().map_or(5, |v| v & 0xf)) * 4;
                        let p = inner.get(9).copied().unwrap_or(0);
                        let port =
                            inner.get(ihl + 2..ihl + 4).map_or(0, |x| u16::from_be_bytes([x[0], x[1]]));
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
            _ => {
                self.out.s("type-#").u(u64::from(ty));
            }
        }
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
        if matches!(ty, 3 | 4 | 5 | 11 | 12) && inner.len() >= 20 {
            self.out.s("\n\t");
            let sub = crate::dissect::dissect(
                inner,
                crate::dissect::LinkType::Ipv4,
                &crate::dissect::Config::default(),
            );
            let total = usize::from(u16::from_be_bytes([inner[2], inner[3]]));
            let saved = self.opts.link_header;
            self.opts.link_header = false;
            if sub.get(0).is_some() {
                self.ipv4(&sub, 0, total);
            }
            self.opts.link_header = saved;
        }
    }
}
