//! The Internet checksum (RFC 1071), the TCP/UDP pseudo-header and
//! incremental update (RFC 1624).
//!
//! Vocabulary, as in RFC 1071 §1: the *sum* is the 16-bit one's complement sum
//! of the data taken as big-endian 16-bit words; the *checksum* is the one's
//! complement of that sum, the value put in a header field. A packet whose
//! checksum field is filled sums to `0xffff`, so its [`checksum`] is zero.
//!
//! ```
//! use handshake_ip::checksum;
//! // RFC 1071 §3: the sum of 00 01 f2 03 f4 f5 f6 f7 is ddf2.
//! let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
//! assert_eq!(checksum::sum(&data), 0xddf2);
//! assert_eq!(checksum::checksum(&data), 0x220d);
//! ```

use core::net::{Ipv4Addr, Ipv6Addr};

use crate::IpProtocol;

/// Bytes per iteration of the wide loop: eight 32-bit words.
const CHUNK: usize = 32;

/// Bytes summed before the 64-bit accumulator is folded. Each 32-byte chunk
/// adds at most 8 * (2^32 - 1) < 2^35, so 2^28 chunks stay below 2^63.
const BLOCK: usize = CHUNK << 20;

/// Below this many bytes the scalar 64-bit loop beats the vector loop.
const SMALL: usize = 128;

/// Folds a 64-bit one's complement accumulator to 16 bits (end-around carry).
#[inline]
pub const fn fold(mut acc: u64) -> u16 {
    acc = (acc & 0xffff_ffff) + (acc >> 32);
    acc = (acc & 0xffff_ffff) + (acc >> 32);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    acc as u16
}

/// Sums `data` as native-endian words into a 64-bit accumulator (not folded).
///
/// RFC 1071 §2(B): the one's complement sum is byte-order independent, so we
/// add native-endian words and swap once at the end.
#[inline]
fn sum_native(data: &[u8]) -> u64 {
    if data.len() <= BLOCK {
        return sum_block(data);
    }
    let mut total: u64 = 0;
    for block in data.chunks(BLOCK) {
        // Each block starts at an even offset (BLOCK is even), so block sums combine directly.
        total += u64::from(fold(sum_block(block)));
    }
    total
}

/// Sum of at most [`BLOCK`] bytes, not folded (every lane stays below 2^60).
///
/// Eight independent u32 lanes widened into u64 lanes have no carry chain, so
/// LLVM vectorizes the main loop; the lanes cannot overflow within a block.
/// Short inputs and the tail are added as 64-bit words with end-around carry
/// (the scalar loop wins below a few cache lines: no vector set-up).
#[inline]
fn sum_block(data: &[u8]) -> u64 {
    let (mut acc, rest) = if data.len() >= SMALL {
        let mut lanes = [0u64; 8];
        let mut chunks = data.chunks_exact(CHUNK);
        for chunk in &mut chunks {
            for (lane, word) in lanes.iter_mut().zip(chunk.chunks_exact(4)) {
                let mut w = [0u8; 4];
                w.copy_from_slice(word);
                *lane += u64::from(u32::from_ne_bytes(w));
            }
        }
        // Lanes are each below 2^60: their sum cannot overflow.
        (lanes.iter().sum::<u64>(), chunks.remainder())
    } else {
        (u64::from(sum_short(data)), &[][..])
    };
    let mut words = rest.chunks_exact(8);
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let (s, carry) = acc.overflowing_add(u64::from_ne_bytes(w));
        acc = s + u64::from(carry);
    }
    let mut tail = words.remainder();
    let mut last: u64 = 0;
    if tail.len() >= 4 {
        last += u64::from(u32::from_ne_bytes([tail[0], tail[1], tail[2], tail[3]]));
        tail = &tail[4..];
    }
    if tail.len() >= 2 {
        last += u64::from(u16::from_ne_bytes([tail[0], tail[1]]));
        tail = &tail[2..];
    }
    // RFC 1071 §4.1: an odd trailing byte is padded with a zero byte on the right.
    if let [b] = tail {
        last += u64::from(u16::from_ne_bytes([*b, 0]));
    }
    let (s, carry) = acc.overflowing_add(last);
    s + u64::from(carry)
}

