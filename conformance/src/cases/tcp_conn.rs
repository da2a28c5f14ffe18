//! handshake-tcp: the connection state machine (RFC 9293 §3.3-3.10), RFC 5961
//! challenge ACKs, RFC 6298 retransmission, RFC 6528 ISNs, run over the
//! crate's in-memory pair with a controllable clock.

use proptest::prelude::*;

use handshake_tcp::conn::pair::{client_addr, server_addr, Fate, Pair, Side};
use handshake_tcp::conn::{Config, Connection, Event, IsnGenerator, Listener, State};
use handshake_tcp::wire::{SegmentRepr, SeqNumber, TcpFlags};
use handshake_time::{Duration, Instant};

use crate::{check_property, Case, Ctx, Outcome};

pub(super) type R = Result<(), String>;

pub(super) fn ensure(cond: bool, why: impl FnOnce() -> String) -> R {
    if cond {
        Ok(())
    } else {
        Err(why())
    }
}

pub(super) fn sim(f: fn() -> R) -> Outcome {
    Outcome::from(f())
}

/// Byte i of test stream `tag`.
pub(super) fn pattern(len: usize, tag: u8) -> Vec<u8> {
    (0..len)
        .map(|i| ((i as u32).wrapping_mul(2_654_435_761) >> 8) as u8 ^ tag)
        .collect()
}

pub(super) fn drain(c: &mut Connection, out: &mut Vec<u8>) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = c.recv(&mut buf);
        if n == 0 {
            return;
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// Sends `up` from the client and `down` from the server, reading eagerly;
/// with `close`, each side closes once its data is queued and the run lasts
/// until nothing is pending. Returns (client received, server received).
pub(super) fn exchange(p: &mut Pair, up: &[u8], down: &[u8], close: bool) -> (Vec<u8>, Vec<u8>) {
    let (mut cs, mut ss) = (0, 0);
    let (mut cg, mut sg) = (Vec::new(), Vec::new());
    p.run(Duration::from_secs(3000), |p| {
        cs += p.client.send(&up[cs..]);
        drain(&mut p.client, &mut cg);
        if close && cs == up.len() && p.client.state().is_synchronized() {
            p.client.close();
        }
        if let Some(s) = p.server.as_mut() {
            ss += s.send(&down[ss..]);
            drain(s, &mut sg);
            if close && ss == down.len() && s.state().is_synchronized() {
                s.close();
            }
        }
        cg.len() == down.len() && sg.len() == up.len() && (!close || p.next_event().is_none())
    });
    (cg, sg)
}

pub(super) fn established(isn: u32) -> Result<Pair, String> {
    established_with(Config::default(), isn)
}

pub(super) fn established_with(config: Config, isn: u32) -> Result<Pair, String> {
    established_pair(config.clone(), config, isn)
}

/// A pair with the client's and the server's configs, brought to ESTABLISHED.
pub(super) fn established_pair(client: Config, server: Config, isn: u32) -> Result<Pair, String> {
    let mut p = Pair::new(client, server, SeqNumber(isn));
    p.run_until_idle();
    let s = p.server.as_ref().map(|s| s.state());
    ensure(
        p.client.state() == State::Established && s == Some(State::Established),
        || format!("handshake ended in {:?} / {s:?}", p.client.state()),
    )?;
    Ok(p)
}

pub(super) fn server(p: &mut Pair) -> Result<&mut Connection, String> {
    p.server
        .as_mut()
        .ok_or_else(|| "listener accepted nothing".to_string())
}

pub(super) fn events(c: &mut Connection) -> Vec<Event> {
    std::iter::from_fn(|| c.poll_event()).collect()
}

/// (server RCV.NXT, server SND.NXT) as the client's last segment shows them.
fn server_seqs(p: &Pair) -> Result<(SeqNumber, SeqNumber), String> {
    let (_, _, t, _) = p
        .log
        .iter()
        .rev()
        .find(|(_, s, ..)| *s == Side::Client)
        .ok_or("client sent nothing")?;
    Ok((t.header.seq_number, t.header.ack_number))
}

fn from_client(seq: SeqNumber, flags: TcpFlags) -> SegmentRepr<'static> {
    let mut s = SegmentRepr::new(client_addr().port(), server_addr().port(), seq, flags);
    s.window = 1000;
    s
}

