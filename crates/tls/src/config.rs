//! Client and server configuration, with defaults that follow RFC 8446's
//! recommendations (§9.1: AES-128-GCM, X25519 and secp256r1, ECDSA P-256,
//! RSA-PSS, Ed25519), with secp384r1 and ECDSA P-384 beside them.

use std::sync::Arc;

use handshake_crypto::PrivateKey;

use crate::cert::TrustAnchor;
use crate::psk::ClientSessionStore;
use crate::record::MAX_PLAINTEXT;
use crate::suites::{CipherSuite, NamedGroup, SignatureScheme, TLS12, TLS13};
use crate::tls12::suites::Tls12Suite;
use crate::tls12::Tls12Session;
use crate::trace::KeyLog;
use crate::Error;
use zeroize::Zeroizing;

/// What a client offers and trusts.
#[derive(Clone)]
pub struct ClientConfig {
    /// Protocol versions offered: [`TLS13`] and/or [`TLS12`] (default both).
    pub versions: Vec<u16>,
    /// TLS 1.3 cipher suites, in preference order.
    pub cipher_suites: Vec<CipherSuite>,
    /// TLS 1.2 cipher suites, in preference order. The default is the
    /// forward-secret ECDHE AEAD suites; the RSA key-exchange suites
    /// ([`Tls12Suite::RSA_KX`]) have no forward secrecy and are only offered
    /// when added here by name.
    pub tls12_suites: Vec<Tls12Suite>,
    /// TLS 1.2: refuse a server that does not agree to the extended master
    /// secret (RFC 7627 §5.2; default true).
    pub require_extended_master_secret: bool,
    /// TLS 1.2: offer the session_ticket extension (RFC 5077; default
    /// false), so the server may issue a ticket.
    pub tls12_session_tickets: bool,
    /// TLS 1.2: a session to resume (from
    /// [`ClientConnection::tls12_session`](crate::ClientConnection::tls12_session)
    /// of an earlier connection); its ticket is offered when
    /// `tls12_session_tickets` is on.
    pub tls12_session: Option<Tls12Session>,
    /// TLS 1.3: where tickets from servers are kept and taken from to
    /// resume (RFC 8446 §2.2, §4.6.1), by server name; `None` (the
    /// default) keeps none and offers none. See
    /// [`MemorySessionStore`](crate::MemorySessionStore).
    pub session_store: Option<Arc<dyn ClientSessionStore>>,
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
    /// A certificate to answer a server's CertificateRequest with
    /// (RFC 8446 §4.4.2; TLS 1.3); `None` (the default) answers with an
    /// empty Certificate.
    pub client_cert: Option<ClientCert>,
    /// Further client certificates, after `client_cert` in preference
    /// order (see [`add_client_cert`](Self::add_client_cert)). To answer a
    /// CertificateRequest the client takes the first certificate whose key
    /// can sign a requested scheme and, when the request names
    /// certificate_authorities (RFC 8446 §4.2.4), whose chain matches one
    /// of them: the issuer or subject of one of its certificates is a
    /// named DistinguishedName. When none matches it sends the first
    /// certificate that can sign (as OpenSSL and rustls do: the names are
    /// a hint, and the server decides).
    pub client_certs: Vec<ClientCert>,
    /// TLS 1.3: offer post_handshake_auth (RFC 8446 §4.2.6), so the server
    /// may ask for a certificate after the handshake; the client answers
    /// such a request at once with Certificate, CertificateVerify and
    /// Finished (§4.6.2). Off by default, as in rustls and OpenSSL.
    pub post_handshake_auth: bool,
    /// Where secrets go in NSS key-log form; `None` (the default) logs nothing.
    pub key_log: Option<Arc<dyn KeyLog>>,
    /// Whether to keep a readable trace of the handshake.
    pub trace: bool,
    /// Largest plaintext per record this side sends (1 to 2^14).
    pub max_fragment: usize,
    /// TLS 1.3: records sent under one key before this side updates it
    /// with a KeyUpdate of its own (RFC 8446 §4.6.3, §5.5). `None` (the
    /// default) keeps the AEAD's limit ([`AeadAlg::records_per_key`](crate::suites::AeadAlg::records_per_key));
    /// a lower number rotates keys sooner.
    pub records_per_key: Option<u64>,
}

