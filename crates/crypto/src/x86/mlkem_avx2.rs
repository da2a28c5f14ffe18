//! The ML-KEM number-theoretic transform (FIPS 203 §4.3, Algorithms 9-12) with
//! AVX2: sixteen 16-bit coefficients per register, Montgomery and Barrett
//! reduction in 16-bit lanes (`vpmullw`/`vpmulhw`), the same operations in the
//! same order as the portable code in `mlkem::ntt`, so the results are equal
//! bit for bit.
//!
//! The layers whose butterflies span 16 coefficients or more pair whole
//! registers. For the last three layers (distance 8, 4, 2) two registers a, b
//! (32 coefficients) are rearranged into X, Y so that each butterfly pairs the
//! same element of X and Y: 128-bit halves are exchanged, then 64-bit, then
//! 32-bit elements. Each rearrangement is its own inverse, so the same steps in
//! reverse order restore the coefficient order. The twiddle factors of those
//! layers are per element, from tables laid out to match. No branch or index
//! depends on the coefficients.

use core::arch::x86_64::*;

use crate::backend::Features;
use crate::mlkem::ntt::{QINV, ZETAS};

type Poly = [i16; 256];

/// The transform of [`crate::mlkem::ntt::ntt`]; false, with `r` untouched, when
/// `f` lacks AVX2. `Features` comes only from detection (or is
/// [`Features::portable`]), so these safe functions never run AVX2 on a CPU
/// without it.
pub(crate) fn ntt(f: Features, r: &mut Poly) -> bool {
    if !f.avx2() {
        return false;
    }
    // SAFETY: AVX2 was detected (`f.avx2()`, and `Features` is only built by detection).
    unsafe { ntt_avx2(r) };
    true
}

/// [`crate::mlkem::ntt::inv_ntt_tomont`]; false when `f` lacks AVX2.
pub(crate) fn inv_ntt_tomont(f: Features, r: &mut Poly) -> bool {
    if !f.avx2() {
        return false;
    }
    // SAFETY: as in `ntt`.
    unsafe { inv_ntt_avx2(r) };
    true
}

/// [`crate::mlkem::ntt::basemul_acc`]; false when `f` lacks AVX2.
pub(crate) fn basemul_acc(f: Features, out: &mut Poly, a: &[Poly], b: &[Poly]) -> bool {
    if !f.avx2() {
        return false;
    }
    // SAFETY: as in `ntt`.
    unsafe { basemul_acc_avx2(out, a, b) };
    true
}

/// Twiddle tables of the three in-register layers, one 16-element row per
/// register pair (forward: distance 8, 4, 2; inverse: the same layouts with the
/// inverse transform's factors).
struct Tables {
    fwd8: [[i16; 16]; 8],
    fwd4: [[i16; 16]; 8],
    fwd2: [[i16; 16]; 8],
    inv8: [[i16; 16]; 8],
    inv4: [[i16; 16]; 8],
    inv2: [[i16; 16]; 8],
    /// ζ^(2 BitRev7(i) + 1) for the base multiplication, at the odd position of
    /// each pair (the even positions are unused).
    base: [i16; 256],
}

const TABLES: Tables = tables();

