//! IPv4 + TCP datagrams as they cross a TUN device: parsed with both
//! checksums verified, emitted with both filled.
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
use handshake_ip::{ChecksumMode, IpProtocol, Ipv4Addr, Ipv4Packet, Ipv4Repr};
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
    let mut ip = Ipv4Repr::new(src, dst, IpProtocol::TCP, seg.buffer_len());
    ip.ecn = ecn.bits();
    let mut buf = vec![0u8; ip.buffer_len()];
    let hl = ip.emit(&mut buf)?;
    let ph = PseudoHeader::V4 { src, dst };
    let n = seg.emit(&mut buf[hl..], &ph)?;
    buf.truncate(hl + n);
    Ok(buf)
}

/// `bytes` with its last TCP data byte flipped (XOR 0xff) and both
/// checksums recomputed, as an on-path attacker would send it; `None` if it
/// is not a well-formed IPv4 TCP datagram with data.
pub fn tamper(bytes: &[u8]) -> Option<Vec<u8>> {
    let d = decode(bytes).ok()?;
    let mut payload = d.segment.payload.to_vec();
    *payload.last_mut()? ^= 0xff;
    let mut seg = d.segment;
    seg.payload = &payload;
    encode(d.src, d.dst, &seg).ok()
}

/// `bytes` with Congestion Experienced in the IPv4 ECN field and the header
/// checksum made right again, as a router marks a packet instead of
/// dropping it (RFC 3168 §5): only an ECN-capable packet (ECT(0), ECT(1))
/// is marked; `None` for a Not-ECT one, one already CE, or no IPv4 header.
pub fn mark_ce(bytes: &[u8]) -> Option<Vec<u8>> {
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

/// Reads an IPv4 datagram carrying an ICMP error about a TCP segment
/// (RFC 792; RFC 9293 §3.9.2.2): `None` for anything else, a bad checksum,
/// or a quote too short to name the connection.
pub fn icmp_error(bytes: &[u8]) -> Option<IcmpAbout> {
    use handshake_ip::{IcmpPacket, Icmpv4Error};
    use handshake_tcp::conn::IcmpError;
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
}
