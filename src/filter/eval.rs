//! Running a compiled filter over one packet: byte loads at libpcap's offsets, relative to the
//! frame the expression stands in (the outer frame, or a VXLAN packet's inner frame).
//!
//! A load past the captured bytes (or a division by zero) ends the run with "not selected", as a
//! BPF program returns 0 there, whatever `not` or `or` surround it.

use super::{Base, Cmp, Dir, Filter, Node, Op, Prim, Tunnel};
use crate::dissect::{Dissection, Header, LinkType};
use crate::wire::vxlan_gpe::GpeNextProto;

/// A load out of bounds: the packet is not selected.
struct Abort;

type R<T> = Result<T, Abort>;

/// How a frame begins.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Link {
    Ether,
    Sll,
    Sll2,
    Raw,
}

/// The frame an expression stands in.
#[derive(Clone, Copy)]
struct Frame<'a> {
    data: &'a [u8],
    /// Offset of the frame's first byte in `data`.
    base: usize,
    link: Link,
    /// Encapsulation depth (0 outside).
    depth: u8,
}

struct Run<'f, 'a> {
    nodes: &'f [Node],
    d: Option<&'f Dissection<'a>>,
    wire_len: u32,
}

pub(super) fn run(
    f: &Filter,
    data: &[u8],
    d: Option<&Dissection<'_>>,
    link: LinkType,
    wire_len: u32,
) -> bool {
    let link = match link {
        LinkType::Ethernet => Link::Ether,
        LinkType::LinuxSll => Link::Sll,
        LinkType::LinuxSll2 => Link::Sll2,
        LinkType::RawIp | LinkType::Ipv4 | LinkType::Ipv6 => Link::Raw,
    };
    let frame = Frame { data, base: 0, link, depth: 0 };
    let r = Run { nodes: &f.nodes, d, wire_len };
    matches!(r.node(f.root, frame), Ok(true))
}

impl Frame<'_> {
    fn bytes<const N: usize>(&self, off: usize) -> R<[u8; N]> {
        let at = self.base.checked_add(off).ok_or(Abort)?;
        let s = self.data.get(at..at.checked_add(N).ok_or(Abort)?).ok_or(Abort)?;
        let mut b = [0u8; N];
        b.copy_from_slice(s);
        Ok(b)
    }
    fn u8(&self, off: usize) -> R<u8> {
        Ok(self.bytes::<1>(off)?[0])
    }
    fn u16(&self, off: usize) -> R<u16> {
        Ok(u16::from_be_bytes(self.bytes(off)?))
    }
    fn u32(&self, off: usize) -> R<u32> {
        Ok(u32::from_be_bytes(self.bytes(off)?))
    }
    /// The network layer's offset, after `vs` bytes of VLAN tags.
    fn net(&self, vs: u8) -> usize {
        usize::from(vs)
            + match self.link {
                Link::Ether => 14,
                Link::Sll => 16,
                Link::Sll2 => 20,
                Link::Raw => 0,
            }
    }
    /// Whether the link layer says the network layer is `et` (libpcap's `gen_linktype`).
    fn linktype(&self, et: u16, vs: u8) -> R<bool> {
        let vs = usize::from(vs);
        match self.link {
            Link::Ether => Ok(self.u16(12 + vs)? == et),
            Link::Sll => Ok(self.u16(14 + vs)? == et),
            Link::Sll2 => Ok(self.u16(vs)? == et),
            Link::Raw => match et {
                0x0800 => Ok(self.u8(vs)? & 0xf0 == 0x40),
                0x86dd => Ok(self.u8(vs)? & 0xf0 == 0x60),
                _ => Ok(false),
            },
        }
    }
    /// The offset of the layer after an unfragmented IPv4 header with protocol `proto`.
    fn ip4_payload(&self, proto: Option<u8>, protos: u8, vs: u8) -> R<Option<usize>> {
        let net = self.net(vs);
        if !self.linktype(0x0800, vs)? {
            return Ok(None);
        }
        let p = self.u8(net + 9)?;
        if proto.map_or(!in_set(p, protos), |want| p != want) || self.u16(net + 6)? & 0x1fff != 0 {
            return Ok(None);
        }
        Ok(Some(net + usize::from(self.u8(net)? & 0xf) * 4))
    }
}

/// Whether IP protocol `p` is one of the TCP (1), UDP (2), SCTP (4) bits.
fn in_set(p: u8, set: u8) -> bool {
    (p == 6 && set & 1 != 0) || (p == 17 && set & 2 != 0) || (p == 132 && set & 4 != 0)
}

/// Applies a direction to a test of the source and one of the destination, loading lazily.
fn dir(d: Dir, src: impl Fn() -> R<bool>, dst: impl Fn() -> R<bool>) -> R<bool> {
    Ok(match d {
        Dir::Src => src()?,
        Dir::Dst => dst()?,
        Dir::Either => src()? || dst()?,
        Dir::Both => src()? && dst()?,
    })
}

