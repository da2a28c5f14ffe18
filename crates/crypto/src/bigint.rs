//! Constant-time fixed-width big integers: little-endian `u64` limbs, Montgomery
//! multiplication (CIOS) and fixed-window exponentiation.
//!
//! Every function here takes time that depends only on the *lengths* of its inputs
//! (which are public: key sizes), never on their values: carries are propagated
//! arithmetically, the final Montgomery subtraction is a masked select, and the
//! exponentiation window is read out of the table by scanning every entry
//! ([`select_from_table`]) rather than by indexing with secret bits.

/// The largest modulus, in limbs, the Montgomery code takes (8192 bits).
pub(crate) const MAX_LIMBS: usize = 128;

/// `a + b + carry`, returning (sum, carry out); carry is 0 or 1.
#[inline(always)]
pub(crate) fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = u128::from(a) + u128::from(b) + u128::from(carry);
    (t as u64, (t >> 64) as u64)
}

/// `a - b - borrow`, returning (difference, borrow out); borrow is 0 or 1.
#[inline(always)]
pub(crate) fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = u128::from(a)
        .wrapping_sub(u128::from(b))
        .wrapping_sub(u128::from(borrow));
    (t as u64, (t >> 127) as u64)
}

/// `acc + a * b + carry`, returning (low, high).
#[inline(always)]
pub(crate) fn mac(acc: u64, a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = u128::from(acc) + u128::from(a) * u128::from(b) + u128::from(carry);
    (t as u64, (t >> 64) as u64)
}

/// All ones when `bit` (0 or 1) is 1, else zero.
///
/// The value passes through `black_box`: without that barrier LLVM recognises
/// `x ^= (x ^ y) & mask` as "if bit { x = y }" and may compile it to a branch,
/// which the dudect case `crypto.ecdsa.timing-signing-scalar` caught in release
/// builds (|t| near 190 before this barrier).
#[inline(always)]
pub(crate) fn mask(bit: u64) -> u64 {
    core::hint::black_box(0u64.wrapping_sub(bit))
}

/// `dst = if mask == !0 { src } else { dst }`, in constant time.
#[inline(always)]
pub(crate) fn ct_assign(dst: &mut [u64], src: &[u64], mask: u64) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d ^= (*d ^ *s) & mask;
    }
}

/// All ones when `a == b` (as integers of equal length), else zero.
#[inline]
pub(crate) fn ct_eq_limbs(a: &[u64], b: &[u64]) -> u64 {
    let mut d = 0u64;
    for (x, y) in a.iter().zip(b) {
        d |= x ^ y;
    }
    // (d | -d) has its top bit set exactly when d != 0.
    mask(((d | d.wrapping_neg()) >> 63) ^ 1)
}

/// All ones when `a < b` (equal lengths), else zero.
#[inline]
pub(crate) fn ct_lt_limbs(a: &[u64], b: &[u64]) -> u64 {
    let mut borrow = 0;
    for (x, y) in a.iter().zip(b) {
        borrow = sbb(*x, *y, borrow).1;
    }
    mask(borrow)
}

/// `a += b`, returning the carry out.
#[inline]
pub(crate) fn add_assign(a: &mut [u64], b: &[u64]) -> u64 {
    let mut carry = 0;
    for (x, y) in a.iter_mut().zip(b) {
        (*x, carry) = adc(*x, *y, carry);
    }
    carry
}

/// `a -= b`, returning the borrow out.
#[inline]
pub(crate) fn sub_assign(a: &mut [u64], b: &[u64]) -> u64 {
    let mut borrow = 0;
    for (x, y) in a.iter_mut().zip(b) {
        (*x, borrow) = sbb(*x, *y, borrow);
    }
    borrow
}

/// Reads table entry `index` (each entry `width` limbs) into `out` by touching every
/// entry and keeping the matching one with a mask: no memory access depends on `index`.
#[inline]
///
/// The masks of up to 64 entries are computed first and pass through one
/// `black_box` together (LLVM must then treat them as arbitrary words, so `e & m`
/// stays an AND): one barrier per scan instead of one per entry.
pub(crate) fn select_from_table(out: &mut [u64], table: &[u64], width: usize, index: u64) {
    out.fill(0);
    let mut masks = [0u64; 64];
    for (start, chunk) in table.chunks(64 * width).enumerate() {
        let n = chunk.len() / width;
        for (i, m) in masks[..n].iter_mut().enumerate() {
            let d = ((64 * start + i) as u64) ^ index;
            *m = 0u64.wrapping_sub(((d | d.wrapping_neg()) >> 63) ^ 1);
        }
        let masks = core::hint::black_box(&mut masks);
        for (entry, m) in chunk.chunks_exact(width).zip(masks.iter()) {
            for (o, e) in out.iter_mut().zip(entry) {
                *o |= e & m;
            }
        }
    }
}

/// Big-endian bytes to limbs, left-padding with zeros. `bytes` must fit in `out`.
pub(crate) fn from_be_bytes(out: &mut [u64], bytes: &[u8]) {
    debug_assert!(bytes.len() <= out.len() * 8);
    out.fill(0);
    for (i, b) in bytes.iter().rev().enumerate() {
        out[i / 8] |= u64::from(*b) << (8 * (i % 8));
    }
}

/// Limbs to big-endian bytes, filling all of `out` (which must hold the value).
pub(crate) fn to_be_bytes(limbs: &[u64], out: &mut [u8]) {
    let n = out.len();
    for (i, o) in out.iter_mut().enumerate() {
        let j = n - 1 - i;
        *o = limbs.get(j / 8).map_or(0, |l| (l >> (8 * (j % 8))) as u8);
    }
}

/// `-n^{-1} mod 2^64` for odd `n0`, by Newton's iteration (each step doubles the
/// number of correct bits; no data-dependent branch).
pub(crate) const fn neg_inv_u64(n0: u64) -> u64 {
    let mut inv = 1u64; // correct to 1 bit, since n0 is odd
    let mut i = 0;
    while i < 6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(n0.wrapping_mul(inv)));
        i += 1;
    }
    inv.wrapping_neg()
}

/// Montgomery product `out = a * b / 2^(64 len) mod n`, for `a < 2^(64 len)` and
/// `b < n` (so the result, before its final subtraction, is below `2n`).
///
/// Coarsely integrated operand scanning (Koç, Acar, Kaliski 1996); the final
/// subtraction is always computed and kept by mask.
#[inline(always)]
pub(crate) fn mont_mul(out: &mut [u64], a: &[u64], b: &[u64], n: &[u64], n0: u64) {
    let len = n.len();
    debug_assert!(len <= MAX_LIMBS && a.len() == len && b.len() == len && out.len() == len);
    let mut t = [0u64; MAX_LIMBS + 2];
    let t = &mut t[..len + 2];
    for &bi in b {
        let mut c = 0;
        for j in 0..len {
            (t[j], c) = mac(t[j], a[j], bi, c);
        }
        let (s, c2) = adc(t[len], c, 0);
        t[len] = s;
        t[len + 1] = c2;
        let m = t[0].wrapping_mul(n0);
        let (_, mut c) = mac(t[0], m, n[0], 0);
        for j in 1..len {
            (t[j - 1], c) = mac(t[j], m, n[j], c);
        }
        let (s, c3) = adc(t[len], c, 0);
        t[len - 1] = s;
        t[len] = t[len + 1] + c3;
    }
    // t = t[len] * 2^(64 len) + t[..len] < 2n: subtract n unless that borrows.
    let mut borrow = 0;
    for j in 0..len {
        (out[j], borrow) = sbb(t[j], n[j], borrow);
    }
    let (_, under) = sbb(t[len], 0, borrow);
    ct_assign(out, &t[..len], mask(under));
}

