//! Inversion in GF(2^255 - 19) by Bernstein and Yang's constant-time "safegcd"
//! (D. J. Bernstein, B.-Y. Yang, "Fast constant-time gcd computation and modular
//! inversion", TCHES 2019), in the shape of libsecp256k1's `modinv64`: numbers in
//! five signed 62-bit limbs, batches of 59 divsteps on the low 64 bits, each batch's
//! 2x2 transition matrix then applied to the full-size (f, g) and (d, e).
//!
//! Constant time: always 10 batches of 59 = 590 divsteps, whatever the input. That
//! is enough for any 0 <= g <= f < 2^256 with the "half-delta" divstep used here
//! (delta starting at 1/2, libsecp256k1's zeta = -(delta + 1/2)): the bound is
//! Wuille's, machine-checked in Coq (github.com/sipa/safegcd-bounds, the hddivsteps
//! proof), and is what libsecp256k1's constant-time `secp256k1_modinv64` runs; the
//! paper's Theorem 11.2 gives floor((49 * 256 + 57) / 17) = 741 for the original
//! divstep. Each divstep is masks, shifts and adds only: no branch and no memory
//! index depends on data.
//!
//! It replaces Fermat's `z^(p-2)` (254 squarings and 11 multiplications) as the
//! X25519 ladder's and key generation's last step.

/// 2^62 - 1.
const M62: u64 = u64::MAX >> 2;

/// p = 2^255 - 19 in signed-62 limbs (little-endian).
const P62: [i64; 5] = [
    0x3fff_ffff_ffff_ffed,
    0x3fff_ffff_ffff_ffff,
    0x3fff_ffff_ffff_ffff,
    0x3fff_ffff_ffff_ffff,
    0x7f,
];

/// p^-1 mod 2^62 (checked in the tests: `P62[0] * P_INV62 = 1 mod 2^62`).
const P_INV62: u64 = 0x3943_5e50_d794_35e5;

/// The 2x2 matrix of a batch of divsteps, scaled by 2^62.
struct Trans {
    u: i64,
    v: i64,
    q: i64,
    r: i64,
}

/// 59 divsteps on the low 64 bits of f (odd) and g, from `zeta`; returns the new
/// zeta and the transition matrix times 2^62 (it starts as 8 = 2^3 times the
/// identity, and 59 more doublings make 2^62). libsecp256k1's
/// `secp256k1_modinv64_divsteps_59`.
#[inline(always)]
fn divsteps_59(mut zeta: i64, f0: u64, g0: u64) -> (i64, Trans) {
    let (mut u, mut v, mut q, mut r) = (8u64, 0u64, 0u64, 8u64);
    let (mut f, mut g) = (f0, g0);
    for _ in 3..62 {
        // All-ones when zeta < 0 (an arithmetic shift: no comparison, no branch).
        let c1 = (zeta >> 63) as u64;
        // All-ones when g is odd.
        let c2 = 0u64.wrapping_sub(g & 1);
        // x, y, z = f, u, v negated when zeta < 0; added to g, q, r when g is odd.
        let x = (f ^ c1).wrapping_sub(c1);
        let y = (u ^ c1).wrapping_sub(c1);
        let z = (v ^ c1).wrapping_sub(c1);
        g = g.wrapping_add(x & c2);
        q = q.wrapping_add(y & c2);
        r = r.wrapping_add(z & c2);
        // When zeta < 0 and g was odd: zeta becomes -zeta - 2 and (f, u, v) gets
        // the new (g, q, r) added (together: the swap of the divstep); otherwise
        // zeta - 1.
        let c = c1 & c2;
        zeta = (zeta ^ c as i64).wrapping_sub(1);
        f = f.wrapping_add(g & c);
        u = u.wrapping_add(q & c);
        v = v.wrapping_add(r & c);
        g >>= 1;
        u = u.wrapping_shl(1);
        v = v.wrapping_shl(1);
    }
    (
        zeta,
        Trans {
            u: u as i64,
            v: v as i64,
            q: q as i64,
            r: r as i64,
        },
    )
}

