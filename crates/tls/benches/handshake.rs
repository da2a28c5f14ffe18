//! TLS handshakes and bulk data beside rustls, with its ring provider
//! ("rustls") and its aws-lc-rs provider ("rustls-aws-lc"), same run.
//!
//! What both sides do, in every row: a client and a server of the same
//! implementation in one thread, bytes moved between them through in-memory
//! buffers. The same certificates (rcgen: a P-256 CA signing the leaf, which
//! is P-256 or the fixture RSA-2048 key), the same suite and group (X25519),
//! the client validating the chain to the CA and the name `localhost` at
//! each handshake, randomness from the OS (`OsRng` for ours; ring's
//! `getrandom` and AWS-LC's own generator for rustls). Full-handshake rows send no session tickets on
//! either side (rustls's `send_tls13_tickets = 0`; our `ServerConnection::new`
//! issues none). What is timed per iteration:
//!
//! - `tls/handshake-*`: a new client and server connection, the whole
//!   handshake to the point both report it complete.
//! - `tls/resume-tls13`: a TLS 1.3 PSK-DHE resumption (X25519) from a
//!   ticket the previous iteration's server issued; both servers issue one
//!   stateless ticket per handshake (rustls `Ticketer`, our ticket key) and
//!   both clients keep them in their in-memory stores.
//! - `tls/bulk-*`: 16 MiB from client to server over an established
//!   connection, 16 KiB writes, every byte read out by the server.
//!
//! Differences: rustls's server keeps no session state for the full rows (no
//! tickets, stateless config), as ours. One favours us against the ring
//! provider in the RSA row: our RSA key reuses its blinding pair for 32
//! signatures, squared in between, as AWS-LC does and ring does not (a fresh
//! pair costs ours about 30 µs more per signature).

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use criterion::{black_box, criterion_main, BenchmarkId, Criterion, Throughput};
use handshake_tls::suites::{TLS12, TLS13};
use handshake_tls::{
    CipherSuite, ClientConfig, ClientConnection, MemorySessionStore, NamedGroup, ServerConfig,
    ServerConnection, Tls12Suite, TrustAnchor,
};
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use rustls::crypto::aws_lc_rs as al;
use rustls::crypto::ring as rr;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};

/// A CA certificate and a leaf it signed, in DER, with the leaf's key.
struct Pki {
    ca: Vec<u8>,
    leaf: Vec<u8>,
    key: Vec<u8>,
}

