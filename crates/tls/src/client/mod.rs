//! The TLS 1.3 client (RFC 8446 §2, §4): a state machine fed handshake
//! messages by the record layer, each state consuming itself into the next.

use std::sync::Arc;

use handshake_crypto::{ct_eq, PublicKey};
use rand_core::CryptoRngCore;

use crate::cert::ServerName;
use crate::config::ClientConfig;
use crate::conn::{AppSecrets, Common, Event, Machine, Negotiated};
use crate::extensions::{find, Extension, KeyShareEntry};
use crate::keys::{finished_verify_data, KeySchedule, Secret, Transcript};
use crate::kx::KeyShare;
use crate::msgs::{message_hash, ClientHello, HandshakeMessage, ServerHello};
use crate::psk::{self, Offered};
use crate::record::RecordKeys;
use crate::sign;
use crate::suites::{CipherSuite, NamedGroup, SignatureScheme, TLS12, TLS13};
use crate::tls12::client::{self as client12, State12};
use crate::tls12::{Negotiated12, Tls12Session};
use crate::trace::TraceLine;
use crate::Error;

pub(crate) mod auth;
mod hello;

use hello::client_hello;

/// The last 8 bytes of ServerHello.random when a TLS 1.3 server negotiates
/// TLS 1.2 ("DOWNGRD" 01) or below ("DOWNGRD" 00) (RFC 8446 §4.1.3).
pub const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";
/// See [`DOWNGRADE_TLS12`].
pub const DOWNGRADE_TLS11: [u8; 8] = *b"DOWNGRD\x00";

struct Handshake {
    suite: CipherSuite,
    group: NamedGroup,
    hello_retry: bool,
    ks: KeySchedule,
    transcript: Transcript,
    client_hs: Secret,
    server_hs: Secret,
    alpn: Option<Vec<u8>>,
    /// A PSK resumption: the original handshake's CertificateVerify scheme.
    resumed: Option<SignatureScheme>,
    /// The server's CertificateRequest, if it sent one.
    cert_request: Option<auth::Request>,
}

enum State {
    ExpectServerHello {
        hello: ClientHello,
        shares: Vec<KeyShare>,
        transcript: Transcript,
        hrr_suite: Option<CipherSuite>,
        psk: Option<Box<Offered>>,
    },
    ExpectEncryptedExtensions(Handshake),
    ExpectCertificate(Handshake),
    ExpectCertificateVerify(Handshake, PublicKey),
    ExpectFinished(Handshake, SignatureScheme),
    Connected(AppSecrets),
    /// TLS 1.2 was negotiated.
    Tls12(Box<State12>),
    Failed,
}

impl State {
    fn waiting_for(&self) -> &'static str {
        match self {
            State::ExpectServerHello { .. } => "waiting for ServerHello",
            State::ExpectEncryptedExtensions(_) => "waiting for EncryptedExtensions",
            State::ExpectCertificate(_) => "waiting for Certificate",
            State::ExpectCertificateVerify(..) => "waiting for CertificateVerify",
            State::ExpectFinished(..) => "waiting for Finished",
            State::Connected(_) => "connected",
            State::Tls12(_) => "TLS 1.2",
            State::Failed => "failed",
        }
    }
}

struct ClientMachine {
    config: Arc<ClientConfig>,
    name: ServerName,
    /// The name as given, the session store's key.
    host: String,
    now: u64,
    rng: Box<dyn CryptoRngCore + Send>,
    state: State,
    /// With post_handshake_auth offered (RFC 8446 §4.2.6) and TLS 1.3
    /// connected: the transcript through the client Finished, the start
    /// of every post-handshake authentication's handshake context (§4.4).
    pha_base: Option<Transcript>,
}

/// A TLS 1.3 client connection.
///
/// Sans-IO: [`read_tls`](Self::read_tls) takes bytes from the peer,
/// [`poll_transmit`](Self::poll_transmit) gives the bytes to send,
/// [`poll_event`](Self::poll_event) says what happened. The caller supplies
/// the time (for certificate validity) and the RNG.
pub struct ClientConnection {
    common: Common,
    machine: ClientMachine,
}

