//! TCP options (RFC 9293 §3.2; window scale and timestamps RFC 7323; SACK RFC 2018).

use core::fmt;

use super::SeqNumber;
use crate::Error;

/// Most option bytes a header holds: 60-byte maximum header minus 20.
pub const MAX_OPTIONS_LEN: usize = 40;

mod kind {
    pub const EOL: u8 = 0;
    pub const NOP: u8 = 1;
    pub const MSS: u8 = 2;
    pub const WINDOW_SCALE: u8 = 3;
    pub const SACK_PERMITTED: u8 = 4;
    pub const SACK: u8 = 5;
    pub const TIMESTAMPS: u8 = 8;
}

/// One SACK block: the edges of a received, non-contiguous block (RFC 2018 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SackBlock {
    /// Left Edge: the first sequence number of the block.
    pub left: SeqNumber,
    /// Right Edge: the sequence number just after the block.
    pub right: SeqNumber,
}

/// One to four SACK blocks (RFC 2018 §3), stored inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SackBlocks {
    blocks: [SackBlock; 4],
    len: u8,
}

impl SackBlocks {
    /// Up to four blocks; more is [`Error::TooManySackBlocks`].
    ///
    /// ```
    /// use handshake_tcp::wire::{SackBlock, SackBlocks, SeqNumber};
    /// let b = SackBlocks::new(&[SackBlock { left: SeqNumber(10), right: SeqNumber(20) }]).unwrap();
    /// assert_eq!(b.as_slice().len(), 1);
    /// ```
    pub fn new(blocks: &[SackBlock]) -> Result<Self, Error> {
        if blocks.len() > 4 {
            return Err(Error::TooManySackBlocks(blocks.len()));
        }
        let mut s = SackBlocks::default();
        s.blocks[..blocks.len()].copy_from_slice(blocks);
        s.len = blocks.len() as u8;
        Ok(s)
    }

    /// The blocks.
    pub fn as_slice(&self) -> &[SackBlock] {
        &self.blocks[..usize::from(self.len)]
    }

    /// Number of blocks.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl fmt::Debug for SackBlocks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

/// The Timestamps option fields (RFC 7323 §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Timestamps {
    /// TSval: the sender's timestamp clock.
    pub tsval: u32,
    /// TSecr: the echoed TSval (meaningful when ACK is set).
    pub tsecr: u32,
}

/// One option as it appears in a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TcpOption<'a> {
    /// Kind 0: End of Option List.
    EndOfList,
    /// Kind 1: No-Operation.
    NoOperation,
    /// Kind 2: Maximum Segment Size (RFC 9293 §3.2).
    MaxSegmentSize(u16),
    /// Kind 3: Window Scale shift count (RFC 7323 §2.2), as received (not clamped to 14).
    WindowScale(u8),
    /// Kind 4: SACK-Permitted (RFC 2018 §2).
    SackPermitted,
    /// Kind 5: SACK blocks (RFC 2018 §3).
    Sack(SackBlocks),
    /// Kind 8: Timestamps (RFC 7323 §3.2).
    Timestamps(Timestamps),
    /// Any other kind, skipped by its length (RFC 9293 §3.2, MUST-6).
    Unknown {
        /// Option kind.
        kind: u8,
        /// The option's data (after kind and length).
        data: &'a [u8],
    },
}

/// Iterates the options of a header, validating lengths as it goes. After an
/// error, or an End of Option List, it yields nothing more.
///
/// ```
/// use handshake_tcp::wire::{OptionIter, TcpOption};
/// let opts = [2, 4, 0x05, 0xb4, 1, 3, 3, 7];
/// let v: Vec<_> = OptionIter::new(&opts).collect::<Result<_, _>>().unwrap();
/// assert_eq!(v, [TcpOption::MaxSegmentSize(1460), TcpOption::NoOperation, TcpOption::WindowScale(7)]);
/// ```
#[derive(Debug, Clone)]
pub struct OptionIter<'a> {
    rest: &'a [u8],
}

impl<'a> OptionIter<'a> {
    /// Iterates the option bytes `options` (the header after its first 20 bytes).
    pub fn new(options: &'a [u8]) -> Self {
        OptionIter { rest: options }
    }
}

