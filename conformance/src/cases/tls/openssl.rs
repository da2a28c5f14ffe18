//! `tls.openssl.*`: OpenSSL 3's `s_server` and `s_client` as the
//! independent peer over TCP on 127.0.0.1: our client against `s_server`
//! and `s_client` against our server, for the TLS 1.2 RSA key-exchange
//! suites (which rustls does not have), the TLS 1.2 ECDHE suites and the
//! TLS 1.3 suites, each with application data checked both ways. Each
//! OpenSSL process is stopped by its pid when the case ends.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use handshake_tls::suites::{TLS12, TLS13};
use handshake_tls::{CipherSuite, ClientConnection, Error, Event, ServerConnection, Tls12Suite};

use super::support::{self, pki, pki_for, LeafSpec, Pki};
use crate::check::{self, Checked};
use crate::peers::openssl::{OpensslPeer, NEED};
use crate::Case;

/// Our end of a TCP connection.
trait Ours {
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
fn drive(
    conn: &mut dyn Ours,
    sock: &mut TcpStream,
    got: &mut Vec<u8>,
    peer: &OpensslPeer,
    done: impl Fn(&dyn Ours, &[u8]) -> bool,
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
            return Err(format!("timed out; openssl said: {}", peer.stderr_text()));
        }
        match sock.read(&mut buf) {
            Ok(0) => {
                return Err(format!(
                    "openssl closed the connection; it said: {}",
                    peer.stderr_text()
                ))
            }
            Ok(n) => {
                if let Err(e) = conn.give(&buf[..n]) {
                    // Send our alert before reporting.
                    while let Some(b) = conn.take() {
                        let _ = sock.write_all(&b);
                    }
                    return Err(format!("ours: {e}; openssl said: {}", peer.stderr_text()));
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => return Err(format!("read: {e}; openssl said: {}", peer.stderr_text())),
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// What both directions check after the handshake: a line each way.
fn talk(conn: &mut dyn Ours, sock: &mut TcpStream, peer: &mut OpensslPeer) -> Checked {
    let mut got = Vec::new();
    conn.write(b"ping from handshake\n")
        .map_err(|e| e.to_string())?;
    drive(conn, sock, &mut got, peer, |_, _| true)?;
    peer.wait_for(b"ping from handshake\n", Duration::from_secs(10))?;
    peer.send(b"pong from openssl\n")?;
    drive(conn, sock, &mut got, peer, |_, g| {
        contains(g, b"pong from openssl\n")
    })
}

/// Our client against `openssl s_server <args>`.
fn ours_client(
    p: &Pki,
    args: &[&str],
    cfg: impl FnOnce(&mut handshake_tls::ClientConfig),
) -> Result<ClientConnection, String> {
    let (mut peer, port) = OpensslPeer::server(&p.chain, &p.key_pkcs8, args)?;
    let mut sock = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    let mut cc = support::client_config(p)?;
    cfg(&mut cc);
    let mut c = ClientConnection::new(Arc::new(cc), "localhost", support::NOW, support::rng(31))
        .map_err(|e| e.to_string())?;
    let mut got = Vec::new();
    drive(&mut c, &mut sock, &mut got, &peer, |c, _| !c.handshaking())?;
    talk(&mut c, &mut sock, &mut peer)?;
    Ok(c)
}

/// `openssl s_client <args>` against our server.
fn ours_server(
    p: &Pki,
    args: &[&str],
    cfg: impl FnOnce(&mut handshake_tls::ServerConfig),
) -> Result<ServerConnection, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let mut peer = OpensslPeer::client(&p.ca_der, port, args)?;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut sock = loop {
        match listener.accept() {
            Ok((s, _)) => break s,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() > deadline || peer.exited() {
                    return Err(format!("s_client did not connect: {}", peer.stderr_text()));
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(e.to_string()),
        }
    };
    sock.set_nonblocking(false).map_err(|e| e.to_string())?;
    let mut sc = support::server_config(p)?;
    cfg(&mut sc);
    let mut s = ServerConnection::new(Arc::new(sc), support::rng(32)).map_err(|e| e.to_string())?;
    let mut got = Vec::new();
    drive(&mut s, &mut sock, &mut got, &peer, |s, _| !s.handshaking())?;
    // s_client prints nothing with -quiet; it sends stdin lines once connected.
    peer.send(b"ping from openssl\n")?;
    drive(&mut s, &mut sock, &mut got, &peer, |_, g| {
        contains(g, b"ping from openssl\n")
    })?;
    s.write(b"pong from handshake\n")
        .map_err(|e| e.to_string())?;
    drive(&mut s, &mut sock, &mut got, &peer, |_, _| true)?;
    peer.wait_for(b"pong from handshake\n", Duration::from_secs(10))?;
    Ok(s)
}

fn openssl_name(s: Tls12Suite) -> &'static str {
    use Tls12Suite as T;
    match s {
        T::RsaWithAes128CbcSha256 => "AES128-SHA256",
        T::RsaWithAes256CbcSha256 => "AES256-SHA256",
        T::RsaWithAes128GcmSha256 => "AES128-GCM-SHA256",
        T::RsaWithAes256GcmSha384 => "AES256-GCM-SHA384",
        T::EcdheEcdsaWithAes128GcmSha256 => "ECDHE-ECDSA-AES128-GCM-SHA256",
        T::EcdheEcdsaWithAes256GcmSha384 => "ECDHE-ECDSA-AES256-GCM-SHA384",
        T::EcdheEcdsaWithChaCha20Poly1305Sha256 => "ECDHE-ECDSA-CHACHA20-POLY1305",
        T::EcdheRsaWithAes128GcmSha256 => "ECDHE-RSA-AES128-GCM-SHA256",
        T::EcdheRsaWithAes256GcmSha384 => "ECDHE-RSA-AES256-GCM-SHA384",
        _ => "ECDHE-RSA-CHACHA20-POLY1305",
    }
}

fn tls12_case(suite: Tls12Suite, ours_is_client: bool) -> Checked {
    let p = pki_for(suite)?;
    let args = ["-tls1_2", "-cipher", openssl_name(suite)];
    let n = if ours_is_client {
        let c = ours_client(&p, &args, |cc| cc.tls12_suites = vec![suite])?;
        check::equal("version", c.protocol_version(), Some(TLS12))?;
        c.negotiated_tls12().cloned()
    } else {
        let s = ours_server(&p, &args, |sc| sc.tls12_suites = vec![suite])?;
        check::equal("version", s.protocol_version(), Some(TLS12))?;
        s.negotiated_tls12().cloned()
    };
    let n = n.ok_or("no TLS 1.2 parameters")?;
    check::equal(
        "suite and extended master secret",
        (n.suite, n.extended_master_secret),
        (suite, true),
    )
}

fn tls13_case(suite: CipherSuite, ours_is_client: bool) -> Checked {
    let p = pki(&LeafSpec::default())?;
    let args = ["-tls1_3", "-ciphersuites", suite.name()];
    let n = if ours_is_client {
        let c = ours_client(&p, &args, |_| {})?;
        check::equal("version", c.protocol_version(), Some(TLS13))?;
        c.negotiated().cloned()
    } else {
        let s = ours_server(&p, &args, |_| {})?;
        check::equal("version", s.protocol_version(), Some(TLS13))?;
        s.negotiated().cloned()
    };
    check::equal("suite", n.map(|n| n.suite), Some(suite))
}

fn short(name: &str) -> String {
    name.trim_start_matches("TLS_")
        .replace("_WITH_", "-")
        .replace('_', "-")
        .to_lowercase()
}

/// The `tls.openssl.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for suite in Tls12Suite::ALL.iter().copied() {
        for ours_is_client in [true, false] {
            let side = if ours_is_client { "server" } else { "client" };
            let spec = if suite.is_forward_secret() {
                "RFC 5246 §7.3, §7.4; RFC 8422 §5.4; RFC 7627 §4"
            } else {
                "RFC 5246 §7.3, §7.4.7.1, §8.1; RFC 7627 §4"
            };
            v.push(
                Case::must(
                    format!("tls.openssl.s-{side}-tls12-{}", short(suite.name())),
                    spec,
                )
                .needs(&[NEED])
                .interop_peer(move |_| tls12_case(suite, ours_is_client)),
            );
        }
    }
    for suite in CipherSuite::ALL {
        for ours_is_client in [true, false] {
            let side = if ours_is_client { "server" } else { "client" };
            v.push(
                Case::must(
                    format!("tls.openssl.s-{side}-tls13-{}", short(suite.name())),
                    "RFC 8446 §2, §4, §5.2, §7.1",
                )
                .needs(&[NEED])
                .interop_peer(move |_| tls13_case(suite, ours_is_client)),
            );
        }
    }
    v
}
