//! Montgomery exponentiation with AVX-512 IFMA (`vpmadd52luq` / `vpmadd52huq`):
//! modulo two 1024-bit (16-limb) odd moduli at once (the RSA-2048 CRT halves),
//! and modulo one 2048-bit modulus with a public exponent (RSA-2048's public
//! operation: verification, encryption, the signer's blinding and fault check).
//!
//! Radix 2^52: a 1024-bit number is 20 digits `< 2^52` in five 256-bit registers,
//! so `R = 2^(52 * 20) = 2^1040`; a 2048-bit number is 40 digits in ten, `R =
//! 2^2080`. (256-bit rather than 512-bit registers: 20 and 40 digits fill them with
//! no idle lanes, and where a 512-bit operation is split in two halves, as on Zen
//! 4, they cost the same per lane: an RSA-2048 signature took 340 µs with three
//! 512-bit registers per number and 315 µs with five 256-bit ones, on this Zen 4.)
//!
//! * [`amm`] is digit-serial almost Montgomery multiplication (no final
//!   subtraction). For each digit `b_i`: add the low halves of `a b_i` to the
//!   accumulator; the Montgomery digit `y = c_0 k0 mod 2^52` comes from lane 0
//!   (a `vpmadd52luq` too, then a broadcast); add the low halves of `n y`, which
//!   clears lane 0's low 52 bits; shift the accumulator down one lane (the division
//!   by 2^52), adding lane 0's carry to the new lane 0; add the high halves of `a
//!   b_i` and `n y`, whose weight is one digit up and so lands on the shifted
//!   lanes. Only `y` and what depends on it are on the serial chain: the high
//!   halves of `a b_i` and the low halves of the next digit's `a b_(i+1)` are
//!   summed beforehand in other registers, and the high halves of `n y` are added
//!   to that sum beside the low halves. The moduli of [`pow_pair`] are two
//!   independent chains, interleaved in one loop so that each fills the other's
//!   latency.
//! * Lanes are not normalised inside the loop: a lane receives at most four
//!   products' halves (each `< 2^52`) and a carry `< 2^13` per step, for at most
//!   20 steps (40 for 2048 bits), so it stays below `160 * 2^52 + 40 * 2^13 < 2^60`.
//!   At the end two
//!   rounds normalise all lanes to digits `< 2^52` (the multiplier reads only a
//!   lane's low 52 bits, so operands must be normalised): "keep 52 bits, add the
//!   rest one lane up" leaves lanes below `2^52 + 2^7`; the last carries (0 or 1,
//!   rippling through lanes equal to `2^52 - 1`) are found at once from two lane
//!   masks, as an adder's generate and propagate bits: the lanes to increment are
//!   `((G << 1) + P) xor P`.
//! * Bounds: for `a, b < 2^1025` and `n < 2^1024` the result `(a b + y n) / R` with
//!   `y < R` is below `2^2050 / 2^1040 + n < 2^1025`: again a valid operand, so the
//!   chain never needs a subtraction (for 2048 bits: `2^4098 / 2^2080 + n <
//!   2^2049`). The last multiplication, by 1, gives `< 1 + n`: at most `n`, reduced
//!   by one masked subtraction.
//! * Montgomery forms come from the caller's `rr = 2^(2 * 64 N) mod n` (the
//!   64-bit-limb code's constant) with the same multiplication: for 16 limbs
//!   `amm(rr, 2^32) = 2^1040` (one) and `amm(amm(x, rr), amm(rr, 2^64)) = x 2^1040`;
//!   for 32 limbs the same with `2^64` and `2^128`.
//!
//! Constant time: no branch or address depends on the operands, the moduli or the
//! exponents; a window's table entry is read by a full scan with masked moves
//! (`vpcmpeqq` on the index, `vmovdqa64` under the mask), and the carry masks are
//! combined with scalar integer arithmetic.

use core::arch::x86_64::*;

use crate::backend::Features;