const fn tables() -> Tables {
    let mut t = Tables {
        fwd8: [[0; 16]; 8],
        fwd4: [[0; 16]; 8],
        fwd2: [[0; 16]; 8],
        inv8: [[0; 16]; 8],
        inv4: [[0; 16]; 8],
        inv2: [[0; 16]; 8],
        base: [0; 256],
    };
    let mut i = 0;
    while i < 8 {
        let mut e = 0;
        while e < 16 {
            // Distance 8: X = [a0..a7 | b0..b7], one group of 16 per half:
            // groups 2i and 2i + 1.
            let g8 = 2 * i + e / 8;
            t.fwd8[i][e] = ZETAS[16 + g8];
            t.inv8[i][e] = ZETAS[31 - g8];
            // Distance 4: X = [a0..a3 a8..a11 | b0..b3 b8..b11], groups of 8:
            // 4i .. 4i + 3, four elements each.
            let g4 = 4 * i + e / 4;
            t.fwd4[i][e] = ZETAS[32 + g4];
            t.inv4[i][e] = ZETAS[63 - g4];
            // Distance 2: X = (a0 a1)(a4 a5)(a8 a9)(a12 a13) | the same of b,
            // groups of 4: 8i .. 8i + 7, two elements each.
            let g2 = 8 * i + e / 2;
            t.fwd2[i][e] = ZETAS[64 + g2];
            t.inv2[i][e] = ZETAS[127 - g2];
            e += 1;
        }
        i += 1;
    }
    let mut i = 0;
    while i < 64 {
        t.base[4 * i + 1] = ZETAS[64 + i];
        t.base[4 * i + 3] = -ZETAS[64 + i];
        i += 1;
    }
    t
}

#[inline]
#[target_feature(enable = "avx2")]
fn load(p: &[i16; 16]) -> __m256i {
    // SAFETY: `p` is 32 readable bytes; loadu needs no alignment; AVX is enabled.
    unsafe { _mm256_loadu_si256(p.as_ptr().cast()) }
}

#[inline]
#[target_feature(enable = "avx2")]
fn load_poly(r: &Poly) -> [__m256i; 16] {
    let mut v = [_mm256_setzero_si256(); 16];
    for (x, c) in v.iter_mut().zip(r.chunks_exact(16)) {
        *x = load(c.try_into().expect("16 coefficients"));
    }
    v
}

#[inline]
#[target_feature(enable = "avx2")]
fn store_poly(r: &mut Poly, v: &[__m256i; 16]) {
    for (x, c) in v.iter().zip(r.chunks_exact_mut(16)) {
        // SAFETY: `c` is 16 coefficients, 32 writable bytes; storeu needs no
        // alignment; AVX is enabled.
        unsafe { _mm256_storeu_si256(c.as_mut_ptr().cast(), *x) };
    }
}

/// a · b · R⁻¹ mod q per lane, given bq = b · q⁻¹ mod 2^16: the high half of a b
/// minus the high half of ((a bq) mod 2^16) · q, which is (a b - t q) / 2^16
/// exactly, as in the portable `montgomery_reduce`.
#[inline]
#[target_feature(enable = "avx2")]
fn fqmul_pre(a: __m256i, b: __m256i, bq: __m256i) -> __m256i {
    let hi = _mm256_mulhi_epi16(a, b);
    let t = _mm256_mullo_epi16(a, bq);
    let t = _mm256_mulhi_epi16(t, _mm256_set1_epi16(crate::mlkem::ntt::Q));
    _mm256_sub_epi16(hi, t)
}

#[inline]
#[target_feature(enable = "avx2")]
fn fqmul(a: __m256i, b: __m256i) -> __m256i {
    let bq = _mm256_mullo_epi16(b, _mm256_set1_epi16(QINV));
    fqmul_pre(a, b, bq)
}

/// The portable `barrett_reduce` per lane: t = ⌊(⌊a v / 2^16⌋ + 2^9) / 2^10⌋
/// = ⌊(a v + 2^25) / 2^26⌋, then a - t q.
#[inline]
#[target_feature(enable = "avx2")]
fn barrett(a: __m256i) -> __m256i {
    const V: i16 = (((1 << 26) + 3329 / 2) / 3329) as i16;
    let t = _mm256_mulhi_epi16(a, _mm256_set1_epi16(V));
    let t = _mm256_srai_epi16::<10>(_mm256_add_epi16(t, _mm256_set1_epi16(512)));
    _mm256_sub_epi16(
        a,
        _mm256_mullo_epi16(t, _mm256_set1_epi16(crate::mlkem::ntt::Q)),
    )
}