impl ClientConfig {
    /// Defaults: every suite and group, every scheme, one key share (x25519).
    pub fn new(roots: Vec<TrustAnchor>) -> Self {
        ClientConfig {
            versions: vec![TLS13, TLS12],
            cipher_suites: CipherSuite::ALL.to_vec(),
            tls12_suites: Tls12Suite::DEFAULT.to_vec(),
            require_extended_master_secret: true,
            tls12_session_tickets: false,
            tls12_session: None,
            session_store: None,
            groups: NamedGroup::DEFAULT.to_vec(),
            key_shares: 1,
            signature_schemes: SignatureScheme::ALL.to_vec(),
            roots,
            alpn: Vec::new(),
            client_cert: None,
            client_certs: Vec::new(),
            post_handshake_auth: false,
            key_log: None,
            trace: false,
            max_fragment: MAX_PLAINTEXT,
            records_per_key: None,
        }
    }

    /// Sets the client certificate: `chain` (leaf first, DER) and the
    /// leaf's key in PKCS#8 DER.
    pub fn set_client_cert(
        &mut self,
        chain: Vec<Vec<u8>>,
        key_pkcs8_der: &[u8],
    ) -> Result<(), Error> {
        let key = signing_key(key_pkcs8_der)?;
        if chain.is_empty() {
            return Err(Error::Config("client certificate chain is empty"));
        }
        self.client_cert = Some(ClientCert {
            chain,
            key: Arc::new(key),
        });
        Ok(())
    }

    /// Adds a further client certificate (chain leaf first, DER; the
    /// leaf's key in PKCS#8 DER) to [`client_certs`](Self::client_certs),
    /// for servers that name other certificate_authorities.
    ///
    /// ```
    /// # use handshake_tls::ClientConfig;
    /// let mut config = ClientConfig::new(Vec::new());
    /// // Not a certificate or a key: refused before any handshake.
    /// assert!(config.add_client_cert(vec![vec![0x30]], &[0x30]).is_err());
    /// assert!(config.client_certs.is_empty());
    /// ```
    pub fn add_client_cert(
        &mut self,
        chain: Vec<Vec<u8>>,
        key_pkcs8_der: &[u8],
    ) -> Result<(), Error> {
        let key = signing_key(key_pkcs8_der)?;
        if chain.is_empty() {
            return Err(Error::Config("client certificate chain is empty"));
        }
        self.client_certs.push(ClientCert {
            chain,
            key: Arc::new(key),
        });
        Ok(())
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.groups.is_empty() || self.signature_schemes.is_empty() {
            return Err(Error::Config(
                "client needs at least one group and signature scheme",
            ));
        }
        check_versions(&self.versions, &self.cipher_suites, &self.tls12_suites)
    }

    /// Whether TLS 1.3 is offered.
    pub(crate) fn offers13(&self) -> bool {
        self.versions.contains(&TLS13)
    }

    /// Whether TLS 1.2 is offered.
    pub(crate) fn offers12(&self) -> bool {
        self.versions.contains(&TLS12)
    }
}

/// A client's certificate chain and key (mutual TLS).
#[derive(Clone)]
pub struct ClientCert {
    /// The chain, leaf first (DER).
    pub chain: Vec<Vec<u8>>,
    /// The leaf's private key.
    pub key: Arc<PrivateKey>,
}

/// The most bytes of DistinguishedNames a server puts in
/// certificate_authorities; further roots are not named.
pub const MAX_AUTHORITIES_LEN: usize = 16 * 1024;