/// Bits per digit.
const D: u32 = 52;
/// The low-digit mask.
const M: u64 = (1 << D) - 1;
/// Window bits of the private exponentiation.
const W: usize = 5;
/// Registers and digits of a 1024-bit number.
const L1024: usize = 5;
const DIG1024: usize = 20;
/// Registers and digits of a 2048-bit number.
const L2048: usize = 10;
const DIG2048: usize = 40;

/// A number as `L` registers' worth of words (four each): digits `< 2^52`, unused words zero.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Num<const L: usize>([[u64; 4]; L]);

/// A number in registers.
type Regs<const L: usize> = [__m256i; L];

impl<const L: usize> Num<L> {
    const ZERO: Self = Num([[0; 4]; L]);

    fn digit(&self, i: usize) -> u64 {
        self.0[i / 4][i % 4]
    }

    /// The integer `x` (`64 x.len() <= 52 * 4 L` bits).
    fn from_limbs(x: &[u64]) -> Self {
        let mut r = Self::ZERO;
        for k in 0..4 * L {
            let pos = D as usize * k;
            let (l, off) = (pos / 64, pos % 64);
            if l >= x.len() {
                break;
            }
            let mut d = x[l] >> off;
            if off + D as usize > 64 && l + 1 < x.len() {
                d |= x[l + 1] << (64 - off);
            }
            r.0[k / 4][k % 4] = d & M;
        }
        r
    }

    /// `2^bit` (below the modulus: a plain operand).
    fn power_of_two(bit: usize) -> Self {
        let mut r = Self::ZERO;
        let k = bit / D as usize;
        r.0[k / 4][k % 4] = 1 << (bit % D as usize);
        r
    }

    /// The value as 64-bit limbs (digits `< 2^52`); `out` must hold `52 * 4 L`
    /// bits.
    fn limbs(&self, out: &mut [u64]) {
        out.fill(0);
        for k in 0..4 * L {
            let d = self.digit(k);
            let pos = D as usize * k;
            let (l, off) = (pos / 64, pos % 64);
            out[l] |= d << off;
            if off + D as usize > 64 {
                out[l + 1] |= d >> (64 - off);
            }
        }
    }
}

impl<const L: usize> zeroize::Zeroize for Num<L> {
    fn zeroize(&mut self) {
        for r in self.0.iter_mut() {
            r.zeroize();
        }
    }
}

/// Loads a number into registers.
#[inline]
#[target_feature(enable = "avx512f,avx512vl")]
fn load<const L: usize>(x: &Num<L>) -> Regs<L> {
    // SAFETY: each `x.0[j]` is 4 readable words (32 bytes); loadu needs no
    // alignment; AVX-512F is enabled.
    core::array::from_fn(|j| unsafe { _mm256_loadu_si256(x.0[j].as_ptr().cast()) })
}

/// Stores registers into a number.
#[inline]
#[target_feature(enable = "avx512f,avx512vl")]
fn store<const L: usize>(x: &mut Num<L>, v: &Regs<L>) {
    for (w, r) in x.0.iter_mut().zip(v) {
        // SAFETY: `w` is 8 writable words (64 bytes); storeu needs no alignment;
        // AVX-512F is enabled.
        unsafe { _mm256_storeu_si256(w.as_mut_ptr().cast(), *r) }
    }
}

/// A modulus with its Montgomery digit constant.
struct Ctx<const L: usize> {
    n: Num<L>,
    /// `-n^-1 mod 2^52`.
    k0: u64,
}

impl<const L: usize> Drop for Ctx<L> {
    fn drop(&mut self) {
        // A CRT modulus is a secret prime.
        zeroize::Zeroize::zeroize(&mut self.n);
    }
}

impl<const L: usize> Ctx<L> {
    fn new(n: &[u64], n0: u64) -> Self {
        Ctx {
            n: Num::from_limbs(n),
            k0: n0 & M,
        }
    }
}

