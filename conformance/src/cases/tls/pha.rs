//! `tls.pha.*`: TLS 1.3 post-handshake client authentication (RFC 8446
//! §4.6.2): the post_handshake_auth extension (§4.2.6), the handshake
//! context and Finished key of a post-handshake answer (§4.4, §4.4.4), and
//! each refusal with the alert the RFC names. Our client against our
//! server, against `openssl s_server` (a `c` on its stdin sends the
//! request) and our server against `openssl s_client -enable_pha` and
//! `gnutls-cli --post-handshake-auth`.
//! rustls 0.23 does not implement post-handshake authentication (it has
//! the extension's number, not the feature): its client never offers it,
//! which is what `rustls-client-not-offered` checks.

use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use handshake_tls::extensions::Extension;
use handshake_tls::msgs::HandshakeMessage;
use handshake_tls::record::{ContentType, Header, RecordKeys};
use handshake_tls::{
    AlertDescription, CertError, ClientAuth, ClientConnection, Error, Event, ServerConfig,
    ServerConnection, TrustAnchor,
};
use rcgen::ExtendedKeyUsagePurpose as Eku;
use rustls::crypto::ring as rr;

use super::interop::echo;
use super::support::{
    self, contains, pki, run_pair, send_one_way, Dir, LeafSpec, MemoryKeyLog, Pki, Run, NOW,
};
use crate::check::{self, Checked};
use crate::peers::tls_tool::{pem, scratch_dir, ToolPeer, GNUTLS, OPENSSL};
use crate::Case;

/// The server's PKI; its CA issues the client certificates too.
fn ca() -> Result<Pki, String> {
    pki(&LeafSpec::default())
}

type Cert = (Vec<Vec<u8>>, Vec<u8>);

/// Our server config asking for a client certificate only after the
/// handshake, chains leading to `p`'s CA, `required` or not.
fn server_config(p: &Pki, required: bool) -> Result<ServerConfig, String> {
    let mut sc = support::server_config(p)?;
    let anchor = TrustAnchor::from_der(&p.ca_der).map_err(|e| e.to_string())?;
    let mut auth = ClientAuth::new(vec![anchor]);
    auth.required = required;
    auth.post_handshake_only = true;
    sc.client_auth = Some(auth);
    sc.trace = true;
    Ok(sc)
}

/// A connected pair of ours, with both key logs.
struct Pair {
    c: ClientConnection,
    s: ServerConnection,
    client_log: Arc<MemoryKeyLog>,
    server_log: Arc<MemoryKeyLog>,
}

/// Our client (offering post_handshake_auth when `offer`, with `cert`)
/// and our server, through the handshake.
fn connected(p: &Pki, offer: bool, cert: Option<Cert>, required: bool) -> Result<Pair, String> {
    let mut cc = support::client_config(p)?;
    cc.post_handshake_auth = offer;
    cc.trace = true;
    if let Some((chain, key)) = cert {
        cc.set_client_cert(chain, &key).map_err(|e| e.to_string())?;
    }
    let client_log = Arc::new(MemoryKeyLog::default());
    cc.key_log = Some(client_log.clone());
    let mut sc = server_config(p, required)?;
    let server_log = Arc::new(MemoryKeyLog::default());
    sc.key_log = Some(server_log.clone());
    let mut c = ClientConnection::new(Arc::new(cc), "localhost", NOW, support::rng(51))
        .map_err(|e| e.to_string())?;
    let mut s =
        ServerConnection::new_at(Arc::new(sc), NOW, support::rng(52)).map_err(|e| e.to_string())?;
    run_pair(&mut c, &mut s, |_, _| {}).completed("the handshake")?;
    Ok(Pair {
        c,
        s,
        client_log,
        server_log,
    })
}

fn traced(lines: &[handshake_tls::TraceLine], needle: &str) -> bool {
    lines.iter().any(|l| l.to_string().contains(needle))
}

