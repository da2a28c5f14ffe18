//! Handshake messages (RFC 8446 §4): a plain representation of each with a
//! checked `parse` from a message body and an `encode` to the wire form
//! (type, 24-bit length, body).
//!
//! The Certificate message is TLS 1.3's (§4.4.2); TLS 1.2's shape, without
//! the request context and per-entry extensions, is the sibling variant
//! [`HandshakeMessage::Certificate12`], parsed by [`HandshakeMessage::parse_tls12`]
//! with the other TLS 1.2 messages (RFC 5246 §7.4).

use crate::codec::{put_u16, put_u24, with_len, Reader};
use crate::extensions::{self, Context, Extension};
use crate::Error;

/// HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest")
/// (RFC 8446 §4.1.3).
pub const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Handshake message types (RFC 8446 §4).
pub mod htype {
    /// hello_request (TLS 1.2, RFC 5246 §7.4.1.1).
    pub const HELLO_REQUEST: u8 = 0;
    /// server_key_exchange (TLS 1.2, RFC 5246 §7.4.3).
    pub const SERVER_KEY_EXCHANGE: u8 = 12;
    /// server_hello_done (TLS 1.2, RFC 5246 §7.4.5).
    pub const SERVER_HELLO_DONE: u8 = 14;
    /// client_key_exchange (TLS 1.2, RFC 5246 §7.4.7).
    pub const CLIENT_KEY_EXCHANGE: u8 = 16;
    /// client_hello.
    pub const CLIENT_HELLO: u8 = 1;
    /// server_hello (and HelloRetryRequest).
    pub const SERVER_HELLO: u8 = 2;
    /// new_session_ticket.
    pub const NEW_SESSION_TICKET: u8 = 4;
    /// encrypted_extensions.
    pub const ENCRYPTED_EXTENSIONS: u8 = 8;
    /// certificate.
    pub const CERTIFICATE: u8 = 11;
    /// certificate_request.
    pub const CERTIFICATE_REQUEST: u8 = 13;
    /// certificate_verify.
    pub const CERTIFICATE_VERIFY: u8 = 15;
    /// finished.
    pub const FINISHED: u8 = 20;
    /// key_update.
    pub const KEY_UPDATE: u8 = 24;
    /// message_hash, the synthetic message after a HelloRetryRequest (§4.4.1).
    pub const MESSAGE_HASH: u8 = 254;
}

/// ClientHello (RFC 8446 §4.1.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHello {
    /// legacy_version: 0x0303.
    pub legacy_version: u16,
    /// 32 random bytes.
    pub random: [u8; 32],
    /// legacy_session_id, 0 to 32 bytes.
    pub session_id: Vec<u8>,
    /// Offered cipher suites, unknown ones included.
    pub cipher_suites: Vec<u16>,
    /// legacy_compression_methods.
    pub compression_methods: Vec<u8>,
    /// Extensions.
    pub extensions: Vec<Extension>,
}

/// ServerHello or HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHello {
    /// legacy_version: 0x0303.
    pub legacy_version: u16,
    /// 32 bytes; [`HRR_RANDOM`] for a HelloRetryRequest.
    pub random: [u8; 32],
    /// legacy_session_id_echo.
    pub session_id: Vec<u8>,
    /// The chosen suite.
    pub cipher_suite: u16,
    /// legacy_compression_method: 0.
    pub compression_method: u8,
    /// Extensions.
    pub extensions: Vec<Extension>,
}

impl ServerHello {
    /// Whether this is a HelloRetryRequest.
    pub fn is_hrr(&self) -> bool {
        self.random == HRR_RANDOM
    }
}

/// One CertificateEntry (RFC 8446 §4.4.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateEntry {
    /// DER X.509.
    pub cert_data: Vec<u8>,
    /// Per-certificate extensions.
    pub extensions: Vec<Extension>,
}