/// The 16-bit one's complement sum of `data` (RFC 1071), big-endian words,
/// an odd trailing byte padded with zero. Not complemented.
///
/// ```
/// assert_eq!(handshake_ip::checksum::sum(&[0xff, 0xff, 0x00, 0x01]), 0x0001);
/// ```
#[inline]
pub fn sum(data: &[u8]) -> u16 {
    if data.len() < SMALL {
        return u16::from_be(sum_short(data));
    }
    u16::from_be(fold(sum_native(data)))
}

/// The folded native-endian sum of fewer than [`SMALL`] bytes: 16-bit words
/// into a 32-bit accumulator (below 2^22, so it cannot overflow and two
/// folds finish it), a widening reduction with no carry chain.
#[inline]
fn sum_short(data: &[u8]) -> u16 {
    let mut words = data.chunks_exact(2);
    let mut acc: u32 = (&mut words)
        .map(|w| u32::from(u16::from_ne_bytes([w[0], w[1]])))
        .sum();
    // RFC 1071 §4.1: an odd trailing byte is padded with a zero byte on the right.
    if let [b] = words.remainder() {
        acc += u32::from(u16::from_ne_bytes([*b, 0]));
    }
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    acc as u16
}

/// The Internet checksum of `data`: the one's complement of [`sum`].
///
/// ```
/// // A buffer that already holds its checksum verifies to zero.
/// let mut pkt = [0x45u8, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
/// let c = handshake_ip::checksum::checksum(&pkt);
/// pkt[10..12].copy_from_slice(&c.to_be_bytes());
/// assert_eq!(handshake_ip::checksum::checksum(&pkt), 0);
/// ```
#[inline]
pub fn checksum(data: &[u8]) -> u16 {
    !sum(data)
}

/// One's complement addition of two 16-bit sums.
#[inline]
pub const fn add(a: u16, b: u16) -> u16 {
    let s = a as u32 + b as u32;
    ((s & 0xffff) + (s >> 16)) as u16
}

/// One's complement sum of several partial sums (each over an even-length piece).
#[inline]
pub fn combine(sums: &[u16]) -> u16 {
    fold(sums.iter().map(|&s| u64::from(s)).sum())
}

/// RFC 1624 eqn. 3: the new checksum after a 16-bit field changes from `old`
/// to `new`: `HC' = ~(~HC + ~m + m')`.
///
/// Eqn. 3 (rather than eqn. 2 of RFC 1141) never turns a checksum into
/// `-0` (0xffff... as RFC 1624 §3 explains) except where full recomputation
/// would too.
///
/// ```
/// use handshake_ip::checksum::update;
/// // RFC 1624 §4: HC = 0xdd2f, m = 0x5555 -> m' = 0x3285 gives HC' = 0x0000.
/// assert_eq!(update(0xdd2f, 0x5555, 0x3285), 0x0000);
/// ```
#[inline]
pub const fn update(hc: u16, old: u16, new: u16) -> u16 {
    !add(add(!hc, !old), new)
}

/// [`update`] for a 32-bit field (an IPv4 address, a sequence number).
#[inline]
pub const fn update_u32(hc: u16, old: u32, new: u32) -> u16 {
    let hc = update(hc, (old >> 16) as u16, (new >> 16) as u16);
    update(hc, old as u16, new as u16)
}

/// The addresses of a TCP/UDP/ICMPv6 pseudo-header: IPv4 (RFC 9293 §3.1,
/// RFC 768) or IPv6 (RFC 8200 §8.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PseudoHeader {
    /// IPv4 source and destination.
    V4 {
        /// Source address.
        src: Ipv4Addr,
        /// Destination address.
        dst: Ipv4Addr,
    },
    /// IPv6 source and destination (the final destination if a Routing header is present).
    V6 {
        /// Source address.
        src: Ipv6Addr,
        /// Destination address.
        dst: Ipv6Addr,
    },
}

