//! The ChaCha20-Poly1305 AEAD (RFC 8439 §2.8).

use zeroize::Zeroize;

use crate::chacha20::{self, initial_state};
use crate::{Aead, Backend, Error, Poly1305};

/// ChaCha20-Poly1305 (RFC 8439 §2.8): 32-byte key, 12-byte nonce, 16-byte tag.
///
/// ```
/// use handshake_crypto::{Aead, ChaCha20Poly1305};
/// let aead = ChaCha20Poly1305::new(&[0x42; 32]).unwrap();
/// let sealed = aead.seal(&[0; 12], b"", b"data").unwrap();
/// assert_eq!(sealed.len(), 4 + 16);
/// assert!(aead.open(&[1; 12], b"", &sealed).is_err());
/// ```
#[derive(Clone, Zeroize)]
#[zeroize(drop)]
pub struct ChaCha20Poly1305 {
    key: [u8; 32],
    #[zeroize(skip)]
    avx2: bool,
    /// AVX2 and BMI2: the stitched seal (`x86::chacha_avx2::seal_stitched`).
    #[zeroize(skip)]
    stitch: bool,
}

impl core::fmt::Debug for ChaCha20Poly1305 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChaCha20Poly1305")
            .field("avx2", &self.avx2)
            .finish_non_exhaustive()
    }
}

impl ChaCha20Poly1305 {
    /// Keys the AEAD on `backend` (AVX2 ChaCha20 when [`Backend::Native`] and present).
    pub fn new_with_backend(backend: Backend, key: &[u8]) -> Result<Self, Error> {
        let key: [u8; 32] = key.try_into().map_err(|_| Error::InvalidKeyLength)?;
        Ok(ChaCha20Poly1305 {
            key,
            avx2: chacha20::use_avx2(backend),
            stitch: use_stitch(backend),
        })
    }

    /// True when ChaCha20 runs on AVX2.
    pub fn is_accelerated(&self) -> bool {
        self.avx2
    }

    /// The Poly1305 one-time key: the first 32 bytes of block 0 (RFC 8439 §2.6), and
    /// the state for block 1 onwards.
    fn setup(&self, nonce: &[u8; 12]) -> (Poly1305, [u32; 16]) {
        let mut s = initial_state(&self.key, 0, nonce);
        let mut b0 = chacha20::block(&s);
        let otk: &[u8; 32] = b0[..32].try_into().expect("32 bytes");
        let mac = Poly1305::new(otk);
        crate::ct::wipe(&mut b0);
        s[12] = 1;
        (mac, s)
    }

    /// Messages of at most 448 bytes on AVX2: one eight-block pass gives the
    /// Poly1305 key (block 0) and the keystream of blocks 1..=7.
    fn short(&self, nonce: &[u8; 12], len: usize) -> Option<(Poly1305, [u8; 512])> {
        if len > 448 {
            return None;
        }
        let mut s = initial_state(&self.key, 0, nonce);
        let ks = chacha20::keystream_group(self.avx2, &s);
        crate::ct::wipe(&mut s);
        let ks = ks?;
        let otk: &[u8; 32] = ks[..32].try_into().expect("32 bytes");
        Some((Poly1305::new(otk), ks))
    }

    fn tag(mut mac: Poly1305, aad: &[u8], ct: &[u8]) -> [u8; 16] {
        mac.update_padded(aad);
        mac.update_padded(ct);
        let mut lens = [0u8; 16];
        lens[..8].copy_from_slice(&(aad.len() as u64).to_le_bytes());
        lens[8..].copy_from_slice(&(ct.len() as u64).to_le_bytes());
        mac.update(&lens);
        mac.finalize()
    }

    /// Pads the ciphertext, appends the lengths and finishes the tag (RFC 8439 §2.8).
    fn finish(mut mac: Poly1305, aad_len: usize, ct_len: usize) -> [u8; 16] {
        mac.update_padded(&[]);
        let mut lens = [0u8; 16];
        lens[..8].copy_from_slice(&(aad_len as u64).to_le_bytes());
        lens[8..].copy_from_slice(&(ct_len as u64).to_le_bytes());
        mac.update(&lens);
        mac.finalize()
    }

    /// Largest message: 2^32 - 1 blocks of keystream after the one-time key block
    /// (RFC 8439 §2.8 "up to 274,877,906,880 bytes").
    const MAX_LEN: u64 = ((1u64 << 32) - 1) * 64;
}

/// True when `backend` has AVX2 and BMI2, for the stitched seal.
fn use_stitch(backend: Backend) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        crate::backend::Features::for_backend(backend).avx2_bmi2()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = backend;
        false
    }
}

/// Encrypt-then-MAC in chunks so the MAC reads the ciphertext while it is in L1.
const CHUNK: usize = 4096;

