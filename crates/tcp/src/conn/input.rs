//! Segment arrival (RFC 9293 §3.10.7).

use handshake_time::{Duration, Instant};

use super::{Connection, Event, State, TraceEvent, Transmit};
use crate::congestion::Controller;
use crate::wire::{Ecn, SegmentRepr, SeqNumber, TcpFlags};

/// RFC 7323 §5.5: TS.Recent is invalid after 24 days idle.
const PAWS_IDLE: Duration = Duration::from_secs(24 * 24 * 3600);

/// The segment acceptability test of RFC 9293 §3.10.7.4 (the four cases).
pub(crate) fn acceptable(seq: SeqNumber, seg_len: u32, rcv_nxt: SeqNumber, rcv_wnd: u32) -> bool {
    match (seg_len, rcv_wnd) {
        (0, 0) => seq == rcv_nxt,
        (0, _) => seq.in_window(rcv_nxt, rcv_wnd),
        (_, 0) => false,
        (_, _) => {
            seq.in_window(rcv_nxt, rcv_wnd) || (seq + (seg_len - 1)).in_window(rcv_nxt, rcv_wnd)
        }
    }
}

/// The least data per segment we send, whatever MSS the peer announced:
/// Linux's `net.ipv4.tcp_min_snd_mss` default, the fix of CVE-2019-11479
/// (a peer announcing MSS 1 made the kernel send one byte per segment).
pub(crate) const MIN_SND_MSS: usize = 48;

/// Octets TSopt takes in every segment: 10, padded to 12 by two NOPs (RFC 7323 Appendix A).
pub(crate) const TS_OPTION_LEN: usize = 12;

/// The RST that answers `seg` where no connection takes it: the crate's one
/// RST-reply function, used by connections, listeners and
/// [`Endpoint`](crate::endpoint::Endpoint).
///
/// RFC 9293 §3.10.7.1 (CLOSED): "An incoming segment containing a RST is
/// discarded" (`None`); otherwise, if the ACK bit is on,
/// `<SEQ=SEG.ACK><CTL=RST>`, else `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>`
/// (the same form §3.10.7.2 and §3.10.7.3 use for a bad ACK).
///
/// ```
/// use handshake_tcp::conn::rst_reply;
/// use handshake_tcp::wire::{SegmentRepr, SeqNumber, TcpFlags};
/// let syn = SegmentRepr::new(40000, 80, SeqNumber(100), TcpFlags::SYN);
/// let rst = rst_reply(&syn).unwrap();
/// assert_eq!(rst.header.flags, TcpFlags::RST | TcpFlags::ACK);
/// assert_eq!((rst.header.seq_number, rst.header.ack_number), (SeqNumber(0), SeqNumber(101)));
/// assert!(rst_reply(&rst.repr()).is_none());
/// ```
pub fn rst_reply(seg: &SegmentRepr<'_>) -> Option<Transmit> {
    if seg.flags.contains(TcpFlags::RST) {
        return None;
    }
    let mut h = SegmentRepr::new(seg.dst_port, seg.src_port, SeqNumber(0), TcpFlags::RST);
    if seg.flags.contains(TcpFlags::ACK) {
        h.seq_number = seg.ack_number;
    } else {
        h.flags |= TcpFlags::ACK;
        h.ack_number = seg.seq_number + seg.segment_len() as u32;
    }
    Some(Transmit::new(h, alloc::vec::Vec::new()))
}

impl Connection {
    /// Processes one arriving segment addressed to this connection
    /// (RFC 9293 §3.10.7). Segments whose ports do not match are ignored;
    /// nothing a peer sends can make this panic.
    pub fn handle_segment(&mut self, now: Instant, seg: &SegmentRepr<'_>) {
        self.handle_segment_ecn(now, seg, Ecn::NotEct);
    }

