//! Tokens to a compiled program: pcap-filter(7)'s grammar, with libpcap's precedence (`and` and
//! `or` equal, from the left; `not` binding tightest) and its implicit qualifier repetition.

use super::lex::{tokens, Cmp, Kind, Op, Token, MAX_TOKENS};
use super::{Base, Dir, Filter, FilterError, FilterErrorKind, Node, Prim, Tunnel, MAX_NODES};
use arrayvec::ArrayVec;

/// How deep VXLAN-in-VXLAN expressions may go (and the nesting of parentheses).
const MAX_LEVEL: usize = 8;
const MAX_NEST: usize = 64;

/// How many frames down an expression leaves what follows it with `and`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Levels {
    N(u8),
    /// The alternatives of an `or` end at different levels.
    Mixed,
}

/// A protocol qualifier.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Pq {
    Ether,
    Ip,
    Ip6,
    Arp,
    Rarp,
    Tcp,
    Udp,
    Sctp,
    Icmp,
    Icmp6,
    Igmp,
}

/// A type qualifier.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ty {
    Host,
    Net,
    Port,
    Portrange,
}

/// The qualifiers of the last primitive with an ID, repeated for a bare ID after it.
#[derive(Clone, Copy, Default)]
struct Quals {
    proto: Option<Pq>,
    dir: Option<Dir>,
    ty: Option<Ty>,
}

const UNSUPPORTED: &[&str] = &[
    "mpls",
    "pppoed",
    "pppoes",
    "geneve",
    "wlan",
    "fddi",
    "tr",
    "decnet",
    "iso",
    "esis",
    "es-is",
    "isis",
    "is-is",
    "clnp",
    "stp",
    "ipx",
    "netbeui",
    "atalk",
    "aarp",
    "lat",
    "sca",
    "moprc",
    "mopdl",
    "ah",
    "esp",
    "vrrp",
    "carp",
    "pim",
    "igrp",
    "protochain",
    "ifname",
    "on",
    "rnr",
    "rulenum",
    "reason",
    "rset",
    "srnr",
    "subrulenum",
    "action",
    "type",
    "subtype",
    "dir",
    "ra",
    "ta",
    "addr1",
    "addr2",
    "addr3",
    "addr4",
    "llc",
    "lane",
    "oam",
    "oamf4",
    "oamf4ec",
    "oamf4sc",
    "metac",
    "bcc",
    "sc",
    "ilmic",
    "connectmsg",
    "metaconnect",
    "vpi",
    "vci",
    "radio",
    "hdlc",
    "slip",
    "inbound",
    "outbound",
    "gateway",
    "l1",
    "l2",
    "iih",
    "lsp",
    "snp",
    "csnp",
    "psnp",
    "fisu",
    "lssu",
    "msu",
    "sio",
    "opc",
    "dpc",
    "sls",
    "hfisu",
    "hlssu",
    "hmsu",
    "hsio",
    "hopc",
    "hdpc",
    "hsls",
    "atm",
    "ppp",
];

const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "host",
    "net",
    "mask",
    "port",
    "portrange",
    "src",
    "dst",
    "ether",
    "link",
    "ip",
    "ip6",
    "arp",
    "rarp",
    "tcp",
    "udp",
    "sctp",
    "icmp",
    "icmp6",
    "igmp",
    "proto",
    "vlan",
    "less",
    "greater",
    "len",
    "broadcast",
    "multicast",
    "vxlan",
    "vxlan-gpe",
    "gbp",
];

/// Named constants of pcap-filter(7) for `proto[...]` expressions.
const CONSTANTS: &[(&str, u32)] = &[
    ("tcpflags", 13),
    ("tcp-fin", 0x01),
    ("tcp-syn", 0x02),
    ("tcp-rst", 0x04),
    ("tcp-push", 0x08),
    ("tcp-ack", 0x10),
    ("tcp-urg", 0x20),
    ("tcp-ece", 0x40),
    ("tcp-cwr", 0x80),
    ("icmptype", 0),
    ("icmpcode", 1),
    ("icmp-echoreply", 0),
    ("icmp-unreach", 3),
    ("icmp-sourcequench", 4),
    ("icmp-redirect", 5),
    ("icmp-echo", 8),
    ("icmp-routeradvert", 9),
    ("icmp-routersolicit", 10),
    ("icmp-timxceed", 11),
    ("icmp-paramprob", 12),
    ("icmp-tstamp", 13),
    ("icmp-tstampreply", 14),
    ("icmp-ireq", 15),
    ("icmp-ireqreply", 16),
    ("icmp-maskreq", 17),
    ("icmp-maskreply", 18),
    ("icmp6type", 0),
    ("icmp6code", 1),
    ("icmp6-destinationunreach", 1),
    ("icmp6-packettoobig", 2),
    ("icmp6-timeexceeded", 3),
    ("icmp6-parameterproblem", 4),
    ("icmp6-echo", 128),
    ("icmp6-echoreply", 129),
    ("icmp6-multicastlistenerquery", 130),
    ("icmp6-multicastlistenerreportv1", 131),
    ("icmp6-multicastlistenerdone", 132),
    ("icmp6-routersolicit", 133),
    ("icmp6-routeradvert", 134),
    ("icmp6-neighborsolicit", 135),
    ("icmp6-neighboradvert", 136),
    ("icmp6-redirect", 137),
    ("icmp6-routerrenum", 138),
    ("icmp6-nodeinformationquery", 139),
    ("icmp6-nodeinformationresponse", 140),
    ("icmp6-ineighbordiscoverysolicit", 141),
    ("icmp6-ineighbordiscoveryadvert", 142),
    ("icmp6-multicastlistenerreportv2", 143),
    ("icmp6-homeagentdiscoveryrequest", 144),
    ("icmp6-homeagentdiscoveryreply", 145),
    ("icmp6-mobileprefixsolicit", 146),
    ("icmp6-mobileprefixadvert", 147),
    ("icmp6-certpathsolicit", 148),
    ("icmp6-certpathadvert", 149),
    ("icmp6-multicastrouteradvert", 151),
    ("icmp6-multicastroutersolicit", 152),
    ("icmp6-multicastrouterterm", 153),
];

