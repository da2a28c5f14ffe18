//! `cli.fetch.*`: what `handshake fetch` sends (request line and Host,
//! read by a socket of the case's own) and how it fails: a malformed URL,
//! a scheme it does not speak, a name that does not exist (our DNS
//! server answering NXDOMAIN, asked through `--server`), a refused connection, a server that never
//! answers, a certificate from an unknown authority or for another name —
//! each one line on stderr naming the reason, and a non-zero exit
//! (IEEE Std 1003.1-2017 XCU §1.4: diagnostics on stderr, non-zero
//! status on error).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use super::super::tls::support::{pki, LeafSpec};
use super::support::{fails, T};
use crate::check::{self, Checked};
use crate::peers::cli::{self, Scratch, Serve};
use crate::peers::dns_server::{answering, DnsServer};
use crate::peers::tls_tool::{free_port, pem};
use crate::Case;
use handshake_dns::wire::{Message, Rcode};

/// A socket that takes one request and answers `200` with "ok": its
/// port, the request as received, and the run of `handshake ARGS(port)`.
fn one_request(args: impl FnOnce(u16) -> Vec<String>) -> Result<(u16, String, cli::Run), String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = l.local_addr().map_err(|e| e.to_string())?.port();
    let server = std::thread::spawn(move || -> Result<String, String> {
        let (mut s, _) = l.accept().map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(Duration::from_secs(20)))
            .map_err(|e| e.to_string())?;
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        // Bounded: up to the end of the head, 64 KiB, or the read timeout.
        while !got.windows(4).any(|w| w == b"\r\n\r\n") && got.len() < 65536 {
            let n = s.read(&mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            .map_err(|e| e.to_string())?;
        Ok(String::from_utf8_lossy(&got).into_owned())
    });
    let a = args(port);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let run = cli::run(&a, T)?;
    let req = server.join().map_err(|_| "the socket thread panicked")??;
    Ok((port, req, run))
}

fn request_line_and_host() -> Checked {
    let (port, req, run) =
        one_request(|p| vec!["fetch".into(), format!("http://127.0.0.1:{p}/a/b?c=d#frag")])?;
    check::ensure(run.success, || format!("fetch failed: {}", run.stderr))?;
    check::equal("body printed", run.stdout.as_str(), "ok")?;
    let mut lines = req.split("\r\n");
    // RFC 9112 §3.2.1: origin-form is the path and query, no fragment.
    check::equal("request line", lines.next(), Some("GET /a/b?c=d HTTP/1.1"))?;
    let hosts: Vec<&str> = lines
        .filter(|l| l.to_ascii_lowercase().starts_with("host:"))
        .collect();
    // RFC 9112 §3.2: exactly one Host, the target URI's authority.
    check::equal(
        "Host lines",
        hosts,
        vec![format!("Host: 127.0.0.1:{port}").as_str()],
    )
}

fn post_data() -> Checked {
    let (_, req, run) = one_request(|p| {
        vec![
            "fetch".into(),
            "-d".into(),
            "x=1".into(),
            format!("http://127.0.0.1:{p}/f"),
        ]
    })?;
    check::ensure(run.success, || format!("fetch failed: {}", run.stderr))?;
    check::ensure(req.starts_with("POST /f HTTP/1.1\r\n"), || {
        format!("request: {req:?}")
    })?;
    check::ensure(req.contains("\r\nContent-Length: 3\r\n"), || {
        format!("no Content-Length: 3 in {req:?}")
    })
}

fn unknown_ca() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let s = Serve::start(&[("f", b"x")], Some((&p.chain, &p.key_pkcs8)))?;
    let port = s.https.ok_or("no https port")?;
    // The system store does not hold the test CA.
    fails(
        &["fetch", &format!("https://localhost:{port}/f")],
        "unknown CA",
    )
}