fn pki(rsa: bool) -> Pki {
    let ca_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = if rsa {
        let pem = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/tls/rsa2048.pk8.pem"
        ))
        .unwrap();
        let der = PrivatePkcs8KeyDer::from_pem_slice(pem.as_bytes()).unwrap();
        KeyPair::from_pkcs8_der_and_sign_algo(&der, &rcgen::PKCS_RSA_SHA256).unwrap()
    } else {
        KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap()
    };
    let leaf = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    Pki {
        ca: ca.der().to_vec(),
        leaf: leaf.der().to_vec(),
        key: key.serialize_der(),
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Which protocol a row speaks.
#[derive(Clone, Copy)]
enum Proto {
    Tls13(CipherSuite),
    /// TLS 1.2 ECDHE with this suite (extended master secret on both sides).
    Tls12(Tls12Suite),
}

// ---- ours

struct Ours {
    cc: Arc<ClientConfig>,
    sc: Arc<ServerConfig>,
    /// Servers issue tickets (resumption rows).
    tickets: bool,
}

fn ours(p: &Pki, proto: Proto, tickets: bool) -> Ours {
    let mut cc = ClientConfig::new(vec![TrustAnchor::from_der(&p.ca).unwrap()]);
    let mut sc = ServerConfig::new(vec![p.leaf.clone()], &p.key).unwrap();
    cc.groups = vec![NamedGroup::X25519];
    sc.groups = vec![NamedGroup::X25519];
    match proto {
        Proto::Tls13(suite) => {
            cc.versions = vec![TLS13];
            cc.cipher_suites = vec![suite];
            sc.cipher_suites = vec![suite];
        }
        Proto::Tls12(suite) => {
            cc.versions = vec![TLS12];
            cc.tls12_suites = vec![suite];
            sc.tls12_suites = vec![suite];
        }
    }
    if tickets {
        cc.session_store = Some(Arc::new(MemorySessionStore::new(8)));
        sc.set_ticket_key([0x42; 32]);
        sc.tls13_tickets = 1;
    }
    Ours {
        cc: Arc::new(cc),
        sc: Arc::new(sc),
        tickets,
    }
}

impl Ours {
    fn connect(&self) -> (ClientConnection, ServerConnection) {
        let t = now();
        let rng = || Box::new(rand::rngs::OsRng);
        let mut c = ClientConnection::new(self.cc.clone(), "localhost", t, rng()).unwrap();
        let mut s = if self.tickets {
            ServerConnection::new_at(self.sc.clone(), t, rng()).unwrap()
        } else {
            ServerConnection::new(self.sc.clone(), rng()).unwrap()
        };
        ours_pump(&mut c, &mut s);
        assert!(!c.is_handshaking() && !s.is_handshaking());
        (c, s)
    }
}

fn ours_pump(c: &mut ClientConnection, s: &mut ServerConnection) {
    loop {
        let mut moved = false;
        if let Some(b) = c.poll_transmit() {
            s.read_tls(&b).unwrap();
            moved = true;
        }
        if let Some(b) = s.poll_transmit() {
            c.read_tls(&b).unwrap();
            moved = true;
        }
        if !moved {
            return;
        }
    }
}

fn ours_bulk(c: &mut ClientConnection, s: &mut ServerConnection, data: &[u8]) -> usize {
    let mut got = 0;
    for chunk in data.chunks(16384) {
        c.send(chunk).unwrap();
        ours_pump(c, s);
        while let Some(e) = s.poll_event() {
            if let handshake_tls::Event::ApplicationData(d) = e {
                got += d.len();
            }
        }
    }
    got
}

// ---- rustls

/// Which rustls crypto provider a row uses.
#[derive(Clone, Copy)]
enum Provider {
    Ring,
    AwsLc,
}

impl Provider {
    /// The provider with X25519 only and `suite` (by its IANA name) only.
    fn with(self, suite: &str) -> rustls::crypto::CryptoProvider {
        let (mut p, x25519) = match self {
            Provider::Ring => (rr::default_provider(), rr::kx_group::X25519),
            Provider::AwsLc => (al::default_provider(), al::kx_group::X25519),
        };
        p.kx_groups = vec![x25519];
        p.cipher_suites
            .retain(|s| format!("{:?}", s.suite()) == suite);
        assert_eq!(p.cipher_suites.len(), 1, "{suite}");
        p
    }

    fn ticketer(self) -> Arc<dyn rustls::server::ProducesTickets> {
        match self {
            Provider::Ring => rr::Ticketer::new().unwrap(),
            Provider::AwsLc => al::Ticketer::new().unwrap(),
        }
    }

    /// The row's name.
    fn name(self) -> &'static str {
        match self {
            Provider::Ring => "rustls",
            Provider::AwsLc => "rustls-aws-lc",
        }
    }
}

struct Theirs {
    cc: Arc<rustls::ClientConfig>,
    sc: Arc<rustls::ServerConfig>,
}

fn theirs(p: &Pki, proto: Proto, tickets: bool, provider: Provider) -> Theirs {
    let (suite, version) = match proto {
        Proto::Tls13(CipherSuite::Aes128GcmSha256) => {
            ("TLS13_AES_128_GCM_SHA256", &rustls::version::TLS13)
        }
        Proto::Tls13(_) => ("TLS13_CHACHA20_POLY1305_SHA256", &rustls::version::TLS13),
        Proto::Tls12(_) => (
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            &rustls::version::TLS12,
        ),
    };
    let which = provider;
    let provider = Arc::new(provider.with(suite));
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(p.ca.clone())).unwrap();
    let mut cc = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[version])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(p.key.clone()));
    let mut sc = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[version])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(p.leaf.clone())], key)
        .unwrap();
    if tickets {
        sc.ticketer = which.ticketer();
        sc.send_tls13_tickets = 1;
    } else {
        sc.send_tls13_tickets = 0;
        sc.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
        cc.resumption = rustls::client::Resumption::disabled();
    }
    Theirs {
        cc: Arc::new(cc),
        sc: Arc::new(sc),
    }
}

impl Theirs {
    fn connect(&self) -> (rustls::ClientConnection, rustls::ServerConnection) {
        let name = ServerName::try_from("localhost").unwrap();
        let mut c = rustls::ClientConnection::new(self.cc.clone(), name).unwrap();
        let mut s = rustls::ServerConnection::new(self.sc.clone()).unwrap();
        theirs_pump(&mut c, &mut s);
        assert!(!c.is_handshaking() && !s.is_handshaking());
        (c, s)
    }
}

