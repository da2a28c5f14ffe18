//! The infrastructure cache: what the resolver learnt about each server
//! address across lookups — its smoothed round-trip time and whether it
//! stopped answering — in the manner of unbound's infra cache
//! (`infra-host-ttl`, `infra-cache-numhosts`). Servers that timed out are
//! asked last, for a back-off that doubles with each timeout in a row, so a
//! dead server does not cost every lookup a timeout.

use alloc::collections::BTreeMap;

use core::net::IpAddr;
use core::time::Duration;

use handshake_time::Instant;

/// The RTT assumed for a server never measured (unbound's
/// `UNKNOWN_SERVER_NICENESS`, 376 ms).
pub const UNKNOWN_RTT: Duration = Duration::from_millis(376);

/// The first back-off after a timeout; each timeout in a row doubles it.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(10);

/// The longest back-off (unbound's `infra-host-ttl`, 900 s).
pub const MAX_BACKOFF: Duration = Duration::from_secs(900);

/// What is known about one server address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Host {
    /// Smoothed RTT (RFC 6298 §2: α = 1/8), None until measured.
    srtt: Option<Duration>,
    /// Timeouts in a row since the last answer.
    timeouts: u32,
    /// Asked last until then.
    backed_off_until: Option<Instant>,
    /// Last update, for eviction.
    updated: Instant,
}

/// The infrastructure cache, owned by the caller and lent to each
/// [`Iterative`](crate::Iterative) lookup (and its nested lookups) so that
/// what one lookup learns the next one uses. Bounded: at most `capacity`
/// addresses, the least recently updated evicted.
#[derive(Debug, Clone)]
pub struct Infra {
    hosts: BTreeMap<IpAddr, Host>,
    capacity: usize,
}

impl Default for Infra {
    /// Room for 1000 server addresses.
    fn default() -> Infra {
        Infra::new(1000)
    }
}

impl Infra {
    /// An empty cache for at most `capacity` addresses.
    pub fn new(capacity: usize) -> Infra {
        Infra {
            hosts: BTreeMap::new(),
            capacity,
        }
    }

    /// Addresses known.
    pub fn len(&self) -> usize {
        self.hosts.len()
    }

    /// True when nothing is known.
    pub fn is_empty(&self) -> bool {
        self.hosts.is_empty()
    }

    /// The smoothed RTT of `addr`, if measured.
    pub fn rtt(&self, addr: IpAddr) -> Option<Duration> {
        self.hosts.get(&addr).and_then(|h| h.srtt)
    }

    /// Timeouts in a row from `addr` since its last answer.
    pub fn timeouts(&self, addr: IpAddr) -> u32 {
        self.hosts.get(&addr).map_or(0, |h| h.timeouts)
    }

    /// True while `addr` is in back-off at `now`: asked only after every
    /// other server of its zone.
    pub fn is_backed_off(&self, now: Instant, addr: IpAddr) -> bool {
        self.hosts
            .get(&addr)
            .and_then(|h| h.backed_off_until)
            .is_some_and(|until| now < until)
    }

    /// The order in which to ask: servers not in back-off first, then by
    /// smoothed RTT, unmeasured ones at 376 ms (`UNKNOWN_RTT`).
    pub fn preference(&self, now: Instant, addr: IpAddr) -> (bool, Duration) {
        (
            self.is_backed_off(now, addr),
            self.rtt(addr).unwrap_or(UNKNOWN_RTT),
        )
    }

    /// `addr` answered after `rtt`: fold it into the smoothed RTT and end
    /// any back-off.
    pub fn record_rtt(&mut self, now: Instant, addr: IpAddr, rtt: Duration) {
        let h = self.entry(now, addr);
        h.srtt = Some(match h.srtt {
            // RFC 6298 §2.3: SRTT <- 7/8 SRTT + 1/8 R'.
            Some(s) => s.saturating_mul(7).saturating_add(rtt) / 8,
            None => rtt,
        });
        h.timeouts = 0;
        h.backed_off_until = None;
    }

