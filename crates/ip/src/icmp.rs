//! ICMPv4 (RFC 792) and ICMPv6 (RFC 4443) echo request and reply.

use core::fmt;

use crate::checksum::{self, PseudoHeader};
use crate::{be16, ChecksumMode, Error, IpProtocol};

/// Length of the ICMP header up to and including identifier and sequence number.
pub(crate) const ECHO_HEADER_LEN: usize = 8;

/// A checked view of an ICMP message; ICMPv4 and ICMPv6 share this layout
/// (type, code, checksum, four bytes of rest-of-header, data).
///
/// ```
/// use handshake_ip::IcmpPacket;
/// let b = [8, 0, 0xf7, 0xfd, 0, 1, 0, 1];
/// let p = IcmpPacket::new_checked(&b[..]).unwrap();
/// assert_eq!((p.msg_type(), p.echo_ident(), p.echo_seq_no()), (8, 1, 1));
/// assert!(p.verify_checksum_v4());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct IcmpPacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> IcmpPacket<T> {
    /// Wraps `buffer` after checking that the 8-byte header is present.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let len = buffer.as_ref().len();
        if len < ECHO_HEADER_LEN {
            return Err(Error::Truncated {
                what: "ICMP header",
                need: ECHO_HEADER_LEN,
                have: len,
            });
        }
        Ok(IcmpPacket { buffer })
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// Message type.
    pub fn msg_type(&self) -> u8 {
        self.b()[0]
    }

    /// Message code.
    pub fn code(&self) -> u8 {
        self.b()[1]
    }

    /// Checksum field.
    pub fn checksum(&self) -> u16 {
        be16(self.b(), 2)
    }

    /// Echo identifier.
    pub fn echo_ident(&self) -> u16 {
        be16(self.b(), 4)
    }

    /// Echo sequence number.
    pub fn echo_seq_no(&self) -> u16 {
        be16(self.b(), 6)
    }

    /// Data after the 8-byte header.
    pub fn data(&self) -> &[u8] {
        &self.b()[ECHO_HEADER_LEN..]
    }

    /// True when the ICMPv4 checksum (over the message alone, RFC 792) verifies.
    pub fn verify_checksum_v4(&self) -> bool {
        checksum::sum(self.b()) == 0xffff
    }

    /// True when the ICMPv6 checksum (over the pseudo-header and message,
    /// RFC 4443 §2.3) verifies.
    pub fn verify_checksum_v6(&self, ph: &PseudoHeader) -> bool {
        self.sum_v6(ph) == 0xffff
    }

    fn sum_v6(&self, ph: &PseudoHeader) -> u16 {
        let b = self.b();
        checksum::add(ph.sum(IpProtocol::ICMPV6, b.len() as u32), checksum::sum(b))
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> IcmpPacket<&'a T> {
    /// The data with the buffer's lifetime.
    pub fn data_slice(&self) -> &'a [u8] {
        &self.buffer.as_ref()[ECHO_HEADER_LEN..]
    }
}

impl<T: AsRef<[u8]>> fmt::Debug for IcmpPacket<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IcmpPacket")
            .field("type", &self.msg_type())
            .field("code", &self.code())
            .finish_non_exhaustive()
    }
}

/// Writes an echo message and returns its length; `checksum_of` turns the
/// sum of the message (checksum field zero) into the sum to complement.
fn emit_echo(
    buf: &mut [u8],
    msg_type: u8,
    ident: u16,
    seq_no: u16,
    data: &[u8],
    checksum_of: impl FnOnce(u16, usize) -> u16,
) -> Result<usize, Error> {
    let len = ECHO_HEADER_LEN + data.len();
    let Some(m) = buf.get_mut(..len) else {
        return Err(Error::BufferTooSmall {
            need: len,
            have: buf.len(),
        });
    };
    m[0] = msg_type;
    m[1] = 0;
    m[2..4].copy_from_slice(&[0, 0]);
    m[4..6].copy_from_slice(&ident.to_be_bytes());
    m[6..8].copy_from_slice(&seq_no.to_be_bytes());
    m[ECHO_HEADER_LEN..].copy_from_slice(data);
    let c = !checksum_of(checksum::sum(m), len);
    m[2..4].copy_from_slice(&c.to_be_bytes());
    Ok(len)
}

