//! handshake-tcp: the remaining numbered requirements of RFC 9293 Appendix B
//! (PUSH, window edge cases, MSS defaults, address validation, R1/R2, ACK
//! aggregation), and the coverage check over the whole table.

use std::net::SocketAddr;

use handshake_tcp::conn::pair::{client_addr, server_addr, Fate, Pair, Side};
use handshake_tcp::conn::{Config, Connection, Event, IsnGenerator, Listener, State};
use handshake_tcp::wire::{SegmentRepr, SeqNumber, TcpFlags, TcpOptions};
use handshake_tcp::Error;
use handshake_time::{Duration, Instant};

use super::tcp_conn::{
    ensure, established, established_with, events, exchange, pattern, server, sim, R,
};
use crate::{coverage, Case, Ctx, Outcome};

fn client_data(p: &Pair, from: usize) -> Vec<SegmentRepr<'static>> {
    p.log[from..]
        .iter()
        .filter(|(_, s, t, _)| *s == Side::Client && !t.payload.is_empty())
        .map(|(_, _, t, _)| t.header)
        .collect()
}

fn psh_last() -> R {
    let mut p = established(60)?;
    let from = p.log.len();
    // One write of 5.5 segments: PSH only on the last (SHLD-27 collapses
    // them), and nothing is held back waiting for more writes (MUST-60).
    p.client.send(&pattern(1460 * 5 + 730, 1));
    p.run_until_idle();
    let segs = client_data(&p, from);
    let psh: Vec<bool> = segs
        .iter()
        .map(|h| h.flags.contains(TcpFlags::PSH))
        .collect();
    let n = psh.len();
    ensure(
        n == 6 && psh[..5].iter().all(|x| !x) && psh[5] && p.client.send_queue() == 0,
        || format!("PSH bits {psh:?}; unsent {}", p.client.send_queue()),
    )
}

fn window_unsigned() -> R {
    // No window scaling: a 65535 window (top bit set) allows 65535 bytes in flight.
    let cfg = Config::default()
        .window_scaling(false)
        .initial_window(64)
        .recv_buffer(65535);
    let mut p = established_with(cfg, 61)?;
    let from = p.log.len();
    p.client.send(&pattern(100_000, 2));
    p.transmit();
    let bytes: usize = p.log[from..]
        .iter()
        .filter(|(_, s, _, _)| *s == Side::Client)
        .map(|(_, _, t, _)| t.payload.len())
        .sum();
    ensure((40_000..=65_535).contains(&bytes), || {
        format!("{bytes} bytes sent into a 65535-byte window")
    })
}

fn peer_shrinks() -> R {
    let mut p = established(62)?;
    p.client.send(&pattern(10 * 1460, 3));
    p.transmit();
    // An ACK for nothing new whose window ends below SND.NXT: the peer
    // shrank its window after our ten segments left.
    let last = p
        .log
        .iter()
        .rev()
        .find(|(_, s, _, _)| *s == Side::Server)
        .map(|(_, _, t, _)| t.header)
        .ok_or("no server segment")?;
    let mut shrink = SegmentRepr::new(80, 49152, last.seq_number, TcpFlags::ACK);
    shrink.ack_number = last.ack_number;
    shrink.window = 2920;
    shrink.options.timestamps = last.options.timestamps;
    let now = p.now;
    p.client.handle_segment(now, &shrink);
    p.client.send(&pattern(20_000, 4));
    let extra = std::iter::from_fn(|| p.client.poll_transmit(now))
        .filter(|t| !t.payload.is_empty())
        .count();
    // SHLD-15: no new data beyond the shrunken edge; MUST-34, SHLD-16,
    // SHLD-17: the connection carries on and everything is delivered.
    let want = 10 * 1460 + 20_000;
    let mut total = 0;
    let done = p.run(Duration::from_secs(600), |p| {
        if let Some(s) = p.server.as_mut() {
            let mut buf = [0u8; 65536];
            total += s.recv(&mut buf);
        }
        total == want
    });
    ensure(
        extra == 0 && done && p.client.state() == State::Established,
        || {
            format!(
                "{extra} new segments past the shrunken window; delivered {total} of {want}; {:?}",
                p.client.state()
            )
        },
    )
}