/// IP protocol names after `proto`.
const IP_PROTOS: &[(&str, u8)] =
    &[("icmp", 1), ("igmp", 2), ("tcp", 6), ("udp", 17), ("icmp6", 58), ("sctp", 132), ("gre", 47)];
/// EtherType names after `ether proto`.
const ETHER_PROTOS: &[(&str, u16)] = &[("ip", 0x0800), ("ip6", 0x86dd), ("arp", 0x0806), ("rarp", 0x8035)];

pub(super) fn compile(src: &str) -> Result<Filter, FilterError> {
    let mut p = Parser {
        toks: tokens(src)?,
        i: 0,
        nodes: ArrayVec::new(),
        vshift: [0; MAX_LEVEL + 1],
        quals: None,
        tunnels: false,
        ether_only: None,
        nest: 0,
    };
    let root = if p.peek().kind == Kind::End {
        let t = p.push(Node::Const(1))?;
        let zero = p.push(Node::Const(0))?;
        p.push(Node::Rel(Cmp::Ne, t, zero))?
    } else {
        let (root, _) = p.expr(0)?;
        let t = p.peek();
        if t.kind != Kind::End {
            return Err(
                p.err(t, "\"and\", \"or\", a qualifier (host, net, port, ...) after a protocol, or the end")
            );
        }
        root
    };
    let vnis = necessary_vnis(&p.nodes, root);
    Ok(Filter { nodes: p.nodes, root, tunnels: p.tunnels, ether_only: p.ether_only, vnis })
}

/// The VNIs of which a packet selected by node `i` must carry one (see
/// [`Filter::vni_prefilter`]); `None` when there is no such set.
fn necessary_vnis(nodes: &[Node], i: u16) -> Option<ArrayVec<u32, 16>> {
    match nodes[usize::from(i)] {
        Node::Prim(Prim::Tunnel { kind: Tunnel::Vxlan | Tunnel::Gpe, id: Some(n) }, _) => {
            let mut v = ArrayVec::new();
            v.push(n);
            Some(v)
        }
        Node::And(l, r, _) => necessary_vnis(nodes, l).or_else(|| necessary_vnis(nodes, r)),
        Node::Or(l, r) => {
            let (mut a, b) = (necessary_vnis(nodes, l)?, necessary_vnis(nodes, r)?);
            for n in b {
                if !a.contains(&n) {
                    a.try_push(n).ok()?;
                }
            }
            Some(a)
        }
        _ => None,
    }
}

struct Parser<'a> {
    toks: ArrayVec<Token<'a>, MAX_TOKENS>,
    i: usize,
    nodes: ArrayVec<Node, MAX_NODES>,
    /// Bytes of VLAN tags seen so far, per frame level (libpcap moves later primitives by them).
    vshift: [u8; MAX_LEVEL + 1],
    /// `None` at the start and after a primitive without an ID (libpcap then refuses a bare ID).
    quals: Option<Quals>,
    tunnels: bool,
    ether_only: Option<&'static str>,
    nest: usize,
}

fn is_word(t: &Token<'_>, w: &str) -> bool {
    t.kind == Kind::Word(false) && t.text == w
}

