//! What the NIST prime curves (P-256, P-384) share, whatever their field size:
//! generic Montgomery field arithmetic ([`mont`]), the complete point formulas of
//! Renes, Costello and Batina for a = -3 ([`formulas`]), ECDSA's RFC 6979 nonces
//! and `bits2int`, the DER `ECDSA-Sig-Value`, the shape of a SEC 1 point
//! encoding, and width-w NAF recoding for verification.

pub(crate) mod ecdsa;
pub(crate) mod formulas;
pub(crate) mod mont;

use alloc::vec::Vec;
use zeroize::Zeroize;

use crate::{Error, HashFunction, Hmac};

/// RFC 6979 §2.3.2 bits2int for a qlen that is a multiple of 8 (both curves'):
/// the leftmost `out.len()` bytes of the digest; a shorter digest is used whole,
/// right-aligned (qlen > hlen).
pub(crate) fn bits2int(digest: &[u8], out: &mut [u8]) {
    out.fill(0);
    let q = out.len();
    if digest.len() >= q {
        out.copy_from_slice(&digest[..q]);
    } else {
        out[q - digest.len()..].copy_from_slice(digest);
    }
}

/// The HMAC_DRBG of RFC 6979 §3.2 steps b-h, for any curve: the caller supplies
/// `int2octets(x)`, `bits2octets(h1)` and the test that a candidate is in [1, q-1].
pub(crate) struct Rfc6979<H: HashFunction> {
    k: H::Output,
    v: H::Output,
}

impl<H: HashFunction> Rfc6979<H> {
    /// Steps b-g: `x` is int2octets(private key), `h` is bits2octets(H(m)), both
    /// rlen = qlen / 8 bytes.
    pub(crate) fn new(x: &[u8], h: &[u8]) -> Self {
        let mut v = H::digest(b"");
        v.as_mut().fill(0x01);
        let mut k = v;
        k.as_mut().fill(0x00);
        for round in [0u8, 1] {
            let mut m = Hmac::<H>::new(k.as_ref());
            m.update(v.as_ref());
            m.update(&[round]);
            m.update(x);
            m.update(h);
            k = m.finalize();
            v = Hmac::<H>::mac(k.as_ref(), v.as_ref());
        }
        Rfc6979 { k, v }
    }

    /// Step h: the next candidate of `qlen` bytes that `accept` takes (it returns
    /// the nonce when the candidate is in [1, q-1]).
    pub(crate) fn next_k<T>(&mut self, qlen: usize, accept: impl Fn(&[u8]) -> Option<T>) -> T {
        loop {
            let mut t = Vec::with_capacity(qlen + 64);
            while t.len() < qlen {
                self.v = Hmac::<H>::mac(self.k.as_ref(), self.v.as_ref());
                t.extend_from_slice(self.v.as_ref());
            }
            let cand = accept(&t[..qlen]);
            t.zeroize();
            if let Some(k) = cand {
                return k;
            }
            let mut m = Hmac::<H>::new(self.k.as_ref());
            m.update(self.v.as_ref());
            m.update(&[0]);
            self.k = m.finalize();
            self.v = Hmac::<H>::mac(self.k.as_ref(), self.v.as_ref());
        }
    }
}

impl<H: HashFunction> Drop for Rfc6979<H> {
    fn drop(&mut self) {
        self.k.as_mut().zeroize();
        self.v.as_mut().zeroize();
    }
}

/// Encodes `r || s` (two big-endian halves of equal width, at most 62 bytes each)
/// as a DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 3279
/// §2.2.3): minimal non-negative integers, short-form lengths.
pub(crate) fn signature_to_der(sig: &[u8]) -> Vec<u8> {
    fn int(out: &mut Vec<u8>, v: &[u8]) {
        let start = v.iter().position(|&b| b != 0).unwrap_or(v.len() - 1);
        let v = &v[start..];
        let pad = v[0] & 0x80 != 0;
        out.push(0x02);
        out.push((v.len() + usize::from(pad)) as u8);
        if pad {
            out.push(0);
        }
        out.extend_from_slice(v);
    }
    let (r, s) = sig.split_at(sig.len() / 2);
    let mut body = Vec::with_capacity(sig.len() + 6);
    int(&mut body, r);
    int(&mut body, s);
    let mut out = Vec::with_capacity(body.len() + 2);
    out.push(0x30);
    out.push(body.len() as u8);
    out.extend_from_slice(&body);
    out
}

/// Parses a strict DER `ECDSA-Sig-Value` into `out` = `r || s` (each half
/// `out.len() / 2` bytes, at most 62): minimal lengths, minimal non-negative
/// integers of at most that many significant bytes, nothing trailing. Any
/// violation (BER forms included) is [`Error::BadSignature`].
pub(crate) fn signature_from_der(der: &[u8], out: &mut [u8]) -> Result<(), Error> {
    fn int<'a>(b: &'a [u8], out: &mut [u8]) -> Result<&'a [u8], Error> {
        let (&tag, rest) = b.split_first().ok_or(Error::BadSignature)?;
        let (&len, rest) = rest.split_first().ok_or(Error::BadSignature)?;
        let len = usize::from(len);
        if tag != 0x02 || len == 0 || len >= 0x80 || rest.len() < len {
            return Err(Error::BadSignature);
        }
        let (v, rest) = rest.split_at(len);
        if v[0] & 0x80 != 0 || (len > 1 && v[0] == 0 && v[1] & 0x80 == 0) {
            return Err(Error::BadSignature); // negative, or not minimal
        }
        let v = if v[0] == 0 && len > 1 { &v[1..] } else { v };
        if v.len() > out.len() {
            return Err(Error::BadSignature);
        }
        let n = out.len();
        out[..n - v.len()].fill(0);
        out[n - v.len()..].copy_from_slice(v);
        Ok(rest)
    }
    let (&tag, rest) = der.split_first().ok_or(Error::BadSignature)?;
    let (&len, body) = rest.split_first().ok_or(Error::BadSignature)?;
    if tag != 0x30 || len >= 0x80 || body.len() != usize::from(len) {
        return Err(Error::BadSignature);
    }
    let half = out.len() / 2;
    let (r, s) = out.split_at_mut(half);
    let rest = int(body, r)?;
    let rest = int(rest, s)?;
    if !rest.is_empty() {
        return Err(Error::BadSignature);
    }
    Ok(())
}

