//! Variable-time P-256 arithmetic for ECDSA verification, where every input (the
//! public key, the signature, the message digest, and so `u1`, `u2`) is public:
//! Jacobian coordinates, whose formulas are cheaper than the complete projective
//! ones but have exceptional cases (the identity, P = Q, P = -Q), handled here by
//! branches; and interleaved (Straus/Shamir) double-scalar multiplication with
//! width-w NAF digits. Never call these with secret data.

use super::field::{Limbs, FP};
use super::point::{batch_to_affine, Point};

/// A point in Jacobian coordinates (X / Z^2, Y / Z^3), Montgomery domain; Z = 0
/// is the identity.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Jacobian {
    pub(crate) x: Limbs,
    pub(crate) y: Limbs,
    pub(crate) z: Limbs,
}

impl Jacobian {
    pub(crate) fn identity() -> Jacobian {
        Jacobian {
            x: FP.one,
            y: FP.one,
            z: [0; 4],
        }
    }

    pub(crate) fn is_identity(&self) -> bool {
        self.z == [0; 4]
    }

    fn from_affine(x: &Limbs, y: &Limbs) -> Jacobian {
        Jacobian {
            x: *x,
            y: *y,
            z: FP.one,
        }
    }

    fn neg(&self) -> Jacobian {
        Jacobian {
            x: self.x,
            y: FP.neg(&self.y),
            z: self.z,
        }
    }