    /// [`Connection::handle_segment`] for a segment whose IP header's ECN
    /// field said `ecn` (RFC 3168 §5): a caller whose IP layer reads that
    /// field passes it here, so Congestion Experienced marks reach the
    /// connection (§6.1.3).
    pub fn handle_segment_ecn(&mut self, now: Instant, seg: &SegmentRepr<'_>, ecn: Ecn) {
        if seg.src_port != self.remote.port() || seg.dst_port != self.local.port() {
            return;
        }
        self.segments_received += 1;
        if self.config.trace_capacity > 0 {
            let segment = super::output::summary(seg, seg.payload.len());
            self.record(TraceEvent::Received { at: now, segment });
        }
        match self.state {
            State::Closed => {
                // RFC 9293 §3.10.7.1: a segment not containing RST causes a RST in response.
                if !seg.flags.contains(TcpFlags::RST) {
                    self.reply_rst(seg);
                }
            }
            State::Listen => {}
            State::SynSent => self.on_syn_sent(now, seg),
            _ => self.on_synchronized(now, seg, ecn),
        }
    }

    /// Records the peer's SYN options (RFC 9293 §3.7.1, RFC 7323 §2.2).
    pub(crate) fn take_syn_options(
        &mut self,
        now: Instant,
        seg: &SegmentRepr<'_>,
        we_offered_ws: bool,
    ) {
        let mss = seg
            .options
            .mss
            .unwrap_or(super::default_mss(self.remote))
            .max(1);
        // RFC 2018 §2: SACK only when both ends sent SACK-permitted.
        self.sack_ok = self.config.sack && seg.options.sack_permitted;
        // RFC 7323 §3.2: timestamps only when both SYNs carry TSopt.
        if let (true, Some(ts)) = (self.config.timestamps, seg.options.timestamps) {
            self.ts_ok = true;
            self.ts_recent = ts.tsval;
            self.ts_recent_at = now;
        } else {
            self.ts_ok = false;
        }
        // RFC 9293 §3.7.1: Eff.snd.MSS = min(SendMSS+20, MMS_S) - TCPhdrsize,
        // where the header counts its options (RFC 6691 §2): the 12 octets of
        // TSopt (with its two NOPs) that every segment carries once
        // timestamps are on come out of each segment's data.
        // A peer may announce any MSS, down to 1: clamped to a floor
        // (CVE-2019-11479, Linux's tcp_min_snd_mss), it cannot make us cut
        // its data into one-byte segments, 40 octets of headers each.
        let options = if self.ts_ok { TS_OPTION_LEN } else { 0 };
        self.snd_mss = usize::from(mss.min(self.config.mss_for(self.remote)))
            .saturating_sub(options)
            .max(MIN_SND_MSS);
        // The initial window counts in segments of the negotiated MSS (RFC 6928).
        self.cc = Controller::new(
            self.config.congestion,
            self.snd_mss as u32,
            self.config.initial_window,
        );
        self.peer_wscale = seg.options.window_scale;
        // RFC 7323 §1.3: scaling only when both SYNs carry the option;
        // §2.3: a shift above 14 is used as 14.
        match (we_offered_ws, seg.options.window_scale) {
            (true, Some(s)) => {
                self.snd_wscale = s.min(14);
                self.rcv_wscale = self.config.our_window_shift();
            }
            _ => {
                self.snd_wscale = 0;
                self.rcv_wscale = 0;
            }
        }
        // RFC 7323 §2.2: the window field of a SYN is never scaled.
        self.snd_wnd = u32::from(seg.window);
        self.max_snd_wnd = self.snd_wnd;
        self.snd_wl1 = seg.seq_number;
        self.snd_wl2 = seg.ack_number;
        // RFC 3168 §6.1.1: ECN-setup SYN and SYN-ACK.
        self.ecn_on_syn(seg);
        self.irs = seg.seq_number;
        self.rcv_nxt = seg.seq_number + 1;
        self.rcv_adv = self.rcv_nxt;
    }