/// Cooley-Tukey butterfly: t = ζ y, (x, y) = (x + t, x - t).
#[inline]
#[target_feature(enable = "avx2")]
fn ct(x: &mut __m256i, y: &mut __m256i, z: __m256i, zq: __m256i) {
    let t = fqmul_pre(*y, z, zq);
    *y = _mm256_sub_epi16(*x, t);
    *x = _mm256_add_epi16(*x, t);
}

/// Gentleman-Sande butterfly: (x, y) = (Barrett(x + y), ζ (y - x)).
#[inline]
#[target_feature(enable = "avx2")]
fn gs(x: &mut __m256i, y: &mut __m256i, z: __m256i, zq: __m256i) {
    let t = *x;
    *x = barrett(_mm256_add_epi16(t, *y));
    *y = fqmul_pre(_mm256_sub_epi16(*y, t), z, zq);
}

/// Exchanges 128-bit halves: (a, b) -> ([a.lo, b.lo], [a.hi, b.hi]).
#[inline]
#[target_feature(enable = "avx2")]
fn swap128(a: __m256i, b: __m256i) -> (__m256i, __m256i) {
    (
        _mm256_permute2x128_si256::<0x20>(a, b),
        _mm256_permute2x128_si256::<0x31>(a, b),
    )
}

/// Exchanges 64-bit elements within each 128-bit half.
#[inline]
#[target_feature(enable = "avx2")]
fn swap64(a: __m256i, b: __m256i) -> (__m256i, __m256i) {
    (_mm256_unpacklo_epi64(a, b), _mm256_unpackhi_epi64(a, b))
}

/// Exchanges 32-bit elements: ([a0 a1 a2 a3], [b0 b1 b2 b3]) per half ->
/// ([a0 b0 a2 b2], [a1 b1 a3 b3]).
#[inline]
#[target_feature(enable = "avx2")]
fn swap32(a: __m256i, b: __m256i) -> (__m256i, __m256i) {
    (
        _mm256_blend_epi32::<0xaa>(a, _mm256_slli_epi64::<32>(b)),
        _mm256_blend_epi32::<0xaa>(_mm256_srli_epi64::<32>(a), b),
    )
}

#[inline]
#[target_feature(enable = "avx2")]
fn twiddle(z: i16) -> (__m256i, __m256i) {
    (
        _mm256_set1_epi16(z),
        _mm256_set1_epi16(z.wrapping_mul(QINV)),
    )
}

#[inline]
#[target_feature(enable = "avx2")]
fn twiddles(z: &[i16; 16]) -> (__m256i, __m256i) {
    let z = load(z);
    (z, _mm256_mullo_epi16(z, _mm256_set1_epi16(QINV)))
}

#[target_feature(enable = "avx2")]
fn ntt_avx2(r: &mut Poly) {
    let mut v = load_poly(r);
    // Distances 128 .. 16 (in registers: 8 .. 1): whole registers.
    let mut k = 1;
    let mut lv = 8;
    while lv >= 1 {
        let mut start = 0;
        while start < 16 {
            let (z, zq) = twiddle(ZETAS[k]);
            k += 1;
            for j in start..start + lv {
                let (mut x, mut y) = (v[j], v[j + lv]);
                ct(&mut x, &mut y, z, zq);
                v[j] = x;
                v[j + lv] = y;
            }
            start += 2 * lv;
        }
        lv >>= 1;
    }
    // Distances 8, 4, 2 within each register pair.
    for i in 0..8 {
        let (mut x, mut y) = swap128(v[2 * i], v[2 * i + 1]);
        let (z, zq) = twiddles(&TABLES.fwd8[i]);
        ct(&mut x, &mut y, z, zq);
        let (mut x, mut y) = swap64(x, y);
        let (z, zq) = twiddles(&TABLES.fwd4[i]);
        ct(&mut x, &mut y, z, zq);
        let (mut x, mut y) = swap32(x, y);
        let (z, zq) = twiddles(&TABLES.fwd2[i]);
        ct(&mut x, &mut y, z, zq);
        let (x, y) = swap32(x, y);
        let (x, y) = swap64(x, y);
        let (a, b) = swap128(x, y);
        v[2 * i] = barrett(a);
        v[2 * i + 1] = barrett(b);
    }
    store_poly(r, &v);
}

