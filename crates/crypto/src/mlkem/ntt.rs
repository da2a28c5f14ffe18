//! Arithmetic in Z_q, q = 3329, and the number-theoretic transform of FIPS 203
//! §4.3 (Algorithms 9, 10, 11, 12).
//!
//! Coefficients are `i16`. Products are reduced with Montgomery reduction
//! (R = 2^16) and sums with Barrett reduction, both branch-free (shifts and
//! multiplications only), as in the Kyber reference code. The transform's
//! twiddle factors ζ^BitRev7(i) are kept in Montgomery form, so a product with
//! one costs one multiplication and one reduction. On x86-64 with AVX2 the
//! transforms and the base multiplication run in `x86::mlkem_avx2`, which gives
//! the same results bit for bit; the functions here are the portable fallback.

/// The modulus q (FIPS 203 §2.4).
pub(crate) const Q: i16 = 3329;

/// q⁻¹ mod 2^16, as a signed value: -3327.
pub(crate) const QINV: i16 = -3327;

/// 2^32 mod q: multiplying by it in Montgomery form multiplies by R.
pub(crate) const R2: i16 = 1353;

/// The 128 twiddle factors ζ^BitRev7(i) · R mod q, centred in (-q/2, q/2), for
/// ζ = 17 (FIPS 203 §4.3, the table of Appendix A, times R).
pub(crate) const ZETAS: [i16; 128] = zetas();

const fn zetas() -> [i16; 128] {
    let mut out = [0i16; 128];
    let mut i = 0;
    while i < 128 {
        // BitRev7(i)
        let mut r = 0u32;
        let mut b = 0;
        while b < 7 {
            r |= ((i as u32 >> b) & 1) << (6 - b);
            b += 1;
        }
        // 17^r mod q, then times R = 2^16.
        let mut z = 1u32;
        let mut e = 0;
        while e < r {
            z = z * 17 % 3329;
            e += 1;
        }
        let m = (z << 16) % 3329;
        out[i] = if m > 1664 { m as i16 - 3329 } else { m as i16 };
        i += 1;
    }
    out
}

/// a · R⁻¹ mod q for |a| ≤ q · 2^15, in (-q, q).
#[inline(always)]
pub(crate) fn montgomery_reduce(a: i32) -> i16 {
    let t = (a as i16).wrapping_mul(QINV);
    ((a - i32::from(t) * i32::from(Q)) >> 16) as i16
}

/// The representative of a mod q in [-(q-1)/2, (q-1)/2], for any i16 a.
#[inline(always)]
pub(crate) fn barrett_reduce(a: i16) -> i16 {
    // v = round(2^26 / q)
    const V: i32 = ((1 << 26) + 3329 / 2) / 3329;
    let t = ((V * i32::from(a) + (1 << 25)) >> 26) as i16;
    a.wrapping_sub(t.wrapping_mul(Q))
}

/// a · b · R⁻¹ mod q.
#[inline(always)]
pub(crate) fn fqmul(a: i16, b: i16) -> i16 {
    montgomery_reduce(i32::from(a) * i32::from(b))
}

/// a · R mod q: moves a product of two plain values out of Montgomery form.
#[inline(always)]
pub(crate) fn to_mont(a: i16) -> i16 {
    fqmul(a, R2)
}

/// NTT (FIPS 203 Algorithm 9), in place; input coefficients of absolute value
/// below q, output in bit-reversed order, Barrett-reduced.
pub(crate) fn ntt(r: &mut [i16; 256]) {
    #[cfg(target_arch = "x86_64")]
    if crate::x86::mlkem_avx2::ntt(features(), r) {
        return;
    }
    ntt_portable(r)
}

/// The CPU features [`crate::backend::Backend::auto`] allows.
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn features() -> crate::backend::Features {
    crate::backend::Features::for_backend(crate::backend::Backend::auto())
}

/// [`ntt`] in portable code.
pub(crate) fn ntt_portable(r: &mut [i16; 256]) {
    let mut k = 1;
    let mut len = 128;
    while len >= 2 {
        let mut start = 0;
        while start < 256 {
            let zeta = ZETAS[k];
            k += 1;
            for j in start..start + len {
                let t = fqmul(zeta, r[j + len]);
                r[j + len] = r[j] - t;
                r[j] += t;
            }
            start += 2 * len;
        }
        len >>= 1;
    }
    for c in r.iter_mut() {
        *c = barrett_reduce(*c);
    }
}

/// NTT⁻¹ (FIPS 203 Algorithm 10), in place, times R: applied to the output of
/// [`basemul_acc`] (which carries a factor R⁻¹) it gives the plain product.
pub(crate) fn inv_ntt_tomont(r: &mut [i16; 256]) {
    #[cfg(target_arch = "x86_64")]
    if crate::x86::mlkem_avx2::inv_ntt_tomont(features(), r) {
        return;
    }
    inv_ntt_tomont_portable(r)
}

