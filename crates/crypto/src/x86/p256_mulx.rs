//! Montgomery multiplication and squaring modulo the P-256 prime
//! p = 2^256 - 2^224 + 2^192 + 2^96 - 1 with BMI2 (`mulx`) and ADX (`adcx`, `adox`),
//! in inline assembly: the same arithmetic as the portable `FieldP::mul` / `sqr`
//! (operand scanning interleaved with the reduction; n0 = 1 because p = -1 mod
//! 2^64, and `q p = q 2^96 - q + q P3 2^192` for P3 = p's top limb), after
//! ecp_nistz256's `mul_montx` / `sqr_montx` (Gueron and Krasnov 2015).
//!
//! `mulx` leaves the flags alone, so a row of products is added with two carry
//! chains at once: `adcx` (CF) takes the low halves, `adox` (OF) the high halves.
//!
//! Constant time: straight-line code, no branch and no memory address that depends
//! on the operands; the final conditional subtraction of p is `cmovc`.
//!
//! Bounds (as in the portable code): for `a < 2^256` and `b < p` every round's
//! five-word accumulator stays below `a + p < 2^257` (its top word is 0 or 1, and
//! the six-word sum before a reduction fits), and the result `(a b + Q p) / 2^256`
//! is below `b + p < 2p`, so one subtraction of p reduces it fully. The squaring's
//! 512-bit `a^2` is reduced like `p256_reduce`: four rounds on the low half, then
//! the high half is added and p subtracted once.

use crate::backend::Bmi2Adx;

/// Four little-endian limbs.
type Limbs = [u64; 4];

/// p's top limb.
const P3: u64 = 0xffff_ffff_0000_0001;

