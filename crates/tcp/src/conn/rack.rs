//! RACK-TLP (RFC 8985): time-based loss detection and tail loss probes.
//!
//! RACK remembers when each segment in flight was (re)transmitted. A
//! segment is lost once a segment sent after it was delivered and a
//! reordering window has passed (§6.2): this finds a lost retransmission
//! without waiting for the retransmission timer, which DupThresh cannot.
//! A Tail Loss Probe (§7) sends one segment when ACKs stop arriving at the
//! tail of a flight, so the receiver's SACK lets RACK find the losses.

use alloc::collections::VecDeque;

use handshake_time::{Duration, Instant};

use super::scoreboard::{Scoreboard, DUP_THRESH};
use super::{Connection, CwndCause, Pending};
use crate::congestion::CongestionControl;
use crate::wire::{SegmentRepr, SeqNumber};

/// RFC 8985 §6.2 step 4: the widened reordering window persists for 16 recoveries.
const REO_WND_PERSIST: u32 = 16;

/// RFC 8985 §7.2: without an RTT sample, PTO is 1 second.
const PTO_NO_RTT: Duration = Duration::from_secs(1);

/// One segment in flight: RFC 8985 §5.2's per-segment variables.
#[derive(Debug, Clone, Copy)]
struct Sent {
    start: SeqNumber,
    end: SeqNumber,
    /// Segment.xmit_ts: its latest (re)transmission.
    xmit: Instant,
    /// Segment.retransmitted.
    rexmit: bool,
    sacked: bool,
    /// Segment.lost: marked lost and not yet retransmitted.
    lost: bool,
}

/// RACK-TLP's state (RFC 8985 §5.3).
#[derive(Debug, Clone)]
pub(crate) struct Rack {
    segs: VecDeque<Sent>,
    /// How many of `segs` are marked lost (kept so that asking costs
    /// nothing: the probe timer asks on every new segment sent).
    lost_segs: usize,
    /// How many of `segs` are SACKed (the reordering window asks on every ACK).
    sacked_segs: usize,
    /// RACK.xmit_ts and RACK.end_seq: the most recently sent segment delivered.
    latest: Option<(Instant, SeqNumber)>,
    /// RACK.rtt: that segment's round trip.
    rtt: Duration,
    min_rtt: Option<Duration>,
    /// RACK.fack: the highest end delivered.
    fack: Option<SeqNumber>,
    reordering_seen: bool,
    reo_wnd_mult: u32,
    reo_wnd_persist: u32,
    dsack_round: Option<SeqNumber>,
    /// The RACK reordering timer (§6.3).
    pub(crate) reo_deadline: Option<Instant>,
    /// The probe timeout (§7.2).
    pub(crate) pto_deadline: Option<Instant>,
    /// The PTO fired: a probe goes out with the next transmit.
    pub(crate) probe_due: bool,
    /// TLP.end_seq and TLP.is_retrans (§7.4).
    tlp_end: Option<SeqNumber>,
    tlp_is_retrans: bool,
    /// The open probe went out during fast recovery.
    tlp_in_recovery: bool,
    /// SND.MAX when the retransmission timer last fired, until SND.UNA passes it.
    pub(crate) rto_end: Option<SeqNumber>,
    pub(crate) probes: u64,
    pub(crate) marked_lost: u64,
}

/// RACK_sent_after (§6.2): was (t1, s1) sent after (t2, s2)?
fn sent_after(t1: Instant, s1: SeqNumber, t2: Instant, s2: SeqNumber) -> bool {
    t1 > t2 || (t1 == t2 && s1.distance_from(s2) > 0)
}

impl Rack {
    pub(crate) fn new() -> Self {
        Rack {
            segs: VecDeque::new(),
            lost_segs: 0,
            sacked_segs: 0,
            latest: None,
            rtt: Duration::ZERO,
            min_rtt: None,
            fack: None,
            reordering_seen: false,
            // RFC 8985 §6.2 step 4: RACK.reo_wnd_mult starts at 1.
            reo_wnd_mult: 1,
            reo_wnd_persist: 0,
            dsack_round: None,
            reo_deadline: None,
            pto_deadline: None,
            probe_due: false,
            tlp_end: None,
            tlp_is_retrans: false,
            tlp_in_recovery: false,
            rto_end: None,
            probes: 0,
            marked_lost: 0,
        }
    }

