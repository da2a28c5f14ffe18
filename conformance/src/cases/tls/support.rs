//! Helpers the `tls.*` groups share (no cases here): certificates made by
//! rcgen at run time, our client and server paired in memory with a wire
//! the case may tamper with, rustls peers, and a key log.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use handshake_crypto::PrivateKey;
use handshake_tls::{
    ClientConfig, ClientConnection, Error, Event, KeyLog, ServerConfig, ServerConnection,
    Tls12Suite, TrustAnchor,
};
use rand::SeedableRng;

use crate::check::{self, Checked};
use crate::peers::tls_tool::ToolPeer;
use rand_chacha::ChaCha20Rng;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::PrivatePkcs8KeyDer;

/// A fixed "now" for our client (2026-01-01T00:00:00Z): certificates made
/// here are valid from 2020 to 2040 unless a case says otherwise.
pub(crate) const NOW: u64 = 1_767_225_600;

/// Key types of server certificates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyKind {
    P256,
    P384,
    Ed25519,
    Rsa2048,
}

/// What the leaf certificate says.
#[derive(Clone, Debug)]
pub(crate) struct LeafSpec {
    pub(crate) kind: KeyKind,
    pub(crate) names: Vec<String>,
    pub(crate) eku: Vec<ExtendedKeyUsagePurpose>,
    pub(crate) not_after_year: i32,
    pub(crate) via_intermediate: bool,
    pub(crate) intermediate_is_ca: bool,
    pub(crate) ca_name: &'static str,
    /// The key type of the CA and of the intermediate.
    pub(crate) ca_kind: KeyKind,
}

impl Default for LeafSpec {
    fn default() -> Self {
        LeafSpec {
            kind: KeyKind::P256,
            names: vec!["localhost".into()],
            eku: vec![ExtendedKeyUsagePurpose::ServerAuth],
            not_after_year: 2040,
            via_intermediate: false,
            intermediate_is_ca: true,
            ca_name: "Handshake TLS test CA",
            ca_kind: KeyKind::P256,
        }
    }
}

/// A CA, and a leaf chain with its PKCS#8 key.
pub(crate) struct Pki {
    pub(crate) ca_der: Vec<u8>,
    pub(crate) chain: Vec<Vec<u8>>,
    pub(crate) key_pkcs8: Vec<u8>,
    /// The CA's certificate and key, to issue more leaves.
    ca: (rcgen::Certificate, KeyPair),
}

impl Pki {
    /// A P-256 client certificate for "client.test" with `eku`, issued by
    /// this CA: (chain, PKCS#8 key).
    pub(crate) fn client_leaf(
        &self,
        eku: Vec<ExtendedKeyUsagePurpose>,
    ) -> Result<(Vec<Vec<u8>>, Vec<u8>), String> {
        let key = key_pair(KeyKind::P256)?;
        let lp = leaf_params(&["client.test".to_string()], eku, 2040)?;
        let cert = lp
            .signed_by(&key, &self.ca.0, &self.ca.1)
            .map_err(|e| e.to_string())?;
        Ok((vec![cert.der().to_vec()], key.serialize_der()))
    }
}

fn leaf_params(
    names: &[String],
    eku: Vec<ExtendedKeyUsagePurpose>,
    not_after_year: i32,
) -> Result<CertificateParams, String> {
    let mut lp = CertificateParams::new(names.to_vec()).map_err(|e| e.to_string())?;
    lp.distinguished_name.push(
        DnType::CommonName,
        names.first().cloned().unwrap_or_default(),
    );
    lp.extended_key_usages = eku;
    lp.not_before = rcgen::date_time_ymd(2020, 1, 1);
    lp.not_after = rcgen::date_time_ymd(not_after_year, 1, 1);
    Ok(lp)
}

/// The fixture RSA-2048 key (PKCS#8 PEM, `openssl genpkey`; fixtures/README.md).
pub(crate) const RSA2048_PEM: &str = include_str!("../../../../fixtures/tls/rsa2048.pk8.pem");