/// §4.6.2, §4.2.6, §4.4: the client offers post_handshake_auth; the
/// handshake asks nothing; the server's request (a 32-byte context) is
/// answered with Certificate (context echoed), CertificateVerify and
/// Finished while application data crosses both ways; the server has the
/// chain and reports the request's number as authenticated; two requests
/// in flight at once are each answered and reported.
fn ours() -> Checked {
    let p = ca()?;
    let (chain, key) = p.client_leaf(vec![Eku::ClientAuth])?;
    let Pair { mut c, mut s, .. } = connected(&p, true, Some((chain.clone(), key)), true)?;
    check::ensure(
        traced(s.trace(), "<- ClientHello") && traced(s.trace(), "post_handshake_auth"),
        || "the ClientHello did not carry post_handshake_auth".into(),
    )?;
    check::ensure(!traced(c.trace(), "<- CertificateRequest"), || {
        "a CertificateRequest in the handshake".into()
    })?;
    check::equal("client chain before", s.client_certificates(), None)?;
    check::equal("first request's number", s.request_client_auth(), Ok(1))?;
    // Data behind the request, and from the client before it reads it.
    s.send(b"to the client").map_err(|e| e.to_string())?;
    c.send(b"to the server").map_err(|e| e.to_string())?;
    let run = run_pair(&mut c, &mut s, |_, _| {});
    check::equal("errors", (&run.client_err, &run.server_err), (&None, &None))?;
    check::equal(
        "events at the server",
        run.server_events,
        vec![
            Event::ApplicationData(b"to the server".to_vec()),
            Event::ClientAuthenticated {
                request: 1,
                certificate: true,
            },
        ],
    )?;
    check::equal(
        "data at the client",
        run.client_events,
        vec![handshake_tls::Event::ApplicationData(
            b"to the client".to_vec(),
        )],
    )?;
    check::equal("pending", s.client_auth_pending(), false)?;
    check::equal(
        "client chain at the server",
        s.client_certificates(),
        Some(&chain[..]),
    )?;
    for line in [
        "<- CertificateRequest context=32 bytes (post-handshake)",
        "-> Certificate 1 certificate(s) context=32 bytes",
        "-> CertificateVerify",
    ] {
        check::ensure(traced(c.trace(), line), || {
            format!("the client's trace lacks {line:?}")
        })?;
    }
    // Two requests in flight at once (§4.6.2 allows several).
    check::equal("second request", s.request_client_auth(), Ok(2))?;
    check::equal("third request", s.request_client_auth(), Ok(3))?;
    let run = run_pair(&mut c, &mut s, |_, _| {});
    check::equal("errors", (&run.client_err, &run.server_err), (&None, &None))?;
    check::equal(
        "events for two requests in flight",
        run.server_events,
        [2, 3]
            .map(|request| Event::ClientAuthenticated {
                request,
                certificate: true,
            })
            .to_vec(),
    )?;
    check::equal("all answered", s.client_auth_pending(), false)?;
    send_one_way(&mut c, &mut s, Dir::ToServer, b"after", "to the server")?;
    send_one_way(&mut c, &mut s, Dir::ToClient, b"after", "to the client")?;
    Ok(())
}

/// §4.2.6: "Servers MUST NOT send a post-handshake CertificateRequest to
/// clients which do not offer this extension": the request is refused
/// with a typed error, nothing is sent, the connection goes on. Our
/// client offers nothing by default.
fn request_not_offered() -> Checked {
    let p = ca()?;
    let (chain, key) = p.client_leaf(vec![Eku::ClientAuth])?;
    let cc = support::client_config(&p)?;
    check::equal("offered by default", cc.post_handshake_auth, false)?;
    let Pair { mut c, mut s, .. } = connected(&p, false, Some((chain, key)), true)?;
    check::equal(
        "request_client_auth",
        s.request_client_auth(),
        Err(Error::PostHandshakeAuthNotOffered),
    )?;
    check::equal("bytes to send", s.poll_transmit(), None)?;
    send_one_way(
        &mut c,
        &mut s,
        Dir::ToClient,
        b"still open",
        "to the client",
    )?;
    Ok(())
}

