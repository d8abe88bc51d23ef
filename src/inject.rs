//! Live I/O for `vxinject` and `vxdump -i` (feature `cli`): interfaces, raw Ethernet sockets, finding a VTEP's
//! MAC address with ARP or IPv6 neighbour discovery, UDP sockets, and pacing a bounded stream.
//!
//! This is the only module that names `pnet_datalink`. Frames are built elsewhere (the core's
//! `build` module); this module moves finished bytes to and from the wire:
//!
//! - [`Interface`]: an interface's index, MAC and addresses, looked up by name.
//! - [`RawLink`]: an `AF_PACKET` socket bound to one interface (needs `CAP_NET_RAW`), sending
//!   whole Ethernet frames and receiving them until a deadline with the kernel's receive time
//!   ([`Timestamp`], `SO_TIMESTAMPNS` through `recvmsg`); or, as `tcpdump -i any`, one on every
//!   interface whose frames arrive behind a Linux cooked v2 header ([`RawLink::open_any`]).
//! - [`Expect`]: what answers a probe, as arping and ping match their replies.
//! - [`resolve_mac`]: the MAC address of an on-link IPv4 (ARP, built and parsed with the crate's
//!   ARP code over etherparse) or IPv6 neighbour (neighbour solicitation / advertisement).
//! - [`UdpLink`]: an ordinary UDP socket pair for `--udp` mode (no privileges; the kernel writes
//!   the outer headers).
//!
//! ```
//! use vxwire::inject::{multicast_mac, Interface};
//! // The loopback interface exists in every network namespace; looking it up needs no privileges.
//! let lo = Interface::by_name("lo")?;
//! assert!(lo.ipv4.iter().any(|(a, _)| a.is_loopback()) && lo.mac.is_none());
//! // Where a frame to a VXLAN multicast group goes on the underlay.
//! assert_eq!(multicast_mac("239.1.1.1".parse()?).map(|m| m.to_string()).as_deref(), Some("01:00:5e:01:01:01"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::wire::arp;
use crate::wire::mac::MacAddr;
use arrayvec::ArrayVec;
use etherparse::{
    ArpHardwareId, ArpOperation, ArpPacket, EtherType, Ethernet2Header, Icmpv6Type, NetSlice, PacketBuilder,
    SlicedPacket, TransportSlice,
};
use pnet_datalink::{Channel, DataLinkReceiver, DataLinkSender, NetworkInterface};
use std::boxed::Box;
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::ops::ControlFlow;
use std::string::{String, ToString};
use std::time::{Duration, Instant};
use std::vec::Vec;

/// Why a live operation failed. `Display` gives one line, suitable after `vxinject: `.
#[derive(Debug)]
pub enum InjectError {
    /// No interface of that name exists (in this network namespace).
    NoSuchInterface(String),
    /// The interface has no Ethernet MAC address (loopback, tunnel without L2, ...).
    NoMac(String),
    /// The interface has no address of the family needed as the outer source address.
    NoAddress {
        /// The interface name.
        iface: String,
        /// Whether an IPv6 address was needed (else IPv4).
        ipv6: bool,
    },
    /// Opening a raw socket was refused: the process lacks `CAP_NET_RAW`.
    Permission(String),
    /// Nobody answered ARP / neighbour solicitation for the address.
    NoAnswer {
        /// The address asked for.
        target: IpAddr,
        /// The interface asked on.
        iface: String,
        /// How many requests were sent.
        tries: u32,
    },
    /// Any other I/O error, with what was being done.
    Io(&'static str, io::Error),
}

impl fmt::Display for InjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::display::padded(f, |f| match self {
            InjectError::NoSuchInterface(n) => write!(f, "{n}: no such interface"),
            InjectError::NoMac(n) => write!(f, "{n}: interface has no Ethernet address"),
            InjectError::NoAddress { iface, ipv6 } => write!(
                f,
                "{iface}: interface has no {} address to send from (give --src-ip)",
                if *ipv6 { "IPv6" } else { "IPv4" }
            ),
            InjectError::Permission(n) => write!(
                f,
                "{n}: raw socket not permitted (needs root or CAP_NET_RAW); \
                     use --udp to send through the kernel, or -w FILE.pcap to write a capture"
            ),
            InjectError::NoAnswer { target, iface, tries } => {
                let how = if target.is_ipv4() { "ARP" } else { "neighbour solicitation" };
                write!(
                    f,
                    "no {how} answer for {target} on {iface} after {tries} tries (is the VTEP on-link? \
                         give its MAC with --vtep-mac)"
                )
            }
            InjectError::Io(what, e) => write!(f, "{what}: {e}"),
        })
    }
}

impl std::error::Error for InjectError {}

/// A network interface as `vxinject` needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface {
    /// The interface name, e.g. `eth0`.
    pub name: String,
    /// The kernel's interface index.
    pub index: u32,
    /// Its Ethernet address, if it has one.
    pub mac: Option<MacAddr>,
    /// Its IPv4 addresses with prefix lengths, in the kernel's order.
    pub ipv4: Vec<(Ipv4Addr, u8)>,
    /// Its IPv6 addresses with prefix lengths, in the kernel's order.
    pub ipv6: Vec<(Ipv6Addr, u8)>,
    /// Whether the interface is administratively up.
    pub up: bool,
    inner: NetworkInterface,
}

impl Interface {
    /// Looks an interface up by name in the current network namespace.
    ///
    /// # Errors
    /// [`InjectError::NoSuchInterface`] when no interface has that name.
    pub fn by_name(name: &str) -> Result<Interface, InjectError> {
        let inner = pnet_datalink::interfaces()
            .into_iter()
            .find(|i| i.name == name)
            .ok_or_else(|| InjectError::NoSuchInterface(name.to_string()))?;
        let mac = inner.mac.map(|m| MacAddr(m.octets())).filter(|m| !m.is_zero());
        let mut ipv4 = Vec::new();
        let mut ipv6 = Vec::new();
        for n in &inner.ips {
            match n.ip() {
                IpAddr::V4(a) => ipv4.push((a, n.prefix())),
                IpAddr::V6(a) => ipv6.push((a, n.prefix())),
            }
        }
        Ok(Interface {
            name: inner.name.clone(),
            index: inner.index,
            mac,
            ipv4,
            ipv6,
            up: inner.is_up(),
            inner,
        })
    }

