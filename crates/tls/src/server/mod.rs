//! The TLS 1.3 server (RFC 8446 §2, §4): negotiation, HelloRetryRequest,
//! the server flight, and the client's Finished.

use std::sync::Arc;

use handshake_crypto::{ct_eq, PublicKey};
use rand_core::CryptoRngCore;

use crate::config::ServerConfig;
use crate::conn::{AppSecrets, Common, Event, Machine, Negotiated};
use crate::extensions::{find, Extension, KeyShareEntry};
use crate::keys::{finished_verify_data, KeySchedule, Secret, Transcript};
use crate::kx::KeyShare;
use crate::msgs::{
    message_hash, Certificate, CertificateEntry, ClientHello, HandshakeMessage, ServerHello,
    HRR_RANDOM,
};
use crate::psk::{self, Accepted};
use crate::record::RecordKeys;
use crate::sign;
use crate::suites::{CipherSuite, NamedGroup, SignatureScheme, TLS12, TLS13};
use crate::tls12::server::{self as server12, State12};
use crate::tls12::Negotiated12;
use crate::trace::TraceLine;
use crate::Error;

mod pha;
pub use pha::MAX_OUTSTANDING_AUTH_REQUESTS;

struct Retry {
    first: ClientHello,
    transcript: Transcript,
    suite: CipherSuite,
    group: NamedGroup,
}

/// What the server keeps until the client's Finished.
struct Pending {
    /// client_handshake_traffic_secret, the key of the client's Finished.
    client_hs: Secret,
    app: AppSecrets,
    negotiated: Negotiated,
    transcript: Transcript,
    master: Secret,
}

enum State {
    ExpectClientHello(Option<Box<Retry>>),
    /// The client's Certificate, after our CertificateRequest (§4.3.2).
    ExpectCertificate(Box<Pending>),
    ExpectCertificateVerify(Box<Pending>, PublicKey),
    ExpectFinished(Box<Pending>),
    Connected(AppSecrets),
    /// TLS 1.2 was negotiated.
    Tls12(Box<State12>),
    Failed,
}

struct ServerMachine {
    config: Arc<ServerConfig>,
    rng: Box<dyn CryptoRngCore + Send>,
    state: State,
    server_name: Option<String>,
    /// Seconds since the Unix epoch, for TLS 1.3 tickets; `None`: no
    /// tickets issued or accepted.
    now: Option<u64>,
    /// Whether the ClientHello offered post_handshake_auth (§4.2.6).
    pha_offered: bool,
    /// Post-handshake authentication (§4.6.2), once a TLS 1.3 client
    /// that offered it is connected.
    pha: Option<pha::Pha>,
}

/// A TLS 1.3 server connection: the same sans-IO shape as
/// [`ClientConnection`](crate::ClientConnection).
pub struct ServerConnection {
    common: Common,
    machine: ServerMachine,
}

impl ServerConnection {
    /// A server waiting for a ClientHello. Without the time it neither
    /// issues nor accepts TLS 1.3 tickets: see [`new_at`](Self::new_at).
    pub fn new(
        config: Arc<ServerConfig>,
        rng: Box<dyn CryptoRngCore + Send>,
    ) -> Result<Self, Error> {
        Self::with_time(config, None, rng)
    }

    /// A server waiting for a ClientHello, told the time (`now_unix`,
    /// seconds since the Unix epoch): with a ticket key in the config it
    /// sends TLS 1.3 NewSessionTickets and resumes from them (RFC 8446
    /// §4.6.1, §4.2.11; their lifetime and age are checked against this
    /// time).
    pub fn new_at(
        config: Arc<ServerConfig>,
        now_unix: u64,
        rng: Box<dyn CryptoRngCore + Send>,
    ) -> Result<Self, Error> {
        Self::with_time(config, Some(now_unix), rng)
    }

