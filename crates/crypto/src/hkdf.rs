//! HKDF (RFC 5869): extract-then-expand key derivation over HMAC.
//!
//! ```
//! use handshake_crypto::{hkdf, Sha256};
//! let prk = hkdf::extract::<Sha256>(b"salt", b"input key material");
//! let mut okm = [0u8; 42];
//! hkdf::expand::<Sha256>(&prk, b"context", &mut okm).unwrap();
//! ```

use zeroize::Zeroize;

use crate::{Error, HashFunction, Hmac};

/// HKDF-Extract(salt, IKM) = HMAC-Hash(salt, IKM) (RFC 5869 §2.2). An empty salt
/// means HashLen zero bytes, which HMAC's zero padding of short keys gives for free.
pub fn extract<H: HashFunction>(salt: &[u8], ikm: &[u8]) -> H::Output {
    let mut m = Hmac::<H>::new(salt);
    m.update(ikm);
    m.finalize()
}

/// HKDF-Expand(PRK, info, L) into `okm`, L = `okm.len()` (RFC 5869 §2.3).
///
/// Fails with [`Error::OutputTooLong`] when L > 255 * HashLen.
pub fn expand<H: HashFunction>(prk: &[u8], info: &[u8], okm: &mut [u8]) -> Result<(), Error> {
    if okm.len() > 255 * H::OUTPUT_LEN {
        return Err(Error::OutputTooLong);
    }
    let keyed = Hmac::<H>::new(prk);
    let mut t: Option<H::Output> = None;
    for (i, chunk) in okm.chunks_mut(H::OUTPUT_LEN).enumerate() {
        // T(i) = HMAC-Hash(PRK, T(i-1) | info | i)
        let mut m = keyed.clone();
        if let Some(prev) = &t {
            m.update(prev.as_ref());
        }
        m.update(info);
        m.update(&[(i + 1) as u8]);
        let out = m.finalize();
        chunk.copy_from_slice(&out.as_ref()[..chunk.len()]);
        if let Some(prev) = t.as_mut() {
            prev.as_mut().zeroize();
        }
        t = Some(out);
    }
    if let Some(prev) = t.as_mut() {
        prev.as_mut().zeroize();
    }
    Ok(())
}

/// Extract then expand in one call.
pub fn derive<H: HashFunction>(
    salt: &[u8],
    ikm: &[u8],
    info: &[u8],
    okm: &mut [u8],
) -> Result<(), Error> {
    let mut prk = extract::<H>(salt, ikm);
    let r = expand::<H>(prk.as_ref(), info, okm);
    prk.as_mut().zeroize();
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Sha256, Sha384};
    use alloc::vec::Vec;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn rfc5869_case1() {
        let ikm = [0x0b; 22];
        let salt = h("000102030405060708090a0b0c");
        let info = h("f0f1f2f3f4f5f6f7f8f9");
        let prk = extract::<Sha256>(&salt, &ikm);
        assert_eq!(
            prk.to_vec(),
            h("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5")
        );
        let mut okm = [0u8; 42];
        expand::<Sha256>(&prk, &info, &mut okm).unwrap();
        assert_eq!(
            okm.to_vec(),
            h("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
        );
    }

    #[test]
    fn rfc5869_case2_long() {
        let ikm: Vec<u8> = (0x00..=0x4f).collect();
        let salt: Vec<u8> = (0x60..=0xaf).collect();
        let info: Vec<u8> = (0xb0..=0xff).collect();
        let mut okm = [0u8; 82];
        derive::<Sha256>(&salt, &ikm, &info, &mut okm).unwrap();
        assert_eq!(okm.to_vec(), h("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"));
    }

    #[test]
    fn rfc5869_case3_empty_salt_info() {
        let ikm = [0x0b; 22];
        let prk = extract::<Sha256>(&[], &ikm);
        assert_eq!(
            prk.to_vec(),
            h("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04")
        );
        let mut okm = [0u8; 42];
        expand::<Sha256>(&prk, &[], &mut okm).unwrap();
        assert_eq!(
            okm.to_vec(),
            h("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
        );
    }

    #[test]
    fn too_long_rejected_and_max_accepted() {
        let prk = [1u8; 48];
        let mut big = alloc::vec![0u8; 255 * 48 + 1];
        assert_eq!(
            expand::<Sha384>(&prk, b"", &mut big),
            Err(Error::OutputTooLong)
        );
        assert!(expand::<Sha384>(&prk, b"", &mut big[..255 * 48]).is_ok());
    }

    #[test]
    fn matches_ring() {
        struct Len(usize);
        impl ring::hkdf::KeyType for Len {
            fn len(&self) -> usize {
                self.0
            }
        }
        for len in [1usize, 31, 32, 33, 64, 100, 255] {
            let salt = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, b"salty");
            let prk = salt.extract(b"ikm ikm");
            let info: &[&[u8]] = &[b"inf", b"o"];
            let mut want = alloc::vec![0u8; len];
            prk.expand(info, Len(len)).unwrap().fill(&mut want).unwrap();
            let mut got = alloc::vec![0u8; len];
            derive::<Sha256>(b"salty", b"ikm ikm", b"info", &mut got).unwrap();
            assert_eq!(got, want);
        }
    }
}
