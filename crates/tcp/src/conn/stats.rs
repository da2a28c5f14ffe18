//! The numbers a user can read about a connection.

use handshake_time::Duration;

use super::{Connection, State};
use crate::congestion::CongestionControl;

/// Numbers a user can read about a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// The state.
    pub state: State,
    /// Smoothed round-trip time, once measured (RFC 6298 §2).
    pub srtt: Option<Duration>,
    /// Round-trip time variation (RFC 6298 §2).
    pub rttvar: Duration,
    /// The retransmission timeout in force, with backoff.
    pub rto: Duration,
    /// Congestion window, bytes.
    pub cwnd: u32,
    /// Slow-start threshold, bytes (`u32::MAX` until the first loss).
    pub ssthresh: u32,
    /// In fast recovery (RFC 5681 §3.2, RFC 6582, RFC 6675).
    pub in_recovery: bool,
    /// Bytes sent and not yet acknowledged (SND.NXT - SND.UNA, SYN/FIN included).
    pub bytes_in_flight: u32,
    /// Segments retransmitted, for any reason.
    pub retransmits: u64,
    /// Losses repaired by fast retransmit (duplicate ACKs or SACK).
    pub fast_retransmits: u64,
    /// Retransmission timeouts.
    pub timeouts: u64,
    /// Octets the peer has SACKed above SND.UNA.
    pub sacked_bytes: u32,
    /// Whether SACK (RFC 2018) and timestamps (RFC 7323) were negotiated.
    pub sack: bool,
    /// See `sack`.
    pub timestamps: bool,
    /// Segments sent.
    pub segments_sent: u64,
    /// Segments received.
    pub segments_received: u64,
    /// Challenge ACKs sent (RFC 5961).
    pub challenge_acks: u64,
    /// Bytes held in the out-of-order buffer (bounded by the receive window).
    pub reassembly_bytes: usize,
    /// Work the out-of-order buffer did so far: pieces it visited plus
    /// octets it copied, a deterministic measure of its cost (issue 13
    /// defect 4: it must grow linearly with the segments inserted).
    pub reassembly_work: u64,
    /// Tail loss probes sent (RFC 8985 §7).
    pub tlp_probes: u64,
    /// Segments RACK marked lost (RFC 8985 §6.2).
    pub rack_lost: u64,
    /// RACK.reo_wnd_mult: D-SACKs widen the reordering window (RFC 8985 §6.2 step 4).
    pub reo_wnd_mult: u32,
    /// D-SACK blocks received (RFC 2883): segments the peer got twice, each
    /// a spurious retransmission or a duplicate made by the network.
    pub dsacks_received: u64,
    /// Retransmission timeouts found spurious and undone (RFC 5682).
    pub spurious_timeouts: u64,
    /// ICMP errors ignored because their quoted sequence number was not in
    /// SND.UNA..SND.NXT (RFC 5927 §4.1), and Source Quench discarded.
    pub icmp_ignored: u64,
    /// Soft ICMP errors acted on (reported, the connection goes on).
    pub icmp_soft: u64,
    /// ICMP hard errors that aborted the connection.
    pub icmp_hard: u64,
    /// Times Packet Too Big lowered the send MSS (RFC 1191).
    pub pmtu_reductions: u64,
    /// Whether ECN was negotiated (RFC 3168 §6.1.1).
    pub ecn: bool,
    /// ACKs with ECN-Echo received on a negotiated connection (RFC 3168 §6.1.2).
    pub ece_received: u64,
    /// Data segments received with Congestion Experienced in the IP header.
    pub ce_received: u64,
    /// Segments sent with CWR (RFC 3168 §6.1.2).
    pub cwr_sent: u64,
    /// Segments received with CWR (each ends our ECN-Echo, §6.1.3).
    pub cwr_received: u64,
    /// Congestion-window reductions in answer to ECN-Echo, at most one per
    /// window of data (RFC 3168 §6.1.2).
    pub ecn_reductions: u64,
}

impl Connection {
    /// Numbers about the connection.
    pub fn stats(&self) -> Stats {
        Stats {
            state: self.state,
            srtt: self.rtt.srtt,
            rttvar: self.rtt.rttvar,
            rto: self.rtt.rto,
            cwnd: self.cc.cwnd(),
            ssthresh: self.cc.ssthresh(),
            in_recovery: self.in_recovery,
            bytes_in_flight: self.flight_size(),
            retransmits: self.retransmits,
            fast_retransmits: self.fast_retransmits,
            timeouts: self.timeouts,
            sacked_bytes: self.scoreboard.sacked_bytes(),
            sack: self.sack_ok,
            timestamps: self.ts_ok,
            segments_sent: self.segments_sent,
            segments_received: self.segments_received,
            challenge_acks: self.challenge_acks,
            reassembly_bytes: self.ooo.len(),
            reassembly_work: self.ooo.work(),
            tlp_probes: self.rack.probes,
            rack_lost: self.rack.marked_lost,
            reo_wnd_mult: self.rack.reo_wnd_mult(),
            dsacks_received: self.dsacks,
            spurious_timeouts: self.frto.undone,
            icmp_ignored: self.icmp.out_of_window + self.icmp.discarded,
            icmp_soft: self.icmp.soft,
            icmp_hard: self.icmp.hard,
            pmtu_reductions: self.icmp.mss_reductions,
            ecn: self.ecn.ok,
            ece_received: self.ecn.ece_received,
            ce_received: self.ecn.ce_received,
            cwr_sent: self.ecn.cwr_sent,
            cwr_received: self.ecn.cwr_received,
            ecn_reductions: self.ecn.reductions,
        }
    }
}