    /// The interface's ARP hardware type from `/sys/class/net/NAME/type` (1 Ethernet, 772
    /// loopback, both with Ethernet headers on a raw socket; 65534 none, e.g. a tun device,
    /// whose frames are bare IP packets), or `None` when it cannot be read.
    pub fn hardware_type(&self) -> Option<u16> {
        let path = std::format!("/sys/class/net/{}/type", self.name);
        std::fs::read_to_string(path).ok()?.trim().parse().ok()
    }

    /// The address to send from towards `dest`: an address of the same family, preferring one
    /// whose subnet holds `dest`, and for IPv6 a global address over a link-local one.
    pub fn source_for(&self, dest: IpAddr) -> Option<IpAddr> {
        match dest {
            IpAddr::V4(d) => self
                .ipv4
                .iter()
                .find(|(a, p)| same_subnet_v4(*a, d, *p))
                .or_else(|| self.ipv4.first())
                .map(|(a, _)| IpAddr::V4(*a)),
            IpAddr::V6(d) => self
                .ipv6
                .iter()
                .find(|(a, p)| same_subnet_v6(*a, d, *p))
                .or_else(|| self.ipv6.iter().find(|(a, _)| !is_link_local(*a)))
                .or_else(|| self.ipv6.first())
                .map(|(a, _)| IpAddr::V6(*a)),
        }
    }

    /// Whether `dest` lies in one of the interface's subnets (an on-link neighbour).
    pub fn on_link(&self, dest: IpAddr) -> bool {
        match dest {
            IpAddr::V4(d) => self.ipv4.iter().any(|(a, p)| same_subnet_v4(*a, d, *p)),
            IpAddr::V6(d) => is_link_local(d) || self.ipv6.iter().any(|(a, p)| same_subnet_v6(*a, d, *p)),
        }
    }
}

fn same_subnet_v4(a: Ipv4Addr, b: Ipv4Addr, prefix: u8) -> bool {
    let mask = u32::MAX.checked_shl(32 - u32::from(prefix.min(32))).unwrap_or(0);
    u32::from(a) & mask == u32::from(b) & mask
}

fn same_subnet_v6(a: Ipv6Addr, b: Ipv6Addr, prefix: u8) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(prefix.min(128))).unwrap_or(0);
    u128::from(a) & mask == u128::from(b) & mask
}

fn is_link_local(a: Ipv6Addr) -> bool {
    a.segments()[0] & 0xffc0 == 0xfe80
}

/// The next hop towards `dest` from the kernel's routing table (`/proc/net/route`,
/// `/proc/net/ipv6_route`) on interface `iface`: `dest` itself when it is on-link or no gateway
/// is listed, else the gateway of the most specific matching route.
#[doc(hidden)] // vxinject's own; not part of the library API.
pub fn next_hop(iface: &Interface, dest: IpAddr) -> IpAddr {
    if iface.on_link(dest) {
        return dest;
    }
    let found = match dest {
        IpAddr::V4(d) => route_v4(&iface.name, d).map(IpAddr::V4),
        IpAddr::V6(d) => route_v6(&iface.name, d).map(IpAddr::V6),
    };
    found.unwrap_or(dest)
}

fn route_v4(iface: &str, dest: Ipv4Addr) -> Option<Ipv4Addr> {
    let text = std::fs::read_to_string("/proc/net/route").ok()?;
    let mut best: Option<(u32, Ipv4Addr)> = None;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 8 || f[0] != iface {
            continue;
        }
        // The kernel prints each network-order address as a host-order u32 in hex.
        let word =
            |s: &str| u32::from_str_radix(s, 16).ok().map(|v| u32::from(Ipv4Addr::from(v.to_ne_bytes())));
        let (Some(net), Some(gw), Some(mask)) = (word(f[1]), word(f[2]), word(f[7])) else { continue };
        if u32::from(dest) & mask == net && gw != 0 && best.is_none_or(|(m, _)| mask.count_ones() > m) {
            best = Some((mask.count_ones(), Ipv4Addr::from(gw)));
        }
    }
    best.map(|(_, g)| g)
}

fn route_v6(iface: &str, dest: Ipv6Addr) -> Option<Ipv6Addr> {
    let text = std::fs::read_to_string("/proc/net/ipv6_route").ok()?;
    let mut best: Option<(u8, Ipv6Addr)> = None;
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 10 || f[9] != iface {
            continue;
        }
        let (Ok(net), Ok(plen), Ok(gw)) =
            (u128::from_str_radix(f[0], 16), u8::from_str_radix(f[1], 16), u128::from_str_radix(f[4], 16))
        else {
            continue;
        };
        if gw != 0 && same_subnet_v6(Ipv6Addr::from(net), dest, plen) && best.is_none_or(|(p, _)| plen > p) {
            best = Some((plen, Ipv6Addr::from(gw)));
        }
    }
    best.map(|(_, g)| g)
}

/// A raw Ethernet socket (`AF_PACKET`) bound to one interface.
///
/// pnet_datalink binds and configures the socket and receives with it; sending goes through a
/// second descriptor of the same socket (`dup`) with a plain `send`, one system call per frame,
/// and falls back to pnet's `poll` + `sendto` only when the socket's buffer is full.
pub struct RawLink {
    fast: socket2::Socket,
    tx: Option<Box<dyn DataLinkSender>>,
    // pnet's receiver keeps the socket bound; frames are read with recvmsg for their timestamps.
    _rx: Option<Box<dyn DataLinkReceiver>>,
    name: String,
    /// `-i any`: frames arrive without link header and get a Linux cooked v2 header.
    cooked: bool,
    buf: Vec<u8>,
    cmsg: Vec<u8>,
}

pub use crate::time::Timestamp;

/// What the kernel says about one received frame besides its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Received {
    /// When the kernel received it (its `SO_TIMESTAMPNS` time; the time of day if it gave none).
    pub ts: Timestamp,
    /// The frame's length on the wire, which may exceed the bytes delivered.
    pub len: usize,
    /// The interface it arrived on or left from.
    pub ifindex: u32,
    /// `PACKET_HOST` 0, `BROADCAST` 1, `MULTICAST` 2, `OTHERHOST` 3, `OUTGOING` 4.
    pub pkttype: u8,
}

/// How long after a socket first asks for receive timestamps the kernel may still deliver frames
/// without one. Linux turns software receive timestamps on for the whole system only when the
/// first socket wants them, through deferred work (`net_enable_timestamp`); a frame received
/// before that is stamped when it is read ("race between timestamp enabling and packet
/// receiving" in `__sock_recv_timestamp`). `vxinject --wait` waits this long before sending.
#[doc(hidden)] // vxinject's own; not part of the library API.
pub const TIMESTAMP_SETTLE: Duration = Duration::from_millis(50);

