//! What goes out: SYNs, data, FINs, ACKs and RSTs.

use alloc::vec::Vec;

use handshake_time::Instant;

use super::{Connection, State, Transmit};
use crate::wire::{SegmentRepr, TcpFlags, TcpOptions};

impl Connection {
    /// The next segment to send, if any. Call it until it returns `None`
    /// after every input, timeout and application call.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        if let Some(r) = self.replies.pop_front() {
            self.segments_sent += 1;
            return Some(r);
        }
        if self.rst_pending {
            // RFC 9293 §3.10.5: ABORT sends <SEQ=SND.NXT><CTL=RST>.
            self.rst_pending = false;
            self.segments_sent += 1;
            let h = SegmentRepr::new(
                self.local.port(),
                self.remote.port(),
                self.snd_nxt,
                TcpFlags::RST,
            );
            return Some(Transmit {
                header: h,
                payload: Vec::new(),
            });
        }
        let t = match self.state {
            State::Closed | State::Listen => None,
            State::SynSent | State::SynReceived => {
                if self.snd_nxt == self.iss {
                    Some(self.syn(now))
                } else if self.state == State::SynReceived
                    && (self.ack_pending || self.challenge_pending)
                {
                    Some(self.segment(TcpFlags::ACK, Vec::new()))
                } else {
                    None
                }
            }
            _ => self.data_or_ack(now),
        };
        if t.is_some() {
            self.segments_sent += 1;
        }
        t
    }

    /// A header from our ports with SEQ=SND.NXT, ACK=RCV.NXT and our window.
    fn segment(&mut self, flags: TcpFlags, payload: Vec<u8>) -> Transmit {
        let mut h = SegmentRepr::new(self.local.port(), self.remote.port(), self.snd_nxt, flags);
        if flags.contains(TcpFlags::ACK) {
            h.ack_number = self.rcv_nxt;
            self.ack_pending = false;
            self.challenge_pending = false;
        }
        let wnd = self.rcv_wnd();
        h.window = if flags.contains(TcpFlags::SYN) {
            // RFC 7323 §2.2: the window in a SYN is not scaled.
            wnd.min(0xffff) as u16
        } else {
            (wnd >> self.rcv_wscale).min(0xffff) as u16
        };
        let shift = if flags.contains(TcpFlags::SYN) {
            0
        } else {
            self.rcv_wscale
        };
        let right = self.rcv_nxt + (u32::from(h.window) << shift);
        if right.distance_from(self.rcv_adv) > 0 {
            self.rcv_adv = right;
        }
        Transmit { header: h, payload }
    }

    fn arm_rtx(&mut self, now: Instant) {
        // RFC 6298 §5.1: start the timer when sending data if it is not running.
        if self.rtx_deadline.is_none() {
            self.rtx_deadline = Some(now + self.rtt.rto);
        }
    }

    /// Advances SND.NXT past what was just sent; samples RTT only for new data (Karn).
    fn sent(&mut self, now: Instant, len: u32) {
        let fresh = self.snd_nxt == self.snd_max;
        self.snd_nxt += len;
        if self.snd_nxt.distance_from(self.snd_max) > 0 {
            if fresh && self.rtt_sample.is_none() {
                self.rtt_sample = Some((self.snd_nxt, now));
            }
            self.snd_max = self.snd_nxt;
        }
        self.arm_rtx(now);
    }

    fn syn(&mut self, now: Instant) -> Transmit {
        let synack = self.state == State::SynReceived;
        let flags = if synack {
            TcpFlags::SYN | TcpFlags::ACK
        } else {
            TcpFlags::SYN
        };
        let mut t = self.segment(flags, Vec::new());
        let offer_ws = self.config.window_scaling && (!synack || self.peer_wscale.is_some());
        t.header.options = TcpOptions {
            // RFC 9293 §3.7.1: announce our MSS in the SYN.
            mss: Some(self.config.mss),
            // RFC 7323 §1.3: in a SYN,ACK only if the SYN carried it.
            window_scale: offer_ws.then(|| self.config.our_window_shift()),
            ..TcpOptions::default()
        };
        self.sent(now, 1);
        t
    }

    fn data_or_ack(&mut self, now: Instant) -> Option<Transmit> {
        let len = self.send_buf.len();
        let offset = self.snd_nxt.distance_from(self.buf_seq);
        let closing = matches!(
            self.state,
            State::FinWait1 | State::Closing | State::LastAck
        );
        if (0..=len as i64).contains(&i64::from(offset)) {
            let offset = offset as usize;
            let avail = len - offset;
            // The sender's window: SND.UNA..SND.UNA+min(SND.WND, cwnd) (RFC 9293 §3.8.6).
            let limit = self.snd_wnd.min(self.cwnd);
            let window_end = self.snd_una + limit;
            let room = window_end.distance_from(self.snd_nxt).max(0) as usize;
            let mut n = avail.min(self.snd_mss).min(room);
            if n == 0 && avail > 0 && self.probe && self.snd_wnd == 0 {
                // Zero-window probe: one byte beyond the window.
                n = 1;
                self.probe = false;
            }
            if n == 0 && avail > 0 && self.snd_una == self.snd_max {
                // Data waits on a zero window with nothing in flight: the
                // retransmission timer doubles as the probe timer.
                self.arm_rtx(now);
            }
            let fin = closing && self.fin_queued && offset + n == len;
            if n > 0 || fin {
                let payload: Vec<u8> = self.send_buf.range(offset..offset + n).copied().collect();
                let mut flags = TcpFlags::ACK;
                if n > 0 && offset + n == len {
                    flags |= TcpFlags::PSH;
                }
                if fin {
                    flags |= TcpFlags::FIN;
                }
                let t = self.segment(flags, payload);
                self.sent(now, n as u32 + u32::from(fin));
                return Some(t);
            }
        }
        if self.ack_pending || self.challenge_pending {
            return Some(self.segment(TcpFlags::ACK, Vec::new()));
        }
        None
    }
}
