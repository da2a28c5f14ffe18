//! What the two neighbour caches share: bounded queues, frame building and
//! the choice of an entry to evict.

use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;

use handshake_time::Instant;

use crate::{EtherType, EthernetRepr, MacAddr};

/// A FIFO that never holds more than `limit` items. `push` on a full queue
/// drops the oldest item (`keep_latest`, the packets waiting for resolution:
/// RFC 1122 §2.3.2.2 "SHOULD save at least one (the latest) packet") or the
/// new one (frames and events waiting for the caller: what is queued first
/// goes first).
#[derive(Debug, Clone)]
pub(crate) struct Bounded<T> {
    items: VecDeque<T>,
    limit: usize,
    keep_latest: bool,
    dropped: u64,
}

impl<T> Bounded<T> {
    pub(crate) fn new(limit: usize, keep_latest: bool) -> Self {
        Bounded {
            items: VecDeque::new(),
            limit,
            keep_latest,
            dropped: 0,
        }
    }

    pub(crate) fn push(&mut self, item: T) {
        if self.items.len() >= self.limit {
            self.dropped += 1;
            if !self.keep_latest || self.items.pop_front().is_none() {
                return;
            }
        }
        self.items.push_back(item);
    }

    pub(crate) fn pop(&mut self) -> Option<T> {
        self.items.pop_front()
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Items pushed and then dropped for want of room.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }

    pub(crate) fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        self.items.drain(..)
    }
}

/// An Ethernet frame: the header and `payload_len` bytes that `fill` writes.
pub(crate) fn frame(
    dst: MacAddr,
    src: MacAddr,
    ethertype: EtherType,
    payload_len: usize,
    fill: impl FnOnce(&mut [u8]),
) -> Vec<u8> {
    let eth = EthernetRepr {
        dst_addr: dst,
        src_addr: src,
        ethertype,
    };
    let mut buf = vec![0u8; eth.header_len() + payload_len];
    let hl = eth.emit(&mut buf).unwrap_or(0);
    fill(&mut buf[hl..]);
    buf
}

/// `packet` in an Ethernet frame, in the packet's own allocation: it grows
/// by the header and its octets move up in place. A second buffer of the
/// packet's size would double what is allocated per frame, and with
/// 64 KiB packets glibc's heap then shrinks and grows again around every
/// frame (a page fault per 4 KiB touched: the TAP link ran at a third of
/// TUN's speed at MTU 64000).
pub(crate) fn frame_around(
    dst: MacAddr,
    src: MacAddr,
    ethertype: EtherType,
    packet: Vec<u8>,
) -> Vec<u8> {
    let eth = EthernetRepr {
        dst_addr: dst,
        src_addr: src,
        ethertype,
    };
    let (hl, len) = (eth.header_len(), packet.len());
    let mut buf = packet;
    buf.resize(hl + len, 0);
    buf.copy_within(..len, hl);
    let _ = eth.emit(&mut buf[..hl]);
    buf
}

/// The entry to evict for a new one: among those `last_used` accepts (it
/// returns `None` for entries that must stay), the least recently used.
pub(crate) fn victim<E>(entries: &[E], last_used: impl Fn(&E) -> Option<Instant>) -> Option<usize> {
    entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| last_used(e).map(|t| (t, i)))
        .min()
        .map(|(_, i)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_drops_oldest_or_newest() {
        let mut q = Bounded::new(2, true);
        (1..=3).for_each(|i| q.push(i));
        assert_eq!(
            (q.pop(), q.pop(), q.pop(), q.dropped()),
            (Some(2), Some(3), None, 1)
        );
        let mut q = Bounded::new(2, false);
        (1..=3).for_each(|i| q.push(i));
        assert_eq!(
            (q.pop(), q.pop(), q.pop(), q.dropped()),
            (Some(1), Some(2), None, 1)
        );
        let mut q = Bounded::new(0, true);
        q.push(1);
        assert_eq!((q.len(), q.dropped()), (0, 1));
    }
}
