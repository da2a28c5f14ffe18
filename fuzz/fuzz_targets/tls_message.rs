//! TLS handshake messages: parse arbitrary bytes as each message type;
//! whatever parses re-encodes and parses back to the same message.
#![no_main]

use handshake_tls::msgs::HandshakeMessage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&typ, body)) = data.split_first() else {
        return;
    };
    let Ok(msg) = HandshakeMessage::parse(typ, body) else {
        return;
    };
    let bytes = msg.encode();
    assert_eq!(
        HandshakeMessage::parse(bytes[0], &bytes[4..]).expect("re-encoded message parses"),
        msg
    );
});
