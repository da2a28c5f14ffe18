//! `tls.interop.*`: rustls (ring provider, in-process, over in-memory
//! buffers) as the independent peer: our client against a rustls server
//! and a rustls client against our server, for each TLS 1.3 suite and
//! group, with 1 MiB echoed and checked both ways, and the
//! HelloRetryRequest path each way; and the same for each TLS 1.2 ECDHE
//! suite (rustls has no RSA key exchange: OpenSSL covers that).
//! The post-quantum hybrids X25519MLKEM768 and SecP256r1MLKEM768
//! (draft-ietf-tls-ecdhe-mlkem) against rustls with its aws-lc-rs provider,
//! the one that has them (AWS-LC's ML-KEM, an implementation independent of
//! ours), both ways.

use std::io::{Read, Write};
use std::sync::Arc;

use handshake_tls::suites::TLS12;
use handshake_tls::{
    CipherSuite, ClientConnection, Event, NamedGroup, Negotiated, ServerConnection, Tls12Suite,
};
use rustls::crypto::ring as rr;
use rustls::pki_types::ServerName;

use super::support::{self, pki, LeafSpec, Pki};
use crate::check::{self, Checked};
use crate::Case;

/// One end of a connection, ours or rustls's.
pub(super) trait Peer {
    fn take_tls(&mut self) -> Result<Vec<u8>, String>;
    fn give_tls(&mut self, b: &[u8]) -> Result<(), String>;
    fn write(&mut self, d: &[u8]) -> Result<(), String>;
    fn read(&mut self) -> Result<Vec<u8>, String>;
    fn done(&self) -> bool;
}

macro_rules! ours {
    ($t:ty) => {
        impl Peer for $t {
            fn take_tls(&mut self) -> Result<Vec<u8>, String> {
                Ok(self.poll_transmit().unwrap_or_default())
            }
            fn give_tls(&mut self, b: &[u8]) -> Result<(), String> {
                self.read_tls(b).map_err(|e| format!("ours: {e}"))
            }
            fn write(&mut self, d: &[u8]) -> Result<(), String> {
                self.send(d).map_err(|e| format!("ours: {e}"))
            }
            fn read(&mut self) -> Result<Vec<u8>, String> {
                let mut out = Vec::new();
                while let Some(e) = self.poll_event() {
                    if let Event::ApplicationData(d) = e {
                        out.extend_from_slice(&d);
                    }
                }
                Ok(out)
            }
            fn done(&self) -> bool {
                !self.is_handshaking()
            }
        }
    };
}
ours!(ClientConnection);
ours!(ServerConnection);

macro_rules! theirs {
    ($t:ty) => {
        impl Peer for $t {
            fn take_tls(&mut self) -> Result<Vec<u8>, String> {
                let mut v = Vec::new();
                while self.wants_write() {
                    self.write_tls(&mut v).map_err(|e| e.to_string())?;
                }
                Ok(v)
            }
            fn give_tls(&mut self, mut b: &[u8]) -> Result<(), String> {
                while !b.is_empty() {
                    self.read_tls(&mut b).map_err(|e| e.to_string())?;
                    self.process_new_packets()
                        .map_err(|e| format!("rustls: {e}"))?;
                }
                Ok(())
            }
            fn write(&mut self, d: &[u8]) -> Result<(), String> {
                self.writer().write_all(d).map_err(|e| e.to_string())
            }
            fn read(&mut self) -> Result<Vec<u8>, String> {
                let mut out = Vec::new();
                let mut buf = [0u8; 16384];
                loop {
                    match self.reader().read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => out.extend_from_slice(&buf[..n]),
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                        Err(e) => return Err(e.to_string()),
                    }
                }
                Ok(out)
            }
            fn done(&self) -> bool {
                !self.is_handshaking()
            }
        }
    };
}
theirs!(rustls::ClientConnection);
theirs!(rustls::ServerConnection);

