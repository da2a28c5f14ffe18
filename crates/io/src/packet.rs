//! IPv4 + TCP and IPv6 + TCP datagrams as they cross a TUN device: parsed
//! with every checksum verified, emitted with them filled. [`decode`] and
//! [`encode`] are the IPv4 pair; [`decode_ip`] and [`encode_ip`] take
//! either family.
//!
//! ```
//! use handshake_io::packet::{decode, encode};
//! use handshake_ip::Ipv4Addr;
//! use handshake_tcp::wire::{SegmentRepr, SeqNumber, TcpFlags};
//! let (a, b) = (Ipv4Addr::new(192, 0, 2, 2), Ipv4Addr::new(192, 0, 2, 1));
//! let syn = SegmentRepr::new(40000, 80, SeqNumber(7), TcpFlags::SYN);
//! let bytes = encode(a, b, &syn).unwrap();
//! let d = decode(&bytes).unwrap();
//! assert_eq!((d.src, d.dst, d.segment), (a, b, syn));
//! ```

use handshake_ip::checksum::PseudoHeader;
use std::net::IpAddr;

use handshake_ip::{
    ChecksumMode, IpProtocol, Ipv4Addr, Ipv4Packet, Ipv4Repr, Ipv6Addr, Ipv6Packet, Ipv6Repr,
};
use handshake_tcp::conn::TransmitRef;
use handshake_tcp::wire::{Ecn, Segment, SegmentRepr};

/// Why a datagram is not a valid IPv4/TCP packet.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PacketError {
    /// The IPv4 header is malformed or its checksum is wrong.
    #[error("IPv4: {0}")]
    Ip(#[from] handshake_ip::Error),
    /// The TCP segment is malformed or its checksum is wrong.
    #[error("TCP: {0}")]
    Tcp(#[from] handshake_tcp::Error),
    /// Not TCP, or a fragment.
    #[error("not a whole TCP datagram (protocol {protocol}, fragment offset {offset}, more fragments {more})")]
    NotTcp {
        /// The IP protocol number.
        protocol: u8,
        /// Fragment offset.
        offset: u16,
        /// More-fragments flag.
        more: bool,
    },
    /// The source and destination are of different families.
    #[error("an IPv4 address with an IPv6 one")]
    MixedFamilies,
}

/// A parsed datagram borrowing its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// IPv4 source.
    pub src: Ipv4Addr,
    /// IPv4 destination.
    pub dst: Ipv4Addr,
    /// The TCP segment.
    pub segment: SegmentRepr<'a>,
    /// The ECN field of the IPv4 header (RFC 3168 §5).
    pub ecn: Ecn,
}

/// Parses an IPv4 datagram carrying a whole TCP segment, verifying the IPv4
/// header checksum (RFC 791 §3.1) and the TCP checksum (RFC 9293 §3.1, MUST-2, MUST-3).
pub fn decode(bytes: &[u8]) -> Result<Decoded<'_>, PacketError> {
    let pkt = Ipv4Packet::new_checked(bytes)?;
    let ip = Ipv4Repr::parse(&pkt, ChecksumMode::Verify)?;
    if ip.protocol != IpProtocol::TCP || ip.more_frags || ip.frag_offset != 0 {
        return Err(PacketError::NotTcp {
            protocol: ip.protocol.0,
            offset: ip.frag_offset,
            more: ip.more_frags,
        });
    }
    let payload = pkt.payload_slice();
    let seg = Segment::new_checked(payload)?;
    let ph = PseudoHeader::V4 {
        src: ip.src_addr,
        dst: ip.dst_addr,
    };
    let segment = SegmentRepr::parse(&seg, &ph, ChecksumMode::Verify)?;
    Ok(Decoded {
        src: ip.src_addr,
        dst: ip.dst_addr,
        segment,
        ecn: Ecn::from_bits(ip.ecn),
    })
}

