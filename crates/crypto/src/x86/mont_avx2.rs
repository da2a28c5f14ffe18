//! Montgomery exponentiation modulo a 1024-bit (16-limb) odd modulus with AVX2, in
//! a redundant radix-2^28 representation: the RSA-2048 CRT halves.
//!
//! The method of Gueron and Krasnov ("Software implementation of modular
//! exponentiation, using advanced vector instructions architectures", WAIFI 2012;
//! OpenSSL's `rsaz_1024_mul_avx2`), with 28-bit digits instead of 29 so that the
//! column sums below fit 64-bit lanes with room to spare:
//!
//! * A number is 40 digits `d_k < 2^28 + 2^7` (value `sum d_k 2^(28 k)`), four to a
//!   256-bit register, stored after four zero words ([`Red`]) so that loads of the
//!   number shifted up by 1..3 digits read zeros below digit 0.
//! * [`amm`] is digit-serial Montgomery multiplication ("almost Montgomery": no final
//!   subtraction) with `R = 2^(28 * 40) = 2^1120`. The products `a_k b_i` and
//!   `n_k y_i` (`_mm256_mul_epu32`, 32x32->64) are added into 64-bit column sums
//!   without propagating carries. Digits of `b` are taken four at a time, so the
//!   accumulator moves down by whole registers (no lane shuffles): the four products
//!   of a block go into the registers with `a` loaded 0..3 digits higher, then the
//!   block's four low columns are taken out to scalar registers, where the four
//!   Montgomery digits `y` are computed one after the other (the only serial chain)
//!   and the carry out of the block is kept in a scalar for the next one.
//! * The exponentiation ([`pow1024`]) stays in this form from the table to the last
//!   square: one conversion in, one out (with a single masked subtraction).
//!
//! Bounds (the reason no carry is propagated inside a multiplication):
//!
//! * Inputs: every digit `< 2^28 + 2^7` and value `< 2^1025`. Since digits are
//!   nonnegative, digits 37..39 (weight `>= 2^1036`) are then zero.
//! * Each product is `< (2^28 + 2^7)^2 < 2^56 (1 + 2^-20)`. Column `k` receives at most
//!   37 products `a_j b_i` (37 nonzero digits of `a` and `b`) and at most 37 products
//!   `n_j y_i` (`n < 2^1024`: 37 digits; `y_i < 2^28`), so a column sum is below
//!   `74 * 2^56 (1 + 2^-20) < 2^62.3`. The scalar chain adds at most three products and
//!   a carry `< 2^35` to a column: still far below `2^64`.
//! * The result `(a b + y n) / R` with `y < R` is below `a b / R + n < 2^954 + n <
//!   2^1025` (for `a, b < 2^1037`), so it is again a valid input: the chain never
//!   needs a subtraction, whatever the modulus (any odd `n < 2^1024`).
//! * Output columns are below `2^62.3` (plus a carry `< 2^35` in the lowest). Two
//!   rounds of "keep 28 bits, add the rest to the next digit" (done in parallel on
//!   all lanes) leave digits below `2^28 + 2^35` and then below `2^28 + 2^7`; a carry
//!   out of digit 39 would mean a value `>= 2^1120`, so none is lost.
//!
//! Constant time: no branch or address depends on the operands, the modulus or the
//! exponent; the window is read from the table by a full masked scan
//! (`_mm256_cmpeq_epi64` on the index, AND, OR).

use core::arch::x86_64::*;

use crate::backend::Features;

/// Bits per digit.
const D: u32 = 28;
/// The low-digit mask.
const M: u64 = (1 << D) - 1;
/// Digits of a number (37 hold 1036 bits; 40 fill ten registers).
const DIGITS: usize = 40;
/// Registers of a number.
const REGS: usize = DIGITS / 4;
/// Zero words stored below digit 0.
const PAD: usize = 4;

/// A number in redundant radix 2^28: `PAD` zero words, then `DIGITS` digits.
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Red([u64; PAD + DIGITS]);

