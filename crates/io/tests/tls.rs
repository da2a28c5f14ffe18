//! The TLS streams over loopback TCP: our client and server against each
//! other and against rustls (through tokio-rustls), TLS 1.3 and TLS 1.2,
//! 1 MiB echoed and compared both ways; the blocking twin; and peers that
//! send garbage or close in the middle of a record, which must end in an
//! `io::Error` carrying the TLS error.

use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;

use handshake_io::tls::{blocking, TlsError, TlsStream};
use handshake_tls::suites::{TLS12, TLS13};
use handshake_tls::{ClientConfig, ServerConfig, TrustAnchor};
use rustls::pki_types::{CertificateDer, PrivatePkcs8KeyDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const MIB: usize = 1 << 20;

struct Pki {
    ca: Vec<u8>,
    leaf: Vec<u8>,
    key: Vec<u8>,
}

fn pki() -> Pki {
    let ca_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut cp = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    cp.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    cp.distinguished_name
        .push(rcgen::DnType::CommonName, "handshake-io test CA");
    let ca = cp.self_signed(&ca_key).unwrap();
    let leaf_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let lp = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    let leaf = lp.signed_by(&leaf_key, &ca, &ca_key).unwrap();
    Pki {
        ca: ca.der().to_vec(),
        leaf: leaf.der().to_vec(),
        key: leaf_key.serialize_der(),
    }
}

fn ours_client(p: &Pki, version: u16) -> Arc<ClientConfig> {
    let mut c = ClientConfig::new(vec![TrustAnchor::from_der(&p.ca).unwrap()]);
    c.versions = vec![version];
    Arc::new(c)
}

fn ours_server(p: &Pki, version: u16) -> Arc<ServerConfig> {
    let mut s = ServerConfig::new(vec![p.leaf.clone()], &p.key).unwrap();
    s.versions = vec![version];
    Arc::new(s)
}

fn rustls_versions(version: u16) -> &'static [&'static rustls::SupportedProtocolVersion] {
    static V13: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
    static V12: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
    if version == TLS13 {
        &V13
    } else {
        &V12
    }
}

fn rustls_server(p: &Pki, version: u16) -> tokio_rustls::TlsAcceptor {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let c = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls_versions(version))
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(p.leaf.clone())],
            PrivatePkcs8KeyDer::from(p.key.clone()).into(),
        )
        .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(c))
}

fn rustls_client(p: &Pki, version: u16) -> tokio_rustls::TlsConnector {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(p.ca.clone())).unwrap();
    let c = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls_versions(version))
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(c))
}

