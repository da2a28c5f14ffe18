//! Polynomials of R_q = Z_q[X]/(X^256 + 1): encoding, compression and
//! sampling (FIPS 203 §4.2).
//!
//! Every function that sees secret coefficients (messages, keys, noise) is
//! branch-free and indexes only by public positions. Compression divides by q
//! through a multiplication by a precomputed reciprocal and a shift, never with
//! a division instruction, whose time varies with its operand on many CPUs
//! (the KyberSlash timing attack).

use super::ntt::{barrett_reduce, to_mont, Q};

/// One polynomial: 256 coefficients.
pub(crate) type Poly = [i16; 256];

/// The zero polynomial.
pub(crate) const ZERO: Poly = [0; 256];

/// r = a + b, coefficient-wise (no reduction).
pub(crate) fn add(r: &mut Poly, b: &Poly) {
    for (x, y) in r.iter_mut().zip(b) {
        *x += *y;
    }
}

/// r = a - r, coefficient-wise (no reduction).
pub(crate) fn sub_from(r: &mut Poly, a: &Poly) {
    for (x, y) in r.iter_mut().zip(a) {
        *x = *y - *x;
    }
}

/// Barrett-reduces every coefficient.
pub(crate) fn reduce(r: &mut Poly) {
    #[cfg(target_arch = "x86_64")]
    if crate::x86::mlkem_avx2::reduce(super::ntt::features(), r) {
        return;
    }
    reduce_portable(r)
}

/// [`reduce`] in portable code.
pub(crate) fn reduce_portable(r: &mut Poly) {
    for x in r.iter_mut() {
        *x = barrett_reduce(*x);
    }
}

/// Multiplies every coefficient by R (out of Montgomery form after `basemul_acc`).
pub(crate) fn tomont(r: &mut Poly) {
    #[cfg(target_arch = "x86_64")]
    if crate::x86::mlkem_avx2::tomont(super::ntt::features(), r) {
        return;
    }
    tomont_portable(r)
}

/// [`tomont`] in portable code.
pub(crate) fn tomont_portable(r: &mut Poly) {
    for x in r.iter_mut() {
        *x = to_mont(*x);
    }
}

/// The representative in [0, q) of a coefficient in (-q, q), without a branch:
/// q is added when the sign bit is set.
#[inline(always)]
fn canonical(x: i16) -> u32 {
    let x = x + ((x >> 15) & Q);
    x as u32
}

/// M = ⌊2^48 / q⌋ + 1: (y · M) >> 48 equals ⌊y / q⌋ whenever y · (M q - 2^48)
/// < 2^48, so for every y < 2^36 (M q - 2^48 < q < 2^12); compression's y stay
/// below 2^23.
const RECIP_Q: u64 = (1u64 << 48) / 3329 + 1;

/// Compress_d (FIPS 203 §4.2.1, eq. 4.7): ⌈(2^d / q) · x⌋ mod 2^d, for x in
/// (-q, q) (taken mod q), without a division.
#[inline(always)]
pub(crate) fn compress(x: i16, d: u32) -> u16 {
    // ⌊(2^d x + ⌊q/2⌋) / q⌋ is the rounding of 2^d x / q, half up: q is odd, so
    // the numerator never lands on the half.
    let y = (u64::from(canonical(x)) << d) + 1664;
    (((y * RECIP_Q) >> 48) as u16) & ((1u16 << d) - 1)
}

/// Decompress_d (FIPS 203 §4.2.1, eq. 4.8): ⌈(q / 2^d) · y⌋.
#[inline(always)]
pub(crate) fn decompress(y: u16, d: u32) -> i16 {
    ((u32::from(y) * 3329 + (1 << (d - 1))) >> d) as i16
}