fn wrong_name() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let dir = Scratch::new("cli-wrong-name")?;
    std::fs::write(dir.0.join("ca.pem"), pem("CERTIFICATE", &p.ca_der))
        .map_err(|e| e.to_string())?;
    let s = Serve::start(&[("f", b"x")], Some((&p.chain, &p.key_pkcs8)))?;
    let port = s.https.ok_or("no https port")?;
    // The certificate names localhost; the URL names 127.0.0.1.
    fails(
        &[
            "fetch",
            "--cafile",
            &dir.path("ca.pem"),
            &format!("https://127.0.0.1:{port}/f"),
        ],
        "not valid for 127.0.0.1",
    )
}

fn unknown_host() -> Checked {
    // A server of ours that says the name does not exist (RFC 1035 §4.1.1, RCODE 3).
    let srv = DnsServer::loopback(answering(|q: &Message, _| {
        let mut r = q.response();
        r.header.recursion_available = true;
        r.set_rcode(Rcode::NXDOMAIN);
        Some(r)
    }))?;
    let server = srv.addr().to_string();
    fails(
        &["fetch", "--server", &server, "http://nosuch.example/"],
        "unknown host nosuch.example (NXDOMAIN",
    )
}

fn refused() -> Checked {
    let port = free_port()?;
    fails(&["fetch", &format!("http://127.0.0.1:{port}/")], "refused")
}

fn silent_server() -> Checked {
    // The kernel completes the handshake for the backlog; nobody answers.
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = l.local_addr().map_err(|e| e.to_string())?.port();
    let r = fails(
        &[
            "fetch",
            "--timeout",
            "1",
            &format!("http://127.0.0.1:{port}/"),
        ],
        "timed out",
    );
    drop(l);
    r
}

/// The `cli.fetch.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    const POSIX: &str = "IEEE Std 1003.1-2017 XCU §1.4";
    vec![
        Case::must(
            "cli.fetch.request-line-and-host",
            "RFC 9112 §3.2, §3.2.1; RFC 3986 §3.5",
        )
        .interop_os(|_| request_line_and_host()),
        Case::should("cli.fetch.data-content-length", "RFC 9110 §8.6").interop_os(|_| post_data()),
        // clap's own usage errors are one line too, exit status 2.
        Case::must("cli.fetch.no-url", POSIX)
            .interop_os(|_| fails(&["fetch"], "required arguments were not provided: <URLS>")),
        Case::must("cli.fetch.unknown-option", POSIX).interop_os(|_| {
            fails(
                &["fetch", "--bogus", "http://x/"],
                "unexpected argument '--bogus'",
            )
        }),
        Case::must("cli.fetch.malformed-url", format!("RFC 3986 §3; {POSIX}"))
            .interop_os(|_| fails(&["fetch", "http//example.com/"], "invalid URL")),
        Case::must(
            "cli.fetch.unsupported-scheme",
            format!("RFC 9110 §4.2; {POSIX}"),
        )
        .interop_os(|_| fails(&["fetch", "ftp://example.com/"], "not http or https")),
        Case::must(
            "cli.fetch.unknown-host",
            format!("RFC 1035 §4.1.1; RFC 2308 §2.1; {POSIX}"),
        )
        .interop_os(|_| unknown_host()),
        Case::must(
            "cli.fetch.connection-refused",
            format!("RFC 9293 §3.10.7.1; {POSIX}"),
        )
        .interop_os(|_| refused()),
        Case::must("cli.fetch.timeout", format!("RFC 9112 §9.5; {POSIX}"))
            .interop_os(|_| silent_server()),
        Case::must(
            "cli.fetch.unknown-ca",
            format!("RFC 8446 §4.4.2.4; RFC 5280 §6.1; {POSIX}"),
        )
        .interop_os(|_| unknown_ca()),
        Case::must(
            "cli.fetch.name-mismatch",
            format!("RFC 9110 §4.3.4; RFC 6125 §6; {POSIX}"),
        )
        .interop_os(|_| wrong_name()),
    ]
}
