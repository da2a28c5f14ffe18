//! Segment arrival (RFC 9293 §3.10.7).

use handshake_time::Instant;

use super::{Connection, Event, State, Transmit};
use crate::wire::{SegmentRepr, SeqNumber, TcpFlags};

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

/// A RST answering `seg` (RFC 9293 §3.10.7.1 and §3.10.7.3): `<SEQ=SEG.ACK><CTL=RST>`
/// when it carried an ACK, else `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>`.
pub(crate) fn rst_for(seg: &SegmentRepr<'_>) -> Transmit {
    let mut h = SegmentRepr::new(seg.dst_port, seg.src_port, SeqNumber(0), TcpFlags::RST);
    if seg.flags.contains(TcpFlags::ACK) {
        h.seq_number = seg.ack_number;
    } else {
        h.flags |= TcpFlags::ACK;
        h.ack_number = seg.seq_number + seg.segment_len() as u32;
    }
    Transmit {
        header: h,
        payload: alloc::vec::Vec::new(),
    }
}

impl Connection {
    /// Processes one arriving segment addressed to this connection
    /// (RFC 9293 §3.10.7). Segments whose ports do not match are ignored;
    /// nothing a peer sends can make this panic.
    pub fn handle_segment(&mut self, now: Instant, seg: &SegmentRepr<'_>) {
        if seg.src_port != self.remote.port() || seg.dst_port != self.local.port() {
            return;
        }
        self.segments_received += 1;
        match self.state {
            State::Closed => {
                // RFC 9293 §3.10.7.1: a segment not containing RST causes a RST in response.
                if !seg.flags.contains(TcpFlags::RST) {
                    self.reply_rst(seg);
                }
            }
            State::Listen => {}
            State::SynSent => self.on_syn_sent(now, seg),
            _ => self.on_synchronized(now, seg),
        }
    }

    /// Records the peer's SYN options (RFC 9293 §3.7.1, RFC 7323 §2.2).
    pub(crate) fn take_syn_options(&mut self, seg: &SegmentRepr<'_>, we_offered_ws: bool) {
        let mss = seg
            .options
            .mss
            .unwrap_or(super::default_mss(self.remote))
            .max(1);
        // RFC 9293 §3.7.1: segments no larger than the peer's MSS (and ours).
        self.snd_mss = usize::from(mss.min(self.config.mss));
        self.cwnd = 10 * self.snd_mss as u32;
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
        self.take_syn_options(seg, offered);
        if f.contains(TcpFlags::ACK) {
            self.on_ack_advance(now, seg.ack_number);
            // Our SYN is acknowledged: ESTABLISHED, ACK the peer's SYN.
            self.state = State::Established;
            self.on_established();
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

    fn on_established(&mut self) {
        self.events.push_back(super::Event::Connected);
        self.retries = 0;
        if self.fin_queued {
            // close() was called in SYN-RECEIVED: now the FIN can go.
            self.state = State::FinWait1;
        }
        if self.syn_retransmitted {
            // RFC 6298 §5.7: after a lost SYN, RTO MUST be 3 s when data transmission begins.
            self.rtt.at_least_three_seconds();
        }
    }

    fn on_synchronized(&mut self, now: Instant, seg: &SegmentRepr<'_>) {
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

        // RFC 9293 §3.10.7.4 first: sequence number check.
        let mut ok = acceptable(seg.seq_number, seg_len, self.rcv_nxt, rcv_wnd);
        if !ok && rcv_wnd == 0 && seg.seq_number == self.rcv_nxt {
            // With a zero window, still process valid ACKs and RSTs (§3.10.7.4).
            ok = true;
            seg_len = 0;
        }
        if !ok {
            if !f.contains(TcpFlags::RST) {
                // MUST: an unacceptable segment is answered with an ACK and dropped.
                self.ack_pending = true;
                if self.state == State::TimeWait && f.contains(TcpFlags::FIN) {
                    // A retransmitted FIN: ACK it and restart the 2 MSL timeout.
                    self.enter_time_wait(now);
                }
            }
            return;
        }

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
                self.on_established();
            } else {
                self.reply_rst(seg);
                return;
            }
        }
        if ack.distance_from(self.snd_max) > 0 {
            // RFC 9293 §3.10.7.4: an ACK for something not yet sent: send an ACK, drop.
            self.ack_pending = true;
            return;
        }
        // RFC 5961 §5.2: an ACK older than SND.UNA - MAX.SND.WND is dropped with an ACK.
        if ack.distance_from(self.snd_una) < -(self.max_snd_wnd.min(i32::MAX as u32) as i32) {
            self.challenge_ack(now);
            return;
        }
        if ack.distance_from(self.snd_una) >= 0 {
            // RFC 9293 §3.10.7.4: update the send window when the segment is newer.
            let newer = self.snd_wl1.distance_from(seg.seq_number) < 0
                || (self.snd_wl1 == seg.seq_number && self.snd_wl2.distance_from(ack) <= 0);
            if newer {
                self.snd_wnd = u32::from(seg.window) << self.snd_wscale;
                self.max_snd_wnd = self.max_snd_wnd.max(self.snd_wnd);
                self.snd_wl1 = seg.seq_number;
                self.snd_wl2 = ack;
            }
        }
        self.on_ack_advance(now, ack);

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

        self.accept_text_and_fin(now, seg, seg_len);
    }

    /// Queues a RST reply; the queue is bounded so a flood cannot grow it
    /// when the caller polls slowly (excess replies are dropped, RSTs are best effort).
    fn reply_rst(&mut self, seg: &SegmentRepr<'_>) {
        if self.replies.len() < super::MAX_REPLIES {
            self.replies.push_back(rst_for(seg));
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

    /// Advances SND.UNA to `ack` if it acknowledges something new: frees the
    /// acknowledged data, takes an RTT sample, manages the timer (RFC 6298 §5).
    pub(crate) fn on_ack_advance(&mut self, now: Instant, ack: SeqNumber) {
        if ack.distance_from(self.snd_una) <= 0 {
            return;
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
        if let Some((end, sent)) = self.rtt_sample {
            if ack.distance_from(end) >= 0 {
                self.rtt.sample(now - sent);
                self.rtt_sample = None;
            }
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
        if !payload.is_empty() || seg.flags.contains(TcpFlags::FIN) {
            // RFC 9293 §3.10.7.4: acknowledge received data (no delayed ACKs yet).
            self.ack_pending = true;
        }
        if receiving && !payload.is_empty() && !self.peer_fin {
            if seq == self.rcv_nxt {
                self.recv_buf.extend(payload);
                self.rcv_nxt += payload.len() as u32;
                let recv_buf = &mut self.recv_buf;
                self.rcv_nxt = self.ooo.drain(self.rcv_nxt, |d| recv_buf.extend(d));
            } else {
                self.ooo.insert(self.rcv_nxt, seq, payload);
            }
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