fn key_pair(kind: KeyKind) -> Result<KeyPair, String> {
    match kind {
        KeyKind::P256 => {
            KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| e.to_string())
        }
        // rcgen signs with a P-384 key under ecdsa-with-SHA384 (RFC 5758 §3.2).
        KeyKind::P384 => {
            KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).map_err(|e| e.to_string())
        }
        KeyKind::Ed25519 => KeyPair::generate_for(&rcgen::PKCS_ED25519).map_err(|e| e.to_string()),
        KeyKind::Rsa2048 => {
            // ring cannot generate RSA keys, and generating one at run time
            // is slow: the committed fixture key (made once by openssl).
            let der = PrivatePkcs8KeyDer::from_pem_slice(RSA2048_PEM.as_bytes())
                .map_err(|e| format!("fixtures/tls/rsa2048.pk8.pem: {e}"))?;
            KeyPair::from_pkcs8_der_and_sign_algo(&der, &rcgen::PKCS_RSA_SHA256)
                .map_err(|e| e.to_string())
        }
    }
}

fn ca_params(cn: &str, is_ca: bool) -> Result<CertificateParams, String> {
    let mut p = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    p.distinguished_name.push(DnType::CommonName, cn);
    if is_ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    }
    p.not_before = rcgen::date_time_ymd(2020, 1, 1);
    p.not_after = rcgen::date_time_ymd(2040, 1, 1);
    Ok(p)
}

/// Makes a CA (`spec.ca_kind`, P-256 by default) and a leaf as `spec` says.
pub(crate) fn pki(spec: &LeafSpec) -> Result<Pki, String> {
    let e = |e: rcgen::Error| e.to_string();
    let ca_key = key_pair(spec.ca_kind)?;
    let ca = ca_params(spec.ca_name, true)?
        .self_signed(&ca_key)
        .map_err(e)?;
    let leaf_key = key_pair(spec.kind)?;
    let lp = leaf_params(&spec.names, spec.eku.clone(), spec.not_after_year)?;
    let mut chain = Vec::new();
    if spec.via_intermediate {
        let ik = key_pair(spec.ca_kind)?;
        let inter = ca_params("Handshake TLS test intermediate", spec.intermediate_is_ca)?
            .signed_by(&ik, &ca, &ca_key)
            .map_err(e)?;
        let leaf = lp.signed_by(&leaf_key, &inter, &ik).map_err(e)?;
        chain.push(leaf.der().to_vec());
        chain.push(inter.der().to_vec());
    } else {
        chain.push(
            lp.signed_by(&leaf_key, &ca, &ca_key)
                .map_err(e)?
                .der()
                .to_vec(),
        );
    }
    Ok(Pki {
        ca_der: ca.der().to_vec(),
        chain,
        key_pkcs8: leaf_key.serialize_der(),
        ca: (ca, ca_key),
    })
}

/// A suite's IANA name as a case-id fragment:
/// "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" -> "ecdhe-rsa-aes-128-gcm-sha256".
pub(crate) fn slug(name: &str) -> String {
    name.trim_start_matches("TLS_")
        .replace("_WITH_", "-")
        .replace('_', "-")
        .to_lowercase()
}

/// The key type a suite's server needs.
pub(crate) fn kind_for(suite: Tls12Suite) -> KeyKind {
    use handshake_tls::tls12::suites::KeyExchange;
    match suite.kx() {
        KeyExchange::EcdheEcdsa => KeyKind::P256,
        _ => KeyKind::Rsa2048,
    }
}

pub(crate) fn pki_for(suite: Tls12Suite) -> Result<Pki, String> {
    pki(&LeafSpec {
        kind: kind_for(suite),
        ..LeafSpec::default()
    })
}

/// rustls's root store holding only `pki`'s CA.
pub(crate) fn rustls_roots(pki: &Pki) -> Result<rustls::RootCertStore, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from(pki.ca_der.clone()))
        .map_err(|e| e.to_string())?;
    Ok(roots)
}

/// A chain (DER, leaf first) and PKCS#8 key in rustls's types.
pub(crate) fn rustls_cert(
    chain: &[Vec<u8>],
    key_pkcs8: &[u8],
) -> (
    Vec<rustls::pki_types::CertificateDer<'static>>,
    rustls::pki_types::PrivateKeyDer<'static>,
) {
    (
        chain
            .iter()
            .map(|d| rustls::pki_types::CertificateDer::from(d.clone()))
            .collect(),
        rustls::pki_types::PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pkcs8.to_vec())),
    )
}

