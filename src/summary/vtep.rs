//! The VTEP whose table the summary learns, and its device settings (`--vtep ADDR,SETTING...`).

use crate::check::Mode;
use crate::wire::mac::MacAddr;
use core::fmt;
use std::format;
use std::net::IpAddr;
use std::string::{String, ToString};
use std::vec::Vec;

/// The vxlan device settings a capture cannot show, with the defaults `ip link add ... type
/// vxlan` gives (learning on, plain VXLAN, no `udp6zerocsumrx`, no `remcsumrx`, not
/// `external`). VNIs and the port are "any seen" unless given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VtepSettings {
    /// `learning` (default) or `nolearning`.
    pub learning: bool,
    /// `gbp` (or `gpe`): which header bits the device accepts. Default plain.
    pub mode: Mode,
    /// The VNIs it serves (`vni=N`, repeatable); empty: every VNI in the capture.
    pub vnis: Vec<u32>,
    /// Its UDP port (`port=P`, `dstport` of `ip link`); `None`: every VXLAN port in the capture.
    pub port: Option<u16>,
    /// `udp6zerocsumrx`: accept IPv6 UDP checksum 0.
    pub udp6_zero_csum_rx: bool,
    /// `remcsumrx`: remote checksum offload.
    pub remcsum_rx: bool,
    /// `external` (collect metadata): every VNI.
    pub external: bool,
    /// `dont-learn`: honour the GBP D bit as the draft asks. Linux (6.x, checked on 6.18 by
    /// testdata/offload/gbp) learns from D-bit frames anyway, so the default does too.
    pub honour_dont_learn: bool,
    /// Settings of `ip link` accepted because they change nothing on receive and learning
    /// (`proxy`, `l2miss`, `l3miss`, `rsc`, `udpcsum`, `noudpcsum`, `udp6zerocsumtx`,
    /// `noudp6zerocsumtx`): kept to be shown, never ignored silently.
    pub other: Vec<&'static str>,
}

impl Default for VtepSettings {
    fn default() -> Self {
        VtepSettings {
            learning: true,
            mode: Mode::Plain,
            vnis: Vec::new(),
            port: None,
            udp6_zero_csum_rx: false,
            remcsum_rx: false,
            external: false,
            honour_dont_learn: false,
            other: Vec::new(),
        }
    }
}

/// The VTEP whose point of view the learned forwarding table takes.
///
/// A capture taken on one VTEP's underlay holds the frames it sent as well as those it received;
/// the kernel learns only from the latter. With a `VtepView`, a frame is learned only if its
/// outer destination is one of [`VtepView::addrs`] or a group the VTEP joined (its IGMP reports
/// in the capture, or a `group=` setting) and its outer source is not one of its addresses; the
/// receiving device is judged with [`VtepView::settings`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VtepView {
    /// The VTEP's underlay addresses and the multicast groups its vxlan devices joined.
    pub addrs: Vec<IpAddr>,
    /// The MAC addresses of its vxlan devices (an inner source equal to one is a loop, not learned).
    pub macs: Vec<MacAddr>,
    /// Its device settings.
    pub settings: VtepSettings,
}

/// Why a `--vtep` specification was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError(pub String);

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl std::error::Error for SpecError {}

/// `ip link ... type vxlan` settings that change nothing about receiving and learning.
const NO_EFFECT: [&str; 8] =
    ["proxy", "l2miss", "l3miss", "rsc", "udpcsum", "noudpcsum", "udp6zerocsumtx", "noudp6zerocsumtx"];

fn parse_mac(s: &str) -> Option<MacAddr> {
    let mut m = [0u8; 6];
    let mut parts = s.split(':');
    for b in &mut m {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 2 {
            return None;
        }
        *b = u8::from_str_radix(p, 16).ok()?;
    }
    parts.next().is_none().then_some(MacAddr(m))
}

impl VtepView {
    /// Adds one `--vtep` specification: `ADDR[,SETTING]...`, where ADDR is an underlay address
    /// or a group and each SETTING is one of `nolearning`, `learning`, `gbp`, `gpe`, `vni=N`,
    /// `port=P`, `group=G`, `mac=MAC`, `udp6zerocsumrx`, `remcsumrx`, `external`, `dont-learn`,
    /// and the transmit-side or notification settings `proxy`, `l2miss`, `l3miss`, `rsc`,
    /// `udpcsum`, `noudpcsum`, `udp6zerocsumtx`, `noudp6zerocsumtx` (no effect on learning).
    /// Several specifications describe the same VTEP (its addresses and settings add up).
    ///
    /// # Errors
    /// An address, value or setting that cannot be read, named in the message.
    pub fn add_spec(&mut self, spec: &str) -> Result<(), SpecError> {
        let mut parts = spec.split(',');
        let addr = parts.next().unwrap_or("");
        let ip: IpAddr = addr.parse().map_err(|_| SpecError(format!("{addr:?} is not an IP address")))?;
        self.addrs.push(ip);
        for p in parts {
            self.setting(p.trim())?;
        }
        Ok(())
    }

