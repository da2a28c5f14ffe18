//! The TCP endpoint under arbitrary segment sequences from three peers: one
//! endpoint owns a listener (with SYN cookies) and an active connection, and
//! routes every segment. Nothing panics, output after each segment stops, the
//! listener's queues stay within their backlog, and the connections' buffers
//! within their configured bounds. Every segment arrives with an arbitrary
//! ECN codepoint (RFC 3168), and both ends ask for ECN.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use handshake_ip::checksum::PseudoHeader;
use handshake_ip::ChecksumMode;
use handshake_tcp::conn::{Config, EcnMode};
use handshake_tcp::endpoint::Endpoint;
use handshake_tcp::wire::{Ecn, Segment, SegmentRepr};
use handshake_tcp::conn::IsnGenerator;
use handshake_time::{Duration, Instant};
use libfuzzer_sys::fuzz_target;

const BACKLOG: usize = 4;
const RECV_BUFFER: usize = 8192;

fuzz_target!(|data: &[u8]| {
    let ours = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    let peers = [
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2)),
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, 3)),
        IpAddr::V4(Ipv4Addr::new(198, 51, 100, 9)),
    ];
    let cfg = Config::default()
        .recv_buffer(RECV_BUFFER)
        .ecn(EcnMode::Request);
    let mut ep = Endpoint::new(IsnGenerator::new([9; 32]));
    let listen = SocketAddr::new(ours, 80);
    ep.listen(cfg.clone(), listen, BACKLOG).expect("listen");
    let mut now = Instant::ZERO;
    let _ = ep.connect(cfg, SocketAddr::new(ours, 40000), SocketAddr::new(peers[0], 443), now);
    let ph = PseudoHeader::V4 {
        src: Ipv4Addr::new(192, 0, 2, 2),
        dst: Ipv4Addr::new(192, 0, 2, 1),
    };
    let mut buf = [0u8; 4096];
    // The input: records of [step ms, source peer, length, segment bytes...].
    let mut rest = data;
    while let [step, peer, len, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len());
        let (seg, next) = tail.split_at(n);
        rest = next;
        now = now + Duration::from_millis(u64::from(*step) * 13);
        ep.handle_timeout(now);
        if let Ok(s) = Segment::new_checked(seg) {
            if let Ok(repr) = SegmentRepr::parse(&s, &ph, ChecksumMode::Ignore) {
                let src = peers[usize::from(*peer) % peers.len()];
                // Bits 4-5 of the peer byte: the IP header's ECN field.
                let ecn = Ecn::from_bits(*peer >> 4);
                ep.handle_segment_ecn(now, src, ours, &repr, ecn);
            }
        }
        let mut k = 0;
        while ep.poll_transmit(now).is_some() {
            k += 1;
            assert!(k < 10_000, "poll_transmit does not stop");
        }
        if let Some(l) = ep.listener(listen) {
            assert!(l.half_open() <= BACKLOG && l.accept_queue() <= BACKLOG);
        }
        // Accept and read what arrived, as an application would.
        if *peer & 0x80 != 0 {
            let _ = ep.accept(listen);
        }
        let handles: Vec<_> = ep.handles().collect();
        for h in handles {
            if let Some(c) = ep.conn_mut(h) {
                assert!(c.stats().reassembly_bytes + c.recv_queue() <= RECV_BUFFER);
                let _ = c.recv(&mut buf);
            }
        }
    }
});