fn three_way() -> R {
    let p = established(4000)?;
    let got: Vec<_> = p
        .log
        .iter()
        .map(|(_, s, t, _)| (*s, t.header.flags, t.header.seq_number, t.header.ack_number))
        .collect();
    ensure(got.len() == 3, || {
        format!("expected 3 segments, saw {got:?}")
    })?;
    let n = got[1].2;
    let want = [
        (Side::Client, TcpFlags::SYN, SeqNumber(4000), SeqNumber(0)),
        (
            Side::Server,
            TcpFlags::SYN | TcpFlags::ACK,
            n,
            SeqNumber(4001),
        ),
        (Side::Client, TcpFlags::ACK, SeqNumber(4001), n + 1),
    ];
    ensure(got == want, || {
        format!("SYN(M) / SYN(N)+ACK(M+1) / ACK(N+1) expected, saw {got:?}")
    })
}

fn simultaneous_open() -> R {
    let mut p = Pair::simultaneous(Config::default(), SeqNumber(10), SeqNumber(20_000));
    p.run_until_idle();
    let s = server(&mut p)?.state();
    ensure(
        p.client.state() == State::Established && s == State::Established,
        || format!("ended in {:?} / {s:?}", p.client.state()),
    )?;
    let (a, b) = (pattern(30_000, 1), pattern(20_000, 2));
    let (cg, sg) = exchange(&mut p, &a, &b, false);
    ensure(cg == b && sg == a, || {
        "data after simultaneous open differs".into()
    })
}

fn syn_retransmit() -> R {
    let mut p = Pair::new(Config::default(), Config::default(), SeqNumber(1));
    p.fate = Box::new(|side, i, _| {
        if side == Side::Client && i < 2 {
            Fate::Drop
        } else {
            Fate::Deliver
        }
    });
    p.run_until_idle();
    let syns: Vec<_> = p
        .log
        .iter()
        .filter(|(_, _, t, _)| t.header.flags == TcpFlags::SYN)
        .map(|(at, ..)| *at)
        .collect();
    let gaps: Vec<_> = syns.windows(2).map(|w| w[1] - w[0]).collect();
    ensure(
        gaps == [Duration::from_secs(1), Duration::from_secs(2)],
        || format!("SYN retransmission gaps {gaps:?}, want [1 s, 2 s]"),
    )?;
    ensure(p.client.state() == State::Established, || {
        "not established".into()
    })?;
    let rto = p.client.stats().rto;
    ensure(rto == Duration::from_secs(3), || {
        format!("RTO after a lost SYN is {rto:?}, RFC 6298 §5.7 wants 3 s")
    })
}

fn mss() -> R {
    let mut p = Pair::new(Config::default(), Config::default().mss(700), SeqNumber(5));
    p.run_until_idle();
    let data = pattern(50_000, 3);
    let (_, sg) = exchange(&mut p, &data, &[], false);
    ensure(sg == data, || "data differs".into())?;
    let big = p
        .log
        .iter()
        .map(|(_, _, t, _)| t.payload.len())
        .max()
        .unwrap_or(0);
    // RFC 9293 §3.7.1 (MUST-16): Eff.snd.MSS = SendMSS less the options
    // each segment carries (12 bytes of timestamps here).
    ensure(big == 700 - 12, || {
        format!("largest segment {big} bytes, peer MSS 700 less 12 bytes of options")
    })
}

fn window_scale() -> R {
    let mut p = established(6)?;
    ensure(p.client.window_scales() == (3, 3), || {
        format!(
            "scales {:?}, want (3, 3) for 256 KiB",
            p.client.window_scales()
        )
    })?;
    let _ = &mut p;
    let mut q = Pair::new(
        Config::default(),
        Config::default().window_scaling(false),
        SeqNumber(6),
    );
    q.run_until_idle();
    ensure(q.client.window_scales() == (0, 0), || {
        format!(
            "peer SYN-ACK had no WS option, yet scales {:?}",
            q.client.window_scales()
        )
    })?;
    let data = pattern(200_000, 4);
    let (_, sg) = exchange(&mut q, &data, &[], false);
    ensure(sg == data, || "unscaled transfer differs".into())
}

fn active_close() -> R {
    let mut p = established(7)?;
    let (a, b) = (pattern(10_000, 5), pattern(12_000, 6));
    p.client.send(&a);
    p.client.close();
    let (mut cg, mut sg) = (Vec::new(), Vec::new());
    p.run(Duration::from_secs(10), |p| {
        drain(&mut p.client, &mut cg);
        if let Some(s) = p.server.as_mut() {
            drain(s, &mut sg);
        }
        p.server.as_ref().map(|s| s.state()) == Some(State::CloseWait) && sg.len() == a.len()
    });
    let s = server(&mut p)?;
    s.send(&b);
    s.close();
    p.run(Duration::from_secs(10), |p| {
        drain(&mut p.client, &mut cg);
        p.server.as_ref().map(|s| s.state()) == Some(State::Closed)
    });
    ensure(sg == a && cg == b, || "data differs".into())?;
    ensure(p.client.state() == State::TimeWait, || {
        format!("active closer in {:?}, want TIME-WAIT", p.client.state())
    })?;
    let ev = events(server(&mut p)?);
    ensure(
        ev == [Event::Connected, Event::PeerClosed, Event::Closed],
        || format!("server events {ev:?}"),
    )
}

