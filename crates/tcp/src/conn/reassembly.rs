//! The receive side's out-of-order buffer.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

use crate::wire::SeqNumber;

/// At most this many separate blocks are held: a segment that would open a
/// new one beyond it is not kept (the peer retransmits it), so a peer that
/// sends every other octet of a large window costs bounded bookkeeping on
/// top of the octets (Linux prunes its out-of-order queue for the same reason).
const MAX_BLOCKS: usize = 4096;

/// Out-of-order segments waiting for the gap before them to fill
/// (RFC 9293 §3.10.7.4: segments beyond RCV.NXT but inside the window are
/// held for later processing).
///
/// Data is held as disjoint, non-touching blocks (adjacent data is
/// coalesced) in a map ordered by stream offset, so an insert costs
/// O(log n) plus the octets it copies, and merging copies the smaller side
/// into the larger. The octets held never exceed the receive window the
/// caller trims each segment to.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reassembly {
    /// Blocks by the 64-bit stream offset of their first octet.
    blocks: BTreeMap<u64, VecDeque<u8>>,
    /// RCV.NXT at the last call and its stream offset: offsets only grow,
    /// so the map's order survives sequence-number wrap-around.
    base_seq: SeqNumber,
    base_off: u64,
    bytes: usize,
    work: u64,
}

impl Reassembly {
    /// Pieces visited plus octets copied so far.
    pub(crate) fn work(&self) -> u64 {
        self.work
    }

    /// Bytes held.
    pub(crate) fn len(&self) -> usize {
        self.bytes
    }

    /// True when nothing is held.
    pub(crate) fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    /// Moves the base to `rcv_nxt` (which only advances, by less than 2^31).
    fn rebase(&mut self, rcv_nxt: SeqNumber) {
        let ahead = rcv_nxt.distance_from(self.base_seq);
        if ahead > 0 || self.blocks.is_empty() {
            self.base_off += ahead.max(0) as u64;
            self.base_seq = rcv_nxt;
        }
    }

    fn seq_of(&self, off: u64) -> SeqNumber {
        self.base_seq + (off - self.base_off) as u32
    }

    /// The stream offset of `seq`, if it is not before the base.
    fn off_of(&self, seq: SeqNumber) -> Option<u64> {
        let d = seq.distance_from(self.base_seq);
        (d >= 0).then(|| self.base_off + d as u64)
    }

    /// Stores `data` starting at `seq` (after `rcv_nxt`), keeping only the
    /// bytes no block already holds, and joins it with the blocks it touches.
    pub(crate) fn insert(&mut self, rcv_nxt: SeqNumber, seq: SeqNumber, data: &[u8]) {
        self.rebase(rcv_nxt);
        let behind = self.base_seq.distance_from(seq).max(0) as usize;
        let data = data.get(behind..).unwrap_or(&[]);
        let Some(start) = self.off_of(seq + behind as u32) else {
            return;
        };
        if data.is_empty() {
            return;
        }
        let end = start + data.len() as u64;
        // The blocks that overlap or touch [start, end].
        let first = match self.blocks.range(..=start).next_back() {
            Some((k, v)) if k + v.len() as u64 >= start => *k,
            _ => start,
        };
        let keys: Vec<u64> = self.blocks.range(first..=end).map(|(k, _)| *k).collect();
        self.work += 1 + keys.len() as u64;
        if keys.is_empty() && self.blocks.len() >= MAX_BLOCKS {
            return;
        }
        let mut touched: Vec<(u64, VecDeque<u8>)> = Vec::with_capacity(keys.len());
        for k in keys {
            if let Some(v) = self.blocks.remove(&k) {
                self.bytes -= v.len();
                touched.push((k, v));
            }
        }
        let (lo, acc) = self.join(start, data, touched);
        self.bytes += acc.len();
        self.blocks.insert(lo, acc);
    }

