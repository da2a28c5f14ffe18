//! `tcp.robust.*`: what a hostile or odd peer must not be able to do to a
//! connection or a listener (issue 13's defects, each case failing on the
//! code before its fix).

use super::support::*;
use crate::Level::Must;
use crate::{Case, Kind};
use handshake_tcp::conn::pair::{client_addr, server_addr, Side};
use handshake_tcp::conn::{Config, Connection, IsnGenerator, Listener, State};
use handshake_tcp::wire::{SegmentRepr, SeqNumber, TcpFlags, TcpOptions, Timestamps};
use handshake_time::{Duration, Instant};
use std::net::SocketAddr;

mod accept;
mod cookies;
mod reassembly;
use accept::*;
use cookies::*;
use reassembly::*;

/// One blind segment from the server's address to the client, at the
/// client's RCV.NXT (in its window, as an off-path attacker who guessed the
/// sequence number would send it), carrying a TSval far ahead of the
/// server's clock. Returns an error when the client then stops accepting the
/// server's real traffic.
fn blind_ts(isn: u32, flags: TcpFlags, ack_off: i64, payload: &'static [u8]) -> R {
    let mut p = established_with(Config::default(), isn)?;
    let _ = exchange(&mut p, b"warm up", b"both ways", false);
    p.run_until_idle();
    let last = last_sent(&p, Side::Client)?;
    // The client's RCV.NXT and SND.NXT, as its last segment shows them.
    let (rcv_nxt, snd_nxt) = (last.header.ack_number, last.header.seq_number);
    let tsval = p
        .log
        .iter()
        .rev()
        .find_map(|(_, s, t, _)| (*s == Side::Server).then_some(t.header.options.timestamps?))
        .ok_or("no server segment with TSopt")?
        .tsval;
    let mut seg = SegmentRepr::new(server_addr().port(), client_addr().port(), rcv_nxt, flags);
    seg.ack_number = SeqNumber(snd_nxt.0.wrapping_add(ack_off as u32));
    seg.window = 1000;
    seg.options = TcpOptions {
        // 2^30 ahead: "newer" in the 2^31 comparison of RFC 7323 §5.3.
        timestamps: Some(Timestamps {
            tsval: tsval.wrapping_add(1 << 30),
            tsecr: 0,
        }),
        ..TcpOptions::default()
    };
    seg.payload = payload;
    let now = p.now;
    p.client.handle_segment(now, &seg);
    // Real traffic both ways after the injection.
    let (up, down) = (pattern(20_000, 31), pattern(20_000, 32));
    let (got_down, got_up) = exchange(&mut p, &up, &down, false);
    ensure(got_down == down && got_up == up, || {
        format!(
            "after one blind {flags:?} segment with TSval +2^30 the client got {} of {} bytes \
             (server got {} of {}), client {:?}: PAWS now drops the real peer",
            got_down.len(),
            down.len(),
            got_up.len(),
            up.len(),
            p.client.state()
        )
    })
}

fn ts_recent_blind_syn() -> R {
    // RFC 5961 §4.2: a SYN in a synchronized state gets a challenge ACK; it
    // must not move TS.Recent (RFC 7323 §4.3, checked after the SYN bit).
    blind_ts(61, TcpFlags::SYN, 0, b"")
}

fn ts_recent_blind_unsent_ack() -> R {
    // RFC 9293 §3.10.7.4: an ACK of unsent data is answered and dropped.
    blind_ts(62, TcpFlags::ACK | TcpFlags::PSH, 1 << 30, b"injected")
}

fn ts_recent_blind_old_ack() -> R {
    // RFC 5961 §5.2: an ACK older than SND.UNA - MAX.SND.WND is dropped.
    blind_ts(63, TcpFlags::ACK | TcpFlags::PSH, -(1 << 30), b"injected")
}

fn ts_recent_blind_no_ack() -> R {
    // RFC 9293 §3.10.7.4 fifth: a segment without ACK is dropped.
    blind_ts(64, TcpFlags::PSH, 0, b"injected")
}

