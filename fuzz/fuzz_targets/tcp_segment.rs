//! TCP segment: parse arbitrary bytes (header, options, checksum); re-emit and re-parse.
#![no_main]

use handshake_ip::checksum::PseudoHeader;
use handshake_ip::{ChecksumMode, Ipv4Addr, Ipv6Addr};
use handshake_tcp::wire::{Segment, SegmentRepr};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, data)) = data.split_first() else {
        return;
    };
    let ph = if sel & 1 == 0 {
        PseudoHeader::V4 {
            src: Ipv4Addr::new(192, 0, 2, 1),
            dst: Ipv4Addr::new(192, 0, 2, 2),
        }
    } else {
        PseudoHeader::V6 {
            src: Ipv6Addr::LOCALHOST,
            dst: Ipv6Addr::UNSPECIFIED,
        }
    };
    let Ok(seg) = Segment::new_checked(data) else {
        return;
    };
    let _ = seg.options().count();
    let _ = SegmentRepr::parse(&seg, &ph, ChecksumMode::Verify);
    let Ok(repr) = SegmentRepr::parse(&seg, &ph, ChecksumMode::Ignore) else {
        return;
    };
    let mut out = vec![0u8; repr.buffer_len()];
    // Every option set that fitted in the received header fits when re-sent
    // (TcpOptions falls back to a packed layout).
    let n = repr.emit(&mut out, &ph).expect("a parsed segment re-emits");
    let again = Segment::new_checked(&out[..n]).expect("emitted segment is valid");
    assert_eq!(
        SegmentRepr::parse(&again, &ph, ChecksumMode::Verify),
        Ok(repr)
    );
});
