//! F-RTO (RFC 5682), the SACK-enhanced variant of §3.1: after a
//! retransmission timeout, new data instead of a go-back-N retransmission
//! finds out whether the timeout was spurious (the ACKs were late, not the
//! segments lost); a spurious timeout's congestion response is undone, as
//! RFC 4015's Eifel response restores cwnd and ssthresh.

use handshake_time::Instant;

use super::{Connection, CwndCause};
use crate::congestion::{CongestionControl, Controller};
use crate::wire::SeqNumber;

/// Where F-RTO stands after a timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Off,
    /// §3.1 step 2: waiting for the first ACK after the retransmission.
    FirstAck,
    /// §3.1 step 3: two new segments went; waiting for the next ACK.
    SecondAck,
}

/// F-RTO's state.
#[derive(Debug, Clone)]
pub(crate) struct Frto {
    step: Step,
    /// The congestion state before the timeout, to restore.
    prior: Option<Controller>,
    /// SND.MAX when the timeout fired ("recover").
    high: SeqNumber,
    /// The recovery point before the timeout moved it (RFC 6675 §5.1).
    prior_recover: SeqNumber,
    /// Timeouts found spurious.
    pub(crate) undone: u64,
}

impl Frto {
    pub(crate) fn new() -> Self {
        Frto {
            step: Step::Off,
            prior: None,
            high: SeqNumber(0),
            prior_recover: SeqNumber(0),
            undone: 0,
        }
    }

    /// True while F-RTO holds back the go-back-N retransmissions.
    pub(crate) fn active(&self) -> bool {
        self.step != Step::Off
    }
}

impl Connection {
    /// §3.1 step 1, at a timeout, before its congestion response: F-RTO
    /// starts on the first timeout of an episode outside fast recovery.
    pub(crate) fn frto_on_rto(&mut self) {
        let eligible = self.config.frto
            && self.sack_ok
            && self.retries == 0
            && !self.in_recovery
            && self.state.is_synchronized();
        self.frto.step = if eligible { Step::FirstAck } else { Step::Off };
        self.frto.prior = eligible.then(|| self.cc.clone());
        self.frto.high = self.snd_max;
        self.frto.prior_recover = self.recover;
    }

    /// §3.1 steps 2 and 3, on an acceptable ACK: `acked` octets newly
    /// acknowledged cumulatively, `sacked` newly SACKed, `dup` a duplicate
    /// ACK (RFC 5681 §2). An ACK that is neither (a window update) waits.
    pub(crate) fn frto_on_ack(&mut self, now: Instant, acked: u32, sacked: u32, dup: bool) {
        let smss = self.snd_mss as u32;
        if acked == 0 && sacked == 0 && !dup {
            return;
        }
        match self.frto.step {
            Step::Off => {}
            Step::FirstAck => {
                let unsent = self.send_queue() as i64
                    - i64::from(self.snd_max.distance_from(self.buf_seq).max(0));
                if acked > 0 && self.snd_una.distance_from(self.frto.high) < 0 && unsent > 0 {
                    // Step 2b: new data acknowledged below "recover": send
                    // up to two new segments instead of retransmitting.
                    self.snd_nxt = self.snd_max;
                    let cwnd = self.flight_size().saturating_add(2 * smss);
                    self.cc.set_cwnd(cwnd);
                    self.frto.step = Step::SecondAck;
                } else {
                    // Step 2a: a duplicate ACK or all acknowledged (or no
                    // new data to send): conventional RTO recovery.
                    self.frto.step = Step::Off;
                }
            }
            Step::SecondAck => {
                self.frto.step = Step::Off;
                if acked > 0 || sacked > 0 {
                    // Step 3a: data that was not retransmitted is
                    // acknowledged: the timeout was spurious. Undo it.
                    if let Some(prior) = self.frto.prior.take() {
                        self.cc = prior;
                    }
                    self.frto.undone += 1;
                    self.rack.undo_rto();
                    // The timeout's recovery point goes with it: RFC 6675
                    // §5.1 holds new recoveries back until SND.UNA passes
                    // the point an RTO set, and the undone timeout (RFC
                    // 4015 §1: the state from before it comes back) must
                    // not keep a loss RACK finds now from fast recovery.
                    self.recover = self.frto.prior_recover;
                    self.trace_cwnd(now, CwndCause::Undo);
                    // RFC 8985 §6.2: the marks the timeout set are gone;
                    // what RACK's rule finds lost is lost, and starts
                    // fast recovery on this ACK.
                    self.rack_redetect(now);
                } else {
                    // Step 3b: a duplicate ACK: the loss was real; cwnd at
                    // most 3*MSS, and the unacknowledged segments go again.
                    let cwnd = self.cc.cwnd().min(3 * smss);
                    self.cc.set_cwnd(cwnd);
                    self.snd_nxt = self.snd_una;
                }
            }
        }
    }
}