/// §4.2.6 with rustls 0.23 as the client: it does not implement
/// post-handshake authentication, so it never offers it, and our server
/// refuses to ask.
fn rustls_client_not_offered() -> Checked {
    let p = ca()?;
    let roots = support::rustls_roots(&p)?;
    let cfg = rustls::ClientConfig::builder_with_provider(Arc::new(rr::default_provider()))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("localhost").map_err(|e| e.to_string())?;
    let mut c = rustls::ClientConnection::new(Arc::new(cfg), name).map_err(|e| e.to_string())?;
    let mut s = ServerConnection::new_at(Arc::new(server_config(&p, true)?), NOW, support::rng(53))
        .map_err(|e| e.to_string())?;
    echo(&mut c, &mut s, 12)?;
    check::equal(
        "request_client_auth",
        s.request_client_auth(),
        Err(Error::PostHandshakeAuthNotOffered),
    )?;
    check::equal("bytes to send", s.poll_transmit(), None)
}

/// The records of `flight`, opened with `keys`: (content type, content).
fn open_all(keys: &mut RecordKeys, flight: &[u8]) -> Result<Vec<(ContentType, Vec<u8>)>, String> {
    support::records(flight)
        .into_iter()
        .map(|r| {
            let h = Header::parse(&r).map_err(|e| e.to_string())?;
            keys.open(&h, r[5..].to_vec()).map_err(|e| e.to_string())
        })
        .collect()
}

/// Record keys from a traffic secret in a key log, for the suite `s`
/// negotiated.
fn keys_from(log: &MemoryKeyLog, label: &str, s: &ServerConnection) -> Result<RecordKeys, String> {
    let secret = log.get(label).ok_or(format!("no {label} in the key log"))?;
    let suite = s.negotiated().ok_or("not negotiated")?.suite;
    Ok(RecordKeys::from_secret(suite.aead(), suite.hash(), &secret))
}

/// §4.6.2: "A client that receives a CertificateRequest message without
/// having sent the "post_handshake_auth" extension MUST send an
/// "unexpected_message" fatal alert". Our server will not send one, so
/// the request is sealed here under the server's application traffic key
/// (from its key log; its first record under that key).
fn unsolicited_request() -> Checked {
    let p = ca()?;
    let Pair {
        mut c,
        mut s,
        server_log,
        ..
    } = connected(&p, false, None, true)?;
    let mut keys = keys_from(&server_log, "SERVER_TRAFFIC_SECRET_0", &s)?;
    let cr = HandshakeMessage::CertificateRequest {
        context: vec![7; 8],
        extensions: vec![Extension::SignatureAlgorithms(vec![0x0403])],
    };
    let record = keys
        .seal(ContentType::Handshake, &cr.encode(), 0)
        .map_err(|e| e.to_string())?;
    let mut run = Run {
        client_err: c.read_tls(&record).err(),
        ..Run::default()
    };
    if let Some(alert) = c.poll_transmit() {
        run.server_err = s.read_tls(&alert).err();
    }
    run.client_failed(
        |e| matches!(e, Error::UnexpectedMessage { got, .. } if *got == "CertificateRequest"),
        AlertDescription::UnexpectedMessage,
    )
}

