//! TLS 1.3 resumption (RFC 8446 §2.2, §4.2.11, §4.6.1): what the server
//! seals into a NewSessionTicket, what the client keeps of one (a
//! [`Tls13Session`] in a [`ClientSessionStore`]), the PSK binder both
//! compute, and the server's choice of an offered PSK.
//!
//! Only psk_dhe_ke is spoken (§4.2.9): a resumed handshake still makes a
//! fresh (EC)DHE share, so it keeps forward secrecy. Early data (0-RTT,
//! §4.2.10) is not offered, and a server ignores a client's early_data
//! extension (it never accepts it).

use std::collections::VecDeque;
use std::sync::Mutex;

use handshake_crypto::ct_eq;
use rand_core::CryptoRngCore;
use zeroize::Zeroizing;

use crate::conn::Common;
use crate::extensions::{find, Extension, OfferedPsks, PskIdentity};
use crate::keys::{psk_binder, resumption_psk, KeySchedule, Secret, Transcript};
use crate::msgs::{ClientHello, HandshakeMessage, NewSessionTicket};
use crate::suites::{CipherSuite, SignatureScheme};
use crate::tls12::ticket::{open_with, seal_with};
use crate::trace::TraceLine;
use crate::Error;

/// The longest ticket lifetime: 7 days (§4.6.1: servers MUST NOT use more;
/// clients MUST NOT cache tickets for longer).
pub const MAX_TICKET_LIFETIME: u32 = 604_800;

/// psk_dhe_ke (§4.2.9), the only mode offered and accepted.
pub const PSK_DHE_KE: u8 = 1;

/// How far the client's idea of a ticket's age may be from the server's
/// before the server declines the ticket (seconds; §4.2.11.1's window is the
/// server's choice, and matters only for 0-RTT, which this crate refuses).
pub const AGE_WINDOW_SECS: u64 = 60;

const LABEL: &[u8] = b"handshake-tls 1.3 ticket v1";

/// A TLS 1.3 session a client can resume: the server's ticket and the PSK
/// derived for it (§4.6.1). The PSK is zeroized on drop and never printed.
#[derive(Clone)]
pub struct Tls13Session {
    /// The suite of the connection that received the ticket; a resumption
    /// must use a suite with the same hash (§4.2.11).
    pub suite: CipherSuite,
    /// The scheme of the CertificateVerify that authenticated the server
    /// in the full handshake this session comes from.
    pub signature_scheme: SignatureScheme,
    /// The server's opaque ticket.
    pub ticket: Vec<u8>,
    /// ticket_age_add.
    pub age_add: u32,
    /// ticket_lifetime, at most [`MAX_TICKET_LIFETIME`].
    pub lifetime: u32,
    /// When the client received it (seconds since the Unix epoch, the
    /// caller's clock).
    pub received_at: u64,
    psk: Secret,
}

impl core::fmt::Debug for Tls13Session {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tls13Session")
            .field("suite", &self.suite)
            .field("lifetime", &self.lifetime)
            .field("received_at", &self.received_at)
            .field("ticket_len", &self.ticket.len())
            .finish_non_exhaustive()
    }
}

impl Tls13Session {
    /// Whether the ticket may still be offered at `now` (§4.6.1).
    pub fn is_fresh(&self, now: u64) -> bool {
        now >= self.received_at && now - self.received_at <= u64::from(self.lifetime)
    }
}

/// Where a client keeps the tickets servers give it, by server name (like
/// rustls's `ClientSessionStore`). A ticket is taken out when offered, so
/// it is used once (§C.4 recommends single-use tickets).
pub trait ClientSessionStore: Send + Sync {
    /// Keeps a session received from `server_name`.
    fn put(&self, server_name: &str, session: Tls13Session);
    /// Removes and returns the newest session for `server_name`.
    fn take(&self, server_name: &str) -> Option<Tls13Session>;
}