impl ClientConnection {
    /// Starts a handshake with `server_name` (a DNS name or an IP literal);
    /// the ClientHello is ready in [`poll_transmit`](Self::poll_transmit).
    /// `now_unix` is seconds since the Unix epoch, for certificate validity.
    pub fn new(
        config: Arc<ClientConfig>,
        server_name: &str,
        now_unix: u64,
        mut rng: Box<dyn CryptoRngCore + Send>,
    ) -> Result<Self, Error> {
        config.check()?;
        let name = ServerName::new(server_name);
        let mut common = Common::new(
            config.trace,
            config.key_log.clone(),
            config.max_fragment,
            config.records_per_key,
        );
        // Key shares only for TLS 1.3; TLS 1.2 ECDHE makes its share after
        // the ServerKeyExchange names the curve.
        let n = if config.offers13() {
            config.key_shares.clamp(1, config.groups.len())
        } else {
            0
        };
        let shares: Vec<KeyShare> = config.groups[..n]
            .iter()
            .map(|g| KeyShare::generate(*g, &mut *rng))
            .collect();
        let mut random = [0u8; 32];
        rng.fill_bytes(&mut random);
        common.client_random = random;
        // RFC 5077 §3.4: a client offering a ticket sends a session ID, which
        // the server echoes when it resumes.
        let resume = config.offers12() && config.tls12_session_tickets;
        let ticket = resume
            .then(|| {
                config
                    .tls12_session
                    .as_ref()
                    .filter(|s| config.tls12_suites.contains(&s.suite))
                    .map(|s| s.ticket.clone())
            })
            .flatten();
        let mut session_id = Vec::new();
        if ticket.is_some() {
            session_id = vec![0u8; 32];
            rng.fill_bytes(&mut session_id);
        }
        let mut hello = client_hello(&config, &name, random, &shares);
        hello.session_id = session_id;
        if resume {
            hello.extensions.push(Extension::Unknown {
                typ: crate::tls12::msgs::ext::SESSION_TICKET,
                data: ticket.unwrap_or_default(),
            });
        }
        // RFC 8446 §4.2.11: a ticket from the store, offered last with its
        // binder (psk_key_exchange_modes, psk_dhe_ke, is already there).
        let psk = psk::take_offer(&config, server_name, now_unix);
        if let Some(o) = &psk {
            psk::attach(&mut hello, o, now_unix, &Transcript::new());
            common.note(|| TraceLine::Secret("res binder"));
        }
        let msg = HandshakeMessage::ClientHello(hello.clone());
        let raw = common.send_handshake(&msg)?;
        let mut transcript = Transcript::new();
        transcript.add(&raw);
        Ok(ClientConnection {
            common,
            machine: ClientMachine {
                config,
                name,
                host: server_name.to_string(),
                now: now_unix,
                rng,
                pha_base: None,
                state: State::ExpectServerHello {
                    hello,
                    shares,
                    transcript,
                    hrr_suite: None,
                    psk,
                },
            },
        })
    }

    /// Feeds bytes received from the server. On a protocol error the alert
    /// to send is queued for `poll_transmit` and the error returned (and
    /// returned again by every later call).
    pub fn read_tls(&mut self, data: &[u8]) -> Result<(), Error> {
        self.common.read_tls(data, &mut self.machine)
    }

