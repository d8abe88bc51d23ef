//! IPv6 with its extension headers (tcpdump's print-ip6.c, print-ip6opts.c, print-frag6.c).

use super::*;

impl TextPrinter {
    pub(super) fn ipv6(&mut self, d: &Dissection<'_>, j: usize, len: usize) {
        let Some(Layer { header: Header::Ipv6(h), .. }) = d.get(j) else { return };
        let b = h.slice();
        let plen = usize::from(u16::from_be_bytes([b[4], b[5]]));
        let nh = b[6];
        if !self.opts.link_header {
            self.out.s("IP6 ");
        }
        if plen != 0 && len < plen + 40 {
            self.out.s("truncated-ip6 - ").u((plen + 40 - len) as u64).s(" bytes missing!");
        }
        let flow = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        self.out.c(b'(');
        if flow & 0x0ff0_0000 != 0 {
            self.out.s("class ").hx(u64::from((flow & 0x0ff0_0000) >> 20), 2).s(", ");
        }
        if flow & 0x000f_ffff != 0 {
            self.out.s("flowlabel ").hx(u64::from(flow & 0x000f_ffff), 5).s(", ");
        }
        self.out.s("hlim ").u(u64::from(b[7])).s(", next-header ");
        self.out.s(ipproto_name(nh).unwrap_or("unknown")).s(" (").u(u64::from(nh)).s(") payload length: ");
        self.out.u(plen as u64).s(") ");
        let ctx = IpCtx { src: &b[8..24], dst: &b[24..40], v6: true, fragmented: false };
        let mut k = j + 1;
        let mut proto = nh;
        let mut remaining = plen;
        if plen == 0 {
            return self.ipv6_plen0(d, k, nh, ctx);
        }
        if let (None, Some(e)) = (d.get(k), d.error()) {
            if e.proto == Proto::Ipv6Ext && e.kind == ErrorKind::BadLength {
                self.addrs(ctx);
                let seg = d.get(j).map_or(&[][..], |l| l.payload);
                return self.hbh_misplaced(nh, seg);
            }
        }
        if !matches!(nh, 6 | 17) {
            self.addrs(ctx);
        }
        let mut ctx = ctx;
        if let Some(Layer { header: Header::Ipv6Ext(ext), payload, .. }) = d.get(k) {
            let eb = ext.slice();
            let mut p = 0;
            let mut cur = nh;
            while p + 2 <= eb.len() {
                let next = eb[p];
                let hl = match cur {
                    44 => 8,
                    51 => (usize::from(eb[p + 1]) + 2) * 4,
                    _ => (usize::from(eb[p + 1]) + 1) * 8,
                };
                let hdr = &eb[p..(p + hl).min(eb.len())];
                if !self.ext_header(cur, hdr, plen.saturating_sub(p + 8)) {
                    return;
                }
                if cur == 44 {
                    ctx.fragmented = true;
                }
                cur = next;
                p += hl;
            }
            proto = cur;
            remaining = remaining.saturating_sub(eb.len());
            let _ = payload;
            k += 1;
            if ctx.fragmented && d.get(k).is_none() {
                // A fragment without its upper-layer header: tcpdump stops here.
                return;
            }
        }
        self.ip6_payload(d, k, proto, remaining, ctx);
    }