    /// Doubling for a = -3, "dbl-2001-b" of the Explicit-Formulas Database
    /// (Bernstein and Lange; from Bernstein 2001): 3M + 5S. P-256 has no point of
    /// order 2, so only the identity needs a special case.
    pub(crate) fn double(&self) -> Jacobian {
        if self.is_identity() {
            return *self;
        }
        let f = &FP;
        let delta = f.sqr_vt(&self.z);
        let gamma = f.sqr_vt(&self.y);
        let beta = f.mul_vt(&self.x, &gamma);
        let alpha = f.mul_vt(&f.sub_vt(&self.x, &delta), &f.add_vt(&self.x, &delta));
        let alpha = f.add_vt(&f.add_vt(&alpha, &alpha), &alpha);
        let beta2 = f.add_vt(&beta, &beta);
        let beta4 = f.add_vt(&beta2, &beta2);
        let beta8 = f.add_vt(&beta4, &beta4);
        let x3 = f.sub_vt(&f.sqr_vt(&alpha), &beta8);
        let yz = f.add_vt(&self.y, &self.z);
        let z3 = f.sub_vt(&f.sub_vt(&f.sqr_vt(&yz), &gamma), &delta);
        let gamma2 = f.sqr_vt(&gamma);
        let g2 = f.add_vt(&gamma2, &gamma2);
        let g4 = f.add_vt(&g2, &g2);
        let g8 = f.add_vt(&g4, &g4);
        let y3 = f.sub_vt(&f.mul_vt(&alpha, &f.sub_vt(&beta4, &x3)), &g8);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// General addition, "add-1998-cmo-2" of the Explicit-Formulas Database (Cohen,
    /// Miyaji and Ono 1998): 12M + 4S, with the exceptional cases branched on.
    pub(crate) fn add(&self, o: &Jacobian) -> Jacobian {
        if self.is_identity() {
            return *o;
        }
        if o.is_identity() {
            return *self;
        }
        let f = &FP;
        let z1z1 = f.sqr_vt(&self.z);
        let z2z2 = f.sqr_vt(&o.z);
        let u1 = f.mul_vt(&self.x, &z2z2);
        let u2 = f.mul_vt(&o.x, &z1z1);
        let s1 = f.mul_vt(&self.y, &f.mul_vt(&o.z, &z2z2));
        let s2 = f.mul_vt(&o.y, &f.mul_vt(&self.z, &z1z1));
        let h = f.sub_vt(&u2, &u1);
        let r = f.sub_vt(&s2, &s1);
        if h == [0; 4] {
            return if r == [0; 4] {
                self.double()
            } else {
                Jacobian::identity()
            };
        }
        let hh = f.sqr_vt(&h);
        let hhh = f.mul_vt(&h, &hh);
        let v = f.mul_vt(&u1, &hh);
        let x3 = f.sub_vt(&f.sub_vt(&f.sqr_vt(&r), &hhh), &f.add_vt(&v, &v));
        let y3 = f.sub_vt(&f.mul_vt(&r, &f.sub_vt(&v, &x3)), &f.mul_vt(&s1, &hhh));
        let z3 = f.mul_vt(&f.mul_vt(&self.z, &o.z), &h);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// Mixed addition with an affine (x2, y2) (not the identity): the same formulas
    /// with Z2 = 1 ("madd" in the Explicit-Formulas Database), 8M + 3S.
    pub(crate) fn add_affine(&self, x2: &Limbs, y2: &Limbs) -> Jacobian {
        if self.is_identity() {
            return Jacobian::from_affine(x2, y2);
        }
        let f = &FP;
        let z1z1 = f.sqr_vt(&self.z);
        let u2 = f.mul_vt(x2, &z1z1);
        let s2 = f.mul_vt(y2, &f.mul_vt(&self.z, &z1z1));
        let h = f.sub_vt(&u2, &self.x);
        let r = f.sub_vt(&s2, &self.y);
        if h == [0; 4] {
            return if r == [0; 4] {
                self.double()
            } else {
                Jacobian::identity()
            };
        }
        let hh = f.sqr_vt(&h);
        let hhh = f.mul_vt(&h, &hh);
        let v = f.mul_vt(&self.x, &hh);
        let x3 = f.sub_vt(&f.sub_vt(&f.sqr_vt(&r), &hhh), &f.add_vt(&v, &v));
        let y3 = f.sub_vt(&f.mul_vt(&r, &f.sub_vt(&v, &x3)), &f.mul_vt(&self.y, &hhh));
        let z3 = f.mul_vt(&self.z, &h);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }
}

/// Digit positions: 256 bits plus room for the final carry.
const NAF_LEN: usize = 260;

/// Width-w NAF of `k` (below 2^256): `k = sum_i d_i 2^i`, each nonzero d_i odd with
/// |d_i| < 2^(w-1), and at most one nonzero among any w consecutive digits. The
/// windowed recoding of libsecp256k1's `secp256k1_ecmult_wnaf`.
fn wnaf(k: &Limbs, w: usize) -> [i32; NAF_LEN] {
    let mut out = [0i32; NAF_LEN];
    crate::ec::wnaf(k, w, &mut out);
    out
}

/// NAF width for the public key Q: 8 odd multiples computed per verification.
const WQ: usize = 5;
/// NAF width for G: 64 precomputed affine odd multiples.
const WG: usize = 8;

/// `G, 3G, 5G, ..., (2^(WG-1) - 1) G`, affine, Montgomery domain.
fn g_odd_multiples() -> alloc::vec::Vec<(Limbs, Limbs)> {
    let g = Point::generator();
    let g2 = g.double();
    let mut pts = alloc::vec::Vec::with_capacity(1 << (WG - 2));
    let mut p = g;
    for _ in 0..1 << (WG - 2) {
        pts.push(p);
        p = p.add(&g2);
    }
    batch_to_affine(&pts)
}

/// `u1 G + u2 Q` for public `u1`, `u2` (below 2^256) and an affine `q` (Z = 1, as
/// [`Point::from_affine_bytes`] returns): Straus's interleaving, one chain of
/// doublings shared by both wNAF expansions.
pub(crate) fn double_mul(u1: &Limbs, u2: &Limbs, q: &Point) -> Jacobian {
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

fn straus(g_table: &[(Limbs, Limbs)], u1: &Limbs, u2: &Limbs, q: &Point) -> Jacobian {
    debug_assert_eq!(q.z, FP.one);
    let ng = wnaf(u1, WG);
    let nq = wnaf(u2, WQ);
    let qj = Jacobian::from_affine(&q.x, &q.y);
    let q2 = qj.double();
    let mut q_table = [qj; 1 << (WQ - 2)];
    for i in 1..q_table.len() {
        q_table[i] = q_table[i - 1].add(&q2);
    }
    let Some(top) = (0..NAF_LEN).rev().find(|&i| ng[i] != 0 || nq[i] != 0) else {
        return Jacobian::identity();
    };
    let mut acc = Jacobian::identity();
    for i in (0..=top).rev() {
        acc = acc.double();
        let d = nq[i];
        if d > 0 {
            acc = acc.add(&q_table[(d >> 1) as usize]);
        } else if d < 0 {
            acc = acc.add(&q_table[(-d >> 1) as usize].neg());
        }
        let d = ng[i];
        if d != 0 {
            let (x, y) = &g_table[(d.unsigned_abs() >> 1) as usize];
            if d > 0 {
                acc = acc.add_affine(x, y);
            } else {
                acc = acc.add_affine(x, &FP.neg(y));
            }
        }
    }
    acc
}

/// Whether `p`'s affine x-coordinate, reduced mod n, equals `r` (in [1, n-1]):
/// x = X / Z^2 is compared as `X == r' Z^2` for the candidates r' = r and, when
/// below p, r + n, so no inversion is needed (the identity never matches).
pub(crate) fn x_matches_mod_n(p: &Jacobian, r: &Limbs, n: &Limbs, pm: &Limbs) -> bool {
    if p.is_identity() {
        return false;
    }
    let z2 = FP.sqr_vt(&p.z);
    if FP.mul_vt(&FP.to_mont(r), &z2) == p.x {
        return true;
    }
    // r + n < 2^257: the carry out of the top limb counts.
    let mut rn = *r;
    let carry = crate::bigint::add_assign(&mut rn, n);
    if carry == 0 && crate::bigint::ct_lt_limbs(&rn, pm) == u64::MAX {
        return FP.mul_vt(&FP.to_mont(&rn), &z2) == p.x;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::field::FN;
    use super::super::point::mul_base;
    use super::*;

    fn jac_affine(p: &Jacobian) -> Option<(Limbs, Limbs)> {
        if p.is_identity() {
            return None;
        }
        let zi = FP.invert(&p.z);
        let zi2 = FP.sqr(&zi);
        let zi3 = FP.mul(&zi2, &zi);
        Some((
            FP.leave_mont(&FP.mul(&p.x, &zi2)),
            FP.leave_mont(&FP.mul(&p.y, &zi3)),
        ))
    }

    fn proj_affine(p: &Point) -> Option<(Limbs, Limbs)> {
        if FP.is_zero(&p.z) == u64::MAX {
            return None;
        }
        let zi = FP.invert(&p.z);
        Some((
            FP.leave_mont(&FP.mul(&p.x, &zi)),
            FP.leave_mont(&FP.mul(&p.y, &zi)),
        ))
    }

    #[test]
    fn wnaf_recomposes() {
        for k in super::super::point::tests::test_scalars() {
            for w in [4usize, 5, 8] {
                let naf = wnaf(&k, w);
                // Recompose k from the top digit down in 5 limbs (k < 2^256 and the
                // partial sums stay in [0, 2^257)).
                let mut acc = [0u64; 5];
                for i in (0..NAF_LEN).rev() {
                    let mut c = 0;
                    for l in &mut acc {
                        let nc = *l >> 63;
                        *l = (*l << 1) | c;
                        c = nc;
                    }
                    let d = naf[i];
                    assert!(d == 0 || (d % 2 != 0 && d.unsigned_abs() < 1 << (w - 1)));
                    let mut add = [0u64; 5];
                    add[0] = u64::from(d.unsigned_abs());
                    if d >= 0 {
                        crate::bigint::add_assign(&mut acc, &add);
                    } else {
                        crate::bigint::sub_assign(&mut acc, &add);
                    }
                }
                assert_eq!(acc, [k[0], k[1], k[2], k[3], 0], "{k:x?} w={w}");
                for i in 0..NAF_LEN {
                    if naf[i] != 0 {
                        assert!(naf[i + 1..(i + w).min(NAF_LEN)].iter().all(|&d| d == 0));
                    }
                }
            }
        }
    }

    #[test]
    fn jacobian_formulas_match_projective() {
        let g = Point::generator();
        let gj = Jacobian::from_affine(&g.x, &g.y);
        let want = |k: u64| proj_affine(&g.mul(&[k, 0, 0, 0]));
        assert_eq!(jac_affine(&gj.double()), want(2));
        assert_eq!(jac_affine(&gj.double().add(&gj)), want(3));
        assert_eq!(jac_affine(&gj.add(&gj)), want(2));
        assert_eq!(jac_affine(&gj.add(&gj.neg())), None);
        assert_eq!(jac_affine(&gj.double().add_affine(&g.x, &g.y)), want(3));
        assert_eq!(jac_affine(&gj.double().double().add(&gj.double())), want(6));
        assert_eq!(jac_affine(&gj.add_affine(&g.x, &g.y)), want(2));
        assert_eq!(jac_affine(&gj.add_affine(&g.x, &FP.neg(&g.y))), None);
        assert_eq!(
            jac_affine(&Jacobian::identity().add_affine(&g.x, &g.y)),
            want(1)
        );
        assert_eq!(jac_affine(&Jacobian::identity().double()), None);
        assert_eq!(jac_affine(&gj.add(&Jacobian::identity())), want(1));
    }

    #[test]
    fn x_comparison_takes_r_plus_n() {
        // x in [n, p): x mod n = x - n. Z = 2 so that Z^2 matters.
        let mut x = FN.m;
        x[0] += 5; // n + 5 < p
        let z = FP.to_mont(&[2, 0, 0, 0]);
        let p = Jacobian {
            x: FP.mul(&FP.to_mont(&x), &FP.sqr(&z)),
            y: FP.one,
            z,
        };
        assert!(x_matches_mod_n(&p, &[5, 0, 0, 0], &FN.m, &FP.m));
        assert!(!x_matches_mod_n(&p, &[6, 0, 0, 0], &FN.m, &FP.m));
        // r + n at or above p is no candidate: r = p - n (so r + n = p = 0 mod p).
        let mut r = FP.m;
        crate::bigint::sub_assign(&mut r, &FN.m);
        let zero_x = Jacobian {
            x: [0; 4],
            y: FP.one,
            z: FP.one,
        };
        assert!(!x_matches_mod_n(&zero_x, &r, &FN.m, &FP.m));
    }

    #[test]
    fn double_mul_matches_constant_time_path() {
        let scalars = super::super::point::tests::test_scalars();
        let g = Point::generator();
        let mut neg_g = g;
        neg_g.y = FP.neg(&g.y);
        let q5 = {
            let p = g.mul(&[0x1234_5678_9abc_def1, 5, 6, 7]);
            let zi = FP.invert(&p.z);
            Point {
                x: FP.mul(&p.x, &zi),
                y: FP.mul(&p.y, &zi),
                z: FP.one,
            }
        };
        for q in [g, neg_g, q5] {
            for (i, u1) in scalars.iter().enumerate() {
                for u2 in [scalars[(i * 5 + 1) % scalars.len()], *u1] {
                    let want = proj_affine(&mul_base(u1).add(&q.mul(&u2)));
                    let got = double_mul(u1, &u2, &q);
                    assert_eq!(jac_affine(&got), want, "{u1:x?} {u2:x?}");
                    // The x comparison agrees with the affine one.
                    if let Some((x, _)) = want {
                        let xr = FN.reduce(&x);
                        if xr != [0; 4] {
                            assert!(x_matches_mod_n(&got, &xr, &FN.m, &FP.m));
                            let mut other = xr;
                            other[0] ^= 1;
                            assert!(!x_matches_mod_n(&got, &other, &FN.m, &FP.m));
                        }
                    } else {
                        assert!(!x_matches_mod_n(&got, &[1, 0, 0, 0], &FN.m, &FP.m));
                    }
                }
            }
        }
    }
}