fn rst_zero_window() -> R {
    let mut p = Pair::new(
        Config::default(),
        Config::default().recv_buffer(2000),
        SeqNumber(63),
    );
    p.run_until_idle();
    p.client.send(&pattern(2000, 5));
    p.run_until_idle();
    let (seq, _) = p
        .log
        .iter()
        .rev()
        .find(|(_, s, _, _)| *s == Side::Server)
        .map(|(_, _, t, _)| (t.header.ack_number, t.header.window))
        .ok_or("no server segment")?;
    let now = p.now;
    let s = server(&mut p)?;
    let _ = events(s);
    let rst = SegmentRepr::new(49152, 80, seq, TcpFlags::RST);
    s.handle_segment(now, &rst);
    ensure(
        s.state() == State::Closed && events(s).contains(&Event::Reset),
        || format!("RST at RCV.NXT with a zero window left {:?}", s.state()),
    )
}

fn default_mss() -> R {
    for (remote, want) in [
        ("192.0.2.2:80".parse::<SocketAddr>().unwrap(), 536usize),
        ("[2001:db8::2]:80".parse().unwrap(), 1220),
    ] {
        let local: SocketAddr = if remote.is_ipv4() {
            "192.0.2.1:4000".parse().unwrap()
        } else {
            "[2001:db8::1]:4000".parse().unwrap()
        };
        let now = Instant::ZERO;
        let mut c = Connection::connect(Config::default(), local, remote, now, SeqNumber(1));
        let syn = c.poll_transmit(now).ok_or("no SYN")?;
        // A SYN-ACK with no MSS option.
        let mut sa = SegmentRepr::new(80, 4000, SeqNumber(900), TcpFlags::SYN | TcpFlags::ACK);
        sa.ack_number = syn.header.seq_number + 1;
        sa.window = 65535;
        c.handle_segment(now, &sa);
        ensure(c.state() == State::Established && c.mss() == want, || {
            format!(
                "{remote}: send MSS {} without the option, want {want}",
                c.mss()
            )
        })?;
    }
    Ok(())
}

fn mss_only_in_syn() -> R {
    let mut p = established(64)?;
    let _ = exchange(&mut p, &pattern(20_000, 6), &pattern(5000, 7), true);
    let bad = p
        .log
        .iter()
        .filter(|(_, _, t, _)| {
            !t.header.flags.contains(TcpFlags::SYN) && t.header.options.mss.is_some()
        })
        .count();
    let syns = p
        .log
        .iter()
        .filter(|(_, _, t, _)| {
            t.header.flags.contains(TcpFlags::SYN) && t.header.options.mss.is_some()
        })
        .count();
    ensure(bad == 0 && syns == 2, || {
        format!("{bad} non-SYN segments carry MSS; {syns} SYNs do")
    })
}

fn options_zero_padded() -> R {
    use handshake_ip::checksum::PseudoHeader;
    // MSS (4) + window scale (3) = 7 bytes: one byte of padding, which MUST be zero.
    let mut h = SegmentRepr::new(1, 2, SeqNumber(3), TcpFlags::SYN);
    h.options = TcpOptions {
        mss: Some(1460),
        window_scale: Some(7),
        ..TcpOptions::default()
    };
    let ph = PseudoHeader::V4 {
        src: [192, 0, 2, 1].into(),
        dst: [192, 0, 2, 2].into(),
    };
    let mut buf = vec![0xffu8; h.buffer_len()];
    let n = h.emit(&mut buf, &ph).map_err(|e| e.to_string())?;
    let opts = &buf[20..n];
    // The layout may use NOPs (1) to align; after the last option only zeros.
    let kinds_end = {
        let mut i = 0;
        while i < opts.len() && opts[i] != 0 {
            i += if opts[i] == 1 {
                1
            } else {
                usize::from(opts[i + 1].max(1))
            };
        }
        i
    };
    ensure(
        n % 4 == 0 && opts[kinds_end..].iter().all(|b| *b == 0),
        || format!("options {opts:02x?}: padding not zero"),
    )
}