/// A [`ClientSessionStore`] in memory, holding at most `capacity`
/// sessions (the oldest dropped first).
///
/// ```
/// use std::sync::Arc;
/// use handshake_tls::{ClientConfig, MemorySessionStore};
/// let mut config = ClientConfig::new(Vec::new());
/// config.session_store = Some(Arc::new(MemorySessionStore::new(32)));
/// ```
pub struct MemorySessionStore {
    capacity: usize,
    sessions: Mutex<VecDeque<(String, Tls13Session)>>,
}

impl MemorySessionStore {
    /// An empty store for at most `capacity` sessions (at least one).
    pub fn new(capacity: usize) -> Self {
        MemorySessionStore {
            capacity: capacity.max(1),
            sessions: Mutex::new(VecDeque::new()),
        }
    }

    /// How many sessions are held.
    pub fn len(&self) -> usize {
        self.sessions.lock().map(|s| s.len()).unwrap_or(0)
    }

    /// Whether no session is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ClientSessionStore for MemorySessionStore {
    fn put(&self, server_name: &str, session: Tls13Session) {
        if let Ok(mut s) = self.sessions.lock() {
            while s.len() >= self.capacity {
                s.pop_front();
            }
            s.push_back((server_name.to_string(), session));
        }
    }

    fn take(&self, server_name: &str) -> Option<Tls13Session> {
        let mut s = self.sessions.lock().ok()?;
        let at = s.iter().rposition(|(n, _)| n == server_name)?;
        s.remove(at).map(|(_, session)| session)
    }
}

/// What the server seals into a ticket: suite (2) || scheme (2) ||
/// issued_at (8) || lifetime (4) || age_add (4) || PSK (hash length).
struct TicketState {
    suite: CipherSuite,
    scheme: SignatureScheme,
    issued_at: u64,
    lifetime: u32,
    age_add: u32,
    psk: Secret,
}

impl TicketState {
    fn seal(&self, key: &[u8; 32], nonce: [u8; 12]) -> Option<Vec<u8>> {
        let mut b = Zeroizing::new(Vec::with_capacity(20 + self.psk.len()));
        b.extend_from_slice(&self.suite.to_u16().to_be_bytes());
        b.extend_from_slice(&self.scheme.to_u16().to_be_bytes());
        b.extend_from_slice(&self.issued_at.to_be_bytes());
        b.extend_from_slice(&self.lifetime.to_be_bytes());
        b.extend_from_slice(&self.age_add.to_be_bytes());
        b.extend_from_slice(&self.psk);
        seal_with(key, nonce, LABEL, &b)
    }

    /// `None` for a ticket that does not authenticate under `key` or does
    /// not hold a well-formed state.
    fn open(key: &[u8; 32], ticket: &[u8]) -> Option<TicketState> {
        let b = open_with(key, LABEL, ticket)?;
        let psk = b.get(20..)?;
        let suite = CipherSuite::from_u16(u16::from_be_bytes([b[0], b[1]]))?;
        let scheme = SignatureScheme::from_u16(u16::from_be_bytes([b[2], b[3]]))?;
        if psk.len() != suite.hash().len() {
            return None;
        }
        Some(TicketState {
            suite,
            scheme,
            issued_at: u64::from_be_bytes(b[4..12].try_into().ok()?),
            lifetime: u32::from_be_bytes(b[12..16].try_into().ok()?),
            age_add: u32::from_be_bytes(b[16..20].try_into().ok()?),
            psk: Zeroizing::new(psk.to_vec()),
        })
    }
}

/// A PSK the client offered, kept until the ServerHello.
pub(crate) struct Offered {
    pub(crate) session: Tls13Session,
    pub(crate) early: Secret,
}

