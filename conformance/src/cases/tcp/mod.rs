//! The `tcp.*` cases: one module per group, `tcp/<group>.rs` holding exactly
//! the cases `tcp.<group>.*`; helpers shared by groups live in `support.rs`.
//!
//! tshark as an independent dissector: it re-reads a few hundred random valid
//! packets that Handshake emitted and must find each one well formed, with
//! good checksums and every field where we put it.
//!
//! handshake-tcp: the segment format and options (RFC 9293 §3.1-3.2, RFC 7323,
//! RFC 2018) and sequence-number arithmetic (RFC 9293 §3.4).
//!
//! handshake-tcp congestion control: slow start, congestion avoidance, fast
//! retransmit and recovery (RFC 5681), NewReno (RFC 6582), CUBIC (RFC 9438)
//! and the initial window (RFC 6928), read from the connection's trace.
//!
//! handshake-tcp: the connection state machine (RFC 9293 §3.3-3.10), RFC 5961
//! challenge ACKs, RFC 6298 retransmission, RFC 6528 ISNs, run over the
//! crate's in-memory pair with a controllable clock.
//!
//! handshake-tcp flow control and the options negotiated in the SYN: Nagle,
//! delayed ACKs, silly window syndrome avoidance, zero windows and the
//! persist timer, stop-and-wait, SACK (RFC 2018) and timestamps (RFC 7323).
//!
//! Our TCP against the Linux kernel's, through a TUN device in a network
//! namespace of the case's own (`tcp.interop.*`, Kind::InteropOs).
//!
//! Each case builds a fresh namespace (kernel at 192.0.2.1, us at
//! 192.0.2.2), runs, and leaves a capture under
//! `target/conformance/pcap/<case>/` when it fails (or with `--pcap`); tshark
//! re-reads every capture and a malformed packet or bad checksum fails the
//! case. Off Linux the cases skip.
//!
//! handshake-tcp and ICMP errors (RFC 9293 §3.9.2.2, RFC 5927, RFC 1191):
//! `tcp.icmp.*`, over the pair and against the kernel.
//!
//! handshake-tcp and ECN (RFC 3168 §6.1): `tcp.ecn.*`, over the pair, the
//! simulator's marking queue and against the kernel.
//!
//! handshake-tcp keep-alives (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6): off by
//! default, probes only on an idle connection, dead peers found, lost ACKs
//! tolerated.
//!
//! handshake-tcp: the remaining numbered requirements of RFC 9293 Appendix B
//! (PUSH, window edge cases, MSS defaults, address validation, R1/R2, ACK
//! aggregation), and the coverage check over the whole table.
//!
//! handshake-tcp over the crate's deterministic network simulator
//! (`handshake_tcp::sim`): reliable in-order delivery over lossy,
//! reordering, duplicating links of any delay and bandwidth (RFC 9293 §3.4,
//! §3.10.7.4), orderly close through TIME-WAIT (§3.6), bounded buffers,
//! shared bottlenecks, long paths and long idle periods.

use crate::Case;

mod cc;
mod conn;
mod coverage;
mod ecn;
mod flow;
mod icmp;
mod interop;
mod keepalive;
mod push;
mod recovery;
mod robust;
mod sack;
mod script;
mod seq;
mod sim;
mod support;
mod ts;
mod urg;
mod window;
mod wire;

/// Every `tcp.*` case, group by group.
pub(crate) fn cases() -> Vec<Case> {
    [
        interop::cases(),
        wire::cases(),
        seq::cases(),
        cc::cases(),
        conn::cases(),
        flow::cases(),
        urg::cases(),
        keepalive::cases(),
        icmp::cases(),
        ecn::cases(),
        sack::cases(),
        recovery::cases(),
        ts::cases(),
        push::cases(),
        window::cases(),
        coverage::cases(),
        sim::cases(),
        script::cases(),
        robust::cases(),
    ]
    .concat()
}
