//! Instruction counts of the hot paths, under valgrind's callgrind (gungraun).
//!
//! Ours only: a count is compared with our own count in
//! `fixtures/bench/baseline.json` (`cargo xtask bench --check`), not with a
//! peer; the wall-clock comparisons with peers are the criterion benches in
//! each crate. Setup (keys, certificates, input bytes) runs outside the
//! measured call; each workload is described in `handshake_perf`.
#![allow(missing_docs)] // the gungraun macros generate undocumented items.

use std::hint::black_box;

use gungraun::{library_benchmark, library_benchmark_group, main};
use handshake_perf as w;

#[library_benchmark]
#[bench::b1500(w::pattern(1500))]
fn ip_checksum(data: Vec<u8>) -> u16 {
    black_box(w::checksum(black_box(&data)))
}

#[library_benchmark]
#[bench::b1448(w::segment_input())]
fn tcp_segment_parse(wire: Vec<u8>) -> usize {
    black_box(w::segment_parse(black_box(&wire)))
}

#[library_benchmark]
#[bench::b1448((w::pattern(1448), vec![0u8; 1500]))]
fn tcp_segment_emit((payload, mut out): (Vec<u8>, Vec<u8>)) -> usize {
    black_box(w::segment_emit(black_box(&payload), &mut out))
}

#[library_benchmark]
#[bench::mib1(1 << 20)]
fn tcp_transfer(total: usize) -> usize {
    black_box(w::tcp_transfer(black_box(total)))
}

#[library_benchmark]
#[bench::kib16(w::pattern(w::BULK))]
fn sha256(data: Vec<u8>) -> [u8; 32] {
    black_box(w::sha256(black_box(&data)))
}

#[library_benchmark]
#[bench::kib16((w::aes_gcm_input(), w::pattern(w::BULK)))]
fn aes128_gcm_seal((key, data): (handshake_crypto::AesGcm, Vec<u8>)) -> Vec<u8> {
    black_box(w::aes_gcm_seal(&key, black_box(&data)))
}

#[library_benchmark]
#[bench::shared_secret(w::x25519_input())]
fn x25519((ours, theirs): (handshake_crypto::X25519SecretKey, [u8; 32])) -> [u8; 32] {
    black_box(w::x25519(&ours, black_box(&theirs)))
}

#[library_benchmark]
#[bench::sha256(w::p256_input().0)]
fn p256_sign(key: handshake_crypto::P256SecretKey) -> [u8; 64] {
    black_box(w::p256_sign(black_box(&key)))
}

#[library_benchmark]
#[bench::sha256({ let (_, pk, sig) = w::p256_input(); (pk, sig) })]
fn p256_verify((key, sig): (handshake_crypto::P256PublicKey, [u8; 64])) -> bool {
    black_box(w::p256_verify(&key, black_box(&sig)))
}

#[library_benchmark]
#[bench::referral(w::REFERRAL)]
fn dns_parse(bytes: &[u8]) -> usize {
    black_box(w::dns_parse(black_box(bytes)))
}

#[library_benchmark]
#[bench::aaaa(w::dns_cache_input())]
fn dns_cached_lookup(
    (mut cache, name): (
        handshake_dns::Cache<w::FixedHasher>,
        handshake_dns::wire::Name,
    ),
) -> usize {
    black_box(w::dns_cached_lookup(&mut cache, black_box(&name)))
}

#[library_benchmark]
#[bench::curl_get(w::GET)]
fn http_parse(bytes: &[u8]) -> usize {
    black_box(w::http_parse(black_box(bytes)))
}

#[library_benchmark]
#[bench::tls13_x25519_p256(w::tls_input())]
fn tls_handshake(
    (cc, sc): (
        std::sync::Arc<handshake_tls::ClientConfig>,
        std::sync::Arc<handshake_tls::ServerConfig>,
    ),
) -> usize {
    black_box(w::tls_handshake(&cc, &sc))
}

library_benchmark_group!(
    name = hot_paths;
    benchmarks = ip_checksum, tcp_segment_parse, tcp_segment_emit, tcp_transfer, sha256,
        aes128_gcm_seal, x25519, p256_sign, p256_verify, dns_parse, dns_cached_lookup,
        http_parse, tls_handshake
);

main!(library_benchmark_groups = hot_paths);
