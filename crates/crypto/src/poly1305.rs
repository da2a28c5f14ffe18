//! Poly1305 (RFC 8439 §2.5) in radix 2^64: h = h0 + h1*2^64 + h2*2^128 with h2
//! small, r = r0 + r1*2^64. Clamping clears the low two bits of r1, so
//! h1*r1*2^128 = h1*(r1/4)*2^130 == h1*(r1 + r1/4) (mod 2^130 - 5): four 64x64->128
//! multiplications per block. No branch or index depends on the key or the message;
//! the final reduction selects h or h - p with masks.

use zeroize::Zeroize;

/// A Poly1305 one-time authenticator.
///
/// ```
/// use handshake_crypto::Poly1305;
/// let mut p = Poly1305::new(&[1u8; 32]);
/// p.update(b"message");
/// let tag = p.finalize();
/// assert_eq!(tag.len(), 16);
/// ```
#[derive(Clone, Zeroize)]
#[zeroize(drop)]
pub struct Poly1305 {
    r: [u64; 2],
    h: [u64; 3],
    pad: [u64; 2],
    buf: [u8; 16],
    buf_len: usize,
}

impl core::fmt::Debug for Poly1305 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Poly1305").finish_non_exhaustive()
    }
}

#[inline(always)]
fn le64(b: &[u8]) -> u64 {
    u64::from_le_bytes(b[..8].try_into().expect("8 bytes"))
}

#[inline(always)]
fn mul(a: u64, b: u64) -> u128 {
    u128::from(a) * u128::from(b)
}

/// h = (h + m) * r mod 2^130 - 5 for each 16-byte block of `m`; `padbit` is the
/// 2^128 bit (1 for full blocks, 0 for the already padded last one).
#[inline(always)]
pub(crate) fn poly_blocks(h: &mut [u64; 3], r: &[u64; 2], m: &[u8], padbit: u64) {
    let [r0, r1] = *r;
    let s1 = r1 + (r1 >> 2);
    let [mut h0, mut h1, mut h2] = *h;
    for blk in m.chunks_exact(16) {
        let t = u128::from(h0) + u128::from(le64(blk));
        h0 = t as u64;
        let t = u128::from(h1) + u128::from(le64(&blk[8..])) + (t >> 64);
        h1 = t as u64;
        h2 += (t >> 64) as u64 + padbit;

        let d0 = mul(h0, r0) + mul(h1, s1);
        // h2 <= 6 and s1 < 2^61, so h2 * s1 fits in 64 bits: one imul, not a
        // full 64x64->128 mul.
        let d1 = mul(h0, r1) + mul(h1, r0) + u128::from(h2 * s1) + (d0 >> 64);
        let d2 = h2 * r0 + (d1 >> 64) as u64;
        h0 = d0 as u64;
        h1 = d1 as u64;
        // Fold the bits at 2^130 and above back in times 5.
        let c = (d2 >> 2) + (d2 & !3);
        h2 = d2 & 3;
        let t = u128::from(h0) + u128::from(c);
        h0 = t as u64;
        let t = u128::from(h1) + (t >> 64);
        h1 = t as u64;
        h2 += (t >> 64) as u64;
    }
    *h = [h0, h1, h2];
}

impl Poly1305 {
    /// Keys with the 32-byte one-time key r || s; r is clamped (RFC 8439 §2.5).
    pub fn new(key: &[u8; 32]) -> Poly1305 {
        Poly1305 {
            r: [
                le64(&key[0..]) & 0x0fff_fffc_0fff_ffff,
                le64(&key[8..]) & 0x0fff_fffc_0fff_fffc,
            ],
            h: [0; 3],
            pad: [le64(&key[16..]), le64(&key[24..])],
            buf: [0; 16],
            buf_len: 0,
        }
    }

