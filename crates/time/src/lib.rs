//! The clock type of Handshake's sans-IO state machines.
//!
//! Protocol crates never read a clock: the caller passes the current
//! [`Instant`] into every `handle_*` and `poll_*` call. An `Instant` is
//! nanoseconds from an origin the caller picks, so a simulation can start at
//! zero and run hours of protocol time in milliseconds, while an adapter maps
//! `std::time::Instant` onto it.
//!
//! ```
//! use handshake_time::{Duration, Instant};
//! let t0 = Instant::ZERO;
//! let t1 = t0 + Duration::from_millis(1500);
//! assert_eq!(t1 - t0, Duration::from_millis(1500));
//! assert_eq!(t0.saturating_duration_since(t1), Duration::ZERO);
//! assert_eq!(t1.as_nanos(), 1_500_000_000);
//! ```
#![no_std]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(test)]
extern crate std;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

use core::fmt;
use core::ops::{Add, AddAssign, Sub};

pub use core::time::Duration;

/// A point in time: nanoseconds since an origin chosen by the caller.
///
/// About 584 years fit before it saturates; arithmetic saturates instead of
/// wrapping, so a hostile or far-future timer value cannot make time run
/// backwards.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(u64);

impl Instant {
    /// The origin.
    pub const ZERO: Instant = Instant(0);
    /// The latest representable instant: "never", for timers that are off.
    pub const MAX: Instant = Instant(u64::MAX);

    /// The instant `nanos` nanoseconds after the origin.
    pub const fn from_nanos(nanos: u64) -> Instant {
        Instant(nanos)
    }

    /// Nanoseconds since the origin.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Time from `earlier` to `self`, zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }

    /// `self + d`, or `None` past [`Instant::MAX`].
    pub fn checked_add(self, d: Duration) -> Option<Instant> {
        let n = u64::try_from(d.as_nanos()).ok()?;
        self.0.checked_add(n).map(Instant)
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// Saturates at [`Instant::MAX`].
    fn add(self, d: Duration) -> Instant {
        self.checked_add(d).unwrap_or(Instant::MAX)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

impl Sub for Instant {
    type Output = Duration;

    /// Saturates at zero, like [`Instant::saturating_duration_since`].
    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{:09}s",
            self.0 / 1_000_000_000,
            self.0 % 1_000_000_000
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(Instant::MAX + Duration::from_secs(1), Instant::MAX);
        assert_eq!(
            Instant::from_nanos(5) - Instant::from_nanos(9),
            Duration::ZERO
        );
        assert_eq!(Instant::ZERO.checked_add(Duration::MAX), None);
        let mut t = Instant::from_nanos(1);
        t += Duration::from_nanos(2);
        assert_eq!(t, Instant::from_nanos(3));
        assert_eq!(
            std::format!("{:?}", Instant::from_nanos(1_000_000_001)),
            "1.000000001s"
        );
    }
}
