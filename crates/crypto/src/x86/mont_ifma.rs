//! Montgomery exponentiation modulo 1024-bit (16-limb) odd moduli with AVX-512
//! IFMA (`vpmadd52luq` / `vpmadd52huq`): the RSA-2048 CRT halves, both at once.
//!
//! Radix 2^52: a number is 20 digits `< 2^52` in three 512-bit registers (lanes
//! 20..23 zero), so `R = 2^(52 * 20) = 2^1040`.
//!
//! * [`amm`] is digit-serial almost Montgomery multiplication (no final
//!   subtraction). For each digit `b_i`: add the low halves of `a b_i` to the
//!   accumulator; the Montgomery digit `y = c_0 k0 mod 2^52` comes from lane 0
//!   (scalar); add the low halves of `n y`, which clears lane 0's low 52 bits;
//!   shift the accumulator down one lane (the division by 2^52), adding lane 0's
//!   carry to the new lane 0; add the high halves of `a b_i` and `n y`, whose
//!   weight is one digit up and so lands on the shifted lanes. The serial chain is
//!   lane 0's; the moduli of [`pow_pair`] are two independent chains, interleaved
//!   in one loop so that each fills the other's latency.
//! * Lanes are not normalised inside the loop: a lane receives at most four
//!   products' halves (each `< 2^52`) and a carry `< 2^13` per step, for at most
//!   20 steps, so it stays below `80 * 2^52 + 20 * 2^13 < 2^59`. At the end two
//!   rounds normalise all lanes to digits `< 2^52` (the multiplier reads only a
//!   lane's low 52 bits, so operands must be normalised): "keep 52 bits, add the
//!   rest one lane up" leaves lanes below `2^52 + 2^7`; the last carries (0 or 1,
//!   rippling through lanes equal to `2^52 - 1`) are found at once from two lane
//!   masks, as an adder's generate and propagate bits: the lanes to increment are
//!   `((G << 1) + P) xor P`.
//! * Bounds: for `a, b < 2^1025` and `n < 2^1024` the result `(a b + y n) / R` with
//!   `y < R` is below `2^2050 / 2^1040 + n < 2^1025`: again a valid operand, so the
//!   chain never needs a subtraction. The last multiplication, by 1, gives `< 1 + n`:
//!   at most `n`, reduced by one masked subtraction.
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
/// Digits of a number.
const DIGITS: usize = 20;
/// Registers of a number.
const REGS: usize = 3;
/// Window bits of the exponentiation.
const W: usize = 5;

/// A number as 20 digits `< 2^52` and four zero words.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Num([u64; 8 * REGS]);

/// A number in registers.
type Regs = [__m512i; REGS];

impl Num {
    const ZERO: Num = Num([0; 8 * REGS]);

    /// The integer `x` (16 limbs).
    fn from_limbs(x: &[u64; 16]) -> Num {
        let mut r = Num::ZERO;
        for k in 0..DIGITS {
            let pos = D as usize * k;
            let (l, off) = (pos / 64, pos % 64);
            let mut d = x[l] >> off;
            if off + D as usize > 64 && l + 1 < x.len() {
                d |= x[l + 1] << (64 - off);
            }
            r.0[k] = d & M;
        }
        r
    }

