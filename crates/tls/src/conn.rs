//! What client and server share: the record layer driven over a byte stream,
//! the handshake-message joiner, alerts, application data, the event queue,
//! the trace and the key log.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::alert::{AlertDescription, AlertLevel};
use crate::keys::Secret;
use crate::msgs::HandshakeMessage;
use crate::record::{ContentType, Deframer, Header, RecordKeys, MAX_PLAINTEXT};
use crate::suites::{CipherSuite, NamedGroup, SignatureScheme};
use crate::tls12::record::RecordKeys12;
use crate::tls12::Negotiated12;
use crate::trace::{self, KeyLog, TraceLine};
use crate::Error;

/// One direction's record protection: TLS 1.3's or TLS 1.2's.
pub(crate) enum Protection {
    V13(RecordKeys),
    V12(RecordKeys12),
}

/// Largest handshake message buffered (a certificate chain fits easily; a
/// peer cannot make us hold more).
pub const MAX_HANDSHAKE_MESSAGE: usize = 64 * 1024;

/// What happened, for the application (`poll_event`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// Both Finished messages checked: application data may flow.
    HandshakeComplete,
    /// Application data received.
    ApplicationData(Vec<u8>),
    /// The peer sent close_notify (RFC 8446 §6.1); anything after is ignored.
    Closed,
    /// Server only: the client answered post-handshake request number
    /// `request` ([`ServerConnection::request_client_auth`](crate::ServerConnection::request_client_auth))
    /// and its Finished checked (RFC 8446 §4.6.2). `certificate` says
    /// whether it sent a certificate (then validated, its chain in
    /// [`client_certificates`](crate::ServerConnection::client_certificates))
    /// or an empty Certificate, which a server whose client
    /// authentication is not `required` accepts (§4.4.2.4).
    ClientAuthenticated {
        /// The number `request_client_auth` returned.
        request: u64,
        /// Whether a certificate chain was sent and validated.
        certificate: bool,
    },
}

/// What a handshake agreed on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Negotiated {
    /// The cipher suite.
    pub suite: CipherSuite,
    /// The key exchange group.
    pub group: NamedGroup,
    /// The server's CertificateVerify scheme (when resumed, that of the
    /// full handshake the session comes from).
    pub signature_scheme: SignatureScheme,
    /// Whether the handshake resumed a session with a PSK from a ticket
    /// (psk_dhe_ke, RFC 8446 §2.2): no certificates were exchanged.
    pub resumed: bool,
    /// The ALPN protocol, if any.
    pub alpn: Option<Vec<u8>>,
    /// Whether a HelloRetryRequest was needed.
    pub hello_retry: bool,
}

/// A message handler: the client or server state machine.
pub(crate) trait Machine {
    fn handle(&mut self, c: &mut Common, msg: HandshakeMessage, raw: Vec<u8>) -> Result<(), Error>;
}

/// The connection state both sides keep.
pub(crate) struct Common {
    deframer: Deframer,
    hs_buf: Vec<u8>,
    read: Option<Protection>,
    write: Option<Protection>,
    /// TLS 1.2 was negotiated: records carry their own type, ChangeCipherSpec
    /// switches keys, and warning alerts are not fatal.
    pub(crate) tls12: bool,
    /// TLS 1.2 read keys that the peer's ChangeCipherSpec makes current.
    pending_read: Option<RecordKeys12>,
    out: Vec<u8>,
    events: VecDeque<Event>,
    pub(crate) error: Option<Error>,
    pub(crate) connected: bool,
    peer_closed: bool,
    we_closed: bool,
    pub(crate) trace: Option<Vec<TraceLine>>,
    pub(crate) key_log: Option<Arc<dyn KeyLog>>,
    pub(crate) client_random: [u8; 32],
    max_fragment: usize,
    /// The caller's limit on records per TLS 1.3 write key, if any (§5.5).
    records_per_key: Option<u64>,
    pub(crate) negotiated: Option<Negotiated>,
    pub(crate) negotiated12: Option<Negotiated12>,
    pub(crate) session12: Option<crate::tls12::Tls12Session>,
    /// The server's view of the client's validated certificate chain.
    pub(crate) client_chain: Option<Vec<Vec<u8>>>,
    /// The client's copy of the chain the server presented (validated or not).
    pub(crate) server_chain: Option<Vec<Vec<u8>>>,
    /// The client's copy of the last CertificateRequest's
    /// certificate_authorities (RFC 8446 §4.2.4, RFC 5246 §7.4.4).
    pub(crate) authorities: Vec<Vec<u8>>,
}

