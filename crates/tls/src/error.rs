//! The crate's one error type: each variant names the rule that was broken and
//! maps to the alert that rule requires ([`Error::alert`]).

use crate::alert::AlertDescription;

/// Why a certificate chain was refused (RFC 5280, RFC 6125, RFC 9525).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// A certificate, or one of its extensions, is not valid DER X.509.
    #[error("certificate does not parse ({0})")]
    BadEncoding(&'static str),
    /// A signature in the chain did not verify (RFC 5280 §6.1.3 (a)(1)).
    #[error("certificate signature does not verify")]
    BadSignature,
    /// A signature or key algorithm this crate does not implement.
    #[error("unsupported certificate algorithm")]
    UnsupportedAlgorithm,
    /// `now` is after notAfter (RFC 5280 §4.1.2.5, §6.1.3 (a)(2)).
    #[error("certificate expired")]
    Expired,
    /// `now` is before notBefore (RFC 5280 §4.1.2.5).
    #[error("certificate not yet valid")]
    NotYetValid,
    /// No path from the leaf to a configured trust anchor (RFC 5280 §6.1).
    #[error("no path to a trust anchor (unknown CA)")]
    UnknownIssuer,
    /// An issuing certificate lacks basicConstraints cA = TRUE (RFC 5280 §4.2.1.9).
    #[error("issuer is not a CA (basicConstraints)")]
    IssuerNotCa,
    /// A path longer than an issuer's pathLenConstraint allows (RFC 5280 §4.2.1.9).
    #[error("pathLenConstraint exceeded")]
    PathLenExceeded,
    /// The leaf is a CA certificate, not an end entity.
    #[error("CA certificate used as an end entity")]
    CaUsedAsLeaf,
    /// extKeyUsage present without the purpose asked for: id-kp-serverAuth
    /// for a server, id-kp-clientAuth for a client (RFC 5280 §4.2.1.12).
    #[error("extKeyUsage does not allow the purpose (serverAuth or clientAuth)")]
    WrongExtendedKeyUsage,
    /// No subjectAltName matches the reference identity (RFC 9525 §6; no CN fallback).
    #[error("certificate is not valid for {0}")]
    NameMismatch(String),
    /// The peer sent no certificate at all.
    #[error("empty certificate chain")]
    Empty,
}

impl CertError {
    /// The alert RFC 8446 §6.2 names for this failure.
    pub fn alert(&self) -> AlertDescription {
        match self {
            CertError::BadEncoding(_)
            | CertError::BadSignature
            | CertError::IssuerNotCa
            | CertError::PathLenExceeded
            | CertError::CaUsedAsLeaf
            | CertError::NameMismatch(_) => AlertDescription::BadCertificate,
            CertError::UnsupportedAlgorithm | CertError::WrongExtendedKeyUsage => {
                AlertDescription::UnsupportedCertificate
            }
            CertError::Expired | CertError::NotYetValid => AlertDescription::CertificateExpired,
            CertError::UnknownIssuer => AlertDescription::UnknownCa,
            CertError::Empty => AlertDescription::DecodeError,
        }
    }
}

