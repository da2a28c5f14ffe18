//! ML-KEM against independent implementations.
//!
//! - Differential: the RustCrypto `ml-kem` crate (0.2, `deterministic` feature)
//!   from the same d, z and m must give byte-identical ek, dk, ciphertext and K,
//!   for all three parameter sets, over many random seeds; and each side
//!   decapsulates the other's ciphertexts, tampered ones included.
//! - Known answers: kyber-py 1.2.0 (PyPI, pure-Python FIPS 203), by
//!   `fixtures/mlkem/kyber_py_answers.py`, which prints the values below.
//! - Implicit rejection: K̄ = J(z ‖ c') recomputed with the `sha3` crate's SHAKE256.

use super::{mlkem1024, mlkem512, mlkem768};
use crate::Error;
use alloc::vec::Vec;
use ml_kem::kem::{Decapsulate, Encapsulate as _};
use ml_kem::{EncapsulateDeterministic, EncodedSizeUser, KemCore};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sha3::digest::{ExtendableOutput, Update, XofReader};

fn sha3_256_hex(b: &[u8]) -> alloc::string::String {
    use sha3::Digest;
    hex::encode(sha3::Sha3_256::digest(b))
}

fn shake256_32(parts: &[&[u8]]) -> [u8; 32] {
    let mut x = sha3::Shake256::default();
    for p in parts {
        x.update(p);
    }
    let mut out = [0u8; 32];
    x.finalize_xof().read(&mut out);
    out
}

/// Runs a test body once per parameter set, with `$m` our module and `$peer`
/// the ml-kem crate's type.
macro_rules! each_set {
    (|$m:ident, $peer:ident, $name:ident| $body:block) => {{
        {
            use mlkem512 as $m;
            type $peer = ml_kem::MlKem512;
            let $name = "512";
            $body
        }
        {
            use mlkem768 as $m;
            type $peer = ml_kem::MlKem768;
            let $name = "768";
            $body
        }
        {
            use mlkem1024 as $m;
            type $peer = ml_kem::MlKem1024;
            let $name = "1024";
            $body
        }
    }};
}

#[test]
fn matches_ml_kem_crate() {
    let mut rng = ChaCha20Rng::seed_from_u64(203);
    each_set!(|m, Peer, name| {
        for i in 0..40 {
            let (d, z, msg): ([u8; 32], [u8; 32], [u8; 32]) = (rng.gen(), rng.gen(), rng.gen());
            let ours = m::DecapsulationKey::from_seed(&d, &z);
            let (pdk, pek) = Peer::generate_deterministic(&d.into(), &z.into());
            assert_eq!(
                &ours.as_bytes()[..],
                &pdk.as_bytes()[..],
                "{name} dk, seed {i}"
            );
            let ek = ours.encapsulation_key();
            assert_eq!(
                &ek.as_bytes()[..],
                &pek.as_bytes()[..],
                "{name} ek, seed {i}"
            );
            let (ct, k) = ek.encapsulate_deterministic(&msg);
            let (pct, pk) = pek.encapsulate_deterministic(&msg.into()).unwrap();
            assert_eq!(&ct.as_bytes()[..], &pct[..], "{name} ciphertext, seed {i}");
            assert_eq!(&k[..], &pk[..], "{name} K, seed {i}");
            assert_eq!(ours.decapsulate(&ct), k);
            // Their random encapsulation, decapsulated by us.
            let (pct, pk) = pek.encapsulate(&mut rng).unwrap();
            let ct = m::Ciphertext::from_bytes(&pct).unwrap();
            assert_eq!(
                &ours.decapsulate(&ct)[..],
                &pk[..],
                "{name} their ct, seed {i}"
            );
            // A tampered ciphertext: both give the same implicit-rejection key.
            let mut bad = pct;
            let at = rng.gen_range(0..bad.len());
            bad[at] ^= 1 << rng.gen_range(0..8);
            let ours_k = ours.decapsulate(&m::Ciphertext::from_bytes(&bad).unwrap());
            assert_eq!(
                &ours_k[..],
                &pdk.decapsulate(&bad).unwrap()[..],
                "{name} tampered"
            );
            assert_ne!(&ours_k[..], &pk[..]);
        }
    });
}