/// [`mont_mul`] with the limb count fixed at compile time: the same CIOS loop,
/// with the two top words of the accumulator held apart from the array. LLVM
/// unrolls it completely for 16 limbs, where it beats product scanning.
#[inline(always)]
fn mont_mul_cios<const N: usize>(
    out: &mut [u64; N],
    a: &[u64; N],
    b: &[u64; N],
    n: &[u64; N],
    n0: u64,
) {
    let mut t = [0u64; N];
    let mut hi = 0u64;
    for &bi in b {
        let mut c = 0;
        for j in 0..N {
            (t[j], c) = mac(t[j], a[j], bi, c);
        }
        let (s, hi2) = adc(hi, c, 0);
        let m = t[0].wrapping_mul(n0);
        let (_, mut c) = mac(t[0], m, n[0], 0);
        for j in 1..N {
            (t[j - 1], c) = mac(t[j], m, n[j], c);
        }
        let (s2, c3) = adc(s, c, 0);
        t[N - 1] = s2;
        hi = hi2 + c3;
    }
    final_sub(out, &t, hi, n);
}

/// `lo + hi 2^128 += p`: the three-word column accumulator of product scanning.
#[inline(always)]
fn acc_add(lo: &mut u128, hi: &mut u64, p: u128) {
    let (s, c) = lo.overflowing_add(p);
    *lo = s;
    *hi += u64::from(c);
}

#[inline(always)]
fn wide_mul(a: u64, b: u64) -> u128 {
    u128::from(a) * u128::from(b)
}

/// `out = t - n` unless that borrows beyond the extra top word `top`, else `t`
/// (masked: the final subtraction of Montgomery multiplication, for `t < 2n`).
#[inline(always)]
fn final_sub<const N: usize>(out: &mut [u64; N], t: &[u64; N], top: u64, n: &[u64; N]) {
    let mut borrow = 0;
    for j in 0..N {
        (out[j], borrow) = sbb(t[j], n[j], borrow);
    }
    let (_, under) = sbb(top, 0, borrow);
    ct_assign(out, t, mask(under));
}

/// Montgomery product `a * b / 2^(64 N) mod n` for `a < 2^(64 N)`, `b < n`, by
/// finely integrated product scanning ("FIPS", Koç, Acar and Kaliski, "Analyzing
/// and comparing Montgomery multiplication algorithms", IEEE Micro 1996): column
/// by column into a three-word accumulator held in registers, so the partial
/// product never goes through memory. The same multiplications as CIOS; faster
/// from 24 limbs on, where LLVM no longer unrolls CIOS.
#[inline(always)]
fn mont_mul_ps<const N: usize>(
    out: &mut [u64; N],
    a: &[u64; N],
    b: &[u64; N],
    n: &[u64; N],
    n0: u64,
) {
    let mut m = [0u64; N];
    let mut t = [0u64; N];
    let (mut lo, mut hi) = (0u128, 0u64);
    for i in 0..2 * N {
        if i < N {
            // Column i: a_j b_(i-j) and m_j n_(i-j) for j < i, then a_i b_0, and
            // m_i chosen to clear the low word.
            for (((aj, bij), mj), nij) in a[..i]
                .iter()
                .zip(b[1..=i].iter().rev())
                .zip(&m[..i])
                .zip(n[1..=i].iter().rev())
            {
                acc_add(&mut lo, &mut hi, wide_mul(*aj, *bij));
                acc_add(&mut lo, &mut hi, wide_mul(*mj, *nij));
            }
            acc_add(&mut lo, &mut hi, wide_mul(a[i], b[0]));
            let mi = (lo as u64).wrapping_mul(n0);
            m[i] = mi;
            acc_add(&mut lo, &mut hi, wide_mul(mi, n[0]));
        } else {
            let k = i + 1 - N;
            for (((aj, bij), mj), nij) in a[k..]
                .iter()
                .zip(b[k..].iter().rev())
                .zip(&m[k..])
                .zip(n[k..].iter().rev())
            {
                acc_add(&mut lo, &mut hi, wide_mul(*aj, *bij));
                acc_add(&mut lo, &mut hi, wide_mul(*mj, *nij));
            }
            t[i - N] = lo as u64;
        }
        // Down one word.
        lo = (lo >> 64) | (u128::from(hi) << 64);
        hi = 0;
    }
    // The result is t + lo 2^(64 N) < 2n.
    final_sub(out, &t, lo as u64, n);
}

/// The Montgomery product for an `N`-limb modulus: CIOS up to 16 limbs, product
/// scanning above (the faster of the two at each size, measured).
#[inline(always)]
fn mont_mul_fixed<const N: usize>(
    out: &mut [u64; N],
    a: &[u64; N],
    b: &[u64; N],
    n: &[u64; N],
    n0: u64,
) {
    if N <= 16 {
        mont_mul_cios(out, a, b, n, n0);
    } else {
        mont_mul_ps(out, a, b, n, n0);
    }
}

/// `a = a + b mod n` for `a, b < n`.
#[inline]
pub(crate) fn mod_add(a: &mut [u64], b: &[u64], n: &[u64]) {
    let len = n.len();
    let carry = add_assign(a, b);
    let mut s = [0u64; MAX_LIMBS];
    let s = &mut s[..len];
    s.copy_from_slice(a);
    let borrow = sub_assign(s, n);
    // Keep a - n unless it borrowed beyond the carry.
    let (_, under) = sbb(carry, 0, borrow);
    ct_assign(a, s, mask(under ^ 1));
}

/// `a = a - b mod n` for `a, b < n`.
#[inline]
pub(crate) fn mod_sub(a: &mut [u64], b: &[u64], n: &[u64]) {
    let len = n.len();
    let borrow = sub_assign(a, b);
    let mut s = [0u64; MAX_LIMBS];
    let s = &mut s[..len];
    for (x, y) in s.iter_mut().zip(n) {
        *x = y & mask(borrow);
    }
    add_assign(a, s);
}

/// A slice of a fixed-size length as an array (the callers pass `N` limbs).
#[inline(always)]
fn arr<const N: usize>(x: &[u64]) -> &[u64; N] {
    x.try_into().expect("N limbs")
}

#[inline(always)]
fn arr_mut<const N: usize>(x: &mut [u64]) -> &mut [u64; N] {
    x.try_into().expect("N limbs")
}

/// The integer 1 in `N` limbs.
#[inline(always)]
fn unit<const N: usize>() -> [u64; N] {
    let mut one = [0u64; N];
    one[0] = 1;
    one
}