/// Linux's tcp_min_snd_mss (net.ipv4.tcp_min_snd_mss, default 48), the fix
/// of CVE-2019-11479.
const MIN_SND_MSS: usize = 48;

fn min_snd_mss() -> R {
    // The client announces MSS 1 (RFC 9293 §3.7.1 lets the peer announce any value).
    let mut p = established_pair(Config::default().mss(1), Config::default(), 65)?;
    let from = p.log.len();
    let down = pattern(3000, 33);
    let mut sent = 0;
    let mut got = Vec::new();
    p.run(Duration::from_secs(600), |p| {
        if let Some(s) = p.server_mut() {
            sent += s.send(&down[sent..]);
        }
        drain(&mut p.client, &mut got);
        got.len() == down.len()
    });
    let segs = data(&p, Side::Server, from);
    let end = segs
        .iter()
        .map(|(_, t)| t.header.seq_number + t.payload.len() as u32)
        .max_by(|a, b| a.distance_from(*b).cmp(&0))
        .ok_or("the server sent no data")?;
    // A short segment is allowed only where the data ran out.
    let short: Vec<usize> = segs
        .iter()
        .filter(|(_, t)| {
            t.payload.len() < MIN_SND_MSS && t.header.seq_number + t.payload.len() as u32 != end
        })
        .map(|(_, t)| t.payload.len())
        .collect();
    ensure(short.is_empty() && got == down, || {
        format!(
            "peer MSS 1: {} of {} server data segments carried under {MIN_SND_MSS} bytes \
             with more queued (sizes {:?}...); client got {} of {} bytes",
            short.len(),
            segs.len(),
            &short[..short.len().min(5)],
            got.len(),
            down.len()
        )
    })
}

fn time_wait_rfc_default() -> R {
    // RFC 9293 §3.4.2: "the Maximum Segment Lifetime ... is arbitrarily
    // defined to be 2 minutes"; §3.6.1 / MUST-13: TIME-WAIT lasts 2 MSL.
    let want = Duration::from_secs(2 * 2 * 60);
    let waited = time_wait_of(Config::default())?;
    ensure(waited == want, || {
        format!("default TIME-WAIT lasted {waited:?}, RFC 9293 §3.4.2 gives 2 MSL = {want:?}")
    })?;
    // The Linux profile: TCP_TIMEWAIT_LEN, 60 s (include/net/tcp.h).
    let linux = time_wait_of(Config::linux())?;
    ensure(linux == Duration::from_secs(60), || {
        format!("Config::linux() TIME-WAIT lasted {linux:?}, Linux's is 60 s")
    })
}

/// Delivers every segment between `clients` and `l` at `now` until none is left.
fn pump(now: Instant, clients: &mut [Connection], l: &mut Listener) {
    loop {
        let mut moved = false;
        for c in clients.iter_mut() {
            while let Some(t) = c.poll_transmit(now) {
                l.handle_segment(now, c.local(), &t.repr());
                moved = true;
            }
        }
        while let Some((to, t)) = l.poll_transmit(now) {
            if let Some(c) = clients.iter_mut().find(|c| c.local() == to) {
                c.handle_segment(now, &t.repr());
            }
            moved = true;
        }
        if !moved {
            return;
        }
    }
}

