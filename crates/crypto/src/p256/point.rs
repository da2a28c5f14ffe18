//! P-256 group arithmetic: projective coordinates with the complete addition and
//! doubling formulas of Renes, Costello and Batina (2016), Algorithms 4 and 6 for
//! a = -3. "Complete" means no special case for the identity or for P = Q, so the
//! scalar multiplication has no data-dependent branch.

use super::field::{Field, Limbs, FP};
use crate::bigint;
use crate::Error;

/// b in the Montgomery domain (b * 2^256 mod p); b from SP 800-186 §3.2.1.3.
const B_MONT: Limbs = [
    0xd89c_df62_29c4_bddf,
    0xacf0_05cd_7884_3090,
    0xe5a2_20ab_f721_2ed6,
    0xdc30_061d_0487_4834,
];

/// (p + 1) / 4: since p = 3 mod 4, `a^((p+1)/4)` is a square root of a square `a`.
const SQRT_EXP: Limbs = [0, 0x4000_0000, 0x4000_0000_0000_0000, 0x3fff_ffff_c000_0000];

/// The base point G (normal domain), SP 800-186 §3.2.1.3.
const GX: [u8; 32] = [
    0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
    0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
];
const GY: [u8; 32] = [
    0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
    0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
];

/// A point (X : Y : Z), coordinates in the Montgomery domain; the identity is (0 : 1 : 0).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Point {
    x: Limbs,
    y: Limbs,
    z: Limbs,
}

impl Point {
    pub(crate) fn identity() -> Point {
        Point {
            x: [0; 4],
            y: FP.one,
            z: [0; 4],
        }
    }

    pub(crate) fn generator() -> Point {
        Point::from_affine_bytes(&GX, &GY).expect("G is on the curve")
    }

    /// `y^2 = x^3 - 3x + b` for Montgomery-domain `x`, `y`: all ones when it holds.
    fn on_curve(x: &Limbs, y: &Limbs) -> u64 {
        let f = &FP;
        let rhs = f.add(
            &f.sub(&f.mul(&f.sqr(x), x), &f.add(&f.add(x, x), x)),
            &B_MONT,
        );
        bigint::ct_eq_limbs(&f.sqr(y), &rhs)
    }

    /// An affine point from big-endian coordinates: both below p and on the curve
    /// (SP 800-56A §5.6.2.3.3 partial validation; P-256 has cofactor 1).
    pub(crate) fn from_affine_bytes(x: &[u8; 32], y: &[u8; 32]) -> Result<Point, Error> {
        let x = FP.parse_be_bytes(x).ok_or(Error::InvalidPublicKey)?;
        let y = FP.parse_be_bytes(y).ok_or(Error::InvalidPublicKey)?;
        let (x, y) = (FP.to_mont(&x), FP.to_mont(&y));
        if Point::on_curve(&x, &y) != u64::MAX {
            return Err(Error::InvalidPublicKey);
        }
        Ok(Point { x, y, z: FP.one })
    }

    /// The y-coordinate (big-endian) for `x` with the given parity, from SEC 1
    /// §2.3.4's compressed form.
    pub(crate) fn decompress_y(x: &[u8; 32], odd: bool) -> Result<[u8; 32], Error> {
        let xn = FP.parse_be_bytes(x).ok_or(Error::InvalidPublicKey)?;
        let xm = FP.to_mont(&xn);
        let f = &FP;
        let rhs = f.add(
            &f.sub(&f.mul(&f.sqr(&xm), &xm), &f.add(&f.add(&xm, &xm), &xm)),
            &B_MONT,
        );
        let y = f.pow_public_exp(&rhs, &SQRT_EXP);
        if bigint::ct_eq_limbs(&f.sqr(&y), &rhs) != u64::MAX {
            return Err(Error::InvalidPublicKey);
        }
        let yn = f.leave_mont(&y);
        let yn = if (yn[0] & 1 == 1) == odd {
            yn
        } else {
            f.neg(&yn)
        };
        Ok(Field::to_be_bytes(&yn))
    }

    /// Affine big-endian (x, y); `Err` for the identity.
    pub(crate) fn to_affine_bytes(self) -> Result<([u8; 32], [u8; 32]), Error> {
        if FP.is_zero(&self.z) == u64::MAX {
            return Err(Error::InvalidPublicKey);
        }
        let zi = FP.invert(&self.z);
        let x = FP.leave_mont(&FP.mul(&self.x, &zi));
        let y = FP.leave_mont(&FP.mul(&self.y, &zi));
        Ok((Field::to_be_bytes(&x), Field::to_be_bytes(&y)))
    }

