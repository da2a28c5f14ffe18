//! Certificates on the client's side: the server's chain (RFC 8446
//! §4.4.2), a CertificateRequest (§4.3.2), and the client's own Certificate
//! and CertificateVerify in answer (§4.4.2, §4.4.3).

use handshake_crypto::PublicKey;
use rand_core::CryptoRngCore;

use super::{illegal, ClientMachine};
use crate::cert;
use crate::config::{ClientCert, ClientConfig};
use crate::conn::{AppSecrets, Common};
use crate::extensions::{find, Extension};
use crate::keys::{finished_verify_data, Transcript};
use crate::msgs::{Certificate, CertificateEntry, HandshakeMessage};
use crate::sign;
use crate::suites::SignatureScheme;
use crate::trace::TraceLine;
use crate::Error;

impl ClientMachine {
    pub(super) fn certificate(
        &self,
        c: &mut Common,
        cert: crate::msgs::Certificate,
    ) -> Result<PublicKey, Error> {
        // §4.4.2: empty for server authentication.
        if !cert.context.is_empty() {
            return Err(illegal(
                "certificate_request_context not empty (RFC 8446 §4.4.2)",
            ));
        }
        // §4.4.2.4: an empty Certificate from the server is decode_error.
        if cert.entries.is_empty() {
            return Err(Error::Decode {
                what: "empty server Certificate (RFC 8446 §4.4.2.4)",
            });
        }
        for e in &cert.entries {
            if let Some(x) = e.extensions.first() {
                return Err(Error::UnsupportedExtension { typ: x.typ() });
            }
        }
        let chain: Vec<Vec<u8>> = cert.entries.into_iter().map(|e| e.cert_data).collect();
        c.server_chain = Some(chain.clone());
        let (leaf, verified) =
            cert::verify_server_chain(&chain, &self.config.roots, &self.name, self.now)?;
        c.note(|| {
            TraceLine::Certificate(format!(
                "subject {} issuer {}, SAN {} matched, {} intermediate(s)",
                leaf.subject(),
                leaf.issuer(),
                verified.matched_name,
                verified.intermediates
            ))
        });
        leaf.public_key.ok_or(Error::Certificate(
            crate::error::CertError::UnsupportedAlgorithm,
        ))
    }

    /// A CertificateRequest after the handshake (§4.6.2), having offered
    /// post_handshake_auth: Certificate (the request's context echoed),
    /// CertificateVerify when a certificate is sent, and Finished, at
    /// once. The handshake context is the transcript through the client
    /// Finished plus the CertificateRequest, and the Finished key comes
    /// from client_application_traffic_secret_N (§4.4, §4.4.4).
    pub(super) fn post_handshake_request(
        &mut self,
        c: &mut Common,
        app: &AppSecrets,
        context: &[u8],
        exts: &[Extension],
        raw: &[u8],
    ) -> Result<(), Error> {
        let Some(base) = &self.pha_base else {
            return Err(Error::UnexpectedMessage {
                got: "CertificateRequest",
                state: "connected without post_handshake_auth offered (RFC 8446 §4.6.2)",
            });
        };
        let request = certificate_request(context, exts, true)?;
        // §6.1: after our close_notify we send nothing more.
        if c.check_open().is_err() {
            return Ok(());
        }
        let mut transcript = base.clone();
        transcript.add(raw);
        c.authorities = request.authorities.clone();
        send_certificate(c, &self.config, &request, &mut transcript, &mut *self.rng)?;
        let hash = app.suite.hash();
        let verify_data = finished_verify_data(hash, &app.ours, &transcript.current());
        c.send_handshake(&HandshakeMessage::Finished(verify_data))?;
        Ok(())
    }
}

/// What a CertificateRequest asked for (RFC 8446 §4.3.2; RFC 5246
/// §7.4.4 in TLS 1.2).
#[derive(Clone, Debug, Default)]
pub(crate) struct Request {
    /// certificate_request_context, echoed in the Certificate (§4.4.2).
    pub(crate) context: Vec<u8>,
    /// The signature schemes the server accepts.
    pub(crate) schemes: Vec<u16>,
    /// certificate_authorities (§4.2.4): DistinguishedNames, DER; empty
    /// when the server named none.
    pub(crate) authorities: Vec<Vec<u8>>,
}

