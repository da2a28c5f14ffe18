//! AES-GCM (NIST SP 800-38D): CTR encryption with inc32 plus GHASH.

use zeroize::Zeroize;

use crate::ghash::GhashKey;
use crate::{Aead, Aes, Backend, Error};

/// SP 800-38D §5.2.1.1: len(P) <= 2^39 - 256 bits.
const MAX_PLAINTEXT: u64 = (1 << 36) - 32;

/// SP 800-38D §5.2.1.1's limit on the plaintext, checked before anything is
/// encrypted.
fn check_plaintext_len(len: usize) -> Result<(), Error> {
    if len as u64 > MAX_PLAINTEXT {
        Err(Error::InvalidLength)
    } else {
        Ok(())
    }
}

/// Messages up to this long take the one-CTR-call path.
const SHORT: usize = 112;

/// Data is encrypted and hashed in chunks of this size so that the second pass reads
/// from L1.
const CHUNK: usize = 2048;

/// AES-128-GCM or AES-256-GCM (chosen by the key length), with 128-bit tags.
///
/// Nonces of 96 bits use J0 = IV || 0^31 || 1; other lengths (the `*_with_nonce`
/// methods) use the GHASH-derived J0 of SP 800-38D §7.1 step 2.
///
/// ```
/// use handshake_crypto::{Aead, AesGcm};
/// let gcm = AesGcm::new(&[0u8; 16]).unwrap();
/// // McGrew-Viega test case 1: empty message, all-zero key and IV.
/// let tag = gcm.seal_in_place_detached(&[0u8; 12], b"", &mut []).unwrap();
/// assert_eq!(tag[..4], [0x58, 0xe2, 0xfc, 0xce]);
/// ```
#[derive(Clone)]
pub struct AesGcm {
    aes: Aes,
    ghash: GhashKey,
}

impl core::fmt::Debug for AesGcm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AesGcm")
            .field("accelerated", &self.is_accelerated())
            .finish_non_exhaustive()
    }
}

impl AesGcm {
    /// Keys AES-GCM on `backend`: AES-NI/VAES and PCLMULQDQ/VPCLMULQDQ when
    /// [`Backend::Native`] and the CPU has them, the bitsliced AES and ctmul64 GHASH
    /// otherwise.
    pub fn new_with_backend(backend: Backend, key: &[u8]) -> Result<AesGcm, Error> {
        let aes = Aes::new_with_backend(backend, key)?;
        let mut h = [0u8; 16];
        aes.encrypt_block(&mut h);
        let ghash = GhashKey::new(backend, &h);
        h.zeroize();
        Ok(AesGcm { aes, ghash })
    }

    /// True when both AES and GHASH run on CPU instructions.
    pub fn is_accelerated(&self) -> bool {
        self.aes.is_accelerated() && self.ghash.is_accelerated()
    }

    fn j0(&self, nonce: &[u8]) -> Result<[u8; 16], Error> {
        if nonce.is_empty() {
            return Err(Error::InvalidNonceLength);
        }
        let mut j0 = [0u8; 16];
        if nonce.len() == 12 {
            j0[..12].copy_from_slice(nonce);
            j0[15] = 1;
        } else {
            // J0 = GHASH(IV || 0^(s+64) || [len(IV)]_64)
            self.ghash.update(&mut j0, nonce);
            let mut lens = [0u8; 16];
            lens[8..].copy_from_slice(&((nonce.len() as u64) * 8).to_be_bytes());
            self.ghash.update(&mut j0, &lens);
        }
        Ok(j0)
    }

    fn inc32(cb: [u8; 16]) -> [u8; 16] {
        Self::add32(cb, 1)
    }

    /// Adds `n` to the last 32 bits of a counter block, modulo 2^32.
    fn add32(mut cb: [u8; 16], n: u32) -> [u8; 16] {
        let c = u32::from_be_bytes([cb[12], cb[13], cb[14], cb[15]]).wrapping_add(n);
        cb[12..].copy_from_slice(&c.to_be_bytes());
        cb
    }

