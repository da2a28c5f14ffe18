//! The crate's one error type.

/// Everything that can be wrong with a packet handed to this crate, or with a
/// buffer handed to an `emit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The buffer ends before the fixed header (or a field) does.
    #[error("truncated {what}: need {need} bytes, have {have}")]
    Truncated {
        /// Which header or field.
        what: &'static str,
        /// Bytes needed.
        need: usize,
        /// Bytes present.
        have: usize,
    },
    /// The version field is not the one expected (RFC 791 §3.1, RFC 8200 §3).
    #[error("IP version {found}, expected {expected}")]
    Version {
        /// Version in the packet.
        found: u8,
        /// Version this parser handles.
        expected: u8,
    },
    /// IPv4 Internet Header Length below 5 words (RFC 791 §3.1: minimum value 5).
    #[error("IPv4 IHL {0} is below the minimum of 5 (RFC 791 §3.1)")]
    BadIhl(u8),
    /// A length field is smaller than the header it must contain.
    #[error("{what} length field {value} is below the header length {min}")]
    LengthBelowHeader {
        /// Which length field.
        what: &'static str,
        /// Its value.
        value: usize,
        /// The header length it must cover.
        min: usize,
    },
    /// A length field claims more bytes than the buffer holds.
    #[error("{what} length field {value} exceeds the {have} bytes present")]
    LengthBeyondBuffer {
        /// Which length field.
        what: &'static str,
        /// Its value.
        value: usize,
        /// Bytes present.
        have: usize,
    },
    /// The checksum does not verify.
    #[error("bad {what} checksum (RFC 1071 sum of the packet is {sum:#06x}, not 0xffff)")]
    BadChecksum {
        /// Which protocol's checksum.
        what: &'static str,
        /// The one's complement sum found.
        sum: u16,
    },
    /// A UDP checksum of zero over IPv6 (RFC 8200 §8.1: UDP checksum is mandatory over IPv6).
    #[error("UDP over IPv6 with a zero checksum (RFC 8200 §8.1 makes it mandatory)")]
    UdpZeroChecksumV6,
    /// The IPv6 extension header chain is longer than this parser follows.
    #[error("IPv6 extension header chain longer than {0} headers")]
    TooManyExtensionHeaders(usize),
    /// A Hop-by-Hop Options header anywhere but first (RFC 8200 §4.3).
    #[error(
        "IPv6 Hop-by-Hop Options header not immediately after the IPv6 header (RFC 8200 §4.3)"
    )]
    HopByHopNotFirst,
    /// An ICMP message type this crate does not represent.
    #[error("unsupported ICMP type {msg_type} code {code}")]
    UnsupportedIcmp {
        /// ICMP type.
        msg_type: u8,
        /// ICMP code.
        code: u8,
    },
    /// The output buffer is too small for what `emit` writes.
    #[error("output buffer of {have} bytes, need {need}")]
    BufferTooSmall {
        /// Bytes needed.
        need: usize,
        /// Bytes given.
        have: usize,
    },
    /// A value does not fit its field when emitting (e.g. a 70000-byte IPv4 payload).
    #[error("{what} of {value} does not fit its field")]
    FieldOverflow {
        /// Which field.
        what: &'static str,
        /// The value.
        value: usize,
    },
}
