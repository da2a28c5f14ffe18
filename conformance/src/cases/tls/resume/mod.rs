//! `tls.resume.*`: TLS 1.3 resumption with a PSK from a NewSessionTicket
//! (RFC 8446 §2.2, §4.2.9, §4.2.11, §4.6.1): our client against our server,
//! each rule the server and the client enforce with the alert the RFC names,
//! and (in `peers`) rustls and OpenSSL resuming with ours both ways.

use std::sync::Arc;

use handshake_tls::extensions::Extension;
use handshake_tls::msgs::HandshakeMessage;
use handshake_tls::{
    AlertDescription, ClientConfig, ClientConnection, ClientSessionStore, Error,
    MemorySessionStore, NamedGroup, ServerConfig, ServerConnection,
};

use super::support::{self, pki, run_pair, send_one_way, Dir, LeafSpec, MemoryKeyLog, Run, NOW};
use crate::check::{self, Checked};
use crate::Case;

mod peers;

/// The ticket key of these cases' servers.
pub(super) const TICKET_KEY: [u8; 32] = [0x5e; 32];

/// Our client (with a session store) and our server (with a ticket key),
/// ready for connection after connection.
struct Setup {
    cc: Arc<ClientConfig>,
    sc: Arc<ServerConfig>,
    store: Arc<MemorySessionStore>,
}

fn setup(tweak: impl FnOnce(&mut ClientConfig, &mut ServerConfig)) -> Result<Setup, String> {
    let p = pki(&LeafSpec::default())?;
    let store = Arc::new(MemorySessionStore::new(8));
    let mut cc = support::client_config(&p)?;
    cc.session_store = Some(store.clone());
    cc.trace = true;
    let mut sc = support::server_config(&p)?;
    sc.set_ticket_key(TICKET_KEY);
    sc.trace = true;
    tweak(&mut cc, &mut sc);
    Ok(Setup {
        cc: Arc::new(cc),
        sc: Arc::new(sc),
        store,
    })
}

impl Setup {
    /// A client and a server, both at `now`.
    fn conns(&self, now: u64, seed: u64) -> Result<(ClientConnection, ServerConnection), String> {
        let c = ClientConnection::new(self.cc.clone(), "localhost", now, support::rng(seed))
            .map_err(|e| e.to_string())?;
        let s = ServerConnection::new_at(self.sc.clone(), now, support::rng(seed + 100))
            .map_err(|e| e.to_string())?;
        Ok((c, s))
    }

    /// One connection at `now` through `wire`.
    fn connect(
        &self,
        now: u64,
        seed: u64,
        wire: impl FnMut(Dir, &mut Vec<u8>),
    ) -> Result<(ClientConnection, ServerConnection, Run), String> {
        let (mut c, mut s) = self.conns(now, seed)?;
        let run = run_pair(&mut c, &mut s, wire);
        Ok((c, s, run))
    }

    /// A first, full handshake that leaves tickets in the store.
    fn first(&self) -> Checked {
        let (c, s, run) = self.connect(NOW, 1, |_, _| {})?;
        run.completed("the first handshake")?;
        check::equal(
            "resumed (client, server) on the first connection",
            (resumed(c.negotiated()), resumed(s.negotiated())),
            (Some(false), Some(false)),
        )?;
        check::ensure(!self.store.is_empty(), || {
            "the client kept no ticket".into()
        })
    }
}

fn resumed(n: Option<&handshake_tls::Negotiated>) -> Option<bool> {
    n.map(|n| n.resumed)
}

fn has_line(trace: &[handshake_tls::TraceLine], needle: &str) -> bool {
    trace.iter().any(|l| l.to_string().contains(needle))
}

