//! TCP with relative sequence numbers and options (tcpdump's print-tcp.c).

use super::*;

/// How a TCP option list ended: read through, a bad option (tcpdump's `[bad opt]`, then
/// nothing more), or cut by the capture (after at least one option when `true`).
enum TcpOpts {
    Ok,
    Bad,
    Cut(bool),
}

impl TextPrinter {
    pub(super) fn tcp(&mut self, d: &Dissection<'_>, j: usize, len: usize, ip: IpCtx<'_>) {
        let Some(Layer { offset, .. }) = d.get(j) else { return };
        // The bytes up to the end of the innermost IP packet, as tcpdump's snapend.
        let seg = j.checked_sub(1).and_then(|k| d.get(k)).map_or(&d.data()[*offset..], |l| l.payload);
        self.tcp_raw(seg, len, ip);
    }

    /// A TCP header from its captured bytes on (`seg`, at least 20 with a data offset of 5 or
    /// more; the options may be cut), `len` bytes of segment as the IP header declares: the
    /// addresses, ports, flags and, through [`Self::tcp_rest`], the rest as tcpdump's tcp_print.
    pub(super) fn tcp_raw(&mut self, seg: &[u8], len: usize, ip: IpCtx<'_>) {
        let b = seg;
        let sp = u16::from_be_bytes([b[0], b[1]]);
        let dp = u16::from_be_bytes([b[2], b[3]]);
        let mut seq = u32::from_be_bytes([b[4], b[5], b[6], b[7]]);
        let mut ack = u32::from_be_bytes([b[8], b[9], b[10], b[11]]);
        let hlen = usize::from(b[12] >> 4) * 4;
        let flags = b[13];
        self.out.ip_port(ip.src, sp).s(" > ").ip_port(ip.dst, dp).s(": ");
        if self.opts.quiet {
            self.out.s("tcp ").u(u64::from((len as u32).wrapping_sub(hlen as u32)));
            if hlen > len {
                self.out.s(" [bad hdr length ").u(hlen as u64).s(" - too long, > ").u(len as u64).c(b']');
            }
            return;
        }
        // Relative sequence numbers, as tcpdump keeps them per conversation.
        let (mut thseq, mut thack, mut rev) = (0u32, 0u32, false);
        let (raw_seq, raw_ack) = (seq, ack);
        self.tcp_deferred = false;
        if flags & 0x10 != 0 && !self.opts.absolute_seq {
            let (key, r) = conv_key(ip, sp, dp);
            rev = r;
            let syn = flags & 0x02 != 0;
            if let Some(list) = &mut self.deferred {
                list.push(Deferred::Tcp { key, rev, syn, seq, ack });
                self.tcp_deferred = true;
            } else {
                let (reset, cseq, cack) = self.conversation(key, rev, syn, seq, ack);
                if !reset && rev {
                    seq = seq.wrapping_sub(cack);
                    ack = ack.wrapping_sub(cseq);
                } else if !reset {
                    seq = seq.wrapping_sub(cseq);
                    ack = ack.wrapping_sub(cack);
                }
                thseq = cseq;
                thack = cack;
            }
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
        self.tcp_rest(seg, len, ip, [seq, ack, raw_seq, raw_ack], (rev, thseq, thack));
        self.tcp_deferred = false;
    }

    /// After the flags: the checksum, sequence numbers, window and options.
    fn tcp_rest(
        &mut self,
        seg: &[u8],
        len: usize,
        ip: IpCtx<'_>,
        [seq, ack, raw_seq, raw_ack]: [u32; 4],
        th: (bool, u32, u32),
    ) {
        let b = seg;
        let hlen = usize::from(b[12] >> 4) * 4;
        let flags = b[13];
        let (win, urp) = (u16::from_be_bytes([b[14], b[15]]), u16::from_be_bytes([b[18], b[19]]));
        if hlen > len {
            self.out.s(" [bad hdr length ").u(hlen as u64).s(" - too long, > ").u(len as u64).c(b']');
            return;
        }
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
            self.out.s(", seq ");
            self.tcp_num(seq, raw_seq, NumKind::Seq);
            if dlen > 0 {
                self.out.c(b':');
                self.tcp_num(seq.wrapping_add(dlen as u32), raw_seq.wrapping_add(dlen as u32), NumKind::Seq);
            }
        }
        if flags & 0x10 != 0 {
            self.out.s(", ack ");
            self.tcp_num(ack, raw_ack, NumKind::Ack);
        }
        self.out.s(", win ").u(u64::from(win));
        if flags & 0x20 != 0 {
            self.out.s(", urg ").u(u64::from(urp));
        }
        if hlen > 20 {
            self.out.s(", options [");
            let o = &b[20..hlen.min(b.len())];
            match self.tcp_options(o, hlen - 20, th) {
                TcpOpts::Bad => return,
                TcpOpts::Cut(sep) => {
                    self.out.s(" [|tcp]").s(if sep { ">" } else { "" });
                    return;
                }
                TcpOpts::Ok => self.out.c(b']'),
            };
        }
        self.out.s(", length ").u(dlen as u64);
    }