#[target_feature(enable = "avx2")]
fn inv_ntt_avx2(r: &mut Poly) {
    // R^2 / 128 mod q, as in the portable code.
    const F: i16 = 1441;
    let mut v = load_poly(r);
    // Distances 2, 4, 8 within each register pair.
    for i in 0..8 {
        let (x, y) = swap128(v[2 * i], v[2 * i + 1]);
        let (x, y) = swap64(x, y);
        let (mut x, mut y) = swap32(x, y);
        let (z, zq) = twiddles(&TABLES.inv2[i]);
        gs(&mut x, &mut y, z, zq);
        let (mut x, mut y) = swap32(x, y);
        let (z, zq) = twiddles(&TABLES.inv4[i]);
        gs(&mut x, &mut y, z, zq);
        let (mut x, mut y) = swap64(x, y);
        let (z, zq) = twiddles(&TABLES.inv8[i]);
        gs(&mut x, &mut y, z, zq);
        let (a, b) = swap128(x, y);
        v[2 * i] = a;
        v[2 * i + 1] = b;
    }
    // Distances 16 .. 128 (in registers: 1 .. 8).
    let mut k = 15;
    let mut lv = 1;
    while lv <= 8 {
        let mut start = 0;
        while start < 16 {
            let (z, zq) = twiddle(ZETAS[k]);
            k -= 1;
            for j in start..start + lv {
                let (mut x, mut y) = (v[j], v[j + lv]);
                gs(&mut x, &mut y, z, zq);
                v[j] = x;
                v[j + lv] = y;
            }
            start += 2 * lv;
        }
        lv <<= 1;
    }
    let (f, fq) = twiddle(F);
    for x in v.iter_mut() {
        *x = fqmul_pre(*x, f, fq);
    }
    store_poly(r, &v);
}

#[target_feature(enable = "avx2")]
fn basemul_acc_avx2(out: &mut Poly, a: &[Poly], b: &[Poly]) {
    // Swaps the two 16-bit halves of each 32-bit element.
    let swap = _mm256_setr_epi8(
        2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9,
        14, 15, 12, 13,
    );
    let mut acc = [_mm256_setzero_si256(); 16];
    for (x, y) in a.iter().zip(b) {
        for (i, s) in acc.iter_mut().enumerate() {
            let xa = load(x[16 * i..16 * i + 16].try_into().expect("16"));
            let yb = load(y[16 * i..16 * i + 16].try_into().expect("16"));
            let z = load(TABLES.base[16 * i..16 * i + 16].try_into().expect("16"));
            // p = (a0 b0, a1 b1), pz = (.., a1 b1 ζ), m = (a0 b1, a1 b0), each R⁻¹.
            let p = fqmul(xa, yb);
            let pz = fqmul(p, z);
            let m = fqmul(xa, _mm256_shuffle_epi8(yb, swap));
            // (a0 b0 + a1 b1 ζ, a0 b1 + a1 b0) per pair (FIPS 203 Algorithm 12).
            let lo = _mm256_blend_epi16::<0xaa>(p, _mm256_slli_epi32::<16>(m));
            let hi = _mm256_blend_epi16::<0xaa>(_mm256_srli_epi32::<16>(pz), m);
            *s = _mm256_add_epi16(*s, _mm256_add_epi16(lo, hi));
        }
    }
    for s in acc.iter_mut() {
        *s = barrett(*s);
    }
    store_poly(out, &acc);
}