    /// Affine x only, normal domain limbs, and whether the point is the identity.
    pub(crate) fn affine_x(self) -> (Limbs, u64) {
        let zi = FP.invert(&self.z);
        (FP.leave_mont(&FP.mul(&self.x, &zi)), FP.is_zero(&self.z))
    }

    /// Complete addition, RCB16 Algorithm 4 (a = -3).
    pub(crate) fn add(&self, o: &Point) -> Point {
        let f = &FP;
        let (x1, y1, z1) = (&self.x, &self.y, &self.z);
        let (x2, y2, z2) = (&o.x, &o.y, &o.z);
        let mut t0 = f.mul(x1, x2);
        let mut t1 = f.mul(y1, y2);
        let mut t2 = f.mul(z1, z2);
        let mut t3 = f.add(x1, y1);
        let mut t4 = f.add(x2, y2);
        t3 = f.mul(&t3, &t4);
        t4 = f.add(&t0, &t1);
        t3 = f.sub(&t3, &t4);
        t4 = f.add(y1, z1);
        let mut x3 = f.add(y2, z2);
        t4 = f.mul(&t4, &x3);
        x3 = f.add(&t1, &t2);
        t4 = f.sub(&t4, &x3);
        x3 = f.add(x1, z1);
        let mut y3 = f.add(x2, z2);
        x3 = f.mul(&x3, &y3);
        y3 = f.add(&t0, &t2);
        y3 = f.sub(&x3, &y3);
        let mut z3 = f.mul(&B_MONT, &t2);
        x3 = f.sub(&y3, &z3);
        z3 = f.add(&x3, &x3);
        x3 = f.add(&x3, &z3);
        z3 = f.sub(&t1, &x3);
        x3 = f.add(&t1, &x3);
        y3 = f.mul(&B_MONT, &y3);
        t1 = f.add(&t2, &t2);
        t2 = f.add(&t1, &t2);
        y3 = f.sub(&y3, &t2);
        y3 = f.sub(&y3, &t0);
        t1 = f.add(&y3, &y3);
        y3 = f.add(&t1, &y3);
        t1 = f.add(&t0, &t0);
        t0 = f.add(&t1, &t0);
        t0 = f.sub(&t0, &t2);
        t1 = f.mul(&t4, &y3);
        t2 = f.mul(&t0, &y3);
        y3 = f.mul(&x3, &z3);
        y3 = f.add(&y3, &t2);
        x3 = f.mul(&t3, &x3);
        x3 = f.sub(&x3, &t1);
        z3 = f.mul(&t4, &z3);
        t1 = f.mul(&t3, &t0);
        z3 = f.add(&z3, &t1);
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// Complete doubling, RCB16 Algorithm 6 (a = -3).
    pub(crate) fn double(&self) -> Point {
        let f = &FP;
        let (x, y, z) = (&self.x, &self.y, &self.z);
        let mut t0 = f.sqr(x);
        let t1 = f.sqr(y);
        let mut t2 = f.sqr(z);
        let mut t3 = f.mul(x, y);
        t3 = f.add(&t3, &t3);
        let mut z3 = f.mul(x, z);
        z3 = f.add(&z3, &z3);
        let mut y3 = f.mul(&B_MONT, &t2);
        y3 = f.sub(&y3, &z3);
        let mut x3 = f.add(&y3, &y3);
        y3 = f.add(&x3, &y3);
        x3 = f.sub(&t1, &y3);
        y3 = f.add(&t1, &y3);
        y3 = f.mul(&x3, &y3);
        x3 = f.mul(&x3, &t3);
        t3 = f.add(&t2, &t2);
        t2 = f.add(&t2, &t3);
        z3 = f.mul(&B_MONT, &z3);
        z3 = f.sub(&z3, &t2);
        z3 = f.sub(&z3, &t0);
        t3 = f.add(&z3, &z3);
        z3 = f.add(&z3, &t3);
        t3 = f.add(&t0, &t0);
        t0 = f.add(&t3, &t0);
        t0 = f.sub(&t0, &t2);
        t0 = f.mul(&t0, &z3);
        y3 = f.add(&y3, &t0);
        t0 = f.mul(y, z);
        t0 = f.add(&t0, &t0);
        z3 = f.mul(&t0, &z3);
        x3 = f.sub(&x3, &z3);
        z3 = f.mul(&t0, &t1);
        z3 = f.add(&z3, &z3);
        z3 = f.add(&z3, &z3);
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    fn to_limbs(self) -> [u64; 12] {
        core::array::from_fn(|i| match i / 4 {
            0 => self.x[i % 4],
            1 => self.y[i % 4],
            _ => self.z[i % 4],
        })
    }

    fn from_limbs(l: &[u64; 12]) -> Point {
        Point {
            x: [l[0], l[1], l[2], l[3]],
            y: [l[4], l[5], l[6], l[7]],
            z: [l[8], l[9], l[10], l[11]],
        }
    }

    /// `k * self` for a secret scalar `k` (normal-domain limbs, any value below
    /// 2^256): 4-bit fixed windows, 4 doublings and one complete addition per window,
    /// the addend read by scanning the whole 16-entry table with masks.
    pub(crate) fn mul(&self, k: &Limbs) -> Point {
        let mut table = [0u64; 16 * 12];
        let mut p = Point::identity();
        for i in 0..16 {
            table[12 * i..12 * i + 12].copy_from_slice(&p.to_limbs());
            p = p.add(self);
        }
        let mut acc = Point::identity();
        let mut entry = [0u64; 12];
        for w in (0..64).rev() {
            acc = acc.double().double().double().double();
            let idx = (k[w / 16] >> (4 * (w % 16))) & 15;
            bigint::select_from_table(&mut entry, &table, 12, idx);
            acc = acc.add(&Point::from_limbs(&entry));
        }
        acc
    }
}

/// `k * G` with a fixed-base comb: `sum_i T[i][k_i]` where `T[i][j] = j 16^i G` and
/// `k_i` is the i-th 4-bit window of k. 64 complete additions and no doublings; each
/// addend read by a masked scan of its 16-entry row. The 96 KiB table is built once
/// per process (with `std`); without `std` this falls back to [`Point::mul`].
pub(crate) fn mul_base(k: &Limbs) -> Point {
    #[cfg(feature = "std")]
    {
        static TABLE: std::sync::OnceLock<alloc::vec::Vec<u64>> = std::sync::OnceLock::new();
        let table = TABLE.get_or_init(|| {
            let mut t = alloc::vec::Vec::with_capacity(64 * 16 * 12);
            let mut base = Point::generator();
            for _ in 0..64 {
                let mut p = Point::identity();
                for _ in 0..16 {
                    t.extend_from_slice(&p.to_limbs());
                    p = p.add(&base);
                }
                // p is now 16 * base.
                base = p;
            }
            t
        });
        let mut acc = Point::identity();
        let mut entry = [0u64; 12];
        for w in 0..64 {
            let idx = (k[w / 16] >> (4 * (w % 16))) & 15;
            bigint::select_from_table(&mut entry, &table[w * 192..(w + 1) * 192], 12, idx);
            acc = acc.add(&Point::from_limbs(&entry));
        }
        acc
    }
    #[cfg(not(feature = "std"))]
    {
        Point::generator().mul(k)
    }
}

#[cfg(test)]
mod tests {
    use super::super::field::FN;
    use super::*;

    #[test]
    fn doubling_matches_addition_and_order() {
        let g = Point::generator();
        assert_eq!(g.double().to_affine_bytes(), g.add(&g).to_affine_bytes());
        let three = g.double().add(&g);
        assert_eq!(
            three.to_affine_bytes(),
            g.mul(&[3, 0, 0, 0]).to_affine_bytes()
        );
        // n * G is the identity; (n - 1) * G = -G has G's x.
        assert!(g.mul(&FN.m).to_affine_bytes().is_err());
        let mut n1 = FN.m;
        n1[0] -= 1;
        assert_eq!(g.mul(&n1).to_affine_bytes().unwrap().0, GX);
        // identity + G = G.
        assert_eq!(
            Point::identity().add(&g).to_affine_bytes().unwrap(),
            (GX, GY)
        );
        assert_eq!(Point::decompress_y(&GX, GY[31] & 1 == 1).unwrap(), GY);
        for k in [
            [0u64; 4],
            [1, 0, 0, 0],
            [0xdead_beef, 7, u64::MAX, 0x1234],
            n1,
        ] {
            assert_eq!(
                super::mul_base(&k).to_affine_bytes(),
                g.mul(&k).to_affine_bytes()
            );
        }
    }
}
