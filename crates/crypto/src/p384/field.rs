//! The P-384 fields (SP 800-186 §3.2.1.4; FIPS 186-5 refers to it for the curve):
//! the base field modulo p = 2^384 - 2^128 - 2^96 + 2^32 - 1 and the scalar field
//! modulo the group order n, on six `u64` limbs with the generic constant-time
//! Montgomery arithmetic of [`crate::ec::mont`].

use crate::bigint::{adc, mac, mask, sbb};
use crate::ec::mont::MontField;

/// Six little-endian limbs.
pub(crate) type Limbs = [u64; 6];

/// The base field prime p.
pub(crate) const P: Limbs = [
    0x0000_0000_ffff_ffff,
    0xffff_ffff_0000_0000,
    0xffff_ffff_ffff_fffe,
    0xffff_ffff_ffff_ffff,
    0xffff_ffff_ffff_ffff,
    0xffff_ffff_ffff_ffff,
];

/// The group order n.
pub(crate) const N: Limbs = [
    0xecec_196a_ccc5_2973,
    0x581a_0db2_48b0_a77a,
    0xc763_4d81_f437_2ddf,
    0xffff_ffff_ffff_ffff,
    0xffff_ffff_ffff_ffff,
    0xffff_ffff_ffff_ffff,
];

/// The base field.
pub(crate) static FP: MontField<6> = MontField::new(P);

/// The scalar field.
pub(crate) static FN: MontField<6> = MontField::new(N);

/// `-p^-1 mod 2^64`: p = 2^32 - 1 mod 2^64, and (2^32 - 1)(2^32 + 1) = -1.
const P_N0: u64 = 0x0000_0001_0000_0001;

/// Montgomery product modulo p, `a b / 2^384 mod p` (Montgomery domain in and
/// out, fully reduced), specialised to p's form: the same value as
/// [`MontField::mul`] on [`FP`], in constant time, with a cheaper reduction
/// ([`reduce_p`]). The complete point formulas use it.
#[inline(always)]
pub(crate) fn mul_p(a: &Limbs, b: &Limbs) -> Limbs {
    let mut t = [0u64; 13];
    for (i, &bi) in b.iter().enumerate() {
        let mut c = 0;
        for j in 0..6 {
            (t[i + j], c) = mac(t[i + j], a[j], bi, c);
        }
        t[i + 6] = c;
    }
    reduce_p(t)
}

/// Montgomery square modulo p: the fifteen cross products once, doubled, plus
/// the six squares (21 word multiplications instead of 36), then [`reduce_p`].
#[inline(always)]
pub(crate) fn sqr_p(a: &Limbs) -> Limbs {
    let mut t = [0u64; 13];
    for i in 0..5 {
        let mut c = 0;
        for j in i + 1..6 {
            (t[i + j], c) = mac(t[i + j], a[i], a[j], c);
        }
        t[i + 6] = c;
    }
    // Double: shift the twelve words left by one bit.
    for k in (1..12).rev() {
        t[k] = (t[k] << 1) | (t[k - 1] >> 63);
    }
    t[0] <<= 1;
    let mut c = 0;
    for i in 0..6 {
        let s = u128::from(a[i]) * u128::from(a[i]);
        (t[2 * i], c) = adc(t[2 * i], s as u64, c);
        (t[2 * i + 1], c) = adc(t[2 * i + 1], (s >> 64) as u64, c);
    }
    reduce_p(t)
}

