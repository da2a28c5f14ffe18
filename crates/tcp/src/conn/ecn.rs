//! Explicit Congestion Notification (RFC 3168 §6.1): negotiated in the
//! handshake, the receiver echoes a router's Congestion Experienced mark
//! with ECE until the sender's CWR, and the sender answers ECE as it would
//! a loss, without retransmitting, at most once per window of data.
//!
//! RFC 8311 relaxes parts of RFC 3168 for experiments (ECT on SYNs and
//! retransmissions, other responses to CE); none of that is done here:
//! this is RFC 3168 as Linux's `tcp_ecn` implements it.

use handshake_time::Instant;

use super::{Connection, CwndCause, Pending};
use crate::congestion::CongestionControl;
use crate::wire::{Ecn, SegmentRepr, SeqNumber, TcpFlags};

/// Whether a connection uses ECN, with the meanings of Linux's
/// `net.ipv4.tcp_ecn`.
///
/// ```
/// use handshake_tcp::conn::{Config, Connection, EcnMode};
/// use handshake_tcp::wire::{SeqNumber, TcpFlags};
/// use handshake_time::Instant;
/// let cfg = Config::default().ecn(EcnMode::Request);
/// let mut c = Connection::connect(cfg, "192.0.2.2:40000".parse().unwrap(),
///     "192.0.2.1:80".parse().unwrap(), Instant::ZERO, SeqNumber(1));
/// let syn = c.poll_transmit(Instant::ZERO).unwrap();
/// // RFC 3168 §6.1.1: an ECN-setup SYN has ECE and CWR set ...
/// assert!(syn.header.flags.contains(TcpFlags::ECE | TcpFlags::CWR));
/// // ... and, like every SYN, goes out as Not-ECT.
/// assert!(!syn.ecn.is_ect());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EcnMode {
    /// Never: our SYNs do not ask, and a peer's ECN-setup SYN is answered
    /// with a plain SYN-ACK (`tcp_ecn=0`).
    Off,
    /// Agree when the peer's SYN asks; our SYNs do not ask (`tcp_ecn=2`,
    /// Linux's default and ours).
    #[default]
    Accept,
    /// Ask in our SYNs, and agree when the peer asks (`tcp_ecn=1`).
    Request,
}

/// The ECN state of a connection.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct EcnState {
    /// Negotiated (RFC 3168 §6.1.1): new data goes as ECT(0), and ECE and
    /// CE mean something.
    pub(crate) ok: bool,
    /// The peer's SYN was an ECN-setup SYN we agreed to: our SYN-ACK has ECE.
    pub(crate) peer_asked: bool,
    /// Receiver (§6.1.3): a CE-marked data segment arrived and no CWR since:
    /// every ACK carries ECE.
    pub(crate) echo: bool,
    /// Sender (§6.1.2): the window was reduced and the next new data
    /// segment carries CWR.
    pub(crate) cwr_pending: bool,
    /// Sender: no further reduction for ECE until SND.UNA passes this
    /// (SND.MAX at the last reduction): once per window of data.
    pub(crate) recover: Option<SeqNumber>,
    /// ACKs with ECE received on a negotiated connection.
    pub(crate) ece_received: u64,
    /// Data segments received marked CE.
    pub(crate) ce_received: u64,
    /// Segments sent with CWR.
    pub(crate) cwr_sent: u64,
    /// Segments received with CWR.
    pub(crate) cwr_received: u64,
    /// Window reductions in answer to ECE.
    pub(crate) reductions: u64,
}

impl Connection {
    /// The ECN flags of our SYN or SYN-ACK (RFC 3168 §6.1.1): ECE|CWR in a
    /// SYN that asks, ECE alone in a SYN-ACK that agrees. A SYN sent again
    /// after a timeout asks no more (§6.1.1.1: a middlebox may drop
    /// ECN-setup SYNs; as Linux's `tcp_ecn_fallback`).
    pub(crate) fn ecn_syn_flags(&self, synack: bool) -> TcpFlags {
        if synack {
            if self.ecn.peer_asked {
                return TcpFlags::ECE;
            }
        } else if self.config.ecn == EcnMode::Request && !self.syn_retransmitted {
            return TcpFlags::ECE | TcpFlags::CWR;
        }
        TcpFlags::empty()
    }