    /// RACK.reo_wnd_mult, for the stats.
    pub(crate) fn reo_wnd_mult(&self) -> u32 {
        self.reo_wnd_mult
    }

    pub(crate) fn stop_timers(&mut self) {
        self.reo_deadline = None;
        self.pto_deadline = None;
        self.probe_due = false;
    }

    /// Splits the segment that straddles `seq` in two.
    fn split_at(&mut self, seq: SeqNumber) {
        let at = self
            .segs
            .iter()
            .position(|s| s.start.distance_from(seq) < 0 && s.end.distance_from(seq) > 0);
        if let Some(i) = at {
            let mut tail = self.segs[i];
            tail.start = seq;
            self.segs[i].end = seq;
            self.lost_segs += usize::from(tail.lost);
            self.sacked_segs += usize::from(tail.sacked);
            self.segs.insert(i + 1, tail);
        }
    }

    /// Records that `[start, end)` was sent at `now`: what lies below the
    /// highest octet sent so far is a retransmission (§5.2).
    fn on_sent(&mut self, start: SeqNumber, end: SeqNumber, now: Instant) {
        if end.distance_from(start) <= 0 {
            return;
        }
        let tail = self.segs.back().map_or(start, |s| s.end);
        if start.distance_from(tail) < 0 {
            self.split_at(start);
            self.split_at(end);
            for s in self.segs.iter_mut() {
                if s.start.distance_from(start) >= 0 && s.end.distance_from(end) <= 0 {
                    s.xmit = now;
                    s.rexmit = true;
                    self.lost_segs -= usize::from(s.lost);
                    s.lost = false;
                }
            }
        }
        let fresh = start.max(tail);
        if end.distance_from(fresh) > 0 {
            self.segs.push_back(Sent {
                start: fresh,
                end,
                xmit: now,
                rexmit: false,
                sacked: false,
                lost: false,
            });
        }
    }

    /// Steps 1-3 of §6.2 for the segments this ACK delivered, cumulatively
    /// (below `snd_una`) or selectively (SACKed in `sb`). `tsecr_before`
    /// says whether the ACK's TSecr predates a transmission time.
    ///
    /// `segs` is in sequence order, so only the segments at the front (up
    /// to SND.UNA) and those inside the scoreboard's ranges are visited, in
    /// ascending order as a walk over all of them would: the cost is what
    /// was delivered, not what is in flight.
    fn deliver(
        &mut self,
        now: Instant,
        snd_una: SeqNumber,
        sb: &Scoreboard,
        tsecr_before: impl Fn(Instant) -> bool,
    ) {
        let acked = self
            .segs
            .partition_point(|s| s.end.distance_from(snd_una) <= 0);
        for i in 0..acked {
            self.delivered(i, now, true, &tsecr_before);
        }
        for &(left, right) in sb.ranges() {
            let mut i = self
                .segs
                .partition_point(|s| s.start.distance_from(left) < 0);
            while self
                .segs
                .get(i)
                .is_some_and(|s| s.end.distance_from(right) <= 0)
            {
                self.delivered(i, now, false, &tsecr_before);
                i += 1;
            }
        }
        while let Some(s) = self
            .segs
            .front()
            .filter(|s| s.end.distance_from(snd_una) <= 0)
        {
            self.sacked_segs -= usize::from(s.sacked);
            self.segs.pop_front();
        }
        if let Some(f) = self.segs.front_mut() {
            f.start = f.start.max(snd_una);
        }
    }

