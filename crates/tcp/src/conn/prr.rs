//! Proportional Rate Reduction (RFC 6937) for the sending rate during
//! SACK-based fast recovery, with the slow-start reduction bound (PRR-SSRB).
//!
//! While the pipe is above ssthresh, PRR sends in proportion to what the
//! receiver reports delivered (ssthresh/RecoverFS of it), so the window
//! comes down smoothly instead of in one halving; below ssthresh it grows
//! back by at most one segment per ACK beyond what was delivered.

use handshake_time::Instant;

use super::{Connection, CwndCause};
use crate::congestion::CongestionControl;

/// RFC 6937 §3's state.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Prr {
    /// RecoverFS: SND.NXT - SND.UNA when recovery began.
    recover_fs: u64,
    /// prr_delivered: octets delivered to the receiver since then.
    delivered: u64,
    /// prr_out: octets sent since then.
    out: u64,
}

impl Connection {
    /// RFC 6937 §3, at the beginning of recovery: prr_delivered = prr_out =
    /// 0, RecoverFS = snd.nxt - snd.una.
    pub(crate) fn prr_start(&mut self) {
        self.prr = Prr {
            recover_fs: u64::from(self.flight_size()),
            delivered: 0,
            out: 0,
        };
    }

    /// RFC 6937 §3, on any data transmission or retransmission during
    /// recovery: prr_out += data sent.
    pub(crate) fn prr_sent(&mut self, len: u32) {
        if self.in_recovery && self.sack_ok {
            self.prr.out += u64::from(len);
        }
    }

    /// RFC 9937 §4 at the start of recovery, before any ACK is counted
    /// (RACK's reordering timer starts recovery without one): "force a fast
    /// retransmit upon entering recovery". The reduced cwnd may lie below
    /// the pipe, and the lost segment's retransmission is what lets RACK
    /// find the next loss (RFC 8985 §6.2); RFC 6675 §5 (4.2) sends it
    /// whatever the window.
    pub(crate) fn prr_force_first(&mut self, now: Instant) {
        if !(self.in_recovery && self.sack_ok) || self.prr.out > 0 {
            return;
        }
        let cwnd = self.pipe().saturating_add(self.snd_mss as u32);
        self.cc.set_cwnd(cwnd);
        self.trace_cwnd(now, CwndCause::Prr);
    }

    /// RFC 9937 §4 (RFC 6937 §3), on every ACK during recovery: the
    /// window becomes pipe plus SndCnt. `delivered` is DeliveredData: the
    /// change in SND.UNA plus the change in SACKed octets.
    pub(crate) fn prr_on_ack(&mut self, now: Instant, delivered: u64) {
        if !(self.in_recovery && self.sack_ok) {
            return;
        }
        let smss = self.snd_mss as i64;
        self.prr.delivered += delivered;
        let pipe = i64::from(self.pipe());
        let ssthresh = i64::from(self.cc.ssthresh());
        let (d, out) = (self.prr.delivered as i64, self.prr.out as i64);
        let mut sndcnt = if pipe > ssthresh {
            // Proportional Rate Reduction:
            // sndcnt = CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out.
            let fs = (self.prr.recover_fs as i64).max(1);
            (d * ssthresh + fs - 1) / fs - out
        } else {
            // PRR-SSRB: limit = MAX(prr_delivered - prr_out, DeliveredData) + MSS;
            // sndcnt = MIN(ssthresh - pipe, limit).
            let limit = (d - out).max(delivered as i64) + smss;
            (ssthresh - pipe).min(limit)
        };
        if out == 0 {
            // RFC 9937 §4: "Force a fast retransmit upon entering recovery"
            // (in octets: a whole segment, or nothing could go).
            sndcnt = sndcnt.max(smss);
        }
        let cwnd = pipe + sndcnt.max(0);
        self.cc.set_cwnd(cwnd.clamp(0, i64::from(u32::MAX)) as u32);
        self.trace_cwnd(now, CwndCause::Prr);
    }
}
