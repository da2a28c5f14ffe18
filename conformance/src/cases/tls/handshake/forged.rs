//! `tls.handshake.*` with the server's messages forged on the way: the
//! HelloRetryRequest and ServerHello in the clear, the protected flight
//! re-sealed under the handshake keys from the server's key log, and a
//! ClientHello carrying GREASE values; each failure with the exact alert
//! RFC 8446 names.

use std::sync::Arc;

use handshake_tls::record::{ContentType, Header, RecordKeys};
use handshake_tls::{
    AlertDescription as A, CipherSuite, ClientConnection, Error, NamedGroup, ServerConnection,
};

use super::super::support::{self, pair, pki, run_pair, Dir, LeafSpec, MemoryKeyLog};
use crate::check::{self, Checked};
use crate::Case;

/// A pair where the client's first key share (X25519) is not one the server
/// takes (secp256r1 only): the server answers with a HelloRetryRequest.
fn retrying_pair() -> Result<(ClientConnection, ServerConnection), String> {
    let p = pki(&LeafSpec::default())?;
    pair(&p, "localhost", |cc, sc| {
        cc.groups = vec![NamedGroup::X25519, NamedGroup::Secp256r1];
        sc.groups = vec![NamedGroup::Secp256r1];
    })
}

/// Where extension `typ`'s data starts in a ServerHello or
/// HelloRetryRequest record: after the record header 5, message header 4,
/// version 2, random 32, the echoed session id, suite 2, compression 1 and
/// the extensions' length 2.
fn hello_ext(rec: &[u8], typ: u16) -> Option<usize> {
    let mut at = 9 + 35 + usize::from(*rec.get(9 + 34)?) + 2 + 1 + 2;
    while at + 4 <= rec.len() {
        let len = usize::from(u16::from_be_bytes([rec[at + 2], rec[at + 3]]));
        if u16::from_be_bytes([rec[at], rec[at + 1]]) == typ {
            return Some(at + 4);
        }
        at += 4 + len;
    }
    None
}

/// The key_share extension (51).
const KEY_SHARE: u16 = 51;
/// X25519's NamedGroup code point (RFC 8446 §4.2.7).
const X25519: [u8; 2] = [0x00, 0x1d];

/// The server's first flight (its HelloRetryRequest) delivered again in
/// place of its ServerHello.
fn second_hello_retry() -> Checked {
    let (mut c, mut sv) = retrying_pair()?;
    let (mut flights, mut hrr) = (0, Vec::new());
    let run = run_pair(&mut c, &mut sv, |dir, b| {
        if dir == Dir::ToClient {
            flights += 1;
            match flights {
                1 => hrr = b.clone(),
                2 => *b = hrr.clone(),
                _ => {}
            }
        }
    });
    check::ensure(flights >= 2, || "no second server flight".into())?;
    run.client_failed(
        |e| e.alert() == Some(A::UnexpectedMessage),
        A::UnexpectedMessage,
    )
}

/// The HelloRetryRequest's selected_group changed to X25519, the group the
/// client already sent a share for, with no cookie: the retried
/// ClientHello would be the same.
fn hello_retry_without_change() -> Checked {
    let (mut c, mut sv) = retrying_pair()?;
    let mut edited = false;
    let run = run_pair(&mut c, &mut sv, |dir, b| {
        if dir == Dir::ToClient && !edited && hello_ext(b, 44).is_none() {
            if let Some(at) = hello_ext(b, KEY_SHARE) {
                b[at..at + 2].copy_from_slice(&X25519);
                edited = true;
            }
        }
    });
    check::ensure(edited, || "no cookie-less HelloRetryRequest to edit".into())?;
    run.client_failed(
        |e| e.alert() == Some(A::IllegalParameter),
        A::IllegalParameter,
    )
}

