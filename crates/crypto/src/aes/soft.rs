//! Portable constant-time AES: the 64-bit bitsliced design of BearSSL's `aes_ct64`.
//!
//! Four blocks are processed at once, spread over eight 64-bit words so that word
//! `i` holds bit `i` of every byte of the four blocks. The S-box is then Boyar and
//! Peralta's 113-gate circuit ("A new combinational logic minimization technique with
//! applications to cryptology", 2009) evaluated with AND/XOR on whole words: no table,
//! no branch, no memory access depends on the key or the data.

use zeroize::Zeroize;

/// The bitsliced S-box on eight words (x0 is bit 7, x7 is bit 0).
#[allow(clippy::many_single_char_names)]
pub(crate) fn sbox(q: &mut [u64; 8]) {
    let x0 = q[7];
    let x1 = q[6];
    let x2 = q[5];
    let x3 = q[4];
    let x4 = q[3];
    let x5 = q[2];
    let x6 = q[1];
    let x7 = q[0];

    // Top linear transformation.
    let y14 = x3 ^ x5;
    let y13 = x0 ^ x6;
    let y9 = x0 ^ x3;
    let y8 = x0 ^ x5;
    let t0 = x1 ^ x2;
    let y1 = t0 ^ x7;
    let y4 = y1 ^ x3;
    let y12 = y13 ^ y14;
    let y2 = y1 ^ x0;
    let y5 = y1 ^ x6;
    let y3 = y5 ^ y8;
    let t1 = x4 ^ y12;
    let y15 = t1 ^ x5;
    let y20 = t1 ^ x1;
    let y6 = y15 ^ x7;
    let y10 = y15 ^ t0;
    let y11 = y20 ^ y9;
    let y7 = x7 ^ y11;
    let y17 = y10 ^ y11;
    let y19 = y10 ^ y8;
    let y16 = t0 ^ y11;
    let y21 = y13 ^ y16;
    let y18 = x0 ^ y16;

    // Non-linear section.
    let t2 = y12 & y15;
    let t3 = y3 & y6;
    let t4 = t3 ^ t2;
    let t5 = y4 & x7;
    let t6 = t5 ^ t2;
    let t7 = y13 & y16;
    let t8 = y5 & y1;
    let t9 = t8 ^ t7;
    let t10 = y2 & y7;
    let t11 = t10 ^ t7;
    let t12 = y9 & y11;
    let t13 = y14 & y17;
    let t14 = t13 ^ t12;
    let t15 = y8 & y10;
    let t16 = t15 ^ t12;
    let t17 = t4 ^ t14;
    let t18 = t6 ^ t16;
    let t19 = t9 ^ t14;
    let t20 = t11 ^ t16;
    let t21 = t17 ^ y20;
    let t22 = t18 ^ y19;
    let t23 = t19 ^ y21;
    let t24 = t20 ^ y18;

    let t25 = t21 ^ t22;
    let t26 = t21 & t23;
    let t27 = t24 ^ t26;
    let t28 = t25 & t27;
    let t29 = t28 ^ t22;
    let t30 = t23 ^ t24;
    let t31 = t22 ^ t26;
    let t32 = t31 & t30;
    let t33 = t32 ^ t24;
    let t34 = t23 ^ t33;
    let t35 = t27 ^ t33;
    let t36 = t24 & t35;
    let t37 = t36 ^ t34;
    let t38 = t27 ^ t36;
    let t39 = t29 & t38;
    let t40 = t25 ^ t39;

    let t41 = t40 ^ t37;
    let t42 = t29 ^ t33;
    let t43 = t29 ^ t40;
    let t44 = t33 ^ t37;
    let t45 = t42 ^ t41;
    let z0 = t44 & y15;
    let z1 = t37 & y6;
    let z2 = t33 & x7;
    let z3 = t43 & y16;
    let z4 = t40 & y1;
    let z5 = t29 & y7;
    let z6 = t42 & y11;
    let z7 = t45 & y17;
    let z8 = t41 & y10;
    let z9 = t44 & y12;
    let z10 = t37 & y3;
    let z11 = t33 & y4;
    let z12 = t43 & y13;
    let z13 = t40 & y5;
    let z14 = t29 & y2;
    let z15 = t42 & y9;
    let z16 = t45 & y14;
    let z17 = t41 & y8;

    // Bottom linear transformation.
    let t46 = z15 ^ z16;
    let t47 = z10 ^ z11;
    let t48 = z5 ^ z13;
    let t49 = z9 ^ z10;
    let t50 = z2 ^ z12;
    let t51 = z2 ^ z5;
    let t52 = z7 ^ z8;
    let t53 = z0 ^ z3;
    let t54 = z6 ^ z7;
    let t55 = z16 ^ z17;
    let t56 = z12 ^ t48;
    let t57 = t50 ^ t53;
    let t58 = z4 ^ t46;
    let t59 = z3 ^ t54;
    let t60 = t46 ^ t57;
    let t61 = z14 ^ t57;
    let t62 = t52 ^ t58;
    let t63 = t49 ^ t58;
    let t64 = z4 ^ t59;
    let t65 = t61 ^ t62;
    let t66 = z1 ^ t63;
    let s0 = t59 ^ t63;
    let s6 = t56 ^ !t62;
    let s7 = t48 ^ !t60;
    let t67 = t64 ^ t65;
    let s3 = t53 ^ t66;
    let s4 = t51 ^ t66;
    let s5 = t47 ^ t65;
    let s1 = t64 ^ !s3;
    let s2 = t55 ^ !t67;

    q[7] = s0;
    q[6] = s1;
    q[5] = s2;
    q[4] = s3;
    q[3] = s4;
    q[2] = s5;
    q[1] = s6;
    q[0] = s7;
}

