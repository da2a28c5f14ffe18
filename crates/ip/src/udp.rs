//! UDP (RFC 768).

use core::fmt;

use crate::checksum::{self, PseudoHeader};
use crate::{be16, ChecksumMode, Error, IpProtocol};

/// Length of the UDP header.
pub(crate) const HEADER_LEN: usize = 8;

/// A checked view of a UDP datagram.
///
/// [`UdpPacket::new_checked`] verifies that the 8-byte header is present and
/// that the length field covers the header and does not exceed the buffer
/// (RFC 768: "Length is the length in octets of this user datagram including
/// this header and the data"). Bytes past the length are ignored.
///
/// ```
/// use handshake_ip::UdpPacket;
/// let b = [0x14, 0xe9, 0x00, 0x35, 0x00, 0x0a, 0x00, 0x00, b'h', b'i'];
/// let p = UdpPacket::new_checked(&b[..]).unwrap();
/// assert_eq!((p.src_port(), p.dst_port()), (5353, 53));
/// assert_eq!(p.payload(), b"hi");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct UdpPacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> UdpPacket<T> {
    /// Wraps `buffer` after checking the header and the length field.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let b = buffer.as_ref();
        if b.len() < HEADER_LEN {
            return Err(Error::Truncated {
                what: "UDP header",
                need: HEADER_LEN,
                have: b.len(),
            });
        }
        let len = usize::from(be16(b, 4));
        if len < HEADER_LEN {
            return Err(Error::LengthBelowHeader {
                what: "UDP",
                value: len,
                min: HEADER_LEN,
            });
        }
        if len > b.len() {
            return Err(Error::LengthBeyondBuffer {
                what: "UDP",
                value: len,
                have: b.len(),
            });
        }
        Ok(UdpPacket { buffer })
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// Source port.
    pub fn src_port(&self) -> u16 {
        be16(self.b(), 0)
    }

    /// Destination port.
    pub fn dst_port(&self) -> u16 {
        be16(self.b(), 2)
    }

    /// Length field: header plus data.
    pub fn len(&self) -> usize {
        usize::from(be16(self.b(), 4))
    }

    /// True when the datagram carries no data.
    pub fn is_empty(&self) -> bool {
        self.len() == HEADER_LEN
    }

    /// Checksum field.
    pub fn checksum(&self) -> u16 {
        be16(self.b(), 6)
    }

    /// The data.
    pub fn payload(&self) -> &[u8] {
        &self.b()[HEADER_LEN..self.len()]
    }

    /// True when the checksum over the pseudo-header and datagram verifies,
    /// or (IPv4 only) is zero, meaning "not computed" (RFC 768).
    pub fn verify_checksum(&self, ph: &PseudoHeader) -> bool {
        if self.checksum() == 0 {
            return !ph.is_ipv6();
        }
        self.sum(ph) == 0xffff
    }

    fn sum(&self, ph: &PseudoHeader) -> u16 {
        let len = self.len();
        checksum::add(
            ph.sum(IpProtocol::UDP, len as u32),
            checksum::sum(&self.b()[..len]),
        )
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> UdpPacket<&'a T> {
    /// The data with the buffer's lifetime.
    pub fn payload_slice(&self) -> &'a [u8] {
        let len = self.len();
        &self.buffer.as_ref()[HEADER_LEN..len]
    }
}

impl<T: AsRef<[u8]>> fmt::Debug for UdpPacket<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpPacket")
            .field("src_port", &self.src_port())
            .field("dst_port", &self.dst_port())
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

/// A plain UDP datagram.
///
/// ```
/// use core::net::Ipv6Addr;
/// use handshake_ip::{checksum::PseudoHeader, ChecksumMode, UdpPacket, UdpRepr};
/// let ph = PseudoHeader::V6 { src: Ipv6Addr::LOCALHOST, dst: Ipv6Addr::LOCALHOST };
/// let r = UdpRepr { src_port: 1, dst_port: 2, payload: b"x" };
/// let mut buf = [0u8; 9];
/// r.emit(&mut buf, &ph).unwrap();
/// let p = UdpPacket::new_checked(&buf[..]).unwrap();
/// assert_eq!(UdpRepr::parse(&p, &ph, ChecksumMode::Verify).unwrap(), r);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UdpRepr<'a> {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// The data.
    pub payload: &'a [u8],
}

