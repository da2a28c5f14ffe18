//! TLS handshake messages: parse arbitrary bytes as each message type;
//! whatever parses re-encodes and parses back to the same message.
#![no_main]

use handshake_tls::extensions::{typ as ext_type, Context, Extension};
use handshake_tls::msgs::HandshakeMessage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&typ, body)) = data.split_first() else {
        return;
    };
    // pre_shared_key (RFC 8446 §4.2.11) straight from the bytes: it sits
    // deep in a ClientHello, where random input seldom reaches.
    let ctx = if typ & 1 == 0 { Context::ClientHello } else { Context::ServerHello };
    if let Ok(e) = Extension::parse(ext_type::PRE_SHARED_KEY, body, ctx) {
        let mut out = Vec::new();
        e.emit(&mut out);
        assert_eq!(
            Extension::parse(ext_type::PRE_SHARED_KEY, &out[4..], ctx).expect("re-encoded pre_shared_key parses"),
            e
        );
    }
    // The TLS 1.2 shapes (CertificateRequest among them) round-trip too.
    if let Ok(m) = HandshakeMessage::parse_tls12(typ, body) {
        let bytes = m.encode();
        assert_eq!(
            HandshakeMessage::parse_tls12(bytes[0], &bytes[4..]).expect("re-encoded TLS 1.2 message parses"),
            m
        );
    }
    let Ok(msg) = HandshakeMessage::parse(typ, body) else {
        return;
    };
    let bytes = msg.encode();
    assert_eq!(
        HandshakeMessage::parse(bytes[0], &bytes[4..]).expect("re-encoded message parses"),
        msg
    );
});