/// Adds (or replaces) the pre_shared_key extension, last (§4.2.11), with
/// the binder over `prefix` (empty for the first ClientHello; after a
/// HelloRetryRequest, message_hash(ClientHello1) and the HelloRetryRequest)
/// and Truncate(ClientHello) (§4.2.11.2).
pub(crate) fn attach(hello: &mut ClientHello, offer: &Offered, now: u64, prefix: &Transcript) {
    let hash = offer.session.suite.hash();
    hello
        .extensions
        .retain(|e| !matches!(e, Extension::PreSharedKey(_)));
    // §4.2.11.1: the age in milliseconds plus ticket_age_add, mod 2^32.
    let age_ms = now.saturating_sub(offer.session.received_at) * 1000;
    let mut psks = OfferedPsks {
        identities: vec![PskIdentity {
            identity: offer.session.ticket.clone(),
            obfuscated_age: (age_ms as u32).wrapping_add(offer.session.age_add),
        }],
        binders: vec![vec![0; hash.len()]],
    };
    let trunc = psks.binders_len();
    hello.extensions.push(Extension::PreSharedKey(psks.clone()));
    let raw = HandshakeMessage::ClientHello(hello.clone()).encode();
    let th = truncated_hash(prefix, hash, &raw, trunc);
    psks.binders = vec![psk_binder(hash, &offer.early, &th)];
    if let Some(last) = hello.extensions.last_mut() {
        *last = Extension::PreSharedKey(psks);
    }
}

/// Transcript-Hash(prefix || Truncate(ClientHello)): the message without
/// its binders list, its length fields unchanged (§4.2.11.2).
fn truncated_hash(
    prefix: &Transcript,
    hash: crate::suites::HashAlg,
    raw: &[u8],
    binders_len: usize,
) -> Vec<u8> {
    let mut t = prefix.clone();
    t.start_hash(hash);
    t.add(&raw[..raw.len().saturating_sub(binders_len)]);
    t.current()
}

/// The client's session to offer: the newest fresh one for `name` whose
/// suite it still offers.
pub(crate) fn take_offer(
    config: &crate::ClientConfig,
    name: &str,
    now: u64,
) -> Option<Box<Offered>> {
    let store = config.session_store.as_ref()?;
    if !config.offers13() {
        return None;
    }
    let session = store.take(name)?;
    if !session.is_fresh(now) || !config.cipher_suites.contains(&session.suite) {
        return None;
    }
    let early = KeySchedule::early_secret_psk(session.suite.hash(), &session.psk);
    Some(Box::new(Offered { session, early }))
}

/// The client keeps a NewSessionTicket (§4.6.1) in its store: the PSK is
/// HKDF-Expand-Label(resumption_master_secret, "resumption", nonce).
pub(crate) fn keep_ticket(
    config: &crate::ClientConfig,
    name: &str,
    now: u64,
    suite: CipherSuite,
    scheme: SignatureScheme,
    resumption_master: &[u8],
    nst: NewSessionTicket,
) {
    let Some(store) = &config.session_store else {
        return;
    };
    // §4.6.1: a zero lifetime means discard at once; never keep one longer
    // than 7 days.
    if nst.lifetime == 0 {
        return;
    }
    store.put(
        name,
        Tls13Session {
            suite,
            signature_scheme: scheme,
            ticket: nst.ticket,
            age_add: nst.age_add,
            lifetime: nst.lifetime.min(MAX_TICKET_LIFETIME),
            received_at: now,
            psk: resumption_psk(suite.hash(), resumption_master, &nst.nonce),
        },
    );
}

/// A PSK the server accepted.
pub(crate) struct Accepted {
    pub(crate) index: u16,
    pub(crate) early: Secret,
    pub(crate) scheme: SignatureScheme,
}