    /// Steps 1-3 of §6.2 for `segs[i]`, delivered cumulatively (`acked`)
    /// or selectively; nothing if it was already.
    fn delivered(
        &mut self,
        i: usize,
        now: Instant,
        acked: bool,
        tsecr_before: &impl Fn(Instant) -> bool,
    ) {
        let s = &mut self.segs[i];
        if s.sacked {
            return;
        }
        s.sacked = true;
        self.sacked_segs += 1;
        self.lost_segs -= usize::from(s.lost);
        s.lost = false;
        let s = *s;
        // Step 2 (RACK_update): a retransmission's ACK may be for the
        // original; ignore it when the ACK's TSecr predates the
        // retransmission or the round trip is below the minimum. The
        // TSecr test only for a cumulative ACK: a receiver echoes the
        // TSval of the last in-order segment (RFC 7323 §4.3), so the
        // SACK of an out-of-order retransmission always echoes an
        // older one (Linux uses the min_RTT test alone).
        let rtt = now - s.xmit;
        let ambiguous =
            s.rexmit && ((acked && tsecr_before(s.xmit)) || self.min_rtt.is_some_and(|m| rtt < m));
        if !ambiguous {
            if !s.rexmit {
                // Step 1: RACK.min_RTT from unambiguous samples.
                self.min_rtt = Some(self.min_rtt.map_or(rtt, |m| m.min(rtt)));
            }
            let newer = self
                .latest
                .is_none_or(|(t, e)| sent_after(s.xmit, s.end, t, e));
            if newer {
                self.latest = Some((s.xmit, s.end));
                self.rtt = rtt;
            }
        }
        // Step 3: an original delivered below RACK.fack was reordered.
        match self.fack {
            Some(f) if s.end.distance_from(f) <= 0 => {
                if s.end != f && !s.rexmit {
                    self.reordering_seen = true;
                }
            }
            _ => self.fack = Some(s.end),
        }
    }

    /// The round trip of a cumulative ACK up to `ack`, as Linux measures
    /// it on every ACK (`tcp_clean_rtx_queue`): from the earliest newly
    /// acknowledged segment not SACKed before. `Err` when that data holds
    /// a retransmission (Karn, RFC 6298 §3: the sample is ambiguous),
    /// `Ok(None)` when the ACK newly delivers nothing by this rule.
    pub(crate) fn ack_rtt(&self, now: Instant, ack: SeqNumber) -> Result<Option<Duration>, ()> {
        let mut first = None;
        for s in self.segs.iter() {
            if s.end.distance_from(ack) > 0 {
                break;
            }
            if s.sacked {
                continue;
            }
            if s.rexmit {
                return Err(());
            }
            first = first.or(Some(s.xmit));
        }
        Ok(first.map(|t| now - t))
    }

    /// Step 4 of §6.2: a D-SACK widens the reordering window, once per round trip.
    fn on_dsack(&mut self, dsack: bool, snd_una: SeqNumber, snd_max: SeqNumber) {
        if self
            .dsack_round
            .is_some_and(|r| snd_una.distance_from(r) >= 0)
        {
            self.dsack_round = None;
        }
        if dsack && self.dsack_round.is_none() {
            self.dsack_round = Some(snd_max);
            self.reo_wnd_mult = self.reo_wnd_mult.saturating_add(1).min(1 << 16);
            self.reo_wnd_persist = REO_WND_PERSIST;
        }
    }

    /// Step 4 of §6.2, leaving fast or RTO recovery: the widening wears off.
    pub(crate) fn on_recovery_exit(&mut self) {
        self.reo_wnd_persist = self.reo_wnd_persist.saturating_sub(1);
        if self.reo_wnd_persist == 0 {
            self.reo_wnd_mult = 1;
        }
    }

    /// RACK.reo_wnd (§6.2 step 4): zero while no reordering was seen and
    /// recovery runs or DupThresh segments are SACKed, else
    /// min(reo_wnd_mult * min_RTT / 4, SRTT).
    fn reo_wnd(&self, recovering: bool, srtt: Option<Duration>) -> Duration {
        if !self.reordering_seen {
            debug_assert_eq!(
                self.sacked_segs,
                self.segs.iter().filter(|s| s.sacked).count()
            );
            if recovering || self.sacked_segs >= DUP_THRESH as usize {
                return Duration::ZERO;
            }
        }
        let min = self.min_rtt.unwrap_or(Duration::ZERO);
        let wnd = (min / 4).saturating_mul(self.reo_wnd_mult);
        srtt.map_or(wnd, |s| wnd.min(s))
    }