    fn on_syn_sent(&mut self, now: Instant, seg: &SegmentRepr<'_>) {
        let f = seg.flags;
        // RFC 9293 §3.10.7.3, first: check the ACK bit.
        if f.contains(TcpFlags::ACK) {
            let ack = seg.ack_number;
            if ack.distance_from(self.iss) <= 0 || ack.distance_from(self.snd_max) > 0 {
                if !f.contains(TcpFlags::RST) {
                    self.reply_rst(seg);
                }
                return;
            }
        }
        // Second: the RST bit; RFC 5961 §3.2 / RFC 9293: acceptable only with an acceptable ACK.
        if f.contains(TcpFlags::RST) {
            if f.contains(TcpFlags::ACK) {
                self.enter_closed();
                self.events.push_back(Event::Reset);
            }
            return;
        }
        // Fourth: the SYN bit.
        if !f.contains(TcpFlags::SYN) {
            return;
        }
        let offered = self.config.window_scaling;
        self.take_syn_options(now, seg, offered);
        if f.contains(TcpFlags::ACK) {
            self.on_ack_advance(now, seg);
            // Our SYN is acknowledged: ESTABLISHED, ACK the peer's SYN.
            self.state = State::Established;
            self.on_established(now);
            // A window update from the SYN-ACK: remember SND.WL1/WL2.
            self.ack_pending = true;
            self.accept_text_and_fin(now, seg, 1);
        } else {
            // RFC 9293 §3.10.7.3: simultaneous open, SYN-RECEIVED, send SYN,ACK.
            self.state = State::SynReceived;
            self.snd_nxt = self.iss;
            self.rtx_deadline = None;
        }
    }

    fn on_established(&mut self, now: Instant) {
        self.events.push_back(super::Event::Connected);
        self.retries = 0;
        self.heard_from_peer(now);
        if self.fin_queued {
            // close() was called in SYN-RECEIVED: now the FIN can go.
            self.state = State::FinWait1;
        }
        if self.syn_retransmitted {
            // RFC 6298 §5.7: after a lost SYN, RTO MUST be 3 s when data transmission begins.
            self.rtt.at_least_three_seconds();
            self.on_lost_syn(now);
        }
    }

