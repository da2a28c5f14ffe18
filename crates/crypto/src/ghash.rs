//! GHASH (SP 800-38D §6.4): PCLMULQDQ on x86-64, otherwise BearSSL's constant-time
//! `ghash_ctmul64` (carry-less multiplication from integer multiplications on
//! words with "holes", so no table and no branch depends on H or the data).

use zeroize::Zeroize;

use crate::Backend;

/// The hash subkey H, prepared for whichever implementation runs.
#[derive(Clone)]
pub(crate) struct GhashKey {
    h: [u64; 2],
    #[cfg(target_arch = "x86_64")]
    clmul: Option<crate::x86::clmul::HTable>,
}

impl Drop for GhashKey {
    fn drop(&mut self) {
        self.h.zeroize();
    }
}

impl GhashKey {
    pub(crate) fn new(backend: Backend, h: &[u8; 16]) -> GhashKey {
        let h0 = u64::from_be_bytes(h[..8].try_into().expect("8 bytes"));
        let h1 = u64::from_be_bytes(h[8..].try_into().expect("8 bytes"));
        #[cfg(target_arch = "x86_64")]
        let clmul = {
            let f = crate::backend::Features::for_backend(backend);
            f.pclmul()
                .then(|| crate::x86::clmul::HTable::new(h, f.vpclmul()))
        };
        #[cfg(not(target_arch = "x86_64"))]
        let _ = backend;
        GhashKey {
            h: [h0, h1],
            #[cfg(target_arch = "x86_64")]
            clmul,
        }
    }

    /// The PCLMULQDQ table, when PCLMULQDQ does the multiplications.
    #[cfg(target_arch = "x86_64")]
    pub(crate) fn clmul_table(&self) -> Option<&crate::x86::clmul::HTable> {
        self.clmul.as_ref()
    }

    /// True when PCLMULQDQ does the multiplications.
    pub(crate) fn is_accelerated(&self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            self.clmul.is_some()
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    }

    /// Y = (Y ^ X_i) * H for each 16-byte block X_i of `data`, the last one padded
    /// with zeros (SP 800-38D §6.4, §7.1 step 5).
    pub(crate) fn update(&self, y: &mut [u8; 16], data: &[u8]) {
        #[cfg(target_arch = "x86_64")]
        if let Some(t) = &self.clmul {
            t.update(y, data);
            return;
        }
        ghash_ctmul64(y, &self.h, data);
    }
}

/// Carry-less 64x64 -> 64 (low half) multiplication, constant time: the operands
/// are split into four interleaved parts with three-bit holes so that carries of the
/// integer multiplications never reach a bit that is kept.
#[inline(always)]
fn bmul64(x: u64, y: u64) -> u64 {
    const M0: u64 = 0x1111_1111_1111_1111;
    const M1: u64 = 0x2222_2222_2222_2222;
    const M2: u64 = 0x4444_4444_4444_4444;
    const M3: u64 = 0x8888_8888_8888_8888;
    let (x0, x1, x2, x3) = (x & M0, x & M1, x & M2, x & M3);
    let (y0, y1, y2, y3) = (y & M0, y & M1, y & M2, y & M3);
    let m = |a: u64, b: u64| a.wrapping_mul(b);
    let z0 = m(x0, y0) ^ m(x1, y3) ^ m(x2, y2) ^ m(x3, y1);
    let z1 = m(x0, y1) ^ m(x1, y0) ^ m(x2, y3) ^ m(x3, y2);
    let z2 = m(x0, y2) ^ m(x1, y1) ^ m(x2, y0) ^ m(x3, y3);
    let z3 = m(x0, y3) ^ m(x1, y2) ^ m(x2, y1) ^ m(x3, y0);
    (z0 & M0) | (z1 & M1) | (z2 & M2) | (z3 & M3)
}

