//! ChaCha20 with AVX2: eight blocks at once, each 256-bit register holding one state
//! word of all eight blocks, transposed back to block order on output.

use core::arch::x86_64::*;

use super::{load256_at, store256_at};
use crate::backend::Features;

/// XORs as many whole 512-byte groups of `data` as it holds with the keystream
/// starting at `state`; returns how many bytes it did: 0, with `data` untouched,
/// when `f` lacks AVX2. `Features` comes only from detection (or is
/// [`Features::portable`]), so this safe function never runs AVX2 on a CPU without it.
pub(crate) fn xor_blocks8(f: Features, state: &[u32; 16], data: &mut [u8]) -> usize {
    if !f.avx2() {
        return 0;
    }
    // SAFETY: AVX2 was detected (`f.avx2()`, and `Features` is only built by
    // detection).
    unsafe { xor_avx2(state, data) }
}

#[inline]
#[target_feature(enable = "avx2")]
fn rotl(x: __m256i, n: i32, r16: __m256i, r8: __m256i) -> __m256i {
    match n {
        16 => _mm256_shuffle_epi8(x, r16),
        8 => _mm256_shuffle_epi8(x, r8),
        12 => _mm256_or_si256(_mm256_slli_epi32(x, 12), _mm256_srli_epi32(x, 20)),
        _ => _mm256_or_si256(_mm256_slli_epi32(x, 7), _mm256_srli_epi32(x, 25)),
    }
}

#[inline]
#[target_feature(enable = "avx2")]
fn qr(v: &mut [__m256i; 16], a: usize, b: usize, c: usize, d: usize, r16: __m256i, r8: __m256i) {
    v[a] = _mm256_add_epi32(v[a], v[b]);
    v[d] = rotl(_mm256_xor_si256(v[d], v[a]), 16, r16, r8);
    v[c] = _mm256_add_epi32(v[c], v[d]);
    v[b] = rotl(_mm256_xor_si256(v[b], v[c]), 12, r16, r8);
    v[a] = _mm256_add_epi32(v[a], v[b]);
    v[d] = rotl(_mm256_xor_si256(v[d], v[a]), 8, r16, r8);
    v[c] = _mm256_add_epi32(v[c], v[d]);
    v[b] = rotl(_mm256_xor_si256(v[b], v[c]), 7, r16, r8);
}

/// Transposes eight registers of eight 32-bit lanes: out[b] = lane b of in[0..8].
/// A macro rather than a function so it always inlines (a call would pass every
/// register through memory).
macro_rules! transpose8 {
    ($a:expr) => {{
        let a = $a;
        let t0 = _mm256_unpacklo_epi32(a[0], a[1]);
        let t1 = _mm256_unpackhi_epi32(a[0], a[1]);
        let t2 = _mm256_unpacklo_epi32(a[2], a[3]);
        let t3 = _mm256_unpackhi_epi32(a[2], a[3]);
        let t4 = _mm256_unpacklo_epi32(a[4], a[5]);
        let t5 = _mm256_unpackhi_epi32(a[4], a[5]);
        let t6 = _mm256_unpacklo_epi32(a[6], a[7]);
        let t7 = _mm256_unpackhi_epi32(a[6], a[7]);
        let u0 = _mm256_unpacklo_epi64(t0, t2);
        let u1 = _mm256_unpackhi_epi64(t0, t2);
        let u2 = _mm256_unpacklo_epi64(t1, t3);
        let u3 = _mm256_unpackhi_epi64(t1, t3);
        let u4 = _mm256_unpacklo_epi64(t4, t6);
        let u5 = _mm256_unpackhi_epi64(t4, t6);
        let u6 = _mm256_unpacklo_epi64(t5, t7);
        let u7 = _mm256_unpackhi_epi64(t5, t7);
        [
            _mm256_permute2x128_si256(u0, u4, 0x20),
            _mm256_permute2x128_si256(u1, u5, 0x20),
            _mm256_permute2x128_si256(u2, u6, 0x20),
            _mm256_permute2x128_si256(u3, u7, 0x20),
            _mm256_permute2x128_si256(u0, u4, 0x31),
            _mm256_permute2x128_si256(u1, u5, 0x31),
            _mm256_permute2x128_si256(u2, u6, 0x31),
            _mm256_permute2x128_si256(u3, u7, 0x31),
        ]
    }};
}

/// ChaCha20 encryption stitched with Poly1305 over the ciphertext: while the vector
/// units make the keystream for group i, the scalar multiplier hashes the ciphertext
/// of group i-1 (the two use different execution ports). Encrypts and hashes every
/// whole 512-byte group of `data`; returns how many bytes that was. Only called when
/// AVX2 and BMI2 were detected (`Features::avx2_bmi2`): `mulx` leaves the flags and
/// rax/rdx alone, which saves Poly1305 a dozen moves a block, and the stitched loop
/// is limited by how many instructions the core can issue, not by either unit.
///
/// Returns 0, with `data` and `h` untouched, when `f` lacks AVX2 and BMI2.
pub(crate) fn seal_stitched(
    f: Features,
    state: &[u32; 16],
    data: &mut [u8],
    h: &mut [u64; 3],
    r: &[u64; 2],
) -> usize {
    if !f.avx2_bmi2() {
        return 0;
    }
    // SAFETY: AVX2 and BMI2 were detected (`f.avx2_bmi2()`, and `Features` is only
    // built by detection).
    unsafe { seal_avx2(state, data, h, r) }
}

