//! x86-64 fast paths: SHA-NI, AES-NI/VAES, PCLMULQDQ/VPCLMULQDQ, AVX2, AVX-512 IFMA, and
//! BMI2/ADX field multiplication in inline assembly.
//!
//! The only module of the crate with `unsafe`: calling a `#[target_feature]` function
//! (sound once the feature was detected at run time, see [`crate::backend`]),
//! unaligned SIMD loads and stores from slices whose lengths were checked, and
//! `asm!` blocks that take a [`crate::backend::Bmi2Adx`] token (proof of the CPU
//! features their instructions need).

pub(crate) mod aesni;
pub(crate) mod chacha_avx2;
pub(crate) mod clmul;
pub(crate) mod fe25519_mulx;
pub(crate) mod gcm;
pub(crate) mod keccak_avx2;
pub(crate) mod keccak_bmi1;
pub(crate) mod mlkem_avx2;
pub(crate) mod mont_avx2;
pub(crate) mod mont_ifma;
pub(crate) mod p256_mulx;
pub(crate) mod sha_ni;

use core::arch::x86_64::{
    __m128i, __m256i, _mm256_loadu_si256, _mm256_storeu_si256, _mm_loadu_si128, _mm_storeu_si128,
};

/// Loads 16 bytes (unaligned).
#[inline(always)]
pub(crate) fn load128(b: &[u8; 16]) -> __m128i {
    // SAFETY: `b` is 16 readable bytes; loadu has no alignment requirement and SSE2 is
    // part of the x86-64 baseline.
    unsafe { _mm_loadu_si128(b.as_ptr().cast()) }
}

/// Stores 16 bytes (unaligned).
#[inline(always)]
pub(crate) fn store128(b: &mut [u8; 16], v: __m128i) {
    // SAFETY: `b` is 16 writable bytes; storeu has no alignment requirement and SSE2
    // is part of the x86-64 baseline.
    unsafe { _mm_storeu_si128(b.as_mut_ptr().cast(), v) }
}

/// Loads 16 bytes at `off` of `s`; panics when out of range.
#[inline(always)]
pub(crate) fn load128_at(s: &[u8], off: usize) -> __m128i {
    let b: &[u8; 16] = s[off..off + 16].try_into().expect("16 bytes");
    load128(b)
}

/// Stores 16 bytes at `off` of `s`; panics when out of range.
#[inline(always)]
pub(crate) fn store128_at(s: &mut [u8], off: usize, v: __m128i) {
    let b: &mut [u8; 16] = (&mut s[off..off + 16]).try_into().expect("16 bytes");
    store128(b, v)
}

/// Loads 32 bytes at `off` of `s` (unaligned); panics when out of range.
#[inline]
#[target_feature(enable = "avx")]
pub(crate) fn load256_at(s: &[u8], off: usize) -> __m256i {
    let b: &[u8; 32] = s[off..off + 32].try_into().expect("32 bytes");
    // SAFETY: `b` is 32 readable bytes, loadu needs no alignment, AVX is enabled here.
    unsafe { _mm256_loadu_si256(b.as_ptr().cast()) }
}

/// Stores 32 bytes at `off` of `s` (unaligned); panics when out of range.
#[inline]
#[target_feature(enable = "avx")]
pub(crate) fn store256_at(s: &mut [u8], off: usize, v: __m256i) {
    let b: &mut [u8; 32] = (&mut s[off..off + 32]).try_into().expect("32 bytes");
    // SAFETY: `b` is 32 writable bytes, storeu needs no alignment, AVX is enabled here.
    unsafe { _mm256_storeu_si256(b.as_mut_ptr().cast(), v) }
}