/// `a b / 2^256 mod p` (Montgomery product); `b < p`, `a < 2^256`.
#[inline(always)]
pub(crate) fn mul(_cpu: Bmi2Adx, a: &Limbs, b: &Limbs) -> Limbs {
    let (o0, o1, o2, o3);
    // SAFETY: the `Bmi2Adx` token exists only when the CPU has BMI2 and ADX (see
    // `backend.rs`), so `mulx`, `adcx` and `adox` are available. The block reads
    // the 32 bytes behind `a` and `b` (two valid `&[u64; 4]`), writes only the
    // registers it declares, and does not touch the stack.
    unsafe {
        core::arch::asm!(
            // Round 0: (r0..r4) = a b0.
            "mov rdx, qword ptr [{b}]",
            "mulx {r1}, {r0}, qword ptr [{a}]",
            "mulx {r2}, {t0}, qword ptr [{a} + 8]",
            "add {r1}, {t0}",
            "mulx {r3}, {t0}, qword ptr [{a} + 16]",
            "adc {r2}, {t0}",
            "mulx {r4}, {t0}, qword ptr [{a} + 24]",
            "adc {r3}, {t0}",
            "adc {r4}, 0",
            "xor {r5}, {r5}",
            // + q p for q = r0: the low word cancels; (r1..r5) remain.
            "mov rdx, {r0}",
            "mulx {t1}, {t0}, {p3}",
            "shl rdx, 32",
            "shr {r0}, 32",
            "add {r1}, rdx",
            "adc {r2}, {r0}",
            "adc {r3}, {t0}",
            "adc {r4}, {t1}",
            "adc {r5}, 0",
            // Round 1: (r1..r5, r0) += a b1, CF carrying the low halves, OF the high.
            "mov rdx, qword ptr [{b} + 8]",
            "xor {r0}, {r0}",
            "mulx {t1}, {t0}, qword ptr [{a}]",
            "adcx {r1}, {t0}",
            "adox {r2}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 8]",
            "adcx {r2}, {t0}",
            "adox {r3}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 16]",
            "adcx {r3}, {t0}",
            "adox {r4}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 24]",
            "adcx {r4}, {t0}",
            "adox {r5}, {t1}",
            "adcx {r5}, {r0}",
            "adox {r0}, {r0}",
            "adc {r0}, 0",
            // + q p for q = r1; (r2..r5, r0) remain.
            "mov rdx, {r1}",
            "mulx {t1}, {t0}, {p3}",
            "shl rdx, 32",
            "shr {r1}, 32",
            "add {r2}, rdx",
            "adc {r3}, {r1}",
            "adc {r4}, {t0}",
            "adc {r5}, {t1}",
            "adc {r0}, 0",
            // Round 2: (r2..r5, r0, r1) += a b2.
            "mov rdx, qword ptr [{b} + 16]",
            "xor {r1}, {r1}",
            "mulx {t1}, {t0}, qword ptr [{a}]",
            "adcx {r2}, {t0}",
            "adox {r3}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 8]",
            "adcx {r3}, {t0}",
            "adox {r4}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 16]",
            "adcx {r4}, {t0}",
            "adox {r5}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 24]",
            "adcx {r5}, {t0}",
            "adox {r0}, {t1}",
            "adcx {r0}, {r1}",
            "adox {r1}, {r1}",
            "adc {r1}, 0",
            // + q p for q = r2; (r3..r5, r0, r1) remain.
            "mov rdx, {r2}",
            "mulx {t1}, {t0}, {p3}",
            "shl rdx, 32",
            "shr {r2}, 32",
            "add {r3}, rdx",
            "adc {r4}, {r2}",
            "adc {r5}, {t0}",
            "adc {r0}, {t1}",
            "adc {r1}, 0",
            // Round 3: (r3..r5, r0, r1, r2) += a b3.
            "mov rdx, qword ptr [{b} + 24]",
            "xor {r2}, {r2}",
            "mulx {t1}, {t0}, qword ptr [{a}]",
            "adcx {r3}, {t0}",
            "adox {r4}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 8]",
            "adcx {r4}, {t0}",
            "adox {r5}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 16]",
            "adcx {r5}, {t0}",
            "adox {r0}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 24]",
            "adcx {r0}, {t0}",
            "adox {r1}, {t1}",
            "adcx {r1}, {r2}",
            "adox {r2}, {r2}",
            "adc {r2}, 0",
            // + q p for q = r3; (r4, r5, r0, r1, r2) remain, below 2p.
            "mov rdx, {r3}",
            "mulx {t1}, {t0}, {p3}",
            "shl rdx, 32",
            "shr {r3}, 32",
            "add {r4}, rdx",
            "adc {r5}, {r3}",
            "adc {r0}, {t0}",
            "adc {r1}, {t1}",
            "adc {r2}, 0",
            // Subtract p; keep the difference unless it borrowed (cmovc).
            "mov {t0}, {r4}",
            "mov {t1}, {r5}",
            "mov {r3}, {r0}",
            "mov rdx, {r1}",
            "mov {b:e}, 0xffffffff",
            "sub {r4}, -1",
            "sbb {r5}, {b}",
            "sbb {r0}, 0",
            "sbb {r1}, {p3}",
            "sbb {r2}, 0",
            "cmovc {r4}, {t0}",
            "cmovc {r5}, {t1}",
            "cmovc {r0}, {r3}",
            "cmovc {r1}, rdx",
            a = in(reg) a.as_ptr(),
            b = inout(reg) b.as_ptr() => _,
            p3 = in(reg) P3,
            r0 = out(reg) o2,
            r1 = out(reg) o3,
            r2 = out(reg) _,
            r3 = out(reg) _,
            r4 = out(reg) o0,
            r5 = out(reg) o1,
            t0 = out(reg) _,
            t1 = out(reg) _,
            out("rdx") _,
            options(pure, readonly, nostack),
        );
    }
    [o0, o1, o2, o3]
}

