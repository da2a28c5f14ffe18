//! `crypto.mlkem.*`: ML-KEM-512/768/1024 (FIPS 203).
//!
//! Known answers come from kyber-py 1.2.0 (PyPI; a pure-Python FIPS 203
//! implementation), printed by `fixtures/mlkem/kyber_py_answers.py`; the
//! differential cases compare with RustCrypto's `ml-kem` crate both ways; the
//! implicit-rejection key J(z ‖ c) is recomputed with the `sha3` crate. NIST's
//! ACVP vectors are `acvp-*` (in `mlkem/acvp.rs`), C2SP CCTV's `cctv-*` (in
//! `mlkem/cctv.rs`). No expected value comes from our code.

mod acvp;
mod cctv;
mod sets;

use super::support::*;
use crate::{check, check_property, Case, Ctx, Outcome};
use handshake_crypto::mlkem::{mlkem1024, mlkem512, mlkem768};
use handshake_crypto::Error;
use ml_kem::kem::{Decapsulate, Encapsulate};
use ml_kem::{EncapsulateDeterministic, EncodedSizeUser, KemCore};
use proptest::prelude::*;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sha3::digest::{ExtendableOutput, Update, XofReader};
use std::hint::black_box;

fn sha3_256(b: &[u8]) -> Vec<u8> {
    use sha3::Digest;
    sha3::Sha3_256::digest(b).to_vec()
}

/// J(z ‖ c) = SHAKE256(z ‖ c, 32) (FIPS 203 §4.1, eq. 4.4), by the sha3 crate.
fn j(z: &[u8], c: &[u8]) -> [u8; 32] {
    let mut x = sha3::Shake256::default();
    x.update(z);
    x.update(c);
    let mut out = [0u8; 32];
    x.finalize_xof().read(&mut out);
    out
}

/// kyber-py's answers for d = 00..1f, z = 20..3f, m = 40..5f: SHA3-256 of ek,
/// dk and c; K; K̄ for c with its first byte xor 1; the accumulated run.
struct Answers {
    ek: &'static str,
    dk: &'static str,
    c: &'static str,
    k: &'static str,
    k_bar: &'static str,
    accumulated: &'static str,
}

const ANSWERS_512: Answers = Answers {
    ek: "82f101ff648063b376e2bb6c5b7455f655a50c2feadade150efa0e0e6f365aea",
    dk: "0bd3f5df01098ac9c29d687c7f1bd0588a5573feeef8f1e3b4573fa7f6ab57c8",
    c: "e3fdddb90255869185c07cdf1c1880b2efe08b6f04da4997b693c0dea61503bd",
    k: "14cace3e48771b316676afad2cfcfe8488daaa4fad954e57236caa3f24a42cf7",
    k_bar: "32ee1fb3f7bd2915218e9c1b2d0d2da88f0edce6804278bab3a6123c5bb64fc4",
    accumulated: "f162ea42cba246648b48b1ec05bd29559596b2dfa77a67db9bffc95d0e549ac8",
};

const ANSWERS_768: Answers = Answers {
    ek: "a24e16d8f8f9383a95b77050f4d9fd2f5733eec1d63ef3c23ebf9918173669a7",
    dk: "1149f17c3c4ac6ab1e3e2d9d8bd0171355ac0fa31bb8855c48ceade874c0864b",
    c: "b4cfbd24cef67afd3764276c6980e0f88f8e9ca57f59b7f12fe1a9c1e72f4710",
    k: "9cddd089ffe70e3996e76f7c8d06746df34d07e8657bc0fcf2bb0e1c3084aea1",
    k_bar: "dcfc80c6db46ff7028e3a4398651c063ae7a42c107a6dc8cb07141861698ab92",
    accumulated: "2257e956a26ace747b194bf1225aaeeb21d085b31455067036524c3f3656310b",
};