/// Runs `body` inside a function compiled with AVX2, so that the portable code
/// inlined into it (compression, encoding, sampling: plain loops, no
/// intrinsics) may be vectorized with 256-bit registers; false, without
/// running `body`, when `f` lacks AVX2.
pub(crate) fn run_avx2(f: Features, body: impl FnOnce()) -> bool {
    if !f.avx2() {
        return false;
    }
    // SAFETY: as in `ntt`.
    unsafe { run(body) };
    true
}

#[target_feature(enable = "avx2")]
fn run(body: impl FnOnce()) {
    body()
}

/// [`crate::mlkem::poly::reduce`]; false when `f` lacks AVX2.
pub(crate) fn reduce(f: Features, r: &mut Poly) -> bool {
    if !f.avx2() {
        return false;
    }
    // SAFETY: as in `ntt`.
    unsafe { reduce_avx2(r) };
    true
}

/// [`crate::mlkem::poly::tomont`]; false when `f` lacks AVX2.
pub(crate) fn tomont(f: Features, r: &mut Poly) -> bool {
    if !f.avx2() {
        return false;
    }
    // SAFETY: as in `ntt`.
    unsafe { tomont_avx2(r) };
    true
}

#[target_feature(enable = "avx2")]
fn reduce_avx2(r: &mut Poly) {
    let mut v = load_poly(r);
    for x in v.iter_mut() {
        *x = barrett(*x);
    }
    store_poly(r, &v);
}

#[target_feature(enable = "avx2")]
fn tomont_avx2(r: &mut Poly) {
    // R^2 = 2^32 mod q, as in the portable `to_mont`.
    let (f, fq) = twiddle(crate::mlkem::ntt::R2);
    let mut v = load_poly(r);
    for x in v.iter_mut() {
        *x = fqmul_pre(*x, f, fq);
    }
    store_poly(r, &v);
}

/// The start of SampleNTT's loop (FIPS 203 Algorithm 7, lines 4-14) on `buf`:
/// eight candidates (12 bytes) at a time while `*j` leaves room for eight more
/// coefficients; returns how many bytes it used (a multiple of 12, 0 without
/// AVX2), the rest is for the scalar loop. The accepted candidates are moved
/// together with a shuffle chosen by the acceptance mask: a table index that
/// depends on the data, which is public here (Â comes from ρ, part of ek).
pub(crate) fn rej_uniform(f: Features, buf: &[u8], p: &mut Poly, j: &mut usize) -> usize {
    if !f.avx2() {
        return 0;
    }
    // SAFETY: as in `ntt`.
    unsafe { rej_uniform_avx2(buf, p, j) }
}

/// For each 8-bit acceptance mask, the `pshufb` pattern that packs the
/// accepted 16-bit lanes to the front, in order.
const COMPACT: [[u8; 16]; 256] = compact_table();

const fn compact_table() -> [[u8; 16]; 256] {
    let mut t = [[0x80u8; 16]; 256];
    let mut m = 0;
    while m < 256 {
        let mut n = 0;
        let mut i = 0;
        while i < 8 {
            if (m >> i) & 1 == 1 {
                t[m][2 * n] = 2 * i as u8;
                t[m][2 * n + 1] = 2 * i as u8 + 1;
                n += 1;
            }
            i += 1;
        }
        m += 1;
    }
    t
}

