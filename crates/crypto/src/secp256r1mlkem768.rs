//! The hybrid key agreement SecP256r1MLKEM768 of draft-ietf-tls-ecdhe-mlkem
//! (TLS NamedGroup 0x11eb): P-256 ECDH (SEC 1) and ML-KEM-768 (FIPS 203)
//! together, so the shared secret stays secret while either of the two holds.
//!
//! The ECDH part comes first everywhere (the draft's §3.1, unlike
//! X25519MLKEM768: the first secret of the HKDF input is then the
//! FIPS-approved one):
//!
//! - client key share: the client's P-256 point, uncompressed (`04 ‖ x ‖ y`,
//!   65 bytes, RFC 8446 §4.2.8.2) ‖ the ML-KEM-768 encapsulation key (1184
//!   bytes): [`CLIENT_SHARE_LEN`] = 1249 (§3.1.1);
//! - server key share: the server's P-256 point ‖ the ML-KEM-768 ciphertext
//!   (1088 bytes): [`SERVER_SHARE_LEN`] = 1153 (§3.1.2);
//! - shared secret: the ECDH x-coordinate (RFC 8446 §7.4.2) ‖ the ML-KEM
//!   shared secret: [`SHARED_SECRET_LEN`] = 64 bytes (§3.1.3).
//!
//! Errors: a share of the wrong length is [`Error::InvalidLength`], an
//! encapsulation key failing FIPS 203's modulus check (§7.2)
//! [`Error::EncapsulationKeyNotReduced`], and a P-256 share that is not an
//! uncompressed point on the curve [`Error::InvalidPublicKey`] (the draft's
//! §3.1.2: RFC 8446 §4.2.8.2's validity checks). The TLS crate maps these to
//! illegal_parameter.
//!
//! ```
//! use handshake_crypto::secp256r1mlkem768::{server_respond, Client};
//!
//! let client = Client::from_seeds(&[1; 32], &[2; 32], [3; 32]).unwrap();
//! let (server_share, server_secret) =
//!     server_respond(&client.key_share(), &[4; 32], [5; 32]).unwrap();
//! assert_eq!(client.finish(&server_share).unwrap(), server_secret);
//! ```

// draft-ietf-tls-ecdhe-mlkem §3.1: the ECDH part first, in the shares and in
// the shared secret; codepoint from §5.
crate::hybrid::hybrid_group!(
    "SecP256r1MLKEM768", 0x11eb, crate::P256SecretKey, 65,
    hybrid::Order::EcdhFirst, shares: 1249, 1153
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals() {
        let client = Client::from_seeds(&[1; 32], &[2; 32], [3; 32]).unwrap();
        let share = client.key_share();
        let edit = |at: &[(usize, u8)]| {
            let mut s = share;
            at.iter().for_each(|&(i, v)| s[i] = v);
            s
        };
        for (bad, want) in [
            // t̂'s coefficient 0 = 4095 >= q (FIPS 203 §7.2).
            (
                edit(&[(65, 0xff), (66, 0xff)]),
                Error::EncapsulationKeyNotReduced,
            ),
            // A compressed prefix, and y off the curve (RFC 8446 §4.2.8.2).
            (edit(&[(0, 2)]), Error::InvalidPublicKey),
            (edit(&[(64, share[64] ^ 1)]), Error::InvalidPublicKey),
        ] {
            assert_eq!(server_respond(&bad, &[0; 32], [5; 32]).err(), Some(want));
        }
        assert_eq!(
            server_respond(&share[1..], &[0; 32], [5; 32]).err(),
            Some(Error::InvalidLength)
        );
        let zero_scalar = Client::from_seeds(&[1; 32], &[2; 32], [0; 32]);
        assert_eq!(zero_scalar.err(), Some(Error::InvalidPrivateKey));
        let (server_share, _) = server_respond(&share, &[4; 32], [5; 32]).unwrap();
        assert_eq!(
            client.finish(&server_share[..1152]),
            Err(Error::InvalidLength)
        );
        let mut bad_point = server_share;
        bad_point[1] ^= 1;
        assert_eq!(client.finish(&bad_point), Err(Error::InvalidPublicKey));
    }
}