/// A TLS 1.3 CertificateRequest (§4.3.2): in the handshake its
/// certificate_request_context MUST be empty (after it, §4.6.2, the
/// context is the server's to choose and is echoed); signature_algorithms
/// MUST be there; certificate_authorities (§4.2.4) may be.
pub(super) fn certificate_request(
    context: &[u8],
    exts: &[Extension],
    post_handshake: bool,
) -> Result<Request, Error> {
    if !post_handshake && !context.is_empty() {
        return Err(illegal(
            "certificate_request_context not empty in the handshake (RFC 8446 §4.3.2)",
        ));
    }
    let schemes = find(exts, |e| match e {
        Extension::SignatureAlgorithms(s) => Some(s.clone()),
        _ => None,
    })
    .ok_or(Error::MissingExtension {
        what: "signature_algorithms in CertificateRequest (RFC 8446 §4.3.2)",
    })?;
    let authorities = find(exts, |e| match e {
        Extension::CertificateAuthorities(a) => Some(a.clone()),
        _ => None,
    })
    .unwrap_or_default();
    Ok(Request {
        context: context.to_vec(),
        schemes,
        authorities,
    })
}

/// Whether `cc`'s chain matches one of the `authorities` (§4.2.4): the
/// issuer or the subject of one of its certificates is a named
/// DistinguishedName (so a server naming an intermediate or the root
/// both match). Compared as DER.
fn matches_authorities(cc: &ClientCert, authorities: &[Vec<u8>]) -> bool {
    cc.chain.iter().any(|der| {
        cert::ParsedCert::parse(der).is_ok_and(|p| {
            let (issuer, subject) = (p.issuer_der(), p.subject_der());
            authorities.iter().any(|a| *a == issuer || *a == subject)
        })
    })
}

/// The client certificate and the scheme to sign with (both versions:
/// RFC 8446 §4.4.2, RFC 5246 §7.4.6): among `client_cert` and then
/// `client_certs`, those whose key can sign one of the requested schemes;
/// of those the first whose chain matches the request's
/// certificate_authorities (§4.2.4), or, when none does or none were
/// named, the first.
pub(crate) fn choose<'a>(
    config: &'a ClientConfig,
    request: &Request,
) -> Option<(&'a ClientCert, SignatureScheme)> {
    let usable: Vec<(&ClientCert, SignatureScheme)> = config
        .client_cert
        .iter()
        .chain(&config.client_certs)
        .filter_map(|cc| {
            sign::schemes_for(&cc.key)
                .iter()
                .find(|s| request.schemes.contains(&s.to_u16()))
                .map(|s| (cc, *s))
        })
        .collect();
    if !request.authorities.is_empty() {
        if let Some(m) = usable
            .iter()
            .find(|(cc, _)| matches_authorities(cc, &request.authorities))
        {
            return Some(*m);
        }
    }
    usable.first().copied()
}

/// Answers a CertificateRequest (§4.4.2): the chosen chain, with the
/// request's context echoed, and a CertificateVerify over the transcript
/// with the client context string (§4.4.3), or an empty Certificate when
/// there is no certificate or no scheme the server accepts.
pub(super) fn send_certificate(
    c: &mut Common,
    config: &ClientConfig,
    request: &Request,
    transcript: &mut Transcript,
    rng: &mut dyn CryptoRngCore,
) -> Result<(), Error> {
    let chosen = choose(config, request);
    if let Some((cc, _)) = chosen {
        let subject = cc
            .chain
            .first()
            .and_then(|d| cert::ParsedCert::parse(d).ok())
            .map(|p| p.subject())
            .unwrap_or_default();
        c.note(|| TraceLine::Certificate(format!("sending client certificate {subject}")));
    }
    let entries = chosen.map_or_else(Vec::new, |(cc, _)| {
        cc.chain
            .iter()
            .map(|d| CertificateEntry {
                cert_data: d.clone(),
                extensions: Vec::new(),
            })
            .collect()
    });
    let msg = HandshakeMessage::Certificate(Certificate {
        context: request.context.clone(),
        entries,
    });
    transcript.add(&c.send_handshake(&msg)?);
    if let Some((cc, scheme)) = chosen {
        let content = sign::signed_content(sign::CLIENT_CONTEXT, &transcript.current());
        let signature = sign::sign(&cc.key, scheme, &content, rng)?;
        let cv = HandshakeMessage::CertificateVerify {
            scheme: scheme.to_u16(),
            signature,
        };
        transcript.add(&c.send_handshake(&cv)?);
    }
    Ok(())
}