fn syn_rcvd_back_to_listen() -> R {
    let mut l = Listener::new(
        Config::default(),
        server_addr(),
        IsnGenerator::new([1; 32]),
        4,
    );
    let now = Instant::ZERO;
    let syn = SegmentRepr::new(49152, 80, SeqNumber(100), TcpFlags::SYN);
    l.handle_segment(now, client_addr(), &syn);
    let synack = l.poll_transmit(now).ok_or("no SYN-ACK")?.1;
    ensure(l.half_open() == 1, || "SYN not taken".into())?;
    // RFC 9293 §3.10.7.4: a RST in SYN-RECEIVED from a passive OPEN returns to LISTEN.
    let mut rst = SegmentRepr::new(49152, 80, SeqNumber(101), TcpFlags::RST);
    rst.ack_number = synack.header.seq_number + 1;
    l.handle_segment(now, client_addr(), &rst);
    let gone = l.half_open() == 0 && l.accept().is_none();
    // ... and the listener still listens.
    l.handle_segment(
        now,
        client_addr(),
        &SegmentRepr::new(49152, 80, SeqNumber(500), TcpFlags::SYN),
    );
    ensure(
        gone && l.half_open() == 1 && l.state() == State::Listen,
        || format!("after RST: half-open {} (want 0 then 1)", l.half_open()),
    )
}

fn independent_listeners() -> R {
    // Two passive OPENs on port 80 at different local addresses: each takes
    // only its own SYNs and neither disturbs the other.
    let a: SocketAddr = "192.0.2.2:80".parse().unwrap();
    let b: SocketAddr = "192.0.2.3:80".parse().unwrap();
    let mut la = Listener::new(Config::default(), a, IsnGenerator::new([2; 32]), 4);
    let mut lb = Listener::new(Config::default(), b, IsnGenerator::new([3; 32]), 4);
    let now = Instant::ZERO;
    let syn = SegmentRepr::new(49152, 80, SeqNumber(7), TcpFlags::SYN);
    la.handle_segment(now, client_addr(), &syn);
    let sa = la.poll_transmit(now).ok_or("no SYN-ACK from a")?.1;
    lb.handle_segment(
        now,
        "198.51.100.9:5555".parse().unwrap(),
        &SegmentRepr::new(5555, 80, SeqNumber(9), TcpFlags::SYN),
    );
    ensure(
        la.half_open() == 1 && lb.half_open() == 1 && sa.header.ack_number == SeqNumber(8),
        || format!("half-open a {} b {}", la.half_open(), lb.half_open()),
    )
}

fn invalid_open() -> R {
    let local = client_addr();
    for bad in [
        "224.0.0.1:80",
        "255.255.255.255:80",
        "0.0.0.0:80",
        "[ff02::1]:80",
        "192.0.2.2:0",
    ] {
        let addr: SocketAddr = bad.parse().unwrap();
        let r =
            Connection::try_connect(Config::default(), local, addr, Instant::ZERO, SeqNumber(1));
        ensure(matches!(r, Err(Error::InvalidAddress { .. })), || {
            format!("OPEN to {bad} was not rejected")
        })?;
    }
    ensure(
        Connection::try_connect(
            Config::default(),
            local,
            server_addr(),
            Instant::ZERO,
            SeqNumber(1),
        )
        .is_ok(),
        || "OPEN to a unicast address refused".into(),
    )
}

fn invalid_syn_ignored() -> R {
    let now = Instant::ZERO;
    let mut l = Listener::new(
        Config::default(),
        server_addr(),
        IsnGenerator::new([4; 32]),
        4,
    );
    for src in ["224.0.0.5:1000", "255.255.255.255:1000", "0.0.0.0:1000"] {
        let syn = SegmentRepr::new(1000, 80, SeqNumber(1), TcpFlags::SYN);
        l.handle_segment(now, src.parse().unwrap(), &syn);
    }
    let mut m = Listener::new(
        Config::default(),
        "224.0.0.1:80".parse().unwrap(),
        IsnGenerator::new([5; 32]),
        4,
    );
    m.handle_segment(
        now,
        client_addr(),
        &SegmentRepr::new(49152, 80, SeqNumber(1), TcpFlags::SYN),
    );
    ensure(
        l.half_open() == 0
            && l.poll_transmit(now).is_none()
            && m.half_open() == 0
            && m.poll_transmit(now).is_none(),
        || "a SYN from or to a broadcast/multicast address was answered".into(),
    )
}