    /// Bytes to send to the server, if any.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.common.poll_transmit()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.common.poll_event()
    }

    /// Queues application data (after the handshake).
    pub fn send(&mut self, data: &[u8]) -> Result<(), Error> {
        let app = match &mut self.machine.state {
            State::Connected(app) => Some(app),
            _ => None,
        };
        self.common.send_app(data, app)
    }

    /// Sends close_notify (RFC 8446 §6.1).
    pub fn close(&mut self) {
        self.common.close()
    }

    /// Sends a KeyUpdate and switches to the next write keys; with
    /// `request_peer` the server is asked to update too (RFC 8446 §4.6.3).
    pub fn key_update(&mut self, request_peer: bool) -> Result<(), Error> {
        match &mut self.machine.state {
            State::Connected(app) => app.update_ours(&mut self.common, request_peer),
            _ => Err(Error::NotConnected),
        }
    }

    /// Tells the connection the current time (seconds since the Unix
    /// epoch), for what it checks or records from now on: a certificate
    /// not yet validated, and the receipt time of a NewSessionTicket (its
    /// age, RFC 8446 §4.6.1, counts from there). Without it, the time given
    /// to [`new`](Self::new) is used.
    pub fn set_time(&mut self, now_unix: u64) {
        self.machine.now = now_unix;
    }

    /// Whether the handshake is still running.
    pub fn is_handshaking(&self) -> bool {
        !self.common.connected && self.common.error.is_none()
    }

    /// What a TLS 1.3 handshake agreed on, once it completed.
    pub fn negotiated(&self) -> Option<&Negotiated> {
        self.common.negotiated.as_ref()
    }

    /// What a TLS 1.2 handshake agreed on, once it completed.
    pub fn negotiated_tls12(&self) -> Option<&Negotiated12> {
        self.common.negotiated12.as_ref()
    }

    /// TLS 1.2: the session the server's ticket lets a later connection
    /// resume (RFC 5077), once the handshake completed with a ticket.
    pub fn tls12_session(&self) -> Option<&Tls12Session> {
        self.common.session12.as_ref()
    }

    /// The protocol version once the handshake completed: 0x0304 or 0x0303.
    pub fn protocol_version(&self) -> Option<u16> {
        if self.common.negotiated.is_some() {
            Some(TLS13)
        } else {
            self.common.negotiated12.as_ref().map(|_| TLS12)
        }
    }

    /// The error that ended the connection, if one did.
    pub fn error(&self) -> Option<&Error> {
        self.common.error.as_ref()
    }

    /// The trace (empty unless the config asked for one).
    pub fn trace(&self) -> &[TraceLine] {
        self.common.trace.as_deref().unwrap_or(&[])
    }

    /// The certificate_authorities (RFC 8446 §4.2.4; DER
    /// DistinguishedNames) of the last CertificateRequest, in the
    /// handshake or after it (TLS 1.2's list too): the CAs whose
    /// certificates the server accepts. Empty when it named none.
    pub fn certificate_authorities(&self) -> &[Vec<u8>] {
        &self.common.authorities
    }

    /// The certificate chain (DER, leaf first) the server presented, once
    /// its Certificate message arrived, whether or not it validated.
    pub fn peer_certificates(&self) -> Option<&[Vec<u8>]> {
        self.common.server_chain.as_deref()
    }
}

fn illegal(what: &'static str) -> Error {
    Error::IllegalParameter { what }
}

