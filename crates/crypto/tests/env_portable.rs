//! HANDSHAKE_CRYPTO_PORTABLE=1 makes the default constructors use the portable code
//! (its own test binary, so the variable is read fresh in this process).

use handshake_crypto::{Aead, AesGcm, Backend, ChaCha20Poly1305, Sha256};

#[test]
fn env_var_forces_portable_and_explicit_native_still_works() {
    std::env::set_var("HANDSHAKE_CRYPTO_PORTABLE", "1");
    assert!(Backend::is_portable_forced());
    assert_eq!(Backend::auto(), Backend::Portable);
    assert!(!Sha256::new().is_accelerated());
    let gcm = <AesGcm as Aead>::new(&[1; 16]).unwrap();
    assert!(!gcm.is_accelerated());
    let cc = <ChaCha20Poly1305 as Aead>::new(&[1; 32]).unwrap();
    assert!(!cc.is_accelerated());
    // Both backends still give the same answers side by side.
    let native = AesGcm::new_with_backend(Backend::Native, &[1; 16]).unwrap();
    assert_eq!(
        gcm.seal(&[0; 12], b"a", b"message").unwrap(),
        native.seal(&[0; 12], b"a", b"message").unwrap()
    );
}