fn pump(a: &mut dyn Peer, b: &mut dyn Peer) -> Result<(), String> {
    for _ in 0..64 {
        let x = a.take_tls()?;
        if !x.is_empty() {
            b.give_tls(&x)?;
        }
        let y = b.take_tls()?;
        if !y.is_empty() {
            a.give_tls(&y)?;
        }
        if x.is_empty() && y.is_empty() {
            return Ok(());
        }
    }
    Err("endless exchange".into())
}

/// Handshake, then 1 MiB from the client, echoed by the server, checked.
pub(super) fn echo(client: &mut dyn Peer, server: &mut dyn Peer, seed: u64) -> Checked {
    pump(client, server)?;
    check::ensure(client.done() && server.done(), || {
        "handshake did not complete".into()
    })?;
    let mut data = vec![0u8; 1 << 20];
    rand::RngCore::fill_bytes(&mut *support::rng(seed), &mut data);
    let mut at_server = Vec::new();
    let mut back = Vec::new();
    for chunk in data.chunks(16 * 1024) {
        client.write(chunk)?;
        pump(client, server)?;
        let got = server.read()?;
        at_server.extend_from_slice(&got);
        server.write(&got)?;
        pump(client, server)?;
        back.extend_from_slice(&client.read()?);
    }
    check::ensure(at_server == data, || {
        format!(
            "server received {} bytes, not the 1 MiB sent",
            at_server.len()
        )
    })?;
    check::ensure(back == data, || {
        format!("client received {} bytes back, not the 1 MiB", back.len())
    })
}

/// rustls's (ring's) group for one of ours; rustls with ring has no
/// hybrid, so those map to X25519 and a case's group check then fails.
pub(super) fn rustls_group(g: NamedGroup) -> &'static dyn rustls::crypto::SupportedKxGroup {
    match g {
        NamedGroup::Secp256r1 => rr::kx_group::SECP256R1,
        NamedGroup::Secp384r1 => rr::kx_group::SECP384R1,
        _ => rr::kx_group::X25519,
    }
}

pub(super) fn provider(
    suite: CipherSuite,
    groups: &[NamedGroup],
) -> Arc<rustls::crypto::CryptoProvider> {
    let mut p = rr::default_provider();
    p.cipher_suites = vec![match suite {
        CipherSuite::Aes128GcmSha256 => rr::cipher_suite::TLS13_AES_128_GCM_SHA256,
        CipherSuite::Aes256GcmSha384 => rr::cipher_suite::TLS13_AES_256_GCM_SHA384,
        _ => rr::cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
    }];
    p.kx_groups = groups.iter().map(|g| rustls_group(*g)).collect();
    Arc::new(p)
}

/// A rustls server with our PKI's chain and key, speaking `version` with
/// what `provider` allows.
pub(super) fn rustls_server_with(
    p: &Pki,
    provider: Arc<rustls::crypto::CryptoProvider>,
    version: &'static rustls::SupportedProtocolVersion,
) -> Result<rustls::ServerConnection, String> {
    let (chain, key) = support::rustls_cert(&p.chain, &p.key_pkcs8);
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[version])
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| e.to_string())?;
    let mut s = rustls::ServerConnection::new(Arc::new(cfg)).map_err(|e| e.to_string())?;
    s.set_buffer_limit(None);
    Ok(s)
}

/// A rustls client trusting our PKI's CA, for `localhost`, speaking
/// `version` with what `provider` allows.
pub(super) fn rustls_client_with(
    p: &Pki,
    provider: Arc<rustls::crypto::CryptoProvider>,
    version: &'static rustls::SupportedProtocolVersion,
) -> Result<rustls::ClientConnection, String> {
    let roots = support::rustls_roots(p)?;
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[version])
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from("localhost").map_err(|e| e.to_string())?;
    let mut c = rustls::ClientConnection::new(Arc::new(cfg), name).map_err(|e| e.to_string())?;
    c.set_buffer_limit(None);
    Ok(c)
}

/// What a TLS 1.3 interop case offers: the suite, our groups and rustls's
/// (in preference order), and whether a HelloRetryRequest must happen.
#[derive(Clone)]
struct Offer {
    suite: CipherSuite,
    ours: Vec<NamedGroup>,
    theirs: Vec<NamedGroup>,
    hello_retry: bool,
}

