//! IPv4 with its options (tcpdump's print-ip.c).

use super::*;

/// How an IPv4 option list ended: read through, cut inside an option (tcpdump's
/// `[truncated-option]`), or cut where tcpdump gives up on the packet.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum OptEnd {
    Ok,
    Truncated,
    Abort,
}

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
        let off = u16::from_be_bytes([b[6], b[7]]);
        let proto = b[9];
        if self.ipv4_head(b, hlen, total) != OptEnd::Ok {
            return;
        }
        let ctx = IpCtx { src: &b[12..16], dst: &b[16..20], v6: false, fragmented: off & 0x3fff != 0 };
        if off & 0x1fff != 0 {
            // Not the first fragment: tcpdump names the protocol only.
            self.out.ip4(ctx.src).s(" > ").ip4(ctx.dst).s(": ip-proto-").u(u64::from(proto));
            return;
        }
        self.ip_payload(d, j + 1, proto, total - hlen, ctx);
    }

    /// An IPv4 header the dissector refused (bad version, IHL or length, or cut), printed from
    /// its captured bytes `b` as tcpdump's `ip_print` does; `len` bytes as the enclosing layer
    /// declares.
    pub(super) fn ipv4_refused(&mut self, b: &[u8], len: usize) {
        let Some(&vhl) = b.first() else {
            self.out.s(" [|ip]");
            return;
        };
        match vhl >> 4 {
            4 => {}
            6 => {
                self.out.s("IP6, wrong link-layer encapsulation (invalid)");
                return;
            }
            v => {
                self.out.s("IP").u(u64::from(v)).s(" (invalid)");
                return;
            }
        }
        if !self.opts.link_header {
            self.out.s("IP ");
        }
        if b.len() < 20 {
            self.out.s(" [|ip]");
            return;
        }
        let hlen = usize::from(vhl & 15) * 4;
        let total = usize::from(u16::from_be_bytes([b[2], b[3]]));
        if len < 20 {
            self.out.s("truncated-ip ").u(len as u64);
        } else if hlen < 20 {
            self.out.s("bad-hlen ").u(hlen as u64);
        } else {
            if len < total {
                self.out.s("truncated-ip - ").u((total - len) as u64).s(" bytes missing! ");
            }
            if total < hlen {
                self.out.s("bad-len ").u(total as u64);
            } else if self.ipv4_head(b, hlen, total) == OptEnd::Ok {
                // The header is longer than the capture yet its options read to the end.
                self.out.ip4(&b[12..16]).s(" > ").ip4(&b[16..20]).s(": ");
                self.out.s(" [remaining caplen(").u(b.len() as u64).s(") < header length(");
                self.out.u(hlen as u64).s(")] [|ip]");
            }
        }
    }

    /// The parenthesised fields of an IPv4 header of `hlen` bytes (`b` may be cut short) with
    /// total length `total`, and the line break; at a cut option, tcpdump's truncation text.
    fn ipv4_head(&mut self, b: &[u8], hlen: usize, total: usize) -> OptEnd {
        let tos = b[1];
        let off = u16::from_be_bytes([b[6], b[7]]);
        let proto = b[9];
        // The common cases as whole literals (most headers have TOS 0, no fragment offset, one
        // of three flag sets and a well-known protocol): a few appends instead of a dozen.
        if tos == 0 {
            self.out.s("(tos 0x0");
        } else {
            self.out.s("(tos ").hx(u64::from(tos), 1);
            match tos & 3 {
                1 => self.out.s(",ECT(1)"),
                2 => self.out.s(",ECT(0)"),
                3 => self.out.s(",CE"),
                _ => &mut self.out,
            };
        }
        if b[8] >= 1 {
            self.out.s(", ttl ").u(u64::from(b[8]));
        }
        self.out.s(", id ").u(u64::from(u16::from_be_bytes([b[4], b[5]])));
        match off {
            0 => self.out.s(", offset 0, flags [none], proto "),
            0x4000 => self.out.s(", offset 0, flags [DF], proto "),
            0x2000 => self.out.s(", offset 0, flags [+], proto "),
            _ => {
                self.out.s(", offset ").u(u64::from(off & 0x1fff) * 8).s(", flags [");
                self.bit_names(u32::from(off), &[(0x2000, "+"), (0x4000, "DF"), (0x8000, "rsvd")], ", ");
                self.out.s("], proto ")
            }
        };
        match proto {
            1 => self.out.s("ICMP (1), length "),
            2 => self.out.s("IGMP (2), length "),
            6 => self.out.s("TCP (6), length "),
            17 => self.out.s("UDP (17), length "),
            _ => self
                .out
                .s(ipproto_name(proto).unwrap_or("unknown"))
                .s(" (")
                .u(u64::from(proto))
                .s("), length "),
        };
        self.out.u(total as u64);
        let mut end = OptEnd::Ok;
        if hlen > 20 {
            self.out.s(", options (");
            end = self.ip_options(b.get(20..hlen.min(b.len())).unwrap_or(&[]), hlen - 20);
            match end {
                OptEnd::Abort => {
                    self.out.s(" [|ip]");
                    return end;
                }
                OptEnd::Truncated => self.out.s(" [truncated-option]"),
                OptEnd::Ok => &mut self.out,
            };
            self.out.c(b')');
        }
        if b.len() >= hlen {
            let c = fold(sum(0, &b[..hlen]));
            if c != 0 {
                let field = u16::from_be_bytes([b[10], b[11]]);
                self.out.s(", bad cksum ").x(u64::from(field)).s(" (->");
                self.out.x(u64::from(should_be(field, c))).s(")!");
            }
        }
        self.out.s(")\n    ");
        if end == OptEnd::Truncated {
            self.out.ip4(&b[12..16]).s(" > ").ip4(&b[16..20]).s(": ").s(" [|ip]");
        }
        end
    }

    /// IPv4 options as tcpdump's `ip_optprint`: `o` is what was captured of the `declared`
    /// option bytes.
    pub(super) fn ip_options(&mut self, o: &[u8], declared: usize) -> OptEnd {
        let mut at = 0;
        while at < declared {
            if at > 0 {
                self.out.c(b',');
            }
            let Some(&code) = o.get(at) else { return OptEnd::Abort };
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
            let l = if code <= 1 {
                1
            } else {
                let Some(&l) = o.get(at + 1) else { return OptEnd::Abort };
                usize::from(l)
            };
            if l < 1 || (code > 1 && l < 2) || l > declared - at {
                self.out.s(" [bad length ").u(l as u64).c(b']');
                return OptEnd::Ok;
            }
            if at + l > o.len() {
                return OptEnd::Truncated;
            }
            match code {
                0 => return OptEnd::Ok,
                148 if l < 4 => {
                    self.out.s(" [bad length ").u(l as u64).c(b']');
                }
                148 => {
                    let v = u16::from_be_bytes([o[at + 2], o[at + 3]]);
                    if v != 0 {
                        self.out.s(" value ").u(u64::from(v));
                    }
                }
                7 | 131 | 137 => self.ip_route(&o[at..at + l]),
                _ => {}
            }
            at += l;
        }
        OptEnd::Ok
    }

    /// A record-route or source-route option (tcpdump's `ip_printroute`).
    fn ip_route(&mut self, o: &[u8]) {
        let l = o.len();
        if l < 3 {
            self.out.s(" [bad length ").u(l as u64).c(b']');
            return;
        }
        if (l + 1) & 3 != 0 {
            self.out.s(" [bad length ").u(l as u64).c(b']');
        }
        let ptr = usize::from(o[2]).wrapping_sub(1);
        if !(3..=l + 1).contains(&ptr) || (ptr + 1) & 3 != 0 {
            self.out.s(" [bad ptr ").u(u64::from(o[2])).c(b']');
        }
        let mut k = 3;
        while k < l {
            let Some(a) = o.get(k..k + 4) else { return };
            self.out.c(b' ').ip4(a);
            if ptr > k {
                self.out.c(b',');
            }
            k += 4;
        }
    }

    /// The payload of an IP header: layer `j` should be protocol `proto`, `len` bytes as the IP
    /// header declares.
    pub(super) fn ip_payload(&mut self, d: &Dissection<'_>, j: usize, proto: u8, len: usize, ip: IpCtx<'_>) {
        if proto == 58 || proto == 143 {
            // tcpdump's ip_demux_print refuses ICMPv6 and Ethernet over IPv4 before reading them.
            self.addrs(ip);
            self.out
                .c(b'[')
                .s(if proto == 58 { "ICMPv6" } else { "Ethernet" })
                .s(" requires IPv6] (invalid)");
            return;
        }
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
                    self.transport_refused(seg, p, len, ip, false);
                    return;
                }
                self.addrs(ip);
                if proto == 59 {
                    self.out.s("no next header");
                    return;
                }
                self.out.s(" ip-proto-").u(u64::from(proto)).c(b' ').u(len as u64);
            }
        }
    }

    /// A transport header the dissector refused, from the captured IP payload `seg`, as the
    /// tcpdump printer of protocol `p` gets as far as it can; `addrs_done` when the IP printer
    /// already wrote the addresses.
    pub(super) fn transport_refused(
        &mut self,
        seg: &[u8],
        p: Proto,
        len: usize,
        ip: IpCtx<'_>,
        addrs_done: bool,
    ) {
        match seg {
            // tcpdump's tcp_print: the addresses alone before the ports are read,
            // the ports before the rest of the header.
            [a, b, c, e, ..] if p == Proto::Tcp => {
                let hlen = seg.get(12).map_or(0, |o| usize::from(o >> 4) * 4);
                if seg.len() >= 20 && hlen >= 20 {
                    // Only the options are cut: tcpdump prints up to the cut.
                    self.tcp_raw(seg, len, ip);
                    return;
                }
                let (sp, dp) = (u16::from_be_bytes([*a, *b]), u16::from_be_bytes([*c, *e]));
                self.out.ip_port(ip.src, sp).s(" > ");
                self.out.ip_port(ip.dst, dp).s(": ");
                if seg.len() >= 20 && hlen < 20 {
                    self.out.s(" tcp ").u((len as u32).wrapping_sub(hlen as u32).into());
                    self.out.s(" [bad hdr length ").u(hlen as u64).s(" - too short, < 20]");
                    return;
                }
            }
            _ if p == Proto::Igmp => {
                if !addrs_done {
                    self.addrs(ip);
                }
                self.igmp_raw(seg, len);
                return;
            }
            // IP in IP: the inner header as the IP printers see it.
            _ if p == Proto::Ipv4 || p == Proto::Ipv6 => {
                if !addrs_done {
                    self.addrs(ip);
                }
                if p == Proto::Ipv4 {
                    self.ipv4_refused(seg, len);
                } else {
                    self.ipv6_refused(seg, len);
                }
                return;
            }
            _ if p == Proto::Icmpv6 && ip.v6 => {
                self.icmp6_raw(seg, len, ip);
                return;
            }
            _ if p == Proto::Tcp => {
                self.out.ip(ip.src).s(" > ").ip(ip.dst).c(b':');
            }
            // tcpdump prints the ports of a UDP header cut after them.
            [a, b, c, e, ..] if p == Proto::Udp => {
                let (sp, dp) = (u16::from_be_bytes([*a, *b]), u16::from_be_bytes([*c, *e]));
                self.out.ip_port(ip.src, sp).s(" > ");
                self.out.ip_port(ip.dst, dp).s(": ");
            }
            _ if !addrs_done => self.addrs(ip),
            _ => {}
        }
        self.trunc_proto(p);
    }

    pub(super) fn addrs(&mut self, ip: IpCtx<'_>) {
        self.out.ip(ip.src).s(" > ").ip(ip.dst).s(": ");
    }
}