/// A parsed IPv4 or IPv6 datagram, borrowing its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram<'a> {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// The TCP segment.
    pub segment: SegmentRepr<'a>,
    /// The ECN field: the IPv4 TOS octet's or the IPv6 Traffic Class's two
    /// low bits (RFC 3168 §5).
    pub ecn: Ecn,
}

/// Parses an IPv4 or IPv6 datagram carrying a whole TCP segment, verifying
/// every checksum (the IPv4 header's; the TCP one over the family's
/// pseudo-header, RFC 9293 §3.1 MUST-2, RFC 8200 §8.1). IPv6 extension
/// headers are walked to the upper layer; a fragment is not a whole segment.
///
/// ```
/// use handshake_io::packet::{decode_ip, encode_ip};
/// use handshake_tcp::wire::{Ecn, SegmentRepr, SeqNumber, TcpFlags};
/// let (a, b) = ("2001:db8::2".parse().unwrap(), "2001:db8::1".parse().unwrap());
/// let syn = SegmentRepr::new(40000, 80, SeqNumber(7), TcpFlags::SYN);
/// let bytes = encode_ip(a, b, &syn, Ecn::NotEct).unwrap();
/// assert_eq!(bytes.len(), 40 + 20);
/// let d = decode_ip(&bytes).unwrap();
/// assert_eq!((d.src, d.dst, d.segment), (a, b, syn));
/// ```
pub fn decode_ip(bytes: &[u8]) -> Result<Datagram<'_>, PacketError> {
    if bytes.first().map(|b| b >> 4) != Some(6) {
        return decode(bytes).map(|d| Datagram {
            src: d.src.into(),
            dst: d.dst.into(),
            segment: d.segment,
            ecn: d.ecn,
        });
    }
    let pkt = Ipv6Packet::new_checked(bytes)?;
    let up = pkt.upper_layer_slice()?;
    if up.protocol != IpProtocol::TCP || up.fragment.is_some() {
        return Err(PacketError::NotTcp {
            protocol: up.protocol.0,
            offset: up.fragment.map_or(0, |f| f.offset),
            more: up.fragment.is_some_and(|f| f.more),
        });
    }
    let seg = Segment::new_checked(up.payload)?;
    let (src, dst) = (pkt.src_addr(), pkt.dst_addr());
    let segment = SegmentRepr::parse(&seg, &PseudoHeader::V6 { src, dst }, ChecksumMode::Verify)?;
    Ok(Datagram {
        src: src.into(),
        dst: dst.into(),
        segment,
        ecn: Ecn::from_bits(pkt.traffic_class()),
    })
}

/// Builds the IPv4 or IPv6 datagram for `seg` from `src` to `dst` (both of
/// one family), checksums filled, `ecn` in the ECN field (RFC 3168 §5).
pub fn encode_ip(
    src: IpAddr,
    dst: IpAddr,
    seg: &SegmentRepr<'_>,
    ecn: Ecn,
) -> Result<Vec<u8>, PacketError> {
    encode_any(src, dst, seg, ecn)
}

/// [`encode_ip`] for a segment whose data is lent from a connection's send
/// buffer ([`Endpoint::poll_segment`](handshake_tcp::endpoint::Endpoint::poll_segment)),
/// with its own ECN codepoint: the data is copied once, straight into the
/// datagram.
pub fn encode_transmit(
    src: IpAddr,
    dst: IpAddr,
    t: &TransmitRef<'_>,
) -> Result<Vec<u8>, PacketError> {
    encode_any(src, dst, t, t.ecn)
}

/// A TCP segment that can write itself behind an IP header.
trait Emit {
    fn buffer_len(&self) -> usize;
    fn emit(&self, buf: &mut [u8], ph: &PseudoHeader) -> Result<usize, handshake_tcp::Error>;
}