/// Certificate (RFC 8446 §4.4.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    /// certificate_request_context: empty in a server's Certificate.
    pub context: Vec<u8>,
    /// The chain, leaf first.
    pub entries: Vec<CertificateEntry>,
}

/// NewSessionTicket (RFC 8446 §4.6.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSessionTicket {
    /// ticket_lifetime in seconds.
    pub lifetime: u32,
    /// ticket_age_add.
    pub age_add: u32,
    /// ticket_nonce.
    pub nonce: Vec<u8>,
    /// The ticket.
    pub ticket: Vec<u8>,
    /// Extensions.
    pub extensions: Vec<Extension>,
}

/// A handshake message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandshakeMessage {
    /// ClientHello.
    ClientHello(ClientHello),
    /// ServerHello or HelloRetryRequest.
    ServerHello(ServerHello),
    /// EncryptedExtensions (§4.3.1).
    EncryptedExtensions(Vec<Extension>),
    /// Certificate.
    Certificate(Certificate),
    /// CertificateRequest (§4.3.2): certificate_request_context (empty in
    /// the handshake) and extensions (signature_algorithms among them).
    CertificateRequest {
        /// certificate_request_context.
        context: Vec<u8>,
        /// Extensions.
        extensions: Vec<Extension>,
    },
    /// CertificateVerify (§4.4.3): scheme and signature.
    CertificateVerify {
        /// SignatureScheme.
        scheme: u16,
        /// The signature.
        signature: Vec<u8>,
    },
    /// Finished (§4.4.4): verify_data.
    Finished(Vec<u8>),
    /// NewSessionTicket.
    NewSessionTicket(NewSessionTicket),
    /// KeyUpdate (§4.6.3): whether the peer is asked to update too.
    KeyUpdate {
        /// update_requested (1) or update_not_requested (0).
        update_requested: bool,
    },
    /// HelloRequest (TLS 1.2, RFC 5246 §7.4.1.1): empty.
    HelloRequest,
    /// A TLS 1.2 Certificate (RFC 5246 §7.4.2): the DER chain, leaf first.
    Certificate12(Vec<Vec<u8>>),
    /// A TLS 1.2 CertificateRequest (RFC 5246 §7.4.4).
    CertificateRequest12 {
        /// certificate_types<1..2^8-1>.
        cert_types: Vec<u8>,
        /// supported_signature_algorithms<2..2^16-2>.
        schemes: Vec<u16>,
        /// certificate_authorities: DistinguishedName (DER) list.
        authorities: Vec<Vec<u8>>,
    },
    /// A TLS 1.2 ServerKeyExchange body (RFC 5246 §7.4.3), parsed by the
    /// machine that knows the key exchange ([`crate::tls12::msgs`]).
    ServerKeyExchange(Vec<u8>),
    /// ServerHelloDone (RFC 5246 §7.4.5): empty.
    ServerHelloDone,
    /// A TLS 1.2 NewSessionTicket (RFC 5077 §3.3).
    NewSessionTicket12 {
        /// ticket_lifetime_hint in seconds (0: unspecified).
        lifetime_hint: u32,
        /// The opaque ticket.
        ticket: Vec<u8>,
    },
    /// A TLS 1.2 ClientKeyExchange body (RFC 5246 §7.4.7), parsed by the
    /// machine that knows the key exchange.
    ClientKeyExchange(Vec<u8>),
    /// A message this crate parses no further;
    /// every state refuses it as unexpected.
    Other {
        /// HandshakeType.
        typ: u8,
    },
}

fn random(r: &mut Reader<'_>) -> Result<[u8; 32], Error> {
    let mut out = [0u8; 32];
    out.copy_from_slice(r.take(32, "random")?);
    Ok(out)
}

