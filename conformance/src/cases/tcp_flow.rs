//! handshake-tcp flow control and the options negotiated in the SYN: Nagle,
//! delayed ACKs, silly window syndrome avoidance, zero windows and the
//! persist timer, stop-and-wait, SACK (RFC 2018) and timestamps (RFC 7323).

use handshake_tcp::conn::pair::{Fate, Pair, Side};
use handshake_tcp::conn::{Config, Event, State, Transmit};
use handshake_tcp::wire::{SegmentRepr, SeqNumber, TcpFlags, TcpOptions, Timestamps};
use handshake_time::{Duration, Instant};

use super::tcp_conn::{
    ensure, established_pair, established_with, events, exchange, pattern, server, sim,
    transfer_dropping, R,
};
use crate::Case;

/// Segments one side sent, with the time, from log index `from` on.
fn sent(p: &Pair, side: Side, from: usize) -> Vec<(Instant, Transmit)> {
    p.log[from..]
        .iter()
        .filter(|(_, s, _, _)| *s == side)
        .map(|(t, _, x, _)| (*t, x.clone()))
        .collect()
}

fn data(p: &Pair, side: Side, from: usize) -> Vec<(Instant, Transmit)> {
    sent(p, side, from)
        .into_iter()
        .filter(|(_, t)| !t.payload.is_empty())
        .collect()
}

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
            if let Some(s) = p.server.as_mut() {
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
            if let Some(s) = p.server.as_mut() {
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

fn sack_negotiated() -> R {
    let mut p = established_with(Config::default(), 38)?;
    let on = p.client.stats().sack && server(&mut p)?.stats().sack;
    let mut q = established_pair(Config::default(), Config::default().sack(false), 39)?;
    let off = !q.client.stats().sack && !server(&mut q)?.stats().sack;
    // Drop a segment: the SACK-less side must send no SACK option.
    q.fate = Box::new(|side, i, t| {
        if side == Side::Client && !t.payload.is_empty() && i == 4 {
            Fate::Drop
        } else {
            Fate::Deliver
        }
    });
    let from = q.log.len();
    q.client.send(&pattern(20_000, 6));
    q.run_until_idle();
    let blocks = sent(&q, Side::Server, from)
        .iter()
        .any(|(_, t)| !t.header.options.sack.is_empty());
    ensure(on && off && !blocks, || {
        format!("both offer: {on}; one declines: {off}; SACK sent anyway: {blocks}")
    })
}

/// A flight with client data segments `drop` lost, SACK on or off.
fn lossy_flight(cfg: Config, drop: &'static [u64], isn: u32) -> Result<(Pair, usize), String> {
    let mut p = established_with(cfg, isn)?;
    p.spacing = Duration::from_micros(100);
    let from = p.log.len();
    transfer_dropping(&mut p, &pattern(40 * 1460, 7), drop)?;
    Ok((p, from))
}

fn sack_first_block_newest() -> R {
    let (p, from) = lossy_flight(Config::default(), &[2, 5], 40)?;
    // Each ACK's first block holds the newest out-of-order arrival: its
    // right edge is the end of the segment that just arrived, so the first
    // blocks' right edges never go back while the holes stay open.
    let firsts: Vec<(SeqNumber, SeqNumber)> = sent(&p, Side::Server, from)
        .iter()
        .filter_map(|(_, t)| {
            t.header
                .options
                .sack
                .as_slice()
                .first()
                .map(|b| (b.left, b.right))
        })
        .collect();
    let client_ends: Vec<SeqNumber> = data(&p, Side::Client, from)
        .iter()
        .map(|(_, t)| t.header.seq_number + t.payload.len() as u32)
        .collect();
    ensure(
        !firsts.is_empty() && firsts.iter().all(|(_, r)| client_ends.contains(r)),
        || format!("first SACK blocks {firsts:?} do not end at arrived segments"),
    )
}

fn sack_recovery_only_holes() -> R {
    let (p, from) = lossy_flight(Config::default(), &[3, 8, 13], 41)?;
    let st = p.client.stats();
    // RFC 6675: the three holes are retransmitted, nothing SACKed is, and
    // no timeout is needed.
    let mut seqs: Vec<u32> = data(&p, Side::Client, from)
        .iter()
        .map(|(_, t)| t.header.seq_number.0)
        .collect();
    let total = seqs.len();
    seqs.sort_unstable();
    seqs.dedup();
    let resent = total - seqs.len();
    ensure(
        st.timeouts == 0 && resent == 3 && st.retransmits == 3,
        || {
            format!(
                "{resent} segments sent twice, {} retransmissions, {} timeouts (want 3, 3, 0)",
                st.retransmits, st.timeouts
            )
        },
    )
}

fn sack_block_limit() -> R {
    for (ts, max) in [(true, 3), (false, 4)] {
        let cfg = Config::default().timestamps(ts);
        let (p, from) = lossy_flight(cfg, &[2, 4, 6, 8, 10, 12], 42)?;
        let most = sent(&p, Side::Server, from)
            .iter()
            .map(|(_, t)| t.header.options.sack.len())
            .max()
            .unwrap_or(0);
        ensure(most == max, || {
            format!("with timestamps {ts}: at most {most} SACK blocks, want {max}")
        })?;
    }
    Ok(())
}

fn ts_every_segment() -> R {
    let mut p = established_with(Config::default(), 43)?;
    let (_, _) = exchange(&mut p, &pattern(30_000, 8), &pattern(20_000, 9), true);
    let missing = p
        .log
        .iter()
        .filter(|(_, _, t, _)| !t.header.flags.contains(TcpFlags::RST))
        .filter(|(_, _, t, _)| t.header.options.timestamps.is_none())
        .count();
    ensure(missing == 0 && p.client.stats().timestamps, || {
        format!("{missing} non-RST segments without TSopt")
    })
}

fn ts_only_if_both() -> R {
    let mut p = established_pair(Config::default(), Config::default().timestamps(false), 44)?;
    let (_, _) = exchange(&mut p, &pattern(10_000, 10), &pattern(10_000, 11), true);
    // RFC 7323 §3.2: the SYN offers TSopt; without it in the SYN,ACK no
    // later segment carries it.
    let later = p
        .log
        .iter()
        .filter(|(_, _, t, _)| !t.header.flags.contains(TcpFlags::SYN))
        .filter(|(_, _, t, _)| t.header.options.timestamps.is_some())
        .count();
    let syn = p
        .log
        .first()
        .is_some_and(|(_, _, t, _)| t.header.options.timestamps.is_some());
    ensure(syn && later == 0, || {
        format!("SYN offers TSopt: {syn}; {later} later segments carry it")
    })
}

fn paws() -> R {
    let mut p = established_with(Config::default(), 45)?;
    let (_, _) = exchange(&mut p, b"warm up", b"both ways", false);
    p.run_until_idle();
    // The server's last segment: its TSval is the client's TS.Recent.
    let (seq, ack, tsval) = p
        .log
        .iter()
        .rev()
        .find(|(_, s, _, _)| *s == Side::Server)
        .and_then(|(_, _, t, _)| {
            let ts = t.header.options.timestamps?;
            Some((t.header.seq_number, t.header.ack_number, ts.tsval))
        })
        .ok_or("no server segment with TSopt")?;
    // An in-window data segment whose TSval is older: an old duplicate.
    let mut seg = SegmentRepr::new(80, 49152, seq, TcpFlags::ACK | TcpFlags::PSH);
    seg.ack_number = ack;
    seg.window = 1000;
    seg.options = TcpOptions {
        timestamps: Some(Timestamps {
            tsval: tsval.wrapping_sub(1000),
            tsecr: 0,
        }),
        ..TcpOptions::default()
    };
    seg.payload = b"old duplicate";
    let now = p.now;
    let before = p.client.recv_queue();
    p.client.handle_segment(now, &seg);
    let after = p.client.recv_queue();
    let acked = p
        .client
        .poll_transmit(now)
        .is_some_and(|t| t.header.flags == TcpFlags::ACK && t.payload.is_empty());
    ensure(before == after && acked, || {
        format!(
            "PAWS: {} bytes accepted from an old TSval; ACK sent: {acked}",
            after - before
        )
    })
}

fn ts_rttm_retransmission() -> R {
    let mut p = established_with(Config::default().delayed_ack(None), 46)?;
    let mut first = true;
    p.fate = Box::new(move |side, _, t| {
        if side == Side::Client && !t.payload.is_empty() && first {
            first = false;
            Fate::Drop
        } else {
            Fate::Deliver
        }
    });
    let before = p.client.stats().srtt;
    p.client.send(b"timed even when retransmitted");
    p.latency = Duration::from_millis(50);
    p.run_until_idle();
    let after = p.client.stats().srtt;
    // RFC 7323 §4: the echoed TSval names the transmission that was ACKed,
    // so the retransmission gives a true 100 ms sample that moves SRTT.
    ensure(after > before, || {
        format!("SRTT {before:?} -> {after:?}: the retransmission was not timed")
    })
}

fn ts_echo_oldest() -> R {
    // Delayed ACKs: the ACK for two segments echoes the first one's TSval
    // (RFC 7323 §4.3: TS.Recent only advances for SEG.SEQ =< Last.ACK.sent).
    let mut p = established_with(Config::default(), 47)?;
    let from = p.log.len();
    p.client.send(&pattern(1460, 12));
    p.transmit();
    p.advance(Duration::from_millis(5));
    p.client.send(&pattern(1460, 13));
    p.run_until_idle();
    let c = data(&p, Side::Client, from);
    let s = sent(&p, Side::Server, from);
    let first_tsval = c
        .first()
        .and_then(|(_, t)| t.header.options.timestamps)
        .ok_or("no client TSopt")?
        .tsval;
    let second_tsval = c
        .get(1)
        .and_then(|(_, t)| t.header.options.timestamps)
        .ok_or("no second segment")?
        .tsval;
    let echo = s
        .first()
        .and_then(|(_, t)| t.header.options.timestamps)
        .ok_or("no ACK")?
        .tsecr;
    ensure(echo == first_tsval && first_tsval != second_tsval, || {
        format!("ACK echoes {echo}, first TSval {first_tsval}, second {second_tsval}")
    })
}

/// The client sends `prefix` normally, then `urgent` as urgent data.
fn urgent_run(prefix: usize, urgent: usize) -> Result<(Pair, usize), String> {
    let mut p = established_pair(
        Config::default(),
        Config::default().recv_buffer(1 << 20),
        48,
    )?;
    let from = p.log.len();
    let (a, b) = (pattern(prefix, 14), pattern(urgent, 15));
    let mut n = 0;
    while n < a.len() {
        n += p.client.send(&a[n..]);
        p.run_until_idle();
    }
    let mut m = 0;
    while m < b.len() {
        m += p.client.send_urgent(&b[m..]);
        p.run_until_idle();
    }
    Ok((p, from))
}

fn urgent_pointer() -> R {
    let (p, from) = urgent_run(1000, 10)?;
    // MUST-62: SEG.UP is the offset of the first non-urgent octet.
    let urg: Vec<(u32, u16, usize)> = data(&p, Side::Client, from)
        .iter()
        .filter(|(_, t)| t.header.flags.contains(TcpFlags::URG))
        .map(|(_, t)| {
            (
                t.header.seq_number.0,
                t.header.urgent_pointer,
                t.payload.len(),
            )
        })
        .collect();
    let first_seq = data(&p, Side::Client, from)
        .first()
        .map(|(_, t)| t.header.seq_number.0)
        .ok_or("no data")?;
    let end = first_seq.wrapping_add(1010);
    ensure(
        !urg.is_empty()
            && urg
                .iter()
                .all(|(seq, up, _)| seq.wrapping_add(u32::from(*up)) == end),
        || format!("URG segments (seq, up, len) {urg:?}; urgent data ends at {end}"),
    )
}

fn urgent_informed() -> R {
    let (mut p, _) = urgent_run(3000, 500)?;
    let s = server(&mut p)?;
    let ev = events(s);
    let pending = s.urgent_pending();
    let mut buf = vec![0u8; 4000];
    let read = s.recv(&mut buf);
    let after = s.urgent_pending();
    // MUST-32: told asynchronously; MUST-33: can learn how much is queued.
    ensure(
        ev.iter().filter(|e| **e == Event::Urgent).count() == 1
            && pending == 3500
            && read == 3500
            && after == 0,
        || {
            format!(
                "events {ev:?}; urgent pending {pending} (want 3500), read {read}, then {after}"
            )
        },
    )
}

fn urgent_any_length() -> R {
    // MUST-31: an urgent run longer than the 16-bit pointer can reach.
    let (mut p, _) = urgent_run(100, 200_000)?;
    let s = server(&mut p)?;
    let pending = s.urgent_pending();
    let mut got = 0;
    let mut buf = vec![0u8; 65536];
    loop {
        let k = s.recv(&mut buf);
        if k == 0 {
            break;
        }
        got += k;
    }
    ensure(
        pending == 200_100 && got == 200_100 && s.urgent_pending() == 0,
        || format!("urgent pending {pending} (want 200100), read {got}"),
    )
}

fn urgent_zero_window() -> R {
    let mut p = established_pair(Config::default(), Config::default().recv_buffer(2000), 49)?;
    p.client.send(&pattern(2000, 16));
    p.run_until_idle();
    let rcv_nxt = p
        .log
        .iter()
        .rev()
        .find(|(_, s, _, _)| *s == Side::Server)
        .map(|(_, _, t, _)| (t.header.ack_number, t.header.seq_number, t.header.window))
        .ok_or("no server segment")?;
    ensure(rcv_nxt.2 == 0, || {
        format!("window {} not closed", rcv_nxt.2)
    })?;
    // A bare URG,ACK at RCV.NXT while the window is zero (MUST-66).
    let s = server(&mut p)?;
    let _ = events(s);
    let mut seg = SegmentRepr::new(49152, 80, rcv_nxt.0, TcpFlags::ACK | TcpFlags::URG);
    seg.ack_number = rcv_nxt.1;
    seg.window = 65535;
    seg.urgent_pointer = 10;
    seg.options.timestamps = p
        .log
        .iter()
        .rev()
        .find(|(_, s, _, _)| *s == Side::Client)
        .and_then(|(_, _, t, _)| t.header.options.timestamps);
    let now = p.now;
    let s = server(&mut p)?;
    s.handle_segment(now, &seg);
    let ev = events(s);
    ensure(
        ev.contains(&Event::Urgent) && s.urgent_pending() == 2010,
        || {
            format!(
                "zero window: events {ev:?}, urgent pending {}",
                s.urgent_pending()
            )
        },
    )
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::should(
            "tcp.flow.nagle-coalesces",
            "RFC 9293 §3.7.4 (SHLD-7); RFC 896",
        )
        .simulation(|_| sim(nagle)),
        Case::must(
            "tcp.flow.nagle-can-be-disabled",
            "RFC 9293 §3.7.4 (MUST-17)",
        )
        .simulation(|_| sim(nodelay)),
        Case::should(
            "tcp.flow.delayed-ack-every-second-segment",
            "RFC 9293 §3.8.6.3 (SHLD-18, SHLD-19); RFC 5681 §4.2",
        )
        .simulation(|_| sim(delayed_ack_every_second)),
        Case::must(
            "tcp.flow.delayed-ack-under-half-second",
            "RFC 9293 §3.8.6.3 (MUST-40)",
        )
        .simulation(|_| sim(delayed_ack_bound)),
        Case::should(
            "tcp.flow.out-of-order-acked-at-once",
            "RFC 5681 §4.2; RFC 9293 §3.10.7.4 (MAY-13)",
        )
        .simulation(|_| sim(ooo_immediate_ack)),
        Case::must(
            "tcp.flow.receiver-sws-avoidance",
            "RFC 9293 §3.8.6.2.2 (MUST-39)",
        )
        .simulation(|_| sim(receiver_sws)),
        Case::should("tcp.flow.window-not-shrunk", "RFC 9293 §3.8.6 (SHLD-14)")
            .simulation(|_| sim(window_not_shrunk)),
        Case::must(
            "tcp.flow.sender-sws-avoidance",
            "RFC 9293 §3.8.6.2.1 (MUST-38)",
        )
        .simulation(|_| sim(sender_sws)),
        Case::must(
            "tcp.flow.zero-window-probes-back-off",
            "RFC 9293 §3.8.6.1 (MUST-35, MUST-36, SHLD-29, SHLD-30)",
        )
        .simulation(|_| sim(zero_window_probes)),
        Case::must(
            "tcp.flow.zero-window-indefinitely",
            "RFC 9293 §3.8.6.1 (MUST-37)",
        )
        .simulation(|_| sim(zero_window_indefinite)),
        Case::must(
            "tcp.flow.stop-and-wait",
            "RFC 9293 §3.8.6 (one segment in flight, a teaching mode)",
        )
        .simulation(|_| sim(stop_and_wait)),
        Case::must(
            "tcp.urg.pointer-first-non-urgent",
            "RFC 9293 §3.8.5 (MUST-30, MUST-62)",
        )
        .simulation(|_| sim(urgent_pointer)),
        Case::must(
            "tcp.urg.application-informed",
            "RFC 9293 §3.8.5 (MUST-32, MUST-33)",
        )
        .simulation(|_| sim(urgent_informed)),
        Case::must(
            "tcp.urg.any-length",
            "RFC 9293 §3.8.5 (MUST-31); RFC 6093 §4",
        )
        .simulation(|_| sim(urgent_any_length)),
        Case::must("tcp.urg.zero-window", "RFC 9293 §3.10.7.4 (MUST-66)")
            .simulation(|_| sim(urgent_zero_window)),
        Case::must("tcp.sack.negotiated-in-syn", "RFC 2018 §2")
            .simulation(|_| sim(sack_negotiated)),
        Case::must("tcp.sack.first-block-newest-arrival", "RFC 2018 §4")
            .simulation(|_| sim(sack_first_block_newest)),
        Case::should("tcp.sack.recovery-resends-only-holes", "RFC 6675 §5")
            .simulation(|_| sim(sack_recovery_only_holes)),
        Case::must("tcp.sack.blocks-fit-option-space", "RFC 2018 §3")
            .simulation(|_| sim(sack_block_limit)),
        Case::must("tcp.ts.on-every-segment", "RFC 7323 §3.2")
            .simulation(|_| sim(ts_every_segment)),
        Case::must("tcp.ts.only-when-both-offer", "RFC 7323 §3.2")
            .simulation(|_| sim(ts_only_if_both)),
        Case::must("tcp.ts.paws-drops-old-duplicate", "RFC 7323 §5.3 (R1)")
            .simulation(|_| sim(paws)),
        Case::should("tcp.ts.rttm-times-retransmissions", "RFC 7323 §4.1")
            .simulation(|_| sim(ts_rttm_retransmission)),
        Case::must("tcp.ts.echo-oldest-unacknowledged", "RFC 7323 §4.3")
            .simulation(|_| sim(ts_echo_oldest)),
    ]
}
