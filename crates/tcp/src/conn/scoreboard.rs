//! The sender's SACK scoreboard (RFC 6675 §3-4): which octets above SND.UNA
//! the receiver reported holding, and the questions loss recovery asks of it.

use alloc::vec::Vec;

use crate::wire::SeqNumber;

/// RFC 6675 §2: DupThresh, the duplicate ACKs (or SACKed segments) that
/// signal a loss; 3 as in RFC 5681.
pub(crate) const DUP_THRESH: u32 = 3;

/// At most this many disjoint SACKed ranges are remembered; beyond it the
/// oldest (lowest) is forgotten, which only makes recovery more conservative
/// (RFC 2018 §8: SACK information is advisory).
const MAX_RANGES: usize = 64;

/// Disjoint, sorted SACKed ranges `[left, right)` inside `(SND.UNA, SND.MAX]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scoreboard {
    ranges: Vec<(SeqNumber, SeqNumber)>,
}

/// A gap between SND.UNA (or a SACKed range) and the next SACKed range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hole {
    pub(crate) start: SeqNumber,
    pub(crate) end: SeqNumber,
    /// RFC 6675 §4 IsLost: DupThresh discontiguous SACKed ranges, or more
    /// than (DupThresh - 1) * SMSS SACKed octets, lie above it.
    pub(crate) lost: bool,
}

impl Scoreboard {
    pub(crate) fn clear(&mut self) {
        self.ranges.clear();
    }

    /// Octets SACKed.
    pub(crate) fn sacked_bytes(&self) -> u32 {
        self.ranges
            .iter()
            .map(|(l, r)| r.distance_from(*l) as u32)
            .sum()
    }

    /// Records one SACK block; blocks outside `(snd_una, snd_max]` are
    /// ignored (RFC 2883 D-SACKs and forgeries). Returns the octets it newly SACKed.
    pub(crate) fn add(
        &mut self,
        snd_una: SeqNumber,
        snd_max: SeqNumber,
        left: SeqNumber,
        right: SeqNumber,
    ) -> u32 {
        let left = left.max(snd_una);
        let right = right.min(snd_max);
        if right.distance_from(left) <= 0 || left.distance_from(snd_una) < 0 {
            return 0;
        }
        let before = self.sacked_bytes();
        let (mut l, mut r) = (left, right);
        // Merge every range that overlaps or touches [l, r).
        self.ranges.retain(|&(a, b)| {
            if b.distance_from(l) < 0 || a.distance_from(r) > 0 {
                true
            } else {
                l = l.min(a);
                r = r.max(b);
                false
            }
        });
        let at = self
            .ranges
            .iter()
            .position(|(a, _)| a.distance_from(l) > 0)
            .unwrap_or(self.ranges.len());
        self.ranges.insert(at, (l, r));
        if self.ranges.len() > MAX_RANGES {
            self.ranges.remove(0);
        }
        self.sacked_bytes().saturating_sub(before)
    }

    /// Whether one SACKed range holds all of `[left, right)`.
    #[cfg(test)]
    pub(crate) fn covers(&self, left: SeqNumber, right: SeqNumber) -> bool {
        self.ranges
            .iter()
            .any(|(a, b)| a.distance_from(left) <= 0 && b.distance_from(right) >= 0)
    }

    /// The SACKed ranges `[left, right)`, disjoint and in sequence order.
    pub(crate) fn ranges(&self) -> &[(SeqNumber, SeqNumber)] {
        &self.ranges
    }

    /// Forgets what SND.UNA has passed.
    pub(crate) fn advance(&mut self, snd_una: SeqNumber) {
        self.ranges.retain_mut(|(a, b)| {
            if b.distance_from(snd_una) <= 0 {
                return false;
            }
            *a = (*a).max(snd_una);
            true
        });
    }

    /// The highest SACKed octet's successor.
    pub(crate) fn highest(&self) -> Option<SeqNumber> {
        self.ranges.last().map(|(_, r)| *r)
    }

