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

/// The TLS NamedGroup codepoint of SecP256r1MLKEM768 (draft-ietf-tls-ecdhe-mlkem §5).
pub const NAMED_GROUP: u16 = 0x11eb;

// draft-ietf-tls-ecdhe-mlkem §3.1: the ECDH part first, in the shares and in
// the shared secret.
crate::hybrid::hybrid_group!(
    crate::P256SecretKey,
    hybrid::Order::EcdhFirst,
    65,
    "SecP256r1MLKEM768"
);

// The lengths of the draft's §3.1.1 and §3.1.2.
const _: () = assert!(CLIENT_SHARE_LEN == 1249 && SERVER_SHARE_LEN == 1153);

#[cfg(test)]
mod tests {
    use super::*;
    use ml_kem::kem::{Decapsulate, Encapsulate};
    use ml_kem::{EncodedSizeUser, KemCore};
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use ring::agreement;

    /// Our client with a peer server made of the ml-kem crate and ring's P-256.
    #[test]
    fn our_client_their_server() {
        let mut rng = ChaCha20Rng::seed_from_u64(0x11eb);
        let sys = ring::rand::SystemRandom::new();
        for _ in 0..5 {
            let client = Client::generate(&mut rng);
            let share = client.key_share();
            let ek_bytes = ml_kem::array::Array::try_from(&share[65..]).unwrap();
            let ek = <ml_kem::MlKem768 as KemCore>::EncapsulationKey::from_bytes(&ek_bytes);
            let (ct, kem) = ek.encapsulate(&mut rng).unwrap();
            let eph =
                agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &sys).unwrap();
            let eph_pub = eph.compute_public_key().unwrap();
            let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, &share[..65]);
            let dh = agreement::agree_ephemeral(eph, &peer, |k| k.to_vec()).unwrap();
            let mut server_share = eph_pub.as_ref().to_vec();
            server_share.extend_from_slice(&ct);
            let want = [&dh[..], &kem[..]].concat();
            assert_eq!(client.finish(&server_share).unwrap().to_vec(), want);
        }
    }

    /// Our server with a peer client made of the ml-kem crate and ring's P-256.
    #[test]
    fn their_client_our_server() {
        let mut rng = ChaCha20Rng::seed_from_u64(0x11ea);
        let sys = ring::rand::SystemRandom::new();
        for _ in 0..5 {
            let (dk, ek) = ml_kem::MlKem768::generate(&mut rng);
            let eph =
                agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &sys).unwrap();
            let mut share = eph.compute_public_key().unwrap().as_ref().to_vec();
            share.extend_from_slice(&ek.as_bytes());
            let (server_share, secret) = server_respond_with_rng(&share, &mut rng).unwrap();
            let ct = ml_kem::array::Array::try_from(&server_share[65..]).unwrap();
            let kem = dk.decapsulate(&ct).unwrap();
            let peer =
                agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, &server_share[..65]);
            let dh = agreement::agree_ephemeral(eph, &peer, |k| k.to_vec()).unwrap();
            assert_eq!(secret.to_vec(), [&dh[..], &kem[..]].concat());
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
        bad[65] = 0xff;
        bad[66] = 0xff; // coefficient 0 of t̂ = 4095
        assert_eq!(
            server_respond(&bad, &[0; 32], [5; 32]).err(),
            Some(Error::EncapsulationKeyNotReduced)
        );
        let mut compressed = share;
        compressed[0] = 2; // not the uncompressed form
        assert_eq!(
            server_respond(&compressed, &[0; 32], [5; 32]).err(),
            Some(Error::InvalidPublicKey)
        );
        let mut off_curve = share;
        off_curve[64] ^= 1;
        assert_eq!(
            server_respond(&off_curve, &[0; 32], [5; 32]).err(),
            Some(Error::InvalidPublicKey)
        );
        assert_eq!(
            Client::from_seeds(&[1; 32], &[2; 32], [0; 32]).err(),
            Some(Error::InvalidPrivateKey)
        );
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
