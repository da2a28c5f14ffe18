//! Hello extensions (RFC 8446 §4.2) and the rule on where each may appear.
//!
//! Unknown extensions are kept as [`Extension::Unknown`] (a ClientHello's are
//! ignored by the server; the client refuses any it did not offer), a
//! recognized extension in a message the §4.2 table does not list for it is
//! `illegal_parameter`, and a type repeated in one block is
//! [`Error::DuplicateExtension`].

use crate::codec::{put_u16, put_u16_list, with_len, Reader};
use crate::Error;

/// Extension type numbers (RFC 8446 §4.2, RFC 6066 §3, RFC 7301 §3.1).
pub mod typ {
    /// server_name.
    pub const SERVER_NAME: u16 = 0;
    /// supported_groups.
    pub const SUPPORTED_GROUPS: u16 = 10;
    /// signature_algorithms.
    pub const SIGNATURE_ALGORITHMS: u16 = 13;
    /// application_layer_protocol_negotiation.
    pub const ALPN: u16 = 16;
    /// supported_versions.
    pub const SUPPORTED_VERSIONS: u16 = 43;
    /// cookie.
    pub const COOKIE: u16 = 44;
    /// psk_key_exchange_modes.
    pub const PSK_KEY_EXCHANGE_MODES: u16 = 45;
    /// pre_shared_key.
    pub const PRE_SHARED_KEY: u16 = 41;
    /// certificate_authorities (RFC 8446 §4.2.4).
    pub const CERTIFICATE_AUTHORITIES: u16 = 47;
    /// post_handshake_auth (RFC 8446 §4.2.6).
    pub const POST_HANDSHAKE_AUTH: u16 = 49;
    /// signature_algorithms_cert.
    pub const SIGNATURE_ALGORITHMS_CERT: u16 = 50;
    /// key_share.
    pub const KEY_SHARE: u16 = 51;
}

/// The message an extension block belongs to: what is allowed depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Context {
    /// ClientHello.
    ClientHello,
    /// ServerHello.
    ServerHello,
    /// A TLS 1.2 ServerHello (no supported_versions): server_name and ALPN
    /// answers live here (RFC 6066 §3, RFC 7301 §3.1), not in
    /// EncryptedExtensions.
    ServerHello12,
    /// HelloRetryRequest.
    HelloRetryRequest,
    /// EncryptedExtensions.
    EncryptedExtensions,
    /// A CertificateEntry.
    Certificate,
    /// NewSessionTicket.
    NewSessionTicket,
    /// CertificateRequest (§4.3.2).
    CertificateRequest,
}

/// One KeyShareEntry (RFC 8446 §4.2.8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyShareEntry {
    /// The NamedGroup.
    pub group: u16,
    /// The public value.
    pub key_exchange: Vec<u8>,
}

/// One PskIdentity (RFC 8446 §4.2.11).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PskIdentity {
    /// The identity (for a resumption PSK, the server's ticket).
    pub identity: Vec<u8>,
    /// obfuscated_ticket_age: the ticket's age in ms plus ticket_age_add,
    /// modulo 2^32.
    pub obfuscated_age: u32,
}

/// A ClientHello's pre_shared_key: OfferedPsks (RFC 8446 §4.2.11).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferedPsks {
    /// The identities, one binder each, in the same order.
    pub identities: Vec<PskIdentity>,
    /// The binders.
    pub binders: Vec<Vec<u8>>,
}

impl OfferedPsks {
    /// The encoded length of the binders list (its 2-byte length included):
    /// what Truncate(ClientHello) removes from the end of the message
    /// (§4.2.11.2).
    pub fn binders_len(&self) -> usize {
        2 + self.binders.iter().map(|b| 1 + b.len()).sum::<usize>()
    }
}