impl Machine for ClientMachine {
    fn handle(&mut self, c: &mut Common, msg: HandshakeMessage, raw: Vec<u8>) -> Result<(), Error> {
        let state = std::mem::replace(&mut self.state, State::Failed);
        let waiting = state.waiting_for();
        let unexpected = |m: &HandshakeMessage| Error::UnexpectedMessage {
            got: m.name(),
            state: waiting,
        };
        self.state = match (state, msg) {
            (
                State::ExpectServerHello {
                    hello,
                    shares,
                    transcript,
                    hrr_suite,
                    psk,
                },
                HandshakeMessage::ServerHello(sh),
            ) => {
                let is12 = !sh.is_hrr()
                    && hrr_suite.is_none()
                    && find(&sh.extensions, |e| {
                        matches!(e, Extension::SelectedVersion(_)).then_some(())
                    })
                    .is_none();
                if is12 && self.config.offers12() {
                    let cx = client12::Ctx {
                        config: &self.config,
                        name: &self.name,
                        now: self.now,
                        rng: &mut *self.rng,
                    };
                    let s12 = client12::server_hello(cx, c, &hello, transcript, &sh, &raw)?;
                    State::Tls12(Box::new(s12))
                } else if sh.is_hrr() {
                    let prior = (shares, transcript, hrr_suite, psk);
                    self.hello_retry(c, hello, prior, &sh, &raw)?
                } else {
                    let prior = (transcript, hrr_suite, psk);
                    self.server_hello(c, &hello, &shares, prior, &sh, &raw)?
                }
            }
            (
                State::ExpectEncryptedExtensions(mut hs),
                HandshakeMessage::EncryptedExtensions(exts),
            ) => {
                hs.alpn = self.encrypted_extensions(&exts)?;
                hs.transcript.add(&raw);
                match hs.resumed {
                    // §2.2: a PSK handshake has no server Certificate or
                    // CertificateVerify.
                    Some(scheme) => State::ExpectFinished(hs, scheme),
                    None => State::ExpectCertificate(hs),
                }
            }
            (
                State::ExpectCertificate(mut hs),
                HandshakeMessage::CertificateRequest {
                    context,
                    extensions,
                },
            ) if hs.cert_request.is_none() => {
                let request = auth::certificate_request(&context, &extensions, false)?;
                c.authorities = request.authorities.clone();
                hs.cert_request = Some(request);
                hs.transcript.add(&raw);
                State::ExpectCertificate(hs)
            }
            (State::ExpectCertificate(mut hs), HandshakeMessage::Certificate(cert)) => {
                let key = self.certificate(c, cert)?;
                hs.transcript.add(&raw);
                State::ExpectCertificateVerify(hs, key)
            }
            (
                State::ExpectCertificateVerify(mut hs, key),
                HandshakeMessage::CertificateVerify { scheme, signature },
            ) => {
                // §4.2.3: RSASSA-PKCS1-v1_5 is never a CertificateVerify scheme.
                let scheme = SignatureScheme::from_u16(scheme)
                    .filter(|s| self.config.signature_schemes.contains(s) && !s.is_tls12_only())
                    .ok_or(illegal(
                        "CertificateVerify scheme not offered (RFC 8446 §4.4.3)",
                    ))?;
                let content = sign::signed_content(sign::SERVER_CONTEXT, &hs.transcript.current());
                sign::verify(&key, scheme, &content, &signature)?;
                hs.transcript.add(&raw);
                State::ExpectFinished(hs, scheme)
            }
            (State::ExpectFinished(hs, scheme), HandshakeMessage::Finished(v)) => {
                self.finished(c, hs, scheme, &v, &raw)?
            }
            (State::Tls12(s12), m) => {
                let cx = client12::Ctx {
                    config: &self.config,
                    name: &self.name,
                    now: self.now,
                    rng: &mut *self.rng,
                };
                State::Tls12(Box::new(client12::handle(cx, c, *s12, m, &raw)?))
            }
            (State::Connected(app), HandshakeMessage::NewSessionTicket(nst)) => {
                if let (Some(res), Some(n)) = (&app.resumption, &c.negotiated) {
                    let (suite, scheme) = (n.suite, n.signature_scheme);
                    let (cfg, host) = (&self.config, &self.host);
                    psk::keep_ticket(cfg, host, self.now, suite, scheme, res, nst);
                }
                State::Connected(app)
            }
            (State::Connected(mut app), HandshakeMessage::KeyUpdate { update_requested }) => {
                app.key_update(c, update_requested)?;
                State::Connected(app)
            }
            (
                State::Connected(app),
                HandshakeMessage::CertificateRequest {
                    context,
                    extensions,
                },
            ) => {
                // §4.6.2: "A client that receives a CertificateRequest
                // message without having sent the "post_handshake_auth"
                // extension MUST send an "unexpected_message" fatal alert."
                if self.pha_base.is_none() {
                    return Err(Error::UnexpectedMessage {
                        got: "CertificateRequest",
                        state: "connected without post_handshake_auth offered (RFC 8446 §4.6.2)",
                    });
                }
                self.post_handshake_request(c, &app, &context, &extensions, &raw)?;
                State::Connected(app)
            }
            (_, m) => return Err(unexpected(&m)),
        };
        Ok(())
    }
}

