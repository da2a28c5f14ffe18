//! `tcp.flow.*`: Flow control (RFC 9293 §3.8): windows, Nagle, delayed ACKs, silly-window avoidance, zero-window probes.

use super::support::*;
use crate::Case;
use crate::Kind;
use crate::Level::{Must, Should};
use handshake_tcp::conn::pair::{Fate, Pair, Side};
use handshake_tcp::conn::{Config, State};
use handshake_tcp::wire::{SeqNumber, TcpFlags};
use handshake_time::{Duration, Instant};

/// Sends one byte, then ten more one at a time while the first is unacknowledged.
fn small_writes(p: &mut Pair) -> usize {
    let from = p.log.len();
    p.client.send(b"a");
    p.transmit();
    for _ in 0..10 {
        p.client.send(b"b");
        p.transmit();
    }
    p.run_until_idle();
    from
}

fn nagle() -> R {
    let mut p = established_with(Config::default(), 30)?;
    let from = small_writes(&mut p);
    let lens: Vec<usize> = data(&p, Side::Client, from)
        .iter()
        .map(|(_, t)| t.payload.len())
        .collect();
    ensure(lens == [1, 10], || {
        format!("Nagle should send 1 byte, then the 10 queued behind it in one segment: {lens:?}")
    })
}

/// Minshall's Nagle (the default) against classic Nagle (RFC 1122
/// §4.2.3.4), with a receiver that delays ACKs 40 ms (RFC 9293 §3.8.6.3)
/// and an MSS of 536: a 1000-octet request is a full segment and a short
/// tail. Classic Nagle holds the tail until the first segment is
/// acknowledged: the request completes at least one round trip (20 ms)
/// later than with Minshall's variant, which holds a short segment only
/// behind an unacknowledged short one, so both go at once and arrive after
/// the one-way delay (10 ms).
fn nagle_minshall() -> R {
    let latency = |cfg: Config| -> Result<Duration, String> {
        let mut p = established_pair(cfg, Config::default().mss(536), 32)?;
        let start = p.now;
        let req = pattern(1000, 2);
        p.client.send(&req);
        let mut got = Vec::new();
        p.run(Duration::from_secs(5), |p| {
            if let Some(s) = p.server_mut() {
                drain(s, &mut got);
            }
            got.len() == req.len()
        });
        ensure(got == req, || "request not delivered".into())?;
        Ok(p.now - start)
    };
    let minshall = latency(Config::default())?;
    let classic = latency(Config::default().classic_nagle(true))?;
    ensure(
        minshall < Duration::from_millis(20) && classic >= minshall + Duration::from_millis(20),
        || {
            format!("request took {minshall:?} with Minshall's Nagle (want < 20 ms), {classic:?} with classic (want one 20 ms round trip more)")
        },
    )
}

fn nodelay() -> R {
    let mut p = established_with(Config::default().nodelay(true), 31)?;
    let from = small_writes(&mut p);
    let n = data(&p, Side::Client, from).len();
    ensure(n == 11, || {
        format!("with Nagle disabled each write goes at once: {n} segments, want 11")
    })
}

/// Server ACKs for `n` full segments arriving one by one (spaced by the link rate).
fn delayed_acks(n: usize) -> Result<(usize, Pair), String> {
    let mut p = established_with(Config::default(), 32)?;
    p.spacing = Duration::from_micros(200);
    let from = p.log.len();
    p.client.send(&pattern(n * 1460, 1));
    p.run_until_idle();
    let acks = sent(&p, Side::Server, from).len();
    Ok((acks, p))
}

fn delayed_ack_every_second() -> R {
    let (acks, _) = delayed_acks(10)?;
    // SHLD-19: an ACK for at least every second full-sized segment; with
    // delay, no more than one per segment.
    ensure((5..10).contains(&acks), || {
        format!("{acks} ACKs for 10 spaced full-sized segments, want 5 (every second)")
    })
}

fn delayed_ack_bound() -> R {
    // A delay asked for beyond 0.5 s is held under it (MUST-40).
    let cfg = Config::default().delayed_ack(Some(Duration::from_secs(5)));
    let mut p = Pair::new(cfg.clone(), cfg, SeqNumber(33));
    p.run_until_idle();
    let from = p.log.len();
    p.client.send(b"one lonely segment");
    p.run_until_idle();
    let c = data(&p, Side::Client, from);
    let s = sent(&p, Side::Server, from);
    let (Some((t0, _)), Some((t1, _))) = (c.first(), s.first()) else {
        return Err("no segment or no ACK".into());
    };
    let delay = *t1 - (*t0 + p.latency);
    ensure(
        delay > Duration::ZERO && delay < Duration::from_millis(500),
        || format!("ACK delayed by {delay:?}: must be delayed, and by less than 0.5 s"),
    )
}

