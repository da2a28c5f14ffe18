//! The first ClientHello (RFC 8446 §4.1.2): what the configuration offers
//! for TLS 1.3 and TLS 1.2.

use crate::cert::ServerName;
use crate::config::ClientConfig;
use crate::extensions::{Extension, KeyShareEntry};
use crate::kx::KeyShare;
use crate::msgs::ClientHello;
use crate::suites::{SignatureScheme, TLS12, TLS13};

pub(super) fn client_hello(
    config: &ClientConfig,
    name: &ServerName,
    random: [u8; 32],
    shares: &[KeyShare],
) -> ClientHello {
    let mut ext = Vec::new();
    // RFC 6066 §3: literal IP addresses are not sent as server_name.
    if let ServerName::Dns(d) = name {
        ext.push(Extension::ServerName(Some(d.as_bytes().to_vec())));
    }
    // RFC 8446 §4.2.1: supported_versions lists what a TLS 1.3 client
    // offers; a TLS 1.2-only client sends no such extension.
    if config.offers13() {
        let mut v = vec![TLS13];
        if config.offers12() {
            v.push(TLS12);
        }
        ext.push(Extension::SupportedVersions(v));
    }
    ext.push(Extension::SupportedGroups(
        config.groups.iter().map(|g| g.to_u16()).collect(),
    ));
    let mut schemes: Vec<u16> = config
        .signature_schemes
        .iter()
        .map(|s| s.to_u16())
        .collect();
    if config.offers12() {
        // RFC 8446 §4.2.3: rsa_pkcs1_* stay offered for TLS 1.2.
        schemes.extend(SignatureScheme::TLS12_ONLY.iter().map(|s| s.to_u16()));
    }
    ext.push(Extension::SignatureAlgorithms(schemes));
    if config.offers13() {
        ext.push(Extension::KeyShares(
            shares
                .iter()
                .map(|s| KeyShareEntry {
                    group: s.group().to_u16(),
                    key_exchange: s.public(),
                })
                .collect(),
        ));
        // psk_dhe_ke: what a later resumption would use; harmless without a PSK.
        ext.push(Extension::PskKeyExchangeModes(vec![1]));
        // §4.2.6: the client will answer a CertificateRequest after the
        // handshake; a TLS 1.3 extension, so only when 1.3 is offered.
        if config.post_handshake_auth {
            ext.push(Extension::PostHandshakeAuth);
        }
    }
    if !config.alpn.is_empty() {
        ext.push(Extension::Alpn(config.alpn.clone()));
    }
    let mut cipher_suites: Vec<u16> = Vec::new();
    if config.offers13() {
        cipher_suites.extend(config.cipher_suites.iter().map(|s| s.to_u16()));
    }
    if config.offers12() {
        use crate::tls12::msgs::ext as e12;
        cipher_suites.extend(config.tls12_suites.iter().map(|s| s.to_u16()));
        // RFC 8422 §5.1.2: uncompressed points only.
        ext.push(Extension::Unknown {
            typ: e12::EC_POINT_FORMATS,
            data: vec![1, 0],
        });
        // RFC 7627 §5.1: empty extended_master_secret.
        ext.push(Extension::Unknown {
            typ: e12::EXTENDED_MASTER_SECRET,
            data: Vec::new(),
        });
        // RFC 5746 §3.4: an empty renegotiation_info on the initial handshake.
        ext.push(Extension::Unknown {
            typ: e12::RENEGOTIATION_INFO,
            data: vec![0],
        });
    }
    ClientHello {
        legacy_version: TLS12,
        random,
        session_id: Vec::new(),
        cipher_suites,
        compression_methods: vec![0],
        extensions: ext,
    }
}
