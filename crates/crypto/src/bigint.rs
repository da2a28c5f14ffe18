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
pub(crate) fn select_from_table(out: &mut [u64], table: &[u64], width: usize, index: u64) {
    out.fill(0);
    for (i, entry) in table.chunks_exact(width).enumerate() {
        let d = (i as u64) ^ index;
        let m = mask(((d | d.wrapping_neg()) >> 63) ^ 1); // black_box'd: stays a mask
        for (o, e) in out.iter_mut().zip(entry) {
            *o |= e & m;
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
/// with the two top words of the accumulator held apart from the array.
#[inline(always)]
fn mont_mul_fixed<const N: usize>(
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
    let mut borrow = 0;
    for j in 0..N {
        (out[j], borrow) = sbb(t[j], n[j], borrow);
    }
    let (_, under) = sbb(hi, 0, borrow);
    ct_assign(out, &t, mask(under));
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

/// An odd modulus with its Montgomery constants. The modulus itself may be secret
/// (an RSA prime): everything is computed in time that depends on its length only.
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
        let len = n.len();
        if len == 0 || len > MAX_LIMBS || n[0] & 1 == 0 {
            return None;
        }
        let n0 = neg_inv_u64(n[0]);
        // 2R mod n (the Montgomery form of 2) by doubling 1 (64 len + 1) times, each
        // doubling followed by a masked subtraction of n; then R^2 mod n, the
        // Montgomery form of 2^(64 len), by raising it to the public power 64 len.
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
        let two = x;
        let e = (64 * len) as u64;
        let mut acc = two.clone();
        let mut tmp = alloc::vec![0u64; len];
        for i in (0..63 - e.leading_zeros()).rev() {
            mont_mul(&mut tmp, &acc, &acc, n, n0);
            acc.copy_from_slice(&tmp);
            if (e >> i) & 1 == 1 {
                mont_mul(&mut tmp, &acc, &two, n, n0);
                acc.copy_from_slice(&tmp);
            }
        }
        let x = acc;
        Some(Modulus {
            n: n.to_vec(),
            n0,
            rr: x,
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.n.len()
    }

    /// `out = a * b * R^-1 mod n` (the unrolled fixed-size loop for RSA's sizes).
    #[inline]
    pub(crate) fn mul(&self, out: &mut [u64], a: &[u64], b: &[u64]) {
        fn fixed<const N: usize>(out: &mut [u64], a: &[u64], b: &[u64], n: &[u64], n0: u64) {
            let arr = |x: &[u64]| -> [u64; N] { x.try_into().expect("N limbs") };
            let mut o = [0u64; N];
            mont_mul_fixed(&mut o, &arr(a), &arr(b), &arr(n), n0);
            out.copy_from_slice(&o);
        }
        match self.len() {
            16 => fixed::<16>(out, a, b, &self.n, self.n0),
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
        mont_mul(&mut out, a, &one, &self.n, self.n0);
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

    /// `base^e mod n` for a *public* exponent (left-to-right square and multiply;
    /// the exponent's bits shape the loop, the base's never do).
    pub(crate) fn pow_public(&self, base: &[u64], e: &[u64]) -> alloc::vec::Vec<u64> {
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
        // The RSA sizes get a copy of the loop with the limb count fixed at compile
        // time (unrolled, no bounds checks); the arithmetic is the same.
        match self.len() {
            16 => self.pow_fixed::<16>(base, exp, exp_bits),
            24 => self.pow_fixed::<24>(base, exp, exp_bits),
            32 => self.pow_fixed::<32>(base, exp, exp_bits),
            _ => self.pow_generic(base, exp, exp_bits),
        }
    }

    /// [`Modulus::pow`] for an `N`-limb modulus.
    fn pow_fixed<const N: usize>(
        &self,
        base: &[u64],
        exp: &[u64],
        exp_bits: usize,
    ) -> alloc::vec::Vec<u64> {
        const W: usize = 5;
        let n: &[u64; N] = self.n[..].try_into().expect("N limbs");
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
mod tests {
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