/// The server's choice among the client's PSKs (§4.2.11): the first
/// identity that is one of our tickets, unexpired, for a suite with the
/// chosen suite's hash, with a client age within [`AGE_WINDOW_SECS`];
/// `None` falls back to a full handshake. The chosen identity's binder
/// MUST validate, else the handshake ends with decrypt_error.
pub(crate) fn accept(
    key: Option<&Zeroizing<[u8; 32]>>,
    now: Option<u64>,
    ch: &ClientHello,
    raw: &[u8],
    prefix: &Transcript,
    suite: CipherSuite,
) -> Result<Option<Accepted>, Error> {
    let Some(offer) = find(&ch.extensions, |e| match e {
        Extension::PreSharedKey(p) => Some(p),
        _ => None,
    }) else {
        return Ok(None);
    };
    // §4.2.9: a client offering pre_shared_key without
    // psk_key_exchange_modes: the server MUST abort.
    let modes = find(&ch.extensions, |e| match e {
        Extension::PskKeyExchangeModes(m) => Some(m),
        _ => None,
    })
    .ok_or(Error::MissingExtension {
        what: "psk_key_exchange_modes with pre_shared_key (RFC 8446 §4.2.9)",
    })?;
    // §4.2.9: the server MUST NOT select a mode the client did not list;
    // psk_ke alone (no forward secrecy) is declined with a full handshake.
    if !modes.contains(&PSK_DHE_KE) {
        return Ok(None);
    }
    let (Some(key), Some(now)) = (key, now) else {
        return Ok(None);
    };
    let hash = suite.hash();
    for (i, id) in offer.identities.iter().enumerate() {
        let Some(t) = TicketState::open(key, &id.identity) else {
            continue;
        };
        let age = now.checked_sub(t.issued_at);
        let fresh = age.is_some_and(|a| a <= u64::from(t.lifetime));
        let client_age = u64::from(id.obfuscated_age.wrapping_sub(t.age_add)) / 1000;
        let in_window = age.is_some_and(|a| a.abs_diff(client_age) <= AGE_WINDOW_SECS);
        // §4.2.11: the PSK's hash must be the suite's.
        if !fresh || !in_window || t.suite.hash() != hash {
            continue;
        }
        let early = KeySchedule::early_secret_psk(hash, &t.psk);
        let th = truncated_hash(prefix, hash, raw, offer.binders_len());
        let expected = psk_binder(hash, &early, &th);
        let got = &offer.binders[i];
        // §4.2.11: the binder MUST validate; compared in constant time.
        if got.len() != expected.len() || !ct_eq(&expected, got) {
            return Err(Error::BadBinder);
        }
        return Ok(Some(Accepted {
            index: i as u16,
            early,
            scheme: t.scheme,
        }));
    }
    Ok(None)
}

/// What the server's tickets carry about the connection.
pub(crate) struct Issue<'a> {
    pub(crate) key: &'a [u8; 32],
    pub(crate) count: usize,
    pub(crate) lifetime: u32,
    pub(crate) now: u64,
    pub(crate) suite: CipherSuite,
    pub(crate) scheme: SignatureScheme,
}

/// Sends `count` NewSessionTickets after the handshake (§4.6.1), each
/// with its own nonce, PSK and ticket_age_add from the caller's RNG.
pub(crate) fn issue(
    c: &mut Common,
    rng: &mut dyn CryptoRngCore,
    is: Issue<'_>,
    resumption_master: &[u8],
) -> Result<(), Error> {
    let hash = is.suite.hash();
    for n in 0..is.count.min(255) {
        let nonce = vec![n as u8];
        let mut aead_nonce = [0u8; 12];
        rng.fill_bytes(&mut aead_nonce);
        let state = TicketState {
            suite: is.suite,
            scheme: is.scheme,
            issued_at: is.now,
            lifetime: is.lifetime.min(MAX_TICKET_LIFETIME),
            age_add: rng.next_u32(),
            psk: resumption_psk(hash, resumption_master, &nonce),
        };
        let ticket = state
            .seal(is.key, aead_nonce)
            .ok_or(Error::Config("ticket key"))?;
        c.send_handshake(&HandshakeMessage::NewSessionTicket(NewSessionTicket {
            lifetime: state.lifetime,
            age_add: state.age_add,
            nonce,
            ticket,
            extensions: Vec::new(),
        }))?;
    }
    if is.count > 0 {
        c.note(|| TraceLine::Secret("resumption"));
    }
    Ok(())
}
