//! Montgomery arithmetic modulo a 256-bit odd prime: the P-256 base field (p) and
//! scalar field (n) of FIPS 186-4 §D.1.2.3 / SP 800-186 §3.2.1.3, on four `u64`
//! limbs. Elements are kept in the Montgomery domain (`a * 2^256 mod m`) and fully
//! reduced; every operation runs in constant time.

use crate::bigint::{self, adc, mask, sbb};

/// Four little-endian limbs.
pub(crate) type Limbs = [u64; 4];

/// A prime modulus with its Montgomery constants, computed at compile time.
pub(crate) struct Field {
    pub(crate) m: Limbs,
    n0: u64,
    /// 2^512 mod m.
    rr: Limbs,
    /// 2^256 mod m: one in the Montgomery domain.
    pub(crate) one: Limbs,
}

/// `2^(256 + extra) mod m` by doubling 1, reducing each step (compile time only).
const fn pow2_mod(m: &Limbs, bits: usize) -> Limbs {
    let mut x = [1u64, 0, 0, 0];
    let mut i = 0;
    while i < bits {
        // x = 2x, then subtract m if 2x >= m.
        let top = x[3] >> 63;
        x = [
            x[0] << 1,
            (x[1] << 1) | (x[0] >> 63),
            (x[2] << 1) | (x[1] >> 63),
            (x[3] << 1) | (x[2] >> 63),
        ];
        let mut s = [0u64; 4];
        let mut borrow = 0u64;
        let mut j = 0;
        while j < 4 {
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

impl Field {
    pub(crate) const fn new(m: Limbs) -> Field {
        Field {
            m,
            n0: bigint::neg_inv_u64(m[0]),
            rr: pow2_mod(&m, 512),
            one: pow2_mod(&m, 256),
        }
    }

    #[inline(always)]
    pub(crate) fn mul(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let mut out = [0u64; 4];
        mont_mul4(&mut out, a, b, &self.m, self.n0);
        out
    }

    #[inline(always)]
    pub(crate) fn sqr(&self, a: &Limbs) -> Limbs {
        self.mul(a, a)
    }

    #[inline(always)]
    pub(crate) fn add(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let mut r = [0u64; 4];
        let mut c = 0;
        for i in 0..4 {
            (r[i], c) = adc(a[i], b[i], c);
        }
        let mut s = [0u64; 4];
        let mut borrow = 0;
        for i in 0..4 {
            (s[i], borrow) = sbb(r[i], self.m[i], borrow);
        }
        let (_, under) = sbb(c, 0, borrow);
        bigint::ct_assign(&mut s, &r, mask(under));
        s
    }

    #[inline(always)]
    pub(crate) fn sub(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let mut r = [0u64; 4];
        let mut borrow = 0;
        for i in 0..4 {
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
    pub(crate) fn neg(&self, a: &Limbs) -> Limbs {
        self.sub(&[0; 4], a)
    }

    /// Into the Montgomery domain; `a` may be any value below 2^256 (it is reduced).
    pub(crate) fn to_mont(&self, a: &Limbs) -> Limbs {
        self.mul(a, &self.rr)
    }

    /// Out of the Montgomery domain (fully reduced).
    pub(crate) fn leave_mont(&self, a: &Limbs) -> Limbs {
        self.mul(a, &[1, 0, 0, 0])
    }

    /// `a^e` (Montgomery domain in and out) with 4-bit fixed windows and a masked
    /// table scan: safe for secret `a` and secret `e`.
    pub(crate) fn pow(&self, a: &Limbs, e: &Limbs) -> Limbs {
        let mut table = [[0u64; 4]; 16];
        table[0] = self.one;
        table[1] = *a;
        for i in 2..16 {
            table[i] = self.mul(&table[i - 1], a);
        }
        let flat: [u64; 64] = core::array::from_fn(|i| table[i / 4][i % 4]);
        let mut acc = self.one;
        let mut entry = [0u64; 4];
        for w in (0..64).rev() {
            for _ in 0..4 {
                acc = self.sqr(&acc);
            }
            let idx = (e[w / 16] >> (4 * (w % 16))) & 15;
            bigint::select_from_table(&mut entry, &flat, 4, idx);
            acc = self.mul(&acc, &entry);
        }
        acc
    }

    /// `a^(m-2) = a^-1` for prime m (0 maps to 0). Montgomery domain in and out.
    pub(crate) fn invert(&self, a: &Limbs) -> Limbs {
        let mut e = self.m;
        e[0] -= 2; // m is odd and above 2: no borrow
        self.pow(a, &e)
    }

    /// All ones when `a` (any domain) is zero.
    #[inline]
    pub(crate) fn is_zero(&self, a: &Limbs) -> u64 {
        bigint::ct_eq_limbs(a, &[0; 4])
    }

    /// Parses 32 big-endian bytes as an integer below m (normal domain). `None`
    /// when `b >= m`: the caller decides whether that is an error (public input).
    pub(crate) fn parse_be_bytes(&self, b: &[u8; 32]) -> Option<Limbs> {
        let mut l = [0u64; 4];
        bigint::from_be_bytes(&mut l, b);
        (bigint::ct_lt_limbs(&l, &self.m) == u64::MAX).then_some(l)
    }

    /// 32 big-endian bytes, reduced modulo m (used for hashes and `x mod n`).
    pub(crate) fn reduce_be_bytes(&self, b: &[u8; 32]) -> Limbs {
        let mut l = [0u64; 4];
        bigint::from_be_bytes(&mut l, b);
        // For both P-256 moduli, 2^256 < 2m, so one masked subtraction suffices.
        let mut s = l;
        let borrow = bigint::sub_assign(&mut s, &self.m);
        bigint::ct_assign(&mut s, &l, mask(borrow));
        s
    }

    pub(crate) fn to_be_bytes(l: &Limbs) -> [u8; 32] {
        let mut out = [0u8; 32];
        bigint::to_be_bytes(l, &mut out);
        out
    }
}

/// The 4-limb Montgomery product: the generic CIOS loop, inlined with constant
/// bounds so the compiler unrolls it.
#[inline(always)]
fn mont_mul4(out: &mut Limbs, a: &Limbs, b: &Limbs, m: &Limbs, n0: u64) {
    let mut t = [0u64; 6];
    for &bi in b {
        let mut c = 0;
        for j in 0..4 {
            (t[j], c) = bigint::mac(t[j], a[j], bi, c);
        }
        let (s, c2) = adc(t[4], c, 0);
        t[4] = s;
        t[5] = c2;
        let q = t[0].wrapping_mul(n0);
        let (_, mut c) = bigint::mac(t[0], q, m[0], 0);
        for j in 1..4 {
            (t[j - 1], c) = bigint::mac(t[j], q, m[j], c);
        }
        let (s, c3) = adc(t[4], c, 0);
        t[3] = s;
        t[4] = t[5] + c3;
    }
    let mut borrow = 0;
    for j in 0..4 {
        (out[j], borrow) = sbb(t[j], m[j], borrow);
    }
    let (_, under) = sbb(t[4], 0, borrow);
    let t4: Limbs = [t[0], t[1], t[2], t[3]];
    bigint::ct_assign(out, &t4, mask(under));
}

/// The base field, p = 2^256 - 2^224 + 2^192 + 2^96 - 1.
pub(crate) static FP: Field = Field::new([
    0xffff_ffff_ffff_ffff,
    0x0000_0000_ffff_ffff,
    0x0000_0000_0000_0000,
    0xffff_ffff_0000_0001,
]);

/// The group order n.
pub(crate) static FN: Field = Field::new([
    0xf3b9_cac2_fc63_2551,
    0xbce6_faad_a717_9e84,
    0xffff_ffff_ffff_ffff,
    0xffff_ffff_0000_0000,
]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn montgomery_round_trip_and_inverse() {
        for f in [&FP, &FN] {
            let a = f.to_mont(&[5, 6, 7, 8]);
            assert_eq!(f.leave_mont(&a), [5, 6, 7, 8]);
            let inv = f.invert(&a);
            assert_eq!(f.leave_mont(&f.mul(&a, &inv)), [1, 0, 0, 0]);
            assert_eq!(f.add(&a, &f.neg(&a)), [0; 4]);
            assert_eq!(f.leave_mont(&f.one), [1, 0, 0, 0]);
            // m - 1 + 1 wraps to 0.
            let mut m1 = f.m;
            m1[0] -= 1;
            assert_eq!(f.add(&m1, &[1, 0, 0, 0]), [0; 4]);
        }
    }
}
