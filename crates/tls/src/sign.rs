//! CertificateVerify (RFC 8446 §4.4.3): what is signed, signing with the
//! server's key, and checking the peer's signature against its certificate.

use handshake_crypto::{ecdsa_signature_to_der, PrivateKey, PublicKey, Sha256, Sha384, Sha512};
use rand_core::CryptoRngCore;

use crate::suites::SignatureScheme;
use crate::Error;

/// The context string of a server's CertificateVerify.
pub const SERVER_CONTEXT: &[u8] = b"TLS 1.3, server CertificateVerify";
/// The context string of a client's CertificateVerify.
pub const CLIENT_CONTEXT: &[u8] = b"TLS 1.3, client CertificateVerify";

/// The signed content: 64 spaces, the context string, a zero byte, and the
/// transcript hash (§4.4.3).
pub fn signed_content(context: &[u8], transcript_hash: &[u8]) -> Vec<u8> {
    let mut m = vec![0x20u8; 64];
    m.extend_from_slice(context);
    m.push(0);
    m.extend_from_slice(transcript_hash);
    m
}

/// The schemes `key` can sign, in preference order.
pub fn schemes_for(key: &PrivateKey) -> &'static [SignatureScheme] {
    match key {
        PrivateKey::P256(_) => &[SignatureScheme::EcdsaSecp256r1Sha256],
        PrivateKey::Ed25519(_) => &[SignatureScheme::Ed25519],
        PrivateKey::Rsa(_) => &[
            SignatureScheme::RsaPssRsaeSha256,
            SignatureScheme::RsaPssRsaeSha384,
            SignatureScheme::RsaPssRsaeSha512,
        ],
        _ => &[],
    }
}

/// The schemes `key` can sign a TLS 1.2 ServerKeyExchange with, in
/// preference order: RSA-PSS first (RFC 8446 §4.2.3 applies the rsae schemes
/// to TLS 1.2 too), then RSASSA-PKCS1-v1_5 for older peers.
pub fn schemes12_for(key: &PrivateKey) -> &'static [SignatureScheme] {
    match key {
        PrivateKey::Rsa(_) => &[
            SignatureScheme::RsaPssRsaeSha256,
            SignatureScheme::RsaPssRsaeSha384,
            SignatureScheme::RsaPssRsaeSha512,
            SignatureScheme::RsaPkcs1Sha256,
            SignatureScheme::RsaPkcs1Sha384,
            SignatureScheme::RsaPkcs1Sha512,
        ],
        other => schemes_for(other),
    }
}

/// Signs `msg` with `key` under `scheme` (one `schemes_for(key)` returned).
pub fn sign(
    key: &PrivateKey,
    scheme: SignatureScheme,
    msg: &[u8],
    mut rng: &mut dyn CryptoRngCore,
) -> Result<Vec<u8>, Error> {
    use SignatureScheme as S;
    let signed = match (key, scheme) {
        // §4.2.3: ECDSA signatures are DER ECDSA-Sig-Value.
        (PrivateKey::P256(k), S::EcdsaSecp256r1Sha256) => {
            Ok(ecdsa_signature_to_der(&k.sign::<Sha256>(msg)))
        }
        (PrivateKey::Ed25519(k), S::Ed25519) => Ok(k.sign(msg).to_vec()),
        // §4.2.3: RSASSA-PSS with MGF1 over the same hash and a salt of the
        // hash's length.
        (PrivateKey::Rsa(k), S::RsaPssRsaeSha256) => k.sign_pss::<Sha256, _>(&mut rng, msg),
        (PrivateKey::Rsa(k), S::RsaPssRsaeSha384) => k.sign_pss::<Sha384, _>(&mut rng, msg),
        (PrivateKey::Rsa(k), S::RsaPssRsaeSha512) => k.sign_pss::<Sha512, _>(&mut rng, msg),
        (PrivateKey::Rsa(k), S::RsaPkcs1Sha256) => k.sign_pkcs1v15::<Sha256, _>(&mut rng, msg),
        (PrivateKey::Rsa(k), S::RsaPkcs1Sha384) => k.sign_pkcs1v15::<Sha384, _>(&mut rng, msg),
        (PrivateKey::Rsa(k), S::RsaPkcs1Sha512) => k.sign_pkcs1v15::<Sha512, _>(&mut rng, msg),
        _ => return Err(Error::Config("signature scheme does not fit the key")),
    };
    signed.map_err(Error::Crypto)
}

/// Verifies a CertificateVerify signature with the leaf's public key. A
/// scheme that does not fit the key type is illegal_parameter; a signature
/// that does not verify is decrypt_error (§4.4.3).
pub fn verify(
    key: &PublicKey,
    scheme: SignatureScheme,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), Error> {
    use SignatureScheme as S;
    let r = match (key, scheme) {
        (PublicKey::P256(k), S::EcdsaSecp256r1Sha256) => k.verify_der::<Sha256>(msg, sig),
        (PublicKey::Ed25519(k), S::Ed25519) => k.verify(msg, sig),
        (PublicKey::Rsa(k), S::RsaPssRsaeSha256 | S::RsaPssRsaeSha384 | S::RsaPssRsaeSha512) => {
            let key = k.to_key().map_err(|_| Error::BadCertificateVerify)?;
            match scheme {
                S::RsaPssRsaeSha256 => key.verify_pss::<Sha256>(msg, sig),
                S::RsaPssRsaeSha384 => key.verify_pss::<Sha384>(msg, sig),
                _ => key.verify_pss::<Sha512>(msg, sig),
            }
        }
        (PublicKey::Rsa(k), S::RsaPkcs1Sha256 | S::RsaPkcs1Sha384 | S::RsaPkcs1Sha512) => {
            let key = k.to_key().map_err(|_| Error::BadCertificateVerify)?;
            match scheme {
                S::RsaPkcs1Sha256 => key.verify_pkcs1v15::<Sha256>(msg, sig),
                S::RsaPkcs1Sha384 => key.verify_pkcs1v15::<Sha384>(msg, sig),
                _ => key.verify_pkcs1v15::<Sha512>(msg, sig),
            }
        }
        _ => {
            return Err(Error::IllegalParameter {
                what:
                    "CertificateVerify scheme does not match the certificate key (RFC 8446 §4.4.3)",
            })
        }
    };
    r.map_err(|_| Error::BadCertificateVerify)
}
