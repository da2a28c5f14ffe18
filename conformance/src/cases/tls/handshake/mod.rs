//! `tls.handshake.*`: our client against our server in memory: the full
//! handshake with each certificate key type, HelloRetryRequest, KeyUpdate
//! and close_notify, and each failure with the exact alert RFC 8446 names.

use std::sync::Arc;

use handshake_tls::record::ContentType;
use handshake_tls::{AlertDescription as A, CertError, CipherSuite, Error, Event, NamedGroup};
use rcgen::ExtendedKeyUsagePurpose;

mod forged;
mod hybrid;
mod lifetime;

use super::support::{self, pair, pki, run_pair, send_one_way, Dir, KeyKind, LeafSpec};
use crate::check::{self, Checked};
use crate::Case;

fn s(e: impl ToString) -> String {
    e.to_string()
}

fn full(kind: KeyKind) -> Checked {
    let p = pki(&LeafSpec {
        kind,
        ..LeafSpec::default()
    })?;
    let (mut c, mut sv) = pair(&p, "localhost", |cc, sc| {
        cc.trace = true;
        sc.trace = true;
    })?;
    let run = run_pair(&mut c, &mut sv, |_, _| {});
    check::equal("errors", (run.client_err, run.server_err), (None, None))?;
    check::ensure(
        run.client_events.contains(&Event::HandshakeComplete),
        || "client did not complete".into(),
    )?;
    check::ensure(
        run.server_events.contains(&Event::HandshakeComplete),
        || "server did not complete".into(),
    )?;
    c.send(b"ping").map_err(s)?;
    sv.send(b"pong").map_err(s)?;
    let run = run_pair(&mut c, &mut sv, |_, _| {});
    check::equal(
        "server got",
        run.server_events,
        vec![Event::ApplicationData(b"ping".to_vec())],
    )?;
    check::equal(
        "client got",
        run.client_events,
        vec![Event::ApplicationData(b"pong".to_vec())],
    )?;
    let trace: Vec<String> = c.trace().iter().map(|l| l.to_string()).collect();
    check::ensure(
        trace.iter().any(|l| l.contains("derive \"c hs traffic\"")),
        || format!("trace lacks secret labels: {trace:?}"),
    )?;
    check::ensure(
        trace.iter().any(|l| l.contains("SAN localhost matched")),
        || format!("trace lacks the SAN: {trace:?}"),
    )
}

fn hello_retry() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |cc, sc| {
        cc.groups = vec![NamedGroup::X25519, NamedGroup::Secp256r1];
        sc.groups = vec![NamedGroup::Secp256r1];
    })?;
    let run = run_pair(&mut c, &mut sv, |_, _| {});
    check::equal("errors", (run.client_err, run.server_err), (None, None))?;
    let n = c.negotiated().cloned().ok_or("client did not finish")?;
    check::equal(
        "group and retry",
        (n.group, n.hello_retry),
        (NamedGroup::Secp256r1, true),
    )?;
    check::equal(
        "server agrees",
        sv.negotiated().map(|n| n.hello_retry),
        Some(true),
    )
}

fn key_update_and_close() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |_, _| {})?;
    run_pair(&mut c, &mut sv, |_, _| {});
    c.key_update(true).map_err(s)?;
    let run = send_one_way(
        &mut c,
        &mut sv,
        Dir::ToServer,
        b"after update",
        "server got",
    )?;
    check::equal("errors", (run.client_err, run.server_err), (None, None))?;
    send_one_way(
        &mut c,
        &mut sv,
        Dir::ToClient,
        b"server after its update",
        "client got",
    )?;
    // §6.1: close_notify, then anything after it is ignored.
    c.close();
    let mut bytes = c.poll_transmit().ok_or("no close_notify")?;
    sv.send(b"late").map_err(s)?;
    let late = sv.poll_transmit().ok_or("nothing sent")?;
    bytes.extend_from_slice(&late); // garbage after the alert
    sv.read_tls(&bytes).map_err(s)?;
    check::equal("server events", sv.poll_event(), Some(Event::Closed))?;
    check::equal("nothing after close", sv.poll_event(), None)
}