/// §2.2, §4.6.1: the server's tickets (as many as configured) reach the
/// client's store; the next connection resumes with one: no Certificate or
/// CertificateVerify, the trace says so, the key log gets the secrets, and
/// data flows both ways.
fn full_then_resumed() -> Checked {
    let log = Arc::new(MemoryKeyLog::default());
    let st = setup(|cc, sc| {
        sc.tls13_tickets = 3;
        cc.key_log = Some(log.clone());
    })?;
    st.first()?;
    check::equal("tickets kept after the first connection", st.store.len(), 3)?;
    let (mut c, mut s, run) = st.connect(NOW + 30, 2, |_, _| {})?;
    run.completed("the resumed handshake")?;
    check::equal(
        "resumed (client, server)",
        (resumed(c.negotiated()), resumed(s.negotiated())),
        (Some(true), Some(true)),
    )?;
    check::ensure(
        !has_line(c.trace(), "<- Certificate") && !has_line(s.trace(), "-> Certificate"),
        || "a Certificate was sent in a PSK handshake (RFC 8446 §2.2)".into(),
    )?;
    check::ensure(
        has_line(c.trace(), "pre_shared_key selected=0 (resumption)"),
        || {
            format!(
                "the client's trace does not show the resumption: {:?}",
                c.trace()
            )
        },
    )?;
    // The first ticket was used up, three new ones came.
    check::equal("tickets kept after the second", st.store.len(), 2 + 3)?;
    let labels: Vec<String> = log.all().into_iter().map(|(l, _)| l).collect();
    for want in [
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_TRAFFIC_SECRET_0",
        "SERVER_TRAFFIC_SECRET_0",
        "EXPORTER_SECRET",
    ] {
        let n = labels.iter().filter(|l| *l == want).count();
        check::equal(&format!("{want} lines for two connections"), n, 2)?;
    }
    send_one_way(&mut c, &mut s, Dir::ToServer, b"resumed ping", "to server")?;
    send_one_way(&mut c, &mut s, Dir::ToClient, b"resumed pong", "to client")?;
    Ok(())
}

/// §4.1.2, §4.2.11.2: after a HelloRetryRequest the client recomputes the
/// binder over message_hash(ClientHello1), the HelloRetryRequest and the
/// second ClientHello; the server checks it and resumes.
fn after_hello_retry() -> Checked {
    let st = setup(|cc, sc| {
        cc.groups = vec![NamedGroup::X25519, NamedGroup::Secp256r1];
        cc.key_shares = 1;
        sc.groups = vec![NamedGroup::Secp256r1];
    })?;
    st.first()?;
    let (c, s, run) = st.connect(NOW + 5, 3, |_, _| {})?;
    run.completed("the resumed handshake after HelloRetryRequest")?;
    let n = s.negotiated().ok_or("no parameters")?;
    check::equal(
        "server: hello_retry, resumed; client: resumed",
        (n.hello_retry, n.resumed, resumed(c.negotiated())),
        (true, true, Some(true)),
    )
}

/// §4.2.11.1, §4.6.1: the client's obfuscated_ticket_age is the time since
/// it received the ticket. The first connection starts at NOW and gets its
/// ticket at NOW + 100 (the server's clock, `set_time` on the client); a
/// second at NOW + 130 reports an age of 30 s, within the server's window
/// of the ticket's issue time, and resumes.
fn ticket_age_from_receipt() -> Checked {
    let st = setup(|_, _| {})?;
    let (mut c, _) = st.conns(NOW, 10)?;
    let mut s = ServerConnection::new_at(st.sc.clone(), NOW + 100, support::rng(110))
        .map_err(|e| e.to_string())?;
    c.set_time(NOW + 100);
    run_pair(&mut c, &mut s, |_, _| {}).completed("the first handshake")?;
    check::ensure(!st.store.is_empty(), || "no ticket kept".into())?;
    let (c2, s2, run) = st.connect(NOW + 130, 11, |_, _| {})?;
    run.completed("the second handshake")?;
    check::equal(
        "resumed (client, server)",
        (resumed(c2.negotiated()), resumed(s2.negotiated())),
        (Some(true), Some(true)),
    )
}

/// Takes the stored session, changes it with `f`, puts it back.
fn alter_session(st: &Setup, f: impl FnOnce(&mut handshake_tls::Tls13Session)) -> Checked {
    let mut session = st.store.take("localhost").ok_or("no ticket kept")?;
    f(&mut session);
    st.store.put("localhost", session);
    Ok(())
}