impl Common {
    pub(crate) fn new(
        trace: bool,
        key_log: Option<Arc<dyn KeyLog>>,
        max_fragment: usize,
        records_per_key: Option<u64>,
    ) -> Self {
        Common {
            deframer: Deframer::default(),
            hs_buf: Vec::new(),
            read: None,
            write: None,
            tls12: false,
            pending_read: None,
            out: Vec::new(),
            events: VecDeque::new(),
            error: None,
            connected: false,
            peer_closed: false,
            we_closed: false,
            trace: trace.then(Vec::new),
            key_log,
            client_random: [0; 32],
            max_fragment: max_fragment.clamp(1, MAX_PLAINTEXT),
            records_per_key,
            negotiated: None,
            server_chain: None,
            negotiated12: None,
            session12: None,
            client_chain: None,
            authorities: Vec::new(),
        }
    }

    pub(crate) fn note(&mut self, line: impl FnOnce() -> TraceLine) {
        if let Some(t) = &mut self.trace {
            t.push(line());
        }
    }

    /// Records a derived secret: its label in the trace, its value in the key
    /// log (when one is configured).
    pub(crate) fn secret(
        &mut self,
        label: &'static str,
        nss_label: Option<&'static str>,
        value: &[u8],
    ) {
        self.note(|| TraceLine::Secret(label));
        if let (Some(log), Some(nss)) = (&self.key_log, nss_label) {
            log.log(nss, &self.client_random, value);
        }
    }

    pub(crate) fn set_read_keys(&mut self, k: RecordKeys) -> Result<(), Error> {
        // §5.1: a message before a key change must end at a record boundary.
        if !self.hs_buf.is_empty() {
            return Err(Error::HandshakeSpansKeyChange);
        }
        self.read = Some(Protection::V13(k));
        Ok(())
    }

    pub(crate) fn set_write_keys(&mut self, k: RecordKeys) {
        self.write = Some(Protection::V13(k));
    }

    /// Switches the record layer to TLS 1.2's rules once it is negotiated.
    pub(crate) fn enter_tls12(&mut self) {
        self.tls12 = true;
        self.deframer
            .set_max_fragment(crate::record::MAX_CIPHERTEXT_TLS12);
    }

    /// TLS 1.2: the read keys the peer's next ChangeCipherSpec switches to
    /// (RFC 5246 §7.1); a ChangeCipherSpec before this is unexpected.
    pub(crate) fn set_pending_read12(&mut self, k: RecordKeys12) {
        self.pending_read = Some(k);
    }

    /// TLS 1.2: sends ChangeCipherSpec and protects everything after it with
    /// `k` (RFC 5246 §7.1).
    pub(crate) fn send_ccs12(&mut self, k: RecordKeys12) -> Result<(), Error> {
        self.write_records(ContentType::ChangeCipherSpec, &[1])?;
        self.write = Some(Protection::V12(k));
        Ok(())
    }

    /// Whether records read now are protected (TLS 1.2: after the peer's
    /// ChangeCipherSpec).
    pub(crate) fn read_protected(&self) -> bool {
        self.read.is_some()
    }

    pub(crate) fn push_event(&mut self, e: Event) {
        self.events.push_back(e);
    }