/// The inverse S-box: inverse affine map, the S-box, inverse affine map again
/// (S^-1 = A^-1 o S o A^-1 on the constant-adjusted affine transform).
fn inv_sbox(q: &mut [u64; 8]) {
    fn inv_affine(q: &mut [u64; 8]) {
        let q0 = !q[0];
        let q1 = !q[1];
        let q2 = q[2];
        let q3 = q[3];
        let q4 = q[4];
        let q5 = !q[5];
        let q6 = !q[6];
        let q7 = q[7];
        q[7] = q1 ^ q4 ^ q6;
        q[6] = q0 ^ q3 ^ q5;
        q[5] = q7 ^ q2 ^ q4;
        q[4] = q6 ^ q1 ^ q3;
        q[3] = q5 ^ q0 ^ q2;
        q[2] = q4 ^ q7 ^ q1;
        q[1] = q3 ^ q6 ^ q0;
        q[0] = q2 ^ q5 ^ q7;
    }
    inv_affine(q);
    sbox(q);
    inv_affine(q);
}

/// Transposes between "eight words of byte-interleaved blocks" and bitsliced form
/// (an involution).
pub(crate) fn ortho(q: &mut [u64; 8]) {
    #[inline(always)]
    fn swap(q: &mut [u64; 8], a: usize, b: usize, cl: u64, ch: u64, s: u32) {
        let x = q[a];
        let y = q[b];
        q[a] = (x & cl) | ((y & cl) << s);
        q[b] = ((x & ch) >> s) | (y & ch);
    }
    const C2: (u64, u64) = (0x5555_5555_5555_5555, 0xAAAA_AAAA_AAAA_AAAA);
    const C4: (u64, u64) = (0x3333_3333_3333_3333, 0xCCCC_CCCC_CCCC_CCCC);
    const C8: (u64, u64) = (0x0F0F_0F0F_0F0F_0F0F, 0xF0F0_F0F0_F0F0_F0F0);
    for (a, b) in [(0, 1), (2, 3), (4, 5), (6, 7)] {
        swap(q, a, b, C2.0, C2.1, 1);
    }
    for (a, b) in [(0, 2), (1, 3), (4, 6), (5, 7)] {
        swap(q, a, b, C4.0, C4.1, 2);
    }
    for (a, b) in [(0, 4), (1, 5), (2, 6), (3, 7)] {
        swap(q, a, b, C8.0, C8.1, 4);
    }
}

