//! IPv6 fixed header and extension-header chain (RFC 8200 §3, §4).

use core::fmt;
use core::net::Ipv6Addr;

use crate::{be16, be32, ChecksumMode, Error, IpProtocol};

/// Length of the IPv6 fixed header.
pub(crate) const HEADER_LEN: usize = 40;

/// The most extension headers [`Ipv6Packet::upper_layer`] walks before giving
/// up. RFC 8200 §4.1 recommends an order in which each header occurs at most
/// once (Destination Options twice); 8 covers every such chain, and the bound
/// keeps a hostile chain of thousands of tiny headers from costing more.
pub const MAX_EXTENSION_HEADERS: usize = 8;

/// A checked view of an IPv6 packet.
///
/// [`Ipv6Packet::new_checked`] verifies the version, that the 40-byte header
/// is present and that the payload length does not exceed the buffer. Bytes
/// after the payload (link padding) are ignored. Jumbograms (payload length 0
/// with a Jumbo Payload option, RFC 2675) are not supported: a zero payload
/// length means an empty payload.
///
/// ```
/// use handshake_ip::{IpProtocol, Ipv6Packet};
/// let mut b = [0u8; 40];
/// b[0] = 0x60;
/// b[6] = 59; // No Next Header
/// b[7] = 64;
/// let p = Ipv6Packet::new_checked(&b[..]).unwrap();
/// assert_eq!(p.next_header(), IpProtocol::IPV6_NO_NXT);
/// assert_eq!(p.payload().len(), 0);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Ipv6Packet<T: AsRef<[u8]>> {
    buffer: T,
}

/// Fragment header fields (RFC 8200 §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv6Fragment {
    /// Fragment offset in 8-byte units.
    pub offset: u16,
    /// M flag: more fragments follow.
    pub more: bool,
    /// Identification.
    pub ident: u32,
}

/// Where the extension-header chain ends: the upper-layer protocol and its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpperLayer<'a> {
    /// The upper-layer protocol (TCP, UDP, ICMPv6, ESP, No Next Header, ...).
    pub protocol: IpProtocol,
    /// Offset of the upper-layer header within the IPv6 payload.
    pub offset: usize,
    /// The upper-layer bytes (to the end of the IPv6 payload).
    pub payload: &'a [u8],
    /// The Fragment header, if the chain held one. When its offset is not
    /// zero the walk stops there: `payload` is fragment data of `protocol`,
    /// not an upper-layer header (RFC 8200 §4.5).
    pub fragment: Option<Ipv6Fragment>,
}

impl<T: AsRef<[u8]>> Ipv6Packet<T> {
    /// Wraps `buffer` after checking the version and lengths.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let b = buffer.as_ref();
        if b.len() < HEADER_LEN {
            return Err(Error::Truncated {
                what: "IPv6 header",
                need: HEADER_LEN,
                have: b.len(),
            });
        }
        let version = b[0] >> 4;
        if version != 6 {
            return Err(Error::Version {
                found: version,
                expected: 6,
            });
        }
        let plen = usize::from(be16(b, 4));
        if HEADER_LEN + plen > b.len() {
            return Err(Error::LengthBeyondBuffer {
                what: "IPv6 payload",
                value: plen,
                have: b.len() - HEADER_LEN,
            });
        }
        Ok(Ipv6Packet { buffer })
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// Version field (6 in a checked view).
    pub fn version(&self) -> u8 {
        self.b()[0] >> 4
    }

    /// Traffic class.
    pub fn traffic_class(&self) -> u8 {
        ((be16(self.b(), 0) >> 4) & 0xff) as u8
    }

    /// Flow label (20 bits).
    pub fn flow_label(&self) -> u32 {
        be32(self.b(), 0) & 0x000f_ffff
    }

    /// Payload length (extension headers included).
    pub fn payload_len(&self) -> usize {
        usize::from(be16(self.b(), 4))
    }

    /// Next header of the fixed header.
    pub fn next_header(&self) -> IpProtocol {
        IpProtocol(self.b()[6])
    }

    /// Hop limit.
    pub fn hop_limit(&self) -> u8 {
        self.b()[7]
    }

    /// Source address.
    pub fn src_addr(&self) -> Ipv6Addr {
        let mut a = [0u8; 16];
        a.copy_from_slice(&self.b()[8..24]);
        Ipv6Addr::from(a)
    }

    /// Destination address.
    pub fn dst_addr(&self) -> Ipv6Addr {
        let mut a = [0u8; 16];
        a.copy_from_slice(&self.b()[24..40]);
        Ipv6Addr::from(a)
    }