/// An ICMPv4 echo message (RFC 792, "Echo or Echo Reply Message").
///
/// ```
/// use handshake_ip::{ChecksumMode, IcmpPacket, Icmpv4Repr};
/// let r = Icmpv4Repr::EchoRequest { ident: 1, seq_no: 1, data: b"ping" };
/// let mut buf = [0u8; 12];
/// r.emit(&mut buf).unwrap();
/// let p = IcmpPacket::new_checked(&buf[..]).unwrap();
/// assert_eq!(Icmpv4Repr::parse(&p, ChecksumMode::Verify).unwrap(), r);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Icmpv4Repr<'a> {
    /// Type 8.
    EchoRequest {
        /// Identifier.
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Data.
        data: &'a [u8],
    },
    /// Type 0.
    EchoReply {
        /// Identifier.
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Data.
        data: &'a [u8],
    },
}

impl<'a> Icmpv4Repr<'a> {
    /// Echo Request type.
    pub const ECHO_REQUEST: u8 = 8;
    /// Echo Reply type.
    pub const ECHO_REPLY: u8 = 0;

    /// Reads an echo request or reply; other types and nonzero codes (RFC 792:
    /// echo "Code 0") are [`Error::UnsupportedIcmp`].
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &IcmpPacket<&'a T>,
        mode: ChecksumMode,
    ) -> Result<Self, Error> {
        verify_v4(packet, mode)?;
        let (ident, seq_no, data) = (
            packet.echo_ident(),
            packet.echo_seq_no(),
            packet.data_slice(),
        );
        match (packet.msg_type(), packet.code()) {
            (Self::ECHO_REQUEST, 0) => Ok(Icmpv4Repr::EchoRequest {
                ident,
                seq_no,
                data,
            }),
            (Self::ECHO_REPLY, 0) => Ok(Icmpv4Repr::EchoReply {
                ident,
                seq_no,
                data,
            }),
            (msg_type, code) => Err(Error::UnsupportedIcmp { msg_type, code }),
        }
    }

    /// Message length.
    pub fn buffer_len(&self) -> usize {
        match self {
            Icmpv4Repr::EchoRequest { data, .. } | Icmpv4Repr::EchoReply { data, .. } => {
                ECHO_HEADER_LEN + data.len()
            }
        }
    }

    /// Writes the message with its checksum into the start of `buf`; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let (t, ident, seq_no, data) = match *self {
            Icmpv4Repr::EchoRequest {
                ident,
                seq_no,
                data,
            } => (Self::ECHO_REQUEST, ident, seq_no, data),
            Icmpv4Repr::EchoReply {
                ident,
                seq_no,
                data,
            } => (Self::ECHO_REPLY, ident, seq_no, data),
        };
        emit_echo(buf, t, ident, seq_no, data, |s, _| s)
    }
}

/// An ICMPv6 echo message (RFC 4443 §4.1, §4.2).
///
/// ```
/// use core::net::Ipv6Addr;
/// use handshake_ip::{checksum::PseudoHeader, ChecksumMode, IcmpPacket, Icmpv6Repr};
/// let ph = PseudoHeader::V6 { src: Ipv6Addr::LOCALHOST, dst: Ipv6Addr::LOCALHOST };
/// let r = Icmpv6Repr::EchoReply { ident: 7, seq_no: 9, data: b"pong" };
/// let mut buf = [0u8; 12];
/// r.emit(&mut buf, &ph).unwrap();
/// let p = IcmpPacket::new_checked(&buf[..]).unwrap();
/// assert_eq!(Icmpv6Repr::parse(&p, &ph, ChecksumMode::Verify).unwrap(), r);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Icmpv6Repr<'a> {
    /// Type 128.
    EchoRequest {
        /// Identifier.
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Data.
        data: &'a [u8],
    },
    /// Type 129.
    EchoReply {
        /// Identifier.
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Data.
        data: &'a [u8],
    },
}

