//! SHA-256, SHA-384 and SHA-512 (FIPS 180-4), streaming and one-shot.
//!
//! SHA-256 uses the SHA-NI instructions where the CPU has them; the portable code is
//! the straight FIPS 180-4 §6.2.2 / §6.4.2 compression function (hashing has no secret
//! indices, only data-independent rotations and additions).

use crate::Backend;

/// A hash function from the SHA-2 family: what [`crate::Hmac`], [`crate::hkdf`] and
/// [`crate::prf`] are generic over.
pub trait HashFunction: Clone {
    /// Block size in bytes (B in RFC 2104).
    const BLOCK_LEN: usize;
    /// Digest size in bytes (L in RFC 2104, HashLen in RFC 5869).
    const OUTPUT_LEN: usize;
    /// The digest: a byte array of `OUTPUT_LEN` bytes.
    type Output: AsRef<[u8]> + AsMut<[u8]> + Copy + core::fmt::Debug + Eq;

    /// A fresh hash with the default backend.
    fn new() -> Self;
    /// A fresh hash on the given backend.
    fn new_with_backend(backend: Backend) -> Self;
    /// Absorbs more message bytes.
    fn update(&mut self, data: &[u8]);
    /// Pads, finishes and returns the digest.
    fn finalize(self) -> Self::Output;
    /// One-shot digest of `data`.
    fn digest(data: &[u8]) -> Self::Output {
        let mut h = Self::new();
        h.update(data);
        h.finalize()
    }
}

/// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of
/// the first 64 primes.
const K256: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// FIPS 180-4 §5.3.3.
const H256: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// FIPS 180-4 §4.2.3.
const K512: [u64; 80] = [
    0x428a2f98d728ae22,
    0x7137449123ef65cd,
    0xb5c0fbcfec4d3b2f,
    0xe9b5dba58189dbbc,
    0x3956c25bf348b538,
    0x59f111f1b605d019,
    0x923f82a4af194f9b,
    0xab1c5ed5da6d8118,
    0xd807aa98a3030242,
    0x12835b0145706fbe,
    0x243185be4ee4b28c,
    0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f,
    0x80deb1fe3b1696b1,
    0x9bdc06a725c71235,
    0xc19bf174cf692694,
    0xe49b69c19ef14ad2,
    0xefbe4786384f25e3,
    0x0fc19dc68b8cd5b5,
    0x240ca1cc77ac9c65,
    0x2de92c6f592b0275,
    0x4a7484aa6ea6e483,
    0x5cb0a9dcbd41fbd4,
    0x76f988da831153b5,
    0x983e5152ee66dfab,
    0xa831c66d2db43210,
    0xb00327c898fb213f,
    0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2,
    0xd5a79147930aa725,
    0x06ca6351e003826f,
    0x142929670a0e6e70,
    0x27b70a8546d22ffc,
    0x2e1b21385c26c926,
    0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df,
    0x650a73548baf63de,
    0x766a0abb3c77b2a8,
    0x81c2c92e47edaee6,
    0x92722c851482353b,
    0xa2bfe8a14cf10364,
    0xa81a664bbc423001,
    0xc24b8b70d0f89791,
    0xc76c51a30654be30,
    0xd192e819d6ef5218,
    0xd69906245565a910,
    0xf40e35855771202a,
    0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8,
    0x1e376c085141ab53,
    0x2748774cdf8eeb99,
    0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63,
    0x4ed8aa4ae3418acb,
    0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc,
    0x78a5636f43172f60,
    0x84c87814a1f0ab72,
    0x8cc702081a6439ec,
    0x90befffa23631e28,
    0xa4506cebde82bde9,
    0xbef9a3f7b2c67915,
    0xc67178f2e372532b,
    0xca273eceea26619c,
    0xd186b8c721c0c207,
    0xeada7dd6cde0eb1e,
    0xf57d4f7fee6ed178,
    0x06f067aa72176fba,
    0x0a637dc5a2c898a6,
    0x113f9804bef90dae,
    0x1b710b35131c471b,
    0x28db77f523047d84,
    0x32caab7b40c72493,
    0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6,
    0x597f299cfc657e2a,
    0x5fcb6fab3ad6faec,
    0x6c44198c4a475817,
];

/// FIPS 180-4 §5.3.5.
const H512: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

/// FIPS 180-4 §5.3.4.
const H384: [u64; 8] = [
    0xcbbb9d5dc1059ed8,
    0x629a292a367cd507,
    0x9159015a3070dd17,
    0x152fecd8f70e5939,
    0x67332667ffc00b31,
    0x8eb44a8768581511,
    0xdb0c2e0d64f98fa7,
    0x47b5481dbefa4fa4,
];

