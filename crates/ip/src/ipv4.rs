//! IPv4 header (RFC 791 §3.1).

use core::fmt;
use core::net::Ipv4Addr;

use crate::{be16, checksum, ChecksumMode, Error, IpProtocol};

/// Length of the IPv4 header without options.
pub(crate) const MIN_HEADER_LEN: usize = 20;
/// Largest IPv4 header: IHL 15 words.
pub(crate) const MAX_HEADER_LEN: usize = 60;

mod field {
    pub const VER_IHL: usize = 0;
    pub const DSCP_ECN: usize = 1;
    pub const LENGTH: usize = 2;
    pub const IDENT: usize = 4;
    pub const FLG_OFF: usize = 6;
    pub const TTL: usize = 8;
    pub const PROTOCOL: usize = 9;
    pub const CHECKSUM: usize = 10;
    pub const SRC: usize = 12;
    pub const DST: usize = 16;
}

/// A checked view of an IPv4 packet.
///
/// [`Ipv4Packet::new_checked`] verifies that the version is 4, that the IHL is
/// at least 5 and the header fits the buffer, and that the total length
/// covers the header and does not exceed the buffer. The accessors then never
/// panic. Bytes past the total length (link-layer padding) are ignored.
///
/// ```
/// use handshake_ip::Ipv4Packet;
/// let bytes = [
///     0x45, 0x00, 0x00, 0x14, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
///     192, 0, 2, 1, 192, 0, 2, 2,
/// ];
/// let pkt = Ipv4Packet::new_checked(&bytes[..]).unwrap();
/// assert_eq!(pkt.header_len(), 20);
/// assert!(pkt.dont_frag());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Ipv4Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Ipv4Packet<T> {
    /// Wraps `buffer` after checking every length the accessors rely on.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let b = buffer.as_ref();
        if b.len() < MIN_HEADER_LEN {
            return Err(Error::Truncated {
                what: "IPv4 header",
                need: MIN_HEADER_LEN,
                have: b.len(),
            });
        }
        let version = b[field::VER_IHL] >> 4;
        if version != 4 {
            return Err(Error::Version {
                found: version,
                expected: 4,
            });
        }
        // RFC 791 §3.1: "the minimum value for a correct header is 5".
        let ihl = b[field::VER_IHL] & 0x0f;
        if ihl < 5 {
            return Err(Error::BadIhl(ihl));
        }
        let header_len = usize::from(ihl) * 4;
        if header_len > b.len() {
            return Err(Error::Truncated {
                what: "IPv4 options",
                need: header_len,
                have: b.len(),
            });
        }
        let total = usize::from(be16(b, field::LENGTH));
        if total < header_len {
            return Err(Error::LengthBelowHeader {
                what: "IPv4 total",
                value: total,
                min: header_len,
            });
        }
        if total > b.len() {
            return Err(Error::LengthBeyondBuffer {
                what: "IPv4 total",
                value: total,
                have: b.len(),
            });
        }
        Ok(Ipv4Packet { buffer })
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// Version field (always 4 in a checked view).
    pub fn version(&self) -> u8 {
        self.b()[field::VER_IHL] >> 4
    }

    /// Header length in bytes (IHL * 4).
    pub fn header_len(&self) -> usize {
        usize::from(self.b()[field::VER_IHL] & 0x0f) * 4
    }

    /// Differentiated Services Code Point (RFC 2474).
    pub fn dscp(&self) -> u8 {
        self.b()[field::DSCP_ECN] >> 2
    }

    /// Explicit Congestion Notification bits (RFC 3168).
    pub fn ecn(&self) -> u8 {
        self.b()[field::DSCP_ECN] & 0x03
    }

    /// Total length: header plus payload.
    pub fn total_len(&self) -> usize {
        usize::from(be16(self.b(), field::LENGTH))
    }

    /// Identification.
    pub fn ident(&self) -> u16 {
        be16(self.b(), field::IDENT)
    }

    /// Don't Fragment flag.
    pub fn dont_frag(&self) -> bool {
        self.b()[field::FLG_OFF] & 0x40 != 0
    }

    /// More Fragments flag.
    pub fn more_frags(&self) -> bool {
        self.b()[field::FLG_OFF] & 0x20 != 0
    }

    /// Fragment offset in 8-byte units.
    pub fn frag_offset(&self) -> u16 {
        be16(self.b(), field::FLG_OFF) & 0x1fff
    }

    /// Time to live.
    pub fn ttl(&self) -> u8 {
        self.b()[field::TTL]
    }

    /// Protocol of the payload.
    pub fn protocol(&self) -> IpProtocol {
        IpProtocol(self.b()[field::PROTOCOL])
    }

    /// Header checksum field.
    pub fn checksum(&self) -> u16 {
        be16(self.b(), field::CHECKSUM)
    }

    /// Source address.
    pub fn src_addr(&self) -> Ipv4Addr {
        let b = self.b();
        Ipv4Addr::new(b[12], b[13], b[14], b[15])
    }

    /// Destination address.
    pub fn dst_addr(&self) -> Ipv4Addr {
        let b = self.b();
        Ipv4Addr::new(b[16], b[17], b[18], b[19])
    }

    /// The options bytes, kept as they are (0 to 40 bytes).
    pub fn options(&self) -> &[u8] {
        &self.b()[MIN_HEADER_LEN..self.header_len()]
    }

    /// The payload: from the end of the header to the total length.
    pub fn payload(&self) -> &[u8] {
        &self.b()[self.header_len()..self.total_len()]
    }

    /// True when the header checksum verifies (RFC 791 §3.1).
    pub fn verify_checksum(&self) -> bool {
        checksum::checksum(&self.b()[..self.header_len()]) == 0
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Ipv4Packet<T> {
    /// Sets the time to live (the header checksum is left to the caller:
    /// see [`Ipv4Packet::fill_checksum`] or [`checksum::update`]).
    pub fn set_ttl(&mut self, ttl: u8) {
        self.buffer.as_mut()[field::TTL] = ttl;
    }

    /// Sets the source address.
    pub fn set_src_addr(&mut self, a: Ipv4Addr) {
        self.buffer.as_mut()[field::SRC..field::SRC + 4].copy_from_slice(&a.octets());
    }

    /// Sets the destination address.
    pub fn set_dst_addr(&mut self, a: Ipv4Addr) {
        self.buffer.as_mut()[field::DST..field::DST + 4].copy_from_slice(&a.octets());
    }

    /// Sets the header checksum field.
    pub fn set_checksum(&mut self, c: u16) {
        self.buffer.as_mut()[field::CHECKSUM..field::CHECKSUM + 2]
            .copy_from_slice(&c.to_be_bytes());
    }

    /// Recomputes and stores the header checksum.
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let hl = self.header_len();
        let c = checksum::checksum(&self.buffer.as_ref()[..hl]);
        self.set_checksum(c);
    }

    /// The payload, mutable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let (hl, tl) = (self.header_len(), self.total_len());
        &mut self.buffer.as_mut()[hl..tl]
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Ipv4Packet<&'a T> {
    /// The payload with the buffer's lifetime.
    pub fn payload_slice(&self) -> &'a [u8] {
        let hl = self.header_len();
        let tl = self.total_len();
        &self.buffer.as_ref()[hl..tl]
    }
}