#[target_feature(enable = "avx2")]
fn rej_uniform_avx2(buf: &[u8], p: &mut Poly, j: &mut usize) -> usize {
    // Lane 2i: bytes 3i, 3i + 1; lane 2i + 1: bytes 3i + 1, 3i + 2 (little-endian).
    let spread = _mm_setr_epi8(0, 1, 1, 2, 3, 4, 4, 5, 6, 7, 7, 8, 9, 10, 10, 11);
    let low12 = _mm_set1_epi32(0x0000_0fff);
    let q = _mm_set1_epi16(crate::mlkem::ntt::Q);
    let mut off = 0;
    while off + 16 <= buf.len() && *j + 8 <= 256 {
        let b: &[u8; 16] = buf[off..off + 16].try_into().expect("16 bytes");
        let v = _mm_shuffle_epi8(super::load128(b), spread);
        // d1 = low 12 bits of the even lanes, d2 = the odd lanes shifted down by 4.
        let v = _mm_blend_epi16::<0xaa>(_mm_and_si128(v, low12), _mm_srli_epi16::<4>(v));
        let good = _mm_cmplt_epi16(v, q);
        let mask = _mm_movemask_epi8(_mm_packs_epi16(good, _mm_setzero_si128())) as usize & 0xff;
        let packed = _mm_shuffle_epi8(v, super::load128(&COMPACT[mask]));
        let out: &mut [i16; 8] = (&mut p[*j..*j + 8]).try_into().expect("8 coefficients");
        // SAFETY: `out` is 16 writable bytes; storeu needs no alignment; SSE2 is
        // part of x86-64.
        unsafe { _mm_storeu_si128(out.as_mut_ptr().cast(), packed) };
        *j += mask.count_ones() as usize;
        off += 12;
    }
    off
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mlkem::ntt::{basemul_acc_portable, inv_ntt_tomont_portable, ntt_portable};
    use proptest::prelude::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    const Q: i16 = crate::mlkem::ntt::Q;

    /// A polynomial with coefficients in (-q, q) drawn from `seed`.
    fn random_poly(rng: &mut ChaCha20Rng) -> Poly {
        let mut p = [0i16; 256];
        for c in p.iter_mut() {
            *c = rng.gen_range(-(Q - 1)..=Q - 1);
        }
        p
    }

    /// Runs the three AVX2 functions and the portable ones on the same inputs.
    fn check(a: &[Poly], b: &[Poly]) {
        let f = Features::detected();
        for p in a.iter().chain(b) {
            let (mut x, mut y) = (*p, *p);
            assert!(!ntt(Features::portable(), &mut x));
            assert_eq!(x, *p);
            if !f.avx2() {
                return;
            }
            assert!(ntt(f, &mut x));
            ntt_portable(&mut y);
            assert_eq!(x, y, "ntt");
            let (mut x, mut y) = (*p, *p);
            assert!(inv_ntt_tomont(f, &mut x));
            inv_ntt_tomont_portable(&mut y);
            assert_eq!(x, y, "inv_ntt");
        }
        for p in a.iter().chain(b) {
            let (mut x, mut y) = (*p, *p);
            assert!(reduce(f, &mut x));
            crate::mlkem::poly::reduce_portable(&mut y);
            assert_eq!(x, y, "reduce");
            let (mut x, mut y) = (*p, *p);
            assert!(tomont(f, &mut x));
            crate::mlkem::poly::tomont_portable(&mut y);
            assert_eq!(x, y, "tomont");
        }
        let (mut x, mut y) = ([0i16; 256], [0i16; 256]);
        assert!(basemul_acc(f, &mut x, a, b));
        basemul_acc_portable(&mut y, a, b);
        assert_eq!(x, y, "basemul_acc, {} terms", a.len());
    }

    #[test]
    fn edge_values() {
        for v in [0, Q - 1, -(Q - 1), 1, -1, Q / 2, -(Q / 2)] {
            let p = [v; 256];
            for n in 1..=4 {
                check(&[p; 4][..n], &[p; 4][..n]);
            }
        }
        let mut alt = [0i16; 256];
        for (i, c) in alt.iter_mut().enumerate() {
            *c = if i % 2 == 0 { Q - 1 } else { -(Q - 1) };
        }
        check(&[alt; 4], &[[Q - 1; 256]; 4]);
    }

    proptest! {
        /// Random inputs in (-q, q), one to four terms.
        #[test]
        fn matches_portable(seed: u64, n in 1usize..=4) {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            let a: [Poly; 4] = core::array::from_fn(|_| random_poly(&mut rng));
            let b: [Poly; 4] = core::array::from_fn(|_| random_poly(&mut rng));
            check(&a[..n], &b[..n]);
        }
    }
}
