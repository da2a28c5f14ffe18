//! UDP: parse arbitrary bytes over an IPv4 or IPv6 pseudo-header; re-emit and re-parse.
#![no_main]

use handshake_ip::checksum::PseudoHeader;
use handshake_ip::{ChecksumMode, Ipv4Addr, Ipv6Addr, UdpPacket, UdpRepr};
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
    let Ok(pkt) = UdpPacket::new_checked(data) else {
        return;
    };
    let _ = UdpRepr::parse(&pkt, &ph, ChecksumMode::Verify);
    let Ok(repr) = UdpRepr::parse(&pkt, &ph, ChecksumMode::Ignore) else {
        return;
    };
    let mut out = vec![0u8; repr.buffer_len()];
    repr.emit(&mut out, &ph)
        .expect("a parsed datagram re-emits");
    let again = UdpPacket::new_checked(&out[..]).expect("emitted datagram is valid");
    assert_eq!(UdpRepr::parse(&again, &ph, ChecksumMode::Verify), Ok(repr));
});