/// A parsed extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Extension {
    /// server_name: the host name a client asks for (RFC 6066 §3), or `None`
    /// for a server's empty acknowledgement.
    ServerName(Option<Vec<u8>>),
    /// supported_groups (§4.2.7).
    SupportedGroups(Vec<u16>),
    /// signature_algorithms (§4.2.3).
    SignatureAlgorithms(Vec<u16>),
    /// signature_algorithms_cert (§4.2.3).
    SignatureAlgorithmsCert(Vec<u16>),
    /// ALPN protocol names (RFC 7301 §3.1): a list in a ClientHello, exactly
    /// one in EncryptedExtensions.
    Alpn(Vec<Vec<u8>>),
    /// supported_versions in a ClientHello: the offered versions (§4.2.1).
    SupportedVersions(Vec<u16>),
    /// supported_versions in a ServerHello or HelloRetryRequest: the chosen one.
    SelectedVersion(u16),
    /// key_share in a ClientHello: the client's shares (§4.2.8).
    KeyShares(Vec<KeyShareEntry>),
    /// key_share in a ServerHello: the server's share.
    KeyShare(KeyShareEntry),
    /// key_share in a HelloRetryRequest: the group the server wants.
    KeyShareGroup(u16),
    /// cookie (§4.2.2).
    Cookie(Vec<u8>),
    /// psk_key_exchange_modes (§4.2.9).
    PskKeyExchangeModes(Vec<u8>),
    /// pre_shared_key in a ClientHello: the offered PSKs (§4.2.11).
    PreSharedKey(OfferedPsks),
    /// pre_shared_key in a ServerHello: the selected identity's index.
    SelectedIdentity(u16),
    /// certificate_authorities (§4.2.4): the distinguished names (DER) of
    /// the CAs the sender accepts.
    CertificateAuthorities(Vec<Vec<u8>>),
    /// post_handshake_auth (§4.2.6): the client will answer a
    /// CertificateRequest after the handshake; its data is empty.
    PostHandshakeAuth,
    /// Anything else, kept as bytes.
    Unknown {
        /// The extension type.
        typ: u16,
        /// Its extension_data.
        data: Vec<u8>,
    },
}

/// Whether the §4.2 table lists extension `t` for message `ctx`; `None` when
/// this crate does not recognize `t`.
fn allowed(t: u16, ctx: Context) -> Option<bool> {
    use Context::*;
    Some(match t {
        typ::SERVER_NAME | typ::ALPN => {
            matches!(ctx, ClientHello | EncryptedExtensions | ServerHello12)
        }
        typ::SUPPORTED_GROUPS => matches!(ctx, ClientHello | EncryptedExtensions),
        typ::SIGNATURE_ALGORITHMS | typ::SIGNATURE_ALGORITHMS_CERT => {
            matches!(ctx, ClientHello | CertificateRequest)
        }
        typ::PSK_KEY_EXCHANGE_MODES => ctx == ClientHello,
        typ::SUPPORTED_VERSIONS | typ::KEY_SHARE => {
            matches!(ctx, ClientHello | ServerHello | HelloRetryRequest)
        }
        typ::COOKIE => matches!(ctx, ClientHello | HelloRetryRequest),
        typ::PRE_SHARED_KEY => matches!(ctx, ClientHello | ServerHello),
        typ::CERTIFICATE_AUTHORITIES => matches!(ctx, ClientHello | CertificateRequest),
        typ::POST_HANDSHAKE_AUTH => ctx == ClientHello,
        _ => return None,
    })
}

impl Extension {
    /// The extension type.
    pub fn typ(&self) -> u16 {
        match self {
            Extension::ServerName(_) => typ::SERVER_NAME,
            Extension::SupportedGroups(_) => typ::SUPPORTED_GROUPS,
            Extension::SignatureAlgorithms(_) => typ::SIGNATURE_ALGORITHMS,
            Extension::SignatureAlgorithmsCert(_) => typ::SIGNATURE_ALGORITHMS_CERT,
            Extension::Alpn(_) => typ::ALPN,
            Extension::SupportedVersions(_) | Extension::SelectedVersion(_) => {
                typ::SUPPORTED_VERSIONS
            }
            Extension::KeyShares(_) | Extension::KeyShare(_) | Extension::KeyShareGroup(_) => {
                typ::KEY_SHARE
            }
            Extension::Cookie(_) => typ::COOKIE,
            Extension::PskKeyExchangeModes(_) => typ::PSK_KEY_EXCHANGE_MODES,
            Extension::PreSharedKey(_) | Extension::SelectedIdentity(_) => typ::PRE_SHARED_KEY,
            Extension::CertificateAuthorities(_) => typ::CERTIFICATE_AUTHORITIES,
            Extension::PostHandshakeAuth => typ::POST_HANDSHAKE_AUTH,
            Extension::Unknown { typ, .. } => *typ,
        }
    }