impl<T: AsRef<[u8]>> fmt::Debug for Ipv4Packet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ipv4Packet")
            .field("src", &self.src_addr())
            .field("dst", &self.dst_addr())
            .field("protocol", &self.protocol())
            .field("total_len", &self.total_len())
            .finish_non_exhaustive()
    }
}

/// IPv4 options as raw bytes (at most 40; a multiple of 4 on the wire).
///
/// The crate does not interpret options; it keeps them so a parsed header
/// re-emits byte for byte.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv4Options {
    bytes: [u8; 40],
    len: u8,
}

impl Ipv4Options {
    /// No options.
    pub const fn empty() -> Self {
        Ipv4Options {
            bytes: [0; 40],
            len: 0,
        }
    }

    /// Options from raw bytes: at most 40 and a multiple of 4 (the IHL counts
    /// 32-bit words, RFC 791 §3.1; pad with End of Option List, zero).
    pub fn new(raw: &[u8]) -> Result<Self, Error> {
        if raw.len() > 40 || !raw.len().is_multiple_of(4) {
            return Err(Error::FieldOverflow {
                what: "IPv4 options length",
                value: raw.len(),
            });
        }
        let mut bytes = [0u8; 40];
        bytes[..raw.len()].copy_from_slice(raw);
        Ok(Ipv4Options {
            bytes,
            len: raw.len() as u8,
        })
    }