fn accept_queue_bounded() -> R {
    let backlog = 2;
    let now = Instant::from_nanos(1_000_000_000);
    let mut l = Listener::new(
        Config::default(),
        server_addr(),
        IsnGenerator::new([0x33; 32]),
        backlog,
    );
    let mut clients: Vec<Connection> = (0..4u16)
        .map(|i| {
            let local = SocketAddr::new(client_addr().ip(), 40_000 + i);
            let isn = SeqNumber(1_000_000 * u32::from(i));
            Connection::connect(Config::default(), local, server_addr(), now, isn)
        })
        .collect();
    // The application accepts nothing. One handshake completes; then two
    // SYNs arrive together (two half-open connections, within the backlog)
    // and their ACKs: the first fills the accept queue, the second finds
    // it full; then a fourth client's SYN arrives.
    pump(now, &mut clients[..1], &mut l);
    pump(now, &mut clients[1..3], &mut l);
    pump(now, &mut clients[3..], &mut l);
    let mut accepted = Vec::new();
    while let Some(c) = l.accept() {
        accepted.push(c);
    }
    let (n, dropped) = (accepted.len(), l.dropped_syns());
    ensure(n <= backlog && dropped == 1, || {
        format!(
            "backlog {backlog}: the accept queue held {n} connections; SYNs dropped while \
             it was full: {dropped} (want at most {backlog} and 1)"
        )
    })?;
    // With room again, the refused ones complete by retransmission (the
    // SYN-ACK's, the SYN's) and none is reset.
    let mut t = now;
    while t < now + Duration::from_secs(10) && accepted.len() < clients.len() {
        for c in clients.iter_mut() {
            if c.poll_timeout().is_some_and(|d| d <= t) {
                c.handle_timeout(t);
            }
        }
        if l.poll_timeout().is_some_and(|d| d <= t) {
            l.handle_timeout(t);
        }
        pump(t, &mut clients, &mut l);
        while let Some(c) = l.accept() {
            accepted.push(c);
        }
        t += Duration::from_millis(10);
    }
    let states: Vec<State> = clients.iter().map(Connection::state).collect();
    ensure(
        accepted.len() == clients.len() && states.iter().all(|s| *s == State::Established),
        || {
            format!(
                "after the queue drained, {} of {} accepted; clients {states:?}",
                accepted.len(),
                clients.len()
            )
        },
    )
}

fn ts_offset_keyed() -> R {
    // Two listeners with different keys, and times chosen so that both
    // answer the same client with the same ISN (RFC 6528 §3: M ticks every
    // 4 µs, so key 2 reaches key 1's ISN `delta` ticks later).
    let (c, s) = (client_addr(), server_addr());
    let (g1, g2) = (IsnGenerator::new([0x11; 32]), IsnGenerator::new([0x22; 32]));
    let t1 = Instant::from_nanos(5_000_000_000);
    let delta = g1.isn(t1, s, c).0.wrapping_sub(g2.isn(t1, s, c).0);
    let t2 = t1 + Duration::from_micros(4 * u64::from(delta));
    let mut seen = Vec::new();
    for (g, t) in [(&g1, t1), (&g2, t2)] {
        let mut l = Listener::new(Config::default(), s, g.clone(), 4);
        let mut client = Connection::connect(Config::default(), c, s, t, SeqNumber(7));
        let syn = client.poll_transmit(t).ok_or("no SYN")?;
        l.handle_segment(t, c, &syn.repr());
        let (_, synack) = l.poll_transmit(t).ok_or("no SYN-ACK")?;
        let ts = synack
            .header
            .options
            .timestamps
            .ok_or("SYN-ACK without TSopt")?;
        // RFC 7323 §5.4: TSval = clock + offset; our clock ticks in ms.
        let clock = (t.as_nanos() / 1_000_000) as u32;
        seen.push((synack.header.seq_number, ts.tsval.wrapping_sub(clock)));
    }
    ensure(seen[0].0 == seen[1].0, || {
        format!("the ISNs differ: {seen:?} (RFC 6528 M is not a 4 µs clock?)")
    })?;
    // RFC 7323 §5.4 / RFC 6528: the offset must be a keyed secret. If it
    // were a function of the ISN, an observer of the SYN-ACK would learn
    // the host's clock as TSval - f(ISN).
    ensure(seen[0].1 != seen[1].1, || {
        format!(
            "different keys, same ISN {:?}: the same TSval offset {:#x}, so TSval - f(ISN) \
             reveals the host clock",
            seen[0].0, seen[0].1
        )
    })?;
    // The same for an active open from a keyed host (the io driver's and
    // the simulator's connect): the SYN's TSval.
    let delta = g1.isn(t1, c, s).0.wrapping_sub(g2.isn(t1, c, s).0);
    let t2 = t1 + Duration::from_micros(4 * u64::from(delta));
    let mut seen = Vec::new();
    for (g, t) in [(&g1, t1), (&g2, t2)] {
        let mut client = Connection::connect_keyed(Config::default(), c, s, t, g);
        let syn = client.poll_transmit(t).ok_or("no SYN")?;
        let ts = syn.header.options.timestamps.ok_or("SYN without TSopt")?;
        let clock = (t.as_nanos() / 1_000_000) as u32;
        seen.push((syn.header.seq_number, ts.tsval.wrapping_sub(clock)));
    }
    ensure(seen[0].0 == seen[1].0 && seen[0].1 != seen[1].1, || {
        format!("active open, different keys: (ISN, TSval offset) {seen:?}")
    })
}

