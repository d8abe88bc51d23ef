//! Dissect then print as text: the printer must not panic on any partial dissection.
#![no_main]
use libfuzzer_sys::fuzz_target;
use vxwire::print::PacketInfo;
#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let (link, config, frame) = common::split(data);
    let d = vxwire::dissect(frame, link, &config);
    let info = PacketInfo { n: 1, ts_sec: 0, ts_nsec: 0, caplen: frame.len(), len: frame.len() as u32 };
    let mut out = Vec::new();
    vxwire::print::text::write_packet(&mut out, &info, &d).unwrap();
    assert!(std::str::from_utf8(&out).is_ok());
});
