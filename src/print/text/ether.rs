//! Link layers: Ethernet, 802.1Q tags and Linux cooked captures v1/v2 (tcpdump's print-ether.c,
//! print-vlan.c, print-sll.c).

use super::*;

impl TextPrinter {
    pub(super) fn frame(&mut self, d: &Dissection<'_>, wire_len: usize) {
        let Some(l) = d.get(0) else {
            self.trunc_for(d, None);
            return;
        };
        match &l.header {
            Header::Ethernet(_) => self.ether(d, 0, wire_len),
            Header::LinuxSll(s) => {
                let b = s.slice();
                let proto = s.protocol();
                if self.opts.link_header {
                    let t = pkttype(s.packet_type());
                    for _ in t.len()..3 {
                        self.out.c(b' ');
                    }
                    self.out.s(t).c(b' ');
                    if s.addr_len() == 6 {
                        self.out.mac(&b[6..12]).c(b' ');
                    }
                    self.sll_type(proto, wire_len);
                }
                self.ethertype(d, 1, proto, wire_len.saturating_sub(16), 0);
            }
            Header::LinuxSll2(s) => {
                let b = s.slice();
                let idx = s.if_index();
                let start = self.out.b.len();
                match self.ifnames.iter().find(|(i, _)| *i == idx) {
                    Some((_, n)) => {
                        let n = n.clone();
                        self.out.s(&n);
                    }
                    None => {
                        self.out.c(b'?');
                    }
                }
                pad_to(&mut self.out, start, 5);
                self.out.c(b' ');
                let start = self.out.b.len();
                self.out.s(pkttype(u16::from(s.packet_type())));
                pad_to(&mut self.out, start, 3);
                self.out.c(b' ');
                let proto = s.protocol();
                if self.opts.link_header {
                    self.out.s("ifindex ").u(u64::from(idx)).c(b' ');
                    if s.addr_len() == 6 {
                        self.out.mac(&b[12..18]).c(b' ');
                    }
                    self.sll_type(proto, wire_len);
                }
                self.ethertype(d, 1, proto, wire_len.saturating_sub(20), 0);
            }
            Header::Ipv4(_) => self.ipv4(d, 0, wire_len),
            Header::Ipv6(_) => self.ipv6(d, 0, wire_len),
            _ => {}
        }
    }

    /// The link-layer line tcpdump prints without `-e` before the dump of an ethertype it does
    /// not know: Ethernet addresses, or the Linux cooked header (`sll_print`, `sll2_print`).
    fn link_line_for_unknown(&mut self, d: &Dissection<'_>, j: usize, et: u16, len: usize) {
        if let Some(b) = ether_before(d, j) {
            let tags = (0..j)
                .rev()
                .filter_map(|k| d.get(k))
                .take_while(|l| matches!(l.header, Header::Vlan(_)))
                .count();
            self.out.mac(&b[6..12]).s(" > ").mac(&b[0..6]).s(", ");
            self.ether_type(et);
            self.out.s(", length ").u((len + 14 + 4 * tags) as u64).s(": ");
            return;
        }
        match j.checked_sub(1).and_then(|k| d.get(k)).map(|l| &l.header) {
            Some(Header::LinuxSll(s)) if j == 1 => {
                let t = pkttype(s.packet_type());
                for _ in t.len()..3 {
                    self.out.c(b' ');
                }
                self.out.s(t).c(b' ');
                if s.addr_len() == 6 {
                    self.out.mac(&s.slice()[6..12]).c(b' ');
                }
                self.sll_type(et, len + 16);
            }
            Some(Header::LinuxSll2(s)) if j == 1 => {
                self.out.s("ifindex ").u(u64::from(s.if_index())).c(b' ');
                if s.addr_len() == 6 {
                    self.out.mac(&s.slice()[12..18]).c(b' ');
                }
                self.sll_type(et, len + 20);
            }
            _ => {}
        }
    }

    pub(super) fn sll_type(&mut self, proto: u16, len: usize) {
        if self.opts.quiet {
            return;
        }
        if proto <= 1500 {
            match proto {
                1 => self.out.s("802.3"),
                4 => self.out.s("802.2"),
                _ => self.out.s("ethertype Unknown (").hx(u64::from(proto), 4).c(b')'),
            };
        } else {
            self.out
                .s("ethertype ")
                .s(ethertype_name(proto).unwrap_or("Unknown"))
                .s(" (")
                .hx(u64::from(proto), 4)
                .c(b')');
        }
        self.out.s(", length ").u(len as u64).s(": ");
    }