/// Bytes of the Linux cooked v2 header that [`RawLink::open_any`] puts before each frame.
pub(crate) const SLL2_HEADER_LEN: usize = 20;

/// How many frames [`RawLink::send_all`] hands to the kernel in one system call.
#[doc(hidden)] // vxinject's own; not part of the library API.
pub const SEND_BATCH: usize = 32;

/// The largest frame [`RawLink::open_capture`] receives whole, in bytes (tcpdump's default
/// snapshot length).
pub const CAPTURE_SNAPLEN: usize = 262_144;

/// How long one receive call blocks before the deadline is checked again.
const POLL_SLICE: Duration = Duration::from_millis(20);

impl RawLink {
    /// Opens a raw socket on `iface` (not promiscuous: frames to the interface's MAC, broadcast
    /// and joined multicast arrive; frames this socket sends do not come back to it).
    ///
    /// # Errors
    /// [`InjectError::Permission`] without `CAP_NET_RAW`; [`InjectError::Io`] otherwise.
    pub fn open(iface: &Interface) -> Result<RawLink, InjectError> {
        RawLink::open_with(iface, false, 65_536 + 64)
    }

    /// Opens a raw socket on `iface` for capturing, as `vxdump -i` does: promiscuous (like
    /// tcpdump without `-p`) when `promiscuous` is set, with a receive buffer of 256 KiB so that
    /// frames the kernel merged with GRO are not cut (tcpdump's default snapshot length). Frames
    /// sent from the host on `iface` arrive as well; receive them with [`RawLink::receive_until`].
    ///
    /// # Errors
    /// [`InjectError::Permission`] without `CAP_NET_RAW`; [`InjectError::Io`] otherwise.
    pub fn open_capture(iface: &Interface, promiscuous: bool) -> Result<RawLink, InjectError> {
        RawLink::open_with(iface, promiscuous, CAPTURE_SNAPLEN)
    }

