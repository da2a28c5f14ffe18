//! `tcp.cc.*`: Congestion control (RFC 5681, RFC 6582, RFC 9438): Reno, NewReno and CUBIC.

use super::support::*;
use crate::Case;
use crate::Kind;
use crate::Level::{Must, Should};
use handshake_tcp::congestion::{Algorithm, CongestionControl, Cubic};
use handshake_tcp::conn::pair::{Fate, Pair, Side};
use handshake_tcp::conn::{Config, CwndCause, TraceEvent};
use handshake_tcp::wire::SeqNumber;
use handshake_time::{Duration, Instant};

const MSS: u32 = 1460;

/// Without TSopt the SMSS is the whole 1460 (RFC 9293 §3.7.1 takes an
/// option's octets out of it), so the RFC 5681 arithmetic reads in [`MSS`].
fn traced(algorithm: Algorithm, sack: bool) -> Config {
    Config::default()
        .timestamps(false)
        .congestion(algorithm)
        .sack(sack)
        .trace(1 << 16)
}

/// Client data segments grouped by the instant they were sent.
fn flights(p: &Pair, from: usize) -> Vec<(Instant, usize)> {
    let mut out: Vec<(Instant, usize)> = Vec::new();
    for (t, s, x, _) in &p.log[from..] {
        if *s != Side::Client || x.payload.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some((at, n)) if at == t => *n += 1,
            _ => out.push((*t, 1)),
        }
    }
    out
}

/// One cwnd change: (at, cwnd, ssthresh, flight, cause).
type CwndChange = (Instant, u32, u32, u32, CwndCause);

fn cwnd_events(p: &mut Pair) -> Vec<CwndChange> {
    p.client
        .drain_trace()
        .filter_map(|e| match e {
            TraceEvent::Cwnd {
                at,
                cwnd,
                ssthresh,
                flight,
                cause,
            } => Some((at, cwnd, ssthresh, flight, cause)),
            _ => None,
        })
        .collect()
}

/// A transfer of `segments` full segments with client data segments number
/// `drop` (1-based) lost once, over a link that takes 100 µs per segment.
fn transfer(cfg: Config, segments: usize, drop: &'static [u64], isn: u32) -> Result<Pair, String> {
    let mut p = established_with(cfg, isn)?;
    p.spacing = Duration::from_micros(100);
    transfer_dropping(&mut p, &pattern(segments * MSS as usize, 1), drop)?;
    Ok(p)
}

/// How many segments the client sends at once when it has 100,000 bytes
/// to send.
fn first_flight(p: &mut Pair) -> usize {
    let from = p.log.len();
    p.client.send(&pattern(100_000, 2));
    p.transmit();
    flights(p, from).first().map_or(0, |f| f.1)
}

fn initial_window() -> R {
    let mut p = established_with(Config::default(), 50)?;
    let first = first_flight(&mut p);
    // RFC 6928 §2: min(10*MSS, max(2*MSS, 14600)) = 10 segments of 1460.
    ensure(first == 10, || {
        format!("first flight {first} segments, want 10")
    })
}

fn lost_syn_window() -> R {
    let mut p = Pair::new(Config::default(), Config::default(), SeqNumber(51));
    let mut first = true;
    p.fate = Box::new(move |side, _, t| {
        if side == Side::Client
            && first
            && t.header.flags.contains(handshake_tcp::wire::TcpFlags::SYN)
        {
            first = false;
            Fate::Drop
        } else {
            Fate::Deliver
        }
    });
    p.run_until_idle();
    let first = first_flight(&mut p);
    ensure(first == 1, || {
        format!("after a lost SYN the first flight is {first} segments, want 1")
    })
}

fn slow_start_doubles() -> R {
    let mut p = established_with(Config::default().recv_buffer(4 << 20), 52)?;
    let from = p.log.len();
    let data = pattern(2_000_000, 4);
    let (_, got) = exchange(&mut p, &data, &[], false);
    ensure(got == data, || "transfer incomplete".into())?;
    let sizes: Vec<usize> = flights(&p, from).iter().map(|f| f.1).take(5).collect();
    // One aggregated ACK per round trip on this link: each round sends what
    // the last one acknowledged twice over (RFC 5681 §3.1: cwnd += acked).
    ensure(sizes == [10, 20, 40, 80, 160], || {
        format!("segments per round trip {sizes:?}, want 10, 20, 40, 80, 160")
    })
}

