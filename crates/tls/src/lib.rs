//! A sans-IO TLS 1.3 client and server (RFC 8446), with TLS 1.2 (RFC 5246;
//! [`tls12`]) beside it, on handshake-crypto.
//!
//! Layers, each its own module:
//!
//! - [`codec`], [`extensions`], [`msgs`]: the presentation language, hello
//!   extensions and handshake messages, parsed with checks and typed errors;
//! - [`record`]: the record header, its limits, and TLS 1.3 record protection;
//! - [`keys`]: the transcript hash and the key schedule;
//! - [`kx`], [`sign`]: key shares and CertificateVerify;
//! - [`cert`]: X.509 path validation (x509-cert parses, our crypto verifies);
//! - [`ClientConnection`], [`ServerConnection`]: the state machines;
//! - [`trace`]: a readable handshake trace and the NSS key log.
//!
//! *Sans-IO*: a connection performs no I/O, reads no clock and draws no
//! randomness. The caller moves bytes ([`ClientConnection::read_tls`],
//! [`ClientConnection::poll_transmit`]), reads [`Event`]s, and supplies the
//! time (for certificate validity) and a `rand_core` RNG. The record layer's
//! framing, the codec, alerts and certificate code are shared by both
//! versions; [`tls12`] holds what only TLS 1.2 has.
//!
//! ```
//! use std::sync::Arc;
//! use handshake_tls::{ClientConfig, ClientConnection};
//!
//! let config = Arc::new(ClientConfig::new(Vec::new()));
//! use rand_chacha::rand_core::SeedableRng;
//! // A program passes the OS CSPRNG; a test, a seeded RNG that replays.
//! let rng = Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(7));
//! let mut client = ClientConnection::new(config, "example.com", 1_700_000_000, rng).unwrap();
//! let hello = client.poll_transmit().unwrap();
//! assert_eq!(&hello[..3], &[22, 3, 3]); // a handshake record
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod alert;
pub mod cert;
mod client;
pub mod codec;
mod config;
mod conn;
mod error;
pub mod extensions;
pub mod keys;
pub mod kx;
pub mod msgs;
pub mod psk;
pub mod record;
mod server;
pub mod sign;
pub mod suites;
pub mod tls12;
pub mod trace;

pub use alert::{AlertDescription, AlertLevel};
pub use cert::{ServerName, TrustAnchor};
pub use client::{ClientConnection, DOWNGRADE_TLS11, DOWNGRADE_TLS12};
pub use config::{ClientAuth, ClientCert, ClientConfig, ServerConfig, MAX_AUTHORITIES_LEN};
pub use conn::{Event, Negotiated, MAX_HANDSHAKE_MESSAGE};
pub use error::{CertError, Error};
pub use psk::{ClientSessionStore, MemorySessionStore, Tls13Session};
pub use server::{ServerConnection, MAX_OUTSTANDING_AUTH_REQUESTS};
pub use suites::{CipherSuite, NamedGroup, SignatureScheme};
pub use tls12::{Negotiated12, Tls12Suite};
pub use trace::{nss_key_log_line, KeyLog, TraceLine};
