//! Sequence numbers: 32-bit, compared modulo 2^32 (RFC 9293 §3.4).

use core::cmp::Ordering;
use core::fmt;
use core::ops::{Add, AddAssign, Sub, SubAssign};

/// A TCP sequence number.
///
/// RFC 9293 §3.4: "all arithmetic dealing with sequence numbers must be
/// performed modulo 2^32". Comparison is by the signed 32-bit difference, so
/// `a < b` means `b` is less than 2^31 ahead of `a`. The order is partial:
/// numbers exactly 2^31 apart are incomparable (`partial_cmp` gives `None`).
///
/// ```
/// use handshake_tcp::wire::SeqNumber;
/// let a = SeqNumber(u32::MAX - 1);
/// let b = a + 10; // wraps
/// assert_eq!(b, SeqNumber(8));
/// assert!(a < b);
/// assert_eq!(b - a, 10);
/// assert!(SeqNumber(5).in_window(a, 20));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SeqNumber(pub u32);

impl SeqNumber {
    /// The signed distance from `other` to `self` (`self - other` modulo 2^32,
    /// read as an i32).
    pub fn distance_from(self, other: SeqNumber) -> i32 {
        self.0.wrapping_sub(other.0) as i32
    }

    /// True when `self` lies in `[start, start + len)` modulo 2^32 (the
    /// acceptability tests of RFC 9293 §3.4 are built from this).
    pub fn in_window(self, start: SeqNumber, len: u32) -> bool {
        self.0.wrapping_sub(start.0) < len
    }

    /// The later of two numbers (by modular comparison; `self` if incomparable).
    pub fn max(self, other: SeqNumber) -> SeqNumber {
        if other.distance_from(self) > 0 {
            other
        } else {
            self
        }
    }

    /// The earlier of two numbers (by modular comparison; `self` if incomparable).
    pub fn min(self, other: SeqNumber) -> SeqNumber {
        if other.distance_from(self) < 0 {
            other
        } else {
            self
        }
    }
}

impl PartialOrd for SeqNumber {
    fn partial_cmp(&self, other: &SeqNumber) -> Option<Ordering> {
        match self.distance_from(*other) {
            0 => Some(Ordering::Equal),
            i32::MIN => None,
            d if d < 0 => Some(Ordering::Less),
            _ => Some(Ordering::Greater),
        }
    }
}

impl Add<u32> for SeqNumber {
    type Output = SeqNumber;
    fn add(self, rhs: u32) -> SeqNumber {
        SeqNumber(self.0.wrapping_add(rhs))
    }
}

impl AddAssign<u32> for SeqNumber {
    fn add_assign(&mut self, rhs: u32) {
        self.0 = self.0.wrapping_add(rhs);
    }
}

impl Sub<u32> for SeqNumber {
    type Output = SeqNumber;
    fn sub(self, rhs: u32) -> SeqNumber {
        SeqNumber(self.0.wrapping_sub(rhs))
    }
}

impl SubAssign<u32> for SeqNumber {
    fn sub_assign(&mut self, rhs: u32) {
        self.0 = self.0.wrapping_sub(rhs);
    }
}

/// `a - b`: the signed modular distance, as [`SeqNumber::distance_from`].
impl Sub<SeqNumber> for SeqNumber {
    type Output = i32;
    fn sub(self, rhs: SeqNumber) -> i32 {
        self.distance_from(rhs)
    }
}

impl From<u32> for SeqNumber {
    fn from(v: u32) -> Self {
        SeqNumber(v)
    }
}

impl From<SeqNumber> for u32 {
    fn from(s: SeqNumber) -> u32 {
        s.0
    }
}

impl fmt::Debug for SeqNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SeqNumber({})", self.0)
    }
}

impl fmt::Display for SeqNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wraps_and_compares() {
        let a = SeqNumber(0xffff_fff0);
        let b = a + 0x20;
        assert_eq!(b.0, 0x10);
        assert!(a < b);
        assert_eq!(b.partial_cmp(&a), Some(Ordering::Greater));
        assert_eq!(b - a, 0x20);
        assert_eq!(a - b, -0x20);
        assert_eq!(SeqNumber(0).partial_cmp(&SeqNumber(0x8000_0000)), None);
        assert_eq!(a.max(b), b);
        assert_eq!(a.min(b), a);
        assert!(!b.in_window(a, 0x20));
        assert!((b - 1).in_window(a, 0x20));
    }

    proptest! {
        #[test]
        fn add_then_distance(x in any::<u32>(), n in 1u32..0x8000_0000) {
            let a = SeqNumber(x);
            let b = a + n;
            prop_assert!(a < b);
            prop_assert_eq!(b - a, n as i32);
            prop_assert!(a.in_window(a, n) && !b.in_window(a, n));
        }
    }
}
