//! The TLS server machine fed arbitrary bytes as its input stream: it must
//! end in a clean wait or a typed error, never a panic or unbounded memory.
#![no_main]

use std::sync::Arc;

use handshake_crypto::{P256SecretKey, PrivateKey};
use handshake_tls::{ServerConfig, ServerConnection};
use libfuzzer_sys::fuzz_target;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

fuzz_target!(|data: &[u8]| {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let key = PrivateKey::P256(P256SecretKey::generate(&mut rng));
    let mut config = ServerConfig::new(vec![vec![0x30, 0]], &key.to_pkcs8_der()).expect("a P-256 key");
    // With a ticket key and the time, a pre_shared_key offer reaches the
    // ticket opening and binder check (RFC 8446 §4.2.11).
    config.set_tls12_ticket_key([7; 32]);
    let mut server = ServerConnection::new_at(
        Arc::new(config),
        1_767_225_600,
        Box::new(ChaCha20Rng::seed_from_u64(2)),
    )
    .expect("config");
    for chunk in data.chunks(97) {
        if server.read_tls(chunk).is_err() {
            break;
        }
    }
    let _ = server.poll_transmit();
});
