//! `tcp.ts.*`: Timestamps (RFC 7323): RTTM and PAWS.

use super::support::*;
use crate::Case;
use crate::Kind;
use crate::Level::{Must, Should};
use handshake_tcp::conn::pair::Side;
use handshake_tcp::conn::Config;
use handshake_tcp::wire::{SegmentRepr, TcpFlags, TcpOptions, Timestamps};
use handshake_time::Duration;

fn ts_every_segment() -> R {
    let mut p = established_with(Config::default(), 43)?;
    let (_, _) = exchange(&mut p, &pattern(30_000, 8), &pattern(20_000, 9), true);
    let missing = count_sent(&p, |t| {
        !t.header.flags.contains(TcpFlags::RST) && t.header.options.timestamps.is_none()
    });
    ensure(missing == 0 && p.client.stats().timestamps, || {
        format!("{missing} non-RST segments without TSopt")
    })
}

fn ts_only_if_both() -> R {
    let mut p = established_pair(Config::default(), Config::default().timestamps(false), 44)?;
    let (_, _) = exchange(&mut p, &pattern(10_000, 10), &pattern(10_000, 11), true);
    // RFC 7323 §3.2: the SYN offers TSopt; without it in the SYN,ACK no
    // later segment carries it.
    let later = count_sent(&p, |t| {
        !t.header.flags.contains(TcpFlags::SYN) && t.header.options.timestamps.is_some()
    });
    let syn = p
        .log
        .first()
        .is_some_and(|(_, _, t, _)| t.header.options.timestamps.is_some());
    ensure(syn && later == 0, || {
        format!("SYN offers TSopt: {syn}; {later} later segments carry it")
    })
}

fn paws() -> R {
    let mut p = established_with(Config::default(), 45)?;
    let (_, _) = exchange(&mut p, b"warm up", b"both ways", false);
    p.run_until_idle();
    // The server's last segment: its TSval is the client's TS.Recent.
    let t = last_sent(&p, Side::Server)?;
    let tsval = t.header.options.timestamps.ok_or("no TSopt")?.tsval;
    let (seq, ack) = (t.header.seq_number, t.header.ack_number);
    // An in-window data segment whose TSval is older: an old duplicate.
    let mut seg = SegmentRepr::new(80, 49152, seq, TcpFlags::ACK | TcpFlags::PSH);
    seg.ack_number = ack;
    seg.window = 1000;
    seg.options = TcpOptions {
        timestamps: Some(Timestamps {
            tsval: tsval.wrapping_sub(1000),
            tsecr: 0,
        }),
        ..TcpOptions::default()
    };
    seg.payload = b"old duplicate";
    let now = p.now;
    let before = p.client.recv_queue();
    p.client.handle_segment(now, &seg);
    let after = p.client.recv_queue();
    let acked = p
        .client
        .poll_transmit(now)
        .is_some_and(|t| t.header.flags == TcpFlags::ACK && t.payload.is_empty());
    ensure(before == after && acked, || {
        format!(
            "PAWS: {} bytes accepted from an old TSval; ACK sent: {acked}",
            after - before
        )
    })
}

fn ts_rttm_retransmission() -> R {
    let mut p = established_with(Config::default().delayed_ack(None), 46)?;
    p.fate = drop_first_client_data();
    let before = p.client.stats().srtt;
    p.client.send(b"timed even when retransmitted");
    p.latency = Duration::from_millis(50);
    p.run_until_idle();
    let after = p.client.stats().srtt;
    // RFC 7323 §4: the echoed TSval names the transmission that was ACKed,
    // so the retransmission gives a true 100 ms sample that moves SRTT.
    ensure(after > before, || {
        format!("SRTT {before:?} -> {after:?}: the retransmission was not timed")
    })
}

fn ts_echo_oldest() -> R {
    // Delayed ACKs: the ACK for two segments echoes the first one's TSval
    // (RFC 7323 §4.3: TS.Recent only advances for SEG.SEQ =< Last.ACK.sent).
    // Classic Nagle holds the first write's 12-octet tail, so the second
    // data segment leaves 5 ms after the first, with another TSval
    // (Minshall's variant, the default, would send both at once).
    let mut p = established_with(Config::default().classic_nagle(true), 47)?;
    let from = p.log.len();
    p.client.send(&pattern(1460, 12));
    p.transmit();
    p.advance(Duration::from_millis(5));
    p.client.send(&pattern(1460, 13));
    p.run_until_idle();
    let c = data(&p, Side::Client, from);
    let s = sent(&p, Side::Server, from);
    let first_tsval = c
        .first()
        .and_then(|(_, t)| t.header.options.timestamps)
        .ok_or("no client TSopt")?
        .tsval;
    let second_tsval = c
        .get(1)
        .and_then(|(_, t)| t.header.options.timestamps)
        .ok_or("no second segment")?
        .tsval;
    let echo = s
        .first()
        .and_then(|(_, t)| t.header.options.timestamps)
        .ok_or("no ACK")?
        .tsecr;
    ensure(echo == first_tsval && first_tsval != second_tsval, || {
        format!("ACK echoes {echo}, first TSval {first_tsval}, second {second_tsval}")
    })
}

/// The `tcp.ts.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Case::table(
        Kind::Simulation,
        &[
            (
                Must,
                "tcp.ts.on-every-segment",
                "RFC 7323 §3.2",
                ts_every_segment,
            ),
            (
                Must,
                "tcp.ts.only-when-both-offer",
                "RFC 7323 §3.2",
                ts_only_if_both,
            ),
            (
                Must,
                "tcp.ts.paws-drops-old-duplicate",
                "RFC 7323 §5.3 (R1)",
                paws,
            ),
            (
                Should,
                "tcp.ts.rttm-times-retransmissions",
                "RFC 7323 §4.1",
                ts_rttm_retransmission,
            ),
            (
                Must,
                "tcp.ts.echo-oldest-unacknowledged",
                "RFC 7323 §4.3",
                ts_echo_oldest,
            ),
        ],
    )
}
