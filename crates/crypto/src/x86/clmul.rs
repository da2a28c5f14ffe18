//! GHASH with PCLMULQDQ, eight blocks per reduction (VPCLMULQDQ: sixteen blocks per
//! reduction, two per 256-bit multiplication).
//!
//! The arithmetic is done in the POLYVAL domain (RFC 8452 Appendix A):
//! GHASH(H, X) = ByteReverse(POLYVAL(mulX_POLYVAL(ByteReverse(H)), ByteReverse(X))),
//! where multiplication is a*b*x^-128 modulo x^128 + x^127 + x^126 + x^121 + 1, so
//! no bit reflection is needed and the Montgomery reduction takes two PCLMULQDQs.
//! With precomputed powers H^1..H^16, eight or sixteen blocks are multiplied, summed
//! unreduced and reduced once (aggregated reduction), which also takes the reduction
//! off the critical path of all but one block in eight (sixteen).

use core::arch::x86_64::*;

use zeroize::Zeroize;

use super::{load128, load128_at, store128};

/// H^1..H^16 in the POLYVAL domain (little-endian 128-bit integers).
#[derive(Clone, Zeroize)]
#[zeroize(drop)]
pub(crate) struct HTable {
    pow: [[u8; 16]; 16],
    vpclmul: bool,
}

impl HTable {
    /// Only called when PCLMULQDQ and SSSE3 were detected; `vpclmul` only when
    /// VPCLMULQDQ and AVX2 were.
    pub(crate) fn new(h: &[u8; 16], vpclmul: bool) -> HTable {
        // mulX_POLYVAL(ByteReverse(H)), computed on a u128 without branching.
        let x = u128::from_be_bytes(*h);
        let carry = x >> 127;
        let hx = (x << 1) ^ (carry.wrapping_mul(0xc200_0000_0000_0000_0000_0000_0000_0001));
        let mut t = HTable {
            pow: [[0; 16]; 16],
            vpclmul,
        };
        t.pow[0] = hx.to_le_bytes();
        // SAFETY: HTable is built only after run-time detection of pclmulqdq + ssse3
        // (GhashKey::new checks Features::pclmul).
        unsafe { powers(&mut t) };
        t
    }

    /// True when the table may use VPCLMULQDQ.
    pub(crate) fn has_vpclmul(&self) -> bool {
        self.vpclmul
    }

    /// H^(i+1) as a POLYVAL-domain vector.
    #[inline(always)]
    pub(crate) fn power(&self, i: usize) -> __m128i {
        load128(&self.pow[i])
    }

    pub(crate) fn update(&self, y: &mut [u8; 16], data: &[u8]) {
        if self.vpclmul && data.len() >= 256 {
            // SAFETY: `vpclmul` is set only when VPCLMULQDQ and AVX2 were detected.
            unsafe { update_vpclmul(self, y, data) }
        } else {
            // SAFETY: PCLMULQDQ was detected before this table was made (see `new`).
            unsafe { update(self, y, data) }
        }
    }
}

#[inline]
#[target_feature(enable = "ssse3")]
pub(crate) fn bswap(x: __m128i) -> __m128i {
    _mm_shuffle_epi8(
        x,
        _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
    )
}

/// Accumulates the unreduced 256-bit product a*b as (lo, mid, hi).
#[inline]
#[target_feature(enable = "pclmulqdq,sse2")]
pub(crate) fn mul_acc(acc: &mut [__m128i; 3], a: __m128i, b: __m128i) {
    acc[0] = _mm_xor_si128(acc[0], _mm_clmulepi64_si128(a, b, 0x00));
    acc[2] = _mm_xor_si128(acc[2], _mm_clmulepi64_si128(a, b, 0x11));
    acc[1] = _mm_xor_si128(acc[1], _mm_clmulepi64_si128(a, b, 0x01));
    acc[1] = _mm_xor_si128(acc[1], _mm_clmulepi64_si128(a, b, 0x10));
}

/// (lo, mid, hi) * x^-128 mod the POLYVAL polynomial.
#[inline]
#[target_feature(enable = "pclmulqdq,sse2")]
pub(crate) fn reduce(acc: [__m128i; 3]) -> __m128i {
    let lo = _mm_xor_si128(acc[0], _mm_slli_si128(acc[1], 8));
    let hi = _mm_xor_si128(acc[2], _mm_srli_si128(acc[1], 8));
    // x^-64 = x^64 + x^63 + x^62 + x^57: fold the low 64 bits up twice.
    let poly = _mm_set_epi64x(0xc200_0000_0000_0000u64 as i64, 1);
    let t = _mm_clmulepi64_si128(lo, poly, 0x10);
    let lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
    let t = _mm_clmulepi64_si128(lo, poly, 0x10);
    let lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
    _mm_xor_si128(hi, lo)
}

