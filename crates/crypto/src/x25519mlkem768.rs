//! The hybrid key agreement X25519MLKEM768 of draft-ietf-tls-ecdhe-mlkem (TLS
//! NamedGroup 0x11ec): ML-KEM-768 (FIPS 203) and X25519 (RFC 7748) together, so
//! the shared secret stays secret while either of the two holds.
//!
//! The ML-KEM part comes first everywhere (the draft's §3.1, unlike the other
//! hybrids):
//!
//! - client key share: the ML-KEM-768 encapsulation key (1184 bytes) ‖ the
//!   client's X25519 public key (32 bytes): [`CLIENT_SHARE_LEN`] = 1216;
//! - server key share: the ML-KEM-768 ciphertext (1088 bytes) ‖ the server's
//!   X25519 public key: [`SERVER_SHARE_LEN`] = 1120;
//! - shared secret: the ML-KEM shared secret ‖ the X25519 shared secret:
//!   [`SHARED_SECRET_LEN`] = 64 bytes.
//!
//! Errors: a share of the wrong length is [`Error::InvalidLength`], an
//! encapsulation key failing FIPS 203's modulus check
//! [`Error::EncapsulationKeyNotReduced`], and an all-zero X25519 result
//! [`Error::LowOrderPoint`] (RFC 8446 §7.4.2, which the draft keeps). The TLS
//! crate maps these to its alerts (illegal_parameter).
//!
//! ```
//! use handshake_crypto::x25519mlkem768::{server_respond, Client};
//!
//! let client = Client::from_seeds(&[1; 32], &[2; 32], [3; 32]).unwrap();
//! let (server_share, server_secret) =
//!     server_respond(&client.key_share(), &[4; 32], [5; 32]).unwrap();
//! assert_eq!(client.finish(&server_share).unwrap(), server_secret);
//! ```

// draft-ietf-tls-ecdhe-mlkem §3.1: the ML-KEM part first, in the shares and
// in the shared secret; codepoint from §5.
crate::hybrid::hybrid_group!(
    "X25519MLKEM768", 0x11ec, crate::X25519SecretKey, 32,
    hybrid::Order::MlKemFirst, shares: 1216, 1120
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals() {
        let client = Client::from_seeds(&[1; 32], &[2; 32], [3; 32]).unwrap();
        let share = client.key_share();
        assert_eq!(
            server_respond(&share[1..], &[0; 32], [5; 32]).err(),
            Some(Error::InvalidLength)
        );
        let mut bad = share;
        bad[0] = 0xff;
        bad[1] = 0xff; // coefficient 0 = 4095
        assert_eq!(
            server_respond(&bad, &[0; 32], [5; 32]).err(),
            Some(Error::EncapsulationKeyNotReduced)
        );
        let mut zero = share;
        zero[1184..].fill(0); // u = 0: the X25519 result is all zeros
        assert_eq!(
            server_respond(&zero, &[0; 32], [5; 32]).err(),
            Some(Error::LowOrderPoint)
        );
        let (server_share, _) = server_respond(&share, &[4; 32], [5; 32]).unwrap();
        assert_eq!(
            client.finish(&server_share[..1119]),
            Err(Error::InvalidLength)
        );
        let mut zero = server_share;
        zero[1088..].fill(0);
        assert_eq!(client.finish(&zero), Err(Error::LowOrderPoint));
    }
}
