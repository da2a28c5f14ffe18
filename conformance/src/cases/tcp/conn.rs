//! `tcp.conn.*`: The connection state machine (RFC 9293 §3.5-3.10): handshakes, closes, resets, TIME-WAIT, RFC 5961 challenge ACKs, retransmission.

use super::support::*;
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
    let (_, _, t, _) = p
        .log
        .iter()
        .rev()
        .find(|(_, s, ..)| *s == Side::Client)
        .ok_or("client sent nothing")?;
    Ok((t.header.seq_number, t.header.ack_number))
}

fn from_client(seq: SeqNumber, flags: TcpFlags) -> SegmentRepr<'static> {
    let mut s = SegmentRepr::new(client_addr().port(), server_addr().port(), seq, flags);
    s.window = 1000;
    s
}

/// The `tcp.conn.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must("tcp.conn.handshake.three-way", "RFC 9293 §3.5").simulation(|_| sim(three_way)),
        Case::must(
            "tcp.conn.handshake.simultaneous-open",
            "RFC 9293 §3.5 (Figure 8)",
        )
        .simulation(|_| sim(simultaneous_open)),
        Case::must(
            "tcp.conn.handshake.syn-retransmit",
            "RFC 6298 §5.7, RFC 9293 §3.8.1",
        )
        .simulation(|_| sim(syn_retransmit)),
        Case::must("tcp.conn.options.mss", "RFC 9293 §3.7.1").simulation(|_| sim(mss)),
        Case::must(
            "tcp.conn.options.window-scale-both-syns",
            "RFC 7323 §1.3, §2.2",
        )
        .simulation(|_| sim(window_scale)),
        Case::must("tcp.conn.close.active", "RFC 9293 §3.6 (case 1)")
            .simulation(|_| sim(active_close)),
        Case::must("tcp.conn.close.simultaneous", "RFC 9293 §3.6 (case 3)")
            .simulation(|_| sim(simultaneous_close)),
        Case::must(
            "tcp.conn.close.half-close",
            "RFC 9293 §3.6 (half-duplex close)",
        )
        .simulation(|_| sim(half_close)),
        Case::must(
            "tcp.conn.close.time-wait-2msl",
            "RFC 9293 §3.6.1, §3.10.7.4",
        )
        .simulation(|_| sim(time_wait_2msl)),
        Case::should(
            "tcp.conn.rst.time-wait-rfc1337",
            "RFC 1337 §3 (TIME-WAIT assassination)",
        )
        .simulation(|_| sim(rfc1337)),
        Case::must("tcp.conn.rst.challenge-ack", "RFC 5961 §3.2")
            .simulation(|_| sim(rst_challenge)),
        Case::must(
            "tcp.conn.rst.exact-resets",
            "RFC 5961 §3.2, RFC 9293 §3.10.7.4",
        )
        .simulation(|_| sim(rst_exact)),
        Case::should("tcp.conn.rst.challenge-ack-throttle", "RFC 5961 §7")
            .simulation(|_| sim(challenge_throttle)),
        Case::must("tcp.conn.syn.challenge-ack", "RFC 5961 §4.2")
            .simulation(|_| sim(syn_challenge)),
        Case::must("tcp.conn.seq.unacceptable-acked", "RFC 9293 §3.10.7.4")
            .simulation(|_| sim(unacceptable)),
        Case::must("tcp.conn.seq.wraparound", "RFC 9293 §3.4").simulation(|_| sim(wraparound)),
        Case::must("tcp.conn.flow.receive-window", "RFC 9293 §3.8.6")
            .simulation(|_| sim(receive_window)),
        Case::must(
            "tcp.conn.flow.zero-window-probes-answered",
            "RFC 9293 §3.8.6.1, MUST-37 (a zero-window receiver answers every probe with RCV.NXT and window 0)",
        )
        .simulation(|_| sim(zero_window_probes_answered)),
        Case::must("tcp.conn.rto.backoff", "RFC 6298 §5.5").simulation(|_| sim(rto_backoff)),
        Case::must("tcp.conn.rto.karn", "RFC 6298 §3").simulation(|_| sim(karn)),
        Case::must("tcp.conn.rto.give-up", "RFC 9293 §3.8.3 (R2)").simulation(|_| sim(give_up)),
        Case::must(
            "tcp.conn.rto.syn-r2-settable",
            "RFC 9293 §3.8.3 (MUST-21: the application sets R2, here the SYN's)",
        )
        .simulation(|_| sim(syn_r2_settable)),
        Case::must("tcp.conn.listen.backlog-and-rst", "RFC 9293 §3.10.7.2")
            .simulation(|_| sim(listener_backlog)),
        Case::must("tcp.conn.reassembly.out-of-order", "RFC 9293 §3.10.7.4")
            .simulation(|_| sim(out_of_order)),
        Case::must("tcp.conn.close.abort-rst", "RFC 9293 §3.10.5").simulation(|_| sim(abort)),
        Case::must(
            "tcp.conn.syn-sent.bad-ack-rst",
            "RFC 9293 §3.10.7.3, RFC 5961 §3.2",
        )
        .simulation(|_| sim(syn_sent_bad_ack)),
        Case::must(
            "tcp.conn.close.time-wait-fin-retransmit",
            "RFC 9293 §3.10.7.4 (TIME-WAIT, eighth)",
        )
        .simulation(|_| sim(time_wait_fin_retransmit)),
        Case::must("tcp.conn.robustness.random-segments", "RFC 9293 §3.10.7")
            .property(random_segments),
        Case::must("tcp.conn.isn.rfc6528", "RFC 6528 §3").property(isn),
        Case::must(
            "tcp.conn.reliability.lossy-link",
            "RFC 9293 §3.10.7.4, §3.8.1",
        )
        .property(lossy),
        Case::must("tcp.conn.options.default-mss", "RFC 9293 §3.7.1 (MUST-15)")
            .vector(|_| sim(default_mss)),
        Case::must(
            "tcp.conn.options.mss-only-in-syn",
            "RFC 9293 §3.2 (MUST-65)",
        )
        .simulation(|_| sim(mss_only_in_syn)),
        Case::must(
            "tcp.conn.listen.rst-back-to-listen",
            "RFC 9293 §3.10.7.4 (MUST-11)",
        )
        .vector(|_| sim(syn_rcvd_back_to_listen)),
        Case::must(
            "tcp.conn.listen.independent-listeners",
            "RFC 9293 §3.9.1.1 (MUST-41, MUST-42)",
        )
        .vector(|_| sim(independent_listeners)),
        Case::must(
            "tcp.conn.open.invalid-address-rejected",
            "RFC 9293 §3.9.1.1 (MUST-46)",
        )
        .vector(|_| sim(invalid_open)),
        Case::must(
            "tcp.conn.listen.invalid-address-ignored",
            "RFC 9293 §3.10.7.2 (MUST-57, MUST-63)",
        )
        .vector(|_| sim(invalid_syn_ignored)),
        Case::should("tcp.conn.rst.with-data", "RFC 9293 §3.5.3 (SHLD-2)")
            .vector(|_| sim(rst_with_data)),
        Case::should(
            "tcp.conn.rto.r1-notifies",
            "RFC 9293 §3.8.3 (SHLD-9, SHLD-10)",
        )
        .simulation(|_| sim(r1_notifies)),
        Case::should("tcp.conn.rto.r2-at-least-100s", "RFC 9293 §3.8.3 (SHLD-11)")
            .simulation(|_| sim(r2_default)),
        Case::must(
            "tcp.conn.rto.syn-r2-three-minutes",
            "RFC 9293 §3.8.3 (MUST-22, MUST-23)",
        )
        .simulation(|_| sim(syn_r2)),
    ]
}
