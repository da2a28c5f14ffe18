//! ML-KEM (FIPS 203 §7.2, §7.3), X25519MLKEM768 and SecP256r1MLKEM768 decoding
//! (draft-ietf-tls-ecdhe-mlkem §3.1): hostile bytes give a
//! typed error or a key, never a panic; whatever parses is usable (an accepted
//! encapsulation key encapsulates, and its own decapsulation key gets the secret
//! back; any ciphertext of the right length decapsulates).
#![no_main]

use handshake_crypto::mlkem::mlkem768::{Ciphertext, DecapsulationKey, EncapsulationKey};
use handshake_crypto::{secp256r1mlkem768, x25519mlkem768};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dk = DecapsulationKey::from_seed(&[1; 32], &[2; 32]);
    if let Ok(ek) = EncapsulationKey::from_bytes(data) {
        assert_eq!(ek.as_bytes()[..], data[..]);
        let (ct, _) = ek.encapsulate_deterministic(&[3; 32]);
        let _ = dk.decapsulate(&ct);
    }
    if let Ok(k) = DecapsulationKey::from_bytes(data) {
        let (ct, shared) = k.encapsulation_key().encapsulate_deterministic(&[4; 32]);
        // The key passed the hash check, not a consistency check of dk_PKE: only
        // decapsulation's not panicking is guaranteed.
        let _ = (k.decapsulate(&ct), shared);
    }
    if let Ok(c) = Ciphertext::from_bytes(data) {
        let _ = dk.decapsulate(&c);
    }
    let _ = x25519mlkem768::server_respond(data, &[5; 32], [6; 32]);
    let _ = secp256r1mlkem768::server_respond(data, &[5; 32], [6; 32]);
    if let Ok(c) = x25519mlkem768::Client::from_seeds(&[1; 32], &[2; 32], [3; 32]) {
        let _ = c.finish(data);
    }
    if let Ok(c) = secp256r1mlkem768::Client::from_seeds(&[1; 32], &[2; 32], [3; 32]) {
        let _ = c.finish(data);
    }
});
