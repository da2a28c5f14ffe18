//! AES-128, AES-192 and AES-256 (FIPS 197): AES-NI on x86-64, a bitsliced constant-time
//! implementation everywhere else.

mod soft;

use crate::{Backend, Error};

pub(crate) use soft::SoftKey;

/// An expanded AES key (AES-128, AES-192 or AES-256, chosen by the key length;
/// AES-192 always runs on the portable code).
///
/// ```
/// use handshake_crypto::Aes;
/// // FIPS 197 Appendix C.1.
/// let key: Vec<u8> = (0u8..16).collect();
/// let aes = Aes::new(&key).unwrap();
/// let mut block = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
///                  0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff];
/// aes.encrypt_block(&mut block);
/// assert_eq!(block[..4], [0x69, 0xc4, 0xe0, 0xd8]);
/// aes.decrypt_block(&mut block);
/// assert_eq!(block[0], 0x00);
/// ```
#[derive(Clone)]
pub struct Aes {
    inner: Inner,
}

#[derive(Clone)]
enum Inner {
    Soft(alloc::boxed::Box<SoftKey>),
    #[cfg(target_arch = "x86_64")]
    Ni(alloc::boxed::Box<crate::x86::aesni::NiKey>),
}

impl core::fmt::Debug for Aes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Aes")
            .field("accelerated", &self.is_accelerated())
            .finish_non_exhaustive()
    }
}

impl Aes {
    /// Expands a 16-byte (AES-128), 24-byte (AES-192, portable code only) or 32-byte
    /// (AES-256) key on the default backend.
    pub fn new(key: &[u8]) -> Result<Aes, Error> {
        Aes::new_with_backend(Backend::auto(), key)
    }

    /// Expands a key for `backend` (AES-NI when [`Backend::Native`] and available).
    pub fn new_with_backend(backend: Backend, key: &[u8]) -> Result<Aes, Error> {
        if key.len() != 16 && key.len() != 24 && key.len() != 32 {
            return Err(Error::InvalidKeyLength);
        }
        #[cfg(target_arch = "x86_64")]
        {
            let f = crate::backend::Features::for_backend(backend);
            // AES-192 (no TLS suite uses it) always runs on the portable code.
            if f.aes() && key.len() != 24 {
                return Ok(Aes {
                    inner: Inner::Ni(alloc::boxed::Box::new(crate::x86::aesni::NiKey::new(
                        key,
                        f.vaes(),
                    ))),
                });
            }
        }
        let _ = backend;
        Ok(Aes {
            inner: Inner::Soft(alloc::boxed::Box::new(SoftKey::new(key))),
        })
    }

    /// The AES-NI key, when this key runs on AES-NI.
    #[cfg(target_arch = "x86_64")]
    pub(crate) fn ni_key(&self) -> Option<&crate::x86::aesni::NiKey> {
        match &self.inner {
            Inner::Ni(k) => Some(k),
            Inner::Soft(_) => None,
        }
    }

    /// True when this key runs on AES-NI.
    pub fn is_accelerated(&self) -> bool {
        !matches!(self.inner, Inner::Soft(_))
    }

    /// Encrypts one 16-byte block in place.
    pub fn encrypt_block(&self, block: &mut [u8; 16]) {
        match &self.inner {
            Inner::Soft(k) => {
                let mut four = [*block, [0; 16], [0; 16], [0; 16]];
                k.encrypt4(&mut four);
                *block = four[0];
                crate::ct::wipe(&mut four);
            }
            #[cfg(target_arch = "x86_64")]
            Inner::Ni(k) => k.encrypt_block(block),
        }
    }

    /// Decrypts one 16-byte block in place.
    pub fn decrypt_block(&self, block: &mut [u8; 16]) {
        match &self.inner {
            Inner::Soft(k) => {
                let mut four = [*block, [0; 16], [0; 16], [0; 16]];
                k.decrypt4(&mut four);
                *block = four[0];
                crate::ct::wipe(&mut four);
            }
            #[cfg(target_arch = "x86_64")]
            Inner::Ni(k) => k.decrypt_block(block),
        }
    }

    /// XORs `data` with the CTR keystream E(cb), E(inc32(cb)), ... where inc32 adds
    /// one to the last 32 bits, big-endian, modulo 2^32 (SP 800-38D §6.2, §6.5).
    pub(crate) fn ctr32_xor(&self, counter_block: &[u8; 16], data: &mut [u8]) {
        match &self.inner {
            Inner::Soft(k) => soft_ctr32(k, counter_block, data),
            #[cfg(target_arch = "x86_64")]
            Inner::Ni(k) => k.ctr32_xor(counter_block, data),
        }
    }

    /// CBC-encrypts whole blocks in place (SP 800-38A §6.2); returns the last
    /// ciphertext block (the next IV). `data.len()` must be a multiple of 16.
    pub fn cbc_encrypt(&self, iv: &[u8; 16], data: &mut [u8]) -> Result<[u8; 16], Error> {
        if !data.len().is_multiple_of(16) {
            return Err(Error::InvalidLength);
        }
        let mut prev = *iv;
        for block in data.chunks_exact_mut(16) {
            let b: &mut [u8; 16] = block.try_into().expect("16 bytes");
            for (x, p) in b.iter_mut().zip(prev) {
                *x ^= p;
            }
            self.encrypt_block(b);
            prev = *b;
        }
        Ok(prev)
    }

    /// CBC-decrypts whole blocks in place; returns the last ciphertext block.
    /// `data.len()` must be a multiple of 16.
    pub fn cbc_decrypt(&self, iv: &[u8; 16], data: &mut [u8]) -> Result<[u8; 16], Error> {
        if !data.len().is_multiple_of(16) {
            return Err(Error::InvalidLength);
        }
        match &self.inner {
            Inner::Soft(k) => Ok(soft_cbc_decrypt(k, iv, data)),
            #[cfg(target_arch = "x86_64")]
            Inner::Ni(k) => Ok(k.cbc_decrypt(iv, data)),
        }
    }
}

