//! The TLS 1.2 server (RFC 5246 §7.3): suite choice, the server flight,
//! the client's key exchange (RSA with implicit rejection, or ECDHE), and
//! the Finished exchange.

use handshake_crypto::{PrivateKey, PublicKey};
use rand_core::CryptoRngCore;
use zeroize::Zeroizing;

use crate::alert::{AlertDescription, AlertLevel};
use crate::config::ServerConfig;
use crate::conn::{Common, Event};
use crate::extensions::{find, Extension};
use crate::keys::{Secret, Transcript};
use crate::kx::KeyShare;
use crate::msgs::{ClientHello, HandshakeMessage, ServerHello};
use crate::sign;
use crate::suites::{SignatureScheme, TLS12};
use crate::Error;
use crate::DOWNGRADE_TLS12;

use super::keys::{self, CLIENT_FINISHED, SERVER_FINISHED};
use super::msgs::{self as m12, ext, EcdheServerKeyExchange, EMPTY_RENEGOTIATION_INFO_SCSV};
use super::record::RecordKeys12;
use super::suites::KeyExchange;
use super::{ticket, Negotiated12, Tls12Suite};

/// What the server needs from its connection to run TLS 1.2.
pub(crate) struct Ctx<'a> {
    pub(crate) config: &'a ServerConfig,
    /// Seconds since the Unix epoch (for client certificates), if known.
    pub(crate) now: Option<u64>,
    pub(crate) rng: &'a mut (dyn CryptoRngCore + Send),
}

pub(crate) struct Hs {
    suite: Tls12Suite,
    transcript: Transcript,
    client_version: u16,
    client_random: [u8; 32],
    server_random: [u8; 32],
    share: Option<KeyShare>,
    negotiated: Negotiated12,
    /// Send a NewSessionTicket before our ChangeCipherSpec (RFC 5077 §3.3).
    issue_ticket: bool,
    ticket_nonce: [u8; 12],
    /// With client authentication: every handshake message so far, which
    /// the client's CertificateVerify signs (RFC 5246 §7.4.8).
    messages: Option<Vec<u8>>,
    /// The client certificate's key, for its CertificateVerify.
    client_key: Option<PublicKey>,
}

impl Hs {
    fn add(&mut self, raw: &[u8]) {
        self.transcript.add(raw);
        if let Some(m) = &mut self.messages {
            m.extend_from_slice(raw);
        }
    }
}

pub(crate) enum State12 {
    /// The client's Certificate, after our CertificateRequest (§7.4.6).
    ExpectCertificate(Box<Hs>),
    ExpectClientKeyExchange(Box<Hs>),
    /// The client's CertificateVerify (§7.4.8), then as ExpectFinished.
    ExpectCertificateVerify(Box<Hs>, Secret, Option<RecordKeys12>),
    /// The client's Finished; the master secret; our write keys for the
    /// full handshake (none when resuming: ours went first).
    ExpectFinished(Box<Hs>, Secret, Option<RecordKeys12>),
    Connected,
}

fn unknown_ext(exts: &[Extension], t: u16) -> Option<&[u8]> {
    exts.iter().find_map(|e| match e {
        Extension::Unknown { typ, data } if *typ == t => Some(&data[..]),
        _ => None,
    })
}

/// The schemes both the client offered and `key` can sign with.
fn common_scheme(key: &PrivateKey, offered: Option<&Vec<u16>>) -> Option<SignatureScheme> {
    // RFC 5246 §7.4.1.4.1: without signature_algorithms the client accepts
    // only SHA-1, which this crate does not sign with.
    let offered = offered?;
    sign::schemes12_for(key)
        .iter()
        .copied()
        .find(|s| offered.contains(&s.to_u16()))
}