/// Almost Montgomery multiplication for `K` independent operands of `DIG` digits
/// in `L` registers: `out[k] = a[k] b[k] / 2^(52 DIG) mod n[k]`, normalised, `< a
/// b / 2^(52 DIG) + n`. See the module comment for the method and the bounds.
#[inline]
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn amm<const L: usize, const DIG: usize, const K: usize>(
    out: [&mut Num<L>; K],
    a: [&Num<L>; K],
    b: [&Num<L>; K],
    ctx: [&Ctx<L>; K],
) {
    let zero = _mm256_setzero_si256();
    let av: [Regs<L>; K] = core::array::from_fn(|k| load(a[k]));
    let nv: [Regs<L>; K] = core::array::from_fn(|k| load(&ctx[k].n));
    let k0: [__m256i; K] = core::array::from_fn(|k| _mm256_set1_epi64x(ctx[k].k0 as i64));
    // At the top of step i the accumulator holds the low halves of a b_i.
    let mut r: [Regs<L>; K] = core::array::from_fn(|k| {
        let b0 = _mm256_set1_epi64x(b[k].digit(0) as i64);
        core::array::from_fn(|j| _mm256_madd52lo_epu64(zero, av[k][j], b0))
    });
    for i in 0..DIG {
        for k in 0..K {
            // Off the serial chain: the high halves of a b_i (after this step's
            // shift) and the low halves of a b_(i+1) (the next step's).
            let bi = _mm256_set1_epi64x(b[k].digit(i) as i64);
            let next = if i + 1 < DIG {
                _mm256_set1_epi64x(b[k].digit(i + 1) as i64)
            } else {
                zero
            };
            let p: Regs<L> = core::array::from_fn(|j| {
                let hi = _mm256_madd52hi_epu64(zero, av[k][j], bi);
                _mm256_madd52lo_epu64(hi, av[k][j], next)
            });
            // y = c_0 k0 mod 2^52 (the multiplier reads the low 52 bits of c_0,
            // which is all the product mod 2^52 depends on), in every lane.
            let y = _mm256_madd52lo_epu64(zero, r[k][0], k0[k]);
            let y = _mm256_broadcastq_epi64(_mm256_castsi256_si128(y));
            let h: Regs<L> = core::array::from_fn(|j| _mm256_madd52hi_epu64(p[j], nv[k][j], y));
            for j in 0..L {
                r[k][j] = _mm256_madd52lo_epu64(r[k][j], nv[k][j], y);
            }
            // Lane 0 is now a multiple of 2^52: its quotient goes to the new lane
            // 0 as the accumulator moves down one lane.
            let carry = _mm256_maskz_srli_epi64::<52>(1, r[k][0]);
            for j in 0..L {
                let above = if j + 1 < L { r[k][j + 1] } else { zero };
                r[k][j] = _mm256_add_epi64(_mm256_alignr_epi64::<1>(above, r[k][j]), h[j]);
            }
            r[k][0] = _mm256_add_epi64(r[k][0], carry);
        }
    }
    for (o, v) in out.into_iter().zip(r.iter()) {
        store(o, &normalise(v));
    }
}

/// Digits `< 2^52` from lanes `< 2^64` whose value fits the digits (see the
/// module comment).
#[inline]
#[target_feature(enable = "avx512f,avx512vl")]
fn normalise<const L: usize>(v: &Regs<L>) -> Regs<L> {
    let zero = _mm256_setzero_si256();
    let mask = _mm256_set1_epi64x(M as i64);
    let c: Regs<L> = core::array::from_fn(|j| _mm256_srli_epi64::<52>(v[j]));
    let l: Regs<L> = core::array::from_fn(|j| {
        let below = if j > 0 { c[j - 1] } else { zero };
        let up = _mm256_alignr_epi64::<3>(c[j], below);
        _mm256_add_epi64(_mm256_and_si256(v[j], mask), up)
    });
    let mut generate = 0u64;
    let mut propagate = 0u64;
    for (j, x) in l.iter().enumerate() {
        generate |= u64::from(_mm256_cmpgt_epu64_mask(*x, mask)) << (4 * j);
        propagate |= u64::from(_mm256_cmpeq_epu64_mask(*x, mask)) << (4 * j);
    }
    let inc = ((generate << 1).wrapping_add(propagate)) ^ propagate;
    let one = _mm256_set1_epi64x(1);
    core::array::from_fn(|j| {
        let m = ((inc >> (4 * j)) & 0xf) as u8;
        _mm256_and_si256(_mm256_mask_add_epi64(l[j], m, l[j], one), mask)
    })
}

