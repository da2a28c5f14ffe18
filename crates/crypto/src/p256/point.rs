//! P-256 group arithmetic: projective coordinates with the complete addition and
//! doubling formulas of Renes, Costello and Batina (2016), Algorithms 4 and 6 for
//! a = -3. "Complete" means no special case for the identity or for P = Q, so the
//! scalar multiplication has no data-dependent branch.

use super::field::{Field, FieldP, Limbs, FN, FP};
use crate::bigint;
use crate::ec::formulas::{self, CurveField, Proj};
use crate::Error;
use zeroize::Zeroize;

/// b in the Montgomery domain (b * 2^256 mod p); b from SP 800-186 §3.2.1.3.
const B_MONT: Limbs = [
    0xd89c_df62_29c4_bddf,
    0xacf0_05cd_7884_3090,
    0xe5a2_20ab_f721_2ed6,
    0xdc30_061d_0487_4834,
];

impl CurveField for FieldP {
    type E = Limbs;
    #[inline(always)]
    fn mul(&self, a: &Limbs, b: &Limbs) -> Limbs {
        FieldP::mul(self, a, b)
    }
    #[inline(always)]
    fn sqr(&self, a: &Limbs) -> Limbs {
        FieldP::sqr(self, a)
    }
    #[inline(always)]
    fn add(&self, a: &Limbs, b: &Limbs) -> Limbs {
        FieldP::add(self, a, b)
    }
    #[inline(always)]
    fn sub(&self, a: &Limbs, b: &Limbs) -> Limbs {
        FieldP::sub(self, a, b)
    }
    #[inline(always)]
    fn b(&self) -> Limbs {
        B_MONT
    }
}

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
    pub(super) x: Limbs,
    pub(super) y: Limbs,
    pub(super) z: Limbs,
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
        let (lhs, rhs) = formulas::curve_sides(&FP, x, y);
        bigint::ct_eq_limbs(&lhs, &rhs)
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
        let rhs = formulas::rhs(&FP, &xm);
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
        Point::from_proj(formulas::add(&FP, &self.proj(), &o.proj()))
    }

    /// Complete mixed addition, RCB16 Algorithm 5 (a = -3): `o` is an affine point
    /// (x, y), Montgomery domain, never the identity; `self` may be any point,
    /// the identity included. Algorithm 4 with Z2 = 1: 11 multiplications. The
    /// tests' reference for the comb's (incomplete, cheaper) Jacobian additions.
    #[cfg(test)]
    pub(crate) fn add_affine(&self, x2: &Limbs, y2: &Limbs) -> Point {
        Point::from_proj(formulas::add_affine(&FP, &self.proj(), x2, y2))
    }

    /// Complete doubling, RCB16 Algorithm 6 (a = -3).
    pub(crate) fn double(&self) -> Point {
        Point::from_proj(formulas::double(&FP, &self.proj()))
    }

    fn proj(&self) -> Proj<Limbs> {
        (self.x, self.y, self.z)
    }

    fn from_proj((x, y, z): Proj<Limbs>) -> Point {
        Point { x, y, z }
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
    /// 2^256): signed 5-bit windows (Booth recoding, digits in [-16, 16], as
    /// ecp_nistz256), five doublings and one addition per window.
    ///
    /// The doublings run in Jacobian coordinates (dbl-2001-b, 3M + 5S instead of
    /// the complete projective doubling's 8M + 3S + 2 multiplications by b): with
    /// no point of order 2 on P-256, that formula is exception-free, the identity
    /// (Z = 0) doubling to Z = 0. The additions stay complete (RCB16 Algorithm 4)
    /// with the addend `|d| P` read from a table of `0 P .. 16 P` by a masked scan
    /// (entry 0, the identity, for a zero digit) and negated by mask, so no digit,
    /// accumulator or coincidence of points needs a branch. Projective
    /// (X : Y : Z) and Jacobian (X Z, Y Z^2, Z) convert with 2M + 1S each way.
    pub(crate) fn mul(&self, k: &Limbs) -> Point {
        const W: usize = 5;
        const WINDOWS: usize = 257usize.div_ceil(W);
        const ENTRIES: usize = (1 << (W - 1)) + 1;
        let mut table = [0u64; ENTRIES * 12];
        let mut p = Point::identity();
        for i in 0..ENTRIES {
            table[12 * i..12 * i + 12].copy_from_slice(&p.to_limbs());
            p = p.add(self);
        }
        let f = &FP;
        let mut acc = Point::identity();
        let mut entry = [0u64; 12];
        for i in (0..WINDOWS).rev() {
            if i != WINDOWS - 1 {
                // To Jacobian, W doublings, back to projective.
                let z2 = f.sqr(&acc.z);
                let (mut x, mut y, mut z) = (f.mul(&acc.x, &acc.z), f.mul(&acc.y, &z2), acc.z);
                for _ in 0..W {
                    // Constant time: the identity (Z = 0) stays Z = 0.
                    (x, y, z) = formulas::jacobian_double(f, &(x, y, z));
                }
                let z2 = f.sqr(&z);
                acc = Point {
                    x: f.mul(&x, &z),
                    y,
                    z: f.mul(&z2, &z),
                };
                // The identity comes back as (0 : 0 : 0); make it (0 : 1 : 0).
                let ident = f.is_zero(&acc.z);
                bigint::ct_assign(&mut acc.y, &f.one, ident);
            }
            let (mag, neg) = booth_digit(k, W, i);
            bigint::select_from_table(&mut entry, &table, 12, mag);
            let mut e = Point::from_limbs(&entry);
            let ny = f.neg(&e.y);
            bigint::ct_assign(&mut e.y, &ny, neg);
            acc = acc.add(&e);
        }
        entry.zeroize();
        table.zeroize();
        acc
    }

    /// The former variable-base multiplication (4-bit unsigned windows, complete
    /// projective doublings and additions), kept as the tests' reference.
    #[cfg(test)]
    pub(crate) fn mul_reference(&self, k: &Limbs) -> Point {
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

/// Window width of the fixed-base comb: signed digits in [-2^(W-1), 2^(W-1)].
const COMB_W: usize = 7;
/// Rows of the comb: enough W-bit windows for 257 bits (a 256-bit scalar plus the
/// recoding's final carry).
const COMB_ROWS: usize = 257usize.div_ceil(COMB_W);
/// Affine entries per row: `j 2^(W i) G` for j in 1..=2^(W-1).
const COMB_COLS: usize = 1 << (COMB_W - 1);

/// The i-th signed window digit of `k` in width `w`: [`crate::ec::booth_digit`].
#[inline(always)]
pub(crate) fn booth_digit(k: &Limbs, w: usize, i: usize) -> (u64, u64) {
    crate::ec::booth_digit(k, w, i)
}

/// Converts projective points to affine (x, y) with one shared inversion
/// (Montgomery's trick). Public data only (table building): no point may be the
/// identity.
pub(super) fn batch_to_affine(points: &[Point]) -> alloc::vec::Vec<(Limbs, Limbs)> {
    let f = &FP;
    let mut prefix = alloc::vec::Vec::with_capacity(points.len());
    let mut acc = f.one;
    for p in points {
        prefix.push(acc);
        acc = f.mul(&acc, &p.z);
    }
    let mut inv = f.invert(&acc);
    let mut out = alloc::vec![([0u64; 4], [0u64; 4]); points.len()];
    for (i, p) in points.iter().enumerate().rev() {
        let zi = f.mul(&inv, &prefix[i]);
        inv = f.mul(&inv, &p.z);
        out[i] = (f.mul(&p.x, &zi), f.mul(&p.y, &zi));
    }
    out
}

/// The comb table, flat: row i, column j - 1 holds `j 2^(W i) G` as affine
/// (x, y), eight limbs, Montgomery domain.
fn comb_table() -> alloc::vec::Vec<u64> {
    let mut points = alloc::vec::Vec::with_capacity(COMB_ROWS * COMB_COLS);
    let mut base = Point::generator();
    for _ in 0..COMB_ROWS {
        let mut p = base;
        for _ in 0..COMB_COLS {
            points.push(p);
            p = p.add(&base);
        }
        for _ in 0..COMB_W {
            base = base.double();
        }
    }
    let mut t = alloc::vec::Vec::with_capacity(COMB_ROWS * COMB_COLS * 8);
    for (x, y) in batch_to_affine(&points) {
        t.extend_from_slice(&x);
        t.extend_from_slice(&y);
    }
    t
}

/// `k * G` for a secret `k` below 2^256 with a fixed-base comb of signed
/// digits (Booth recoding, as ecp_nistz256 does with 7-bit windows):
/// `sum_i d_i 2^(W i) G`, each term read from row i of a table of affine points by
/// a masked scan of the whole row, negated by mask, and added with a Jacobian
/// mixed addition (see [`comb_mul`] for why its exceptional cases cannot occur);
/// a zero digit keeps the accumulator by mask. No doublings.
///
/// The table (37 rows of 64 affine points, 148 KiB) is built once per process with
/// `std`; without `std` each call builds it.
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

/// The comb's sum, in Jacobian coordinates (X / Z^2, Y / Z^3) with the mixed
/// addition "madd-2004-hmv"-style (8M + 3S; Explicit-Formulas Database, as
/// ecp_nistz256's `point_add_affine`), which is not complete: it fails when the
/// accumulator is the identity (handled by mask here) or equals plus or minus the
/// addend. The latter cannot happen for k in [0, n-1]: before row i the
/// accumulator is a G with |a| < 2^(7i-1) and the addend e G with
/// 2^(7i) <= |e| <= 2^(7i+6); for i <= 35, 0 < |e -+ a| < n, and in the last row
/// (e = d 2^252, 0 <= d <= 16) e -+ a = n would need k = a + e to be n or
/// above 2^256. So `k` is first reduced mod n.
fn comb_mul(table: &[u64], k: &Limbs) -> Point {
    let f = &FP;
    let mut k = FN.reduce(k);
    let (mut ax, mut ay, mut az) = (f.one, f.one, [0u64; 4]);
    let mut entry = [0u64; 8];
    for i in 0..COMB_ROWS {
        let (mag, neg) = booth_digit(&k, COMB_W, i);
        let row = &table[i * COMB_COLS * 8..(i + 1) * COMB_COLS * 8];
        // Column mag - 1; for mag = 0 nothing matches (and the sum is dropped below).
        bigint::select_from_table(&mut entry, row, 8, mag.wrapping_sub(1));
        let x2: Limbs = [entry[0], entry[1], entry[2], entry[3]];
        let mut y2: Limbs = [entry[4], entry[5], entry[6], entry[7]];
        let ny = f.neg(&y2);
        bigint::ct_assign(&mut y2, &ny, neg);
        // Jacobian mixed addition.
        let z1z1 = f.sqr(&az);
        let u2 = f.mul(&x2, &z1z1);
        let s2 = f.mul(&y2, &f.mul(&az, &z1z1));
        let h = f.sub(&u2, &ax);
        let r = f.sub(&s2, &ay);
        let hh = f.sqr(&h);
        let hhh = f.mul(&h, &hh);
        let v = f.mul(&ax, &hh);
        let x3 = f.sub(&f.sub(&f.sqr(&r), &hhh), &f.add(&v, &v));
        let y3 = f.sub(&f.mul(&r, &f.sub(&v, &x3)), &f.mul(&ay, &hhh));
        let z3 = f.mul(&az, &h);
        // Identity accumulator: the sum is the addend, (x2, y2, 1).
        let was_identity = f.is_zero(&az);
        let x3 = pick(&x3, &x2, was_identity);
        let y3 = pick(&y3, &y2, was_identity);
        let z3 = pick(&z3, &f.one, was_identity);
        // Zero digit: keep the accumulator.
        let keep = bigint::ct_eq_limbs(&[mag], &[0]);
        ax = pick(&x3, &ax, keep);
        ay = pick(&y3, &ay, keep);
        az = pick(&z3, &az, keep);
    }
    entry.zeroize();
    k.zeroize();
    // Jacobian to projective: (X Z, Y, Z^3); the identity (Z = 0) maps to (0, Y, 0).
    let z2 = f.sqr(&az);
    Point {
        x: f.mul(&ax, &az),
        y: ay,
        z: f.mul(&z2, &az),
    }
}

/// `if m == !0 { b } else { a }`, in constant time.
#[inline(always)]
fn pick(a: &Limbs, b: &Limbs, m: u64) -> Limbs {
    let mut r = *a;
    bigint::ct_assign(&mut r, b, m);
    r
}

/// The former comb (4-bit unsigned windows, projective entries, complete additions),
/// kept as the tests' reference.
#[cfg(test)]
pub(crate) fn mul_base_reference(k: &Limbs) -> Point {
    let mut acc = Point::identity();
    let mut base = Point::generator();
    for w in 0..64 {
        let idx = (k[w / 16] >> (4 * (w % 16))) & 15;
        let mut p = Point::identity();
        for _ in 0..idx {
            p = p.add(&base);
        }
        acc = acc.add(&p);
        for _ in 0..4 {
            base = base.double();
        }
    }
    acc
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rand::{RngCore, SeedableRng};

    /// Scalars that stress the recodings: edges, long runs of ones and zeros,
    /// digits at their extremes, and random values.
    pub(crate) fn test_scalars() -> alloc::vec::Vec<Limbs> {
        let mut n1 = FN.m;
        n1[0] -= 1;
        let mut v = alloc::vec![
            [0u64; 4],
            [1, 0, 0, 0],
            [2, 0, 0, 0],
            [31, 0, 0, 0],
            [32, 0, 0, 0],
            [33, 0, 0, 0],
            [u64::MAX; 4],
            [0, 0, 0, 1 << 63],
            [0, 0, 0, u64::MAX << 60],
            [0x8208_2082_0820_8208; 4],
            [0x5555_5555_5555_5555; 4],
            [0xaaaa_aaaa_aaaa_aaaa; 4],
            [0x7df7_df7d_f7df_7df7; 4],
            FN.m,
            n1,
            // Top comb digit 16 (k >= 2^256 - 2^251), below and above n.
            [0, 0, 0, 0xf800_0000_0000_0000],
            [0, 0, 0, 0xfc00_0000_0000_0000],
            [u64::MAX, u64::MAX, u64::MAX, 0xffff_fffe_ffff_ffff],
            [FN.m[0] + 1, FN.m[1], FN.m[2], FN.m[3]],
        ];
        let mut rng0 = rand_chacha::ChaCha20Rng::seed_from_u64(0x257);
        for _ in 0..20 {
            // n - (random value below 2^200), and 2^256 - 2^251 + (random below 2^224).
            let mut k = n1;
            let r: Limbs = [rng0.next_u64(), rng0.next_u64(), rng0.next_u64() >> 56, 0];
            crate::bigint::sub_assign(&mut k, &r);
            v.push(k);
            v.push([
                rng0.next_u64(),
                rng0.next_u64(),
                rng0.next_u64(),
                0xf800_0000_0000_0000 | (rng0.next_u64() >> 37),
            ]);
        }
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(0x256);
        for _ in 0..40 {
            v.push(core::array::from_fn(|_| rng.next_u64()));
        }
        v
    }

    fn affine(p: Point) -> Option<([u8; 32], [u8; 32])> {
        p.to_affine_bytes().ok()
    }

    #[test]
    fn booth_digits_recompose() {
        for k in test_scalars() {
            // sum_i d_i 2^(w i), computed in the integers with i128 per 64-bit chunk
            // would be awkward: check through the group instead, and the digit bounds.
            for w in [5usize, 6, 7] {
                let mut acc = Point::identity();
                for i in (0..257usize.div_ceil(w)).rev() {
                    for _ in 0..w {
                        acc = acc.double();
                    }
                    let (mag, neg) = booth_digit(&k, w, i);
                    assert!(mag <= 1 << (w - 1));
                    assert!(neg == 0 || neg == u64::MAX);
                    let mut p = Point::generator().mul(&[mag, 0, 0, 0]);
                    if neg != 0 {
                        p.y = FP.neg(&p.y);
                    }
                    acc = acc.add(&p);
                }
                assert_eq!(
                    affine(acc),
                    affine(Point::generator().mul(&k)),
                    "{k:x?} w={w}"
                );
            }
        }
    }

    #[test]
    fn mixed_addition_matches_projective() {
        let g = Point::generator();
        let pts = [Point::identity(), g, g.double(), g.mul(&[5, 0, 0, 0]), {
            let mut m = g;
            m.y = FP.neg(&m.y);
            m
        }];
        for a in &pts {
            for b in &pts[1..] {
                let (bx, by, _) = {
                    let zi = FP.invert(&b.z);
                    (FP.mul(&b.x, &zi), FP.mul(&b.y, &zi), ())
                };
                // Scale a's coordinates so that Z != 1 is exercised.
                let s = FP.to_mont(&[7, 0, 0, 0]);
                let a2 = Point {
                    x: FP.mul(&a.x, &s),
                    y: FP.mul(&a.y, &s),
                    z: FP.mul(&a.z, &s),
                };
                assert_eq!(affine(a2.add_affine(&bx, &by)), affine(a.add(b)));
            }
        }
    }

    #[test]
    fn comb_matches_reference() {
        for k in test_scalars() {
            let want = affine(mul_base_reference(&k));
            assert_eq!(affine(mul_base(&k)), want, "{k:x?}");
            assert_eq!(affine(Point::generator().mul(&k)), want, "{k:x?}");
            assert_eq!(affine(Point::generator().mul_reference(&k)), want, "{k:x?}");
        }
    }

    /// The signed-window, Jacobian-doubling multiplication against the former
    /// 4-bit complete-formula one, on points other than G (among them -G, 2G
    /// and points with Z != 1), for the test scalars (0, 1, n - 1, n, n + 1,
    /// 2^256 - 1, digit extremes, random).
    #[test]
    fn variable_base_matches_reference() {
        let g = Point::generator();
        let mut neg_g = g;
        neg_g.y = FP.neg(&g.y);
        let s = FP.to_mont(&[3, 0, 0, 0]);
        let q = g.mul_reference(&[0x0123_4567_89ab_cdef, 1, 2, 3]);
        let q_scaled = Point {
            x: FP.mul(&q.x, &s),
            y: FP.mul(&q.y, &s),
            z: FP.mul(&q.z, &s),
        };
        for p in [g, neg_g, g.double(), q, q_scaled] {
            for k in test_scalars() {
                assert_eq!(affine(p.mul(&k)), affine(p.mul_reference(&k)), "{k:x?}");
            }
        }
        // The identity times anything is the identity.
        assert!(affine(Point::identity().mul(&[5, 6, 7, 8])).is_none());
    }

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