impl Red {
    const ZERO: Red = Red([0; PAD + DIGITS]);

    /// The 16-limb integer `x` (exact digits `< 2^28`).
    fn from_limbs(x: &[u64; 16]) -> Red {
        let mut r = Red::ZERO;
        for k in 0..DIGITS {
            let pos = D as usize * k;
            let (l, off) = (pos / 64, pos % 64);
            let mut d = 0;
            if l < 16 {
                d = x[l] >> off;
                if off + D as usize > 64 && l + 1 < 16 {
                    d |= x[l + 1] << (64 - off);
                }
            }
            r.0[PAD + k] = d & M;
        }
        r
    }

    /// The value as 18 limbs (any value below `2^1152`; ours are below `2^1025`).
    fn to_limbs(&self) -> [u64; 18] {
        let mut out = [0u64; 18];
        let mut carry = 0u64;
        for k in 0..DIGITS {
            let v = self.0[PAD + k] + carry;
            let d = v & M;
            carry = v >> D;
            let pos = D as usize * k;
            let (l, off) = (pos / 64, pos % 64);
            out[l] |= d << off;
            if off + D as usize > 64 {
                out[l + 1] |= d >> (64 - off);
            }
        }
        out
    }
}

impl zeroize::Zeroize for Red {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

/// Loads four words of `x` from word `off`.
#[inline]
#[target_feature(enable = "avx2")]
fn ld(x: &Red, off: usize) -> __m256i {
    let w: &[u64; 4] = x.0[off..off + 4].try_into().expect("4 words");
    // SAFETY: `w` is 32 readable bytes; loadu needs no alignment; AVX is enabled.
    unsafe { _mm256_loadu_si256(w.as_ptr().cast()) }
}

/// Stores four words into `x` at word `off`.
#[inline]
#[target_feature(enable = "avx2")]
fn st(x: &mut Red, off: usize, v: __m256i) {
    let w: &mut [u64; 4] = (&mut x.0[off..off + 4]).try_into().expect("4 words");
    // SAFETY: `w` is 32 writable bytes; storeu needs no alignment; AVX is enabled.
    unsafe { _mm256_storeu_si256(w.as_mut_ptr().cast(), v) }
}

/// The modulus in redundant form and `-n^-1 mod 2^28`.
struct Ctx {
    n: Red,
    k0: u64,
}

/// Almost Montgomery multiplication: `out = a b / 2^1120 mod n`, as a redundant
/// number `< 2^1025` (not reduced below `n`). See the module comment for bounds.
#[inline]
#[target_feature(enable = "avx2")]
fn amm(out: &mut Red, a: &Red, b: &Red, ctx: &Ctx) {
    let n = &ctx.n;
    let k0 = ctx.k0;
    let (n0, n1, n2, n3) = (n.0[PAD], n.0[PAD + 1], n.0[PAD + 2], n.0[PAD + 3]);
    // acc[r] lane l: the column sum of digit 4 q + 4 r + l during block q.
    let mut acc = [_mm256_setzero_si256(); REGS];
    let mut carry = 0u64;
    for q in 0..REGS {
        // a * b_{4q+j}, with `a` loaded j digits higher (zeros come in from the pad).
        for j in 0..4 {
            let bj = _mm256_set1_epi64x(b.0[PAD + 4 * q + j] as i64);
            for (r, x) in acc.iter_mut().enumerate() {
                *x = _mm256_add_epi64(*x, _mm256_mul_epu32(ld(a, PAD - j + 4 * r), bj));
            }
        }
        // The block's four low columns in scalar registers: each y_j makes its
        // column (with the carry from below and the y n terms of this block that
        // land in it) divisible by 2^28.
        let mut x = Red::ZERO;
        st(&mut x, 0, acc[0]);
        let c0 = x.0[0] + carry;
        let y0 = c0.wrapping_mul(k0) & M;
        let t = (c0 + y0 * n0) >> D;
        let c1 = x.0[1] + y0 * n1 + t;
        let y1 = c1.wrapping_mul(k0) & M;
        let t = (c1 + y1 * n0) >> D;
        let c2 = x.0[2] + y0 * n2 + y1 * n1 + t;
        let y2 = c2.wrapping_mul(k0) & M;
        let t = (c2 + y2 * n0) >> D;
        let c3 = x.0[3] + y0 * n3 + y1 * n2 + y2 * n1 + t;
        let y3 = c3.wrapping_mul(k0) & M;
        carry = (c3 + y3 * n0) >> D;
        // n * y_j into the columns above the block (the block's own were done above).
        for (j, y) in [y0, y1, y2, y3].into_iter().enumerate() {
            let yj = _mm256_set1_epi64x(y as i64);
            for (r, x) in acc.iter_mut().enumerate().skip(1) {
                *x = _mm256_add_epi64(*x, _mm256_mul_epu32(ld(n, PAD - j + 4 * r), yj));
            }
        }
        // The block's columns are now zero mod 2^28 (their carry is in `carry`):
        // move down by one register.
        for r in 0..REGS - 1 {
            acc[r] = acc[r + 1];
        }
        acc[REGS - 1] = _mm256_setzero_si256();
    }
    acc[0] = _mm256_add_epi64(acc[0], _mm256_set_epi64x(0, 0, 0, carry as i64));
    // Two rounds of partial normalisation: digits < 2^28 + 2^35, then < 2^28 + 2^7.
    let mask = _mm256_set1_epi64x(M as i64);
    for _ in 0..2 {
        let mut prev = _mm256_setzero_si256();
        for x in acc.iter_mut() {
            let hi = _mm256_srli_epi64::<28>(*x);
            // [h3, h0, h1, h2]: each lane's carry moved up one lane ...
            let p = _mm256_permute4x64_epi64::<0x93>(hi);
            // ... and lane 0 takes the top carry of the register below.
            let up = _mm256_blend_epi32::<0b0000_0011>(p, prev);
            *x = _mm256_add_epi64(_mm256_and_si256(*x, mask), up);
            prev = p;
        }
    }
    for (r, x) in acc.iter().enumerate() {
        st(out, PAD + 4 * r, *x);
    }
}

/// `table[idx]` by reading every entry and keeping the one whose index matches,
/// with vector compares and masks (no address depends on `idx`).
#[inline]
#[target_feature(enable = "avx2")]
fn select(out: &mut Red, table: &[Red; 32], idx: u64) {
    let want = _mm256_set1_epi64x(idx as i64);
    let mut acc = [_mm256_setzero_si256(); REGS];
    for (i, e) in table.iter().enumerate() {
        let m = _mm256_cmpeq_epi64(_mm256_set1_epi64x(i as i64), want);
        for (r, x) in acc.iter_mut().enumerate() {
            *x = _mm256_or_si256(*x, _mm256_and_si256(ld(e, PAD + 4 * r), m));
        }
    }
    for (r, x) in acc.iter().enumerate() {
        st(out, PAD + 4 * r, *x);
    }
}

impl Ctx {
    fn new(n: &[u64; 16], n0: u64) -> Ctx {
        Ctx {
            n: Red::from_limbs(n),
            k0: n0 & M,
        }
    }
}

/// The value of redundant `x <= n` as 16 limbs reduced mod `n` (masked subtraction).
fn reduce_out(x: &Red, n: &[u64; 16]) -> [u64; 16] {
    let t = x.to_limbs();
    let mut out = [0u64; 16];
    let mut borrow = 0;
    for j in 0..16 {
        (out[j], borrow) = crate::bigint::sbb(t[j], n[j], borrow);
    }
    let (_, under) = crate::bigint::sbb(t[16] | t[17], 0, borrow);
    crate::bigint::ct_assign(&mut out, &t[..16], crate::bigint::mask(under));
    out
}

/// `base^exp mod n` for a 16-limb odd `n` (`n0 = -n^-1 mod 2^64`), given
/// `one = 2^1120 mod n` and `base_r = base 2^1120 mod n` (the Montgomery forms for
/// this code's `R`). Fixed 5-bit windows over `exp_bits` bits (public), like
/// [`crate::bigint::Modulus::pow`]. `None` when the CPU lacks AVX2.
pub(crate) fn pow1024(
    f: Features,
    n: &[u64; 16],
    n0: u64,
    one: &[u64; 16],
    base_r: &[u64; 16],
    exp: &[u64],
    exp_bits: usize,
) -> Option<[u64; 16]> {
    if !f.avx2 {
        return None;
    }
    // SAFETY: AVX2 was detected (`f.avx2`).
    Some(unsafe { pow_avx2(n, n0, one, base_r, exp, exp_bits) })
}

#[target_feature(enable = "avx2")]
fn pow_avx2(
    n: &[u64; 16],
    n0: u64,
    one: &[u64; 16],
    base_r: &[u64; 16],
    exp: &[u64],
    exp_bits: usize,
) -> [u64; 16] {
    const W: usize = 5;
    let ctx = Ctx::new(n, n0);
    let mut table = [Red::ZERO; 1 << W];
    table[0] = Red::from_limbs(one);
    table[1] = Red::from_limbs(base_r);
    for i in 2..(1 << W) {
        let mut t = Red::ZERO;
        amm(&mut t, &table[i - 1], &table[1], &ctx);
        table[i] = t;
    }
    let mut acc = table[0];
    let mut tmp = Red::ZERO;
    let mut entry = Red::ZERO;
    for w in (0..exp_bits.div_ceil(W)).rev() {
        for _ in 0..W {
            amm(&mut tmp, &acc, &acc, &ctx);
            core::mem::swap(&mut acc, &mut tmp);
        }
        let mut idx = 0u64;
        for k in 0..W {
            let b = w * W + k;
            idx |= exp.get(b / 64).map_or(0, |l| (l >> (b % 64)) & 1) << k;
        }
        select(&mut entry, &table, idx);
        amm(&mut tmp, &acc, &entry, &ctx);
        core::mem::swap(&mut acc, &mut tmp);
    }
    // Out of the Montgomery form: acc / R < 1 + n, so the result is at most n.
    let mut unit = Red::ZERO;
    unit.0[PAD] = 1;
    amm(&mut tmp, &acc, &unit, &ctx);
    let out = reduce_out(&tmp, n);
    zeroize::Zeroize::zeroize(&mut table);
    zeroize::Zeroize::zeroize(&mut acc);
    zeroize::Zeroize::zeroize(&mut tmp);
    zeroize::Zeroize::zeroize(&mut entry);
    out
}

/// One multiplication for the tests: `a b / 2^1120 mod n`, reduced, for `a, b`
/// given as limbs (`a, b < 2^1025`, so non-reduced inputs can be checked too).
#[cfg(test)]
pub(crate) fn mul_for_test(
    f: Features,
    a: &[u64; 17],
    b: &[u64; 17],
    n: &[u64; 16],
    n0: u64,
) -> Option<[u64; 16]> {
    if !f.avx2 {
        return None;
    }
    let ctx = Ctx::new(n, n0);
    let mut ra = Red::from_limbs(a[..16].try_into().expect("16"));
    let mut rb = Red::from_limbs(b[..16].try_into().expect("16"));
    // Bit 1024 (limb 16) is digit 36, bit 16.
    ra.0[PAD + 36] |= (a[16] & 1) << 16;
    rb.0[PAD + 36] |= (b[16] & 1) << 16;
    let mut out = Red::ZERO;
    // SAFETY: AVX2 was detected (`f.avx2`).
    unsafe { amm(&mut out, &ra, &rb, &ctx) };
    Some(reduce_out(&out, n))
}
