//! RSA encodings of RFC 8017: EMSA-PKCS1-v1_5 (§9.2), EMSA-PSS (§9.1) with MGF1
//! (§B.2.1), and the RSAES-PKCS1-v1_5 padding (§7.2), whose check runs in constant
//! time (no early return, no branch or index on the decrypted bytes).

use alloc::vec;
use alloc::vec::Vec;

use crate::ct::{ct_eq_u32, ct_is_zero_u32, ct_lt_u32};
use crate::{Error, HashFunction};

/// The DER `DigestInfo` prefix for each SHA-2 hash (RFC 8017 §9.2 note 1).
pub(crate) fn digest_info_prefix(hash_len: usize) -> Result<&'static [u8], Error> {
    Ok(match hash_len {
        32 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        48 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
        64 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
        _ => return Err(Error::InvalidLength),
    })
}

/// EMSA-PKCS1-v1_5-ENCODE (§9.2): `00 01 FF..FF 00 || DigestInfo`, `k` bytes.
pub(crate) fn pkcs1v15_sig_encode<H: HashFunction>(msg: &[u8], k: usize) -> Result<Vec<u8>, Error> {
    let h = H::digest(msg);
    let prefix = digest_info_prefix(H::OUTPUT_LEN)?;
    let t_len = prefix.len() + H::OUTPUT_LEN;
    if k < t_len + 11 {
        return Err(Error::MessageTooLong);
    }
    let mut em = vec![0xffu8; k];
    em[0] = 0;
    em[1] = 1;
    em[k - t_len - 1] = 0;
    em[k - t_len..k - H::OUTPUT_LEN].copy_from_slice(prefix);
    em[k - H::OUTPUT_LEN..].copy_from_slice(h.as_ref());
    Ok(em)
}

/// MGF1 (§B.2.1) with hash `G`, XORed into `out`.
pub(crate) fn mgf1_xor<G: HashFunction>(seed: &[u8], out: &mut [u8]) {
    for (counter, chunk) in out.chunks_mut(G::OUTPUT_LEN).enumerate() {
        let mut g = G::new();
        g.update(seed);
        g.update(&(counter as u32).to_be_bytes());
        let d = g.finalize();
        for (o, m) in chunk.iter_mut().zip(d.as_ref()) {
            *o ^= m;
        }
    }
}

/// EMSA-PSS-ENCODE (§9.1.1) with MGF1 over the same hash; `em_bits = modBits - 1`.
pub(crate) fn pss_encode<H: HashFunction>(
    msg: &[u8],
    salt: &[u8],
    em_bits: usize,
) -> Result<Vec<u8>, Error> {
    let h_len = H::OUTPUT_LEN;
    let em_len = em_bits.div_ceil(8);
    if em_len < h_len + salt.len() + 2 {
        return Err(Error::MessageTooLong);
    }
    let m_hash = H::digest(msg);
    let mut m = H::new();
    m.update(&[0u8; 8]);
    m.update(m_hash.as_ref());
    m.update(salt);
    let h = m.finalize();
    let db_len = em_len - h_len - 1;
    let mut em = vec![0u8; em_len];
    em[db_len - salt.len() - 1] = 0x01;
    em[db_len - salt.len()..db_len].copy_from_slice(salt);
    mgf1_xor::<H>(h.as_ref(), &mut em[..db_len]);
    em[0] &= 0xff >> (8 * em_len - em_bits);
    em[db_len..em_len - 1].copy_from_slice(h.as_ref());
    em[em_len - 1] = 0xbc;
    Ok(em)
}

/// EMSA-PSS-VERIFY (§9.1.2), hash `H`, MGF1 over `G`, salt length `s_len`. Public
/// data: plain branches.
pub(crate) fn pss_verify<H: HashFunction, G: HashFunction>(
    msg: &[u8],
    em: &[u8],
    em_bits: usize,
    s_len: usize,
) -> Result<(), Error> {
    let h_len = H::OUTPUT_LEN;
    let em_len = em_bits.div_ceil(8);
    let bad = Err(Error::BadSignature);
    if em.len() != em_len || em_len < h_len + s_len + 2 || em[em_len - 1] != 0xbc {
        return bad;
    }
    let db_len = em_len - h_len - 1;
    let (masked_db, rest) = em.split_at(db_len);
    let h = &rest[..h_len];
    let top_mask = 0xffu8 >> (8 * em_len - em_bits);
    if masked_db[0] & !top_mask != 0 {
        return bad;
    }
    let mut db = masked_db.to_vec();
    mgf1_xor::<G>(h, &mut db);
    db[0] &= top_mask;
    let ps_len = em_len - h_len - s_len - 2;
    if db[..ps_len].iter().any(|&b| b != 0) || db[ps_len] != 0x01 {
        return bad;
    }
    let salt = &db[db_len - s_len..];
    let m_hash = H::digest(msg);
    let mut m = H::new();
    m.update(&[0u8; 8]);
    m.update(m_hash.as_ref());
    m.update(salt);
    if crate::ct_eq(m.finalize().as_ref(), h) {
        Ok(())
    } else {
        bad
    }
}

