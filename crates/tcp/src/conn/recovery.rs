//! Loss detection and recovery: duplicate ACKs, fast retransmit and fast
//! recovery (RFC 5681 §3.2), NewReno partial ACKs (RFC 6582), SACK-based
//! recovery (RFC 6675), and the congestion response to a timeout.

use handshake_time::{Duration, Instant};

use super::scoreboard::DUP_THRESH;
use super::{Connection, CwndCause, TraceEvent};
use crate::congestion::{Algorithm, CongestionControl};
use crate::wire::SeqNumber;

impl Connection {
    fn smss(&self) -> u32 {
        self.snd_mss as u32
    }

    pub(crate) fn trace_cwnd(&mut self, now: Instant, cause: CwndCause) {
        let flight = self.flight_size();
        self.trace_cwnd_with(now, cause, flight);
    }

    pub(crate) fn trace_cwnd_with(&mut self, now: Instant, cause: CwndCause, flight: u32) {
        if self.config.trace_capacity > 0 {
            let e = TraceEvent::Cwnd {
                at: now,
                cwnd: self.cc.cwnd(),
                ssthresh: self.cc.ssthresh(),
                flight,
                cause,
            };
            self.record(e);
        }
    }

    /// FlightSize for a window reduction: the octets outstanding, but no
    /// more than cwnd. After a lost retransmission the outstanding octets
    /// include everything the receiver SACKed, and halving that would set
    /// ssthresh far above the window that met the loss; RFC 5681 §3.1 asks
    /// for ssthresh "no more than" max(FlightSize/2, 2*SMSS), so the bound
    /// keeps to it (Linux reduces from cwnd for the same reason).
    fn reduction_flight(&self) -> u32 {
        self.flight_size().min(self.cc.cwnd())
    }

    /// The congestion response to one ACK, after SND.UNA moved by `acked`
    /// octets. `dup` says whether it was a duplicate ACK (RFC 5681 §2, or
    /// with SACK one that SACKed new data, RFC 6675 §2).
    pub(crate) fn on_ack_congestion(
        &mut self,
        now: Instant,
        acked: u32,
        dup: bool,
        rtt: Option<Duration>,
        ecn_reduced: bool,
    ) {
        let smss = self.smss();
        if acked > 0 {
            self.dupacks = 0;
            if ecn_reduced {
                // RFC 3168 §6.1.2: the sender SHOULD NOT increase the
                // window in response to an ECN-Echo ACK.
                return;
            }
            if !self.in_recovery {
                let before = self.cc.cwnd();
                self.cc.on_ack(now, acked, smss, rtt);
                if self.cc.cwnd() != before {
                    self.trace_cwnd(now, CwndCause::Ack);
                }
                return;
            }
            let full = self.snd_una.distance_from(self.recover) >= 0;
            if full || self.config.congestion == Algorithm::Reno {
                // RFC 5681 §3.2 step 6 (Reno: the first new ACK) / RFC 6582
                // §3.2 step 3 (a full ACK): deflate the window and leave recovery.
                self.in_recovery = false;
                self.rack.on_recovery_exit();
                let ssthresh = self.cc.ssthresh();
                let cwnd = if self.config.congestion == Algorithm::Reno {
                    ssthresh
                } else if self.sack_ok {
                    // RFC 9937 §4, at the end of a PRR episode: cwnd =
                    // ssthresh. PRR has brought the pipe to ssthresh, and
                    // a flight that the recovery left short (the sender
                    // ran out of data, or the last ACK covered it all)
                    // must not cut the window to one segment: the next
                    // flight's ACKs are what find its losses (RFC 8985).
                    ssthresh
                } else {
                    // RFC 6582 §3.2 step 3, option (1): min(ssthresh, max(FlightSize, SMSS) + SMSS).
                    ssthresh.min(self.flight_size().max(smss) + smss)
                };
                self.cc.set_cwnd(cwnd);
                self.trace_cwnd(now, CwndCause::RecoveryEnd);
            } else if !self.sack_ok {
                // RFC 6582 §3.2 step 5, a partial ACK: retransmit the first
                // unacknowledged segment, deflate cwnd by the amount acked and
                // add back one SMSS if that was at least SMSS.
                self.fast_rtx = true;
                let mut cwnd = self.cc.cwnd().saturating_sub(acked);
                if acked >= smss {
                    cwnd += smss;
                }
                self.cc.set_cwnd(cwnd.max(smss));
                self.trace_cwnd(now, CwndCause::PartialAck);
            }
            // With SACK a partial ACK needs nothing here: RFC 6675 §5 step
            // (C) sends by the pipe in `poll_transmit`.
            return;
        }
        if !dup {
            return;
        }
        self.dupacks += 1;
        if self.in_recovery {
            if !self.sack_ok {
                // RFC 5681 §3.2 step 4: each further duplicate ACK inflates
                // cwnd by SMSS (a segment has left the network).
                self.cc.set_cwnd(self.cc.cwnd().saturating_add(smss));
                self.trace_cwnd(now, CwndCause::DupAckInflation);
            }
            return;
        }
        if self.rack_active() {
            // RFC 8985 §6.2: with RACK, time decides what is lost, not a
            // count of duplicates (Linux's tcp_recovery=1).
            return;
        }
        // RFC 6675 §5 step 2: DupThresh duplicates, or IsLost(HighACK + 1).
        let lost = self.dupacks >= DUP_THRESH
            || (self.sack_ok
                && self
                    .scoreboard
                    .holes(self.snd_una, smss)
                    .next()
                    .is_some_and(|h| h.lost && h.start == self.snd_una));
        // RFC 6582 §3.2 step 1 / RFC 6675 §5: no new recovery until the
        // cumulative ACK passed the point where the last one (or an RTO) began.
        if lost && self.snd_una.distance_from(self.recover) >= 0 {
            self.enter_recovery(now);
        }
    }