    fn with_time(
        config: Arc<ServerConfig>,
        now: Option<u64>,
        rng: Box<dyn CryptoRngCore + Send>,
    ) -> Result<Self, Error> {
        config.check()?;
        if config.client_auth.is_some() && now.is_none() {
            return Err(Error::Config(
                "client authentication needs the time: use ServerConnection::new_at",
            ));
        }
        Ok(ServerConnection {
            common: Common::new(
                config.trace,
                config.key_log.clone(),
                config.max_fragment,
                config.records_per_key,
            ),
            machine: ServerMachine {
                config,
                rng,
                state: State::ExpectClientHello(None),
                server_name: None,
                now,
                pha_offered: false,
                pha: None,
            },
        })
    }

    /// Feeds bytes received from the client; see
    /// [`ClientConnection::read_tls`](crate::ClientConnection::read_tls).
    pub fn read_tls(&mut self, data: &[u8]) -> Result<(), Error> {
        self.common.read_tls(data, &mut self.machine)
    }

    /// Bytes to send to the client, if any.
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

    /// Sends close_notify.
    pub fn close(&mut self) {
        self.common.close()
    }

    /// Sends a KeyUpdate (RFC 8446 §4.6.3).
    pub fn key_update(&mut self, request_peer: bool) -> Result<(), Error> {
        match &mut self.machine.state {
            State::Connected(app) => app.update_ours(&mut self.common, request_peer),
            _ => Err(Error::NotConnected),
        }
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

    /// The protocol version once the handshake completed: 0x0304 or 0x0303.
    pub fn protocol_version(&self) -> Option<u16> {
        if self.common.negotiated.is_some() {
            Some(TLS13)
        } else {
            self.common.negotiated12.as_ref().map(|_| TLS12)
        }
    }

    /// The client's certificate chain (leaf first, DER), once it was
    /// validated (mutual TLS, [`ServerConfig::client_auth`]), in the
    /// handshake or after it ([`request_client_auth`](Self::request_client_auth):
    /// there, once the client's Finished checked).
    pub fn client_certificates(&self) -> Option<&[Vec<u8>]> {
        self.common.client_chain.as_deref()
    }

    /// The host name the client asked for (server_name), if any.
    pub fn server_name(&self) -> Option<&str> {
        self.machine.server_name.as_deref()
    }

    /// The error that ended the connection, if one did.
    pub fn error(&self) -> Option<&Error> {
        self.common.error.as_ref()
    }

    /// The trace (empty unless the config asked for one).
    pub fn trace(&self) -> &[TraceLine] {
        self.common.trace.as_deref().unwrap_or(&[])
    }
}

/// The schemes a client may sign its CertificateVerify with (TLS 1.3's;
/// the TLS 1.2 CertificateRequest lists them too).
pub(crate) const CLIENT_SCHEMES: [SignatureScheme; SignatureScheme::ALL.len()] =
    SignatureScheme::ALL;

fn illegal(what: &'static str) -> Error {
    Error::IllegalParameter { what }
}

/// A CertificateRequest (§4.3.2) with `context`: signature_algorithms
/// (which MUST be there) and certificate_authorities naming the
/// anchors' subjects (§4.2.4), when there are any.
fn certificate_request(auth: &crate::ClientAuth, context: Vec<u8>) -> HandshakeMessage {
    let mut extensions = vec![Extension::SignatureAlgorithms(
        CLIENT_SCHEMES.iter().map(|s| s.to_u16()).collect(),
    )];
    let names = auth.authorities();
    if !names.is_empty() {
        extensions.push(Extension::CertificateAuthorities(names));
    }
    HandshakeMessage::CertificateRequest {
        context,
        extensions,
    }
}

impl Machine for ServerMachine {
    fn handle(&mut self, c: &mut Common, msg: HandshakeMessage, raw: Vec<u8>) -> Result<(), Error> {
        let state = std::mem::replace(&mut self.state, State::Failed);
        self.state = match (state, msg) {
            (State::ExpectClientHello(retry), HandshakeMessage::ClientHello(ch)) => {
                self.client_hello(c, ch, &raw, retry)?
            }
            (State::ExpectFinished(pending), HandshakeMessage::Finished(v)) => {
                let Pending {
                    client_hs,
                    app,
                    negotiated,
                    mut transcript,
                    master,
                } = *pending;
                let expected =
                    finished_verify_data(app.suite.hash(), &client_hs, &transcript.current());
                // §4.4.4: a wrong verify_data is decrypt_error (constant-time compare).
                if v.len() != expected.len() {
                    return Err(Error::Decode {
                        what: "Finished.verify_data length (RFC 8446 §4.4.4)",
                    });
                }
                if !ct_eq(&expected, &v) {
                    return Err(Error::BadFinished);
                }
                let (aead, hash) = (app.suite.aead(), app.suite.hash());
                c.set_read_keys(RecordKeys::from_secret(aead, hash, &app.theirs))?;
                transcript.add(&raw);
                // §4.4: the handshake context of a post-handshake
                // CertificateRequest starts with this transcript.
                if self.pha_offered {
                    self.pha = Some(pha::Pha::new(transcript.clone()));
                }
                self.issue_tickets(c, &negotiated, &master, &transcript)?;
                c.connected = true;
                c.negotiated = Some(negotiated);
                c.push_event(Event::HandshakeComplete);
                State::Connected(app)
            }
            (State::ExpectCertificate(mut p), HandshakeMessage::Certificate(cert)) => {
                p.transcript.add(&raw);
                self.client_certificate(c, p, cert)?
            }
            (
                State::ExpectCertificateVerify(mut p, key),
                HandshakeMessage::CertificateVerify { scheme, signature },
            ) => {
                client_certificate_verify(&key, scheme, &signature, &p.transcript.current())?;
                p.transcript.add(&raw);
                State::ExpectFinished(p)
            }
            (State::Connected(mut app), HandshakeMessage::KeyUpdate { update_requested }) => {
                app.key_update(c, update_requested)?;
                State::Connected(app)
            }
            (State::Connected(app), m) if self.pha.as_ref().is_some_and(|p| p.pending()) => {
                self.post_handshake_message(c, &app, m, &raw)?;
                State::Connected(app)
            }
            (State::Tls12(s12), m) => {
                let cx = server12::Ctx {
                    config: &self.config,
                    now: self.now,
                    rng: &mut *self.rng,
                };
                State::Tls12(Box::new(server12::handle(cx, c, *s12, m, &raw)?))
            }
            (state, m) => {
                return Err(Error::UnexpectedMessage {
                    got: m.name(),
                    state: match state {
                        State::ExpectClientHello(_) => "waiting for ClientHello",
                        State::ExpectCertificate(_) => "waiting for the client's Certificate",
                        State::ExpectCertificateVerify(..) => {
                            "waiting for the client's CertificateVerify"
                        }
                        State::ExpectFinished(_) => "waiting for the client's Finished",
                        State::Connected(_) => "connected",
                        State::Tls12(_) => "TLS 1.2",
                        State::Failed => "failed",
                    },
                })
            }
        };
        Ok(())
    }
}

/// Extensions other than the ones a second ClientHello may change (§4.1.2).
fn stable_extensions(ch: &ClientHello) -> Vec<&Extension> {
    ch.extensions
        .iter()
        .filter(|e| {
            !matches!(
                e,
                Extension::KeyShares(_) | Extension::Cookie(_) | Extension::PreSharedKey(_)
            )
        })
        .collect()
}

impl ServerMachine {
    fn client_hello(
        &mut self,
        c: &mut Common,
        ch: ClientHello,
        raw: &[u8],
        retry: Option<Box<Retry>>,
    ) -> Result<State, Error> {
        let exts = &ch.extensions;
        if let Some(r) = &retry {
            // §4.1.2: after a HelloRetryRequest the client MUST send the same
            // ClientHello but for key_share, cookie and a few PSK fields.
            let first = &r.first;
            if ch.legacy_version != first.legacy_version
                || ch.random != first.random
                || ch.session_id != first.session_id
                || ch.cipher_suites != first.cipher_suites
                || ch.compression_methods != first.compression_methods
                || stable_extensions(&ch) != stable_extensions(first)
            {
                return Err(illegal(
                    "second ClientHello changed more than key_share (RFC 8446 §4.1.2)",
                ));
            }
        }
        let versions = find(exts, |e| match e {
            Extension::SupportedVersions(v) => Some(v),
            _ => None,
        });
        // §4.2.1: TLS 1.3 when both offer it; else TLS 1.2 when both do
        // (supported_versions, or without it legacy_version, RFC 8446
        // §4.2.1 and RFC 5246 Appendix E.1); else protocol_version.
        let wants13 = versions.is_some_and(|v| v.contains(&TLS13));
        if !(wants13 && self.config.accepts13()) {
            let offers12 = match versions {
                Some(v) => v.contains(&TLS12),
                None => ch.legacy_version >= TLS12,
            };
            if offers12 && self.config.accepts12() && retry.is_none() {
                if let Some(name) = find(exts, |e| match e {
                    Extension::ServerName(Some(n)) => Some(n),
                    _ => None,
                }) {
                    self.server_name = Some(String::from_utf8_lossy(name).into_owned());
                }
                let alpn = self.choose_alpn(exts)?;
                let cx = server12::Ctx {
                    config: &self.config,
                    now: self.now,
                    rng: &mut *self.rng,
                };
                let s12 = server12::client_hello(cx, c, &ch, raw, alpn)?;
                return Ok(State::Tls12(Box::new(s12)));
            }
            return Err(Error::ProtocolVersion);
        }
        // §4.1.2: a TLS 1.3 ClientHello's compression methods are exactly [0].
        if ch.compression_methods != [0] {
            return Err(illegal(
                "legacy_compression_methods is not [0] (RFC 8446 §4.1.2)",
            ));
        }
        let suite = self
            .config
            .cipher_suites
            .iter()
            .copied()
            .find(|s| ch.cipher_suites.contains(&s.to_u16()))
            .ok_or(Error::NoCommonCipherSuite)?;
        let offered_schemes = find(exts, |e| match e {
            Extension::SignatureAlgorithms(s) => Some(s),
            _ => None,
        })
        .ok_or(Error::MissingExtension {
            what: "signature_algorithms",
        })?;
        let scheme = *sign::schemes_for(&self.config.key)
            .iter()
            .find(|s| offered_schemes.contains(&s.to_u16()))
            .ok_or(Error::NoCommonSignatureScheme)?;
        let groups = find(exts, |e| match e {
            Extension::SupportedGroups(g) => Some(g),
            _ => None,
        });
        let shares = find(exts, |e| match e {
            Extension::KeyShares(s) => Some(s),
            _ => None,
        });
        // §9.2: a ClientHello without PSK needs both supported_groups and key_share.
        let (Some(groups), Some(shares)) = (groups, shares) else {
            return Err(Error::MissingExtension {
                what: "supported_groups and key_share",
            });
        };
        // §4.2.8: at most one share per group.
        for (i, s) in shares.iter().enumerate() {
            if shares[..i].iter().any(|t| t.group == s.group) {
                return Err(illegal("two key shares for one group (RFC 8446 §4.2.8)"));
            }
        }
        if let Some(r) = &retry {
            // §4.2.8: after HRR, exactly one share, for the group asked for.
            if shares.len() != 1 || shares[0].group != r.group.to_u16() {
                return Err(illegal(
                    "second ClientHello's key_share is not the requested group (RFC 8446 §4.2.8)",
                ));
            }
            if suite != r.suite {
                return Err(illegal(
                    "second ClientHello changed the suite (RFC 8446 §4.1.4)",
                ));
            }
        }
        if let Some(name) = find(exts, |e| match e {
            Extension::ServerName(Some(n)) => Some(n),
            _ => None,
        }) {
            self.server_name = Some(String::from_utf8_lossy(name).into_owned());
        }
        self.pha_offered = find(exts, |e| {
            matches!(e, Extension::PostHandshakeAuth).then_some(())
        })
        .is_some();
        let alpn = self.choose_alpn(exts)?;
        // A share the server accepts, in the server's order; otherwise a group
        // both support, asked for by HelloRetryRequest (§4.1.4).
        let usable = self.config.groups.iter().find_map(|g| {
            shares
                .iter()
                .find(|s| s.group == g.to_u16())
                .map(|s| (*g, s))
        });
        let Some((group, share)) = usable else {
            if retry.is_some() {
                return Err(Error::NoCommonGroup);
            }
            let group = self
                .config
                .groups
                .iter()
                .copied()
                .find(|g| groups.contains(&g.to_u16()))
                .ok_or(Error::NoCommonGroup)?;
            return self.send_retry(c, ch, raw, suite, group);
        };
        let share = share.clone();
        let first_flight = retry.is_none();
        let mut transcript = match retry {
            Some(r) => r.transcript,
            None => Transcript::new(),
        };
        // §4.2.11: a PSK from one of our tickets, its binder checked over
        // the transcript so far and Truncate(ClientHello).
        let key = self.config.tls12_ticket_key.as_ref();
        let accepted = psk::accept(key, self.now, &ch, raw, &transcript, suite)?;
        transcript.add(raw);
        transcript.start_hash(suite.hash());
        self.flight(
            c,
            &ch,
            transcript,
            suite,
            group,
            &share,
            scheme,
            alpn,
            first_flight,
            accepted,
        )
    }