fn corrupted_tag() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |_, _| {})?;
    let mut done = false;
    let run = run_pair(&mut c, &mut sv, |dir, b| {
        if dir == Dir::ToClient && !done {
            done = true;
            let n = b.len();
            b[n - 1] ^= 0x01; // the last record's tag
        }
    });
    run.client_failed(|e| *e == Error::BadRecordMac, A::BadRecordMac)
}

fn over_limit() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |_, _| {})?;
    let run = run_pair(&mut c, &mut sv, |dir, b| {
        if dir == Dir::ToServer && b[0] == 22 {
            // A ClientHello record claiming 2^14 + 257 bytes.
            b[3..5].copy_from_slice(&((1u16 << 14) + 257).to_be_bytes());
        }
    });
    run.server_failed(
        |e| matches!(e, Error::RecordOverflow { .. }),
        A::RecordOverflow,
    )
}

fn duplicate_in_hello() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |_, _| {})?;
    let run = run_pair(&mut c, &mut sv, |dir, b| {
        if dir != Dir::ToServer || b[0] != 22 {
            return;
        }
        // Append a second supported_versions extension to the ClientHello.
        let mut hello = b[5..].to_vec();
        let ext = [0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04];
        let at = hello.len();
        hello.extend_from_slice(&ext);
        let _ = at;
        let body_len = hello.len() - 4;
        hello[1..4].copy_from_slice(&(body_len as u32).to_be_bytes()[1..]);
        // The extensions block length sits right before the first extension:
        // walk the fixed fields to find it.
        let sid = hello[4 + 34] as usize;
        let cs_at = 4 + 35 + sid;
        let cs = u16::from_be_bytes([hello[cs_at], hello[cs_at + 1]]) as usize;
        let cm_at = cs_at + 2 + cs;
        let ext_at = cm_at + 1 + hello[cm_at] as usize;
        let old = u16::from_be_bytes([hello[ext_at], hello[ext_at + 1]]) as usize;
        hello[ext_at..ext_at + 2].copy_from_slice(&((old + ext.len()) as u16).to_be_bytes());
        let mut rec = vec![22, 3, 3];
        rec.extend_from_slice(&(hello.len() as u16).to_be_bytes());
        rec.extend_from_slice(&hello);
        *b = rec;
    });
    run.server_failed(
        |e| *e == Error::DuplicateExtension { typ: 43 },
        A::IllegalParameter,
    )
}

fn no_common(suites: bool) -> Checked {
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |cc, sc| {
        if suites {
            cc.cipher_suites = vec![CipherSuite::Aes128GcmSha256];
            sc.cipher_suites = vec![CipherSuite::ChaCha20Poly1305Sha256];
        } else {
            cc.groups = vec![NamedGroup::X25519];
            sc.groups = vec![NamedGroup::Secp256r1];
        }
    })?;
    let run = run_pair(&mut c, &mut sv, |_, _| {});
    let want = if suites {
        Error::NoCommonCipherSuite
    } else {
        Error::NoCommonGroup
    };
    run.server_failed(|e| *e == want, A::HandshakeFailure)
}

fn cert_failure(spec: LeafSpec, name: &str, want: CertError, alert: A) -> Checked {
    let p = pki(&spec)?;
    let (mut c, mut sv) = pair(&p, name, |_, _| {})?;
    if want == CertError::UnknownIssuer {
        // Trust another CA than the one that issued the chain.
        let other = pki(&LeafSpec {
            ca_name: "Another CA",
            ..LeafSpec::default()
        })?;
        let cc = support::client_config(&other)?;
        c = handshake_tls::ClientConnection::new(
            Arc::new(cc),
            name,
            support::NOW,
            support::rng(11),
        )
        .map_err(s)?;
    }
    let run = run_pair(&mut c, &mut sv, |_, _| {});
    check::ensure(
        !run.client_events.contains(&Event::HandshakeComplete),
        || "client completed".into(),
    )?;
    run.client_failed(|e| *e == Error::Certificate(want.clone()), alert)
}

