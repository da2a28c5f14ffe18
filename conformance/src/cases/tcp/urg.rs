//! `tcp.urg.*`: Urgent data (RFC 9293 §3.8.5, RFC 6093).

use super::support::*;
use crate::Case;
use crate::Kind;
use crate::Level::Must;
use handshake_tcp::conn::pair::{Pair, Side};
use handshake_tcp::conn::{Config, Event};
use handshake_tcp::wire::{SegmentRepr, TcpFlags};

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
    let rcv_nxt = last_sent(&p, Side::Server)
        .map(|t| (t.header.ack_number, t.header.seq_number, t.header.window))?;
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
    seg.options.timestamps = last_sent(&p, Side::Client)?.header.options.timestamps;
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

/// The `tcp.urg.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Case::table(
        Kind::Simulation,
        &[
            (
                Must,
                "tcp.urg.pointer-first-non-urgent",
                "RFC 9293 §3.8.5 (MUST-30, MUST-62)",
                urgent_pointer,
            ),
            (
                Must,
                "tcp.urg.application-informed",
                "RFC 9293 §3.8.5 (MUST-32, MUST-33)",
                urgent_informed,
            ),
            (
                Must,
                "tcp.urg.any-length",
                "RFC 9293 §3.8.5 (MUST-31); RFC 6093 §4",
                urgent_any_length,
            ),
            (
                Must,
                "tcp.urg.zero-window",
                "RFC 9293 §3.10.7.4 (MUST-66)",
                urgent_zero_window,
            ),
        ],
    )
}