/// A ClientHello that negotiates TLS 1.2: choose, and send the flight.
pub(crate) fn client_hello(
    cx: Ctx<'_>,
    c: &mut Common,
    ch: &ClientHello,
    raw: &[u8],
    alpn: Option<Vec<u8>>,
) -> Result<State12, Error> {
    let exts = &ch.extensions;
    // RFC 5246 §7.4.1.2: the list MUST include null compression.
    if !ch.compression_methods.contains(&0) {
        return Err(Error::IllegalParameter {
            what: "compression_methods without null (RFC 5246 §7.4.1.2)",
        });
    }
    // RFC 5746 §3.6: an initial ClientHello's renegotiation_info is empty,
    // else handshake_failure; it or the SCSV signals secure renegotiation.
    let ri = unknown_ext(exts, ext::RENEGOTIATION_INFO);
    if ri.is_some_and(|d| d != [0]) {
        return Err(Error::BadRenegotiationInfo);
    }
    let secure_reneg = ri.is_some() || ch.cipher_suites.contains(&EMPTY_RENEGOTIATION_INFO_SCSV);
    let ems = match unknown_ext(exts, ext::EXTENDED_MASTER_SECRET) {
        Some([]) => true,
        Some(_) => {
            return Err(Error::Decode {
                what: "extended_master_secret data (RFC 7627 §5.1)",
            })
        }
        None => false,
    };
    // RFC 7627 §5.3: a server that requires the extended master secret
    // aborts with handshake_failure when the client does not offer it.
    if !ems && cx.config.require_extended_master_secret {
        return Err(Error::MissingExtendedMasterSecret);
    }
    // RFC 5077 §3.1, §3.4: a ticket this server sealed, with a session ID to
    // echo, for a suite still offered and enabled, and the extended master
    // secret on both the session and this hello (RFC 7627 §5.3): resume.
    // Anything else (a ticket of another key, tampered, expired) is ignored
    // and a full handshake follows.
    let ticket_ext = unknown_ext(exts, ext::SESSION_TICKET);
    let key = cx.config.tls12_ticket_key.as_deref();
    if let (Some(k), Some(t)) = (key, ticket_ext) {
        let session = ticket::open(k, t).filter(|(suite, ems_t, _)| {
            !t.is_empty()
                && !ch.session_id.is_empty()
                && ch.cipher_suites.contains(&suite.to_u16())
                && cx.config.tls12_suites.contains(suite)
                && *ems_t
                && ems
        });
        if let Some((suite, _, master)) = session {
            let mut sh_ext = Vec::new();
            if secure_reneg {
                sh_ext.push(Extension::Unknown {
                    typ: ext::RENEGOTIATION_INFO,
                    data: vec![0],
                });
            }
            sh_ext.push(Extension::Unknown {
                typ: ext::EXTENDED_MASTER_SECRET,
                data: Vec::new(),
            });
            if let Some(p) = &alpn {
                sh_ext.push(Extension::Alpn(vec![p.clone()]));
            }
            let negotiated = Negotiated12 {
                suite,
                group: None,
                signature_scheme: None,
                alpn,
                extended_master_secret: true,
                secure_renegotiation: secure_reneg,
                resumed: true,
            };
            return resume(cx, c, ch, raw, suite, master, sh_ext, negotiated);
        }
    }
    let issue_ticket = key.is_some() && ticket_ext.is_some();
    let mut ticket_nonce = [0u8; 12];
    if issue_ticket {
        cx.rng.fill_bytes(&mut ticket_nonce);
    }
    let groups = find(exts, |e| match e {
        Extension::SupportedGroups(g) => Some(g),
        _ => None,
    });
    let schemes = find(exts, |e| match e {
        Extension::SignatureAlgorithms(s) => Some(s),
        _ => None,
    });
    // RFC 8422 §4: without supported_groups the client is taken to support
    // any curve; otherwise the server's first choice the client lists.
    let group = cx
        .config
        .groups
        .iter()
        .copied()
        // The hybrid KEM is TLS 1.3's alone (draft-ietf-tls-ecdhe-mlkem §3).
        .find(|g| g.is_ecdhe() && groups.is_none_or(|l| l.contains(&g.to_u16())));
    let key = &*cx.config.key;
    // The strongest suite in the server's order that the client offered
    // and this key can serve (the project's notes: the server picks the
    // strongest of the client's list).
    let mut chosen = None;
    for s in &cx.config.tls12_suites {
        if !ch.cipher_suites.contains(&s.to_u16()) {
            continue;
        }
        let pick = match (s.kx(), key) {
            (KeyExchange::Rsa, PrivateKey::Rsa(_)) => Some((None, None)),
            (KeyExchange::EcdheRsa, PrivateKey::Rsa(_))
            | (
                KeyExchange::EcdheEcdsa,
                PrivateKey::P256(_) | PrivateKey::P384(_) | PrivateKey::Ed25519(_),
            ) => match (group, common_scheme(key, schemes)) {
                (Some(g), Some(sc)) => Some((Some(g), Some(sc))),
                _ => None,
            },
            _ => None,
        };
        if let Some((g, sc)) = pick {
            chosen = Some((*s, g, sc));
            break;
        }
    }
    let (suite, group, scheme) = chosen.ok_or(Error::NoCommonCipherSuite)?;
    c.enter_tls12();
    c.client_random = ch.random;
    let mut server_random = [0u8; 32];
    cx.rng.fill_bytes(&mut server_random);
    // RFC 8446 §4.1.3: a TLS 1.3 server negotiating TLS 1.2 MUST end its
    // random with "DOWNGRD" 01.
    if cx.config.accepts13() {
        server_random[24..].copy_from_slice(&DOWNGRADE_TLS12);
    }
    let mut sh_ext = Vec::new();
    if secure_reneg {
        sh_ext.push(Extension::Unknown {
            typ: ext::RENEGOTIATION_INFO,
            data: vec![0],
        });
    }
    if ems {
        sh_ext.push(Extension::Unknown {
            typ: ext::EXTENDED_MASTER_SECRET,
            data: Vec::new(),
        });
    }
    if group.is_some() && unknown_ext(exts, ext::EC_POINT_FORMATS).is_some() {
        sh_ext.push(Extension::Unknown {
            typ: ext::EC_POINT_FORMATS,
            data: vec![1, 0],
        });
    }
    if let Some(p) = &alpn {
        sh_ext.push(Extension::Alpn(vec![p.clone()]));
    }
    if issue_ticket {
        // RFC 5077 §3.2: an empty session_ticket says a ticket will come.
        sh_ext.push(Extension::Unknown {
            typ: ext::SESSION_TICKET,
            data: Vec::new(),
        });
    }
    let sh = HandshakeMessage::ServerHello(ServerHello {
        legacy_version: TLS12,
        random: server_random,
        // No session cache: an empty session_id (RFC 5246 §7.4.1.3).
        session_id: Vec::new(),
        cipher_suite: suite.to_u16(),
        compression_method: 0,
        extensions: sh_ext,
    });
    let mut transcript = Transcript::new();
    transcript.add(raw);
    transcript.start_hash(suite.prf());
    // RFC 5246 §7.4.8: the client's CertificateVerify signs every message.
    // A client_auth that waits for after the handshake asks nothing here
    // (TLS 1.2 has no post-handshake authentication).
    let auth = cx
        .config
        .client_auth
        .as_ref()
        .filter(|a| !a.post_handshake_only);
    let mut messages = auth.map(|_| raw.to_vec());
    let mut add = |t: &mut Transcript, raw: &[u8]| {
        t.add(raw);
        if let Some(m) = &mut messages {
            m.extend_from_slice(raw);
        }
    };
    add(&mut transcript, &c.send_handshake(&sh)?);
    let cert = HandshakeMessage::Certificate12(cx.config.cert_chain.clone());
    add(&mut transcript, &c.send_handshake(&cert)?);
    let mut share = None;
    if let (Some(g), Some(sc)) = (group, scheme) {
        let mine = KeyShare::generate(g, &mut *cx.rng);
        let mut ske = EcdheServerKeyExchange {
            group: g.to_u16(),
            public: mine.public(),
            scheme: sc.to_u16(),
            signature: Vec::new(),
        };
        let signed = m12::signed_params(&ch.random, &server_random, &ske.params());
        ske.signature = sign::sign(key, sc, &signed, &mut *cx.rng)?;
        let msg = HandshakeMessage::ServerKeyExchange(ske.encode());
        add(&mut transcript, &c.send_handshake(&msg)?);
        share = Some(mine);
    }
    let request = auth.is_some();
    if let Some(auth) = auth {
        // RFC 5246 §7.4.4: rsa_sign (1) and ecdsa_sign (64), the schemes
        // we verify, and certificate_authorities: the DistinguishedNames
        // of the anchors a client chain must lead to.
        let cr = HandshakeMessage::CertificateRequest12 {
            cert_types: vec![1, 64],
            schemes: crate::server::CLIENT_SCHEMES
                .iter()
                .map(|s| s.to_u16())
                .collect(),
            authorities: auth.authorities(),
        };
        add(&mut transcript, &c.send_handshake(&cr)?);
    }
    add(
        &mut transcript,
        &c.send_handshake(&HandshakeMessage::ServerHelloDone)?,
    );
    let hs = Box::new(Hs {
        suite,
        transcript,
        client_version: ch.legacy_version,
        client_random: ch.random,
        server_random,
        share,
        negotiated: Negotiated12 {
            suite,
            group,
            signature_scheme: scheme,
            alpn,
            extended_master_secret: ems,
            secure_renegotiation: secure_reneg,
            resumed: false,
        },
        issue_ticket,
        ticket_nonce,
        messages,
        client_key: None,
    });
    Ok(if request {
        State12::ExpectCertificate(hs)
    } else {
        State12::ExpectClientKeyExchange(hs)
    })
}