fn downgrade() -> Checked {
    let mut c = support::bare_client();
    let _ = c.poll_transmit();
    // A TLS 1.2 ServerHello (no supported_versions) whose random ends in the
    // sentinel a TLS 1.3 server puts there when it negotiates 1.2.
    let mut random = [7u8; 32];
    random[24..].copy_from_slice(b"DOWNGRD\x01");
    let sh = handshake_tls::msgs::HandshakeMessage::ServerHello(handshake_tls::msgs::ServerHello {
        legacy_version: 0x0303,
        random,
        session_id: Vec::new(),
        cipher_suite: 0xc02f,
        compression_method: 0,
        extensions: Vec::new(),
    })
    .encode();
    let mut rec = vec![22, 3, 3];
    rec.extend_from_slice(&(sh.len() as u16).to_be_bytes());
    rec.extend_from_slice(&sh);
    check::equal(
        "client error",
        c.read_tls(&rec).err(),
        Some(Error::Downgrade),
    )?;
    check::equal(
        "alert sent",
        c.poll_transmit(),
        Some(vec![21, 3, 3, 0, 2, 2, A::IllegalParameter.to_u8()]),
    )
}

fn unexpected() -> Checked {
    // A Finished where the server waits for a ClientHello.
    let mut sv = support::bare_server();
    let r = sv.read_tls(&[22, 3, 3, 0, 8, 20, 0, 0, 4, 1, 2, 3, 4]);
    check::ensure(
        matches!(
            r,
            Err(Error::UnexpectedMessage {
                got: "Finished",
                ..
            })
        ),
        || format!("server: {r:?}"),
    )?;
    check::equal(
        "server alert",
        sv.poll_transmit(),
        Some(vec![21, 3, 3, 0, 2, 2, A::UnexpectedMessage.to_u8()]),
    )?;
    // Application data before the handshake.
    let mut c = support::bare_client();
    let _ = c.poll_transmit();
    support::refuses_record(&mut c, "client", &[23, 3, 3, 0, 1, 0])
}

fn unoffered_suite() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |cc, _| {
        cc.cipher_suites = vec![CipherSuite::Aes128GcmSha256];
    })?;
    let run = run_pair(&mut c, &mut sv, |dir, b| {
        // ServerHello.cipher_suite: record header 5, message header 4,
        // version 2, random 32, empty session id 1.
        if dir == Dir::ToClient && b.len() > 46 && b[5] == 2 {
            b[44..46].copy_from_slice(&[0x13, 0x03]);
        }
    });
    run.client_failed(
        |e| matches!(e, Error::IllegalParameter { .. }),
        A::IllegalParameter,
    )
}

/// The ClientHello's legacy_compression_methods rewritten from [null] to
/// [null, DEFLATE]: acceptable in TLS 1.2 (null is there), not in a TLS 1.3
/// ClientHello, where the list must be exactly the null method.
fn compression_offered() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |_, _| {})?;
    let mut first = true;
    let run = run_pair(&mut c, &mut sv, |dir, b| {
        if dir != Dir::ToServer || !std::mem::take(&mut first) {
            return;
        }
        // Record header 5, handshake header 4, version 2, random 32, then
        // the session id, the suites and the compression methods.
        let sid = 43;
        let suites = sid + 1 + usize::from(b[sid]);
        let comp = suites + 2 + usize::from(u16::from_be_bytes([b[suites], b[suites + 1]]));
        if b[comp..comp + 2] != [1, 0] {
            return;
        }
        b.splice(comp..comp + 2, [2, 0, 1]);
        let rec = u16::from_be_bytes([b[3], b[4]]) + 1;
        b[3..5].copy_from_slice(&rec.to_be_bytes());
        let hs = u32::from_be_bytes([0, b[6], b[7], b[8]]) + 1;
        b[6..9].copy_from_slice(&hs.to_be_bytes()[1..]);
    });
    check::ensure(!first, || "no ClientHello went by".into())?;
    run.server_failed(
        |e| matches!(e, Error::IllegalParameter { .. }),
        A::IllegalParameter,
    )
}

/// The server signs its CertificateVerify with a key that is not its
/// certificate's: the client's check fails with decrypt_error.
fn wrong_signing_key() -> Checked {
    use rand::SeedableRng;
    let p = pki(&LeafSpec::default())?;
    let mut r = rand_chacha::ChaCha20Rng::seed_from_u64(31);
    let other =
        handshake_crypto::PrivateKey::P256(handshake_crypto::P256SecretKey::generate(&mut r));
    let (mut c, mut sv) = pair(&p, "localhost", |_, sc| sc.key = Arc::new(other))?;
    let run = run_pair(&mut c, &mut sv, |_, _| {});
    run.client_failed(|e| *e == Error::BadCertificateVerify, A::DecryptError)
}