const ANSWERS_1024: Answers = Answers {
    ek: "61349e5c131a7e116a0463861d7d18663c5627c38c7147ddaadfd48acd7a4535",
    dk: "f0db5d938027fcd9bad87847d52c14cf0c4abcf0703b749793f212111ffb303b",
    c: "c1579fa02c614f3762b2a799b51e41cebb8f820f34fa736af02c56de2460ce3c",
    k: "0ad8d1ea1b8dd788979b4379581218df9321bdce5567eca42ae6be7d395f1a54",
    k_bar: "8f2c880890996c587aa500cf8b6da03372de706a9f96075744bb0956ea6fbaac",
    accumulated: "4f72529f88f639852ecdebdbdd9ed5d8e9b22124fcea40c029ead1aeac0615d6",
};

/// The cases of one parameter set: `$m` our module, `$peer` the ml-kem type.
macro_rules! set_cases {
    ($set:literal, $m:ident, $peer:ty, $answers:expr) => {{
        fn kat() -> check::Checked {
            let a = &$answers;
            let d: [u8; 32] = std::array::from_fn(|i| i as u8);
            let z: [u8; 32] = std::array::from_fn(|i| 32 + i as u8);
            let msg: [u8; 32] = std::array::from_fn(|i| 64 + i as u8);
            let dk = $m::DecapsulationKey::from_seed(&d, &z);
            let ek = dk.encapsulation_key();
            check::hex("SHA3-256(ek)", &sha3_256(ek.as_bytes()), a.ek)?;
            check::hex("SHA3-256(dk)", &sha3_256(dk.as_bytes()), a.dk)?;
            let (ct, k) = ek.encapsulate_deterministic(&msg);
            check::hex("SHA3-256(c)", &sha3_256(ct.as_bytes()), a.c)?;
            check::hex("K", &k, a.k)?;
            check::hex("Decaps(dk, c)", &dk.decapsulate(&ct), a.k)
        }

        fn implicit_rejection() -> check::Checked {
            let a = &$answers;
            let d: [u8; 32] = std::array::from_fn(|i| i as u8);
            let z: [u8; 32] = std::array::from_fn(|i| 32 + i as u8);
            let msg: [u8; 32] = std::array::from_fn(|i| 64 + i as u8);
            let dk = $m::DecapsulationKey::from_seed(&d, &z);
            let (ct, k) = dk.encapsulation_key().encapsulate_deterministic(&msg);
            let mut bad = ct.as_bytes().to_vec();
            bad[0] ^= 1;
            let got = dk.decapsulate(&$m::Ciphertext::from_bytes(&bad).map_err(|e| e.to_string())?);
            check::hex("K-bar (kyber-py)", &got, a.k_bar)?;
            check::equal("K-bar = J(z || c') (sha3 crate)", got, j(&z, &bad))?;
            // Every other position and bit too: K̄, never K.
            for at in [1, bad.len() / 2, bad.len() - 1] {
                let mut c = ct.as_bytes().to_vec();
                c[at] ^= 0x80;
                let got = dk.decapsulate(&$m::Ciphertext::from_bytes(&c).map_err(|e| e.to_string())?);
                check::ensure(got != k, || format!("tampered byte {at} gave K"))?;
                check::equal(&format!("K-bar for byte {at}"), got, j(&z, &c))?;
            }
            Ok(())
        }

        fn accumulated() -> check::Checked {
            let mut stream = sha3::Shake128::default().finalize_xof();
            let mut acc = sha3::Shake128::default();
            for _ in 0..100 {
                let mut seed = [0u8; 64];
                stream.read(&mut seed);
                let (d, z) = seed.split_at(32);
                let dk = $m::DecapsulationKey::from_seed(
                    d.try_into().expect("32 bytes"),
                    z.try_into().expect("32 bytes"),
                );
                let ek = dk.encapsulation_key();
                acc.update(ek.as_bytes());
                let mut msg = [0u8; 32];
                stream.read(&mut msg);
                let (ct, k) = ek.encapsulate_deterministic(&msg);
                acc.update(ct.as_bytes());
                acc.update(&k);
                let mut rc = vec![0u8; $m::CIPHERTEXT_LEN];
                stream.read(&mut rc);
                acc.update(&rc);
                let rc = $m::Ciphertext::from_bytes(&rc).map_err(|e| e.to_string())?;
                acc.update(&dk.decapsulate(&rc));
            }
            let mut out = [0u8; 32];
            acc.finalize_xof().read(&mut out);
            check::hex("accumulated SHAKE128", &out, $answers.accumulated)
        }

        /// Same d, z, m: identical ek, dk, c and K; their encapsulation decapsulated
        /// by us; a tampered ciphertext gives both sides the same K̄.
        fn differential(ctx: &mut Ctx) -> Outcome {
            let input = (any::<[u8; 32]>(), any::<[u8; 32]>(), any::<[u8; 32]>(), any::<u64>(), any::<usize>());
            check_property(ctx, input, |(d, z, msg, seed, at)| {
                let ours = $m::DecapsulationKey::from_seed(&d, &z);
                let (pdk, pek) = <$peer>::generate_deterministic(&d.into(), &z.into());
                prop_assert_eq!(&ours.as_bytes()[..], &pdk.as_bytes()[..]);
                let ek = ours.encapsulation_key();
                prop_assert_eq!(&ek.as_bytes()[..], &pek.as_bytes()[..]);
                let (ct, k) = ek.encapsulate_deterministic(&msg);
                let (pct, pk) = pek.encapsulate_deterministic(&msg.into()).expect("encapsulates");
                prop_assert_eq!(&ct.as_bytes()[..], &pct[..]);
                prop_assert_eq!(&k[..], &pk[..]);
                prop_assert_eq!(&pdk.decapsulate(&pct).expect("decapsulates")[..], &k[..]);
                let mut rng = ChaCha20Rng::seed_from_u64(seed);
                let (tct, tk) = pek.encapsulate(&mut rng).expect("encapsulates");
                let theirs = $m::Ciphertext::from_bytes(&tct).expect("length");
                prop_assert_eq!(&ours.decapsulate(&theirs)[..], &tk[..]);
                let mut bad = tct;
                let at = at % $m::CIPHERTEXT_LEN;
                bad[at] ^= 0x04;
                let bad_ours = ours.decapsulate(&$m::Ciphertext::from_bytes(&bad).expect("length"));
                prop_assert_eq!(&bad_ours[..], &pdk.decapsulate(&bad).expect("decapsulates")[..]);
                Ok(())
            })
        }

        /// Every coefficient position of t̂ set to q, q + 1 or 4095: refused.
        fn modulus_check() -> check::Checked {
            let dk = $m::DecapsulationKey::from_seed(&[5; 32], &[6; 32]);
            let good = dk.encapsulation_key().as_bytes().to_vec();
            check::ensure($m::EncapsulationKey::from_bytes(&good).is_ok(), || "a valid ek refused".into())?;
            let t_len = good.len() - 32;
            for coeff in 0..t_len * 2 / 3 {
                for v in [3329u16, 3330, 4095] {
                    let mut bad = good.clone();
                    let (byte, shift) = (coeff * 12 / 8, (coeff * 12) % 8);
                    // Write the 12-bit value at bit offset coeff * 12.
                    let mut w = u32::from(bad[byte]) | u32::from(bad[byte + 1]) << 8;
                    w &= !(0xfff << shift);
                    w |= u32::from(v) << shift;
                    bad[byte] = w as u8;
                    bad[byte + 1] = (w >> 8) as u8;
                    check::refused($m::EncapsulationKey::from_bytes(&bad).map(|_| ()), Error::EncapsulationKeyNotReduced)
                        .map_err(|e| format!("coefficient {coeff} = {v}: {e}"))?;
                }
            }
            check::refused($m::EncapsulationKey::from_bytes(&good[..good.len() - 1]).map(|_| ()), Error::InvalidLength)
        }

        /// Any change to the stored ek or H(ek) of dk: refused.
        fn hash_check() -> check::Checked {
            let dk = $m::DecapsulationKey::from_seed(&[5; 32], &[6; 32]);
            let bytes = dk.as_bytes().to_vec();
            check::ensure($m::DecapsulationKey::from_bytes(&bytes).is_ok(), || "a valid dk refused".into())?;
            let k384 = $m::ENCAPSULATION_KEY_LEN - 32;
            for at in (k384..2 * k384 + 64).step_by(7) {
                let mut bad = bytes.clone();
                bad[at] ^= 0x01;
                check::refused($m::DecapsulationKey::from_bytes(&bad).map(|_| ()), Error::DecapsulationKeyHashMismatch)
                    .map_err(|e| format!("byte {at}: {e}"))?;
            }
            check::refused($m::DecapsulationKey::from_bytes(&bytes[1..]).map(|_| ()), Error::InvalidLength)?;
            check::refused($m::Ciphertext::from_bytes(&[0u8; 5]).map(|_| ()), Error::InvalidLength)
        }

        /// Arbitrary bytes of arbitrary length into every decoder, and arbitrary
        /// ciphertexts decapsulated: never a panic (a panic fails the case).
        fn decoders(ctx: &mut Ctx) -> Outcome {
            let dk = $m::DecapsulationKey::from_seed(&[1; 32], &[2; 32]);
            let lens = prop_oneof![
                Just($m::ENCAPSULATION_KEY_LEN),
                Just($m::DECAPSULATION_KEY_LEN),
                Just($m::CIPHERTEXT_LEN),
                0usize..4000,
            ];
            let input = lens.prop_flat_map(|n| proptest::collection::vec(any::<u8>(), n));
            check_property(ctx, input, |b| {
                let _ = $m::EncapsulationKey::from_bytes(&b).map(|ek| ek.encapsulate_deterministic(&[0; 32]));
                let _ = $m::DecapsulationKey::from_bytes(&b);
                if let Ok(c) = $m::Ciphertext::from_bytes(&b) {
                    let _ = dk.decapsulate(&c);
                }
                Ok(())
            })
        }

        vec![
            Case::must(concat!("crypto.mlkem.", $set, "-kyber-py-known-answer"),
                "FIPS 203 §6.1-6.3 (Algorithms 16, 17, 18): KeyGen_internal, Encaps_internal, Decaps_internal against kyber-py").vector(|_| kat()),
            Case::must(concat!("crypto.mlkem.", $set, "-implicit-rejection"),
                "FIPS 203 §6.3 (Algorithm 18, lines 7-11): a modified ciphertext yields K-bar = J(z || c)").vector(|_| implicit_rejection()),
            Case::must(concat!("crypto.mlkem.", $set, "-accumulated-100"),
                "FIPS 203 §6: 100 key pairs, encapsulations and random-ciphertext decapsulations, accumulated, against kyber-py").vector(|_| accumulated()),
            Case::must(concat!("crypto.mlkem.", $set, "-matches-ml-kem-crate"),
                "FIPS 203 §6: same d, z, m give the ml-kem crate's ek, dk, c and K; each side decapsulates the other's").property(differential),
            Case::must(concat!("crypto.mlkem.", $set, "-modulus-check"),
                "FIPS 203 §7.2: an encapsulation key with a coefficient >= q is refused").vector(|_| modulus_check()),
            Case::must(concat!("crypto.mlkem.", $set, "-hash-check"),
                "FIPS 203 §7.3: a decapsulation key whose H(ek) does not match is refused; lengths checked").vector(|_| hash_check()),
            Case::must(concat!("crypto.mlkem.", $set, "-decoders-never-panic"),
                "FIPS 203 §7.2, §7.3: arbitrary bytes to the decoders and to decapsulation never panic").property(decoders),
        ]
    }};
}