/// A number as libpcap reads one: decimal, `0x` hex or `0` octal.
fn number(s: &str) -> Option<u32> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u32::from_str_radix(h, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u32::from_str_radix(&s[1..], 8).ok()
    } else if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Token<'a> {
        self.toks[self.i.min(self.toks.len() - 1)]
    }
    fn peek_at(&self, n: usize) -> Token<'a> {
        self.toks[(self.i + n).min(self.toks.len() - 1)]
    }
    fn next(&mut self) -> Token<'a> {
        let t = self.peek();
        if t.kind != Kind::End {
            self.i += 1;
        }
        t
    }
    fn err(&self, t: Token<'a>, expected: &'static str) -> FilterError {
        FilterError::syntax(t.text, t.pos, expected)
    }
    fn fail(&self, t: Token<'a>, kind: FilterErrorKind) -> FilterError {
        FilterError::new(kind, t.text, t.pos)
    }
    fn push(&mut self, n: Node) -> Result<u16, FilterError> {
        let i = self.nodes.len() as u16;
        self.nodes.try_push(n).map_err(|_| FilterError::too_long(self.peek().pos))?;
        Ok(i)
    }
    fn prim(&mut self, p: Prim, level: usize) -> Result<u16, FilterError> {
        self.push(Node::Prim(p, self.vshift[level]))
    }
    fn or(&mut self, a: u16, b: u16) -> Result<u16, FilterError> {
        self.push(Node::Or(a, b))
    }

    /// `unary { (and|or) unary }`, from the left.
    fn expr(&mut self, level: usize) -> Result<(u16, Levels), FilterError> {
        let (mut n, mut lv) = self.unary(level)?;
        loop {
            let t = self.peek();
            let and = is_word(&t, "and") || t.kind == Kind::AndAnd;
            if !(and || is_word(&t, "or") || t.kind == Kind::OrOr) {
                return Ok((n, lv));
            }
            self.next();
            if and {
                let Levels::N(k) = lv else {
                    return Err(self.fail(t, FilterErrorKind::Invalid(
                        "the alternatives of the `or` before this `and` end at different VXLAN levels: add parentheses",
                    )));
                };
                let inner = level + usize::from(k);
                if inner > MAX_LEVEL {
                    return Err(self.fail(t, FilterErrorKind::Invalid("VXLAN nested too deep")));
                }
                let (r, rl) = self.unary(inner)?;
                n = self.push(Node::And(n, r, k))?;
                lv = match rl {
                    Levels::N(j) => Levels::N(k + j),
                    Levels::Mixed => Levels::Mixed,
                };
            } else {
                let (r, rl) = self.unary(level)?;
                n = self.or(n, r)?;
                lv = if lv == rl { lv } else { Levels::Mixed };
            }
        }
    }

    fn unary(&mut self, level: usize) -> Result<(u16, Levels), FilterError> {
        let t = self.peek();
        self.nest += 1;
        if self.nest > MAX_NEST {
            return Err(FilterError::too_long(t.pos));
        }
        let r = if is_word(&t, "not") || t.kind == Kind::Bang {
            self.next();
            let (x, _) = self.unary(level)?;
            Ok((self.push(Node::Not(x))?, Levels::N(0)))
        } else if t.kind == Kind::LParen {
            self.paren(level)
        } else if self.starts_relation() {
            Ok((self.relation(level)?, Levels::N(0)))
        } else {
            self.primitive(level)
        };
        self.nest -= 1;
        r
    }

    /// `( expr )`, or a relation starting with a parenthesised arithmetic expression.
    fn paren(&mut self, level: usize) -> Result<(u16, Levels), FilterError> {
        let (i, n, vs) = (self.i, self.nodes.len(), self.vshift);
        if let Ok(r) = self.relation(level) {
            return Ok((r, Levels::N(0)));
        }
        (self.i, self.vshift) = (i, vs);
        self.nodes.truncate(n);
        self.next();
        let r = self.expr(level)?;
        let t = self.next();
        if t.kind != Kind::RParen {
            return Err(self.err(t, "\")\", \"and\" or \"or\""));
        }
        Ok(r)
    }

    fn starts_relation(&self) -> bool {
        let (t, u) = (self.peek(), self.peek_at(1));
        match t.kind {
            Kind::Op(Op::Sub) => true,
            Kind::Word(false) if t.text == "len" => true,
            Kind::Word(false) if u.kind == Kind::LBrack => true,
            Kind::Word(false) if number(t.text).is_some() || CONSTANTS.iter().any(|c| c.0 == t.text) => {
                matches!(u.kind, Kind::Op(_) | Kind::Cmp(_) | Kind::Slash)
            }
            _ => false,
        }
    }

    fn relation(&mut self, level: usize) -> Result<u16, FilterError> {
        let l = self.arith(level, 0)?;
        let t = self.next();
        let Kind::Cmp(op) = t.kind else {
            return Err(self.err(t, "a comparison (=, !=, <, <=, >, >=) or an arithmetic operator"));
        };
        let r = self.arith(level, 0)?;
        self.push(Node::Rel(op, l, r))
    }

    /// Precedence climbing over `| ^ & << >> + - * / %` (libpcap's order, loosest first).
    fn arith(&mut self, level: usize, min: u8) -> Result<u16, FilterError> {
        let mut l = self.operand(level)?;
        loop {
            let t = self.peek();
            let op = match t.kind {
                Kind::Op(op) => op,
                Kind::Slash => Op::Div,
                _ => return Ok(l),
            };
            let prec = match op {
                Op::Or => 1,
                Op::Xor => 2,
                Op::And => 3,
                Op::Shl | Op::Shr => 4,
                Op::Add | Op::Sub => 5,
                Op::Mul | Op::Div | Op::Mod => 6,
            };
            if prec < min {
                return Ok(l);
            }
            self.next();
            let r = self.arith(level, prec + 1)?;
            if matches!(op, Op::Div | Op::Mod) && self.nodes[usize::from(r)] == Node::Const(0) {
                return Err(self.fail(t, FilterErrorKind::Invalid("division by zero")));
            }
            l = self.push(Node::Bin(op, l, r))?;
        }
    }

    fn operand(&mut self, level: usize) -> Result<u16, FilterError> {
        let t = self.next();
        match t.kind {
            Kind::Op(Op::Sub) => {
                let zero = self.push(Node::Const(0))?;
                let x = self.operand(level)?;
                self.push(Node::Bin(Op::Sub, zero, x))
            }
            Kind::LParen => {
                let x = self.arith(level, 0)?;
                let c = self.next();
                if c.kind != Kind::RParen {
                    return Err(self.err(c, "\")\" or an arithmetic operator"));
                }
                Ok(x)
            }
            Kind::Word(false) if t.text == "len" => self.push(Node::PktLen),
            Kind::Word(false) if self.peek().kind == Kind::LBrack => self.load(t, level),
            Kind::Word(false) => {
                match number(t.text).or_else(|| CONSTANTS.iter().find(|c| c.0 == t.text).map(|c| c.1)) {
                    Some(n) => self.push(Node::Const(n)),
                    None => Err(self.err(t, "a number, `len` or proto[offset]")),
                }
            }
            _ => Err(self.err(t, "a number, `len` or proto[offset]")),
        }
    }

    /// `proto [ expr [: size] ]`.
    fn load(&mut self, t: Token<'a>, level: usize) -> Result<u16, FilterError> {
        let base = match t.text {
            "ether" | "link" => Base::Link,
            "ip" => Base::Net(0x0800),
            "ip6" => Base::Net(0x86dd),
            "arp" => Base::Net(0x0806),
            "rarp" => Base::Net(0x8035),
            "tcp" => Base::Ip4(6),
            "udp" => Base::Ip4(17),
            "icmp" => Base::Ip4(1),
            "igmp" => Base::Ip4(2),
            "sctp" => Base::Ip4(132),
            "icmp6" => Base::Icmp6,
            w if UNSUPPORTED.contains(&w) || w == "vlan" => {
                return Err(self.fail(t, FilterErrorKind::Unsupported))
            }
            _ => {
                return Err(self.err(t, "a protocol before \"[\" (ether, ip, ip6, arp, tcp, udp, icmp, ...)"))
            }
        };
        self.next();
        let off = self.arith(level, 0)?;
        let mut size = 1;
        if self.peek().kind == Kind::Colon {
            self.next();
            let s = self.next();
            size = match number(s.text) {
                Some(n @ (1 | 2 | 4)) => n as u8,
                _ => return Err(self.fail(s, FilterErrorKind::Invalid("data size must be 1, 2, or 4"))),
            };
        }
        let c = self.next();
        if c.kind != Kind::RBrack {
            return Err(self.err(c, "\"]\" or \":\""));
        }
        self.push(Node::Load(base, off, size, self.vshift[level]))
    }
}