/// Calls `$f::<D>` for the run-time `$d`, one of the widths ML-KEM uses (FIPS
/// 203 Table 2: d_u, d_v, 1 and 12), so each width gets code with constant
/// shifts.
macro_rules! with_width {
    ($d:expr, $f:ident($($arg:expr),*)) => {
        match $d {
            1 => $f::<1>($($arg),*),
            4 => $f::<4>($($arg),*),
            5 => $f::<5>($($arg),*),
            10 => $f::<10>($($arg),*),
            11 => $f::<11>($($arg),*),
            12 => $f::<12>($($arg),*),
            _ => unreachable!("ML-KEM widths are 1, 4, 5, 10, 11 and 12"),
        }
    };
}

/// ByteEncode_d (FIPS 203 Algorithm 5) of 256 values below 2^d, into 32 d bytes:
/// eight values (8 d bits, d bytes) at a time, value i at bits d i of the group.
/// (The encoders call `encode_d` directly; this is for the tests.)
#[cfg(test)]
pub(crate) fn byte_encode(values: &[u16; 256], d: u32, out: &mut [u8]) {
    with_width!(d, encode_d(values, out))
}

#[inline(always)]
fn encode_d<const D: usize>(values: &[u16; 256], out: &mut [u8]) {
    assert_eq!(out.len(), 32 * D);
    for (vals, o) in values.chunks_exact(8).zip(out.chunks_exact_mut(D)) {
        let mut acc = 0u128;
        for (i, &v) in vals.iter().enumerate() {
            acc |= u128::from(v) << (D * i);
        }
        o.copy_from_slice(&acc.to_le_bytes()[..D]);
    }
}

/// ByteDecode_d (FIPS 203 Algorithm 6) of 32 d bytes into 256 values below 2^d,
/// d bytes (eight values) at a time.
#[cfg(test)]
pub(crate) fn byte_decode(bytes: &[u8], d: u32, out: &mut [u16; 256]) {
    with_width!(d, decode_d(bytes, out))
}

#[inline(always)]
fn decode_d<const D: usize>(bytes: &[u8], out: &mut [u16; 256]) {
    assert_eq!(bytes.len(), 32 * D);
    let mask = (1u128 << D) - 1;
    for (b, vals) in bytes.chunks_exact(D).zip(out.chunks_exact_mut(8)) {
        let mut le = [0u8; 16];
        le[..D].copy_from_slice(b);
        let acc = u128::from_le_bytes(le);
        for (i, v) in vals.iter_mut().enumerate() {
            *v = ((acc >> (D * i)) & mask) as u16;
        }
    }
}

/// ByteEncode_12 of a polynomial with coefficients in (-q, q), each taken mod q
/// first (keys: t̂ and ŝ).
pub(crate) fn encode12(p: &Poly, out: &mut [u8]) {
    #[cfg(target_arch = "x86_64")]
    if crate::x86::mlkem_avx2::run_avx2(
        super::ntt::features(),
        #[inline(always)]
        || encode12_body(p, out),
    ) {
        return;
    }
    encode12_body(p, out)
}

#[inline(always)]
fn encode12_body(p: &Poly, out: &mut [u8]) {
    let mut v = [0u16; 256];
    for (o, &x) in v.iter_mut().zip(p) {
        *o = canonical(x) as u16;
    }
    encode_d::<12>(&v, out);
    crate::ct::wipe(&mut v);
}

/// ByteDecode_12 without the reduction mod q, and a mask: all ones when every
/// coefficient is below q (the modulus check of FIPS 203 §7.2 holds), else 0.
/// Branch-free, as it also decodes the secret ŝ.
pub(crate) fn decode12(bytes: &[u8], p: &mut Poly) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        let mut ok = 0;
        if crate::x86::mlkem_avx2::run_avx2(
            super::ntt::features(),
            #[inline(always)]
            || ok = decode12_body(bytes, p),
        ) {
            return ok;
        }
    }
    decode12_body(bytes, p)
}

#[inline(always)]
fn decode12_body(bytes: &[u8], p: &mut Poly) -> u32 {
    let mut v = [0u16; 256];
    decode_d::<12>(bytes, &mut v);
    let mut bad = 0u32;
    for (o, &x) in p.iter_mut().zip(&v) {
        // 0xffffffff when x >= q.
        bad |= !crate::ct::ct_lt_u32(u32::from(x), 3329);
        *o = x as i16;
    }
    crate::ct::wipe(&mut v);
    !bad
}

