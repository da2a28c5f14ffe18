//! The connection state machine over an in-memory link.

mod common;

use common::{events, exchange, pattern};
use handshake_tcp::conn::pair::{client_addr, server_addr, Fate, Pair, Side};
use handshake_tcp::conn::{Config, Connection, Event, IsnGenerator, Listener, State};
use handshake_tcp::wire::{SegmentRepr, SeqNumber, TcpFlags};
use handshake_time::{Duration, Instant};

fn established(isn: u32) -> Pair {
    let mut p = Pair::new(Config::default(), Config::default(), SeqNumber(isn));
    p.run_until_idle();
    assert_eq!(p.client.state(), State::Established);
    assert_eq!(p.server().state(), State::Established);
    p
}

#[test]
fn three_way_handshake_and_options() {
    let mut p = established(1000);
    // SYN, SYN-ACK, ACK and nothing else.
    let flags: Vec<_> = p
        .log
        .iter()
        .map(|(_, s, t, _)| (*s, t.header.flags))
        .collect();
    assert_eq!(
        flags,
        [
            (Side::Client, TcpFlags::SYN),
            (Side::Server, TcpFlags::SYN | TcpFlags::ACK),
            (Side::Client, TcpFlags::ACK),
        ]
    );
    let syn = &p.log[0].2.header;
    let synack = &p.log[1].2.header;
    assert_eq!(syn.seq_number, SeqNumber(1000));
    assert_eq!(synack.ack_number, SeqNumber(1001));
    assert_eq!(p.log[2].2.header.ack_number, synack.seq_number + 1);
    assert_eq!(syn.options.mss, Some(1460));
    // RFC 9293 §3.7.1: the 12 octets of TSopt come out of the 1460.
    assert_eq!(p.client.mss(), 1448);
    // 256 KiB buffer: shift 3 (RFC 7323), negotiated because both SYNs carry it.
    assert_eq!(p.client.window_scales(), (3, 3));
    assert_eq!(events(&mut p.client), [Event::Connected]);
    assert_eq!(events(p.server()), [Event::Connected]);
}

#[test]
fn window_scale_needs_both_syns() {
    let mut p = Pair::new(
        Config::default().window_scaling(false),
        Config::default(),
        SeqNumber(5),
    );
    p.run_until_idle();
    assert_eq!(p.log[1].2.header.options.window_scale, None);
    assert_eq!(p.client.window_scales(), (0, 0));
    assert_eq!(p.server().window_scales(), (0, 0));
    // Data still flows with unscaled windows.
    let data = pattern(200_000, 1);
    let (_, got) = exchange(&mut p, &data, &[], false, Duration::from_secs(60));
    assert_eq!(got, data);
}

#[test]
fn mss_is_the_smaller_of_both() {
    let mut p = Pair::new(Config::default().mss(536), Config::default(), SeqNumber(9));
    p.run_until_idle();
    // 536 less the 12 octets of TSopt in every segment (RFC 9293 §3.7.1).
    assert_eq!(p.client.mss(), 524);
    assert_eq!(p.server().mss(), 524);
    let data = pattern(10_000, 2);
    let (_, got) = exchange(&mut p, &data, &[], false, Duration::from_secs(10));
    assert_eq!(got, data);
    assert!(p.log.iter().all(|(_, _, t, _)| t.payload.len() <= 524));
}

/// Regression (found against the Linux kernel, which sends 1448-octet
/// segments here): RFC 9293 §3.7.1 Eff.snd.MSS = min(SendMSS+20, MMS_S) -
/// TCPhdrsize counts the header's options, so data plus options never
/// exceed the MSS and a 1500-octet MTU holds every segment.
#[test]
fn options_come_out_of_the_mss() {
    for ts in [true, false] {
        let config = Config::default().timestamps(ts);
        let mut p = Pair::new(config.clone(), config, SeqNumber(21));
        p.run_until_idle();
        let want = if ts { 1448 } else { 1460 };
        assert_eq!(
            (p.client.mss(), p.server().mss()),
            (want, want),
            "timestamps {ts}"
        );
        let data = pattern(100_000, 3);
        let (_, got) = exchange(&mut p, &data, &[], false, Duration::from_secs(10));
        assert_eq!(got, data);
        for (_, _, t, _) in &p.log {
            let options = t.repr().header_len() - 20;
            assert!(
                t.payload.len() + options <= 1460,
                "{} data + {options} options octets exceed the MSS",
                t.payload.len()
            );
        }
    }
}