/// `a^2 / 2^256 mod p` (Montgomery square); `a < p` (for `a >= p` the result is
/// the portable code's, which may then not be fully reduced).
#[inline(always)]
pub(crate) fn sqr(_cpu: Bmi2Adx, a: &Limbs) -> Limbs {
    let (o0, o1, o2, o3);
    // SAFETY: as in `mul`: the token proves BMI2 and ADX; the block reads the 32
    // bytes behind `a` only, writes only its declared registers, no stack.
    unsafe {
        core::arch::asm!(
            // Cross products a_i a_j (i < j) into (w1..w6).
            "mov rdx, qword ptr [{a}]",
            "mulx {w2}, {w1}, qword ptr [{a} + 8]",
            "mulx {w3}, {t0}, qword ptr [{a} + 16]",
            "add {w2}, {t0}",
            "mulx {w4}, {t0}, qword ptr [{a} + 24]",
            "adc {w3}, {t0}",
            "adc {w4}, 0",
            "mov rdx, qword ptr [{a} + 8]",
            "xor {w5}, {w5}",
            "mulx {t1}, {t0}, qword ptr [{a} + 16]",
            "adcx {w3}, {t0}",
            "adox {w4}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 24]",
            "adcx {w4}, {t0}",
            "adox {w5}, {t1}",
            "adc {w5}, 0",
            "mov rdx, qword ptr [{a} + 16]",
            "mulx {w6}, {t0}, qword ptr [{a} + 24]",
            "add {w5}, {t0}",
            "adc {w6}, 0",
            // Doubled (CF chain) plus the squares a_i^2 at word 2i (OF chain).
            "mov rdx, qword ptr [{a}]",
            "xor {w7}, {w7}",
            "mulx {t1}, {w0}, rdx",
            "adcx {w1}, {w1}",
            "adox {w1}, {t1}",
            "mov rdx, qword ptr [{a} + 8]",
            "mulx {t1}, {t0}, rdx",
            "adcx {w2}, {w2}",
            "adox {w2}, {t0}",
            "adcx {w3}, {w3}",
            "adox {w3}, {t1}",
            "mov rdx, qword ptr [{a} + 16]",
            "mulx {t1}, {t0}, rdx",
            "adcx {w4}, {w4}",
            "adox {w4}, {t0}",
            "adcx {w5}, {w5}",
            "adox {w5}, {t1}",
            "mov rdx, qword ptr [{a} + 24]",
            "mulx {t1}, {t0}, rdx",
            "adcx {w6}, {w6}",
            "adox {w6}, {t0}",
            "adcx {w7}, {w7}",
            "adox {w7}, {t1}",
            // Four reduction rounds on the low half: + q p for q the low word,
            // shift down one word (the top word is floor(q P3 / 2^64) + carry,
            // which cannot overflow since P3 < 2^64 - 1).
            "mov rdx, {w0}",
            "shl {w0}, 32",
            "mulx {t1}, {t0}, {p3}",
            "shr rdx, 32",
            "add {w1}, {w0}",
            "adc {w2}, rdx",
            "adc {w3}, {t0}",
            "adc {t1}, 0",
            "mov {w0}, {t1}",
            "mov rdx, {w1}",
            "shl {w1}, 32",
            "mulx {t1}, {t0}, {p3}",
            "shr rdx, 32",
            "add {w2}, {w1}",
            "adc {w3}, rdx",
            "adc {w0}, {t0}",
            "adc {t1}, 0",
            "mov {w1}, {t1}",
            "mov rdx, {w2}",
            "shl {w2}, 32",
            "mulx {t1}, {t0}, {p3}",
            "shr rdx, 32",
            "add {w3}, {w2}",
            "adc {w0}, rdx",
            "adc {w1}, {t0}",
            "adc {t1}, 0",
            "mov {w2}, {t1}",
            "mov rdx, {w3}",
            "shl {w3}, 32",
            "mulx {t1}, {t0}, {p3}",
            "shr rdx, 32",
            "add {w0}, {w3}",
            "adc {w1}, rdx",
            "adc {w2}, {t0}",
            "adc {t1}, 0",
            "mov {w3}, {t1}",
            // Plus the high half, with its carry in t1.
            "add {w0}, {w4}",
            "adc {w1}, {w5}",
            "adc {w2}, {w6}",
            "adc {w3}, {w7}",
            "mov {t1}, 0",
            "adc {t1}, 0",
            // Subtract p; keep the difference unless it borrowed.
            "mov {w4}, {w0}",
            "mov {w5}, {w1}",
            "mov {w6}, {w2}",
            "mov {w7}, {w3}",
            "mov {t0:e}, 0xffffffff",
            "sub {w0}, -1",
            "sbb {w1}, {t0}",
            "sbb {w2}, 0",
            "sbb {w3}, {p3}",
            "sbb {t1}, 0",
            "cmovc {w0}, {w4}",
            "cmovc {w1}, {w5}",
            "cmovc {w2}, {w6}",
            "cmovc {w3}, {w7}",
            a = in(reg) a.as_ptr(),
            p3 = in(reg) P3,
            w0 = out(reg) o0,
            w1 = out(reg) o1,
            w2 = out(reg) o2,
            w3 = out(reg) o3,
            w4 = out(reg) _,
            w5 = out(reg) _,
            w6 = out(reg) _,
            w7 = out(reg) _,
            t0 = out(reg) _,
            t1 = out(reg) _,
            out("rdx") _,
            options(pure, readonly, nostack),
        );
    }
    [o0, o1, o2, o3]
}

