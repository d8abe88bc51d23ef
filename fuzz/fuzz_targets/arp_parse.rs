//! ARP through the public API: the view never reaches past the input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(arp) = vxwire::wire::arp::ArpSlice::from_slice(data) {
        let _ = (arp.sender_mac(), arp.target_ip(), arp.is_gratuitous());
        let a = arp.packet();
        let n = 8 + 2 * usize::from(a.hw_addr_size()) + 2 * usize::from(a.proto_addr_size());
        assert_eq!(a.slice().len(), n);
        assert!(n <= data.len());
        let _ = (a.sender_hw_addr(), a.target_protocol_addr(), a.operation());
    } else {
        // Anything of 8 bytes or more with consistent sizes must parse.
        if data.len() >= 8 {
            let n = 8 + 2 * usize::from(data[4]) + 2 * usize::from(data[5]);
            assert!(data.len() < n);
        }
    }
});
