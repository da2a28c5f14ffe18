//! `crypto.hybrid.*`: X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem): the share
//! layout, agreement with a peer built from the `ml-kem` crate and ring's
//! X25519 in both directions, and the refusals.
//!
//! The peer: RustCrypto's `ml-kem` for ML-KEM-768 and ring for X25519; the
//! X25519 public key of the layout case is RFC 7748 §6.1's (Alice).

use crate::check::unhex;
use crate::{check, check_property, Case, Ctx, Outcome};
use handshake_crypto::x25519mlkem768::{
    server_respond, Client, CLIENT_SHARE_LEN, SERVER_SHARE_LEN, SHARED_SECRET_LEN,
};
use handshake_crypto::Error;
use ml_kem::kem::{Decapsulate, Encapsulate};
use ml_kem::{EncodedSizeUser, KemCore};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use ring::agreement;

type PeerEk = <ml_kem::MlKem768 as KemCore>::EncapsulationKey;

/// RFC 7748 §6.1: Alice's private and public keys.
const ALICE: &str = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
const ALICE_PUB: &str = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";

/// Client share = ML-KEM-768 ek (as the ml-kem crate derives it from the same
/// d, z) ‖ X25519 public key (RFC 7748's); server share = ciphertext ‖ X25519
/// public; secret = K ‖ X25519 secret, 64 bytes (draft §4.1).
fn layout() -> check::Checked {
    let (d, z) = ([0x11u8; 32], [0x22u8; 32]);
    let alice: [u8; 32] = unhex(ALICE).try_into().expect("32 bytes");
    let client = Client::from_seeds(&d, &z, alice);
    let share = client.key_share();
    check::equal("client share length", share.len(), 1216)?;
    let (_, pek) = ml_kem::MlKem768::generate_deterministic(&d.into(), &z.into());
    check::equal("ek first", &share[..1184], &pek.as_bytes()[..])?;
    check::hex("X25519 public last", &share[1184..], ALICE_PUB)?;
    let (server_share, secret) =
        server_respond(&share, &[0x33; 32], [0x44; 32]).map_err(|e| e.to_string())?;
    check::equal("server share length", server_share.len(), SERVER_SHARE_LEN)?;
    check::equal("secret length", secret.len(), SHARED_SECRET_LEN)?;
    let (pct, pk) =
        ml_kem::EncapsulateDeterministic::encapsulate_deterministic(&pek, &[0x33; 32].into())
            .map_err(|e| format!("{e:?}"))?;
    check::equal("ciphertext first", &server_share[..1088], &pct[..])?;
    check::equal("ML-KEM secret first", &secret[..32], &pk[..])?;
    // The X25519 half: the client's view must agree (the peer cases check it
    // against ring's X25519).
    let client_secret = client.finish(&server_share).map_err(|e| e.to_string())?;
    check::equal("client and server secrets", client_secret, secret)
}

/// Our client against a peer server: the peer encapsulates to our ek (ml-kem
/// crate) and answers with a ring X25519 key; both get the same 64 bytes.
fn our_client(ctx: &mut Ctx) -> Outcome {
    let sys = ring::rand::SystemRandom::new();
    check_property(ctx, any::<u64>(), |seed| {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let client = Client::generate(&mut rng);
        let share = client.key_share();
        let ek = PeerEk::from_bytes(&ml_kem::array::Array::try_from(&share[..1184]).expect("1184"));
        let (ct, kem) = ek.encapsulate(&mut rng).expect("encapsulates");
        let eph = agreement::EphemeralPrivateKey::generate(&agreement::X25519, &sys).expect("rng");
        let eph_pub = eph.compute_public_key().expect("public key");
        let peer = agreement::UnparsedPublicKey::new(&agreement::X25519, &share[1184..]);
        let dh = agreement::agree_ephemeral(eph, &peer, |k| k.to_vec()).expect("agrees");
        let mut server_share = ct.to_vec();
        server_share.extend_from_slice(eph_pub.as_ref());
        let got = client.finish(&server_share);
        prop_assert_eq!(got.map(|s| s.to_vec()), Ok([&kem[..], &dh[..]].concat()));
        Ok(())
    })
}

/// A peer client (ml-kem crate ek ‖ ring X25519 public) against our server.
fn our_server(ctx: &mut Ctx) -> Outcome {
    let sys = ring::rand::SystemRandom::new();
    check_property(
        ctx,
        (any::<u64>(), any::<[u8; 32]>(), any::<[u8; 32]>()),
        |(seed, m, x)| {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            let (dk, ek) = ml_kem::MlKem768::generate(&mut rng);
            let eph =
                agreement::EphemeralPrivateKey::generate(&agreement::X25519, &sys).expect("rng");
            let mut share = ek.as_bytes().to_vec();
            share.extend_from_slice(eph.compute_public_key().expect("public key").as_ref());
            let (server_share, secret) = match server_respond(&share, &m, x) {
                Ok(r) => r,
                Err(e) => return Err(TestCaseError::fail(format!("our server refused: {e}"))),
            };
            let ct = ml_kem::array::Array::try_from(&server_share[..1088]).expect("1088");
            let kem = dk.decapsulate(&ct).expect("decapsulates");
            let peer = agreement::UnparsedPublicKey::new(&agreement::X25519, &server_share[1088..]);
            let dh = agreement::agree_ephemeral(eph, &peer, |k| k.to_vec()).expect("agrees");
            prop_assert_eq!(secret.to_vec(), [&kem[..], &dh[..]].concat());
            Ok(())
        },
    )
}