    /// The payload (extension headers and upper layer).
    pub fn payload(&self) -> &[u8] {
        &self.b()[HEADER_LEN..HEADER_LEN + self.payload_len()]
    }

    /// Walks the extension headers (Hop-by-Hop, Routing, Fragment, Destination
    /// Options, AH) to the upper-layer protocol, at most
    /// [`MAX_EXTENSION_HEADERS`] of them, each bounds-checked.
    ///
    /// ESP and any unknown next header end the walk: their contents cannot be
    /// skipped generically (RFC 8200 §4: an unrecognized next header is the
    /// upper layer as far as this parser knows).
    pub fn upper_layer(&self) -> Result<UpperLayer<'_>, Error> {
        walk_chain(self.next_header(), self.payload())
    }
}

/// The extension-header walk, over an IPv6 payload whose first header is `first`.
fn walk_chain(first: IpProtocol, payload: &[u8]) -> Result<UpperLayer<'_>, Error> {
    let mut next = first;
    let mut offset = 0usize;
    let mut fragment = None;
    let mut count = 0usize;
    loop {
        let len = match next {
            IpProtocol::HOP_BY_HOP
            | IpProtocol::IPV6_ROUTE
            | IpProtocol::IPV6_OPTS
            | IpProtocol::IPV6_FRAG
            | IpProtocol::AH => {
                // RFC 8200 §4.3: the Hop-by-Hop Options header, when present,
                // MUST immediately follow the IPv6 header.
                if next == IpProtocol::HOP_BY_HOP && count != 0 {
                    return Err(Error::HopByHopNotFirst);
                }
                if count == MAX_EXTENSION_HEADERS {
                    return Err(Error::TooManyExtensionHeaders(MAX_EXTENSION_HEADERS));
                }
                let rest = &payload[offset..];
                if rest.len() < 8 {
                    return Err(Error::Truncated {
                        what: "IPv6 extension header",
                        need: 8,
                        have: rest.len(),
                    });
                }
                let len = match next {
                    // RFC 8200 §4.5: the Fragment header is always 8 bytes.
                    IpProtocol::IPV6_FRAG => {
                        let off_m = be16(rest, 2);
                        fragment = Some(Ipv6Fragment {
                            offset: off_m >> 3,
                            more: off_m & 1 != 0,
                            ident: be32(rest, 4),
                        });
                        8
                    }
                    // RFC 4302 §2.2: AH Payload Len counts 4-byte words minus 2.
                    IpProtocol::AH => (usize::from(rest[1]) + 2) * 4,
                    // RFC 8200 §4.3-4.6: Hdr Ext Len counts 8-byte units after the first 8.
                    _ => (usize::from(rest[1]) + 1) * 8,
                };
                if len > rest.len() {
                    return Err(Error::Truncated {
                        what: "IPv6 extension header",
                        need: len,
                        have: rest.len(),
                    });
                }
                let was = next;
                next = IpProtocol(rest[0]);
                // RFC 8200 §4.5: after a Fragment header with a non-zero
                // offset comes fragment data, not headers: stop walking.
                if was == IpProtocol::IPV6_FRAG && fragment.is_some_and(|f| f.offset != 0) {
                    return Ok(UpperLayer {
                        protocol: next,
                        offset: offset + len,
                        payload: &payload[offset + len..],
                        fragment,
                    });
                }
                len
            }
            _ => {
                return Ok(UpperLayer {
                    protocol: next,
                    offset,
                    payload: &payload[offset..],
                    fragment,
                })
            }
        };
        offset += len;
        count += 1;
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Ipv6Packet<T> {
    /// Sets the hop limit.
    pub fn set_hop_limit(&mut self, h: u8) {
        self.buffer.as_mut()[7] = h;
    }

    /// The payload, mutable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let plen = self.payload_len();
        &mut self.buffer.as_mut()[HEADER_LEN..HEADER_LEN + plen]
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Ipv6Packet<&'a T> {
    /// The payload with the buffer's lifetime.
    pub fn payload_slice(&self) -> &'a [u8] {
        let plen = self.payload_len();
        &self.buffer.as_ref()[HEADER_LEN..HEADER_LEN + plen]
    }

    /// [`Ipv6Packet::upper_layer`] with the buffer's lifetime.
    pub fn upper_layer_slice(&self) -> Result<UpperLayer<'a>, Error> {
        walk_chain(self.next_header(), self.payload_slice())
    }
}

impl<T: AsRef<[u8]>> fmt::Debug for Ipv6Packet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ipv6Packet")
            .field("src", &self.src_addr())
            .field("dst", &self.dst_addr())
            .field("next_header", &self.next_header())
            .field("payload_len", &self.payload_len())
            .finish_non_exhaustive()
    }
}