pub(crate) fn cases() -> Vec<Case> {
    let mut cases = table();
    let kernel = Case::must(
        "tcp.robust.data-before-accept-kernel",
        "RFC 9293 §3.10.7.3, §3.10.7.4",
    )
    .needs(&[crate::Need::NetAdmin, crate::peers::tshark::NEED]);
    #[cfg(target_os = "linux")]
    cases.push(kernel.interop_os(data_before_accept_kernel));
    #[cfg(not(target_os = "linux"))]
    cases.push(kernel.interop_os(|_| {
        crate::Outcome::Skip("kernel interop needs Linux network namespaces and TUN".into())
    }));
    cases
}

fn table() -> Vec<Case> {
    Case::table(
        Kind::Simulation,
        &[
            (
                Must,
                "tcp.robust.ts-recent-blind-syn",
                "RFC 7323 §4.3, §5.3 R3; RFC 5961 §4.2",
                ts_recent_blind_syn,
            ),
            (
                Must,
                "tcp.robust.ts-recent-blind-unsent-ack",
                "RFC 7323 §4.3, §5.3 R3; RFC 9293 §3.10.7.4",
                ts_recent_blind_unsent_ack,
            ),
            (
                Must,
                "tcp.robust.ts-recent-blind-old-ack",
                "RFC 7323 §4.3, §5.3 R3; RFC 5961 §5.2",
                ts_recent_blind_old_ack,
            ),
            (
                Must,
                "tcp.robust.ts-recent-blind-no-ack",
                "RFC 7323 §4.3, §5.3 R3; RFC 9293 §3.10.7.4",
                ts_recent_blind_no_ack,
            ),
            (
                Must,
                "tcp.robust.min-snd-mss",
                "RFC 9293 §3.7.1; CVE-2019-11479 (Linux tcp_min_snd_mss = 48)",
                min_snd_mss,
            ),
            (
                Must,
                "tcp.robust.time-wait-rfc-default",
                "RFC 9293 §3.4.2, §3.6.1 (MUST-13)",
                time_wait_rfc_default,
            ),
            (
                Must,
                "tcp.robust.accept-queue-bounded",
                "RFC 9293 §3.10.7.2; Linux sk_acceptq_is_full (tcp_conn_request, tcp_check_req)",
                accept_queue_bounded,
            ),
            (
                Must,
                "tcp.robust.ts-offset-keyed",
                "RFC 7323 §5.4; RFC 6528 §3",
                ts_offset_keyed,
            ),
            (
                Must,
                "tcp.robust.data-before-accept",
                "RFC 9293 §3.10.7.3, §3.10.7.4",
                data_before_accept,
            ),
            (
                Must,
                "tcp.robust.reassembly-linear",
                "RFC 9293 §3.10.7.4",
                reassembly_linear,
            ),
            (
                Must,
                "tcp.robust.syn-flood-cookies",
                "RFC 4987 §3.6; RFC 9293 §3.10.7.2",
                syn_flood_cookies,
            ),
        ],
    )
}
