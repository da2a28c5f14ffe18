//! RFC 5681 window growth: slow start and congestion avoidance.

use handshake_time::{Duration, Instant};

use super::{half_flight, initial_window, CongestionControl};

/// RFC 5681 slow start and congestion avoidance, both counting acknowledged
/// bytes (RFC 3465), so cwnd doubles each round trip in slow start and grows
/// one SMSS per round trip in avoidance whatever the receiver's ACK pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reno {
    cwnd: u32,
    ssthresh: u32,
    /// Bytes acknowledged in congestion avoidance since cwnd last grew.
    bytes_acked: u32,
}

impl Reno {
    /// A window of `iw_segments` segments of `smss` bytes (RFC 6928: 10) and
    /// an "arbitrarily high" ssthresh (RFC 5681 §3.1).
    pub fn new(smss: u32, iw_segments: u32) -> Self {
        Reno {
            cwnd: initial_window(smss, iw_segments),
            ssthresh: u32::MAX,
            bytes_acked: 0,
        }
    }
}

/// The cap on cwnd: far beyond any window the peer can offer (2^30).
pub(super) const MAX_CWND: u32 = 1 << 31;

/// Slow start (RFC 5681 §3.1) by byte counting (RFC 3465 §2.1): cwnd grows
/// by every newly acknowledged byte, up to ssthresh. RFC 5681 caps the growth
/// per ACK at SMSS (RFC 3465: L = 2*SMSS); like Linux we don't, because
/// receivers aggregate ACKs (RFC 9293 MUST-58) and a stretch ACK for ten
/// segments must not cost a round trip of growth. ACK division cannot
/// inflate cwnd: only new bytes count.
pub(super) fn slow_start(cwnd: u32, ssthresh: u32, acked: u32) -> u32 {
    cwnd.saturating_add(acked)
        .min(ssthresh.max(cwnd))
        .min(MAX_CWND)
}

impl CongestionControl for Reno {
    fn cwnd(&self) -> u32 {
        self.cwnd
    }

    fn ssthresh(&self) -> u32 {
        self.ssthresh
    }

    fn on_ack(&mut self, _now: Instant, acked: u32, smss: u32, _rtt: Option<Duration>) {
        if self.cwnd < self.ssthresh {
            self.cwnd = slow_start(self.cwnd, self.ssthresh, acked);
            self.bytes_acked = 0;
        } else {
            // RFC 5681 §3.1: congestion avoidance by byte counting: one SMSS
            // per cwnd of acknowledged bytes, i.e. about one SMSS per RTT.
            self.bytes_acked = self.bytes_acked.saturating_add(acked);
            if self.bytes_acked >= self.cwnd {
                self.bytes_acked -= self.cwnd;
                self.cwnd = self.cwnd.saturating_add(smss).min(MAX_CWND);
            }
        }
    }

    fn on_congestion_event(&mut self, _now: Instant, flight_size: u32, smss: u32) {
        // RFC 5681 §3.2 step 2: ssthresh = max(FlightSize/2, 2*SMSS); step 3
        // (cwnd = ssthresh + 3*SMSS) is the connection's recovery procedure.
        self.ssthresh = half_flight(flight_size, smss);
        self.cwnd = self.ssthresh;
        self.bytes_acked = 0;
    }

    fn on_rto(&mut self, _now: Instant, flight_size: u32, smss: u32) {
        // RFC 5681 §3.1 eq. 4 and the loss window: cwnd = 1 full-sized segment.
        self.ssthresh = half_flight(flight_size, smss);
        self.cwnd = smss;
        self.bytes_acked = 0;
    }

    fn set_cwnd(&mut self, cwnd: u32) {
        self.cwnd = cwnd.clamp(1, MAX_CWND);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSS: u32 = 1000;

    #[test]
    fn slow_start_then_avoidance() {
        let mut r = Reno::new(MSS, 10);
        let t = Instant::ZERO;
        // One RTT of ACKs, each for one segment: cwnd doubles.
        for _ in 0..10 {
            r.on_ack(t, MSS, MSS, None);
        }
        assert_eq!(r.cwnd(), 20 * MSS);
        r.on_congestion_event(t, 20 * MSS, MSS);
        assert_eq!((r.ssthresh(), r.cwnd()), (10 * MSS, 10 * MSS));
        // Avoidance: a full window of ACKs adds one SMSS.
        for _ in 0..10 {
            r.on_ack(t, MSS, MSS, None);
        }
        assert_eq!(r.cwnd(), 11 * MSS);
    }

    #[test]
    fn rto_is_one_segment_and_floor_two() {
        let mut r = Reno::new(MSS, 10);
        r.on_rto(Instant::ZERO, 3 * MSS, MSS);
        assert_eq!(r.cwnd(), MSS);
        // max(FlightSize/2, 2*SMSS)
        assert_eq!(r.ssthresh(), 2 * MSS);
    }
}
