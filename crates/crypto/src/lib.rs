//! Cryptographic primitives for Handshake, from scratch, with hardware fast paths.
//!
//! Everything TLS needs on its symmetric side:
//!
//! - hashes: [`Sha256`], [`Sha384`], [`Sha512`] (FIPS 180-4), streaming and one-shot;
//! - MACs and key derivation: [`Hmac`] (RFC 2104), [`hkdf`] (RFC 5869) and the TLS 1.2
//!   PRF ([`prf`], RFC 5246 §5);
//! - block cipher: [`Aes`] (FIPS 197), AES-128 and AES-256 (and AES-192 on the
//!   portable code, for completeness);
//! - AEADs behind the [`Aead`] trait: [`AesGcm`] (SP 800-38D) and
//!   [`ChaCha20Poly1305`] (RFC 8439);
//! - the TLS 1.2 MAC-then-encrypt record protection [`cbc::TlsCbcHmacSha256`]
//!   with a constant-time padding and MAC check.
//!
//! And its public-key side, all on constant-time fixed-width big integers
//! (Montgomery multiplication, fixed-window exponentiation, masked table reads):
//!
//! - key agreement: [`x25519`] / [`X25519SecretKey`] (RFC 7748), P-256 ECDH
//!   ([`P256SecretKey::diffie_hellman`]) and P-384 ECDH
//!   ([`P384SecretKey::diffie_hellman`]);
//! - signatures: ECDSA P-256 with RFC 6979 nonces ([`P256SecretKey`],
//!   [`P256PublicKey`], DER via [`ecdsa_signature_to_der`]), ECDSA P-384 with
//!   SHA-384 or SHA-512 ([`P384SecretKey`], [`P384PublicKey`], DER via
//!   [`ecdsa_p384_signature_to_der`]), Ed25519
//!   ([`Ed25519SigningKey`], RFC 8032), RSA PKCS#1 v1.5 and PSS ([`RsaPrivateKey`],
//!   [`RsaPublicKey`], RFC 8017);
//! - RSA encryption with blinding and the TLS implicit-rejection decryption
//!   ([`RsaPrivateKey::decrypt_pkcs1v15_implicit`], RFC 5246 §7.4.7.1);
//! - SPKI and PKCS#8 key encodings ([`PublicKey`], [`PrivateKey`]).
//!
//! Hashes of the SHA-3 family ([`Sha3_256`], [`Sha3_384`], [`Sha3_512`], the XOFs
//! [`Shake128`] and [`Shake256`], FIPS 202), the post-quantum KEM [`mlkem`] (ML-KEM-512,
//! -768 and -1024, FIPS 203) and the TLS hybrids [`x25519mlkem768`] and
//! [`secp256r1mlkem768`] (draft-ietf-tls-ecdhe-mlkem); these are portable code only.
//!
//! Each primitive has a portable constant-time implementation (no branches and no
//! table lookups on secret data) and, on x86-64, hardware fast paths (SHA-NI, AES-NI,
//! VAES, PCLMULQDQ, AVX2) chosen at run time. [`Backend`] picks between them; the
//! `force-portable` cargo feature or `HANDSHAKE_CRYPTO_PORTABLE=1` in the environment
//! make [`Backend::auto`] (what the plain constructors use) choose the portable code,
//! and the `*_with_backend` constructors let a test run both side by side in one
//! process.
//!
//! The crate is `no_std` + `alloc` without its default `std` feature (CPU features are
//! then taken from the compile-time target features). Its MSRV is 1.89, for the VAES
//! and VPCLMULQDQ intrinsics.
//!
//! ```
//! use handshake_crypto::{Aead, AesGcm, Sha256};
//!
//! let digest = Sha256::digest(b"abc");
//! assert_eq!(digest[0], 0xba);
//!
//! let aead = AesGcm::new(&[7u8; 16]).unwrap();
//! let sealed = aead.seal(&[1u8; 12], b"header", b"hello").unwrap();
//! assert_eq!(aead.open(&[1u8; 12], b"header", &sealed).unwrap(), b"hello");
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod aead;
pub mod aes;
mod backend;
mod bigint;
pub mod cbc;
mod chacha20;
mod chacha20poly1305;
mod ct;
mod curve25519;
mod ec;
mod encoding;
mod error;
mod gcm;
mod ghash;
pub mod hkdf;
mod hmac;
mod hybrid;
pub mod mlkem;
mod p256;
mod p384;
mod poly1305;
pub mod prf;
mod rsa;
pub mod secp256r1mlkem768;
mod sha2;
mod sha3;
mod siphash;
pub mod x25519mlkem768;

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86;

pub use aead::Aead;
pub use aes::Aes;
pub use backend::Backend;
pub use chacha20::{chacha20_xor, chacha20_xor_with_backend};
pub use chacha20poly1305::ChaCha20Poly1305;
pub use ct::ct_eq;
pub use curve25519::ed25519::{Ed25519SigningKey, Ed25519VerifyingKey};
pub use curve25519::x25519::{x25519, X25519SecretKey, X25519_BASEPOINT};
pub use encoding::{PrivateKey, PublicKey, RsaPublicKeyDer};
pub use error::Error;
pub use gcm::AesGcm;
pub use hmac::{Hmac, HmacSha256, HmacSha384, HmacSha512, MIN_TRUNCATED_LEN};
pub use p256::ecdsa::{
    ecdsa_signature_from_der, ecdsa_signature_to_der, P256PublicKey, P256SecretKey,
};
pub use p384::ecdsa::{
    ecdsa_p384_signature_from_der, ecdsa_p384_signature_to_der, P384PublicKey, P384SecretKey,
    P384_SIGNATURE_LEN,
};
pub use poly1305::Poly1305;
pub use rsa::{RsaPrivateComponents, RsaPrivateKey, RsaPublicKey};
pub use sha2::{HashFunction, Sha256, Sha384, Sha512};
pub use sha3::{Sha3_256, Sha3_384, Sha3_512, Shake128, Shake256, XofReader};
pub use siphash::SipHash24;
