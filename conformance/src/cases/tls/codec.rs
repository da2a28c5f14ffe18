//! `tls.codec.*`: handshake messages and extensions (RFC 8446 §4, §4.2)
//! parsed from RFC 8448's bytes, their rules, and arbitrary input.

use handshake_tls::extensions::{parse_block, Context, Extension};
use handshake_tls::msgs::HandshakeMessage;
use handshake_tls::Error;
use proptest::prelude::*;

use super::keys::{CLIENT_HELLO, SERVER_HELLO};
use crate::check::{self, unhex, Checked};
use crate::Level::Must;
use crate::{check_property, Case, Kind};

fn client_hello() -> Checked {
    let raw = unhex(CLIENT_HELLO);
    let msg = HandshakeMessage::parse(raw[0], &raw[4..]).map_err(|e| e.to_string())?;
    let HandshakeMessage::ClientHello(ch) = &msg else {
        return Err(format!("parsed as {}", msg.name()));
    };
    check::hex(
        "random",
        &ch.random,
        "cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7",
    )?;
    check::equal(
        "cipher_suites",
        ch.cipher_suites.clone(),
        vec![0x1301, 0x1303, 0x1302],
    )?;
    let share = ch.extensions.iter().find_map(|e| match e {
        Extension::KeyShares(s) => Some(s.clone()),
        _ => None,
    });
    check::equal(
        "key share groups",
        share.map(|s| s.iter().map(|e| e.group).collect::<Vec<_>>()),
        Some(vec![0x001d]),
    )?;
    check::equal(
        "server_name",
        ch.extensions.first().cloned(),
        Some(Extension::ServerName(Some(b"server".to_vec()))),
    )?;
    check::hex("re-encoded", &msg.encode(), CLIENT_HELLO)
}

fn server_hello() -> Checked {
    let raw = unhex(SERVER_HELLO);
    let msg = HandshakeMessage::parse(raw[0], &raw[4..]).map_err(|e| e.to_string())?;
    let HandshakeMessage::ServerHello(sh) = &msg else {
        return Err(format!("parsed as {}", msg.name()));
    };
    check::equal("cipher_suite", sh.cipher_suite, 0x1301)?;
    check::ensure(!sh.is_hrr(), || {
        "a ServerHello taken for a HelloRetryRequest".into()
    })?;
    check::equal(
        "supported_versions",
        sh.extensions.get(1).cloned(),
        Some(Extension::SelectedVersion(0x0304)),
    )?;
    check::hex("re-encoded", &msg.encode(), SERVER_HELLO)
}

fn duplicate() -> Checked {
    // supported_versions twice in one block.
    let block = unhex("002b000302030400 2b0003020304".replace(' ', "").as_str());
    check::equal(
        "duplicate in ClientHello",
        parse_block(&block, Context::ClientHello).err(),
        Some(Error::DuplicateExtension { typ: 43 }),
    )?;
    // An unknown type twice is a duplicate too.
    let block = unhex("fafa0000fafa0000");
    check::equal(
        "unknown type twice",
        parse_block(&block, Context::ClientHello).err(),
        Some(Error::DuplicateExtension { typ: 0xfafa }),
    )
}

fn placement() -> Checked {
    // §4.2: a recognized extension in a message the table does not list
    // for it is illegal_parameter; key_share is not for EncryptedExtensions.
    let block = unhex("003300020017");
    check::error(
        "key_share in EncryptedExtensions",
        parse_block(&block, Context::EncryptedExtensions),
        "illegal_parameter",
        |e| e.alert() == Some(handshake_tls::AlertDescription::IllegalParameter),
    )?;
    // An unknown extension is kept, not refused.
    let block = unhex("fafa0001ff");
    check::equal(
        "unknown in ClientHello",
        parse_block(&block, Context::ClientHello).ok(),
        Some(vec![Extension::Unknown {
            typ: 0xfafa,
            data: vec![0xff],
        }]),
    )
}

fn truncations() -> Checked {
    // Every proper prefix of the RFC ClientHello body is a decode_error but
    // one: ending right after the compression methods is a hello without
    // extensions (RFC 5246 §7.4.1.2), which parses.
    let raw = unhex(CLIENT_HELLO);
    let no_extensions = 2 + 32 + 1 + 2 + 6 + 2;
    for n in (0..raw.len() - 4).filter(|n| *n != no_extensions) {
        let r = HandshakeMessage::parse(1, &raw[4..4 + n]);
        match r {
            Err(Error::Decode { .. }) => {}
            other => return Err(format!("prefix of {n} bytes: {other:?}")),
        }
    }
    Ok(())
}

/// The `tls.codec.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut all = Case::table(
        Kind::Vector,
        &[
            (
                Must,
                "tls.codec.rfc8448-client-hello",
                "RFC 8446 §4.1.2; RFC 8448 §3",
                client_hello,
            ),
            (
                Must,
                "tls.codec.rfc8448-server-hello",
                "RFC 8446 §4.1.3; RFC 8448 §3",
                server_hello,
            ),
            (
                Must,
                "tls.codec.duplicate-extension",
                "RFC 8446 §4.2",
                duplicate,
            ),
            (
                Must,
                "tls.codec.extension-placement",
                "RFC 8446 §4.2",
                placement,
            ),
            (
                Must,
                "tls.codec.truncated-is-decode-error",
                "RFC 8446 §6.2 (decode_error)",
                truncations,
            ),
        ],
    );
    all.push(
        Case::must("tls.codec.arbitrary-bytes", "RFC 8446 §6.2; §5.1").property(|ctx| {
            check_property(
                ctx,
                (any::<u8>(), proptest::collection::vec(any::<u8>(), 0..600)),
                |(typ, body)| {
                    // Parsing never panics; what parses re-encodes to what parses again.
                    if let Ok(m) = HandshakeMessage::parse(typ, &body) {
                        let again = m.encode();
                        prop_assert_eq!(
                            HandshakeMessage::parse(again[0], &again[4..]).ok(),
                            Some(m)
                        );
                    }
                    // The TLS 1.2 shapes (CertificateRequest among them).
                    if let Ok(m) = HandshakeMessage::parse_tls12(typ, &body) {
                        let again = m.encode();
                        prop_assert_eq!(
                            HandshakeMessage::parse_tls12(again[0], &again[4..]).ok(),
                            Some(m)
                        );
                    }
                    // Either machine fed the bytes as a stream ends in a clean wait
                    // or a typed error with at most one alert record queued.
                    let mut s = super::support::bare_server();
                    let mut wire = vec![22, 3, 3];
                    wire.extend_from_slice(&(body.len() as u16).to_be_bytes());
                    wire.extend_from_slice(&body);
                    for input in [&body, &wire] {
                        let _ = s.read_tls(input);
                        if let Some(out) = s.poll_transmit() {
                            prop_assert!(out.len() == 7 && out[0] == 21, "server sent {:?}", out);
                        }
                    }
                    let mut c = super::support::bare_client();
                    let _ = c.poll_transmit();
                    let _ = c.read_tls(&wire);
                    let _ = c.read_tls(&body);
                    Ok(())
                },
            )
        }),
    );
    all
}