/// `out` = `table[idx]`, reading every entry.
#[inline]
#[target_feature(enable = "avx512f,avx512vl")]
fn select<const L: usize>(out: &mut Num<L>, table: &[Num<L>; 1 << W], idx: u64) {
    let want = _mm256_set1_epi64x(idx as i64);
    let mut acc = [_mm256_setzero_si256(); L];
    for (i, e) in table.iter().enumerate() {
        let m = _mm256_cmpeq_epi64_mask(_mm256_set1_epi64x(i as i64), want);
        let v = load(e);
        for j in 0..L {
            acc[j] = _mm256_mask_mov_epi64(acc[j], m, v[j]);
        }
    }
    store(out, &acc);
}

/// The value of `x < 2 n` as `N` limbs reduced mod `n` (masked subtraction).
fn reduce_out<const L: usize, const N: usize>(x: &Num<L>, n: &[u64; N]) -> [u64; N] {
    let mut t = [0u64; 34];
    x.limbs(&mut t);
    let out = crate::bigint::sub_once(&t, n);
    zeroize::Zeroize::zeroize(&mut t);
    out
}

/// `(one, x R)` for `R = 2^(52 DIG)`, from `rr = 2^(128 N) mod n` (`N` 64-bit
/// limbs, `52 DIG = 64 N + s`): `amm(rr, 2^(2s)) = R` and `amm(amm(x, rr),
/// amm(rr, 2^(4s))) = x R` (see the module comment).
#[inline]
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn forms<const L: usize, const DIG: usize>(
    x: &Num<L>,
    rr: &Num<L>,
    s: usize,
    ctx: &Ctx<L>,
) -> (Num<L>, Num<L>) {
    let mut one = Num::ZERO;
    amm::<L, DIG, 1>([&mut one], [rr], [&Num::power_of_two(2 * s)], [ctx]);
    let mut up = Num::ZERO;
    amm::<L, DIG, 1>([&mut up], [rr], [&Num::power_of_two(4 * s)], [ctx]);
    let mut xs = Num::ZERO;
    amm::<L, DIG, 1>([&mut xs], [x], [rr], [ctx]);
    let mut xr = Num::ZERO;
    amm::<L, DIG, 1>([&mut xr], [&xs], [&up], [ctx]);
    zeroize::Zeroize::zeroize(&mut xs);
    (one, xr)
}

/// One private exponentiation's inputs: the modulus `n` (16 limbs, odd, `n0 =
/// -n^-1 mod 2^64`), `rr = 2^2048 mod n`, the base (`< n`), and the exponent with
/// its public bit length.
pub(crate) struct PowInput<'a> {
    pub n: &'a [u64; 16],
    pub n0: u64,
    pub rr: &'a [u64; 16],
    pub base: &'a [u64; 16],
    pub exp: &'a [u64],
    pub exp_bits: usize,
}

/// Whether the CPU runs this module's code.
pub(crate) fn available(f: Features) -> bool {
    f.avx512_ifma()
}

/// `base^exp mod n` for two independent inputs, computed side by side with fixed
/// 5-bit windows over the longer exponent's bits (public); `None` when the CPU
/// lacks AVX-512 IFMA.
pub(crate) fn pow_pair(f: Features, x: &PowInput<'_>, y: &PowInput<'_>) -> Option<[[u64; 16]; 2]> {
    if !available(f) {
        return None;
    }
    // SAFETY: AVX-512F and AVX-512 IFMA were detected (`f.avx512_ifma()`).
    Some(unsafe { pow_ifma([x, y]) })
}

