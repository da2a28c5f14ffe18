//! The TCP header (RFC 9293 §3.1): checked view and plain representation.

use core::fmt;

use handshake_ip::checksum::{self, PseudoHeader};
use handshake_ip::{ChecksumMode, IpProtocol};

use super::{OptionIter, SeqNumber, TcpOptions};
use crate::Error;

/// The payload is copied behind the header in pieces of this size: each
/// is a small `memcpy` done with vector moves, while one large copy becomes
/// `rep movsb`, which on AMD Zen with glibc 2.36 (Debian 12) runs at a few
/// GB/s when the destination lies a few octets past the source modulo
/// 4 KiB, as a payload written 40 octets into a packet often does (the
/// 64 KiB-segment bulk bench spent 64% of its time in that one copy).
const COPY_PIECE: usize = 2048;

/// `to.copy_from_slice(from)` in [`COPY_PIECE`]s (one copy when it fits one).
#[inline]
fn copy_in_pieces(to: &mut [u8], from: &[u8]) {
    if from.len() <= COPY_PIECE {
        to.copy_from_slice(from);
        return;
    }
    for (to, from) in to.chunks_mut(COPY_PIECE).zip(from.chunks(COPY_PIECE)) {
        to.copy_from_slice(from);
    }
}
/// Length of the fixed header (data offset 5).
pub const HEADER_LEN: usize = 20;

mod field {
    pub const SRC_PORT: usize = 0;
    pub const DST_PORT: usize = 2;
    pub const SEQ: usize = 4;
    pub const ACK: usize = 8;
    pub const OFFSET: usize = 12;
    pub const FLAGS: usize = 13;
    pub const WINDOW: usize = 14;
    pub const CHECKSUM: usize = 16;
    pub const URGENT: usize = 18;
}

bitflags::bitflags! {
    /// The eight control bits (RFC 9293 §3.1; CWR and ECE from RFC 3168).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct TcpFlags: u8 {
        /// No more data from sender.
        const FIN = 0x01;
        /// Synchronize sequence numbers.
        const SYN = 0x02;
        /// Reset the connection.
        const RST = 0x04;
        /// Push function.
        const PSH = 0x08;
        /// Acknowledgment field is significant.
        const ACK = 0x10;
        /// Urgent pointer field is significant.
        const URG = 0x20;
        /// ECN-Echo (RFC 3168).
        const ECE = 0x40;
        /// Congestion Window Reduced (RFC 3168).
        const CWR = 0x80;
    }
}