    fn choose_alpn(&self, exts: &[Extension]) -> Result<Option<Vec<u8>>, Error> {
        let offered = find(exts, |e| match e {
            Extension::Alpn(p) => Some(p),
            _ => None,
        });
        match offered {
            Some(list) if !self.config.alpn.is_empty() => self
                .config
                .alpn
                .iter()
                .find(|p| list.contains(p))
                .cloned()
                .map(Some)
                // RFC 7301 §3.2: no protocol in common is no_application_protocol.
                .ok_or(Error::NoApplicationProtocol),
            _ => Ok(None),
        }
    }

    fn send_retry(
        &mut self,
        c: &mut Common,
        ch: ClientHello,
        raw: &[u8],
        suite: CipherSuite,
        group: NamedGroup,
    ) -> Result<State, Error> {
        let hash = suite.hash();
        // §4.4.1: the transcript restarts with message_hash(Hash(ClientHello1)).
        let mut transcript = Transcript::Buffer(message_hash(&hash.hash(raw)));
        transcript.start_hash(hash);
        let hrr = HandshakeMessage::ServerHello(ServerHello {
            legacy_version: TLS12,
            random: HRR_RANDOM,
            session_id: ch.session_id.clone(),
            cipher_suite: suite.to_u16(),
            compression_method: 0,
            extensions: vec![
                Extension::SelectedVersion(TLS13),
                Extension::KeyShareGroup(group.to_u16()),
            ],
        });
        let hrr_raw = c.send_handshake(&hrr)?;
        transcript.add(&hrr_raw);
        // §D.4: middlebox compatibility, when the client sent a session id.
        if !ch.session_id.is_empty() {
            c.send_ccs();
        }
        Ok(State::ExpectClientHello(Some(Box::new(Retry {
            first: ch,
            transcript,
            suite,
            group,
        }))))
    }

