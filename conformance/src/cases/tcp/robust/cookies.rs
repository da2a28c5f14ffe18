//! `tcp.robust.syn-flood-cookies`: a SYN flood cannot keep a legitimate
//! client out, and the listener's state stays bounded.

use super::super::support::*;
use handshake_tcp::conn::{Config, Transmit};
use handshake_tcp::sim::{Action, Bulk, Rule, Select, Side, SimConfig, Simulator, Sink};
use handshake_tcp::wire::{SegmentRepr, SeqNumber, TcpFlags};
use handshake_time::Duration;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The backlog of the simulator's listeners.
const BACKLOG: usize = 128;

/// A spoofed SYN number `k`: a source in 203.0.113.0/24 (RFC 5737
/// TEST-NET-3) that never answers, a port and ISN from `k`.
fn spoofed_syn(k: u32, to: SocketAddr) -> (SocketAddr, Transmit) {
    let src = SocketAddr::new(
        IpAddr::V4(Ipv4Addr::new(203, 0, 113, (k % 250) as u8 + 1)),
        1024 + (k / 250) as u16,
    );
    let mut h = SegmentRepr::new(
        src.port(),
        to.port(),
        SeqNumber(k.wrapping_mul(2_654_435_761)),
        TcpFlags::SYN,
    );
    h.window = 65_535;
    h.options.mss = Some(1460);
    (src, Transmit::new(h, Vec::new()))
}

/// RFC 4987 §3.6: with the SYN queue full, SYN cookies. 100,000 spoofed
/// SYNs arrive over one simulated second (100 per millisecond) while a
/// client connects and sends 100 kB; the spoofed hosts never answer (RSTs
/// from side A are dropped). The half-open count must stay within the
/// backlog throughout, and the client's transfer complete.
pub(crate) fn syn_flood_cookies() -> R {
    let mut sim = Simulator::new(SimConfig::default().seed(4987));
    sim.add_rule(Side::A, Rule::new(Select::EveryRst, Action::Drop));
    let l = sim.listen(Side::B, Config::default(), 80, || Box::new(Sink::new(1)));
    let to = sim.addr(l);
    let (mut max_half_open, mut max_queue) = (0, 0);
    let mut client = None;
    let total = 100_000u32;
    for ms in 0..1_000u32 {
        for k in ms * 100..(ms + 1) * 100 {
            let (src, syn) = spoofed_syn(k, to);
            sim.inject(Side::A, src, to, syn);
        }
        if ms == 100 {
            client = Some(sim.connect(Side::A, Config::default(), to, Bulk::new(100_000)));
        }
        sim.run_for(Duration::from_millis(1));
        let listener = sim.listener(l).ok_or("no listener")?;
        max_half_open = max_half_open.max(listener.half_open());
        max_queue = max_queue.max(listener.accept_queue());
    }
    let client = client.ok_or("no client")?;
    sim.run_until(Duration::from_secs(30), |s| {
        s.report(client).is_some_and(|r| r.done)
    });
    // The SYNs still on the link arrive.
    sim.run_for(Duration::from_secs(1));
    let listener = sim.listener(l).ok_or("no listener")?;
    let (sent, accepted) = (listener.cookies_sent(), listener.cookies_accepted());
    let dropped = listener.dropped_syns();
    ensure(max_half_open <= BACKLOG && max_queue <= BACKLOG, || {
        format!(
            "half-open peaked at {max_half_open}, accept queue at {max_queue} (backlog {BACKLOG})"
        )
    })?;
    let served = sim.accepted(l).to_vec();
    let received: Vec<_> = served
        .iter()
        .filter_map(|s| sim.report(*s).map(|r| r.received))
        .collect();
    ensure(
        received == [100_000] && sim.report(client).is_some_and(|r| r.done),
        || {
            format!(
                "under {total} spoofed SYNs ({sent} cookies sent, {accepted} accepted) the \
                 server accepted {} connections receiving {received:?}; client done: {:?}",
                served.len(),
                sim.report(client).map(|r| r.done)
            )
        },
    )?;
    // The client's connection came from its cookie, and the options that
    // travelled in TSval's low bits (window scale, SACK-permitted) are those
    // it negotiated: each side's shift is the other's, SACK on at both.
    let (c, s) = (
        sim.connection(client).ok_or("no client connection")?,
        sim.connection(served[0]).ok_or("no server connection")?,
    );
    let (cw, sw) = (c.window_scales(), s.window_scales());
    let (cs, ss) = (c.stats(), s.stats());
    ensure(
        accepted == 1 && cw.0 > 0 && cw == (sw.1, sw.0) && cs.sack && ss.sack && ss.timestamps,
        || {
            format!(
                "cookies accepted {accepted}; window shifts client {cw:?} server {sw:?}; \
                 SACK {}/{}, timestamps at the server {}",
                cs.sack, ss.sack, ss.timestamps
            )
        },
    )?;
    ensure(sent + (BACKLOG as u64) >= u64::from(total), || {
        format!("{sent} cookies for {total} SYNs beyond a backlog of {BACKLOG} ({dropped} dropped)")
    })
}