/// §4.4.4: the post-handshake Finished is HMAC over the handshake context
/// with the key from client_application_traffic_secret_N; one flipped
/// bit of verify_data (the records re-sealed under the client's key from
/// its key log) is decrypt_error.
fn bad_finished() -> Checked {
    let p = ca()?;
    let cert = p.client_leaf(vec![Eku::ClientAuth])?;
    let Pair {
        mut c,
        mut s,
        client_log,
        ..
    } = connected(&p, true, Some(cert), true)?;
    s.request_client_auth().map_err(|e| e.to_string())?;
    let request = s.poll_transmit().ok_or("no request sent")?;
    c.read_tls(&request).map_err(|e| e.to_string())?;
    let answer = c.poll_transmit().ok_or("no answer")?;
    let mut opener = keys_from(&client_log, "CLIENT_TRAFFIC_SECRET_0", &s)?;
    let mut sealer = keys_from(&client_log, "CLIENT_TRAFFIC_SECRET_0", &s)?;
    let mut messages = open_all(&mut opener, &answer)?;
    let types: Vec<u8> = messages.iter().map(|(_, m)| m[0]).collect();
    // Certificate (11), CertificateVerify (15), Finished (20).
    check::equal("the answer's messages", types, vec![11, 15, 20])?;
    if let Some((_, fin)) = messages.last_mut() {
        if let Some(b) = fin.last_mut() {
            *b ^= 1;
        }
    }
    let mut forged = Vec::new();
    for (t, m) in &messages {
        forged.extend(sealer.seal(*t, m, 0).map_err(|e| e.to_string())?);
    }
    let mut run = Run {
        server_err: s.read_tls(&forged).err(),
        ..Run::default()
    };
    if let Some(alert) = s.poll_transmit() {
        run.client_err = c.read_tls(&alert).err();
    }
    run.server_failed(|e| *e == Error::BadFinished, AlertDescription::DecryptError)?;
    check::equal("client chain at the server", s.client_certificates(), None)
}

/// The client's answers to `requests` post-handshake requests, each a
/// list of (content type, message) opened with the client's key from its
/// key log, and a sealer under that key for records in a new order.
fn answers(pair: &mut Pair, requests: usize) -> Result<(Vec<Answer>, RecordKeys), String> {
    let Pair {
        c, s, client_log, ..
    } = pair;
    for _ in 0..requests {
        s.request_client_auth().map_err(|e| e.to_string())?;
    }
    let flight = s.poll_transmit().ok_or("no request sent")?;
    c.read_tls(&flight).map_err(|e| e.to_string())?;
    let sent = c.poll_transmit().ok_or("no answer")?;
    let mut opener = keys_from(client_log, "CLIENT_TRAFFIC_SECRET_0", s)?;
    let messages = open_all(&mut opener, &sent)?;
    check::equal("messages in the answers", messages.len(), 3 * requests)?;
    let answers = messages.chunks(3).map(<[_]>::to_vec).collect();
    Ok((
        answers,
        keys_from(client_log, "CLIENT_TRAFFIC_SECRET_0", s)?,
    ))
}

/// One answer: Certificate, CertificateVerify and Finished.
type Answer = Vec<(ContentType, Vec<u8>)>;

/// §4.6.2: "clients which receive multiple CertificateRequests in close
/// succession MAY respond to them in a different order than they were
/// received (the certificate_request_context value allows the server to
/// disambiguate the responses)". Two requests; the client's two answers
/// are re-sealed second first (under its key from its key log): the
/// server matches each to its request by context, checks each Finished
/// over its own request's transcript, and reports request 2, then 1.
fn answers_out_of_order() -> Checked {
    let p = ca()?;
    let cert = p.client_leaf(vec![Eku::ClientAuth])?;
    let mut pair = connected(&p, true, Some(cert), true)?;
    let (answers, mut sealer) = answers(&mut pair, 2)?;
    let mut reordered = Vec::new();
    for (t, m) in answers.iter().rev().flatten() {
        reordered.extend(sealer.seal(*t, m, 0).map_err(|e| e.to_string())?);
    }
    pair.s.read_tls(&reordered).map_err(|e| e.to_string())?;
    let events: Vec<Event> = std::iter::from_fn(|| pair.s.poll_event()).collect();
    check::equal(
        "events, in the order the answers came",
        events,
        [2, 1]
            .map(|request| Event::ClientAuthenticated {
                request,
                certificate: true,
            })
            .to_vec(),
    )?;
    check::equal("pending", pair.s.client_auth_pending(), false)
}

