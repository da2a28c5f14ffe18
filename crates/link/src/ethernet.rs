//! Ethernet II frames as Linux TAP devices carry them: destination, source,
//! EtherType, payload; no preamble and no frame check sequence.

use core::fmt;
use core::net::Ipv6Addr;

use crate::{be16, cold, Error};

/// Length of an untagged Ethernet II header.
pub const HEADER_LEN: usize = 14;
/// Length of one 802.1Q / 802.1ad tag (TPID and TCI).
const TAG_LEN: usize = 4;
/// Stacked tags skipped at most (802.1ad "Q-in-Q" is two).
pub const MAX_VLAN_TAGS: usize = 2;

/// A 48-bit IEEE 802 MAC address.
///
/// ```
/// use handshake_link::MacAddr;
/// let a = MacAddr([0x02, 0, 0x5e, 0, 0x53, 1]);
/// assert!(a.is_unicast() && a.is_local());
/// assert_eq!(a.to_string(), "02:00:5e:00:53:01");
/// assert!(MacAddr::BROADCAST.is_multicast());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    /// The broadcast address ff:ff:ff:ff:ff:ff.
    pub const BROADCAST: MacAddr = MacAddr([0xff; 6]);
    /// All zeros: ARP's "unknown" target hardware address in a request.
    pub const UNSPECIFIED: MacAddr = MacAddr([0; 6]);

    /// The group bit (I/G, the least significant bit of the first octet) is set.
    pub fn is_multicast(&self) -> bool {
        self.0[0] & 1 != 0
    }

    /// Neither multicast nor all zeros.
    pub fn is_unicast(&self) -> bool {
        !self.is_multicast() && *self != MacAddr::UNSPECIFIED
    }

    /// The U/L bit is set: a locally administered address.
    pub fn is_local(&self) -> bool {
        self.0[0] & 2 != 0
    }

    /// The Ethernet multicast address of an IPv6 multicast address: 33:33
    /// followed by its last four octets (RFC 2464 §7).
    ///
    /// ```
    /// use handshake_link::MacAddr;
    /// let all_nodes: core::net::Ipv6Addr = "ff02::1".parse().unwrap();
    /// assert_eq!(MacAddr::ipv6_multicast(all_nodes), MacAddr([0x33, 0x33, 0, 0, 0, 1]));
    /// ```
    pub fn ipv6_multicast(addr: Ipv6Addr) -> MacAddr {
        let o = addr.octets();
        MacAddr([0x33, 0x33, o[12], o[13], o[14], o[15]])
    }
}

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

impl fmt::Debug for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// An EtherType (IEEE 802.3 §3.2.6: values of 1536 and above).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EtherType(pub u16);

impl EtherType {
    /// IPv4 (RFC 894).
    pub const IPV4: EtherType = EtherType(0x0800);
    /// ARP (RFC 826).
    pub const ARP: EtherType = EtherType(0x0806);
    /// IPv6 (RFC 2464 §3).
    pub const IPV6: EtherType = EtherType(0x86dd);
    /// IEEE 802.1Q customer VLAN tag.
    pub const VLAN: EtherType = EtherType(0x8100);
    /// IEEE 802.1ad service VLAN tag (Q-in-Q).
    pub const QINQ: EtherType = EtherType(0x88a8);

    fn is_tag(self) -> bool {
        self == Self::VLAN || self == Self::QINQ
    }
}

/// The smallest EtherType: IEEE 802.3 §3.2.6 reads 0..=1500 in the
/// type/length field as a length and 1536 (0x0600) and up as a type.
const ETHERTYPE_MIN: u16 = 0x0600;

/// The header length and EtherType of a frame whose type field `ty` (at
/// octet 12) is a VLAN tag or not an EtherType: the tags skipped, or why
/// the frame is refused. Non-generic and out of line: the untagged path in
/// [`EthernetFrame::new_checked`] stays a few instructions.
#[inline(never)]
fn after_tags(b: &[u8], mut ty: EtherType) -> Result<(usize, EtherType), Error> {
    let mut at = 12;
    let mut tags = 0;
    // IEEE 802.1Q §9.6: a tag is a TPID (0x8100 or 0x88a8) and a 2-byte
    // TCI inserted before the EtherType; skip them, a bounded number.
    while ty.is_tag() {
        if tags == MAX_VLAN_TAGS {
            return Err(Error::TooManyVlanTags(MAX_VLAN_TAGS));
        }
        tags += 1;
        at += TAG_LEN;
        let Some(&[hi, lo]) = b.get(at..at + 2) else {
            return Err(Error::Truncated {
                what: "802.1Q tag",
                need: at + 2,
                have: b.len(),
            });
        };
        ty = EtherType(u16::from_be_bytes([hi, lo]));
    }
    // IEEE 802.3 §3.2.6: 0..=1500 is a length, 1536 and up a type.
    if ty.0 < ETHERTYPE_MIN {
        return Err(Error::NotEthernetII(ty.0));
    }
    Ok((at + 2, ty))
}