    /// The value as 17 limbs (digits `< 2^52`: values below `2^1040`).
    fn limbs(&self) -> [u64; 17] {
        let mut out = [0u64; 17];
        for k in 0..DIGITS {
            let d = self.0[k];
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

impl zeroize::Zeroize for Num {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

/// Loads a number into registers.
#[inline]
#[target_feature(enable = "avx512f")]
fn load(x: &Num) -> Regs {
    let p = x.0.as_ptr();
    // SAFETY: `x.0` is 24 readable words, three 64-byte loads at words 0, 8, 16;
    // loadu needs no alignment; AVX-512F is enabled.
    unsafe {
        [
            _mm512_loadu_si512(p.cast()),
            _mm512_loadu_si512(p.add(8).cast()),
            _mm512_loadu_si512(p.add(16).cast()),
        ]
    }
}

/// Stores registers into a number.
#[inline]
#[target_feature(enable = "avx512f")]
fn store(x: &mut Num, v: &Regs) {
    let p = x.0.as_mut_ptr();
    // SAFETY: `x.0` is 24 writable words, three 64-byte stores at words 0, 8, 16;
    // storeu needs no alignment; AVX-512F is enabled.
    unsafe {
        _mm512_storeu_si512(p.cast(), v[0]);
        _mm512_storeu_si512(p.add(8).cast(), v[1]);
        _mm512_storeu_si512(p.add(16).cast(), v[2]);
    }
}

/// A modulus with its Montgomery digit constant.
struct Ctx {
    n: Num,
    /// `-n^-1 mod 2^52`.
    k0: u64,
}

impl Drop for Ctx {
    fn drop(&mut self) {
        // The modulus is a secret prime.
        zeroize::Zeroize::zeroize(&mut self.n);
    }
}

impl Ctx {
    fn new(n: &[u64; 16], n0: u64) -> Ctx {
        Ctx {
            n: Num::from_limbs(n),
            k0: n0 & M,
        }
    }
}

/// Almost Montgomery multiplication for `K` independent operands:
/// `out[k] = a[k] b[k] / 2^1040 mod n[k]`, normalised, `< a b / 2^1040 + n`. See
/// the module comment for the method and the bounds.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn amm<const K: usize>(out: [&mut Num; K], a: [&Num; K], b: [&Num; K], ctx: [&Ctx; K]) {
    let zero = _mm512_setzero_si512();
    let av: [Regs; K] = core::array::from_fn(|k| load(a[k]));
    let nv: [Regs; K] = core::array::from_fn(|k| load(&ctx[k].n));
    let mut r: [Regs; K] = [[zero; REGS]; K];
    for i in 0..DIGITS {
        for k in 0..K {
            let bi = _mm512_set1_epi64(b[k].0[i] as i64);
            for j in 0..REGS {
                r[k][j] = _mm512_madd52lo_epu64(r[k][j], av[k][j], bi);
            }
            let c0 = _mm_cvtsi128_si64(_mm512_castsi512_si128(r[k][0])) as u64;
            let y = c0.wrapping_mul(ctx[k].k0) & M;
            // Lane 0 plus the low half of n_0 y is a multiple of 2^52; its
            // quotient moves to the next lane with the shift.
            let carry = (c0 + (ctx[k].n.0[0].wrapping_mul(y) & M)) >> D;
            let yv = _mm512_set1_epi64(y as i64);
            for j in 0..REGS {
                r[k][j] = _mm512_madd52lo_epu64(r[k][j], nv[k][j], yv);
            }
            r[k][0] = _mm512_alignr_epi64::<1>(r[k][1], r[k][0]);
            r[k][1] = _mm512_alignr_epi64::<1>(r[k][2], r[k][1]);
            r[k][2] = _mm512_alignr_epi64::<1>(zero, r[k][2]);
            r[k][0] = _mm512_add_epi64(r[k][0], _mm512_maskz_set1_epi64(1, carry as i64));
            for j in 0..REGS {
                r[k][j] = _mm512_madd52hi_epu64(r[k][j], av[k][j], bi);
                r[k][j] = _mm512_madd52hi_epu64(r[k][j], nv[k][j], yv);
            }
        }
    }
    for (o, v) in out.into_iter().zip(r.iter()) {
        store(o, &normalise(v));
    }
}

/// Digits `< 2^52` from lanes `< 2^64` whose value is below `2^1040` (see the
/// module comment).
#[inline]
#[target_feature(enable = "avx512f")]
fn normalise(v: &Regs) -> Regs {
    let zero = _mm512_setzero_si512();
    let mask = _mm512_set1_epi64(M as i64);
    let c: Regs = core::array::from_fn(|j| _mm512_srli_epi64::<52>(v[j]));
    let up = [
        _mm512_alignr_epi64::<7>(c[0], zero),
        _mm512_alignr_epi64::<7>(c[1], c[0]),
        _mm512_alignr_epi64::<7>(c[2], c[1]),
    ];
    let l: Regs = core::array::from_fn(|j| _mm512_add_epi64(_mm512_and_si512(v[j], mask), up[j]));
    let mut generate = 0u32;
    let mut propagate = 0u32;
    for (j, x) in l.iter().enumerate() {
        generate |= u32::from(_mm512_cmpgt_epu64_mask(*x, mask)) << (8 * j);
        propagate |= u32::from(_mm512_cmpeq_epu64_mask(*x, mask)) << (8 * j);
    }
    let inc = ((generate << 1).wrapping_add(propagate)) ^ propagate;
    let one = _mm512_set1_epi64(1);
    core::array::from_fn(|j| {
        let m = (inc >> (8 * j)) as u8;
        _mm512_and_si512(_mm512_mask_add_epi64(l[j], m, l[j], one), mask)
    })
}

/// `out` = `table[idx]`, reading every entry.
#[inline]
#[target_feature(enable = "avx512f")]
fn select(out: &mut Num, table: &[Num; 1 << W], idx: u64) {
    let want = _mm512_set1_epi64(idx as i64);
    let mut acc = [_mm512_setzero_si512(); REGS];
    for (i, e) in table.iter().enumerate() {
        let m = _mm512_cmpeq_epi64_mask(_mm512_set1_epi64(i as i64), want);
        let v = load(e);
        for j in 0..REGS {
            acc[j] = _mm512_mask_mov_epi64(acc[j], m, v[j]);
        }
    }
    store(out, &acc);
}

/// The value of `x <= n` as 16 limbs reduced mod `n` (masked subtraction).
fn reduce_out(x: &Num, n: &[u64; 16]) -> [u64; 16] {
    let t = x.limbs();
    let mut out = [0u64; 16];
    let mut borrow = 0;
    for j in 0..16 {
        (out[j], borrow) = crate::bigint::sbb(t[j], n[j], borrow);
    }
    let (_, under) = crate::bigint::sbb(t[16], 0, borrow);
    crate::bigint::ct_assign(&mut out, &t[..16], crate::bigint::mask(under));
    out
}

/// One exponentiation's inputs: the modulus `n` (16 limbs, odd, `n0 = -n^-1 mod
/// 2^64`), `one = 2^1040 mod n`, `base_r = base 2^1040 mod n` (the Montgomery forms
/// for this code's `R`), and the exponent with its public bit length.
pub(crate) struct PowInput<'a> {
    pub n: &'a [u64; 16],
    pub n0: u64,
    pub one: &'a [u64; 16],
    pub base_r: &'a [u64; 16],
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

#[target_feature(enable = "avx512f,avx512ifma")]
fn pow_ifma<const K: usize>(inp: [&PowInput<'_>; K]) -> [[u64; 16]; K] {
    let ctx: [Ctx; K] = core::array::from_fn(|k| Ctx::new(inp[k].n, inp[k].n0));
    let ctx_ref: [&Ctx; K] = core::array::from_fn(|k| &ctx[k]);
    let mut table = [[Num::ZERO; 1 << W]; K];
    for k in 0..K {
        table[k][0] = Num::from_limbs(inp[k].one);
        table[k][1] = Num::from_limbs(inp[k].base_r);
    }
    for i in 2..(1 << W) {
        let mut next = [Num::ZERO; K];
        {
            let (prev, base): ([&Num; K], [&Num; K]) = (
                core::array::from_fn(|k| &table[k][i - 1]),
                core::array::from_fn(|k| &table[k][1]),
            );
            amm(next.each_mut(), prev, base, ctx_ref);
        }
        for k in 0..K {
            table[k][i] = next[k];
        }
    }
    let mut acc: [Num; K] = core::array::from_fn(|k| table[k][0]);
    let mut tmp = [Num::ZERO; K];
    let mut entry = [Num::ZERO; K];
    let bits = inp.iter().map(|x| x.exp_bits).max().unwrap_or(0);
    for w in (0..bits.div_ceil(W)).rev() {
        for _ in 0..W {
            amm(tmp.each_mut(), acc.each_ref(), acc.each_ref(), ctx_ref);
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
        amm(tmp.each_mut(), acc.each_ref(), entry.each_ref(), ctx_ref);
        core::mem::swap(&mut acc, &mut tmp);
    }
    // Out of the Montgomery form: acc / R + n < 1 + n, so at most n.
    let mut unit = Num::ZERO;
    unit.0[0] = 1;
    let units = [&unit; K];
    amm(tmp.each_mut(), acc.each_ref(), units, ctx_ref);
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

/// One multiplication for the tests: `a b / 2^1040` reduced mod `n`, for `a, b <
/// 2^1025` given as 17 limbs (so operands up to `n + n` are checked too). `None`
/// without AVX-512 IFMA.
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
    let from17 = |x: &[u64; 17]| {
        let mut r = Num::from_limbs(x[..16].try_into().expect("16 limbs"));
        // Bit 1024 is digit 19's bit 36 (1024 = 19 * 52 + 36).
        r.0[19] |= x[16] << 36;
        r
    };
    let (ra, rb) = (from17(a), from17(b));
    let ctx = Ctx::new(n, n0);
    let mut out = Num::ZERO;
    let mut back = Num::ZERO;
    let mut unit = Num::ZERO;
    unit.0[0] = 1;
    // SAFETY: AVX-512F and AVX-512 IFMA were detected (`available(f)`).
    unsafe {
        amm([&mut out], [&ra], [&rb], [&ctx]);
        // The result may be up to 2^1025: one more multiplication by 1 brings it
        // to at most n (a b / 2^2080), which the caller undoes.
        amm([&mut back], [&out], [&unit], [&ctx]);
    }
    Some(reduce_out(&back, n))
}