    pub(crate) fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    pub(crate) fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        (!self.out.is_empty()).then(|| std::mem::take(&mut self.out))
    }

    /// Writes `content` as records of `typ`, protected once write keys exist.
    fn write_records(&mut self, typ: ContentType, content: &[u8]) -> Result<(), Error> {
        let chunk = self.max_fragment;
        let mut pieces = content.chunks(chunk).peekable();
        if pieces.peek().is_none() {
            return Ok(());
        }
        for piece in pieces {
            match &mut self.write {
                Some(Protection::V13(k)) => k.seal_into(typ, piece, 0, &mut self.out)?,
                Some(Protection::V12(k)) => k.seal_into(typ, piece, &mut self.out)?,
                None => {
                    let h = Header {
                        typ,
                        version: 0x0303,
                        len: piece.len(),
                    };
                    self.out.extend_from_slice(&h.encode());
                    self.out.extend_from_slice(piece);
                }
            }
        }
        Ok(())
    }

    pub(crate) fn send_handshake(&mut self, msg: &HandshakeMessage) -> Result<Vec<u8>, Error> {
        let raw = msg.encode();
        // Described only when traced: formatting every message cost a
        // handshake about 4% of its time.
        self.note(|| TraceLine::Sent(trace::describe(msg)));
        self.write_records(ContentType::Handshake, &raw)?;
        Ok(raw)
    }

    /// The middlebox-compatibility change_cipher_spec record (RFC 8446 §D.4).
    pub(crate) fn send_ccs(&mut self) {
        self.out.extend_from_slice(&[20, 3, 3, 0, 1, 1]);
    }

    pub(crate) fn send_alert(&mut self, level: AlertLevel, desc: AlertDescription) {
        let lv = match level {
            AlertLevel::Warning => 1,
            AlertLevel::Fatal => 2,
        };
        self.note(|| TraceLine::AlertSent(desc));
        // A failure to seal (sequence exhausted) leaves nothing more to say.
        let _ = self.write_records(ContentType::Alert, &[lv, desc.to_u8()]);
    }

    /// Whether this side may send after the handshake: connected, not
    /// failed, close_notify not sent.
    pub(crate) fn check_open(&self) -> Result<(), Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if !self.connected || self.we_closed {
            return Err(Error::NotConnected);
        }
        Ok(())
    }

    /// Queues application data, one record per `max_fragment` bytes. In
    /// TLS 1.3 (`app` is the connected machine's secrets) a write key that
    /// has protected its share of records (RFC 8446 §5.5) is replaced with
    /// a KeyUpdate first (§4.6.3), so a sequence number never wraps (§5.3).
    pub(crate) fn send_app(
        &mut self,
        data: &[u8],
        mut app: Option<&mut AppSecrets>,
    ) -> Result<(), Error> {
        self.check_open()?;
        for piece in data.chunks(self.max_fragment) {
            if let (Some(app), Some(Protection::V13(k))) = (app.as_deref_mut(), &self.write) {
                if k.exhausted(self.records_per_key) {
                    app.update_ours(self, false)?;
                }
            }
            self.write_records(ContentType::ApplicationData, piece)?;
        }
        Ok(())
    }

    pub(crate) fn close(&mut self) {
        if !self.we_closed && self.error.is_none() {
            self.we_closed = true;
            self.send_alert(AlertLevel::Warning, AlertDescription::CloseNotify);
        }
    }

    /// Fails the connection: remembers the error and sends its alert.
    pub(crate) fn fail(&mut self, e: &Error) {
        if self.error.is_none() {
            self.error = Some(e.clone());
            self.note(|| TraceLine::Error(e.to_string()));
            if let Some(desc) = e.alert() {
                self.send_alert(AlertLevel::Fatal, desc);
            }
        }
    }

    /// Feeds received bytes through the record layer and `m`.
    pub(crate) fn read_tls(&mut self, data: &[u8], m: &mut dyn Machine) -> Result<(), Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if self.peer_closed {
            // §6.1: data after close_notify is ignored.
            return Ok(());
        }
        let r = self.process(data, m);
        if let Err(e) = &r {
            self.fail(e);
        }
        r
    }

    fn process(&mut self, mut data: &[u8], m: &mut dyn Machine) -> Result<(), Error> {
        while !self.peer_closed {
            let Some((h, frag)) = self.deframer.next(&mut data)? else {
                return Ok(());
            };
            if self.tls12 {
                self.record12(h, frag, m)?;
                continue;
            }
            let (typ, content) = match (h.typ, &mut self.read) {
                (ContentType::ChangeCipherSpec, _) => {
                    // §5: a single-byte 0x01 change_cipher_spec during the
                    // handshake is dropped; any other is unexpected_message.
                    if self.connected || frag != [1] {
                        return Err(Error::UnexpectedRecord { content_type: 20 });
                    }
                    continue;
                }
                (ContentType::ApplicationData, Some(Protection::V13(k))) => k.open(&h, frag)?,
                // A peer that fails before it has keys (a client refusing the
                // ServerHello) can only send its alert in the clear.
                (ContentType::Alert, Some(_)) if !self.connected && frag.len() == 2 => {
                    (ContentType::Alert, frag)
                }
                (t, Some(_)) => {
                    return Err(Error::UnexpectedRecord {
                        content_type: t.to_u8(),
                    })
                }
                (t, None) => {
                    // §5.1: TLSPlaintext.length MUST NOT exceed 2^14.
                    if frag.len() > MAX_PLAINTEXT {
                        return Err(Error::RecordOverflow { len: frag.len() });
                    }
                    (t, frag)
                }
            };
            self.dispatch(typ, content, m)?;
        }
        Ok(())
    }

    /// One TLS 1.2 record (RFC 5246 §6.2): the header's type is the real
    /// type; ChangeCipherSpec switches to the pending read keys.
    fn record12(&mut self, h: Header, frag: Vec<u8>, m: &mut dyn Machine) -> Result<(), Error> {
        let content = match &mut self.read {
            Some(Protection::V12(k)) => k.open(&h, frag)?,
            Some(Protection::V13(_)) => {
                return Err(Error::UnexpectedRecord {
                    content_type: h.typ.to_u8(),
                })
            }
            None => {
                // RFC 5246 §6.2.1: TLSPlaintext.length MUST NOT exceed 2^14.
                if frag.len() > MAX_PLAINTEXT {
                    return Err(Error::RecordOverflow { len: frag.len() });
                }
                frag
            }
        };
        if h.typ == ContentType::ChangeCipherSpec {
            // RFC 5246 §7.1: the message is one byte of value 1; it comes
            // only where the handshake expects it (pending keys exist) and
            // not in the middle of a handshake message.
            if content != [1] || !self.hs_buf.is_empty() {
                return Err(Error::UnexpectedRecord { content_type: 20 });
            }
            let Some(k) = self.pending_read.take() else {
                return Err(Error::UnexpectedRecord { content_type: 20 });
            };
            self.read = Some(Protection::V12(k));
            return Ok(());
        }
        self.dispatch(h.typ, content, m)
    }

    fn dispatch(
        &mut self,
        typ: ContentType,
        content: Vec<u8>,
        m: &mut dyn Machine,
    ) -> Result<(), Error> {
        {
            match typ {
                ContentType::Handshake => self.handshake_fragment(&content, m)?,
                ContentType::Alert => self.alert(&content)?,
                ContentType::ApplicationData => {
                    // §5.1: handshake messages are not interleaved with other types.
                    if !self.connected || !self.hs_buf.is_empty() {
                        return Err(Error::UnexpectedRecord { content_type: 23 });
                    }
                    if !content.is_empty() {
                        self.events.push_back(Event::ApplicationData(content));
                    }
                }
                ContentType::ChangeCipherSpec => {
                    return Err(Error::UnexpectedRecord { content_type: 20 });
                }
            }
        }
        Ok(())
    }

    fn handshake_fragment(&mut self, content: &[u8], m: &mut dyn Machine) -> Result<(), Error> {
        // §5.1: zero-length Handshake fragments MUST NOT be sent.
        if content.is_empty() {
            return Err(Error::Decode {
                what: "zero-length handshake fragment (RFC 8446 §5.1)",
            });
        }
        self.hs_buf.extend_from_slice(content);
        while self.hs_buf.len() >= 4 {
            let len =
                u32::from_be_bytes([0, self.hs_buf[1], self.hs_buf[2], self.hs_buf[3]]) as usize;
            if len > MAX_HANDSHAKE_MESSAGE {
                return Err(Error::HandshakeTooLarge {
                    len,
                    max: MAX_HANDSHAKE_MESSAGE,
                });
            }
            if self.hs_buf.len() < 4 + len {
                break;
            }
            let raw: Vec<u8> = self.hs_buf.drain(..4 + len).collect();
            let msg = if self.tls12 {
                HandshakeMessage::parse_tls12(raw[0], &raw[4..])?
            } else {
                HandshakeMessage::parse(raw[0], &raw[4..])?
            };
            self.note(|| TraceLine::Received(trace::describe(&msg)));
            m.handle(self, msg, raw)?;
            if self.error.is_some() || self.peer_closed {
                break;
            }
        }
        Ok(())
    }

    fn alert(&mut self, content: &[u8]) -> Result<(), Error> {
        if content.len() != 2 {
            return Err(Error::Decode {
                what: "alert is two bytes (RFC 8446 §6)",
            });
        }
        let desc = AlertDescription::from_u8(content[1]);
        self.note(|| TraceLine::AlertReceived(desc));
        match desc {
            AlertDescription::CloseNotify => {
                self.peer_closed = true;
                self.events.push_back(Event::Closed);
                Ok(())
            }
            // §6.1: user_canceled is followed by close_notify; nothing to do.
            AlertDescription::UserCanceled => Ok(()),
            // RFC 5246 §7.2: in TLS 1.2 a warning (no_renegotiation, say)
            // does not end the connection.
            _ if self.tls12 && content[0] == 1 => Ok(()),
            // §6: in TLS 1.3 every other alert is fatal, whatever its level.
            other => {
                let e = Error::PeerAlert(other);
                self.error = Some(e.clone());
                Err(e)
            }
        }
    }
}