/// The client's Certificate (RFC 5246 §7.4.6), validated for clientAuth;
/// an empty one when a certificate is required is handshake_failure.
fn client_certificate(
    cx: &Ctx<'_>,
    c: &mut Common,
    hs: &mut Hs,
    chain: Vec<Vec<u8>>,
) -> Result<(), Error> {
    let Some(auth) = &cx.config.client_auth else {
        return Err(Error::Config("client authentication"));
    };
    if chain.is_empty() {
        return if auth.required {
            Err(Error::NoClientCertificate)
        } else {
            Ok(())
        };
    }
    let now = cx.now.unwrap_or_default();
    let (leaf, _) = crate::cert::verify_client_chain(&chain, &auth.roots, now)?;
    hs.client_key = Some(leaf.public_key.ok_or(Error::Certificate(
        crate::error::CertError::UnsupportedAlgorithm,
    ))?);
    c.client_chain = Some(chain);
    Ok(())
}

/// NewSessionTicket (RFC 5077 §3.3): the session sealed under the ticket key.
fn issue_ticket(cx: &Ctx<'_>, c: &mut Common, hs: &mut Hs, master: &[u8]) -> Result<(), Error> {
    let Some(key) = &cx.config.tls12_ticket_key else {
        return Ok(());
    };
    let nonce = hs.ticket_nonce;
    let ticket = ticket::seal(
        key,
        nonce,
        hs.suite,
        hs.negotiated.extended_master_secret,
        master,
    )
    .ok_or(Error::Config("ticket key"))?;
    let msg = HandshakeMessage::NewSessionTicket12 {
        lifetime_hint: TICKET_LIFETIME_HINT,
        ticket,
    };
    hs.transcript.add(&c.send_handshake(&msg)?);
    Ok(())
}