/// A plain IPv6 fixed header. Extension headers, if any, are part of the
/// payload (see [`Ipv6Packet::upper_layer`]).
///
/// ```
/// use core::net::Ipv6Addr;
/// use handshake_ip::{ChecksumMode, IpProtocol, Ipv6Packet, Ipv6Repr};
/// let repr = Ipv6Repr::new(Ipv6Addr::LOCALHOST, Ipv6Addr::LOCALHOST, IpProtocol::UDP, 0);
/// let mut buf = [0u8; 40];
/// repr.emit(&mut buf).unwrap();
/// let p = Ipv6Packet::new_checked(&buf[..]).unwrap();
/// assert_eq!(Ipv6Repr::parse(&p, ChecksumMode::Verify).unwrap(), repr);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv6Repr {
    /// Source address.
    pub src_addr: Ipv6Addr,
    /// Destination address.
    pub dst_addr: Ipv6Addr,
    /// Next header of the fixed header.
    pub next_header: IpProtocol,
    /// Payload length, extension headers included.
    pub payload_len: usize,
    /// Hop limit.
    pub hop_limit: u8,
    /// Traffic class.
    pub traffic_class: u8,
    /// Flow label (20 bits).
    pub flow_label: u32,
}

impl Ipv6Repr {
    /// A header with hop limit 64, traffic class 0 and no flow label.
    pub fn new(
        src_addr: Ipv6Addr,
        dst_addr: Ipv6Addr,
        next_header: IpProtocol,
        payload_len: usize,
    ) -> Self {
        Ipv6Repr {
            src_addr,
            dst_addr,
            next_header,
            payload_len,
            hop_limit: 64,
            traffic_class: 0,
            flow_label: 0,
        }
    }

    /// Reads a checked view. IPv6 has no header checksum (RFC 8200 §3); the
    /// `mode` argument is for symmetry with the other parsers.
    pub fn parse<T: AsRef<[u8]>>(
        packet: &Ipv6Packet<T>,
        mode: ChecksumMode,
    ) -> Result<Self, Error> {
        let _ = mode;
        Ok(Ipv6Repr {
            src_addr: packet.src_addr(),
            dst_addr: packet.dst_addr(),
            next_header: packet.next_header(),
            payload_len: packet.payload_len(),
            hop_limit: packet.hop_limit(),
            traffic_class: packet.traffic_class(),
            flow_label: packet.flow_label(),
        })
    }

