//! Montgomery arithmetic modulo a 256-bit odd prime: the P-256 base field (p) and
//! scalar field (n) of FIPS 186-4 §D.1.2.3 / SP 800-186 §3.2.1.3, on four `u64`
//! limbs. Elements are kept in the Montgomery domain (`a * 2^256 mod m`) and fully
//! reduced; every operation runs in constant time.

use crate::bigint::{self, adc, mask, sbb};

/// The all-ones-or-zero mask for `bit`: through `black_box` (so that LLVM cannot
/// turn the masked select into a branch) when the data may be secret, plain for
/// the public-data `_vt` variants used by verification.
#[inline(always)]
fn sel_mask<const CT: bool>(bit: u64) -> u64 {
    if CT {
        mask(bit)
    } else {
        0u64.wrapping_sub(bit)
    }
}

/// Four little-endian limbs.
pub(crate) type Limbs = [u64; 4];

/// A prime modulus with its Montgomery constants, computed at compile time.
pub(crate) struct Field {
    pub(crate) m: Limbs,
    n0: u64,
    /// 2^512 mod m.
    rr: Limbs,
    /// 2^256 mod m: one in the Montgomery domain.
    pub(crate) one: Limbs,
}

impl Field {
    pub(crate) const fn new(m: Limbs) -> Field {
        Field {
            m,
            n0: bigint::neg_inv_u64(m[0]),
            rr: crate::ec::mont::pow2_mod(&m, 512),
            one: crate::ec::mont::pow2_mod(&m, 256),
        }
    }

    #[inline(always)]
    pub(crate) fn mul(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let mut out = [0u64; 4];
        mont_mul4(&mut out, a, b, &self.m, self.n0);
        out
    }

    #[inline(always)]
    pub(crate) fn sqr(&self, a: &Limbs) -> Limbs {
        self.mul(a, a)
    }

    #[inline(always)]
    pub(crate) fn add(&self, a: &Limbs, b: &Limbs) -> Limbs {
        self.add_with::<true>(a, b)
    }

    /// [`Field::add`] for public data (verification): the same arithmetic without
    /// the `black_box` barrier on its mask.
    #[inline(always)]
    pub(crate) fn add_vt(&self, a: &Limbs, b: &Limbs) -> Limbs {
        self.add_with::<false>(a, b)
    }

    #[inline(always)]
    fn add_with<const CT: bool>(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let mut r = [0u64; 4];
        let mut c = 0;
        for i in 0..4 {
            (r[i], c) = adc(a[i], b[i], c);
        }
        let mut s = [0u64; 4];
        let mut borrow = 0;
        for i in 0..4 {
            (s[i], borrow) = sbb(r[i], self.m[i], borrow);
        }
        let (_, under) = sbb(c, 0, borrow);
        bigint::ct_assign(&mut s, &r, sel_mask::<CT>(under));
        s
    }

    #[inline(always)]
    pub(crate) fn sub(&self, a: &Limbs, b: &Limbs) -> Limbs {
        self.sub_with::<true>(a, b)
    }

    /// [`Field::sub`] for public data (verification), without the barrier.
    #[inline(always)]
    pub(crate) fn sub_vt(&self, a: &Limbs, b: &Limbs) -> Limbs {
        self.sub_with::<false>(a, b)
    }

    #[inline(always)]
    fn sub_with<const CT: bool>(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let mut r = [0u64; 4];
        let mut borrow = 0;
        for i in 0..4 {
            (r[i], borrow) = sbb(a[i], b[i], borrow);
        }
        let mm = sel_mask::<CT>(borrow);
        let mut c = 0;
        for (ri, mi) in r.iter_mut().zip(&self.m) {
            (*ri, c) = adc(*ri, mi & mm, c);
        }
        r
    }

    /// `-a mod m` (the tests' generic fields; [`FieldP::neg`] is p's).
    #[cfg(test)]
    pub(crate) fn neg(&self, a: &Limbs) -> Limbs {
        self.sub(&[0; 4], a)
    }