    /// One block from `data` at `start` and the `touched` blocks (sorted,
    /// each overlapping or touching it): the largest block is kept and the
    /// rest copied onto its ends. Returns its offset and octets.
    fn join(
        &mut self,
        start: u64,
        data: &[u8],
        mut touched: Vec<(u64, VecDeque<u8>)>,
    ) -> (u64, VecDeque<u8>) {
        let from_data = |a: u64, b: u64| &data[(a - start) as usize..(b - start) as usize];
        let end = start + data.len() as u64;
        let Some(big) = (0..touched.len()).max_by_key(|i| touched[*i].1.len()) else {
            self.work += data.len() as u64;
            return (start, data.iter().copied().collect());
        };
        let after = touched.split_off(big + 1);
        let (mut lo, mut acc) = touched.pop().unwrap_or_default();
        let before = touched;
        let mut hi = lo + acc.len() as u64;
        let copied_before = self.bytes_total(&before) + self.bytes_total(&after);
        for (k, v) in after {
            if k > hi {
                acc.extend(from_data(hi, k));
                hi = k;
            }
            hi += v.len() as u64;
            acc.extend(v);
        }
        if end > hi {
            acc.extend(from_data(hi, end));
        }
        for (k, v) in before.into_iter().rev() {
            let v_end = k + v.len() as u64;
            if v_end < lo {
                from_data(v_end, lo)
                    .iter()
                    .rev()
                    .for_each(|b| acc.push_front(*b));
            }
            v.iter().rev().for_each(|b| acc.push_front(*b));
            lo = k;
        }
        if start < lo {
            from_data(start, lo)
                .iter()
                .rev()
                .for_each(|b| acc.push_front(*b));
            lo = start;
        }
        self.work += copied_before + data.len() as u64;
        (lo, acc)
    }

    fn bytes_total(&self, blocks: &[(u64, VecDeque<u8>)]) -> u64 {
        blocks.iter().map(|(_, v)| v.len() as u64).sum()
    }