/// The lifetime hint a ticket carries, in seconds (RFC 5077 §3.3); this
/// server reads no clock, so it does not enforce it.
const TICKET_LIFETIME_HINT: u32 = 7200;

/// The abbreviated handshake (RFC 5246 §7.3, RFC 5077 §3.1): ServerHello
/// echoing the client's session ID, then our ChangeCipherSpec and Finished
/// under keys from the ticket's master secret and the new randoms.
#[allow(clippy::too_many_arguments)]
fn resume(
    cx: Ctx<'_>,
    c: &mut Common,
    ch: &ClientHello,
    raw: &[u8],
    suite: Tls12Suite,
    master: Secret,
    sh_ext: Vec<Extension>,
    negotiated: Negotiated12,
) -> Result<State12, Error> {
    c.enter_tls12();
    c.client_random = ch.random;
    let mut server_random = [0u8; 32];
    cx.rng.fill_bytes(&mut server_random);
    if cx.config.accepts13() {
        server_random[24..].copy_from_slice(&DOWNGRADE_TLS12);
    }
    let sh = HandshakeMessage::ServerHello(ServerHello {
        legacy_version: TLS12,
        random: server_random,
        session_id: ch.session_id.clone(),
        cipher_suite: suite.to_u16(),
        compression_method: 0,
        extensions: sh_ext,
    });
    let mut transcript = Transcript::new();
    transcript.add(raw);
    transcript.start_hash(suite.prf());
    transcript.add(&c.send_handshake(&sh)?);
    c.secret("master secret", Some("CLIENT_RANDOM"), &master);
    let prf = suite.prf();
    let bulk = suite.bulk();
    let kb = keys::key_block(prf, bulk, &master, &ch.random, &server_random);
    let mut seed = [0u8; 16];
    cx.rng.fill_bytes(&mut seed);
    let read = RecordKeys12::new(bulk, &kb.client_mac, &kb.client_key, &kb.client_iv, &seed)?;
    let write = RecordKeys12::new(bulk, &kb.server_mac, &kb.server_key, &kb.server_iv, &seed)?;
    let fin = keys::verify_data(prf, &master, SERVER_FINISHED, &transcript.current());
    c.send_ccs12(write)?;
    transcript.add(&c.send_handshake(&HandshakeMessage::Finished(fin))?);
    c.set_pending_read12(read);
    Ok(State12::ExpectFinished(
        Box::new(Hs {
            suite,
            transcript,
            client_version: ch.legacy_version,
            client_random: ch.random,
            server_random,
            share: None,
            negotiated: Negotiated12 {
                resumed: true,
                ..negotiated
            },
            issue_ticket: false,
            ticket_nonce: [0; 12],
            messages: None,
            client_key: None,
        }),
        master,
        None,
    ))
}