/// The ID of a primitive, as its text reads.
enum Id {
    Num,
    /// A dotted IPv4 address or network of 1 to 4 parts (value left-aligned, parts count).
    V4(u32, u8),
    V6([u8; 16]),
    Mac([u8; 6]),
    Name,
}

fn classify(s: &str) -> Id {
    if number(s).is_some() {
        return Id::Num;
    }
    if let Ok(a) = s.parse::<core::net::Ipv6Addr>() {
        return Id::V6(a.octets());
    }
    if let Some(m) = mac(s) {
        return Id::Mac(m);
    }
    let mut v = 0u32;
    let mut parts = 0u8;
    for p in s.split('.') {
        match p.parse::<u8>() {
            Ok(b) if parts < 4 && !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()) => {
                v |= u32::from(b) << (24 - 8 * u32::from(parts));
                parts += 1;
            }
            _ => return Id::Name,
        }
    }
    Id::V4(v, parts)
}

/// A MAC as libpcap writes one: `xx:xx:xx:xx:xx:xx`, `-` separated, or `xxxx.xxxx.xxxx`.
fn mac(s: &str) -> Option<[u8; 6]> {
    let mut m = [0u8; 6];
    let sep = if s.contains(':') {
        ':'
    } else if s.contains('-') {
        '-'
    } else {
        '.'
    };
    let groups: ArrayVec<&str, 6> = s.split(sep).take(7).try_fold(ArrayVec::new(), |mut v, g| {
        v.try_push(g).ok()?;
        Some(v)
    })?;
    match groups.len() {
        6 => {
            for (b, g) in m.iter_mut().zip(&groups) {
                if g.is_empty() || g.len() > 2 {
                    return None;
                }
                *b = u8::from_str_radix(g, 16).ok()?;
            }
        }
        3 if sep == '.' => {
            for (i, g) in groups.iter().enumerate() {
                let w = u16::from_str_radix(g, 16).ok().filter(|_| g.len() == 4)?;
                m[2 * i..2 * i + 2].copy_from_slice(&w.to_be_bytes());
            }
        }
        _ => return None,
    }
    Some(m)
}

impl<'a> Parser<'a> {
    fn word_is_id(&self, t: &Token<'a>) -> bool {
        matches!(t.kind, Kind::Word(_))
            && !(t.kind == Kind::Word(false) && (KEYWORDS.contains(&t.text) || UNSUPPORTED.contains(&t.text)))
    }

    fn optional_number(&mut self) -> Result<Option<u32>, FilterError> {
        let t = self.peek();
        if t.kind != Kind::Word(false) {
            return Ok(None);
        }
        match number(t.text) {
            Some(n) => {
                self.next();
                Ok(Some(n))
            }
            None => Ok(None),
        }
    }

    fn need_number(&mut self, what: &'static str) -> Result<u32, FilterError> {
        let t = self.next();
        match t.kind {
            Kind::Word(false) => number(t.text).ok_or_else(|| self.err(t, what)),
            _ => Err(self.err(t, what)),
        }
    }

    fn ether_only(&mut self, level: usize, why: &'static str) {
        if level == 0 && self.ether_only.is_none() {
            self.ether_only = Some(why);
        }
    }

    fn primitive(&mut self, level: usize) -> Result<(u16, Levels), FilterError> {
        let t = self.peek();
        let quals = self.quals.take();
        if !matches!(t.kind, Kind::Word(_)) {
            return Err(self.err(t, "a primitive (host, net, port, ip, tcp, vxlan, ...), \"not\" or \"(\""));
        }
        if t.kind == Kind::Word(false) {
            if let Some(r) = self.keyword_primitive(t, level)? {
                return Ok(r);
            }
        }
        self.quals = quals;
        let n = self.qualified(level)?;
        Ok((n, Levels::N(0)))
    }