    /// Short messages: E(J0) and the data keystream in one CTR call (the blocks are
    /// independent, so the AES units work on them in parallel). Returns E(J0) and
    /// leaves the data XORed with its keystream.
    fn short_ctr(&self, j0: &[u8; 16], data: &mut [u8]) -> [u8; 16] {
        let mut ks = [0u8; 16 + SHORT];
        let n = 16 + data.len().div_ceil(16) * 16;
        self.aes.ctr32_xor(j0, &mut ks[..n]);
        for (x, k) in data.iter_mut().zip(&ks[16..]) {
            *x ^= k;
        }
        let mut ek0 = [0u8; 16];
        ek0.copy_from_slice(&ks[..16]);
        crate::ct::wipe(&mut ks);
        ek0
    }

    /// GHASH of the lengths block, then T = S ^ E(J0).
    fn tag_with(&self, ek0: &[u8; 16], mut s: [u8; 16], aad_len: usize, ct_len: usize) -> [u8; 16] {
        let mut lens = [0u8; 16];
        lens[..8].copy_from_slice(&((aad_len as u64) * 8).to_be_bytes());
        lens[8..].copy_from_slice(&((ct_len as u64) * 8).to_be_bytes());
        self.ghash.update(&mut s, &lens);
        for (x, k) in s.iter_mut().zip(ek0) {
            *x ^= k;
        }
        s
    }

    /// T = MSB_t(GCTR_K(J0, S)) = E(J0) ^ S' (S' = S after the lengths
    /// block): one block encrypted, then [`Self::tag_with`].
    fn finish_tag(&self, j0: &[u8; 16], s: [u8; 16], aad_len: usize, ct_len: usize) -> [u8; 16] {
        let mut ek0 = *j0;
        self.aes.encrypt_block(&mut ek0);
        let tag = self.tag_with(&ek0, s, aad_len, ct_len);
        crate::ct::wipe(&mut ek0);
        tag
    }

    /// Seals with a nonce of any non-zero length; returns the 16-byte tag.
    pub fn seal_in_place_detached_with_nonce(
        &self,
        nonce: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<[u8; 16], Error> {
        check_plaintext_len(in_out.len())?;
        let j0 = self.j0(nonce)?;
        #[cfg(target_arch = "x86_64")]
        if let (Some(k), Some(t)) = (self.aes.ni_key(), self.ghash.clmul_table()) {
            if let Some(tag) = crate::x86::gcm::seal_short(k, t, &j0, aad, in_out)
                .or_else(|| crate::x86::gcm::seal_long(k, t, &j0, aad, in_out))
            {
                return Ok(tag);
            }
        }
        let mut s = [0u8; 16];
        self.ghash.update(&mut s, aad);
        if in_out.len() <= SHORT {
            let mut ek0 = self.short_ctr(&j0, in_out);
            self.ghash.update(&mut s, in_out);
            let tag = self.tag_with(&ek0, s, aad.len(), in_out.len());
            crate::ct::wipe(&mut ek0);
            return Ok(tag);
        }
        let mut cb = Self::inc32(j0);
        #[allow(unused_mut)]
        let mut done = 0;
        #[cfg(target_arch = "x86_64")]
        if let (Some(k), Some(t)) = (self.aes.ni_key(), self.ghash.clmul_table()) {
            done = crate::x86::gcm::seal(k, t, &cb, &mut s, in_out);
            cb = Self::add32(cb, (done / 16) as u32);
        }
        for chunk in in_out[done..].chunks_mut(CHUNK) {
            self.aes.ctr32_xor(&cb, chunk);
            self.ghash.update(&mut s, chunk);
            cb = Self::add32(cb, (CHUNK / 16) as u32);
        }
        Ok(self.finish_tag(&j0, s, aad.len(), in_out.len()))
    }

    /// Opens with a nonce of any non-zero length. The tag must be 16 bytes; it is
    /// checked in constant time before anything is decrypted.
    pub fn open_in_place_detached_with_nonce(
        &self,
        nonce: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &[u8],
    ) -> Result<(), Error> {
        if in_out.len() as u64 > MAX_PLAINTEXT {
            return Err(Error::AuthenticationFailed);
        }
        let j0 = self.j0(nonce)?;
        #[cfg(target_arch = "x86_64")]
        if let (Some(k), Some(t), Ok(tag)) = (
            self.aes.ni_key(),
            self.ghash.clmul_table(),
            <&[u8; 16]>::try_from(tag),
        ) {
            let short = crate::x86::gcm::open_short(k, t, &j0, aad, in_out, tag);
            match short.or_else(|| crate::x86::gcm::open_long(k, t, &j0, aad, in_out, tag)) {
                Some(true) => return Ok(()),
                Some(false) => return Err(Error::AuthenticationFailed),
                None => {}
            }
        }
        let mut s = [0u8; 16];
        self.ghash.update(&mut s, aad);
        if in_out.len() <= SHORT {
            self.ghash.update(&mut s, in_out);
            let mut ks = [0u8; SHORT];
            let mut ek0 = self.short_ctr(&j0, &mut ks[..in_out.len()]);
            let expected = self.tag_with(&ek0, s, aad.len(), in_out.len());
            crate::ct::wipe(&mut ek0);
            let ok = crate::ct_eq(&expected, tag);
            if ok {
                for (x, k) in in_out.iter_mut().zip(&ks) {
                    *x ^= k;
                }
            }
            crate::ct::wipe(&mut ks);
            return if ok {
                Ok(())
            } else {
                Err(Error::AuthenticationFailed)
            };
        }
        let cb = Self::inc32(j0);
        // The stitched path hashes and decrypts the leading whole groups together.
        #[allow(unused_mut)]
        let mut done = 0;
        #[cfg(target_arch = "x86_64")]
        if let (Some(k), Some(t)) = (self.aes.ni_key(), self.ghash.clmul_table()) {
            done = crate::x86::gcm::open(k, t, &cb, &mut s, in_out);
        }
        self.ghash.update(&mut s, &in_out[done..]);
        let expected = self.finish_tag(&j0, s, aad.len(), in_out.len());
        if !crate::ct_eq(&expected, tag) {
            // Put back the ciphertext: no unauthenticated plaintext is released.
            self.aes.ctr32_xor(&cb, &mut in_out[..done]);
            return Err(Error::AuthenticationFailed);
        }
        self.aes
            .ctr32_xor(&Self::add32(cb, (done / 16) as u32), &mut in_out[done..]);
        Ok(())
    }
}

impl Aead for AesGcm {
    /// Keys AES-GCM on the default backend; the key is 16, 24 or 32 bytes.
    fn new(key: &[u8]) -> Result<AesGcm, Error> {
        AesGcm::new_with_backend(Backend::auto(), key)
    }