fn rst_with_data() -> R {
    let mut p = established(65)?;
    let (seq, ack) = p
        .log
        .iter()
        .rev()
        .find(|(_, s, _, _)| *s == Side::Server)
        .map(|(_, _, t, _)| {
            (
                t.header.seq_number + t.segment_len() as u32,
                t.header.ack_number,
            )
        })
        .ok_or("no server segment")?;
    let mut rst = SegmentRepr::new(80, 49152, seq, TcpFlags::RST | TcpFlags::ACK);
    rst.ack_number = ack;
    rst.payload = b"connection reset: application gone";
    let now = p.now;
    p.client.handle_segment(now, &rst);
    ensure(
        p.client.state() == State::Closed && events(&mut p.client).contains(&Event::Reset),
        || format!("a RST carrying data left {:?}", p.client.state()),
    )
}

fn ack_aggregation() -> R {
    let mut p = established(66)?;
    let from = p.log.len();
    // Ten segments arrive together (no link rate): the receiver processes
    // them all, then sends one ACK covering them (MUST-58, MUST-59).
    // Ten full segments: Eff.snd.MSS is 1460 less 12 bytes of timestamps.
    p.client.send(&pattern(10 * 1448, 8));
    p.run_until_idle();
    let acks: Vec<SeqNumber> = p.log[from..]
        .iter()
        .filter(|(_, s, _, _)| *s == Side::Server)
        .map(|(_, _, t, _)| t.header.ack_number)
        .collect();
    let end = p.log[from..]
        .iter()
        .filter(|(_, s, t, _)| *s == Side::Client && !t.payload.is_empty())
        .map(|(_, _, t, _)| t.header.seq_number + t.payload.len() as u32)
        .max_by(|a, b| a.distance_from(*b).cmp(&0))
        .ok_or("no data")?;
    ensure(acks == [end], || {
        format!("server ACKs {acks:?}, want one for {end:?}")
    })
}

fn black_hole(cfg: Config, isn: u32, client_only: bool) -> Result<(Pair, Instant), String> {
    let mut p = if client_only {
        established_with(cfg, isn)?
    } else {
        Pair::new(cfg, Config::default(), SeqNumber(isn))
    };
    p.fate = Box::new(|side, _, _| {
        if side == Side::Client {
            Fate::Drop
        } else {
            Fate::Deliver
        }
    });
    let start = p.now;
    if client_only {
        p.client.send(b"into the void");
    }
    p.run_until_idle();
    Ok((p, start))
}

fn r1_notifies() -> R {
    let (mut p, _) = black_hole(Config::default().max_retries(5), 67, true)?;
    let ev = events(&mut p.client);
    let r1 = ev.iter().position(|e| *e == Event::Retransmitting);
    let to = ev.iter().position(|e| *e == Event::TimedOut);
    ensure(matches!((r1, to), (Some(a), Some(b)) if a < b), || {
        format!("events {ev:?}: want Retransmitting (at R1 = 3) before TimedOut")
    })
}

fn r2_default() -> R {
    let (mut p, start) = black_hole(Config::default(), 68, true)?;
    let ended = p.now - start;
    let ev = events(&mut p.client);
    ensure(
        ev.contains(&Event::TimedOut) && ended >= Duration::from_secs(100),
        || format!("gave up after {ended:?} (R2 SHOULD be at least 100 s), events {ev:?}"),
    )
}

fn syn_r2() -> R {
    let (mut p, start) = black_hole(Config::default(), 69, false)?;
    let ended = p.now - start;
    let ev = events(&mut p.client);
    ensure(
        ev.contains(&Event::TimedOut) && ended >= Duration::from_secs(180),
        || format!("SYN given up after {ended:?} (R2 MUST be at least 3 minutes), events {ev:?}"),
    )
}