/// Values printed by `fixtures/mlkem/kyber_py_answers.py` (kyber-py 1.2.0):
/// d = 00..1f, z = 20..3f, m = 40..5f; SHA3-256 of ek, dk and c, then K and
/// K̄ for c with its first byte xor 1.
const KYBER_PY: [(&str, [&str; 5]); 3] = [
    (
        "512",
        [
            "82f101ff648063b376e2bb6c5b7455f655a50c2feadade150efa0e0e6f365aea",
            "0bd3f5df01098ac9c29d687c7f1bd0588a5573feeef8f1e3b4573fa7f6ab57c8",
            "e3fdddb90255869185c07cdf1c1880b2efe08b6f04da4997b693c0dea61503bd",
            "14cace3e48771b316676afad2cfcfe8488daaa4fad954e57236caa3f24a42cf7",
            "32ee1fb3f7bd2915218e9c1b2d0d2da88f0edce6804278bab3a6123c5bb64fc4",
        ],
    ),
    (
        "768",
        [
            "a24e16d8f8f9383a95b77050f4d9fd2f5733eec1d63ef3c23ebf9918173669a7",
            "1149f17c3c4ac6ab1e3e2d9d8bd0171355ac0fa31bb8855c48ceade874c0864b",
            "b4cfbd24cef67afd3764276c6980e0f88f8e9ca57f59b7f12fe1a9c1e72f4710",
            "9cddd089ffe70e3996e76f7c8d06746df34d07e8657bc0fcf2bb0e1c3084aea1",
            "dcfc80c6db46ff7028e3a4398651c063ae7a42c107a6dc8cb07141861698ab92",
        ],
    ),
    (
        "1024",
        [
            "61349e5c131a7e116a0463861d7d18663c5627c38c7147ddaadfd48acd7a4535",
            "f0db5d938027fcd9bad87847d52c14cf0c4abcf0703b749793f212111ffb303b",
            "c1579fa02c614f3762b2a799b51e41cebb8f820f34fa736af02c56de2460ce3c",
            "0ad8d1ea1b8dd788979b4379581218df9321bdce5567eca42ae6be7d395f1a54",
            "8f2c880890996c587aa500cf8b6da03372de706a9f96075744bb0956ea6fbaac",
        ],
    ),
];

#[test]
fn kyber_py_known_answers() {
    let d: [u8; 32] = core::array::from_fn(|i| i as u8);
    let z: [u8; 32] = core::array::from_fn(|i| 32 + i as u8);
    let msg: [u8; 32] = core::array::from_fn(|i| 64 + i as u8);
    each_set!(|m, _Peer, name| {
        let (_, want) = KYBER_PY.iter().find(|(n, _)| *n == name).unwrap();
        let dk = m::DecapsulationKey::from_seed(&d, &z);
        let ek = dk.encapsulation_key();
        assert_eq!(sha3_256_hex(ek.as_bytes()), want[0], "{name} ek");
        assert_eq!(sha3_256_hex(dk.as_bytes()), want[1], "{name} dk");
        let (ct, k) = ek.encapsulate_deterministic(&msg);
        assert_eq!(sha3_256_hex(ct.as_bytes()), want[2], "{name} c");
        assert_eq!(hex::encode(k), want[3], "{name} K");
        let mut bad = ct.as_bytes().to_vec();
        bad[0] ^= 1;
        let k_bar = dk.decapsulate(&m::Ciphertext::from_bytes(&bad).unwrap());
        assert_eq!(hex::encode(k_bar), want[4], "{name} K-bar");
        // J(z ‖ c') from the sha3 crate, independently of our SHAKE256.
        assert_eq!(k_bar, shake256_32(&[&z, &bad]), "{name} K-bar = J(z || c')");
    });
}

#[test]
fn modulus_check_rejects_unreduced_coefficient() {
    each_set!(|m, _Peer, name| {
        let dk = m::DecapsulationKey::from_seed(&[5; 32], &[6; 32]);
        let good = dk.encapsulation_key().as_bytes().to_vec();
        assert!(m::EncapsulationKey::from_bytes(&good).is_ok());
        // Each of a few positions: coefficient 2i+1 of a polynomial set to q
        // (0xd01) and to 4095; coefficient 2i set to q too.
        for at in [0usize, 1, 100, good.len() - 32 - 3] {
            let pair = at / 3 * 3;
            for (lo, hi) in [(3329u16, 0u16), (0, 3329), (0, 4095)] {
                let mut bad = good.clone();
                bad[pair] = lo as u8;
                bad[pair + 1] = ((lo >> 8) as u8) | ((hi as u8 & 0x0f) << 4);
                bad[pair + 2] = (hi >> 4) as u8;
                assert_eq!(
                    m::EncapsulationKey::from_bytes(&bad),
                    Err(Error::EncapsulationKeyNotReduced),
                    "{name} at {pair}"
                );
            }
            // q - 1 is fine.
            let mut ok = good.clone();
            ok[pair] = 0x00;
            ok[pair + 1] = 0x0d;
            ok[pair + 2] = 0x00;
            assert!(m::EncapsulationKey::from_bytes(&ok).is_ok());
        }
        // ρ is not checked: any 32 bytes.
        let mut rho = good.clone();
        let n = rho.len();
        rho[n - 1] = 0xff;
        assert!(m::EncapsulationKey::from_bytes(&rho).is_ok());
        assert_eq!(
            m::EncapsulationKey::from_bytes(&good[1..]),
            Err(Error::InvalidLength)
        );
    });
}

