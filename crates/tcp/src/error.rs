//! The crate's one error type.

/// What can be wrong with a TCP segment handed to this crate, or with a
/// buffer or representation handed to `emit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Fewer bytes than the 20-byte fixed header (RFC 9293 §3.1).
    #[error("truncated TCP header: need 20 bytes, have {have}")]
    Truncated {
        /// Bytes present.
        have: usize,
    },
    /// Data Offset below 5 words: the header cannot be shorter than 20 bytes
    /// (RFC 9293 §3.1).
    #[error("TCP data offset {0} is below 5 (RFC 9293 §3.1)")]
    DataOffsetTooSmall(u8),
    /// Data Offset points past the end of the segment (RFC 9293 §3.1).
    #[error(
        "TCP data offset says a {header_len}-byte header, segment has {have} bytes (RFC 9293 §3.1)"
    )]
    DataOffsetBeyondBuffer {
        /// Header length the data offset claims.
        header_len: usize,
        /// Bytes present.
        have: usize,
    },
    /// An option length of 0 or 1 (RFC 9293 §3.2, MUST-7: an illegal option
    /// length; the length counts kind and length octets, so is at least 2).
    #[error("TCP option kind {kind} with illegal length {len} (RFC 9293 §3.2, MUST-7)")]
    IllegalOptionLength {
        /// Option kind.
        kind: u8,
        /// Its length octet.
        len: u8,
    },
    /// An option runs past the end of the header (RFC 9293 §3.2, MUST-7).
    #[error("TCP option kind {kind} of length {len} overflows the {remaining} bytes left in the header (RFC 9293 §3.2)")]
    OptionOverflow {
        /// Option kind.
        kind: u8,
        /// Its length octet (0 when the length octet itself is missing).
        len: u8,
        /// Option bytes left from the option's start.
        remaining: usize,
    },
    /// A known option with a length its definition forbids.
    #[error("TCP option kind {kind} with length {len}: {rule}")]
    BadOptionLength {
        /// Option kind.
        kind: u8,
        /// Its length octet.
        len: u8,
        /// The rule broken, with its RFC.
        rule: &'static str,
    },
    /// The checksum over pseudo-header and segment does not verify
    /// (RFC 9293 §3.1, MUST-3).
    #[error(
        "bad TCP checksum: one's complement sum {sum:#06x}, not 0xffff (RFC 9293 §3.1, MUST-3)"
    )]
    BadChecksum {
        /// The sum found.
        sum: u16,
    },
    /// The options to emit need more than 40 bytes (RFC 9293 §3.1: Data
    /// Offset is 4 bits, so the header is at most 60 bytes).
    #[error("TCP options need {len} bytes, at most 40 fit (RFC 9293 §3.1)")]
    OptionsTooLong {
        /// Bytes the options need.
        len: usize,
    },
    /// More SACK blocks than fit in one option (RFC 2018 §3: at most 4).
    #[error("{0} SACK blocks, at most 4 fit in the option (RFC 2018 §3)")]
    TooManySackBlocks(usize),
    /// The output buffer is too small.
    #[error("output buffer of {have} bytes, need {need}")]
    BufferTooSmall {
        /// Bytes needed.
        need: usize,
        /// Bytes given.
        have: usize,
    },
    /// The segment is longer than the IP layer can carry (65535 - 20 bytes over IPv4).
    #[error("TCP segment of {len} bytes does not fit the pseudo-header length")]
    SegmentTooLong {
        /// Segment length.
        len: usize,
    },
    /// An OPEN to an address no connection can have: unspecified, broadcast,
    /// multicast, or port 0 (RFC 9293 §3.9.1.1, MUST-46).
    #[error("{addr} is not a unicast address and port a connection can use (RFC 9293 MUST-46)")]
    InvalidAddress {
        /// The address refused.
        addr: core::net::SocketAddr,
    },
    /// An OPEN or LISTEN on a 4-tuple or local address that a live
    /// connection or listener already holds (RFC 9293 §3.9.1.1: "connection
    /// already exists", §3.3.1: a connection is identified by its socket pair).
    #[error("{local} (to {remote:?}) is already in use")]
    AddressInUse {
        /// Our end.
        local: core::net::SocketAddr,
        /// The peer, for a connection; `None` for a listener.
        remote: Option<core::net::SocketAddr>,
    },
}
