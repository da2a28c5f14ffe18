//! `tls.gnutls.serv-*`: our client (handshake-io's blocking `TlsStream`)
//! against GnuTLS's `gnutls-serv --http`, TLS 1.3 and TLS 1.2. gnutls-serv
//! listens on every address and cannot be told otherwise, so it runs in a
//! network namespace of the case's own whose only interface is `lo`:
//! loopback only, removed afterwards. The page it serves reports the
//! version, key exchange and cipher GnuTLS negotiated, which the case
//! checks.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use handshake_io::tls::{blocking::TlsStream, TlsError};
use handshake_tls::suites::{TLS12, TLS13};

use super::super::support::{client_config, pki, LeafSpec};
use crate::check::{self, Checked};
use crate::peers::netns::NetNs;
use crate::peers::tls_tool::{free_port, pem, ToolPeer};
use crate::{Case, Need};

const GNUTLS_SERV: Need = Need::binary("gnutls-serv", "gnutls-bin");

/// Whether something listens on `port` in the calling thread's namespace.
fn listening(port: u16) -> bool {
    let want = format!(":{port:04X}");
    ["tcp", "tcp6"].iter().any(|f| {
        std::fs::read_to_string(format!("/proc/thread-self/net/{f}")).is_ok_and(|t| {
            t.lines().any(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                f.len() > 3 && f[1].ends_with(&want) && f[3] == "0A"
            })
        })
    })
}

/// Our client fetches gnutls-serv's page over `version`; `want` are the
/// page's rows (GnuTLS's account of the session) that must appear.
fn fetch(version: u16, ns: &str, want: &[&str]) -> Checked {
    let p = pki(&LeafSpec::default())?;
    let _ns = NetNs::enter(ns, &[])?;
    let dir = ToolPeer::scratch("gnutls-serv")?;
    let w =
        |name: &str, text: String| std::fs::write(dir.join(name), text).map_err(|e| e.to_string());
    w(
        "cert.pem",
        p.chain.iter().map(|c| pem("CERTIFICATE", c)).collect(),
    )?;
    w("key.pem", pem("PRIVATE KEY", &p.key_pkcs8))?;
    let port = free_port()?;
    let vers = if version == TLS13 { "TLS1.3" } else { "TLS1.2" };
    let args: Vec<String> = [
        "--http",
        "--disable-client-cert",
        "-p",
        &port.to_string(),
        "--x509certfile",
        "cert.pem",
        "--x509keyfile",
        "key.pem",
        &format!("--priority=NORMAL:-VERS-ALL:+VERS-{vers}"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let peer = ToolPeer::program("gnutls-serv", &args, dir)?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !listening(port) {
        if Instant::now() > deadline {
            return Err(format!(
                "gnutls-serv did not listen: {}",
                peer.stderr_text()
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let tcp = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let mut cc = client_config(&p)?;
    cc.versions = vec![version];
    let mut tls = TlsStream::connect(Arc::new(cc), "localhost", tcp)
        .map_err(|e| format!("handshake: {e}; gnutls-serv: {}", peer.stderr_text()))?;
    check::equal(
        "version",
        tls.connection().protocol_version(),
        Some(version),
    )?;
    tls.write_all(b"GET / HTTP/1.0\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut page = Vec::new();
    // RFC 8446 §6.1 / RFC 5246 §7.2.1: the page ends with close_notify, so
    // read_to_end ends cleanly (a truncation would be an error).
    if let Err(e) = tls.read_to_end(&mut page) {
        return Err(match TlsError::from_io(&e) {
            Some(t) => format!("reading the page: {t}"),
            None => format!("reading the page: {e}"),
        });
    }
    let page = String::from_utf8_lossy(&page);
    check::ensure(page.starts_with("HTTP/1.0 200 OK"), || {
        format!("the page: {page:?}")
    })?;
    for row in want {
        check::ensure(page.contains(row), || {
            format!("gnutls-serv's page does not say {row:?}: {page}")
        })?;
    }
    drop(peer);
    Ok(())
}

/// The `tls.gnutls.serv-*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "tls.gnutls.serv-tls13",
            "RFC 8446 §2, §4.4, §6.1 (peer: gnutls-serv 3.7, TLS 1.3)",
        )
        .needs(&[GNUTLS_SERV, Need::Root])
        .interop_peer(|_| {
            fetch(
                TLS13,
                "hs-gnutls-serv13",
                &[
                    "Protocol version:</TD><TD>TLS1.3",
                    "Cipher</TD><TD>AES-128-GCM",
                ],
            )
        }),
        Case::must(
            "tls.gnutls.serv-tls12",
            "RFC 5246 §7.3, §7.4, §7.2.1; RFC 8422 §5.4 (peer: gnutls-serv 3.7, TLS 1.2)",
        )
        .needs(&[GNUTLS_SERV, Need::Root])
        .interop_peer(|_| {
            fetch(
                TLS12,
                "hs-gnutls-serv12",
                &[
                    "Protocol version:</TD><TD>TLS1.2",
                    "Key Exchange:</TD><TD>ECDHE-ECDSA",
                    "Cipher</TD><TD>AES-128-GCM",
                ],
            )
        }),
    ]
}