    /// TCP options as tcpdump's tcp_print walks them: `o` is what was captured of `declared`
    /// bytes. Like tcpdump, an option moves the walk by the bytes its kind reads, not by its
    /// length field.
    fn tcp_options(&mut self, o: &[u8], declared: usize, (rev, thseq, thack): (bool, u32, u32)) -> TcpOpts {
        let (mut at, mut left, mut sep) = (0usize, declared, false);
        while left > 0 {
            if sep {
                self.out.c(b',');
            }
            // A kind or length byte past the capture: tcpdump's GET macros give up on the packet
            // (no `>`); a cut option body goes through its `trunc` label (`>` after an option).
            let Some(&opt) = o.get(at) else { return TcpOpts::Cut(false) };
            let (l, head) = if opt <= 1 {
                (1, 1)
            } else {
                let Some(&l) = o.get(at + 1) else { return TcpOpts::Cut(false) };
                let l = usize::from(l);
                if l < 2 || l > left {
                    self.out.s("[bad opt]").s(if sep { "]" } else { "" });
                    return TcpOpts::Bad;
                }
                (l, 2)
            };
            left -= head;
            self.tcp_opt_name(opt);
            let datalen = match opt {
                0 | 1 | 4 => 0,
                2 | 28 => 2,
                3 => 1,
                6 | 7 | 11 | 12 | 13 => 4,
                8 => 8,
                19 => 16,
                _ => l - 2,
            };
            if datalen > left {
                self.out.s("[bad opt]").s(if sep { "]" } else { "" });
                return TcpOpts::Bad;
            }
            let Some(data) = o.get(at + head..at + head + datalen) else { return TcpOpts::Cut(sep) };
            self.tcp_opt_data(opt, data, rev, thseq, thack);
            at += head + datalen;
            left -= datalen;
            if datalen + head != l {
                self.out.s("[len ").u(l as u64).c(b']');
            }
            sep = true;
            if opt == 0 {
                break;
            }
        }
        TcpOpts::Ok
    }

    /// The value of one TCP option whose `data` bytes were captured.
    fn tcp_opt_data(&mut self, opt: u8, data: &[u8], rev: bool, thseq: u32, thack: u32) {
        let u32_at = |k: usize| u32::from_be_bytes([data[k], data[k + 1], data[k + 2], data[k + 3]]);
        match opt {
            2 | 28 => {
                self.out.c(b' ').u(u64::from(u16::from_be_bytes([data[0], data[1]])));
            }
            3 => {
                self.out.c(b' ').u(u64::from(data[0]));
            }
            5 if data.len() % 8 != 0 => {
                self.out.s(" invalid sack");
            }
            5 => {
                self.out.c(b' ').u((data.len() / 8) as u64).c(b' ');
                let base = if rev { thseq } else { thack };
                for k in (0..data.len()).step_by(8) {
                    let (s, e) = (u32_at(k), u32_at(k + 4));
                    self.out.c(b'{');
                    self.tcp_num(s.wrapping_sub(base), s, NumKind::Sack);
                    self.out.c(b':');
                    self.tcp_num(e.wrapping_sub(base), e, NumKind::Sack);
                    self.out.c(b'}');
                }
            }
            6 | 7 | 11 | 12 | 13 => {
                self.out.c(b' ').u(u64::from(u32_at(0)));
            }
            8 => {
                self.out.s(" val ").u(u64::from(u32_at(0))).s(" ecr ").u(u64::from(u32_at(4)));
            }
            0 | 1 | 4 => {}
            _ => {
                if !data.is_empty() {
                    self.out.s(" 0x");
                    for &x in data {
                        self.out.x0(u64::from(x), 2);
                    }
                }
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