/// Compress_d then ByteEncode_d (ciphertext u and v).
pub(crate) fn compress_encode(p: &Poly, d: u32, out: &mut [u8]) {
    #[cfg(target_arch = "x86_64")]
    if crate::x86::mlkem_avx2::run_avx2(
        super::ntt::features(),
        #[inline(always)]
        || with_width!(d, compress_encode_d(p, out)),
    ) {
        return;
    }
    with_width!(d, compress_encode_d(p, out))
}

#[inline(always)]
fn compress_encode_d<const D: usize>(p: &Poly, out: &mut [u8]) {
    let mut v = [0u16; 256];
    for (o, &x) in v.iter_mut().zip(p) {
        *o = compress(x, D as u32);
    }
    encode_d::<D>(&v, out);
    crate::ct::wipe(&mut v);
}

/// ByteDecode_d then Decompress_d.
pub(crate) fn decode_decompress(bytes: &[u8], d: u32, p: &mut Poly) {
    #[cfg(target_arch = "x86_64")]
    if crate::x86::mlkem_avx2::run_avx2(
        super::ntt::features(),
        #[inline(always)]
        || with_width!(d, decode_decompress_d(bytes, p)),
    ) {
        return;
    }
    with_width!(d, decode_decompress_d(bytes, p))
}

#[inline(always)]
fn decode_decompress_d<const D: usize>(bytes: &[u8], p: &mut Poly) {
    let mut v = [0u16; 256];
    decode_d::<D>(bytes, &mut v);
    for (o, &x) in p.iter_mut().zip(&v) {
        *o = decompress(x, D as u32);
    }
    crate::ct::wipe(&mut v);
}

/// Decompress_1(ByteDecode_1(m)): each bit of the message to 0 or ⌈q/2⌋ = 1665,
/// through a mask rather than a branch.
pub(crate) fn from_msg(m: &[u8; 32], p: &mut Poly) {
    for (i, c) in p.iter_mut().enumerate() {
        let bit = i16::from((m[i / 8] >> (i % 8)) & 1);
        *c = (-bit) & 1665;
    }
}

/// ByteEncode_1(Compress_1(w)) for w with coefficients in (-q, q).
pub(crate) fn to_msg(p: &Poly, m: &mut [u8; 32]) {
    m.fill(0);
    for (i, &c) in p.iter().enumerate() {
        m[i / 8] |= (compress(c, 1) as u8) << (i % 8);
    }
}

/// SamplePolyCBD_η (FIPS 203 Algorithm 8) of 64 η bytes: each coefficient the
/// difference of two sums of η bits. The bits of 8 (η = 2) or 4 (η = 3)
/// coefficients are summed at once in one 32-bit word, pairs (triples) of bits
/// added in place with masks and shifts; positions are public, nothing
/// branches on the bits.
pub(crate) fn cbd(bytes: &[u8], eta: usize, p: &mut Poly) {
    #[cfg(target_arch = "x86_64")]
    if crate::x86::mlkem_avx2::run_avx2(
        super::ntt::features(),
        #[inline(always)]
        || cbd_body(bytes, eta, p),
    ) {
        return;
    }
    cbd_body(bytes, eta, p)
}