    /// The accumulator and r, for code that hashes whole blocks itself (the stitched
    /// ChaCha20-Poly1305); `None` while a partial block is buffered.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    pub(crate) fn raw_parts(&mut self) -> Option<(&mut [u64; 3], &[u64; 2])> {
        (self.buf_len == 0).then_some((&mut self.h, &self.r))
    }

    fn blocks(&mut self, m: &[u8], padbit: u64) {
        poly_blocks(&mut self.h, &self.r, m, padbit);
    }

    /// Absorbs more message bytes.
    pub fn update(&mut self, mut data: &[u8]) {
        if self.buf_len > 0 {
            let take = (16 - self.buf_len).min(data.len());
            self.buf[self.buf_len..self.buf_len + take].copy_from_slice(&data[..take]);
            self.buf_len += take;
            data = &data[take..];
            if self.buf_len < 16 {
                return;
            }
            let b = self.buf;
            self.blocks(&b, 1);
            self.buf_len = 0;
        }
        let whole = data.len() & !15;
        self.blocks(&data[..whole], 1);
        let rest = &data[whole..];
        self.buf[..rest.len()].copy_from_slice(rest);
        self.buf_len = rest.len();
    }

    /// Absorbs `data` then zeros up to a 16-byte boundary (the RFC 8439 §2.8 padding).
    pub(crate) fn update_padded(&mut self, data: &[u8]) {
        self.update(data);
        if self.buf_len > 0 {
            self.buf[self.buf_len..].fill(0);
            let b = self.buf;
            self.blocks(&b, 1);
            self.buf_len = 0;
        }
    }

    /// Finishes: tag = (h mod p) + s mod 2^128.
    pub fn finalize(mut self) -> [u8; 16] {
        if self.buf_len > 0 {
            let n = self.buf_len;
            self.buf[n] = 1;
            self.buf[n + 1..].fill(0);
            let b = self.buf;
            self.blocks(&b, 0);
        }
        let [h0, h1, h2] = self.h;
        // h < 2p here; g = h + 5 reaches 2^130 exactly when h >= p, and then h - p is
        // g mod 2^130.
        let t = u128::from(h0) + 5;
        let g0 = t as u64;
        let t = u128::from(h1) + (t >> 64);
        let g1 = t as u64;
        let g2 = h2 + (t >> 64) as u64;
        let mask = 0u64.wrapping_sub(g2 >> 2);
        let h0 = (h0 & !mask) | (g0 & mask);
        let h1 = (h1 & !mask) | (g1 & mask);
        // + s, modulo 2^128.
        let t = u128::from(h0) + u128::from(self.pad[0]);
        let lo = t as u64;
        let hi = h1.wrapping_add(self.pad[1]).wrapping_add((t >> 64) as u64);
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&lo.to_le_bytes());
        out[8..].copy_from_slice(&hi.to_le_bytes());
        out
    }

    /// One-shot tag of `msg` under the one-time `key`.
    pub fn mac(key: &[u8; 32], msg: &[u8]) -> [u8; 16] {
        let mut p = Poly1305::new(key);
        p.update(msg);
        p.finalize()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn rfc8439_2_5_2() {
        let key: [u8; 32] = h("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b")
            .try_into()
            .unwrap();
        let tag = Poly1305::mac(&key, b"Cryptographic Forum Research Group");
        assert_eq!(tag.to_vec(), h("a8061dc1305136c6c22b8baf0c0127a9"));
        // Streaming in odd pieces gives the same tag.
        let mut p = Poly1305::new(&key);
        for piece in b"Cryptographic Forum Research Group".chunks(5) {
            p.update(piece);
        }
        assert_eq!(p.finalize(), tag);
    }

    /// RFC 8439 Appendix A.3 edge cases (test vectors 5-11: reductions near p).
    #[test]
    fn rfc8439_a3_edge_cases() {
        let one = "0100000000000000000000000000000000000000000000000000000000000000";
        let two = "0200000000000000000000000000000000000000000000000000000000000000";
        let cases = [
            (two, "ffffffffffffffffffffffffffffffff", "03000000000000000000000000000000"),
            (
                "02000000000000000000000000000000ffffffffffffffffffffffffffffffff",
                "02000000000000000000000000000000",
                "03000000000000000000000000000000",
            ),
            (
                one,
                "fffffffffffffffffffffffffffffffff0ffffffffffffffffffffffffffffff11000000000000000000000000000000",
                "05000000000000000000000000000000",
            ),
            (
                one,
                "fffffffffffffffffffffffffffffffffbfefefefefefefefefefefefefefefe01010101010101010101010101010101",
                "00000000000000000000000000000000",
            ),
            (two, "fdffffffffffffffffffffffffffffff", "faffffffffffffffffffffffffffffff"),
            (
                "0100000000000000040000000000000000000000000000000000000000000000",
                "e33594d7505e43b900000000000000003394d7505e4379cd01000000000000000000000000000000000000000000000001000000000000000000000000000000",
                "14000000000000005500000000000000",
            ),
            (
                "0100000000000000040000000000000000000000000000000000000000000000",
                "e33594d7505e43b900000000000000003394d7505e4379cd010000000000000000000000000000000000000000000000",
                "13000000000000000000000000000000",
            ),
        ];
        for (key, msg, tag) in cases {
            let key: [u8; 32] = h(key).try_into().unwrap();
            assert_eq!(Poly1305::mac(&key, &h(msg)).to_vec(), h(tag), "msg {msg}");
        }
    }
}
