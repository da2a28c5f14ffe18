//! A handshake trace a person can read, and the NSS key log.
//!
//! The trace lists each message sent or received with its key fields and
//! each derived secret by its RFC 8446 §7.1 label, never its value. The key
//! log (off unless a [`KeyLog`] is configured) writes the secrets in the NSS
//! SSLKEYLOGFILE format, so Wireshark or tshark can decrypt a capture.

use crate::alert::AlertDescription;
use crate::extensions::Extension;
use crate::msgs::HandshakeMessage;
use crate::suites::{CipherSuite, NamedGroup, SignatureScheme};

/// One line of a trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceLine {
    /// A handshake message this side sent, described.
    Sent(String),
    /// A handshake message this side received, described.
    Received(String),
    /// A secret was derived (its label only).
    Secret(&'static str),
    /// A certificate chain was validated.
    Certificate(String),
    /// An alert this side sent.
    AlertSent(AlertDescription),
    /// An alert this side received.
    AlertReceived(AlertDescription),
    /// The connection failed.
    Error(String),
}

impl core::fmt::Display for TraceLine {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TraceLine::Sent(s) => write!(f, "-> {s}"),
            TraceLine::Received(s) => write!(f, "<- {s}"),
            TraceLine::Secret(l) => write!(f, "   derive \"{l}\""),
            TraceLine::Certificate(s) => write!(f, "   certificate: {s}"),
            TraceLine::AlertSent(a) => write!(f, "-> alert {a}"),
            TraceLine::AlertReceived(a) => write!(f, "<- alert {a}"),
            TraceLine::Error(e) => write!(f, "   error: {e}"),
        }
    }
}

/// Receives every secret the key schedule makes, in NSS key-log terms
/// (label, the ClientHello.random, the secret).
pub trait KeyLog: Send + Sync {
    /// Called once per secret.
    fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]);
}

/// One SSLKEYLOGFILE line: `LABEL <client_random hex> <secret hex>`.
pub fn nss_key_log_line(label: &str, client_random: &[u8; 32], secret: &[u8]) -> String {
    format!("{label} {} {}", hex(client_random), hex(secret))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn suite_name(v: u16) -> String {
    CipherSuite::from_u16(v).map_or_else(|| format!("0x{v:04x}"), |s| s.name().to_string())
}

fn group_name(v: u16) -> String {
    NamedGroup::from_u16(v).map_or_else(|| format!("0x{v:04x}"), |g| g.name().to_string())
}

fn scheme_name(v: u16) -> String {
    SignatureScheme::from_u16(v).map_or_else(|| format!("0x{v:04x}"), |s| s.name().to_string())
}

fn list(v: &[u16], name: fn(u16) -> String) -> String {
    v.iter().map(|x| name(*x)).collect::<Vec<_>>().join(",")
}

fn ext_summary(exts: &[Extension]) -> Vec<String> {
    exts.iter()
        .filter_map(|e| match e {
            Extension::ServerName(Some(n)) => Some(format!("sni={}", String::from_utf8_lossy(n))),
            Extension::SupportedGroups(g) => Some(format!("groups=[{}]", list(g, group_name))),
            Extension::KeyShares(s) => Some(format!(
                "key_shares=[{}]",
                s.iter()
                    .map(|e| group_name(e.group))
                    .collect::<Vec<_>>()
                    .join(",")
            )),
            Extension::KeyShare(s) => Some(format!("key_share={}", group_name(s.group))),
            Extension::KeyShareGroup(g) => Some(format!("selected_group={}", group_name(*g))),
            Extension::SelectedVersion(v) => Some(format!("version=0x{v:04x}")),
            Extension::Alpn(a) => Some(format!(
                "alpn=[{}]",
                a.iter()
                    .map(|p| String::from_utf8_lossy(p).into_owned())
                    .collect::<Vec<_>>()
                    .join(",")
            )),
            Extension::Cookie(_) => Some("cookie".to_string()),
            Extension::PskKeyExchangeModes(m) => Some(format!("psk_modes={m:?}")),
            Extension::PreSharedKey(p) => Some(format!(
                "pre_shared_key={} identity(ies)",
                p.identities.len()
            )),
            Extension::SelectedIdentity(i) => {
                Some(format!("pre_shared_key selected={i} (resumption)"))
            }
            Extension::PostHandshakeAuth => Some("post_handshake_auth".to_string()),
            Extension::CertificateAuthorities(a) => {
                Some(format!("certificate_authorities={} name(s)", a.len()))
            }
            _ => None,
        })
        .collect()
}

/// A one-line description of a message: its name and key fields.
pub fn describe(msg: &HandshakeMessage) -> String {
    let mut parts = vec![msg.name().to_string()];
    match msg {
        HandshakeMessage::ClientHello(ch) => {
            parts.push(format!("random={}", hex(&ch.random)));
            parts.push(format!("suites=[{}]", list(&ch.cipher_suites, suite_name)));
            parts.extend(ext_summary(&ch.extensions));
        }
        HandshakeMessage::ServerHello(sh) => {
            if !sh.is_hrr() {
                parts.push(format!("random={}", hex(&sh.random)));
            }
            parts.push(format!("suite={}", suite_name(sh.cipher_suite)));
            parts.extend(ext_summary(&sh.extensions));
        }
        HandshakeMessage::EncryptedExtensions(e) => parts.extend(ext_summary(e)),
        HandshakeMessage::Certificate(c) => {
            parts.push(format!("{} certificate(s)", c.entries.len()));
            if !c.context.is_empty() {
                parts.push(format!("context={} bytes", c.context.len()));
            }
        }
        HandshakeMessage::CertificateVerify { scheme, .. } => parts.push(scheme_name(*scheme)),
        HandshakeMessage::CertificateRequest {
            context,
            extensions,
        } => {
            // A non-empty context marks a post-handshake request (§4.6.2).
            if !context.is_empty() {
                parts.push(format!("context={} bytes (post-handshake)", context.len()));
            }
            for e in extensions {
                if let Extension::SignatureAlgorithms(s) = e {
                    parts.push(format!("schemes=[{}]", list(s, scheme_name)));
                }
            }
            parts.extend(
                ext_summary(extensions)
                    .into_iter()
                    .filter(|p| p.starts_with("certificate_authorities")),
            );
        }
        HandshakeMessage::CertificateRequest12 { schemes, .. } => {
            parts.push(format!("schemes=[{}]", list(schemes, scheme_name)))
        }
        HandshakeMessage::Finished(v) => parts.push(format!("{} bytes verify_data", v.len())),
        HandshakeMessage::NewSessionTicket(t) => parts.push(format!(
            "lifetime={}s ticket={} bytes",
            t.lifetime,
            t.ticket.len()
        )),
        HandshakeMessage::KeyUpdate { update_requested } => {
            parts.push(format!("update_requested={update_requested}"))
        }
        _ => {}
    }
    parts.join(" ")
}
