//! Snapshots (insta) of what a person reads: every subcommand's `--help`,
//! the `--trace` ladder and `--json` of a fetch from `handshake serve` (over
//! http and https), and
//! `resolve --trace --show-cache` against a DNS responder of the test's
//! own. Timings, ports and TTLs that count down are masked; the rest must
//! not change without a reviewed `cargo insta review`.
//!
//! The binary runs without a terminal, so there is no colour to mask.

use std::io::{BufRead, BufReader};
use std::net::UdpSocket;
use std::process::{Child, Command, Output, Stdio};
use std::thread::JoinHandle;

use handshake_dns::wire::{Message, RData, Record};

fn handshake(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_handshake"))
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("run handshake")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Masks what differs from run to run: times, OS-chosen ports.
macro_rules! masked {
    ($($snap:tt)*) => {
        insta::with_settings!({filters => vec![
            (r"\d+\.\d{3} ms", "[t] ms"),
            (r#""ms": [0-9.]+"#, r#""ms": "[t]""#),
            (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
            (r"port \d+", "port [port]"),
            // A TTL of 300 s that a second of the run may have counted down.
            (r"\b(29\d|300)\b", "[ttl]"),
            // TLS randoms (RFC 8446 §4.1.2): 32 fresh bytes each run.
            (r"random=[0-9a-f]{64}", "random=[random]"),
        ]}, { $($snap)* });
    };
}

#[test]
fn help() {
    for sub in ["", "fetch", "resolve", "serve", "tls", "tcp", "completions"] {
        let args: Vec<&str> = [sub, "--help"]
            .into_iter()
            .filter(|a| !a.is_empty())
            .collect();
        let out = handshake(&args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        let name = if sub.is_empty() { "help" } else { sub };
        insta::assert_snapshot!(format!("help-{name}"), text(&out.stdout));
    }
}

/// `handshake serve` on an OS-chosen loopback port, killed on drop.
struct Serve {
    child: Child,
    addr: String,
}

impl Serve {
    fn start(body: &str) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_handshake"))
            .args(["serve", "--http", "127.0.0.1:0", "--body", body])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start handshake serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the listening line");
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("serve said {line:?}"))
            .to_string();
        Serve { child, addr }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn fetch_trace_and_json() {
    let s = Serve::start("hello, ladder\n");
    let url = format!("http://{}/page", s.addr);
    let out = handshake(&["fetch", "--trace", &url]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "hello, ladder\n");
    masked!(insta::assert_snapshot!("fetch-trace", text(&out.stderr)));
    let out = handshake(&["fetch", "--json", &url]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    masked!(insta::assert_snapshot!("fetch-json", text(&out.stdout)));
}

/// The HTTPS ladder against `handshake serve` with the bench fixtures'
/// certificate (fixtures/cli: the PEM form of fixtures/bench, converted
/// with openssl): every TLS message and derived secret's label, the
/// certificate line with the SAN matched, the close.
#[test]
fn fetch_https_trace() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/cli");
    let mut child = Command::new(env!("CARGO_BIN_EXE_handshake"))
        .args([
            "serve",
            "--https",
            "127.0.0.1:0",
            "--body",
            "hello, tls ladder\n",
        ])
        .args([
            "--cert",
            &format!("{dir}/chain.pem"),
            "--key",
            &format!("{dir}/key.pem"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start handshake serve");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout).read_line(&mut line).expect("read");
    let s = Serve {
        child,
        addr: String::new(),
    };
    let port = line
        .trim()
        .rsplit(':')
        .next()
        .unwrap_or_else(|| panic!("serve said {line:?}"))
        .to_string();
    let url = format!("https://localhost:{port}/page");
    let out = handshake(&[
        "fetch",
        "--trace",
        "--cafile",
        &format!("{dir}/ca.pem"),
        &url,
    ]);
    drop(s);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "hello, tls ladder\n");
    masked!(insta::assert_snapshot!(
        "fetch-https-trace",
        text(&out.stderr)
    ));
}

/// A DNS responder on 127.0.0.1 answering `A 192.0.2.53` with TTL 300 to
/// `count` queries, then stopping.
fn responder(count: usize) -> (String, JoinHandle<()>) {
    let sock = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let addr = sock.local_addr().expect("addr").to_string();
    let t = std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        for _ in 0..count {
            let (n, from) = sock.recv_from(&mut buf).expect("recv");
            let q = Message::parse(&buf[..n]).expect("a query");
            let mut r = q.response();
            r.header.recursion_available = true;
            let name = q.questions[0].name.clone();
            r.answers
                .push(Record::new(name, 300, RData::A([192, 0, 2, 53].into())));
            sock.send_to(&r.to_bytes().expect("emit"), from)
                .expect("send");
        }
    });
    (addr, t)
}

#[test]
fn resolve_trace_and_cache() {
    let (server, t) = responder(1);
    let out = handshake(&[
        "resolve",
        "--server",
        &server,
        "--trace",
        "--show-cache",
        "snap.test.",
        "snap.test.",
    ]);
    t.join().expect("responder");
    assert!(out.status.success(), "{}", text(&out.stderr));
    masked!(insta::assert_snapshot!("resolve-trace", text(&out.stderr)));
    masked!(insta::assert_snapshot!(
        "resolve-show-cache",
        text(&out.stdout)
    ));
}