/// A second connection that must fall back to a full handshake.
fn falls_back(st: &Setup, now: u64) -> Checked {
    let (c, s, run) = st.connect(now, 4, |_, _| {})?;
    run.completed("the fallback handshake")?;
    check::equal(
        "resumed (client, server)",
        (resumed(c.negotiated()), resumed(s.negotiated())),
        (Some(false), Some(false)),
    )?;
    check::ensure(has_line(s.trace(), "-> Certificate"), || {
        "the server sent no Certificate: not a full handshake".into()
    })
}

/// §4.2.11: a ticket the server cannot open (one byte changed) is not
/// used; the server proceeds with a full handshake.
fn tampered_ticket() -> Checked {
    let st = setup(|_, sc| sc.tls13_tickets = 1)?;
    st.first()?;
    alter_session(&st, |s| {
        let mid = s.ticket.len() / 2;
        s.ticket[mid] ^= 0x40;
    })?;
    falls_back(&st, NOW + 5)
}

/// §4.6.1: a ticket past its lifetime is not used (the client is made to
/// offer it anyway): the server proceeds with a full handshake.
fn expired_ticket() -> Checked {
    let st = setup(|_, sc| {
        sc.tls13_tickets = 1;
        sc.ticket_lifetime = 60;
    })?;
    st.first()?;
    alter_session(&st, |s| s.lifetime = 604_800)?;
    falls_back(&st, NOW + 61)
}

/// §4.6.1: the client does not offer a ticket past its lifetime.
fn client_drops_expired() -> Checked {
    let st = setup(|_, sc| {
        sc.tls13_tickets = 1;
        sc.ticket_lifetime = 60;
    })?;
    st.first()?;
    let (mut c, _) = st.conns(NOW + 61, 5)?;
    let hello = client_hello(&c.poll_transmit().ok_or("no ClientHello")?)?;
    check::ensure(
        !hello
            .extensions
            .iter()
            .any(|e| matches!(e, Extension::PreSharedKey(_))),
        || "an expired ticket was offered".into(),
    )
}

/// §4.6.1: "Servers MUST NOT use any value greater than 604800 seconds":
/// a server configured for more sends 604800.
fn lifetime_capped() -> Checked {
    let st = setup(|_, sc| {
        sc.tls13_tickets = 1;
        sc.ticket_lifetime = 1_000_000;
    })?;
    let (c, _, run) = st.connect(NOW, 6, |_, _| {})?;
    run.completed("the handshake")?;
    check::ensure(
        has_line(c.trace(), "<- NewSessionTicket lifetime=604800s"),
        || format!("no NewSessionTicket with lifetime 604800: {:?}", c.trace()),
    )
}

/// The handshake message in the first (plaintext) record of a flight.
fn first_message(flight: &[u8]) -> Result<HandshakeMessage, String> {
    let len = u16::from_be_bytes([flight[3], flight[4]]) as usize;
    let body = flight.get(9..5 + len).ok_or("short flight")?;
    HandshakeMessage::parse(flight[5], body).map_err(|e| e.to_string())
}

/// The first record of a flight parsed as a ClientHello.
fn client_hello(flight: &[u8]) -> Result<handshake_tls::msgs::ClientHello, String> {
    match first_message(flight)? {
        HandshakeMessage::ClientHello(ch) => Ok(ch),
        other => Err(format!("first message is {}", other.name())),
    }
}

/// A handshake message as a plaintext record.
fn record(msg: &HandshakeMessage) -> Vec<u8> {
    let body = msg.encode();
    let mut out = vec![22, 3, 3];
    out.extend_from_slice(&(body.len() as u16).to_be_bytes());
    out.extend_from_slice(&body);
    out
}

/// A server after one ClientHello: itself, its result, what it sent.
type Seen = (ServerConnection, Result<(), Error>, Vec<u8>);

