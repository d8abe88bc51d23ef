//! ARP (tcpdump's print-arp.c).

use super::*;

impl TextPrinter {
    pub(super) fn arp(&mut self, d: &Dissection<'_>, j: usize, len: usize) {
        let Some(Layer { header: Header::Arp(a), offset, .. }) = d.get(j) else { return };
        let b = a.slice();
        let hrd = u16::from_be_bytes([b[0], b[1]]);
        if hrd == 19 {
            // ATM ARP (RFC 2225) has its own layout; tcpdump first checks that all of it is there.
            let avail = d.data().len().saturating_sub(*offset);
            let f = |i: usize| usize::from(b.get(i).copied().unwrap_or(0));
            let need = 12 + (f(4) & 0x3f) + (f(5) & 0x3f) + f(8) + (f(9) & 0x3f) + (f(10) & 0x3f) + f(11);
            if avail < need {
                self.trunc_proto(Proto::Arp);
                return;
            }
        }
        let pro = u16::from_be_bytes([b[2], b[3]]);
        let hln = usize::from(b[4]);
        let pln = usize::from(b[5]);
        let op = u16::from_be_bytes([b[6], b[7]]);
        let sha = &b[8..8 + hln];
        let spa = &b[8 + hln..8 + hln + pln];
        let tha = &b[8 + hln + pln..8 + 2 * hln + pln];
        let tpa = &b[8 + 2 * hln + pln..8 + 2 * hln + 2 * pln];
        if !self.opts.link_header {
            self.out.s("ARP, ");
        }
        self.arp_types(hrd, hln, pro, pln);
        let ip_ok = pro == 0x0800 || pro == 0x1000;
        let paddr = |o: &mut Buf, a: &[u8]| {
            if !ip_ok {
                o.s("<wrong proto type>");
            } else if pln != 4 {
                o.s("<wrong len>");
            } else {
                o.ip4(a);
            }
        };
        match op {
            1 => {
                self.out.s("Request who-has ");
                paddr(&mut self.out, tpa);
                if tha.iter().any(|&x| x != 0) {
                    self.out.s(" (").mac(tha).c(b')');
                }
                self.out.s(" tell ");
                paddr(&mut self.out, spa);
            }
            2 => {
                self.out.s("Reply ");
                paddr(&mut self.out, spa);
                self.out.s(" is-at ").mac(sha);
            }
            3 => {
                self.out.s("Reverse Request who-is ").mac(tha).s(" tell ").mac(sha);
            }
            4 => {
                self.out.s("Reverse Reply ").mac(tha).s(" at ");
                paddr(&mut self.out, tpa);
            }
            8 => {
                self.out.s("Inverse Request who-is ").mac(tha).s(" tell ").mac(sha);
            }
            9 => {
                self.out.s("Inverse Reply ").mac(sha).s(" at ");
                paddr(&mut self.out, spa);
            }
            _ => {
                match op {
                    10 => self.out.s("NACK Reply"),
                    _ => self.out.s("Unknown (").u(u64::from(op)).c(b')'),
                };
                self.out.c(b' ');
                hex::hex_ascii(&mut self.out.b, b"\n\t", d.data().get(*offset..).unwrap_or(&[]));
                return;
            }
        }
        self.out.s(", length ").u(len as u64);
    }

    /// The hardware and protocol types with their address lengths.
    fn arp_types(&mut self, hrd: u16, hln: usize, pro: u16, pln: usize) {
        match arphrd_name(hrd) {
            Some(n) => self.out.s(n),
            None => self.out.s("Unknown Hardware (").u(u64::from(hrd)).c(b')'),
        };
        self.out.s(" (len ").u(hln as u64).s("), ");
        match ethertype_name(pro) {
            Some(n) => self.out.s(n),
            None => self.out.s("Unknown Protocol (").hx(u64::from(pro), 4).c(b')'),
        };
        self.out.s(" (len ").u(pln as u64).s("), ");
    }
}