    /// Primitives that are one keyword with an optional or required argument.
    fn keyword_primitive(
        &mut self,
        t: Token<'a>,
        level: usize,
    ) -> Result<Option<(u16, Levels)>, FilterError> {
        let lv0 = Levels::N(0);
        let r = match t.text {
            w if UNSUPPORTED.contains(&w) => return Err(self.fail(t, FilterErrorKind::Unsupported)),
            "less" | "greater" => {
                self.next();
                let n = self.need_number("a length in bytes")?;
                (self.prim(Prim::Len { greater: t.text == "greater", n }, level)?, lv0)
            }
            "vlan" => {
                self.next();
                let id = self.optional_number()?;
                if id.is_some_and(|i| i > 4095) {
                    return Err(
                        self.fail(self.toks[self.i - 1], FilterErrorKind::Invalid("VLAN ID over 4095"))
                    );
                }
                self.ether_only(level, "no VLAN support for this link type (vlan needs Ethernet)");
                let n = self.prim(Prim::Vlan(id.map(|i| i as u16)), level)?;
                self.vshift[level] = self.vshift[level].saturating_add(4);
                (n, lv0)
            }
            "vxlan" | "vxlan-gpe" | "gbp" => {
                self.next();
                let id = self.optional_number()?;
                let (kind, max) = match t.text {
                    "vxlan" => (Tunnel::Vxlan, 0xff_ffff),
                    "vxlan-gpe" => (Tunnel::Gpe, 0xff_ffff),
                    _ => (Tunnel::Gbp, 0xffff),
                };
                if id.is_some_and(|i| i > max) {
                    let why = if max == 0xffff { "group policy ID over 65535" } else { "VNI over 16777215" };
                    return Err(self.fail(self.toks[self.i - 1], FilterErrorKind::Invalid(why)));
                }
                self.tunnels = true;
                if level < MAX_LEVEL {
                    self.vshift[level + 1] = 0;
                }
                (self.prim(Prim::Tunnel { kind, id }, level)?, Levels::N(1))
            }
            "broadcast" => {
                self.next();
                self.ether_only(level, "not a broadcast link (broadcast needs Ethernet)");
                (self.prim(Prim::EtherBroadcast, level)?, lv0)
            }
            "multicast" => {
                self.next();
                self.ether_only(level, "link-layer multicast filters supported only on Ethernet");
                (self.prim(Prim::EtherMulticast, level)?, lv0)
            }
            "proto" => {
                self.next();
                (self.proto_arg(None, level)?, lv0)
            }
            _ => return Ok(None),
        };
        Ok(Some(r))
    }

    /// `[ip|ip6|ether] proto N|name`, after `proto`.
    fn proto_arg(&mut self, pq: Option<Pq>, level: usize) -> Result<u16, FilterError> {
        let t = self.next();
        if !matches!(t.kind, Kind::Word(_)) {
            return Err(self.err(t, "a protocol number or name"));
        }
        let keyword = t.kind == Kind::Word(false) && KEYWORDS.contains(&t.text);
        if pq == Some(Pq::Ether) {
            let et = match number(t.text) {
                Some(n) if n > 0xffff => {
                    return Err(self.fail(t, FilterErrorKind::Invalid("EtherType over 0xffff")))
                }
                Some(n) if n <= 1500 => return Err(self.fail(t, FilterErrorKind::Unsupported)),
                Some(n) => n as u16,
                None if keyword => {
                    return Err(self.err(t, "a protocol number or name (escape keywords: \\ip)"))
                }
                None => match ETHER_PROTOS.iter().find(|p| p.0 == t.text) {
                    Some(p) => p.1,
                    None => return Err(self.fail(t, FilterErrorKind::Name)),
                },
            };
            return self.prim(Prim::EtherType(et), level);
        }
        let p = match number(t.text) {
            Some(n) if n > 255 => return Err(self.fail(t, FilterErrorKind::Invalid("IP protocol over 255"))),
            Some(n) => n as u8,
            None if keyword => return Err(self.err(t, "a protocol number or name (escape keywords: \\tcp)")),
            None => match IP_PROTOS.iter().find(|p| p.0 == t.text) {
                Some(p) => p.1,
                None => return Err(self.fail(t, FilterErrorKind::Name)),
            },
        };
        match pq {
            Some(Pq::Ip) => self.prim(Prim::Proto4(p), level),
            Some(Pq::Ip6) => self.prim(Prim::Proto6 { proto: p, chase: true }, level),
            None => {
                let a = self.prim(Prim::Proto4(p), level)?;
                let b = self.prim(Prim::Proto6 { proto: p, chase: true }, level)?;
                self.or(a, b)
            }
            Some(_) => {
                Err(self
                    .fail(t, FilterErrorKind::Invalid("`proto` takes only the ip, ip6 or ether qualifier")))
            }
        }
    }