    /// The holes between `snd_una` and the highest SACKed range, lowest
    /// first (the tail above the last SACKed range is not a hole: nothing
    /// says it was lost).
    pub(crate) fn holes(&self, snd_una: SeqNumber, smss: u32) -> impl Iterator<Item = Hole> + '_ {
        let mut start = snd_una;
        let n = self.ranges.len();
        self.ranges
            .iter()
            .enumerate()
            .filter_map(move |(i, &(a, b))| {
                let hole = (a.distance_from(start) > 0).then(|| {
                    let above = &self.ranges[i..];
                    let sacked: u32 = above.iter().map(|(l, r)| r.distance_from(*l) as u32).sum();
                    Hole {
                        start,
                        end: a,
                        lost: (n - i) as u32 >= DUP_THRESH || sacked > (DUP_THRESH - 1) * smss,
                    }
                });
                start = b;
                hole
            })
    }

    /// RFC 6675 §4 SetPipe: octets in flight between `snd_una` and `snd_max`:
    /// every octet neither SACKed nor lost, plus every retransmitted octet
    /// (below `high_rxt`) still unacknowledged.
    pub(crate) fn pipe(
        &self,
        snd_una: SeqNumber,
        snd_max: SeqNumber,
        high_rxt: SeqNumber,
        smss: u32,
    ) -> u32 {
        let mut pipe = 0u32;
        let mut covered = snd_una;
        for h in self.holes(snd_una, smss) {
            let len = h.end.distance_from(h.start) as u32;
            if !h.lost {
                pipe += len;
            }
            let rexmit = high_rxt.min(h.end).distance_from(h.start).max(0) as u32;
            pipe += rexmit;
            covered = h.end;
        }
        // The tail above the highest SACKed octet (or everything, without SACKs).
        let tail_start = self.highest().unwrap_or(covered).max(snd_una);
        pipe + snd_max.distance_from(tail_start).max(0) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: u32) -> SeqNumber {
        SeqNumber(n.wrapping_add(u32::MAX - 5000))
    }

    #[test]
    fn merge_and_bounds() {
        let mut b = Scoreboard::default();
        assert_eq!(b.add(s(0), s(10_000), s(2000), s(3000)), 1000);
        assert_eq!(b.add(s(0), s(10_000), s(3000), s(4000)), 1000);
        assert_eq!(b.ranges.len(), 1);
        // Already SACKed: nothing new.
        assert_eq!(b.add(s(0), s(10_000), s(2500), s(3500)), 0);
        // Beyond SND.MAX and below SND.UNA is clipped.
        assert_eq!(b.add(s(0), s(10_000), s(9000), s(12_000)), 1000);
        assert_eq!(b.add(s(1000), s(10_000), s(0), s(500)), 0);
        b.advance(s(3500));
        assert_eq!(b.sacked_bytes(), 500 + 1000);
    }

    #[test]
    fn holes_lost_and_pipe() {
        let mss = 1000;
        let mut b = Scoreboard::default();
        // Segment 0 lost, segments 1..=3 SACKed, segment 4 unsent-acked tail.
        b.add(s(0), s(5000), s(1000), s(4000));
        let holes: Vec<_> = b.holes(s(0), mss).collect();
        assert_eq!(holes.len(), 1);
        // 3000 SACKed octets above: more than 2 * SMSS, so lost.
        assert!(holes[0].lost);
        // Pipe: the lost hole counts nothing, the tail 1000.
        assert_eq!(b.pipe(s(0), s(5000), s(0), mss), 1000);
        // After retransmitting the hole it counts again.
        assert_eq!(b.pipe(s(0), s(5000), s(1000), mss), 2000);
        // Only one segment SACKed above: not lost yet.
        let mut c = Scoreboard::default();
        c.add(s(0), s(5000), s(1000), s(2000));
        assert!(!c.holes(s(0), mss).next().unwrap().lost);
        assert_eq!(c.pipe(s(0), s(5000), s(0), mss), 4000);
    }
}