#[test]
fn hash_check_rejects_mismatched_dk() {
    each_set!(|m, _Peer, name| {
        let dk = m::DecapsulationKey::from_seed(&[5; 32], &[6; 32]);
        let bytes = dk.as_bytes().to_vec();
        let back = m::DecapsulationKey::from_bytes(&bytes).unwrap();
        assert_eq!(back.as_bytes(), dk.as_bytes());
        let ek_len = m::ENCAPSULATION_KEY_LEN;
        let k384 = ek_len - 32;
        // A changed byte of the embedded ek, or of H(ek): the hash check fails.
        for at in [k384, k384 + 10, 2 * k384 + 31, 2 * k384 + 32, 2 * k384 + 63] {
            let mut bad = bytes.clone();
            bad[at] ^= 0x40;
            assert_eq!(
                m::DecapsulationKey::from_bytes(&bad).map(|_| ()),
                Err(Error::DecapsulationKeyHashMismatch),
                "{name} at {at}"
            );
        }
        // dk_PKE and z are not covered by the hash.
        let mut s = bytes.clone();
        s[0] ^= 1;
        let last = s.len() - 1;
        s[last] ^= 1;
        assert!(m::DecapsulationKey::from_bytes(&s).is_ok());
        assert_eq!(
            m::DecapsulationKey::from_bytes(&bytes[..bytes.len() - 1]).map(|_| ()),
            Err(Error::InvalidLength)
        );
    });
}

/// Arbitrary bytes of any length into every decoder: an error or a value,
/// never a panic; and decapsulating arbitrary ciphertexts never panics.
#[test]
fn decoders_never_panic() {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    each_set!(|m, _Peer, _name| {
        let dk = m::DecapsulationKey::from_seed(&[1; 32], &[2; 32]);
        for _ in 0..200 {
            let len = match rng.gen_range(0..4) {
                0 => m::ENCAPSULATION_KEY_LEN,
                1 => m::DECAPSULATION_KEY_LEN,
                2 => m::CIPHERTEXT_LEN,
                _ => rng.gen_range(0..4000),
            };
            let mut b = alloc::vec![0u8; len];
            rng.fill_bytes(&mut b);
            let _ = m::EncapsulationKey::from_bytes(&b);
            let _ = m::DecapsulationKey::from_bytes(&b);
            if let Ok(c) = m::Ciphertext::from_bytes(&b) {
                let _ = dk.decapsulate(&c);
            }
            if let Ok(ek) = m::EncapsulationKey::from_bytes(&b) {
                let _ = ek.encapsulate_deterministic(&[0; 32]);
            }
        }
        // All-0xff: every coefficient 4095.
        let ff = alloc::vec![0xffu8; m::ENCAPSULATION_KEY_LEN];
        assert_eq!(
            m::EncapsulationKey::from_bytes(&ff),
            Err(Error::EncapsulationKeyNotReduced)
        );
    });
}

#[test]
fn rng_entry_points_round_trip() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    each_set!(|m, _Peer, _name| {
        let dk = m::DecapsulationKey::generate(&mut rng);
        let (ct, k) = dk.encapsulation_key().encapsulate(&mut rng);
        assert_eq!(dk.decapsulate(&ct), k);
        let other = m::DecapsulationKey::generate(&mut rng);
        assert_ne!(other.as_bytes()[..], dk.as_bytes()[..]);
    });
}

/// The accumulated run of `kyber_py_answers.py`: 100 key pairs, encapsulations
/// and decapsulations of random ciphertexts, all absorbed into one SHAKE128.
#[test]
fn kyber_py_accumulated_100() {
    let want = [
        (
            "512",
            "f162ea42cba246648b48b1ec05bd29559596b2dfa77a67db9bffc95d0e549ac8",
        ),
        (
            "768",
            "2257e956a26ace747b194bf1225aaeeb21d085b31455067036524c3f3656310b",
        ),
        (
            "1024",
            "4f72529f88f639852ecdebdbdd9ed5d8e9b22124fcea40c029ead1aeac0615d6",
        ),
    ];
    each_set!(|m, _Peer, name| {
        let mut stream = sha3::Shake128::default().finalize_xof();
        let mut acc = sha3::Shake128::default();
        for _ in 0..100 {
            let mut seed = [0u8; 64];
            stream.read(&mut seed);
            let dk = m::DecapsulationKey::from_seed(
                seed[..32].try_into().unwrap(),
                seed[32..].try_into().unwrap(),
            );
            let ek = dk.encapsulation_key();
            acc.update(ek.as_bytes());
            let mut msg = [0u8; 32];
            stream.read(&mut msg);
            let (ct, k) = ek.encapsulate_deterministic(&msg);
            acc.update(ct.as_bytes());
            acc.update(&k);
            let mut rc: Vec<u8> = alloc::vec![0u8; m::CIPHERTEXT_LEN];
            stream.read(&mut rc);
            acc.update(&rc);
            acc.update(&dk.decapsulate(&m::Ciphertext::from_bytes(&rc).unwrap()));
        }
        let mut out = [0u8; 32];
        acc.finalize_xof().read(&mut out);
        let (_, want) = want.iter().find(|(n, _)| *n == name).unwrap();
        assert_eq!(hex::encode(out), *want, "{name}");
    });
}
