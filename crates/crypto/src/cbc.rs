//! TLS 1.2 CBC record protection: AES-CBC with HMAC-SHA256, MAC-then-encrypt
//! (RFC 5246 §6.2.3.2), for the `*_WITH_AES_128_CBC_SHA256` and
//! `*_WITH_AES_256_CBC_SHA256` suites (RFC 5246 Appendix A.5, RFC 5289).
//!
//! Opening a record is constant time in everything but the record's public length:
//! the padding is checked with masks over the last 256 bytes, the MAC is computed
//! over every candidate length with the same number of compression-function calls
//! (the Lucky Thirteen countermeasure of AlFardan and Paterson, the approach of
//! BoringSSL's `EVP_tls_cbc_digest_record`), and the received MAC is gathered from
//! its secret offset with masks. A bad padding and a bad MAC give the same
//! [`Error::AuthenticationFailed`] (RFC 5246 §6.2.3.2, §7.2.2).

use alloc::vec::Vec;

use zeroize::Zeroize;

use crate::ct::{ct_eq_u32, ct_lt_u32};
use crate::{Aes, Backend, Error, HmacSha256};

const MAC_LEN: usize = 32;
const BLOCK: usize = 16;

/// The record header the MAC covers besides the content (RFC 5246 §6.2.3.1):
/// seq_num, type, version; the length is added by the construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordHeader {
    /// The 64-bit sequence number of this record in its direction.
    pub seq_num: u64,
    /// ContentType (20 change_cipher_spec, 21 alert, 22 handshake, 23 application_data).
    pub content_type: u8,
    /// ProtocolVersion, {3, 3} for TLS 1.2.
    pub version: [u8; 2],
}

impl RecordHeader {
    fn mac_prefix(&self, len: usize) -> [u8; 13] {
        let mut h = [0u8; 13];
        h[..8].copy_from_slice(&self.seq_num.to_be_bytes());
        h[8] = self.content_type;
        h[9..11].copy_from_slice(&self.version);
        h[11..].copy_from_slice(&(len as u16).to_be_bytes());
        h
    }
}

/// AES-CBC + HMAC-SHA256 TLS 1.2 record protection with separate encryption and MAC
/// keys (the key block's client/server_write_key and _MAC_key).
///
/// ```
/// use handshake_crypto::cbc::{RecordHeader, TlsCbcHmacSha256};
/// let prot = TlsCbcHmacSha256::new(&[1u8; 16], &[2u8; 32]).unwrap();
/// let hdr = RecordHeader { seq_num: 0, content_type: 23, version: [3, 3] };
/// let fragment = prot.seal(&hdr, &[9u8; 16], b"GET / HTTP/1.1\r\n");
/// assert_eq!(prot.open(&hdr, &fragment).unwrap(), b"GET / HTTP/1.1\r\n");
/// ```
#[derive(Clone)]
pub struct TlsCbcHmacSha256 {
    aes: Aes,
    mac: HmacSha256,
}

impl core::fmt::Debug for TlsCbcHmacSha256 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsCbcHmacSha256").finish_non_exhaustive()
    }
}

impl TlsCbcHmacSha256 {
    /// Keys with a 16- or 32-byte AES key and a MAC key (32 bytes in the SHA256 suites).
    pub fn new(enc_key: &[u8], mac_key: &[u8]) -> Result<Self, Error> {
        Self::new_with_backend(Backend::auto(), enc_key, mac_key)
    }

    /// Keys on an explicit backend.
    pub fn new_with_backend(
        backend: Backend,
        enc_key: &[u8],
        mac_key: &[u8],
    ) -> Result<Self, Error> {
        Ok(TlsCbcHmacSha256 {
            aes: Aes::new_with_backend(backend, enc_key)?,
            mac: HmacSha256::new_with_backend(backend, mac_key),
        })
    }

    /// Protects `content`: returns the GenericBlockCipher fragment
    /// IV || E(content || MAC || padding || padding_length), with minimal padding.
    /// The IV must be unpredictable (RFC 5246 §6.2.3.2); the caller supplies it.
    pub fn seal(&self, hdr: &RecordHeader, iv: &[u8; 16], content: &[u8]) -> Vec<u8> {
        let mut m = self.mac.clone();
        m.update(&hdr.mac_prefix(content.len()));
        m.update(content);
        let tag = m.finalize();
        let body = content.len() + MAC_LEN;
        let pad_len = BLOCK - 1 - body % BLOCK;
        let mut out = Vec::with_capacity(BLOCK + body + pad_len + 1);
        out.extend_from_slice(iv);
        out.extend_from_slice(content);
        out.extend_from_slice(&tag);
        out.resize(out.len() + pad_len + 1, pad_len as u8);
        self.aes
            .cbc_encrypt(iv, &mut out[BLOCK..])
            .expect("padded to the block size");
        out
    }