/// FIPS 180-4 §6.2.2, one 64-byte block at a time.
pub(crate) fn compress256_soft(state: &mut [u32; 8], blocks: &[u8]) {
    for block in blocks.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (t, word) in block.chunks_exact(4).enumerate() {
            w[t] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for t in 16..64 {
            let s0 = w[t - 15].rotate_right(7) ^ w[t - 15].rotate_right(18) ^ (w[t - 15] >> 3);
            let s1 = w[t - 2].rotate_right(17) ^ w[t - 2].rotate_right(19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16]
                .wrapping_add(s0)
                .wrapping_add(w[t - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
        for t in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = h
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K256[t])
                .wrapping_add(w[t]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            h = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
            *s = s.wrapping_add(v);
        }
        crate::ct::wipe(&mut w);
    }
}

/// FIPS 180-4 §6.4.2, one 128-byte block at a time.
fn compress512(state: &mut [u64; 8], blocks: &[u8]) {
    for block in blocks.chunks_exact(128) {
        let mut w = [0u64; 80];
        for (t, word) in block.chunks_exact(8).enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(word);
            w[t] = u64::from_be_bytes(b);
        }
        for t in 16..80 {
            let s0 = w[t - 15].rotate_right(1) ^ w[t - 15].rotate_right(8) ^ (w[t - 15] >> 7);
            let s1 = w[t - 2].rotate_right(19) ^ w[t - 2].rotate_right(61) ^ (w[t - 2] >> 6);
            w[t] = w[t - 16]
                .wrapping_add(s0)
                .wrapping_add(w[t - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
        for t in 0..80 {
            let s1 = e.rotate_right(14) ^ e.rotate_right(18) ^ e.rotate_right(41);
            let ch = (e & f) ^ (!e & g);
            let t1 = h
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K512[t])
                .wrapping_add(w[t]);
            let s0 = a.rotate_right(28) ^ a.rotate_right(34) ^ a.rotate_right(39);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            h = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
            *s = s.wrapping_add(v);
        }
        crate::ct::wipe(&mut w);
    }
}

/// SHA-256 (FIPS 180-4 §6.2).
///
/// ```
/// use handshake_crypto::{HashFunction, Sha256};
/// let mut h = Sha256::new();
/// h.update(b"a");
/// h.update(b"bc");
/// assert_eq!(h.finalize(), Sha256::digest(b"abc"));
/// ```
#[derive(Clone)]
pub struct Sha256 {
    state: [u32; 8],
    buf: [u8; 64],
    buf_len: usize,
    total_len: u64,
    shani: bool,
}

impl Sha256 {
    /// A fresh SHA-256 with the default backend.
    pub fn new() -> Sha256 {
        Sha256::new_with_backend(Backend::auto())
    }

    /// A fresh SHA-256 on `backend` (SHA-NI when [`Backend::Native`] and available).
    pub fn new_with_backend(backend: Backend) -> Sha256 {
        #[cfg(target_arch = "x86_64")]
        let shani = crate::backend::Features::for_backend(backend).sha();
        #[cfg(not(target_arch = "x86_64"))]
        let shani = {
            let _ = backend;
            false
        };
        Sha256 {
            state: H256,
            buf: [0; 64],
            buf_len: 0,
            total_len: 0,
            shani,
        }
    }

    /// True when this hash runs on SHA-NI.
    pub fn is_accelerated(&self) -> bool {
        self.shani
    }

    fn compress(&mut self, blocks: &[u8]) {
        #[cfg(target_arch = "x86_64")]
        if self.shani {
            crate::x86::sha_ni::compress256(&mut self.state, blocks);
            return;
        }
        compress256_soft(&mut self.state, blocks);
    }

    /// The chaining value and byte count when no partial block is buffered (HMAC's
    /// keyed state after the ipad block); used by the constant-time TLS CBC MAC.
    pub(crate) fn chaining_value(&self) -> Option<([u32; 8], u64)> {
        (self.buf_len == 0).then_some((self.state, self.total_len))
    }

    /// Runs the compression function of this hash's backend on `state`.
    pub(crate) fn compress_state(&self, state: &mut [u32; 8], block: &[u8; 64]) {
        #[cfg(target_arch = "x86_64")]
        if self.shani {
            crate::x86::sha_ni::compress256(state, block);
            return;
        }
        compress256_soft(state, block);
    }

    fn compress_buf(&mut self) {
        let buf = self.buf;
        self.compress(&buf);
    }

    /// Absorbs more message bytes.
    pub fn update(&mut self, mut data: &[u8]) {
        self.total_len = self.total_len.wrapping_add(data.len() as u64);
        if self.buf_len > 0 {
            let take = (64 - self.buf_len).min(data.len());
            self.buf[self.buf_len..self.buf_len + take].copy_from_slice(&data[..take]);
            self.buf_len += take;
            data = &data[take..];
            if self.buf_len < 64 {
                return;
            }
            self.compress_buf();
            self.buf_len = 0;
        }
        let whole = data.len() & !63;
        if whole > 0 {
            self.compress(&data[..whole]);
        }
        let rest = &data[whole..];
        self.buf[..rest.len()].copy_from_slice(rest);
        self.buf_len = rest.len();
    }

    /// Pads (FIPS 180-4 §5.1.1), finishes and returns the 32-byte digest.
    pub fn finalize(mut self) -> [u8; 32] {
        let bit_len = self.total_len.wrapping_mul(8);
        self.buf[self.buf_len] = 0x80;
        self.buf[self.buf_len + 1..].fill(0);
        if self.buf_len >= 56 {
            self.compress_buf();
            self.buf.fill(0);
        }
        self.buf[56..].copy_from_slice(&bit_len.to_be_bytes());
        self.compress_buf();
        let mut out = [0u8; 32];
        for (o, s) in out.chunks_exact_mut(4).zip(self.state) {
            o.copy_from_slice(&s.to_be_bytes());
        }
        out
    }

    /// One-shot SHA-256 of `data`.
    pub fn digest(data: &[u8]) -> [u8; 32] {
        Sha256::digest_with_backend(Backend::auto(), data)
    }

    /// One-shot SHA-256 of `data` on `backend`.
    pub fn digest_with_backend(backend: Backend, data: &[u8]) -> [u8; 32] {
        let mut h = Sha256::new_with_backend(backend);
        h.update(data);
        h.finalize()
    }
}

impl Default for Sha256 {
    fn default() -> Self {
        Sha256::new()
    }
}

impl Drop for Sha256 {
    fn drop(&mut self) {
        // HMAC keeps key-derived chaining values in here.
        crate::ct::wipe(&mut self.state);
        crate::ct::wipe(&mut self.buf);
    }
}

impl core::fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sha256").finish_non_exhaustive()
    }
}

impl HashFunction for Sha256 {
    const BLOCK_LEN: usize = 64;
    const OUTPUT_LEN: usize = 32;
    type Output = [u8; 32];
    fn new() -> Self {
        Sha256::new()
    }
    fn new_with_backend(backend: Backend) -> Self {
        Sha256::new_with_backend(backend)
    }
    fn update(&mut self, data: &[u8]) {
        Sha256::update(self, data)
    }
    fn finalize(self) -> [u8; 32] {
        Sha256::finalize(self)
    }
}

/// The SHA-512 engine shared by SHA-512 and SHA-384 (which differ only in IV and
/// truncation, FIPS 180-4 §6.5).
#[derive(Clone)]
struct Engine512 {
    state: [u64; 8],
    buf: [u8; 128],
    buf_len: usize,
    total_len: u128,
}

impl Engine512 {
    fn new(iv: [u64; 8]) -> Self {
        Engine512 {
            state: iv,
            buf: [0; 128],
            buf_len: 0,
            total_len: 0,
        }
    }

    fn update(&mut self, mut data: &[u8]) {
        self.total_len = self.total_len.wrapping_add(data.len() as u128);
        if self.buf_len > 0 {
            let take = (128 - self.buf_len).min(data.len());
            self.buf[self.buf_len..self.buf_len + take].copy_from_slice(&data[..take]);
            self.buf_len += take;
            data = &data[take..];
            if self.buf_len < 128 {
                return;
            }
            let buf = self.buf;
            compress512(&mut self.state, &buf);
            self.buf_len = 0;
        }
        let whole = data.len() & !127;
        compress512(&mut self.state, &data[..whole]);
        let rest = &data[whole..];
        self.buf[..rest.len()].copy_from_slice(rest);
        self.buf_len = rest.len();
    }

    fn finalize(&mut self) -> [u8; 64] {
        let bit_len = self.total_len.wrapping_mul(8);
        self.buf[self.buf_len] = 0x80;
        self.buf[self.buf_len + 1..].fill(0);
        if self.buf_len >= 112 {
            let buf = self.buf;
            compress512(&mut self.state, &buf);
            self.buf.fill(0);
        }
        self.buf[112..].copy_from_slice(&bit_len.to_be_bytes());
        let buf = self.buf;
        compress512(&mut self.state, &buf);
        let mut out = [0u8; 64];
        for (o, s) in out.chunks_exact_mut(8).zip(self.state) {
            o.copy_from_slice(&s.to_be_bytes());
        }
        out
    }
}

impl Drop for Engine512 {
    fn drop(&mut self) {
        crate::ct::wipe(&mut self.state);
        crate::ct::wipe(&mut self.buf);
    }
}

macro_rules! sha512_variant {
    ($(#[$doc:meta])* $name:ident, $iv:expr, $out:expr, $label:literal) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            engine: Engine512,
        }

        impl $name {
            /// A fresh hash.
            pub fn new() -> Self {
                $name { engine: Engine512::new($iv) }
            }

            /// Absorbs more message bytes.
            pub fn update(&mut self, data: &[u8]) {
                self.engine.update(data)
            }

            /// Pads (FIPS 180-4 §5.1.2), finishes and returns the digest.
            pub fn finalize(mut self) -> [u8; $out] {
                let full = self.engine.finalize();
                let mut out = [0u8; $out];
                out.copy_from_slice(&full[..$out]);
                out
            }

            /// One-shot digest of `data`.
            pub fn digest(data: &[u8]) -> [u8; $out] {
                let mut h = Self::new();
                h.update(data);
                h.finalize()
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct($label).finish_non_exhaustive()
            }
        }

        impl HashFunction for $name {
            const BLOCK_LEN: usize = 128;
            const OUTPUT_LEN: usize = $out;
            type Output = [u8; $out];
            fn new() -> Self {
                $name::new()
            }
            fn new_with_backend(_backend: Backend) -> Self {
                // SHA-512 has no x86 instructions before SHA512 (Arrow Lake); the
                // portable code is the only one.
                $name::new()
            }
            fn update(&mut self, data: &[u8]) {
                $name::update(self, data)
            }
            fn finalize(self) -> [u8; $out] {
                $name::finalize(self)
            }
        }
    };
}

sha512_variant!(
    /// SHA-512 (FIPS 180-4 §6.4).
    ///
    /// ```
    /// use handshake_crypto::Sha512;
    /// assert_eq!(Sha512::digest(b"abc")[..4], [0xdd, 0xaf, 0x35, 0xa1]);
    /// ```
    Sha512,
    H512,
    64,
    "Sha512"
);
sha512_variant!(
    /// SHA-384 (FIPS 180-4 §6.5): SHA-512 with its own IV, truncated to 48 bytes.
    ///
    /// ```
    /// use handshake_crypto::Sha384;
    /// assert_eq!(Sha384::digest(b"abc")[..4], [0xcb, 0x00, 0x75, 0x3f]);
    /// ```
    Sha384,
    H384,
    48,
    "Sha384"
);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    const ABC_448: &[u8] = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    const ABC_896: &[u8] = b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

    #[test]
    fn sha256_fips180_examples() {
        for backend in [Backend::Portable, Backend::Native] {
            assert_eq!(
                Sha256::digest_with_backend(backend, b"abc").to_vec(),
                h("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
            );
            assert_eq!(
                Sha256::digest_with_backend(backend, ABC_448).to_vec(),
                h("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
            );
            assert_eq!(
                Sha256::digest_with_backend(backend, b"").to_vec(),
                h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
            );
            let mut m = Sha256::new_with_backend(backend);
            for _ in 0..1000 {
                m.update(&[b'a'; 1000]);
            }
            assert_eq!(
                m.finalize().to_vec(),
                h("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
            );
        }
    }

    #[test]
    fn sha512_and_384_fips180_examples() {
        assert_eq!(
            Sha512::digest(b"abc").to_vec(),
            h("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
        );
        assert_eq!(
            Sha512::digest(ABC_896).to_vec(),
            h("8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909")
        );
        assert_eq!(
            Sha384::digest(b"abc").to_vec(),
            h("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7")
        );
        assert_eq!(
            Sha384::digest(ABC_896).to_vec(),
            h("09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039")
        );
        assert_eq!(
            Sha384::digest(b"").to_vec(),
            h("38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b")
        );
    }

    #[test]
    fn streaming_matches_one_shot_and_ring() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 + 3) as u8).collect();
        for len in [0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 500, 1000] {
            let msg = &data[..len];
            let want256 = ring::digest::digest(&ring::digest::SHA256, msg);
            let want384 = ring::digest::digest(&ring::digest::SHA384, msg);
            let want512 = ring::digest::digest(&ring::digest::SHA512, msg);
            for backend in [Backend::Portable, Backend::Native] {
                for split in [0, 1.min(len), len / 3, len / 2, len] {
                    let mut a = Sha256::new_with_backend(backend);
                    a.update(&msg[..split]);
                    a.update(&msg[split..]);
                    assert_eq!(
                        &a.finalize()[..],
                        want256.as_ref(),
                        "len {len} split {split}"
                    );
                }
            }
            let mut b = Sha512::new();
            b.update(&msg[..len / 2]);
            b.update(&msg[len / 2..]);
            assert_eq!(&b.finalize()[..], want512.as_ref());
            assert_eq!(&Sha384::digest(msg)[..], want384.as_ref());
        }
    }
}
