//! Arithmetic in GF(2^255 - 19) on five 51-bit limbs with `u128` products: the
//! field under both X25519 (RFC 7748 §4.1) and Ed25519 (RFC 8032 §5.1).
//!
//! Limbs are kept below 2^52 between operations ("loosely reduced"); only
//! [`Fe::to_bytes`] produces the canonical value. Nothing branches on a value.

const MASK51: u64 = (1 << 51) - 1;

/// A field element, `sum(l[i] * 2^(51 i))`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Fe(pub(crate) [u64; 5]);

impl Fe {
    pub(crate) const ZERO: Fe = Fe([0; 5]);
    pub(crate) const ONE: Fe = Fe([1, 0, 0, 0, 0]);

    /// Decodes 32 little-endian bytes, ignoring the top bit (RFC 7748 §5: "the most
    /// significant bit of the final byte MUST be masked"). Non-canonical values
    /// (p..2^255-1) are accepted and reduced by arithmetic, as §5 requires.
    pub(crate) fn from_bytes(b: &[u8; 32]) -> Fe {
        let load = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        Fe([
            load(0) & MASK51,
            (load(6) >> 3) & MASK51,
            (load(12) >> 6) & MASK51,
            (load(19) >> 1) & MASK51,
            (load(24) >> 12) & MASK51,
        ])
    }

    /// The canonical 32-byte little-endian encoding (fully reduced below p).
    pub(crate) fn to_bytes(self) -> [u8; 32] {
        let mut l = self.carry().0;
        // l < 2^255 + small; compute q = 1 if l >= p, by adding 19 and looking at bit 255.
        let mut q = (l[0] + 19) >> 51;
        q = (l[1] + q) >> 51;
        q = (l[2] + q) >> 51;
        q = (l[3] + q) >> 51;
        q = (l[4] + q) >> 51;
        l[0] += 19 * q;
        l[1] += l[0] >> 51;
        l[0] &= MASK51;
        l[2] += l[1] >> 51;
        l[1] &= MASK51;
        l[3] += l[2] >> 51;
        l[2] &= MASK51;
        l[4] += l[3] >> 51;
        l[3] &= MASK51;
        l[4] &= MASK51;
        let mut out = [0u8; 32];
        let words = [
            l[0] | (l[1] << 51),
            (l[1] >> 13) | (l[2] << 38),
            (l[2] >> 26) | (l[3] << 25),
            (l[3] >> 39) | (l[4] << 12),
        ];
        for (i, w) in words.iter().enumerate() {
            out[8 * i..8 * i + 8].copy_from_slice(&w.to_le_bytes());
        }
        out
    }

    /// One carry pass: every limb below 2^51 (plus a tiny excess in limb 0).
    #[inline(always)]
    fn carry(&self) -> Fe {
        let mut l = self.0;
        let c = l[0] >> 51;
        l[0] &= MASK51;
        l[1] += c;
        let c = l[1] >> 51;
        l[1] &= MASK51;
        l[2] += c;
        let c = l[2] >> 51;
        l[2] &= MASK51;
        l[3] += c;
        let c = l[3] >> 51;
        l[3] &= MASK51;
        l[4] += c;
        let c = l[4] >> 51;
        l[4] &= MASK51;
        l[0] += 19 * c;
        Fe(l)
    }

    #[inline(always)]
    pub(crate) fn add(&self, o: &Fe) -> Fe {
        let a = &self.0;
        let b = &o.0;
        Fe([
            a[0] + b[0],
            a[1] + b[1],
            a[2] + b[2],
            a[3] + b[3],
            a[4] + b[4],
        ])
        .carry()
    }

    /// `self - o`, adding 16p first so that no limb underflows.
    #[inline(always)]
    pub(crate) fn sub(&self, o: &Fe) -> Fe {
        const P16_0: u64 = 36028797018963664; // 16 * (2^51 - 19)
        const P16_I: u64 = 36028797018963952; // 16 * (2^51 - 1)
        let a = &self.0;
        let b = &o.0;
        Fe([
            (a[0] + P16_0) - b[0],
            (a[1] + P16_I) - b[1],
            (a[2] + P16_I) - b[2],
            (a[3] + P16_I) - b[3],
            (a[4] + P16_I) - b[4],
        ])
        .carry()
    }

    #[inline(always)]
    pub(crate) fn neg(&self) -> Fe {
        Fe::ZERO.sub(self)
    }