impl Emit for SegmentRepr<'_> {
    fn buffer_len(&self) -> usize {
        SegmentRepr::buffer_len(self)
    }
    fn emit(&self, buf: &mut [u8], ph: &PseudoHeader) -> Result<usize, handshake_tcp::Error> {
        SegmentRepr::emit(self, buf, ph)
    }
}

impl Emit for TransmitRef<'_> {
    fn buffer_len(&self) -> usize {
        TransmitRef::buffer_len(self)
    }
    fn emit(&self, buf: &mut [u8], ph: &PseudoHeader) -> Result<usize, handshake_tcp::Error> {
        TransmitRef::emit(self, buf, ph)
    }
}

fn encode_any(src: IpAddr, dst: IpAddr, seg: &impl Emit, ecn: Ecn) -> Result<Vec<u8>, PacketError> {
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => encode_v4(s, d, seg, ecn),
        (IpAddr::V6(s), IpAddr::V6(d)) => encode_v6(s, d, seg, ecn),
        _ => Err(PacketError::MixedFamilies),
    }
}

fn encode_v6(
    src: Ipv6Addr,
    dst: Ipv6Addr,
    seg: &impl Emit,
    ecn: Ecn,
) -> Result<Vec<u8>, PacketError> {
    let mut ip = Ipv6Repr::new(src, dst, IpProtocol::TCP, seg.buffer_len());
    ip.traffic_class = ecn.bits();
    behind_header(
        ip.buffer_len(),
        |b| ip.emit(b),
        seg,
        &PseudoHeader::V6 { src, dst },
    )
}

/// A datagram of `len` octets: the IP header `header` writes, then `seg`
/// with its checksum over `ph`.
fn behind_header(
    len: usize,
    header: impl FnOnce(&mut [u8]) -> Result<usize, handshake_ip::Error>,
    seg: &impl Emit,
    ph: &PseudoHeader,
) -> Result<Vec<u8>, PacketError> {
    let mut buf = vec![0u8; len];
    let hl = header(&mut buf)?;
    let n = seg.emit(&mut buf[hl..], ph)?;
    buf.truncate(hl + n);
    Ok(buf)
}

/// Builds the IPv4 datagram for `seg` from `src` to `dst`, checksums
/// filled, Not-ECT.
pub fn encode(src: Ipv4Addr, dst: Ipv4Addr, seg: &SegmentRepr<'_>) -> Result<Vec<u8>, PacketError> {
    encode_ecn(src, dst, seg, Ecn::NotEct)
}

/// [`encode`] with `ecn` in the IPv4 header's ECN field (RFC 3168 §5; the
/// header checksum covers it).
///
/// ```
/// use handshake_io::packet::{decode, encode_ecn};
/// use handshake_ip::Ipv4Addr;
/// use handshake_tcp::wire::{Ecn, SegmentRepr, SeqNumber, TcpFlags};
/// let (a, b) = (Ipv4Addr::new(192, 0, 2, 2), Ipv4Addr::new(192, 0, 2, 1));
/// let mut seg = SegmentRepr::new(40000, 80, SeqNumber(7), TcpFlags::ACK);
/// seg.payload = b"data";
/// let bytes = encode_ecn(a, b, &seg, Ecn::Ect0).unwrap();
/// assert_eq!(bytes[1] & 3, 0b10); // the TOS octet's two low bits
/// assert_eq!(decode(&bytes).unwrap().ecn, Ecn::Ect0);
/// ```
pub fn encode_ecn(
    src: Ipv4Addr,
    dst: Ipv4Addr,
    seg: &SegmentRepr<'_>,
    ecn: Ecn,
) -> Result<Vec<u8>, PacketError> {
    encode_v4(src, dst, seg, ecn)
}

fn encode_v4(
    src: Ipv4Addr,
    dst: Ipv4Addr,
    seg: &impl Emit,
    ecn: Ecn,
) -> Result<Vec<u8>, PacketError> {
    let mut ip = Ipv4Repr::new(src, dst, IpProtocol::TCP, seg.buffer_len());
    ip.ecn = ecn.bits();
    behind_header(
        ip.buffer_len(),
        |b| ip.emit(b),
        seg,
        &PseudoHeader::V4 { src, dst },
    )
}

