//! A segment lent from the send buffer ([`Connection::poll_segment`], then
//! `TransmitRef::emit`) is byte for byte the segment
//! [`Connection::poll_transmit`] gives in the same state, also when its
//! data wraps around the end of the send ring, and a transfer carried by
//! lent segments delivers every byte in order.

use handshake_ip::checksum::PseudoHeader;
use handshake_ip::ChecksumMode;
use handshake_tcp::conn::{Config, Connection, IsnGenerator, Listener, State};
use handshake_tcp::wire::{Segment, SegmentRepr, SeqNumber};
use handshake_time::{Duration, Instant};
use std::net::SocketAddr;

/// The stream's octet at `i`: a sequence the test computes on its own.
fn octet(i: usize) -> u8 {
    (i.wrapping_mul(7).wrapping_add(i >> 8) % 251) as u8
}

/// Emits `c`'s next segment through `poll_segment`, after checking that a
/// clone of `c` polled through `poll_transmit` gives the same bytes and
/// codepoint. Returns the bytes and whether the data came in two parts.
fn next(c: &mut Connection, now: Instant, ph: &PseudoHeader) -> Option<(Vec<u8>, bool)> {
    let mut twin = c.clone();
    let owned = twin.poll_transmit(now);
    let Some(lent) = c.poll_segment(now) else {
        assert!(
            owned.is_none(),
            "poll_transmit sent what poll_segment did not"
        );
        return None;
    };
    let owned = owned.expect("poll_segment sent what poll_transmit did not");
    let mut buf = vec![0u8; lent.buffer_len() + 7];
    let n = lent.emit(&mut buf, ph).unwrap();
    assert_eq!(n, lent.buffer_len());
    buf.truncate(n);
    assert_eq!(buf, owned.to_bytes(ph).unwrap());
    assert_eq!(lent.ecn, owned.ecn);
    assert_eq!(lent.segment_len(), owned.segment_len());
    let split = !lent.payload[0].is_empty() && !lent.payload[1].is_empty();
    Some((buf, split))
}

fn deliver(to: &mut Connection, now: Instant, bytes: &[u8], ph: &PseudoHeader) {
    let seg = Segment::new_checked(bytes).unwrap();
    let repr = SegmentRepr::parse(&seg, ph, ChecksumMode::Verify).unwrap();
    to.handle_segment(now, &repr);
}

#[test]
fn lent_segments_match_owned_ones_across_the_ring_wrap() {
    let a: SocketAddr = "192.0.2.1:4000".parse().unwrap();
    let b: SocketAddr = "192.0.2.2:80".parse().unwrap();
    let up = PseudoHeader::V4 {
        src: [192, 0, 2, 1].into(),
        dst: [192, 0, 2, 2].into(),
    };
    let down = PseudoHeader::V4 {
        src: [192, 0, 2, 2].into(),
        dst: [192, 0, 2, 1].into(),
    };
    // A send buffer that is not a multiple of the MSS and a smaller
    // receive window, so the send buffer never empties (an empty ring
    // starts again at its beginning) and segments straddle the ring's end.
    let config = Config::default()
        .mss(536)
        .send_buffer(3001)
        .recv_buffer(2000);
    let mut now = Instant::from_nanos(1_000_000_000);
    let mut client = Connection::connect(config.clone(), a, b, now, SeqNumber(0xffff_f000));
    let mut l = Listener::new(config, b, IsnGenerator::new([5; 32]), 4);
    let syn = client.poll_transmit(now).unwrap();
    l.handle_segment(now, a, &syn.repr());
    let (_, synack) = l.poll_transmit(now).unwrap();
    client.handle_segment(now, &synack.repr());
    let ack = client.poll_transmit(now).unwrap();
    l.handle_segment(now, a, &ack.repr());
    let mut server = l.accept().expect("the handshake completed");
    assert_eq!(client.state(), State::Established);

    const TOTAL: usize = 200_000;
    let (mut sent, mut received, mut splits) = (0, 0, 0);
    let mut chunk = vec![0u8; 1000];
    let mut buf = vec![0u8; 1500];
    for _ in 0..100_000 {
        if received == TOTAL {
            break;
        }
        // Odd-sized writes until the send buffer is full, so the ring's
        // end falls anywhere in a segment.
        while sent < TOTAL {
            let k = (TOTAL - sent).min(chunk.len() - sent % 13);
            for (i, o) in chunk[..k].iter_mut().enumerate() {
                *o = octet(sent + i);
            }
            let n = client.send(&chunk[..k]);
            sent += n;
            if n < k {
                break;
            }
        }
        let mut moved = false;
        while let Some((bytes, split)) = next(&mut client, now, &up) {
            splits += usize::from(split);
            deliver(&mut server, now, &bytes, &up);
            moved = true;
        }
        loop {
            let n = server.recv(&mut buf);
            if n == 0 {
                break;
            }
            for (i, o) in buf[..n].iter().enumerate() {
                assert_eq!(*o, octet(received + i), "octet {}", received + i);
            }
            received += n;
            moved = true;
        }
        while let Some((bytes, _)) = next(&mut server, now, &down) {
            deliver(&mut client, now, &bytes, &down);
            moved = true;
        }
        if !moved {
            now = [client.poll_timeout(), server.poll_timeout()]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(now + Duration::from_millis(1))
                .max(now);
            client.handle_timeout(now);
            server.handle_timeout(now);
        }
    }
    assert_eq!(received, TOTAL);
    assert!(
        splits > 10,
        "only {splits} segments wrapped around the ring"
    );
}