/// A checked view of an Ethernet II frame.
///
/// [`EthernetFrame::new_checked`] verifies that the header and any 802.1Q /
/// 802.1ad tags (at most [`MAX_VLAN_TAGS`]) fit the buffer and that the type
/// field is an EtherType rather than an 802.3 length; the accessors then
/// never panic. [`EthernetFrame::ethertype`] is the type after the tags, and
/// [`EthernetFrame::payload`] starts after them.
///
/// ```
/// use handshake_link::{EtherType, EthernetFrame, MacAddr};
/// let mut b = [0u8; 18 + 4];
/// b[..6].copy_from_slice(&[0xff; 6]);
/// b[6..12].copy_from_slice(&[2, 0, 0, 0, 0, 1]);
/// b[12..18].copy_from_slice(&[0x81, 0x00, 0x00, 0x07, 0x08, 0x06]); // VLAN 7, then ARP
/// let f = EthernetFrame::new_checked(&b[..]).unwrap();
/// assert_eq!((f.ethertype(), f.vlan_id(), f.payload().len()), (EtherType::ARP, Some(7), 4));
/// assert_eq!(f.dst_addr(), MacAddr::BROADCAST);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct EthernetFrame<T: AsRef<[u8]>> {
    buffer: T,
    header_len: usize,
    ethertype: EtherType,
}

impl<T: AsRef<[u8]>> EthernetFrame<T> {
    /// Wraps `buffer` after checking every length the accessors rely on.
    #[inline]
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let b = buffer.as_ref();
        let Some(h) = b.first_chunk::<HEADER_LEN>() else {
            cold();
            return Err(Error::Truncated {
                what: "Ethernet header",
                need: HEADER_LEN,
                have: b.len(),
            });
        };
        let ty = EtherType(u16::from_be_bytes([h[12], h[13]]));
        // The common frame, untagged Ethernet II, is decided here in three
        // comparisons, inline in the caller; tags and 802.3 lengths go
        // through `after_tags`, out of line.
        let (header_len, ethertype) = if ty.0 >= ETHERTYPE_MIN && !ty.is_tag() {
            (HEADER_LEN, ty)
        } else {
            after_tags(b, ty)?
        };
        Ok(EthernetFrame {
            buffer,
            header_len,
            ethertype,
        })
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// Destination address.
    pub fn dst_addr(&self) -> MacAddr {
        let mut a = [0u8; 6];
        a.copy_from_slice(&self.b()[0..6]);
        MacAddr(a)
    }

    /// Source address.
    pub fn src_addr(&self) -> MacAddr {
        let mut a = [0u8; 6];
        a.copy_from_slice(&self.b()[6..12]);
        MacAddr(a)
    }

    /// The EtherType after any VLAN tags.
    pub fn ethertype(&self) -> EtherType {
        self.ethertype
    }

    /// Number of VLAN tags skipped.
    pub fn vlan_tags(&self) -> usize {
        (self.header_len - HEADER_LEN) / TAG_LEN
    }

    /// The VLAN identifier of the outermost tag (12 bits), if tagged.
    pub fn vlan_id(&self) -> Option<u16> {
        (self.header_len > HEADER_LEN).then(|| be16(self.b(), 14) & 0x0fff)
    }

    /// Header length: 14 plus 4 per tag.
    pub fn header_len(&self) -> usize {
        self.header_len
    }

    /// The payload after the header and tags (padding included: the upper
    /// layer's length field says where its data ends).
    pub fn payload(&self) -> &[u8] {
        &self.b()[self.header_len..]
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> EthernetFrame<&'a T> {
    /// The payload with the buffer's lifetime.
    pub fn payload_slice(&self) -> &'a [u8] {
        &self.buffer.as_ref()[self.header_len..]
    }
}

impl<T: AsRef<[u8]>> fmt::Debug for EthernetFrame<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EthernetFrame")
            .field("dst", &self.dst_addr())
            .field("src", &self.src_addr())
            .field("ethertype", &self.ethertype())
            .field("vlan_tags", &self.vlan_tags())
            .finish_non_exhaustive()
    }
}

/// A plain Ethernet II header (emitted untagged).
///
/// ```
/// use handshake_link::{EtherType, EthernetFrame, EthernetRepr, MacAddr};
/// let repr = EthernetRepr { dst_addr: MacAddr::BROADCAST, src_addr: MacAddr([2, 0, 0, 0, 0, 1]), ethertype: EtherType::ARP };
/// let mut buf = [0u8; 14];
/// assert_eq!(repr.emit(&mut buf).unwrap(), 14);
/// assert_eq!(EthernetRepr::parse(&EthernetFrame::new_checked(&buf[..]).unwrap()), repr);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EthernetRepr {
    /// Destination address.
    pub dst_addr: MacAddr,
    /// Source address.
    pub src_addr: MacAddr,
    /// EtherType of the payload.
    pub ethertype: EtherType,
}

impl EthernetRepr {
    /// Reads a checked view (the VLAN tags are skipped, not represented).
    pub fn parse<T: AsRef<[u8]>>(frame: &EthernetFrame<T>) -> Self {
        EthernetRepr {
            dst_addr: frame.dst_addr(),
            src_addr: frame.src_addr(),
            ethertype: frame.ethertype(),
        }
    }

