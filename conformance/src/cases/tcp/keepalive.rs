//! `tcp.keepalive.*`: keep-alives (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6) over
//! the crate's in-memory pair: off unless asked for, probes only after the
//! idle time with nothing outstanding, answered by the peer's ACK, a dead
//! peer found after the configured number of unanswered probes, lost ACKs
//! tolerated.
//!
//! Expected instants come from the configuration and the RFC: a probe is
//! <SEQ=SND.NXT-1><ACK=RCV.NXT>, and with no data sent since the handshake
//! the client's SND.NXT - 1 is its ISS.

use super::support::*;
use crate::Case;
use crate::Kind;
use crate::Level::{May, Must, Should};
use handshake_tcp::conn::pair::{Fate, FateFn, Pair, Side};
use handshake_tcp::conn::{Config, Event, KeepAlive, State, Transmit};
use handshake_tcp::wire::{SeqNumber, TcpFlags};
use handshake_time::{Duration, Instant};

/// The client's ISS: SND.NXT - 1 while no data has been sent.
const ISN: u32 = 7100;

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// Keep-alives after `idle` seconds, then every `interval` seconds, giving
/// up after `probes` unanswered ones.
fn keep_alive(idle: u64, interval: u64, probes: u32, garbage_octet: bool) -> Config {
    Config::default().keep_alive(Some(KeepAlive {
        idle: secs(idle),
        interval: secs(interval),
        probes,
        garbage_octet,
    }))
}

/// A client with `client`'s settings and a default server, both in
/// ESTABLISHED (without idling: a keep-alive client is never idle).
fn established_ka(client: Config) -> Result<Pair, String> {
    let mut p = Pair::new(client, Config::default(), SeqNumber(ISN));
    let up = p.run(secs(5), |p| {
        p.client.state() == State::Established
            && p.server_ref()
                .is_some_and(|s| s.state() == State::Established)
    });
    ensure(up, || format!("handshake ended in {:?}", p.client.state()))?;
    Ok(p)
}

/// The client's keep-alive probes from log index `from` on.
fn probes(p: &Pair, from: usize) -> Vec<(Instant, Transmit)> {
    sent(p, Side::Client, from)
        .into_iter()
        .filter(|(_, t)| t.header.seq_number == SeqNumber(ISN))
        .collect()
}

/// A link that loses everything `quiet` sends.
fn silenced(quiet: Side) -> FateFn {
    Box::new(move |side, _, _| {
        if side == quiet {
            Fate::Drop
        } else {
            Fate::Deliver
        }
    })
}

/// The client's probes during the next `d` of simulated time.
fn probes_within(p: &mut Pair, d: Duration) -> Vec<(Instant, Transmit)> {
    let from = p.log.len();
    p.advance(d);
    probes(p, from)
}

/// When the server last sent anything (the client heard it a link delay later).
fn server_last_sent(p: &Pair) -> Result<Instant, String> {
    let before = sent(p, Side::Server, 0);
    before
        .last()
        .map(|(at, _)| *at)
        .ok_or_else(|| "the server sent nothing".into())
}

/// MUST-25: with the default config nothing is sent on an idle connection.
fn off_by_default() -> R {
    let mut p = established_ka(Config::default())?;
    let from = p.log.len();
    p.advance(secs(3 * 3600));
    let after = p.log.len() - from;
    ensure(after == 0, || format!("{after} segments in 3 idle hours"))
}

/// MUST-28: the default idle time is two hours (RFC 1122 §4.2.3.6).
fn default_two_hours() -> R {
    let mut p = established_ka(Config::default().keep_alive(Some(KeepAlive::default())))?;
    let heard = server_last_sent(&p)?;
    let first = probes_within(&mut p, secs(3 * 3600))
        .first()
        .map(|(at, _)| *at)
        .ok_or("no probe in 3 hours")?;
    let idle = first - heard;
    ensure(idle >= secs(7200) && idle <= secs(7201), || {
        format!("first probe {idle:?} after the peer was last heard, want 2 h")
    })
}

/// MAY-5, MUST-24, MUST-27, SHLD-12: after the configured idle time a probe
/// without data at SND.NXT-1; the peer answers with an ACK
/// (§3.10.7.4), and the idle time starts again.
fn probe_after_idle() -> R {
    let mut p = established_ka(keep_alive(60, 10, 3, false))?;
    let from = p.log.len();
    let got = probes_within(&mut p, secs(150));
    let times: Vec<Instant> = got.iter().map(|(at, _)| *at).collect();
    ensure(times.len() == 2 && times[1] - times[0] >= secs(60), || {
        format!("probes at {times:?}, want two, 60 s apart")
    })?;
    let (at, probe) = &got[0];
    ensure(
        probe.payload.is_empty() && probe.header.flags == TcpFlags::ACK,
        || {
            format!(
                "probe {:?} with {} octets",
                probe.header,
                probe.payload.len()
            )
        },
    )?;
    let answer = sent(&p, Side::Server, from)
        .into_iter()
        .find(|(t, _)| t >= at);
    let answer = answer.ok_or("the server did not answer the probe")?.1;
    ensure(
        answer.header.ack_number == SeqNumber(ISN + 1) && answer.payload.is_empty(),
        || {
            format!(
                "answer {:?}, want <ACK=RCV.NXT> = {}",
                answer.header,
                ISN + 1
            )
        },
    )?;
    let s = p.server_ref().map(|s| s.state());
    ensure(
        p.client.state() == State::Established && s == Some(State::Established),
        || format!("after probing: {:?} / {s:?}", p.client.state()),
    )
}