#[test]
fn simultaneous_open() {
    let mut p = Pair::simultaneous(Config::default(), SeqNumber(100), SeqNumber(900));
    p.transmit();
    assert_eq!(p.client.state(), State::SynSent);
    p.run_until_idle();
    assert_eq!(p.client.state(), State::Established);
    assert_eq!(p.server().state(), State::Established);
    let (a, b) = (pattern(50_000, 3), pattern(40_000, 4));
    let (c_got, s_got) = exchange(&mut p, &a, &b, true, Duration::from_secs(60));
    assert_eq!((c_got, s_got), (b, a));
}

#[test]
fn bulk_data_both_ways_byte_exact() {
    let mut p = established(77);
    let (a, b) = (pattern(300 * 1024, 5), pattern(400 * 1024, 6));
    let (c_got, s_got) = exchange(&mut p, &a, &b, false, Duration::from_secs(60));
    assert_eq!(s_got, a);
    assert_eq!(c_got, b);
    // The last ACKs are still on the link when the data is all read.
    p.run_until_idle();
    assert_eq!(p.client.stats().retransmits, 0);
    assert_eq!(p.client.stats().bytes_in_flight, 0);
    // RFC 6298/7323: the 20 ms path RTT was measured, plus at most the
    // peer's 40 ms ACK delay (RFC 7323 §4.3 echoes the oldest unacknowledged TSval).
    let srtt = p.client.stats().srtt.unwrap();
    assert!(
        (Duration::from_millis(20)..=Duration::from_millis(60)).contains(&srtt),
        "{srtt:?}"
    );
}

#[test]
fn sender_respects_the_receive_window() {
    // A 4 KiB receive buffer that the application does not read.
    let mut p = Pair::new(
        Config::default(),
        Config::default().recv_buffer(4096),
        SeqNumber(1),
    );
    p.run_until_idle();
    assert_eq!(p.client.send(&pattern(20_000, 7)), 20_000);
    p.advance(Duration::from_secs(2));
    assert_eq!(p.server().recv_queue(), 4096);
    let sent: usize = p
        .log
        .iter()
        .filter(|(_, s, t, _)| *s == Side::Client && t.payload.len() > 1)
        .map(|(_, _, t, _)| t.payload.len())
        .sum();
    assert_eq!(sent, 4096);
    // Reading opens the window: the rest arrives.
    let mut got = Vec::new();
    let mut buf = [0u8; 1000];
    p.run(Duration::from_secs(120), |p| {
        common::drain(p.server(), &mut buf, &mut got);
        got.len() == 20_000
    });
    assert_eq!(got, pattern(20_000, 7));
}

#[test]
fn active_close_ends_in_time_wait_then_closed_after_2msl() {
    let mut p = established(3);
    p.client.close();
    assert_eq!(p.client.state(), State::FinWait1);
    p.advance(Duration::from_millis(100));
    assert_eq!(p.client.state(), State::FinWait2);
    assert_eq!(p.server().state(), State::CloseWait);
    assert_eq!(events(p.server()), [Event::Connected, Event::PeerClosed]);
    p.server().close();
    assert_eq!(p.server().state(), State::LastAck);
    p.run(Duration::from_secs(1), |p| {
        p.client.state() == State::TimeWait
    });
    let tw_start = p.now;
    p.run(Duration::from_secs(1), |p| {
        p.server().state() == State::Closed
    });
    assert_eq!(p.client.state(), State::TimeWait);
    // TIME-WAIT lasts 2*MSL = 240 s by default (RFC 9293 §3.4.2: MSL is 2 minutes).
    p.advance(Duration::from_secs(240) - (p.now - tw_start) - Duration::from_millis(1));
    assert_eq!(p.client.state(), State::TimeWait);
    p.advance(Duration::from_millis(2));
    assert_eq!(p.client.state(), State::Closed);
    assert_eq!(
        events(&mut p.client),
        [Event::Connected, Event::PeerClosed, Event::Closed]
    );
}

