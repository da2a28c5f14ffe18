//! P-384 group arithmetic: projective points with the complete formulas of
//! [`crate::ec::formulas`] (no branch on the identity or on P = Q), the
//! constant-time scalar multiplications for secret scalars (signing, ECDH,
//! key derivation), and the variable-time double-scalar multiplication that
//! verification uses on public data only.

use super::field::{Limbs, FN, FP};
use crate::bigint;
use crate::ec::formulas::{self, CurveField, Proj};
use crate::ec::mont::MontField;
use crate::Error;
use zeroize::Zeroize;

/// The field's byte length.
pub(crate) const LEN: usize = 48;

/// b in the Montgomery domain (b * 2^384 mod p); b from SP 800-186 §3.2.1.4.
const B_MONT: Limbs = [
    0x0811_8871_9d41_2dcc,
    0xf729_add8_7a4c_32ec,
    0x77f2_209b_1920_022e,
    0xe337_4bee_9493_8ae2,
    0xb62b_21f4_1f02_2094,
    0xcd08_114b_604f_bff9,
];

/// (p + 1) / 4: since p = 3 mod 4, `a^((p+1)/4)` is a square root of a square `a`.
const SQRT_EXP: Limbs = [
    0x0000_0000_4000_0000,
    0xbfff_ffff_c000_0000,
    0xffff_ffff_ffff_ffff,
    0xffff_ffff_ffff_ffff,
    0xffff_ffff_ffff_ffff,
    0x3fff_ffff_ffff_ffff,
];

/// The base point G (normal domain, big-endian), SP 800-186 §3.2.1.4.
pub(crate) const GX: [u8; LEN] = [
    0xaa, 0x87, 0xca, 0x22, 0xbe, 0x8b, 0x05, 0x37, 0x8e, 0xb1, 0xc7, 0x1e, 0xf3, 0x20, 0xad, 0x74,
    0x6e, 0x1d, 0x3b, 0x62, 0x8b, 0xa7, 0x9b, 0x98, 0x59, 0xf7, 0x41, 0xe0, 0x82, 0x54, 0x2a, 0x38,
    0x55, 0x02, 0xf2, 0x5d, 0xbf, 0x55, 0x29, 0x6c, 0x3a, 0x54, 0x5e, 0x38, 0x72, 0x76, 0x0a, 0xb7,
];
pub(crate) const GY: [u8; LEN] = [
    0x36, 0x17, 0xde, 0x4a, 0x96, 0x26, 0x2c, 0x6f, 0x5d, 0x9e, 0x98, 0xbf, 0x92, 0x92, 0xdc, 0x29,
    0xf8, 0xf4, 0x1d, 0xbd, 0x28, 0x9a, 0x14, 0x7c, 0xe9, 0xda, 0x31, 0x13, 0xb5, 0xf0, 0xb8, 0xc0,
    0x0a, 0x60, 0xb1, 0xce, 0x1d, 0x7e, 0x81, 0x9d, 0x7a, 0x43, 0x1d, 0x7c, 0x90, 0xea, 0x0e, 0x5f,
];

/// The P-384 base field with its b: what the complete formulas need.
pub(crate) struct Curve;

impl CurveField for Curve {
    type E = Limbs;
    #[inline(always)]
    fn mul(&self, a: &Limbs, b: &Limbs) -> Limbs {
        super::field::mul_p(a, b)
    }
    #[inline(always)]
    fn sqr(&self, a: &Limbs) -> Limbs {
        super::field::sqr_p(a)
    }
    #[inline(always)]
    fn add(&self, a: &Limbs, b: &Limbs) -> Limbs {
        FP.add(a, b)
    }
    #[inline(always)]
    fn sub(&self, a: &Limbs, b: &Limbs) -> Limbs {
        FP.sub(a, b)
    }
    #[inline(always)]
    fn b(&self) -> Limbs {
        B_MONT
    }
}

/// A point (X : Y : Z), coordinates in the Montgomery domain; the identity is
/// (0 : 1 : 0).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Point {
    pub(crate) x: Limbs,
    pub(crate) y: Limbs,
    pub(crate) z: Limbs,
}

impl Point {
    pub(crate) fn identity() -> Point {
        Point {
            x: [0; 6],
            y: FP.one,
            z: [0; 6],
        }
    }

    pub(crate) fn generator() -> Point {
        Point::from_affine_bytes(&GX, &GY).expect("G is on the curve")
    }

    fn proj(&self) -> Proj<Limbs> {
        (self.x, self.y, self.z)
    }

    fn from_proj((x, y, z): Proj<Limbs>) -> Point {
        Point { x, y, z }
    }