/// After a HelloRetryRequest for secp256r1, the ServerHello's key share
/// names X25519 instead.
fn server_hello_group_changed() -> Checked {
    let (mut c, mut sv) = retrying_pair()?;
    let (mut flights, mut edited) = (0, false);
    let run = run_pair(&mut c, &mut sv, |dir, b| {
        if dir == Dir::ToClient {
            flights += 1;
            if flights == 2 {
                if let Some(at) = hello_ext(b, KEY_SHARE) {
                    b[at..at + 2].copy_from_slice(&X25519);
                    edited = true;
                }
            }
        }
    });
    check::ensure(edited, || "no ServerHello after the retry".into())?;
    run.client_failed(
        |e| e.alert() == Some(A::IllegalParameter),
        A::IllegalParameter,
    )
}

/// Runs a pair (TLS_AES_128_GCM_SHA256) with the server's protected
/// handshake flight re-encrypted under the secret from its key log, each
/// record's inner type and content passed through `edit` on the way: an attacker who knew
/// the handshake keys but not the transcript.
fn server_flight_edited(
    mut edit: impl FnMut(&mut ContentType, &mut Vec<u8>),
) -> Result<support::Run, String> {
    let p = pki(&LeafSpec::default())?;
    let log = Arc::new(MemoryKeyLog::default());
    let l2 = log.clone();
    let (mut c, mut sv) = pair(&p, "localhost", move |cc, sc| {
        cc.cipher_suites = vec![CipherSuite::Aes128GcmSha256];
        sc.key_log = Some(l2);
    })?;
    let mut seen = false;
    let run = run_pair(&mut c, &mut sv, |dir, bytes| {
        if dir != Dir::ToClient || seen {
            return;
        }
        seen = true;
        let Some(secret) = log.get("SERVER_HANDSHAKE_TRAFFIC_SECRET") else {
            return;
        };
        let aead = CipherSuite::Aes128GcmSha256.aead();
        let hash = CipherSuite::Aes128GcmSha256.hash();
        let mut open = RecordKeys::from_secret(aead, hash, &secret);
        let mut seal = RecordKeys::from_secret(aead, hash, &secret);
        let mut out = Vec::new();
        for rec in support::records(bytes) {
            if rec[0] != 23 {
                out.extend_from_slice(&rec);
                continue;
            }
            let Ok(h) = Header::parse(&rec[..5]) else {
                return;
            };
            let Ok((mut typ, mut content)) = open.open(&h, rec[5..].to_vec()) else {
                return;
            };
            edit(&mut typ, &mut content);
            let Ok(r) = seal.seal(typ, &content, 0) else {
                return;
            };
            out.extend_from_slice(&r);
        }
        *bytes = out;
    });
    check::ensure(seen, || "no server flight".into())?;
    Ok(run)
}

/// The Finished's verify_data changed on the way.
fn tampered_finished() -> Checked {
    let run = server_flight_edited(|_, m| {
        if m.first() == Some(&20) {
            m[4] ^= 1; // the first verify_data byte
        }
    })?;
    run.client_failed(|e| *e == Error::BadFinished, A::DecryptError)
}

/// The server's Certificate message replaced by one with an empty
/// certificate_list (RFC 8446 §4.4.2: an empty request context, a
/// zero-length list).
fn empty_certificate() -> Checked {
    let mut replaced = false;
    let run = server_flight_edited(|_, m| {
        if m.first() == Some(&11) {
            *m = vec![11, 0, 0, 4, 0, 0, 0, 0];
            replaced = true;
        }
    })?;
    check::ensure(replaced, || "no Certificate went by".into())?;
    run.client_failed(|e| e.alert() == Some(A::DecodeError), A::DecodeError)
}