fn ooo_immediate_ack() -> R {
    let mut p = established_with(Config::default(), 34)?;
    p.spacing = Duration::from_micros(200);
    let mut n = 0;
    p.fate = Box::new(move |side, _, t| {
        if side == Side::Client && !t.payload.is_empty() {
            n += 1;
            if n == 2 {
                return Fate::Drop;
            }
        }
        Fate::Deliver
    });
    let from = p.log.len();
    p.client.send(&pattern(6 * 1460, 2));
    p.run_until_idle();
    // Each segment after the hole arrives out of order and must be answered
    // at once (RFC 5681 §4.2), so the server's ACKs with SACK blocks leave
    // the instant a client segment arrives.
    let arrivals: Vec<Instant> = data(&p, Side::Client, from)
        .iter()
        .enumerate()
        .map(|(i, (t, _))| *t + p.latency + p.spacing * (i as u32 + 1))
        .collect();
    let dup: Vec<Instant> = sent(&p, Side::Server, from)
        .iter()
        .filter(|(_, t)| !t.header.options.sack.is_empty())
        .map(|(t, _)| *t)
        .collect();
    ensure(
        dup.len() >= 3 && dup.iter().all(|t| arrivals.contains(t)),
        || format!("duplicate ACKs at {dup:?}, arrivals {arrivals:?}"),
    )
}

/// The server's advertised right edges (ACK + scaled window), in order.
fn right_edges(p: &Pair, from: usize, shift: u8) -> Vec<u32> {
    sent(p, Side::Server, from)
        .iter()
        .filter(|(_, t)| t.header.flags.contains(TcpFlags::ACK))
        .map(|(_, t)| {
            t.header
                .ack_number
                .0
                .wrapping_add(u32::from(t.header.window) << shift)
        })
        .collect()
}

/// A receiver with a 16 KiB buffer whose application reads 100 bytes every
/// millisecond (slower than the link delivers).
fn slow_reader() -> Result<(Pair, usize), String> {
    let mut p = established_pair(
        Config::default(),
        Config::default().recv_buffer(16 * 1024),
        35,
    )?;
    let from = p.log.len();
    let data = pattern(60_000, 3);
    let mut sent_n = 0;
    let mut got = 0;
    for _ in 0..60_000 {
        sent_n += p.client.send(&data[sent_n..]);
        let mut buf = [0u8; 100];
        got += server(&mut p)?.recv(&mut buf);
        if got == data.len() {
            break;
        }
        p.advance(Duration::from_millis(1));
    }
    ensure(got == data.len(), || {
        format!("slow reader got {got} of {}", data.len())
    })?;
    Ok((p, from))
}

fn receiver_sws() -> R {
    let (mut p, from) = slow_reader()?;
    let shift = server(&mut p)?.window_scales().0;
    let edges = right_edges(&p, from, shift);
    // min(Eff.snd.MSS, RCV.BUFF / 2) = min(1460, 8192).
    let threshold = 1460u32;
    let bad: Vec<u32> = edges
        .windows(2)
        .map(|w| w[1].wrapping_sub(w[0]))
        .filter(|d| *d != 0 && *d < threshold && (*d as i32) > 0)
        .collect();
    ensure(bad.is_empty(), || {
        format!("the right edge moved by less than min(MSS, RCV.BUFF/2) = {threshold}: {bad:?}")
    })
}

fn window_not_shrunk() -> R {
    let (mut p, from) = slow_reader()?;
    let shift = server(&mut p)?.window_scales().0;
    let edges = right_edges(&p, from, shift);
    let back = edges
        .windows(2)
        .find(|w| (w[1].wrapping_sub(w[0]) as i32) < 0);
    ensure(back.is_none(), || {
        format!("the advertised right edge moved left: {back:?}")
    })
}

fn sender_sws() -> R {
    let (p, from) = slow_reader()?;
    // MUST-38: a segment is sent when it is full-sized, or holds all the
    // queued data (PSH), or at least half the largest window seen; a
    // one-octet persist probe is the timer's override.
    let max_wnd = 16 * 1024;
    // Eff.snd.MSS: 1460 less the 12 bytes of the timestamps option.
    let full = 1460 - 12;
    let small: Vec<usize> = data(&p, Side::Client, from)
        .iter()
        .filter(|(_, t)| {
            let n = t.payload.len();
            n < full && n < max_wnd / 2 && n > 1 && !t.header.flags.contains(TcpFlags::PSH)
        })
        .map(|(_, t)| t.payload.len())
        .collect();
    ensure(small.is_empty(), || {
        format!("silly small segments sent: {small:?}")
    })
}

/// A receiver that does not read for `closed`, then reads everything.
fn zero_window(closed: Duration) -> Result<(Pair, usize, bool), String> {
    let mut p = established_pair(Config::default(), Config::default().recv_buffer(4096), 36)?;
    let from = p.log.len();
    let data = pattern(20_000, 4);
    let mut n = 0;
    let mut got = Vec::new();
    let open_at = p.now + closed;
    let done = p.run(closed + Duration::from_secs(600), |p| {
        n += p.client.send(&data[n..]);
        if p.now >= open_at {
            if let Some(s) = p.server_mut() {
                let mut buf = [0u8; 4096];
                loop {
                    let k = s.recv(&mut buf);
                    if k == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..k]);
                }
            }
        }
        got.len() == data.len()
    });
    Ok((p, from, done && got == data))
}

