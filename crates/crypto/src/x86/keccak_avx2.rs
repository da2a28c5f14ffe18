//! Keccak-f[1600] (FIPS 202 §3.3) on four independent states at once with AVX2:
//! register i holds lane i of the four states, one per 64-bit element, so each
//! step of θ, ρ, π, χ, ι is the scalar step done with vector instructions. The
//! permutation has no data-dependent branch or index, like the portable one.

use core::arch::x86_64::*;

use crate::backend::Features;

/// Keccak-f[1600] on the four states interleaved in `lanes` (`lanes[i][s]` is
/// lane i of state s); returns false, with `lanes` untouched, when `f` lacks
/// AVX2. `Features` comes only from detection (or is [`Features::portable`]),
/// so this safe function never runs AVX2 on a CPU without it.
pub(crate) fn keccak_f1600_x4(f: Features, lanes: &mut [[u64; 4]; 25]) -> bool {
    if !f.avx2() {
        return false;
    }
    // SAFETY: AVX2 was detected (`f.avx2()`, and `Features` is only built by
    // detection).
    unsafe { permute(lanes) };
    true
}

/// Rotates each 64-bit element left by a constant.
macro_rules! rol {
    ($x:expr, 0) => {
        $x
    };
    ($x:expr, $n:literal) => {{
        let x = $x;
        _mm256_or_si256(
            _mm256_slli_epi64::<$n>(x),
            _mm256_srli_epi64::<{ 64 - $n }>(x),
        )
    }};
}

/// One round (θ, ρ, π, χ, ι) from `$a` into `$e`, a row of five lanes at a
/// time so that few registers are live (the states stay in memory).
macro_rules! round {
    ($a:ident, $e:ident, $rc:expr) => {{
        // θ (§3.2.1)
        let c0 = xor5($a[0], $a[5], $a[10], $a[15], $a[20]);
        let c1 = xor5($a[1], $a[6], $a[11], $a[16], $a[21]);
        let c2 = xor5($a[2], $a[7], $a[12], $a[17], $a[22]);
        let c3 = xor5($a[3], $a[8], $a[13], $a[18], $a[23]);
        let c4 = xor5($a[4], $a[9], $a[14], $a[19], $a[24]);
        let d = [
            _mm256_xor_si256(c4, rol!(c1, 1)),
            _mm256_xor_si256(c0, rol!(c2, 1)),
            _mm256_xor_si256(c1, rol!(c3, 1)),
            _mm256_xor_si256(c2, rol!(c4, 1)),
            _mm256_xor_si256(c3, rol!(c0, 1)),
        ];
        // ρ and π (§3.2.2, §3.2.3): B[x + 5y] = A[(x + 3y) mod 5, x] rotated,
        // then χ (§3.2.4) on that row.
        {
            let b0 = rol!(_mm256_xor_si256($a[0], d[0]), 0);
            let b1 = rol!(_mm256_xor_si256($a[6], d[1]), 44);
            let b2 = rol!(_mm256_xor_si256($a[12], d[2]), 43);
            let b3 = rol!(_mm256_xor_si256($a[18], d[3]), 21);
            let b4 = rol!(_mm256_xor_si256($a[24], d[4]), 14);
            $e[0] = _mm256_xor_si256(b0, _mm256_andnot_si256(b1, b2));
            $e[1] = _mm256_xor_si256(b1, _mm256_andnot_si256(b2, b3));
            $e[2] = _mm256_xor_si256(b2, _mm256_andnot_si256(b3, b4));
            $e[3] = _mm256_xor_si256(b3, _mm256_andnot_si256(b4, b0));
            $e[4] = _mm256_xor_si256(b4, _mm256_andnot_si256(b0, b1));
        }
        {
            let b0 = rol!(_mm256_xor_si256($a[3], d[3]), 28);
            let b1 = rol!(_mm256_xor_si256($a[9], d[4]), 20);
            let b2 = rol!(_mm256_xor_si256($a[10], d[0]), 3);
            let b3 = rol!(_mm256_xor_si256($a[16], d[1]), 45);
            let b4 = rol!(_mm256_xor_si256($a[22], d[2]), 61);
            $e[5] = _mm256_xor_si256(b0, _mm256_andnot_si256(b1, b2));
            $e[6] = _mm256_xor_si256(b1, _mm256_andnot_si256(b2, b3));
            $e[7] = _mm256_xor_si256(b2, _mm256_andnot_si256(b3, b4));
            $e[8] = _mm256_xor_si256(b3, _mm256_andnot_si256(b4, b0));
            $e[9] = _mm256_xor_si256(b4, _mm256_andnot_si256(b0, b1));
        }
        {
            let b0 = rol!(_mm256_xor_si256($a[1], d[1]), 1);
            let b1 = rol!(_mm256_xor_si256($a[7], d[2]), 6);
            let b2 = rol!(_mm256_xor_si256($a[13], d[3]), 25);
            let b3 = rol!(_mm256_xor_si256($a[19], d[4]), 8);
            let b4 = rol!(_mm256_xor_si256($a[20], d[0]), 18);
            $e[10] = _mm256_xor_si256(b0, _mm256_andnot_si256(b1, b2));
            $e[11] = _mm256_xor_si256(b1, _mm256_andnot_si256(b2, b3));
            $e[12] = _mm256_xor_si256(b2, _mm256_andnot_si256(b3, b4));
            $e[13] = _mm256_xor_si256(b3, _mm256_andnot_si256(b4, b0));
            $e[14] = _mm256_xor_si256(b4, _mm256_andnot_si256(b0, b1));
        }
        {
            let b0 = rol!(_mm256_xor_si256($a[4], d[4]), 27);
            let b1 = rol!(_mm256_xor_si256($a[5], d[0]), 36);
            let b2 = rol!(_mm256_xor_si256($a[11], d[1]), 10);
            let b3 = rol!(_mm256_xor_si256($a[17], d[2]), 15);
            let b4 = rol!(_mm256_xor_si256($a[23], d[3]), 56);
            $e[15] = _mm256_xor_si256(b0, _mm256_andnot_si256(b1, b2));
            $e[16] = _mm256_xor_si256(b1, _mm256_andnot_si256(b2, b3));
            $e[17] = _mm256_xor_si256(b2, _mm256_andnot_si256(b3, b4));
            $e[18] = _mm256_xor_si256(b3, _mm256_andnot_si256(b4, b0));
            $e[19] = _mm256_xor_si256(b4, _mm256_andnot_si256(b0, b1));
        }
        {
            let b0 = rol!(_mm256_xor_si256($a[2], d[2]), 62);
            let b1 = rol!(_mm256_xor_si256($a[8], d[3]), 55);
            let b2 = rol!(_mm256_xor_si256($a[14], d[4]), 39);
            let b3 = rol!(_mm256_xor_si256($a[15], d[0]), 41);
            let b4 = rol!(_mm256_xor_si256($a[21], d[1]), 2);
            $e[20] = _mm256_xor_si256(b0, _mm256_andnot_si256(b1, b2));
            $e[21] = _mm256_xor_si256(b1, _mm256_andnot_si256(b2, b3));
            $e[22] = _mm256_xor_si256(b2, _mm256_andnot_si256(b3, b4));
            $e[23] = _mm256_xor_si256(b3, _mm256_andnot_si256(b4, b0));
            $e[24] = _mm256_xor_si256(b4, _mm256_andnot_si256(b0, b1));
        }
        // ι (§3.2.5)
        $e[0] = _mm256_xor_si256($e[0], _mm256_set1_epi64x($rc as i64));
    }};
}