#[test]
fn time_wait_is_configurable_to_240s() {
    let cfg = Config::default().time_wait(Duration::from_secs(240));
    let mut p = Pair::new(cfg, Config::default(), SeqNumber(3));
    p.run_until_idle();
    p.client.close();
    p.run(Duration::from_secs(1), |p| {
        p.server().state() == State::CloseWait
    });
    p.server().close();
    p.run(Duration::from_secs(1), |p| {
        p.client.state() == State::TimeWait
    });
    let start = p.now;
    p.run(Duration::from_secs(1000), |p| {
        p.client.state() == State::Closed
    });
    let waited = p.now - start;
    assert!(
        waited >= Duration::from_secs(240) && waited < Duration::from_secs(241),
        "{waited:?}"
    );
}

#[test]
fn passive_close_and_half_close() {
    let mut p = established(11);
    // The client closes first; the server keeps sending 150 KiB after that.
    p.client.close();
    p.run(Duration::from_secs(1), |p| {
        p.server().state() == State::CloseWait
    });
    let data = pattern(150 * 1024, 8);
    let mut sent = 0;
    let mut got = Vec::new();
    let mut buf = vec![0u8; 8192];
    p.run(Duration::from_secs(60), |p| {
        let s = p.server.as_mut().unwrap();
        sent += s.send(&data[sent..]);
        common::drain(&mut p.client, &mut buf, &mut got);
        got.len() == data.len()
    });
    assert_eq!(got, data);
    assert_eq!(p.client.state(), State::FinWait2);
    p.server().close();
    p.advance(Duration::from_secs(1));
    assert_eq!(p.server().state(), State::Closed);
    assert_eq!(p.client.state(), State::TimeWait);
    assert!(p.client.recv_finished());
}

#[test]
fn simultaneous_close_both_time_wait() {
    let mut p = established(13);
    p.client.close();
    p.server().close();
    p.transmit();
    // Both FINs are in flight: each side sees the other's FIN before the ACK.
    p.step();
    assert_eq!(p.client.state(), State::Closing);
    assert_eq!(p.server().state(), State::Closing);
    p.advance(Duration::from_secs(1));
    assert_eq!(p.client.state(), State::TimeWait);
    assert_eq!(p.server().state(), State::TimeWait);
    p.run_until_idle();
    assert_eq!(p.client.state(), State::Closed);
    assert_eq!(p.server().state(), State::Closed);
}

#[test]
fn abort_sends_rst_and_peer_resets() {
    let mut p = established(17);
    p.client.abort();
    assert_eq!(p.client.state(), State::Closed);
    p.run_until_idle();
    assert!(p
        .log
        .iter()
        .any(|(_, s, t, _)| *s == Side::Client && t.header.flags == TcpFlags::RST));
    assert_eq!(p.server().state(), State::Closed);
    assert_eq!(events(p.server()), [Event::Connected, Event::Reset]);
}

/// A segment from the client's ports with the given fields.
fn from_client(seq: SeqNumber, ack: SeqNumber, flags: TcpFlags) -> SegmentRepr<'static> {
    let mut s = SegmentRepr::new(client_addr().port(), server_addr().port(), seq, flags);
    s.ack_number = ack;
    s.window = 1000;
    s
}

