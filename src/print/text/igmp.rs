//! IGMP v1/v2/v3 (tcpdump's print-igmp.c).

use super::*;

impl TextPrinter {
    pub(super) fn igmp(&mut self, d: &Dissection<'_>, j: usize, len: usize) {
        let Some(Layer { header: Header::Igmp(m), .. }) = d.get(j) else { return };
        self.igmp_raw(m.slice(), len);
    }

    /// An IGMP message from its captured bytes `b` (any number, even none), `len` bytes as the IP
    /// header declares, as tcpdump's igmp_print: where it reads a byte that was not captured it
    /// prints ` [|igmp]` and stops.
    pub(super) fn igmp_raw(&mut self, b: &[u8], len: usize) {
        if self.opts.quiet {
            self.out.s("igmp");
            return;
        }
        let Some(&kind) = b.first() else { return self.trunc_proto(Proto::Igmp) };
        let fixed = matches!(kind, 0x12 | 0x16 | 0x17);
        if (fixed && b.len() < 8) || (kind == 0x11 && len < 12 && b.len() < 2) {
            // tcpdump evaluates the group address before it prints the message name.
            if kind == 0x11 {
                self.out.s("igmp query");
            }
            return self.trunc_proto(Proto::Igmp);
        }
        let group = b.get(4..8).unwrap_or(&[]);
        match kind {
            0x11 => {
                self.out.s("igmp query");
                let done = if len >= 12 { self.igmpv3_query(b, len) } else { self.igmp_query_v12(b, len) };
                if !done {
                    return;
                }
            }
            0x12 => {
                self.out.s("igmp v1 report ").ip4(group);
                if len != 8 {
                    self.out.s(" [len ").u(len as u64).c(b']');
                }
            }
            0x16 => {
                self.out.s("igmp v2 report ").ip4(group);
            }
            0x22 => {
                self.out.s("igmp v3 report");
                if !self.igmpv3_report(b, len) {
                    return self.trunc_proto(Proto::Igmp);
                }
            }
            0x17 => {
                self.out.s("igmp leave ").ip4(group);
            }
            0x13 => {
                self.out.s("igmp dvmrp");
            }
            0x14 => {
                self.out.s("igmp pimv1");
            }
            0x1e | 0x1f if len < 24 => {
                // tcpdump's print_mtrace checks the length, then igmp_print the checksum.
                self.out.s(" [invalid len ").u(len as u64).c(b']');
            }
            0x1e | 0x1f => {
                if !self.igmp_mtrace(b) {
                    return;
                }
            }
            t => {
                self.out.s("igmp-").u(u64::from(t));
            }
        }
        if len >= 4 && b.len() >= len {
            let c = fold(sum(0, &b[..len]));
            if c != 0 {
                self.out.s(" bad igmp cksum ").x(u64::from(u16::from_be_bytes([b[2], b[3]]))).c(b'!');
            }
        }
    }

    /// An IGMPv1/v2 query (a message shorter than 12 bytes); false when it printed a truncation
    /// marker (no checksum check follows).
    fn igmp_query_v12(&mut self, b: &[u8], len: usize) -> bool {
        if b[1] != 0 {
            self.out.s(" v2");
            if b[1] != 100 {
                self.out.s(" [max resp time ").u(u64::from(b[1])).c(b']');
            }
        } else {
            self.out.s(" v1");
        }
        let Some(group) = b.get(4..8) else {
            self.trunc_proto(Proto::Igmp);
            return false;
        };
        if group != [0, 0, 0, 0] {
            self.out.s(" [gaddr ").ip4(group).c(b']');
        }
        if len != 8 {
            self.out.s(" [len ").u(len as u64).c(b']');
        }
        true
    }

    /// An mtrace query or response (`len` of 24 bytes or more); false when it printed a
    /// truncation marker.
    fn igmp_mtrace(&mut self, b: &[u8]) -> bool {
        if b.len() < 24 {
            self.trunc_proto(Proto::Igmp);
            return false;
        }
        let q = u32::from_be_bytes([b[20], b[21], b[22], b[23]]);
        self.out.s(if b[0] == 0x1e { "mresp " } else { "mtrace " }).u(u64::from(q & 0xff_ffff));
        self.out.s(": ").ip4(&b[8..12]).s(" to ").ip4(&b[12..16]).s(" reply-to ").ip4(&b[16..20]);
        if b[16] & 0xf0 == 0xe0 {
            self.out.s(" with-ttl ").u(u64::from(q >> 24));
        }

        true
    }