impl Offer {
    /// Both sides offer one suite and one group: no retry.
    fn plain(suite: CipherSuite, group: NamedGroup) -> Offer {
        Offer {
            suite,
            ours: vec![group],
            theirs: vec![group],
            hello_retry: false,
        }
    }

    /// The parameters `n` a side negotiated are the offer's, with `group`.
    fn agreed(&self, n: Option<&Negotiated>, group: NamedGroup) -> Checked {
        let n = n.ok_or("no negotiated parameters")?;
        check::equal(
            "suite, group, retry",
            (n.suite, n.group, n.hello_retry),
            (self.suite, group, self.hello_retry),
        )
    }
}

/// Our client against a rustls server: the server's first group wins.
fn ours_vs_rustls_server(offer: &Offer) -> Checked {
    let p = pki(&LeafSpec::default())?;
    let theirs = provider(offer.suite, &offer.theirs);
    let mut s = rustls_server_with(&p, theirs, &rustls::version::TLS13)?;
    let mut cc = support::client_config(&p)?;
    cc.groups = offer.ours.clone();
    let mut c = ClientConnection::new(Arc::new(cc), "localhost", support::NOW, support::rng(21))
        .map_err(|e| e.to_string())?;
    echo(&mut c, &mut s, 1)?;
    offer.agreed(c.negotiated(), offer.theirs[0])
}

/// A rustls client against our server: our first group wins.
fn rustls_vs_our_server(offer: &Offer) -> Checked {
    let p = pki(&LeafSpec::default())?;
    let theirs = provider(offer.suite, &offer.theirs);
    let mut c = rustls_client_with(&p, theirs, &rustls::version::TLS13)?;
    let mut sc = support::server_config(&p)?;
    sc.groups = offer.ours.clone();
    let mut s = ServerConnection::new(Arc::new(sc), support::rng(22)).map_err(|e| e.to_string())?;
    echo(&mut c, &mut s, 2)?;
    offer.agreed(s.negotiated(), offer.ours[0])?;
    check::equal("server_name", s.server_name(), Some("localhost"))
}

/// rustls's aws-lc-rs provider with its hybrid `group` only, and TLS 1.3's
/// AES-128-GCM suite.
fn aws_lc_provider(group: NamedGroup) -> Result<Arc<rustls::crypto::CryptoProvider>, String> {
    use rustls::crypto::aws_lc_rs as al;
    let mut p = al::default_provider();
    p.cipher_suites = vec![al::cipher_suite::TLS13_AES_128_GCM_SHA256];
    p.kx_groups = vec![match group {
        NamedGroup::X25519MlKem768 => al::kx_group::X25519MLKEM768,
        NamedGroup::SecP256r1MlKem768 => al::kx_group::SECP256R1MLKEM768,
        other => return Err(format!("{} is not a hybrid", other.name())),
    }];
    Ok(Arc::new(p))
}

/// draft-ietf-tls-ecdhe-mlkem §3-§4 with an independent peer: our client
/// (`ours_is_client`) or server offering only the hybrid `group` against
/// rustls (aws-lc-rs) offering only it: both sides agree on the group
/// (rustls reports it too) with no HelloRetryRequest, and 1 MiB is echoed
/// under the keys the hybrid secret gives.
fn hybrid_with_aws_lc(group: NamedGroup, ours_is_client: bool) -> Checked {
    let p = pki(&LeafSpec::default())?;
    let theirs = aws_lc_provider(group)?;
    let (ours, rustls_group) = if ours_is_client {
        let mut s = rustls_server_with(&p, theirs, &rustls::version::TLS13)?;
        let mut cc = support::client_config(&p)?;
        cc.groups = vec![group];
        let mut c =
            ClientConnection::new(Arc::new(cc), "localhost", support::NOW, support::rng(25))
                .map_err(|e| e.to_string())?;
        echo(&mut c, &mut s, 5)?;
        (c.negotiated().cloned(), s.negotiated_key_exchange_group())
    } else {
        let mut c = rustls_client_with(&p, theirs, &rustls::version::TLS13)?;
        let mut sc = support::server_config(&p)?;
        sc.groups = vec![group];
        let mut s =
            ServerConnection::new(Arc::new(sc), support::rng(26)).map_err(|e| e.to_string())?;
        echo(&mut c, &mut s, 6)?;
        (s.negotiated().cloned(), c.negotiated_key_exchange_group())
    };
    Offer::plain(CipherSuite::Aes128GcmSha256, group).agreed(ours.as_ref(), group)?;
    check::equal(
        "the group rustls negotiated",
        rustls_group.map(|g| u16::from(g.name())),
        Some(group.to_u16()),
    )
}