#[target_feature(enable = "avx2")]
fn permute(lanes: &mut [[u64; 4]; 25]) {
    let mut a = [_mm256_setzero_si256(); 25];
    let mut e = [_mm256_setzero_si256(); 25];
    for (v, l) in a.iter_mut().zip(lanes.iter()) {
        // SAFETY: `l` is 32 readable bytes; loadu needs no alignment; AVX is enabled.
        *v = unsafe { _mm256_loadu_si256(l.as_ptr().cast()) };
    }
    for rc in crate::sha3::RC.chunks_exact(2) {
        round!(a, e, rc[0]);
        round!(e, a, rc[1]);
    }
    for (v, l) in a.iter().zip(lanes.iter_mut()) {
        // SAFETY: `l` is 32 writable bytes; storeu needs no alignment; AVX is enabled.
        unsafe { _mm256_storeu_si256(l.as_mut_ptr().cast(), *v) };
    }
}

#[inline]
#[target_feature(enable = "avx2")]
fn xor5(a: __m256i, b: __m256i, c: __m256i, d: __m256i, e: __m256i) -> __m256i {
    _mm256_xor_si256(
        _mm256_xor_si256(_mm256_xor_si256(a, b), _mm256_xor_si256(c, d)),
        e,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sha3::keccak_f1600;
    use rand::{RngCore, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    fn check(states: [[u64; 25]; 4]) {
        let mut lanes = [[0u64; 4]; 25];
        for (i, l) in lanes.iter_mut().enumerate() {
            for s in 0..4 {
                l[s] = states[s][i];
            }
        }
        let before = lanes;
        assert!(!keccak_f1600_x4(Features::portable(), &mut lanes));
        assert_eq!(lanes, before);
        if !Features::detected().avx2() {
            return;
        }
        assert!(keccak_f1600_x4(Features::detected(), &mut lanes));
        for (s, st) in states.iter().enumerate() {
            let mut want = *st;
            keccak_f1600(&mut want);
            for i in 0..25 {
                assert_eq!(lanes[i][s], want[i], "state {s} lane {i}");
            }
        }
    }

    /// The four-way permutation against the portable one, state by state.
    #[test]
    fn matches_portable() {
        check([[0; 25]; 4]);
        check([[u64::MAX; 25]; 4]);
        let mut rng = ChaCha20Rng::seed_from_u64(1600);
        for _ in 0..200 {
            let mut st = [[0u64; 25]; 4];
            for s in st.iter_mut() {
                for l in s.iter_mut() {
                    *l = rng.next_u64();
                }
            }
            check(st);
        }
    }
}
