//! The hot paths whose instruction counts CI tracks (`benches/instructions.rs`,
//! run by gungraun under valgrind's callgrind, checked by `cargo xtask bench
//! --check` against `fixtures/bench/baseline.json`).
//!
//! Each workload is a pair: a `*_input` function that prepares everything the
//! measured call needs (keys, certificates, bytes; not counted), and the
//! measured function itself. Everything is deterministic (fixed keys, seeded
//! RNGs, a fixed clock, committed certificates), so a count changes only when
//! the code it runs changes. The tests below check that each workload does the
//! work its name says.

use std::net::Ipv4Addr;
use std::sync::Arc;

use handshake_crypto::{Aead, AesGcm, P256PublicKey, P256SecretKey, Sha256, X25519SecretKey};
use handshake_dns::wire::{Class, Message, Name, RecordType};
use handshake_dns::{Cache, CacheConfig, Cached};
use handshake_http::{parse_request, HeaderRef, Limits, Parsed};
use handshake_ip::checksum::PseudoHeader;
use handshake_ip::ChecksumMode;
use handshake_tcp::conn::pair::Pair;
use handshake_tcp::conn::Config;
use handshake_tcp::wire::{Segment, SegmentRepr, SeqNumber, TcpFlags, TcpOptions, Timestamps};
use handshake_time::{Duration, Instant};
use handshake_tls::{
    ClientConfig, ClientConnection, NamedGroup, ServerConfig, ServerConnection, TrustAnchor,
};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// 16 KiB: a full TLS record's worth of data.
pub const BULK: usize = 16 * 1024;

/// A deterministic pattern of `len` bytes.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(131) >> 3) as u8).collect()
}

// ---- ip ----

/// The Internet checksum (RFC 1071) of 1500 bytes.
pub fn checksum(data: &[u8]) -> u16 {
    handshake_ip::checksum::checksum(data)
}

// ---- tcp ----

const PH: PseudoHeader = PseudoHeader::V4 {
    src: Ipv4Addr::new(192, 0, 2, 1),
    dst: Ipv4Addr::new(192, 0, 2, 2),
};

/// A 1448-byte data segment with timestamps, as bytes on the wire.
pub fn segment_input() -> Vec<u8> {
    let payload = pattern(1448);
    let repr = segment_repr(&payload);
    let mut wire = vec![0; repr.buffer_len()];
    repr.emit(&mut wire, &PH)
        .expect("the buffer is the segment's length");
    wire
}

fn segment_repr(payload: &[u8]) -> SegmentRepr<'_> {
    SegmentRepr {
        src_port: 443,
        dst_port: 50000,
        seq_number: SeqNumber(0x1234_5678),
        ack_number: SeqNumber(0x9abc_def0),
        flags: TcpFlags::ACK | TcpFlags::PSH,
        window: 502,
        urgent_pointer: 0,
        options: TcpOptions {
            timestamps: Some(Timestamps {
                tsval: 0x0102_0304,
                tsecr: 0x0506_0708,
            }),
            ..TcpOptions::default()
        },
        payload,
    }
}

/// Parses a segment with its checksum verified; returns the payload length.
pub fn segment_parse(wire: &[u8]) -> usize {
    let s = Segment::new_checked(wire).expect("a valid segment");
    SegmentRepr::parse(&s, &PH, ChecksumMode::Verify)
        .expect("a valid segment")
        .payload
        .len()
}

/// Emits the segment (header, options, checksum) into `out`.
pub fn segment_emit(payload: &[u8], out: &mut [u8]) -> usize {
    segment_repr(payload)
        .emit(out, &PH)
        .expect("room for the segment")
}

/// 1 MiB from client to server through two connections in the simulated
/// pair (no loss, 1 ms apart): handshake, data, ACKs, FIN. Returns the bytes
/// the server read.
pub fn tcp_transfer(total: usize) -> usize {
    let cfg = Config::default();
    let mut p = Pair::new(cfg.clone(), cfg, SeqNumber(1_000));
    p.run_until_idle();
    let data = pattern(64 * 1024);
    let (mut sent, mut read) = (0, 0);
    let mut buf = vec![0; 64 * 1024];
    // Bounded: each round moves data or advances the clock.
    for _ in 0..100_000 {
        if sent < total {
            sent += p.client.send(&data[..(total - sent).min(data.len())]);
            if sent == total {
                p.client.close();
            }
        }
        p.run_until_idle();
        while let Some(n) = p.server_mut().map(|s| s.recv(&mut buf)).filter(|&n| n > 0) {
            read += n;
        }
        if read == total {
            break;
        }
        p.advance(Duration::from_millis(1));
    }
    read
}