#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn pow_ifma<const K: usize>(inp: [&PowInput<'_>; K]) -> [[u64; 16]; K] {
    type N = Num<L1024>;
    let ctx: [Ctx<L1024>; K] = core::array::from_fn(|k| Ctx::new(inp[k].n, inp[k].n0));
    let ctx_ref: [&Ctx<L1024>; K] = core::array::from_fn(|k| &ctx[k]);
    let mut table = [[N::ZERO; 1 << W]; K];
    for k in 0..K {
        let mut base = N::from_limbs(inp[k].base);
        let rr = N::from_limbs(inp[k].rr);
        (table[k][0], table[k][1]) = forms::<L1024, DIG1024>(&base, &rr, 16, ctx_ref[k]);
        zeroize::Zeroize::zeroize(&mut base);
    }
    let mul = |out: &mut [N; K], a: &[N; K], b: &[N; K]| {
        amm::<L1024, DIG1024, K>(out.each_mut(), a.each_ref(), b.each_ref(), ctx_ref)
    };
    for i in 2..(1 << W) {
        let prev: [N; K] = core::array::from_fn(|k| table[k][i - 1]);
        let base: [N; K] = core::array::from_fn(|k| table[k][1]);
        let mut next = [N::ZERO; K];
        mul(&mut next, &prev, &base);
        for k in 0..K {
            table[k][i] = next[k];
        }
    }
    let mut acc: [N; K] = core::array::from_fn(|k| table[k][0]);
    let mut tmp = [N::ZERO; K];
    let mut entry = [N::ZERO; K];
    let bits = inp.iter().map(|x| x.exp_bits).max().unwrap_or(0);
    for w in (0..bits.div_ceil(W)).rev() {
        for _ in 0..W {
            mul(&mut tmp, &acc, &acc);
            core::mem::swap(&mut acc, &mut tmp);
        }
        for k in 0..K {
            let mut idx = 0u64;
            for b in 0..W {
                let bit = w * W + b;
                if bit < inp[k].exp_bits {
                    idx |= inp[k]
                        .exp
                        .get(bit / 64)
                        .map_or(0, |l| (l >> (bit % 64)) & 1)
                        << b;
                }
            }
            select(&mut entry[k], &table[k], idx);
        }
        mul(&mut tmp, &acc, &entry);
        core::mem::swap(&mut acc, &mut tmp);
    }
    // Out of the Montgomery form: acc / R + n < 1 + n, so at most n.
    let units = [N::power_of_two(0); K];
    mul(&mut tmp, &acc, &units);
    let out = core::array::from_fn(|k| reduce_out(&tmp[k], inp[k].n));
    for k in 0..K {
        for e in table[k].iter_mut() {
            zeroize::Zeroize::zeroize(e);
        }
        zeroize::Zeroize::zeroize(&mut acc[k]);
        zeroize::Zeroize::zeroize(&mut tmp[k]);
        zeroize::Zeroize::zeroize(&mut entry[k]);
    }
    out
}

/// `base^e mod n` for a 2048-bit (32-limb) odd `n` (`n0 = -n^-1 mod 2^64`, `rr =
/// 2^4096 mod n`), `base < n`, and a *public* exponent `e > 0` whose bits shape
/// the loop (left-to-right square and multiply); `None` when the CPU lacks
/// AVX-512 IFMA.
pub(crate) fn pow_public_2048(
    f: Features,
    n: &[u64; 32],
    n0: u64,
    rr: &[u64; 32],
    base: &[u64; 32],
    e: &[u64],
) -> Option<[u64; 32]> {
    if !available(f) || e.iter().all(|&l| l == 0) {
        return None;
    }
    // SAFETY: AVX-512F and AVX-512 IFMA were detected (`f.avx512_ifma()`).
    Some(unsafe { pow_public_ifma(n, n0, rr, base, e) })
}

