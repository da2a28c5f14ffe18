//! `tls.mtls.*`: client certificates (mutual TLS) in TLS 1.3 (RFC 8446
//! §4.3.2 CertificateRequest, §4.4.2 the client's Certificate, §4.4.3 its
//! CertificateVerify with the client context string) and TLS 1.2 (RFC 5246
//! §7.4.4, §7.4.6, §7.4.8: a CertificateVerify over the handshake
//! messages): our client and server both ways, each failure with the alert
//! the RFC names, rustls (in-process) both ways, and `openssl s_server
//! -Verify 1` with our client.

use std::sync::Arc;

use handshake_tls::suites::{TLS12, TLS13};
use handshake_tls::{
    AlertDescription, CertError, ClientAuth, ClientConfig, ClientConnection, Error,
    MemorySessionStore, ServerConfig, ServerConnection, TrustAnchor,
};
use rcgen::ExtendedKeyUsagePurpose as Eku;
use rustls::crypto::ring as rr;
use rustls::pki_types::ServerName;

use super::interop::echo;
use super::support::NOW;
use super::support::{self, ours_client, pki, run_pair, send_one_way, Dir, LeafSpec, Pki, Run};
use crate::check::{self, Checked};
use crate::peers::tls_tool::{pem, scratch_dir, ToolPeer, OPENSSL};
use crate::Case;

/// The server's PKI, whose CA also issues the client certificates.
fn ca() -> Result<Pki, String> {
    pki(&LeafSpec::default())
}

fn client_auth(p: &Pki, required: bool) -> Result<ClientAuth, String> {
    Ok(ClientAuth {
        roots: vec![TrustAnchor::from_der(&p.ca_der).map_err(|e| e.to_string())?],
        required,
        post_handshake_only: false,
    })
}

/// Our client (with `cert`: chain and key) against our server asking for
/// a certificate (`required` or not), to the end of the handshake.
fn ours(
    version: u16,
    p: &Pki,
    cert: Option<(Vec<Vec<u8>>, Vec<u8>)>,
    required: bool,
    tweak: impl FnOnce(&mut ClientConfig, &mut ServerConfig),
) -> Result<(ClientConnection, ServerConnection, Run), String> {
    let mut cc = support::client_config(p)?;
    cc.trace = true;
    if let Some((chain, key)) = cert {
        cc.set_client_cert(chain, &key).map_err(|e| e.to_string())?;
    }
    let mut sc = support::server_config(p)?;
    sc.client_auth = Some(client_auth(p, required)?);
    cc.versions = vec![version];
    tweak(&mut cc, &mut sc);
    let mut c = ClientConnection::new(Arc::new(cc), "localhost", NOW, support::rng(41))
        .map_err(|e| e.to_string())?;
    let mut s =
        ServerConnection::new_at(Arc::new(sc), NOW, support::rng(42)).map_err(|e| e.to_string())?;
    let run = run_pair(&mut c, &mut s, |_, _| {});
    Ok((c, s, run))
}

/// §4.3.2, §4.4.2, §4.4.3: a required client certificate, sent and
/// validated; the server has the client's chain; data flows.
fn required_ok(v: u16) -> Checked {
    let p = ca()?;
    let (chain, key) = p.client_leaf(vec![Eku::ClientAuth])?;
    let (mut c, mut s, run) = ours(v, &p, Some((chain.clone(), key)), true, |_, _| {})?;
    run.completed("the mutual TLS handshake")?;
    check::equal("version", s.protocol_version(), Some(v))?;
    check::equal(
        "client chain at the server",
        s.client_certificates(),
        Some(&chain[..]),
    )?;
    check::ensure(
        c.trace()
            .iter()
            .any(|l| l.to_string().contains("<- CertificateRequest")),
        || "the client's trace shows no CertificateRequest".into(),
    )?;
    send_one_way(&mut c, &mut s, Dir::ToServer, b"authenticated", "to server")?;
    Ok(())
}