    /// Parses one extension's data in its message's context.
    pub fn parse(t: u16, data: &[u8], ctx: Context) -> Result<Self, Error> {
        match allowed(t, ctx) {
            None => {
                return Ok(Extension::Unknown {
                    typ: t,
                    data: data.to_vec(),
                })
            }
            Some(false) => {
                return Err(Error::IllegalParameter {
                    what: "extension not allowed in this message (RFC 8446 §4.2)",
                })
            }
            Some(true) => {}
        }
        let mut r = Reader::new(data);
        let ext = match t {
            typ::SERVER_NAME if ctx == Context::ClientHello => {
                Extension::ServerName(Some(parse_server_name(&mut r)?))
            }
            typ::SERVER_NAME => Extension::ServerName(None),
            typ::SUPPORTED_GROUPS => {
                Extension::SupportedGroups(r.u16_list(true, "named_group_list")?)
            }
            typ::SIGNATURE_ALGORITHMS => {
                Extension::SignatureAlgorithms(r.u16_list(true, "supported_signature_algorithms")?)
            }
            typ::SIGNATURE_ALGORITHMS_CERT => {
                Extension::SignatureAlgorithmsCert(r.u16_list(true, "signature_algorithms_cert")?)
            }
            typ::ALPN => {
                let names = parse_alpn(&mut r)?;
                if matches!(ctx, Context::EncryptedExtensions | Context::ServerHello12)
                    && names.len() != 1
                {
                    // RFC 7301 §3.1: the server's list contains exactly one name.
                    return Err(Error::Decode {
                        what: "ALPN: server sends one protocol",
                    });
                }
                Extension::Alpn(names)
            }
            typ::SUPPORTED_VERSIONS if ctx == Context::ClientHello => {
                let body = r.vec8("supported_versions")?;
                if body.len() < 2 || body.len() % 2 != 0 {
                    return Err(Error::Decode {
                        what: "supported_versions",
                    });
                }
                Extension::SupportedVersions(
                    body.chunks_exact(2)
                        .map(|c| u16::from_be_bytes([c[0], c[1]]))
                        .collect(),
                )
            }
            typ::SUPPORTED_VERSIONS => Extension::SelectedVersion(r.u16("selected_version")?),
            typ::KEY_SHARE => match ctx {
                Context::ClientHello => {
                    let mut list = Reader::new(r.vec16("client_shares")?);
                    let mut shares = Vec::new();
                    while !list.is_empty() {
                        shares.push(parse_share(&mut list)?);
                    }
                    Extension::KeyShares(shares)
                }
                Context::HelloRetryRequest => Extension::KeyShareGroup(r.u16("selected_group")?),
                _ => Extension::KeyShare(parse_share(&mut r)?),
            },
            typ::COOKIE => {
                let c = r.vec16("cookie")?;
                if c.is_empty() {
                    return Err(Error::Decode {
                        what: "cookie<1..2^16-1>",
                    });
                }
                Extension::Cookie(c.to_vec())
            }
            typ::PSK_KEY_EXCHANGE_MODES => {
                let m = r.vec8("ke_modes")?;
                if m.is_empty() {
                    return Err(Error::Decode {
                        what: "ke_modes<1..255>",
                    });
                }
                Extension::PskKeyExchangeModes(m.to_vec())
            }
            typ::PRE_SHARED_KEY if ctx == Context::ClientHello => {
                Extension::PreSharedKey(parse_offered_psks(&mut r)?)
            }
            typ::PRE_SHARED_KEY => Extension::SelectedIdentity(r.u16("selected_identity")?),
            typ::CERTIFICATE_AUTHORITIES => {
                Extension::CertificateAuthorities(parse_authorities(&mut r)?)
            }
            // §4.2.6: "The extension_data field of the post_handshake_auth
            // extension is zero length"; anything there is trailing bytes.
            typ::POST_HANDSHAKE_AUTH => Extension::PostHandshakeAuth,
            _ => unreachable_known(t, data),
        };
        r.finish("extension_data has trailing bytes")?;
        Ok(ext)
    }