impl PseudoHeader {
    /// The sum of the pseudo-header for an upper-layer packet of `len` bytes.
    ///
    /// ```
    /// use core::net::Ipv4Addr;
    /// use handshake_ip::{checksum::PseudoHeader, IpProtocol};
    /// let ph = PseudoHeader::V4 { src: Ipv4Addr::new(10, 0, 0, 1), dst: Ipv4Addr::new(10, 0, 0, 2) };
    /// // 0a00 + 0001 + 0a00 + 0002 + 0006 + 0014
    /// assert_eq!(ph.sum(IpProtocol::TCP, 20), 0x141d);
    /// ```
    pub fn sum(&self, protocol: IpProtocol, len: u32) -> u16 {
        match *self {
            PseudoHeader::V4 { src, dst } => pseudo_header_v4(src, dst, protocol, len),
            PseudoHeader::V6 { src, dst } => pseudo_header_v6(src, dst, protocol, len),
        }
    }

    /// True for an IPv6 pseudo-header.
    pub fn is_ipv6(&self) -> bool {
        matches!(self, PseudoHeader::V6 { .. })
    }
}

/// Sum of the IPv4 pseudo-header (RFC 9293 §3.1, RFC 768): source, destination,
/// zero + protocol, and the upper-layer length.
///
/// The length field is 16 bits in IPv4; `len` is summed in full so a caller's
/// oversize length still yields a defined (if meaningless) result.
pub fn pseudo_header_v4(src: Ipv4Addr, dst: Ipv4Addr, protocol: IpProtocol, len: u32) -> u16 {
    let s = u32::from(src);
    let d = u32::from(dst);
    let acc = u64::from(s >> 16)
        + u64::from(s & 0xffff)
        + u64::from(d >> 16)
        + u64::from(d & 0xffff)
        + u64::from(protocol.0)
        + u64::from(len >> 16)
        + u64::from(len & 0xffff);
    fold(acc)
}

/// Sum of the IPv6 pseudo-header (RFC 8200 §8.1): source, destination,
/// 32-bit upper-layer length, three zero bytes and the next header.
pub fn pseudo_header_v6(src: Ipv6Addr, dst: Ipv6Addr, next_header: IpProtocol, len: u32) -> u16 {
    let mut acc = u64::from(len >> 16) + u64::from(len & 0xffff) + u64::from(next_header.0);
    for seg in src.segments().into_iter().chain(dst.segments()) {
        acc += u64::from(seg);
    }
    fold(acc)
}