    /// An affine point from big-endian coordinates of 48 bytes each: both below p
    /// and on the curve (SP 800-56A §5.6.2.3.3 partial validation, which is full
    /// validation with cofactor 1). Any failure is [`Error::InvalidPublicKey`].
    pub(crate) fn from_affine_bytes(x: &[u8], y: &[u8]) -> Result<Point, Error> {
        let x = FP.parse_be(x).ok_or(Error::InvalidPublicKey)?;
        let y = FP.parse_be(y).ok_or(Error::InvalidPublicKey)?;
        let (x, y) = (FP.to_mont(&x), FP.to_mont(&y));
        let (lhs, rhs) = formulas::curve_sides(&Curve, &x, &y);
        if bigint::ct_eq_limbs(&lhs, &rhs) != u64::MAX {
            return Err(Error::InvalidPublicKey);
        }
        Ok(Point { x, y, z: FP.one })
    }

    /// The y-coordinate (big-endian) for `x` with the given parity, from SEC 1
    /// §2.3.4's compressed form (step 2.4.1: y^2 = x^3 + a x + b, then the root
    /// whose parity the tag names). Public data: the square root runs in time
    /// that depends on p only.
    pub(crate) fn decompress_y(x: &[u8], odd: bool) -> Result<[u8; LEN], Error> {
        let xm = FP.to_mont(&FP.parse_be(x).ok_or(Error::InvalidPublicKey)?);
        let rhs = formulas::rhs(&Curve, &xm);
        let y = FP.pow_public_exp(&rhs, &SQRT_EXP);
        if bigint::ct_eq_limbs(&FP.sqr(&y), &rhs) != u64::MAX {
            return Err(Error::InvalidPublicKey);
        }
        let yn = FP.leave_mont(&y);
        let yn = if (yn[0] & 1 == 1) == odd {
            yn
        } else {
            FP.neg(&yn)
        };
        let mut out = [0u8; LEN];
        MontField::write_be(&yn, &mut out);
        Ok(out)
    }

    /// Affine big-endian (x, y); `Err` for the identity.
    pub(crate) fn to_affine_bytes(self) -> Result<([u8; LEN], [u8; LEN]), Error> {
        if FP.is_zero(&self.z) == u64::MAX {
            return Err(Error::InvalidPublicKey);
        }
        let zi = FP.invert(&self.z);
        let (mut x, mut y) = ([0u8; LEN], [0u8; LEN]);
        MontField::write_be(&FP.leave_mont(&FP.mul(&self.x, &zi)), &mut x);
        MontField::write_be(&FP.leave_mont(&FP.mul(&self.y, &zi)), &mut y);
        Ok((x, y))
    }

    /// Affine x only (normal domain limbs), and all ones when the point is the
    /// identity (then x is 0).
    pub(crate) fn affine_x(self) -> (Limbs, u64) {
        let zi = FP.invert(&self.z);
        (FP.leave_mont(&FP.mul(&self.x, &zi)), FP.is_zero(&self.z))
    }

    /// Complete addition.
    pub(crate) fn add(&self, o: &Point) -> Point {
        Point::from_proj(formulas::add(&Curve, &self.proj(), &o.proj()))
    }

    /// Complete mixed addition with an affine (x, y), not the identity.
    pub(crate) fn add_affine(&self, x: &Limbs, y: &Limbs) -> Point {
        Point::from_proj(formulas::add_affine(&Curve, &self.proj(), x, y))
    }

    /// Complete doubling.
    pub(crate) fn double(&self) -> Point {
        Point::from_proj(formulas::double(&Curve, &self.proj()))
    }

    /// `2^n * self` by n doublings in Jacobian coordinates
    /// ([`formulas::jacobian_double`], exception-free on P-384: cofactor 1, no
    /// point of order 2), entered and left with two multiplications each way:
    /// (X : Y : Z) projective is (X Z, Y Z^2, Z) Jacobian, and back (X Z, Y, Z^3).
    /// The identity (Z = 0) comes back as (0, 0, 0), whose Y is then set to one by
    /// mask. No branch on the point (n is public).
    pub(crate) fn double_n(&self, n: usize) -> Point {
        let f = &Curve;
        let z2 = f.sqr(&self.z);
        let mut j = (f.mul(&self.x, &self.z), f.mul(&self.y, &z2), self.z);
        for _ in 0..n {
            j = formulas::jacobian_double(f, &j);
        }
        let (x, mut y, z) = j;
        bigint::ct_assign(&mut y, &FP.one, FP.is_zero(&z));
        let zz = f.sqr(&z);
        Point {
            x: f.mul(&x, &z),
            y,
            z: f.mul(&zz, &z),
        }
    }

    /// `-self`.
    pub(crate) fn neg(&self) -> Point {
        Point {
            x: self.x,
            y: FP.neg(&self.y),
            z: self.z,
        }
    }