    /// Appends type, length and data.
    pub fn emit(&self, out: &mut Vec<u8>) {
        put_u16(out, self.typ());
        with_len(out, 2, |o| match self {
            Extension::ServerName(Some(name)) => with_len(o, 2, |o| {
                o.push(0); // host_name
                with_len(o, 2, |o| o.extend_from_slice(name));
            }),
            Extension::ServerName(None) => {}
            Extension::SupportedGroups(l)
            | Extension::SignatureAlgorithms(l)
            | Extension::SignatureAlgorithmsCert(l) => put_u16_list(o, l),
            Extension::Alpn(names) => with_len(o, 2, |o| {
                for n in names {
                    with_len(o, 1, |o| o.extend_from_slice(n));
                }
            }),
            Extension::SupportedVersions(v) => with_len(o, 1, |o| {
                for x in v {
                    put_u16(o, *x);
                }
            }),
            Extension::SelectedVersion(v) | Extension::KeyShareGroup(v) => put_u16(o, *v),
            Extension::KeyShares(shares) => with_len(o, 2, |o| {
                for s in shares {
                    emit_share(o, s);
                }
            }),
            Extension::KeyShare(s) => emit_share(o, s),
            Extension::Cookie(c) => with_len(o, 2, |o| o.extend_from_slice(c)),
            Extension::PskKeyExchangeModes(m) => with_len(o, 1, |o| o.extend_from_slice(m)),
            Extension::PreSharedKey(p) => {
                with_len(o, 2, |o| {
                    for id in &p.identities {
                        with_len(o, 2, |o| o.extend_from_slice(&id.identity));
                        o.extend_from_slice(&id.obfuscated_age.to_be_bytes());
                    }
                });
                with_len(o, 2, |o| {
                    for b in &p.binders {
                        with_len(o, 1, |o| o.extend_from_slice(b));
                    }
                });
            }
            Extension::SelectedIdentity(i) => put_u16(o, *i),
            Extension::CertificateAuthorities(names) => with_len(o, 2, |o| {
                for dn in names {
                    with_len(o, 2, |o| o.extend_from_slice(dn));
                }
            }),
            Extension::PostHandshakeAuth => {}
            Extension::Unknown { data, .. } => o.extend_from_slice(data),
        });
    }
}

/// `allowed` returned `Some` only for the types matched above; keep the match
/// total without a panic by treating anything else as unknown data.
fn unreachable_known(t: u16, data: &[u8]) -> Extension {
    Extension::Unknown {
        typ: t,
        data: data.to_vec(),
    }
}

fn parse_server_name(r: &mut Reader<'_>) -> Result<Vec<u8>, Error> {
    let mut list = Reader::new(r.vec16("server_name_list")?);
    let mut host = None;
    while !list.is_empty() {
        let name_type = list.u8("name_type")?;
        let name = list.vec16("HostName")?;
        if name_type == 0 {
            // RFC 6066 §3: at most one name of each type, and a HostName is not empty.
            if host.is_some() || name.is_empty() {
                return Err(Error::Decode {
                    what: "server_name: one non-empty host_name",
                });
            }
            host = Some(name.to_vec());
        }
    }
    host.ok_or(Error::Decode {
        what: "server_name without host_name",
    })
}

fn parse_alpn(r: &mut Reader<'_>) -> Result<Vec<Vec<u8>>, Error> {
    let mut list = Reader::new(r.vec16("protocol_name_list")?);
    let mut names = Vec::new();
    while !list.is_empty() {
        let n = list.vec8("ProtocolName")?;
        if n.is_empty() {
            return Err(Error::Decode {
                what: "ProtocolName<1..2^8-1>",
            });
        }
        names.push(n.to_vec());
    }
    if names.is_empty() {
        return Err(Error::Decode {
            what: "protocol_name_list<2..2^16-1>",
        });
    }
    Ok(names)
}

/// `DistinguishedName authorities<3..2^16-1>`, each `opaque
/// DistinguishedName<1..2^16-1>` (RFC 8446 §4.2.4).
fn parse_authorities(r: &mut Reader<'_>) -> Result<Vec<Vec<u8>>, Error> {
    let mut list = Reader::new(r.vec16("authorities")?);
    let mut names = Vec::new();
    while !list.is_empty() {
        let dn = list.vec16("DistinguishedName")?;
        if dn.is_empty() {
            return Err(Error::Decode {
                what: "DistinguishedName<1..2^16-1>",
            });
        }
        names.push(dn.to_vec());
    }
    if names.is_empty() {
        return Err(Error::Decode {
            what: "authorities<3..2^16-1>",
        });
    }
    Ok(names)
}