fn theirs_pump(c: &mut rustls::ClientConnection, s: &mut rustls::ServerConnection) {
    let mut buf = Vec::new();
    loop {
        let mut moved = false;
        while c.wants_write() {
            buf.clear();
            c.write_tls(&mut buf).unwrap();
            let mut r = &buf[..];
            while !r.is_empty() {
                s.read_tls(&mut r).unwrap();
                s.process_new_packets().unwrap();
            }
            moved = true;
        }
        while s.wants_write() {
            buf.clear();
            s.write_tls(&mut buf).unwrap();
            let mut r = &buf[..];
            while !r.is_empty() {
                c.read_tls(&mut r).unwrap();
                c.process_new_packets().unwrap();
            }
            moved = true;
        }
        if !moved {
            return;
        }
    }
}

fn theirs_bulk(
    c: &mut rustls::ClientConnection,
    s: &mut rustls::ServerConnection,
    data: &[u8],
) -> usize {
    let mut got = 0;
    let mut buf = vec![0u8; 16384];
    for chunk in data.chunks(16384) {
        c.writer().write_all(chunk).unwrap();
        theirs_pump(c, s);
        loop {
            match s.reader().read(&mut buf) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => panic!("{e}"),
            }
        }
    }
    got
}

// ---- rows

fn handshakes(c: &mut Criterion) {
    let ecdsa = pki(false);
    let rsa = pki(true);
    let aes = Proto::Tls13(CipherSuite::Aes128GcmSha256);
    let rows = [
        ("tls/handshake-tls13-ecdsa-p256", &ecdsa, aes),
        ("tls/handshake-tls13-rsa2048", &rsa, aes),
        (
            "tls/handshake-tls12-ecdhe-ecdsa",
            &ecdsa,
            Proto::Tls12(Tls12Suite::EcdheEcdsaWithAes128GcmSha256),
        ),
    ];
    for (group, p, proto) in rows {
        let mut g = c.benchmark_group(group);
        g.throughput(Throughput::Elements(1));
        let o = ours(p, proto, false);
        g.bench_function(BenchmarkId::new("handshake", "x25519"), |b| {
            b.iter(|| black_box(o.connect()))
        });
        for provider in [Provider::Ring, Provider::AwsLc] {
            let t = theirs(p, proto, false, provider);
            g.bench_function(BenchmarkId::new(provider.name(), "x25519"), |b| {
                b.iter(|| black_box(t.connect()))
            });
        }
        g.finish();
    }

    let mut g = c.benchmark_group("tls/resume-tls13");
    g.throughput(Throughput::Elements(1));
    let o = ours(&ecdsa, aes, true);
    o.connect(); // the first ticket
    g.bench_function(BenchmarkId::new("handshake", "psk-dhe-x25519"), |b| {
        b.iter(|| {
            let (c, s) = o.connect();
            assert_eq!(c.negotiated().map(|n| n.resumed), Some(true));
            black_box((c, s))
        })
    });
    for provider in [Provider::Ring, Provider::AwsLc] {
        let t = theirs(&ecdsa, aes, true, provider);
        t.connect();
        g.bench_function(BenchmarkId::new(provider.name(), "psk-dhe-x25519"), |b| {
            b.iter(|| {
                let (c, s) = t.connect();
                assert_eq!(c.handshake_kind(), Some(rustls::HandshakeKind::Resumed));
                black_box((c, s))
            })
        });
    }
    g.finish();
}

fn bulk(c: &mut Criterion) {
    const LEN: usize = 16 << 20;
    let p = pki(false);
    let data: Vec<u8> = (0..LEN).map(|i| (i % 251) as u8).collect();
    for (name, suite) in [
        ("tls/bulk-aes128gcm", CipherSuite::Aes128GcmSha256),
        ("tls/bulk-chacha20", CipherSuite::ChaCha20Poly1305Sha256),
    ] {
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Bytes(LEN as u64));
        g.sample_size(10);
        let (mut oc, mut os) = ours(&p, Proto::Tls13(suite), false).connect();
        g.bench_function(BenchmarkId::new("handshake", "16MiB"), |b| {
            b.iter(|| assert_eq!(ours_bulk(&mut oc, &mut os, &data), LEN))
        });
        for provider in [Provider::Ring, Provider::AwsLc] {
            let (mut tc, mut ts) = theirs(&p, Proto::Tls13(suite), false, provider).connect();
            g.bench_function(BenchmarkId::new(provider.name(), "16MiB"), |b| {
                b.iter(|| assert_eq!(theirs_bulk(&mut tc, &mut ts, &data), LEN))
            });
        }
        g.finish();
    }
}

#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::handshakes, super::bulk);
}
use group::benches;
criterion_main!(benches);