    fn on_synchronized(&mut self, now: Instant, seg: &SegmentRepr<'_>, ecn: Ecn) {
        let f = seg.flags;
        let rcv_wnd = self.rcv_wnd().min(u32::MAX as usize / 2) as u32;
        let mut seg_len = seg.segment_len() as u32;

        // SYN-RECEIVED: a retransmission of the peer's SYN means our SYN,ACK was lost.
        if self.state == State::SynReceived
            && f.contains(TcpFlags::SYN)
            && !f.contains(TcpFlags::ACK)
            && seg.seq_number == self.irs
        {
            self.snd_nxt = self.iss;
            return;
        }

        // RFC 7323 §5.3 R1 (PAWS): a segment whose TSval is older than
        // TS.Recent is a duplicate from an earlier wrap of the sequence space.
        let ts = seg.options.timestamps.filter(|_| self.ts_ok);
        if let Some(ts) = ts {
            if now - self.ts_recent_at > PAWS_IDLE {
                // §5.5: after 24 days idle TS.Recent is no longer valid.
                self.ts_recent = ts.tsval;
                self.ts_recent_at = now;
            }
            let older = (ts.tsval.wrapping_sub(self.ts_recent) as i32) < 0;
            if older && !f.contains(TcpFlags::RST) {
                self.ack_unacceptable(now, seg);
                return;
            }
        }

        // RFC 9293 §3.10.7.4 first: sequence number check.
        let mut ok = acceptable(seg.seq_number, seg_len, self.rcv_nxt, rcv_wnd);
        if !ok && rcv_wnd == 0 && seg.seq_number == self.rcv_nxt {
            // With a zero window, still process valid ACKs and RSTs
            // (§3.10.7.4, MUST-66); the data (a window probe) is not
            // acceptable and is answered with an ACK (§3.8.6.1).
            ok = true;
            seg_len = 0;
            if !seg.payload.is_empty() {
                self.ack_pending = true;
            }
        }
        if !ok {
            if !f.contains(TcpFlags::RST) {
                // MUST: an unacceptable segment is answered with an ACK and dropped.
                self.ack_unacceptable(now, seg);
                if self.state == State::TimeWait && f.contains(TcpFlags::FIN) {
                    // A retransmitted FIN: ACK it and restart the 2 MSL timeout.
                    self.enter_time_wait(now);
                }
            }
            return;
        }
        // An acceptable segment: the peer is alive (keep-alives, §3.8.4).
        self.heard_from_peer(now);

        // Second: the RST bit (RFC 5961 §3.2).
        if f.contains(TcpFlags::RST) {
            if self.state == State::TimeWait {
                // RFC 1337: ignore RST in TIME-WAIT (TIME-WAIT assassination).
                return;
            }
            if seg.seq_number == self.rcv_nxt {
                // RFC 5961 §3.2: exactly RCV.NXT resets the connection.
                let silent = matches!(
                    self.state,
                    State::Closing | State::LastAck | State::TimeWait
                );
                self.enter_closed();
                if !silent {
                    self.events.push_back(Event::Reset);
                } else {
                    self.events.push_back(Event::Closed);
                }
            } else {
                // RFC 5961 §3.2: in the window but not exact, send a challenge ACK.
                self.challenge_ack(now);
            }
            return;
        }

        // Fourth: the SYN bit. RFC 5961 §4.2: a SYN in a synchronized state
        // (or SYN-RECEIVED) gets a challenge ACK and is dropped.
        if f.contains(TcpFlags::SYN) {
            self.challenge_ack(now);
            return;
        }

        // Fifth: the ACK field. RFC 9293 §3.10.7.4: if off, drop the segment.
        if !f.contains(TcpFlags::ACK) {
            return;
        }
        let ack = seg.ack_number;
        if self.state == State::SynReceived {
            // SND.UNA < SEG.ACK =< SND.NXT moves to ESTABLISHED, else RST.
            if ack.distance_from(self.snd_una) > 0 && ack.distance_from(self.snd_max) <= 0 {
                self.state = State::Established;
                self.snd_wnd = u32::from(seg.window) << self.snd_wscale;
                self.max_snd_wnd = self.max_snd_wnd.max(self.snd_wnd);
                self.snd_wl1 = seg.seq_number;
                self.snd_wl2 = ack;
                self.on_established(now);
            } else {
                self.reply_rst(seg);
                return;
            }
        }
        if ack.distance_from(self.snd_max) > 0 {
            // RFC 9293 §3.10.7.4: an ACK for something not yet sent: send an ACK, drop.
            self.ack_unacceptable(now, seg);
            return;
        }
        // RFC 5961 §5.2: an ACK older than SND.UNA - MAX.SND.WND is dropped with an ACK.
        if ack.distance_from(self.snd_una) < -(self.max_snd_wnd.min(i32::MAX as u32) as i32) {
            self.challenge_ack(now);
            return;
        }
        if ack.distance_from(self.snd_una) >= 0 {
            // RFC 7323 §4.3 (R3): remember the TSval of a segment that covers
            // Last.ACK.sent, to echo it; only here, once the RST, SYN and ACK
            // checks have passed and SND.UNA =< SEG.ACK (Linux's
            // tcp_replace_ts_recent from tcp_ack, since 2013): a blind
            // segment that those checks drop must not move TS.Recent, or
            // PAWS (§5.3 R1) would drop every later segment of the real peer.
            self.update_ts_recent(now, seg);
        }
        let old_wnd = self.snd_wnd;
        if ack.distance_from(self.snd_una) >= 0 {
            // RFC 9293 §3.10.7.4: update the send window when the segment is
            // newer (SND.WL1 < SEG.SEQ, or equal with SND.WL2 =< SEG.ACK). An
            // ACK of new data is never an old segment, so it updates the
            // window too (as Linux's tcp_may_update_window): a stale SND.WL1
            // must not pin a zero window while the peer acknowledges probes.
            let newer = ack.distance_from(self.snd_una) > 0
                || self.snd_wl1.distance_from(seg.seq_number) < 0
                || (self.snd_wl1 == seg.seq_number && self.snd_wl2.distance_from(ack) <= 0);
            if newer {
                self.snd_wnd = u32::from(seg.window) << self.snd_wscale;
                self.max_snd_wnd = self.max_snd_wnd.max(self.snd_wnd);
                self.snd_wl1 = seg.seq_number;
                self.snd_wl2 = ack;
            }
        }
        // RFC 2883 §4: a first block below the cumulative ACK, or inside
        // the second block, is a D-SACK: it reports a duplicate, not a hole.
        let blocks = seg.options.sack.as_slice();
        let dsack = self.sack_ok
            && blocks.first().is_some_and(|d| {
                d.right.distance_from(d.left) > 0
                    && (d.right.distance_from(ack) <= 0
                        || blocks.get(1).is_some_and(|b| {
                            b.left.distance_from(d.left) <= 0 && d.right.distance_from(b.right) <= 0
                        }))
            });
        if dsack {
            self.dsacks += 1;
        }
        let sacked_before = self.scoreboard.sacked_bytes();
        // RFC 2018 §3 / RFC 6675: the peer's SACK blocks fill the scoreboard.
        let mut newly_sacked = 0;
        if self.sack_ok {
            for b in seg.options.sack.as_slice() {
                newly_sacked += self
                    .scoreboard
                    .add(self.snd_una, self.snd_max, b.left, b.right);
            }
        }
        // RFC 5681 §2: a duplicate ACK acknowledges nothing new, carries no
        // data, SYN or FIN, leaves the window alone and arrives with data
        // outstanding. With SACK (RFC 6675 §2) it is one that SACKs new
        // data, whatever its window. A zero window's ACKs answer probes and
        // say nothing of loss.
        let outstanding = self.snd_max != self.snd_una;
        let dup = ack == self.snd_una
            && outstanding
            && self.snd_wnd != 0
            && if self.sack_ok && !seg.options.sack.is_empty() {
                newly_sacked > 0
            } else {
                seg.payload.is_empty() && !f.contains(TcpFlags::FIN) && self.snd_wnd == old_wnd
            };
        let before = self.snd_una;
        let rtt = self.on_ack_advance(now, seg);
        if self
            .snd_up
            .is_some_and(|up| self.snd_una.distance_from(up) >= 0)
        {
            // All urgent data acknowledged: segments stop carrying URG.
            self.snd_up = None;
        }
        let acked = self.snd_una.distance_from(before).max(0) as u32;
        if self.state.is_synchronized() {
            // RFC 3168 §6.1.2: ECE on a negotiated connection is a
            // congestion signal, answered before the ACK may grow cwnd.
            let ece = self.ecn.ok && f.contains(TcpFlags::ECE);
            let reduced = ece && self.ecn_on_ece(now);
            self.on_ack_congestion(now, acked, dup, rtt, reduced);
            self.rack_on_ack(now, seg, dsack);
            // RFC 6937: DeliveredData = delta(snd.una) + delta(SACKed).
            let sacked = i64::from(self.scoreboard.sacked_bytes()) - i64::from(sacked_before);
            self.prr_on_ack(now, (i64::from(acked) + sacked).max(0) as u64);
            self.frto_on_ack(now, acked, newly_sacked, dup);
        }
        if self.snd_wnd == 0 {
            // RFC 9293 §3.8.6.1 (MUST-36): the peer answers our probes; the
            // connection MUST NOT time out while it does.
            self.retries = 0;
        }

        // The FIN's acknowledgment drives the closing states.
        let fin_acked = self.fin_queued
            && self.send_buf.is_empty()
            && self.snd_una == self.buf_seq + 1
            && self.snd_max == self.snd_una;
        match self.state {
            State::FinWait1 if fin_acked => self.state = State::FinWait2,
            State::Closing if fin_acked => self.enter_time_wait(now),
            State::LastAck if fin_acked => {
                self.enter_closed();
                self.events.push_back(Event::Closed);
                return;
            }
            _ => {}
        }

        // Sixth: the URG bit (RFC 9293 §3.10.7.4), also with a zero window (MUST-66).
        if f.contains(TcpFlags::URG)
            && matches!(
                self.state,
                State::Established | State::FinWait1 | State::FinWait2
            )
        {
            self.on_urgent(seg);
        }
        // RFC 3168 §6.1.3: the receiver's echo of CE, ended by CWR.
        let ce = self.ecn_on_segment(seg, ecn);
        self.accept_text_and_fin(now, seg, seg_len);
        if ce {
            // The ACK of a CE-marked segment goes at once.
            self.ack_pending = true;
            self.delack_deadline = None;
        }
    }