#[inline(always)]
fn mul(a: i64, b: i64) -> i128 {
    i128::from(a) * i128::from(b)
}

/// (d, e) <- (t / 2^62) (d, e) mod p, by adding the multiple of p that clears the
/// low 62 bits. On input and output d and e are in (-2p, p) with limbs in
/// (-2^62, 2^62) (libsecp256k1's `update_de_62`).
#[inline(always)]
fn update_de(d: &mut [i64; 5], e: &mut [i64; 5], t: &Trans) {
    let (u, v, q, r) = (t.u, t.v, t.q, t.r);
    // md, me: start with u, q (v, r) when d (e) is negative.
    let sd = core::hint::black_box(d[4] >> 63);
    let se = core::hint::black_box(e[4] >> 63);
    let mut md = (u & sd).wrapping_add(v & se);
    let mut me = (q & sd).wrapping_add(r & se);
    let mut cd = mul(u, d[0]) + mul(v, e[0]);
    let mut ce = mul(q, d[0]) + mul(r, e[0]);
    // Make t (d, e) + p (md, me) divisible by 2^62.
    md = md.wrapping_sub((P_INV62.wrapping_mul(cd as u64).wrapping_add(md as u64) & M62) as i64);
    me = me.wrapping_sub((P_INV62.wrapping_mul(ce as u64).wrapping_add(me as u64) & M62) as i64);
    cd += mul(P62[0], md);
    ce += mul(P62[0], me);
    debug_assert_eq!(cd as u64 & M62, 0);
    debug_assert_eq!(ce as u64 & M62, 0);
    cd >>= 62;
    ce >>= 62;
    for i in 1..5 {
        cd += mul(u, d[i]) + mul(v, e[i]) + mul(P62[i], md);
        ce += mul(q, d[i]) + mul(r, e[i]) + mul(P62[i], me);
        d[i - 1] = (cd as u64 & M62) as i64;
        e[i - 1] = (ce as u64 & M62) as i64;
        cd >>= 62;
        ce >>= 62;
    }
    d[4] = cd as i64;
    e[4] = ce as i64;
}

/// (f, g) <- (t / 2^62) (f, g) (exact: the low 62 bits are zero).
#[inline(always)]
fn update_fg(f: &mut [i64; 5], g: &mut [i64; 5], t: &Trans) {
    let (u, v, q, r) = (t.u, t.v, t.q, t.r);
    let mut cf = mul(u, f[0]) + mul(v, g[0]);
    let mut cg = mul(q, f[0]) + mul(r, g[0]);
    debug_assert_eq!(cf as u64 & M62, 0);
    debug_assert_eq!(cg as u64 & M62, 0);
    cf >>= 62;
    cg >>= 62;
    for i in 1..5 {
        cf += mul(u, f[i]) + mul(v, g[i]);
        cg += mul(q, f[i]) + mul(r, g[i]);
        f[i - 1] = (cf as u64 & M62) as i64;
        g[i - 1] = (cg as u64 & M62) as i64;
        cf >>= 62;
        cg >>= 62;
    }
    f[4] = cf as i64;
    g[4] = cg as i64;
}

/// d in (-2p, p) to [0, p), negated first when `sign` (f's top limb) is negative
/// (libsecp256k1's `normalize_62`), by masks.
fn normalize(d: &mut [i64; 5], sign: i64) {
    let propagate = |d: &mut [i64; 5]| {
        for i in 0..4 {
            d[i + 1] += d[i] >> 62;
            d[i] &= M62 as i64;
        }
    };
    // black_box on every mask: without it LLVM turns these adds into a branch on
    // d's sign (seen in the disassembly).
    let add = core::hint::black_box(d[4] >> 63);
    for i in 0..5 {
        d[i] += P62[i] & add;
    }
    let neg = core::hint::black_box(sign >> 63);
    for x in d.iter_mut() {
        *x = (*x ^ neg) - neg;
    }
    propagate(d);
    let add = core::hint::black_box(d[4] >> 63);
    for i in 0..5 {
        d[i] += P62[i] & add;
    }
    propagate(d);
}

