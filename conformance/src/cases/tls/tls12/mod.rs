//! `tls.tls12.*`: our TLS 1.2 client against our TLS 1.2 server in memory:
//! a handshake and application data for every TLS 1.2 suite, version
//! negotiation with TLS 1.3 and the downgrade sentinel, and each failure
//! with the exact alert its RFC names.

mod forged;

use handshake_tls::suites::{TLS12, TLS13};
use handshake_tls::{
    AlertDescription as A, ClientConnection, Error, Event, ServerConnection, Tls12Suite,
};

use super::support::{self, pair, pki_for, run_pair, send_one_way, Dir, Pki, Run};
use crate::check::{self, Checked};
use crate::Level::Must;
use crate::{Case, Kind};

fn s(e: impl ToString) -> String {
    e.to_string()
}

/// A TLS 1.2-only pair with one suite enabled on both sides.
fn pair12(
    p: &Pki,
    suite: Tls12Suite,
    tweak: impl FnOnce(&mut handshake_tls::ClientConfig, &mut handshake_tls::ServerConfig),
) -> Result<(ClientConnection, ServerConnection), String> {
    pair(p, "localhost", |cc, sc| {
        cc.tls12_suites = vec![suite];
        sc.tls12_suites = vec![suite];
        sc.versions = vec![TLS12];
        tweak(cc, sc);
    })
}

