//! ARP packets for IPv4 over Ethernet (RFC 826).

use core::fmt;
use core::net::Ipv4Addr;

use crate::{be16, cold, Error, MacAddr};

/// Length of the fixed part: hardware and protocol types, address lengths, opcode.
const FIXED_LEN: usize = 8;
/// Length of an Ethernet/IPv4 ARP packet: 8 + 2 * (6 + 4).
pub const PACKET_LEN: usize = 28;
/// ar$hrd for Ethernet (RFC 826; IANA ARP parameters: 1).
pub const HARDWARE_ETHERNET: u16 = 1;
/// ar$pro for IPv4: the EtherType 0x0800 (RFC 826).
pub const PROTOCOL_IPV4: u16 = 0x0800;
/// The first six bytes of every Ethernet/IPv4 packet: ar$hrd, ar$pro, ar$hln 6, ar$pln 4.
const ETHERNET_IPV4: [u8; 6] = {
    let (h, p) = (HARDWARE_ETHERNET.to_be_bytes(), PROTOCOL_IPV4.to_be_bytes());
    [h[0], h[1], p[0], p[1], 6, 4]
};

/// ar$op (RFC 826): request or reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArpOperation {
    /// ares_op$REQUEST, 1.
    Request,
    /// ares_op$REPLY, 2.
    Reply,
}

impl ArpOperation {
    fn code(self) -> u16 {
        match self {
            ArpOperation::Request => 1,
            ArpOperation::Reply => 2,
        }
    }
}

/// A checked view of an ARP packet of any hardware and protocol.
///
/// [`ArpPacket::new_checked`] verifies that the fixed part and the four
/// addresses, whose lengths ar$hln and ar$pln give, fit the buffer (bytes
/// after them, Ethernet padding, are ignored); the accessors never panic.
///
/// ```
/// use handshake_link::ArpPacket;
/// let b = [0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 192, 0, 2, 2];
/// let p = ArpPacket::new_checked(&b[..]).unwrap();
/// assert_eq!((p.hardware_type(), p.protocol_type(), p.operation()), (1, 0x0800, 1));
/// assert_eq!(p.target_protocol_addr(), &[192, 0, 2, 2]);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ArpPacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> ArpPacket<T> {
    /// Wraps `buffer` after checking that the addresses fit.
    #[inline]
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let b = buffer.as_ref();
        let Some(fixed) = b.first_chunk::<FIXED_LEN>() else {
            cold();
            return Err(Error::Truncated {
                what: "ARP header",
                need: FIXED_LEN,
                have: b.len(),
            });
        };
        // RFC 826: sha and tha are ar$hln octets long, spa and tpa ar$pln.
        let need = FIXED_LEN + 2 * (usize::from(fixed[4]) + usize::from(fixed[5]));
        if b.len() < need {
            cold();
            return Err(Error::Truncated {
                what: "ARP addresses",
                need,
                have: b.len(),
            });
        }
        Ok(ArpPacket { buffer })
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// ar$hrd: hardware address space.
    pub fn hardware_type(&self) -> u16 {
        be16(self.b(), 0)
    }

    /// ar$pro: protocol address space (an EtherType).
    pub fn protocol_type(&self) -> u16 {
        be16(self.b(), 2)
    }

    /// ar$hln: hardware address length.
    pub fn hardware_len(&self) -> u8 {
        self.b()[4]
    }

    /// ar$pln: protocol address length.
    pub fn protocol_len(&self) -> u8 {
        self.b()[5]
    }

    /// ar$op: opcode.
    pub fn operation(&self) -> u16 {
        be16(self.b(), 6)
    }

    fn field(&self, index: usize) -> &[u8] {
        let (h, p) = (
            usize::from(self.hardware_len()),
            usize::from(self.protocol_len()),
        );
        // Fields in order: sha (h), spa (p), tha (h), tpa (p).
        let start = FIXED_LEN + (index / 2) * (h + p) + (index % 2) * h;
        let len = if index.is_multiple_of(2) { h } else { p };
        &self.b()[start..start + len]
    }

    /// ar$sha: sender hardware address.
    pub fn source_hardware_addr(&self) -> &[u8] {
        self.field(0)
    }

    /// ar$spa: sender protocol address.
    pub fn source_protocol_addr(&self) -> &[u8] {
        self.field(1)
    }

    /// ar$tha: target hardware address.
    pub fn target_hardware_addr(&self) -> &[u8] {
        self.field(2)
    }

    /// ar$tpa: target protocol address.
    pub fn target_protocol_addr(&self) -> &[u8] {
        self.field(3)
    }
}

impl<T: AsRef<[u8]>> fmt::Debug for ArpPacket<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArpPacket")
            .field("hardware", &self.hardware_type())
            .field("protocol", &self.protocol_type())
            .field("op", &self.operation())
            .finish_non_exhaustive()
    }
}

