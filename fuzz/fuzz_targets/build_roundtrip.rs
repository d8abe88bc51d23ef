//! A frame description from `arbitrary` -> src/build.rs -> dissect: the same fields come back,
//! and a description the builders refuse gets a typed error (see roundtrip.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;
#[path = "roundtrip.rs"]
mod roundtrip;

fuzz_target!(|data: &[u8]| roundtrip::run(data));
