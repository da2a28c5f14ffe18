//! The TLS 1.2 client (RFC 5246 §7.3): from the ServerHello that chose
//! TLS 1.2 to the server's Finished.

use handshake_crypto::PublicKey;
use rand_core::CryptoRngCore;
use zeroize::Zeroizing;

use crate::alert::{AlertDescription, AlertLevel};
use crate::cert::{self, ServerName};
use crate::config::ClientConfig;
use crate::conn::{Common, Event};
use crate::error::CertError;
use crate::extensions::Extension;
use crate::keys::{Secret, Transcript};
use crate::kx::KeyShare;
use crate::msgs::{ClientHello, HandshakeMessage, ServerHello};
use crate::sign;
use crate::suites::{NamedGroup, SignatureScheme, TLS12};
use crate::trace::TraceLine;
use crate::Error;
use crate::{DOWNGRADE_TLS11, DOWNGRADE_TLS12};

use super::keys::{self, CLIENT_FINISHED, SERVER_FINISHED};
use super::msgs::{self as m12, ext, EcdheServerKeyExchange};
use super::record::RecordKeys12;
use super::suites::KeyExchange;
use super::{random_tail, Negotiated12, Tls12Session, Tls12Suite};

/// What the client needs from its connection to run TLS 1.2.
pub(crate) struct Ctx<'a> {
    pub(crate) config: &'a ClientConfig,
    pub(crate) name: &'a ServerName,
    pub(crate) now: u64,
    pub(crate) rng: &'a mut (dyn CryptoRngCore + Send),
}

pub(crate) struct Hs {
    suite: Tls12Suite,
    transcript: Transcript,
    client_random: [u8; 32],
    server_random: [u8; 32],
    ems: bool,
    secure_reneg: bool,
    alpn: Option<Vec<u8>>,
    group: Option<NamedGroup>,
    scheme: Option<SignatureScheme>,
    /// The server said it will send a NewSessionTicket (RFC 5077 §3.2).
    ticket_expected: bool,
    ticket: Option<Vec<u8>>,
    /// Every handshake message so far, for a CertificateVerify (RFC 5246
    /// §7.4.8) if the server asks for a certificate.
    messages: Vec<u8>,
    /// The schemes of the server's CertificateRequest (§7.4.4), if any.
    cert_request: Option<crate::client::auth::Request>,
}

impl Hs {
    fn add(&mut self, raw: &[u8]) {
        self.transcript.add(raw);
        self.messages.extend_from_slice(raw);
    }
}

pub(crate) enum State12 {
    ExpectCertificate(Hs),
    ExpectServerKeyExchange(Hs, PublicKey),
    ExpectServerHelloDone(Hs, PublicKey, Option<EcdheServerKeyExchange>),
    /// The server's (NewSessionTicket,) ChangeCipherSpec and Finished; the
    /// master secret; for a resumption, our write keys still to switch to.
    ExpectFinished(Hs, Secret, Option<RecordKeys12>),
    Connected,
}

fn illegal(what: &'static str) -> Error {
    Error::IllegalParameter { what }
}

