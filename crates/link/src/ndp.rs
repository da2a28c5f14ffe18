//! Neighbor Solicitation and Advertisement (RFC 4861 §4.3, §4.4) with the
//! link-layer address options (§4.6.1), their validation (§7.1.1, §7.1.2),
//! and the solicited-node multicast address (RFC 4291 §2.7.1).

use core::net::Ipv6Addr;

use handshake_ip::checksum::{self, PseudoHeader};
use handshake_ip::{ChecksumMode, IpProtocol, Ipv6Packet};

use crate::{Error, MacAddr};

/// ICMPv6 type of a Neighbor Solicitation (RFC 4861 §4.3).
pub const NEIGHBOR_SOLICIT: u8 = 135;
/// ICMPv6 type of a Neighbor Advertisement (RFC 4861 §4.4).
pub const NEIGHBOR_ADVERT: u8 = 136;
/// The hop limit every ND message is sent with and must arrive with
/// (RFC 4861 §7.1.1, §7.1.2): a router would have decremented it.
pub const HOP_LIMIT: u8 = 255;
/// Type, code, checksum, 4 reserved/flag bytes and the 16-byte target.
const FIXED_LEN: usize = 24;
/// Source Link-Layer Address option type (RFC 4861 §4.6.1).
const OPT_SOURCE_LLADDR: u8 = 1;
/// Target Link-Layer Address option type (RFC 4861 §4.6.1).
const OPT_TARGET_LLADDR: u8 = 2;
/// An Ethernet link-layer address option: type, length 1, six octets (RFC 2464 §6).
const LLADDR_OPT_LEN: usize = 8;

/// The solicited-node multicast address of `addr`: ff02::1:ff00:0/104 and
/// the low 24 bits of `addr` (RFC 4291 §2.7.1).
///
/// ```
/// use handshake_link::solicited_node;
/// let a: core::net::Ipv6Addr = "2001:db8::12:3456".parse().unwrap();
/// assert_eq!(solicited_node(a), "ff02::1:ff12:3456".parse::<core::net::Ipv6Addr>().unwrap());
/// ```
pub fn solicited_node(addr: Ipv6Addr) -> Ipv6Addr {
    let o = addr.octets();
    Ipv6Addr::new(
        0xff02,
        0,
        0,
        0,
        0,
        1,
        0xff00 | u16::from(o[13]),
        u16::from_be_bytes([o[14], o[15]]),
    )
}

/// True when `addr` is a solicited-node multicast address (RFC 4291 §2.7.1).
pub fn is_solicited_node(addr: Ipv6Addr) -> bool {
    let o = addr.octets();
    o[..13] == [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff]
}

/// The flags of a Neighbor Advertisement (RFC 4861 §4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NaFlags {
    /// R: the sender is a router.
    pub router: bool,
    /// S: sent in response to a solicitation.
    pub solicited: bool,
    /// O: override an existing cache entry.
    pub override_: bool,
}

/// A plain neighbour discovery message.
///
/// ```
/// use core::net::Ipv6Addr;
/// use handshake_link::{solicited_node, MacAddr, NdpRepr};
/// use handshake_ip::ChecksumMode;
/// let target: Ipv6Addr = "fe80::2".parse().unwrap();
/// let src: Ipv6Addr = "fe80::1".parse().unwrap();
/// let ns = NdpRepr::NeighborSolicit { target_addr: target, source_lladdr: Some(MacAddr([2, 0, 0, 0, 0, 1])) };
/// let mut buf = [0u8; 32];
/// let n = ns.emit(&mut buf, src, solicited_node(target)).unwrap();
/// assert_eq!(NdpRepr::parse(&buf[..n], src, solicited_node(target), 255, ChecksumMode::Verify), Ok(ns));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NdpRepr {
    /// Neighbor Solicitation (RFC 4861 §4.3).
    NeighborSolicit {
        /// The address whose link-layer address is asked for.
        target_addr: Ipv6Addr,
        /// The Source Link-Layer Address option, if present.
        source_lladdr: Option<MacAddr>,
    },
    /// Neighbor Advertisement (RFC 4861 §4.4).
    NeighborAdvert {
        /// R, S and O.
        flags: NaFlags,
        /// The address advertised.
        target_addr: Ipv6Addr,
        /// The Target Link-Layer Address option, if present.
        target_lladdr: Option<MacAddr>,
    },
}

