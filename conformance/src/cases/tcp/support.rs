//! Helpers shared by the cases of more than one group (no cases here).

use crate::{check_property, Ctx, Outcome};
use handshake_tcp::conn::pair::{Fate, Pair, Side};
use handshake_tcp::conn::{Config, Connection, Event, IsnGenerator, State, Transmit};
use handshake_tcp::wire::SeqNumber;
use handshake_time::{Duration, Instant};
use proptest::prelude::*;

/// What a simulation body returns (the suite's check verdict).
pub(crate) type R = crate::check::Checked;
pub(crate) use crate::check::ensure;

/// Byte i of test stream `tag`.
pub(crate) fn pattern(len: usize, tag: u8) -> Vec<u8> {
    (0..len)
        .map(|i| ((i as u32).wrapping_mul(2_654_435_761) >> 8) as u8 ^ tag)
        .collect()
}

pub(crate) fn drain(c: &mut Connection, out: &mut Vec<u8>) {
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
pub(crate) fn exchange(p: &mut Pair, up: &[u8], down: &[u8], close: bool) -> (Vec<u8>, Vec<u8>) {
    let (mut cs, mut ss) = (0, 0);
    let (mut cg, mut sg) = (Vec::new(), Vec::new());
    p.run(Duration::from_secs(3000), |p| {
        cs += p.client.send(&up[cs..]);
        drain(&mut p.client, &mut cg);
        if close && cs == up.len() && p.client.state().is_synchronized() {
            p.client.close();
        }
        if let Some(s) = p.server_mut() {
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

pub(crate) fn established(isn: u32) -> Result<Pair, String> {
    established_with(Config::default(), isn)
}

pub(crate) fn established_with(config: Config, isn: u32) -> Result<Pair, String> {
    established_pair(config.clone(), config, isn)
}

/// A pair with the client's and the server's configs, brought to ESTABLISHED.
pub(crate) fn established_pair(client: Config, server: Config, isn: u32) -> Result<Pair, String> {
    let mut p = Pair::new(client, server, SeqNumber(isn));
    p.run_until_idle();
    let s = p.server_ref().map(|s| s.state());
    ensure(
        p.client.state() == State::Established && s == Some(State::Established),
        || format!("handshake ended in {:?} / {s:?}", p.client.state()),
    )?;
    Ok(p)
}

pub(crate) fn server(p: &mut Pair) -> Result<&mut Connection, String> {
    p.server_mut()
        .ok_or_else(|| "listener accepted nothing".to_string())
}

pub(crate) fn events(c: &mut Connection) -> Vec<Event> {
    std::iter::from_fn(|| c.poll_event()).collect()
}

pub(crate) fn isn(ctx: &mut Ctx) -> Outcome {
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

/// A transfer of `data` from the client over `p` whose client data segments
/// number `drop` (1-based, counting retransmissions) are lost once.
pub(crate) fn transfer_dropping(p: &mut Pair, data: &[u8], drop: &'static [u64]) -> R {
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

/// How many logged segments, either side's, `which` picks.
pub(crate) fn count_sent(p: &Pair, which: impl Fn(&Transmit) -> bool) -> usize {
    p.log.iter().filter(|(_, _, t, _)| which(t)).count()
}

/// The last segment `side` sent.
pub(crate) fn last_sent(p: &Pair, side: Side) -> Result<&Transmit, String> {
    p.log
        .iter()
        .rev()
        .find(|(_, s, ..)| *s == side)
        .map(|(_, _, t, _)| t)
        .ok_or_else(|| format!("{side:?} sent nothing"))
}

/// Segments one side sent, with the time, from log index `from` on.
pub(crate) fn sent(p: &Pair, side: Side, from: usize) -> Vec<(Instant, Transmit)> {
    p.log[from..]
        .iter()
        .filter(|(_, s, _, _)| *s == side)
        .map(|(t, _, x, _)| (*t, x.clone()))
        .collect()
}

pub(crate) fn data(p: &Pair, side: Side, from: usize) -> Vec<(Instant, Transmit)> {
    sent(p, side, from)
        .into_iter()
        .filter(|(_, t)| !t.payload.is_empty())
        .collect()
}

/// A fate that drops the client's first data segment and delivers the rest.
pub(crate) fn drop_first_client_data() -> handshake_tcp::conn::pair::FateFn {
    let mut first = true;
    Box::new(move |side, _, t| {
        if side == Side::Client && !t.payload.is_empty() && first {
            first = false;
            Fate::Drop
        } else {
            Fate::Deliver
        }
    })
}

/// Closes the client first and the server after it (RFC 9293 §3.6 case 1),
/// so the client, the active closer, is left in TIME-WAIT.
pub(crate) fn close_into_time_wait(p: &mut Pair) -> R {
    p.client.close();
    p.run(Duration::from_secs(1), |p| {
        p.server_ref().map(|s| s.state()) == Some(State::CloseWait)
    });
    server(p)?.close();
    p.run(Duration::from_secs(1), |p| {
        p.client.state() == State::TimeWait
    });
    ensure(p.client.state() == State::TimeWait, || {
        format!("active closer in {:?}, want TIME-WAIT", p.client.state())
    })
}

/// How long the client, the active closer, stays in TIME-WAIT with `cfg`.
pub(crate) fn time_wait_of(cfg: Config) -> Result<Duration, String> {
    let mut p = Pair::new(cfg, Config::default(), SeqNumber(66));
    p.run_until_idle();
    close_into_time_wait(&mut p)?;
    let start = p.now;
    p.run(Duration::from_secs(1000), |p| {
        p.client.state() == State::Closed
    });
    Ok(p.now - start)
}