/// The ServerHello chose TLS 1.2 (no supported_versions): check it and
/// start the TLS 1.2 handshake. `transcript` holds the ClientHello.
pub(crate) fn server_hello(
    cx: Ctx<'_>,
    c: &mut Common,
    hello: &ClientHello,
    mut transcript: Transcript,
    sh: &ServerHello,
    raw: &[u8],
) -> Result<State12, Error> {
    // RFC 8446 §4.1.3: a TLS 1.3 client receiving a TLS 1.2 (or lower)
    // ServerHello MUST check the last 8 bytes of the random and abort with
    // illegal_parameter on a sentinel.
    let tail = random_tail(&sh.random);
    if cx.config.offers13() && (tail == DOWNGRADE_TLS12 || tail == DOWNGRADE_TLS11) {
        return Err(Error::Downgrade);
    }
    // RFC 5246 §7.4.1.3, Appendix E.1: a version below the one we support.
    if sh.legacy_version != TLS12 || !cx.config.offers12() {
        return Err(Error::ProtocolVersion);
    }
    // RFC 5246 §7.4.1.3: the suite is one the client offered; otherwise
    // illegal_parameter.
    let suite = Tls12Suite::from_u16(sh.cipher_suite)
        .filter(|s| cx.config.tls12_suites.contains(s))
        .ok_or(illegal("cipher suite not offered (RFC 5246 §7.4.1.3)"))?;
    if sh.compression_method != 0 {
        return Err(illegal(
            "compression method not offered (RFC 5246 §7.4.1.3)",
        ));
    }
    let mut ems = false;
    let mut secure_reneg = false;
    let mut alpn = None;
    let mut ticket_expected = false;
    let offered_ticket = hello
        .extensions
        .iter()
        .any(|e| e.typ() == ext::SESSION_TICKET);
    for e in &sh.extensions {
        match e {
            // RFC 5077 §3.2: an empty session_ticket, only if we offered one:
            // a NewSessionTicket will come.
            Extension::Unknown { typ, data } if *typ == ext::SESSION_TICKET && offered_ticket => {
                if !data.is_empty() {
                    return Err(Error::Decode {
                        what: "session_ticket in ServerHello is empty (RFC 5077 §3.2)",
                    });
                }
                ticket_expected = true;
            }
            Extension::Unknown { typ, data } if *typ == ext::EXTENDED_MASTER_SECRET => {
                // RFC 7627 §5.1: the extension_data is empty.
                if !data.is_empty() {
                    return Err(Error::Decode {
                        what: "extended_master_secret data (RFC 7627 §5.1)",
                    });
                }
                ems = true;
            }
            Extension::Unknown { typ, data } if *typ == ext::RENEGOTIATION_INFO => {
                // RFC 5746 §3.4: on an initial handshake renegotiated_connection
                // MUST be empty, else handshake_failure.
                if data[..] != [0] {
                    return Err(Error::BadRenegotiationInfo);
                }
                secure_reneg = true;
            }
            Extension::Unknown { typ, data } if *typ == ext::EC_POINT_FORMATS => {
                // RFC 8422 §5.2: if present it includes uncompressed (0).
                let ok = data.first().is_some_and(|n| *n as usize + 1 == data.len())
                    && data[1..].contains(&0);
                if !ok {
                    return Err(illegal(
                        "ec_point_formats without uncompressed (RFC 8422 §5.2)",
                    ));
                }
            }
            Extension::Alpn(p) if !cx.config.alpn.is_empty() => {
                if !cx.config.alpn.contains(&p[0]) {
                    return Err(illegal("ALPN protocol not offered (RFC 7301 §3.1)"));
                }
                alpn = Some(p[0].clone());
            }
            Extension::ServerName(None) if matches!(cx.name, ServerName::Dns(_)) => {}
            // RFC 5246 §7.4.1.4: an extension the client did not offer is
            // unsupported_extension.
            other => return Err(Error::UnsupportedExtension { typ: other.typ() }),
        }
    }
    // RFC 7627 §5.2: a client that requires the extended master secret
    // aborts with handshake_failure when the server does not agree.
    if !ems && cx.config.require_extended_master_secret {
        return Err(Error::MissingExtendedMasterSecret);
    }
    c.enter_tls12();
    let mut messages = transcript.buffered().unwrap_or_default().to_vec();
    messages.extend_from_slice(raw);
    transcript.start_hash(suite.prf());
    transcript.add(raw);
    let mut hs = Hs {
        suite,
        transcript,
        messages,
        cert_request: None,
        client_random: hello.random,
        server_random: sh.random,
        ems,
        secure_reneg,
        alpn,
        group: None,
        scheme: None,
        ticket_expected,
        ticket: None,
    };
    // RFC 5077 §3.4: the server resumes by echoing the session ID we sent
    // with the ticket; then the abbreviated handshake follows (RFC 5246
    // §7.3): the server's ChangeCipherSpec and Finished come next.
    let session = cx.config.tls12_session.as_ref();
    if let Some(sess) = session.filter(|_| !hello.session_id.is_empty()) {
        if sh.session_id == hello.session_id {
            // RFC 5246 §7.4.1.3: a resumed session keeps its suite.
            if sess.suite != suite {
                return Err(illegal(
                    "resumed session with another suite (RFC 5246 §7.4.1.3)",
                ));
            }
            // RFC 7627 §5.3: a session with the extended master secret is
            // resumed only with it.
            if sess.extended_master_secret != ems {
                return Err(Error::MissingExtendedMasterSecret);
            }
            let master = sess.master.clone();
            c.secret("master secret", Some("CLIENT_RANDOM"), &master);
            let (write, read) = record_keys(cx.rng, &hs, &master)?;
            c.set_pending_read12(read);
            hs.ticket = Some(sess.ticket.clone());
            return Ok(State12::ExpectFinished(hs, master, Some(write)));
        }
    }
    Ok(State12::ExpectCertificate(hs))
}

