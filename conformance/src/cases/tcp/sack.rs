//! `tcp.sack.*`: Selective acknowledgment (RFC 2018) and SACK-based recovery (RFC 6675).

use super::support::*;
use crate::Case;
use crate::Kind;
use crate::Level::{Must, Should};
use handshake_tcp::conn::pair::{Fate, Pair, Side};
use handshake_tcp::conn::Config;
use handshake_tcp::wire::SeqNumber;
use handshake_time::Duration;

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

/// The `tcp.sack.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Case::table(
        Kind::Simulation,
        &[
            (
                Must,
                "tcp.sack.negotiated-in-syn",
                "RFC 2018 §2",
                sack_negotiated,
            ),
            (
                Must,
                "tcp.sack.first-block-newest-arrival",
                "RFC 2018 §4",
                sack_first_block_newest,
            ),
            (
                Should,
                "tcp.sack.recovery-resends-only-holes",
                "RFC 6675 §5",
                sack_recovery_only_holes,
            ),
            (
                Must,
                "tcp.sack.blocks-fit-option-space",
                "RFC 2018 §3",
                sack_block_limit,
            ),
        ],
    )
}