    #[inline(always)]
    pub(crate) fn mul(&self, o: &Fe) -> Fe {
        let a = &self.0;
        let b = &o.0;
        let m = |x: u64, y: u64| u128::from(x) * u128::from(y);
        let b1 = b[1] * 19;
        let b2 = b[2] * 19;
        let b3 = b[3] * 19;
        let b4 = b[4] * 19;
        let c0 = m(a[0], b[0]) + m(a[4], b1) + m(a[3], b2) + m(a[2], b3) + m(a[1], b4);
        let c1 = m(a[1], b[0]) + m(a[0], b[1]) + m(a[4], b2) + m(a[3], b3) + m(a[2], b4);
        let c2 = m(a[2], b[0]) + m(a[1], b[1]) + m(a[0], b[2]) + m(a[4], b3) + m(a[3], b4);
        let c3 = m(a[3], b[0]) + m(a[2], b[1]) + m(a[1], b[2]) + m(a[0], b[3]) + m(a[4], b4);
        let c4 = m(a[4], b[0]) + m(a[3], b[1]) + m(a[2], b[2]) + m(a[1], b[3]) + m(a[0], b[4]);
        Fe::reduce_wide([c0, c1, c2, c3, c4])
    }

    #[inline(always)]
    fn reduce_wide(c: [u128; 5]) -> Fe {
        let mut c = c;
        let mut l = [0u64; 5];
        c[1] += c[0] >> 51;
        l[0] = (c[0] as u64) & MASK51;
        c[2] += c[1] >> 51;
        l[1] = (c[1] as u64) & MASK51;
        c[3] += c[2] >> 51;
        l[2] = (c[2] as u64) & MASK51;
        c[4] += c[3] >> 51;
        l[3] = (c[3] as u64) & MASK51;
        let carry = (c[4] >> 51) as u64;
        l[4] = (c[4] as u64) & MASK51;
        l[0] += carry * 19;
        l[1] += l[0] >> 51;
        l[0] &= MASK51;
        Fe(l)
    }

    #[inline(always)]
    pub(crate) fn square(&self) -> Fe {
        let a = &self.0;
        let m = |x: u64, y: u64| u128::from(x) * u128::from(y);
        let d0 = a[0] * 2;
        let d1 = a[1] * 2;
        let a3_19 = a[3] * 19;
        let a4_19 = a[4] * 19;
        let c0 = m(a[0], a[0]) + m(d1, a4_19) + m(2 * a[2], a3_19);
        let c1 = m(d0, a[1]) + m(2 * a[2], a4_19) + m(a[3], a3_19);
        let c2 = m(d0, a[2]) + m(a[1], a[1]) + m(2 * a[3], a4_19);
        let c3 = m(d0, a[3]) + m(d1, a[2]) + m(a[4], a4_19);
        let c4 = m(d0, a[4]) + m(d1, a[3]) + m(a[2], a[2]);
        Fe::reduce_wide([c0, c1, c2, c3, c4])
    }

    /// `self^(2^k)`.
    #[inline]
    pub(crate) fn square_n(&self, k: u32) -> Fe {
        let mut r = *self;
        for _ in 0..k {
            r = r.square();
        }
        r
    }

    /// Multiplication by a small constant (below 2^32).
    #[inline(always)]
    pub(crate) fn mul_small(&self, k: u64) -> Fe {
        let a = &self.0;
        let m = |x: u64| u128::from(x) * u128::from(k);
        Fe::reduce_wide([m(a[0]), m(a[1]), m(a[2]), m(a[3]), m(a[4])])
    }

    /// Returns (self^(2^250 - 1), self^11): the shared prefix of the inversion and
    /// square-root addition chains (ref10's).
    fn pow_2_250_1(&self) -> (Fe, Fe) {
        let z2 = self.square();
        let z8 = z2.square_n(2);
        let z9 = self.mul(&z8);
        let z11 = z2.mul(&z9);
        let z22 = z11.square();
        let z_5_0 = z9.mul(&z22);
        let z_10_0 = z_5_0.square_n(5).mul(&z_5_0);
        let z_20_0 = z_10_0.square_n(10).mul(&z_10_0);
        let z_40_0 = z_20_0.square_n(20).mul(&z_20_0);
        let z_50_0 = z_40_0.square_n(10).mul(&z_10_0);
        let z_100_0 = z_50_0.square_n(50).mul(&z_50_0);
        let z_200_0 = z_100_0.square_n(100).mul(&z_100_0);
        let z_250_0 = z_200_0.square_n(50).mul(&z_50_0);
        (z_250_0, z11)
    }