    /// Opens a GenericBlockCipher fragment; returns the content. Any failure (bad
    /// length, padding or MAC) is [`Error::AuthenticationFailed`], found in time that depends
    /// only on the fragment's length.
    pub fn open(&self, hdr: &RecordHeader, fragment: &[u8]) -> Result<Vec<u8>, Error> {
        // Public checks: IV plus at least MAC + 1 byte of padding, whole blocks.
        if fragment.len() < BLOCK || !(fragment.len() - BLOCK).is_multiple_of(BLOCK) {
            return Err(Error::AuthenticationFailed);
        }
        let len = fragment.len() - BLOCK;
        if len < (MAC_LEN + 1).div_ceil(BLOCK) * BLOCK {
            return Err(Error::AuthenticationFailed);
        }
        let iv: [u8; 16] = fragment[..BLOCK].try_into().expect("16 bytes");
        let mut p = fragment[BLOCK..].to_vec();
        self.aes.cbc_decrypt(&iv, &mut p).expect("whole blocks");

        // Padding check (RFC 5246 §6.2.3.2): padding_length + 1 + MAC_LEN <= len and
        // every padding byte equals padding_length. Checked over the last 256 bytes
        // whatever padding_length is.
        let pad = u32::from(p[len - 1]);
        let mut good = ct_lt_u32(pad + MAC_LEN as u32, len as u32);
        let scan = len.min(256);
        for i in 0..scan {
            let b = u32::from(p[len - 1 - i]);
            let in_pad = ct_lt_u32(i as u32, pad + 1);
            good &= !in_pad | ct_eq_u32(b, pad);
        }
        // On bad padding, MAC as if padding were empty (RFC 5246 §6.2.3.2 note).
        let pad = pad & good;
        let content_len = len as u32 - 1 - pad - MAC_LEN as u32;

        let expected = self.mac_constant_time(hdr, &p, content_len as usize);
        let received = extract_mac(&p, content_len as usize);
        let mut diff = 0u8;
        for (a, b) in expected.iter().zip(received.iter()) {
            diff |= a ^ b;
        }
        good &= crate::ct::ct_is_zero_u32(u32::from(core::hint::black_box(diff)));
        if good != u32::MAX {
            p.zeroize();
            return Err(Error::AuthenticationFailed);
        }
        p.truncate(content_len as usize);
        Ok(p)
    }

    /// HMAC-SHA256(mac_key, header(content_len) || p[..content_len]) where
    /// content_len is secret: every candidate final block is compressed and the right
    /// chaining value picked with masks.
    fn mac_constant_time(&self, hdr: &RecordHeader, p: &[u8], content_len: usize) -> [u8; 32] {
        let (inner, outer) = self.mac.keyed_states();
        let (mut state, prefix_len) = inner
            .chaining_value()
            .expect("HMAC inner state is block-aligned");
        let len = p.len();
        // The hashed stream after the ipad block: 13-byte header then the plaintext.
        // Its true length n = 13 + content_len lies in [n_min, n_max].
        let mut header = hdr.mac_prefix(0);
        header[11..].copy_from_slice(&(content_len as u16).to_be_bytes());
        let stream = |i: usize| -> u8 {
            if i < 13 {
                header[i]
            } else {
                p[i - 13]
            }
        };
        let n_max = 13 + len - 1 - MAC_LEN;
        let n_min = n_max.saturating_sub(255).max(13);
        let n = 13 + content_len;
        let bits = ((prefix_len as usize + n) as u64) * 8;
        let bit_bytes = bits.to_be_bytes();
        let last_block = (n + 8) / 64; // the block carrying the length field
        let first_var = n_min / 64;
        let final_max = (n_max + 8) / 64;

        // Blocks wholly before n_min are message bytes for every candidate length.
        let mut block = [0u8; 64];
        for j in 0..first_var {
            for (i, b) in block.iter_mut().enumerate() {
                *b = stream(64 * j + i);
            }
            inner.compress_state(&mut state, &block);
        }
        let mut result = [0u32; 8];
        for j in first_var..=final_max {
            let is_last = ct_eq_u32(j as u32, last_block as u32);
            for (i, b) in block.iter_mut().enumerate() {
                let pos = 64 * j + i;
                let byte = if pos < 13 + len { stream(pos) } else { 0 };
                let pos32 = pos as u32;
                let n32 = n as u32;
                let keep = ct_lt_u32(pos32, n32) as u8;
                let is_80 = ct_eq_u32(pos32, n32) as u8;
                let mut v = (byte & keep) | (0x80 & is_80);
                if i >= 56 {
                    v |= bit_bytes[i - 56] & (is_last as u8);
                }
                *b = v;
            }
            inner.compress_state(&mut state, &block);
            for (r, s) in result.iter_mut().zip(state.iter()) {
                *r = (*r & !is_last) | (s & is_last);
            }
        }
        block.zeroize();
        let mut ih = [0u8; 32];
        for (o, s) in ih.chunks_exact_mut(4).zip(result) {
            o.copy_from_slice(&s.to_be_bytes());
        }
        state.zeroize();
        let mut o = outer.clone();
        o.update(&ih);
        ih.zeroize();
        o.finalize()
    }
}