/// A plain ARP packet for IPv4 over Ethernet.
///
/// ```
/// use core::net::Ipv4Addr;
/// use handshake_link::{ArpOperation, ArpPacket, ArpRepr, MacAddr};
/// let repr = ArpRepr {
///     operation: ArpOperation::Request,
///     source_hardware_addr: MacAddr([2, 0, 0, 0, 0, 1]),
///     source_protocol_addr: Ipv4Addr::new(192, 0, 2, 1),
///     target_hardware_addr: MacAddr::UNSPECIFIED,
///     target_protocol_addr: Ipv4Addr::new(192, 0, 2, 2),
/// };
/// let mut buf = [0u8; 28];
/// assert_eq!(repr.emit(&mut buf).unwrap(), 28);
/// assert_eq!(ArpRepr::parse(&ArpPacket::new_checked(&buf[..]).unwrap()), Ok(repr));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArpRepr {
    /// Request or reply.
    pub operation: ArpOperation,
    /// ar$sha.
    pub source_hardware_addr: MacAddr,
    /// ar$spa.
    pub source_protocol_addr: Ipv4Addr,
    /// ar$tha (all zeros in a request: RFC 826 says "it does not set" it).
    pub target_hardware_addr: MacAddr,
    /// ar$tpa.
    pub target_protocol_addr: Ipv4Addr,
}