    /// The raw option bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// True when there are no options.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Default for Ipv4Options {
    fn default() -> Self {
        Self::empty()
    }
}

impl fmt::Debug for Ipv4Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ipv4Options({:02x?})", self.as_bytes())
    }
}

/// A plain IPv4 header.
///
/// ```
/// use core::net::Ipv4Addr;
/// use handshake_ip::{ChecksumMode, IpProtocol, Ipv4Packet, Ipv4Repr};
/// let repr = Ipv4Repr::new(Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(192, 0, 2, 2), IpProtocol::TCP, 0);
/// let mut buf = [0u8; 20];
/// assert_eq!(repr.emit(&mut buf).unwrap(), 20);
/// let pkt = Ipv4Packet::new_checked(&buf[..]).unwrap();
/// assert_eq!(Ipv4Repr::parse(&pkt, ChecksumMode::Verify).unwrap(), repr);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv4Repr {
    /// Source address.
    pub src_addr: Ipv4Addr,
    /// Destination address.
    pub dst_addr: Ipv4Addr,
    /// Protocol of the payload.
    pub protocol: IpProtocol,
    /// Payload length in bytes (total length minus header length).
    pub payload_len: usize,
    /// Time to live.
    pub ttl: u8,
    /// Differentiated Services Code Point (6 bits).
    pub dscp: u8,
    /// ECN bits (2 bits).
    pub ecn: u8,
    /// Identification.
    pub ident: u16,
    /// Don't Fragment.
    pub dont_frag: bool,
    /// More Fragments.
    pub more_frags: bool,
    /// Fragment offset in 8-byte units (13 bits).
    pub frag_offset: u16,
    /// Options, kept as bytes.
    pub options: Ipv4Options,
}

impl Ipv4Repr {
    /// A header with TTL 64 (RFC 1700 / RFC 1122 §3.2.1.7's recommended
    /// default), DF set, no options, identification 0.
    pub fn new(
        src_addr: Ipv4Addr,
        dst_addr: Ipv4Addr,
        protocol: IpProtocol,
        payload_len: usize,
    ) -> Self {
        Ipv4Repr {
            src_addr,
            dst_addr,
            protocol,
            payload_len,
            ttl: 64,
            dscp: 0,
            ecn: 0,
            ident: 0,
            dont_frag: true,
            more_frags: false,
            frag_offset: 0,
            options: Ipv4Options::empty(),
        }
    }

    /// Reads a checked view; verifies the header checksum unless `mode` says not to.
    pub fn parse<T: AsRef<[u8]>>(
        packet: &Ipv4Packet<T>,
        mode: ChecksumMode,
    ) -> Result<Self, Error> {
        // RFC 791 §3.1: "If the header checksum fails, the internet datagram is
        // discarded at once".
        if mode == ChecksumMode::Verify && !packet.verify_checksum() {
            return Err(Error::BadChecksum {
                what: "IPv4 header",
                sum: checksum::sum(&packet.b()[..packet.header_len()]),
            });
        }
        Ok(Ipv4Repr {
            src_addr: packet.src_addr(),
            dst_addr: packet.dst_addr(),
            protocol: packet.protocol(),
            payload_len: packet.total_len() - packet.header_len(),
            ttl: packet.ttl(),
            dscp: packet.dscp(),
            ecn: packet.ecn(),
            ident: packet.ident(),
            dont_frag: packet.dont_frag(),
            more_frags: packet.more_frags(),
            frag_offset: packet.frag_offset(),
            options: Ipv4Options::new(packet.options())?,
        })
    }

