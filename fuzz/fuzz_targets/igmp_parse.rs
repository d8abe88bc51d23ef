//! IGMP through the public API: every iterator ends, every source/record lies inside the message.
#![no_main]
use libfuzzer_sys::fuzz_target;
use vxwire::wire::igmp::IgmpSlice;

fuzz_target!(|data: &[u8]| {
    let Ok(m) = IgmpSlice::from_slice(data) else { return };
    let _ = (m.version(), m.checksum_valid(), m.group(), m.max_resp_code());
    if let Some(q) = m.v3_query() {
        let n = q.sources().count();
        assert!(n <= usize::from(q.num_sources()));
    }
    if let Some(r) = m.v3_report() {
        let mut bytes = 8usize;
        for rec in r.records() {
            bytes += 8 + usize::from(rec.num_sources) * 4 + rec.aux_data.len();
            assert!(bytes <= data.len());
            // A whole record holds every source it counts.
            let mut s = rec.sources();
            assert_eq!(s.by_ref().count(), usize::from(rec.num_sources));
            assert!(s.truncation().is_none());
        }
    }
});
