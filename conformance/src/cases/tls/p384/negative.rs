//! The P-384 refusals (and the one acceptance TLS 1.2 requires):
//!
//! - a TLS 1.3 CertificateVerify under ecdsa_secp256r1_sha256 from a P-384
//!   key (a rustls server whose signer claims that scheme and signs with
//!   P-384 and SHA-256; ring confirms the signature itself is good): RFC
//!   8446 §4.2.3 binds the scheme to its curve, so the scheme does not fit
//!   the certificate's key, and ours answers illegal_parameter (§6.2: "a
//!   field in the handshake was ... inconsistent with other fields"; the
//!   signature is never checked, so it is not §4.4.3's decrypt_error);
//! - the same signature in a TLS 1.2 ServerKeyExchange is accepted: "the
//!   old semantics did not constrain the signing curve" (§4.2.3);
//! - a secp384r1 share that is not an uncompressed point on the curve, in
//!   either hello or a TLS 1.2 ClientKeyExchange: illegal_parameter
//!   (RFC 8446 §4.2.8.2; RFC 8422 §5.1.2, §5.10);
//! - a certificate whose P-384 issuer's signature no longer covers its
//!   TBSCertificate: bad_certificate (RFC 5280 §6.1.3 (a)(1); RFC 8446 §6.2).

use std::sync::{Arc, Mutex};

use handshake_crypto::{ecdsa_p384_signature_to_der, P384SecretKey, PrivateKey, Sha256};
use handshake_tls::suites::{TLS12, TLS13};
use handshake_tls::{
    AlertDescription as A, CertError, ClientConnection, Error, NamedGroup, SignatureScheme,
};
use rustls::sign::{CertifiedKey, Signer, SigningKey, SingleCertAndKey};

use super::certs::tamper_serial;
use super::{Chain, ECDHE_ECDSA};
use crate::cases::tls::interop::{echo, provider, provider12};
use crate::cases::tls::support::{self, pair, run_pair, Dir};
use crate::check::{self, Checked};
use crate::Case;

type Signed = Arc<Mutex<Vec<(Vec<u8>, Vec<u8>)>>>;

/// A P-384 key that offers to sign ecdsa_secp256r1_sha256: ECDSA over
/// P-384 with SHA-256, every (message, signature) kept.
#[derive(Debug, Clone)]
struct CrossKey {
    key: P384SecretKey,
    signed: Signed,
}

impl SigningKey for CrossKey {
    fn choose_scheme(&self, offered: &[rustls::SignatureScheme]) -> Option<Box<dyn Signer>> {
        offered
            .contains(&rustls::SignatureScheme::ECDSA_NISTP256_SHA256)
            .then(|| Box::new(self.clone()) as Box<dyn Signer>)
    }

    fn algorithm(&self) -> rustls::SignatureAlgorithm {
        rustls::SignatureAlgorithm::ECDSA
    }
}

impl Signer for CrossKey {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        let sig = ecdsa_p384_signature_to_der(&self.key.sign::<Sha256>(message));
        if let Ok(mut v) = self.signed.lock() {
            v.push((message.to_vec(), sig.clone()));
        }
        Ok(sig)
    }

    fn scheme(&self) -> rustls::SignatureScheme {
        rustls::SignatureScheme::ECDSA_NISTP256_SHA256
    }
}

/// A rustls server (`version` only) presenting the P-384 chain and signing
/// through a [`CrossKey`]; the signatures it made.
fn cross_server(
    p: &support::Pki,
    version: u16,
) -> Result<(rustls::ServerConnection, Signed, Vec<u8>), String> {
    let key = match PrivateKey::from_pkcs8_der(&p.key_pkcs8).map_err(|e| e.to_string())? {
        PrivateKey::P384(k) => k,
        other => return Err(format!("not a P-384 key: {other:?}")),
    };
    let public = key.public_key().to_uncompressed().to_vec();
    let signed = Signed::default();
    let certified = CertifiedKey::new(
        p.chain
            .iter()
            .map(|d| rustls::pki_types::CertificateDer::from(d.clone()))
            .collect(),
        Arc::new(CrossKey {
            key,
            signed: signed.clone(),
        }),
    );
    let (prov, rv) = if version == TLS13 {
        (
            provider(
                handshake_tls::CipherSuite::Aes128GcmSha256,
                &[NamedGroup::X25519],
            ),
            &rustls::version::TLS13,
        )
    } else {
        (
            provider12(ECDHE_ECDSA, NamedGroup::X25519),
            &rustls::version::TLS12,
        )
    };
    let cfg = rustls::ServerConfig::builder_with_provider(prov)
        .with_protocol_versions(&[rv])
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(SingleCertAndKey::from(certified)));
    let s = rustls::ServerConnection::new(Arc::new(cfg)).map_err(|e| e.to_string())?;
    Ok((s, signed, public))
}

