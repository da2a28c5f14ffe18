//! Criterion benches: each group runs our fast path ("handshake"), our portable path
//! ("handshake-portable") and ring side by side at 16 B, 1 KiB and 16 KiB.
#![allow(missing_docs)] // criterion_group! generates an undocumented function.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use handshake_crypto::{Aead, AesGcm, Backend, ChaCha20Poly1305, HmacSha256, Sha256};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey};
use std::hint::black_box;

const SIZES: [(usize, &str); 3] = [(16, "16B"), (1024, "1KiB"), (16384, "16KiB")];

fn bench_sha256(c: &mut Criterion) {
    let mut g = c.benchmark_group("crypto/sha256");
    for (len, name) in SIZES {
        let data = vec![0xa5u8; len];
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_with_input(BenchmarkId::new("handshake", name), &data, |b, d| {
            b.iter(|| Sha256::digest_with_backend(Backend::Native, black_box(d)))
        });
        g.bench_with_input(
            BenchmarkId::new("handshake-portable", name),
            &data,
            |b, d| b.iter(|| Sha256::digest_with_backend(Backend::Portable, black_box(d))),
        );
        g.bench_with_input(BenchmarkId::new("ring", name), &data, |b, d| {
            b.iter(|| ring::digest::digest(&ring::digest::SHA256, black_box(d)))
        });
    }
    g.finish();
}

fn bench_hmac(c: &mut Criterion) {
    let mut g = c.benchmark_group("crypto/hmac-sha256");
    let key = [0x0bu8; 32];
    let ours = HmacSha256::new_with_backend(Backend::Native, &key);
    let portable = HmacSha256::new_with_backend(Backend::Portable, &key);
    let rk = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key);
    for (len, name) in SIZES {
        let data = vec![0x5au8; len];
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_with_input(BenchmarkId::new("handshake", name), &data, |b, d| {
            b.iter(|| {
                let mut m = ours.clone();
                m.update(black_box(d));
                m.finalize()
            })
        });
        g.bench_with_input(
            BenchmarkId::new("handshake-portable", name),
            &data,
            |b, d| {
                b.iter(|| {
                    let mut m = portable.clone();
                    m.update(black_box(d));
                    m.finalize()
                })
            },
        );
        g.bench_with_input(BenchmarkId::new("ring", name), &data, |b, d| {
            b.iter(|| ring::hmac::sign(&rk, black_box(d)))
        });
    }
    g.finish();
}

/// Seal (or open) benches for one AEAD: ours on both backends and ring's.
fn bench_aead<A: Aead>(
    c: &mut Criterion,
    group: &str,
    fast: A,
    portable: A,
    ring_alg: &'static ring::aead::Algorithm,
    key: &[u8],
    open: bool,
) {
    let mut g = c.benchmark_group(group);
    let rk = LessSafeKey::new(UnboundKey::new(ring_alg, key).unwrap());
    let nonce = [7u8; 12];
    let aad = [1u8; 13];
    for (len, name) in SIZES {
        g.throughput(Throughput::Bytes(len as u64));
        let mut buf = vec![0x42u8; len];
        if open {
            let tag = fast.seal_in_place_detached(&nonce, &aad, &mut buf).unwrap();
            let sealed = buf.clone();
            g.bench_function(BenchmarkId::new("handshake", name), |b| {
                b.iter(|| {
                    buf.copy_from_slice(&sealed);
                    fast.open_in_place_detached(&nonce, &aad, black_box(&mut buf), &tag)
                        .unwrap()
                })
            });
            g.bench_function(BenchmarkId::new("handshake-portable", name), |b| {
                b.iter(|| {
                    buf.copy_from_slice(&sealed);
                    portable
                        .open_in_place_detached(&nonce, &aad, black_box(&mut buf), &tag)
                        .unwrap()
                })
            });
            let rtag = ring::aead::Tag::try_from(&tag[..]).unwrap();
            g.bench_function(BenchmarkId::new("ring", name), |b| {
                b.iter(|| {
                    buf.copy_from_slice(&sealed);
                    rk.open_in_place_separate_tag(
                        Nonce::assume_unique_for_key(nonce),
                        Aad::from(&aad),
                        rtag,
                        black_box(&mut buf),
                        0..,
                    )
                    .unwrap();
                })
            });
        } else {
            g.bench_function(BenchmarkId::new("handshake", name), |b| {
                b.iter(|| {
                    fast.seal_in_place_detached(&nonce, &aad, black_box(&mut buf))
                        .unwrap()
                })
            });
            g.bench_function(BenchmarkId::new("handshake-portable", name), |b| {
                b.iter(|| {
                    portable
                        .seal_in_place_detached(&nonce, &aad, black_box(&mut buf))
                        .unwrap()
                })
            });
            g.bench_function(BenchmarkId::new("ring", name), |b| {
                b.iter(|| {
                    rk.seal_in_place_separate_tag(
                        Nonce::assume_unique_for_key(nonce),
                        Aad::from(&aad),
                        black_box(&mut buf),
                    )
                    .unwrap()
                })
            });
        }
    }
    g.finish();
}

fn bench_aeads(c: &mut Criterion) {
    let k16 = [0x11u8; 16];
    let k32 = [0x22u8; 32];
    let gcm = |b, k: &[u8]| AesGcm::new_with_backend(b, k).unwrap();
    bench_aead(
        c,
        "crypto/aes128gcm-seal",
        gcm(Backend::Native, &k16),
        gcm(Backend::Portable, &k16),
        &ring::aead::AES_128_GCM,
        &k16,
        false,
    );
    bench_aead(
        c,
        "crypto/aes128gcm-open",
        gcm(Backend::Native, &k16),
        gcm(Backend::Portable, &k16),
        &ring::aead::AES_128_GCM,
        &k16,
        true,
    );
    bench_aead(
        c,
        "crypto/aes256gcm-seal",
        gcm(Backend::Native, &k32),
        gcm(Backend::Portable, &k32),
        &ring::aead::AES_256_GCM,
        &k32,
        false,
    );
    let cc = |b| ChaCha20Poly1305::new_with_backend(b, &k32).unwrap();
    bench_aead(
        c,
        "crypto/chacha20poly1305-seal",
        cc(Backend::Native),
        cc(Backend::Portable),
        &ring::aead::CHACHA20_POLY1305,
        &k32,
        false,
    );
}

criterion_group!(
    name = benches;
    config = Criterion::default();
    targets = bench_sha256, bench_hmac, bench_aeads
);
criterion_main!(benches);