    /// Fast retransmit (RFC 5681 §3.2 steps 2-3, RFC 6675 §5 step 4).
    pub(crate) fn enter_recovery(&mut self, now: Instant) {
        let smss = self.smss();
        self.in_recovery = true;
        self.prr_start();
        self.recover = self.snd_max;
        self.high_rxt = self.snd_una;
        let flight = self.reduction_flight();
        self.cc.on_congestion_event(now, flight, smss);
        if !self.sack_ok {
            // RFC 5681 §3.2 step 3: cwnd = ssthresh + 3*SMSS, for the three
            // segments the duplicate ACKs say have left the network.
            let cwnd = self.cc.ssthresh().saturating_add(3 * smss);
            self.cc.set_cwnd(cwnd);
        }
        // With RACK the segments marked lost go first, whichever they are.
        self.fast_rtx = !self.rack_active();
        self.fast_retransmits += 1;
        // RFC 3168 §6.1.2: a reduction for any reason sends CWR.
        self.ecn_reduced();
        self.trace_cwnd_with(now, CwndCause::FastRetransmit, flight);
        self.prr_force_first(now);
    }

    /// The congestion response to a retransmission timeout (RFC 5681 §3.1,
    /// RFC 6582 §3.2 step 4, RFC 6675 §5.1).
    pub(crate) fn on_rto_congestion(&mut self, now: Instant) {
        self.frto_on_rto();
        let smss = self.smss();
        let flight = self.reduction_flight();
        if self.retries == 0 {
            // RFC 5681 §3.1 eq. 4, and cwnd = loss window.
            self.cc.on_rto(now, flight, smss);
        } else {
            // RFC 5681 §3.1: a segment already retransmitted by the timer
            // keeps ssthresh constant; cwnd stays at the loss window.
            self.cc.set_cwnd(smss);
        }
        self.in_recovery = false;
        self.fast_rtx = false;
        self.dupacks = 0;
        // RFC 6582 §3.2 step 4: recover = the highest sequence number sent.
        self.recover = self.snd_max;
        // RFC 6675 §5.1: after a timeout, SACK information is not trusted
        // (the receiver may renege, RFC 2018 §8); go back to SND.UNA.
        self.scoreboard.clear();
        self.rack.on_rto(self.snd_max);
        self.high_rxt = self.snd_una;
        self.ecn_reduced();
        self.trace_cwnd_with(now, CwndCause::Timeout, flight);
    }

    /// RFC 5681 §3.1: after a lost SYN or SYN-ACK the initial window MUST be one segment.
    pub(crate) fn on_lost_syn(&mut self, now: Instant) {
        self.cc.set_cwnd(self.smss());
        self.trace_cwnd(now, CwndCause::LostSyn);
    }

    /// RFC 6675 §4 NextSeg rules (1) and (3): the start of the next
    /// retransmission during SACK recovery, if one is due. Rule (2), new
    /// data, is the caller's when this returns `None`.
    pub(crate) fn next_sack_retransmit(&self, rule3: bool) -> Option<SeqNumber> {
        if self.rack_active() {
            // RFC 8985: the segments RACK marked lost, lowest first.
            return if rule3 {
                None
            } else {
                self.rack.first_lost(self.snd_nxt)
            };
        }
        let smss = self.smss();
        for h in self.scoreboard.holes(self.snd_una, smss) {
            let start = h.start.max(self.high_rxt);
            if h.end.distance_from(start) <= 0 {
                continue;
            }
            // (1): lost and above HighRxt; (3): merely unSACKed above HighRxt.
            if h.lost || rule3 {
                return Some(start);
            }
        }
        None
    }

    /// The end of the unSACKed run that starts at `seq`: a retransmission
    /// stops at the next SACKed range.
    pub(crate) fn unsacked_end(&self, seq: SeqNumber) -> SeqNumber {
        if let Some(end) = self.rack.seg_end(seq).filter(|_| self.rack_active()) {
            return end;
        }
        self.scoreboard
            .holes(self.snd_una, self.smss())
            .find(|h| h.start.distance_from(seq) <= 0 && h.end.distance_from(seq) > 0)
            .map_or(self.snd_max, |h| h.end)
    }

    /// RFC 6675 SetPipe during recovery; otherwise FlightSize.
    pub(crate) fn pipe(&self) -> u32 {
        if self.rack_active() && (self.in_recovery || self.rack.rto_end.is_some()) {
            self.rack.pipe()
        } else if self.in_recovery && self.sack_ok {
            self.scoreboard
                .pipe(self.snd_una, self.snd_max, self.high_rxt, self.smss())
        } else {
            self.flight_size()
        }
    }
}