fn interleave_in(w: &[u32]) -> (u64, u64) {
    let mut x = [
        u64::from(w[0]),
        u64::from(w[1]),
        u64::from(w[2]),
        u64::from(w[3]),
    ];
    for v in x.iter_mut() {
        *v |= *v << 16;
        *v &= 0x0000_FFFF_0000_FFFF;
        *v |= *v << 8;
        *v &= 0x00FF_00FF_00FF_00FF;
    }
    (x[0] | (x[2] << 8), x[1] | (x[3] << 8))
}

fn interleave_out(w: &mut [u32], q0: u64, q1: u64) {
    let mut x = [
        q0 & 0x00FF_00FF_00FF_00FF,
        q1 & 0x00FF_00FF_00FF_00FF,
        (q0 >> 8) & 0x00FF_00FF_00FF_00FF,
        (q1 >> 8) & 0x00FF_00FF_00FF_00FF,
    ];
    for (i, v) in x.iter_mut().enumerate() {
        *v |= *v >> 8;
        *v &= 0x0000_FFFF_0000_FFFF;
        w[i] = (*v as u32) | ((*v >> 16) as u32);
    }
}

fn shift_rows(q: &mut [u64; 8]) {
    for x in q.iter_mut() {
        let v = *x;
        *x = (v & 0x0000_0000_0000_FFFF)
            | ((v & 0x0000_0000_FFF0_0000) >> 4)
            | ((v & 0x0000_0000_000F_0000) << 12)
            | ((v & 0x0000_FF00_0000_0000) >> 8)
            | ((v & 0x0000_00FF_0000_0000) << 8)
            | ((v & 0xF000_0000_0000_0000) >> 12)
            | ((v & 0x0FFF_0000_0000_0000) << 4);
    }
}

fn inv_shift_rows(q: &mut [u64; 8]) {
    for x in q.iter_mut() {
        let v = *x;
        *x = (v & 0x0000_0000_0000_FFFF)
            | ((v & 0x0000_0000_0FFF_0000) << 4)
            | ((v & 0x0000_0000_F000_0000) >> 12)
            | ((v & 0x0000_00FF_0000_0000) << 8)
            | ((v & 0x0000_FF00_0000_0000) >> 8)
            | ((v & 0x000F_0000_0000_0000) << 12)
            | ((v & 0xFFF0_0000_0000_0000) >> 4);
    }
}

#[inline(always)]
fn rotr32(x: u64) -> u64 {
    x.rotate_left(32)
}

fn mix_columns(q: &mut [u64; 8]) {
    let [q0, q1, q2, q3, q4, q5, q6, q7] = *q;
    let r0 = q0.rotate_right(16);
    let r1 = q1.rotate_right(16);
    let r2 = q2.rotate_right(16);
    let r3 = q3.rotate_right(16);
    let r4 = q4.rotate_right(16);
    let r5 = q5.rotate_right(16);
    let r6 = q6.rotate_right(16);
    let r7 = q7.rotate_right(16);
    q[0] = q7 ^ r7 ^ r0 ^ rotr32(q0 ^ r0);
    q[1] = q0 ^ r0 ^ q7 ^ r7 ^ r1 ^ rotr32(q1 ^ r1);
    q[2] = q1 ^ r1 ^ r2 ^ rotr32(q2 ^ r2);
    q[3] = q2 ^ r2 ^ q7 ^ r7 ^ r3 ^ rotr32(q3 ^ r3);
    q[4] = q3 ^ r3 ^ q7 ^ r7 ^ r4 ^ rotr32(q4 ^ r4);
    q[5] = q4 ^ r4 ^ r5 ^ rotr32(q5 ^ r5);
    q[6] = q5 ^ r5 ^ r6 ^ rotr32(q6 ^ r6);
    q[7] = q6 ^ r6 ^ r7 ^ rotr32(q7 ^ r7);
}