/// §4.4.2: a post-handshake Certificate carries "the value of
/// certificate_request_context" of the request it answers. One whose
/// context is that of no outstanding request (the client's answer with
/// one byte of the context flipped, re-sealed) is illegal_parameter.
fn unknown_context() -> Checked {
    let p = ca()?;
    let cert = p.client_leaf(vec![Eku::ClientAuth])?;
    let mut pair = connected(&p, true, Some(cert), true)?;
    let (mut answers, mut sealer) = answers(&mut pair, 1)?;
    let (_, certificate) = answers[0].first_mut().ok_or("no Certificate")?;
    // Type (1), length (3), context length (1), then the context.
    check::equal("Certificate context length", certificate.get(4), Some(&32))?;
    certificate[5] ^= 1;
    let mut forged = Vec::new();
    for (t, m) in &answers[0] {
        forged.extend(sealer.seal(*t, m, 0).map_err(|e| e.to_string())?);
    }
    let mut run = Run {
        server_err: pair.s.read_tls(&forged).err(),
        ..Run::default()
    };
    if let Some(alert) = pair.s.poll_transmit() {
        run.client_err = pair.c.read_tls(&alert).err();
    }
    run.server_failed(
        |e| matches!(e, Error::IllegalParameter { .. }),
        AlertDescription::IllegalParameter,
    )?;
    check::equal(
        "client chain at the server",
        pair.s.client_certificates(),
        None,
    )
}

/// Our pair with the client's certificate `cert` (or none) and a request
/// after the handshake, run to its end.
fn answered(p: &Pki, cert: Option<Cert>, required: bool) -> Result<(Pair, Run), String> {
    let mut pair = connected(p, true, cert, required)?;
    pair.s.request_client_auth().map_err(|e| e.to_string())?;
    let run = run_pair(&mut pair.c, &mut pair.s, |_, _| {});
    Ok((pair, run))
}

/// §4.4.2.4: a client without a certificate answers with an empty
/// Certificate; a server that requires one aborts with
/// certificate_required.
fn empty_refused() -> Checked {
    let (_, run) = answered(&ca()?, None, true)?;
    run.server_failed(
        |e| *e == Error::CertificateRequired,
        AlertDescription::CertificateRequired,
    )
}

/// §4.4.2.4, §4.4.3: an empty Certificate and then Finished, no
/// CertificateVerify; a server that does not require a certificate goes
/// on without one.
fn empty_accepted() -> Checked {
    let (pair, run) = answered(&ca()?, None, false)?;
    check::equal("errors", (&run.client_err, &run.server_err), (&None, &None))?;
    check::equal(
        "events at the server",
        run.server_events,
        vec![Event::ClientAuthenticated {
            request: 1,
            certificate: false,
        }],
    )?;
    check::equal("pending", pair.s.client_auth_pending(), false)?;
    check::equal("client chain", pair.s.client_certificates(), None)?;
    check::ensure(
        traced(pair.c.trace(), "-> Certificate 0 certificate(s)")
            && !traced(pair.c.trace(), "-> CertificateVerify"),
        || "not an empty Certificate without CertificateVerify".into(),
    )
}

/// RFC 5280 §6.1 via §4.4.2.4: a chain to a CA the server does not trust
/// is refused after the handshake as in it: unknown_ca.
fn unknown_ca() -> Checked {
    let p = ca()?;
    let other = pki(&LeafSpec {
        ca_name: "Another CA",
        ..LeafSpec::default()
    })?;
    let (_, run) = answered(&p, Some(other.client_leaf(vec![Eku::ClientAuth])?), true)?;
    run.server_failed(
        |e| *e == Error::Certificate(CertError::UnknownIssuer),
        AlertDescription::UnknownCa,
    )
}

/// §4.4.3: a post-handshake CertificateVerify that does not verify (a key
/// that is not the certificate's): decrypt_error.
fn bad_certificate_verify() -> Checked {
    let p = ca()?;
    let (chain, _) = p.client_leaf(vec![Eku::ClientAuth])?;
    let (_, wrong_key) = p.client_leaf(vec![Eku::ClientAuth])?;
    let (_, run) = answered(&p, Some((chain, wrong_key)), true)?;
    run.server_failed(
        |e| *e == Error::BadCertificateVerify,
        AlertDescription::DecryptError,
    )
}