    /// Header length: always 40.
    pub fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// Header plus payload length.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + self.payload_len
    }

    /// Writes the 40-byte header into the start of `buf`; returns 40.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        if self.payload_len > usize::from(u16::MAX) {
            return Err(Error::FieldOverflow {
                what: "IPv6 payload length",
                value: self.payload_len,
            });
        }
        if self.flow_label > 0x000f_ffff {
            return Err(Error::FieldOverflow {
                what: "IPv6 flow label",
                value: self.flow_label as usize,
            });
        }
        let Some(h) = buf.get_mut(..HEADER_LEN) else {
            return Err(Error::BufferTooSmall {
                need: HEADER_LEN,
                have: buf.len(),
            });
        };
        let first = (6u32 << 28) | (u32::from(self.traffic_class) << 20) | self.flow_label;
        h[0..4].copy_from_slice(&first.to_be_bytes());
        h[4..6].copy_from_slice(&(self.payload_len as u16).to_be_bytes());
        h[6] = self.next_header.0;
        h[7] = self.hop_limit;
        h[8..24].copy_from_slice(&self.src_addr.octets());
        h[24..40].copy_from_slice(&self.dst_addr.octets());
        Ok(HEADER_LEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::vec::Vec;

    fn packet(next: u8, payload: &[u8]) -> Vec<u8> {
        let r = Ipv6Repr::new(
            "2001:db8::1".parse().unwrap(),
            "2001:db8::2".parse().unwrap(),
            IpProtocol(next),
            payload.len(),
        );
        let mut b = std::vec![0u8; r.buffer_len()];
        r.emit(&mut b).unwrap();
        b[40..].copy_from_slice(payload);
        b
    }

    #[test]
    fn walks_hbh_frag_dest_to_tcp() {
        let mut pl = Vec::new();
        pl.extend_from_slice(&[44, 0, 1, 4, 0, 0, 0, 0]); // HbH -> Frag, PadN
        pl.extend_from_slice(&[60, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef]); // Frag offset 0 -> DestOpts
        pl.extend_from_slice(&[6, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // DestOpts len 16 -> TCP
        pl.extend_from_slice(&[0xaa; 20]);
        let b = packet(0, &pl);
        let p = Ipv6Packet::new_checked(&b[..]).unwrap();
        let up = p.upper_layer().unwrap();
        assert_eq!(up.protocol, IpProtocol::TCP);
        assert_eq!(up.offset, 32);
        assert_eq!(up.payload, &[0xaa; 20]);
        assert_eq!(
            up.fragment,
            Some(Ipv6Fragment {
                offset: 0,
                more: false,
                ident: 0xdead_beef
            })
        );
    }

    #[test]
    fn later_fragment_is_data() {
        // Fragment (offset 1) says Destination Options follow, but the bytes
        // after it are fragment data: they must not be walked.
        let mut pl = std::vec![60u8, 0, 0, 8, 0, 0, 0, 1];
        pl.extend_from_slice(&[6, 200, 0, 0, 0, 0, 0, 0]);
        let b = packet(44, &pl);
        let p = Ipv6Packet::new_checked(&b[..]).unwrap();
        let up = p.upper_layer().unwrap();
        assert_eq!(
            (up.protocol, up.offset, up.payload.len()),
            (IpProtocol::IPV6_OPTS, 8, 8)
        );
        assert_eq!(up.fragment.map(|f| f.offset), Some(1));
    }

    #[test]
    fn ah_length_in_words() {
        // AH with Payload Len 4 -> (4 + 2) * 4 = 24 bytes.
        let mut pl = std::vec![17u8, 4];
        pl.resize(24, 0);
        pl.extend_from_slice(&[1, 2, 3, 4, 0, 8, 0, 0]);
        let b = packet(51, &pl);
        let p = Ipv6Packet::new_checked(&b[..]).unwrap();
        let up = p.upper_layer().unwrap();
        assert_eq!((up.protocol, up.offset), (IpProtocol::UDP, 24));
    }

    #[test]
    fn chain_errors() {
        // Truncated: Routing header claims 16 bytes, 8 present.
        let b = packet(43, &[6, 1, 0, 0, 0, 0, 0, 0]);
        let p = Ipv6Packet::new_checked(&b[..]).unwrap();
        assert!(matches!(p.upper_layer(), Err(Error::Truncated { .. })));
        // Too long: nine Destination Options headers.
        let mut pl = Vec::new();
        for _ in 0..9 {
            pl.extend_from_slice(&[60, 0, 1, 4, 0, 0, 0, 0]);
        }
        let b = packet(60, &pl);
        let p = Ipv6Packet::new_checked(&b[..]).unwrap();
        assert_eq!(p.upper_layer(), Err(Error::TooManyExtensionHeaders(8)));
        // Hop-by-Hop second.
        let b = packet(60, &[0, 0, 1, 4, 0, 0, 0, 0, 59, 0, 1, 4, 0, 0, 0, 0]);
        let p = Ipv6Packet::new_checked(&b[..]).unwrap();
        assert_eq!(p.upper_layer(), Err(Error::HopByHopNotFirst));
    }

    #[test]
    fn payload_length_beyond_buffer() {
        let b = packet(59, &[0; 8]);
        assert!(matches!(
            Ipv6Packet::new_checked(&b[..47]),
            Err(Error::LengthBeyondBuffer { .. })
        ));
        assert!(matches!(
            Ipv6Packet::new_checked(&b[..39]),
            Err(Error::Truncated { .. })
        ));
    }

    proptest! {
        #[test]
        fn roundtrip(s in any::<[u8; 16]>(), d in any::<[u8; 16]>(), nh in any::<u8>(), len in 0usize..2000,
                     hl in any::<u8>(), tc in any::<u8>(), fl in 0u32..0x10_0000) {
            let r = Ipv6Repr { src_addr: s.into(), dst_addr: d.into(), next_header: IpProtocol(nh),
                               payload_len: len, hop_limit: hl, traffic_class: tc, flow_label: fl };
            let mut b = std::vec![0u8; r.buffer_len()];
            prop_assert_eq!(r.emit(&mut b).unwrap(), 40);
            let p = Ipv6Packet::new_checked(&b[..]).unwrap();
            prop_assert_eq!(Ipv6Repr::parse(&p, ChecksumMode::Verify).unwrap(), r);
        }

        #[test]
        fn arbitrary_bytes_never_panic(mut b in proptest::collection::vec(any::<u8>(), 0..200)) {
            if b.len() >= 6 {
                b[0] = 0x60 | (b[0] & 0x0f);
                let plen = (b.len().saturating_sub(40)) as u16;
                b[4..6].copy_from_slice(&plen.to_be_bytes());
            }
            if let Ok(p) = Ipv6Packet::new_checked(&b[..]) {
                let _ = p.upper_layer();
            }
        }
    }
}