    /// Into the Montgomery domain; `a` may be any value below 2^256 (it is reduced).
    pub(crate) fn to_mont(&self, a: &Limbs) -> Limbs {
        self.mul(a, &self.rr)
    }

    /// Out of the Montgomery domain (fully reduced).
    pub(crate) fn leave_mont(&self, a: &Limbs) -> Limbs {
        self.mul(a, &[1, 0, 0, 0])
    }

    /// `a^e` (Montgomery domain in and out) with 4-bit fixed windows and a masked
    /// table scan: safe for secret `a` and secret `e`. The tests' reference for the
    /// inversions.
    #[cfg(test)]
    pub(crate) fn pow(&self, a: &Limbs, e: &Limbs) -> Limbs {
        let mut table = [[0u64; 4]; 16];
        table[0] = self.one;
        table[1] = *a;
        for i in 2..16 {
            table[i] = self.mul(&table[i - 1], a);
        }
        let flat: [u64; 64] = core::array::from_fn(|i| table[i / 4][i % 4]);
        let mut acc = self.one;
        let mut entry = [0u64; 4];
        for w in (0..64).rev() {
            for _ in 0..4 {
                acc = self.sqr(&acc);
            }
            let idx = (e[w / 16] >> (4 * (w % 16))) & 15;
            bigint::select_from_table(&mut entry, &flat, 4, idx);
            acc = self.mul(&acc, &entry);
        }
        acc
    }

    /// `a^e` (Montgomery domain in and out) for a *public* exponent `e`: sliding
    /// windows of up to 5 bits over the odd powers `a, a^3, ..., a^31` (HAC 14.85).
    /// The sequence of squarings, multiplications and table indexes depends on `e`
    /// only, so this is constant time in `a` (which may be secret).
    pub(crate) fn pow_public_exp(&self, a: &Limbs, e: &Limbs) -> Limbs {
        const W: usize = 5;
        let mut odd = [[0u64; 4]; 1 << (W - 1)];
        odd[0] = *a;
        let a2 = self.sqr(a);
        for i in 1..odd.len() {
            odd[i] = self.mul(&odd[i - 1], &a2);
        }
        let bit = |i: usize| (e[i / 64] >> (i % 64)) & 1;
        let mut acc = self.one;
        let mut started = false;
        let mut i = 256usize;
        while i > 0 {
            if bit(i - 1) == 0 {
                if started {
                    acc = self.sqr(&acc);
                }
                i -= 1;
                continue;
            }
            // The window [j, i): at most W bits, its lowest bit set.
            let mut j = i.saturating_sub(W);
            while bit(j) == 0 {
                j += 1;
            }
            let mut v = 0usize;
            for b in (j..i).rev() {
                v = (v << 1) | bit(b) as usize;
                if started {
                    acc = self.sqr(&acc);
                }
            }
            acc = if started {
                self.mul(&acc, &odd[v >> 1])
            } else {
                odd[v >> 1]
            };
            started = true;
            i = j;
        }
        acc
    }

    /// `a^-1` for prime m (0 maps to 0), Montgomery domain in and out, in constant
    /// time: Bernstein-Yang safegcd on the Montgomery value `a R` gives
    /// `a^-1 R^-1`, and two multiplications by `R^2` bring it to `a^-1 R`. About a
    /// third of the time of Fermat's `a^(m-2)` ([`Field::invert_fermat`]). The
    /// generic field's, the tests' reference ([`FieldP::invert`] is p's).
    #[cfg(test)]
    pub(crate) fn invert(&self, a: &Limbs) -> Limbs {
        match crate::rsa::arith::ct_inverse(a, &self.m) {
            Some(v) => self.to_mont(&self.to_mont(&[v[0], v[1], v[2], v[3]])),
            None => [0; 4],
        }
    }

    /// `a^(m-2) = a^-1` by Fermat (the exponent is public, so
    /// [`Field::pow_public_exp`] applies): the tests' reference for [`Field::invert`].
    #[cfg(test)]
    pub(crate) fn invert_fermat(&self, a: &Limbs) -> Limbs {
        let mut e = self.m;
        e[0] -= 2; // m is odd and above 2: no borrow
        self.pow_public_exp(a, &e)
    }

