//! Signature verification on hostile input: arbitrary signatures and messages
//! under a valid P-256 key (derived from the input, so the variable-time
//! verification really runs) and under arbitrary Ed25519 key bytes give Ok or a
//! typed error, never a panic; the P1363 and DER forms of one ECDSA signature get
//! the same verdict, and a signature we make verifies.
#![no_main]

use handshake_crypto::{ecdsa_signature_to_der, Ed25519VerifyingKey, P256SecretKey, Sha256};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 32 + 64 {
        return;
    }
    let (key, rest) = data.split_at(32);
    let (sig, msg) = rest.split_at(64);
    let key: [u8; 32] = key.try_into().expect("32 bytes");
    if let Ok(d) = P256SecretKey::from_bytes(&key) {
        let q = d.public_key();
        let plain = q.verify::<Sha256>(msg, sig);
        let der = ecdsa_signature_to_der(sig.try_into().expect("64 bytes"));
        assert_eq!(plain.is_ok(), q.verify_der::<Sha256>(msg, &der).is_ok());
        assert!(q.verify::<Sha256>(msg, &d.sign::<Sha256>(msg)).is_ok());
    }
    if let Ok(a) = Ed25519VerifyingKey::from_bytes(&key) {
        let _ = a.verify(msg, sig);
    }
});