impl ClientMachine {
    /// The checks a ServerHello and a HelloRetryRequest share.
    fn check_hello(&self, hello: &ClientHello, sh: &ServerHello) -> Result<CipherSuite, Error> {
        let version = find(&sh.extensions, |e| match e {
            Extension::SelectedVersion(v) => Some(*v),
            _ => None,
        });
        let Some(version) = version else {
            // No supported_versions: the server chose TLS 1.2 or older. §4.1.3:
            // a TLS 1.3 client MUST check for the downgrade sentinels and
            // abort with illegal_parameter when they match.
            let tail: [u8; 8] = sh.random[24..].try_into().unwrap_or_default();
            if tail == DOWNGRADE_TLS12 || tail == DOWNGRADE_TLS11 {
                return Err(Error::Downgrade);
            }
            return Err(Error::ProtocolVersion);
        };
        // §4.2.1: a version the client did not offer is illegal_parameter.
        if version != TLS13 || sh.legacy_version != TLS12 || !self.config.offers13() {
            return Err(illegal("selected_version not offered (RFC 8446 §4.2.1)"));
        }
        // §4.1.3: a session id echo that differs is illegal_parameter.
        if sh.session_id != hello.session_id {
            return Err(illegal("legacy_session_id_echo differs (RFC 8446 §4.1.3)"));
        }
        if sh.compression_method != 0 {
            return Err(illegal(
                "legacy_compression_method is not 0 (RFC 8446 §4.1.3)",
            ));
        }
        // §4.1.3: a suite the client did not offer is illegal_parameter.
        let suite = CipherSuite::from_u16(sh.cipher_suite)
            .filter(|s| self.config.cipher_suites.contains(s))
            .ok_or(illegal("cipher suite not offered (RFC 8446 §4.1.3)"))?;
        for e in &sh.extensions {
            match e {
                Extension::SelectedVersion(_)
                | Extension::KeyShare(_)
                | Extension::KeyShareGroup(_)
                | Extension::SelectedIdentity(_)
                | Extension::Cookie(_) => {}
                other => return Err(Error::UnsupportedExtension { typ: other.typ() }),
            }
        }
        Ok(suite)
    }

    fn hello_retry(
        &mut self,
        c: &mut Common,
        mut hello: ClientHello,
        prior: (
            Vec<KeyShare>,
            Transcript,
            Option<CipherSuite>,
            Option<Box<Offered>>,
        ),
        hrr: &ServerHello,
        raw: &[u8],
    ) -> Result<State, Error> {
        let (shares, transcript, hrr_suite, mut psk) = prior;
        // §4.1.4: a second HelloRetryRequest is unexpected_message.
        if hrr_suite.is_some() {
            return Err(Error::UnexpectedMessage {
                got: "a second HelloRetryRequest",
                state: "waiting for ServerHello (RFC 8446 §4.1.4)",
            });
        }
        let suite = self.check_hello(&hello, hrr)?;
        let group = find(&hrr.extensions, |e| match e {
            Extension::KeyShareGroup(g) => Some(*g),
            _ => None,
        });
        let cookie = find(&hrr.extensions, |e| match e {
            Extension::Cookie(c) => Some(c.clone()),
            _ => None,
        });
        let mut new_shares = shares;
        if let Some(g) = group {
            // §4.2.8: the group must be one we support and not one we
            // already sent a share for.
            let g = NamedGroup::from_u16(g)
                .filter(|g| self.config.groups.contains(g))
                .ok_or(illegal(
                    "HelloRetryRequest group not offered (RFC 8446 §4.2.8)",
                ))?;
            if new_shares.iter().any(|s| s.group() == g) {
                return Err(illegal(
                    "HelloRetryRequest asks for a share already sent (RFC 8446 §4.2.8)",
                ));
            }
            new_shares = vec![KeyShare::generate(g, &mut *self.rng)];
        } else if cookie.is_none() {
            // §4.1.4: an HRR that would not change the ClientHello.
            return Err(illegal(
                "HelloRetryRequest changes nothing (RFC 8446 §4.1.4)",
            ));
        }
        // §4.4.1: ClientHello1 is replaced by message_hash(Hash(ClientHello1)).
        let hash = suite.hash();
        let ch1 = transcript
            .buffered()
            .map(|b| hash.hash(b))
            .unwrap_or_else(|| transcript.current());
        let mut t = Transcript::Buffer(message_hash(&ch1));
        t.start_hash(hash);
        t.add(raw);
        // §4.1.2: the second ClientHello is the first with the new key share
        // and the cookie.
        for e in hello.extensions.iter_mut() {
            if let Extension::KeyShares(s) = e {
                *s = new_shares
                    .iter()
                    .map(|k| KeyShareEntry {
                        group: k.group().to_u16(),
                        key_exchange: k.public(),
                    })
                    .collect();
            }
        }
        hello
            .extensions
            .retain(|e| !matches!(e, Extension::Cookie(_)));
        if let Some(ck) = cookie {
            hello.extensions.push(Extension::Cookie(ck));
        }
        // §4.1.2: the PSK stays, with a new binder over the new transcript,
        // only if its hash is the suite's (§4.2.11); otherwise it goes.
        psk = psk.filter(|o| o.session.suite.hash() == hash);
        match &psk {
            Some(o) => psk::attach(&mut hello, o, self.now, &t),
            None => hello
                .extensions
                .retain(|e| !matches!(e, Extension::PreSharedKey(_))),
        }
        let raw2 = c.send_handshake(&HandshakeMessage::ClientHello(hello.clone()))?;
        t.add(&raw2);
        Ok(State::ExpectServerHello {
            hello,
            shares: new_shares,
            transcript: t,
            hrr_suite: Some(suite),
            psk,
        })
    }