    /// All ones when `a` (any domain) is zero.
    #[inline]
    pub(crate) fn is_zero(&self, a: &Limbs) -> u64 {
        bigint::ct_eq_limbs(a, &[0; 4])
    }

    /// Parses 32 big-endian bytes as an integer below m (normal domain). `None`
    /// when `b >= m`: the caller decides whether that is an error (public input).
    pub(crate) fn parse_be_bytes(&self, b: &[u8; 32]) -> Option<Limbs> {
        let mut l = [0u64; 4];
        bigint::from_be_bytes(&mut l, b);
        (bigint::ct_lt_limbs(&l, &self.m) == u64::MAX).then_some(l)
    }

    /// 32 big-endian bytes, reduced modulo m (the tests' random field elements).
    #[cfg(test)]
    pub(crate) fn reduce_be_bytes(&self, b: &[u8; 32]) -> Limbs {
        let mut l = [0u64; 4];
        bigint::from_be_bytes(&mut l, b);
        // For both P-256 moduli, 2^256 < 2m, so one masked subtraction suffices.
        let mut s = l;
        let borrow = bigint::sub_assign(&mut s, &self.m);
        bigint::ct_assign(&mut s, &l, mask(borrow));
        s
    }

    pub(crate) fn to_be_bytes(l: &Limbs) -> [u8; 32] {
        let mut out = [0u8; 32];
        bigint::to_be_bytes(l, &mut out);
        out
    }
}

/// The 4-limb Montgomery product: the generic CIOS loop, inlined with constant
/// bounds so the compiler unrolls it.
#[inline(always)]
fn mont_mul4(out: &mut Limbs, a: &Limbs, b: &Limbs, m: &Limbs, n0: u64) {
    let mut t = [0u64; 6];
    for &bi in b {
        let mut c = 0;
        for j in 0..4 {
            (t[j], c) = bigint::mac(t[j], a[j], bi, c);
        }
        let (s, c2) = adc(t[4], c, 0);
        t[4] = s;
        t[5] = c2;
        let q = t[0].wrapping_mul(n0);
        let (_, mut c) = bigint::mac(t[0], q, m[0], 0);
        for j in 1..4 {
            (t[j - 1], c) = bigint::mac(t[j], q, m[j], c);
        }
        let (s, c3) = adc(t[4], c, 0);
        t[3] = s;
        t[4] = t[5] + c3;
    }
    let mut borrow = 0;
    for j in 0..4 {
        (out[j], borrow) = sbb(t[j], m[j], borrow);
    }
    let (_, under) = sbb(t[4], 0, borrow);
    let t4: Limbs = [t[0], t[1], t[2], t[3]];
    bigint::ct_assign(out, &t4, mask(under));
}

/// The base field, p = 2^256 - 2^224 + 2^192 + 2^96 - 1, with the generic code.
/// [`FP`] wraps it with the multiplication, squaring and inversion specific to p;
/// this one is the tests' reference.
#[cfg(test)]
pub(crate) static FP_GENERIC: Field = Field::new(P);

const P: Limbs = [
    0xffff_ffff_ffff_ffff,
    0x0000_0000_ffff_ffff,
    0x0000_0000_0000_0000,
    0xffff_ffff_0000_0001,
];

/// The base field with arithmetic specialised to p's form; everything else
/// (add, sub, parsing, ...) is [`Field`]'s, reached through `Deref`.
pub(crate) struct FieldP(Field);

/// The base field.
pub(crate) static FP: FieldP = FieldP(Field::new(P));

impl core::ops::Deref for FieldP {
    type Target = Field;
    #[inline(always)]
    fn deref(&self) -> &Field {
        &self.0
    }
}

/// p's top limb, the only one the Montgomery reduction multiplies by.
const P3: u64 = 0xffff_ffff_0000_0001;

