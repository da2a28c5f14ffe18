//! Client and server configuration, with defaults that follow RFC 8446's
//! recommendations (§9.1: AES-128-GCM, X25519 and secp256r1, ECDSA P-256,
//! RSA-PSS, Ed25519).

use std::sync::Arc;

use handshake_crypto::PrivateKey;

use crate::cert::TrustAnchor;
use crate::record::MAX_PLAINTEXT;
use crate::suites::{CipherSuite, NamedGroup, SignatureScheme};
use crate::trace::KeyLog;
use crate::Error;

/// What a client offers and trusts.
#[derive(Clone)]
pub struct ClientConfig {
    /// Cipher suites, in preference order.
    pub cipher_suites: Vec<CipherSuite>,
    /// Groups for supported_groups, in preference order.
    pub groups: Vec<NamedGroup>,
    /// How many of the first `groups` get a key share in the first
    /// ClientHello (at least one); the server may ask for another by
    /// HelloRetryRequest.
    pub key_shares: usize,
    /// Signature schemes accepted in CertificateVerify.
    pub signature_schemes: Vec<SignatureScheme>,
    /// The trust anchors.
    pub roots: Vec<TrustAnchor>,
    /// ALPN protocols to offer (none: no extension).
    pub alpn: Vec<Vec<u8>>,
    /// Where secrets go in NSS key-log form; `None` (the default) logs nothing.
    pub key_log: Option<Arc<dyn KeyLog>>,
    /// Whether to keep a readable trace of the handshake.
    pub trace: bool,
    /// Largest plaintext per record this side sends (1 to 2^14).
    pub max_fragment: usize,
}

impl ClientConfig {
    /// Defaults: every suite and group, every scheme, one key share (x25519).
    pub fn new(roots: Vec<TrustAnchor>) -> Self {
        ClientConfig {
            cipher_suites: CipherSuite::ALL.to_vec(),
            groups: NamedGroup::ALL.to_vec(),
            key_shares: 1,
            signature_schemes: SignatureScheme::ALL.to_vec(),
            roots,
            alpn: Vec::new(),
            key_log: None,
            trace: false,
            max_fragment: MAX_PLAINTEXT,
        }
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.cipher_suites.is_empty()
            || self.groups.is_empty()
            || self.signature_schemes.is_empty()
        {
            return Err(Error::Config(
                "client needs at least one suite, group and signature scheme",
            ));
        }
        Ok(())
    }
}

/// What a server accepts and who it is.
#[derive(Clone)]
pub struct ServerConfig {
    /// Cipher suites, in the server's preference order.
    pub cipher_suites: Vec<CipherSuite>,
    /// Groups, in preference order.
    pub groups: Vec<NamedGroup>,
    /// The certificate chain, leaf first (DER).
    pub cert_chain: Vec<Vec<u8>>,
    /// The leaf's private key.
    pub key: Arc<PrivateKey>,
    /// ALPN protocols, in preference order.
    pub alpn: Vec<Vec<u8>>,
    /// Where secrets go in NSS key-log form; `None` logs nothing.
    pub key_log: Option<Arc<dyn KeyLog>>,
    /// Whether to keep a readable trace.
    pub trace: bool,
    /// Largest plaintext per record this side sends (1 to 2^14).
    pub max_fragment: usize,
}

impl ServerConfig {
    /// A server with `cert_chain` (leaf first, DER) and the leaf's key in
    /// PKCS#8 DER.
    pub fn new(cert_chain: Vec<Vec<u8>>, key_pkcs8_der: &[u8]) -> Result<Self, Error> {
        let key = PrivateKey::from_pkcs8_der(key_pkcs8_der).map_err(Error::Crypto)?;
        if crate::sign::schemes_for(&key).is_empty() {
            return Err(Error::Config("the key type cannot sign CertificateVerify"));
        }
        if cert_chain.is_empty() {
            return Err(Error::Config("server needs a certificate"));
        }
        Ok(ServerConfig {
            cipher_suites: CipherSuite::ALL.to_vec(),
            groups: NamedGroup::ALL.to_vec(),
            cert_chain,
            key: Arc::new(key),
            alpn: Vec::new(),
            key_log: None,
            trace: false,
            max_fragment: MAX_PLAINTEXT,
        })
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.cipher_suites.is_empty() || self.groups.is_empty() {
            return Err(Error::Config("server needs at least one suite and group"));
        }
        Ok(())
    }
}