/// `a + b mod p` for `a, b < p`: the sum, then p subtracted unless that borrows
/// beyond the sum's carry (`cmovc` keeps the sum).
#[inline(always)]
pub(crate) fn add(_cpu: Bmi2Adx, a: &Limbs, b: &Limbs) -> Limbs {
    let [mut r0, mut r1, mut r2, mut r3] = *a;
    // SAFETY: plain x86-64 register arithmetic (the token is kept for
    // uniformity); no memory access, no stack.
    unsafe {
        core::arch::asm!(
            "add {r0}, {b0}",
            "adc {r1}, {b1}",
            "adc {r2}, {b2}",
            "adc {r3}, {b3}",
            "sbb {c}, {c}",
            "mov {b0}, {r0}",
            "mov {b1}, {r1}",
            "mov {b2}, {r2}",
            "mov {b3}, {r3}",
            "mov {t:e}, 0xffffffff",
            "sub {r0}, -1",
            "sbb {r1}, {t}",
            "sbb {r2}, 0",
            "sbb {r3}, {p3}",
            "sbb {c}, 0",
            "cmovc {r0}, {b0}",
            "cmovc {r1}, {b1}",
            "cmovc {r2}, {b2}",
            "cmovc {r3}, {b3}",
            r0 = inout(reg) r0,
            r1 = inout(reg) r1,
            r2 = inout(reg) r2,
            r3 = inout(reg) r3,
            b0 = inout(reg) b[0] => _,
            b1 = inout(reg) b[1] => _,
            b2 = inout(reg) b[2] => _,
            b3 = inout(reg) b[3] => _,
            p3 = in(reg) P3,
            c = out(reg) _,
            t = out(reg) _,
            options(pure, nomem, nostack),
        );
    }
    [r0, r1, r2, r3]
}

/// `a - b mod p` for `a, b < p`: the difference, plus p when it borrowed (p
/// masked by the borrow).
#[inline(always)]
pub(crate) fn sub(_cpu: Bmi2Adx, a: &Limbs, b: &Limbs) -> Limbs {
    let [mut r0, mut r1, mut r2, mut r3] = *a;
    // SAFETY: as in `add`.
    unsafe {
        core::arch::asm!(
            "sub {r0}, {b0}",
            "sbb {r1}, {b1}",
            "sbb {r2}, {b2}",
            "sbb {r3}, {b3}",
            "sbb {m}, {m}",
            "mov {b1:e}, 0xffffffff",
            "and {b1}, {m}",
            "mov {b3}, {p3}",
            "and {b3}, {m}",
            "add {r0}, {m}",
            "adc {r1}, {b1}",
            "adc {r2}, 0",
            "adc {r3}, {b3}",
            r0 = inout(reg) r0,
            r1 = inout(reg) r1,
            r2 = inout(reg) r2,
            r3 = inout(reg) r3,
            b0 = in(reg) b[0],
            b1 = inout(reg) b[1] => _,
            b2 = in(reg) b[2],
            b3 = inout(reg) b[3] => _,
            p3 = in(reg) P3,
            m = out(reg) _,
            options(pure, nomem, nostack),
        );
    }
    [r0, r1, r2, r3]
}