/// EncryptedExtensions carrying early_data (42), which the client did not
/// offer (RFC 8446 §4.2: extension responses only to requests).
fn unsolicited_extension() -> Checked {
    let mut added = false;
    let run = server_flight_edited(|_, m| {
        if m.first() == Some(&8) && m.len() >= 6 {
            let exts = u16::from_be_bytes([m[4], m[5]]) + 4;
            m[4..6].copy_from_slice(&exts.to_be_bytes());
            m.extend_from_slice(&[0, 42, 0, 0]);
            let body = m.len() as u32 - 4;
            m[1..4].copy_from_slice(&body.to_be_bytes()[1..]);
            added = true;
        }
    })?;
    check::ensure(added, || "no EncryptedExtensions went by".into())?;
    run.client_failed(
        |e| matches!(e, Error::UnsupportedExtension { .. }),
        A::UnsupportedExtension,
    )
}

/// The server's EncryptedExtensions record turned into a protected
/// change_cipher_spec (inner type 20, the value 0x01).
fn protected_change_cipher_spec() -> Checked {
    let mut changed = false;
    let run = server_flight_edited(|typ, m| {
        if *typ == ContentType::Handshake && m.first() == Some(&8) {
            *typ = ContentType::ChangeCipherSpec;
            *m = vec![1];
            changed = true;
        }
    })?;
    check::ensure(changed, || "no EncryptedExtensions went by".into())?;
    run.client_failed(
        |e| e.alert() == Some(A::UnexpectedMessage),
        A::UnexpectedMessage,
    )
}

/// A change_cipher_spec record whose value is not 1, after the ClientHello:
/// RFC 8446 §5 allows only the single byte 0x01 (sent for middlebox
/// compatibility).
fn bad_change_cipher_spec() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |_, _| {})?;
    let mut first = true;
    let run = run_pair(&mut c, &mut sv, |dir, b| {
        if dir == Dir::ToServer && std::mem::take(&mut first) {
            b.extend_from_slice(&[20, 3, 3, 0, 1, 2]);
        }
    });
    run.server_failed(
        |e| e.alert() == Some(A::UnexpectedMessage),
        A::UnexpectedMessage,
    )
}

/// Our ClientHello with values the server cannot know put first in each
/// list: a GREASE cipher suite (RFC 8701 §2: 0x0A0A), a GREASE extension
/// with no data (0x1A1A), a GREASE group in supported_groups (0x2A2A) and a
/// GREASE version in supported_versions (0x3A3A).
fn greased(record: &[u8]) -> Result<Vec<u8>, String> {
    let bad = || "not a ClientHello this editor reads".to_string();
    let body = record.get(9..).ok_or_else(bad)?;
    // version 2, random 32, session id.
    let sid_end = 35 + usize::from(*body.get(34).ok_or_else(bad)?);
    let suites_len = usize::from(u16::from_be_bytes([body[sid_end], body[sid_end + 1]]));
    let suites = body
        .get(sid_end + 2..sid_end + 2 + suites_len)
        .ok_or_else(bad)?;
    let comp_at = sid_end + 2 + suites_len;
    let comp_end = comp_at + 1 + usize::from(*body.get(comp_at).ok_or_else(bad)?);
    let mut exts = body.get(comp_end + 2..).ok_or_else(bad)?;

    let mut hello = body[..sid_end].to_vec();
    hello.extend_from_slice(&(suites_len as u16 + 2).to_be_bytes());
    hello.extend_from_slice(&[0x0a, 0x0a]);
    hello.extend_from_slice(suites);
    hello.extend_from_slice(&body[comp_at..comp_end]);
    let mut new_exts = vec![0x1a, 0x1a, 0, 0];
    while exts.len() >= 4 {
        let typ = u16::from_be_bytes([exts[0], exts[1]]);
        let len = usize::from(u16::from_be_bytes([exts[2], exts[3]]));
        let mut data = exts.get(4..4 + len).ok_or_else(bad)?.to_vec();
        exts = &exts[4 + len..];
        match typ {
            // supported_groups: a two-byte list length, then groups.
            10 => {
                let n = u16::from_be_bytes([data[0], data[1]]) + 2;
                data.splice(0..2, n.to_be_bytes().into_iter().chain([0x2a, 0x2a]));
            }
            // supported_versions: a one-byte list length, then versions.
            43 => {
                data[0] += 2;
                data.splice(1..1, [0x3a, 0x3a]);
            }
            _ => {}
        }
        new_exts.extend_from_slice(&typ.to_be_bytes());
        new_exts.extend_from_slice(&(data.len() as u16).to_be_bytes());
        new_exts.extend_from_slice(&data);
    }
    hello.extend_from_slice(&(new_exts.len() as u16).to_be_bytes());
    hello.extend_from_slice(&new_exts);
    let mut msg = vec![1];
    msg.extend_from_slice(&(hello.len() as u32).to_be_bytes()[1..]);
    msg.extend_from_slice(&hello);
    let mut out = record[..3].to_vec();
    out.extend_from_slice(&(msg.len() as u16).to_be_bytes());
    out.extend_from_slice(&msg);
    Ok(out)
}