/// An odd modulus with its Montgomery constants. The modulus itself may be secret
/// (an RSA prime): everything is computed in time that depends on its length only
/// (and, in [`Modulus::new`], on whether its top limb is zero, which is how the
/// caller sized it: the keys store their moduli and primes without a zero limb).
#[derive(Clone)]
pub(crate) struct Modulus {
    pub(crate) n: alloc::vec::Vec<u64>,
    pub(crate) n0: u64,
    /// `R^2 mod n`, with `R = 2^(64 len)`.
    pub(crate) rr: alloc::vec::Vec<u64>,
}

impl Drop for Modulus {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.n);
        zeroize::Zeroize::zeroize(&mut self.rr);
    }
}

impl Modulus {
    /// Takes an odd modulus above 1 given as limbs (its top limb may be zero only if
    /// the caller wants a wider representation). `None` for an even modulus.
    pub(crate) fn new(n: &[u64]) -> Option<Modulus> {
        #[cfg(test)]
        tests::MODULI_BUILT.with(|c| c.set(c.get() + 1));
        let len = n.len();
        if len == 0 || len > MAX_LIMBS || n[0] & 1 == 0 {
            return None;
        }
        let n0 = neg_inv_u64(n[0]);
        let rr = if n[len - 1] != 0 {
            rr_top_limb_set(n, n0)
        } else {
            rr_by_doubling(n, n0)
        };
        Some(Modulus {
            n: n.to_vec(),
            n0,
            rr,
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.n.len()
    }

    /// `out = a * b * R^-1 mod n` (the fixed-size loops for RSA's sizes).
    #[inline]
    pub(crate) fn mul(&self, out: &mut [u64], a: &[u64], b: &[u64]) {
        fn fixed<const N: usize>(out: &mut [u64], a: &[u64], b: &[u64], n: &[u64], n0: u64) {
            let mut o = [0u64; N];
            mont_mul_fixed(&mut o, arr(a), arr(b), arr(n), n0);
            out.copy_from_slice(&o);
        }
        match self.len() {
            16 => fixed::<16>(out, a, b, &self.n, self.n0),
            24 => fixed::<24>(out, a, b, &self.n, self.n0),
            32 => fixed::<32>(out, a, b, &self.n, self.n0),
            48 => fixed::<48>(out, a, b, &self.n, self.n0),
            64 => fixed::<64>(out, a, b, &self.n, self.n0),
            _ => mont_mul(out, a, b, &self.n, self.n0),
        }
    }

    /// `a * R mod n` for any `a < R`.
    pub(crate) fn to_mont(&self, a: &[u64]) -> alloc::vec::Vec<u64> {
        let mut out = alloc::vec![0u64; self.len()];
        self.mul(&mut out, a, &self.rr);
        out
    }

    /// `a * R^-1 mod n` (leaves the Montgomery domain; also reduces any `a < R`
    /// when applied after [`Modulus::to_mont`]).
    pub(crate) fn leave_mont(&self, a: &[u64]) -> alloc::vec::Vec<u64> {
        let mut one = alloc::vec![0u64; self.len()];
        one[0] = 1;
        let mut out = alloc::vec![0u64; self.len()];
        self.mul(&mut out, a, &one);
        out
    }

    /// `x mod n` for a big-endian `x` of any length, in time depending on lengths only:
    /// Horner's rule over limb-sized chunks, `acc = acc * 2^(64 len) + chunk`.
    pub(crate) fn reduce_be_bytes(&self, x: &[u8]) -> alloc::vec::Vec<u64> {
        let len = self.len();
        let chunk = 8 * len;
        let mut acc = alloc::vec![0u64; len];
        let mut tmp = alloc::vec![0u64; len];
        let first = x.len() % chunk;
        let mut pieces: alloc::vec::Vec<&[u8]> = alloc::vec::Vec::new();
        if first != 0 {
            pieces.push(&x[..first]);
        }
        pieces.extend(x[first..].chunks(chunk));
        for piece in pieces {
            // acc * R mod n: Montgomery product with R^2.
            self.mul(&mut tmp, &acc, &self.rr);
            let mut c = alloc::vec![0u64; len];
            from_be_bytes(&mut c, piece);
            // c mod n = from_mont(to_mont(c)), valid for any c < R.
            let c = self.leave_mont(&self.to_mont(&c));
            mod_add(&mut tmp, &c, &self.n);
            acc.copy_from_slice(&tmp);
        }
        acc
    }

    /// `base^e mod n` for a *public* exponent and `base < n` (left-to-right square
    /// and multiply; the exponent's bits shape the loop, the base's never do).
    pub(crate) fn pow_public(&self, base: &[u64], e: &[u64]) -> alloc::vec::Vec<u64> {
        self.pow_public_with(crate::backend::Backend::auto(), base, e)
    }

    /// [`Modulus::pow_public`] on a given backend: with [`crate::Backend::Native`]
    /// and AVX-512 IFMA, a 32-limb modulus (RSA-2048's) takes the radix-2^52 path
    /// (`x86::mont_ifma`); every other case the portable loops.
    pub(crate) fn pow_public_with(
        &self,
        backend: crate::backend::Backend,
        base: &[u64],
        e: &[u64],
    ) -> alloc::vec::Vec<u64> {
        #[cfg(target_arch = "x86_64")]
        if self.len() == 32 {
            let f = crate::backend::Features::for_backend(backend);
            let out = crate::x86::mont_ifma::pow_public_2048(
                f,
                arr(&self.n),
                self.n0,
                arr(&self.rr),
                arr(base),
                e,
            );
            if let Some(o) = out {
                return o.to_vec();
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = backend;
        match self.len() {
            16 => self.pow_public_fixed::<16>(base, e),
            24 => self.pow_public_fixed::<24>(base, e),
            32 => self.pow_public_fixed::<32>(base, e),
            48 => self.pow_public_fixed::<48>(base, e),
            64 => self.pow_public_fixed::<64>(base, e),
            _ => self.pow_public_generic(base, e),
        }
    }

    /// [`Modulus::pow_public`] for an `N`-limb modulus, on the stack.
    fn pow_public_fixed<const N: usize>(&self, base: &[u64], e: &[u64]) -> alloc::vec::Vec<u64> {
        let n: &[u64; N] = arr(&self.n);
        let mut bm = [0u64; N];
        mont_mul_fixed(&mut bm, arr(base), arr(&self.rr), n, self.n0);
        let bits = e
            .iter()
            .rposition(|&l| l != 0)
            .map_or(0, |i| 64 * i + 64 - e[i].leading_zeros() as usize);
        let mut acc = [0u64; N];
        if bits == 0 {
            // base^0: R^2 R^-1 = R mod n, the Montgomery form of 1.
            mont_mul_fixed(&mut acc, arr(&self.rr), &unit::<N>(), n, self.n0);
        } else {
            // The top bit is set: start from the base itself.
            acc = bm;
            let mut tmp = [0u64; N];
            for i in (0..bits - 1).rev() {
                mont_mul_fixed(&mut tmp, &acc, &acc, n, self.n0);
                if (e[i / 64] >> (i % 64)) & 1 == 1 {
                    mont_mul_fixed(&mut acc, &tmp, &bm, n, self.n0);
                } else {
                    acc = tmp;
                }
            }
        }
        let mut out = alloc::vec![0u64; N];
        mont_mul_fixed(arr_mut(&mut out), &acc, &unit::<N>(), n, self.n0);
        out
    }

    /// [`Modulus::pow_public`] for any length.
    fn pow_public_generic(&self, base: &[u64], e: &[u64]) -> alloc::vec::Vec<u64> {
        let len = self.len();
        let bm = self.to_mont(base);
        let mut acc = self.leave_mont(&self.rr);
        let mut tmp = alloc::vec![0u64; len];
        let bits = e
            .iter()
            .rposition(|&l| l != 0)
            .map_or(0, |i| 64 * i + 64 - e[i].leading_zeros() as usize);
        for i in (0..bits).rev() {
            self.mul(&mut tmp, &acc, &acc);
            acc.copy_from_slice(&tmp);
            if (e[i / 64] >> (i % 64)) & 1 == 1 {
                self.mul(&mut tmp, &acc, &bm);
                acc.copy_from_slice(&tmp);
            }
        }
        self.leave_mont(&acc)
    }

    /// `base^exp mod n` (normal domain in and out, `base < n`), for an exponent of
    /// `exp_bits` bits (public: its length, never its value, shapes the loop).
    ///
    /// Fixed 5-bit windows: 5 squarings then one multiplication by a table entry read
    /// with [`select_from_table`], for every window, whatever its bits.
    pub(crate) fn pow(&self, base: &[u64], exp: &[u64], exp_bits: usize) -> alloc::vec::Vec<u64> {
        self.pow_with(crate::backend::Backend::auto(), base, exp, exp_bits)
    }

    /// [`Modulus::pow`] on a given backend: with [`crate::Backend::Native`] and AVX2,
    /// 16-limb moduli (the RSA-2048 CRT halves) take the AVX2 redundant-radix path
    /// (`x86::mont_avx2`); every other case runs the portable loops.
    pub(crate) fn pow_with(
        &self,
        backend: crate::backend::Backend,
        base: &[u64],
        exp: &[u64],
        exp_bits: usize,
    ) -> alloc::vec::Vec<u64> {
        #[cfg(target_arch = "x86_64")]
        if self.len() == 16 {
            let f = crate::backend::Features::for_backend(backend);
            if f.avx2() {
                if let Some(out) = self.pow16_avx2(f, base, exp, exp_bits) {
                    return out;
                }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = backend;
        // The RSA sizes get a copy of the loop with the limb count fixed at compile
        // time (unrolled, no bounds checks); the arithmetic is the same.
        match self.len() {
            16 => self.pow_fixed::<16>(base, exp, exp_bits),
            24 => self.pow_fixed::<24>(base, exp, exp_bits),
            32 => self.pow_fixed::<32>(base, exp, exp_bits),
            48 => self.pow_fixed::<48>(base, exp, exp_bits),
            64 => self.pow_fixed::<64>(base, exp, exp_bits),
            _ => self.pow_generic(base, exp, exp_bits),
        }
    }

    /// The AVX2 exponentiation for a 16-limb modulus. Its Montgomery radix is
    /// `2^1120` (40 digits of 28 bits): the scalar code supplies `2^1120 mod n` and
    /// `base 2^1120 mod n`, and the vector code returns `base^exp mod n`.
    #[cfg(target_arch = "x86_64")]
    fn pow16_avx2(
        &self,
        f: crate::backend::Features,
        base: &[u64],
        exp: &[u64],
        exp_bits: usize,
    ) -> Option<alloc::vec::Vec<u64>> {
        let n: &[u64; 16] = arr(&self.n);
        // 2^96 < 2^1024 = R64 is a valid operand: (2^2048 mod n) 2^96 / 2^1024.
        let mut two96 = [0u64; 16];
        two96[1] = 1 << 32;
        let mut one = [0u64; 16];
        mont_mul_fixed(&mut one, arr(&self.rr), &two96, n, self.n0);
        let mut bm = [0u64; 16];
        mont_mul_fixed(&mut bm, arr(base), arr(&self.rr), n, self.n0);
        let mut br = [0u64; 16];
        mont_mul_fixed(&mut br, &bm, &one, n, self.n0);
        let out = crate::x86::mont_avx2::pow1024(f, n, self.n0, &one, &br, exp, exp_bits);
        zeroize::Zeroize::zeroize(&mut one);
        zeroize::Zeroize::zeroize(&mut bm);
        zeroize::Zeroize::zeroize(&mut br);
        out.map(|mut o| {
            let v = o.to_vec();
            zeroize::Zeroize::zeroize(&mut o);
            v
        })
    }

    /// `(a^ea mod self, b^eb mod other)`: [`Modulus::pow_with`] for two moduli at
    /// once (the RSA CRT halves). With [`crate::Backend::Native`], AVX-512 IFMA and
    /// two 16-limb moduli, both exponentiations run interleaved in radix 2^52
    /// (`x86::mont_ifma`); otherwise one after the other.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn pow_pair_with<'a>(
        &'a self,
        backend: crate::backend::Backend,
        a: &'a [u64],
        ea: &'a [u64],
        bits_a: usize,
        other: &'a Modulus,
        b: &'a [u64],
        eb: &'a [u64],
        bits_b: usize,
    ) -> (alloc::vec::Vec<u64>, alloc::vec::Vec<u64>) {
        #[cfg(target_arch = "x86_64")]
        if self.len() == 16 && other.len() == 16 {
            use crate::x86::mont_ifma::{pow_pair, PowInput};
            let f = crate::backend::Features::for_backend(backend);
            if crate::x86::mont_ifma::available(f) {
                let input = |m: &'a Modulus, base: &'a [u64], exp: &'a [u64], exp_bits| PowInput {
                    n: arr(&m.n),
                    n0: m.n0,
                    rr: arr(&m.rr),
                    base: arr(base),
                    exp,
                    exp_bits,
                };
                let (x, y) = (input(self, a, ea, bits_a), input(other, b, eb, bits_b));
                if let Some(mut o) = pow_pair(f, &x, &y) {
                    let r = (o[0].to_vec(), o[1].to_vec());
                    zeroize::Zeroize::zeroize(&mut o[0]);
                    zeroize::Zeroize::zeroize(&mut o[1]);
                    return r;
                }
            }
        }
        (
            self.pow_with(backend, a, ea, bits_a),
            other.pow_with(backend, b, eb, bits_b),
        )
    }

    /// [`Modulus::pow`] for an `N`-limb modulus.
    fn pow_fixed<const N: usize>(
        &self,
        base: &[u64],
        exp: &[u64],
        exp_bits: usize,
    ) -> alloc::vec::Vec<u64> {
        const W: usize = 5;
        let n: &[u64; N] = arr(&self.n);
        let mul = |a: &[u64; N], b: &[u64; N]| -> [u64; N] {
            let mut out = [0u64; N];
            mont_mul_fixed(&mut out, a, b, n, self.n0);
            out
        };
        let one: [u64; N] = self.leave_mont(&self.rr)[..].try_into().expect("N limbs");
        let bm: [u64; N] = self.to_mont(base)[..].try_into().expect("N limbs");
        let mut table = alloc::vec![[0u64; N]; 1 << W];
        table[0] = one;
        table[1] = bm;
        for i in 2..(1 << W) {
            table[i] = mul(&table[i - 1], &bm);
        }
        let mut acc = one;
        let mut entry = [0u64; N];
        for w in (0..exp_bits.div_ceil(W)).rev() {
            for _ in 0..W {
                acc = mul(&acc, &acc);
            }
            let mut idx = 0u64;
            for k in 0..W {
                let b = w * W + k;
                idx |= exp.get(b / 64).map_or(0, |l| (l >> (b % 64)) & 1) << k;
            }
            entry.fill(0);
            for (i, row) in table.iter().enumerate() {
                let d = (i as u64) ^ idx;
                let m = mask(((d | d.wrapping_neg()) >> 63) ^ 1);
                for (o, e) in entry.iter_mut().zip(row) {
                    *o |= e & m;
                }
            }
            acc = mul(&acc, &entry);
        }
        let out = self.leave_mont(&acc);
        zeroize::Zeroize::zeroize(&mut table);
        zeroize::Zeroize::zeroize(&mut acc);
        zeroize::Zeroize::zeroize(&mut entry);
        out
    }

    /// [`Modulus::pow`] for any length.
    fn pow_generic(&self, base: &[u64], exp: &[u64], exp_bits: usize) -> alloc::vec::Vec<u64> {
        const W: usize = 5;
        let len = self.len();
        let mut table = alloc::vec![0u64; len << W];
        // table[0] = R mod n (Montgomery one), table[1] = base * R, table[i] = base^i * R.
        let one = self.leave_mont(&self.rr); // R^2 * R^-1 = R mod n
        table[..len].copy_from_slice(&one);
        let bm = self.to_mont(base);
        table[len..2 * len].copy_from_slice(&bm);
        for i in 2..(1 << W) {
            let (done, rest) = table.split_at_mut(i * len);
            mont_mul(
                &mut rest[..len],
                &done[(i - 1) * len..],
                &bm,
                &self.n,
                self.n0,
            );
        }
        let mut acc = one;
        let mut tmp = alloc::vec![0u64; len];
        let mut entry = alloc::vec![0u64; len];
        let windows = exp_bits.div_ceil(W);
        for w in (0..windows).rev() {
            for _ in 0..W {
                self.mul(&mut tmp, &acc, &acc);
                acc.copy_from_slice(&tmp);
            }
            let bit0 = w * W;
            let mut idx = 0u64;
            for k in 0..W {
                let b = bit0 + k;
                let bit = exp.get(b / 64).map_or(0, |l| (l >> (b % 64)) & 1);
                idx |= bit << k;
            }
            select_from_table(&mut entry, &table, len, idx);
            self.mul(&mut tmp, &acc, &entry);
            acc.copy_from_slice(&tmp);
        }
        let out = self.leave_mont(&acc);
        zeroize::Zeroize::zeroize(&mut table);
        zeroize::Zeroize::zeroize(&mut acc);
        out
    }
}

/// `t mod n` for `t < 2 n` given as `N` or more limbs (the limbs above `N` ORed
/// into one word): one masked subtraction. The vector Montgomery paths' way out.
#[cfg(target_arch = "x86_64")]
pub(crate) fn sub_once<const N: usize>(t: &[u64], n: &[u64; N]) -> [u64; N] {
    let mut out = [0u64; N];
    let mut borrow = 0;
    for j in 0..N {
        (out[j], borrow) = sbb(t[j], n[j], borrow);
    }
    let high = t[N..].iter().fold(0, |a, &w| a | w);
    let (_, under) = sbb(high, 0, borrow);
    ct_assign(&mut out, &t[..N], mask(under));
    out
}

/// `R^2 mod n` (`R = 2^(64 len)`) for an odd `n` whose top limb is not zero (every
/// RSA modulus and prime as the keys store them), in time that depends on `len`
/// only: `x = 2^(64 (len - 1)) < n` doubled 128 times with a masked subtraction
/// each is `2^(64 len + 64) mod n`, the Montgomery form of 2^64; raised to the
/// public power `len` by Montgomery squarings and multiplications it is the
/// Montgomery form of `2^(64 len) = R`, that is `R^2 mod n`. 128 doublings and
/// about `log2(len)` products, where [`rr_by_doubling`] takes `64 len + 1`
/// doublings (4097 for RSA-2048's n, the bulk of building a public key).
///
/// For a 2048-bit modulus (32 limbs, the top bit set: RSA-2048's n) with AVX-512
/// IFMA the powering runs in the radix-2^52
/// code's domain (`R' = 2^2080`): 97 doublings give `2^2081 mod n`, the form of 2,
/// and its 2016th power there is `2^2016 R' = 2^4096 mod n` (`x86::mont_ifma`).
fn rr_top_limb_set(n: &[u64], n0: u64) -> alloc::vec::Vec<u64> {
    let len = n.len();
    #[cfg(target_arch = "x86_64")]
    let ifma = len == 32
        && n[31] >> 63 == 1
        && crate::x86::mont_ifma::available(crate::backend::Features::for_backend(
            crate::backend::Backend::auto(),
        ));
    #[cfg(not(target_arch = "x86_64"))]
    let ifma = false;
    let mut x = alloc::vec![0u64; len];
    x[len - 1] = 1;
    let mut s = [0u64; MAX_LIMBS];
    let s = &mut s[..len];
    // Only n = 1 (len = 1) has x >= n here; one masked subtraction covers it.
    s.copy_from_slice(&x);
    let borrow = sub_assign(s, n);
    ct_assign(&mut x, s, mask(borrow ^ 1));
    for _ in 0..if ifma { 97 } else { 128 } {
        let carry = add_assign_self_double(&mut x);
        s.copy_from_slice(&x);
        let borrow = sub_assign(s, n);
        let (_, under) = sbb(carry, 0, borrow);
        ct_assign(&mut x, s, mask(under ^ 1));
    }
    #[cfg(target_arch = "x86_64")]
    if ifma {
        let f = crate::backend::Features::for_backend(crate::backend::Backend::auto());
        if let Some(rr) = crate::x86::mont_ifma::mont_pow_2048(f, arr(n), n0, arr(&x), 2016) {
            zeroize::Zeroize::zeroize(&mut x);
            zeroize::Zeroize::zeroize(s);
            return rr.to_vec();
        }
    }
    let rr = mont_pow_small(&x, len as u64, n, n0);
    zeroize::Zeroize::zeroize(&mut x);
    zeroize::Zeroize::zeroize(s);
    rr
}

/// `R^2 mod n` for any odd `n` (its top limb may be zero): `2 R mod n` by `64 len +
/// 1` masked doublings of 1, raised to the public power `64 len` in the Montgomery
/// domain.
fn rr_by_doubling(n: &[u64], n0: u64) -> alloc::vec::Vec<u64> {
    let len = n.len();
    let mut x = alloc::vec![0u64; len];
    x[0] = 1;
    let mut s = [0u64; MAX_LIMBS];
    let s = &mut s[..len];
    // Only n = 1 could leave x >= n at the start; one masked subtraction covers it.
    s.copy_from_slice(&x);
    let borrow = sub_assign(s, n);
    ct_assign(&mut x, s, mask(borrow ^ 1));
    for _ in 0..64 * len + 1 {
        let carry = add_assign_self_double(&mut x);
        s.copy_from_slice(&x);
        let borrow = sub_assign(s, n);
        let (_, under) = sbb(carry, 0, borrow);
        ct_assign(&mut x, s, mask(under ^ 1));
    }
    let rr = mont_pow_small(&x, (64 * len) as u64, n, n0);
    zeroize::Zeroize::zeroize(&mut x);
    zeroize::Zeroize::zeroize(s);
    rr
}

/// `base^e` in the Montgomery domain for a public `e >= 1`, left to right; the
/// RSA sizes through the fixed-size product.
fn mont_pow_small(base: &[u64], e: u64, n: &[u64], n0: u64) -> alloc::vec::Vec<u64> {
    fn fixed<const N: usize>(base: &[u64], e: u64, n: &[u64], n0: u64) -> alloc::vec::Vec<u64> {
        let (base, n): (&[u64; N], &[u64; N]) = (arr(base), arr(n));
        let mut acc = *base;
        let mut tmp = [0u64; N];
        for i in (0..63 - e.leading_zeros()).rev() {
            mont_mul_fixed(&mut tmp, &acc, &acc, n, n0);
            acc = tmp;
            if (e >> i) & 1 == 1 {
                mont_mul_fixed(&mut acc, &tmp, base, n, n0);
            }
        }
        zeroize::Zeroize::zeroize(&mut tmp);
        let out = acc.to_vec();
        zeroize::Zeroize::zeroize(&mut acc);
        out
    }
    match n.len() {
        16 => return fixed::<16>(base, e, n, n0),
        24 => return fixed::<24>(base, e, n, n0),
        32 => return fixed::<32>(base, e, n, n0),
        48 => return fixed::<48>(base, e, n, n0),
        64 => return fixed::<64>(base, e, n, n0),
        _ => {}
    }
    let mut acc = base.to_vec();
    let mut tmp = alloc::vec![0u64; n.len()];
    for i in (0..63 - e.leading_zeros()).rev() {
        mont_mul(&mut tmp, &acc, &acc, n, n0);
        acc.copy_from_slice(&tmp);
        if (e >> i) & 1 == 1 {
            mont_mul(&mut tmp, &acc, base, n, n0);
            acc.copy_from_slice(&tmp);
        }
    }
    zeroize::Zeroize::zeroize(&mut tmp);
    acc
}

/// `x = 2x`, returning the bit shifted out.
#[inline]
fn add_assign_self_double(x: &mut [u64]) -> u64 {
    let mut carry = 0;
    for l in x.iter_mut() {
        let top = *l >> 63;
        *l = (*l << 1) | carry;
        carry = top;
    }
    carry
}

#[cfg(test)]
pub(crate) mod tests {
    std::thread_local! {
        /// How many times this thread ran [`super::Modulus::new`]: the RSA tests
        /// check that a loaded key signs and decrypts without building a modulus.
        pub(crate) static MODULI_BUILT: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
    }

    /// `2^(128 len) mod n` by shifting in one bit at a time and subtracting n
    /// (schoolbook, no Montgomery arithmetic): the reference for `rr`.
    fn rr_reference(n: &[u64]) -> Vec<u64> {
        let len = n.len();
        let mut x = vec![0u64; len + 1];
        x[0] = 1;
        let mut wide_n = n.to_vec();
        wide_n.push(0);
        // 2^0 mod n (0 for n = 1), then one doubling per bit.
        for i in 0..=128 * len {
            if i > 0 {
                super::add_assign_self_double(&mut x);
            }
            let mut d = x.clone();
            if super::sub_assign(&mut d, &wide_n) == 0 {
                x = d;
            }
        }
        // x < n < 2^(64 len) at every step, so the extra limb is zero.
        assert_eq!(x[len], 0);
        x.truncate(len);
        x
    }

    /// R^2 mod n from both constructions against the schoolbook reference: small
    /// and RSA sizes, top limbs 1 and all ones, a zero top limb (the doubling
    /// path), n = 1 and n = 2^(64 len) - 1.
    #[test]
    fn montgomery_rr_matches_schoolbook() {
        let mut s = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let mut moduli: Vec<Vec<u64>> = vec![vec![1], vec![3], vec![u64::MAX], vec![u64::MAX; 4]];
        for len in [1usize, 2, 3, 4, 5, 16, 24, 32, 48, 64] {
            for top in [1u64, 2, u64::MAX, 0x8000_0000_0000_0001] {
                let mut n: Vec<u64> = (0..len).map(|_| next()).collect();
                n[0] |= 1;
                n[len - 1] = if len == 1 { top | 1 } else { top };
                moduli.push(n.clone());
                // The same value one limb wider: top limb zero.
                n.push(0);
                moduli.push(n);
            }
        }
        // RSA-2048 moduli (the top bit set): the radix-2^52 path where the CPU
        // has it.
        for _ in 0..16 {
            let mut n: Vec<u64> = (0..32).map(|_| next()).collect();
            n[0] |= 1;
            n[31] |= 1 << 63;
            moduli.push(n);
        }
        for n in &moduli {
            let m = super::Modulus::new(n).unwrap();
            assert_eq!(m.rr, rr_reference(n), "{n:x?}");
            assert_eq!(super::rr_by_doubling(n, m.n0), m.rr, "{n:x?}");
        }
    }
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    /// Schoolbook `a * b mod n` on u128 for single-limb checks.
    fn mulmod(a: u64, b: u64, n: u64) -> u64 {
        ((u128::from(a) * u128::from(b)) % u128::from(n)) as u64
    }

    fn powmod(mut b: u64, mut e: u64, n: u64) -> u64 {
        let mut r = 1 % n;
        b %= n;
        while e > 0 {
            if e & 1 == 1 {
                r = mulmod(r, b, n);
            }
            b = mulmod(b, b, n);
            e >>= 1;
        }
        r
    }

    /// A splitmix64 stream for the property tests.
    fn next(s: &mut u64) -> u64 {
        *s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = *s;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Moduli of `N` limbs (random with the top bit set, all-ones, a short top limb)
    /// and operands (random, 0, 1, n - 1, all-ones limbs below n).
    fn cases<const N: usize>(seed: u64) -> Vec<([u64; N], Vec<[u64; N]>)> {
        let mut s = seed;
        let mut out = Vec::new();
        for kind in 0..4 {
            let mut n = [0u64; N];
            for l in n.iter_mut() {
                *l = next(&mut s);
            }
            match kind {
                0 => n = [u64::MAX; N],
                1 => n[N - 1] = 1 + (n[N - 1] >> 40),
                _ => n[N - 1] |= 1 << 63,
            }
            n[0] |= 1;
            let mut ops = Vec::new();
            let mut nm1 = n;
            nm1[0] -= 1;
            let mut ones = [u64::MAX; N];
            ones[N - 1] = n[N - 1] - 1;
            ops.extend([[0u64; N], unit::<N>(), nm1, ones]);
            for _ in 0..4 {
                let mut a = [0u64; N];
                for l in a.iter_mut() {
                    *l = next(&mut s);
                }
                a[N - 1] %= n[N - 1];
                ops.push(a);
            }
            out.push((n, ops));
        }
        out
    }

    /// The fixed-size Montgomery products (CIOS and product scanning) and the
    /// fixed-size public exponentiation against the generic loops.
    fn fixed_matches_generic<const N: usize>() {
        for (n, ops) in cases::<N>(N as u64) {
            let n0 = neg_inv_u64(n[0]);
            let m = Modulus::new(&n).unwrap();
            for a in &ops {
                for b in &ops {
                    let mut want = [0u64; N];
                    mont_mul(&mut want, a, b, &n, n0);
                    let mut got = [0u64; N];
                    mont_mul_cios(&mut got, a, b, &n, n0);
                    assert_eq!(got, want, "cios N={N}");
                    mont_mul_ps(&mut got, a, b, &n, n0);
                    assert_eq!(got, want, "ps N={N}");
                    let mut via = vec![0u64; N];
                    m.mul(&mut via, a, b);
                    assert_eq!(via, want, "Modulus::mul N={N}");
                }
                for e in [[3u64], [65537], [1], [0], [u64::MAX]] {
                    assert_eq!(
                        m.pow_public(a, &e),
                        m.pow_public_generic(a, &e),
                        "pow_public N={N}"
                    );
                }
                assert_eq!(
                    m.pow(a, &ops[6], 64 * N),
                    m.pow_generic(a, &ops[6], 64 * N),
                    "pow N={N}"
                );
            }
        }
    }

    #[test]
    fn fixed_sizes_match_generic() {
        fixed_matches_generic::<16>();
        fixed_matches_generic::<24>();
        fixed_matches_generic::<32>();
        fixed_matches_generic::<48>();
        fixed_matches_generic::<64>();
    }

    /// The AVX2 Montgomery multiplication (radix 2^1120) against the portable one:
    /// `avx(a, b) (2^1120 mod n) / 2^1024 = a b / 2^1024`, also for `a + n` (a
    /// non-reduced input, as the exponentiation passes them).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_mont_mul_matches_portable() {
        use crate::backend::{Backend, Features};
        let f = Features::for_backend(Backend::Native);
        if !f.avx2() {
            return;
        }
        let mut seeds = vec![16u64, 17, 18];
        seeds.extend(100..110);
        for seed in seeds {
            for (n, ops) in cases::<16>(seed) {
                let n0 = neg_inv_u64(n[0]);
                let m = Modulus::new(&n).unwrap();
                let mut two96 = [0u64; 16];
                two96[1] = 1 << 32;
                let mut r1120 = [0u64; 16];
                mont_mul(&mut r1120, &m.rr, &two96, &n, n0);
                let wide = |x: &[u64; 16]| {
                    let mut w = [0u64; 17];
                    w[..16].copy_from_slice(x);
                    w
                };
                let plus_n = |x: &[u64; 16]| {
                    let mut w = wide(x);
                    let c = add_assign(&mut w[..16], &n);
                    w[16] = c;
                    w
                };
                // x + (2^56 - 1) n: up to 2^1080, digit 38 in use (the largest
                // inputs the exponentiation modulo k n passes).
                let plus_big = |x: &[u64; 16]| {
                    let mut w = wide(x);
                    let mut c = 0;
                    for (o, &l) in w.iter_mut().zip(&n) {
                        let (lo, hi) = mac(*o, l, (1 << 56) - 1, c);
                        *o = lo;
                        c = hi;
                    }
                    w[16] = c;
                    w
                };
                for a in &ops {
                    for b in &ops {
                        let mut want = [0u64; 16];
                        mont_mul(&mut want, a, b, &n, n0);
                        // (a, b, both below 2^1025: the plain modulus applies too)
                        for (wa, wb, small) in [
                            (wide(a), wide(b), true),
                            (plus_n(a), wide(b), true),
                            (plus_n(a), plus_n(b), true),
                            (plus_big(a), plus_big(b), false),
                            (plus_big(a), wide(b), false),
                        ] {
                            use crate::x86::mont_avx2::mul_for_test;
                            // The squaring kernel when a = b (the same value,
                            // possibly not reduced alike: a + n vs a is skipped).
                            let modes: &[bool] = if wa == wb { &[false, true] } else { &[false] };
                            for &sqr in modes {
                                let mut back = [0u64; 16];
                                if small {
                                    let got =
                                        mul_for_test(f, &wa, &wb, &n, n0, false, sqr).unwrap();
                                    mont_mul(&mut back, &got, &r1120, &n, n0);
                                    assert_eq!(back, want, "sqr {sqr} seed {seed} n {n:x?}");
                                }
                                // Modulo k n, then out: a b / 2^2240.
                                let got = mul_for_test(f, &wa, &wb, &n, n0, true, sqr).unwrap();
                                let mut t = [0u64; 16];
                                mont_mul(&mut t, &got, &r1120, &n, n0);
                                mont_mul(&mut back, &t, &r1120, &n, n0);
                                let mut want2 = [0u64; 16];
                                mont_mul(&mut want2, &want, &unit::<16>(), &n, n0);
                                assert_eq!(back, want2, "k n, sqr {sqr}: seed {seed} n {n:x?}");
                            }
                        }
                    }
                }
            }
        }
    }

    /// Full exponentiations on the AVX2 path against the portable path: random
    /// moduli of every shape in `cases`, random and edge bases, random exponents of
    /// several lengths.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_pow_matches_portable() {
        use crate::backend::Backend;
        let mut s = 0x5eed_u64;
        for seed in 0..12u64 {
            for (n, ops) in cases::<16>(1000 + seed) {
                let m = Modulus::new(&n).unwrap();
                for (i, a) in ops.iter().enumerate() {
                    let mut e = [0u64; 16];
                    for l in e.iter_mut() {
                        *l = next(&mut s);
                    }
                    let bits = [1024, 1023, 1, 5, 64, 517][i % 6];
                    for (k, l) in e.iter_mut().enumerate() {
                        if 64 * k >= bits {
                            *l = 0;
                        } else if 64 * k + 64 > bits {
                            *l &= u64::MAX >> (64 * k + 64 - bits);
                        }
                    }
                    if i == 7 {
                        e = [u64::MAX; 16];
                    }
                    assert_eq!(
                        m.pow_with(Backend::Native, a, &e, bits),
                        m.pow_with(Backend::Portable, a, &e, bits),
                        "seed {seed} i {i}"
                    );
                }
            }
        }
    }

    /// The AVX-512 IFMA Montgomery multiplication (radix 2^52, `R = 2^1040`)
    /// against the portable one: `ifma(a, b)` is `a b / 2^2080 mod n` (one
    /// multiplication and one by 1), so `mont_mul(ifma(a, b), 2^2080 mod n) = a b /
    /// 2^1024`, for reduced inputs and for `a + n` (non-reduced, as the
    /// exponentiation passes them).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn ifma_mont_mul_matches_portable() {
        use crate::backend::{Backend, Features};
        let f = Features::for_backend(Backend::Native);
        if !f.avx512_ifma() {
            return;
        }
        for seed in [16u64, 17, 18, 100, 101, 102, 103] {
            for (n, ops) in cases::<16>(seed) {
                let n0 = neg_inv_u64(n[0]);
                let m = Modulus::new(&n).unwrap();
                let mut two32 = [0u64; 16];
                two32[0] = 1 << 32;
                let mut r1056 = [0u64; 16];
                mont_mul(&mut r1056, &m.rr, &two32, &n, n0);
                let mut r2080 = [0u64; 16];
                mont_mul(&mut r2080, &r1056, &m.rr, &n, n0);
                let wide = |x: &[u64; 16]| {
                    let mut w = [0u64; 17];
                    w[..16].copy_from_slice(x);
                    w
                };
                let plus_n = |x: &[u64; 16]| {
                    let mut w = wide(x);
                    w[16] = add_assign(&mut w[..16], &n);
                    w
                };
                for a in &ops {
                    for b in &ops {
                        let mut want = [0u64; 16];
                        mont_mul(&mut want, a, b, &n, n0);
                        for (wa, wb) in [
                            (wide(a), wide(b)),
                            (plus_n(a), wide(b)),
                            (plus_n(a), plus_n(b)),
                        ] {
                            let got =
                                crate::x86::mont_ifma::mul_for_test(f, &wa, &wb, &n, n0).unwrap();
                            let mut back = [0u64; 16];
                            mont_mul(&mut back, &got, &r2080, &n, n0);
                            assert_eq!(back, want, "seed {seed} n {n:x?}");
                        }
                    }
                }
            }
        }
    }

    /// Pairs of exponentiations on the IFMA path (both at once) against the
    /// portable path and against the AVX2 path, one at a time: random moduli of
    /// every shape in `cases`, random and edge bases, exponents of several lengths
    /// (the two of a pair of different lengths).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn pow_pair_matches_pow() {
        use crate::backend::{Backend, Features};
        let mut s = 0x1f3a_u64;
        let exp = |s: &mut u64, bits: usize| {
            let mut e = [0u64; 16];
            for (k, l) in e.iter_mut().enumerate() {
                *l = next(s);
                if 64 * k >= bits {
                    *l = 0;
                } else if 64 * k + 64 > bits {
                    *l &= u64::MAX >> (64 * k + 64 - bits);
                }
            }
            e
        };
        for seed in 0..8u64 {
            let all = cases::<16>(2000 + seed);
            for (i, ((n1, ops1), (n2, ops2))) in all.iter().zip(all.iter().rev()).enumerate() {
                let (m1, m2) = (Modulus::new(n1).unwrap(), Modulus::new(n2).unwrap());
                for (j, (a, b)) in ops1.iter().zip(ops2).enumerate() {
                    let lens = [1024, 1023, 1, 5, 64, 517, 1000];
                    let (mut ba, bb) = (lens[(i + j) % 7], lens[(i + 2 * j + 1) % 7]);
                    let (mut ea, eb) = (exp(&mut s, ba), exp(&mut s, bb));
                    if j == 7 {
                        (ba, ea) = (1024, [u64::MAX; 16]);
                    }
                    let want = (
                        m1.pow_with(Backend::Portable, a, &ea, ba),
                        m2.pow_with(Backend::Portable, b, &eb, bb),
                    );
                    let got = m1.pow_pair_with(Backend::Native, a, &ea, ba, &m2, b, &eb, bb);
                    assert_eq!(got, want, "seed {seed} i {i} j {j}");
                    // The AVX2 path the IFMA one replaces, where the CPU has both.
                    let f = Features::for_backend(Backend::Native).without_avx512_ifma();
                    if f.avx2() {
                        let a2 = m1.pow16_avx2(f, a, &ea, ba).unwrap();
                        assert_eq!(a2, want.0, "avx2: seed {seed} i {i} j {j}");
                    }
                }
            }
        }
    }

    /// Public exponentiations modulo 2048-bit moduli on the IFMA path against the
    /// portable path: every modulus shape of `cases`, random and edge bases, and
    /// exponents 1, 3, 65537, 2^64 - 1 and a random 2048-bit one.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn pow_public_native_matches_portable() {
        use crate::backend::Backend;
        let mut s = 0x77_u64;
        for seed in 0..3u64 {
            for (n, ops) in cases::<32>(3000 + seed) {
                let m = Modulus::new(&n).unwrap();
                let mut big = [0u64; 32];
                for l in big.iter_mut() {
                    *l = next(&mut s);
                }
                let exps: [&[u64]; 5] = [&[1], &[3], &[65537], &[u64::MAX], &big];
                for a in &ops {
                    for e in exps {
                        assert_eq!(
                            m.pow_public_with(Backend::Native, a, e),
                            m.pow_public_with(Backend::Portable, a, e),
                            "seed {seed} e {e:x?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn neg_inv() {
        for n in [1u64, 3, 0xffff_ffff_ffff_ffff, 0x1234_5678_9abc_def1] {
            assert_eq!(n.wrapping_mul(neg_inv_u64(n)), u64::MAX);
        }
    }

    #[test]
    fn single_limb_pow_matches_u128() {
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200 {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let n = (s >> 1) | 1 | (1 << 62);
            let b = s.rotate_left(17) % n;
            let e = s.rotate_left(29);
            let m = Modulus::new(&[n]).unwrap();
            assert_eq!(
                m.pow(&[b], &[e], 64),
                vec![powmod(b, e, n)],
                "{b}^{e} mod {n}"
            );
            let x = s.to_be_bytes();
            let wide: Vec<u8> = x.iter().chain(x.iter()).copied().collect();
            let want =
                ((u128::from_be_bytes(wide.clone().try_into().unwrap())) % u128::from(n)) as u64;
            assert_eq!(m.reduce_be_bytes(&wide), vec![want]);
        }
    }

    #[test]
    fn two_limb_fermat() {
        // 2^127 - 1 is prime: a^(p-1) = 1 for every a not divisible by p.
        let p = [u64::MAX, u64::MAX >> 1];
        let m = Modulus::new(&p).unwrap();
        let e = [u64::MAX - 1, u64::MAX >> 1];
        for a in [2u64, 3, 0xdead_beef] {
            assert_eq!(m.pow(&[a, 7], &e, 127), vec![1, 0]);
        }
        // mod_add / mod_sub round trip.
        let mut x = vec![5u64, u64::MAX >> 1];
        x[1] -= 1;
        let y = vec![u64::MAX - 3, 1u64 << 40];
        let orig = x.clone();
        mod_add(&mut x, &y, &p);
        mod_sub(&mut x, &y, &p);
        assert_eq!(x, orig);
    }

    #[test]
    fn bytes_round_trip_and_table() {
        let mut l = [0u64; 3];
        let b: Vec<u8> = (1..=20).collect();
        from_be_bytes(&mut l, &b);
        let mut out = [0u8; 20];
        to_be_bytes(&l, &mut out);
        assert_eq!(&out[..], &b[..]);
        let table: Vec<u64> = (0..32).collect();
        let mut e = [0u64; 2];
        select_from_table(&mut e, &table, 2, 7);
        assert_eq!(e, [14, 15]);
        assert_eq!(ct_lt_limbs(&[1, 2], &[2, 2]), u64::MAX);
        assert_eq!(ct_lt_limbs(&[2, 2], &[2, 2]), 0);
        assert_eq!(ct_eq_limbs(&[2, 2], &[2, 2]), u64::MAX);
    }
}