/// Montgomery reduction of a 512-bit `t` modulo p: `t / 2^256 mod p`, fully
/// reduced, for `t < p * 2^256`.
///
/// Since p = -1 mod 2^64, the per-word quotient is the word itself (n0 = 1), and
/// `q * p = q * 2^96 - q + q * P3 * 2^192` (p's limbs are 2^64-1, 2^32-1, 0, P3):
/// the low word cancels, q * 2^96 is two shifts, and one multiplication remains.
/// The same shape as OpenSSL/BoringSSL's ecp_nistz256 (Gueron and Krasnov 2015,
/// "Fast prime field elliptic-curve cryptography with 256-bit primes") and
/// fiat-crypto's p256_64.
#[inline(always)]
fn p256_reduce<const CT: bool>(t: [u64; 8]) -> Limbs {
    // Reduce the low half word by word: each round adds q p for q the low word,
    // which clears it, and shifts down one word. After four rounds (r0..r3) is
    // (t_lo + Q p) / 2^256 <= p.
    let (mut r0, mut r1, mut r2, mut r3) = (t[0], t[1], t[2], t[3]);
    for _ in 0..4 {
        let q = r0;
        let m = u128::from(q) * u128::from(P3);
        let (u1, c) = adc(r1, q << 32, 0);
        let (u2, c) = adc(r2, q >> 32, c);
        let (u3, c) = adc(r3, m as u64, c);
        // floor(q P3 / 2^64) < P3 < 2^64 - 1: adding the carry cannot overflow.
        let u4 = ((m >> 64) as u64) + c;
        (r0, r1, r2, r3) = (u1, u2, u3, u4);
    }
    // Plus the high half (below p, as t < p 2^256): the sum is below 2p.
    let (s0, c) = adc(r0, t[4], 0);
    let (s1, c) = adc(r1, t[5], c);
    let (s2, c) = adc(r2, t[6], c);
    let (s3, carry) = adc(r3, t[7], c);
    let r = [s0, s1, s2, s3];
    let mut out = [0u64; 4];
    let mut borrow = 0;
    for j in 0..4 {
        (out[j], borrow) = sbb(r[j], P[j], borrow);
    }
    let (_, under) = sbb(carry, 0, borrow);
    bigint::ct_assign(&mut out, &r, sel_mask::<CT>(under));
    out
}

impl FieldP {
    /// Montgomery product modulo p, word by word (operand scanning interleaved with
    /// the reduction, as ecp_nistz256's `mul_mont` does): each round adds `a b[i]`
    /// to a five-word accumulator, then `q p` for q its low word (n0 = 1), which
    /// clears that word, and shifts down one word.
    #[inline(always)]
    pub(crate) fn mul(&self, a: &Limbs, b: &Limbs) -> Limbs {
        Self::mul_with::<true>(a, b)
    }

    /// [`FieldP::mul`] for public data (verification), without the barrier.
    #[inline(always)]
    pub(crate) fn mul_vt(&self, a: &Limbs, b: &Limbs) -> Limbs {
        Self::mul_with::<false>(a, b)
    }

    #[inline(always)]
    fn mul_with<const CT: bool>(a: &Limbs, b: &Limbs) -> Limbs {
        #[cfg(target_arch = "x86_64")]
        if let Some(cpu) = crate::backend::Bmi2Adx::auto() {
            return crate::x86::p256_mulx::mul(cpu, a, b);
        }
        Self::mul_portable::<CT>(a, b)
    }