impl<'a> Run<'_, 'a> {
    fn node(&self, i: u16, fr: Frame<'a>) -> R<bool> {
        match self.nodes[usize::from(i)] {
            Node::And(l, r, levels) => {
                if !self.node(l, fr)? {
                    return Ok(false);
                }
                match self.descend(fr, levels) {
                    Some(inner) => self.node(r, inner),
                    None => Ok(false),
                }
            }
            Node::Or(l, r) => Ok(self.node(l, fr)? || self.node(r, fr)?),
            Node::Not(x) => Ok(!self.node(x, fr)?),
            Node::Prim(p, vs) => self.prim(p, vs, fr),
            Node::Rel(op, l, r) => {
                if !self.guard(l, fr)? || !self.guard(r, fr)? {
                    return Ok(false);
                }
                let (a, b) = (self.value(l, fr)?, self.value(r, fr)?);
                Ok(match op {
                    Cmp::Eq => a == b,
                    Cmp::Ne => a != b,
                    Cmp::Lt => a < b,
                    Cmp::Le => a <= b,
                    Cmp::Gt => a > b,
                    Cmp::Ge => a >= b,
                })
            }
            // Arithmetic nodes are never the operand of a boolean node.
            _ => Ok(false),
        }
    }

    /// The checks libpcap puts before the loads of an arithmetic expression.
    fn guard(&self, i: u16, fr: Frame<'a>) -> R<bool> {
        match self.nodes[usize::from(i)] {
            Node::Load(base, off, _, vs) => {
                if !self.guard(off, fr)? {
                    return Ok(false);
                }
                Ok(match base {
                    Base::Link => true,
                    Base::Net(et) => fr.linktype(et, vs)?,
                    Base::Ip4(p) => fr.ip4_payload(Some(p), 0, vs)?.is_some(),
                    Base::Icmp6 => fr.linktype(0x86dd, vs)? && fr.u8(fr.net(vs) + 6)? == 58,
                })
            }
            Node::Bin(_, l, r) => Ok(self.guard(l, fr)? && self.guard(r, fr)?),
            _ => Ok(true),
        }
    }

    fn value(&self, i: u16, fr: Frame<'a>) -> R<u32> {
        match self.nodes[usize::from(i)] {
            Node::Const(c) => Ok(c),
            Node::PktLen => Ok(self.wire_len),
            Node::Load(base, off, size, vs) => {
                let start = match base {
                    Base::Link => 0,
                    Base::Net(_) => fr.net(vs),
                    Base::Ip4(p) => fr.ip4_payload(Some(p), 0, vs)?.ok_or(Abort)?,
                    Base::Icmp6 => fr.net(vs) + 40,
                };
                let at = start.checked_add(self.value(off, fr)? as usize).ok_or(Abort)?;
                match size {
                    1 => Ok(u32::from(fr.u8(at)?)),
                    2 => Ok(u32::from(fr.u16(at)?)),
                    _ => fr.u32(at),
                }
            }
            Node::Bin(op, l, r) => {
                let (a, b) = (self.value(l, fr)?, self.value(r, fr)?);
                Ok(match op {
                    Op::Add => a.wrapping_add(b),
                    Op::Sub => a.wrapping_sub(b),
                    Op::Mul => a.wrapping_mul(b),
                    Op::Div => a.checked_div(b).ok_or(Abort)?,
                    Op::Mod => a.checked_rem(b).ok_or(Abort)?,
                    Op::And => a & b,
                    Op::Or => a | b,
                    Op::Xor => a ^ b,
                    Op::Shl => a.wrapping_shl(b),
                    Op::Shr => a.wrapping_shr(b),
                })
            }
            _ => Ok(0),
        }
    }

    /// The frame `levels` VXLAN/GPE headers below `fr`, if the dissection has them.
    fn descend(&self, mut fr: Frame<'a>, levels: u8) -> Option<Frame<'a>> {
        for _ in 0..levels {
            let d = self.d?;
            let layer = d.layers().find(|l| {
                l.depth == fr.depth && matches!(l.header, Header::Vxlan(_) | Header::VxlanGpe(_))
            })?;
            let link = match layer.header {
                Header::VxlanGpe(g) => match g.next_proto() {
                    GpeNextProto::ETHERNET => Link::Ether,
                    GpeNextProto::IPV4 | GpeNextProto::IPV6 => Link::Raw,
                    _ => return None,
                },
                _ => Link::Ether,
            };
            fr = Frame { data: fr.data, base: layer.offset + 8, link, depth: fr.depth + 1 };
        }
        Some(fr)
    }

    fn tunnel(&self, kind: Tunnel, id: Option<u32>, fr: Frame<'a>) -> bool {
        let Some(d) = self.d else { return false };
        let Some(layer) = d
            .layers()
            .find(|l| l.depth == fr.depth && matches!(l.header, Header::Vxlan(_) | Header::VxlanGpe(_)))
        else {
            return false;
        };
        match (kind, &layer.header) {
            (Tunnel::Vxlan, Header::Vxlan(v)) => id.is_none_or(|n| v.vni().get() == n),
            (Tunnel::Gbp, Header::Vxlan(v)) => {
                v.flags().g() && id.is_none_or(|n| u32::from(v.group_policy_id()) == n)
            }
            (Tunnel::Gpe, Header::VxlanGpe(g)) => id.is_none_or(|n| g.vni().get() == n),
            _ => false,
        }
    }

    fn prim(&self, p: Prim, vs: u8, fr: Frame<'a>) -> R<bool> {
        let net = fr.net(vs);
        match p {
            Prim::EtherType(et) => fr.linktype(et, vs),
            Prim::Host4 { et, dir: d, addr, mask } => {
                if !fr.linktype(et, vs)? {
                    return Ok(false);
                }
                let (s, t) = if et == 0x0800 { (12, 16) } else { (14, 24) };
                dir(d, || Ok(fr.u32(net + s)? & mask == addr), || Ok(fr.u32(net + t)? & mask == addr))
            }
            Prim::Host6 { dir: d, addr, prefix } => {
                if !fr.linktype(0x86dd, vs)? {
                    return Ok(false);
                }
                let m = |off: usize| -> R<bool> { Ok(prefix_eq(&fr.bytes::<16>(net + off)?, &addr, prefix)) };
                dir(d, || m(8), || m(24))
            }
            Prim::Mac { .. } | Prim::EtherBroadcast | Prim::EtherMulticast if fr.link != Link::Ether => {
                Ok(false)
            }
            Prim::Mac { dir: d, mac } => {
                dir(d, || Ok(fr.bytes::<6>(6)? == mac), || Ok(fr.bytes::<6>(0)? == mac))
            }
            Prim::Port { v4, v6, protos, dir: d, lo, hi } => {
                let inr = |off: usize| -> R<bool> { Ok((lo..=hi).contains(&fr.u16(off)?)) };
                if v6 && fr.linktype(0x86dd, vs)? {
                    return if in_set(fr.u8(net + 6)?, protos) {
                        dir(d, || inr(net + 40), || inr(net + 42))
                    } else {
                        Ok(false)
                    };
                }
                if !v4 {
                    return Ok(false);
                }
                match fr.ip4_payload(None, protos, vs)? {
                    Some(l4) => dir(d, || inr(l4), || inr(l4 + 2)),
                    None => Ok(false),
                }
            }
            Prim::Proto4(proto) => Ok(fr.linktype(0x0800, vs)? && fr.u8(net + 9)? == proto),
            Prim::Proto6 { proto, chase } => {
                if !fr.linktype(0x86dd, vs)? {
                    return Ok(false);
                }
                let nh = fr.u8(net + 6)?;
                Ok(nh == proto || (chase && nh == 44 && fr.u8(net + 40)? == proto))
            }
            Prim::EtherBroadcast => Ok(fr.bytes::<6>(0)? == [0xff; 6]),
            Prim::EtherMulticast => Ok(fr.u8(0)? & 1 != 0),
            Prim::IpBroadcast => Ok(fr.linktype(0x0800, vs)? && matches!(fr.u32(net + 16)?, 0 | 0xffff_ffff)),
            Prim::IpMulticast => Ok(fr.linktype(0x0800, vs)? && fr.u8(net + 16)? >= 224),
            Prim::Ip6Multicast => Ok(fr.linktype(0x86dd, vs)? && fr.u8(net + 24)? == 0xff),
            Prim::Vlan(id) => {
                if fr.link != Link::Ether {
                    return Ok(false);
                }
                let lt = net - 2;
                if !matches!(fr.u16(lt)?, 0x8100 | 0x88a8 | 0x9100) {
                    return Ok(false);
                }
                match id {
                    Some(id) => Ok(fr.u16(lt + 2)? & 0xfff == id),
                    None => Ok(true),
                }
            }
            Prim::Len { greater, n } => Ok(if greater { self.wire_len >= n } else { self.wire_len <= n }),
            Prim::Tunnel { kind, id } => Ok(self.tunnel(kind, id, fr)),
        }
    }
}

/// Whether the first `prefix` bits of `a` and `b` are equal.
fn prefix_eq(a: &[u8; 16], b: &[u8; 16], prefix: u8) -> bool {
    let full = usize::from(prefix / 8);
    let rest = prefix % 8;
    a[..full] == b[..full] && (rest == 0 || (a[full] ^ b[full]) & (0xffu8 << (8 - rest)) == 0)
}
