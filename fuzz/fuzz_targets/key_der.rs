//! SPKI and PKCS#8 key parsing: hostile bytes give a typed error, never a panic;
//! whatever parses re-encodes and parses back to the same key.
#![no_main]

use handshake_crypto::{PrivateKey, PublicKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(k) = PublicKey::from_spki_der(data) {
        assert_eq!(PublicKey::from_spki_der(&k.to_spki_der()).as_ref(), Ok(&k));
    }
    if let Ok(k) = PrivateKey::from_pkcs8_der(data) {
        let again = PrivateKey::from_pkcs8_der(&k.to_pkcs8_der()).expect("re-encoded key parses");
        assert_eq!(again.public_key(), k.public_key());
    }
});