/// The server's RCV.NXT and SND.NXT from the last segments exchanged.
fn server_seqs(p: &Pair) -> (SeqNumber, SeqNumber) {
    let last_client = p
        .log
        .iter()
        .rev()
        .find(|(_, s, ..)| *s == Side::Client)
        .unwrap();
    let h = &last_client.2.header;
    (h.seq_number, h.ack_number)
}

#[test]
fn rst_in_window_but_not_exact_gets_challenge_ack() {
    let mut p = established(19);
    let (rcv_nxt, snd_nxt) = server_seqs(&p);
    let now = p.now;
    p.server().handle_segment(
        now,
        &from_client(rcv_nxt + 100, SeqNumber(0), TcpFlags::RST),
    );
    assert_eq!(p.server().state(), State::Established);
    let ack = p.server().poll_transmit(now).expect("a challenge ACK");
    assert_eq!(ack.header.flags, TcpFlags::ACK);
    assert_eq!(
        (ack.header.seq_number, ack.header.ack_number),
        (snd_nxt, rcv_nxt)
    );
    assert_eq!(p.server().stats().challenge_acks, 1);
    // Outside the window: silently dropped.
    p.server().handle_segment(
        now,
        &from_client(rcv_nxt + 10_000_000, SeqNumber(0), TcpFlags::RST),
    );
    assert!(p.server().poll_transmit(now).is_none());
    // Exactly RCV.NXT: reset.
    p.server()
        .handle_segment(now, &from_client(rcv_nxt, SeqNumber(0), TcpFlags::RST));
    assert_eq!(p.server().state(), State::Closed);
    assert_eq!(events(p.server()), [Event::Connected, Event::Reset]);
}

#[test]
fn syn_in_established_gets_challenge_ack() {
    let mut p = established(23);
    let (rcv_nxt, snd_nxt) = server_seqs(&p);
    let now = p.now;
    for seq in [rcv_nxt, rcv_nxt + 5, rcv_nxt - 1_000_000] {
        p.server()
            .handle_segment(now, &from_client(seq, SeqNumber(0), TcpFlags::SYN));
        assert_eq!(p.server().state(), State::Established);
        let t = p.server().poll_transmit(now).expect("an ACK");
        assert_eq!(t.header.flags, TcpFlags::ACK);
        assert_eq!(
            (t.header.seq_number, t.header.ack_number),
            (snd_nxt, rcv_nxt)
        );
    }
}

#[test]
fn unacceptable_segment_is_acked_and_dropped() {
    let mut p = established(29);
    let (rcv_nxt, snd_nxt) = server_seqs(&p);
    let now = p.now;
    let mut s = from_client(rcv_nxt - 5000, snd_nxt, TcpFlags::ACK);
    s.payload = b"stale";
    p.server().handle_segment(now, &s);
    let t = p.server().poll_transmit(now).expect("an ACK");
    assert_eq!(t.header.ack_number, rcv_nxt);
    assert_eq!(p.server().recv_queue(), 0);
    // An ACK for data never sent: ACK and drop.
    let s = from_client(rcv_nxt, snd_nxt + 50, TcpFlags::ACK);
    p.server().handle_segment(now, &s);
    assert!(p.server().poll_transmit(now).is_some());
}

#[test]
fn rst_ignored_in_time_wait_rfc1337() {
    let mut p = established(31);
    p.client.close();
    p.run(Duration::from_secs(1), |p| {
        p.server().state() == State::CloseWait
    });
    p.server().close();
    p.run(Duration::from_secs(1), |p| {
        p.client.state() == State::TimeWait
    });
    let last = p
        .log
        .iter()
        .rev()
        .find(|(_, s, ..)| *s == Side::Server)
        .unwrap()
        .2
        .header;
    let now = p.now;
    let mut rst = SegmentRepr::new(
        server_addr().port(),
        client_addr().port(),
        last.seq_number + 1,
        TcpFlags::RST,
    );
    rst.window = 0;
    p.client.handle_segment(now, &rst);
    assert_eq!(p.client.state(), State::TimeWait);
}