/// Handshake, then 40 KiB each way (several records), checked.
fn exchange(c: &mut ClientConnection, sv: &mut ServerConnection) -> Checked {
    let run = run_pair(c, sv, |_, _| {});
    run.completed("handshake")?;
    let up: Vec<u8> = (0..40_000u32).map(|i| (i * 7) as u8).collect();
    let down: Vec<u8> = (0..40_000u32).map(|i| (i * 13 + 1) as u8).collect();
    c.send(&up).map_err(s)?;
    sv.send(&down).map_err(s)?;
    let run = run_pair(c, sv, |_, _| {});
    let joined = |ev: &[Event]| -> Vec<u8> {
        ev.iter()
            .filter_map(|e| match e {
                Event::ApplicationData(d) => Some(d.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    };
    check::ensure(joined(&run.server_events) == up, || {
        "server did not receive the client's 40 KiB".into()
    })?;
    check::ensure(joined(&run.client_events) == down, || {
        "client did not receive the server's 40 KiB".into()
    })
}

fn suite_case(suite: Tls12Suite) -> Checked {
    let p = pki_for(suite)?;
    // Enabled by name, as a configuration would (the RSA key exchange is
    // off by default).
    let by_name = Tls12Suite::from_name(suite.name()).ok_or("suite not found by its name")?;
    let (mut c, mut sv) = pair12(&p, suite, |cc, _| cc.tls12_suites = vec![by_name])?;
    exchange(&mut c, &mut sv)?;
    let n = c
        .negotiated_tls12()
        .cloned()
        .ok_or("client: no TLS 1.2 parameters")?;
    check::equal("client's suite", n.suite, suite)?;
    check::equal(
        "server's suite",
        sv.negotiated_tls12().map(|n| n.suite),
        Some(suite),
    )?;
    check::equal(
        "extended master secret and secure renegotiation",
        (n.extended_master_secret, n.secure_renegotiation),
        (true, true),
    )?;
    check::equal(
        "version",
        (c.protocol_version(), sv.protocol_version()),
        (Some(TLS12), Some(TLS12)),
    )
}

/// Runs an ECDHE_ECDSA AES-128-GCM pair, configured by `tweak`, whose wire
/// `tamper` changes: the caller checks which side failed, how, and the alert
/// the other received ([`Run::server_failed`], [`Run::client_failed`]).
fn tampered12(
    tweak: impl FnOnce(&mut handshake_tls::ClientConfig, &mut handshake_tls::ServerConfig),
    tamper: impl FnMut(Dir, &mut Vec<u8>),
) -> Result<Run, String> {
    let p = pki_for(ECDSA128)?;
    let (mut c, mut sv) = pair12(&p, ECDSA128, tweak)?;
    Ok(run_pair(&mut c, &mut sv, tamper))
}

/// Replaces the first occurrence of `from` with `to` (same length) in the
/// first flight that holds it, once.
fn replace_once(from: Vec<u8>, to: Vec<u8>, dir: Dir) -> impl FnMut(Dir, &mut Vec<u8>) {
    let mut done = false;
    move |d, b| {
        if done || d != dir {
            return;
        }
        if let Some(at) = b.windows(from.len()).position(|w| w == from) {
            b[at..at + to.len()].copy_from_slice(&to);
            done = true;
        }
    }
}

const ECDSA128: Tls12Suite = Tls12Suite::EcdheEcdsaWithAes128GcmSha256;

fn unoffered_suite() -> Checked {
    // The ServerHello's suite rewritten to one the client did not offer.
    tampered12(
        |_, _| {},
        replace_once(
            vec![0x00, 0xc0, 0x2b, 0x00],
            vec![0x00, 0xc0, 0x2c, 0x00],
            Dir::ToClient,
        ),
    )?
    .client_failed(
        |e| matches!(e, Error::IllegalParameter { .. }),
        A::IllegalParameter,
    )
}

/// The extended_master_secret extension (type 23, empty) renamed to an
/// unknown type 0xfafa in the ClientHello: the server no longer sees it.
fn strip_ems() -> impl FnMut(Dir, &mut Vec<u8>) {
    replace_once(
        vec![0x00, 0x17, 0x00, 0x00],
        vec![0xfa, 0xfa, 0x00, 0x00],
        Dir::ToServer,
    )
}

fn ems_required_server() -> Checked {
    tampered12(|_, _| {}, strip_ems())?.server_failed(
        |e| *e == Error::MissingExtendedMasterSecret,
        A::HandshakeFailure,
    )
}

fn ems_required_client() -> Checked {
    tampered12(
        |_, sc| sc.require_extended_master_secret = false,
        strip_ems(),
    )?
    .client_failed(
        |e| *e == Error::MissingExtendedMasterSecret,
        A::HandshakeFailure,
    )
}

fn finished_mismatch() -> Checked {
    // Without the extended master secret (both sides allow it) the keys
    // depend only on the randoms and the pre-master secret, so a changed
    // ClientHello byte goes unnoticed until Finished: the transcripts differ
    // and the server's check of the client's verify_data fails.
    tampered12(
        |cc, sc| {
            cc.require_extended_master_secret = false;
            sc.require_extended_master_secret = false;
        },
        strip_ems(),
    )?
    .server_failed(|e| *e == Error::BadFinished, A::DecryptError)
}

fn bad_record_mac(suite: Tls12Suite) -> Checked {
    let p = pki_for(suite)?;
    let (mut c, mut sv) = pair12(&p, suite, |_, _| {})?;
    let run = run_pair(&mut c, &mut sv, |_, _| {});
    check::equal("handshake", (run.client_err, run.server_err), (None, None))?;
    c.send(b"a record that will be damaged").map_err(s)?;
    let run = run_pair(&mut c, &mut sv, |d, b| {
        if d == Dir::ToServer {
            let n = b.len();
            b[n - 1] ^= 0x80;
        }
    });
    run.server_failed(|e| *e == Error::BadRecordMac, A::BadRecordMac)
}

fn version_negotiation() -> Checked {
    // Both sides do both versions: TLS 1.3 (RFC 8446 §4.2.1).
    let p = pki_for(ECDSA128)?;
    let (mut c, mut sv) = pair(&p, "localhost", |_, _| {})?;
    let run = run_pair(&mut c, &mut sv, |_, _| {});
    check::equal("errors", (run.client_err, run.server_err), (None, None))?;
    check::equal("1.3 when both can", c.protocol_version(), Some(TLS13))?;
    // A TLS 1.2-only server: TLS 1.2, and no sentinel (it is not a TLS 1.3
    // server), so the TLS 1.3-capable client accepts.
    let (mut c, mut sv) = pair(&p, "localhost", |_, sc| sc.versions = vec![TLS12])?;
    let run = run_pair(&mut c, &mut sv, |_, _| {});
    check::equal("errors", (run.client_err, run.server_err), (None, None))?;
    check::equal("1.2 with a 1.2 server", c.protocol_version(), Some(TLS12))
}

fn sentinel_set() -> Checked {
    // A TLS 1.3-capable server that negotiates TLS 1.2 (the client offers
    // only 1.2) ends ServerHello.random with "DOWNGRD" 01 (RFC 8446 §4.1.3).
    let p = pki_for(ECDSA128)?;
    let (mut c, mut sv) = pair(&p, "localhost", |cc, _| cc.versions = vec![TLS12])?;
    let mut server_hello_random = None;
    let run = run_pair(&mut c, &mut sv, |d, b| {
        if d == Dir::ToClient && server_hello_random.is_none() && b.len() > 43 && b[5] == 2 {
            // record header (5), handshake header (4), version (2), random (32)
            server_hello_random = Some(b[11..43].to_vec());
        }
    });
    check::equal("errors", (run.client_err, run.server_err), (None, None))?;
    let r = server_hello_random.ok_or("no ServerHello seen")?;
    check::equal(
        "last 8 bytes of ServerHello.random",
        &r[24..],
        b"DOWNGRD\x01",
    )
}

fn sentinel_detected() -> Checked {
    // An attacker edits the ClientHello's supported_versions from
    // {1.3, 1.2} to {1.2, 1.2}; the TLS 1.3 server answers with TLS 1.2 and
    // the sentinel, which the TLS 1.3 client detects (RFC 8446 §4.1.3).
    let p = pki_for(ECDSA128)?;
    let (mut c, mut sv) = pair(&p, "localhost", |_, _| {})?;
    let mut tamper = replace_once(
        vec![0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03],
        vec![0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x03, 0x03, 0x03],
        Dir::ToServer,
    );
    let run = run_pair(&mut c, &mut sv, |d, b| tamper(d, b));
    run.client_failed(|e| *e == Error::Downgrade, A::IllegalParameter)
}

fn rsa_kx_off_by_default() -> Checked {
    let cc = handshake_tls::ClientConfig::new(Vec::new());
    check::ensure(
        cc.tls12_suites.iter().all(|s| s.is_forward_secret()),
        || {
            format!(
                "default client suites include RSA key exchange: {:?}",
                cc.tls12_suites
            )
        },
    )?;
    // A server with an RSA key and default suites facing a client that
    // offers only RSA key exchange: no suite in common.
    let suite = Tls12Suite::RsaWithAes128GcmSha256;
    let p = pki_for(suite)?;
    let (mut c, mut sv) = pair(&p, "localhost", |cc, sc| {
        cc.tls12_suites = vec![suite];
        cc.versions = vec![TLS12];
        sc.versions = vec![TLS12];
    })?;
    let run = run_pair(&mut c, &mut sv, |_, _| {});
    run.server_failed(|e| *e == Error::NoCommonCipherSuite, A::HandshakeFailure)
}

/// Changes the first handshake record of type `msg` going `dir` with `f`
/// (on the whole record, header included).
fn edit_message(dir: Dir, msg: u8, mut f: impl FnMut(&mut [u8])) -> impl FnMut(Dir, &mut Vec<u8>) {
    let mut done = false;
    move |d, b| {
        if done || d != dir {
            return;
        }
        let mut at = 0;
        while at + 5 < b.len() {
            let len = u16::from_be_bytes([b[at + 3], b[at + 4]]) as usize;
            let end = (at + 5 + len).min(b.len());
            if b[at] == 22 && b[at + 5] == msg {
                f(&mut b[at..end]);
                done = true;
                return;
            }
            at = end;
        }
    }
}

fn renegotiation_info_not_empty(server_checks: bool) -> Checked {
    // renegotiation_info (ff01) with data 00 (an empty
    // renegotiated_connection) rewritten to 01: a non-empty one.
    let dir = if server_checks {
        Dir::ToServer
    } else {
        Dir::ToClient
    };
    let run = tampered12(
        |_, _| {},
        replace_once(
            vec![0xff, 0x01, 0x00, 0x01, 0x00],
            vec![0xff, 0x01, 0x00, 0x01, 0x01],
            dir,
        ),
    )?;
    if server_checks {
        run.server_failed(|e| *e == Error::BadRenegotiationInfo, A::HandshakeFailure)
    } else {
        run.client_failed(|e| *e == Error::BadRenegotiationInfo, A::HandshakeFailure)
    }
}

fn bad_ske_signature() -> Checked {
    // The last byte of the ServerKeyExchange (inside the ECDSA signature).
    tampered12(
        |_, _| {},
        edit_message(Dir::ToClient, 12, |r| {
            let n = r.len();
            r[n - 1] ^= 0x01;
        }),
    )?
    .client_failed(|e| *e == Error::BadKeyExchangeSignature, A::DecryptError)
}

fn ske_curve_not_offered() -> Checked {
    // ServerECDHParams: curve_type 3, then the curve; rewritten to
    // secp384r1 (0x0018), which the client did not offer.
    tampered12(
        |cc, _| cc.groups = vec![handshake_tls::NamedGroup::X25519],
        edit_message(Dir::ToClient, 12, |r| {
            // header (5) + handshake header (4): curve_type at 9.
            r[10] = 0x00;
            r[11] = 0x18;
        }),
    )?
    .client_failed(
        |e| matches!(e, Error::IllegalParameter { .. }),
        A::IllegalParameter,
    )
}

fn key_does_not_fit_suite() -> Checked {
    // The client offers ECDHE_ECDSA and ECDHE_RSA; the ServerHello's
    // ECDHE_ECDSA suite rewritten to ECDHE_RSA, with a P-256 certificate.
    tampered12(
        |cc, _| {
            cc.tls12_suites = vec![ECDSA128, Tls12Suite::EcdheRsaWithAes128GcmSha256];
        },
        replace_once(
            vec![0x00, 0xc0, 0x2b, 0x00],
            vec![0x00, 0xc0, 0x2f, 0x00],
            Dir::ToClient,
        ),
    )?
    .client_failed(
        |e| *e == Error::Certificate(handshake_tls::CertError::UnsupportedAlgorithm),
        A::UnsupportedCertificate,
    )
}

/// A full handshake that issues a ticket, then a connection resuming it
/// (with `edit` applied to the session first): the second pair's
/// (client, server) resumed flags, and the outer record types of the second
/// server flight.
fn resume_with(
    edit: impl FnOnce(&mut handshake_tls::tls12::Tls12Session),
) -> Result<((bool, bool), Vec<u8>), String> {
    let p = pki_for(ECDSA128)?;
    let (mut c, mut sv) = pair12(&p, ECDSA128, move |cc, sc| {
        cc.tls12_session_tickets = true;
        sc.set_tls12_ticket_key([7; 32]);
    })?;
    exchange(&mut c, &mut sv)?;
    let first = c.negotiated_tls12().map(|n| n.resumed);
    check::equal("first connection resumed", first, Some(false))?;
    let mut session = c.tls12_session().cloned().ok_or("no ticket received")?;
    edit(&mut session);
    let (mut c, mut sv) = pair12(&p, ECDSA128, move |cc, sc| {
        cc.tls12_session_tickets = true;
        cc.tls12_session = Some(session);
        sc.set_tls12_ticket_key([7; 32]);
    })?;
    let mut server_flight = None;
    let run = run_pair(&mut c, &mut sv, |d, b| {
        if d == Dir::ToClient && server_flight.is_none() {
            server_flight = Some(
                support::records(b)
                    .iter()
                    .map(|r| r[0])
                    .collect::<Vec<u8>>(),
            );
        }
    });
    run.completed("second handshake")?;
    send_one_way(
        &mut c,
        &mut sv,
        Dir::ToServer,
        b"after resumption",
        "data after resumption",
    )?;
    let flags = (
        c.negotiated_tls12().map(|n| n.resumed).unwrap_or(false),
        sv.negotiated_tls12().map(|n| n.resumed).unwrap_or(false),
    );
    Ok((flags, server_flight.unwrap_or_default()))
}

fn ticket_resumption() -> Checked {
    let (flags, flight) = resume_with(|_| {})?;
    check::equal("resumed (client, server)", flags, (true, true))?;
    // RFC 5246 §7.3: ServerHello, ChangeCipherSpec, Finished; no
    // Certificate, no key exchange.
    check::equal(
        "second server flight's record types",
        flight,
        vec![22, 20, 22],
    )
}

fn ticket_tampered() -> Checked {
    // RFC 5077 §3.4: a ticket that does not verify is not used; the server
    // goes on with a full handshake.
    let (flags, _) = resume_with(|s| {
        let n = s.ticket.len();
        s.ticket[n - 1] ^= 1;
    })?;
    check::equal("resumed (client, server)", flags, (false, false))
}

fn early_change_cipher_spec() -> Checked {
    // A ChangeCipherSpec before the ClientKeyExchange: the server has no
    // keys to switch to (RFC 5246 §7.1: unexpected_message).
    let p = pki_for(ECDSA128)?;
    let (mut c, mut sv) = pair12(&p, ECDSA128, |_, _| {})?;
    let hello = c.poll_transmit().ok_or("no ClientHello")?;
    sv.read_tls(&hello).map_err(s)?;
    let _ = sv.poll_transmit();
    support::refuses_record(&mut sv, "server", &[20, 3, 3, 0, 1, 1])
}

fn compression_without_null() -> Checked {
    // The ClientHello's compression_methods (01 00: one method, null)
    // rewritten to (01 01: DEFLATE only), right after the cipher suites.
    let suite_then_compression = vec![0xc0, 0x2b, 0x01, 0x00];
    tampered12(
        |cc, _| cc.versions = vec![TLS12],
        replace_once(
            suite_then_compression,
            vec![0xc0, 0x2b, 0x01, 0x01],
            Dir::ToServer,
        ),
    )?
    .server_failed(
        |e| matches!(e, Error::IllegalParameter { .. }),
        A::IllegalParameter,
    )
}

macro_rules! suite_cases {
    ($($id:literal => $suite:ident, $spec:literal;)*) => {
        vec![$(
            Case::must($id, $spec).simulation(|_| suite_case(Tls12Suite::$suite)),
        )*]
    };
}

pub(crate) fn cases() -> Vec<Case> {
    let mut v = suite_cases! {
        "tls.tls12.rsa-aes128-cbc-sha256" => RsaWithAes128CbcSha256, "RFC 5246 §7.4.7.1, §6.2.3.2";
        "tls.tls12.rsa-aes256-cbc-sha256" => RsaWithAes256CbcSha256, "RFC 5246 §7.4.7.1, §6.2.3.2";
        "tls.tls12.rsa-aes128-gcm-sha256" => RsaWithAes128GcmSha256, "RFC 5288 §3; RFC 5246 §7.4.7.1";
        "tls.tls12.rsa-aes256-gcm-sha384" => RsaWithAes256GcmSha384, "RFC 5288 §3; RFC 5246 §7.4.7.1";
        "tls.tls12.ecdhe-ecdsa-aes128-gcm-sha256" => EcdheEcdsaWithAes128GcmSha256, "RFC 5289 §3.2; RFC 8422 §5.4";
        "tls.tls12.ecdhe-ecdsa-aes256-gcm-sha384" => EcdheEcdsaWithAes256GcmSha384, "RFC 5289 §3.2; RFC 8422 §5.4";
        "tls.tls12.ecdhe-ecdsa-chacha20-poly1305" => EcdheEcdsaWithChaCha20Poly1305Sha256, "RFC 7905 §2";
        "tls.tls12.ecdhe-rsa-aes128-gcm-sha256" => EcdheRsaWithAes128GcmSha256, "RFC 5289 §3.2; RFC 8422 §5.4";
        "tls.tls12.ecdhe-rsa-aes256-gcm-sha384" => EcdheRsaWithAes256GcmSha384, "RFC 5289 §3.2; RFC 8422 §5.4";
        "tls.tls12.ecdhe-rsa-chacha20-poly1305" => EcdheRsaWithChaCha20Poly1305Sha256, "RFC 7905 §2";
    };
    v.extend(Case::table(
        Kind::Simulation,
        &[
            (
                Must,
                "tls.tls12.unoffered-suite",
                "RFC 5246 §7.4.1.3 (illegal_parameter)",
                unoffered_suite,
            ),
            (
                Must,
                "tls.tls12.ems-required-by-server",
                "RFC 7627 §5.3 (handshake_failure)",
                ems_required_server,
            ),
            (
                Must,
                "tls.tls12.ems-required-by-client",
                "RFC 7627 §5.2 (handshake_failure)",
                ems_required_client,
            ),
            (
                Must,
                "tls.tls12.finished-mismatch",
                "RFC 5246 §7.4.9 (decrypt_error)",
                finished_mismatch,
            ),
            (
                Must,
                "tls.tls12.bad-record-mac-gcm",
                "RFC 5246 §6.2.3.3, §7.2.2 (bad_record_mac)",
                || bad_record_mac(Tls12Suite::EcdheEcdsaWithAes128GcmSha256),
            ),
            (
                Must,
                "tls.tls12.bad-record-mac-cbc",
                "RFC 5246 §6.2.3.2, §7.2.2 (bad_record_mac)",
                || bad_record_mac(Tls12Suite::RsaWithAes128CbcSha256),
            ),
            (
                Must,
                "tls.tls12.version-negotiation",
                "RFC 8446 §4.2.1; RFC 5246 Appendix E.1",
                version_negotiation,
            ),
            (
                Must,
                "tls.tls12.downgrade-sentinel-set",
                "RFC 8446 §4.1.3",
                sentinel_set,
            ),
            (
                Must,
                "tls.tls12.downgrade-sentinel-detected",
                "RFC 8446 §4.1.3 (illegal_parameter)",
                sentinel_detected,
            ),
            (
                Must,
                "tls.tls12.renegotiation-info-not-empty-server",
                "RFC 5746 §3.6 (handshake_failure)",
                || renegotiation_info_not_empty(true),
            ),
            (
                Must,
                "tls.tls12.renegotiation-info-not-empty-client",
                "RFC 5746 §3.4 (handshake_failure)",
                || renegotiation_info_not_empty(false),
            ),
            (
                Must,
                "tls.tls12.bad-server-key-exchange-signature",
                "RFC 5246 §7.4.3, §7.2.2 (decrypt_error)",
                bad_ske_signature,
            ),
            (
                Must,
                "tls.tls12.server-key-exchange-curve-not-offered",
                "RFC 8422 §5.4 (illegal_parameter)",
                ske_curve_not_offered,
            ),
            (
                Must,
                "tls.tls12.certificate-does-not-fit-suite",
                "RFC 5246 §7.4.2 (unsupported_certificate)",
                key_does_not_fit_suite,
            ),
            (
                Must,
                "tls.tls12.ticket-resumption",
                "RFC 5077 §3.1, §3.3, §3.4; RFC 5246 §7.3",
                ticket_resumption,
            ),
            (
                Must,
                "tls.tls12.ticket-tampered-full-handshake",
                "RFC 5077 §3.4",
                ticket_tampered,
            ),
            (
                Must,
                "tls.tls12.early-change-cipher-spec",
                "RFC 5246 §7.1 (unexpected_message)",
                early_change_cipher_spec,
            ),
            (
                Must,
                "tls.tls12.compression-without-null",
                "RFC 5246 §7.4.1.2 (illegal_parameter)",
                compression_without_null,
            ),
            (
                Must,
                "tls.tls12.rsa-kx-off-by-default",
                "RFC 9325 §4.1",
                rsa_kx_off_by_default,
            ),
        ],
    ));
    v.extend(forged::cases());
    v
}