/// What went wrong in a TLS connection.
///
/// Every protocol violation names its rule; [`Error::alert`] is the alert the
/// machine sends for it (none for errors the peer reported itself or for API
/// misuse).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A message or record is malformed: `what` names the field (RFC 8446 §6.2
    /// decode_error).
    #[error("decode error: {what}")]
    Decode {
        /// The field or structure that did not parse.
        what: &'static str,
    },
    /// The same extension twice in one block (RFC 8446 §4.2).
    #[error("duplicate extension {typ} (RFC 8446 §4.2)")]
    DuplicateExtension {
        /// The extension type.
        typ: u16,
    },
    /// An extension the peer may not send here, or one we did not offer (§4.2).
    #[error("extension {typ} not allowed here (RFC 8446 §4.2)")]
    UnsupportedExtension {
        /// The extension type.
        typ: u16,
    },
    /// A mandatory extension is absent (RFC 8446 §9.2).
    #[error("missing extension: {what} (RFC 8446 §9.2)")]
    MissingExtension {
        /// The extension.
        what: &'static str,
    },
    /// A handshake message not expected in this state.
    #[error("unexpected {got} while {state}")]
    UnexpectedMessage {
        /// The message received.
        got: &'static str,
        /// What the machine was waiting for.
        state: &'static str,
    },
    /// A record of a type not allowed now (RFC 8446 §5).
    #[error("unexpected record of content type {content_type} (RFC 8446 §5)")]
    UnexpectedRecord {
        /// The record's content type byte.
        content_type: u8,
    },
    /// A record over its length limit (RFC 8446 §5.1, §5.2, §5.4).
    #[error("record of {len} bytes over the limit (RFC 8446 §5.2)")]
    RecordOverflow {
        /// The length found.
        len: usize,
    },
    /// A record failed to deprotect (RFC 8446 §5.2).
    #[error("record authentication failed (RFC 8446 §5.2)")]
    BadRecordMac,
    /// A TLSInnerPlaintext with no non-zero content type (RFC 8446 §5.4).
    #[error("record has no content type after padding (RFC 8446 §5.4)")]
    NoContentType,
    /// A handshake message split across a key change (RFC 8446 §5.1).
    #[error("handshake message spans a key change (RFC 8446 §5.1)")]
    HandshakeSpansKeyChange,
    /// A field out of range or inconsistent: `what` names the rule.
    #[error("illegal parameter: {what}")]
    IllegalParameter {
        /// The rule, with its RFC section.
        what: &'static str,
    },
    /// ServerHello.random carries a downgrade sentinel (RFC 8446 §4.1.3).
    #[error("downgrade sentinel in ServerHello.random (RFC 8446 §4.1.3)")]
    Downgrade,
    /// No protocol version in common (RFC 8446 §4.2.1).
    #[error("no TLS version in common (RFC 8446 §4.2.1)")]
    ProtocolVersion,
    /// No cipher suite in common (RFC 8446 §4.1.1).
    #[error("no cipher suite in common (RFC 8446 §4.1.1)")]
    NoCommonCipherSuite,
    /// No key exchange group in common (RFC 8446 §4.1.1).
    #[error("no key exchange group in common (RFC 8446 §4.1.1)")]
    NoCommonGroup,
    /// No signature scheme in common for our key (RFC 8446 §4.4.2.2).
    #[error("no signature scheme in common (RFC 8446 §4.4.2.2)")]
    NoCommonSignatureScheme,
    /// No application protocol in common (RFC 7301 §3.2).
    #[error("no ALPN protocol in common (RFC 7301 §3.2)")]
    NoApplicationProtocol,
    /// Finished.verify_data is wrong (RFC 8446 §4.4.4).
    #[error("Finished verify_data does not match (RFC 8446 §4.4.4)")]
    BadFinished,
    /// The server requires a client certificate and the client sent an
    /// empty Certificate (RFC 8446 §4.4.2.4: certificate_required; RFC 5246
    /// §7.4.6: handshake_failure in TLS 1.2).
    #[error("client certificate required (RFC 8446 §4.4.2.4)")]
    CertificateRequired,
    /// TLS 1.2: the server requires a client certificate and the client
    /// sent none (RFC 5246 §7.4.6: handshake_failure).
    #[error("client certificate required (RFC 5246 §7.4.6)")]
    NoClientCertificate,
    /// The PSK binder does not validate (RFC 8446 §4.2.11: the server MUST
    /// abort; §6.2: decrypt_error).
    #[error("PSK binder does not validate (RFC 8446 §4.2.11.2)")]
    BadBinder,
    /// CertificateVerify's signature does not verify (RFC 8446 §4.4.3).
    #[error("CertificateVerify signature does not verify (RFC 8446 §4.4.3)")]
    BadCertificateVerify,
    /// TLS 1.2: the ServerKeyExchange signature does not verify (RFC 5246
    /// §7.4.3, §7.2.2 decrypt_error).
    #[error("ServerKeyExchange signature does not verify (RFC 5246 §7.4.3)")]
    BadKeyExchangeSignature,
    /// TLS 1.2: the peer did not agree to the extended master secret, which
    /// this side requires (RFC 7627 §5.2, §5.3).
    #[error("extended master secret required but not negotiated (RFC 7627 §5.2, §5.3)")]
    MissingExtendedMasterSecret,
    /// TLS 1.2: renegotiation_info with a non-empty renegotiated_connection
    /// on an initial handshake (RFC 5746 §3.4, §3.6).
    #[error("renegotiation_info not empty on the initial handshake (RFC 5746 §3.4, §3.6)")]
    BadRenegotiationInfo,
    /// The peer's certificate chain was refused.
    #[error("certificate: {0}")]
    Certificate(CertError),
    /// A handshake message longer than this implementation buffers.
    #[error("handshake message of {len} bytes over the {max}-byte limit")]
    HandshakeTooLarge {
        /// The declared length.
        len: usize,
        /// The configured limit.
        max: usize,
    },
    /// The peer sent this fatal alert.
    #[error("peer sent alert {0}")]
    PeerAlert(AlertDescription),
    /// The write sequence number would wrap (RFC 8446 §5.3).
    #[error("sequence number exhausted (RFC 8446 §5.3)")]
    SequenceExhausted,
    /// [`ServerConnection::request_client_auth`](crate::ServerConnection::request_client_auth)
    /// on a connection whose client did not offer post_handshake_auth in
    /// a TLS 1.3 handshake: "Servers MUST NOT send a post-handshake
    /// CertificateRequest to clients which do not offer this extension"
    /// (RFC 8446 §4.2.6).
    #[error("the client did not offer post_handshake_auth (RFC 8446 §4.2.6)")]
    PostHandshakeAuthNotOffered,
    /// [`ServerConnection::request_client_auth`](crate::ServerConnection::request_client_auth)
    /// while `MAX_OUTSTANDING_AUTH_REQUESTS` requests are unanswered.
    #[error("too many post-handshake CertificateRequests are unanswered")]
    PostHandshakeAuthPending,
    /// Application data before the handshake completed, or after close.
    #[error("connection not open for application data")]
    NotConnected,
    /// A configuration the machine cannot run (no suites, no key, ...).
    #[error("configuration: {0}")]
    Config(&'static str),
    /// A cryptographic primitive failed where the peer is not to blame.
    #[error("crypto: {0}")]
    Crypto(handshake_crypto::Error),
}