impl HandshakeMessage {
    /// The message's name for traces and errors.
    pub fn name(&self) -> &'static str {
        match self {
            HandshakeMessage::ClientHello(_) => "ClientHello",
            HandshakeMessage::ServerHello(sh) if sh.is_hrr() => "HelloRetryRequest",
            HandshakeMessage::ServerHello(_) => "ServerHello",
            HandshakeMessage::EncryptedExtensions(_) => "EncryptedExtensions",
            HandshakeMessage::Certificate(_) => "Certificate",
            HandshakeMessage::CertificateRequest { .. } => "CertificateRequest",
            HandshakeMessage::CertificateVerify { .. } => "CertificateVerify",
            HandshakeMessage::Finished(_) => "Finished",
            HandshakeMessage::NewSessionTicket(_) => "NewSessionTicket",
            HandshakeMessage::KeyUpdate { .. } => "KeyUpdate",
            HandshakeMessage::HelloRequest => "HelloRequest",
            HandshakeMessage::Certificate12(_) => "Certificate",
            HandshakeMessage::ServerKeyExchange(_) => "ServerKeyExchange",
            HandshakeMessage::ServerHelloDone => "ServerHelloDone",
            HandshakeMessage::CertificateRequest12 { .. } => "CertificateRequest",
            HandshakeMessage::NewSessionTicket12 { .. } => "NewSessionTicket",
            HandshakeMessage::ClientKeyExchange(_) => "ClientKeyExchange",
            HandshakeMessage::Other { .. } => "an unsupported handshake message",
        }
    }

    /// Parses a message body of type `typ` once TLS 1.2 is negotiated: the
    /// TLS 1.2 shapes of Certificate and the messages only TLS 1.2 has
    /// (RFC 5246 §7.4); the hellos and Finished as [`Self::parse`] does; the
    /// TLS 1.3-only messages as [`HandshakeMessage::Other`], which every state
    /// refuses.
    pub fn parse_tls12(typ: u8, body: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let msg = match typ {
            htype::HELLO_REQUEST => HandshakeMessage::HelloRequest,
            htype::SERVER_HELLO_DONE => HandshakeMessage::ServerHelloDone,
            htype::NEW_SESSION_TICKET => {
                let lifetime_hint = r.u32("ticket_lifetime_hint")?;
                let ticket = r.vec16("ticket")?.to_vec();
                HandshakeMessage::NewSessionTicket12 {
                    lifetime_hint,
                    ticket,
                }
            }
            htype::CERTIFICATE => {
                // opaque ASN.1Cert<1..2^24-1>; ASN.1Cert certificate_list<0..2^24-1>.
                let mut list = Reader::new(r.vec24("certificate_list")?);
                let mut chain = Vec::new();
                while !list.is_empty() {
                    let cert = list.vec24("ASN.1Cert")?;
                    if cert.is_empty() {
                        return Err(Error::Decode {
                            what: "ASN.1Cert<1..2^24-1>",
                        });
                    }
                    chain.push(cert.to_vec());
                }
                HandshakeMessage::Certificate12(chain)
            }
            htype::SERVER_KEY_EXCHANGE => HandshakeMessage::ServerKeyExchange(
                r.take(body.len(), "ServerKeyExchange")?.to_vec(),
            ),
            htype::CLIENT_KEY_EXCHANGE => HandshakeMessage::ClientKeyExchange(
                r.take(body.len(), "ClientKeyExchange")?.to_vec(),
            ),
            htype::CERTIFICATE_REQUEST => {
                let cert_types = r.vec8("certificate_types")?.to_vec();
                if cert_types.is_empty() {
                    return Err(Error::Decode {
                        what: "certificate_types<1..2^8-1>",
                    });
                }
                let schemes = r.u16_list(true, "supported_signature_algorithms")?;
                let mut list = Reader::new(r.vec16("certificate_authorities")?);
                let mut authorities = Vec::new();
                while !list.is_empty() {
                    let dn = list.vec16("DistinguishedName")?;
                    if dn.is_empty() {
                        return Err(Error::Decode {
                            what: "DistinguishedName<1..2^16-1>",
                        });
                    }
                    authorities.push(dn.to_vec());
                }
                HandshakeMessage::CertificateRequest12 {
                    cert_types,
                    schemes,
                    authorities,
                }
            }
            // RFC 5246 §7.4.8: digitally-signed, the same shape as TLS 1.3's.
            htype::CLIENT_HELLO
            | htype::SERVER_HELLO
            | htype::FINISHED
            | htype::CERTIFICATE_VERIFY => return Self::parse(typ, body),
            other => {
                r.take(body.len(), "body")?;
                HandshakeMessage::Other { typ: other }
            }
        };
        r.finish("trailing bytes after the message")?;
        Ok(msg)
    }

    /// Parses a message body of type `typ`.
    pub fn parse(typ: u8, body: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let msg = match typ {
            htype::CLIENT_HELLO => {
                let legacy_version = r.u16("legacy_version")?;
                let random = random(&mut r)?;
                let session_id = r.vec8("legacy_session_id")?;
                if session_id.len() > 32 {
                    return Err(Error::Decode {
                        what: "legacy_session_id<0..32>",
                    });
                }
                let cipher_suites = r.u16_list(true, "cipher_suites")?;
                let compression_methods = r.vec8("legacy_compression_methods")?;
                if compression_methods.is_empty() {
                    return Err(Error::Decode {
                        what: "legacy_compression_methods<1..2^8-1>",
                    });
                }
                // A TLS 1.2-era hello may end here (RFC 5246 §7.4.1.2).
                let extensions = if r.is_empty() {
                    Vec::new()
                } else {
                    extensions::parse_block(r.vec16("extensions")?, Context::ClientHello)?
                };
                HandshakeMessage::ClientHello(ClientHello {
                    legacy_version,
                    random,
                    session_id: session_id.to_vec(),
                    cipher_suites,
                    compression_methods: compression_methods.to_vec(),
                    extensions,
                })
            }
            htype::SERVER_HELLO => {
                let legacy_version = r.u16("legacy_version")?;
                let random = random(&mut r)?;
                let session_id = r.vec8("legacy_session_id_echo")?;
                if session_id.len() > 32 {
                    return Err(Error::Decode {
                        what: "legacy_session_id_echo<0..32>",
                    });
                }
                let cipher_suite = r.u16("cipher_suite")?;
                let compression_method = r.u8("legacy_compression_method")?;
                let ctx = if random == HRR_RANDOM {
                    Context::HelloRetryRequest
                } else if r.rest().len() >= 2 && !extensions::has_type(&r.rest()[2..], 43) {
                    // No supported_versions: a TLS 1.2 ServerHello, whose
                    // extensions follow RFC 5246 §7.4.1.4 and their own RFCs.
                    Context::ServerHello12
                } else {
                    Context::ServerHello
                };
                let extensions = if r.is_empty() {
                    Vec::new()
                } else {
                    extensions::parse_block(r.vec16("extensions")?, ctx)?
                };
                HandshakeMessage::ServerHello(ServerHello {
                    legacy_version,
                    random,
                    session_id: session_id.to_vec(),
                    cipher_suite,
                    compression_method,
                    extensions,
                })
            }
            htype::ENCRYPTED_EXTENSIONS => HandshakeMessage::EncryptedExtensions(
                extensions::parse_block(r.vec16("extensions")?, Context::EncryptedExtensions)?,
            ),
            htype::CERTIFICATE => {
                let context = r.vec8("certificate_request_context")?.to_vec();
                let mut list = Reader::new(r.vec24("certificate_list")?);
                let mut entries = Vec::new();
                while !list.is_empty() {
                    let cert = list.vec24("cert_data")?;
                    if cert.is_empty() {
                        return Err(Error::Decode {
                            what: "cert_data<1..2^24-1>",
                        });
                    }
                    let exts =
                        extensions::parse_block(list.vec16("extensions")?, Context::Certificate)?;
                    entries.push(CertificateEntry {
                        cert_data: cert.to_vec(),
                        extensions: exts,
                    });
                }
                HandshakeMessage::Certificate(Certificate { context, entries })
            }
            htype::CERTIFICATE_REQUEST => {
                let context = r.vec8("certificate_request_context")?.to_vec();
                let extensions =
                    extensions::parse_block(r.vec16("extensions")?, Context::CertificateRequest)?;
                HandshakeMessage::CertificateRequest {
                    context,
                    extensions,
                }
            }
            htype::CERTIFICATE_VERIFY => {
                let scheme = r.u16("algorithm")?;
                let signature = r.vec16("signature")?.to_vec();
                HandshakeMessage::CertificateVerify { scheme, signature }
            }
            htype::FINISHED => {
                HandshakeMessage::Finished(r.take(body.len(), "verify_data")?.to_vec())
            }
            htype::NEW_SESSION_TICKET => {
                let lifetime = r.u32("ticket_lifetime")?;
                let age_add = r.u32("ticket_age_add")?;
                let nonce = r.vec8("ticket_nonce")?.to_vec();
                let ticket = r.vec16("ticket")?.to_vec();
                if ticket.is_empty() {
                    return Err(Error::Decode {
                        what: "ticket<1..2^16-1>",
                    });
                }
                let exts =
                    extensions::parse_block(r.vec16("extensions")?, Context::NewSessionTicket)?;
                HandshakeMessage::NewSessionTicket(NewSessionTicket {
                    lifetime,
                    age_add,
                    nonce,
                    ticket,
                    extensions: exts,
                })
            }
            htype::KEY_UPDATE => {
                let update_requested = match r.u8("request_update")? {
                    0 => false,
                    1 => true,
                    // RFC 8446 §4.6.3: any other value is illegal_parameter.
                    _ => {
                        return Err(Error::IllegalParameter {
                            what: "KeyUpdate.request_update not 0 or 1 (RFC 8446 §4.6.3)",
                        })
                    }
                };
                HandshakeMessage::KeyUpdate { update_requested }
            }
            other => {
                r.take(body.len(), "body")?;
                HandshakeMessage::Other { typ: other }
            }
        };
        r.finish("trailing bytes after the message")?;
        Ok(msg)
    }

    /// The message in wire form: type, u24 length, body.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let typ = match self {
            HandshakeMessage::ClientHello(_) => htype::CLIENT_HELLO,
            HandshakeMessage::ServerHello(_) => htype::SERVER_HELLO,
            HandshakeMessage::EncryptedExtensions(_) => htype::ENCRYPTED_EXTENSIONS,
            HandshakeMessage::Certificate(_) => htype::CERTIFICATE,
            HandshakeMessage::CertificateRequest { .. } => htype::CERTIFICATE_REQUEST,
            HandshakeMessage::CertificateVerify { .. } => htype::CERTIFICATE_VERIFY,
            HandshakeMessage::Finished(_) => htype::FINISHED,
            HandshakeMessage::NewSessionTicket(_) => htype::NEW_SESSION_TICKET,
            HandshakeMessage::KeyUpdate { .. } => htype::KEY_UPDATE,
            HandshakeMessage::HelloRequest => htype::HELLO_REQUEST,
            HandshakeMessage::Certificate12(_) => htype::CERTIFICATE,
            HandshakeMessage::ServerKeyExchange(_) => htype::SERVER_KEY_EXCHANGE,
            HandshakeMessage::ServerHelloDone => htype::SERVER_HELLO_DONE,
            HandshakeMessage::CertificateRequest12 { .. } => htype::CERTIFICATE_REQUEST,
            HandshakeMessage::NewSessionTicket12 { .. } => htype::NEW_SESSION_TICKET,
            HandshakeMessage::ClientKeyExchange(_) => htype::CLIENT_KEY_EXCHANGE,
            HandshakeMessage::Other { typ } => *typ,
        };
        out.push(typ);
        with_len(&mut out, 3, |o| self.encode_body(o));
        out
    }

    fn encode_body(&self, o: &mut Vec<u8>) {
        match self {
            HandshakeMessage::ClientHello(ch) => {
                put_u16(o, ch.legacy_version);
                o.extend_from_slice(&ch.random);
                with_len(o, 1, |o| o.extend_from_slice(&ch.session_id));
                crate::codec::put_u16_list(o, &ch.cipher_suites);
                with_len(o, 1, |o| o.extend_from_slice(&ch.compression_methods));
                extensions::emit_block(o, &ch.extensions);
            }
            HandshakeMessage::ServerHello(sh) => {
                put_u16(o, sh.legacy_version);
                o.extend_from_slice(&sh.random);
                with_len(o, 1, |o| o.extend_from_slice(&sh.session_id));
                put_u16(o, sh.cipher_suite);
                o.push(sh.compression_method);
                extensions::emit_block(o, &sh.extensions);
            }
            HandshakeMessage::EncryptedExtensions(exts) => extensions::emit_block(o, exts),
            HandshakeMessage::Certificate(c) => {
                with_len(o, 1, |o| o.extend_from_slice(&c.context));
                with_len(o, 3, |o| {
                    for e in &c.entries {
                        with_len(o, 3, |o| o.extend_from_slice(&e.cert_data));
                        extensions::emit_block(o, &e.extensions);
                    }
                });
            }
            HandshakeMessage::CertificateRequest {
                context,
                extensions,
            } => {
                with_len(o, 1, |o| o.extend_from_slice(context));
                extensions::emit_block(o, extensions);
            }
            HandshakeMessage::CertificateVerify { scheme, signature } => {
                put_u16(o, *scheme);
                with_len(o, 2, |o| o.extend_from_slice(signature));
            }
            HandshakeMessage::Finished(v) => o.extend_from_slice(v),
            HandshakeMessage::NewSessionTicket(t) => {
                o.extend_from_slice(&t.lifetime.to_be_bytes());
                o.extend_from_slice(&t.age_add.to_be_bytes());
                with_len(o, 1, |o| o.extend_from_slice(&t.nonce));
                with_len(o, 2, |o| o.extend_from_slice(&t.ticket));
                extensions::emit_block(o, &t.extensions);
            }
            HandshakeMessage::KeyUpdate { update_requested } => o.push(u8::from(*update_requested)),
            HandshakeMessage::CertificateRequest12 {
                cert_types,
                schemes,
                authorities,
            } => {
                with_len(o, 1, |o| o.extend_from_slice(cert_types));
                crate::codec::put_u16_list(o, schemes);
                with_len(o, 2, |o| {
                    for dn in authorities {
                        with_len(o, 2, |o| o.extend_from_slice(dn));
                    }
                });
            }
            HandshakeMessage::Certificate12(chain) => with_len(o, 3, |o| {
                for c in chain {
                    with_len(o, 3, |o| o.extend_from_slice(c));
                }
            }),
            HandshakeMessage::ServerKeyExchange(b) | HandshakeMessage::ClientKeyExchange(b) => {
                o.extend_from_slice(b)
            }
            HandshakeMessage::NewSessionTicket12 {
                lifetime_hint,
                ticket,
            } => {
                o.extend_from_slice(&lifetime_hint.to_be_bytes());
                with_len(o, 2, |o| o.extend_from_slice(ticket));
            }
            HandshakeMessage::HelloRequest
            | HandshakeMessage::ServerHelloDone
            | HandshakeMessage::Other { .. } => {}
        }
    }
}

/// The synthetic message_hash message that replaces ClientHello1 in the
/// transcript after a HelloRetryRequest (RFC 8446 §4.4.1).
pub fn message_hash(hash_of_ch1: &[u8]) -> Vec<u8> {
    let mut out = vec![htype::MESSAGE_HASH];
    put_u24(&mut out, hash_of_ch1.len());
    out.extend_from_slice(hash_of_ch1);
    out
}
