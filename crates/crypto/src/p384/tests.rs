//! P-384 unit tests: RFC 6979 §A.2.6 known answers, the group law against
//! independent expectations (n G = O, the comb against the windowed
//! multiplication), ring in both directions, and the decoders on arbitrary bytes.

use super::*;
use crate::{Sha384, Sha512};
use proptest::prelude::*;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// RFC 6979 §A.2.6: the P-384 key pair.
const X: &str = "6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5";
const UX: &str = "ec3a4e415b4e19a4568618029f427fa5da9a8bc4ae92e02e06aae5286b300c64def8f0ea9055866064a254515480bc13";
const UY: &str = "8015d9b72d7d57244ea8ef9ac0c621896708a59367f9dfb9f54ca84b3f1c9db1288b231c3ae0d4fe7344fd2533264720";

fn rfc_key() -> P384SecretKey {
    P384SecretKey::from_bytes(&h(X).try_into().unwrap()).unwrap()
}

#[test]
fn rfc6979_a26_public_key() {
    let u = rfc_key().public_key().to_uncompressed();
    assert_eq!(hex::encode(&u[1..49]), UX);
    assert_eq!(hex::encode(&u[49..]), UY);
}

/// RFC 6979 §A.2.6, SHA-384 and SHA-512, messages "sample" and "test".
#[test]
fn rfc6979_a26_signatures() {
    let key = rfc_key();
    let cases: [(&[u8], bool, &str, &str); 4] = [
        (b"sample", false, "94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80fabe46", "99ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a38628ac8"),
        (b"test", false, "8203b63d3c853e8d77227fb377bcf7b7b772e97892a80f36ab775d509d7a5feb0542a7f0812998da8f1dd3ca3cf023db", "ddd0760448d42d8a43af45af836fce4de8be06b485e9b61b827c2f13173923e06a739f040649a667bf3b828246baa5a5"),
        (b"sample", true, "ed0959d5880ab2d869ae7f6c2915c6d60f96507f9cb3e047c0046861da4a799cfe30f35cc900056d7c99cd7882433709", "512c8cceee3890a84058ce1e22dbc2198f42323ce8aca9135329f03c068e5112dc7cc3ef3446defceb01a45c2667fdd5"),
        (b"test", true, "a0d5d090c9980faf3c2ce57b7ae951d31977dd11c775d314af55f76c676447d06fb6495cd21b4b6e340fc236584fb277", "976984e59b4c77b0e8e4460dca3d9f20e07b9bb1f63beefaf576f6b2e8b224634a2092cd3792e0159ad9cee37659c736"),
    ];
    for (msg, sha512, r, s) in cases {
        let (sig, ok) = if sha512 {
            let sig = key.sign::<Sha512>(msg);
            (sig, key.public_key().verify::<Sha512>(msg, &sig))
        } else {
            let sig = key.sign::<Sha384>(msg);
            (sig, key.public_key().verify::<Sha384>(msg, &sig))
        };
        assert_eq!(
            hex::encode(sig),
            format!("{r}{s}"),
            "{msg:?} sha512={sha512}"
        );
        ok.unwrap();
    }
}

/// Signing leaves k^-1, r d and e + r d nowhere, and the slots were used.
#[test]
fn sign_wipes_its_temporaries() {
    let key = P384SecretKey::from_bytes(&[9u8; 48]).unwrap();
    let digest = Sha384::digest(b"wipe");
    let mut t = SignTemps::new();
    t.kinv = [7; 6];
    let sig = key.sign_prehashed_with::<Sha384>(&digest, &mut t);
    assert_eq!(sig, key.sign_prehashed::<Sha384>(&digest));
    assert!(t.is_wiped());
    let other = P384SecretKey::from_bytes(&[8u8; 48]).unwrap();
    assert_ne!(other.sign_prehashed_with::<Sha384>(&digest, &mut t), sig);
}

#[test]
fn group_order_and_comb() {
    let g = Point::generator();
    assert!(g.mul(&FN.m).to_affine_bytes().is_err());
    assert!(mul_base(&FN.m).to_affine_bytes().is_err());
    let mut n1 = FN.m;
    n1[0] -= 1;
    let (x, y) = g.mul(&n1).to_affine_bytes().unwrap();
    assert_eq!(x, super::super::point::GX);
    assert_ne!(y, super::super::point::GY);
    assert_eq!(g.double().to_affine_bytes(), g.add(&g).to_affine_bytes());
    let mut rng = <rand_chacha::ChaCha20Rng as rand::SeedableRng>::seed_from_u64(384);
    let mut scalars = alloc::vec![
        [0u64; 6],
        [1, 0, 0, 0, 0, 0],
        n1,
        [u64::MAX; 6],
        [0x5555_5555_5555_5555; 6],
        [0, 0, 0, 0, 0, 1 << 63]
    ];
    for _ in 0..24 {
        scalars.push(core::array::from_fn(|_| rand::RngCore::next_u64(&mut rng)));
    }
    for k in &scalars {
        let a = mul_base(k).to_affine_bytes().ok();
        assert_eq!(a, g.mul(k).to_affine_bytes().ok(), "{k:x?}");
        // The variable-time double multiplication agrees: k G + 0 Q and 1 G + k G.
        let q = g;
        let want = mul_base(k).add(&g).to_affine_bytes().ok();
        let got = vartime::double_mul(&[1, 0, 0, 0, 0, 0], k, &q)
            .to_affine_bytes()
            .ok();
        assert_eq!(got, want, "{k:x?}");
        // Both expansions busy: k G + k' Q for Q = 5 G (affine) and k' another scalar.
        let q5 = Point::from_affine_bytes(
            &g.mul(&[5, 0, 0, 0, 0, 0]).to_affine_bytes().unwrap().0,
            &g.mul(&[5, 0, 0, 0, 0, 0]).to_affine_bytes().unwrap().1,
        )
        .unwrap();
        let k2: [u64; 6] = core::array::from_fn(|i| k[(i + 1) % 6] ^ 0x1234_5678);
        let want = mul_base(k).add(&q5.mul(&k2)).to_affine_bytes().ok();
        let got = vartime::double_mul(k, &k2, &q5).to_affine_bytes().ok();
        assert_eq!(got, want, "{k:x?} {k2:x?}");
    }
}

