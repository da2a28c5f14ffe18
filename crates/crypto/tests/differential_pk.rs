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

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn ecdsa_p256_both_ways_with_ring(
        seed in any::<[u8; 32]>(),
        msg in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        use handshake_crypto::{P256PublicKey, P256SecretKey, Sha256};
        use ring::signature::{self, KeyPair};
        let rng = SystemRandom::new();
        let Ok(ours) = P256SecretKey::from_bytes(&seed) else { return Ok(()) };
        let public = ours.public_key().to_uncompressed();
        let theirs = signature::EcdsaKeyPair::from_private_key_and_public_key(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING, &seed, &public, &rng).unwrap();
        prop_assert_eq!(theirs.public_key().as_ref(), &public[..]);
        // Ours verifies under ring.
        let sig = ours.sign::<Sha256>(&msg);
        signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, &public)
            .verify(&msg, &sig).unwrap();
        let der = handshake_crypto::ecdsa_signature_to_der(&sig);
        signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, &public)
            .verify(&msg, &der).unwrap();
        // Ring's (randomized nonces) verifies under ours, fixed and DER.
        let theirs_sig = theirs.sign(&rng, &msg).unwrap();
        let pk = P256PublicKey::from_sec1_bytes(&public).unwrap();
        prop_assert!(pk.verify::<Sha256>(&msg, theirs_sig.as_ref()).is_ok());
        let der_signer = signature::EcdsaKeyPair::from_private_key_and_public_key(
            &signature::ECDSA_P256_SHA256_ASN1_SIGNING, &seed, &public, &rng).unwrap();
        let der_sig = der_signer.sign(&rng, &msg).unwrap();
        prop_assert!(pk.verify_der::<Sha256>(&msg, der_sig.as_ref()).is_ok());
        let mut bad = msg.clone();
        bad.push(1);
        prop_assert!(pk.verify::<Sha256>(&bad, theirs_sig.as_ref()).is_err());
    }

    #[test]
    fn p256_ecdh_agrees_with_ring(seed in any::<[u8; 32]>()) {
        use handshake_crypto::{P256PublicKey, P256SecretKey};
        let rng = SystemRandom::new();
        let Ok(ours) = P256SecretKey::from_bytes(&seed) else { return Ok(()) };
        let theirs = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).unwrap();
        let their_pub = theirs.compute_public_key().unwrap();
        let mine = ours
            .diffie_hellman(&P256PublicKey::from_sec1_bytes(their_pub.as_ref()).unwrap())
            .unwrap();
        let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, ours.public_key().to_uncompressed());
        let ring_shared = agreement::agree_ephemeral(theirs, &peer, |k| k.to_vec()).unwrap();
        prop_assert_eq!(&mine[..], &ring_shared[..]);
    }

    #[test]
    fn ecdsa_der_parser_never_panics(b in proptest::collection::vec(any::<u8>(), 0..90)) {
        if let Ok(sig) = handshake_crypto::ecdsa_signature_from_der(&b) {
            // Whatever parses re-encodes to the same bytes (DER is canonical).
            prop_assert_eq!(&handshake_crypto::ecdsa_signature_to_der(&sig), &b);
        }
        let _ = handshake_crypto::P256PublicKey::from_sec1_bytes(&b);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn ed25519_matches_ring(
        seed in any::<[u8; 32]>(),
        msg in proptest::collection::vec(any::<u8>(), 0..300),
        flip in any::<(usize, u8)>(),
    ) {
        use handshake_crypto::{Ed25519SigningKey, Ed25519VerifyingKey};
        use ring::signature::{self, KeyPair};
        let ours = Ed25519SigningKey::from_seed(&seed);
        let theirs = signature::Ed25519KeyPair::from_seed_unchecked(&seed).unwrap();
        prop_assert_eq!(&ours.verifying_key().to_bytes()[..], theirs.public_key().as_ref());
        // Deterministic: byte-identical signatures.
        let sig = ours.sign(&msg);
        let ring_sig = theirs.sign(&msg);
        prop_assert_eq!(&sig[..], ring_sig.as_ref());
        signature::UnparsedPublicKey::new(&signature::ED25519, theirs.public_key().as_ref())
            .verify(&msg, &sig).unwrap();
        let vk = Ed25519VerifyingKey::from_bytes(&ours.verifying_key().to_bytes()).unwrap();
        prop_assert!(vk.verify(&msg, &sig).is_ok());
        let mut bad = sig;
        bad[flip.0 % 64] ^= flip.1 | 1;
        prop_assert!(vk.verify(&msg, &bad).is_err());
    }
}

