//! `tcp.push.*`: The PSH flag (RFC 9293 §3.9.1).

use super::support::*;
use crate::Case;
use crate::Kind;
use crate::Level::Must;
use handshake_tcp::conn::pair::{Pair, Side};
use handshake_tcp::wire::{SegmentRepr, TcpFlags};

fn client_data(p: &Pair, from: usize) -> Vec<SegmentRepr<'static>> {
    p.log[from..]
        .iter()
        .filter(|(_, s, t, _)| *s == Side::Client && !t.payload.is_empty())
        .map(|(_, _, t, _)| t.header)
        .collect()
}

fn psh_last() -> R {
    let mut p = established(60)?;
    let from = p.log.len();
    // One write of 5.5 segments: PSH only on the last (SHLD-27 collapses
    // them), and nothing is held back waiting for more writes (MUST-60).
    p.client.send(&pattern(1460 * 5 + 730, 1));
    p.run_until_idle();
    let segs = client_data(&p, from);
    let psh: Vec<bool> = segs
        .iter()
        .map(|h| h.flags.contains(TcpFlags::PSH))
        .collect();
    let n = psh.len();
    ensure(
        n == 6 && psh[..5].iter().all(|x| !x) && psh[5] && p.client.send_queue() == 0,
        || format!("PSH bits {psh:?}; unsent {}", p.client.send_queue()),
    )
}

/// The `tcp.push.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Case::table(
        Kind::Simulation,
        &[(
            Must,
            "tcp.push.psh-on-last-segment",
            "RFC 9293 §3.9.1.2 (MUST-60, MUST-61, SHLD-27)",
            psh_last,
        )],
    )
}