/// Our side updates its write key every two records (`records_per_key`
/// 3: two records and the KeyUpdate, RFC 8446 §5.5, §4.6.3) while 1 MiB
/// (64 full records) goes each way: rustls reads every record under the
/// keys our KeyUpdates announce.
fn key_updates_with_rustls(ours_is_client: bool) -> Checked {
    let p = pki(&LeafSpec::default())?;
    let theirs = provider(CipherSuite::Aes128GcmSha256, &[NamedGroup::X25519]);
    let trace = if ours_is_client {
        let mut s = rustls_server_with(&p, theirs, &rustls::version::TLS13)?;
        let mut cc = support::client_config(&p)?;
        (cc.records_per_key, cc.trace) = (Some(3), true);
        let mut c =
            ClientConnection::new(Arc::new(cc), "localhost", support::NOW, support::rng(23))
                .map_err(|e| e.to_string())?;
        echo(&mut c, &mut s, 3)?;
        c.trace().to_vec()
    } else {
        let mut c = rustls_client_with(&p, theirs, &rustls::version::TLS13)?;
        let mut sc = support::server_config(&p)?;
        (sc.records_per_key, sc.trace) = (Some(3), true);
        let mut s =
            ServerConnection::new(Arc::new(sc), support::rng(24)).map_err(|e| e.to_string())?;
        echo(&mut c, &mut s, 4)?;
        s.trace().to_vec()
    };
    // 64 records at two per key: 32 keys, 31 KeyUpdates at least.
    let updates = trace
        .iter()
        .filter(|l| l.to_string().starts_with("-> KeyUpdate"))
        .count();
    check::ensure(updates >= 31, || {
        format!("{updates} KeyUpdates sent for 64 records, want at least 31")
    })
}

pub(super) fn provider12(
    suite: Tls12Suite,
    group: NamedGroup,
) -> Arc<rustls::crypto::CryptoProvider> {
    use rr::cipher_suite as cs;
    use Tls12Suite as T;
    let mut p = rr::default_provider();
    p.cipher_suites = vec![match suite {
        T::EcdheEcdsaWithAes128GcmSha256 => cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        T::EcdheEcdsaWithAes256GcmSha384 => cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        T::EcdheEcdsaWithChaCha20Poly1305Sha256 => {
            cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
        }
        T::EcdheRsaWithAes128GcmSha256 => cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        T::EcdheRsaWithAes256GcmSha384 => cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        _ => cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    }];
    p.kx_groups = vec![rustls_group(group)];
    Arc::new(p)
}

/// rustls speaking TLS 1.2 only, one suite and one group.
fn rustls12(
    p: &Pki,
    suite: Tls12Suite,
    group: NamedGroup,
    server: bool,
) -> Result<Box<dyn Peer>, String> {
    let provider = provider12(suite, group);
    let tls12 = &rustls::version::TLS12;
    Ok(if server {
        Box::new(rustls_server_with(p, provider, tls12)?)
    } else {
        Box::new(rustls_client_with(p, provider, tls12)?)
    })
}

