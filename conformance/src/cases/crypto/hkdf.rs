//! `crypto.hkdf.*`: HKDF (RFC 5869): the RFC's test cases and its output-length limit.

use crate::check::unhex;
use crate::{check, Case, Outcome};
use handshake_crypto::{hkdf, Error, Sha256};

/// The `crypto.hkdf.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must("crypto.hkdf.rfc5869-case1", "RFC 5869 §2.2, §2.3; Appendix A.1").vector(|_| {
                let prk =
                    hkdf::extract::<Sha256>(&unhex("000102030405060708090a0b0c"), &[0x0b; 22]);
                let mut okm = [0u8; 42];
                let r = hkdf::expand::<Sha256>(&prk, &unhex("f0f1f2f3f4f5f6f7f8f9"), &mut okm);
                Outcome::from(r.map_err(|e| e.to_string()).and_then(|()| {
                check::hex("PRK", &prk, "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5")?;
                check::hex("OKM", &okm, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
            }))
            }),
        Case::must("crypto.hkdf.rfc5869-case2-long", "RFC 5869 Appendix A.2 (80-byte inputs, L = 82)").vector(|_| {
                let ikm: Vec<u8> = (0x00..=0x4f).collect();
                let salt: Vec<u8> = (0x60..=0xaf).collect();
                let info: Vec<u8> = (0xb0..=0xff).collect();
                let mut okm = [0u8; 82];
                let r = hkdf::derive::<Sha256>(&salt, &ikm, &info, &mut okm);
                Outcome::from(r.map_err(|e| e.to_string()).and_then(|()| check::hex("OKM", &okm, "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87")))
            }),
        Case::must("crypto.hkdf.rfc5869-case3-empty-salt", "RFC 5869 §2.2 (salt not provided: HashLen zeros); Appendix A.3").vector(|_| {
                let prk = hkdf::extract::<Sha256>(&[], &[0x0b; 22]);
                let mut okm = [0u8; 42];
                let r = hkdf::expand::<Sha256>(&prk, &[], &mut okm);
                Outcome::from(r.map_err(|e| e.to_string()).and_then(|()| {
                check::hex("PRK", &prk, "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04")?;
                check::hex("OKM", &okm, "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
            }))
            }),
        Case::must("crypto.hkdf.output-limit", "RFC 5869 §2.3 (L <= 255*HashLen)").vector(|_| {
                let mut ok = vec![0u8; 255 * 32];
                let mut too_long = vec![0u8; 255 * 32 + 1];
                let a = hkdf::expand::<Sha256>(&[1; 32], b"", &mut ok);
                let b = hkdf::expand::<Sha256>(&[1; 32], b"", &mut too_long);
                check::ensure(a.is_ok() && b == Err(Error::OutputTooLong), || {
                    format!("255*HashLen: {a:?}, one more: {b:?}")
                })
            }),
    ]
}
