//! `tls.authorities.*`: certificate_authorities (RFC 8446 §4.2.4; in TLS
//! 1.2 the CertificateRequest's own list, RFC 5246 §7.4.4). Our server
//! names the subjects of its client-auth anchors, which `openssl s_client`
//! prints as "Acceptable client certificate CA names" (compared with
//! `openssl x509 -subject` of the CA); our client, holding two
//! certificates, sends the one whose issuer a server names, against our
//! server and against `openssl s_server -Verify 1` (which names its
//! `-CAfile` and refuses any other chain).

use std::sync::Arc;

use handshake_tls::suites::{TLS12, TLS13};
use handshake_tls::{ClientAuth, ClientConnection, ServerConnection, TrustAnchor};
use rcgen::ExtendedKeyUsagePurpose as Eku;

use super::pha::openssl_subject;
use super::support::{self, ours_client, ours_server_said, pki, run_pair, LeafSpec, Pki, NOW};
use crate::check::{self, Checked};
use crate::peers::tls_tool::{pem, ToolPeer, OPENSSL};
use crate::Case;

fn client_auth(p: &Pki, required: bool) -> Result<ClientAuth, String> {
    let mut auth = ClientAuth::new(vec![
        TrustAnchor::from_der(&p.ca_der).map_err(|e| e.to_string())?
    ]);
    auth.required = required;
    Ok(auth)
}

fn version_flag(v: u16) -> &'static str {
    if v == TLS13 {
        "-tls1_3"
    } else {
        "-tls1_2"
    }
}

/// Our server asking for a certificate (not required) names its anchor's
/// subject; `openssl s_client` (without a certificate, so it answers
/// with an empty one) prints the names it received, which must be what
/// `openssl x509 -noout -subject` says of the CA.
fn openssl_client_sees_names(v: u16) -> Checked {
    let p = support::pki(&LeafSpec::default())?;
    let dir = ToolPeer::scratch("authorities")?;
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, pem("CERTIFICATE", &p.ca_der)).map_err(|e| e.to_string())?;
    let ca_path = ca_file.to_str().ok_or("path is not UTF-8")?.to_string();
    let subject = openssl_subject(&ca_path)?;
    let start = |port: u16| {
        // Without -quiet: s_client prints the CertificateRequest's names.
        let args: Vec<String> = [
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-servername",
            "localhost",
            "-CAfile",
            "ca.pem",
            "-verify_return_error",
            "-verify_hostname",
            "localhost",
            version_flag(v),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        ToolPeer::program("openssl", &args, dir.clone())
    };
    let auth = client_auth(&p, false)?;
    let (s, said) = ours_server_said(&p, start, |sc| sc.client_auth = Some(auth))?;
    check::equal("version", s.protocol_version(), Some(v))?;
    let want = format!("Acceptable client certificate CA names\n{subject}\n");
    check::ensure(said.contains(&want), || {
        format!("s_client did not print {want:?}; it said {said:?}")
    })
}

/// Two client certificates, the first from a CA the server does not name
/// (nor trust), the second from the one it does: (other chain and key,
/// right chain and key).
type Two = ((Vec<Vec<u8>>, Vec<u8>), (Vec<Vec<u8>>, Vec<u8>));

fn two_certs(p: &Pki) -> Result<Two, String> {
    let other = pki(&LeafSpec {
        ca_name: "Another CA",
        ..LeafSpec::default()
    })?;
    Ok((
        other.client_leaf(vec![Eku::ClientAuth])?,
        p.client_leaf(vec![Eku::ClientAuth])?,
    ))
}

