//! Montgomery exponentiation modulo a 1024-bit (16-limb) odd modulus with AVX2, in
//! a redundant radix-2^28 representation: the RSA-2048 CRT halves.
//!
//! The method of Gueron and Krasnov ("Software implementation of modular
//! exponentiation, using advanced vector instructions architectures", WAIFI 2012;
//! OpenSSL's `rsaz_1024_mul_avx2`), with 28-bit digits instead of 29 so that the
//! column sums below fit 64-bit lanes with room to spare:
//!
//! * A number is 40 digits `d_k < 2^28 + 2^7` (value `sum d_k 2^(28 k)`), four to a
//!   256-bit register, stored between zero words ([`Red`]) so that loads of the
//!   number shifted up by 1..3 digits read zeros outside it.
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
//! Bounds (the reason no carry is propagated inside a multiplication). The
//! exponentiation works modulo `n' = k n < 2^1080` (`k = -n^-1 mod 2^56 < 2^56`,
//! see [`Ctx::minus_one`]), and converts out modulo `n` itself:
//!
//! * Inputs: every digit `< 2^28 + 2^7` and value `< 2^1081`. Since digits are
//!   nonnegative, digit 39 (weight `2^1092`) is then zero.
//! * Each product is `< (2^28 + 2^7)^2 < 2^56 (1 + 2^-20)`. Column `k` receives at most
//!   39 products `a_j b_i` (39 nonzero digits of `a` and `b`) and at most 39 products
//!   `n_j y_i` (`n' < 2^1080`: 39 digits; `y_i < 2^28`), so a column sum is below
//!   `78 * 2^56 (1 + 2^-20) < 2^62.3`. The scalar chain adds at most three products and
//!   a carry `< 2^36` to a column (and four products from the block below, see
//!   `cross` in [`amm`]): still far below `2^64`.
//! * The result `(a b + y n') / R` with `y < R` is below `a b / R + n' < 2^1042 +
//!   2^1080 < 2^1081` (for `a, b < 2^1081`), so it is again a valid input: the chain
//!   never needs a subtraction, whatever the modulus (any odd `n < 2^1024`). The last
//!   multiplication, by 1 modulo `n`, gives `< 2^1081 / R + n < n + 1`.
//! * Output columns are below `2^62.3` (plus a carry `< 2^36` in the lowest). Two
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
/// Digits of a number (39 hold the 1081 bits of the largest values; 40 fill ten
/// registers).
const DIGITS: usize = 40;
/// Registers of a number.
const REGS: usize = DIGITS / 4;
/// Zero words stored below digit 0 (and above digit 39).
const PAD: usize = 4;
/// Registers of the column accumulator: a number shifted up by three digits spans
/// eleven registers once its digits 37 and 38 are in use (`n' < 2^1080` and values
/// up to `2^1081` have 39 digits).
const ACC: usize = REGS + 1;

/// A number in redundant radix 2^28: `PAD` zero words, `DIGITS` digits, `PAD` zero
/// words (read by the shifted loads of the accumulator's eleventh register).
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Red([u64; PAD + DIGITS + PAD]);

impl Red {
    const ZERO: Red = Red([0; PAD + DIGITS + PAD]);

    /// The integer `x` (up to 17 limbs; exact digits `< 2^28`).
    fn from_limbs(x: &[u64]) -> Red {
        let mut r = Red::ZERO;
        for k in 0..DIGITS {
            let pos = D as usize * k;
            let (l, off) = (pos / 64, pos % 64);
            let mut d = 0;
            if l < x.len() {
                d = x[l] >> off;
                if off + D as usize > 64 && l + 1 < x.len() {
                    d |= x[l + 1] << (64 - off);
                }
            }
            r.0[PAD + k] = d & M;
        }
        r
    }