/// RSAES-PKCS1-v1_5 encryption padding (§7.2.1 step 2): `00 02 PS 00 M`, PS at
/// least 8 non-zero random bytes.
pub(crate) fn pkcs1v15_enc_pad(
    msg: &[u8],
    k: usize,
    fill: &mut dyn FnMut(&mut [u8]),
) -> Result<Vec<u8>, Error> {
    if msg.len() + 11 > k {
        return Err(Error::MessageTooLong);
    }
    let mut em = vec![0u8; k];
    em[1] = 2;
    let ps_end = k - msg.len() - 1;
    for b in &mut em[2..ps_end] {
        while *b == 0 {
            let mut x = [0u8; 1];
            fill(&mut x);
            *b = x[0];
        }
    }
    em[k - msg.len()..].copy_from_slice(msg);
    Ok(em)
}

/// Checks `em` as `00 02 PS 00 M` (§7.2.2 step 3) in constant time. Returns
/// (all ones when valid, the index where M starts); both are computed by masks
/// over every byte of `em`, whatever it holds.
pub(crate) fn pkcs1v15_enc_check(em: &[u8]) -> (u32, u32) {
    let mut good = ct_is_zero_u32(u32::from(em[0])) & ct_eq_u32(u32::from(em[1]), 2);
    let mut found = 0u32;
    let mut sep = 0u32;
    for (i, &b) in em.iter().enumerate().skip(2) {
        // black_box: the masks must stay masks, not become branches on the plaintext.
        let zero = core::hint::black_box(ct_is_zero_u32(u32::from(b)));
        let first = zero & !found;
        sep |= (i as u32) & first;
        found |= zero;
    }
    good &= found;
    // PS is at least 8 bytes: the separator sits at index 10 or later.
    good &= !ct_lt_u32(sep, 10);
    (good, sep + 1)
}

/// The implicit-rejection unpadding (RFC 5246 §7.4.7.1; RFC 8017 §7.2.2 note):
/// the message when the padding is valid and M has exactly `fallback.len()` bytes,
/// else `fallback`, chosen byte by byte with a mask.
pub(crate) fn pkcs1v15_implicit(em: &[u8], fallback: &[u8]) -> Vec<u8> {
    let k = em.len();
    let l = fallback.len();
    let (mut good, start) = pkcs1v15_enc_check(em);
    good &= ct_eq_u32(start, (k - l) as u32);
    let m = core::hint::black_box(good as u8); // all ones or zero
    em[k - l..]
        .iter()
        .zip(fallback)
        .map(|(&e, &f)| (e & m) | (f & !m))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sha256;

    #[test]
    fn pss_round_trip_and_enc_check() {
        let em = pss_encode::<Sha256>(b"msg", &[7u8; 32], 2047).unwrap();
        pss_verify::<Sha256, Sha256>(b"msg", &em, 2047, 32).unwrap();
        assert!(pss_verify::<Sha256, Sha256>(b"msG", &em, 2047, 32).is_err());
        let mut n = 1u8;
        let em = pkcs1v15_enc_pad(b"hello", 64, &mut |b: &mut [u8]| {
            b[0] = n;
            n = n.wrapping_add(1);
        })
        .unwrap();
        let (good, start) = pkcs1v15_enc_check(&em);
        assert_eq!(good, u32::MAX);
        assert_eq!(&em[start as usize..], b"hello");
        assert_eq!(pkcs1v15_implicit(&em, &[0u8; 5]), b"hello");
        assert_eq!(pkcs1v15_implicit(&em, &[9u8; 6]), [9u8; 6]);
        let mut bad = em.clone();
        bad[1] = 1;
        assert_eq!(pkcs1v15_enc_check(&bad).0, 0);
        assert_eq!(pkcs1v15_implicit(&bad, &[3u8; 5]), [3u8; 5]);
        // Separator too early (PS of 7 bytes).
        let mut short = vec![0u8, 2, 1, 1, 1, 1, 1, 1, 1, 0];
        short.extend_from_slice(b"abc");
        assert_eq!(pkcs1v15_enc_check(&short).0, 0);
    }
}
