//! VXLAN, VXLAN-GBP and VXLAN-GPE (tcpdump's print-vxlan.c, print-vxlan-gpe.c).

use super::*;

impl TextPrinter {
    pub(super) fn vxlan(&mut self, d: &Dissection<'_>, j: usize, len: usize) {
        let Some(Layer { header: Header::Vxlan(v), .. }) = d.get(j) else { return };
        self.out.s("VXLAN");
        if len < 8 {
            // tcpdump's vxlan_print checks the UDP payload length before it reads a byte.
            self.out.s(" (invalid)");
            return;
        }
        self.vxlan_fields(v.header_bytes());
        let inner = len.saturating_sub(8);
        // tcpdump's ether_print sees the bytes up to the end of the IP packet, whatever the UDP
        // length says, and refuses a frame that claims less than that.
        let start = d.get(j).map_or(0, |l| l.offset + 8);
        let caplen = ip_end(d, j).saturating_sub(start);
        if inner < caplen {
            self.out.s("[length ").u(inner as u64).s(" < caplen ").u(caplen as u64).s("] (invalid)");
            return;
        }
        match d.get(j + 1).map(|l| &l.header) {
            Some(Header::Ethernet(_)) => self.ether(d, j + 1, inner),
            _ => {
                if let Some(e) = d.error().filter(|_| d.len() == j + 1) {
                    self.trunc_proto(e.proto);
                }
            }
        }
    }

    /// The fields of a VXLAN header, whole or cut after `h.len()` bytes, as tcpdump reads them one
    /// by one: the flags with byte 0, the VNI with bytes 4-6 (GBP fields with bytes 1-3).
    pub(super) fn vxlan_fields(&mut self, h: &[u8]) {
        let Some(&flags) = h.first() else { return };
        if flags == 0x08 {
            // Nearly every frame: I alone.
            self.out.s(", flags [I] (0x08), ");
        } else if flags & 0x80 != 0 {
            self.out.s(", flags [");
            self.out.s(if flags & 0x08 != 0 { "G,I" } else { "G" }).s("] (").hx(u64::from(flags), 2).s("), ");
            if let [_, g, p0, p1, ..] = *h {
                if g & 0x48 != 0 {
                    self.out.s("gbp-flags [");
                    match (g & 0x40 != 0, g & 0x08 != 0) {
                        (true, true) => self.out.s("D,A"),
                        (true, false) => self.out.s("D"),
                        _ => self.out.s("A"),
                    };
                    self.out.s("] (").hx(u64::from(g), 2).s("), ");
                }
                self.out.s("group-policy-id ").u(u64::from(u16::from_be_bytes([p0, p1]))).s(", ");
            }
        } else {
            self.out
                .s(", flags [")
                .s(if flags & 0x08 != 0 { "I" } else { "invalid" })
                .s("] (")
                .hx(u64::from(flags), 2)
                .s("), ");
        }
        if let [_, _, _, _, a, b, c, ..] = *h {
            self.out.s("vni ").u(u64::from(u32::from_be_bytes([0, a, b, c]))).c(b'\n');
        }
    }

    /// Writes the names of the bits set in `value`, joined by `sep`, or `none` when none is set
    /// (the flag lists tcpdump prints in brackets: IPv4 flags, ND and prefix flags, GPE flags).
    pub(super) fn bit_names(&mut self, value: u32, names: &[(u32, &str)], sep: &str) {
        let mut any = false;
        for &(bit, name) in names {
            if value & bit != 0 {
                if any {
                    self.out.s(sep);
                }
                self.out.s(name);
                any = true;
            }
        }
        if !any {
            self.out.s("none");
        }
    }

    pub(super) fn gpe(&mut self, d: &Dissection<'_>, j: usize, len: usize) {
        let Some(Layer { header: Header::VxlanGpe(v), .. }) = d.get(j) else { return };
        let h = v.header_bytes();
        let flags = h[0];
        self.out.s("VXLAN-GPE, flags [");
        self.bit_names(u32::from(flags), &[(0x08, "I"), (0x04, "P"), (0x02, "B"), (0x01, "O")], "");
        self.out.s("], vni ").u(u64::from(u32::from_be_bytes([0, h[4], h[5], h[6]])));
        self.out.s("\n    ");
        let inner = len.saturating_sub(8);
        match d.get(j + 1).map(|l| &l.header) {
            Some(Header::Ethernet(_)) => self.ether(d, j + 1, inner),
            Some(Header::Ipv4(_)) => self.ipv4(d, j + 1, inner),
            Some(Header::Ipv6(_)) => self.ipv6(d, j + 1, inner),
            _ => {
                if let Some(e) = d.error().filter(|_| d.len() == j + 1) {
                    self.trunc_proto(e.proto);
                } else {
                    // tcpdump 4.99.3 decodes next protocols 1-4 only (NSH, 4, is outside vxdump's
                    // set); MPLS (5) and anything else is unknown to it.
                    match h[3] {
                        4 => self.out.s("NSH"),
                        _ => self.out.s("ERROR: unknown-next-protocol (invalid)"),
                    };
                }
            }
        }
    }
}

/// Where the IP packet that carries layer `j` ends in the capture: the end of its payload as the
/// dissector bounded it (by the IP length and the capture).
pub(super) fn ip_end(d: &Dissection<'_>, j: usize) -> usize {
    let base = d.data().as_ptr() as usize;
    (0..j)
        .rev()
        .filter_map(|k| d.get(k))
        .find(|l| matches!(l.header, Header::Ipv4(_) | Header::Ipv6(_)))
        .map_or(d.data().len(), |l| l.payload.as_ptr() as usize - base + l.payload.len())
}