fn simultaneous_close() -> R {
    let mut p = established(8)?;
    p.client.close();
    server(&mut p)?.close();
    p.transmit();
    p.step();
    let s = server(&mut p)?.state();
    ensure(
        p.client.state() == State::Closing && s == State::Closing,
        || {
            format!(
                "after crossing FINs: {:?} / {s:?}, want CLOSING",
                p.client.state()
            )
        },
    )?;
    p.advance(Duration::from_secs(1));
    let s = server(&mut p)?.state();
    ensure(
        p.client.state() == State::TimeWait && s == State::TimeWait,
        || format!("{:?} / {s:?}, want TIME-WAIT both", p.client.state()),
    )
}

fn half_close() -> R {
    let mut p = established(9)?;
    p.client.close();
    let data = pattern(150_000, 7);
    let (mut sent, mut got) = (0, Vec::new());
    p.run(Duration::from_secs(60), |p| {
        if let Some(s) = p.server.as_mut() {
            if s.state() == State::CloseWait {
                sent += s.send(&data[sent..]);
            }
        }
        drain(&mut p.client, &mut got);
        got.len() == data.len()
    });
    ensure(got == data, || {
        format!("after our FIN got {} of {} bytes", got.len(), data.len())
    })?;
    ensure(p.client.state() == State::FinWait2, || {
        format!("{:?}", p.client.state())
    })
}

fn time_wait_2msl() -> R {
    for (cfg, want) in [
        (Config::default(), Duration::from_secs(120)),
        (
            Config::default().time_wait(Duration::from_secs(240)),
            Duration::from_secs(240),
        ),
    ] {
        let mut p = Pair::new(cfg, Config::default(), SeqNumber(11));
        p.run_until_idle();
        p.client.close();
        p.run(Duration::from_secs(1), |p| {
            p.server.as_ref().map(|s| s.state()) == Some(State::CloseWait)
        });
        server(&mut p)?.close();
        p.run(Duration::from_secs(1), |p| {
            p.client.state() == State::TimeWait
        });
        let start = p.now;
        p.run(Duration::from_secs(1000), |p| {
            p.client.state() == State::Closed
        });
        let waited = p.now - start;
        ensure(waited == want, || {
            format!("TIME-WAIT lasted {waited:?}, want {want:?}")
        })?;
    }
    Ok(())
}

fn rfc1337() -> R {
    let mut p = established(12)?;
    p.client.close();
    p.run(Duration::from_secs(1), |p| {
        p.server.as_ref().map(|s| s.state()) == Some(State::CloseWait)
    });
    server(&mut p)?.close();
    p.run(Duration::from_secs(1), |p| {
        p.client.state() == State::TimeWait
    });
    let (_, _, last, _) = p
        .log
        .iter()
        .rev()
        .find(|(_, s, ..)| *s == Side::Server)
        .ok_or("no FIN")?;
    let mut rst = SegmentRepr::new(
        80,
        client_addr().port(),
        last.header.seq_number + 1,
        TcpFlags::RST,
    );
    rst.window = 0;
    let now = p.now;
    p.client.handle_segment(now, &rst);
    ensure(p.client.state() == State::TimeWait, || {
        format!(
            "RST in TIME-WAIT moved the connection to {:?}",
            p.client.state()
        )
    })
}

fn rst_challenge() -> R {
    let mut p = established(13)?;
    let (rcv_nxt, snd_nxt) = server_seqs(&p)?;
    let now = p.now;
    let s = server(&mut p)?;
    s.handle_segment(now, &from_client(rcv_nxt + 1, TcpFlags::RST));
    ensure(s.state() == State::Established, || {
        "an inexact RST reset the connection".into()
    })?;
    let t = s.poll_transmit(now).ok_or("no challenge ACK")?;
    let h = t.header;
    ensure(
        h.flags == TcpFlags::ACK && h.seq_number == snd_nxt && h.ack_number == rcv_nxt,
        || format!("challenge ACK {h:?}, want <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"),
    )?;
    s.handle_segment(now, &from_client(rcv_nxt + 5_000_000, TcpFlags::RST));
    ensure(
        s.poll_transmit(now).is_none() && s.state() == State::Established,
        || "an out-of-window RST was not silently dropped".into(),
    )
}