impl Error {
    /// The alert this error sends (RFC 8446 §6.2), or `None` when there is
    /// nothing to tell the peer.
    pub fn alert(&self) -> Option<AlertDescription> {
        use AlertDescription as A;
        Some(match self {
            Error::Decode { .. } | Error::HandshakeTooLarge { .. } => A::DecodeError,
            Error::DuplicateExtension { .. }
            | Error::IllegalParameter { .. }
            | Error::Downgrade => A::IllegalParameter,
            Error::UnsupportedExtension { .. } => A::UnsupportedExtension,
            Error::MissingExtension { .. } => A::MissingExtension,
            Error::UnexpectedMessage { .. }
            | Error::UnexpectedRecord { .. }
            | Error::NoContentType
            | Error::HandshakeSpansKeyChange => A::UnexpectedMessage,
            Error::RecordOverflow { .. } => A::RecordOverflow,
            // The crypto crate's authentication failure is this protocol's
            // bad_record_mac (RFC 8446 §5.2, RFC 5246 §7.2.2).
            Error::BadRecordMac | Error::Crypto(handshake_crypto::Error::AuthenticationFailed) => {
                A::BadRecordMac
            }
            Error::ProtocolVersion => A::ProtocolVersion,
            Error::NoCommonCipherSuite
            | Error::NoCommonGroup
            | Error::NoCommonSignatureScheme
            | Error::MissingExtendedMasterSecret
            | Error::BadRenegotiationInfo => A::HandshakeFailure,
            Error::NoApplicationProtocol => A::NoApplicationProtocol,
            Error::CertificateRequired => A::CertificateRequired,
            Error::NoClientCertificate => A::HandshakeFailure,
            Error::BadFinished
            | Error::BadBinder
            | Error::BadCertificateVerify
            | Error::BadKeyExchangeSignature => A::DecryptError,
            Error::Certificate(c) => c.alert(),
            Error::SequenceExhausted | Error::Crypto(_) => A::InternalError,
            Error::PeerAlert(_)
            | Error::NotConnected
            | Error::PostHandshakeAuthNotOffered
            | Error::PostHandshakeAuthPending
            | Error::Config(_) => return None,
        })
    }
}

impl From<CertError> for Error {
    fn from(e: CertError) -> Self {
        Error::Certificate(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crypto_authentication_failure_is_bad_record_mac() {
        use AlertDescription as A;
        let e = Error::Crypto(handshake_crypto::Error::AuthenticationFailed);
        assert_eq!(e.alert(), Some(A::BadRecordMac));
        assert_eq!(Error::BadRecordMac.alert(), Some(A::BadRecordMac));
        // Other crypto failures are ours, not the peer's.
        let e = Error::Crypto(handshake_crypto::Error::InvalidLength);
        assert_eq!(e.alert(), Some(A::InternalError));
    }
}