    /// `[proto] [dir] [type] ID`, a protocol alone, or a bare ID with the last qualifiers.
    fn qualified(&mut self, level: usize) -> Result<u16, FilterError> {
        let first = self.peek();
        let mut q = Quals::default();
        let mut any = false;
        if first.kind == Kind::Word(false) {
            q.proto = match first.text {
                "ether" | "link" => Some(Pq::Ether),
                "ip" => Some(Pq::Ip),
                "ip6" => Some(Pq::Ip6),
                "arp" => Some(Pq::Arp),
                "rarp" => Some(Pq::Rarp),
                "tcp" => Some(Pq::Tcp),
                "udp" => Some(Pq::Udp),
                "sctp" => Some(Pq::Sctp),
                "icmp" => Some(Pq::Icmp),
                "icmp6" => Some(Pq::Icmp6),
                "igmp" => Some(Pq::Igmp),
                _ => None,
            };
            if q.proto.is_some() {
                self.next();
                any = true;
            }
        }
        let t = self.peek();
        if t.kind == Kind::Word(false) && UNSUPPORTED.contains(&t.text) {
            return Err(self.fail(t, FilterErrorKind::Unsupported));
        }
        if let Some(pq) = q.proto {
            if is_word(&t, "proto") {
                self.next();
                self.quals = None;
                return self.proto_arg(Some(pq), level);
            }
            if is_word(&t, "broadcast") || is_word(&t, "multicast") {
                self.next();
                self.quals = None;
                return self.cast(pq, t, level);
            }
        }
        q.dir = self.direction();
        any |= q.dir.is_some();
        let t = self.peek();
        q.ty = match t.text {
            "host" if t.kind == Kind::Word(false) => Some(Ty::Host),
            "net" if t.kind == Kind::Word(false) => Some(Ty::Net),
            "port" if t.kind == Kind::Word(false) => Some(Ty::Port),
            "portrange" if t.kind == Kind::Word(false) => Some(Ty::Portrange),
            _ => None,
        };
        if q.ty.is_some() {
            self.next();
            any = true;
        }
        let id = self.peek();
        if !any {
            match self.quals {
                Some(last) if self.word_is_id(&id) => q = last,
                _ => {
                    return Err(
                        self.err(id, "a primitive (host, net, port, ip, tcp, vxlan, ...), \"not\" or \"(\"")
                    )
                }
            }
        } else if q.dir.is_none() && q.ty.is_none() {
            // A protocol alone: `ip`, `tcp`, `arp`, ...
            self.quals = None;
            return self.protocol(q.proto.unwrap_or(Pq::Ip), id, level);
        }
        if !self.word_is_id(&id) {
            return Err(self.err(id, "a number, an address or a qualifier"));
        }
        self.next();
        self.quals = Some(q);
        self.id(q, id, level)
    }

    /// `src`, `dst`, `src or dst`, `src and dst`.
    fn direction(&mut self) -> Option<Dir> {
        let t = self.peek();
        let d = match t.text {
            "src" if t.kind == Kind::Word(false) => Dir::Src,
            "dst" if t.kind == Kind::Word(false) => Dir::Dst,
            _ => return None,
        };
        self.next();
        let (c, u) = (self.peek(), self.peek_at(1));
        let other = if d == Dir::Src { "dst" } else { "src" };
        if is_word(&u, other) && (is_word(&c, "or") || is_word(&c, "and")) {
            self.i += 2;
            return Some(if c.text == "or" { Dir::Either } else { Dir::Both });
        }
        Some(d)
    }

    fn cast(&mut self, pq: Pq, t: Token<'a>, level: usize) -> Result<u16, FilterError> {
        let p = match (pq, t.text) {
            (Pq::Ether, "broadcast") => Prim::EtherBroadcast,
            (Pq::Ether, _) => Prim::EtherMulticast,
            (Pq::Ip, "broadcast") => Prim::IpBroadcast,
            (Pq::Ip, _) => Prim::IpMulticast,
            (Pq::Ip6, "multicast") => Prim::Ip6Multicast,
            _ => {
                return Err(self.fail(
                    t,
                    FilterErrorKind::Invalid("only ether/ip broadcast and ether/ip/ip6 multicast exist"),
                ))
            }
        };
        if pq == Pq::Ether {
            self.ether_only(level, "link-layer broadcast/multicast filters supported only on Ethernet");
        }
        self.prim(p, level)
    }

    /// A protocol qualifier used alone.
    fn protocol(&mut self, pq: Pq, t: Token<'a>, level: usize) -> Result<u16, FilterError> {
        let both = |s: &mut Self, p: u8| -> Result<u16, FilterError> {
            let a = s.prim(Prim::Proto4(p), level)?;
            let b = s.prim(Prim::Proto6 { proto: p, chase: true }, level)?;
            s.or(a, b)
        };
        match pq {
            Pq::Ip => self.prim(Prim::EtherType(0x0800), level),
            Pq::Ip6 => self.prim(Prim::EtherType(0x86dd), level),
            Pq::Arp => self.prim(Prim::EtherType(0x0806), level),
            Pq::Rarp => self.prim(Prim::EtherType(0x8035), level),
            Pq::Tcp => both(self, 6),
            Pq::Udp => both(self, 17),
            Pq::Sctp => both(self, 132),
            Pq::Icmp => self.prim(Prim::Proto4(1), level),
            Pq::Igmp => self.prim(Prim::Proto4(2), level),
            Pq::Icmp6 => self.prim(Prim::Proto6 { proto: 58, chase: true }, level),
            Pq::Ether => Err(self.err(t, "host, src, dst, proto, broadcast or multicast after \"ether\"")),
        }
    }
}

impl<'a> Parser<'a> {
    fn id(&mut self, q: Quals, t: Token<'a>, level: usize) -> Result<u16, FilterError> {
        let dir = q.dir.unwrap_or(Dir::Either);
        match q.ty.unwrap_or(Ty::Host) {
            Ty::Port | Ty::Portrange => self.port(q, dir, t, level),
            ty => self.host(q.proto, dir, ty == Ty::Net, t, level),
        }
    }