impl<'a> UdpRepr<'a> {
    /// Reads a checked view, verifying the checksum unless `mode` says not to.
    ///
    /// Over IPv4 a zero checksum means the sender computed none (RFC 768); over
    /// IPv6 it is an error (RFC 8200 §8.1: the UDP checksum is mandatory).
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &UdpPacket<&'a T>,
        ph: &PseudoHeader,
        mode: ChecksumMode,
    ) -> Result<Self, Error> {
        if mode == ChecksumMode::Verify {
            if packet.checksum() == 0 {
                if ph.is_ipv6() {
                    return Err(Error::UdpZeroChecksumV6);
                }
            } else {
                let sum = packet.sum(ph);
                if sum != 0xffff {
                    return Err(Error::BadChecksum { what: "UDP", sum });
                }
            }
        }
        Ok(UdpRepr {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
            payload: packet.payload_slice(),
        })
    }

    /// Header plus data length.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + self.payload.len()
    }

    /// Writes header and data into the start of `buf` with the checksum over
    /// `ph` filled in; returns the datagram length.
    pub fn emit(&self, buf: &mut [u8], ph: &PseudoHeader) -> Result<usize, Error> {
        let len = self.buffer_len();
        if len > usize::from(u16::MAX) {
            return Err(Error::FieldOverflow {
                what: "UDP length",
                value: len,
            });
        }
        let Some(d) = buf.get_mut(..len) else {
            return Err(Error::BufferTooSmall {
                need: len,
                have: buf.len(),
            });
        };
        d[0..2].copy_from_slice(&self.src_port.to_be_bytes());
        d[2..4].copy_from_slice(&self.dst_port.to_be_bytes());
        d[4..6].copy_from_slice(&(len as u16).to_be_bytes());
        d[6..8].copy_from_slice(&[0, 0]);
        d[HEADER_LEN..].copy_from_slice(self.payload);
        let c = !checksum::add(ph.sum(IpProtocol::UDP, len as u32), checksum::sum(d));
        // RFC 768: "If the computed checksum is zero, it is transmitted as all
        // ones"; zero on the wire means "no checksum".
        let c = if c == 0 { 0xffff } else { c };
        d[6..8].copy_from_slice(&c.to_be_bytes());
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::{Ipv4Addr, Ipv6Addr};
    use proptest::prelude::*;

    fn v4() -> PseudoHeader {
        PseudoHeader::V4 {
            src: Ipv4Addr::new(192, 0, 2, 1),
            dst: Ipv4Addr::new(192, 0, 2, 2),
        }
    }

    #[test]
    fn zero_checksum_v4_accepted_v6_rejected() {
        let b = [0, 1, 0, 2, 0, 8, 0, 0];
        let p = UdpPacket::new_checked(&b[..]).unwrap();
        assert!(UdpRepr::parse(&p, &v4(), ChecksumMode::Verify).is_ok());
        let v6 = PseudoHeader::V6 {
            src: Ipv6Addr::LOCALHOST,
            dst: Ipv6Addr::LOCALHOST,
        };
        assert_eq!(
            UdpRepr::parse(&p, &v6, ChecksumMode::Verify),
            Err(Error::UdpZeroChecksumV6)
        );
    }

    #[test]
    fn computed_zero_sent_as_ffff() {
        // Find a payload whose checksum computes to zero: choose the last two
        // bytes so the total sum is 0xffff.
        let ph = v4();
        let mut payload = [0u8; 2];
        let r = UdpRepr {
            src_port: 1,
            dst_port: 2,
            payload: &payload,
        };
        let mut buf = [0u8; 10];
        r.emit(&mut buf, &ph).unwrap();
        let c = u16::from_be_bytes([buf[6], buf[7]]);
        payload = c.to_be_bytes();
        let r = UdpRepr {
            src_port: 1,
            dst_port: 2,
            payload: &payload,
        };
        r.emit(&mut buf, &ph).unwrap();
        assert_eq!(&buf[6..8], &[0xff, 0xff]);
        let p = UdpPacket::new_checked(&buf[..]).unwrap();
        assert_eq!(UdpRepr::parse(&p, &ph, ChecksumMode::Verify).unwrap(), r);
    }

    #[test]
    fn length_mismatch() {
        let b = [0, 1, 0, 2, 0, 12, 0, 0, 1, 2];
        assert!(matches!(
            UdpPacket::new_checked(&b[..]),
            Err(Error::LengthBeyondBuffer { .. })
        ));
        let b = [0, 1, 0, 2, 0, 7, 0, 0];
        assert!(matches!(
            UdpPacket::new_checked(&b[..]),
            Err(Error::LengthBelowHeader { .. })
        ));
        assert!(matches!(
            UdpPacket::new_checked(&b[..7]),
            Err(Error::Truncated { .. })
        ));
    }

    proptest! {
        #[test]
        fn roundtrip(sp in any::<u16>(), dp in any::<u16>(), data in proptest::collection::vec(any::<u8>(), 0..1500), v6 in any::<bool>(), a in any::<[u8; 16]>(), b in any::<[u8; 16]>()) {
            let ph = if v6 {
                PseudoHeader::V6 { src: a.into(), dst: b.into() }
            } else {
                PseudoHeader::V4 { src: [a[0], a[1], a[2], a[3]].into(), dst: [b[0], b[1], b[2], b[3]].into() }
            };
            let r = UdpRepr { src_port: sp, dst_port: dp, payload: &data };
            let mut buf = std::vec![0u8; r.buffer_len()];
            prop_assert_eq!(r.emit(&mut buf, &ph).unwrap(), buf.len());
            let p = UdpPacket::new_checked(&buf[..]).unwrap();
            prop_assert!(p.verify_checksum(&ph));
            prop_assert_eq!(UdpRepr::parse(&p, &ph, ChecksumMode::Verify).unwrap(), r);
            // Any single-bit flip outside the checksum field is detected.
            let mut bad = buf.clone();
            let i = (sp as usize) % bad.len();
            bad[i] ^= 0x10;
            if i != 6 && i != 7 {
                let p = UdpPacket::new_checked(&bad[..]);
                if let Ok(p) = p {
                    prop_assert!(UdpRepr::parse(&p, &ph, ChecksumMode::Verify).is_err());
                }
            }
        }
    }
}
