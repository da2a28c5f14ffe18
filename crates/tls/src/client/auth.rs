//! Certificates on the client's side: the server's chain (RFC 8446
//! §4.4.2), a CertificateRequest (§4.3.2), and the client's own Certificate
//! and CertificateVerify in answer (§4.4.2, §4.4.3).

use handshake_crypto::PublicKey;
use rand_core::CryptoRngCore;

use super::{illegal, ClientMachine};
use crate::cert;
use crate::config::{ClientCert, ClientConfig};
use crate::conn::Common;
use crate::extensions::{find, Extension};
use crate::keys::Transcript;
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
}

/// A CertificateRequest in the handshake (§4.3.2): its
/// certificate_request_context MUST be empty, its signature_algorithms
/// MUST be there; returns the schemes.
pub(super) fn certificate_request(context: &[u8], exts: &[Extension]) -> Result<Vec<u16>, Error> {
    if !context.is_empty() {
        return Err(illegal(
            "certificate_request_context not empty in the handshake (RFC 8446 §4.3.2)",
        ));
    }
    find(exts, |e| match e {
        Extension::SignatureAlgorithms(s) => Some(s.clone()),
        _ => None,
    })
    .ok_or(Error::MissingExtension {
        what: "signature_algorithms in CertificateRequest (RFC 8446 §4.3.2)",
    })
}

/// The client certificate and the scheme to sign with, if the client has
/// a certificate whose key can sign one of the `requested` schemes (both
/// versions: RFC 8446 §4.4.2, RFC 5246 §7.4.6).
pub(crate) fn choose<'a>(
    config: &'a ClientConfig,
    requested: &[u16],
) -> Option<(&'a ClientCert, SignatureScheme)> {
    let cc = config.client_cert.as_ref()?;
    sign::schemes_for(&cc.key)
        .iter()
        .find(|s| requested.contains(&s.to_u16()))
        .map(|s| (cc, *s))
}

/// Answers a CertificateRequest (§4.4.2): the configured chain and a
/// CertificateVerify over the transcript with the client context string
/// (§4.4.3), or an empty Certificate when there is no certificate or no
/// scheme the server accepts.
pub(super) fn send_certificate(
    c: &mut Common,
    config: &ClientConfig,
    requested: &[u16],
    transcript: &mut Transcript,
    rng: &mut dyn CryptoRngCore,
) -> Result<(), Error> {
    let chosen = choose(config, requested);
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
        context: Vec::new(),
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
