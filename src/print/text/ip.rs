//! IPv4 with its options (tcpdump's print-ip.c).

use super::*;

impl TextPrinter {
    pub(super) fn ipv4(&mut self, d: &Dissection<'_>, j: usize, len: usize) {
        let Some(Layer { header: Header::Ipv4(h), .. }) = d.get(j) else { return };
        let b = h.slice();
        let hlen = b.len();
        let total = usize::from(u16::from_be_bytes([b[2], b[3]]));
        if !self.opts.link_header {
            self.out.s("IP ");
        }
        if len < total {
            self.out.s("truncated-ip - ").u((total - len) as u64).s(" bytes missing! ");
        }
        if total < hlen {
            self.out.s("bad-len ").u(total as u64);
            return;
        }
        let tos = b[1];
        let off = u16::from_be_bytes([b[6], b[7]]);
        let proto = b[9];
        self.out.s("(tos ").hx(u64::from(tos), 1);
        match tos & 3 {
            1 => self.out.s(",ECT(1)"),
            2 => self.out.s(",ECT(0)"),
            3 => self.out.s(",CE"),
            _ => &mut self.out,
        };
        self.out.s(", ttl ").u(u64::from(b[8])).s(", id ").u(u64::from(u16::from_be_bytes([b[4], b[5]])));
        self.out.s(", offset ").u(u64::from(off & 0x1fff) * 8).s(", flags [");
        self.bit_names(u32::from(off), &[(0x2000, "+"), (0x4000, "DF"), (0x8000, "rsvd")], ", ");
        self.out
            .s("], proto ")
            .s(ipproto_name(proto).unwrap_or("unknown"))
            .s(" (")
            .u(u64::from(proto))
            .c(b')');
        self.out.s(", length ").u(total as u64);
        if hlen > 20 {
            self.out.s(", options (");
            self.ip_options(&b[20..]);
            self.out.c(b')');
        }
        let c = fold(sum(0, b));
        if c != 0 {
            let field = u16::from_be_bytes([b[10], b[11]]);
            self.out
                .s(", bad cksum ")
                .x(u64::from(field))
                .s(" (->")
                .x(u64::from(should_be(field, c)))
                .s(")!");
        }
        self.out.s(")\n    ");
        let ctx = IpCtx { src: &b[12..16], dst: &b[16..20], v6: false, fragmented: off & 0x3fff != 0 };
        if off & 0x1fff != 0 {
            self.out.ip4(ctx.src).s(" > ").ip4(ctx.dst).s(": ip-proto-").u(u64::from(proto));
            self.out.c(b' ').u((total - hlen) as u64);
            return;
        }
        self.ip_payload(d, j + 1, proto, total - hlen, ctx);
    }

    pub(super) fn ip_options(&mut self, mut o: &[u8]) {
        let mut first = true;
        while let Some(&code) = o.first() {
            if !first {
                self.out.c(b',');
            }
            first = false;
            match code {
                0 => self.out.s("EOL"),
                1 => self.out.s("NOP"),
                7 => self.out.s("RR"),
                68 => self.out.s("timestamp"),
                130 => self.out.s("security"),
                131 => self.out.s("LSRR"),
                137 => self.out.s("SSRR"),
                148 => self.out.s("RA"),
                82 => self.out.s("traceroute"),
                _ => self.out.s("unknown ").u(u64::from(code)),
            };
            if code == 0 {
                return;
            }
            if code == 1 {
                o = &o[1..];
                continue;
            }
            let Some(&l) = o.get(1) else {
                self.out.s(" [bad length 0]");
                return;
            };
            let l = usize::from(l);
            if l < 2 || l > o.len() {
                self.out.s(" [bad length ").u(l as u64).c(b']');
                return;
            }
            if code == 148 {
                if l < 4 {
                    self.out.s(" [bad length ").u(l as u64).c(b']');
                } else {
                    let v = u16::from_be_bytes([o[2], o[3]]);
                    if v != 0 {
                        self.out.s(" value ").u(u64::from(v));
                    }
                }
            }
            o = &o[l..];
        }
    }

    /// The payload of an IP header: layer `j` should be protocol `proto`, `len` bytes as the IP
    /// header declares.
    pub(super) fn ip_payload(&mut self, d: &Dissection<'_>, j: usize, proto: u8, len: usize, ip: IpCtx<'_>) {
        let next = d.get(j);
        match next.map(|l| &l.header) {
            Some(Header::Udp(_)) => self.udp(d, j, len, ip),
            Some(Header::Tcp(_)) => self.tcp(d, j, len, ip),
            Some(Header::Icmpv4(_)) => {
                self.addrs(ip);
                self.icmp(d, j, len, ip)
            }
            Some(Header::Icmpv6(_)) => {
                self.addrs(ip);
                self.icmp6(d, j, len, ip)
            }
            Some(Header::Igmp(_)) => {
                self.addrs(ip);
                self.igmp(d, j, len)
            }
            Some(Header::Ipv4(_)) => {
                self.addrs(ip);
                self.ipv4(d, j, len)
            }
            Some(Header::Ipv6(_)) => {
                self.addrs(ip);
                self.ipv6(d, j, len)
            }
            _ => {
                if d.error().is_some() && d.len() == j {
                    let p = d.error().map_or(Proto::Ipv4, |e| e.proto);
                    let seg = j.checked_sub(1).and_then(|k| d.get(k)).map_or(&[][..], |l| l.payload);
                    match seg {
                        // tcpdump prints the ports of a UDP header cut after them.
                        [a, b, c, e, ..] if p == Proto::Udp => {
                            let (sp, dp) = (u16::from_be_bytes([*a, *b]), u16::from_be_bytes([*c, *e]));
                            self.out.ip(ip.src).c(b'.').u(u64::from(sp)).s(" > ");
                            self.out.ip(ip.dst).c(b'.').u(u64::from(dp)).s(": ");
                        }
                        _ => self.addrs(ip),
                    }
                    self.trunc_proto(p);
                    return;
                }
                self.addrs(ip);
                self.out.s(" ip-proto-").u(u64::from(proto)).c(b' ').u(len as u64);
            }
        }
    }

    pub(super) fn addrs(&mut self, ip: IpCtx<'_>) {
        self.out.ip(ip.src).s(" > ").ip(ip.dst).s(": ");
    }
}