/// (write, read) record keys from the master secret (RFC 5246 §6.3).
fn record_keys(
    rng: &mut (dyn CryptoRngCore + Send),
    hs: &Hs,
    master: &[u8],
) -> Result<(RecordKeys12, RecordKeys12), Error> {
    let bulk = hs.suite.bulk();
    let kb = keys::key_block(
        hs.suite.prf(),
        bulk,
        master,
        &hs.client_random,
        &hs.server_random,
    );
    let mut seed = [0u8; 16];
    rng.fill_bytes(&mut seed);
    let write = RecordKeys12::new(bulk, &kb.client_mac, &kb.client_key, &kb.client_iv, &seed)?;
    let read = RecordKeys12::new(bulk, &kb.server_mac, &kb.server_key, &kb.server_iv, &seed)?;
    Ok((write, read))
}

/// One handshake message in TLS 1.2.
pub(crate) fn handle(
    cx: Ctx<'_>,
    c: &mut Common,
    state: State12,
    msg: HandshakeMessage,
    raw: &[u8],
) -> Result<State12, Error> {
    Ok(match (state, msg) {
        // RFC 5246 §7.4.1.1: HelloRequest is not hashed; ignored while
        // negotiating. Once connected we refuse renegotiation with a
        // no_renegotiation warning (§7.2.2) and carry on.
        (State12::Connected, HandshakeMessage::HelloRequest) => {
            c.send_alert(AlertLevel::Warning, AlertDescription::NoRenegotiation);
            State12::Connected
        }
        (s, HandshakeMessage::HelloRequest) => s,
        (State12::ExpectCertificate(mut hs), HandshakeMessage::Certificate12(chain)) => {
            let key = certificate(&cx, c, hs.suite, &chain)?;
            hs.add(raw);
            if hs.suite.kx() == KeyExchange::Rsa {
                State12::ExpectServerHelloDone(hs, key, None)
            } else {
                State12::ExpectServerKeyExchange(hs, key)
            }
        }
        (State12::ExpectServerKeyExchange(mut hs, key), HandshakeMessage::ServerKeyExchange(b)) => {
            let ske = server_key_exchange(&cx, &mut hs, &key, &b)?;
            hs.add(raw);
            State12::ExpectServerHelloDone(hs, key, Some(ske))
        }
        // RFC 5246 §7.4.4: a CertificateRequest before ServerHelloDone.
        (
            State12::ExpectServerHelloDone(mut hs, key, ske),
            HandshakeMessage::CertificateRequest12 {
                schemes,
                authorities,
                ..
            },
        ) if hs.cert_request.is_none() => {
            // RFC 5246 §7.4.4: certificate_authorities guide the choice as
            // TLS 1.3's extension does.
            c.authorities = authorities.clone();
            hs.cert_request = Some(crate::client::auth::Request {
                context: Vec::new(),
                schemes,
                authorities,
            });
            hs.add(raw);
            State12::ExpectServerHelloDone(hs, key, ske)
        }
        (State12::ExpectServerHelloDone(hs, key, ske), HandshakeMessage::ServerHelloDone) => {
            client_flight(cx, c, hs, &key, ske, raw)?
        }
        // RFC 5077 §3.3: NewSessionTicket, announced in ServerHello, before
        // the server's ChangeCipherSpec; it is part of the transcript.
        (
            State12::ExpectFinished(mut hs, master, write),
            HandshakeMessage::NewSessionTicket12 { ticket, .. },
        ) if hs.ticket_expected && !c.read_protected() => {
            hs.ticket_expected = false;
            hs.ticket = Some(ticket);
            hs.add(raw);
            State12::ExpectFinished(hs, master, write)
        }
        (State12::ExpectFinished(mut hs, master, write), HandshakeMessage::Finished(v)) => {
            let hash = hs.transcript.current();
            let prf = hs.suite.prf();
            keys::check_finished(c.read_protected(), prf, &master, SERVER_FINISHED, &hash, &v)?;
            let resumed = write.is_some();
            if let Some(write) = write {
                // Abbreviated handshake (RFC 5246 §7.3): our ChangeCipherSpec
                // and Finished follow the server's.
                hs.add(raw);
                let fin =
                    keys::verify_data(prf, &master, CLIENT_FINISHED, &hs.transcript.current());
                c.send_ccs12(write)?;
                c.send_handshake(&HandshakeMessage::Finished(fin))?;
            }
            if let Some(ticket) = hs.ticket.take() {
                c.session12 = Some(Tls12Session {
                    suite: hs.suite,
                    extended_master_secret: hs.ems,
                    master,
                    ticket,
                });
            }
            c.connected = true;
            c.negotiated12 = Some(Negotiated12 {
                suite: hs.suite,
                group: hs.group,
                signature_scheme: hs.scheme,
                alpn: hs.alpn,
                extended_master_secret: hs.ems,
                secure_renegotiation: hs.secure_reneg,
                resumed,
            });
            c.push_event(Event::HandshakeComplete);
            State12::Connected
        }
        (s, m) => {
            return Err(Error::UnexpectedMessage {
                got: m.name(),
                state: match s {
                    State12::ExpectCertificate(_) => "waiting for Certificate (TLS 1.2)",
                    State12::ExpectServerKeyExchange(..) => "waiting for ServerKeyExchange",
                    State12::ExpectServerHelloDone(..) => "waiting for ServerHelloDone",
                    State12::ExpectFinished(..) => "waiting for the server's Finished",
                    State12::Connected => "connected (TLS 1.2)",
                },
            })
        }
    })
}

