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

/// The TLS NamedGroup codepoint of X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem §5).
pub const NAMED_GROUP: u16 = 0x11ec;

// draft-ietf-tls-ecdhe-mlkem §3.1: the ML-KEM part first, in the shares and
// in the shared secret.
crate::hybrid::hybrid_group!(
    crate::X25519SecretKey,
    hybrid::Order::MlKemFirst,
    32,
    "X25519MLKEM768"
);

// The lengths of the draft's §3.1.
const _: () = assert!(CLIENT_SHARE_LEN == 1216 && SERVER_SHARE_LEN == 1120);

#[cfg(test)]
mod tests {
    use super::*;
    use ml_kem::kem::{Decapsulate, Encapsulate};
    use ml_kem::{EncodedSizeUser, KemCore};
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use ring::agreement;

    /// Our client with a peer server made of the ml-kem crate and ring's X25519.
    #[test]
    fn our_client_their_server() {
        let mut rng = ChaCha20Rng::seed_from_u64(0x11ec);
        let sys = ring::rand::SystemRandom::new();
        for _ in 0..10 {
            let client = Client::generate(&mut rng);
            let share = client.key_share();
            let ek_bytes = ml_kem::array::Array::try_from(&share[..1184]).unwrap();
            let ek = <ml_kem::MlKem768 as KemCore>::EncapsulationKey::from_bytes(&ek_bytes);
            let (ct, kem) = ek.encapsulate(&mut rng).unwrap();
            let eph = agreement::EphemeralPrivateKey::generate(&agreement::X25519, &sys).unwrap();
            let eph_pub = eph.compute_public_key().unwrap();
            let peer = agreement::UnparsedPublicKey::new(&agreement::X25519, &share[1184..]);
            let dh = agreement::agree_ephemeral(eph, &peer, |k| k.to_vec()).unwrap();
            let mut server_share = ct.to_vec();
            server_share.extend_from_slice(eph_pub.as_ref());
            let want = [&kem[..], &dh[..]].concat();
            assert_eq!(client.finish(&server_share).unwrap().to_vec(), want);
        }
    }

    /// Our server with a peer client made of the ml-kem crate and ring's X25519.
    #[test]
    fn their_client_our_server() {
        let mut rng = ChaCha20Rng::seed_from_u64(0x11ed);
        let sys = ring::rand::SystemRandom::new();
        for _ in 0..10 {
            let (dk, ek) = ml_kem::MlKem768::generate(&mut rng);
            let eph = agreement::EphemeralPrivateKey::generate(&agreement::X25519, &sys).unwrap();
            let mut share = ek.as_bytes().to_vec();
            share.extend_from_slice(eph.compute_public_key().unwrap().as_ref());
            let (server_share, secret) = server_respond_with_rng(&share, &mut rng).unwrap();
            let ct = ml_kem::array::Array::try_from(&server_share[..1088]).unwrap();
            let kem = dk.decapsulate(&ct).unwrap();
            let peer = agreement::UnparsedPublicKey::new(&agreement::X25519, &server_share[1088..]);
            let dh = agreement::agree_ephemeral(eph, &peer, |k| k.to_vec()).unwrap();
            assert_eq!(secret.to_vec(), [&kem[..], &dh[..]].concat());
        }
    }

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