#[test]
fn compressed_round_trip_and_rejections() {
    let pk = rfc_key().public_key();
    assert_eq!(
        P384PublicKey::from_sec1_bytes(&pk.to_compressed()).unwrap(),
        pk
    );
    let mut u = pk.to_uncompressed();
    u[96] ^= 1;
    assert_eq!(
        P384PublicKey::from_sec1_bytes(&u),
        Err(Error::InvalidPublicKey)
    );
    assert_eq!(
        P384PublicKey::from_sec1_bytes(&[0]),
        Err(Error::InvalidPublicKey)
    );
    let mut big = pk.to_uncompressed();
    big[1..49].fill(0xff);
    assert_eq!(
        P384PublicKey::from_sec1_bytes(&big),
        Err(Error::InvalidPublicKey)
    );
    assert_eq!(
        P384SecretKey::from_bytes(&[0; 48]).unwrap_err(),
        Error::InvalidPrivateKey
    );
    assert_eq!(
        P384SecretKey::from_bytes(&[0xff; 48]).unwrap_err(),
        Error::InvalidPrivateKey
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Ours verifies under ring (fixed and DER), ring's under ours; ECDH agrees.
    #[test]
    fn ring_differential(seed in any::<[u8; 48]>(), msg in proptest::collection::vec(any::<u8>(), 0..200)) {
        use ring::signature::{self as rs, KeyPair};
        let rng = ring::rand::SystemRandom::new();
        let Ok(ours) = P384SecretKey::from_bytes(&seed) else { return Ok(()) };
        let public = ours.public_key().to_uncompressed();
        let theirs = rs::EcdsaKeyPair::from_private_key_and_public_key(
            &rs::ECDSA_P384_SHA384_FIXED_SIGNING, &seed, &public, &rng).unwrap();
        prop_assert_eq!(theirs.public_key().as_ref(), &public[..]);
        let sig = ours.sign::<Sha384>(&msg);
        prop_assert!(rs::UnparsedPublicKey::new(&rs::ECDSA_P384_SHA384_FIXED, &public).verify(&msg, &sig).is_ok());
        let der = ecdsa_p384_signature_to_der(&sig);
        prop_assert!(rs::UnparsedPublicKey::new(&rs::ECDSA_P384_SHA384_ASN1, &public).verify(&msg, &der).is_ok());
        let theirs_sig = theirs.sign(&rng, &msg).unwrap();
        let pk = P384PublicKey::from_sec1_bytes(&public).unwrap();
        prop_assert!(pk.verify::<Sha384>(&msg, theirs_sig.as_ref()).is_ok());
        let mut bad = msg.clone();
        bad.push(1);
        prop_assert!(pk.verify::<Sha384>(&bad, theirs_sig.as_ref()).is_err());
        use ring::agreement;
        let eph = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P384, &rng).unwrap();
        let eph_pub = eph.compute_public_key().unwrap();
        let mine = ours.diffie_hellman(&P384PublicKey::from_sec1_bytes(eph_pub.as_ref()).unwrap()).unwrap();
        let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P384, public);
        let want = agreement::agree_ephemeral(eph, &peer, |k| k.to_vec()).unwrap();
        prop_assert_eq!(&mine[..], &want[..]);
    }

    #[test]
    fn decoders_never_panic(b in proptest::collection::vec(any::<u8>(), 0..120)) {
        if let Ok(sig) = ecdsa_p384_signature_from_der(&b) {
            prop_assert_eq!(ecdsa_p384_signature_to_der(&sig), b.clone());
        }
        if let Ok(k) = P384PublicKey::from_sec1_bytes(&b) {
            prop_assert!(b.len() == 49 || b.len() == 97);
            prop_assert_eq!(P384PublicKey::from_sec1_bytes(&k.to_compressed()).ok(), Some(k));
        }
        let _ = rfc_key().public_key().verify_prehashed(&b, &b);
    }
}
