//! `tcp.conn.*`: The connection state machine (RFC 9293 §3.5-3.10): handshakes, closes, resets, TIME-WAIT, RFC 5961 challenge ACKs, retransmission.

use super::support::*;
use crate::Kind;
use crate::Level::{Must, Should};
use crate::{check_property, Case, Ctx, Outcome};
use handshake_tcp::conn::pair::{client_addr, server_addr, Fate, Pair, Side};
use handshake_tcp::conn::{Config, Connection, Event, IsnGenerator, Listener, State};
use handshake_tcp::wire::{SegmentRepr, SeqNumber, TcpFlags};
use handshake_tcp::Error;
use handshake_time::{Duration, Instant};
use proptest::prelude::*;
use std::net::SocketAddr;

mod close;
mod data;
mod open;
mod reset;
mod retransmit;
use close::*;
use data::*;
use open::*;
use reset::*;
use retransmit::*;

/// (server RCV.NXT, server SND.NXT) as the client's last segment shows them.
fn server_seqs(p: &Pair) -> Result<(SeqNumber, SeqNumber), String> {
    let t = last_sent(p, Side::Client)?;
    Ok((t.header.seq_number, t.header.ack_number))
}

fn from_client(seq: SeqNumber, flags: TcpFlags) -> SegmentRepr<'static> {
    let mut s = SegmentRepr::new(client_addr().port(), server_addr().port(), seq, flags);
    s.window = 1000;
    s
}