fn changed_second_hello() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |cc, sc| {
        cc.groups = vec![NamedGroup::X25519, NamedGroup::Secp256r1];
        sc.groups = vec![NamedGroup::Secp256r1];
    })?;
    let mut hellos = 0;
    let run = run_pair(&mut c, &mut sv, |dir, b| {
        if dir == Dir::ToServer && b[0] == 22 {
            hellos += 1;
            if hellos == 2 {
                b[11] ^= 1; // the second ClientHello's random
            }
        }
    });
    check::equal("ClientHellos sent", hellos, 2)?;
    run.server_failed(
        |e| matches!(e, Error::IllegalParameter { .. }),
        A::IllegalParameter,
    )
}

/// The `tls.handshake.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let expired = LeafSpec {
        not_after_year: 2021,
        ..LeafSpec::default()
    };
    let client_auth = LeafSpec {
        eku: vec![ExtendedKeyUsagePurpose::ClientAuth],
        ..LeafSpec::default()
    };
    let not_ca = LeafSpec {
        via_intermediate: true,
        intermediate_is_ca: false,
        ..LeafSpec::default()
    };
    let wildcard = LeafSpec {
        names: vec!["*.example.test".into()],
        ..LeafSpec::default()
    };
    let mut cases = vec![
        Case::must("tls.handshake.full-ecdsa-p256", "RFC 8446 §2, §4.4.3")
            .simulation(|_| full(KeyKind::P256)),
        Case::must(
            "tls.handshake.full-ecdsa-p384",
            "RFC 8446 §4.2.3 (ecdsa_secp384r1_sha384), §4.4.3",
        )
        .simulation(|_| full(KeyKind::P384)),
        Case::must("tls.handshake.full-ed25519", "RFC 8446 §4.2.3, §4.4.3")
            .simulation(|_| full(KeyKind::Ed25519)),
        Case::must(
            "tls.handshake.full-rsa-pss",
            "RFC 8446 §4.2.3 (rsa_pss_rsae_*), §4.4.3",
        )
        .simulation(|_| full(KeyKind::Rsa2048)),
        Case::must(
            "tls.handshake.hello-retry-request",
            "RFC 8446 §4.1.4, §4.4.1",
        )
        .simulation(|_| hello_retry()),
        Case::must(
            "tls.handshake.key-update-and-close",
            "RFC 8446 §4.6.3, §6.1",
        )
        .simulation(|_| key_update_and_close()),
        Case::must(
            "tls.handshake.automatic-key-update",
            "RFC 8446 §5.5, §4.6.3",
        )
        .simulation(|_| lifetime::automatic_key_update()),
        Case::must("tls.handshake.data-after-close-ignored", "RFC 8446 §6.1")
            .simulation(|_| lifetime::data_after_close_ignored()),
        Case::must(
            "tls.handshake.corrupted-record-tag",
            "RFC 8446 §5.2 (bad_record_mac)",
        )
        .simulation(|_| corrupted_tag()),
        Case::must(
            "tls.handshake.record-over-limit",
            "RFC 8446 §5.2 (record_overflow)",
        )
        .simulation(|_| over_limit()),
        Case::must(
            "tls.handshake.duplicate-extension",
            "RFC 8446 §4.2 (illegal_parameter)",
        )
        .simulation(|_| duplicate_in_hello()),
        Case::must(
            "tls.handshake.no-common-suite",
            "RFC 8446 §4.1.1 (handshake_failure)",
        )
        .simulation(|_| no_common(true)),
        Case::must(
            "tls.handshake.no-common-group",
            "RFC 8446 §4.1.1 (handshake_failure)",
        )
        .simulation(|_| no_common(false)),
        Case::must(
            "tls.handshake.wrong-host-name",
            "RFC 9525 §6.3; RFC 8446 §6.2 (bad_certificate)",
        )
        .simulation(|_| {
            cert_failure(
                LeafSpec::default(),
                "other.test",
                CertError::NameMismatch("other.test".into()),
                A::BadCertificate,
            )
        }),
        Case::must("tls.handshake.wildcard-one-label", "RFC 9525 §6.3").simulation(move |_| {
            let p = pki(&wildcard)?;
            let (mut c, mut sv) = pair(&p, "www.example.test", |_, _| {})?;
            let run = run_pair(&mut c, &mut sv, |_, _| {});
            check::equal("www.example.test", run.client_err, None)?;
            cert_failure(
                wildcard.clone(),
                "a.b.example.test",
                CertError::NameMismatch("a.b.example.test".into()),
                A::BadCertificate,
            )
        }),
        Case::must(
            "tls.handshake.unknown-ca",
            "RFC 5280 §6.1; RFC 8446 §6.2 (unknown_ca)",
        )
        .simulation(|_| {
            cert_failure(
                LeafSpec::default(),
                "localhost",
                CertError::UnknownIssuer,
                A::UnknownCa,
            )
        }),
        Case::must(
            "tls.handshake.expired-leaf",
            "RFC 5280 §4.1.2.5; RFC 8446 §6.2 (certificate_expired)",
        )
        .simulation(move |_| {
            cert_failure(
                expired.clone(),
                "localhost",
                CertError::Expired,
                A::CertificateExpired,
            )
        }),
        Case::must(
            "tls.handshake.wrong-eku",
            "RFC 5280 §4.2.1.12; RFC 8446 §6.2 (unsupported_certificate)",
        )
        .simulation(move |_| {
            cert_failure(
                client_auth.clone(),
                "localhost",
                CertError::WrongExtendedKeyUsage,
                A::UnsupportedCertificate,
            )
        }),
        Case::must(
            "tls.handshake.intermediate-not-ca",
            "RFC 5280 §4.2.1.9; RFC 8446 §6.2 (bad_certificate)",
        )
        .simulation(move |_| {
            cert_failure(
                not_ca.clone(),
                "localhost",
                CertError::IssuerNotCa,
                A::BadCertificate,
            )
        }),
        Case::must(
            "tls.handshake.intermediate-chain",
            "RFC 5280 §6.1; RFC 8446 §4.4.2",
        )
        .simulation(|_| {
            let p = pki(&LeafSpec {
                via_intermediate: true,
                ..LeafSpec::default()
            })?;
            let (mut c, mut sv) = pair(&p, "localhost", |_, _| {})?;
            let run = run_pair(&mut c, &mut sv, |_, _| {});
            check::equal("errors", (run.client_err, run.server_err), (None, None))
        }),
        Case::must(
            "tls.handshake.downgrade-sentinel",
            "RFC 8446 §4.1.3 (illegal_parameter)",
        )
        .simulation(|_| downgrade()),
        Case::must(
            "tls.handshake.unoffered-suite",
            "RFC 8446 §4.1.3 (illegal_parameter)",
        )
        .simulation(|_| unoffered_suite()),
        Case::must(
            "tls.handshake.second-hello-changed",
            "RFC 8446 §4.1.2 (illegal_parameter)",
        )
        .simulation(|_| changed_second_hello()),
        Case::must(
            "tls.handshake.compression-offered-in-tls13",
            "RFC 8446 §4.1.2 (illegal_parameter)",
        )
        .simulation(|_| compression_offered()),
        Case::must(
            "tls.handshake.certificate-verify-wrong-key",
            "RFC 8446 §4.4.3 (decrypt_error)",
        )
        .simulation(|_| wrong_signing_key()),
        Case::must(
            "tls.handshake.unexpected-message",
            "RFC 8446 §5, §6.2 (unexpected_message)",
        )
        .simulation(|_| unexpected()),
        Case::must("tls.handshake.inner-type-hidden", "RFC 8446 §5.2").simulation(|_| {
            // Every record after ServerHello is application_data on the outside.
            let p = pki(&LeafSpec::default())?;
            let (mut c, mut sv) = pair(&p, "localhost", |_, _| {})?;
            let mut outer = Vec::new();
            run_pair(&mut c, &mut sv, |_, b| {
                outer.extend(support::records(b).iter().map(|r| r[0]))
            });
            check::equal(
                "outer types (CH, SH, then protected)",
                outer,
                vec![22, 22, 23, 23, 23, 23, 23],
            )?;
            check::equal(
                "ContentType",
                ContentType::from_u8(23).ok(),
                Some(ContentType::ApplicationData),
            )
        }),
    ];
    cases.extend(forged::cases());
    cases.extend(hybrid::cases());
    cases
}
