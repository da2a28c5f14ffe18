//! The integer arithmetic RSA needs beyond Montgomery exponentiation: wide
//! products, a constant-time modular inverse, exact division by the public
//! exponent, and Miller-Rabin. All loops are shaped by lengths only.

use alloc::vec;
use alloc::vec::Vec;
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroize;

use crate::bigint::{self, mac, mask, Modulus};

/// `a * b`, `a.len() + b.len()` limbs, schoolbook.
pub(crate) fn mul_wide(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = vec![0u64; a.len() + b.len()];
    for (i, &bi) in b.iter().enumerate() {
        let mut c = 0;
        for (j, &aj) in a.iter().enumerate() {
            (out[i + j], c) = mac(out[i + j], aj, bi, c);
        }
        out[i + a.len()] = c;
    }
    out
}

/// `x >>= 1`.
fn shr1(x: &mut [u64]) {
    for i in 0..x.len() {
        let hi = x.get(i + 1).map_or(0, |h| h << 63);
        x[i] = (x[i] >> 1) | hi;
    }
}

/// 62-bit limb mask for the signed-62 representation of [`ct_inverse`].
const M62: u64 = u64::MAX >> 2;

/// The number of signed 62-bit limbs that hold any value in `(-2m, 2m)` for an
/// `len`-limb `m`: `64 len + 2` bits, the top limb signed.
fn s62_len(len: usize) -> usize {
    (64 * len + 2) / 62 + 1
}

/// Little-endian `u64` limbs to signed 62-bit limbs (every limb in `[0, 2^62)`).
fn to_s62(x: &[u64], out: &mut [i64]) {
    for (i, o) in out.iter_mut().enumerate() {
        let (w, sh) = ((62 * i) / 64, (62 * i) % 64);
        let lo = x.get(w).map_or(0, |&l| l >> sh);
        // Bits from the next limb when fewer than 62 remain in this one (public shape).
        let hi = if sh > 2 {
            x.get(w + 1).map_or(0, |&l| l << (64 - sh))
        } else {
            0
        };
        *o = ((lo | hi) & M62) as i64;
    }
}

/// Signed 62-bit limbs of a value in `[0, 2^(64 out.len()))` to `u64` limbs.
fn from_s62(s: &[i64], out: &mut [u64]) {
    out.fill(0);
    for (i, &l) in s.iter().enumerate() {
        let (w, sh) = ((62 * i) / 64, (62 * i) % 64);
        let l = l as u64;
        if let Some(o) = out.get_mut(w) {
            *o |= l << sh;
        }
        if sh > 2 {
            if let Some(o) = out.get_mut(w + 1) {
                *o |= l >> (64 - sh);
            }
        }
    }
}

/// The transition matrix of 62 divsteps, `[u v; q r]`, scaled by `2^62`.
struct Trans {
    u: i64,
    v: i64,
    q: i64,
    r: i64,
}

/// 62 constant-time divsteps (Bernstein and Yang, "Fast constant-time gcd
/// computation and modular inversion", 2019, §8) on the low 64 bits of `f`
/// (odd) and `g`, the branches replaced by masks as in libsecp256k1's
/// `modinv64_divsteps_59`. Returns the new `delta` and the matrix `t` with
/// `2^62 [f'; g'] = t [f; g]`; `|u| + |v|, |q| + |r| <= 2^62`.
fn divsteps_62(mut delta: i64, f0: u64, g0: u64) -> (i64, Trans) {
    let (mut u, mut v, mut q, mut r) = (1u64, 0u64, 0u64, 1u64);
    let (mut f, mut g) = (f0, g0);
    for _ in 0..62 {
        // swap = (delta > 0) and (g odd): then (f, g) = (g, -f), delta = -delta.
        let pos = core::hint::black_box((delta.wrapping_neg() >> 63) as u64);
        let odd = mask(g & 1);
        let swap = pos & odd;
        let t = (f ^ g) & swap;
        f ^= t;
        g = ((g ^ t) ^ swap).wrapping_sub(swap);
        let t = (u ^ q) & swap;
        u ^= t;
        q = ((q ^ t) ^ swap).wrapping_sub(swap);
        let t = (v ^ r) & swap;
        v ^= t;
        r = ((r ^ t) ^ swap).wrapping_sub(swap);
        delta = (delta ^ swap as i64).wrapping_sub(swap as i64);
        // g odd: g += f (so g is even), then g /= 2, doubling f's row instead.
        g = g.wrapping_add(f & odd);
        q = q.wrapping_add(u & odd);
        r = r.wrapping_add(v & odd);
        g >>= 1;
        u <<= 1;
        v <<= 1;
        delta += 1;
    }
    let t = Trans {
        u: u as i64,
        v: v as i64,
        q: q as i64,
        r: r as i64,
    };
    (delta, t)
}