#[inline(always)]
fn cbd_body(bytes: &[u8], eta: usize, p: &mut Poly) {
    debug_assert_eq!(bytes.len(), 64 * eta);
    match eta {
        2 => {
            for (w, c) in bytes.chunks_exact(4).zip(p.chunks_exact_mut(8)) {
                let t = u32::from_le_bytes(w.try_into().expect("4 bytes"));
                // Each 2-bit field: the sum of its two bits.
                let s = (t & 0x5555_5555) + ((t >> 1) & 0x5555_5555);
                for (j, x) in c.iter_mut().enumerate() {
                    let a = ((s >> (4 * j)) & 3) as i16;
                    let b = ((s >> (4 * j + 2)) & 3) as i16;
                    *x = a - b;
                }
            }
        }
        3 => {
            for (w, c) in bytes.chunks_exact(3).zip(p.chunks_exact_mut(4)) {
                let t = u32::from(w[0]) | (u32::from(w[1]) << 8) | (u32::from(w[2]) << 16);
                // Each 3-bit field: the sum of its three bits.
                let s = (t & 0x0024_9249) + ((t >> 1) & 0x0024_9249) + ((t >> 2) & 0x0024_9249);
                for (j, x) in c.iter_mut().enumerate() {
                    let a = ((s >> (6 * j)) & 7) as i16;
                    let b = ((s >> (6 * j + 3)) & 7) as i16;
                    *x = a - b;
                }
            }
        }
        _ => unreachable!("η is 2 or 3 (FIPS 203 Table 2)"),
    }
}

/// The loop of SampleNTT (FIPS 203 Algorithm 7, lines 4-14) over one more
/// piece of XOF output (a multiple of 3 bytes): coefficients below q go to
/// `p[*j..]` until `*j` reaches 256.
pub(crate) fn rej_uniform(buf: &[u8], p: &mut Poly, j: &mut usize) {
    #[cfg(target_arch = "x86_64")]
    let buf = {
        let done = crate::x86::mlkem_avx2::rej_uniform(super::ntt::features(), buf, p, j);
        &buf[done..]
    };
    rej_uniform_portable(buf, p, j)
}

