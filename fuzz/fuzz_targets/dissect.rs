//! Arbitrary bytes through the full dissection, for every link type and VXLAN port set:
//! no panic, and every layer lies inside the input.
#![no_main]
use libfuzzer_sys::fuzz_target;
#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let (link, config, frame) = common::split(data);
    let d = vxwire::dissect(frame, link, &config);
    let mut last = 0;
    for l in d.layers() {
        assert!(l.offset <= frame.len());
        assert!(l.offset >= last);
        last = l.offset;
        assert!(l.payload.len() <= frame.len());
    }
    if let Some(e) = d.error() {
        assert!(e.offset <= frame.len());
    }
});