/// §4.4.2.4: a client without a certificate sends an empty Certificate;
/// a server that does not require one goes on without client
/// authentication.
fn optional_without_cert(v: u16) -> Checked {
    let p = ca()?;
    let (_, s, run) = ours(v, &p, None, false, |_, _| {})?;
    run.completed("the handshake without a client certificate")?;
    check::equal("client chain at the server", s.client_certificates(), None)
}

/// §4.4.2.4: a server that requires a certificate aborts on an empty one
/// with certificate_required.
fn required_without_cert(v: u16) -> Checked {
    let p = ca()?;
    let (_, _, run) = ours(v, &p, None, true, |_, _| {})?;
    if v == TLS13 {
        run.server_failed(
            |e| *e == Error::CertificateRequired,
            AlertDescription::CertificateRequired,
        )
    } else {
        // RFC 5246 §7.4.6: handshake_failure.
        run.server_failed(
            |e| *e == Error::NoClientCertificate,
            AlertDescription::HandshakeFailure,
        )
    }
}

/// The server refuses the client's chain with `err` and sends `alert`.
fn refused_chain(
    v: u16,
    cert: (Vec<Vec<u8>>, Vec<u8>),
    p: &Pki,
    err: CertError,
    alert: AlertDescription,
) -> Checked {
    let (_, _, run) = ours(v, p, Some(cert), true, |_, _| {})?;
    run.server_failed(|e| *e == Error::Certificate(err.clone()), alert)
}

/// RFC 5280 §6.1 via §4.4.2.4: a client certificate from a CA the server
/// does not trust: unknown_ca.
fn unknown_ca(v: u16) -> Checked {
    let p = ca()?;
    let other = pki(&LeafSpec {
        ca_name: "Another CA",
        ..LeafSpec::default()
    })?;
    let cert = other.client_leaf(vec![Eku::ClientAuth])?;
    refused_chain(
        v,
        cert,
        &p,
        CertError::UnknownIssuer,
        AlertDescription::UnknownCa,
    )
}

/// RFC 5280 §4.2.1.12: a client certificate whose extKeyUsage allows only
/// serverAuth is not for client authentication: unsupported_certificate.
fn server_auth_only_eku(v: u16) -> Checked {
    let p = ca()?;
    let cert = p.client_leaf(vec![Eku::ServerAuth])?;
    refused_chain(
        v,
        cert,
        &p,
        CertError::WrongExtendedKeyUsage,
        AlertDescription::UnsupportedCertificate,
    )
}

/// §4.4.3: a client CertificateVerify that does not verify (signed with a
/// key that is not its certificate's): decrypt_error.
fn bad_certificate_verify(v: u16) -> Checked {
    let p = ca()?;
    let (chain, _) = p.client_leaf(vec![Eku::ClientAuth])?;
    let (_, wrong_key) = p.client_leaf(vec![Eku::ClientAuth])?;
    let (_, _, run) = ours(v, &p, Some((chain, wrong_key)), true, |_, _| {})?;
    run.server_failed(
        |e| *e == Error::BadCertificateVerify,
        AlertDescription::DecryptError,
    )
}

/// §4.3.2: "Servers which are authenticating with a resumption PSK MUST
/// NOT send the CertificateRequest message in the main handshake".
fn no_request_when_resumed() -> Checked {
    let p = ca()?;
    let store = Arc::new(MemorySessionStore::new(4));
    let cert = p.client_leaf(vec![Eku::ClientAuth])?;
    let tweak = |cc: &mut ClientConfig, sc: &mut ServerConfig| {
        cc.session_store = Some(store.clone());
        sc.set_ticket_key([3; 32]);
    };
    let (_, _, first) = ours(TLS13, &p, Some(cert.clone()), true, tweak)?;
    first.completed("the first handshake")?;
    let (c, _, run) = ours(TLS13, &p, Some(cert), true, tweak)?;
    run.completed("the resumed handshake")?;
    check::equal("resumed", c.negotiated().map(|n| n.resumed), Some(true))?;
    check::ensure(
        !c.trace()
            .iter()
            .any(|l| l.to_string().contains("CertificateRequest")),
        || "a CertificateRequest in a PSK handshake".into(),
    )
}

