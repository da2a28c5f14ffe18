//! TLS 1.2 (RFC 5246) beside TLS 1.3: the classic RSA key exchange and
//! ECDHE (RFC 8422) with the extended master secret (RFC 7627), secure
//! renegotiation signalling without renegotiation (RFC 5746), and version
//! negotiation with the RFC 8446 §4.1.3 downgrade sentinel.
//!
//! The flow, in the project's notes' order:
//!
//! 1. ClientHello: the client's suites and its 32-byte random (nonce).
//! 2. ServerHello (the strongest common suite, in the server's order, and the
//!    server random), Certificate, for ECDHE a signed ServerKeyExchange, and
//!    ServerHelloDone.
//! 3. The client validates the chain ([`crate::cert`]), then either makes a
//!    48-byte pre-master secret (the offered version, 0x0303, then 46 random
//!    bytes) and encrypts it to the server's RSA key, or sends its ECDHE
//!    share: ClientKeyExchange.
//! 4. Both sides derive the master secret with the PRF and from it the key
//!    block: MAC keys, encryption keys and IVs ([`keys`]).
//! 5. ChangeCipherSpec and Finished each way: verify_data =
//!    PRF(master_secret, label, Hash(handshake messages))\[0..11\], checked by
//!    the other side (a keyed check over everything exchanged in the clear).
//!
//! The machines are [`crate::ClientConnection`] and
//! [`crate::ServerConnection`]: they speak TLS 1.2 when the configuration
//! allows it and the peer does not do TLS 1.3.

pub(crate) mod client;
pub mod keys;
pub mod msgs;
pub mod record;
pub(crate) mod server;
pub mod suites;
pub(crate) mod ticket;

use crate::suites::{NamedGroup, SignatureScheme};

pub use suites::Tls12Suite;

/// What a TLS 1.2 handshake agreed on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Negotiated12 {
    /// The cipher suite.
    pub suite: Tls12Suite,
    /// The ECDHE group (none for the RSA key exchange).
    pub group: Option<NamedGroup>,
    /// The ServerKeyExchange signature scheme (none for the RSA key exchange).
    pub signature_scheme: Option<SignatureScheme>,
    /// The ALPN protocol, if any.
    pub alpn: Option<Vec<u8>>,
    /// Whether the extended master secret was used (RFC 7627).
    pub extended_master_secret: bool,
    /// Whether both sides signalled secure renegotiation (RFC 5746).
    pub secure_renegotiation: bool,
    /// Whether this was an abbreviated handshake resuming a session from a
    /// ticket (RFC 5077).
    pub resumed: bool,
}

/// A TLS 1.2 session a client can resume (RFC 5077): the server's ticket
/// and what the client must remember with it. The master secret is zeroized
/// on drop and never printed.
#[derive(Clone)]
pub struct Tls12Session {
    /// The suite of the session.
    pub suite: Tls12Suite,
    /// Whether the session used the extended master secret (RFC 7627).
    pub extended_master_secret: bool,
    /// The master secret.
    pub master: crate::keys::Secret,
    /// The server's opaque ticket.
    pub ticket: Vec<u8>,
}

impl core::fmt::Debug for Tls12Session {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tls12Session")
            .field("suite", &self.suite)
            .field("extended_master_secret", &self.extended_master_secret)
            .field("ticket_len", &self.ticket.len())
            .finish_non_exhaustive()
    }
}

/// The 8 bytes of `random` after 24, to check a downgrade sentinel.
pub(crate) fn random_tail(random: &[u8; 32]) -> [u8; 8] {
    let mut t = [0u8; 8];
    t.copy_from_slice(&random[24..]);
    t
}