/// RFC 8446 §9.3: a server "MUST correctly ignore all unrecognized cipher
/// suites, extensions, and other parameters": given a ClientHello with
/// GREASE values first in every list, our server answers with a ServerHello
/// choosing from what it knows.
fn unknown_parameters_ignored() -> Checked {
    let p = pki(&LeafSpec::default())?;
    let (mut c, mut sv) = pair(&p, "localhost", |_, _| {})?;
    let hello = c.poll_transmit().ok_or("no ClientHello")?;
    let greased = greased(&hello)?;
    check::ensure(greased.len() == hello.len() + 10, || {
        "the GREASE values did not all go in".into()
    })?;
    sv.read_tls(&greased).map_err(|e| e.to_string())?;
    let reply = sv.poll_transmit().ok_or("no reply to the ClientHello")?;
    check::equal("record type, handshake type", (reply[0], reply[5]), (22, 2))?;
    // ServerHello.cipher_suite after record header 5, message header 4,
    // version 2, random 32 and the echoed session id.
    let suite_at = 9 + 35 + usize::from(reply[9 + 34]);
    let suite = u16::from_be_bytes([reply[suite_at], reply[suite_at + 1]]);
    check::ensure([0x1301, 0x1302, 0x1303].contains(&suite), || {
        format!("server chose suite {suite:#06x}")
    })
}

/// The forged-message cases of `tls.handshake.*`.
pub(super) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "tls.handshake.tampered-finished",
            "RFC 8446 §4.4.4 (decrypt_error)",
        )
        .simulation(|_| tampered_finished()),
        Case::must(
            "tls.handshake.empty-certificate",
            "RFC 8446 §4.4.2.4 (decode_error)",
        )
        .simulation(|_| empty_certificate()),
        Case::must(
            "tls.handshake.unsolicited-extension",
            "RFC 8446 §4.2 (unsupported_extension)",
        )
        .simulation(|_| unsolicited_extension()),
        Case::must(
            "tls.handshake.change-cipher-spec-bad-value",
            "RFC 8446 §5 (unexpected_message)",
        )
        .simulation(|_| bad_change_cipher_spec()),
        Case::must(
            "tls.handshake.change-cipher-spec-protected",
            "RFC 8446 §5 (unexpected_message)",
        )
        .simulation(|_| protected_change_cipher_spec()),
        Case::must(
            "tls.handshake.second-hello-retry",
            "RFC 8446 §4.1.4 (unexpected_message)",
        )
        .simulation(|_| second_hello_retry()),
        Case::must(
            "tls.handshake.hello-retry-without-change",
            "RFC 8446 §4.1.4 (illegal_parameter)",
        )
        .simulation(|_| hello_retry_without_change()),
        Case::must(
            "tls.handshake.server-hello-group-changed",
            "RFC 8446 §4.2.8 (illegal_parameter)",
        )
        .simulation(|_| server_hello_group_changed()),
        Case::must(
            "tls.handshake.unknown-parameters-ignored",
            "RFC 8446 §9.3, §4.1.2; RFC 8701 §3",
        )
        .simulation(|_| unknown_parameters_ignored()),
    ]
}