/// InvMixColumns = MixColumns^3: the MixColumns polynomial has order 4 modulo
/// x^4 + 1 (FIPS 197 §5.3.3), so three applications invert one.
fn inv_mix_columns(q: &mut [u64; 8]) {
    mix_columns(q);
    mix_columns(q);
    mix_columns(q);
}

fn add_round_key(q: &mut [u64; 8], sk: &[u64]) {
    for (x, k) in q.iter_mut().zip(sk) {
        *x ^= k;
    }
}

const RCON: [u32; 10] = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1B, 0x36];

fn sub_word(x: u32) -> u32 {
    let mut q = [0u64; 8];
    q[0] = u64::from(x);
    ortho(&mut q);
    sbox(&mut q);
    ortho(&mut q);
    q[0] as u32
}

/// An expanded bitsliced key: (rounds + 1) * 8 words.
#[derive(Clone, Zeroize)]
#[zeroize(drop)]
pub(crate) struct SoftKey {
    rounds: usize,
    sk: [u64; 120],
}

impl SoftKey {
    /// Expands a 16-, 24- or 32-byte key (FIPS 197 §5.2). The caller checked the length.
    pub(crate) fn new(key: &[u8]) -> SoftKey {
        let rounds = match key.len() {
            16 => 10,
            24 => 12,
            _ => 14,
        };
        let nk = key.len() / 4;
        let nkf = (rounds + 1) * 4;
        let mut w = [0u32; 60];
        for (i, c) in key.chunks_exact(4).enumerate() {
            w[i] = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        }
        let mut tmp = w[nk - 1];
        let (mut j, mut k) = (0, 0);
        for i in nk..nkf {
            if j == 0 {
                tmp = tmp.rotate_right(8);
                tmp = sub_word(tmp) ^ RCON[k];
            } else if nk > 6 && j == 4 {
                tmp = sub_word(tmp);
            }
            tmp ^= w[i - nk];
            w[i] = tmp;
            j += 1;
            if j == nk {
                j = 0;
                k += 1;
            }
        }
        let mut sk = [0u64; 120];
        for (r, words) in w[..nkf].chunks_exact(4).enumerate() {
            let mut q = [0u64; 8];
            let (a, b) = interleave_in(words);
            q[0] = a;
            q[1] = a;
            q[2] = a;
            q[3] = a;
            q[4] = b;
            q[5] = b;
            q[6] = b;
            q[7] = b;
            ortho(&mut q);
            sk[r * 8..r * 8 + 8].copy_from_slice(&q);
            q.zeroize();
        }
        w.zeroize();
        tmp.zeroize();
        SoftKey { rounds, sk }
    }

    fn load(blocks: &[[u8; 16]; 4]) -> [u64; 8] {
        let mut w = [0u32; 16];
        for (b, block) in blocks.iter().enumerate() {
            for i in 0..4 {
                w[4 * b + i] = u32::from_le_bytes([
                    block[4 * i],
                    block[4 * i + 1],
                    block[4 * i + 2],
                    block[4 * i + 3],
                ]);
            }
        }
        let mut q = [0u64; 8];
        for i in 0..4 {
            let (a, b) = interleave_in(&w[4 * i..4 * i + 4]);
            q[i] = a;
            q[i + 4] = b;
        }
        ortho(&mut q);
        q
    }

