//! `tls.gnutls.*`: GnuTLS's `gnutls-cli` as an independent client of our
//! server over TCP on 127.0.0.1, for every TLS 1.2 suite (RSA key exchange
//! included) and every TLS 1.3 suite, with a line of application data each
//! way. The other direction, our client against `gnutls-serv`, is in
//! `serv.rs` (in a network namespace: `gnutls-serv` cannot be told to listen
//! on loopback only).

use handshake_tls::suites::{TLS12, TLS13};
use handshake_tls::tls12::suites::{BulkCipher, KeyExchange};
use handshake_tls::{CipherSuite, Tls12Suite};

use super::support::{ours_server, pki, pki_for, slug, LeafSpec};
use crate::check::{self, Checked};
use crate::peers::tls_tool::{ToolPeer, GNUTLS};
use crate::Case;

#[cfg(target_os = "linux")]
mod serv;

/// The GnuTLS priority string that allows exactly `suite`.
fn priority12(suite: Tls12Suite) -> String {
    let kx = match suite.kx() {
        KeyExchange::Rsa => "+RSA",
        KeyExchange::EcdheEcdsa => "+ECDHE-ECDSA",
        KeyExchange::EcdheRsa => "+ECDHE-RSA",
    };
    let (cipher, mac) = match suite.bulk() {
        BulkCipher::Aes128Gcm => ("+AES-128-GCM", "+AEAD"),
        BulkCipher::Aes256Gcm => ("+AES-256-GCM", "+AEAD"),
        BulkCipher::ChaCha20Poly1305 => ("+CHACHA20-POLY1305", "+AEAD"),
        BulkCipher::Aes128CbcSha256 => ("+AES-128-CBC", "+SHA256"),
        BulkCipher::Aes256CbcSha256 => ("+AES-256-CBC", "+SHA256"),
    };
    format!("NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:{kx}:-CIPHER-ALL:{cipher}:-MAC-ALL:{mac}")
}

fn tls12_case(suite: Tls12Suite) -> Checked {
    let p = pki_for(suite)?;
    let prio = priority12(suite);
    let s = ours_server(
        &p,
        |port| ToolPeer::gnutls_client(&p.ca_der, port, &prio),
        |sc| sc.tls12_suites = vec![suite],
    )?;
    check::equal("version", s.protocol_version(), Some(TLS12))?;
    let n = s
        .negotiated_tls12()
        .cloned()
        .ok_or("no TLS 1.2 parameters")?;
    check::equal(
        "suite and extended master secret",
        (n.suite, n.extended_master_secret),
        (suite, true),
    )
}

fn tls13_case(suite: CipherSuite) -> Checked {
    let p = pki(&LeafSpec::default())?;
    let cipher = match suite {
        CipherSuite::Aes128GcmSha256 => "+AES-128-GCM",
        CipherSuite::Aes256GcmSha384 => "+AES-256-GCM",
        _ => "+CHACHA20-POLY1305",
    };
    let prio = format!("NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:{cipher}");
    let s = ours_server(
        &p,
        |port| ToolPeer::gnutls_client(&p.ca_der, port, &prio),
        |_| {},
    )?;
    check::equal("version", s.protocol_version(), Some(TLS13))?;
    check::equal("suite", s.negotiated().map(|n| n.suite), Some(suite))
}

/// The `tls.gnutls.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for suite in Tls12Suite::ALL.iter().copied() {
        v.push(
            Case::must(
                format!("tls.gnutls.cli-tls12-{}", slug(suite.name())),
                "RFC 5246 §7.3, §7.4; RFC 7627 §4",
            )
            .needs(&[GNUTLS])
            .interop_peer(move |_| tls12_case(suite)),
        );
    }
    for suite in CipherSuite::ALL {
        v.push(
            Case::must(
                format!("tls.gnutls.cli-tls13-{}", slug(suite.name())),
                "RFC 8446 §2, §4, §5.2, §7.1",
            )
            .needs(&[GNUTLS])
            .interop_peer(move |_| tls13_case(suite)),
        );
    }
    #[cfg(target_os = "linux")]
    v.extend(serv::cases());
    v
}