    /// The payload of an IPv6 header with payload length 0 (a jumbogram, or offload), as
    /// tcpdump's ip6_print: it sizes the payload from the Jumbo Payload option, which must be in
    /// a hop-by-hop header; without one there is no payload to read.
    fn ipv6_plen0(&mut self, d: &Dissection<'_>, k: usize, nh: u8, ctx: IpCtx<'_>) {
        self.out.ip6(ctx.src).s(" > ").ip6(ctx.dst).s(": ");
        match nh {
            1 | 2 => self.ip6_payload(d, k, nh, 0, ctx),
            0 => {
                let Some(Layer { header: Header::Ipv6Ext(ext), .. }) = d.get(k) else {
                    self.out.s(" [|hbhopt]");
                    return;
                };
                let eb = ext.slice();
                let hl = (usize::from(eb[1]) + 1) * 8;
                let h = &eb[..hl.min(eb.len())];
                if !self.ext_header(0, h, 0) {
                    return;
                }
                let jumbo = h.windows(2).skip(2).any(|w| w == [0xc2, 4]);
                self.out.s(if jumbo {
                    " [|ip6]"
                } else {
                    "[No valid Jumbo Payload Hop-by-Hop option found] (invalid)"
                });
            }
            58 => {
                self.out.s("ICMP6, length 0 (invalid)");
            }
            59 => {
                self.out.s("no next header");
            }
            17 => {
                self.out.s(" [|udp]");
            }
            6 => {
                self.out.s(" [|tcp]");
            }
            43 | 44 | 60 => {
                self.out.s(" [|ip6]");
            }
            _ => {
                self.out.s(" ip-proto-").u(u64::from(nh)).s(" 0");
            }
        }
    }

    /// Extension headers the dissector refused for a hop-by-hop header out of place, as
    /// tcpdump's ip6_print: the headers before it, then its complaint.
    fn hbh_misplaced(&mut self, nh: u8, seg: &[u8]) {
        let Some(&[next, l]) = seg.get(..2).map(|x| <&[u8; 2]>::try_from(x).expect("two bytes")) else {
            return self.out.s(" [|ip6]").end();
        };
        let hl = (usize::from(l) + 1) * 8;
        let Some(h) = seg.get(..hl).filter(|_| matches!(nh, 0 | 60) && next == 0) else {
            return self.out.s(" [|ip6]").end();
        };
        if !self.ext_header(nh, h, 0) {
            return;
        }
        self.out.s(if nh == 0 {
            "[The Hop-by-Hop Options header was already found] (invalid)"
        } else {
            "[The Hop-by-Hop Options header don't follow the IPv6 header] (invalid)"
        });
    }

    /// An IPv6 header the dissector refused (cut, or a wrong version), from its captured bytes
    /// `b`, as tcpdump's `ip6_print`; `len` bytes as the enclosing layer declares.
    pub(super) fn ipv6_refused(&mut self, b: &[u8], len: usize) {
        if b.len() < 40 {
            self.out.s(" [|ip6]");
            return;
        }
        if len < 40 {
            self.out.s("truncated-ip6 ").u(len as u64);
            return;
        }
        if !self.opts.link_header {
            self.out.s("IP6 ");
        }
        self.out.s("version error: ").u(u64::from(b[0] >> 4)).s(" != 6");
    }

    /// One extension header; `false` where tcpdump gives up on the packet after it.
    pub(super) fn ext_header(&mut self, code: u8, h: &[u8], frag_rest: usize) -> bool {
        match code {
            0 | 60 => {
                self.out.s(if code == 0 { "HBH " } else { "DSTOPT " });
                if !self.ip6_opts(h.get(2..).unwrap_or(&[]), code == 0) {
                    self.out.s(if code == 0 { " [|hbhopt]" } else { " [|dstopt]" });
                    return false;
                }
            }
            44 if h.len() >= 8 => {
                let off = u16::from_be_bytes([h[2], h[3]]);
                let id = u32::from_be_bytes([h[4], h[5], h[6], h[7]]);
                self.out.s("frag (").hx(u64::from(id), 8).c(b':').u(u64::from(off & 0xfff8)).c(b'|');
                self.out.u(frag_rest as u64).s(") ");
            }
            43 => {
                self.out.s("srcrt (len=").u(u64::from(h[1])).s(") ");
            }
            _ => {}
        }
        true
    }

