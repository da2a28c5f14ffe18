//! AES-GCM with VAES and VPCLMULQDQ, stitched: each iteration encrypts sixteen
//! counter blocks (eight 256-bit registers) and, between the AES rounds, multiplies
//! sixteen ciphertext blocks into GHASH (eight 256-bit VPCLMULQDQ products, one
//! reduction). The AES and carry-less multiply units run side by side instead of one
//! pass after the other.

use core::arch::x86_64::*;

use super::aesni::NiKey;
use super::clmul::{bswap, reduce, HTable};
use super::{load128, load256_at, store128, store256_at};

/// Seals the whole 256-byte groups of `data` in place: CTR from counter block `cb`
/// (already inc32(J0)), GHASH state `y` updated with the ciphertext. Returns the
/// number of bytes done (0 when VAES or VPCLMULQDQ is missing).
pub(crate) fn seal(
    k: &NiKey,
    t: &HTable,
    cb: &[u8; 16],
    y: &mut [u8; 16],
    data: &mut [u8],
) -> usize {
    if !(k.has_vaes() && t.has_vpclmul()) || data.len() < 256 {
        return 0;
    }
    // SAFETY: has_vaes / has_vpclmul are set only after run-time detection of AES-NI,
    // VAES, AVX2, PCLMULQDQ, VPCLMULQDQ, SSSE3 and SSE4.1.
    unsafe {
        if k.rounds() == 10 {
            stitched::<true, 10>(k, t, cb, y, data)
        } else {
            stitched::<true, 14>(k, t, cb, y, data)
        }
    }
}

/// Opens the whole 256-byte groups of `data` in place: GHASH over the ciphertext,
/// then CTR decryption, stitched. Returns the number of bytes done.
pub(crate) fn open(
    k: &NiKey,
    t: &HTable,
    cb: &[u8; 16],
    y: &mut [u8; 16],
    data: &mut [u8],
) -> usize {
    if !(k.has_vaes() && t.has_vpclmul()) || data.len() < 256 {
        return 0;
    }
    // SAFETY: as in `seal`.
    unsafe {
        if k.rounds() == 10 {
            stitched::<false, 10>(k, t, cb, y, data)
        } else {
            stitched::<false, 14>(k, t, cb, y, data)
        }
    }
}

/// The XOR of the two 128-bit lanes of `v`. A `#[target_feature]` function: safe to
/// call only from code compiled with AVX2 enabled (`stitched`); anywhere else the
/// compiler demands an `unsafe` block, so it cannot run on a CPU that was not
/// checked for AVX2.
#[inline]
#[target_feature(enable = "avx2")]
fn fold(v: __m256i) -> __m128i {
    _mm_xor_si128(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1))
}

/// The rounds are a const parameter so every loop below unrolls and the GHASH steps
/// land between fixed AES rounds.
#[target_feature(enable = "aes,vaes,avx2,pclmulqdq,vpclmulqdq,sse4.1,ssse3")]
fn stitched<const SEAL: bool, const R: usize>(
    k: &NiKey,
    t: &HTable,
    cb: &[u8; 16],
    y: &mut [u8; 16],
    data: &mut [u8],
) -> usize {
    let rk128 = k.enc_keys();
    let rk: [__m256i; 15] = core::array::from_fn(|i| _mm256_broadcastsi128_si256(rk128[i]));
    let rev = _mm256_broadcastsi128_si256(_mm_set_epi8(
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    ));
    // Pairs (H^16, H^15), (H^14, H^13), ...: lane 0 gets the earlier block.
    let hp: [__m256i; 8] =
        core::array::from_fn(|j| _mm256_set_m128i(t.power(14 - 2 * j), t.power(15 - 2 * j)));
    let mut acc = bswap(load128(y));
    // Byte-reversed counters: one VPADDD steps them, wrapping modulo 2^32 like inc32.
    let mut c = _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(load128(cb)), rev);
    c = _mm256_add_epi32(c, _mm256_set_epi32(0, 0, 0, 1, 0, 0, 0, 0));
    let two = _mm256_set_epi32(0, 0, 0, 2, 0, 0, 0, 2);

    let groups = data.len() / 256;
    for g in 0..=groups {
        // Sealing hashes the previous group's ciphertext; opening hashes this group's
        // ciphertext before it is overwritten. Sealing runs one extra pass, hash only.
        let (done, rest) = data.split_at_mut(256 * g.min(groups));
        let encrypting = g < groups;
        if !SEAL && !encrypting {
            break;
        }
        // (No closures here: a call that is not inlined would spill every ymm register.)
        let src: Option<&[u8]> = if SEAL {
            if g > 0 {
                Some(&done[256 * (g - 1)..])
            } else {
                None
            }
        } else {
            Some(&rest[..256])
        };
        let mut b = [_mm256_setzero_si256(); 8];
        if encrypting {
            for x in b.iter_mut() {
                *x = _mm256_xor_si256(_mm256_shuffle_epi8(c, rev), rk[0]);
                c = _mm256_add_epi32(c, two);
            }
        }
        let z = _mm256_setzero_si256();
        let (mut lo, mut mid, mut hi) = (z, z, z);
        #[allow(clippy::needless_range_loop)] // r also places the GHASH steps
        for r in 1..R.max(9) {
            if encrypting && r < R {
                for x in b.iter_mut() {
                    *x = _mm256_aesenc_epi128(*x, rk[r]);
                }
            }
            if let (Some(src), true) = (src, r <= 8) {
                let j = r - 1;
                let mut x = _mm256_shuffle_epi8(load256_at(src, 32 * j), rev);
                if j == 0 {
                    x = _mm256_xor_si256(x, _mm256_zextsi128_si256(acc));
                }
                let h = hp[j];
                lo = _mm256_xor_si256(lo, _mm256_clmulepi64_epi128(x, h, 0x00));
                hi = _mm256_xor_si256(hi, _mm256_clmulepi64_epi128(x, h, 0x11));
                mid = _mm256_xor_si256(mid, _mm256_clmulepi64_epi128(x, h, 0x01));
                mid = _mm256_xor_si256(mid, _mm256_clmulepi64_epi128(x, h, 0x10));
            }
        }
        if src.is_some() {
            acc = reduce([fold(lo), fold(mid), fold(hi)]);
        }
        if encrypting {
            let chunk = &mut rest[..256];
            for (i, x) in b.iter().enumerate() {
                let s = _mm256_aesenclast_epi128(*x, rk[R]);
                let d = _mm256_xor_si256(load256_at(chunk, 32 * i), s);
                store256_at(chunk, 32 * i, d);
            }
        }
    }
    store128(y, bswap(acc));
    groups * 256
}