/// Copies p[start..start+32] where `start` is secret, reading the same bytes
/// (the last 32 + 256 of `p`) whatever `start` is.
fn extract_mac(p: &[u8], start: usize) -> [u8; 32] {
    let mut out = [0u8; 32];
    let scan_from = p.len().saturating_sub(MAC_LEN + 256);
    for (pos, &byte) in p.iter().enumerate().skip(scan_from) {
        let off = (pos as u32).wrapping_sub(start as u32);
        for (i, o) in out.iter_mut().enumerate() {
            *o |= byte & (ct_eq_u32(off, i as u32) as u8);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hdr(seq: u64) -> RecordHeader {
        RecordHeader {
            seq_num: seq,
            content_type: 23,
            version: [3, 3],
        }
    }

    /// Straightforward (variable-time) reference of the same construction.
    fn reference_open(
        enc: &[u8],
        mac_key: &[u8],
        h: &RecordHeader,
        frag: &[u8],
    ) -> Option<Vec<u8>> {
        let aes = Aes::new_with_backend(Backend::Portable, enc).ok()?;
        if frag.len() < 64 || !frag.len().is_multiple_of(16) {
            return None;
        }
        let mut p = frag[16..].to_vec();
        aes.cbc_decrypt(frag[..16].try_into().unwrap(), &mut p)
            .ok()?;
        let pad = *p.last()? as usize;
        if pad + 1 + 32 > p.len() || p[p.len() - 1 - pad..].iter().any(|&b| b as usize != pad) {
            return None;
        }
        let clen = p.len() - 1 - pad - 32;
        let mut m = crate::Hmac::<crate::Sha256>::new(mac_key);
        m.update(&h.mac_prefix(clen));
        m.update(&p[..clen]);
        let t = m.finalize();
        (t[..] == p[clen..clen + 32]).then(|| p[..clen].to_vec())
    }

    #[test]
    fn roundtrip_every_length() {
        for backend in [Backend::Portable, Backend::Native] {
            let prot = TlsCbcHmacSha256::new_with_backend(backend, &[7; 32], &[8; 32]).unwrap();
            for len in 0..300usize {
                let content: Vec<u8> = (0..len).map(|i| (i * 5) as u8).collect();
                let frag = prot.seal(&hdr(len as u64), &[len as u8; 16], &content);
                assert_eq!(frag.len() % 16, 0);
                assert_eq!(
                    prot.open(&hdr(len as u64), &frag).unwrap(),
                    content,
                    "len {len}"
                );
                assert_eq!(
                    prot.open(&hdr(len as u64 + 1), &frag),
                    Err(Error::AuthenticationFailed)
                );
            }
        }
    }

    /// Records with every possible padding length (RFC 5246 allows up to 255) built by
    /// hand, valid and with one padding byte wrong, against the reference.
    #[test]
    fn long_padding_and_bad_padding() {
        let enc = [3u8; 16];
        let mac_key = [4u8; 32];
        let aes = Aes::new(&enc).unwrap();
        let prot = TlsCbcHmacSha256::new(&enc, &mac_key).unwrap();
        for content_len in [0usize, 1, 15, 31, 100] {
            for pad in 0..=255usize {
                if (content_len + 32 + pad + 1) % 16 != 0 {
                    continue;
                }
                for corrupt in [None, Some(0usize), Some(pad)] {
                    let content = alloc::vec![0x61u8; content_len];
                    let mut m = HmacSha256::new(&mac_key);
                    m.update(&hdr(9).mac_prefix(content_len));
                    m.update(&content);
                    let mut body = content.clone();
                    body.extend_from_slice(&m.finalize());
                    body.extend(core::iter::repeat_n(pad as u8, pad + 1));
                    if let Some(c) = corrupt {
                        let l = body.len();
                        body[l - 1 - c] ^= if c == 0 { 0x01 } else { 0x40 };
                    }
                    let iv = [5u8; 16];
                    aes.cbc_encrypt(&iv, &mut body).unwrap();
                    let mut frag = iv.to_vec();
                    frag.extend_from_slice(&body);
                    let want = reference_open(&enc, &mac_key, &hdr(9), &frag);
                    let got = prot.open(&hdr(9), &frag).ok();
                    assert_eq!(
                        got, want,
                        "content {content_len} pad {pad} corrupt {corrupt:?}"
                    );
                    assert_eq!(got.is_some(), corrupt.is_none());
                }
            }
        }
    }

    #[test]
    fn tampering_rejected() {
        let prot = TlsCbcHmacSha256::new(&[1; 16], &[2; 32]).unwrap();
        let frag = prot.seal(&hdr(1), &[0; 16], &[0x55; 70]);
        for i in 0..frag.len() {
            let mut bad = frag.clone();
            bad[i] ^= 0x01;
            assert!(prot.open(&hdr(1), &bad).is_err(), "byte {i}");
        }
        assert!(prot.open(&hdr(1), &frag[..frag.len() - 16]).is_err());
        assert!(prot.open(&hdr(1), &frag[..47]).is_err());
        assert!(prot.open(&hdr(1), &[]).is_err());
    }
}