#[inline]
#[target_feature(enable = "pclmulqdq,sse2")]
fn dot(a: __m128i, b: __m128i) -> __m128i {
    let z = _mm_setzero_si128();
    let mut acc = [z, z, z];
    mul_acc(&mut acc, a, b);
    reduce(acc)
}

#[target_feature(enable = "pclmulqdq,sse2,ssse3")]
fn powers(t: &mut HTable) {
    let h = load128(&t.pow[0]);
    let mut p = h;
    for i in 1..16 {
        p = dot(p, h);
        store128(&mut t.pow[i], p);
    }
}

#[target_feature(enable = "pclmulqdq,sse2,ssse3")]
fn update(t: &HTable, y: &mut [u8; 16], data: &[u8]) {
    if data.len() < 128 {
        let acc = tail(t, bswap(load128(y)), data);
        store128(y, bswap(acc));
        return;
    }
    let pow: [__m128i; 8] = core::array::from_fn(|i| load128(&t.pow[i]));
    let mut acc = bswap(load128(y));
    let mut chunks = data.chunks_exact(128);
    for chunk in &mut chunks {
        let z = _mm_setzero_si128();
        let mut s = [z, z, z];
        for i in 0..8 {
            let mut x = bswap(load128_at(chunk, 16 * i));
            if i == 0 {
                x = _mm_xor_si128(x, acc);
            }
            mul_acc(&mut s, x, pow[7 - i]);
        }
        acc = reduce(s);
    }
    acc = tail(t, acc, chunks.remainder());
    store128(y, bswap(acc));
}

/// Fewer than sixteen blocks left: aggregate them the same way (the last one
/// zero-padded). GHASH hashes only what is public (AAD, ciphertext, lengths,
/// a nonce), so the padded copy is not wiped.
#[target_feature(enable = "pclmulqdq,sse2,ssse3")]
fn tail(t: &HTable, acc: __m128i, rest: &[u8]) -> __m128i {
    if rest.is_empty() {
        return acc;
    }
    let n = rest.len().div_ceil(16);
    let z = _mm_setzero_si128();
    let mut s = [z, z, z];
    for (i, chunk) in rest.chunks(16).enumerate() {
        let mut x = if let Ok(block) = <&[u8; 16]>::try_from(chunk) {
            bswap(load128(block))
        } else {
            let mut b = [0u8; 16];
            b[..chunk.len()].copy_from_slice(chunk);
            bswap(load128(&b))
        };
        if i == 0 {
            x = _mm_xor_si128(x, acc);
        }
        mul_acc(&mut s, x, load128(&t.pow[n - 1 - i]));
    }
    reduce(s)
}

/// Sixteen blocks per reduction with 256-bit VPCLMULQDQ: eight multiplications of
/// two blocks each.
#[target_feature(enable = "pclmulqdq,vpclmulqdq,avx2,sse2,ssse3")]
fn update_vpclmul(t: &HTable, y: &mut [u8; 16], data: &[u8]) {
    // Pairs (H^16, H^15), (H^14, H^13), ...: lane 0 gets the earlier block.
    let hp: [__m256i; 8] = core::array::from_fn(|j| {
        _mm256_set_m128i(load128(&t.pow[14 - 2 * j]), load128(&t.pow[15 - 2 * j]))
    });
    let rev = _mm256_broadcastsi128_si256(_mm_set_epi8(
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    ));
    let mut acc = bswap(load128(y));
    let mut chunks = data.chunks_exact(256);
    for chunk in &mut chunks {
        let z = _mm256_setzero_si256();
        let (mut lo, mut mid, mut hi) = (z, z, z);
        for (j, &h) in hp.iter().enumerate() {
            let mut x = _mm256_shuffle_epi8(super::load256_at(chunk, 32 * j), rev);
            if j == 0 {
                x = _mm256_xor_si256(x, _mm256_zextsi128_si256(acc));
            }
            lo = _mm256_xor_si256(lo, _mm256_clmulepi64_epi128(x, h, 0x00));
            hi = _mm256_xor_si256(hi, _mm256_clmulepi64_epi128(x, h, 0x11));
            mid = _mm256_xor_si256(mid, _mm256_clmulepi64_epi128(x, h, 0x01));
            mid = _mm256_xor_si256(mid, _mm256_clmulepi64_epi128(x, h, 0x10));
        }
        let fold =
            |v: __m256i| _mm_xor_si128(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
        acc = reduce([fold(lo), fold(mid), fold(hi)]);
    }
    acc = tail(t, acc, chunks.remainder());
    store128(y, bswap(acc));
}