/// `bytes` with its last TCP data byte flipped (XOR 0xff) and both
/// checksums recomputed, as an on-path attacker would send it; `None` if it
/// is not a well-formed IPv4 TCP datagram with data.
pub fn tamper(bytes: &[u8]) -> Option<Vec<u8>> {
    let d = decode_ip(bytes).ok()?;
    let mut payload = d.segment.payload.to_vec();
    *payload.last_mut()? ^= 0xff;
    let mut seg = d.segment;
    seg.payload = &payload;
    encode_ip(d.src, d.dst, &seg, d.ecn).ok()
}

/// `bytes` with Congestion Experienced in the IPv4 ECN field and the header
/// checksum made right again, as a router marks a packet instead of
/// dropping it (RFC 3168 §5): only an ECN-capable packet (ECT(0), ECT(1))
/// is marked; `None` for a Not-ECT one, one already CE, or no IP header.
/// In IPv6 the Traffic Class (no header checksum) carries it.
pub fn mark_ce(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.first().map(|b| b >> 4) == Some(6) {
        let pkt = Ipv6Packet::new_checked(bytes).ok()?;
        let ecn = Ecn::from_bits(pkt.traffic_class());
        if !ecn.is_ect() || ecn == Ecn::Ce {
            return None;
        }
        let mut out = bytes.to_vec();
        // The Traffic Class straddles octets 0 and 1: its two low bits
        // are bits 5 and 4 of octet 1.
        out[1] |= Ecn::Ce.bits() << 4;
        return Some(out);
    }
    let pkt = Ipv4Packet::new_checked(bytes).ok()?;
    let hl = pkt.header_len();
    let ecn = Ecn::from_bits(*bytes.get(1)?);
    if !ecn.is_ect() || ecn == Ecn::Ce {
        return None;
    }
    let mut out = bytes.to_vec();
    out[1] |= Ecn::Ce.bits();
    out[10..12].fill(0);
    let c = handshake_ip::checksum::checksum(&out[..hl]);
    out[10..12].copy_from_slice(&c.to_be_bytes());
    Some(out)
}

/// An ICMP error about a TCP segment, as the endpoint takes it: our end
/// and the peer's (from the quoted headers), the quoted sequence number,
/// and what happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IcmpAbout {
    /// Our end: the quoted datagram's source and TCP source port.
    pub local: std::net::SocketAddr,
    /// The peer's end: the quoted destination and TCP destination port.
    pub remote: std::net::SocketAddr,
    /// The quoted TCP header's sequence number.
    pub seq: handshake_tcp::wire::SeqNumber,
    /// The error.
    pub error: handshake_tcp::conn::IcmpError,
}