    fn server_hello(
        &mut self,
        c: &mut Common,
        hello: &ClientHello,
        shares: &[KeyShare],
        prior: (Transcript, Option<CipherSuite>, Option<Box<Offered>>),
        sh: &ServerHello,
        raw: &[u8],
    ) -> Result<State, Error> {
        let (mut transcript, hrr_suite, psk) = prior;
        let suite = self.check_hello(hello, sh)?;
        // §4.1.4: the suite after a HelloRetryRequest must be the same.
        if hrr_suite.is_some_and(|s| s != suite) {
            return Err(illegal(
                "ServerHello suite differs from HelloRetryRequest's (RFC 8446 §4.1.4)",
            ));
        }
        if find(&sh.extensions, |e| {
            matches!(e, Extension::Cookie(_) | Extension::KeyShareGroup(_)).then_some(())
        })
        .is_some()
        {
            return Err(illegal(
                "HelloRetryRequest extension in ServerHello (RFC 8446 §4.2)",
            ));
        }
        let selected = find(&sh.extensions, |e| match e {
            Extension::SelectedIdentity(i) => Some(*i),
            _ => None,
        });
        let share: &KeyShareEntry = match find(&sh.extensions, |e| match e {
            Extension::KeyShare(s) => Some(s),
            _ => None,
        }) {
            Some(s) => s,
            // §4.2.11: a PSK answer without the key_share psk_dhe_ke needs
            // is illegal_parameter.
            None if selected.is_some() => {
                return Err(illegal(
                    "pre_shared_key without key_share for psk_dhe_ke (RFC 8446 §4.2.11)",
                ))
            }
            None => return Err(Error::MissingExtension { what: "key_share" }),
        };
        // §4.2.8: the server's group must be one the client sent a share for.
        let mine = shares
            .iter()
            .find(|s| s.group().to_u16() == share.group)
            .ok_or(illegal("key_share group not offered (RFC 8446 §4.2.8)"))?;
        let shared = mine.agree(&share.key_exchange)?;
        let hash = suite.hash();
        let (early, resumed) = match (selected, psk) {
            (None, _) => (KeySchedule::early_secret(hash), None),
            // §4.2: a pre_shared_key the client did not offer.
            (Some(_), None) => {
                return Err(Error::UnsupportedExtension {
                    typ: crate::extensions::typ::PRE_SHARED_KEY,
                })
            }
            // §4.2.11: the client MUST check that selected_identity is in
            // range and that the suite's hash is the PSK's, else abort with
            // illegal_parameter (one identity is offered).
            (Some(i), Some(o)) => {
                if i != 0 {
                    return Err(illegal("selected_identity out of range (RFC 8446 §4.2.11)"));
                }
                if o.session.suite.hash() != hash {
                    return Err(illegal(
                        "suite hash differs from the PSK's (RFC 8446 §4.2.11)",
                    ));
                }
                (o.early.clone(), Some(o.session.signature_scheme))
            }
        };
        transcript.start_hash(hash);
        transcript.add(raw);
        let ks = KeySchedule::with_early(hash, &early, &shared);
        let th = transcript.current();
        let secrets = ks.handshake_traffic(&th);
        c.secret(
            "c hs traffic",
            Some("CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
            &secrets.client,
        );
        c.secret(
            "s hs traffic",
            Some("SERVER_HANDSHAKE_TRAFFIC_SECRET"),
            &secrets.server,
        );
        c.set_read_keys(RecordKeys::from_secret(suite.aead(), hash, &secrets.server))?;
        c.set_write_keys(RecordKeys::from_secret(suite.aead(), hash, &secrets.client));
        Ok(State::ExpectEncryptedExtensions(Handshake {
            suite,
            group: mine.group(),
            hello_retry: hrr_suite.is_some(),
            ks,
            transcript,
            client_hs: secrets.client,
            server_hs: secrets.server,
            alpn: None,
            resumed,
            cert_request: None,
        }))
    }

    fn encrypted_extensions(&self, exts: &[Extension]) -> Result<Option<Vec<u8>>, Error> {
        let mut alpn = None;
        for e in exts {
            match e {
                Extension::Alpn(p) if !self.config.alpn.is_empty() => {
                    // RFC 7301 §3.1: the server picks one of the client's names.
                    if !self.config.alpn.contains(&p[0]) {
                        return Err(illegal("ALPN protocol not offered (RFC 7301 §3.1)"));
                    }
                    alpn = Some(p[0].clone());
                }
                Extension::ServerName(None) if matches!(self.name, ServerName::Dns(_)) => {}
                // The server's groups, for future connections (§4.2.7).
                Extension::SupportedGroups(_) => {}
                // §4.2: an extension the client did not offer.
                other => return Err(Error::UnsupportedExtension { typ: other.typ() }),
            }
        }
        Ok(alpn)
    }

    fn finished(
        &mut self,
        c: &mut Common,
        mut hs: Handshake,
        scheme: SignatureScheme,
        verify_data: &[u8],
        raw: &[u8],
    ) -> Result<State, Error> {
        let hash = hs.suite.hash();
        if verify_data.len() != hash.len() {
            return Err(Error::Decode {
                what: "Finished.verify_data length (RFC 8446 §4.4.4)",
            });
        }
        let expected = finished_verify_data(hash, &hs.server_hs, &hs.transcript.current());
        // §4.4.4: a wrong verify_data MUST be decrypt_error; compared in constant time.
        if !ct_eq(&expected, verify_data) {
            return Err(Error::BadFinished);
        }
        hs.transcript.add(raw);
        let th = hs.transcript.current();
        let master = hs.ks.master_secret();
        let app = hs.ks.application_traffic(&master, &th);
        c.secret("c ap traffic", Some("CLIENT_TRAFFIC_SECRET_0"), &app.client);
        c.secret("s ap traffic", Some("SERVER_TRAFFIC_SECRET_0"), &app.server);
        let exporter = hash.derive_secret(&master, "exp master", &th);
        c.secret("exp master", Some("EXPORTER_SECRET"), &exporter);
        if let Some(requested) = &hs.cert_request {
            let rng = &mut *self.rng;
            auth::send_certificate(c, &self.config, requested, &mut hs.transcript, rng)?;
        }
        let mine = finished_verify_data(hash, &hs.client_hs, &hs.transcript.current());
        hs.transcript
            .add(&c.send_handshake(&HandshakeMessage::Finished(mine))?);
        // §4.4: a post-handshake CertificateRequest's handshake context
        // is everything through the client Finished, then the request.
        if self.config.post_handshake_auth {
            self.pha_base = Some(hs.transcript.clone());
        }
        // §7.1: resumption_master_secret over ClientHello..client Finished.
        let resumption = hash.derive_secret(&master, "res master", &hs.transcript.current());
        c.note(|| TraceLine::Secret("res master"));
        let aead = hs.suite.aead();
        c.set_write_keys(RecordKeys::from_secret(aead, hash, &app.client));
        c.set_read_keys(RecordKeys::from_secret(aead, hash, &app.server))?;
        c.connected = true;
        c.negotiated = Some(Negotiated {
            suite: hs.suite,
            group: hs.group,
            signature_scheme: scheme,
            alpn: hs.alpn.take(),
            hello_retry: hs.hello_retry,
            resumed: hs.resumed.is_some(),
        });
        c.push_event(Event::HandshakeComplete);
        Ok(State::Connected(AppSecrets {
            suite: hs.suite,
            ours: app.client,
            theirs: app.server,
            resumption: Some(resumption),
        }))
    }
}