/// Our client config trusting `pki`'s CA.
pub(crate) fn client_config(pki: &Pki) -> Result<ClientConfig, String> {
    let anchor = TrustAnchor::from_der(&pki.ca_der).map_err(|e| e.to_string())?;
    Ok(ClientConfig::new(vec![anchor]))
}

/// Our server config with `pki`'s chain and key.
pub(crate) fn server_config(pki: &Pki) -> Result<ServerConfig, String> {
    ServerConfig::new(pki.chain.clone(), &pki.key_pkcs8).map_err(|e| e.to_string())
}

pub(crate) fn rng(seed: u64) -> Box<ChaCha20Rng> {
    Box::new(ChaCha20Rng::seed_from_u64(seed))
}

/// Which way bytes travel on the in-memory wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dir {
    ToServer,
    ToClient,
}

/// How a paired run ended.
#[derive(Debug, Default)]
pub(crate) struct Run {
    pub(crate) client_err: Option<Error>,
    pub(crate) server_err: Option<Error>,
    pub(crate) client_events: Vec<Event>,
    pub(crate) server_events: Vec<Event>,
}

/// Runs our client against our server, every flight passing through
/// `wire` (which may change, drop or add bytes), until neither has
/// anything to send (bounded).
pub(crate) fn run_pair(
    c: &mut ClientConnection,
    s: &mut ServerConnection,
    mut wire: impl FnMut(Dir, &mut Vec<u8>),
) -> Run {
    let mut run = Run::default();
    for _ in 0..64 {
        let mut moved = false;
        if let Some(mut b) = c.poll_transmit() {
            moved = true;
            wire(Dir::ToServer, &mut b);
            if let Err(e) = s.read_tls(&b) {
                run.server_err.get_or_insert(e);
            }
        }
        if let Some(mut b) = s.poll_transmit() {
            moved = true;
            wire(Dir::ToClient, &mut b);
            if let Err(e) = c.read_tls(&b) {
                run.client_err.get_or_insert(e);
            }
        }
        while let Some(e) = c.poll_event() {
            run.client_events.push(e);
        }
        while let Some(e) = s.poll_event() {
            run.server_events.push(e);
        }
        if !moved {
            break;
        }
    }
    run
}

/// Sends `data` one way (`Dir::ToServer`: the client sends it), runs the
/// pair, and checks that the receiving side's events are exactly `data`, as
/// one ApplicationData event (`what` names the check). The run is returned for
/// further checks.
pub(crate) fn send_one_way(
    c: &mut ClientConnection,
    s: &mut ServerConnection,
    dir: Dir,
    data: &[u8],
    what: &str,
) -> Result<Run, String> {
    match dir {
        Dir::ToServer => c.send(data),
        Dir::ToClient => s.send(data),
    }
    .map_err(|e| e.to_string())?;
    let run = run_pair(c, s, |_, _| {});
    let received = match dir {
        Dir::ToServer => &run.server_events,
        Dir::ToClient => &run.client_events,
    };
    check::equal(
        what,
        received.clone(),
        vec![Event::ApplicationData(data.to_vec())],
    )?;
    Ok(run)
}

/// A fresh pair over `pki` with `tweak`s applied to the configs.
pub(crate) fn pair(
    pki: &Pki,
    name: &str,
    tweak: impl FnOnce(&mut ClientConfig, &mut ServerConfig),
) -> Result<(ClientConnection, ServerConnection), String> {
    let mut cc = client_config(pki)?;
    let mut sc = server_config(pki)?;
    tweak(&mut cc, &mut sc);
    let c = ClientConnection::new(Arc::new(cc), name, NOW, rng(11)).map_err(|e| e.to_string())?;
    let s = ServerConnection::new(Arc::new(sc), rng(12)).map_err(|e| e.to_string())?;
    Ok((c, s))
}

/// A key log that keeps every (label, secret).
#[derive(Default)]
pub(crate) struct MemoryKeyLog(pub(crate) Mutex<Vec<(String, Vec<u8>)>>);

