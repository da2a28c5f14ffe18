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
    /// Authentication failed: a wrong tag or MAC, tampered ciphertext or AAD, or (TLS
    /// CBC records) bad padding. What a protocol tells its peer is the protocol's
    /// business (TLS maps it to its `bad_record_mac` alert, RFC 5246 §7.2.2).
    AuthenticationFailed,
    /// HKDF-Expand was asked for more than 255 * HashLen bytes (RFC 5869 §2.3).
    OutputTooLong,
    /// An input was too short, too long (an AEAD message over its limit: SP 800-38D
    /// §5.2.1.1, RFC 8439 §2.8) or not a multiple of the block size.
    InvalidLength,
    /// A public key was malformed: wrong length, not on the curve, not canonical, or
    /// (RSA) a modulus or exponent out of range.
    InvalidPublicKey,
    /// A private key was malformed or out of range (a scalar of zero or at least the
    /// group order, RSA factors that do not match the modulus).
    InvalidPrivateKey,
    /// Key agreement gave the all-zero value: the peer sent a low-order point
    /// (RFC 7748 §6.1, RFC 8446 §7.4.2 require aborting).
    LowOrderPoint,
    /// A signature did not verify, or was malformed (wrong length, out-of-range
    /// components, bad DER).
    BadSignature,
    /// A message was too long for the key (RFC 8017 §7.2.1, §9.1.1).
    MessageTooLong,
    /// RSA decryption failed (RFC 8017 §7.2.2). Callers in TLS use the
    /// implicit-rejection API instead, which never returns this.
    DecryptionFailed,
    /// DER input was malformed or described a different algorithm.
    BadEncoding,
    /// A key size the implementation does not support (RSA: 2048 to 4096 bits).
    UnsupportedKeySize,
    /// An ML-KEM encapsulation key failed the modulus check of FIPS 203 §7.2: a
    /// 12-bit coefficient of t̂ is q = 3329 or more, so ByteEncode₁₂(ByteDecode₁₂(ek))
    /// differs from ek.
    EncapsulationKeyNotReduced,
    /// An ML-KEM decapsulation key failed the hash check of FIPS 203 §7.3: the
    /// H(ek) it stores is not the SHA3-256 of the ek it stores.
    DecapsulationKeyHashMismatch,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Error::InvalidKeyLength => "invalid key length",
            Error::InvalidNonceLength => "invalid nonce length",
            Error::AuthenticationFailed => "authentication failed",
            Error::OutputTooLong => "requested output longer than 255 * HashLen (RFC 5869 §2.3)",
            Error::InvalidLength => "input length invalid for this operation",
            Error::InvalidPublicKey => "invalid public key",
            Error::InvalidPrivateKey => "invalid private key",
            Error::LowOrderPoint => "key agreement produced the all-zero value (RFC 7748 §6.1)",
            Error::BadSignature => "signature verification failed",
            Error::MessageTooLong => "message too long for the key (RFC 8017)",
            Error::DecryptionFailed => "decryption error (RFC 8017 §7.2.2)",
            Error::BadEncoding => "malformed DER or wrong algorithm identifier",
            Error::UnsupportedKeySize => "unsupported key size",
            Error::EncapsulationKeyNotReduced => {
                "ML-KEM encapsulation key has a coefficient not below q (FIPS 203 §7.2 modulus check)"
            }
            Error::DecapsulationKeyHashMismatch => {
                "ML-KEM decapsulation key's H(ek) does not match its ek (FIPS 203 §7.3 hash check)"
            }
        })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