#[test]
fn retransmission_backoff_doubles() {
    let mut p = established(37);
    // Drop the first three copies of the client's first data segment.
    let mut drops = 0;
    p.fate = Box::new(move |side, _, t| {
        if side == Side::Client && !t.payload.is_empty() && drops < 3 {
            drops += 1;
            Fate::Drop
        } else {
            Fate::Deliver
        }
    });
    assert_eq!(p.client.send(b"hello"), 5);
    let (_, got) = exchange(&mut p, b"", b"", false, Duration::from_secs(1));
    assert!(got.is_empty());
    let mut got = Vec::new();
    let mut buf = [0u8; 16];
    p.run(Duration::from_secs(60), |p| {
        common::drain(p.server(), &mut buf, &mut got);
        got.len() == 5
    });
    assert_eq!(got, b"hello");
    let times: Vec<_> = p
        .log
        .iter()
        .filter(|(_, s, t, _)| *s == Side::Client && !t.payload.is_empty())
        .map(|(at, ..)| *at)
        .collect();
    assert_eq!(times.len(), 4);
    let gaps: Vec<_> = times.windows(2).map(|w| w[1] - w[0]).collect();
    // RTO 1 s (the RFC 6298 minimum over a 20 ms RTT), then 2 s, then 4 s.
    assert_eq!(
        gaps,
        [
            Duration::from_secs(1),
            Duration::from_secs(2),
            Duration::from_secs(4)
        ]
    );
    assert_eq!(p.client.stats().retransmits, 3);
}

#[test]
fn lost_syn_is_retransmitted_and_rto_is_3s_after() {
    let mut p = Pair::new(Config::default(), Config::default(), SeqNumber(41));
    p.fate = Box::new(|side, i, _| {
        if side == Side::Client && i == 0 {
            Fate::Drop
        } else {
            Fate::Deliver
        }
    });
    p.run_until_idle();
    assert_eq!(p.client.state(), State::Established);
    let syns: Vec<_> = p
        .log
        .iter()
        .filter(|(_, _, t, _)| t.header.flags == TcpFlags::SYN)
        .map(|(at, ..)| *at)
        .collect();
    assert_eq!(syns.len(), 2);
    assert_eq!(syns[1] - syns[0], Duration::from_secs(1));
    // RFC 6298 §5.7: RTO re-initialised to 3 s when data transmission begins.
    assert_eq!(p.client.stats().rto, Duration::from_secs(3));
}

#[test]
fn gives_up_after_max_retries() {
    let mut p = Pair::new(
        Config::default().max_retries(3),
        Config::default(),
        SeqNumber(43),
    );
    p.run_until_idle();
    p.fate = Box::new(|side, _, _| {
        if side == Side::Client {
            Fate::Drop
        } else {
            Fate::Deliver
        }
    });
    p.client.send(b"into the void");
    p.run_until_idle();
    assert_eq!(p.client.state(), State::Closed);
    // R1 = 3 retransmissions: the application is told before R2 closes it.
    assert_eq!(
        events(&mut p.client),
        [Event::Connected, Event::Retransmitting, Event::TimedOut]
    );
    assert_eq!(p.client.stats().retransmits, 3);
}

#[test]
fn syn_gives_up_after_syn_retries() {
    let mut c = Connection::connect(
        Config::default().max_syn_retries(2),
        client_addr(),
        server_addr(),
        Instant::ZERO,
        SeqNumber(0),
    );
    let mut sent = 0;
    while c.state() != State::Closed {
        while c.poll_transmit(Instant::ZERO).is_some() {
            sent += 1;
        }
        let t = c.poll_timeout().unwrap();
        c.handle_timeout(t);
    }
    assert_eq!(sent, 3);
    assert_eq!(c.poll_event(), Some(Event::TimedOut));
}

