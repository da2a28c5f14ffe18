//! `tls.examples.*`: the runnable examples of handshake-tls against
//! independent programs over TCP on 127.0.0.1. curl (Debian's curl 7.88 with
//! OpenSSL 3) fetches a page from the example server over TLS 1.3 and TLS
//! 1.2 and must verify its certificate; the example client fetches
//! `openssl s_server -www`'s status page, in which OpenSSL reports the
//! version and suite it negotiated. Every process is stopped by its pid.

use std::time::Duration;

use super::support::{pki, LeafSpec};
use crate::check::{self, Checked};
use crate::peers::tls_example::{run_client, run_to_end, ExampleServer};
use crate::peers::tls_tool::{pem, ToolPeer, OPENSSL};
use crate::{Case, Need};

/// What the curl cases need.
const CURL: Need = Need::binary("curl", "curl");

/// Owned strings from a list of `&str`.
fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// curl against the example server with `versions` (curl's options):
/// curl's own account of the connection must name `want` (its "SSL
/// connection using ..." line), and the body must be the server's answer.
fn curl_fetches(versions: &[&str], want: &str) -> Checked {
    let p = pki(&LeafSpec::default())?;
    let server = ExampleServer::start(&p.chain, &p.key_pkcs8, 1, &[])?;
    let dir = ToolPeer::scratch("curl")?;
    std::fs::write(dir.join("ca.pem"), pem("CERTIFICATE", &p.ca_der)).map_err(|e| e.to_string())?;
    let url = format!("https://localhost:{}/conformance", server.port);
    let mut args = strings(&[
        "-sS",
        "-v",
        "--max-time",
        "20",
        "--cacert",
        "ca.pem",
        "--resolve",
        &format!("localhost:{}:127.0.0.1", server.port),
    ]);
    args.extend(strings(versions));
    args.push(url);
    let (body, verbose) = run_to_end("curl", &args, dir, Duration::from_secs(30))?;
    check::ensure(verbose.contains(want), || {
        format!("curl did not report {want:?}: {verbose}")
    })?;
    check::ensure(body.starts_with("Hello from handshake-tls over "), || {
        format!("the body curl printed: {body:?}")
    })
}

/// The example client against `openssl s_server -www` with `args`: the
/// page OpenSSL serves must report the connection as `want`.
fn client_fetches(args: &[&str], want: &str) -> Checked {
    let p = pki(&LeafSpec::default())?;
    let mut s_args = vec!["-www"];
    s_args.extend_from_slice(args);
    let (server, port) = ToolPeer::server(&p.chain, &p.key_pkcs8, &s_args)?;
    let dir = ToolPeer::scratch("example-client")?;
    std::fs::write(dir.join("ca.pem"), pem("CERTIFICATE", &p.ca_der)).map_err(|e| e.to_string())?;
    let c_args = strings(&[
        "--cafile",
        "ca.pem",
        "--server-name",
        "localhost",
        "127.0.0.1",
        &port.to_string(),
    ]);
    let (page, _) = run_client(&c_args, dir, Duration::from_secs(30))
        .map_err(|e| format!("{e}; s_server: {}", server.stderr_text()))?;
    check::ensure(page.starts_with("HTTP/1.0 200 ok"), || {
        format!("the page: {page:?}")
    })?;
    check::ensure(page.contains(want), || {
        format!("s_server's page does not say {want:?}: {page}")
    })
}

/// The `tls.examples.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "tls.examples.server-curl-tls13",
            "RFC 8446 §2, §4.4, §6.1 (peer: curl 7.88 / OpenSSL 3, TLS 1.3)",
        )
        .needs(&[CURL])
        .interop_peer(|_| {
            curl_fetches(
                &["--tlsv1.3"],
                "SSL connection using TLSv1.3 / TLS_AES_128_GCM_SHA256",
            )
        }),
        Case::must(
            "tls.examples.server-curl-tls12",
            "RFC 5246 §7.3, §7.4; RFC 8422 §5.4 (peer: curl 7.88 / OpenSSL 3, TLS 1.2)",
        )
        .needs(&[CURL])
        .interop_peer(|_| {
            curl_fetches(
                &["--tlsv1.2", "--tls-max", "1.2"],
                "SSL connection using TLSv1.2 / ECDHE-ECDSA-AES128-GCM-SHA256",
            )
        }),
        Case::must(
            "tls.examples.client-openssl-www-tls13",
            "RFC 8446 §2, §4.4, §6.1 (peer: openssl s_server -www 3.0, TLS 1.3)",
        )
        .needs(&[OPENSSL])
        .interop_peer(|_| {
            client_fetches(
                &["-tls1_3"],
                "New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256",
            )
        }),
        Case::must(
            "tls.examples.client-openssl-www-tls12",
            "RFC 5246 §7.3, §7.4; RFC 8422 §5.4 (peer: openssl s_server -www 3.0, TLS 1.2)",
        )
        .needs(&[OPENSSL])
        .interop_peer(|_| {
            client_fetches(
                &["-tls1_2"],
                "New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256",
            )
        }),
    ]
}