/// Reads an IPv4 or IPv6 datagram carrying an ICMP or ICMPv6 error about
/// a TCP segment (RFC 792, RFC 4443 §3; RFC 9293 §3.9.2.2): `None` for
/// anything else, a bad checksum, or a quote too short to name the
/// connection.
pub fn icmp_error(bytes: &[u8]) -> Option<IcmpAbout> {
    use handshake_ip::{IcmpPacket, Icmpv4Error};
    use handshake_tcp::conn::IcmpError;
    if bytes.first().map(|b| b >> 4) == Some(6) {
        return icmpv6_error(bytes);
    }
    let pkt = Ipv4Packet::new_checked(bytes).ok()?;
    let ip = Ipv4Repr::parse(&pkt, ChecksumMode::Verify).ok()?;
    if ip.protocol != IpProtocol::ICMP || ip.more_frags || ip.frag_offset != 0 {
        return None;
    }
    let payload = pkt.payload_slice();
    let msg = IcmpPacket::new_checked(payload).ok()?;
    let e = Icmpv4Error::parse(&msg, ChecksumMode::Verify).ok()?;
    let q = e.quoted().ok()?;
    if q.protocol != IpProtocol::TCP.0 {
        return None;
    }
    // RFC 792: the quote holds at least the first 64 bits of the segment:
    // the ports and the sequence number.
    let t = q.payload;
    let port = |i: usize| u16::from_be_bytes([t[i], t[i + 1]]);
    let seq = u32::from_be_bytes([t[4], t[5], t[6], t[7]]);
    let error = match (e.msg_type, e.code) {
        (Icmpv4Error::DEST_UNREACHABLE, 4) => IcmpError::PacketTooBig {
            mtu: e.next_hop_mtu().unwrap_or(0),
        },
        (Icmpv4Error::DEST_UNREACHABLE, code) => IcmpError::Unreachable { code },
        (Icmpv4Error::SOURCE_QUENCH, _) => IcmpError::SourceQuench,
        (Icmpv4Error::TIME_EXCEEDED, _) => IcmpError::TimeExceeded,
        _ => IcmpError::ParameterProblem,
    };
    Some(IcmpAbout {
        local: std::net::SocketAddr::from((q.src, port(0))),
        remote: std::net::SocketAddr::from((q.dst, port(2))),
        seq: handshake_tcp::wire::SeqNumber(seq),
        error,
    })
}

/// ICMPv6 error types (RFC 4443 §3).
const ICMPV6_UNREACHABLE: u8 = 1;
const ICMPV6_PACKET_TOO_BIG: u8 = 2;
const ICMPV6_TIME_EXCEEDED: u8 = 3;
const ICMPV6_PARAMETER_PROBLEM: u8 = 4;

/// [`icmp_error`] for IPv6: the message's checksum over the pseudo-header
/// (RFC 4443 §2.3) verified, the invoking packet's IPv6 header and first
/// 8 TCP octets read from the quote (RFC 4443 §3: as much as fits).
fn icmpv6_error(bytes: &[u8]) -> Option<IcmpAbout> {
    use handshake_ip::IcmpPacket;
    use handshake_tcp::conn::IcmpError;
    let pkt = Ipv6Packet::new_checked(bytes).ok()?;
    let up = pkt.upper_layer_slice().ok()?;
    if up.protocol != IpProtocol::ICMPV6 || up.fragment.is_some() {
        return None;
    }
    let msg = IcmpPacket::new_checked(up.payload).ok()?;
    let ph = PseudoHeader::V6 {
        src: pkt.src_addr(),
        dst: pkt.dst_addr(),
    };
    if !msg.verify_checksum_v6(&ph) {
        return None;
    }
    let rest = u32::from_be_bytes(up.payload.get(4..8)?.try_into().ok()?);
    let error = match (msg.msg_type(), msg.code()) {
        // RFC 8201 §4: the next-hop MTU is the 32-bit field.
        (ICMPV6_PACKET_TOO_BIG, _) => IcmpError::PacketTooBig {
            mtu: u16::try_from(rest).unwrap_or(u16::MAX),
        },
        // RFC 4443 §3.1's codes in ICMPv4's terms (RFC 5461 §4): port
        // unreachable (4) is the hard error, as ICMPv4's code 3; no route
        // (0), address unreachable (3) and the policy codes are soft.
        (ICMPV6_UNREACHABLE, code) => IcmpError::Unreachable {
            code: match code {
                0 => 0,
                4 => 3,
                1 | 5 | 6 => 13,
                _ => 1,
            },
        },
        (ICMPV6_TIME_EXCEEDED, _) => IcmpError::TimeExceeded,
        (ICMPV6_PARAMETER_PROBLEM, _) => IcmpError::ParameterProblem,
        // Informational messages (128 and up) and unknown errors.
        _ => return None,
    };
    // The quote: a 40-octet IPv6 header of ours, then TCP's ports and
    // sequence number (our segments carry no extension headers).
    let q = msg.data_slice();
    if q.len() < 48 || q[0] >> 4 != 6 || q[6] != IpProtocol::TCP.0 {
        return None;
    }
    let addr = |at: usize| -> Option<Ipv6Addr> {
        Some(<[u8; 16]>::try_from(q.get(at..at + 16)?).ok()?.into())
    };
    let port = |i: usize| u16::from_be_bytes([q[40 + i], q[41 + i]]);
    Some(IcmpAbout {
        local: std::net::SocketAddr::from((addr(8)?, port(0))),
        remote: std::net::SocketAddr::from((addr(24)?, port(2))),
        seq: handshake_tcp::wire::SeqNumber(u32::from_be_bytes([q[44], q[45], q[46], q[47]])),
        error,
    })
}