impl KeyLog for MemoryKeyLog {
    fn log(&self, label: &str, _client_random: &[u8; 32], secret: &[u8]) {
        if let Ok(mut v) = self.0.lock() {
            v.push((label.to_string(), secret.to_vec()));
        }
    }
}

impl MemoryKeyLog {
    pub(crate) fn get(&self, label: &str) -> Option<Vec<u8>> {
        self.0
            .lock()
            .ok()?
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, s)| s.clone())
    }

    /// Every (label, secret) in order.
    pub(crate) fn all(&self) -> Vec<(String, Vec<u8>)> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

/// Splits a flight into records (header + fragment).
pub(crate) fn records(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 5 <= bytes.len() {
        let len = u16::from_be_bytes([bytes[at + 3], bytes[at + 4]]) as usize;
        let end = (at + 5 + len).min(bytes.len());
        out.push(bytes[at..end].to_vec());
        at = end;
    }
    out
}

impl Run {
    /// Neither side failed and both completed the handshake (`what` names
    /// the handshake in the failure).
    pub(crate) fn completed(&self, what: &str) -> Checked {
        check::equal(
            "errors",
            (&self.client_err, &self.server_err),
            (&None, &None),
        )?;
        check::ensure(
            self.client_events.contains(&Event::HandshakeComplete)
                && self.server_events.contains(&Event::HandshakeComplete),
            || format!("{what} did not complete"),
        )
    }

    /// The server failed with an error `want` accepts, and the client
    /// received `alert`.
    pub(crate) fn server_failed(
        &self,
        want: impl Fn(&Error) -> bool,
        alert: handshake_tls::AlertDescription,
    ) -> Result<(), String> {
        expect_failure("server", &self.server_err, want, &self.client_err, alert)
    }

    /// The client failed with an error `want` accepts, and the server
    /// received `alert`.
    pub(crate) fn client_failed(
        &self,
        want: impl Fn(&Error) -> bool,
        alert: handshake_tls::AlertDescription,
    ) -> Result<(), String> {
        expect_failure("client", &self.client_err, want, &self.server_err, alert)
    }
}

/// Checks that `got` failed with `want` and that the peer received the alert
/// `alert` (the exact alert the RFC names).
pub(crate) fn expect_failure(
    who: &str,
    got: &Option<Error>,
    want: impl Fn(&Error) -> bool,
    peer: &Option<Error>,
    alert: handshake_tls::AlertDescription,
) -> Result<(), String> {
    match got {
        Some(e) if want(e) => {}
        other => return Err(format!("{who}: got {other:?}")),
    }
    crate::check::equal(
        "alert the peer received",
        peer.clone(),
        Some(Error::PeerAlert(alert)),
    )
}

/// Gives `conn` (`who`) a `record` of a content type it does not expect
/// now: it must refuse it with UnexpectedRecord and send an
/// unexpected_message alert (RFC 8446 §5, RFC 5246 §7.1).
pub(crate) fn refuses_record(conn: &mut dyn Ours, who: &str, record: &[u8]) -> Checked {
    check::equal(
        &format!("{who}'s error on a record of type {}", record[0]),
        conn.give(record).err(),
        Some(Error::UnexpectedRecord {
            content_type: record[0],
        }),
    )?;
    let unexpected_message = handshake_tls::AlertDescription::UnexpectedMessage.to_u8();
    check::equal(
        &format!("{who}'s alert"),
        conn.take(),
        Some(vec![21, 3, 3, 0, 2, 2, unexpected_message]),
    )
}

/// A server with a throwaway P-256 key and a placeholder certificate, for
/// cases that never get as far as sending it.
pub(crate) fn bare_server() -> ServerConnection {
    let mut r = ChaCha20Rng::seed_from_u64(5);
    let key = PrivateKey::P256(handshake_crypto::P256SecretKey::generate(&mut r));
    let sc = ServerConfig::new(vec![vec![0x30, 0]], &key.to_pkcs8_der()).expect("a P-256 key");
    ServerConnection::new(Arc::new(sc), rng(6)).expect("a valid config")
}

/// A client trusting nothing, its ClientHello queued.
pub(crate) fn bare_client() -> ClientConnection {
    ClientConnection::new(
        Arc::new(ClientConfig::new(Vec::new())),
        "localhost",
        NOW,
        rng(7),
    )
    .expect("a valid config")
}

