//! IPv6: parse arbitrary bytes and walk the extension headers; re-emit and re-parse.
#![no_main]

use handshake_ip::{ChecksumMode, Ipv6Packet, Ipv6Repr};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(pkt) = Ipv6Packet::new_checked(data) else {
        return;
    };
    if let Ok(up) = pkt.upper_layer() {
        assert_eq!(up.offset + up.payload.len(), pkt.payload_len());
    }
    let Ok(repr) = Ipv6Repr::parse(&pkt, ChecksumMode::Verify) else {
        return;
    };
    let mut out = vec![0u8; repr.buffer_len()];
    repr.emit(&mut out).expect("a parsed header re-emits");
    out[40..].copy_from_slice(pkt.payload());
    let again = Ipv6Packet::new_checked(&out[..]).expect("emitted packet is valid");
    assert_eq!(Ipv6Repr::parse(&again, ChecksumMode::Verify), Ok(repr));
    assert_eq!(again.upper_layer(), pkt.upper_layer());
});