fn rustls_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rr::default_provider())
}

fn rustls_version(v: u16) -> &'static rustls::SupportedProtocolVersion {
    if v == TLS13 {
        &rustls::version::TLS13
    } else {
        &rustls::version::TLS12
    }
}

/// A rustls client with a client certificate against our server requiring
/// one.
fn rustls_client(v: u16) -> Checked {
    let p = ca()?;
    let (chain, key) = p.client_leaf(vec![Eku::ClientAuth])?;
    let roots = support::rustls_roots(&p)?;
    let (rc, rk) = support::rustls_cert(&chain, &key);
    let cfg = rustls::ClientConfig::builder_with_provider(rustls_provider())
        .with_protocol_versions(&[rustls_version(v)])
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_client_auth_cert(rc, rk)
        .map_err(|e| e.to_string())?;
    let name = ServerName::try_from("localhost").map_err(|e| e.to_string())?;
    let mut c = rustls::ClientConnection::new(Arc::new(cfg), name).map_err(|e| e.to_string())?;
    let mut sc = support::server_config(&p)?;
    sc.client_auth = Some(client_auth(&p, true)?);
    let mut s =
        ServerConnection::new_at(Arc::new(sc), NOW, support::rng(43)).map_err(|e| e.to_string())?;
    echo(&mut c, &mut s, 9)?;
    check::equal("version", s.protocol_version(), Some(v))?;
    check::equal(
        "client chain at our server",
        s.client_certificates(),
        Some(&chain[..]),
    )
}

/// Our client with a certificate against a rustls server with a client
/// verifier (WebPkiClientVerifier, required).
fn rustls_server(v: u16) -> Checked {
    let p = ca()?;
    let (chain, key) = p.client_leaf(vec![Eku::ClientAuth])?;
    let roots = support::rustls_roots(&p)?;
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        rustls_provider(),
    )
    .build()
    .map_err(|e| e.to_string())?;
    let (sc_chain, sc_key) = support::rustls_cert(&p.chain, &p.key_pkcs8);
    let cfg = rustls::ServerConfig::builder_with_provider(rustls_provider())
        .with_protocol_versions(&[rustls_version(v)])
        .map_err(|e| e.to_string())?
        .with_client_cert_verifier(verifier)
        .with_single_cert(sc_chain, sc_key)
        .map_err(|e| e.to_string())?;
    let mut s = rustls::ServerConnection::new(Arc::new(cfg)).map_err(|e| e.to_string())?;
    let mut cc = support::client_config(&p)?;
    cc.set_client_cert(chain.clone(), &key)
        .map_err(|e| e.to_string())?;
    let mut c = ClientConnection::new(Arc::new(cc), "localhost", NOW, support::rng(44))
        .map_err(|e| e.to_string())?;
    echo(&mut c, &mut s, 10)?;
    check::equal("version", c.protocol_version(), Some(v))?;
    let seen: Option<Vec<Vec<u8>>> = s
        .peer_certificates()
        .map(|v| v.iter().map(|d| d.to_vec()).collect());
    check::equal("client chain at rustls", seen, Some(chain))
}