/// A checked view of a TCP segment: header, options and data.
///
/// [`Segment::new_checked`] verifies that the fixed header is present, that
/// the data offset is at least 5 and that the header it describes fits the
/// buffer (RFC 9293 §3.1). The buffer is the whole segment: TCP has no length
/// field, the IP layer's length delimits it. Options are validated when read
/// ([`Segment::options`], [`SegmentRepr::parse`]).
///
/// ```
/// use handshake_tcp::wire::{Segment, TcpFlags};
/// let mut b = [0u8; 20];
/// b[12] = 5 << 4;
/// b[13] = TcpFlags::SYN.bits();
/// let s = Segment::new_checked(&b[..]).unwrap();
/// assert_eq!(s.flags(), TcpFlags::SYN);
/// assert!(Segment::new_checked(&b[..19]).is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Segment<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Segment<T> {
    /// Wraps `buffer` after checking the fixed header and the data offset.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let b = buffer.as_ref();
        if b.len() < HEADER_LEN {
            return Err(Error::Truncated { have: b.len() });
        }
        // RFC 9293 §3.1: Data Offset is the header length in 32-bit words;
        // the fixed header alone is 5.
        let off = b[field::OFFSET] >> 4;
        if off < 5 {
            return Err(Error::DataOffsetTooSmall(off));
        }
        let header_len = usize::from(off) * 4;
        if header_len > b.len() {
            return Err(Error::DataOffsetBeyondBuffer {
                header_len,
                have: b.len(),
            });
        }
        Ok(Segment { buffer })
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    fn be16(&self, at: usize) -> u16 {
        let b = self.b();
        u16::from_be_bytes([b[at], b[at + 1]])
    }

    fn be32(&self, at: usize) -> u32 {
        let b = self.b();
        u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }

    /// Source port.
    pub fn src_port(&self) -> u16 {
        self.be16(field::SRC_PORT)
    }

    /// Destination port.
    pub fn dst_port(&self) -> u16 {
        self.be16(field::DST_PORT)
    }

    /// Sequence number.
    pub fn seq_number(&self) -> SeqNumber {
        SeqNumber(self.be32(field::SEQ))
    }

    /// Acknowledgment number (significant only when ACK is set).
    pub fn ack_number(&self) -> SeqNumber {
        SeqNumber(self.be32(field::ACK))
    }

    /// Header length in bytes (data offset * 4).
    pub fn header_len(&self) -> usize {
        usize::from(self.b()[field::OFFSET] >> 4) * 4
    }

    /// The four reserved bits after the data offset.
    pub fn reserved(&self) -> u8 {
        self.b()[field::OFFSET] & 0x0f
    }

    /// Control bits.
    pub fn flags(&self) -> TcpFlags {
        TcpFlags::from_bits_retain(self.b()[field::FLAGS])
    }

    /// Window.
    pub fn window(&self) -> u16 {
        self.be16(field::WINDOW)
    }

    /// Checksum field.
    pub fn checksum(&self) -> u16 {
        self.be16(field::CHECKSUM)
    }

    /// Urgent pointer.
    pub fn urgent_pointer(&self) -> u16 {
        self.be16(field::URGENT)
    }

    /// The raw option bytes (header after the first 20 bytes).
    pub fn options_bytes(&self) -> &[u8] {
        &self.b()[HEADER_LEN..self.header_len()]
    }

    /// Iterates the options, validating each.
    pub fn options(&self) -> OptionIter<'_> {
        OptionIter::new(self.options_bytes())
    }

    /// The data after the header.
    pub fn payload(&self) -> &[u8] {
        &self.b()[self.header_len()..]
    }

    /// Segment length: header and data.
    pub fn len(&self) -> usize {
        self.b().len()
    }

    /// Never true for a checked view (the header is at least 20 bytes); here
    /// for the `len`/`is_empty` convention.
    pub fn is_empty(&self) -> bool {
        self.b().is_empty()
    }

    /// One's complement sum of pseudo-header and segment (0xffff when valid).
    fn sum(&self, ph: &PseudoHeader) -> u16 {
        let b = self.b();
        checksum::add(ph.sum(IpProtocol::TCP, b.len() as u32), checksum::sum(b))
    }

    /// True when the checksum over the pseudo-header and the whole segment
    /// verifies (RFC 9293 §3.1, MUST-3).
    pub fn verify_checksum(&self, ph: &PseudoHeader) -> bool {
        self.sum(ph) == 0xffff
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Segment<T> {
    /// Sets the checksum field.
    pub fn set_checksum(&mut self, c: u16) {
        self.buffer.as_mut()[field::CHECKSUM..field::CHECKSUM + 2]
            .copy_from_slice(&c.to_be_bytes());
    }

    /// Recomputes and stores the checksum over `ph` and the segment
    /// (RFC 9293 §3.1, MUST-2).
    pub fn fill_checksum(&mut self, ph: &PseudoHeader) {
        self.set_checksum(0);
        let c = !self.sum(ph);
        self.set_checksum(c);
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Segment<&'a T> {
    /// The data with the buffer's lifetime.
    pub fn payload_slice(&self) -> &'a [u8] {
        let hl = self.header_len();
        &self.buffer.as_ref()[hl..]
    }
}

impl<T: AsRef<[u8]>> fmt::Debug for Segment<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Segment")
            .field("src_port", &self.src_port())
            .field("dst_port", &self.dst_port())
            .field("seq", &self.seq_number())
            .field("ack", &self.ack_number())
            .field("flags", &self.flags())
            .field("window", &self.window())
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

/// A plain TCP segment.
///
/// The acknowledgment number is kept as sent even when ACK is clear, so that
/// a parsed segment re-emits unchanged. The reserved bits are not kept: RFC
/// 9293 §3.1 says they must be zero when sent and ignored when received.
///
/// ```
/// use handshake_ip::{checksum::PseudoHeader, ChecksumMode, Ipv6Addr};
/// use handshake_tcp::wire::{Segment, SegmentRepr, SeqNumber, TcpFlags};
/// let ph = PseudoHeader::V6 { src: Ipv6Addr::LOCALHOST, dst: Ipv6Addr::LOCALHOST };
/// let mut r = SegmentRepr::new(1234, 80, SeqNumber(1), TcpFlags::ACK | TcpFlags::PSH);
/// r.payload = b"GET / HTTP/1.1\r\n\r\n";
/// let mut buf = [0u8; 64];
/// let n = r.emit(&mut buf, &ph).unwrap();
/// assert_eq!(n, r.buffer_len());
/// let s = Segment::new_checked(&buf[..n]).unwrap();
/// assert_eq!(SegmentRepr::parse(&s, &ph, ChecksumMode::Verify).unwrap(), r);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SegmentRepr<'a> {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number.
    pub seq_number: SeqNumber,
    /// Acknowledgment number.
    pub ack_number: SeqNumber,
    /// Control bits.
    pub flags: TcpFlags,
    /// Window (unscaled, as on the wire).
    pub window: u16,
    /// Urgent pointer.
    pub urgent_pointer: u16,
    /// Options.
    pub options: TcpOptions,
    /// Data.
    pub payload: &'a [u8],
}