// ---- crypto ----

/// SHA-256 (FIPS 180-4) of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data)
}

/// An AES-128-GCM key.
pub fn aes_gcm_input() -> AesGcm {
    AesGcm::new(&[0x42; 16]).expect("a 16-byte key")
}

/// AES-128-GCM (SP 800-38D) seal of `data` with 13 bytes of additional data
/// (a TLS 1.2 record's).
pub fn aes_gcm_seal(key: &AesGcm, data: &[u8]) -> Vec<u8> {
    key.seal(&[7; 12], &[0x17; 13], data)
        .expect("within GCM's length limit")
}

/// Two fixed X25519 keys.
pub fn x25519_input() -> (X25519SecretKey, [u8; 32]) {
    (
        X25519SecretKey::from_bytes([0x42; 32]),
        X25519SecretKey::from_bytes([0x17; 32]).public_key(),
    )
}

/// X25519 (RFC 7748) shared secret.
pub fn x25519(ours: &X25519SecretKey, theirs: &[u8; 32]) -> [u8; 32] {
    ours.diffie_hellman(theirs).expect("not a low-order point")
}

/// A fixed P-256 key and a signature of [`SIGNED`] by it.
pub fn p256_input() -> (P256SecretKey, P256PublicKey, [u8; 64]) {
    let key = P256SecretKey::from_bytes(&[0x5a; 32]).expect("a valid scalar");
    let sig = key.sign::<Sha256>(SIGNED);
    (key.clone(), key.public_key(), sig)
}

/// What the P-256 rows sign: the length of a TLS 1.3 CertificateVerify input.
pub const SIGNED: &[u8] = &[0x20; 130];

/// ECDSA P-256 with SHA-256 and an RFC 6979 nonce.
pub fn p256_sign(key: &P256SecretKey) -> [u8; 64] {
    key.sign::<Sha256>(SIGNED)
}

/// ECDSA P-256 verification.
pub fn p256_verify(key: &P256PublicKey, sig: &[u8; 64]) -> bool {
    key.verify::<Sha256>(SIGNED, sig).is_ok()
}

// ---- dns ----

/// A referral for `www.example.com. AAAA` (two name servers and glue),
/// written by dnspython (a copy of the fuzz seed `dns_message/seed-referral`).
pub const REFERRAL: &[u8] = include_bytes!("../../fixtures/bench/referral.dns");

/// Parses a DNS message; returns its record count.
pub fn dns_parse(bytes: &[u8]) -> usize {
    let m = Message::parse(bytes).expect("dnspython's message parses");
    m.answers.len() + m.authorities.len() + m.additionals.len()
}

/// The cache's hasher here: SipHash with fixed keys, the same work as the
/// `RandomState` a real cache keys afresh, but one map layout every run (with
/// random keys a lookup's probe meets a false tag match in some runs and not
/// others, which moved the count by 2%).
pub type FixedHasher = core::hash::BuildHasherDefault<std::collections::hash_map::DefaultHasher>;

/// A cache holding the referral's records, and the name to look up.
pub fn dns_cache_input() -> (Cache<FixedHasher>, Name) {
    let m = Message::parse(REFERRAL).expect("dnspython's message parses");
    let mut cache = Cache::with_hasher(CacheConfig::default(), FixedHasher::default());
    // One RRset per insert: the NS set, then the glue.
    cache.insert_records(Instant::ZERO, m.authorities);
    cache.insert_records(Instant::ZERO, m.additionals);
    (cache, "a.iana-servers.net".parse().expect("a name"))
}

/// A cached lookup (AAAA of a name server, a minute after it was stored);
/// returns the number of records found.
pub fn dns_cached_lookup(cache: &mut Cache<FixedHasher>, name: &Name) -> usize {
    match cache.get(
        Instant::ZERO + Duration::from_secs(60),
        name,
        RecordType::AAAA,
        Class::IN,
    ) {
        Some(Cached::Records(rs)) => rs.len(),
        _ => 0,
    }
}

