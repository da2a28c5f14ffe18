//! An optional, bounded record of what a connection did: every segment sent
//! and received, and every congestion-window change with its cause.

use handshake_time::Instant;

use crate::wire::{SeqNumber, TcpFlags};

/// A segment's header as the trace records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentSummary {
    /// SEG.SEQ.
    pub seq: SeqNumber,
    /// SEG.ACK (meaningful with the ACK flag).
    pub ack: SeqNumber,
    /// The control bits.
    pub flags: TcpFlags,
    /// Payload octets.
    pub len: u32,
    /// The window field as sent (unscaled).
    pub window: u16,
    /// SACK blocks carried.
    pub sack_blocks: u8,
}

/// Why cwnd or ssthresh changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CwndCause {
    /// New data acknowledged: slow start or congestion avoidance.
    Ack,
    /// Loss detected by duplicate ACKs or SACK: fast retransmit, recovery begins.
    FastRetransmit,
    /// A further duplicate ACK inflated the window during recovery (RFC 5681 §3.2).
    DupAckInflation,
    /// A partial ACK deflated the window (RFC 6582 §3.2).
    PartialAck,
    /// The ACK that ended recovery.
    RecoveryEnd,
    /// The retransmission timer fired.
    Timeout,
    /// A lost SYN or SYN-ACK: the initial window is one segment (RFC 5681 §3.1).
    LostSyn,
    /// A tail loss probe repaired a loss (RFC 8985 §7.4.2).
    TailLossProbe,
    /// Proportional Rate Reduction set the window during recovery (RFC 6937).
    Prr,
    /// A spurious timeout was detected and its response undone (RFC 5682).
    Undo,
    /// An ACK with ECN-Echo halved the window (RFC 3168 §6.1.2).
    Ecn,
}

/// One trace record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceEvent {
    /// A segment left.
    Sent {
        /// When.
        at: Instant,
        /// The header.
        segment: SegmentSummary,
    },
    /// A segment arrived.
    Received {
        /// When.
        at: Instant,
        /// The header.
        segment: SegmentSummary,
    },
    /// cwnd or ssthresh changed.
    Cwnd {
        /// When.
        at: Instant,
        /// The new congestion window, bytes.
        cwnd: u32,
        /// The slow-start threshold, bytes.
        ssthresh: u32,
        /// Bytes in flight at the time; for a reduction (fast retransmit,
        /// timeout), the FlightSize it used: outstanding bytes, at most cwnd.
        flight: u32,
        /// Why.
        cause: CwndCause,
    },
}