#[test]
fn reordered_segments_are_reassembled() {
    let mut p = established(47);
    p.fate = Box::new(|side, i, _| {
        if side == Side::Client && i % 7 == 3 {
            Fate::Delay(Duration::from_millis(15))
        } else if side == Side::Client && i % 11 == 5 {
            Fate::Duplicate
        } else {
            Fate::Deliver
        }
    });
    let data = pattern(200_000, 9);
    let (_, got) = exchange(&mut p, &data, &[], false, Duration::from_secs(60));
    assert_eq!(got, data);
    assert_eq!(p.server().stats().reassembly_bytes, 0);
}

#[test]
fn sequence_numbers_wrap_around() {
    for isn in [u32::MAX - 1000, u32::MAX, 0x7fff_ffff] {
        let mut p = Pair::new(Config::default(), Config::default(), SeqNumber(isn));
        p.fate = Box::new(|side, i, _| {
            if side == Side::Client && i == 4 {
                Fate::Drop
            } else {
                Fate::Deliver
            }
        });
        p.run_until_idle();
        let (a, b) = (pattern(100_000, 10), pattern(30_000, 11));
        let (c_got, s_got) = exchange(&mut p, &a, &b, true, Duration::from_secs(600));
        assert_eq!(s_got, a);
        assert_eq!(c_got, b);
        // The client's sequence numbers crossed 2^32 (or, from 0x7fffffff, the signed midpoint).
        let boundary = if isn > 0x8000_0000 { 0 } else { 0x8000_0000 };
        let crossed = p.log.iter().any(|(_, s, t, _)| {
            *s == Side::Client && t.header.seq_number.0.wrapping_sub(boundary) < 1_000_000
        });
        assert!(crossed, "ISN {isn:#x} did not cross {boundary:#x}");
        assert_eq!(p.client.state(), State::Closed);
    }
}

#[test]
fn listener_backlog_is_bounded_and_acks_get_rst() {
    let local = server_addr();
    let mut l = Listener::new(Config::default(), local, IsnGenerator::new([3; 32]), 2);
    let now = Instant::ZERO;
    for port in 1000..1003u16 {
        let mut syn = SegmentRepr::new(port, 80, SeqNumber(port.into()), TcpFlags::SYN);
        syn.window = 1000;
        let remote = std::net::SocketAddr::from(([192, 0, 2, 9], port));
        l.handle_segment(now, remote, &syn);
    }
    assert_eq!(l.half_open(), 2);
    assert_eq!(l.dropped_syns(), 1);
    let mut ack = SegmentRepr::new(2000, 80, SeqNumber(1), TcpFlags::ACK);
    ack.ack_number = SeqNumber(555);
    let remote = std::net::SocketAddr::from(([192, 0, 2, 9], 2000));
    l.handle_segment(now, remote, &ack);
    let mut saw_rst = false;
    while let Some((to, t)) = l.poll_transmit(now) {
        if t.header.flags.contains(TcpFlags::RST) {
            assert_eq!(to, remote);
            assert_eq!(t.header.seq_number, SeqNumber(555));
            saw_rst = true;
        }
    }
    assert!(saw_rst);
}

#[test]
fn rfc6528_isn() {
    let g = IsnGenerator::new([9; 32]);
    let (a, b) = (client_addr(), server_addr());
    let t = Instant::from_nanos(123_456_789);
    assert_eq!(g.isn(t, a, b), g.isn(t, a, b));
    assert_ne!(g.isn(t, a, b), g.isn(t, b, a));
    let a2 = std::net::SocketAddr::from(([192, 0, 2, 1], 49153));
    assert_ne!(g.isn(t, a, b), g.isn(t, a2, b));
    assert_eq!(
        g.isn(t + Duration::from_micros(4000), a, b),
        g.isn(t, a, b) + 1000
    );
    assert_ne!(IsnGenerator::new([8; 32]).isn(t, a, b), g.isn(t, a, b));
}