/// TLS 1.2 with rustls: our client (default configuration, TLS 1.3 and
/// 1.2 offered) against a TLS 1.2-only rustls server, or a TLS 1.2-only
/// rustls client against our server (default configuration).
fn tls12_with_rustls(suite: Tls12Suite, group: NamedGroup, ours_is_client: bool) -> Checked {
    let p = support::pki_for(suite)?;
    let mut theirs = rustls12(&p, suite, group, ours_is_client)?;
    let n = if ours_is_client {
        let cc = support::client_config(&p)?;
        let mut c =
            ClientConnection::new(Arc::new(cc), "localhost", support::NOW, support::rng(23))
                .map_err(|e| e.to_string())?;
        echo(&mut c, &mut *theirs, 3)?;
        check::equal("version", c.protocol_version(), Some(TLS12))?;
        c.negotiated_tls12().cloned()
    } else {
        let sc = support::server_config(&p)?;
        let mut s =
            ServerConnection::new(Arc::new(sc), support::rng(24)).map_err(|e| e.to_string())?;
        echo(&mut *theirs, &mut s, 4)?;
        check::equal("version", s.protocol_version(), Some(TLS12))?;
        s.negotiated_tls12().cloned()
    };
    let n = n.ok_or("no TLS 1.2 parameters")?;
    check::equal(
        "suite, group, extended master secret",
        (n.suite, n.group, n.extended_master_secret),
        (suite, Some(group), true),
    )
}

/// TLS 1.2 session tickets (RFC 5077) with rustls: two connections, the
/// second resuming the first's ticket; `ours_is_client` says which side
/// rustls plays (the server with a ring Ticketer, or the client with its
/// default in-memory resumption store).
fn tls12_ticket_with_rustls(ours_is_client: bool) -> Checked {
    let suite = Tls12Suite::EcdheEcdsaWithAes128GcmSha256;
    let p = support::pki_for(suite)?;
    let provider = provider12(suite, NamedGroup::X25519);
    let mut resumed = Vec::new();
    if ours_is_client {
        let (chain, key) = support::rustls_cert(&p.chain, &p.key_pkcs8);
        let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS12])
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| e.to_string())?;
        cfg.ticketer = rr::Ticketer::new().map_err(|e| e.to_string())?;
        let cfg = Arc::new(cfg);
        let mut session = None;
        for i in 0..2u64 {
            let mut s = rustls::ServerConnection::new(cfg.clone()).map_err(|e| e.to_string())?;
            let mut cc = support::client_config(&p)?;
            cc.tls12_session_tickets = true;
            cc.tls12_session = session.take();
            let mut c = ClientConnection::new(
                Arc::new(cc),
                "localhost",
                support::NOW,
                support::rng(50 + i),
            )
            .map_err(|e| e.to_string())?;
            echo(&mut c, &mut s, 5)?;
            resumed.push(c.negotiated_tls12().map(|n| n.resumed));
            session = c.tls12_session().cloned();
            check::ensure(session.is_some(), || "rustls issued no ticket".into())?;
        }
    } else {
        let roots = support::rustls_roots(&p)?;
        let cfg = Arc::new(
            rustls::ClientConfig::builder_with_provider(provider)
                .with_protocol_versions(&[&rustls::version::TLS12])
                .map_err(|e| e.to_string())?
                .with_root_certificates(roots)
                .with_no_client_auth(),
        );
        let mut sc = support::server_config(&p)?;
        sc.set_tls12_ticket_key([9; 32]);
        let sc = Arc::new(sc);
        for i in 0..2u64 {
            let name = ServerName::try_from("localhost").map_err(|e| e.to_string())?;
            let mut c =
                rustls::ClientConnection::new(cfg.clone(), name).map_err(|e| e.to_string())?;
            let mut s = ServerConnection::new(sc.clone(), support::rng(60 + i))
                .map_err(|e| e.to_string())?;
            echo(&mut c, &mut s, 6)?;
            resumed.push(s.negotiated_tls12().map(|n| n.resumed));
        }
    }
    check::equal(
        "resumed (first, second connection)",
        resumed,
        vec![Some(false), Some(true)],
    )
}

fn short(s: CipherSuite) -> &'static str {
    match s {
        CipherSuite::Aes128GcmSha256 => "aes128gcm",
        CipherSuite::Aes256GcmSha384 => "aes256gcm",
        _ => "chacha20",
    }
}

