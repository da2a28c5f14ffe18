//! DNS messages: parse arbitrary bytes; whatever parses re-emits (compressed)
//! and parses back to the same message.
#![no_main]

use handshake_dns::wire::Message;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(msg) = Message::parse(data) else {
        return;
    };
    let bytes = msg.to_bytes().expect("a parsed message re-emits");
    assert_eq!(
        Message::parse(&bytes).expect("re-emitted message parses"),
        msg
    );
});
