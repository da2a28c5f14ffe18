//! The TLS client machine fed arbitrary bytes as the server's stream, after it
//! sent its ClientHello (TLS 1.3 and 1.2 offered, resumption on): it must end
//! in a clean wait or a typed error, never a panic or unbounded memory.
#![no_main]

use std::sync::Arc;

use handshake_tls::{ClientConfig, ClientConnection};
use libfuzzer_sys::fuzz_target;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

fuzz_target!(|data: &[u8]| {
    let config = Arc::new(ClientConfig::new(Vec::new()));
    let mut client = ClientConnection::new(
        config,
        "example.com",
        1_767_225_600,
        Box::new(ChaCha20Rng::seed_from_u64(3)),
    )
    .expect("config");
    while client.poll_transmit().is_some() {}
    for chunk in data.chunks(61) {
        if client.read_tls(chunk).is_err() {
            break;
        }
        while client.poll_transmit().is_some() {}
    }
});