#[target_feature(enable = "avx2,bmi2")]
fn seal_avx2(state: &[u32; 16], data: &mut [u8], h: &mut [u64; 3], r: &[u64; 2]) -> usize {
    let groups = data.len() / 512;
    let mut s = *state;
    for g in 0..groups {
        let (done, rest) = data.split_at_mut(512 * g);
        if g == 0 {
            xor_group(&s, &mut rest[..512], &[], h, r);
        } else {
            seal_group(&s, &mut rest[..512], &done[512 * (g - 1)..], h, r);
        }
        s[12] = s[12].wrapping_add(8);
    }
    if groups > 0 {
        crate::poly1305::poly_blocks(h, r, &data[512 * (groups - 1)..512 * groups], 1);
    }
    groups * 512
}

/// One 512-byte group of keystream XORed into `chunk`, while Poly1305 absorbs the
/// 32 blocks of `prev` (when `$hash`): two after the column rounds and one after
/// the diagonal rounds of each double round, the last two after.
/// Defined twice by a macro: for AVX2 alone, and with BMI2 for the stitched seal
/// so Poly1305 gets `mulx`. (No closure: a call that is not inlined would spill
/// every ymm register.)
macro_rules! group_fn {
    ($(#[$attr:meta])* $name:ident, $hash:literal) => {
        $(#[$attr])*
        fn $name(
            state: &[u32; 16],
            chunk: &mut [u8],
            prev: &[u8],
            h: &mut [u64; 3],
            r: &[u64; 2],
        ) {
            let r16 = _mm256_set_epi8(
                13, 12, 15, 14, 9, 8, 11, 10, 5, 4, 7, 6, 1, 0, 3, 2, 13, 12, 15, 14, 9, 8, 11, 10, 5, 4,
                7, 6, 1, 0, 3, 2,
            );
            let r8 = _mm256_set_epi8(
                14, 13, 12, 15, 10, 9, 8, 11, 6, 5, 4, 7, 2, 1, 0, 3, 14, 13, 12, 15, 10, 9, 8, 11, 6, 5,
                4, 7, 2, 1, 0, 3,
            );
            let mut init: [__m256i; 16] = core::array::from_fn(|i| _mm256_set1_epi32(state[i] as i32));
            init[12] = _mm256_add_epi32(init[12], _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0));
            let mut v = init;
            for round in 0..10 {
                qr(&mut v, 0, 4, 8, 12, r16, r8);
                qr(&mut v, 1, 5, 9, 13, r16, r8);
                qr(&mut v, 2, 6, 10, 14, r16, r8);
                qr(&mut v, 3, 7, 11, 15, r16, r8);
                if $hash {
                    crate::poly1305::poly_blocks(h, r, &prev[48 * round..48 * round + 32], 1);
                }
                qr(&mut v, 0, 5, 10, 15, r16, r8);
                qr(&mut v, 1, 6, 11, 12, r16, r8);
                qr(&mut v, 2, 7, 8, 13, r16, r8);
                qr(&mut v, 3, 4, 9, 14, r16, r8);
                if $hash {
                    crate::poly1305::poly_blocks(h, r, &prev[48 * round + 32..48 * round + 48], 1);
                }
            }
            if $hash {
                crate::poly1305::poly_blocks(h, r, &prev[480..512], 1);
            }
            for (x, i) in v.iter_mut().zip(init.iter()) {
                *x = _mm256_add_epi32(*x, *i);
            }
            let lo = transpose8!(&v[..8]);
            let hi = transpose8!(&v[8..]);
            for b in 0..8 {
                let off = 64 * b;
                let x0 = _mm256_xor_si256(load256_at(chunk, off), lo[b]);
                let x1 = _mm256_xor_si256(load256_at(chunk, off + 32), hi[b]);
                store256_at(chunk, off, x0);
                store256_at(chunk, off + 32, x1);
            }
        }
    };
}

group_fn!(
    #[inline]
    #[target_feature(enable = "avx2")]
    xor_group,
    false
);
group_fn!(
    #[inline]
    #[target_feature(enable = "avx2,bmi2")]
    seal_group,
    true
);

#[target_feature(enable = "avx2")]
fn xor_avx2(state: &[u32; 16], data: &mut [u8]) -> usize {
    let mut s = *state;
    let mut done = 0;
    for chunk in data.chunks_exact_mut(512) {
        xor_group(&s, chunk, &[], &mut [0; 3], &[0; 2]);
        s[12] = s[12].wrapping_add(8);
        done += 512;
    }
    done
}
