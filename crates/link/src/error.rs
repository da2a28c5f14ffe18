//! The crate's one error type.

/// Everything that can be wrong with a frame handed to this crate, with a
/// buffer handed to an `emit`, or with a request to a neighbour cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The buffer ends before the header (or a field) does.
    #[error("truncated {what}: need {need} bytes, have {have}")]
    Truncated {
        /// Which header or field.
        what: &'static str,
        /// Bytes needed.
        need: usize,
        /// Bytes present.
        have: usize,
    },
    /// The type/length field is a length (below 1536): an IEEE 802.3 frame
    /// with an LLC header, not Ethernet II (IEEE 802.3 §3.2.6).
    #[error("EtherType {0:#06x} is an 802.3 length, not an Ethernet II type (IEEE 802.3 §3.2.6)")]
    NotEthernetII(u16),
    /// More stacked 802.1Q/802.1ad tags than this parser skips.
    #[error("more than {0} stacked VLAN tags")]
    TooManyVlanTags(usize),
    /// An ARP packet for another hardware or protocol than Ethernet and IPv4
    /// (RFC 826: "Do I have the hardware type in ar$hrd? ... Do I speak the
    /// protocol in ar$pro?").
    #[error("ARP for hardware {hardware} / protocol {protocol:#06x} with address lengths {hlen}/{plen}, not Ethernet/IPv4 (RFC 826)")]
    UnsupportedArp {
        /// ar$hrd.
        hardware: u16,
        /// ar$pro.
        protocol: u16,
        /// ar$hln.
        hlen: u8,
        /// ar$pln.
        plen: u8,
    },
    /// An ARP opcode other than request (1) and reply (2) (RFC 826).
    #[error("ARP opcode {0} is neither request nor reply (RFC 826)")]
    ArpOperation(u16),
    /// An IP-layer error: the IPv6 header or the ICMPv6 checksum.
    #[error(transparent)]
    Ip(#[from] handshake_ip::Error),
    /// A neighbour discovery message whose IP hop limit is not 255: it may
    /// come from off-link (RFC 4861 §7.1.1, §7.1.2).
    #[error("ND message with hop limit {0}, not 255 (RFC 4861 §7.1.1, §7.1.2)")]
    NdpHopLimit(u8),
    /// An ND message with a non-zero ICMP code (RFC 4861 §7.1.1, §7.1.2).
    #[error("ND message with ICMP code {0}, not 0 (RFC 4861 §7.1.1, §7.1.2)")]
    NdpCode(u8),
    /// An ICMPv6 type this crate does not represent (it handles Neighbor
    /// Solicitation, 135, and Neighbor Advertisement, 136).
    #[error("ICMPv6 type {0} is not a neighbour solicitation or advertisement")]
    NotNdp(u8),
    /// An IPv6 packet whose upper layer is not ICMPv6 (the next header found).
    #[error("IPv6 upper layer {0} is not ICMPv6")]
    NotIcmpv6(u8),
    /// An ND option with length zero (RFC 4861 §4.6, §7.1.1: "All included
    /// options have a length that is greater than zero").
    #[error("ND option of type {0} with length zero (RFC 4861 §4.6)")]
    NdpOptionLengthZero(u8),
    /// A link-layer address option whose length is not the 8 octets of an
    /// Ethernet address (RFC 2464 §6).
    #[error("link-layer address option of {0} octets, not 8 (RFC 2464 §6)")]
    NdpLinkLayerOptionLength(usize),
    /// The same link-layer address option twice in one message.
    #[error("link-layer address option of type {0} twice in one ND message")]
    NdpDuplicateOption(u8),
    /// A multicast target address (RFC 4861 §7.1.1, §7.1.2: "Target Address
    /// is not a multicast address").
    #[error("ND target address is multicast (RFC 4861 §7.1.1, §7.1.2)")]
    NdpMulticastTarget,
    /// A solicitation from the unspecified address that is not sent to a
    /// solicited-node address or carries a source link-layer address option
    /// (RFC 4861 §7.1.1).
    #[error("NS from the unspecified address to a non-solicited-node destination or with a source link-layer address (RFC 4861 §7.1.1)")]
    NdpUnspecifiedSource,
    /// An advertisement to a multicast address with the Solicited flag set
    /// (RFC 4861 §7.1.2).
    #[error("NA to a multicast address with the Solicited flag set (RFC 4861 §7.1.2)")]
    NdpSolicitedMulticast,
    /// The output buffer is too small for what `emit` writes.
    #[error("output buffer of {have} bytes, need {need}")]
    BufferTooSmall {
        /// Bytes needed.
        need: usize,
        /// Bytes given.
        have: usize,
    },
    /// An MLD message whose ICMPv6 checksum does not verify.
    #[error("MLD message with a bad ICMPv6 checksum (RFC 3810 §5.1.1)")]
    MldChecksum,
    /// An ICMPv6 message handed to the MLD query parser that is not one (type 130).
    #[error("ICMPv6 type {0} is not an MLD query")]
    NotMldQuery(u8),
    /// An MLD query not from a link-local address (RFC 3810 §5.1.14: "it
    /// MUST silently discard the message").
    #[error("MLD query from {0}, not a link-local address (RFC 3810 §5.1.14)")]
    MldSource(core::net::Ipv6Addr),
    /// An MLD query with a hop limit other than 1 (RFC 3810 §5: sent with 1;
    /// anything else crossed a router).
    #[error("MLD query with hop limit {0}, not 1 (RFC 3810 §5)")]
    MldHopLimit(u8),
    /// Every cache entry is waiting for resolution: no room for another
    /// address until one resolves or fails.
    #[error("neighbour cache full of unresolved entries")]
    CacheFull,
}
