//! ECDSA signature DER and SEC 1 point parsing: hostile bytes give a typed error,
//! never a panic; whatever parses re-encodes to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(sig) = handshake_crypto::ecdsa_signature_from_der(data) {
        assert_eq!(handshake_crypto::ecdsa_signature_to_der(&sig), data);
    }
    if let Ok(key) = handshake_crypto::P256PublicKey::from_sec1_bytes(data) {
        let _ = key.verify::<handshake_crypto::Sha256>(b"fuzz", &[1u8; 64]);
    }
});
