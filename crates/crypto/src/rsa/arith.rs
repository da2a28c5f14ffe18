//! The integer arithmetic RSA needs beyond Montgomery exponentiation: wide
//! products, a constant-time modular inverse, exact division by the public
//! exponent, and Miller-Rabin. All loops are shaped by lengths only.

use alloc::vec;
use alloc::vec::Vec;
use rand_core::{CryptoRng, RngCore};

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

/// `u = u / 2 mod m` for odd `m` and `u < m`: add m when u is odd, then halve.
fn halve_mod(u: &mut [u64], m: &[u64]) {
    let odd = mask(u[0] & 1);
    let mut c = 0;
    for (x, y) in u.iter_mut().zip(m) {
        (*x, c) = bigint::adc(*x, y & odd, c);
    }
    shr1(u);
    let top = u.len() - 1;
    u[top] |= c << 63;
}

/// `a^-1 mod m` for odd `m` and `a < m`, or `None` when gcd(a, m) != 1.
///
/// The binary extended GCD with every step done by masks, for a fixed
/// `2 * 64 * len` iterations (each one removes at least one bit from `a` or `b`):
/// invariants `a = u * x` and `b = v * x` (mod m).
pub(crate) fn ct_inverse(x: &[u64], m: &[u64]) -> Option<Vec<u64>> {
    let len = m.len();
    let mut a = x.to_vec();
    let mut b = m.to_vec();
    let mut u = vec![0u64; len];
    u[0] = 1;
    let mut v = vec![0u64; len];
    let mut t = vec![0u64; len];
    for _ in 0..128 * len {
        let odd = mask(a[0] & 1);
        let swap = odd & bigint::ct_lt_limbs(&a, &b);
        bigint::ct_swap(&mut a, &mut b, swap);
        bigint::ct_swap(&mut u, &mut v, swap);
        // if odd: a -= b, u -= v (mod m).
        t.copy_from_slice(&a);
        bigint::sub_assign(&mut t, &b);
        bigint::ct_assign(&mut a, &t, odd);
        t.copy_from_slice(&u);
        bigint::mod_sub(&mut t, &v, m);
        bigint::ct_assign(&mut u, &t, odd);
        shr1(&mut a);
        halve_mod(&mut u, m);
    }
    let mut one = vec![0u64; len];
    one[0] = 1;
    (bigint::ct_eq_limbs(&b, &one) == u64::MAX).then_some(v)
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