/// A traffic secret and the keys it made, kept for KeyUpdate (§4.6.3).
pub(crate) struct AppSecrets {
    pub(crate) suite: CipherSuite,
    pub(crate) ours: Secret,
    pub(crate) theirs: Secret,
    /// The client's resumption_master_secret (RFC 8446 §7.1), for the
    /// tickets that may follow; the server issues its tickets at once.
    pub(crate) resumption: Option<Secret>,
}

impl AppSecrets {
    /// Handles a KeyUpdate: the peer's next secret for reading and, when
    /// asked, our own KeyUpdate and next secret for writing (RFC 8446 §4.6.3).
    pub(crate) fn key_update(
        &mut self,
        c: &mut Common,
        update_requested: bool,
    ) -> Result<(), Error> {
        let (aead, hash) = (self.suite.aead(), self.suite.hash());
        self.theirs = crate::keys::next_traffic_secret(hash, &self.theirs);
        c.set_read_keys(RecordKeys::from_secret(aead, hash, &self.theirs))?;
        c.note(|| TraceLine::Secret("traffic upd (peer)"));
        if update_requested {
            self.update_ours(c, false)?;
        }
        Ok(())
    }

    /// Sends our KeyUpdate and switches to the next write secret.
    pub(crate) fn update_ours(&mut self, c: &mut Common, request: bool) -> Result<(), Error> {
        let (aead, hash) = (self.suite.aead(), self.suite.hash());
        c.send_handshake(&HandshakeMessage::KeyUpdate {
            update_requested: request,
        })?;
        self.ours = crate::keys::next_traffic_secret(hash, &self.ours);
        c.set_write_keys(RecordKeys::from_secret(aead, hash, &self.ours));
        c.note(|| TraceLine::Secret("traffic upd (ours)"));
        Ok(())
    }
}