/// Whether and how a server asks for client certificates (RFC 8446
/// §4.3.2).
#[derive(Clone)]
pub struct ClientAuth {
    /// The anchors a client's chain must lead to.
    pub roots: Vec<TrustAnchor>,
    /// Whether a client without a certificate is refused
    /// (certificate_required, §4.4.2.4) rather than let through
    /// unauthenticated.
    pub required: bool,
    /// Ask only after the handshake (TLS 1.3 post-handshake
    /// authentication, §4.6.2), when the application calls
    /// [`ServerConnection::request_client_auth`](crate::ServerConnection::request_client_auth):
    /// the handshake itself (of either version) sends no
    /// CertificateRequest.
    pub post_handshake_only: bool,
}

impl ClientAuth {
    /// Client certificates leading to `roots`, required, asked for in the
    /// handshake. Every CertificateRequest names the roots' subjects in
    /// certificate_authorities (RFC 8446 §4.2.4).
    ///
    /// ```
    /// let auth = handshake_tls::ClientAuth::new(Vec::new());
    /// assert!(auth.required && !auth.post_handshake_only);
    /// ```
    pub fn new(roots: Vec<TrustAnchor>) -> Self {
        ClientAuth {
            roots,
            required: true,
            post_handshake_only: false,
        }
    }

    /// The DistinguishedNames of the roots (DER), for
    /// certificate_authorities (RFC 8446 §4.2.4), at most
    /// [`MAX_AUTHORITIES_LEN`] bytes of them (a long list would not fit
    /// the extension, and peers bound handshake messages).
    pub(crate) fn authorities(&self) -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = Vec::new();
        let mut len = 0;
        for dn in self.roots.iter().map(TrustAnchor::subject_der) {
            if dn.is_empty() || out.contains(&dn) || len + 2 + dn.len() > MAX_AUTHORITIES_LEN {
                continue;
            }
            len += 2 + dn.len();
            out.push(dn);
        }
        out
    }
}

fn signing_key(key_pkcs8_der: &[u8]) -> Result<PrivateKey, Error> {
    let key = PrivateKey::from_pkcs8_der(key_pkcs8_der).map_err(Error::Crypto)?;
    if crate::sign::schemes_for(&key).is_empty() {
        return Err(Error::Config("the key type cannot sign CertificateVerify"));
    }
    Ok(key)
}

/// What a server accepts and who it is.
#[derive(Clone)]
pub struct ServerConfig {
    /// Protocol versions accepted: [`TLS13`] and/or [`TLS12`] (default both).
    pub versions: Vec<u16>,
    /// TLS 1.3 cipher suites, in the server's preference order.
    pub cipher_suites: Vec<CipherSuite>,
    /// TLS 1.2 cipher suites, in the server's preference order; only those
    /// the key can serve are chosen (ECDHE_ECDSA needs a P-256, P-384 or
    /// Ed25519 key, RSA and ECDHE_RSA an RSA key). The RSA key-exchange
    /// suites are off unless added here by name (no forward secrecy).
    pub tls12_suites: Vec<Tls12Suite>,
    /// TLS 1.2: refuse a client that does not offer the extended master
    /// secret (RFC 7627 §5.3; default true).
    pub require_extended_master_secret: bool,
    /// The key that seals session tickets, from the caller's RNG and shared
    /// by the servers that should resume each other's sessions: TLS 1.2's
    /// (RFC 5077) and TLS 1.3's (RFC 8446 §4.6.1; only on a connection made
    /// with [`ServerConnection::new_at`](crate::ServerConnection::new_at),
    /// which knows the time). `None` (the default) issues and accepts none.
    pub tls12_ticket_key: Option<Zeroizing<[u8; 32]>>,
    /// TLS 1.3: how many NewSessionTickets to send after the handshake when
    /// a ticket key is set (default 2, as rustls's `send_tls13_tickets`).
    pub tls13_tickets: usize,
    /// TLS 1.3: ticket_lifetime in seconds (default 7200; at most 604800,
    /// RFC 8446 §4.6.1).
    pub ticket_lifetime: u32,
    /// Groups, in preference order.
    pub groups: Vec<NamedGroup>,
    /// The certificate chain, leaf first (DER).
    pub cert_chain: Vec<Vec<u8>>,
    /// The leaf's private key.
    pub key: Arc<PrivateKey>,
    /// ALPN protocols, in preference order.
    pub alpn: Vec<Vec<u8>>,
    /// Client authentication (TLS 1.3): `None` (the default) asks for no
    /// certificate.
    pub client_auth: Option<ClientAuth>,
    /// Where secrets go in NSS key-log form; `None` logs nothing.
    pub key_log: Option<Arc<dyn KeyLog>>,
    /// Whether to keep a readable trace.
    pub trace: bool,
    /// Largest plaintext per record this side sends (1 to 2^14).
    pub max_fragment: usize,
    /// TLS 1.3: records sent under one key before this side updates it
    /// with a KeyUpdate of its own (RFC 8446 §4.6.3, §5.5). `None` (the
    /// default) keeps the AEAD's limit ([`AeadAlg::records_per_key`](crate::suites::AeadAlg::records_per_key));
    /// a lower number rotates keys sooner.
    pub records_per_key: Option<u64>,
}