fn certificate(
    cx: &Ctx<'_>,
    c: &mut Common,
    suite: Tls12Suite,
    chain: &[Vec<u8>],
) -> Result<PublicKey, Error> {
    // RFC 5246 §7.4.2: the server's certificate list is not empty.
    if chain.is_empty() {
        return Err(Error::Decode {
            what: "empty server Certificate (RFC 5246 §7.4.2)",
        });
    }
    c.server_chain = Some(chain.to_vec());
    let (leaf, verified) = cert::verify_server_chain(chain, &cx.config.roots, cx.name, cx.now)?;
    c.note(|| {
        TraceLine::Certificate(format!(
            "subject {} issuer {}, SAN {} matched, {} intermediate(s)",
            leaf.subject(),
            leaf.issuer(),
            verified.matched_name,
            verified.intermediates
        ))
    });
    let key = leaf
        .public_key
        .ok_or(Error::Certificate(CertError::UnsupportedAlgorithm))?;
    // RFC 5246 §7.4.2: the key MUST fit the suite's key exchange.
    let fits = matches!(
        (suite.kx(), &key),
        (KeyExchange::Rsa | KeyExchange::EcdheRsa, PublicKey::Rsa(_))
            | (
                KeyExchange::EcdheEcdsa,
                PublicKey::P256(_) | PublicKey::P384(_) | PublicKey::Ed25519(_)
            )
    );
    if !fits {
        return Err(Error::Certificate(CertError::UnsupportedAlgorithm));
    }
    Ok(key)
}

fn server_key_exchange(
    cx: &Ctx<'_>,
    hs: &mut Hs,
    key: &PublicKey,
    body: &[u8],
) -> Result<EcdheServerKeyExchange, Error> {
    let ske = EcdheServerKeyExchange::parse(body)?;
    // RFC 8422 §5.4: the curve is one the client offered.
    let group = NamedGroup::from_u16(ske.group)
        .filter(|g| g.is_ecdhe() && cx.config.groups.contains(g))
        .ok_or(illegal("ECDHE curve not offered (RFC 8422 §5.4)"))?;
    // RFC 5246 §7.4.1.4.1: the server signs with a scheme the client offered.
    let scheme = SignatureScheme::from_u16(ske.scheme)
        .filter(|s| cx.config.signature_schemes.contains(s) || s.is_tls12_only())
        .ok_or(illegal(
            "ServerKeyExchange signature scheme not offered (RFC 5246 §7.4.1.4.1)",
        ))?;
    let signed = m12::signed_params(&hs.client_random, &hs.server_random, &ske.params());
    sign::verify12(key, scheme, &signed, &ske.signature).map_err(|e| match e {
        Error::BadCertificateVerify => Error::BadKeyExchangeSignature,
        other => other,
    })?;
    hs.group = Some(group);
    hs.scheme = Some(scheme);
    Ok(ske)
}