/// `[f; g] = t [f; g] / 2^62` (exact) on signed 62-bit limbs.
fn update_fg(f: &mut [i64], g: &mut [i64], t: &Trans) {
    let l = f.len();
    let (u, v, q, r) = (t.u as i128, t.v as i128, t.q as i128, t.r as i128);
    let mut cf = u * f[0] as i128 + v * g[0] as i128;
    let mut cg = q * f[0] as i128 + r * g[0] as i128;
    cf >>= 62;
    cg >>= 62;
    for i in 1..l {
        cf += u * f[i] as i128 + v * g[i] as i128;
        cg += q * f[i] as i128 + r * g[i] as i128;
        f[i - 1] = (cf as u64 & M62) as i64;
        g[i - 1] = (cg as u64 & M62) as i64;
        cf >>= 62;
        cg >>= 62;
    }
    f[l - 1] = cf as i64;
    g[l - 1] = cg as i64;
}

/// `[d; e] = (t [d; e] + m [md; me]) / 2^62` with `md, me` chosen so the division is
/// exact (libsecp256k1's `modinv64_update_de_62`): keeps `d, e` in `(-2m, m)`,
/// congruent to `t [d; e] / 2^62` modulo `m`. `minv = m^-1 mod 2^62`.
fn update_de(d: &mut [i64], e: &mut [i64], t: &Trans, m: &[i64], minv: u64) {
    let l = d.len();
    // Masks pass through black_box so LLVM keeps them masks, not branches.
    let sd = core::hint::black_box(d[l - 1] >> 63);
    let se = core::hint::black_box(e[l - 1] >> 63);
    let mut md = (t.u & sd) + (t.v & se);
    let mut me = (t.q & sd) + (t.r & se);
    let (u, v, q, r) = (t.u as i128, t.v as i128, t.q as i128, t.r as i128);
    let mut cd = u * d[0] as i128 + v * e[0] as i128;
    let mut ce = q * d[0] as i128 + r * e[0] as i128;
    md -= (minv.wrapping_mul(cd as u64).wrapping_add(md as u64) & M62) as i64;
    me -= (minv.wrapping_mul(ce as u64).wrapping_add(me as u64) & M62) as i64;
    let (mdw, mew) = (md as i128, me as i128);
    cd += m[0] as i128 * mdw;
    ce += m[0] as i128 * mew;
    debug_assert!(cd as u64 & M62 == 0 && ce as u64 & M62 == 0);
    cd >>= 62;
    ce >>= 62;
    for i in 1..l {
        cd += u * d[i] as i128 + v * e[i] as i128 + m[i] as i128 * mdw;
        ce += q * d[i] as i128 + r * e[i] as i128 + m[i] as i128 * mew;
        d[i - 1] = (cd as u64 & M62) as i64;
        e[i - 1] = (ce as u64 & M62) as i64;
        cd >>= 62;
        ce >>= 62;
    }
    d[l - 1] = cd as i64;
    e[l - 1] = ce as i64;
}

/// Carries every limb but the top one back into `[0, 2^62)`.
fn carry_s62(x: &mut [i64]) {
    for i in 0..x.len() - 1 {
        x[i + 1] += x[i] >> 62;
        x[i] &= M62 as i64;
    }
}

/// `x = x + m` when `x < 0` (by the sign of its top limb), limb-wise then carried.
fn add_if_negative_s62(x: &mut [i64], m: &[i64]) {
    let mask = core::hint::black_box(x[x.len() - 1] >> 63);
    for (a, b) in x.iter_mut().zip(m) {
        *a += b & mask;
    }
    carry_s62(x);
}