    /// The contiguous blocks held, `[left, right)`, lowest first: what SACK
    /// reports (RFC 2018 §3).
    pub(crate) fn blocks(
        &self,
        rcv_nxt: SeqNumber,
    ) -> impl Iterator<Item = (SeqNumber, SeqNumber)> + '_ {
        self.blocks
            .iter()
            .map(|(k, v)| (self.seq_of(*k), self.seq_of(*k + v.len() as u64)))
            .filter(move |(l, _)| l.distance_from(rcv_nxt) > 0)
    }

    /// The block holding octet `seq`, if any.
    pub(crate) fn block_containing(
        &self,
        rcv_nxt: SeqNumber,
        seq: SeqNumber,
    ) -> Option<(SeqNumber, SeqNumber)> {
        let off = self.off_of(seq)?;
        let (k, v) = self.blocks.range(..=off).next_back()?;
        let (l, r) = (self.seq_of(*k), self.seq_of(*k + v.len() as u64));
        (off < k + v.len() as u64 && l.distance_from(rcv_nxt) > 0).then_some((l, r))
    }

    /// After RCV.NXT advanced to `rcv_nxt`: drops what is now old and hands
    /// back, through `deliver`, every byte that became contiguous. Returns the
    /// new RCV.NXT.
    pub(crate) fn drain(
        &mut self,
        rcv_nxt: SeqNumber,
        mut deliver: impl FnMut(&[u8]),
    ) -> SeqNumber {
        self.rebase(rcv_nxt);
        while let Some(entry) = self.blocks.first_entry() {
            if *entry.key() > self.base_off {
                break;
            }
            let (k, mut v) = entry.remove_entry();
            self.bytes -= v.len();
            self.work += 1;
            let skip = (self.base_off - k) as usize;
            if skip < v.len() {
                v.drain(..skip);
                let (a, b) = v.as_slices();
                deliver(a);
                deliver(b);
                let next = self.base_seq + v.len() as u32;
                self.rebase(next);
            }
        }
        self.base_seq
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
        assert_eq!(r.blocks(base).count(), 1);
        let mut out = vec![];
        // Nothing contiguous yet.
        assert_eq!(r.drain(base, |d| out.extend_from_slice(d)), base);
        // "ab" arrived in order: base + 2 is now RCV.NXT.
        let nxt = r.drain(base + 2, |d| out.extend_from_slice(d));
        assert_eq!(out, b"cdefghij");
        assert_eq!(nxt, base + 10);
        assert_eq!(r.len(), 0);
    }

    #[test]
    fn joins_blocks_on_both_sides_and_reports_gaps() {
        let mut r = Reassembly::default();
        let base = SeqNumber(1000);
        r.insert(base, base + 10, b"KLM");
        r.insert(base, base + 2, b"CD");
        r.insert(base, base + 20, b"UV");
        let got: Vec<_> = r.blocks(base).collect();
        assert_eq!(
            got,
            vec![
                (base + 2, base + 4),
                (base + 10, base + 13),
                (base + 20, base + 22)
            ]
        );
        assert_eq!(
            r.block_containing(base, base + 11),
            Some((base + 10, base + 13))
        );
        assert_eq!(r.block_containing(base, base + 5), None);
        // Fills 4..10 and 13..20, overlapping every block.
        r.insert(base, base + 3, b"DEFGHIJKLMNOPQRSTU");
        assert_eq!(
            r.blocks(base).collect::<Vec<_>>(),
            vec![(base + 2, base + 22)]
        );
        assert_eq!(r.len(), 20);
        let mut out = vec![];
        let nxt = r.drain(base + 2, |d| out.extend_from_slice(d));
        assert_eq!(out, b"CDEFGHIJKLMNOPQRSTUV");
        assert_eq!(nxt, base + 22);
        assert!(r.is_empty());
    }

    #[test]
    fn a_drain_inside_a_block_keeps_only_the_new_octets() {
        let mut r = Reassembly::default();
        let base = SeqNumber(0);
        r.insert(base, base + 5, b"fghij");
        let mut out = vec![];
        // RCV.NXT jumped to 7 (in-order data overlapped the block's start).
        let nxt = r.drain(base + 7, |d| out.extend_from_slice(d));
        assert_eq!((out.as_slice(), nxt), (&b"hij"[..], base + 10));
    }

    proptest::proptest! {
        /// Against a model (one Option<u8> per octet of the window): any
        /// inserts, in-order arrivals and drains give the same octets, the
        /// same SACK blocks and the same byte count.
        #[test]
        fn matches_a_per_octet_model(
            start in proptest::prelude::any::<u32>(),
            ops in proptest::collection::vec((0u32..200, 1usize..40, proptest::prelude::any::<bool>()), 1..60),
        ) {
            const W: usize = 256;
            let mut r = Reassembly::default();
            let mut rcv_nxt = SeqNumber(start);
            let mut model: alloc::collections::VecDeque<Option<u8>> = (0..W).map(|_| None).collect();
            let (mut got, mut want) = (Vec::new(), Vec::new());
            let mut stream = 0u8;
            for (at, len, in_order) in ops {
                let (at, len) = if in_order { (0, len) } else { (at.max(1), len) };
                let len = len.min(W - at as usize);
                let data: Vec<u8> = (0..len).map(|i| stream.wrapping_add(at as u8).wrapping_add(i as u8)).collect();
                if at == 0 {
                    // In order: what the connection does (RCV.NXT moves, then drain).
                    got.extend_from_slice(&data);
                    for _ in 0..len { model.pop_front(); model.push_back(None); }
                    want.extend_from_slice(&data);
                    rcv_nxt += len as u32;
                    rcv_nxt = r.drain(rcv_nxt, |d| got.extend_from_slice(d));
                    while let Some(Some(b)) = model.front().copied() {
                        want.push(b);
                        model.pop_front();
                        model.push_back(None);
                    }
                } else {
                    r.insert(rcv_nxt, rcv_nxt + at, &data);
                    for (i, b) in data.iter().enumerate() {
                        let slot = &mut model[at as usize + i];
                        if slot.is_none() { *slot = Some(*b); }
                    }
                }
                stream = stream.wrapping_add(7);
                proptest::prop_assert_eq!(&got, &want);
                proptest::prop_assert_eq!(r.len(), model.iter().flatten().count());
                let mut blocks = Vec::new();
                let mut i = 0;
                while i < W {
                    if model[i].is_some() {
                        let j = (i..W).find(|j| model[*j].is_none()).unwrap_or(W);
                        blocks.push((rcv_nxt + i as u32, rcv_nxt + j as u32));
                        i = j;
                    } else {
                        i += 1;
                    }
                }
                proptest::prop_assert_eq!(r.blocks(rcv_nxt).collect::<Vec<_>>(), blocks);
            }
        }
    }
}