/// Our client with a certificate against `openssl s_server -tls1_3
/// -Verify 1` (a client certificate required, checked against our CA).
fn openssl_server(v: u16) -> Checked {
    let p = ca()?;
    let (chain, key) = p.client_leaf(vec![Eku::ClientAuth])?;
    let dir = scratch_dir("client-ca")?;
    let ca_file = dir.join("client-ca.pem");
    std::fs::write(&ca_file, pem("CERTIFICATE", &p.ca_der)).map_err(|e| e.to_string())?;
    let ca_path = ca_file
        .to_str()
        .ok_or("temporary path is not UTF-8")?
        .to_string();
    let r = (|| {
        let flag = if v == TLS13 { "-tls1_3" } else { "-tls1_2" };
        let args = [flag, "-Verify", "1", "-CAfile", ca_path.as_str()];
        let (mut peer, port) = ToolPeer::server(&p.chain, &p.key_pkcs8, &args)?;
        let c = ours_client(&p, &mut peer, port, |cc| {
            let _ = cc.set_client_cert(chain.clone(), &key);
        })?;
        check::equal("version", c.protocol_version(), Some(v))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    r
}

/// One case per version: (id with `{v}` for the version, spec for TLS
/// 1.3, spec for TLS 1.2, body).
type Row = (&'static str, &'static str, &'static str, fn(u16) -> Checked);

const BOTH_VERSIONS: &[Row] = &[
    (
        "ours-{v}-required",
        "RFC 8446 §4.3.2, §4.4.2, §4.4.3",
        "RFC 5246 §7.4.4, §7.4.6, §7.4.8",
        required_ok,
    ),
    (
        "ours-{v}-optional-without-cert",
        "RFC 8446 §4.4.2.4",
        "RFC 5246 §7.4.6",
        optional_without_cert,
    ),
    (
        "{v}-no-cert-refused",
        "RFC 8446 §4.4.2.4",
        "RFC 5246 §7.4.6",
        required_without_cert,
    ),
    (
        "{v}-unknown-ca",
        "RFC 8446 §4.4.2.4, §6.2; RFC 5280 §6.1",
        "RFC 5246 §7.4.6, §7.2.2; RFC 5280 §6.1",
        unknown_ca,
    ),
    (
        "{v}-server-auth-only-eku",
        "RFC 5280 §4.2.1.12; RFC 8446 §6.2",
        "RFC 5280 §4.2.1.12; RFC 5246 §7.2.2",
        server_auth_only_eku,
    ),
    (
        "{v}-bad-certificate-verify",
        "RFC 8446 §4.4.3",
        "RFC 5246 §7.4.8, §7.2.2",
        bad_certificate_verify,
    ),
    (
        "rustls-client-{v}",
        "RFC 8446 §4.3.2, §4.4.2, §4.4.3",
        "RFC 5246 §7.4.4, §7.4.6, §7.4.8",
        rustls_client,
    ),
    (
        "rustls-server-{v}",
        "RFC 8446 §4.3.2, §4.4.2, §4.4.3",
        "RFC 5246 §7.4.4, §7.4.6, §7.4.8",
        rustls_server,
    ),
    (
        "openssl-s-server-verify-{v}",
        "RFC 8446 §4.3.2, §4.4.2, §4.4.3",
        "RFC 5246 §7.4.4, §7.4.6, §7.4.8",
        openssl_server,
    ),
];

/// The `tls.mtls.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for version in [TLS13, TLS12] {
        let tag = if version == TLS13 { "tls13" } else { "tls12" };
        for &(id, spec13, spec12, body) in BOTH_VERSIONS {
            let spec = if version == TLS13 { spec13 } else { spec12 };
            let id = format!("tls.mtls.{}", id.replace("{v}", tag));
            let case = Case::must(id.clone(), spec);
            v.push(if id.contains("openssl") {
                case.needs(&[OPENSSL]).interop_peer(move |_| body(version))
            } else if id.contains("rustls") {
                case.interop_peer(move |_| body(version))
            } else {
                case.simulation(move |_| body(version))
            });
        }
    }
    v.push(
        Case::must("tls.mtls.no-request-when-resumed", "RFC 8446 §4.3.2")
            .simulation(|_| no_request_when_resumed()),
    );
    v
}