/// `a^-1 mod m` for odd `m` and `a < m`, or `None` when gcd(a, m) != 1.
///
/// Bernstein-Yang safegcd with batches of 62 divsteps, the update steps of
/// libsecp256k1's `modinv64`. The divstep count is the paper's bound for
/// `64 len`-bit inputs (Theorem 11.2: `floor((49 d + 57) / 17)` for `d >= 46`),
/// rounded up to whole batches, so the run time depends only on `m.len()`.
pub(crate) fn ct_inverse(x: &[u64], m: &[u64]) -> Option<Vec<u64>> {
    let len = m.len();
    let l = s62_len(len);
    let mut ms = vec![0i64; l];
    to_s62(m, &mut ms);
    let mut f = ms.clone();
    let mut g = vec![0i64; l];
    to_s62(x, &mut g);
    let mut d = vec![0i64; l];
    let mut e = vec![0i64; l];
    e[0] = 1;
    // m^-1 mod 2^62 from the Newton iteration for -m^-1 mod 2^64.
    let minv = bigint::neg_inv_u64(m[0]).wrapping_neg() & M62;
    let bits = 64 * len;
    let steps = if bits >= 46 {
        (49 * bits + 57) / 17
    } else {
        (49 * bits + 80) / 17
    };
    let mut delta = 1i64;
    for _ in 0..steps.div_ceil(62) {
        let (nd, t) = divsteps_62(delta, f[0] as u64, g[0] as u64);
        delta = nd;
        update_de(&mut d, &mut e, &t, &ms, minv);
        update_fg(&mut f, &mut g, &t);
    }
    // Now g = 0, f = +-gcd(x, m) and d = +-x^-1 (sign of f) in (-2m, m).
    let sf = core::hint::black_box(f[l - 1] >> 63);
    add_if_negative_s62(&mut d, &ms);
    for (di, fi) in d.iter_mut().zip(f.iter_mut()) {
        *di = (*di ^ sf) - sf;
        *fi = (*fi ^ sf) - sf;
    }
    carry_s62(&mut d);
    carry_s62(&mut f);
    add_if_negative_s62(&mut d, &ms);
    let mut inv = vec![0u64; len];
    from_s62(&d, &mut inv);
    // gcd = 1 exactly when f is now 1 (folded without an early exit).
    let diff = f.iter().skip(1).fold(f[0] ^ 1, |acc, &x| acc | x);
    let one = core::hint::black_box(diff) == 0;
    ms.zeroize();
    d.zeroize();
    e.zeroize();
    f.zeroize();
    g.zeroize();
    one.then_some(inv)
}

/// `x mod 65537` in constant time (the divisor is a constant, so `%` compiles to
/// multiplications, not a variable-time divide).
pub(crate) fn mod_f4(x: &[u64]) -> u64 {
    const F4: u64 = 65537;
    let mut r = 0u64;
    for &l in x.iter().rev() {
        // r * 2^64 + l, split into 32-bit halves to stay in u64.
        r = ((r << 32) | (l >> 32)) % F4;
        r = ((r << 32) | (l & 0xffff_ffff)) % F4;
    }
    r
}

/// `x / e` for an `x` known to be a multiple of the odd `e`: multiplication by
/// `e^-1 mod 2^64`, limb by limb from the bottom (Jebelean's exact division), no
/// division instruction.
pub(crate) fn exact_div_small(x: &[u64], e: u64) -> Vec<u64> {
    let einv = bigint::neg_inv_u64(e).wrapping_neg();
    let mut out = vec![0u64; x.len()];
    let mut borrow = 0u64;
    for (o, &l) in out.iter_mut().zip(x) {
        let (t, b1) = bigint::sbb(l, borrow, 0);
        let q = t.wrapping_mul(einv);
        *o = q;
        // q * e = t + hi * 2^64: the high half is what the next limb owes.
        let hi = ((u128::from(q) * u128::from(e)) >> 64) as u64;
        borrow = hi + b1;
    }
    out
}

/// `x * k + add` for small `k`, one limb longer.
pub(crate) fn mul_small_add(x: &[u64], k: u64, add: u64) -> Vec<u64> {
    let mut out = vec![0u64; x.len() + 1];
    let mut c = add;
    for (o, &l) in out.iter_mut().zip(x) {
        (*o, c) = mac(0, l, k, c);
    }
    out[x.len()] = c;
    out
}