fn rst_exact() -> R {
    let mut p = established(14)?;
    let (rcv_nxt, _) = server_seqs(&p)?;
    let now = p.now;
    let s = server(&mut p)?;
    s.handle_segment(now, &from_client(rcv_nxt, TcpFlags::RST));
    let ev = events(s);
    ensure(
        s.state() == State::Closed && ev.last() == Some(&Event::Reset),
        || format!("RST at RCV.NXT left {:?}, events {ev:?}", s.state()),
    )
}

fn syn_challenge() -> R {
    let mut p = established(15)?;
    let (rcv_nxt, snd_nxt) = server_seqs(&p)?;
    let now = p.now;
    let s = server(&mut p)?;
    for seq in [rcv_nxt, rcv_nxt + 100, rcv_nxt - 100_000] {
        s.handle_segment(now, &from_client(seq, TcpFlags::SYN));
        let t = s.poll_transmit(now).ok_or("no challenge ACK to a SYN")?;
        let h = t.header;
        ensure(
            s.state() == State::Established
                && h.flags == TcpFlags::ACK
                && (h.seq_number, h.ack_number) == (snd_nxt, rcv_nxt),
            || format!("SYN at {seq}: state {:?}, reply {h:?}", s.state()),
        )?;
    }
    Ok(())
}

fn unacceptable() -> R {
    let mut p = established(16)?;
    let (rcv_nxt, snd_nxt) = server_seqs(&p)?;
    let now = p.now;
    let s = server(&mut p)?;
    let mut seg = from_client(rcv_nxt - 3000, TcpFlags::ACK);
    seg.ack_number = snd_nxt;
    seg.payload = b"old data";
    s.handle_segment(now, &seg);
    let t = s
        .poll_transmit(now)
        .ok_or("unacceptable segment not ACKed")?;
    ensure(
        t.header.ack_number == rcv_nxt && s.recv_queue() == 0,
        || {
            format!(
                "ACK {} (want {rcv_nxt}), {} bytes accepted",
                t.header.ack_number,
                s.recv_queue()
            )
        },
    )
}

fn rto_backoff() -> R {
    let mut p = established(17)?;
    let mut n = 0;
    p.fate = Box::new(move |side, _, t| {
        if side == Side::Client && !t.payload.is_empty() && n < 4 {
            n += 1;
            Fate::Drop
        } else {
            Fate::Deliver
        }
    });
    p.client.send(b"x");
    let mut got = Vec::new();
    p.run(Duration::from_secs(100), |p| {
        if let Some(s) = p.server.as_mut() {
            drain(s, &mut got);
        }
        !got.is_empty()
    });
    let times: Vec<_> = p
        .log
        .iter()
        .filter(|(_, s, t, _)| *s == Side::Client && !t.payload.is_empty())
        .map(|(at, ..)| *at)
        .collect();
    let gaps: Vec<_> = times.windows(2).map(|w| (w[1] - w[0]).as_secs()).collect();
    ensure(gaps == [1, 2, 4, 8], || {
        format!("retransmission gaps {gaps:?} s, want [1, 2, 4, 8]")
    })
}

fn karn() -> R {
    // Karn's rule is for ambiguous samples: without timestamps (with them,
    // RFC 7323 §4 times retransmissions exactly).
    let mut p = established_with(Config::default().timestamps(false), 18)?;
    let srtt = p.client.stats().srtt;
    ensure(srtt == Some(Duration::from_millis(20)), || {
        format!("handshake SRTT {srtt:?}")
    })?;
    let mut first = true;
    p.fate = Box::new(move |side, _, t| {
        if side == Side::Client && !t.payload.is_empty() && first {
            first = false;
            Fate::Drop
        } else {
            Fate::Deliver
        }
    });
    p.client.send(b"ambiguous");
    p.run_until_idle();
    let after = p.client.stats().srtt;
    ensure(after == srtt, || {
        format!("SRTT moved to {after:?} from a retransmitted segment")
    })
}

fn give_up() -> R {
    let mut p = Pair::new(
        Config::default().max_retries(4),
        Config::default(),
        SeqNumber(19),
    );
    p.run_until_idle();
    p.fate = Box::new(|side, _, _| {
        if side == Side::Client {
            Fate::Drop
        } else {
            Fate::Deliver
        }
    });
    p.client.send(b"lost");
    p.run_until_idle();
    let ev = events(&mut p.client);
    ensure(
        p.client.state() == State::Closed && ev.last() == Some(&Event::TimedOut),
        || format!("{:?}, events {ev:?}", p.client.state()),
    )?;
    let r = p.client.stats().retransmits;
    ensure(r == 4, || format!("{r} retransmissions, configured 4"))
}

