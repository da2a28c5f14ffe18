//! AES with AES-NI: key expansion with AESKEYGENASSIST, CTR eight blocks at a time
//! (VAES: sixteen, two per 256-bit register), CBC decryption four blocks at a time.

use core::arch::x86_64::*;

use zeroize::Zeroize;

use super::{load128, load128_at, load256_at, store128, store128_at, store256_at};

/// Round keys for encryption and (AESIMC-transformed) decryption.
#[derive(Clone, Zeroize)]
#[zeroize(drop)]
pub(crate) struct NiKey {
    rounds: usize,
    vaes: bool,
    enc: [[u8; 16]; 15],
    dec: [[u8; 16]; 15],
}

impl NiKey {
    /// Expands a 16- or 32-byte key. Only called when AES-NI (and SSE4.1) were
    /// detected; `vaes` only when VAES and AVX2 were.
    pub(crate) fn new(key: &[u8], vaes: bool) -> NiKey {
        let mut k = NiKey {
            rounds: if key.len() == 16 { 10 } else { 14 },
            vaes,
            enc: [[0; 16]; 15],
            dec: [[0; 16]; 15],
        };
        // SAFETY: constructed only after run-time detection of aes + sse4.1
        // (Aes::new_with_backend checks Features::aes).
        unsafe { expand(&mut k, key) };
        k
    }

    pub(crate) fn encrypt_block(&self, block: &mut [u8; 16]) {
        // SAFETY: AES-NI was detected before this key was made (see `new`).
        unsafe { encrypt_block(self, block) }
    }

    pub(crate) fn decrypt_block(&self, block: &mut [u8; 16]) {
        // SAFETY: AES-NI was detected before this key was made (see `new`).
        unsafe { decrypt_block(self, block) }
    }

    pub(crate) fn ctr32_xor(&self, counter_block: &[u8; 16], data: &mut [u8]) {
        if self.vaes && data.len() >= 256 {
            // SAFETY: `vaes` is set only when VAES and AVX2 were detected.
            unsafe { ctr32_vaes(self, counter_block, data) }
        } else {
            // SAFETY: AES-NI was detected before this key was made (see `new`).
            unsafe { ctr32(self, counter_block, data) }
        }
    }

    pub(crate) fn cbc_decrypt(&self, iv: &[u8; 16], data: &mut [u8]) -> [u8; 16] {
        // SAFETY: AES-NI was detected before this key was made (see `new`).
        unsafe { cbc_decrypt(self, iv, data) }
    }

    /// Number of rounds (10 or 14).
    pub(crate) fn rounds(&self) -> usize {
        self.rounds
    }

    /// True when the key may use VAES.
    pub(crate) fn has_vaes(&self) -> bool {
        self.vaes
    }

    #[inline(always)]
    pub(crate) fn enc_keys(&self) -> [__m128i; 15] {
        core::array::from_fn(|i| load128(&self.enc[i]))
    }
}

macro_rules! expand128_step {
    ($prev:expr, $rcon:literal) => {{
        let t = _mm_shuffle_epi32(_mm_aeskeygenassist_si128($prev, $rcon), 0xff);
        let mut k = $prev;
        k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
        k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
        k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
        _mm_xor_si128(k, t)
    }};
}

/// The second half-step of AES-256: SubWord without RotWord or Rcon.
macro_rules! expand256_odd {
    ($prev_odd:expr, $new_even:expr) => {{
        let t = _mm_shuffle_epi32(_mm_aeskeygenassist_si128($new_even, 0), 0xaa);
        let mut k = $prev_odd;
        k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
        k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
        k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
        _mm_xor_si128(k, t)
    }};
}

