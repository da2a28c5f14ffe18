//! `tcp.conn.*` bodies. Retransmission (RFC 6298, RFC 9293 §3.8.3): backoff, Karn, R1/R2 thresholds.

use super::*;

pub(super) fn rto_backoff() -> R {
    // RFC 6298 §2.4: the RTO is at least 1 s; §5.5: it doubles per timeout.
    // The pair's 20 ms RTT computes to 60 ms, so the floor sets the first.
    backoff_gaps(Config::default(), [1000, 2000, 4000, 8000])
}

pub(super) fn linux_min_rto() -> R {
    // Linux's floor is TCP_RTO_MIN, HZ / 5 = 200 ms (include/net/tcp.h),
    // where RFC 6298 §2.4 says 1 s: the Linux profile takes Linux's.
    backoff_gaps(Config::linux(), [200, 400, 800, 1600])
}

/// The gaps, in ms, between the first send of one byte and each of its
/// retransmissions when the first four are lost, under `cfg` without
/// RACK-TLP: a tail loss probe (RFC 8985 §7, on by default) would go before
/// the first timeout and shift the gaps.
fn backoff_gaps(cfg: Config, want: [u64; 4]) -> R {
    let mut p = established_with(cfg.rack(false), 17)?;
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
        if let Some(s) = p.server_mut() {
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
    let gaps: Vec<u64> = times
        .windows(2)
        .map(|w| (w[1] - w[0]).as_millis() as u64)
        .collect();
    ensure(gaps == want, || {
        format!("retransmission gaps {gaps:?} ms, want {want:?}")
    })
}

pub(super) fn karn() -> R {
    // Karn's rule is for ambiguous samples: without timestamps (with them,
    // RFC 7323 §4 times retransmissions exactly).
    let mut p = established_with(Config::default().timestamps(false), 18)?;
    let srtt = p.client.stats().srtt;
    ensure(srtt == Some(Duration::from_millis(20)), || {
        format!("handshake SRTT {srtt:?}")
    })?;
    p.fate = drop_first_client_data();
    p.client.send(b"ambiguous");
    p.run_until_idle();
    let after = p.client.stats().srtt;
    ensure(after == srtt, || {
        format!("SRTT moved to {after:?} from a retransmitted segment")
    })
}

pub(super) fn give_up() -> R {
    // R2 counts timeouts; RACK-TLP off so no probe adds a retransmission.
    let mut p = Pair::new(
        Config::default().max_retries(4).rack(false),
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

pub(super) fn black_hole(
    cfg: Config,
    isn: u32,
    client_only: bool,
) -> Result<(Pair, Instant), String> {
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

pub(super) fn r1_notifies() -> R {
    let (mut p, _) = black_hole(Config::default().max_retries(5), 67, true)?;
    let ev = events(&mut p.client);
    let r1 = ev.iter().position(|e| *e == Event::Retransmitting);
    let to = ev.iter().position(|e| *e == Event::TimedOut);
    ensure(matches!((r1, to), (Some(a), Some(b)) if a < b), || {
        format!("events {ev:?}: want Retransmitting (at R1 = 3) before TimedOut")
    })
}

/// With default settings, into a black hole: the connection times out, and
/// not before `at_least` (data after the handshake, or the SYN itself).
fn default_r2(isn: u32, data: bool, at_least: Duration) -> R {
    let (mut p, start) = black_hole(Config::default(), isn, data)?;
    let ended = p.now - start;
    let ev = events(&mut p.client);
    ensure(ev.contains(&Event::TimedOut) && ended >= at_least, || {
        format!("gave up after {ended:?} (R2 at least {at_least:?}), events {ev:?}")
    })
}

/// R2 SHOULD be at least 100 s for data.
pub(super) fn r2_default() -> R {
    default_r2(68, true, Duration::from_secs(100))
}

/// R2 MUST be at least 3 minutes for a SYN.
pub(super) fn syn_r2() -> R {
    default_r2(69, false, Duration::from_secs(180))
}

/// MUST-21 for the SYN: an application that sets the SYN's R2 to two
/// retransmissions gets the SYN sent three times, then a timeout and CLOSED.
pub(super) fn syn_r2_settable() -> R {
    let mut c = Connection::connect(
        Config::default().max_syn_retries(2),
        client_addr(),
        server_addr(),
        Instant::ZERO,
        SeqNumber(0),
    );
    let mut syns = 0;
    let mut now = Instant::ZERO;
    // Bounded: a handful of timer expiries, however the knob is read.
    for _ in 0..20 {
        if c.state() == State::Closed {
            break;
        }
        while let Some(t) = c.poll_transmit(now) {
            if t.header.flags == TcpFlags::SYN {
                syns += 1;
            }
        }
        let Some(at) = c.poll_timeout() else { break };
        now = at;
        c.handle_timeout(now);
    }
    let ev = events(&mut c);
    ensure(
        syns == 3 && c.state() == State::Closed && ev == [Event::TimedOut],
        || {
            format!(
                "{syns} SYNs, then {:?} with events {ev:?}; want 3 SYNs, CLOSED, TimedOut",
                c.state()
            )
        },
    )
}