    /// Returns false when it printed a truncation marker (no checksum check follows).
    pub(super) fn igmpv3_query(&mut self, b: &[u8], len: usize) -> bool {
        self.out.s(" v3");
        if len < 12 || len & 3 != 0 {
            self.out.s(" [invalid len ").u(len as u64).c(b']');
            return true;
        }
        let Some(&mrc) = b.get(1) else {
            self.trunc_proto(Proto::Igmp);
            return false;
        };
        let mrt: u32 = if mrc < 128 {
            u32::from(mrc)
        } else {
            (u32::from(mrc & 0x0f) | 0x10) << (((mrc & 0x70) >> 4) + 3)
        };
        if mrc != 100 {
            self.out.s(" [max resp time ");
            if mrt < 600 {
                self.out.u(u64::from(mrt / 10)).c(b'.').u(u64::from(mrt % 10)).c(b's');
            } else {
                self.relts(mrt / 10);
            }
            self.out.c(b']');
        }
        let Some(group) = b.get(4..8) else {
            self.trunc_proto(Proto::Igmp);
            return false;
        };
        if group == [0, 0, 0, 0] {
            return true;
        }
        self.out.s(" [gaddr ").ip4(group);
        if b.len() < 12 {
            self.trunc_proto(Proto::Igmp);
            return false;
        }
        let n = usize::from(u16::from_be_bytes([b[10], b[11]]));
        if n > 0 {
            if len < 12 + n * 4 {
                self.out.s(" [invalid number of sources]");
            } else if self.opts.verbose > 1 {
                self.out.s(" {");
                for i in 0..n {
                    match b.get(12 + 4 * i..16 + 4 * i) {
                        Some(s) => {
                            self.out.c(b' ').ip4(s);
                        }
                        None => {
                            self.trunc_proto(Proto::Igmp);
                            return false;
                        }
                    }
                }
                self.out.s(" }");
            } else {
                self.out.s(", ").u(n as u64).s(" source(s)");
            }
        }
        self.out.c(b']');
        true
    }

    /// Returns false when it printed a truncation marker (no checksum check follows).
    pub(super) fn igmpv3_report(&mut self, b: &[u8], len: usize) -> bool {
        if len < 16 || len & 3 != 0 {
            self.out.s(" [invalid len ").u(len as u64).c(b']');
            return true;
        }
        let Some(&[n0, n1]) = b.get(6..8).map(|n| <&[u8; 2]>::try_from(n).expect("two bytes")) else {
            return false;
        };
        let ngroups = usize::from(u16::from_be_bytes([n0, n1]));
        self.out.s(", ").u(ngroups as u64).s(" group record(s)");
        let mut g = 8usize;
        for _ in 0..ngroups {
            if len < g + 8 {
                self.out.s(" [invalid number of groups]");
                return true;
            }
            let Some(rec) = b.get(g..g + 8) else { return false };
            self.out.s(" [gaddr ").ip4(&rec[4..8]).c(b' ');
            match rec[0] {
                1 => self.out.s("is_in"),
                2 => self.out.s("is_ex"),
                3 => self.out.s("to_in"),
                4 => self.out.s("to_ex"),
                5 => self.out.s("allow"),
                6 => self.out.s("block"),
                t => self.out.s(" [v3-report-#").u(u64::from(t)).c(b']'),
            };
            let ns = usize::from(u16::from_be_bytes([rec[2], rec[3]]));
            if len < g + 8 + ns * 4 {
                self.out.s(" [invalid number of sources ").u(ns as u64).c(b']');
                return true;
            }
            if self.opts.verbose == 1 {
                self.out.s(", ").u(ns as u64).s(" source(s)");
            } else {
                self.out.s(" {");
                for i in 0..ns {
                    match b.get(g + 8 + 4 * i..g + 12 + 4 * i) {
                        Some(s) => {
                            self.out.c(b' ').ip4(s);
                        }
                        None => return false,
                    }
                }
                self.out.s(" }");
            }
            g += 8 + ns * 4 + usize::from(rec[1]) * 4;
            self.out.c(b']');
        }
        true
    }

    pub(super) fn relts(&mut self, secs: u32) {
        if secs == 0 {
            self.out.s("0s");
            return;
        }
        let mut s = secs;
        for (unit, c) in
            [(31_536_000u32, b'y'), (604_800, b'w'), (86_400, b'd'), (3_600, b'h'), (60, b'm'), (1, b's')]
        {
            if s >= unit {
                self.out.u(u64::from(s / unit)).c(c);
                s %= unit;
            }
        }
    }
}