/// Every signature the cross key made verifies under ring's
/// ECDSA_P384_SHA256_ASN1 (so only the scheme is wrong); how many there were.
fn ring_verifies(signed: &Signed, public: &[u8]) -> Result<usize, String> {
    use ring::signature::{UnparsedPublicKey, ECDSA_P384_SHA256_ASN1};
    let all = signed.lock().map_err(|e| e.to_string())?.clone();
    for (msg, sig) in &all {
        UnparsedPublicKey::new(&ECDSA_P384_SHA256_ASN1, public)
            .verify(msg, sig)
            .map_err(|_| "ring refuses the P-384/SHA-256 signature")?;
    }
    Ok(all.len())
}

fn our_client(p: &support::Pki) -> Result<ClientConnection, String> {
    let cc = support::client_config(p)?;
    ClientConnection::new(Arc::new(cc), "localhost", support::NOW, support::rng(81))
        .map_err(|e| e.to_string())
}

/// TLS 1.3: ours refuses the CertificateVerify with illegal_parameter,
/// and rustls receives that alert.
fn cross_curve_tls13() -> Checked {
    let p = Chain::P384.pki()?;
    let (mut s, signed, public) = cross_server(&p, TLS13)?;
    let mut c = our_client(&p)?;
    let (mut ours_err, mut theirs_err) = (None, None);
    for _ in 0..16 {
        let mut moved = false;
        if let Some(b) = c.poll_transmit() {
            moved = true;
            let mut r = &b[..];
            while !r.is_empty() && theirs_err.is_none() {
                if s.read_tls(&mut r).is_err() {
                    break;
                }
                if let Err(e) = s.process_new_packets() {
                    theirs_err = Some(e);
                }
            }
        }
        let mut y = Vec::new();
        while s.wants_write() {
            if s.write_tls(&mut y).is_err() {
                break;
            }
        }
        if !y.is_empty() {
            moved = true;
            if let Err(e) = c.read_tls(&y) {
                ours_err.get_or_insert(e);
            }
        }
        if !moved {
            break;
        }
    }
    check::equal(
        "signatures rustls made",
        ring_verifies(&signed, &public)?,
        1,
    )?;
    check::ensure(
        matches!(ours_err, Some(Error::IllegalParameter { .. })),
        || format!("our client: {ours_err:?}"),
    )?;
    check::equal(
        "what rustls received",
        theirs_err,
        Some(rustls::Error::AlertReceived(
            rustls::AlertDescription::IllegalParameter,
        )),
    )
}

/// TLS 1.2: the same key and claimed scheme sign the ServerKeyExchange,
/// and ours accepts it (1 MiB echoed), recording ecdsa_secp256r1_sha256.
fn cross_curve_tls12() -> Checked {
    let p = Chain::P384.pki()?;
    let (mut s, signed, public) = cross_server(&p, TLS12)?;
    let mut c = our_client(&p)?;
    echo(&mut c, &mut s, 9)?;
    check::equal(
        "signatures rustls made",
        ring_verifies(&signed, &public)?,
        1,
    )?;
    check::equal(
        "ServerKeyExchange scheme",
        c.negotiated_tls12().and_then(|n| n.signature_scheme),
        Some(SignatureScheme::EcdsaSecp256r1Sha256),
    )
}

/// Where a secp384r1 share is changed.
#[derive(Clone, Copy, Debug)]
enum Share {
    /// The client's key_share in its ClientHello (the server refuses).
    ClientHello,
    /// The server's key_share in its ServerHello (the client refuses).
    ServerHello,
    /// The client's point in a TLS 1.2 ClientKeyExchange (the server refuses).
    ClientKeyExchange,
}

/// How it is changed: a bit of Y flipped (off the curve), or the form byte
/// 4 made 3 (a compressed point's prefix, the length kept).
#[derive(Clone, Copy, Debug)]
enum Damage {
    OffCurve,
    NotUncompressed,
}

