//! Alerts (RFC 8446 §6): the descriptions this crate sends and understands.

/// An alert's level byte (RFC 8446 §6). In TLS 1.3 the level is ignored on
/// receipt: every alert but close_notify and user_canceled is fatal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertLevel {
    /// 1.
    Warning,
    /// 2.
    Fatal,
}

macro_rules! alerts {
    ($($(#[$doc:meta])* $name:ident = $v:literal, $text:literal;)*) => {
        /// An alert description (RFC 8446 §6, the registry's values).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum AlertDescription {
            $($(#[$doc])* $name,)*
            /// A value this crate does not name.
            Unknown(u8),
        }

        impl AlertDescription {
            /// The wire value.
            pub fn to_u8(self) -> u8 {
                match self {
                    $(AlertDescription::$name => $v,)*
                    AlertDescription::Unknown(v) => v,
                }
            }

            /// From the wire value.
            pub fn from_u8(v: u8) -> Self {
                match v {
                    $($v => AlertDescription::$name,)*
                    other => AlertDescription::Unknown(other),
                }
            }

            /// The RFC's name, as a trace prints it.
            pub fn name(self) -> &'static str {
                match self {
                    $(AlertDescription::$name => $text,)*
                    AlertDescription::Unknown(_) => "unknown",
                }
            }
        }
    };
}

alerts! {
    /// The sender closes the connection (§6.1).
    CloseNotify = 0, "close_notify";
    /// An inappropriate message or record type was received.
    UnexpectedMessage = 10, "unexpected_message";
    /// A record failed to deprotect.
    BadRecordMac = 20, "bad_record_mac";
    /// A TLSCiphertext or TLSInnerPlaintext was over its limit.
    RecordOverflow = 22, "record_overflow";
    /// No acceptable set of security parameters.
    HandshakeFailure = 40, "handshake_failure";
    /// A certificate was corrupt or its signatures did not verify.
    BadCertificate = 42, "bad_certificate";
    /// A certificate of an unsupported type.
    UnsupportedCertificate = 43, "unsupported_certificate";
    /// A certificate was revoked.
    CertificateRevoked = 44, "certificate_revoked";
    /// A certificate has expired or is not yet valid.
    CertificateExpired = 45, "certificate_expired";
    /// Some other certificate issue made it unacceptable.
    CertificateUnknown = 46, "certificate_unknown";
    /// A field was out of range or inconsistent with other fields.
    IllegalParameter = 47, "illegal_parameter";
    /// No path to a trust anchor.
    UnknownCa = 48, "unknown_ca";
    /// Access denied.
    AccessDenied = 49, "access_denied";
    /// A message could not be decoded.
    DecodeError = 50, "decode_error";
    /// A handshake cryptographic operation failed (signature, Finished).
    DecryptError = 51, "decrypt_error";
    /// The peer's protocol version is not supported.
    ProtocolVersion = 70, "protocol_version";
    /// Parameters weaker than the server accepts.
    InsufficientSecurity = 71, "insufficient_security";
    /// An internal error unrelated to the peer.
    InternalError = 80, "internal_error";
    /// A retried connection with a lower version (RFC 7507).
    InappropriateFallback = 86, "inappropriate_fallback";
    /// The user cancels the handshake.
    UserCanceled = 90, "user_canceled";
    /// TLS 1.2: the sender refuses to renegotiate (RFC 5246 §7.2.2), a warning.
    NoRenegotiation = 100, "no_renegotiation";
    /// A required extension was missing.
    MissingExtension = 109, "missing_extension";
    /// An extension not allowed in this message.
    UnsupportedExtension = 110, "unsupported_extension";
    /// The server name is not recognized.
    UnrecognizedName = 112, "unrecognized_name";
    /// A certificate is required.
    CertificateRequired = 116, "certificate_required";
    /// No ALPN protocol in common (RFC 7301 §3.2).
    NoApplicationProtocol = 120, "no_application_protocol";
}

impl core::fmt::Display for AlertDescription {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            AlertDescription::Unknown(v) => write!(f, "alert {v}"),
            other => f.write_str(other.name()),
        }
    }
}