fn fast_retransmit() -> R {
    let mut p = transfer(traced(Algorithm::Reno, false), 60, &[15], 53)?;
    let st = p.client.stats();
    ensure(st.timeouts == 0 && st.fast_retransmits == 1, || {
        format!(
            "{} timeouts, {} fast retransmits (want 0, 1)",
            st.timeouts, st.fast_retransmits
        )
    })?;
    // The loss is answered on the third duplicate ACK, not before.
    let trace: Vec<TraceEvent> = p.client.drain_trace().collect();
    let fr_at = trace
        .iter()
        .find_map(|e| match e {
            TraceEvent::Cwnd {
                at,
                cause: CwndCause::FastRetransmit,
                ..
            } => Some(*at),
            _ => None,
        })
        .ok_or("no fast retransmit in the trace")?;
    let mut last_ack = None;
    let mut dups = 0;
    for e in &trace {
        if let TraceEvent::Received { at, segment } = e {
            if *at > fr_at {
                break;
            }
            if last_ack == Some(segment.ack) && segment.len == 0 {
                dups += 1;
            } else {
                dups = 0;
            }
            last_ack = Some(segment.ack);
        }
    }
    ensure(dups == 3, || {
        format!("fast retransmit after {dups} duplicate ACKs, want 3")
    })?;
    let (cwnd, ssthresh, flight) = trace
        .iter()
        .find_map(|e| match e {
            TraceEvent::Cwnd {
                cwnd,
                ssthresh,
                flight,
                cause: CwndCause::FastRetransmit,
                ..
            } => Some((*cwnd, *ssthresh, *flight)),
            _ => None,
        })
        .ok_or("no fast retransmit event")?;
    // RFC 5681 §3.2: ssthresh = max(FlightSize/2, 2*SMSS); cwnd = ssthresh + 3*SMSS.
    let want = (flight / 2).max(2 * MSS);
    ensure(ssthresh == want && cwnd == want + 3 * MSS, || {
        format!(
            "flight {flight}: ssthresh {ssthresh} (want {want}), cwnd {cwnd} (want {})",
            want + 3 * MSS
        )
    })
}

fn rto_loss_window() -> R {
    let mut p = established_with(traced(Algorithm::Reno, true), 54)?;
    // A black hole for the client's data for 5 s, then the link heals.
    let heal = p.now + Duration::from_secs(5);
    let clock = std::rc::Rc::new(std::cell::Cell::new(p.now));
    let c2 = clock.clone();
    p.fate = Box::new(move |side, _, t| {
        if side == Side::Client && !t.payload.is_empty() && c2.get() < heal {
            Fate::Drop
        } else {
            Fate::Deliver
        }
    });
    let data = pattern(50_000, 5);
    let mut n = 0;
    let mut got = 0;
    p.run(Duration::from_secs(600), |p| {
        clock.set(p.now);
        n += p.client.send(&data[n..]);
        if let Some(s) = p.server_mut() {
            let mut buf = [0u8; 65536];
            got += s.recv(&mut buf);
        }
        got == data.len()
    });
    ensure(got == data.len(), || "transfer incomplete".into())?;
    let ev = cwnd_events(&mut p);
    let timeouts: Vec<_> = ev.iter().filter(|e| e.4 == CwndCause::Timeout).collect();
    let first = timeouts.first().ok_or("no timeout")?;
    let want = (first.3 / 2).max(2 * MSS);
    // RFC 5681 §3.1: cwnd = 1 segment (the loss window); ssthresh from FlightSize,
    // then held while the same segment times out again.
    ensure(
        timeouts.len() >= 2 && timeouts.iter().all(|e| e.1 == MSS && e.2 == want),
        || {
            format!("timeouts (at, cwnd, ssthresh, flight): {timeouts:?}; want cwnd {MSS}, ssthresh {want}")
        },
    )
}

fn two_losses(alg: Algorithm) -> Result<(Pair, Vec<CwndChange>), String> {
    let mut p = transfer(traced(alg, false), 60, &[15, 19], 55)?;
    let ev = cwnd_events(&mut p);
    Ok((p, ev))
}

fn newreno_partial_ack() -> R {
    let (p, ev) = two_losses(Algorithm::NewReno)?;
    let st = p.client.stats();
    let partial = ev.iter().any(|e| e.4 == CwndCause::PartialAck);
    // RFC 6582 §3.2: a partial ACK retransmits the next hole at once; both
    // losses repaired in one recovery, with no timeout.
    ensure(
        partial && st.timeouts == 0 && st.fast_retransmits == 1 && st.retransmits == 2,
        || format!("partial ACK seen: {partial}; {st:?}"),
    )
}