/// The y half of a SEC 1 §2.3.4 point encoding.
pub(crate) enum Sec1Y<'a> {
    /// Uncompressed (`04`): y itself.
    Bytes(&'a [u8]),
    /// Compressed (`02` / `03`): whether y is odd.
    Odd(bool),
}

/// Splits a SEC 1 §2.3.4 point for a field of `len` bytes: `04 || x || y`
/// (1 + 2 len bytes) or `02/03 || x` (1 + len bytes). The identity's encoding
/// (`00`), the hybrid forms (`06/07`) and any other length are
/// [`Error::InvalidPublicKey`]; the coordinates are the caller's to check.
pub(crate) fn sec1_split(b: &[u8], len: usize) -> Result<(&[u8], Sec1Y<'_>), Error> {
    let (&tag, rest) = b.split_first().ok_or(Error::InvalidPublicKey)?;
    match (tag, rest.len()) {
        (0x04, l) if l == 2 * len => Ok((&rest[..len], Sec1Y::Bytes(&rest[len..]))),
        (0x02 | 0x03, l) if l == len => Ok((rest, Sec1Y::Odd(tag == 0x03))),
        _ => Err(Error::InvalidPublicKey),
    }
}

/// Bits `[pos, pos + len)` of the little-endian limbs `k` (zero beyond its end);
/// `pos` and `len` (at most 63) are public, so this indexes by public values only.
#[inline(always)]
pub(crate) fn scalar_bits(k: &[u64], pos: usize, len: usize) -> u64 {
    let word = |i: usize| k.get(i).copied().unwrap_or(0);
    let (i, sh) = (pos / 64, pos % 64);
    let mut v = word(i) >> sh;
    if sh != 0 {
        v |= word(i + 1) << (64 - sh);
    }
    v & ((1u64 << len) - 1)
}

/// The i-th signed window digit of `k` in width `w` (Booth recoding, as in
/// Gueron and Krasnov's ecp_nistz256): `v + b - 2^w t` where v is bits
/// [w i, w i + w), b the bit below them and t their top bit. Returns (|digit|,
/// all ones when negative); branch-free for secret `k`. The digits satisfy
/// `k = sum_i digit_i 2^(w i)`.
#[inline(always)]
pub(crate) fn booth_digit(k: &[u64], w: usize, i: usize) -> (u64, u64) {
    let v = scalar_bits(k, w * i, w);
    let below = if i == 0 {
        0
    } else {
        scalar_bits(k, w * i - 1, 1)
    };
    let top = v >> (w - 1);
    let d = (v + below).wrapping_sub(top << w); // two's complement, |d| <= 2^(w-1)
    let neg = 0u64.wrapping_sub(top);
    ((d ^ neg).wrapping_sub(neg), neg)
}

/// Width-w NAF of a *public* `k` into `out` (which must have room for the bits
/// of k plus w): `k = sum_i d_i 2^i`, each nonzero d_i odd with |d_i| < 2^(w-1),
/// and at most one nonzero among any w consecutive digits. The windowed recoding
/// of libsecp256k1's `secp256k1_ecmult_wnaf`. Variable time: verification only.
pub(crate) fn wnaf(k: &[u64], w: usize, out: &mut [i32]) {
    out.fill(0);
    let mut carry = 0u64;
    let mut bit = 0;
    while bit < out.len() {
        if scalar_bits(k, bit, 1) == carry {
            bit += 1;
            continue;
        }
        let word = scalar_bits(k, bit, w) + carry;
        carry = (word >> (w - 1)) & 1;
        out[bit] = word as i32 - ((carry as i32) << w);
        bit += w;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_round_trips_both_widths() {
        for w in [32usize, 48] {
            let mut sig = alloc::vec![0u8; 2 * w];
            sig[w - 1] = 1;
            sig[w] = 0x80;
            let der = signature_to_der(&sig);
            let mut back = alloc::vec![0xffu8; 2 * w];
            signature_from_der(&der, &mut back).unwrap();
            assert_eq!(back, sig);
            // r one byte too wide for the width.
            let mut wide = alloc::vec![0x30, 0, 0x02, (w + 1) as u8, 1];
            wide.extend(core::iter::repeat_n(0u8, w));
            wide.extend([2, 1, 1]);
            wide[1] = (wide.len() - 2) as u8;
            assert_eq!(
                signature_from_der(&wide, &mut back),
                Err(Error::BadSignature)
            );
        }
    }

    #[test]
    fn sec1_shapes() {
        let mut u = alloc::vec![4u8; 97];
        assert!(
            matches!(sec1_split(&u, 48), Ok((x, Sec1Y::Bytes(y))) if x.len() == 48 && y.len() == 48)
        );
        u.pop();
        assert!(sec1_split(&u, 48).is_err());
        assert!(matches!(
            sec1_split(&[3u8; 49], 48),
            Ok((_, Sec1Y::Odd(true)))
        ));
        assert!(sec1_split(&[0u8], 48).is_err());
        assert!(sec1_split(&[], 48).is_err());
        assert!(sec1_split(&[6u8; 97], 48).is_err());
    }
}