impl<'a> SegmentRepr<'a> {
    /// A segment with the given ports, sequence number and flags, ack 0,
    /// window 0, no options and no data.
    pub fn new(src_port: u16, dst_port: u16, seq_number: SeqNumber, flags: TcpFlags) -> Self {
        SegmentRepr {
            src_port,
            dst_port,
            seq_number,
            ack_number: SeqNumber(0),
            flags,
            window: 0,
            urgent_pointer: 0,
            options: TcpOptions::default(),
            payload: &[],
        }
    }

    /// Reads a checked view: verifies the checksum over `ph` (RFC 9293 §3.1,
    /// MUST-3) unless `mode` says not to, and validates every option.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        segment: &Segment<&'a T>,
        ph: &PseudoHeader,
        mode: ChecksumMode,
    ) -> Result<Self, Error> {
        if mode == ChecksumMode::Verify {
            let sum = segment.sum(ph);
            if sum != 0xffff {
                return Err(Error::BadChecksum { sum });
            }
        }
        Ok(SegmentRepr {
            src_port: segment.src_port(),
            dst_port: segment.dst_port(),
            seq_number: segment.seq_number(),
            ack_number: segment.ack_number(),
            flags: segment.flags(),
            window: segment.window(),
            urgent_pointer: segment.urgent_pointer(),
            options: TcpOptions::parse(segment.options_bytes())?,
            payload: segment.payload_slice(),
        })
    }

    /// Header length, options included.
    pub fn header_len(&self) -> usize {
        HEADER_LEN + self.options.buffer_len()
    }

    /// Header plus data length.
    pub fn buffer_len(&self) -> usize {
        self.header_len() + self.payload.len()
    }

    /// The sequence space the segment occupies: data, plus one each for SYN
    /// and FIN (RFC 9293 §3.4).
    pub fn segment_len(&self) -> usize {
        self.payload.len()
            + usize::from(self.flags.contains(TcpFlags::SYN))
            + usize::from(self.flags.contains(TcpFlags::FIN))
    }

    /// Writes the segment (header, options, data) into the start of `buf`
    /// with the checksum over `ph` filled in (RFC 9293 §3.1, MUST-2); returns
    /// the segment length.
    pub fn emit(&self, buf: &mut [u8], ph: &PseudoHeader) -> Result<usize, Error> {
        let (hl, len) = self.lengths(ph)?;
        let Some(s) = buf.get_mut(..len) else {
            return Err(Error::BufferTooSmall {
                need: len,
                have: buf.len(),
            });
        };
        self.emit_header(&mut s[..hl])?;
        copy_in_pieces(&mut s[hl..], self.payload);
        fill_checksum(s, ph);
        Ok(len)
    }

    /// [`SegmentRepr::emit`] with the data in `parts`, one after the other,
    /// in place of `self.payload` (which is not written): a sender whose
    /// data lies in a ring buffer writes both halves straight behind the
    /// header, without first gathering them into one slice.
    ///
    /// ```
    /// use handshake_ip::checksum::PseudoHeader;
    /// use handshake_tcp::wire::{SegmentRepr, SeqNumber, TcpFlags};
    /// let ph = PseudoHeader::V4 { src: [192, 0, 2, 1].into(), dst: [192, 0, 2, 2].into() };
    /// let mut r = SegmentRepr::new(1000, 80, SeqNumber(1), TcpFlags::ACK);
    /// let (mut a, mut b) = ([0u8; 64], [0u8; 64]);
    /// let n = r.emit_parts(&mut a, &ph, &[b"hel", b"lo"]).unwrap();
    /// r.payload = b"hello";
    /// assert_eq!(r.emit(&mut b, &ph).unwrap(), n);
    /// assert_eq!(a[..n], b[..n]);
    /// ```
    pub fn emit_parts(
        &self,
        buf: &mut [u8],
        ph: &PseudoHeader,
        parts: &[&[u8]],
    ) -> Result<usize, Error> {
        let data: usize = parts.iter().map(|p| p.len()).sum();
        let (hl, len) = self.lengths_with(data, ph)?;
        let Some(s) = buf.get_mut(..len) else {
            return Err(Error::BufferTooSmall {
                need: len,
                have: buf.len(),
            });
        };
        self.emit_header(&mut s[..hl])?;
        let mut at = hl;
        for p in parts {
            copy_in_pieces(&mut s[at..at + p.len()], p);
            at += p.len();
        }
        fill_checksum(s, ph);
        Ok(len)
    }

    /// The segment as a new `Vec`, checksum filled: like [`SegmentRepr::emit`]
    /// into a buffer of [`SegmentRepr::buffer_len`], without first zeroing
    /// a buffer the payload then overwrites.
    ///
    /// ```
    /// use handshake_ip::checksum::PseudoHeader;
    /// use handshake_tcp::wire::{SegmentRepr, SeqNumber, TcpFlags};
    /// let ph = PseudoHeader::V4 { src: [192, 0, 2, 1].into(), dst: [192, 0, 2, 2].into() };
    /// let mut r = SegmentRepr::new(1000, 80, SeqNumber(1), TcpFlags::ACK | TcpFlags::PSH);
    /// r.payload = b"hello";
    /// let v = r.to_vec(&ph).unwrap();
    /// let mut b = vec![0u8; r.buffer_len()];
    /// let n = r.emit(&mut b, &ph).unwrap();
    /// assert_eq!(v, &b[..n]);
    /// ```
    pub fn to_vec(&self, ph: &PseudoHeader) -> Result<alloc::vec::Vec<u8>, Error> {
        let (hl, len) = self.lengths(ph)?;
        let mut header = [0u8; HEADER_LEN + super::MAX_OPTIONS_LEN];
        self.emit_header(&mut header[..hl])?;
        let mut v = alloc::vec::Vec::with_capacity(len);
        v.extend_from_slice(&header[..hl]);
        for piece in self.payload.chunks(COPY_PIECE) {
            v.extend_from_slice(piece);
        }
        fill_checksum(&mut v, ph);
        Ok(v)
    }

    /// (header length, segment length), checked against what the IP layer can carry.
    fn lengths(&self, ph: &PseudoHeader) -> Result<(usize, usize), Error> {
        self.lengths_with(self.payload.len(), ph)
    }

    /// [`SegmentRepr::lengths`] for `data` octets of data.
    fn lengths_with(&self, data: usize, ph: &PseudoHeader) -> Result<(usize, usize), Error> {
        let opt_len = self.options.buffer_len();
        if opt_len > super::MAX_OPTIONS_LEN {
            return Err(Error::OptionsTooLong { len: opt_len });
        }
        let hl = HEADER_LEN + opt_len;
        let len = hl + data;
        // The IPv4 total length is 16 bits; the IPv6 upper-layer length 32.
        let max = if ph.is_ipv6() {
            u32::MAX as usize
        } else {
            usize::from(u16::MAX) - 20
        };
        if len > max {
            return Err(Error::SegmentTooLong { len });
        }
        Ok((hl, len))
    }

    /// The fixed header and options into `s` (exactly the header length),
    /// checksum field zero.
    fn emit_header(&self, s: &mut [u8]) -> Result<(), Error> {
        let hl = s.len();
        s[field::SRC_PORT..field::SRC_PORT + 2].copy_from_slice(&self.src_port.to_be_bytes());
        s[field::DST_PORT..field::DST_PORT + 2].copy_from_slice(&self.dst_port.to_be_bytes());
        s[field::SEQ..field::SEQ + 4].copy_from_slice(&self.seq_number.0.to_be_bytes());
        s[field::ACK..field::ACK + 4].copy_from_slice(&self.ack_number.0.to_be_bytes());
        // RFC 9293 §3.1: reserved bits "must be zero in generated segments".
        s[field::OFFSET] = ((hl / 4) as u8) << 4;
        s[field::FLAGS] = self.flags.bits();
        s[field::WINDOW..field::WINDOW + 2].copy_from_slice(&self.window.to_be_bytes());
        s[field::CHECKSUM..field::CHECKSUM + 2].copy_from_slice(&[0, 0]);
        s[field::URGENT..field::URGENT + 2].copy_from_slice(&self.urgent_pointer.to_be_bytes());
        self.options.emit(&mut s[HEADER_LEN..hl])?;
        Ok(())
    }
}