fn reno_first_new_ack() -> R {
    let (_, ev) = two_losses(Algorithm::Reno)?;
    // RFC 5681 §3.2 step 6: Reno deflates to ssthresh at the first ACK of
    // new data, even a partial one.
    let fr = ev
        .iter()
        .position(|e| e.4 == CwndCause::FastRetransmit)
        .ok_or("no fast retransmit")?;
    let next = ev[fr + 1..]
        .iter()
        .find(|e| e.4 != CwndCause::DupAckInflation)
        .ok_or("recovery never ended")?;
    ensure(
        next.4 == CwndCause::RecoveryEnd && next.1 == ev[fr].2,
        || {
            format!(
                "after fast retransmit: {next:?} (want RecoveryEnd with cwnd = ssthresh {})",
                ev[fr].2
            )
        },
    )
}

fn avoidance_linear() -> R {
    let mut p = transfer(traced(Algorithm::Reno, true), 1500, &[40], 56)?;
    let srtt = p.client.stats().srtt.ok_or("no RTT")?;
    let ev = cwnd_events(&mut p);
    let end = ev
        .iter()
        .position(|e| e.4 == CwndCause::RecoveryEnd)
        .ok_or("no recovery")?;
    // Congestion avoidance: each +SMSS step takes about one RTT of ACKs.
    let steps: Vec<(Instant, u32)> = ev[end + 1..]
        .iter()
        .filter(|e| e.4 == CwndCause::Ack && e.1 < e.2.max(1) * 4)
        .map(|e| (e.0, e.1))
        .take(12)
        .collect();
    ensure(steps.len() >= 6, || {
        format!("only {} avoidance steps", steps.len())
    })?;
    let bad: Vec<String> = steps
        .windows(2)
        .filter(|w| {
            w[1].1 != w[0].1 + MSS || w[1].0 - w[0].0 < srtt / 3 || w[1].0 - w[0].0 > srtt * 3
        })
        .map(|w| format!("{:?}->{:?}", w[0], w[1]))
        .collect();
    ensure(bad.is_empty(), || {
        format!("avoidance steps not +1 SMSS per RTT ({srtt:?}): {bad:?}")
    })
}

fn cubic_beta() -> R {
    let mut p = transfer(traced(Algorithm::Cubic, true), 80, &[30], 57)?;
    let ev = cwnd_events(&mut p);
    let (_, cwnd, ssthresh, flight, _) = *ev
        .iter()
        .find(|e| e.4 == CwndCause::FastRetransmit)
        .ok_or("no fast retransmit")?;
    // RFC 9438 §4.6: ssthresh = flight_size * beta_cubic (0.7); cwnd = ssthresh.
    let want = ((f64::from(flight) * 0.7) as u32).max(2 * MSS);
    ensure(ssthresh.abs_diff(want) <= 1 && cwnd == ssthresh, || {
        format!("flight {flight}: ssthresh {ssthresh} (want {want}), cwnd {cwnd}")
    })
}

/// Feeds a CUBIC controller one window of one-segment ACKs per RTT.
fn ack_clock(c: &mut Cubic, from: Instant, until: Instant, rtt: Duration) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut now = from;
    while now < until {
        out.push((
            (now - from).as_secs_f64(),
            f64::from(c.cwnd()) / f64::from(MSS),
        ));
        for _ in 0..(c.cwnd() / MSS).max(1) {
            c.on_ack(now, MSS, MSS, Some(rtt));
        }
        now += rtt;
    }
    out
}

fn cubic_curve() -> R {
    let mut c = Cubic::new(MSS, 10);
    c.set_cwnd(200 * MSS);
    let t0 = Instant::from_nanos(1_000_000_000);
    c.on_congestion_event(t0, 200 * MSS, MSS);
    let k = (200.0 * 0.3 / 0.4f64).cbrt();
    let rtt = Duration::from_millis(100);
    let until = t0 + Duration::from_secs_f64(2.0 * k);
    let samples = ack_clock(&mut c, t0, until, rtt);
    // RFC 9438 §4.2: W(t) follows C (t - K)^3 + W_max (here 200), concave
    // before K and convex after, within the per-RTT step.
    let w = |t: f64| 0.4 * (t - k).powi(3) + 200.0;
    let off: Vec<String> = samples
        .iter()
        .filter(|(t, _)| *t > 0.5)
        .filter(|(t, cw)| (cw - w(*t)).abs() > 0.08 * w(*t) + 3.0)
        .map(|(t, cw)| format!("t={t:.2}s cwnd {cw:.1} want {:.1}", w(*t)))
        .collect();
    let at_k = samples
        .iter()
        .min_by(|a, b| (a.0 - k).abs().total_cmp(&(b.0 - k).abs()))
        .map_or(0.0, |s| s.1);
    ensure(off.is_empty() && (at_k - 200.0).abs() < 10.0, || {
        format!("K = {k:.2}s, cwnd at K {at_k:.1}; off the curve: {off:?}")
    })
}

