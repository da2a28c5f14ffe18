//! ICMPv4 and ICMPv6 echo, and ICMPv4 errors with their quote: parse
//! arbitrary bytes; re-emit and re-parse.
#![no_main]

use handshake_ip::checksum::PseudoHeader;
use handshake_ip::{ChecksumMode, IcmpPacket, Icmpv4Error, Icmpv4Repr, Icmpv6Repr, Ipv6Addr};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(pkt) = IcmpPacket::new_checked(data) else {
        return;
    };
    let ph = PseudoHeader::V6 {
        src: Ipv6Addr::LOCALHOST,
        dst: Ipv6Addr::LOCALHOST,
    };
    let _ = Icmpv4Repr::parse(&pkt, ChecksumMode::Verify);
    let _ = Icmpv6Repr::parse(&pkt, &ph, ChecksumMode::Verify);
    let _ = Icmpv4Error::parse(&pkt, ChecksumMode::Verify).map(|e| e.quoted());
    if let Ok(e) = Icmpv4Error::parse(&pkt, ChecksumMode::Ignore) {
        let _ = e.quoted();
        let mut b = vec![0u8; e.buffer_len()];
        assert_eq!(e.emit(&mut b), Ok(data.len()));
        let again = IcmpPacket::new_checked(&b[..]).expect("emitted message is valid");
        assert_eq!(Icmpv4Error::parse(&again, ChecksumMode::Verify), Ok(e));
    }
    let mut out = vec![0u8; data.len()];
    if let Ok(r) = Icmpv4Repr::parse(&pkt, ChecksumMode::Ignore) {
        assert_eq!(r.emit(&mut out), Ok(data.len()));
        let again = IcmpPacket::new_checked(&out[..]).expect("emitted message is valid");
        assert_eq!(Icmpv4Repr::parse(&again, ChecksumMode::Verify), Ok(r));
    }
    if let Ok(r) = Icmpv6Repr::parse(&pkt, &ph, ChecksumMode::Ignore) {
        assert_eq!(r.emit(&mut out, &ph), Ok(data.len()));
        let again = IcmpPacket::new_checked(&out[..]).expect("emitted message is valid");
        assert_eq!(Icmpv6Repr::parse(&again, &ph, ChecksumMode::Verify), Ok(r));
    }
});
