//! Poly1305 (RFC 8439 §2.5): three 44/44/42-bit limbs and 64x64->128 multiplications
//! (poly1305-donna-64). No branch or index depends on the key or the message; the
//! final reduction selects h or h - p with masks.

use zeroize::Zeroize;

const M44: u64 = 0xfff_ffff_ffff;
const M42: u64 = 0x3ff_ffff_ffff;

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
    r: [u64; 3],
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

impl Poly1305 {
    /// Keys with the 32-byte one-time key r || s; r is clamped (RFC 8439 §2.5).
    pub fn new(key: &[u8; 32]) -> Poly1305 {
        let t0 = le64(&key[0..]);
        let t1 = le64(&key[8..]);
        Poly1305 {
            r: [
                t0 & 0xffc_0fff_ffff,
                ((t0 >> 44) | (t1 << 20)) & 0xfff_ffc0_ffff,
                (t1 >> 24) & 0x00f_ffff_fc0f,
            ],
            h: [0; 3],
            pad: [le64(&key[16..]), le64(&key[24..])],
            buf: [0; 16],
            buf_len: 0,
        }
    }

    /// h = (h + m) * r mod 2^130 - 5 for each 16-byte block; `hibit` is 2^128 in
    /// limb 2 for full blocks and 0 for the padded last one.
    fn blocks(&mut self, m: &[u8], hibit: u64) {
        let [r0, r1, r2] = self.r;
        let s1 = r1 * (5 << 2);
        let s2 = r2 * (5 << 2);
        let [mut h0, mut h1, mut h2] = self.h;
        let mul = |a: u64, b: u64| u128::from(a) * u128::from(b);
        for blk in m.chunks_exact(16) {
            let t0 = le64(blk);
            let t1 = le64(&blk[8..]);
            h0 += t0 & M44;
            h1 += ((t0 >> 44) | (t1 << 20)) & M44;
            h2 += ((t1 >> 24) & M42) | hibit;

            let d0 = mul(h0, r0) + mul(h1, s2) + mul(h2, s1);
            let mut d1 = mul(h0, r1) + mul(h1, r0) + mul(h2, s2);
            let mut d2 = mul(h0, r2) + mul(h1, r1) + mul(h2, r0);

            let mut c = (d0 >> 44) as u64;
            h0 = (d0 as u64) & M44;
            d1 += u128::from(c);
            c = (d1 >> 44) as u64;
            h1 = (d1 as u64) & M44;
            d2 += u128::from(c);
            c = (d2 >> 42) as u64;
            h2 = (d2 as u64) & M42;
            h0 += c * 5;
            c = h0 >> 44;
            h0 &= M44;
            h1 += c;
        }
        self.h = [h0, h1, h2];
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
            self.blocks(&b, 1 << 40);
            self.buf_len = 0;
        }
        let whole = data.len() & !15;
        self.blocks(&data[..whole], 1 << 40);
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
            self.blocks(&b, 1 << 40);
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
        let [mut h0, mut h1, mut h2] = self.h;
        // Fully carry h.
        let mut c = h1 >> 44;
        h1 &= M44;
        h2 += c;
        c = h2 >> 42;
        h2 &= M42;
        h0 += c * 5;
        c = h0 >> 44;
        h0 &= M44;
        h1 += c;
        c = h1 >> 44;
        h1 &= M44;
        h2 += c;
        c = h2 >> 42;
        h2 &= M42;
        h0 += c * 5;
        c = h0 >> 44;
        h0 &= M44;
        h1 += c;

        // g = h + -p = h + 5 - 2^130
        let mut g0 = h0 + 5;
        c = g0 >> 44;
        g0 &= M44;
        let mut g1 = h1 + c;
        c = g1 >> 44;
        g1 &= M44;
        let mut g2 = h2.wrapping_add(c).wrapping_sub(1 << 42);

        // Keep g when h >= p (g2 did not go negative), else h; by mask, not branch.
        let mask = (g2 >> 63).wrapping_sub(1);
        g0 &= mask;
        g1 &= mask;
        g2 &= mask;
        let keep = !mask;
        h0 = (h0 & keep) | g0;
        h1 = (h1 & keep) | g1;
        h2 = (h2 & keep) | g2;

        // h += s
        let [t0, t1] = self.pad;
        h0 += t0 & M44;
        c = h0 >> 44;
        h0 &= M44;
        h1 += (((t0 >> 44) | (t1 << 20)) & M44) + c;
        c = h1 >> 44;
        h1 &= M44;
        h2 += ((t1 >> 24) & M42) + c;
        h2 &= M42;

        let lo = h0 | (h1 << 44);
        let hi = (h1 >> 20) | (h2 << 24);
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