fn wraparound() -> R {
    for isn in [u32::MAX, u32::MAX - 30_000] {
        let mut p = Pair::new(Config::default(), Config::default(), SeqNumber(isn));
        p.run_until_idle();
        let (a, b) = (pattern(80_000, 8), pattern(5_000, 9));
        let (cg, sg) = exchange(&mut p, &a, &b, true);
        ensure(cg == b && sg == a, || {
            format!("data differs across 2^32 (ISN {isn:#x})")
        })?;
        ensure(p.client.state() == State::Closed, || {
            format!("{:?}", p.client.state())
        })?;
    }
    Ok(())
}

fn receive_window() -> R {
    let mut p = Pair::new(
        Config::default(),
        Config::default().recv_buffer(3000),
        SeqNumber(20),
    );
    p.run_until_idle();
    p.client.send(&pattern(10_000, 10));
    p.advance(Duration::from_secs(5));
    let q = server(&mut p)?.recv_queue();
    ensure(q == 3000, || {
        format!("receiver holds {q} bytes with a 3000-byte window")
    })?;
    let sent: usize = p
        .log
        .iter()
        .filter(|(_, s, t, _)| *s == Side::Client && t.payload.len() > 1)
        .map(|(_, _, t, _)| t.payload.len())
        .sum();
    ensure(sent == 3000, || {
        format!("sender sent {sent} bytes into a 3000-byte window")
    })
}

fn listener_backlog() -> R {
    let mut l = Listener::new(
        Config::default(),
        server_addr(),
        IsnGenerator::new([1; 32]),
        3,
    );
    let now = Instant::ZERO;
    for port in 2000..2010u16 {
        let mut syn = SegmentRepr::new(port, 80, SeqNumber(7), TcpFlags::SYN);
        syn.window = 100;
        l.handle_segment(
            now,
            std::net::SocketAddr::from(([192, 0, 2, 5], port)),
            &syn,
        );
    }
    ensure(l.half_open() == 3 && l.dropped_syns() == 7, || {
        format!(
            "{} half-open, {} dropped; backlog 3 of 10 SYNs",
            l.half_open(),
            l.dropped_syns()
        )
    })?;
    let mut ack = SegmentRepr::new(3000, 80, SeqNumber(1), TcpFlags::ACK);
    ack.ack_number = SeqNumber(4242);
    l.handle_segment(
        now,
        std::net::SocketAddr::from(([192, 0, 2, 5], 3000)),
        &ack,
    );
    let rst = std::iter::from_fn(|| l.poll_transmit(now))
        .find(|(_, t)| t.header.flags.contains(TcpFlags::RST));
    ensure(
        rst.is_some_and(|(_, t)| t.header.seq_number == SeqNumber(4242)),
        || "an ACK in LISTEN got no <SEQ=SEG.ACK><CTL=RST>".into(),
    )
}

fn isn(ctx: &mut Ctx) -> Outcome {
    let strategy = (
        any::<[u8; 32]>(),
        any::<u16>(),
        any::<u16>(),
        0u64..1 << 50,
        1u64..1_000_000,
    );
    check_property(ctx, strategy, |(key, lp, rp, t, ticks)| {
        let g = IsnGenerator::new(key);
        let a = std::net::SocketAddr::from(([192, 0, 2, 1], lp));
        let b = std::net::SocketAddr::from(([192, 0, 2, 2], rp));
        let now = Instant::from_nanos(t);
        let later = Instant::from_nanos(t + ticks * 4_000);
        prop_assert_eq!(g.isn(later, a, b), g.isn(now, a, b) + ticks as u32);
        let a2 = std::net::SocketAddr::from(([192, 0, 2, 1], lp.wrapping_add(1)));
        prop_assert_ne!(g.isn(now, a, b), g.isn(now, a2, b));
        let mut k2 = key;
        k2[0] ^= 1;
        prop_assert_ne!(IsnGenerator::new(k2).isn(now, a, b), g.isn(now, a, b));
        Ok(())
    })
}

