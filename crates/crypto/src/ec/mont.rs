//! Montgomery arithmetic modulo an odd prime of `N` 64-bit limbs, generic over `N`:
//! the fields of the curves that have no arithmetic specialised to their prime
//! (P-384's base field p and scalar field n). Elements are little-endian limbs in
//! the Montgomery domain (`a * 2^(64 N) mod m`), fully reduced; every operation
//! runs in constant time (carries propagated arithmetically, masked selects, no
//! branch or memory access that depends on a value).

use crate::bigint::{self, adc, mac, mask, sbb};

/// A prime modulus of `N` limbs with its Montgomery constants, computed at compile
/// time.
pub(crate) struct MontField<const N: usize> {
    pub(crate) m: [u64; N],
    n0: u64,
    /// 2^(128 N) mod m.
    rr: [u64; N],
    /// 2^(64 N) mod m: one in the Montgomery domain.
    pub(crate) one: [u64; N],
}

/// `2^bits mod m` by doubling 1 and reducing each step (compile time only).
pub(crate) const fn pow2_mod<const N: usize>(m: &[u64; N], bits: usize) -> [u64; N] {
    let mut x = [0u64; N];
    x[0] = 1;
    let mut i = 0;
    while i < bits {
        let top = x[N - 1] >> 63;
        let mut j = N - 1;
        while j > 0 {
            x[j] = (x[j] << 1) | (x[j - 1] >> 63);
            j -= 1;
        }
        x[0] <<= 1;
        let mut s = [0u64; N];
        let mut borrow = 0u64;
        let mut j = 0;
        while j < N {
            let t = (x[j] as u128)
                .wrapping_sub(m[j] as u128)
                .wrapping_sub(borrow as u128);
            s[j] = t as u64;
            borrow = (t >> 127) as u64;
            j += 1;
        }
        if top == 1 || borrow == 0 {
            x = s;
        }
        i += 1;
    }
    x
}

impl<const N: usize> MontField<N> {
    /// The field for the odd prime `m`, whose top bit must be set (so that any
    /// `N`-limb value is below 2m: one masked subtraction reduces it).
    pub(crate) const fn new(m: [u64; N]) -> Self {
        assert!(m[N - 1] >> 63 == 1 && m[0] & 1 == 1);
        MontField {
            m,
            n0: bigint::neg_inv_u64(m[0]),
            rr: pow2_mod(&m, 128 * N),
            one: pow2_mod(&m, 64 * N),
        }
    }

    /// The field's byte length, as SEC 1 §2.3.5 encodes its elements.
    pub(crate) const LEN: usize = 8 * N;

    /// Montgomery product `a b / 2^(64 N) mod m` (CIOS: Koç, Acar and Kaliski
    /// 1996), inlined with constant bounds so that the compiler unrolls it.
    #[inline(always)]
    pub(crate) fn mul(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        // t holds N + 2 words; the extra two are kept in (hi, top).
        let mut t = [0u64; N];
        let (mut hi, mut top);
        hi = 0;
        for &bi in b {
            let mut c = 0;
            for j in 0..N {
                (t[j], c) = mac(t[j], a[j], bi, c);
            }
            let (s, c2) = adc(hi, c, 0);
            top = c2;
            let q = t[0].wrapping_mul(self.n0);
            let (_, mut c) = mac(t[0], q, self.m[0], 0);
            for j in 1..N {
                (t[j - 1], c) = mac(t[j], q, self.m[j], c);
            }
            let (s, c3) = adc(s, c, 0);
            t[N - 1] = s;
            hi = top + c3;
        }
        self.reduce_once(&t, hi)
    }

    /// `(hi : t) mod m` for a value below 2m, by one masked subtraction.
    #[inline(always)]
    fn reduce_once(&self, t: &[u64; N], hi: u64) -> [u64; N] {
        let mut out = [0u64; N];
        let mut borrow = 0;
        for j in 0..N {
            (out[j], borrow) = sbb(t[j], self.m[j], borrow);
        }
        let (_, under) = sbb(hi, 0, borrow);
        bigint::ct_assign(&mut out, t, mask(under));
        out
    }

    #[inline(always)]
    pub(crate) fn sqr(&self, a: &[u64; N]) -> [u64; N] {
        self.mul(a, a)
    }

    #[inline(always)]
    pub(crate) fn add(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut r = [0u64; N];
        let mut c = 0;
        for i in 0..N {
            (r[i], c) = adc(a[i], b[i], c);
        }
        self.reduce_once(&r, c)
    }

    #[inline(always)]
    pub(crate) fn sub(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut r = [0u64; N];
        let mut borrow = 0;
        for i in 0..N {
            (r[i], borrow) = sbb(a[i], b[i], borrow);
        }
        let mm = mask(borrow);
        let mut c = 0;
        for (ri, mi) in r.iter_mut().zip(&self.m) {
            (*ri, c) = adc(*ri, mi & mm, c);
        }
        r
    }