/// `x^e` in the 2048-bit Montgomery domain (`x` and the result in Montgomery
/// form, not reduced) for a *public* `e > 0`: left-to-right square and multiply,
/// starting from `x` for the top set bit.
#[inline]
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn square_multiply(ctx: &Ctx<L2048>, x: &Num<L2048>, e: &[u64]) -> Num<L2048> {
    let mul = |out: &mut Num<L2048>, a: &Num<L2048>, b: &Num<L2048>| {
        amm::<L2048, DIG2048, 1>([out], [a], [b], [ctx])
    };
    let bits = e
        .iter()
        .rposition(|&l| l != 0)
        .map_or(0, |i| 64 * i + 64 - e[i].leading_zeros() as usize);
    let mut acc = *x;
    let mut tmp = Num::ZERO;
    for i in (0..bits.saturating_sub(1)).rev() {
        mul(&mut tmp, &acc, &acc);
        if (e[i / 64] >> (i % 64)) & 1 == 1 {
            mul(&mut acc, &tmp, x);
        } else {
            acc = tmp;
        }
    }
    acc
}

#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn pow_public_ifma(
    n: &[u64; 32],
    n0: u64,
    rr: &[u64; 32],
    base: &[u64; 32],
    e: &[u64],
) -> [u64; 32] {
    type N = Num<L2048>;
    let ctx = Ctx::<L2048>::new(n, n0);
    let mul = |out: &mut N, a: &N, b: &N| amm::<L2048, DIG2048, 1>([out], [a], [b], [&ctx]);
    let (_, br) = forms::<L2048, DIG2048>(&N::from_limbs(base), &N::from_limbs(rr), 32, &ctx);
    let acc = square_multiply(&ctx, &br, e);
    let mut tmp = N::ZERO;
    mul(&mut tmp, &acc, &N::power_of_two(0));
    reduce_out(&tmp, n)
}

/// `x^e R mod n` (reduced) for a 2048-bit odd `n >= 2^2047` (`n0 = -n^-1 mod 2^64`), `x`
/// given in this code's Montgomery form (`x R mod n`, `R = 2^2080`) and a public
/// `e > 0` (left-to-right square and multiply); `None` without AVX-512 IFMA.
pub(crate) fn mont_pow_2048(
    f: Features,
    n: &[u64; 32],
    n0: u64,
    xr: &[u64; 32],
    e: u64,
) -> Option<[u64; 32]> {
    if !available(f) || e == 0 {
        return None;
    }
    // SAFETY: AVX-512F, AVX-512VL and AVX-512 IFMA were detected (`available(f)`).
    Some(unsafe { mont_pow_2048_ifma(n, n0, xr, e) })
}

#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn mont_pow_2048_ifma(n: &[u64; 32], n0: u64, xr: &[u64; 32], e: u64) -> [u64; 32] {
    type N = Num<L2048>;
    let ctx = Ctx::<L2048>::new(n, n0);
    let acc = square_multiply(&ctx, &N::from_limbs(xr), &[e]);
    // acc < 2^2049 2^2049 / 2^2080 + n = 2^2018 + n < 2 n (n >= 2^2047): one
    // masked subtraction.
    reduce_out(&acc, n)
}

/// One multiplication for the tests: `a b / 2^1040` then `/ 2^1040` again (by 1),
/// reduced mod `n`: `a b / 2^2080 mod n` for `a, b < 2^1025` given as 17 limbs (so
/// operands up to `n + n` are checked too). `None` without AVX-512 IFMA.
#[cfg(test)]
pub(crate) fn mul_for_test(
    f: Features,
    a: &[u64; 17],
    b: &[u64; 17],
    n: &[u64; 16],
    n0: u64,
) -> Option<[u64; 16]> {
    if !available(f) {
        return None;
    }
    type N = Num<L1024>;
    let (ra, rb) = (N::from_limbs(a), N::from_limbs(b));
    let ctx = Ctx::new(n, n0);
    let mut out = N::ZERO;
    let mut back = N::ZERO;
    // SAFETY: AVX-512F and AVX-512 IFMA were detected (`available(f)`).
    unsafe {
        amm::<L1024, DIG1024, 1>([&mut out], [&ra], [&rb], [&ctx]);
        // The result may be up to 2^1025: one more multiplication by 1 brings it
        // to at most n, which the caller undoes.
        amm::<L1024, DIG1024, 1>([&mut back], [&out], [&N::power_of_two(0)], [&ctx]);
    }
    Some(reduce_out(&back, n))
}