fn coverage_complete(_: &mut Ctx) -> Outcome {
    let rows = coverage::rfc9293(&crate::all_cases());
    let gaps: Vec<String> = rows
        .iter()
        .filter(|r| r.is_gap() && (r.req.id.starts_with("MUST") || !r.missing.is_empty()))
        .map(|r| {
            format!(
                "{} ({}){}",
                r.req.id,
                r.req.feature,
                if r.missing.is_empty() {
                    String::new()
                } else {
                    format!(": no case {:?}", r.missing)
                }
            )
        })
        .collect();
    if gaps.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail(format!(
            "RFC 9293 requirements with no case and no reason: {}",
            gaps.join("; ")
        ))
    }
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "tcp.push.psh-on-last-segment",
            "RFC 9293 §3.9.1.2 (MUST-60, MUST-61, SHLD-27)",
        )
        .simulation(|_| sim(psh_last)),
        Case::must("tcp.window.unsigned", "RFC 9293 §3.1 (MUST-1)")
            .simulation(|_| sim(window_unsigned)),
        Case::must(
            "tcp.window.peer-shrinks",
            "RFC 9293 §3.8.6 (MUST-34, SHLD-15, SHLD-16, SHLD-17)",
        )
        .simulation(|_| sim(peer_shrinks)),
        Case::must(
            "tcp.window.rst-at-zero-window",
            "RFC 9293 §3.10.7.4 (MUST-66)",
        )
        .simulation(|_| sim(rst_zero_window)),
        Case::must("tcp.conn.options.default-mss", "RFC 9293 §3.7.1 (MUST-15)")
            .vector(|_| sim(default_mss)),
        Case::must(
            "tcp.conn.options.mss-only-in-syn",
            "RFC 9293 §3.2 (MUST-65)",
        )
        .simulation(|_| sim(mss_only_in_syn)),
        Case::must(
            "tcp.wire.options-padded-with-zero",
            "RFC 9293 §3.1 (MUST-69)",
        )
        .vector(|_| sim(options_zero_padded)),
        Case::must(
            "tcp.conn.listen.rst-back-to-listen",
            "RFC 9293 §3.10.7.4 (MUST-11)",
        )
        .vector(|_| sim(syn_rcvd_back_to_listen)),
        Case::must(
            "tcp.conn.listen.independent-listeners",
            "RFC 9293 §3.9.1.1 (MUST-41, MUST-42)",
        )
        .vector(|_| sim(independent_listeners)),
        Case::must(
            "tcp.conn.open.invalid-address-rejected",
            "RFC 9293 §3.9.1.1 (MUST-46)",
        )
        .vector(|_| sim(invalid_open)),
        Case::must(
            "tcp.conn.listen.invalid-address-ignored",
            "RFC 9293 §3.10.7.2 (MUST-57, MUST-63)",
        )
        .vector(|_| sim(invalid_syn_ignored)),
        Case::should("tcp.conn.rst.with-data", "RFC 9293 §3.5.3 (SHLD-2)")
            .vector(|_| sim(rst_with_data)),
        Case::must(
            "tcp.flow.ack-aggregation",
            "RFC 9293 §3.10.7.4 (MUST-58, MUST-59)",
        )
        .simulation(|_| sim(ack_aggregation)),
        Case::should(
            "tcp.conn.rto.r1-notifies",
            "RFC 9293 §3.8.3 (SHLD-9, SHLD-10)",
        )
        .simulation(|_| sim(r1_notifies)),
        Case::should("tcp.conn.rto.r2-at-least-100s", "RFC 9293 §3.8.3 (SHLD-11)")
            .simulation(|_| sim(r2_default)),
        Case::must(
            "tcp.conn.rto.syn-r2-three-minutes",
            "RFC 9293 §3.8.3 (MUST-22, MUST-23)",
        )
        .simulation(|_| sim(syn_r2)),
        Case::must(
            "tcp.coverage.rfc9293-appendix-b",
            "RFC 9293 Appendix B (every MUST covered or not applicable)",
        )
        .vector(coverage_complete),
    ]
}