impl<'a> Icmpv6Repr<'a> {
    /// Echo Request type.
    pub const ECHO_REQUEST: u8 = 128;
    /// Echo Reply type.
    pub const ECHO_REPLY: u8 = 129;

    /// Reads an echo request or reply, verifying the checksum over the IPv6
    /// pseudo-header (RFC 4443 §2.3) unless `mode` says not to.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &IcmpPacket<&'a T>,
        ph: &PseudoHeader,
        mode: ChecksumMode,
    ) -> Result<Self, Error> {
        if mode == ChecksumMode::Verify {
            let sum = packet.sum_v6(ph);
            if sum != 0xffff {
                return Err(Error::BadChecksum {
                    what: "ICMPv6",
                    sum,
                });
            }
        }
        let (ident, seq_no, data) = (
            packet.echo_ident(),
            packet.echo_seq_no(),
            packet.data_slice(),
        );
        match (packet.msg_type(), packet.code()) {
            (Self::ECHO_REQUEST, 0) => Ok(Icmpv6Repr::EchoRequest {
                ident,
                seq_no,
                data,
            }),
            (Self::ECHO_REPLY, 0) => Ok(Icmpv6Repr::EchoReply {
                ident,
                seq_no,
                data,
            }),
            (msg_type, code) => Err(Error::UnsupportedIcmp { msg_type, code }),
        }
    }

    /// Message length.
    pub fn buffer_len(&self) -> usize {
        match self {
            Icmpv6Repr::EchoRequest { data, .. } | Icmpv6Repr::EchoReply { data, .. } => {
                ECHO_HEADER_LEN + data.len()
            }
        }
    }

    /// Writes the message with its checksum over `ph` into the start of `buf`;
    /// returns its length.
    pub fn emit(&self, buf: &mut [u8], ph: &PseudoHeader) -> Result<usize, Error> {
        let (t, ident, seq_no, data) = match *self {
            Icmpv6Repr::EchoRequest {
                ident,
                seq_no,
                data,
            } => (Self::ECHO_REQUEST, ident, seq_no, data),
            Icmpv6Repr::EchoReply {
                ident,
                seq_no,
                data,
            } => (Self::ECHO_REPLY, ident, seq_no, data),
        };
        if ECHO_HEADER_LEN + data.len() > u32::MAX as usize {
            return Err(Error::FieldOverflow {
                what: "ICMPv6 length",
                value: ECHO_HEADER_LEN + data.len(),
            });
        }
        emit_echo(buf, t, ident, seq_no, data, |s, len| {
            checksum::add(ph.sum(IpProtocol::ICMPV6, len as u32), s)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::Ipv6Addr;
    use proptest::prelude::*;

    #[test]
    fn known_echo_request_v4() {
        // `ping -c1` style: type 8, id 0x1234, seq 1, data "abcd".
        let b = [
            8, 0, 0x21, 0x04, 0x12, 0x34, 0x00, 0x01, 0x61, 0x62, 0x63, 0x64,
        ];
        let p = IcmpPacket::new_checked(&b[..]).unwrap();
        let r = Icmpv4Repr::parse(&p, ChecksumMode::Verify).unwrap();
        assert_eq!(
            r,
            Icmpv4Repr::EchoRequest {
                ident: 0x1234,
                seq_no: 1,
                data: b"abcd"
            }
        );
        let mut out = [0u8; 12];
        r.emit(&mut out).unwrap();
        assert_eq!(out, b);
    }

    #[test]
    fn unsupported_and_bad() {
        let mut b = [3u8, 1, 0, 0, 0, 0, 0, 0];
        let c = checksum::checksum(&b);
        b[2..4].copy_from_slice(&c.to_be_bytes());
        let p = IcmpPacket::new_checked(&b[..]).unwrap();
        assert_eq!(
            Icmpv4Repr::parse(&p, ChecksumMode::Verify),
            Err(Error::UnsupportedIcmp {
                msg_type: 3,
                code: 1
            })
        );
        b[5] = 1;
        let p = IcmpPacket::new_checked(&b[..]).unwrap();
        assert!(matches!(
            Icmpv4Repr::parse(&p, ChecksumMode::Verify),
            Err(Error::BadChecksum { .. })
        ));
        assert!(matches!(
            IcmpPacket::new_checked(&b[..7]),
            Err(Error::Truncated { .. })
        ));
    }

    proptest! {
        #[test]
        fn roundtrip(req in any::<bool>(), ident in any::<u16>(), seq_no in any::<u16>(), data in proptest::collection::vec(any::<u8>(), 0..600), a in any::<[u8; 16]>()) {
            let r4 = if req { Icmpv4Repr::EchoRequest { ident, seq_no, data: &data } } else { Icmpv4Repr::EchoReply { ident, seq_no, data: &data } };
            let mut buf = std::vec![0u8; r4.buffer_len()];
            r4.emit(&mut buf).unwrap();
            let p = IcmpPacket::new_checked(&buf[..]).unwrap();
            prop_assert_eq!(Icmpv4Repr::parse(&p, ChecksumMode::Verify).unwrap(), r4);

            let ph = PseudoHeader::V6 { src: a.into(), dst: Ipv6Addr::LOCALHOST };
            let r6 = if req { Icmpv6Repr::EchoRequest { ident, seq_no, data: &data } } else { Icmpv6Repr::EchoReply { ident, seq_no, data: &data } };
            r6.emit(&mut buf, &ph).unwrap();
            let p = IcmpPacket::new_checked(&buf[..]).unwrap();
            prop_assert!(p.verify_checksum_v6(&ph));
            prop_assert_eq!(Icmpv6Repr::parse(&p, &ph, ChecksumMode::Verify).unwrap(), r6);
        }
    }
}

/// RFC 792: the checksum is "the 16-bit ones's complement of the one's
/// complement sum of the ICMP message starting with the ICMP Type".
fn verify_v4<T: AsRef<[u8]> + ?Sized>(
    packet: &IcmpPacket<&T>,
    mode: ChecksumMode,
) -> Result<(), Error> {
    if mode == ChecksumMode::Verify && !packet.verify_checksum_v4() {
        return Err(Error::BadChecksum {
            what: "ICMPv4",
            sum: checksum::sum(packet.b()),
        });
    }
    Ok(())
}

/// An ICMPv4 error message (RFC 792) and the start of the datagram that
/// caused it: Destination Unreachable, Source Quench, Time Exceeded or
/// Parameter Problem. The transport layer matches the quoted datagram to
/// its connection ([`Icmpv4Error::quoted`]).
///
/// ```
/// use handshake_ip::{ChecksumMode, IcmpPacket, Icmpv4Error};
/// // Fragmentation needed, next-hop MTU 1280 (RFC 1191 §4), quoting a
/// // 20-octet IPv4 header and 8 octets of TCP.
/// let mut invoking = [0u8; 28];
/// invoking[0] = 0x45;
/// invoking[9] = 6;
/// invoking[12..16].copy_from_slice(&[192, 0, 2, 2]);
/// invoking[16..20].copy_from_slice(&[192, 0, 2, 1]);
/// let e = Icmpv4Error { msg_type: 3, code: 4, rest: 1280, invoking: &invoking };
/// let mut buf = [0u8; 36];
/// let n = e.emit(&mut buf).unwrap();
/// let p = IcmpPacket::new_checked(&buf[..n]).unwrap();
/// let back = Icmpv4Error::parse(&p, ChecksumMode::Verify).unwrap();
/// assert_eq!(back.next_hop_mtu(), Some(1280));
/// assert_eq!(back.quoted().unwrap().protocol, 6);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Icmpv4Error<'a> {
    /// 3 Destination Unreachable, 4 Source Quench, 11 Time Exceeded, 12
    /// Parameter Problem.
    pub msg_type: u8,
    /// The code.
    pub code: u8,
    /// The four octets after the checksum: for Destination Unreachable
    /// code 4 the next-hop MTU in the low 16 bits (RFC 1191 §4), for
    /// Parameter Problem the pointer in the high 8.
    pub rest: u32,
    /// The invoking datagram's IP header and at least 64 bits of its data.
    pub invoking: &'a [u8],
}

/// The datagram an ICMP error quotes (RFC 792: "Internet Header + 64 bits
/// of Original Data Datagram").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quoted<'a> {
    /// Its source: us, for an error about what we sent.
    pub src: core::net::Ipv4Addr,
    /// Its destination.
    pub dst: core::net::Ipv4Addr,
    /// Its protocol (6 for TCP).
    pub protocol: u8,
    /// What follows its header, as much as was quoted (at least 8 octets).
    pub payload: &'a [u8],
}

