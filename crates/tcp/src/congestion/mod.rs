//! Congestion control: the window a sender may have in flight beyond what the
//! receiver allows (RFC 5681), behind one trait with three algorithms.
//!
//! - [`Reno`]: RFC 5681 slow start and congestion avoidance. The connection
//!   pairs it with RFC 5681 fast recovery ([`Algorithm::Reno`]) or RFC 6582
//!   NewReno recovery ([`Algorithm::NewReno`]).
//! - [`Cubic`]: RFC 9438, the default as in Linux.
//!
//! The algorithm only does window arithmetic. Loss *detection* (duplicate
//! ACKs, SACK scoreboard, RTO) and the recovery procedure live in the
//! connection, which calls [`CongestionControl::on_congestion_event`] once per
//! loss episode and [`CongestionControl::on_rto`] on a retransmission timeout.
//!
//! ```
//! use handshake_tcp::congestion::{CongestionControl, Reno};
//! use handshake_time::Instant;
//! let mss = 1000;
//! let mut cc = Reno::new(mss, 10);
//! assert_eq!(cc.cwnd(), 10_000); // RFC 6928 initial window
//! // Slow start: cwnd grows by the bytes acknowledged (RFC 3465).
//! cc.on_ack(Instant::ZERO, 2_000, mss, None);
//! assert_eq!(cc.cwnd(), 12_000);
//! // Loss: ssthresh = max(FlightSize/2, 2*SMSS) (RFC 5681 §3.1, eq. 4).
//! cc.on_congestion_event(Instant::ZERO, 12_000, mss);
//! assert_eq!(cc.ssthresh(), 6_000);
//! ```

mod cubic;
mod reno;

use handshake_time::{Duration, Instant};

pub use cubic::Cubic;
pub use reno::Reno;

/// The window arithmetic of a congestion-control algorithm.
///
/// Byte quantities are `u32`: a window never exceeds 2^30 (RFC 7323 §2.3).
pub trait CongestionControl {
    /// The congestion window, bytes.
    fn cwnd(&self) -> u32;

    /// The slow-start threshold, bytes.
    fn ssthresh(&self) -> u32;

    /// `acked` bytes of new data were acknowledged outside loss recovery;
    /// `rtt` is a fresh round-trip sample if the ACK gave one.
    fn on_ack(&mut self, now: Instant, acked: u32, smss: u32, rtt: Option<Duration>);

    /// A loss was detected by duplicate ACKs or SACK: reduce ssthresh and
    /// cwnd for fast recovery. Called once per loss episode.
    fn on_congestion_event(&mut self, now: Instant, flight_size: u32, smss: u32);

    /// The retransmission timer fired: reduce ssthresh; cwnd becomes the loss
    /// window, one segment (RFC 5681 §3.1).
    fn on_rto(&mut self, now: Instant, flight_size: u32, smss: u32);

    /// Sets cwnd directly: the connection's fast-recovery procedure inflates
    /// and deflates it (RFC 5681 §3.2, RFC 6582 §3.2).
    fn set_cwnd(&mut self, cwnd: u32);
}

/// Which congestion control a connection runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Algorithm {
    /// RFC 5681: slow start, congestion avoidance, fast retransmit, fast
    /// recovery that ends at the first new ACK.
    Reno,
    /// RFC 6582: Reno with recovery that stays until all data outstanding at
    /// the loss is acknowledged, retransmitting at each partial ACK.
    NewReno,
    /// RFC 9438 (NewReno-style recovery, CUBIC window growth); the default.
    #[default]
    Cubic,
}

/// The controller a connection holds: one of the built-in algorithms.
#[derive(Debug, Clone)]
pub(crate) enum Controller {
    Reno(Reno),
    Cubic(Cubic),
}

impl Controller {
    pub(crate) fn new(algorithm: Algorithm, smss: u32, initial_window: u32) -> Self {
        match algorithm {
            Algorithm::Reno | Algorithm::NewReno => {
                Controller::Reno(Reno::new(smss, initial_window))
            }
            Algorithm::Cubic => Controller::Cubic(Cubic::new(smss, initial_window)),
        }
    }

    fn inner(&self) -> &dyn CongestionControl {
        match self {
            Controller::Reno(r) => r,
            Controller::Cubic(c) => c,
        }
    }

    fn inner_mut(&mut self) -> &mut dyn CongestionControl {
        match self {
            Controller::Reno(r) => r,
            Controller::Cubic(c) => c,
        }
    }
}

impl CongestionControl for Controller {
    fn cwnd(&self) -> u32 {
        self.inner().cwnd()
    }
    fn ssthresh(&self) -> u32 {
        self.inner().ssthresh()
    }
    fn on_ack(&mut self, now: Instant, acked: u32, smss: u32, rtt: Option<Duration>) {
        self.inner_mut().on_ack(now, acked, smss, rtt)
    }
    fn on_congestion_event(&mut self, now: Instant, flight_size: u32, smss: u32) {
        self.inner_mut().on_congestion_event(now, flight_size, smss)
    }
    fn on_rto(&mut self, now: Instant, flight_size: u32, smss: u32) {
        self.inner_mut().on_rto(now, flight_size, smss)
    }
    fn set_cwnd(&mut self, cwnd: u32) {
        self.inner_mut().set_cwnd(cwnd)
    }
}

/// The initial window: RFC 6928 allows min(10*MSS, max(2*MSS, 14600)); with
/// `segments` other than 10 the caller's choice stands (RFC 5681 §3.1 is 2-4).
pub(crate) fn initial_window(smss: u32, segments: u32) -> u32 {
    let iw = segments.max(1).saturating_mul(smss);
    if segments == 10 {
        // RFC 6928 §2: min (10*MSS, max (2*MSS, 14600)).
        iw.min((2 * smss).max(14_600))
    } else {
        iw
    }
}

/// RFC 5681 §3.1 eq. 4: ssthresh = max(FlightSize / 2, 2*SMSS).
pub(crate) fn half_flight(flight_size: u32, smss: u32) -> u32 {
    (flight_size / 2).max(2 * smss)
}
