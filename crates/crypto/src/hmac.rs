//! HMAC (RFC 2104) over the SHA-2 family.

use crate::{Backend, Error, HashFunction, Sha256, Sha384, Sha512};

/// RFC 2104 §5: a truncated output is "not less than 80 bits".
pub const MIN_TRUNCATED_LEN: usize = 10;

/// HMAC-H (RFC 2104): H((K ^ opad) || H((K ^ ipad) || text)).
///
/// Keys longer than the block size are hashed first (RFC 2104 §2); the keyed inner
/// and outer hash states are computed once and cloned per message.
///
/// ```
/// use handshake_crypto::HmacSha256;
/// let tag = HmacSha256::mac(b"key", b"The quick brown fox jumps over the lazy dog");
/// assert_eq!(tag[..4], [0xf7, 0xbc, 0x83, 0xf4]);
/// let mut m = HmacSha256::new(b"key");
/// m.update(b"The quick brown fox ");
/// m.update(b"jumps over the lazy dog");
/// assert!(m.verify(&tag));
/// ```
#[derive(Clone)]
pub struct Hmac<H: HashFunction> {
    inner: H,
    outer: H,
}

/// HMAC-SHA256.
pub type HmacSha256 = Hmac<Sha256>;
/// HMAC-SHA384.
pub type HmacSha384 = Hmac<Sha384>;
/// HMAC-SHA512.
pub type HmacSha512 = Hmac<Sha512>;

impl<H: HashFunction> Hmac<H> {
    /// Keys an HMAC with the default backend.
    pub fn new(key: &[u8]) -> Self {
        Self::new_with_backend(Backend::auto(), key)
    }

    /// Keys an HMAC whose hash runs on `backend`.
    pub fn new_with_backend(backend: Backend, key: &[u8]) -> Self {
        let mut block = [0u8; 128];
        let block = &mut block[..H::BLOCK_LEN];
        if key.len() > H::BLOCK_LEN {
            let mut h = H::new_with_backend(backend);
            h.update(key);
            let mut d = h.finalize();
            block[..H::OUTPUT_LEN].copy_from_slice(d.as_ref());
            crate::ct::wipe(d.as_mut());
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        for b in block.iter_mut() {
            *b ^= 0x36;
        }
        let mut inner = H::new_with_backend(backend);
        inner.update(block);
        for b in block.iter_mut() {
            *b ^= 0x36 ^ 0x5c;
        }
        let mut outer = H::new_with_backend(backend);
        outer.update(block);
        crate::ct::wipe(block);
        Hmac { inner, outer }
    }

    /// The keyed inner and outer hash states (for the constant-time TLS CBC MAC).
    pub(crate) fn keyed_states(&self) -> (&H, &H) {
        (&self.inner, &self.outer)
    }

    /// Absorbs more message bytes.
    pub fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }

    /// Finishes and returns the tag.
    pub fn finalize(self) -> H::Output {
        let Hmac { inner, mut outer } = self;
        let mut ih = inner.finalize();
        outer.update(ih.as_ref());
        crate::ct::wipe(ih.as_mut());
        outer.finalize()
    }

    /// Finishes and compares with `tag` in constant time. `tag` must be the full
    /// output (`H::OUTPUT_LEN` bytes); any other length never verifies. A truncated
    /// MAC is checked only by [`Hmac::verify_truncated`], which names its length.
    pub fn verify(self, tag: &[u8]) -> bool {
        let mac = self.finalize();
        tag.len() == H::OUTPUT_LEN && crate::ct_eq(mac.as_ref(), tag)
    }

    /// The shortest truncation [`Hmac::verify_truncated`] accepts: RFC 2104 §5, "not
    /// less than half the length of the hash output ... and not less than 80 bits"
    /// (16 bytes for SHA-256, 24 for SHA-384, 32 for SHA-512).
    pub fn min_truncated_len() -> usize {
        MIN_TRUNCATED_LEN.max(H::OUTPUT_LEN.div_ceil(2))
    }

    /// Finishes and compares the leftmost `len` bytes of the MAC with `tag` in
    /// constant time (RFC 2104 §5). `len` is the protocol's agreed tag length, not
    /// whatever the peer sent: [`Error::InvalidLength`] when `len` is below
    /// [`Hmac::min_truncated_len`] or above the output length, or `tag` is not `len`
    /// bytes; [`Error::AuthenticationFailed`] when the tag is wrong.
    ///
    /// ```
    /// use handshake_crypto::{Error, HmacSha256};
    /// let tag = HmacSha256::mac(b"key", b"msg");
    /// let m = HmacSha256::new(b"key");
    /// let mut m2 = m.clone();
    /// m2.update(b"msg");
    /// assert_eq!(m2.verify_truncated(&tag[..16], 16), Ok(()));
    /// // One byte, or ten of SHA-256's 32, is too short to mean anything.
    /// assert_eq!(m.clone().verify_truncated(&tag[..1], 1), Err(Error::InvalidLength));
    /// assert_eq!(m.verify_truncated(&tag[..10], 10), Err(Error::InvalidLength));
    /// ```
    pub fn verify_truncated(self, tag: &[u8], len: usize) -> Result<(), Error> {
        let mac = self.finalize();
        if len < Self::min_truncated_len() || len > H::OUTPUT_LEN || tag.len() != len {
            return Err(Error::InvalidLength);
        }
        if crate::ct_eq(&mac.as_ref()[..len], tag) {
            Ok(())
        } else {
            Err(Error::AuthenticationFailed)
        }
    }