    /// Header length in bytes, options included.
    pub fn header_len(&self) -> usize {
        MIN_HEADER_LEN + self.options.len()
    }

    /// Header plus payload length.
    pub fn buffer_len(&self) -> usize {
        self.header_len() + self.payload_len
    }

    /// Writes the header, checksum filled, into the start of `buf`; the payload
    /// goes after it. Returns the header length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let hl = self.header_len();
        debug_assert!(hl <= MAX_HEADER_LEN);
        let total = self.buffer_len();
        if total > usize::from(u16::MAX) {
            return Err(Error::FieldOverflow {
                what: "IPv4 total length",
                value: total,
            });
        }
        if self.dscp > 0x3f {
            return Err(Error::FieldOverflow {
                what: "DSCP",
                value: self.dscp.into(),
            });
        }
        if self.ecn > 3 {
            return Err(Error::FieldOverflow {
                what: "ECN",
                value: self.ecn.into(),
            });
        }
        if self.frag_offset > 0x1fff {
            return Err(Error::FieldOverflow {
                what: "IPv4 fragment offset",
                value: self.frag_offset.into(),
            });
        }
        let Some(h) = buf.get_mut(..hl) else {
            return Err(Error::BufferTooSmall {
                need: hl,
                have: buf.len(),
            });
        };
        h[field::VER_IHL] = 0x40 | (hl / 4) as u8;
        h[field::DSCP_ECN] = (self.dscp << 2) | self.ecn;
        h[field::LENGTH..field::LENGTH + 2].copy_from_slice(&(total as u16).to_be_bytes());
        h[field::IDENT..field::IDENT + 2].copy_from_slice(&self.ident.to_be_bytes());
        // RFC 791 §3.1: bit 0 of the flags is reserved and must be zero.
        let flags = (u16::from(self.dont_frag) << 14) | (u16::from(self.more_frags) << 13);
        h[field::FLG_OFF..field::FLG_OFF + 2]
            .copy_from_slice(&(flags | self.frag_offset).to_be_bytes());
        h[field::TTL] = self.ttl;
        h[field::PROTOCOL] = self.protocol.0;
        h[field::CHECKSUM..field::CHECKSUM + 2].copy_from_slice(&[0, 0]);
        h[field::SRC..field::SRC + 4].copy_from_slice(&self.src_addr.octets());
        h[field::DST..field::DST + 4].copy_from_slice(&self.dst_addr.octets());
        h[MIN_HEADER_LEN..].copy_from_slice(self.options.as_bytes());
        let c = checksum::checksum(h);
        h[field::CHECKSUM..field::CHECKSUM + 2].copy_from_slice(&c.to_be_bytes());
        Ok(hl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A real header (Wikipedia's IPv4 checksum example, from a capture):
    /// 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7.
    const KNOWN: [u8; 20] = [
        0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00,
        0x01, 0xc0, 0xa8, 0x00, 0xc7,
    ];

    fn known_packet() -> [u8; 0x73] {
        let mut b = [0u8; 0x73];
        b[..20].copy_from_slice(&KNOWN);
        b
    }

    #[test]
    fn parses_known_header() {
        let b = known_packet();
        let p = Ipv4Packet::new_checked(&b[..]).unwrap();
        assert!(p.verify_checksum());
        let r = Ipv4Repr::parse(&p, ChecksumMode::Verify).unwrap();
        assert_eq!(r.src_addr, Ipv4Addr::new(192, 168, 0, 1));
        assert_eq!(r.dst_addr, Ipv4Addr::new(192, 168, 0, 199));
        assert_eq!(r.protocol, IpProtocol::UDP);
        assert_eq!(r.payload_len, 0x73 - 20);
        assert!(r.dont_frag);
        let mut out = [0u8; 20];
        r.emit(&mut out).unwrap();
        assert_eq!(out, KNOWN);
    }

    #[test]
    fn rejects_bad_checksum() {
        let mut b = known_packet();
        b[11] ^= 1;
        let p = Ipv4Packet::new_checked(&b[..]).unwrap();
        assert!(matches!(
            Ipv4Repr::parse(&p, ChecksumMode::Verify),
            Err(Error::BadChecksum { .. })
        ));
        assert!(Ipv4Repr::parse(&p, ChecksumMode::Ignore).is_ok());
    }

    #[test]
    fn rejects_malformed() {
        let b = known_packet();
        assert!(matches!(
            Ipv4Packet::new_checked(&b[..19]),
            Err(Error::Truncated { .. })
        ));
        let mut v = b;
        v[0] = 0x44;
        assert_eq!(
            Ipv4Packet::new_checked(&v[..]).unwrap_err(),
            Error::BadIhl(4)
        );
        v[0] = 0x65;
        assert!(matches!(
            Ipv4Packet::new_checked(&v[..]),
            Err(Error::Version { found: 6, .. })
        ));
        assert!(matches!(
            Ipv4Packet::new_checked(&b[..0x72]),
            Err(Error::LengthBeyondBuffer { .. })
        ));
        let mut v = b;
        v[2] = 0;
        v[3] = 19;
        assert!(matches!(
            Ipv4Packet::new_checked(&v[..]),
            Err(Error::LengthBelowHeader { .. })
        ));
        let mut v = b;
        v[0] = 0x4f; // 60-byte header in a 0x73 buffer but total says 0x73: fine
        assert!(Ipv4Packet::new_checked(&v[..]).is_ok());
        assert!(matches!(
            Ipv4Packet::new_checked(&v[..40]),
            Err(Error::Truncated { .. })
        ));
    }

    pub(crate) fn arb_repr() -> impl Strategy<Value = Ipv4Repr> {
        (
            any::<[u8; 4]>(),
            any::<[u8; 4]>(),
            any::<u8>(),
            0usize..1000,
            any::<u8>(),
            0u8..64,
            0u8..4,
            any::<u16>(),
            any::<(bool, bool)>(),
            0u16..0x2000,
            (0usize..=10).prop_flat_map(|w| proptest::collection::vec(any::<u8>(), w * 4)),
        )
            .prop_map(
                |(s, d, p, len, ttl, dscp, ecn, ident, (df, mf), off, opts)| Ipv4Repr {
                    src_addr: s.into(),
                    dst_addr: d.into(),
                    protocol: IpProtocol(p),
                    payload_len: len,
                    ttl,
                    dscp,
                    ecn,
                    ident,
                    dont_frag: df,
                    more_frags: mf,
                    frag_offset: off,
                    options: Ipv4Options::new(&opts).unwrap(),
                },
            )
    }

    proptest! {
        #[test]
        fn roundtrip(r in arb_repr()) {
            let mut buf = std::vec![0u8; r.buffer_len()];
            let hl = r.emit(&mut buf).unwrap();
            prop_assert_eq!(hl, r.header_len());
            let p = Ipv4Packet::new_checked(&buf[..]).unwrap();
            prop_assert_eq!(checksum::checksum(&buf[..hl]), 0);
            prop_assert_eq!(Ipv4Repr::parse(&p, ChecksumMode::Verify).unwrap(), r);
        }

        #[test]
        fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..100)) {
            if let Ok(p) = Ipv4Packet::new_checked(&b[..]) {
                let _ = p.payload();
                let _ = p.options();
                let _ = Ipv4Repr::parse(&p, ChecksumMode::Verify);
            }
        }
    }
}