impl NdpRepr {
    /// Reads and validates an NS or NA: `msg` is the ICMPv6 message, `src`,
    /// `dst` and `hop_limit` come from its IPv6 header. Unknown options are
    /// skipped (RFC 4861 §4.6: "Receivers MUST silently ignore any options
    /// they do not recognize").
    pub fn parse(
        msg: &[u8],
        src: Ipv6Addr,
        dst: Ipv6Addr,
        hop_limit: u8,
        mode: ChecksumMode,
    ) -> Result<Self, Error> {
        if msg.is_empty() {
            return Err(Error::Truncated {
                what: "ICMPv6 header",
                need: 4,
                have: 0,
            });
        }
        let ty = msg[0];
        if ty != NEIGHBOR_SOLICIT && ty != NEIGHBOR_ADVERT {
            return Err(Error::NotNdp(ty));
        }
        // RFC 4861 §7.1.1, §7.1.2: "The IP Hop Limit field has a value of 255".
        if hop_limit != HOP_LIMIT {
            return Err(Error::NdpHopLimit(hop_limit));
        }
        // §7.1.1, §7.1.2: "ICMP length (derived from the IP length) is 24 or more octets".
        if msg.len() < FIXED_LEN {
            return Err(Error::Truncated {
                what: "ND message",
                need: FIXED_LEN,
                have: msg.len(),
            });
        }
        // §7.1.1, §7.1.2: "The ICMP Checksum is valid" (RFC 4443 §2.3: over
        // the IPv6 pseudo-header and the message).
        if mode == ChecksumMode::Verify {
            let sum = icmpv6_sum(msg, src, dst);
            if sum != 0xffff {
                return Err(handshake_ip::Error::BadChecksum {
                    what: "ICMPv6",
                    sum,
                }
                .into());
            }
        }
        // §7.1.1, §7.1.2: "ICMP Code is 0".
        if msg[1] != 0 {
            return Err(Error::NdpCode(msg[1]));
        }
        let mut t = [0u8; 16];
        t.copy_from_slice(&msg[8..24]);
        let target_addr = Ipv6Addr::from(t);
        // §7.1.1, §7.1.2: "Target Address is not a multicast address".
        if target_addr.is_multicast() {
            return Err(Error::NdpMulticastTarget);
        }
        let (source_lladdr, target_lladdr) = parse_options(&msg[FIXED_LEN..])?;
        if ty == NEIGHBOR_SOLICIT {
            // §7.1.1: from the unspecified address, the destination is a
            // solicited-node address and there is no source link-layer option.
            if src.is_unspecified() && (!is_solicited_node(dst) || source_lladdr.is_some()) {
                return Err(Error::NdpUnspecifiedSource);
            }
            Ok(NdpRepr::NeighborSolicit {
                target_addr,
                source_lladdr,
            })
        } else {
            let flags = NaFlags {
                router: msg[4] & 0x80 != 0,
                solicited: msg[4] & 0x40 != 0,
                override_: msg[4] & 0x20 != 0,
            };
            // §7.1.2: "If the IP Destination Address is a multicast address
            // the Solicited flag is zero."
            if dst.is_multicast() && flags.solicited {
                return Err(Error::NdpSolicitedMulticast);
            }
            Ok(NdpRepr::NeighborAdvert {
                flags,
                target_addr,
                target_lladdr,
            })
        }
    }

    /// [`NdpRepr::parse`] on an IPv6 packet: follows its extension headers to
    /// ICMPv6 and takes the addresses and hop limit from its header.
    pub fn parse_ipv6<T: AsRef<[u8]>>(
        packet: &Ipv6Packet<T>,
        mode: ChecksumMode,
    ) -> Result<Self, Error> {
        let upper = packet.upper_layer()?;
        if upper.protocol != IpProtocol::ICMPV6 {
            return Err(Error::NotIcmpv6(upper.protocol.0));
        }
        Self::parse(
            upper.payload,
            packet.src_addr(),
            packet.dst_addr(),
            packet.hop_limit(),
            mode,
        )
    }

    /// The target address of either message.
    pub fn target_addr(&self) -> Ipv6Addr {
        match *self {
            NdpRepr::NeighborSolicit { target_addr, .. }
            | NdpRepr::NeighborAdvert { target_addr, .. } => target_addr,
        }
    }

    fn lladdr(&self) -> Option<MacAddr> {
        match *self {
            NdpRepr::NeighborSolicit { source_lladdr, .. } => source_lladdr,
            NdpRepr::NeighborAdvert { target_lladdr, .. } => target_lladdr,
        }
    }

    /// Length of the ICMPv6 message.
    pub fn buffer_len(&self) -> usize {
        FIXED_LEN + self.lladdr().map_or(0, |_| LLADDR_OPT_LEN)
    }

    /// Writes the ICMPv6 message, checksum over the pseudo-header of `src`
    /// and `dst` filled in, into the start of `buf`; returns its length. The
    /// IPv6 header that carries it must have hop limit [`HOP_LIMIT`].
    pub fn emit(&self, buf: &mut [u8], src: Ipv6Addr, dst: Ipv6Addr) -> Result<usize, Error> {
        let len = self.buffer_len();
        let Some(m) = buf.get_mut(..len) else {
            return Err(Error::BufferTooSmall {
                need: len,
                have: buf.len(),
            });
        };
        let (ty, flags, opt) = match *self {
            NdpRepr::NeighborSolicit { .. } => (NEIGHBOR_SOLICIT, 0, OPT_SOURCE_LLADDR),
            NdpRepr::NeighborAdvert { flags: f, .. } => (
                NEIGHBOR_ADVERT,
                (u8::from(f.router) << 7)
                    | (u8::from(f.solicited) << 6)
                    | (u8::from(f.override_) << 5),
                OPT_TARGET_LLADDR,
            ),
        };
        // §4.3, §4.4: reserved bits "MUST be initialized to zero by the sender".
        m[..8].copy_from_slice(&[ty, 0, 0, 0, flags, 0, 0, 0]);
        m[8..24].copy_from_slice(&self.target_addr().octets());
        if let Some(mac) = self.lladdr() {
            m[24] = opt;
            m[25] = 1;
            m[26..32].copy_from_slice(&mac.0);
        }
        let c = !icmpv6_sum(m, src, dst);
        m[2..4].copy_from_slice(&c.to_be_bytes());
        Ok(len)
    }
}