    fn open_with(iface: &Interface, promiscuous: bool, buffer: usize) -> Result<RawLink, InjectError> {
        use socket2::{Domain, Protocol, Socket, Type};
        use std::os::fd::IntoRawFd;
        const ETH_P_ALL: u16 = 0x0003;
        let refused = |e: io::Error| {
            if e.kind() == io::ErrorKind::PermissionDenied {
                InjectError::Permission(iface.name.clone())
            } else {
                InjectError::Io("raw socket", e)
            }
        };
        let sock = Socket::new(Domain::PACKET, Type::RAW, Some(Protocol::from(i32::from(ETH_P_ALL.to_be()))))
            .map_err(refused)?;
        let fast = sock.try_clone().map_err(refused)?;
        let config = pnet_datalink::Config {
            // pnet binds this socket to the interface and closes it when dropped.
            socket_fd: Some(sock.into_raw_fd()),
            read_buffer_size: buffer,
            write_buffer_size: 65_536 + 64,
            read_timeout: Some(POLL_SLICE),
            promiscuous,
            ..pnet_datalink::Config::default()
        };
        match pnet_datalink::channel(&iface.inner, config) {
            Ok(Channel::Ethernet(tx, rx)) => {
                RawLink::stamped(fast, Some(tx), Some(rx), iface.name.clone(), false, buffer)
            }
            Ok(_) => Err(InjectError::Io("raw socket", io::Error::other("unexpected channel type"))),
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                Err(InjectError::Permission(iface.name.clone()))
            }
            Err(e) => Err(InjectError::Io("raw socket", e)),
        }
    }

    /// Sends one whole Ethernet frame (without FCS). Does not allocate.
    ///
    /// # Errors
    /// The socket's error, e.g. `Message too long` for a frame over the interface MTU.
    #[inline]
    pub fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        loop {
            match self.fast.send(frame) {
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // The socket is non-blocking: wait for room the way pnet does.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    return match self.tx.as_mut().and_then(|tx| tx.send_to(frame, None)) {
                        Some(r) => r,
                        None => Err(io::Error::other("send not supported")),
                    };
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Sends whole Ethernet frames (without FCS), up to [`SEND_BATCH`] per system call
    /// (`sendmmsg`), in order. Returns when all were sent or at the first error. Does not
    /// allocate.
    ///
    /// An unpaced stream spends a good part of its time entering and leaving the kernel; one call
    /// for a batch instead of one per frame is what lets it outrun a frame-at-a-time sender such
    /// as `tcpreplay --topspeed` (see `benches/inject.sh`).
    ///
    /// # Errors
    /// The socket's error, e.g. `Message too long` for a frame over the interface MTU.
    pub fn send_all(&mut self, frames: &[&[u8]]) -> io::Result<()> {
        use rustix::net::{sendmmsg, MMsgHdr, SendAncillaryBuffer, SendFlags};
        let mut rest = frames;
        while !rest.is_empty() {
            let n = rest.len().min(SEND_BATCH);
            let iovs: ArrayVec<[io::IoSlice<'_>; 1], SEND_BATCH> =
                rest[..n].iter().map(|f| [io::IoSlice::new(f)]).collect();
            let mut controls: [SendAncillaryBuffer<'_, '_, '_>; SEND_BATCH] =
                core::array::from_fn(|_| SendAncillaryBuffer::default());
            let mut msgs: ArrayVec<MMsgHdr<'_>, SEND_BATCH> =
                iovs.iter().zip(controls.iter_mut()).map(|(iov, c)| MMsgHdr::new(iov, c)).collect();
            match sendmmsg(&self.fast, &mut msgs, SendFlags::empty()) {
                Ok(0) => return Err(io::Error::other("sendmmsg sent nothing")),
                Ok(sent) => rest = &rest[sent.min(n)..],
                Err(rustix::io::Errno::INTR) => {}
                // The socket is non-blocking: send the next frame the waiting way, then batch on.
                Err(rustix::io::Errno::AGAIN) => {
                    self.send(rest[0])?;
                    rest = &rest[1..];
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Opens a packet socket on every interface at once, as `tcpdump -i any` does (needs
    /// `CAP_NET_RAW`; never promiscuous): each frame arrives without its link header, and
    /// [`RawLink::receive_until`] hands it over behind a Linux cooked v2 header
    /// (20 bytes: protocol, interface index, hardware type, packet type and
    /// link-layer source address from the kernel's `sockaddr_ll`). Such a link cannot send.
    ///
    /// # Errors
    /// [`InjectError::Permission`] without `CAP_NET_RAW`; [`InjectError::Io`] otherwise.
    pub fn open_any() -> Result<RawLink, InjectError> {
        use socket2::{Domain, Protocol, Socket, Type};
        const ETH_P_ALL: u16 = 0x0003;
        let sock =
            Socket::new(Domain::PACKET, Type::DGRAM, Some(Protocol::from(i32::from(ETH_P_ALL.to_be()))))
                .map_err(|e| {
                    if e.kind() == io::ErrorKind::PermissionDenied {
                        InjectError::Permission("any".to_string())
                    } else {
                        InjectError::Io("packet socket", e)
                    }
                })?;
        sock.set_recv_buffer_size(4 << 20).map_err(|e| InjectError::Io("packet socket", e))?;
        RawLink::stamped(sock, None, None, "any".to_string(), true, CAPTURE_SNAPLEN)
    }

    fn stamped(
        fast: socket2::Socket,
        tx: Option<Box<dyn DataLinkSender>>,
        rx: Option<Box<dyn DataLinkReceiver>>,
        name: String,
        cooked: bool,
        buffer: usize,
    ) -> Result<RawLink, InjectError> {
        use nix::sys::socket::{setsockopt, sockopt::ReceiveTimestampns};
        setsockopt(&fast, ReceiveTimestampns, &true)
            .map_err(|e| InjectError::Io("SO_TIMESTAMPNS", io::Error::from(e)))?;
        let head = if cooked { SLL2_HEADER_LEN } else { 0 };
        use std::vec;
        let cmsg = nix::cmsg_space!(nix::sys::time::TimeSpec);
        Ok(RawLink { fast, tx, _rx: rx, name, cooked, buf: std::vec![0; head + buffer], cmsg })
    }

    /// Calls `f` with each frame received until `deadline` or until `f` returns
    /// `ControlFlow::Break`, with the kernel's receive time and the frame's length on the wire
    /// (frames longer than the buffer are cut); returns whether `f` broke. Does not allocate.
    ///
    /// # Errors
    /// A receive error other than the periodic timeout.
    pub fn receive_until(
        &mut self,
        deadline: Instant,
        mut f: impl FnMut(&[u8], Received) -> ControlFlow<()>,
    ) -> io::Result<bool> {
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Ok(false);
            }
            if !readable(&self.fast, (deadline - now).min(POLL_SLICE))? {
                continue;
            }
            let head = if self.cooked { SLL2_HEADER_LEN } else { 0 };
            let got = recv_stamped::<nix::sys::socket::LinkAddr>(
                &self.fast,
                &mut self.buf[head..],
                &mut self.cmsg,
            )?;
            let Some((n, len, ts, addr)) = got else { continue };
            if let (true, Some(a)) = (self.cooked, addr) {
                self.buf[..head].copy_from_slice(&sll2_header(&a));
            }
            let meta = Received {
                ts,
                len: len + head,
                ifindex: addr.map_or(0, |a| u32::try_from(a.ifindex()).unwrap_or(0)),
                pkttype: addr.map_or(0, |a| a.pkttype()),
            };
            if f(&self.buf[..head + n], meta).is_break() {
                return Ok(true);
            }
        }
    }

    /// The interface name the socket is bound to.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Waits up to `timeout` for `sock` to have something to read.
fn readable(sock: &impl std::os::fd::AsFd, timeout: Duration) -> io::Result<bool> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let ms = u16::try_from(timeout.as_millis().max(1)).unwrap_or(u16::MAX);
    let mut fds = [PollFd::new(sock.as_fd(), PollFlags::POLLIN)];
    match poll(&mut fds, PollTimeout::from(ms)) {
        Ok(n) => Ok(n > 0),
        Err(nix::errno::Errno::EINTR) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Bytes delivered, the length the kernel had, its receive time, and the sender.
type Stamped<S> = (usize, usize, Timestamp, Option<S>);

/// One `recvmsg` (non-blocking) into `buf`: bytes delivered, the length the kernel had (more
/// when cut), the kernel's receive time and the sender's address. `None` when nothing was waiting.
fn recv_stamped<S: nix::sys::socket::SockaddrLike + Copy>(
    sock: &impl std::os::fd::AsRawFd,
    buf: &mut [u8],
    cmsg: &mut [u8],
) -> io::Result<Option<Stamped<S>>> {
    use nix::sys::socket::{recvmsg, ControlMessageOwned, MsgFlags};
    let cap = buf.len();
    let mut iov = [io::IoSliceMut::new(buf)];
    // MSG_TRUNC: a packet socket then returns the frame's whole length, as libpcap reads it.
    let flags = MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_TRUNC;
    let msg = match recvmsg::<S>(sock.as_raw_fd(), &mut iov, Some(cmsg), flags) {
        Ok(m) => m,
        Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EINTR) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut ts = None;
    if let Ok(cmsgs) = msg.cmsgs() {
        for c in cmsgs {
            if let ControlMessageOwned::ScmTimestampns(t) = c {
                ts = Some(Timestamp::from_parts(t.tv_sec(), u64::try_from(t.tv_nsec()).unwrap_or(0)));
            }
        }
    }
    Ok(Some((
        msg.bytes.min(cap),
        msg.bytes,
        ts.unwrap_or_else(|| std::time::SystemTime::now().into()),
        msg.address,
    )))
}

/// The Linux cooked v2 header (LINKTYPE_LINUX_SLL2) libpcap writes for a frame from `-i any`.
fn sll2_header(a: &nix::sys::socket::LinkAddr) -> [u8; SLL2_HEADER_LEN] {
    let mut h = [0u8; SLL2_HEADER_LEN];
    // sll_protocol is in network order already; the rest is host order in sockaddr_ll.
    h[0..2].copy_from_slice(&a.protocol().to_ne_bytes());
    h[4..8].copy_from_slice(&u32::try_from(a.ifindex()).unwrap_or(0).to_be_bytes());
    h[8..10].copy_from_slice(&a.hatype().to_be_bytes());
    h[10] = a.pkttype();
    let halen = a.halen().min(8);
    h[11] = halen as u8;
    if let Some(mac) = a.addr() {
        let n = halen.min(6);
        h[12..12 + n].copy_from_slice(&mac[..n]);
    }
    h
}

/// An Ethernet + ARP request asking who has `target`, from `src_mac` / `src_ip` (42 bytes).
pub(crate) fn arp_request_frame(src_mac: MacAddr, src_ip: Ipv4Addr, target: Ipv4Addr) -> [u8; 42] {
    let eth = Ethernet2Header {
        source: src_mac.octets(),
        destination: MacAddr::BROADCAST.octets(),
        ether_type: EtherType::ARP,
    };
    let mut out = [0u8; 42];
    out[..14].copy_from_slice(&eth.to_bytes());
    // Both address pairs have matching, small lengths, so `new` cannot fail.
    if let Ok(a) = ArpPacket::new(
        ArpHardwareId::ETHERNET,
        EtherType::IPV4,
        ArpOperation::REQUEST,
        &src_mac.octets(),
        &src_ip.octets(),
        &[0; 6],
        &target.octets(),
    ) {
        out[14..].copy_from_slice(&a.to_bytes());
    }
    out
}

/// The sender MAC of `frame` if it is an Ethernet ARP reply (or request: a neighbour's own
/// announcement) whose sender is `target`.
pub(crate) fn parse_arp_answer(frame: &[u8], target: Ipv4Addr) -> Option<MacAddr> {
    let eth = etherparse::Ethernet2HeaderSlice::from_slice(frame).ok()?;
    if eth.ether_type() != EtherType::ARP {
        return None;
    }
    let a = arp::parse(&frame[14..]).ok()?;
    if a.hw_addr_type() != ArpHardwareId::ETHERNET || a.proto_addr_type() != EtherType::IPV4 {
        return None;
    }
    if a.operation().0 != arp::op::REPLY || a.sender_protocol_addr() != target.octets() {
        return None;
    }
    <[u8; 6]>::try_from(a.sender_hw_addr()).ok().map(MacAddr)
}

/// The solicited-node multicast address of `a` (RFC 4291 2.7.1).
pub(crate) fn solicited_node(a: Ipv6Addr) -> Ipv6Addr {
    let o = a.octets();
    Ipv6Addr::new(0xff02, 0, 0, 0, 0, 1, 0xff00 | u16::from(o[13]), u16::from_be_bytes([o[14], o[15]]))
}

/// The Ethernet multicast address of an IPv6 multicast group (RFC 2464 7).
pub(crate) fn ipv6_multicast_mac(group: Ipv6Addr) -> MacAddr {
    MacAddr::from_ipv6_multicast(group)
}

/// An Ethernet + IPv6 + ICMPv6 neighbour solicitation for `target` with a source link-layer
/// address option, sent to the target's solicited-node group (86 bytes).
pub(crate) fn neighbor_solicitation_frame(src_mac: MacAddr, src_ip: Ipv6Addr, target: Ipv6Addr) -> Vec<u8> {
    let group = solicited_node(target);
    let mut payload = [0u8; 24];
    payload[..16].copy_from_slice(&target.octets());
    payload[16] = 1; // option: source link-layer address
    payload[17] = 1; // length in units of 8 bytes
    payload[18..].copy_from_slice(&src_mac.octets());
    let builder = PacketBuilder::ethernet2(src_mac.octets(), ipv6_multicast_mac(group).octets())
        .ipv6(src_ip.octets(), group.octets(), 255)
        .icmpv6(Icmpv6Type::NeighborSolicitation);
    let mut out = Vec::with_capacity(builder.size(payload.len()));
    // Writing into a Vec cannot fail and the payload is far below any length limit.
    let _ = builder.write(&mut out, &payload);
    out
}

/// The MAC from a neighbour advertisement for `target` in `frame` (its target link-layer
/// address option, else the Ethernet source).
pub(crate) fn parse_neighbor_advertisement(frame: &[u8], target: Ipv6Addr) -> Option<MacAddr> {
    let p = SlicedPacket::from_ethernet(frame).ok()?;
    let Some(NetSlice::Ipv6(_)) = p.net else { return None };
    let Some(TransportSlice::Icmpv6(icmp)) = p.transport else { return None };
    if !matches!(icmp.icmp_type(), Icmpv6Type::NeighborAdvertisement(_)) {
        return None;
    }
    let body = icmp.payload();
    if body.get(..16)? != target.octets() {
        return None;
    }
    let mut opts = &body[16..];
    while opts.len() >= 8 {
        let len = usize::from(opts[1]) * 8;
        if len == 0 || len > opts.len() {
            break;
        }
        if opts[0] == 2 && len == 8 {
            return MacAddr::from_slice(&opts[2..8]);
        }
        opts = &opts[len..];
    }
    let eth = etherparse::Ethernet2HeaderSlice::from_slice(frame).ok()?;
    Some(MacAddr(eth.source()))
}

/// Finds the MAC address of the on-link neighbour `target` by ARP (IPv4) or neighbour
/// solicitation (IPv6) from `src_ip`, asking `tries` times one second apart.
///
/// # Errors
/// [`InjectError::NoAnswer`] when nobody answers; [`InjectError::NoMac`] if the interface has no
/// MAC; socket errors.
pub fn resolve_mac(
    link: &mut RawLink,
    iface: &Interface,
    src_ip: IpAddr,
    target: IpAddr,
    tries: u32,
) -> Result<MacAddr, InjectError> {
    let mac = iface.mac.ok_or_else(|| InjectError::NoMac(iface.name.clone()))?;
    let request: Vec<u8> = match (src_ip, target) {
        (IpAddr::V4(s), IpAddr::V4(t)) => arp_request_frame(mac, s, t).to_vec(),
        (IpAddr::V6(s), IpAddr::V6(t)) => neighbor_solicitation_frame(mac, s, t),
        _ => return Err(InjectError::NoAddress { iface: iface.name.clone(), ipv6: target.is_ipv6() }),
    };
    for _ in 0..tries {
        link.send(&request).map_err(|e| InjectError::Io("sending ARP request", e))?;
        let mut found = None;
        link.receive_until(Instant::now() + Duration::from_secs(1), |frame, _| {
            found = match target {
                IpAddr::V4(t) => parse_arp_answer(frame, t),
                IpAddr::V6(t) => parse_neighbor_advertisement(frame, t),
            };
            if found.is_some() {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .map_err(|e| InjectError::Io("receiving ARP reply", e))?;
        if let Some(m) = found {
            return Ok(m);
        }
    }
    Err(InjectError::NoAnswer { target, iface: iface.name.clone(), tries })
}

/// `--udp` mode: a UDP socket that sends VXLAN payloads (VXLAN header + inner frame) to the
/// VTEP, and optionally a second one listening on the VXLAN port for what the VTEP sends back.
pub struct UdpLink {
    send: UdpSocket,
    listen: Option<UdpSocket>,
    dest: SocketAddr,
    cmsg: Vec<u8>,
}

impl UdpLink {
    /// Binds a sending socket to `src` (port 0: any) and, if `listen_port` is given, a receiving
    /// socket to the same address on that port (a VTEP sends to the VXLAN port, not to our source
    /// port). When `src` already uses `listen_port`, the one socket does both. Datagrams to a
    /// multicast `dest` leave with TTL (hop limit) 1, as a Linux vxlan device in group mode
    /// sends them, from `src`'s interface (`scope`, the interface index, for IPv6).
    ///
    /// # Errors
    /// Binding failed, e.g. the address is not local or another VTEP holds the port.
    pub fn open(
        src: SocketAddr,
        dest: SocketAddr,
        listen_port: Option<u16>,
        scope: u32,
    ) -> Result<UdpLink, InjectError> {
        use nix::sys::socket::{setsockopt, sockopt::ReceiveTimestampns};
        use std::vec;
        let send = UdpSocket::bind(src).map_err(|e| InjectError::Io("binding the UDP source", e))?;
        let io = |e| InjectError::Io("multicast socket options", e);
        match (src.ip(), dest.ip()) {
            (IpAddr::V4(s), IpAddr::V4(d)) if d.is_multicast() => {
                send.set_multicast_ttl_v4(1).map_err(io)?;
                socket2::SockRef::from(&send).set_multicast_if_v4(&s).map_err(io)?;
            }
            (IpAddr::V6(_), IpAddr::V6(d)) if d.is_multicast() => {
                let s2 = socket2::SockRef::from(&send);
                s2.set_multicast_hops_v6(1).map_err(io)?;
                s2.set_multicast_if_v6(scope).map_err(io)?;
            }
            _ => {}
        }
        let listen = match listen_port {
            Some(p) if p == src.port() => None,
            Some(p) => Some(
                UdpSocket::bind(SocketAddr::new(src.ip(), p))
                    .map_err(|e| InjectError::Io("listening on the VXLAN port", e))?,
            ),
            None => None,
        };
        let rx = listen.as_ref().unwrap_or(&send);
        setsockopt(rx, ReceiveTimestampns, &true)
            .map_err(|e| InjectError::Io("SO_TIMESTAMPNS", io::Error::from(e)))?;
        let cmsg = nix::cmsg_space!(nix::sys::time::TimeSpec);
        Ok(UdpLink { send, listen, dest, cmsg })
    }

    /// The local address the datagrams leave from.
    ///
    /// # Errors
    /// The socket's error.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.send.local_addr()
    }

    /// Sends one VXLAN payload.
    ///
    /// # Errors
    /// The socket's error.
    #[inline]
    pub fn send(&self, payload: &[u8]) -> io::Result<()> {
        self.send.send_to(payload, self.dest).map(|_| ())
    }

    /// Calls `f` with each datagram, its sender and the kernel's receive time until `deadline`
    /// or until `f` breaks; returns whether `f` broke. `buf` holds the datagram.
    ///
    /// # Errors
    /// A receive error other than the periodic timeout.
    pub fn receive_until(
        &mut self,
        deadline: Instant,
        buf: &mut [u8],
        mut f: impl FnMut(&[u8], SocketAddr, Timestamp) -> ControlFlow<()>,
    ) -> io::Result<bool> {
        use nix::sys::socket::SockaddrStorage;
        let sock = self.listen.as_ref().unwrap_or(&self.send);
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Ok(false);
            }
            if !readable(sock, (deadline - now).min(POLL_SLICE))? {
                continue;
            }
            let Some((n, _, ts, from)) = recv_stamped::<SockaddrStorage>(sock, buf, &mut self.cmsg)? else {
                continue;
            };
            let from = from.and_then(|a| {
                a.as_sockaddr_in().map(|v4| SocketAddr::from(std::net::SocketAddrV4::from(*v4))).or_else(
                    || a.as_sockaddr_in6().map(|v6| SocketAddr::from(std::net::SocketAddrV6::from(*v6))),
                )
            });
            let Some(from) = from else { continue };
            if f(&buf[..n], from, ts).is_break() {
                return Ok(true);
            }
        }
    }
}

/// Send deadlines for a stream at a fixed rate: packet `i` is due at `start + i / rate`, computed
/// from the start each time, so rounding and oversleeping never accumulate. Or, for a replay, at
/// the offsets a capture's own timestamps give (as tcpreplay does), pass after pass.
#[derive(Clone, Debug)]
#[doc(hidden)] // vxinject's own; not part of the library API.
pub struct Pacer {
    start: Instant,
    /// Nanoseconds between packets; 0 = unpaced.
    interval_ns: f64,
    /// A capture's timing: each frame's nanoseconds after the first; empty = by rate.
    offsets: Vec<u64>,
}

impl Pacer {
    /// A pacer starting now for `rate` packets per second (`0` or not finite: as fast as possible).
    pub fn new(rate: f64) -> Pacer {
        let interval_ns = if rate.is_finite() && rate > 0.0 { 1e9 / rate } else { 0.0 };
        Pacer { start: Instant::now(), interval_ns, offsets: Vec::new() }
    }

    /// A pacer starting now that follows a capture's timing: frame `i` of pass `p` (of `n`
    /// frames) is due at `offsets_ns[i]` after the start of its pass, and a pass starts where the
    /// one before ended, at its last frame. `offsets_ns` holds each frame's nanoseconds after the
    /// capture's first frame (earlier timestamps count as 0: a replay never goes back in time).
    /// Empty: as fast as possible.
    pub fn timeline(offsets_ns: Vec<u64>) -> Pacer {
        let mut offsets = offsets_ns;
        let mut hi = 0;
        for o in &mut offsets {
            hi = (*o).max(hi);
            *o = hi;
        }
        Pacer { start: Instant::now(), interval_ns: 0.0, offsets }
    }

    /// When the stream started.
    pub fn start(&self) -> Instant {
        self.start
    }

    /// Whether frames go out as fast as possible (no deadlines).
    pub fn unpaced(&self) -> bool {
        self.interval_ns == 0.0 && self.offsets.is_empty()
    }

    /// The deadline of packet `i` (0-based), or `None` when unpaced.
    pub fn deadline(&self, i: u64) -> Option<Instant> {
        if let Some(&last) = self.offsets.last() {
            let n = self.offsets.len() as u64;
            let pass = (i / n).saturating_mul(last);
            let ns = pass.saturating_add(self.offsets[(i % n) as usize]);
            return Some(self.start + Duration::from_nanos(ns));
        }
        if self.interval_ns == 0.0 {
            return None;
        }
        let ns = (i as f64 * self.interval_ns).min(u64::MAX as f64) as u64;
        Some(self.start + Duration::from_nanos(ns))
    }

    /// Waits until packet `i` is due: sleeps while more than 200 µs remain, then spins, so that
    /// high rates stay exact without burning a core at low ones.
    pub fn wait(&self, i: u64) {
        let Some(due) = self.deadline(i) else { return };
        loop {
            let now = Instant::now();
            if now >= due {
                return;
            }
            let left = due - now;
            if left > Duration::from_micros(200) {
                std::thread::sleep(left - Duration::from_micros(100));
            } else {
                std::hint::spin_loop();
            }
        }
    }
}

/// One answer `vxinject --wait` waits for, as arping and ping match theirs: a frame counts only
/// when it answers this probe, not because it came from the VTEP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Expect {
    /// An ARP reply in `vni` saying where `target` is, sent to `asker` (inner Ethernet
    /// destination and ARP target hardware address), answering a who-has from `asker`.
    ArpReply {
        /// The VNI the request went out in.
        vni: u32,
        /// The requester's MAC.
        asker: MacAddr,
        /// The address asked for.
        target: Ipv4Addr,
    },
    /// An ICMP echo reply in `vni` from `from` to `to` with this identifier and sequence number.
    EchoReply {
        /// The VNI the request went out in.
        vni: u32,
        /// The pinged address (the reply's source).
        from: Ipv4Addr,
        /// The pinging address (the reply's destination).
        to: Ipv4Addr,
        /// The ICMP identifier.
        id: u16,
        /// The ICMP sequence number.
        seq: u16,
    },
    /// Any frame in `vni` whose inner Ethernet destination is `mac`, the source of what was
    /// sent (`raw`, `replay`, announcements).
    Frame {
        /// The VNI the frames went out in.
        vni: u32,
        /// The injected inner source MAC.
        mac: MacAddr,
    },
}

impl Expect {
    /// The probes the dissected frame `d` (its outer headers already found to be from the VTEP
    /// to us) answers: an ARP reply's (to its target, which is also the inner Ethernet
    /// destination), an echo reply's, and that of a frame to its inner destination MAC. A probe
    /// is answered by `d` exactly when it is among these, so a wait looks its probes up by them.
    pub fn answers(d: &crate::dissect::Dissection<'_>) -> ArrayVec<Expect, 2> {
        use crate::dissect::Header;
        let mut out = ArrayVec::new();
        let Some(vni) = d.vxlan().map(|v| v.vni().get()) else { return out };
        let mut dst = None;
        let mut ip = None;
        for l in d.layers().filter(|l| l.depth == 1) {
            match &l.header {
                Header::Ethernet(e) if dst.is_none() => dst = Some(MacAddr(e.destination())),
                Header::Ipv4(h) if ip.is_none() => ip = Some((h.source_addr(), h.destination_addr())),
                Header::Arp(a) if a.operation().0 == arp::op::REPLY => {
                    let asker = <[u8; 6]>::try_from(a.target_hw_addr()).ok().map(MacAddr);
                    let target = <[u8; 4]>::try_from(a.sender_protocol_addr()).ok().map(Ipv4Addr::from);
                    if let (Some(asker), Some(target), true) = (asker, target, dst == asker) {
                        out.push(Expect::ArpReply { vni, asker, target });
                    }
                }
                Header::Icmpv4(icmp) => {
                    if let (etherparse::Icmpv4Type::EchoReply(e), Some((from, to))) = (icmp.icmp_type(), ip) {
                        out.push(Expect::EchoReply { vni, from, to, id: e.id, seq: e.seq });
                    }
                }
                _ => {}
            }
        }
        if let (Some(mac), false) = (dst, out.is_full()) {
            out.push(Expect::Frame { vni, mac });
        }
        out
    }

    /// Whether the dissected frame `d` (its outer headers already found to be from the VTEP to
    /// us) answers this probe.
    pub fn answered_by(&self, d: &crate::dissect::Dissection<'_>) -> bool {
        Expect::answers(d).contains(self)
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Expect::ArpReply { vni, asker, target } => {
                std::format!("ARP reply for {target} to {asker} in VNI {vni}")
            }
            Expect::EchoReply { vni, from, to, id, seq } => {
                std::format!("echo reply {from} > {to} id {id} seq {seq} in VNI {vni}")
            }
            Expect::Frame { vni, mac } => std::format!("a frame to {mac} in VNI {vni}"),
        };
        f.pad(&s)
    }
}

/// The outer (depth 0) IP source and destination of a dissected frame.
#[doc(hidden)] // vxinject's own; not part of the library API.
pub fn outer_addrs(d: &crate::dissect::Dissection<'_>) -> Option<(IpAddr, IpAddr)> {
    use crate::dissect::Header;
    d.layers().find_map(|l| match &l.header {
        Header::Ipv4(h) if l.depth == 0 => Some((h.source_addr().into(), h.destination_addr().into())),
        Header::Ipv6(h) if l.depth == 0 => Some((h.source_addr().into(), h.destination_addr().into())),
        _ => None,
    })
}

/// The Ethernet destination of an IPv4 or IPv6 multicast group (RFC 1112 6.4: `01:00:5e` and the
/// group's low 23 bits; RFC 2464 7: `33:33` and its low 32 bits), `None` for a unicast address.
pub fn multicast_mac(group: IpAddr) -> Option<MacAddr> {
    match group {
        IpAddr::V4(g) if g.is_multicast() => Some(MacAddr::from_ipv4_multicast(g)),
        IpAddr::V6(g) if g.is_multicast() => Some(ipv6_multicast_mac(g)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arp_request_bytes() {
        let f = arp_request_frame(
            MacAddr([2, 0, 0, 0, 0, 1]),
            Ipv4Addr::new(198, 18, 0, 1),
            Ipv4Addr::new(198, 18, 0, 2),
        );
        // Ethernet: broadcast destination, our source, type ARP.
        assert_eq!(&f[..14], &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06]);
        // ARP: hw 1 (Ethernet), proto 0x0800, hlen 6, plen 4, op 1 (request).
        assert_eq!(&f[14..22], &[0, 1, 0x08, 0, 6, 4, 0, 1]);
        assert_eq!(&f[22..28], &[2, 0, 0, 0, 0, 1]); // sender MAC
        assert_eq!(&f[28..32], &[198, 18, 0, 1]); // sender IP
        assert_eq!(&f[32..38], &[0; 6]); // target MAC unknown
        assert_eq!(&f[38..42], &[198, 18, 0, 2]); // target IP
    }

    #[test]
    fn arp_reply_parsed() {
        // Frame 2 of Zeek's testing/btest/Traces/arp-who-has.pcap (testdata/third-party/zeek), which
        // tcpdump prints as "Reply 10.0.0.1 is-at f8:ed:a5:c0:a4:f1", with its Ethernet padding.
        let mut f = [
            0x78, 0x31, 0xc1, 0xc6, 0x3f, 0xc2, // Ethernet destination: the requester
            0xf8, 0xed, 0xa5, 0xc0, 0xa4, 0xf1, // Ethernet source
            0x08, 0x06, // type ARP
            0x00, 0x01, 0x08, 0x00, 0x06, 0x04, // hardware Ethernet, protocol IPv4, lengths 6 and 4
            0x00, 0x02, // opcode 2: reply
            0xf8, 0xed, 0xa5, 0xc0, 0xa4, 0xf1, 0x0a, 0x00, 0x00,
            0x01, // sender f8:ed:a5:c0:a4:f1 10.0.0.1
            0x78, 0x31, 0xc1, 0xc6, 0x3f, 0xc2, 0x0a, 0x00, 0x00,
            0x02, // target 78:31:c1:c6:3f:c2 10.0.0.2
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // padding to 60 bytes
        ];
        let asked = Ipv4Addr::new(10, 0, 0, 1);
        assert_eq!(parse_arp_answer(&f, asked), Some(MacAddr::new(0xf8, 0xed, 0xa5, 0xc0, 0xa4, 0xf1)));
        assert_eq!(parse_arp_answer(&f, Ipv4Addr::new(10, 0, 0, 2)), None); // not who we asked for
        assert_eq!(parse_arp_answer(&f[..30], asked), None); // cut inside the ARP packet
        f[21] = 1; // the same bytes as a request are no answer
        assert_eq!(parse_arp_answer(&f, asked), None);
    }

    #[test]
    fn neighbor_solicitation_layout() {
        let t: Ipv6Addr = "fd00:18::2".parse().unwrap();
        let f = neighbor_solicitation_frame(MacAddr([2, 0, 0, 0, 0, 1]), "fd00:18::1".parse().unwrap(), t);
        assert_eq!(f.len(), 14 + 40 + 8 + 24);
        assert_eq!(&f[..6], &[0x33, 0x33, 0xff, 0, 0, 2]); // solicited-node MAC
        assert_eq!(f[14 + 7], 255); // hop limit 255, or receivers ignore it
        assert_eq!(f[54], 135); // ICMPv6 type: neighbour solicitation
        let p = SlicedPacket::from_ethernet(&f).unwrap();
        let Some(TransportSlice::Icmpv6(icmp)) = p.transport else { panic!("no ICMPv6") };
        assert!(icmp.is_checksum_valid(f[22..38].try_into().unwrap(), f[38..54].try_into().unwrap()));
        assert_eq!(solicited_node(t), "ff02::1:ff00:2".parse::<Ipv6Addr>().unwrap());
    }

    #[test]
    fn subnets_and_sources() {
        assert!(same_subnet_v4(Ipv4Addr::new(198, 18, 0, 1), Ipv4Addr::new(198, 18, 0, 200), 24));
        assert!(!same_subnet_v4(Ipv4Addr::new(198, 18, 0, 1), Ipv4Addr::new(198, 18, 1, 1), 24));
        assert!(same_subnet_v4(Ipv4Addr::new(1, 2, 3, 4), Ipv4Addr::new(5, 6, 7, 8), 0));
        assert!(same_subnet_v6("fd00:18::1".parse().unwrap(), "fd00:18::9".parse().unwrap(), 64));
        assert!(is_link_local("fe80::1".parse().unwrap()));
    }

    #[test]
    fn pacer_deadlines_are_absolute() {
        let p = Pacer::new(1000.0);
        assert_eq!(p.deadline(0), Some(p.start()));
        assert_eq!(p.deadline(1000), Some(p.start() + Duration::from_secs(1)));
        assert_eq!(p.deadline(1_000_000), Some(p.start() + Duration::from_secs(1000)));
        assert_eq!(Pacer::new(0.0).deadline(5), None);
        let t = Instant::now();
        for i in 0..20 {
            p.wait(i);
        }
        assert!(t.elapsed() < Duration::from_millis(200));
    }

    #[test]
    fn replay_timeline_follows_the_capture() {
        // Frames at 0, 0.4 and 0.8 s; a second pass starts where the first ended.
        let p = Pacer::timeline(std::vec![0, 400_000_000, 800_000_000]);
        let at = |i| p.deadline(i).map(|d| d - p.start());
        assert_eq!(at(0), Some(Duration::ZERO));
        assert_eq!(at(2), Some(Duration::from_millis(800)));
        assert_eq!(at(3), Some(Duration::from_millis(800)));
        assert_eq!(at(4), Some(Duration::from_millis(1200)));
        assert!(!p.unpaced());
        // A timestamp going back is sent at once, not before the frame before it.
        let back = Pacer::timeline(std::vec![0, 500, 100]);
        assert_eq!(back.deadline(2).map(|d| d - back.start()), Some(Duration::from_nanos(500)));
        assert!(Pacer::timeline(Vec::new()).unpaced() && Pacer::new(0.0).unpaced());
    }

    #[test]
    fn group_macs() {
        // RFC 1112 6.4: the low 23 bits, so 239.129.1.1 and 239.1.1.1 share 01:00:5e:01:01:01.
        let m = |s: &str| multicast_mac(s.parse().unwrap()).map(MacAddr::octets);
        assert_eq!(m("239.1.1.1"), Some([0x01, 0x00, 0x5e, 0x01, 0x01, 0x01]));
        assert_eq!(m("239.129.1.1"), Some([0x01, 0x00, 0x5e, 0x01, 0x01, 0x01]));
        // RFC 2464 7: 33:33 and the low 32 bits.
        assert_eq!(m("ff05::100"), Some([0x33, 0x33, 0, 0, 0x01, 0x00]));
        assert_eq!(m("198.18.0.2"), None);
        assert_eq!(m("fd00:18::2"), None);
    }
}
