//! The complete addition and doubling formulas of Renes, Costello and Batina
//! (2016, "Complete addition formulas for prime order elliptic curves"),
//! Algorithms 4, 5 and 6 for a = -3, over any field that implements
//! [`CurveField`]. "Complete" means no special case for the identity or for
//! P = Q: the formulas have no data-dependent branch, so the scalar
//! multiplications built on them are constant time when the field is.
//!
//! Points are projective (X : Y : Z), coordinates in the field's Montgomery
//! domain; the identity is (0 : 1 : 0).

/// The field operations the formulas need, and the curve's b (y^2 = x^3 - 3x + b).
pub(crate) trait CurveField {
    /// A field element (Montgomery domain).
    type E: Copy;
    fn mul(&self, a: &Self::E, b: &Self::E) -> Self::E;
    fn sqr(&self, a: &Self::E) -> Self::E;
    fn add(&self, a: &Self::E, b: &Self::E) -> Self::E;
    fn sub(&self, a: &Self::E, b: &Self::E) -> Self::E;
    /// The curve's b, Montgomery domain.
    fn b(&self) -> Self::E;
}

/// Projective coordinates (X, Y, Z).
pub(crate) type Proj<E> = (E, E, E);

/// Complete addition, RCB16 Algorithm 4 (a = -3): 12M + 2 multiplications by b.
#[inline(always)]
pub(crate) fn add<F: CurveField>(f: &F, p: &Proj<F::E>, q: &Proj<F::E>) -> Proj<F::E> {
    let (x1, y1, z1) = p;
    let (x2, y2, z2) = q;
    let b = f.b();
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
    let mut z3 = f.mul(&b, &t2);
    x3 = f.sub(&y3, &z3);
    z3 = f.add(&x3, &x3);
    x3 = f.add(&x3, &z3);
    z3 = f.sub(&t1, &x3);
    x3 = f.add(&t1, &x3);
    y3 = f.mul(&b, &y3);
    t1 = f.add(&t2, &t2);
    t2 = f.add(&t1, &t2);
    y3 = f.sub(&y3, &t2);
    y3 = f.sub(&y3, &t0);
    t1 = f.add(&y3, &y3);
    y3 = f.add(&t1, &y3);
    t1 = f.add(&t0, &t0);
    t0 = f.add(&t1, &t0);
    t0 = f.sub(&t0, &t2);
    finish(f, [t0, t3, t4], x3, y3, z3)
}

/// The last eleven steps, common to Algorithms 4 and 5: from t0, t3, t4 and the
/// partial (X3, Y3, Z3).
#[inline(always)]
fn finish<F: CurveField>(
    f: &F,
    [t0, t3, t4]: [F::E; 3],
    x3: F::E,
    y3: F::E,
    z3: F::E,
) -> Proj<F::E> {
    let t1 = f.mul(&t4, &y3);
    let t2 = f.mul(&t0, &y3);
    let y3 = f.add(&f.mul(&x3, &z3), &t2);
    let x3 = f.sub(&f.mul(&t3, &x3), &t1);
    let z3 = f.add(&f.mul(&t4, &z3), &f.mul(&t3, &t0));
    (x3, y3, z3)
}

/// Complete mixed addition, RCB16 Algorithm 5 (a = -3): `(x2, y2)` is an affine
/// point, never the identity; `p` may be any point, the identity included.
/// 11M + 2 multiplications by b.
#[inline(always)]
pub(crate) fn add_affine<F: CurveField>(f: &F, p: &Proj<F::E>, x2: &F::E, y2: &F::E) -> Proj<F::E> {
    let (x1, y1, z1) = p;
    let b = f.b();
    let mut t0 = f.mul(x1, x2);
    let mut t1 = f.mul(y1, y2);
    let mut t3 = f.add(x2, y2);
    let mut t4 = f.add(x1, y1);
    t3 = f.mul(&t3, &t4);
    t4 = f.add(&t0, &t1);
    t3 = f.sub(&t3, &t4);
    t4 = f.mul(y2, z1);
    t4 = f.add(&t4, y1);
    let mut y3 = f.mul(x2, z1);
    y3 = f.add(&y3, x1);
    let mut z3 = f.mul(&b, z1);
    let mut x3 = f.sub(&y3, &z3);
    z3 = f.add(&x3, &x3);
    x3 = f.add(&x3, &z3);
    z3 = f.sub(&t1, &x3);
    x3 = f.add(&t1, &x3);
    y3 = f.mul(&b, &y3);
    t1 = f.add(z1, z1);
    let t2 = f.add(&t1, z1);
    y3 = f.sub(&y3, &t2);
    y3 = f.sub(&y3, &t0);
    t1 = f.add(&y3, &y3);
    y3 = f.add(&t1, &y3);
    t1 = f.add(&t0, &t0);
    t0 = f.add(&t1, &t0);
    t0 = f.sub(&t0, &t2);
    finish(f, [t0, t3, t4], x3, y3, z3)
}

