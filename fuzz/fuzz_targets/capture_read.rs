//! Arbitrary bytes as a whole pcap/pcapng file through the reader and the text printer.
#![no_main]
use libfuzzer_sys::fuzz_target;
use vxwire::capture::CaptureReader;
use vxwire::print::PacketInfo;

fuzz_target!(|data: &[u8]| {
    let Ok(mut r) = CaptureReader::new(data) else { return };
    let config = vxwire::Config::default();
    let mut out = Vec::new();
    let mut n = 0;
    let mut printer = vxwire::print::text::TextPrinter::new(Default::default());
    while let Some(p) = r.next_packet() {
        let Ok(p) = p else { break };
        n += 1;
        assert!(p.data.len() <= data.len());
        if let Some(link) = p.link_type() {
            let d = vxwire::dissect(p.data, link, &config);
            let info =
                PacketInfo::from_packet(n, &p);
            out.clear();
            printer.write_packet(&mut out, &info, &d).unwrap();
        }
    }
});