    /// The portable product ([`FieldP::mul`] without BMI2/ADX), the reference the
    /// assembly is tested against.
    #[inline(always)]
    fn mul_portable<const CT: bool>(a: &Limbs, b: &Limbs) -> Limbs {
        let (mut r0, mut r1, mut r2, mut r3, mut r4) = (0u64, 0u64, 0u64, 0u64, 0u64);
        for &bi in b {
            let (t0, c) = bigint::mac(r0, a[0], bi, 0);
            let (t1, c) = bigint::mac(r1, a[1], bi, c);
            let (t2, c) = bigint::mac(r2, a[2], bi, c);
            let (t3, c) = bigint::mac(r3, a[3], bi, c);
            let (t4, t5) = adc(r4, c, 0);
            // + t0 p: t0 2^96 - t0 + t0 P3 2^192; the low word cancels.
            let m = u128::from(t0) * u128::from(P3);
            let (u1, c) = adc(t1, t0 << 32, 0);
            let (u2, c) = adc(t2, t0 >> 32, c);
            let (u3, c) = adc(t3, m as u64, c);
            let (u4, c) = adc(t4, (m >> 64) as u64, c);
            (r0, r1, r2, r3, r4) = (u1, u2, u3, u4, t5 + c);
        }
        // r < 2p: subtract p unless that borrows.
        let r = [r0, r1, r2, r3];
        let mut out = [0u64; 4];
        let mut borrow = 0;
        for j in 0..4 {
            (out[j], borrow) = sbb(r[j], P[j], borrow);
        }
        let (_, under) = sbb(r4, 0, borrow);
        bigint::ct_assign(&mut out, &r, sel_mask::<CT>(under));
        out
    }

    /// `a + b mod p` (both below p), with BMI2/ADX's register code where the
    /// CPU has it (see [`crate::x86::p256_mulx::add`]), else [`Field::add`].
    #[inline(always)]
    pub(crate) fn add(&self, a: &Limbs, b: &Limbs) -> Limbs {
        #[cfg(target_arch = "x86_64")]
        if let Some(cpu) = crate::backend::Bmi2Adx::auto() {
            return crate::x86::p256_mulx::add(cpu, a, b);
        }
        self.0.add(a, b)
    }

    /// [`FieldP::add`] for public data.
    #[inline(always)]
    pub(crate) fn add_vt(&self, a: &Limbs, b: &Limbs) -> Limbs {
        #[cfg(target_arch = "x86_64")]
        if let Some(cpu) = crate::backend::Bmi2Adx::auto() {
            return crate::x86::p256_mulx::add(cpu, a, b);
        }
        self.0.add_vt(a, b)
    }

    /// `a - b mod p` (both below p), as [`FieldP::add`].
    #[inline(always)]
    pub(crate) fn sub(&self, a: &Limbs, b: &Limbs) -> Limbs {
        #[cfg(target_arch = "x86_64")]
        if let Some(cpu) = crate::backend::Bmi2Adx::auto() {
            return crate::x86::p256_mulx::sub(cpu, a, b);
        }
        self.0.sub(a, b)
    }

    /// [`FieldP::sub`] for public data.
    #[inline(always)]
    pub(crate) fn sub_vt(&self, a: &Limbs, b: &Limbs) -> Limbs {
        #[cfg(target_arch = "x86_64")]
        if let Some(cpu) = crate::backend::Bmi2Adx::auto() {
            return crate::x86::p256_mulx::sub(cpu, a, b);
        }
        self.0.sub_vt(a, b)
    }

    /// `-a mod p`.
    #[inline(always)]
    pub(crate) fn neg(&self, a: &Limbs) -> Limbs {
        self.sub(&[0; 4], a)
    }

    /// Montgomery square modulo p: the six cross products once, doubled, plus the
    /// four squares (10 word multiplications instead of 16).
    #[inline(always)]
    pub(crate) fn sqr(&self, a: &Limbs) -> Limbs {
        Self::sqr_with::<true>(a)
    }

    /// [`FieldP::sqr`] for public data (verification), without the barrier.
    #[inline(always)]
    pub(crate) fn sqr_vt(&self, a: &Limbs) -> Limbs {
        Self::sqr_with::<false>(a)
    }

    #[inline(always)]
    fn sqr_with<const CT: bool>(a: &Limbs) -> Limbs {
        #[cfg(target_arch = "x86_64")]
        if let Some(cpu) = crate::backend::Bmi2Adx::auto() {
            return crate::x86::p256_mulx::sqr(cpu, a);
        }
        Self::sqr_portable::<CT>(a)
    }