/// [`rej_uniform`] in portable code.
pub(crate) fn rej_uniform_portable(buf: &[u8], p: &mut Poly, j: &mut usize) {
    debug_assert_eq!(buf.len() % 3, 0);
    for c in buf.chunks_exact(3) {
        let d1 = u16::from(c[0]) | (u16::from(c[1] & 0x0f) << 8);
        let d2 = u16::from(c[1] >> 4) | (u16::from(c[2]) << 4);
        if *j <= 254 {
            // Room for both: store each candidate and advance past it only
            // when accepted (a rejected one is overwritten later), so the
            // unpredictable comparisons need no branch.
            p[*j] = d1 as i16;
            *j += usize::from(d1 < 3329);
            p[*j] = d2 as i16;
            *j += usize::from(d2 < 3329);
            continue;
        }
        if *j >= 256 {
            break;
        }
        if d1 < 3329 {
            p[*j] = d1 as i16;
            *j += 1;
        }
        if d2 < 3329 && *j < 256 {
            p[*j] = d2 as i16;
            *j += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compression against the definition in exact rational arithmetic.
    #[test]
    fn compress_matches_definition() {
        for d in [1u32, 4, 5, 10, 11] {
            for x in 0..3329i64 {
                // round(2^d x / q), half up, mod 2^d
                let want = (((x << d) * 2 + 3329) / (2 * 3329)) % (1 << d);
                assert_eq!(i64::from(compress(x as i16, d)), want, "d {d} x {x}");
                // a negative representative gives the same
                if x > 0 {
                    assert_eq!(i64::from(compress((x - 3329) as i16, d)), want);
                }
            }
            for y in 0..(1u32 << d) {
                let want = ((u64::from(y) * 3329 * 2 + (1 << d)) / (2 << d)) as i16;
                assert_eq!(decompress(y as u16, d), want, "d {d} y {y}");
            }
        }
    }

    #[test]
    fn encode_decode_round_trip() {
        for d in [1u32, 4, 5, 10, 11, 12] {
            let mut v = [0u16; 256];
            for (i, x) in v.iter_mut().enumerate() {
                *x = ((i * 2654435761) % (1 << d)) as u16;
            }
            let mut bytes = alloc::vec![0u8; 32 * d as usize];
            byte_encode(&v, d, &mut bytes);
            let mut back = [0u16; 256];
            byte_decode(&bytes, d, &mut back);
            assert_eq!(v, back, "d {d}");
        }
        // ByteEncode_1 puts coefficient 0 in the least significant bit.
        let mut v = [0u16; 256];
        v[0] = 1;
        v[9] = 1;
        let mut bytes = [0u8; 32];
        byte_encode(&v, 1, &mut bytes);
        assert_eq!(bytes[..2], [0x01, 0x02]);
    }

    /// The word-at-a-time CBD against Algorithm 8 bit by bit.
    #[test]
    fn cbd_matches_definition() {
        for eta in [2usize, 3] {
            for seed in 0..20u32 {
                let bytes: alloc::vec::Vec<u8> = (0..64 * eta as u32)
                    .map(|i| (i.wrapping_mul(2654435761).wrapping_add(seed * 977) >> 13) as u8)
                    .collect();
                let mut p = ZERO;
                cbd(&bytes, eta, &mut p);
                let bit = |k: usize| i16::from((bytes[k / 8] >> (k % 8)) & 1);
                for (i, &c) in p.iter().enumerate() {
                    let x: i16 = (0..eta).map(|j| bit(2 * i * eta + j)).sum();
                    let y: i16 = (0..eta).map(|j| bit(2 * i * eta + eta + j)).sum();
                    assert_eq!(c, x - y, "eta {eta} seed {seed} coefficient {i}");
                }
            }
            // All ones: η - η = 0; alternating bytes give ±η.
            let mut p = ZERO;
            cbd(&alloc::vec![0xffu8; 64 * eta], eta, &mut p);
            assert_eq!(p, ZERO);
        }
    }

    /// The branch-free rejection loop against the plain one of Algorithm 7,
    /// over streams with many rejections (bytes 0xff give 4095) and piecewise.
    #[test]
    fn rej_uniform_matches_definition() {
        for seed in 0..30u32 {
            let stream: alloc::vec::Vec<u8> = (0..168 * 8u32)
                .map(|i| {
                    let x = i
                        .wrapping_mul(2246822519)
                        .wrapping_add(seed.wrapping_mul(3266489917))
                        >> 11;
                    if (x >> 3) % 4 < seed % 4 {
                        0xff
                    } else {
                        x as u8
                    }
                })
                .collect();
            let mut want = alloc::vec::Vec::new();
            for c in stream.chunks_exact(3) {
                for d in [
                    u16::from(c[0]) | (u16::from(c[1] & 0x0f) << 8),
                    u16::from(c[1] >> 4) | (u16::from(c[2]) << 4),
                ] {
                    if d < 3329 && want.len() < 256 {
                        want.push(d as i16);
                    }
                }
            }
            // Both the dispatching loop (AVX2 where the CPU has it) and the
            // portable one, in blocks of 168 bytes and of other multiples of 3.
            for piece in [168usize, 3, 12, 24, 33] {
                for portable in [false, true] {
                    let mut p = ZERO;
                    let mut j = 0;
                    for block in stream.chunks(piece) {
                        if portable {
                            rej_uniform_portable(block, &mut p, &mut j);
                        } else {
                            rej_uniform(block, &mut p, &mut j);
                        }
                    }
                    assert_eq!(j, want.len(), "seed {seed} piece {piece}");
                    assert_eq!(&p[..j], &want[..], "seed {seed} piece {piece}");
                }
            }
        }
    }

    #[test]
    fn decode12_flags_unreduced() {
        let mut bytes = [0u8; 384];
        let mut p = ZERO;
        assert_eq!(decode12(&bytes, &mut p), u32::MAX);
        // coefficient 1 = 3329 = 0xd01: bits 12..24 of the string.
        bytes[1] = 0x10;
        bytes[2] = 0xd0;
        assert_eq!(decode12(&bytes, &mut p), 0);
        assert_eq!(p[1], 3329);
        bytes[1] = 0x00;
        bytes[2] = 0xd0; // 3328
        assert_eq!(decode12(&bytes, &mut p), u32::MAX);
    }
}