    /// Hop-by-hop or destination options as tcpdump's ip6_opt_process; `false` at a cut or
    /// lying option (tcpdump then prints its marker and stops).
    fn ip6_opts(&mut self, o: &[u8], hbh: bool) -> bool {
        let len = o.len();
        let mut i = 0;
        while i < len {
            let t = o[i];
            let optlen = match (t, o.get(i + 1)) {
                (0, _) => 1,
                (_, Some(&l)) => usize::from(l) + 2,
                (_, None) => return false,
            };
            if i + optlen > len {
                return false;
            }
            let l = o[i + 1.min(optlen - 1)];
            // tcpdump checks that the option's fixed size is left before its length field.
            let (name, min) = match t {
                1 => ("padn", 2),
                5 => ("rtalert", 4),
                0xc2 => ("jumbo", 6),
                _ => ("", 2),
            };
            if t != 0 && len - i < min {
                match name {
                    "" => self.out.s("(type ").u(u64::from(t)).s(": trunc)"),
                    n => self.out.c(b'(').s(n).s(": trunc)"),
                };
                return false;
            }
            match t {
                0 => {
                    self.out.s("(pad1)");
                }
                1 => {
                    self.out.s("(padn)");
                }
                5 if l != 2 => {
                    self.out.s("(rtalert: invalid len ").u(u64::from(l)).c(b')');
                    return false;
                }
                5 => {
                    self.out
                        .s("(rtalert: ")
                        .hx(u64::from(u16::from_be_bytes([o[i + 2], o[i + 3]])), 4)
                        .s(") ");
                }
                0xc2 if l != 4 => {
                    self.out.s("(jumbo: invalid len ").u(u64::from(l)).c(b')');
                    return false;
                }
                0xc2 => {
                    let v = u32::from_be_bytes([o[i + 2], o[i + 3], o[i + 4], o[i + 5]]);
                    self.out.s("(jumbo: ").u(u64::from(v));
                    self.out.s(if hbh { ") " } else { " - not a hop-by-hop option) " });
                }
                _ => {
                    self.out.s("(opt_type 0x").x0(u64::from(t), 2).s(": len=").u(u64::from(l)).c(b')');
                }
            }
            i += optlen;
        }
        self.out.c(b' ');
        true
    }

    pub(super) fn ip6_payload(&mut self, d: &Dissection<'_>, j: usize, proto: u8, len: usize, ip: IpCtx<'_>) {
        // tcpdump's ip_demux_print refuses IPv4-only protocols over IPv6 before reading them.
        if let Some(name) = match proto {
            1 => Some("ICMP"),
            2 => Some("IGMP"),
            _ => None,
        } {
            self.out.c(b'[').s(name).s(" requires IPv4] (invalid)");
            return;
        }
        match d.get(j).map(|l| &l.header) {
            Some(Header::Udp(_)) => self.udp(d, j, len, ip),
            Some(Header::Tcp(_)) => self.tcp(d, j, len, ip),
            Some(Header::Icmpv6(_)) => self.icmp6(d, j, len, ip),
            Some(Header::Icmpv4(_)) => self.icmp(d, j, len, ip),
            Some(Header::Igmp(_)) => self.igmp(d, j, len),
            Some(Header::Ipv4(_)) => self.ipv4(d, j, len),
            Some(Header::Ipv6(_)) => self.ipv6(d, j, len),
            _ => {
                if d.error().is_some() && d.len() == j {
                    let seg = j.checked_sub(1).and_then(|k| d.get(k)).map_or(&[][..], |l| l.payload);
                    match (d.error().map_or(Proto::Ipv6, |e| e.proto), proto) {
                        // An extension header cut: the marker names it, as its tcpdump printer.
                        (Proto::Ipv6Ext, 0) => self.out.s(" [|hbhopt]"),
                        (Proto::Ipv6Ext, 60) => self.out.s(" [|dstopt]"),
                        (Proto::Ipv6Ext, 44) => self.out.s(" [|frag6]"),
                        (Proto::Ipv6Ext, 43) => self.out.s(" [|rt6]"),
                        (p, _) => {
                            self.transport_refused(seg, p, len, ip, !matches!(proto, 6 | 17));
                            &mut self.out
                        }
                    };
                    return;
                }
                // After an extension header tcpdump's demuxer writes its own leading space.
                if proto == 59 {
                    self.out.s("no next header");
                    return;
                }
                self.out.s(" ip-proto-").u(u64::from(proto)).c(b' ').u(len as u64);
            }
        }
    }
}
