//! What goes out: SYNs, data, retransmissions, FINs, ACKs and RSTs, within
//! the receiver's window, the congestion window, Nagle and SWS avoidance.

use handshake_time::Instant;

use super::{Connection, Data, Pending, SegmentSummary, State, TraceEvent, Transmit, TransmitRef};
use crate::congestion::CongestionControl;
use crate::wire::{
    SackBlock, SackBlocks, SegmentRepr, SeqNumber, TcpFlags, TcpOptions, Timestamps,
};

impl Connection {
    /// The next segment to send, if any. Call it until it returns `None`
    /// after every input, timeout and application call.
    ///
    /// The segment owns a copy of its data; a driver that writes segments
    /// into packets uses [`Connection::poll_segment`], which lends the data
    /// from the send buffer instead. Both decide alike what to send.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        self.poll_segment(now).map(|t| t.to_transmit())
    }

    /// The next segment to send, if any, its data lent from the send buffer
    /// until the connection is used again: write it into the packet with
    /// [`TransmitRef::emit`]. Call it until it returns `None` after every
    /// input, timeout and application call, as [`Connection::poll_transmit`].
    ///
    /// ```
    /// use handshake_ip::checksum::PseudoHeader;
    /// use handshake_tcp::conn::{Config, Connection};
    /// use handshake_tcp::wire::SeqNumber;
    /// use handshake_time::Instant;
    /// let (a, b) = ("192.0.2.1:4000".parse().unwrap(), "192.0.2.2:80".parse().unwrap());
    /// let ph = PseudoHeader::V4 { src: [192, 0, 2, 1].into(), dst: [192, 0, 2, 2].into() };
    /// let mut c = Connection::connect(Config::default(), a, b, Instant::ZERO, SeqNumber(100));
    /// let mut packet = [0u8; 1500];
    /// let syn = c.poll_segment(Instant::ZERO).unwrap();
    /// let n = syn.emit(&mut packet, &ph).unwrap();
    /// assert_eq!(n, syn.buffer_len());
    /// ```
    pub fn poll_segment(&mut self, now: Instant) -> Option<TransmitRef<'_>> {
        let p = self.poll_pending(now)?;
        Some(self.lend(p))
    }

    /// What [`Connection::poll_segment`] sends, its data not yet lent: the
    /// one place that decides the next segment and counts it.
    pub(crate) fn poll_pending(&mut self, now: Instant) -> Option<Pending> {
        let p = self.next_transmit(now)?;
        self.segments_sent += 1;
        if self.config.trace_capacity > 0 {
            let segment = summary(&p.header, p.data_len());
            self.record(TraceEvent::Sent { at: now, segment });
        }
        Some(p)
    }

    /// `p` with its data lent from the send buffer.
    pub(crate) fn lend(&self, p: Pending) -> TransmitRef<'_> {
        let payload = match p.data {
            Data::Fixed(d) => [d, &[][..]],
            Data::SendBuf { offset, len } => {
                let (a, b) = self.send_buf.as_slices();
                if offset < a.len() {
                    let end = (offset + len).min(a.len());
                    [&a[offset..end], &b[..len - (end - offset)]]
                } else {
                    [&b[offset - a.len()..offset - a.len() + len], &[][..]]
                }
            }
        };
        TransmitRef {
            header: p.header,
            payload,
            ecn: p.ecn,
        }
    }

    fn next_transmit(&mut self, now: Instant) -> Option<Pending> {
        if let Some(r) = self.replies.pop_front() {
            return Some(Pending::new(r, Data::Fixed(&[])));
        }
        if self.rst_pending {
            // RFC 9293 §3.10.5: ABORT sends <SEQ=SND.NXT><CTL=RST>.
            self.rst_pending = false;
            let h = SegmentRepr::new(
                self.local.port(),
                self.remote.port(),
                self.snd_nxt,
                TcpFlags::RST,
            );
            return Some(Pending::new(h, Data::Fixed(&[])));
        }
        if core::mem::take(&mut self.keepalive_pending) {
            // RFC 9293 §3.8.4: <SEQ=SND.NXT-1><ACK=RCV.NXT>, already-acknowledged
            // sequence space the peer answers with an ACK.
            let payload = self.keepalive_payload();
            return Some(self.segment_at(now, self.snd_nxt - 1, TcpFlags::ACK, payload));
        }
        match self.state {
            State::Closed | State::Listen => None,
            State::SynSent | State::SynReceived => {
                if self.snd_nxt == self.iss {
                    Some(self.syn(now))
                } else if self.state == State::SynReceived
                    && (self.ack_pending || self.challenge_pending)
                {
                    Some(self.segment(now, TcpFlags::ACK, Data::Fixed(&[])))
                } else {
                    None
                }
            }
            _ => self.data_or_ack(now),
        }
    }

    /// The TSval for `now`: a millisecond clock plus the connection's offset (RFC 7323 §5.4).
    pub(crate) fn ts_val(&self, now: Instant) -> u32 {
        ((now.as_nanos() / 1_000_000) as u32).wrapping_add(self.ts_offset)
    }

    /// A header from our ports with SEQ=SND.NXT, ACK=RCV.NXT and our window.
    fn segment(&mut self, now: Instant, flags: TcpFlags, payload: Data) -> Pending {
        self.segment_at(now, self.snd_nxt, flags, payload)
    }

    /// A header with SEQ=`seq`, ACK=RCV.NXT, our window, and the options
    /// every segment carries once negotiated (timestamps, SACK blocks).
    fn segment_at(
        &mut self,
        now: Instant,
        seq: SeqNumber,
        flags: TcpFlags,
        payload: Data,
    ) -> Pending {
        let mut h = SegmentRepr::new(self.local.port(), self.remote.port(), seq, flags);
        let syn = flags.contains(TcpFlags::SYN);
        if flags.contains(TcpFlags::ACK) {
            h.ack_number = self.rcv_nxt;
            self.last_ack_sent = self.rcv_nxt;
            self.ack_pending = false;
            self.challenge_pending = false;
            // This ACK covers everything received: no delayed ACK is owed.
            self.unacked_segments = 0;
            self.delack_deadline = None;
            if self.sack_ok && !syn {
                h.options.sack = self.sack_blocks();
                // RFC 2883 §4: a duplicate is reported once.
                self.dsack = None;
            }
        }
        let shift = if syn { 0 } else { self.rcv_wscale };
        let wnd = self.advertised_window();
        // RFC 7323 §2.2: the window in a SYN is not scaled.
        h.window = (wnd >> shift).min(0xffff) as u16;
        let right = self.rcv_nxt + (u32::from(h.window) << shift);
        if right.distance_from(self.rcv_adv) > 0 {
            self.rcv_adv = right;
        }
        if !syn && self.ecn.echo && flags.contains(TcpFlags::ACK) {
            // RFC 3168 §6.1.3: ECE on every ACK until the sender's CWR.
            h.flags |= TcpFlags::ECE;
        }
        if let Some(up) = self.snd_up {
            // RFC 9293 §3.8.5 (MUST-62): the urgent pointer is the offset
            // from SEG.SEQ of the first non-urgent octet; RFC 6093 §4 caps it.
            let off = up.distance_from(seq);
            if off > 0 && !syn {
                h.flags |= TcpFlags::URG;
                h.urgent_pointer = off.min(0xffff) as u16;
            }
        }
        if self.ts_ok {
            // RFC 7323 §3.2: once negotiated, TSopt MUST be sent in every non-RST segment.
            h.options.timestamps = Some(Timestamps {
                tsval: self.ts_val(now),
                tsecr: self.ts_recent,
            });
        }
        Pending::new(h, payload)
    }

    /// The window to advertise, with receiver SWS avoidance (RFC 9293
    /// §3.8.6.2.2, MUST-39): the right edge moves only when it can move by
    /// min(RCV.BUFF/2, Eff.snd.MSS); it never moves left (§3.8.6, SHLD-14).
    fn advertised_window(&self) -> usize {
        let free = self.rcv_wnd();
        let offered = self.rcv_adv.distance_from(self.rcv_nxt).max(0) as usize;
        let grown = free.saturating_sub(offered);
        let threshold = self.snd_mss.min(self.config.recv_buffer / 2).max(1);
        if grown >= threshold || free == 0 {
            free
        } else {
            offered
        }
    }

    /// RFC 2018 §4: up to three (with timestamps) or four blocks; the first
    /// holds the newest out-of-order arrival, then the most recently reported.
    fn sack_blocks(&self) -> SackBlocks {
        let max = if self.ts_ok { 3 } else { 4 };
        let mut out: [SackBlock; 4] = [SackBlock {
            left: SeqNumber(0),
            right: SeqNumber(0),
        }; 4];
        let mut n = 0;
        let push = |b: (SeqNumber, SeqNumber), out: &mut [SackBlock; 4], n: &mut usize| {
            if *n < max && !out[..*n].iter().any(|x| (x.left, x.right) == b) {
                out[*n] = SackBlock {
                    left: b.0,
                    right: b.1,
                };
                *n += 1;
            }
        };
        if let Some(d) = self.dsack {
            // RFC 2883 §4: the first block reports the duplicate (D-SACK);
            // when it lies in data held above RCV.NXT, the second block is
            // the (possibly larger) block that holds it.
            push(d, &mut out, &mut n);
            if let Some(b) = self.ooo.block_containing(self.rcv_nxt, d.0) {
                // Pushed even when equal to the D-SACK block itself.
                out[n] = SackBlock {
                    left: b.0,
                    right: b.1,
                };
                n += 1;
            }
        }
        for seq in self.sack_recent.iter().flatten() {
            if let Some(b) = self.ooo.block_containing(self.rcv_nxt, *seq) {
                push(b, &mut out, &mut n);
            }
        }
        for b in self.ooo.blocks(self.rcv_nxt) {
            push(b, &mut out, &mut n);
        }
        SackBlocks::new(&out[..n]).unwrap_or_default()
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
        let start = self.snd_nxt;
        self.snd_nxt += len;
        if self.snd_nxt.distance_from(self.snd_max) > 0 {
            if fresh && self.rtt_sample.is_none() {
                self.rtt_sample = Some((self.snd_nxt, now));
            }
            self.snd_max = self.snd_nxt;
        }
        self.arm_rtx(now);
        self.rack_sent(now, start, self.snd_nxt);
        self.prr_sent(len);
        if fresh {
            // RFC 8985 §7.2: new data (re)starts the probe timeout.
            self.arm_pto(now);
        }
    }

    fn syn(&mut self, now: Instant) -> Pending {
        let synack = self.state == State::SynReceived;
        let flags = if synack {
            TcpFlags::SYN | TcpFlags::ACK
        } else {
            TcpFlags::SYN
        };
        // RFC 3168 §6.1.1: the ECN-setup SYN or SYN-ACK (always Not-ECT).
        let flags = flags | self.ecn_syn_flags(synack);
        let mut t = self.segment(now, flags, Data::Fixed(&[]));
        let offer_ws = self.config.window_scaling && (!synack || self.peer_wscale.is_some());
        // RFC 7323 §3.2 / RFC 2018 §2: in a SYN,ACK only if the SYN offered them.
        let offer_ts = if synack {
            self.ts_ok
        } else {
            self.config.timestamps
        };
        let offer_sack = if synack {
            self.sack_ok
        } else {
            self.config.sack
        };
        t.header.options = TcpOptions {
            // RFC 9293 §3.7.1: announce our MSS in the SYN (MUST-14).
            mss: Some(self.config.mss_for(self.remote)),
            // RFC 7323 §1.3: in a SYN,ACK only if the SYN carried it.
            window_scale: offer_ws.then(|| self.config.our_window_shift()),
            sack_permitted: offer_sack,
            timestamps: offer_ts.then(|| Timestamps {
                tsval: self.ts_val(now),
                // RFC 7323 §3.2: TSecr is zero in a SYN without ACK.
                tsecr: if synack { self.ts_recent } else { 0 },
            }),
            ..TcpOptions::default()
        };
        self.sent(now, 1);
        t
    }

    /// The data octets this segment may carry (RFC 9293 §3.7.1, MUST-16):
    /// the effective send MSS, which already leaves room for TSopt, less
    /// the SACK blocks this segment carries while our receive queue has a
    /// gap, so no segment exceeds what the peer's MSS allows.
    pub(crate) fn payload_mss(&self) -> usize {
        let sack = if self.sack_ok && (!self.ooo.is_empty() || self.dsack.is_some()) {
            let max = if self.ts_ok { 3 } else { 4 };
            let dsack = usize::from(self.dsack.is_some());
            4 + 8 * (self.ooo.blocks(self.rcv_nxt).count() + dsack).min(max)
        } else if self.sack_ok && self.dsack.is_some() {
            12
        } else {
            0
        };
        self.snd_mss.saturating_sub(sack).max(1)
    }

    /// The sequence number just past our last data octet (where a FIN goes).
    fn data_end(&self) -> SeqNumber {
        self.buf_seq + self.send_buf.len() as u32
    }

    /// Sends again the octets from `seq` (a fast or SACK-driven
    /// retransmission), up to one SMSS and never into a SACKed range.
    pub(crate) fn retransmit(&mut self, now: Instant, seq: SeqNumber) -> Pending {
        let data_end = self.data_end();
        let end = self.unsacked_end(seq).min(data_end);
        let n = (end.distance_from(seq).max(0) as usize).min(self.payload_mss());
        let offset = seq.distance_from(self.buf_seq).max(0) as usize;
        let payload = Data::SendBuf { offset, len: n };
        let fin_sent = self.fin_queued && self.snd_max.distance_from(data_end) > 0;
        let mut flags = TcpFlags::ACK;
        let fin = fin_sent && seq + n as u32 == data_end;
        if fin {
            flags |= TcpFlags::FIN;
        }
        let t = self.segment_at(now, seq, flags, payload);
        let seg_end = seq + n as u32 + u32::from(fin);
        self.high_rxt = self.high_rxt.max(seg_end);
        self.rack_sent(now, seq, seg_end);
        self.prr_sent(seg_end.distance_from(seq).max(0) as u32);
        self.retransmits += 1;
        // Karn (RFC 6298 §3): a retransmitted segment gives no RTT sample.
        if self
            .rtt_sample
            .is_some_and(|(end, _)| end.distance_from(seq) > 0)
        {
            self.rtt_sample = None;
        }
        self.arm_rtx(now);
        t
    }

    fn data_or_ack(&mut self, now: Instant) -> Option<Pending> {
        let smss = self.snd_mss;
        // Fast retransmit (RFC 5681 §3.2 step 2) or an RFC 6582 partial-ACK retransmission.
        if self.fast_rtx {
            self.fast_rtx = false;
            if self.snd_nxt.distance_from(self.snd_una) > 0 {
                return Some(self.retransmit(now, self.snd_una));
            }
        }
        if self.rack.probe_due {
            if let Some(t) = self.tlp_probe(now) {
                return Some(t);
            }
        }
        let sack_recovery = self.in_recovery && self.sack_ok;
        let cwnd = self.cc.cwnd();
        // The congestion window's room: cwnd - pipe in SACK recovery (RFC
        // 6675 §5 step C), else what SND.UNA + cwnd leaves past SND.NXT.
        let cwnd_room = if sack_recovery {
            cwnd.saturating_sub(self.pipe()) as usize
        } else {
            // RFC 3042 limited transmit: the first two duplicate ACKs each
            // let one new segment out beyond cwnd, so a small window still
            // collects the three duplicates fast retransmit needs.
            let limited = if self.in_recovery {
                0
            } else {
                self.dupacks.min(2) * smss as u32
            };
            (self.snd_una + cwnd + limited)
                .distance_from(self.snd_nxt)
                .max(0) as usize
        };
        // After a timeout RACK still finds a lost retransmission (RFC 8985
        // §6.2): it goes again as the pipe allows.
        let rto_rack = !sack_recovery
            && self.rack_active()
            && self.rack.rto_end.is_some()
            && !self.frto.active();
        let rtx_room = if rto_rack {
            cwnd.saturating_sub(self.pipe()) as usize
        } else {
            cwnd_room
        };
        if (sack_recovery || rto_rack) && rtx_room >= smss {
            // RFC 6675 §4 NextSeg rule (1): a lost segment above HighRxt.
            if let Some(seq) = self.next_sack_retransmit(false) {
                return Some(self.retransmit(now, seq));
            }
        }
        if let Some(t) = self.new_data(now, cwnd_room) {
            return Some(t);
        }
        if sack_recovery && cwnd_room >= smss {
            // NextSeg rule (3): no new data could go; any unSACKed octet above HighRxt.
            if let Some(seq) = self.next_sack_retransmit(true) {
                return Some(self.retransmit(now, seq));
            }
        }
        if self.ack_pending || self.challenge_pending {
            // A pure ACK carries SND.MAX, not a SND.NXT that a timeout moved
            // back: the peer may already hold those octets, and an ACK whose
            // SEQ lies below its RCV.NXT fails the acceptability test
            // (RFC 9293 §3.10.7.4) and would never be heard.
            return Some(self.segment_at(now, self.snd_max, TcpFlags::ACK, Data::Fixed(&[])));
        }
        None
    }

    /// Data from SND.NXT (new, or again after a timeout) and the FIN.
    pub(crate) fn new_data(&mut self, now: Instant, cwnd_room: usize) -> Option<Pending> {
        let smss = self.payload_mss();
        let len = self.send_buf.len();
        let offset = self.snd_nxt.distance_from(self.buf_seq);
        if !(0..=len as i64).contains(&i64::from(offset)) {
            return None;
        }
        let offset = offset as usize;
        let avail = len - offset;
        let closing = matches!(
            self.state,
            State::FinWait1 | State::Closing | State::LastAck
        );
        // The receiver's window: SND.UNA..SND.UNA+SND.WND (RFC 9293 §3.8.6).
        let wnd_room = (self.snd_una + self.snd_wnd)
            .distance_from(self.snd_nxt)
            .max(0) as usize;
        let mut room = wnd_room.min(cwnd_room);
        let nothing_in_flight = self.snd_nxt == self.snd_una;
        if self.config.stop_and_wait {
            // Stop-and-wait: one segment in flight at a time.
            room = if nothing_in_flight { room.min(smss) } else { 0 };
        }
        let mut n = avail.min(smss).min(room);
        // A retransmission after a timeout (SND.NXT went back) always goes.
        let resend = self.snd_nxt.distance_from(self.snd_max) < 0;
        let unacked = self.snd_max != self.snd_una;
        let flush = closing && self.fin_queued;
        // RFC 9293 §3.7.4 (SHLD-7): Nagle holds a short segment while data
        // is unacknowledged (classic), or by default while an earlier short
        // segment is (Minshall's variant, as Linux); close() flushes.
        let short_unacked = self
            .short_end
            .is_some_and(|e| e.distance_from(self.snd_una) > 0);
        let held = if self.config.nagle_classic {
            unacked
        } else {
            short_unacked
        };
        let nagle_ok = !self.config.nagle || !held || flush;
        // RFC 9293 §3.8.6.2.1 (MUST-38): sender SWS avoidance; send a
        // full segment, or all queued data, or half the largest window seen.
        let sws_ok = n >= smss
            || (n == avail && nagle_ok)
            || (nagle_ok && self.max_snd_wnd > 0 && n >= (self.max_snd_wnd as usize).div_ceil(2));
        if n > 0 && !resend && !sws_ok {
            n = 0;
        }
        let probe = self.probe && avail > 0 && nothing_in_flight;
        if probe {
            // The persist timer fired: a zero-window probe of one octet
            // (RFC 9293 §3.8.6.1), or the SWS override sending what fits.
            n = avail.min(smss).min(wnd_room.max(1));
            self.probe = false;
        }
        if n == 0 && avail > 0 && self.snd_una == self.snd_max {
            // Data waits with nothing in flight: the persist timer runs.
            self.arm_rtx(now);
        }
        let fin = closing
            && self.fin_queued
            && offset + n == len
            && (n > 0 || !self.config.stop_and_wait || nothing_in_flight);
        if n == 0 && !fin {
            return None;
        }
        let payload = Data::SendBuf { offset, len: n };
        let mut flags = TcpFlags::ACK;
        if n > 0 && offset + n == len {
            flags |= TcpFlags::PSH;
        }
        if fin {
            flags |= TcpFlags::FIN;
        }
        let mut t = self.segment(now, flags, payload);
        // A probe beyond a zero window, not an SWS override into an open one.
        let window_probe = probe && wnd_room == 0;
        if !resend && !window_probe {
            // RFC 3168 §6.1.2: new data is ECT(0), the first after a
            // reduction carries CWR; a retransmission (§6.1.5) or a window
            // probe (§6.1.6) stays Not-ECT.
            self.ecn_mark_new_data(&mut t);
        }
        self.sent(now, n as u32 + u32::from(fin));
        if n > 0 && n < smss && !resend {
            self.short_end = Some(self.snd_nxt);
        }
        Some(t)
    }
}

/// The trace's view of a header.
pub(crate) fn summary(h: &SegmentRepr<'_>, len: usize) -> SegmentSummary {
    SegmentSummary {
        seq: h.seq_number,
        ack: h.ack_number,
        flags: h.flags,
        len: len as u32,
        window: h.window,
        sack_blocks: h.options.sack.len() as u8,
    }
}