    /// RFC 7323 §4.3: if SEG.TSval >= TS.Recent and SEG.SEQ =< Last.ACK.sent,
    /// TS.Recent <- SEG.TSval. The caller has checked the segment's ACK.
    fn update_ts_recent(&mut self, now: Instant, seg: &SegmentRepr<'_>) {
        if let Some(ts) = seg.options.timestamps.filter(|_| self.ts_ok) {
            let newer = (ts.tsval.wrapping_sub(self.ts_recent) as i32) >= 0;
            if newer && seg.seq_number.distance_from(self.last_ack_sent) <= 0 {
                self.ts_recent = ts.tsval;
                self.ts_recent_at = now;
            }
        }
    }

    /// RCV.UP <- max(RCV.UP, SEG.UP); the application hears of urgent data
    /// once per urgent run (MUST-32).
    fn on_urgent(&mut self, seg: &SegmentRepr<'_>) {
        let up = seg.seq_number + u32::from(seg.urgent_pointer);
        let unread = self.rcv_nxt - self.recv_buf.len() as u32;
        let active = self.rcv_up.is_some_and(|r| r.distance_from(unread) > 0);
        match self.rcv_up {
            Some(r) if active && up.distance_from(r) <= 0 => {}
            _ if up.distance_from(unread) > 0 => {
                self.rcv_up = Some(up);
                if !active {
                    self.events.push_back(Event::Urgent);
                }
            }
            _ => {}
        }
    }