/// Our client with two certificates against our server requiring one:
/// it sends the one the named authority issued (the first configured
/// would be refused as unknown_ca), and the name it was given is the CA
/// certificate's subject, byte for byte as in the CA's DER.
fn ours_client_picks(v: u16) -> Checked {
    let p = support::pki(&LeafSpec::default())?;
    let ((wrong, wrong_key), (right, right_key)) = two_certs(&p)?;
    let mut cc = support::client_config(&p)?;
    cc.versions = vec![v];
    cc.set_client_cert(wrong, &wrong_key)
        .map_err(|e| e.to_string())?;
    cc.add_client_cert(right.clone(), &right_key)
        .map_err(|e| e.to_string())?;
    let mut sc = support::server_config(&p)?;
    sc.client_auth = Some(client_auth(&p, true)?);
    let mut c = ClientConnection::new(Arc::new(cc), "localhost", NOW, support::rng(61))
        .map_err(|e| e.to_string())?;
    let mut s =
        ServerConnection::new_at(Arc::new(sc), NOW, support::rng(62)).map_err(|e| e.to_string())?;
    run_pair(&mut c, &mut s, |_, _| {}).completed("the handshake")?;
    check::equal("version", s.protocol_version(), Some(v))?;
    check::equal(
        "client chain at the server",
        s.client_certificates(),
        Some(&right[..]),
    )?;
    let names = c.certificate_authorities();
    check::equal("names", names.len(), 1)?;
    check::ensure(
        p.ca_der.windows(names[0].len()).any(|w| w == names[0]),
        || "the name is not the CA certificate's subject bytes".into(),
    )
}

/// Our client with two certificates against `openssl s_server -Verify 1
/// -CAfile <client CA> -verify_return_error`, which names the CA in its
/// request and refuses any chain not leading to it: the handshake
/// completes, data flows, and OpenSSL verified the right certificate.
fn openssl_server_picks(v: u16) -> Checked {
    let p = support::pki(&LeafSpec::default())?;
    let ((wrong, wrong_key), (right, right_key)) = two_certs(&p)?;
    let dir = ToolPeer::scratch("authorities-server")?;
    let r = (|| {
        let ca_file = dir.join("client-ca.pem");
        std::fs::write(&ca_file, pem("CERTIFICATE", &p.ca_der)).map_err(|e| e.to_string())?;
        let right_file = dir.join("right.pem");
        std::fs::write(&right_file, pem("CERTIFICATE", &right[0])).map_err(|e| e.to_string())?;
        let subject = openssl_subject(right_file.to_str().ok_or("path is not UTF-8")?)?;
        let ca_path = ca_file.to_str().ok_or("path is not UTF-8")?;
        let args = [
            version_flag(v),
            "-Verify",
            "1",
            "-CAfile",
            ca_path,
            "-verify_return_error",
        ];
        let (mut peer, port) = ToolPeer::server(&p.chain, &p.key_pkcs8, &args)?;
        let c = ours_client(&p, &mut peer, port, |cc| {
            let _ = cc.set_client_cert(wrong.clone(), &wrong_key);
            let _ = cc.add_client_cert(right.clone(), &right_key);
        })?;
        check::equal("version", c.protocol_version(), Some(v))?;
        let said = peer.stderr_text();
        check::ensure(
            said.contains(&format!("depth=0 {subject}\nverify return:1")),
            || format!("s_server did not verify {subject:?}; it said {said:?}"),
        )
    })();
    let _ = std::fs::remove_dir_all(&dir);
    r
}

/// One case per version: (id with `{v}`, spec for TLS 1.3, for TLS 1.2,
/// body, needs OpenSSL).
type Row = (
    &'static str,
    &'static str,
    &'static str,
    fn(u16) -> Checked,
    bool,
);

const ROWS: &[Row] = &[
    (
        "openssl-s-client-names-{v}",
        "RFC 8446 §4.2.4",
        "RFC 5246 §7.4.4",
        openssl_client_sees_names,
        true,
    ),
    (
        "ours-client-picks-{v}",
        "RFC 8446 §4.2.4, §4.4.2",
        "RFC 5246 §7.4.4, §7.4.6",
        ours_client_picks,
        false,
    ),
    (
        "openssl-s-server-picks-{v}",
        "RFC 8446 §4.2.4, §4.4.2",
        "RFC 5246 §7.4.4, §7.4.6",
        openssl_server_picks,
        true,
    ),
];

/// The `tls.authorities.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for version in [TLS13, TLS12] {
        let tag = if version == TLS13 { "tls13" } else { "tls12" };
        for &(id, spec13, spec12, body, openssl) in ROWS {
            let spec = if version == TLS13 { spec13 } else { spec12 };
            // certificate_authorities is a MAY for the server (§4.2.4)
            // and guidance for the client.
            let case = Case::may(format!("tls.authorities.{}", id.replace("{v}", tag)), spec);
            out.push(if openssl {
                case.needs(&[OPENSSL]).interop_peer(move |_| body(version))
            } else {
                case.simulation(move |_| body(version))
            });
        }
    }
    out
}
