//! CUBIC (RFC 9438): a window that grows as a cubic function of the time
//! since the last congestion event, concave up to the window where loss last
//! struck (W_max) and convex beyond it.

use handshake_time::{Duration, Instant};

use super::reno::{slow_start, MAX_CWND};
use super::{initial_window, CongestionControl};

/// RFC 9438 §5: C = 0.4 (segments per second cubed).
const C: f64 = 0.4;
/// RFC 9438 §4.6: multiplicative decrease factor.
const BETA: f64 = 0.7;
/// RFC 9438 §4.3: alpha_cubic = 3 (1 - beta) / (1 + beta), Reno-friendly growth.
const ALPHA: f64 = 3.0 * (1.0 - BETA) / (1.0 + BETA);

/// CUBIC congestion control (RFC 9438) with fast convergence and the
/// Reno-friendly region; slow start as RFC 5681 with RFC 3465 L = 2*SMSS.
/// Windows are tracked in bytes; the cubic function runs in segments and
/// seconds as the RFC writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Cubic {
    /// cwnd in bytes, with the fractional growth CUBIC accumulates per ACK.
    cwnd: f64,
    ssthresh: u32,
    /// W_max, segments: the window just before the last reduction (§4.6-4.7).
    w_max: f64,
    /// cwnd before the last reduction, segments (§4.3).
    cwnd_prior: f64,
    /// Start of the current congestion-avoidance stage and cwnd then (§4.2).
    epoch: Option<Instant>,
    /// K, seconds (§4.2 eq. 2).
    k: f64,
    /// W_est, segments: the Reno-friendly estimate (§4.3).
    w_est: f64,
    /// The latest round-trip sample (§4.2 uses W_cubic(t + RTT)).
    rtt: Duration,
}

/// Cube root by Newton's method (no libm in `no_std`): converges to full
/// f64 precision in a handful of steps from the exponent-based first guess.
fn cbrt(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let (sign, a) = if x < 0.0 { (-1.0, -x) } else { (1.0, x) };
    // Divide the biased exponent by three for a first guess within 2x.
    let mut y = f64::from_bits(a.to_bits() / 3 + (0x3ff_u64 << 52) / 3 * 2);
    for _ in 0..40 {
        let next = y - (y * y * y - a) / (3.0 * y * y);
        if (next - y).abs() <= y * 1e-15 {
            y = next;
            break;
        }
        y = next;
    }
    sign * y
}

impl Cubic {
    /// A window of `iw_segments` segments (RFC 6928: 10), no loss yet.
    pub fn new(smss: u32, iw_segments: u32) -> Self {
        Cubic {
            cwnd: f64::from(initial_window(smss, iw_segments)),
            ssthresh: u32::MAX,
            w_max: 0.0,
            cwnd_prior: 0.0,
            epoch: None,
            k: 0.0,
            w_est: 0.0,
            rtt: Duration::from_millis(100),
        }
    }

    /// W_max, in segments (RFC 9438 §4.2).
    pub fn w_max(&self) -> f64 {
        self.w_max
    }

    /// K, in seconds: when the cubic function reaches W_max again (§4.2 eq. 2).
    pub fn k(&self) -> f64 {
        self.k
    }

    /// W_cubic(t) = C (t - K)^3 + W_max, segments (RFC 9438 §4.2 eq. 1).
    pub fn w_cubic(&self, t: f64) -> f64 {
        let d = t - self.k;
        C * d * d * d + self.w_max
    }

    /// The reduction shared by a congestion event and an RTO (RFC 9438 §4.6-4.7).
    fn reduce(&mut self, flight_size: u32, smss: u32) {
        let mss = f64::from(smss);
        let cwnd = self.cwnd / mss;
        self.cwnd_prior = cwnd;
        // §4.7 fast convergence: a window that fell short of the last W_max
        // releases bandwidth to newer flows.
        self.w_max = if cwnd < self.w_max {
            cwnd * (1.0 + BETA) / 2.0
        } else {
            cwnd
        };
        // §4.6: ssthresh = flight_size * beta_cubic, at least 2 segments.
        let ss = (f64::from(flight_size) * BETA).max(2.0 * mss);
        self.ssthresh = ss as u32;
        self.epoch = None;
    }
}

impl CongestionControl for Cubic {
    fn cwnd(&self) -> u32 {
        self.cwnd as u32
    }

    fn ssthresh(&self) -> u32 {
        self.ssthresh
    }