    /// Queues a RST reply; the queue is bounded so a flood cannot grow it
    /// when the caller polls slowly (excess replies are dropped, RSTs are best effort).
    fn reply_rst(&mut self, seg: &SegmentRepr<'_>) {
        if self.replies.len() < super::MAX_REPLIES {
            self.replies.extend(rst_reply(seg).map(|t| t.header));
        }
    }

    /// RFC 5961 §3.2/§4.2/§5.2 challenge ACK: `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>`.
    /// RFC 5961 §7: challenge ACKs are throttled to a configurable number per second.
    fn challenge_ack(&mut self, now: Instant) {
        let second = handshake_time::Duration::from_secs(1);
        if now - self.challenge_window_start >= second || now < self.challenge_window_start {
            self.challenge_window_start = now;
            self.challenge_window_count = 0;
        }
        if self.challenge_window_count >= self.config.challenge_ack_limit {
            return;
        }
        self.challenge_window_count += 1;
        self.challenge_pending = true;
        self.challenge_acks += 1;
    }

    /// Advances SND.UNA to the segment's ACK if it acknowledges something
    /// new: frees the acknowledged data, takes an RTT sample (RFC 7323 §4
    /// RTTM from the echoed timestamp, else RFC 6298 with Karn's rule) and
    /// manages the timer (RFC 6298 §5). Returns the sample.
    pub(crate) fn on_ack_advance(
        &mut self,
        now: Instant,
        seg: &SegmentRepr<'_>,
    ) -> Option<Duration> {
        let ack = seg.ack_number;
        if ack.distance_from(self.snd_una) <= 0 {
            return None;
        }
        self.snd_una = ack;
        if self.snd_nxt.distance_from(ack) < 0 {
            // An ACK beyond a SND.NXT that went back for a retransmission.
            self.snd_nxt = ack;
        }
        let acked_data = ack.distance_from(self.buf_seq);
        if acked_data > 0 {
            let n = (acked_data as usize).min(self.send_buf.len());
            self.send_buf.drain(..n);
            self.buf_seq += n as u32;
        }
        self.scoreboard.advance(ack);
        // The fine-grained sample: with RACK every ACK times its earliest
        // newly acknowledged segment, as Linux does; else the one segment
        // timed per round trip (RFC 6298 §3, Karn's rule).
        let (mut sample, ambiguous) = match self.rack_active().then(|| self.rack.ack_rtt(now, ack))
        {
            Some(Ok(r)) => (r, false),
            Some(Err(())) => (None, true),
            None => (None, false),
        };
        if let Some((end, sent)) = self.rtt_sample {
            if ack.distance_from(end) >= 0 {
                sample = sample.or(Some(now - sent));
                self.rtt_sample = None;
            }
        }
        if let Some(ts) = seg.options.timestamps.filter(|_| self.ts_ok) {
            // RFC 7323 §4.1: RTT = now - TSecr, for an ACK that advances
            // SND.UNA; valid for retransmissions too, so Karn's rule is not
            // needed. But TSval ticks in milliseconds: on a path of less
            // than one tick every such sample reads 0 and SRTT decays to
            // nothing (and with it RACK's reo_wnd and the PTO, RFC 8985
            // §6.2, §7.2). So, as Linux (`tcp_ack_update_rtt`), the echoed
            // timestamp times an ACK only when no finer sample is to be
            // had: the data it acknowledges was retransmitted, or no
            // segment is being timed.
            let ms = self.ts_val(now).wrapping_sub(ts.tsecr);
            let fallback = ambiguous || (!self.rack_active() && self.rtt_sample.is_none());
            if sample.is_none() && fallback && ts.tsecr != 0 && ms < 1 << 31 {
                sample = Some(Duration::from_millis(u64::from(ms)));
            }
        }
        if let Some(r) = sample {
            self.rtt.sample(r);
        }
        self.retries = 0;
        self.probe = false;
        // RFC 6298 §5.2: all outstanding data acknowledged, turn off the timer;
        // §5.3: new data acknowledged, restart it.
        self.rtx_deadline = if self.snd_max == self.snd_una {
            None
        } else {
            Some(now + self.rtt.rto)
        };
        sample
    }

