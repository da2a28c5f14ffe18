//! The receive side's out-of-order buffer.

use alloc::vec::Vec;

use crate::wire::SeqNumber;

/// Out-of-order segments waiting for the gap before them to fill
/// (RFC 9293 §3.10.7.4: segments beyond RCV.NXT but inside the window are
/// held for later processing).
///
/// Pieces are kept disjoint, so the bytes held never exceed the receive
/// window the caller trims each segment to.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reassembly {
    /// Disjoint pieces, sorted by their distance from the base they were inserted against.
    pieces: Vec<(SeqNumber, Vec<u8>)>,
}

impl Reassembly {
    /// Bytes held.
    pub(crate) fn len(&self) -> usize {
        self.pieces.iter().map(|(_, d)| d.len()).sum()
    }

    /// Stores `data` starting at `seq` (which is after `rcv_nxt`), keeping only
    /// the bytes no piece already holds.
    pub(crate) fn insert(&mut self, rcv_nxt: SeqNumber, seq: SeqNumber, data: &[u8]) {
        let off = |s: SeqNumber| s.distance_from(rcv_nxt) as i64;
        let mut start = off(seq);
        let end = start + data.len() as i64;
        let mut new = Vec::new();
        for (s, d) in &self.pieces {
            let (ps, pe) = (off(*s), off(*s) + d.len() as i64);
            if pe <= start || ps >= end {
                continue;
            }
            if ps > start {
                new.push((start, ps));
            }
            start = start.max(pe);
        }
        if start < end {
            new.push((start, end));
        }
        let base = off(seq);
        for (a, b) in new {
            let slice = &data[(a - base) as usize..(b - base) as usize];
            self.pieces.push((rcv_nxt + a as u32, slice.to_vec()));
        }
        self.pieces.sort_by_key(|(s, _)| off(*s));
    }

    /// True when nothing is held.
    pub(crate) fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// The contiguous blocks held, `[left, right)`, lowest first (pieces
    /// that touch are one block): what SACK reports (RFC 2018 §3).
    pub(crate) fn blocks(
        &self,
        rcv_nxt: SeqNumber,
    ) -> impl Iterator<Item = (SeqNumber, SeqNumber)> + '_ {
        let mut i = 0;
        core::iter::from_fn(move || {
            let (start, d) = self.pieces.get(i)?;
            let mut end = *start + d.len() as u32;
            i += 1;
            while let Some((s, d)) = self.pieces.get(i) {
                if s.distance_from(end) > 0 {
                    break;
                }
                end = end.max(*s + d.len() as u32);
                i += 1;
            }
            Some((*start, end))
        })
        .filter(move |(l, _)| l.distance_from(rcv_nxt) > 0)
    }

    /// The block holding octet `seq`, if any.
    pub(crate) fn block_containing(
        &self,
        rcv_nxt: SeqNumber,
        seq: SeqNumber,
    ) -> Option<(SeqNumber, SeqNumber)> {
        self.blocks(rcv_nxt)
            .find(|(l, r)| seq.distance_from(*l) >= 0 && seq.distance_from(*r) < 0)
    }

    /// After RCV.NXT advanced to `rcv_nxt`: drops what is now old and hands
    /// back, through `deliver`, every byte that became contiguous. Returns the
    /// new RCV.NXT.
    pub(crate) fn drain(
        &mut self,
        mut rcv_nxt: SeqNumber,
        mut deliver: impl FnMut(&[u8]),
    ) -> SeqNumber {
        let mut i = 0;
        while i < self.pieces.len() {
            let (s, ref d) = self.pieces[i];
            let ahead = s.distance_from(rcv_nxt) as i64;
            if ahead > 0 {
                break;
            }
            let skip = (-ahead) as usize;
            if skip < d.len() {
                deliver(&d[skip..]);
                rcv_nxt += (d.len() - skip) as u32;
            }
            i += 1;
        }
        self.pieces.drain(..i);
        rcv_nxt
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn fills_gaps_and_keeps_disjoint() {
        let mut r = Reassembly::default();
        let base = SeqNumber(u32::MAX - 2);
        r.insert(base, base + 4, b"efgh");
        r.insert(base, base + 2, b"cdefghij");
        assert_eq!(r.len(), 8);
        let mut out = vec![];
        // Nothing contiguous yet.
        assert_eq!(r.drain(base, |d| out.extend_from_slice(d)), base);
        // "ab" arrived in order: base + 2 is now RCV.NXT.
        let nxt = r.drain(base + 2, |d| out.extend_from_slice(d));
        assert_eq!(out, b"cdefghij");
        assert_eq!(nxt, base + 10);
        assert_eq!(r.len(), 0);
    }
}