    /// The portable square, the reference the assembly is tested against.
    #[inline(always)]
    fn sqr_portable<const CT: bool>(a: &Limbs) -> Limbs {
        let mut t = [0u64; 8];
        // Cross products a[i] a[j], i < j.
        for i in 0..3 {
            let mut c = 0;
            for j in i + 1..4 {
                (t[i + j], c) = bigint::mac(t[i + j], a[i], a[j], c);
            }
            t[i + 4] = c;
        }
        // Double them.
        t[7] = t[6] >> 63;
        for k in (2..7).rev() {
            t[k] = (t[k] << 1) | (t[k - 1] >> 63);
        }
        t[1] <<= 1;
        // Add the squares a[i]^2 at word 2i.
        let mut c = 0;
        for i in 0..4 {
            let s = u128::from(a[i]) * u128::from(a[i]);
            (t[2 * i], c) = adc(t[2 * i], s as u64, c);
            (t[2 * i + 1], c) = adc(t[2 * i + 1], (s >> 64) as u64, c);
        }
        p256_reduce::<CT>(t)
    }

    /// `a^(2^k)` by k squarings.
    #[cfg(test)]
    #[inline(always)]
    fn sqr_n(&self, a: &Limbs, k: usize) -> Limbs {
        let mut r = *a;
        for _ in 0..k {
            r = self.sqr(&r);
        }
        r
    }

    /// `a^-1` (0 maps to 0), Montgomery domain in and out, in constant time.
    pub(crate) fn invert(&self, a: &Limbs) -> Limbs {
        // Bernstein-Yang safegcd on the Montgomery value a R gives a^-1 R^-1; two
        // Montgomery multiplications by R^2 bring it to a^-1 R.
        match crate::rsa::arith::ct_inverse(a, &P) {
            Some(v) => self.to_mont(&self.to_mont(&[v[0], v[1], v[2], v[3]])),
            None => [0; 4],
        }
    }

    /// `a^(p-2)` by a fixed addition chain, the tests' reference for [`Self::invert`]:
    /// 255 squarings and 13 multiplications. p - 2 = ffffffff 00000001 00000000
    /// 00000000 00000000 ffffffff ffffffff fffffffd (hex, most significant first);
    /// the chain builds `x_k = a^(2^k - 1)` for runs of k ones, as in BoringSSL's
    /// p256 field inversion.
    #[cfg(test)]
    pub(crate) fn invert_chain(&self, a: &Limbs) -> Limbs {
        let x1 = *a;
        let x2 = self.mul(&self.sqr(&x1), &x1);
        let x4 = self.mul(&self.sqr_n(&x2, 2), &x2);
        let x8 = self.mul(&self.sqr_n(&x4, 4), &x4);
        let x16 = self.mul(&self.sqr_n(&x8, 8), &x8);
        let x24 = self.mul(&self.sqr_n(&x16, 8), &x8);
        let x28 = self.mul(&self.sqr_n(&x24, 4), &x4);
        let x30 = self.mul(&self.sqr_n(&x28, 2), &x2);
        let x32 = self.mul(&self.sqr_n(&x30, 2), &x2);
        // ffffffff | 00000001
        let mut t = self.mul(&self.sqr_n(&x32, 32), &x1);
        // | 00000000 00000000 00000000 ffffffff
        t = self.mul(&self.sqr_n(&t, 128), &x32);
        // | ffffffff
        t = self.mul(&self.sqr_n(&t, 32), &x32);
        // | fffffffd: thirty ones, then 0, 1.
        t = self.mul(&self.sqr_n(&t, 30), &x30);
        self.mul(&self.sqr_n(&t, 2), &x1)
    }

    /// Into the Montgomery domain; `a` may be any value below 2^256.
    pub(crate) fn to_mont(&self, a: &Limbs) -> Limbs {
        self.mul(a, &self.0.rr)
    }