    #[inline(always)]
    pub(crate) fn neg(&self, a: &[u64; N]) -> [u64; N] {
        self.sub(&[0; N], a)
    }

    /// Into the Montgomery domain; `a` may be any `N`-limb value (it is reduced).
    pub(crate) fn to_mont(&self, a: &[u64; N]) -> [u64; N] {
        self.mul(a, &self.rr)
    }

    /// Out of the Montgomery domain (fully reduced).
    pub(crate) fn leave_mont(&self, a: &[u64; N]) -> [u64; N] {
        let mut one = [0u64; N];
        one[0] = 1;
        self.mul(a, &one)
    }

    /// `a^e` (Montgomery domain in and out) for a *public* exponent `e`, by
    /// left-to-right square and multiply: the sequence of operations depends on
    /// `e` only, so this is constant time in `a` (which may be secret).
    pub(crate) fn pow_public_exp(&self, a: &[u64; N], e: &[u64; N]) -> [u64; N] {
        let mut acc = self.one;
        for i in (0..64 * N).rev() {
            acc = self.sqr(&acc);
            if (e[i / 64] >> (i % 64)) & 1 == 1 {
                acc = self.mul(&acc, a);
            }
        }
        acc
    }

    /// `a^-1` for prime m (0 maps to 0), Montgomery domain in and out, in constant
    /// time: Bernstein-Yang safegcd on the Montgomery value `a R` gives
    /// `a^-1 R^-1`, and two multiplications by `R^2` bring it to `a^-1 R`.
    pub(crate) fn invert(&self, a: &[u64; N]) -> [u64; N] {
        match crate::rsa::arith::ct_inverse(a, &self.m) {
            Some(v) => {
                let v: [u64; N] = core::array::from_fn(|i| v[i]);
                self.to_mont(&self.to_mont(&v))
            }
            None => [0; N],
        }
    }

    /// `a^(m-2) = a^-1` by Fermat: the tests' reference for [`MontField::invert`].
    #[cfg(test)]
    pub(crate) fn invert_fermat(&self, a: &[u64; N]) -> [u64; N] {
        let mut e = self.m;
        e[0] -= 2; // m is odd and above 2: no borrow
        self.pow_public_exp(a, &e)
    }

    /// All ones when `a` (any domain) is zero.
    #[inline]
    pub(crate) fn is_zero(&self, a: &[u64; N]) -> u64 {
        bigint::ct_eq_limbs(a, &[0; N])
    }

    /// Parses `8 N` big-endian bytes as an integer below m (normal domain). `None`
    /// for another length or when the value is not below m; the caller decides
    /// whether that is an error.
    pub(crate) fn parse_be(&self, b: &[u8]) -> Option<[u64; N]> {
        if b.len() != Self::LEN {
            return None;
        }
        let mut l = [0u64; N];
        bigint::from_be_bytes(&mut l, b);
        (bigint::ct_lt_limbs(&l, &self.m) == u64::MAX).then_some(l)
    }

    /// `a mod m` for any `N`-limb `a` (below 2m since m's top bit is set), in
    /// constant time.
    pub(crate) fn reduce(&self, a: &[u64; N]) -> [u64; N] {
        self.reduce_once(a, 0)
    }

    /// `8 N` big-endian bytes into `out` (which must be `8 N` long).
    pub(crate) fn write_be(l: &[u64; N], out: &mut [u8]) {
        debug_assert_eq!(out.len(), Self::LEN);
        bigint::to_be_bytes(l, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 6-limb prime with its top bit set (the P-384 prime) and the generic
    /// identities: to_mont/leave_mont round trip, inverse, negation, wrap-around.
    #[test]
    fn identities_hold_for_p384_prime() {
        let f = MontField::<6>::new(crate::p384::field::P);
        let a = f.to_mont(&[5, 6, 7, 8, 9, 10]);
        assert_eq!(f.leave_mont(&a), [5, 6, 7, 8, 9, 10]);
        let inv = f.invert(&a);
        assert_eq!(inv, f.invert_fermat(&a));
        assert_eq!(f.leave_mont(&f.mul(&a, &inv)), [1, 0, 0, 0, 0, 0]);
        assert_eq!(f.add(&a, &f.neg(&a)), [0; 6]);
        assert_eq!(f.leave_mont(&f.one), [1, 0, 0, 0, 0, 0]);
        let mut m1 = f.m;
        m1[0] -= 1;
        assert_eq!(f.add(&m1, &[1, 0, 0, 0, 0, 0]), [0; 6]);
        assert_eq!(f.sub(&[0; 6], &[1, 0, 0, 0, 0, 0]), m1);
        assert_eq!(f.invert(&[0; 6]), [0; 6]);
        assert_eq!(f.reduce(&f.m), [0; 6]);
    }
}