/// The ICMPv6 error a router at `from` would send to the source of
/// `invoking` (an IPv6 packet we sent): type, code, the 32-bit field (the
/// MTU of a Packet Too Big), and as much of `invoking` as keeps the error
/// within the minimum MTU of 1280 (RFC 4443 §3, §2.4 (c)).
pub fn icmpv6_error_for(
    from: Ipv6Addr,
    invoking: &[u8],
    msg_type: u8,
    code: u8,
    rest: u32,
) -> Option<Vec<u8>> {
    let pkt = Ipv6Packet::new_checked(invoking).ok()?;
    let to = pkt.src_addr();
    let quote = &invoking[..invoking.len().min(1280 - 40 - 8)];
    let mut msg = vec![0u8; 8 + quote.len()];
    msg[0] = msg_type;
    msg[1] = code;
    msg[4..8].copy_from_slice(&rest.to_be_bytes());
    msg[8..].copy_from_slice(quote);
    let ph = PseudoHeader::V6 { src: from, dst: to };
    let sum = handshake_ip::checksum::add(
        ph.sum(IpProtocol::ICMPV6, msg.len() as u32),
        handshake_ip::checksum::sum(&msg),
    );
    msg[2..4].copy_from_slice(&(!sum).to_be_bytes());
    let ip = Ipv6Repr::new(from, to, IpProtocol::ICMPV6, msg.len());
    let mut buf = vec![0u8; ip.buffer_len()];
    let hl = ip.emit(&mut buf).ok()?;
    buf[hl..].copy_from_slice(&msg);
    Some(buf)
}