/// A resuming client's ClientHello, changed by `f`, given to a fresh
/// server.
fn server_sees(f: impl FnOnce(&mut Vec<Extension>)) -> Result<Seen, String> {
    let st = setup(|_, _| {})?;
    st.first()?;
    let (mut c, mut s) = st.conns(NOW + 5, 7)?;
    let mut ch = client_hello(&c.poll_transmit().ok_or("no ClientHello")?)?;
    check::ensure(
        matches!(ch.extensions.last(), Some(Extension::PreSharedKey(_))),
        || "the client did not offer its ticket last".into(),
    )?;
    f(&mut ch.extensions);
    let r = s.read_tls(&record(&HandshakeMessage::ClientHello(ch)));
    let out = s.poll_transmit().unwrap_or_default();
    Ok((s, r, out))
}

/// The server refused with `want` and sent the fatal alert `alert` in the
/// clear.
fn refused(
    r: Result<(), Error>,
    out: &[u8],
    want: fn(&Error) -> bool,
    alert: AlertDescription,
) -> Checked {
    match r {
        Err(e) if want(&e) => {}
        other => return Err(format!("server: got {other:?}")),
    }
    check::equal(
        "alert record",
        out.to_vec(),
        vec![21, 3, 3, 0, 2, 2, alert.to_u8()],
    )
}

/// §4.2.11: pre_shared_key not last in the ClientHello: the server MUST
/// abort with illegal_parameter.
fn psk_not_last() -> Checked {
    let (_, r, out) = server_sees(|exts| {
        if let Some(psk) = exts.pop() {
            exts.insert(0, psk);
        }
    })?;
    refused(
        r,
        &out,
        |e| matches!(e, Error::IllegalParameter { what } if what.contains("§4.2.11")),
        AlertDescription::IllegalParameter,
    )
}

/// §4.2.9: pre_shared_key without psk_key_exchange_modes: the server MUST
/// abort (missing_extension).
fn psk_without_modes() -> Checked {
    let (_, r, out) =
        server_sees(|exts| exts.retain(|e| !matches!(e, Extension::PskKeyExchangeModes(_))))?;
    refused(
        r,
        &out,
        |e| matches!(e, Error::MissingExtension { .. }),
        AlertDescription::MissingExtension,
    )
}

/// §4.2.9: a client that lists only psk_ke: the server MUST NOT select a
/// mode the client did not list, and this server speaks only psk_dhe_ke,
/// so it answers with a full handshake (a Certificate, no pre_shared_key
/// in the ServerHello).
fn psk_ke_only() -> Checked {
    let (s, r, out) = server_sees(|exts| {
        for e in exts.iter_mut() {
            if let Extension::PskKeyExchangeModes(m) = e {
                *m = vec![0];
            }
        }
    })?;
    r.map_err(|e| format!("server: {e}"))?;
    let sh = match first_message(&out)? {
        HandshakeMessage::ServerHello(sh) => sh,
        other => return Err(format!("server answered {}", other.name())),
    };
    check::ensure(
        !sh.extensions
            .iter()
            .any(|e| matches!(e, Extension::SelectedIdentity(_))),
        || "the server selected a PSK for a psk_ke-only client".into(),
    )?;
    check::ensure(has_line(s.trace(), "-> Certificate"), || {
        "the server sent no Certificate".into()
    })
}

/// §4.2.11: a binder that does not validate: the server MUST abort;
/// §6.2 names decrypt_error.
fn bad_binder() -> Checked {
    let st = setup(|_, _| {})?;
    st.first()?;
    let mut first = true;
    let (_, _, run) = st.connect(NOW + 5, 8, |d, b| {
        if d == Dir::ToServer && first {
            first = false;
            // The binder ends the ClientHello, and so the first flight.
            if let Some(x) = b.last_mut() {
                *x ^= 1;
            }
        }
    })?;
    run.server_failed(|e| *e == Error::BadBinder, AlertDescription::DecryptError)
}