/// The one's complement sum of the ICMPv6 message and its pseudo-header
/// (RFC 4443 §2.3): 0xffff when the checksum field is right.
pub(crate) fn icmpv6_sum(msg: &[u8], src: Ipv6Addr, dst: Ipv6Addr) -> u16 {
    let ph = PseudoHeader::V6 { src, dst };
    checksum::add(
        ph.sum(IpProtocol::ICMPV6, msg.len() as u32),
        checksum::sum(msg),
    )
}

/// Walks the options: returns the source and target link-layer addresses.
/// Each option's length is in units of 8 octets, so the walk takes at most
/// `opts.len() / 8` steps.
fn parse_options(mut opts: &[u8]) -> Result<(Option<MacAddr>, Option<MacAddr>), Error> {
    let (mut source, mut target) = (None, None);
    while !opts.is_empty() {
        if opts.len() < 2 {
            return Err(Error::Truncated {
                what: "ND option",
                need: 2,
                have: opts.len(),
            });
        }
        let (ty, units) = (opts[0], usize::from(opts[1]));
        // RFC 4861 §4.6: "Nodes MUST silently discard an ND packet that
        // contains an option with length zero."
        if units == 0 {
            return Err(Error::NdpOptionLengthZero(ty));
        }
        let len = units * 8;
        if opts.len() < len {
            return Err(Error::Truncated {
                what: "ND option",
                need: len,
                have: opts.len(),
            });
        }
        if ty == OPT_SOURCE_LLADDR || ty == OPT_TARGET_LLADDR {
            if len != LLADDR_OPT_LEN {
                return Err(Error::NdpLinkLayerOptionLength(len));
            }
            let slot = if ty == OPT_SOURCE_LLADDR {
                &mut source
            } else {
                &mut target
            };
            if slot.is_some() {
                return Err(Error::NdpDuplicateOption(ty));
            }
            let mut a = [0u8; 6];
            a.copy_from_slice(&opts[2..8]);
            *slot = Some(MacAddr(a));
        }
        opts = &opts[len..];
    }
    Ok((source, target))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) fn arb_repr() -> impl Strategy<Value = NdpRepr> {
        (
            any::<(bool, bool, bool, bool)>(),
            any::<[u8; 16]>(),
            proptest::option::of(any::<[u8; 6]>()),
        )
            .prop_map(|((ns, r, s, o), t, ll)| {
                let mut t = t;
                if t[0] == 0xff {
                    t[0] = 0xfe; // not multicast (§7.1.1)
                }
                let target_addr = Ipv6Addr::from(t);
                let ll = ll.map(MacAddr);
                if ns {
                    NdpRepr::NeighborSolicit {
                        target_addr,
                        source_lladdr: ll,
                    }
                } else {
                    NdpRepr::NeighborAdvert {
                        flags: NaFlags {
                            router: r,
                            solicited: s,
                            override_: o,
                        },
                        target_addr,
                        target_lladdr: ll,
                    }
                }
            })
    }

    proptest! {
        #[test]
        fn roundtrip(r in arb_repr(), src in any::<[u8; 16]>(), dst in any::<[u8; 16]>()) {
            let (mut src, mut dst) = (Ipv6Addr::from(src), Ipv6Addr::from(dst));
            if src.is_unspecified() || src.is_multicast() { src = Ipv6Addr::LOCALHOST; }
            if dst.is_multicast() { dst = Ipv6Addr::LOCALHOST; }
            let mut buf = [0u8; 32];
            let n = r.emit(&mut buf, src, dst).unwrap();
            prop_assert_eq!(n, r.buffer_len());
            prop_assert_eq!(NdpRepr::parse(&buf[..n], src, dst, 255, ChecksumMode::Verify), Ok(r));
        }

        #[test]
        fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..80), h in any::<u8>()) {
            let _ = NdpRepr::parse(&b, Ipv6Addr::UNSPECIFIED, Ipv6Addr::LOCALHOST, h, ChecksumMode::Ignore);
            let _ = NdpRepr::parse(&b, Ipv6Addr::LOCALHOST, Ipv6Addr::LOCALHOST, 255, ChecksumMode::Verify);
        }
    }
}
