//! GF(2^255 - 19) on four 64-bit limbs with BMI2 (`mulx`) and ADX (`adcx`, `adox`):
//! the X25519 ladder's field when the CPU has them (the portable ladder runs on
//! five 51-bit limbs, `curve25519::field`).
//!
//! Elements are any 256-bit value congruent to the element (not necessarily below
//! p); since 2^256 = 38 (mod p), a carry out of the top limb is folded back as +38
//! and a borrow as -38, the shape of OpenSSL's `x25519-x86_64` (fe64) code. Only
//! [`Fe64Ops::encode`] reduces fully.
//!
//! Constant time: the multiplication and squaring are straight-line assembly;
//! the folds multiply the carry (0 or 1) by 38 instead of branching on it, and the
//! swap and the final reduction use masks.

use crate::backend::Bmi2Adx;
use crate::curve25519::x25519::LadderField;

/// Four little-endian limbs, any value below 2^256.
pub(crate) type Fe64 = [u64; 4];

/// The field operations, on a CPU with BMI2 and ADX.
#[derive(Clone, Copy)]
pub(crate) struct Fe64Ops(pub(crate) Bmi2Adx);

/// `a + b + carry`, and the carry out.
#[inline(always)]
fn adc(a: u64, b: u64, c: u64) -> (u64, u64) {
    let s = u128::from(a) + u128::from(b) + u128::from(c);
    (s as u64, (s >> 64) as u64)
}

/// `a b mod p` (not fully reduced): the 512-bit product, then its high half times
/// 38 added to the low half, then the top word (below 40) folded: 38 times
/// it added at the bottom, and a carry out of that (only when the low limbs are
/// then tiny) one more 38.
#[inline(always)]
fn mul(_cpu: Bmi2Adx, a: &Fe64, b: &Fe64) -> Fe64 {
    let (o0, o1, o2, o3);
    // SAFETY: the `Bmi2Adx` token exists only when the CPU has BMI2 and ADX (see
    // `backend.rs`). The block reads the 32 bytes behind `a` and `b` (valid
    // `&[u64; 4]`), writes only its declared registers, and does not use the stack.
    unsafe {
        core::arch::asm!(
            // Row b0: (r0..r4) = a b0.
            "mov rdx, qword ptr [{b}]",
            "mulx {r1}, {r0}, qword ptr [{a}]",
            "mulx {r2}, {t0}, qword ptr [{a} + 8]",
            "add {r1}, {t0}",
            "mulx {r3}, {t0}, qword ptr [{a} + 16]",
            "adc {r2}, {t0}",
            "mulx {r4}, {t0}, qword ptr [{a} + 24]",
            "adc {r3}, {t0}",
            "adc {r4}, 0",
            // Row b1 into (r1..r5): low halves on CF, high halves on OF.
            "mov rdx, qword ptr [{b} + 8]",
            "xor {r5:e}, {r5:e}",
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
            "adc {r5}, 0",
            // Row b2 into (r2..r6).
            "mov rdx, qword ptr [{b} + 16]",
            "xor {r6:e}, {r6:e}",
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
            "adox {r6}, {t1}",
            "adc {r6}, 0",
            // Row b3 into (r3..r7).
            "mov rdx, qword ptr [{b} + 24]",
            "xor {r7:e}, {r7:e}",
            "mulx {t1}, {t0}, qword ptr [{a}]",
            "adcx {r3}, {t0}",
            "adox {r4}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 8]",
            "adcx {r4}, {t0}",
            "adox {r5}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 16]",
            "adcx {r5}, {t0}",
            "adox {r6}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 24]",
            "adcx {r6}, {t0}",
            "adox {r7}, {t1}",
            "adc {r7}, 0",
            // (r0..r3) + 38 (r4..r7), the top word into r4.
            "mov edx, 38",
            "xor {a:e}, {a:e}",
            "mulx {t1}, {t0}, {r4}",
            "adcx {r0}, {t0}",
            "adox {r1}, {t1}",
            "mulx {t1}, {t0}, {r5}",
            "adcx {r1}, {t0}",
            "adox {r2}, {t1}",
            "mulx {t1}, {t0}, {r6}",
            "adcx {r2}, {t0}",
            "adox {r3}, {t1}",
            "mulx {r4}, {t0}, {r7}",
            "adcx {r3}, {t0}",
            "adox {r4}, {a}",
            "adcx {r4}, {a}",
            // Fold the top word (below 40) as 38 top, then a last carry as 38.
            "imul {r4}, {r4}, 38",
            "add {r0}, {r4}",
            "adc {r1}, 0",
            "adc {r2}, 0",
            "adc {r3}, 0",
            "sbb {r4}, {r4}",
            "and {r4}, 38",
            "add {r0}, {r4}",
            a = inout(reg) a.as_ptr() => _,
            b = in(reg) b.as_ptr(),
            r0 = out(reg) o0,
            r1 = out(reg) o1,
            r2 = out(reg) o2,
            r3 = out(reg) o3,
            r4 = out(reg) _,
            r5 = out(reg) _,
            r6 = out(reg) _,
            r7 = out(reg) _,
            t0 = out(reg) _,
            t1 = out(reg) _,
            out("rdx") _,
            options(pure, readonly, nostack),
        );
    }
    [o0, o1, o2, o3]
}