/// A resumed handshake whose ServerHello extensions `change` alters (it
/// says whether it changed anything): the client MUST abort with
/// illegal_parameter, its error naming `what`.
fn client_refuses_server_hello(change: fn(&mut Vec<Extension>) -> bool, what: &str) -> Checked {
    let st = setup(|_, _| {})?;
    st.first()?;
    let mut first = true;
    let mut changed = false;
    let (_, _, run) = st.connect(NOW + 5, 9, |d, b| {
        if d != Dir::ToClient || !first {
            return;
        }
        first = false;
        let len = u16::from_be_bytes([b[3], b[4]]) as usize;
        let Ok(HandshakeMessage::ServerHello(mut sh)) = first_message(b) else {
            return;
        };
        changed = change(&mut sh.extensions);
        let rec = record(&HandshakeMessage::ServerHello(sh));
        b.splice(..5 + len, rec);
    })?;
    check::ensure(changed, || "the server did not select the PSK".into())?;
    run.client_failed(
        |e| matches!(e, Error::IllegalParameter { what: w } if w.contains(what)),
        AlertDescription::IllegalParameter,
    )
}

/// §4.2.11: a selected_identity outside the client's list: the client
/// MUST abort with illegal_parameter.
fn selected_identity_out_of_range() -> Checked {
    client_refuses_server_hello(
        |exts| {
            let mut changed = false;
            for e in exts.iter_mut() {
                if let Extension::SelectedIdentity(i) = e {
                    *i = 1;
                    changed = true;
                }
            }
            changed
        },
        "selected_identity",
    )
}

/// §4.2.11: a PSK selected without the key_share that the client's only
/// mode (psk_dhe_ke) requires: the client MUST abort with
/// illegal_parameter.
fn psk_without_key_share() -> Checked {
    client_refuses_server_hello(
        |exts| {
            let before = exts.len();
            exts.retain(|e| !matches!(e, Extension::KeyShare(_)));
            before != exts.len()
                && exts
                    .iter()
                    .any(|e| matches!(e, Extension::SelectedIdentity(_)))
        },
        "without key_share",
    )
}

/// The `tls.resume.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    use crate::Level::Must;
    let mut v = Case::table(
        crate::Kind::Simulation,
        &[
            (
                Must,
                "tls.resume.ours-full-then-resumed",
                "RFC 8446 §2.2, §4.6.1, §7.1",
                full_then_resumed as fn() -> Checked,
            ),
            (
                Must,
                "tls.resume.after-hello-retry",
                "RFC 8446 §4.1.2, §4.2.11.2",
                after_hello_retry,
            ),
            (
                Must,
                "tls.resume.ticket-age-from-receipt",
                "RFC 8446 §4.2.11.1, §4.6.1",
                ticket_age_from_receipt,
            ),
            (
                Must,
                "tls.resume.tampered-ticket-full-handshake",
                "RFC 8446 §4.2.11",
                tampered_ticket,
            ),
            (
                Must,
                "tls.resume.expired-ticket-full-handshake",
                "RFC 8446 §4.6.1, §4.2.11",
                expired_ticket,
            ),
            (
                Must,
                "tls.resume.client-drops-expired-ticket",
                "RFC 8446 §4.6.1",
                client_drops_expired,
            ),
            (
                Must,
                "tls.resume.lifetime-at-most-7-days",
                "RFC 8446 §4.6.1",
                lifetime_capped,
            ),
            (
                Must,
                "tls.resume.psk-not-last-illegal-parameter",
                "RFC 8446 §4.2.11",
                psk_not_last,
            ),
            (
                Must,
                "tls.resume.psk-without-modes-missing-extension",
                "RFC 8446 §4.2.9",
                psk_without_modes,
            ),
            (
                Must,
                "tls.resume.psk-ke-only-full-handshake",
                "RFC 8446 §4.2.9",
                psk_ke_only,
            ),
            (
                Must,
                "tls.resume.bad-binder-decrypt-error",
                "RFC 8446 §4.2.11, §6.2",
                bad_binder,
            ),
            (
                Must,
                "tls.resume.selected-identity-out-of-range",
                "RFC 8446 §4.2.11",
                selected_identity_out_of_range,
            ),
            (
                Must,
                "tls.resume.psk-without-key-share-illegal-parameter",
                "RFC 8446 §4.2.11, §4.2.9",
                psk_without_key_share,
            ),
        ],
    );
    v.extend(peers::cases());
    v
}
