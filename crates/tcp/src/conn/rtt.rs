//! The retransmission timer's estimator (RFC 6298).

use handshake_time::Duration;

use super::Config;

/// Clock granularity G of RFC 6298 §2: our clock is nanoseconds, but 1 ms
/// keeps RTO from collapsing onto SRTT on a jitter-free link.
const GRANULARITY: Duration = Duration::from_millis(1);

/// SRTT, RTTVAR and RTO as RFC 6298 §2 computes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RttEstimator {
    pub(crate) srtt: Option<Duration>,
    pub(crate) rttvar: Duration,
    /// The RTO from the estimate, before backoff.
    base_rto: Duration,
    /// The RTO in force, after backoff.
    pub(crate) rto: Duration,
    min_rto: Duration,
    max_rto: Duration,
}

impl RttEstimator {
    pub(crate) fn new(config: &Config) -> Self {
        // RFC 6298 §2.1: until a measurement, RTO <- 1 s (configurable).
        let rto = config
            .initial_rto
            .clamp(config.min_rto, config.max_rto.max(config.min_rto));
        RttEstimator {
            srtt: None,
            rttvar: Duration::ZERO,
            base_rto: rto,
            rto,
            min_rto: config.min_rto,
            max_rto: config.max_rto.max(config.min_rto),
        }
    }

    /// Takes one RTT measurement R (RFC 6298 §2.2, §2.3).
    pub(crate) fn sample(&mut self, r: Duration) {
        match self.srtt {
            None => {
                // §2.2: SRTT <- R, RTTVAR <- R/2.
                self.srtt = Some(r);
                self.rttvar = r / 2;
            }
            Some(srtt) => {
                // §2.3: RTTVAR <- 3/4 RTTVAR + 1/4 |SRTT - R'|, then SRTT <- 7/8 SRTT + 1/8 R'.
                let delta = srtt.abs_diff(r);
                self.rttvar = self.rttvar * 3 / 4 + delta / 4;
                self.srtt = Some(srtt * 7 / 8 + r / 8);
            }
        }
        let srtt = self.srtt.unwrap_or(r);
        // §2.2/§2.3: RTO <- SRTT + max(G, K*RTTVAR), K = 4; §2.4 min; §2.5 max.
        let rto = srtt.saturating_add(GRANULARITY.max(self.rttvar.saturating_mul(4)));
        self.base_rto = rto.clamp(self.min_rto, self.max_rto);
        // A new measurement ends any backoff (RFC 6298 §5, after 5.7).
        self.rto = self.base_rto;
    }

    /// RFC 6298 §5.5: RTO <- RTO * 2, bounded by the maximum (§2.5).
    pub(crate) fn backoff(&mut self) {
        self.rto = self.rto.saturating_mul(2).min(self.max_rto);
    }

    /// RFC 6298 §5.7: after a lost SYN the RTO must be 3 s when data transmission begins.
    pub(crate) fn at_least_three_seconds(&mut self) {
        // "Re-initialized": the backoff from the lost SYN ends too.
        let three = Duration::from_secs(3).min(self.max_rto);
        self.base_rto = self.base_rto.max(three);
        self.rto = self.base_rto;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sample_and_smoothing() {
        let c = Config::default().min_rto(Duration::from_millis(1));
        let mut e = RttEstimator::new(&c);
        assert_eq!(e.rto, Duration::from_secs(1));
        e.sample(Duration::from_millis(100));
        assert_eq!(e.srtt, Some(Duration::from_millis(100)));
        assert_eq!(e.rttvar, Duration::from_millis(50));
        assert_eq!(e.rto, Duration::from_millis(300));
        e.sample(Duration::from_millis(200));
        // RTTVAR = 3/4*50 + 1/4*100 = 62.5; SRTT = 87.5 + 25 = 112.5
        assert_eq!(e.rttvar, Duration::from_micros(62_500));
        assert_eq!(e.srtt, Some(Duration::from_micros(112_500)));
        assert_eq!(e.rto, Duration::from_micros(362_500));
    }

    #[test]
    fn min_and_backoff_cap() {
        let mut e = RttEstimator::new(&Config::default());
        e.sample(Duration::from_millis(10));
        assert_eq!(e.rto, Duration::from_secs(1));
        for _ in 0..10 {
            e.backoff();
        }
        assert_eq!(e.rto, Duration::from_secs(60));
    }
}