    /// An Ethernet header at layer `i`, `len` bytes of frame on the wire (or as the enclosing
    /// header declares).
    pub(super) fn ether(&mut self, d: &Dissection<'_>, i: usize, len: usize) {
        let Some(Layer { header: Header::Ethernet(h), .. }) = d.get(i) else { return };
        let b = h.slice();
        let e = self.opts.link_header;
        let et = u16::from_be_bytes([b[12], b[13]]);
        // A cut 802.1Q tag: tcpdump prints the type and length with the tag, so neither.
        let vlan_cut = d.len() == i + 1 && d.error().is_some_and(|x| x.proto == Proto::Vlan);
        if e {
            self.out.mac(&b[6..12]).s(" > ").mac(&b[0..6]).s(", ");
            if vlan_cut {
            } else if et <= 1500 {
                self.out.s("802.3, length ").u(len as u64).s(": ");
            } else {
                self.ether_type(et);
                self.out.s(", length ").u(len as u64).s(": ");
            }
        }
        let depth = d.get(i).map_or(0, |l| l.depth);
        self.ethertype(d, i + 1, et, len.saturating_sub(14), depth);
        // Unknown ethertype: tcpdump prints the addresses (if -e did not) and a raw dump.
        let _ = b;
    }

    pub(super) fn ether_type(&mut self, et: u16) {
        if self.opts.quiet {
            match ethertype_name(et) {
                Some(n) => self.out.s(n),
                None => self.out.s("Unknown Ethertype (").hx(u64::from(et), 4).c(b')'),
            };
            return;
        }
        self.out
            .s("ethertype ")
            .s(ethertype_name(et).unwrap_or("Unknown"))
            .s(" (")
            .hx(u64::from(et), 4)
            .c(b')');
    }

    /// Whatever follows an Ethernet type field: layer `j` should be the protocol `et` names.
    pub(super) fn ethertype(&mut self, d: &Dissection<'_>, j: usize, et: u16, len: usize, depth: u8) {
        let e = self.opts.link_header;
        let next = d.get(j).filter(|l| l.depth == depth);
        match next.map(|l| &l.header) {
            Some(Header::Vlan(v)) => {
                let b = v.slice();
                let tci = u16::from_be_bytes([b[0], b[1]]);
                let inner = u16::from_be_bytes([b[2], b[3]]);
                if e {
                    self.out.s("vlan ").u(u64::from(tci & 0xfff)).s(", p ").u(u64::from(tci >> 13));
                    if tci & 0x1000 != 0 {
                        self.out.s(", DEI");
                    }
                    self.out.s(", ");
                    // tcpdump prints a tag's type with the tag: not for a cut inner tag.
                    let cut = d.len() == j + 1 && d.error().is_some_and(|x| x.proto == Proto::Vlan);
                    if !cut {
                        self.ether_type(inner);
                        self.out.s(", ");
                    }
                }
                self.ethertype(d, j + 1, inner, len.saturating_sub(4), depth);
            }
            Some(Header::Ipv4(_)) => self.ipv4(d, j, len),
            Some(Header::Ipv6(_)) => self.ipv6(d, j, len),
            Some(Header::Arp(_)) => self.arp(d, j, len),
            Some(Header::Ethernet(_)) => self.ether(d, j, len),
            _ => {
                if let Some(err) = d.error().filter(|_| next.is_none() && d.len() == j) {
                    // The layer this ethertype names could not be read.
                    match err.proto {
                        // tcpdump reads up to the end of the enclosing IP packet.
                        Proto::Ipv4 | Proto::Ipv6 => {
                            let b = d.data().get(err.offset..ip_end(d, j).max(err.offset)).unwrap_or(&[]);
                            if err.proto == Proto::Ipv4 {
                                self.ipv4_refused(b, len);
                            } else {
                                self.ipv6_refused(b, len);
                            }
                        }
                        p => self.trunc_proto(p),
                    }
                    return;
                }
                // An ethertype the dissector does not decode.
                if !e {
                    self.link_line_for_unknown(d, j, et, len);
                }
                if self.opts.hex == HexMode::None {
                    let off = d.get(j.saturating_sub(1)).map_or(0, |l| l.offset + header_len(&l.header));
                    let data = d.data();
                    hex::hex_ascii(&mut self.out.b, b"\n\t", data.get(off..).unwrap_or(&[]));
                }
            }
        }
    }
}

/// The Ethernet header bytes of the link layer that ends right before layer `j` (skipping tags).
pub(super) fn ether_before<'a>(d: &Dissection<'a>, j: usize) -> Option<&'a [u8]> {
    let mut k = j;
    while k > 0 {
        k -= 1;
        match &d.get(k)?.header {
            Header::Vlan(_) => continue,
            Header::Ethernet(e) => return Some(e.slice()),
            _ => return None,
        }
    }
    None
}