    fn to_limbs(self) -> [u64; 18] {
        core::array::from_fn(|i| match i / 6 {
            0 => self.x[i % 6],
            1 => self.y[i % 6],
            _ => self.z[i % 6],
        })
    }

    fn from_limbs(l: &[u64; 18]) -> Point {
        Point {
            x: core::array::from_fn(|i| l[i]),
            y: core::array::from_fn(|i| l[6 + i]),
            z: core::array::from_fn(|i| l[12 + i]),
        }
    }

    /// `k * self` for a secret scalar `k` (normal-domain limbs, any value below
    /// 2^384): 4-bit fixed windows, 4 complete doublings and one complete
    /// addition per window, the addend read by scanning the whole 16-entry table
    /// with masks. Constant time in `k` and in the point.
    pub(crate) fn mul(&self, k: &Limbs) -> Point {
        let mut table = [0u64; 16 * 18];
        let mut p = Point::identity();
        for i in 0..16 {
            table[18 * i..18 * i + 18].copy_from_slice(&p.to_limbs());
            p = p.add(self);
        }
        let mut acc = Point::identity();
        let mut entry = [0u64; 18];
        for w in (0..96).rev() {
            acc = acc.double_n(4);
            let idx = crate::ec::scalar_bits(k, 4 * w, 4);
            bigint::select_from_table(&mut entry, &table, 18, idx);
            acc = acc.add(&Point::from_limbs(&entry));
        }
        entry.zeroize();
        table.zeroize();
        acc
    }
}

/// Window width of the fixed-base comb: signed digits in [-2^(W-1), 2^(W-1)].
const COMB_W: usize = 5;
/// Rows of the comb: enough W-bit windows for 385 bits (a 384-bit scalar plus
/// the recoding's final carry).
const COMB_ROWS: usize = 385usize.div_ceil(COMB_W);
/// Affine entries per row: `j 2^(W i) G` for j in 1..=2^(W-1).
const COMB_COLS: usize = 1 << (COMB_W - 1);
/// Limbs per affine entry (x, y).
const ENTRY: usize = 12;

/// The comb table, flat: row i, column j - 1 holds `j 2^(W i) G` as affine
/// (x, y), Montgomery domain. Public data (multiples of G).
fn comb_table() -> alloc::vec::Vec<u64> {
    let mut t = alloc::vec::Vec::with_capacity(COMB_ROWS * COMB_COLS * ENTRY);
    let mut base = Point::generator();
    for _ in 0..COMB_ROWS {
        let mut p = base;
        for _ in 0..COMB_COLS {
            let zi = FP.invert(&p.z);
            t.extend_from_slice(&FP.mul(&p.x, &zi));
            t.extend_from_slice(&FP.mul(&p.y, &zi));
            p = p.add(&base);
        }
        for _ in 0..COMB_W {
            base = base.double();
        }
    }
    t
}

/// `k * G` for a secret `k` below 2^384: a fixed-base comb of signed digits
/// (Booth recoding, [`crate::ec::booth_digit`]), `sum_i d_i 2^(W i) G`, each
/// term read from row i of a table of affine points by a masked scan of the whole
/// row, negated by mask, and added with the complete mixed addition; a zero
/// digit keeps the accumulator by mask. No doublings, no exceptional case (the
/// formulas are complete), so no reduction of k is needed.
///
/// The table (77 rows of 16 affine points, 118 KiB) is built once per process
/// with `std`; without `std` each call builds it.
pub(crate) fn mul_base(k: &Limbs) -> Point {
    #[cfg(feature = "std")]
    {
        static TABLE: std::sync::OnceLock<alloc::vec::Vec<u64>> = std::sync::OnceLock::new();
        comb_mul(TABLE.get_or_init(comb_table), k)
    }
    #[cfg(not(feature = "std"))]
    {
        comb_mul(&comb_table(), k)
    }
}

fn comb_mul(table: &[u64], k: &Limbs) -> Point {
    let mut acc = Point::identity();
    let mut entry = [0u64; ENTRY];
    for i in 0..COMB_ROWS {
        let (mag, neg) = crate::ec::booth_digit(k, COMB_W, i);
        let row = &table[i * COMB_COLS * ENTRY..(i + 1) * COMB_COLS * ENTRY];
        // Column mag - 1; for mag = 0 nothing matches (and the sum is dropped below).
        bigint::select_from_table(&mut entry, row, ENTRY, mag.wrapping_sub(1));
        let x2: Limbs = core::array::from_fn(|j| entry[j]);
        let mut y2: Limbs = core::array::from_fn(|j| entry[6 + j]);
        let ny = FP.neg(&y2);
        bigint::ct_assign(&mut y2, &ny, neg);
        let sum = acc.add_affine(&x2, &y2);
        // Zero digit: keep the accumulator.
        let keep = bigint::ct_eq_limbs(&[mag], &[0]);
        let mut next = sum.to_limbs();
        bigint::ct_assign(&mut next, &acc.to_limbs(), keep);
        acc = Point::from_limbs(&next);
        next.zeroize();
        y2.zeroize();
    }
    entry.zeroize();
    acc
}