    /// Sixth to eighth steps of RFC 9293 §3.10.7.4: segment text and FIN.
    /// `seg_len` 0 means only the control information is to be processed.
    fn accept_text_and_fin(&mut self, now: Instant, seg: &SegmentRepr<'_>, seg_len: u32) {
        if seg_len == 0 {
            return;
        }
        let receiving = matches!(
            self.state,
            State::Established | State::FinWait1 | State::FinWait2 | State::SynReceived
        );
        let fin_allowed = receiving || self.state == State::TimeWait;
        // Data sequence: a SYN occupies the first number.
        let data_seq = if seg.flags.contains(TcpFlags::SYN) {
            seg.seq_number + 1
        } else {
            seg.seq_number
        };
        let wnd_end = self.rcv_nxt + self.rcv_wnd() as u32;
        let mut payload = seg.payload;
        let mut seq = data_seq;
        let mut fin = seg.flags.contains(TcpFlags::FIN);
        // Trim what is already received.
        let old = self.rcv_nxt.distance_from(seq);
        if old > 0 && !payload.is_empty() {
            // RFC 2883 §4: the duplicate part goes in a D-SACK block.
            let dup = (old as usize).min(payload.len()) as u32;
            self.dsack = Some((seq, seq + dup));
        }
        if old > 0 {
            let old = old as usize;
            if old > payload.len() {
                // Even the FIN is old.
                fin = false;
                payload = &[];
            } else {
                payload = &payload[old..];
            }
            seq = self.rcv_nxt;
        }
        // Trim what lies beyond the window.
        let room = wnd_end.distance_from(seq).max(0) as usize;
        if payload.len() > room {
            payload = &payload[..room];
            fin = false;
        }
        let had_gap = !self.ooo.is_empty();
        let in_order = seq == self.rcv_nxt;
        if receiving && !payload.is_empty() && !self.peer_fin {
            if in_order {
                self.recv_buf.extend(payload);
                self.rcv_nxt += payload.len() as u32;
                let recv_buf = &mut self.recv_buf;
                self.rcv_nxt = self.ooo.drain(self.rcv_nxt, |d| recv_buf.extend(d));
            } else {
                if let Some((_, r)) = self.ooo.block_containing(self.rcv_nxt, seq) {
                    // RFC 2883 §4: a duplicate of data held above RCV.NXT.
                    let end = seq + payload.len() as u32;
                    self.dsack = Some((seq, if end.distance_from(r) < 0 { end } else { r }));
                }
                self.ooo.insert(self.rcv_nxt, seq, payload);
                // RFC 2018 §4: the first SACK block reports the newest arrival.
                self.sack_recent.rotate_right(1);
                self.sack_recent[0] = Some(seq);
            }
        }
        if !payload.is_empty() || seg.flags.contains(TcpFlags::FIN) {
            self.ack_received_data(now, in_order && !had_gap && !payload.is_empty() && !fin);
        }
        if fin && fin_allowed && !self.peer_fin {
            let fin_seq = seq + payload.len() as u32;
            if fin_seq == self.rcv_nxt {
                self.on_fin(now);
            } else if receiving {
                self.ooo_fin = Some(fin_seq);
            }
        }
        if let Some(fs) = self.ooo_fin {
            if fs == self.rcv_nxt && !self.peer_fin {
                self.ooo_fin = None;
                self.on_fin(now);
            }
        }
    }

