//! One call to each family of primitives, on the published test vectors, so
//! every line printed can be checked against its RFC: SHA-256 (FIPS 180-4),
//! HMAC-SHA256 (RFC 4231), HKDF (RFC 5869), AES-128-GCM seal and open with
//! tampering caught, X25519 key agreement (RFC 7748) and Ed25519 signatures
//! (RFC 8032). It also says whether this CPU took the hardware paths.
//!
//! ```sh
//! cargo run -p handshake-crypto --example primitives
//! HANDSHAKE_CRYPTO_PORTABLE=1 cargo run -p handshake-crypto --example primitives
//! ```

use handshake_crypto::{
    hkdf, Aead, AesGcm, Backend, Ed25519SigningKey, Ed25519VerifyingKey, HmacSha256, Sha256,
    X25519SecretKey,
};

fn main() -> Result<(), handshake_crypto::Error> {
    println!(
        "backend: {:?} (SHA-256 accelerated: {}, AES-GCM accelerated: {})\n",
        Backend::auto(),
        Sha256::new().is_accelerated(),
        AesGcm::new(&[0; 16])?.is_accelerated()
    );

    // FIPS 180-4 (the NIST example "abc").
    let digest = Sha256::digest(b"abc");
    check(
        "SHA-256(\"abc\")",
        &digest,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );

    // RFC 4231 §4.3, test case 2.
    let tag = HmacSha256::mac(b"Jefe", b"what do ya want for nothing?");
    check(
        "HMAC-SHA256(\"Jefe\", ...)",
        &tag,
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );

    // RFC 5869 §A.1, test case 1: extract, then expand to 42 bytes.
    let prk = hkdf::extract::<Sha256>(&unhex("000102030405060708090a0b0c"), &[0x0b; 22]);
    check(
        "HKDF-Extract PRK",
        &prk,
        "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
    );
    let mut okm = [0u8; 42];
    hkdf::expand::<Sha256>(&prk, &unhex("f0f1f2f3f4f5f6f7f8f9"), &mut okm)?;
    check(
        "HKDF-Expand OKM",
        &okm,
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    );

    // AES-128-GCM: ciphertext || tag out, plaintext back, and any change to
    // the ciphertext or the associated data fails authentication.
    let key: [u8; 16] = unhex("feffe9928665731c6d6a8f9467308308")
        .try_into()
        .unwrap();
    let nonce: [u8; 12] = unhex("cafebabefacedbaddecaf888").try_into().unwrap();
    let gcm = AesGcm::new(&key)?;
    let sealed = gcm
        .seal(&nonce, b"record header", b"attack at dawn")
        .unwrap();
    println!();
    // The expected value is OpenSSL's, through Python's `cryptography`:
    // AESGCM(key).encrypt(nonce, b"attack at dawn", b"record header").
    check(
        "AES-128-GCM seal (ciphertext || tag)",
        &sealed,
        "fac65886ba9852a09a0b4c135c4b8cb2ac0b624f4627edd6224c431576ce",
    );
    let opened = gcm.open(&nonce, b"record header", &sealed)?;
    println!("AES-128-GCM open: {:?}", String::from_utf8_lossy(&opened));
    let mut tampered = sealed.clone();
    tampered[0] ^= 0x80;
    println!(
        "one ciphertext bit flipped: {}",
        gcm.open(&nonce, b"record header", &tampered).unwrap_err()
    );
    println!(
        "other associated data: {}\n",
        gcm.open(&nonce, b"another header", &sealed).unwrap_err()
    );

    // RFC 7748 §6.1: Alice and Bob derive the same secret from each other's
    // public keys.
    let alice = X25519SecretKey::from_bytes(bytes32(
        "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
    ));
    let bob = X25519SecretKey::from_bytes(bytes32(
        "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
    ));
    check(
        "X25519 Alice's public key",
        &alice.public_key(),
        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
    );
    check(
        "X25519 Bob's public key",
        &bob.public_key(),
        "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
    );
    let shared_a = alice.diffie_hellman(&bob.public_key())?;
    let shared_b = bob.diffie_hellman(&alice.public_key())?;
    assert_eq!(shared_a, shared_b);
    check(
        "X25519 shared secret (both sides)",
        &shared_a,
        "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
    );
    // A low-order point from the peer must abort the handshake (RFC 7748 §6.1).
    println!(
        "X25519 with an all-zero peer key: {}\n",
        alice.diffie_hellman(&[0; 32]).unwrap_err()
    );

    // RFC 8032 §7.1, TEST 1: the empty message.
    let signer = Ed25519SigningKey::from_seed(&bytes32(
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    ));
    let public = signer.verifying_key().to_bytes();
    check(
        "Ed25519 public key",
        &public,
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    );
    let signature = signer.sign(b"");
    check(
        "Ed25519 signature of \"\"",
        &signature,
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065\
         224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    );
    let verifier = Ed25519VerifyingKey::from_bytes(&public)?;
    verifier.verify(b"", &signature)?;
    println!("Ed25519 verify(\"\"): ok");
    println!(
        "Ed25519 verify(\"x\") with the same signature: {}",
        verifier.verify(b"x", &signature).unwrap_err()
    );
    Ok(())
}

/// Prints `value` in hex and whether it is the published `expected` value.
fn check(what: &str, value: &[u8], expected: &str) {
    let ok = hex(value) == expected;
    println!(
        "{what}: {}{}",
        hex(value),
        if ok { "  (matches)" } else { "  (MISMATCH)" }
    );
    assert!(ok, "{what} differs from the published vector");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("a hex literal"))
        .collect()
}

fn bytes32(s: &str) -> [u8; 32] {
    unhex(s).try_into().expect("32 bytes")
}