    /// Step 5 of §6.2 (RACK_detect_loss) and the reordering timer (§6.3):
    /// marks lost every segment sent before the latest delivered one whose
    /// RACK.rtt + reo_wnd has passed; true when it marked any.
    fn detect_loss(&mut self, now: Instant, reo_wnd: Duration) -> bool {
        self.reo_deadline = None;
        let Some((lx, le)) = self.latest else {
            return false;
        };
        let (rtt, mut timeout, mut any) = (self.rtt, None::<Instant>, false);
        for s in self.segs.iter_mut() {
            if !sent_after(lx, le, s.xmit, s.end) {
                // Sent after the latest delivered segment. New data goes
                // out in sequence order and a retransmission after its
                // original, so past the first such original every segment
                // was sent later still: the walk stops there (RFC 8985
                // §6.2's time-ordered list, without a second list).
                if !s.rexmit {
                    break;
                }
                continue;
            }
            if s.sacked || s.lost {
                continue;
            }
            let due = s.xmit + rtt.saturating_add(reo_wnd);
            if due <= now {
                s.lost = true;
                self.lost_segs += 1;
                any = true;
                self.marked_lost += 1;
            } else {
                timeout = Some(timeout.map_or(due, |t| t.max(due)));
            }
        }
        self.reo_deadline = timeout;
        any
    }

    /// The octets in flight (RFC 6675 pipe with RACK's marks): neither
    /// SACKed nor lost.
    pub(crate) fn pipe(&self) -> u32 {
        self.segs
            .iter()
            .filter(|s| !s.sacked && !s.lost)
            .map(|s| s.end.distance_from(s.start).max(0) as u32)
            .sum()
    }

    fn has_lost(&self) -> bool {
        debug_assert_eq!(self.lost_segs, self.segs.iter().filter(|s| s.lost).count());
        self.lost_segs > 0
    }

    /// The lowest segment marked lost below `below`, to retransmit.
    pub(crate) fn first_lost(&self, below: SeqNumber) -> Option<SeqNumber> {
        self.segs
            .iter()
            .find(|s| s.lost && s.start.distance_from(below) < 0)
            .map(|s| s.start)
    }

    /// The end of the segment holding `seq`.
    pub(crate) fn seg_end(&self, seq: SeqNumber) -> Option<SeqNumber> {
        self.segs
            .iter()
            .find(|s| s.start.distance_from(seq) <= 0 && s.end.distance_from(seq) > 0)
            .map(|s| s.end)
    }

    /// RFC 6675 §5.1 on a timeout: SACK information is dropped and every
    /// segment counts as lost; a probe episode ends.
    pub(crate) fn on_rto(&mut self, snd_max: SeqNumber) {
        for s in self.segs.iter_mut() {
            s.sacked = false;
            s.lost = true;
        }
        self.lost_segs = self.segs.len();
        self.sacked_segs = 0;
        self.rto_end = Some(snd_max);
        self.tlp_end = None;
        self.stop_timers();
    }
}

impl Rack {
    /// A timeout found spurious (RFC 5682): its loss marks are withdrawn.
    pub(crate) fn undo_rto(&mut self) {
        for s in self.segs.iter_mut() {
            s.lost = false;
        }
        self.lost_segs = 0;
        self.rto_end = None;
    }
}

impl Connection {
    /// RACK-TLP runs when configured and SACK was negotiated (RFC 8985 §3).
    pub(crate) fn rack_active(&self) -> bool {
        self.config.rack && self.sack_ok
    }

    /// Records a (re)transmission of `[start, end)` at `now`.
    pub(crate) fn rack_sent(&mut self, now: Instant, start: SeqNumber, end: SeqNumber) {
        if self.rack_active() {
            self.rack.on_sent(start, end, now);
        }
    }

