//! handshake_io::http: our client against our server on loopback, plain
//! and over our TLS, and against a raw socket that breaks the rules.

use std::sync::Arc;

use handshake_http::{Method, Request};
use handshake_io::http::{Client, Files, Fixed, Handler, Server};
use handshake_io::tls::TlsStream;
use handshake_tls::{ClientConfig, ServerConfig, TrustAnchor};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn get(target: &str, host: &str) -> Request {
    let mut r = Request::new(Method::Get, target);
    r.headers.append("Host", host);
    r
}

async fn start(handler: Arc<dyn Handler>, tls: Option<Arc<ServerConfig>>) -> std::net::SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut s = Server::new(l, handler);
    if let Some(c) = tls {
        s = s.with_tls(c);
    }
    let addr = s.local_addr().unwrap();
    tokio::spawn(s.run());
    addr
}

fn body(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 251) as u8).collect()
}

#[tokio::test]
async fn keep_alive_over_tcp() {
    let data = body(100_000);
    let addr = start(Arc::new(Fixed(data.clone())), None).await;
    let mut c = Client::new(TcpStream::connect(addr).await.unwrap());
    for target in ["/", "/?chunked", "/"] {
        let f = c
            .fetch(&get(target, "localhost"), b"", 1 << 20)
            .await
            .unwrap();
        assert_eq!(f.head.status, 200);
        assert_eq!(f.body, data, "{target}");
        assert!(c.is_reusable());
    }
    let mut head = get("/", "localhost");
    head.method = Method::Head;
    let f = c.fetch(&head, b"", 0).await.unwrap();
    assert_eq!(f.head.headers.get("content-length"), Some(&b"100000"[..]));
    assert!(f.body.is_empty());
}

#[tokio::test]
async fn files_and_errors() {
    let dir = std::env::temp_dir().join(format!("hs-io-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.txt"), b"file a\n").unwrap();
    let addr = start(Arc::new(Files::new(&dir)), None).await;
    let mut c = Client::new(TcpStream::connect(addr).await.unwrap());
    let f = c.fetch(&get("/a.txt", "x"), b"", 1024).await.unwrap();
    assert_eq!((f.head.status, f.body.as_slice()), (200, &b"file a\n"[..]));
    let f = c.fetch(&get("/missing", "x"), b"", 1024).await.unwrap();
    assert_eq!(f.head.status, 404);
    let f = c
        .fetch(&get("/../etc/passwd", "x"), b"", 1024)
        .await
        .unwrap();
    assert_eq!(f.head.status, 400);
    let mut post = get("/a.txt", "x");
    post.method = Method::Post;
    let f = c.fetch(&post, b"abc", 1024).await.unwrap();
    assert_eq!(f.head.status, 405);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn malformed_request_gets_400_and_close() {
    let addr = start(Arc::new(Fixed(b"x".to_vec())), None).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
        .await
        .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{text}");
    assert!(text.contains("Connection: close\r\n"));
}

#[tokio::test]
async fn server_closing_early_is_an_error() {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut s, _) = l.accept().await.unwrap();
        let mut buf = [0u8; 1024];
        let _ = s.read(&mut buf).await;
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
            .await
            .unwrap();
    });
    let mut c = Client::new(TcpStream::connect(addr).await.unwrap());
    let e = c.fetch(&get("/", "a"), b"", 1024).await.unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidData, "{e}");
}

#[tokio::test]
async fn https_keep_alive() {
    let ca_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut cp = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    cp.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = cp.self_signed(&ca_key).unwrap();
    let leaf_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let lp = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    let leaf = lp.signed_by(&leaf_key, &ca, &ca_key).unwrap();
    let server = ServerConfig::new(vec![leaf.der().to_vec()], &leaf_key.serialize_der()).unwrap();
    let data = body(50_000);
    let addr = start(Arc::new(Fixed(data.clone())), Some(Arc::new(server))).await;
    let client = Arc::new(ClientConfig::new(vec![
        TrustAnchor::from_der(ca.der()).unwrap()
    ]));
    let tcp = TcpStream::connect(addr).await.unwrap();
    let tls = TlsStream::connect(client, "localhost", tcp).await.unwrap();
    let chain = tls
        .connection()
        .as_client()
        .unwrap()
        .peer_certificates()
        .unwrap();
    assert_eq!(chain, [leaf.der().to_vec()]);
    let mut c = Client::new(tls);
    for target in ["/", "/?chunked"] {
        let f = c
            .fetch(&get(target, "localhost"), b"", 1 << 20)
            .await
            .unwrap();
        assert_eq!(f.body, data);
    }
    c.shutdown().await.unwrap();
}