/// The plain RFC 1071 §4.1 algorithm, word by word: the yardstick the fast
/// [`sum`] is tested against.
pub mod reference {
    /// One's complement sum of big-endian 16-bit words, odd byte padded with zero.
    ///
    /// ```
    /// let d = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
    /// assert_eq!(handshake_ip::checksum::reference::sum(&d), 0xddf2);
    /// ```
    pub fn sum(data: &[u8]) -> u16 {
        let mut acc: u32 = 0;
        let mut i = 0;
        while i + 1 < data.len() {
            acc += u32::from(u16::from_be_bytes([data[i], data[i + 1]]));
            // Fold as we go so the accumulator never overflows.
            acc = (acc & 0xffff) + (acc >> 16);
            i += 2;
        }
        if i < data.len() {
            acc += u32::from(data[i]) << 8;
        }
        while acc > 0xffff {
            acc = (acc & 0xffff) + (acc >> 16);
        }
        acc as u16
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc1071_example() {
        let d = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(sum(&d), 0xddf2);
        assert_eq!(checksum(&d), 0x220d);
        assert_eq!(reference::sum(&d), 0xddf2);
    }

    #[test]
    fn empty_and_single_byte() {
        assert_eq!(sum(&[]), 0);
        assert_eq!(sum(&[0xab]), 0xab00);
        assert_eq!(reference::sum(&[0xab]), 0xab00);
    }

    #[test]
    fn all_ones_stays_ffff() {
        let d = [0xffu8; 4096];
        assert_eq!(sum(&d), 0xffff);
        assert_eq!(reference::sum(&d), 0xffff);
    }

    /// Every length 0..4096 at every alignment 0..8, random data, fast == reference.
    #[test]
    fn fast_matches_reference_every_length_and_alignment() {
        // xorshift64*: deterministic, no dependency.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut buf = [0u8; 4096 + 8];
        for b in buf.iter_mut() {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            *b = (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8;
        }
        for align in 0..8 {
            for len in 0..4096 {
                let d = &buf[align..align + len];
                assert_eq!(sum(d), reference::sum(d), "len {len} align {align}");
            }
        }
    }

    #[test]
    fn saturated_data_matches_reference() {
        // Worst case for carries: every byte 0xff except a few.
        let mut d = [0xffu8; 3001];
        d[7] = 0;
        d[1000] = 0x12;
        for align in 0..8 {
            assert_eq!(sum(&d[align..]), reference::sum(&d[align..]));
        }
    }

    #[test]
    fn rfc1624_examples() {
        // RFC 1624 §4: eqn. 3 gives 0x0000 where eqn. 2 gave 0xffff.
        assert_eq!(update(0xdd2f, 0x5555, 0x3285), 0x0000);
    }

    #[test]
    fn pseudo_header_v6_known() {
        let src: Ipv6Addr = "2001:db8::1".parse().unwrap();
        let dst: Ipv6Addr = "2001:db8::2".parse().unwrap();
        // 2001+0db8+1 + 2001+0db8+2 + 0 + 20 + 6 = 0x5b96 + 0x1d = 0x5bb3 (no carry)
        let expected = fold(0x2001 + 0x0db8 + 1 + 0x2001 + 0x0db8 + 2 + 20 + 6);
        assert_eq!(pseudo_header_v6(src, dst, IpProtocol::TCP, 20), expected);
    }

    proptest! {
        #[test]
        fn prop_fast_equals_reference(data in proptest::collection::vec(any::<u8>(), 0..9000), start in 0usize..8) {
            let start = start.min(data.len());
            prop_assert_eq!(sum(&data[start..]), reference::sum(&data[start..]));
        }

        #[test]
        fn prop_filled_checksum_verifies(mut data in proptest::collection::vec(any::<u8>(), 2..2000)) {
            if data.len() % 2 == 1 { data.push(0); }
            data[0] = 0; data[1] = 0;
            let c = checksum(&data);
            data[..2].copy_from_slice(&c.to_be_bytes());
            prop_assert_eq!(checksum(&data), 0);
        }

        #[test]
        fn prop_incremental_equals_full(mut data in proptest::collection::vec(any::<u8>(), 4..600), at in any::<usize>(), new in any::<u16>()) {
            if data.len() % 2 == 1 { data.push(0); }
            data[0] = 0; data[1] = 0;
            let c = checksum(&data);
            data[..2].copy_from_slice(&c.to_be_bytes());
            let idx = 2 + 2 * (at % ((data.len() - 2) / 2));
            let old = u16::from_be_bytes([data[idx], data[idx + 1]]);
            let hc = u16::from_be_bytes([data[0], data[1]]);
            data[idx..idx + 2].copy_from_slice(&new.to_be_bytes());
            let inc = update(hc, old, new);
            data[0] = 0; data[1] = 0;
            let full = checksum(&data);
            // One's complement has two zeros; RFC 1624 eqn. 3 and full
            // recomputation agree except that both are valid representations.
            prop_assert!(inc == full || (inc ^ full == 0xffff && (inc == 0 || full == 0)),
                "inc {:04x} full {:04x}", inc, full);
        }
    }
}