    #[allow(clippy::too_many_arguments)]
    fn flight(
        &mut self,
        c: &mut Common,
        ch: &ClientHello,
        mut transcript: Transcript,
        suite: CipherSuite,
        group: NamedGroup,
        client_share: &KeyShareEntry,
        scheme: SignatureScheme,
        alpn: Option<Vec<u8>>,
        first_flight: bool,
        accepted: Option<Accepted>,
    ) -> Result<State, Error> {
        let (hash, aead) = (suite.hash(), suite.aead());
        let (my_share, shared) =
            KeyShare::respond(group, &client_share.key_exchange, &mut *self.rng)?;
        let mut random = [0u8; 32];
        self.rng.fill_bytes(&mut random);
        c.client_random = ch.random;
        let mut extensions = vec![
            Extension::SelectedVersion(TLS13),
            Extension::KeyShare(KeyShareEntry {
                group: group.to_u16(),
                key_exchange: my_share,
            }),
        ];
        if let Some(a) = &accepted {
            extensions.push(Extension::SelectedIdentity(a.index));
        }
        let sh = HandshakeMessage::ServerHello(ServerHello {
            legacy_version: TLS12,
            random,
            session_id: ch.session_id.clone(),
            cipher_suite: suite.to_u16(),
            compression_method: 0,
            extensions,
        });
        transcript.add(&c.send_handshake(&sh)?);
        if first_flight && !ch.session_id.is_empty() {
            c.send_ccs();
        }
        let ks = match &accepted {
            Some(a) => KeySchedule::with_early(hash, &a.early, &shared),
            None => KeySchedule::new(hash, &shared),
        };
        let hs = ks.handshake_traffic(&transcript.current());
        c.secret(
            "c hs traffic",
            Some("CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
            &hs.client,
        );
        c.secret(
            "s hs traffic",
            Some("SERVER_HANDSHAKE_TRAFFIC_SECRET"),
            &hs.server,
        );
        c.set_write_keys(RecordKeys::from_secret(aead, hash, &hs.server));

        let mut ee = Vec::new();
        if find(&ch.extensions, |e| {
            matches!(e, Extension::ServerName(Some(_))).then_some(())
        })
        .is_some()
        {
            ee.push(Extension::ServerName(None));
        }
        if let Some(p) = &alpn {
            ee.push(Extension::Alpn(vec![p.clone()]));
        }
        transcript.add(&c.send_handshake(&HandshakeMessage::EncryptedExtensions(ee))?);
        // §4.3.2: a server authenticating with a PSK MUST NOT send a
        // CertificateRequest in the main handshake.
        let auth = self
            .config
            .client_auth
            .as_ref()
            .filter(|a| accepted.is_none() && !a.post_handshake_only);
        let request = auth.is_some();
        if let Some(auth) = auth {
            // §4.3.2: an empty context in the handshake.
            let cr = certificate_request(auth, Vec::new());
            transcript.add(&c.send_handshake(&cr)?);
        }
        // §2.2: a PSK handshake sends no Certificate or CertificateVerify.
        let (resumed, scheme) = match &accepted {
            Some(a) => (true, a.scheme),
            None => {
                self.authenticate(c, &mut transcript, scheme)?;
                (false, scheme)
            }
        };
        let fin = finished_verify_data(hash, &hs.server, &transcript.current());
        transcript.add(&c.send_handshake(&HandshakeMessage::Finished(fin))?);

        let th = transcript.current();
        let master = ks.master_secret();
        let app = ks.application_traffic(&master, &th);
        c.secret("c ap traffic", Some("CLIENT_TRAFFIC_SECRET_0"), &app.client);
        c.secret("s ap traffic", Some("SERVER_TRAFFIC_SECRET_0"), &app.server);
        let exporter = hash.derive_secret(&master, "exp master", &th);
        c.secret("exp master", Some("EXPORTER_SECRET"), &exporter);
        c.set_write_keys(RecordKeys::from_secret(aead, hash, &app.server));
        c.set_read_keys(RecordKeys::from_secret(aead, hash, &hs.client))?;
        let pending = Box::new(Pending {
            client_hs: hs.client,
            app: AppSecrets {
                suite,
                ours: app.server,
                theirs: app.client,
                resumption: None,
            },
            negotiated: Negotiated {
                suite,
                group,
                signature_scheme: scheme,
                alpn,
                hello_retry: !first_flight,
                resumed,
            },
            transcript,
            master,
        });
        Ok(if request {
            State::ExpectCertificate(pending)
        } else {
            State::ExpectFinished(pending)
        })
    }

    /// The client's Certificate (§4.4.2): validated to the client-auth
    /// anchors for clientAuth; an empty one is refused when a certificate
    /// is required (§4.4.2.4).
    fn client_certificate(
        &mut self,
        c: &mut Common,
        p: Box<Pending>,
        cert: Certificate,
    ) -> Result<State, Error> {
        // §4.4.2: the context is the CertificateRequest's, empty here.
        if !cert.context.is_empty() {
            return Err(illegal(
                "certificate_request_context differs from the request's (RFC 8446 §4.4.2)",
            ));
        }
        let Some(auth) = &self.config.client_auth else {
            return Err(Error::UnexpectedMessage {
                got: "Certificate",
                state: "no client certificate requested",
            });
        };
        if cert.entries.is_empty() {
            // §4.4.2.4: abort with certificate_required, or go on without
            // client authentication.
            if auth.required {
                return Err(Error::CertificateRequired);
            }
            return Ok(State::ExpectFinished(p));
        }
        let (chain, key) =
            verify_client_certificate(c, auth, self.now.unwrap_or_default(), cert, "client")?;
        c.client_chain = Some(chain);
        Ok(State::ExpectCertificateVerify(p, key))
    }

    /// Certificate and CertificateVerify (§4.4.2, §4.4.3).
    fn authenticate(
        &mut self,
        c: &mut Common,
        transcript: &mut Transcript,
        scheme: SignatureScheme,
    ) -> Result<(), Error> {
        let cert = HandshakeMessage::Certificate(Certificate {
            context: Vec::new(),
            entries: self
                .config
                .cert_chain
                .iter()
                .map(|d| CertificateEntry {
                    cert_data: d.clone(),
                    extensions: Vec::new(),
                })
                .collect(),
        });
        transcript.add(&c.send_handshake(&cert)?);
        let content = sign::signed_content(sign::SERVER_CONTEXT, &transcript.current());
        let signature = sign::sign(&self.config.key, scheme, &content, &mut *self.rng)?;
        let cv = HandshakeMessage::CertificateVerify {
            scheme: scheme.to_u16(),
            signature,
        };
        transcript.add(&c.send_handshake(&cv)?);
        Ok(())
    }

    /// After the client's Finished: resumption_master_secret (§7.1) and,
    /// with a ticket key and the time, the NewSessionTickets (§4.6.1).
    fn issue_tickets(
        &mut self,
        c: &mut Common,
        n: &Negotiated,
        master: &[u8],
        transcript: &Transcript,
    ) -> Result<(), Error> {
        let (Some(key), Some(now)) = (&self.config.tls12_ticket_key, self.now) else {
            return Ok(());
        };
        if self.config.tls13_tickets == 0 {
            return Ok(());
        }
        let hash = n.suite.hash();
        let res = hash.derive_secret(master, "res master", &transcript.current());
        c.note(|| TraceLine::Secret("res master"));
        let issue = psk::Issue {
            key,
            count: self.config.tls13_tickets,
            lifetime: self.config.ticket_lifetime,
            now,
            suite: n.suite,
            scheme: n.signature_scheme,
        };
        psk::issue(c, &mut *self.rng, issue, &res)
    }
}

/// Checks the client's CertificateVerify over `transcript_hash`, in the
/// handshake and after it (RFC 8446 §4.4.3, §4.6.2): a scheme our
/// CertificateRequest offered, and a signature that verifies
/// (decrypt_error otherwise).
pub(crate) fn client_certificate_verify(
    key: &handshake_crypto::PublicKey,
    scheme: u16,
    signature: &[u8],
    transcript_hash: &[u8],
) -> Result<(), Error> {
    let scheme = SignatureScheme::from_u16(scheme)
        .filter(|s| CLIENT_SCHEMES.contains(s))
        .ok_or(illegal(
            "client CertificateVerify scheme not requested (RFC 8446 §4.4.3)",
        ))?;
    let content = sign::signed_content(sign::CLIENT_CONTEXT, transcript_hash);
    sign::verify(key, scheme, &content, signature)
}

/// The client's non-empty Certificate validated to the client-auth anchors
/// at `now`, in the handshake and after it (RFC 8446 §4.4.2, §4.6.2), and
/// traced as `who`: its chain, and the leaf's key for the CertificateVerify.
pub(crate) fn verify_client_certificate(
    c: &mut Common,
    auth: &crate::ClientAuth,
    now: u64,
    cert: Certificate,
    who: &str,
) -> Result<(Vec<Vec<u8>>, PublicKey), Error> {
    let chain: Vec<Vec<u8>> = cert.entries.into_iter().map(|e| e.cert_data).collect();
    let (leaf, verified) = crate::cert::verify_client_chain(&chain, &auth.roots, now)?;
    c.note(|| {
        TraceLine::Certificate(format!(
            "{who}: subject {} issuer {}, {} intermediate(s)",
            leaf.subject(),
            leaf.issuer(),
            verified.intermediates
        ))
    });
    let key = leaf.public_key.ok_or(Error::Certificate(
        crate::error::CertError::UnsupportedAlgorithm,
    ))?;
    Ok((chain, key))
}