/// One generated 2048-bit key shared by the RSA properties (key generation is the
/// slow part; the properties vary the messages).
fn rsa_key() -> &'static (handshake_crypto::RsaPrivateKey, ring::rsa::KeyPair) {
    use rand_chacha::rand_core::SeedableRng;
    static KEY: std::sync::OnceLock<(handshake_crypto::RsaPrivateKey, ring::rsa::KeyPair)> =
        std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2048);
        let ours = handshake_crypto::RsaPrivateKey::generate(&mut rng, 2048).unwrap();
        let c = ours.components();
        let theirs = ring::rsa::KeyPair::from_components(&ring::rsa::KeyPairComponents {
            public_key: ring::rsa::PublicKeyComponents {
                n: &c.n[..],
                e: &c.e[..],
            },
            d: &c.d[..],
            p: &c.p[..],
            q: &c.q[..],
            dP: &c.dp[..],
            dQ: &c.dq[..],
            qInv: &c.qinv[..],
        })
        .expect("ring accepts our generated key");
        (ours, theirs)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn rsa_signatures_both_ways_with_ring(msg in proptest::collection::vec(any::<u8>(), 0..300), seed in any::<u64>()) {
        use handshake_crypto::{Sha256, Sha384};
        use rand_chacha::rand_core::SeedableRng;
        use ring::signature::{self, RsaPublicKeyComponents};
        let (ours, theirs) = rsa_key();
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
        let c = ours.components();
        let public = RsaPublicKeyComponents { n: &c.n, e: &c.e };
        // PKCS#1 v1.5 is deterministic: byte-identical with ring.
        let sig = ours.sign_pkcs1v15::<Sha256, _>(&mut rng, &msg).unwrap();
        let mut ring_sig = vec![0u8; theirs.public().modulus_len()];
        theirs.sign(&signature::RSA_PKCS1_SHA256, &SystemRandom::new(), &msg, &mut ring_sig).unwrap();
        prop_assert_eq!(&sig, &ring_sig);
        public.verify(&signature::RSA_PKCS1_2048_8192_SHA256, &msg, &sig).unwrap();
        // PSS (randomized) both ways.
        let pss = ours.sign_pss::<Sha384, _>(&mut rng, &msg).unwrap();
        public.verify(&signature::RSA_PSS_2048_8192_SHA384, &msg, &pss).unwrap();
        theirs.sign(&signature::RSA_PSS_SHA256, &SystemRandom::new(), &msg, &mut ring_sig).unwrap();
        prop_assert!(ours.public_key().verify_pss::<Sha256>(&msg, &ring_sig).is_ok());
        prop_assert!(ours.public_key().verify_pss::<Sha384>(&msg, &ring_sig).is_err());
    }

    #[test]
    fn rsa_encryption_round_trip(msg in proptest::collection::vec(any::<u8>(), 0..245), seed in any::<u64>(), flip in any::<(usize, u8)>()) {
        use rand_chacha::rand_core::SeedableRng;
        let (ours, _) = rsa_key();
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
        let ct = ours.public_key().encrypt_pkcs1v15(&mut rng, &msg).unwrap();
        prop_assert_eq!(ours.decrypt_pkcs1v15(&mut rng, &ct).unwrap(), msg.clone());
        let fallback = vec![0x5a; msg.len()];
        prop_assert_eq!(ours.decrypt_pkcs1v15_implicit(&mut rng, &ct, &fallback), msg.clone());
        let mut bad = ct.clone();
        let i = flip.0 % bad.len();
        bad[i] ^= flip.1 | 1;
        // A corrupted ciphertext decrypts to noise: (almost surely) bad padding.
        let implicit = ours.decrypt_pkcs1v15_implicit(&mut rng, &bad, &fallback);
        prop_assert!(implicit == fallback || ours.decrypt_pkcs1v15(&mut rng, &bad).is_ok());
    }
}