fn cubic_fast_convergence() -> R {
    let mut c = Cubic::new(MSS, 10);
    c.set_cwnd(100 * MSS);
    let t = Instant::ZERO;
    c.on_congestion_event(t, 100 * MSS, MSS);
    // A second loss before regaining W_max = 100: W_max = cwnd (1 + beta) / 2.
    let cwnd = f64::from(c.cwnd()) / f64::from(MSS);
    c.on_congestion_event(t, c.cwnd(), MSS);
    let want = cwnd * 1.7 / 2.0;
    ensure((c.w_max() - want).abs() < 1e-6, || {
        format!(
            "W_max {} after a loss at {cwnd} below 100, want {want}",
            c.w_max()
        )
    })
}

fn cubic_reno_friendly() -> R {
    let mut c = Cubic::new(MSS, 10);
    c.set_cwnd(10 * MSS);
    let t0 = Instant::ZERO;
    c.on_congestion_event(t0, 10 * MSS, MSS);
    // Short RTT, small window: the cubic curve is flat for K = 1.96 s, but
    // W_est grows by alpha = 3 (1 - beta) / (1 + beta) per RTT (§4.3).
    let rtt = Duration::from_millis(10);
    let samples = ack_clock(&mut c, t0, t0 + Duration::from_secs(1), rtt);
    let end = samples.last().map_or(0.0, |s| s.1);
    let alpha = 3.0 * 0.3 / 1.7;
    let w_est = 7.0 + alpha * 100.0;
    ensure(end >= 0.8 * w_est, || {
        format!("cwnd after 100 RTTs {end:.1} segments, Reno-friendly estimate {w_est:.1}")
    })
}

fn iw_large_mss() -> R {
    use handshake_tcp::congestion::Reno;
    // RFC 6928 §2: min(10*MSS, max(2*MSS, 14600)).
    let cases = [
        (536, 5360),
        (1460, 14600),
        (4000, 14600),
        (9000, 18000),
        (65_000, 130_000),
    ];
    for (mss, want) in cases {
        let got = Reno::new(mss, 10).cwnd();
        ensure(got == want, || format!("MSS {mss}: IW {got}, want {want}"))?;
    }
    Ok(())
}

/// The `tcp.cc.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut all = Case::table(
        Kind::Simulation,
        &[
            (
                Should,
                "tcp.cc.initial-window-10-segments",
                "RFC 6928 §2",
                initial_window,
            ),
            (
                Must,
                "tcp.cc.lost-syn-initial-window-one",
                "RFC 5681 §3.1",
                lost_syn_window,
            ),
            (
                Must,
                "tcp.cc.slow-start-doubles-per-rtt",
                "RFC 5681 §3.1; RFC 3465 §2 (MUST-19)",
                slow_start_doubles,
            ),
            (
                Must,
                "tcp.cc.avoidance-one-smss-per-rtt",
                "RFC 5681 §3.1 (MUST-19)",
                avoidance_linear,
            ),
            (
                Must,
                "tcp.cc.fast-retransmit-third-dupack",
                "RFC 5681 §3.2",
                fast_retransmit,
            ),
            (
                Must,
                "tcp.cc.rto-loss-window",
                "RFC 5681 §3.1; RFC 6298 §5 (MUST-19)",
                rto_loss_window,
            ),
            (
                Must,
                "tcp.cc.newreno-partial-ack",
                "RFC 6582 §3.2",
                newreno_partial_ack,
            ),
            (
                Must,
                "tcp.cc.reno-deflates-at-first-new-ack",
                "RFC 5681 §3.2",
                reno_first_new_ack,
            ),
            (
                Must,
                "tcp.cc.cubic-multiplicative-decrease",
                "RFC 9438 §4.6",
                cubic_beta,
            ),
        ],
    );
    all.extend([
        Case::must("tcp.cc.initial-window-formula", "RFC 6928 §2").vector(|_| iw_large_mss()),
        Case::must("tcp.cc.cubic-window-curve", "RFC 9438 §4.2").vector(|_| cubic_curve()),
        Case::should("tcp.cc.cubic-fast-convergence", "RFC 9438 §4.7")
            .vector(|_| cubic_fast_convergence()),
        Case::should("tcp.cc.cubic-reno-friendly", "RFC 9438 §4.3")
            .vector(|_| cubic_reno_friendly()),
    ]);
    all
}