    /// One-shot HMAC of `data` under `key`.
    pub fn mac(key: &[u8], data: &[u8]) -> H::Output {
        let mut m = Self::new(key);
        m.update(data);
        m.finalize()
    }
}

impl<H: HashFunction> core::fmt::Debug for Hmac<H> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Hmac").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    /// RFC 4231 §4: (key, data, SHA-256, SHA-384, SHA-512); case 5 is truncated to 128 bits.
    type Rfc4231 = (Vec<u8>, Vec<u8>, &'static str, &'static str, &'static str);

    fn rfc4231() -> Vec<Rfc4231> {
        vec![
            (
                vec![0x0b; 20],
                b"Hi There".to_vec(),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
                "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
                "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
            ),
            (
                vec![0xaa; 20],
                vec![0xdd; 50],
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
                "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
                "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
            ),
            (
                h("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                vec![0xcd; 50],
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
                "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
                "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
            ),
            (
                vec![0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
                "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
            ),
            (
                vec![0xaa; 131],
                b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
                "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
                "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
            ),
        ]
    }

    #[test]
    fn rfc4231_vectors() {
        for (key, data, s256, s384, s512) in rfc4231() {
            for backend in [Backend::Portable, Backend::Native] {
                let mut m = HmacSha256::new_with_backend(backend, &key);
                m.update(&data);
                assert_eq!(m.finalize().to_vec(), h(s256));
            }
            assert_eq!(HmacSha384::mac(&key, &data).to_vec(), h(s384));
            assert_eq!(HmacSha512::mac(&key, &data).to_vec(), h(s512));
        }
    }

    #[test]
    fn rfc4231_case5_truncated() {
        let key = [0x0c; 20];
        let data = b"Test With Truncation";
        let mut m = HmacSha256::new(&key);
        m.update(data);
        // A truncated tag passed to `verify` no longer verifies: full length only.
        assert!(!m.clone().verify(&h("a3b6167473100ee06e0c796c2955552b")));
        assert_eq!(
            m.clone()
                .verify_truncated(&h("a3b6167473100ee06e0c796c2955552b"), 16),
            Ok(())
        );
        assert_eq!(
            m.verify_truncated(&h("a3b6167473100ee06e0c796c2955552c"), 16),
            Err(Error::AuthenticationFailed)
        );
        let mut m = HmacSha512::new(&key);
        m.update(data);
        // 16 bytes is less than half of SHA-512's 64: refused (RFC 2104 §5).
        assert_eq!(
            m.verify_truncated(&h("415fad6271580a531d4179bc891d87a6"), 16),
            Err(Error::InvalidLength)
        );
    }

    /// A 1-byte tag used to verify (about 1 in 256 forgeries accepted).
    #[test]
    fn short_tags_are_refused() {
        let tag = HmacSha256::mac(b"k", b"m");
        let keyed = || {
            let mut m = HmacSha256::new(b"k");
            m.update(b"m");
            m
        };
        assert!(keyed().verify(&tag));
        for len in 0..32 {
            assert!(!keyed().verify(&tag[..len]), "verify took {len} bytes");
        }
        assert_eq!(HmacSha256::min_truncated_len(), 16);
        assert_eq!(HmacSha384::min_truncated_len(), 24);
        assert_eq!(HmacSha512::min_truncated_len(), 32);
        for len in 0..16 {
            assert_eq!(
                keyed().verify_truncated(&tag[..len], len),
                Err(Error::InvalidLength)
            );
        }
        for len in 16..=32 {
            assert_eq!(keyed().verify_truncated(&tag[..len], len), Ok(()));
        }
        // The length is named by the caller, not taken from the tag.
        assert_eq!(
            keyed().verify_truncated(&tag[..16], 20),
            Err(Error::InvalidLength)
        );
    }

    #[test]
    fn matches_ring() {
        let msg: Vec<u8> = (0..700u32).map(|i| (i * 31) as u8).collect();
        for klen in [0usize, 1, 32, 63, 64, 65, 127, 128, 129, 200] {
            let key = &msg[..klen];
            for mlen in [0usize, 1, 64, 100, 700] {
                let m = &msg[100..100 + mlen.min(600)];
                let r = ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key), m);
                assert_eq!(&HmacSha256::mac(key, m)[..], r.as_ref());
                let r = ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA384, key), m);
                assert_eq!(&HmacSha384::mac(key, m)[..], r.as_ref());
                let r = ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA512, key), m);
                assert_eq!(&HmacSha512::mac(key, m)[..], r.as_ref());
            }
        }
    }
}