fn lossy(ctx: &mut Ctx) -> Outcome {
    let strategy = (
        any::<u64>(),
        0u64..=20,
        0u64..=10,
        0u64..=20,
        0usize..40_000,
        0usize..40_000,
        any::<u32>(),
    );
    ctx.property_cases = ctx.property_cases.min(64);
    check_property(
        ctx,
        strategy,
        |(seed, loss, dup, reorder, up, down, isn)| {
            let cfg = Config::default().recv_buffer(16 * 1024).mss(1000);
            let mut p = Pair::new(cfg.clone(), cfg, SeqNumber(isn));
            // Every segment goes through emit, checksum and parse on the way.
            p.wire = true;
            let mut x = seed;
            let mut next = move || {
                x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = x;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                (z ^ (z >> 31)) % 100
            };
            p.fate = Box::new(move |_, _, _| {
                if next() < loss {
                    Fate::Drop
                } else if next() < dup {
                    Fate::Duplicate
                } else if next() < reorder {
                    Fate::Delay(Duration::from_millis(next() % 40))
                } else {
                    Fate::Deliver
                }
            });
            let (a, b) = (pattern(up, 11), pattern(down, 12));
            let (cg, sg) = exchange(&mut p, &a, &b, true);
            prop_assert!(
                sg == a,
                "client->server: {} of {} bytes, or out of order",
                sg.len(),
                a.len()
            );
            prop_assert_eq!(p.wire_errors, 0);
            prop_assert!(
                cg == b,
                "server->client: {} of {} bytes, or out of order",
                cg.len(),
                b.len()
            );
            let done = |s: Option<State>| matches!(s, Some(State::Closed | State::TimeWait));
            let s = p.server.as_ref().map(|s| s.state());
            prop_assert!(
                done(Some(p.client.state())) && done(s),
                "ended in {:?} / {:?}",
                p.client.state(),
                s
            );
            Ok(())
        },
    )
}

fn out_of_order() -> R {
    let mut p = established(21)?;
    p.fate = Box::new(|side, i, _| {
        if side == Side::Client && i % 5 == 1 {
            Fate::Delay(Duration::from_millis(25))
        } else {
            Fate::Deliver
        }
    });
    let data = pattern(120_000, 13);
    let (_, sg) = exchange(&mut p, &data, &[], false);
    ensure(sg == data, || {
        "reordered data not reassembled in order".into()
    })?;
    let held = server(&mut p)?.stats().reassembly_bytes;
    let st = p.client.stats();
    // Reordering by three or more segments looks like loss to RFC 5681
    // §3.2 fast retransmit; what must not happen is a timeout: reassembly,
    // not the retransmission timer, delivers the data.
    ensure(held == 0 && st.timeouts == 0, || {
        format!(
            "{held} bytes left out of order, {} retransmission timeouts (reordering needs none)",
            st.timeouts
        )
    })
}

fn abort() -> R {
    let mut p = established(22)?;
    p.client.send(b"never sent in full");
    p.client.abort();
    p.run_until_idle();
    let rst = p
        .log
        .iter()
        .any(|(_, s, t, _)| *s == Side::Client && t.header.flags == TcpFlags::RST);
    let s = server(&mut p)?;
    let ev = events(s);
    ensure(
        rst && s.state() == State::Closed && ev.last() == Some(&Event::Reset),
        || format!("RST sent: {rst}; peer {:?}, events {ev:?}", s.state()),
    )
}

fn syn_sent_bad_ack() -> R {
    let now = Instant::ZERO;
    let mut c = Connection::connect(
        Config::default(),
        client_addr(),
        server_addr(),
        now,
        SeqNumber(500),
    );
    c.poll_transmit(now).ok_or("no SYN")?;
    let mut bad = SegmentRepr::new(
        80,
        client_addr().port(),
        SeqNumber(9),
        TcpFlags::SYN | TcpFlags::ACK,
    );
    bad.ack_number = SeqNumber(400);
    c.handle_segment(now, &bad);
    let t = c
        .poll_transmit(now)
        .ok_or("no RST for an unacceptable ACK")?;
    ensure(
        t.header.flags == TcpFlags::RST
            && t.header.seq_number == SeqNumber(400)
            && c.state() == State::SynSent,
        || format!("reply {:?}, state {:?}", t.header, c.state()),
    )?;
    // A RST without an acceptable ACK is ignored in SYN-SENT.
    let rst = SegmentRepr::new(80, client_addr().port(), SeqNumber(9), TcpFlags::RST);
    c.handle_segment(now, &rst);
    ensure(c.state() == State::SynSent, || {
        "a RST without ACK closed SYN-SENT".into()
    })
}