    /// The inverse (0 maps to 0), by Bernstein-Yang's constant-time safegcd
    /// ([`super::safegcd`]).
    pub(crate) fn invert(&self) -> Fe {
        Fe::from_bytes(&super::safegcd::invert(&self.to_bytes()))
    }

    /// `self^(p-2)`, the inverse by Fermat (0 maps to 0): the independent reference
    /// the safegcd inverse is tested against.
    #[cfg(test)]
    pub(crate) fn invert_fermat(&self) -> Fe {
        let (z_250_0, z11) = self.pow_2_250_1();
        z_250_0.square_n(5).mul(&z11)
    }

    /// `self^((p-5)/8) = self^(2^252 - 3)`, for square roots (RFC 8032 §5.1.3).
    pub(crate) fn pow_p58(&self) -> Fe {
        let (z_250_0, _) = self.pow_2_250_1();
        z_250_0.square_n(2).mul(self)
    }

    /// Swaps `a` and `b` when `choice` is 1 (RFC 7748 §5 `cswap`), by masks.
    #[inline(always)]
    pub(crate) fn cswap(a: &mut Fe, b: &mut Fe, choice: u64) {
        // black_box: keep LLVM from turning the masked swap into a branch.
        let m = core::hint::black_box(0u64.wrapping_sub(choice));
        for i in 0..5 {
            let t = (a.0[i] ^ b.0[i]) & m;
            a.0[i] ^= t;
            b.0[i] ^= t;
        }
    }

    /// `if choice == 1 { b } else { a }`.
    #[inline(always)]
    pub(crate) fn select(a: &Fe, b: &Fe, choice: u64) -> Fe {
        let m = core::hint::black_box(0u64.wrapping_sub(choice));
        let mut r = *a;
        for i in 0..5 {
            r.0[i] ^= (a.0[i] ^ b.0[i]) & m;
        }
        r
    }

    /// 1 when the canonical value is zero, else 0.
    pub(crate) fn is_zero(&self) -> u64 {
        let b = self.to_bytes();
        let mut d = 0u8;
        for x in b {
            d |= x;
        }
        let d = u64::from(d);
        ((d | d.wrapping_neg()) >> 63) ^ 1
    }

    /// 1 when the canonical value is odd ("negative" in RFC 8032 §5.1.2).
    pub(crate) fn is_negative(&self) -> u64 {
        u64::from(self.to_bytes()[0] & 1)
    }

    /// 1 when `self == o`.
    pub(crate) fn ct_eq(&self, o: &Fe) -> u64 {
        self.sub(o).is_zero()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fe(x: u64) -> Fe {
        let mut b = [0u8; 32];
        b[..8].copy_from_slice(&x.to_le_bytes());
        Fe::from_bytes(&b)
    }

    #[test]
    fn small_arithmetic() {
        let a = fe(123_456_789);
        let b = fe(987_654_321);
        assert_eq!(
            a.mul(&b).to_bytes(),
            fe(123_456_789 * 987_654_321).to_bytes()
        );
        assert_eq!(a.sub(&b).add(&b).to_bytes(), a.to_bytes());
        assert_eq!(a.square().to_bytes(), a.mul(&a).to_bytes());
        assert_eq!(a.mul(&a.invert()).to_bytes(), Fe::ONE.to_bytes());
        assert_eq!(
            a.mul_small(121_666).to_bytes(),
            a.mul(&fe(121_666)).to_bytes()
        );
        assert_eq!(Fe::ZERO.invert().is_zero(), 1);
    }

    #[test]
    fn canonical_encoding() {
        // p itself encodes as zero; p + 1 as one; 2^255 - 1 (= p + 18) as 18.
        let mut p = [0xffu8; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        assert_eq!(Fe::from_bytes(&p).to_bytes(), [0u8; 32]);
        p[0] = 0xee;
        assert_eq!(Fe::from_bytes(&p).to_bytes(), Fe::ONE.to_bytes());
        let all = [0xffu8; 32];
        assert_eq!(Fe::from_bytes(&all).to_bytes(), fe(18).to_bytes());
        // -1 = p - 1.
        let mut pm1 = [0xffu8; 32];
        pm1[0] = 0xec;
        pm1[31] = 0x7f;
        assert_eq!(Fe::ONE.neg().to_bytes(), pm1);
    }
}