/// dudect: decapsulating a valid ciphertext (K returned) against a tampered
/// one (K̄ returned) must not differ in time (FIPS 203 §6.3: the comparison
/// and selection are constant-time, or implicit rejection leaks).
fn timing_implicit_rejection(ctx: &mut Ctx) -> Outcome {
    let mut rng = ChaCha20Rng::seed_from_u64(ctx.seed ^ 203);
    let dk = mlkem768::DecapsulationKey::generate(&mut rng);
    let (good, _) = dk.encapsulation_key().encapsulate(&mut rng);
    let mut bad = good.as_bytes().to_vec();
    let at = (rng.next_u32() as usize) % bad.len();
    bad[at] ^= 1;
    let bad = match mlkem768::Ciphertext::from_bytes(&bad) {
        Ok(c) => c,
        Err(e) => return Outcome::Fail(e.to_string()),
    };
    let t = measure(ctx, 6_000, |class| {
        let c = if class == 0 { &good } else { &bad };
        black_box(dk.decapsulate(black_box(c)));
    });
    report(
        ctx,
        "ML-KEM-768 decapsulation, valid vs tampered ciphertext",
        t,
    )
}

/// Each parameter set against AWS-LC (aws-lc-rs `kem`), 8 rounds each
/// way: AWS-LC's encapsulation key loads into ours, our encapsulation
/// decapsulates there to our key; ours loads into AWS-LC and its
/// encapsulation decapsulates here to its key.
fn aws_lc_both_ways() -> check::Checked {
    use aws_lc_rs::kem;
    macro_rules! both_ways {
        ($m:ident, $alg:expr) => {{
            let mut rng = ChaCha20Rng::seed_from_u64(203);
            for round in 0..8 {
                let theirs = kem::DecapsulationKey::generate(&$alg).map_err(|e| e.to_string())?;
                let their_ek = theirs.encapsulation_key().map_err(|e| e.to_string())?;
                let their_ek = their_ek.key_bytes().map_err(|e| e.to_string())?;
                let ek = $m::EncapsulationKey::from_bytes(their_ek.as_ref())
                    .map_err(|e| format!("{}: AWS-LC's key refused: {e}", stringify!($m)))?;
                let (ct, k) = ek.encapsulate(&mut rng);
                let got = theirs
                    .decapsulate(kem::Ciphertext::from(&ct.as_bytes()[..]))
                    .map_err(|e| e.to_string())?;
                check::equal(
                    &format!(
                        "{} round {round}: AWS-LC's key from our encapsulation",
                        stringify!($m)
                    ),
                    got.as_ref(),
                    &k[..],
                )?;
                let ours = $m::DecapsulationKey::generate(&mut rng);
                let ek =
                    kem::EncapsulationKey::new(&$alg, &ours.encapsulation_key().as_bytes()[..])
                        .map_err(|e| format!("{}: AWS-LC refused our key: {e}", stringify!($m)))?;
                let (ct, k) = ek.encapsulate().map_err(|e| e.to_string())?;
                let ct = $m::Ciphertext::from_bytes(ct.as_ref()).map_err(|e| e.to_string())?;
                check::equal(
                    &format!(
                        "{} round {round}: our key from AWS-LC's encapsulation",
                        stringify!($m)
                    ),
                    &ours.decapsulate(&ct)[..],
                    k.as_ref(),
                )?;
            }
        }};
    }
    both_ways!(mlkem512, kem::ML_KEM_512);
    both_ways!(mlkem768, kem::ML_KEM_768);
    both_ways!(mlkem1024, kem::ML_KEM_1024);
    Ok(())
}

/// The `crypto.mlkem.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut cases = set_cases!("512", mlkem512, ml_kem::MlKem512, ANSWERS_512);
    cases.extend(set_cases!("768", mlkem768, ml_kem::MlKem768, ANSWERS_768));
    cases.extend(set_cases!(
        "1024",
        mlkem1024,
        ml_kem::MlKem1024,
        ANSWERS_1024
    ));
    cases.push(
        Case::must(
            "crypto.mlkem.aws-lc-both-ways",
            "FIPS 203 §7.1-§7.3 (ML-KEM-512, -768, -1024 against AWS-LC through aws-lc-rs)",
        )
        .interop_peer(|_| aws_lc_both_ways()),
    );
    cases.extend(acvp::cases());
    cases.extend(cctv::cases());
    cases.push(
        Case::should(
            "crypto.mlkem.timing-implicit-rejection",
            "FIPS 203 §6.3: implicit rejection not visible in decapsulation time (dudect, Welch t)",
        )
        .alone()
        .property(timing_implicit_rejection),
    );
    cases
}