/// [`inv_ntt_tomont`] in portable code.
pub(crate) fn inv_ntt_tomont_portable(r: &mut [i16; 256]) {
    // R^2 / 128 mod q: the 128⁻¹ of Algorithm 10 and the factor R.
    const F: i16 = 1441;
    let mut k = 127;
    let mut len = 2;
    while len <= 128 {
        let mut start = 0;
        while start < 256 {
            let zeta = ZETAS[k];
            k -= 1;
            for j in start..start + len {
                let t = r[j];
                r[j] = barrett_reduce(t + r[j + len]);
                r[j + len] -= t;
                r[j + len] = fqmul(zeta, r[j + len]);
            }
            start += 2 * len;
        }
        len <<= 1;
    }
    for c in r.iter_mut() {
        *c = fqmul(*c, F);
    }
}

/// BaseCaseMultiply (FIPS 203 Algorithm 12) on one pair, with a Montgomery
/// factor R⁻¹ on the result.
#[inline(always)]
fn basemul(a: [i16; 2], b: [i16; 2], zeta: i16) -> [i16; 2] {
    let r0 = fqmul(fqmul(a[1], b[1]), zeta) + fqmul(a[0], b[0]);
    let r1 = fqmul(a[0], b[1]) + fqmul(a[1], b[0]);
    [r0, r1]
}

/// Σ_j â_j ∘ b̂_j (MultiplyNTTs, FIPS 203 Algorithm 11, summed over a vector),
/// times R⁻¹, Barrett-reduced. Inputs must be reduced (|c| < q); at most four
/// terms, so the sums stay below 2^15.
pub(crate) fn basemul_acc(out: &mut [i16; 256], a: &[[i16; 256]], b: &[[i16; 256]]) {
    #[cfg(target_arch = "x86_64")]
    if crate::x86::mlkem_avx2::basemul_acc(features(), out, a, b) {
        return;
    }
    basemul_acc_portable(out, a, b)
}

/// [`basemul_acc`] in portable code.
pub(crate) fn basemul_acc_portable(out: &mut [i16; 256], a: &[[i16; 256]], b: &[[i16; 256]]) {
    out.fill(0);
    for (x, y) in a.iter().zip(b) {
        for i in 0..64 {
            let zeta = ZETAS[64 + i];
            for (off, z) in [(4 * i, zeta), (4 * i + 2, -zeta)] {
                let p = basemul([x[off], x[off + 1]], [y[off], y[off + 1]], z);
                out[off] += p[0];
                out[off + 1] += p[1];
            }
        }
    }
    for c in out.iter_mut() {
        *c = barrett_reduce(*c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modq(a: i64) -> i64 {
        a.rem_euclid(3329)
    }

    #[test]
    fn table_matches_reference() {
        // The first entries of the Kyber reference code's `zetas` table.
        assert_eq!(ZETAS[..8], [-1044, -758, -359, -1517, 1493, 1422, 287, 202]);
        assert_eq!(ZETAS[127], 1628);
    }

    #[test]
    fn reductions() {
        for a in i16::MIN..=i16::MAX {
            let r = barrett_reduce(a);
            assert!((-1664..=1664).contains(&r), "{a} -> {r}");
            assert_eq!(modq(i64::from(r)), modq(i64::from(a)));
        }
        // R⁻¹ mod q = 169.
        for a in (-3329 * 32768..=3329 * 32768).step_by(9973) {
            let r = montgomery_reduce(a);
            assert!(r.abs() < 3329);
            assert_eq!(modq(i64::from(r)), modq(i64::from(a) * 169));
        }
    }

    /// The schoolbook product in Z_q[X]/(X^256 + 1) against NTT, multiply, NTT⁻¹.
    #[test]
    fn ntt_multiplication_is_negacyclic_convolution() {
        let mut a = [0i16; 256];
        let mut b = [0i16; 256];
        for i in 0..256 {
            a[i] = ((i * 37 + 11) % 3329) as i16 - 1664;
            b[i] = ((i * i * 7 + 5) % 3329) as i16 - 1664;
        }
        let mut want = [0i64; 256];
        for i in 0..256 {
            for j in 0..256 {
                let p = i64::from(a[i]) * i64::from(b[j]);
                if i + j < 256 {
                    want[i + j] += p;
                } else {
                    want[i + j - 256] -= p;
                }
            }
        }
        let (mut fa, mut fb) = (a, b);
        ntt(&mut fa);
        ntt(&mut fb);
        let mut c = [0i16; 256];
        basemul_acc(&mut c, &[fa], &[fb]);
        inv_ntt_tomont(&mut c);
        for i in 0..256 {
            assert_eq!(modq(i64::from(c[i])), modq(want[i]), "coefficient {i}");
        }
        // And NTT⁻¹(NTT(a)) = a · R, undone with one Montgomery reduction.
        let mut back = fa;
        inv_ntt_tomont(&mut back);
        for i in 0..256 {
            assert_eq!(
                modq(i64::from(montgomery_reduce(i32::from(back[i])))),
                modq(i64::from(a[i]))
            );
        }
    }
}
