//! Post-handshake client authentication on the server's side (RFC 8446
//! §4.6.2): a CertificateRequest with a fresh context, sent on request of
//! the application to a client that offered post_handshake_auth
//! (§4.2.6), and the client's Certificate, CertificateVerify and Finished
//! in answer, checked against the handshake context of §4.4 (the
//! transcript through the client Finished, then the request) with the
//! Finished key from client_application_traffic_secret_N (§4.4.4).
//! Application data keeps flowing both ways meanwhile.

use handshake_crypto::{ct_eq, PublicKey};

use super::{certificate_request, illegal, ServerConnection, ServerMachine, State};
use crate::conn::{AppSecrets, Common};
use crate::keys::{finished_verify_data, Transcript};
use crate::msgs::HandshakeMessage;
use crate::trace::TraceLine;
use crate::{Error, Event};

/// Bytes of a certificate_request_context the server draws.
const CONTEXT_LEN: usize = 32;

/// Requests that may await answers at once. §4.6.2 lets a server send
/// several and a client answer them in any order; the bound keeps a
/// client that never answers from making the server hold transcripts
/// without limit.
pub const MAX_OUTSTANDING_AUTH_REQUESTS: usize = 8;

/// What the server keeps for post-handshake authentication.
pub(super) struct Pha {
    /// The transcript through the client Finished (§4.4).
    base: Transcript,
    /// Requests sent and not yet answered, oldest first.
    outstanding: Vec<Request>,
    /// The request whose answer is arriving: its Certificate named the
    /// request's context; CertificateVerify and Finished follow.
    answering: Option<Request>,
    /// The number the next request gets (from 1).
    next_id: u64,
}

/// One CertificateRequest sent after the handshake.
struct Request {
    /// What [`ServerConnection::request_client_auth`] returned for it.
    id: u64,
    /// certificate_request_context, to be echoed (§4.4.2).
    context: Vec<u8>,
    /// The handshake context: base, the request, and what followed.
    transcript: Transcript,
    step: Step,
    /// The validated chain, recorded once the Finished checks.
    chain: Option<Vec<Vec<u8>>>,
}

enum Step {
    Certificate,
    CertificateVerify(PublicKey),
    Finished,
}

impl Pha {
    pub(super) fn new(base: Transcript) -> Self {
        Pha {
            base,
            outstanding: Vec::new(),
            answering: None,
            next_id: 1,
        }
    }

    /// Whether a request awaits the client's answer.
    pub(super) fn pending(&self) -> bool {
        self.answering.is_some() || !self.outstanding.is_empty()
    }
}

impl ServerConnection {
    /// Asks the client for a certificate now, after the handshake (TLS 1.3
    /// post-handshake authentication, RFC 8446 §4.6.2): a
    /// CertificateRequest with a fresh random certificate_request_context,
    /// signature_algorithms and certificate_authorities (the subjects of
    /// [`ClientAuth::roots`](crate::ClientAuth::roots)), queued for
    /// [`poll_transmit`](Self::poll_transmit). Returns the request's
    /// number (1, 2, ... on this connection).
    ///
    /// The client's answer is checked as it arrives, with the rules of the
    /// handshake's client authentication
    /// ([`ServerConfig::client_auth`](crate::ServerConfig::client_auth):
    /// the same anchors, `required`, the same alerts). Once it is complete,
    /// [`poll_event`](Self::poll_event) gives
    /// [`Event::ClientAuthenticated`](crate::Event::ClientAuthenticated)
    /// with this number, and
    /// [`client_certificates`](Self::client_certificates) holds the
    /// validated chain. Up to [`MAX_OUTSTANDING_AUTH_REQUESTS`] requests
    /// may be unanswered at once; the client may answer them in any order
    /// (§4.6.2), and each answer is matched to its request by its context.
    /// Application data flows both ways meanwhile.
    ///
    /// Errors (nothing is sent): [`Error::NotConnected`] before the
    /// handshake completed or after close;
    /// [`Error::PostHandshakeAuthNotOffered`] when the client did not
    /// offer post_handshake_auth in a TLS 1.3 handshake (§4.2.6: the
    /// server MUST NOT send the request then);
    /// [`Error::PostHandshakeAuthPending`] while
    /// [`MAX_OUTSTANDING_AUTH_REQUESTS`] requests are unanswered;
    /// [`Error::Config`] without `client_auth` in the config.
    pub fn request_client_auth(&mut self) -> Result<u64, Error> {
        self.common.check_open()?;
        let m = &mut self.machine;
        let (State::Connected(_), Some(pha)) = (&m.state, &mut m.pha) else {
            return Err(Error::PostHandshakeAuthNotOffered);
        };
        if pha.outstanding.len() + usize::from(pha.answering.is_some())
            >= MAX_OUTSTANDING_AUTH_REQUESTS
        {
            return Err(Error::PostHandshakeAuthPending);
        }
        let Some(auth) = &m.config.client_auth else {
            return Err(Error::Config(
                "request_client_auth needs ServerConfig::client_auth (the client anchors)",
            ));
        };
        // §4.3.2: the context identifies the request and is echoed in the
        // client's Certificate; random, so no two requests share one.
        let mut context = vec![0u8; CONTEXT_LEN];
        m.rng.fill_bytes(&mut context);
        let raw = self
            .common
            .send_handshake(&certificate_request(auth, context.clone()))?;
        let mut transcript = pha.base.clone();
        transcript.add(&raw);
        let id = pha.next_id;
        pha.next_id += 1;
        pha.outstanding.push(Request {
            id,
            context,
            transcript,
            step: Step::Certificate,
            chain: None,
        });
        Ok(id)
    }