    /// Out of the Montgomery domain (fully reduced).
    pub(crate) fn leave_mont(&self, a: &Limbs) -> Limbs {
        let mut t = [0u64; 8];
        t[..4].copy_from_slice(a);
        p256_reduce::<true>(t)
    }
}

/// The group order n, with the curve-generic Montgomery arithmetic (the scalar
/// side of ECDSA is shared with P-384: [`crate::ec::ecdsa`]).
pub(crate) static FN: crate::ec::mont::MontField<4> = crate::ec::mont::MontField::new([
    0xf3b9_cac2_fc63_2551,
    0xbce6_faad_a717_9e84,
    0xffff_ffff_ffff_ffff,
    0xffff_ffff_0000_0000,
]);

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngCore, SeedableRng};

    fn edge_and_random() -> alloc::vec::Vec<Limbs> {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(256);
        let mut p1 = P;
        p1[0] -= 1;
        let mut p2 = P;
        p2[0] -= 2;
        let mut v = alloc::vec![
            [0; 4],
            [1, 0, 0, 0],
            [2, 0, 0, 0],
            p1,
            p2,
            FP.one,
            [u64::MAX, 0, 0, 0],
            [0, 0, 0, 1 << 63],
            [0xffff_ffff, 0, 0, P3],
        ];
        for _ in 0..300 {
            let mut l = [0u64; 4];
            for x in &mut l {
                *x = rng.next_u64();
            }
            // Reduce below p, and also try sparse values.
            v.push(FP.reduce_be_bytes(&Field::to_be_bytes(&l)));
            let k = (rng.next_u32() % 4) as usize;
            let mut s = [0u64; 4];
            s[k] = l[k];
            v.push(FP.reduce_be_bytes(&Field::to_be_bytes(&s)));
        }
        v
    }

    #[test]
    fn p_specific_matches_generic() {
        let g = &FP_GENERIC;
        let vals = edge_and_random();
        for (i, a) in vals.iter().enumerate() {
            let b = &vals[(i * 7 + 3) % vals.len()];
            assert_eq!(FP.mul(a, b), g.mul(a, b), "mul {a:x?} {b:x?}");
            assert_eq!(FP.sqr(a), g.mul(a, a), "sqr {a:x?}");
            assert_eq!(FP.to_mont(a), g.to_mont(a));
            assert_eq!(FP.leave_mont(a), g.leave_mont(a));
        }
        // to_mont takes unreduced values too.
        for a in [[u64::MAX; 4], P] {
            assert_eq!(FP.to_mont(&a), g.to_mont(&a));
        }
        for a in vals.iter().take(40) {
            let inv = FP.invert(a);
            assert_eq!(inv, FP.invert_chain(a));
            assert_eq!(
                inv,
                g.pow(a, &{
                    let mut e = P;
                    e[0] -= 2;
                    e
                })
            );
            if *a != [0; 4] {
                assert_eq!(FP.mul(a, &inv), FP.one);
            }
        }
        assert_eq!(FP.invert(&[0; 4]), [0; 4]);
    }

    /// The BMI2/ADX assembly against the portable code: random values, the edges
    /// (0, 1, p - 1, p - 2, words of all ones or a single bit), and operands at or
    /// above p (2^256 - 1, p, p + 1), which `to_mont` passes as `a`; the
    /// multiplication is exact for those, the squaring is compared for them too.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn mulx_adx_matches_portable() {
        use crate::backend::{Bmi2Adx, Features};
        let Some(cpu) = Bmi2Adx::new(Features::detected()) else {
            eprintln!("skipped: this CPU lacks BMI2 or ADX");
            return;
        };
        let mut vals = edge_and_random();
        let mut p_plus1 = P;
        p_plus1[0] = 0;
        p_plus1[1] += 1;
        let above = [[u64::MAX; 4], P, p_plus1, [0, 0, 0, u64::MAX]];
        vals.extend(above);
        // Limbs whose top bits are all set stress the carry chains.
        vals.push([u64::MAX, u64::MAX, 0, P3]);
        vals.push([u64::MAX, 0xffff_ffff, 0, P3 - 1]);
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(0xad5);
        for _ in 0..2000 {
            let l: Limbs = core::array::from_fn(|_| rng.next_u64());
            vals.push(FP.reduce_be_bytes(&Field::to_be_bytes(&l)));
        }
        let x86 = crate::x86::p256_mulx::mul;
        for (i, a) in vals.iter().enumerate() {
            assert_eq!(
                crate::x86::p256_mulx::sqr(cpu, a),
                FieldP::sqr_portable::<true>(a),
                "sqr {a:x?}"
            );
            for j in [0, 1, 3, vals.len() - 1 - i, (i * 31 + 7) % vals.len()] {
                let b = &vals[j];
                // b must be below p (the documented contract); a may be anything.
                if bigint::ct_lt_limbs(b, &P) == u64::MAX {
                    assert_eq!(
                        x86(cpu, a, b),
                        FieldP::mul_portable::<true>(a, b),
                        "mul {a:x?} {b:x?}"
                    );
                    assert_eq!(x86(cpu, a, b), FieldP::mul_portable::<false>(a, b));
                }
            }
        }
        // Addition and subtraction (operands below p, as their contract says;
        // the same formulas, so values at or above p agree too).
        for (i, a) in vals.iter().enumerate() {
            for b in [
                &vals[0],
                &vals[3],
                &vals[(i * 13 + 5) % vals.len()],
                &vals[vals.len() - 1 - i],
            ] {
                assert_eq!(
                    crate::x86::p256_mulx::add(cpu, a, b),
                    FP.0.add(a, b),
                    "add {a:x?} {b:x?}"
                );
                assert_eq!(
                    crate::x86::p256_mulx::sub(cpu, a, b),
                    FP.0.sub(a, b),
                    "sub {a:x?} {b:x?}"
                );
            }
        }
        // Products that are exactly 0 and 1 after reduction, and R^2 (to_mont).
        assert_eq!(x86(cpu, &FP.one, &FP.one), FP.one);
        assert_eq!(x86(cpu, &[0; 4], &FP.one), [0; 4]);
        assert_eq!(
            x86(cpu, &[u64::MAX; 4], &FP.0.rr),
            FP_GENERIC.to_mont(&[u64::MAX; 4])
        );
    }

    #[test]
    fn public_exponent_pow_matches_masked_pow() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(6);
        for f in [&FP_GENERIC, &Field::new(FN.m)] {
            let mut m2 = f.m;
            m2[0] -= 2;
            let mut m1 = f.m;
            m1[0] -= 1;
            let mut exps = alloc::vec![
                [0u64; 4],
                [1, 0, 0, 0],
                [2, 0, 0, 0],
                [31, 0, 0, 0],
                m1,
                m2,
                [u64::MAX; 4]
            ];
            for _ in 0..20 {
                exps.push(core::array::from_fn(|_| rng.next_u64()));
            }
            let a = f.to_mont(&[rng.next_u64(), rng.next_u64(), 3, 9]);
            for e in &exps {
                assert_eq!(f.pow_public_exp(&a, e), f.pow(&a, e), "{e:x?}");
            }
        }
    }

    #[test]
    fn montgomery_round_trip_and_inverse() {
        for f in [&FP_GENERIC, &Field::new(FN.m)] {
            let a = f.to_mont(&[5, 6, 7, 8]);
            assert_eq!(f.leave_mont(&a), [5, 6, 7, 8]);
            let inv = f.invert(&a);
            assert_eq!(inv, f.invert_fermat(&a));
            assert_eq!(f.leave_mont(&f.mul(&a, &inv)), [1, 0, 0, 0]);
            assert_eq!(f.add(&a, &f.neg(&a)), [0; 4]);
            assert_eq!(f.leave_mont(&f.one), [1, 0, 0, 0]);
            // m - 1 + 1 wraps to 0.
            let mut m1 = f.m;
            m1[0] -= 1;
            assert_eq!(f.add(&m1, &[1, 0, 0, 0]), [0; 4]);
        }
    }
}
