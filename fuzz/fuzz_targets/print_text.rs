//! Dissect then print as text, with printer options chosen by the first input byte: the printer
//! must not panic on any partial dissection and must write UTF-8.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;
use vxwire::print::text::TextPrinter;
use vxwire::print::PacketInfo;
#[path = "common.rs"]
mod common;

thread_local! {
    // One printer per option set, made once: a printer owns a TCP conversation table.
    static PRINTERS: RefCell<Vec<TextPrinter>> = RefCell::new(
        (0..=255u8).map(|b| TextPrinter::new(common::text_options(b))).collect()
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&opt, data)) = data.split_first() else { return };
    let (link, config, frame) = common::split(data);
    let d = vxwire::dissect(frame, link, &config);
    let info = PacketInfo { n: 1, ts_sec: 0, ts_nsec: 0, caplen: frame.len(), len: frame.len() as u32 };
    let mut out = Vec::new();
    PRINTERS.with(|p| p.borrow_mut()[usize::from(opt)].write_packet(&mut out, &info, &d).unwrap());
    assert!(std::str::from_utf8(&out).is_ok());
});