/// The `tls.interop.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for suite in CipherSuite::ALL {
        for group in NamedGroup::DEFAULT {
            let tag = format!("{}-{}", short(suite), group.name());
            v.push(
                Case::must(
                    format!("tls.interop.rustls-server-{tag}"),
                    "RFC 8446 §2, §4.1-§4.4, §5.2, §7.1",
                )
                .interop_peer(move |_| ours_vs_rustls_server(&Offer::plain(suite, group))),
            );
            v.push(
                Case::must(
                    format!("tls.interop.rustls-client-{tag}"),
                    "RFC 8446 §2, §4.1-§4.4, §5.2, §7.1",
                )
                .interop_peer(move |_| rustls_vs_our_server(&Offer::plain(suite, group))),
            );
        }
    }
    for suite in Tls12Suite::DEFAULT {
        for (group, ours_is_client) in NamedGroup::DEFAULT
            .into_iter()
            .flat_map(|g| [(g, true), (g, false)])
        {
            let side = if ours_is_client { "server" } else { "client" };
            v.push(
                Case::must(
                    format!(
                        "tls.interop.rustls-tls12-{side}-{}-{}",
                        support::slug(suite.name()),
                        group.name()
                    ),
                    "RFC 5246 §7.3, §7.4; RFC 8422 §5.1.1, §5.4; RFC 5289; RFC 7905; RFC 7627",
                )
                .interop_peer(move |_| tls12_with_rustls(suite, group, ours_is_client)),
            );
        }
    }
    for ours_is_client in [true, false] {
        let side = if ours_is_client { "server" } else { "client" };
        v.push(
            Case::must(
                format!("tls.interop.rustls-tls12-{side}-ticket-resumption"),
                "RFC 5077 §3.1-§3.4; RFC 5246 §7.3",
            )
            .interop_peer(move |_| tls12_ticket_with_rustls(ours_is_client)),
        );
    }
    for ours_is_client in [true, false] {
        let side = if ours_is_client { "server" } else { "client" };
        v.push(
            Case::must(
                format!("tls.interop.rustls-{side}-automatic-key-update"),
                "RFC 8446 §5.5, §4.6.3",
            )
            .interop_peer(move |_| key_updates_with_rustls(ours_is_client)),
        );
    }
    for group in [NamedGroup::X25519MlKem768, NamedGroup::SecP256r1MlKem768] {
        for ours_is_client in [true, false] {
            let side = if ours_is_client { "server" } else { "client" };
            v.push(
                Case::must(
                    format!(
                        "tls.interop.rustls-aws-lc-{side}-{}",
                        group.name().to_lowercase()
                    ),
                    "draft-ietf-tls-ecdhe-mlkem §3, §4; RFC 8446 §4.2.8, §7.4; FIPS 203 §7",
                )
                .interop_peer(move |_| hybrid_with_aws_lc(group, ours_is_client)),
            );
        }
    }
    // Each side prefers a group the other offered no share for.
    let both = vec![NamedGroup::X25519, NamedGroup::Secp256r1];
    let retry = |ours: Vec<NamedGroup>, theirs: Vec<NamedGroup>| Offer {
        suite: CipherSuite::Aes128GcmSha256,
        ours,
        theirs,
        hello_retry: true,
    };
    let to_rustls = retry(both.clone(), vec![NamedGroup::Secp256r1]);
    let from_rustls = retry(vec![NamedGroup::Secp256r1], both);
    v.push(
        Case::must(
            "tls.interop.rustls-server-hello-retry",
            "RFC 8446 §4.1.4, §4.4.1",
        )
        .interop_peer(move |_| ours_vs_rustls_server(&to_rustls)),
    );
    v.push(
        Case::must(
            "tls.interop.rustls-client-hello-retry",
            "RFC 8446 §4.1.4, §4.4.1",
        )
        .interop_peer(move |_| rustls_vs_our_server(&from_rustls)),
    );
    v
}
