//! VXLAN and VXLAN-GPE views: parse then write gives back the same 8 bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use vxwire::wire::vxlan::{VxlanHeader, VxlanSlice};
use vxwire::wire::vxlan_gpe::VxlanGpeSlice;

fuzz_target!(|data: &[u8]| {
    match (VxlanSlice::from_slice(data), VxlanHeader::parse(data)) {
        (Ok(s), Ok((h, rest))) => {
            assert_eq!(s.header(), h);
            assert_eq!(&h.to_bytes()[..], &data[..8]);
            assert_eq!(rest, s.payload());
            let _ = h.gbp();
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("view and owned parser disagree"),
    }
    if let Ok(g) = VxlanGpeSlice::from_slice(data) {
        assert_eq!(&g.header().to_bytes()[..], &data[..8]);
    }
});
