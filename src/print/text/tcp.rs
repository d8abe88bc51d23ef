//! TCP with relative sequence numbers and options (tcpdump's print-tcp.c).

use super::*;

impl TextPrinter {
    pub(super) fn tcp(&mut self, d: &Dissection<'_>, j: usize, len: usize, ip: IpCtx<'_>) {
        let Some(Layer { header: Header::Tcp(t), offset, .. }) = d.get(j) else { return };
        let b = t.slice();
        let sp = u16::from_be_bytes([b[0], b[1]]);
        let dp = u16::from_be_bytes([b[2], b[3]]);
        let mut seq = u32::from_be_bytes([b[4], b[5], b[6], b[7]]);
        let mut ack = u32::from_be_bytes([b[8], b[9], b[10], b[11]]);
        let hlen = usize::from(b[12] >> 4) * 4;
        let flags = b[13];
        let win = u16::from_be_bytes([b[14], b[15]]);
        let urp = u16::from_be_bytes([b[18], b[19]]);
        self.out.ip(ip.src).c(b'.').u(u64::from(sp)).s(" > ").ip(ip.dst).c(b'.').u(u64::from(dp)).s(": ");
        if hlen > len {
            self.out.s(" [bad hdr length ").u(hlen as u64).s(" - too long, > ").u(len as u64).c(b']');
            return;
        }
        if self.opts.quiet {
            self.out.s("tcp ").u((len - hlen) as u64);
            return;
        }
        // Relative sequence numbers, as tcpdump keeps them per conversation.
        let (mut thseq, mut thack, mut rev) = (0u32, 0u32, false);
        if flags & 0x10 != 0 && !self.opts.absolute_seq {
            let (key, r) = conv_key(ip, sp, dp);
            rev = r;
            let slot = (fnv(&key) as usize) % TCP_TABLE;
            let c = &mut self.tcp[slot];
            if !c.used || c.key != key || flags & 0x02 != 0 {
                *c = TcpConv { used: true, key, seq: 0, ack: 0 };
                if rev {
                    c.ack = seq;
                    c.seq = ack.wrapping_sub(1);
                } else {
                    c.seq = seq;
                    c.ack = ack.wrapping_sub(1);
                }
            } else if rev {
                seq = seq.wrapping_sub(c.ack);
                ack = ack.wrapping_sub(c.seq);
            } else {
                seq = seq.wrapping_sub(c.seq);
                ack = ack.wrapping_sub(c.ack);
            }
            thseq = c.seq;
            thack = c.ack;
        }
        self.out.s("Flags [");
        let mut any = false;
        for (bit, n) in [
            (0x01u8, b'F'),
            (0x02, b'S'),
            (0x04, b'R'),
            (0x08, b'P'),
            (0x10, b'.'),
            (0x20, b'U'),
            (0x40, b'E'),
            (0x80, b'W'),
        ] {
            if flags & bit != 0 {
                self.out.c(n);
                any = true;
            }
        }
        if !any {
            self.out.s("none");
        }
        self.out.c(b']');
        let seg = &d.data()[*offset..];
        if !ip.fragmented && seg.len() >= len {
            let field = u16::from_be_bytes([b[16], b[17]]);
            let c = fold(sum(Self::pseudo_sum(ip, 6, len), &seg[..len]));
            self.out.s(", cksum ").hx(u64::from(field), 4);
            if c != 0 {
                self.out.s(" (incorrect -> ").hx(u64::from(should_be(field, c)), 4).c(b')');
            } else {
                self.out.s(" (correct)");
            }
        }
        let dlen = len - hlen;
        if self.opts.verbose > 1 || dlen > 0 || flags & 0x07 != 0 {
            self.out.s(", seq ").u(u64::from(seq));
            if dlen > 0 {
                self.out.c(b':').u(u64::from(seq.wrapping_add(dlen as u32)));
            }
        }
        if flags & 0x10 != 0 {
            self.out.s(", ack ").u(u64::from(ack));
        }
        self.out.s(", win ").u(u64::from(win));
        if flags & 0x20 != 0 {
            self.out.s(", urg ").u(u64::from(urp));
        }
        if hlen > 20 {
            self.out.s(", options [");
            self.tcp_options(&b[20..hlen.min(b.len())], rev, thseq, thack);
            self.out.c(b']');
        }
        self.out.s(", length ").u(dlen as u64);
    }

