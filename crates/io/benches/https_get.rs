//! Keep-alive HTTPS GETs of 1 KiB against nginx on loopback: our HTTP/1.1
//! client over our TLS, beside hyper's HTTP/1.1 client over rustls (ring
//! provider, through tokio-rustls), in one run.
//! `cargo bench -p handshake-io --bench https_get` (needs nginx on PATH,
//! Debian's package; without it the bench says so and exits).
//!
//! What both sides do, per iteration: send one GET for the same 1 KiB file
//! on a connection opened (and its TLS 1.3 handshake done) before the
//! timing starts, read the status line, the header fields and the whole
//! body, and check the body's length. Same server process, same
//! certificate (fixtures/cli, P-256), same suite (TLS_AES_128_GCM_SHA256
//! only, on both clients), same key exchange (X25519), one tokio
//! current-thread runtime each, Nagle off on both sockets. Each side
//! builds its request (Host, User-Agent, Accept) inside the iteration.
//!
//! What differs: hyper parses into its own header map and body frames;
//! ours hands the body to a callback. Neither side validates more than its
//! library does by default.

#![allow(missing_docs)] // criterion_group! writes an undocumented function

use std::io::Write;
use std::net::TcpStream as StdTcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use handshake_http::{Method, Request};
use handshake_io::http::Client;
use handshake_io::tls::{Connection, TlsStream};
use handshake_tls::{CipherSuite, ClientConfig, TrustAnchor};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use tokio::net::TcpStream;

const FILE: usize = 1024;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/cli")
}

/// nginx in the foreground on a free loopback port, stopped by pid on drop.
struct Nginx {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Nginx {
    fn start() -> Option<Nginx> {
        let dir = std::env::temp_dir().join(format!("hs-bench-nginx-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("www")).ok()?;
        let body: Vec<u8> = (0..FILE).map(|i| b'a' + (i % 26) as u8).collect();
        std::fs::write(dir.join("www/f.bin"), body).ok()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let (d, f) = (dir.display(), fixtures().display().to_string());
        let conf = format!(
            "daemon off;
master_process off;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  default_type application/octet-stream;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {f}/chain.pem;
    ssl_certificate_key {f}/key.pem;
    ssl_protocols TLSv1.3;
    server_name localhost;
    root {d}/www;
  }}
}}
"
        );
        std::fs::write(dir.join("nginx.conf"), conf).ok()?;
        let child = Command::new("nginx")
            .args(["-p", &d.to_string(), "-e", "error.log", "-c", "nginx.conf"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let n = Nginx { child, port, dir };
        let end = Instant::now() + Duration::from_secs(10);
        while StdTcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > end {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(n)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn ca_der() -> Vec<u8> {
    let pem = std::fs::read(fixtures().join("ca.pem")).expect("fixtures/cli/ca.pem");
    use rustls_pki_types::pem::PemObject;
    rustls_pki_types::CertificateDer::from_pem_slice(&pem)
        .expect("a certificate")
        .to_vec()
}

fn ours(port: u16, rt: &tokio::runtime::Runtime) -> Client<TlsStream<TcpStream>> {
    let mut cfg = ClientConfig::new(vec![TrustAnchor::from_der(&ca_der()).expect("anchor")]);
    cfg.cipher_suites = vec![CipherSuite::Aes128GcmSha256];
    let cfg = Arc::new(cfg);
    rt.block_on(async {
        let tcp = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        tcp.set_nodelay(true).expect("nodelay");
        let conn = Connection::client(cfg, "localhost").expect("client");
        let mut s = TlsStream::new(conn, tcp);
        s.handshake().await.expect("our handshake");
        Client::new(s)
    })
}

type HyperSender = hyper::client::conn::http1::SendRequest<Empty<Bytes>>;

fn hyper_client(port: u16, rt: &tokio::runtime::Runtime) -> HyperSender {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls_pki_types::CertificateDer::from(ca_der()))
        .expect("root");
    let mut provider = rustls::crypto::ring::default_provider();
    provider.cipher_suites = vec![rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256];
    provider.kx_groups = vec![rustls::crypto::ring::kx_group::X25519];
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    rt.block_on(async {
        let tcp = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        tcp.set_nodelay(true).expect("nodelay");
        let name = rustls_pki_types::ServerName::try_from("localhost").expect("name");
        let tls = connector
            .connect(name, tcp)
            .await
            .expect("rustls handshake");
        let (sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
                .await
                .expect("hyper");
        tokio::spawn(conn);
        sender
    })
}

fn bench(c: &mut Criterion) {
    let Some(ng) = Nginx::start() else {
        println!("https_get: nginx is not on PATH (Debian's nginx package); skipped");
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut g = c.benchmark_group("http/https-get-1KiB-keepalive");
    g.throughput(Throughput::Elements(1));

    let mut client = ours(ng.port, &rt);
    let authority = format!("localhost:{}", ng.port);
    g.bench_function("handshake", |b| {
        b.iter(|| {
            rt.block_on(async {
                // Built per request, as hyper's is (it consumes its request).
                let mut req = Request::new(Method::Get, "/f.bin");
                req.headers.append("Host", authority.clone());
                req.headers.append("User-Agent", "bench");
                req.headers.append("Accept", "*/*");
                client.send_request(&req, &[]).await.expect("send");
                let head = client.read_head().await.expect("head");
                assert_eq!(head.status, 200);
                let mut n = 0;
                client
                    .read_body(&mut |d| {
                        n += d.len();
                        Ok(())
                    })
                    .await
                    .expect("body");
                assert_eq!(n, FILE);
            })
        })
    });

    let mut sender = hyper_client(ng.port, &rt);
    g.bench_function("hyper-rustls", |b| {
        b.iter(|| {
            rt.block_on(async {
                let req = hyper::Request::get("/f.bin")
                    .header("Host", &authority)
                    .header("User-Agent", "bench")
                    .header("Accept", "*/*")
                    .body(Empty::<Bytes>::new())
                    .expect("request");
                sender.ready().await.expect("ready");
                let res = sender.send_request(req).await.expect("send");
                assert_eq!(res.status(), 200);
                let body = res.into_body().collect().await.expect("body").to_bytes();
                assert_eq!(body.len(), FILE);
            })
        })
    });
    g.finish();
    let _ = std::io::stdout().flush();
    drop(ng);
}

criterion_group!(benches, bench);
criterion_main!(benches);