/// Our client or server, as the drivers here move bytes through it.
pub(crate) trait Ours {
    fn take(&mut self) -> Option<Vec<u8>>;
    fn give(&mut self, b: &[u8]) -> Result<(), Error>;
    fn event(&mut self) -> Option<Event>;
    fn handshaking(&self) -> bool;
    fn write(&mut self, d: &[u8]) -> Result<(), Error>;
}

macro_rules! ours {
    ($t:ty) => {
        impl Ours for $t {
            fn take(&mut self) -> Option<Vec<u8>> {
                self.poll_transmit()
            }
            fn give(&mut self, b: &[u8]) -> Result<(), Error> {
                self.read_tls(b)
            }
            fn event(&mut self) -> Option<Event> {
                self.poll_event()
            }
            fn handshaking(&self) -> bool {
                self.is_handshaking()
            }
            fn write(&mut self, d: &[u8]) -> Result<(), Error> {
                self.send(d)
            }
        }
    };
}
ours!(ClientConnection);
ours!(ServerConnection);

/// Moves bytes between `conn` and the socket, collecting application data
/// in `got`, until `done` holds (or 10 s pass, or either side fails).
pub(crate) fn drive<T: Ours + ?Sized>(
    conn: &mut T,
    sock: &mut TcpStream,
    got: &mut Vec<u8>,
    peer: &ToolPeer,
    done: impl Fn(&T, &[u8]) -> bool,
) -> Checked {
    sock.set_read_timeout(Some(Duration::from_millis(20)))
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut buf = [0u8; 16 * 1024];
    loop {
        while let Some(b) = conn.take() {
            sock.write_all(&b).map_err(|e| format!("write: {e}"))?;
        }
        while let Some(e) = conn.event() {
            if let Event::ApplicationData(d) = e {
                got.extend_from_slice(&d);
            }
        }
        if done(conn, got) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("timed out; peer said: {}", peer.stderr_text()));
        }
        match sock.read(&mut buf) {
            Ok(0) => {
                return Err(format!(
                    "the peer closed the connection; it said: {}",
                    peer.stderr_text()
                ))
            }
            Ok(n) => {
                if let Err(e) = conn.give(&buf[..n]) {
                    // Send our alert before reporting.
                    while let Some(b) = conn.take() {
                        let _ = sock.write_all(&b);
                    }
                    return Err(format!("ours: {e}; peer said: {}", peer.stderr_text()));
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => return Err(format!("read: {e}; peer said: {}", peer.stderr_text())),
        }
    }
}

pub(crate) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// What both directions check after the handshake: a line each way.
fn talk(conn: &mut dyn Ours, sock: &mut TcpStream, peer: &mut ToolPeer) -> Checked {
    let mut got = Vec::new();
    conn.write(b"ping from handshake\n")
        .map_err(|e| e.to_string())?;
    drive(conn, sock, &mut got, peer, |_, _| true)?;
    peer.wait_for(b"ping from handshake\n", Duration::from_secs(10))?;
    peer.send(b"pong from the peer\n")?;
    drive(conn, sock, &mut got, peer, |_, g| {
        contains(g, b"pong from the peer\n")
    })
}

/// Our client against a command-line server `peer` listening on `port`:
/// the handshake, then a line each way.
pub(crate) fn ours_client(
    p: &Pki,
    peer: &mut ToolPeer,
    port: u16,
    cfg: impl FnOnce(&mut ClientConfig),
) -> Result<ClientConnection, String> {
    let mut sock = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    let mut cc = client_config(p)?;
    cfg(&mut cc);
    let mut c = ClientConnection::new(Arc::new(cc), "localhost", NOW, rng(31))
        .map_err(|e| e.to_string())?;
    let mut got = Vec::new();
    drive(&mut c, &mut sock, &mut got, peer, |c, _| !c.handshaking())?;
    talk(&mut c, &mut sock, peer)?;
    Ok(c)
}

/// A command-line client (`start` runs it against a port) against our
/// server on 127.0.0.1: the handshake, then a line each way.
pub(crate) fn ours_server(
    p: &Pki,
    start: impl FnOnce(u16) -> Result<ToolPeer, String>,
    cfg: impl FnOnce(&mut ServerConfig),
) -> Result<ServerConnection, String> {
    ours_server_said(p, start, cfg).map(|(s, _)| s)
}