#[target_feature(enable = "aes,sse2,sse4.1")]
fn expand(k: &mut NiKey, key: &[u8]) {
    let mut rk = [_mm_setzero_si128(); 15];
    if key.len() == 16 {
        rk[0] = load128_at(key, 0);
        rk[1] = expand128_step!(rk[0], 0x01);
        rk[2] = expand128_step!(rk[1], 0x02);
        rk[3] = expand128_step!(rk[2], 0x04);
        rk[4] = expand128_step!(rk[3], 0x08);
        rk[5] = expand128_step!(rk[4], 0x10);
        rk[6] = expand128_step!(rk[5], 0x20);
        rk[7] = expand128_step!(rk[6], 0x40);
        rk[8] = expand128_step!(rk[7], 0x80);
        rk[9] = expand128_step!(rk[8], 0x1b);
        rk[10] = expand128_step!(rk[9], 0x36);
    } else {
        rk[0] = load128_at(key, 0);
        rk[1] = load128_at(key, 16);
        macro_rules! pair {
            ($i:expr, $rcon:literal) => {
                // Even words: RotWord, SubWord and Rcon of the previous odd key.
                let t = _mm_shuffle_epi32(_mm_aeskeygenassist_si128(rk[$i - 1], $rcon), 0xff);
                let mut e = rk[$i - 2];
                e = _mm_xor_si128(e, _mm_slli_si128(e, 4));
                e = _mm_xor_si128(e, _mm_slli_si128(e, 4));
                e = _mm_xor_si128(e, _mm_slli_si128(e, 4));
                rk[$i] = _mm_xor_si128(e, t);
            };
        }
        pair!(2, 0x01);
        rk[3] = expand256_odd!(rk[1], rk[2]);
        pair!(4, 0x02);
        rk[5] = expand256_odd!(rk[3], rk[4]);
        pair!(6, 0x04);
        rk[7] = expand256_odd!(rk[5], rk[6]);
        pair!(8, 0x08);
        rk[9] = expand256_odd!(rk[7], rk[8]);
        pair!(10, 0x10);
        rk[11] = expand256_odd!(rk[9], rk[10]);
        pair!(12, 0x20);
        rk[13] = expand256_odd!(rk[11], rk[12]);
        pair!(14, 0x40);
    }
    let n = k.rounds;
    for (out, key) in k.enc.iter_mut().zip(&rk[..=n]) {
        store128(out, *key);
    }
    // Equivalent inverse cipher (FIPS 197 §5.3.5): InvMixColumns on the middle keys.
    store128(&mut k.dec[0], rk[n]);
    for i in 1..n {
        store128(&mut k.dec[i], _mm_aesimc_si128(rk[n - i]));
    }
    store128(&mut k.dec[n], rk[0]);
}

#[target_feature(enable = "aes,sse2")]
fn encrypt_block(k: &NiKey, block: &mut [u8; 16]) {
    let mut b = _mm_xor_si128(load128(block), load128(&k.enc[0]));
    for r in 1..k.rounds {
        b = _mm_aesenc_si128(b, load128(&k.enc[r]));
    }
    b = _mm_aesenclast_si128(b, load128(&k.enc[k.rounds]));
    store128(block, b);
}

#[target_feature(enable = "aes,sse2")]
fn decrypt_block(k: &NiKey, block: &mut [u8; 16]) {
    let mut b = _mm_xor_si128(load128(block), load128(&k.dec[0]));
    for r in 1..k.rounds {
        b = _mm_aesdec_si128(b, load128(&k.dec[r]));
    }
    b = _mm_aesdeclast_si128(b, load128(&k.dec[k.rounds]));
    store128(block, b);
}

/// Encrypts the counter blocks `base` with counters `ctr..ctr+N` (big-endian in the
/// last word), returning the keystream.
#[inline]
#[target_feature(enable = "aes,sse2,sse4.1")]
pub(crate) fn keystream<const N: usize>(
    rk: &[__m128i; 15],
    rounds: usize,
    base: __m128i,
    ctr: u32,
) -> [__m128i; N] {
    let mut b = [_mm_setzero_si128(); N];
    for (i, x) in b.iter_mut().enumerate() {
        let c = ctr.wrapping_add(i as u32).to_be() as i32;
        *x = _mm_xor_si128(_mm_insert_epi32(base, c, 3), rk[0]);
    }
    for key in &rk[1..rounds] {
        for x in b.iter_mut() {
            *x = _mm_aesenc_si128(*x, *key);
        }
    }
    for x in b.iter_mut() {
        *x = _mm_aesenclast_si128(*x, rk[rounds]);
    }
    b
}

#[target_feature(enable = "aes,sse2,sse4.1")]
fn ctr32(k: &NiKey, counter_block: &[u8; 16], data: &mut [u8]) {
    let rk = k.enc_keys();
    let base = load128(counter_block);
    let mut ctr = u32::from_be_bytes([
        counter_block[12],
        counter_block[13],
        counter_block[14],
        counter_block[15],
    ]);
    let mut chunks = data.chunks_exact_mut(128);
    for chunk in &mut chunks {
        let ks = keystream::<8>(&rk, k.rounds, base, ctr);
        ctr = ctr.wrapping_add(8);
        for (i, s) in ks.iter().enumerate() {
            let x = _mm_xor_si128(load128_at(chunk, 16 * i), *s);
            store128_at(chunk, 16 * i, x);
        }
    }
    let rest = chunks.into_remainder();
    ctr_tail(&rk, k.rounds, base, ctr, rest);
}

#[target_feature(enable = "aes,sse2,sse4.1")]
fn ctr_tail(rk: &[__m128i; 15], rounds: usize, base: __m128i, mut ctr: u32, rest: &mut [u8]) {
    for chunk in rest.chunks_mut(16) {
        let [s] = keystream::<1>(rk, rounds, base, ctr);
        ctr = ctr.wrapping_add(1);
        let mut ks = [0u8; 16];
        store128(&mut ks, s);
        for (x, y) in chunk.iter_mut().zip(ks) {
            *x ^= y;
        }
        crate::ct::wipe(&mut ks);
    }
}