#[inline]
fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// Splits the kind-length-value option at the start of `b` (kind not EOL or
/// NOP): validates its length, in general and for the known kinds, and returns
/// its data and total length.
#[inline]
fn split_tlv(b: &[u8]) -> Result<(&[u8], usize), Error> {
    let k = b[0];
    let Some(&len) = b.get(1) else {
        return Err(Error::OptionOverflow {
            kind: k,
            len: 0,
            remaining: b.len(),
        });
    };
    // RFC 9293 §3.2, MUST-7: "be prepared to handle an illegal option length
    // (e.g., zero)"; the length counts the kind and length octets, so 0 and 1
    // are illegal (and would loop forever if trusted).
    if len < 2 {
        return Err(Error::IllegalOptionLength { kind: k, len });
    }
    let n = usize::from(len);
    if n > b.len() {
        return Err(Error::OptionOverflow {
            kind: k,
            len,
            remaining: b.len(),
        });
    }
    let rule = match k {
        kind::MSS if len != 4 => "MSS length must be 4 (RFC 9293 §3.2)",
        kind::WINDOW_SCALE if len != 3 => "Window Scale length must be 3 (RFC 7323 §2.2)",
        kind::SACK_PERMITTED if len != 2 => "SACK-Permitted length must be 2 (RFC 2018 §2)",
        // RFC 2018 §3: length 2 + 8n; 1 <= n <= 4 within 40 option bytes.
        kind::SACK if (n - 2) % 8 != 0 || !(10..=34).contains(&n) => {
            "SACK length must be 2 + 8n with 1 <= n <= 4 (RFC 2018 §3)"
        }
        kind::TIMESTAMPS if len != 10 => "Timestamps length must be 10 (RFC 7323 §3.2)",
        _ => return Ok((&b[2..n], n)),
    };
    Err(Error::BadOptionLength { kind: k, len, rule })
}

/// The SACK blocks of a SACK option's data, whose length [`split_tlv`] checked.
#[inline]
fn sack_blocks(data: &[u8]) -> SackBlocks {
    let mut blocks = SackBlocks::default();
    for (slot, c) in blocks.blocks.iter_mut().zip(data.chunks_exact(8)) {
        *slot = SackBlock {
            left: SeqNumber(be32(&c[..4])),
            right: SeqNumber(be32(&c[4..])),
        };
    }
    blocks.len = (data.len() / 8) as u8;
    blocks
}

fn parse_one(b: &[u8]) -> Result<(TcpOption<'_>, usize), Error> {
    let k = b[0];
    match k {
        // RFC 9293 §3.2, MUST-5: EOL and NOP are one octet, no length.
        kind::EOL => return Ok((TcpOption::EndOfList, 1)),
        kind::NOP => return Ok((TcpOption::NoOperation, 1)),
        _ => {}
    }
    let (data, n) = split_tlv(b)?;
    let opt = match k {
        kind::MSS => TcpOption::MaxSegmentSize(u16::from_be_bytes([data[0], data[1]])),
        kind::WINDOW_SCALE => TcpOption::WindowScale(data[0]),
        kind::SACK_PERMITTED => TcpOption::SackPermitted,
        kind::SACK => TcpOption::Sack(sack_blocks(data)),
        kind::TIMESTAMPS => TcpOption::Timestamps(Timestamps {
            tsval: be32(&data[..4]),
            tsecr: be32(&data[4..]),
        }),
        // RFC 9293 §3.2, MUST-6: ignore, without error, any option not
        // implemented, using its length to skip it.
        _ => TcpOption::Unknown { kind: k, data },
    };
    Ok((opt, n))
}