/// The pre-master secret from an RSA ClientKeyExchange (RFC 5246
/// §7.4.7.1): R, 48 random bytes, is drawn first; a bad padding, a wrong
/// length or a version other than the one the client offered all give R,
/// chosen by masks so that no branch depends on the secret and no alert
/// differs (the failure shows up only as a Finished that does not verify).
fn rsa_pms(
    rng: &mut (dyn CryptoRngCore + Send),
    key: &PrivateKey,
    client_version: u16,
    body: &[u8],
) -> Result<Secret, Error> {
    let PrivateKey::Rsa(k) = key else {
        return Err(Error::Config("RSA key exchange without an RSA key"));
    };
    let ct = m12::parse_rsa_cke(body)?;
    let mut r = Zeroizing::new([0u8; 48]);
    rng.fill_bytes(&mut r[..]);
    let mut rng = rng;
    let m = Zeroizing::new(k.decrypt_pkcs1v15_implicit(&mut rng, &ct, &r[..]));
    // `m` is 48 bytes: the message or R (the API returns the fallback's length).
    let v = client_version.to_be_bytes();
    let diff = u16::from((m[0] ^ v[0]) | (m[1] ^ v[1]));
    // 0xff when the version matches, 0x00 otherwise, without a branch.
    let mask = core::hint::black_box((diff.wrapping_sub(1) >> 8) as u8);
    let mut pms = Zeroizing::new(vec![0u8; 48]);
    for (i, p) in pms.iter_mut().enumerate() {
        let a = m.get(i).copied().unwrap_or(0);
        *p = (a & mask) | (r[i] & !mask);
    }
    Ok(pms)
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
        (State12::ExpectClientKeyExchange(mut hs), HandshakeMessage::ClientKeyExchange(b)) => {
            let pms = match (&hs.share, hs.suite.kx()) {
                (None, KeyExchange::Rsa) => rsa_pms(cx.rng, &cx.config.key, hs.client_version, &b)?,
                (Some(share), _) => share.agree(&m12::parse_ecdhe_cke(&b)?)?,
                (None, _) => return Err(Error::Config("ECDHE without a share")),
            };
            hs.share = None;
            hs.add(raw);
            let prf = hs.suite.prf();
            let master = if hs.negotiated.extended_master_secret {
                keys::extended_master_secret(prf, &pms, &hs.transcript.current())
            } else {
                keys::master_secret(prf, &pms, &hs.client_random, &hs.server_random)
            };
            drop(pms);
            c.secret("master secret", Some("CLIENT_RANDOM"), &master);
            let bulk = hs.suite.bulk();
            let kb = keys::key_block(prf, bulk, &master, &hs.client_random, &hs.server_random);
            let mut seed = [0u8; 16];
            cx.rng.fill_bytes(&mut seed);
            let read =
                RecordKeys12::new(bulk, &kb.client_mac, &kb.client_key, &kb.client_iv, &seed)?;
            let write =
                RecordKeys12::new(bulk, &kb.server_mac, &kb.server_key, &kb.server_iv, &seed)?;
            c.set_pending_read12(read);
            if hs.client_key.is_some() {
                State12::ExpectCertificateVerify(hs, master, Some(write))
            } else {
                State12::ExpectFinished(hs, master, Some(write))
            }
        }
        (State12::ExpectCertificate(mut hs), HandshakeMessage::Certificate12(chain)) => {
            hs.add(raw);
            client_certificate(&cx, c, &mut hs, chain)?;
            State12::ExpectClientKeyExchange(hs)
        }
        (
            State12::ExpectCertificateVerify(mut hs, master, write),
            HandshakeMessage::CertificateVerify { scheme, signature },
        ) => {
            // RFC 5246 §7.4.8: a scheme from our CertificateRequest, over
            // every handshake message before this one.
            let scheme = SignatureScheme::from_u16(scheme)
                .filter(|s| crate::server::CLIENT_SCHEMES.contains(s))
                .ok_or(Error::IllegalParameter {
                    what: "client CertificateVerify scheme not requested (RFC 5246 §7.4.8)",
                })?;
            let (Some(key), Some(messages)) = (&hs.client_key, &hs.messages) else {
                return Err(Error::Config("client authentication"));
            };
            sign::verify12(key, scheme, messages, &signature)?;
            hs.add(raw);
            State12::ExpectFinished(hs, master, write)
        }
        (State12::ExpectFinished(mut hs, master, write), HandshakeMessage::Finished(v)) => {
            // A pre-master secret replaced by implicit rejection ends here,
            // with the same alert as any bad Finished.
            let hash = hs.transcript.current();
            let prf = hs.suite.prf();
            keys::check_finished(c.read_protected(), prf, &master, CLIENT_FINISHED, &hash, &v)?;
            if let Some(write) = write {
                hs.transcript.add(raw);
                if hs.issue_ticket {
                    issue_ticket(&cx, c, &mut hs, &master)?;
                }
                let fin =
                    keys::verify_data(prf, &master, SERVER_FINISHED, &hs.transcript.current());
                c.send_ccs12(write)?;
                c.send_handshake(&HandshakeMessage::Finished(fin))?;
            }
            c.connected = true;
            c.negotiated12 = Some(hs.negotiated.clone());
            c.push_event(Event::HandshakeComplete);
            State12::Connected
        }
        // RFC 5746 §4.4, RFC 5246 §7.4.1.2: this server does not
        // renegotiate; a ClientHello on an established connection gets a
        // no_renegotiation warning and the connection goes on.
        (State12::Connected, HandshakeMessage::ClientHello(_)) => {
            c.send_alert(AlertLevel::Warning, AlertDescription::NoRenegotiation);
            State12::Connected
        }
        (s, m) => {
            return Err(Error::UnexpectedMessage {
                got: m.name(),
                state: match s {
                    State12::ExpectClientKeyExchange(_) => "waiting for ClientKeyExchange",
                    State12::ExpectCertificate(_) => "waiting for the client's Certificate",
                    State12::ExpectCertificateVerify(..) => {
                        "waiting for the client's CertificateVerify"
                    }
                    State12::ExpectFinished(..) => "waiting for the client's Finished",
                    State12::Connected => "connected (TLS 1.2)",
                },
            })
        }
    })
}