fn time_wait_fin_retransmit() -> R {
    let mut p = established(23)?;
    p.client.close();
    p.run(Duration::from_secs(1), |p| {
        p.server.as_ref().map(|s| s.state()) == Some(State::CloseWait)
    });
    server(&mut p)?.close();
    p.run(Duration::from_secs(1), |p| {
        p.client.state() == State::TimeWait
    });
    let fin = p
        .log
        .iter()
        .rev()
        .find(|(_, s, t, _)| *s == Side::Server && t.header.flags.contains(TcpFlags::FIN))
        .map(|(_, _, t, _)| t.clone())
        .ok_or("no FIN")?;
    p.advance(Duration::from_secs(60));
    let now = p.now;
    p.client.handle_segment(now, &fin.repr());
    let ack = p
        .client
        .poll_transmit(now)
        .ok_or("retransmitted FIN not ACKed in TIME-WAIT")?;
    ensure(ack.header.ack_number == fin.header.seq_number + 1, || {
        format!("ACK {:?}", ack.header)
    })?;
    let start = p.now;
    p.run(Duration::from_secs(1000), |p| {
        p.client.state() == State::Closed
    });
    let waited = p.now - start;
    ensure(waited == Duration::from_secs(120), || {
        format!("TIME-WAIT not restarted by the FIN: {waited:?} after it, want 120 s")
    })
}

fn random_segments(ctx: &mut Ctx) -> Outcome {
    let seg = (
        any::<u32>(),
        any::<u32>(),
        any::<u8>(),
        any::<u16>(),
        0usize..2000,
        any::<Option<u8>>(),
    );
    let strategy = (0u8..3, any::<bool>(), proptest::collection::vec(seg, 1..25));
    check_property(ctx, strategy, |(stage, to_client, segs)| {
        let cfg = Config::default().recv_buffer(8192);
        let mut p = Pair::new(cfg.clone(), cfg, SeqNumber(u32::MAX - 50));
        p.run_until_idle();
        if stage >= 1 {
            p.client.close();
        }
        if stage >= 2 {
            p.advance(Duration::from_millis(50));
            if let Some(s) = p.server.as_mut() {
                s.close();
            }
        }
        p.advance(Duration::from_millis(50));
        for (seq, ack, flags, window, len, ws) in segs {
            let now = p.now;
            let c = match (to_client, p.server.as_mut()) {
                (false, Some(s)) => s,
                _ => &mut p.client,
            };
            // Half of the numbers land near the live window, half anywhere.
            let near = |x: u32, base: u32| {
                if x.is_multiple_of(2) {
                    base.wrapping_add(x % 4000).wrapping_sub(2000)
                } else {
                    x
                }
            };
            let last = c.stats().segments_received as u32;
            let mut s = SegmentRepr::new(
                c.remote().port(),
                c.local().port(),
                SeqNumber(near(seq, last)),
                TcpFlags::from_bits_retain(flags),
            );
            s.ack_number = SeqNumber(ack);
            s.window = window;
            s.options.window_scale = ws;
            let payload = vec![1u8; len];
            s.payload = &payload;
            c.handle_segment(now, &s);
            let mut n = 0;
            while c.poll_transmit(now).is_some() {
                n += 1;
                prop_assert!(n < 1000, "poll_transmit never stops");
            }
            prop_assert!(
                c.stats().reassembly_bytes + c.recv_queue() <= 8192,
                "receive side outgrew its buffer"
            );
            p.advance(Duration::from_millis(u64::from(window % 2000)));
        }
        p.run_until_idle();
        prop_assert!(p.next_event().is_none(), "timers never ran out");
        Ok(())
    })
}

fn challenge_throttle() -> R {
    let cfg = Config::default().challenge_ack_limit(10);
    let mut p = Pair::new(Config::default(), cfg, SeqNumber(24));
    p.run_until_idle();
    let (rcv_nxt, _) = server_seqs(&p)?;
    let now = p.now;
    let s = server(&mut p)?;
    let mut acks = 0;
    for i in 0..1000u32 {
        s.handle_segment(now, &from_client(rcv_nxt + 1 + i, TcpFlags::RST));
        while s.poll_transmit(now).is_some() {
            acks += 1;
        }
    }
    ensure(acks == 10 && s.state() == State::Established, || {
        format!("{acks} challenge ACKs for 1000 blind RSTs in one second, limit 10")
    })
}