impl Aead for ChaCha20Poly1305 {
    /// Keys the AEAD on the default backend; the key is 32 bytes.
    fn new(key: &[u8]) -> Result<Self, Error> {
        ChaCha20Poly1305::new_with_backend(Backend::auto(), key)
    }

    fn seal_in_place_detached(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<[u8; 16], Error> {
        if in_out.len() as u64 > Self::MAX_LEN {
            return Err(Error::InvalidLength);
        }
        if let Some((mac, mut ks)) = self.short(nonce, in_out.len()) {
            for (x, k) in in_out.iter_mut().zip(&ks[64..]) {
                *x ^= k;
            }
            crate::ct::wipe(&mut ks);
            return Ok(Self::tag(mac, aad, in_out));
        }
        let (mut mac, mut s) = self.setup(nonce);
        mac.update_padded(aad);
        #[cfg(target_arch = "x86_64")]
        if self.stitch && in_out.len() >= 512 {
            let (h, r) = mac.raw_parts().expect("block-aligned after padding");
            let done = crate::x86::chacha_avx2::seal_stitched(
                crate::backend::Features::detected(),
                &s,
                in_out,
                h,
                r,
            );
            s[12] = s[12].wrapping_add((done / 64) as u32);
            let rest = &mut in_out[done..];
            chacha20::xor_with(true, &s, rest);
            mac.update(rest);
            crate::ct::wipe(&mut s);
            return Ok(Self::finish(mac, aad.len(), in_out.len()));
        }
        for chunk in in_out.chunks_mut(CHUNK) {
            chacha20::xor_with(self.avx2, &s, chunk);
            s[12] = s[12].wrapping_add((CHUNK / 64) as u32);
            mac.update(chunk);
        }
        crate::ct::wipe(&mut s);
        Ok(Self::finish(mac, aad.len(), in_out.len()))
    }

    fn open_in_place_detached(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &[u8],
    ) -> Result<(), Error> {
        if in_out.len() as u64 > Self::MAX_LEN {
            return Err(Error::AuthenticationFailed);
        }
        if let Some((mac, mut ks)) = self.short(nonce, in_out.len()) {
            let expected = Self::tag(mac, aad, in_out);
            let ok = crate::ct_eq(&expected, tag);
            if ok {
                for (x, k) in in_out.iter_mut().zip(&ks[64..]) {
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
        let (mac, mut s) = self.setup(nonce);
        let expected = Self::tag(mac, aad, in_out);
        if !crate::ct_eq(&expected, tag) {
            crate::ct::wipe(&mut s);
            return Err(Error::AuthenticationFailed);
        }
        chacha20::xor_with(self.avx2, &s, in_out);
        crate::ct::wipe(&mut s);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn rfc8439_2_8_2() {
        let key = h("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        let nonce: [u8; 12] = h("070000004041424344454647").try_into().unwrap();
        let aad = h("50515253c0c1c2c3c4c5c6c7");
        let pt = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
        let ct = h("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116");
        let tag = h("1ae10b594f09e26a7e902ecbd0600691");
        for backend in [Backend::Portable, Backend::Native] {
            let aead = ChaCha20Poly1305::new_with_backend(backend, &key).unwrap();
            let mut buf = pt.to_vec();
            let t = aead.seal_in_place_detached(&nonce, &aad, &mut buf).unwrap();
            assert_eq!(buf, ct);
            assert_eq!(t.to_vec(), tag);
            aead.open_in_place_detached(&nonce, &aad, &mut buf, &t)
                .unwrap();
            assert_eq!(buf, pt);
        }
    }

    #[test]
    fn matches_ring() {
        let key: Vec<u8> = (0..32u8).map(|i| i.wrapping_mul(29)).collect();
        let fast = ChaCha20Poly1305::new_with_backend(Backend::Native, &key).unwrap();
        let soft = ChaCha20Poly1305::new_with_backend(Backend::Portable, &key).unwrap();
        for len in [
            0usize, 1, 15, 16, 17, 63, 64, 65, 511, 512, 513, 4095, 4096, 4097, 9000,
        ] {
            let nonce: [u8; 12] = core::array::from_fn(|i| (i + len) as u8);
            let aad: Vec<u8> = (0..(len % 29)).map(|i| i as u8).collect();
            let pt: Vec<u8> = (0..len).map(|i| (i * 3) as u8).collect();
            let want = crate::gcm::tests::ring_seal(
                &ring::aead::CHACHA20_POLY1305,
                &key,
                nonce,
                &aad,
                &pt,
            );
            assert_eq!(fast.seal(&nonce, &aad, &pt).unwrap(), want, "len {len}");
            assert_eq!(soft.seal(&nonce, &aad, &pt).unwrap(), want, "len {len}");
            assert_eq!(fast.open(&nonce, &aad, &want).unwrap(), pt);
            let mut bad = want.clone();
            bad[len / 2] ^= 4;
            assert_eq!(
                soft.open(&nonce, &aad, &bad),
                Err(Error::AuthenticationFailed)
            );
        }
    }
}