    fn seal_in_place_detached(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<[u8; 16], Error> {
        self.seal_in_place_detached_with_nonce(nonce, aad, in_out)
    }

    fn open_in_place_detached(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &[u8],
    ) -> Result<(), Error> {
        self.open_in_place_detached_with_nonce(nonce, aad, in_out, tag)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    /// ring's sealing of `pt`: the ciphertext with the tag appended, the
    /// independent answer the AEAD tests compare with.
    pub(crate) fn ring_seal(
        alg: &'static ring::aead::Algorithm,
        key: &[u8],
        nonce: [u8; 12],
        aad: &[u8],
        pt: &[u8],
    ) -> Vec<u8> {
        let rk = ring::aead::LessSafeKey::new(ring::aead::UnboundKey::new(alg, key).unwrap());
        let mut out = pt.to_vec();
        rk.seal_in_place_append_tag(
            ring::aead::Nonce::assume_unique_for_key(nonce),
            ring::aead::Aad::from(aad),
            &mut out,
        )
        .unwrap();
        out
    }

    /// McGrew and Viega, "The Galois/Counter Mode of Operation", test cases 1-6 and
    /// 13-18: (key, pt, aad, iv, ct, tag).
    pub(crate) fn mcgrew_viega() -> Vec<(
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    )> {
        const P: &str = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
        const A: &str = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
        vec![
            ("00000000000000000000000000000000", "", "", "000000000000000000000000", "", "58e2fccefa7e3061367f1d57a4e7455a"),
            ("00000000000000000000000000000000", "00000000000000000000000000000000", "", "000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf"),
            ("feffe9928665731c6d6a8f9467308308", "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255", "", "cafebabefacedbaddecaf888", "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985", "4d5c2af327cd64a62cf35abd2ba6fab4"),
            ("feffe9928665731c6d6a8f9467308308", P, A, "cafebabefacedbaddecaf888", "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091", "5bc94fbc3221a5db94fae95ae7121a47"),
            ("feffe9928665731c6d6a8f9467308308", P, A, "cafebabefacedbad", "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c742373806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598", "3612d2e79e3b0785561be14aaca2fccb"),
            ("feffe9928665731c6d6a8f9467308308", P, A, "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b", "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca701e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5", "619cc5aefffe0bfa462af43c1699d050"),
            ("0000000000000000000000000000000000000000000000000000000000000000", "", "", "000000000000000000000000", "", "530f8afbc74536b9a963b4f1c4cb738b"),
            ("0000000000000000000000000000000000000000000000000000000000000000", "00000000000000000000000000000000", "", "000000000000000000000000", "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"),
            ("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255", "", "cafebabefacedbaddecaf888", "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad", "b094dac5d93471bdec1a502270e3cc6c"),
            ("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", P, A, "cafebabefacedbaddecaf888", "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662", "76fc6ece0f4e1768cddf8853bb2d551b"),
            ("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", P, A, "cafebabefacedbad", "c3762df1ca787d32ae47c13bf19844cbaf1ae14d0b976afac52ff7d79bba9de0feb582d33934a4f0954cc2363bc73f7862ac430e64abe499f47c9b1f", "3a337dbf46a792c45e454913fe2ea8f2"),
            ("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", P, A, "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b", "5a8def2f0c9e53f1f75d7853659e2a20eeb2b22aafde6419a058ab4f6f746bf40fc0c3b780f244452da3ebf1c5d82cdea2418997200ef82e44ae7e3f", "a44a8266ee1c8eb0c8b5d4cf5ae9f19a"),
        ]
    }

    #[test]
    fn mcgrew_viega_vectors() {
        for (i, (key, pt, aad, iv, ct, tag)) in mcgrew_viega().into_iter().enumerate() {
            for backend in [Backend::Portable, Backend::Native] {
                let gcm = AesGcm::new_with_backend(backend, &h(key)).unwrap();
                let mut buf = h(pt);
                let t = gcm
                    .seal_in_place_detached_with_nonce(&h(iv), &h(aad), &mut buf)
                    .unwrap();
                assert_eq!(buf, h(ct), "case {i} {backend:?}");
                assert_eq!(t.to_vec(), h(tag), "case {i} {backend:?}");
                gcm.open_in_place_detached_with_nonce(&h(iv), &h(aad), &mut buf, &t)
                    .unwrap();
                assert_eq!(buf, h(pt));
                let mut bad = t;
                bad[15] ^= 1;
                let mut buf2 = h(ct);
                assert_eq!(
                    gcm.open_in_place_detached_with_nonce(&h(iv), &h(aad), &mut buf2, &bad),
                    Err(Error::AuthenticationFailed)
                );
                assert_eq!(buf2, h(ct), "ciphertext left alone on failure");
            }
        }
    }

    #[test]
    fn failed_open_leaves_ciphertext() {
        for backend in [Backend::Portable, Backend::Native] {
            let gcm = AesGcm::new_with_backend(backend, &[9u8; 32]).unwrap();
            for len in [300usize, 1000, 4096] {
                let mut buf: Vec<u8> = (0..len).map(|i| i as u8).collect();
                let mut tag = gcm
                    .seal_in_place_detached(&[1; 12], b"aad", &mut buf)
                    .unwrap();
                let ct = buf.clone();
                tag[0] ^= 1;
                let r = gcm.open_in_place_detached(&[1; 12], b"aad", &mut buf, &tag);
                assert_eq!(r, Err(Error::AuthenticationFailed));
                assert_eq!(buf, ct, "{backend:?} len {len}");
            }
        }
    }

    #[test]
    fn matches_ring_and_portable() {
        let mut s = 7u64;
        let mut next = move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 33) as u8
        };
        for klen in [16usize, 32] {
            let key: Vec<u8> = (0..klen).map(|_| next()).collect();
            let alg = if klen == 16 {
                &ring::aead::AES_128_GCM
            } else {
                &ring::aead::AES_256_GCM
            };
            let fast = AesGcm::new_with_backend(Backend::Native, &key).unwrap();
            let soft = AesGcm::new_with_backend(Backend::Portable, &key).unwrap();
            for len in [
                0usize, 1, 15, 16, 17, 100, 127, 128, 129, 255, 256, 257, 1000, 2047, 2048, 2049,
                4095, 5000,
            ] {
                let nonce: [u8; 12] = core::array::from_fn(|_| next());
                let aad: Vec<u8> = (0..(len % 37)).map(|_| next()).collect();
                let pt: Vec<u8> = (0..len).map(|_| next()).collect();
                let want = ring_seal(alg, &key, nonce, &aad, &pt);
                assert_eq!(
                    fast.seal(&nonce, &aad, &pt).unwrap(),
                    want,
                    "fast len {len}"
                );
                assert_eq!(
                    soft.seal(&nonce, &aad, &pt).unwrap(),
                    want,
                    "soft len {len}"
                );
                assert_eq!(fast.open(&nonce, &aad, &want).unwrap(), pt);
                assert_eq!(soft.open(&nonce, &aad, &want).unwrap(), pt);
            }
        }
    }