/// `a^2 mod p` (not fully reduced): six cross products doubled plus four squares,
/// then the same reduction as [`mul`].
#[inline(always)]
fn sqr(_cpu: Bmi2Adx, a: &Fe64) -> Fe64 {
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
            "xor {w5:e}, {w5:e}",
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
            "xor {w7:e}, {w7:e}",
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
            // (w0..w3) + 38 (w4..w7), the top word into w4.
            "mov edx, 38",
            "xor {a:e}, {a:e}",
            "mulx {t1}, {t0}, {w4}",
            "adcx {w0}, {t0}",
            "adox {w1}, {t1}",
            "mulx {t1}, {t0}, {w5}",
            "adcx {w1}, {t0}",
            "adox {w2}, {t1}",
            "mulx {t1}, {t0}, {w6}",
            "adcx {w2}, {t0}",
            "adox {w3}, {t1}",
            "mulx {w4}, {t0}, {w7}",
            "adcx {w3}, {t0}",
            "adox {w4}, {a}",
            "adcx {w4}, {a}",
            // Fold the top word (below 40) as 38 top, then a last carry as 38.
            "imul {w4}, {w4}, 38",
            "add {w0}, {w4}",
            "adc {w1}, 0",
            "adc {w2}, 0",
            "adc {w3}, 0",
            "sbb {w4}, {w4}",
            "and {w4}, 38",
            "add {w0}, {w4}",
            a = inout(reg) a.as_ptr() => _,
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

/// `a + b mod p` (not fully reduced): a carry out of the top limb is 38 at the
/// bottom, and the carry out of that (then the low limbs are below 38) once more.
#[inline(always)]
fn add(_cpu: Bmi2Adx, a: &Fe64, b: &Fe64) -> Fe64 {
    let [mut r0, mut r1, mut r2, mut r3] = *a;
    // SAFETY: plain x86-64 register arithmetic (the token is kept for
    // uniformity); no memory access, no stack.
    unsafe {
        core::arch::asm!(
            "add {r0}, {b0}",
            "adc {r1}, {b1}",
            "adc {r2}, {b2}",
            "adc {r3}, {b3}",
            "sbb {t}, {t}",
            "and {t}, 38",
            "add {r0}, {t}",
            "adc {r1}, 0",
            "adc {r2}, 0",
            "adc {r3}, 0",
            "sbb {t}, {t}",
            "and {t}, 38",
            "add {r0}, {t}",
            r0 = inout(reg) r0,
            r1 = inout(reg) r1,
            r2 = inout(reg) r2,
            r3 = inout(reg) r3,
            b0 = in(reg) b[0],
            b1 = in(reg) b[1],
            b2 = in(reg) b[2],
            b3 = in(reg) b[3],
            t = out(reg) _,
            options(pure, nomem, nostack),
        );
    }
    [r0, r1, r2, r3]
}

/// `a - b mod p` (not fully reduced): a borrow out of the top limb means 2^256 too
/// little, that is 38 too much; a second borrow leaves the low limb at least
/// 2^64 - 38, so the last subtraction cannot borrow.
#[inline(always)]
fn sub(_cpu: Bmi2Adx, a: &Fe64, b: &Fe64) -> Fe64 {
    let [mut r0, mut r1, mut r2, mut r3] = *a;
    // SAFETY: as in `add`.
    unsafe {
        core::arch::asm!(
            "sub {r0}, {b0}",
            "sbb {r1}, {b1}",
            "sbb {r2}, {b2}",
            "sbb {r3}, {b3}",
            "sbb {t}, {t}",
            "and {t}, 38",
            "sub {r0}, {t}",
            "sbb {r1}, 0",
            "sbb {r2}, 0",
            "sbb {r3}, 0",
            "sbb {t}, {t}",
            "and {t}, 38",
            "sub {r0}, {t}",
            r0 = inout(reg) r0,
            r1 = inout(reg) r1,
            r2 = inout(reg) r2,
            r3 = inout(reg) r3,
            b0 = in(reg) b[0],
            b1 = in(reg) b[1],
            b2 = in(reg) b[2],
            b3 = in(reg) b[3],
            t = out(reg) _,
            options(pure, nomem, nostack),
        );
    }
    [r0, r1, r2, r3]
}

/// `a 121665 mod p` (not fully reduced): five words, the fifth (below 2^17)
/// folded as 38 times itself, then a last carry.
#[inline(always)]
fn mul_a24(_cpu: Bmi2Adx, a: &Fe64) -> Fe64 {
    let (o0, o1, o2, o3);
    // SAFETY: the token proves BMI2 (`mulx`); the block reads the 32 bytes behind
    // `a` only, writes only its declared registers, no stack.
    unsafe {
        core::arch::asm!(
            "mov edx, 121665",
            "mulx {r1}, {r0}, qword ptr [{a}]",
            "mulx {r2}, {t}, qword ptr [{a} + 8]",
            "add {r1}, {t}",
            "mulx {r3}, {t}, qword ptr [{a} + 16]",
            "adc {r2}, {t}",
            "mulx {r4}, {t}, qword ptr [{a} + 24]",
            "adc {r3}, {t}",
            "adc {r4}, 0",
            "imul {r4}, {r4}, 38",
            "add {r0}, {r4}",
            "adc {r1}, 0",
            "adc {r2}, 0",
            "adc {r3}, 0",
            "sbb {r4}, {r4}",
            "and {r4}, 38",
            "add {r0}, {r4}",
            a = in(reg) a.as_ptr(),
            r0 = out(reg) o0,
            r1 = out(reg) o1,
            r2 = out(reg) o2,
            r3 = out(reg) o3,
            r4 = out(reg) _,
            t = out(reg) _,
            out("rdx") _,
            options(pure, readonly, nostack),
        );
    }
    [o0, o1, o2, o3]
}

impl LadderField for Fe64Ops {
    type E = Fe64;

    /// RFC 7748 §5: little-endian, the top bit masked; values from p to 2^255 - 1
    /// are kept as they are (the arithmetic is modulo p anyway).
    fn decode(&self, u: &[u8; 32]) -> Fe64 {
        let mut l: Fe64 =
            core::array::from_fn(|i| u64::from_le_bytes(u[8 * i..8 * i + 8].try_into().unwrap()));
        l[3] &= (1 << 63) - 1;
        l
    }

    /// The canonical encoding: fold bit 255 (2^255 = 19), then subtract p once by mask.
    fn encode(&self, a: &Fe64) -> [u8; 32] {
        let top = a[3] >> 63;
        let (r0, c) = adc(a[0], top * 19, 0);
        let (r1, c) = adc(a[1], 0, c);
        let (r2, c) = adc(a[2], 0, c);
        let r3 = (a[3] & ((1 << 63) - 1)) + c;
        // r < 2^255 + 19. r >= p exactly when r + 19 has bit 255 set; then the
        // result is (r + 19) mod 2^255.
        let (s0, c) = adc(r0, 19, 0);
        let (s1, c) = adc(r1, 0, c);
        let (s2, c) = adc(r2, 0, c);
        let s3 = r3 + c;
        let ge = core::hint::black_box(0u64.wrapping_sub(s3 >> 63));
        let r = [
            (r0 & !ge) | (s0 & ge),
            (r1 & !ge) | (s1 & ge),
            (r2 & !ge) | (s2 & ge),
            (r3 & !ge) | ((s3 & ((1 << 63) - 1)) & ge),
        ];
        let mut out = [0u8; 32];
        for (i, w) in r.iter().enumerate() {
            out[8 * i..8 * i + 8].copy_from_slice(&w.to_le_bytes());
        }
        out
    }

    fn zero(&self) -> Fe64 {
        [0; 4]
    }

    fn one(&self) -> Fe64 {
        [1, 0, 0, 0]
    }

    #[inline(always)]
    fn add(&self, a: &Fe64, b: &Fe64) -> Fe64 {
        add(self.0, a, b)
    }

    #[inline(always)]
    fn sub(&self, a: &Fe64, b: &Fe64) -> Fe64 {
        sub(self.0, a, b)
    }

    #[inline(always)]
    fn mul(&self, a: &Fe64, b: &Fe64) -> Fe64 {
        mul(self.0, a, b)
    }

    #[inline(always)]
    fn sqr(&self, a: &Fe64) -> Fe64 {
        sqr(self.0, a)
    }

    #[inline(always)]
    fn mul_a24(&self, a: &Fe64) -> Fe64 {
        mul_a24(self.0, a)
    }

    #[inline(always)]
    fn cswap(&self, a: &mut Fe64, b: &mut Fe64, choice: u64) {
        // black_box: keep LLVM from turning the masked swap into a branch.
        let m = core::hint::black_box(0u64.wrapping_sub(choice));
        for i in 0..4 {
            let t = (a[i] ^ b[i]) & m;
            a[i] ^= t;
            b[i] ^= t;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Features;
    use crate::curve25519::field::Fe;
    use rand::{RngCore, SeedableRng};

    /// The portable element equal to `a` (any 256-bit value): bit 255 is 19.
    fn reference(a: &Fe64) -> Fe {
        let mut b = [0u8; 32];
        for i in 0..4 {
            b[8 * i..8 * i + 8].copy_from_slice(&a[i].to_le_bytes());
        }
        let top = (a[3] >> 63) * 19;
        Fe::from_bytes(&b).add(&Fe([top, 0, 0, 0, 0]))
    }

    fn values() -> alloc::vec::Vec<Fe64> {
        const P: Fe64 = [
            0xffff_ffff_ffff_ffed,
            u64::MAX,
            u64::MAX,
            0x7fff_ffff_ffff_ffff,
        ];
        let mut v = alloc::vec![
            [0; 4],
            [1, 0, 0, 0],
            [2, 0, 0, 0],
            [37, 0, 0, 0],
            [38, 0, 0, 0],
            [u64::MAX; 4],
            [u64::MAX - 37, u64::MAX, u64::MAX, u64::MAX],
            [0, 0, 0, 1 << 63],
            [u64::MAX, 0, u64::MAX, 0],
            [121_665, 0, 0, 0],
        ];
        // p - 1, p, p + 1, ..., 2^255 - 1 (= p + 18) and 2p - 1 .. 2p + 1.
        for d in [-1i64, 0, 1, 18, 19] {
            let mut x = P;
            x[0] = x[0].wrapping_add(d as u64);
            v.push(x);
        }
        let two_p = [P[0] << 1, u64::MAX, u64::MAX, u64::MAX];
        for d in [-1i64, 0, 1] {
            let mut x = two_p;
            x[0] = x[0].wrapping_add(d as u64);
            v.push(x);
        }
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(25519);
        for _ in 0..1500 {
            v.push(core::array::from_fn(|_| rng.next_u64()));
            // Sparse values and values with long runs of ones.
            let k = (rng.next_u32() % 4) as usize;
            let mut s = [0u64; 4];
            s[k] = rng.next_u64();
            v.push(s);
            let mut o = [u64::MAX; 4];
            o[k] = rng.next_u64();
            v.push(o);
        }
        v
    }

    /// Every operation against the portable 51-bit field, compared on canonical
    /// encodings, on random and edge values (0, 1, p - 1, p, p + 1, 2^255 - 1,
    /// 2p, 2^256 - 1, ...). Values at or above p are valid inputs here.
    #[test]
    fn operations_match_portable_field() {
        let Some(cpu) = Bmi2Adx::new(Features::detected()) else {
            eprintln!("skipped: this CPU lacks BMI2 or ADX");
            return;
        };
        let f = Fe64Ops(cpu);
        let vals = values();
        for (i, a) in vals.iter().enumerate() {
            let ra = reference(a);
            assert_eq!(f.encode(a), ra.to_bytes(), "encode {a:x?}");
            assert_eq!(f.encode(&f.sqr(a)), ra.square().to_bytes(), "sqr {a:x?}");
            assert_eq!(
                f.encode(&f.mul_a24(a)),
                ra.mul_small(121_665).to_bytes(),
                "a24 {a:x?}"
            );
            for j in [0, 5, 12, vals.len() - 1 - i, (i * 37 + 11) % vals.len()] {
                let b = &vals[j];
                let rb = reference(b);
                assert_eq!(
                    f.encode(&f.mul(a, b)),
                    ra.mul(&rb).to_bytes(),
                    "mul {a:x?} {b:x?}"
                );
                assert_eq!(
                    f.encode(&f.add(a, b)),
                    ra.add(&rb).to_bytes(),
                    "add {a:x?} {b:x?}"
                );
                assert_eq!(
                    f.encode(&f.sub(a, b)),
                    ra.sub(&rb).to_bytes(),
                    "sub {a:x?} {b:x?}"
                );
                let (mut x, mut y) = (*a, *b);
                f.cswap(&mut x, &mut y, 0);
                assert_eq!((x, y), (*a, *b));
                f.cswap(&mut x, &mut y, 1);
                assert_eq!((x, y), (*b, *a));
            }
        }
    }
}