    fn on_ack(&mut self, now: Instant, acked: u32, smss: u32, rtt: Option<Duration>) {
        if let Some(r) = rtt {
            self.rtt = r;
        }
        let mss = f64::from(smss);
        if (self.cwnd as u32) < self.ssthresh {
            // Slow start (RFC 9438 §4.10 defers to RFC 5681).
            self.cwnd = f64::from(slow_start(self.cwnd as u32, self.ssthresh, acked));
            return;
        }
        let cwnd = self.cwnd / mss;
        let start = match self.epoch {
            Some(start) => start,
            None => {
                // A new congestion-avoidance stage. §4.2 eq. 2:
                // K = cbrt((W_max - cwnd_epoch) / C); §4.3: W_est = cwnd_epoch.
                self.k = cbrt(((self.w_max - cwnd) / C).max(0.0));
                if self.w_max < cwnd {
                    // No loss yet, or the window already passed W_max: the
                    // curve starts here, on its convex side.
                    self.w_max = cwnd;
                }
                self.w_est = cwnd;
                self.epoch = Some(now);
                now
            }
        };
        let t = (now - start).as_secs_f64();
        let segs_acked = f64::from(acked) / mss;
        // §4.3: W_est grows by alpha_cubic per window of ACKed segments; 1 once past cwnd_prior.
        let alpha = if self.w_est >= self.cwnd_prior {
            1.0
        } else {
            ALPHA
        };
        self.w_est += alpha * segs_acked / cwnd;
        if self.w_cubic(t) < self.w_est {
            // §4.3: the Reno-friendly region.
            self.cwnd = self.cwnd.max(self.w_est * mss);
        } else {
            // §4.4-4.5: move toward W_cubic(t + RTT), clamped to [cwnd, 1.5 cwnd].
            let target = self
                .w_cubic(t + self.rtt.as_secs_f64())
                .clamp(cwnd, 1.5 * cwnd);
            self.cwnd += (target - cwnd) / cwnd * segs_acked * mss;
        }
        self.cwnd = self.cwnd.min(f64::from(MAX_CWND));
    }

    fn on_congestion_event(&mut self, _now: Instant, flight_size: u32, smss: u32) {
        self.reduce(flight_size, smss);
        // §4.6: cwnd = max(ssthresh, 2 segments).
        self.cwnd = f64::from(self.ssthresh.max(2 * smss));
    }

    fn on_rto(&mut self, _now: Instant, flight_size: u32, smss: u32) {
        // §4.8: ssthresh from beta_cubic; cwnd to the loss window as Reno does.
        self.reduce(flight_size, smss);
        self.cwnd = f64::from(smss);
    }

    fn set_cwnd(&mut self, cwnd: u32) {
        self.cwnd = f64::from(cwnd.clamp(1, MAX_CWND));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cube_root() {
        for x in [1.0, 8.0, 27.0, 0.001, 1e9, -64.0, 2.0] {
            let y = cbrt(x);
            assert!((y * y * y - x).abs() <= x.abs() * 1e-12, "{x} -> {y}");
        }
    }

    #[test]
    fn reduction_and_k() {
        let mss = 1000;
        let mut c = Cubic::new(mss, 10);
        c.set_cwnd(100 * mss);
        c.on_congestion_event(Instant::ZERO, 100 * mss, mss);
        // ssthresh = 0.7 * flight, cwnd = ssthresh.
        assert_eq!(c.ssthresh(), 70 * mss);
        assert_eq!(c.cwnd(), 70 * mss);
        assert!((c.w_max() - 100.0).abs() < 1e-9);
        // The first avoidance ACK starts the epoch: K = cbrt(30 / 0.4) = 4.217 s.
        c.on_ack(Instant::ZERO, mss, mss, Some(Duration::from_millis(10)));
        assert!((c.k() - cbrt(75.0)).abs() < 1e-9, "{}", c.k());
        // A second loss below W_max triggers fast convergence.
        c.on_congestion_event(Instant::ZERO, c.cwnd(), mss);
        assert!(c.w_max() < 70.1 * 0.85 + 0.01);
    }

    #[test]
    fn grows_back_to_w_max_around_k() {
        let mss = 1000u32;
        let mut c = Cubic::new(mss, 10);
        c.set_cwnd(100 * mss);
        c.on_congestion_event(Instant::ZERO, 100 * mss, mss);
        let rtt = Duration::from_millis(100);
        let mut now = Instant::ZERO;
        // ACK a window's worth of segments per RTT for K seconds.
        let k = cbrt(30.0 / 0.4);
        while now.as_nanos() < (k * 1e9) as u64 {
            let segs = c.cwnd() / mss;
            for _ in 0..segs {
                c.on_ack(now, mss, mss, Some(rtt));
            }
            now += rtt;
        }
        let w = f64::from(c.cwnd()) / f64::from(mss);
        assert!((w - 100.0).abs() < 5.0, "cwnd {w} segments at K");
    }
}