    fn store(mut q: [u64; 8], blocks: &mut [[u8; 16]; 4]) {
        ortho(&mut q);
        let mut w = [0u32; 16];
        for i in 0..4 {
            interleave_out(&mut w[4 * i..4 * i + 4], q[i], q[i + 4]);
        }
        for (b, block) in blocks.iter_mut().enumerate() {
            for i in 0..4 {
                block[4 * i..4 * i + 4].copy_from_slice(&w[4 * b + i].to_le_bytes());
            }
        }
    }

    /// Encrypts four blocks in place (FIPS 197 §5.1).
    pub(crate) fn encrypt4(&self, blocks: &mut [[u8; 16]; 4]) {
        let mut q = Self::load(blocks);
        let sk = &self.sk;
        add_round_key(&mut q, &sk[..8]);
        for r in 1..self.rounds {
            sbox(&mut q);
            shift_rows(&mut q);
            mix_columns(&mut q);
            add_round_key(&mut q, &sk[r * 8..r * 8 + 8]);
        }
        sbox(&mut q);
        shift_rows(&mut q);
        add_round_key(&mut q, &sk[self.rounds * 8..self.rounds * 8 + 8]);
        Self::store(q, blocks);
    }

    /// Decrypts four blocks in place (FIPS 197 §5.3).
    pub(crate) fn decrypt4(&self, blocks: &mut [[u8; 16]; 4]) {
        let mut q = Self::load(blocks);
        let sk = &self.sk;
        add_round_key(&mut q, &sk[self.rounds * 8..self.rounds * 8 + 8]);
        for r in (1..self.rounds).rev() {
            inv_shift_rows(&mut q);
            inv_sbox(&mut q);
            add_round_key(&mut q, &sk[r * 8..r * 8 + 8]);
            inv_mix_columns(&mut q);
        }
        inv_shift_rows(&mut q);
        inv_sbox(&mut q);
        add_round_key(&mut q, &sk[..8]);
        Self::store(q, blocks);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The S-box computed from its definition (FIPS 197 §5.1.1): inverse in GF(2^8)
    /// then the affine map. Slow and data-dependent, for tests only.
    fn reference_sbox(x: u8) -> u8 {
        fn mul(mut a: u8, mut b: u8) -> u8 {
            let mut p = 0u8;
            while b != 0 {
                if b & 1 != 0 {
                    p ^= a;
                }
                let hi = a & 0x80;
                a <<= 1;
                if hi != 0 {
                    a ^= 0x1b;
                }
                b >>= 1;
            }
            p
        }
        let inv = if x == 0 {
            0
        } else {
            (1..=255u8).find(|&y| mul(x, y) == 1).unwrap()
        };
        let mut s = inv;
        for r in 1..5 {
            s ^= inv.rotate_left(r);
        }
        s ^ 0x63
    }

    fn bitsliced(f: fn(&mut [u64; 8]), x: u8) -> u8 {
        // Put x in every byte of the eight words, transpose, apply f, transpose back.
        let mut q = [u64::from_le_bytes([x; 8]); 8];
        ortho(&mut q);
        f(&mut q);
        ortho(&mut q);
        q[3].to_le_bytes()[5]
    }

    #[test]
    fn sbox_and_inverse_match_definition() {
        for x in 0..=255u8 {
            let s = reference_sbox(x);
            assert_eq!(bitsliced(sbox, x), s, "S({x:#x})");
            assert_eq!(bitsliced(inv_sbox, s), x, "S^-1({s:#x})");
        }
    }

    #[test]
    fn shift_rows_inverse() {
        let mut q = [0u64; 8];
        for (i, v) in q.iter_mut().enumerate() {
            *v = 0x0123_4567_89ab_cdefu64
                .wrapping_mul(i as u64 + 3)
                .rotate_left(i as u32 * 7);
        }
        let orig = q;
        shift_rows(&mut q);
        assert_ne!(q, orig);
        inv_shift_rows(&mut q);
        assert_eq!(q, orig);
        mix_columns(&mut q);
        inv_mix_columns(&mut q);
        assert_eq!(q, orig);
    }
}