/// Variable-time arithmetic for ECDSA verification, where every input (the
/// public key, the signature, the digest, and so `u1`, `u2`) is public. Never
/// call it with secret data.
pub(crate) mod vartime {
    use super::*;

    /// NAF width for the public key Q: 8 odd multiples computed per verification.
    const WQ: usize = 5;
    /// NAF width for G: 32 precomputed affine odd multiples.
    const WG: usize = 7;
    /// Digit positions: 384 bits plus room for the final carry.
    const NAF_LEN: usize = 390;

    /// `G, 3G, 5G, ..., (2^(WG-1) - 1) G`, affine, Montgomery domain.
    fn g_odd_multiples() -> alloc::vec::Vec<(Limbs, Limbs)> {
        let g = Point::generator();
        let g2 = g.double();
        let mut p = g;
        let mut out = alloc::vec::Vec::with_capacity(1 << (WG - 2));
        for _ in 0..1 << (WG - 2) {
            let zi = FP.invert(&p.z);
            out.push((FP.mul(&p.x, &zi), FP.mul(&p.y, &zi)));
            p = p.add(&g2);
        }
        out
    }

    /// `u1 G + u2 Q` for public `u1`, `u2` (below 2^384): Straus's interleaving,
    /// one chain of doublings shared by both wNAF expansions; the digits (public)
    /// choose the table entries and whether to add, and the complete formulas
    /// need no special case.
    pub(crate) fn double_mul(u1: &Limbs, u2: &Limbs, q: &Point) -> Point {
        #[cfg(feature = "std")]
        {
            static TABLE: std::sync::OnceLock<alloc::vec::Vec<(Limbs, Limbs)>> =
                std::sync::OnceLock::new();
            straus(TABLE.get_or_init(g_odd_multiples), u1, u2, q)
        }
        #[cfg(not(feature = "std"))]
        {
            straus(&g_odd_multiples(), u1, u2, q)
        }
    }

    fn straus(g_table: &[(Limbs, Limbs)], u1: &Limbs, u2: &Limbs, q: &Point) -> Point {
        let mut ng = [0i32; NAF_LEN];
        let mut nq = [0i32; NAF_LEN];
        crate::ec::wnaf(u1, WG, &mut ng);
        crate::ec::wnaf(u2, WQ, &mut nq);
        let q2 = q.double();
        let mut q_table = [*q; 1 << (WQ - 2)];
        for i in 1..q_table.len() {
            q_table[i] = q_table[i - 1].add(&q2);
        }
        let Some(top) = (0..NAF_LEN).rev().find(|&i| ng[i] != 0 || nq[i] != 0) else {
            return Point::identity();
        };
        // Runs of doublings between nonzero digits go through Jacobian
        // coordinates ([`Point::double_n`]); the additions stay complete.
        let mut acc = Point::identity();
        let mut pending = 0;
        for i in (0..=top).rev() {
            pending += 1;
            if nq[i] == 0 && ng[i] == 0 {
                continue;
            }
            acc = acc.double_n(pending);
            pending = 0;
            let d = nq[i];
            if d > 0 {
                acc = acc.add(&q_table[(d >> 1) as usize]);
            } else if d < 0 {
                acc = acc.add(&q_table[(-d >> 1) as usize].neg());
            }
            let d = ng[i];
            if d != 0 {
                let (x, y) = &g_table[(d.unsigned_abs() >> 1) as usize];
                let y = if d > 0 { *y } else { FP.neg(y) };
                acc = acc.add_affine(x, &y);
            }
        }
        acc.double_n(pending)
    }

    /// Whether `p`'s affine x-coordinate, reduced mod n, equals `r` (in
    /// [1, n-1]): x = X / Z is compared as `X == r' Z` for r' = r and, when below
    /// p, r + n, so no inversion is needed (the identity never matches).
    pub(crate) fn x_matches_mod_n(p: &Point, r: &Limbs) -> bool {
        if FP.is_zero(&p.z) == u64::MAX {
            return false;
        }
        if FP.mul(&FP.to_mont(r), &p.z) == p.x {
            return true;
        }
        let mut rn = *r;
        let carry = bigint::add_assign(&mut rn, &FN.m);
        if carry == 0 && bigint::ct_lt_limbs(&rn, &FP.m) == u64::MAX {
            return FP.mul(&FP.to_mont(&rn), &p.z) == p.x;
        }
        false
    }
}