/// ClientKeyExchange, ChangeCipherSpec, Finished (RFC 5246 §7.3).
fn client_flight(
    cx: Ctx<'_>,
    c: &mut Common,
    mut hs: Hs,
    key: &PublicKey,
    ske: Option<EcdheServerKeyExchange>,
    raw: &[u8],
) -> Result<State12, Error> {
    // RFC 5246 §7.4.5: ServerHelloDone is empty (checked by the parser).
    hs.add(raw);
    // RFC 5246 §7.4.6: after a CertificateRequest the client sends a
    // Certificate, empty when it has none that fits.
    let mut chosen = None;
    if let Some(requested) = &hs.cert_request {
        chosen = crate::client::auth::choose(cx.config, requested);
        let chain = chosen.map_or_else(Vec::new, |(cc, _)| cc.chain.clone());
        let raw_cert = c.send_handshake(&HandshakeMessage::Certificate12(chain))?;
        hs.add(&raw_cert);
    }
    let (pms, cke): (Secret, Vec<u8>) = match (ske, key) {
        (None, PublicKey::Rsa(k)) => {
            // RFC 5246 §7.4.7.1: client_version (the version offered,
            // 0x0303) then 46 random bytes, RSAES-PKCS1-v1_5 encrypted.
            let mut pms = Zeroizing::new(vec![0u8; 48]);
            pms[..2].copy_from_slice(&TLS12.to_be_bytes());
            cx.rng.fill_bytes(&mut pms[2..]);
            let rsa = k.to_key().map_err(|_| CertError::UnsupportedAlgorithm)?;
            let mut rng = &mut *cx.rng;
            let ct = rsa
                .encrypt_pkcs1v15(&mut rng, &pms)
                .map_err(Error::Crypto)?;
            (pms, m12::encode_rsa_cke(&ct))
        }
        (Some(ske), _) => {
            let group = hs.group.ok_or(Error::Config("ECDHE group"))?;
            let share = KeyShare::generate(group, &mut *cx.rng);
            // RFC 8422 §5.10 (and RFC 7748 §6.1): a bad point or an all-zero
            // X25519 result is illegal_parameter.
            let shared = share.agree(&ske.public)?;
            (shared, m12::encode_ecdhe_cke(&share.public()))
        }
        (None, _) => return Err(Error::Certificate(CertError::UnsupportedAlgorithm)),
    };
    let raw_cke = c.send_handshake(&HandshakeMessage::ClientKeyExchange(cke))?;
    hs.add(&raw_cke);
    let prf = hs.suite.prf();
    let master = if hs.ems {
        keys::extended_master_secret(prf, &pms, &hs.transcript.current())
    } else {
        keys::master_secret(prf, &pms, &hs.client_random, &hs.server_random)
    };
    drop(pms);
    c.secret("master secret", Some("CLIENT_RANDOM"), &master);
    // RFC 5246 §7.4.8: CertificateVerify signs every message before it
    // (after the master secret: RFC 7627's session hash ends at the
    // ClientKeyExchange).
    if let Some((cc, scheme)) = chosen {
        let signature = sign::sign(&cc.key, scheme, &hs.messages, &mut *cx.rng)?;
        let cv = HandshakeMessage::CertificateVerify {
            scheme: scheme.to_u16(),
            signature,
        };
        let raw_cv = c.send_handshake(&cv)?;
        hs.add(&raw_cv);
    }
    let (write, read) = record_keys(cx.rng, &hs, &master)?;
    let fin = keys::verify_data(
        hs.suite.prf(),
        &master,
        CLIENT_FINISHED,
        &hs.transcript.current(),
    );
    c.send_ccs12(write)?;
    let raw_fin = c.send_handshake(&HandshakeMessage::Finished(fin))?;
    hs.transcript.add(&raw_fin);
    c.set_pending_read12(read);
    Ok(State12::ExpectFinished(hs, master, None))
}