impl<'a> Icmpv4Error<'a> {
    /// Destination Unreachable.
    pub const DEST_UNREACHABLE: u8 = 3;
    /// Source Quench.
    pub const SOURCE_QUENCH: u8 = 4;
    /// Time Exceeded.
    pub const TIME_EXCEEDED: u8 = 11;
    /// Parameter Problem.
    pub const PARAMETER_PROBLEM: u8 = 12;

    /// Reads an error message; other types are [`Error::UnsupportedIcmp`].
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &IcmpPacket<&'a T>,
        mode: ChecksumMode,
    ) -> Result<Self, Error> {
        verify_v4(packet, mode)?;
        let (msg_type, code) = (packet.msg_type(), packet.code());
        if !matches!(
            msg_type,
            Self::DEST_UNREACHABLE
                | Self::SOURCE_QUENCH
                | Self::TIME_EXCEEDED
                | Self::PARAMETER_PROBLEM
        ) {
            return Err(Error::UnsupportedIcmp { msg_type, code });
        }
        let rest = (u32::from(packet.echo_ident()) << 16) | u32::from(packet.echo_seq_no());
        Ok(Icmpv4Error {
            msg_type,
            code,
            rest,
            invoking: packet.data_slice(),
        })
    }

    /// The next-hop MTU of a "fragmentation needed" (type 3 code 4, RFC
    /// 1191 §4); `None` for other messages or a router that reports 0.
    pub fn next_hop_mtu(&self) -> Option<u16> {
        let mtu = (self.rest & 0xffff) as u16;
        (self.msg_type == Self::DEST_UNREACHABLE && self.code == 4 && mtu != 0).then_some(mtu)
    }

    /// The quoted datagram's addresses, protocol and data: an IPv4 header
    /// (any options) and at least the 8 octets RFC 792 promises.
    pub fn quoted(&self) -> Result<Quoted<'a>, Error> {
        let b = self.invoking;
        let too_short = |need: usize| Error::Truncated {
            what: "quoted IPv4 datagram",
            need,
            have: b.len(),
        };
        let first = *b.first().ok_or(too_short(20))?;
        if first >> 4 != 4 {
            return Err(Error::UnsupportedIcmp {
                msg_type: self.msg_type,
                code: self.code,
            });
        }
        let ihl = usize::from(first & 0x0f) * 4;
        if ihl < 20 || b.len() < ihl + 8 {
            return Err(too_short(ihl.max(20) + 8));
        }
        let addr = |i: usize| core::net::Ipv4Addr::new(b[i], b[i + 1], b[i + 2], b[i + 3]);
        Ok(Quoted {
            src: addr(12),
            dst: addr(16),
            protocol: b[9],
            payload: &b[ihl..],
        })
    }

    /// Message length.
    pub fn buffer_len(&self) -> usize {
        8 + self.invoking.len()
    }

    /// Writes the message with its checksum into the start of `buf`;
    /// returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let len = self.buffer_len();
        let Some(m) = buf.get_mut(..len) else {
            return Err(Error::BufferTooSmall {
                need: len,
                have: buf.len(),
            });
        };
        m[0] = self.msg_type;
        m[1] = self.code;
        m[2..4].copy_from_slice(&[0, 0]);
        m[4..8].copy_from_slice(&self.rest.to_be_bytes());
        m[8..].copy_from_slice(self.invoking);
        let c = !checksum::sum(m);
        m[2..4].copy_from_slice(&c.to_be_bytes());
        Ok(len)
    }
}