fn soft_ctr32(k: &SoftKey, counter_block: &[u8; 16], data: &mut [u8]) {
    let ctr0 = u32::from_be_bytes([
        counter_block[12],
        counter_block[13],
        counter_block[14],
        counter_block[15],
    ]);
    let mut ctr = ctr0;
    for chunk in data.chunks_mut(64) {
        let mut ks = [*counter_block; 4];
        for b in ks.iter_mut() {
            b[12..].copy_from_slice(&ctr.to_be_bytes());
            ctr = ctr.wrapping_add(1);
        }
        k.encrypt4(&mut ks);
        for (x, s) in chunk.iter_mut().zip(ks.as_flattened()) {
            *x ^= s;
        }
        crate::ct::wipe(&mut ks);
    }
}

fn soft_cbc_decrypt(k: &SoftKey, iv: &[u8; 16], data: &mut [u8]) -> [u8; 16] {
    let mut prev = *iv;
    for chunk in data.chunks_mut(64) {
        let n = chunk.len() / 16;
        let mut blocks = [[0u8; 16]; 4];
        for (b, c) in blocks.iter_mut().zip(chunk.chunks_exact(16)) {
            b.copy_from_slice(c);
        }
        let ct = blocks;
        k.decrypt4(&mut blocks);
        for i in 0..n {
            let chain = if i == 0 { prev } else { ct[i - 1] };
            for (j, x) in chunk[16 * i..16 * i + 16].iter_mut().enumerate() {
                *x = blocks[i][j] ^ chain[j];
            }
        }
        prev = ct[n - 1];
        crate::ct::wipe(&mut blocks);
    }
    prev
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn fips197_appendix_c() {
        let pt: [u8; 16] = h("00112233445566778899aabbccddeeff").try_into().unwrap();
        let cases = [
            (
                "000102030405060708090a0b0c0d0e0f",
                "69c4e0d86a7b0430d8cdb78070b4c55a",
            ),
            (
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                "8ea2b7ca516745bfeafc49904b496089",
            ),
        ];
        for (key, ct) in cases {
            for backend in [Backend::Portable, Backend::Native] {
                let aes = Aes::new_with_backend(backend, &h(key)).unwrap();
                let mut b = pt;
                aes.encrypt_block(&mut b);
                assert_eq!(b.to_vec(), h(ct), "{backend:?}");
                aes.decrypt_block(&mut b);
                assert_eq!(b, pt);
            }
        }
        // FIPS 197 C.2, AES-192.
        let aes = Aes::new(&h("000102030405060708090a0b0c0d0e0f1011121314151617")).unwrap();
        let mut b = pt;
        aes.encrypt_block(&mut b);
        assert_eq!(b.to_vec(), h("dda97ca4864cdfe06eaf70a0ec0d7191"));
        aes.decrypt_block(&mut b);
        assert_eq!(b, pt);
        assert_eq!(Aes::new(&[0; 20]).unwrap_err(), Error::InvalidKeyLength);
    }

    #[test]
    fn sp800_38a_cbc_and_ctr() {
        let key = h("2b7e151628aed2a6abf7158809cf4f3c");
        let iv: [u8; 16] = h("000102030405060708090a0b0c0d0e0f").try_into().unwrap();
        let pt = h("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
        let cbc = h("7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7");
        let ctr_iv: [u8; 16] = h("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff").try_into().unwrap();
        let ctr = h("874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee");
        for backend in [Backend::Portable, Backend::Native] {
            let aes = Aes::new_with_backend(backend, &key).unwrap();
            let mut buf = pt.clone();
            aes.cbc_encrypt(&iv, &mut buf).unwrap();
            assert_eq!(buf, cbc);
            aes.cbc_decrypt(&iv, &mut buf).unwrap();
            assert_eq!(buf, pt);
            let mut buf = pt.clone();
            aes.ctr32_xor(&ctr_iv, &mut buf);
            assert_eq!(buf, ctr, "{backend:?}");
        }
    }

    #[test]
    fn backends_agree_on_many_lengths() {
        let mut seed = 0x1234_5678u32;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as u8
        };
        for klen in [16, 32] {
            let key: Vec<u8> = (0..klen).map(|_| next()).collect();
            let a = Aes::new_with_backend(Backend::Portable, &key).unwrap();
            let b = Aes::new_with_backend(Backend::Native, &key).unwrap();
            let mut cb = [0u8; 16];
            cb.iter_mut().for_each(|x| *x = next());
            cb[12..].copy_from_slice(&[0xff, 0xff, 0xff, 0xfa]); // wraps inside the run
            for len in [0usize, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 200, 1000] {
                let data: Vec<u8> = (0..len).map(|_| next()).collect();
                let mut x = data.clone();
                let mut y = data.clone();
                a.ctr32_xor(&cb, &mut x);
                b.ctr32_xor(&cb, &mut y);
                assert_eq!(x, y, "ctr len {len}");
                let whole = len & !15;
                let mut x = data[..whole].to_vec();
                let mut y = x.clone();
                assert_eq!(a.cbc_encrypt(&cb, &mut x), b.cbc_encrypt(&cb, &mut y));
                assert_eq!(x, y);
                assert_eq!(a.cbc_decrypt(&cb, &mut x), b.cbc_decrypt(&cb, &mut y));
                assert_eq!(x, data[..whole]);
                assert_eq!(y, data[..whole]);
            }
        }
    }
}