impl ArpRepr {
    /// Reads a checked view: only Ethernet (1) / IPv4 (0x0800) with 6- and
    /// 4-byte addresses, and only requests and replies (RFC 826).
    #[inline]
    pub fn parse<T: AsRef<[u8]>>(packet: &ArpPacket<T>) -> Result<Self, Error> {
        // RFC 826: "?Do I have the hardware type in ar$hrd? ... ?Do I speak
        // the protocol in ar$pro?" -- if not, the packet is discarded.
        // Ethernet (1), IPv4 (0x0800), lengths 6 and 4: the first six bytes
        // are exactly these, and then new_checked saw all 28 bytes, every
        // address at a fixed offset.
        let b = match packet.b().first_chunk::<PACKET_LEN>() {
            Some(b) if b[..6] == ETHERNET_IPV4 => b,
            _ => {
                cold();
                // A checked packet has its 8 fixed octets; were it shorter,
                // zeros, not a panic.
                let f = packet.b().first_chunk::<FIXED_LEN>();
                let f = f.copied().unwrap_or_default();
                return Err(Error::UnsupportedArp {
                    hardware: u16::from_be_bytes([f[0], f[1]]),
                    protocol: u16::from_be_bytes([f[2], f[3]]),
                    hlen: f[4],
                    plen: f[5],
                });
            }
        };
        let operation = match u16::from_be_bytes([b[6], b[7]]) {
            1 => ArpOperation::Request,
            2 => ArpOperation::Reply,
            op => {
                cold();
                return Err(Error::ArpOperation(op));
            }
        };
        let mac =
            |at: usize| MacAddr([b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4], b[at + 5]]);
        let ip = |at: usize| Ipv4Addr::new(b[at], b[at + 1], b[at + 2], b[at + 3]);
        Ok(ArpRepr {
            operation,
            source_hardware_addr: mac(8),
            source_protocol_addr: ip(14),
            target_hardware_addr: mac(18),
            target_protocol_addr: ip(24),
        })
    }

    /// Length of the packet: always 28.
    pub fn buffer_len(&self) -> usize {
        PACKET_LEN
    }

    /// Writes the 28-byte packet into the start of `buf`; returns 28.
    #[inline]
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let Some(p) = buf.first_chunk_mut::<PACKET_LEN>() else {
            return Err(Error::BufferTooSmall {
                need: PACKET_LEN,
                have: buf.len(),
            });
        };
        // The fixed part and ar$op as one 64-bit word (six constant bytes and
        // the opcode: one store, where a 28-byte array built byte by byte
        // compiled to six), then the four addresses' 20 bytes.
        let (fixed, addrs) = p.split_at_mut(FIXED_LEN);
        let e = ETHERNET_IPV4;
        let word = u64::from_be_bytes([e[0], e[1], e[2], e[3], e[4], e[5], 0, 0])
            | u64::from(self.operation.code());
        fixed.copy_from_slice(&word.to_be_bytes());
        let (sha, spa) = (
            self.source_hardware_addr.0,
            self.source_protocol_addr.octets(),
        );
        let (tha, tpa) = (
            self.target_hardware_addr.0,
            self.target_protocol_addr.octets(),
        );
        addrs.copy_from_slice(&[
            sha[0], sha[1], sha[2], sha[3], sha[4], sha[5], spa[0], spa[1], spa[2], spa[3], tha[0],
            tha[1], tha[2], tha[3], tha[4], tha[5], tpa[0], tpa[1], tpa[2], tpa[3],
        ]);
        Ok(PACKET_LEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// RFC 826's packet read field by field, independently of the parser:
    /// ar$hrd, ar$pro (16 bits each), ar$hln, ar$pln (8 bits), ar$op (16
    /// bits), then ar$sha, ar$spa, ar$tha, ar$tpa of the lengths given.
    fn reference(b: &[u8]) -> Result<ArpRepr, Error> {
        if b.len() < 8 {
            return Err(Error::Truncated {
                what: "ARP header",
                need: 8,
                have: b.len(),
            });
        }
        let be = |at: usize| u16::from_be_bytes([b[at], b[at + 1]]);
        let (hrd, pro, hln, pln, op) = (be(0), be(2), b[4], b[5], be(6));
        let need = 8 + 2 * (usize::from(hln) + usize::from(pln));
        if b.len() < need {
            return Err(Error::Truncated {
                what: "ARP addresses",
                need,
                have: b.len(),
            });
        }
        if (hrd, pro, hln, pln) != (1, 0x0800, 6, 4) {
            return Err(Error::UnsupportedArp {
                hardware: hrd,
                protocol: pro,
                hlen: hln,
                plen: pln,
            });
        }
        let operation = match op {
            1 => ArpOperation::Request,
            2 => ArpOperation::Reply,
            _ => return Err(Error::ArpOperation(op)),
        };
        let mac = |at: usize| MacAddr(b[at..at + 6].try_into().unwrap());
        let ip = |at: usize| Ipv4Addr::from(<[u8; 4]>::try_from(&b[at..at + 4]).unwrap());
        Ok(ArpRepr {
            operation,
            source_hardware_addr: mac(8),
            source_protocol_addr: ip(14),
            target_hardware_addr: mac(18),
            target_protocol_addr: ip(24),
        })
    }

    /// Packets of 0 to 40 bytes that often begin like an Ethernet/IPv4
    /// request or reply, with one of the eight fixed octets changed.
    fn arb_packet() -> impl Strategy<Value = std::vec::Vec<u8>> {
        (
            proptest::collection::vec(any::<u8>(), 0..40),
            prop_oneof![Just(None), (0..8usize, any::<u8>()).prop_map(Some)],
            1..=3u8,
            any::<bool>(),
        )
            .prop_map(|(mut b, change, op, arp)| {
                if arp {
                    let fixed = [0, 1, 8, 0, 6, 4, 0, op];
                    b.iter_mut().zip(fixed).for_each(|(o, x)| *o = x);
                }
                if let Some((at, x)) = change {
                    if let Some(o) = b.get_mut(at) {
                        *o = x;
                    }
                }
                b
            })
    }

    #[test]
    fn rejects_other_protocols() {
        let mut b = [0u8; 28];
        b[..8].copy_from_slice(&[0, 6, 8, 0, 6, 4, 0, 1]); // IEEE 802 hardware
        let p = ArpPacket::new_checked(&b[..]).unwrap();
        assert!(matches!(
            ArpRepr::parse(&p),
            Err(Error::UnsupportedArp { hardware: 6, .. })
        ));
        b[..8].copy_from_slice(&[0, 1, 8, 0, 6, 4, 0, 3]); // RARP request
        let p = ArpPacket::new_checked(&b[..]).unwrap();
        assert_eq!(ArpRepr::parse(&p), Err(Error::ArpOperation(3)));
        b[4] = 255;
        assert!(matches!(
            ArpPacket::new_checked(&b[..]),
            Err(Error::Truncated { need: 526, .. })
        ));
    }

    pub(crate) fn arb_repr() -> impl Strategy<Value = ArpRepr> {
        (any::<bool>(), any::<([u8; 6], [u8; 4], [u8; 6], [u8; 4])>()).prop_map(
            |(req, (sha, spa, tha, tpa))| ArpRepr {
                operation: if req {
                    ArpOperation::Request
                } else {
                    ArpOperation::Reply
                },
                source_hardware_addr: MacAddr(sha),
                source_protocol_addr: spa.into(),
                target_hardware_addr: MacAddr(tha),
                target_protocol_addr: tpa.into(),
            },
        )
    }

    proptest! {
        #[test]
        fn roundtrip(r in arb_repr()) {
            let mut buf = [0u8; 28];
            r.emit(&mut buf).unwrap();
            prop_assert_eq!(ArpRepr::parse(&ArpPacket::new_checked(&buf[..]).unwrap()), Ok(r));
            // Read back independently of the parser, field by field.
            prop_assert_eq!(reference(&buf), Ok(r));
        }

        #[test]
        fn parse_matches_reference(b in arb_packet()) {
            let got = ArpPacket::new_checked(&b[..]).and_then(|p| ArpRepr::parse(&p));
            prop_assert_eq!(got, reference(&b));
        }

        #[test]
        fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..80)) {
            if let Ok(p) = ArpPacket::new_checked(&b[..]) {
                let _ = (p.source_hardware_addr(), p.target_protocol_addr(), ArpRepr::parse(&p));
            }
        }
    }
}