    /// An in-order FIN (RFC 9293 §3.10.7.4, eighth).
    fn on_fin(&mut self, now: Instant) {
        self.rcv_nxt += 1;
        self.ack_pending = true;
        match self.state {
            State::SynReceived | State::Established => {
                self.peer_fin = true;
                self.state = State::CloseWait;
                self.events.push_back(Event::PeerClosed);
            }
            State::FinWait1 => {
                self.peer_fin = true;
                self.events.push_back(Event::PeerClosed);
                let fin_acked =
                    self.send_buf.is_empty() && self.snd_una == self.buf_seq + 1 && self.fin_queued;
                if fin_acked {
                    self.enter_time_wait(now);
                } else {
                    self.state = State::Closing;
                }
            }
            State::FinWait2 => {
                self.peer_fin = true;
                self.events.push_back(Event::PeerClosed);
                self.enter_time_wait(now);
            }
            State::TimeWait => self.enter_time_wait(now),
            _ => {}
        }
    }
}

impl Connection {
    /// RFC 9293 §3.10.7.4: received data is acknowledged, with delayed ACKs
    /// (§3.8.6.3, SHLD-18): an in-order segment may wait up to the delay
    /// (MUST-40: under 0.5 s), but at least every second one is acknowledged
    /// at once; out-of-order data, a filled gap or a FIN is acknowledged at
    /// once (RFC 5681 §4.2, SHOULD) so the sender's loss recovery hears of it.
    fn ack_received_data(&mut self, now: Instant, may_delay: bool) {
        let Some(delay) = self.config.delayed_ack.filter(|_| may_delay) else {
            self.ack_pending = true;
            return;
        };
        self.unacked_segments += 1;
        if self.unacked_segments >= 2 {
            self.ack_pending = true;
        } else if self.delack_deadline.is_none() {
            self.delack_deadline = Some(now + delay);
        }
    }
}

/// At most one ACK per this interval answers unacceptable pure ACKs (Linux's
/// tcp_invalid_ratelimit default).
const INVALID_ACK_INTERVAL: Duration = Duration::from_millis(500);

impl Connection {
    /// The ACK that answers an unacceptable segment (RFC 9293 §3.10.7.4).
    /// When the segment is itself a bare ACK, replies are limited to one per
    /// 500 ms: two ends that disagree on the sequence space (after an
    /// injected segment, say) would otherwise answer each other's ACKs
    /// forever, an ACK war (the throttling idea of RFC 5961 §7, as Linux does).
    fn ack_unacceptable(&mut self, now: Instant, seg: &SegmentRepr<'_>) {
        let end = seg.seq_number + seg.payload.len() as u32;
        if !seg.payload.is_empty() && end.distance_from(self.rcv_nxt) <= 0 {
            // RFC 2883 §4: a segment received before is reported in a D-SACK.
            self.dsack = Some((seg.seq_number, end));
        }
        let bare = seg.payload.is_empty() && !seg.flags.intersects(TcpFlags::SYN | TcpFlags::FIN);
        // RFC 9293 §3.8.6.1 (RFC 793 p. 42): with a zero window "it must still
        // send an acknowledgment showing its next expected sequence number and
        // current window (zero)": a zero-window probe is always answered (the
        // prober's persist timer bounds how often one comes, so no ACK war).
        let probe = self.rcv_wnd() == 0;
        if bare && !probe {
            if self
                .last_invalid_ack
                .is_some_and(|t| now >= t && now - t < INVALID_ACK_INTERVAL)
            {
                return;
            }
            self.last_invalid_ack = Some(now);
        }
        self.ack_pending = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acceptability_four_cases() {
        let n = SeqNumber(u32::MAX - 1);
        assert!(acceptable(n, 0, n, 0));
        assert!(!acceptable(n + 1, 0, n, 0));
        assert!(acceptable(n + 9, 0, n, 10));
        assert!(!acceptable(n + 10, 0, n, 10));
        assert!(!acceptable(n, 5, n, 0));
        assert!(acceptable(n - 3, 5, n, 10));
        assert!(!acceptable(n - 5, 5, n, 10));
        assert!(acceptable(n + 9, 5, n, 10));
        assert!(!acceptable(n + 10, 5, n, 10));
    }
}