/// CTR with VAES: two blocks per 256-bit register, sixteen blocks per iteration.
/// The counters are kept byte-reversed so that one VPADDD steps all of them (the
/// 32-bit lane add wraps modulo 2^32 exactly as inc32 does); VPSHUFB turns them back.
#[target_feature(enable = "aes,vaes,avx2,sse4.1")]
fn ctr32_vaes(k: &NiKey, counter_block: &[u8; 16], data: &mut [u8]) {
    let rk128 = k.enc_keys();
    let rk: [__m256i; 15] = core::array::from_fn(|i| _mm256_broadcastsi128_si256(rk128[i]));
    let base128 = load128(counter_block);
    let rev = _mm256_broadcastsi128_si256(_mm_set_epi8(
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    ));
    let mut c = _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(base128), rev);
    c = _mm256_add_epi32(c, _mm256_set_epi32(0, 0, 0, 1, 0, 0, 0, 0));
    let two = _mm256_set_epi32(0, 0, 0, 2, 0, 0, 0, 2);
    let mut ctr = u32::from_be_bytes([
        counter_block[12],
        counter_block[13],
        counter_block[14],
        counter_block[15],
    ]);
    let rounds = k.rounds;
    let mut chunks = data.chunks_exact_mut(256);
    for chunk in &mut chunks {
        let mut b = [_mm256_setzero_si256(); 8];
        for x in b.iter_mut() {
            *x = _mm256_xor_si256(_mm256_shuffle_epi8(c, rev), rk[0]);
            c = _mm256_add_epi32(c, two);
        }
        ctr = ctr.wrapping_add(16);
        for key in &rk[1..rounds] {
            for x in b.iter_mut() {
                *x = _mm256_aesenc_epi128(*x, *key);
            }
        }
        for (i, x) in b.iter().enumerate() {
            let s = _mm256_aesenclast_epi128(*x, rk[rounds]);
            let d = _mm256_xor_si256(load256_at(chunk, 32 * i), s);
            store256_at(chunk, 32 * i, d);
        }
    }
    let rest = chunks.into_remainder();
    let mut chunks = rest.chunks_exact_mut(128);
    for chunk in &mut chunks {
        let ks = keystream::<8>(&rk128, rounds, base128, ctr);
        ctr = ctr.wrapping_add(8);
        for (i, s) in ks.iter().enumerate() {
            let x = _mm_xor_si128(load128_at(chunk, 16 * i), *s);
            store128_at(chunk, 16 * i, x);
        }
    }
    ctr_tail(&rk128, rounds, base128, ctr, chunks.into_remainder());
}

#[target_feature(enable = "aes,sse2")]
fn cbc_decrypt(k: &NiKey, iv: &[u8; 16], data: &mut [u8]) -> [u8; 16] {
    let mut dk = [_mm_setzero_si128(); 15];
    for (r, key) in dk.iter_mut().zip(&k.dec) {
        *r = load128(key);
    }
    let n = k.rounds;
    let mut prev = load128(iv);
    let mut chunks = data.chunks_exact_mut(64);
    for chunk in &mut chunks {
        let c = [
            load128_at(chunk, 0),
            load128_at(chunk, 16),
            load128_at(chunk, 32),
            load128_at(chunk, 48),
        ];
        let mut b = [
            _mm_xor_si128(c[0], dk[0]),
            _mm_xor_si128(c[1], dk[0]),
            _mm_xor_si128(c[2], dk[0]),
            _mm_xor_si128(c[3], dk[0]),
        ];
        for key in &dk[1..n] {
            for x in b.iter_mut() {
                *x = _mm_aesdec_si128(*x, *key);
            }
        }
        for x in b.iter_mut() {
            *x = _mm_aesdeclast_si128(*x, dk[n]);
        }
        store128_at(chunk, 0, _mm_xor_si128(b[0], prev));
        store128_at(chunk, 16, _mm_xor_si128(b[1], c[0]));
        store128_at(chunk, 32, _mm_xor_si128(b[2], c[1]));
        store128_at(chunk, 48, _mm_xor_si128(b[3], c[2]));
        prev = c[3];
    }
    for chunk in chunks.into_remainder().chunks_exact_mut(16) {
        let c = load128_at(chunk, 0);
        let mut b = _mm_xor_si128(c, dk[0]);
        for key in &dk[1..n] {
            b = _mm_aesdec_si128(b, *key);
        }
        b = _mm_aesdeclast_si128(b, dk[n]);
        store128_at(chunk, 0, _mm_xor_si128(b, prev));
        prev = c;
    }
    let mut out = [0u8; 16];
    store128(&mut out, prev);
    out
}