/// RFC 9293 §3.1, MUST-2: the sender generates the checksum over the
/// pseudo-header, header and data (`s` is the whole segment, checksum zero).
fn fill_checksum(s: &mut [u8], ph: &PseudoHeader) {
    let c = !checksum::add(ph.sum(IpProtocol::TCP, s.len() as u32), checksum::sum(s));
    s[field::CHECKSUM..field::CHECKSUM + 2].copy_from_slice(&c.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::super::{SackBlock, SackBlocks, Timestamps};
    use super::*;
    use handshake_ip::Ipv4Addr;
    use proptest::prelude::*;

    /// A SYN that Linux sent through a TUN device (192.0.2.1:39630 ->
    /// 192.0.2.2:80): IPv4 header, then 40 bytes of TCP.
    const LINUX_SYN: &str = "4500003c52b6400040066402c0000201c00002029ace00504d3bad0e00000000a002faf0864c0000020405b40402080a3d2f7024000000000103030a";

    fn unhex(s: &str) -> std::vec::Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn v4() -> PseudoHeader {
        PseudoHeader::V4 {
            src: Ipv4Addr::new(192, 0, 2, 1),
            dst: Ipv4Addr::new(192, 0, 2, 2),
        }
    }

    #[test]
    fn parses_linux_syn() {
        let pkt = unhex(LINUX_SYN);
        let seg = Segment::new_checked(&pkt[20..]).unwrap();
        let r = SegmentRepr::parse(&seg, &v4(), ChecksumMode::Verify).unwrap();
        assert_eq!((r.src_port, r.dst_port), (39630, 80));
        assert_eq!(r.seq_number, SeqNumber(0x4d3b_ad0e));
        assert_eq!(r.flags, TcpFlags::SYN);
        assert_eq!(r.window, 64240);
        assert_eq!(r.options.mss, Some(1460));
        assert_eq!(r.options.window_scale, Some(10));
        assert!(r.options.sack_permitted);
        assert_eq!(
            r.options.timestamps,
            Some(Timestamps {
                tsval: 0x3d2f_7024,
                tsecr: 0
            })
        );
        // Re-emitted with our option layout: same length, verifies, same repr.
        let mut out = [0u8; 40];
        assert_eq!(r.emit(&mut out, &v4()).unwrap(), 40);
        let again = Segment::new_checked(&out[..]).unwrap();
        assert_eq!(
            SegmentRepr::parse(&again, &v4(), ChecksumMode::Verify).unwrap(),
            r
        );
    }

    #[test]
    fn header_errors() {
        let pkt = unhex(LINUX_SYN);
        let tcp = &pkt[20..];
        assert_eq!(
            Segment::new_checked(&tcp[..19]).unwrap_err(),
            Error::Truncated { have: 19 }
        );
        let mut b = tcp.to_vec();
        b[12] = 4 << 4;
        assert_eq!(
            Segment::new_checked(&b[..]).unwrap_err(),
            Error::DataOffsetTooSmall(4)
        );
        b[12] = 15 << 4;
        assert_eq!(
            Segment::new_checked(&b[..]).unwrap_err(),
            Error::DataOffsetBeyondBuffer {
                header_len: 60,
                have: 40
            }
        );
        let mut b = tcp.to_vec();
        b[30] ^= 0x01;
        let s = Segment::new_checked(&b[..]).unwrap();
        assert!(matches!(
            SegmentRepr::parse(&s, &v4(), ChecksumMode::Verify),
            Err(Error::BadChecksum { .. })
        ));
        // MSS length 0 in the captured SYN, checksum ignored: MUST-7 error, no panic.
        let mut b = tcp.to_vec();
        b[21] = 0;
        let s = Segment::new_checked(&b[..]).unwrap();
        assert_eq!(
            SegmentRepr::parse(&s, &v4(), ChecksumMode::Ignore),
            Err(Error::IllegalOptionLength { kind: 2, len: 0 })
        );
    }

    fn arb_options() -> impl Strategy<Value = TcpOptions> {
        (
            proptest::option::of(any::<u16>()),
            proptest::option::of(any::<u8>()),
            any::<bool>(),
            proptest::option::of(any::<(u32, u32)>()),
            proptest::collection::vec(any::<(u32, u32)>(), 0..=4),
        )
            .prop_map(|(mss, ws, sp, ts, sack)| {
                let blocks: std::vec::Vec<SackBlock> = sack
                    .into_iter()
                    .map(|(l, r)| SackBlock {
                        left: SeqNumber(l),
                        right: SeqNumber(r),
                    })
                    .collect();
                TcpOptions {
                    mss,
                    window_scale: ws,
                    sack_permitted: sp,
                    timestamps: ts.map(|(tsval, tsecr)| Timestamps { tsval, tsecr }),
                    sack: SackBlocks::new(&blocks).unwrap(),
                }
            })
    }

    proptest! {
        #[test]
        fn roundtrip(sp in any::<u16>(), dp in any::<u16>(), seq in any::<u32>(), ack in any::<u32>(),
                     flags in any::<u8>(), win in any::<u16>(), urg in any::<u16>(), opts in arb_options(),
                     payload in proptest::collection::vec(any::<u8>(), 0..1500), v6 in any::<bool>(), a in any::<[u8; 16]>()) {
            let ph = if v6 {
                PseudoHeader::V6 { src: a.into(), dst: handshake_ip::Ipv6Addr::LOCALHOST }
            } else {
                PseudoHeader::V4 { src: [a[0], a[1], a[2], a[3]].into(), dst: Ipv4Addr::LOCALHOST }
            };
            let r = SegmentRepr { src_port: sp, dst_port: dp, seq_number: SeqNumber(seq), ack_number: SeqNumber(ack),
                flags: TcpFlags::from_bits_retain(flags), window: win, urgent_pointer: urg, options: opts, payload: &payload };
            let mut buf = std::vec![0u8; 60 + payload.len()];
            match r.emit(&mut buf, &ph) {
                Ok(n) => {
                    prop_assert!(opts.buffer_len() <= 40);
                    let s = Segment::new_checked(&buf[..n]).unwrap();
                    prop_assert!(s.verify_checksum(&ph));
                    prop_assert_eq!(SegmentRepr::parse(&s, &ph, ChecksumMode::Verify).unwrap(), r);
                }
                Err(e) => {
                    prop_assert!(opts.buffer_len() > 40);
                    prop_assert_eq!(e, Error::OptionsTooLong { len: opts.buffer_len() });
                }
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..80)) {
            if let Ok(s) = Segment::new_checked(&b[..]) {
                let _ = s.options().count();
                let _ = SegmentRepr::parse(&s, &v4(), ChecksumMode::Ignore);
                let _ = SegmentRepr::parse(&s, &v4(), ChecksumMode::Verify);
            }
        }
    }
}