    /// The value as 18 limbs (any value below `2^1152`; ours are below `2^1081`).
    fn limbs(&self) -> [u64; 18] {
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

/// The low 32 bits of `x` in every 32-bit lane: the multiplier operand of
/// `_mm256_mul_epu32` (which reads the even lanes). Written this way because of
/// how LLVM lowers the intrinsic (a 64-bit multiply of masked operands): with a
/// 64-bit broadcast it often cannot see, in the loop body, that the high halves
/// are zero and emits a 64x32-bit product (three instructions instead of one);
/// this form leaves fewer of those (measured: squaring 166 ns vs 179 ns).
#[inline]
#[target_feature(enable = "avx2")]
fn bcast(x: u64) -> __m256i {
    _mm256_set1_epi32(x as i32)
}

/// Lane `l` all ones when `f(base + l)` (a constant once the caller is unrolled).
#[inline]
#[target_feature(enable = "avx2")]
fn lanes(base: usize, f: impl Fn(usize) -> bool) -> __m256i {
    let m = |l: usize| -i64::from(f(base + l));
    _mm256_set_epi64x(m(3), m(2), m(1), m(0))
}

/// A modulus in redundant form with its Montgomery digit constant.
struct Ctx {
    n: Red,
    /// `-n^-1 mod 2^28`; 1 when [`Ctx::minus_one`].
    k0: u64,
    /// `n = -1 mod 2^56`: then `y = c mod 2^28` and the carry is `c / 2^28 + y`.
    minus_one: bool,
}

/// Almost Montgomery multiplication: `out = a b / 2^1120 mod n`, as a redundant
/// number `< a b / 2^1120 + n` (not reduced below `n`). See the module comment for
/// the bounds. With `ctx.minus_one` (the exponentiation's `n' = k n`) each
/// Montgomery digit is just the column's low 28 bits, which takes the two
/// multiplications out of the serial chain.
///
/// `SQR`: `b` is `a`, and each product `a_i a_k` (`i != k`) is computed once, as
/// `(2 a_i) a_k` (`2 a_i < 2^29 + 2^8`, still below 2^32 for `_mm256_mul_epu32`;
/// the column sums are the same as for the full product). `M1` must be
/// `ctx.minus_one`.
#[inline]
#[target_feature(enable = "avx2")]
fn amm<const SQR: bool, const M1: bool>(out: &mut Red, a: &Red, b: &Red, ctx: &Ctx) {
    debug_assert_eq!(ctx.minus_one, M1);
    let n = &ctx.n;
    let k0 = ctx.k0;

    let (n0, n1, n2, n3) = (n.0[PAD], n.0[PAD + 1], n.0[PAD + 2], n.0[PAD + 3]);
    let (n4, n5, n6, n7) = (n.0[PAD + 4], n.0[PAD + 5], n.0[PAD + 6], n.0[PAD + 7]);
    // The terms y_j n_k of a block that land in the next block's four columns
    // (k = 4 + l - j in 1..7), computed in scalar registers rather than added into
    // the accumulator's second register: then reading the next block's columns
    // out of the accumulator does not wait for this block's y, and the serial
    // chain from one y to the next stays in scalar registers.
    let cross = |y: [u64; 4]| -> [u64; 4] {
        [
            y[0] * n4 + y[1] * n3 + y[2] * n2 + y[3] * n1,
            y[0] * n5 + y[1] * n4 + y[2] * n3 + y[3] * n2,
            y[0] * n6 + y[1] * n5 + y[2] * n4 + y[3] * n3,
            y[0] * n7 + y[1] * n6 + y[2] * n5 + y[3] * n4,
        ]
    };
    let mut prev = [0u64; 4];
    // Column c made divisible by 2^28 by y n: (y, (c + y n0) / 2^28).
    let step = |c: u64| -> (u64, u64) {
        let y = c.wrapping_mul(k0) & M;
        (y, (c + y * n0) >> D)
    };
    // acc[r] lane l: the column sum of digit 4 q + 4 r + l during block q (the
    // products of block q reach column 4 q + 38 + 3 = 4 q + 41: eleven registers). The
    // blocks are unrolled (`block!`), so moving down a register is renaming.
    let z = _mm256_setzero_si256();
    let mut carry = 0u64;
    // a * b_{4q+j} into the window, with `a` loaded j digits higher (zeros from
    // the pad).
    macro_rules! mul_row {
        ($q:expr, $j:expr, $v:ident) => {{
            let j: usize = $j;
            let bj = bcast(b.0[PAD + 4 * $q + j]);
            for (r, x) in $v.iter_mut().enumerate() {
                if r == ACC - 1 && j < 2 {
                    continue;
                }
                *x = _mm256_add_epi64(*x, _mm256_mul_epu32(ld(a, PAD - j + 4 * r), bj));
            }
        }};
    }
    // Row i = 4 q + j of the square: column 4 q + 4 r + l gets a_i a_k for
    // k = 4 r + l - j; only k >= i counts (k > i times 2 a_i, k = i times a_i), which
    // leaves registers r >= q, masked at r = q and q + 1.
    macro_rules! sqr_row {
        ($q:expr, $j:expr, $v:ident) => {{
            let (q, j): (usize, usize) = ($q, $j);
            let ai = a.0[PAD + 4 * q + j];
            let (bj, bj2) = (bcast(ai), bcast(2 * ai));
            for (r, x) in $v.iter_mut().enumerate().skip(q) {
                if r == ACC - 1 && j < 2 {
                    continue;
                }
                let d = r - q;
                let p = if d >= 2 {
                    _mm256_mul_epu32(ld(a, PAD - j + 4 * r), bj2)
                } else {
                    // Lanes k < i dropped, k = i times a_i, k > i times 2 a_i.
                    let keep = lanes(4 * d, |k| k >= 2 * j);
                    let diag = lanes(4 * d, |k| k == 2 * j);
                    let m = _mm256_blendv_epi8(bj2, bj, diag);
                    _mm256_mul_epu32(_mm256_and_si256(ld(a, PAD - j + 4 * r), keep), m)
                };
                *x = _mm256_add_epi64(*x, p);
            }
        }};
    }
    // n * y_j into the columns above the next block (this block's are done in
    // scalar registers, the next block's are `cross`).
    macro_rules! red_row {
        ($j:expr, $y:expr, $v:ident) => {{
            let j: usize = $j;
            let yj = bcast($y);
            for (r, x) in $v.iter_mut().enumerate().skip(2) {
                if r == ACC - 1 && j < 2 {
                    continue;
                }
                *x = _mm256_add_epi64(*x, _mm256_mul_epu32(ld(n, PAD - j + 4 * r), yj));
            }
        }};
    }
    macro_rules! block {
        ($q:expr, $acc:ident) => {{
            let q: usize = $q;
            let mut v: [__m256i; ACC] = $acc;
            // a * b_{4q+j}, with `a` loaded j digits higher (zeros from the pad).
            // Digit 39 is zero (module comment), so the eleventh register only
            // matters for j >= 2 (its lane 0 is digit 40 - j). The rows are
            // unrolled by hand: as a loop, LLVM schedules them much worse (the
            // squaring took 171 ns instead of 123).
            if SQR {
                sqr_row!(q, 0, v);
                sqr_row!(q, 1, v);
                sqr_row!(q, 2, v);
                sqr_row!(q, 3, v);
            } else {
                mul_row!(q, 0, v);
                mul_row!(q, 1, v);
                mul_row!(q, 2, v);
                mul_row!(q, 3, v);
            }
            // The block's four low columns in scalar registers: each y_j makes its
            // column (with the carry from below and the y n terms of this block
            // that land in it) divisible by 2^28.
            let x0 = _mm256_extract_epi64::<0>(v[0]) as u64;
            let x1 = _mm256_extract_epi64::<1>(v[0]) as u64;
            let x2 = _mm256_extract_epi64::<2>(v[0]) as u64;
            let x3 = _mm256_extract_epi64::<3>(v[0]) as u64;
            let p = cross(prev);
            let (y0, y1, y2, y3);
            if M1 {
                // n'_0 = n'_1 = 2^28 - 1: y_j n'_1 plus the carry (c_j >> 28) + y_j
                // is y_j 2^28 + (c_j >> 28), so the chain from one column to the
                // next is a mask, a shift and an add.
                let c0 = x0 + p[0] + carry;
                y0 = c0 & M;
                let c1 = x1 + p[1] + (y0 << D) + (c0 >> D);
                y1 = c1 & M;
                let c2 = x2 + p[2] + y0 * n2 + (y1 << D) + (c1 >> D);
                y2 = c2 & M;
                let c3 = x3 + p[3] + y0 * n3 + y1 * n2 + (y2 << D) + (c2 >> D);
                y3 = c3 & M;
                carry = (c3 >> D) + y3;
            } else {
                let t;
                (y0, t) = step(x0 + p[0] + carry);
                let t2;
                (y1, t2) = step(x1 + p[1] + y0 * n1 + t);
                let t3;
                (y2, t3) = step(x2 + p[2] + y0 * n2 + y1 * n1 + t2);
                let t4;
                (y3, t4) = step(x3 + p[3] + y0 * n3 + y1 * n2 + y2 * n1 + t3);
                carry = t4;
            }
            prev = [y0, y1, y2, y3];
            // n * y_j into the columns above the next block (this block's were done
            // above, the next block's are `cross`).
            for (j, y) in prev.into_iter().enumerate() {
                red_row!(j, y, v);
            }
            // The block's columns are now zero mod 2^28 (their carry is in `carry`):
            // move down by one register.
            [
                v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], z,
            ]
        }};
    }
    let acc = [z; ACC];
    let acc = block!(0, acc);
    let acc = block!(1, acc);
    let acc = block!(2, acc);
    let acc = block!(3, acc);
    let acc = block!(4, acc);
    let acc = block!(5, acc);
    let acc = block!(6, acc);
    let acc = block!(7, acc);
    let acc = block!(8, acc);
    let acc = block!(9, acc);
    // Columns 40..79 (the eleventh register, columns 80..83, is zero: the highest
    // products land in column 38 + 39 = 77).
    let mut acc: [__m256i; REGS] = acc[..REGS].try_into().expect("ten registers");
    let p = cross(prev);
    let low = _mm256_set_epi64x(p[3] as i64, p[2] as i64, p[1] as i64, (p[0] + carry) as i64);
    acc[0] = _mm256_add_epi64(acc[0], low);
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

impl Drop for Ctx {
    fn drop(&mut self) {
        // The modulus is a secret prime (or a multiple of one).
        zeroize::Zeroize::zeroize(&mut self.n);
    }
}

impl Ctx {
    /// `n` itself, for the conversion out.
    fn new(n: &[u64; 16], n0: u64) -> Ctx {
        Ctx {
            n: Red::from_limbs(n),
            k0: n0 & M,
            minus_one: false,
        }
    }

    /// `n' = k n` with `k = -n^-1 mod 2^56`, so `n' = -1 mod 2^56` (its two low
    /// digits are `2^28 - 1`): a multiple of `n` below `2^1080`. Products modulo
    /// `n'` are products modulo `n`; the bounds of the module comment hold with 39
    /// digits of `n'` and values `< 2^1081`.
    fn minus_one(n: &[u64; 16], n0: u64) -> Ctx {
        let k0 = n0 & ((1 << (2 * D)) - 1);
        let mut np = [0u64; 17];
        let mut c = 0;
        for (o, &l) in np.iter_mut().zip(n) {
            (*o, c) = crate::bigint::mac(0, l, k0, c);
        }
        np[16] = c;
        let r = Red::from_limbs(&np);
        zeroize::Zeroize::zeroize(&mut np);
        Ctx {
            n: r,
            k0: 1,
            minus_one: true,
        }
    }
}

/// The value of redundant `x <= n` as 16 limbs reduced mod `n` (masked subtraction).
fn reduce_out(x: &Red, n: &[u64; 16]) -> [u64; 16] {
    crate::bigint::sub_once(&x.limbs(), n)
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
    if !f.avx2() {
        return None;
    }
    // SAFETY: AVX2 was detected (`f.avx2()`).
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
    let ctx = Ctx::minus_one(n, n0);
    let mut table = [Red::ZERO; 1 << W];
    table[0] = Red::from_limbs(one);
    table[1] = Red::from_limbs(base_r);
    for i in 2..(1 << W) {
        let mut t = Red::ZERO;
        amm::<false, true>(&mut t, &table[i - 1], &table[1], &ctx);
        table[i] = t;
    }
    let mut acc = table[0];
    let mut tmp = Red::ZERO;
    let mut entry = Red::ZERO;
    for w in (0..exp_bits.div_ceil(W)).rev() {
        for _ in 0..W {
            amm::<true, true>(&mut tmp, &acc, &acc, &ctx);
            core::mem::swap(&mut acc, &mut tmp);
        }
        let mut idx = 0u64;
        for k in 0..W {
            let b = w * W + k;
            idx |= exp.get(b / 64).map_or(0, |l| (l >> (b % 64)) & 1) << k;
        }
        select(&mut entry, &table, idx);
        amm::<false, true>(&mut tmp, &acc, &entry, &ctx);
        core::mem::swap(&mut acc, &mut tmp);
    }
    // Out of the Montgomery form, modulo n itself: acc / R + n < 1 + n (acc <
    // 2^1081), so the result is at most n.
    let mut unit = Red::ZERO;
    unit.0[PAD] = 1;
    drop(ctx);
    let ctx = Ctx::new(n, n0);
    amm::<false, false>(&mut tmp, &acc, &unit, &ctx);
    let out = reduce_out(&tmp, n);
    zeroize::Zeroize::zeroize(&mut table);
    zeroize::Zeroize::zeroize(&mut acc);
    zeroize::Zeroize::zeroize(&mut tmp);
    zeroize::Zeroize::zeroize(&mut entry);
    out
}

/// One multiplication for the tests, reduced mod `n`, for `a, b` given as limbs
/// (`a, b < 2^1081`, so non-reduced inputs are checked too): `a b / 2^1120` modulo
/// `n` itself (for `a, b < 2^1025`), or with `minus_one` modulo `n' = k n` (as the
/// exponentiation does)
/// followed by the conversion out modulo `n`, which gives `a b / 2^2240`. With
/// `sqr`, the squaring kernel on `a` (`b` is ignored).
#[cfg(test)]
pub(crate) fn mul_for_test(
    f: Features,
    a: &[u64; 17],
    b: &[u64; 17],
    n: &[u64; 16],
    n0: u64,
    minus_one: bool,
    sqr: bool,
) -> Option<[u64; 16]> {
    if !f.avx2() {
        return None;
    }
    let ctx_n = Ctx::new(n, n0);
    let ctx = if minus_one {
        Ctx::minus_one(n, n0)
    } else {
        Ctx::new(n, n0)
    };
    let ra = Red::from_limbs(a);
    let rb = if sqr { ra } else { Red::from_limbs(b) };
    let mut out = Red::ZERO;
    // SAFETY: AVX2 was detected (`f.avx2()`).
    unsafe {
        match (sqr, minus_one) {
            (false, false) => amm::<false, false>(&mut out, &ra, &rb, &ctx),
            (false, true) => amm::<false, true>(&mut out, &ra, &rb, &ctx),
            (true, false) => amm::<true, false>(&mut out, &ra, &rb, &ctx),
            (true, true) => amm::<true, true>(&mut out, &ra, &rb, &ctx),
        }
    }
    if minus_one {
        let mut unit = Red::ZERO;
        unit.0[PAD] = 1;
        let t = out;
        // SAFETY: AVX2 was detected (`f.avx2()`).
        unsafe { amm::<false, false>(&mut out, &t, &unit, &ctx_n) };
    }
    Some(reduce_out(&out, n))
}
