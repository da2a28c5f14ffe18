//! Criterion benches for ML-KEM-768 (FIPS 203) and SHA-3, ours ("handshake") beside
//! RustCrypto's `ml-kem` 0.2 and `sha3` 0.10 crates ("ml-kem", "sha3") and, for
//! ML-KEM, AWS-LC through aws-lc-rs ("aws-lc").
//!
//! Same work on both sides: keys, messages and ciphertexts come from fixed seeds
//! (d = 0x01.., z = 0x02.., m = 0x03..), prepared outside the timed loop.
//! - keygen: ML-KEM.KeyGen_internal(d, z) up to the encoded dk and ek (ours
//!   produces the FIPS 203 byte strings; the peer's keys are encoded with
//!   `as_bytes` inside the loop so it does the same work);
//! - encaps: Encaps_internal(ek, m) from an already parsed encapsulation key;
//! - decaps: Decaps_internal(dk, c) of a valid ciphertext, from a parsed key.
//! - SHA3-256 and SHAKE128 (32 bytes out) over 16 KiB.
//!
//! - "aws-lc" rows: AWS-LC's API draws its randomness itself (d and z for
//!   keygen, m for encaps, from its DRBG) and has no seeded entry points, so
//!   beside it ours draws them too, from a ChaCha20 generator, inside the
//!   timed loop: keygen = draw + KeyGen + the encoded ek (aws-lc:
//!   `generate` + `encapsulation_key().key_bytes()`), encaps = draw + Encaps
//!   from a parsed key; decaps as above.
//!
//! Ours picks its AVX2 paths (NTT, four-way Keccak) at run time when the CPU
//! has them (`HANDSHAKE_CRYPTO_PORTABLE=1` forces the portable code); `ml-kem`
//! is portable Rust; aws-lc (mlkem-native) has AVX2 assembly of its own.
//! Encapsulation keys are made outside the timed loop on every side; ours
//! keeps H(ek) from then (FIPS 203 allows it), so an encapsulation does not
//! hash ek again; whether a peer caches it is up to the peer.
#![allow(missing_docs)] // criterion_group! generates an undocumented function.

use aws_lc_rs::kem;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use handshake_crypto::mlkem::mlkem768;
use handshake_crypto::{Sha3_256, Shake128};
use ml_kem::kem::Decapsulate;
use ml_kem::{EncapsulateDeterministic, EncodedSizeUser, KemCore, MlKem768};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::hint::black_box;

const D: [u8; 32] = [1; 32];
const Z: [u8; 32] = [2; 32];
const M: [u8; 32] = [3; 32];

fn bench_mlkem(c: &mut Criterion) {
    let mut g = c.benchmark_group("crypto/mlkem768-keygen");
    g.bench_function(BenchmarkId::new("handshake", "seed"), |b| {
        b.iter(|| mlkem768::DecapsulationKey::from_seed(black_box(&D), black_box(&Z)))
    });
    g.bench_function(BenchmarkId::new("ml-kem", "seed"), |b| {
        b.iter(|| {
            let (dk, ek) = MlKem768::generate_deterministic(&black_box(D).into(), &Z.into());
            (dk.as_bytes(), ek.as_bytes())
        })
    });
    g.bench_function(BenchmarkId::new("handshake", "drawn"), |b| {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        b.iter(|| {
            let dk = mlkem768::DecapsulationKey::generate(&mut rng);
            *dk.encapsulation_key().as_bytes()
        })
    });
    g.bench_function(BenchmarkId::new("aws-lc", "drawn"), |b| {
        b.iter(|| {
            let dk = kem::DecapsulationKey::generate(&kem::ML_KEM_768).unwrap();
            let ek = dk.encapsulation_key().unwrap();
            ek.key_bytes().unwrap().as_ref().len()
        })
    });
    g.finish();

    let ours = mlkem768::DecapsulationKey::from_seed(&D, &Z);
    let ours_ek = ours.encapsulation_key();
    let (peer_dk, peer_ek) = MlKem768::generate_deterministic(&D.into(), &Z.into());
    let mut g = c.benchmark_group("crypto/mlkem768-encaps");
    g.bench_function(BenchmarkId::new("handshake", "m"), |b| {
        b.iter(|| ours_ek.encapsulate_deterministic(black_box(&M)))
    });
    g.bench_function(BenchmarkId::new("ml-kem", "m"), |b| {
        b.iter(|| {
            peer_ek
                .encapsulate_deterministic(&black_box(M).into())
                .unwrap()
        })
    });
    let aws_dk = kem::DecapsulationKey::generate(&kem::ML_KEM_768).unwrap();
    let aws_ek = aws_dk.encapsulation_key().unwrap();
    g.bench_function(BenchmarkId::new("handshake", "drawn"), |b| {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        b.iter(|| ours_ek.encapsulate(&mut rng))
    });
    g.bench_function(BenchmarkId::new("aws-lc", "drawn"), |b| {
        b.iter(|| aws_ek.encapsulate().unwrap())
    });
    g.finish();

    let (ct, _) = ours_ek.encapsulate_deterministic(&M);
    let (peer_ct, _) = peer_ek.encapsulate_deterministic(&M.into()).unwrap();
    let mut g = c.benchmark_group("crypto/mlkem768-decaps");
    g.bench_function(BenchmarkId::new("handshake", "valid"), |b| {
        b.iter(|| ours.decapsulate(black_box(&ct)))
    });
    g.bench_function(BenchmarkId::new("ml-kem", "valid"), |b| {
        b.iter(|| peer_dk.decapsulate(black_box(&peer_ct)).unwrap())
    });
    let (aws_ct, _) = aws_ek.encapsulate().unwrap();
    g.bench_function(BenchmarkId::new("aws-lc", "valid"), |b| {
        b.iter(|| {
            aws_dk
                .decapsulate(kem::Ciphertext::from(black_box(aws_ct.as_ref())))
                .unwrap()
        })
    });
    g.finish();
}

fn bench_sha3(c: &mut Criterion) {
    use sha3::digest::{ExtendableOutput, Update, XofReader};
    use sha3::Digest;
    let data = vec![0x5au8; 16 * 1024];
    let mut g = c.benchmark_group("crypto/sha3-256");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function(BenchmarkId::new("handshake", "16KiB"), |b| {
        b.iter(|| Sha3_256::digest(black_box(&data)))
    });
    g.bench_function(BenchmarkId::new("sha3", "16KiB"), |b| {
        b.iter(|| sha3::Sha3_256::digest(black_box(&data)))
    });
    g.finish();
    let mut g = c.benchmark_group("crypto/shake128");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function(BenchmarkId::new("handshake", "16KiB"), |b| {
        b.iter(|| {
            let mut out = [0u8; 32];
            Shake128::digest_into(black_box(&data), &mut out);
            out
        })
    });
    g.bench_function(BenchmarkId::new("sha3", "16KiB"), |b| {
        b.iter(|| {
            let mut x = sha3::Shake128::default();
            x.update(black_box(&data));
            let mut out = [0u8; 32];
            x.finalize_xof().read(&mut out);
            out
        })
    });
    g.finish();
}

criterion_group!(benches, bench_mlkem, bench_sha3);
criterion_main!(benches);