fn zero_window_probes() -> R {
    let (p, from, ok) = zero_window(Duration::from_secs(120))?;
    ensure(ok, || "data incomplete after the window reopened".into())?;
    // Probes: one-octet segments sent while the window is zero.
    let probes: Vec<Instant> = data(&p, Side::Client, from)
        .iter()
        .filter(|(_, t)| t.payload.len() == 1)
        .map(|(t, _)| *t)
        .collect();
    ensure(probes.len() >= 4, || {
        format!("{} zero-window probes in 120 s", probes.len())
    })?;
    // SHLD-30: exponential backoff between probes (until the RTO cap).
    let gaps: Vec<Duration> = probes.windows(2).map(|w| w[1] - w[0]).collect();
    let doubling = gaps
        .windows(2)
        .all(|g| g[1] >= g[0] * 2 - Duration::from_millis(50) || g[1] >= Duration::from_secs(60));
    ensure(doubling, || {
        format!("probe intervals do not back off: {gaps:?}")
    })
}

fn zero_window_indefinite() -> R {
    // 40 minutes closed: far past the 15 backed-off retries a lost segment gets.
    let (p, _, ok) = zero_window(Duration::from_secs(40 * 60))?;
    ensure(ok && p.client.state() == State::Established, || {
        format!(
            "after a long zero window the connection is {:?}, data complete: {ok}",
            p.client.state()
        )
    })
}

fn stop_and_wait() -> R {
    let run = |cfg: Config| -> Result<(Duration, u32), String> {
        let mut p = established_with(cfg, 37)?;
        let start = p.now;
        let data = pattern(50_000, 5);
        let (mut n, mut got, mut worst) = (0, 0, 0u32);
        let done = p.run(Duration::from_secs(600), |p| {
            n += p.client.send(&data[n..]);
            worst = worst.max(p.client.stats().bytes_in_flight);
            if let Some(s) = p.server_mut() {
                let mut buf = [0u8; 65536];
                got += s.recv(&mut buf);
            }
            got == data.len()
        });
        ensure(done, || "transfer incomplete".into())?;
        Ok((p.now - start, worst))
    };
    let (t_sw, worst) = run(Config::default().stop_and_wait(true))?;
    let (t_win, _) = run(Config::default())?;
    ensure(worst as usize <= 1460, || {
        format!("stop-and-wait had {worst} bytes in flight")
    })?;
    ensure(t_sw > t_win * 5, || {
        format!("stop-and-wait took {t_sw:?}, the sliding window {t_win:?}")
    })
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

/// The `tcp.flow.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Case::table(
        Kind::Simulation,
        &[
            (
                Should,
                "tcp.flow.nagle-coalesces",
                "RFC 9293 §3.7.4 (SHLD-7); RFC 896",
                nagle,
            ),
            (
                Must,
                "tcp.flow.nagle-can-be-disabled",
                "RFC 9293 §3.7.4 (MUST-17)",
                nodelay,
            ),
            (
                Should,
                "tcp.flow.nagle-minshall-no-delack-stall",
                "RFC 1122 §4.2.3.4 (Minshall's variant)",
                nagle_minshall,
            ),
            (
                Should,
                "tcp.flow.delayed-ack-every-second-segment",
                "RFC 9293 §3.8.6.3 (SHLD-18, SHLD-19); RFC 5681 §4.2",
                delayed_ack_every_second,
            ),
            (
                Must,
                "tcp.flow.delayed-ack-under-half-second",
                "RFC 9293 §3.8.6.3 (MUST-40)",
                delayed_ack_bound,
            ),
            (
                Should,
                "tcp.flow.out-of-order-acked-at-once",
                "RFC 5681 §4.2; RFC 9293 §3.10.7.4 (MAY-13)",
                ooo_immediate_ack,
            ),
            (
                Must,
                "tcp.flow.receiver-sws-avoidance",
                "RFC 9293 §3.8.6.2.2 (MUST-39)",
                receiver_sws,
            ),
            (
                Should,
                "tcp.flow.window-not-shrunk",
                "RFC 9293 §3.8.6 (SHLD-14)",
                window_not_shrunk,
            ),
            (
                Must,
                "tcp.flow.sender-sws-avoidance",
                "RFC 9293 §3.8.6.2.1 (MUST-38)",
                sender_sws,
            ),
            (
                Must,
                "tcp.flow.zero-window-probes-back-off",
                "RFC 9293 §3.8.6.1 (MUST-35, MUST-36, SHLD-29, SHLD-30)",
                zero_window_probes,
            ),
            (
                Must,
                "tcp.flow.zero-window-indefinitely",
                "RFC 9293 §3.8.6.1 (MUST-37)",
                zero_window_indefinite,
            ),
            (
                Must,
                "tcp.flow.stop-and-wait",
                "RFC 9293 §3.8.6 (one segment in flight, a teaching mode)",
                stop_and_wait,
            ),
            (
                Must,
                "tcp.flow.ack-aggregation",
                "RFC 9293 §3.10.7.4 (MUST-58, MUST-59)",
                ack_aggregation,
            ),
        ],
    )
}