    /// Whether a post-handshake CertificateRequest
    /// ([`request_client_auth`](Self::request_client_auth)) awaits the
    /// client's answer (any of them, when several were sent).
    pub fn client_auth_pending(&self) -> bool {
        self.machine.pha.as_ref().is_some_and(Pha::pending)
    }

    /// Tells the connection the current time (seconds since the Unix
    /// epoch), for what it checks from now on: a client certificate
    /// validated after the handshake. On a connection made with
    /// [`new`](Self::new) before its ClientHello this also turns TLS 1.3
    /// tickets on, as [`new_at`](Self::new_at) would.
    pub fn set_time(&mut self, now_unix: u64) {
        self.machine.now = Some(now_unix);
    }
}

impl ServerMachine {
    /// A handshake message while a post-handshake request is outstanding:
    /// the client's Certificate, whose context picks the request it
    /// answers, then CertificateVerify (when it sent a certificate) and
    /// Finished, in that order (§4.6.2).
    pub(super) fn post_handshake_message(
        &mut self,
        c: &mut Common,
        app: &AppSecrets,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<(), Error> {
        let Some(pha) = self.pha.as_mut() else {
            return Err(Error::UnexpectedMessage {
                got: msg.name(),
                state: "connected",
            });
        };
        let mut req = match (pha.answering.take(), &msg) {
            (Some(req), _) => req,
            (None, HandshakeMessage::Certificate(cert)) => {
                // §4.6.2: answers may come in any order; §4.4.2: the
                // context is that of the request this answers.
                let Some(at) = pha
                    .outstanding
                    .iter()
                    .position(|r| ct_eq(&cert.context, &r.context))
                else {
                    return Err(illegal(
                        "certificate_request_context is not that of an outstanding request (RFC 8446 §4.4.2)",
                    ));
                };
                pha.outstanding.remove(at)
            }
            (None, m) => {
                return Err(Error::UnexpectedMessage {
                    got: m.name(),
                    state: "waiting for the client's post-handshake Certificate",
                })
            }
        };
        let step = std::mem::replace(&mut req.step, Step::Finished);
        req.step = match (step, msg) {
            (Step::Certificate, HandshakeMessage::Certificate(cert)) => {
                req.transcript.add(raw);
                let Some(auth) = &self.config.client_auth else {
                    return Err(Error::Config("client authentication"));
                };
                if cert.entries.is_empty() {
                    // §4.4.2.4: abort with certificate_required, or go on
                    // without client authentication (no CertificateVerify
                    // follows an empty Certificate, §4.4.3).
                    if auth.required {
                        return Err(Error::CertificateRequired);
                    }
                    Step::Finished
                } else {
                    let (chain, key) = super::verify_client_certificate(
                        c,
                        auth,
                        self.now.unwrap_or_default(),
                        cert,
                        "client (post-handshake)",
                    )?;
                    req.chain = Some(chain);
                    Step::CertificateVerify(key)
                }
            }
            (
                Step::CertificateVerify(key),
                HandshakeMessage::CertificateVerify { scheme, signature },
            ) => {
                super::client_certificate_verify(
                    &key,
                    scheme,
                    &signature,
                    &req.transcript.current(),
                )?;
                req.transcript.add(raw);
                Step::Finished
            }
            (Step::Finished, HandshakeMessage::Finished(v)) => {
                // §4.4.4: after the handshake the Finished key comes from
                // client_application_traffic_secret_N.
                let hash = app.suite.hash();
                let expected = finished_verify_data(hash, &app.theirs, &req.transcript.current());
                if v.len() != expected.len() {
                    return Err(Error::Decode {
                        what: "Finished.verify_data length (RFC 8446 §4.4.4)",
                    });
                }
                // §4.4.4: a wrong verify_data is decrypt_error (constant time).
                if !ct_eq(&expected, &v) {
                    return Err(Error::BadFinished);
                }
                let certificate = req.chain.is_some();
                if let Some(chain) = req.chain.take() {
                    c.client_chain = Some(chain);
                }
                c.note(|| {
                    TraceLine::Certificate(format!(
                        "post-handshake authentication {} complete",
                        req.id
                    ))
                });
                c.push_event(Event::ClientAuthenticated {
                    request: req.id,
                    certificate,
                });
                return Ok(());
            }
            (step, m) => {
                return Err(Error::UnexpectedMessage {
                    got: m.name(),
                    state: match step {
                        Step::Certificate => "waiting for the client's post-handshake Certificate",
                        Step::CertificateVerify(_) => {
                            "waiting for the client's post-handshake CertificateVerify"
                        }
                        Step::Finished => "waiting for the client's post-handshake Finished",
                    },
                })
            }
        };
        if let Some(pha) = self.pha.as_mut() {
            pha.answering = Some(req);
        }
        Ok(())
    }
}