/// MUST-26: no probe while sent data is outstanding (the retransmission
/// timer owns the connection then).
fn only_when_idle() -> R {
    let mut p = established_ka(keep_alive(1, 1, 100, false))?;
    // The server goes silent: the client's data stays unacknowledged.
    p.fate = silenced(Side::Server);
    let from = p.log.len();
    p.client.send(&pattern(1000, 3));
    p.advance(secs(30));
    let segs = sent(&p, Side::Client, from);
    let empty = segs.iter().filter(|(_, t)| t.payload.is_empty()).count();
    ensure(segs.len() >= 3 && empty == 0, || {
        format!(
            "{} segments in 30 s, {empty} without data (probes)",
            segs.len()
        )
    })
}

/// RFC 1122 §4.2.3.6: a peer that answers none of `probes` probes is dead:
/// probes at idle, then every interval, the connection closed with
/// TimedOut one interval after the last.
fn dead_peer() -> R {
    let mut p = established_ka(keep_alive(60, 10, 3, false))?;
    let heard = server_last_sent(&p)?;
    p.fate = silenced(Side::Client);
    let from = p.log.len();
    let closed = p.run(secs(300), |p| p.client.state() == State::Closed);
    let at: Vec<Instant> = probes(&p, from).iter().map(|(t, _)| *t).collect();
    ensure(closed && at.len() == 3, || {
        format!("closed: {closed}; probes at {at:?}")
    })?;
    let gaps = [at[0] - heard, at[1] - at[0], at[2] - at[1], p.now - at[2]];
    let want = [secs(60), secs(10), secs(10), secs(10)];
    let close = gaps
        .iter()
        .zip(want)
        .all(|(g, w)| *g >= w && *g <= w + secs(1));
    ensure(close, || {
        format!("idle, probe gaps and verdict {gaps:?}, want {want:?}")
    })?;
    let ev = events(&mut p.client);
    ensure(ev.contains(&Event::TimedOut), || {
        format!("events {ev:?}, want TimedOut")
    })
}

/// MUST-29: lost ACKs do not end a live connection: the first two answers
/// are lost, the third arrives, and the connection goes on idling.
fn lost_acks_tolerated() -> R {
    let mut p = established_ka(keep_alive(60, 10, 3, false))?;
    let mut lost = 0;
    p.fate = Box::new(move |side, _, _| {
        if side == Side::Server && lost < 2 {
            lost += 1;
            Fate::Drop
        } else {
            Fate::Deliver
        }
    });
    let at: Vec<Instant> = probes_within(&mut p, secs(200))
        .iter()
        .map(|(t, _)| *t)
        .collect();
    let ev = events(&mut p.client);
    ensure(
        p.client.state() == State::Established && !ev.contains(&Event::TimedOut),
        || format!("{:?}, events {ev:?}", p.client.state()),
    )?;
    // Three probes 10 s apart, then idle again for 60 s after the answer.
    ensure(at.len() >= 4 && at[3] - at[2] >= secs(60), || {
        format!("probes at {at:?}, want three 10 s apart then 60 s idle")
    })
}

/// MAY-6: a probe may carry one garbage octet; the peer ACKs it and its
/// application reads nothing.
fn garbage_octet() -> R {
    let mut p = established_ka(keep_alive(60, 10, 3, true))?;
    let got = probes_within(&mut p, secs(70));
    let probe = &got.first().ok_or("no probe")?.1;
    ensure(probe.payload.len() == 1, || {
        format!("probe with {} octets, want 1", probe.payload.len())
    })?;
    let mut read = Vec::new();
    drain(server(&mut p)?, &mut read);
    ensure(
        read.is_empty() && p.client.state() == State::Established,
        || format!("server read {read:?}; client {:?}", p.client.state()),
    )
}

/// The `tcp.keepalive.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Case::table(
        Kind::Simulation,
        &[
            (
                Must,
                "tcp.keepalive.off-by-default",
                "RFC 9293 §3.8.4, MUST-25",
                off_by_default,
            ),
            (
                Must,
                "tcp.keepalive.default-idle-two-hours",
                "RFC 9293 §3.8.4, MUST-28; RFC 1122 §4.2.3.6",
                default_two_hours,
            ),
            (
                May,
                "tcp.keepalive.probe-after-idle",
                "RFC 9293 §3.8.4, MAY-5, MUST-24, MUST-27, SHLD-12",
                probe_after_idle,
            ),
            (
                Must,
                "tcp.keepalive.only-when-idle",
                "RFC 9293 §3.8.4, MUST-26",
                only_when_idle,
            ),
            (
                Should,
                "tcp.keepalive.dead-peer-times-out",
                "RFC 1122 §4.2.3.6",
                dead_peer,
            ),
            (
                Must,
                "tcp.keepalive.lost-acks-tolerated",
                "RFC 9293 §3.8.4, MUST-29",
                lost_acks_tolerated,
            ),
            (
                May,
                "tcp.keepalive.garbage-octet",
                "RFC 9293 §3.8.4, MAY-6",
                garbage_octet,
            ),
        ],
    )
}