fn refusals() -> check::Checked {
    let client = Client::from_seeds(&[1; 32], &[2; 32], [3; 32]);
    let share = client.key_share();
    for len in [0, 32, 1184, CLIENT_SHARE_LEN - 1, CLIENT_SHARE_LEN + 1] {
        let short: Vec<u8> = share.iter().copied().cycle().take(len).collect();
        check::refused(
            server_respond(&short, &[0; 32], [5; 32]),
            Error::InvalidLength,
        )
        .map_err(|e| format!("client share of {len} bytes: {e}"))?;
    }
    let (server_share, _) = server_respond(&share, &[4; 32], [5; 32]).map_err(|e| e.to_string())?;
    for len in [0, 1088, SERVER_SHARE_LEN - 1, SERVER_SHARE_LEN + 1] {
        let s: Vec<u8> = server_share.iter().copied().cycle().take(len).collect();
        check::refused(client.finish(&s), Error::InvalidLength)
            .map_err(|e| format!("server share of {len} bytes: {e}"))?;
    }
    Ok(())
}

fn invalid_ek() -> check::Checked {
    let client = Client::from_seeds(&[1; 32], &[2; 32], [3; 32]);
    let mut share = client.key_share();
    // The last coefficient of t̂ set to 4095.
    share[1151] = 0xff;
    share[1150] |= 0xf0;
    check::refused(
        server_respond(&share, &[0; 32], [5; 32]),
        Error::EncapsulationKeyNotReduced,
    )
}

/// X25519 points of small order (RFC 7748 §6.1; the u = 0 and u = 1 points,
/// and the order-8 point of Wycheproof): an all-zero X25519 result refused.
fn low_order() -> check::Checked {
    let points = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    ];
    let client = Client::from_seeds(&[1; 32], &[2; 32], [3; 32]);
    let share = client.key_share();
    let (server_share, _) = server_respond(&share, &[4; 32], [5; 32]).map_err(|e| e.to_string())?;
    for p in points {
        let mut s = share;
        s[1184..].copy_from_slice(&unhex(p));
        check::refused(server_respond(&s, &[0; 32], [5; 32]), Error::LowOrderPoint)
            .map_err(|e| format!("client X25519 {p}: {e}"))?;
        let mut s = server_share;
        s[1088..].copy_from_slice(&unhex(p));
        check::refused(client.finish(&s), Error::LowOrderPoint)
            .map_err(|e| format!("server X25519 {p}: {e}"))?;
    }
    Ok(())
}

/// The `crypto.hybrid.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must("crypto.hybrid.x25519mlkem768-share-layout",
            "draft-ietf-tls-ecdhe-mlkem §4.1 (FIPS 203, RFC 7748): client share ek || X25519 (1216 B), server share ct || X25519 (1120 B), secret ML-KEM || X25519 (64 B)")
            .vector(|_| layout()),
        Case::must("crypto.hybrid.x25519mlkem768-our-client-peer-server",
            "draft-ietf-tls-ecdhe-mlkem §4.1 (FIPS 203, RFC 7748): our client agrees with a peer server (ml-kem crate, ring X25519)")
            .property(our_client),
        Case::must("crypto.hybrid.x25519mlkem768-peer-client-our-server",
            "draft-ietf-tls-ecdhe-mlkem §4.1 (FIPS 203, RFC 7748): a peer client (ml-kem crate, ring X25519) agrees with our server")
            .property(our_server),
        Case::must("crypto.hybrid.x25519mlkem768-wrong-lengths",
            "draft-ietf-tls-ecdhe-mlkem §4.1: a share of any other length is refused")
            .vector(|_| refusals()),
        Case::must("crypto.hybrid.x25519mlkem768-invalid-ek",
            "draft-ietf-tls-ecdhe-mlkem §4.1, FIPS 203 §7.2: the server refuses an ek failing the modulus check")
            .vector(|_| invalid_ek()),
        Case::must("crypto.hybrid.x25519mlkem768-low-order-x25519",
            "draft-ietf-tls-ecdhe-mlkem §4.1, RFC 8446 §7.4.2: an all-zero X25519 result is refused on both sides")
            .vector(|_| low_order()),
    ]
}
