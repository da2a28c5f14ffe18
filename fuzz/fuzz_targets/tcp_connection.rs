//! The connection state machine under arbitrary segments: whatever a peer
//! sends, in any state, nothing panics, output stops, and the buffers stay
//! within their configured bounds. With stage bit 1 both ends ask for ECN
//! (RFC 3168), and each segment's ECN codepoint is the top two bits of its
//! length byte.
#![no_main]

use handshake_ip::checksum::PseudoHeader;
use handshake_ip::ChecksumMode;
use handshake_tcp::conn::pair::Pair;
use handshake_tcp::conn::{Config, EcnMode};
use handshake_tcp::wire::{Ecn, Segment, SegmentRepr, SeqNumber};
use handshake_time::Duration;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&stage, rest)) = data.split_first() else {
        return;
    };
    let mode = if stage & 2 == 2 {
        EcnMode::Request
    } else {
        EcnMode::Accept
    };
    let cfg = Config::default().recv_buffer(8192).ecn(mode);
    let mut p = Pair::new(cfg.clone(), cfg, SeqNumber(u32::MAX - 100));
    if stage & 1 == 1 {
        p.run_until_idle();
        p.client.send(&[7u8; 3000]);
        p.advance(Duration::from_millis(5));
    }
    let ph = PseudoHeader::V4 {
        src: [192, 0, 2, 2].into(),
        dst: [192, 0, 2, 1].into(),
    };
    // The input is a sequence of length-prefixed raw segments from the peer.
    let mut rest = rest;
    while let [len, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len());
        let (seg, next) = tail.split_at(n);
        rest = next;
        let Ok(s) = Segment::new_checked(seg) else {
            continue;
        };
        let Ok(repr) = SegmentRepr::parse(&s, &ph, ChecksumMode::Ignore) else {
            continue;
        };
        let now = p.now;
        let ecn = Ecn::from_bits(len >> 6);
        p.client.handle_segment_ecn(now, &repr, ecn);
        let mut k = 0;
        while p.client.poll_transmit(now).is_some() {
            k += 1;
            assert!(k < 1000, "poll_transmit does not stop");
        }
        assert!(p.client.stats().reassembly_bytes + p.client.recv_queue() <= 8192);
        p.advance(Duration::from_millis(u64::from(n as u8) * 7));
    }
});