// ---- http ----

/// A GET as curl sends it (a copy of the fuzz seed `http_server/seed-curl-get`).
pub const GET: &[u8] = include_bytes!("../../fixtures/bench/curl-get.http");

/// Parses a request head; returns its header count.
pub fn http_parse(bytes: &[u8]) -> usize {
    let mut h = [HeaderRef::default(); 16];
    match parse_request(bytes, &mut h, &Limits::default()) {
        Ok(Parsed::Complete(r, _)) => r.headers.len(),
        _ => 0,
    }
}

// ---- tls ----

/// The configurations of a TLS 1.3 handshake (X25519, ECDSA P-256 leaf under a
/// P-256 CA; certificates made once with openssl, in fixtures/bench/).
pub fn tls_input() -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let ca = include_bytes!("../../fixtures/bench/ca.der");
    let leaf = include_bytes!("../../fixtures/bench/leaf.der");
    let key = include_bytes!("../../fixtures/bench/leaf.pk8.der");
    let mut cc = ClientConfig::new(vec![
        TrustAnchor::from_der(ca).expect("openssl's CA certificate")
    ]);
    let mut sc = ServerConfig::new(vec![leaf.to_vec()], key).expect("openssl's P-256 key");
    cc.groups = vec![NamedGroup::X25519];
    sc.groups = vec![NamedGroup::X25519];
    (Arc::new(cc), Arc::new(sc))
}

/// 2027-01-01, inside the bench certificates' validity.
const NOW: u64 = 1_798_761_600;

/// A full TLS 1.3 handshake in memory, both sides ours; returns the bytes
/// exchanged.
pub fn tls_handshake(cc: &Arc<ClientConfig>, sc: &Arc<ServerConfig>) -> usize {
    let mut c = ClientConnection::new(
        cc.clone(),
        "localhost",
        NOW,
        Box::new(ChaCha20Rng::seed_from_u64(1)),
    )
    .expect("client config");
    let mut s = ServerConnection::new(sc.clone(), Box::new(ChaCha20Rng::seed_from_u64(2)))
        .expect("server config");
    let mut moved = 0;
    // A handshake is a handful of flights.
    for _ in 0..16 {
        let mut any = false;
        while let Some(b) = c.poll_transmit() {
            moved += b.len();
            s.read_tls(&b).expect("our server accepts our client");
            any = true;
        }
        while let Some(b) = s.poll_transmit() {
            moved += b.len();
            c.read_tls(&b).expect("our client accepts our server");
            any = true;
        }
        if !any {
            break;
        }
    }
    assert!(
        !c.is_handshaking() && !s.is_handshaking(),
        "the handshake finished"
    );
    moved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_workload_does_its_work() {
        // RFC 1071 §3: a buffer with its own checksum appended sums to zero.
        let mut data = pattern(1498);
        let c = checksum(&data);
        data.extend_from_slice(&c.to_be_bytes());
        assert_eq!(checksum(&data), 0);

        let wire = segment_input();
        assert_eq!(segment_parse(&wire), 1448);
        let mut out = vec![0; wire.len()];
        assert_eq!(segment_emit(&pattern(1448), &mut out), wire.len());
        assert_eq!(out, wire);

        assert_eq!(tcp_transfer(1 << 20), 1 << 20);

        assert_eq!(
            aes_gcm_seal(&aes_gcm_input(), &pattern(BULK)).len(),
            BULK + 16
        );
        let (k, p) = x25519_input();
        assert_ne!(x25519(&k, &p), [0; 32]);
        let (sk, pk, sig) = p256_input();
        assert!(p256_verify(&pk, &sig));
        assert_eq!(p256_sign(&sk), sig, "RFC 6979 nonces: the same signature");

        // dnspython wrote 2 NS records and 1 AAAA glue record.
        assert_eq!(dns_parse(REFERRAL), 3);
        let (mut cache, name) = dns_cache_input();
        assert_eq!(dns_cached_lookup(&mut cache, &name), 1);

        // curl sent Host, User-Agent, Accept and Accept-Encoding.
        assert_eq!(http_parse(GET), 4);

        let (cc, sc) = tls_input();
        assert!(tls_handshake(&cc, &sc) > 500);
    }
}