    /// RACK-TLP's part of an acceptable ACK (RFC 8985 §6.2, §7.4), after
    /// SND.UNA and the scoreboard moved. `dsack`: the ACK carried a D-SACK.
    pub(crate) fn rack_on_ack(&mut self, now: Instant, seg: &SegmentRepr<'_>, dsack: bool) {
        if !self.rack_active() {
            return;
        }
        if let Some(end) = self.rack.rto_end {
            if self.snd_una.distance_from(end) >= 0 {
                self.rack.rto_end = None;
                self.rack.on_recovery_exit();
            }
        }
        let tsecr = seg.options.timestamps.filter(|_| self.ts_ok);
        let offset = self.ts_offset;
        let before = |t: Instant| {
            // Our TSval for `t` (see `ts_val`).
            let val = ((t.as_nanos() / 1_000_000) as u32).wrapping_add(offset);
            tsecr.is_some_and(|ts| (ts.tsecr.wrapping_sub(val) as i32) < 0)
        };
        self.rack
            .deliver(now, self.snd_una, &self.scoreboard, before);
        self.rack.on_dsack(dsack, self.snd_una, self.snd_max);
        self.tlp_on_ack(now, seg.ack_number, dsack);
        self.rack_detect(now);
        self.arm_pto(now);
    }

    /// RACK_detect_loss_and_arm_timer again, outside the ACK's own pass
    /// (after a timeout's undo withdrew its loss marks).
    pub(crate) fn rack_redetect(&mut self, now: Instant) {
        if self.rack_active() {
            self.rack_detect(now);
            self.arm_pto(now);
        }
    }

    /// RACK_detect_loss_and_arm_timer (§6.2 step 5, §6.3); a loss starts
    /// fast recovery unless one (or the timeout's) is still running.
    fn rack_detect(&mut self, now: Instant) {
        let recovering = self.in_recovery || self.rack.rto_end.is_some();
        let reo_wnd = self.rack.reo_wnd(recovering, self.rtt.srtt);
        let lost = self.rack.detect_loss(now, reo_wnd);
        if lost && !recovering && self.snd_una.distance_from(self.recover) >= 0 {
            self.enter_recovery(now);
        }
    }

    /// TLP_process_ack (§7.4.2): the ACK of a probe's episode. When the
    /// probe was a retransmission and the ACK covers it without a D-SACK,
    /// the probe repaired a loss: the congestion window is reduced.
    fn tlp_on_ack(&mut self, now: Instant, ack: SeqNumber, dsack: bool) {
        let Some(end) = self.rack.tlp_end else { return };
        if ack.distance_from(end) < 0 {
            return;
        }
        self.rack.tlp_end = None;
        // A probe sent in fast recovery repaired a loss of that recovery,
        // whose reduction already answers it: one reduction per episode.
        if !self.rack.tlp_is_retrans || dsack || self.in_recovery || self.rack.tlp_in_recovery {
            return;
        }
        // §7.4.2: "invoke the congestion control to reduce cwnd and ssthresh".
        let smss = self.snd_mss as u32;
        let flight = self.flight_size().min(self.cc.cwnd());
        self.cc.on_congestion_event(now, flight, smss);
        self.cc.set_cwnd(self.cc.ssthresh());
        self.trace_cwnd_with(now, CwndCause::TailLossProbe, flight);
    }

    /// Arms the probe timeout (§7.2) after new data or an ACK, unless in
    /// recovery, with losses to repair, or a probe's episode is open.
    /// With [`Config::recovery_probe`](super::Config::recovery_probe) it is
    /// armed in fast recovery too, losses to repair or not: there the
    /// retransmissions wait for ACKs, and when those stop only a probe's
    /// ACK (a SACK of a segment sent after them, §6.2) finds them before
    /// the RTO. A deviation from §7.2's "unless ... in fast recovery".
    pub(crate) fn arm_pto(&mut self, now: Instant) {
        self.rack.pto_deadline = None;
        let idle =
            self.snd_una == self.snd_max || !self.state.is_synchronized() || self.snd_wnd == 0;
        let probe_in_recovery = self.in_recovery && self.config.recovery_probe;
        if !self.rack_active()
            || idle
            || (self.in_recovery && !probe_in_recovery)
            || self.rack.rto_end.is_some()
            || self.rack.tlp_end.is_some()
            || (self.rack.has_lost() && !probe_in_recovery)
        {
            return;
        }
        // §7.2: PTO = 2 * SRTT, plus WCDelAckT with one segment in flight;
        // 1 s without an RTT sample; never later than the RTO would fire.
        let pto = self.rtt.srtt.map_or(PTO_NO_RTT, |srtt| {
            let pto = srtt.saturating_mul(2);
            if self.flight_size() <= self.snd_mss as u32 {
                pto.saturating_add(self.config.tlp_ack_delay)
            } else {
                pto
            }
        });
        let rto_at = self.rtx_deadline.unwrap_or(now + self.rtt.rto);
        self.rack.pto_deadline = Some((now + pto).min(rto_at));
    }