/// Complete doubling, RCB16 Algorithm 6 (a = -3): 8M + 3S + 2 multiplications by b.
#[inline(always)]
pub(crate) fn double<F: CurveField>(f: &F, p: &Proj<F::E>) -> Proj<F::E> {
    let (x, y, z) = p;
    let b = f.b();
    let mut t0 = f.sqr(x);
    let t1 = f.sqr(y);
    let mut t2 = f.sqr(z);
    let mut t3 = f.mul(x, y);
    t3 = f.add(&t3, &t3);
    let mut z3 = f.mul(x, z);
    z3 = f.add(&z3, &z3);
    let mut y3 = f.mul(&b, &t2);
    y3 = f.sub(&y3, &z3);
    let mut x3 = f.add(&y3, &y3);
    y3 = f.add(&x3, &y3);
    x3 = f.sub(&t1, &y3);
    y3 = f.add(&t1, &y3);
    y3 = f.mul(&x3, &y3);
    x3 = f.mul(&x3, &t3);
    t3 = f.add(&t2, &t2);
    t2 = f.add(&t2, &t3);
    z3 = f.mul(&b, &z3);
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
    (x3, y3, z3)
}

/// `y^2 = x^3 - 3x + b` for Montgomery-domain `x`, `y`: the right-hand side and
/// the left, for the caller to compare in constant time.
#[inline(always)]
pub(crate) fn curve_sides<F: CurveField>(f: &F, x: &F::E, y: &F::E) -> (F::E, F::E) {
    (f.sqr(y), rhs(f, x))
}

/// `x^3 - 3x + b`.
#[inline(always)]
pub(crate) fn rhs<F: CurveField>(f: &F, x: &F::E) -> F::E {
    let x3 = f.mul(&f.sqr(x), x);
    let three_x = f.add(&f.add(x, x), x);
    f.add(&f.sub(&x3, &three_x), &f.b())
}

/// Doubling in Jacobian coordinates (X / Z^2, Y / Z^3) for a = -3, "dbl-2001-b"
/// of the Explicit-Formulas Database (Bernstein 2001): 3M + 5S. On a curve with
/// no point of order 2 (the NIST prime curves have cofactor 1 and odd order) it
/// has no exceptional case: Z = 0 (the identity) gives Z3 = 0 again, so it runs
/// without a branch on secret points.
#[inline(always)]
pub(crate) fn jacobian_double<F: CurveField>(f: &F, p: &Proj<F::E>) -> Proj<F::E> {
    let (x, y, z) = p;
    let delta = f.sqr(z);
    let gamma = f.sqr(y);
    let beta = f.mul(x, &gamma);
    let alpha = f.mul(&f.sub(x, &delta), &f.add(x, &delta));
    let alpha = f.add(&f.add(&alpha, &alpha), &alpha);
    let beta2 = f.add(&beta, &beta);
    let beta4 = f.add(&beta2, &beta2);
    let beta8 = f.add(&beta4, &beta4);
    let x3 = f.sub(&f.sqr(&alpha), &beta8);
    let yz = f.add(y, z);
    let z3 = f.sub(&f.sub(&f.sqr(&yz), &gamma), &delta);
    let gamma2 = f.sqr(&gamma);
    let g2 = f.add(&gamma2, &gamma2);
    let g4 = f.add(&g2, &g2);
    let g8 = f.add(&g4, &g4);
    let y3 = f.sub(&f.mul(&alpha, &f.sub(&beta4, &x3)), &g8);
    (x3, y3, z3)
}