impl<'a> Iterator for OptionIter<'a> {
    type Item = Result<TcpOption<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match parse_one(self.rest) {
            Ok((opt, used)) => {
                // RFC 9293 §3.2: EOL marks the end of the option list; what
                // follows is padding.
                self.rest = if opt == TcpOption::EndOfList {
                    &[]
                } else {
                    &self.rest[used..]
                };
                Some(Ok(opt))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// The options this crate understands, as a plain value.
///
/// Parsing keeps the last occurrence of a repeated option and skips unknown
/// ones (RFC 9293 §3.2, MUST-6). Emitting lays them out 4-byte aligned with
/// NOPs, as common stacks do: MSS, window scale, SACK-permitted, timestamps,
/// SACK blocks; when that would exceed 40 bytes, the same order packed
/// without NOPs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TcpOptions {
    /// Maximum Segment Size (RFC 9293 §3.7.1).
    pub mss: Option<u16>,
    /// Window Scale shift count (RFC 7323 §2).
    pub window_scale: Option<u8>,
    /// SACK-Permitted (RFC 2018 §2).
    pub sack_permitted: bool,
    /// Timestamps (RFC 7323 §3).
    pub timestamps: Option<Timestamps>,
    /// SACK blocks (RFC 2018 §3); empty for none.
    pub sack: SackBlocks,
}

impl TcpOptions {
    /// Reads every option of `options` (the header bytes after the first 20).
    pub fn parse(options: &[u8]) -> Result<Self, Error> {
        // The same rules as [`OptionIter`], without building a `TcpOption` per option.
        let mut o = TcpOptions::default();
        let mut rest = options;
        while let Some(&k) = rest.first() {
            match k {
                // RFC 9293 §3.2: EOL ends the list; what follows is padding.
                kind::EOL => break,
                kind::NOP => {
                    rest = &rest[1..];
                    continue;
                }
                _ => {}
            }
            let (data, n) = split_tlv(rest)?;
            match k {
                kind::MSS => o.mss = Some(u16::from_be_bytes([data[0], data[1]])),
                kind::WINDOW_SCALE => o.window_scale = Some(data[0]),
                kind::SACK_PERMITTED => o.sack_permitted = true,
                kind::TIMESTAMPS => {
                    o.timestamps = Some(Timestamps {
                        tsval: be32(&data[..4]),
                        tsecr: be32(&data[4..]),
                    })
                }
                kind::SACK => o.sack = sack_blocks(data),
                // RFC 9293 §3.2, MUST-6: unknown options are skipped by length.
                _ => {}
            }
            rest = &rest[n..];
        }
        Ok(o)
    }

    /// Bytes of the 4-byte-aligned layout (NOP padded, as common stacks send).
    fn aligned_len(&self) -> usize {
        let mut n = 0;
        if self.mss.is_some() {
            n += 4;
        }
        if self.window_scale.is_some() {
            n += 4;
        }
        if self.sack_permitted || self.timestamps.is_some() {
            n += if self.timestamps.is_some() { 12 } else { 4 };
        }
        if !self.sack.is_empty() {
            n += 4 + 8 * self.sack.len();
        }
        n
    }

    /// Bytes of the options without alignment padding.
    fn packed_len(&self) -> usize {
        usize::from(self.mss.is_some()) * 4
            + usize::from(self.window_scale.is_some()) * 3
            + usize::from(self.sack_permitted) * 2
            + usize::from(self.timestamps.is_some()) * 10
            + if self.sack.is_empty() {
                0
            } else {
                2 + 8 * self.sack.len()
            }
    }

    /// Bytes [`TcpOptions::emit`] writes: a multiple of 4.
    ///
    /// The aligned layout when it fits in 40 bytes, else the packed layout
    /// (no NOPs, End of Option List padding) so that every set of options
    /// that fitted in a received header also fits when sent again.
    pub fn buffer_len(&self) -> usize {
        let aligned = self.aligned_len();
        if aligned <= MAX_OPTIONS_LEN {
            aligned
        } else {
            self.packed_len().div_ceil(4) * 4
        }
    }

    /// Writes the options into the start of `buf`; returns the bytes written
    /// (a multiple of 4, so the data offset is exact).
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let len = self.buffer_len();
        if len > MAX_OPTIONS_LEN {
            return Err(Error::OptionsTooLong { len });
        }
        let Some(out) = buf.get_mut(..len) else {
            return Err(Error::BufferTooSmall {
                need: len,
                have: buf.len(),
            });
        };
        let aligned = len == self.aligned_len();
        let mut at = 0;
        let mut put = |bytes: &[u8]| {
            out[at..at + bytes.len()].copy_from_slice(bytes);
            at += bytes.len();
        };
        // NOP padding only in the aligned layout.
        let pad: &[u8] = if aligned {
            &[kind::NOP, kind::NOP]
        } else {
            &[]
        };
        if let Some(mss) = self.mss {
            let m = mss.to_be_bytes();
            put(&[kind::MSS, 4, m[0], m[1]]);
        }
        if let Some(ws) = self.window_scale {
            put(&pad[..pad.len().min(1)]);
            put(&[kind::WINDOW_SCALE, 3, ws]);
        }
        match (self.sack_permitted, self.timestamps) {
            (true, Some(_)) => put(&[kind::SACK_PERMITTED, 2]),
            (false, Some(_)) => put(pad),
            (true, None) => {
                put(pad);
                put(&[kind::SACK_PERMITTED, 2]);
            }
            (false, None) => {}
        }
        if let Some(ts) = self.timestamps {
            put(&[kind::TIMESTAMPS, 10]);
            put(&ts.tsval.to_be_bytes());
            put(&ts.tsecr.to_be_bytes());
        }
        if !self.sack.is_empty() {
            put(pad);
            put(&[kind::SACK, (2 + 8 * self.sack.len()) as u8]);
            for b in self.sack.as_slice() {
                put(&b.left.0.to_be_bytes());
                put(&b.right.0.to_be_bytes());
            }
        }
        // RFC 9293 §3.2: the header is padded with zeros (End of Option List)
        // to a 32-bit boundary.
        out[at..].fill(kind::EOL);
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    /// The options as [`OptionIter`] sees them, folded like [`TcpOptions::parse`].
    fn via_iter(b: &[u8]) -> Result<TcpOptions, Error> {
        let mut o = TcpOptions::default();
        for opt in OptionIter::new(b) {
            match opt? {
                TcpOption::MaxSegmentSize(m) => o.mss = Some(m),
                TcpOption::WindowScale(w) => o.window_scale = Some(w),
                TcpOption::SackPermitted => o.sack_permitted = true,
                TcpOption::Timestamps(t) => o.timestamps = Some(t),
                TcpOption::Sack(s) => o.sack = s,
                _ => {}
            }
        }
        Ok(o)
    }

    proptest::proptest! {
        /// The fast `TcpOptions::parse` and the `OptionIter` agree on any bytes, errors included.
        #[test]
        fn parse_agrees_with_iter(b in proptest::collection::vec(
            proptest::prop_oneof![0u8..12, proptest::arbitrary::any::<u8>()], 0..40)) {
            proptest::prop_assert_eq!(TcpOptions::parse(&b), via_iter(&b));
        }
    }

    fn first_err(b: &[u8]) -> Error {
        TcpOptions::parse(b).unwrap_err()
    }

    #[test]
    fn illegal_lengths() {
        assert_eq!(
            first_err(&[2, 0, 0, 0]),
            Error::IllegalOptionLength { kind: 2, len: 0 }
        );
        assert_eq!(
            first_err(&[30, 1, 0, 0]),
            Error::IllegalOptionLength { kind: 30, len: 1 }
        );
        assert!(matches!(
            first_err(&[1, 1, 1, 30]),
            Error::OptionOverflow {
                kind: 30,
                len: 0,
                ..
            }
        ));
        assert!(matches!(
            first_err(&[30, 6, 0, 0]),
            Error::OptionOverflow {
                kind: 30,
                len: 6,
                ..
            }
        ));
        assert!(matches!(
            first_err(&[2, 3, 0, 0]),
            Error::BadOptionLength {
                kind: 2,
                len: 3,
                ..
            }
        ));
        assert!(matches!(
            first_err(&[3, 4, 0, 0]),
            Error::BadOptionLength { kind: 3, .. }
        ));
        assert!(matches!(
            first_err(&[4, 3, 0, 0]),
            Error::BadOptionLength { kind: 4, .. }
        ));
        assert!(matches!(
            first_err(&[5, 6, 0, 0, 0, 0, 0, 0]),
            Error::BadOptionLength { kind: 5, .. }
        ));
        assert!(matches!(
            first_err(&[8, 8, 0, 0, 0, 0, 0, 0]),
            Error::BadOptionLength { kind: 8, .. }
        ));
    }

    #[test]
    fn unknown_skipped_and_eol_ends() {
        // Unknown kind 254 (RFC 6994 experimental) of length 4, then MSS, then EOL and junk.
        let b = [254, 4, 0xf9, 0x89, 2, 4, 0x05, 0xb4, 0, 2, 0, 0];
        let o = TcpOptions::parse(&b).unwrap();
        assert_eq!(o.mss, Some(1460));
        let v: Vec<_> = OptionIter::new(&b).collect();
        assert_eq!(v.len(), 3);
    }

    #[test]
    fn emit_layout() {
        let o = TcpOptions {
            mss: Some(1460),
            window_scale: Some(7),
            sack_permitted: true,
            timestamps: Some(Timestamps { tsval: 1, tsecr: 0 }),
            sack: SackBlocks::default(),
        };
        let mut b = [0u8; 40];
        let n = o.emit(&mut b).unwrap();
        assert_eq!(
            &b[..n],
            &[2, 4, 5, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0]
        );
        assert_eq!(TcpOptions::parse(&b[..n]).unwrap(), o);
        let too_many = TcpOptions {
            sack: SackBlocks::new(&[SackBlock::default(); 4]).unwrap(),
            ..o
        };
        assert_eq!(
            too_many.emit(&mut b),
            Err(Error::OptionsTooLong { len: 56 })
        );
    }
}
