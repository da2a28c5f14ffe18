//! `tcp.window.*`: Window management (RFC 9293 §3.8.6) and window scaling (RFC 7323 §2).

use super::support::*;
use crate::Case;
use crate::Kind;
use crate::Level::Must;
use handshake_tcp::conn::pair::{Pair, Side};
use handshake_tcp::conn::{Config, Event, State};
use handshake_tcp::wire::{SegmentRepr, SeqNumber, TcpFlags};
use handshake_time::Duration;

fn window_unsigned() -> R {
    // No window scaling: a 65535 window (top bit set) allows 65535 bytes in flight.
    let cfg = Config::default()
        .window_scaling(false)
        .initial_window(64)
        .recv_buffer(65535);
    let mut p = established_with(cfg, 61)?;
    let from = p.log.len();
    p.client.send(&pattern(100_000, 2));
    p.transmit();
    let bytes: usize = p.log[from..]
        .iter()
        .filter(|(_, s, _, _)| *s == Side::Client)
        .map(|(_, _, t, _)| t.payload.len())
        .sum();
    ensure((40_000..=65_535).contains(&bytes), || {
        format!("{bytes} bytes sent into a 65535-byte window")
    })
}

fn peer_shrinks() -> R {
    let mut p = established(62)?;
    p.client.send(&pattern(10 * 1460, 3));
    p.transmit();
    // An ACK for nothing new whose window ends below SND.NXT: the peer
    // shrank its window after our ten segments left.
    let last = p
        .log
        .iter()
        .rev()
        .find(|(_, s, _, _)| *s == Side::Server)
        .map(|(_, _, t, _)| t.header)
        .ok_or("no server segment")?;
    let mut shrink = SegmentRepr::new(80, 49152, last.seq_number, TcpFlags::ACK);
    shrink.ack_number = last.ack_number;
    shrink.window = 2920;
    shrink.options.timestamps = last.options.timestamps;
    let now = p.now;
    p.client.handle_segment(now, &shrink);
    p.client.send(&pattern(20_000, 4));
    let extra = std::iter::from_fn(|| p.client.poll_transmit(now))
        .filter(|t| !t.payload.is_empty())
        .count();
    // SHLD-15: no new data beyond the shrunken edge; MUST-34, SHLD-16,
    // SHLD-17: the connection carries on and everything is delivered.
    let want = 10 * 1460 + 20_000;
    let mut total = 0;
    let done = p.run(Duration::from_secs(600), |p| {
        if let Some(s) = p.server_mut() {
            let mut buf = [0u8; 65536];
            total += s.recv(&mut buf);
        }
        total == want
    });
    ensure(
        extra == 0 && done && p.client.state() == State::Established,
        || {
            format!(
                "{extra} new segments past the shrunken window; delivered {total} of {want}; {:?}",
                p.client.state()
            )
        },
    )
}

fn rst_zero_window() -> R {
    let mut p = Pair::new(
        Config::default(),
        Config::default().recv_buffer(2000),
        SeqNumber(63),
    );
    p.run_until_idle();
    p.client.send(&pattern(2000, 5));
    p.run_until_idle();
    let (seq, _) = p
        .log
        .iter()
        .rev()
        .find(|(_, s, _, _)| *s == Side::Server)
        .map(|(_, _, t, _)| (t.header.ack_number, t.header.window))
        .ok_or("no server segment")?;
    let now = p.now;
    let s = server(&mut p)?;
    let _ = events(s);
    let rst = SegmentRepr::new(49152, 80, seq, TcpFlags::RST);
    s.handle_segment(now, &rst);
    ensure(
        s.state() == State::Closed && events(s).contains(&Event::Reset),
        || format!("RST at RCV.NXT with a zero window left {:?}", s.state()),
    )
}

/// The `tcp.window.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Case::table(
        Kind::Simulation,
        &[
            (
                Must,
                "tcp.window.unsigned",
                "RFC 9293 §3.1 (MUST-1)",
                window_unsigned,
            ),
            (
                Must,
                "tcp.window.peer-shrinks",
                "RFC 9293 §3.8.6 (MUST-34, SHLD-15, SHLD-16, SHLD-17)",
                peer_shrinks,
            ),
            (
                Must,
                "tcp.window.rst-at-zero-window",
                "RFC 9293 §3.10.7.4 (MUST-66)",
                rst_zero_window,
            ),
        ],
    )
}
