//! The P-384 fields (SP 800-186 §3.2.1.4; FIPS 186-5 refers to it for the curve):
//! the base field modulo p = 2^384 - 2^128 - 2^96 + 2^32 - 1 and the scalar field
//! modulo the group order n, on six `u64` limbs with the generic constant-time
//! Montgomery arithmetic of [`crate::ec::mont`].

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
        }
    }
}
