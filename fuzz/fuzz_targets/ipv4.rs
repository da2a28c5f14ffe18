//! IPv4: parse arbitrary bytes; what parses must re-emit and re-parse to the same header.
#![no_main]

use handshake_ip::{ChecksumMode, Ipv4Packet, Ipv4Repr};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(pkt) = Ipv4Packet::new_checked(data) else {
        return;
    };
    let _ = (pkt.payload(), pkt.options(), pkt.verify_checksum());
    // Ignore the checksum so the fuzzer reaches the rest without solving it.
    let Ok(repr) = Ipv4Repr::parse(&pkt, ChecksumMode::Ignore) else {
        return;
    };
    let mut out = vec![0u8; repr.buffer_len()];
    let hl = repr.emit(&mut out).expect("a parsed header re-emits");
    assert_eq!(hl, pkt.header_len());
    out[hl..].copy_from_slice(pkt.payload());
    let again = Ipv4Packet::new_checked(&out[..]).expect("emitted packet is valid");
    assert_eq!(Ipv4Repr::parse(&again, ChecksumMode::Verify), Ok(repr));
});
