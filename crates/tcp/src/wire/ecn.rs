//! The ECN field of the IP header (RFC 3168 §5): two bits of the IPv4 TOS
//! octet or the IPv6 Traffic Class, which TCP reads and sets across the
//! sans-IO boundary (the caller's IP layer carries them).

/// An ECN codepoint (RFC 3168 §5): what the IP header's two ECN bits say.
///
/// ```
/// use handshake_tcp::wire::Ecn;
/// assert_eq!(Ecn::from_bits(0b10), Ecn::Ect0);
/// assert_eq!(Ecn::Ce.bits(), 0b11);
/// // Only the two low bits count: a whole TOS octet may be passed.
/// assert_eq!(Ecn::from_bits(0xb8 | 0b01), Ecn::Ect1);
/// assert!(Ecn::Ect0.is_ect() && Ecn::Ce.is_ect() && !Ecn::NotEct.is_ect());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Ecn {
    /// 00: the sender is not ECN-capable.
    #[default]
    NotEct,
    /// 01: ECN-capable transport, ECT(1).
    Ect1,
    /// 10: ECN-capable transport, ECT(0), what RFC 3168 TCP sends.
    Ect0,
    /// 11: Congestion Experienced, set by a router instead of dropping.
    Ce,
}

impl Ecn {
    /// The codepoint in the two low bits of `bits` (a TOS or Traffic Class
    /// octet may be passed whole).
    pub fn from_bits(bits: u8) -> Ecn {
        match bits & 0b11 {
            0b00 => Ecn::NotEct,
            0b01 => Ecn::Ect1,
            0b10 => Ecn::Ect0,
            _ => Ecn::Ce,
        }
    }

    /// The two bits (RFC 3168 §5: ECT(0) is 10, ECT(1) 01, CE 11).
    pub fn bits(self) -> u8 {
        match self {
            Ecn::NotEct => 0b00,
            Ecn::Ect1 => 0b01,
            Ecn::Ect0 => 0b10,
            Ecn::Ce => 0b11,
        }
    }

    /// ECT(0), ECT(1) or CE: a packet of an ECN-capable transport, which a
    /// router may mark CE instead of dropping it (RFC 3168 §5).
    pub fn is_ect(self) -> bool {
        self != Ecn::NotEct
    }
}