    /// The short path (x86: one batch of AES blocks, one GHASH reduction)
    /// against ring at every message length it takes and past it, and the
    /// long one (x86 with VAES: AAD, E(J0) and lengths around the stitched
    /// loop) at lengths around its 256-byte groups, with the AAD lengths
    /// around their limit of one block; and a wrong tag, AAD or ciphertext
    /// refused with the data left alone (put back, on the long path).
    #[test]
    fn short_messages_match_ring() {
        let key = [0x5au8; 16];
        for backend in [Backend::Native, Backend::Portable] {
            let gcm = AesGcm::new_with_backend(backend, &key).unwrap();
            for alen in [0usize, 1, 5, 13, 15, 16, 17, 40] {
                let long = [255, 256, 257, 300, 511, 512, 1024, 1039, 4101];
                for len in (0..=(SHORT + 17)).chain(long) {
                    let nonce: [u8; 12] = core::array::from_fn(|i| (i * 7 + len) as u8);
                    let aad: Vec<u8> = (0..alen).map(|i| (i * 3 + 1) as u8).collect();
                    let pt: Vec<u8> = (0..len).map(|i| (i * 5 + alen) as u8).collect();
                    let want = ring_seal(&ring::aead::AES_128_GCM, &key, nonce, &aad, &pt);
                    let at = format!("{backend:?} aad {alen} len {len}");
                    let sealed = gcm.seal(&nonce, &aad, &pt).unwrap();
                    assert_eq!(sealed, want, "{at}");
                    assert_eq!(gcm.open(&nonce, &aad, &want).unwrap(), pt, "{at}");
                    let (ct, tag) = want.split_at(len);
                    let mut bad_tag = tag.to_vec();
                    bad_tag[15] ^= 0x80;
                    let mut bad_aad = aad.clone();
                    bad_aad.push(0);
                    let mut buf = ct.to_vec();
                    for (a, t) in [(&aad, &bad_tag[..]), (&bad_aad, tag)] {
                        assert_eq!(
                            gcm.open_in_place_detached(&nonce, a, &mut buf, t),
                            Err(Error::AuthenticationFailed),
                            "{at}"
                        );
                        assert_eq!(buf, ct, "{at}: ciphertext left alone");
                    }
                    if len > 0 {
                        buf[len - 1] ^= 1;
                        assert_eq!(
                            gcm.open_in_place_detached(&nonce, &aad, &mut buf, tag),
                            Err(Error::AuthenticationFailed),
                            "{at}"
                        );
                    }
                }
            }
        }
    }

    /// Sealing an over-long message is an error, not a panic (it was an `expect`):
    /// the limit is 2^36 - 32 bytes (SP 800-38D §5.2.1.1). A 64 GiB buffer cannot be
    /// allocated in a test, so the check `seal_in_place_detached` runs first is
    /// exercised on its own; `Aead::seal*` return its error.
    #[test]
    fn overlong_seal_is_an_error() {
        assert_eq!(MAX_PLAINTEXT, (1u64 << 39) / 8 - 256 / 8);
        assert_eq!(check_plaintext_len(MAX_PLAINTEXT as usize), Ok(()));
        assert_eq!(
            check_plaintext_len(MAX_PLAINTEXT as usize + 1),
            Err(Error::InvalidLength)
        );
        assert_eq!(check_plaintext_len(usize::MAX), Err(Error::InvalidLength));
    }
}