/// Writes `chain[0]` and `key` as PEM into `dir`: (cert path, key path).
fn write_cert(dir: &Path, chain: &[Vec<u8>], key: &[u8]) -> Result<(String, String), String> {
    let cert = dir.join("client.pem");
    let keyf = dir.join("client-key.pem");
    std::fs::write(&cert, pem("CERTIFICATE", &chain[0])).map_err(|e| e.to_string())?;
    std::fs::write(&keyf, pem("PRIVATE KEY", key)).map_err(|e| e.to_string())?;
    let s = |p: &Path| p.to_str().map(str::to_string).ok_or("path is not UTF-8");
    Ok((s(&cert)?, s(&keyf)?))
}

/// What `openssl x509 -noout -subject` says of the certificate at `path`,
/// without "subject=": OpenSSL's own rendering of the name.
pub(super) fn openssl_subject(path: &str) -> Result<String, String> {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-subject", "-in", path])
        .output()
        .map_err(|e| format!("openssl x509: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .strip_prefix("subject=")
        .map(str::to_string)
        .ok_or(format!("openssl x509 said {text:?}"))
}

/// Our client, offering post_handshake_auth, against `openssl s_server
/// -tls1_3` that asks for nothing in the handshake; a line `c` on its
/// stdin makes it send a CertificateRequest (SSL_verify_client_post_handshake).
/// OpenSSL verifies our chain (its verify callback prints each depth,
/// `-verify_return_error` makes a failure fatal) and our Finished, and data
/// flows both ways after.
fn openssl_server() -> Checked {
    let p = ca()?;
    let (chain, key) = p.client_leaf(vec![Eku::ClientAuth])?;
    let dir = scratch_dir("pha-server")?;
    let r = (|| {
        let ca_file = dir.join("client-ca.pem");
        std::fs::write(&ca_file, pem("CERTIFICATE", &p.ca_der)).map_err(|e| e.to_string())?;
        let ca_path = ca_file.to_str().ok_or("path is not UTF-8")?;
        let (cert_path, _) = write_cert(&dir, &chain, &key)?;
        let subject = openssl_subject(&cert_path)?;
        let args = ["-tls1_3", "-CAfile", ca_path, "-verify_return_error"];
        let (mut peer, port) = ToolPeer::server_commands(&p.chain, &p.key_pkcs8, &args)?;
        let mut sock = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
        let mut cc = support::client_config(&p)?;
        cc.post_handshake_auth = true;
        cc.trace = true;
        cc.set_client_cert(chain.clone(), &key)
            .map_err(|e| e.to_string())?;
        let mut c = ClientConnection::new(Arc::new(cc), "localhost", NOW, support::rng(54))
            .map_err(|e| e.to_string())?;
        let mut got = Vec::new();
        support::drive(&mut c, &mut sock, &mut got, &peer, |c, _| {
            !c.is_handshaking()
        })?;
        // A line first: once s_server printed it, it has our Finished and
        // the handshake is over on its side too.
        c.send(b"before the request\n").map_err(|e| e.to_string())?;
        support::drive(&mut c, &mut sock, &mut got, &peer, |_, _| true)?;
        peer.wait_for(b"before the request\n", Duration::from_secs(10))?;
        check::ensure(!peer.stderr_text().contains("depth=0"), || {
            "s_server verified a certificate in the handshake".into()
        })?;
        peer.send(b"c\n")?;
        support::drive(&mut c, &mut sock, &mut got, &peer, |c, _| {
            traced(c.trace(), "<- CertificateRequest context=")
        })?;
        c.send(b"after the request\n").map_err(|e| e.to_string())?;
        support::drive(&mut c, &mut sock, &mut got, &peer, |_, _| true)?;
        peer.wait_for(b"after the request\n", Duration::from_secs(10))?;
        peer.send(b"pong after the request\n")?;
        support::drive(&mut c, &mut sock, &mut got, &peer, |_, g| {
            contains(g, b"pong after the request\n")
        })?;
        let said = peer.stderr_text();
        check::ensure(
            said.contains(&format!("depth=0 {subject}\nverify return:1")),
            || format!("s_server did not verify {subject:?} after the handshake; it said {said:?}"),
        )?;
        check::ensure(!said.contains("verify error"), || {
            format!("s_server: {said}")
        })?;
        check::ensure(
            traced(c.trace(), "-> Certificate 1 certificate(s) context="),
            || "our client sent no certificate".into(),
        )
    })();
    let _ = std::fs::remove_dir_all(&dir);
    r
}

/// `openssl s_client -tls1_3 -enable_pha -cert -key` against our server,
/// which asks only after the handshake (see [`tool_client`]). Without
/// `-enable_pha` s_client offers nothing, and the request is refused.
fn openssl_client(enable_pha: bool) -> Checked {
    let p = ca()?;
    let (chain, key) = p.client_leaf(vec![Eku::ClientAuth])?;
    let dir = scratch_dir("pha-client")?;
    let r = (|| {
        let (cert_path, key_path) = write_cert(&dir, &chain, &key)?;
        let mut args = vec!["-tls1_3", "-cert", &cert_path, "-key", &key_path];
        if enable_pha {
            args.push("-enable_pha");
        }
        tool_client(
            &p,
            &chain,
            |port| ToolPeer::client(&p.ca_der, port, &args),
            enable_pha,
        )
    })();
    let _ = std::fs::remove_dir_all(&dir);
    r
}

/// `gnutls-cli --post-handshake-auth --x509certfile --x509keyfile`, TLS
/// 1.3 only, against our server, which asks only after the handshake.
fn gnutls_client() -> Checked {
    let p = ca()?;
    let (chain, key) = p.client_leaf(vec![Eku::ClientAuth])?;
    let dir = scratch_dir("pha-gnutls")?;
    let r = (|| {
        let (cert_path, key_path) = write_cert(&dir, &chain, &key)?;
        let cert_arg = format!("--x509certfile={cert_path}");
        let key_arg = format!("--x509keyfile={key_path}");
        let extra = ["--post-handshake-auth", cert_arg.as_str(), key_arg.as_str()];
        tool_client(
            &p,
            &chain,
            |port| {
                ToolPeer::gnutls_client_with(
                    &p.ca_der,
                    port,
                    "NORMAL:-VERS-ALL:+VERS-TLS1.3",
                    &extra,
                )
            },
            true,
        )
    })();
    let _ = std::fs::remove_dir_all(&dir);
    r
}

/// A command-line client (`start` runs it against a port) holding
/// `chain` against our server asking only after the handshake. When the
/// client `offered` post_handshake_auth: the request goes out with data
/// behind it, the client answers, our server validates the chain (its
/// leaf the bytes given to the client; OpenSSL adds the CA it builds from
/// -CAfile), and data flows both ways after. When it did not: the request
/// is refused with a typed error and nothing is sent.
fn tool_client(
    p: &Pki,
    chain: &[Vec<u8>],
    start: impl FnOnce(u16) -> Result<ToolPeer, String>,
    offered: bool,
) -> Checked {
    let (listener, port) = support::listen()?;
    let mut peer = start(port)?;
    let mut sock = support::accept(&listener, &mut peer)?;
    let mut s = ServerConnection::new_at(Arc::new(server_config(p, true)?), NOW, support::rng(55))
        .map_err(|e| e.to_string())?;
    let mut got = Vec::new();
    support::drive(&mut s, &mut sock, &mut got, &peer, |s, _| {
        !s.is_handshaking()
    })?;
    if !offered {
        check::equal(
            "request_client_auth",
            s.request_client_auth(),
            Err(Error::PostHandshakeAuthNotOffered),
        )?;
        return check::equal("bytes to send", s.poll_transmit(), None);
    }
    s.request_client_auth().map_err(|e| e.to_string())?;
    s.send(b"pong behind the request\n")
        .map_err(|e| e.to_string())?;
    peer.send(b"ping from the peer\n")?;
    support::drive(&mut s, &mut sock, &mut got, &peer, |s, g| {
        !s.client_auth_pending() && contains(g, b"ping from the peer\n")
    })?;
    peer.wait_for(b"pong behind the request\n", Duration::from_secs(10))?;
    check::equal(
        "client leaf at our server",
        s.client_certificates().and_then(|c| c.first()),
        chain.first(),
    )?;
    peer.send(b"after the answer\n")?;
    support::drive(&mut s, &mut sock, &mut got, &peer, |_, g| {
        contains(g, b"after the answer\n")
    })?;
    s.send(b"bye\n").map_err(|e| e.to_string())?;
    support::drive(&mut s, &mut sock, &mut got, &peer, |_, _| true)?;
    peer.wait_for(b"bye\n", Duration::from_secs(10))
}

/// A simulation case: id, spec, body.
type Row = (&'static str, &'static str, fn() -> Checked);

/// The `tls.pha.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let sim: &[Row] = &[
        ("tls.pha.ours", "RFC 8446 §4.6.2, §4.2.6, §4.4", ours),
        (
            "tls.pha.request-not-offered",
            "RFC 8446 §4.2.6",
            request_not_offered,
        ),
        (
            "tls.pha.unsolicited-request",
            "RFC 8446 §4.6.2",
            unsolicited_request,
        ),
        (
            "tls.pha.bad-finished",
            "RFC 8446 §4.4.4, §4.4",
            bad_finished,
        ),
        (
            "tls.pha.answers-out-of-order",
            "RFC 8446 §4.6.2, §4.4.2",
            answers_out_of_order,
        ),
        (
            "tls.pha.unknown-context",
            "RFC 8446 §4.4.2",
            unknown_context,
        ),
        (
            "tls.pha.empty-certificate-refused",
            "RFC 8446 §4.4.2.4",
            empty_refused,
        ),
        (
            "tls.pha.empty-certificate-accepted",
            "RFC 8446 §4.4.2.4, §4.4.3",
            empty_accepted,
        ),
        (
            "tls.pha.unknown-ca",
            "RFC 8446 §4.4.2.4, §6.2; RFC 5280 §6.1",
            unknown_ca,
        ),
        (
            "tls.pha.bad-certificate-verify",
            "RFC 8446 §4.4.3",
            bad_certificate_verify,
        ),
    ];
    let mut v: Vec<Case> = sim
        .iter()
        .map(|&(id, spec, body)| Case::must(id, spec).simulation(move |_| body()))
        .collect();
    v.push(
        Case::must("tls.pha.rustls-client-not-offered", "RFC 8446 §4.2.6")
            .interop_peer(|_| rustls_client_not_offered()),
    );
    v.push(
        Case::must("tls.pha.openssl-s-server", "RFC 8446 §4.6.2, §4.4, §4.4.4")
            .needs(&[OPENSSL])
            .interop_peer(|_| openssl_server()),
    );
    v.push(
        Case::must("tls.pha.openssl-s-client", "RFC 8446 §4.6.2, §4.4, §4.4.4")
            .needs(&[OPENSSL])
            .interop_peer(|_| openssl_client(true)),
    );
    v.push(
        Case::must("tls.pha.gnutls-cli", "RFC 8446 §4.6.2, §4.4, §4.4.4")
            .needs(&[GNUTLS])
            .interop_peer(|_| gnutls_client()),
    );
    v.push(
        Case::must("tls.pha.openssl-s-client-not-offered", "RFC 8446 §4.2.6")
            .needs(&[OPENSSL])
            .interop_peer(|_| openssl_client(false)),
    );
    v
}
