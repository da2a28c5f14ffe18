//! `tls.p384.*`: P-384 (secp384r1) in TLS, against independent peers.
//!
//! - certificates: a P-384 subject key (RFC 5480 §2.1.1: id-ecPublicKey
//!   with the secp384r1 OID) and P-384 issuers signing with
//!   ecdsa-with-SHA256/384/512 (RFC 5758 §3.2), made by rcgen and by
//!   `openssl` (`certs.rs`);
//! - signatures: ecdsa_secp384r1_sha384 (0x0503) in TLS 1.3's
//!   CertificateVerify, bound to its curve (RFC 8446 §4.2.3), and in TLS
//!   1.2's ServerKeyExchange, where the scheme names only the hash;
//! - key exchange: secp384r1 (0x0018) as a TLS 1.3 key share (RFC 8446
//!   §4.2.7, §4.2.8.2) and a TLS 1.2 ECDHE curve (RFC 8422 §5.1.1);
//! - the peers: `openssl s_server` with our client, `openssl s_client` and
//!   `gnutls-cli` with our server (their own account of the signature they
//!   saw), rustls in-process both ways; and the refusals (`negative.rs`).

use std::sync::Arc;

use handshake_tls::suites::{TLS12, TLS13};
use handshake_tls::{
    CipherSuite, ClientConnection, NamedGroup, ServerConnection, SignatureScheme, Tls12Suite,
};

use super::interop::{echo, provider, provider12, rustls_client_with, rustls_server_with};
use super::support::{self, ours_client, ours_server_said, pki, KeyKind, LeafSpec, Pki};
use crate::check::{self, Checked};
use crate::peers::tls_tool::{ToolPeer, GNUTLS, OPENSSL};
use crate::Case;

mod certs;
mod negative;

/// The certificate chains the cases present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Chain {
    /// P-384 root -> P-384 leaf.
    P384,
    /// P-384 root -> P-256 leaf.
    Mixed,
    /// P-384 root -> P-384 intermediate -> P-256 leaf.
    Intermediate,
}

impl Chain {
    fn tag(self) -> &'static str {
        match self {
            Chain::P384 => "p384-chain",
            Chain::Mixed => "mixed-chain",
            Chain::Intermediate => "p384-intermediate",
        }
    }

    pub(super) fn pki(self) -> Result<Pki, String> {
        pki(&LeafSpec {
            kind: if self == Chain::P384 {
                KeyKind::P384
            } else {
                KeyKind::P256
            },
            ca_kind: KeyKind::P384,
            via_intermediate: self == Chain::Intermediate,
            ca_name: "Handshake TLS test P-384 CA",
            ..LeafSpec::default()
        })
    }

    /// The TLS 1.3 CertificateVerify scheme the leaf's key must sign with
    /// (RFC 8446 §4.2.3: the scheme names the curve).
    fn scheme13(self) -> SignatureScheme {
        match self {
            Chain::P384 => SignatureScheme::EcdsaSecp384r1Sha384,
            _ => SignatureScheme::EcdsaSecp256r1Sha256,
        }
    }
}

const ECDHE_ECDSA: Tls12Suite = Tls12Suite::EcdheEcdsaWithAes128GcmSha256;

/// Our client against `openssl s_server` presenting `chain`, in `version`,
/// with `-groups secp384r1` when `forced`: the handshake and a line each
/// way (so our path validation accepted the P-384 issuer), then what was
/// negotiated.
fn s_server(chain: Chain, version: u16, forced: bool) -> Checked {
    let p = chain.pki()?;
    let mut args = if version == TLS13 {
        vec!["-tls1_3"]
    } else {
        vec!["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"]
    };
    if forced {
        args.extend(["-groups", "secp384r1"]);
    }
    let (mut peer, port) = ToolPeer::server(&p.chain, &p.key_pkcs8, &args)?;
    // Our default configuration: both versions, x25519, secp256r1 and
    // secp384r1 offered, one key share (x25519).
    let c = ours_client(&p, &mut peer, port, |_| {})?;
    check::equal("version", c.protocol_version(), Some(version))?;
    if version == TLS13 {
        let n = c.negotiated().ok_or("no TLS 1.3 parameters")?;
        check::equal(
            "CertificateVerify scheme",
            n.signature_scheme,
            chain.scheme13(),
        )?;
        if forced {
            // §4.2.8: s_server has no secp384r1 share from us and asks for
            // one with a HelloRetryRequest (§4.1.4).
            check::equal(
                "group, retry",
                (n.group, n.hello_retry),
                (NamedGroup::Secp384r1, true),
            )?;
        }
    } else {
        let n = c.negotiated_tls12().ok_or("no TLS 1.2 parameters")?;
        check::equal("suite", n.suite, ECDHE_ECDSA)?;
        // RFC 8446 §4.2.3, RFC 5246 §7.4.1.4.1: in TLS 1.2 OpenSSL may pair
        // either hash with the key's curve; whichever it chose verified.
        check::ensure(
            matches!(
                n.signature_scheme,
                Some(SignatureScheme::EcdsaSecp256r1Sha256 | SignatureScheme::EcdsaSecp384r1Sha384)
            ),
            || format!("ServerKeyExchange scheme {:?}", n.signature_scheme),
        )?;
        if forced {
            check::equal("ECDHE curve", n.group, Some(NamedGroup::Secp384r1))?;
        }
    }
    Ok(())
}