    fn setting(&mut self, p: &str) -> Result<(), SpecError> {
        let bad = |what: &str| SpecError(format!("{p:?}: {what}"));
        let s = &mut self.settings;
        match p.split_once('=') {
            None => match p {
                "nolearning" => s.learning = false,
                "learning" => s.learning = true,
                "gbp" => s.mode = Mode::Gbp,
                "gpe" => s.mode = Mode::Gpe,
                "udp6zerocsumrx" => s.udp6_zero_csum_rx = true,
                "remcsumrx" => s.remcsum_rx = true,
                "external" => s.external = true,
                "dont-learn" => s.honour_dont_learn = true,
                _ => match NO_EFFECT.iter().find(|n| **n == p) {
                    Some(n) => s.other.push(n),
                    None => return Err(bad("unknown setting (see vxdump --help)")),
                },
            },
            Some(("vni", v)) => {
                let n: u32 = v.parse().map_err(|_| bad("not a number"))?;
                if n > 0xff_ffff {
                    return Err(bad("a VNI has 24 bits"));
                }
                s.vnis.push(n);
            }
            Some(("port", v)) => match v.parse::<u16>() {
                Ok(0) | Err(_) => return Err(bad("not a UDP port (1-65535)")),
                Ok(port) => s.port = Some(port),
            },
            Some(("group", v)) => match v.parse::<IpAddr>() {
                Ok(g) if g.is_multicast() => self.addrs.push(g),
                _ => return Err(bad("not a multicast address")),
            },
            Some(("mac", v)) => self.macs.push(parse_mac(v).ok_or_else(|| bad("not a MAC address"))?),
            Some(_) => return Err(bad("unknown setting (see vxdump --help)")),
        }
        Ok(())
    }

    /// The settings that differ from `ip link add ... type vxlan`'s, as `--vtep` takes them
    /// (`nolearning,vni=1,port=8472`); empty for none.
    pub fn settings_string(&self) -> String {
        let s = &self.settings;
        let mut v: Vec<String> = Vec::new();
        if !s.learning {
            v.push("nolearning".into());
        }
        match s.mode {
            Mode::Plain => {}
            Mode::Gbp => v.push("gbp".into()),
            Mode::Gpe => v.push("gpe".into()),
        }
        v.extend(s.vnis.iter().map(|n| format!("vni={n}")));
        if let Some(p) = s.port {
            v.push(format!("port={p}"));
        }
        for (on, name) in [
            (s.udp6_zero_csum_rx, "udp6zerocsumrx"),
            (s.remcsum_rx, "remcsumrx"),
            (s.external, "external"),
            (s.honour_dont_learn, "dont-learn"),
        ] {
            if on {
                v.push(name.to_string());
            }
        }
        v.extend(s.other.iter().map(|o| o.to_string()));
        v.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_print_back() {
        let mut v = VtepView::default();
        v.add_spec("198.18.12.1,nolearning,vni=1,port=8472").unwrap();
        v.add_spec("239.1.1.1").unwrap();
        assert_eq!(v.addrs.len(), 2);
        assert!(!v.settings.learning);
        assert_eq!(v.settings.vnis, [1]);
        assert_eq!(v.settings.port, Some(8472));
        assert_eq!(v.settings_string(), "nolearning,vni=1,port=8472");
        let mut g = VtepView::default();
        g.add_spec("fd00::1,gbp,group=ff05::100,mac=02:00:00:00:16:01").unwrap();
        assert_eq!(g.addrs[1], "ff05::100".parse::<IpAddr>().unwrap());
        assert_eq!(g.macs, [[2, 0, 0, 0, 0x16, 1]]);
        assert_eq!(g.settings.mode, Mode::Gbp);
        for bad in ["x", "1.2.3.4,vni=16777216", "1.2.3.4,port=0", "1.2.3.4,group=10.0.0.1", "1.2.3.4,bogus"]
        {
            assert!(VtepView::default().add_spec(bad).is_err(), "{bad}");
        }
        assert_eq!(VtepView::default().settings_string(), "");
        let mut p = VtepView::default();
        p.add_spec("198.18.19.2,vni=900,proxy,l2miss").unwrap();
        assert_eq!(p.settings_string(), "vni=900,proxy,l2miss");
    }
}