    /// The reordering timer and the PTO, when due.
    pub(crate) fn on_rack_timers(&mut self, now: Instant) {
        if self.rack.reo_deadline.is_some_and(|t| now >= t) {
            // §6.3: the reordering timer re-runs the detection.
            self.rack_detect(now);
        }
        if self.rack.pto_deadline.is_some_and(|t| now >= t) {
            self.rack.pto_deadline = None;
            self.rack.probe_due = true;
            // §7.3: the probe, not the RTO, answers this silence.
            self.rtx_deadline = Some(now + self.rtt.rto);
        }
    }

    /// TLP_send_probe (§7.3): new data if the receive window allows, else
    /// the highest-sequence segment again; then the RTO is armed.
    pub(crate) fn tlp_probe(&mut self, now: Instant) -> Option<Pending> {
        self.rack.probe_due = false;
        if self.snd_una == self.snd_max || self.snd_nxt != self.snd_max {
            return None;
        }
        // An open episode keeps `sent` from re-arming the PTO (§7.3: one probe).
        self.rack.tlp_end = Some(self.snd_max);
        self.rack.tlp_in_recovery = self.in_recovery;
        let t = match self.new_data(now, self.snd_mss) {
            Some(t) => {
                self.rack.tlp_is_retrans = false;
                t
            }
            None => {
                let Some(last) = self.rack.segs.back().map(|s| s.start) else {
                    self.rack.tlp_end = None;
                    return None;
                };
                self.rack.tlp_is_retrans = true;
                self.retransmit(now, last)
            }
        };
        self.rack.tlp_end = Some(self.snd_max);
        self.rack.probes += 1;
        // §7.3: after a probe the sender MUST arm the RTO timer, not the PTO.
        self.rtx_deadline = Some(now + self.rtt.rto);
        self.rack.pto_deadline = None;
        Some(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    /// §6.2 steps 1-3 by their definition: every segment in flight is
    /// looked at, and delivered when SND.UNA or one SACKed range covers it.
    fn deliver_reference(
        r: &mut Rack,
        now: Instant,
        snd_una: SeqNumber,
        sb: &Scoreboard,
        tsecr_before: impl Fn(Instant) -> bool,
    ) {
        for i in 0..r.segs.len() {
            let s = r.segs[i];
            let acked = s.end.distance_from(snd_una) <= 0;
            if acked || sb.covers(s.start, s.end) {
                r.delivered(i, now, acked, &tsecr_before);
            }
        }
        while r
            .segs
            .front()
            .is_some_and(|s| s.end.distance_from(snd_una) <= 0)
        {
            let s = r.segs.pop_front().expect("a front");
            r.sacked_segs -= usize::from(s.sacked);
        }
        if let Some(f) = r.segs.front_mut() {
            f.start = f.start.max(snd_una);
        }
    }

    /// §6.2 step 5 by its definition: every segment neither SACKed nor
    /// lost that was sent before the latest delivered one.
    fn detect_loss_reference(r: &mut Rack, now: Instant, reo_wnd: Duration) -> bool {
        r.reo_deadline = None;
        let Some((lx, le)) = r.latest else {
            return false;
        };
        let (rtt, mut timeout, mut any) = (r.rtt, None::<Instant>, false);
        for s in r.segs.iter_mut().filter(|s| !s.sacked && !s.lost) {
            if !sent_after(lx, le, s.xmit, s.end) {
                continue;
            }
            let due = s.xmit + rtt.saturating_add(reo_wnd);
            if due <= now {
                s.lost = true;
                r.lost_segs += 1;
                any = true;
                r.marked_lost += 1;
            } else {
                timeout = Some(timeout.map_or(due, |t| t.max(due)));
            }
        }
        r.reo_deadline = timeout;
        any
    }

    #[derive(Debug, Clone)]
    enum Op {
        /// New data: this many octets, after this many µs.
        Send(u16, u8),
        /// Retransmit from this fraction (of 256) of the flight, this many octets.
        Resend(u8, u16),
        /// A SACK block at these fractions (of 256) of the flight.
        Sack(u8, u8),
        /// SND.UNA moves this fraction (of 256) of the flight, after this many µs.
        Ack(u8, u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (1u16..3000, 0u8..4).prop_map(|(n, t)| Op::Send(n, t)),
            (any::<u8>(), 1u16..3000).prop_map(|(f, n)| Op::Resend(f, n)),
            (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Op::Sack(a, b)),
            (any::<u8>(), 0u8..200).prop_map(|(f, t)| Op::Ack(f, t)),
        ]
    }

    fn fields(r: &Rack) -> impl PartialEq + core::fmt::Debug {
        let segs: Vec<_> = r
            .segs
            .iter()
            .map(|s| (s.start, s.end, s.xmit, s.rexmit, s.sacked, s.lost))
            .collect();
        (
            segs,
            (r.lost_segs, r.sacked_segs, r.latest, r.rtt, r.min_rtt),
            (r.fack, r.reordering_seen, r.reo_deadline, r.marked_lost),
        )
    }

    proptest! {
        /// The walks that visit only what was delivered, and stop at the
        /// first segment sent after the latest delivered one, change the
        /// state exactly as the definitions do, through sends,
        /// retransmissions, SACKs and cumulative ACKs (the sequence
        /// numbers wrap around 2^32 on the way).
        #[test]
        fn walks_match_the_definitions(ops in proptest::collection::vec(op(), 1..120), reo in 0u64..300) {
            let (mut fast, mut slow) = (Rack::new(), Rack::new());
            let mut sb = Scoreboard::default();
            let mut now = Instant::from_nanos(1_000_000_000);
            let (mut una, mut max) = (SeqNumber(u32::MAX - 20_000), SeqNumber(u32::MAX - 20_000));
            let reo_wnd = Duration::from_micros(reo);
            let at = |una: SeqNumber, max: SeqNumber, f: u8| una + (max.distance_from(una) as u32 * u32::from(f)) / 256;
            // TSecr says: sent before this instant.
            let before = |t: Instant| t < Instant::from_nanos(1_000_050_000);
            for op in ops {
                match op {
                    Op::Send(n, t) => {
                        now += Duration::from_micros(u64::from(t));
                        let end = max + u32::from(n);
                        fast.on_sent(max, end, now);
                        slow.on_sent(max, end, now);
                        max = end;
                    }
                    Op::Resend(f, n) => {
                        let start = at(una, max, f);
                        let end = (start + u32::from(n)).min(max);
                        now += Duration::from_micros(1);
                        fast.on_sent(start, end, now);
                        slow.on_sent(start, end, now);
                    }
                    Op::Sack(a, b) => {
                        let (l, r) = (at(una, max, a.min(b)), at(una, max, a.max(b)));
                        sb.add(una, max, l, r);
                        fast.deliver(now, una, &sb, before);
                        deliver_reference(&mut slow, now, una, &sb, before);
                    }
                    Op::Ack(f, t) => {
                        now += Duration::from_micros(u64::from(t));
                        una = at(una, max, f);
                        sb.advance(una);
                        fast.deliver(now, una, &sb, before);
                        deliver_reference(&mut slow, now, una, &sb, before);
                    }
                }
                prop_assert_eq!(fields(&fast), fields(&slow));
                let lost = fast.detect_loss(now, reo_wnd);
                prop_assert_eq!(lost, detect_loss_reference(&mut slow, now, reo_wnd));
                prop_assert_eq!(fields(&fast), fields(&slow));
                prop_assert_eq!(fast.has_lost(), slow.lost_segs > 0);
            }
        }
    }
}