/// The ICMP error datagram a router at `from` would send to the source of
/// `invoking` (an IPv4 datagram we sent), quoting its header and the first
/// 8 octets of its data (RFC 792): for cases that play that router.
pub fn icmp_error_for(
    from: Ipv4Addr,
    invoking: &[u8],
    msg_type: u8,
    code: u8,
    rest: u32,
) -> Option<Vec<u8>> {
    let pkt = Ipv4Packet::new_checked(invoking).ok()?;
    let ip = Ipv4Repr::parse(&pkt, ChecksumMode::Ignore).ok()?;
    let quote = invoking.len().min(pkt.header_len() + 8);
    let e = handshake_ip::Icmpv4Error {
        msg_type,
        code,
        rest,
        invoking: &invoking[..quote],
    };
    let reply = Ipv4Repr::new(from, ip.src_addr, IpProtocol::ICMP, e.buffer_len());
    let mut buf = vec![0u8; reply.buffer_len()];
    let hl = reply.emit(&mut buf).ok()?;
    e.emit(&mut buf[hl..]).ok()?;
    Some(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use handshake_tcp::wire::{SeqNumber, TcpFlags};

    #[test]
    fn tamper_flips_the_last_byte_and_keeps_checksums_valid() {
        let (a, b) = (Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(192, 0, 2, 2));
        let mut seg = SegmentRepr::new(80, 49152, SeqNumber(1000), TcpFlags::ACK | TcpFlags::PSH);
        seg.payload = b"hello";
        let bytes = encode(a, b, &seg).unwrap();
        let altered = tamper(&bytes).unwrap();
        // decode verifies the IPv4 and TCP checksums (RFC 791, RFC 9293 §3.1).
        let d = decode(&altered).unwrap();
        assert_eq!(d.segment.payload, &[b'h', b'e', b'l', b'l', b'o' ^ 0xff]);
        assert_eq!(d.segment.seq_number, SeqNumber(1000));
        // The bytes differ in the data and the checksum only.
        let diff = bytes.iter().zip(&altered).filter(|(x, y)| x != y).count();
        assert!((2..=3).contains(&diff), "{diff} bytes differ");
        let mut empty = seg;
        empty.payload = &[];
        assert_eq!(tamper(&encode(a, b, &empty).unwrap()), None);
    }

    #[test]
    fn mark_ce_only_on_ect_and_keeps_the_checksum_valid() {
        let (a, b) = (Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(192, 0, 2, 2));
        let mut seg = SegmentRepr::new(80, 49152, SeqNumber(1000), TcpFlags::ACK);
        seg.payload = b"hello";
        for ect in [Ecn::Ect0, Ecn::Ect1] {
            let bytes = encode_ecn(a, b, &seg, ect).unwrap();
            let marked = mark_ce(&bytes).unwrap();
            // decode verifies the IPv4 header checksum (RFC 791 §3.1).
            let d = decode(&marked).unwrap();
            assert_eq!(d.ecn, Ecn::Ce);
            assert_eq!(d.segment, seg);
            assert_eq!(marked[1], 0b11, "DSCP untouched, ECN 11");
        }
        // RFC 3168 §5: a router never marks a Not-ECT packet.
        assert_eq!(mark_ce(&encode(a, b, &seg).unwrap()), None);
        assert_eq!(mark_ce(&encode_ecn(a, b, &seg, Ecn::Ce).unwrap()), None);
    }

    #[test]
    fn icmp_error_names_the_connection() {
        let (a, b) = (Ipv4Addr::new(192, 0, 2, 2), Ipv4Addr::new(192, 0, 2, 1));
        let mut seg = SegmentRepr::new(49152, 80, SeqNumber(0xdead_beef), TcpFlags::ACK);
        seg.payload = &[7; 1400];
        let sent = encode(a, b, &seg).unwrap();
        let router = Ipv4Addr::new(192, 0, 2, 254);
        let icmp = icmp_error_for(router, &sent, 3, 4, 1280).unwrap();
        // 20 (IPv4) + 8 (ICMP) + 20 (quoted IPv4) + 8 (quoted TCP), RFC 792.
        assert_eq!(icmp.len(), 56);
        let about = icmp_error(&icmp).unwrap();
        assert_eq!(about.local, "192.0.2.2:49152".parse().unwrap());
        assert_eq!(about.remote, "192.0.2.1:80".parse().unwrap());
        assert_eq!(about.seq, SeqNumber(0xdead_beef));
        assert_eq!(
            about.error,
            handshake_tcp::conn::IcmpError::PacketTooBig { mtu: 1280 }
        );
        let mut bad = icmp.clone();
        bad[30] ^= 1;
        assert_eq!(icmp_error(&bad), None, "a bad ICMP checksum is dropped");
        assert_eq!(icmp_error(&sent), None, "TCP is not ICMP");
    }

    #[test]
    fn ipv6_segments_round_trip_with_their_traffic_class() {
        let (a, b): (IpAddr, IpAddr) = (
            "2001:db8::2".parse().unwrap(),
            "2001:db8::1".parse().unwrap(),
        );
        let mut seg = SegmentRepr::new(49152, 80, SeqNumber(77), TcpFlags::ACK);
        seg.payload = b"over IPv6";
        let bytes = encode_ip(a, b, &seg, Ecn::Ect0).unwrap();
        // RFC 8200 §3: version 6, Traffic Class 0b10 (ECT(0)) in bits 4..12.
        assert_eq!(bytes[0], 0x60);
        assert_eq!(bytes[1] >> 4, 0b10);
        assert_eq!(bytes[6], 6, "next header TCP");
        let d = decode_ip(&bytes).unwrap();
        assert_eq!((d.src, d.dst, d.ecn), (a, b, Ecn::Ect0));
        assert_eq!(d.segment, seg);
        let marked = mark_ce(&bytes).unwrap();
        assert_eq!(decode_ip(&marked).unwrap().ecn, Ecn::Ce);
        let tampered = tamper(&bytes).unwrap();
        assert_eq!(
            decode_ip(&tampered).unwrap().segment.payload.last(),
            Some(&(b'6' ^ 0xff))
        );
        let mut bad = bytes.clone();
        bad[50] ^= 1;
        assert!(
            decode_ip(&bad).is_err(),
            "the TCP checksum covers the IPv6 pseudo-header"
        );
        let v4: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(matches!(
            encode_ip(a, v4, &seg, Ecn::NotEct),
            Err(PacketError::MixedFamilies)
        ));
    }

    #[test]
    fn icmpv6_errors_name_the_connection() {
        use handshake_tcp::conn::IcmpError;
        let (a, b): (IpAddr, IpAddr) = (
            "2001:db8::2".parse().unwrap(),
            "2001:db8::1".parse().unwrap(),
        );
        let mut seg = SegmentRepr::new(49152, 80, SeqNumber(0xfeed_f00d), TcpFlags::ACK);
        seg.payload = &[7; 1400];
        let sent = encode_ip(a, b, &seg, Ecn::NotEct).unwrap();
        let router: Ipv6Addr = "2001:db8::fe".parse().unwrap();
        let ptb = icmpv6_error_for(router, &sent, 2, 0, 1280).unwrap();
        // RFC 4443 §2.4 (c): the error fits the minimum MTU.
        assert_eq!(ptb.len(), 1280);
        let about = icmp_error(&ptb).unwrap();
        assert_eq!(about.local, "[2001:db8::2]:49152".parse().unwrap());
        assert_eq!(about.remote, "[2001:db8::1]:80".parse().unwrap());
        assert_eq!(about.seq, SeqNumber(0xfeed_f00d));
        assert_eq!(about.error, IcmpError::PacketTooBig { mtu: 1280 });
        let port = icmpv6_error_for(router, &sent, 1, 4, 0).unwrap();
        assert_eq!(
            icmp_error(&port).unwrap().error,
            IcmpError::Unreachable { code: 3 }
        );
        let mut bad = ptb.clone();
        bad[100] ^= 1;
        assert_eq!(icmp_error(&bad), None, "a bad ICMPv6 checksum is dropped");
        let echo = icmpv6_error_for(router, &sent, 128, 0, 0).unwrap();
        assert_eq!(icmp_error(&echo), None, "an echo request is no error");
    }

    proptest::proptest! {
        /// Hostile bytes get an error or `None`, never a panic: the IPv4
        /// and IPv6 decoders, the ICMP and ICMPv6 error readers, the fault
        /// rules' peek, and the CE marker and tamperer. Half the inputs
        /// claim to be IPv6 with a plausible length and TCP or ICMPv6 (or
        /// anything) next, to reach past the fixed header.
        #[test]
        fn arbitrary_bytes_never_panic(mut b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..1600), v6 in proptest::prelude::any::<bool>(), next in 0usize..3) {
            if v6 && b.len() >= 40 {
                b[0] = 0x60 | (b[0] & 0x0f);
                let plen = (b.len() - 40) as u16;
                b[4..6].copy_from_slice(&plen.to_be_bytes());
                b[6] = [6, 58, b[6]][next];
            }
            let _ = decode_ip(&b);
            let _ = icmp_error(&b);
            let _ = crate::fault::PacketInfo::of(&b);
            let _ = mark_ce(&b);
            let _ = tamper(&b);
        }
    }
}
