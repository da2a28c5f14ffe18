//! No peer input makes a connection or listener panic or grow without bound.

use handshake_tcp::conn::pair::{client_addr, server_addr, Pair};
use handshake_tcp::conn::{Config, Connection, State};
use handshake_tcp::wire::{SegmentRepr, SeqNumber, TcpFlags, TcpOptions};
use handshake_time::Duration;
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Junk {
    seq_off: i64,
    ack_off: i64,
    flags: u8,
    window: u16,
    mss: Option<u16>,
    ws: Option<u8>,
    len: usize,
    wait_ms: u64,
}

fn junk() -> impl Strategy<Value = Junk> {
    (
        prop_oneof![-3000i64..3000, any::<u32>().prop_map(i64::from)],
        prop_oneof![-3000i64..3000, any::<u32>().prop_map(i64::from)],
        any::<u8>(),
        any::<u16>(),
        proptest::option::of(any::<u16>()),
        proptest::option::of(any::<u8>()),
        0usize..3000,
        0u64..3000,
    )
        .prop_map(
            |(seq_off, ack_off, flags, window, mss, ws, len, wait_ms)| Junk {
                seq_off,
                ack_off,
                flags,
                window,
                mss,
                ws,
                len,
                wait_ms,
            },
        )
}

/// A pair brought to stage 0 (client SYN-SENT) .. 4 (client TIME-WAIT).
fn staged(stage: u8) -> Pair {
    let cfg = Config::default().recv_buffer(8192);
    let mut p = Pair::new(cfg.clone(), cfg, SeqNumber(u32::MAX - 100));
    if stage == 0 {
        p.transmit();
        return p;
    }
    p.run_until_idle();
    p.client.send(&[7u8; 5000]);
    if stage >= 2 {
        p.client.close();
    }
    if stage >= 3 {
        p.advance(Duration::from_millis(100));
        if let Some(s) = p.server_mut() {
            s.close();
        }
    }
    p.advance(Duration::from_millis(if stage == 1 { 5 } else { 100 }));
    p
}

fn feed(c: &mut Connection, now: handshake_time::Instant, j: &Junk, from_peer: bool) {
    let (src, dst) = if from_peer {
        (c.remote().port(), c.local().port())
    } else {
        (client_addr().port(), server_addr().port())
    };
    let base = c.stats().bytes_in_flight;
    let mut s = SegmentRepr::new(
        src,
        dst,
        SeqNumber(j.seq_off as u32),
        TcpFlags::from_bits_retain(j.flags),
    );
    s.ack_number = SeqNumber(j.ack_off.wrapping_add(i64::from(base)) as u32);
    s.window = j.window;
    s.options = TcpOptions {
        mss: j.mss,
        window_scale: j.ws,
        ..TcpOptions::default()
    };
    let payload = vec![0xabu8; j.len];
    s.payload = &payload;
    c.handle_segment(now, &s);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn random_segments_never_panic(stage in 0u8..5, side in any::<bool>(), segs in proptest::collection::vec(junk(), 1..30)) {
        let mut p = staged(stage);
        for j in &segs {
            // Sequence numbers relative to what the peer last sent, so many land in the window.
            let last = p.log.last().map(|(_, _, t, _)| t.header.seq_number.0).unwrap_or(0);
            let mut j = j.clone();
            if j.seq_off.abs() < 3000 {
                j.seq_off += i64::from(last);
            }
            let now = p.now;
            let c = if side || p.server_ref().is_none() { &mut p.client } else { p.server_mut().unwrap() };
            feed(c, now, &j, true);
            let mut n = 0;
            while c.poll_transmit(now).is_some() {
                n += 1;
                prop_assert!(n < 1000, "poll_transmit does not stop");
            }
            let st = c.stats();
            prop_assert!(st.reassembly_bytes + c.recv_queue() <= 8192);
            prop_assert!(c.send_queue() <= 256 * 1024);
            p.advance(Duration::from_millis(j.wait_ms));
        }
        // Whatever happened, the timers run out: no connection lives forever.
        p.run_until_idle();
        let st = p.client.state();
        prop_assert!(p.next_event().is_none(), "still busy in {st:?}");
        // States that wait on a timer or an ACK of ours cannot be where it rests.
        let transient = |s: State| matches!(
            s,
            State::SynSent | State::SynReceived | State::FinWait1 | State::Closing | State::LastAck | State::TimeWait
        );
        let ss = p.server_ref().map(|s| s.state());
        prop_assert!(!transient(st) && !ss.is_some_and(transient), "resting in {st:?} / {ss:?}");
    }
}

/// RFC 9293 §3.3.1's variables after a handshake and one write: SND.UNA
/// is ISS+1 until the data is acknowledged, SND.NXT ISS+1+len, the
/// server's RCV.NXT the client's SND.NXT once the data arrived, and its
/// RCV.WND no larger than its buffer.
#[test]
fn sequence_vars_follow_the_exchange() {
    use handshake_tcp::conn::pair::Pair;
    use handshake_tcp::conn::Config;
    use handshake_tcp::wire::SeqNumber;
    let iss = SeqNumber(1000);
    let cfg = Config::default().recv_buffer(8192);
    let mut p = Pair::new(cfg.clone(), cfg, iss);
    p.run_until_idle();
    let v = p.client.sequence_vars();
    assert_eq!((v.snd_una, v.snd_nxt), (iss + 1, iss + 1));
    assert_eq!(p.client.send(&[7; 100]), 100);
    let now = p.now;
    // Sent and lost (taken from the pair): the retransmission delivers it.
    while p.client.poll_transmit(now).is_some() {}
    let v = p.client.sequence_vars();
    assert_eq!((v.snd_una, v.snd_nxt), (iss + 1, iss + 101));
    p.run_until_idle();
    let s = p.server_mut().expect("accepted").sequence_vars();
    assert_eq!(s.rcv_nxt, iss + 101);
    assert!(s.rcv_wnd > 0 && s.rcv_wnd <= 8192, "{s:?}");
    assert_eq!(p.client.sequence_vars().snd_una, iss + 101);
}