/// What a command-line client should report of our P-384 server.
struct Said {
    /// Lines (or fragments) the client's output must hold.
    expect: &'static [&'static str],
}

/// `openssl s_client -brief` (or `gnutls-cli`) against our server with the
/// P-384 chain: our side signs with ecdsa_secp384r1_sha384 in both versions
/// (in TLS 1.2 the key's own hash comes first), and the peer says so.
fn client_of_ours(gnutls: bool, version: u16, forced: bool, said: Said) -> Checked {
    let p = Chain::P384.pki()?;
    let mut args = vec!["-brief"];
    args.extend(if version == TLS13 {
        &["-tls1_3"][..]
    } else {
        &["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"][..]
    });
    if forced {
        args.extend(["-groups", "secp384r1"]);
    }
    let priority = match (version, forced) {
        (TLS13, false) => "NORMAL:-VERS-ALL:+VERS-TLS1.3",
        (TLS13, true) => "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-SECP384R1",
        (_, false) => "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+ECDHE-ECDSA",
        (_, true) => {
            "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+ECDHE-ECDSA:-GROUP-ALL:+GROUP-SECP384R1"
        }
    };
    let (s, out) = ours_server_said(
        &p,
        |port| {
            if gnutls {
                ToolPeer::gnutls_client(&p.ca_der, port, priority)
            } else {
                ToolPeer::client(&p.ca_der, port, &args)
            }
        },
        |_| {},
    )?;
    check::equal("version", s.protocol_version(), Some(version))?;
    let (scheme, group) = if version == TLS13 {
        let n = s.negotiated().ok_or("no TLS 1.3 parameters")?;
        (Some(n.signature_scheme), Some(n.group))
    } else {
        let n = s.negotiated_tls12().ok_or("no TLS 1.2 parameters")?;
        (n.signature_scheme, n.group)
    };
    check::equal(
        "our signature scheme",
        scheme,
        Some(SignatureScheme::EcdsaSecp384r1Sha384),
    )?;
    if forced {
        check::equal("group", group, Some(NamedGroup::Secp384r1))?;
    }
    for e in said.expect {
        check::ensure(out.contains(e), || {
            format!("the client did not say {e:?}; it said: {out}")
        })?;
    }
    Ok(())
}

/// rustls (ring) and ours with the P-384 chain, secp384r1 the only group on
/// both sides, 1 MiB echoed: both agree on the group and on
/// ecdsa_secp384r1_sha384 (rustls's P-384 key signs only that scheme, in
/// both versions).
fn with_rustls(ours_is_client: bool, version: u16) -> Checked {
    let p = Chain::P384.pki()?;
    let group = NamedGroup::Secp384r1;
    let (theirs, rv) = if version == TLS13 {
        (
            provider(CipherSuite::Aes256GcmSha384, &[group]),
            &rustls::version::TLS13,
        )
    } else {
        (provider12(ECDHE_ECDSA, group), &rustls::version::TLS12)
    };
    let (got, seen) = if ours_is_client {
        let mut s = rustls_server_with(&p, theirs, rv)?;
        let mut cc = support::client_config(&p)?;
        cc.groups = vec![group];
        let mut c =
            ClientConnection::new(Arc::new(cc), "localhost", support::NOW, support::rng(71))
                .map_err(|e| e.to_string())?;
        echo(&mut c, &mut s, 7)?;
        let their = s.negotiated_key_exchange_group().map(|g| g.name());
        let ours = if version == TLS13 {
            c.negotiated().map(|n| (n.group, n.signature_scheme))
        } else {
            c.negotiated_tls12()
                .and_then(|n| Some((n.group?, n.signature_scheme?)))
        };
        (ours, their)
    } else {
        let mut c = rustls_client_with(&p, theirs, rv)?;
        let mut sc = support::server_config(&p)?;
        sc.groups = vec![group];
        let mut s =
            ServerConnection::new(Arc::new(sc), support::rng(72)).map_err(|e| e.to_string())?;
        echo(&mut c, &mut s, 8)?;
        let their = c.negotiated_key_exchange_group().map(|g| g.name());
        let ours = if version == TLS13 {
            s.negotiated().map(|n| (n.group, n.signature_scheme))
        } else {
            s.negotiated_tls12()
                .and_then(|n| Some((n.group?, n.signature_scheme?)))
        };
        (ours, their)
    };
    check::equal(
        "our group and signature scheme",
        got,
        Some((group, SignatureScheme::EcdsaSecp384r1Sha384)),
    )?;
    check::equal("rustls's group", seen, Some(rustls::NamedGroup::secp384r1))
}