fn ghash_ctmul64(y: &mut [u8; 16], h: &[u64; 2], data: &[u8]) {
    // Word 1 holds the first eight bytes (x^0..x^63, reflected), word 0 the rest.
    let mut y1 = u64::from_be_bytes(y[..8].try_into().expect("8 bytes"));
    let mut y0 = u64::from_be_bytes(y[8..].try_into().expect("8 bytes"));
    let (h1, h0) = (h[0], h[1]);
    let (h0r, h1r) = (h0.reverse_bits(), h1.reverse_bits());
    let h2 = h0 ^ h1;
    let h2r = h0r ^ h1r;
    for chunk in data.chunks(16) {
        let mut block = [0u8; 16];
        block[..chunk.len()].copy_from_slice(chunk);
        y1 ^= u64::from_be_bytes(block[..8].try_into().expect("8 bytes"));
        y0 ^= u64::from_be_bytes(block[8..].try_into().expect("8 bytes"));
        crate::ct::wipe(&mut block);

        // Karatsuba on the bit-reflected operands: the low halves of the products come
        // from bmul64 on the values, the high halves from bmul64 on the reversed values.
        let y0r = y0.reverse_bits();
        let y1r = y1.reverse_bits();
        let y2 = y0 ^ y1;
        let y2r = y0r ^ y1r;
        let z0 = bmul64(y0, h0);
        let z1 = bmul64(y1, h1);
        let mut z2 = bmul64(y2, h2);
        let mut z0h = bmul64(y0r, h0r);
        let mut z1h = bmul64(y1r, h1r);
        let mut z2h = bmul64(y2r, h2r);
        z2 ^= z0 ^ z1;
        z2h ^= z0h ^ z1h;
        z0h = z0h.reverse_bits() >> 1;
        z1h = z1h.reverse_bits() >> 1;
        z2h = z2h.reverse_bits() >> 1;

        let mut v0 = z0;
        let mut v1 = z0h ^ z2;
        let mut v2 = z1 ^ z2h;
        let mut v3 = z1h;

        // Shift left by one (the reflection) and reduce modulo x^128 + x^7 + x^2 + x + 1.
        v3 = (v3 << 1) | (v2 >> 63);
        v2 = (v2 << 1) | (v1 >> 63);
        v1 = (v1 << 1) | (v0 >> 63);
        v0 <<= 1;

        v2 ^= v0 ^ (v0 >> 1) ^ (v0 >> 2) ^ (v0 >> 7);
        v1 ^= (v0 << 63) ^ (v0 << 62) ^ (v0 << 57);
        v3 ^= v1 ^ (v1 >> 1) ^ (v1 >> 2) ^ (v1 >> 7);
        v2 ^= (v1 << 63) ^ (v1 << 62) ^ (v1 << 57);

        y0 = v2;
        y1 = v3;
    }
    y[..8].copy_from_slice(&y1.to_be_bytes());
    y[8..].copy_from_slice(&y0.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// The SP 800-38D §6.3 multiplication, bit by bit: a slow reference.
    fn gf_mul_reference(x: u128, y: u128) -> u128 {
        let r: u128 = 0xe1 << 120;
        let mut z = 0u128;
        let mut v = y;
        for i in 0..128 {
            if (x >> (127 - i)) & 1 == 1 {
                z ^= v;
            }
            v = if v & 1 == 1 { (v >> 1) ^ r } else { v >> 1 };
        }
        z
    }

    #[test]
    fn soft_and_clmul_match_reference() {
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            s
        };
        for _ in 0..20 {
            let h = (u128::from(next()) << 64) | u128::from(next());
            let data: Vec<u8> = (0..(next() % 300) as usize).map(|_| next() as u8).collect();
            let mut want = 0u128;
            for chunk in data.chunks(16) {
                let mut b = [0u8; 16];
                b[..chunk.len()].copy_from_slice(chunk);
                want = gf_mul_reference(want ^ u128::from_be_bytes(b), h);
            }
            for backend in [Backend::Portable, Backend::Native] {
                let key = GhashKey::new(backend, &h.to_be_bytes());
                let mut y = [0u8; 16];
                key.update(&mut y, &data);
                assert_eq!(
                    u128::from_be_bytes(y),
                    want,
                    "{backend:?} len {}",
                    data.len()
                );
                // Split at a block boundary: same result.
                let mut y = [0u8; 16];
                let cut = (data.len() / 2) & !15;
                key.update(&mut y, &data[..cut]);
                key.update(&mut y, &data[cut..]);
                assert_eq!(u128::from_be_bytes(y), want);
            }
        }
    }
}