impl ServerConfig {
    /// A server with `cert_chain` (leaf first, DER) and the leaf's key in
    /// PKCS#8 DER.
    pub fn new(cert_chain: Vec<Vec<u8>>, key_pkcs8_der: &[u8]) -> Result<Self, Error> {
        let key = signing_key(key_pkcs8_der)?;
        if cert_chain.is_empty() {
            return Err(Error::Config("server needs a certificate"));
        }
        Ok(ServerConfig {
            versions: vec![TLS13, TLS12],
            cipher_suites: CipherSuite::ALL.to_vec(),
            tls12_suites: Tls12Suite::DEFAULT.to_vec(),
            require_extended_master_secret: true,
            tls12_ticket_key: None,
            tls13_tickets: 2,
            ticket_lifetime: 7200,
            groups: NamedGroup::DEFAULT.to_vec(),
            cert_chain,
            key: Arc::new(key),
            alpn: Vec::new(),
            client_auth: None,
            key_log: None,
            trace: false,
            max_fragment: MAX_PLAINTEXT,
            records_per_key: None,
        })
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.groups.is_empty() {
            return Err(Error::Config("server needs at least one group"));
        }
        check_versions(&self.versions, &self.cipher_suites, &self.tls12_suites)
    }

    /// Sets the TLS 1.2 ticket key (RFC 5077), drawn by the caller from its
    /// RNG; the copy passed in is the caller's to wipe.
    pub fn set_tls12_ticket_key(&mut self, key: [u8; 32]) {
        self.tls12_ticket_key = Some(Zeroizing::new(key));
    }

    /// Sets the key that seals the tickets of both versions (TLS 1.2's
    /// RFC 5077 tickets and TLS 1.3's NewSessionTickets, the latter on
    /// connections made with
    /// [`ServerConnection::new_at`](crate::ServerConnection::new_at)): the
    /// same field as [`set_tls12_ticket_key`](Self::set_tls12_ticket_key).
    pub fn set_ticket_key(&mut self, key: [u8; 32]) {
        self.set_tls12_ticket_key(key)
    }

    /// Whether TLS 1.3 is accepted.
    pub(crate) fn accepts13(&self) -> bool {
        self.versions.contains(&TLS13)
    }

    /// Whether TLS 1.2 is accepted.
    pub(crate) fn accepts12(&self) -> bool {
        self.versions.contains(&TLS12)
    }
}

fn check_versions(
    versions: &[u16],
    suites13: &[CipherSuite],
    suites12: &[Tls12Suite],
) -> Result<(), Error> {
    if versions.is_empty() || versions.iter().any(|v| *v != TLS13 && *v != TLS12) {
        return Err(Error::Config("versions must be TLS13 and/or TLS12"));
    }
    if versions.contains(&TLS13) && suites13.is_empty() {
        return Err(Error::Config("TLS 1.3 needs at least one cipher suite"));
    }
    if versions.contains(&TLS12) && suites12.is_empty() {
        return Err(Error::Config(
            "TLS 1.2 needs at least one TLS 1.2 cipher suite",
        ));
    }
    Ok(())
}