#[test]
fn every_segment_survives_the_wire_format() {
    let mut p = Pair::new(
        Config::default(),
        Config::default(),
        SeqNumber(u32::MAX - 7),
    );
    p.wire = true;
    p.run_until_idle();
    assert_eq!(p.client.state(), State::Established);
    let (a, b) = (pattern(100_000, 12), pattern(70_000, 13));
    let (c_got, s_got) = exchange(&mut p, &a, &b, true, Duration::from_secs(600));
    assert_eq!((c_got, s_got), (b, a));
    assert_eq!(p.wire_errors, 0);
    // Run until idle: TIME-WAIT has expired as well.
    assert_eq!(p.client.state(), State::Closed);
    assert_eq!(p.server().state(), State::Closed);
}

#[test]
fn challenge_acks_are_throttled() {
    let cfg = Config::default().challenge_ack_limit(5);
    let mut p = Pair::new(Config::default(), cfg, SeqNumber(61));
    p.run_until_idle();
    let (rcv_nxt, _) = server_seqs(&p);
    let now = p.now;
    let mut acks = 0;
    for i in 0..50 {
        p.server().handle_segment(
            now,
            &from_client(rcv_nxt + 1 + i, SeqNumber(0), TcpFlags::RST),
        );
        while p.server().poll_transmit(now).is_some() {
            acks += 1;
        }
    }
    assert_eq!(acks, 5);
    assert_eq!(p.server().stats().challenge_acks, 5);
    // A second later the budget is back.
    let later = now + Duration::from_secs(1);
    p.server().handle_segment(
        later,
        &from_client(rcv_nxt + 1, SeqNumber(0), TcpFlags::SYN),
    );
    assert!(p.server().poll_transmit(later).is_some());
    assert_eq!(p.server().state(), State::Established);
}

#[test]
fn zero_window_then_reader_resumes() {
    let mut p = Pair::new(
        Config::default(),
        Config::default().recv_buffer(8192),
        SeqNumber(71),
    );
    p.run_until_idle();
    let data = pattern(40_000, 14);
    let mut sent = 0;
    // The reader sleeps for 60 s while the window is closed.
    p.run(Duration::from_secs(60), |p| {
        sent += p.client.send(&data[sent..]);
        false
    });
    assert_eq!(p.server().recv_queue(), 8192);
    assert_eq!(p.client.state(), State::Established);
    // The window reopens as the application reads: the rest arrives.
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    p.run(Duration::from_secs(600), |p| {
        sent += p.client.send(&data[sent..]);
        common::drain(p.server(), &mut buf, &mut got);
        got.len() == data.len()
    });
    assert_eq!(got, data);
    assert_eq!(p.client.state(), State::Established);
}

/// Regression (found against the Linux kernel, whose zero-window probes are
/// bare ACKs one below RCV.NXT, 200-500 ms apart): every probe into our zero
/// window is answered with the window, not only one per 500 ms as other
/// unacceptable bare ACKs are (RFC 9293 §3.8.6.1, RFC 793 p. 42: "it must
/// still send an acknowledgment").
#[test]
fn every_zero_window_probe_is_answered() {
    let mut p = Pair::new(
        Config::default().timestamps(false),
        Config::default().recv_buffer(8192).timestamps(false),
        SeqNumber(91),
    );
    p.run_until_idle();
    let data = pattern(40_000, 15);
    let mut sent = 0;
    p.run(Duration::from_secs(5), |p| {
        sent += p.client.send(&data[sent..]);
        false
    });
    assert_eq!(p.server().recv_queue(), 8192);
    let rcv_nxt = SeqNumber(92 + 8192);
    let now = p.now;
    while p.server().poll_transmit(now).is_some() {}
    let snd_nxt = server_seqs(&p).1;
    for k in 0..3u64 {
        let at = now + Duration::from_millis(200 * (k + 1));
        let probe = from_client(rcv_nxt - 1, snd_nxt, TcpFlags::ACK);
        p.server().handle_segment(at, &probe);
        let ack = p.server().poll_transmit(at).expect("the probe is answered");
        assert_eq!(
            (ack.header.ack_number, ack.header.window),
            (rcv_nxt, 0),
            "probe {k}"
        );
    }
}