    /// The peer's SYN or SYN-ACK (RFC 3168 §6.1.1).
    pub(crate) fn ecn_on_syn(&mut self, seg: &SegmentRepr<'_>) {
        let f = seg.flags;
        let (ece, cwr) = (f.contains(TcpFlags::ECE), f.contains(TcpFlags::CWR));
        if f.contains(TcpFlags::ACK) {
            // A SYN-ACK: negotiated only if we asked and it has ECE without
            // CWR; "a SYN-ACK packet with both ECE and CWR set" or neither
            // is not an ECN-setup SYN-ACK.
            let asked = self.config.ecn == EcnMode::Request && !self.syn_retransmitted;
            self.ecn.ok = asked && ece && !cwr;
        } else {
            // A SYN: an ECN-setup SYN has both ECE and CWR.
            let agree = self.config.ecn != EcnMode::Off && ece && cwr;
            self.ecn.peer_asked = agree;
            self.ecn.ok = agree;
        }
    }

    /// The receiver's part (RFC 3168 §6.1.3) for an acceptable segment that
    /// arrived with codepoint `ecn`: CWR ends the echo, then a CE-marked
    /// data segment starts it (so a CWR segment that is itself marked keeps
    /// it on). Returns true when the ACK must go at once (a CE mark: the
    /// sender's window may be small, as Linux's quick-ACK on CE).
    pub(crate) fn ecn_on_segment(&mut self, seg: &SegmentRepr<'_>, ecn: Ecn) -> bool {
        let data = !seg.payload.is_empty();
        if ecn == Ecn::Ce && data {
            self.ecn.ce_received += 1;
        }
        if !self.ecn.ok {
            // Not negotiated: a CE mark (which a router should not have
            // set on a Not-ECT packet) and the flags mean nothing.
            return false;
        }
        if seg.flags.contains(TcpFlags::CWR) {
            self.ecn.cwr_received += 1;
            self.ecn.echo = false;
        }
        if ecn == Ecn::Ce && data {
            // "the TCP receiver sets the ECN-Echo flag in ... subsequent
            // ACK packets" until a CWR arrives.
            self.ecn.echo = true;
            return true;
        }
        false
    }

    /// The sender's part (RFC 3168 §6.1.2) for an acceptable ACK with ECE:
    /// halve as a fast retransmit would (ssthresh and cwnd through the
    /// congestion controller), retransmit nothing, at most once per window
    /// of data and not during loss recovery (which has reduced already).
    /// Returns true when the window was reduced; that ACK must not grow it.
    pub(crate) fn ecn_on_ece(&mut self, now: Instant) -> bool {
        self.ecn.ece_received += 1;
        let una = self.snd_una;
        // An ACK up to SND.MAX-at-reduction still acknowledges only data of
        // that window (its ECE may echo a mark from before the reduction,
        // sent before our CWR arrived); only an ACK beyond it covers data
        // sent after the reduction.
        let within = |p: Option<SeqNumber>| p.is_some_and(|p| una.distance_from(p) <= 0);
        if self.in_recovery || within(self.ecn.recover) || una.distance_from(self.recover) < 0 {
            return false;
        }
        let smss = self.snd_mss as u32;
        let flight = self.flight_size().min(self.cc.cwnd());
        self.cc.on_congestion_event(now, flight, smss);
        // cwnd = ssthresh: no recovery's inflation, nothing to retransmit.
        let ssthresh = self.cc.ssthresh();
        self.cc.set_cwnd(ssthresh);
        self.ecn.reductions += 1;
        self.ecn_reduced();
        self.trace_cwnd_with(now, CwndCause::Ecn, flight);
        true
    }

    /// The window was reduced (for ECE, a fast retransmit or a timeout):
    /// the next new data carries CWR (§6.1.2, "for any reason"), and ECE
    /// for data of this window does not reduce it again.
    pub(crate) fn ecn_reduced(&mut self) {
        if self.ecn.ok {
            self.ecn.cwr_pending = true;
            self.ecn.recover = Some(self.snd_max);
        }
    }

    /// Marks a segment of new data: ECT(0) once negotiated (§6.1.2), and
    /// CWR on the first after a reduction. Retransmissions (§6.1.5), window
    /// probes (§6.1.6) and segments without data (§6.1.4) are not passed
    /// here and stay Not-ECT.
    pub(crate) fn ecn_mark_new_data(&mut self, t: &mut Pending) {
        if !self.ecn.ok || t.data_len() == 0 {
            return;
        }
        t.ecn = Ecn::Ect0;
        if core::mem::take(&mut self.ecn.cwr_pending) {
            t.header.flags |= TcpFlags::CWR;
            self.ecn.cwr_sent += 1;
        }
    }

    /// Whether ECN was negotiated (RFC 3168 §6.1.1).
    pub fn ecn_negotiated(&self) -> bool {
        self.ecn.ok
    }
}
