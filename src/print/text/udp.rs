//! UDP (tcpdump's print-udp.c).

use super::*;

impl TextPrinter {
    pub(super) fn pseudo_sum(ip: IpCtx<'_>, proto: u8, len: usize) -> u64 {
        let mut acc = sum(0, ip.src);
        acc = sum(acc, ip.dst);
        acc + u64::from(proto) + len as u64
    }

    pub(super) fn udp(&mut self, d: &Dissection<'_>, j: usize, len: usize, ip: IpCtx<'_>) {
        let Some(Layer { header: Header::Udp(u), .. }) = d.get(j) else { return };
        let b = u.slice();
        let sp = u16::from_be_bytes([b[0], b[1]]);
        let dp = u16::from_be_bytes([b[2], b[3]]);
        let mut ulen = usize::from(u16::from_be_bytes([b[4], b[5]]));
        let addr_ports = |o: &mut Buf| {
            o.ip_port(ip.src, sp).s(" > ").ip_port(ip.dst, dp).s(": ");
        };
        if len < 8 {
            addr_ports(&mut self.out);
            self.out.s("truncated-udp ").u(len as u64);
            return;
        }
        if ulen == 0 && len > 65535 {
            ulen = len;
        }
        if ulen < 8 {
            addr_ports(&mut self.out);
            self.out.s("truncated-udplength ").u(ulen as u64);
            return;
        }
        let ulen = ulen - 8;
        let length = (len - 8).min(ulen);
        addr_ports(&mut self.out);
        // The bytes up to the end of the innermost IP packet, as tcpdump's snapend.
        let seg = j.checked_sub(1).and_then(|k| d.get(k)).map_or(&[][..], |l| l.payload);
        if !ip.fragmented && (ip.v6 || self.opts.verbose > 1) {
            let field = u16::from_be_bytes([b[6], b[7]]);
            if !ip.v6 && field == 0 {
                self.out.s("[no cksum] ");
            } else if seg.len() >= length + 8 {
                let c = fold(sum(Self::pseudo_sum(ip, 17, length + 8), &seg[..length + 8]));
                if c != 0 {
                    self.out.s("[bad udp cksum ").hx(u64::from(field), 4).s(" -> ");
                    self.out.hx(u64::from(should_be(field, c)), 4).s("!] ");
                } else {
                    self.out.s("[udp sum ok] ");
                }
            }
        }
        if self.opts.quiet {
            self.out.s("UDP, length ").u(ulen as u64);
            return;
        }
        match d.get(j + 1).map(|l| &l.header) {
            Some(Header::Vxlan(_)) => self.vxlan(d, j + 1, length),
            Some(Header::VxlanGpe(_)) => self.gpe(d, j + 1, length),
            _ => {
                if let Some(e) = d.error().filter(|_| d.len() == j + 1) {
                    if matches!(e.proto, Proto::Vxlan | Proto::VxlanGpe) {
                        self.out.s(if e.proto == Proto::Vxlan { "VXLAN" } else { "VXLAN-GPE" });
                        if e.proto == Proto::Vxlan && length < 8 {
                            self.out.s(" (invalid)");
                            return;
                        }
                        if e.proto == Proto::Vxlan && e.kind == ErrorKind::Truncated {
                            let h = d.get(j).map_or(&[][..], |l| l.payload);
                            self.vxlan_fields(h);
                        }
                        self.trunc_proto(e.proto);
                        return;
                    }
                }
                if ulen > length && !ip.fragmented {
                    self.out.s("UDP, bad length ").u(ulen as u64).s(" > ").u(length as u64);
                } else {
                    self.out.s("UDP, length ").u(ulen as u64);
                }
            }
        }
    }
}