/// 1 MiB that does not repeat at any short period.
fn payload() -> Vec<u8> {
    let mut x: u32 = 0x1234_5678;
    (0..MIB)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

/// Server side: echoes everything until the client's close_notify, then
/// sends its own; returns how many bytes it echoed.
async fn echo<S: AsyncRead + AsyncWrite + Unpin>(mut s: S) -> usize {
    let mut buf = vec![0u8; 50_000];
    let mut total = 0;
    loop {
        let n = s.read(&mut buf).await.expect("server read");
        if n == 0 {
            break;
        }
        s.write_all(&buf[..n]).await.expect("server write");
        total += n;
    }
    s.shutdown().await.expect("server shutdown");
    total
}

/// Client side: sends the payload from one task while reading the echo in
/// another, checks it byte for byte, then closes and reads the server's
/// close_notify.
async fn send_and_check<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(s: S) {
    let data = payload();
    let (mut r, mut w) = tokio::io::split(s);
    let to_send = data.clone();
    let writer = tokio::spawn(async move {
        for chunk in to_send.chunks(70_001) {
            w.write_all(chunk).await.expect("client write");
        }
        w.flush().await.expect("client flush");
        w
    });
    let mut got = vec![0u8; MIB];
    r.read_exact(&mut got).await.expect("client read");
    assert!(got == data, "the echo differs from what was sent");
    let mut w = writer.await.unwrap();
    w.shutdown().await.expect("client shutdown");
    let mut rest = Vec::new();
    r.read_to_end(&mut rest)
        .await
        .expect("close_notify from the server");
    assert!(rest.is_empty());
}

async fn listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

async fn ours_against_ours(version: u16) {
    let p = pki();
    let (l, port) = listener().await;
    let sc = ours_server(&p, version);
    let server = tokio::spawn(async move {
        let (tcp, _) = l.accept().await.unwrap();
        let tls = TlsStream::accept(sc, tcp)
            .await
            .expect("our server's handshake");
        assert_eq!(tls.connection().protocol_version(), Some(version));
        echo(tls).await
    });
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let tls = TlsStream::connect(ours_client(&p, version), "localhost", tcp)
        .await
        .expect("our client's handshake");
    assert_eq!(tls.connection().protocol_version(), Some(version));
    send_and_check(tls).await;
    assert_eq!(server.await.unwrap(), MIB);
}

#[tokio::test]
async fn ours_against_ours_tls13() {
    ours_against_ours(TLS13).await;
}

#[tokio::test]
async fn ours_against_ours_tls12() {
    ours_against_ours(TLS12).await;
}

async fn our_client_rustls_server(version: u16) {
    let p = pki();
    let (l, port) = listener().await;
    let acceptor = rustls_server(&p, version);
    let server = tokio::spawn(async move {
        let (tcp, _) = l.accept().await.unwrap();
        let tls = acceptor.accept(tcp).await.expect("rustls handshake");
        echo(tls).await
    });
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let tls = TlsStream::connect(ours_client(&p, version), "localhost", tcp)
        .await
        .expect("our client's handshake with rustls");
    assert_eq!(tls.connection().protocol_version(), Some(version));
    send_and_check(tls).await;
    assert_eq!(server.await.unwrap(), MIB);
}

#[tokio::test]
async fn our_client_rustls_server_tls13() {
    our_client_rustls_server(TLS13).await;
}

#[tokio::test]
async fn our_client_rustls_server_tls12() {
    our_client_rustls_server(TLS12).await;
}

async fn rustls_client_our_server(version: u16) {
    let p = pki();
    let (l, port) = listener().await;
    let sc = ours_server(&p, version);
    let server = tokio::spawn(async move {
        let (tcp, _) = l.accept().await.unwrap();
        let tls = TlsStream::accept(sc, tcp)
            .await
            .expect("our server's handshake");
        echo(tls).await
    });
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let tls = rustls_client(&p, version)
        .connect(name, tcp)
        .await
        .expect("rustls handshake with our server");
    let want = if version == TLS13 {
        rustls::ProtocolVersion::TLSv1_3
    } else {
        rustls::ProtocolVersion::TLSv1_2
    };
    assert_eq!(tls.get_ref().1.protocol_version(), Some(want));
    send_and_check(tls).await;
    assert_eq!(server.await.unwrap(), MIB);
}

#[tokio::test]
async fn rustls_client_our_server_tls13() {
    rustls_client_our_server(TLS13).await;
}

#[tokio::test]
async fn rustls_client_our_server_tls12() {
    rustls_client_our_server(TLS12).await;
}

/// The blocking twin: 1 MiB echoed in 64 KiB rounds, then close_notify
/// both ways.
#[test]
fn blocking_echo() {
    let p = pki();
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let sc = ours_server(&p, TLS13);
    let server = std::thread::spawn(move || {
        let (tcp, _) = l.accept().unwrap();
        let mut tls = blocking::TlsStream::accept(sc, tcp).expect("server handshake");
        let mut buf = vec![0u8; 30_000];
        let mut total = 0;
        loop {
            let n = tls.read(&mut buf).expect("server read");
            if n == 0 {
                break;
            }
            tls.write_all(&buf[..n]).expect("server write");
            total += n;
        }
        tls.close().expect("server close");
        total
    });
    let tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut tls = blocking::TlsStream::connect(ours_client(&p, TLS13), "localhost", tcp)
        .expect("client handshake");
    let data = payload();
    let mut got = Vec::with_capacity(MIB);
    for chunk in data.chunks(64 * 1024) {
        tls.write_all(chunk).unwrap();
        let mut back = vec![0u8; chunk.len()];
        tls.read_exact(&mut back).unwrap();
        got.extend_from_slice(&back);
    }
    assert!(got == data, "the echo differs from what was sent");
    tls.close().unwrap();
    let mut rest = Vec::new();
    tls.read_to_end(&mut rest)
        .expect("close_notify from the server");
    assert!(rest.is_empty());
    assert_eq!(server.join().unwrap(), MIB);
}

/// A server that answers the ClientHello with `reply` and closes.
async fn raw_server(reply: &'static [u8]) -> u16 {
    let (l, port) = listener().await;
    tokio::spawn(async move {
        let (mut tcp, _) = l.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = tcp.read(&mut buf).await;
        let _ = tcp.write_all(reply).await;
    });
    port
}

#[tokio::test]
async fn garbage_from_the_server_is_a_tls_error() {
    let p = pki();
    let port = raw_server(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n").await;
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let err = TlsStream::connect(ours_client(&p, TLS13), "localhost", tcp)
        .await
        .err()
        .expect("garbage must fail the handshake");
    assert!(matches!(err, TlsError::Tls(_)), "got {err:?}");
    let io: std::io::Error = err.into();
    assert_eq!(io.kind(), ErrorKind::InvalidData);
    assert!(matches!(TlsError::from_io(&io), Some(TlsError::Tls(_))));
}

#[tokio::test]
async fn close_in_the_middle_of_the_first_record() {
    let p = pki();
    // A handshake record header announcing 100 bytes, and 3 of them.
    let port = raw_server(&[22, 3, 3, 0, 100, 2, 0, 0]).await;
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let err = TlsStream::connect(ours_client(&p, TLS13), "localhost", tcp)
        .await
        .err()
        .expect("a truncated handshake must fail");
    assert!(matches!(err, TlsError::HandshakeEof), "got {err:?}");
}

/// After the handshake the server writes half an application-data record
/// and closes: the client's read is an UnexpectedEof carrying
/// TlsError::Truncated, not data and not a clean end.
#[test]
fn close_in_the_middle_of_a_record_after_the_handshake() {
    let p = pki();
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let sc = ours_server(&p, TLS13);
    let server = std::thread::spawn(move || {
        let (tcp, _) = l.accept().unwrap();
        let tls = blocking::TlsStream::accept(sc, tcp).expect("server handshake");
        let (mut tcp, _) = tls.into_parts();
        tcp.write_all(&[23, 3, 3, 0, 40, 1, 2, 3, 4]).unwrap();
    });
    let tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut tls = blocking::TlsStream::connect(ours_client(&p, TLS13), "localhost", tcp)
        .expect("client handshake");
    server.join().unwrap();
    let mut buf = [0u8; 100];
    let err = tls
        .read(&mut buf)
        .expect_err("a truncated record must fail");
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    assert!(matches!(TlsError::from_io(&err), Some(TlsError::Truncated)));
}

/// A corrupted record after the handshake: InvalidData with the TLS error,
/// and the read fails again afterwards (no data released).
#[test]
fn corrupted_record_after_the_handshake() {
    let p = pki();
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let sc = ours_server(&p, TLS13);
    let server = std::thread::spawn(move || {
        let (tcp, _) = l.accept().unwrap();
        let tls = blocking::TlsStream::accept(sc, tcp).expect("server handshake");
        let (mut tcp, _) = tls.into_parts();
        let mut rec = vec![23, 3, 3, 0, 40];
        rec.extend_from_slice(&[0x5a; 40]);
        tcp.write_all(&rec).unwrap();
        // Hold the socket until the client has read the alert.
        let mut b = [0u8; 64];
        let _ = tcp.read(&mut b);
    });
    let tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut tls = blocking::TlsStream::connect(ours_client(&p, TLS13), "localhost", tcp)
        .expect("client handshake");
    let mut buf = [0u8; 100];
    let err = tls.read(&mut buf).expect_err("a forged record must fail");
    assert_eq!(err.kind(), ErrorKind::InvalidData);
    assert!(matches!(TlsError::from_io(&err), Some(TlsError::Tls(_))));
    assert!(tls.read(&mut buf).is_err());
    drop(tls);
    server.join().unwrap();
}