fn bad_share(at: Share, damage: Damage) -> Checked {
    // The share's prefix in each message: NamedGroup 0x0018 and the 97-byte
    // length (§4.2.8), or the ClientKeyExchange header (type 16, length 98)
    // and the ECPoint's one-byte length (RFC 8422 §5.7).
    let (needle, dir, version): (&[u8], _, _) = match at {
        Share::ClientHello => (&[0x00, 0x18, 0x00, 0x61, 0x04], Dir::ToServer, TLS13),
        Share::ServerHello => (&[0x00, 0x18, 0x00, 0x61, 0x04], Dir::ToClient, TLS13),
        Share::ClientKeyExchange => (&[0x10, 0x00, 0x00, 0x62, 0x61, 0x04], Dir::ToServer, TLS12),
    };
    let p = Chain::P384.pki()?;
    let (mut c, mut sv) = pair(&p, "localhost", |cc, sc| {
        cc.groups = vec![NamedGroup::Secp384r1];
        sc.groups = vec![NamedGroup::Secp384r1];
        cc.versions = vec![version];
    })?;
    let mut changed = 0;
    let run = run_pair(&mut c, &mut sv, |d, b| {
        if d != dir || changed > 0 {
            return;
        }
        if let Some(i) = b.windows(needle.len()).position(|w| w == needle) {
            let point = i + needle.len() - 1;
            match damage {
                Damage::OffCurve => b[point + 96] ^= 0x01,
                Damage::NotUncompressed => b[point] = 3,
            }
            changed += 1;
        }
    });
    check::equal("shares changed", changed, 1)?;
    let illegal = |e: &Error| matches!(e, Error::IllegalParameter { .. });
    match at {
        Share::ServerHello => run.client_failed(illegal, A::IllegalParameter),
        _ => run.server_failed(illegal, A::IllegalParameter),
    }
}

/// Our client against our server presenting `chain` with a bit of the
/// leaf's serial number flipped: the P-384 CA's signature no longer
/// verifies, bad_certificate.
fn tampered_certificate(chain: Chain, version: u16) -> Checked {
    let p = chain.pki()?;
    let mut leaf = p.chain[0].clone();
    tamper_serial(&mut leaf)?;
    let (mut c, mut sv) = pair(&p, "localhost", |cc, sc| {
        cc.versions = vec![version];
        sc.cert_chain[0] = leaf;
    })?;
    let run = run_pair(&mut c, &mut sv, |_, _| {});
    run.client_failed(
        |e| *e == Error::Certificate(CertError::BadSignature),
        A::BadCertificate,
    )
}

pub(super) fn cases() -> Vec<Case> {
    let mut v = vec![
        Case::must(
            "tls.p384.tls13-cross-curve-certificate-verify-refused",
            "RFC 8446 §4.2.3 (the scheme names the curve), §4.4.3, §6.2 (illegal_parameter)",
        )
        .interop_peer(|_| cross_curve_tls13()),
        Case::must(
            "tls.p384.tls12-cross-curve-server-key-exchange-accepted",
            "RFC 8446 §4.2.3 (TLS 1.2: any advertised curve MUST be accepted); RFC 8422 §5.4",
        )
        .interop_peer(|_| cross_curve_tls12()),
    ];
    for (at, damage, id, spec) in [
        (
            Share::ClientHello,
            Damage::OffCurve,
            "invalid-client-share-off-curve",
            "RFC 8446 §4.2.8.2 (peers MUST validate), §4.2.8",
        ),
        (
            Share::ClientHello,
            Damage::NotUncompressed,
            "invalid-client-share-not-uncompressed",
            "RFC 8446 §4.2.8.2 (legacy_form = 4 only)",
        ),
        (
            Share::ServerHello,
            Damage::OffCurve,
            "invalid-server-share-off-curve",
            "RFC 8446 §4.2.8.2, §4.1.3",
        ),
        (
            Share::ClientKeyExchange,
            Damage::OffCurve,
            "tls12-invalid-client-key-exchange-off-curve",
            "RFC 8422 §5.10 (validate the peer's point), §5.7",
        ),
        (
            Share::ClientKeyExchange,
            Damage::NotUncompressed,
            "tls12-invalid-client-key-exchange-not-uncompressed",
            "RFC 8422 §5.1.2 (uncompressed only), §5.7",
        ),
    ] {
        v.push(
            Case::must(format!("tls.p384.{id}"), spec).simulation(move |_| bad_share(at, damage)),
        );
    }
    for chain in [Chain::P384, Chain::Mixed] {
        for version in [TLS13, TLS12] {
            let vt = if version == TLS13 { "tls13" } else { "tls12" };
            v.push(
                Case::must(
                    format!("tls.p384.{vt}-tampered-{}-signature", chain.tag()),
                    "RFC 5280 §6.1.3 (a)(1); RFC 5758 §3.2; RFC 8446 §4.4.2.4, §6.2 (bad_certificate)",
                )
                .simulation(move |_| tampered_certificate(chain, version)),
            );
        }
    }
    v
}