    /// `host ADDR`, `net NET[/LEN]`, `net NET mask MASK`.
    fn host(
        &mut self,
        pq: Option<Pq>,
        dir: Dir,
        net: bool,
        t: Token<'a>,
        level: usize,
    ) -> Result<u16, FilterError> {
        let bad_qual = FilterErrorKind::Invalid("this protocol qualifier cannot be applied to an address");
        let id = match classify(t.text) {
            // A number is a whole address for `host`, a short network number for `net`.
            Id::Num => {
                let v = number(t.text).unwrap_or(0);
                let parts = if net { 4 - (v.leading_zeros() / 8).min(3) as u8 } else { 4 };
                Id::V4(if net && v != 0 { v << (8 * (4 - u32::from(parts))) } else { v }, parts)
            }
            other => other,
        };
        match id {
            Id::V4(addr, parts) => {
                let mut mask = if parts >= 4 { u32::MAX } else { !(u32::MAX >> (8 * u32::from(parts))) };
                if net {
                    mask = self.netmask(mask)?;
                }
                if addr & !mask != 0 {
                    return Err(self.fail(t, FilterErrorKind::Invalid("non-network bits set in the address")));
                }
                let h = |et: u16| Prim::Host4 { et, dir, addr, mask };
                match pq {
                    None => {
                        let a = self.prim(h(0x0800), level)?;
                        let b = self.prim(h(0x0806), level)?;
                        let c = self.prim(h(0x8035), level)?;
                        let bc = self.or(b, c)?;
                        self.or(a, bc)
                    }
                    Some(Pq::Ip) => self.prim(h(0x0800), level),
                    Some(Pq::Arp) => self.prim(h(0x0806), level),
                    Some(Pq::Rarp) => self.prim(h(0x8035), level),
                    Some(_) => Err(self.fail(t, bad_qual)),
                }
            }
            Id::V6(addr) => {
                let prefix = if net { self.prefix6()? } else { 128 };
                if prefix < 128 {
                    let mut masked = addr;
                    for (i, b) in masked.iter_mut().enumerate() {
                        let keep = (usize::from(prefix)).saturating_sub(8 * i).min(8) as u32;
                        *b &= !(0xffu8.checked_shr(keep).unwrap_or(0));
                    }
                    if masked != addr {
                        return Err(
                            self.fail(t, FilterErrorKind::Invalid("non-network bits set in the address"))
                        );
                    }
                }
                match pq {
                    None | Some(Pq::Ip6) => self.prim(Prim::Host6 { dir, addr, prefix }, level),
                    Some(_) => Err(self.fail(t, bad_qual)),
                }
            }
            Id::Mac(mac) if pq == Some(Pq::Ether) && !net => {
                self.ether_only(level, "ethernet addresses supported only on Ethernet");
                self.prim(Prim::Mac { dir, mac }, level)
            }
            Id::Name => Err(self.fail(t, FilterErrorKind::Name)),
            _ if pq == Some(Pq::Ether) => {
                Err(self.err(self.toks[self.i - 1], "an Ethernet address (aa:bb:cc:dd:ee:ff)"))
            }
            _ => Err(self.err(self.toks[self.i - 1], "an IPv4 or IPv6 address")),
        }
    }

    /// An optional `/LEN` or `mask MASK` after `net ADDR`; `dflt` without one.
    fn netmask(&mut self, dflt: u32) -> Result<u32, FilterError> {
        let t = self.peek();
        if t.kind == Kind::Slash {
            self.next();
            let n = self.need_number("a prefix length")?;
            if n > 32 {
                return Err(
                    self.fail(self.toks[self.i - 1], FilterErrorKind::Invalid("mask length must be <= 32"))
                );
            }
            return Ok(if n == 0 { 0 } else { u32::MAX << (32 - n) });
        }
        if is_word(&t, "mask") {
            self.next();
            let m = self.next();
            return match classify(m.text) {
                Id::V4(v, 4) => Ok(v),
                _ => Err(self.err(m, "a dotted IPv4 netmask")),
            };
        }
        Ok(dflt)
    }

    fn prefix6(&mut self) -> Result<u8, FilterError> {
        if self.peek().kind != Kind::Slash {
            return Ok(128);
        }
        self.next();
        match self.need_number("a prefix length")? {
            n @ 0..=128 => Ok(n as u8),
            _ => {
                Err(self.fail(self.toks[self.i - 1], FilterErrorKind::Invalid("mask length must be <= 128")))
            }
        }
    }