/// `x^-1 mod p` for a canonical little-endian `x < p`, canonical; 0 maps to 0 (as
/// Fermat's `x^(p-2)` does).
pub(crate) fn invert(x: &[u8; 32]) -> [u8; 32] {
    let w: [u64; 4] =
        core::array::from_fn(|i| u64::from_le_bytes(x[8 * i..8 * i + 8].try_into().expect("8")));
    let mut g = [
        (w[0] & M62) as i64,
        ((w[0] >> 62 | w[1] << 2) & M62) as i64,
        ((w[1] >> 60 | w[2] << 4) & M62) as i64,
        ((w[2] >> 58 | w[3] << 6) & M62) as i64,
        (w[3] >> 56) as i64,
    ];
    let mut f = P62;
    let mut d = [0i64; 5];
    let mut e = [1i64, 0, 0, 0, 0];
    let mut zeta = -1i64;
    // 10 x 59 = 590 divsteps: g is then 0 and f is +-gcd(p, x) = +-1 (x nonzero).
    for _ in 0..10 {
        let (z, t) = divsteps_59(zeta, f[0] as u64, g[0] as u64);
        zeta = z;
        update_de(&mut d, &mut e, &t);
        update_fg(&mut f, &mut g, &t);
    }
    debug_assert_eq!(g, [0; 5]);
    normalize(&mut d, f[4]);
    let d: [u64; 5] = d.map(|l| l as u64);
    let words = [
        d[0] | d[1] << 62,
        d[1] >> 2 | d[2] << 60,
        d[2] >> 4 | d[3] << 58,
        d[3] >> 6 | d[4] << 56,
    ];
    let mut out = [0u8; 32];
    for (i, w) in words.iter().enumerate() {
        out[8 * i..8 * i + 8].copy_from_slice(&w.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::curve25519::field::Fe;
    use rand::{RngCore, SeedableRng};

    const P_BYTES: [u8; 32] = {
        let mut p = [0xffu8; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        p
    };

    fn minus(mut a: [u8; 32], k: u8) -> [u8; 32] {
        // a - k for small k on a value whose low byte is at least k.
        a[0] -= k;
        a
    }

    #[test]
    fn constants() {
        let p = (1u128 << 62) - 19;
        assert_eq!(P62[0] as u128, p);
        assert_eq!((P62[0] as u64).wrapping_mul(P_INV62) & M62, 1);
    }

    /// Against Fermat's x^(p-2) (the portable field's addition chain), and x x^-1 = 1,
    /// on 0, 1, 2, p - 1, p - 2, powers of two, and random canonical values.
    #[test]
    fn matches_fermat() {
        let mut vals = alloc::vec![
            [0u8; 32],
            minus(P_BYTES, 1),
            minus(P_BYTES, 2),
            minus(P_BYTES, 19),
        ];
        for small in [1u8, 2, 3, 9, 19, 38, 121, 255] {
            let mut v = [0u8; 32];
            v[0] = small;
            vals.push(v);
        }
        for bit in 0..255 {
            let mut v = [0u8; 32];
            v[bit / 8] = 1 << (bit % 8);
            vals.push(v);
            // 2^bit - 1 (all ones below bit).
            let mut o = [0u8; 32];
            for b in 0..bit {
                o[b / 8] |= 1 << (b % 8);
            }
            vals.push(o);
        }
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7748);
        for _ in 0..3000 {
            let mut v = [0u8; 32];
            rng.fill_bytes(&mut v);
            // Canonical: reduce through the portable field.
            vals.push(Fe::from_bytes(&v).to_bytes());
        }
        for x in vals {
            let fx = Fe::from_bytes(&x);
            let inv = invert(&x);
            assert_eq!(inv, fx.invert_fermat().to_bytes(), "{x:x?}");
            let one = if x == [0; 32] { Fe::ZERO } else { Fe::ONE };
            assert_eq!(
                fx.mul(&Fe::from_bytes(&inv)).to_bytes(),
                one.to_bytes(),
                "{x:x?}"
            );
        }
    }
}
