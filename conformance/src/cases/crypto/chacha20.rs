//! `crypto.chacha20.*`: The ChaCha20 stream cipher (RFC 8439 §2.3-2.4).

use super::support::*;
use crate::check::unhex;
use crate::{check, check_property, Case, Outcome};
use handshake_crypto::{chacha20_xor_with_backend, Backend};
use proptest::prelude::*;

/// The `crypto.chacha20.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must("crypto.chacha20.rfc8439-2.4.2", "RFC 8439 §2.4.2 (encryption, counter 1)").vector(|_| {
                let key: [u8; 32] = core::array::from_fn(|i| i as u8);
                let nonce: [u8; 12] = unhex("000000000000004a00000000")
                    .try_into()
                    .expect("12 bytes");
                Outcome::from(BACKENDS.iter().try_for_each(|&b| {
                let mut buf = SUNSCREEN.to_vec();
                chacha20_xor_with_backend(b, &key, &nonce, 1, &mut buf);
                check::hex(&format!("{b:?}"), &buf, "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d807ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab77937365af90bbf74a35be6b40b8eedf2785e42874d")
            }))
            }),
        Case::must("crypto.chacha20.rfc8439-2.3.2-block", "RFC 8439 §2.3.2 (block function)").vector(|_| {
                let key: [u8; 32] = core::array::from_fn(|i| i as u8);
                let nonce: [u8; 12] = unhex("000000090000004a00000000")
                    .try_into()
                    .expect("12 bytes");
                let mut ks = [0u8; 64];
                chacha20_xor_with_backend(Backend::Portable, &key, &nonce, 1, &mut ks);
                Outcome::from(check::hex("keystream", &ks, "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4ed2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e"))
            }),
        Case::must("crypto.chacha20.avx2-matches-portable", "RFC 8439 §2.4 (eight-block AVX2 path and portable agree)").property(|ctx| {
                check_property(
                    ctx,
                    (
                        any::<[u8; 32]>(),
                        any::<[u8; 12]>(),
                        any::<u32>(),
                        proptest::collection::vec(any::<u8>(), 0..4096),
                    ),
                    |(key, nonce, ctr, data)| {
                        let (mut a, mut b) = (data.clone(), data);
                        chacha20_xor_with_backend(Backend::Native, &key, &nonce, ctr, &mut a);
                        chacha20_xor_with_backend(Backend::Portable, &key, &nonce, ctr, &mut b);
                        prop_assert_eq!(a, b);
                        Ok(())
                    },
                )
            }),
    ]
}