/// `e^-1 mod x` for e = 65537 and any `x` coprime to it (even `x` included, so it
/// serves for d mod (p-1) and d mod phi): `d = (1 + k x) / e` with
/// `k = -x^-1 mod e`, found from `x mod e` in constant time.
pub(crate) fn inv_f4_mod(x: &[u64]) -> Vec<u64> {
    const F4: u64 = 65537;
    let r = mod_f4(x);
    // r^-1 mod e by Fermat (e is prime): r^(e-2), fixed 16 squarings.
    let mut inv = 1u64;
    let mut base = r;
    let mut ex = F4 - 2;
    for _ in 0..17 {
        let bit = ex & 1;
        let prod = (inv * base) % F4;
        inv = (prod & mask(bit)) | (inv & !mask(bit));
        base = (base * base) % F4;
        ex >>= 1;
    }
    let k = (F4 - inv) % F4;
    let n = mul_small_add(x, k, 1);
    let mut d = exact_div_small(&n, F4);
    d.truncate(x.len());
    d
}

/// Miller-Rabin with `rounds` random bases (FIPS 186-5 §B.3.1). The candidate is
/// secret; each round runs a constant-time exponentiation. Rejected candidates are
/// thrown away, so stopping early on a composite leaks nothing about the key.
pub(crate) fn is_probable_prime<R: RngCore + CryptoRng>(
    w: &[u64],
    rounds: usize,
    rng: &mut R,
) -> bool {
    let Some(m) = Modulus::new(w) else {
        return false;
    };
    let len = w.len();
    // w - 1 = 2^s * d.
    let mut wm1 = w.to_vec();
    wm1[0] -= 1; // w is odd
    let s = {
        let mut s = 0;
        while (wm1[s / 64] >> (s % 64)) & 1 == 0 {
            s += 1;
        }
        s
    };
    let mut d = wm1.clone();
    for _ in 0..s {
        shr1(&mut d);
    }
    let mut one = vec![0u64; len];
    one[0] = 1;
    for _ in 0..rounds {
        // A base in [2, w - 2]: random below w, rejected otherwise.
        let b = loop {
            let mut bytes = vec![0u8; 8 * len];
            rng.fill_bytes(&mut bytes);
            let mut b = vec![0u64; len];
            bigint::from_be_bytes(&mut b, &bytes);
            let top = 64 * len - bits(w);
            b[len - 1] &= u64::MAX >> top;
            if bigint::ct_lt_limbs(&one, &b) == u64::MAX
                && bigint::ct_lt_limbs(&b, &wm1) == u64::MAX
            {
                break b;
            }
        };
        let mut z = m.pow(&b, &d, 64 * len);
        if z == one || z == wm1 {
            continue;
        }
        let mut passed = false;
        for _ in 1..s {
            let zm = m.to_mont(&z);
            let mut t = vec![0u64; len];
            m.mul(&mut t, &zm, &zm);
            z = m.leave_mont(&t);
            if z == wm1 {
                passed = true;
                break;
            }
            if z == one {
                return false;
            }
        }
        if !passed {
            return false;
        }
    }
    true
}