/// The connection cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must("tcp.conn.handshake.three-way", "RFC 9293 §3.5").simulation(|_| sim(three_way)),
        Case::must(
            "tcp.conn.handshake.simultaneous-open",
            "RFC 9293 §3.5 (Figure 8)",
        )
        .simulation(|_| sim(simultaneous_open)),
        Case::must(
            "tcp.conn.handshake.syn-retransmit",
            "RFC 6298 §5.7, RFC 9293 §3.8.1",
        )
        .simulation(|_| sim(syn_retransmit)),
        Case::must("tcp.conn.options.mss", "RFC 9293 §3.7.1").simulation(|_| sim(mss)),
        Case::must(
            "tcp.conn.options.window-scale-both-syns",
            "RFC 7323 §1.3, §2.2",
        )
        .simulation(|_| sim(window_scale)),
        Case::must("tcp.conn.close.active", "RFC 9293 §3.6 (case 1)")
            .simulation(|_| sim(active_close)),
        Case::must("tcp.conn.close.simultaneous", "RFC 9293 §3.6 (case 3)")
            .simulation(|_| sim(simultaneous_close)),
        Case::must(
            "tcp.conn.close.half-close",
            "RFC 9293 §3.6 (half-duplex close)",
        )
        .simulation(|_| sim(half_close)),
        Case::must(
            "tcp.conn.close.time-wait-2msl",
            "RFC 9293 §3.6.1, §3.10.7.4",
        )
        .simulation(|_| sim(time_wait_2msl)),
        Case::should(
            "tcp.conn.rst.time-wait-rfc1337",
            "RFC 1337 §3 (TIME-WAIT assassination)",
        )
        .simulation(|_| sim(rfc1337)),
        Case::must("tcp.conn.rst.challenge-ack", "RFC 5961 §3.2")
            .simulation(|_| sim(rst_challenge)),
        Case::must(
            "tcp.conn.rst.exact-resets",
            "RFC 5961 §3.2, RFC 9293 §3.10.7.4",
        )
        .simulation(|_| sim(rst_exact)),
        Case::should("tcp.conn.rst.challenge-ack-throttle", "RFC 5961 §7")
            .simulation(|_| sim(challenge_throttle)),
        Case::must("tcp.conn.syn.challenge-ack", "RFC 5961 §4.2")
            .simulation(|_| sim(syn_challenge)),
        Case::must("tcp.conn.seq.unacceptable-acked", "RFC 9293 §3.10.7.4")
            .simulation(|_| sim(unacceptable)),
        Case::must("tcp.conn.seq.wraparound", "RFC 9293 §3.4").simulation(|_| sim(wraparound)),
        Case::must("tcp.conn.flow.receive-window", "RFC 9293 §3.8.6")
            .simulation(|_| sim(receive_window)),
        Case::must("tcp.conn.rto.backoff", "RFC 6298 §5.5").simulation(|_| sim(rto_backoff)),
        Case::must("tcp.conn.rto.karn", "RFC 6298 §3").simulation(|_| sim(karn)),
        Case::must("tcp.conn.rto.give-up", "RFC 9293 §3.8.3 (R2)").simulation(|_| sim(give_up)),
        Case::must("tcp.conn.listen.backlog-and-rst", "RFC 9293 §3.10.7.2")
            .simulation(|_| sim(listener_backlog)),
        Case::must("tcp.conn.reassembly.out-of-order", "RFC 9293 §3.10.7.4")
            .simulation(|_| sim(out_of_order)),
        Case::must("tcp.conn.close.abort-rst", "RFC 9293 §3.10.5").simulation(|_| sim(abort)),
        Case::must(
            "tcp.conn.syn-sent.bad-ack-rst",
            "RFC 9293 §3.10.7.3, RFC 5961 §3.2",
        )
        .simulation(|_| sim(syn_sent_bad_ack)),
        Case::must(
            "tcp.conn.close.time-wait-fin-retransmit",
            "RFC 9293 §3.10.7.4 (TIME-WAIT, eighth)",
        )
        .simulation(|_| sim(time_wait_fin_retransmit)),
        Case::must("tcp.conn.robustness.random-segments", "RFC 9293 §3.10.7")
            .property(random_segments),
        Case::must("tcp.conn.isn.rfc6528", "RFC 6528 §3").property(isn),
        Case::must(
            "tcp.conn.reliability.lossy-link",
            "RFC 9293 §3.10.7.4, §3.8.1",
        )
        .property(lossy),
    ]
}

/// A transfer of `data` from the client over `p` whose client data segments
/// number `drop` (1-based, counting retransmissions) are lost once.
pub(super) fn transfer_dropping(p: &mut Pair, data: &[u8], drop: &'static [u64]) -> R {
    let mut k = 0u64;
    p.fate = Box::new(move |side, _, t| {
        if side == Side::Client && !t.payload.is_empty() {
            k += 1;
            if drop.contains(&k) {
                return Fate::Drop;
            }
        }
        Fate::Deliver
    });
    let (_, got) = exchange(p, data, &[], false);
    ensure(got == data, || "data not delivered intact".into())?;
    p.run_until_idle();
    Ok(())
}
