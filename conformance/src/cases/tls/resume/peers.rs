//! `tls.resume.rustls-*`, `tls.resume.openssl-*`: TLS 1.3 resumption with
//! independent peers. rustls 0.23 (ring provider, in-process): its client
//! (default in-memory resumption) against our server, and our client
//! against its server (default: a stateful session cache and two tickets).
//! OpenSSL 3: our client against `s_server` (tickets on by default), and
//! `s_client -sess_out` then `-sess_in` against our server. Each case makes
//! two connections and checks that both sides call the second resumed.

use std::sync::Arc;

use handshake_tls::suites::TLS13;
use handshake_tls::{ClientConnection, MemorySessionStore, ServerConnection};
use rustls::crypto::ring as rr;
use rustls::pki_types::ServerName;
use rustls::HandshakeKind;

use super::super::interop::echo;
use super::super::support::{
    self, ours_client, ours_server, ours_server_twice, pki, LeafSpec, NOW,
};
use super::TICKET_KEY;
use crate::check::{self, Checked};
use crate::peers::tls_tool::{ToolPeer, GNUTLS, OPENSSL};
use crate::Case;

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rr::default_provider())
}

const BOTH: (Option<bool>, Option<bool>) = (Some(false), Some(true));

fn kinds(k: Vec<Option<HandshakeKind>>) -> Vec<bool> {
    k.into_iter()
        .map(|k| k == Some(HandshakeKind::Resumed))
        .collect()
}

/// A rustls client (one config, so one session store) resuming against
/// our server.
fn rustls_client() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let roots = support::rustls_roots(&p)?;
    let cfg = Arc::new(
        rustls::ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    );
    let mut sc = support::server_config(&p)?;
    sc.set_ticket_key(TICKET_KEY);
    let sc = Arc::new(sc);
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for i in 0..2u64 {
        let name = ServerName::try_from("localhost").map_err(|e| e.to_string())?;
        let mut c = rustls::ClientConnection::new(cfg.clone(), name).map_err(|e| e.to_string())?;
        let mut s = ServerConnection::new_at(sc.clone(), NOW + i, support::rng(70 + i))
            .map_err(|e| e.to_string())?;
        echo(&mut c, &mut s, 7)?;
        ours.push(s.negotiated().map(|n| n.resumed));
        theirs.push(c.handshake_kind());
    }
    check::equal("ours resumed (first, second)", (ours[0], ours[1]), BOTH)?;
    check::equal("rustls resumed", kinds(theirs), vec![false, true])
}

/// Our client (one session store) resuming against a rustls server.
fn rustls_server() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let (chain, key) = support::rustls_cert(&p.chain, &p.key_pkcs8);
    let cfg = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| e.to_string())?,
    );
    let mut cc = support::client_config(&p)?;
    cc.session_store = Some(Arc::new(MemorySessionStore::new(4)));
    let cc = Arc::new(cc);
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for i in 0..2u64 {
        let mut s = rustls::ServerConnection::new(cfg.clone()).map_err(|e| e.to_string())?;
        let mut c = ClientConnection::new(cc.clone(), "localhost", NOW + i, support::rng(80 + i))
            .map_err(|e| e.to_string())?;
        echo(&mut c, &mut s, 8)?;
        ours.push(c.negotiated().map(|n| n.resumed));
        theirs.push(s.handshake_kind());
    }
    check::equal("ours resumed (first, second)", (ours[0], ours[1]), BOTH)?;
    check::equal("rustls resumed", kinds(theirs), vec![false, true])
}

/// Our client against `openssl s_server -tls1_3` twice, one session store.
fn openssl_server() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let (mut peer, port) = ToolPeer::server_for(&p.chain, &p.key_pkcs8, &["-tls1_3"], 2)?;
    let store = Arc::new(MemorySessionStore::new(4));
    let mut resumed = Vec::new();
    for _ in 0..2 {
        let c = ours_client(&p, &mut peer, port, |cc| {
            cc.session_store = Some(store.clone())
        })?;
        check::equal("version", c.protocol_version(), Some(TLS13))?;
        resumed.push(c.negotiated().map(|n| n.resumed));
    }
    check::equal("resumed (first, second)", (resumed[0], resumed[1]), BOTH)
}

/// `openssl s_client -sess_out` against our server, then `-sess_in` with
/// the saved session: the second resumes.
fn openssl_client() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let dir = crate::peers::tls_tool::scratch_dir("sess")?;
    let sess = dir.join("session.pem");
    let sess = sess
        .to_str()
        .ok_or("temporary path is not UTF-8")?
        .to_string();
    let run = |flag: &str| {
        let args = ["-tls1_3", flag, sess.as_str()];
        ours_server(
            &p,
            |port| ToolPeer::client(&p.ca_der, port, &args),
            |sc| sc.set_ticket_key(TICKET_KEY),
        )
        .map(|s| s.negotiated().map(|n| n.resumed))
    };
    let r = run("-sess_out").and_then(|first| Ok((first, run("-sess_in")?)));
    let _ = std::fs::remove_dir_all(&dir);
    check::equal("resumed (first, second)", r?, BOTH)
}

/// `gnutls-cli --resume` against our server: it connects, waits for a
/// ticket (`--waitresumption`), closes, and connects again with it.
fn gnutls_client() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let (first, second, said) = ours_server_twice(
        &p,
        |port| {
            ToolPeer::gnutls_client_with(
                &p.ca_der,
                port,
                "NORMAL:-VERS-ALL:+VERS-TLS1.3",
                &["--resume", "--waitresumption"],
            )
        },
        |sc| sc.set_ticket_key(TICKET_KEY),
    )?;
    check::equal(
        "resumed (first, second)",
        (
            first.negotiated().map(|n| n.resumed),
            second.negotiated().map(|n| n.resumed),
        ),
        BOTH,
    )?;
    check::ensure(said.contains("This is a resumed session"), || {
        format!("gnutls-cli does not call the second session resumed: {said}")
    })
}

/// The interop `tls.resume.*` cases.
pub(super) fn cases() -> Vec<Case> {
    let spec = "RFC 8446 §2.2, §4.2.11, §4.6.1";
    vec![
        Case::must("tls.resume.rustls-client-resumes-with-ours", spec)
            .interop_peer(|_| rustls_client()),
        Case::must("tls.resume.ours-resumes-with-rustls-server", spec)
            .interop_peer(|_| rustls_server()),
        Case::must("tls.resume.ours-resumes-with-openssl-s-server", spec)
            .needs(&[OPENSSL])
            .interop_peer(|_| openssl_server()),
        Case::must("tls.resume.openssl-s-client-resumes-with-ours", spec)
            .needs(&[OPENSSL])
            .interop_peer(|_| openssl_client()),
        Case::must("tls.resume.gnutls-cli-resumes-with-ours", spec)
            .needs(&[GNUTLS])
            .interop_peer(|_| gnutls_client()),
    ]
}