    pub(super) fn tcp_options(&mut self, mut o: &[u8], rev: bool, thseq: u32, thack: u32) {
        let mut first = true;
        while let Some(&opt) = o.first() {
            if !first {
                self.out.c(b',');
            }
            first = false;
            let l = if opt <= 1 {
                1
            } else {
                match o.get(1) {
                    Some(&l) if usize::from(l) >= 2 && usize::from(l) <= o.len() => usize::from(l),
                    Some(&l) => {
                        self.tcp_opt_name(opt);
                        self.out.s("[bad opt]");
                        let _ = l;
                        return;
                    }
                    None => {
                        self.tcp_opt_name(opt);
                        self.out.s("[bad opt]");
                        return;
                    }
                }
            };
            self.tcp_opt_name(opt);
            let data = &o[2.min(l)..l];
            let mut expected = None;
            match opt {
                2 => {
                    expected = Some(2);
                    if data.len() >= 2 {
                        self.out.c(b' ').u(u64::from(u16::from_be_bytes([data[0], data[1]])));
                    }
                }
                3 => {
                    expected = Some(1);
                    if let Some(&s) = data.first() {
                        self.out.c(b' ').u(u64::from(s));
                    }
                }
                4 => expected = Some(0),
                5 => {
                    if data.len() % 8 != 0 {
                        self.out.s(" invalid sack");
                    } else {
                        self.out.c(b' ').u((data.len() / 8) as u64).c(b' ');
                        for blk in data.chunks_exact(8) {
                            let mut s = u32::from_be_bytes([blk[0], blk[1], blk[2], blk[3]]);
                            let mut e = u32::from_be_bytes([blk[4], blk[5], blk[6], blk[7]]);
                            let base = if rev { thseq } else { thack };
                            s = s.wrapping_sub(base);
                            e = e.wrapping_sub(base);
                            self.out.c(b'{').u(u64::from(s)).c(b':').u(u64::from(e)).c(b'}');
                        }
                    }
                }
                8 => {
                    expected = Some(8);
                    if data.len() >= 8 {
                        let v = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
                        let e = u32::from_be_bytes([data[4], data[5], data[6], data[7]]);
                        self.out.s(" val ").u(u64::from(v)).s(" ecr ").u(u64::from(e));
                    }
                }
                0 | 1 => {}
                _ => {
                    if !data.is_empty() {
                        self.out.s(" 0x");
                        for &x in data {
                            self.out.x0(u64::from(x), 2);
                        }
                    }
                }
            }
            if let Some(n) = expected {
                if n + 2 != l {
                    self.out.s("[len ").u(l as u64).c(b']');
                }
            }
            o = &o[l..];
            if opt == 0 {
                break;
            }
        }
    }

    pub(super) fn tcp_opt_name(&mut self, opt: u8) {
        match opt {
            0 => self.out.s("eol"),
            1 => self.out.s("nop"),
            2 => self.out.s("mss"),
            3 => self.out.s("wscale"),
            4 => self.out.s("sackOK"),
            5 => self.out.s("sack"),
            6 => self.out.s("echo"),
            7 => self.out.s("echoreply"),
            8 => self.out.s("TS"),
            11 => self.out.s("cc"),
            12 => self.out.s("ccnew"),
            13 => self.out.s("ccecho"),
            19 => self.out.s("md5"),
            28 => self.out.s("uto"),
            29 => self.out.s("tcp-ao"),
            30 => self.out.s("mptcp"),
            34 => self.out.s("tfo"),
            _ => self.out.s("unknown-").u(u64::from(opt)),
        };
    }
}

/// The canonical key of a TCP conversation (both directions map to one key) and whether this
/// packet runs in the reverse direction, as tcpdump orders them.
pub(super) fn conv_key(ip: IpCtx<'_>, sp: u16, dp: u16) -> ([u8; 36], bool) {
    let mut key = [0u8; 36];
    let n = ip.src.len().min(16);
    let cmp = ip.src.cmp(ip.dst);
    let rev = cmp == std::cmp::Ordering::Greater || (cmp == std::cmp::Ordering::Equal && sp > dp);
    let (a, b, pa, pb) = if rev { (ip.dst, ip.src, dp, sp) } else { (ip.src, ip.dst, sp, dp) };
    if let (Ok(a), Ok(b)) = (<&[u8; 4]>::try_from(a), <&[u8; 4]>::try_from(b)) {
        // IPv4: fixed-size copies instead of two `memcpy` calls.
        key[..4].copy_from_slice(a);
        key[16..20].copy_from_slice(b);
    } else {
        key[..n].copy_from_slice(&a[..n]);
        key[16..16 + n].copy_from_slice(&b[..n]);
    }
    key[32..34].copy_from_slice(&pa.to_be_bytes());
    key[34..36].copy_from_slice(&pb.to_be_bytes());
    (key, rev)
}

pub(super) fn fnv(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h ^= u64::from(x);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