fn version_tag(v: u16) -> &'static str {
    if v == TLS13 {
        "tls13"
    } else {
        "tls12"
    }
}

/// The `tls.p384.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    // Our client against s_server: each chain in each version, and the
    // group forced to secp384r1.
    for (chain, version, forced) in [
        (Chain::P384, TLS13, false),
        (Chain::Mixed, TLS13, false),
        (Chain::Intermediate, TLS13, false),
        (Chain::P384, TLS12, false),
        (Chain::Mixed, TLS12, false),
        (Chain::P384, TLS13, true),
        (Chain::P384, TLS12, true),
    ] {
        let vt = version_tag(version);
        let (id, spec) = match (version, forced) {
            (TLS13, false) => (
                format!("tls.p384.s-server-{vt}-{}", chain.tag()),
                "RFC 8446 §4.2.3, §4.4.2.2, §4.4.3; RFC 5480 §2.1.1; RFC 5758 §3.2; RFC 5280 §6.1",
            ),
            (TLS13, true) => (
                format!("tls.p384.s-server-{vt}-group-secp384r1"),
                "RFC 8446 §4.2.7, §4.2.8, §4.2.8.2, §4.1.4",
            ),
            (_, false) => (
                format!("tls.p384.s-server-{vt}-{}", chain.tag()),
                "RFC 8422 §5.4, §5.10; RFC 8446 §4.2.3 (TLS 1.2: any curve); RFC 5480 §2.1.1",
            ),
            (_, true) => (
                format!("tls.p384.s-server-{vt}-group-secp384r1"),
                "RFC 8422 §5.1.1, §5.4; RFC 8446 §4.2.7",
            ),
        };
        v.push(
            Case::must(id, spec)
                .needs(&[OPENSSL])
                .interop_peer(move |_| s_server(chain, version, forced)),
        );
    }
    // s_client -brief reports "Signature type: ECDSA" and "Hash used:
    // SHA384" (and the temporary key's curve); gnutls-cli's log describes
    // the session in its priority-string names.
    type Row = (bool, u16, bool, &'static [&'static str]);
    let rows: [Row; 6] = [
        (
            false,
            TLS13,
            false,
            &["Signature type: ECDSA", "Hash used: SHA384"],
        ),
        (
            false,
            TLS12,
            false,
            &["Signature type: ECDSA", "Hash used: SHA384"],
        ),
        (
            false,
            TLS13,
            true,
            &[
                "Signature type: ECDSA",
                "Hash used: SHA384",
                "Server Temp Key: ECDH, secp384r1",
            ],
        ),
        (
            false,
            TLS12,
            true,
            &[
                "Signature type: ECDSA",
                "Hash used: SHA384",
                "Server Temp Key: ECDH, secp384r1",
            ],
        ),
        (
            true,
            TLS13,
            true,
            &["(TLS1.3-X.509)-(ECDHE-SECP384R1)-(ECDSA-SECP384R1-SHA384)"],
        ),
        (
            true,
            TLS12,
            true,
            &["(TLS1.2-X.509)-(ECDHE-SECP384R1)-(ECDSA-SHA384)"],
        ),
    ];
    for (gnutls, version, forced, expect) in rows {
        let vt = version_tag(version);
        let tool = if gnutls { "gnutls-cli" } else { "s-client" };
        let group = if forced { "-group-secp384r1" } else { "" };
        let spec = if version == TLS13 {
            "RFC 8446 §4.2.3, §4.4.3; RFC 8446 §4.2.7, §4.2.8.2"
        } else {
            "RFC 5246 §7.4.3; RFC 8422 §5.4, §5.1.1"
        };
        v.push(
            Case::must(format!("tls.p384.{tool}-{vt}-p384-server{group}"), spec)
                .needs(&[if gnutls { GNUTLS } else { OPENSSL }])
                .interop_peer(move |_| client_of_ours(gnutls, version, forced, Said { expect })),
        );
    }
    for version in [TLS13, TLS12] {
        for ours_is_client in [true, false] {
            let side = if ours_is_client { "server" } else { "client" };
            let spec = if version == TLS13 {
                "RFC 8446 §4.2.3, §4.2.7, §4.2.8.2, §4.4.3"
            } else {
                "RFC 8422 §5.1.1, §5.4, §5.10; RFC 8446 §4.2.3"
            };
            v.push(
                Case::must(
                    format!("tls.p384.rustls-{side}-{}-secp384r1", version_tag(version)),
                    spec,
                )
                .interop_peer(move |_| with_rustls(ours_is_client, version)),
            );
        }
    }
    v.extend(certs::cases());
    v.extend(negative::cases());
    v
}