    /// `addr` answered (its RTT unknown: the caller gives no clock): end
    /// any back-off.
    pub fn record_answer(&mut self, now: Instant, addr: IpAddr) {
        let h = self.entry(now, addr);
        h.timeouts = 0;
        h.backed_off_until = None;
    }

    /// `addr` did not answer in time: back off for 10 s (`FIRST_BACKOFF`),
    /// doubled for each timeout in a row, at most 900 s (`MAX_BACKOFF`).
    pub fn record_timeout(&mut self, now: Instant, addr: IpAddr) {
        let h = self.entry(now, addr);
        h.timeouts = h.timeouts.saturating_add(1);
        let doublings = h.timeouts.saturating_sub(1).min(16);
        let backoff = FIRST_BACKOFF
            .saturating_mul(1 << doublings)
            .min(MAX_BACKOFF);
        h.backed_off_until = Some(now + backoff);
    }

    /// Folds in what another copy learnt (a lookup that ran concurrently
    /// with a clone of this cache): per address, the more recently updated
    /// entry wins; the capacity bound holds.
    pub fn merge(&mut self, other: Infra) {
        for (addr, host) in other.hosts {
            if self
                .hosts
                .get(&addr)
                .is_some_and(|h| h.updated > host.updated)
            {
                continue;
            }
            *self.entry(host.updated, addr) = host;
        }
    }

    fn entry(&mut self, now: Instant, addr: IpAddr) -> &mut Host {
        if !self.hosts.contains_key(&addr) && self.hosts.len() >= self.capacity.max(1) {
            let oldest = self
                .hosts
                .iter()
                .min_by_key(|(_, h)| h.updated)
                .map(|(a, _)| *a);
            if let Some(a) = oldest {
                self.hosts.remove(&a);
            }
        }
        let h = self.hosts.entry(addr).or_insert(Host {
            srtt: None,
            timeouts: 0,
            backed_off_until: None,
            updated: now,
        });
        h.updated = now;
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_back_off_and_an_answer_ends_it() {
        let a: IpAddr = [192, 0, 2, 1].into();
        let mut infra = Infra::default();
        let t0 = Instant::ZERO;
        infra.record_timeout(t0, a);
        assert!(infra.is_backed_off(t0 + Duration::from_secs(9), a));
        assert!(!infra.is_backed_off(t0 + Duration::from_secs(10), a));
        infra.record_timeout(t0, a);
        assert!(infra.is_backed_off(t0 + Duration::from_secs(19), a));
        for _ in 0..40 {
            infra.record_timeout(t0, a);
        }
        assert!(!infra.is_backed_off(t0 + MAX_BACKOFF, a));
        infra.record_rtt(t0, a, Duration::from_millis(80));
        assert!(!infra.is_backed_off(t0, a));
        infra.record_rtt(t0, a, Duration::from_millis(160));
        // 7/8 * 80 + 1/8 * 160 = 90.
        assert_eq!(infra.rtt(a), Some(Duration::from_millis(90)));
    }

    #[test]
    fn merge_keeps_the_newer_entry() {
        let (a, b): (IpAddr, IpAddr) = ([192, 0, 2, 1].into(), [192, 0, 2, 2].into());
        let t = |s| Instant::ZERO + Duration::from_secs(s);
        let mut mine = Infra::default();
        mine.record_timeout(t(5), a);
        let mut theirs = Infra::default();
        theirs.record_rtt(t(1), a, Duration::from_millis(10)); // older: loses
        theirs.record_rtt(t(2), b, Duration::from_millis(20)); // new address: kept
        mine.merge(theirs);
        assert_eq!((mine.timeouts(a), mine.rtt(a)), (1, None));
        assert_eq!(mine.rtt(b), Some(Duration::from_millis(20)));
    }

    #[test]
    fn bounded_by_capacity() {
        let mut infra = Infra::new(3);
        for i in 0..10u8 {
            infra.record_timeout(Instant::from_nanos(u64::from(i)), [192, 0, 2, i].into());
        }
        assert_eq!(infra.len(), 3);
        assert_eq!(infra.timeouts([192, 0, 2, 9].into()), 1);
        assert_eq!(infra.timeouts([192, 0, 2, 0].into()), 0);
    }
}
