//! IPv4, IPv6, UDP and ICMP wire formats and the Internet checksum.
//!
//! Each format comes as a checked zero-copy view over bytes (`Ipv4Packet<T>`,
//! `Ipv6Packet<T>`, `UdpPacket<T>`, `IcmpPacket<T>`) and a plain
//! representation (`Ipv4Repr`, `Ipv6Repr`, `UdpRepr`, `Icmpv4Repr`,
//! `Icmpv6Repr`) with `parse` (which verifies the checksum unless told not to)
//! and `emit` (which fills it in). Nothing here panics on hostile input or
//! allocates: every malformation is an [`Error`].
//!
//! ```
//! use core::net::Ipv4Addr;
//! use handshake_ip::{checksum::PseudoHeader, ChecksumMode, IpProtocol, Ipv4Packet, Ipv4Repr, UdpPacket, UdpRepr};
//!
//! let (src, dst) = (Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(192, 0, 2, 2));
//! let udp = UdpRepr { src_port: 5353, dst_port: 53, payload: b"hello" };
//! let ip = Ipv4Repr::new(src, dst, IpProtocol::UDP, udp.buffer_len());
//! let mut buf = [0u8; 64];
//! let hl = ip.emit(&mut buf).unwrap();
//! let ph = PseudoHeader::V4 { src, dst };
//! let n = udp.emit(&mut buf[hl..], &ph).unwrap();
//!
//! let pkt = Ipv4Packet::new_checked(&buf[..hl + n]).unwrap();
//! let parsed = Ipv4Repr::parse(&pkt, ChecksumMode::Verify).unwrap();
//! assert_eq!(parsed, ip);
//! let dgram = UdpPacket::new_checked(pkt.payload()).unwrap();
//! assert_eq!(UdpRepr::parse(&dgram, &ph, ChecksumMode::Verify).unwrap(), udp);
//! ```
#![no_std]
#![deny(missing_docs)]

#[cfg(test)]
extern crate std;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub mod checksum;
mod error;
mod icmp;
mod ipv4;
mod ipv6;
mod udp;

pub use error::Error;
pub use icmp::{IcmpPacket, Icmpv4Error, Icmpv4Repr, Icmpv6Repr, Quoted};
pub use ipv4::{Ipv4Options, Ipv4Packet, Ipv4Repr};
pub use ipv6::{Ipv6Fragment, Ipv6Packet, Ipv6Repr, UpperLayer, MAX_EXTENSION_HEADERS};
pub use udp::{UdpPacket, UdpRepr};

pub use core::net::{Ipv4Addr, Ipv6Addr};

/// Whether `parse` verifies a checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ChecksumMode {
    /// Verify it and fail with [`Error::BadChecksum`] when it is wrong.
    #[default]
    Verify,
    /// Do not look at it (it was verified already, e.g. by hardware offload).
    Ignore,
}

/// An IP protocol number / IPv6 next-header value (IANA "Assigned Internet
/// Protocol Numbers").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IpProtocol(pub u8);

impl IpProtocol {
    /// IPv6 Hop-by-Hop Options (RFC 8200 §4.3).
    pub const HOP_BY_HOP: IpProtocol = IpProtocol(0);
    /// ICMP for IPv4 (RFC 792).
    pub const ICMP: IpProtocol = IpProtocol(1);
    /// TCP (RFC 9293).
    pub const TCP: IpProtocol = IpProtocol(6);
    /// UDP (RFC 768).
    pub const UDP: IpProtocol = IpProtocol(17);
    /// IPv6 Routing header (RFC 8200 §4.4).
    pub const IPV6_ROUTE: IpProtocol = IpProtocol(43);
    /// IPv6 Fragment header (RFC 8200 §4.5).
    pub const IPV6_FRAG: IpProtocol = IpProtocol(44);
    /// Encapsulating Security Payload (RFC 4303).
    pub const ESP: IpProtocol = IpProtocol(50);
    /// Authentication Header (RFC 4302).
    pub const AH: IpProtocol = IpProtocol(51);
    /// ICMP for IPv6 (RFC 4443).
    pub const ICMPV6: IpProtocol = IpProtocol(58);
    /// IPv6 No Next Header (RFC 8200 §4.7).
    pub const IPV6_NO_NXT: IpProtocol = IpProtocol(59);
    /// IPv6 Destination Options (RFC 8200 §4.6).
    pub const IPV6_OPTS: IpProtocol = IpProtocol(60);
}

impl From<u8> for IpProtocol {
    fn from(v: u8) -> Self {
        IpProtocol(v)
    }
}

impl From<IpProtocol> for u8 {
    fn from(p: IpProtocol) -> u8 {
        p.0
    }
}

/// Reads a big-endian u16 at `at`; callers have checked the bounds.
#[inline]
pub(crate) fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

/// Reads a big-endian u32 at `at`; callers have checked the bounds.
#[inline]
pub(crate) fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
