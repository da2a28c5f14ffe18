//! The crate's error type.

use core::fmt;

/// What went wrong in a cryptographic operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// A key had a length the algorithm does not take (AES: 16, 24 or 32 bytes;
    /// ChaCha20-Poly1305: 32 bytes).
    InvalidKeyLength,
    /// A nonce had a length the algorithm does not take (RFC 8439: 12 bytes;
    /// SP 800-38D: at least 1 byte).
    InvalidNonceLength,
    /// Authentication failed: wrong tag, tampered ciphertext or AAD, or (TLS CBC
    /// records) bad padding. RFC 5246 §7.2.2 maps every such case to `bad_record_mac`.
    BadRecordMac,
    /// HKDF-Expand was asked for more than 255 * HashLen bytes (RFC 5869 §2.3).
    OutputTooLong,
    /// An input was too short or not a multiple of the block size.
    InvalidLength,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Error::InvalidKeyLength => "invalid key length",
            Error::InvalidNonceLength => "invalid nonce length",
            Error::BadRecordMac => "authentication failed (bad_record_mac)",
            Error::OutputTooLong => "requested output longer than 255 * HashLen (RFC 5869 §2.3)",
            Error::InvalidLength => "input length invalid for this operation",
        })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