fn parse_offered_psks(r: &mut Reader<'_>) -> Result<OfferedPsks, Error> {
    let mut ids = Reader::new(r.vec16("identities")?);
    let mut identities = Vec::new();
    while !ids.is_empty() {
        let identity = ids.vec16("PskIdentity.identity")?;
        if identity.is_empty() {
            return Err(Error::Decode {
                what: "PskIdentity.identity<1..2^16-1>",
            });
        }
        identities.push(PskIdentity {
            identity: identity.to_vec(),
            obfuscated_age: ids.u32("obfuscated_ticket_age")?,
        });
    }
    let mut bs = Reader::new(r.vec16("binders")?);
    let mut binders = Vec::new();
    while !bs.is_empty() {
        let b = bs.vec8("PskBinderEntry")?;
        // PskBinderEntry<32..255>.
        if b.len() < 32 {
            return Err(Error::Decode {
                what: "PskBinderEntry<32..255>",
            });
        }
        binders.push(b.to_vec());
    }
    if identities.is_empty() {
        return Err(Error::Decode {
            what: "identities<7..2^16-1>",
        });
    }
    // §4.2.11: one binder per identity; a mismatch is illegal_parameter.
    if binders.len() != identities.len() {
        return Err(Error::IllegalParameter {
            what: "PSK binders do not match the identities (RFC 8446 §4.2.11)",
        });
    }
    Ok(OfferedPsks {
        identities,
        binders,
    })
}

fn parse_share(r: &mut Reader<'_>) -> Result<KeyShareEntry, Error> {
    let group = r.u16("KeyShareEntry.group")?;
    let key = r.vec16("key_exchange")?;
    if key.is_empty() {
        return Err(Error::Decode {
            what: "key_exchange<1..2^16-1>",
        });
    }
    Ok(KeyShareEntry {
        group,
        key_exchange: key.to_vec(),
    })
}

fn emit_share(out: &mut Vec<u8>, s: &KeyShareEntry) {
    put_u16(out, s.group);
    with_len(out, 2, |o| o.extend_from_slice(&s.key_exchange));
}

/// Parses an extension block (`Extension extensions<0..2^16-1>`, the length
/// already removed), refusing a repeated type (RFC 8446 §4.2: "There MUST NOT
/// be more than one extension of the same type in a given extension block").
pub fn parse_block(data: &[u8], ctx: Context) -> Result<Vec<Extension>, Error> {
    let mut r = Reader::new(data);
    let mut out: Vec<Extension> = Vec::new();
    // A set, not a list scan: a 64 KiB block holds up to 16 Ki extensions.
    let mut seen = std::collections::BTreeSet::new();
    while !r.is_empty() {
        let t = r.u16("extension_type")?;
        let body = r.vec16("extension_data")?;
        if !seen.insert(t) {
            return Err(Error::DuplicateExtension { typ: t });
        }
        // §4.2.11: pre_shared_key MUST be the last extension in the
        // ClientHello; the server MUST check it (illegal_parameter).
        if t == typ::PRE_SHARED_KEY && ctx == Context::ClientHello && !r.is_empty() {
            return Err(Error::IllegalParameter {
                what: "pre_shared_key is not the last extension (RFC 8446 §4.2.11)",
            });
        }
        out.push(Extension::parse(t, body, ctx)?);
    }
    Ok(out)
}

/// Whether an extension block (its length already removed) holds type `t`;
/// false for a block too short to hold it. Used to tell a TLS 1.2
/// ServerHello from a TLS 1.3 one before parsing (supported_versions, 43).
pub fn has_type(block: &[u8], t: u16) -> bool {
    let mut r = Reader::new(block);
    while let (Ok(typ), Ok(_)) = (r.u16("extension_type"), r.vec16("extension_data")) {
        if typ == t {
            return true;
        }
    }
    false
}

/// Appends a length-prefixed extension block.
pub fn emit_block(out: &mut Vec<u8>, exts: &[Extension]) {
    with_len(out, 2, |o| {
        for e in exts {
            e.emit(o);
        }
    });
}

/// The first extension `pick` accepts.
pub fn find<'a, T>(exts: &'a [Extension], pick: impl Fn(&'a Extension) -> Option<T>) -> Option<T> {
    exts.iter().find_map(pick)
}
