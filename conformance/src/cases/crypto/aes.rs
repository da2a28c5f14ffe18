//! `crypto.aes.*`: The AES block cipher (FIPS 197, SP 800-38A): known answers for every key size on both backends.

use super::support::*;
use crate::check::unhex;
use crate::{check, check_property, Case, Outcome};
use handshake_crypto::{Aes, Backend};
use proptest::prelude::*;

// ---------------------------------------------------------------- AES

fn aes_kat(key: &str, want: &str) -> Outcome {
    let pt: [u8; 16] = unhex("00112233445566778899aabbccddeeff")
        .try_into()
        .expect("16 bytes");
    Outcome::from(BACKENDS.iter().try_for_each(|&b| {
        let aes = Aes::new_with_backend(b, &unhex(key)).map_err(|e| e.to_string())?;
        let mut blk = pt;
        aes.encrypt_block(&mut blk);
        check::hex(&format!("AES {b:?}"), &blk, want)?;
        aes.decrypt_block(&mut blk);
        check::hex(
            &format!("AES^-1 {b:?}"),
            &blk,
            "00112233445566778899aabbccddeeff",
        )
    }))
}

/// The `crypto.aes.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must("crypto.aes.fips197-aes128", "FIPS 197 Appendix C.1").vector(|_| {
                aes_kat(
                    "000102030405060708090a0b0c0d0e0f",
                    "69c4e0d86a7b0430d8cdb78070b4c55a",
                )
            }),
        Case::must("crypto.aes.fips197-aes192", "FIPS 197 Appendix C.2").vector(|_| {
                aes_kat(
                    "000102030405060708090a0b0c0d0e0f1011121314151617",
                    "dda97ca4864cdfe06eaf70a0ec0d7191",
                )
            }),
        Case::must("crypto.aes.fips197-aes256", "FIPS 197 Appendix C.3").vector(|_| {
                aes_kat(
                    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                    "8ea2b7ca516745bfeafc49904b496089",
                )
            }),
        Case::must("crypto.aes.sp800-38a-cbc", "SP 800-38A §6.2; Appendix F.2.1-F.2.2").vector(|_| {
                let pt = unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
                let iv: [u8; 16] = unhex("000102030405060708090a0b0c0d0e0f")
                    .try_into()
                    .expect("16 bytes");
                Outcome::from(BACKENDS.iter().try_for_each(|&b| {
                let aes = Aes::new_with_backend(b, &unhex("2b7e151628aed2a6abf7158809cf4f3c")).map_err(|e| e.to_string())?;
                let mut buf = pt.clone();
                aes.cbc_encrypt(&iv, &mut buf).map_err(|e| e.to_string())?;
                check::hex(&format!("CBC {b:?}"), &buf, "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7")?;
                aes.cbc_decrypt(&iv, &mut buf).map_err(|e| e.to_string())?;
                check::hex(&format!("CBC^-1 {b:?}"), &buf, &hex::encode(&pt))
            }))
            }),
        Case::must("crypto.aes.backends-agree", "FIPS 197 §5.1, §5.3 (AES-NI and bitsliced agree)").property(|ctx| {
                check_property(
                    ctx,
                    (
                        proptest::collection::vec(any::<u8>(), 32),
                        any::<bool>(),
                        any::<[u8; 16]>(),
                    ),
                    |(key, short, block)| {
                        let key = if short { &key[..16] } else { &key[..] };
                        let fast = Aes::new_with_backend(Backend::Native, key).expect("valid key");
                        let soft =
                            Aes::new_with_backend(Backend::Portable, key).expect("valid key");
                        let (mut a, mut b) = (block, block);
                        fast.encrypt_block(&mut a);
                        soft.encrypt_block(&mut b);
                        prop_assert_eq!(a, b);
                        fast.decrypt_block(&mut a);
                        prop_assert_eq!(a, block);
                        Ok(())
                    },
                )
            }),
    ]
}
