//! P-384 decoders: the DER signature, the SEC 1 point (both forms) and
//! verification of arbitrary signature bytes give a typed error, never a panic;
//! whatever parses re-encodes to the same bytes.
#![no_main]

use handshake_crypto::{
    ecdsa_p384_signature_from_der, ecdsa_p384_signature_to_der, P384PublicKey, Sha384,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(sig) = ecdsa_p384_signature_from_der(data) {
        assert_eq!(ecdsa_p384_signature_to_der(&sig), data);
    }
    if let Ok(key) = P384PublicKey::from_sec1_bytes(data) {
        assert!(data == key.to_uncompressed() || data == key.to_compressed());
        let _ = key.verify::<Sha384>(b"fuzz", &[1u8; 96]);
        let _ = key.verify_der::<Sha384>(b"fuzz", data);
    }
});
