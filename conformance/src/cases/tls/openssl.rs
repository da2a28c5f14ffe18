//! `tls.openssl.*`: OpenSSL 3's `s_server` and `s_client` as the
//! independent peer over TCP on 127.0.0.1: our client against `s_server`
//! and `s_client` against our server, for the TLS 1.2 RSA key-exchange
//! suites (which rustls does not have), the TLS 1.2 ECDHE suites and the
//! TLS 1.3 suites, each with application data checked both ways. Each
//! OpenSSL process is stopped by its pid when the case ends.

use handshake_tls::suites::{TLS12, TLS13};
use handshake_tls::{CipherSuite, Tls12Suite};

use super::support::{ours_client, ours_server, pki, pki_for, slug, LeafSpec};
use crate::check::{self, Checked};
use crate::peers::tls_tool::{ToolPeer, OPENSSL};
use crate::Case;

fn openssl_name(s: Tls12Suite) -> &'static str {
    use Tls12Suite as T;
    match s {
        T::RsaWithAes128CbcSha256 => "AES128-SHA256",
        T::RsaWithAes256CbcSha256 => "AES256-SHA256",
        T::RsaWithAes128GcmSha256 => "AES128-GCM-SHA256",
        T::RsaWithAes256GcmSha384 => "AES256-GCM-SHA384",
        T::EcdheEcdsaWithAes128GcmSha256 => "ECDHE-ECDSA-AES128-GCM-SHA256",
        T::EcdheEcdsaWithAes256GcmSha384 => "ECDHE-ECDSA-AES256-GCM-SHA384",
        T::EcdheEcdsaWithChaCha20Poly1305Sha256 => "ECDHE-ECDSA-CHACHA20-POLY1305",
        T::EcdheRsaWithAes128GcmSha256 => "ECDHE-RSA-AES128-GCM-SHA256",
        T::EcdheRsaWithAes256GcmSha384 => "ECDHE-RSA-AES256-GCM-SHA384",
        _ => "ECDHE-RSA-CHACHA20-POLY1305",
    }
}

fn tls12_case(suite: Tls12Suite, ours_is_client: bool) -> Checked {
    let p = pki_for(suite)?;
    let args = ["-tls1_2", "-cipher", openssl_name(suite)];
    let n = if ours_is_client {
        let (mut peer, port) = ToolPeer::server(&p.chain, &p.key_pkcs8, &args)?;
        let c = ours_client(&p, &mut peer, port, |cc| cc.tls12_suites = vec![suite])?;
        check::equal("version", c.protocol_version(), Some(TLS12))?;
        c.negotiated_tls12().cloned()
    } else {
        let s = ours_server(
            &p,
            |port| ToolPeer::client(&p.ca_der, port, &args),
            |sc| sc.tls12_suites = vec![suite],
        )?;
        check::equal("version", s.protocol_version(), Some(TLS12))?;
        s.negotiated_tls12().cloned()
    };
    let n = n.ok_or("no TLS 1.2 parameters")?;
    check::equal(
        "suite and extended master secret",
        (n.suite, n.extended_master_secret),
        (suite, true),
    )
}

fn tls13_case(suite: CipherSuite, ours_is_client: bool) -> Checked {
    let p = pki(&LeafSpec::default())?;
    let args = ["-tls1_3", "-ciphersuites", suite.name()];
    let n = if ours_is_client {
        let (mut peer, port) = ToolPeer::server(&p.chain, &p.key_pkcs8, &args)?;
        let c = ours_client(&p, &mut peer, port, |_| {})?;
        check::equal("version", c.protocol_version(), Some(TLS13))?;
        c.negotiated().cloned()
    } else {
        let s = ours_server(&p, |port| ToolPeer::client(&p.ca_der, port, &args), |_| {})?;
        check::equal("version", s.protocol_version(), Some(TLS13))?;
        s.negotiated().cloned()
    };
    check::equal("suite", n.map(|n| n.suite), Some(suite))
}

/// Our client against `openssl s_server -tls1_2` (tickets on by default)
/// twice: the second connection resumes the first's ticket (RFC 5077).
fn ticket_resumption() -> Checked {
    let suite = Tls12Suite::EcdheEcdsaWithAes128GcmSha256;
    let p = pki_for(suite)?;
    let (mut peer, port) = ToolPeer::server_for(&p.chain, &p.key_pkcs8, &["-tls1_2"], 2)?;
    let first = ours_client(&p, &mut peer, port, |cc| cc.tls12_session_tickets = true)?;
    let session = first
        .tls12_session()
        .cloned()
        .ok_or("s_server issued no ticket")?;
    let second = ours_client(&p, &mut peer, port, |cc| {
        cc.tls12_session_tickets = true;
        cc.tls12_session = Some(session);
    })?;
    check::equal(
        "resumed (first, second connection)",
        (
            first.negotiated_tls12().map(|n| n.resumed),
            second.negotiated_tls12().map(|n| n.resumed),
        ),
        (Some(false), Some(true)),
    )
}

/// The `tls.openssl.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for suite in Tls12Suite::ALL.iter().copied() {
        for ours_is_client in [true, false] {
            let side = if ours_is_client { "server" } else { "client" };
            let spec = if suite.is_forward_secret() {
                "RFC 5246 §7.3, §7.4; RFC 8422 §5.4; RFC 7627 §4"
            } else {
                "RFC 5246 §7.3, §7.4.7.1, §8.1; RFC 7627 §4"
            };
            v.push(
                Case::must(
                    format!("tls.openssl.s-{side}-tls12-{}", slug(suite.name())),
                    spec,
                )
                .needs(&[OPENSSL])
                .interop_peer(move |_| tls12_case(suite, ours_is_client)),
            );
        }
    }
    v.push(
        Case::must(
            "tls.openssl.s-server-tls12-ticket-resumption",
            "RFC 5077 §3.1-§3.4; RFC 5246 §7.3",
        )
        .needs(&[OPENSSL])
        .interop_peer(|_| ticket_resumption()),
    );
    for suite in CipherSuite::ALL {
        for ours_is_client in [true, false] {
            let side = if ours_is_client { "server" } else { "client" };
            v.push(
                Case::must(
                    format!("tls.openssl.s-{side}-tls13-{}", slug(suite.name())),
                    "RFC 8446 §2, §4, §5.2, §7.1",
                )
                .needs(&[OPENSSL])
                .interop_peer(move |_| tls13_case(suite, ours_is_client)),
            );
        }
    }
    v
}