    /// Header length: always 14.
    pub fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// Writes the 14-byte header into the start of `buf`; the payload goes
    /// after it. Returns 14.
    #[inline]
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let Some(h) = buf.first_chunk_mut::<HEADER_LEN>() else {
            return Err(Error::BufferTooSmall {
                need: HEADER_LEN,
                have: buf.len(),
            });
        };
        let (d, s, t) = (
            self.dst_addr.0,
            self.src_addr.0,
            self.ethertype.0.to_be_bytes(),
        );
        *h = [
            d[0], d[1], d[2], d[3], d[4], d[5], s[0], s[1], s[2], s[3], s[4], s[5], t[0], t[1],
        ];
        Ok(HEADER_LEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The header length and EtherType as the parser before the untagged
    /// fast path found them: one loop over the tags for every frame, read
    /// with plain indexing. The reference that `new_checked` must match.
    fn reference(b: &[u8]) -> Result<(usize, EtherType), Error> {
        if b.len() < 14 {
            return Err(Error::Truncated {
                what: "Ethernet header",
                need: 14,
                have: b.len(),
            });
        }
        let mut at = 12;
        let mut tags = 0;
        let mut ty = u16::from_be_bytes([b[at], b[at + 1]]);
        while ty == 0x8100 || ty == 0x88a8 {
            if tags == 2 {
                return Err(Error::TooManyVlanTags(2));
            }
            tags += 1;
            at += 4;
            if b.len() < at + 2 {
                return Err(Error::Truncated {
                    what: "802.1Q tag",
                    need: at + 2,
                    have: b.len(),
                });
            }
            ty = u16::from_be_bytes([b[at], b[at + 1]]);
        }
        if ty < 1536 {
            return Err(Error::NotEthernetII(ty));
        }
        Ok((at + 2, EtherType(ty)))
    }

    /// Frames of 0 to 30 bytes whose type fields (octets 12, 16 and 20) are
    /// often tags, 1500/1535/1536 or ARP: every branch of the parser.
    fn arb_frame() -> impl Strategy<Value = std::vec::Vec<u8>> {
        let ty = prop_oneof![
            Just(0x8100u16),
            Just(0x88a8),
            Just(0x0806),
            Just(1500),
            Just(1535),
            Just(1536),
            any::<u16>(),
        ];
        (
            proptest::collection::vec(any::<u8>(), 0..30),
            [ty.clone(), ty.clone(), ty],
        )
            .prop_map(|(mut b, tys)| {
                for (at, t) in [12, 16, 20].into_iter().zip(tys) {
                    for (i, x) in t.to_be_bytes().into_iter().enumerate() {
                        if let Some(o) = b.get_mut(at + i) {
                            *o = x;
                        }
                    }
                }
                b
            })
    }

    #[test]
    fn rejects_malformed() {
        let mut b = [0u8; 30];
        b[12..14].copy_from_slice(&[0x05, 0xdc]); // 1500: a length
        assert_eq!(
            EthernetFrame::new_checked(&b[..]).unwrap_err(),
            Error::NotEthernetII(1500)
        );
        b[12..14].copy_from_slice(&[0x81, 0x00]);
        b[16..18].copy_from_slice(&[0x88, 0xa8]);
        b[20..22].copy_from_slice(&[0x81, 0x00]);
        assert_eq!(
            EthernetFrame::new_checked(&b[..]).unwrap_err(),
            Error::TooManyVlanTags(2)
        );
        assert!(matches!(
            EthernetFrame::new_checked(&b[..17]),
            Err(Error::Truncated { .. })
        ));
        assert!(matches!(
            EthernetFrame::new_checked(&b[..13]),
            Err(Error::Truncated { need: 14, .. })
        ));
    }

    proptest! {
        #[test]
        fn roundtrip(d in any::<[u8; 6]>(), s in any::<[u8; 6]>(), t in 0x0600u16..) {
            prop_assume!(!EtherType(t).is_tag());
            let r = EthernetRepr { dst_addr: MacAddr(d), src_addr: MacAddr(s), ethertype: EtherType(t) };
            let mut buf = [0u8; 20];
            prop_assert_eq!(r.emit(&mut buf).unwrap(), 14);
            let f = EthernetFrame::new_checked(&buf[..]).unwrap();
            prop_assert_eq!(EthernetRepr::parse(&f), r);
            prop_assert_eq!(f.payload().len(), 6);
        }

        #[test]
        fn new_checked_matches_reference(b in arb_frame()) {
            let got = EthernetFrame::new_checked(&b[..]).map(|f| (f.header_len(), f.ethertype()));
            prop_assert_eq!(got, reference(&b));
        }

        #[test]
        fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..40)) {
            if let Ok(f) = EthernetFrame::new_checked(&b[..]) {
                let _ = (f.payload(), f.vlan_id(), f.vlan_tags(), EthernetRepr::parse(&f));
            }
        }
    }
}