    /// `port N`, `portrange LO-HI`, with a protocol qualifier.
    fn port(&mut self, q: Quals, dir: Dir, t: Token<'a>, level: usize) -> Result<u16, FilterError> {
        let (v4, v6, protos) = match q.proto {
            None => (true, true, 7),
            Some(Pq::Tcp) => (true, true, 1),
            Some(Pq::Udp) => (true, true, 2),
            Some(Pq::Sctp) => (true, true, 4),
            Some(Pq::Ip) => (true, false, 7),
            Some(Pq::Ip6) => (false, true, 7),
            Some(_) => {
                return Err(
                    self.fail(t, FilterErrorKind::Invalid("ports exist only for ip, ip6, tcp, udp and sctp"))
                )
            }
        };
        let one = |s: &str| -> Result<u16, FilterErrorKind> {
            match number(s) {
                Some(n) if n <= 0xffff => Ok(n as u16),
                Some(_) => Err(FilterErrorKind::Invalid("illegal port number > 65535")),
                None => Err(FilterErrorKind::Name),
            }
        };
        let (lo, hi) = if q.ty == Some(Ty::Portrange) {
            let (a, b) = t.text.split_once('-').unwrap_or((t.text, t.text));
            let (a, b) = (one(a).map_err(|k| self.fail(t, k))?, one(b).map_err(|k| self.fail(t, k))?);
            (a.min(b), a.max(b))
        } else {
            let p = one(t.text).map_err(|k| self.fail(t, k))?;
            (p, p)
        };
        self.prim(Prim::Port { v4, v6, protos, dir, lo, hi }, level)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Filter, FilterErrorKind};
    use crate::dissect::{dissect, Config, LinkType};
    use std::string::ToString;

    /// Ethernet / IPv4 / UDP 49153 > 4789 / VXLAN VNI `vni` / inner Ethernet / ARP (cut short).
    fn vxlan_arp(vni: u8) -> [u8; 72] {
        let mut f = [0u8; 72];
        f[..14].copy_from_slice(&[2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0]);
        f[14..34].copy_from_slice(&[0x45, 0, 0, 58, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
        f[34..42].copy_from_slice(&[0xc0, 1, 0x12, 0xb5, 0, 38, 0, 0]);
        f[42..50].copy_from_slice(&[8, 0, 0, 0, 0, 0, vni, 0]);
        f[50..64].copy_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 3, 8, 6]);
        f[64..72].copy_from_slice(&[0, 1, 8, 0, 6, 4, 0, 1]);
        f
    }

    fn sel(expr: &str, frame: &[u8]) -> bool {
        let f = Filter::compile(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
        let d = dissect(frame, LinkType::Ethernet, &Config::default());
        let a = f.matches(&d, LinkType::Ethernet, frame.len() as u32);
        assert_eq!(a, f.matches_bytes(frame, LinkType::Ethernet, frame.len() as u32, &Config::default()));
        a
    }

    #[test]
    fn inner_frame_rule() {
        let f = vxlan_arp(100);
        assert!(sel("vxlan 100 and arp", &f));
        assert!(sel("vxlan and ether broadcast", &f));
        assert!(!sel("ether broadcast", &f));
        assert!(!sel("vxlan 200 and arp", &f));
        assert!(!sel("arp", &f)); // the outer frame is IPv4
        assert!(sel("vxlan 200 or vxlan 100", &f));
        assert!(sel("(vxlan 200 or vxlan 100) and arp[7] = 1", &f));
        assert!(!sel("vxlan and vxlan", &f));
        assert!(sel("not vxlan 7", &f));
        assert!(!sel("gbp", &f));
        assert!(sel("udp dst port 4789 and vxlan and arp and not ip", &f));
        assert!(sel("vxlan and len = 72", &f));
        // A byte past the end: not selected, even under `not`.
        assert!(!sel("not vxlan and ether[100] = 0", &f));
        assert!(!sel("not ether[100] = 0", &f));
        assert_eq!(Filter::compile("vxlan 300").unwrap().vni_prefilter(), Some(&[300][..]));
        assert_eq!(Filter::compile("vxlan 1 or vxlan 2 and arp").unwrap().vni_prefilter(), Some(&[1, 2][..]));
        assert_eq!(Filter::compile("vxlan 1 or arp").unwrap().vni_prefilter(), None);
    }

    #[test]
    fn errors_name_the_token() {
        let e = |s: &str| Filter::compile(s).unwrap_err();
        assert_eq!(e("udp prt 4789").token(), "prt");
        assert_eq!(
            e("host 10.0.0.1 and (").kind,
            FilterErrorKind::Syntax("a primitive (host, net, port, ip, tcp, vxlan, ...), \"not\" or \"(\"")
        );
        assert_eq!(e("mpls").kind, FilterErrorKind::Unsupported);
        assert_eq!(e("ip6 protochain 6").kind, FilterErrorKind::Unsupported);
        assert_eq!(e("host example.com").kind, FilterErrorKind::Name);
        assert!(e("host example.com").to_string().contains("not resolved"));
        assert!(matches!(e("(vxlan or ip) and arp").kind, FilterErrorKind::Invalid(_)));
        assert!(matches!(e("vxlan 16777216").kind, FilterErrorKind::Invalid(_)));
        assert!(matches!(e("ether[0] % 0 = 1").kind, FilterErrorKind::Invalid(_)));
        assert_eq!(e(&"ip or ".repeat(200)).kind, FilterErrorKind::TooLong);
        assert!(
            e("((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((ip").kind
                == FilterErrorKind::TooLong
        );
        let end = e("host");
        assert_eq!(
            end.to_string(),
            "syntax error in filter expression at its end: expected a number, an address or a qualifier"
        );
        assert!(Filter::compile("   ").is_ok());
    }

    #[test]
    fn link_checks() {
        let f = Filter::compile("ether host 1:2:3:4:5:6").unwrap();
        assert!(f.check_link(LinkType::LinuxSll).is_err());
        assert!(f.check_link(LinkType::Ethernet).is_ok());
        // Inside VXLAN the frame is Ethernet whatever the capture's link type.
        assert!(Filter::compile("vxlan and ether broadcast")
            .unwrap()
            .check_link(LinkType::LinuxSll2)
            .is_ok());
    }
}
