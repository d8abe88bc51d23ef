//! Every public `Display` type honours width and alignment (`{v:<40}`, `{v:>40}`), as `str` does,
//! so values line up in tables without a `to_string()` first.

use std::fmt::Display;
use vxwire::capture::{CaptureError, CaptureErrorKind, Direction};
use vxwire::check::{DropReason, Miss, Verdict};
use vxwire::filter::Filter;
use vxwire::inject::InjectError;
use vxwire::summary::{Iface, VtepView};
use vxwire::wire::arp::ArpOp;
use vxwire::wire::igmp::{IgmpType, IgmpVersion, RecordType};
use vxwire::wire::vxlan::{Gbp, GbpFlags, Vni, VxlanFlags, VxlanHeader};
use vxwire::{Error, ErrorKind, MacAddr, Proto, Timestamp};

/// `v` padded left, right and centred to three more than its own width, as its text would be.
fn pads<T: Display>(v: T) {
    let s = v.to_string();
    assert!(!s.is_empty());
    let w = s.chars().count() + 3;
    assert_eq!(format!("{v:<w$}|"), format!("{s}   |"), "{s}");
    assert_eq!(format!("{v:>w$}|"), format!("   {s}|"), "{s}");
    assert_eq!(format!("{v:^w$}|"), format!(" {s}  |"), "{s}");
    // No width: exactly the text.
    assert_eq!(format!("{v}"), s);
}

#[test]
fn core_values_pad() {
    pads(Error::truncated(Proto::Vxlan, 8, 6));
    pads(Error::new(Proto::Ip, ErrorKind::BadVersion, 4, 13));
    pads(Verdict::Accept);
    pads(Verdict::Drop(DropReason::VxlanInvalidHdr));
    pads(Verdict::NotForDevice(Miss::Port));
    pads(DropReason::OtherHost);
    pads(Miss::NotIp);
    pads(MacAddr::BROADCAST);
    pads("02:00".parse::<MacAddr>().unwrap_err());
    pads(Vni::new(300).unwrap());
    pads(VxlanFlags::I | VxlanFlags::G);
    pads(GbpFlags::D | GbpFlags::A);
    pads(VxlanHeader::with_gbp(
        Vni::new(300).unwrap(),
        Gbp { group_policy_id: 4660, dont_learn: true, policy_applied: false },
    ));
    pads(IgmpType::V3_REPORT);
    pads(IgmpType(0x99));
    pads(IgmpVersion::V3);
    pads(RecordType::CHANGE_TO_EXCLUDE);
    pads(RecordType(9));
    pads(ArpOp::REQUEST);
    pads(ArpOp(99));
    pads(Timestamp::from_micros(1_700_000_000, 5));
    pads(Filter::compile("vxlan and and").unwrap_err());
}

#[test]
fn feature_values_pad() {
    pads(CaptureError { kind: CaptureErrorKind::Empty, packet: 0 });
    pads(CaptureError { kind: CaptureErrorKind::NotACapture(*b"abcd"), packet: 3 });
    pads(Direction::Inbound);
    pads(InjectError::NoSuchInterface("eth9".into()));
    pads(Iface::IfIndex(3));
    pads(VtepView::default().add_spec("nonsense=1").unwrap_err());
}