/// The bit length of `x` (public values only: it branches).
pub(crate) fn bits(x: &[u64]) -> usize {
    for i in (0..x.len()).rev() {
        if x[i] != 0 {
            return 64 * i + 64 - x[i].leading_zeros() as usize;
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_and_division() {
        let m = [0xffff_ffff_ffff_ffc5u64, 0xffff_ffff]; // odd
        let x = [12345u64, 678];
        let inv = ct_inverse(&x, &m).unwrap();
        let p = mul_wide(&x, &inv);
        let md = Modulus::new(&m).unwrap();
        let pb: Vec<u8> = p.iter().rev().flat_map(|l| l.to_be_bytes()).collect();
        assert_eq!(md.reduce_be_bytes(&pb), vec![1, 0]);
        assert!(ct_inverse(&[0, 0], &m).is_none());
        // Exact division and inv_f4_mod.
        let y = mul_small_add(&[u64::MAX, 5], 65537, 0);
        assert_eq!(exact_div_small(&y, 65537), vec![u64::MAX, 5, 0]);
        assert_eq!(mod_f4(&y), 0);
        // inv_f4_mod on an even phi below 2^92, checked with u128.
        let phi = [0x1234_5678_9abc_def0u64, 0x0fed_cba9];
        let d = inv_f4_mod(&phi);
        let phi128 = u128::from(phi[0]) | (u128::from(phi[1]) << 64);
        let d128 = u128::from(d[0]) | (u128::from(d[1]) << 64);
        assert!(d128 < phi128);
        assert_eq!((d128 * 65537) % phi128, 1);
    }

    /// `x * inv mod m == 1`, through the wide product and Horner reduction.
    fn is_inverse(x: &[u64], inv: &[u64], m: &[u64]) -> bool {
        let p = mul_wide(x, inv);
        let pb: Vec<u8> = p.iter().rev().flat_map(|l| l.to_be_bytes()).collect();
        let mut one = vec![0u64; m.len()];
        one[0] = 1;
        Modulus::new(m).unwrap().reduce_be_bytes(&pb) == one
    }

    fn mod_small(x: &[u64], p: u64) -> u64 {
        x.iter()
            .rev()
            .fold(0u128, |r, &l| ((r << 64) | u128::from(l)) % u128::from(p)) as u64
    }

    #[test]
    fn safegcd_inverse_random_and_edges() {
        use rand_chacha::rand_core::{RngCore, SeedableRng};
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(62);
        // Single limb against u128 arithmetic, including m = 3 and m = 2^64 - 1.
        for m in [3u64, 5, 0xffff_ffff_ffff_ffff, 0x8000_0000_0000_0001] {
            for x in [1u64, 2, m - 1, m / 2] {
                let inv = ct_inverse(&[x], &[m]).unwrap();
                assert_eq!((u128::from(x) * u128::from(inv[0])) % u128::from(m), 1);
            }
        }
        for len in [1usize, 2, 3, 7, 16, 17, 24, 32, 64] {
            for round in 0..6 {
                let mut m = vec![0u64; len];
                for l in m.iter_mut() {
                    *l = rng.next_u64();
                }
                m[0] |= 1;
                match round {
                    0 => m.fill(u64::MAX),                    // all-ones limbs
                    1 => m[len - 1] = 1 + (m[len - 1] >> 60), // a short top limb
                    _ => m[len - 1] |= 1 << 63,
                }
                let mut x = vec![0u64; len];
                for l in x.iter_mut() {
                    *l = rng.next_u64();
                }
                x[len - 1] &= m[len - 1] >> 1;
                // x random, 1, m - 1, and x = 2 (inverse (m + 1) / 2).
                let mut mm1 = m.clone();
                mm1[0] -= 1;
                let mut one = vec![0u64; len];
                one[0] = 1;
                let mut two = vec![0u64; len];
                two[0] = 2;
                for x in [&x, &one, &mm1, &two] {
                    if bigint::ct_eq_limbs(x, &vec![0; len]) == u64::MAX {
                        continue;
                    }
                    match ct_inverse(x, &m) {
                        Some(inv) => {
                            assert_eq!(bigint::ct_lt_limbs(&inv, &m), u64::MAX);
                            assert!(is_inverse(x, &inv, &m), "len {len} round {round}");
                        }
                        // Only a shared factor may fail (a small one, for random
                        // values, but for negligible probability).
                        None => assert!(
                            (3..1000u64).any(|p| mod_small(x, p) == 0 && mod_small(&m, p) == 0),
                            "len {len} round {round}"
                        ),
                    }
                }
                // m - 1 is its own inverse; 1 too.
                assert_eq!(ct_inverse(&mm1, &m).unwrap(), mm1);
                assert_eq!(ct_inverse(&one, &m).unwrap(), one);
                // Zero and a common factor have none.
                assert!(ct_inverse(&vec![0; len], &m).is_none());
            }
        }
        // A common factor: m = 3 * 5 * 7 * 11 * 13 (+ 2^64, coprime to 21).
        assert!(ct_inverse(&[21, 0], &[15015, 1]).is_some());
        assert!(ct_inverse(&[21, 0], &[15015, 0]).is_none());
        assert!(ct_inverse(&[5, 0], &[15015, 0]).is_none());
    }

    #[test]
    fn miller_rabin() {
        use rand_chacha::rand_core::SeedableRng;
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        // 2^127 - 1 is prime; 2^127 + 1 is divisible by 3.
        assert!(is_probable_prime(&[u64::MAX, u64::MAX >> 1], 10, &mut rng));
        assert!(!is_probable_prime(&[1, 1 << 63], 10, &mut rng));
        // Carmichael 561.
        assert!(!is_probable_prime(&[561], 10, &mut rng));
    }
}
