//! CertificateVerify (RFC 8446 §4.4.3): what is signed, signing with the
//! server's key, and checking the peer's signature against its certificate;
//! and the same for TLS 1.2's ServerKeyExchange and CertificateVerify, where
//! an ECDSA scheme names only the hash, not the curve (RFC 8446 §4.2.3).

use handshake_crypto::{
    ecdsa_p384_signature_to_der, ecdsa_signature_to_der, PrivateKey, PublicKey, Sha256, Sha384,
    Sha512,
};
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

/// The schemes `key` can sign in TLS 1.3, in preference order: an ECDSA
/// scheme names its curve there (RFC 8446 §4.2.3).
pub fn schemes_for(key: &PrivateKey) -> &'static [SignatureScheme] {
    match key {
        PrivateKey::P256(_) => &[SignatureScheme::EcdsaSecp256r1Sha256],
        PrivateKey::P384(_) => &[SignatureScheme::EcdsaSecp384r1Sha384],
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
/// to TLS 1.2 too), then RSASSA-PKCS1-v1_5 for older peers. An ECDSA key
/// prefers its curve's own hash, then the other: in TLS 1.2 the pair is
/// (hash, ecdsa) and does not name the curve (RFC 5246 §7.4.1.4.1; RFC 8446
/// §4.2.3: the old semantics "did not constrain the signing curve").
pub fn schemes12_for(key: &PrivateKey) -> &'static [SignatureScheme] {
    match key {
        PrivateKey::P256(_) => &[
            SignatureScheme::EcdsaSecp256r1Sha256,
            SignatureScheme::EcdsaSecp384r1Sha384,
        ],
        PrivateKey::P384(_) => &[
            SignatureScheme::EcdsaSecp384r1Sha384,
            SignatureScheme::EcdsaSecp256r1Sha256,
        ],
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

/// Signs `msg` with `key` under `scheme` (one `schemes_for(key)` or, in
/// TLS 1.2, `schemes12_for(key)` returned).
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
        (PrivateKey::P384(k), S::EcdsaSecp384r1Sha384) => {
            Ok(ecdsa_p384_signature_to_der(&k.sign::<Sha384>(msg)))
        }
        // TLS 1.2 only (`schemes12_for`): the hash without the curve.
        (PrivateKey::P256(k), S::EcdsaSecp384r1Sha384) => {
            Ok(ecdsa_signature_to_der(&k.sign::<Sha384>(msg)))
        }
        (PrivateKey::P384(k), S::EcdsaSecp256r1Sha256) => {
            Ok(ecdsa_p384_signature_to_der(&k.sign::<Sha256>(msg)))
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

/// Verifies a TLS 1.3 CertificateVerify signature with the leaf's public
/// key. A scheme that does not fit the key type (an ECDSA scheme of another
/// curve included: §4.2.3 names the curve) is illegal_parameter, a field
/// inconsistent with another (§6.2); a signature that does not verify is
/// decrypt_error (§4.4.3).
pub fn verify(
    key: &PublicKey,
    scheme: SignatureScheme,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), Error> {
    verify_for(key, scheme, msg, sig, true)
}

/// Verifies a TLS 1.2 signature (ServerKeyExchange, RFC 5246 §7.4.3;
/// CertificateVerify, §7.4.8) as [`verify`] does, except that an ECDSA
/// scheme is accepted from a key on either curve: "If TLS 1.2 is
/// negotiated, implementations MUST be prepared to accept a signature that
/// uses any curve that they advertised in the supported_groups extension"
/// (RFC 8446 §4.2.3; RFC 8422 §5.10).
pub fn verify12(
    key: &PublicKey,
    scheme: SignatureScheme,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), Error> {
    verify_for(key, scheme, msg, sig, false)
}

fn verify_for(
    key: &PublicKey,
    scheme: SignatureScheme,
    msg: &[u8],
    sig: &[u8],
    curve_bound: bool,
) -> Result<(), Error> {
    use SignatureScheme as S;
    let r = match (key, scheme) {
        (PublicKey::P256(k), S::EcdsaSecp256r1Sha256) => k.verify_der::<Sha256>(msg, sig),
        (PublicKey::P384(k), S::EcdsaSecp384r1Sha384) => k.verify_der::<Sha384>(msg, sig),
        (PublicKey::P256(k), S::EcdsaSecp384r1Sha384) if !curve_bound => {
            k.verify_der::<Sha384>(msg, sig)
        }
        (PublicKey::P384(k), S::EcdsaSecp256r1Sha256) if !curve_bound => {
            k.verify_der::<Sha256>(msg, sig)
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use handshake_crypto::{P256SecretKey, P384SecretKey};
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn keys() -> (PrivateKey, PrivateKey, ChaCha20Rng) {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let p256 = PrivateKey::P256(P256SecretKey::generate(&mut rng));
        let p384 = PrivateKey::P384(P384SecretKey::generate(&mut rng));
        (p256, p384, rng)
    }

    /// RFC 8446 §4.2.3: in TLS 1.3 an ECDSA scheme names its curve, so a
    /// P-384 key signs ecdsa_secp384r1_sha384 (0x0503) only, and a signature
    /// under the other curve's scheme is illegal_parameter even when the
    /// ECDSA signature itself is good.
    #[test]
    fn tls13_binds_the_curve() {
        let (p256, p384, mut rng) = keys();
        assert_eq!(schemes_for(&p384), &[SignatureScheme::EcdsaSecp384r1Sha384]);
        assert_eq!(SignatureScheme::EcdsaSecp384r1Sha384.to_u16(), 0x0503);
        let msg = signed_content(SERVER_CONTEXT, &[7; 48]);
        let s = SignatureScheme::EcdsaSecp384r1Sha384;
        let sig = sign(&p384, s, &msg, &mut rng).unwrap();
        verify(&p384.public_key(), s, &msg, &sig).unwrap();
        assert_eq!(
            verify(&p384.public_key(), s, b"other", &sig),
            Err(Error::BadCertificateVerify)
        );
        let s256 = SignatureScheme::EcdsaSecp256r1Sha256;
        let cross = sign(&p384, s256, &msg, &mut rng).unwrap();
        assert!(matches!(
            verify(&p384.public_key(), s256, &msg, &cross),
            Err(Error::IllegalParameter { .. })
        ));
        let cross = sign(&p256, s, &msg, &mut rng).unwrap();
        assert!(matches!(
            verify(&p256.public_key(), s, &msg, &cross),
            Err(Error::IllegalParameter { .. })
        ));
    }

    /// RFC 8446 §4.2.3: in TLS 1.2 the ECDSA pairs do not constrain the
    /// curve; a key prefers its own curve's hash and falls back to the other.
    #[test]
    fn tls12_accepts_either_curve() {
        let (p256, p384, mut rng) = keys();
        use SignatureScheme as S;
        assert_eq!(
            schemes12_for(&p384),
            &[S::EcdsaSecp384r1Sha384, S::EcdsaSecp256r1Sha256]
        );
        assert_eq!(
            schemes12_for(&p256),
            &[S::EcdsaSecp256r1Sha256, S::EcdsaSecp384r1Sha384]
        );
        for key in [&p256, &p384] {
            for &s in schemes12_for(key) {
                let sig = sign(key, s, b"params", &mut rng).unwrap();
                verify12(&key.public_key(), s, b"params", &sig).unwrap();
                assert_eq!(
                    verify12(&key.public_key(), s, b"paramz", &sig),
                    Err(Error::BadCertificateVerify)
                );
            }
        }
        // The hash is the scheme's: a SHA-384 signature under 0x0403 fails.
        let sig = sign(&p384, S::EcdsaSecp384r1Sha384, b"m", &mut rng).unwrap();
        assert_eq!(
            verify12(&p384.public_key(), S::EcdsaSecp256r1Sha256, b"m", &sig),
            Err(Error::BadCertificateVerify)
        );
    }
}