/// [`ours_server`], and all the client printed by then (stdout, stderr,
/// log): what it says it negotiated (`s_client -brief`, gnutls-cli's log).
pub(crate) fn ours_server_said(
    p: &Pki,
    start: impl FnOnce(u16) -> Result<ToolPeer, String>,
    cfg: impl FnOnce(&mut ServerConfig),
) -> Result<(ServerConnection, String), String> {
    let (listener, port) = listen()?;
    let mut peer = start(port)?;
    let mut sock = accept(&listener, &mut peer)?;
    let mut sc = server_config(p)?;
    cfg(&mut sc);
    let s = serve(Arc::new(sc), NOW, &mut sock, &mut peer)?;
    // gnutls-cli buffers its log file until it exits: end the connection
    // and let it go.
    drop(sock);
    peer.wait_exit(Duration::from_secs(5));
    Ok((s, peer.stdout_text() + &peer.stderr_text()))
}

/// A command-line client that connects twice (`start` runs it against a
/// port), to resume the first session in the second, against our server
/// (one config, so one ticket key): the first connection's handshake (and
/// its tickets), then the second's handshake and a line each way. Returns
/// both connections and all the client printed (stdout, stderr, log).
pub(crate) fn ours_server_twice(
    p: &Pki,
    start: impl FnOnce(u16) -> Result<ToolPeer, String>,
    cfg: impl FnOnce(&mut ServerConfig),
) -> Result<(ServerConnection, ServerConnection, String), String> {
    let (listener, port) = listen()?;
    let mut peer = start(port)?;
    let mut sc = server_config(p)?;
    cfg(&mut sc);
    let sc = Arc::new(sc);
    let mut sock = accept(&listener, &mut peer)?;
    let mut first =
        ServerConnection::new_at(sc.clone(), NOW, rng(33)).map_err(|e| e.to_string())?;
    drive(&mut first, &mut sock, &mut Vec::new(), &peer, |s, _| {
        !s.handshaking()
    })?;
    drop(sock);
    let mut sock = accept(&listener, &mut peer)?;
    let second = serve(sc, NOW + 1, &mut sock, &mut peer)?;
    // The client writes its log on the way out: end the connection, let it exit.
    drop(sock);
    peer.wait_exit(Duration::from_secs(5));
    Ok((first, second, peer.stdout_text() + &peer.stderr_text()))
}

/// A listener on a free port of 127.0.0.1, and the port.
pub(crate) fn listen() -> Result<(TcpListener, u16), String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    Ok((listener, port))
}

/// The next connection to `listener` from `peer` (10 s at most).
pub(crate) fn accept(listener: &TcpListener, peer: &mut ToolPeer) -> Result<TcpStream, String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let sock = loop {
        match listener.accept() {
            Ok((s, _)) => break s,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() > deadline || peer.exited() {
                    return Err(format!(
                        "the client did not connect: {}",
                        peer.stderr_text()
                    ));
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(e.to_string()),
        }
    };
    sock.set_nonblocking(false).map_err(|e| e.to_string())?;
    Ok(sock)
}

/// Our server at `now` on `sock`: the handshake, then the peer's line and ours.
fn serve(
    sc: Arc<ServerConfig>,
    now: u64,
    sock: &mut TcpStream,
    peer: &mut ToolPeer,
) -> Result<ServerConnection, String> {
    let mut s = ServerConnection::new_at(sc, now, rng(32)).map_err(|e| e.to_string())?;
    let mut got = Vec::new();
    drive(&mut s, sock, &mut got, peer, |s, _| !s.handshaking())?;
    // The tool sends its stdin lines once connected.
    peer.send(b"ping from the peer\n")?;
    drive(&mut s, sock, &mut got, peer, |_, g| {
        contains(g, b"ping from the peer\n")
    })?;
    s.write(b"pong from handshake\n")
        .map_err(|e| e.to_string())?;
    drive(&mut s, sock, &mut got, peer, |_, _| true)?;
    peer.wait_for(b"pong from handshake\n", Duration::from_secs(10))?;
    Ok(s)
}