/// The `tcp.conn.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut all = Case::table(Kind::Simulation, &[
        (
            Must,
            "tcp.conn.handshake.three-way",
            "RFC 9293 §3.5",
            three_way,
        ),
        (
            Must,
            "tcp.conn.open.syn-received-active-rst",
            "RFC 9293 §3.10.7.4 (MUST-11)",
            syn_received_active_rst,
        ),
        (
            Must,
            "tcp.conn.open.local-address",
            "RFC 9293 §3.9.1.1 (MUST-43, MUST-45), §3.4",
            local_address,
        ),
        (
            Must,
            "tcp.conn.handshake.simultaneous-open",
            "RFC 9293 §3.5 (Figure 8)",
            simultaneous_open,
        ),
        (
            Must,
            "tcp.conn.handshake.syn-retransmit",
            "RFC 6298 §5.7, RFC 9293 §3.8.1",
            syn_retransmit,
        ),
        (Must, "tcp.conn.options.mss", "RFC 9293 §3.7.1", mss),
        (
            Should,
            "tcp.conn.options.mss-per-family",
            "RFC 9293 §3.7.1, RFC 6691 §2",
            mss_per_family,
        ),
        (
            Must,
            "tcp.conn.options.window-scale-both-syns",
            "RFC 7323 §1.3, §2.2",
            window_scale,
        ),
        (
            Must,
            "tcp.conn.close.active",
            "RFC 9293 §3.6 (case 1)",
            active_close,
        ),
        (
            Must,
            "tcp.conn.close.simultaneous",
            "RFC 9293 §3.6 (case 3)",
            simultaneous_close,
        ),
        (
            Must,
            "tcp.conn.close.half-close",
            "RFC 9293 §3.6 (half-duplex close)",
            half_close,
        ),
        (
            Must,
            "tcp.conn.close.time-wait-2msl",
            "RFC 9293 §3.6.1, §3.10.7.4",
            time_wait_2msl,
        ),
        (
            Should,
            "tcp.conn.rst.time-wait-rfc1337",
            "RFC 1337 §3 (TIME-WAIT assassination)",
            rfc1337,
        ),
        (
            Must,
            "tcp.conn.rst.challenge-ack",
            "RFC 5961 §3.2",
            rst_challenge,
        ),
        (
            Must,
            "tcp.conn.rst.exact-resets",
            "RFC 5961 §3.2, RFC 9293 §3.10.7.4",
            rst_exact,
        ),
        (
            Should,
            "tcp.conn.rst.challenge-ack-throttle",
            "RFC 5961 §7",
            challenge_throttle,
        ),
        (
            Must,
            "tcp.conn.syn.challenge-ack",
            "RFC 5961 §4.2",
            syn_challenge,
        ),
        (
            Must,
            "tcp.conn.seq.unacceptable-acked",
            "RFC 9293 §3.10.7.4",
            unacceptable,
        ),
        (Must, "tcp.conn.seq.wraparound", "RFC 9293 §3.4", wraparound),
        (
            Must,
            "tcp.conn.flow.receive-window",
            "RFC 9293 §3.8.6",
            receive_window,
        ),
        (
            Must,
            "tcp.conn.flow.zero-window-probes-answered",
            "RFC 9293 §3.8.6.1, MUST-37 (a zero-window receiver answers every probe with RCV.NXT and window 0)",
            zero_window_probes_answered,
        ),
        (Must, "tcp.conn.rto.backoff", "RFC 6298 §2.4, §5.5", rto_backoff),
        (
            Should,
            "tcp.conn.rto.linux-profile-floor",
            "RFC 6298 §2.4 (Linux profile: TCP_RTO_MIN 200 ms)",
            linux_min_rto,
        ),
        (Must, "tcp.conn.rto.karn", "RFC 6298 §3", karn),
        (
            Must,
            "tcp.conn.rto.give-up",
            "RFC 9293 §3.8.3 (R2)",
            give_up,
        ),
        (
            Must,
            "tcp.conn.rto.syn-r2-settable",
            "RFC 9293 §3.8.3 (MUST-21: the application sets R2, here the SYN's)",
            syn_r2_settable,
        ),
        (
            Must,
            "tcp.conn.listen.backlog-and-rst",
            "RFC 9293 §3.10.7.2",
            listener_backlog,
        ),
        (
            Must,
            "tcp.conn.reassembly.out-of-order",
            "RFC 9293 §3.10.7.4",
            out_of_order,
        ),
        (Must, "tcp.conn.close.abort-rst", "RFC 9293 §3.10.5", abort),
        (
            Must,
            "tcp.conn.syn-sent.bad-ack-rst",
            "RFC 9293 §3.10.7.3, RFC 5961 §3.2",
            syn_sent_bad_ack,
        ),
        (
            Must,
            "tcp.conn.close.time-wait-fin-retransmit",
            "RFC 9293 §3.10.7.4 (TIME-WAIT, eighth)",
            time_wait_fin_retransmit,
        ),
        (
            Must,
            "tcp.conn.options.mss-only-in-syn",
            "RFC 9293 §3.2 (MUST-65)",
            mss_only_in_syn,
        ),
        (
            Should,
            "tcp.conn.rto.r1-notifies",
            "RFC 9293 §3.8.3 (SHLD-9, SHLD-10)",
            r1_notifies,
        ),
        (
            Should,
            "tcp.conn.rto.r2-at-least-100s",
            "RFC 9293 §3.8.3 (SHLD-11)",
            r2_default,
        ),
        (
            Must,
            "tcp.conn.rto.syn-r2-three-minutes",
            "RFC 9293 §3.8.3 (MUST-22, MUST-23)",
            syn_r2,
        ),
    ]);
    all.extend([
        Case::must("tcp.conn.robustness.random-segments", "RFC 9293 §3.10.7")
            .property(random_segments),
        Case::must("tcp.conn.isn.rfc6528", "RFC 6528 §3").property(isn),
        Case::must(
            "tcp.conn.reliability.lossy-link",
            "RFC 9293 §3.10.7.4, §3.8.1",
        )
        .property(lossy),
    ]);
    all.extend(Case::table(
        Kind::Vector,
        &[
            (
                Must,
                "tcp.conn.options.default-mss",
                "RFC 9293 §3.7.1 (MUST-15)",
                default_mss,
            ),
            (
                Must,
                "tcp.conn.listen.rst-back-to-listen",
                "RFC 9293 §3.10.7.4 (MUST-11)",
                syn_rcvd_back_to_listen,
            ),
            (
                Must,
                "tcp.conn.listen.independent-listeners",
                "RFC 9293 §3.9.1.1 (MUST-41, MUST-42)",
                independent_listeners,
            ),
            (
                Must,
                "tcp.conn.open.invalid-address-rejected",
                "RFC 9293 §3.9.1.1 (MUST-46)",
                invalid_open,
            ),
            (
                Must,
                "tcp.conn.listen.invalid-address-ignored",
                "RFC 9293 §3.10.7.2 (MUST-57, MUST-63)",
                invalid_syn_ignored,
            ),
            (
                Should,
                "tcp.conn.rst.with-data",
                "RFC 9293 §3.5.3 (SHLD-2)",
                rst_with_data,
            ),
        ],
    ));
    all
}