/// Montgomery reduction modulo p of a product `t < p^2` (twelve words; the
/// thirteenth is zero): `t / 2^384 mod p`, fully reduced.
///
/// Each round takes the quotient word `q = t_i n0` and adds `q p 2^(64 i)`,
/// which clears word i. Since p = 2^384 - c with c = 2^128 + 2^96 - 2^32 + 1,
/// `q p = q 2^384 - q c`: q c is three words from two multiplications (c's
/// words are 2^64 - 2^32 + 1, 2^32 - 1 and 1), subtracted at once with the
/// borrow carried to the top, while the `q 2^384` terms (one word each, at
/// words 6 to 11) are added together at the end. Everything is modulo 2^832,
/// where the deferred additions and a transient negative value do no harm:
/// the final value, below 2p (< 2^385), is exact. No branch, no table.
#[inline(always)]
fn reduce_p(mut t: [u64; 13]) -> Limbs {
    let mut qs = [0u64; 6];
    for i in 0..6 {
        let q = t[i].wrapping_mul(P_N0);
        let m0 = u128::from(q) * 0xffff_ffff_0000_0001u128;
        let m1 = u128::from(q) * 0xffff_ffffu128;
        // q c = (m0 + m1 2^64 + q 2^128); its low word equals t_i (so word i
        // becomes zero without a borrow).
        let (qc1, k) = adc((m0 >> 64) as u64, m1 as u64, 0);
        let (qc2, qc3) = adc((m1 >> 64) as u64, q, k);
        t[i] = 0;
        let mut borrow;
        (t[i + 1], borrow) = sbb(t[i + 1], qc1, 0);
        (t[i + 2], borrow) = sbb(t[i + 2], qc2, borrow);
        (t[i + 3], borrow) = sbb(t[i + 3], qc3, borrow);
        for w in &mut t[i + 4..] {
            (*w, borrow) = sbb(*w, 0, borrow);
        }
        qs[i] = q;
    }
    let mut c = 0;
    for i in 0..6 {
        (t[6 + i], c) = adc(t[6 + i], qs[i], c);
    }
    let top = t[12].wrapping_add(c);
    // (top : t[6..12]) < 2p: subtract p unless that borrows.
    let r: Limbs = core::array::from_fn(|i| t[6 + i]);
    let mut out = [0u64; 6];
    let mut borrow = 0;
    for j in 0..6 {
        (out[j], borrow) = sbb(r[j], P[j], borrow);
    }
    let (_, under) = sbb(top, 0, borrow);
    crate::bigint::ct_assign(&mut out, &r, mask(under));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngCore, SeedableRng};

    /// The generic field against the crate's slice-based CIOS (`bigint::mont_mul`,
    /// an independent implementation) on edge and random values, both moduli.
    #[test]
    fn matches_slice_montgomery() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(384);
        for f in [&FP, &FN] {
            let n0 = crate::bigint::neg_inv_u64(f.m[0]);
            let mut m1 = f.m;
            m1[0] -= 1;
            let mut vals = alloc::vec![[0u64; 6], [1, 0, 0, 0, 0, 0], m1, f.one];
            for _ in 0..200 {
                vals.push(f.reduce(&core::array::from_fn(|_| rng.next_u64())));
            }
            for (i, a) in vals.iter().enumerate() {
                let b = &vals[(i * 7 + 3) % vals.len()];
                let mut want = [0u64; 6];
                crate::bigint::mont_mul(&mut want, a, b, &f.m, n0);
                assert_eq!(f.mul(a, b), want);
                let mut sum = *a;
                crate::bigint::mod_add(&mut sum, b, &f.m);
                assert_eq!(f.add(a, b), sum);
                let mut diff = *a;
                crate::bigint::mod_sub(&mut diff, b, &f.m);
                assert_eq!(f.sub(a, b), diff);
            }
            for a in vals.iter().take(20) {
                assert_eq!(f.invert(a), f.invert_fermat(a));
            }
            if core::ptr::eq(f, &FP) {
                assert_eq!(n0, P_N0);
                for (i, a) in vals.iter().enumerate() {
                    let b = &vals[(i * 11 + 5) % vals.len()];
                    assert_eq!(mul_p(a, b), f.mul(a, b), "{a:x?} {b:x?}");
                    assert_eq!(sqr_p(a), f.mul(a, a), "{a:x?}");
                }
                // Unreduced inputs below 2^384 too (to_mont's use).
                let max = [u64::MAX; 6];
                assert_eq!(mul_p(&max, &max), f.mul(&max, &max));
                assert_eq!(sqr_p(&max), f.mul(&max, &max));
            }
        }
    }
}
